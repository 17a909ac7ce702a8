//! Prometheus HTTP API responses: the JSON that `/api/v1/query_range` and `/api/v1/query`
//! return, saved to a file.
//!
//! Checked against the response format of Prometheus 2.x and 3.x:
//!
//! ```text
//! {"status":"success","data":{"resultType":"matrix","result":[
//!   {"metric":{"__name__":"t3probe_connected","leg":"cloudflare"},"values":[[1781119812.123,"1"],...]}]}}
//! ```
//!
//! A `vector` result has one `"value"` pair per series instead of `"values"`. Sample times are
//! epoch seconds as JSON numbers; sample values are strings, including `"NaN"`, `"+Inf"` and
//! `"-Inf"`. `scalar` and `string` results carry no series and are ignored; an error response
//! (`"status":"error"`) is reported. Several responses may follow each other in one file
//! (`curl … >> metrics.json`), on one line or pretty-printed.
//!
//! Each series is one record, and its line is the line of its `"metric"` key, so evidence
//! points at the series. The evidence text carries the sample's epoch time as the file writes
//! it, so the sample itself can be searched for on a one-line response.
//!
//! NOTE: the whole input is held in memory while it is read; a query_range response is
//! limited to 11,000 points per series by Prometheus, so one file stays small.

use std::collections::BTreeMap;
use std::io::{self, BufRead};

use serde::Deserialize;
use serde_json::Value;

use super::envelope::RecordReader;
use super::metrics::{self, MetricOptions, Series};
use crate::parse::{LineClass, ParseOptions, Sink};
use crate::time;

/// Tells whether the first bytes of an input start a Prometheus API response: a JSON object
/// with `"resultType"`, or with `"status"` and `"data"` (`jq -S` puts `data` first and the
/// result type after the whole result).
pub fn is_response_head(head: &[u8]) -> bool {
    let trimmed = head.trim_ascii_start();
    if trimmed.first() != Some(&b'{') {
        return false;
    }
    let first_key = trimmed[1..].trim_ascii_start();
    let starts_with_key =
        first_key.starts_with(b"\"status\"") || first_key.starts_with(b"\"data\"");
    let has_result =
        super::contains(trimmed, b"\"result") || super::contains(trimmed, b"\"errorType\"");
    (starts_with_key && has_result) || super::contains(trimmed, b"\"resultType\"")
}

#[derive(Deserialize)]
struct Response {
    status: Option<String>,
    data: Option<Data>,
    error: Option<String>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: Option<String>,
    #[serde(default)]
    result: Value,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    values: Option<Vec<Value>>,
    value: Option<Value>,
}

/// Reads one `[time, "value"]` pair.
fn sample(pair: &Value) -> Option<(i64, f64)> {
    let [time, value] = pair.as_array()?.as_slice() else {
        return None;
    };
    let time = match time {
        Value::Number(n) => parse_time(&n.to_string())?,
        Value::String(s) => parse_time(s)?,
        _ => return None,
    };
    let value = match value {
        Value::String(s) => parse_value(s)?,
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    Some((time, value))
}

/// Reads epoch seconds (`1781119812.123`) exactly, from the digits rather than through a float.
fn parse_time(text: &str) -> Option<i64> {
    let parsed = time::parse_epoch_seconds(text.as_bytes())?;
    (parsed.len == text.len()).then_some(parsed.micros)
}

/// Reads a sample value as Prometheus writes it: a Go float, `NaN`, `+Inf` or `-Inf`.
pub fn parse_value(text: &str) -> Option<f64> {
    match text.trim() {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        other => other
            .parse::<f64>()
            .ok()
            .filter(|_| other.bytes().any(|b| b.is_ascii_digit())),
    }
}

/// Finds the line of every `"metric": {` key in the input, in order: the start of each series.
fn metric_lines(bytes: &[u8]) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut counted = 0usize;
    for at in memchr::memmem::find_iter(bytes, b"\"metric\"") {
        let rest = bytes[at + 8..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b":") else {
            continue;
        };
        if rest.trim_ascii_start().first() != Some(&b'{') {
            continue;
        }
        line += memchr::memchr_iter(b'\n', &bytes[counted..at]).count() as u64;
        counted = at;
        lines.push(line);
    }
    lines
}

/// The line of the byte at `offset`.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64
}

/// Reads Prometheus API responses.
pub struct PrometheusReader {
    options: MetricOptions,
    notes: Vec<String>,
}

