//! CLI tests: run the binary on the bundled incident and on broken inputs, and check the rows
//! against the generator's ground truth (`testdata/incident/truth.csv`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

mod common;
use common::{run, t3};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

fn incident_files(dir: &str, with_cloudflared: bool) -> Vec<PathBuf> {
    let mut files = vec![
        data(&format!("{dir}/devvm-journal.log")),
        data(&format!("{dir}/traefik-access.log")),
    ];
    if with_cloudflared {
        for pod in ["k2x9p", "m4q7r", "z8w3t"] {
            files.push(data(&format!("{dir}/cloudflared-6f7c9d8b5-{pod}.log")));
        }
    }
    files
}

/// Returns the `.log` inputs of a scenario, sorted.
fn scenario_logs(name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data(&format!("scenarios/{name}")))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    files
}

/// Copies a scenario's `.log` inputs into `dir`, each passed through `edit` with its file
/// name, and returns the copies, sorted.
fn edited_scenario(name: &str, dir: &Path, edit: impl Fn(&str, String) -> String) -> Vec<PathBuf> {
    scenario_logs(name)
        .iter()
        .map(|path| {
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = edit(&file_name, std::fs::read_to_string(path).unwrap());
            let target = dir.join(&file_name);
            std::fs::write(&target, text).unwrap();
            target
        })
        .collect()
}

/// Returns the sample incident's inputs with its journal replaced by `edit` of it, written to
/// `dir`.
fn incident_with_journal(dir: &Path, edit: impl Fn(&str) -> String) -> Vec<PathBuf> {
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let path = dir.join("devvm-journal.log");
    std::fs::write(&path, edit(&journal)).unwrap();
    let mut files = incident_files("incident", true);
    files.retain(|f| !f.ends_with("devvm-journal.log"));
    files.push(path);
    files
}

/// Runs `drops` on the sample incident with its journal replaced by `edit` of it.
fn drops_with_edited_journal(edit: impl Fn(&str) -> String) -> (String, String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), edit);
    run(t3().arg("drops").args(&files))
}

/// Runs `drops` on the sample incident with only the journal lines that `keep` accepts.
fn drops_with_journal_lines(keep: impl Fn(&str) -> bool) -> (String, String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), |journal| {
        journal
            .lines()
            .filter(|l| keep(l))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    run(t3().arg("drops").args(&files))
}

/// Writes a dispatch journal in which user `uNN` opens a socket at 10:04:00 and closes it at
/// 10:05 plus `closes[NN - 1]` (`SS.mmm`), and returns its path in `dir`.
fn close_journal(dir: &Path, closes: &[&str]) -> PathBuf {
    let mut journal = String::new();
    for user in 1..=closes.len() {
        journal.push_str(&format!(
            "2026-06-10T10:04:00.000000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:04:00 ws open user=u{user:02} ip=203.0.113.{user}\n"
        ));
    }
    for (n, at) in closes.iter().enumerate() {
        let user = n + 1;
        let (second, millis) = at.split_once('.').unwrap();
        let dur_ms =
            60_000 + second.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap();
        journal.push_str(&format!(
            "2026-06-10T10:05:{at}000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:05:{second} ws close user=u{user:02} ip=203.0.113.{user} dur_ms={dur_ms} cause=graceful\n"
        ));
    }
    let path = dir.join("devvm-journal.log");
    std::fs::write(&path, journal).unwrap();
    path
}

type Row = BTreeMap<String, String>;

fn parse_csv(text: &str) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn drops(args: &[&str], files: &[PathBuf]) -> Vec<Row> {
    let (stdout, stderr, code) = run(t3().arg("drops").args(args).args(files));
    assert_eq!(code, 0, "stderr: {stderr}");
    parse_csv(&stdout)
}

/// The truth rows: (second, user, client, dur_ms) -> (segment with all sources, journal only).
fn truth(dir: &str) -> BTreeMap<(String, String, String, String), (String, String)> {
    let text = std::fs::read_to_string(data(&format!("{dir}/truth.csv"))).unwrap();
    parse_csv(&text)
        .into_iter()
        .map(|r| {
            let second = r["time"][..19].to_string();
            (
                (
                    second,
                    r["user"].clone(),
                    r["client_ip"].clone(),
                    r["dur_ms"].clone(),
                ),
                (r["segment_all"].clone(), r["segment_journal_only"].clone()),
            )
        })
        .collect()
}

fn key(row: &Row) -> (String, String, String, String) {
    (
        row["time"][..19].to_string(),
        row["user"].clone(),
        row["client_ip"].clone(),
        row["dur_ms"].clone(),
    )
}

#[test]
fn csv_header_is_the_contract() {
    let (stdout, _, _) = run(t3()
        .args(["drops", "-q"])
        .arg(data("incident/devvm-journal.log")));
    assert_eq!(
        stdout.lines().next().unwrap(),
        "drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,\
         traefik_status,traefik_dur_ms,sources,incident_id"
    );
}

#[test]
fn journal_only_matches_truth() {
    let rows = drops(&["-q"], &[data("incident/devvm-journal.log")]);
    let truth = truth("incident");
    assert_eq!(rows.len(), truth.len());
    for row in &rows {
        let expected = truth
            .get(&key(row))
            .unwrap_or_else(|| panic!("unexpected drop {row:?}"));
        assert_eq!(row["segment"], expected.1, "{row:?}");
    }
    assert!(
        rows.iter().all(|r| r["segment"] != "last_mile"),
        "journal alone never says last_mile"
    );
}

#[test]
fn all_sources_match_truth() {
    let rows = drops(&["-q"], &incident_files("incident", true));
    let truth = truth("incident");
    assert_eq!(rows.len(), truth.len());
    for row in &rows {
        let expected = truth
            .get(&key(row))
            .unwrap_or_else(|| panic!("unexpected drop {row:?}"));
        assert_eq!(row["segment"], expected.0, "{row:?}");
        assert!(
            row["sources"].contains("traefik"),
            "every dispatch socket joined Traefik: {row:?}"
        );
    }
}

#[test]
fn oom_drops_cite_the_oom_lines() {
    let rows = drops(
        &["-q", "--format", "csv"],
        &[data("incident/devvm-journal.log")],
    );
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let oom_line = journal
        .lines()
        .position(|l| l.contains("Memory cgroup out of memory"))
        .unwrap()
        + 1;
    let bob: Vec<&Row> = rows
        .iter()
        .filter(|r| r["user"] == "bob" && r["segment"] == "t3_serve")
        .collect();
    assert_eq!(bob.len(), 2);
    for row in bob {
        assert!(
            row["evidence"].contains(&format!("devvm-journal.log:{oom_line}")),
            "{row:?}"
        );
        // The journal alone is not full coverage, so direct evidence gives medium, and says why.
        assert_eq!(row["confidence"], "medium");
        assert!(
            row["reason"].contains("Traefik and cloudflared do not cover"),
            "{row:?}"
        );
    }
    let all = drops(&["-q"], &incident_files("incident", true));
    assert!(
        all.iter()
            .filter(|r| r["segment"] == "t3_serve")
            .all(|r| r["confidence"] == "high"),
        "with every source covering, the OOM verdict is high"
    );
}

#[test]
fn burst_members_share_id_and_name_shared_path() {
    let rows = drops(&["-q"], &[data("incident/devvm-journal.log")]);
    let members: Vec<&Row> = rows.iter().filter(|r| !r["burst_id"].is_empty()).collect();
    assert_eq!(members.len(), 5);
    assert!(
        members
            .iter()
            .all(|r| r["burst_id"] == members[0]["burst_id"])
    );
    for row in members {
        assert!(row["reason"].contains("shared path"), "{row:?}");
        assert!(
            row["reason"].contains("cloudflared"),
            "names the missing source: {row:?}"
        );
    }
}

#[test]
fn churned_users_are_cloudflare_with_cloudflared_evidence() {
    let rows = drops(&["-q"], &incident_files("incident", true));
    let churned: Vec<&Row> = rows
        .iter()
        .filter(|r| r["segment"] == "cloudflare")
        .collect();
    let users: Vec<&str> = churned.iter().map(|r| r["user"].as_str()).collect();
    assert_eq!(users, vec!["alice", "dave"]);
    for row in churned {
        assert!(
            row["evidence"].contains("cloudflared-6f7c9d8b5-m4q7r.log:"),
            "{row:?}"
        );
    }
}

#[test]
fn without_cloudflared_isolated_drops_are_unknown_naming_it() {
    let rows = drops(&["-q"], &incident_files("incident", false));
    let isolated: Vec<&Row> = rows
        .iter()
        .filter(|r| r["user"] == "carol" && r["burst_id"].is_empty())
        .collect();
    assert_eq!(isolated.len(), 1);
    assert_eq!(isolated[0]["segment"], "unknown");
    assert!(
        isolated[0]["reason"].contains("cloudflared"),
        "{:?}",
        isolated[0]
    );
    assert!(rows.iter().all(|r| r["segment"] != "last_mile"));
}

#[test]
fn probe_and_native_sockets_are_never_drops() {
    let traefik = std::fs::read_to_string(data("incident/traefik-access.log")).unwrap();
    assert!(
        traefik.contains("/probe/ws") && traefik.contains("wsTicket="),
        "the fixture has both"
    );
    let rows = drops(&["-q"], &incident_files("incident", true));
    let users = ["alice", "bob", "carol", "dave", "erin"];
    assert!(
        rows.iter().all(|r| users.contains(&r["user"].as_str())),
        "{rows:?}"
    );
}

#[test]
fn skewed_devvm_clock_is_detected_and_joined() {
    let files = incident_files("skew", true);
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0);
    let offset_line = stderr.lines().find(|l| l.contains("clock offset")).unwrap();
    let seconds: f64 = offset_line
        .split("devvm ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((seconds - 1.5).abs() <= 0.2, "{offset_line}");
    assert!(offset_line.contains("ahead"), "{offset_line}");
    assert!(
        offset_line.contains("19 of 24 dispatch sockets joined"),
        "{offset_line}"
    );
    let truth = truth("skew");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), truth.len());
    let mut expected: Vec<(String, String)> = truth
        .iter()
        .map(|(k, v)| (k.1.clone(), v.0.clone()))
        .collect();
    let mut actual: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["user"].clone(), r["segment"].clone()))
        .collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
}

/// Runs `drops -q` on the incident journal and a copy of its Traefik log whose t3 lines give
/// `client` as ClientHost, then on the original log. Returns the warning line that contains
/// `needle` in the first run, and checks that the second run has none.
fn warning_with_traefik_client(client: &str, needle: &str) -> String {
    let traefik = std::fs::read_to_string(data("incident/traefik-access.log")).unwrap();
    let rewritten: String = traefik
        .lines()
        .map(|line| match line.split_once(" - ") {
            Some((_, rest)) if line.contains("\"t3code-t3-t3") => format!("{client} - {rest}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let rewritten_path = dir.path().join("traefik-access.log");
    std::fs::write(&rewritten_path, rewritten).unwrap();

    let journal = data("incident/devvm-journal.log");
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q"])
        .arg(&journal)
        .arg(&rewritten_path));
    assert_eq!(code, 0, "{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no warning in: {stderr}"))
        .to_string();

    let original = data("incident/traefik-access.log");
    let (_, stderr, _) = run(t3().args(["drops", "-q"]).arg(&journal).arg(&original));
    assert!(!stderr.contains(needle), "{stderr}");
    warning
}

#[test]
fn traefik_logging_pod_address_is_named() {
    // A Traefik that does not trust X-Forwarded-For logs the cloudflared pod as ClientHost.
    let warning = warning_with_traefik_client("10.10.1.12", "only a private client address");
    assert!(warning.contains("such as 10.10.1.12"), "{warning}");
    assert!(warning.contains("forwardedHeaders.trustedIPs"), "{warning}");
}

#[test]
fn router_matching_nothing_leaves_traefik_out() {
    // A deployment whose browser router is not in the `t3code` namespace. Traefik then
    // contains no t3 line, and taking it for clean coverage would blame the user's network.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("devvm_late_close", dir.path(), |name, text| {
        let mut text = text.replace("\"t3code-t3-", "\"web-t3-");
        // One probe line still on a router that --router matches, which shows nothing about
        // the browser router.
        if name == "traefik-access.log" {
            text.push_str(
                "203.0.113.9 - - [10/Jun/2026:19:40:30 +0000] \"GET /probe/ws HTTP/1.1\" 0 0 \"-\" \"t3probe\" 1 \"t3code-t3-probe-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 5000ms\n",
            );
        }
        text
    });

    let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).args(&files));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_ne!(rows[0]["segment"], "last_mile", "{stdout}");
    let warning = stderr
        .lines()
        .find(|l| l.contains("no Traefik line is a WebSocket request"))
        .unwrap_or_else(|| panic!("no warning in: {stderr}"));
    assert!(
        warning.contains("web-t3-t3-example-net@kubernetes"),
        "{warning}"
    );

    let (stdout, stderr, _) = run(t3()
        .args(["drops", "-q", "--router", "^web-t3"])
        .args(&files));
    assert!(!stderr.contains("no Traefik line"), "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(
        (rows[0]["segment"].as_str(), rows[0]["confidence"].as_str()),
        ("devvm", "high")
    );
}

