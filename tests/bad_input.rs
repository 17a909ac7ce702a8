//! Broken and hostile inputs: each test name states the expected behaviour.

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

fn journal() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident/devvm-journal.log"))
        .unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// Counts CSV data rows.
fn rows(stdout: &str) -> usize {
    stdout.lines().count().saturating_sub(1)
}

#[test]
fn truncated_gzip_keeps_lines_read_and_warns_with_offset() {
    let dir = tempfile::tempdir().unwrap();
    let full = gzip(&journal());
    let path = write(dir.path(), "cut.log.gz", &full[..full.len() * 3 / 4]);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ends early after"), "{stderr}");
    assert!(rows(&stdout) > 0, "drops before the cut are kept");
}

#[test]
fn quiet_still_prints_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let full = gzip(&journal());
    let path = write(dir.path(), "cut.log.gz", &full[..full.len() * 3 / 4]);
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: "), "{stderr}");
    assert!(stderr.contains("ends early after"), "{stderr}");
    assert!(!stderr.contains("drop(s)"), "no summary with -q: {stderr}");
}

#[test]
fn mixed_log_kinds_on_stdin_warn() {
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let mut mixed = journal();
    mixed.extend(std::fs::read(incident.join("traefik-access.log")).unwrap());
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-"]).write_stdin(mixed));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("lines are malformed for a journal input")
            && stderr.contains("give each as its own file"),
        "{stderr}"
    );
    let mut traefik_first = std::fs::read(incident.join("traefik-access.log")).unwrap();
    traefik_first.extend(journal());
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-"]).write_stdin(traefik_first));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("lines are malformed for a traefik input"),
        "the journal lines after a Traefik log are not ignored silently: {stderr}"
    );
    for file in ["devvm-journal.log", "traefik-access.log"] {
        let (_, stderr, _) = run(t3().arg("drops").arg(incident.join(file)));
        assert!(!stderr.contains("are malformed for"), "{file}: {stderr}");
    }
}

#[test]
fn window_outside_the_inputs_warns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "journal.log", &journal());
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "--since", "2027-01-01"])
        .arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 0);
    assert!(stderr.contains("lies outside the inputs"), "{stderr}");
    let (_, stderr, _) = run(t3()
        .args(["drops", "-q", "--since", "2026-06-10 19:30:00"])
        .arg(&path));
    assert!(!stderr.contains("lies outside"), "{stderr}");
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let half = text
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .nth(1000)
        .unwrap()
        + 1;
    let mut data = gzip(&text[..half]);
    data.extend(gzip(&text[half..]));
    let path = write(dir.path(), "two.log.gz", &data);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
}

#[test]
fn zstd_frames_are_read_like_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let half = text.len() / 2 + memchr_newline(&text[text.len() / 2..]) + 1;
    let one = zstd::encode_all(&text[..], 3).unwrap();
    let mut two = zstd::encode_all(&text[..half], 3).unwrap();
    two.extend(zstd::encode_all(&text[half..], 19).unwrap());
    let (plain, _, _) = run(t3().args(["drops", "-q", "-"]).write_stdin(text.clone()));
    for (name, data) in [("one frame", one), ("two frames", two)] {
        // Read from stdin so the evidence names the same input in both runs.
        let (stdout, stderr, code) = run(t3().args(["drops", "-q", "-"]).write_stdin(data.clone()));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(stdout, plain, "{name}");
        let path = write(dir.path(), "journal.log.zst", &data);
        let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(rows(&stdout), 12, "{name}");
    }
}

#[test]
fn zstd_cut_before_first_line_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let whole = zstd::encode_all(&journal()[..], 3).unwrap();
    // The frame header and a few bytes of the first block: no line can be decompressed.
    let path = write(dir.path(), "cut.log.zst", &whole[..40]);
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("{} (cut short): 0 lines read", path.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("(empty)"), "{stderr}");
    assert!(stderr.contains("no line could be read"), "{stderr}");
}

#[test]
fn zstd_long_window_is_read() {
    // `zstd --long` on a stream: the frame declares a 256 MiB window, above the 128 MiB a
    // decoder takes by default.
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    encoder.window_log(28).unwrap();
    encoder.long_distance_matching(true).unwrap();
    encoder.write_all(&journal()).unwrap();
    let data = encoder.finish().unwrap();
    let default_decoder = zstd::stream::read::Decoder::new(&data[..])
        .and_then(|mut d| std::io::copy(&mut d, &mut std::io::sink()));
    assert!(default_decoder.is_err(), "the frame needs a long window");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "long.log.zst", &data);
    let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
}

#[test]
fn truncated_zstd_keeps_lines_read_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let full = zstd::encode_all(&journal()[..], 3).unwrap();
    let path = write(dir.path(), "cut.log.zst", &full[..full.len() * 3 / 4]);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ends early after"), "{stderr}");
    assert!(rows(&stdout) > 0, "drops before the cut are kept");
    let (_, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "--strict fails on a cut stream: {stderr}");
}

/// Returns the offset of the first newline in `bytes`.
fn memchr_newline(bytes: &[u8]) -> usize {
    bytes.iter().position(|&b| b == b'\n').unwrap()
}

#[test]
fn trailing_garbage_after_gzip_member_warns_and_keeps_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = gzip(&journal());
    data.extend_from_slice(b"this is not gzip\n\x00\x01\x02");
    let path = write(dir.path(), "tail.log.gz", &data);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    // The stream was complete, so the warning must not send the user after lost lines.
    assert!(
        stderr.contains("20 bytes after the last gzip member are not gzip"),
        "{stderr}"
    );
    assert!(stderr.contains("is complete"), "{stderr}");
    assert!(!stderr.contains("ends early"), "{stderr}");

    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("tail.log.gz:2014: 20 bytes after"),
        "{stderr}"
    );
    assert!(!stderr.contains("may be cut"), "{stderr}");
}

#[test]
fn zstd_trailing_garbage_warns_keeps_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = zstd::encode_all(&journal()[..], 3).unwrap();
    data.extend_from_slice(b"GARBAGE\n");
    let path = write(dir.path(), "tail.log.zst", &data);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(
        stderr.contains("8 bytes after the last zstd frame are not zstd"),
        "{stderr}"
    );
    assert!(stderr.contains("is complete"), "{stderr}");
    assert!(stderr.contains("zstd -dc FILE | zstd > FILE2"), "{stderr}");
    assert!(!stderr.contains("ends early"), "{stderr}");

    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("tail.log.zst:2014: 8 bytes after"),
        "{stderr}"
    );
    assert!(!stderr.contains("may be cut"), "{stderr}");
}

