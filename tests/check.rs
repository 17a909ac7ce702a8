//! CLI tests of the CI helpers: `check` against saved `drops` outputs of the bundled incident,
//! `drops --fail-on`, and the generated completions and manual page.

use std::io::Write;
use std::path::{Path, PathBuf};

mod common;
use common::{run, t3};

fn incident_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let mut files = vec![
        dir.join("devvm-journal.log"),
        dir.join("traefik-access.log"),
    ];
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        files.push(dir.join(format!("cloudflared-6f7c9d8b5-{pod}.log")));
    }
    files
}

/// Writes `drops --format FORMAT` of the incident into `dir` and returns the file's path.
fn save_drops(dir: &Path, format: &str) -> PathBuf {
    let path = dir.join(format!("drops.{format}"));
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--format", format, "--output"])
        .arg(&path)
        .args(incident_files()));
    assert_eq!(code, 0, "{stderr}");
    path
}

fn check(expected: &Path, extra_args: &[&str]) -> (String, String, i32) {
    run(t3()
        .args(["check", "-q", "--expect"])
        .arg(expected)
        .args(extra_args)
        .args(incident_files()))
}

#[test]
fn check_passes_against_saved_csv() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let (stdout, stderr, code) = check(&saved, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 0 changed\n"
    );
}

#[test]
fn check_format_needs_output() {
    // check prints text; --format shapes only the rows written with --output.
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let (stdout, stderr, code) = check(&saved, &["--format", "json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("give --output with it"), "{stderr}");

    let rows = dir.path().join("rows.out");
    let (stdout, stderr, code) = check(
        &saved,
        &["--format", "json", "--output", rows.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let written = std::fs::read_to_string(&rows).unwrap();
    assert!(written.starts_with('{'), "{written}");
}

#[test]
fn check_passes_against_saved_json_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "jsonl"] {
        let saved = save_drops(dir.path(), format);
        let (stdout, stderr, code) = check(&saved, &["--strict-fields"]);
        assert_eq!(code, 0, "{format}: {stdout}{stderr}");
        assert!(
            stdout.starts_with("check: 12 expected rows, 12 actual rows, 0 missing"),
            "{stdout}"
        );
    }
}

#[test]
fn check_reads_gzip_expected_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drops.csv.gz");
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--output"])
        .arg(&path)
        .args(incident_files()));
    assert_eq!(code, 0, "{stderr}");
    let (stdout, stderr, code) = check(&path, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("check: 12 expected rows, 12 actual rows, 0 missing"),
        "{stdout}"
    );
}

#[test]
fn check_warns_on_an_empty_expected_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let (stdout, stderr, code) = check(&empty, &[]);
    assert_eq!(code, 1, "every drop of the run is extra: {stdout}{stderr}");
    assert!(
        stderr.contains("empty.jsonl is empty, so it is read as no drops"),
        "{stderr}"
    );
    assert!(
        stdout.contains("check: 0 expected rows, 12 actual rows, 0 missing, 12 extra"),
        "{stdout}"
    );
}

#[test]
fn check_fails_naming_an_edited_segment() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let text = std::fs::read_to_string(&saved).unwrap();
    let row = text.lines().find(|l| l.starts_with("D0003,")).unwrap();
    let edited = text.replace(row, &row.replace(",t3_serve,high,", ",devvm,high,"));
    assert_ne!(edited, text);
    std::fs::write(&saved, edited).unwrap();

    let (stdout, stderr, code) = check(&saved, &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains(
            "changed segment: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: devvm -> t3_serve\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 1 changed\n"),
        "{stdout}"
    );
    assert_accept_line_last(&stdout, &saved, "csv");
}

/// Asserts that a failed check's output ends with the line that tells how to accept its result:
/// the `drops` command that writes `expected` again in `format`.
fn assert_accept_line_last(stdout: &str, expected: &Path, format: &str) {
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "to accept this run as the new baseline, write it again with the same `drops` \
             command and options: "
        ),
        "{stdout}"
    );
    assert!(last.contains(" drops "), "{last}");
    assert!(
        last.ends_with(&format!(
            " --format {format} --output {}",
            expected.display()
        )),
        "{last}"
    );
}

