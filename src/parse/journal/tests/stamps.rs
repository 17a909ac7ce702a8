//! Tests of the timestamp prefix of each journalctl text mode, and of lines that carry none:
//! journalctl's own notes, continuation lines, modes this tool does not read, month names
//! printed in another locale, and garbage.

use super::*;

#[test]
fn localized_month_names() {
    // (line as journalctl writes it, localized) under LC_TIME of de_DE, fr_FR, es_ES and
    // en_US.
    let cases = [
        (
            "Mär 14 10:00:00 devvm t3[5103]: [10:00:00.000] INFO (#89): opened",
            true,
        ),
        (
            "mars 14 10:00:00 devvm t3-dispatch[812]: 2026/03/14 10:00:00 ws open",
            true,
        ),
        ("März 14 10:00:00.123456 devvm kernel: oom-kill", true),
        (
            "févr. 14 10:00:00 devvm systemd[1]: Started x.service.",
            true,
        ),
        ("ene 14 10:00:00 devvm sshd[77]: Accepted publickey", true),
        ("Mar 14 10:00:00 devvm sshd[77]: Accepted publickey", false),
        ("mar 14 10:00:00 devvm sshd[77]: Accepted publickey", false),
        ("Mär 14 was the day it failed", false),
        ("Notes about the incident", false),
        ("2026-03-14T10:00:00+00:00 devvm sshd[77]: Accepted", false),
    ];
    for (line, expected) in cases {
        assert_eq!(has_localized_month(line.as_bytes()), expected, "{line}");
    }
}

#[test]
fn localized_month_line_is_malformed_with_fix() {
    let mut parser = JournalParser::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    let class = parser.parse_line(
        "Mär 14 10:00:00 devvm sshd[77]: Accepted publickey".as_bytes(),
        &LineCtx::plain(2),
        &mut sink,
    );
    assert_eq!(class, LineClass::Malformed(LOCALIZED_MONTH));
}

#[test]
fn prefix_modes() {
    // Each mode's timestamp with the same identifier and message after it.
    let cases: &[(&str, Option<i64>)] = &[
        (
            "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: x",
            Some(utc("2026-06-10T19:56:01Z")),
        ),
        (
            "2026-06-10T19:56:01+0000 devvm t3-dispatch[812]: x",
            Some(utc("2026-06-10T19:56:01Z")),
        ),
        (
            "2026-06-10T21:56:01+02:00 devvm t3-dispatch[812]: x",
            Some(utc("2026-06-10T19:56:01Z")),
        ),
        (
            "2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: x",
            Some(utc("2026-06-10T19:56:01.123456Z")),
        ),
        (
            "1781121361.123456 devvm t3-dispatch[812]: x",
            Some(1_781_121_361_123_456),
        ),
        (
            "Wed 2026-06-10 19:56:01 UTC devvm t3-dispatch.service[812]: x",
            Some(utc("2026-06-10T19:56:01Z")),
        ),
    ];
    for (line, expected) in cases {
        let mut parser = JournalParser::new(&ParseOptions::default());
        let (stamp, rest) = parser.stamp(line.as_bytes()).unwrap();
        assert_eq!(
            stamp,
            Stamp::Real(expected.unwrap(), stamp_precision(stamp)),
            "{line}"
        );
        let prefix = split_prefix(rest).unwrap();
        assert_eq!(prefix.pid, Some(812), "{line}");
        assert_eq!(prefix.message, b"x", "{line}");
    }
}

fn stamp_precision(stamp: Stamp) -> Precision {
    match stamp {
        Stamp::Real(_, p) | Stamp::Provisional(_, p, _) => p,
    }
}