#[test]
fn truncated_gzip_strict_may_cut_line() {
    let dir = tempfile::tempdir().unwrap();
    let full = gzip(&journal());
    let path = write(dir.path(), "cut.log.gz", &full[..full.len() * 3 / 4]);
    let (_, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("input ends early"), "{stderr}");
    assert!(stderr.contains("the last line may be cut"), "{stderr}");
}

#[test]
fn config_files_are_undetectable() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("x.ini", "[x]\n".to_string()),
        (
            "mini.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n".to_string(),
        ),
        (
            "Cargo.toml",
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
                .unwrap(),
        ),
    ];
    for (name, text) in files {
        let path = write(dir.path(), name, text.as_bytes());
        let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains("cannot tell what kind of log this is"),
            "{name}: {stderr}"
        );
    }

    // Forcing the type still reads it as asked.
    let path = write(dir.path(), "forced.ini", b"[x]\n");
    let forced = format!("kubectl:{}", path.display());
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--input-type", &forced])
        .arg(&path));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn own_outputs_given_as_logs_exit_2() {
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let logs: Vec<PathBuf> = ["devvm-journal.log", "traefik-access.log"]
        .iter()
        .map(|name| incident.join(name))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for command in ["drops", "bursts", "incidents", "timeline"] {
        for format in ["csv", "json", "jsonl", "table"] {
            let (saved, stderr, code) =
                run(t3().args([command, "-q", "--format", format]).args(&logs));
            assert_eq!(code, 0, "{stderr}");
            let path = write(dir.path(), &format!("{command}.{format}"), saved.as_bytes());
            let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
            assert_eq!(code, 2, "{command} {format}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "{}: is t3forensics {command} output",
                    path.display()
                )),
                "{command} {format}: {stderr}"
            );
        }
    }

    // On stdin too, where `check --expect` cannot take it as it is.
    let (saved, _, _) = run(t3().args(["drops", "-q", "--format", "json"]).args(&logs));
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-"]).write_stdin(saved));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("<stdin>: is t3forensics drops output") && stderr.contains("save it"),
        "{stderr}"
    );
}

#[test]
fn explain_and_html_inputs_exit_2() {
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let logs: Vec<PathBuf> = [
        "devvm-journal.log",
        "traefik-access.log",
        "cloudflared-6f7c9d8b5-m4q7r.log",
    ]
    .iter()
    .map(|name| incident.join(name))
    .collect();
    let dir = tempfile::tempdir().unwrap();

    // Every drop's explanation: each quotes its evidence lines, Traefik's among them.
    let (drops, stderr, code) = run(t3().args(["drops", "-q", "--format", "csv"]).args(&logs));
    assert_eq!(code, 0, "{stderr}");
    let ids: Vec<String> = drops
        .lines()
        .skip(1)
        .filter_map(|row| row.split(',').next().map(str::to_string))
        .collect();
    assert!(!ids.is_empty());
    let mut saved = Vec::new();
    for id in &ids {
        for format in ["table", "json"] {
            let (text, stderr, code) = run(t3()
                .args(["explain", "-q", "--format", format, id])
                .args(&logs));
            assert_eq!(code, 0, "{id} {format}: {stderr}");
            let path = write(dir.path(), &format!("{id}.{format}.txt"), text.as_bytes());
            saved.push(("explain", path));
        }
    }
    let html = dir.path().join("report.html");
    let (_, stderr, code) = run(t3().args(["report", "-q", "--html"]).arg(&html).args(&logs));
    assert_eq!(code, 0, "{stderr}");
    saved.push(("report --html", html));

    for (command, path) in saved {
        let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 2, "{}: {stderr}", path.display());
        assert!(
            stderr.contains(&format!(
                "{}: is t3forensics {command} output, not a log",
                path.display()
            )),
            "{}: {stderr}",
            path.display()
        );
        assert!(
            stderr.contains("give the logs it was written from instead"),
            "{stderr}"
        );
    }
}

#[test]
fn document_quoting_log_lines_warns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    // Prose about Traefik, and a drops CSV quoted in a code block: detected as Traefik from
    // the words, yet not one Traefik line.
    let note = write(
        dir.path(),
        "note.md",
        b"# Drops on Tuesday\n\n\
          Traefik ended the socket before dispatch logged its close.\n\n\
          ```\n\
          D0001,2026-06-10T19:12:30.000Z,carol,203.0.113.35,1500326,graceful,4000,,last_mile,medium,x,traefik-access.log:2935,0,1500348,journal;traefik,I001\n\
          ```\n",
    );
    for path in [note, root.join("README.md")] {
        let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{}: not one of its {} lines was read as a traefik line",
                path.display(),
                std::fs::read_to_string(&path).unwrap().lines().count()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("if it is no traefik log"), "{stderr}");
    }
}

#[test]
fn irrelevant_real_log_lines_do_not_warn() {
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let dir = tempfile::tempdir().unwrap();
    // A Traefik log of other routers only, and a journal of other units only.
    let traefik = std::fs::read_to_string(incident.join("traefik-access.log")).unwrap();
    let others: String = traefik
        .lines()
        .filter(|line| !line.contains("t3code"))
        .map(|line| format!("{line}\n"))
        .collect();
    let journal = String::from_utf8(journal()).unwrap();
    let other_units: String = journal
        .lines()
        .filter(|line| line.contains(" sshd[") || line.contains(" CRON["))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(!other_units.is_empty());
    let files = [
        write(dir.path(), "traefik-others.log", others.as_bytes()),
        write(dir.path(), "journal-others.log", other_units.as_bytes()),
        write(dir.path(), "no-entries.log", b"-- No entries --\n"),
    ];
    for path in files {
        let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 0, "{}: {stderr}", path.display());
        assert!(
            !stderr.contains("not one of its"),
            "{}: {stderr}",
            path.display()
        );
    }
}