#[test]
fn lost_close_line_in_burst_stays_consistent() {
    // carol's close in the 19:40:07 burst is lost from the journal. Traefik still logged her
    // socket's end, and the other four drops of that second stay in the burst that the six
    // cancel lines make, instead of each reading as the user's own network. carol's drop is
    // timed by its CLF line (19:40:06.881, half a second either way), which reaches the
    // burst's second, so she is in the burst too.
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let cut: String = journal
        .lines()
        .filter(|l| !(l.contains("19:40:07 ws close user=carol")))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(journal.lines().count(), cut.lines().count() + 1);
    let dir = tempfile::tempdir().unwrap();
    let cut_path = dir.path().join("devvm-journal.log");
    std::fs::write(&cut_path, cut).unwrap();
    let mut files = incident_files("incident", true);
    files[0] = cut_path;

    let rows = drops(&["-q"], &files);
    let burst_second: Vec<&Row> = rows
        .iter()
        .filter(|r| r["time"].starts_with("2026-06-10T19:40:0"))
        .collect();
    let users: Vec<&str> = burst_second.iter().map(|r| r["user"].as_str()).collect();
    assert!(users.contains(&"carol"), "{burst_second:?}");
    for row in &burst_second {
        assert_ne!(row["segment"], "last_mile", "{row:?}");
    }
    let in_burst = burst_second.iter().filter(|r| r["burst_id"] == "B001");
    assert_eq!(in_burst.count(), 5, "{burst_second:?}");
}

#[test]
fn failed_join_is_warned() {
    // Traefik's t3 lines carry a client address dispatch never saw, so no socket joins.
    let warning = warning_with_traefik_client(
        "192.0.2.200",
        "closed dispatch sockets joined a Traefik line",
    );
    assert!(warning.contains("only 0 of "), "{warning}");
    assert!(warning.contains("--skew"), "{warning}");
}

#[test]
fn cut_traefik_log_is_no_join_failure() {
    // Traefik's log ends at 19:30. The sockets that closed after it have no Traefik line,
    // which is no sign of a clock offset.
    let traefik = std::fs::read_to_string(data("incident/traefik-access.log")).unwrap();
    let cut: String = traefik
        .lines()
        .take_while(|line| !line.contains("10/Jun/2026:19:30:"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(cut.lines().count() < traefik.lines().count());
    let dir = tempfile::tempdir().unwrap();
    let cut_path = dir.path().join("traefik-access.log");
    std::fs::write(&cut_path, cut).unwrap();
    let mut files = incident_files("incident", true);
    files[1] = cut_path;

    let (_, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("joined a Traefik line"),
        "a short log is no clock offset: {stderr}"
    );
    assert!(stderr.contains("and the cluster agree"), "{stderr}");
}

#[test]
fn missing_pod_log_lowers_last_mile() {
    // The sample's sockets pass three cloudflared pods. Without pod m4q7r's log, the two drops
    // of its tunnel churn look clean, but dispatch's ip= chains show a third pod.
    let files: Vec<PathBuf> = incident_files("incident", true)
        .into_iter()
        .filter(|path| !path.to_string_lossy().contains("m4q7r"))
        .collect();
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("name 3 cloudflared pod addresses while cloudflared logs, but 2 pod"),
        "{stderr}"
    );
    let rows = parse_csv(&stdout);
    let churn: Vec<&Row> = rows
        .iter()
        .filter(|r| r["time"].starts_with("2026-06-10T19:50:19"))
        .collect();
    assert_eq!(churn.len(), 2, "{stdout}");
    for row in churn {
        assert_eq!(row["segment"], "last_mile", "{row:?}");
        assert_eq!(row["confidence"], "low", "{row:?}");
        assert!(
            row["reason"].contains("pod of a socket may be missing"),
            "{row:?}"
        );
        assert!(
            row["reason"].contains("Traefik and 2 of 3 cloudflared pods cover this time"),
            "{row:?}"
        );
    }

    // The HTML report carries the warning too.
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let (_, stderr, code) = run(t3()
        .args(["report", "-q", "--html"])
        .arg(&html)
        .args(&files));
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Warning: dispatch&#39;s ip= chains name 3 cloudflared pod addresses")
            || page.contains("Warning: dispatch's ip= chains name 3 cloudflared pod addresses"),
        "no pod warning in the report"
    );

    // With every pod's log, no warning.
    let (_, stderr, _) = run(t3().arg("drops").args(incident_files("incident", true)));
    assert!(!stderr.contains("pod addresses"), "{stderr}");

    // Nor with all pods' lines in one file whose name is no pod's: it may hold any number.
    let dir = tempfile::tempdir().unwrap();
    let all_pods = dir.path().join("cloudflared.log");
    let lines: String = incident_files("incident", true)[2..]
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    std::fs::write(&all_pods, lines).unwrap();
    let mut files = incident_files("incident", false);
    files.push(all_pods);
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("pod addresses"), "{stderr}");
    assert!(
        !stdout.contains("pod of a socket may be missing"),
        "{stdout}"
    );
}

#[test]
fn pod_log_named_by_hand_is_warned() {
    // Pod m4q7r's log is missing, and k2x9p's was renamed by hand with a suffix Kubernetes
    // never gives (it has vowels). The pods can no longer be counted, and the run warns.
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = incident_files("incident", false);
    for path in incident_files("incident", true) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains("z8w3t") {
            files.push(path);
        } else if name.contains("k2x9p") {
            let renamed = dir.path().join("cloudflared-6f7c9d8b5-a1b2c.log");
            std::fs::copy(&path, &renamed).unwrap();
            files.push(renamed);
        }
    }
    let (_, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "the cloudflared pods were not counted: cloudflared-6f7c9d8b5-a1b2c is not named \
             like a Kubernetes pod"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("name 3 pod addresses and 2 cloudflared log(s) were given"),
        "{stderr}"
    );
}

#[test]
fn other_host_lines_in_journal_are_left_out() {
    // Another host's lines pasted into devvm's journal: an OOM kill of a serve of the same name
    // just before carol's drop, and one line half an hour after devvm's last.
    let devvm2 = "\
2026-06-10T19:12:21+00:00 devvm2 systemd[1]: t3-serve@carol.service: A process of this unit has been killed by the OOM killer.
2026-06-10T19:12:21+00:00 devvm2 systemd[1]: t3-serve@carol.service: Failed with result 'oom-kill'.
2026-06-10T20:30:00+00:00 devvm2 sshd[901]: Accepted publickey for zed
";
    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), |journal| format!("{journal}{devvm2}"));
    let plain = drops(&["-q"], &incident_files("incident", true));
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("journal lines of other hosts were left out: devvm2 (3 lines)"),
        "{stderr}"
    );
    assert!(!stderr.contains("come from 2 hosts"), "{stderr}");
    assert!(
        stderr.contains("devvm journal 2026-06-10T19:00:00Z to 2026-06-10T19:59:55Z"),
        "{stderr}"
    );
    let key = |rows: &[Row]| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| (r["user"].clone(), r["segment"].clone()))
            .collect()
    };
    assert_eq!(key(&parse_csv(&stdout)), key(&plain));

    // Through stdin the file cannot be read again: the other host's events are left out, and
    // the warning names the coverage its lines still fill.
    let journal = std::fs::read_to_string(&files[files.len() - 1]).unwrap();
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "-"])
        .args(&files[..files.len() - 1])
        .write_stdin(journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("<stdin>: journal lines of other hosts: devvm2 (3 lines)"),
        "{stderr}"
    );
    assert!(stderr.contains("still fill devvm's coverage"), "{stderr}");
    assert_eq!(key(&parse_csv(&stdout)), key(&plain));
}

#[test]
fn closes_at_logs_end_are_counted() {
    // The journal cut just after the tunnel churn's two closes. Their reconnects are past
    // its end, so they are no drops, and the summary gives the reason.
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let cut: String = journal
        .lines()
        .take_while(|line| !line.contains("19:50:19 ws close user=alice"))
        .chain(
            journal
                .lines()
                .filter(|line| line.contains("19:50:19 ws close user=alice")),
        )
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, cut).unwrap();
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("2026-06-10T19:50:19"), "{stdout}");
    assert!(
        stderr.contains("2 socket close(s) came within --reconnect-window of the logs' end"),
        "{stderr}"
    );
    let (_, stderr, _) = run(t3().arg("drops").args(incident_files("incident", true)));
    assert!(!stderr.contains("socket close(s) came within"), "{stderr}");

    // Closes after the last socket start, but minutes before the journal ends: a reconnect
    // would have shown.
    let late_opens: String = journal
        .lines()
        .filter(|line| {
            !line.contains("19:55:30 ws open user=bob")
                && !line.contains("19:59:00 ws open user=erin")
        })
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&path, late_opens).unwrap();
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("socket close(s) came within"), "{stderr}");
}

#[test]
fn identical_quiet_pod_logs_count_as_pods() {
    // Three quiet pods that logged only the same fleet-wide lines have identical logs: each
    // is read once, but each is a pod of its own, so no pod log is missing.
    let files = scenario_logs("cloudflared_quiet_pods");
    let (_, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        assert!(
            stderr.contains(&format!("cloudflared pod cloudflared-6f7c9d8b5-{pod} ")),
            "{pod}: {stderr}"
        );
    }
    assert!(!stderr.contains("pod addresses"), "{stderr}");
}

#[test]
fn clock_hours_off_with_utc_offsets_names_skew() {
    // devvm's clock three hours ahead, in a journal whose times carry `+00:00`: reading it
    // in another zone changes nothing, so the hint names --skew, not --tz.
    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), |journal| {
        journal
            .replace("T19:", "T22:")
            .replace("2026/06/10 19:", "2026/06/10 22:")
            .replace("[19:", "[22:")
    });
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("carry their UTC offset, so --tz does not change them"),
        "{stderr}"
    );
    assert!(stderr.contains("--skew 10800"), "{stderr}");
}

#[test]
fn unknown_host_is_a_usage_error() {
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--host", "devvm2"])
        .args(incident_files("incident", true)));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "no journal line is from host `devvm2` (--host); the journal's hosts are devvm"
        ),
        "{stderr}"
    );
}

#[test]
fn unmeasured_offset_is_warned() {
    // The journal and cloudflared but no Traefik: nothing pairs dispatch sockets with the
    // cluster's clock.
    let mut files = incident_files("incident", true);
    files.retain(|f| !f.ends_with("traefik-access.log"));
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the devvm clock offset was not measured"),
        "{stderr}"
    );

    // The journal alone compares no times across clocks.
    let (_, stderr, _) = run(t3()
        .args(["drops", "-q"])
        .arg(data("incident/devvm-journal.log")));
    assert!(!stderr.contains("not measured"), "{stderr}");

    // A --skew that joins only a few sockets is probably wrong.
    let (_, stderr, _) = run(t3()
        .args(["drops", "-q", "--skew", "10"])
        .args(incident_files("incident", true)));
    assert!(stderr.contains("--skew given"), "{stderr}");
}

#[test]
fn incident_key_evidence_leads_with_its_cause() {
    // bob's serve is OOM-killed while a tunnel connection churns. The t3_serve incident's key
    // evidence is the journal's OOM lines, not the churn noted beside them.
    let files = scenario_logs("overlap_oom_during_churn");
    let (stdout, stderr, code) = run(t3().args(["incidents", "-q"]).args(&files));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    let serve = rows
        .iter()
        .find(|r| r["segment"] == "t3_serve")
        .unwrap_or_else(|| panic!("no t3_serve incident: {stdout}"));
    let refs: Vec<&str> = serve["key_evidence"].split(';').collect();
    assert!(!refs.is_empty());
    for reference in refs {
        assert!(reference.contains("devvm-journal.log:"), "{reference}");
    }
}

#[test]
fn cancel_lines_make_no_burst_of_one_client() {
    // Since dispatch logs WebSockets, `context canceled` lines also come from ordinary HTTP
    // requests: five of them beside one client's drop are no mass drop.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("last_mile_heartbeat", dir.path(), |name, mut text| {
        if name == "devvm-journal.log" {
            let cancel = "2026-06-10T19:41:10+00:00 devvm t3-dispatch[812]: 2026/06/10 19:41:10 http: proxy error: context canceled\n";
            let close = "dur_ms=25130 cause=graceful\n";
            let at = text.find(close).unwrap() + close.len();
            text.insert_str(at, &cancel.repeat(5));
        }
        text
    });
    let rows = drops(&["-q"], &files);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["burst_id"], "", "{rows:?}");
    assert_eq!(rows[0]["segment"], "last_mile", "{rows:?}");
}

