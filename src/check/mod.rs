//! Regression checks: compares this run's drops with a saved `drops` output.
//!
//! A saved output is read back from any format `drops` writes (CSV, JSON or JSON Lines),
//! detected from its content. Rows are paired on user and client IP, with times at most
//! [`TIME_TOLERANCE`] and socket durations at most [`DUR_TOLERANCE_MS`] apart, so reordered rows,
//! renumbered drop ids and a duration read half a second differently still pair. A pair whose
//! attribution differs (segment, rule, kind, cause or burst membership) is a difference. Every
//! other column but the drop id is compared and reported too, but [`Tally::failed`] counts
//! those changes only in strict mode, because rewording a reason or renaming an input file
//! should not fail a CI run. Bursts and incidents compare by membership, since their ids are
//! renumbered when another drop appears. Evidence compares as [`evidence_matches`] does, so
//! logs read from another directory, compressed or piped match.
//!
//! The files of this module:
//!
//! - `mod.rs` defines [`DropRow`] and [`compare`], which pairs the rows and collects the
//!   differences.
//! - `read.rs` reads a saved output (CSV, JSON or JSON Lines) back into [`DropRow`]s.
//! - `pairing.rs` pairs expected rows with this run's rows and finds a common time offset.
//! - `evidence.rs` compares evidence lists.
//! - `report.rs` defines [`Comparison`], [`Difference`] and [`Tally`], and writes the report.
//! - `accept.rs` builds the `drops` command that writes a failed check's result as the new
//!   baseline.

mod accept;
mod evidence;
mod groups;
mod pairing;
mod read;
mod report;

use crate::correlate::{Analysis, Drop};
use crate::output;
use crate::run::InputReport;
use crate::time::{self, SECOND};
use evidence::evidence_matches;
use groups::{GroupIndex, group_change};
use pairing::{common_offset, pair_rows};

pub use accept::{accept_line, expected_format};
pub use read::{parse_expected, read_expected, read_expected_text, unneutralize};
pub use report::{Change, Comparison, Difference, Field, Tally};

/// How far apart the times of two paired rows may be, in microseconds.
pub const TIME_TOLERANCE: i64 = SECOND;

/// How far apart the socket durations of two paired rows may be, in milliseconds: a duration
/// that runs to a whole-second time can move by up to a second between versions.
pub const DUR_TOLERANCE_MS: u64 = 1000;

/// The fields of one drop row that a check reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropRow {
    pub drop_id: String,
    /// UTC microseconds.
    pub time: i64,
    /// Empty when the drop has no user.
    pub user: String,
    /// Empty when the drop has no client IP.
    pub client_ip: String,
    pub dur_ms: Option<u64>,
    pub segment: String,
    pub confidence: String,
    pub reason: String,
    /// `FILE:LINE` entries, in the order the output lists them.
    pub evidence: Vec<String>,
    /// The cause dispatch logged on the close, empty when none.
    pub cause: String,
    pub reconnect_ms: Option<i64>,
    /// Empty when the drop is in no burst.
    pub burst_id: String,
    /// The attribution rule that matched (`serve_died`, ...).
    pub rule: String,
    /// Why the socket counts as a drop: `short`, `reconnect` or `orphaned`.
    pub kind: String,
    pub traefik_status: Option<u16>,
    pub traefik_dur_ms: Option<u64>,
    /// Source names (`journal`, `traefik`, ...), in the order the output lists them.
    pub sources: Vec<String>,
    pub incident_id: String,
    /// Fields the saved row lacks, as an older or hand-cut file may. They are not compared,
    /// and the report names them once.
    pub absent: Vec<Field>,
    /// Set for a row read from CSV, which has no `rule` or `kind` column, so neither is
    /// compared nor reported as missing.
    pub from_csv: bool,
}

