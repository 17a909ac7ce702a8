//! The HTML incident report of `report --html`: one self-contained file with a timeline of the
//! sources' coverage, drops, bursts and incidents in inline SVG, then the incidents, bursts and
//! drops as tables with every drop's evidence lines.
//!
//! The file fetches nothing: styles are inline, there is no script, and a Content-Security-Policy
//! of `default-src 'none'` makes the browser load nothing else even if a line got through
//! unescaped. Log text is attacker-controlled (a User-Agent can hold `<script>`), so every piece
//! of text from the inputs, including user names, pod names and file names, goes through
//! [`Escaped`].

mod layout;
mod timeline;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use super::Report;
use super::summary::describe_offset;
use crate::correlate::{Drop, Segment};
use crate::time;

/// Text escaped for HTML element content and quoted attribute values: `&`, `<`, `>`, `"` and
/// `'` become entities. Control characters other than tab, and the Unicode bidirectional
/// overrides that can make a line display as something else, are shown as `\xNN` or `\u{NNNN}`.
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut plain_from = 0;
        for (at, c) in text.char_indices() {
            let replacement: Option<String> = match c {
                '&' => Some("&amp;".into()),
                '<' => Some("&lt;".into()),
                '>' => Some("&gt;".into()),
                '"' => Some("&quot;".into()),
                '\'' => Some("&#39;".into()),
                '\t' => None,
                c if c.is_ascii_control() => Some(format!("\\x{:02x}", c as u32)),
                '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                    Some(format!("\\u{{{:04x}}}", c as u32))
                }
                _ => None,
            };
            if let Some(replacement) = replacement {
                f.write_str(&text[plain_from..at])?;
                f.write_str(&replacement)?;
                plain_from = at + c.len_utf8();
            }
        }
        f.write_str(&text[plain_from..])
    }
}