#[test]
fn stdin_and_file_give_the_same_rows() {
    let path = data("incident/devvm-journal.log");
    let from_file = drops(&["-q"], std::slice::from_ref(&path));
    let (stdout, _, code) = run(t3().args(["drops", "-q"]).pipe_stdin(&path).unwrap());
    assert_eq!(code, 0);
    let from_stdin = parse_csv(&stdout);
    let name = path.display().to_string();
    assert_eq!(from_file.len(), from_stdin.len());
    for (a, b) in from_file.iter().zip(&from_stdin) {
        let mut a = a.clone();
        a.insert("evidence".into(), a["evidence"].replace(&name, "<stdin>"));
        assert_eq!(&a, b);
    }
}

#[test]
fn every_journal_mode_gives_the_same_drops() {
    // Sorted, because finer times can order drops of the same second differently.
    let mut reference: Vec<(String, String, String)> =
        drops(&["-q"], &[data("incident/devvm-journal.log")])
            .iter()
            .map(|r| {
                (
                    r["time"][..19].to_string(),
                    r["user"].clone(),
                    r["segment"].clone(),
                )
            })
            .collect();
    reference.sort();
    for mode in [
        "short.log",
        "short-precise.log",
        "short-iso-precise.log",
        "short-unix.log",
        "with-unit.log",
        "json.json",
    ] {
        let rows = drops(
            &["-q"],
            &[data(&format!("journal-modes/devvm-journal.{mode}.gz"))],
        );
        let mut got: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r["time"][..19].to_string(),
                    r["user"].clone(),
                    r["segment"].clone(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, reference, "mode {mode}");
    }
}

#[test]
fn json_seq_and_sse_read_like_json() {
    // `journalctl -o json-seq` starts each object with the RS byte, and `-o json-sse` writes
    // `data: OBJECT` lines separated by blank lines. Both carry the records of `-o json`.
    let bytes = std::fs::read(data("journal-modes/devvm-journal.json.json.gz")).unwrap();
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut json)
        .unwrap();
    let entries = json.lines().count();
    let seq: String = json.lines().map(|line| format!("\x1e{line}\n")).collect();
    let sse: String = json
        .lines()
        .map(|line| format!("data: {line}\n\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in [("j.json", &json), ("j.seq", &seq), ("j.sse", &sse)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }

    // Returns the drops as (time, user, segment) and the input's line counts: read, used,
    // ignored, malformed.
    let read = |path: &PathBuf| {
        let (stdout, stderr, code) = run(t3().arg("drops").arg(path));
        assert_eq!(code, 0, "{stderr}");
        let rows: Vec<(String, String, String)> = parse_csv(&stdout)
            .into_iter()
            .map(|r| (r["time"].clone(), r["user"].clone(), r["segment"].clone()))
            .collect();
        let summary = stderr
            .lines()
            .find(|line| line.contains("(journal-json): "))
            .unwrap_or_else(|| panic!("no journal-json input in: {stderr}"));
        let counts: Vec<usize> = summary
            .split_whitespace()
            .filter_map(|word| word.parse().ok())
            .collect();
        (rows, counts)
    };
    let (reference, json_counts) = read(&paths[0]);
    assert_eq!(reference.len(), 12);
    let [_, used, ignored, _] = json_counts[..] else {
        panic!("{json_counts:?}");
    };

    let (seq_rows, seq_counts) = read(&paths[1]);
    assert_eq!(seq_rows, reference);
    assert_eq!(seq_counts, vec![entries, used, ignored, 0]);

    // The blank line after each event counts as ignored.
    let (sse_rows, sse_counts) = read(&paths[2]);
    assert_eq!(sse_rows, reference);
    assert_eq!(sse_counts, vec![2 * entries, used, ignored + entries, 0]);
}

#[test]
fn cat_mode_places_untimed_evidence() {
    let (stdout, stderr, code) = run(t3()
        .args(["drops"])
        .arg(data("journal-modes/devvm-journal.cat.log.gz")));
    assert_eq!(code, 0);
    assert!(
        stderr.contains("carry no time; each was placed"),
        "{stderr}"
    );
    assert!(stderr.contains(" 0 malformed"), "{stderr}");

    // The verdicts match those of a mode with times, though same-second drops may swap.
    let (dated, _, code) = run(t3()
        .args(["drops"])
        .arg(data("journal-modes/devvm-journal.short-iso-precise.log.gz")));
    assert_eq!(code, 0);
    let verdicts = |csv: &str| {
        let mut rows: Vec<(String, String)> = parse_csv(csv)
            .iter()
            .map(|row| (row["user"].clone(), row["segment"].clone()))
            .collect();
        rows.sort();
        rows
    };
    assert_eq!(verdicts(&stdout).len(), 12);
    assert_eq!(verdicts(&stdout), verdicts(&dated));
}

/// Converts a `journalctl -o short-iso` journal to `-o cat`: journalctl's notes are left out
/// and each entry keeps only its message.
fn to_cat(journal: &str) -> String {
    let prefix = regex::Regex::new(r"^\S+ \S+ [^\s\[:]+(\[\d+\])?: ").unwrap();
    journal
        .lines()
        .filter(|line| !line.starts_with("-- "))
        .map(|line| {
            let end = prefix
                .find(line)
                .unwrap_or_else(|| panic!("no journal prefix: {line}"))
                .end();
            format!("{}\n", &line[end..])
        })
        .collect()
}

/// Returns the drops of a run as (time, user, segment, confidence) and the reasons.
fn drop_rows(files: &[PathBuf]) -> (Vec<[String; 4]>, Vec<String>) {
    let (stdout, stderr, code) = run(t3().arg("drops").args(files));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    let verdicts = rows
        .iter()
        .map(|row| ["time", "user", "segment", "confidence"].map(|column| row[column].clone()))
        .collect();
    let reasons = rows.iter().map(|row| row["reason"].clone()).collect();
    (verdicts, reasons)
}

#[test]
fn cat_mode_reads_serve_git_timeouts() {
    // The scenario's serves name no home directory in their git-timeout lines, so only their
    // PIDs tie them to alice and carol. Here each timeout also names its repository under the
    // user's home, as `git -C` does, so `-o cat`, which keeps no PID, can tell the users too.
    let with_home = |journal: &str| -> String {
        let users = [
            ("4702", "alice"),
            ("4723", "carol"),
            ("4711", "bob"),
            ("4730", "dave"),
        ];
        journal
            .lines()
            .map(|line| {
                let user = users
                    .iter()
                    .find(|(pid, _)| line.contains(&format!(" t3[{pid}]: ")))
                    .map(|(_, user)| *user);
                match user {
                    Some(user) => line.replace(
                        "Command failed: git fetch",
                        &format!("Command failed: git -C /home/{user}/src/app fetch"),
                    ),
                    None => line.to_string(),
                }
            })
            .map(|line| line + "\n")
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let scenario = |journal: &dyn Fn(&str) -> String| {
        let dir = tempfile::tempdir_in(dir.path()).unwrap().keep();
        edited_scenario("git_timeouts_two_users", &dir, |name, text| {
            if name == "devvm-journal.log" {
                journal(&text)
            } else {
                text
            }
        })
    };

    let (short_iso, _) = drop_rows(&scenario(&with_home));
    assert_eq!(short_iso.len(), 1, "{short_iso:?}");
    assert_eq!(short_iso[0][2], "devvm", "{short_iso:?}");
    let (cat, reasons) = drop_rows(&scenario(&|text| to_cat(&with_home(text))));
    assert_eq!(cat, short_iso, "{reasons:?}");
    assert!(reasons[0].contains("2 users (alice, carol)"), "{reasons:?}");
    let newest_first = |text: &str| -> String {
        let cat = to_cat(&with_home(text));
        cat.lines().rev().map(|line| format!("{line}\n")).collect()
    };
    let (reversed, reasons) = drop_rows(&scenario(&newest_first));
    assert_eq!(reversed, short_iso, "{reasons:?}");

    // As exported, the cat lines name no user: the timeouts count for no one, but the drop is
    // not put on the user's own network either.
    let (original, _) = drop_rows(&scenario_logs("git_timeouts_two_users"));
    assert_eq!(original[0][2], "devvm", "{original:?}");
    let (cat, reasons) = drop_rows(&scenario(&to_cat));
    assert_eq!(cat.len(), 1, "{cat:?}");
    assert_eq!(cat[0][2], "unknown", "{reasons:?}");
    assert!(
        reasons[0]
            .starts_with("2 t3 serve git timeout(s), the first 8 s before the drop, name no user"),
        "{reasons:?}"
    );
}

#[test]
fn cat_mode_units_alone_claim_no_last_mile() {
    // `-o cat` keeps no identifier, so only the lines' text separates an export of t3's units
    // from a whole journal, whose kernel, sshd and cron lines still show the host clean.
    type Keep = fn(&str) -> bool;
    let cases: [(&str, Keep, bool); 3] = [
        // `to_cat` reads no continuation line of a multi-line message.
        ("whole journal", |l| !l.starts_with(' '), true),
        (
            "journalctl -u t3-dispatch",
            |l| l.contains(" t3-dispatch["),
            false,
        ),
        (
            "journalctl -u t3-dispatch -u 't3-serve@*'",
            |l| {
                l.contains(" t3-dispatch[")
                    || l.contains(" t3[")
                    || (l.contains(" systemd[")
                        && (l.contains("t3-serve@") || l.contains("t3-dispatch")))
            },
            false,
        ),
    ];
    for (case, keep, whole) in cases {
        let (stdout, stderr, code) = drops_with_edited_journal(|journal| {
            let export: String = journal
                .lines()
                .filter(|l| keep(l))
                .map(|l| format!("{l}\n"))
                .collect();
            to_cat(&export)
        });
        assert_eq!(code, 0, "{case}: {stderr}");
        let rows = parse_csv(&stdout);
        let last_mile = rows.iter().any(|r| r["segment"] == "last_mile");
        let units_only = rows
            .iter()
            .any(|r| r["reason"].contains("beyond t3's units"));
        assert_eq!(last_mile, whole, "{case}: {stdout}");
        assert_eq!(units_only, !whole, "{case}: {stdout}");
    }
}

#[test]
fn cat_mode_oom_kill_blames_serve() {
    // `journalctl -o cat`: only the dispatch lines carry a time. The OOM kill lines before the
    // close must still count, at the close's time.
    let journal = "\
2026/06/10 10:00:20 ws open user=bob ip=203.0.113.22, 10.10.1.12
Memory cgroup out of memory: Killed process 4711 (node) total-vm:22817280kB, anon-rss:4152601kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9876kB oom_score_adj:0
t3-serve@bob.service: A process of this unit has been killed by the OOM killer.
t3-serve@bob.service: Main process exited, code=killed, status=9/KILL
t3-serve@bob.service: Failed with result 'oom-kill'.
2026/06/10 10:15:01 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=881000 cause=graceful
2026/06/10 10:15:05 ws open user=bob ip=203.0.113.22, 10.10.1.12
";
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(journal));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_eq!(rows[0]["segment"], "t3_serve", "{stdout}");
    assert!(rows[0]["reason"].contains("OOM killer"), "{stdout}");
    assert!(
        rows[0]["reason"].contains("evidence line(s) is estimated"),
        "the reason says the OOM's time is a neighbour's: {stdout}"
    );
}

#[test]
fn cat_mode_shows_no_journal_gap() {
    // Only the dispatch lines of an `-o cat` journal carry a time. Here dispatch logs every 3 s
    // until 10:03 and after 10:14, and in between only the drop's close and reconnect. The
    // stretches between them are not silences of devvm, so the drop is not "devvm was frozen".
    let dir = tempfile::tempdir().unwrap();
    let mut journal =
        String::from("2026/06/10 10:00:10 ws open user=bob ip=203.0.113.22, 10.10.1.12\n");
    let dated = (0..180).chain(840..960).step_by(3);
    for second in dated {
        if second == 840 {
            journal.push_str(
                "2026/06/10 10:10:00 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=590000 cause=graceful\n\
                 2026/06/10 10:10:05 ws open user=bob ip=203.0.113.22, 10.10.1.12\n",
            );
        }
        journal.push_str(&format!(
            "2026/06/10 10:{:02}:{:02} auto-pair: nothing to pair\n",
            second / 60,
            second % 60
        ));
        journal.push_str("Connection closed by 192.0.2.9 port 20000 [preauth]\n");
    }
    let mut traefik = String::new();
    for second in (0..1200).step_by(5) {
        traefik.push_str(&format!(
            "192.0.2.77 - - [10/Jun/2026:10:{:02}:{:02} +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"curl/8\" 1 \"gitea@kubernetes\" \"http://10.0.12.8:3000\" 10ms\n",
            second / 60,
            second % 60
        ));
    }
    traefik.push_str(
        "203.0.113.22 - - [10/Jun/2026:10:00:10 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" 100 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 590000ms\n",
    );
    let cloudflared = "2026-06-10T10:00:00Z INF Updated to new configuration config=\"{}\" version=7\n\
                       2026-06-10T10:20:00Z INF Updated to new configuration config=\"{}\" version=8\n";
    let paths = [
        ("devvm-journal.cat.log", journal.as_str()),
        ("traefik-access.log", traefik.as_str()),
        ("cloudflared-6f7c9d8b5-k2x9p.log", cloudflared),
    ]
    .map(|(name, text)| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    });

    let (stdout, stderr, code) = run(t3().args(["drops"]).args(&paths));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_eq!(rows[0]["segment"], "last_mile", "{stdout}");
    assert!(!stdout.contains("silent"), "{stdout}");
    let coverage = stderr
        .lines()
        .find(|line| line.contains("devvm journal "))
        .unwrap();
    assert!(coverage.contains("no gaps"), "{coverage}");
}

