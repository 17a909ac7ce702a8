//! CLI tests of `report --html` on the bundled incident, of the table's `--color`,
//! `--table-width` and `--wide`, and of the drop histogram in the summary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn incident_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    [
        "devvm-journal.log",
        "traefik-access.log",
        "cloudflared-6f7c9d8b5-k2x9p.log",
        "cloudflared-6f7c9d8b5-m4q7r.log",
        "cloudflared-6f7c9d8b5-z8w3t.log",
    ]
    .iter()
    .map(|name| dir.join(name))
    .collect()
}

fn t3() -> Command {
    let mut command = Command::cargo_bin("t3forensics").unwrap();
    command.env_remove("NO_COLOR");
    command
}

/// Runs a command and returns (stdout, stderr, exit code).
fn run(cmd: &mut Command) -> (String, String, i32) {
    let output = cmd.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}

/// Writes the report of `inputs` into a new directory and returns the directory and the HTML.
fn report_of(inputs: &[PathBuf], extra: &[&str]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let (_, stderr, code) = run(t3()
        .arg("report")
        .arg("--html")
        .arg(&path)
        .args(extra)
        .args(inputs));
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(&path).unwrap();
    (dir, html, stderr)
}

/// Elements written without a closing tag in HTML.
const VOID_ELEMENTS: &[&str] = &["meta", "br", "hr", "img", "input", "link"];

/// Checks that start and end tags nest, as far as a report needs: returns the names of the
/// elements in document order, or the first nesting error.
fn element_names(html: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').ok_or("a tag is never closed")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(top) if top == name => {}
                top => return Err(format!("</{name}> closes {top:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() {
            return Err(format!("text `<{tag}>` reads as a tag"));
        }
        names.push(name.clone());
        if name == "style" {
            // Style text contains no tags, so skip to its end tag.
            let close = rest.find("</style>").ok_or("<style> is never closed")?;
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        if !tag.ends_with('/') && !VOID_ELEMENTS.contains(&name.as_str()) {
            open.push(name);
        }
    }
    if open.is_empty() {
        Ok(names)
    } else {
        Err(format!("elements left open: {open:?}"))
    }
}

#[test]
fn tag_check_finds_bad_nesting() {
    assert!(element_names("<p><b>x</b></p><svg><circle/></svg>").is_ok());
    assert!(element_names("<p><b>x</p></b>").is_err());
    assert!(element_names("<td>a <script>b</td>").is_err());
    assert!(element_names("<p>unclosed").is_err());
}

/// Removes the `<code class="line">` elements, which hold log text.
fn without_log_text(html: &str) -> String {
    let mut kept = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code class=\"line\">") {
        kept.push_str(&rest[..start]);
        let end = rest[start..].find("</code>").unwrap();
        rest = &rest[start + end + "</code>".len()..];
    }
    kept.push_str(rest);
    kept
}

/// `(drop_id, segment)` of every drop, from `drops --format csv`.
fn drop_segments() -> Vec<(String, String)> {
    let (stdout, stderr, code) = run(t3()
        .args(["drops", "-q", "--format", "csv"])
        .args(incident_files()));
    assert_eq!(code, 0, "{stderr}");
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[8].to_string())
        })
        .collect()
}

#[test]
fn report_structure_on_incident() {
    let (_dir, html, stderr) = report_of(&incident_files(), &[]);
    let names = element_names(&html).expect("tags nest");
    assert_eq!(names.iter().filter(|n| *n == "svg").count(), 1);
    assert_eq!(names.first().map(String::as_str), Some("html"));

    for source in ["journal", "traefik"] {
        let lane = format!("<g class=\"lane\" data-source=\"{source}\">");
        assert_eq!(html.matches(&lane).count(), 1, "{source} lane");
    }
    let pods = "<g class=\"lane\" data-source=\"cloudflared\">";
    assert_eq!(
        html.matches(pods).count(),
        3,
        "one lane per cloudflared pod"
    );
    for pod in ["k2x9p", "m4q7r", "z8w3t"] {
        assert!(html.contains(&format!(">cloudflared-6f7c9d8b5-{pod}</text>")));
    }

    let drops = drop_segments();
    assert_eq!(drops.len(), 12);
    assert_eq!(
        html.matches("<circle class=\"drop seg-").count(),
        drops.len()
    );
    for (id, segment) in &drops {
        let mark_at = html
            .find(&format!("<a href=\"#{id}\"><title>"))
            .unwrap_or_else(|| panic!("no mark links to {id}"));
        let mark = &html[mark_at..mark_at + html[mark_at..].find("</a>").unwrap()];
        assert!(
            mark.contains(&format!("class=\"drop seg-{segment}\"")),
            "{id} mark is not {segment}: {mark}"
        );
        assert!(html.contains(&format!("<tr class=\"drop\" id=\"{id}\">")));
    }

    for incident in ["I001", "I002", "I003", "I004", "I005", "I006"] {
        assert!(html.contains(&format!("<a href=\"#{incident}\"><title>{incident} ")));
        assert!(html.contains(&format!("<tr id=\"{incident}\">")));
    }
    assert_eq!(html.matches("<rect class=\"incident seg-").count(), 6);
    assert_eq!(
        html.matches("<rect class=\"burst seg-cluster_path\"")
            .count(),
        1
    );
    assert!(html.contains("<ul class=\"legend\">"));

    // Evidence of the Cloudflare drop: the tunnel churn line of pod m4q7r.
    assert!(
        html.contains(
            "testdata/incident/cloudflared-6f7c9d8b5-m4q7r.log:12</td><td>cloudflared</td>"
        )
    );
    assert!(stderr.contains("  report: "), "{stderr}");
}

