//! CSV downloaded from a Grafana panel (Inspect → Data → Download CSV).
//!
//! Checked against `toCSV` in Grafana 10 and 11 (`packages/grafana-data`). Every field is a
//! column and the header row contains each field's display name in double quotes, a quote inside
//! doubled; rows end in CRLF. For a Prometheus panel the display name of a series is
//! `name{label="value", ...}`. Supported forms:
//!
//! - **Series joined by time**: one `"Time"` column, then one column per series; a series
//!   without a sample at a row's time has an empty cell.
//! - **One data frame** (a single series selected): the same with one value column.
//! - Several frames one after another, each block starting with its own `"Time",...` header.
//! - An optional `sep=;` first line ("Download for Excel") and `;` as the delimiter (Grafana
//!   uses the browser locale's list separator).
//! - **Series as rows**, the other layout of the graph panel's "Export CSV" in Grafana 6 and
//!   older (`exportSeriesListToCsv`): a `"Series","Time","Value"` header, then one row per
//!   sample. Grafana 6 writes `,` and CRLF; older releases write `;`. Its "series as columns"
//!   layout is the joined form above.
//!
//! The time cell is epoch milliseconds ("Formatted data" off) or a date and time such as
//! `2026-06-10 19:50:20` ("Formatted data" on, read in `--tz`, which should be the dashboard's
//! zone; Grafana 6 writes `2026-06-10T19:50:20+02:00`, which carries its offset). Values are
//! plain numbers, `NaN`, `+Inf` or `-Inf`; Grafana 6 writes a missing sample as `null`.
//!
//! NOTE: a column whose legend was customised (`{{leg}}`) has no metric name and is ignored,
//! and a value formatted with a unit (`1.5 s`, `25%`) cannot be read; download with "Formatted
//! data" off and the default legend.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead};

use super::envelope::{RecordReader, epoch_digits};
use super::metrics::{self, MetricOptions, Series};
use super::prometheus::parse_value;
use crate::parse::{LineClass, ParseOptions, Sink};
use crate::time::{self, Zone};

/// Tells whether the first bytes of an input are a Grafana CSV download: a header row whose
/// first cell is `Time`, optionally after a `sep=` line, with a second column.
pub fn is_csv_head(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let mut lines = head.split(|&b| b == b'\n');
    let mut first = lines.next().unwrap_or_default();
    if first.starts_with(b"sep=") {
        first = lines.next().unwrap_or_default();
    }
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    let Some(delimiter) = delimiter_of(first) else {
        return false;
    };
    let mut cells = first.split(|&b| b == delimiter);
    let cell = cells.next().unwrap_or_default();
    is_time_header(cell)
        || (header_cell_is(cell, b"series") && cells.next().is_some_and(is_time_header))
}

/// Tells whether a header cell, quoted or not, is `name` in any case.
fn header_cell_is(cell: &[u8], name: &[u8]) -> bool {
    let cell = cell.trim_ascii();
    let cell = cell
        .strip_prefix(b"\"")
        .and_then(|c| c.strip_suffix(b"\""))
        .unwrap_or(cell);
    cell.eq_ignore_ascii_case(name)
}

fn is_time_header(cell: &[u8]) -> bool {
    header_cell_is(cell, b"time")
}

/// Tells whether a value cell has no sample: empty, or Grafana 6's `null`.
fn is_missing(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty() || cell.eq_ignore_ascii_case("null")
}

/// Returns the delimiter of a header row: the byte right after its first cell, `,` or `;`.
fn delimiter_of(header: &[u8]) -> Option<u8> {
    let after_first = if header.first() == Some(&b'"') {
        let close = memchr::memchr(b'"', header.get(1..)?)? + 1;
        header.get(close + 1).copied()
    } else {
        header.iter().copied().find(|b| matches!(b, b',' | b';'))
    };
    after_first.filter(|b| matches!(b, b',' | b';'))
}

