//! Journal exports whose times carry no year or no UTC offset: `short` lines printed newest
//! first across New Year, and local times in the hour repeated by the DST fall-back.

use std::path::{Path, PathBuf};

mod common;
use common::{run, t3};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

/// Returns the CSV rows of `drops` output, each as its list of cells.
fn rows(stdout: &str) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Returns the time and user of each row.
fn times_and_users(stdout: &str) -> Vec<(String, String)> {
    rows(stdout)
        .into_iter()
        .map(|row| (row[1].clone(), row[2].clone()))
        .collect()
}

/// Returns the rows without their evidence cell, whose line numbers depend on the line order.
fn rows_without_evidence(stdout: &str) -> Vec<Vec<String>> {
    rows(stdout)
        .into_iter()
        .map(|mut row| {
            row.remove(11);
            row
        })
        .collect()
}

/// Returns the lines of a fixture in reverse order, as `journalctl -r` would print them.
fn reversed(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    lines.join("\n") + "\n"
}

#[test]
fn newest_first_keeps_december_in_its_year() {
    let journal = data("newyear-reverse/journal.short.log");
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        times_and_users(&stdout),
        [
            ("2026-12-31T23:59:50.000Z".to_string(), "alice".to_string()),
            ("2027-01-01T00:05:30.000Z".to_string(), "bob".to_string()),
        ]
    );
    assert!(
        stderr.contains("devvm journal 2026-12-31T23:40:00Z to 2027-01-01T00:19:00Z"),
        "{stderr}"
    );
    assert!(!stderr.contains("Go log date"), "{stderr}");
}

#[test]
fn newest_first_reads_like_time_order() {
    let journal = data("newyear-reverse/journal.short.log");
    let (newest_first, stderr, code) = run(t3().args(["drops", "-q"]).arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    let (in_order, stderr, code) = run(t3()
        .args(["drops", "-q", "-"])
        .write_stdin(reversed(&journal)));
    assert_eq!(code, 0, "{stderr}");
    let in_order = in_order.replace("<stdin>", &journal.display().to_string());
    assert_eq!(
        rows_without_evidence(&newest_first),
        rows_without_evidence(&in_order)
    );
}

#[test]
fn year_against_go_dates_warns() {
    let journal = data("newyear-reverse/journal.short.log");
    let (_, stderr, code) = run(t3().args(["drops", "-q", "--year", "2025"]).arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "journal.short.log:11: the Go log date of this dispatch line is in 2027, but its \
             `short` journal time was placed in 2025"
        ),
        "{stderr}"
    );
}

#[test]
fn journal_header_gives_the_year() {
    // The New Year fixture without the Go `log` dates of its dispatch lines, so that only
    // journalctl's header can date it.
    let fixture = std::fs::read_to_string(data("newyear-reverse/journal.short.log")).unwrap();
    let undated: String = fixture
        .lines()
        .map(|line| match line.split_once("t3-dispatch[812]: ") {
            Some((prefix, message)) => {
                let go_date = "2026/12/31 23:59:50 ".len();
                format!("{prefix}t3-dispatch[812]: {}\n", &message[go_date..])
            }
            None => format!("{line}\n"),
        })
        .collect();
    let mut in_order: Vec<&str> = undated.lines().collect();
    in_order.reverse();
    let in_order = in_order.join("\n") + "\n";
    let header = "-- Journal begins at Thu 2026-12-31 06:00:00 UTC, ends at Fri 2027-01-01 01:00:00 UTC. --\n";
    let old_header =
        "-- Logs begin at Thu 2026-12-31 06:00:00 UTC, end at Fri 2027-01-01 01:00:00 UTC. --\n";
    let expected = [
        ("2026-12-31T23:59:50.000Z".to_string(), "alice".to_string()),
        ("2027-01-01T00:05:30.000Z".to_string(), "bob".to_string()),
    ];

    // Newest first and in time order, under either wording of the header.
    for (name, lines, header) in [
        ("newest first", &undated, header),
        ("in time order", &in_order, header),
        ("older systemd", &undated, old_header),
    ] {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "-"])
            .write_stdin(format!("{header}{lines}")));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(times_and_users(&stdout), expected, "{name}");
        assert!(!stderr.contains("--year"), "{name}: {stderr}");
    }

    // Without the header, nothing dates the lines.
    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(undated.clone()));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("pass --year YYYY"), "{stderr}");

    // A header that spans years leaves the year open, and the error gives the reason. The first line,
    // of Jan 01, cannot be in 2024, since the span begins on 2024-01-08.
    let long = "-- Journal begins at Mon 2024-01-08 06:14:03 UTC, ends at Fri 2027-01-01 01:00:00 UTC. --\n";
    let (_, stderr, code) = run(t3()
        .args(["drops", "-"])
        .write_stdin(format!("{long}{undated}")));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "the journal header on line 1 spans 2024-01-08 to 2027-01-01, so the first `short` \
             line could be in any year from 2025 to 2027; pass --year YYYY"
        ),
        "{stderr}"
    );
}

/// The drops of the DST fixture: one in the first pass through 02:00-03:00 (CEST), two in the
/// repeat (CET).
fn dst_fall_drops() -> Vec<(String, String)> {
    [
        ("2026-10-25T00:45:30.000Z", "carol"),
        ("2026-10-25T01:05:01.000Z", "alice"),
        ("2026-10-25T01:10:40.000Z", "bob"),
    ]
    .iter()
    .map(|(time, user)| (time.to_string(), user.to_string()))
    .collect()
}

/// Checks a `drops` run on the DST fall-back fixture: its drops, the journal's span over both
/// passes of the repeated hour, every socket joined, and no zone warning.
fn assert_dst_fall_read(stdout: &str, stderr: &str, code: i32) {
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(times_and_users(stdout), dst_fall_drops());
    assert!(
        stderr.contains("devvm journal 2026-10-25T00:40:00Z to 2026-10-25T01:19:00Z, 34 lines"),
        "{stderr}"
    );
    assert!(
        stderr.contains("4 of 4 dispatch sockets joined to Traefik"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong zone"), "{stderr}");
}

#[test]
fn with_unit_zone_names_pick_dst_offset() {
    let journal = data("dst-fall/journal.with-unit.log");
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "Europe/Berlin"])
        .arg(&journal)
        .arg(data("dst-fall/traefik.log")));
    assert_dst_fall_read(&stdout, &stderr, code);
}

