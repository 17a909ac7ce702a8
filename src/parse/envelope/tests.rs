//! Envelope tests: one row per trap of each envelope, with the event it must yield or the
//! reason it is ignored.

use proptest::prelude::*;

use super::*;
use crate::event::{EventKind, Source};
use crate::parse::envelope::grafana::GrafanaJsonReader;
use crate::parse::envelope::loki_api::{self, LokiApiReader};
use crate::time::SECOND;

/// 2026-06-10T19:30:12Z in microseconds.
const T: i64 = 1_781_119_812 * SECOND;

const TRAEFIK_WS: &str = r#"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 48213 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1512345ms"#;
const CF_CHURN: &str = r#"2026-06-10T19:30:12Z ERR Failed to serve tunnel connection error="timeout: no recent network activity" connIndex=2 event=0 ip=198.41.192.7"#;
const TRAEFIK_DIAG: &str =
    "2026-06-10T19:30:12Z ERR Error while building configuration providerName=kubernetes";

fn parse_all(format: Format, lines: &[&str]) -> (Vec<LineClass>, Sink, EnvelopeParser) {
    let bytes: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
    let mut parser = EnvelopeParser::new(format, &ParseOptions::default(), bytes.clone());
    let mut sink = Sink::new(0);
    let classes = bytes
        .iter()
        .enumerate()
        .map(|(i, line)| parser.parse_line(line, &LineCtx::plain(i as u64 + 1), &mut sink))
        .collect();
    parser.finish(&mut sink).unwrap();
    (classes, sink, parser)
}

fn kinds(sink: &Sink) -> Vec<(&'static str, Source, u64, Option<&str>)> {
    sink.events
        .iter()
        .map(|e| (e.kind.name(), e.source, e.origin.line(), e.pod.as_deref()))
        .collect()
}

#[test]
fn kubectl_shapes() {
    // (line, envelope time, pod, inner line)
    let rows: [(&str, Option<i64>, Option<&str>, &str); 10] = [
        (
            "2026-06-10T19:30:12.123456789Z hello",
            Some(T + 123_456),
            None,
            "hello",
        ),
        ("[pod/cf-1/cloudflared] hello", None, Some("cf-1"), "hello"),
        (
            "[pod/cf-1/cloudflared] 2026-06-10T19:30:12.5Z hello",
            Some(T + 500_000),
            Some("cf-1"),
            "hello",
        ),
        (
            "2026-06-10T19:30:12.25Z stdout F hello",
            Some(T + 250_000),
            None,
            "hello",
        ),
        (
            "2026-06-10T19:30:12Z stderr F hello",
            Some(T),
            None,
            "hello",
        ),
        // RFC3339Nano drops a zero fraction, so a whole-second time after --prefix is the
        // inner line's own (cloudflared's console time), not kubectl's.
        (
            "[pod/cf-1/cloudflared] 2026-06-10T19:30:12Z INF x",
            None,
            Some("cf-1"),
            "2026-06-10T19:30:12Z INF x",
        ),
        ("[cf-1/cloudflared] hello", None, Some("cf-1"), "hello"),
        // An exact second with no fraction before a line that is not a console line is
        // kubectl's time: a CLF line, a JSON line, another time (timestamps on both sides).
        (
            "[pod/traefik-x/traefik] 2026-06-10T19:30:12Z 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] x",
            Some(T),
            Some("traefik-x"),
            "203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] x",
        ),
        (
            "[pod/traefik-x/traefik] 2026-06-10T19:30:12Z {\"RouterName\":\"r\"}",
            Some(T),
            Some("traefik-x"),
            "{\"RouterName\":\"r\"}",
        ),
        (
            "2026-06-10T19:30:12Z 2026-06-10T19:30:11Z INF x",
            Some(T),
            None,
            "2026-06-10T19:30:11Z INF x",
        ),
    ];
    for (line, time, pod, inner) in rows {
        let k = kubectl::unwrap(line.as_bytes()).unwrap().unwrap();
        assert_eq!(k.entry.time.map(|t| t.0), time, "{line}");
        assert_eq!(k.entry.labels.pod.as_deref(), pod, "{line}");
        assert_eq!(&*k.entry.line, inner.as_bytes(), "{line}");
    }
    assert!(kubectl::unwrap(b"no envelope here").is_err());
    assert!(kubectl::unwrap(b"   ").unwrap().is_none());
}

