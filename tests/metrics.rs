//! CLI tests of the probe and pressure metrics on the testdata incident: with
//! `testdata/metrics/` added, the drops the logs alone cannot place get the segment the probe
//! shows, with metric samples as evidence; without them the verdicts are the logs' own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

type Row = BTreeMap<String, String>;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

fn metrics() -> Vec<PathBuf> {
    ["probe.json", "probe-rtt.json", "pressure.json"]
        .iter()
        .map(|f| data(&format!("metrics/{f}")))
        .collect()
}

fn all_logs() -> Vec<PathBuf> {
    let mut files = vec![
        data("incident/devvm-journal.log"),
        data("incident/traefik-access.log"),
    ];
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        files.push(data(&format!("incident/cloudflared-6f7c9d8b5-{pod}.log")));
    }
    files
}

fn run(args: &[&str], files: &[PathBuf]) -> (String, String) {
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(args)
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

fn drops(files: &[PathBuf]) -> Vec<Row> {
    let (stdout, _) = run(&["drops", "-q", "--format", "csv"], files);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
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

/// The truth rows in order: (user, segment with all sources, segment from the journal alone).
fn truth() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(data("incident/truth.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[2].to_string(),
                cells[5].to_string(),
                cells[6].to_string(),
            )
        })
        .collect()
}

fn with(mut files: Vec<PathBuf>, more: &[PathBuf]) -> Vec<PathBuf> {
    files.extend_from_slice(more);
    files
}

#[test]
fn journal_and_metrics_match_full_truth() {
    let rows = drops(&with(vec![data("incident/devvm-journal.log")], &metrics()));
    let truth = truth();
    assert_eq!(rows.len(), truth.len());
    let mut expected: Vec<(String, String)> = truth
        .into_iter()
        .map(|(user, all, _)| (user, all))
        .collect();
    let mut actual: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["user"].clone(), r["segment"].clone()))
        .collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn probe_only_verdicts_cite_the_samples() {
    let rows = drops(&with(vec![data("incident/devvm-journal.log")], &metrics()));
    for row in &rows {
        match row["segment"].as_str() {
            "last_mile" => {
                assert_eq!(row["confidence"], "medium");
                assert!(
                    row["reason"].contains("rests on the probe"),
                    "{}",
                    row["reason"]
                );
            }
            "cloudflare" | "cluster_path" => assert!(
                row["evidence"].contains("testdata/metrics/probe.json:1"),
                "{}: {}",
                row["drop_id"],
                row["evidence"]
            ),
            _ => {}
        }
    }
    let churn: Vec<&Row> = rows
        .iter()
        .filter(|r| r["segment"] == "cloudflare")
        .collect();
    assert_eq!(churn.len(), 2);
    // t3probe_last_disconnect_timestamp dates the churn exactly, so the verdict does not rest
    // on the 15 s samples alone.
    assert!(
        churn[0]["reason"].contains("disconnected (io_error) at 2026-06-10T19:50:18Z"),
        "{}",
        churn[0]["reason"]
    );
    assert!(
        !churn[0]["reason"].contains("15 s apart"),
        "{}",
        churn[0]["reason"]
    );
}

#[test]
fn without_metrics_the_journal_verdicts_return() {
    let rows = drops(&[data("incident/devvm-journal.log")]);
    let truth = truth();
    assert_eq!(rows.len(), truth.len());
    let mut expected: Vec<(String, String)> = truth
        .into_iter()
        .map(|(user, _, journal_only)| (user, journal_only))
        .collect();
    let mut actual: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["user"].clone(), r["segment"].clone()))
        .collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn all_sources_and_clean_metrics_make_last_mile_high() {
    let rows = drops(&with(all_logs(), &metrics()));
    let truth = truth();
    assert_eq!(rows.len(), truth.len());
    let mut expected: Vec<(String, String)> = truth
        .into_iter()
        .map(|(user, all, _)| (user, all))
        .collect();
    let mut actual: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["user"].clone(), r["segment"].clone()))
        .collect();
    expected.sort();
    actual.sort();
    assert_eq!(actual, expected);
    for row in rows.iter().filter(|r| r["segment"] == "last_mile") {
        assert_eq!(row["confidence"], "high", "{}", row["reason"]);
    }
    let plain = drops(&all_logs());
    for row in plain.iter().filter(|r| r["segment"] == "last_mile") {
        assert_ne!(row["confidence"], "high", "logs alone never give high");
    }
}