/// Returns the colour of a segment, from the Okabe–Ito palette, which was designed to stay
/// distinguishable for colour-blind readers. The table output uses the nearest ANSI colours.
pub(crate) fn segment_color(segment: Segment) -> &'static str {
    match segment {
        Segment::T3Serve => "#cc79a7",
        Segment::Dispatch => "#e69f00",
        Segment::Devvm => "#d55e00",
        Segment::Cloudflare => "#56b4e9",
        Segment::ClusterPath => "#0072b2",
        Segment::LastMile => "#009e73",
        Segment::Unknown => "#999999",
    }
}

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ccc; }
p.meta { color: #555; margin: 2px 0; }
p.warning { color: #a33; font-weight: bold; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #e4e4e4; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.time, td.nowrap { white-space: nowrap; }
tr.drop > td { border-top: 2px solid #bbb; }
tr:target > td { background: #fff6cc; }
table.evidence { margin: 0 0 6px 16px; width: calc(100% - 16px); }
table.evidence td { border: none; padding: 1px 6px; font-size: 12px; }
code.line { white-space: pre-wrap; overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 4px;
  border: 1px solid #555; vertical-align: -1px; }
ul.legend { list-style: none; padding: 0; margin: 6px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
svg.timeline { display: block; width: 100%; height: auto; font: 12px ui-monospace, monospace; }
svg .lane-bg { fill: #f1f1f1; }
svg .covered { fill: #c9d7e6; }
svg .covered.sparse { fill: #e3ebf3; stroke: #9fb3c8; stroke-dasharray: 4 3; }
svg .gap { fill: url(#gap-hatch); stroke: #b55; stroke-width: .5; }
svg .grid { stroke: #ddd; }
svg .tick-label { fill: #444; text-anchor: middle; }
svg .lane-label { fill: #222; text-anchor: end; }
svg .lane-note { fill: #555; font-size: 11px; }
svg .row-label { fill: #666; text-anchor: end; font-style: italic; }
svg .evidence-tick { stroke: #333; stroke-width: 1.5; }
svg .guide { stroke-width: 1; opacity: .45; }
svg .incident, svg .burst { fill-opacity: .3; stroke-width: 1.5; }
svg .drop { stroke: #fff; stroke-width: 1; }
svg a:hover .drop { stroke: #000; stroke-width: 2; }
.legend .gap-swatch { background: repeating-linear-gradient(45deg, #f1f1f1 0 3px, #b55 3px 4px); }
.legend .covered-swatch { background: #c9d7e6; }
.legend .sparse-swatch { background: #e3ebf3; border-style: dashed; }
.legend .none-swatch { background: #f1f1f1; }
.legend .evidence-swatch { background: #333; width: 2px; }
";

/// Writes the whole report to `out`.
pub fn write_html(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let title = title(report);
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{}</title>", Escaped(&title))?;
    write!(out, "<style>{STYLE}")?;
    for segment in Segment::ALL {
        let color = segment_color(segment);
        writeln!(
            out,
            ".seg-{} {{ fill: {color}; stroke: {color}; background-color: {color}; }}",
            segment.as_str()
        )?;
    }
    writeln!(out, "</style>\n</head>\n<body>")?;

    write_heading(out, report, &title)?;
    writeln!(out, "<section id=\"timeline\">\n<h2>Timeline</h2>")?;
    timeline::write_timeline(out, report)?;
    writeln!(out, "</section>")?;
    write_incidents(out, report)?;
    write_bursts(out, report)?;
    write_drops(out, report)?;
    write_inputs(out, report)?;
    writeln!(out, "</body>\n</html>")
}

fn title(report: &Report) -> String {
    match (report.drops.first(), report.drops.last()) {
        (Some(first), Some(last)) => format!(
            "t3forensics: {} drop(s), {} to {}",
            report.drops.len(),
            time::format_seconds(first.time),
            time::format_seconds(last.time)
        ),
        _ => "t3forensics: no drops".to_string(),
    }
}

/// Counts drops per segment, in the order of [`Segment::ALL`].
pub(crate) fn per_segment(drops: &[&Drop]) -> Vec<(Segment, usize)> {
    Segment::ALL
        .into_iter()
        .map(|s| (s, drops.iter().filter(|d| d.segment == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn write_heading(out: &mut dyn Write, report: &Report, title: &str) -> io::Result<()> {
    writeln!(out, "<h1>{}</h1>", Escaped(title))?;
    let segments: Vec<String> = per_segment(&report.drops)
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect();
    writeln!(
        out,
        "<p class=\"meta\">{} drop(s){}, {} burst(s), {} incident(s). Times are UTC, on the cluster clock.</p>",
        report.drops.len(),
        if segments.is_empty() {
            String::new()
        } else {
            format!(" ({})", segments.join(", "))
        },
        report.bursts.len(),
        report.incidents.len()
    )?;
    if report.since.is_some() || report.until.is_some() {
        let bound = |t: Option<i64>| t.map_or("…".to_string(), time::format_seconds);
        writeln!(
            out,
            "<p class=\"meta\">Only rows from {} to {} (--since, --until).</p>",
            bound(report.since),
            bound(report.until)
        )?;
    }
    let (offset_text, _) = describe_offset(&report.analysis.offset);
    writeln!(
        out,
        "<p class=\"meta\">Clock offset: {}.</p>",
        Escaped(&offset_text)
    )?;
    for warning in super::summary::warnings(report) {
        writeln!(
            out,
            "<p class=\"warning\">Warning: {}</p>",
            Escaped(&warning)
        )?;
    }
    writeln!(
        out,
        "<p class=\"meta\">Written by t3forensics {}.</p>",
        env!("CARGO_PKG_VERSION")
    )
}

/// Formats a segment name with its colour swatch.
fn segment_cell(segment: Segment) -> String {
    format!(
        "<span class=\"swatch seg-{0}\"></span>{0}",
        segment.as_str()
    )
}

/// Links to drop rows, `<a href="#D0001">D0001</a>`, separated by spaces.
fn drop_links<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|id| format!("<a href=\"#{0}\">{0}</a>", Escaped(id)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_incidents(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(out, "<section id=\"incidents\">\n<h2>Incidents</h2>")?;
    if report.incidents.is_empty() {
        return writeln!(out, "<p>No incidents.</p>\n</section>");
    }
    writeln!(
        out,
        "<table>\n<tr><th>incident</th><th>start</th><th>end</th><th>segment</th><th>users</th>\
         <th>clients</th><th>drops</th><th>reason</th></tr>"
    )?;
    for incident in &report.incidents {
        let drops = &report.analysis.drops;
        let ids = incident
            .drops
            .iter()
            .filter_map(|&d| drops.get(d))
            .map(|d| d.id.as_str());
        writeln!(
            out,
            "<tr id=\"{id}\"><td>{id}</td><td class=\"time\">{}</td><td class=\"time\">{}</td>\
             <td class=\"nowrap\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            time::format_millis(incident.start),
            time::format_millis(incident.end),
            segment_cell(incident.segment),
            Escaped(&incident.users.join(", ")),
            incident.clients,
            drop_links(ids),
            Escaped(&incident.reason),
            id = Escaped(&incident.id),
        )?;
    }
    writeln!(out, "</table>\n</section>")
}

fn write_bursts(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(out, "<section id=\"bursts\">\n<h2>Bursts</h2>")?;
    if report.bursts.is_empty() {
        return writeln!(out, "<p>No mass-cancel bursts.</p>\n</section>");
    }
    writeln!(
        out,
        "<table>\n<tr><th>burst</th><th>start</th><th>end</th><th>segment</th><th>clients</th>\
         <th>cancel lines</th><th>drops</th><th>reason</th></tr>"
    )?;
    for burst in &report.bursts {
        let ids = report
            .analysis
            .drops
            .iter()
            .filter(|d| d.burst_id.as_deref() == Some(burst.id.as_str()))
            .map(|d| d.id.as_str());
        writeln!(
            out,
            "<tr id=\"{id}\"><td>{id}</td><td class=\"time\">{}</td><td class=\"time\">{}</td>\
             <td class=\"nowrap\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td>{}</td></tr>",
            time::format_millis(burst.start),
            time::format_millis(burst.end),
            segment_cell(burst.segment),
            burst.clients,
            burst.cancels.len(),
            drop_links(ids),
            Escaped(&burst.reason),
            id = Escaped(&burst.id),
        )?;
    }
    writeln!(out, "</table>\n</section>")
}

/// Columns of the drops table; each drop's evidence fills one row spanning all of them.
const DROP_HEADER: &[&str] = &[
    "drop",
    "time",
    "user",
    "client",
    "lived ms",
    "cause",
    "segment",
    "confidence",
    "incident",
    "burst",
    "reason",
];

fn write_drops(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(out, "<section id=\"drops\">\n<h2>Drops</h2>")?;
    if report.drops.is_empty() {
        return writeln!(out, "<p>No drops.</p>\n</section>");
    }
    write!(out, "<table>\n<tr>")?;
    for name in DROP_HEADER {
        write!(out, "<th>{name}</th>")?;
    }
    writeln!(out, "</tr>")?;
    for (n, drop) in report.drops.iter().enumerate() {
        let optional = |value: Option<String>| value.unwrap_or_default();
        let link = |id: &str| {
            if id.is_empty() {
                String::new()
            } else {
                format!("<a href=\"#{0}\">{0}</a>", Escaped(id))
            }
        };
        writeln!(
            out,
            "<tr class=\"drop\" id=\"{id}\"><td>{id}</td><td class=\"time\">{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"nowrap\">{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            time::format_millis(drop.time),
            Escaped(drop.user.as_deref().unwrap_or("")),
            optional(drop.client.map(|c| c.to_string())),
            optional(drop.dur_ms.map(|d| d.to_string())),
            Escaped(drop.cause.as_deref().unwrap_or("")),
            segment_cell(drop.segment),
            drop.confidence.as_str(),
            link(&drop.incident_id),
            link(drop.burst_id.as_deref().unwrap_or("")),
            Escaped(&drop.reason),
            id = Escaped(&drop.id),
        )?;
        if n < EVIDENCE_DROPS {
            write_evidence(out, report, drop)?;
        } else {
            writeln!(
                out,
                "<tr class=\"evidence-row\"><td colspan=\"{}\">evidence: <code>t3forensics \
                 explain {}</code> with the same inputs (the report lists the evidence of the \
                 first {EVIDENCE_DROPS} drops)</td></tr>",
                DROP_HEADER.len(),
                Escaped(&drop.id)
            )?;
        }
    }
    writeln!(out, "</table>\n</section>")
}

/// How many drops the report lists with their evidence lines. Past it, each drop's row points
/// at `explain`: 50,000 drops with their evidence made a file of about 200 MB.
const EVIDENCE_DROPS: usize = 2_000;

/// Writes one table row holding the drop's evidence lines: time, `FILE:LINE`, source and text.
fn write_evidence(out: &mut dyn Write, report: &Report, drop: &Drop) -> io::Result<()> {
    writeln!(
        out,
        "<tr class=\"evidence-row\"><td colspan=\"{}\">",
        DROP_HEADER.len()
    )?;
    if drop.evidence.is_empty() {
        return writeln!(out, "no evidence lines</td></tr>");
    }
    writeln!(out, "<table class=\"evidence\">")?;
    for event in drop
        .evidence
        .iter()
        .filter_map(|&i| report.analysis.events.get(i))
    {
        writeln!(
            out,
            "<tr><td class=\"time\">{}</td><td class=\"nowrap\">{}</td><td>{}</td>\
             <td><code class=\"line\">{}</code></td></tr>",
            time::format_millis(event.time),
            Escaped(&super::location(report.inputs, event)),
            event.source.name(),
            Escaped(&event.text),
        )?;
    }
    writeln!(out, "</table></td></tr>")
}

fn write_inputs(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<tr><th>input</th><th>type</th>\
         <th>read</th><th>used</th><th>ignored</th><th>malformed</th></tr>"
    )?;
    for input in report.inputs {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{} {}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            Escaped(&input.name),
            input.type_label(),
            input.lines,
            input.unit,
            input.used,
            input.ignored,
            input.malformed
        )?;
    }
    writeln!(out, "</table>\n</section>")
}

/// Writes the report to `path` through [`super::file::write_file`], so a failed run never leaves
/// half a report.
pub fn write_file(path: &Path, report: &Report) -> io::Result<()> {
    super::file::write_file(path, |out| write_html(out, report))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{self, Analyzed, Cli, Command};
    use crate::output::Rows;
    use std::collections::BTreeSet;

    #[test]
    fn escaped_text() {
        // (input, expected output)
        let cases = [
            ("plain text", "plain text"),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            ("a & b", "a &amp; b"),
            ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
            ("tab\tstays", "tab\tstays"),
            ("esc\x1b[2J nul\0", "esc\\x1b[2J nul\\x00"),
            ("bidi \u{202e}txt.exe", "bidi \\u{202e}txt.exe"),
            ("C1 \u{85}", "C1 \\u{0085}"),
            ("ünïcode ✓", "ünïcode ✓"),
        ];
        for (input, expected) in cases {
            assert_eq!(Escaped(input).to_string(), expected, "input {input:?}");
        }
    }

    /// Runs the analysis of the bundled incident, as `report` does.
    fn analyze_incident() -> Analyzed {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/incident");
        let mut args = vec![
            "t3forensics".to_string(),
            "report".into(),
            "--html".into(),
            "unused.html".into(),
        ];
        for name in [
            "devvm-journal.log",
            "traefik-access.log",
            "cloudflared-6f7c9d8b5-k2x9p.log",
            "cloudflared-6f7c9d8b5-m4q7r.log",
            "cloudflared-6f7c9d8b5-z8w3t.log",
        ] {
            args.push(format!("{dir}/{name}"));
        }
        let Command::Report(report_args) = Cli::parse_from(args).command else {
            panic!("`report` parsed as another command");
        };
        cli::analyze(&report_args.common).expect("the bundled incident is readable")
    }

    fn render(analyzed: &Analyzed) -> String {
        let mut out = Vec::new();
        write_html(&mut out, &analyzed.report(Rows::Drops)).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Removes the `<code class="line">` elements, which hold log text.
    fn without_log_text(html: &str) -> String {
        let mut rest = html;
        let mut kept = String::new();
        while let Some(start) = rest.find("<code class=\"line\">") {
            kept.push_str(&rest[..start]);
            let end = rest[start..].find("</code>").expect("code element closed");
            rest = &rest[start + end + "</code>".len()..];
        }
        kept.push_str(rest);
        kept
    }

    #[test]
    fn report_has_timeline_parts() {
        let analyzed = analyze_incident();
        let html = render(&analyzed);
        let analysis = &analyzed.analysis;

        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(html.matches("</svg>").count(), 1);
        let lanes = 2 + analysis.coverage.cloudflared.len();
        assert_eq!(analysis.coverage.cloudflared.len(), 3);
        assert_eq!(html.matches("<g class=\"lane\"").count(), lanes);
        assert_eq!(
            html.matches("<g class=\"lane\" data-source=\"cloudflared\"")
                .count(),
            3
        );
        assert_eq!(analysis.drops.len(), 12);
        for drop in &analysis.drops {
            let mark = format!("<a href=\"#{id}\"><title>{id} ", id = drop.id);
            let at = html
                .find(&mark)
                .unwrap_or_else(|| panic!("no mark for {}", drop.id));
            let circle = &html[at..html[at..].find("</a>").map_or(html.len(), |e| at + e)];
            let class = format!("class=\"drop seg-{}\"", drop.segment.as_str());
            assert!(circle.contains(&class), "{}: {circle}", drop.id);
            assert!(html.contains(&format!("<tr class=\"drop\" id=\"{}\">", drop.id)));
        }
        assert_eq!(
            html.matches("class=\"drop seg-").count(),
            analysis.drops.len()
        );
        assert_eq!(
            html.matches("class=\"incident seg-").count(),
            analysis.incidents.len()
        );
        for incident in &analysis.incidents {
            assert!(html.contains(&format!("<a href=\"#{}\">", incident.id)));
            assert!(html.contains(&format!("<tr id=\"{}\">", incident.id)));
        }
        assert_eq!(html.matches("class=\"burst seg-").count(), 1);
        assert!(html.contains("<ul class=\"legend\">"));
        for segment in Segment::ALL {
            assert!(html.contains(&format!(
                "<li><span class=\"swatch seg-{}\">",
                segment.as_str()
            )));
        }
    }

    #[test]
    fn evidence_ticks_share_a_position() {
        let html = render(&analyze_incident());
        let mut named = 0;
        let mut shared = 0;
        for lane in html.split("<g class=\"lane\"").skip(1) {
            let lane = &lane[..lane.find("</g>").expect("lane closed")];
            let mut positions = BTreeSet::new();
            for tick in lane.split("<line class=\"evidence-tick\" x1=\"").skip(1) {
                let x = &tick[..tick.find('"').unwrap()];
                assert!(positions.insert(x.to_string()), "two ticks at x={x}");
                let title = &tick[tick.find("<title>").unwrap()..tick.find("</title>").unwrap()];
                let lines = title.matches(".log:").count();
                named += lines;
                if lines > 1 {
                    shared += 1;
                }
            }
        }
        // The burst's cancel and close lines fall in one second, so they share ticks.
        assert!(shared > 0, "no tick names several lines");
        assert!(named > 0);
    }

    #[test]
    fn evidence_listed_for_first_drops_only() {
        // The incident's drops repeated past the limit: rows after it point at `explain`.
        let analyzed = analyze_incident();
        let mut report = analyzed.report(Rows::Drops);
        let incident_drops = report.drops.clone();
        report.drops = incident_drops
            .iter()
            .copied()
            .cycle()
            .take(EVIDENCE_DROPS + 3)
            .collect();
        let mut out = Vec::new();
        write_drops(&mut out, &report).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert_eq!(
            html.matches("<table class=\"evidence\">").count()
                + html.matches("no evidence lines").count(),
            EVIDENCE_DROPS
        );
        assert_eq!(html.matches("t3forensics explain ").count(), 3);
    }

    #[test]
    fn report_references_nothing_outside() {
        let html = render(&analyze_incident());
        assert!(
            html.contains("<code class=\"line\">"),
            "the log text is present"
        );
        let outside = without_log_text(&html);
        for needle in [
            "http://", "https://", "<script", "<link", "<img", "@import", " src=",
        ] {
            assert!(
                !outside.contains(needle),
                "found {needle:?} outside log text"
            );
        }
        for (at, _) in outside.match_indices("href=\"") {
            let target = &outside[at + "href=\"".len()..];
            assert!(
                target.starts_with('#'),
                "link to {}",
                &target[..target.len().min(40)]
            );
        }
        for (at, _) in outside.match_indices("url(") {
            let target = &outside[at + "url(".len()..];
            assert!(
                target.starts_with('#'),
                "url({}",
                &target[..target.len().min(40)]
            );
        }
    }

    #[test]
    fn hostile_text_is_escaped() {
        let mut analyzed = analyze_incident();
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> \"q\" 'a' &amp;";
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; \
                       &quot;q&quot; &#39;a&#39; &amp;amp;";
        let analysis = &mut analyzed.analysis;
        let evidence = analysis.drops[0].evidence[0];
        analysis.events[evidence].text = hostile.into();
        analysis.drops[0].user = Some(hostile.into());
        analysis.drops[0].cause = Some(hostile.to_string());
        analysis.drops[0].reason = hostile.to_string();
        analysis.incidents[0].reason = hostile.to_string();
        analysis.bursts[0].reason = hostile.to_string();
        analysis.coverage.cloudflared[0].name = hostile.to_string();

        let html = render(&analyzed);
        assert!(!html.contains("<script"), "a script element got through");
        assert!(!html.contains("<img"), "an img element got through");
        let places = [
            (
                "evidence text",
                format!("<code class=\"line\">{escaped}</code>"),
            ),
            (
                "drop mark tooltip",
                format!("<title>D0001 2026-06-10T19:12:30Z {escaped} "),
            ),
            (
                "drop user and cause",
                format!("<td>{escaped}</td><td>203.0.113.35</td>"),
            ),
            (
                "lane name",
                format!("<title>cloudflared {escaped}</title>cloudflared &lt;script&gt;"),
            ),
            (
                "burst reason",
                format!("{escaped}</td></tr>\n</table>\n</section>\n<section id=\"drops\">"),
            ),
        ];
        for (place, expected) in &places {
            assert!(html.contains(expected.as_str()), "{place} is not escaped");
        }
        // The drop's user (row and tooltip), cause and reason, the incident's and the burst's
        // reasons, the evidence line, and the lane's name and span on hover.
        assert_eq!(html.matches(escaped).count(), 9);
    }

    #[test]
    fn write_file_replaces_atomically() {
        let analyzed = analyze_incident();
        let report = analyzed.report(Rows::Drops);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old").unwrap();
        write_file(&path, &report).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with("<!DOCTYPE html>"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["report.html"], "no temporary file is left");

        let missing = dir.path().join("no-such-dir").join("report.html");
        assert!(write_file(&missing, &report).is_err());
    }
}
