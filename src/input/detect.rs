//! Input type detection from a sample of lines.
//!
//! One line is not enough: Traefik's own diagnostic lines have exactly cloudflared's console
//! shape (`2026-06-10T19:30:12Z ERR …`), and a journal export starts with journalctl's notes.
//! Each format's `sniff` scores a line 2 (surely this format), 1 (could be) or 0; the type with
//! the most sure lines wins, and weak scores only decide when no line is sure.
//!
//! Envelopes (kubectl, logcli, Grafana) are types of their own and come first in the tie
//! order, because the line inside an envelope often scores as its inner format too. Five
//! formats are not made of lines and are recognised from the input's first bytes instead
//! ([`detect_head`]): `journalctl -o export`, Grafana's JSON download (one line), Loki and
//! Prometheus API responses (one JSON document each) and Grafana panel CSV (a header row names
//! every column).

use std::str::FromStr;

use crate::parse::envelope::{grafana, kubectl, loki, loki_api};
use crate::parse::{
    cloudflared, grafana_csv, journal, journal_export, journal_json, prometheus, traefik,
};

/// The formats an input can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InputType {
    /// journalctl text modes (short, short-precise, short-iso, short-iso-precise, short-unix,
    /// with-unit, cat).
    Journal,
    /// `journalctl -o json`, and `json-seq` and `json-sse`, which frame the same objects.
    JournalJson,
    /// Traefik access log, CLF-style or JSON.
    Traefik,
    /// cloudflared console, JSON or logrus text.
    Cloudflared,
    /// `kubectl logs --timestamps` or `--prefix`, and container runtime (CRI) files.
    Kubectl,
    /// `logcli query --output=jsonl`.
    LogcliJsonl,
    /// `logcli query --output=default`.
    LogcliDefault,
    /// Grafana Explore's text download.
    GrafanaText,
    /// Grafana Explore's JSON download (one JSON array).
    GrafanaJson,
    /// `journalctl -o export`.
    JournalExport,
    /// Prometheus HTTP API responses (`query_range`, `query`).
    Prometheus,
    /// Loki HTTP API responses of log queries (`query_range`, `query`, result type `streams`).
    LokiApi,
    /// CSV downloaded from a Grafana panel.
    GrafanaCsv,
}

/// The names accepted by `--input-type`, for help and error messages.
pub const TYPE_NAMES: &str = "journal, journal-json, journal-export, traefik, cloudflared, \
                              kubectl, logcli-jsonl, logcli, grafana-text, grafana-json, loki-api, \
                              prometheus, grafana-csv";

impl InputType {
    pub fn name(self) -> &'static str {
        match self {
            InputType::Journal => "journal",
            InputType::JournalJson => "journal-json",
            InputType::Traefik => "traefik",
            InputType::Cloudflared => "cloudflared",
            InputType::Kubectl => "kubectl",
            InputType::LogcliJsonl => "logcli-jsonl",
            InputType::LogcliDefault => "logcli",
            InputType::GrafanaText => "grafana-text",
            InputType::GrafanaJson => "grafana-json",
            InputType::JournalExport => "journal-export",
            InputType::Prometheus => "prometheus",
            InputType::LokiApi => "loki-api",
            InputType::GrafanaCsv => "grafana-csv",
        }
    }

    /// Whether the type is read as records from the byte stream rather than as lines.
    pub fn is_record_based(self) -> bool {
        matches!(
            self,
            InputType::GrafanaJson
                | InputType::JournalExport
                | InputType::Prometheus
                | InputType::LokiApi
                | InputType::GrafanaCsv
        )
    }

    const ALL: [InputType; 13] = [
        InputType::LogcliJsonl,
        InputType::LogcliDefault,
        InputType::GrafanaText,
        InputType::Kubectl,
        InputType::GrafanaJson,
        InputType::JournalExport,
        InputType::Journal,
        InputType::JournalJson,
        InputType::Traefik,
        InputType::Cloudflared,
        InputType::Prometheus,
        InputType::LokiApi,
        InputType::GrafanaCsv,
    ];

    fn sniff(self, line: &[u8]) -> u8 {
        match self {
            InputType::Journal => journal::sniff(line),
            InputType::JournalJson => journal_json::sniff(line),
            InputType::Traefik => traefik::sniff(line),
            InputType::Cloudflared => cloudflared::sniff(line),
            InputType::Kubectl => sniff_kubectl(line),
            InputType::LogcliJsonl => loki::sniff_jsonl(line),
            InputType::LogcliDefault => loki::sniff_default(line),
            InputType::GrafanaText => grafana::sniff_text(line),
            InputType::GrafanaJson
            | InputType::JournalExport
            | InputType::Prometheus
            | InputType::LokiApi
            | InputType::GrafanaCsv => 0,
        }
    }
}

