//! The report of a comparison: its differences, their tally and the lines printed for them.

use std::io::{self, Write};

use super::DropRow;

/// A column that may differ between two paired rows, in the order changes are printed. The
/// drop id is not one, because ids are renumbered when another drop appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Segment,
    Rule,
    Kind,
    Cause,
    /// Burst membership: which other drops share the drop's burst.
    Burst,
    Duration,
    Reconnect,
    Confidence,
    Reason,
    Evidence,
    TraefikStatus,
    TraefikDuration,
    Sources,
    /// Incident membership: which other drops share the drop's incident.
    Incident,
}

impl Field {
    pub const ALL: [Field; 14] = [
        Field::Segment,
        Field::Rule,
        Field::Kind,
        Field::Cause,
        Field::Burst,
        Field::Duration,
        Field::Reconnect,
        Field::Confidence,
        Field::Reason,
        Field::Evidence,
        Field::TraefikStatus,
        Field::TraefikDuration,
        Field::Sources,
        Field::Incident,
    ];

    /// Returns the field's column name in the `drops` output.
    pub fn name(self) -> &'static str {
        match self {
            Field::Segment => "segment",
            Field::Rule => "rule",
            Field::Kind => "kind",
            Field::Cause => "cause",
            Field::Burst => "burst_id",
            Field::Duration => "dur_ms",
            Field::Reconnect => "reconnect_ms",
            Field::Confidence => "confidence",
            Field::Reason => "reason",
            Field::Evidence => "evidence",
            Field::TraefikStatus => "traefik_status",
            Field::TraefikDuration => "traefik_dur_ms",
            Field::Sources => "sources",
            Field::Incident => "incident_id",
        }
    }

    /// Returns whether a change of this field fails the check. The fields that make up the
    /// attribution (segment, rule, kind, the cause dispatch logged, burst membership) always
    /// do. The others are measurements, wording or grouping, which change when an input file
    /// is renamed or a reason is reworded, so they count only when `strict_fields` is set.
    pub fn counts(self, strict_fields: bool) -> bool {
        self.is_attribution() || strict_fields
    }

    fn is_attribution(self) -> bool {
        matches!(
            self,
            Field::Segment | Field::Rule | Field::Kind | Field::Cause | Field::Burst
        )
    }

    /// Formats the field's value in `row` for a message, with text fields quoted. A burst or
    /// incident formats as its id; [`compare`](super::compare) prints its members instead.
    pub(super) fn value(self, row: &DropRow) -> String {
        let number = |value: Option<String>| value.unwrap_or_else(|| "none".to_string());
        match self {
            Field::Segment => row.segment.clone(),
            Field::Rule => or_none(&row.rule),
            Field::Kind => or_none(&row.kind),
            Field::Cause => format!("{:?}", row.cause),
            Field::Burst => or_none(&row.burst_id),
            Field::Duration => number(row.dur_ms.map(|ms| ms.to_string())),
            Field::Reconnect => number(row.reconnect_ms.map(|ms| ms.to_string())),
            Field::Confidence => row.confidence.clone(),
            Field::Reason => format!("{:?}", row.reason),
            Field::Evidence => format!("{:?}", row.evidence.join(";")),
            Field::TraefikStatus => number(row.traefik_status.map(|s| s.to_string())),
            Field::TraefikDuration => number(row.traefik_dur_ms.map(|ms| ms.to_string())),
            Field::Sources => or_none(&row.sources.join(";")),
            Field::Incident => or_none(&row.incident_id),
        }
    }
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "none".to_string()
    } else {
        text.to_string()
    }
}

/// One changed field of a pair of rows, with both values as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    pub expected: String,
    pub actual: String,
}

/// One difference between the expected rows and this run's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// A row of the expected file that this run did not produce.
    Missing(DropRow),
    /// A row of this run that the expected file does not have.
    Extra(DropRow),
    /// A pair of rows with at least one change, in [`Field`] order.
    Changed {
        expected: Box<DropRow>,
        actual: Box<DropRow>,
        changes: Vec<Change>,
    },
}

impl Difference {
    /// Returns the time the difference is sorted by, the expected row's where there is one.
    pub(super) fn time(&self) -> i64 {
        match self {
            Difference::Missing(row) | Difference::Extra(row) => row.time,
            Difference::Changed { expected, .. } => expected.time,
        }
    }
}

