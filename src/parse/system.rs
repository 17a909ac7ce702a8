//! systemd, kernel, earlyoom and restart-machinery messages about the t3 units.
//!
//! Shapes read here:
//!
//! ```text
//! systemd:  t3-serve@bob.service: Failed with result 'oom-kill'.
//!           Started t3-serve@bob.service - T3 Code server for bob (t3 serve, per-user).
//!           Started T3 Code server for bob (t3 serve, per-user).        (systemd before 252)
//! kernel:   Memory cgroup out of memory: Killed process 2544629 (2.1.205) total-vm:…kB, …
//!           oom-kill:constraint=CONSTRAINT_MEMCG,…,task_memcg=/system.slice/…/t3-serve@bob.service,task=node,pid=2544629,uid=1000
//! earlyoom: sending SIGTERM to process 12345 uid 1000 "node": badness 900, VmRSS 10240 MiB
//! restarts: t3-watchdog: WATCHDOG: restarted t3-serve@bob.service (reason=timeout) …
//! ```

use super::{Message, contains, find, leading_number, rfind};
use crate::event::{EventKind, OomScope, Restarter, Unit, UnitAction};

/// Parses a message of systemd (PID 1) about t3 units.
pub fn parse_systemd(msg: &[u8]) -> Message {
    if let Some((unit, text)) = unit_prefix(msg) {
        return parse_unit_message(unit, text);
    }

    // Job results name the unit (systemd 252 and later: `NAME - DESCRIPTION`) or only its
    // description (before 252).
    const JOB_VERBS: [(&[u8], UnitAction); 3] = [
        (b"Started ", UnitAction::Started),
        (b"Stopping ", UnitAction::Stopping),
        (b"Stopped ", UnitAction::Stopping),
    ];
    for (verb, action) in JOB_VERBS {
        if let Some(subject) = msg.strip_prefix(verb) {
            return match job_subject(subject) {
                Some(unit) => Message::event(EventKind::UnitChange { unit, action }),
                None => Message::Ignored,
            };
        }
    }
    Message::Ignored
}

/// Reads `t3-serve@USER.service: ` or `t3-dispatch.service: ` at the start of a message,
/// returning the unit and the text after it.
fn unit_prefix(msg: &[u8]) -> Option<(Unit, &[u8])> {
    if let Some(rest) = msg.strip_prefix(b"t3-dispatch.service: ") {
        return Some((Unit::Dispatch, rest));
    }
    let (user, used) = serve_instance(msg.strip_prefix(b"t3-serve@")?)?;
    let text = msg.get(b"t3-serve@".len() + used..)?.strip_prefix(b": ")?;
    Some((Unit::Serve(user), text))
}

/// Parses the text after `UNIT: ` in a systemd message.
fn parse_unit_message(unit: Unit, text: &[u8]) -> Message {
    let action = if text.starts_with(b"A process of this unit has been killed by the OOM killer") {
        UnitAction::OomKilled
    } else if text.starts_with(b"Main process exited") {
        UnitAction::Exited
    } else if let Some(result) = text.strip_prefix(b"Failed with result '") {
        if result.starts_with(b"oom-kill'") {
            UnitAction::OomKilled
        } else {
            UnitAction::Failed
        }
    } else if text.starts_with(b"Scheduled restart job") {
        UnitAction::RestartScheduled
    } else if text.starts_with(b"State 'stop") && contains(text, b"' timed out") {
        // `stop-sigterm`, `stop-final-sigterm`, `stop-watchdog`: a stop that took too long.
        UnitAction::StopTimedOut
    } else if let Some(rest) = text.strip_prefix(b"Killing process ") {
        // `Killing process 4711 (node) with signal SIGKILL.` ties a PID to the serve's user.
        return match (unit, pid_at(rest)) {
            (Unit::Serve(user), Some(pid)) => Message::event(EventKind::PidUser { pid, user }),
            _ => Message::Ignored,
        };
    } else {
        return Message::Ignored;
    };
    Message::event(EventKind::UnitChange { unit, action })
}

