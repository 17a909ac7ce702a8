//! Scenario tests: one small set of logs per attribution segment and per trap, in
//! `testdata/scenarios/<name>/`, each with the drops it must yield in `expected.csv`.
//!
//! A test runs `t3forensics drops -q` on every input of its directory, which is every file but
//! `expected.csv`, `args` and a README. The options come from `args`, one per line. The test
//! compares each row's time (cut to the second), user, client, segment and confidence with
//! `expected.csv`, in order. Some tests also check what a reason must name.
//!
//! The expected verdicts follow the attribution model, not the tool's output.
//! A scenario the tool got wrong is fixed in the tool, never in its expected.csv.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

type Row = BTreeMap<String, String>;

/// Every scenario directory, so a fixture without a test fails `scenario_dirs_all_tested`.
const SCENARIOS: &[&str] = &[
    "autoupdate_restart",
    "burst_across_second",
    "burst_cancels_straddle_second",
    "burst_clf_straddles_second",
    "burst_cluster_path",
    "burst_four_clients",
    "burst_journal_only",
    "burst_member_own_serve",
    "burst_offset_straddles_second",
    "burst_skew_cancels_other_second",
    "burst_straddles_journal_second",
    "burst_without_journal",
    "clock_step_back",
    "clock_step_forward",
    "cloudflared_fleet_update",
    "cloudflared_quiet_pods",
    "cloudflared_update",
    "coarse_clock_offset",
    "devvm_clean_reboot",
    "devvm_crash_journal_only",
    "devvm_earlyoom",
    "devvm_freeze_gap",
    "devvm_gap_after_drop",
    "devvm_global_oom",
    "devvm_late_close",
    "devvm_reboot",
    "devvm_soft_lockup",
    "dispatch_down_retries",
    "dispatch_restart_no_traefik",
    "dispatch_restart_orphans",
    "dispatch_restart_traefik_only",
    "downstream_closed_alone",
    "git_timeout_one_user",
    "git_timeouts_two_users",
    "grep_timed_out_trap",
    "hung_task_alone",
    "last_mile_heartbeat",
    "last_mile_missing_pod_coverage",
    "overlap_oom_during_churn",
    "probe_settles_journal_only",
    "request_errors_stay_clean",
    "serve_hung_gateway_timeout",
    "serve_hung_reconnect_dial",
    "serve_oom",
    "serve_oom_then_reboot",
    "serve_refused_no_user",
    "serve_refused_port_option",
    "serve_refused_proxy_error",
    "serve_reset",
    "serve_upstream_closed",
    "traefik_only_before_ws_logging",
    "tunnel_churn",
    "unknown_no_sources",
    "unknown_user_beside_serve_oom",
    "watchdog_restart",
];

fn scenarios_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios")
}

fn scenario_dir(name: &str) -> PathBuf {
    scenarios_root().join(name)
}

/// Lists the input files of a scenario, sorted so every run reads them in the same order.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name != "expected.csv" && name != "args" && !name.starts_with("README")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no inputs", dir.display());
    files
}

/// Reads the options in the scenario's `args` file, one per line, or none without the file.
fn options(dir: &Path) -> Vec<String> {
    match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(String::from)
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn parse_csv(text: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| {
            headers
                .iter()
                .zip(record.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Runs `drops -q` on the scenario and returns its rows.
fn drops(name: &str) -> Vec<Row> {
    let dir = scenario_dir(name);
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--format", "csv"])
        .args(options(&dir))
        .args(inputs(&dir))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{name}: stderr: {stderr}");
    parse_csv(&String::from_utf8(output.stdout).unwrap())
}

/// Formats the compared columns of an output row, time cut to the second (`2026-06-10T19:40:07Z`).
fn compared(row: &Row) -> String {
    let time = row["time"].get(..19).unwrap_or(&row["time"]);
    format!(
        "{time}Z,{},{},{},{}",
        row["user"], row["client_ip"], row["segment"], row["confidence"]
    )
}

/// Runs the scenario, checks its rows against `expected.csv` and returns them for further checks.
fn check(name: &str) -> Vec<Row> {
    let rows = drops(name);
    let expected_text = std::fs::read_to_string(scenario_dir(name).join("expected.csv")).unwrap();
    let mut lines = expected_text.lines();
    assert_eq!(
        lines.next(),
        Some("time,user,client_ip,segment,confidence"),
        "{name}: expected.csv header"
    );
    let expected: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    let actual: Vec<String> = rows.iter().map(compared).collect();
    let reasons: Vec<String> = rows
        .iter()
        .map(|row| format!("  {} {}: {}", row["drop_id"], row["user"], row["reason"]))
        .collect();
    assert_eq!(
        actual,
        expected,
        "{name}: rows differ from expected.csv; the tool's reasons:\n{}",
        reasons.join("\n")
    );
    rows
}

/// Selects the rows of one user, in output order.
fn of_user<'a>(rows: &'a [Row], user: &str) -> Vec<&'a Row> {
    rows.iter().filter(|row| row["user"] == user).collect()
}

/// Asserts that a row's reason contains every phrase.
fn assert_reason_names(row: &Row, phrases: &[&str]) {
    for phrase in phrases {
        assert!(
            row["reason"].contains(phrase),
            "{} {}: the reason does not name {phrase:?}: {}",
            row["drop_id"],
            row["user"],
            row["reason"]
        );
    }
}

/// Returns the `FILE:LINE` evidence references of the lines of `file` that contain `needle`,
/// counting lines from 1 as the tool does.
fn evidence_refs(name: &str, file: &str, needle: &str) -> Vec<String> {
    let path = scenario_dir(name).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let refs: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle))
        .map(|(n, _)| format!("{}:{}", path.display(), n + 1))
        .collect();
    assert!(!refs.is_empty(), "{file} has no line with {needle:?}");
    refs
}

