//! Regression checks: compares this run's drops with a saved `drops` output.
//!
//! A saved output is read back from any format `drops` writes (CSV, JSON or JSON Lines),
//! detected from its content. Rows are paired on user and client IP, with times at most
//! [`TIME_TOLERANCE`] and socket durations at most [`DUR_TOLERANCE_MS`] apart, so reordered rows,
//! renumbered drop ids and a duration read half a second differently still pair. A pair whose
//! segment differs is a difference. Differences in duration, reason, confidence or evidence are
//! reported too, but [`Tally::failed`] counts them only in strict mode, because rewording a
//! reason or renaming an input file should not fail a CI run. Evidence compares as
//! [`evidence_matches`] does, so logs read from another directory, compressed or piped match.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::Value;

use crate::correlate::{Analysis, Drop, Segment};
use crate::error::{Error, Result};
use crate::input::STDIN_NAME;
use crate::output::{self, DROP_COLUMNS};
use crate::run::InputReport;
use crate::time::{self, SECOND};

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
        }
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

/// A field that may differ between two paired rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Segment,
    Duration,
    Confidence,
    Reason,
    Evidence,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Segment => "segment",
            Field::Duration => "dur_ms",
            Field::Confidence => "confidence",
            Field::Reason => "reason",
            Field::Evidence => "evidence",
        }
    }

    /// Returns whether a change of this field fails the check. Only the segment does unless
    /// `strict_fields` is set.
    pub fn counts(self, strict_fields: bool) -> bool {
        self == Field::Segment || strict_fields
    }

    /// Formats the field's value in `row` for a message, with text fields quoted.
    fn value(self, row: &DropRow) -> String {
        match self {
            Field::Segment => row.segment.clone(),
            Field::Duration => row
                .dur_ms
                .map_or_else(|| "none".to_string(), |ms| ms.to_string()),
            Field::Confidence => row.confidence.clone(),
            Field::Reason => format!("{:?}", row.reason),
            Field::Evidence => format!("{:?}", row.evidence.join(";")),
        }
    }
}

/// One difference between the expected rows and this run's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// A row of the expected file that this run did not produce.
    Missing(DropRow),
    /// A row of this run that the expected file does not have.
    Extra(DropRow),
    /// A pair of rows whose `fields` differ, in [`Field`] order.
    Changed {
        expected: Box<DropRow>,
        actual: Box<DropRow>,
        fields: Vec<Field>,
    },
}

impl Difference {
    /// Returns the time the difference is sorted by, the expected row's where there is one.
    fn time(&self) -> i64 {
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
    /// Every difference, in time order, including changes that do not count.
    pub differences: Vec<Difference>,
    /// The time offset at which every missing row pairs one to one with an extra row of the
    /// same user, client IP and segment, if there are at least two pairs. It is this run's time
    /// minus the expected time, in microseconds. See [`common_offset`].
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

/// The fields rows are paired on, besides time and duration: user, client IP and, when
/// [`pair_rows`] is asked for it, the segment (else an empty string).
type PairKey<'a> = (&'a str, &'a str, &'a str);

fn pair_key(row: &DropRow, same_segment: bool) -> PairKey<'_> {
    let segment = if same_segment {
        row.segment.as_str()
    } else {
        ""
    };
    (&row.user, &row.client_ip, segment)
}

/// Returns how far apart two durations are, or `None` when they are too far apart to pair
/// (or only one is known).
fn dur_gap(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.abs_diff(b)).filter(|gap| *gap <= DUR_TOLERANCE_MS),
        (None, None) => Some(0),
        _ => None,
    }
}

/// Pairs rows of `expected` with rows of `actual` one to one, and returns the partner of each
/// expected row as an index into `actual`. Rows pair when user and client IP are equal (and the
/// segment, with `same_segment`), the actual time is at most [`TIME_TOLERANCE`] from the
/// expected time plus `offset`, and durations are at most [`DUR_TOLERANCE_MS`] apart. Each
/// expected row, in time order, takes the nearest unpaired candidate (by time, then duration),
/// so the order of either list does not matter.
fn pair_rows(
    expected: &[&DropRow],
    actual: &[&DropRow],
    offset: i64,
    same_segment: bool,
) -> Vec<Option<usize>> {
    let mut expected_order: Vec<usize> = (0..expected.len()).collect();
    expected_order.sort_by_key(|&i| expected[i].time);

    // Candidate indexes into `actual` by pairing key, each list in time order.
    let mut candidates: HashMap<PairKey, Vec<usize>> = HashMap::new();
    for (i, row) in actual.iter().enumerate() {
        candidates
            .entry(pair_key(row, same_segment))
            .or_default()
            .push(i);
    }
    for list in candidates.values_mut() {
        list.sort_by_key(|&i| actual[i].time);
    }

    let mut paired = vec![false; actual.len()];
    let mut partners = vec![None; expected.len()];
    for e in expected_order {
        let expected_row = expected[e];
        let target = expected_row.time.saturating_add(offset);
        let nearest = candidates
            .get(&pair_key(expected_row, same_segment))
            .and_then(|list| {
                list.iter()
                    .copied()
                    .filter(|&i| !paired[i])
                    .filter_map(|i| {
                        let dur = dur_gap(expected_row.dur_ms, actual[i].dur_ms)?;
                        Some((actual[i].time.abs_diff(target), dur, i))
                    })
                    .filter(|&(gap, _, _)| gap <= TIME_TOLERANCE.unsigned_abs())
                    .min()
            });
        if let Some((_, _, i)) = nearest {
            paired[i] = true;
            partners[e] = Some(i);
        }
    }
    partners
}