#[test]
fn check_accept_line_writes_new_baseline() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "json", "jsonl"] {
        // A baseline from a run without one cloudflared pod, so this run changes segments.
        let saved = dir.path().join(format!("base.{format}"));
        let (_, stderr, code) = run(t3()
            .args(["drops", "-q", "--format", format, "--output"])
            .arg(&saved)
            .args(&incident_files()[..4]));
        assert_eq!(code, 0, "{stderr}");

        let (stdout, stderr, code) = check(&saved, &["--strict-fields"]);
        assert_eq!(code, 1, "{format}: {stdout}{stderr}");
        assert_accept_line_last(&stdout, &saved, format);

        // The command runs as printed, and the check passes against what it wrote.
        let accept = stdout.lines().last().unwrap();
        let command = accept.split_once(": ").unwrap().1;
        let status = std::process::Command::new("sh")
            .args(["-c", command])
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
        let (stdout, stderr, code) = check(&saved, &["--strict-fields"]);
        assert_eq!(code, 0, "{format}: {stdout}{stderr}");
        assert!(!stdout.contains("to accept"), "{stdout}");
    }
}

#[test]
fn check_reports_a_removed_row_as_extra() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let text = std::fs::read_to_string(&saved).unwrap();
    let remaining: Vec<&str> = text.lines().filter(|l| !l.starts_with("D0011,")).collect();
    std::fs::write(&saved, remaining.join("\n") + "\n").unwrap();

    let (stdout, _, code) = check(&saved, &[]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("extra: D0011 2026-06-10T19:50:19Z alice 203.0.113.7 dur_ms="),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 missing, 1 extra, 0 changed\n"),
        "{stdout}"
    );
    assert_accept_line_last(&stdout, &saved, "csv");
}

#[test]
fn check_hints_at_a_tz_change() {
    // Journal `short` lines carry no zone, so another --tz moves every drop by the same
    // amount: Berlin is 2 h ahead of UTC in June.
    let journal = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/journal-modes/devvm-journal.short.log.gz");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("drops.csv");
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--tz", "UTC", "--output"])
        .arg(&saved)
        .arg(&journal));
    assert_eq!(code, 0, "{stderr}");

    let (stdout, stderr, code) = run(t3()
        .args(["check", "-q", "--tz", "Europe/Berlin", "--expect"])
        .arg(&saved)
        .arg(&journal));
    assert_eq!(code, 1, "the times did change: {stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("missing: "), 12, "{stdout}");
    assert_eq!(count("extra: "), 12, "{stdout}");
    assert_eq!(lines.len(), 27, "{stdout}");
    assert_eq!(
        lines[24],
        "hint: the 12 missing and 12 extra rows pair up one to one, with this run's times \
         7200 s earlier: a time-zone (--tz) or clock change?"
    );
    assert_eq!(
        lines[25],
        "check: 12 expected rows, 12 actual rows, 12 missing, 12 extra, 0 changed"
    );
    assert_accept_line_last(&stdout, &saved, "csv");
}

/// Writes compressed copies of the incident's logs into `dir`: zstd for the Traefik log, gzip
/// for the others.
fn compressed_copies(dir: &Path) -> Vec<PathBuf> {
    let mut copies = Vec::new();
    for file in incident_files() {
        let bytes = std::fs::read(&file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        let (copy, compressed) = if name.starts_with("traefik") {
            let compressed = zstd::encode_all(bytes.as_slice(), 3).unwrap();
            (dir.join(format!("{name}.zst")), compressed)
        } else {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(&bytes).unwrap();
            (dir.join(format!("{name}.gz")), encoder.finish().unwrap())
        };
        std::fs::write(&copy, compressed).unwrap();
        copies.push(copy);
    }
    copies
}

#[test]
fn check_matches_evidence_of_compressed_copies() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let comp = dir.path().join("comp");
    std::fs::create_dir(&comp).unwrap();
    let (stdout, stderr, code) = run(t3()
        .args(["check", "-q", "--strict-fields", "--expect"])
        .arg(&saved)
        .args(compressed_copies(&comp)));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 0 changed\n"
    );
}

#[test]
fn check_matches_evidence_read_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let files = incident_files();
    let journal = std::fs::read(&files[0]).unwrap();
    let (stdout, stderr, code) = run(t3()
        .args(["check", "-q", "--strict-fields", "--expect"])
        .arg(&saved)
        .arg("-")
        .args(&files[1..])
        .write_stdin(journal));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 0 changed\n"
    );
}

#[test]
fn check_reports_a_moved_evidence_line() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let text = std::fs::read_to_string(&saved).unwrap();
    let row = text.lines().find(|l| l.starts_with("D0003,")).unwrap();
    let edited = text.replace(
        row,
        &row.replace("devvm-journal.log:639;", "devvm-journal.log:638;"),
    );
    assert_ne!(edited, text);
    std::fs::write(&saved, edited).unwrap();
    let comp = dir.path().join("comp");
    std::fs::create_dir(&comp).unwrap();
    let copies = compressed_copies(&comp);

    let (stdout, stderr, code) = run(t3()
        .args(["check", "-q", "--strict-fields", "--expect"])
        .arg(&saved)
        .args(&copies));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines[0].starts_with("changed evidence: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: "),
        "{stdout}"
    );
    assert!(lines[0].contains("devvm-journal.log:638;"), "{stdout}");
    assert!(lines[0].contains("devvm-journal.log.gz:639;"), "{stdout}");
    assert_eq!(
        lines[1],
        "check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 1 changed"
    );

    let (stdout, stderr, code) = run(t3()
        .args(["check", "-q", "--expect"])
        .arg(&saved)
        .args(&copies));
    assert_eq!(
        code, 0,
        "not counted without --strict-fields: {stdout}{stderr}"
    );
    assert!(
        stdout.ends_with("0 changed (1 change(s) outside the attribution not counted; --strict-fields counts them)\n"),
        "{stdout}"
    );
}