#[test]
fn short_step_back_marks_repeated_hour() {
    let journal = data("dst-fall/journal.short.log");
    let traefik = data("dst-fall/traefik.log");
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "Europe/Berlin"])
        .arg(&journal)
        .arg(&traefik));
    assert_dst_fall_read(&stdout, &stderr, code);

    // Newest first (`journalctl -r`), the clock going back shows as a step forward.
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "Europe/Berlin", "-"])
        .arg(&traefik)
        .write_stdin(reversed(&journal)));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(times_and_users(&stdout), dst_fall_drops());
}

#[test]
fn zone_name_after_sample_warns() {
    // The lines past the 400 sampled ones are parsed in blocks, whose parsers report a zone
    // name that --tz (UTC by default) does not give too.
    let mut journal = String::new();
    for i in 0..450 {
        journal.push_str(&format!(
            "Wed 2026-06-10 19:{:02}:{:02} UTC devvm sshd[1]: Connection closed by 192.0.2.9 port 22 [preauth]\n",
            i / 60,
            i % 60
        ));
    }
    for i in 0..50 {
        journal.push_str(&format!(
            "Wed 2026-06-10 21:{:02}:{:02} CEST devvm sshd[1]: Connection closed by 192.0.2.9 port 22 [preauth]\n",
            10 + i / 60,
            i % 60
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, journal).unwrap();
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("journal times are marked CEST, but --tz gives UTC"),
        "{stderr}"
    );
}

/// An `-o cat` journal across the DST fall-back in Europe/Berlin (the times step back from
/// 02:58 CEST to 02:05 CET), oldest first.
const CAT_FALL_BACK: &str = "\
2026/10/25 02:40:00 ws open user=bob ip=203.0.113.22, 10.10.1.12
Connection closed by 192.0.2.9 port 22 [preauth]
2026/10/25 02:50:00 auto-pair: nothing to pair
2026/10/25 02:58:00 auto-pair: nothing to pair
2026/10/25 02:05:00 auto-pair: nothing to pair
2026/10/25 02:15:00 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=2100000 cause=graceful
2026/10/25 02:15:05 ws open user=bob ip=203.0.113.22, 10.10.1.12
2026/10/25 03:05:00 auto-pair: nothing to pair
";

#[test]
fn cat_go_times_after_fall_back() {
    // `-o cat` keeps only dispatch's local Go times. At 03:00 CEST the clock goes back to
    // 02:00 CET, so the close at 02:15 is 01:15 UTC, after the open at 02:40 CEST (00:40 UTC).
    // Printed newest first (`journalctl -r`, or logcli's raw output without --forward), the
    // same lines give the same times.
    let mut newest_first: Vec<&str> = CAT_FALL_BACK.lines().collect();
    newest_first.reverse();
    let newest_first = newest_first.join("\n") + "\n";
    for journal in [CAT_FALL_BACK.to_string(), newest_first] {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "--tz", "Europe/Berlin", "-"])
            .write_stdin(journal.clone()));
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(
            times_and_users(&stdout),
            vec![("2026-10-25T01:15:00.000Z".to_string(), "bob".to_string())],
            "{journal}"
        );
        assert!(
            stderr.contains("devvm journal 2026-10-25T00:40:00Z to 2026-10-25T02:05:00Z"),
            "{stderr}"
        );
    }
}

#[test]
fn cat_newest_first_places_evidence_later() {
    // A serve's OOM line without a time lies between two dispatch lines. It happened at or
    // before the later one, which newest first is the line above it.
    let journal = "\
2026/06/10 19:40:00 auto-pair: nothing to pair
2026/06/10 19:33:12 ws close user=erin ip=203.0.113.58, 10.10.1.12 dur_ms=90000 cause=graceful
t3-serve@erin.service: A process of this unit has been killed by the OOM killer.
2026/06/10 19:32:00 auto-pair: nothing to pair
2026/06/10 19:31:42 ws open user=erin ip=203.0.113.58, 10.10.1.12
";
    let (stdout, stderr, code) = run(t3().args(["timeline", "-"]).write_stdin(journal));
    assert_eq!(code, 0, "{stderr}");
    let oom = rows(&stdout)
        .into_iter()
        .find(|row| row.iter().any(|field| field == "unit_change"))
        .unwrap_or_else(|| panic!("no OOM event: {stdout}"));
    assert_eq!(oom[0], "2026-06-10T19:33:12.000Z", "{stdout}");
    assert!(stderr.contains("runs newest first"), "{stderr}");
}

/// Reads the UTC journal of the `git_timeouts_two_users` scenario, as `journalctl -o short-iso`
/// printed it on a devvm that runs UTC.
fn git_timeouts_journal() -> String {
    std::fs::read_to_string(data("scenarios/git_timeouts_two_users/devvm-journal.log")).unwrap()
}

/// Prints each `short-iso` line of a UTC journal again as journalctl does with its `TZ` at
/// `hours` east of UTC: in `short-iso` (`2026-06-10T21:41:06+02:00`) or in `short`
/// (`Jun 10 21:41:06`). The messages, and so the serve headers and Go log times that devvm
/// wrote, stay in UTC. `late` seconds are added to every journal time, as when journald stamps
/// each line late.
fn reprinted(journal: &str, hours: i32, late: i64, short: bool) -> String {
    let zone = chrono::FixedOffset::east_opt(hours * 3600).unwrap();
    let mut out = String::new();
    for line in journal.lines() {
        // journalctl's notes are left out: its header line would give the span in UTC.
        if line.starts_with("-- ") {
            continue;
        }
        // A continuation line of a multi-line message has no time.
        if line.starts_with(' ') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let (stamp, rest) = line.split_once(' ').unwrap();
        let time = chrono::DateTime::parse_from_rfc3339(stamp)
            .unwrap_or_else(|e| panic!("{stamp}: {e}"))
            .with_timezone(&zone)
            + chrono::Duration::seconds(late);
        let stamp = if short {
            time.format("%b %d %H:%M:%S").to_string()
        } else {
            time.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
        };
        out.push_str(&format!("{stamp} {rest}\n"));
    }
    out
}