/// Scores a line as a kubectl envelope like [`kubectl::sniff`], except that a line starting
/// with `[` counts only when it starts with the prefix `kubectl logs --prefix` writes. The
/// parser also reads looser `[NAME]` prefixes, but for detection they would make every TOML or
/// INI section header (`[package]`) and many Markdown lines a kubectl log.
fn sniff_kubectl(line: &[u8]) -> u8 {
    if line.starts_with(b"[") && !has_kubectl_prefix(line) {
        return 0;
    }
    kubectl::sniff(line)
}

/// Tells whether a line starts with `[pod/NAME/CONTAINER]` or `[NAME/CONTAINER]`, followed by
/// a space or the line end. NAME must be a valid pod name (a DNS-1123 subdomain: lowercase
/// letters, digits, `-` and `.`) and CONTAINER a valid container name (a DNS-1123 label, which
/// has no `.`), because the API server accepts no other names.
fn has_kubectl_prefix(line: &[u8]) -> bool {
    let Some(body) = line.strip_prefix(b"[") else {
        return false;
    };
    let Some(close) = memchr::memchr(b']', body) else {
        return false;
    };
    if !matches!(body.get(close + 1), None | Some(b' ')) {
        return false;
    }
    let inside = &body[..close];
    let inside = inside.strip_prefix(b"pod/").unwrap_or(inside);
    let Some(slash) = memchr::memchr(b'/', inside) else {
        return false;
    };
    let (pod, container) = (&inside[..slash], &inside[slash + 1..]);
    is_dns_name(pod, true) && is_dns_name(container, false)
}

/// Tells whether `name` is a DNS-1123 label, or a subdomain when `dots` is set: at most 253
/// bytes of lowercase letters, digits and `-`, each dot-separated part starting and ending
/// with a letter or digit. Kubernetes names pods and containers by these rules.
fn is_dns_name(name: &[u8], dots: bool) -> bool {
    if name.is_empty() || name.len() > 253 || (!dots && name.contains(&b'.')) {
        return false;
    }
    name.split(|&b| b == b'.').all(|part| {
        let edge = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        edge(part.first())
            && edge(part.last())
            && part
                .iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

impl FromStr for InputType {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "journal" => Ok(InputType::Journal),
            "journal-json" | "json-journal" => Ok(InputType::JournalJson),
            "traefik" => Ok(InputType::Traefik),
            "cloudflared" => Ok(InputType::Cloudflared),
            "kubectl" | "cri" => Ok(InputType::Kubectl),
            "logcli-jsonl" | "loki-jsonl" => Ok(InputType::LogcliJsonl),
            "logcli" | "logcli-default" | "loki" => Ok(InputType::LogcliDefault),
            "grafana-text" | "grafana" => Ok(InputType::GrafanaText),
            "grafana-json" => Ok(InputType::GrafanaJson),
            "journal-export" | "export" => Ok(InputType::JournalExport),
            "prometheus" | "prometheus-json" => Ok(InputType::Prometheus),
            "loki-api" | "loki-json" => Ok(InputType::LokiApi),
            "grafana-csv" => Ok(InputType::GrafanaCsv),
            _ => Err(format!(
                "unknown input type `{text}`; expected one of: {TYPE_NAMES}"
            )),
        }
    }
}

/// The result of detection: the type, and for the journal whether it is `-o cat` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detected {
    pub input_type: InputType,
    pub cat_mode: bool,
}