#[test]
fn check_missing_expected_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-drops.csv");
    let (stdout, stderr, code) = check(&missing, &[]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("no-such-drops.csv: cannot open"),
        "{stderr}"
    );
}

#[test]
fn check_input_error_wins_over_differences() {
    let dir = tempfile::tempdir().unwrap();
    let expected = dir.path().join("drops.csv");
    // A saved output with one drop this run cannot produce.
    std::fs::write(
        &expected,
        "drop_id,time,user,client_ip,dur_ms,segment,confidence\nD0001,2026-06-10T19:00:00Z,zed,192.0.2.1,1,devvm,high\n",
    )
    .unwrap();
    let (_, stderr, code) = run(t3()
        .args(["check", "-q", "--expect"])
        .arg(&expected)
        .arg(dir.path().join("missing.log")));
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.log: cannot open"), "{stderr}");
}

#[test]
fn check_rejects_a_file_that_is_not_drops() {
    let dir = tempfile::tempdir().unwrap();
    let bursts = dir.path().join("bursts.csv");
    let (_, _, code) = run(t3()
        .args(["bursts", "-q", "--output"])
        .arg(&bursts)
        .args(incident_files()));
    assert_eq!(code, 0);
    let (_, stderr, code) = check(&bursts, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a drops output"), "{stderr}");
}

#[test]
fn fail_on_t3_serve_exits_1() {
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "--fail-on", "t3_serve"])
        .args(incident_files()));
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 13, "header and 12 rows");
    assert!(
        stderr.contains("3 drop(s) in --fail-on segments: D0003 t3_serve"),
        "{stderr}"
    );
}

#[test]
fn fail_on_devvm_exits_0() {
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "--fail-on", "devvm,dispatch"])
        .args(incident_files()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 13);
}

#[test]
fn fail_on_rejects_unknown_segment() {
    let (_, stderr, code) = run(t3()
        .args(["drops", "--fail-on", "t3serve"])
        .args(incident_files()));
    assert_eq!(code, 2);
    assert!(stderr.contains("possible values: t3_serve"), "{stderr}");
}

#[test]
fn bash_completions_name_commands_and_options() {
    let (stdout, _, code) = run(t3().args(["completions", "bash"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("drops"));
    assert!(stdout.contains("--fail-on"));
    assert!(stdout.contains("--expect"));
}

#[test]
fn man_page_is_roff() {
    let (stdout, _, code) = run(t3().arg("man"));
    assert_eq!(code, 0);
    assert!(stdout.starts_with('.'), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with(".TH t3forensics 1")),
        "{stdout}"
    );

    let (stdout, _, code) = run(t3().args(["man", "drops"]));
    assert_eq!(code, 0);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(".TH t3forensics-drops 1")),
        "{stdout}"
    );
    assert!(stdout.contains("fail\\-on"), "{stdout}");
}

#[test]
fn check_names_cut_expected_file() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "json", "jsonl"] {
        let saved = save_drops(dir.path(), format);
        let whole = std::fs::read(&saved).unwrap();
        let cut = dir.path().join(format!("cut.{format}"));
        std::fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
        let (stdout, stderr, code) = check(&cut, &[]);
        assert_eq!(code, 2, "{format}: {stdout}{stderr}");
        assert!(stderr.contains("looks cut short"), "{format}: {stderr}");
        assert!(
            !stderr.contains("--expect takes a file"),
            "{format}: {stderr}"
        );
    }

    // A gzip copy cut before its end.
    let saved = save_drops(dir.path(), "csv");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&std::fs::read(&saved).unwrap()).unwrap();
    let gzip = encoder.finish().unwrap();
    let cut = dir.path().join("cut.csv.gz");
    std::fs::write(&cut, &gzip[..gzip.len() / 2]).unwrap();
    let (stdout, stderr, code) = check(&cut, &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("looks cut short"), "{stderr}");
}

