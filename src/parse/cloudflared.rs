//! cloudflared logs, in the three forms cloudflared writes, decided per line:
//!
//! - zerolog console text, the default of current releases:
//!   `2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2 event=0 ip=198.41.192.7`.
//!   The time is UTC with `Z`, the level three letters, and the fields follow the message with
//!   `error=` first and the rest sorted by key. An empty message leaves two spaces after the level.
//! - JSON (`--logfile`, `--output json`): one zerolog object per line, keys in any order.
//! - logrus text of older releases: `time="2020-06-10T19:30:12Z" level=error msg="…" key=value`,
//!   or `ERRO[2020-10-22T11:57:10Z] message   key=value` when logrus wrote to a terminal.
//!
//! Line shapes and messages follow cloudflared releases 2020.4 (logrus) to 2026.9 (zerolog) as
//! they appear in published logs and in cloudflared's source. Messages are matched against the
//! phrases of all those releases, case-insensitively and at any level, because their wording and
//! level changed between releases (`Failed to serve quic connection` is a warning in some, `failed to serve tunnel
//! connection` an error in others).

use std::borrow::Cow;

use super::{LineClass, LineCtx, LineParser, ParseOptions, Sink, contains};
use crate::event::{EventKind, ShutdownReason, Source};
use crate::time::{Precision, SECOND, Zone, parse_iso};

/// Parses cloudflared lines into `EventKind::Cf*` events.
pub struct CloudflaredParser {
    options: ParseOptions,
}

impl CloudflaredParser {
    pub fn new(options: &ParseOptions) -> CloudflaredParser {
        CloudflaredParser {
            options: options.clone(),
        }
    }
}

impl LineParser for CloudflaredParser {
    fn parse_line(&mut self, original: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        let line = trim_end(original);
        if line.is_empty() {
            return LineClass::Ignored;
        }

        match read_line(line, self.options.zone) {
            Read::Record(record) => {
                // The line's own time wins over an envelope's: a journal around cloudflared
                // carries the host's clock, the line cloudflared's UTC time.
                let Some((time, precision)) = record.time.or(ctx.outer_time) else {
                    return LineClass::Malformed("no timestamp");
                };
                sink.saw(Source::Cloudflared, ctx.pod, time);
                match classify(&record.message, &record.fields) {
                    Some(kind) => {
                        sink.push(time, precision, Source::Cloudflared, ctx, kind, original);
                        LineClass::Used
                    }
                    None => LineClass::Ignored,
                }
            }
            Read::Broken { time, reason } => {
                if let Some((time, _)) = time.or(ctx.outer_time) {
                    sink.saw(Source::Cloudflared, ctx.pod, time);
                }
                LineClass::Malformed(reason)
            }
            Read::Foreign => match ctx.outer_time {
                // A continuation of a multi-line message, or other output of the pod, still
                // shows that the pod was logging at the envelope's time.
                Some((time, _)) => {
                    sink.saw(Source::Cloudflared, ctx.pod, time);
                    LineClass::Ignored
                }
                None => LineClass::Malformed("no timestamp"),
            },
        }
    }
}

/// Scores how strongly a line looks like a cloudflared line: 0 not at all, 1 maybe, 2 surely.
///
/// Traefik's own diagnostic lines have the same console shape as cloudflared's, so a 1 counts
/// only when most lines of an input score it. A 2 needs a field or phrase only cloudflared
/// writes.
pub fn sniff(line: &[u8]) -> u8 {
    const MARKERS: [&[u8]; 11] = [
        b"connIndex=",
        // The line a quiet pod logs when its remote configuration changes.
        b"Updated to new configuration",
        b"cfRay=",
        b"originService=",
        b"tunnel connection",
        b"tunnelID=",
        b"Starting tunnel",
        b"\"connIndex\"",
        b"\"cfRay\"",
        b"\"originService\"",
        b"\"tunnelID\"",
    ];
    let head = console_head(line);
    let logrus = line.starts_with(b"time=") && contains(line, b" level=");
    // A marker counts only in a line of cloudflared's shape (console, JSON or logrus), so a
    // document that quotes a cloudflared message is no cloudflared log.
    let shaped = head.is_some() || line.starts_with(b"{") || logrus;
    if shaped && MARKERS.iter().any(|marker| contains(line, marker)) {
        return 2;
    }
    let console = match head {
        Some((Some(time), _)) => iso_time(time, Zone::Utc).is_some(),
        _ => false,
    };
    u8::from(console || logrus)
}

// --- Reading a line into its parts -----------------------------------------------------------

/// A line read into its time, message and the fields the classification needs.
struct Record<'a> {
    /// The line's own time, UTC microseconds, when it has one.
    time: Option<(i64, Precision)>,
    message: Cow<'a, [u8]>,
    fields: Fields<'a>,
}

/// The fields that matter, out of the many cloudflared writes. Console and logrus values are
/// the raw text between the quotes, with escapes kept. JSON values are unescaped.
#[derive(Default)]
struct Fields<'a> {
    error: Option<Cow<'a, [u8]>>,
    conn_index: Option<u8>,
    cf_ray: Option<Cow<'a, [u8]>>,
    /// `originService=` is written on request-level lines only.
    origin_service: bool,
    signal: Option<Cow<'a, [u8]>>,
}

impl<'a> Fields<'a> {
    fn take(&mut self, key: &[u8], value: &'a [u8]) {
        match key {
            b"error" => self.error = Some(Cow::Borrowed(value)),
            b"connIndex" => self.conn_index = small_index(value),
            b"cfRay" => self.cf_ray = Some(Cow::Borrowed(value)),
            b"originService" => self.origin_service = true,
            b"signal" => self.signal = Some(Cow::Borrowed(value)),
            _ => {}
        }
    }
}

/// The outcome of reading one line.
enum Read<'a> {
    /// A line of one of cloudflared's forms.
    Record(Record<'a>),
    /// A line of cloudflared's shape that cannot be read, with its time when that was readable.
    Broken {
        time: Option<(i64, Precision)>,
        reason: &'static str,
    },
    /// A line of none of cloudflared's shapes.
    Foreign,
}