impl PrometheusReader {
    pub fn new(options: &ParseOptions) -> PrometheusReader {
        PrometheusReader {
            options: options.metrics,
            notes: Vec::new(),
        }
    }

    /// Cuts the responses into series. Errors and unreadable parts are classed as malformed
    /// records and noted.
    fn series(&mut self, bytes: &[u8], account: &mut dyn FnMut(u64, LineClass)) -> Vec<Series> {
        let lines = metric_lines(bytes);
        let mut next_line = lines.iter().copied();
        let mut out = Vec::new();
        let mut bad_samples = 0u64;
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Response>();
        loop {
            let offset = stream.byte_offset();
            // The next response starts after the whitespace that ends the previous one.
            let start = offset
                + bytes[offset.min(bytes.len())..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            let response = match stream.next() {
                None => break,
                Some(Ok(response)) => response,
                Some(Err(error)) => {
                    let line = line_at(bytes, start);
                    account(
                        line,
                        LineClass::Malformed("invalid JSON in a Prometheus response"),
                    );
                    self.notes.push(format!(
                        "line {line}: {error}; the responses before it were read"
                    ));
                    break;
                }
            };
            let line = line_at(bytes, start);
            if response.status.as_deref() == Some("error") {
                account(line, LineClass::Malformed("Prometheus returned an error"));
                self.notes.push(format!(
                    "line {line}: the response is an error ({}: {})",
                    response.error_type.as_deref().unwrap_or("?"),
                    response.error.as_deref().unwrap_or("no message")
                ));
                continue;
            }
            let Some(data) = response.data else {
                account(line, LineClass::Malformed("response without `data`"));
                continue;
            };
            let result_type = data.result_type.as_deref().unwrap_or("");
            if !matches!(result_type, "matrix" | "vector") {
                account(line, LineClass::Ignored);
                continue;
            }
            let Value::Array(items) = data.result else {
                account(line, LineClass::Malformed("`result` is not an array"));
                continue;
            };
            for item in items {
                let line = next_line.next().unwrap_or(line);
                let Ok(item) = serde_json::from_value::<Item>(item) else {
                    account(line, LineClass::Malformed("series with invalid labels"));
                    continue;
                };
                let mut labels = item.metric;
                let name = labels.remove("__name__").unwrap_or_default();
                let pairs: Vec<Value> = match (item.values, item.value) {
                    (Some(values), _) => values,
                    (None, Some(value)) => vec![value],
                    (None, None) => Vec::new(),
                };
                let mut samples = Vec::with_capacity(pairs.len());
                for pair in &pairs {
                    match sample(pair) {
                        Some(s) => samples.push(s),
                        None => bad_samples += 1,
                    }
                }
                out.push(Series {
                    name,
                    labels,
                    samples,
                    line,
                    rows: BTreeMap::new(),
                });
            }
        }
        if bad_samples > 0 {
            self.notes.push(format!(
                "{bad_samples} sample(s) were not `[epoch seconds, \"value\"]` pairs and were skipped"
            ));
        }
        out
    }
}

impl RecordReader for PrometheusReader {
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> io::Result<u64> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let series = self.series(&bytes, account);
        let classes = metrics::emit(&series, &self.options, sink);
        for (one, class) in series.iter().zip(classes) {
            account(one.line, class);
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
        let mut reader = PrometheusReader::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let mut classes = Vec::new();
        reader
            .read_records(&mut text.as_bytes(), &mut sink, &mut |line, class| {
                classes.push((line, class))
            })
            .unwrap();
        (sink, classes, reader.notes("m.json"))
    }