/// Reads the unit after `Started `, `Stopping ` or `Stopped `: a unit name, or before systemd
/// 252 the unit's description (`T3 Code server for bob (t3 serve, per-user).`,
/// `t3 per-user dispatch + auto-pair`).
fn job_subject(subject: &[u8]) -> Option<Unit> {
    if subject.starts_with(b"t3-dispatch.service") || subject.starts_with(b"t3 per-user dispatch") {
        return Some(Unit::Dispatch);
    }
    if let Some(rest) = subject.strip_prefix(b"t3-serve@") {
        let (user, _) = serve_instance(rest)?;
        return Some(Unit::Serve(user));
    }
    let rest = subject.strip_prefix(b"T3 Code server for ")?;
    let end = find(rest, b" (")?;
    let user = unescape_instance(rest.get(..end)?)?;
    Some(Unit::Serve(user))
}

/// Reads `USER.service` after `t3-serve@`, returning the user and the bytes used up to the
/// end of `.service`. systemd escapes some bytes of an instance name as `\xNN`, which is
/// undone here.
fn serve_instance(bytes: &[u8]) -> Option<(Box<str>, usize)> {
    let run = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'\\'))
        .count();
    let end = find(bytes.get(..run)?, b".service")?;
    let user = unescape_instance(bytes.get(..end)?)?;
    Some((user, end + b".service".len()))
}

/// Undoes systemd's `\xNN` escaping of an instance name. Returns `None` for an empty name.
fn unescape_instance(escaped: &[u8]) -> Option<Box<str>> {
    if escaped.is_empty() {
        return None;
    }
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut i = 0;
    while i < escaped.len() {
        let hex = escaped
            .get(i + 2..i + 4)
            .filter(|_| escaped.get(i..i + 2) == Some(b"\\x"));
        let decoded = hex
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                bytes.push(byte);
                i += 4;
            }
            None => {
                bytes.push(escaped[i]);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&bytes).into())
}

/// Reads a PID at the start of `bytes`.
fn pid_at(bytes: &[u8]) -> Option<u32> {
    let (pid, _) = leading_number(bytes)?;
    u32::try_from(pid).ok()
}

/// Parses a kernel message (OOM kills, stalls and the boot banner).
///
/// Current kernels write one `… out of memory: Killed process PID (NAME) …` line per kill.
/// Older kernels write `… out of memory: Kill process PID (NAME) score N or sacrifice child`
/// and then a bare `Killed process PID …`; only the first of those two is read, so each kill
/// is one event. The `oom-kill:` summary line of the same kill is a second event that names
/// the cgroup.
pub fn parse_kernel(msg: &[u8]) -> Message {
    if let Some(fields) = msg.strip_prefix(b"oom-kill:") {
        return parse_oom_summary(fields);
    }
    // The banner the kernel prints first at every boot.
    if msg.starts_with(b"Linux version ") {
        return Message::event(EventKind::HostBoot);
    }
    if let Some(stall) = parse_stall(msg) {
        return Message::event(stall);
    }

    let Some((at, needle)) = [b"Killed process ".as_slice(), b"Kill process "]
        .into_iter()
        .find_map(|needle| find(msg, needle).map(|at| (at, needle)))
    else {
        return Message::Ignored;
    };
    let before = &msg[..at];
    let scope = if contains(before, b"Memory cgroup out of memory") {
        OomScope::Memcg
    } else if contains(before, b"Out of memory") {
        // `Out of memory: …` and `Out of memory (oom_kill_allocating_task): …`.
        OomScope::Global
    } else {
        return Message::Ignored;
    };
    // Only the PID is read: the process name that follows can contain spaces and parentheses.
    let pid = pid_at(&msg[at + needle.len()..]);
    Message::event(EventKind::OomKill {
        scope,
        user: None,
        pid,
    })
}