fn read_line(line: &[u8], zone: Zone) -> Read<'_> {
    match line.first() {
        Some(b'{') => read_json(line, zone),
        _ if line.starts_with(b"time=") || line.starts_with(b"level=") => {
            read_logrus_text(line, zone)
        }
        _ => match read_logrus_terminal(line, zone) {
            Some(read) => read,
            None => read_console(line, zone),
        },
    }
}

/// The levels zerolog's console writer prints. `???` marks an event without a level.
const CONSOLE_LEVELS: [&[u8]; 8] = [
    b"TRC", b"DBG", b"INF", b"WRN", b"ERR", b"FTL", b"PNC", b"???",
];

/// Splits the start of a console line: `<time> <LVL> <body>` or `<LVL> <body>` (a line whose
/// time an envelope stripped). Returns the time token, when there is one, and the body after
/// the single space that follows the level.
fn console_head(line: &[u8]) -> Option<(Option<&[u8]>, &[u8])> {
    let (first, after_first) = split_token(line);
    if CONSOLE_LEVELS.contains(&first) {
        return Some((None, after_first.unwrap_or_default()));
    }
    if !first.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let (level, body) = split_token(after_first?);
    CONSOLE_LEVELS
        .contains(&level)
        .then_some((Some(first), body.unwrap_or_default()))
}

/// Reads the zerolog console shape `2026-06-10T19:30:12Z INF message key=value …`.
fn read_console(line: &[u8], zone: Zone) -> Read<'_> {
    let Some((time_token, body)) = console_head(line) else {
        return Read::Foreign;
    };
    let time = match time_token {
        None => None,
        Some(token) => match iso_time(token, zone) {
            Some(time) => Some(time),
            None => {
                return Read::Broken {
                    time: None,
                    reason: "invalid timestamp",
                };
            }
        },
    };
    match split_message(body) {
        Ok((message, fields)) => Read::Record(Record {
            time,
            message: Cow::Borrowed(message),
            fields,
        }),
        Err(reason) => Read::Broken { time, reason },
    }
}

/// Reads logrus text with `time=`, `level=` and `msg=` fields. Logrus quotes a value with Go's
/// `%q`, so the message is always one field and the whole line is a field list.
fn read_logrus_text(line: &[u8], zone: Zone) -> Read<'_> {
    let mut time_value: Option<&[u8]> = None;
    let mut message: &[u8] = b"";
    let mut fields = Fields::default();
    let scanned = scan_fields(line, |key, value| match key {
        b"time" => time_value = Some(value),
        b"msg" => message = value,
        _ => fields.take(key, value),
    });

    let time = match time_value {
        None => None,
        Some(value) => match iso_time(value, zone) {
            Some(time) => Some(time),
            None => {
                return Read::Broken {
                    time: None,
                    reason: "invalid timestamp",
                };
            }
        },
    };
    match scanned {
        Ok(_) => Read::Record(Record {
            time,
            message: Cow::Borrowed(message),
            fields,
        }),
        Err(FieldError::Unterminated) => Read::Broken {
            time,
            reason: UNTERMINATED,
        },
        Err(FieldError::NotFields) => Read::Broken {
            time,
            reason: "invalid logrus field list",
        },
    }
}

/// The levels logrus prints when writing to a terminal, cut to four letters.
const LOGRUS_TERMINAL_LEVELS: [&[u8]; 7] = [
    b"TRAC", b"DEBU", b"INFO", b"WARN", b"ERRO", b"FATA", b"PANI",
];

/// Reads logrus terminal output `INFO[2020-10-22T11:57:10Z] message   key=value`. Returns
/// `None` when the line does not start with a level and a bracket.
fn read_logrus_terminal(line: &[u8], zone: Zone) -> Option<Read<'_>> {
    let level = line.get(..4)?;
    if !LOGRUS_TERMINAL_LEVELS.contains(&level) || line.get(4) != Some(&b'[') {
        return None;
    }
    let close = memchr::memchr(b']', line)?;
    let stamp = &line[5..close];
    let body = &line[close + 1..];

    // Without full timestamps logrus prints seconds since start (`INFO[0012]`), which is no time.
    let time = if stamp.iter().all(u8::is_ascii_digit) {
        None
    } else {
        match iso_time(stamp, zone) {
            Some(time) => Some(time),
            None => {
                return Some(Read::Broken {
                    time: None,
                    reason: "invalid timestamp",
                });
            }
        }
    };
    Some(match split_message(body) {
        Ok((message, fields)) => Read::Record(Record {
            time,
            message: Cow::Borrowed(message),
            fields,
        }),
        Err(reason) => Read::Broken { time, reason },
    })
}

/// The keys of a zerolog JSON line that matter. zerolog leaves out `message` when it is empty.
#[derive(serde::Deserialize)]
struct JsonLine<'a> {
    #[serde(default)]
    time: Option<serde_json::Value>,
    #[serde(default, borrow, alias = "msg")]
    message: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    error: Option<Cow<'a, str>>,
    #[serde(default, rename = "connIndex")]
    conn_index: Option<serde_json::Value>,
    #[serde(default, borrow, rename = "cfRay")]
    cf_ray: Option<Cow<'a, str>>,
    #[serde(default, rename = "originService")]
    origin_service: Option<serde::de::IgnoredAny>,
    #[serde(default, borrow)]
    signal: Option<Cow<'a, str>>,
}

/// Reads a zerolog JSON line: `{"level":"error","error":"…","connIndex":2,"time":"…","message":"…"}`.
fn read_json(line: &[u8], zone: Zone) -> Read<'_> {
    let Ok(json) = serde_json::from_slice::<JsonLine>(line) else {
        return Read::Broken {
            time: None,
            reason: "invalid JSON",
        };
    };
    let time = match &json.time {
        None => None,
        Some(value) => match json_time(value, zone) {
            Some(time) => Some(time),
            None => {
                return Read::Broken {
                    time: None,
                    reason: "invalid timestamp",
                };
            }
        },
    };
    let conn_index = match &json.conn_index {
        Some(serde_json::Value::Number(number)) => {
            number.as_u64().and_then(|n| u8::try_from(n).ok())
        }
        Some(serde_json::Value::String(text)) => small_index(text.as_bytes()),
        _ => None,
    };
    let fields = Fields {
        error: json.error.map(cow_bytes),
        conn_index,
        cf_ray: json.cf_ray.map(cow_bytes),
        origin_service: json.origin_service.is_some(),
        signal: json.signal.map(cow_bytes),
    };
    let message = json.message.map(cow_bytes).unwrap_or_default();
    Read::Record(Record {
        time,
        message,
        fields,
    })
}

