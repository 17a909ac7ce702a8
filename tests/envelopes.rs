//! CLI tests of envelopes: the incident of `testdata/incident/`, exported through logcli,
//! kubectl, the container runtime and `journalctl -o export` (`testdata/envelopes/`, written by
//! `testdata/envelopes/generate.py`), must yield the same drops as the plain files.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

/// Runs `drops` and returns the drops as (second, user, client_ip, dur_ms, segment), sorted,
/// and stderr. Evidence file names differ between forms, so they are left out.
fn drops(files: &[PathBuf]) -> (Vec<[String; 5]>, String) {
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .arg("drops")
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let mut reader = csv::Reader::from_reader(&output.stdout[..]);
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (time, user, client, dur, segment) = (
        column("time"),
        column("user"),
        column("client_ip"),
        column("dur_ms"),
        column("segment"),
    );
    let mut rows: Vec<[String; 5]> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            [
                r[time][..19].to_string(),
                r[user].to_string(),
                r[client].to_string(),
                r[dur].to_string(),
                r[segment].to_string(),
            ]
        })
        .collect();
    rows.sort();
    (rows, stderr)
}

fn plain() -> Vec<[String; 5]> {
    let mut files = vec![
        data("incident/devvm-journal.log"),
        data("incident/traefik-access.log"),
    ];
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        files.push(data(&format!("incident/cloudflared-6f7c9d8b5-{pod}.log")));
    }
    let (rows, _) = drops(&files);
    assert_eq!(rows.len(), 12, "the plain incident has 12 drops");
    rows
}

#[test]
fn logcli_jsonl_with_all_streams_matches_plain() {
    let (rows, stderr) = drops(&[data("envelopes/incident.logcli.jsonl.gz")]);
    assert_eq!(rows, plain());
    assert!(stderr.contains("(logcli-jsonl)"), "{stderr}");
    assert!(
        stderr.contains("6 entries repeated with the same time, labels and line"),
        "{stderr}"
    );
    assert!(stderr.contains("0 malformed"), "{stderr}");
}

#[test]
fn kubectl_prefixed_files_match_plain() {
    let (rows, stderr) = drops(&[
        data("incident/devvm-journal.log"),
        data("envelopes/traefik.kubectl.log.gz"),
        data("envelopes/cloudflared.kubectl.log.gz"),
    ]);
    assert_eq!(rows, plain());
    // One kubectl file holds all three pods, and coverage is still kept per pod.
    assert!(
        stderr.contains("cloudflared pod cloudflared-6f7c9d8b5-z8w3t"),
        "{stderr}"
    );
}

#[test]
fn journal_export_and_runtime_file_match_plain() {
    let (rows, stderr) = drops(&[
        data("envelopes/devvm-journal.export.gz"),
        data("envelopes/traefik.cri.log.gz"),
        data("envelopes/cloudflared.kubectl.log.gz"),
    ]);
    assert_eq!(rows, plain());
    assert!(
        stderr.contains("(journal-export): 2011 entries read"),
        "{stderr}"
    );
    assert!(stderr.contains("(kubectl)"), "{stderr}");
}

