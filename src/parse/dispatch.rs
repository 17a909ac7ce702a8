//! t3-dispatch messages: Go `log` output inside journal lines.
//!
//! Shapes read here, after the Go `log` header that [`parse_line`] removes:
//!
//! ```text
//! ws open user=alice ip=203.0.113.7, 10.10.1.12
//! ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful
//! t3-dispatch listening on :3780
//! http: proxy error: read tcp 127.0.0.1:51234->127.0.0.1:3773: read: connection reset by peer
//! pairing for alice returned 500 (endpoint=/api/auth/browser-session)
//! mint for alice failed: exit status 1
//! ```
//!
//! Go's `log` package (`formatHeader` in `log.go`) writes the header from the logger's flags,
//! each part optional, in this order:
//!
//! ```text
//! [PREFIX][2026/06/10 ][19:56:01[.123456] ][/src/main.go:88: ][PREFIX]MESSAGE
//!  SetPrefix  Ldate     Ltime, Lmicroseconds  Llongfile, Lshortfile  with Lmsgprefix
//! ```
//!
//! `LUTC` changes only the zone of the time, which the text does not show.
//!
//! `ip=` is the raw X-Forwarded-For value, which the client controls, and `cause=` is raw Go
//! error text with spaces and colons. So `ws close` is split on its last ` dur_ms=`, and the
//! cause runs to the end of the message.

use std::net::IpAddr;

use super::journal::{JOINED_LINES, contains_journal_prefix};
use super::{Message, client, contains, find, leading_number, rfind};
use crate::event::{CloseCause, EventKind, ProxyErrorClass};
use crate::time::{Civil, fraction, hms, ymd};

/// Reads Go's `log` date and time `2026/06/10 19:56:01 ` (optionally `.123456`) at the start of
/// a message: the local civil time and the bytes consumed, the trailing space included. A
/// prefix that ends the message (an empty Go message) consumes the whole message. Input
/// detection uses it, so it reads only this most common header.
pub fn go_prefix(msg: &[u8]) -> Option<(Civil, usize)> {
    let (year, month, day) = go_date(msg)?;
    let ((hour, minute, second, micros), time_len) = go_time(&msg[GO_DATE_LEN..])?;
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    };
    Some((civil, GO_DATE_LEN + time_len))
}

/// The parts of a Go `log` header that a dispatch line carried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GoHeader {
    /// Year, month and day (`log.Ldate`).
    pub date: Option<(i32, u32, u32)>,
    /// Hour, minute, second and microseconds (`log.Ltime`, `log.Lmicroseconds`).
    pub time: Option<(u32, u32, u32, u32)>,
}

impl GoHeader {
    /// Returns the local civil time when the header has both a date and a time.
    pub fn civil(&self) -> Option<Civil> {
        let (year, month, day) = self.date?;
        let (hour, minute, second, micros) = self.time?;
        Some(Civil {
            year,
            month,
            day,
            hour,
            minute,
            second,
            micros,
        })
    }
}

/// Length of `2026/06/10 `, the trailing space included.
const GO_DATE_LEN: usize = 11;

/// Bytes searched for a known message behind a custom prefix or a long `Llongfile` path.
const MAX_HEADER_LEN: usize = 256;

/// Longest `log.SetPrefix` text read as a custom prefix.
const MAX_CUSTOM_PREFIX_LEN: usize = 32;

/// Starts of the messages [`parse_message`] reads, and of those it ignores.
const MESSAGE_STARTS: [&[u8]; 9] = [
    b"ws open ",
    b"ws close ",
    b"http: ",
    b"http2: ",
    b"httputil: ",
    b"t3-dispatch listening on ",
    b"pairing for ",
    b"mint for ",
    b"paired ",
];

/// Messages of no interest: a successful pairing, and the request-level errors that Go's
/// `net/http` server and `httputil.ReverseProxy` write through the standard logger
/// (`http: TLS handshake error from …`, `httputil: ReverseProxy read error during body copy: …`).
/// `http: proxy error: ` is read before these.
const IRRELEVANT_STARTS: [&[u8]; 4] = [b"paired ", b"http: ", b"http2: ", b"httputil: "];

const UNKNOWN_MESSAGE: &str = "t3-dispatch message of an unknown shape after its Go log header \
     (not ws open, ws close, proxy error, listening, pairing or mint)";
const UNREAD_HEADER: &str = "t3-dispatch message after a prefix that is not a Go log header \
     (`[PREFIX][YYYY/MM/DD ][HH:MM:SS[.ffffff] ][FILE.go:LINE: ]`)";
const INVALID_DATE: &str = "t3-dispatch line with an invalid date in its Go log header";
const INVALID_TIME: &str = "t3-dispatch line with an invalid time in its Go log header";
const JOINED_DISPATCH_LINES: &str = "two dispatch lines joined: a second Go log date and time \
     inside the line, where a cut write ran into the next line";

/// Parses one t3-dispatch line as Go's `log` wrote it: the header of [`GoHeader`] parts, then
/// the message. Returns a default header when the line is malformed before its message.
///
/// A line without any header part whose message is not one of dispatch's is ignored: it is
/// output that did not go through the logger, such as a panic's stack trace or a child
/// process's stderr. A line with a header and an unknown message is malformed, so a header of
/// an unexpected shape shows in the summary instead of losing every line.
///
/// NOTE: `ip=` is client-controlled text, so a client can make its own line malformed by
/// sending a journal prefix or a Go log time in X-Forwarded-For. That costs an event, never
/// makes a wrong one.
pub fn parse_line(text: &[u8]) -> (GoHeader, Message) {
    if contains_journal_prefix(text) {
        return (GoHeader::default(), Message::Malformed(JOINED_LINES));
    }
    if go_times_in(text) > 1 {
        return (
            GoHeader::default(),
            Message::Malformed(JOINED_DISPATCH_LINES),
        );
    }
    let (header, message) = match split_header(text) {
        Ok(split) => split,
        Err(reason) => return (GoHeader::default(), Message::Malformed(reason)),
    };
    let bare = message.len() == text.len();
    if bare && !starts_known(message) && !message.starts_with(b"ws ") {
        return (header, Message::Ignored);
    }
    (header, parse_message(message))
}

