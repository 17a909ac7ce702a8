//! Traefik access logs, in the default CLF-style format and in the JSON format, plus the
//! diagnostic lines Traefik mixes into the same stdout.
//!
//! Written against the formatter in Traefik's `pkg/middlewares/accesslog`, which writes
//!
//! ```text
//! <ClientHost> - <user> [02/Jan/2006:15:04:05 -0700] "<method> <path> <protocol>" <status> <size> "<Referer>" "<User-Agent>" <count> "<router>" "<service URL>" <duration>ms
//! ```
//!
//! The line is written when the request ends, but the bracket contains its start, so a file is
//! ordered by end time and its bracket times are out of order by up to a WebSocket's life. Every
//! access line marks Traefik as logging at its end (start plus duration). Only `GET` requests
//! for the WebSocket path on a t3 router become [`EventKind::TraefikSocket`] events.
//!
//! `ClientHost` (the raw X-Forwarded-For value), the user, the Referer and the User-Agent are
//! client-controlled text, so a line is read from both ends. The duration, service URL, router
//! and request count come from the right. The bracket time and request line are then searched
//! leftwards from there. Recent releases escape quotes in header values as `\"` and older ones
//! wrote them raw, which this order tolerates because the header values are never parsed.

use std::borrow::Cow;

use serde::Deserialize;

use super::client::{client_of_chain, parse_host};
use super::{
    LineClass, LineCtx, LineParser, ParseOptions, Sink, contains, find, leading_number, rfind,
};
use crate::event::{EventKind, Source, TraefikClass};

use crate::time::{MAX_TIME, MILLI, Precision, SECOND, Zone, parse_clf, parse_iso};

/// How long after a request's end Traefik's line can be stamped by an envelope: the write and
/// the runtime's read. An estimate.
const WRITE_SLACK: i64 = 100 * MILLI;

/// Parses Traefik access lines into `EventKind::TraefikSocket` events.
pub struct TraefikParser {
    options: ParseOptions,
    /// The last CLF time bracket the fast path read, its bytes up to `] "`, and its time.
    /// Neighbouring lines mostly share it, and reading it again took a quarter of a thread's
    /// time on other routers' lines (perf, on the benchmark's Traefik log).
    last_bracket: Option<([u8; BRACKET_MAX], usize, i64)>,
}

/// Half a second: a CLF start is cut to its second, so the middle of that second is the
/// estimate of the true start that errs least.
const CLF_MIDDLE: i64 = SECOND / 2;

/// The longest CLF time bracket cached: `10/Jun/2026:19:30:12 +0000] "` is 29 bytes.
const BRACKET_MAX: usize = 32;

impl TraefikParser {
    pub fn new(options: &ParseOptions) -> TraefikParser {
        TraefikParser {
            options: options.clone(),
            last_bracket: None,
        }
    }

    /// The fast path for the lines of other routers, nearly all of a Traefik log: a CLF line
    /// whose request is not a `GET` of the ws path or of `/probe/` cannot be a t3 socket, so
    /// only its end time is read, for coverage. Returns `None` when the line needs the full
    /// reading (it may be a socket, or its time, duration or request does not read).
    ///
    /// NOTE: such a line is counted as ignored without checking its middle fields, so a line
    /// damaged only between its request and its duration is not reported as malformed. That
    /// includes a line cut after its request, or in its client host or user, with the next
    /// line joined to it, even when the joined line is a socket's. Each check would scan the
    /// line or the host: a `memchr2` over the host alone added 12 % to callgrind's count on
    /// 150,000 lines from `gen_testdata`.
    fn quick_end_time(&mut self, line: &[u8]) -> Option<i64> {
        // `… <duration>ms` at the end.
        let rest = line.strip_suffix(b"ms")?;
        let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        // `digits` counts bytes of `rest`, so the split point is never negative, even for a
        // line that is only `<digits>ms`.
        let (head, number) = rest.split_at(rest.len() - digits);
        if digits == 0 || digits > 15 || head.last() != Some(&b' ') {
            return None;
        }
        let (dur_ms, _) = leading_number(number)?;
        let duration = i64::try_from(dur_ms).ok()?.checked_mul(MILLI)?;
        // `[10/Jun/2026:19:30:12 +0000] "`: the first bracket that contains a whole CLF time. An
        // IPv6 client's `[2001:db8::7]` can come before it.
        for open in memchr::memchr_iter(b'[', line).take(4) {
            let text = &line[open + 1..];
            let Some((start, len)) = self.bracket_time(text) else {
                // A bracket after `<user> ` that contains no time is a time cut short, with the
                // next line joined to it. The full reading reports the line as malformed.
                if line[..open].ends_with(b"- ") {
                    return None;
                }
                continue;
            };
            // The time bracket follows `<client> - <user> `. A bracket with no ` - ` before it,
            // or a quote there, may be text forged into X-Forwarded-For, so the line gets the
            // full reading, which reads the request from the right end.
            // NOTE: a whole forged line prefix in X-Forwarded-For (`1.2.3.4 - - [time] "GET
            // /x HTTP/1.1" …`) still passes, and hides that client's own socket line.
            let prefix = &line[..open];
            let fields = prefix.strip_suffix(b" ")?;
            let user_at = memchr::memrchr(b' ', fields).map_or(0, |space| space + 1);
            if !fields[..user_at].ends_with(b" - ") || memchr::memchr(b'"', prefix).is_some() {
                return None;
            }
            if self.may_be_socket(&text[len..]) {
                return None;
            }
            return start
                .checked_add(duration + CLF_MIDDLE)
                .filter(|end| *end <= MAX_TIME);
        }
        None
    }

    /// Reads a CLF time bracket up to its `] "`, returning its time and its length. The same
    /// bytes as the last bracket read are the same time.
    fn bracket_time(&mut self, text: &[u8]) -> Option<(i64, usize)> {
        if let Some((bytes, len, start)) = &self.last_bracket
            && text.get(..*len) == Some(&bytes[..*len])
        {
            return Some((*start, *len));
        }
        let parsed = parse_clf(text)?;
        if text.get(parsed.len..parsed.len + 3) != Some(b"] \"") {
            return None;
        }
        let len = parsed.len + 3;
        if len <= BRACKET_MAX {
            let mut bytes = [0u8; BRACKET_MAX];
            bytes[..len].copy_from_slice(&text[..len]);
            self.last_bracket = Some((bytes, len, parsed.micros));
        }
        Some((parsed.micros, len))
    }

    /// Tells whether a CLF request field (`GET /ws HTTP/1.1"…`) can be a t3 socket's: a `GET`
    /// of the ws path, with or without a query, or of a `/probe/` path. `classify` decides.
    fn may_be_socket(&self, request: &[u8]) -> bool {
        let Some(target) = request.strip_prefix(b"GET ") else {
            return false;
        };
        if target.starts_with(b"/probe/") {
            return true;
        }
        target
            .strip_prefix(self.options.ws_path.as_bytes())
            .is_some_and(|rest| matches!(rest.first(), Some(b' ' | b'?' | b'"') | None))
    }