#[test]
fn kubectl_routes_by_pod_name() {
    let lines = [
        format!("[pod/cloudflared-6f7c9d8b5-k2x9p/cloudflared] 2026-06-10T19:30:12.1Z {CF_CHURN}"),
        format!("[pod/traefik-abc/traefik] 2026-06-10T19:30:12.2Z {TRAEFIK_WS}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::Kubectl, &refs);
    assert_eq!(classes, vec![LineClass::Used, LineClass::Used]);
    assert_eq!(
        kinds(&sink),
        vec![
            (
                "cf_conn_failed",
                Source::Cloudflared,
                1,
                Some("cloudflared-6f7c9d8b5-k2x9p")
            ),
            ("traefik_socket", Source::Traefik, 2, None),
        ]
    );
    // cloudflared keeps its own time, not the envelope's.
    assert_eq!(sink.events[0].time, T);
}

#[test]
fn cri_partial_lines_are_joined() {
    let (a, b) = TRAEFIK_WS.split_at(40);
    let (b, c) = b.split_at(60);
    let lines = [
        format!("2026-06-10T19:30:12.1Z stdout P {a}"),
        format!("2026-06-10T19:30:12.2Z stdout P {b}"),
        format!("2026-06-10T19:30:12.3Z stdout F {c}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::Kubectl, &refs);
    // The parts count as ignored; the joined line counts at its last part.
    assert_eq!(
        classes,
        vec![LineClass::Ignored, LineClass::Ignored, LineClass::Used]
    );
    // Evidence points at the first part.
    assert_eq!(
        kinds(&sink),
        vec![("traefik_socket", Source::Traefik, 1, None)]
    );
}

#[test]
fn cri_partial_at_end_of_input_is_still_read() {
    let line = format!("2026-06-10T19:30:12.1Z stdout P {CF_CHURN}");
    let (classes, sink, _) = parse_all(Format::Kubectl, &[&line]);
    assert_eq!(classes, vec![LineClass::Ignored]);
    assert_eq!(
        kinds(&sink),
        vec![("cf_conn_failed", Source::Cloudflared, 1, None)]
    );
}

fn jsonl(labels: &str, line: &str, timestamp: &str) -> String {
    let line = serde_json::to_string(line).unwrap();
    format!(r#"{{"labels":{labels},"line":{line},"timestamp":"{timestamp}"}}"#)
}

#[test]
fn logcli_jsonl_routes_every_stream() {
    let lines = [
        jsonl(
            r#"{"job":"devvm-journal","unit":"t3-dispatch.service"}"#,
            "2026/06/10 19:30:12 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
            "2026-06-10T19:30:12.654321987Z",
        ),
        jsonl(
            r#"{"namespace":"cloudflared","pod":"cloudflared-6f7c9d8b5-k2x9p"}"#,
            CF_CHURN,
            "2026-06-10T19:30:12.1Z",
        ),
        jsonl(
            r#"{"namespace":"traefik","pod":"traefik-abc"}"#,
            TRAEFIK_WS,
            "2026-06-10T21:30:12.2+02:00",
        ),
        jsonl(
            r#"{"job":"devvm-journal","unit":"t3-serve@bob.service"}"#,
            "[19:30:11.000] INFO (#1): T3 Code running",
            "2026-06-10T19:30:11.5Z",
        ),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::LogcliJsonl, &refs);
    assert_eq!(classes, vec![LineClass::Used; 4]);
    assert_eq!(
        kinds(&sink),
        vec![
            ("ws_close", Source::Journal, 1, None),
            (
                "cf_conn_failed",
                Source::Cloudflared,
                2,
                Some("cloudflared-6f7c9d8b5-k2x9p")
            ),
            ("traefik_socket", Source::Traefik, 3, None),
            ("serve_started", Source::Journal, 4, None),
        ]
    );
    // The journal time is the envelope's, to the microsecond.
    assert_eq!(sink.events[0].time, T + 654_321);
    // The unit label names the serve's user.
    assert_eq!(sink.events[3].kind.user(), Some("bob"));
}

#[test]
fn unlabelled_journal_lines_route_by_text() {
    // `logcli query '{unit="t3-dispatch.service"}'` drops the labels common to every line, so
    // each line prints `{}`. The Go date names a dispatch line, a header a serve's.
    let lines = [
        "2026-06-10T19:30:12Z {} 2026/06/10 19:30:12 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
        "2026-06-10T19:30:13Z {} 2026/06/10 19:30:13 http: proxy error: context canceled",
        "2026-06-10T19:30:14Z {} [19:30:14.000] INFO (#1): T3 Code running",
        "2026-06-10T19:30:15Z {} Accepted publickey for bob",
    ];
    let (classes, sink, parser) = parse_all(Format::LogcliDefault, &lines);
    assert_eq!(
        classes,
        vec![
            LineClass::Used,
            LineClass::Used,
            LineClass::Used,
            LineClass::Ignored
        ]
    );
    let names: Vec<&str> = kinds(&sink).iter().map(|k| k.0).collect();
    assert_eq!(names, vec!["ws_close", "proxy_error", "serve_started"]);
    let sources: Vec<Source> = sink.activity.tracks.keys().map(|k| k.source).collect();
    assert_eq!(sources, vec![Source::Journal]);
    let notes = parser.notes("logcli.log");
    assert!(
        notes.iter().any(|n| n.contains("3 journal line(s)")),
        "{notes:?}"
    );
}

#[test]
fn journal_stream_without_program_labels_routes_by_text() {
    // A journal stream labelled only `job` and `host`, and kernel lines, which promtail gives
    // no `unit` label: each line goes to the parser its text fits, with a note.
    let bare = r#"{"job":"devvm-journal","host":"devvm"}"#;
    let lines = [
        jsonl(
            bare,
            "2026/06/10 19:30:12 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
            "2026-06-10T19:30:12Z",
        ),
        jsonl(
            bare,
            "t3-serve@bob.service: Failed with result 'oom-kill'.",
            "2026-06-10T19:30:13Z",
        ),
        jsonl(
            r#"{"job":"devvm-journal","transport":"kernel"}"#,
            "Memory cgroup out of memory: Killed process 4711 (node) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1kB oom_score_adj:0",
            "2026-06-10T19:30:14Z",
        ),
        jsonl(
            bare,
            "[19:30:15.000] INFO (#1): T3 Code running",
            "2026-06-10T19:30:15Z",
        ),
        jsonl(bare, "Accepted publickey for bob", "2026-06-10T19:30:16Z"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, parser) = parse_all(Format::LogcliJsonl, &refs);
    assert_eq!(
        classes,
        vec![
            LineClass::Used,
            LineClass::Used,
            LineClass::Used,
            LineClass::Used,
            LineClass::Ignored
        ]
    );
    let names: Vec<&str> = kinds(&sink).iter().map(|k| k.0).collect();
    assert_eq!(
        names,
        vec!["ws_close", "unit_change", "oom_kill", "serve_started"]
    );
    let notes = parser.notes("loki.jsonl");
    assert!(
        notes.iter().any(|n| n.contains("4 journal line(s)")),
        "{notes:?}"
    );
}

#[test]
fn logcli_paging_duplicates_count_once() {
    let labels = r#"{"namespace":"cloudflared","pod":"cloudflared-0"}"#;
    let entry = jsonl(labels, CF_CHURN, "2026-06-10T19:30:12.123456789Z");
    let other_time = jsonl(labels, CF_CHURN, "2026-06-10T19:30:12.123457789Z");
    let other_pod = jsonl(
        r#"{"namespace":"cloudflared","pod":"cloudflared-1"}"#,
        CF_CHURN,
        "2026-06-10T19:30:12.123456789Z",
    );
    let (classes, sink, parser) = parse_all(
        Format::LogcliJsonl,
        &[&entry, &entry, &other_time, &other_pod],
    );
    assert_eq!(
        classes,
        vec![
            LineClass::Used,
            LineClass::Ignored,
            LineClass::Used,
            LineClass::Used
        ]
    );
    assert_eq!(sink.events.len(), 3);
    let notes = parser.notes("x");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("1 entry repeated"), "{notes:?}");
}

#[test]
fn logcli_overlapping_batches_count_once() {
    // Two batches that overlap by a run of entries at different times: the run comes again
    // after its last entry, not next to each original.
    let labels = r#"{"unit":"t3-dispatch.service"}"#;
    let close = |n: u32, at: &str| {
        let line = format!(
            "2026/06/10 19:30:12 ws close user=u{n} ip=203.0.113.{n} dur_ms=1000 cause=graceful"
        );
        jsonl(labels, &line, at)
    };
    let run = [
        close(1, "2026-06-10T19:30:12.100000000Z"),
        close(2, "2026-06-10T19:30:12.200000000Z"),
        close(3, "2026-06-10T19:30:12.300000000Z"),
    ];
    let later = close(4, "2026-06-10T19:30:12.400000000Z");
    let lines: Vec<&str> = run
        .iter()
        .chain(run.iter())
        .chain([&later])
        .map(String::as_str)
        .collect();
    let (classes, sink, parser) = parse_all(Format::LogcliJsonl, &lines);
    let used = classes.iter().filter(|c| **c == LineClass::Used).count();
    assert_eq!(used, 4, "{classes:?}");
    assert_eq!(sink.events.len(), 4);
    let notes = parser.notes("x");
    assert!(notes[0].contains("3 entries repeated"), "{notes:?}");
}

#[test]
fn whole_second_streams_keep_second_precision() {
    // Entry times of logcli jsonl and their precision as read. A stream whose times all lie on
    // the whole second (a promtail `timestamp` stage, a syslog source) has one-second
    // resolution. A stream that shows sub-second digits anywhere is exact throughout.
    let dispatch = r#"{"unit":"t3-dispatch.service"}"#;
    let cloudflared = r#"{"namespace":"cloudflared","pod":"cloudflared-6f7c9d8b5-k2x9p"}"#;
    let open = |n: u32| format!("2026/06/10 19:30:12 ws open user=u{n} ip=203.0.113.{n}");
    let cf = "2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=0 ip=198.41.192.7";
    // (case, lines as (labels, line, timestamp), the dispatch events' precision)
    type Entry<'a> = (&'a str, String, &'a str);
    let cases: [(&str, Vec<Entry>, Precision); 5] = [
        (
            "whole seconds only",
            vec![
                (dispatch, open(1), "2026-06-10T19:30:12Z"),
                (dispatch, open(2), "2026-06-10T19:30:13Z"),
            ],
            Precision::Second,
        ),
        (
            "whole seconds in another zone",
            vec![
                (dispatch, open(1), "2026-06-10T21:30:12+02:00"),
                (dispatch, open(2), "2026-06-10T21:30:13+02:00"),
            ],
            Precision::Second,
        ),
        (
            "nanoseconds, one on the second",
            vec![
                (dispatch, open(1), "2026-06-10T19:30:12Z"),
                (dispatch, open(2), "2026-06-10T19:30:13.000123456Z"),
            ],
            Precision::Micro,
        ),
        (
            "nanoseconds on the second after the first fraction",
            vec![
                (dispatch, open(1), "2026-06-10T19:30:12.5Z"),
                (dispatch, open(2), "2026-06-10T19:30:13Z"),
            ],
            Precision::Micro,
        ),
        (
            "whole-second journal beside a nanosecond cloudflared stream",
            vec![
                (
                    cloudflared,
                    cf.to_string(),
                    "2026-06-10T19:30:12.123456789Z",
                ),
                (dispatch, open(1), "2026-06-10T19:30:12Z"),
                (dispatch, open(2), "2026-06-10T19:30:13Z"),
            ],
            Precision::Second,
        ),
    ];
    for (case, entries, precision) in cases {
        let lines: Vec<String> = entries
            .iter()
            .map(|(labels, line, at)| jsonl(labels, line, at))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (classes, sink, _) = parse_all(Format::LogcliJsonl, &lines);
        assert!(
            classes.iter().all(|c| *c == LineClass::Used),
            "{case}: {classes:?}"
        );
        let opens: Vec<Precision> = sink
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::WsOpen { .. }))
            .map(|e| e.precision)
            .collect();
        assert_eq!(opens, vec![precision; 2], "{case}");
    }
}

#[test]
fn loki_api_whole_second_stream_keeps_second_precision() {
    // The same rule for the HTTP API's epoch nanoseconds: `…000000000` throughout.
    let response = r#"{"status":"success","data":{"resultType":"streams","result":[
        {"stream":{"unit":"t3-dispatch.service"},"values":[
            ["1781119813000000000","2026/06/10 19:30:13 ws open user=u2 ip=203.0.113.2"],
            ["1781119812000000000","2026/06/10 19:30:12 ws open user=u1 ip=203.0.113.1"]]}]}}"#;
    let (classes, sink, _) = read_loki_api(response);
    assert_eq!(classes.len(), 2, "{classes:?}");
    let precisions: Vec<Precision> = sink.events.iter().map(|e| e.precision).collect();
    assert_eq!(precisions, vec![Precision::Second; 2]);
}