/// Splits a dispatch line into its Go `log` header and its message. The common shapes need
/// one pass from the start. A custom prefix is found by looking for the start of a known
/// message and reading the text before it as a prefix and header parts.
fn split_header(text: &[u8]) -> Result<(GoHeader, &[u8]), &'static str> {
    let (header, len) = header_at(text);
    let rest = &text[len..];
    if rest.is_empty() || starts_known(rest) {
        return Ok((header, rest));
    }

    let window = &text[..text.len().min(MAX_HEADER_LEN)];
    let mut starts: Vec<usize> = MESSAGE_STARTS
        .iter()
        .filter_map(|start| find(window.get(1..)?, start).map(|at| at + 1))
        .collect();
    starts.sort_unstable();
    for &at in &starts {
        if let Some(header) = header_around_prefix(&text[..at]) {
            return Ok((header, &text[at..]));
        }
    }

    if let Some(reason) = invalid_date_or_time(text) {
        return Err(reason);
    }
    if !starts.is_empty() {
        return Err(UNREAD_HEADER);
    }
    Ok((header, rest))
}

/// Reads the header parts at the start of `bytes`, each optional, in Go's order: the header
/// and its length, 0 when no part is there.
fn header_at(bytes: &[u8]) -> (GoHeader, usize) {
    let mut header = GoHeader::default();
    let mut at = 0;
    if let Some(date) = go_date(bytes) {
        header.date = Some(date);
        at = GO_DATE_LEN;
    }
    if let Some((time, len)) = go_time(&bytes[at..]) {
        header.time = Some(time);
        at += len;
    }
    at += go_file_len(&bytes[at..]);
    (header, at)
}

/// Reads `2026/06/10 ` (`log.Ldate`): Go always writes `/` between the date parts.
fn go_date(bytes: &[u8]) -> Option<(i32, u32, u32)> {
    if bytes.get(4) != Some(&b'/') || bytes.get(10) != Some(&b' ') {
        return None;
    }
    ymd(bytes)
}

/// Reads `19:56:01 ` or `19:56:01.123456 ` (`log.Ltime`, `log.Lmicroseconds`): the time and
/// the bytes consumed. A time that ends the text (an empty Go message) has no space after it.
fn go_time(bytes: &[u8]) -> Option<((u32, u32, u32, u32), usize)> {
    let (hour, minute, second) = hms(bytes)?;
    let (micros, _, fraction_len) = fraction(&bytes[8..]);
    let end = 8 + fraction_len;
    let len = match bytes.get(end) {
        Some(b' ') => end + 1,
        None => end,
        Some(_) => return None,
    };
    Some(((hour, minute, second, micros), len))
}

/// Returns the length of `main.go:88: ` or `/src/t3/main.go:88: ` (`log.Lshortfile`,
/// `log.Llongfile`; `???:0: ` when Go could not find the caller) at the start of `bytes`, or 0.
fn go_file_len(bytes: &[u8]) -> usize {
    let token_len = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
    let Some(file_line) = bytes[..token_len].strip_suffix(b":") else {
        return 0;
    };
    let Some(colon) = memchr::memrchr(b':', file_line) else {
        return 0;
    };
    let line = &file_line[colon + 1..];
    if colon == 0 || line.is_empty() || !line.iter().all(u8::is_ascii_digit) {
        return 0;
    }
    (token_len + 1).min(bytes.len())
}

/// Reads `before`, the text in front of a known message, as a custom prefix and header parts.
/// Go writes the prefix first, or last with `log.Lmsgprefix`.
fn header_around_prefix(before: &[u8]) -> Option<GoHeader> {
    let (header, len) = header_at(before);
    if len > 0 && is_custom_prefix(&before[len..]) {
        return Some(header);
    }
    for prefix_len in 1..=before.len().min(MAX_CUSTOM_PREFIX_LEN) {
        // A longer text keeps every flaw of a shorter one.
        if !is_custom_prefix(&before[..prefix_len]) {
            break;
        }
        let (header, len) = header_at(&before[prefix_len..]);
        if prefix_len + len == before.len() {
            return Some(header);
        }
    }
    None
}

/// Tells whether `text` can be a `log.SetPrefix` string: printable ASCII without `=` and
/// without two digits in a row. The digit rule keeps a damaged date, a time, a PID or an
/// address from being taken for a prefix, at the cost of reading a prefix such as `app24: `
/// as malformed.
fn is_custom_prefix(text: &[u8]) -> bool {
    !text.is_empty()
        && text.len() <= MAX_CUSTOM_PREFIX_LEN
        && text
            .iter()
            .all(|&b| (b' '..=b'~').contains(&b) && b != b'=')
        && !text
            .windows(2)
            .any(|pair| pair[0].is_ascii_digit() && pair[1].is_ascii_digit())
}

/// Names a header that starts like a Go date or time but does not hold a valid one
/// (`2026/13/10`, `25:00:00`).
fn invalid_date_or_time(text: &[u8]) -> Option<&'static str> {
    let digits_at = |positions: &[usize]| {
        positions
            .iter()
            .all(|&i| text.get(i).is_some_and(u8::is_ascii_digit))
    };
    let date_shaped = text.get(4) == Some(&b'/')
        && text.get(7) == Some(&b'/')
        && digits_at(&[0, 1, 2, 3, 5, 6, 8, 9]);
    if date_shaped && go_date(text).is_none() {
        return Some(INVALID_DATE);
    }
    let time_at = if date_shaped { GO_DATE_LEN } else { 0 };
    let time = text.get(time_at..).unwrap_or_default();
    let time_shaped = time.get(2) == Some(&b':')
        && time.get(5) == Some(&b':')
        && [0, 1, 3, 4, 6, 7]
            .iter()
            .all(|&i| time.get(i).is_some_and(u8::is_ascii_digit));
    if time_shaped && go_time(time).is_none() {
        return Some(INVALID_TIME);
    }
    None
}

/// Counts the Go `log` dates with a time (`2026/06/10 19:56:01`) in `text`. Two mean that a cut
/// write ran into the next dispatch line, as in an `-o cat` export.
fn go_times_in(text: &[u8]) -> usize {
    memchr::memchr_iter(b'/', text)
        .filter(|&slash| {
            slash >= 4
                && go_date(&text[slash - 4..]).is_some()
                && text
                    .get(slash - 4 + GO_DATE_LEN..)
                    .is_some_and(|time| hms(time).is_some())
        })
        .count()
}

