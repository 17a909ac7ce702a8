//! Tests of routing journal messages to the program parsers by identifier, unit or content,
//! and of what those parsers make of dispatch Go headers, systemd unit lines and cloudflared
//! lines. `sniff`, which scores how much a line looks like a journal line, is tested here too.

use super::*;

#[test]
fn routing_table() {
    let cases: &[(&[u8], Program)] = &[
        (b"t3-dispatch", Program::Dispatch),
        (b"t3-dispatch.service", Program::Dispatch),
        (b"t3", Program::Serve(None)),
        (b"t3-serve@bob.service", Program::Serve(Some("bob".into()))),
        (b"systemd", Program::Systemd),
        (b"init.scope", Program::Systemd),
        (b"kernel", Program::Kernel),
        (b"earlyoom", Program::Earlyoom),
        (b"t3-watchdog", Program::Restart),
        (b"t3-migrate-idle.sh", Program::Restart),
        (b"cloudflared", Program::Cloudflared),
        (b"sshd", Program::Other),
    ];
    for (identifier, expected) in cases {
        assert_eq!(
            route(identifier, None),
            *expected,
            "{}",
            String::from_utf8_lossy(identifier)
        );
    }
    // journal JSON: the unit names the serve's user.
    assert_eq!(
        route(b"t3", Some(b"t3-serve@bob.service")),
        Program::Serve(Some("bob".into()))
    );
    assert_eq!(route(b"systemd", Some(b"init.scope")), Program::Systemd);
}

#[test]
fn with_unit_names_the_serve_user() {
    let (sink, _) = parse_all(
        &[
            "Wed 2026-06-10 19:55:40 UTC devvm t3-serve@bob.service[4711]: [19:55:40.120] WARN (#412): git remote status refresh failed",
            "Wed 2026-06-10 19:55:45 UTC devvm t3-serve@bob.service[4711]:   Command failed: git fetch --quiet origin: timed out.",
        ],
        false,
    );
    let timeout = sink
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
        .unwrap();
    assert_eq!(timeout.kind.user(), Some("bob"));
    assert_eq!(
        timeout.time,
        utc("2026-06-10T19:55:40.12Z"),
        "the header's time of day wins"
    );
}

#[test]
fn stop_sigterm_timeout_is_not_a_git_timeout() {
    let (sink, _) = parse_all(
        &[
            "2026-06-10T19:33:11+00:00 devvm systemd[1]: t3-serve@erin.service: State 'stop-sigterm' timed out. Killing.",
        ],
        false,
    );
    assert!(matches!(
        sink.events[0].kind,
        EventKind::UnitChange {
            action: crate::event::UnitAction::StopTimedOut,
            ..
        }
    ));
}

/// Go `log` headers other than the default one: the socket is read and keeps the journal
/// time, whatever time the header shows.
#[test]
fn dispatch_go_header_shapes() {
    let message = "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5000 cause=graceful";
    let headers = [
        "19:00:15 ",
        "19:00:15.123456 ",
        "2026/06/10 19:00:15 main.go:88: ",
        "2026/06/10 19:00:15.123456 /src/t3/main.go:88: ",
        "2026/06/10 ",
        "main.go:88: ",
        "dispatch: 2026/06/10 19:00:15 ",
        "2026/06/10 19:00:15 main.go:88: [dispatch] ",
        "",
    ];
    for header in headers {
        let line = format!("2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: {header}{message}");
        let (sink, classes) = parse_all(&[&line], false);
        assert_eq!(classes, vec![LineClass::Used], "{line}");
        assert_eq!(sink.events[0].time, utc("2026-06-10T19:00:15Z"), "{line}");
        assert!(
            matches!(sink.events[0].kind, EventKind::WsClose { dur_ms: 5000, .. }),
            "{line}"
        );
    }
}

/// A dispatch line that does not read is malformed, with a reason that names its shape,
/// and a line of no interest stays ignored.
#[test]
fn dispatch_lines_that_do_not_read() {
    let line =
        |message: &str| format!("2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: {message}");
    let cases = [
        (
            "2026/13/10 19:00:15 ws open user=alice ip=203.0.113.7",
            "invalid date",
        ),
        ("2026/06/10 19:00:15 config reloaded", "unknown shape"),
        (
            "2026-06-10 19:00:15 ws open user=alice ip=203.0.113.7",
            "not a Go log header",
        ),
        (
            "2026/06/10 19:00:15 ws open user=al2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: 2026/06/10 19:00:15 ws open user=bob ip=203.0.113.22, 10.10.3.14",
            "two journal lines joined",
        ),
    ];
    for (message, reason) in cases {
        let (sink, classes) = parse_all(&[&line(message)], false);
        assert!(sink.events.is_empty(), "{message}");
        assert!(
            matches!(classes[0], LineClass::Malformed(text) if text.contains(reason)),
            "{message}: {:?}",
            classes[0]
        );
    }
    let ignored = [
        "2026/06/10 19:00:15 paired user=alice endpoint=/api/auth/browser-session fallback=false",
        "2026/06/10 19:00:15 http: TLS handshake error from 203.0.113.7:51234: EOF",
        "goroutine 1 [running]:",
    ];
    for message in ignored {
        let (_, classes) = parse_all(&[&line(message)], false);
        assert_eq!(classes, vec![LineClass::Ignored], "{message}");
    }
}