#[test]
fn json_output_carries_evidence_objects() {
    let (stdout, _, code) = run(t3()
        .args(["drops", "-q", "--format", "json"])
        .args(incident_files("incident", true)));
    assert_eq!(code, 0);
    let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let drops = document["drops"].as_array().unwrap();
    assert_eq!(drops.len(), 12);
    let evidence = drops[0]["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty());
    for field in ["file", "line", "source", "text"] {
        assert!(evidence[0].get(field).is_some(), "{field} missing");
    }
    assert!(document["meta"]["inputs"].as_array().unwrap().len() == 5);
    assert_eq!(
        document["meta"]["coverage"]["journal"]["first"], "2026-06-10T19:00:00.000Z",
        "coverage times are RFC 3339 in JSON"
    );
}

#[test]
fn jsonl_has_one_drop_per_line() {
    let (stdout, _, _) = run(t3()
        .args(["drops", "-q", "--format", "jsonl"])
        .arg(data("incident/devvm-journal.log")));
    assert_eq!(stdout.lines().count(), 12);
    for line in stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["segment"].is_string());
    }
}

#[test]
fn output_is_identical_across_thread_counts() {
    let files = incident_files("incident", true);
    let (one, _, _) = run(t3().args(["drops", "-q", "--threads", "1"]).args(&files));
    let (two, _, _) = run(t3().args(["drops", "-q", "--threads", "2"]).args(&files));
    assert_eq!(one, two);
}

#[test]
fn since_and_until_select_rows() {
    let rows = drops(
        &[
            "-q",
            "--since",
            "2026-06-10 19:40:00",
            "--until",
            "2026-06-10T19:45:00Z",
        ],
        &[data("incident/devvm-journal.log")],
    );
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["burst_id"] == "B001"));
}

#[test]
fn printed_time_selects_its_row() {
    // The logcli export keeps the journal's microseconds, and rows print milliseconds. An
    // operator who copies a row's time into --since and --until must get that row back.
    let files = [data("envelopes/incident.logcli.jsonl.gz")];
    let all = drops(&["-q"], &files);
    assert!(!all.is_empty());
    for row in &all {
        let time = row["time"].as_str();
        let selected = drops(&["-q", "--since", time, "--until", time], &files);
        assert!(
            selected.iter().any(|r| r["drop_id"] == row["drop_id"]),
            "{time}: {selected:?}"
        );
        assert!(selected.iter().all(|r| r["time"] == time), "{time}");
    }
}

#[test]
fn window_inside_burst_keeps_its_rows() {
    // A window that starts inside the burst: the drops it selects name B001 and an incident,
    // and `bursts` and `incidents` print those rows for the same window.
    let window = [
        "-q",
        "--since",
        "2026-06-10T19:40:07.2Z",
        "--until",
        "2026-06-10T19:41:00Z",
    ];
    // The logcli export keeps the journal's microseconds, so the burst spans 0.3 s.
    let files = [data("envelopes/incident.logcli.jsonl.gz")];
    let rows = drops(&window, &files);
    assert!(!rows.is_empty());
    for (command, column) in [("bursts", "burst_id"), ("incidents", "incident_id")] {
        let (stdout, stderr, code) = run(t3().arg(command).args(window).args(&files));
        assert_eq!(code, 0, "{stderr}");
        let listed: Vec<String> = parse_csv(&stdout)
            .iter()
            .map(|r| r[column].clone())
            .collect();
        for row in &rows {
            assert!(
                listed.contains(&row[column]),
                "{command}: {listed:?} lacks {}",
                row[column]
            );
        }
    }
}

#[test]
fn bursts_command_lists_the_burst() {
    let (stdout, _, code) = run(t3()
        .args(["bursts", "-q"])
        .args(incident_files("incident", true)));
    assert_eq!(code, 0);
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["clients"], "5");
    assert_eq!(rows[0]["cancels"], "6");
    assert_eq!(rows[0]["segment"], "cluster_path");
}

#[test]
fn timeline_lists_typed_events_in_order() {
    let (stdout, _, code) = run(t3()
        .args(["timeline", "-q"])
        .args(incident_files("incident", true)));
    assert_eq!(code, 0);
    let rows = parse_csv(&stdout);
    assert!(rows.windows(2).all(|w| w[0]["time"] <= w[1]["time"]));
    for kind in [
        "ws_close",
        "oom_kill",
        "traefik_socket",
        "traefik_probe_socket",
        "traefik_native_socket",
        "cf_conn_unregistered",
    ] {
        assert!(rows.iter().any(|r| r["kind"] == kind), "no {kind} event");
    }
}

#[test]
fn timeline_silence_only_at_gaps() {
    // The freeze scenario's journal has one gap: its edge line is listed.
    let (stdout, _, code) = run(t3()
        .args(["timeline", "-q"])
        .args(scenario_logs("devvm_freeze_gap")));
    assert_eq!(code, 0);
    let rows = parse_csv(&stdout);
    let silences: Vec<&str> = rows
        .iter()
        .filter(|r| r["kind"].starts_with("journal_") && r["kind"].ends_with("_silence"))
        .map(|r| r["time"].as_str())
        .collect();
    assert_eq!(silences, ["2026-06-10T19:41:45.000Z"]);

    // A journal of one unit is silent between most of its lines, but it is sparse, so none
    // of those silences is a gap.
    let dir = tempfile::tempdir().unwrap();
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let dispatch: String = journal
        .lines()
        .filter(|line| line.contains(" t3-dispatch["))
        .map(|line| format!("{line}\n"))
        .collect();
    let path = dir.path().join("dispatch.log");
    std::fs::write(&path, dispatch).unwrap();
    let (stdout, _, code) = run(t3().args(["timeline", "-q"]).arg(&path));
    assert_eq!(code, 0);
    let rows = parse_csv(&stdout);
    assert!(rows.iter().any(|r| r["kind"] == "proxy_error"));
    assert!(
        rows.iter().all(|r| !r["kind"].ends_with("_silence")),
        "{stdout}"
    );
}

#[test]
fn summary_accounts_for_every_line() {
    let (_, stderr, _) = run(t3().arg("drops").args(incident_files("incident", true)));
    for line in stderr.lines().filter(|l| l.contains("lines read =")) {
        let numbers: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let n = numbers.len();
        assert_eq!(
            numbers[n - 4],
            numbers[n - 3] + numbers[n - 2] + numbers[n - 1],
            "{line}"
        );
    }
    assert!(stderr.contains("per user:"));
}

#[test]
fn gzip_input_reads_like_plain() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("journal.gz");
    let plain = std::fs::read(data("incident/devvm-journal.log")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(&plain).unwrap();
    encoder.finish().unwrap();
    let a = drops(&["-q"], &[data("incident/devvm-journal.log")]);
    let b = drops(&["-q"], &[gz]);
    let segments = |rows: &[Row]| {
        rows.iter()
            .map(|r| (r["time"].clone(), r["segment"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(segments(&a), segments(&b));
}

#[test]
fn missing_file_exits_2_naming_it() {
    let (_, stderr, code) = run(t3().args(["drops", "/no/such/file.log"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/file.log"), "{stderr}");
}

#[test]
fn directory_input_exits_2() {
    let (_, stderr, code) = run(t3().arg("drops").arg(data("incident")));
    assert_eq!(code, 2);
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn undetectable_input_exits_2() {
    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin("hello\nworld\n"));
    assert_eq!(code, 2);
    assert!(stderr.contains("--input-type"), "{stderr}");
}

#[test]
fn empty_input_warns_and_exits_0() {
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(""));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "only the header");
    assert!(stderr.contains("empty"), "{stderr}");
}

#[test]
fn output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let journal = data("incident/devvm-journal.log");
    // (output file, extra arguments, the format expected)
    let cases: [(&str, &[&str], &str); 8] = [
        ("drops.json", &[], "json"),
        ("drops.JSONL", &[], "jsonl"),
        ("drops.ndjson", &[], "jsonl"),
        ("drops.csv", &[], "csv"),
        ("drops.json", &["--format", "csv"], "csv"),
        // `.gz` compresses, and the extension before it picks the format.
        ("drops.csv.gz", &[], "csv"),
        ("drops.json.GZ", &[], "json"),
        ("drops.jsonl.zst", &[], "jsonl"),
    ];
    for (name, extra, format) in cases {
        let path = dir.path().join(name);
        let (_, stderr, code) = run(t3()
            .args(["drops", "-q", "--output"])
            .arg(&path)
            .args(extra)
            .arg(&journal));
        assert_eq!(code, 0, "{name} {extra:?}: {stderr}");
        let bytes = std::fs::read(&path).unwrap();
        let lower = name.to_ascii_lowercase();
        let gzip = lower.ends_with(".gz");
        let zstd = lower.ends_with(".zst");
        assert_eq!(bytes.starts_with(&[0x1f, 0x8b]), gzip, "{name}: gzip magic");
        assert_eq!(
            bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
            zstd,
            "{name}: zstd magic"
        );
        let written = if gzip {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
                .unwrap();
            text
        } else if zstd {
            String::from_utf8(zstd::stream::decode_all(&bytes[..]).unwrap()).unwrap()
        } else {
            String::from_utf8(bytes).unwrap()
        };
        let found = if written.starts_with("drop_id,time,") {
            "csv"
        } else if serde_json::from_str::<serde_json::Value>(&written)
            .is_ok_and(|doc| doc.get("drops").is_some())
        {
            "json"
        } else if written
            .lines()
            .all(|line| serde_json::from_str::<serde_json::Value>(line).is_ok())
        {
            "jsonl"
        } else {
            "unknown"
        };
        assert_eq!(found, format, "{name} {extra:?}");
    }
}

#[test]
fn stdin_from_a_file_or_a_pipe_reads_alike() {
    let journal = data("incident/devvm-journal.log");
    let text = std::fs::read(&journal).unwrap();
    // A redirected file is read by offset, a pipe as a stream: both give the same rows.
    let args = ["drops", "-", "--format", "json"];
    let (from_file, stderr, code) = run(t3().args(args).pipe_stdin(&journal).unwrap());
    assert_eq!(code, 0, "{stderr}");
    let (from_pipe, stderr, code) = run(t3().args(args).write_stdin(text.clone()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(from_file, from_pipe);
    assert!(from_file.contains("\"drop_id\""), "{from_file}");
    assert!(
        stderr.contains("<stdin> (journal): 2014 lines read"),
        "{stderr}"
    );

    // A shell that read the first line itself leaves stdin's offset after it.
    let mut file = std::fs::File::open(&journal).unwrap();
    let first_line = text.iter().position(|&b| b == b'\n').unwrap() as u64 + 1;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(first_line)).unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("t3forensics"))
        .args(["drops", "-"])
        .stdin(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("<stdin> (journal): 2013 lines read"),
        "{stderr}"
    );
}

#[test]
fn short_lines_without_year_need_year() {
    let input = "Jun 10 19:55:00 devvm systemd[1]: t3-serve@bob.service: Main process exited, code=killed, status=9/KILL\n";
    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(input));
    assert_eq!(code, 2);
    assert!(stderr.contains("--year"), "{stderr}");
    let (_, _, code) = run(t3()
        .args(["drops", "-q", "--year", "2026", "-"])
        .write_stdin(input));
    assert_eq!(code, 0);
}

#[test]
fn broken_lines_are_counted_not_fatal() {
    let mut input = Vec::new();
    input.extend_from_slice(b"2026-06-10T19:56:00+00:00 devvm sshd[1]: Accepted publickey\n");
    input.extend_from_slice(b"\xff\xfe garbage \x00 with NUL\n");
    input.extend_from_slice(b"2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws close user=\xffal ip=203.0.113.7 dur_ms=5 cause=graceful\r\n");
    input.extend_from_slice(b"no timestamp at all\n");
    input.extend_from_slice(b"2026-06-10T19:56:02+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:02 ws close user=bob ip=203.0.113.9 dur_ms=");
    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("5 lines read"), "{stderr}");
    assert!(stderr.contains("malformed <stdin>:2"), "{stderr}");
    assert!(stderr.contains("malformed <stdin>:4"), "{stderr}");
}

#[test]
fn closed_pipe_is_a_normal_end() {
    // `| head -1`: the reader goes away after the header.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("t3forensics"))
        .args(["timeline", "-q"])
        .args(incident_files("incident", true))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("drops.csv");
    let (stdout, _, code) = run(t3()
        .args(["drops", "-q", "--output"])
        .arg(&out)
        .arg(data("incident/devvm-journal.log")));
    assert_eq!(code, 0);
    assert!(stdout.is_empty());
    assert_eq!(parse_csv(&std::fs::read_to_string(&out).unwrap()).len(), 12);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn forced_input_type_per_path() {
    let path = data("incident/cloudflared-6f7c9d8b5-m4q7r.log");
    let arg = format!("traefik:{}", path.display());
    let (_, stderr, code) = run(t3().args(["drops", "--input-type", &arg]).arg(&path));
    assert_eq!(code, 0);
    assert!(stderr.contains("(traefik)"), "{stderr}");
}

#[test]
fn incidents_one_row_per_real_incident() {
    for with_cloudflared in [true, false] {
        let (stdout, _, code) = run(t3()
            .args(["incidents", "-q"])
            .args(incident_files("incident", with_cloudflared)));
        assert_eq!(code, 0);
        let rows = parse_csv(&stdout);
        let drops: Vec<&str> = rows.iter().map(|r| r["drop_ids"].as_str()).collect();
        assert_eq!(
            drops,
            vec![
                "D0001",
                "D0002",
                "D0003;D0004",
                "D0005",
                "D0006;D0007;D0008;D0009;D0010",
                "D0011;D0012"
            ],
            "with cloudflared: {with_cloudflared}"
        );
    }
    let (stdout, _, _) = run(t3()
        .args(["incidents", "-q"])
        .args(incident_files("incident", true)));
    for row in parse_csv(&stdout) {
        assert!(
            !row["key_evidence"].is_empty(),
            "every incident cites lines: {row:?}"
        );
    }
    let rows = drops(&["-q"], &incident_files("incident", true));
    assert!(
        rows.iter().all(|r| r["incident_id"].starts_with('I')),
        "drops carry their incident"
    );
}

#[test]
fn failed_reconnect_dial_yields_to_freeze() {
    // The devvm freeze, and each user's reconnect dial to the serve times out 10 s later. A
    // frozen devvm fails those dials too, so the freeze keeps the three drops.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("devvm_freeze_gap", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line);
            out.push('\n');
            if line.contains("19:41:48 ws open user=carol") {
                for (user, ip, port) in [
                    ("alice", "203.0.113.7, 10.10.1.12", 3773),
                    ("bob", "203.0.113.22, 10.10.2.13", 3774),
                    ("carol", "203.0.113.35, 10.10.3.14", 3775),
                ] {
                    out.push_str(&format!(
                        "2026-06-10T19:41:57+00:00 devvm t3-dispatch[812]: 2026/06/10 19:41:57 \
                         ws close user={user} ip={ip} dur_ms=10000 cause=dial tcp \
                         127.0.0.1:{port}: i/o timeout\n"
                    ));
                }
            }
        }
        out
    });
    let rows = drops(&["-q"], &files);
    let first: Vec<&Row> = rows
        .iter()
        .filter(|r| r["time"].starts_with("2026-06-10T19:41:4"))
        .collect();
    assert_eq!(first.len(), 3, "{rows:?}");
    for row in first {
        assert_eq!(row["segment"], "devvm", "{row:?}");
    }
}