/// Asserts that a row cites the line `reference` in its evidence list.
fn assert_cites(row: &Row, reference: &str) {
    let cited = row["evidence"].split(';').any(|item| item == reference);
    assert!(
        cited,
        "{} {}: evidence does not cite {reference}: {}",
        row["drop_id"], row["user"], row["evidence"]
    );
}

/// Asserts that all rows share one non-empty burst id, and returns it.
fn assert_one_burst(rows: &[Row]) -> String {
    let id = rows[0]["burst_id"].clone();
    assert!(!id.is_empty(), "no burst id: {:?}", rows[0]);
    for row in rows {
        assert_eq!(row["burst_id"], id, "{row:?}");
    }
    id
}

#[test]
fn scenario_dirs_all_tested() {
    let mut dirs: Vec<String> = std::fs::read_dir(scenarios_root())
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs, SCENARIOS);
}

/// `journalctl -r` prints the same entries newest first, with its note line still on top. Every
/// scenario must give the same rows from it, reasons included. That needs a serve's detail line
/// tied to its own header, a boot placed at the later of its marker's neighbours, and lines that
/// share a second kept in the order they were written.
#[test]
fn newest_first_journal_gives_same_rows() {
    let compared_columns = [
        "time",
        "user",
        "client_ip",
        "dur_ms",
        "cause",
        "segment",
        "confidence",
        "reason",
    ];
    let columns = |rows: Vec<Row>| -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| {
                compared_columns
                    .iter()
                    .map(|column| row[*column].clone())
                    .collect()
            })
            .collect()
    };
    let temp = tempfile::tempdir().unwrap();
    for name in SCENARIOS {
        let dir = scenario_dir(name);
        let files = inputs(&dir);
        let Some(journal) = files.iter().find(|f| f.ends_with("devvm-journal.log")) else {
            continue;
        };
        let text = std::fs::read_to_string(journal).unwrap();
        let (notes, entries): (Vec<&str>, Vec<&str>) = text
            .lines()
            .partition(|line| line.starts_with("-- Journal begins"));
        let mut reversed: Vec<&str> = notes;
        reversed.extend(entries.iter().rev());
        let reversed_path = temp.path().join(format!("{name}.log"));
        std::fs::write(&reversed_path, reversed.join("\n") + "\n").unwrap();

        let run = |journal_path: &Path| {
            let inputs: Vec<&PathBuf> = files.iter().filter(|f| *f != journal).collect();
            let output = Command::cargo_bin("t3forensics")
                .unwrap()
                .args(["drops", "-q", "--format", "csv"])
                .args(options(&dir))
                .arg(journal_path)
                .args(inputs)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0), "{name}");
            parse_csv(&String::from_utf8(output.stdout).unwrap())
        };
        assert_eq!(
            columns(run(&reversed_path)),
            columns(run(journal)),
            "{name}: newest first"
        );
    }
}

// --- t3 serve --------------------------------------------------------------------------------

/// bob's serve is killed by its memory cgroup (kernel and systemd lines). His socket closes a
/// second later, and his redial is refused before systemd restarts the serve.
#[test]
fn serve_oom() {
    let rows = check("serve_oom");
    let oom_line = evidence_refs(
        "serve_oom",
        "devvm-journal.log",
        "Memory cgroup out of memory",
    );
    for row in &rows {
        assert_reason_names(row, &["bob's t3 serve", "OOM-killed"]);
        assert_cites(row, &oom_line[0]);
    }
}