#[test]
fn report_loads_nothing_from_outside() {
    let (_dir, html, _) = report_of(&incident_files(), &[]);
    assert!(
        html.contains("http://10.0.10.10:3780"),
        "log text keeps its URLs"
    );
    let outside = without_log_text(&html);
    for needle in [
        "http://", "https://", "<script", "<link", "<img", "@import", " src=",
    ] {
        assert!(!outside.contains(needle), "{needle:?} outside log text");
    }
    for (at, _) in outside.match_indices("href=\"") {
        assert!(outside[at + 6..].starts_with('#'), "a link leaves the page");
    }
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
}

#[test]
fn report_escapes_hostile_user_agent() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    for file in incident_files() {
        let mut text = std::fs::read_to_string(&file).unwrap();
        if file.ends_with("traefik-access.log") {
            // Line 2935 is the Traefik line of carol's socket that drops at 19:12:30 (D0001).
            let old = "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
                       (KHTML, like Gecko) Version/18.5 Safari/605.1.15\" 46882";
            let line = text.lines().nth(2934).unwrap().to_string();
            assert!(line.contains(old), "line 2935 changed: {line}");
            let new_line = line.replace(old, &format!("\"{hostile}\" 46882"));
            text = text.replacen(&line, &new_line, 1);
        }
        let copy = dir.path().join(file.file_name().unwrap());
        std::fs::write(&copy, text).unwrap();
        inputs.push(copy);
    }
    let (_out, html, _) = report_of(&inputs, &[]);
    assert!(!html.contains("<script"), "a script element got through");
    assert!(!html.contains("<img"), "an img element got through");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "the User-Agent is not in the evidence"
    );
    element_names(&html).expect("tags nest");
}

#[test]
fn report_honours_since_and_output() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("drops.csv");
    let rows_arg = rows.to_str().unwrap().to_string();
    let (_out, html, _) = report_of(
        &incident_files(),
        &[
            "-q",
            "--since",
            "2026-06-10 19:40:00",
            "--output",
            &rows_arg,
        ],
    );
    assert_eq!(html.matches("<circle class=\"drop seg-").count(), 7);
    assert!(!html.contains("id=\"D0001\""));
    let csv = std::fs::read_to_string(&rows).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 7,
        "header and the drops from 19:40"
    );
}

/// Returns the axis labels of the report's timeline, such as `19:40`.
fn tick_labels(html: &str) -> Vec<String> {
    html.split("class=\"tick-label\"")
        .skip(1)
        .filter_map(|rest| {
            let text = rest.split_once('>')?.1;
            Some(text.split('<').next()?.to_string())
        })
        .collect()
}

#[test]
fn report_timeline_spans_since_until() {
    let (_out, whole, _) = report_of(&incident_files(), &["-q"]);
    assert_eq!(
        tick_labels(&whole).first().map(String::as_str),
        Some("19:00")
    );

    let (_out, html, _) = report_of(
        &incident_files(),
        &[
            "-q",
            "--since",
            "2026-06-10 19:40:00",
            "--until",
            "2026-06-10 19:50:00",
        ],
    );
    assert!(
        html.contains("Only rows from 2026-06-10T19:40:00Z to 2026-06-10T19:50:00Z"),
        "the heading names the window"
    );
    assert!(!whole.contains("Only rows from"), "no window, no note");
    let labels = tick_labels(&html);
    assert!(!labels.is_empty(), "the timeline has an axis");
    for label in &labels {
        assert!(
            ("19:40"..="19:50").contains(&label.as_str()),
            "axis label {label} lies outside --since/--until: {labels:?}"
        );
    }
}

#[test]
fn report_to_missing_directory_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir/report.html");
    let (_, stderr, code) = run(t3()
        .args(["report", "-q", "--html"])
        .arg(&path)
        .args(incident_files()));
    assert_eq!(code, 2);
    assert!(stderr.contains("report.html: cannot write"), "{stderr}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn report_requires_html() {
    let (_, stderr, code) = run(t3().arg("report").args(incident_files()));
    assert_eq!(code, 2);
    assert!(stderr.contains("--html <FILE>"), "{stderr}");
}