/// Reads a display name `name{a="1", b="2"}` into a metric name and labels. Returns `None` when
/// the name is not a metric name (a customised legend).
pub fn parse_display_name(text: &str) -> Option<(String, BTreeMap<String, String>)> {
    let text = text.trim();
    let (name, rest) = match text.find('{') {
        Some(open) => (&text[..open], Some(&text[open + 1..])),
        None => (text, None),
    };
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
        && !name.as_bytes()[0].is_ascii_digit();
    if !valid_name {
        return None;
    }
    let mut labels = BTreeMap::new();
    let Some(mut rest) = rest.and_then(|r| r.strip_suffix('}')) else {
        return (text.len() == name.len()).then(|| (name.to_string(), labels));
    };
    // Label values are written as they are, unescaped, so a value ends at the quote that is
    // followed by `, ` or the end.
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if rest.is_empty() {
            break;
        }
        let eq = rest.find("=\"")?;
        let key = rest[..eq].trim();
        let value_start = &rest[eq + 2..];
        let end = value_start.match_indices('"').map(|(i, _)| i).find(|&i| {
            let after = &value_start[i + 1..];
            after.is_empty() || after.starts_with(',')
        })?;
        labels.insert(key.to_string(), value_start[..end].to_string());
        rest = &value_start[end + 1..];
    }
    Some((name.to_string(), labels))
}

/// Adds the series a column or row names, first read at `line`, and returns its index in
/// `out`. Returns `None` when the display name is not `metric{labels}` (a customised legend).
fn new_series(out: &mut Vec<Series>, display_name: &[u8], line: u64) -> Option<usize> {
    let (name, labels) = parse_display_name(&String::from_utf8_lossy(display_name))?;
    out.push(Series {
        name,
        labels,
        samples: Vec::new(),
        line,
        rows: BTreeMap::new(),
    });
    Some(out.len() - 1)
}

/// Reads a time cell: epoch digits, or a date and time in `zone`.
fn parse_time_cell(cell: &str, zone: Zone) -> Option<i64> {
    let cell = cell.trim();
    if let Some((micros, _)) = epoch_digits(cell.as_bytes()) {
        return Some(micros);
    }
    let parsed = time::parse_iso(cell.as_bytes(), zone)?;
    (parsed.len == cell.len()).then_some(parsed.micros)
}

/// Reads Grafana panel CSV downloads.
pub struct GrafanaCsvReader {
    options: MetricOptions,
    zone: Zone,
    notes: Vec<String>,
}

impl GrafanaCsvReader {
    pub fn new(options: &ParseOptions) -> GrafanaCsvReader {
        GrafanaCsvReader {
            options: options.metrics,
            zone: options.zone,
            notes: Vec::new(),
        }
    }

    fn series(&mut self, bytes: &[u8], account: &mut dyn FnMut(u64, LineClass)) -> Vec<Series> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let (skip, body) = match bytes.strip_prefix(b"sep=") {
            Some(rest) => match memchr::memchr(b'\n', rest) {
                Some(end) => (1u64, &rest[end + 1..]),
                None => (1, &rest[rest.len()..]),
            },
            None => (0, bytes),
        };
        let header_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter =
            delimiter_of(header_line.strip_suffix(b"\r").unwrap_or(header_line)).unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(body);