#[test]
fn serve_upstream_closed() {
    let rows = check("serve_upstream_closed");
    assert_reason_names(&rows[0], &["upstream_closed"]);
}

/// Five clients drop within 400 ms, from 10:40:00.8 to 10:40:01.2, so no UTC second contains
/// five of them. They are not called five home-network failures, and the reason names the
/// wider window, which groups them into one burst on the cluster path.
#[test]
fn burst_across_second() {
    let rows = check("burst_across_second");
    for row in &rows {
        assert_reason_names(row, &["within a second of it", "--burst-window 2s"]);
    }

    let dir = scenario_dir("burst_across_second");
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--burst-window", "2s"])
        .args(inputs(&dir))
        .output()
        .unwrap();
    let wider = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(wider.len(), 5);
    for row in &wider {
        assert_eq!(row["burst_id"], "B001");
        assert_eq!(row["segment"], "cluster_path");
    }
}

/// devvm stops logging at 10:20:00 with three sockets open. The kernel's `Linux version`
/// line starts a new boot at 10:22:30, and t3-dispatch comes back at 10:22:33: the sockets
/// were orphaned by the reboot, not by a dispatch failure.
#[test]
fn devvm_reboot() {
    let rows = check("devvm_reboot");
    for row in &rows {
        assert_reason_names(row, &["booted", "the host restarted"]);
    }
}

/// Traefik and cloudflared alone, no devvm journal: five clients drop in one second. Without
/// the journal, nothing rules out devvm, a serve or dispatch, so the burst is not called the
/// cluster path.
#[test]
fn burst_without_journal() {
    let rows = check("burst_without_journal");
    for row in &rows {
        assert_reason_names(row, &["the devvm journal does not cover that time"]);
    }
}

/// The journal contains the serve units and the kernel but not t3-dispatch. bob's serve is
/// OOM-killed at 10:05:10, and a socket that only Traefik saw ends a second later from bob's
/// address. The drop's user is unknown, so no serve rule can claim it, but the path was not
/// clean either: not the user's own network.
#[test]
fn unknown_user_beside_serve_oom() {
    let rows = check("unknown_user_beside_serve_oom");
    assert_reason_names(&rows[0], &["user is not known", "bob's t3 serve failed"]);
}

/// ben's serve is OOM-killed at 10:04:50 and restarted at 10:04:53, and his browser reconnects
/// at 10:04:55. An admin reboots devvm at 10:04:59. The first drop is the serve's; the socket
/// opened after the serve came back was cut by the reboot, like ana's and cleo's.
#[test]
fn serve_oom_then_reboot() {
    let rows = check("serve_oom_then_reboot");
    assert_reason_names(&rows[0], &["OOM-killed"]);
    for row in &rows[1..] {
        assert_reason_names(row, &["booted"]);
    }
}

/// t3-dispatch stops at 10:05:00 with ana's socket open and starts again at 10:05:18. Her
/// browser retries three times meanwhile and Traefik returns 502 each time: four drops, and the
/// retries' reasons state that dispatch was still down.
#[test]
fn dispatch_down_retries() {
    let rows = check("dispatch_down_retries");
    for row in &rows[1..] {
        assert_reason_names(row, &["stopped", "had not started again"]);
        assert_eq!(row["sources"], "traefik");
    }
}

/// `systemctl reboot` at 10:20:00: systemd stops the three users' serves and t3-dispatch, and
/// devvm boots at 10:20:40. The serves' `Stopping` lines are the host going down, not the
/// serves failing. alice's browser retries at 10:20:35 while devvm is down and gets a 502 from
/// Traefik alone, which takes her user from her reconnect after the boot.
#[test]
fn devvm_clean_reboot() {
    let rows = check("devvm_clean_reboot");
    for row in &rows {
        assert_reason_names(row, &["booted", "the host restarted"]);
    }
    // The evidence contains the lines the reason rests on: dispatch's stop and the boot.
    let journal =
        std::fs::read_to_string(scenario_dir("devvm_clean_reboot").join("devvm-journal.log"))
            .unwrap();
    for text in ["Stopped t3-dispatch", "-- Boot ", "Linux version"] {
        let line = journal.lines().position(|l| l.contains(text)).unwrap() + 1;
        let cited = format!("devvm-journal.log:{line}");
        assert!(
            rows[0]["evidence"].split(';').any(|e| e.ends_with(&cited)),
            "{text}: {}",
            rows[0]["evidence"]
        );
    }
}