/// Returns the fields that differ between two paired rows, in [`Field`] order.
fn changed_fields(expected: &DropRow, actual: &DropRow) -> Vec<Field> {
    [
        (Field::Segment, expected.segment != actual.segment),
        (Field::Duration, expected.dur_ms != actual.dur_ms),
        (Field::Confidence, expected.confidence != actual.confidence),
        (Field::Reason, expected.reason != actual.reason),
        (
            Field::Evidence,
            !evidence_matches(&expected.evidence, &actual.evidence),
        ),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect()
}

/// Returns whether two evidence lists name the same lines. Entries compare by line and by file
/// name without its directory and a `.gz` or `.zst` suffix, because the same logs read from
/// another directory or compressed have other names.
///
/// `<stdin>` on one side matches any file name on the other at the same line, since the name
/// of the piped file is unknown. Stdin is a single input, so within one list it must match the
/// same file name each time, which keeps a changed entry from passing as the piped file.
fn evidence_matches(expected: &[String], actual: &[String]) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    // The file name that `<stdin>` matched first, on the expected and on the actual side.
    let mut expected_stdin: Option<&str> = None;
    let mut actual_stdin: Option<&str> = None;
    for (expected_entry, actual_entry) in expected.iter().zip(actual) {
        let (expected_file, expected_line) = evidence_location(expected_entry);
        let (actual_file, actual_line) = evidence_location(actual_entry);
        if expected_line != actual_line {
            return false;
        }
        let files_match = match (expected_file == STDIN_NAME, actual_file == STDIN_NAME) {
            (true, false) => *expected_stdin.get_or_insert(actual_file) == actual_file,
            (false, true) => *actual_stdin.get_or_insert(expected_file) == expected_file,
            _ => expected_file == actual_file,
        };
        if !files_match {
            return false;
        }
    }
    true
}

/// Splits a `FILE:LINE` evidence entry into the file's base name, without a `.gz` or `.zst`
/// suffix, and the line. An entry without `:` is all file name.
fn evidence_location(entry: &str) -> (&str, &str) {
    let (path, line) = entry.rsplit_once(':').unwrap_or((entry, ""));
    // `\` separates directories too, for an expected file saved by a run on Windows.
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let base = base
        .strip_suffix(".gz")
        .or_else(|| base.strip_suffix(".zst"))
        .unwrap_or(base);
    (base, line)
}

/// Compares `expected` with `actual` (this run's rows). Rows pair as [`pair_rows`] pairs them,
/// on user and client IP with no time offset.
pub fn compare(expected: &[DropRow], actual: &[DropRow]) -> Comparison {
    let expected_refs: Vec<&DropRow> = expected.iter().collect();
    let actual_refs: Vec<&DropRow> = actual.iter().collect();
    let partners = pair_rows(&expected_refs, &actual_refs, 0, false);

    let mut paired = vec![false; actual.len()];
    let mut missing = Vec::new();
    let mut differences = Vec::new();
    for (expected_row, partner) in expected.iter().zip(partners) {
        let Some(i) = partner else {
            missing.push(expected_row);
            differences.push(Difference::Missing(expected_row.clone()));
            continue;
        };
        paired[i] = true;
        let actual_row = &actual[i];
        let fields = changed_fields(expected_row, actual_row);
        if !fields.is_empty() {
            differences.push(Difference::Changed {
                expected: Box::new(expected_row.clone()),
                actual: Box::new(actual_row.clone()),
                fields,
            });
        }
    }
    let extra: Vec<&DropRow> = actual
        .iter()
        .zip(&paired)
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
        differences,
        common_offset,
    }
}