    fn parse_clf_fields(
        &self,
        fields: &ClfFields,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> LineClass {
        let Some(duration_micros) = i64::try_from(fields.dur_ms)
            .ok()
            .and_then(|ms| ms.checked_mul(MILLI))
        else {
            return LineClass::Malformed("duration out of range");
        };
        let access = Access {
            start: fields.start,
            start_precision: Precision::Second,
            cut_to_second: true,
            duration_micros,
            dur_ms: fields.dur_ms,
            method: fields.method,
            path: fields.path,
            client_host: fields.client_host,
            status: fields.status,
            router: Router::Quoted(fields.router),
        };
        self.record(&access, line, ctx, sink)
    }

    fn parse_json(
        &self,
        json: &JsonLine,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> LineClass {
        if !json.is_access() {
            let time = json.time.as_ref().and_then(|time| time.as_str());
            see_diagnostic(
                time.and_then(|time| iso_micros(time.as_bytes(), self.options.zone)),
                ctx,
                sink,
            );
            return LineClass::Ignored;
        }

        let Some(start_text) = json.start_utc.as_deref().or(json.start_local.as_deref()) else {
            return LineClass::Malformed("JSON access line without StartUTC");
        };
        let Some(start) = parse_iso(start_text.as_bytes(), self.options.zone)
            .filter(|p| p.len == start_text.len())
        else {
            return LineClass::Malformed("invalid StartUTC");
        };
        let Some(duration) = &json.duration else {
            return LineClass::Malformed("JSON access line without Duration");
        };
        // Go marshals time.Duration as whole nanoseconds. Some shippers turn numbers into
        // strings on the way, so `"21873000000"` reads too.
        let nanos = match duration {
            Nanos::Number(number) => number.as_u64(),
            Nanos::Text(text) => text.trim().parse::<u64>().ok(),
        };
        let Some(nanos) = nanos else {
            return LineClass::Malformed("Duration is not a whole number of nanoseconds");
        };
        let Ok(duration_micros) = i64::try_from(nanos / 1_000) else {
            return LineClass::Malformed("duration out of range");
        };

        let status = json
            .downstream_status
            .as_ref()
            .or(json.origin_status.as_ref());
        let client_host = match json.client_host.as_deref() {
            Some(host) if !host.is_empty() && host != "-" => host,
            _ => json.client_addr.as_deref().unwrap_or(""),
        };
        let access = Access {
            start: start.micros,
            start_precision: start.precision,
            cut_to_second: false,
            duration_micros,
            dur_ms: nanos / 1_000_000,
            method: json.request_method.as_deref().unwrap_or("").as_bytes(),
            path: json.request_path.as_deref().unwrap_or("").as_bytes(),
            client_host: client_host.as_bytes(),
            status: status
                .and_then(|n| n.as_u64())
                .and_then(|n| u16::try_from(n).ok()),
            router: Router::Plain(json.router_name.as_deref().unwrap_or("")),
        };
        self.record(&access, line, ctx, sink)
    }

    /// Marks Traefik as logging at the request end and pushes the socket event when the request
    /// is a t3 socket.
    fn record(&self, access: &Access, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        let Some(end) = access
            .start
            .checked_add(access.duration_micros)
            .filter(|end| *end <= MAX_TIME)
        else {
            return LineClass::Malformed("duration out of range");
        };
        // A CLF start is cut to the second, so the true end lies up to a second after
        // `start + duration`. A finer envelope time in that range (kubectl, the container
        // runtime) is when the line was written, at the end, and pins it. Without one, the
        // end is read at the middle of that second, half a second either way from the truth.
        let (end, precision) = match ctx.outer_time {
            Some((outer, outer_precision))
                if access.start_precision == Precision::Second
                    && outer_precision != Precision::Second
                    && (end..=end + SECOND + WRITE_SLACK).contains(&outer) =>
            {
                (outer, outer_precision)
            }
            _ if access.cut_to_second => (end + CLF_MIDDLE, Precision::Second),
            _ => (end, access.start_precision),
        };
        sink.saw(Source::Traefik, ctx.pod, end);

        let (class, router) = match self.classify(access) {
            Classified::Socket(class, router) => (class, router),
            Classified::OtherRouter(router) => {
                sink.other_ws_routers.add(&router, 1);
                return LineClass::Ignored;
            }
            Classified::Other => return LineClass::Ignored,
        };
        let kind = EventKind::TraefikSocket {
            class,
            client: client_of_chain(access.client_host),
            start: access.start,
            start_precision: access.start_precision,
            dur_ms: access.dur_ms,
            status: access.status,
            router: Box::from(router.as_ref()),
        };
        sink.push(end, precision, Source::Traefik, ctx, kind, line);
        LineClass::Used
    }

    /// Returns the socket class and the decoded router name of a t3 WebSocket request, or the
    /// router of a WebSocket request on a router `--router` does not match. The router regex
    /// runs only after the cheap method and path checks have passed.
    fn classify<'a>(&self, access: &'a Access) -> Classified<'a> {
        if access.method != b"GET" {
            return Classified::Other;
        }
        let (path, query) = match memchr::memchr(b'?', access.path) {
            Some(at) => (&access.path[..at], Some(&access.path[at + 1..])),
            None => (access.path, None),
        };
        let is_ws = path == self.options.ws_path.as_bytes();
        let is_probe_path = path.starts_with(b"/probe/");
        if !is_ws && !is_probe_path {
            return Classified::Other;
        }

        let router = access.router.decode();
        if !self.options.router.is_match(&router) {
            return if is_ws {
                Classified::OtherRouter(router)
            } else {
                Classified::Other
            };
        }
        let class = if is_probe_path || router.contains("probe") {
            TraefikClass::Probe
        } else if query.is_some_and(|query| contains(query, b"wsTicket")) {
            TraefikClass::Native
        } else {
            TraefikClass::Browser
        };
        Classified::Socket(class, router)
    }
}

/// The class of a Traefik request, as the tool reads it.
enum Classified<'a> {
    /// A t3 socket of this class, on this router.
    Socket(TraefikClass, Cow<'a, str>),
    /// A WebSocket request on a router that `--router` does not match.
    OtherRouter(Cow<'a, str>),
    Other,
}

impl LineParser for TraefikParser {
    fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        let line = trim_end(line);
        if line.is_empty() {
            return LineClass::Ignored;
        }

        if trim_start(line).first() == Some(&b'{') {
            let json_error = match serde_json::from_slice::<JsonLine>(line) {
                Ok(json) => return self.parse_json(&json, line, ctx, sink),
                Err(error) => error,
            };
            // A CLF line starts with the client-supplied X-Forwarded-For text, which can
            // start with `{` too.
            return match read_clf(line) {
                Ok(fields) => self.parse_clf_fields(&fields, line, ctx, sink),
                // Valid JSON whose fields do not fit Traefik's types.
                Err(_) if json_error.is_data() => LineClass::Malformed(
                    "JSON access line with a field of the wrong type (a string where a number \
                     belongs, or the reverse)",
                ),
                Err(_) => LineClass::Malformed("invalid JSON"),
            };
        }

        if let Some(end) = self.quick_end_time(line) {
            sink.saw(Source::Traefik, ctx.pod, end);
            return LineClass::Ignored;
        }

        // The access line is tried before the diagnostic shapes because a client-supplied
        // `ClientHost` can start like a diagnostic line, `2026-06-10T19:30:12Z ERR`.
        let reason = match read_clf(line) {
            Ok(fields) => return self.parse_clf_fields(&fields, line, ctx, sink),
            Err(reason) => reason,
        };
        if let Some(time) = diagnostic_time(line, self.options.zone) {
            see_diagnostic(time, ctx, sink);
            return LineClass::Ignored;
        }
        // The Kubernetes client logs in klog's format, whose `file.go:158] "message"` looks
        // like a CLF request.
        if is_klog(line) {
            return LineClass::Ignored;
        }
        if looks_like_access(line) {
            return LineClass::Malformed(reason);
        }
        // Another program's line, such as a journal line in a mixed stream, is malformed, so
        // the mix shows in the summary and fails `--strict`.
        if super::journal::sniff(line) == 2 || super::journal::is_journal_note(line) {
            return LineClass::Malformed("a devvm journal line among Traefik lines");
        }
        // A `journalctl -o cat` dispatch line keeps only Go's log prefix.
        if is_dispatch_cat_line(line) {
            return LineClass::Malformed(
                "a t3-dispatch line (journalctl -o cat) among Traefik lines",
            );
        }
        if is_iso_shaped(line) {
            return LineClass::Malformed(
                "a timestamped line that is neither an access line nor a Traefik diagnostic",
            );
        }
        // Bytes that no text log contains: a damaged file or binary data.
        if is_binary(line) {
            return LineClass::Malformed("binary data, not a text line");
        }
        // Untimed text of another shape: the continuation lines of Traefik's multi-line
        // messages, Kubernetes client (klog) lines, plugin output, Go panic traces. None of it
        // carries a socket.
        LineClass::Ignored
    }
}

/// Tells whether a line is a t3-dispatch message with Go's log prefix, as `journalctl -o cat`
/// prints it: `2026/06/10 19:30:12 ws close …`.
fn is_dispatch_cat_line(line: &[u8]) -> bool {
    let Some((_, used)) = super::dispatch::go_prefix(line) else {
        return false;
    };
    let message = &line[used..];
    [
        &b"ws open "[..],
        b"ws close ",
        b"http: proxy error",
        b"t3-dispatch listening",
    ]
    .iter()
    .any(|start| message.starts_with(start))
}

/// Tells whether a line contains bytes that a text log does not: control characters other than
/// tab, or invalid UTF-8.
fn is_binary(line: &[u8]) -> bool {
    line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
        || std::str::from_utf8(line).is_err()
}

/// Scores how strongly a line looks like a Traefik access line: 0 not at all, 1 maybe, 2 surely.
///
/// 2 is an access line that parses (CLF, or JSON with access keys). 1 is a line with words only
/// Traefik's diagnostics use. Those diagnostics share cloudflared's console shape, so a caller
/// should decide from many lines.
pub fn sniff(line: &[u8]) -> u8 {
    let line = trim_end(line);
    if read_clf(line).is_ok() {
        return 2;
    }
    if trim_start(line).first() == Some(&b'{')
        && serde_json::from_slice::<JsonLine>(line).is_ok_and(|json| json.is_access())
    {
        return 2;
    }
    u8::from(has_diagnostic_words(line))
}

/// Field names and messages that only Traefik's own logs contain.
const DIAGNOSTIC_WORDS: &[&[u8]] = &[
    b"providerName=",
    b"entryPointName=",
    b"routerName=",
    b"middlewareName=",
    b"serviceName=",
    b"\"providerName\"",
    b"\"entryPointName\"",
    b"\"routerName\"",
    b"\"middlewareName\"",
    b"\"serviceName\"",
    b"Configuration loaded",
    b"Traefik version",
];