#[test]
fn localized_month_names_name_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let compressed = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/journal-modes/devvm-journal.short.log.gz"),
    )
    .unwrap();
    let mut short = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut short,
    )
    .unwrap();
    // `journalctl -o short` under LC_TIME=fr_FR.UTF-8 writes `juin` for June.
    let french: String = short
        .lines()
        .map(|line| match line.strip_prefix("Jun ") {
            Some(rest) => format!("juin {rest}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    assert_ne!(french, short);
    let path = write(dir.path(), "journal.fr.log", french.as_bytes());

    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("{}:", path.display())), "{stderr}");
    assert!(stderr.contains("the month name is not English"), "{stderr}");
    assert!(stderr.contains("LC_TIME=C journalctl"), "{stderr}");
    assert!(stderr.contains("-o short-iso"), "{stderr}");
    assert!(!stderr.contains("cannot tell what kind of log"), "{stderr}");

    // Forced as a journal, every line is malformed with that reason, so the run fails with it.
    let forced = format!("journal:{}", path.display());
    let (stdout, stderr, code) = run(t3().args(["drops", "--input-type", &forced]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--input-type journal does not fit it"),
        "{stderr}"
    );
    assert!(stderr.contains("LC_TIME=C journalctl"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn renamed_cloudflared_file_keeps_pod() {
    let incident = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(incident.join("cloudflared-6f7c9d8b5-m4q7r.log")).unwrap();
    let renamed = write(dir.path(), "cloudflared-6f7c9d8b5-m4q7r.out", &text);
    let (stdout, stderr, code) = run(t3()
        .args(["timeline", "-q", "--format", "jsonl"])
        .arg(&renamed));
    assert_eq!(code, 0, "{stderr}");
    let pods: std::collections::BTreeSet<String> = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter_map(|event| event["pod"].as_str().map(String::from))
        .collect();
    assert_eq!(
        pods.into_iter().collect::<Vec<_>>(),
        ["cloudflared-6f7c9d8b5-m4q7r"]
    );
}

#[test]
fn binary_garbage_alone_is_undetectable_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = write(dir.path(), "garbage.bin", &garbage);
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 2);
    assert!(stderr.contains("garbage.bin"), "{stderr}");
}

#[test]
fn binary_garbage_inside_a_journal_is_counted_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = journal();
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    data.extend_from_slice(&garbage);
    let path = write(dir.path(), "j.log", &data);
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(stderr.contains("malformed"), "{stderr}");
}

#[test]
fn nul_bytes_and_invalid_utf8_in_every_field_never_panic() {
    let base = "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful";
    let mut input = Vec::new();
    for at in (0..base.len()).step_by(7) {
        for bad in [&b"\x00"[..], b"\xff", b"\xc3", b"\xe2\x82"] {
            let mut line = base.as_bytes().to_vec();
            line.splice(at..at, bad.iter().copied());
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
    }
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--format", "json", "-"])
        .write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    let document: serde_json::Value =
        serde_json::from_str(&stdout).expect("JSON output stays valid UTF-8");
    assert!(document["drops"].is_array());
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let crlf: Vec<u8> = journal()
        .split(|b| *b == b'\n')
        .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
        .collect();
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(crlf));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(stderr.contains("0 malformed"), "{stderr}");
}

#[test]
fn line_longer_than_limit_is_malformed_and_skipped() {
    let mut data = journal();
    let insert_at = data.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut long = b"2026-06-10T19:00:00+00:00 devvm sshd[1]: ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 3 << 20));
    long.push(b'\n');
    data.splice(insert_at..insert_at, long);
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--max-line-bytes", "65536", "-"])
        .write_stdin(data));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(
        stderr.contains(
            "<stdin>:2: line longer than --max-line-bytes (65536 bytes); raise --max-line-bytes"
        ),
        "{stderr}"
    );
}

#[test]
fn timestamps_going_backwards_are_read() {
    // journalctl prints entries in journal order, so displayed times can step back.
    let text = String::from_utf8(journal()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    lines.swap(n / 2, n / 2 + 3);
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(lines.join("\n")));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
}

#[test]
fn short_lines_across_new_year_roll_the_year() {
    let input = "Dec 31 23:59:58 devvm t3-dispatch[812]: 2026/12/31 23:59:58 ws open user=alice ip=203.0.113.7, 10.10.1.12\n\
                 Jan  1 00:00:03 devvm t3-dispatch[812]: 2027/01/01 00:00:03 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5000 cause=graceful\n";
    let (stdout, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2027-01-01T00:00:03.000Z"), "{stdout}");
}

#[test]
fn tz_reads_local_journal_times_across_dst() {
    // Europe/Berlin switches to summer time at 2026-03-29 02:00 local (01:00 UTC).
    let input = "Mar 29 01:59:58 devvm t3-dispatch[812]: 2026/03/29 01:59:58 ws open user=bob ip=203.0.113.22, 10.10.1.12\n\
                 Mar 29 03:00:03 devvm t3-dispatch[812]: 2026/03/29 03:00:03 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=5000 cause=graceful\n";
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--tz", "Europe/Berlin", "-"])
        .write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2026-03-29T01:00:03.000Z"), "{stdout}");
}

#[test]
fn invalid_tz_is_a_usage_error() {
    let (_, stderr, code) = run(t3()
        .args(["drops", "--tz", "Mars/Olympus", "-"])
        .write_stdin(""));
    assert_eq!(code, 2);
    assert!(stderr.contains("--tz"), "{stderr}");
}

#[test]
fn identical_plain_lines_are_all_kept() {
    // Five identical cancel lines in one second are a burst, not one line repeated by paging.
    let line = "2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:07 http: proxy error: context canceled\n";
    let mut input = String::from("2026-06-10T19:40:00+00:00 devvm sshd[1]: start\n");
    input.push_str(&line.repeat(5));
    let (stdout, stderr, code) = run(t3().args(["bursts", "-"]).write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 1, "{stdout}");
    assert!(stdout.contains(",5,0,5,"), "5 cancel lines: {stdout}");
}

#[cfg(unix)]
#[test]
fn unreadable_file_exits_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "secret.log", &journal());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Running as root: permissions do not stop reads, so there is nothing to test.
        return;
    }
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 2);
    assert!(stderr.contains("secret.log"), "{stderr}");
}

#[test]
fn unwritable_output_exits_2_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("drops.csv");
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--output"])
        .arg(&target)
        .arg("-")
        .write_stdin(journal()));
    assert_eq!(code, 2);
    assert!(stderr.contains("drops.csv"), "{stderr}");
    assert!(!target.exists());
}

#[test]
fn formula_cells_are_neutralised_unless_csv_raw() {
    let input = "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7 dur_ms=5 cause==HYPERLINK(\"http://x\")\n";
    let (stdout, _, _) = run(t3().args(["drops", "-q", "-"]).write_stdin(input));
    assert!(stdout.contains(",\"'=HYPERLINK"), "{stdout}");
    let (stdout, _, _) = run(t3()
        .args(["drops", "-q", "--csv-raw", "-"])
        .write_stdin(input));
    assert!(stdout.contains(",\"=HYPERLINK"), "{stdout}");
    assert!(stdout.contains(",5,"), "numbers stay numbers: {stdout}");
}