#[test]
fn doubtful_clock_offset_weakens_cross_clock_verdicts() {
    // devvm's clock runs 30 min late. Its `short-iso` lines carry `+00:00`, so no --tz explains
    // the offset, and more sockets pair at +0.5 h than at the offset measured from chance
    // pairs. The cluster's clean lines at the drop's time are then not evidence of a clean
    // path: no row may claim the last mile, and only per-drop verdicts on dispatch's own
    // sockets that cite journal lines alone keep their confidence.
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let journal = std::fs::read_to_string(incident.join("devvm-journal.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("devvm-journal.log");
    std::fs::write(&late, reprinted(&journal, 0, 1800, false)).unwrap();
    let mut inputs = vec![late.clone(), incident.join("traefik-access.log")];
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        inputs.push(incident.join(format!("cloudflared-6f7c9d8b5-{pod}.log")));
    }

    let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).args(&inputs));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("--skew 1800"), "{stderr}");
    let drops = rows(&stdout);
    assert!(!drops.is_empty(), "{stdout}");
    let journal_name = late.to_string_lossy().into_owned();
    for row in &drops {
        let (segment, confidence, reason, evidence) = (&row[8], &row[9], &row[10], &row[11]);
        assert_ne!(segment, "last_mile", "{row:?}");
        let journal_only = segment == "t3_serve"
            && evidence
                .split(';')
                .all(|line| line.starts_with(journal_name.as_str()));
        if !journal_only {
            assert_eq!(confidence, "low", "{row:?}");
            assert!(reason.contains("clock offset is doubtful"), "{row:?}");
        }
    }

    let (stdout, stderr, code) = run(t3().args(["bursts", "-q"]).args(&inputs));
    assert_eq!(code, 0, "{stderr}");
    let bursts = rows(&stdout);
    assert!(!bursts.is_empty(), "{stdout}");
    for burst in &bursts {
        assert_eq!(burst[9], "low", "{burst:?}");
        assert!(burst[10].contains("clock offset is doubtful"), "{burst:?}");
    }
}

/// Runs `drops -q` on a journal and the cloudflared logs of the `git_timeouts_two_users`
/// scenario, and its Traefik log when `traefik` is set. Returns the rows and stderr.
fn git_timeouts_drops(
    journal: &str,
    options: &[&str],
    traefik: bool,
) -> (Vec<Vec<String>>, String) {
    let scenario = data("scenarios/git_timeouts_two_users");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, journal).unwrap();
    let mut command = t3();
    command.args(["drops", "-q"]).args(options).arg(&path);
    for entry in std::fs::read_dir(&scenario).unwrap() {
        let input = entry.unwrap().path();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        if (traefik && name.starts_with("traefik")) || name.starts_with("cloudflared") {
            command.arg(input);
        }
    }
    let (stdout, stderr, code) = run(&mut command);
    assert_eq!(code, 0, "{stderr}");
    (rows(&stdout), stderr)
}

/// Moves the Go log time of every dispatch message (`2026/06/10 19:41:06`) by `hours`, as a
/// devvm in that zone writes it, and leaves the journal times as they are.
fn go_times_moved(journal: &str, hours: i64) -> String {
    let go = regex::Regex::new(r"\]: (\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})").unwrap();
    let mut out = String::new();
    for line in journal.lines() {
        let moved = go.replace(line, |caps: &regex::Captures| {
            let time = chrono::NaiveDateTime::parse_from_str(&caps[1], "%Y/%m/%d %H:%M:%S")
                .unwrap()
                + chrono::Duration::hours(hours);
            format!("]: {}", time.format("%Y/%m/%d %H:%M:%S"))
        });
        out.push_str(&moved);
        out.push('\n');
    }
    out
}

#[test]
fn go_zone_warning_traefik_confirmed() {
    // devvm runs in Berlin (its Go log times are UTC+2) and the journal was printed, and is
    // read, in UTC. Without Traefik the tool cannot tell this from a journal printed in the
    // wrong zone, so it warns; Traefik's sockets agree with the journal's times, so with them
    // the warning would only mislead.
    let journal = go_times_moved(&reprinted(&git_timeouts_journal(), 0, 0, true), 2);
    let (_, alone) = git_timeouts_drops(&journal, &[], false);
    assert!(alone.contains("from the Go log time"), "{alone}");
    let (_, with_traefik) = git_timeouts_drops(&journal, &[], true);
    assert!(
        !with_traefik.contains("from the Go log time"),
        "{with_traefik}"
    );
}

#[test]
fn go_zone_warning_traefik_refuted() {
    // The sample incident's journal printed in Berlin as `short` and read in UTC, devvm on UTC.
    // Traefik's sockets start 2 h before the journal's, which rules out the reading that devvm
    // runs in another zone and the journal's times are right. `reprinted` reads no
    // continuation line of a multi-line message.
    let utc: String = std::fs::read_to_string(data("incident/devvm-journal.log"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with(' '))
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("devvm-journal.log");
    std::fs::write(&journal, reprinted(&utc, 2, 0, true)).unwrap();
    let mut command = t3();
    command.args(["drops", "-q"]).arg(&journal);
    command.arg(data("incident/traefik-access.log"));
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        command.arg(data(&format!("incident/cloudflared-6f7c9d8b5-{pod}.log")));
    }
    let (_, stderr, code) = run(&mut command);
    assert_eq!(code, 0, "{stderr}");

    assert!(
        stderr.contains("start +2.0 h from their Traefik lines"),
        "{stderr}"
    );
    assert!(stderr.contains("+2.0 h from the Go log time"), "{stderr}");
    assert!(
        stderr.contains("Traefik's sockets show the journal's times off as well"),
        "{stderr}"
    );
    assert!(stderr.contains("UTC+02:00 at that time"), "{stderr}");
    assert!(!stderr.contains("change nothing"), "{stderr}");
}