/// Fields of cloudflared lines. Its `originService=https://traefik…` names Traefik as the origin,
/// so the bare word `traefik` counts only on lines without these.
const CLOUDFLARED_WORDS: &[&[u8]] = &[
    b"originService",
    b"connIndex",
    b"cfRay",
    b"tunnelID",
    b"ingressRule",
];

fn has_diagnostic_words(line: &[u8]) -> bool {
    if DIAGNOSTIC_WORDS.iter().any(|word| contains(line, word)) {
        return true;
    }
    let names_traefik = contains(line, b"traefik") || contains(line, b"Traefik");
    names_traefik && !CLOUDFLARED_WORDS.iter().any(|word| contains(line, word))
}

/// Records a diagnostic line as Traefik activity at its own time, or at the envelope's time
/// when the line carries none that parses.
fn see_diagnostic(time: Option<i64>, ctx: &LineCtx, sink: &mut Sink) {
    if let Some(time) = time.or(ctx.outer_time.map(|(time, _)| time)) {
        sink.saw(Source::Traefik, ctx.pod, time);
    }
}

/// Tells whether a line is one of Traefik's diagnostic lines, and if so returns its time when
/// that parses. The shapes are the zerolog console `2026-06-10T19:30:12Z ERR …`, logrus text
/// `time="2026-06-10T19:30:12Z" level=error …` from older releases, and logrus on a terminal,
/// `INFO[0000] …`, which has no date.
fn diagnostic_time(line: &[u8], zone: Zone) -> Option<Option<i64>> {
    if let Some(rest) = line.strip_prefix(b"time=\"") {
        return Some(iso_micros(rest, zone));
    }
    if is_iso_shaped(line) {
        // zerolog's console writer puts a three-letter level after the time. Another log's
        // timestamped line (a journal line in a mixed stream) is not a Traefik diagnostic.
        let parsed = parse_iso(line, zone)?;
        let level = line.get(parsed.len..)?.strip_prefix(b" ")?;
        let is_level = level.len() >= 3
            && ZEROLOG_LEVELS.contains(&&level[..3])
            && level.get(3).is_none_or(|b| *b == b' ');
        return is_level.then_some(Some(parsed.micros));
    }
    const TERMINAL_LEVELS: &[&[u8]] = &[
        b"TRAC[", b"DEBU[", b"INFO[", b"WARN[", b"ERRO[", b"FATA[", b"PANI[",
    ];
    if TERMINAL_LEVELS.iter().any(|level| line.starts_with(level)) {
        return Some(None);
    }
    None
}

/// zerolog's console levels, as Traefik v3 writes them without colour.
const ZEROLOG_LEVELS: &[&[u8]] = &[b"TRC", b"DBG", b"INF", b"WRN", b"ERR", b"FTL", b"PNC"];

/// Tells whether a line starts like an ISO 8601 date and time, `2026-06-10T19:30:12` or with a
/// space for the `T`.
fn is_iso_shaped(line: &[u8]) -> bool {
    line.len() >= 19
        && line.first().is_some_and(u8::is_ascii_digit)
        && line.get(4) == Some(&b'-')
        && line.get(7) == Some(&b'-')
        && matches!(line.get(10), Some(b'T' | b' '))
}

fn iso_micros(text: &[u8], zone: Zone) -> Option<i64> {
    parse_iso(text, zone).map(|parsed| parsed.micros)
}

/// The request fields both formats yield, borrowed from the line or its JSON values.
struct Access<'a> {
    start: i64,
    start_precision: Precision,
    /// Set for a CLF start, which Traefik cuts to the second. A JSON `StartUTC` without a
    /// fraction is exact (Go's RFC 3339 format drops trailing zeros).
    cut_to_second: bool,
    duration_micros: i64,
    dur_ms: u64,
    method: &'a [u8],
    /// The request target, query included.
    path: &'a [u8],
    client_host: &'a [u8],
    status: Option<u16>,
    router: Router<'a>,
}

/// A router name as the line wrote it.
enum Router<'a> {
    /// The text between the quotes of a CLF field, possibly with Go escapes such as `\"`.
    Quoted(&'a [u8]),
    /// A JSON string, already decoded.
    Plain(&'a str),
}

impl Router<'_> {
    fn decode(&self) -> Cow<'_, str> {
        match self {
            Router::Quoted(bytes) => unquote_go(bytes),
            Router::Plain(text) => Cow::Borrowed(text),
        }
    }
}

/// The fields of a CLF access line that the parser uses, borrowed from the line.
#[derive(Debug, PartialEq)]
struct ClfFields<'a> {
    client_host: &'a [u8],
    /// The bracket time, the request start, in UTC microseconds.
    start: i64,
    method: &'a [u8],
    path: &'a [u8],
    /// `None` when Traefik wrote `-`.
    status: Option<u16>,
    /// The router name between its quotes, still escaped.
    router: &'a [u8],
    dur_ms: u64,
}

/// Reads a CLF access line, or returns why it cannot be read.
fn read_clf(line: &[u8]) -> Result<ClfFields<'_>, &'static str> {
    let tail = read_tail(line)?;
    let head = read_head(tail.head)?;
    if !ends_in_address(head.client_host) {
        return Err(CUT_LINE_JOINED);
    }
    Ok(ClfFields {
        client_host: head.client_host,
        start: head.start,
        method: head.method,
        path: head.path,
        status: head.status,
        router: tail.router,
        dur_ms: tail.dur_ms,
    })
}

/// The reason for a CLF line whose client host does not end in an address.
const CUT_LINE_JOINED: &str =
    "client host does not end in an address, as when a line cut short runs into the next one";

/// Tells whether a CLF client host ends in an address, or is `-` or empty (no client).
///
/// The host is a forwarded-for chain whose last element a proxy appended, so it is an address
/// whatever the client sent before it. A line cut short and joined to the next one puts the cut
/// line's start in front of the next line's host, `192.0.2.77 - - [10/Jun/2026:19203.0.113.22`,
/// and its last element is no longer an address.
///
/// NOTE: a cut right after a chain's `, ` leaves a valid chain and reads as the joined line.
fn ends_in_address(host: &[u8]) -> bool {
    let last = host.rsplit(|&b| b == b',').next().unwrap_or_default();
    let last = trim_end(trim_start(last));
    last.is_empty() || last == b"-" || parse_host(last).is_some()
}

/// The right end of a CLF line: ` <count> "<router>" "<service URL>" <duration>ms`.
struct Tail<'a> {
    /// Everything left of the request count.
    head: &'a [u8],
    router: &'a [u8],
    dur_ms: u64,
}

fn read_tail(line: &[u8]) -> Result<Tail<'_>, &'static str> {
    let rest = line.strip_suffix(b"ms").ok_or("missing duration")?;
    let digit_count = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (rest, digits) = rest.split_at(rest.len() - digit_count);
    if digit_count == 0 {
        return Err("missing duration");
    }
    let (dur_ms, _) = leading_number(digits).ok_or("duration out of range")?;
    let rest = rest.strip_suffix(b" ").ok_or("missing duration")?;

    let (rest, _service_url) = quoted_from_end(rest).ok_or("unterminated quoted service URL")?;
    let rest = rest.strip_suffix(b" ").ok_or("missing service URL")?;
    let (rest, router) = quoted_from_end(rest).ok_or("unterminated quoted router name")?;
    let rest = rest.strip_suffix(b" ").ok_or("missing router name")?;

    let count_len = rest
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit() || **b == b'-')
        .count();
    if count_len == 0 {
        return Err("missing request count");
    }
    let head = rest[..rest.len() - count_len]
        .strip_suffix(b" ")
        .ok_or("missing request count")?;
    Ok(Tail {
        head,
        router,
        dur_ms,
    })
}

/// The left part of a CLF line, up to the size.
struct Head<'a> {
    client_host: &'a [u8],
    start: i64,
    method: &'a [u8],
    path: &'a [u8],
    status: Option<u16>,
}

/// Reads `<ClientHost> - <user> [time] "<request>" <status> <size> "<Referer>" "<User-Agent>"`.
///
/// The bracket time ends at a `] "`, and candidates are tried from the right. In releases that
/// escape quotes, only the client-controlled `ClientHost` on the left can contain another
/// `] "`. The first candidate that reads as a whole wins.
///
/// In older releases that wrote header quotes raw, a User-Agent that contains a complete fake
/// `[time] "GET /ws …" 0 0 ` sequence wins, but its client host then contains the real request and
/// `read_clf` reports the line as malformed.
fn read_head(head: &[u8]) -> Result<Head<'_>, &'static str> {
    let mut end = head.len();
    let mut error = "missing [time]";
    while let Some(at) = rfind(&head[..end], b"] \"") {
        match read_head_at(head, at) {
            Ok(fields) => return Ok(fields),
            Err(reason) => error = reason,
        }
        end = at;
    }
    Err(error)
}

/// Maximum length of a bracket time, reached by `10/Jun/2026:19:30:12 +0000`.
const MAX_CLF_TIME_LEN: usize = 26;