/// The result of a comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Rows of the expected file.
    pub expected_rows: usize,
    /// Rows of this run.
    pub actual_rows: usize,
    /// Columns that expected rows lack, with how many rows lack each. They are not compared.
    pub missing_columns: Vec<(&'static str, usize)>,
    /// Every difference, in time order, including changes that do not count.
    pub differences: Vec<Difference>,
    /// The time offset at which every missing row pairs one to one with an extra row of the
    /// same user, client IP and segment, if there are at least two pairs. It is this run's time
    /// minus the expected time, in microseconds. See
    /// [`common_offset`](super::pairing::common_offset).
    pub common_offset: Option<i64>,
}

/// The counts of a comparison under one strictness.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub expected_rows: usize,
    pub actual_rows: usize,
    pub missing: usize,
    pub extra: usize,
    /// Pairs with at least one change that counts.
    pub changed: usize,
    /// Field changes printed but not counted, because strict mode is off.
    pub uncounted: usize,
}

impl Tally {
    /// Returns whether the check fails: a row is missing, extra or changed in a field that
    /// counts.
    pub fn failed(&self) -> bool {
        self.missing + self.extra + self.changed > 0
    }
}

/// Formats the words that name a changed pair of rows. Ids shift when an earlier drop appears
/// or goes, so both are named when they differ. A file without the drop_id column names the
/// row by this run's id.
fn changed_label(expected: &DropRow, actual: &DropRow) -> String {
    if expected.drop_id.is_empty() {
        expected.label_with_id(&actual.drop_id)
    } else if actual.drop_id == expected.drop_id {
        expected.label()
    } else {
        expected.label_with_id(&format!("{} (now {})", expected.drop_id, actual.drop_id))
    }
}

/// Formats a time offset as whole seconds, or with milliseconds when it has a fraction.
fn format_offset(micros: u64) -> String {
    let millis = micros / 1_000;
    if millis.is_multiple_of(1_000) {
        format!("{} s", millis / 1_000)
    } else {
        format!("{}.{:03} s", millis / 1_000, millis % 1_000)
    }
}

impl Comparison {
    /// Counts the differences, with changes of fields outside the attribution counted only
    /// when `strict_fields` is set (see [`Field::counts`]).
    pub fn tally(&self, strict_fields: bool) -> Tally {
        let mut tally = Tally {
            expected_rows: self.expected_rows,
            actual_rows: self.actual_rows,
            ..Tally::default()
        };
        for difference in &self.differences {
            match difference {
                Difference::Missing(_) => tally.missing += 1,
                Difference::Extra(_) => tally.extra += 1,
                Difference::Changed { changes, .. } => {
                    let counted = changes
                        .iter()
                        .filter(|change| change.field.counts(strict_fields))
                        .count();
                    if counted > 0 {
                        tally.changed += 1;
                    }
                    tally.uncounted += changes.len() - counted;
                }
            }
        }
        tally
    }