/// Writes a `short` journal of 43 dispatch lines 15 minutes and a second apart from
/// 2026-03-08T00:45:00Z, across New York's change to summer time at 07:00:00Z. Journal times
/// are printed in `journal_zone` and Go log times in `go_zone`.
fn journal_across_new_york_spring(journal_zone: chrono_tz::Tz, go_zone: chrono_tz::Tz) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-08T00:45:00Z").unwrap();
    let users = ["alice", "bob", "carol", "dave", "erin"];
    let mut out = String::new();
    for i in 0..43 {
        let at = start + chrono::Duration::seconds(i * 901);
        out.push_str(&format!(
            "{} devvm t3-dispatch[812]: {} ws close user={} ip=203.0.113.{}, 10.10.1.12 \
             dur_ms={} cause=graceful\n",
            at.with_timezone(&journal_zone).format("%b %d %H:%M:%S"),
            at.with_timezone(&go_zone).format("%Y/%m/%d %H:%M:%S"),
            users[i as usize % 5],
            10 + i % 5,
            500_000 + i,
        ));
    }
    out
}

#[test]
fn go_zone_warning_splits_at_dst_change() {
    // devvm runs New York and the journal was printed in UTC: 25 lines lie +5 h from their Go
    // times and 18 lines, after devvm's change to summer time, +4 h.
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("devvm-journal.log");
    let utc = journal_across_new_york_spring(chrono_tz::UTC, chrono_tz::America::New_York);
    std::fs::write(&journal, utc).unwrap();
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("+5.0 h in 25 dispatch lines (lines 1 to 25)"),
        "{stderr}"
    );
    assert!(stderr.contains("+4.0 h in 18 (lines 26 to 43)"), "{stderr}");
    assert!(stderr.contains("between line 25"), "{stderr}");
    assert!(
        stderr.contains("neither --skew nor a zone without DST"),
        "{stderr}"
    );
    assert!(stderr.contains("such as America/New_York"), "{stderr}");
    assert!(!stderr.contains("of 43 dispatch lines"), "{stderr}");

    // journalctl printed in New York and dispatch wrote UTC: --tz must name the zone.
    let new_york = journal_across_new_york_spring(chrono_tz::America::New_York, chrono_tz::UTC);
    std::fs::write(&journal, new_york).unwrap();
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("-5.0 h in 25 dispatch lines"), "{stderr}");
    assert!(stderr.contains("set --tz to the IANA name"), "{stderr}");
    assert!(stderr.contains("such as America/New_York"), "{stderr}");
    assert!(!stderr.contains("change nothing"), "{stderr}");
}

/// Returns the user and segment of each row.
fn users_and_segments(rows: &[Vec<String>]) -> Vec<(String, String)> {
    rows.iter()
        .map(|row| (row[2].clone(), row[8].clone()))
        .collect()
}