        let mut out: Vec<Series> = Vec::new();
        // The series of each column of the current block (None for the time column and for
        // columns that are not metrics).
        let mut columns: Vec<Option<usize>> = Vec::new();
        // In a series-as-rows block, the series of each display name met so far.
        let mut rows_layout: Option<HashMap<Vec<u8>, Option<usize>>> = None;
        let mut ignored_columns = 0usize;
        let mut ignored_names = 0usize;
        let mut record = csv::ByteRecord::new();
        // Lines are counted from byte offsets: the reader's own line count lags behind on CRLF
        // rows.
        let mut counted = (0usize, 1 + skip);
        let mut line_of = |offset: u64| {
            let mut offset = (offset as usize).min(body.len());
            // A record can start at the `\n` of the previous one's CRLF.
            while body.get(offset).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                offset += 1;
            }
            if offset >= counted.0 {
                counted.1 += memchr::memchr_iter(b'\n', &body[counted.0..offset]).count() as u64;
                counted.0 = offset;
            }
            counted.1
        };
        loop {
            let start = reader.position().byte();
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    let line = line_of(start);
                    account(line, LineClass::Malformed("unreadable CSV row"));
                    self.notes.push(format!("line {line}: {error}"));
                    continue;
                }
            }
            let line = line_of(record.position().map_or(start, csv::Position::byte));
            let Some(first) = record.get(0) else {
                continue;
            };
            if header_cell_is(first, b"series") && record.get(1).is_some_and(is_time_header) {
                rows_layout = Some(HashMap::new());
                account(line, LineClass::Ignored);
                continue;
            }
            if let Some(names) = &mut rows_layout
                && !is_time_header(first)
            {
                let class = self.series_row(&record, line, names, &mut out, &mut ignored_names);
                account(line, class);
                continue;
            }
            if is_time_header(first) {
                rows_layout = None;
                columns = record
                    .iter()
                    .skip(1)
                    .map(|cell| {
                        let index = new_series(&mut out, cell, line);
                        if index.is_none() {
                            ignored_columns += 1;
                        }
                        index
                    })
                    .collect();
                account(line, LineClass::Ignored);
                continue;
            }
            if record.iter().all(|c| c.trim_ascii().is_empty()) {
                account(line, LineClass::Ignored);
                continue;
            }
            let time = std::str::from_utf8(first)
                .ok()
                .and_then(|cell| parse_time_cell(cell, self.zone));
            let Some(time) = time else {
                account(line, LineClass::Malformed("row without a readable time"));
                continue;
            };
            let mut read_any = false;
            let mut unreadable = false;
            for (cell, column) in record.iter().skip(1).zip(&columns) {
                let Some(index) = column else { continue };
                let cell = String::from_utf8_lossy(cell);
                if is_missing(&cell) {
                    continue;
                }
                match parse_value(&cell) {
                    Some(value) => {
                        out[*index].samples.push((time, value));
                        out[*index].rows.insert(time, line);
                        read_any = true;
                    }
                    None => unreadable = true,
                }
            }
            let class = if unreadable && !read_any {
                LineClass::Malformed("no value in the row is a plain number")
            } else if columns.iter().all(Option::is_none) {
                LineClass::Ignored
            } else {
                LineClass::Used
            };
            account(line, class);
        }
        if ignored_columns > 0 {
            self.notes.push(format!(
                "{ignored_columns} column(s) are not named `metric{{labels}}` and were ignored; \
                 download with the default legend"
            ));
        }
        if ignored_names > 0 {
            self.notes.push(format!(
                "{ignored_names} series are not named `metric{{labels}}` and were ignored; \
                 export with the default legend"
            ));
        }
        out
    }

    /// Reads one `series,time,value` row of the series-as-rows layout into `out`, adding the
    /// series the first time its display name appears.
    fn series_row(
        &self,
        record: &csv::ByteRecord,
        line: u64,
        names: &mut HashMap<Vec<u8>, Option<usize>>,
        out: &mut Vec<Series>,
        ignored_names: &mut usize,
    ) -> LineClass {
        if record.iter().all(|c| c.trim_ascii().is_empty()) {
            return LineClass::Ignored;
        }
        let (Some(name), Some(time), Some(value)) = (record.get(0), record.get(1), record.get(2))
        else {
            return LineClass::Malformed("series row without series, time and value cells");
        };
        let Some(time) = std::str::from_utf8(time)
            .ok()
            .and_then(|cell| parse_time_cell(cell, self.zone))
        else {
            return LineClass::Malformed("row without a readable time");
        };
        let index = *names.entry(name.to_vec()).or_insert_with(|| {
            let index = new_series(out, name, line);
            if index.is_none() {
                *ignored_names += 1;
            }
            index
        });
        let Some(index) = index else {
            return LineClass::Ignored;
        };
        let value = String::from_utf8_lossy(value);
        if is_missing(&value) {
            return LineClass::Ignored;
        }
        match parse_value(&value) {
            Some(value) => {
                out[index].samples.push((time, value));
                out[index].rows.insert(time, line);
                LineClass::Used
            }
            None => LineClass::Malformed("the value is not a plain number"),
        }
    }
}