#[test]
fn hostile_user_agent_cannot_fake_a_socket() {
    // The User-Agent carries a fake router and duration; the real router is another one.
    let line = "203.0.113.9 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \
                \"x\\\" 1 \\\"t3code-t3-t3-example-net@kubernetes\\\" \\\"http://10.0.10.10:3780\\\" 1ms\" \
                12 \"grafana-grafana-grafana-example-net@kubernetes\" \"http://10.0.20.3:3000\" 20ms\n";
    let (stdout, stderr, code) = run(t3()
        .args(["timeline", "-", "--input-type", "traefik"])
        .write_stdin(line));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("traefik_socket"), "{stdout}");
}

#[test]
fn same_line_of_three_pods_is_kept() {
    // A fleet-wide update: every pod logs the same shutdown line in the same second.
    let dir = tempfile::tempdir().unwrap();
    let log_of = |second: u32| {
        format!(
            "2026-06-10T19:40:{second:02}Z INF Updated to new configuration\n\
             2026-06-10T19:41:00Z ERR Initiating shutdown error=\"cloudflared has been updated to version 2026.6.0\"\n"
        )
    };
    let mut pods = Vec::new();
    for (n, pod) in ["k2x9p", "m4q7r", "z8w3t"].into_iter().enumerate() {
        let name = format!("cloudflared-6f7c9d8b5-{pod}.log");
        pods.push(write(dir.path(), &name, log_of(n as u32).as_bytes()));
    }
    let (stdout, stderr, code) = run(t3().args(["timeline", "--format", "csv"]).args(&pods));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("counted once"), "{stderr}");
    let shutdowns = stdout.lines().filter(|l| l.contains("Initiating")).count();
    assert_eq!(shutdowns, 3, "{stdout}");

    // The same pod's log given twice, under two names that both name the pod, is one stream.
    let copy_dir = dir.path().join("copy");
    std::fs::create_dir(&copy_dir).unwrap();
    // Not byte-identical, or it would be read once as a copy before any event is compared.
    let overlapping = log_of(30);
    let copy = write(
        &copy_dir,
        "cloudflared-6f7c9d8b5-k2x9p.log",
        overlapping.as_bytes(),
    );
    let (stdout, stderr, _) = run(t3()
        .args(["timeline", "--format", "csv"])
        .arg(&pods[0])
        .arg(&copy));
    assert!(stderr.contains("counted once"), "{stderr}");
    let shutdowns = stdout.lines().filter(|l| l.contains("Initiating")).count();
    assert_eq!(shutdowns, 1, "{stdout}");
}

#[test]
fn duplicated_and_overlapping_inputs_are_counted_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(journal()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first = write(
        dir.path(),
        "a.log",
        (lines[..1200].join("\n") + "\n").as_bytes(),
    );
    let second = write(
        dir.path(),
        "b.log",
        (lines[999..].join("\n") + "\n").as_bytes(),
    );
    let (stdout, stderr, code) = run(t3().arg("drops").arg(&first).arg(&second));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12, "the overlap is not counted twice");
    assert!(stderr.contains("counted once"), "{stderr}");
    let whole = write(dir.path(), "j.log", &journal());
    let (stdout, _, _) = run(t3().args(["drops", "-q"]).arg(&whole).arg(&whole));
    assert_eq!(rows(&stdout), 12, "the same file twice");
}

#[test]
fn gzip_cut_in_its_first_bytes_warns_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let full = gzip(&journal());
    let path = write(dir.path(), "early.log.gz", &full[..1400]);
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ends early"), "{stderr}");
}

#[test]
fn gzip_corrupt_midway_names_unread_rest() {
    // Three gzip members joined with `cat`, the middle one damaged in its middle: the
    // decompressor stops at the damage, before the file's end.
    let text = journal();
    let third = text.len() / 3;
    let cut = text[third..].iter().position(|&b| b == b'\n').unwrap() + third + 1;
    let end = text[2 * third..].iter().position(|&b| b == b'\n').unwrap() + 2 * third + 1;
    let mut middle = gzip(&text[cut..end]);
    let half = middle.len() / 2;
    middle[half..half + 64].fill(0xff);
    let mut bytes = gzip(&text[..cut]);
    bytes.extend_from_slice(&middle);
    bytes.extend_from_slice(&gzip(&text[end..]));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "rotated.log.gz", &bytes);

    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("compressed data is corrupt after"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the rest of the file was not read"),
        "{stderr}"
    );
    assert!(!stderr.contains("input ends early"), "{stderr}");
}

#[test]
fn stream_cut_before_any_line_is_cut_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let gz = gzip(&text);
    let zst = zstd::encode_all(&text[..], 3).unwrap();
    // (what, bytes): a gzip header alone, and a zstd frame cut inside its first block.
    let cases: [(&str, &[u8]); 3] = [
        ("gzip header", &gz[..10]),
        ("gzip header and a little", &gz[..25]),
        ("zstd first block", &zst[..2000]),
    ];
    for (what, bytes) in cases {
        let path = write(dir.path(), "cut.log", bytes);
        let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 0, "{what}: {stderr}");
        assert!(
            stderr.contains("input ends early after"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("input is empty"), "{what}: {stderr}");
        assert_eq!(rows(&stdout), 0, "{what}");
        let (_, stderr, code) = run(t3().args(["drops", "-q", "--strict"]).arg(&path));
        assert_eq!(code, 2, "{what}: --strict fails on a cut input: {stderr}");
    }
}

#[test]
fn record_input_cut_early_is_cut() {
    // A Prometheus response, gzip-compressed and cut inside the bytes read to detect its type.
    let metrics = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/metrics/probe.json");
    let gz = gzip(&std::fs::read(metrics).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "probe.json.gz", &gz[..gz.len() / 10]);
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("input ends early") && stderr.contains("the records before it were read"),
        "{stderr}"
    );
    let (_, stderr, code) = run(t3().args(["drops", "-q", "--strict"]).arg(&path));
    assert_eq!(code, 2, "--strict fails on a cut input: {stderr}");
}

#[test]
fn undetectable_cut_stream_names_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&journal());
    let path = write(dir.path(), "cut.log.gz", &gz[..100]);
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot tell what kind of log"), "{stderr}");
    assert!(stderr.contains("input ends early"), "{stderr}");
}

#[test]
fn byte_order_mark_does_not_cost_the_first_line() {
    let mut data = b"\xef\xbb\xbf".to_vec();
    data.extend(journal());
    let (stdout, stderr, code) = run(t3().args(["drops", "--strict", "-"]).write_stdin(data));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
}