/// Reads a JSON `time`: an RFC 3339 string (zerolog's default), or a number of seconds,
/// milliseconds, microseconds or nanoseconds since the epoch, distinguished by magnitude.
fn json_time(value: &serde_json::Value, zone: Zone) -> Option<(i64, Precision)> {
    match value {
        serde_json::Value::String(text) => iso_time(text.as_bytes(), zone),
        serde_json::Value::Number(number) => {
            if let Some(whole) = number.as_i64() {
                return Some(match whole.unsigned_abs() {
                    0..100_000_000_000 => (whole.checked_mul(SECOND)?, Precision::Second),
                    100_000_000_000..100_000_000_000_000 => {
                        (whole.checked_mul(1_000)?, Precision::Milli)
                    }
                    100_000_000_000_000..100_000_000_000_000_000 => (whole, Precision::Micro),
                    _ => (whole / 1_000, Precision::Micro),
                });
            }
            let seconds = number.as_f64()?;
            let micros = (seconds * SECOND as f64).round();
            // Beyond ±2^53 µs (year 2255) an f64 no longer represents whole microseconds.
            (micros.abs() < 9.0e15).then_some((micros as i64, Precision::Micro))
        }
        _ => None,
    }
}

fn cow_bytes(text: Cow<'_, str>) -> Cow<'_, [u8]> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

/// Parses a whole token as an ISO time, in `zone` when it names none.
fn iso_time(token: &[u8], zone: Zone) -> Option<(i64, Precision)> {
    let parsed = parse_iso(token, zone)?;
    (parsed.len == token.len()).then_some((parsed.micros, parsed.precision))
}

/// Reads a connection index, 0 to 255 (cloudflared keeps it in a `uint8`).
fn small_index(value: &[u8]) -> Option<u8> {
    let (number, used) = super::leading_number(value)?;
    if used != value.len() {
        return None;
    }
    u8::try_from(number).ok()
}

fn split_token(text: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b' ', text) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

fn trim_end(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &text[..end]
}

// --- Splitting the message from the fields ---------------------------------------------------

const UNTERMINATED: &str = "unterminated quote in a field value";

/// How many candidate starts of the field list `split_message` tries before it gives up and
/// takes the whole body as the message. Each try can read to the end of the line, so the cap
/// keeps a long line with many `word=word` tokens from costing quadratic time. A real line
/// needs one try, or two when its message contains `key=value`.
const MAX_FIELD_LIST_TRIES: usize = 16;

/// Splits the body after the level into the message and the fields.
///
/// The message is free text and may itself contain `=`. So the field list starts at the first
/// token `key=` from which the rest of the line reads as `key=value` fields in zerolog's
/// order, which is `error` first and then by key. An empty message shows as a leading space.
/// A body with no such list is all message.
fn split_message(body: &[u8]) -> Result<(&[u8], Fields<'_>), &'static str> {
    let mut tries = 0;
    let mut start = 0;
    while start < body.len() {
        let rest = &body[start..];
        if rest.first() != Some(&b' ') && key_len(rest).is_some() {
            let mut fields = Fields::default();
            match scan_fields(rest, |key, value| fields.take(key, value)) {
                Ok(true) => return Ok((trim(&body[..start]), fields)),
                Ok(false) | Err(FieldError::NotFields) => {}
                Err(FieldError::Unterminated) => return Err(UNTERMINATED),
            }
            tries += 1;
            if tries == MAX_FIELD_LIST_TRIES {
                break;
            }
        }
        match memchr::memchr(b' ', rest) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    Ok((trim(body), Fields::default()))
}

#[derive(Debug, PartialEq, Eq)]
enum FieldError {
    /// A quoted value runs to the end of the line.
    Unterminated,
    /// Some token is not `key=value`.
    NotFields,
}

/// Reads `key=value key="quoted value" …` to the end of `text`, calling `each` with every key
/// and value. A quoted value is passed without its quotes, with `\"` and other escapes kept.
/// Returns whether the keys after a leading `error` are in byte order, as zerolog sorts them.
fn scan_fields<'a>(
    text: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8]),
) -> Result<bool, FieldError> {
    let mut ordered = true;
    let mut previous: Option<&[u8]> = None;
    let mut pos = 0;
    let mut first = true;
    loop {
        while text.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if pos >= text.len() {
            return Ok(ordered);
        }

        let rest = &text[pos..];
        let key_end = key_len(rest).ok_or(FieldError::NotFields)?;
        let key = &rest[..key_end];
        let value_start = key_end + 1;
        let (value, used) = if rest.get(value_start) == Some(&b'"') {
            let content = &rest[value_start + 1..];
            let close = closing_quote(content).ok_or(FieldError::Unterminated)?;
            (&content[..close], value_start + 1 + close + 1)
        } else {
            let len =
                memchr::memchr(b' ', &rest[value_start..]).unwrap_or(rest.len() - value_start);
            (&rest[value_start..value_start + len], value_start + len)
        };
        // A field ends at a space or at the end of the line: `a="b"c` is not a field.
        if rest.get(used).is_some_and(|b| *b != b' ') {
            return Err(FieldError::NotFields);
        }

        if !(first && key == b"error") {
            if previous.is_some_and(|previous| previous > key) {
                ordered = false;
            }
            previous = Some(key);
        }
        each(key, value);
        first = false;
        pos += used;
    }
}