#[test]
fn serve_headers_keep_devvm_zone() {
    // alice's and carol's git timeouts at 19:40:58 and 19:41:02 UTC put bob's drop at 19:41:06
    // on devvm. Printed by a journalctl in Berlin (+02:00), the lines' times name that zone,
    // but the serve headers still carry devvm's UTC time of day.
    let utc = git_timeouts_journal();
    let expected = vec![("bob".to_string(), "devvm".to_string())];
    let (rows, stderr) = git_timeouts_drops(&utc, &[], true);
    assert_eq!(users_and_segments(&rows), expected, "UTC journal");
    assert!(!stderr.contains("serve header"), "{stderr}");

    let iso_berlin = reprinted(&utc, 2, 0, false);
    for options in [&[][..], &["--tz", "Europe/Berlin"][..]] {
        let (rows, stderr) = git_timeouts_drops(&iso_berlin, options, true);
        assert_eq!(
            users_and_segments(&rows),
            expected,
            "short-iso in +02:00, {options:?}"
        );
        // All 12 serve headers are compared, not only the two whose git timeouts became
        // events, and the first header cited, not the detail line of the first timeout.
        assert!(
            stderr.contains("12 of 12 t3 serve header time(s) of day differ"),
            "{stderr}"
        );
        assert!(
            stderr.contains("(the first on line 3, by -2.0 h)"),
            "{stderr}"
        );
    }

    let short_berlin = reprinted(&utc, 2, 0, true);
    let (rows, stderr) = git_timeouts_drops(&short_berlin, &["--tz", "Europe/Berlin"], true);
    assert_eq!(
        users_and_segments(&rows),
        expected,
        "short in Berlin, --tz Europe/Berlin"
    );
    assert!(stderr.contains("zone journalctl ran in"), "{stderr}");
    assert!(
        stderr.contains("12 of 12 t3 serve header time(s) of day differ"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(the first on line 3, by -2.0 h)"),
        "{stderr}"
    );
}

#[test]
fn short_zone_against_go_times_warns() {
    // Without Traefik, only dispatch's Go log times (devvm's local time, UTC here) show that
    // a `short` journal printed in Berlin is read in UTC.
    let utc = git_timeouts_journal();
    let warning = "the `short` journal time is +2.0 h from the Go log time";

    let (rows, stderr) = git_timeouts_drops(&reprinted(&utc, 2, 0, true), &[], false);
    assert!(stderr.contains(warning), "{stderr}");
    assert!(stderr.contains("another zone than --tz (UTC)"), "{stderr}");
    assert!(stderr.contains("UTC+02:00 at that time"), "{stderr}");
    // The same lines come from a devvm on UTC+02:00 whose journal was printed in UTC, where
    // the times are right, so the warning also names that reading.
    assert!(
        stderr.contains("Or devvm's own zone differs from --tz"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("Go log time").count(),
        1,
        "one warning per input: {stderr}"
    );
    // The warning alone moves no time: the drop stays at its journal time read in UTC.
    assert_eq!(rows[0][1], "2026-06-10T21:41:06.000Z");

    let clean = [
        ("short in UTC", reprinted(&utc, 0, 0, true), &[][..]),
        (
            "short in Berlin with --tz",
            reprinted(&utc, 2, 0, true),
            &["--tz", "Europe/Berlin"][..],
        ),
        (
            "short stamped 3 s late",
            reprinted(&utc, 0, 3, true),
            &[][..],
        ),
        ("short-iso in Berlin", reprinted(&utc, 2, 0, false), &[][..]),
    ];
    for (case, journal, options) in clean {
        let (_, stderr) = git_timeouts_drops(&journal, options, false);
        assert!(!stderr.contains("Go log time"), "{case}: {stderr}");
    }
}

/// Writes a dense `short` journal of a devvm on Europe/London across the spring-forward at
/// 2026-03-29 01:00Z (a line every 5 s, local time). In it, alice's socket closes 30 s after
/// it opened, 20 s after the change. Also writes a cloudflared pod log with a line every 20 s
/// for 100 minutes, past the journal's end as read in UTC. Returns the two paths.
fn london_spring_forward(dir: &Path) -> (PathBuf, PathBuf) {
    use chrono::{DateTime, Duration, Utc};
    let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
    let local = |t: DateTime<Utc>| t.with_timezone(&london);
    let start: DateTime<Utc> = "2026-03-29T00:40:00Z".parse().unwrap();
    let mut lines: Vec<(DateTime<Utc>, String)> = Vec::new();
    for step in 0..(40 * 60 / 5) {
        let t = start + Duration::seconds(5 * step);
        lines.push((
            t,
            "sshd[100]: Connection closed by 192.0.2.10 port 22".to_string(),
        ));
    }
    let ip = "ip=203.0.113.7, 10.10.1.12";
    let dispatch = [
        ("2026-03-29T00:59:51Z", format!("ws open user=alice {ip}")),
        (
            "2026-03-29T01:00:21Z",
            format!("ws close user=alice {ip} dur_ms=30000 cause=graceful"),
        ),
        ("2026-03-29T01:00:23Z", format!("ws open user=alice {ip}")),
    ];
    for (at, message) in dispatch {
        let t: DateTime<Utc> = at.parse().unwrap();
        let go_time = local(t).format("%Y/%m/%d %H:%M:%S");
        lines.push((t, format!("t3-dispatch[812]: {go_time} {message}")));
    }
    lines.sort_by_key(|(t, _)| *t);
    let journal: String = lines
        .iter()
        .map(|(t, rest)| format!("{} devvm {rest}\n", local(*t).format("%b %d %H:%M:%S")))
        .collect();
    let cloudflared = cloudflared_every_20s(start, 100);
    let journal_path = dir.join("journal.short.log");
    let cloudflared_path = dir.join("cloudflared-6f7c9d8b5-k2x9p.log");
    std::fs::write(&journal_path, journal).unwrap();
    std::fs::write(&cloudflared_path, cloudflared).unwrap();
    (journal_path, cloudflared_path)
}

/// Read without --tz, the spring-forward is a silence of one hour in the journal. It is
/// reported as a DST change, in time order and newest first, and its drop is no confident
/// devvm freeze.
#[test]
fn spring_forward_without_tz_is_no_freeze() {
    let dir = tempfile::tempdir().unwrap();
    let (journal, cloudflared) = london_spring_forward(dir.path());
    let newest_first = dir.path().join("journal.short.rev.log");
    std::fs::write(&newest_first, reversed(&journal)).unwrap();
    for input in [&journal, &newest_first] {
        let (stdout, stderr, code) = run(t3().arg("drops").arg(input).arg(&cloudflared));
        assert_eq!(code, 0, "{stderr}");
        let rows = rows(&stdout);
        assert_eq!(rows.len(), 1, "{stdout}");
        assert_eq!(rows[0][8], "devvm", "{stdout}");
        assert_eq!(rows[0][9], "low", "{stdout}");
        assert!(rows[0][10].contains("probably a clock change"), "{stdout}");
        assert!(stderr.contains("DST change of devvm's zone"), "{stderr}");
        assert!(stderr.contains("Europe/London"), "{stderr}");
    }
}

/// With devvm's zone as --tz, the same journal shows no silence and no DST warning.
#[test]
fn spring_forward_with_tz_reads_clean() {
    let dir = tempfile::tempdir().unwrap();
    let (journal, cloudflared) = london_spring_forward(dir.path());
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "Europe/London"])
        .arg(&journal)
        .arg(&cloudflared));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("DST change"), "{stderr}");
    for row in rows(&stdout) {
        assert_ne!(row[8], "devvm", "{stdout}");
    }
}

/// The UTC times of devvm's freeze in [`utc_freeze_at_london_change`]: it falls silent at
/// 00:59:50 and logs again at 02:00:05, so read in UTC its local times jump as Europe/London's
/// clock does at 01:00Z on 2026-03-29.
const FREEZE: (&str, &str) = ("2026-03-29T00:59:50Z", "2026-03-29T02:00:05Z");

/// Writes the `short` journal of a devvm on UTC from 00:30 to 02:30 on 2026-03-29 that
/// freezes over [`FREEZE`]: sshd lines every 5 s unless `units_only`, and three clients'
/// dispatch sockets of 4 min that reconnect after 2 s. The sockets open when the freeze
/// starts close at its end. With `traefik`, it also writes their Traefik lines at offset 0
/// and a cloudflared pod that logs every 20 s throughout. Returns the paths written.
fn utc_freeze_at_london_change(dir: &Path, units_only: bool, traefik: bool) -> Vec<PathBuf> {
    use chrono::{DateTime, Duration, Utc};
    let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
    let (frozen, thawed) = (at(FREEZE.0), at(FREEZE.1));
    let (start, end) = (at("2026-03-29T00:30:00Z"), at("2026-03-29T02:30:00Z"));
    let logs = |t: DateTime<Utc>| t < frozen || t >= thawed;

    let mut journal: Vec<(DateTime<Utc>, String)> = Vec::new();
    if !units_only {
        let mut t = start;
        while t < end {
            if logs(t) {
                journal.push((
                    t,
                    "sshd[100]: Connection closed by 192.0.2.10 port 22".into(),
                ));
            }
            t += Duration::seconds(5);
        }
    }

    let mut access: Vec<(DateTime<Utc>, String)> = Vec::new();
    let clients = [
        ("alice", "203.0.113.7"),
        ("bob", "203.0.113.22"),
        ("carol", "203.0.113.35"),
    ];
    for (n, (user, ip)) in clients.iter().enumerate() {
        let mut open = start + Duration::seconds(37 * n as i64 + 1);
        while open + Duration::seconds(240) < end {
            if !logs(open) {
                open = thawed + Duration::seconds(2);
            }
            let mut close = open + Duration::seconds(240);
            if !logs(close) {
                close = thawed;
            }
            let dur_ms = (close - open).num_milliseconds();
            let chain = format!("ip={ip}, 10.10.1.{}", 12 + n);
            for (t, message) in [
                (open, format!("ws open user={user} {chain}")),
                (
                    close,
                    format!("ws close user={user} {chain} dur_ms={dur_ms} cause=graceful"),
                ),
            ] {
                let go_time = t.format("%Y/%m/%d %H:%M:%S");
                journal.push((t, format!("t3-dispatch[812]: {go_time} {message}")));
            }
            access.push((
                open,
                format!(
                    "{ip} - - [{}] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" {} \
                     \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" {dur_ms}ms",
                    open.format("%d/%b/%Y:%H:%M:%S +0000"),
                    50000 + access.len()
                ),
            ));
            open = close + Duration::seconds(2);
        }
    }

    journal.sort_by_key(|(t, _)| *t);
    access.sort_by_key(|(t, _)| *t);
    let journal: String = journal
        .iter()
        .map(|(t, rest)| format!("{} devvm {rest}\n", t.format("%b %d %H:%M:%S")))
        .collect();
    let mut paths = vec![dir.join("devvm-journal.log")];
    std::fs::write(&paths[0], journal).unwrap();

    if traefik {
        let access: String = access.iter().map(|(_, line)| format!("{line}\n")).collect();
        let cloudflared = cloudflared_every_20s(start, 120);
        paths.push(dir.join("traefik-access.log"));
        paths.push(dir.join("cloudflared-6f7c9d8b5-k2x9p.log"));
        std::fs::write(&paths[1], access).unwrap();
        std::fs::write(&paths[2], cloudflared).unwrap();
    }
    paths
}