/// Tells whether `message` starts like one of the messages dispatch writes.
fn starts_known(message: &[u8]) -> bool {
    MESSAGE_STARTS
        .iter()
        .any(|start| message.starts_with(start))
}

/// Parses one dispatch message with the Go header already removed. Never sets `inner_time`:
/// the caller keeps the header time itself.
pub fn parse_message(msg: &[u8]) -> Message {
    if let Some(rest) = msg.strip_prefix(b"ws close ") {
        return parse_ws_close(rest);
    }
    if let Some(rest) = msg.strip_prefix(b"ws open ") {
        return parse_ws_open(rest);
    }
    if let Some(rest) = msg.strip_prefix(b"http: proxy error: ") {
        let kind = EventKind::ProxyError {
            class: proxy_error_class(rest),
            port: serve_port(rest),
        };
        return Message::event(kind);
    }
    if msg.starts_with(b"t3-dispatch listening on ") {
        return Message::event(EventKind::DispatchListening);
    }
    if let Some(rest) = msg.strip_prefix(b"pairing for ") {
        return parse_pairing(rest);
    }
    if let Some(rest) = msg.strip_prefix(b"mint for ") {
        return parse_mint(rest);
    }
    // A socket line damaged after its first words (`ws close\0 user=…`) is malformed, because
    // ignoring it would lose a drop without a word.
    if msg.starts_with(b"ws close") || msg.starts_with(b"ws open") {
        return Message::Malformed("ws open or ws close line that does not read");
    }
    if msg.is_empty() || IRRELEVANT_STARTS.iter().any(|start| msg.starts_with(start)) {
        return Message::Ignored;
    }
    Message::Malformed(UNKNOWN_MESSAGE)
}

/// Parses `user=alice ip=203.0.113.7, 10.10.1.12`.
fn parse_ws_open(rest: &[u8]) -> Message {
    let (user, after_user) = match user_field(rest) {
        Ok(field) => field,
        Err(UserError::Missing) => return Message::Malformed("ws open without user="),
        Err(UserError::NotLogin) => {
            return Message::Malformed("ws open whose user= is not a Unix login name");
        }
    };
    let Some(chain) = after_user.strip_prefix(b" ip=") else {
        return Message::Malformed("ws open without ip= after user=");
    };
    let Some(client) = checked_client(chain) else {
        return Message::Malformed("ws open whose ip= is not a list of IP addresses");
    };
    Message::event(EventKind::WsOpen {
        user,
        client: Some(client),
    })
}

/// Returns the cloudflared pod address of a `ws open` line: the last address of its `ip=`
/// chain, which Traefik appended, when the chain has two or more and that one is private.
pub fn ws_open_pod(line: &[u8]) -> Option<IpAddr> {
    let at = find(line, b"ws open user=")?;
    let chain_at = find(&line[at..], b" ip=")? + at + b" ip=".len();
    let chain = &line[chain_at..];
    let comma = chain.iter().rposition(|&b| b == b',')?;
    if comma == 0 {
        return None;
    }
    let pod = client::parse_host(chain[comma + 1..].trim_ascii())?;
    client::is_internal(pod).then_some(pod)
}

/// Parses `user=alice ip=CHAIN dur_ms=21873 cause=TEXT`. CHAIN may itself contain
/// ` dur_ms=… cause=…` (a forged X-Forwarded-For), so the real `dur_ms` is the last one.
fn parse_ws_close(rest: &[u8]) -> Message {
    let (user, after_user) = match user_field(rest) {
        Ok(field) => field,
        Err(UserError::Missing) => return Message::Malformed("ws close without user="),
        Err(UserError::NotLogin) => {
            return Message::Malformed("ws close whose user= is not a Unix login name");
        }
    };
    let Some(dur_at) = rfind(after_user, b" dur_ms=") else {
        return Message::Malformed("ws close without dur_ms=");
    };
    let (chain_field, dur_field) = after_user.split_at(dur_at);
    let dur_field = &dur_field[b" dur_ms=".len()..];
    let Some((dur_ms, dur_len)) = leading_number(dur_field) else {
        return Message::Malformed("ws close with an unreadable dur_ms=");
    };
    let Some(cause) = dur_field[dur_len..].strip_prefix(b" cause=") else {
        return Message::Malformed("ws close without cause= after dur_ms=");
    };
    if cause.trim_ascii().is_empty() {
        return Message::Malformed("ws close with an empty cause=");
    }
    let Some(chain) = chain_field.strip_prefix(b" ip=") else {
        return Message::Malformed("ws close without ip= after user=");
    };
    let Some(client) = checked_client(chain) else {
        return Message::Malformed("ws close whose ip= is not a list of IP addresses");
    };

    let kind = EventKind::WsClose {
        user,
        client: Some(client),
        dur_ms,
        cause: close_cause(cause),
    };
    Message::event(kind)
}

/// The fault of a `user=` field that does not read.
enum UserError {
    Missing,
    NotLogin,
}

/// Reads `user=NAME` at the start of `rest`, returning the name and the bytes after it. The
/// name ends at the first space.
fn user_field(rest: &[u8]) -> Result<(Box<str>, &[u8]), UserError> {
    let value = rest.strip_prefix(b"user=").ok_or(UserError::Missing)?;
    let (name, after) = split_token(value);
    if name.is_empty() {
        return Err(UserError::Missing);
    }
    Ok((login_name(name).ok_or(UserError::NotLogin)?, after))
}

/// Maximum length of a login name: useradd(8) documents that user names may be up to 32
/// characters long.
const MAX_LOGIN_NAME_LEN: usize = 32;

/// Returns `name` as a Unix login name: letters, digits, `.`, `_` and `-`, not starting with
/// `-`, at most 32 bytes. POSIX's portable names are ASCII, but useradd(8) accepts other
/// letters with `--badname` (`jörg`), so any UTF-8 letter counts. A name cut and joined to
/// the next journal line usually fails this, because it takes in the timestamp's `:` and `+`
/// or the Go date's `/`.
fn login_name(name: &[u8]) -> Option<Box<str>> {
    let text = std::str::from_utf8(name).ok()?;
    let valid = name.len() <= MAX_LOGIN_NAME_LEN
        && !text.is_empty()
        && !text.starts_with('-')
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then(|| Box::from(text))
}

