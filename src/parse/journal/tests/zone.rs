//! Tests of the checks that a journal's times were printed in the zone `--tz` names: zone
//! abbreviations in lines and in journalctl's header, and `short` times that lie a zone
//! offset from their Go `log` times.

use super::*;

#[test]
fn header_zone_against_tz() {
    let berlin = ParseOptions {
        zone: Zone::parse("Europe/Berlin").unwrap(),
        ..ParseOptions::default()
    };
    // (header, --tz is Europe/Berlin, a mismatch expected)
    let cases = [
        (
            "-- Journal begins at Mon 2026-06-08 08:14:03 CEST, ends at Wed 2026-06-10 22:06:31 CEST. --",
            false,
            true,
        ),
        (
            "-- Journal begins at Mon 2026-06-08 08:14:03 CEST, ends at Wed 2026-06-10 22:06:31 CEST. --",
            true,
            false,
        ),
        (
            "-- Logs begin at Mon 2026-06-08 06:14:03 UTC, end at Wed 2026-06-10 20:06:31 UTC. --",
            false,
            false,
        ),
        (
            "-- Logs begin at Mon 2026-01-05 06:14:03 CET, end at Wed 2026-01-07 20:06:31 CET. --",
            true,
            false,
        ),
        ("-- Boot fedcba9876543210fedcba9876543210 --", false, false),
        ("-- Journal begins at garbage --", false, false),
    ];
    for (header, in_berlin, mismatch) in cases {
        let options = if in_berlin {
            berlin.clone()
        } else {
            ParseOptions::default()
        };
        let mut parser = JournalParser::new(&options);
        parser.check_header_zone(header.as_bytes());
        let notes = parser.notes("j.log");
        assert_eq!(
            notes.iter().any(|n| n.contains("journal times are marked")),
            mismatch,
            "{header}: {notes:?}"
        );
    }
}

#[test]
fn zone_name_against_tz() {
    let notes = |zone: Zone, line: &str| {
        let options = ParseOptions {
            zone,
            ..ParseOptions::default()
        };
        let mut parser = JournalParser::new(&options);
        let mut sink = Sink::new(0);
        parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
        parser.notes("j.log")
    };
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    let cest = "Wed 2026-06-10 12:00:10 CEST devvm sshd[1]: x";
    let utc_line = "Wed 2026-06-10 12:00:10 UTC devvm sshd[1]: x";

    let wrong = notes(Zone::Utc, cest);
    assert_eq!(wrong.len(), 1);
    assert!(
        wrong[0].contains("marked CEST, but --tz gives UTC"),
        "{wrong:?}"
    );
    assert!(
        notes(berlin, cest).is_empty(),
        "CEST is Berlin's summer zone"
    );
    assert!(notes(Zone::Utc, utc_line).is_empty());
    assert!(
        notes(berlin, utc_line).is_empty(),
        "UTC lines are read as UTC"
    );
    // In January Berlin is on CET, so a CEST mark there is wrong too.
    let winter = notes(berlin, "Sat 2026-01-10 12:00:10 CEST devvm sshd[1]: x");
    assert!(winter[0].contains("--tz gives CET"), "{winter:?}");
    // chrono-tz names Istanbul's zone by no abbreviation, so `+03` cannot be checked.
    let istanbul = Zone::parse("Europe/Istanbul").unwrap();
    let numeric = "Wed 2026-06-10 12:00:10 +03 devvm sshd[1]: x";
    assert!(notes(istanbul, numeric).is_empty(), "no false warning");
}

#[test]
fn go_time_zone_noted_for_short_only() {
    // The same two dispatch lines printed by a journalctl in Berlin, devvm on UTC. Only the
    // `short` times are read in --tz, so only they can be read in the wrong zone.
    let go = "2026/03/14 10:03:21 ws close user=oscar ip=203.0.113.102, 10.10.1.12 dur_ms=780000 cause=graceful";
    let cases = [
        ("Mar 14 11:03:21 devvm t3-dispatch[812]:", "UTC", true),
        (
            "Mar 14 11:03:21.000412 devvm t3-dispatch[812]:",
            "UTC",
            true,
        ),
        (
            "Mar 14 11:03:21 devvm t3-dispatch[812]:",
            "Europe/Berlin",
            false,
        ),
        (
            "2026-03-14T11:03:21+01:00 devvm t3-dispatch[812]:",
            "UTC",
            false,
        ),
        (
            "Sat 2026-03-14 11:03:21 CET devvm t3-dispatch.service[812]:",
            "Europe/Berlin",
            false,
        ),
    ];
    for (prefix, zone, noted) in cases {
        let options = ParseOptions {
            zone: Zone::parse(zone).unwrap(),
            ..ParseOptions::default()
        };
        let line = format!("{prefix} {go}");
        let (parser, _) = parse_with(&options, &[&line, &line]);
        let notes = parser.clock_notes("j.log");
        let found = notes
            .iter()
            .any(|note| note.text(None).contains("Go log time"));
        assert_eq!(found, noted, "{line} with --tz {zone}: {notes:?}");
    }
}
