//! Output: drops, bursts and the timeline as CSV, JSON, JSON Lines or an aligned table, the
//! summary on stderr, and the HTML report.
//!
//! The CSV header is a contract (CI jobs diff it): columns are only ever appended. Text cells
//! that a spreadsheet would evaluate (starting with `=`, `+`, `-`, `@`, tab or carriage return)
//! get a leading `'` unless `--csv-raw` is given; numeric columns are written as numbers.

pub mod explain;
pub mod file;
pub mod html;
pub mod summary;
pub mod table;

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::correlate::{Analysis, Drop, bursts::Burst, incidents::Incident};
use crate::event::{Event, EventKind};
use crate::run::InputReport;
use crate::time;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Jsonl,
    Table,
}

/// The drops CSV header, in order.
pub const DROP_COLUMNS: &[&str] = &[
    "drop_id",
    "time",
    "user",
    "client_ip",
    "dur_ms",
    "cause",
    "reconnect_ms",
    "burst_id",
    "segment",
    "confidence",
    "reason",
    "evidence",
    "traefik_status",
    "traefik_dur_ms",
    "sources",
    "incident_id",
];

/// The bursts CSV header, in order.
pub const BURST_COLUMNS: &[&str] = &[
    "burst_id",
    "time",
    "end",
    "size",
    "drops",
    "cancels",
    "users",
    "clients",
    "segment",
    "confidence",
    "reason",
    "evidence",
];

/// The incidents CSV header, in order.
pub const INCIDENT_COLUMNS: &[&str] = &[
    "incident_id",
    "start",
    "end",
    "segment",
    "users",
    "clients",
    "drops",
    "drop_ids",
    "reason",
    "key_evidence",
];

/// The timeline CSV header, in order.
pub const TIMELINE_COLUMNS: &[&str] =
    &["time", "source", "kind", "user", "pod", "location", "text"];

/// How to write rows.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    pub format: Format,
    /// Leave spreadsheet-formula text cells as they are (`--csv-raw`).
    pub csv_raw: bool,
    /// Colour the table by segment.
    pub color: bool,
    /// The width the table fits, in columns; `None` never wraps its cells.
    pub table_width: Option<usize>,
    /// Show every column of the drops table (`--wide`).
    pub wide: bool,
}

/// The rows a run produced, for the writers.
pub struct Report<'a> {
    pub analysis: &'a Analysis,
    pub inputs: &'a [InputReport],
    /// The drops to print (after `--since`/`--until`).
    pub drops: Vec<&'a Drop>,
    pub bursts: Vec<&'a Burst>,
    pub incidents: Vec<&'a Incident>,
    pub events: Vec<&'a Event>,
    /// `--since` and `--until`, in UTC microseconds, which bound the report's timeline.
    pub since: Option<i64>,
    pub until: Option<i64>,
}