#[test]
fn pressure_splits_one_user_from_several() {
    let files = vec![
        data("incident/devvm-journal.log"),
        data("metrics/probe.json"),
        data("metrics-variants/pressure-at-drops.json"),
    ];
    let rows = drops(&files);
    let dave = rows
        .iter()
        .find(|r| r["time"].starts_with("2026-06-10T19:16:45"))
        .unwrap();
    assert_eq!(dave["segment"], "t3_serve", "{}", dave["reason"]);
    assert!(
        dave["reason"].contains("only dave dropped"),
        "{}",
        dave["reason"]
    );
    assert!(
        dave["evidence"].contains("pressure-at-drops.json:1"),
        "{}",
        dave["evidence"]
    );
    let burst: Vec<&Row> = rows.iter().filter(|r| !r["burst_id"].is_empty()).collect();
    assert_eq!(burst.len(), 5);
    for row in burst {
        assert_eq!(row["segment"], "devvm", "{}", row["reason"]);
        assert!(row["reason"].contains("IO pressure"), "{}", row["reason"]);
    }
}

#[test]
fn summary_shows_missing_scrapes_and_inputs() {
    let (_, stderr) = run(
        &["drops"],
        &with(vec![data("incident/devvm-journal.log")], &metrics()),
    );
    assert!(
        stderr.contains("probe leg cloudflare 2026-06-10T19:00:05Z to 2026-06-10T19:59:50Z"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 gap(s): 2026-06-10T19:30:21Z..2026-06-10T19:30:50Z"),
        "the scrape missed during the probe restart: {stderr}"
    );
    assert!(stderr.contains("devvm pressure"), "{stderr}");
    assert!(
        stderr.contains("probe.json (prometheus): 12 series read = 12 used"),
        "a Prometheus response is counted in series, not lines: {stderr}"
    );
}

#[test]
fn probe_restart_counter_reset_is_no_disconnect() {
    let (stdout, _) = run(&["timeline", "-q", "--format", "csv"], &metrics());
    let disconnects: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("probe_disconnect"))
        .collect();
    // The probe restarted at 19:30:30 and its counters fell to 0: only the three real
    // disconnects (burst on two legs, churn on one) are events.
    assert_eq!(disconnects.len(), 3, "{disconnects:#?}");
    assert!(stdout.contains("pressure_episode"), "the 19:05 IO episode");
    assert!(
        !stdout.contains("probe_rtt_spike"),
        "every round trip under 1 s"
    );
}

#[test]
fn explain_names_the_probe_rule_and_sample() {
    let files = with(vec![data("incident/devvm-journal.log")], &metrics());
    let (stdout, _) = run(&["explain", "D0011"], &files);
    assert!(stdout.contains("probe_cloudflare_leg_down"), "{stdout}");
    assert!(
        stdout.contains("@1781121020"),
        "the sample's epoch time: {stdout}"
    );
}

#[test]
fn grafana_csv_is_detected() {
    let dir = data("scenarios/probe_settles_journal_only");
    let (_, stderr) = run(
        &["drops"],
        &[dir.join("probe.grafana.csv"), dir.join("devvm-journal.log")],
    );
    assert!(
        stderr.contains("probe.grafana.csv (grafana-csv)"),
        "{stderr}"
    );
}

#[test]
fn metrics_without_series_are_warned() {
    // An empty result, and a probe series without its `leg` label: both read cleanly and add
    // nothing, so each gets a warning. The sample's own metrics get none.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(
        &empty,
        r#"{"status": "success", "data": {"resultType": "matrix", "result": []}}"#,
    )
    .unwrap();
    let unlabelled = dir.path().join("probe.json");
    std::fs::write(
        &unlabelled,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"t3probe_connected","job":"t3probe"},"values":[[1781118000,"1"],[1781118015,"1"]]}]}}"#,
    )
    .unwrap();
    let files = with(all_logs(), &[empty, unlabelled]);
    let (_, stderr) = run(&["drops", "-q"], &files);
    for name in ["empty.json", "probe.json"] {
        assert!(
            stderr.contains(&format!("{name}: no sample of the probe's legs")),
            "{name}: {stderr}"
        );
    }
    let (_, stderr) = run(&["drops", "-q"], &with(all_logs(), &metrics()));
    assert!(!stderr.contains("no sample of"), "{stderr}");
}