impl DropRow {
    /// Builds the row that `drops` would write for `drop`.
    pub fn from_drop(drop: &Drop, analysis: &Analysis, inputs: &[InputReport]) -> DropRow {
        DropRow {
            drop_id: drop.id.clone(),
            time: drop.time,
            user: drop.user.as_deref().unwrap_or("").to_string(),
            client_ip: drop.client.map(|c| c.to_string()).unwrap_or_default(),
            dur_ms: drop.dur_ms,
            segment: drop.segment.as_str().to_string(),
            confidence: drop.confidence.as_str().to_string(),
            reason: drop.reason.clone(),
            evidence: drop
                .evidence
                .iter()
                .filter_map(|&i| analysis.events.get(i))
                .map(|event| output::location(inputs, event))
                .collect(),
            cause: drop.cause.clone().unwrap_or_default(),
            reconnect_ms: drop.reconnect_ms,
            burst_id: drop.burst_id.clone().unwrap_or_default(),
            rule: drop.rule.to_string(),
            // The JSON output writes the kind by its serde name, so this matches it.
            kind: serde_json::to_value(drop.kind)
                .ok()
                .and_then(|value| value.as_str().map(str::to_string))
                .unwrap_or_default(),
            traefik_status: drop.traefik_status,
            traefik_dur_ms: drop.traefik_dur_ms,
            sources: drop.sources.iter().map(|s| s.name().to_string()).collect(),
            incident_id: drop.incident_id.clone(),
            absent: Vec::new(),
            from_csv: false,
        }
    }

    /// Returns whether the saved row contains `field`, so that it can be compared.
    fn has(&self, field: Field) -> bool {
        let not_in_csv = self.from_csv && matches!(field, Field::Rule | Field::Kind);
        !not_in_csv && !self.absent.contains(&field)
    }

    /// Formats the words that identify the row in a message: id, time, user and client IP.
    fn label(&self) -> String {
        self.label_with_id(&self.drop_id)
    }

    fn label_with_id(&self, id: &str) -> String {
        format!(
            "{id} {} {} {}",
            format_time(self.time),
            or_dash(&self.user),
            or_dash(&self.client_ip)
        )
    }

    /// Formats the label and the fields that pair rows, for a row without a partner.
    fn describe(&self) -> String {
        let dur = self
            .dur_ms
            .map_or_else(|| "-".to_string(), |d| d.to_string());
        format!("{} dur_ms={dur} segment={}", self.label(), self.segment)
    }
}

/// Formats a time to the second when it has no fraction, else to the millisecond.
fn format_time(micros: i64) -> String {
    if micros % SECOND == 0 {
        time::format_seconds(micros)
    } else {
        time::format_millis(micros)
    }
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() { "-" } else { text }
}

/// Returns the changes of the fields two paired rows carry themselves, in [`Field`] order.
/// Burst and incident membership depend on the other rows, so [`compare`] adds them.
fn row_changes(expected: &DropRow, actual: &DropRow) -> Vec<Change> {
    Field::ALL
        .into_iter()
        .filter(|&field| expected.has(field))
        .filter(|&field| match field {
            Field::Evidence => !evidence_matches(&expected.evidence, &actual.evidence),
            Field::Burst | Field::Incident => false,
            _ => field.value(expected) != field.value(actual),
        })
        .map(|field| Change {
            field,
            expected: field.value(expected),
            actual: field.value(actual),
        })
        .collect()
}

/// Compares `expected` with `actual` (this run's rows). Rows pair as [`pair_rows`] pairs them,
/// on user and client IP with no time offset.
pub fn compare(expected: &[DropRow], actual: &[DropRow]) -> Comparison {
    let expected_refs: Vec<&DropRow> = expected.iter().collect();
    let actual_refs: Vec<&DropRow> = actual.iter().collect();
    let partners = pair_rows(&expected_refs, &actual_refs, 0, false);

    let groups =
        [Field::Burst, Field::Incident].map(|field| GroupIndex::new(field, expected, actual));
    let mut actual_paired = vec![false; actual.len()];
    for &a in partners.iter().flatten() {
        actual_paired[a] = true;
    }

    let mut missing = Vec::new();
    let mut differences = Vec::new();
    for (e, (expected_row, partner)) in expected.iter().zip(&partners).enumerate() {
        let Some(a) = *partner else {
            missing.push(expected_row);
            differences.push(Difference::Missing(expected_row.clone()));
            continue;
        };
        let actual_row = &actual[a];
        let mut changes = row_changes(expected_row, actual_row);
        for index in &groups {
            changes.extend(group_change(
                expected,
                actual,
                &partners,
                &actual_paired,
                index,
                e,
            ));
        }
        changes.sort_by_key(|change| change.field);
        if !changes.is_empty() {
            differences.push(Difference::Changed {
                expected: Box::new(expected_row.clone()),
                actual: Box::new(actual_row.clone()),
                changes,
            });
        }
    }
    let extra: Vec<&DropRow> = actual
        .iter()
        .zip(&actual_paired)
        .filter(|(_, paired)| !**paired)
        .map(|(row, _)| row)
        .collect();
    let common_offset = common_offset(&missing, &extra);
    differences.extend(extra.into_iter().cloned().map(Difference::Extra));
    // A stable sort keeps missing before extra at the same time, as they were pushed.
    differences.sort_by_key(Difference::time);
    Comparison {
        expected_rows: expected.len(),
        actual_rows: actual.len(),
        missing_columns: missing_columns(expected),
        differences,
        common_offset,
    }
}