#[test]
fn out_of_range_options_are_usage_errors() {
    for args in [
        &["--burst-min", "1"][..],
        &["--year", "26"],
        &["--max-line-bytes", "0"],
        &[
            "--since",
            "2026-06-10T21:06:00Z",
            "--until",
            "2026-06-10T21:00:00Z",
        ],
        &["--skew", "abc"],
        &["--input-type", "traefik:nosuch.log"],
        &["--burst-window", "0"],
        &["--burst-window", "100ms"],
    ] {
        let (_, stderr, code) = run(t3().arg("drops").args(args).arg("-").write_stdin(journal()));
        assert_eq!(code, 2, "{args:?}: {stderr}");
    }
    let (_, stderr, _) = run(t3().args(["drops", "--burst-window", "100ms", "-"]));
    assert!(stderr.contains("`100ms` is shorter than 1s"), "{stderr}");
}

#[test]
fn negative_counts_name_their_range() {
    // A negative value reaches the option's own check, whose message gives the range, and is
    // never read as an input file.
    for (option, value, range) in [
        ("--burst-min", "-1", "2 or more"),
        ("--git-timeout-users", "-2", "1 or more"),
        ("--max-line-bytes", "-1", "1024 or more"),
        ("--threads", "-1", "from 0 to 1024"),
        ("--threads", "abc", "from 0 to 1024"),
        ("--year", "-5", "from 1970 to 9999"),
        ("--year", "abcd", "from 1970 to 9999"),
        ("--io-pressure", "-1", "above 0 and at most 1"),
    ] {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", option, value, "-"])
            .write_stdin(journal()));
        assert_eq!(code, 2, "{option} {value}: {stderr}");
        assert!(stdout.is_empty(), "{option} {value}: {stdout}");
        assert!(stderr.contains(range), "{option} {value}: {stderr}");
        assert!(
            !stderr.contains("unexpected argument"),
            "{option} {value}: {stderr}"
        );
    }
}

#[test]
fn undetected_stdin_names_its_type_form() {
    // The fix the message gives for stdin is the form the option takes for it.
    let text = "plain words that no log format has\nmore of them\n";
    let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(text));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--input-type TYPE:- "), "{stderr}");
    let (_, stderr, code) = run(t3()
        .args(["drops", "--input-type", "traefik:-", "-"])
        .write_stdin(text));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn forced_skew_that_joins_nothing_warns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/skew");
    let inputs = [
        root.join("devvm-journal.log"),
        root.join("traefik-access.log"),
    ];
    let (measured, _, code) = run(t3().args(["drops", "-q"]).args(&inputs));
    assert_eq!(code, 0);
    let (stdout, stderr, code) = run(t3().args(["drops", "--skew", "1m"]).args(&inputs));
    assert_eq!(code, 0);
    assert!(stderr.contains("joins no dispatch socket"), "{stderr}");
    // A failed join must not count each socket twice, once per side, and the summary names
    // what it left out.
    assert_eq!(rows(&stdout), rows(&measured), "{stdout}");
    assert!(
        stderr.contains("Traefik socket(s) with no dispatch socket"),
        "{stderr}"
    );
}

#[test]
fn repeated_input_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "devvm-journal.log", &journal());
    let copy = write(dir.path(), "journal-copy.log", &journal());
    let (once, _, code) = run(t3().args(["drops", "--format", "table"]).arg(&path));
    assert_eq!(code, 0);

    // (second input, its warning, its line in the input list)
    let cases = [
        (
            &path,
            "was given more than once, so it was read once".to_string(),
            "given again, not read again".to_string(),
        ),
        (
            &copy,
            format!("journal-copy.log has the same bytes as {}", path.display()),
            format!("journal-copy.log: the same bytes as {}", path.display()),
        ),
    ];
    for (second, warning, listed) in cases {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "--format", "table"])
            .arg(&path)
            .arg(second));
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, once, "the rows do not change");
        assert!(stderr.contains(&warning), "{stderr}");
        assert!(stderr.contains(&listed), "{stderr}");
        assert!(
            !stderr.contains("appeared in more than one input"),
            "no events to de-duplicate: {stderr}"
        );
        let coverage = stderr
            .lines()
            .find(|line| line.contains("devvm journal "))
            .unwrap();
        assert!(
            coverage.contains(" 2011 lines,"),
            "lines counted once: {coverage}"
        );
    }
}

#[test]
fn same_size_other_bytes_are_both_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let path = write(dir.path(), "devvm-journal.log", &text);
    // One byte changed near the end, past the first 64 KiB chunk: the same size, other bytes.
    let mut changed = text.clone();
    let at = changed.len() - 10;
    changed[at] = if changed[at] == b'x' { b'y' } else { b'x' };
    let other = write(dir.path(), "other.log", &changed);

    let (_, stderr, code) = run(t3().arg("drops").arg(&path).arg(&other));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("same bytes"), "{stderr}");
    assert!(!stderr.contains("read once"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn link_to_a_file_given_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "devvm-journal.log", &journal());
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink(&path, &link).unwrap();

    let (_, stderr, code) = run(t3().arg("drops").arg(&path).arg(&link));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("link.log is the same file as"), "{stderr}");
    assert!(stderr.contains("so it was read once"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn file_with_two_types_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "devvm-journal.log", &journal());
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let forced = format!("journal:{}", path.display());

    let (_, stderr, code) = run(t3()
        .arg("drops")
        .arg(&path)
        .arg(&link)
        .args(["--input-type", &forced]));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("read once"), "{stderr}");
    assert!(
        stderr.contains("appeared in more than one input"),
        "both readings are kept and their events merged: {stderr}"
    );
}

#[test]
fn output_onto_an_input_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "devvm-journal.log", &journal());

    let (_, stderr, code) = run(t3().arg("drops").arg("-o").arg(&path).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is also an input"), "{stderr}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        journal(),
        "the log is untouched"
    );
}

#[test]
fn html_and_output_on_one_path_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "devvm-journal.log", &journal());
    let target = dir.path().join("out");

    let (_, stderr, code) = run(t3()
        .arg("report")
        .arg("--html")
        .arg(&target)
        .arg("--output")
        .arg(&target)
        .arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("both name"), "{stderr}");
    assert!(!target.exists(), "nothing is written");
}