/// Neutralises a text cell for spreadsheets: a leading `'` before `=`, `+`, `-`, `@`, tab or CR.
pub fn neutralize(text: &str, raw: bool) -> String {
    if !raw && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// `FILE:LINE` of an event.
pub fn location(inputs: &[InputReport], event: &Event) -> String {
    let name = inputs
        .get(event.origin.input as usize)
        .map_or("?", |i| i.name.as_str());
    format!("{name}:{}", event.origin.line())
}

pub(crate) fn evidence_list(report: &Report, evidence: &[usize]) -> Vec<Value> {
    evidence
        .iter()
        .map(|&i| {
            let event = &report.analysis.events[i];
            json!({
                "file": report.inputs.get(event.origin.input as usize).map_or("?", |i| i.name.as_str()),
                "line": event.origin.line(),
                "source": event.source.name(),
                "text": &*event.text,
            })
        })
        .collect()
}

fn evidence_cell(report: &Report, evidence: &[usize]) -> String {
    evidence
        .iter()
        .map(|&i| location(report.inputs, &report.analysis.events[i]))
        .collect::<Vec<_>>()
        .join(";")
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn drop_cells(report: &Report, drop: &Drop, raw: bool) -> Vec<String> {
    vec![
        drop.id.clone(),
        time::format_millis(drop.time),
        neutralize(drop.user.as_deref().unwrap_or(""), raw),
        opt(drop.client),
        opt(drop.dur_ms),
        neutralize(drop.cause.as_deref().unwrap_or(""), raw),
        opt(drop.reconnect_ms),
        opt(drop.burst_id.as_ref()),
        drop.segment.as_str().to_string(),
        drop.confidence.as_str().to_string(),
        neutralize(&drop.reason, raw),
        neutralize(&evidence_cell(report, &drop.evidence), raw),
        opt(drop.traefik_status),
        opt(drop.traefik_dur_ms),
        drop.sources
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(";"),
        drop.incident_id.clone(),
    ]
}

pub(crate) fn drop_json(report: &Report, drop: &Drop) -> Value {
    json!({
        "drop_id": drop.id,
        "time": time::format_millis(drop.time),
        "user": drop.user.as_deref(),
        "client_ip": drop.client.map(|c| c.to_string()),
        "dur_ms": drop.dur_ms,
        "cause": drop.cause,
        "reconnect_ms": drop.reconnect_ms,
        "burst_id": drop.burst_id,
        "segment": drop.segment.as_str(),
        "confidence": drop.confidence.as_str(),
        "reason": drop.reason,
        "evidence": evidence_list(report, &drop.evidence),
        "traefik_status": drop.traefik_status,
        "traefik_dur_ms": drop.traefik_dur_ms,
        "sources": drop.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "incident_id": drop.incident_id,
        "rule": drop.rule,
        "kind": drop.kind,
    })
}

fn burst_cells(report: &Report, burst: &Burst, raw: bool) -> Vec<String> {
    vec![
        burst.id.clone(),
        time::format_millis(burst.start),
        time::format_millis(burst.end),
        burst.members.len().max(burst.cancels.len()).to_string(),
        burst.members.len().to_string(),
        burst.cancels.len().to_string(),
        neutralize(&burst.users.join(";"), raw),
        burst.clients.to_string(),
        burst.segment.as_str().to_string(),
        burst.confidence.as_str().to_string(),
        neutralize(&burst.reason, raw),
        neutralize(&evidence_cell(report, &burst_evidence(report, burst)), raw),
    ]
}

/// Returns a burst's evidence: the lines its rule rests on, its members' evidence and its
/// cancel lines, in time order.
fn burst_evidence(report: &Report, burst: &Burst) -> Vec<usize> {
    let analysis = report.analysis;
    let mut evidence: Vec<usize> = analysis
        .drops
        .iter()
        .filter(|d| d.burst_id.as_deref() == Some(burst.id.as_str()))
        .flat_map(|d| d.evidence.iter().copied())
        .chain(burst.cancels.iter().copied())
        .chain(burst.evidence.iter().copied())
        .collect();
    evidence.sort_by_key(|&i| (analysis.events[i].time, analysis.events[i].origin));
    evidence.dedup();
    evidence
}

fn burst_json(report: &Report, burst: &Burst) -> Value {
    json!({
        "burst_id": burst.id,
        "time": time::format_millis(burst.start),
        "end": time::format_millis(burst.end),
        "size": burst.members.len().max(burst.cancels.len()),
        "drops": burst.members.len(),
        "cancels": burst.cancels.len(),
        "users": burst.users.iter().map(|u| &**u).collect::<Vec<_>>(),
        "clients": burst.clients,
        "segment": burst.segment.as_str(),
        "confidence": burst.confidence.as_str(),
        "reason": burst.reason,
        "evidence": evidence_list(report, &burst_evidence(report, burst)),
    })
}

fn event_cells(report: &Report, event: &Event, raw: bool) -> Vec<String> {
    vec![
        time::format_millis(event.time),
        event.source.name().to_string(),
        event.kind.name().to_string(),
        neutralize(event.kind.user().unwrap_or(""), raw),
        neutralize(event.pod.as_deref().unwrap_or(""), raw),
        neutralize(&location(report.inputs, event), raw),
        neutralize(&event.text, raw),
    ]
}

fn event_json(report: &Report, event: &Event) -> Value {
    let client = match &event.kind {
        EventKind::WsOpen { client, .. }
        | EventKind::WsClose { client, .. }
        | EventKind::TraefikSocket { client, .. } => client.map(|c| c.to_string()),
        _ => None,
    };
    json!({
        "time": time::format_millis(event.time),
        "source": event.source.name(),
        "kind": event.kind.name(),
        "user": event.kind.user(),
        "client_ip": client,
        "pod": event.pod.as_deref(),
        "file": report.inputs.get(event.origin.input as usize).map_or("?", |i| i.name.as_str()),
        "line": event.origin.line(),
        "text": &*event.text,
    })
}

fn incident_drop_ids(report: &Report, incident: &Incident) -> Vec<String> {
    incident
        .drops
        .iter()
        .map(|&d| report.analysis.drops[d].id.clone())
        .collect()
}

fn incident_cells(report: &Report, incident: &Incident, raw: bool) -> Vec<String> {
    vec![
        incident.id.clone(),
        time::format_millis(incident.start),
        time::format_millis(incident.end),
        incident.segment.as_str().to_string(),
        neutralize(&incident.users.join(";"), raw),
        incident.clients.to_string(),
        incident.drops.len().to_string(),
        incident_drop_ids(report, incident).join(";"),
        neutralize(&incident.reason, raw),
        neutralize(&evidence_cell(report, &incident.key_evidence), raw),
    ]
}

fn incident_json(report: &Report, incident: &Incident) -> Value {
    json!({
        "incident_id": incident.id,
        "start": time::format_millis(incident.start),
        "end": time::format_millis(incident.end),
        "segment": incident.segment.as_str(),
        "users": incident.users.iter().map(|u| &**u).collect::<Vec<_>>(),
        "clients": incident.clients,
        "drops": incident.drops.len(),
        "drop_ids": incident_drop_ids(report, incident),
        "reason": incident.reason,
        "key_evidence": evidence_list(report, &incident.key_evidence),
    })
}

/// The kind of rows to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    Drops,
    Bursts,
    Incidents,
    Timeline,
}

/// Writes the rows of `report` to `out` in the chosen format.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    rows: Rows,
    options: &OutputOptions,
) -> io::Result<()> {
    let raw = options.csv_raw;
    let (header, cells, values): (&[&str], Vec<Vec<String>>, Vec<Value>) = match rows {
        Rows::Drops => (
            DROP_COLUMNS,
            report
                .drops
                .iter()
                .map(|d| drop_cells(report, d, raw))
                .collect(),
            report.drops.iter().map(|d| drop_json(report, d)).collect(),
        ),
        Rows::Bursts => (
            BURST_COLUMNS,
            report
                .bursts
                .iter()
                .map(|b| burst_cells(report, b, raw))
                .collect(),
            report
                .bursts
                .iter()
                .map(|b| burst_json(report, b))
                .collect(),
        ),
        Rows::Incidents => (
            INCIDENT_COLUMNS,
            report
                .incidents
                .iter()
                .map(|i| incident_cells(report, i, raw))
                .collect(),
            report
                .incidents
                .iter()
                .map(|i| incident_json(report, i))
                .collect(),
        ),
        Rows::Timeline => (
            TIMELINE_COLUMNS,
            report
                .events
                .iter()
                .map(|e| event_cells(report, e, raw))
                .collect(),
            report
                .events
                .iter()
                .map(|e| event_json(report, e))
                .collect(),
        ),
    };
    match options.format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(header).map_err(csv_error)?;
            for row in &cells {
                writer.write_record(row).map_err(csv_error)?;
            }
            writer.flush()
        }
        Format::Jsonl => {
            for value in &values {
                serde_json::to_writer(&mut *out, value)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Json => {
            let key = match rows {
                Rows::Drops => "drops",
                Rows::Bursts => "bursts",
                Rows::Incidents => "incidents",
                Rows::Timeline => "events",
            };
            let document = json!({ "meta": summary::meta_json(report), key: values });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            out.write_all(b"\n")
        }
        Format::Table => {
            let colors: Vec<Option<&str>> = match rows {
                Rows::Drops => report
                    .drops
                    .iter()
                    .map(|d| Some(d.segment.as_str()))
                    .collect(),
                Rows::Bursts => report
                    .bursts
                    .iter()
                    .map(|b| Some(b.segment.as_str()))
                    .collect(),
                Rows::Incidents => report
                    .incidents
                    .iter()
                    .map(|i| Some(i.segment.as_str()))
                    .collect(),
                Rows::Timeline => vec![None; cells.len()],
            };
            let layout = table::Layout {
                columns: table_columns(header, rows, options.wide),
                color: options.color,
                width: options.table_width,
            };
            table::write_table(out, header, &cells, &colors, layout)
        }
    }
}