/// Reads the head with its bracket time closing at `at`, the position of `] "`.
fn read_head_at(head: &[u8], at: usize) -> Result<Head<'_>, &'static str> {
    let window = at.saturating_sub(MAX_CLF_TIME_LEN + 1);
    let open = window + memchr::memrchr(b'[', &head[window..at]).ok_or("missing [time]")?;
    let time_text = &head[open + 1..at];
    let start = parse_clf(time_text)
        .filter(|p| p.len == time_text.len())
        .ok_or("invalid time")?;

    // `<ClientHost> - <user> `: the host ends at the last ` - `, because only the host's right
    // end (the address Cloudflare appended) is trustworthy.
    let left = head[..open]
        .strip_suffix(b" ")
        .ok_or("missing client host")?;
    let dash = rfind(left, b" - ").ok_or("missing client host")?;
    let client_host = &left[..dash];

    // `"<method> <target> <protocol>" `: Go's HTTP/1 server rejects a request line with a space
    // in its target, so the first `" ` ends the request line even when the query contains a raw
    // quote.
    let request_start = at + 3;
    let request_len = find(&head[request_start..], b"\" ").ok_or("unterminated request line")?;
    let request = &head[request_start..request_start + request_len];
    let mut parts = request.splitn(3, |&b| b == b' ');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().ok_or("unreadable request line")?;

    let rest = &head[request_start + request_len + 2..];
    let mut numbers = rest.splitn(3, |&b| b == b' ');
    let status = parse_status(numbers.next().unwrap_or_default())?;
    let size = numbers.next().ok_or("missing size")?;
    if size != b"-" && (size.is_empty() || !size.iter().all(u8::is_ascii_digit)) {
        return Err("invalid size");
    }
    Ok(Head {
        client_host,
        start: start.micros,
        method,
        path,
        status,
    })
}

fn parse_status(text: &[u8]) -> Result<Option<u16>, &'static str> {
    if text == b"-" {
        return Ok(None);
    }
    match leading_number(text) {
        Some((value, used)) if used == text.len() => {
            u16::try_from(value).map(Some).map_err(|_| "invalid status")
        }
        _ => Err("invalid status"),
    }
}

/// Splits `… "<text>"` into what precedes the opening quote and the text inside. A quote
/// preceded by an odd number of backslashes is escaped and does not count.
fn quoted_from_end(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = bytes.strip_suffix(b"\"")?;
    if escapes_next(body) {
        return None;
    }
    let mut end = body.len();
    loop {
        let quote = memchr::memrchr(b'"', &body[..end])?;
        if !escapes_next(&body[..quote]) {
            return Some((&body[..quote], &body[quote + 1..]));
        }
        end = quote;
    }
}