#[test]
fn leading_blank_lines_do_not_hide_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.log", &journal());
    let mut padded = vec![b'\n'; 5000];
    padded.extend(journal());
    let padded = write(dir.path(), "padded.log", &padded);

    let (plain_rows, _, _) = run(t3().args(["drops", "-q"]).arg(&plain));
    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&padded));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), rows(&plain_rows), "{stderr}");
    assert!(
        stderr.contains("7014 lines read"),
        "blank lines are counted: {stderr}"
    );
}

#[test]
fn only_blank_lines_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "blank.log", &vec![b'\n'; 20_000]);
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("input has only blank lines"), "{stderr}");
    assert!(stderr.contains("20000 lines read"), "{stderr}");
}

#[test]
fn corrupt_zstd_keeps_lines_read_and_warns() {
    // Two frames: the first decodes whole, and a flipped byte damages the second.
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let half = memchr_newline(&text[text.len() / 2..]) + text.len() / 2 + 1;
    let mut data = zstd::encode_all(&text[..half], 3).unwrap();
    let second = zstd::encode_all(&text[half..], 3).unwrap();
    let damaged_at = data.len() + second.len() / 2;
    data.extend(second);
    data[damaged_at] ^= 0xff;
    let path = write(dir.path(), "damaged.log.zst", &data);

    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("compressed data is corrupt after"),
        "{stderr}"
    );
    assert!(stderr.contains("zstd:"), "{stderr}");
    assert!(rows(&stdout) > 0, "drops of the first frame are kept");

    let (_, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 2, "--strict fails on a damaged stream: {stderr}");
}

#[test]
fn zero_padding_after_gzip_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = gzip(&journal());
    data.extend(gzip(b""));
    data.extend(std::iter::repeat_n(0u8, 100_000));
    let path = write(dir.path(), "padded.log.gz", &data);

    let (stdout, stderr, code) = run(t3().args(["drops", "--strict"]).arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(!stderr.contains("ends early"), "{stderr}");
}

#[test]
fn bytes_after_zero_padding_still_warn() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = gzip(&journal());
    data.extend([0u8; 64]);
    data.extend(b"not gzip");
    let path = write(dir.path(), "tail.log.gz", &data);

    let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
    assert!(stderr.contains("not gzip"), "{stderr}");
}

#[test]
fn undetected_input_names_likely_cause() {
    let dir = tempfile::tempdir().unwrap();
    let bare_cr: Vec<u8> = journal()
        .into_iter()
        .map(|b| if b == b'\n' { b'\r' } else { b })
        .collect();
    let mac = write(dir.path(), "j.cr.log", &bare_cr);
    // (input, text the error must contain)
    let cases = [(mac, "bare CR")];
    for (path, cause) in cases {
        let (_, stderr, code) = run(t3().arg("drops").arg(&path));
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("cannot tell what kind of log"), "{stderr}");
        assert!(stderr.contains(cause), "{stderr}");
    }
}

#[test]
fn unread_journal_modes_name_the_fix() {
    // Each export as journalctl 252 writes it, with no `-- Journal begins` line before it.
    let verbose = "Wed 2026-06-10 19:00:00.699991 UTC [s=c2ed;i=39c42;b=d570;m=32ef;t=653e;x=69b8]\n    PRIORITY=5\n    SYSLOG_IDENTIFIER=kernel\n    _HOSTNAME=devvm\n    MESSAGE=audit: type=1400\n"
        .repeat(20);
    let pretty = "{\n\t\"_BOOT_ID\" : \"d5702c6994b6c7f9cc9af0a3beb43d5c\",\n\t\"__REALTIME_TIMESTAMP\" : \"1781118000699991\",\n\t\"PRIORITY\" : \"5\",\n\t\"_HOSTNAME\" : \"devvm\",\n\t\"SYSLOG_IDENTIFIER\" : \"kernel\",\n\t\"MESSAGE\" : \"audit: type=1400\"\n}\n"
        .repeat(20);
    let text = String::from_utf8(journal()).unwrap();
    let delta: String = text
        .lines()
        .filter(|line| !line.starts_with("--"))
        .enumerate()
        .map(|(n, line)| {
            let rest = line.split_once(' ').unwrap().1;
            if n == 0 {
                // The first entry of a boot has no delta: 16 spaces stand in for it.
                format!("[218758.282898{:16}] {rest}\n", "")
            } else {
                format!("[{:>6}.{:06} <    0.{:06} >] {rest}\n", 218_758 + n, n, n)
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // (file, mode, the line that shows it, how to export it again)
    let cases = [
        (
            "j.verbose.log",
            verbose,
            "verbose",
            1,
            "-o short-iso, -o json or -o export",
        ),
        ("j.pretty.log", pretty, "json-pretty", 2, "-o json"),
        ("j.delta.log", delta, "short-delta", 1, "-o short-iso"),
    ];
    for (name, text, mode, line, fix) in cases {
        let path = write(dir.path(), name, text.as_bytes());
        let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
        assert_eq!(code, 2, "{stderr}");
        let location = format!("{}:{line}: ", path.display());
        assert!(stderr.contains(&location), "{mode}: {stderr}");
        assert!(
            stderr.contains(&format!("`journalctl -o {mode}`")),
            "{mode}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("export it again with {fix}")),
            "{mode}: {stderr}"
        );
        // Forcing a type would not read these lines either.
        assert!(!stderr.contains("--input-type"), "{mode}: {stderr}");
    }
}

#[test]
fn first_lines_over_limit_name_the_limit() {
    // One 5 MB `-o json` entry (`journalctl --all` writes long values whole).
    let mut entry = br#"{"__REALTIME_TIMESTAMP":"1781121361123456","MESSAGE":""#.to_vec();
    entry.extend(std::iter::repeat_n(b'x', 5 << 20));
    entry.extend_from_slice(b"\"}");
    let length = entry.len();
    entry.push(b'\n');
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "j.long.json", &entry);

    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("longer than --max-line-bytes (1048576 bytes)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("pass --max-line-bytes {length} or more")),
        "{stderr}"
    );
    assert!(!stderr.contains("--input-type"), "{stderr}");

    // The length it names is enough to read the line.
    let limit = length.to_string();
    let (_, stderr, code) = run(t3()
        .args(["drops", "-q", "--max-line-bytes", &limit])
        .arg(&path));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn short_monotonic_lines_name_their_mode() {
    // `[seconds since boot] host ident[pid]: …` has no date. journalctl's header line before
    // it does not make it a journal: the run fails, naming the mode and how to export it again.
    let text = String::from_utf8(journal()).unwrap();
    let monotonic: String = text
        .lines()
        .enumerate()
        .map(|(n, line)| match line.split_once(' ') {
            Some((_, rest)) if !line.starts_with("--") => {
                format!("[{:>6}.{:06}] {rest}\n", 218_758 + n, n)
            }
            _ => format!("{line}\n"),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "j.monotonic.log", monotonic.as_bytes());
    assert!(
        monotonic.starts_with("-- "),
        "the sample journal starts with its header"
    );
    let (stdout, stderr, code) = run(t3().args(["drops", "-q"]).arg(&path));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("journalctl -o short-monotonic"), "{stderr}");
    assert!(stderr.contains("-o short-iso"), "{stderr}");
}

#[test]
fn open_last_line_is_warned() {
    // A copy taken while the log was written: its last line stops mid-field.
    let mut text = journal();
    text.extend_from_slice(
        b"2026-06-10T19:59:59+00:00 devvm t3-dispatch[812]: 2026/06/10 19:59:59 ws open user=alice ip=198.51.10",
    );
    let dir = tempfile::tempdir().unwrap();
    let cut = write(dir.path(), "j.cut.log", &text);
    let (_, stderr, code) = run(t3().args(["drops", "-q"]).arg(&cut));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("its last line has no line end"), "{stderr}");
    let (_, stderr, code) = run(t3().args(["drops", "-q", "--strict"]).arg(&cut));
    assert_eq!(code, 2, "--strict fails on it: {stderr}");

    // The same cut text compressed, and piped in, is read through the line reader, which
    // detects the open line at the end of the stream.
    let gz = write(dir.path(), "j.cut.log.gz", &gzip(&text));
    let (_, stderr, code) = run(t3().args(["drops", "-q", "--strict"]).arg(&gz));
    assert_eq!(code, 2, "--strict fails on the gzip copy: {stderr}");
    assert!(stderr.contains("its last line has no line end"), "{stderr}");
    // stdin redirected from the file is read by offset, like the file itself.
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("t3forensics"))
        .args(["drops", "-q", "--strict", "-"])
        .stdin(std::fs::File::open(&cut).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--strict fails on redirected stdin: {stderr}"
    );
    assert!(stderr.contains("its last line has no line end"), "{stderr}");
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-"]).write_stdin(text.clone()));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("<stdin>: its last line has no line end"),
        "{stderr}"
    );

    let whole = write(dir.path(), "j.log", &journal());
    let (_, stderr, _) = run(t3().args(["drops", "-q"]).arg(&whole));
    assert!(!stderr.contains("no line end"), "{stderr}");
    let whole_gz = write(dir.path(), "j.log.gz", &gzip(&journal()));
    let (_, stderr, _) = run(t3().args(["drops", "-q"]).arg(&whole_gz));
    assert!(!stderr.contains("no line end"), "{stderr}");
    let (_, stderr, _) = run(t3().args(["drops", "-q", "-"]).write_stdin(journal()));
    assert!(!stderr.contains("no line end"), "{stderr}");
}