#[test]
fn bare_cloudflared_line_is_malformed() {
    // A cloudflared line pasted into a journal file: its level is no host, and its time
    // must not stretch the journal's span.
    let (sink, classes) = parse_all(
        &[
            "2026-06-10T19:12:00+00:00 devvm sshd[901]: Accepted publickey for alice",
            "2026-06-10T19:40:32Z ERR  error=\"Incoming request ended abruptly: context canceled\" ingressRule=0",
            "2026-06-10T19:40:33Z INF Registered tunnel connection connIndex=0",
            // A host that happens to be named like a level, under journalctl's own stamp.
            "2026-06-10T19:12:01+00:00 ERR sshd[901]: Accepted publickey for bob",
        ],
        false,
    );
    assert_eq!(classes[0], LineClass::Ignored);
    assert!(matches!(classes[1], LineClass::Malformed(r) if r.contains("cloudflared")));
    assert!(matches!(classes[2], LineClass::Malformed(r) if r.contains("cloudflared")));
    assert_eq!(classes[3], LineClass::Ignored);
    let hosts: Vec<&str> = sink.journal_hosts.0.iter().map(|h| &*h.host).collect();
    assert_eq!(hosts, ["devvm", "ERR"]);
    assert_eq!(sink.journal_edge.last, Some(utc("2026-06-10T19:12:01Z")));
}

#[test]
fn cloudflared_under_systemd_keeps_inner_time() {
    let (sink, _) = parse_all(
        &[
            "2026-06-10T21:30:14+02:00 gw cloudflared[77]: 2026-06-10T19:30:12Z INF Unregistered tunnel connection connIndex=2 event=0 ip=198.41.192.7",
        ],
        false,
    );
    let event = &sink.events[0];
    assert_eq!(event.source, Source::Cloudflared);
    assert_eq!(event.time, utc("2026-06-10T19:30:12Z"));
    assert!(
        sink.activity
            .tracks
            .keys()
            .all(|k| k.source == Source::Cloudflared),
        "not devvm journal coverage"
    );
}

#[test]
fn route_by_content_shapes() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"2026/06/10 19:30:12 ws open user=bob ip=203.0.113.22, 10.10.1.12",
            "Dispatch",
        ),
        (
            b"[19:30:11.000] WARN (#412): git remote status refresh failed",
            "Serve(None)",
        ),
        (b"t3-watchdog: restarting t3-serve@bob.service", "Restart"),
        (
            b"oom-kill:constraint=CONSTRAINT_MEMCG,task=node,pid=4711,uid=1000",
            "Kernel",
        ),
        (
            b"Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) #45-Ubuntu SMP",
            "Kernel",
        ),
        (
            b"Out of memory: Killed process 4711 (node) total-vm:1kB",
            "Kernel",
        ),
        (
            b"t3-serve@bob.service: Failed with result 'oom-kill'.",
            "Systemd",
        ),
        (
            b"Started t3-dispatch.service - t3 per-user dispatch + auto-pair.",
            "Systemd",
        ),
        (
            b"low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%",
            "Earlyoom",
        ),
        (
            b"Accepted publickey for bob from 192.0.2.9 port 22 ssh2",
            "Other",
        ),
        // An indented serve detail line has no shape of its own.
        (
            b"  Command failed: git fetch --quiet origin: timed out.",
            "Other",
        ),
        (b"", "Other"),
    ];
    for (message, expected) in cases {
        assert_eq!(
            format!("{:?}", route_by_content(message)),
            *expected,
            "{}",
            String::from_utf8_lossy(message)
        );
    }
}

#[test]
fn sniff_scores() {
    assert_eq!(
        sniff(b"2026-06-10T19:56:01+00:00 devvm sshd[1]: Accepted publickey"),
        2
    );
    assert_eq!(sniff(b"Jun 10 19:56:01 devvm CRON[1]: x"), 2);
    assert_eq!(sniff(b"-- No entries --"), 1);
    assert_eq!(
        sniff(b"2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2"),
        0
    );
    assert_eq!(
        sniff(b"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET / HTTP/1.1\""),
        0
    );
}