#[test]
fn check_rejects_baseline_among_logs() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "json", "jsonl"] {
        let saved = save_drops(dir.path(), format);
        let (stdout, stderr, code) = run(t3()
            .args(["check", "-q", "--expect"])
            .arg(&saved)
            .args(incident_files())
            .arg(&saved));
        assert_eq!(code, 2, "{format}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("{}: is t3forensics drops output", saved.display())),
            "{format}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("check --expect {}", saved.display())),
            "{format}: {stderr}"
        );
    }
}

/// Rewrites the saved JSON `drops` document at `path` with `edit` applied to its rows.
fn edit_saved_json(path: &Path, edit: impl Fn(&mut Vec<serde_json::Value>)) {
    let mut document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let drops = document["drops"].as_array_mut().unwrap();
    edit(drops);
    std::fs::write(path, document.to_string()).unwrap();
}

#[test]
fn check_fails_on_attribution_columns() {
    // (column, edited value, fails without --strict-fields)
    let cases = [
        ("rule", serde_json::json!("another_rule"), true),
        ("kind", serde_json::json!("orphaned"), true),
        ("cause", serde_json::json!("upstream_closed"), true),
        ("traefik_status", serde_json::json!(502), false),
        ("sources", serde_json::json!(["journal"]), false),
    ];
    for (column, value, attribution) in cases {
        let dir = tempfile::tempdir().unwrap();
        let saved = save_drops(dir.path(), "json");
        edit_saved_json(&saved, |drops| drops[0][column] = value.clone());

        let (stdout, stderr, code) = check(&saved, &[]);
        assert!(
            stdout.contains(&format!("changed {column}: D0001 ")),
            "{column}: {stdout}"
        );
        assert_eq!(code, i32::from(attribution), "{column}: {stdout}{stderr}");
        let (_, _, code) = check(&saved, &["--strict-fields"]);
        assert_eq!(code, 1, "{column} with --strict-fields");
    }
}

#[test]
fn check_compares_burst_membership_not_ids() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "json");
    let in_burst = |drop: &serde_json::Value| drop["burst_id"].is_string();

    // Renumbered burst and incident ids, as after an earlier drop appeared: no difference.
    edit_saved_json(&saved, |drops| {
        assert!(drops.iter().any(in_burst), "the incident has a burst");
        for drop in drops.iter_mut() {
            if in_burst(drop) {
                drop["burst_id"] = serde_json::json!("B007");
            }
            let incident = drop["incident_id"].as_str().unwrap().replace('I', "I9");
            drop["incident_id"] = serde_json::json!(incident);
        }
    });
    let (stdout, stderr, code) = check(&saved, &["--strict-fields"]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // One member saved outside the burst: its membership changed.
    edit_saved_json(&saved, |drops| {
        let member = drops.iter_mut().find(|d| in_burst(d)).unwrap();
        member["burst_id"] = serde_json::Value::Null;
    });
    let (stdout, stderr, code) = check(&saved, &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("changed burst_id: "), "{stdout}");
    assert!(stdout.contains(": none -> B001 ["), "{stdout}");
}

/// Writes the columns `keep` of the saved CSV at `path` to `dir/cut.csv`.
fn cut_columns(path: &Path, dir: &Path, keep: &[&str]) -> PathBuf {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at: Vec<usize> = keep
        .iter()
        .map(|column| header.iter().position(|h| h == *column).unwrap())
        .collect();
    let cut = dir.join("cut.csv");
    let mut writer = csv::Writer::from_path(&cut).unwrap();
    writer.write_record(keep).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        writer.write_record(at.iter().map(|&i| &record[i])).unwrap();
    }
    writer.flush().unwrap();
    cut
}

#[test]
fn check_skips_columns_missing_from_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let keep = ["time", "user", "client_ip", "segment", "confidence"];
    let cut = cut_columns(&saved, dir.path(), &keep);

    let (stdout, stderr, code) = check(&cut, &["--strict-fields"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout
            .matches("not compared: reason, missing from 12 of 12 expected rows\n")
            .count(),
        1,
        "{stdout}"
    );
    assert!(stdout.contains("not compared: drop_id,"), "{stdout}");
    assert!(!stdout.contains("changed "), "{stdout}");
    assert!(
        stdout
            .ends_with("check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 0 changed\n"),
        "{stdout}"
    );
}

#[test]
fn check_rejects_baseline_without_required_column() {
    let dir = tempfile::tempdir().unwrap();
    let saved = save_drops(dir.path(), "csv");
    let cut = cut_columns(
        &saved,
        dir.path(),
        &["time", "user", "client_ip", "dur_ms", "segment"],
    );

    let (stdout, stderr, code) = check(&cut, &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains(&cut.display().to_string()), "{stderr}");
    assert!(stderr.contains("no `confidence` column"), "{stderr}");
}