/// The journal alone: devvm logs nothing after 10:01:28, boots at 10:02:10 and starts
/// t3-dispatch at 10:02:20. A crash writes no stop line, so the two open sockets died when the
/// journal went silent, not at the dispatch start after the boot.
#[test]
fn devvm_crash_journal_only() {
    let rows = check("devvm_crash_journal_only");
    for row in &rows {
        assert_reason_names(row, &["booted 42 s after the drop", "gone silent"]);
    }
}

/// Five sockets opened before the export began, so only Traefik saw them, are cut when
/// t3-dispatch restarts at 10:10:00, and each browser reconnects within seconds. Dispatch
/// logged other sockets, yet these five count: none of them has a dispatch socket that failed
/// to join. Each takes its user from its reconnect.
#[test]
fn dispatch_restart_traefik_only() {
    let rows = check("dispatch_restart_traefik_only");
    for row in &rows {
        assert_eq!(row["burst_id"], "B001");
        assert_eq!(row["sources"], "traefik");
    }
}

/// alice's close cause is a reset of dispatch's read from her serve on 127.0.0.1:3773: her
/// serve dropped the connection, though nothing shows it dying.
#[test]
fn serve_reset() {
    let rows = check("serve_reset");
    assert_reason_names(&rows[0], &["reset", "3773"]);
}

/// alice's socket closes gracefully after 820 s (her browser's heartbeat timeout), and her
/// reconnect 3 s later gets nowhere: dispatch's dial to her serve on 3773 times out 10 s later.
/// The serve had stopped responding, so the first drop is not the user's own network.
#[test]
fn serve_hung_reconnect_dial() {
    let rows = check("serve_hung_reconnect_dial");
    assert_reason_names(&rows[0], &["reconnected 3 s after", "timed out", "3773"]);
}

/// The same graceful close, but dispatch accepts the reconnect, and Traefik returns 504 for it
/// after 30 s, when dispatch logs `downstream_closed`. Neither drop is the user's own network.
#[test]
fn serve_hung_gateway_timeout() {
    let rows = check("serve_hung_gateway_timeout");
    assert_reason_names(&rows[0], &["reconnected 3 s after", "504"]);
    assert_reason_names(&rows[1], &["504", "dispatch logged the socket"]);
}

/// An earlier refused dial names 127.0.0.1:3774 in bob's close cause, which maps that port to
/// bob. Later `proxy error` dials to 3774 are refused, with no ws close of their own, before his
/// drop.
#[test]
fn serve_refused_proxy_error() {
    let rows = check("serve_refused_proxy_error");
    let later = &rows[1];
    assert_reason_names(later, &["refused", "3774"]);
    let refused = evidence_refs(
        "serve_refused_proxy_error",
        "devvm-journal.log",
        "19:41:24 http: proxy error: dial tcp 127.0.0.1:3774",
    );
    assert_cites(later, &refused[0]);
}

/// Before ws logging: Traefik alone saw five sockets cut at 16:05:00.55-00.95, and dispatch
/// logged six `context canceled` lines in 16:05:00. The CLF readings (bracket plus 0.5 s plus
/// the duration) put the drops in 16:05:01, but each is half a second either way, so they
/// and the cancel lines are one burst.
#[test]
fn burst_clf_straddles_second() {
    let rows = check("burst_clf_straddles_second");
    let cancels = evidence_refs(
        "burst_clf_straddles_second",
        "devvm-journal.log",
        "context canceled",
    );
    assert_eq!(cancels.len(), 6);
    for row in &rows {
        assert_eq!(row["burst_id"], "B001", "{row:?}");
        assert_reason_names(row, &["5 clients", "6 cancel lines"]);
        assert_cites(row, &cancels[0]);
    }
}

/// Before ws logging: a Traefik 502 with no user and, in the same second, a dial refused on
/// port 3774, which `--serve-port quin=3774` maps to quin. The drop may be quin's, so it is no
/// clean last mile, and the refusal is its evidence.
#[test]
fn serve_refused_no_user() {
    let rows = check("serve_refused_no_user");
    assert_reason_names(&rows[0], &["quin's t3 serve", "port 3774", "refused"]);
    let refusal = evidence_refs(
        "serve_refused_no_user",
        "devvm-journal.log",
        "connection refused",
    );
    assert_cites(&rows[0], &refusal[0]);
}

/// The same refused `proxy error` lines, with the port given by `--serve-port bob=3774`.
#[test]
fn serve_refused_port_option() {
    let rows = check("serve_refused_port_option");
    assert_reason_names(&rows[0], &["refused", "port 3774"]);
}