#[test]
fn incident_evidence_adds_socket_ends() {
    // A devvm freeze: the gap rule cites one line, the first after the silence. The incident's
    // key evidence adds the lines that ended the sockets: Traefik's, written during the
    // silence, and dispatch's late `ws close` lines.
    let (stdout, stderr, code) = run(t3()
        .args(["incidents", "-q"])
        .args(scenario_logs("devvm_freeze_gap")));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    let cited: Vec<&str> = rows[0]["key_evidence"].split(';').collect();
    assert_eq!(cited.len(), 5, "{cited:?}");
    assert!(
        cited[0].ends_with("devvm-journal.log:35"),
        "the silence's edge leads: {cited:?}"
    );
    assert!(
        cited.iter().any(|c| c.ends_with("devvm-journal.log:36")),
        "a late ws close: {cited:?}"
    );
    assert!(
        cited.iter().any(|c| c.contains("traefik-access.log:")),
        "a Traefik end: {cited:?}"
    );
}

#[test]
fn explain_writes_json_to_output_file() {
    let files = incident_files("incident", true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("explain.json");
    let (stdout, stderr, code) = run(t3()
        .args(["explain", "-q", "--format", "json", "-o"])
        .arg(&path)
        .arg("D0001")
        .args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "the file takes the output: {stdout}");
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(value["drop"]["drop_id"], "D0001");
    let rules = value["rules_tried"].as_array().unwrap();
    let matched: Vec<_> = rules.iter().filter(|r| r["matched"] == true).collect();
    assert_eq!(matched.len(), 1, "{value}");
    assert_eq!(matched[0]["rule"], value["drop"]["rule"]);
    assert!(
        !value["drop"]["evidence"].as_array().unwrap().is_empty(),
        "{value}"
    );

    let (_, stderr, code) = run(t3()
        .args(["explain", "-q", "--format", "csv", "D0001"])
        .args(&files));
    assert_eq!(code, 2);
    assert!(stderr.contains("not CSV"), "{stderr}");
    let csv_file = dir.path().join("explain.csv");
    let (_, stderr, code) = run(t3()
        .args(["explain", "-q", "-o"])
        .arg(&csv_file)
        .arg("D0001")
        .args(&files));
    assert_eq!(code, 2, "an .csv output file asks for CSV too");
    assert!(stderr.contains("not CSV"), "{stderr}");
    assert!(!csv_file.exists());
}

#[test]
fn explain_shows_matching_rule_and_evidence() {
    let files = incident_files("incident", true);
    let rows = drops(&["-q"], &files);
    for row in &rows {
        let (stdout, stderr, code) =
            run(t3().args(["explain", "-q", &row["drop_id"]]).args(&files));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains(&format!(
                "verdict: {} ({})",
                row["segment"], row["confidence"]
            )),
            "{stdout}"
        );
        assert_eq!(stdout.matches("MATCHED").count(), 1, "{stdout}");
        let evidence_lines = stdout
            .split("evidence, in time order:")
            .nth(1)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(
            evidence_lines,
            row["evidence"].split(';').count(),
            "{stdout}"
        );
    }
    let (_, stderr, code) = run(t3().args(["explain", "D9999"]).args(&files));
    assert_eq!(code, 2);
    assert!(stderr.contains("no drop D9999"), "{stderr}");
    assert!(stderr.contains("D0001 to D0012"), "{stderr}");
}

#[test]
fn explain_without_drop_id() {
    // The drop id forgotten: the first file is taken as the id, whatever stdin is.
    let file = data("incident/devvm-journal.log");
    let (_, stderr, code) = run(t3().arg("explain").arg(&file).write_stdin(""));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not a drop id"), "{stderr}");
    assert!(stderr.contains("explain D0003 FILE"), "{stderr}");

    // Inputs without drops name no range of ids.
    let dir = tempfile::tempdir().unwrap();
    let quiet = dir.path().join("quiet.log");
    std::fs::write(
        &quiet,
        "2026-06-10T19:12:00+00:00 devvm sshd[901]: Accepted publickey for alice\n",
    )
    .unwrap();
    let (_, stderr, code) = run(t3().args(["explain", "D0001"]).arg(&quiet));
    assert_eq!(code, 2);
    assert!(stderr.contains("they hold no drops"), "{stderr}");
    assert!(!stderr.contains("D0000"), "{stderr}");
}

#[test]
fn rule_numbers_are_options() {
    let files = scenario_logs("git_timeout_one_user");
    let default = drops(&["-q"], &files);
    assert!(
        default.iter().all(|r| r["segment"] != "devvm"),
        "one user's git timeout is no stall"
    );
    let lowered = drops(&["-q", "--git-timeout-users", "1"], &files);
    assert!(
        lowered.iter().any(|r| r["segment"] == "devvm"),
        "{lowered:?}"
    );
}

#[test]
fn progress_goes_to_stderr_only_when_asked() {
    let files = incident_files("incident", true);
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "--progress", "always"])
        .args(&files));
    assert_eq!(code, 0);
    assert!(
        stderr.contains('\u{1b}'),
        "a bar was drawn on stderr: {stderr:?}"
    );
    assert!(!stdout.contains('\u{1b}'), "stdout stays clean");
    let (_, stderr, _) = run(t3().args(["drops", "-q"]).args(&files));
    assert!(
        stderr.is_empty(),
        "no bar when stderr is not a terminal: {stderr:?}"
    );
}

#[test]
fn boot_marker_alone_shows_a_reboot() {
    // `journalctl -u t3-dispatch` keeps the `-- Boot ID --` markers but no kernel line.
    let scenario = data("scenarios/devvm_reboot");
    let dir = tempfile::tempdir().unwrap();
    let journal = std::fs::read_to_string(scenario.join("devvm-journal.log")).unwrap();
    let without_kernel: String = journal
        .lines()
        .filter(|line| !line.contains("Linux version"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(dir.path().join("devvm-journal.log"), without_kernel).unwrap();

    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q"])
        .arg(dir.path().join("devvm-journal.log"))
        .arg(scenario.join("traefik-access.log"))
        .arg(scenario.join("cloudflared-6f7c9d8b5-k2x9p.log")));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 3, "{stdout}");
    for row in &rows {
        assert_eq!(row["segment"], "devvm", "{stdout}");
        assert!(row["evidence"].contains("devvm-journal.log:"), "{stdout}");
    }
}

#[test]
fn dispatch_unit_alone_claims_no_last_mile() {
    // `journalctl -u t3-dispatch`: the serves, the kernel and systemd are not in it, so it
    // cannot show the path clean, and its silences are no freeze.
    let (stdout, stderr, code) = drops_with_journal_lines(|l| l.contains(" t3-dispatch["));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert!(!rows.is_empty());
    for row in &rows {
        assert_ne!(row["segment"], "last_mile", "{row:?}");
        assert_ne!(row["segment"], "devvm", "{row:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r["reason"].contains("beyond t3's units")),
        "{stdout}"
    );
    assert!(stderr.contains("sparse: coverage is its span"), "{stderr}");
}

#[test]
fn nul_hole_over_line_limit_keeps_the_line() {
    // A crash hole can be many MiB, far over --max-line-bytes (1 MiB by default), and
    // the run does not count towards it. Line 382 is read with the first lines, one by one,
    // line 1921 in a parallel block: by offset from the file, through the reader thread from
    // its gzip copy.
    let clean = incident_files("incident", true);
    let (expected, _, code) = run(t3().arg("drops").args(&clean));
    assert_eq!(code, 0);
    let hole = "\0".repeat((2 << 20) + 1);

    let dir = tempfile::tempdir().unwrap();
    let mut files = incident_with_journal(dir.path(), |journal| {
        journal
            .lines()
            .enumerate()
            .map(|(n, line)| match n + 1 {
                382 | 1921 => format!("{hole}{line}\n"),
                _ => format!("{line}\n"),
            })
            .collect()
    });
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    // The evidence names the same lines, in a file of another directory.
    let without_dirs = |csv: &str| {
        csv.replace(&format!("{}/", dir.path().display()), "")
            .replace(&format!("{}/", data("incident").display()), "")
    };
    assert_eq!(without_dirs(&stdout), without_dirs(&expected));
    assert!(
        stderr.contains("2 line(s) start with a run of NUL bytes (the first on line 382)"),
        "{stderr}"
    );
    assert!(stderr.contains("0 malformed"), "{stderr}");

    let journal = files.pop().unwrap();
    let gzip_path = dir.path().join("devvm-journal.log.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gzip_path).unwrap(),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(&std::fs::read(&journal).unwrap())
        .unwrap();
    encoder.finish().unwrap();
    files.push(gzip_path);
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        parse_csv(&stdout).len(),
        parse_csv(&expected).len(),
        "{stdout}"
    );
    assert!(
        stderr.contains("2 line(s) start with a run of NUL bytes (the first on line 382)"),
        "{stderr}"
    );
    assert!(stderr.contains("0 malformed"), "{stderr}");
}

#[test]
fn nul_run_before_a_line_keeps_the_line() {
    // After a crash, a file that was being written holds NUL bytes where its last blocks were
    // never written, and the next write follows them with no line end. Line 382 (a close read
    // with the first lines, one by one) and line 1921 (a close read in a parallel block) start
    // with such a run here.
    let clean = incident_files("incident", true);
    let (expected, _, code) = run(t3().arg("drops").args(&clean));
    assert_eq!(code, 0);

    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), |journal| {
        journal
            .lines()
            .enumerate()
            .map(|(n, line)| match n + 1 {
                382 | 1921 => format!("{}{line}\n", "\0".repeat(4096)),
                _ => format!("{line}\n"),
            })
            .collect()
    });
    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    let drops = |csv: &str| -> Vec<String> {
        parse_csv(csv)
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r["time"], r["user"], r["cause"], r["segment"]
                )
            })
            .collect()
    };
    assert_eq!(drops(&stdout), drops(&expected));
    assert!(
        stderr.contains("2 line(s) start with a run of NUL bytes (the first on line 382)"),
        "{stderr}"
    );
    assert!(stderr.contains("0 malformed"), "{stderr}");
}

