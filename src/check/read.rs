//! Reading a saved `drops` output (CSV, JSON or JSON Lines) back into [`DropRow`]s.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use serde_json::Value;

use super::{DropRow, Field};
use crate::correlate::Segment;
use crate::error::{Error, Result};
use crate::output::DROP_COLUMNS;
use crate::time;

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
    io::Read::read_to_end(&mut crate::input::open(&spec)?, &mut bytes).map_err(|e| {
        if let Some(trailing) = crate::input::trailing_data(&e) {
            let format = trailing.format;
            invalid(
                &name,
                format!("{e}; recompress it without them: {format} -dc FILE | {format} > FILE2"),
            )
        } else if matches!(
            e.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
        ) {
            // A gzip or zstd stream that ends early or is corrupt.
            cut(&name, format!("read failed: {e}"))
        } else {
            Error::Read {
                name: name.clone(),
                line: 0,
                source: e,
            }
        }
    })?;
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

/// Returns the error for an expected file that was cut after it was written, for which the
/// fix is a whole copy rather than another file.
fn cut(name: &str, reason: String) -> Error {
    Error::ExpectedCut {
        name: name.to_string(),
        reason,
    }
}

/// Tells whether the CSV record that starts at byte `start` is the text's last and has no line
/// end. `drops` ends every row, so such a record was cut.
fn is_cut_last_record(text: &str, start: u64) -> bool {
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    !text.ends_with('\n') && text.get(start..).is_some_and(|rest| !rest.contains('\n'))
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

/// The columns an expected file must have: rows pair on the first three, and the last two are
/// the verdict. Any other column may be missing, and is then not compared.
const REQUIRED_COLUMNS: [&str; 5] = ["time", "user", "client_ip", "segment", "confidence"];

fn parse_csv(name: &str, text: &str) -> Result<Vec<DropRow>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| invalid(name, format!("unreadable CSV header: {e}")))?
        .clone();
    let column = |column_name: &str| header.iter().position(|h| h == column_name);
    // Columns are only ever appended to the drops header, so they are found by name.
    let required = REQUIRED_COLUMNS;
    let mut at = HashMap::new();
    for column_name in DROP_COLUMNS {
        if let Some(i) = column(column_name) {
            at.insert(*column_name, i);
        } else if required.contains(column_name) {
            let first: Vec<&str> = header.iter().take(4).collect();
            return Err(invalid(
                name,
                format!(
                    "line 1: the CSV header has no `{column_name}` column (it starts `{}`), which \
                     check needs to pair and compare rows, so this is not a drops output or has \
                     lost columns",
                    first.join(",")
                ),
            ));
        }
    }

    // `drops` writes no `rule` or `kind` column in CSV, so `from_csv` covers those.
    let absent: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|field| !matches!(field, Field::Rule | Field::Kind))
        .filter(|field| !at.contains_key(field.name()))
        .collect();

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let reason = format!("line {line}: invalid CSV: {e}");
            match e.position() {
                Some(position) if is_cut_last_record(text, position.byte()) => cut(name, reason),
                _ => invalid(name, reason),
            }
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |column: &str| {
            at.get(column)
                .and_then(|&i| record.get(i))
                .map_or("", unneutralize)
        };
        let at_line = |reason: String| invalid(name, format!("line {line}: {reason}"));
        let evidence = cell("evidence");
        let sources = cell("sources");
        rows.push(DropRow {
            drop_id: cell("drop_id").to_string(),
            time: parse_time(cell("time")).map_err(at_line)?,
            user: cell("user").to_string(),
            client_ip: cell("client_ip").to_string(),
            dur_ms: parse_dur(cell("dur_ms")).map_err(at_line)?,
            segment: known_segment(cell("segment")).map_err(at_line)?,
            confidence: cell("confidence").to_string(),
            reason: cell("reason").to_string(),
            evidence: split_list(evidence),
            cause: cell("cause").to_string(),
            reconnect_ms: parse_number(cell("reconnect_ms"), "reconnect_ms").map_err(at_line)?,
            burst_id: cell("burst_id").to_string(),
            rule: String::new(),
            kind: String::new(),
            traefik_status: parse_number(cell("traefik_status"), "traefik_status")
                .map_err(at_line)?,
            traefik_dur_ms: parse_number(cell("traefik_dur_ms"), "traefik_dur_ms")
                .map_err(at_line)?,
            sources: split_list(sources),
            incident_id: cell("incident_id").to_string(),
            absent: absent.clone(),
            from_csv: true,
        });
    }
    Ok(rows)
}

fn parse_time(text: &str) -> std::result::Result<i64, String> {
    time::parse_bound(text).ok_or_else(|| {
        format!("invalid time `{text}`; expected RFC 3339, such as 2026-06-10T19:20:02.000Z")
    })
}