    const MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"t3probe_connected","instance":"probe:9100","leg":"cloudflare"},"values":[[1781121005,"1"],[1781121020,"0"],[1781121035,"1"]]}]}}"#;

    #[test]
    fn matrix_on_one_line() {
        assert!(is_response_head(MATRIX.as_bytes()));
        let (sink, classes, notes) = read(MATRIX);
        assert_eq!(classes, vec![(1, LineClass::Used)]);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(sink.events.len(), 2);
        assert_eq!(sink.events[0].time, 1_781_121_020 * SECOND);
        assert!(matches!(
            sink.events[0].kind,
            EventKind::ProbeLegDown { .. }
        ));
        assert!(sink.events[0].text.starts_with(
            "t3probe_connected{instance=\"probe:9100\", leg=\"cloudflare\"} = 0 @1781121020"
        ));
    }

    #[test]
    fn pretty_printed_series_lines() {
        let text = "{\n  \"status\": \"success\",\n  \"data\": {\n    \"resultType\": \"matrix\",\n    \"result\": [\n      {\n        \"metric\": {\"__name__\": \"t3probe_connected\", \"leg\": \"internal\"},\n        \"values\": [[1781121005.5, \"1\"]]\n      },\n      {\n        \"metric\": {\"__name__\": \"t3probe_connected\", \"leg\": \"t3serve\"},\n        \"values\": [[1781121005.5, \"1\"]]\n      }\n    ]\n  }\n}\n";
        let (sink, classes, _) = read(text);
        assert_eq!(classes, vec![(7, LineClass::Used), (11, LineClass::Used)]);
        let track = sink.activity.tracks.values().next().unwrap();
        assert_eq!(track.first, 1_781_121_005 * SECOND + 500_000);
    }

    #[test]
    fn vector_result_and_special_values() {
        let text = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"t3probe_rtt_seconds_bucket","leg":"t3serve","le":"+Inf"},"value":[1781121005,"+Inf"]},{"metric":{"__name__":"t3probe_connected","leg":"t3serve"},"value":[1781121005,"NaN"]}]}}"#;
        let (sink, classes, _) = read(text);
        assert_eq!(classes.len(), 2);
        assert!(sink.events.is_empty());
        assert_eq!(parse_value("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_value("-Inf"), Some(f64::NEG_INFINITY));
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value("1e-3"), Some(0.001));
        assert_eq!(parse_value("up"), None);
    }

    #[test]
    fn error_response_is_reported() {
        let text =
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}"#;
        assert!(is_response_head(text.as_bytes()));
        let (_, classes, notes) = read(text);
        assert_eq!(
            classes,
            vec![(1, LineClass::Malformed("Prometheus returned an error"))]
        );
        assert!(notes[0].contains("bad_data"), "{notes:?}");
    }

    #[test]
    fn two_responses_and_a_truncated_third() {
        let text = format!("{MATRIX}\n{MATRIX}\n{{\"status\":\"success\",\"data\":{{\"resu");
        let (sink, classes, notes) = read(&text);
        assert_eq!(sink.events.len(), 4);
        assert_eq!(
            classes
                .iter()
                .filter(|(_, c)| *c == LineClass::Used)
                .count(),
            2
        );
        assert!(
            classes.contains(&(
                3,
                LineClass::Malformed("invalid JSON in a Prometheus response")
            )),
            "{classes:?}"
        );
        assert!(notes.iter().any(|n| n.contains("line 3")), "{notes:?}");
    }

    #[test]
    fn bad_samples_are_skipped_and_counted() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"t3probe_connected","leg":"internal"},"values":[["soon","1"],[1781121020,"0"],[1781121035]]}]}}"#;
        let (sink, _, notes) = read(text);
        assert_eq!(sink.events.len(), 1, "one down sample, never back up");
        assert!(notes.iter().any(|n| n.contains("2 sample(s)")), "{notes:?}");
    }

    #[test]
    fn a_label_named_metric_is_not_a_series() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"metric":"x","__name__":"t3probe_connected","leg":"internal"},"values":[[1781121020,"1"]]}]}}"#;
        assert_eq!(metric_lines(text.as_bytes()), vec![1]);
    }

    #[test]
    fn heads_of_other_formats_are_not_responses() {
        assert!(!is_response_head(
            br#"{"__REALTIME_TIMESTAMP":"1781121361123456","MESSAGE":"x"}"#
        ));
        assert!(!is_response_head(
            br#"{"labels":{"job":"x"},"line":"y","timestamp":"1"}"#
        ));
        assert!(!is_response_head(br#"[{"line":"x"}]"#));
        assert!(is_response_head(
            br#"{"data":{"result":[],"resultType":"matrix"},"status":"success"}"#
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let mut reader = PrometheusReader::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let _ = reader.read_records(&mut bytes.as_slice(), &mut sink, &mut |_, _| {});
        }

        #[test]
        fn mutated_responses_never_panic(cut in 0usize..220, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = MATRIX.as_bytes().to_vec();
            let at = cut.min(bytes.len() - 1);
            bytes[at] = byte;
            let mut reader = PrometheusReader::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let _ = reader.read_records(&mut bytes.as_slice(), &mut sink, &mut |_, _| {});
            let _ = reader.read_records(&mut &MATRIX.as_bytes()[..at], &mut sink, &mut |_, _| {});
        }
    }
}