#[test]
fn nul_bytes_inside_lines_are_malformed() {
    // NUL bytes inside a line (a crash hole that begins mid-line, a damaged copy) make its
    // text untrustworthy. Here they cut dispatch's identifier on line 382, which is read with
    // the first lines one by one, and sit inside other lines read in parallel blocks. Each
    // such line is malformed and named, never ignored in silence.
    let dir = tempfile::tempdir().unwrap();
    let mut files = incident_with_journal(dir.path(), |journal| {
        journal
            .lines()
            .enumerate()
            .map(|(n, line)| match n + 1 {
                382 => format!("{}\0\0\0{}\n", &line[..32], &line[32..]),
                1000 | 1500 | 1921 => format!("{}\0{}\n", &line[..40], &line[40..]),
                _ => format!("{line}\n"),
            })
            .collect()
    });
    let journal = files.pop().unwrap();
    let journal_name = journal.display().to_string();
    assert!(
        std::fs::read(&journal)
            .unwrap()
            .windows(14)
            .any(|w| w == b"\0\0\0t3-dispatch"),
        "line 382 is a dispatch line"
    );
    let traefik = dir.path().join("traefik-access.log");
    let access = std::fs::read_to_string(data("incident/traefik-access.log")).unwrap();
    let access: String = access
        .lines()
        .enumerate()
        .map(|(n, line)| match n + 1 {
            5000 => format!("{}\0{}\n", &line[..20], &line[20..]),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(&traefik, access).unwrap();
    files.retain(|f| !f.ends_with("traefik-access.log"));
    files.push(traefik.clone());

    // The same journal in `-o short`, which is read line by line past its first lines too.
    let short = dir.path().join("devvm-journal.short.log");
    let iso = std::fs::read(&journal).unwrap();
    let short_text: Vec<u8> = iso
        .split_inclusive(|b| *b == b'\n')
        .flat_map(|line| match line.strip_prefix(b"2026-06-") {
            Some(rest) if rest.get(11..17) == Some(b"+00:00") => {
                [b"Jun ", &rest[..2], b" ", &rest[3..11], &rest[17..]].concat()
            }
            _ => line.to_vec(),
        })
        .collect();
    std::fs::write(&short, short_text).unwrap();
    let (_, stderr, code) = run(t3()
        .args(["drops", "--year", "2026"])
        .arg(&short)
        .args(&files));
    assert_eq!(code, 0, "{stderr}");
    let short_name = short.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{short_name}: 4 line(s) contain NUL bytes after their start \
             ({short_name}:382, {short_name}:1000, {short_name}:1500, 1 more)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("+ 4 malformed"), "{stderr}");

    for threads in ["1", "2"] {
        let (_, stderr, code) = run(t3()
            .args(["drops", "--threads", threads])
            .arg(&journal)
            .args(&files));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{journal_name}: 4 line(s) contain NUL bytes after their start \
                 ({journal_name}:382, {journal_name}:1000, {journal_name}:1500, 1 more)"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "{}: 1 line(s) contain NUL bytes after their start ({}:5000)",
                traefik.display(),
                traefik.display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("+ 4 malformed"), "{stderr}");
        assert!(
            stderr.contains(&format!("malformed {journal_name}:382: contains NUL bytes")),
            "{stderr}"
        );
        assert!(stderr.contains("tr -d '\\000' <"), "{stderr}");
    }
}

#[test]
fn file_of_nul_bytes_names_the_damage() {
    // A rotated file that was preallocated and never written: detection has no line to read,
    // and naming a type would not help. The suggested command must not run `tr` on compressed
    // bytes.
    let nul = vec![0u8; 100_000];
    let header = b"-- Journal begins at Mon 2026-06-08 06:14:03 UTC, ends at Wed 2026-06-10 \
                   20:06:31 UTC. --\n";
    let gzip = {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&nul).unwrap();
        encoder.finish().unwrap()
    };
    // (file name, content, where the NUL line is, the strip command)
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "traefik-access.log.1",
            nul.clone(),
            "its first line is only NUL bytes",
            "(tr -d '\\000' < DIR/traefik-access.log.1 > DIR/traefik-access.log.1.txt)",
        ),
        (
            "traefik-access.log.1.gz",
            gzip,
            "its first line is only NUL bytes",
            "(zcat DIR/traefik-access.log.1.gz | tr -d '\\000' > DIR/traefik-access.log.1.txt)",
        ),
        (
            "journal.log.zst",
            zstd::encode_all(&nul[..], 3).unwrap(),
            "its first line is only NUL bytes",
            "(zstdcat DIR/journal.log.zst | tr -d '\\000' > DIR/journal.log.txt)",
        ),
        (
            "journal.log",
            [&header[..], &nul].concat(),
            "line 2, its first line after blank lines and journalctl notes, is only NUL bytes",
            "(tr -d '\\000' < DIR/journal.log > DIR/journal.log.txt)",
        ),
        (
            "blank-first.log",
            [&b"\n"[..], &nul[..4096]].concat(),
            "line 2, its first line after blank lines and journalctl notes, is only NUL bytes",
            "(tr -d '\\000' < DIR/blank-first.log > DIR/blank-first.log.txt)",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let dir_name = dir.path().to_str().unwrap();
    for (name, content, place, strip) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &content).unwrap();
        let (_, stderr, code) = run(t3().arg("drops").arg(&path));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(place), "{name}: {stderr}");
        assert!(
            stderr.contains(&strip.replace("DIR", dir_name)),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("--input-type"), "{name}: {stderr}");
    }

    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(nul));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("(put tr -d '\\000' in the pipe before t3forensics)"),
        "{stderr}"
    );
}

#[test]
fn forced_journal_of_nul_bytes_warns() {
    // With the type named, a file of NUL bytes alone is read: its one line has nothing after
    // the run, so the warning must not claim a byte of it was read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.log");
    std::fs::write(&path, vec![0u8; 8192]).unwrap();
    let (_, stderr, code) = run(t3().args(["drops", "--input-type", "journal"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("1 line(s) start with a run of NUL bytes (the first on line 1)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a line of NUL bytes alone reads as blank"),
        "{stderr}"
    );
    assert!(!stderr.contains("first other byte"), "{stderr}");
}

/// Checks the rows of a run on an export of t3's units alone. No row claims the last mile, a
/// reason names the journal as t3's units only, and the journal's coverage is its span.
fn assert_units_only_rows(stdout: &str, stderr: &str, code: i32) {
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(stdout);
    assert!(!rows.is_empty());
    for row in &rows {
        assert_ne!(row["segment"], "last_mile", "{row:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r["reason"].contains("beyond t3's units")),
        "{stdout}"
    );
    assert!(stderr.contains("sparse: coverage is its span"), "{stderr}");
}

#[test]
fn t3_units_alone_claim_no_last_mile() {
    // `journalctl -u t3-dispatch -u 't3-serve@*'`: the serves' lines and systemd's lines about
    // the units are there, but no kernel OOM kill, earlyoom or other host line, so it cannot
    // show the host clean either.
    let (stdout, stderr, code) = drops_with_journal_lines(|l| {
        l.contains(" t3-dispatch[")
            || l.contains(" t3[")
            || (l.contains(" systemd[") && (l.contains("t3-serve@") || l.contains("t3-dispatch")))
    });
    assert_units_only_rows(&stdout, &stderr, code);
}

#[test]
fn t3_text_filtered_journal_claims_no_last_mile() {
    // `grep -i t3` of the journal of a systemd older than 252, which writes a unit's
    // description in place of its name (`Started T3 Code server for bob (t3 serve,
    // per-user).`). The filter also keeps the kernel's `oom-kill:` line, which names bob's
    // serve cgroup, but no other line of the host, so it cannot show the host clean either.
    let unit_name = regex::Regex::new(r"(t3-serve@[a-z]+|t3-dispatch)\.service - ").unwrap();
    let (stdout, stderr, code) = drops_with_edited_journal(|journal| {
        journal
            .lines()
            .filter(|l| l.to_lowercase().contains("t3"))
            .map(|l| format!("{}\n", unit_name.replace(l, "")))
            .collect()
    });
    assert_units_only_rows(&stdout, &stderr, code);
}

#[test]
fn quiet_host_journal_is_whole() {
    // A whole journal of a quiet host whose serves log a lot: under 1 % of its lines come from
    // the kernel and cron, but an export of t3's units has none at all.
    let journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    let mut host_lines = 0;
    let quiet: String = journal
        .lines()
        .filter(|l| {
            let t3 = l.contains(" t3-dispatch[")
                || l.contains(" t3[")
                || (l.contains(" systemd[") && l.contains("t3-"));
            let host = l.contains(" kernel: ") && l.contains("Killed process");
            host_lines += usize::from(host);
            t3 || host
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(host_lines > 0);
    assert!(host_lines * 100 < quiet.lines().count());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, quiet).unwrap();
    let mut files = incident_files("incident", true);
    files[0] = path;

    let (stdout, stderr, code) = run(t3().arg("drops").args(&files));
    assert_eq!(code, 0, "{stderr}");
    let journal_coverage = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("devvm journal "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(!journal_coverage.contains("sparse"), "{journal_coverage}");
    let rows = parse_csv(&stdout);
    assert!(rows.iter().any(|r| r["segment"] == "last_mile"), "{stdout}");
    assert!(
        !rows
            .iter()
            .any(|r| r["reason"].contains("beyond t3's units")),
        "{stdout}"
    );
}

#[test]
fn second_host_journal_left_out() {
    // Another host's journal beside devvm's, with an OOM kill of a serve unit of dave's there,
    // as text and as `journalctl -o json` (whose entries give `_HOSTNAME`). Read as devvm's,
    // it would put dave's drop on his serve.
    let text = "2026-06-10T19:40:00+00:00 devvm2 sshd[1201]: Accepted publickey for dave from 192.0.2.44 port 50022 ssh2\n\
        2026-06-10T19:41:08+00:00 devvm2 kernel: Memory cgroup out of memory: Killed process 3311 (node) total-vm:12000000kB, anon-rss:8000000kB, file-rss:0kB, shmem-rss:0kB, UID:1004 pgtables:20000kB oom_score_adj:0\n\
        2026-06-10T19:41:08+00:00 devvm2 systemd[1]: t3-serve@dave.service: Failed with result 'oom-kill'.\n";
    let json = r#"{"__REALTIME_TIMESTAMP":"1781120400000000","_HOSTNAME":"devvm2","SYSLOG_IDENTIFIER":"sshd","_PID":"1201","MESSAGE":"Accepted publickey for dave from 192.0.2.44 port 50022 ssh2"}
{"__REALTIME_TIMESTAMP":"1781120468000000","_HOSTNAME":"devvm2","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"Memory cgroup out of memory: Killed process 3311 (node) total-vm:12000000kB, anon-rss:8000000kB, file-rss:0kB, shmem-rss:0kB, UID:1004 pgtables:20000kB oom_score_adj:0"}
{"__REALTIME_TIMESTAMP":"1781120468100000","_HOSTNAME":"devvm2","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"t3-serve@dave.service: Failed with result 'oom-kill'."}
"#;
    let dir = tempfile::tempdir().unwrap();
    for (name, other) in [("devvm2-journal.log", text), ("devvm2-journal.json", json)] {
        let other_path = dir.path().join(name);
        std::fs::write(&other_path, other).unwrap();
        let mut files = scenario_logs("last_mile_heartbeat");
        files.push(other_path);

        // A file of another host alone is left out, since devvm is the host where dispatch
        // runs.
        let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).args(&files));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(
            stderr.contains("come from devvm2, not from devvm"),
            "{name}: {stderr}"
        );
        let rows = parse_csv(&stdout);
        assert_eq!(rows.len(), 1, "{name}: {rows:?}");
        assert_eq!(rows[0]["segment"], "last_mile", "{name}: {rows:?}");
    }

    // Both hosts in one file: the file is read again for devvm alone, which --host does too.
    let mut merged =
        std::fs::read_to_string(data("scenarios/last_mile_heartbeat/devvm-journal.log")).unwrap();
    merged.push_str(text);
    let merged_path = dir.path().join("devvm-journal.log");
    std::fs::write(&merged_path, merged).unwrap();
    let files: Vec<PathBuf> = scenario_logs("last_mile_heartbeat")
        .into_iter()
        .map(|f| {
            if f.ends_with("devvm-journal.log") {
                merged_path.clone()
            } else {
                f
            }
        })
        .collect();
    let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).args(&files));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("journal lines of other hosts were left out: devvm2 (3 lines)"),
        "{stderr}"
    );
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["segment"], "last_mile", "{rows:?}");
    let rows = drops(&["-q", "--host", "devvm"], &files);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["segment"], "last_mile", "{rows:?}");

    // The same through a pipe, which cannot be read again: devvm2's events are left out as
    // evidence, so the verdict is the file's.
    let others: Vec<PathBuf> = files
        .iter()
        .filter(|f| !f.ends_with("devvm-journal.log"))
        .cloned()
        .collect();
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "-"])
        .args(&others)
        .write_stdin(std::fs::read(&merged_path).unwrap()));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("journal lines of other hosts: devvm2 (3 lines); 4 event(s) of theirs"),
        "{stderr}"
    );
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["segment"], "last_mile", "{rows:?}");
}