/// Decides the type of an input from a sample of its first lines and, only to break a tie
/// between Traefik and cloudflared console lines, the file name (`cloudflared-…`, `traefik…`).
pub fn detect_named<'a>(
    sample: impl IntoIterator<Item = &'a [u8]>,
    name: &str,
) -> Option<Detected> {
    let lines: Vec<&[u8]> = sample.into_iter().collect();
    let detected = detect(lines.iter().copied())?;
    let file = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let named = if file.starts_with("cloudflared") {
        Some(InputType::Cloudflared)
    } else if file.starts_with("traefik") {
        Some(InputType::Traefik)
    } else {
        None
    };
    // The name decides only when no line is surely of either type.
    let sure = |kind: InputType| lines.iter().any(|line| kind.sniff(line) == 2);
    match named {
        Some(kind)
            if kind != detected.input_type
                && matches!(
                    detected.input_type,
                    InputType::Traefik | InputType::Cloudflared
                )
                && !sure(detected.input_type) =>
        {
            Some(Detected {
                input_type: kind,
                cat_mode: false,
            })
        }
        _ => Some(detected),
    }
}

/// Decides the type of an input from a sample of its first lines. Returns `None` when no
/// format scores at all.
pub fn detect<'a>(sample: impl IntoIterator<Item = &'a [u8]>) -> Option<Detected> {
    let mut sure = [0usize; InputType::ALL.len()];
    let mut weak = [0usize; InputType::ALL.len()];
    let mut journal_full = 0usize;
    let mut journal_cat = 0usize;
    // journalctl's own notes (`-- Journal begins at … --`, `-- Boot … --`) come before the
    // entries of any output mode, readable or not, so they decide only a sample of notes alone.
    let (mut notes, mut entries) = (0usize, 0usize);
    for line in sample {
        if line.trim_ascii().is_empty() {
            continue;
        }
        if journal::is_journal_note(line) {
            notes += 1;
            continue;
        }
        entries += 1;
        for (i, kind) in InputType::ALL.iter().enumerate() {
            match kind.sniff(line) {
                2 => sure[i] += 1,
                1 => weak[i] += 1,
                _ => {}
            }
        }
        match journal::sniff(line) {
            2 => journal_full += 1,
            1 if journal::is_cat_line(line) => journal_cat += 1,
            _ => {}
        }
    }
    let pick = |counts: &[usize; InputType::ALL.len()]| {
        // Ties go to the earlier type in ALL; the order puts formats with the most specific
        // sure signs first.
        let (index, best) = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, n)| (**n, usize::MAX - i))?;
        (*best > 0).then_some(InputType::ALL[index])
    };
    let notes_alone = (entries == 0 && notes > 0).then_some(InputType::Journal);
    let input_type = pick(&sure).or_else(|| pick(&weak)).or(notes_alone)?;
    let cat_mode = input_type == InputType::Journal && journal_full == 0 && journal_cat > 0;
    Some(Detected {
        input_type,
        cat_mode,
    })
}

/// The reports t3forensics writes, recognised when one is given back as an input. Read as a
/// log, a saved baseline would match some format's loose lines (a Traefik line has few fixed
/// parts) and be counted as ignored or malformed lines, so it is rejected instead. An `explain`
/// text quotes its evidence lines whole, so read as a log one of them would even become an
/// event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnOutput {
    Drops,
    Bursts,
    Incidents,
    Timeline,
    /// `explain`, as text or JSON.
    Explain,
    /// The HTML file of `report --html`.
    HtmlReport,
}

impl OwnOutput {
    /// The outputs written as rows (CSV, table, JSON or JSON Lines).
    const TABULAR: [OwnOutput; 4] = [
        OwnOutput::Drops,
        OwnOutput::Bursts,
        OwnOutput::Incidents,
        OwnOutput::Timeline,
    ];