/// The drop columns a table shows only with `--wide`: `explain` and `--format csv` have
/// them, and without them a drop's row fits a terminal of about 120 columns before its reason.
const WIDE_DROP_COLUMNS: [&str; 5] = [
    "cause",
    "reconnect_ms",
    "traefik_status",
    "traefik_dur_ms",
    "sources",
];

/// The incident columns a table shows only with `--wide`: without them an incident's row is
/// about 45 columns narrower, so the sample incident's table fits 160 columns.
const WIDE_INCIDENT_COLUMNS: [&str; 3] = ["end", "clients", "drop_ids"];

/// Returns the columns a table shows, in order: all but the evidence of drops and bursts (long, and
/// whole in `--format csv`) and, unless `wide`, the columns of `WIDE_DROP_COLUMNS` and
/// `WIDE_INCIDENT_COLUMNS`. The reason moves to the end, so its wrapped lines have no cells
/// after them.
fn table_columns(header: &[&str], rows: Rows, wide: bool) -> Vec<usize> {
    let hidden = |name: &str| match rows {
        Rows::Drops => name == "evidence" || (!wide && WIDE_DROP_COLUMNS.contains(&name)),
        Rows::Bursts => name == "evidence",
        Rows::Incidents => !wide && WIDE_INCIDENT_COLUMNS.contains(&name),
        Rows::Timeline => false,
    };
    let mut columns: Vec<usize> = (0..header.len()).filter(|&i| !hidden(header[i])).collect();
    if let Some(at) = columns.iter().position(|&i| header[i] == "reason") {
        let reason = columns.remove(at);
        columns.push(reason);
    }
    columns
}

fn csv_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralize_formula_cells() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")", false), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("@SUM(1)", false), "'@SUM(1)");
        assert_eq!(neutralize("-1+2", false), "'-1+2");
        assert_eq!(neutralize("\tx", false), "'\tx");
        assert_eq!(neutralize("graceful", false), "graceful");
        assert_eq!(neutralize("=1", true), "=1");
    }

    #[test]
    fn drop_header_is_the_contract() {
        assert_eq!(
            DROP_COLUMNS.join(","),
            "drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,\
             traefik_status,traefik_dur_ms,sources,incident_id"
        );
    }
}