/// A UTC devvm frozen for an hour at Europe/London's spring-forward, read in UTC: its sockets
/// join Traefik at offset 0 on both sides of the silence, so the silence is a freeze, not a
/// DST change that --tz lacks.
#[test]
fn freeze_at_dst_instant_stays_freeze() {
    let dir = tempfile::tempdir().unwrap();
    let paths = utc_freeze_at_london_change(dir.path(), false, true);
    let (stdout, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("DST change"), "{stderr}");
    assert!(stderr.contains("devvm and the cluster agree"), "{stderr}");
    let frozen: Vec<Vec<String>> = rows(&stdout)
        .into_iter()
        .filter(|row| row[1].starts_with("2026-03-29T02:00:05"))
        .collect();
    assert_eq!(frozen.len(), 3, "{stdout}");
    for row in frozen {
        assert_eq!(row[8], "devvm", "{row:?}");
        assert_eq!(row[9], "high", "{row:?}");
    }
}

/// A units-only export of the same UTC devvm, read without Traefik. The sockets open when the
/// silence starts close after it, and their `dur_ms` spans the silence as logged, so the clock
/// did not jump there: no DST change is reported.
#[test]
fn open_socket_refutes_sparse_jump() {
    let dir = tempfile::tempdir().unwrap();
    let paths = utc_freeze_at_london_change(dir.path(), true, false);
    let (_, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("sparse: coverage is its span"), "{stderr}");
    assert!(!stderr.contains("DST change"), "{stderr}");
}

/// The whole journal of the same frozen UTC devvm with cloudflared but no Traefik: the sockets
/// open across the silence show that the clock did not jump, so the silence stays a freeze.
#[test]
fn freeze_without_traefik_stays_freeze() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = utc_freeze_at_london_change(dir.path(), false, true);
    paths.retain(|path| !path.ends_with("traefik-access.log"));
    let (stdout, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("DST change"), "{stderr}");
    let frozen: Vec<Vec<String>> = rows(&stdout)
        .into_iter()
        .filter(|row| row[1].starts_with("2026-03-29T02:00:05"))
        .collect();
    assert_eq!(frozen.len(), 3, "{stdout}");
    for row in frozen {
        assert_eq!(row[8], "devvm", "{row:?}");
        assert!(row[10].contains("devvm was frozen"), "{row:?}");
        assert!(!row[10].contains("clock change"), "{row:?}");
    }
}

/// Writes a units-only `short` journal of three clients' dispatch sockets of 200 s, 20 s
/// apart, from 00:30Z to 02:30Z on 2026-03-29, on a devvm whose zone is `zone`. No socket is
/// open over `quiet` (UTC instants), except alice's last one before it when `spanning`: it
/// closes when the quiet time ends. With `traefik`, also writes the sockets' Traefik lines
/// and a cloudflared pod that logs every 20 s. Returns the paths written.
fn units_only_around_quiet(
    dir: &Path,
    zone: chrono_tz::Tz,
    quiet: (&str, &str),
    spanning: bool,
    traefik: bool,
) -> Vec<PathBuf> {
    use chrono::{DateTime, Duration, Utc};
    let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
    let (start, end) = (at("2026-03-29T00:30:00Z"), at("2026-03-29T02:30:00Z"));
    let (quiet_from, quiet_to) = (at(quiet.0), at(quiet.1));
    let clients = [
        ("alice", "203.0.113.7"),
        ("bob", "203.0.113.22"),
        ("carol", "203.0.113.35"),
    ];

    let mut journal: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut access: Vec<(DateTime<Utc>, String)> = Vec::new();
    for (n, (user, ip)) in clients.iter().enumerate() {
        let n = n as i64;
        let mut open = start + Duration::seconds(37 * n + 1);
        while open + Duration::seconds(200) < end {
            if open >= quiet_from - Duration::seconds(30) && open < quiet_to {
                open = quiet_to + Duration::seconds(1 + 7 * n);
                continue;
            }
            let mut close = open + Duration::seconds(200);
            if open < quiet_from && quiet_from <= close {
                close = if spanning && n == 0 {
                    quiet_to
                } else {
                    quiet_from - Duration::seconds(5 * n + 1)
                };
            }

            let dur_ms = (close - open).num_milliseconds();
            let chain = format!("ip={ip}, 10.10.1.{}", 12 + n);
            for (t, message) in [
                (open, format!("ws open user={user} {chain}")),
                (
                    close,
                    format!("ws close user={user} {chain} dur_ms={dur_ms} cause=graceful"),
                ),
            ] {
                let go_time = t.with_timezone(&zone).format("%Y/%m/%d %H:%M:%S");
                journal.push((t, format!("t3-dispatch[812]: {go_time} {message}")));
            }
            access.push((
                close,
                format!(
                    "{ip} - - [{}] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" {} \
                     \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" {dur_ms}ms",
                    open.format("%d/%b/%Y:%H:%M:%S +0000"),
                    50000 + access.len()
                ),
            ));
            open = close + Duration::seconds(20);
        }
    }

    journal.sort_by_key(|(t, _)| *t);
    access.sort_by_key(|(t, _)| *t);
    let journal: String = journal
        .iter()
        .map(|(t, rest)| {
            let local = t.with_timezone(&zone).format("%b %d %H:%M:%S");
            format!("{local} devvm {rest}\n")
        })
        .collect();
    let mut paths = vec![dir.join("devvm-journal.log")];
    std::fs::write(&paths[0], journal).unwrap();
    if traefik {
        let access: String = access.iter().map(|(_, line)| format!("{line}\n")).collect();
        paths.push(dir.join("traefik-access.log"));
        paths.push(dir.join("cloudflared-6f7c9d8b5-k2x9p.log"));
        std::fs::write(&paths[1], access).unwrap();
        std::fs::write(&paths[2], cloudflared_every_20s(start, 120)).unwrap();
    }
    paths
}