    /// Returns the command that writes this output.
    pub fn command(self) -> &'static str {
        match self {
            OwnOutput::Drops => "drops",
            OwnOutput::Bursts => "bursts",
            OwnOutput::Incidents => "incidents",
            OwnOutput::Timeline => "timeline",
            OwnOutput::Explain => "explain",
            OwnOutput::HtmlReport => "report --html",
        }
    }

    /// Returns the CSV header, which the table's header names a subset of. It is empty for
    /// `explain` and the HTML report, which have no header row.
    fn columns(self) -> &'static [&'static str] {
        match self {
            OwnOutput::Drops => crate::output::DROP_COLUMNS,
            OwnOutput::Bursts => crate::output::BURST_COLUMNS,
            OwnOutput::Incidents => crate::output::INCIDENT_COLUMNS,
            OwnOutput::Timeline => crate::output::TIMELINE_COLUMNS,
            OwnOutput::Explain | OwnOutput::HtmlReport => &[],
        }
    }

    /// Returns the columns that every CSV or table header of this output has, whatever
    /// columns `--wide` or a later version adds.
    fn key_columns(self) -> &'static [&'static str] {
        match self {
            OwnOutput::Drops => &["drop_id", "segment"],
            OwnOutput::Bursts => &["burst_id", "segment"],
            OwnOutput::Incidents => &["incident_id", "segment"],
            OwnOutput::Timeline => &["time", "source", "kind"],
            OwnOutput::Explain | OwnOutput::HtmlReport => &[],
        }
    }

    /// Returns the first member of the `--format json` document, the array of rows. The
    /// document's members are sorted, and `meta` comes after it.
    fn json_member(self) -> &'static str {
        match self {
            OwnOutput::Drops => "drops",
            OwnOutput::Bursts => "bursts",
            OwnOutput::Incidents => "incidents",
            OwnOutput::Timeline => "events",
            OwnOutput::Explain | OwnOutput::HtmlReport => "",
        }
    }

    /// Returns keys that every row object of `--format json` and `jsonl` has.
    fn row_keys(self) -> &'static [&'static str] {
        match self {
            OwnOutput::Drops => &["drop_id", "time", "segment", "confidence"],
            OwnOutput::Bursts => &["burst_id", "cancels", "segment"],
            OwnOutput::Incidents => &["incident_id", "drop_ids", "segment"],
            OwnOutput::Timeline => &["time", "source", "kind", "file", "line", "text"],
            OwnOutput::Explain | OwnOutput::HtmlReport => &[],
        }
    }

    /// Tells whether a CSV or table header line names only this output's columns, at least
    /// three of them, its key columns among them.
    fn matches_header(self, line: &[u8]) -> bool {
        let Ok(line) = std::str::from_utf8(line) else {
            return false;
        };
        let names: Vec<&str> = if line.contains(',') {
            line.split(',').collect()
        } else {
            line.split_ascii_whitespace().collect()
        };
        names.len() >= 3
            && names.iter().all(|name| self.columns().contains(name))
            && self.key_columns().iter().all(|key| names.contains(key))
    }
}

/// Recognises t3forensics's own output from an input's first lines: for drops, bursts,
/// incidents and timeline in any of their formats, the CSV or table header, the first member
/// of the JSON document, or the keys of the first JSON Lines row; for `explain`, its first two
/// lines or the opening of its JSON document; for the HTML report, its doctype and title.
pub fn detect_own_output<'a>(sample: impl IntoIterator<Item = &'a [u8]>) -> Option<OwnOutput> {
    let mut lines = sample
        .into_iter()
        .map(<[u8]>::trim_ascii)
        .filter(|line| !line.is_empty());
    let first = lines.next()?;

    if let Some(output) = OwnOutput::TABULAR
        .into_iter()
        .find(|output| output.matches_header(first))
    {
        return Some(output);
    }
    if first.eq_ignore_ascii_case(b"<!DOCTYPE html>") {
        return is_html_report(lines).then_some(OwnOutput::HtmlReport);
    }

    // `--format json` is pretty-printed, so `{` is a line of its own, and the member holding
    // the rows opens on the next line. `explain --format json` opens its `drop` object there,
    // and that object's first key follows on the third line.
    // The opening is at most 16 bytes, but pretty-printing may put spaces in it.
    const OPENING_BYTES: usize = 64;
    let mut document: Vec<u8> = first[..first.len().min(OPENING_BYTES)].to_vec();
    let second = lines.next().unwrap_or_default();
    if first == b"{" {
        document.extend_from_slice(&second[..second.len().min(OPENING_BYTES)]);
        let third = lines.next().unwrap_or_default();
        document.extend_from_slice(&third[..third.len().min(OPENING_BYTES)]);
    }
    document.retain(|b| !b.is_ascii_whitespace());
    if let Some(output) = OwnOutput::TABULAR.into_iter().find(|output| {
        let opening = format!("{{\"{}\":[", output.json_member());
        document.starts_with(opening.as_bytes())
    }) {
        return Some(output);
    }
    if is_explain_json(&document) || is_explain_text(first, second) {
        return Some(OwnOutput::Explain);
    }

    if !first.starts_with(b"{\"") {
        return None;
    }
    let row: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(first).ok()?;
    OwnOutput::TABULAR
        .into_iter()
        .find(|output| output.row_keys().iter().all(|key| row.contains_key(*key)))
}