#[test]
fn logcli_joined_exports_count_once() {
    // Two exports joined into one file: the second repeats an entry from ten minutes before
    // the end of the first.
    let labels = r#"{"unit":"t3-dispatch.service"}"#;
    let line = "2026/06/10 19:30:12 http: proxy error: context canceled";
    let first = jsonl(labels, line, "2026-06-10T19:30:12.500000000Z");
    let far = jsonl(labels, line, "2026-06-10T19:40:12.500000000Z");
    let again = jsonl(labels, line, "2026-06-10T19:30:12.500000000Z");
    let (classes, sink, _) = parse_all(Format::LogcliJsonl, &[&first, &far, &again]);
    assert_eq!(
        classes,
        vec![LineClass::Used, LineClass::Used, LineClass::Ignored]
    );
    let cancels = kinds(&sink).iter().filter(|k| k.0 == "proxy_error").count();
    assert_eq!(cancels, 2);
}

#[test]
fn whole_second_traefik_repeat_counts_once() {
    // A Traefik access line carries its request count (7 here), so the same line twice on
    // the same whole second is one line paged twice, not a second socket.
    let line = r#"2026-06-10T19:20:30Z {namespace="traefik", pod="traefik-7d9f8c6b5-abcde"} 203.0.113.22 - - [10/Jun/2026:19:20:00 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 7 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 30000ms"#;
    let (classes, sink, parser) = parse_all(Format::LogcliDefault, &[line, line]);
    assert_eq!(classes, vec![LineClass::Used, LineClass::Ignored]);
    assert_eq!(sink.events.len(), 1);
    let notes = parser.notes("x");
    assert!(notes[0].contains("1 entry repeated"), "{notes:?}");
}

