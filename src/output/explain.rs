//! The text of `explain`: one drop, the rules tried for it in order, and its evidence in full.
//! `--format json` gives the same as one JSON object.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, drop_json, location};
use crate::correlate::Analysis;
use crate::correlate::explain::explain;
use crate::run::InputReport;
use crate::time;

/// Writes the explanation of drop `index`.
pub fn write_explanation(
    out: &mut dyn Write,
    analysis: &Analysis,
    inputs: &[InputReport],
    index: usize,
) -> io::Result<()> {
    let drop = &analysis.drops[index];
    writeln!(
        out,
        "{} at {}: user {}, client {}, lived {} ms, cause {}",
        drop.id,
        time::format_millis(drop.time),
        drop.user.as_deref().unwrap_or("(unknown)"),
        drop.client
            .map(|c| c.to_string())
            .unwrap_or_else(|| "(unknown)".into()),
        drop.dur_ms
            .map(|d| d.to_string())
            .unwrap_or_else(|| "?".into()),
        drop.cause.as_deref().unwrap_or("(none logged)"),
    )?;
    let reconnect = match drop.reconnect_ms {
        Some(ms) => format!(", reconnect after {ms} ms"),
        None => String::new(),
    };
    writeln!(out, "why it is a drop: {}{reconnect}", drop.kind.describe())?;
    if let Some(burst) = &drop.burst_id {
        writeln!(out, "burst: {burst}")?;
    }
    writeln!(out, "incident: {}", drop.incident_id)?;
    writeln!(
        out,
        "verdict: {} ({}) by rule {}",
        drop.segment.as_str(),
        drop.confidence.as_str(),
        drop.rule
    )?;
    writeln!(out, "reason: {}", drop.reason)?;

    writeln!(out, "\nrules tried, in order:")?;
    let name_width = crate::correlate::rules::RULES
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(22);
    for (n, trial) in explain(analysis, index).iter().enumerate() {
        let window = format!(
            "{} to {}",
            time::format_seconds(trial.window.0),
            time::format_seconds(trial.window.1)
        );
        match &trial.finding {
            Some(finding) => {
                writeln!(
                    out,
                    "  {:>2}. {:<name_width$} {:<13} on {} ({window}): MATCHED, {} confidence",
                    n + 1,
                    trial.rule.name,
                    trial.rule.segment.as_str(),
                    trial.subject,
                    finding.confidence.as_str()
                )?;
                writeln!(out, "      {}", finding.reason)?;
            }
            None => writeln!(
                out,
                "  {:>2}. {:<name_width$} {:<13} on {} ({window}): no evidence ({})",
                n + 1,
                trial.rule.name,
                trial.rule.segment.as_str(),
                trial.subject,
                trial
                    .rule
                    .evidence
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )?,
        }
    }

    writeln!(out, "\nevidence, in time order:")?;
    if drop.evidence.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for &i in &drop.evidence {
        let event = &analysis.events[i];
        writeln!(
            out,
            "  {} [{} {}] {}",
            location(inputs, event),
            event.source.name(),
            event.kind.name(),
            event.text
        )?;
    }
    Ok(())
}

/// Returns the explanation of drop `index` as JSON: the drop's row (with its evidence) and
/// every rule tried, in order, with its window and, for the rule that matched, its verdict.
pub fn explanation_json(report: &Report, index: usize) -> Value {
    let analysis = report.analysis;
    let rules: Vec<Value> = explain(analysis, index)
        .iter()
        .map(|trial| {
            json!({
                "rule": trial.rule.name,
                "segment": trial.rule.segment.as_str(),
                "subject": trial.subject,
                "window": [
                    time::format_millis(trial.window.0),
                    time::format_millis(trial.window.1),
                ],
                "matched": trial.finding.is_some(),
                "confidence": trial.finding.as_ref().map(|f| f.confidence.as_str()),
                "reason": trial.finding.as_ref().map(|f| f.reason.as_str()),
            })
        })
        .collect();
    json!({
        "drop": drop_json(report, &analysis.drops[index]),
        "rules_tried": rules,
    })
}