/// Tells whether the lines after `<!DOCTYPE html>` are the head of `report --html`: its
/// `<title>` starts with `t3forensics: ` within the few lines of meta tags before it.
fn is_html_report<'a>(lines: impl Iterator<Item = &'a [u8]>) -> bool {
    // The report writes 5 lines between the doctype and the title.
    const HEAD_LINES: usize = 16;
    lines
        .take(HEAD_LINES)
        .any(|line| line.starts_with(b"<title>t3forensics: "))
}

/// Tells whether `document`, the opening of a JSON document with its whitespace removed, is
/// `explain --format json`: a `drop` object whose first key is a column of the drops output.
fn is_explain_json(document: &[u8]) -> bool {
    let Some(rest) = document.strip_prefix(b"{\"drop\":{\"") else {
        return false;
    };
    let Some(end) = memchr::memchr(b'"', rest) else {
        return false;
    };
    let key = &rest[..end];
    crate::output::DROP_COLUMNS
        .iter()
        .chain(&["rule", "kind"])
        .any(|column| column.as_bytes() == key)
}

/// Tells whether two lines are the first two of `explain`'s text:
/// `D0001 at 2026-06-10T19:12:30.000Z: user carol, client 203.0.113.35, lived 1500326 ms,
/// cause graceful`, then `why it is a drop: …`.
fn is_explain_text(first: &[u8], second: &[u8]) -> bool {
    let Some(rest) = first.strip_prefix(b"D") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &rest[digits..];
    digits > 0
        && rest.starts_with(b" at ")
        && memchr::memmem::find(rest, b": user ").is_some()
        && memchr::memmem::find(rest, b", lived ").is_some()
        && memchr::memmem::find(rest, b", cause ").is_some()
        && second.starts_with(b"why it is a drop: ")
}