#[test]
fn summary_histogram_per_minute() {
    let (_, stderr, code) = run(t3().arg("drops").args(incident_files()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("  drops per minute (UTC):\n"), "{stderr}");
    assert!(
        stderr.contains("    19:40 ##### 5 (cluster_path 5)\n"),
        "{stderr}"
    );
    assert!(stderr.contains("    19:20 ## 2 (t3_serve 2)\n"), "{stderr}");
}

#[test]
fn color_option_for_table() {
    let table = |extra: &[&str], no_color: Option<&str>| {
        let mut command = t3();
        command
            .args(["drops", "-q", "--format", "table"])
            .args(extra);
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let (stdout, stderr, code) = run(command.args(incident_files()));
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    let escape = "\x1b[";
    assert!(table(&["--color", "always"], None).contains(escape));
    assert!(
        table(&["--color", "always"], Some("1")).contains(escape),
        "always wins over NO_COLOR"
    );
    assert!(!table(&["--color", "never"], None).contains(escape));
    // Stdout is a pipe here, so auto never colours.
    assert!(!table(&[], None).contains(escape));
    assert!(!table(&["--color", "auto"], Some("")).contains(escape));

    let (_, stderr, code) = run(t3().args(["drops", "--color", "sometimes"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("auto, always, never"), "{stderr}");
}

#[test]
fn table_fits_its_width_and_wraps_the_reason() {
    let table = |extra: &[&str]| {
        let (stdout, stderr, code) = run(t3()
            .args(["drops", "-q", "--format", "table"])
            .args(extra)
            .args(incident_files()));
        assert_eq!(code, 0, "{stderr}");
        stdout
    };

    // Unwrapped (a pipe, no --table-width): a header and one line per drop, reason last.
    let whole = table(&[]);
    let header = whole.lines().next().unwrap();
    assert_eq!(whole.lines().count(), 13, "{whole}");
    assert!(header.ends_with("incident_id  reason"), "{header}");
    for hidden in ["cause", "traefik_status", "sources", "evidence"] {
        assert!(!header.contains(hidden), "{hidden} in {header}");
    }

    // 140 columns: every line fits, and the reasons read the same once joined again.
    let fitted = table(&["--table-width", "140"]);
    assert!(fitted.lines().count() > 13, "nothing wrapped:\n{fitted}");
    for line in fitted.lines() {
        assert!(
            line.chars().count() <= 140,
            "{} columns: {line}",
            line.len()
        );
    }
    let reason_at = header.find("reason").unwrap();
    // The reasons' characters, less the spaces a wrap replaced by a line break.
    let reasons = |text: &str| {
        text.lines()
            .skip(1)
            .map(|line| line.get(reason_at..).unwrap_or(""))
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    };
    assert_eq!(reasons(&fitted), reasons(&whole));
    assert_eq!(table(&["--table-width", "0"]), whole);

    // --wide shows the columns the table leaves out, but never the evidence.
    let wide = table(&["--wide"]);
    let wide_header = wide.lines().next().unwrap();
    assert!(wide_header.contains("  cause  "), "{wide_header}");
    assert!(wide_header.contains("traefik_dur_ms"), "{wide_header}");
    assert!(!wide_header.contains("evidence"), "{wide_header}");
}

#[test]
fn incidents_table_fits_160_columns() {
    let table = |extra: &[&str]| {
        let (stdout, stderr, code) = run(t3()
            .args(["incidents", "-q", "--format", "table"])
            .args(extra)
            .args(incident_files()));
        assert_eq!(code, 0, "{stderr}");
        stdout
    };

    // The users and drop ids are lists: they wrap at a `;` instead of holding 24 columns.
    let fitted = table(&["--table-width", "160"]);
    for line in fitted.lines() {
        assert!(
            line.chars().count() <= 160,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    let header = fitted.lines().next().unwrap();
    for hidden in ["end", "clients", "drop_ids"] {
        assert!(
            !header.split_whitespace().any(|name| name == hidden),
            "{hidden} in {header}"
        );
    }

    // --wide shows them, and the table still fits 200 columns.
    let wide = table(&["--wide", "--table-width", "200"]);
    let wide_header = wide.lines().next().unwrap();
    for shown in ["end", "clients", "drop_ids", "key_evidence"] {
        assert!(
            wide_header.split_whitespace().any(|name| name == shown),
            "{shown} not in {wide_header}"
        );
    }
    for line in wide.lines() {
        assert!(
            line.chars().count() <= 200,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn evidence_tooltips_break_lines() {
    // A tick of several evidence lines lists one per tooltip line.
    let (_dir, html, _) = report_of(&incident_files(), &[]);
    assert!(!html.contains("\\x0a"), "a newline shown as text");
    let several = html
        .split("<line class=\"evidence-tick\"")
        .skip(1)
        .filter(|tick| tick.contains("&#10;"))
        .count();
    assert!(several > 0, "no tick of several evidence lines");
}
