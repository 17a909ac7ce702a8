//! t3-dispatch messages: Go `log` output inside journal lines.
//!
//! Shapes read here (Go `log` prefix removed by the caller with [`go_prefix`]):
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
//! `ip=` is the raw X-Forwarded-For value, which the client controls, and `cause=` is raw Go
//! error text with spaces and colons. So `ws close` is split on its last ` dur_ms=`, and the
//! cause runs to the end of the message.

use std::net::IpAddr;

use super::{Message, client, contains, find, leading_number, rfind};
use crate::event::{CloseCause, EventKind, ProxyErrorClass};
use crate::time::{Civil, fraction, hms, ymd};

/// Reads Go's `log` prefix `2026/06/10 19:56:01 ` (optionally `.123456`) at the start of a
/// message: the local civil time and the bytes consumed, the trailing space included. A prefix
/// that ends the message (an empty Go message) consumes the whole message.
pub fn go_prefix(msg: &[u8]) -> Option<(Civil, usize)> {
    // `YYYY/MM/DD HH:MM:SS[.ffffff] `: Go always writes `/` between the date parts.
    if msg.get(4) != Some(&b'/') || msg.get(10) != Some(&b' ') {
        return None;
    }
    let (year, month, day) = ymd(msg)?;
    let (hour, minute, second) = hms(msg.get(11..)?)?;
    let (micros, _, fraction_len) = fraction(msg.get(19..)?);
    let end = 19 + fraction_len;
    let consumed = match msg.get(end) {
        Some(b' ') => end + 1,
        None => end,
        Some(_) => return None,
    };
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    };
    Some((civil, consumed))
}

/// Parses one dispatch message with the Go prefix already removed. Never sets `inner_time`:
/// the caller keeps the prefix time itself.
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
    // `paired user=…` (a successful pairing) and everything else.
    Message::Ignored
}

/// Parses `user=alice ip=203.0.113.7, 10.10.1.12`.
fn parse_ws_open(rest: &[u8]) -> Message {
    let Some((user, after_user)) = user_field(rest) else {
        return Message::Malformed("ws open without user=");
    };
    let client = after_user
        .strip_prefix(b" ip=")
        .and_then(client::client_of_chain);
    Message::event(EventKind::WsOpen { user, client })
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
    let Some((user, after_user)) = user_field(rest) else {
        return Message::Malformed("ws close without user=");
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

    let client = chain_field
        .strip_prefix(b" ip=")
        .and_then(client::client_of_chain);
    let kind = EventKind::WsClose {
        user,
        client,
        dur_ms,
        cause: close_cause(cause),
    };
    Message::event(kind)
}

/// Reads `user=NAME` at the start of `rest`, returning the name and the bytes after it. A user
/// name contains no spaces, so the name ends at the first space.
fn user_field(rest: &[u8]) -> Option<(Box<str>, &[u8])> {
    let value = rest.strip_prefix(b"user=")?;
    let (name, after) = split_token(value);
    Some((text_of(name)?, after))
}

/// Splits `bytes` at its first space: the token before it and the rest, space included.
fn split_token(bytes: &[u8]) -> (&[u8], &[u8]) {
    let end = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
    bytes.split_at(end)
}

/// Returns a non-empty token as text, with invalid UTF-8 replaced.
fn text_of(token: &[u8]) -> Option<Box<str>> {
    if token.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(token).into())
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
    let Some(user) = text_of(name) else {
        return Message::Malformed("pairing line without a user");
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
    let Some(user) = text_of(name) else {
        return Message::Malformed("mint line without a user");
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
            ("some other dispatch line", Message::Ignored),
            ("", Message::Ignored),
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
    ];

    fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
        crate::parse::mutated_line(VALID_LINES)
    }

    /// Generates a forwarded-for chain: optional forged text, then public or private addresses.
    fn chain() -> impl Strategy<Value = String> {
        let address = prop_oneof![
            "203\\.0\\.113\\.[0-9]{1,2}",
            "10\\.10\\.[0-9]\\.[0-9]{1,2}",
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
