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

use chrono::{DateTime, Datelike, Timelike};

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
    /// The line number of the first shifted line, and its journal local time minus its Go
    /// local time, in microseconds.
    first: Option<(u64, i64)>,
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

        let quarters = (difference + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR) * QUARTER_HOUR;
        if quarters != 0 && (difference - quarters).abs() <= SLACK {
            self.shifted += 1;
            self.first.get_or_insert((line, difference));
        }
    }

    /// Returns the input's warning when more than half of the dated dispatch lines, and at
    /// least `MIN_SHIFTED_LINES`, are shifted by a whole number of quarter hours.
    pub fn warning(&self, name: &str, zone: Zone) -> Option<String> {
        let (line, difference) = self.first?;
        if self.shifted < MIN_SHIFTED_LINES || self.shifted * 2 <= self.dated {
            return None;
        }
        let quarters = (difference + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR);
        // Without another clock, a journal printed in another zone than --tz looks the same as
        // a devvm whose own zone is neither UTC nor --tz, so the warning gives both readings.
        Some(format!(
            "{name}: in {} of {} dispatch lines, the `short` journal time is {:+.1} h from the \
             Go log time that dispatch wrote in devvm's local time (the first on line {line}). \
             Either journalctl printed this journal in another zone than --tz ({}), so its \
             times are read off by the difference between the two zones: then set --tz to the \
             IANA zone of its timestamps, one at UTC{} at that time if devvm runs UTC (a name \
             such as Europe/Berlin, not the offset). Or devvm's own zone differs from --tz and \
             the journal's times are right: then change nothing. `timedatectl` on devvm shows \
             its zone, and Traefik logs given with the journal tell the two apart. No time was \
             changed",
            self.shifted,
            self.dated,
            difference as f64 / 3600.0 / SECOND as f64,
            zone_name(zone),
            utc_offset_text(quarters * 15),
        ))
    }
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
    fn warning(lines: &[&str], zone: &str) -> Option<String> {
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
    fn utc_offset_text_shapes() {
        assert_eq!(utc_offset_text(60), "+01:00");
        assert_eq!(utc_offset_text(0), "+00:00");
        assert_eq!(utc_offset_text(-330), "-05:30");
        assert_eq!(utc_offset_text(345), "+05:45");
    }
}