/// Counts, for each column that some expected rows lack, how many lack it. A `drops` output
/// gives every row an id, so an empty drop id means the column is missing.
fn missing_columns(expected: &[DropRow]) -> Vec<(&'static str, usize)> {
    let without_id = expected.iter().filter(|row| row.drop_id.is_empty()).count();
    let mut columns = Vec::new();
    if without_id > 0 {
        columns.push(("drop_id", without_id));
    }
    for field in Field::ALL {
        let rows = expected
            .iter()
            .filter(|row| row.absent.contains(&field))
            .count();
        if rows > 0 {
            columns.push((field.name(), rows));
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    // The rows and helpers below are shared with the tests in the other files of this module.

    pub(super) const T0: i64 = 1_781_119_202 * SECOND; // 2026-06-10T19:20:02Z

    pub(super) fn row(id: &str, time: i64, user: &str, dur_ms: u64, segment: &str) -> DropRow {
        DropRow {
            drop_id: id.to_string(),
            time,
            user: user.to_string(),
            client_ip: "203.0.113.22".to_string(),
            dur_ms: Some(dur_ms),
            segment: segment.to_string(),
            confidence: "high".to_string(),
            reason: "bob's t3 serve was OOM-killed".to_string(),
            evidence: vec!["devvm-journal.log:639".to_string()],
            cause: "graceful".to_string(),
            reconnect_ms: Some(2000),
            burst_id: String::new(),
            rule: "serve_died".to_string(),
            kind: "short".to_string(),
            traefik_status: Some(0),
            traefik_dur_ms: Some(542_148),
            sources: vec!["journal".to_string(), "traefik".to_string()],
            incident_id: "I001".to_string(),
            absent: Vec::new(),
            from_csv: false,
        }
    }

    pub(super) fn lines(comparison: &Comparison, strict: bool) -> (Vec<String>, Tally) {
        let mut out = Vec::new();
        let tally = comparison.write(&mut out, strict).unwrap();
        let text = String::from_utf8(out).unwrap();
        (text.lines().map(str::to_string).collect(), tally)
    }

    pub(super) const HOUR: i64 = 3600 * SECOND;

    /// Three drops of three users, for the time offset cases.
    pub(super) fn three_drops() -> Vec<DropRow> {
        vec![
            row("D0001", T0, "alice", 1, "last_mile"),
            row("D0002", T0 + 60 * SECOND, "bob", 2, "t3_serve"),
            row("D0003", T0 + 60 * SECOND, "carol", 3, "t3_serve"),
        ]
    }

    pub(super) fn moved(rows: &[DropRow], offset: i64) -> Vec<DropRow> {
        let mut rows = rows.to_vec();
        for row in &mut rows {
            row.time += offset;
        }
        rows
    }

    #[test]
    fn t0_is_the_incident_time() {
        assert_eq!(time::format_seconds(T0), "2026-06-10T19:20:02Z");
    }

    #[test]
    fn identical_rows_have_no_difference() {
        let rows = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let comparison = compare(&rows, &rows);
        assert_eq!(comparison.expected_rows, 1);
        assert_eq!(comparison.actual_rows, 1);
        assert!(comparison.differences.is_empty());
        assert!(!comparison.tally(true).failed());
    }
}