/// Reads the kernel's stall reports, which all start the message, so other kernel lines cost
/// a few prefix compares:
///
/// - `watchdog: BUG: soft lockup - CPU#1 stuck for 38s! [node:4522]` (`NMI watchdog: ` or no
///   prefix on older kernels);
/// - `watchdog: Watchdog detected hard LOCKUP on cpu 3`;
/// - `rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:` and `… self-detected stall on
///   CPU` (with no `rcu: ` on older kernels);
/// - `INFO: task kworker/u4:2:123 blocked for more than 120 seconds.`, a hung task.
fn parse_stall(msg: &[u8]) -> Option<EventKind> {
    // Most kernel lines (audit, network, device) start with another letter.
    if !matches!(msg.first(), Some(b'w' | b'N' | b'r' | b'B' | b'I' | b'C')) {
        return None;
    }
    let body = [b"watchdog: ".as_slice(), b"NMI watchdog: ", b"rcu: "]
        .into_iter()
        .find_map(|prefix| msg.strip_prefix(prefix))
        .unwrap_or(msg);
    let stall = |seconds| EventKind::KernelStall {
        seconds,
        hung_task: false,
    };

    if let Some(rest) = body.strip_prefix(b"BUG: soft lockup - CPU#") {
        return Some(stall(seconds_after(rest, b" stuck for ")));
    }

    // Newer kernels name the detecting CPU first: `CPU3: Watchdog detected hard LOCKUP …`.
    let hard = match body.strip_prefix(b"CPU") {
        Some(rest) => rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .and_then(|end| rest[end..].strip_prefix(b": "))
            .unwrap_or(body),
        None => body,
    };
    if hard.starts_with(b"Watchdog detected hard LOCKUP") {
        return Some(stall(None));
    }

    let info = body.strip_prefix(b"INFO: ")?;
    if info.starts_with(b"rcu_")
        && (contains(info, b" detected stalls on CPUs")
            || contains(info, b" self-detected stall on CPU")
            || contains(info, b" detected expedited stalls")
            || contains(info, b" detected stalls on tasks"))
    {
        return Some(stall(None));
    }

    let task = info.strip_prefix(b"task ")?;
    find(task, b" blocked for more than ")?;
    Some(EventKind::KernelStall {
        seconds: seconds_after(task, b" blocked for more than "),
        hung_task: true,
    })
}

/// Reads the number of seconds right after the first `needle` in `text`.
fn seconds_after(text: &[u8], needle: &[u8]) -> Option<u32> {
    let at = find(text, needle)?;
    let (seconds, _) = leading_number(&text[at + needle.len()..])?;
    u32::try_from(seconds).ok()
}

/// Parses the fields after `oom-kill:`:
/// `constraint=C,nodemask=…,cpuset=…,mems_allowed=…,oom_memcg=PATH,task_memcg=PATH,task=NAME,pid=N,uid=N`.
/// `oom_memcg` is present only for a cgroup OOM. NAME is the free-form process name, so the
/// PID is read from the last `,pid=`, and the cgroup paths, which come before NAME, from the
/// first `task_memcg=` and `oom_memcg=`.
fn parse_oom_summary(fields: &[u8]) -> Message {
    let Some(constraint) = field_value(fields, b"constraint=") else {
        return Message::Malformed("oom-kill line without constraint=");
    };
    // Anything but CONSTRAINT_MEMCG counts as host-wide. CONSTRAINT_NONE is the whole host, and
    // CONSTRAINT_CPUSET and CONSTRAINT_MEMORY_POLICY limit the kill to NUMA nodes, not a cgroup.
    let scope = if constraint == b"CONSTRAINT_MEMCG" {
        OomScope::Memcg
    } else {
        OomScope::Global
    };

    let user = [b"task_memcg=".as_slice(), b"oom_memcg="]
        .into_iter()
        .filter_map(|key| field_value(fields, key))
        .find_map(serve_user_of_cgroup);
    let pid = rfind(fields, b",pid=").and_then(|at| pid_at(&fields[at + b",pid=".len()..]));
    Message::event(EventKind::OomKill { scope, user, pid })
}