/// Finds one time offset at which the missing rows pair one to one with the extra rows of the
/// same user, client IP and segment. Such an offset appears when this run read the inputs in
/// another `--tz` or across a clock change. Returns this run's time minus the expected time,
/// in microseconds.
///
/// It needs at least two pairs, because a single drop that moved may well be a real change,
/// and its `missing:` and `extra:` lines already show both times. The offset tried is the median gap between the n-th missing
/// and the n-th extra time, which is the offset when all times moved by one amount, since
/// such a move keeps their order.
fn common_offset(missing: &[&DropRow], extra: &[&DropRow]) -> Option<i64> {
    if missing.len() < 2 || missing.len() != extra.len() {
        return None;
    }
    let mut missing_times: Vec<i64> = missing.iter().map(|row| row.time).collect();
    let mut extra_times: Vec<i64> = extra.iter().map(|row| row.time).collect();
    missing_times.sort_unstable();
    extra_times.sort_unstable();
    let mut gaps: Vec<i64> = missing_times
        .iter()
        .zip(&extra_times)
        .map(|(m, e)| e.saturating_sub(*m))
        .collect();
    gaps.sort_unstable();
    let offset = gaps[gaps.len() / 2];
    // Rows this close in time would have paired already, unless something else differs.
    if offset.unsigned_abs() <= TIME_TOLERANCE.unsigned_abs() {
        return None;
    }
    let partners = pair_rows(missing, extra, offset, true);
    partners.iter().all(Option::is_some).then_some(offset)
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
    /// Counts the differences, with field changes other than the segment counted only when
    /// `strict_fields` is set.
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
                Difference::Changed { fields, .. } => {
                    if fields.iter().any(|f| f.counts(strict_fields)) {
                        tally.changed += 1;
                    }
                    tally.uncounted += fields.iter().filter(|f| !f.counts(strict_fields)).count();
                }
            }
        }
        tally
    }

    /// Writes one line per difference, a hint when the unpaired rows pair at a
    /// [`Comparison::common_offset`], then the summary line, and returns the tally.
    ///
    /// ```text
    /// changed segment: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: t3_serve -> devvm
    /// check: 12 expected rows, 12 actual rows, 0 missing, 0 extra, 1 changed
    /// ```
    pub fn write(&self, out: &mut dyn Write, strict_fields: bool) -> io::Result<Tally> {
        for difference in &self.differences {
            match difference {
                Difference::Missing(row) => writeln!(out, "missing: {}", row.describe())?,
                Difference::Extra(row) => writeln!(out, "extra: {}", row.describe())?,
                Difference::Changed {
                    expected,
                    actual,
                    fields,
                } => {
                    // Ids shift when an earlier drop appears or goes, so name both when they do.
                    let label = if actual.drop_id == expected.drop_id {
                        expected.label()
                    } else {
                        expected.label_with_id(&format!(
                            "{} (now {})",
                            expected.drop_id, actual.drop_id
                        ))
                    };
                    for field in fields {
                        writeln!(
                            out,
                            "changed {}: {label}: {} -> {}",
                            field.name(),
                            field.value(expected),
                            field.value(actual)
                        )?;
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
        write!(
            out,
            "check: {} expected rows, {} actual rows, {} missing, {} extra, {} changed",
            tally.expected_rows, tally.actual_rows, tally.missing, tally.extra, tally.changed
        )?;
        if tally.uncounted > 0 {
            write!(
                out,
                " ({} duration, reason, confidence or evidence change(s) not counted; --strict-fields counts them)",
                tally.uncounted
            )?;
        }
        writeln!(out)?;
        Ok(tally)
    }
}

/// Reads a saved `drops` output (CSV, JSON or JSON Lines) from `path`.
pub fn read_expected(path: &Path) -> Result<Vec<DropRow>> {
    let text = read_expected_text(path)?;
    parse_expected(&path.display().to_string(), &text)
}

/// Returns `segment` when it names a segment, so a typo in an expected file is an error rather
/// than a difference on every row.
fn known_segment(segment: &str) -> std::result::Result<String, String> {
    if Segment::ALL.iter().any(|known| known.as_str() == segment) {
        return Ok(segment.to_string());
    }
    let names: Vec<&str> = Segment::ALL.iter().map(|s| s.as_str()).collect();
    Err(format!(
        "unknown segment `{segment}`; expected one of {}",
        names.join(", ")
    ))
}

/// Reads the text of a saved `drops` output, for [`parse_expected`].
pub fn read_expected_text(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    if path.as_os_str() == "-" {
        return Err(invalid(
            &name,
            "--expect does not read stdin, since the logs may come from there; save the \
             expected drops to a file"
                .to_string(),
        ));
    }
    if path.is_dir() {
        return Err(invalid(&name, "is a directory".to_string()));
    }
    // Opened like a log input, so a file written by `drops -o drops.csv.gz` or `.zst` is
    // decompressed by its content.
    let spec = crate::input::InputSpec {
        source: crate::input::InputSource::Path(path.to_path_buf()),
        forced_type: None,
    };
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut crate::input::open(&spec)?, &mut bytes)
        .map_err(|e| invalid(&name, format!("read failed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        invalid(
            &name,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Parses a saved `drops` output. The format is detected from the content: `{` or `[` first is
/// JSON (a `{"meta":…, "drops":[…]}` document, a bare array, or one drop object per line),
/// anything else is CSV with the drops header. An empty text is JSON Lines with no drop, which
/// is what `drops --format jsonl` writes when it finds none.
pub fn parse_expected(name: &str, text: &str) -> Result<Vec<DropRow>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().chars().next() {
        None => Ok(Vec::new()),
        Some('{' | '[') => parse_json(name, text),
        Some(_) => parse_csv(name, text),
    }
}

fn invalid(name: &str, reason: String) -> Error {
    Error::Expected {
        name: name.to_string(),
        reason,
    }
}

/// Removes the `'` that CSV output puts before a text cell starting with `=`, `+`, `-`, `@`,
/// tab or CR so spreadsheets do not evaluate it. A `'` before anything else is kept.
///
/// NOTE: a text that itself started with `'=` (or `'` and another of those characters) loses
/// its quote, because a CSV cell does not record whether it was neutralised.
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn parse_csv(name: &str, text: &str) -> Result<Vec<DropRow>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| invalid(name, format!("unreadable CSV header: {e}")))?
        .clone();
    let column = |column_name: &str| header.iter().position(|h| h == column_name);
    // Columns are only ever appended to the drops header, so they are found by name.
    let required = ["time", "user", "client_ip", "dur_ms", "segment"];
    let mut at = HashMap::new();
    for column_name in DROP_COLUMNS {
        if let Some(i) = column(column_name) {
            at.insert(*column_name, i);
        } else if required.contains(column_name) {
            let first: Vec<&str> = header.iter().take(4).collect();
            return Err(invalid(
                name,
                format!(
                    "line 1: the CSV header has no `{column_name}` column (it starts `{}`), so this is \
                     not a drops output",
                    first.join(",")
                ),
            ));
        }
    }

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            invalid(name, format!("line {line}: invalid CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |column: &str| {
            at.get(column)
                .and_then(|&i| record.get(i))
                .map_or("", unneutralize)
        };
        let at_line = |reason: String| invalid(name, format!("line {line}: {reason}"));
        let evidence = cell("evidence");
        rows.push(DropRow {
            drop_id: cell("drop_id").to_string(),
            time: parse_time(cell("time")).map_err(at_line)?,
            user: cell("user").to_string(),
            client_ip: cell("client_ip").to_string(),
            dur_ms: parse_dur(cell("dur_ms")).map_err(at_line)?,
            segment: known_segment(cell("segment")).map_err(at_line)?,
            confidence: cell("confidence").to_string(),
            reason: cell("reason").to_string(),
            evidence: if evidence.is_empty() {
                Vec::new()
            } else {
                evidence.split(';').map(str::to_string).collect()
            },
        });
    }
    Ok(rows)
}

fn parse_time(text: &str) -> std::result::Result<i64, String> {
    time::parse_bound(text).ok_or_else(|| {
        format!("invalid time `{text}`; expected RFC 3339, such as 2026-06-10T19:20:02.000Z")
    })
}

fn parse_dur(text: &str) -> std::result::Result<Option<u64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("invalid dur_ms `{text}`; expected a whole number of milliseconds"))
}

fn parse_json(name: &str, text: &str) -> Result<Vec<DropRow>> {
    let values: Vec<Value> = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| invalid(name, format!("line {}: invalid JSON: {e}", e.line())))?;

    // `--format json` writes one document whose `drops` member contains the rows.
    let drops: Vec<&Value> = match values.as_slice() {
        [Value::Object(document)] if document.contains_key("drops") => {
            match document.get("drops") {
                Some(Value::Array(drops)) => drops.iter().collect(),
                _ => return Err(invalid(name, "`drops` is not an array".to_string())),
            }
        }
        [Value::Array(drops)] => drops.iter().collect(),
        _ => values.iter().collect(),
    };
    drops
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            drop_from_json(value)
                .map_err(|reason| invalid(name, format!("drop {}: {reason}", i + 1)))
        })
        .collect()
}

