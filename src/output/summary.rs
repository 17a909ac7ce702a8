//! The run summary: drops per segment and user, bursts, the clock offset, coverage, and how
//! every input line was accounted for. Printed on stderr, and carried as `meta` in JSON output.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::correlate::Segment;
use crate::correlate::coverage::Span;
use crate::correlate::join::Offset;
use crate::time::{self, SECOND};

/// Describes the clock offset in words, with a warning when it looks like a time-zone mistake.
pub fn describe_offset(offset: &Offset) -> (String, Option<String>) {
    let seconds = offset.micros as f64 / SECOND as f64;
    let direction = if offset.micros >= 0 {
        "ahead of"
    } else {
        "behind"
    };
    let text = match offset.method {
        "given" => format!(
            "devvm {:.3} s {direction} the cluster (set with --skew)",
            seconds.abs()
        ),
        "none" => "not measured (no dispatch socket matched a Traefik line); assumed 0".to_string(),
        _ if offset.micros == 0 => format!(
            "devvm and the cluster agree (within ±{:.1} s, from {} socket pairs)",
            offset.uncertainty as f64 / SECOND as f64,
            offset.pairs
        ),
        _ => format!(
            "devvm {:.1} s {direction} the cluster (±{:.1} s, from {} socket pairs)",
            seconds.abs(),
            offset.uncertainty as f64 / SECOND as f64,
            offset.pairs
        ),
    };
    let half_hours = seconds / 1800.0;
    let zone_like =
        |s: f64| s.abs() >= 1700.0 && (s / 1800.0 - (s / 1800.0).round()).abs() * 1800.0 <= 60.0;
    let warning = if zone_like(seconds) {
        Some(format!(
            "the devvm clock offset ({:.0} min) is close to a whole number of half hours: the journal was \
             probably read in the wrong zone; set --tz to the zone of its timestamps",
            half_hours * 30.0
        ))
    } else {
        offset.zone_hint.map(|hint| {
            format!(
                "many devvm sockets start {:+.1} h from their Traefik lines: the journal was probably read in the \
                 wrong zone; set --tz to the zone of its timestamps (or --skew {})",
                hint as f64 / 3600.0 / SECOND as f64,
                hint / SECOND
            )
        })
    };
    (text, warning)
}

fn span_text(span: &Span) -> String {
    let gaps = match span.gaps.len() {
        0 if span.dense => "no gaps".to_string(),
        0 => "sparse: coverage is its span".to_string(),
        n => {
            let list: Vec<String> = span
                .gaps
                .iter()
                .take(3)
                .map(|(a, b)| {
                    format!(
                        "{}..{} ({} s)",
                        time::format_seconds(*a),
                        time::format_seconds(*b),
                        (b - a) / SECOND
                    )
                })
                .collect();
            format!(
                "{n} gap(s): {}{}",
                list.join(", "),
                if n > 3 { ", ..." } else { "" }
            )
        }
    };
    format!(
        "{} {} to {}, {} lines, {gaps}",
        span.name,
        time::format_seconds(span.first),
        time::format_seconds(span.last),
        span.lines
    )
}

/// Writes the human summary.
pub fn write_summary(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let analysis = report.analysis;
    let mut per_segment: BTreeMap<Segment, usize> = BTreeMap::new();
    let mut per_user: BTreeMap<&str, usize> = BTreeMap::new();
    for drop in &report.drops {
        *per_segment.entry(drop.segment).or_default() += 1;
        *per_user
            .entry(drop.user.as_deref().unwrap_or("(no user)"))
            .or_default() += 1;
    }
    let segments: Vec<String> = per_segment
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect();
    writeln!(
        out,
        "t3forensics: {} drop(s){}, {} burst(s)",
        report.drops.len(),
        if segments.is_empty() {
            String::new()
        } else {
            format!(" ({})", segments.join(", "))
        },
        report.bursts.len()
    )?;
    if !per_user.is_empty() {
        let users: Vec<String> = per_user.iter().map(|(u, n)| format!("{u} {n}")).collect();
        writeln!(out, "  per user: {}", users.join(", "))?;
    }
    for burst in &report.bursts {
        writeln!(
            out,
            "  burst {} at {}: {} drop(s), {} cancel line(s), {} client(s) -> {}",
            burst.id,
            time::format_seconds(burst.start),
            burst.members.len(),
            burst.cancels.len(),
            burst.clients,
            burst.segment.as_str()
        )?;
    }

    let (offset_text, offset_warning) = describe_offset(&analysis.offset);
    if analysis.dispatch_sockets > 0 && analysis.traefik_sockets > 0
        || analysis.offset.method == "given"
    {
        writeln!(
            out,
            "  clock offset: {offset_text}; {} of {} dispatch sockets joined to Traefik",
            analysis.joined, analysis.dispatch_sockets
        )?;
    }
    writeln!(out, "  coverage:")?;
    let coverage = &analysis.coverage;
    match &coverage.journal {
        Some(span) => writeln!(out, "    {}", span_text(span))?,
        None => writeln!(out, "    devvm journal: not given")?,
    }
    match &coverage.traefik {
        Some(span) => writeln!(out, "    {}", span_text(span))?,
        None => writeln!(out, "    traefik: not given")?,
    }
    if coverage.cloudflared.is_empty() {
        writeln!(out, "    cloudflared: not given")?;
    }
    for span in &coverage.cloudflared {
        writeln!(out, "    cloudflared pod {}", span_text(span))?;
    }
    for span in &coverage.probe {
        let text = span_text(span).replacen(" lines,", " samples,", 1);
        writeln!(out, "    probe leg {text}")?;
    }
    if let Some(span) = &coverage.pressure {
        let text = span_text(span).replacen(" lines,", " samples,", 1);
        writeln!(out, "    {text}")?;
    }

    writeln!(out, "  inputs:")?;
    for input in report.inputs {
        writeln!(
            out,
            "    {} ({}): {} lines read = {} used + {} ignored + {} malformed",
            input.name,
            input.input_type.unwrap_or("empty"),
            input.lines,
            input.used,
            input.ignored,
            input.malformed
        )?;
        for (line, reason) in &input.malformed_examples {
            writeln!(out, "      malformed {}:{line}: {reason}", input.name)?;
        }
    }
    let warnings: Vec<&String> = report
        .inputs
        .iter()
        .flat_map(|i| &i.warnings)
        .chain(&offset_warning)
        .collect();
    for warning in warnings {
        writeln!(out, "t3forensics: warning: {warning}")?;
    }
    Ok(())
}

/// The summary as JSON, for the `meta` object of `--format json`.
pub fn meta_json(report: &Report) -> Value {
    let analysis = report.analysis;
    let (offset_text, offset_warning) = describe_offset(&analysis.offset);
    let mut per_segment: BTreeMap<&str, usize> = BTreeMap::new();
    for drop in &report.drops {
        *per_segment.entry(drop.segment.as_str()).or_default() += 1;
    }
    json!({
        "tool": format!("t3forensics {}", env!("CARGO_PKG_VERSION")),
        "drops": report.drops.len(),
        "bursts": report.bursts.len(),
        "per_segment": per_segment,
        "clock_offset": {
            "seconds": analysis.offset.micros as f64 / SECOND as f64,
            "method": analysis.offset.method,
            "pairs": analysis.offset.pairs,
            "text": offset_text,
            "warning": offset_warning,
        },
        "coverage": &analysis.coverage,
        "inputs": report.inputs,
    })
}