/// Reads dispatch's `ip=` chain and returns its client, as [`client::client_of_chain`] picks
/// it. The client and every entry after it were written by Cloudflare, Traefik or the TCP
/// peer, so each must be an IP address (with an optional port), or the line was cut. The
/// entries before the client are text the client sent itself and are not checked.
fn checked_client(chain: &[u8]) -> Option<IpAddr> {
    let entries = || chain.split(|&b| b == b',').map(<[u8]>::trim_ascii);
    let mut first = None;
    let mut public = None;
    for (index, entry) in entries().enumerate() {
        let Some(addr) = client::parse_host(entry) else {
            continue;
        };
        first.get_or_insert((index, addr));
        if !client::is_internal(addr) {
            public = Some((index, addr));
        }
    }
    let (client_index, client) = public.or(first)?;
    entries()
        .skip(client_index + 1)
        .all(|entry| client::parse_host(entry).is_some())
        .then_some(client)
}

/// Splits `bytes` at its first space: the token before it and the rest, space included.
fn split_token(bytes: &[u8]) -> (&[u8], &[u8]) {
    let end = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
    bytes.split_at(end)
}

fn close_cause(text: &[u8]) -> CloseCause {
    let text = text.trim_ascii_end();
    match text {
        b"graceful" => CloseCause::Graceful,
        b"downstream_closed" => CloseCause::DownstreamClosed,
        b"upstream_closed" => CloseCause::UpstreamClosed,
        _ => CloseCause::Error(String::from_utf8_lossy(text).into()),
    }
}

/// Classifies the Go error text of `http: proxy error: …`.
fn proxy_error_class(text: &[u8]) -> ProxyErrorClass {
    const TIMEOUTS: [&[u8]; 3] = [
        b"i/o timeout",
        b"deadline exceeded",
        b"timeout awaiting response headers",
    ];

    if contains(text, b"context canceled") {
        ProxyErrorClass::Canceled
    } else if contains(text, b"connection reset by peer") {
        ProxyErrorClass::Reset
    } else if contains(text, b"connection refused") {
        ProxyErrorClass::Refused
    } else if TIMEOUTS.iter().any(|needle| contains(text, needle)) {
        ProxyErrorClass::Timeout
    } else if contains(text, b"EOF") {
        // Covers both `EOF` and `unexpected EOF`.
        ProxyErrorClass::Eof
    } else {
        ProxyErrorClass::Other
    }
}

/// Returns the serve port named by a proxy error: the remote address after `->` in
/// `read tcp 127.0.0.1:51234->127.0.0.1:3773: read: …`, or the dialled address in
/// `dial tcp 127.0.0.1:3774: connect: …`. Only a loopback address is a serve.
pub fn serve_port(text: &[u8]) -> Option<u16> {
    let address = if let Some(arrow) = find(text, b"->") {
        &text[arrow + 2..]
    } else {
        // `dial tcp ADDR:`, `dial tcp4 ADDR:` or `dial tcp6 [ADDR]:`.
        let dial = find(text, b"dial tcp")?;
        let after = &text[dial + b"dial tcp".len()..];
        let space = memchr::memchr(b' ', after)?;
        &after[space + 1..]
    };
    let (token, _) = split_token(address);
    loopback_port(token.strip_suffix(b":").unwrap_or(token))
}

/// Reads `127.0.0.1:3773`, `[::1]:3773` or `localhost:3773`, returning the port only when the
/// host is loopback.
fn loopback_port(token: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(token).ok()?;
    let (host, port) = match text.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once("]:")?,
        None => text.rsplit_once(':')?,
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let loopback =
        host == "localhost" || host.parse::<IpAddr>().is_ok_and(|addr| addr.is_loopback());
    if !loopback {
        return None;
    }
    port.parse().ok()
}

/// Parses `alice returned 500 (endpoint=…)` after `pairing for `. A 2xx status is not a
/// failure.
fn parse_pairing(rest: &[u8]) -> Message {
    let (name, after) = split_token(rest);
    let Some(user) = login_name(name) else {
        return Message::Malformed("pairing line whose user is not a Unix login name");
    };
    if let Some(status) = after.strip_prefix(b" returned ") {
        let success = leading_number(status).is_some_and(|(code, _)| (200..300).contains(&code));
        if success {
            return Message::Ignored;
        }
        return Message::event(EventKind::PairingFailed { user });
    }
    if after.starts_with(b" failed") {
        return Message::event(EventKind::PairingFailed { user });
    }
    Message::Ignored
}