/// Returns the value of the first `KEY=` field (at the start or after a comma), up to the
/// next comma.
fn field_value<'a>(fields: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let start = if fields.starts_with(key) {
        key.len()
    } else {
        let mut with_comma = Vec::with_capacity(key.len() + 1);
        with_comma.push(b',');
        with_comma.extend_from_slice(key);
        find(fields, &with_comma)? + with_comma.len()
    };
    let value = &fields[start..];
    let end = memchr::memchr(b',', value).unwrap_or(value.len());
    Some(&value[..end])
}

/// Returns USER from a cgroup path such as
/// `/system.slice/system-t3\x2dserve.slice/t3-serve@bob.service`. The slice name carries a
/// literal `\x2d` (an escaped `-`), so only the unit name, after the last `/t3-serve@`, is read.
fn serve_user_of_cgroup(path: &[u8]) -> Option<Box<str>> {
    let at = rfind(path, b"/t3-serve@")?;
    let (user, _) = serve_instance(&path[at + b"/t3-serve@".len()..])?;
    Some(user)
}

/// Parses an earlyoom message.
pub fn parse_earlyoom(msg: &[u8]) -> Message {
    // `low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%` (or SIGKILL limits).
    if msg.starts_with(b"low memory!") {
        return Message::event(EventKind::EarlyoomAction { pid: None });
    }
    // `sending SIGTERM to process 12345 uid 1000 "node": badness 900, VmRSS 10240 MiB`. Older
    // earlyoom releases leave out `uid N`.
    if msg.starts_with(b"sending SIG") {
        let Some(at) = find(msg, b" to process ") else {
            return Message::Malformed("earlyoom signal line without a process");
        };
        let pid = pid_at(&msg[at + b" to process ".len()..]);
        return Message::event(EventKind::EarlyoomAction { pid });
    }
    // `mem avail: …` status lines, `escalating to SIGKILL …`, `process … exited …`.
    Message::Ignored
}