fn drop_from_json(value: &Value) -> std::result::Result<DropRow, String> {
    let Value::Object(object) = value else {
        return Err(format!("expected an object, found `{value}`"));
    };
    let text = |key: &str| -> std::result::Result<String, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!("`{key}` is not a string: {other}")),
        }
    };
    let time = match object.get("time") {
        Some(Value::String(s)) => parse_time(s)?,
        _ => return Err("missing `time`".to_string()),
    };
    let segment = text("segment")?;
    if segment.is_empty() {
        return Err("missing `segment`".to_string());
    }
    let segment = known_segment(&segment)?;
    let dur_ms = match object.get("dur_ms") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| format!("invalid dur_ms `{n}`; expected a whole number"))?,
        ),
        Some(other) => return Err(format!("`dur_ms` is not a number: {other}")),
    };
    let evidence = match object.get("evidence") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(evidence_from_json)
            .collect::<std::result::Result<_, _>>()?,
        Some(other) => return Err(format!("`evidence` is not an array: {other}")),
    };
    Ok(DropRow {
        drop_id: text("drop_id")?,
        time,
        user: text("user")?,
        client_ip: text("client_ip")?,
        dur_ms,
        segment,
        confidence: text("confidence")?,
        reason: text("reason")?,
        evidence,
    })
}