/// Three failed probes, then the watchdog restarts bob's serve. Every message is logged twice.
#[test]
fn watchdog_restart() {
    let rows = check("watchdog_restart");
    assert_reason_names(&rows[0], &["bob's t3 serve", "watchdog"]);
    // The failed probes that led to the restart back it.
    let probes = evidence_refs("watchdog_restart", "devvm-journal.log", "probe FAILED");
    assert_cites(&rows[0], probes.last().unwrap());
}

/// autoupdate restarts carol's serve and logs it (twice) only after pairing is verified, 4 s
/// after her socket closed: still inside the 5 s after the drop.
#[test]
fn autoupdate_restart() {
    let rows = check("autoupdate_restart");
    assert_reason_names(&rows[0], &["carol's t3 serve", "autoupdate"]);
}

// --- dispatch --------------------------------------------------------------------------------

/// Checks the rows of the dispatch restart. Two sockets opened and were never closed, then
/// dispatch stopped at 19:41:30 and listened again. Each drop lasts from its open to its time.
fn check_dispatch_restart(rows: &[Row], sources: &str) {
    for row in rows {
        assert_reason_names(row, &["t3-dispatch restarted", "never logged its close"]);
        assert_eq!(row["sources"], sources, "{row:?}");
    }
    let life_ms = |user: &str| -> u64 { of_user(rows, user)[0]["dur_ms"].parse().unwrap() };
    // Opened 19:40:10 and 19:40:40, dropped at 19:41:30 (within the second).
    assert!((80_000..82_000).contains(&life_ms("alice")), "{rows:?}");
    assert!((50_000..52_000).contains(&life_ms("carol")), "{rows:?}");
}

/// Traefik ends both orphaned sockets when dispatch stops: the drop time is the Traefik end.
#[test]
fn dispatch_restart_orphans() {
    let rows = check("dispatch_restart_orphans");
    check_dispatch_restart(&rows, "journal;traefik");
}

/// The same restart from the journal alone: the drop time is the systemd stop line. The model
/// gives high confidence only with full coverage, and here Traefik and cloudflared are missing.
#[test]
fn dispatch_restart_no_traefik() {
    let rows = check("dispatch_restart_no_traefik");
    check_dispatch_restart(&rows, "journal");
}

// --- devvm -----------------------------------------------------------------------------------

/// The devvm journal is silent for 47 s while Traefik and cloudflared keep logging. Traefik
/// ends three sockets during the silence, and dispatch logs their closes when the box wakes.
#[test]
fn devvm_freeze_gap() {
    let rows = check("devvm_freeze_gap");
    for row in &rows {
        assert_reason_names(row, &["devvm journal was silent", "frozen"]);
    }
}

/// dispatch logs tess's close and her reconnect, and only then does the journal fall silent
/// for 46 s. devvm was running when the socket dropped, so the silence is no freeze that
/// caused it, only a gap in the journal's coverage of the drop's window.
#[test]
fn devvm_gap_after_drop() {
    let rows = check("devvm_gap_after_drop");
    assert_reason_names(&rows[0], &["devvm journal does not cover this time"]);
}

#[test]
fn devvm_late_close() {
    let rows = check("devvm_late_close");
    assert_reason_names(&rows[0], &["before dispatch logged its close"]);
}

/// A host-wide OOM kills a compiler of another user, and alice's and dave's sockets drop.
#[test]
fn devvm_global_oom() {
    let rows = check("devvm_global_oom");
    for row in &rows {
        assert_reason_names(row, &["host-wide OOM"]);
    }
}

/// earlyoom sends SIGTERM to a compiler, and alice's and bob's sockets drop.
#[test]
fn devvm_earlyoom() {
    let rows = check("devvm_earlyoom");
    for row in &rows {
        assert_reason_names(row, &["earlyoom"]);
    }
}

/// The kernel logs a soft lockup 7 s after the drops, stuck for 30 s: it reaches back over
/// them, and the journal kept logging on the other CPU, so there is no gap.
#[test]
fn devvm_soft_lockup() {
    let rows = check("devvm_soft_lockup");
    for row in &rows {
        assert_reason_names(row, &["CPU stuck for 30 s"]);
    }
}

/// The kernel reports one task blocked on IO for 122 s, 1 s after the drops, and nothing
/// else: one waiting task is no devvm stall, so the drops stay the last mile's.
#[test]
fn hung_task_alone() {
    let rows = check("hung_task_alone");
    for row in &rows {
        assert!(!row["reason"].contains("kernel"), "{}", row["reason"]);
    }
}