/// Parses a watchdog, autoupdate or idle-migrate message, with or without its `tag: ` prefix.
///
/// Each message is logged twice, once through `logger` and once as `tag: message`. Both copies
/// become events, and nothing here merges them.
pub fn parse_restart(msg: &[u8]) -> Message {
    const TAGS: [(&[u8], Restarter); 3] = [
        (b"t3-watchdog: ", Restarter::Watchdog),
        (b"t3-autoupdate: ", Restarter::Autoupdate),
        (b"t3-migrate-idle: ", Restarter::MigrateIdle),
    ];
    let (tagged_by, body) = TAGS
        .into_iter()
        .find_map(|(tag, by)| msg.strip_prefix(tag).map(|body| (Some(by), body)))
        .unwrap_or((None, msg));

    let (watchdog_wording, body) = match body.strip_prefix(b"WATCHDOG: ") {
        Some(body) => (true, body),
        None => (false, body),
    };
    // `probe FAILED for t3-serve@bob.service (…)` is a probe result, not a restart: a restart
    // that follows it is logged on its own line.
    if let Some(rest) = body.strip_prefix(b"probe FAILED for t3-serve@") {
        return match serve_instance(rest) {
            Some((user, _)) => Message::event(EventKind::ServeProbeFailed { user }),
            None => Message::Malformed("probe line without a t3-serve@USER.service unit"),
        };
    }
    let (verb_restarter, after_verb) = if let Some(rest) = body.strip_prefix(b"restarted t3-serve@")
    {
        (None, rest)
    } else if let Some(rest) = body.strip_prefix(b"migrated t3-serve@") {
        (Some(Restarter::MigrateIdle), rest)
    } else {
        return Message::Ignored;
    };
    let Some((user, used)) = serve_instance(after_verb) else {
        return Message::Malformed("restart line without a t3-serve@USER.service unit");
    };

    // Without a tag the wording decides: `WATCHDOG:` is the watchdog, `migrated` the idle
    // migration, and `restarted UNIT -> VERSION` the autoupdate.
    let by = tagged_by.or(verb_restarter).or_else(|| {
        if watchdog_wording {
            Some(Restarter::Watchdog)
        } else if after_verb[used..].starts_with(b" -> ") {
            Some(Restarter::Autoupdate)
        } else {
            None
        }
    });
    match by {
        Some(by) => Message::event(EventKind::ServeRestart { user, by }),
        None => Message::Malformed("restart line that names no restarter"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn serve(user: &str, action: UnitAction) -> Message {
        Message::event(EventKind::UnitChange {
            unit: Unit::Serve(user.into()),
            action,
        })
    }

    fn probe_failed(user: &str) -> Message {
        Message::event(EventKind::ServeProbeFailed { user: user.into() })
    }

    fn dispatch(action: UnitAction) -> Message {
        Message::event(EventKind::UnitChange {
            unit: Unit::Dispatch,
            action,
        })
    }

    fn oom(scope: OomScope, user: Option<&str>, pid: Option<u32>) -> Message {
        Message::event(EventKind::OomKill {
            scope,
            user: user.map(Box::from),
            pid,
        })
    }

    fn restart(user: &str, by: Restarter) -> Message {
        Message::event(EventKind::ServeRestart {
            user: user.into(),
            by,
        })
    }

    #[test]
    fn systemd_table() {
        let cases: &[(&str, Message)] = &[
            (
                "t3-serve@bob.service: A process of this unit has been killed by the OOM killer.",
                serve("bob", UnitAction::OomKilled),
            ),
            (
                "t3-serve@bob.service: Main process exited, code=killed, status=9/KILL",
                serve("bob", UnitAction::Exited),
            ),
            (
                "t3-serve@bob.service: Failed with result 'oom-kill'.",
                serve("bob", UnitAction::OomKilled),
            ),
            (
                "t3-serve@bob.service: Failed with result 'exit-code'.",
                serve("bob", UnitAction::Failed),
            ),
            (
                "t3-serve@bob.service: Failed with result 'timeout'.",
                serve("bob", UnitAction::Failed),
            ),
            (
                "t3-serve@bob.service: Scheduled restart job, restart counter is at 1.",
                serve("bob", UnitAction::RestartScheduled),
            ),
            // Matches `grep "timed out"`, but it is a stop, not a git stall.
            (
                "t3-serve@bob.service: State 'stop-sigterm' timed out. Killing.",
                serve("bob", UnitAction::StopTimedOut),
            ),
            (
                "Started t3-serve@bob.service - T3 Code server for bob (t3 serve, per-user).",
                serve("bob", UnitAction::Started),
            ),
            // systemd before 252 writes only the description.
            (
                "Started T3 Code server for bob (t3 serve, per-user).",
                serve("bob", UnitAction::Started),
            ),
            (
                "Stopping T3 Code server for bob (t3 serve, per-user)...",
                serve("bob", UnitAction::Stopping),
            ),
            (
                "Stopped t3-serve@bob.service - T3 Code server for bob (t3 serve, per-user).",
                serve("bob", UnitAction::Stopping),
            ),
            (
                "Stopping t3-dispatch.service - t3 per-user dispatch + auto-pair ...",
                dispatch(UnitAction::Stopping),
            ),
            (
                "Started t3 per-user dispatch + auto-pair.",
                dispatch(UnitAction::Started),
            ),
            (
                "t3-dispatch.service: Main process exited, code=exited, status=1/FAILURE",
                dispatch(UnitAction::Exited),
            ),
            (
                "t3-dispatch.service: Failed with result 'exit-code'.",
                dispatch(UnitAction::Failed),
            ),
            (
                "t3-serve@bob.service: Killing process 4711 (node) with signal SIGKILL.",
                Message::event(EventKind::PidUser {
                    pid: 4711,
                    user: "bob".into(),
                }),
            ),
            // A dispatch PID ties to no user.
            (
                "t3-dispatch.service: Killing process 812 (t3-dispatch) with signal SIGKILL.",
                Message::Ignored,
            ),
            // User names with dots and escaped dashes.
            (
                "t3-serve@bob.smith.service: Main process exited, code=killed, status=9/KILL",
                serve("bob.smith", UnitAction::Exited),
            ),
            (
                "t3-serve@a\\x2db.service: Main process exited, code=killed, status=9/KILL",
                serve("a-b", UnitAction::Exited),
            ),
            // Other units, and other messages about the t3 units.
            (
                "other.service: Main process exited, code=killed, status=9/KILL",
                Message::Ignored,
            ),
            ("Started Session 42 of User bob.", Message::Ignored),
            (
                "Started t3-other.service - Something else.",
                Message::Ignored,
            ),
            (
                "t3-serve@bob.service: Deactivated successfully.",
                Message::Ignored,
            ),
            (
                "t3-serve@bob.service: Consumed 1min 3.201s CPU time.",
                Message::Ignored,
            ),
            ("t3-serve@.service: Main process exited", Message::Ignored),
            ("", Message::Ignored),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse_systemd(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    #[test]
    fn kernel_table() {
        let stall =
            |seconds, hung_task| Message::event(EventKind::KernelStall { seconds, hung_task });
        let cases: &[(&str, Message)] = &[
            // The first line of every boot.
            (
                "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024 (Ubuntu 6.8.0-45.45-generic 6.8.12)",
                Message::event(EventKind::HostBoot),
            ),
            (
                "Command line: BOOT_IMAGE=/vmlinuz root=/dev/vda1",
                Message::Ignored,
            ),
            (
                "Memory cgroup out of memory: Killed process 2544629 (2.1.205) total-vm:21933780kB, anon-rss:10398512kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:30340kB oom_score_adj:0",
                oom(OomScope::Memcg, None, Some(2544629)),
            ),
            (
                "Out of memory: Killed process 12345 (node) total-vm:1024kB, anon-rss:512kB, file-rss:0kB",
                oom(OomScope::Global, None, Some(12345)),
            ),
            // Odd process names: a version number, a thread name, spaces and parentheses.
            (
                "Out of memory: Killed process 12346 (MainThread) total-vm:1kB",
                oom(OomScope::Global, None, Some(12346)),
            ),
            (
                "Memory cgroup out of memory: Killed process 777 (my (odd) name) total-vm:1kB",
                oom(OomScope::Memcg, None, Some(777)),
            ),
            // Older kernels: the `Kill process` line counts, the bare `Killed process` after
            // it is the same kill.
            (
                "Memory cgroup out of memory: Kill process 4711 (node) score 990 or sacrifice child",
                oom(OomScope::Memcg, None, Some(4711)),
            ),
            (
                "Killed process 4711 (node) total-vm:1024kB, anon-rss:512kB, file-rss:0kB",
                Message::Ignored,
            ),
            (
                "Out of memory (oom_kill_allocating_task): Killed process 4712 (node) total-vm:1kB",
                oom(OomScope::Global, None, Some(4712)),
            ),
            (
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task=node,pid=2544629,uid=1000",
                oom(OomScope::Memcg, Some("bob"), Some(2544629)),
            ),
            (
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@alice.service,task=node,pid=12345,uid=1001",
                oom(OomScope::Global, Some("alice"), Some(12345)),
            ),
            // The task cgroup is outside the serve units: the user comes from the OOM cgroup.
            (
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task_memcg=/user.slice/user-1000.slice,task=node,pid=9,uid=1000",
                oom(OomScope::Memcg, Some("bob"), Some(9)),
            ),
            // A process name containing `,pid=`: the real PID is the last one.
            (
                "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=a,pid=1,b,pid=4242,uid=0",
                oom(OomScope::Global, None, Some(4242)),
            ),
            (
                "oom-kill:nodemask=(null),cpuset=/",
                Message::Malformed("oom-kill line without constraint="),
            ),
            (
                "oom_reaper: reaped process 2544629 (2.1.205), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                Message::Ignored,
            ),
            (
                "node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
                Message::Ignored,
            ),
            // Stalls: lockups, RCU stalls and hung tasks, with the time they report.
            (
                "watchdog: BUG: soft lockup - CPU#1 stuck for 38s! [node:4522]",
                stall(Some(38), false),
            ),
            (
                "NMI watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:57]",
                stall(Some(22), false),
            ),
            (
                "BUG: soft lockup - CPU#3 stuck for 67s! [git:8812]",
                stall(Some(67), false),
            ),
            (
                "watchdog: BUG: soft lockup - CPU#1 stuck for ??s! [node:4522]",
                stall(None, false),
            ),
            (
                "watchdog: Watchdog detected hard LOCKUP on cpu 3",
                stall(None, false),
            ),
            (
                "watchdog: CPU3: Watchdog detected hard LOCKUP on cpu 3",
                stall(None, false),
            ),
            (
                "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1",
                stall(None, false),
            ),
            (
                "INFO: rcu_tasks detected stalls on tasks:",
                stall(None, false),
            ),
            ("CPU3: Core temperature above threshold", Message::Ignored),
            (
                "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
                stall(None, false),
            ),
            (
                "INFO: rcu_sched self-detected stall on CPU",
                stall(None, false),
            ),
            (
                "rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21 jiffies s: 837 root: 0x2/.",
                stall(None, false),
            ),
            (
                "INFO: task kworker/u4:2:123 blocked for more than 120 seconds.",
                stall(Some(120), true),
            ),
            (
                "INFO: task git:31337 blocked for more than 245 seconds.",
                stall(Some(245), true),
            ),
            // Lines around a stall report that are not one.
            (
                "rcu: \t1-...!: (0 ticks this GP) idle=6d4/0/0x0 softirq=0/0 fqs=0",
                Message::Ignored,
            ),
            (
                "Modules linked in: xt_conntrack nft_chain_nat overlay",
                Message::Ignored,
            ),
            (
                "CPU: 1 PID: 4522 Comm: node Not tainted 6.8.0-60-generic #63-Ubuntu",
                Message::Ignored,
            ),
            (
                "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",
                Message::Ignored,
            ),
            (
                "watchdog: watchdog0: watchdog did not stop!",
                Message::Ignored,
            ),
            ("INFO: task ", Message::Ignored),
            ("", Message::Ignored),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse_kernel(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    #[test]
    fn earlyoom_table() {
        let action = |pid| Message::event(EventKind::EarlyoomAction { pid });
        let cases: &[(&str, Message)] = &[
            (
                "low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%",
                action(None),
            ),
            (
                "low memory! at or below SIGKILL limits: mem  2.50%, swap 50.00%",
                action(None),
            ),
            (
                "sending SIGTERM to process 12345 uid 1000 \"node\": badness 900, VmRSS 10240 MiB",
                action(Some(12345)),
            ),
            (
                "sending SIGKILL to process 12345 uid 1000 \"node\": badness 900, VmRSS 10240 MiB",
                action(Some(12345)),
            ),
            // Older earlyoom releases write no uid.
            (
                "sending SIGTERM to process 12345 \"node\": badness 900, VmRSS 10240 MiB",
                action(Some(12345)),
            ),
            (
                "sending SIGTERM",
                Message::Malformed("earlyoom signal line without a process"),
            ),
            // Periodic status.
            (
                "mem avail:  1874 of 15995 MiB (11.72%), swap free: 2047 of 2047 MiB (100.00%)",
                Message::Ignored,
            ),
            ("escalating to SIGKILL after 0.5 seconds", Message::Ignored),
            ("", Message::Ignored),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse_earlyoom(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    #[test]
    fn restart_table() {
        let cases: &[(&str, Message)] = &[
            (
                "WATCHDOG: restarted t3-serve@bob.service (reason=timeout) after 3 failed probes",
                restart("bob", Restarter::Watchdog),
            ),
            // The same message logged a second time with its tag.
            (
                "t3-watchdog: WATCHDOG: restarted t3-serve@bob.service (reason=timeout) after 3 failed probes",
                restart("bob", Restarter::Watchdog),
            ),
            (
                "restarted t3-serve@bob.service -> 0.0.27 (pairing verified via dispatch)",
                restart("bob", Restarter::Autoupdate),
            ),
            (
                "t3-autoupdate: restarted t3-serve@bob.service -> 0.0.27 (pairing verified via dispatch)",
                restart("bob", Restarter::Autoupdate),
            ),
            (
                "migrated t3-serve@bob.service -> 0.0.27 (idle restart)",
                restart("bob", Restarter::MigrateIdle),
            ),
            (
                "t3-migrate-idle: migrated t3-serve@bob.service -> 0.0.27 (idle restart)",
                restart("bob", Restarter::MigrateIdle),
            ),
            // The tag decides when the wording alone does not.
            (
                "t3-watchdog: restarted t3-serve@bob.service (reason=timeout)",
                restart("bob", Restarter::Watchdog),
            ),
            (
                "restarted t3-serve@bob.service (reason=timeout)",
                Message::Malformed("restart line that names no restarter"),
            ),
            // A probe result, not a restart.
            (
                "probe FAILED for t3-serve@bob.service (timeout after 10s)",
                probe_failed("bob"),
            ),
            (
                "t3-watchdog: probe FAILED for t3-serve@bob.service (timeout after 10s)",
                probe_failed("bob"),
            ),
            (
                "WATCHDOG: probe FAILED for t3-serve@bob.service (timeout after 10s)",
                probe_failed("bob"),
            ),
            (
                "probe FAILED for t3-serve@.service (timeout after 10s)",
                Message::Malformed("probe line without a t3-serve@USER.service unit"),
            ),
            (
                "restarted t3-serve@.service -> 0.0.27",
                Message::Malformed("restart line without a t3-serve@USER.service unit"),
            ),
            ("t3-autoupdate: already at 0.0.27", Message::Ignored),
            ("", Message::Ignored),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse_restart(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    const VALID_LINES: &[&str] = &[
        "t3-serve@bob.service: Failed with result 'oom-kill'.",
        "t3-serve@a\\x2db.service: Killing process 4711 (node) with signal SIGKILL.",
        "Started T3 Code server for bob (t3 serve, per-user).",
        "Stopping t3-dispatch.service - t3 per-user dispatch + auto-pair ...",
        "Memory cgroup out of memory: Killed process 2544629 (2.1.205) total-vm:21933780kB, anon-rss:1kB",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task_memcg=/system.slice/system-t3\\x2dserve.slice/t3-serve@bob.service,task=node,pid=2544629,uid=1000",
        "sending SIGTERM to process 12345 uid 1000 \"node\": badness 900, VmRSS 10240 MiB",
        "t3-watchdog: WATCHDOG: restarted t3-serve@bob.service (reason=timeout) after 3 failed probes",
        "restarted t3-serve@bob.service -> 0.0.27 (pairing verified via dispatch)",
    ];

    fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
        crate::parse::mutated_line(VALID_LINES)
    }

    fn arbitrary_line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..200)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parse_systemd_never_panics(bytes in arbitrary_line(), line in mutated_line()) {
            let _ = parse_systemd(&bytes);
            let _ = parse_systemd(&line);
        }

        #[test]
        fn parse_kernel_never_panics(bytes in arbitrary_line(), line in mutated_line()) {
            let _ = parse_kernel(&bytes);
            let _ = parse_kernel(&line);
        }

        #[test]
        fn parse_earlyoom_never_panics(bytes in arbitrary_line(), line in mutated_line()) {
            let _ = parse_earlyoom(&bytes);
            let _ = parse_earlyoom(&line);
        }

        #[test]
        fn parse_restart_never_panics(bytes in arbitrary_line(), line in mutated_line()) {
            let _ = parse_restart(&bytes);
            let _ = parse_restart(&line);
        }

        #[test]
        fn unescape_instance_never_panics(bytes in prop::collection::vec(prop_oneof![Just(b'\\'), Just(b'x'), any::<u8>()], 0..16)) {
            let _ = unescape_instance(&bytes);
        }
    }
}