#[test]
fn logcli_jsonl_whole_second_repeats_are_kept() {
    // A time exactly on the second comes from a second-resolution source, such as a Loki
    // pipeline that took the Go log prefix's time: identical cancel lines there are a burst.
    let labels = r#"{"unit":"t3-dispatch.service"}"#;
    let line = "2026/06/10 19:30:12 http: proxy error: context canceled";
    let entry = jsonl(labels, line, "2026-06-10T19:30:12Z");
    let (classes, sink, parser) = parse_all(Format::LogcliJsonl, &[&entry, &entry, &entry]);
    assert_eq!(classes, vec![LineClass::Used; 3]);
    assert_eq!(sink.events.len(), 3);
    // Kept, with a warning that paging could also have made them.
    let notes = parser.notes("x");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("2 entries repeated"), "{notes:?}");
    assert!(notes[0].contains("kept as real repeats"), "{notes:?}");

    // A socket closes once, so a repeated close line there is a paging repeat.
    let close = "2026/06/10 19:30:12 ws close user=alice ip=203.0.113.7 dur_ms=5000 cause=graceful";
    let entry = jsonl(labels, close, "2026-06-10T19:30:12Z");
    let (classes, sink, _) = parse_all(Format::LogcliJsonl, &[&entry, &entry]);
    assert_eq!(classes, vec![LineClass::Used, LineClass::Ignored]);
    assert_eq!(sink.events.len(), 1);
}

#[test]
fn second_resolution_repeats_are_kept() {
    // Five identical cancel lines in one second are a burst, not paging.
    let line = r#"2026-06-10T19:30:12Z {unit="t3-dispatch.service"} 2026/06/10 19:30:12 http: proxy error: context canceled"#;
    let (classes, sink, parser) = parse_all(Format::LogcliDefault, &[line; 5]);
    assert_eq!(classes, vec![LineClass::Used; 5]);
    assert_eq!(sink.events.len(), 5);
    let notes = parser.notes("x");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("4 entries repeated"), "{notes:?}");
}