#[test]
fn journal_lines_in_traefik_log_are_malformed() {
    // Two logs joined into one file: the Traefik lines decide its type, and the journal lines
    // must not pass as ignored.
    let journal = String::from_utf8(journal()).unwrap();
    let traefik = std::fs::read_to_string("testdata/incident/traefik-access.log").unwrap();
    let mut mixed: String = journal.lines().take(20).map(|l| format!("{l}\n")).collect();
    mixed.extend(traefik.lines().take(400).map(|l| format!("{l}\n")));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "mixed.log", mixed.as_bytes());

    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("+ 20 malformed"), "{stderr}");
    assert!(
        stderr.contains("a devvm journal line among Traefik lines"),
        "{stderr}"
    );
    let (_, stderr, code) = run(t3().args(["drops", "-q", "--strict"]).arg(&path));
    assert_eq!(code, 2, "--strict fails on it: {stderr}");
    assert!(stderr.contains("mixed.log:1:"), "{stderr}");
}

#[test]
fn output_path_problems_give_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let journal = write(dir.path(), "j.log", &journal());

    let missing = dir.path().join("no-such-dir/drops.csv");
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-o"]).arg(&missing).arg(&journal));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("create its directory first"), "{stderr}");

    let odd = dir.path().join("drops.xyz");
    let (_, stderr, code) = run(t3().args(["drops", "-q", "-o"]).arg(&odd).arg(&journal));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("its extension names no output format, so CSV is written"),
        "{stderr}"
    );
    let written = std::fs::read_to_string(&odd).unwrap();
    assert!(written.starts_with("drop_id,"), "{written}");

    let bz2 = dir.path().join("drops.csv.bz2");
    let (_, stderr, _) = run(t3().args(["drops", "-q", "-o"]).arg(&bz2).arg(&journal));
    assert!(
        stderr.contains("so CSV is written uncompressed"),
        "{stderr}"
    );

    let named = dir.path().join("drops.json");
    let (_, stderr, _) = run(t3().args(["drops", "-q", "-o"]).arg(&named).arg(&journal));
    assert!(!stderr.contains("names no output format"), "{stderr}");
}