/// Converts `journalctl -o json` lines to `-o export` records: `KEY=value` lines and a blank
/// line after each entry. A value of byte numbers becomes a binary field (`KEY`, a newline,
/// the 64-bit little-endian length, the bytes), and a null value is left out.
fn json_to_export(json: &str) -> Vec<u8> {
    let mut export = Vec::new();
    for line in json.lines() {
        let entry: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).unwrap();
        for (key, value) in entry {
            match value {
                serde_json::Value::String(text) => {
                    export.extend_from_slice(format!("{key}={text}\n").as_bytes());
                }
                serde_json::Value::Array(numbers) => {
                    let bytes: Vec<u8> = numbers
                        .iter()
                        .map(|n| n.as_u64().and_then(|n| u8::try_from(n).ok()).unwrap())
                        .collect();
                    export.extend_from_slice(format!("{key}\n").as_bytes());
                    export.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                    export.extend_from_slice(&bytes);
                    export.push(b'\n');
                }
                serde_json::Value::Null => {}
                other => panic!("{key} is {other}"),
            }
        }
        export.push(b'\n');
    }
    export
}

#[test]
fn mixed_stdin_drops_other_host_records() {
    // devvm's `-o json` or `-o export` journal piped in with devvm2's, whose serve unit of
    // carol was OOM-killed a second before carol's drop at 19:12:30. Only the entries'
    // `_HOSTNAME` names the host, and stdin cannot be read again for devvm alone.
    let bytes = std::fs::read(data("journal-modes/devvm-journal.json.json.gz")).unwrap();
    let mut devvm = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut devvm)
        .unwrap();
    let devvm2 = r#"{"__REALTIME_TIMESTAMP":"1781118749000000","_HOSTNAME":"devvm2","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"t3-serve@carol.service: A process of this unit has been killed by the OOM killer."}
{"__REALTIME_TIMESTAMP":"1781118749100000","_HOSTNAME":"devvm2","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"t3-serve@carol.service: Failed with result 'oom-kill'."}
"#;
    let json = format!("{devvm}{devvm2}");
    let mut others = incident_files("incident", true);
    others.retain(|f| !f.ends_with("devvm-journal.log"));
    let carol = |stdout: &str| -> (String, String) {
        let rows = parse_csv(stdout);
        let row = rows
            .iter()
            .find(|r| r["time"].starts_with("2026-06-10T19:12:30"))
            .unwrap_or_else(|| panic!("no drop at 19:12:30 in {stdout}"));
        (row["user"].clone(), row["segment"].clone())
    };

    for (mode, journal) in [
        ("json", json.clone().into_bytes()),
        ("export", json_to_export(&json)),
    ] {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "-q", "-"])
            .args(&others)
            .write_stdin(journal));
        assert_eq!(code, 0, "{mode}: {stderr}");
        assert!(
            stderr.contains("journal lines of other hosts: devvm2 (2 lines); "),
            "{mode}: {stderr}"
        );
        assert!(
            !stderr.contains("; 0 event(s) of theirs"),
            "{mode}: {stderr}"
        );
        assert_eq!(
            carol(&stdout),
            ("carol".to_string(), "last_mile".to_string()),
            "{mode}"
        );
    }
}

#[test]
fn fleet_stdin_drops_other_host_records() {
    // devvm's `-o json` journal piped in with those of 20 other hosts, the last of which had
    // carol's serve unit OOM-killed a second before carol's drop at 19:12:30.
    let bytes = std::fs::read(data("journal-modes/devvm-journal.json.json.gz")).unwrap();
    let mut json = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut json)
        .unwrap();
    for n in 0..20 {
        json.push_str(&format!(
            r#"{{"__REALTIME_TIMESTAMP":"1781118700000000","_HOSTNAME":"node{n:02}","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":"Accepted publickey for root from 10.0.0.9 port 40000 ssh2"}}"#
        ));
        json.push('\n');
    }
    json.push_str(r#"{"__REALTIME_TIMESTAMP":"1781118749000000","_HOSTNAME":"node19","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"t3-serve@carol.service: A process of this unit has been killed by the OOM killer."}"#);
    json.push('\n');
    let mut others = incident_files("incident", true);
    others.retain(|f| !f.ends_with("devvm-journal.log"));
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "-"])
        .args(&others)
        .write_stdin(json));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    let carol = rows
        .iter()
        .find(|r| r["time"].starts_with("2026-06-10T19:12:30"))
        .unwrap_or_else(|| panic!("no drop at 19:12:30 in {stdout}"));
    assert_eq!(carol["segment"], "last_mile", "{stderr}");
}

#[test]
fn whole_seconds_apart_hint_burst_window() {
    // Five closes in two neighbouring whole seconds: whole-second stamps one second apart may
    // be less than a second apart, so no drop is put on its user's own network.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("burst_cluster_path", dir.path(), |name, mut text| {
        if name == "devvm-journal.log" {
            for user in ["dave", "erin"] {
                let from = format!(
                    "2026-06-10T19:41:07+00:00 devvm t3-dispatch[812]: 2026/06/10 19:41:07 ws close user={user}"
                );
                let to = format!(
                    "2026-06-10T19:41:08+00:00 devvm t3-dispatch[812]: 2026/06/10 19:41:08 ws close user={user}"
                );
                assert!(text.contains(&from));
                text = text.replace(&from, &to);
            }
        }
        text
    });
    let rows = drops(&["-q"], &files);
    assert_eq!(rows.len(), 5, "{rows:?}");
    for row in &rows {
        assert_ne!(row["segment"], "last_mile", "{row:?}");
    }
    let hinted = rows
        .iter()
        .filter(|r| r["reason"].contains("--burst-window 2s"))
        .count();
    assert!(hinted >= 2, "{rows:?}");
}

#[test]
fn cloudflared_in_journal_is_no_pod() {
    // cloudflared run under systemd: its lines arrive inside the journal, which names no pod,
    // so the coverage line names the input the lines came from.
    let dir = tempfile::tempdir().unwrap();
    let mut journal = std::fs::read_to_string(data("incident/devvm-journal.log")).unwrap();
    journal.push_str(
        "2026-06-10T19:59:00+00:00 devvm cloudflared[900]: 2026-06-10T19:59:00Z INF Registered tunnel connection connIndex=0 event=0 ip=198.41.192.7 location=fra08 protocol=quic\n",
    );
    let path = dir.path().join("journal.log");
    std::fs::write(&path, journal).unwrap();
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("cloudflared "))
        .unwrap_or_else(|| panic!("no cloudflared coverage line: {stderr}"));
    assert!(line.contains("cloudflared in "), "{line}");
    assert!(line.contains("journal.log"), "{line}");
}

#[test]
fn freeze_cites_the_silence_edge() {
    // The first journal line after the silence in time order, and the last one before it when
    // the journal runs newest first.
    let files = scenario_logs("devvm_freeze_gap");
    let journal_path = files
        .iter()
        .find(|p| p.ends_with("devvm-journal.log"))
        .unwrap();
    let journal = std::fs::read_to_string(journal_path).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    let resume = lines
        .iter()
        .position(|l| l.starts_with("2026-06-10T19:41:45"))
        .unwrap();
    assert!(lines[resume - 1].starts_with("2026-06-10T19:40:57"));

    let rows = drops(&["-q"], &files);
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row["segment"], "devvm", "{row:?}");
        // The reason names the time of the last line before the silence.
        assert!(
            row["reason"].contains("no line after 2026-06-10T19:40:57Z until"),
            "{row:?}"
        );
        let cited = format!("devvm-journal.log:{}", resume + 1);
        assert!(
            row["evidence"].split(';').any(|e| e.ends_with(&cited)),
            "{row:?}"
        );
    }

    // Without the resolver line, alice's ws close is the first line after the silence: its
    // close event and its silence event cite the same line once.
    let dir = tempfile::tempdir().unwrap();
    let files_without = edited_scenario("devvm_freeze_gap", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        text.lines()
            .filter(|l| !(l.starts_with("2026-06-10T19:41:45") && l.contains("systemd-resolved")))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    for row in drops(&["-q"], &files_without) {
        let items: Vec<&str> = row["evidence"].split(';').collect();
        let mut unique = items.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(items.len(), unique.len(), "{row:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    let reversed: String = lines.iter().rev().map(|l| format!("{l}\n")).collect();
    let reversed_path = dir.path().join("devvm-journal.log");
    std::fs::write(&reversed_path, reversed).unwrap();
    let others: Vec<PathBuf> = files
        .iter()
        .filter(|p| *p != journal_path)
        .cloned()
        .collect();
    let rows = drops(&["-q"], &[vec![reversed_path], others].concat());
    // The line before the silence, 19:40:57, is line `resume` counted from the end.
    let before = lines.len() - (resume - 1);
    for row in &rows {
        assert_eq!(row["segment"], "devvm", "{row:?}");
        let cited = format!("devvm-journal.log:{before}");
        assert!(
            row["evidence"].split(';').any(|e| e.ends_with(&cited)),
            "{row:?}"
        );
    }
}

#[test]
fn lost_close_before_late_restart_is_no_orphan() {
    // dave's 19:16:45 close line is lost, and dispatch restarts at 19:59:56, long after
    // Traefik ended his socket and he reconnected: the restart did not orphan it. A socket
    // dispatch never closed is no clean last mile either: the journal lost a line there.
    let dir = tempfile::tempdir().unwrap();
    let files = incident_with_journal(dir.path(), |journal| {
        let mut edited: String = journal
            .lines()
            .filter(|l| !l.contains("ws close user=dave ip=198.51.100.14, 10.10.1.12 dur_ms=45222"))
            .map(|l| format!("{l}\n"))
            .collect();
        edited.push_str(
            "2026-06-10T19:59:56+00:00 devvm systemd[1]: Stopping t3-dispatch.service - t3 per-user dispatch + auto-pair ...\n\
             2026-06-10T19:59:57+00:00 devvm systemd[1]: Started t3-dispatch.service - t3 per-user dispatch + auto-pair .\n\
             2026-06-10T19:59:57+00:00 devvm t3-dispatch[9012]: 2026/06/10 19:59:57 t3-dispatch listening on :3780\n",
        );
        edited
    });

    let rows = drops(&["-q"], &files);
    let dave: Vec<&Row> = rows
        .iter()
        .filter(|r| r["user"] == "dave" && r["time"].starts_with("2026-06-10T19:16"))
        .collect();
    assert_eq!(dave.len(), 1, "{rows:?}");
    assert_eq!(dave[0]["segment"], "unknown", "{:?}", dave[0]);
    assert!(
        dave[0]["reason"].contains("no `ws close`, and no dispatch restart"),
        "{:?}",
        dave[0]
    );
    assert!(
        dave[0]["evidence"].contains("devvm-journal.log:"),
        "{:?}",
        dave[0]
    );
}

#[test]
fn unlogged_dispatch_restart_not_last_mile() {
    // The restart's systemd and `listening on` lines are lost (journald rate limiting drops
    // them too): alice's and carol's opens never get a close, dispatch comes back under a new
    // PID, and Traefik ends both sockets. Those opens are no clean journal, so neither drop is
    // the user's own network.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("dispatch_restart_orphans", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        text.lines()
            .filter(|l| !l.contains("t3-dispatch.service") && !l.contains("listening on"))
            .map(|l| format!("{l}\n"))
            .collect()
    });

    let rows = drops(&["-q"], &files);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row["segment"], "unknown", "{row:?}");
        assert!(row["reason"].contains("new t3-dispatch PID"), "{row:?}");
        assert!(row["evidence"].contains("devvm-journal.log:"), "{row:?}");
    }
}

#[test]
fn burst_of_orphans_counts_them() {
    // Two sockets orphaned by one restart make a burst with --burst-min 2. Its members share
    // the reason, which counts the orphans instead of speaking of one socket.
    let rows = drops(
        &["-q", "--burst-min", "2"],
        &scenario_logs("dispatch_restart_orphans"),
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row["segment"], "dispatch", "{row:?}");
        assert!(!row["burst_id"].is_empty(), "{row:?}");
        assert!(
            row["reason"].contains("and all 2 of the burst's sockets had a `ws open` and no"),
            "{row:?}"
        );
    }
}

