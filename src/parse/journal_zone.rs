//! A check of the zone that a `short` journal is read in, against the Go `log` times of its
//! dispatch lines.
//!
//! `short` and `short-precise` lines (`Mar 14 11:03:21 devvm ...`) carry the local time of the
//! zone journalctl ran in, with no UTC offset, and are read in `--tz`. The Go `log` prefix inside
//! a dispatch message (`2026/03/14 10:03:21 ws close ...`) is devvm's local time, written by the
//! process. The two readings agree when devvm's zone is the one journalctl printed in, or when
//! devvm runs UTC and `--tz` is the zone journalctl printed in. A whole number of quarter hours
//! between them on most dispatch lines is the mark of a journal printed in another zone than
//! `--tz`. The check only warns: it does not move any time.

use chrono::{DateTime, Datelike, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::time::{Civil, Fold, SECOND, Zone};

/// How far a journal time may lie from its Go `log` time and still count as the same reading.
/// journald stamps a line milliseconds after the process wrote it, and up to seconds later on
/// a stalled host.
const SLACK: i64 = 5 * SECOND;

/// Every UTC offset in use is a whole number of quarter hours.
const QUARTER_HOUR: i64 = 900 * SECOND;

/// How many dispatch lines must show the same kind of shift before it is reported, so that one
/// line stamped far too late cannot raise the warning alone.
const MIN_SHIFTED_LINES: u64 = 2;

/// Dispatch lines of a `short` journal whose journal time lies a whole number of quarter hours
/// from their Go `log` time, in a way that `--tz` does not explain.
#[derive(Debug, Default)]
pub struct GoTimeZones {
    /// Dispatch lines with both a `short` journal time and a dated Go `log` prefix.
    dated: u64,
    /// Of them, the lines whose two times lie a nonzero whole number of quarter hours apart.
    shifted: u64,
    /// The first shifted line.
    first: Option<ShiftedLine>,
}

/// A dispatch line whose `short` journal time lies a zone offset from its Go `log` time.
#[derive(Clone, Copy, Debug)]
struct ShiftedLine {
    line: u64,
    /// The journal's local time minus the Go local time, in microseconds.
    difference: i64,
    /// The Go local time read as UTC: the line's instant if devvm runs UTC.
    go_utc: i64,
    /// The journal time read in `--tz`.
    read_utc: i64,
}

impl GoTimeZones {
    /// Compares the local time of a `short` line, given as its provisional time, with the Go
    /// `log` time of the dispatch message in it, and counts the line when the two lie a whole
    /// number of quarter hours apart.
    ///
    /// NOTE: devvm's zone is not known, so a devvm on neither UTC nor `--tz` is counted even
    /// when `--tz` is the zone journalctl printed in. The summary leaves the warning out when
    /// Traefik's socket pairs confirm the journal's times, but without Traefik it stays.
    pub fn check(&mut self, provisional: i64, go: Civil, zone: Zone, line: u64) {
        let Some(go_utc) = go.to_utc_micros() else {
            return;
        };
        let Some((journal, journal_utc)) = local_time_near(provisional, go_utc, go.year) else {
            return;
        };
        self.dated += 1;

        // devvm's zone is the one journalctl printed in.
        let difference = journal_utc - go_utc;
        if difference.abs() <= SLACK {
            return;
        }
        // devvm runs UTC, and --tz is the zone journalctl printed in.
        let read_in_tz = [Fold::Earlier, Fold::Later]
            .into_iter()
            .filter_map(|fold| zone.to_utc_micros_in_fold(journal, fold))
            .any(|instant| (instant - go_utc).abs() <= SLACK);
        if read_in_tz {
            return;
        }
        let Some(read_utc) = zone.to_utc_micros(journal) else {
            return;
        };

        let quarters = (difference + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR) * QUARTER_HOUR;
        if quarters != 0 && (difference - quarters).abs() <= SLACK {
            self.shifted += 1;
            self.first.get_or_insert(ShiftedLine {
                line,
                difference,
                go_utc,
                read_utc,
            });
        }
    }

    /// Returns the input's warning when more than half of the dated dispatch lines, and at
    /// least `MIN_SHIFTED_LINES`, are shifted by a whole number of quarter hours.
    pub fn warning(&self, name: &str, zone: Zone) -> Option<ZoneShiftWarning> {
        let first = self.first?;
        if self.shifted < MIN_SHIFTED_LINES || self.shifted * 2 <= self.dated {
            return None;
        }
        let quarters = (first.difference + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR);
        let offset_minutes = quarters * 15;
        Some(ZoneShiftWarning {
            name: name.to_string(),
            shifted: self.shifted,
            dated: self.dated,
            first_line: first.line,
            difference: first.difference,
            tz: zone_name(zone),
            zone,
            read_utc: first.read_utc,
            offset_minutes,
            example_zone: example_zone(offset_minutes, first.go_utc),
        })
    }
}

/// The warning about a `short` journal whose times lie a zone offset from the Go `log` times of
/// its dispatch lines. Its text depends on the clock offset measured from Traefik's sockets,
/// which is known only after every input is read.
#[derive(Clone, Debug)]
pub struct ZoneShiftWarning {
    name: String,
    shifted: u64,
    dated: u64,
    first_line: u64,
    /// The first shifted line's journal time minus its Go time, in microseconds.
    difference: i64,
    /// The IANA name of `--tz`.
    tz: &'static str,
    /// `--tz` itself.
    zone: Zone,
    /// The first shifted line's journal time read in `--tz`.
    read_utc: i64,
    /// The UTC offset, in minutes, of the zone journalctl printed in if devvm runs UTC.
    offset_minutes: i64,
    /// A well-known zone at that offset at the first shifted line's time.
    example_zone: Option<&'static str>,
}

impl ZoneShiftWarning {
    /// Writes the warning. Without another clock, a journal printed in another zone than
    /// `--tz` looks the same as a devvm whose own zone is neither UTC nor `--tz`, so the text
    /// gives both readings. When Traefik's sockets show the journal's times a zone offset off
    /// (`traefik_offset`, devvm minus cluster in microseconds), only the first reading is left,
    /// and the zone to set is `--tz` moved by that offset.
    pub fn text(&self, traefik_offset: Option<i64>) -> String {
        let head = format!(
            "{}: in {} of {} dispatch lines, the `short` journal time is {:+.1} h from the Go \
             log time that dispatch wrote in devvm's local time (the first on line {})",
            self.name,
            self.shifted,
            self.dated,
            self.difference as f64 / 3600.0 / SECOND as f64,
            self.first_line,
        );
        let name_hint = |example: Option<&str>| match example {
            Some(example) => format!("a name such as {example}, not the offset"),
            None => "its IANA name, not the offset".to_string(),
        };
        let set_tz = format!(
            "set --tz to the IANA zone of its timestamps, one at UTC{} at that time if devvm \
             runs UTC ({})",
            utc_offset_text(self.offset_minutes),
            name_hint(self.example_zone),
        );
        if let Some(traefik_offset) = traefik_offset {
            // A journal printed in zone P and read in --tz Z is off by P - Z, which Traefik
            // measures, so P is Z's offset plus the measured one, whatever devvm's own zone.
            let instant = self.read_utc - traefik_offset;
            let printed = utc_offset_minutes(self.zone, instant)
                + (traefik_offset + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR) * 15;
            let example = if printed == 0 {
                Some("UTC")
            } else {
                example_zone(printed, instant)
            };
            let set_tz = format!(
                "set --tz to the IANA zone of its timestamps, one at UTC{} at that time as \
                 Traefik's offset shows ({})",
                utc_offset_text(printed),
                name_hint(example),
            );
            return format!(
                "{head}. Traefik's sockets show the journal's times off as well (see the \
                 warning about the clock offset), so journalctl printed this journal in another \
                 zone than --tz ({}), and its times are read off by the difference between the \
                 two zones: {set_tz}. No time was changed",
                self.tz,
            );
        }
        format!(
            "{head}. Either journalctl printed this journal in another zone than --tz ({}), so \
             its times are read off by the difference between the two zones: then {set_tz}. Or \
             devvm's own zone differs from --tz and the journal's times are right: then change \
             nothing. `timedatectl` on devvm shows its zone, and Traefik logs given with the \
             journal tell the two apart. No time was changed",
            self.tz,
        )
    }
}

/// Well-known zones, tried in order for an example of a UTC offset. Every whole hour from
/// UTC-10:00 to UTC+13:00 has one in June and in January, and so do the half and quarter hours
/// of India, Nepal, South Australia and Newfoundland.
const EXAMPLE_ZONES: [Tz; 32] = [
    Tz::Europe__Berlin,
    Tz::Europe__London,
    Tz::Europe__Helsinki,
    Tz::Europe__Moscow,
    Tz::Asia__Dubai,
    Tz::Asia__Karachi,
    Tz::Asia__Kolkata,
    Tz::Asia__Kathmandu,
    Tz::Asia__Dhaka,
    Tz::Asia__Bangkok,
    Tz::Asia__Shanghai,
    Tz::Asia__Tokyo,
    Tz::Australia__Adelaide,
    Tz::Australia__Sydney,
    Tz::Australia__Brisbane,
    Tz::Pacific__Auckland,
    Tz::America__New_York,
    Tz::America__Chicago,
    Tz::America__Denver,
    Tz::America__Los_Angeles,
    Tz::America__Anchorage,
    Tz::Pacific__Honolulu,
    Tz::America__Halifax,
    Tz::America__St_Johns,
    Tz::America__Sao_Paulo,
    Tz::America__Noronha,
    Tz::Atlantic__Azores,
    Tz::Atlantic__Cape_Verde,
    Tz::Pacific__Noumea,
    Tz::Pacific__Tongatapu,
    Tz::Asia__Kamchatka,
    Tz::Pacific__Gambier,
];

/// Returns the first of [`EXAMPLE_ZONES`] whose UTC offset at `at` (UTC microseconds) is
/// `offset_minutes`, or `None` when none has that offset then.
fn example_zone(offset_minutes: i64, at: i64) -> Option<&'static str> {
    let instant = DateTime::from_timestamp_micros(at)?.naive_utc();
    EXAMPLE_ZONES
        .iter()
        .find(|tz| {
            let offset = tz.offset_from_utc_datetime(&instant).fix();
            i64::from(offset.local_minus_utc()) == offset_minutes * 60
        })
        .map(|tz| tz.name())
}