/// Turns a JSON evidence entry, `{"file": …, "line": …}` or a `FILE:LINE` string, into
/// `FILE:LINE`.
fn evidence_from_json(item: &Value) -> std::result::Result<String, String> {
    match item {
        Value::String(s) => Ok(s.clone()),
        Value::Object(entry) => match (entry.get("file"), entry.get("line")) {
            (Some(Value::String(file)), Some(Value::Number(line))) => Ok(format!("{file}:{line}")),
            _ => Err(format!("evidence entry without `file` and `line`: {item}")),
        },
        other => Err(format!("invalid evidence entry: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_781_119_202 * SECOND; // 2026-06-10T19:20:02Z

    fn row(id: &str, time: i64, user: &str, dur_ms: u64, segment: &str) -> DropRow {
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
        }
    }

    fn lines(comparison: &Comparison, strict: bool) -> (Vec<String>, Tally) {
        let mut out = Vec::new();
        let tally = comparison.write(&mut out, strict).unwrap();
        let text = String::from_utf8(out).unwrap();
        (text.lines().map(str::to_string).collect(), tally)
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

    #[test]
    fn times_within_one_second_pair() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0001", T0 + SECOND, "bob", 5, "t3_serve")];
        assert!(compare(&expected, &actual).differences.is_empty());
        let actual = vec![row("D0001", T0 - SECOND, "bob", 5, "t3_serve")];
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn times_beyond_one_second_do_not_pair() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0001", T0 + SECOND + 1_000, "bob", 5, "t3_serve")];
        let comparison = compare(&expected, &actual);
        let tally = comparison.tally(false);
        assert_eq!(tally.missing, 1);
        assert_eq!(tally.extra, 1);
        assert_eq!(tally.expected_rows, 1);
        assert_eq!(tally.actual_rows, 1);
    }

    #[test]
    fn nearest_time_wins_among_candidates() {
        // Two sockets of the same user, client and duration half a second apart.
        let expected = vec![
            row("D0001", T0, "bob", 5, "t3_serve"),
            row("D0002", T0 + SECOND / 2, "bob", 5, "devvm"),
        ];
        let actual = vec![
            row("D0002", T0 + SECOND / 2, "bob", 5, "devvm"),
            row("D0001", T0, "bob", 5, "t3_serve"),
        ];
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn reordered_rows_pair() {
        let expected = vec![
            row("D0001", T0, "alice", 1, "last_mile"),
            row("D0002", T0 + 60 * SECOND, "bob", 2, "t3_serve"),
            row("D0003", T0 + 120 * SECOND, "carol", 3, "cloudflare"),
        ];
        let mut actual = expected.clone();
        actual.reverse();
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn user_ip_and_duration_must_match() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let mut other_ip = expected[0].clone();
        other_ip.client_ip = "198.51.100.14".to_string();
        for actual in [
            row("D0001", T0, "carol", 5, "t3_serve"),
            row("D0001", T0, "bob", 1006, "t3_serve"),
            other_ip,
        ] {
            let tally = compare(&expected, &[actual]).tally(false);
            assert_eq!((tally.missing, tally.extra), (1, 1));
        }
    }

    #[test]
    fn duration_within_a_second_pairs() {
        // An orphan's duration runs to a whole-second time, which a new version may read
        // half a second later: the rows still pair, and only strict mode counts it.
        let expected = vec![row("D0001", T0, "bob", 206_310, "dispatch")];
        let actual = vec![row("D0001", T0 + 500_000, "bob", 206_810, "dispatch")];
        let comparison = compare(&expected, &actual);
        let tally = comparison.tally(false);
        assert_eq!((tally.missing, tally.extra, tally.changed), (0, 0, 0));
        assert_eq!(tally.uncounted, 1);
        assert_eq!(comparison.tally(true).changed, 1);
        let (lines, _) = lines(&comparison, true);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("dur_ms") && l.contains("206310 -> 206810")),
            "{lines:?}"
        );
    }

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
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "changed confidence: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: high -> medium"
        );
        assert!(lines[1].starts_with("changed reason: D0003"));
        assert!(lines[2].ends_with("0 changed (2 duration, reason, confidence or evidence change(s) not counted; --strict-fields counts them)"));
        assert!(!tally.failed());

        let tally = comparison.tally(true);
        assert_eq!(tally.changed, 1);
        assert!(tally.failed());
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

    const HOUR: i64 = 3600 * SECOND;

    /// Three drops of three users, for the time offset cases.
    fn three_drops() -> Vec<DropRow> {
        vec![
            row("D0001", T0, "alice", 1, "last_mile"),
            row("D0002", T0 + 60 * SECOND, "bob", 2, "t3_serve"),
            row("D0003", T0 + 60 * SECOND, "carol", 3, "t3_serve"),
        ]
    }

    fn moved(rows: &[DropRow], offset: i64) -> Vec<DropRow> {
        let mut rows = rows.to_vec();
        for row in &mut rows {
            row.time += offset;
        }
        rows
    }

    #[test]
    fn common_offset_cases() {
        let expected = three_drops();
        let later = moved(&expected, HOUR);

        let mut one_jittered = later.clone();
        one_jittered[1].time += SECOND / 2;
        let mut one_apart = later.clone();
        one_apart[1].time += 10 * SECOND;
        let mut other_segment = later.clone();
        other_segment[2].segment = "devvm".to_string();
        let mut other_duration = later.clone();
        other_duration[0].dur_ms = Some(5_000);
        let mut one_in_place = later.clone();
        one_in_place[0].time = T0;

        let cases = [
            ("all one hour later", later.clone(), Some(HOUR)),
            (
                "all two hours earlier",
                moved(&expected, -2 * HOUR),
                Some(-2 * HOUR),
            ),
            (
                "with a fraction",
                moved(&expected, HOUR + 250_000),
                Some(HOUR + 250_000),
            ),
            ("one row half a second off", one_jittered, Some(HOUR)),
            ("one row ten seconds off", one_apart, None),
            ("one segment changed too", other_segment, None),
            ("one duration changed too", other_duration, None),
            ("one row paired in place", one_in_place, Some(HOUR)),
            ("one row fewer", later[..2].to_vec(), None),
            ("nothing moved", expected.clone(), None),
        ];
        for (name, actual, wanted) in cases {
            assert_eq!(compare(&expected, &actual).common_offset, wanted, "{name}");
        }
    }

    #[test]
    fn common_offset_needs_two_pairs() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = moved(&expected, HOUR);
        assert_eq!(compare(&expected, &actual).common_offset, None);
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

    #[test]
    fn evidence_matches_cases() {
        let cases: [(&str, &[&str], &[&str], bool); 20] = [
            (
                "equal",
                &["a.log:5", "b.log:7"],
                &["a.log:5", "b.log:7"],
                true,
            ),
            ("both empty", &[], &[], true),
            ("other directory", &["a.log:5"], &["comp/a.log:5"], true),
            ("absolute path", &["/srv/logs/a.log:5"], &["a.log:5"], true),
            ("gzip copy", &["a.log:5"], &["comp/a.log.gz:5"], true),
            ("zstd copy", &["a.log.zst:5"], &["a.log:5"], true),
            ("gzip against zstd", &["a.log.gz:5"], &["a.log.zst:5"], true),
            ("Windows path", &[r"C:\logs\a.log:5"], &["a.log:5"], true),
            ("other line", &["a.log:5"], &["a.log:6"], false),
            ("other base name", &["a.log:5"], &["comp/b.log:5"], false),
            ("other suffix kept", &["a.log.bz2:5"], &["a.log:5"], false),
            (
                "one entry more",
                &["a.log:5"],
                &["a.log:5", "a.log:6"],
                false,
            ),
            (
                "reordered",
                &["a.log:5", "b.log:7"],
                &["b.log:7", "a.log:5"],
                false,
            ),
            ("stdin as expected", &["<stdin>:5"], &["a.log:5"], true),
            (
                "stdin as actual",
                &["comp/a.log.gz:5"],
                &["<stdin>:5"],
                true,
            ),
            ("stdin on both sides", &["<stdin>:5"], &["<stdin>:5"], true),
            ("stdin at another line", &["a.log:5"], &["<stdin>:6"], false),
            (
                "stdin as one file throughout",
                &["a.log:5", "b.log:7", "a.log:9"],
                &["<stdin>:5", "b.log:7", "<stdin>:9"],
                true,
            ),
            (
                "stdin as two files",
                &["a.log:5", "b.log:7"],
                &["<stdin>:5", "<stdin>:7"],
                false,
            ),
            ("no line number", &["a.log"], &["comp/a.log.gz"], true),
        ];
        for (name, expected, actual, matches) in cases {
            let expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
            let actual: Vec<String> = actual.iter().map(|e| e.to_string()).collect();
            assert_eq!(evidence_matches(&expected, &actual), matches, "{name}");
            assert_eq!(
                evidence_matches(&actual, &expected),
                matches,
                "{name}, sides swapped"
            );
        }
    }

    #[test]
    fn evidence_of_copied_inputs_is_unchanged() {
        let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let mut actual = expected.clone();
        actual[0].evidence = vec!["comp/devvm-journal.log.gz:639".to_string()];
        let comparison = compare(&expected, &actual);
        assert!(comparison.differences.is_empty(), "{comparison:?}");
        assert!(!comparison.tally(true).failed());

        actual[0].evidence = vec!["comp/devvm-journal.log.gz:640".to_string()];
        let (lines, tally) = lines(&compare(&expected, &actual), true);
        assert_eq!(
            lines[0],
            "changed evidence: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: \
             \"devvm-journal.log:639\" -> \"comp/devvm-journal.log.gz:640\""
        );
        assert!(tally.failed());
    }

    const CSV: &str = "\
drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,traefik_status,traefik_dur_ms,sources
D0003,2026-06-10T19:20:02.000Z,bob,203.0.113.22,5,graceful,2000,,t3_serve,high,bob's t3 serve was OOM-killed,devvm-journal.log:639,0,542148,journal;traefik
";

    #[test]
    fn csv_expected_file_parses() {
        let rows = parse_expected("drops.csv", CSV).unwrap();
        assert_eq!(rows, [row("D0003", T0, "bob", 5, "t3_serve")]);
    }

    #[test]
    fn unknown_segment_is_rejected() {
        let csv = CSV.replace(",t3_serve,", ",t3_srve,");
        let error = parse_expected("drops.csv", &csv).unwrap_err().to_string();
        assert!(
            error.contains("line 2: unknown segment `t3_srve`"),
            "{error}"
        );

        let json = r#"{"time":"2026-06-10T19:20:02Z","user":"bob","segment":"bogus"}"#;
        let error = parse_expected("drops.jsonl", json).unwrap_err().to_string();
        assert!(error.contains("unknown segment `bogus`"), "{error}");
    }

    #[test]
    fn expect_from_stdin_is_rejected() {
        let error = read_expected_text(Path::new("-")).unwrap_err().to_string();
        assert!(error.contains("does not read stdin"), "{error}");
    }

    #[test]
    fn csv_with_appended_and_reordered_columns_parses() {
        let text = "segment,dur_ms,client_ip,user,time,later_column\n\
                    t3_serve,5,203.0.113.22,bob,2026-06-10T19:20:02Z,x\n";
        let rows = parse_expected("drops.csv", text).unwrap();
        assert_eq!(rows[0].segment, "t3_serve");
        assert_eq!(rows[0].time, T0);
        assert!(rows[0].evidence.is_empty());
    }

    #[test]
    fn neutralised_cells_read_as_written_raw() {
        let cases = [
            ("'=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
            ("'+1", "+1"),
            ("'-1", "-1"),
            ("'@SUM(1)", "@SUM(1)"),
            ("'\tx", "\tx"),
            ("'\rx", "\rx"),
            // A quote before anything else belongs to the text.
            ("'bob", "'bob"),
            ("''=x", "''=x"),
            ("=x", "=x"),
            ("'", "'"),
        ];
        for (cell, raw) in cases {
            assert_eq!(unneutralize(cell), raw, "cell {cell:?}");
        }
    }

    #[test]
    fn unneutralize_reverses_neutralize() {
        // A raw text that already starts with `'=` reads back without its quote: the CSV
        // carries no mark of whether a cell was neutralised.
        for text in ["=1", "+1", "-1", "@x", "\tx", "\rx", "'", "'bob", "bob", ""] {
            assert_eq!(
                unneutralize(&output::neutralize(text, false)),
                text,
                "{text:?}"
            );
        }
    }

    #[test]
    fn neutralised_csv_matches_raw_csv() {
        let raw = CSV
            .replace(",bob's t3 serve was OOM-killed,", ",-bob's t3 serve,")
            .replace(",bob,", ",=bob,");
        let neutralised = raw
            .replace(",-bob's", ",'-bob's")
            .replace(",=bob,", ",'=bob,");
        let from_raw = parse_expected("raw.csv", &raw).unwrap();
        let from_neutralised = parse_expected("neutralised.csv", &neutralised).unwrap();
        assert_eq!(from_raw, from_neutralised);
        assert_eq!(from_raw[0].user, "=bob");
        assert_eq!(from_raw[0].reason, "-bob's t3 serve");
    }

    #[test]
    fn json_document_parses() {
        let text = r#"{
          "drops": [{
            "drop_id": "D0003", "time": "2026-06-10T19:20:02.000Z", "user": "bob",
            "client_ip": "203.0.113.22", "dur_ms": 5, "segment": "t3_serve",
            "confidence": "high", "reason": "bob's t3 serve was OOM-killed",
            "evidence": [{"file": "devvm-journal.log", "line": 639, "source": "journal", "text": "x"}]
          }],
          "meta": {"inputs": []}
        }"#;
        let rows = parse_expected("drops.json", text).unwrap();
        assert_eq!(rows, [row("D0003", T0, "bob", 5, "t3_serve")]);
    }

    #[test]
    fn json_lines_parse_with_nulls() {
        let text = concat!(
            r#"{"drop_id":"D0001","time":"2026-06-10T19:20:02.000Z","user":null,"client_ip":null,"dur_ms":null,"segment":"unknown","evidence":[]}"#,
            "\n",
            r#"{"drop_id":"D0002","time":"2026-06-10T19:20:03.000Z","user":"bob","client_ip":"203.0.113.22","dur_ms":5,"segment":"devvm"}"#,
            "\n",
        );
        let rows = parse_expected("drops.jsonl", text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, "");
        assert_eq!(rows[0].dur_ms, None);
        assert_eq!(rows[1].time, T0 + SECOND);
    }

    #[test]
    fn json_and_csv_of_one_drop_compare_equal() {
        let from_csv = parse_expected("drops.csv", CSV).unwrap();
        let jsonl = r#"{"drop_id":"D0003","time":"2026-06-10T19:20:02.000Z","user":"bob","client_ip":"203.0.113.22","dur_ms":5,"segment":"t3_serve","confidence":"high","reason":"bob's t3 serve was OOM-killed","evidence":[{"file":"devvm-journal.log","line":639}]}"#;
        let from_json = parse_expected("drops.jsonl", jsonl).unwrap();
        assert!(compare(&from_csv, &from_json).differences.is_empty());
    }

    #[test]
    fn empty_file_is_no_drops() {
        assert_eq!(parse_expected("drops.jsonl", "").unwrap(), []);
        assert_eq!(parse_expected("drops.jsonl", "\n  \n").unwrap(), []);
    }

    #[test]
    fn header_only_csv_is_no_drops() {
        let header = format!("{}\n", DROP_COLUMNS.join(","));
        assert_eq!(parse_expected("drops.csv", &header).unwrap(), []);
    }

    #[test]
    fn invalid_expected_files_name_the_problem() {
        let cases = [
            (
                "time,user\n2026-06-10T19:20:02Z,bob\n",
                "no `client_ip` column",
            ),
            ("burst_id,time,end,size\nB001,x,y,5\n", "no `user` column"),
            (
                &CSV.replace("2026-06-10T19:20:02.000Z", "yesterday"),
                "line 2: invalid time `yesterday`",
            ),
            (
                &CSV.replace(",5,graceful", ",five,graceful"),
                "line 2: invalid dur_ms `five`",
            ),
            ("{\"drops\": 3}", "`drops` is not an array"),
            ("{\"drops\": [", "invalid JSON"),
            (
                "{\"time\": \"2026-06-10T19:20:02Z\"}",
                "drop 1: missing `segment`",
            ),
            ("[{\"segment\": \"devvm\"}]", "drop 1: missing `time`"),
            ("[1]", "drop 1: expected an object"),
        ];
        for (text, wanted) in cases {
            let error = parse_expected("x", text).unwrap_err().to_string();
            assert!(error.contains(wanted), "{text:?}: {error}");
            assert!(error.starts_with("x: "), "{error}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse_expected("x", &text);
        }

        #[test]
        fn mutated_files_never_panic(
            at in 0usize..400,
            cut in 0usize..40,
            insert in "[,\"'\\n{}\\[\\]:0-9a-z=-]{0,8}",
            json in proptest::bool::ANY,
        ) {
            let valid = if json {
                r#"{"drops":[{"drop_id":"D0001","time":"2026-06-10T19:20:02.000Z","user":"bob","client_ip":"203.0.113.22","dur_ms":5,"segment":"t3_serve","evidence":[{"file":"a.log","line":3}]}],"meta":{}}"#
            } else {
                CSV
            };
            let mut text = valid.to_string();
            // Both texts are ASCII, so every index is a character boundary.
            let start = at.min(text.len());
            let end = (start + cut).min(text.len());
            text.replace_range(start..end, &insert);
            let _ = parse_expected("x", &text);
        }
    }
}