/// Splits a `;`-separated CSV cell into its entries; an empty cell has none.
fn split_list(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        Vec::new()
    } else {
        cell.split(';').map(str::to_string).collect()
    }
}

/// Parses an optional whole number of the `column` column; an empty cell is `None`.
fn parse_number<T: std::str::FromStr>(
    text: &str,
    column: &str,
) -> std::result::Result<Option<T>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("invalid {column} `{text}`; expected a whole number"))
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
        .map_err(|e| {
            let reason = format!("line {}: invalid JSON: {e}", e.line());
            // The text ends inside a value: the document or its last JSON Lines row was cut.
            if e.is_eof() {
                cut(name, reason)
            } else {
                invalid(name, reason)
            }
        })?;

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
    // `user` and `client_ip` may be null, but a drops output always writes the key.
    if let Some(key) = REQUIRED_COLUMNS
        .iter()
        .find(|key| !object.contains_key(**key))
    {
        return Err(format!("missing `{key}`"));
    }
    let whole = "a whole number";
    let dur_ms = json_number(object, "dur_ms", whole, serde_json::Number::as_u64)?;
    let reconnect_ms = json_number(object, "reconnect_ms", whole, serde_json::Number::as_i64)?;
    let traefik_status = json_number(object, "traefik_status", "an HTTP status", |n| {
        n.as_u64().and_then(|status| u16::try_from(status).ok())
    })?;
    let traefik_dur_ms = json_number(object, "traefik_dur_ms", whole, serde_json::Number::as_u64)?;
    let sources = match object.get("sources") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("invalid sources entry: {other}")),
            })
            .collect::<std::result::Result<_, _>>()?,
        Some(other) => return Err(format!("`sources` is not an array: {other}")),
    };
    let absent = Field::ALL
        .into_iter()
        .filter(|field| !object.contains_key(field.name()))
        .collect();
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
        cause: text("cause")?,
        reconnect_ms,
        burst_id: text("burst_id")?,
        rule: text("rule")?,
        kind: text("kind")?,
        traefik_status,
        traefik_dur_ms,
        sources,
        incident_id: text("incident_id")?,
        absent,
        from_csv: false,
    })
}