/// Returns the civil time of a provisional `short` time in the year (of three around `year`)
/// that puts it nearest `near`, with that civil time read as UTC. A provisional time keeps the
/// month, day and time of day of its line, but not its year.
fn local_time_near(provisional: i64, near: i64, year: i32) -> Option<(Civil, i64)> {
    let local = DateTime::from_timestamp_micros(provisional)?.naive_utc();
    (year - 1..=year + 1)
        .filter_map(|year| {
            let civil = Civil {
                year,
                month: local.month(),
                day: local.day(),
                hour: local.hour(),
                minute: local.minute(),
                second: local.second(),
                micros: local.nanosecond() / 1000,
            };
            Some((civil, civil.to_utc_micros()?))
        })
        .min_by_key(|(_, utc)| (utc - near).abs())
}

/// Returns the UTC offset of `zone` at `at` (UTC microseconds), in minutes east of UTC.
fn utc_offset_minutes(zone: Zone, at: i64) -> i64 {
    let Zone::Named(tz) = zone else {
        return 0;
    };
    DateTime::from_timestamp_micros(at).map_or(0, |instant| {
        let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
        i64::from(offset.local_minus_utc()) / 60
    })
}

/// Returns the IANA name of a zone, as `--tz` takes it.
fn zone_name(zone: Zone) -> &'static str {
    match zone {
        Zone::Utc => "UTC",
        Zone::Named(tz) => tz.name(),
    }
}