/// Decides the type of an input from its first bytes, for the formats that are not lines.
pub fn detect_head(head: &[u8]) -> Option<InputType> {
    if journal_export::is_export_head(head) {
        Some(InputType::JournalExport)
    } else if grafana::is_json_array_head(head) {
        Some(InputType::GrafanaJson)
    } else if loki_api::is_response_head(head) {
        // Before Prometheus: both are `{"status":…,"data":{"resultType":…` documents.
        Some(InputType::LokiApi)
    } else if prometheus::is_response_head(head) {
        Some(InputType::Prometheus)
    } else if grafana_csv::is_csv_head(head) {
        Some(InputType::GrafanaCsv)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_text(text: &str) -> Option<Detected> {
        detect(text.lines().map(str::as_bytes))
    }

    #[test]
    fn journal_with_notes_first() {
        let text = "-- Journal begins at Wed 2026-06-10 18:00:00 UTC. --\n\
                    2026-06-10T19:56:01+00:00 devvm sshd[1]: Accepted publickey for alice\n";
        assert_eq!(
            detect_text(text),
            Some(Detected {
                input_type: InputType::Journal,
                cat_mode: false
            })
        );
    }

    #[test]
    fn notes_do_not_decide_unread_lines() {
        // journalctl's header before lines of a mode this tool does not read: no type, so
        // the error names the mode instead of every line turning out malformed.
        for header in [
            "-- Journal begins at Mon 2026-06-08 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --",
            "-- Logs begin at Mon 2026-06-08 06:14:03 UTC, end at Wed 2026-06-10 20:06:31 UTC. --",
            "-- Boot fedcba9876543210fedcba9876543210 --",
        ] {
            let text = format!(
                "{header}\n[218758.282898] devvm kernel: audit: type=1400\n\
                 [218762.116231] devvm t3[4723]: [19:00:04.648] INFO (#695): started\n"
            );
            assert_eq!(detect_text(&text), None, "{header}");
        }
        // Notes alone (`-- No entries --`) are a journal.
        assert_eq!(
            detect_text("-- No entries --\n").map(|d| d.input_type),
            Some(InputType::Journal)
        );
    }

    #[test]
    fn journal_cat_mode() {
        let text = "2026/06/10 19:56:01 ws open user=alice ip=203.0.113.7, 10.10.1.12\n\
                    Started session-1.scope.\n";
        assert_eq!(
            detect_text(text),
            Some(Detected {
                input_type: InputType::Journal,
                cat_mode: true
            })
        );
    }

    #[test]
    fn journal_json() {
        let text = r#"{"__REALTIME_TIMESTAMP":"1781121361123456","MESSAGE":"x"}"#;
        assert_eq!(
            detect_text(text).map(|d| d.input_type),
            Some(InputType::JournalJson)
        );
    }

    #[test]
    fn journal_json_framings() {
        // (mode, its first lines as journalctl 252 writes them)
        let cases = [
            (
                "json-seq",
                "\x1e{\"__REALTIME_TIMESTAMP\":\"1781118000699991\",\"MESSAGE\":\"x\"}\n\
                 \x1e{\"_TRANSPORT\":\"kernel\",\"__REALTIME_TIMESTAMP\":\"1781118004648000\"}\n",
            ),
            (
                "json-sse",
                "data: {\"__REALTIME_TIMESTAMP\":\"1781118000699991\",\"MESSAGE\":\"x\"}\n\n\
                 data: {\"_TRANSPORT\":\"kernel\",\"__REALTIME_TIMESTAMP\":\"1781118004648000\"}\n\n",
            ),
        ];
        for (mode, text) in cases {
            assert_eq!(
                detect_text(text).map(|d| d.input_type),
                Some(InputType::JournalJson),
                "{mode}"
            );
        }
    }

    #[test]
    fn nothing_recognisable() {
        assert_eq!(detect_text("hello\nworld\n"), None);
        assert_eq!(detect_text(""), None);
    }

    #[test]
    fn file_name_breaks_console_tie() {
        let line: &[u8] = b"2026-06-10T19:30:12Z INF Some message without markers";
        let detected = detect_named([line, line], "logs/cloudflared-abc.log").unwrap();
        assert_eq!(detected.input_type, InputType::Cloudflared);
        let access: &[u8] = b"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" 1 \"r@file\" \"-\" 1ms";
        let detected = detect_named([access], "cloudflared-abc.log").unwrap();
        assert_eq!(
            detected.input_type,
            InputType::Traefik,
            "sure lines beat the name"
        );
    }

    #[test]
    fn envelopes_win_over_their_inner_lines() {
        let kubectl = "[pod/cloudflared-0/cloudflared] 2026-06-10T19:30:12.1Z 2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2\n";
        let cri = "2026-06-10T19:30:12.1Z stdout F 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"-\" 1 \"r@kubernetes\" \"http://10.0.10.10:3780\" 5ms\n";
        let jsonl = r#"{"labels":{"namespace":"cloudflared"},"line":"2026-06-10T19:30:12Z INF x connIndex=2","timestamp":"2026-06-10T19:30:12.1Z"}"#;
        let default = "2026-06-10T19:30:12Z {} 2026-06-10T19:30:12Z INF x connIndex=2\n";
        let grafana =
            "Common labels: {}\n\n\n1781119812250\t2026-06-10T19:30:12.250Z\tx connIndex=2\n";
        for (text, expected) in [
            (kubectl, InputType::Kubectl),
            (cri, InputType::Kubectl),
            (jsonl, InputType::LogcliJsonl),
            (default, InputType::LogcliDefault),
            (grafana, InputType::GrafanaText),
        ] {
            assert_eq!(
                detect_text(text).map(|d| d.input_type),
                Some(expected),
                "{text}"
            );
        }
        // Plain cloudflared console lines stay cloudflared.
        assert_eq!(
            detect_text("2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2\n")
                .map(|d| d.input_type),
            Some(InputType::Cloudflared)
        );
    }

    #[test]
    fn kubectl_scores_of_bracket_lines() {
        // (line, kubectl score): section headers, Markdown and other `[…]` starts.
        let cases: [(&str, u8); 12] = [
            ("[x]", 0),
            ("[package]", 0),
            ("[workspace.dependencies]", 0),
            ("[profile.release]", 0),
            ("[[bench]]", 0),
            ("[dev-dependencies] # tests", 0),
            ("[README](README.md) explains it", 0),
            ("[docs/RELIABILITY.md](docs/RELIABILITY.md)", 0),
            (
                "[Pod/Cloudflared-0/cloudflared] 2026-06-10T19:30:12Z INF x",
                0,
            ),
            (
                "[pod/cloudflared-0/cloudflared] 2026-06-10T19:30:12Z INF x",
                2,
            ),
            ("[cloudflared-0/cloudflared] 2026-06-10T19:30:12Z INF x", 2),
            ("[pod/t3.serve-0/serve]", 1),
        ];
        for (line, expected) in cases {
            assert_eq!(sniff_kubectl(line.as_bytes()), expected, "{line}");
        }
    }

    #[test]
    fn config_files_are_undetectable() {
        let files = [
            "[x]\n",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
            "# Title\n\n[workspace]\nmembers = [\"a\"]\n\n[profile.release]\ndebug = true\n",
            "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = x\n",
        ];
        for text in files {
            assert_eq!(detect_text(text), None, "{text}");
        }
    }

    #[test]
    fn own_outputs_are_recognised() {
        // (first lines as the commands write them, the output)
        let cases: [(&str, Option<OwnOutput>); 16] = [
            (
                "drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,traefik_status,traefik_dur_ms,sources,incident_id\n\
                 D0001,2026-06-10T19:12:30.000Z,carol,203.0.113.35,1500326,graceful,4000,,last_mile,medium,x,j.log:382,,,,I001\n",
                Some(OwnOutput::Drops),
            ),
            // An older drops CSV, before `sources` and `incident_id` were added.
            (
                "drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,traefik_status,traefik_dur_ms\n",
                Some(OwnOutput::Drops),
            ),
            (
                "{\n  \"drops\": [\n    {\n      \"burst_id\": null,\n",
                Some(OwnOutput::Drops),
            ),
            (
                "{\n  \"drops\": [],\n  \"meta\": {\n",
                Some(OwnOutput::Drops),
            ),
            (
                r#"{"burst_id":null,"cause":"graceful","client_ip":"203.0.113.35","confidence":"medium","drop_id":"D0001","dur_ms":1500326,"segment":"last_mile","time":"2026-06-10T19:12:30.000Z"}"#,
                Some(OwnOutput::Drops),
            ),
            (
                "drop_id  time                      user   client_ip      dur_ms   burst_id  segment       confidence  incident_id  reason\n",
                Some(OwnOutput::Drops),
            ),
            (
                "burst_id,time,end,size,drops,cancels,users,clients,segment,confidence,reason,evidence\n",
                Some(OwnOutput::Bursts),
            ),
            (
                "{\n  \"bursts\": [\n    {\n      \"burst_id\": \"B001\",\n",
                Some(OwnOutput::Bursts),
            ),
            (
                "incident_id,start,end,segment,users,clients,drops,drop_ids,reason,key_evidence\n",
                Some(OwnOutput::Incidents),
            ),
            (
                r#"{"clients":1,"drop_ids":["D0001"],"drops":1,"end":"2026-06-10T19:12:30.000Z","incident_id":"I001","segment":"last_mile"}"#,
                Some(OwnOutput::Incidents),
            ),
            (
                "time,source,kind,user,pod,location,text\n",
                Some(OwnOutput::Timeline),
            ),
            (
                "{\n  \"events\": [\n    {\n      \"client_ip\": null,\n",
                Some(OwnOutput::Timeline),
            ),
            (
                r#"{"client_ip":null,"file":"j.log","kind":"pid_user","line":3,"pod":null,"source":"journal","text":"x","time":"2026-06-10T19:00:04.000Z","user":"carol"}"#,
                Some(OwnOutput::Timeline),
            ),
            // Logs and other files stay logs, or undetectable.
            (
                r#"{"__REALTIME_TIMESTAMP":"1781121361123456","MESSAGE":"ws close user=alice"}"#,
                None,
            ),
            (
                r#"{"ClientHost":"203.0.113.7","RequestPath":"/ws","time":"2026-06-10T19:30:12Z"}"#,
                None,
            ),
            (
                "time,user,segment\n2026-06-10T19:12:30Z,carol,last_mile\n",
                None,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                detect_own_output(text.lines().map(str::as_bytes)),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn explain_and_html_recognised() {
        // (first lines as `explain` and `report --html` write them, the output)
        let explain_text = "D0001 at 2026-03-14T10:03:21.000Z: user oscar, client 203.0.113.102, lived 780000 ms, cause graceful\n\
             why it is a drop: the same user and client reconnected within --reconnect-window of its close, reconnect after 3000 ms\n\
             incident: I001\n\
             verdict: t3_serve (high) by rule serve_died\n\
             \n\
             evidence, in time order:\n  \
             traefik-access.log:56 [traefik traefik_socket] 203.0.113.102 - - [14/Mar/2026:09:50:21 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"-\" 50003 \"t3@kubernetes\" \"http://10.0.10.10:3780\" 780007ms\n";
        let explain_unknown = "D0012 at 2026-03-14T10:14:08.000Z: user (unknown), client (unknown), lived ? ms, cause (none logged)\n\
             why it is a drop: Traefik ended it and no dispatch close followed\n";
        let explain_json =
            "{\n  \"drop\": {\n    \"burst_id\": null,\n    \"cause\": \"graceful\",\n";
        let html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>t3forensics: 12 drop(s), 2026-03-14T10:03:21Z to 2026-03-14T10:14:08Z</title>\n";
        let html_empty =
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>t3forensics: no drops</title>\n";
        let cases: [(&str, Option<OwnOutput>); 10] = [
            (explain_text, Some(OwnOutput::Explain)),
            (explain_unknown, Some(OwnOutput::Explain)),
            (explain_json, Some(OwnOutput::Explain)),
            (html, Some(OwnOutput::HtmlReport)),
            (html_empty, Some(OwnOutput::HtmlReport)),
            // Other HTML, other JSON with a `drop` member, and text that only starts alike.
            (
                "<!DOCTYPE html>\n<html>\n<head>\n<title>Grafana</title>\n",
                None,
            ),
            ("{\n  \"drop\": {\n    \"packets\": 3,\n", None),
            (
                "D0001 at 2026-03-14T10:03:21.000Z: user oscar, client 203.0.113.102, lived 780000 ms, cause graceful\n\
                 verdict: t3_serve (high) by rule serve_died\n",
                None,
            ),
            (
                "Drops at noon: user oscar, lived long, cause unknown\nwhy it is a drop: x\n",
                None,
            ),
            (
                "2026-03-14T10:03:21+00:00 devvm t3-dispatch[812]: 2026/03/14 10:03:21 ws close user=oscar\n",
                None,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                detect_own_output(text.lines().map(str::as_bytes)),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn record_formats_from_first_bytes() {
        assert_eq!(
            detect_head(b"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1781119812000000\n"),
            Some(InputType::JournalExport)
        );
        assert_eq!(
            detect_head(br#"[{"line":"x","timestamp":"1"}]"#),
            Some(InputType::GrafanaJson)
        );
        assert_eq!(
            detect_head(br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#),
            Some(InputType::Prometheus)
        );
        assert_eq!(
            detect_head(br#"{"status":"success","data":{"resultType":"streams","result":[]}}"#),
            Some(InputType::LokiApi)
        );
        assert_eq!(
            detect_head(
                b"\"Time\",\"t3probe_connected{leg=\"\"internal\"\"}\"\r\n1781121005000,1\r\n"
            ),
            Some(InputType::GrafanaCsv)
        );
        assert_eq!(
            detect_head(br#"{"__REALTIME_TIMESTAMP":"1781121361123456","MESSAGE":"x"}"#),
            None
        );
        assert_eq!(detect_head(b"[pod/a/b] x\n"), None);
        assert_eq!(detect_head(b"2026-06-10T19:30:12Z INF x\n"), None);
    }

    #[test]
    fn names_round_trip() {
        for kind in InputType::ALL {
            assert_eq!(kind.name().parse::<InputType>(), Ok(kind));
        }
        assert!("syslog".parse::<InputType>().is_err());
    }
}