/// alice's and carol's serves both log git timeouts in bob's window: a host-level stall.
#[test]
fn git_timeouts_two_users() {
    let rows = check("git_timeouts_two_users");
    assert_reason_names(&rows[0], &["alice, carol"]);
}

/// One serve's git timeout is a slow remote, not a host stall: with all sources clean the drop
/// is the last mile.
#[test]
fn git_timeout_one_user() {
    check("git_timeout_one_user");
}

/// bob's manual serve restart logs `State 'stop-sigterm' timed out. Killing.` next to one git
/// timeout of alice's: the stop timeout is bob's restart, never a second serve's git timeout.
#[test]
fn grep_timed_out_trap() {
    let rows = check("grep_timed_out_trap");
    assert_reason_names(of_user(&rows, "bob")[0], &["bob's t3 serve"]);
    assert!(
        !of_user(&rows, "alice")[0]["reason"].contains("git"),
        "{:?}",
        rows
    );
}

// --- cloudflare ------------------------------------------------------------------------------

/// Pod m4q7r shuts down to update itself and its two sockets drop. An ordinary drop of alice's
/// an hour later is far outside the update's window.
#[test]
fn cloudflared_update() {
    let rows = check("cloudflared_update");
    let shutdown = evidence_refs(
        "cloudflared_update",
        "cloudflared-6f7c9d8b5-m4q7r.log",
        "Initiating shutdown",
    );
    for row in &rows[..2] {
        assert_reason_names(row, &["cloudflared-6f7c9d8b5-m4q7r", "update"]);
        assert_cites(row, &shutdown[0]);
    }
    assert!(
        !rows[2]["evidence"].contains("cloudflared-"),
        "{:?}",
        rows[2]
    );
}

/// Every pod logs the same shutdown line in the same second. They are three events, not one
/// logged three times, and the reason names every pod.
#[test]
fn cloudflared_fleet_update() {
    let rows = check("cloudflared_fleet_update");
    let pods = ["k2x9p", "m4q7r", "z8w3t"];
    for row in &rows[..2] {
        assert_reason_names(row, &["3 cloudflared pods", "update"]);
        for pod in pods {
            let file = format!("cloudflared-6f7c9d8b5-{pod}.log");
            let shutdown = evidence_refs("cloudflared_fleet_update", &file, "Initiating shutdown");
            assert_reason_names(row, &[&format!("cloudflared-6f7c9d8b5-{pod}")]);
            assert_cites(row, &shutdown[0]);
        }
    }
}

/// connIndex 2 of pod m4q7r fails, terminates, unregisters, retries and registers again.
#[test]
fn tunnel_churn() {
    let rows = check("tunnel_churn");
    for row in &rows {
        assert_reason_names(row, &["tunnel connection 2 of cloudflared-6f7c9d8b5-m4q7r"]);
    }
}

/// `Incoming request ended abruptly` and `stream N canceled by remote` lines around carol's
/// drop describe single requests: the window stays clean.
#[test]
fn request_errors_stay_clean() {
    let rows = check("request_errors_stay_clean");
    assert!(
        !rows[0]["evidence"].contains("cloudflared-"),
        "{:?}",
        rows[0]
    );
}

/// Each pod log contains only its `Updated to new configuration` lines at the start and the end of
/// the export: a quiet pod at info level still covers that span.
#[test]
fn cloudflared_quiet_pods() {
    check("cloudflared_quiet_pods");
}

// --- bursts ----------------------------------------------------------------------------------

/// Five clients drop in one second with six `context canceled` lines, and cloudflared covers it.
#[test]
fn burst_cluster_path() {
    let rows = check("burst_cluster_path");
    let id = assert_one_burst(&rows);
    for row in &rows {
        assert_reason_names(row, &[&format!("burst {id}"), "cluster path"]);
    }
}

/// A burst devvm logged within 5 ms stays one when the clock offset moves its drops across a
/// second of the cluster clock.
#[test]
fn burst_offset_straddles_second() {
    let rows = check("burst_offset_straddles_second");
    let id = assert_one_burst(&rows);
    for row in &rows {
        assert_reason_names(row, &[&format!("burst {id}: 5 clients"), "cluster path"]);
    }
}

/// Closes devvm logged across a second of its own clock stay one burst when they share a
/// second of the cluster clock, and the cancel lines of both seconds are its evidence.
#[test]
fn burst_straddles_journal_second() {
    assert_cluster_burst_of_six_cancels("burst_straddles_journal_second");
}