#[test]
fn burst_of_orphans_counts_journal_opens() {
    // The journal starts after alice's `ws open`, so only Traefik saw her socket. The reason
    // counts the sockets dispatch logged open, and does not say that only they were open.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("dispatch_restart_orphans", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        text.lines()
            .filter(|line| !line.starts_with("2026-06-10T19:39") && !line.contains("19:40:1"))
            .map(|line| format!("{line}\n"))
            .collect()
    });
    let rows = drops(&["-q", "--burst-min", "2"], &files);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row["segment"], "dispatch", "{row:?}");
        assert!(
            row["reason"].contains("and 1 of the burst's 2 sockets had a `ws open` and no"),
            "{row:?}"
        );
    }
}

#[test]
fn refusal_on_unknown_port_is_no_last_mile() {
    // A dial refused 2 s before dave's isolated drop, to a port no dispatch line maps to a
    // user: some serve was down, so the path is not shown clean.
    let dir = tempfile::tempdir().unwrap();
    let refusal = "2026-06-10T19:16:43+00:00 devvm t3-dispatch[812]: 2026/06/10 19:16:43 http: proxy error: dial tcp 127.0.0.1:3799: connect: connection refused";
    let files = incident_with_journal(dir.path(), |journal| {
        let mut edited = String::new();
        for line in journal.lines() {
            if line.starts_with("2026-06-10T19:16:45") && line.contains("ws close user=dave") {
                edited.push_str(refusal);
                edited.push('\n');
            }
            edited.push_str(line);
            edited.push('\n');
        }
        edited
    });

    let dave_drop = |rows: &[Row]| -> Row {
        rows.iter()
            .find(|r| r["user"] == "dave" && r["time"].starts_with("2026-06-10T19:16:45"))
            .unwrap_or_else(|| panic!("no 19:16:45 drop of dave: {rows:?}"))
            .clone()
    };
    let row = dave_drop(&drops(&["-q"], &files));
    assert_eq!(row["segment"], "unknown", "{row:?}");
    assert!(row["reason"].contains("--serve-port USER=3799"), "{row:?}");

    let row = dave_drop(&drops(&["-q", "--serve-port", "dave=3799"], &files));
    assert_eq!(row["segment"], "t3_serve", "{row:?}");
}

#[test]
fn clients_exactly_a_second_apart_count_as_near() {
    // alice's close moved to 10:40:00.2, exactly a second before erin's: the five clients
    // still drop within a second of each of them, so none is put on its own network.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("burst_across_second", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        text.replace(
            "2026-06-10T10:40:00.800000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:40:00 ws close user=alice",
            "2026-06-10T10:40:00.200000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:40:00 ws close user=alice",
        )
    });
    let rows = drops(&["-q"], &files);
    let alice: Vec<&Row> = rows.iter().filter(|r| r["user"] == "alice").collect();
    assert_eq!(alice.len(), 1, "{rows:?}");
    assert!(
        alice[0]["time"].starts_with("2026-06-10T10:40:00.2"),
        "{:?}",
        alice[0]
    );
    assert_eq!(alice[0]["segment"], "unknown", "{:?}", alice[0]);
    assert!(
        alice[0]["reason"].contains("--burst-window 2s"),
        "{:?}",
        alice[0]
    );
}

#[test]
fn far_wide_burst_member_judged_alone() {
    // erin's short socket closes normally a minute before the dispatch restart that orphans
    // alice's and carol's. A 2 min burst window puts all three in one burst, whose dispatch
    // evidence lies outside erin's own window: her row must not say dispatch.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("dispatch_restart_orphans", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        let erin = "2026-06-10T19:40:20+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:20 ws open user=erin ip=203.0.113.58, 10.10.1.12\n\
                    2026-06-10T19:40:30+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:30 ws close user=erin ip=203.0.113.58, 10.10.1.12 dur_ms=10000 cause=graceful\n";
        let at = text.find("2026-06-10T19:40:03").unwrap();
        format!("{}{erin}{}", &text[..at], &text[at..])
    });
    let rows = drops(&["-q", "--burst-min", "3", "--burst-window", "2m"], &files);
    let erin: Vec<&Row> = rows.iter().filter(|r| r["user"] == "erin").collect();
    assert_eq!(erin.len(), 1, "{rows:?}");
    assert!(!erin[0]["burst_id"].is_empty(), "{:?}", erin[0]);
    assert_ne!(erin[0]["segment"], "dispatch", "{:?}", erin[0]);
    assert!(
        erin[0]["reason"].contains("that evidence lies outside this drop's window"),
        "{:?}",
        erin[0]
    );
    let orphans: Vec<&Row> = rows.iter().filter(|r| r["user"] != "erin").collect();
    assert_eq!(orphans.len(), 2, "{rows:?}");
    for row in orphans {
        assert_eq!(row["segment"], "dispatch", "{row:?}");
    }
}

#[test]
fn drops_a_second_apart_stay_in_their_burst() {
    // Four clients drop at 10:05:00.1-0.4 and six at 01.6-02.1. A 2 s window from the first
    // drop would take nine and leave the tenth, 0.1 s after the ninth, out. The six drops
    // less than a second apart stay together as one burst instead.
    let closes = [
        "00.100", "00.200", "00.300", "00.400", "01.600", "01.700", "01.800", "01.900", "02.000",
        "02.100",
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = close_journal(dir.path(), &closes);

    let rows = drops(&["-q", "--burst-window", "2s"], &[path]);
    assert_eq!(rows.len(), 10, "{rows:?}");
    for user in ["u05", "u06", "u07", "u08", "u09", "u10"] {
        let row = rows.iter().find(|r| r["user"] == user).unwrap();
        assert_eq!(row["burst_id"], "B001", "{row:?}");
    }
    for user in ["u01", "u02", "u03", "u04"] {
        let row = rows.iter().find(|r| r["user"] == user).unwrap();
        assert!(row["burst_id"].is_empty(), "{row:?}");
        assert_ne!(row["segment"], "last_mile", "{row:?}");
    }
}

#[test]
fn cancel_lines_join_their_own_burst() {
    // Mass drops at 10:04 (6 clients), 10:08 (6) and 10:16 (7), cancel lines only in the
    // first two seconds. A 10 min window is fullest from 10:08, so 10:04 is a burst of its
    // own, and the cancel lines of each second go to that second's burst.
    let mut lines = Vec::new();
    let mut user = 0;
    for (minute, clients, cancels) in [("04", 6, true), ("08", 6, true), ("16", 7, false)] {
        for n in 1..=clients {
            user += 1;
            lines.push(format!(
                "2026-06-10T10:{minute}:00.000000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:{minute}:00 ws open user=u{user:02} ip=203.0.113.{user}\n"
            ));
            lines.push(format!(
                "2026-06-10T10:{minute}:30.{n}00000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:{minute}:30 ws close user=u{user:02} ip=203.0.113.{user} dur_ms={} cause=graceful\n",
                30_000 + n * 100
            ));
            if cancels {
                lines.push(format!(
                    "2026-06-10T10:{minute}:30.{n}50000+00:00 devvm t3-dispatch[812]: 2026/06/10 10:{minute}:30 http: proxy error: context canceled\n"
                ));
            }
        }
    }
    lines.sort();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, lines.concat()).unwrap();

    let (stdout, stderr, code) = run(t3()
        .args(["bursts", "-q", "--format", "csv", "--burst-window", "10m"])
        .arg(&path));
    assert_eq!(code, 0, "{stderr}");
    let rows = parse_csv(&stdout);
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0]["drops"], "6", "{:?}", rows[0]);
    assert_eq!(rows[0]["cancels"], "6", "{:?}", rows[0]);
    assert_eq!(rows[1]["drops"], "13", "{:?}", rows[1]);
    assert_eq!(rows[1]["cancels"], "6", "{:?}", rows[1]);
}

#[test]
fn drop_just_past_a_wide_burst_is_near() {
    // Eight clients drop from 10:05:00.0 to 01.9, a run under a second apart that a 2 s
    // window takes whole. The ninth, at 02.2, would stretch the run past the window, so it is
    // left out, yet five of the burst's clients dropped within a second of it.
    let closes = [
        "00.000", "00.500", "01.000", "01.500", "01.600", "01.700", "01.800", "01.900", "02.200",
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = close_journal(dir.path(), &closes);

    let rows = drops(&["-q", "--burst-window", "2s"], &[path]);
    assert_eq!(rows.len(), 9, "{rows:?}");
    let last = rows.iter().find(|r| r["user"] == "u09").unwrap();
    assert!(last["burst_id"].is_empty(), "{last:?}");
    assert_eq!(last["segment"], "unknown", "{last:?}");
    assert!(
        last["reason"].contains("clients dropped within a second of it"),
        "{last:?}"
    );
}

#[test]
fn burst_late_close_reason_names_its_sockets() {
    // Traefik ends burst members' sockets 12 s before dispatch logs their closes at 19:40:07.
    // The members share the reason, so the reason names whose sockets lagged, not "the socket".
    let traefik = std::fs::read_to_string(data("incident/traefik-access.log")).unwrap();
    // The burst sockets' Traefik lines, by client and the start in their bracket.
    let with_late = |sockets: &[(&str, &str)]| -> String {
        traefik
            .lines()
            .map(|line| {
                let late = sockets.iter().any(|(client, start)| {
                    line.starts_with(&format!("{client} - - [10/Jun/2026:{start} "))
                        && line.contains("\"GET /ws ")
                });
                let edited = match line.rsplit_once(' ') {
                    Some((head, dur)) if late => {
                        let ms: u64 = dur.trim_end_matches("ms").parse().unwrap();
                        format!("{head} {}ms", ms - 12_000)
                    }
                    _ => line.to_string(),
                };
                format!("{edited}\n")
            })
            .collect()
    };
    let burst_rows = |sockets: &[(&str, &str)]| -> Vec<Row> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("traefik-access.log");
        std::fs::write(&path, with_late(sockets)).unwrap();
        let mut files = incident_files("incident", true);
        files[1] = path;
        drops(&["-q"], &files)
            .into_iter()
            .filter(|r| r["burst_id"] == "B001")
            .collect()
    };

    let alice = ("203.0.113.7", "19:24:10");
    let bob = ("203.0.113.22", "19:20:12");
    let rows = burst_rows(&[alice]);
    assert_eq!(rows.len(), 5, "{rows:?}");
    for row in &rows {
        assert_eq!(row["segment"], "devvm", "{row:?}");
        assert!(
            row["reason"].starts_with("Traefik ended alice's socket 12 s before"),
            "{row:?}"
        );
    }

    let rows = burst_rows(&[alice, bob]);
    for row in &rows {
        assert!(
            row["reason"].starts_with("Traefik ended 2 of the 5 sockets 12 s before"),
            "{row:?}"
        );
    }
}

#[test]
fn gateway_error_is_no_clean_last_mile() {
    // Traefik logged a 502 for a WebSocket request that dispatch never logged, and no line
    // explains it (the refused dial is gone). Traefik could not reach dispatch, so the
    // user's network is not to blame.
    let dir = tempfile::tempdir().unwrap();
    let files = edited_scenario("serve_refused_no_user", dir.path(), |name, text| {
        if name != "devvm-journal.log" {
            return text;
        }
        text.lines()
            .filter(|line| !line.contains("connection refused"))
            .map(|line| format!("{line}\n"))
            .collect()
    });
    let rows = drops(&["-q"], &files);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["segment"], "unknown", "{:?}", rows[0]);
    assert!(
        rows[0]["reason"].starts_with("Traefik answered 502"),
        "{:?}",
        rows[0]
    );
}

#[test]
fn unread_stdin_pipe_warns() {
    let journal = std::fs::read(data("incident/devvm-journal.log")).unwrap();
    let traefik = data("incident/traefik-access.log");

    // The journal piped in, but only the Traefik log named.
    let (_, stderr, code) = run(t3().arg("drops").arg(&traefik).write_stdin(journal.clone()));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("stdin is a pipe with data in it, but no input is `-`"),
        "{stderr}"
    );

    // With `-` among the inputs, stdin is read and nothing warns.
    let (_, stderr, code) = run(t3().args(["drops", "-"]).arg(&traefik).write_stdin(journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("stdin is"), "{stderr}");

    // stdin left as the test harness has it (an empty pipe or `/dev/null`) warns of nothing.
    let (_, stderr, code) = run(t3().arg("drops").arg(&traefik));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("stdin is"), "{stderr}");

    // Neither does a redirected file, as in `while read f; do ...; done < list`.
    let list = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(list.path(), "a.log\nb.log\n").unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("t3forensics"))
        .arg("drops")
        .arg(&traefik)
        .stdin(std::fs::File::open(list.path()).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("stdin is"), "{stderr}");
}
