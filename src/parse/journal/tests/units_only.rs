//! Tests of the line counts that tell an export of t3's units alone (`journalctl -u
//! t3-dispatch -u 't3-serve@*'`, or a filter on their text) from a whole devvm journal, in the
//! text modes and in `-o cat`.

use super::*;

/// The `oom-kill:` line that the kernel writes for an OOM kill inside bob's serve cgroup.
const KERNEL_SERVE_OOM: &str = r"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/system-t3\x2dserve.slice/t3-serve@bob.service,task_memcg=/system.slice/system-t3\x2dserve.slice/t3-serve@bob.service,task=node,pid=4711,uid=1000";

#[test]
fn host_lines_of_text_journal() {
    // (case, `identifier[pid]: message` after the time and host, whether it is a host line)
    let cases = [
        ("kernel OOM line of a serve cgroup", format!("kernel: {KERNEL_SERVE_OOM}"), false),
        (
            "kernel OOM kill that names no unit",
            "kernel: Memory cgroup out of memory: Killed process 4711 (node) total-vm:22817280kB, anon-rss:4152601kB".to_string(),
            true,
        ),
        (
            "kernel audit line",
            r#"kernel: audit: type=1400 audit(1781118000.699:4550): apparmor="DENIED" operation="open" profile="/usr/sbin/chronyd""#.to_string(),
            true,
        ),
        (
            "systemd 252 names the serve unit",
            "systemd[1]: Started t3-serve@bob.service - T3 Code server for bob (t3 serve, per-user).".to_string(),
            false,
        ),
        (
            "systemd 251 gives the serve's description",
            "systemd[1]: Started T3 Code server for bob (t3 serve, per-user).".to_string(),
            false,
        ),
        (
            "systemd 251 gives dispatch's description",
            "systemd[1]: Stopping t3 per-user dispatch + auto-pair...".to_string(),
            false,
        ),
        (
            "restart script echoing its tag",
            "t3-migrate-idle.sh[60039]: t3-migrate-idle: migrated t3-serve@erin.service -> 0.0.27 (idle restart)".to_string(),
            false,
        ),
        (
            // A filter on t3's text keeps it, so it shows no more than such an export holds.
            "sudo naming a serve unit",
            "sudo[9100]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart t3-serve@bob.service".to_string(),
            false,
        ),
        (
            "sshd",
            "sshd[9120]: Accepted publickey for alice from 203.0.113.7 port 52144 ssh2".to_string(),
            true,
        ),
        (
            "cron",
            "CRON[9130]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)".to_string(),
            true,
        ),
        (
            "earlyoom",
            "earlyoom[640]: low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%".to_string(),
            true,
        ),
    ];
    for (case, entry, host) in cases {
        let line = format!("2026-06-10T19:20:01+00:00 devvm {entry}");
        let (_, sink) = parse_with(&ParseOptions::default(), &[line]);
        assert_eq!(sink.journal_lines.other, 1, "{case}");
        assert_eq!(sink.journal_lines.host, host, "{case}");
    }
}

#[test]
fn host_lines_of_cat_journal() {
    // (case, `-o cat` line, whether it is a host line)
    let cases = [
        (
            "serve header",
            "[19:20:01.300] INFO (#412): opened project /home/bob/src/app",
            false,
        ),
        (
            "serve detail line",
            "  Command failed: git fetch --quiet origin: timed out.",
            false,
        ),
        (
            "systemd 252 about a serve",
            "t3-serve@bob.service: Main process exited, code=killed, status=9/KILL",
            false,
        ),
        (
            "systemd 251 starting a serve",
            "Starting T3 Code server for bob (t3 serve, per-user)...",
            false,
        ),
        (
            "systemd 251 stopping dispatch",
            "Stopped t3 per-user dispatch + auto-pair.",
            false,
        ),
        (
            "restart script without its tag",
            "migrated t3-serve@erin.service -> 0.0.27 (idle restart)",
            false,
        ),
        ("kernel OOM line of a serve cgroup", KERNEL_SERVE_OOM, false),
        (
            "core dump",
            "Process 4711 (node) of user 1000 dumped core.",
            false,
        ),
        (
            "core dump module",
            "Module libc.so.6 from deb glibc-2.36-9+deb12u4.amd64",
            false,
        ),
        ("core dump thread", "Stack trace of thread 4711:", false),
        (
            "core dump frame",
            "#0  0x00007f0e5c5e89fc __pthread_kill_implementation (libc.so.6 + 0x969fc)",
            false,
        ),
        (
            "core dump architecture",
            "ELF object binary architecture: AMD x86-64",
            false,
        ),
        ("journalctl's blob placeholder", "[1.2K blob data]", false),
        (
            "sshd",
            "Accepted publickey for alice from 203.0.113.7 port 52144 ssh2",
            true,
        ),
        (
            "cron",
            "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
            true,
        ),
        (
            "kernel OOM kill that names no unit",
            "Memory cgroup out of memory: Killed process 4711 (node) total-vm:22817280kB",
            true,
        ),
        (
            "systemd 252 about another unit",
            "Starting apt-daily.service - Daily apt download activities...",
            true,
        ),
        (
            "earlyoom",
            "low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%",
            true,
        ),
    ];
    for (case, line, host) in cases {
        let (sink, _) = parse_all(&[line], true);
        assert_eq!(sink.journal_lines.other, 1, "{case}");
        assert_eq!(sink.journal_lines.host, host, "{case}");
    }
}

#[test]
fn cat_journal_of_dispatch_is_units_only() {
    let dispatch = [
        "2026/06/10 19:12:30 ws close user=carol ip=203.0.113.35, 10.10.1.12 dur_ms=1500326 cause=graceful",
        "2026/06/10 19:12:34 ws open user=carol ip=203.0.113.35, 10.10.1.12",
    ];
    let (sink, _) = parse_all(&dispatch, true);
    assert_eq!(sink.journal_lines.dispatch, 2);
    assert!(sink.journal_lines.t3_units_only());

    // One line of the host's own programs makes it a whole journal.
    let sshd = "Accepted publickey for alice from 203.0.113.7 port 52144 ssh2";
    let (sink, _) = parse_all(&[dispatch[0], sshd, dispatch[1]], true);
    assert_eq!(sink.journal_lines.dispatch, 2);
    assert!(!sink.journal_lines.t3_units_only());
}