    /// Writes one line per difference, then a hint when the unpaired rows pair at a
    /// [`Comparison::common_offset`], then the summary line, and returns the tally. The lines
    /// that fail the check come first. Changes that do not count follow under a line of their
    /// own, so a few counted ones are not lost among many reworded reasons.
    ///
    /// ```text
    /// changed segment: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: t3_serve -> devvm
    /// not counted, outside the attribution (--strict-fields counts them): 1 change
    /// changed reason: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: "…" -> "…"
    /// check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 1 changed (…)
    /// ```
    pub fn write(&self, out: &mut dyn Write, strict_fields: bool) -> io::Result<Tally> {
        for (column, rows) in &self.missing_columns {
            writeln!(
                out,
                "not compared: {column}, missing from {rows} of {} expected rows",
                self.expected_rows
            )?;
        }
        let mut uncounted = Vec::new();
        for difference in &self.differences {
            match difference {
                Difference::Missing(row) => writeln!(out, "missing: {}", row.describe())?,
                Difference::Extra(row) => writeln!(out, "extra: {}", row.describe())?,
                Difference::Changed {
                    expected,
                    actual,
                    changes,
                } => {
                    let label = changed_label(expected, actual);
                    for change in changes {
                        let line = format!(
                            "changed {}: {label}: {} -> {}",
                            change.field.name(),
                            change.expected,
                            change.actual
                        );
                        if change.field.counts(strict_fields) {
                            writeln!(out, "{line}")?;
                        } else {
                            uncounted.push(line);
                        }
                    }
                }
            }
        }
        let tally = self.tally(strict_fields);
        if let Some(offset) = self.common_offset {
            let direction = if offset > 0 { "later" } else { "earlier" };
            writeln!(
                out,
                "hint: the {} missing and {} extra rows pair up one to one, with this run's \
                 times {} {direction}: a time-zone (--tz) or clock change?",
                tally.missing,
                tally.extra,
                format_offset(offset.unsigned_abs())
            )?;
        }
        if !uncounted.is_empty() {
            writeln!(
                out,
                "not counted, outside the attribution (--strict-fields counts them): {} change(s)",
                uncounted.len()
            )?;
            for line in &uncounted {
                writeln!(out, "{line}")?;
            }
        }
        write!(
            out,
            "check: {} expected rows, {} actual rows, {} missing, {} extra, {} changed",
            tally.expected_rows, tally.actual_rows, tally.missing, tally.extra, tally.changed
        )?;
        if tally.uncounted > 0 {
            write!(
                out,
                " ({} change(s) outside the attribution not counted; --strict-fields counts them)",
                tally.uncounted
            )?;
        }
        writeln!(out)?;
        Ok(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::compare;
    use crate::check::tests::{HOUR, T0, lines, moved, row, three_drops};
    use crate::time::SECOND;

    #[test]
    fn changed_segment_counts_and_names_the_row() {
        let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0003", T0, "bob", 5, "devvm")];
        let (lines, tally) = lines(&compare(&expected, &actual), false);
        assert_eq!(
            lines,
            [
                "changed segment: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: t3_serve -> devvm",
                "check: 1 expected rows, 1 actual rows, 0 missing, 0 extra, 1 changed",
            ]
        );
        assert!(tally.failed());
    }

    #[test]
    fn changed_reason_counts_only_when_strict() {
        let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let mut actual = expected.clone();
        actual[0].reason = "bob's t3 serve exited".to_string();
        actual[0].confidence = "medium".to_string();
        let comparison = compare(&expected, &actual);

        let (lines, tally) = lines(&comparison, false);
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            "not counted, outside the attribution (--strict-fields counts them): 2 change(s)"
        );
        assert_eq!(
            lines[1],
            "changed confidence: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: high -> medium"
        );
        assert!(lines[2].starts_with("changed reason: D0003"));
        assert!(lines[3].ends_with(
            "0 changed (2 change(s) outside the attribution not counted; --strict-fields counts them)"
        ));
        assert!(!tally.failed());

        let tally = comparison.tally(true);
        assert_eq!(tally.changed, 1);
        assert!(tally.failed());
    }

    #[test]
    fn every_column_change_is_printed() {
        // (field, edit of the actual row, end of the printed line, fails without --strict-fields)
        type Edit = fn(&mut DropRow);
        let cases: [(Field, Edit, &str, bool); 12] = [
            (
                Field::Segment,
                |r| r.segment = "devvm".into(),
                "t3_serve -> devvm",
                true,
            ),
            (
                Field::Rule,
                |r| r.rule = "serve_restarted".into(),
                "serve_died -> serve_restarted",
                true,
            ),
            (
                Field::Kind,
                |r| r.kind = "reconnect".into(),
                "short -> reconnect",
                true,
            ),
            (
                Field::Cause,
                |r| r.cause = "upstream_closed".into(),
                r#""graceful" -> "upstream_closed""#,
                true,
            ),
            (Field::Duration, |r| r.dur_ms = Some(6), "5 -> 6", false),
            (
                Field::Reconnect,
                |r| r.reconnect_ms = None,
                "2000 -> none",
                false,
            ),
            (
                Field::Confidence,
                |r| r.confidence = "low".into(),
                "high -> low",
                false,
            ),
            (Field::Reason, |r| r.reason = "x".into(), r#"-> "x""#, false),
            (
                Field::Evidence,
                |r| r.evidence.clear(),
                r#""devvm-journal.log:639" -> """#,
                false,
            ),
            (
                Field::TraefikStatus,
                |r| r.traefik_status = Some(502),
                "0 -> 502",
                false,
            ),
            (
                Field::TraefikDuration,
                |r| r.traefik_dur_ms = None,
                "542148 -> none",
                false,
            ),
            (
                Field::Sources,
                |r| r.sources.truncate(1),
                "journal;traefik -> journal",
                false,
            ),
        ];
        for (field, edit, printed, attribution) in cases {
            let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
            let mut actual = expected.clone();
            edit(&mut actual[0]);
            let comparison = compare(&expected, &actual);
            let (lines, tally) = lines(&comparison, false);
            let prefix = format!(
                "changed {}: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: ",
                field.name()
            );
            // A change that does not count comes after the `not counted` line.
            let at = usize::from(!attribution);
            assert_eq!(lines.len(), 2 + at, "{field:?}: {lines:?}");
            assert!(lines[at].starts_with(&prefix), "{field:?}: {lines:?}");
            assert!(lines[at].ends_with(printed), "{field:?}: {lines:?}");
            assert_eq!(
                tally.failed(),
                attribution,
                "{field:?} without --strict-fields"
            );
            assert!(
                comparison.tally(true).failed(),
                "{field:?} with --strict-fields"
            );
        }
    }

    #[test]
    fn counted_changes_come_first() {
        // An uncounted reason change at the first drop, a counted segment change at the
        // second, and a missing row at the third.
        let expected = three_drops();
        let mut actual = expected.clone();
        actual[0].reason = "reworded".to_string();
        actual[1].segment = "devvm".to_string();
        actual[1].reason = "reworded too".to_string();
        actual.pop();
        let (printed, tally) = lines(&compare(&expected, &actual), false);
        let kinds: Vec<&str> = printed
            .iter()
            .map(|line| line.split(':').next().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "changed segment",
                "missing",
                "not counted, outside the attribution (--strict-fields counts them)",
                "changed reason",
                "changed reason",
                "check",
            ],
            "{printed:?}"
        );
        assert!(printed[2].ends_with(": 2 change(s)"), "{}", printed[2]);
        assert!(printed[3].contains("D0001"), "{}", printed[3]);
        assert!(printed[4].contains("D0002"), "{}", printed[4]);
        assert_eq!(tally.changed, 1);
        assert_eq!(tally.missing, 1);
        assert_eq!(tally.uncounted, 2);

        // With --strict-fields every change counts, in time order.
        let (strict, _) = lines(&compare(&expected, &actual), true);
        assert!(strict[0].starts_with("changed reason: D0001"), "{strict:?}");
        assert!(
            strict[1].starts_with("changed segment: D0002"),
            "{strict:?}"
        );
        assert!(strict[2].starts_with("changed reason: D0002"), "{strict:?}");
        assert!(!strict.iter().any(|line| line.starts_with("not counted")));
    }

    #[test]
    fn renumbered_row_names_both_ids() {
        let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0004", T0, "bob", 5, "devvm")];
        let (lines, _) = lines(&compare(&expected, &actual), false);
        assert!(lines[0].starts_with("changed segment: D0003 (now D0004) 2026"));
    }

    #[test]
    fn missing_and_extra_lines() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0001", T0 + 10 * SECOND, "carol", 7, "devvm")];
        let (lines, tally) = lines(&compare(&expected, &actual), false);
        assert_eq!(
            lines,
            [
                "missing: D0001 2026-06-10T19:20:02Z bob 203.0.113.22 dur_ms=5 segment=t3_serve",
                "extra: D0001 2026-06-10T19:20:12Z carol 203.0.113.22 dur_ms=7 segment=devvm",
                "check: 1 expected rows, 1 actual rows, 1 missing, 1 extra, 0 changed",
            ]
        );
        assert!(tally.failed());
    }

