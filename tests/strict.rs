//! `--strict`: a malformed line or a truncated input fails the run with exit status 2, names the
//! first offending file:line, and writes no rows.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use flate2::Compression;
use flate2::write::GzEncoder;

fn t3() -> Command {
    Command::cargo_bin("t3forensics").unwrap()
}

fn run(cmd: &mut Command) -> (String, String, i32) {
    let output = cmd.output().unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

fn incident(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/incident")
        .join(name)
}

fn journal() -> Vec<u8> {
    std::fs::read(incident("devvm-journal.log")).unwrap()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// A dispatch `ws close` without `dur_ms=`: the dispatch parser counts it as malformed.
const CLOSE_WITHOUT_DURATION: &[u8] = b"2026-06-10T19:00:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:00:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 cause=graceful\n";

/// Returns the journal with `line` inserted so that it becomes line `at` (1-based).
fn journal_with_line_at(at: usize, line: &[u8]) -> Vec<u8> {
    let mut data = journal();
    let offset = data
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .nth(at - 2)
        .unwrap();
    data.splice(offset..offset, line.iter().copied());
    data
}

#[test]
fn clean_inputs_pass() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("drops.csv");
    let mut cmd = t3();
    cmd.args(["drops", "--strict", "-o"]).arg(&output);
    for name in [
        "devvm-journal.log",
        "traefik-access.log",
        "cloudflared-6f7c9d8b5-k2x9p.log",
        "cloudflared-6f7c9d8b5-m4q7r.log",
        "cloudflared-6f7c9d8b5-z8w3t.log",
    ] {
        cmd.arg(incident(name));
    }
    let (_, stderr, code) = run(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    let rows = std::fs::read_to_string(&output).unwrap();
    assert_eq!(rows.lines().count(), 13, "a header and 12 drops");
}

#[test]
fn malformed_line_fails_naming_file_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = journal_with_line_at(3, CLOSE_WITHOUT_DURATION);
    // A second malformed line later on: only the first is named.
    data.extend_from_slice(CLOSE_WITHOUT_DURATION);
    let path = write(dir.path(), "j.log", &data);
    let output = dir.path().join("drops.csv");
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--strict", "-o"])
        .arg(&output)
        .arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("j.log:3: ws close without dur_ms="),
        "{stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!output.exists(), "no rows are written when --strict fails");
}

#[test]
fn malformed_line_fails_on_stdout_too() {
    let data = journal_with_line_at(5, CLOSE_WITHOUT_DURATION);
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--strict", "--format", "csv", "-"])
        .write_stdin(data));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("<stdin>:5:"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn malformed_line_without_strict_passes() {
    let data = journal_with_line_at(3, CLOSE_WITHOUT_DURATION);
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(data));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 13, "a header and 12 drops");
    assert!(stderr.contains("malformed <stdin>:3"), "{stderr}");
}

#[test]
fn line_over_max_bytes_fails() {
    let mut long = b"2026-06-10T19:00:00+00:00 devvm sshd[1]: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 100_000));
    long.push(b'\n');
    let data = journal_with_line_at(2, &long);
    let (_, stderr, code) = run(t3()
        .args(["drops", "--strict", "--max-line-bytes", "65536", "-"])
        .write_stdin(data));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("<stdin>:2: line longer than --max-line-bytes"),
        "{stderr}"
    );
}

#[test]
fn truncated_gzip_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(&journal()).unwrap();
    let full = encoder.finish().unwrap();
    let path = write(dir.path(), "cut.log.gz", &full[..full.len() / 2]);
    let output = dir.path().join("drops.csv");
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--strict", "-o"])
        .arg(&output)
        .arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cut.log.gz:"), "{stderr}");
    assert!(stderr.contains("input ends early"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!output.exists(), "no rows are written when --strict fails");
}

#[test]
fn empty_input_passes_with_warning() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.log", b"");
    let (_, stderr, code) = run(t3()
        .args(["drops", "--strict"])
        .arg(&empty)
        .arg(incident("devvm-journal.log")));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("empty.log: input is empty"), "{stderr}");
    assert!(stderr.contains("time window"), "{stderr}");
}

#[test]
fn all_inputs_empty_fail() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.log", b"");
    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&empty));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no input holds a log entry ("), "{stderr}");
    assert!(stderr.contains("empty.log)"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");

    let (_, stderr, code) = run(t3().args(["drops", "--strict", "-"]).write_stdin(""));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no input holds a log entry (<stdin>)"),
        "{stderr}"
    );

    // journalctl's output for a query that matched nothing, with an empty file beside it.
    let none = write(dir.path(), "none.log", b"-- No entries --\n");
    let (_, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&none).arg(&empty));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no input holds a log entry"), "{stderr}");

    // Without --strict the same run only warns.
    let (_, stderr, code) = run(t3().arg("drops").arg(&empty));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("input is empty"), "{stderr}");
}

#[test]
fn strict_applies_to_every_command() {
    let data = journal_with_line_at(3, CLOSE_WITHOUT_DURATION);
    for command in ["bursts", "incidents", "timeline"] {
        let (stdout, stderr, code) = run(t3()
            .args([command, "--strict", "-"])
            .write_stdin(data.clone()));
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stderr.contains("<stdin>:3:"), "{command}: {stderr}");
        assert!(stdout.is_empty(), "{command}: {stdout}");
    }
}

#[test]
fn export_cut_in_binary_field_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut export = Vec::new();
    export.extend_from_slice(b"__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1781119812000000\n");
    export.extend_from_slice(b"SYSLOG_IDENTIFIER=t3-dispatch\nMESSAGE=starting\n\n");
    export.extend_from_slice(b"__CURSOR=s=1;i=2\n__REALTIME_TIMESTAMP=1781119813000000\n");
    export.extend_from_slice(b"SYSLOG_IDENTIFIER=t3-dispatch\nMESSAGE\n");
    export.extend_from_slice(&100u64.to_le_bytes());
    export.extend_from_slice(b"cut short");
    let path = write(dir.path(), "devvm.export", &export);

    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "no rows: {stdout}");
    assert!(stderr.contains("ends inside a binary field"), "{stderr}");

    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "without --strict the run goes on: {stderr}");
}

#[test]
fn merged_traefik_line_fails_naming_file_line() {
    // A copy cut mid-write: a line ends inside its time bracket and the next line, a socket's,
    // follows on the same line. The joined line must not read as a socket with the cut line's
    // client.
    let text = std::fs::read_to_string(incident("traefik-access.log")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let socket = 1 + lines[1..]
        .iter()
        .position(|line| line.contains("\"GET /ws "))
        .unwrap();
    let cut_line = &lines[socket - 1];
    let cut_at = cut_line.find(":19").unwrap() + 3;
    lines[socket - 1] = format!("{}{}", &cut_line[..cut_at], lines[socket]);
    lines.remove(socket);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.log", (lines.join("\n") + "\n").as_bytes());

    let (_, stderr, code) = run(t3().args(["drops", "--strict", "-q"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    let expected = format!("t.log:{socket}: client host does not end in an address");
    assert!(stderr.contains(&expected), "{stderr}");
}