/// The part of the DST warning that states a change, and the part that allows for a quiet
/// hour.
const STATES_CHANGE: &str = "which is a DST change of devvm's zone (its clock went forward";
const MAY_BE_QUIET: &str = "would leave this jump, but so would a quiet hour";

/// A units-only journal of a UTC devvm that no client used from 00:59:56Z to 02:00:00Z: read
/// in UTC, its local time jumps as Europe/London's does at 01:00Z. Nothing tells a quiet hour
/// from a DST change there, so the warning says that the jump may be either.
#[test]
fn sparse_quiet_hour_may_be_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = ("2026-03-29T00:59:56Z", "2026-03-29T02:00:00Z");
    let paths = units_only_around_quiet(dir.path(), chrono_tz::UTC, quiet, false, false);
    let (_, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(MAY_BE_QUIET), "{stderr}");
    assert!(stderr.contains("Europe/London"), "{stderr}");
    assert!(!stderr.contains(STATES_CHANGE), "{stderr}");
}

/// A units-only journal of a devvm on Europe/London across its spring-forward, read in UTC.
/// alice's socket open across the jump lasted an hour less than its logged open and close lie
/// apart, so the jump is a DST change, stated as one.
#[test]
fn sparse_spring_forward_shown_by_open_socket() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = ("2026-03-29T00:59:56Z", "2026-03-29T01:00:00Z");
    let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
    let paths = units_only_around_quiet(dir.path(), london, quiet, true, false);
    let (_, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(STATES_CHANGE), "{stderr}");
    assert!(!stderr.contains(MAY_BE_QUIET), "{stderr}");

    // Without that socket, nothing in the journal alone shows the change.
    let paths = units_only_around_quiet(dir.path(), london, quiet, false, false);
    let (_, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(MAY_BE_QUIET), "{stderr}");
}

/// The same journal without a socket open across the jump, with Traefik: the sockets before
/// the jump join Traefik at offset 0 and those after it an hour later, so the jump is a DST
/// change, stated as one.
#[test]
fn sparse_spring_forward_shown_by_traefik_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = ("2026-03-29T00:59:56Z", "2026-03-29T01:00:00Z");
    let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
    let paths = units_only_around_quiet(dir.path(), london, quiet, false, true);
    let (_, stderr, code) = run(t3().arg("drops").args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(STATES_CHANGE), "{stderr}");
    assert!(!stderr.contains(MAY_BE_QUIET), "{stderr}");
}

/// The sparse DST fall-back fixture read in UTC: its local time steps back, which no quiet
/// hour does, so the change is stated as one.
#[test]
fn sparse_fall_back_without_tz_warns() {
    let (_, stderr, code) = run(t3().arg("drops").arg(data("dst-fall/journal.short.log")));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("sparse: coverage is its span"), "{stderr}");
    assert!(
        stderr.contains(
            "journal.short.log:18: the journal's local time jumps from Oct 25 02:59:30 to Oct 25 \
             02:01:00 at this line, which is a DST change of devvm's zone (its clock went back \
             by 1 h) that --tz UTC does not have there"
        ),
        "{stderr}"
    );
}