#[test]
fn forced_envelope_type_is_accepted() {
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--input-type", "journal-export"])
        .arg(data("envelopes/devvm-journal.export.gz"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["drops", "-q", "--input-type", "envelope"])
        .arg(data("envelopes/devvm-journal.export.gz"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("logcli-jsonl"), "{stderr}");
}

#[test]
fn export_commands_print_the_window() {
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args([
            "export-commands",
            "--since",
            "2026-06-10T19:00:00Z",
            "--until",
            "2026-06-10T20:00:00Z",
            "--namespace-traefik",
            "edge",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("journalctl -o short-iso-precise"),
        "{stdout}"
    );
    assert!(stdout.contains("kubectl logs -n edge"), "{stdout}");
    assert!(
        stdout.contains("--timestamps --prefix --since-time=2026-06-10T19:00:00Z"),
        "{stdout}"
    );
    assert!(
        stdout.contains("logcli query --forward --output=jsonl"),
        "{stdout}"
    );
    assert!(stdout.contains(r#"'{namespace="edge"}'"#), "{stdout}");
}

#[test]
fn file_name_names_pod_of_unlabelled_lines() {
    // A logcli query for one pod prints `{}` on every line: the file name is the pod's.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cloudflared-6f7c9d8b5-k2x9p.logcli.txt");
    std::fs::write(
        &path,
        "2026-06-10T19:41:00Z {} 2026-06-10T19:41:00Z ERR Initiating shutdown error=\"cloudflared has been updated to version 2026.6.0\"\n\
         2026-06-10T19:41:04Z {} 2026-06-10T19:41:04Z INF Starting tunnel tunnelID=00000000-0000-4000-8000-000000000001\n",
    )
    .unwrap();
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .args(["timeline", "--format", "csv"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for row in rows {
        assert!(row.contains(",cloudflared-6f7c9d8b5-k2x9p,"), "{row}");
    }
}

#[test]
fn exports_without_rows_are_warned() {
    // A Grafana text download of a query that returned no rows keeps its meta lines, and a
    // JSON download is an empty array. Neither stops the run, and both are named.
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("journal.grafana.txt");
    std::fs::write(
        &text,
        "Common labels: {\"host\":\"devvm\",\"job\":\"devvm-journal\"}\n\
         Line limit: \"1000 (0 returned)\"\n\
         Total bytes processed: \"0 B\"\n\n\n",
    )
    .unwrap();
    let json = dir.path().join("traefik.grafana.json");
    std::fs::write(&json, "[]\n").unwrap();
    let mut files = vec![text, json];
    files.push(data("incident/traefik-access.log"));
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .arg("drops")
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for name in ["journal.grafana.txt", "traefik.grafana.json"] {
        assert!(
            stderr.contains(&format!("{name}: the export contains no log entry")),
            "{name}: {stderr}"
        );
    }
    assert!(stderr.contains("(grafana-text)"), "{stderr}");

    // An export with rows gets no such warning.
    let (_, stderr) = drops(&[data("envelopes/incident.logcli.jsonl.gz")]);
    assert!(!stderr.contains("no log entry"), "{stderr}");
}

/// Reads a gzip file of `testdata/` as text.
fn gunzip(path: &str) -> String {
    let bytes = std::fs::read(data(path)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    text
}

/// Returns a time in nanoseconds since the epoch as Loki's API writes it: a string of digits.
fn epoch_ns(rfc3339: &str) -> String {
    let time = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    time.timestamp_nanos_opt().unwrap().to_string()
}

/// Groups logcli jsonl entries into Loki API streams (label set, `[ns, line]` pairs), keeping
/// each stream's entry order, in the order the streams first appear.
fn loki_streams(jsonl: &str) -> Vec<serde_json::Value> {
    let mut streams: Vec<(serde_json::Value, Vec<serde_json::Value>)> = Vec::new();
    for line in jsonl.lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let pair = serde_json::json!([
            epoch_ns(entry["timestamp"].as_str().unwrap()),
            entry["line"]
        ]);
        match streams
            .iter_mut()
            .find(|(labels, _)| *labels == entry["labels"])
        {
            Some((_, values)) => values.push(pair),
            None => streams.push((entry["labels"].clone(), vec![pair])),
        }
    }
    streams
        .into_iter()
        .map(|(labels, values)| serde_json::json!({"stream": labels, "values": values}))
        .collect()
}

/// Wraps streams in a `query_range` response.
fn loki_response(streams: &[serde_json::Value]) -> serde_json::Value {
    serde_json::json!({
        "status": "success",
        "data": {"resultType": "streams", "result": streams, "stats": {"summary": {}}}
    })
}

#[test]
fn loki_api_response_matches_plain() {
    // The logcli export of the incident as two query_range pages appended to one file, one
    // compact as curl saves it and one pretty-printed as `jq .` writes it.
    let streams = loki_streams(&gunzip("envelopes/incident.logcli.jsonl.gz"));
    let half = streams.len() / 2;
    let text = format!(
        "{}\n{}\n",
        loki_response(&streams[..half]),
        serde_json::to_string_pretty(&loki_response(&streams[half..])).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loki.json");
    std::fs::write(&path, text).unwrap();

    let (rows, stderr) = drops(std::slice::from_ref(&path));
    assert_eq!(rows, plain());
    assert!(stderr.contains("(loki-api)"), "{stderr}");
    assert!(
        stderr.contains("6 entries repeated with the same time, labels and line"),
        "{stderr}"
    );
    assert!(stderr.contains(" 0 malformed"), "{stderr}");
    assert!(!stderr.contains("probe"), "{stderr}");
}

/// Returns the journal of the incident (`journalctl -o json`) as logcli jsonl entries with
/// full journal labels, in the journal's order.
fn journal_as_logcli_jsonl() -> String {
    journal_as_logcli_jsonl_shifted(0, false)
}

/// Returns the journal as `journal_as_logcli_jsonl` does, with every entry time moved by
/// `shift` microseconds (a devvm clock that far ahead) and, when `whole_seconds` is set, cut to
/// the second as a promtail `timestamp` stage or a syslog source leaves it.
fn journal_as_logcli_jsonl_shifted(shift: i64, whole_seconds: bool) -> String {
    let mut out = String::new();
    for line in gunzip("journal-modes/devvm-journal.json.json.gz").lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        // A message that is not UTF-8 is an array of bytes, which the jsonl cannot carry.
        let Some(message) = entry["MESSAGE"].as_str() else {
            continue;
        };
        let micros: i64 = entry["__REALTIME_TIMESTAMP"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            + shift;
        let micros = if whole_seconds {
            micros - micros.rem_euclid(1_000_000)
        } else {
            micros
        };
        let time = chrono::DateTime::from_timestamp_micros(micros)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        // devvm's clock writes the serve header's time of day too.
        let message = shift_header_hour(message, shift / 3_600_000_000);
        let mut labels = serde_json::json!({"job": "devvm-journal"});
        for (field, label) in [
            ("SYSLOG_IDENTIFIER", "syslog_identifier"),
            ("_SYSTEMD_UNIT", "unit"),
        ] {
            if let Some(value) = entry[field].as_str() {
                labels[label] = value.into();
            }
        }
        let entry = serde_json::json!({"labels": labels, "line": message, "timestamp": time});
        out.push_str(&format!("{entry}\n"));
    }
    out
}

#[test]
fn missing_pod_warned_in_every_journal_form() {
    // The incident's journal in each form, with Traefik and two of the three pod logs: the
    // pod addresses in dispatch's `ip=` chains must be read from every form's lines.
    let json = gunzip("journal-modes/devvm-journal.json.json.gz");
    let jsonl = journal_as_logcli_jsonl();
    let grafana: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap();
            serde_json::json!({
                "line": entry["line"],
                "timestamp": epoch_ns(entry["timestamp"].as_str().unwrap()),
                "fields": entry["labels"],
            })
        })
        .collect();
    // (form, the input type the summary names, the journal text)
    let forms = [
        ("json", "journal-json", json.clone()),
        (
            "json-seq",
            "journal-json",
            json.lines().map(|line| format!("\x1e{line}\n")).collect(),
        ),
        (
            "json-sse",
            "journal-json",
            json.lines()
                .map(|line| format!("data: {line}\n\n"))
                .collect(),
        ),
        ("logcli-jsonl", "logcli-jsonl", jsonl.clone()),
        (
            "loki-api",
            "loki-api",
            loki_response(&loki_streams(&jsonl)).to_string(),
        ),
        (
            "grafana-json",
            "grafana-json",
            serde_json::Value::from(grafana).to_string(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut journals: Vec<(&str, &str, PathBuf)> = vec![(
        "export",
        "journal-export",
        data("envelopes/devvm-journal.export.gz"),
    )];
    for (form, input_type, text) in &forms {
        let path = dir.path().join(format!("devvm-journal.{form}"));
        std::fs::write(&path, text).unwrap();
        journals.push((form, input_type, path));
    }

    for (form, input_type, journal) in journals {
        let output = Command::cargo_bin("t3forensics")
            .unwrap()
            .arg("drops")
            .arg(&journal)
            .arg(data("incident/traefik-access.log"))
            .arg(data("incident/cloudflared-6f7c9d8b5-k2x9p.log"))
            .arg(data("incident/cloudflared-6f7c9d8b5-m4q7r.log"))
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(0), "{form}: {stderr}");
        assert!(
            stderr.contains(&format!("({input_type})")),
            "{form}: {stderr}"
        );
        assert!(
            stderr.contains("name 3 cloudflared pod addresses"),
            "{form}: {stderr}"
        );
        assert!(
            stderr.contains("but 2 pod log(s) were given"),
            "{form}: {stderr}"
        );
        let mut reader = csv::Reader::from_reader(&output.stdout[..]);
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (segment, confidence) = (column("segment"), column("confidence"));
        let mut lowered = 0;
        for record in reader.records() {
            let record = record.unwrap();
            if matches!(&record[segment], "last_mile" | "cluster_path") {
                assert_eq!(&record[confidence], "low", "{form}: {record:?}");
                lowered += 1;
            }
        }
        assert_eq!(
            lowered, 7,
            "{form}: the incident's last_mile and cluster_path rows"
        );
    }
}

/// Moves the hour of a serve header's `[HH:MM:SS.mmm]` time of day by `hours`.
fn shift_header_hour(message: &str, hours: i64) -> String {
    match message
        .strip_prefix('[')
        .map(|rest| (rest.get(..2).map(str::parse::<i64>), rest))
    {
        Some((Some(Ok(hour)), rest)) => {
            format!("[{:02}{}", (hour + hours).rem_euclid(24), &rest[2..])
        }
        _ => message.to_string(),
    }
}

/// Runs `drops` on a journal text (written as `devvm-journal.jsonl`) with the plain Traefik and
/// cloudflared logs of the incident, and returns stdout and stderr.
fn drops_with_journal(journal: &str, args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.jsonl");
    std::fs::write(&path, journal).unwrap();
    let mut command = Command::cargo_bin("t3forensics").unwrap();
    command
        .arg("drops")
        .args(args)
        .arg(&path)
        .arg(data("incident/traefik-access.log"));
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        command.arg(data(&format!("incident/cloudflared-6f7c9d8b5-{pod}.log")));
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn hour_off_loki_journal_names_skew() {
    // devvm's clock an hour ahead, exported from Loki: entry times carry their UTC offset, so
    // --tz cannot move them, and only --skew helps.
    let journal = journal_as_logcli_jsonl_shifted(3_600_000_000, false);
    let (_, stderr) = drops_with_journal(&journal, &[]);
    assert!(
        stderr.contains("carry their UTC offset, so --tz does not change them"),
        "{stderr}"
    );
    assert!(stderr.contains("--skew 3600"), "{stderr}");
    assert!(!stderr.contains("set --tz"), "{stderr}");

    // With the offset given, no advice on the offset is left to give.
    let (stdout, stderr) = drops_with_journal(&journal, &["--skew", "3600"]);
    assert!(stderr.contains("(set with --skew)"), "{stderr}");
    assert!(!stderr.contains("--tz"), "{stderr}");
    assert!(!stderr.contains("give the offset"), "{stderr}");
    assert_eq!(stdout.lines().count(), 1 + 12, "{stdout}");
}

/// Returns the `time` column of `drops` CSV output, sorted.
fn drop_times(stdout: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let time = headers.iter().position(|h| h == "time").unwrap();
    let mut times: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[time].to_string())
        .collect();
    times.sort();
    times
}

#[test]
fn whole_second_loki_journal_measures_no_offset() {
    // A logcli jsonl journal whose times all lie on the whole second carries no more than the
    // whole-second `short-iso` journal does, so both give the same clock statement and times.
    let journal = journal_as_logcli_jsonl_shifted(0, true);
    let (stdout, stderr) = drops_with_journal(&journal, &[]);
    assert!(
        stderr.contains("clock offset: devvm and the cluster agree (within ±0.5 s"),
        "{stderr}"
    );

    let plain = Command::cargo_bin("t3forensics")
        .unwrap()
        .arg("drops")
        .arg(data("incident/devvm-journal.log"))
        .arg(data("incident/traefik-access.log"))
        .args(
            ["k2x9p", "m4q7r", "z8w3t"]
                .map(|pod| data(&format!("incident/cloudflared-6f7c9d8b5-{pod}.log"))),
        )
        .output()
        .unwrap();
    let plain_stdout = String::from_utf8(plain.stdout).unwrap();
    assert_eq!(drop_times(&stdout), drop_times(&plain_stdout));
    assert_eq!(drop_times(&stdout).len(), 12, "{stdout}");
}

#[test]
fn berlin_serve_headers_keep_entry_instant() {
    // A Berlin devvm's journal through Loki without --tz: entry times are exact, but the serve
    // headers' `[HH:MM:SS.mmm]` is Berlin time. Headers must land at their entries' instants.
    let journal: String = journal_as_logcli_jsonl()
        .lines()
        .map(|line| {
            let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
            entry["line"] = shift_header_hour(entry["line"].as_str().unwrap(), 2).into();
            format!("{entry}\n")
        })
        .collect();
    let (stdout, stderr) = drops_with_journal(&journal, &[]);
    // Every header is compared, not only those that became events: the incident journal has
    // 763 serve header lines, the first on line 2.
    assert!(
        stderr.contains(
            "763 of 763 t3 serve header time(s) of day differ from their entries' exact times \
             when read in --tz (the first on line 2, by +2.0 h)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("set --tz to devvm's zone"), "{stderr}");
    let (plain_stdout, _) = drops_with_journal(&journal_as_logcli_jsonl(), &[]);
    assert_eq!(drop_evidence(&stdout), drop_evidence(&plain_stdout));
}

/// Returns each drop of `drops` CSV output as its time, segment and number of evidence lines.
fn drop_evidence(stdout: &str) -> Vec<(String, String, usize)> {
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (time, segment, evidence) = (column("time"), column("segment"), column("evidence"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[time].to_string(),
                r[segment].to_string(),
                r[evidence].split(';').count(),
            )
        })
        .collect()
}

/// The four users of the Grafana downloads below, and their clients.
const FOUR_USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];
const FOUR_CLIENTS: [&str; 4] = [
    "203.0.113.7",
    "203.0.113.22",
    "203.0.113.35",
    "198.51.100.14",
];

/// Writes the t3-dispatch journal of four clients that drop in the same second, with four
/// `context canceled` lines 10 ms apart, as a Grafana Explore text download, newest first.
/// `repeat` writes the newest cancel line twice on the same millisecond, as a page boundary
/// of the download does.
fn four_drops_grafana_text(repeat: bool) -> String {
    let mut rows: Vec<(i64, String)> = Vec::new();
    // 2026-06-10T19:40:07Z in milliseconds.
    let second = 1_781_120_407_000_i64;
    for (n, (user, client)) in FOUR_USERS.iter().zip(FOUR_CLIENTS).enumerate() {
        let n = n as i64;
        rows.push((
            second - 37_000 + 100 * n,
            format!("2026/06/10 19:39:30 ws open user={user} ip={client}, 10.10.1.12"),
        ));
        rows.push((
            second + 100 + 50 * n,
            format!(
                "2026/06/10 19:40:07 ws close user={user} ip={client}, 10.10.1.12 \
                 dur_ms={} cause=graceful",
                37_000 + 50 * n
            ),
        ));
        rows.push((
            second + 50 + 10 * n,
            "2026/06/10 19:40:07 http: proxy error: context canceled".to_string(),
        ));
    }
    rows.push((
        second - 60_000,
        "2026/06/10 19:39:07 t3-dispatch listening on :3780".to_string(),
    ));
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let mut text = String::from(
        "Common labels: {\"host\":\"devvm\",\"job\":\"devvm-journal\",\
         \"syslog_identifier\":\"t3-dispatch\",\"unit\":\"t3-dispatch.service\"}\n\
         Line limit: \"1000 (14 displayed)\"\n\n\n",
    );
    for (ms, line) in &rows {
        let row = format!("{ms}\t2026-06-10T19:40:07+00:00\t{line}\n");
        text.push_str(&row);
        // The newest cancel line lies at 19:40:07.080.
        if repeat && *ms == second + 80 {
            text.push_str(&row);
        }
    }
    text
}

/// Runs `drops` over one file and returns the burst ids of its rows, and stderr.
fn burst_ids(path: &Path) -> (Vec<String>, String) {
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .arg("drops")
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let mut reader = csv::Reader::from_reader(&output.stdout[..]);
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "burst_id")
        .unwrap();
    let ids = reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect();
    (ids, stderr)
}

#[test]
fn grafana_same_millisecond_cancels_kept() {
    // Four drops and four cancel lines are one client and one line short of a burst. A fifth
    // cancel line on the millisecond of another may be a page repeat or a real one (a mass
    // cancel writes them together), so it is kept, and the warning names it as a possible
    // repeat.
    let dir = tempfile::tempdir().unwrap();
    for repeat in [false, true] {
        let path = dir.path().join(format!("journal-{repeat}.grafana.txt"));
        std::fs::write(&path, four_drops_grafana_text(repeat)).unwrap();
        let (ids, stderr) = burst_ids(&path);
        assert_eq!(ids.len(), 4, "repeat {repeat}: {stderr}");
        assert_eq!(
            ids.iter().all(|id| id == "B001"),
            repeat,
            "repeat {repeat}: {ids:?} {stderr}"
        );
        assert_eq!(
            stderr.contains("1 entry repeated an earlier one at the same time"),
            repeat,
            "{stderr}"
        );
    }
}

/// Writes one Grafana Explore pane of three queries (the whole devvm journal, Traefik and
/// cloudflared) as one text download without labels, newest first: four clients drop at
/// 2026-06-10T19:40:07Z, chronyd and sshd log every 3 s and Traefik every 2 s.
fn merged_grafana_text() -> String {
    // 2026-06-10T19:38:00Z in milliseconds.
    let start = 1_781_120_280_000_i64;
    let mut rows: Vec<(i64, String)> = Vec::new();
    for n in 0..80 {
        let ms = start + 3_000 * n + 512;
        let line = if n % 2 == 0 {
            "System clock wrong by -0.000116 seconds, adjustment started".to_string()
        } else {
            format!(
                "Accepted publickey for alice from 203.0.113.9 port {} ssh2",
                40_000 + n
            )
        };
        rows.push((ms, line));
    }

    for n in 0..120 {
        let ms = start + 2_000 * n + 64;
        let second = n * 2;
        rows.push((
            ms,
            format!(
                "198.51.100.23 - - [10/Jun/2026:19:{:02}:{:02} +0000] \"GET /assets/app.css \
                 HTTP/1.1\" 200 1234 \"-\" \"Mozilla/5.0\" {} \"gitea-web-git-example-net@kubernetes\" \
                 \"http://10.0.12.8:3000\" 3ms",
                38 + second / 60,
                second % 60,
                1_000 + n
            ),
        ));
    }

    for (ms, time) in [(start, "19:38:00"), (start + 240_000, "19:42:00")] {
        rows.push((
            ms,
            format!(
                "2026-06-10T{time}Z INF Registered tunnel connection connIndex=0 \
                 connection=00000000-0000-4000-8000-000000000002 event=0 ip=198.41.192.7 \
                 location=ams01 protocol=quic"
            ),
        ));
    }

    // 2026-06-10T19:40:07Z in milliseconds.
    let drop = start + 127_000;
    for (n, (user, client)) in FOUR_USERS.iter().zip(FOUR_CLIENTS).enumerate() {
        let n = n as i64;
        let dur_ms = 37_000 + 50 * n;
        rows.push((
            drop - dur_ms + 100,
            format!("2026/06/10 19:39:30 ws open user={user} ip={client}, 10.10.1.12"),
        ));
        rows.push((
            drop + 100 + 50 * n,
            format!(
                "2026/06/10 19:40:07 ws close user={user} ip={client}, 10.10.1.12 \
                 dur_ms={dur_ms} cause=graceful"
            ),
        ));
        rows.push((
            drop + 80 + 50 * n,
            format!(
                "{client}, 10.10.1.12 - - [10/Jun/2026:19:39:30 +0000] \"GET /ws HTTP/1.1\" 0 0 \
                 \"-\" \"Mozilla/5.0\" {} \"t3code-t3-t3-example-net@kubernetes\" \
                 \"http://10.0.10.10:3780\" {dur_ms}ms",
                2_000 + n
            ),
        ));
    }

    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let mut text = format!("Line limit: \"1000 ({} displayed)\"\n\n\n", rows.len());
    for (ms, line) in &rows {
        text.push_str(&format!("{ms}\t2026-06-10T19:40:00+00:00\t{line}\n"));
    }
    text
}

#[test]
fn merged_grafana_text_without_journal() {
    // The same pane without the journal query: Traefik and cloudflared, and a cloudflared Go
    // panic whose trace lines have neither shape. With no line of a devvm program, those lines
    // are no journal coverage, so no drop reads as the user's own network.
    let mut text: String = merged_grafana_text()
        .lines()
        .filter(|line| {
            !["ws open", "ws close", "System clock", "Accepted publickey"]
                .iter()
                .any(|needle| line.contains(needle))
        })
        .map(|line| format!("{line}\n"))
        .collect();
    // 2026-06-10T19:37:59Z, before every other row of this newest-first download.
    for line in [
        "goroutine 1 [running]:",
        "main.main()",
        "\t/go/src/github.com/cloudflare/cloudflared/cmd/cloudflared/main.go:91 +0x3b4",
    ] {
        text.push_str(&format!(
            "1781120279000\t2026-06-10T19:37:59+00:00\t{line}\n"
        ));
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grafana.txt");
    std::fs::write(&path, text).unwrap();
    let (rows, stderr) = drops(&[path]);
    assert_eq!(rows.len(), 4, "{stderr}");
    for row in &rows {
        assert_ne!(row[4], "last_mile", "{row:?} {stderr}");
    }
    assert!(stderr.contains("devvm journal: not given"), "{stderr}");
    assert!(stderr.contains("3 line(s) have no labels"), "{stderr}");
    assert!(stderr.contains("no devvm journal"), "{stderr}");
}

#[test]
fn merged_grafana_text_keeps_whole_journal() {
    // The journal lines no program names (chronyd, sshd) are the journal's coverage, so the
    // journal is whole, and the cloudflared lines name no pod after the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grafana.txt");
    std::fs::write(&path, merged_grafana_text()).unwrap();
    let output = Command::cargo_bin("t3forensics")
        .unwrap()
        .arg("drops")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains("beyond t3's units"), "{stdout}");
    assert!(!stderr.contains("pod grafana"), "{stderr}");
    let journal = stderr
        .lines()
        .find(|line| line.trim_start().starts_with("devvm journal "))
        .unwrap_or_else(|| panic!("no journal coverage line: {stderr}"));
    assert!(journal.contains(", 88 lines, no gaps"), "{journal}");
    assert!(
        stderr.contains("80 line(s) have no labels and neither a Traefik"),
        "{stderr}"
    );
    let (rows, _) = drops(&[path]);
    assert_eq!(rows.len(), 4, "{stderr}");
    for row in &rows {
        assert_eq!(row[4], "last_mile", "{row:?} {stderr}");
    }
}