/// Returns the length of a field key at the start of `text` when an `=` follows it. Keys are
/// Go identifiers, plus `-` and `.` for header names in debug lines (`content-length=0`).
fn key_len(text: &[u8]) -> Option<usize> {
    if !text
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return None;
    }
    let len = text
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    (text.get(len) == Some(&b'=')).then_some(len)
}

/// Finds the quote that closes a Go-quoted string whose opening quote is already consumed.
fn closing_quote(content: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn trim(text: &[u8]) -> &[u8] {
    let start = text.iter().position(|b| *b != b' ').unwrap_or(text.len());
    trim_end(&text[start..])
}

// --- Classification --------------------------------------------------------------------------

/// How many leading bytes of a message or error are matched against the known phrases. Every
/// phrase cloudflared writes sits well inside this prefix. The bound keeps matching cheap on a
/// pathological line and lets the lowercase copy live on the stack.
const MATCHED_PREFIX: usize = 256;

/// The first `MATCHED_PREFIX` bytes of a text, ASCII-lowercased, for case-insensitive matching.
struct Lowered {
    bytes: [u8; MATCHED_PREFIX],
    len: usize,
}

impl Lowered {
    fn new(text: &[u8]) -> Lowered {
        let len = text.len().min(MATCHED_PREFIX);
        let mut bytes = [0; MATCHED_PREFIX];
        for (out, b) in bytes.iter_mut().zip(&text[..len]) {
            *out = b.to_ascii_lowercase();
        }
        Lowered { bytes, len }
    }

    fn text(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn has(&self, phrase: &[u8]) -> bool {
        contains(self.text(), phrase)
    }

    fn has_any(&self, phrases: &[&[u8]]) -> bool {
        phrases.iter().any(|phrase| self.has(phrase))
    }

    fn starts(&self, phrase: &[u8]) -> bool {
        self.text().starts_with(phrase)
    }
}

/// Messages of a tunnel connection that failed or could not be set up. `Serve tunnel error`
/// follows most of the others and `Failed to dial a quic connection` replaces them while the
/// edge is unreachable.
const CONN_FAILED: [&[u8]; 8] = [
    b"failed to serve tunnel connection",
    b"failed to serve quic connection",
    b"serve tunnel error",
    b"failed to dial a quic connection",
    b"failed to run the datagram handler",
    b"failed to create new quic connection",
    b"unable to establish connection with cloudflare edge",
    b"register tunnel error from server side",
];

/// Messages of a pod going away.
const SHUTDOWN: [&[u8]; 6] = [
    b"initiating shutdown",
    b"initiating graceful shutdown",
    b"tunnel server stopped",
    b"terminating due to",
    b"received signal",
    b"no more connections active and exiting",
];

/// Phrases of a single failed request, in the message or in `error=`. `stream N canceled by
/// remote` is the eyeball or the edge resetting one HTTP/2 or QUIC stream.
const REQUEST_ERROR: [&[u8]; 4] = [
    b"incoming request ended abruptly",
    b"canceled by remote",
    b"unable to reach the origin service",
    b"failed to proxy",
];

/// The update notice, in a message of its own or as the error of a shutdown.
const UPDATED: &[u8] = b"has been updated to version";

/// Maps a message and its fields to an event kind, or `None` for a line of no interest.
fn classify(message: &[u8], fields: &Fields) -> Option<EventKind> {
    let msg = Lowered::new(message);
    let error = Lowered::new(fields.error.as_deref().unwrap_or_default());
    let conn_index = fields.conn_index.or_else(|| index_in_message(msg.text()));

    // Connection lifecycle. `unregistered` contains `registered`, so it is tested first.
    if msg.has(b"unregistered tunnel connection") {
        return Some(EventKind::CfConnUnregistered { conn_index });
    }
    if msg.has(b"registered tunnel connection")
        || (msg.starts(b"connection ") && msg.has(b" registered"))
    {
        return Some(EventKind::CfConnRegistered { conn_index });
    }
    if msg.starts(b"retrying connection") {
        return Some(EventKind::CfRetrying { conn_index });
    }
    if msg.has(b"connection terminated") {
        return Some(EventKind::CfConnTerminated { conn_index });
    }
    if msg.has_any(&CONN_FAILED) {
        return Some(EventKind::CfConnFailed { conn_index });
    }

    if msg.has_any(&SHUTDOWN) || msg.has(UPDATED) || (message.is_empty() && error.has(UPDATED)) {
        return Some(EventKind::CfShutdown {
            reason: shutdown_reason(&msg, &error, fields),
        });
    }

    // NOTE: a start prints both `Starting tunnel` and `Version …`, so one restart yields two
    // `CfStart` events a moment apart. Count restarts by time, not by events.
    if msg.starts(b"starting tunnel") {
        return Some(EventKind::CfStart { version: None });
    }
    if let Some(version) = banner_version(message) {
        return Some(EventKind::CfStart {
            version: Some(version),
        });
    }

    // Request-level errors come last: their phrases can appear inside the error of a
    // connection line, which the tests above have already claimed.
    let request_error = msg.starts(b"request failed")
        || msg.has_any(&REQUEST_ERROR)
        || error.has_any(&REQUEST_ERROR)
        || origin_unreachable(msg.text())
        || origin_unreachable(error.text())
        // cloudflared logs a failed request with an empty message and the request's ray id.
        || (message.is_empty() && (fields.cf_ray.is_some() || fields.origin_service));
    if request_error {
        let cf_ray = fields
            .cf_ray
            .as_deref()
            .map(|ray| Box::from(String::from_utf8_lossy(ray)));
        return Some(EventKind::CfRequestError { cf_ray });
    }
    None
}

fn shutdown_reason(msg: &Lowered, error: &Lowered, fields: &Fields) -> ShutdownReason {
    if msg.has(b"updated to version") || error.has(b"updated to version") {
        return ShutdownReason::Update;
    }
    const SIGNAL: [&[u8]; 4] = [b"signal", b"sigterm", b"sigint", b"terminated"];
    if fields.signal.is_some() || msg.has_any(&SIGNAL) || error.has_any(&SIGNAL) {
        return ShutdownReason::Signal;
    }
    ShutdownReason::Other
}

/// Reads the version of the start banner `Version 2026.6.0 (Checksum …)`. A version starts
/// with a digit, which keeps out other messages that begin with the word.
fn banner_version(message: &[u8]) -> Option<Box<str>> {
    let head = message
        .get(..8)
        .filter(|head| head.eq_ignore_ascii_case(b"version "))?;
    let (token, _) = split_token(&message[head.len()..]);
    if !token.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(Box::from(String::from_utf8_lossy(token)))
}

/// Reads the connection index that logrus-era messages carry in the text:
/// `Connection 0 registered with CDG`, `Retrying connection 1 in 1s seconds`.
fn index_in_message(lowered: &[u8]) -> Option<u8> {
    let at = super::find(lowered, b"connection ")? + b"connection ".len();
    let rest = &lowered[at..];
    let (number, used) = super::leading_number(rest)?;
    if rest.get(used).is_some_and(|b| *b != b' ') {
        return None;
    }
    u8::try_from(number).ok()
}

/// Matches `origin` followed later by `unreachable`, as in `origin service unreachable`.
fn origin_unreachable(lowered: &[u8]) -> bool {
    super::find(lowered, b"origin").is_some_and(|at| contains(&lowered[at..], b"unreachable"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use proptest::prelude::*;

    /// The outcome a table line must produce.
    #[derive(Debug)]
    enum Expect {
        Kind(EventKind),
        Ignored,
        Malformed(&'static str),
    }

    fn run(line: &str, ctx: &LineCtx) -> (LineClass, Sink) {
        let mut parser = CloudflaredParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let class = parser.parse_line(line.as_bytes(), ctx, &mut sink);
        (class, sink)
    }

    fn only_event(sink: &Sink) -> &Event {
        assert_eq!(sink.events.len(), 1, "{:?}", sink.events);
        &sink.events[0]
    }

    /// 2026-06-10T19:30:12Z in UTC microseconds.
    const T: i64 = 1_781_119_812 * SECOND;

    fn conn(kind: fn(Option<u8>) -> EventKind, index: u8) -> Expect {
        Expect::Kind(kind(Some(index)))
    }

    fn failed(i: Option<u8>) -> EventKind {
        EventKind::CfConnFailed { conn_index: i }
    }
    fn terminated(i: Option<u8>) -> EventKind {
        EventKind::CfConnTerminated { conn_index: i }
    }
    fn unregistered(i: Option<u8>) -> EventKind {
        EventKind::CfConnUnregistered { conn_index: i }
    }
    fn registered(i: Option<u8>) -> EventKind {
        EventKind::CfConnRegistered { conn_index: i }
    }
    fn retrying(i: Option<u8>) -> EventKind {
        EventKind::CfRetrying { conn_index: i }
    }
    fn request(ray: Option<&str>) -> Expect {
        Expect::Kind(EventKind::CfRequestError {
            cf_ray: ray.map(Box::from),
        })
    }
    fn shutdown(reason: ShutdownReason) -> Expect {
        Expect::Kind(EventKind::CfShutdown { reason })
    }
    fn start(version: Option<&str>) -> Expect {
        Expect::Kind(EventKind::CfStart {
            version: version.map(Box::from),
        })
    }

    fn table() -> Vec<(&'static str, Expect)> {
        use ShutdownReason::{Other, Signal, Update};
        vec![
            // Connection lifecycle, console form.
            (
                "2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2 connection=00000000-0000-4000-8000-000000000002 event=0 ip=198.41.192.7 location=ams01 protocol=quic",
                conn(registered, 2),
            ),
            (
                "2026-06-10T19:30:12Z ERR Failed to serve tunnel connection error=\"timeout: no recent network activity\" connIndex=2 event=0 ip=198.41.192.7",
                conn(failed, 2),
            ),
            // Lower-case wording of 2026 releases.
            (
                "2026-06-10T19:30:12Z ERR failed to serve tunnel connection error=\"accept stream listener encountered a failure while serving\" connIndex=0 event=0 ip=198.41.192.227",
                conn(failed, 0),
            ),
            // Failed to serve at warning level, as 2023 releases log it, and no `event=` field.
            (
                "2026-06-10T19:30:12Z WRN Failed to serve quic connection error=\"timeout: no recent network activity\" connIndex=1 ip=198.41.200.193",
                conn(failed, 1),
            ),
            (
                "2026-06-10T19:30:12Z WRN Serve tunnel error error=\"timeout: no recent network activity\" connIndex=1 ip=198.41.200.193",
                conn(failed, 1),
            ),
            (
                "2026-06-10T19:30:12Z ERR Failed to dial a quic connection error=\"failed to dial to edge with quic: timeout: no recent network activity\" connIndex=3 event=0 ip=198.41.200.33",
                conn(failed, 3),
            ),
            (
                "2026-06-10T19:30:12Z ERR failed to run the datagram handler error=\"context canceled\" connIndex=0 event=0 ip=198.41.192.227",
                conn(failed, 0),
            ),
            (
                "2026-06-10T19:30:12Z WRN Register tunnel error from server side error=\"rpc: connection closed\" connIndex=2 ip=198.41.200.233",
                conn(failed, 2),
            ),
            (
                "2026-06-10T19:30:12Z WRN Connection terminated error=\"timeout: no recent network activity\" connIndex=2",
                conn(terminated, 2),
            ),
            // Terminated without an error, at error level.
            (
                "2026-06-10T19:30:12Z ERR Connection terminated connIndex=1",
                conn(terminated, 1),
            ),
            (
                "2026-06-10T19:30:12Z INF Unregistered tunnel connection connIndex=2 event=0 ip=198.41.192.7",
                conn(unregistered, 2),
            ),
            // No `connIndex=`: the event keeps no index.
            (
                "2026-06-10T19:30:12Z INF Unregistered tunnel connection",
                Expect::Kind(unregistered(None)),
            ),
            (
                "2026-06-10T19:30:12Z INF Retrying connection in up to 1s connIndex=2 event=0 ip=198.41.192.7",
                conn(retrying, 2),
            ),
            (
                "2026-06-10T19:30:12Z INF Retrying connection in up to 4s seconds connIndex=0 ip=198.41.200.33",
                conn(retrying, 0),
            ),
            // Request errors: the empty message leaves two spaces after the level.
            (
                "2026-06-10T19:30:12Z ERR  error=\"Incoming request ended abruptly: context canceled\" cfRay=8f1a2b3c4d5e6f70-AMS ingressRule=0 originService=https://traefik.traefik.svc.cluster.local:443",
                request(Some("8f1a2b3c4d5e6f70-AMS")),
            ),
            (
                "2026-06-10T19:30:12Z ERR  error=\"stream 17 canceled by remote with error code 0\" connIndex=2 event=1 ingressRule=0 originService=http://localhost:8450",
                request(None),
            ),
            (
                "2026-06-10T19:30:12Z ERR Request failed error=\"stream 17 canceled by remote with error code 0\" connIndex=2 dest=https://t3.example.net/ event=0 ip=198.41.200.233 type=http",
                request(None),
            ),
            (
                "2026-06-10T19:30:12Z ERR  error=\"Unable to reach the origin service. The service may be down or it may not be responding to traffic from cloudflared: dial tcp 10.0.10.10:443: connect: connection refused\" cfRay=8f1a2b3c4d5e6f71-AMS originService=https://traefik.traefik.svc.cluster.local:443",
                request(Some("8f1a2b3c4d5e6f71-AMS")),
            ),
            // Any error of an empty-message line with a ray id is about that request.
            (
                "2026-06-10T19:30:12Z ERR  error=\"context canceled\" cfRay=8f1a2b3c4d5e6f72-AMS ingressRule=0 originService=https://traefik.traefik.svc.cluster.local:443",
                request(Some("8f1a2b3c4d5e6f72-AMS")),
            ),
            (
                "2026-06-10T19:30:12Z ERR origin service unreachable cfRay=8f1a2b3c4d5e6f73-AMS",
                request(Some("8f1a2b3c4d5e6f73-AMS")),
            ),
            // Shutdown, with the update notice as the error.
            (
                "2026-06-10T19:30:12Z ERR Initiating shutdown error=\"cloudflared has been updated to version 2026.6.0\"",
                shutdown(Update),
            ),
            (
                "2026-06-10T19:30:12Z INF cloudflared has been updated to version 2026.6.0",
                shutdown(Update),
            ),
            (
                "2026-06-10T19:30:12Z ERR  error=\"cloudflared has been updated to version 2026.6.0\"",
                shutdown(Update),
            ),
            (
                "2026-06-10T19:30:12Z INF Initiating graceful shutdown due to signal terminated ...",
                shutdown(Signal),
            ),
            (
                "2026-06-10T19:30:12Z INF terminating due to signal signal=terminated",
                shutdown(Signal),
            ),
            (
                "2026-06-10T19:30:12Z INF Tunnel server stopped",
                shutdown(Other),
            ),
            (
                "2026-06-10T19:30:12Z ERR no more connections active and exiting",
                shutdown(Other),
            ),
            // Start banners. The metrics server line is not a start.
            (
                "2026-06-10T19:30:12Z INF Starting tunnel tunnelID=00000000-0000-4000-8000-000000000001",
                start(None),
            ),
            (
                "2026-06-10T19:30:12Z INF Version 2026.6.0 (Checksum 9d71c677db00134c1bd4144b7783486b654ad281b1ea62b4972098d19f770f17)",
                start(Some("2026.6.0")),
            ),
            (
                "2026-06-10T19:30:12Z INF Version 2021.5.9",
                start(Some("2021.5.9")),
            ),
            (
                "2026-06-10T19:30:12Z INF Starting metrics server on 127.0.0.1:20242/metrics",
                Expect::Ignored,
            ),
            // Lines of no interest, some of them close in wording to the ones above.
            (
                "2026-06-10T19:30:12Z INF Tunnel connection curve preferences: [X25519MLKEM768 CurveID(65074) CurveP256] connIndex=3 event=0 ip=198.41.200.23",
                Expect::Ignored,
            ),
            (
                "2026-06-10T19:30:12Z INF Updated to new configuration config=\"{\\\"ingress\\\":[{\\\"hostname\\\":\\\"t3.example.net\\\",\\\"service\\\":\\\"http://traefik:80\\\"}]}\" version=1",
                Expect::Ignored,
            ),
            (
                "2026-06-10T19:30:12Z INF Your version 2026.4.0 is outdated. We recommend upgrading it to 2026.6.0",
                Expect::Ignored,
            ),
            (
                "2026-06-10T19:30:12Z ERR update check failed error=\"timeout\"",
                Expect::Ignored,
            ),
            (
                "2026-06-10T19:30:12Z INF Metrics server stopped",
                Expect::Ignored,
            ),
            (
                "2026-06-10T19:30:12Z INF Settings: map[config:/etc/cloudflared/config.yml no-autoupdate:true]",
                Expect::Ignored,
            ),
            // A debug request line names the ray but is no error.
            (
                "2026-06-10T19:30:12Z DBG 101 Switching Protocols cfRay=8f1a2b3c4d5e6f74-AMS connIndex=0 content-length=0 event=1 ingressRule=0",
                Expect::Ignored,
            ),
            // Traefik's diagnostic lines share the console shape and are read as ignored lines.
            (
                "2026-06-10T19:30:12Z ERR error=\"service not found\" ingress=t3 namespace=t3code providerName=kubernetes",
                Expect::Ignored,
            ),
            // A message that contains `=` keeps it, and the sorted fields after it are read.
            (
                "2026-06-10T19:30:12Z ERR Failed to serve tunnel connection retry=x now error=\"a=b c\" connIndex=4",
                conn(failed, 4),
            ),
            // Unreadable lines of cloudflared's shape.
            (
                "2026-06-10T19:30:12Z ERR Failed to serve tunnel connection error=\"timeout: no recent network activity connIndex=2",
                Expect::Malformed(UNTERMINATED),
            ),
            (
                "2026-13-10T19:30:12Z INF Registered tunnel connection connIndex=2",
                Expect::Malformed("invalid timestamp"),
            ),
            (
                "Thank you for trying Cloudflare Tunnel.",
                Expect::Malformed("no timestamp"),
            ),
            // JSON form, any key order, `connIndex` a number or a string.
            (
                r#"{"level":"error","error":"timeout: no recent network activity","connIndex":2,"time":"2026-06-10T19:30:12Z","message":"Failed to serve tunnel connection"}"#,
                conn(failed, 2),
            ),
            (
                r#"{"connIndex":"1","message":"Registered tunnel connection","level":"info","time":"2026-06-10T19:30:12Z","location":"ams01"}"#,
                conn(registered, 1),
            ),
            (
                r#"{"level":"error","error":"Incoming request ended abruptly: context canceled","cfRay":"8f1a2b3c4d5e6f70-AMS","originService":"https://traefik.traefik.svc.cluster.local:443","time":"2026-06-10T19:30:12Z"}"#,
                request(Some("8f1a2b3c4d5e6f70-AMS")),
            ),
            (
                r#"{"level":"info","time":"2026-06-10T19:30:12Z","message":"Initiating graceful shutdown due to signal terminated ..."}"#,
                shutdown(Signal),
            ),
            (
                r#"{"level":"info","time":1781119812,"message":"Starting tunnel","tunnelID":"00000000-0000-4000-8000-000000000001"}"#,
                start(None),
            ),
            (
                r#"{"level":"info","time":"2026-06-10T19:30:12Z","message":"Starting metrics server on [::]:2000/metrics"}"#,
                Expect::Ignored,
            ),
            (
                r#"{"level":"info","time":"yesterday","message":"Registered tunnel connection"}"#,
                Expect::Malformed("invalid timestamp"),
            ),
            (
                r#"{"level":"info","time":"2026-06-10T19:30:12Z","message":"Registered"#,
                Expect::Malformed("invalid JSON"),
            ),
            // logrus text of old releases, with escaped quotes in a value.
            (
                "time=\"2026-06-10T19:30:12Z\" level=error msg=\"Failed to serve tunnel connection\" connIndex=2 error=\"timeout: no recent network activity\"",
                conn(failed, 2),
            ),
            (
                "time=\"2026-06-10T19:30:12Z\" level=error msg=\"failed to connect to an HTTPS backend \\\"https://1.1.1.1/dns-query\\\"\" error=\"failed to perform an HTTPS request\"",
                Expect::Ignored,
            ),
            (
                "time=\"2026-06-10T19:30:12Z\" level=info msg=\"Starting tunnel",
                Expect::Malformed(UNTERMINATED),
            ),
            // logrus terminal output, the connection index inside the message.
            (
                "INFO[2026-06-10T19:30:12Z] Connection 0 registered with CDG using ID ",
                conn(registered, 0),
            ),
            (
                "INFO[2026-06-10T19:30:12Z] Retrying connection 1 in 1s seconds",
                conn(retrying, 1),
            ),
            (
                "ERRO[2026-06-10T19:30:12Z] Serve tunnel error: tls: use of closed connection",
                Expect::Kind(failed(None)),
            ),
        ]
    }

    #[test]
    fn line_table() {
        for (line, expect) in table() {
            let (class, sink) = run(line, &LineCtx::plain(7));
            match expect {
                Expect::Kind(kind) => {
                    assert_eq!(class, LineClass::Used, "{line}");
                    let event = only_event(&sink);
                    assert_eq!(event.kind, kind, "{line}");
                    assert_eq!(event.time, T, "{line}");
                    assert_eq!(event.precision, Precision::Second, "{line}");
                    assert_eq!(&*event.text, line, "{line}");
                }
                Expect::Ignored => {
                    assert_eq!(class, LineClass::Ignored, "{line}");
                    assert!(sink.events.is_empty(), "{line}");
                }
                Expect::Malformed(reason) => {
                    assert_eq!(class, LineClass::Malformed(reason), "{line}");
                    assert!(sink.events.is_empty(), "{line}");
                }
            }
        }
    }

    #[test]
    fn coverage_for_every_timed_line() {
        let mut parser = CloudflaredParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let ctx = LineCtx {
            line: 1,
            outer_time: None,
            pod: Some("cloudflared-0"),
        };
        let lines: [&[u8]; 3] = [
            b"2026-06-10T19:30:12Z INF Starting metrics server on 127.0.0.1:20242/metrics",
            b"2026-06-10T19:30:13Z INF Registered tunnel connection connIndex=0",
            // Unreadable fields, readable time: the pod was still logging.
            b"2026-06-10T19:30:14Z ERR Serve tunnel error error=\"cut",
        ];
        for line in lines {
            parser.parse_line(line, &ctx, &mut sink);
        }
        let track = sink.activity.tracks.values().next().expect("one track");
        assert_eq!(sink.activity.tracks.len(), 1);
        assert_eq!(track.lines, 3);
        assert_eq!(track.first, T);
        assert_eq!(track.last, T + 2 * SECOND);
        let key = sink.activity.tracks.keys().next().expect("one key");
        assert_eq!(key.source, Source::Cloudflared);
        assert_eq!(key.pod.as_deref(), Some("cloudflared-0"));
        assert_eq!(only_event(&sink).pod.as_deref(), Some("cloudflared-0"));
    }

    #[test]
    fn inner_time_beats_outer() {
        let outer = Some((T + 3600 * SECOND, Precision::Micro));
        let ctx = LineCtx {
            line: 1,
            outer_time: outer,
            pod: None,
        };
        let (_, sink) = run(
            "2026-06-10T19:30:12Z INF Unregistered tunnel connection connIndex=2",
            &ctx,
        );
        let event = only_event(&sink);
        assert_eq!(event.time, T);
        assert_eq!(event.precision, Precision::Second);
    }

    #[test]
    fn outer_time_fills_timeless_line() {
        let ctx = LineCtx {
            line: 1,
            outer_time: Some((T + 123_456, Precision::Micro)),
            pod: None,
        };
        let (class, sink) = run("INF Registered tunnel connection connIndex=3", &ctx);
        assert_eq!(class, LineClass::Used);
        let event = only_event(&sink);
        assert_eq!(event.time, T + 123_456);
        assert_eq!(event.precision, Precision::Micro);
        assert_eq!(event.kind, registered(Some(3)));

        let (class, sink) = run("  If you are using private routing to this Tunnel", &ctx);
        assert_eq!(class, LineClass::Ignored);
        assert_eq!(sink.activity.tracks.len(), 1);
    }

    #[test]
    fn timeless_line_without_envelope() {
        let (class, sink) = run(
            "INF Registered tunnel connection connIndex=3",
            &LineCtx::plain(1),
        );
        assert_eq!(class, LineClass::Malformed("no timestamp"));
        assert!(sink.activity.tracks.is_empty());
    }

    #[test]
    fn precision_follows_digits() {
        let (_, sink) = run(
            "2026-06-10T19:30:12.123Z INF Registered tunnel connection",
            &LineCtx::plain(1),
        );
        let event = only_event(&sink);
        assert_eq!(event.time, T + 123_000);
        assert_eq!(event.precision, Precision::Milli);
    }

    #[test]
    fn blank_line_is_ignored() {
        let (class, _) = run("  \r", &LineCtx::plain(1));
        assert_eq!(class, LineClass::Ignored);
    }

    #[test]
    fn split_message_cases() {
        let (message, fields) = split_message(b" error=\"a \\\"b\\\" = c\" cfRay=x-AMS").unwrap();
        assert_eq!(message, b"");
        assert_eq!(fields.error.as_deref(), Some(&b"a \\\"b\\\" = c"[..]));
        assert_eq!(fields.cf_ray.as_deref(), Some(&b"x-AMS"[..]));

        // `z=1` is out of order before `connIndex`, so it stays in the message.
        let (message, fields) = split_message(b"Something z=1 happened connIndex=7").unwrap();
        assert_eq!(message, b"Something z=1 happened");
        assert_eq!(fields.conn_index, Some(7));

        // Keys out of order cannot start the list, so the list starts later.
        let (message, fields) = split_message(b"Old line zeta=1 connIndex=5 beta=2").unwrap();
        assert_eq!(message, b"Old line zeta=1 connIndex=5");
        assert_eq!(fields.conn_index, None);

        let (message, fields) = split_message(b"Settings: map[a:b c:d]").unwrap();
        assert_eq!(message, b"Settings: map[a:b c:d]");
        assert!(fields.error.is_none());

        assert_eq!(split_message(b"x error=\"open").err(), Some(UNTERMINATED));
    }

    #[test]
    fn conn_index_bounds() {
        let (_, sink) = run(
            "2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=256",
            &LineCtx::plain(1),
        );
        assert_eq!(only_event(&sink).kind, registered(None));
        let (_, sink) = run(
            r#"{"time":"2026-06-10T19:30:12Z","message":"Registered tunnel connection","connIndex":-1}"#,
            &LineCtx::plain(1),
        );
        assert_eq!(only_event(&sink).kind, registered(None));
    }

    #[test]
    fn sniff_scores() {
        let cases: &[(&str, u8)] = &[
            (
                "2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2 event=0",
                2,
            ),
            (
                "2026-06-10T19:30:12Z ERR  error=\"context canceled\" cfRay=8f1a2b3c4d5e6f70-AMS",
                2,
            ),
            (
                "2026-06-10T19:30:14Z INF Starting tunnel tunnelID=00000000-0000-4000-8000-000000000001",
                2,
            ),
            (
                r#"{"level":"info","connIndex":0,"message":"Registered tunnel connection"}"#,
                2,
            ),
            (r#"{"level":"error","cfRay":"8f1a2b3c4d5e6f70-AMS"}"#, 2),
            // Traefik's diagnostic lines have this shape too.
            (
                "2026-06-10T19:30:12Z ERR error=\"service not found\" providerName=kubernetes",
                1,
            ),
            (
                "2026-06-10T19:30:12Z INF Starting metrics server on 127.0.0.1:20242/metrics",
                1,
            ),
            (
                "time=\"2026-06-10T19:30:12Z\" level=info msg=\"Metrics server stopped\"",
                1,
            ),
            (
                "203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"-\" 1 \"r@kubernetes\" \"http://10.0.10.10:3780\" 5ms",
                0,
            ),
            (
                "Jun 10 19:56:01 devvm t3-dispatch[812]: ws open user=alice ip=203.0.113.7",
                0,
            ),
            ("2026-06-10T19:30:12Z INFO something", 0),
            // Prose or a CSV row that quotes a cloudflared message.
            (
                "D0011,2026-06-10T19:50:19.000Z,alice,\"tunnel connection 2 of cloudflared failed\"",
                0,
            ),
            ("The tunnel connection dropped at 19:50 (connIndex=2).", 0),
            ("", 0),
        ];
        for (line, score) in cases {
            assert_eq!(sniff(line.as_bytes()), *score, "{line}");
        }
    }

    /// Valid lines of every form, for mutation.
    fn seeds() -> Vec<&'static str> {
        table().into_iter().map(|(line, _)| line).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), outer in any::<bool>()) {
            let mut parser = CloudflaredParser::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            let ctx = LineCtx { line: 1, outer_time: outer.then_some((T, Precision::Micro)), pod: None };
            parser.parse_line(&bytes, &ctx, &mut sink);
            sniff(&bytes);
        }

        #[test]
        fn mutated_lines_never_panic(
            seed in proptest::sample::select(seeds()),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        ) {
            let mut bytes = seed.as_bytes().to_vec();
            for (at, byte, op) in edits {
                let i = at.index(bytes.len() + 1);
                match op {
                    0 => bytes.insert(i, byte),
                    1 if i < bytes.len() => { bytes.remove(i); }
                    _ if i < bytes.len() => bytes[i] = byte,
                    _ => bytes.push(byte),
                }
            }
            let mut parser = CloudflaredParser::new(&ParseOptions::default());
            let mut sink = Sink::new(0);
            parser.parse_line(&bytes, &LineCtx::plain(1), &mut sink);
            sniff(&bytes);
        }
    }
}