    #[test]
    fn common_offset_prints_a_hint_before_the_summary() {
        let expected = three_drops();
        let cases = [
            (
                HOUR,
                "hint: the 3 missing and 3 extra rows pair up one to one, with this run's times \
                 3600 s later: a time-zone (--tz) or clock change?",
            ),
            (
                -HOUR - 1_500,
                "hint: the 3 missing and 3 extra rows pair up one to one, with this run's times \
                 3600.001 s earlier: a time-zone (--tz) or clock change?",
            ),
        ];
        for (offset, hint) in cases {
            let (lines, tally) = lines(&compare(&expected, &moved(&expected, offset)), false);
            assert_eq!(lines.len(), 8, "{lines:?}");
            assert_eq!(lines[6], hint);
            assert_eq!(
                lines[7],
                "check: 3 expected rows, 3 actual rows, 3 missing, 3 extra, 0 changed"
            );
            assert!(tally.failed(), "the times did change");
        }
    }

    #[test]
    fn format_offset_cases() {
        let cases = [
            (0, "0 s"),
            (999, "0 s"),
            (1_000, "0.001 s"),
            (SECOND as u64, "1 s"),
            (3_600_250_000, "3600.250 s"),
            (u64::MAX, "18446744073709.551 s"),
        ];
        for (micros, text) in cases {
            assert_eq!(format_offset(micros), text, "{micros}");
        }
    }
}