/// Reads the optional number `key` of a drop object with `convert`: `None` when the key is
/// missing or null, an error naming the key and `expected` when it is no such number.
fn json_number<T>(
    object: &serde_json::Map<String, Value>,
    key: &str,
    expected: &str,
    convert: impl Fn(&serde_json::Number) -> Option<T>,
) -> std::result::Result<Option<T>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => convert(n)
            .map(Some)
            .ok_or_else(|| format!("invalid {key} `{n}`; expected {expected}")),
        Some(other) => Err(format!("`{key}` is not a number: {other}")),
    }
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
    use crate::check::compare;
    use crate::check::tests::{T0, row};
    use crate::output;
    use crate::time::SECOND;

    const CSV: &str = "\
drop_id,time,user,client_ip,dur_ms,cause,reconnect_ms,burst_id,segment,confidence,reason,evidence,traefik_status,traefik_dur_ms,sources,incident_id
D0003,2026-06-10T19:20:02.000Z,bob,203.0.113.22,5,graceful,2000,,t3_serve,high,bob's t3 serve was OOM-killed,devvm-journal.log:639,0,542148,journal;traefik,I001
";

    /// One drop as `drops --format jsonl` writes it, the same as [`CSV`] plus `rule` and `kind`.
    const JSONL: &str = r#"{"drop_id":"D0003","time":"2026-06-10T19:20:02.000Z","user":"bob","client_ip":"203.0.113.22","dur_ms":5,"cause":"graceful","reconnect_ms":2000,"burst_id":null,"segment":"t3_serve","confidence":"high","reason":"bob's t3 serve was OOM-killed","evidence":[{"file":"devvm-journal.log","line":639}],"traefik_status":0,"traefik_dur_ms":542148,"sources":["journal","traefik"],"incident_id":"I001","rule":"serve_died","kind":"short"}"#;

    /// Returns [`row`] as read from [`CSV`], which has no `rule` or `kind` column.
    fn csv_row() -> DropRow {
        let mut expected = row("D0003", T0, "bob", 5, "t3_serve");
        expected.rule = String::new();
        expected.kind = String::new();
        expected.from_csv = true;
        expected
    }

    #[test]
    fn csv_expected_file_parses() {
        let rows = parse_expected("drops.csv", CSV).unwrap();
        assert_eq!(rows, [csv_row()]);
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
        let text = "segment,dur_ms,client_ip,user,time,confidence,later_column\n\
                    t3_serve,5,203.0.113.22,bob,2026-06-10T19:20:02Z,high,x\n";
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
    fn missing_columns_are_reported_not_compared() {
        // A CSV of the five required columns only, against this run's full row.
        let csv = "time,user,client_ip,segment,confidence\n\
                   2026-06-10T19:20:02.000Z,bob,203.0.113.22,t3_serve,high\n";
        let expected = parse_expected("min.csv", csv).unwrap();
        let mut actual = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let comparison = compare(&expected, &actual);
        assert!(comparison.differences.is_empty(), "{comparison:?}");
        let (lines, tally) = crate::check::tests::lines(&comparison, true);
        assert_eq!(
            lines[0],
            "not compared: drop_id, missing from 1 of 1 expected rows"
        );
        assert_eq!(
            lines[1],
            "not compared: cause, missing from 1 of 1 expected rows"
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.contains(": rule,") || l.contains(": kind,"))
        );
        assert_eq!(lines.len(), 12, "{lines:?}");
        assert!(!tally.failed());

        // A compared column still fails, and the row is named by this run's id.
        actual[0].segment = "devvm".to_string();
        let (lines, _) = crate::check::tests::lines(&compare(&expected, &actual), false);
        assert!(
            lines.contains(
                &"changed segment: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: t3_serve -> devvm"
                    .to_string()
            ),
            "{lines:?}"
        );
    }

    #[test]
    fn missing_required_columns_are_rejected() {
        for column in REQUIRED_COLUMNS {
            let header: Vec<&str> = DROP_COLUMNS
                .iter()
                .copied()
                .filter(|c| *c != column)
                .collect();
            let error = parse_expected("cut.csv", &format!("{}\n", header.join(",")))
                .unwrap_err()
                .to_string();
            assert!(error.starts_with("cut.csv: "), "{error}");
            assert!(error.contains(&format!("no `{column}` column")), "{error}");

            let json = JSONL.replace(&format!("\"{column}\":"), "\"other\":");
            let error = parse_expected("cut.jsonl", &json).unwrap_err().to_string();
            assert!(error.contains(&format!("missing `{column}`")), "{error}");
        }
    }

    #[test]
    fn json_document_parses() {
        let text = format!(r#"{{"drops": [{JSONL}], "meta": {{"inputs": []}}}}"#);
        let rows = parse_expected("drops.json", &text).unwrap();
        assert_eq!(rows, [row("D0003", T0, "bob", 5, "t3_serve")]);
    }

    #[test]
    fn json_lines_parse_with_nulls() {
        let text = concat!(
            r#"{"drop_id":"D0001","time":"2026-06-10T19:20:02.000Z","user":null,"client_ip":null,"dur_ms":null,"segment":"unknown","confidence":"low","evidence":[]}"#,
            "\n",
            r#"{"drop_id":"D0002","time":"2026-06-10T19:20:03.000Z","user":"bob","client_ip":"203.0.113.22","dur_ms":5,"segment":"devvm","confidence":"high"}"#,
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
        let from_json = parse_expected("drops.jsonl", JSONL).unwrap();
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
            ("{\"drops\": [", "looks cut short"),
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

    #[test]
    fn cut_expected_files_are_detected() {
        let jsonl = concat!(
            r#"{"drop_id":"D0001","time":"2026-06-10T19:20:02.000Z","segment":"devvm"}"#,
            "\n",
            r#"{"drop_id":"D0002","time":"2026-06-10T19:20:03.000Z","segment":"devvm"}"#,
            "\n",
        );
        let document = r#"{"drops":[{"drop_id":"D0001","time":"2026-06-10T19:20:02.000Z","segment":"devvm"}],"meta":{}}"#;
        // (file, its length kept)
        let cut_files = [
            (CSV, CSV.len() - 20),
            (jsonl, jsonl.len() - 30),
            (document, document.len() - 5),
            (document, 40),
        ];
        for (text, kept) in cut_files {
            let error = parse_expected("x", &text[..kept]).unwrap_err();
            assert!(
                matches!(error, Error::ExpectedCut { .. }),
                "{:?}: {error}",
                &text[..kept]
            );
            assert!(error.to_string().contains("looks cut short"), "{error}");
        }

        // A short row inside the file, or a whole last row, is not a cut.
        let short_row_inside = format!(
            "{CSV}D0004,2026-06-10T19:20:02.000Z\n{}",
            &CSV[CSV.find('\n').unwrap() + 1..]
        );
        let short_last_row = format!("{CSV}D0004,2026-06-10T19:20:02.000Z\n");
        for text in [short_row_inside, short_last_row] {
            let error = parse_expected("x", &text).unwrap_err();
            assert!(matches!(error, Error::Expected { .. }), "{text:?}: {error}");
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