/// Closes devvm logged in one second of its own clock, with cancel lines 5 ms before that
/// second and in it. All six lines share a second of the cluster clock with the closes, so
/// the burst keeps them all.
#[test]
fn burst_cancels_straddle_second() {
    assert_cluster_burst_of_six_cancels("burst_cancels_straddle_second");
}

/// Checks that a scenario's drops form one cluster-path burst of 5 clients whose reason counts
/// 6 cancel lines.
fn assert_cluster_burst_of_six_cancels(name: &str) {
    let rows = check(name);
    let id = assert_one_burst(&rows);
    for row in &rows {
        assert_reason_names(
            row,
            &[
                &format!("burst {id}: 5 clients"),
                "(6 cancel lines)",
                "cluster path",
            ],
        );
    }
}

/// devvm's clock runs 950 ms ahead, so the whole-second cancel lines of the burst lie in the
/// journal second before its closes and share only the cluster's second with them. They are
/// the burst's evidence, and its time stays that of its drops.
#[test]
fn burst_skew_cancels_other_second() {
    let name = "burst_skew_cancels_other_second";
    let rows = check(name);
    let members: Vec<&Row> = rows.iter().filter(|r| !r["burst_id"].is_empty()).collect();
    assert_eq!(members.len(), 5, "{rows:?}");
    let drop_time = &members[0]["time"];
    assert!(
        members.iter().all(|r| &r["time"] == drop_time),
        "{members:?}"
    );

    let dir = scenario_dir(name);
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["bursts", "-q"])
        .args(inputs(&dir))
        .output()
        .unwrap();
    let bursts = parse_csv(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(bursts.len(), 1, "{bursts:?}");
    assert_eq!(bursts[0]["cancels"], "6");
    assert_eq!(&bursts[0]["time"], drop_time);
    assert_eq!(&bursts[0]["end"], drop_time);
}

/// The same burst from the journal alone cannot tell Cloudflare from the cluster path.
#[test]
fn burst_journal_only() {
    let rows = check("burst_journal_only");
    let id = assert_one_burst(&rows);
    for row in &rows {
        assert_reason_names(row, &[&format!("burst {id}"), "shared path", "cloudflared"]);
    }
}

/// Four clients in one second (and four cancel lines) are not a burst, so each drop is judged
/// alone.
#[test]
fn burst_four_clients() {
    let rows = check("burst_four_clients");
    for row in &rows {
        assert_eq!(row["burst_id"], "", "{row:?}");
    }
}

/// bob's serve is OOM-killed a second before a five-client burst. bob keeps his own verdict and
/// his reason names the burst. The other members share the burst's verdict.
#[test]
fn burst_member_own_serve() {
    let rows = check("burst_member_own_serve");
    let id = assert_one_burst(&rows);
    assert_reason_names(
        of_user(&rows, "bob")[0],
        &["OOM-killed", &format!("burst {id}")],
    );
    for user in ["alice", "carol", "dave", "erin"] {
        assert_reason_names(of_user(&rows, user)[0], &["cluster path"]);
    }
}

// --- overlaps --------------------------------------------------------------------------------

/// bob's serve is OOM-killed while connIndex 1 of pod m4q7r churns, and bob's socket rides
/// that pod: the serve is the more specific cause. alice on the same pod is Cloudflare's.
#[test]
fn overlap_oom_during_churn() {
    let rows = check("overlap_oom_during_churn");
    assert_reason_names(of_user(&rows, "bob")[0], &["OOM-killed"]);
    assert_reason_names(of_user(&rows, "alice")[0], &["tunnel connection 1"]);
}

/// A post-mortem reader of bob's row must learn of both causes: the OOM kill that decides the
/// segment and the tunnel churn on the pod his socket rode.
#[test]
fn overlap_reason_names_both_causes() {
    let rows = check("overlap_oom_during_churn");
    assert_reason_names(of_user(&rows, "bob")[0], &["OOM-killed", "tunnel"]);
}

// --- last mile and unknown -------------------------------------------------------------------

/// A graceful close after 25 s with every source covering and clean: the client's heartbeat.
#[test]
fn last_mile_heartbeat() {
    let rows = check("last_mile_heartbeat");
    assert_reason_names(&rows[0], &["heartbeat"]);
    // Only this user's serve was ruled out, so the reason names it.
    assert_reason_names(&rows[0], &["dave's serve"]);
    // The reconnect backs the reconnect_ms column, so it is cited.
    let reconnect = evidence_refs("last_mile_heartbeat", "devvm-journal.log", "ws open user=");
    assert_cites(&rows[0], reconnect.last().unwrap());
}