impl RecordReader for GrafanaCsvReader {
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> io::Result<u64> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let series = self.series(&bytes, account);
        // Rows were accounted for above; a series whose metric is unknown or malformed only
        // adds a note.
        let classes = metrics::emit(&series, &self.options, sink);
        for (one, class) in series.iter().zip(classes) {
            if let LineClass::Malformed(reason) = class {
                self.notes
                    .push(format!("line {}: {}: {reason}", one.line, one.selector()));
            }
        }
        Ok(bytes.len() as u64)
    }

    fn notes(&self, name: &str) -> Vec<String> {
        self.notes.iter().map(|n| format!("{name}: {n}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::time::SECOND;

    fn read(text: &str) -> (Sink, Vec<(u64, LineClass)>, Vec<String>) {
        let mut reader = GrafanaCsvReader::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let mut classes = Vec::new();
        reader
            .read_records(&mut text.as_bytes(), &mut sink, &mut |line, class| {
                classes.push((line, class))
            })
            .unwrap();
        (sink, classes, reader.notes("panel.csv"))
    }

    const JOINED: &str = "\"Time\",\"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"cloudflare\"\"}\",\"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"internal\"\"}\"\r\n\
        1781121005000,1,1\r\n\
        1781121020000,0,1\r\n\
        1781121035000,1,\r\n";

    #[test]
    fn series_joined_by_time() {
        assert!(is_csv_head(JOINED.as_bytes()));
        let (sink, classes, notes) = read(JOINED);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            classes,
            vec![
                (1, LineClass::Ignored),
                (2, LineClass::Used),
                (3, LineClass::Used),
                (4, LineClass::Used)
            ]
        );
        assert_eq!(sink.events.len(), 2);
        assert!(
            matches!(&sink.events[0].kind, EventKind::ProbeLegDown { leg, .. } if &**leg == "cloudflare")
        );
        assert_eq!(
            sink.events[0].origin.line(),
            3,
            "the row of the sample at 0"
        );
        assert_eq!(sink.events[1].origin.line(), 4);
        assert_eq!(sink.events[0].time, 1_781_121_020 * SECOND);
    }

    #[test]
    fn formatted_times_excel_separator_and_semicolons() {
        let text = "sep=;\r\n\"Time\";\"node_pressure_io_stalled_seconds_total{instance=\"\"devvm:9100\"\", job=\"\"node\"\"}\"\r\n\
            2026-06-10 19:27:00;100\r\n\
            2026-06-10 19:27:15;109\r\n\
            2026-06-10 19:27:30;109\r\n";
        assert!(is_csv_head(text.as_bytes()));
        let (sink, classes, _) = read(text);
        assert_eq!(classes[0], (2, LineClass::Ignored));
        assert_eq!(sink.events.len(), 1);
        assert!(matches!(
            sink.events[0].kind,
            EventKind::PressureEpisode { .. }
        ));
        assert_eq!(sink.events[0].origin.line(), 4);
    }

    #[test]
    fn grafana_6_series_as_rows() {
        // Grafana 6's "Export CSV" with "Series as rows": `,`, CRLF, quoted names and times
        // with their offset, `null` for a missing sample.
        let grafana_6 = "\"Series\",\"Time\",\"Value\"\r\n\
            \"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"cloudflare\"\"}\",\"2026-06-10T21:50:05+02:00\",1\r\n\
            \"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"cloudflare\"\"}\",\"2026-06-10T21:50:20+02:00\",0\r\n\
            \"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"cloudflare\"\"}\",\"2026-06-10T21:50:35+02:00\",null\r\n\
            \"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"internal\"\"}\",\"2026-06-10T21:50:05+02:00\",1\r\n\
            \"t3probe_connected{instance=\"\"probe:9100\"\", leg=\"\"internal\"\"}\",\"2026-06-10T21:50:20+02:00\",1\r\n";
        // Older releases: `;`, no quotes, an Excel `sep=` line.
        let grafana_5 = "sep=;\nSeries;Time;Value\n\
            t3probe_connected{leg=\"cloudflare\"};1781121005000;1\n\
            t3probe_connected{leg=\"cloudflare\"};1781121020000;0\n\
            t3probe_connected{leg=\"internal\"};1781121005000;1\n";
        for (name, text, first_data_line) in
            [("grafana 6", grafana_6, 2), ("grafana 5", grafana_5, 3)]
        {
            assert!(is_csv_head(text.as_bytes()), "{name}");
            let (sink, classes, notes) = read(text);
            assert!(notes.is_empty(), "{name}: {notes:?}");
            assert_eq!(classes[0].1, LineClass::Ignored, "{name}: the header");
            assert_eq!(classes[1], (first_data_line, LineClass::Used), "{name}");
            assert_eq!(sink.events.len(), 1, "{name}: {:?}", sink.events);
            assert!(
                matches!(&sink.events[0].kind, EventKind::ProbeLegDown { leg, .. } if &**leg == "cloudflare"),
                "{name}"
            );
            assert_eq!(sink.events[0].time, 1_781_121_020 * SECOND, "{name}");
            assert_eq!(sink.events[0].origin.line(), first_data_line + 1, "{name}");
        }
    }

    #[test]
    fn series_rows_with_bad_cells() {
        let text = "Series,Time,Value\n\
            t3probe_connected{leg=\"internal\"},1781121005000,1 s\n\
            t3probe_connected{leg=\"internal\"},yesterday,1\n\
            Value #A,1781121005000,1\n\
            t3probe_connected{leg=\"internal\"}\n";
        let (_, classes, notes) = read(text);
        assert_eq!(
            classes,
            vec![
                (1, LineClass::Ignored),
                (2, LineClass::Malformed("the value is not a plain number")),
                (3, LineClass::Malformed("row without a readable time")),
                (4, LineClass::Ignored),
                (
                    5,
                    LineClass::Malformed("series row without series, time and value cells")
                ),
            ]
        );
        assert!(
            notes.iter().any(|n| n.contains("1 series are not named")),
            "{notes:?}"
        );
    }

    #[test]
    fn one_frame_blocks_one_after_another() {
        let text = "\"Time\",\"t3probe_connected{leg=\"\"t3serve\"\"}\"\r\n1781121005000,1\r\n1781121020000,0\r\n\
                    \"Time\",\"t3probe_connected{leg=\"\"internal\"\"}\"\r\n1781121005000,0\r\n1781121020000,1\r\n";
        let (sink, _, _) = read(text);
        let mut legs: Vec<String> = sink
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::ProbeLegDown { leg, .. } => Some(leg.to_string()),
                _ => None,
            })
            .collect();
        legs.sort();
        assert_eq!(legs, vec!["internal", "t3serve"]);
    }

    #[test]
    fn custom_legend_and_unit_values() {
        let text = "Time,cloudflare leg,t3probe_connected{leg=\"\"internal\"\"}\r\n1781121005000,1,1 s\r\n";
        let text = text.replace("\"\"", "\"");
        let (_, classes, notes) = read(&text);
        assert_eq!(
            classes[1],
            (
                2,
                LineClass::Malformed("no value in the row is a plain number")
            )
        );
        assert!(notes.iter().any(|n| n.contains("1 column(s)")), "{notes:?}");
    }

    #[test]
    fn display_names() {
        let (name, labels) = parse_display_name(
            "t3probe_disconnects_total{leg=\"cloudflare\", reason=\"closed_1006\"}",
        )
        .unwrap();
        assert_eq!(name, "t3probe_disconnects_total");
        assert_eq!(labels["reason"], "closed_1006");
        let (_, labels) = parse_display_name("x{path=\"a, b\", z=\"q\"}").unwrap();
        assert_eq!(labels["path"], "a, b");
        assert_eq!(
            parse_display_name("node_memory_SwapFree_bytes")
                .unwrap()
                .1
                .len(),
            0
        );
        assert_eq!(parse_display_name("Value #A"), None);
        assert_eq!(parse_display_name("{{leg}}"), None);
    }

    #[test]
    fn heads_of_other_formats_are_not_csv() {
        assert!(!is_csv_head(b"2026-06-10T19:30:12Z INF x\n"));
        assert!(!is_csv_head(b"Time\n"));
        assert!(!is_csv_head(b"Timeline,x\n"));
        assert!(is_csv_head(b"time,value\n"));
        assert!(is_csv_head(b"\"Series\",\"Time\",\"Value\"\r\n"));
        assert!(is_csv_head(b"sep=;\nSeries;Time;Value\n"));
        assert!(!is_csv_head(b"Series,Value\n"));
        assert!(!is_csv_head(b"Series\n"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let mut reader = GrafanaCsvReader::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let _ = is_csv_head(&bytes);
            let _ = reader.read_records(&mut bytes.as_slice(), &mut sink, &mut |_, _| {});
        }

        #[test]
        fn mutated_csv_never_panics(at in 0usize..400, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = JOINED.as_bytes().to_vec();
            let at = at.min(bytes.len() - 1);
            bytes[at] = byte;
            let mut reader = GrafanaCsvReader::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let _ = reader.read_records(&mut bytes.as_slice(), &mut sink, &mut |_, _| {});
        }

        #[test]
        fn display_names_never_panic(text in ".{0,80}") {
            let _ = parse_display_name(&text);
        }
    }
}