/// Writes the logs of a devvm on Europe/Berlin across its spring-forward at 2026-03-29 01:00Z,
/// and of the cluster, from 23:00Z to 03:00Z. Five clients open sockets of 20 s to 15 min, a
/// few seconds apart. The journal (`short`, devvm's local time) has sshd lines every 5 s and
/// the sockets that open and close between `journal` (UTC instants); Traefik has every socket,
/// and a cloudflared pod logs every 20 s. Returns the paths written.
fn berlin_sockets_across_change(dir: &Path, journal: (&str, &str)) -> Vec<PathBuf> {
    use chrono::{DateTime, Duration, Utc};
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
    let (start, end) = (at("2026-03-28T23:00:00Z"), at("2026-03-29T03:00:00Z"));
    let (journal_from, journal_to) = (at(journal.0), at(journal.1));
    // A linear congruential generator, so the sockets vary but every run writes the same.
    let mut seed: i64 = 12345;
    let mut random = |n: i64| {
        seed = (seed * 1_103_515_245 + 12345) % (1 << 31);
        seed % n
    };

    let mut lines: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut access: Vec<(DateTime<Utc>, String)> = Vec::new();
    let clients = [
        ("alice", "203.0.113.7"),
        ("bob", "203.0.113.22"),
        ("carol", "203.0.113.35"),
        ("dave", "198.51.100.14"),
        ("erin", "203.0.113.58"),
    ];
    for (n, (user, ip)) in clients.iter().enumerate() {
        let mut open = start + Duration::seconds(17 * n as i64 + random(60));
        loop {
            let life = if random(3) > 0 {
                30 + random(900)
            } else {
                20 + random(90)
            };
            let close = open + Duration::seconds(life);
            if close >= end {
                break;
            }
            let chain = format!("ip={ip}, 10.10.{}.12", n % 3 + 1);
            let dur_ms = life * 1000;
            if journal_from <= open && close < journal_to {
                for (t, message) in [
                    (open, format!("ws open user={user} {chain}")),
                    (
                        close,
                        format!("ws close user={user} {chain} dur_ms={dur_ms} cause=graceful"),
                    ),
                ] {
                    let go_time = t.with_timezone(&berlin).format("%Y/%m/%d %H:%M:%S");
                    lines.push((t, format!("t3-dispatch[812]: {go_time} {message}")));
                }
            }
            access.push((
                close,
                format!(
                    "{ip} - - [{}] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" {} \
                     \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" {dur_ms}ms",
                    open.format("%d/%b/%Y:%H:%M:%S +0000"),
                    50000 + access.len()
                ),
            ));
            open = close + Duration::seconds(2 + random(12));
        }
    }
    let mut t = journal_from;
    while t < journal_to {
        lines.push((
            t,
            "sshd[100]: Connection closed by 192.0.2.10 port 22".into(),
        ));
        t += Duration::seconds(5);
    }

    lines.sort_by_key(|(t, _)| *t);
    access.sort_by_key(|(t, _)| *t);
    let journal: String = lines
        .iter()
        .map(|(t, rest)| {
            let local = t.with_timezone(&berlin).format("%b %d %H:%M:%S");
            format!("{local} devvm {rest}\n")
        })
        .collect();
    let access: String = access.iter().map(|(_, line)| format!("{line}\n")).collect();
    let paths = vec![
        dir.join("devvm-journal.log"),
        dir.join("traefik-access.log"),
        dir.join("cloudflared-6f7c9d8b5-k2x9p.log"),
    ];
    std::fs::write(&paths[0], journal).unwrap();
    std::fs::write(&paths[1], access).unwrap();
    std::fs::write(&paths[2], cloudflared_every_20s(start, 240)).unwrap();
    paths
}

/// Returns the rows of `drops` output that claim the last mile, split by whether their time
/// is before `instant` (RFC 3339, compared as text).
fn last_mile_around(stdout: &str, instant: &str) -> (usize, usize) {
    let last_mile: Vec<Vec<String>> = rows(stdout)
        .into_iter()
        .filter(|row| row[8] == "last_mile")
        .collect();
    let before = last_mile
        .iter()
        .filter(|row| row[1].as_str() < instant)
        .count();
    (before, last_mile.len() - before)
}

/// The Berlin journal read in UTC with a --skew that fits its winter side: the sockets after
/// the change start an hour off their Traefik lines. The run names the change and Berlin,
/// and no row after the change claims the last mile, while rows before it still can.
#[test]
fn skew_fitting_winter_side_is_doubted() {
    let dir = tempfile::tempdir().unwrap();
    let journal = ("2026-03-28T23:00:00Z", "2026-03-29T01:40:00Z");
    let paths = berlin_sockets_across_change(dir.path(), journal);
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "UTC", "--skew", "3600"])
        .args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("logged after the change start +1.0 h from their Traefik lines"),
        "{stderr}"
    );
    assert!(
        stderr.contains("devvm's clock moved by 1 h at 2026-03-29T01:00:00Z"),
        "{stderr}"
    );
    assert!(stderr.contains("Europe/Berlin"), "{stderr}");
    assert!(stderr.contains("doubtful on one side"), "{stderr}");

    let (before, after) = last_mile_around(&stdout, "2026-03-29T01:00:00");
    assert!(before > 0, "{stdout}");
    assert_eq!(after, 0, "{stdout}");
    // The sockets dispatch logged after the change are read an hour late.
    let late: Vec<Vec<String>> = rows(&stdout)
        .into_iter()
        .filter(|row| row[1].as_str() >= "2026-03-29T02:00:00" && row[14] == "journal")
        .collect();
    assert!(!late.is_empty(), "{stdout}");
    for row in late {
        assert_eq!(row[9], "low", "{row:?}");
        assert!(row[10].contains("clock offset is doubtful here"), "{row:?}");
    }
}

/// The same logs with the journal from 00:20Z to the end, read with a --skew that fits the
/// summer side: the sockets before the change start an hour early, and no row before it
/// claims the last mile.
#[test]
fn skew_fitting_summer_side_is_doubted() {
    let dir = tempfile::tempdir().unwrap();
    let journal = ("2026-03-29T00:20:00Z", "2026-03-29T03:00:00Z");
    let paths = berlin_sockets_across_change(dir.path(), journal);
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "UTC", "--skew", "7200"])
        .args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("logged before the change start -1.0 h from their Traefik lines"),
        "{stderr}"
    );
    assert!(stderr.contains("Europe/Berlin"), "{stderr}");

    let (before, after) = last_mile_around(&stdout, "2026-03-29T01:00:00");
    assert_eq!(before, 0, "{stdout}");
    assert!(after > 0, "{stdout}");
}

/// With devvm's zone as --tz, every socket joins and nothing is doubted.
#[test]
fn berlin_journal_with_tz_is_not_doubted() {
    let dir = tempfile::tempdir().unwrap();
    let journal = ("2026-03-28T23:00:00Z", "2026-03-29T01:40:00Z");
    let paths = berlin_sockets_across_change(dir.path(), journal);
    let (stdout, stderr, code) = run(t3().args(["drops", "--tz", "Europe/Berlin"]).args(&paths));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("doubtful"), "{stderr}");
    assert!(!stdout.contains("doubtful"), "{stdout}");
    let (_, after) = last_mile_around(&stdout, "2026-03-29T01:00:00");
    assert!(after > 0, "{stdout}");
}

/// Writes a cloudflared pod log with a cancelled request every 20 s for `minutes` from
/// `start`, so cloudflared covers the time.
fn cloudflared_every_20s(start: chrono::DateTime<chrono::Utc>, minutes: i64) -> String {
    (0..(minutes * 60 / 20))
        .map(|step| {
            let t = start + chrono::Duration::seconds(20 * step);
            format!(
                "{} ERR  error=\"Incoming request ended abruptly: context canceled\" \
                 cfRay=8f1a2b3c4d5e6f70-AMS ingressRule=0 \
                 originService=https://traefik.traefik.svc.cluster.local:443\n",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .collect()
}