/// Parses `alice failed: exit status 1` after `mint for `.
fn parse_mint(rest: &[u8]) -> Message {
    let (name, after) = split_token(rest);
    let Some(user) = login_name(name) else {
        return Message::Malformed("mint line whose user is not a Unix login name");
    };
    if after.starts_with(b" failed") {
        return Message::event(EventKind::PairingFailed { user });
    }
    Message::Ignored
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ws_open_pod_shapes() {
        let prefix = "2026-06-10T19:30:12+00:00 devvm t3-dispatch[812]: 2026/06/10 19:30:12";
        // (message, pod address)
        let cases: &[(&str, Option<&str>)] = &[
            (
                "ws open user=alice ip=203.0.113.7, 10.10.1.12",
                Some("10.10.1.12"),
            ),
            (
                "ws open user=alice ip=203.0.113.7,10.10.2.13:51234",
                Some("10.10.2.13"),
            ),
            (
                "ws open user=alice ip=10.0.0.1, 203.0.113.7, fd00::12",
                Some("fd00::12"),
            ),
            // The client alone, or a public last address: no pod.
            ("ws open user=alice ip=203.0.113.7", None),
            ("ws open user=alice ip=10.10.1.12", None),
            ("ws open user=alice ip=10.10.1.12, 203.0.113.7", None),
            ("ws open user=alice ip=203.0.113.7, garbage", None),
            (
                "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=1 cause=graceful",
                None,
            ),
            ("paired user=alice endpoint=/api/auth/browser-session", None),
        ];
        for (message, expected) in cases {
            let line = format!("{prefix} {message}");
            let expected = expected.map(|text| text.parse::<IpAddr>().unwrap());
            assert_eq!(ws_open_pod(line.as_bytes()), expected, "{message}");
        }
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("test address is valid"))
    }

    fn ws_close(user: &str, client: Option<IpAddr>, dur_ms: u64, cause: CloseCause) -> Message {
        Message::event(EventKind::WsClose {
            user: user.into(),
            client,
            dur_ms,
            cause,
        })
    }

    fn proxy(class: ProxyErrorClass, port: Option<u16>) -> Message {
        Message::event(EventKind::ProxyError { class, port })
    }

    fn error(text: &str) -> CloseCause {
        CloseCause::Error(text.into())
    }

    #[test]
    fn go_prefix_table() {
        let civil = |second, micros| Civil {
            year: 2026,
            month: 6,
            day: 10,
            hour: 19,
            minute: 56,
            second,
            micros,
        };
        let cases: &[(&str, Option<(Civil, usize)>)] = &[
            (
                "2026/06/10 19:56:01 ws open user=alice",
                Some((civil(1, 0), 20)),
            ),
            // log.Lmicroseconds adds six digits.
            (
                "2026/06/10 19:56:01.123456 ws open user=alice",
                Some((civil(1, 123_456), 27)),
            ),
            // An empty Go message leaves only the prefix.
            ("2026/06/10 19:56:01", Some((civil(1, 0), 19))),
            // A dash date is not Go's log format.
            ("2026-06-10 19:56:01 ws open", None),
            ("2026/06/10T19:56:01 ws open", None),
            ("2026/06/10 19:56:01x", None),
            ("2026/13/10 19:56:01 x", None),
            ("2026/06/10 25:56:01 x", None),
            ("ws open user=alice", None),
            ("", None),
        ];
        for (msg, expected) in cases {
            assert_eq!(go_prefix(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    #[test]
    fn parse_message_table() {
        let alice = || Box::<str>::from("alice");
        let cases: &[(&str, Message)] = &[
            (
                "ws open user=alice ip=203.0.113.7, 10.10.1.12",
                Message::event(EventKind::WsOpen {
                    user: alice(),
                    client: ip("203.0.113.7"),
                }),
            ),
            // No X-Forwarded-For: the peer as host:port, IPv6 bracketed.
            (
                "ws open user=alice ip=[2001:db8::7]:51234",
                Message::event(EventKind::WsOpen {
                    user: alice(),
                    client: ip("2001:db8::7"),
                }),
            ),
            (
                "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
                ws_close("alice", ip("203.0.113.7"), 21873, CloseCause::Graceful),
            ),
            (
                "ws close user=alice ip=10.10.1.12:51234 dur_ms=3 cause=downstream_closed",
                ws_close("alice", ip("10.10.1.12"), 3, CloseCause::DownstreamClosed),
            ),
            (
                "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=0 cause=upstream_closed",
                ws_close("alice", ip("203.0.113.7"), 0, CloseCause::UpstreamClosed),
            ),
            // The cause is raw Go error text that runs to the end, spaces and colons included.
            (
                "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5001 cause=dial tcp 127.0.0.1:3773: i/o timeout",
                ws_close(
                    "alice",
                    ip("203.0.113.7"),
                    5001,
                    error("dial tcp 127.0.0.1:3773: i/o timeout"),
                ),
            ),
            // A forged X-Forwarded-For carrying its own dur_ms and cause: the last dur_ms wins and
            // the client is the right-most public address.
            (
                "ws close user=alice ip=1.2.3.4 dur_ms=1 cause=graceful, 203.0.113.7, 10.10.1.12 dur_ms=21873 cause=upstream_closed",
                ws_close(
                    "alice",
                    ip("203.0.113.7"),
                    21873,
                    CloseCause::UpstreamClosed,
                ),
            ),
            (
                "ws open user=alice ip=1.2.3.4 dur_ms=1 cause=graceful, 203.0.113.7, 10.10.1.12",
                Message::event(EventKind::WsOpen {
                    user: alice(),
                    client: ip("203.0.113.7"),
                }),
            ),
            // A dur_ms that is not a number, empty, or too large for u64.
            (
                "ws close user=alice ip=1.2.3.4 dur_ms=x",
                Message::Malformed("ws close with an unreadable dur_ms="),
            ),
            (
                "ws close user=alice ip=203.0.113.7, 10.10.1.12 cause=graceful",
                Message::Malformed("ws close without dur_ms="),
            ),
            (
                "ws close user=alice ip=203.0.113.7 dur_ms= cause=graceful",
                Message::Malformed("ws close with an unreadable dur_ms="),
            ),
            (
                "ws close user=alice ip=203.0.113.7 dur_ms=99999999999999999999 cause=graceful",
                Message::Malformed("ws close with an unreadable dur_ms="),
            ),
            (
                "ws close user=alice ip=203.0.113.7 dur_ms=12",
                Message::Malformed("ws close without cause= after dur_ms="),
            ),
            (
                "ws close ip=203.0.113.7 dur_ms=12 cause=graceful",
                Message::Malformed("ws close without user="),
            ),
            (
                "ws open user= ip=203.0.113.7",
                Message::Malformed("ws open without user="),
            ),
            (
                "t3-dispatch listening on :3780",
                Message::event(EventKind::DispatchListening),
            ),
            (
                "http: proxy error: context canceled",
                proxy(ProxyErrorClass::Canceled, None),
            ),
            (
                "http: proxy error: read tcp 127.0.0.1:51234->127.0.0.1:3773: read: connection reset by peer",
                proxy(ProxyErrorClass::Reset, Some(3773)),
            ),
            (
                "http: proxy error: dial tcp 127.0.0.1:3774: connect: connection refused",
                proxy(ProxyErrorClass::Refused, Some(3774)),
            ),
            (
                "http: proxy error: dial tcp6 [::1]:3775: connect: connection refused",
                proxy(ProxyErrorClass::Refused, Some(3775)),
            ),
            ("http: proxy error: EOF", proxy(ProxyErrorClass::Eof, None)),
            (
                "http: proxy error: unexpected EOF",
                proxy(ProxyErrorClass::Eof, None),
            ),
            (
                "http: proxy error: dial tcp 127.0.0.1:3773: i/o timeout",
                proxy(ProxyErrorClass::Timeout, Some(3773)),
            ),
            (
                "http: proxy error: context deadline exceeded",
                proxy(ProxyErrorClass::Timeout, None),
            ),
            (
                "http: proxy error: net/http: timeout awaiting response headers",
                proxy(ProxyErrorClass::Timeout, None),
            ),
            (
                "http: proxy error: write tcp 127.0.0.1:51234->127.0.0.1:3776: write: broken pipe",
                proxy(ProxyErrorClass::Other, Some(3776)),
            ),
            // A non-loopback address is not a serve port.
            (
                "http: proxy error: dial tcp 10.0.10.10:3773: connect: connection refused",
                proxy(ProxyErrorClass::Refused, None),
            ),
            (
                "http: proxy error: dial tcp: lookup localhost: no such host",
                proxy(ProxyErrorClass::Other, None),
            ),
            (
                "pairing for alice returned 500 (endpoint=/api/auth/browser-session)",
                Message::event(EventKind::PairingFailed { user: alice() }),
            ),
            (
                "mint for alice failed: exit status 1",
                Message::event(EventKind::PairingFailed { user: alice() }),
            ),
            // A successful pairing is not evidence.
            (
                "paired user=alice endpoint=/api/auth/browser-session fallback=false",
                Message::Ignored,
            ),
            (
                "pairing for alice returned 200 (endpoint=/api/auth/browser-session)",
                Message::Ignored,
            ),
            (
                "http: TLS handshake error from 203.0.113.7:51234: EOF",
                Message::Ignored,
            ),
            (
                "httputil: ReverseProxy read error during body copy: unexpected EOF",
                Message::Ignored,
            ),
            ("", Message::Ignored),
            // parse_message gets the message after a Go header, so an unknown one is a message
            // dispatch wrote that this parser does not know.
            (
                "some other dispatch line",
                Message::Malformed(UNKNOWN_MESSAGE),
            ),
            (
                "ws close\0 user=carol ip=203.0.113.35 dur_ms=1 cause=graceful",
                Message::Malformed("ws open or ws close line that does not read"),
            ),
            (
                "ws opened user=carol",
                Message::Malformed("ws open or ws close line that does not read"),
            ),
        ];
        for (msg, expected) in cases {
            assert_eq!(parse_message(msg.as_bytes()), *expected, "{msg:?}");
        }
    }

    /// Every header a Go `log.Logger` can write: each flag set on or off, and the custom prefix
    /// absent, before the header, or after it (`log.Lmsgprefix`).
    #[test]
    fn parse_line_every_go_header() {
        let dates = [("", None), ("2026/06/10 ", Some((2026, 6, 10)))];
        let times = [
            ("", None),
            ("19:56:01 ", Some((19, 56, 1, 0))),
            ("19:56:01.123456 ", Some((19, 56, 1, 123_456))),
        ];
        let files = [
            "",
            "main.go:88: ",
            "/src/t3/cmd/dispatch/main.go:88: ",
            "???:0: ",
        ];
        let prefixes = ["", "dispatch: ", "[t3-dispatch] ", "t3:"];
        let messages = [
            "ws open user=alice ip=203.0.113.7, 10.10.1.12",
            "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=dial tcp 127.0.0.1:3773: i/o timeout",
            "http: proxy error: dial tcp 127.0.0.1:3774: connect: connection refused",
            "t3-dispatch listening on :3780",
            "paired user=alice endpoint=/api/auth/browser-session fallback=false",
            "mint for alice failed: exit status 1",
        ];
        for (date_text, date) in dates {
            for (time_text, time) in times {
                for file in files {
                    for prefix in prefixes {
                        for msgprefix in [false, true] {
                            if prefix.is_empty() && msgprefix {
                                continue;
                            }
                            let header = format!("{date_text}{time_text}{file}");
                            let header = if msgprefix {
                                format!("{header}{prefix}")
                            } else {
                                format!("{prefix}{header}")
                            };
                            for message in messages {
                                let line = format!("{header}{message}");
                                let (parsed_header, parsed) = parse_line(line.as_bytes());
                                assert_eq!(parsed_header, GoHeader { date, time }, "{line:?}");
                                assert_eq!(parsed, parse_message(message.as_bytes()), "{line:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn parse_line_table() {
        let open = || {
            Message::event(EventKind::WsOpen {
                user: "alice".into(),
                client: ip("203.0.113.7"),
            })
        };
        let cases: &[(&str, Message)] = &[
            // The two-line reproductions of the header shapes.
            (
                "19:00:10 ws open user=alice ip=203.0.113.7, 10.10.1.12",
                open(),
            ),
            (
                "2026/06/10 19:00:15.123456 main.go:88: ws open user=alice ip=203.0.113.7, 10.10.1.12",
                open(),
            ),
            // A Windows build path has a colon of its own.
            (
                "2026/06/10 19:00:10 C:/src/t3/main.go:88: ws open user=alice ip=203.0.113.7",
                open(),
            ),
            // No header part: the prefix-less format, read as before.
            ("ws open user=alice ip=203.0.113.7", open()),
            // A header whose date or time is impossible.
            (
                "2026/13/10 19:00:10 ws open user=alice ip=203.0.113.7",
                Message::Malformed(INVALID_DATE),
            ),
            (
                "2026/06/10 25:00:10 ws open user=alice ip=203.0.113.7",
                Message::Malformed(INVALID_TIME),
            ),
            (
                "25:00:10 ws open user=alice ip=203.0.113.7",
                Message::Malformed(INVALID_TIME),
            ),
            // Headers that Go's log never writes.
            (
                "2026-06-10 19:00:10 ws open user=alice ip=203.0.113.7",
                Message::Malformed(UNREAD_HEADER),
            ),
            (
                "[2026/06/10 19:00:10] ws open user=alice ip=203.0.113.7",
                Message::Malformed(UNREAD_HEADER),
            ),
            (
                "app24: 2026/06/10 19:00:10 ws open user=alice ip=203.0.113.7",
                Message::Malformed(UNREAD_HEADER),
            ),
            // A header, then a message this parser does not know.
            (
                "2026/06/10 19:00:10 config reloaded",
                Message::Malformed(UNKNOWN_MESSAGE),
            ),
            (
                "19:00:10 main.go:88: t3-dispatch 0.4.1 starting",
                Message::Malformed(UNKNOWN_MESSAGE),
            ),
            // An empty Go message, with or without the space after the time.
            ("2026/06/10 19:56:01", Message::Ignored),
            ("2026/06/10 19:56:01 ", Message::Ignored),
            // Output that did not go through the logger: a panic's stack trace, a child's
            // stderr.
            ("goroutine 1 [running]:", Message::Ignored),
            ("\t/src/t3/cmd/dispatch/main.go:88 +0x1d", Message::Ignored),
            ("panic: runtime error: index out of range", Message::Ignored),
            ("error: could not mint a token", Message::Ignored),
            // A damaged socket line stays malformed without a header too.
            (
                "ws opened user=carol",
                Message::Malformed("ws open or ws close line that does not read"),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_line(line.as_bytes()).1, *expected, "{line:?}");
        }
    }

    /// Lines cut mid-write with the next line joined to them, and fields of the wrong shape:
    /// each is malformed, never an event with a damaged user or client.
    #[test]
    fn parse_line_rejects_joined_and_damaged_fields() {
        let cases: &[(&str, &str)] = &[
            // Cut in ip= and joined to the next journal line, in each text mode.
            (
                "2026/06/10 19:40:07 ws close user=alice ip=203.0.2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:07 ws close user=bob ip=203.0.113.22, 10.10.3.14 dur_ms=1194454 cause=graceful",
                JOINED_LINES,
            ),
            (
                "2026/06/10 19:40:07 ws close user=al2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:07 ws close user=bob ip=203.0.113.22, 10.10.3.14 dur_ms=1194454 cause=graceful",
                JOINED_LINES,
            ),
            (
                "2026/06/10 19:40:07 ws open user=alJun 10 19:40:07 devvm t3-dispatch[812]: 2026/06/10 19:40:07 ws open user=bob ip=203.0.113.22, 10.10.3.14",
                JOINED_LINES,
            ),
            (
                "2026/06/10 19:40:07 ws open user=al1781120407.123456 devvm t3-dispatch[812]: 2026/06/10 19:40:07 ws open user=bob ip=203.0.113.22, 10.10.3.14",
                JOINED_LINES,
            ),
            (
                "2026/06/10 19:40:07 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5 cause=gracWed 2026-06-10 19:40:07 UTC devvm t3-dispatch.service[812]: 2026/06/10 19:40:07 paired user=bob endpoint=/x fallback=false",
                JOINED_LINES,
            ),
            // A joined line that no parser reads is malformed too, because the line it swallowed
            // may have been a socket.
            (
                "2026/06/10 19:40:07 paired user=alice endpoint=/api/auth/br2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: 2026/06/10 19:40:07 ws close user=bob ip=203.0.113.22, 10.10.3.14 dur_ms=1194454 cause=graceful",
                JOINED_LINES,
            ),
            // Two dispatch lines joined without a journal prefix (`-o cat`, Loki raw output).
            (
                "2026/06/10 19:40:07 ws close user=al2026/06/10 19:40:07 ws close user=bob ip=203.0.113.22, 10.10.3.14 dur_ms=1194454 cause=graceful",
                JOINED_DISPATCH_LINES,
            ),
            (
                "2026/06/10 19:40:07 ws clo2026/06/10 19:40:08 ws close user=bob ip=203.0.113.22, 10.10.3.14 dur_ms=1194454 cause=graceful",
                JOINED_DISPATCH_LINES,
            ),
            // A line cut at the end of the input: the last addresses of the chain are damaged.
            (
                "2026/06/10 19:40:07 ws open user=alice ip=203.0.113.7, 10.10.",
                "ws open whose ip= is not a list of IP addresses",
            ),
            (
                "2026/06/10 19:40:07 ws open user=alice ip=203.0.",
                "ws open whose ip= is not a list of IP addresses",
            ),
            (
                "2026/06/10 19:40:07 ws open user=alice ip=",
                "ws open whose ip= is not a list of IP addresses",
            ),
            (
                "2026/06/10 19:40:07 ws open user=alice",
                "ws open without ip= after user=",
            ),
            // Joined to a kernel line, which has no `[pid]`.
            (
                "2026/06/10 19:40:07 ws open user=alice ip=203.0.2026-06-10T19:40:07+00:00 devvm kernel: Out of memory: Killed process 4711 (node), UID 1000",
                JOINED_LINES,
            ),
            // Joined to a line of another kind without a journal prefix: the chain does not
            // read.
            (
                "2026/06/10 19:40:07 ws open user=alice ip=203.0.Out of memory: Killed process 4711 (node), UID 1000",
                "ws open whose ip= is not a list of IP addresses",
            ),
            (
                "2026/06/10 19:40:07 ws close user=alice ip=203.0.113.7, 10.10.1.12 garbage dur_ms=5 cause=graceful",
                "ws close whose ip= is not a list of IP addresses",
            ),
            (
                "2026/06/10 19:40:07 ws close user=alice dur_ms=5 cause=graceful",
                "ws close without ip= after user=",
            ),
            (
                "2026/06/10 19:40:07 ws close user=alice ip=203.0.113.7 dur_ms=5 cause=",
                "ws close with an empty cause=",
            ),
            // User names that are not Unix login names.
            (
                "2026/06/10 19:40:07 ws close user=al:ice ip=203.0.113.7 dur_ms=5 cause=graceful",
                "ws close whose user= is not a Unix login name",
            ),
            (
                "2026/06/10 19:40:07 ws close user=\u{fffd}al ip=203.0.113.7 dur_ms=5 cause=graceful",
                "ws close whose user= is not a Unix login name",
            ),
            (
                "2026/06/10 19:40:07 ws open user=-alice ip=203.0.113.7",
                "ws open whose user= is not a Unix login name",
            ),
            (
                "2026/06/10 19:40:07 ws open user=abcdefghijklmnopqrstuvwxyz0123456 ip=203.0.113.7",
                "ws open whose user= is not a Unix login name",
            ),
            (
                "2026/06/10 19:40:07 pairing for al/ice returned 500 (endpoint=/x)",
                "pairing line whose user is not a Unix login name",
            ),
            (
                "2026/06/10 19:40:07 mint for al2026-06-10T19:40:07+00:00 failed: exit status 1",
                "mint line whose user is not a Unix login name",
            ),
        ];
        for (line, reason) in cases {
            assert_eq!(
                parse_line(line.as_bytes()).1,
                Message::Malformed(reason),
                "{line:?}"
            );
        }
        // A raw invalid UTF-8 byte in the user name.
        let line = b"2026/06/10 19:40:07 ws open user=\xffal ip=203.0.113.7";
        assert_eq!(
            parse_line(line).1,
            Message::Malformed("ws open whose user= is not a Unix login name")
        );
    }

    /// Lines that look close to the damaged ones but are whole: each stays an event.
    #[test]
    fn parse_line_keeps_valid_lookalikes() {
        let cases: &[(&str, Message)] = &[
            // A 32-byte login name, dots and dashes.
            (
                "2026/06/10 19:40:07 ws open user=abcdefghijklmnopqrstuvwxyz012345 ip=203.0.113.7",
                Message::event(EventKind::WsOpen {
                    user: "abcdefghijklmnopqrstuvwxyz012345".into(),
                    client: ip("203.0.113.7"),
                }),
            ),
            (
                "2026/06/10 19:40:07 ws open user=a.b_c-d ip=[2001:db8::7]:443",
                Message::event(EventKind::WsOpen {
                    user: "a.b_c-d".into(),
                    client: ip("2001:db8::7"),
                }),
            ),
            // A letter beyond ASCII, as `useradd --badname` allows.
            (
                "2026/06/10 19:40:07 ws open user=jörg ip=203.0.113.7",
                Message::event(EventKind::WsOpen {
                    user: "jörg".into(),
                    client: ip("203.0.113.7"),
                }),
            ),
            // Text the client put in X-Forwarded-For is not checked, so it cannot hide the
            // address Cloudflare appended.
            (
                "2026/06/10 19:40:07 ws open user=alice ip=unknown, 203.0.113.7, 10.10.1.12",
                Message::event(EventKind::WsOpen {
                    user: "alice".into(),
                    client: ip("203.0.113.7"),
                }),
            ),
            // Brackets and colons of an IPv6 dial error in the cause.
            (
                "2026/06/10 19:40:07 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5 cause=dial tcp6 [::1]:3773: connect: connection refused",
                ws_close(
                    "alice",
                    ip("203.0.113.7"),
                    5,
                    error("dial tcp6 [::1]:3773: connect: connection refused"),
                ),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_line(line.as_bytes()).1, *expected, "{line:?}");
        }
    }

    #[test]
    fn parse_message_never_sets_inner_time() {
        let message = parse_message(b"ws open user=alice ip=203.0.113.7");
        assert!(
            matches!(
                message,
                Message::Event {
                    inner_time: None,
                    ..
                }
            ),
            "{message:?}"
        );
    }

    const VALID_LINES: &[&str] = &[
        "ws open user=alice ip=203.0.113.7, 10.10.1.12",
        "ws close user=alice ip=1.2.3.4 dur_ms=1 cause=graceful, 203.0.113.7, 10.10.1.12 dur_ms=21873 cause=dial tcp 127.0.0.1:3773: i/o timeout",
        "http: proxy error: read tcp 127.0.0.1:51234->127.0.0.1:3773: read: connection reset by peer",
        "http: proxy error: dial tcp6 [::1]:3775: connect: connection refused",
        "pairing for alice returned 500 (endpoint=/api/auth/browser-session)",
        "mint for alice failed: exit status 1",
        "2026/06/10 19:56:01.123456 t3-dispatch listening on :3780",
        "[t3-dispatch] 19:56:01.123456 /src/t3/main.go:88: ws open user=alice ip=203.0.113.7",
        "2026/06/10 19:56:01 main.go:88: dispatch: ws close user=al2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: x",
    ];

    fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
        crate::parse::mutated_line(VALID_LINES)
    }

    /// Generates a forwarded-for chain: optional forged text, then public or private addresses.
    fn chain() -> impl Strategy<Value = String> {
        let address = prop_oneof![
            "203\\.0\\.113\\.[1-9][0-9]?",
            "10\\.10\\.[0-9]\\.[1-9][0-9]?",
            "10\\.10\\.1\\.12:[0-9]{1,5}",
            "\\[2001:db8::[0-9a-f]{1,4}\\]:[0-9]{1,5}",
        ];
        let forged = prop_oneof![
            Just(String::new()),
            Just("1.2.3.4 dur_ms=1 cause=graceful, ".to_string())
        ];
        (forged, prop::collection::vec(address, 1..4))
            .prop_map(|(forged, addresses)| forged + &addresses.join(", "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn go_prefix_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            if let Some((_, consumed)) = go_prefix(&bytes) {
                prop_assert!(consumed <= bytes.len());
            }
        }

        #[test]
        fn go_prefix_mutated_never_panics(line in mutated_line()) {
            let _ = go_prefix(&line);
        }

        #[test]
        fn parse_line_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_line(&bytes);
        }

        #[test]
        fn parse_line_mutated_never_panics(line in mutated_line()) {
            let _ = parse_line(&line);
        }

        #[test]
        fn parse_message_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_message(&bytes);
        }

        #[test]
        fn parse_message_mutated_never_panics(line in mutated_line()) {
            let _ = parse_message(&line);
        }

        #[test]
        fn ws_close_round_trips(
            user in "[a-z][a-z0-9._-]{0,15}",
            chain in chain(),
            // leading_number reads at most 19 digits, which covers any real duration.
            dur_ms in 0u64..10_000_000_000_000_000_000,
            // Go error text with words, spaces, colons and addresses, which never ends in a space.
            cause in "[a-z0-9:./-]([a-z0-9 :./-]{0,40}[a-z0-9:./-])?",
        ) {
            let line = format!("ws close user={user} ip={chain} dur_ms={dur_ms} cause={cause}");
            let expected_cause = match cause.as_str() {
                "graceful" => CloseCause::Graceful,
                "downstream_closed" => CloseCause::DownstreamClosed,
                "upstream_closed" => CloseCause::UpstreamClosed,
                _ => CloseCause::Error(cause.as_str().into()),
            };
            let expected = ws_close(&user, client::client_of_chain(chain.as_bytes()), dur_ms, expected_cause);
            prop_assert_eq!(parse_message(line.as_bytes()), expected);
        }
    }
}