#[test]
fn stamp_cache_matches_a_fresh_parse() {
    // Lines in the order read: repeats, near-repeats that differ after the shared bytes,
    // and a change of mode.
    let lines: &[&[u8]] = &[
        b"2026-06-10T19:00:00+00:00 devvm sshd[1]: a",
        b"2026-06-10T19:00:00+00:00 devvm sshd[1]: b",
        b"2026-06-10T19:00:00+01:00 devvm sshd[1]: c",
        b"2026-06-10T19:00:00.5+01:00 devvm sshd[1]: d",
        b"2026-06-10T19:00:00+0100 devvm sshd[1]: e",
        b"2026-06-10T19:00:00+00:00devvm sshd[1]: no space",
        b"2026-06-10T19:00:00+00:00 devvm sshd[1]: f",
        b"2026-06-10T19:00:01+00:00 devvm sshd[1]: g",
        b"1781118000.017000 devvm sshd[1]: h",
        b"1781118000.017000 devvm sshd[1]: i",
        b"1781118000.0170001 devvm sshd[1]: j",
        b"Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: k",
        b"Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: l",
        b"Wed 2026-06-10 19:56:01 CEST devvm sshd[1]: m",
        b"Jun 10 19:56:01 devvm sshd[1]: n",
        b"Jun 10 19:56:01 devvm sshd[1]: o",
        b"2026-06-10T19:00:00+00:00 ",
        b"2026-06-10T19:00:00+00:00",
    ];
    let options = ParseOptions::default();
    let mut cached = JournalParser::new(&options);
    for line in lines {
        let fresh = JournalParser::new(&options).stamp(line);
        assert_eq!(
            cached.stamp(line),
            fresh,
            "{}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn offset_time_shapes() {
    let cases = [
        ("2026-06-10T19:56:01+00:00 devvm sshd[1]: m", true),
        ("2026-06-10T19:56:01+0000 devvm sshd[1]: m", true),
        ("2026-06-10T21:56:01.123456+02:00 devvm sshd[1]: m", true),
        ("2026-06-10T19:56:01Z devvm sshd[1]: m", true),
        ("2026-06-10T19:56:01 devvm sshd[1]: m", false),
        ("Jun 10 19:56:01 devvm sshd[1]: m", false),
        ("Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: m", false),
        ("1781121361.123456 devvm sshd[1]: m", false),
        ("2026-13-10T19:56:01+00:00 devvm sshd[1]: m", false),
    ];
    for (line, expected) in cases {
        assert_eq!(starts_with_offset_time(line.as_bytes()), expected, "{line}");
    }
}

#[test]
fn boot_marker_starts_at_next_line() {
    // systemd 246 and later name the boot; 245 and earlier write `-- Reboot --`.
    for marker in [
        "-- Boot fedcba9876543210fedcba9876543210 --",
        "-- Reboot --",
    ] {
        let (sink, classes) = parse_all(
            &[
                "2026-06-10T10:20:00+00:00 devvm chronyd[701]: System clock wrong",
                marker,
                "2026-06-10T10:22:30+00:00 devvm systemd[1]: Started t3-dispatch.service.",
            ],
            false,
        );
        assert_eq!(classes[1], LineClass::Used, "{marker}");
        let boot = sink
            .events
            .iter()
            .find(|e| matches!(e.kind, EventKind::HostBoot))
            .unwrap();
        assert_eq!(boot.origin.line(), 2, "evidence names the marker");
        assert_eq!(
            boot.time,
            utc("2026-06-10T10:22:30Z"),
            "the next line's time"
        );
    }
}

#[test]
fn mode_hint_names_unread_modes() {
    // (line as journalctl 252 writes it, the mode the hint must name, or "" for no hint)
    let cases: [(&str, &str); 13] = [
        (
            "[218758.282898] devvm kernel: audit: type=1400",
            "short-monotonic",
        ),
        (
            "[    3.282898] devvm kernel: Linux version 6.1.0",
            "short-monotonic",
        ),
        (
            "[218758.282898                ] devvm kernel: audit: type=1400",
            "short-delta",
        ),
        (
            "[218762.231548 <    3.948650 >] devvm t3[4723]: [19:00:04.648] INFO (#695): x",
            "short-delta",
        ),
        (
            "[     2.000100 <    0.000123*>] devvm systemd[1]: Started session-1.scope.",
            "short-delta",
        ),
        (
            "Wed 2026-06-10 19:00:00.699991 UTC [s=2c82;i=1;b=d570;m=32ef;t=653e;x=b913]",
            "verbose",
        ),
        (
            "\t\"__REALTIME_TIMESTAMP\" : \"1781118000699991\",",
            "json-pretty",
        ),
        (
            "\t\"_BOOT_ID\" : \"d5702c6994b6c7f9cc9af0a3beb43d5c\",",
            "json-pretty",
        ),
        ("\t\"MESSAGE\" : [", "json-pretty"),
        // Shapes close to those that name no mode.
        (
            "[pod/cloudflared-0/cloudflared] 2026-06-10T19:30:12Z INF x",
            "",
        ),
        ("[218762.231548 hello] devvm kernel: x", ""),
        ("  \"status\": \"success\",", ""),
        ("\t\"resultType\" : \"matrix\",", ""),
    ];
    for (line, mode) in cases {
        let hint = journal_mode_hint(line.as_bytes());
        if mode.is_empty() {
            assert_eq!(hint, None, "{line}");
        } else {
            let hint = hint.unwrap_or_else(|| panic!("no hint for {line}"));
            assert!(
                hint.contains(&format!("`journalctl -o {mode}`")),
                "{line}: {hint}"
            );
        }
    }
}

#[test]
fn notes_and_continuations_are_ignored() {
    let mut parser = JournalParser::new(&ParseOptions::default());
    let mut sink = Sink::new(0);
    for line in [
        "-- Logs begin at Wed 2026-06-10 18:00:00 UTC, end at Wed 2026-06-10 20:00:00 UTC. --",
        "-- Journal begins at Wed 2026-06-10 18:00:00 UTC. --",
        "-- No entries --",
        "                                           continued text of a multi-line message",
    ] {
        assert_eq!(
            parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink),
            LineClass::Ignored,
            "{line}"
        );
    }
    assert!(sink.events.is_empty());
}

#[test]
fn ws_close_in_every_text_mode() {
    let message = "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful";
    let go = "2026/06/10 19:56:01";
    let lines = [
        format!("Jun 10 19:56:01 devvm t3-dispatch[812]: {go} {message}"),
        format!("Jun 10 19:56:01.123456 devvm t3-dispatch[812]: {go} {message}"),
        format!("2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: {go} {message}"),
        format!("2026-06-10T19:56:01+0000 devvm t3-dispatch[812]: {go} {message}"),
        format!("2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: {go} {message}"),
        format!("1781121361.123456 devvm t3-dispatch[812]: {go} {message}"),
        format!("Wed 2026-06-10 19:56:01 UTC devvm t3-dispatch.service[812]: {go} {message}"),
    ];
    for line in &lines {
        let (sink, classes) = parse_all(&[line], false);
        assert_eq!(classes, vec![LineClass::Used], "{line}");
        let event = &sink.events[0];
        assert_eq!(
            event.time.div_euclid(SECOND),
            utc("2026-06-10T19:56:01Z") / SECOND,
            "{line}"
        );
        let EventKind::WsClose { user, dur_ms, .. } = &event.kind else {
            panic!("{line}: {:?}", event.kind)
        };
        assert_eq!(&**user, "alice");
        assert_eq!(*dur_ms, 21873);
    }
}

#[test]
fn blob_data_and_garbage_lines() {
    let (sink, classes) = parse_all(
        &[
            "2026-06-10T19:56:01+00:00 devvm t3[4711]: [1.2K blob data]",
            "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: [1.2K blob data]",
            "\x01\x00 binary \x00",
            "2026-06-10T19:56:01+00:00",
        ],
        false,
    );
    assert!(sink.events.is_empty());
    assert_eq!(classes[0], LineClass::Ignored);
    assert_eq!(classes[1], LineClass::Ignored);
    assert!(matches!(classes[2], LineClass::Malformed(_)));
    assert!(matches!(classes[3], LineClass::Malformed(_)));
}