/// One of three pod logs ends before the drop: the verdict is kept at lower confidence, and the
/// reason says so.
#[test]
fn last_mile_missing_pod_coverage() {
    let rows = check("last_mile_missing_pod_coverage");
    assert_reason_names(&rows[0], &["2 of 3 cloudflared pods"]);
}

/// The journal alone, one isolated drop.
#[test]
fn unknown_no_sources() {
    let rows = check("unknown_no_sources");
    assert_eq!(
        rows[0]["reason"],
        "no Traefik or cloudflared logs cover this time"
    );
}

/// The journal alone cannot place carol's drop, but the probe's Grafana CSV shows its
/// cloudflare leg down at the 19:41:20 scrape while the internal leg stayed up: Cloudflare, and
/// the reason says it rests on samples 15 s apart. Without the metrics the drop is unknown.
#[test]
fn probe_settles_journal_only() {
    let rows = check("probe_settles_journal_only");
    let reason = &rows[0]["reason"];
    assert!(reason.contains("internal leg"), "{reason}");
    assert!(reason.contains("15 s apart"), "{reason}");
    assert!(
        rows[0]["evidence"].contains("probe.grafana.csv:8"),
        "the row of the sample at 0: {}",
        rows[0]["evidence"]
    );
}

/// A 3 s socket closed `downstream_closed` (Traefik 499) while alice's serve keeps logging and
/// pairing: alone that cause also fits a serve that had not answered yet, so the last mile holds
/// only at low confidence.
#[test]
fn downstream_closed_alone() {
    let rows = check("downstream_closed_alone");
    assert_eq!(rows[0]["cause"], "downstream_closed");
    assert_eq!(rows[0]["traefik_status"], "499");
}

// --- sockets and clocks ----------------------------------------------------------------------

/// An old dispatch writes no ws lines, so five Traefik sockets of the t3 router take the place of
/// dispatch sockets, keyed by client. They end in one second next to six `context canceled`
/// lines in the journal.
#[test]
fn traefik_only_before_ws_logging() {
    let rows = check("traefik_only_before_ws_logging");
    let id = assert_one_burst(&rows);
    let cancels = evidence_refs(
        "traefik_only_before_ws_logging",
        "devvm-journal.log",
        "19:41:07 http: proxy error: context canceled",
    );
    for row in &rows {
        assert_eq!(row["sources"], "traefik", "{row:?}");
        assert_reason_names(row, &[&format!("burst {id}")]);
        assert_cites(row, &cancels[0]);
    }
}

/// Runs `drops -q` on a scenario and returns its stderr, where warnings go.
fn warnings(name: &str) -> String {
    let dir = scenario_dir(name);
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--format", "csv"])
        .args(options(&dir))
        .args(inputs(&dir))
        .output()
        .unwrap();
    String::from_utf8(output.stderr).unwrap()
}

/// Checks a scenario whose devvm clock steps at line 693 of its journal: the rows are those of
/// the journal without the step, each drop once and joined to its Traefik line, and a warning
/// names the step.
fn check_clock_step(name: &str, step: &str) {
    let rows = check(name);
    for row in &rows {
        assert_eq!(row["sources"], "journal;traefik", "{row:?}");
    }
    let stderr = warnings(name);
    for phrase in [
        step,
        "devvm-journal.log:693",
        "15 closed dispatch socket(s) join",
    ] {
        assert!(
            stderr.contains(phrase),
            "{name}: no {phrase:?} in: {stderr}"
        );
    }

    let dir = scenario_dir(name);
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--format", "json"])
        .args(inputs(&dir))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = &json["meta"]["clock_offset"]["step"];
    assert_eq!(found["line"], 693, "{found}");
    assert_eq!(found["corrected"], true, "{found}");
}

/// devvm's clock runs 60 s ahead until NTP steps it back at 19:28:03 (journal times, Go
/// prefixes and serve headers alike). Only the sockets after the step join Traefik at the
/// measured offset. Unless the lines before the step are moved back by 60 s, each drop before
/// it shows twice, and bob's OOM-killed close is put on his network.
#[test]
fn clock_step_back() {
    check_clock_step("clock_step_back", "stepped back by 60 s");
}

/// The same journal with devvm's clock 45 s behind until NTP steps it forward at 19:28:03.
#[test]
fn clock_step_forward() {
    check_clock_step("clock_step_forward", "stepped forward by 45 s");
}

/// dave's only dispatch-Traefik pair differs by 0.3 s, which whole-second journal and CLF times
/// cannot resolve: the offset stays 0 and the drop keeps the journal close's second.
#[test]
fn coarse_clock_offset() {
    check("coarse_clock_offset");
}