#[test]
fn logcli_default_serve_detail_keeps_its_timeout() {
    // logcli's default output trims lines, so the detail line of a git timeout arrives without
    // its indent (newest first, as logcli prints without --forward).
    let labels = r#"{syslog_identifier="t3", unit="t3-serve@alice.service"}"#;
    let lines = [
        format!(
            "2026-06-10T18:59:45Z {labels} GitCommandError: git fetch --dry-run in /home/alice/src/t3 timed out."
        ),
        format!(
            "2026-06-10T18:59:45Z {labels} [18:59:45.000] WARN (#155): git remote status refresh failed"
        ),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (_, sink, _) = parse_all(Format::LogcliDefault, &refs);
    let timeouts: Vec<&EventKind> = sink
        .events
        .iter()
        .map(|e| &e.kind)
        .filter(|k| matches!(k, EventKind::ServeGitTimeout { .. }))
        .collect();
    assert_eq!(timeouts.len(), 1, "{:?}", sink.events);
    assert_eq!(timeouts[0].user(), Some("alice"));
}

#[test]
fn newest_first_is_read_like_oldest_first() {
    let labels = r#"{"namespace":"cloudflared","pod":"cf-0"}"#;
    let later = CF_CHURN.replace("19:30:12Z", "19:31:00Z");
    let lines = [
        jsonl(labels, &later, "2026-06-10T19:31:00.000000001Z"),
        jsonl(labels, CF_CHURN, "2026-06-10T19:30:12.000000001Z"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::LogcliJsonl, &refs);
    assert_eq!(classes, vec![LineClass::Used; 2]);
    let track = sink.activity.tracks.values().next().unwrap();
    assert_eq!((track.first, track.last), (T, T + 48 * SECOND));
}

#[test]
fn empty_labels_decide_by_stream() {
    // `{}`: the labels were common to all streams and say nothing. The diagnostic line is
    // ambiguous on its own; the stream's sure access line makes it Traefik's.
    let lines = [
        format!("2026-06-10T19:30:12Z {{}} {TRAEFIK_DIAG}"),
        format!("2026-06-10T19:30:13Z {{}} {TRAEFIK_WS}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::LogcliDefault, &refs);
    assert_eq!(classes, vec![LineClass::Ignored, LineClass::Used]);
    let sources: Vec<Source> = sink.activity.tracks.keys().map(|k| k.source).collect();
    assert_eq!(sources, vec![Source::Traefik]);
}

#[test]
fn logcli_default_label_padding_and_escapes() {
    let line = format!(
        r#"2026-06-10T21:30:12+02:00 {{namespace="cloudflared", pod="cf-\"0\""}}      {CF_CHURN}"#
    );
    let entry = loki::unwrap_default(line.as_bytes()).unwrap().unwrap();
    assert_eq!(entry.time, Some((T, Precision::Second)));
    assert_eq!(entry.labels.pod.as_deref(), Some("cf-\"0\""));
    assert_eq!(&*entry.line, CF_CHURN.as_bytes());
    // A continuation of a line that held a newline.
    assert!(loki::unwrap_default(b"  at line two").unwrap().is_none());
    assert!(loki::unwrap_default(b"2026-06-10T19:30:12Z {broken").is_err());
}

#[test]
fn grafana_text_rows_and_meta_lines() {
    let lines = [
        r#"Common labels: {"namespace":"traefik"}"#.to_string(),
        String::new(),
        String::new(),
        format!("1781119812250\t2026-06-10T19:30:12.250Z\t{TRAEFIK_WS}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::GrafanaText, &refs);
    assert_eq!(
        classes,
        vec![
            LineClass::Ignored,
            LineClass::Ignored,
            LineClass::Ignored,
            LineClass::Used
        ]
    );
    assert_eq!(
        kinds(&sink),
        vec![("traefik_socket", Source::Traefik, 4, None)]
    );
}

#[test]
fn grafana_text_repeats_are_kept() {
    // Rows of an unlabelled text download, newest first: (case, rows as (epoch ms, line),
    // classes). A row that repeats the millisecond and line of another may be a page repeat,
    // but a mass cancel writes identical cancel lines in one millisecond too, so it is kept
    // and counted for the warning.
    const CANCEL: &str = "2026/06/10 19:40:07 http: proxy error: context canceled";
    const CF_REGISTERED: &str = "2026-06-10T19:40:07Z INF Registered tunnel connection connIndex=0 connection=00000000-0000-4000-8000-000000000002 event=0 ip=198.41.192.7 location=ams01 protocol=quic";
    const CHRONYD: &str = "System clock wrong by -0.000116 seconds, adjustment started";
    let (used, ignored) = (LineClass::Used, LineClass::Ignored);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<LineClass>);
    let cases: [Case; 5] = [
        (
            "cancel lines on the same millisecond",
            vec![
                ("1781120407080", CANCEL),
                ("1781120407080", CANCEL),
                ("1781120407070", CANCEL),
            ],
            vec![used, used, used],
        ),
        (
            "cancel lines 1 ms apart",
            vec![("1781120407051", CANCEL), ("1781120407050", CANCEL)],
            vec![used, used],
        ),
        (
            "three pods, the same line on the whole second",
            vec![
                ("1781120407000", CF_REGISTERED),
                ("1781120407000", CF_REGISTERED),
                ("1781120407000", CF_REGISTERED),
            ],
            vec![used, used, used],
        ),
        (
            "cancel lines of a one-second source",
            vec![("1781120407000", CANCEL), ("1781120407000", CANCEL)],
            vec![used, used],
        ),
        (
            "another line on the same millisecond",
            vec![("1781120407080", CANCEL), ("1781120407080", CHRONYD)],
            vec![used, ignored],
        ),
    ];
    for (case, rows, expected) in cases {
        let lines: Vec<String> = rows
            .iter()
            .map(|(ms, line)| format!("{ms}\t2026-06-10T19:40:07+00:00\t{line}"))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (classes, _, parser) = parse_all(Format::GrafanaText, &refs);
        assert_eq!(classes, expected, "{case}");
        assert_eq!(parser.router.duplicates.count, 0, "{case}");
        let expected_kept = match case {
            "cancel lines on the same millisecond" => 1,
            "three pods, the same line on the whole second" => 2,
            "cancel lines of a one-second source" => 1,
            _ => 0,
        };
        assert_eq!(parser.router.duplicates.kept, expected_kept, "{case}");
    }
}

#[test]
fn unlabelled_lines_route_by_shape() {
    // A Grafana Explore pane of three queries downloaded as text: no labels, the newest line
    // surely cloudflared's, and most sure lines Traefik's. (case, line, target)
    const CLF: &str = r#"198.51.100.23 - - [10/Jun/2026:19:59:59 +0000] "GET /assets/app.css HTTP/1.1" 200 1234 "-" "Mozilla/5.0" 4228 "gitea-web-git-example-net@kubernetes" "http://10.0.12.8:3000" 3ms"#;
    let rows: [(&str, &str, Option<Target>); 10] = [
        (
            "chronyd",
            "System clock wrong by -0.000116 seconds, adjustment started",
            Some(Target::Journal(Program::Other)),
        ),
        (
            "kernel audit",
            r#"audit: type=1400 audit(1781120406.100:4550): apparmor="ALLOWED" operation="exec" class="file" profile="unconfined" name="/usr/bin/git" pid=5120 comm="node""#,
            Some(Target::Journal(Program::Other)),
        ),
        (
            "sshd",
            "Accepted publickey for alice from 203.0.113.7 port 52144 ssh2: ED25519 SHA256:Zm9vYmFy",
            Some(Target::Journal(Program::Other)),
        ),
        (
            "cron",
            "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
            Some(Target::Journal(Program::Other)),
        ),
        (
            "dispatch",
            "2026/06/10 19:40:07 http: proxy error: context canceled",
            Some(Target::Journal(Program::Dispatch)),
        ),
        ("traefik access", CLF, Some(Target::Traefik)),
        ("cloudflared churn", CF_CHURN, Some(Target::Cloudflared)),
        // Console lines that either program writes go to the input's majority.
        ("traefik diagnostic", TRAEFIK_DIAG, Some(Target::Traefik)),
        (
            "console line without markers",
            "2026-06-10T19:30:12Z INF Starting provider *acme.ChallengeTLSALPN",
            Some(Target::Traefik),
        ),
        // JSON is the shape of cloudflared's and Traefik's JSON logs, not a journal message.
        (
            "cloudflared JSON without markers",
            r#"{"level":"info","time":"2026-06-10T19:30:12Z","message":"Starting metrics server on 127.0.0.1:2000/metrics"}"#,
            Some(Target::Traefik),
        ),
    ];
    let mut router = Router::new(&ParseOptions::default());
    let unlabelled = Labels::default();
    router.decide(&unlabelled, CF_CHURN.as_bytes());
    for _ in 0..3 {
        router.decide(&unlabelled, CLF.as_bytes());
    }
    for (case, line, expected) in rows {
        assert_eq!(
            router.decide(&unlabelled, line.as_bytes()),
            expected,
            "{case}"
        );
    }

    // A labelled stream is one source: its sure line decides its other lines.
    let mut labels = Labels::default();
    labels.insert("host", Cow::Borrowed("k8s-node-1"));
    router.decide(&labels, CF_CHURN.as_bytes());
    let chronyd = b"System clock wrong by -0.000116 seconds, adjustment started";
    assert_eq!(router.decide(&labels, chronyd), Some(Target::Cloudflared));
    assert_eq!(
        router.decide(&labels, TRAEFIK_DIAG.as_bytes()),
        Some(Target::Cloudflared)
    );
}

#[test]
fn unlabelled_journal_lines_are_counted() {
    // The unnamed journal lines count as the journal's, so it is no t3-dispatch export.
    let lines = [
        "1781120407080\t2026-06-10T19:40:07+00:00\t2026/06/10 19:40:07 http: proxy error: context canceled",
        "1781120406512\t2026-06-10T19:40:06+00:00\tSystem clock wrong by -0.000116 seconds, adjustment started",
        "1781120405208\t2026-06-10T19:40:05+00:00\tAccepted publickey for alice from 203.0.113.7 port 52144 ssh2",
    ];
    let (classes, sink, parser) = parse_all(Format::GrafanaText, &lines);
    assert_eq!(classes[0], LineClass::Used);
    assert_eq!(sink.journal_lines.dispatch, 1);
    assert_eq!(sink.journal_lines.other, 2);
    assert!(sink.journal_lines.host);
    assert!(!sink.journal_lines.t3_units_only());
    let notes = parser.notes("x");
    assert!(
        notes.iter().any(|n| n.contains("2 line(s) have no labels")),
        "{notes:?}"
    );
}

#[test]
fn grafana_text_with_another_export_appended() {
    // A continuation line of a multi-line entry is ignored, but a line that is surely of
    // another format is another export appended to the download.
    let lines = [
        r#"Common labels: {"app":"cloudflared","pod":"cloudflared-6f7c9d8b5-z8w3t"}"#.to_string(),
        String::new(),
        format!("1781119812000\t2026-06-10T19:30:12.000Z\t{CF_CHURN}"),
        "  a continuation of the entry above".to_string(),
        r#"2026-06-10T19:30:14Z {namespace="traefik"} 203.0.113.22 - - [10/Jun/2026:19:30:14 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 7 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 30000ms"#.to_string(),
        "2026-06-10T19:30:15+00:00 devvm sshd[901]: Accepted publickey for alice".to_string(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, _, _) = parse_all(Format::GrafanaText, &refs);
    assert_eq!(classes[2], LineClass::Used);
    assert_eq!(classes[3], LineClass::Ignored);
    assert!(matches!(classes[4], LineClass::Malformed(r) if r.contains("another log format")));
    assert!(matches!(classes[5], LineClass::Malformed(r) if r.contains("another log format")));
}

#[test]
fn grafana_text_common_labels_name_the_pod() {
    // The rows of a text download carry no labels; the meta line names the pod for all.
    let lines = [
        r#"Common labels: {"app":"cloudflared","namespace":"cloudflared","pod":"cloudflared-6f7c9d8b5-z8w3t"}"#.to_string(),
        r#"Line limit: "1000 (10 returned)""#.to_string(),
        String::new(),
        format!("1781119812000\t2026-06-10T19:30:12.000Z\t{CF_CHURN}"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (classes, sink, _) = parse_all(Format::GrafanaText, &refs);
    assert_eq!(classes[3], LineClass::Used);
    assert_eq!(
        kinds(&sink),
        vec![(
            "cf_conn_failed",
            Source::Cloudflared,
            4,
            Some("cloudflared-6f7c9d8b5-z8w3t")
        )]
    );
}

#[test]
fn grafana_json_array_is_streamed() {
    let text = serde_json::json!([
        {"line": CF_CHURN, "timestamp": "1781119812100000000", "date": "2026-06-10T19:30:12.100Z",
         "fields": {"namespace": "cloudflared", "pod": "cf-0", "tsNs": 1}},
        {"Line": TRAEFIK_WS, "Time": 1781119813000u64, "labels": {"namespace": "traefik"}},
        {"line": "no time"},
    ])
    .to_string();
    let mut reader = GrafanaJsonReader::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let mut classes = Vec::new();
    reader
        .read_records(&mut text.as_bytes(), &mut sink, &mut |line, class| {
            classes.push((line, class))
        })
        .unwrap();
    assert_eq!(
        classes,
        vec![
            (1, LineClass::Used),
            (2, LineClass::Used),
            (3, LineClass::Malformed("row without a timestamp")),
        ]
    );
    assert_eq!(
        kinds(&sink),
        vec![
            ("cf_conn_failed", Source::Cloudflared, 1, Some("cf-0")),
            ("traefik_socket", Source::Traefik, 2, None),
        ]
    );
}

#[test]
fn grafana_json_cut_short_keeps_rows_before() {
    let text = format!(
        r#"[{{"line":{},"timestamp":"1781119812100000000","fields":{{"namespace":"cloudflared"}}}},{{"line":"#,
        serde_json::to_string(CF_CHURN).unwrap()
    );
    let mut reader = GrafanaJsonReader::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let mut classes = Vec::new();
    reader
        .read_records(&mut text.as_bytes(), &mut sink, &mut |line, class| {
            classes.push((line, class))
        })
        .unwrap();
    assert_eq!(classes[0], (1, LineClass::Used));
    assert!(matches!(classes[1], (2, LineClass::Malformed(_))));
    assert_eq!(reader.notes("x").len(), 1);
}

#[test]
fn sniff_scores() {
    let cases: [(&[u8], u8, u8, u8, u8); 7] = [
        // (line, kubectl, logcli jsonl, logcli default, grafana text)
        // kubectl's time on an exact second has no fraction (RFC3339Nano).
        (
            br#"2026-06-10T19:30:12Z 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET / HTTP/1.1" 200 5 "-" "x" 1 "r@kubernetes" "http://10.0.0.5:80" 1ms"#,
            2,
            0,
            0,
            0,
        ),
        (
            b"2026-06-10T19:30:12.123456789Z 2026-06-10T19:30:12Z INF x connIndex=1",
            2,
            0,
            0,
            0,
        ),
        (b"[pod/a/b] anything", 2, 0, 0, 0),
        (
            b"2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2",
            0,
            0,
            0,
            0,
        ),
        (
            br#"{"labels":{},"line":"x","timestamp":"2026-06-10T19:30:12Z"}"#,
            0,
            2,
            0,
            0,
        ),
        (br#"2026-06-10T19:30:12Z {} x"#, 0, 0, 2, 0),
        (b"1781119812250\t2026-06-10T19:30:12.250Z\tx", 0, 0, 0, 2),
    ];
    for (line, k, j, d, g) in cases {
        let text = String::from_utf8_lossy(line);
        assert_eq!(kubectl::sniff(line), k, "kubectl: {text}");
        assert_eq!(loki::sniff_jsonl(line), j, "jsonl: {text}");
        assert_eq!(loki::sniff_default(line), d, "default: {text}");
        assert_eq!(grafana::sniff_text(line), g, "grafana: {text}");
    }
    // A journal short-iso-precise line has an offset, never kubectl's `Z`.
    assert_eq!(
        kubectl::sniff(b"2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: x"),
        0
    );
}

#[test]
fn epoch_digit_counts() {
    assert_eq!(epoch_digits(b"1781119812"), Some((T, Precision::Second)));
    assert_eq!(
        epoch_digits(b"1781119812250"),
        Some((T + 250_000, Precision::Milli))
    );
    assert_eq!(
        epoch_digits(b"1781119812250001"),
        Some((T + 250_001, Precision::Micro))
    );
    assert_eq!(
        epoch_digits(b"1781119812250001999"),
        Some((T + 250_001, Precision::Micro))
    );
    assert_eq!(epoch_digits(b"17811x"), None);
    assert_eq!(epoch_digits(b"99999999999999999999"), None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for format in [Format::Kubectl, Format::LogcliJsonl, Format::LogcliDefault, Format::GrafanaText] {
            let mut parser = EnvelopeParser::new(format, &ParseOptions::default(), [&bytes[..]]);
            let mut sink = Sink::new(0);
            parser.parse_line(&bytes, &LineCtx::plain(1), &mut sink);
            parser.finish(&mut sink).unwrap();
        }
        let mut reader = GrafanaJsonReader::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let _ = reader.read_records(&mut &bytes[..], &mut sink, &mut |_, _| {});
        kubectl::sniff(&bytes);
        loki::sniff_default(&bytes);
    }

    #[test]
    fn mutated_envelopes_never_panic(
        index in 0usize..4,
        cut in 0usize..400,
        byte in any::<u8>(),
        at in 0usize..400,
    ) {
        let valid = [
            format!("[pod/cf-0/cloudflared] 2026-06-10T19:30:12.1Z stdout P {CF_CHURN}"),
            jsonl(r#"{"namespace":"traefik"}"#, TRAEFIK_WS, "2026-06-10T19:30:12.1Z"),
            format!(r#"2026-06-10T19:30:12Z {{pod="a\"b"}} {TRAEFIK_DIAG}"#),
            format!("1781119812250\t2026-06-10T19:30:12.250Z\t{CF_CHURN}"),
        ];
        let formats = [Format::Kubectl, Format::LogcliJsonl, Format::LogcliDefault, Format::GrafanaText];
        let mut bytes = valid[index].clone().into_bytes();
        bytes.truncate(cut.max(1));
        if !bytes.is_empty() {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        let mut parser = EnvelopeParser::new(formats[index], &ParseOptions::default(), [&bytes[..]]);
        let mut sink = Sink::new(0);
        parser.parse_line(&bytes, &LineCtx::plain(1), &mut sink);
        parser.finish(&mut sink).unwrap();
    }
}

/// Reads a Loki API response with [`LokiApiReader`], returning each entry's position and class,
/// the sink and the reader.
fn read_loki_api(text: &str) -> (Vec<(u64, LineClass)>, Sink, LokiApiReader) {
    let mut reader = LokiApiReader::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let mut classes = Vec::new();
    reader
        .read_records(&mut text.as_bytes(), &mut sink, &mut |entry, class| {
            classes.push((entry, class))
        })
        .unwrap();
    (classes, sink, reader)
}

#[test]
fn loki_api_streams_are_routed_by_labels() {
    // A query_range response as Loki 3 writes it: newest first, full label sets per stream,
    // and a third pair element (structured metadata) on one entry.
    let text = serde_json::json!({
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": {"namespace": "cloudflared", "pod": "cf-0"},
                 "values": [["1781119812100000000", CF_CHURN, {"structuredMetadata": {}}]]},
                {"stream": {"job": "devvm-journal", "syslog_identifier": "t3-dispatch",
                            "unit": "t3-dispatch.service"},
                 "values": [
                    ["1781119813500000000",
                     "2026/06/10 19:30:13 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=1000 cause=graceful"],
                    ["1781119812500000000",
                     "2026/06/10 19:30:12 ws open user=bob ip=203.0.113.22, 10.10.1.12"]]},
                {"stream": {"namespace": "traefik"}, "values": [["1781119813000000000", TRAEFIK_WS]]}
            ],
            "stats": {"summary": {"execTime": 0.01}}
        }
    })
    .to_string();
    let (classes, sink, reader) = read_loki_api(&text);
    assert_eq!(
        classes,
        (1..=4).map(|i| (i, LineClass::Used)).collect::<Vec<_>>()
    );
    assert_eq!(
        kinds(&sink),
        vec![
            ("cf_conn_failed", Source::Cloudflared, 1, Some("cf-0")),
            ("ws_close", Source::Journal, 2, None),
            ("ws_open", Source::Journal, 3, None),
            ("traefik_socket", Source::Traefik, 4, None),
        ]
    );
    // The envelope's nanosecond time is the journal time.
    assert_eq!(sink.events[2].time, T + 500_000);
    assert!(reader.notes("x").is_empty(), "{:?}", reader.notes("x"));
}

#[test]
fn loki_api_key_order_and_pages() {
    // `jq -S` order (`result` before `resultType`), `values` before `stream` in one object,
    // and a second page appended to the file that repeats the first page's last entry.
    let open = "2026/06/10 19:30:12 ws open user=bob ip=203.0.113.22, 10.10.1.12";
    let page = |time: &str| {
        format!(
            r#"{{"data":{{"result":[{{"values":[["{time}","{open}"]],"stream":{{"syslog_identifier":"t3-dispatch"}}}}],"resultType":"streams"}},"status":"success"}}"#
        )
    };
    let text = format!(
        "{}\n{}\n",
        page("1781119812500000000"),
        page("1781119812500000000")
    );
    let (classes, sink, reader) = read_loki_api(&text);
    assert_eq!(classes, vec![(1, LineClass::Used), (2, LineClass::Ignored)]);
    assert_eq!(kinds(&sink), vec![("ws_open", Source::Journal, 1, None)]);
    let notes = reader.notes("x");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("1 entry repeated"), "{notes:?}");
}

/// A response, the classes of its entries, a phrase each note must contain, and whether the
/// read is cut.
type BrokenCase = (String, Vec<(u64, LineClass)>, Vec<&'static str>, bool);

/// Returns `text` up to the first `mark` and its first five bytes, as a stream cut there.
fn cut_at(text: &str, mark: &str) -> String {
    text[..text.find(mark).unwrap() + 5].to_string()
}

#[test]
fn loki_api_broken_entries_and_responses() {
    let open = "2026/06/10 19:30:12 ws open user=bob ip=203.0.113.22, 10.10.1.12";
    let streams = |values: &str| {
        format!(
            r#"{{"status":"success","data":{{"resultType":"streams","result":[{{"stream":{{"syslog_identifier":"t3-dispatch"}},"values":{values}}}]}}}}"#
        )
    };
    let cases: [BrokenCase; 5] = [
        (
            streams(&format!(r#"[["soon","{open}"],"{open}",["1781119812500000000"]]"#)),
            vec![
                (1, LineClass::Malformed("entry time is not a number of epoch nanoseconds")),
                (2, LineClass::Malformed("entry is not a [time, line] pair")),
                (3, LineClass::Malformed("entry is not a [time, line] pair")),
            ],
            vec![],
            false,
        ),
        (
            // Cut inside the second entry.
            cut_at(
                &streams(&format!(
                    r#"[["1781119812500000000","{open}"],["1781119812600000000","x"]]"#
                )),
                "1781119812600",
            ),
            vec![
                (1, LineClass::Used),
                (2, LineClass::Malformed("invalid JSON in the Loki API response")),
            ],
            vec!["ends early at response 1, after entry 1"],
            true,
        ),
        (
            r#"{"status":"error","data":{"resultType":"streams","result":[]}}"#.to_string(),
            vec![],
            vec!["status `error`"],
            false,
        ),
        (
            // A metric query's result in `jq -S` order: its result type names it first.
            r#"{"data":{"resultType":"matrix","result":[{"metric":{},"values":[[1781119812,"1"]]}]},"status":"success"}"#
                .to_string(),
            vec![],
            vec!["`matrix` result"],
            false,
        ),
        (
            r#"{"status":"success","data":{"resultType":"streams","result":[]}}"#.to_string(),
            vec![],
            vec!["contains no log entry"],
            false,
        ),
    ];
    for (text, expected, phrases, cut) in cases {
        let (classes, _, reader) = read_loki_api(&text);
        assert_eq!(classes, expected, "{text}");
        let notes = reader.notes("x");
        for phrase in phrases {
            assert!(
                notes.iter().any(|note| note.contains(phrase)),
                "{phrase} in {notes:?}"
            );
        }
        assert_eq!(reader.cut().is_some(), cut, "{text}");
    }
}

#[test]
fn loki_api_head_is_told_from_prometheus() {
    // (first bytes, is a Loki streams response)
    let cases: [(&str, bool); 6] = [
        (
            r#"{"status":"success","data":{"resultType":"streams","result":[]}}"#,
            true,
        ),
        (
            r#"{ "status" : "success", "data" : { "resultType" : "streams", "#,
            true,
        ),
        // `jq -S`: the result type comes after the whole result.
        (
            r#"{"data":{"result":[{"stream":{"job":"devvm-journal"},"values":[["1","x"]]"#,
            true,
        ),
        (
            r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
            false,
        ),
        (
            r#"{"data":{"result":[{"metric":{"leg":"internal"},"values":[[1,"1"]]"#,
            false,
        ),
        (r#"[{"line":"x","timestamp":"1"}]"#, false),
    ];
    for (head, expected) in cases {
        assert_eq!(
            loki_api::is_response_head(head.as_bytes()),
            expected,
            "{head}"
        );
    }
}

#[test]
fn serve_stream_without_unit_warns_of_lost_user() {
    // (labels, line, whether the user is lost). The identifier routes a line to the serve
    // parser, but only the unit or a home directory in the line names the user.
    let running = "[19:30:12.100] INFO (#1): T3 Code running on http://127.0.0.1:3774";
    let cases = [
        (r#"{"syslog_identifier":"t3"}"#, running, true),
        (r#"{}"#, running, true),
        (
            r#"{"syslog_identifier":"t3","unit":"t3-serve@bob.service"}"#,
            running,
            false,
        ),
        (
            r#"{"syslog_identifier":"t3"}"#,
            "[19:30:12.100] WARN (#1): git fetch in /home/bob/api timed out",
            false,
        ),
    ];
    for (labels, line, lost) in cases {
        let entry = jsonl(labels, line, "2026-06-10T19:30:12.1Z");
        let (classes, sink, parser) = parse_all(Format::LogcliJsonl, &[&entry]);
        assert_eq!(classes, vec![LineClass::Used], "{labels} {line}");
        assert_eq!(sink.events.len(), 1, "{labels} {line}");
        let warned = parser
            .notes("x")
            .iter()
            .any(|note| note.contains("serve start(s) or git timeout(s) have no user"));
        assert_eq!(warned, lost, "{labels} {line}: {:?}", parser.notes("x"));
    }
}