#[test]
fn no_entries_journal_is_warned() {
    // What journalctl writes for a query that matched nothing.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "empty-query.log", b"-- No entries --\n");
    let (_, stderr, code) = run(t3().arg("drops").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("journalctl wrote `-- No entries --`"),
        "{stderr}"
    );
    assert!(stderr.contains("1 line read = 0 used"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn failed_read_names_the_fix() {
    // Reading /proc/self/mem at offset 0 fails with EIO: nothing is mapped there.
    let (_, stderr, code) = run(t3().args(["drops", "-q", "/proc/self/mem"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("read failed"), "{stderr}");
    assert!(stderr.contains("reported an I/O error"), "{stderr}");
    assert!(stderr.contains("read the copy"), "{stderr}");
}

#[test]
fn unsupported_compression_names_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let junk = [0x8a, 0x0a, 0x00, 0x41, 0xff, 0x0a, 0x10];
    let cases: [(&str, &[u8], &str, &str); 4] = [
        (
            "journal.log.xz",
            &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
            "is xz data",
            "`xz -dc ",
        ),
        (
            "journal.log.bz2",
            &[b'B', b'Z', b'h', b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59],
            "is bzip2 data",
            "`bzip2 -dc ",
        ),
        (
            "logs.zip",
            b"PK\x03\x04\x14\x00",
            "is zip data",
            "`unzip -p ",
        ),
        (
            "journal.log.lz4",
            &[0x04, 0x22, 0x4d, 0x18],
            "is lz4 data",
            "`lz4 -dc ",
        ),
    ];
    for (name, magic, what, command) in cases {
        let mut data = magic.to_vec();
        data.extend_from_slice(&junk);
        let path = write(dir.path(), name, &data);
        let (stdout, stderr, code) = run(t3().arg("drops").arg(&path));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains(what), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{command}{}", path.display())),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains("--input-type"), "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");

        // The same bytes on stdin.
        let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(data));
        assert_eq!(code, 2, "{name} on stdin: {stderr}");
        assert!(stderr.contains(what), "{name} on stdin: {stderr}");
    }

    // Text that starts with `BZh` is no bzip2 stream.
    let text = write(dir.path(), "bzh.log", b"BZh is not a log line\n");
    let (_, stderr, code) = run(t3().arg("drops").arg(&text));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot tell what kind of log"), "{stderr}");
}

/// Encodes ASCII text as UTF-16, little-endian or big-endian, without a byte-order mark.
fn utf16(text: &[u8], little_endian: bool) -> Vec<u8> {
    text.iter()
        .flat_map(|&b| if little_endian { [b, 0] } else { [0, b] })
        .collect()
}

#[test]
fn utf16_input_exits_2_naming_iconv() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let mut with_mark = vec![0xff, 0xfe];
    with_mark.extend(utf16(&text, true));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("mark.log", with_mark.clone(), "iconv -f UTF-16 -t UTF-8"),
        ("le.log", utf16(&text, true), "iconv -f UTF-16LE -t UTF-8"),
        ("be.log", utf16(&text, false), "iconv -f UTF-16BE -t UTF-8"),
        (
            "mark.log.gz",
            gzip(&with_mark),
            "| iconv -f UTF-16 -t UTF-8",
        ),
    ];
    for (file, data, command) in cases {
        let path = write(dir.path(), file, &data);
        for forced in [None, Some("journal")] {
            let mut cmd = t3();
            cmd.arg("drops");
            if let Some(kind) = forced {
                cmd.arg("--input-type").arg(kind);
            }
            let (stdout, stderr, code) = run(cmd.arg(&path));
            assert_eq!(code, 2, "{file} {forced:?}: {stderr}");
            assert!(
                stderr.contains("text, and this tool reads UTF-8"),
                "{stderr}"
            );
            assert!(stderr.contains(command), "{file}: {stderr}");
            assert!(stdout.is_empty(), "{stdout}");
        }
    }
}

#[test]
fn compressed_twice_exits_2_naming_both_layers() {
    let dir = tempfile::tempdir().unwrap();
    let text = journal();
    let mut xz_inside = vec![0xfd, b'7', b'z', b'X', b'Z', 0x00];
    xz_inside.extend_from_slice(&[0x8a, 0x0a, 0x00, 0x41]);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "gzip in gzip",
            gzip(&gzip(&text)),
            "gzip data that contains gzip data",
            "gzip -dc | ",
        ),
        (
            "zstd in gzip",
            gzip(&zstd::encode_all(&text[..], 3).unwrap()),
            "gzip data that contains zstd data",
            "zstd -dc | ",
        ),
        (
            "gzip in zstd",
            zstd::encode_all(&gzip(&text)[..], 3).unwrap(),
            "zstd data that contains gzip data",
            "gzip -dc | ",
        ),
        (
            "xz in gzip",
            gzip(&xz_inside),
            "gzip data that contains xz data",
            "xz -dc | ",
        ),
    ];
    for (case, data, what, inner_command) in cases {
        let path = write(dir.path(), "double.gz", &data);
        let outer_command = if case.ends_with("zstd") {
            "zstd -dc"
        } else {
            "gzip -dc"
        };
        let command = format!("`{outer_command} {} | {inner_command}", path.display());
        for forced in [None, Some("traefik")] {
            let mut cmd = t3();
            cmd.arg("drops");
            if let Some(kind) = forced {
                cmd.arg("--input-type").arg(kind);
            }
            let (stdout, stderr, code) = run(cmd.arg(&path));
            assert_eq!(code, 2, "{case} {forced:?}: {stderr}");
            assert!(stderr.contains(what), "{case}: {stderr}");
            assert!(stderr.contains(&command), "{case}: {stderr}");
            assert!(!stderr.contains("NUL"), "{case}: {stderr}");
            assert!(stdout.is_empty(), "{case}: {stdout}");
        }

        let (_, stderr, code) = run(t3().args(["drops", "-"]).write_stdin(data));
        assert_eq!(code, 2, "{case} on stdin: {stderr}");
        assert!(stderr.contains(what), "{case} on stdin: {stderr}");
    }
}

#[test]
fn forced_type_fitting_no_line_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = write(dir.path(), "devvm-journal.log", &journal());
    let traefik = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident/traefik-access.log"),
    )
    .unwrap();
    let traefik_path = write(dir.path(), "traefik-access.log", &traefik);
    let random: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let random_path = write(dir.path(), "random.bin", &random);
    // (forced type, its file, text the error must contain)
    let cases = [
        (
            "journal",
            &traefik_path,
            "its content is detected as traefik",
        ),
        (
            "traefik",
            &journal_path,
            "its content is detected as journal",
        ),
        (
            "loki-api",
            &traefik_path,
            "its content is detected as traefik",
        ),
        (
            "grafana-csv",
            &journal_path,
            "its content is detected as journal",
        ),
        (
            "traefik",
            &random_path,
            "its first lines match no type either",
        ),
    ];
    for (forced, path, hint) in cases {
        let option = format!("{forced}:{}", path.display());
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "--input-type", &option])
            .arg(&journal_path)
            .arg(&traefik_path)
            .arg(path));
        assert_eq!(code, 2, "{option}: {stderr}");
        let fits = format!("--input-type {forced} does not fit it: not one of its");
        assert!(stderr.contains(&fits), "{option}: {stderr}");
        assert!(stderr.contains(hint), "{option}: {stderr}");
        assert!(stdout.is_empty(), "{option}: {stdout}");
    }

    // A forced type that fits keeps the run going.
    let option = format!("traefik:{}", traefik_path.display());
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "--input-type", &option])
        .arg(&journal_path)
        .arg(&traefik_path));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(rows(&stdout), 12);
}

#[cfg(unix)]
#[test]
fn fifo_without_writer_says_it_waits() {
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("journal.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("t3forensics"))
        .args(["drops", "-q"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Well past the notice's delay, then the writer comes.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::fs::write(&fifo, journal()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let notice = format!("waiting for a writer on {}", fifo.display());
    assert_eq!(stderr.matches(&notice).count(), 1, "{stderr}");
    assert_eq!(rows(&String::from_utf8_lossy(&output.stdout)), 12);
}
