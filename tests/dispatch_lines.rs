//! t3-dispatch lines end to end. Every Go `log` header shape gives the same drops as the
//! default one. A dispatch line that does not read, or that a cut write joined to the next
//! line, is counted as malformed and stops `--strict`.

mod common;

use std::path::{Path, PathBuf};

use common::{run, t3};

/// Writes a Go header from a line's date and time, as one set of `log` flags does.
type Rewrite = fn(&str, &str) -> String;

const PREFIX: &str = "t3-dispatch[812]: ";

/// Length of Go's default header `2026/06/10 19:40:07 `.
const GO_HEADER_LEN: usize = 20;

fn incident(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/incident")
        .join(name)
}

/// Returns the bundled journal with each dispatch line's Go header `2026/06/10 19:40:07 `
/// replaced by `rewrite(date, time)`, where `date` and `time` have no trailing space.
fn journal_with_headers(rewrite: impl Fn(&str, &str) -> String) -> String {
    let journal = std::fs::read_to_string(incident("devvm-journal.log")).unwrap();
    let mut rewritten = 0;
    let mut out = String::new();
    for line in journal.lines() {
        match line.find(PREFIX) {
            Some(at) => {
                let header_at = at + PREFIX.len();
                let header = &line[header_at..header_at + GO_HEADER_LEN];
                let (date, time) = header.trim_end().split_once(' ').unwrap();
                out.push_str(&line[..header_at]);
                out.push_str(&rewrite(date, time));
                out.push_str(&line[header_at + GO_HEADER_LEN..]);
                rewritten += 1;
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    assert_eq!(rewritten, 144, "the bundled journal has 144 dispatch lines");
    out
}

/// Runs `drops` on a journal and the bundled cluster logs. The journal is written as
/// `devvm-journal.log` and named relative to a new temporary directory, so the evidence of two
/// runs names the same file. Returns (stdout, stderr, exit code).
fn drops(journal: &str, extra: &[&str]) -> (String, String, i32) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("devvm-journal.log"), journal).unwrap();
    let mut cmd = t3();
    cmd.current_dir(dir.path())
        .arg("drops")
        .args(extra)
        .arg("devvm-journal.log");
    for name in [
        "traefik-access.log",
        "cloudflared-6f7c9d8b5-k2x9p.log",
        "cloudflared-6f7c9d8b5-m4q7r.log",
        "cloudflared-6f7c9d8b5-z8w3t.log",
    ] {
        cmd.arg(incident(name));
    }
    run(&mut cmd)
}

#[test]
fn go_header_shapes_keep_the_drops() {
    let default = journal_with_headers(|date, time| format!("{date} {time} "));
    let (expected, stderr, code) = drops(&default, &["--strict"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(expected.lines().count(), 13, "a header and 12 drops");

    // (name, Go flags written as a header)
    let shapes: [(&str, Rewrite); 7] = [
        ("Ltime", |_, time| format!("{time} ")),
        ("Lmicroseconds", |_, time| format!("{time}.123456 ")),
        ("LstdFlags|Lshortfile", |date, time| {
            format!("{date} {time} main.go:88: ")
        }),
        ("Ldate|Lmicroseconds|Llongfile", |date, time| {
            format!("{date} {time}.000001 /src/t3/cmd/dispatch/main.go:88: ")
        }),
        ("Lshortfile", |_, _| "main.go:88: ".to_string()),
        ("prefix|LstdFlags", |date, time| {
            format!("[t3-dispatch] {date} {time} ")
        }),
        ("LstdFlags|Lshortfile|Lmsgprefix", |date, time| {
            format!("{date} {time} main.go:88: dispatch: ")
        }),
    ];
    for (name, rewrite) in shapes {
        let (stdout, stderr, code) = drops(&journal_with_headers(rewrite), &["--strict"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(stdout, expected, "{name}");
        assert!(stderr.contains("+ 0 malformed"), "{name}: {stderr}");
    }
}

#[test]
fn unreadable_go_header_is_malformed() {
    // Month 13: a header of Go's shape whose date is invalid.
    let journal = journal_with_headers(|_, time| format!("2026/13/10 {time} "));

    let (_, stderr, code) = drops(&journal, &["--strict"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("invalid date in its Go log header"),
        "{stderr}"
    );

    let (_, stderr, code) = drops(&journal, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("+ 144 malformed"), "{stderr}");
}

/// Cuts the first `ws close` of alice after `cut_after` and joins the next line to it, as a
/// truncated write leaves it. Returns the journal and the 1-based number of the joined line.
fn journal_with_joined_close(cut_after: &str) -> (String, usize) {
    let journal = std::fs::read_to_string(incident("devvm-journal.log")).unwrap();
    let mut lines: Vec<String> = journal.lines().map(str::to_string).collect();
    let index = lines
        .iter()
        .position(|line| line.contains("ws close user=alice ip="))
        .unwrap();
    let cut = lines[index].find(cut_after).unwrap() + cut_after.len();
    let next = lines.remove(index + 1);
    lines[index].truncate(cut);
    lines[index].push_str(&next);
    (lines.join("\n") + "\n", index + 1)
}

#[test]
fn joined_journal_line_is_malformed() {
    for cut_after in ["ip=203.0.", "user=al", "dur_ms=1", "cause=grace"] {
        let (journal, line) = journal_with_joined_close(cut_after);

        let (_, stderr, code) = drops(&journal, &["--strict"]);
        assert_eq!(code, 2, "{cut_after}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "devvm-journal.log:{line}: two journal lines joined"
            )),
            "{cut_after}: {stderr}"
        );

        let (stdout, stderr, code) = drops(&journal, &["--format", "jsonl"]);
        assert_eq!(code, 0, "{cut_after}: {stderr}");
        assert!(stderr.contains("+ 1 malformed"), "{cut_after}: {stderr}");
        assert!(!stdout.contains("\"al2026"), "{cut_after}: {stdout}");
    }
}