/// Formats an offset in minutes east of UTC as `+01:00` or `-05:30`.
fn utc_offset_text(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::dispatch;
    use crate::parse::journal_year::YearState;

    /// Reads `short` dispatch lines as the journal parser does, with `--tz` `zone`, and
    /// returns the warning for input `j.log`.
    fn shift_warning(lines: &[&str], zone: &str) -> Option<ZoneShiftWarning> {
        let zone = Zone::parse(zone).unwrap();
        let mut year = YearState::default();
        let mut zones = GoTimeZones::default();
        for (n, line) in lines.iter().enumerate() {
            let line = line.as_bytes();
            let month = crate::time::month_abbrev(line).unwrap();
            let day = crate::time::digits(&line[4..], 2).unwrap();
            let hms = crate::time::hms(&line[7..]).unwrap();
            let (provisional, _) = year.provisional(month, day, hms, 0).unwrap();
            let message = &line[line.iter().position(|b| *b == b']').unwrap() + 3..];
            let (header, _) = dispatch::parse_line(message);
            zones.check(provisional, header.civil().unwrap(), zone, n as u64 + 1);
        }
        zones.warning("j.log", zone)
    }

    /// Returns the text of [`shift_warning`] without Traefik's clock offset.
    fn warning(lines: &[&str], zone: &str) -> Option<String> {
        shift_warning(lines, zone).map(|warning| warning.text(None))
    }

    /// Returns three dispatch lines whose `short` journal times are `journal` (`Mar 14 11:03`)
    /// plus 21, 24 and 30 s, and whose Go times are `go` (`2026/03/14 10:03`) plus the same
    /// seconds and `late` more.
    fn dispatch_lines(journal: &str, go: &str, late: u32) -> Vec<String> {
        [21, 24, 30]
            .iter()
            .map(|second| {
                format!(
                    "{journal}:{second:02} devvm t3-dispatch[812]: {go}:{:02} ws close \
                     user=oscar ip=203.0.113.102, 10.10.1.12 dur_ms=2 cause=graceful",
                    second - late
                )
            })
            .collect()
    }

    #[test]
    fn journal_zone_against_go_times() {
        // (case, journal time, Go time, seconds journald stamped late, --tz, expected part
        // of the warning or `None`)
        let cases = [
            (
                "printed in Berlin, devvm on UTC, read as UTC",
                "Mar 14 11:03",
                "2026/03/14 10:03",
                0,
                "UTC",
                Some("the `short` journal time is +1.0 h from the Go log time"),
            ),
            (
                "the same, in summer",
                "Jun 10 21:41",
                "2026/06/10 19:41",
                0,
                "UTC",
                Some("UTC+02:00 at that time"),
            ),
            (
                "printed in New York, read in Berlin",
                "Mar 14 05:03",
                "2026/03/14 10:03",
                0,
                "Europe/Berlin",
                Some("another zone than --tz (Europe/Berlin)"),
            ),
            (
                "printed west of UTC, devvm on UTC",
                "Jun 10 17:41",
                "2026/06/10 19:41",
                0,
                "UTC",
                Some("UTC-02:00 at that time if devvm runs UTC (a name such as America/Noronha,"),
            ),
            (
                "printed in India, devvm on UTC",
                "Mar 14 15:33",
                "2026/03/14 10:03",
                0,
                "UTC",
                Some("UTC+05:30 at that time"),
            ),
            (
                "printed in Berlin and stamped 3 s late",
                "Mar 14 11:03",
                "2026/03/14 10:03",
                3,
                "UTC",
                Some("in 3 of 3 dispatch lines"),
            ),
            (
                "UTC everywhere",
                "Mar 14 10:03",
                "2026/03/14 10:03",
                0,
                "UTC",
                None,
            ),
            (
                "stamped 4 s late",
                "Mar 14 10:03",
                "2026/03/14 10:03",
                4,
                "UTC",
                None,
            ),
            (
                "printed in Berlin, devvm on UTC, right --tz",
                "Mar 14 11:03",
                "2026/03/14 10:03",
                0,
                "Europe/Berlin",
                None,
            ),
            (
                "devvm, journalctl and --tz in Berlin",
                "Mar 14 11:03",
                "2026/03/14 11:03",
                0,
                "Europe/Berlin",
                None,
            ),
            (
                "stamped 20 s late, no quarter hour",
                "Mar 14 10:03",
                "2026/03/14 10:03",
                20,
                "UTC",
                None,
            ),
            (
                "printed in Berlin across New Year",
                "Jan 01 00:03",
                "2025/12/31 23:03",
                0,
                "UTC",
                Some("+1.0 h"),
            ),
        ];
        for (case, journal, go, late, zone, expected) in cases {
            let lines = dispatch_lines(journal, go, late);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let warning = warning(&lines, zone);
            match expected {
                Some(part) => {
                    let warning = warning.unwrap_or_else(|| panic!("{case}: no warning"));
                    assert!(warning.contains(part), "{case}: {warning}");
                    assert!(warning.contains("set --tz"), "{case}: {warning}");
                    assert!(warning.contains("then change nothing"), "{case}: {warning}");
                }
                None => assert_eq!(warning, None, "{case}"),
            }
        }
    }

    #[test]
    fn one_shifted_line_does_not_warn() {
        let shifted = dispatch_lines("Mar 14 11:03", "2026/03/14 10:03", 0);
        let agreeing = dispatch_lines("Mar 14 10:04", "2026/03/14 10:04", 0);
        // One line alone is not a consistent shift.
        assert_eq!(warning(&[shifted[0].as_str()], "UTC"), None);
        // Nor are two of five.
        let mixed = [
            shifted[0].as_str(),
            shifted[1].as_str(),
            agreeing[0].as_str(),
            agreeing[1].as_str(),
            agreeing[2].as_str(),
        ];
        assert_eq!(warning(&mixed, "UTC"), None);
        // Three of five are.
        let most = [
            shifted[0].as_str(),
            shifted[1].as_str(),
            shifted[2].as_str(),
            agreeing[0].as_str(),
            agreeing[1].as_str(),
        ];
        let warning = warning(&most, "UTC").unwrap();
        assert!(warning.contains("in 3 of 5 dispatch lines"), "{warning}");
        assert!(warning.contains("(the first on line 1)"), "{warning}");
    }

    #[test]
    fn traefik_refuted_warning_gives_one_reading() {
        let lines = dispatch_lines("Jun 10 21:41", "2026/06/10 19:41", 0);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let warning = shift_warning(&lines, "UTC").unwrap();

        let both = warning.text(None);
        assert!(both.contains("Or devvm's own zone differs"), "{both}");
        let refuted = warning.text(Some(2 * 3600 * SECOND));
        assert!(refuted.contains("set --tz to the IANA zone"), "{refuted}");
        assert!(refuted.contains("UTC+02:00 at that time"), "{refuted}");
        assert!(refuted.contains("Traefik's sockets show"), "{refuted}");
        assert!(!refuted.contains("change nothing"), "{refuted}");
        assert!(!refuted.contains("Either"), "{refuted}");
    }

    /// With Traefik's offset, the zone to set is --tz moved by that offset, not the zone the
    /// Go times suggest for a devvm on UTC.
    #[test]
    fn traefik_refuted_zone_follows_its_offset() {
        let hours = |h: i64| h * 3600 * SECOND;
        // --tz, journal time, Go time, Traefik's offset, the zone to set and its example.
        let cases = [
            // devvm on New York (UTC-4) and the journal printed in UTC but read in Berlin
            // (UTC+2): the journal reads 2 h early.
            (
                "Europe/Berlin",
                "Jun 10 19:41",
                "2026/06/10 15:41",
                hours(-2),
                "UTC+00:00",
                "UTC",
            ),
            // devvm on New York and the journal printed in Berlin but read in UTC: it reads
            // 2 h late.
            (
                "UTC",
                "Jun 10 21:41",
                "2026/06/10 15:41",
                hours(2),
                "UTC+02:00",
                "Europe/Berlin",
            ),
        ];
        for (tz, journal, go, offset, printed, example) in cases {
            let lines = dispatch_lines(journal, go, 0);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let warning = shift_warning(&lines, tz).unwrap();
            let text = warning.text(Some(offset));
            assert!(text.contains(&format!("{printed} at that time")), "{text}");
            assert!(text.contains(&format!("such as {example},")), "{text}");
        }
    }

    #[test]
    fn example_zone_has_the_offset() {
        let summer = crate::time::parse_iso(b"2026-06-10T19:41:00Z", Zone::Utc)
            .unwrap()
            .micros;
        let winter = crate::time::parse_iso(b"2026-01-10T19:41:00Z", Zone::Utc)
            .unwrap()
            .micros;
        // (UTC offset in minutes, instant, expected example)
        let cases = [
            (120, summer, Some("Europe/Berlin")),
            (60, winter, Some("Europe/Berlin")),
            (60, summer, Some("Europe/London")),
            (120, winter, Some("Europe/Helsinki")),
            (-120, summer, Some("America/Noronha")),
            (-120, winter, Some("America/Noronha")),
            (-240, summer, Some("America/New_York")),
            (-240, winter, Some("America/Halifax")),
            (330, summer, Some("Asia/Kolkata")),
            (345, winter, Some("Asia/Kathmandu")),
            (-570, summer, None),
        ];
        for (minutes, at, expected) in cases {
            assert_eq!(example_zone(minutes, at), expected, "{minutes} min at {at}");
        }
        for hours in -10..=13 {
            for at in [summer, winter] {
                assert!(example_zone(hours * 60, at).is_some(), "{hours} h at {at}");
            }
        }
        let fractions = [
            (330, summer),
            (330, winter),
            (345, summer),
            (345, winter),
            (570, summer),
            (630, winter),
            (-150, summer),
            (-210, winter),
        ];
        for (minutes, at) in fractions {
            assert!(example_zone(minutes, at).is_some(), "{minutes} min at {at}");
        }
    }

    #[test]
    fn utc_offset_text_shapes() {
        assert_eq!(utc_offset_text(60), "+01:00");
        assert_eq!(utc_offset_text(0), "+00:00");
        assert_eq!(utc_offset_text(-330), "-05:30");
        assert_eq!(utc_offset_text(345), "+05:45");
    }
}