/// Tells whether `bytes` ends in an odd run of backslashes, which escapes the next byte.
fn escapes_next(bytes: &[u8]) -> bool {
    bytes.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Decodes the inside of a Go `strconv.Quote` string: `\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`,
/// `\uHHHH` and `\UHHHHHHHH`. An escape it cannot read is kept as written.
fn unquote_go(inner: &[u8]) -> Cow<'_, str> {
    if memchr::memchr(b'\\', inner).is_none() {
        return String::from_utf8_lossy(inner);
    }
    let mut out = Vec::with_capacity(inner.len());
    let mut rest = inner;
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let Some((&escape, after)) = rest.split_first() else {
            out.push(byte);
            break;
        };
        rest = after;
        match escape {
            b'"' | b'\\' | b'\'' => out.push(escape),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'x' | b'u' | b'U' => {
                let digits = match escape {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let value = rest
                    .get(..digits)
                    .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                match value {
                    // `\xHH` is one raw byte, at most 0xff, not a code point.
                    Some(value) if escape == b'x' => out.push(value as u8),
                    Some(value) => {
                        let c = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    None => {
                        out.extend_from_slice(&[byte, escape]);
                        continue;
                    }
                }
                rest = &rest[digits..];
            }
            _ => out.extend_from_slice(&[byte, escape]),
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Tells whether a line that failed to read as an access line still has an access line's
/// shape, so it counts as malformed instead of foreign.
/// Tells whether a line starts like klog's header, `E0610 10:00:01.123999       1 file.go:158] `:
/// a level letter, the month and day, the time with microseconds, the thread id, then the
/// source position and `]`.
fn is_klog(line: &[u8]) -> bool {
    let header = line.get(..21).unwrap_or(b"");
    let digits = |range: std::ops::Range<usize>| header[range].iter().all(u8::is_ascii_digit);
    header.len() == 21
        && matches!(header[0], b'I' | b'W' | b'E' | b'F')
        && digits(1..5)
        && header[5] == b' '
        && digits(6..8)
        && header[8] == b':'
        && digits(9..11)
        && header[11] == b':'
        && digits(12..14)
        && header[14] == b'.'
        && digits(15..21)
        && line[21..]
            .split(|b| *b == b' ')
            .find(|field| !field.is_empty() && !field.iter().all(u8::is_ascii_digit))
            .is_some_and(|position| position.ends_with(b"]"))
}

fn looks_like_access(line: &[u8]) -> bool {
    if contains(line, b"] \"") || (line.ends_with(b"ms") && contains(line, b"\" ")) {
        return true;
    }
    // ` [10/`: the start of a CLF bracket time.
    memchr::memmem::find_iter(line, b" [").any(|at| {
        let after = &line[at + 2..];
        after.len() >= 3 && after[..2].iter().all(u8::is_ascii_digit) && after[2] == b'/'
    })
}

fn trim_start(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    &line[start..]
}

fn trim_end(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// A JSON `Duration`: a number, as Traefik writes it, or a string of digits.
#[derive(Deserialize)]
#[serde(untagged)]
enum Nanos<'a> {
    Number(serde_json::Number),
    Text(#[serde(borrow)] Cow<'a, str>),
}

/// The keys of a JSON line that the parser reads. Access lines carry the capitalised Traefik
/// fields. Diagnostic lines carry only the logger's `level`, `time` and message. Other keys,
/// `ServiceURL` among them (a string, or an object in old releases), are skipped.
#[derive(Deserialize)]
struct JsonLine<'a> {
    #[serde(rename = "StartUTC", borrow)]
    start_utc: Option<Cow<'a, str>>,
    #[serde(rename = "StartLocal", borrow)]
    start_local: Option<Cow<'a, str>>,
    /// Nanoseconds.
    #[serde(rename = "Duration", borrow)]
    duration: Option<Nanos<'a>>,
    #[serde(rename = "RouterName", borrow)]
    router_name: Option<Cow<'a, str>>,
    #[serde(rename = "RequestMethod", borrow)]
    request_method: Option<Cow<'a, str>>,
    /// The request target, query included. JSON may escape its `&` as `\u0026`.
    #[serde(rename = "RequestPath", borrow)]
    request_path: Option<Cow<'a, str>>,
    #[serde(rename = "ClientHost", borrow)]
    client_host: Option<Cow<'a, str>>,
    #[serde(rename = "ClientAddr", borrow)]
    client_addr: Option<Cow<'a, str>>,
    #[serde(rename = "DownstreamStatus")]
    downstream_status: Option<serde_json::Number>,
    #[serde(rename = "OriginStatus")]
    origin_status: Option<serde_json::Number>,
    /// The logger's time: an RFC 3339 string by default, but a logger configured otherwise may
    /// write a number, so any value is accepted here.
    time: Option<serde_json::Value>,
}

impl JsonLine<'_> {
    fn is_access(&self) -> bool {
        self.start_utc.is_some()
            || self.start_local.is_some()
            || self.router_name.is_some()
            || self.downstream_status.is_some()
            || self.request_method.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use proptest::prelude::*;

    use super::*;
    use crate::event::Event;

    const T3_ROUTER: &str = "t3code-t3-t3-example-net@kubernetes";

    fn utc(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_micros()
    }

    /// The class, events and activity times that one line produced.
    struct Outcome {
        class: LineClass,
        events: Vec<Event>,
        seen: Vec<i64>,
    }

    fn run_with(options: &ParseOptions, line: &[u8]) -> Outcome {
        let mut parser = TraefikParser::new(options);
        let mut sink = Sink::new(0);
        let class = parser.parse_line(line, &LineCtx::plain(1), &mut sink);
        let seen = sink
            .activity
            .tracks
            .values()
            .flat_map(|track| [track.first, track.last])
            .collect();
        Outcome {
            class,
            events: sink.events,
            seen,
        }
    }

    fn run(line: &str) -> Outcome {
        run_with(&ParseOptions::default(), line.as_bytes())
    }

    enum Expect {
        Socket {
            class: TraefikClass,
            client: Option<&'static str>,
            start: &'static str,
            precision: Precision,
            /// The request end, which is also the event time.
            end: &'static str,
            dur_ms: u64,
            status: Option<u16>,
            router: &'static str,
        },
        /// A valid line of no interest, with the time Traefik was seen logging, if any.
        Ignored(Option<&'static str>),
        Malformed(&'static str),
    }

    fn browser(
        client: &'static str,
        start: &'static str,
        end: &'static str,
        dur_ms: u64,
    ) -> Expect {
        Expect::Socket {
            class: TraefikClass::Browser,
            client: Some(client),
            start,
            precision: Precision::Second,
            end,
            dur_ms,
            status: Some(0),
            router: T3_ROUTER,
        }
    }

    fn with_status(expect: Expect, new_status: Option<u16>) -> Expect {
        match expect {
            Expect::Socket {
                class,
                client,
                start,
                precision,
                end,
                dur_ms,
                router,
                ..
            } => Expect::Socket {
                class,
                client,
                start,
                precision,
                end,
                dur_ms,
                status: new_status,
                router,
            },
            other => other,
        }
    }

    fn with_router(expect: Expect, new_class: TraefikClass, new_router: &'static str) -> Expect {
        match expect {
            Expect::Socket {
                client,
                start,
                precision,
                end,
                dur_ms,
                status,
                ..
            } => Expect::Socket {
                class: new_class,
                client,
                start,
                precision,
                end,
                dur_ms,
                status,
                router: new_router,
            },
            other => other,
        }
    }

    fn check(name: &str, line: &str, expect: &Expect) {
        let outcome = run(line);
        match expect {
            Expect::Socket {
                class,
                client,
                start,
                precision,
                end,
                dur_ms,
                status,
                router,
            } => {
                assert_eq!(outcome.class, LineClass::Used, "{name}: class");
                assert_eq!(outcome.events.len(), 1, "{name}: event count");
                let event = &outcome.events[0];
                assert_eq!(event.time, utc(end), "{name}: event time");
                assert_eq!(event.source, Source::Traefik, "{name}: source");
                assert_eq!(outcome.seen, vec![utc(end), utc(end)], "{name}: activity");
                let expected = EventKind::TraefikSocket {
                    class: *class,
                    client: client.map(|text| text.parse::<IpAddr>().unwrap()),
                    start: utc(start),
                    start_precision: *precision,
                    dur_ms: *dur_ms,
                    status: *status,
                    router: Box::from(*router),
                };
                assert_eq!(event.kind, expected, "{name}: kind");
            }
            Expect::Ignored(seen) => {
                assert_eq!(outcome.class, LineClass::Ignored, "{name}: class");
                assert!(outcome.events.is_empty(), "{name}: events");
                let expected: Vec<i64> = seen
                    .iter()
                    .flat_map(|time| [utc(time), utc(time)])
                    .collect();
                assert_eq!(outcome.seen, expected, "{name}: activity");
            }
            Expect::Malformed(reason) => {
                assert_eq!(outcome.class, LineClass::Malformed(reason), "{name}: class");
                assert!(outcome.events.is_empty(), "{name}: events");
                assert!(outcome.seen.is_empty(), "{name}: activity");
            }
        }
    }

    #[test]
    fn clf_access_lines() {
        use TraefikClass::{Browser, Native, Probe};
        let rows: Vec<(&str, &str, Expect)> = vec![
            (
                "browser socket through a cloudflared pod",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0 (X11; Linux x86_64)" 48213 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1512345ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:55:24.845Z",
                    1_512_345,
                ),
            ),
            (
                "client-supplied addresses before Cloudflare's",
                r#"198.51.100.9, 203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 21873ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:34.373Z",
                    21_873,
                ),
            ),
            (
                "IPv6 client in a chain",
                r#"2001:db8::7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "2001:db8::7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "IPv6 peer without a forwarded header",
                r#"2001:db8::7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "2001:db8::7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "forwarded header carrying a fake request",
                r#"1.2.3.4 - - [01/Jan/2020:00:00:00 +0000] "GET /ws HTTP/1.1" 0 0 "-" "x", 203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 2000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:14.5Z",
                    2000,
                ),
            ),
            (
                "forwarded header starting with a brace",
                r#"{x}, 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 2000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:14.5Z",
                    2000,
                ),
            ),
            (
                "forwarded header starting like a diagnostic line",
                r#"2026-06-10T19:30:12Z ERR, 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 2000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:14.5Z",
                    2000,
                ),
            ),
            (
                "missing values written as dashes",
                r#"- - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" - - "-" "-" 7 "t3code-t3-t3-example-net@kubernetes" "-" 0ms"#,
                Expect::Socket {
                    class: Browser,
                    client: None,
                    start: "2026-06-10T19:30:12Z",
                    precision: Precision::Second,
                    end: "2026-06-10T19:30:12.5Z",
                    dur_ms: 0,
                    status: None,
                    router: T3_ROUTER,
                },
            ),
            (
                "basic-auth user name",
                r#"203.0.113.7, 10.10.1.12 - alice [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "escaped quotes in Referer and User-Agent",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "https://t3.example.net/?q=\"x\"" "Mozilla/5.0 \"quoted\" (X11)" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "raw quotes in User-Agent from older releases",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0 "quoted" [en] "x" (X11)" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "router name with spaces",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3 browser route@file" "http://10.0.10.10:3780" 1000ms"#,
                with_router(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Browser,
                    "t3code-t3 browser route@file",
                ),
            ),
            (
                "kubernetescrd provider",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-websecure-t3@kubernetescrd" "http://10.0.10.10:3780" 1000ms"#,
                with_router(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Browser,
                    "t3code-t3-websecure-t3@kubernetescrd",
                ),
            ),
            (
                "docker provider",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3@docker" "http://172.17.0.3:3780" 1000ms"#,
                with_router(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Browser,
                    "t3code-t3@docker",
                ),
            ),
            (
                "client went away, 499",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 499 21 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                with_status(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Some(499),
                ),
            ),
            (
                "bad gateway, 502",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 502 11 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 3ms"#,
                with_status(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:12.503Z",
                        3,
                    ),
                    Some(502),
                ),
            ),
            (
                "upstream timeout, 504",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 504 15 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 30001ms"#,
                with_status(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:42.501Z",
                        30_001,
                    ),
                    Some(504),
                ),
            ),
            (
                "bracket time with a +0200 offset",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:21:30:12 +0200] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "CRLF line ending",
                "203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" 5 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1000ms\r",
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "escaped fake router and ms in User-Agent",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0\" 1 \"t3code-t3-evil@kubernetes\" \"http://203.0.113.66\" 99999ms" 5 "other-app-other-example-net@kubernetes" "http://10.0.0.5:80" 12ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.512Z")),
            ),
            (
                "raw fake router and ms in User-Agent",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 1 "t3code-t3-evil@kubernetes" "http://203.0.113.66" 99999ms" 5 "other-app-other-example-net@kubernetes" "http://10.0.0.5:80" 12ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.512Z")),
            ),
            // A forged X-Forwarded-For that starts with a fake bracket and request. No ` - `
            // comes before that bracket, so the line gets the full reading, which reads the
            // real request from the right end.
            (
                "fake bracket and request in the client field",
                r#"[10/Jun/2026:19:30:12 +0000] "GET /x, 203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "bot" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            // `/ws` elsewhere than the request (a referer here) makes no socket.
            (
                "ws path in the referer only",
                r#"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /api HTTP/1.1" 200 5 "https://t3.example.net/ws" "bot" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 12ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.512Z")),
            ),
            (
                "User-Agent ending in ms on the t3 router",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "bot 5ms" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "probe router",
                r#"10.10.2.5, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "t3-probe/1" 5 "t3code-t3-probe-t3-example-net@kubernetes" "http://10.0.10.10:3780" 60000ms"#,
                Expect::Socket {
                    class: Probe,
                    client: Some("10.10.2.5"),
                    start: "2026-06-10T19:30:12Z",
                    precision: Precision::Second,
                    end: "2026-06-10T19:31:12.5Z",
                    dur_ms: 60_000,
                    status: Some(0),
                    router: "t3code-t3-probe-t3-example-net@kubernetes",
                },
            ),
            (
                "probe path on the browser router",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /probe/ws HTTP/1.1" 0 0 "-" "t3-probe/1" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                with_router(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Probe,
                    T3_ROUTER,
                ),
            ),
            (
                "native app with a wsTicket",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws?wsTicket=abc123&v=2 HTTP/1.1" 0 0 "-" "T3Code/0.0.27" 5 "t3code-t3-native-t3-example-net@kubernetes" "http://10.0.10.10:3773" 1000ms"#,
                with_router(
                    browser(
                        "203.0.113.7",
                        "2026-06-10T19:30:12Z",
                        "2026-06-10T19:30:13.5Z",
                        1000,
                    ),
                    Native,
                    "t3code-t3-native-t3-example-net@kubernetes",
                ),
            ),
            (
                "browser socket with another query",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws?reconnect=1 HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "raw quote in the query",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws?x="1 HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                browser(
                    "203.0.113.7",
                    "2026-06-10T19:30:12Z",
                    "2026-06-10T19:30:13.5Z",
                    1000,
                ),
            ),
            (
                "socket on another router",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "grafana-grafana-grafana-example-net@kubernetes" "http://10.0.3.4:3000" 1000ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:13.5Z")),
            ),
            (
                "other path on the t3 router",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /api/auth/session HTTP/1.1" 200 512 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 4ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.504Z")),
            ),
            (
                "path that only starts with the ws path",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /wsx HTTP/1.1" 404 19 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 4ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.504Z")),
            ),
            (
                "POST on the ws path",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "POST /ws HTTP/1.1" 405 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 4ms"#,
                Expect::Ignored(Some("2026-06-10T19:30:12.504Z")),
            ),
            (
                "unterminated router quote",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed("unterminated quoted router name"),
            ),
            (
                "invalid month in the bracket time",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jux/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed("invalid time"),
            ),
            (
                "missing duration",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780""#,
                Expect::Malformed("missing duration"),
            ),
            (
                "line cut inside the User-Agent",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0 (X1"#,
                Expect::Malformed("missing duration"),
            ),
            (
                "line cut in its time, next socket line joined",
                r#"192.0.2.77, 198.51.100.61 - - [10/Jun/2026:19203.0.113.22 - - [10/Jun/2026:18:55:30 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 47845 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 749405ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "IPv6 line cut in its time, next line joined",
                r#"2001:db8:85a3::8a2e:370:7334 - - [10/Jun/2026:19203.0.113.58 - - [10/Jun/2026:18:59:00 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "line cut in its time, other router's line joined",
                r#"10.42.0.1 - - [10/Jun/2026:19203.0.113.35 - - [10/Jun/2026:18:47:30 +0000] "GET /explore/repos HTTP/1.1" 200 30959 "-" "Mozilla/5.0" 48213 "gitea-web-git-example-net@kubernetes" "http://10.0.12.8:3000" 49ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "line cut after its time, next line joined",
                r#"192.0.2.77 - - [10/Jun/2026:19:03:01 +0000]203.0.113.22 - - [10/Jun/2026:18:55:30 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "socket line cut in its User-Agent, next line joined",
                r#"192.0.2.77 - - [10/Jun/2026:19:03:01 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozil203.0.113.22 - - [10/Jun/2026:18:55:30 +0000] "GET /api HTTP/1.1" 200 6328 "-" "Mozilla/5.0" 5 "gitea-web-git-example-net@kubernetes" "http://10.0.12.8:3000" 12ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "line cut in its user field, next socket line joined",
                r#"192.0.2.77 - 203.0.113.22 - - [10/Jun/2026:18:55:30 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "line cut in its host, next line joined",
                r#"192.0.2.77, 198.5203.0.113.22 - - [10/Jun/2026:18:55:30 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed(CUT_LINE_JOINED),
            ),
            (
                "duration too large for the clock",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 9999999999999999999ms"#,
                Expect::Malformed("duration out of range"),
            ),
            (
                "socket ending after year 9999",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 9221000000000000ms"#,
                Expect::Malformed("duration out of range"),
            ),
            (
                "other router's request ending after year 9999",
                r#"198.51.100.4 - - [10/Jun/2026:19:30:13 +0000] "GET /api HTTP/2.0" 200 12 "-" "curl/8" 2 "api@internal" "-" 999999999999999ms"#,
                Expect::Malformed("duration out of range"),
            ),
            (
                "only a duration, the tail of a split line",
                "0ms",
                Expect::Ignored(None),
            ),
            (
                "status that is not a number",
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" abc 0 "-" "Mozilla/5.0" 5 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1000ms"#,
                Expect::Malformed("invalid status"),
            ),
        ];
        for (name, line, expect) in &rows {
            check(name, line, expect);
        }
    }

    #[test]
    fn json_access_lines() {
        let rows: Vec<(&str, &str, Expect)> = vec![
            (
                "browser socket with nanosecond start",
                r#"{"ClientAddr":"10.10.1.12:51234","ClientHost":"203.0.113.7, 10.10.1.12","DownstreamStatus":0,"Duration":21873000000,"OriginStatus":0,"RequestMethod":"GET","RequestPath":"/ws","RouterName":"t3code-t3-t3-example-net@kubernetes","ServiceURL":"http://10.0.10.10:3780","StartUTC":"2026-06-10T19:30:12.123456789Z","level":"info","msg":"","time":"2026-06-10T19:30:33Z"}"#,
                Expect::Socket {
                    class: TraefikClass::Browser,
                    client: Some("203.0.113.7"),
                    start: "2026-06-10T19:30:12.123456Z",
                    precision: Precision::Micro,
                    end: "2026-06-10T19:30:33.996456Z",
                    dur_ms: 21_873,
                    status: Some(0),
                    router: T3_ROUTER,
                },
            ),
            (
                "native app, escaped ampersand, keys in another order",
                r#"{"StartUTC":"2026-06-10T19:30:12.5Z","RouterName":"t3code-t3-native-t3-example-net@kubernetes","RequestPath":"/ws?v=2\u0026wsTicket=abc","RequestMethod":"GET","Duration":1500000,"DownstreamStatus":101,"ClientHost":"203.0.113.7"}"#,
                Expect::Socket {
                    class: TraefikClass::Native,
                    client: Some("203.0.113.7"),
                    start: "2026-06-10T19:30:12.5Z",
                    precision: Precision::Milli,
                    end: "2026-06-10T19:30:12.5015Z",
                    dur_ms: 1,
                    status: Some(101),
                    router: "t3code-t3-native-t3-example-net@kubernetes",
                },
            ),
            (
                "old release with a ServiceURL object and only ClientAddr",
                r#"{"ClientAddr":"[2001:db8::7]:51234","Duration":3000000000,"OriginStatus":502,"RequestMethod":"GET","RequestPath":"/ws","RouterName":"t3code-t3-t3-example-net@kubernetes","ServiceURL":{"Scheme":"http","Host":"10.0.10.10:3780","Path":""},"StartUTC":"2026-06-10T19:30:12Z"}"#,
                Expect::Socket {
                    class: TraefikClass::Browser,
                    client: Some("2001:db8::7"),
                    start: "2026-06-10T19:30:12Z",
                    precision: Precision::Second,
                    end: "2026-06-10T19:30:15Z",
                    dur_ms: 3000,
                    status: Some(502),
                    router: T3_ROUTER,
                },
            ),
            (
                "socket on another router",
                r#"{"ClientHost":"203.0.113.7","DownstreamStatus":0,"Duration":2000000000,"RequestMethod":"GET","RequestPath":"/ws","RouterName":"grafana-grafana-grafana-example-net@kubernetes","StartUTC":"2026-06-10T19:30:12Z"}"#,
                Expect::Ignored(Some("2026-06-10T19:30:14Z")),
            ),
            (
                "access line without StartUTC",
                r#"{"ClientHost":"203.0.113.7","Duration":2000000000,"RequestMethod":"GET","RequestPath":"/ws","RouterName":"t3code-t3-t3-example-net@kubernetes"}"#,
                Expect::Malformed("JSON access line without StartUTC"),
            ),
            (
                "negative duration",
                r#"{"Duration":-5,"RequestMethod":"GET","RequestPath":"/ws","RouterName":"t3code-t3-t3-example-net@kubernetes","StartUTC":"2026-06-10T19:30:12Z"}"#,
                Expect::Malformed("Duration is not a whole number of nanoseconds"),
            ),
            (
                "line cut inside an object",
                r#"{"ClientHost":"203.0.113.7","Duration":2000000000,"RequestMethod":"GET","Requ"#,
                Expect::Malformed("invalid JSON"),
            ),
            (
                "duration as a string of digits",
                r#"{"ClientHost":"203.0.113.7","Duration":"2000000000","RequestMethod":"GET","RequestPath":"/ws","RouterName":"grafana-grafana-grafana-example-net@kubernetes","StartUTC":"2026-06-10T19:30:12Z"}"#,
                Expect::Ignored(Some("2026-06-10T19:30:14Z")),
            ),
            (
                "router name as a number",
                r#"{"ClientHost":"203.0.113.7","Duration":2000000000,"RequestMethod":"GET","RequestPath":"/ws","RouterName":7,"StartUTC":"2026-06-10T19:30:12Z"}"#,
                Expect::Malformed(
                    "JSON access line with a field of the wrong type (a string where a number belongs, or the reverse)",
                ),
            ),
        ];
        for (name, line, expect) in &rows {
            check(name, line, expect);
        }
    }

    #[test]
    fn diagnostic_lines() {
        let rows: Vec<(&str, &str, Expect)> = vec![
            (
                "zerolog console with providerName",
                r#"2026-06-10T19:30:12Z ERR Error while building configuration error="service not found" providerName=kubernetes"#,
                Expect::Ignored(Some("2026-06-10T19:30:12Z")),
            ),
            (
                "logrus text from v2",
                r#"time="2026-06-10T19:30:12Z" level=info msg="Configuration loaded from flags.""#,
                Expect::Ignored(Some("2026-06-10T19:30:12Z")),
            ),
            (
                "logrus on a terminal, no date",
                "INFO[0000] Configuration loaded from flags.",
                Expect::Ignored(None),
            ),
            (
                "JSON diagnostic",
                r#"{"level":"error","providerName":"kubernetes","error":"service not found","time":"2026-06-10T19:30:12Z","message":"Error while building configuration"}"#,
                Expect::Ignored(Some("2026-06-10T19:30:12Z")),
            ),
            (
                "zerolog console with an offset",
                "2026-06-10T21:30:12+02:00 WRN Skipping service: no endpoints found",
                Expect::Ignored(Some("2026-06-10T19:30:12Z")),
            ),
            (
                "a journal line in a mixed stream",
                "2026-06-10T19:30:12+00:00 devvm t3[4723]: [19:30:12.116] INFO (#695): opened project",
                Expect::Malformed("a devvm journal line among Traefik lines"),
            ),
            (
                "a level that is not zerolog's",
                "2026-06-10T19:30:12Z INFO starting",
                Expect::Malformed(
                    "a timestamped line that is neither an access line nor a Traefik diagnostic",
                ),
            ),
            ("blank line", "   ", Expect::Ignored(None)),
            (
                "Go panic trace",
                "goroutine 1 [running]:",
                Expect::Ignored(None),
            ),
            (
                "Go panic headline",
                "panic: runtime error: invalid memory address or nil pointer dereference",
                Expect::Ignored(None),
            ),
            (
                "Go trace frame",
                "github.com/traefik/traefik/v3/pkg/server.(*Server).Start(0xc000a1e000)",
                Expect::Ignored(None),
            ),
            (
                "Go trace source position",
                "\t/go/src/github.com/traefik/traefik/pkg/server/server.go:84 +0x1d",
                Expect::Ignored(None),
            ),
            (
                "continuation of Traefik's multi-line start message",
                "Help us improve Traefik by turning this feature on :)",
                Expect::Ignored(None),
            ),
            (
                "Kubernetes client (klog) line",
                "W0610 10:00:01.123456       1 reflector.go:561] k8s.io/client-go: failed to list *v1.Service",
                Expect::Ignored(None),
            ),
            (
                "klog line with a quoted message",
                r#"E0610 10:00:01.123999       1 reflector.go:158] "Unhandled Error" err="failed to watch *v1.EndpointSlice" logger="UnhandledError""#,
                Expect::Ignored(None),
            ),
            (
                "binary junk",
                "\u{1}\u{2}\u{3}x\u{7f}",
                Expect::Malformed("binary data, not a text line"),
            ),
            (
                "a short-mode journal line",
                "Jun 10 19:30:12 devvm t3-dispatch[812]: 2026/06/10 19:30:12 ws close user=bob ip=203.0.113.22 dur_ms=1000 cause=graceful",
                Expect::Malformed("a devvm journal line among Traefik lines"),
            ),
            (
                "a journalctl -o cat dispatch line",
                "2026/06/10 19:30:12 ws close user=bob ip=203.0.113.22 dur_ms=1000 cause=graceful",
                Expect::Malformed("a t3-dispatch line (journalctl -o cat) among Traefik lines"),
            ),
            (
                "text of no known shape",
                "lorem ipsum dolor sit amet",
                Expect::Ignored(None),
            ),
        ];
        for (name, line, expect) in &rows {
            check(name, line, expect);
        }
    }

    #[test]
    fn repeated_bracket_reads_alike() {
        // Other routers' lines take the fast path, which keeps the last bracket's time. Each
        // line's end must still be its own start plus its own duration, plus half a second.
        let lines = [
            (
                "192.0.2.77 - - [10/Jun/2026:19:30:12 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\" 1 \"gitea@kubernetes\" \"http://10.0.12.8:3000\" 100ms",
                "2026-06-10T19:30:12.6Z",
            ),
            (
                "192.0.2.78 - - [10/Jun/2026:19:30:12 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\" 1 \"gitea@kubernetes\" \"http://10.0.12.8:3000\" 2500ms",
                "2026-06-10T19:30:15Z",
            ),
            (
                "[2001:db8::7] - - [10/Jun/2026:19:30:12 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\" 1 \"gitea@kubernetes\" \"http://10.0.12.8:3000\" 0ms",
                "2026-06-10T17:30:12.5Z",
            ),
            (
                "192.0.2.77 - - [10/Jun/2026:19:30:13 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\" 1 \"gitea@kubernetes\" \"http://10.0.12.8:3000\" 0ms",
                "2026-06-10T19:30:13.5Z",
            ),
        ];
        let mut parser = TraefikParser::new(&ParseOptions::default());
        for (line, end) in lines {
            assert_eq!(
                parser.quick_end_time(line.as_bytes()),
                Some(utc(end)),
                "{line}"
            );
        }
    }

    #[test]
    fn envelope_time_pins_clf_end() {
        // The CLF start is cut to the second, so the end is `start + duration` or up to a
        // second later. A finer envelope time in that range is the end. Without one, the end
        // is the middle of that second.
        let line = b"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" 1 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1400ms";
        let cases = [
            ("2026-06-10T19:30:13.900Z", "2026-06-10T19:30:13.900Z"),
            ("2026-06-10T19:30:13.400Z", "2026-06-10T19:30:13.400Z"),
            ("2026-06-10T19:30:20Z", "2026-06-10T19:30:13.900Z"),
            ("2026-06-10T19:30:13.100Z", "2026-06-10T19:30:13.900Z"),
        ];
        for (envelope, expected) in cases {
            let mut parser = TraefikParser::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let ctx = LineCtx {
                line: 1,
                outer_time: Some((utc(envelope), Precision::Micro)),
                pod: None,
            };
            assert_eq!(parser.parse_line(line, &ctx, &mut sink), LineClass::Used);
            assert_eq!(sink.events[0].time, utc(expected), "envelope {envelope}");
        }
    }

    #[test]
    fn diagnostic_without_time_uses_envelope() {
        let mut parser = TraefikParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let envelope = utc("2026-06-10T19:30:12.5Z");
        let ctx = LineCtx {
            line: 1,
            outer_time: Some((envelope, Precision::Micro)),
            pod: Some("traefik-7d9f-abcde"),
        };
        let class = parser.parse_line(
            b"INFO[0000] Configuration loaded from flags.",
            &ctx,
            &mut sink,
        );
        assert_eq!(class, LineClass::Ignored);
        let (key, track) = sink.activity.tracks.iter().next().unwrap();
        assert_eq!(key.pod.as_deref(), Some("traefik-7d9f-abcde"));
        assert_eq!(key.source, Source::Traefik);
        assert_eq!(track.first, envelope);
    }

    #[test]
    fn bracket_order_not_assumed() {
        // Written in end order: the long socket started an hour before the short request.
        let lines = [
            r#"203.0.113.9 - - [10/Jun/2026:19:30:11 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 8 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 2000ms"#,
            r#"203.0.113.7 - - [10/Jun/2026:18:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 9 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 3601000ms"#,
        ];
        let mut parser = TraefikParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        for (index, line) in lines.iter().enumerate() {
            let class = parser.parse_line(
                line.as_bytes(),
                &LineCtx::plain(index as u64 + 1),
                &mut sink,
            );
            assert_eq!(class, LineClass::Used);
        }
        let ends: Vec<i64> = sink.events.iter().map(|event| event.time).collect();
        assert_eq!(
            ends,
            vec![utc("2026-06-10T19:30:13.5Z"), utc("2026-06-10T19:30:13.5Z")]
        );
        let track = sink.activity.tracks.values().next().unwrap();
        assert_eq!(track.lines, 2);
    }

    #[test]
    fn custom_router_and_ws_path() {
        let options = ParseOptions {
            router: regex::Regex::new("^code-").unwrap(),
            ws_path: "/socket".to_string(),
            ..ParseOptions::default()
        };
        let line = br#"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /socket HTTP/1.1" 0 0 "-" "Mozilla/5.0" 8 "code-ide@file" "http://10.0.10.10:3780" 1000ms"#;
        let outcome = run_with(&options, line);
        assert_eq!(outcome.class, LineClass::Used);
        let default_outcome = run_with(&ParseOptions::default(), line);
        assert_eq!(default_outcome.class, LineClass::Ignored);
    }

    #[test]
    fn router_escapes_decoded() {
        let line = br#"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 8 "t3code-t3 \"quoted\" caf\u00e9@file" "http://10.0.10.10:3780" 1000ms"#;
        let outcome = run_with(&ParseOptions::default(), line);
        let Some(EventKind::TraefikSocket { router, .. }) =
            outcome.events.first().map(|event| &event.kind)
        else {
            panic!("no socket event: {:?}", outcome.class);
        };
        assert_eq!(&**router, "t3code-t3 \"quoted\" caf\u{e9}@file");
    }

    #[test]
    fn unquote_go_table() {
        let cases: &[(&[u8], &str)] = &[
            (b"plain", "plain"),
            (br#"a\"b"#, "a\"b"),
            (br"a\\b", "a\\b"),
            (br"tab\there", "tab\there"),
            (br"\u00e9\U0001F600", "\u{e9}\u{1F600}"),
            (br"\xc3\xa9", "\u{e9}"),
            (br"\q stays", "\\q stays"),
            (br"\u12", "\\u12"),
            (br"\x+f", "\\x+f"),
            (br"ends\", "ends\\"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                unquote_go(input),
                *expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn sniff_scores() {
        let cases: &[(&str, u8)] = &[
            (
                r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws HTTP/1.1" 0 0 "-" "Mozilla/5.0" 48213 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1512345ms"#,
                2,
            ),
            (
                r#"{"StartUTC":"2026-06-10T19:30:12Z","Duration":5,"RouterName":"x@file"}"#,
                2,
            ),
            (r#"{"DownstreamStatus":200,"RequestMethod":"GET"}"#, 2),
            (
                r#"2026-06-10T19:30:12Z ERR Error while building configuration providerName=kubernetes"#,
                1,
            ),
            (
                r#"2026-06-10T19:30:12Z INF Traefik version 3.1.2 built on 2026-05-01T00:00:00Z version=3.1.2"#,
                1,
            ),
            (
                r#"time="2026-06-10T19:30:12Z" level=info msg="Configuration loaded from flags.""#,
                1,
            ),
            (
                r#"{"level":"error","routerName":"t3code-t3@kubernetes","time":"2026-06-10T19:30:12Z","message":"x"}"#,
                1,
            ),
            // cloudflared names Traefik as its origin, which does not make it a Traefik line.
            (
                r#"2026-06-10T19:30:12Z ERR  error="Incoming request ended abruptly: context canceled" cfRay=8f1a2b3c4d5e6f70-AMS ingressRule=0 originService=https://traefik.traefik.svc.cluster.local:443"#,
                0,
            ),
            (
                r#"2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2 event=0 ip=198.41.192.7"#,
                0,
            ),
            (
                r#"{"level":"error","error":"x","connIndex":2,"time":"2026-06-10T19:30:12Z","message":"y"}"#,
                0,
            ),
            (
                "Jun 10 19:56:01 devvm t3-dispatch[812]: ws open user=alice ip=203.0.113.7",
                0,
            ),
            ("", 0),
        ];
        for (line, expected) in cases {
            assert_eq!(sniff(line.as_bytes()), *expected, "{line}");
        }
    }

    // --- property tests ------------------------------------------------------------------------

    const VALID_LINE: &str = r#"203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] "GET /ws?wsTicket=a HTTP/1.1" 0 0 "https://t3.example.net/" "Mozilla/5.0 \"x\"" 48213 "t3code-t3-t3-example-net@kubernetes" "http://10.0.10.10:3780" 1512345ms"#;
    const VALID_JSON: &str = r#"{"ClientHost":"203.0.113.7, 10.10.1.12","DownstreamStatus":0,"Duration":21873000000,"RequestMethod":"GET","RequestPath":"/ws?a=1\u0026wsTicket=b","RouterName":"t3code-t3-t3-example-net@kubernetes","ServiceURL":{"Host":"x"},"StartUTC":"2026-06-10T19:30:12.123456789Z"}"#;

    fn parse_all_ways(line: &[u8]) {
        let outcome = run_with(&ParseOptions::default(), line);
        // A socket event always carries the activity of its line.
        if outcome.class == LineClass::Used {
            assert_eq!(outcome.events.len(), 1);
            assert_eq!(outcome.seen.first(), Some(&outcome.events[0].time));
        }
        let _ = sniff(line);
    }

    /// Applies edits to a valid line, each replacing, inserting or deleting one byte.
    fn mutate(line: &[u8], edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
        let mut out = line.to_vec();
        for (index, op, byte) in edits {
            if out.is_empty() {
                out.push(*byte);
                continue;
            }
            let at = index.index(out.len());
            match op % 3 {
                0 => out[at] = *byte,
                1 => out.insert(at, *byte),
                _ => {
                    out.remove(at);
                }
            }
        }
        out
    }

    /// Bytes that drive the parser's decisions, to reach deeper than uniform random bytes.
    fn significant_byte() -> impl Strategy<Value = u8> {
        prop::sample::select(b" \"\\[]{}-:/,.?@+0123456789msGETZT\r".to_vec())
    }

    #[derive(Clone, Debug)]
    struct Generated {
        line: String,
        client: IpAddr,
        start: i64,
        status: Option<u16>,
        router: String,
        dur_ms: u64,
        class: TraefikClass,
    }

    fn generated_line() -> impl Strategy<Value = Generated> {
        let prefix = prop::collection::vec(any::<[u8; 4]>(), 0..3);
        let cloudflare = prop_oneof![
            any::<u8>().prop_map(|last| IpAddr::from([203, 0, 113, last])),
            any::<u16>().prop_map(|last| IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, last])),
        ];
        let pod = prop::option::of(any::<u8>());
        let user = prop::option::of("[a-z]{1,8}");
        let start = 946_684_800i64..4_102_444_800;
        let offset_minutes = -720i32..=840;
        let query = prop::option::of(prop_oneof![Just("wsTicket=abc&v=2"), Just("reconnect=1")]);
        let status = prop::option::of(0u16..1000);
        let user_agent = ("[ -~]{0,40}", any::<bool>());
        let router = (
            "[a-z0-9-]{0,12}",
            prop::option::of("[a-z]{1,8}"),
            prop::sample::select(vec!["kubernetes", "kubernetescrd", "docker", "file"]),
        );
        let dur_ms = 0u64..10_000_000_000;

        let client = (prefix, cloudflare, pod, user);
        let request = (start, offset_minutes, query, status);
        (client, request, user_agent, router, dur_ms).prop_map(
            |(
                (prefix, cloudflare, pod, user),
                (start, offset_minutes, query, status),
                (agent, escape),
                router,
                dur_ms,
            )| {
                let mut chain: Vec<String> = prefix
                    .iter()
                    .map(|octets| IpAddr::from(*octets).to_string())
                    .collect();
                chain.push(cloudflare.to_string());
                if let Some(last) = pod {
                    chain.push(format!("10.10.1.{last}"));
                }

                let offset = chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap();
                let time = chrono::DateTime::from_timestamp(start, 0)
                    .unwrap()
                    .with_timezone(&offset);
                let agent = if escape {
                    agent.replace('\\', "\\\\").replace('"', "\\\"")
                } else {
                    agent
                };
                let (middle, spaced, provider) = router;
                let router = match spaced {
                    Some(word) => format!("t3code-t3-{middle} {word}@{provider}"),
                    None => format!("t3code-t3-{middle}@{provider}"),
                };
                let target = match query {
                    Some(query) => format!("/ws?{query}"),
                    None => "/ws".to_string(),
                };

                let class = if router.contains("probe") {
                    TraefikClass::Probe
                } else if target.contains("wsTicket") {
                    TraefikClass::Native
                } else {
                    TraefikClass::Browser
                };

                let fields = [
                    chain.join(", "),
                    "-".to_string(),
                    user.unwrap_or_else(|| "-".to_string()),
                    format!("[{}]", time.format("%d/%b/%Y:%H:%M:%S %z")),
                    format!("\"GET {target} HTTP/1.1\""),
                    status.map_or("-".to_string(), |code| code.to_string()),
                    "0".to_string(),
                    "\"-\"".to_string(),
                    format!("\"{agent}\""),
                    "42".to_string(),
                    format!("\"{router}\""),
                    "\"http://10.0.10.10:3780\"".to_string(),
                    format!("{dur_ms}ms"),
                ];
                let line = fields.join(" ");
                Generated {
                    line,
                    client: cloudflare,
                    start: start * 1_000_000,
                    status,
                    router,
                    dur_ms,
                    class,
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..300)) {
            parse_all_ways(&line);
        }

        #[test]
        fn significant_bytes_never_panic(
            line in prop::collection::vec(significant_byte(), 0..200),
        ) {
            parse_all_ways(&line);
        }

        #[test]
        fn mutated_lines_never_panic(
            json in any::<bool>(),
            edits in prop::collection::vec(any::<(prop::sample::Index, u8, u8)>(), 1..6),
        ) {
            let valid = if json { VALID_JSON } else { VALID_LINE };
            parse_all_ways(&mutate(valid.as_bytes(), &edits));
        }

        #[test]
        fn generated_line_round_trips(generated in generated_line()) {
            let outcome = run(&generated.line);
            prop_assert_eq!(outcome.class, LineClass::Used, "{}", generated.line);
            // A CLF end is read at the middle of the start's second.
            let end =
                generated.start + i64::try_from(generated.dur_ms).unwrap() * MILLI + CLF_MIDDLE;
            let expected = EventKind::TraefikSocket {
                class: generated.class,
                client: Some(generated.client),
                start: generated.start,
                start_precision: Precision::Second,
                dur_ms: generated.dur_ms,
                status: generated.status,
                router: generated.router.clone().into_boxed_str(),
            };
            prop_assert_eq!(&outcome.events[0].kind, &expected, "{}", generated.line);
            prop_assert_eq!(outcome.events[0].time, end);
            prop_assert_eq!(outcome.seen, vec![end, end]);
            prop_assert_eq!(sniff(generated.line.as_bytes()), 2);
        }
    }
}
