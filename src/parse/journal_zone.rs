//! A check of the zone that a `short` journal is read in, against the Go `log` times of its
//! dispatch lines.
//!
//! `short` and `short-precise` lines (`Mar 14 11:03:21 devvm ...`) carry the local time of the
//! zone journalctl ran in, with no UTC offset, and are read in `--tz`. The Go `log` prefix inside
//! a dispatch message (`2026/03/14 10:03:21 ws close ...`) is devvm's local time, written by the
//! process. The two readings agree when devvm's zone is the one journalctl printed in, or when
//! devvm runs UTC and `--tz` is the zone journalctl printed in. A whole number of quarter hours
//! between them on most dispatch lines is the mark of a journal printed in another zone than
//! `--tz`. A DST change of either clock inside the journal moves that number by the size of
//! the change, so the lines are counted per difference. The check only warns: it does not move
//! any time.

use chrono::{DateTime, Datelike, Offset, TimeZone, Timelike};
use chrono_tz::{TZ_VARIANTS, Tz};

use crate::time::{Civil, Fold, SECOND, Zone, has_region};

/// How far a journal time may lie from its Go `log` time and still count as the same reading.
/// journald stamps a line milliseconds after the process wrote it, and up to seconds later on
/// a stalled host.
const SLACK: i64 = 5 * SECOND;

/// Every UTC offset in use is a whole number of quarter hours.
const QUARTER_HOUR: i64 = 900 * SECOND;

/// How many dispatch lines must show the same difference before it is reported, so that one
/// line stamped far too late cannot raise the warning alone.
const MIN_SHIFTED_LINES: u64 = 2;

/// How many differences are kept apart. A DST change inside the journal gives two, and each
/// line that journald stamped a quarter hour or more late can add one more.
const MAX_SHIFTS: usize = 16;

/// The sizes of a DST change, in minutes: 30 (Australia/Lord_Howe) to 120 (Antarctica/Troll).
const DST_STEP_MINUTES: std::ops::RangeInclusive<i64> = 30..=120;

/// How many zone names a warning gives as examples of one set of offsets.
const MAX_EXAMPLES: usize = 3;

/// Dispatch lines of a `short` journal whose journal time lies a whole number of quarter hours
/// from their Go `log` time, in a way that `--tz` does not explain.
#[derive(Debug, Default)]
pub struct GoTimeZones {
    /// Dispatch lines with both a `short` journal time and a dated Go `log` prefix.
    dated: u64,
    /// Of them, the lines whose two times lie a nonzero whole number of quarter hours apart,
    /// grouped by that number, in the order each difference first appeared. A DST change of
    /// either clock inside the journal splits them into two groups.
    shifts: Vec<Shift>,
}

/// The dispatch lines whose journal time lies the same whole number of quarter hours from
/// their Go `log` time.
#[derive(Clone, Copy, Debug)]
struct Shift {
    /// The journal's local time minus the Go local time, rounded to whole quarter hours, in
    /// minutes.
    minutes: i64,
    lines: u64,
    first: ShiftedLine,
    /// The last such line read. `short` journals are read in file order, on one thread.
    last: ShiftedLine,
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
            self.add_shifted(
                quarters / (60 * SECOND),
                ShiftedLine {
                    line,
                    difference,
                    go_utc,
                    read_utc,
                },
            );
        }
    }

    /// Counts a shifted line in the group of its difference, `minutes`.
    fn add_shifted(&mut self, minutes: i64, line: ShiftedLine) {
        if let Some(shift) = self.shifts.iter_mut().find(|s| s.minutes == minutes) {
            shift.lines += 1;
            shift.last = line;
            return;
        }
        if self.shifts.len() >= MAX_SHIFTS {
            // A difference of one line is never reported, so it makes room for a new one.
            let Some(single) = self.shifts.iter().position(|s| s.lines < MIN_SHIFTED_LINES) else {
                return;
            };
            self.shifts.remove(single);
        }
        self.shifts.push(Shift {
            minutes,
            lines: 1,
            first: line,
            last: line,
        });
    }

    /// Returns the input's warning when more than half of the dated dispatch lines are
    /// shifted. Only differences shown by at least `MIN_SHIFTED_LINES` lines count.
    pub fn warning(&self, name: &str, zone: Zone) -> Option<ZoneShiftWarning> {
        let mut shifts: Vec<Shift> = self
            .shifts
            .iter()
            .filter(|shift| shift.lines >= MIN_SHIFTED_LINES)
            .copied()
            .collect();
        let shifted: u64 = shifts.iter().map(|shift| shift.lines).sum();
        if shifts.is_empty() || shifted * 2 <= self.dated {
            return None;
        }
        shifts.sort_by_key(|shift| shift.first.line);
        Some(ZoneShiftWarning {
            name: name.to_string(),
            dated: self.dated,
            shifts,
            tz: zone_name(zone),
            zone,
        })
    }
}

/// The warning about a `short` journal whose times lie a zone offset from the Go `log` times of
/// its dispatch lines. Its text depends on the clock offset measured from Traefik's sockets,
/// which is known only after every input is read.
#[derive(Clone, Debug)]
pub struct ZoneShiftWarning {
    name: String,
    dated: u64,
    /// The differences, each shown by at least `MIN_SHIFTED_LINES` lines, in the order of
    /// their first lines.
    shifts: Vec<Shift>,
    /// The IANA name of `--tz`.
    tz: &'static str,
    /// `--tz` itself.
    zone: Zone,
}

impl ZoneShiftWarning {
    /// Writes the warning. Without another clock, a journal printed in another zone than
    /// `--tz` looks the same as a devvm whose own zone is neither UTC nor `--tz`, so the text
    /// gives both readings. When Traefik's sockets show the journal's times a zone offset off
    /// (`traefik_offset`, devvm minus cluster in microseconds), only the first reading is left,
    /// and the zone to set is `--tz` moved by that offset.
    pub fn text(&self, traefik_offset: Option<i64>) -> String {
        match self.shifts.as_slice() {
            [shift] => self.one_shift_text(shift, traefik_offset),
            _ => self.shifts_text(traefik_offset),
        }
    }

    /// Writes the warning for lines that all lie the same difference off.
    fn one_shift_text(&self, shift: &Shift, traefik_offset: Option<i64>) -> String {
        let first = shift.first;
        let head = format!(
            "{}: in {} of {} dispatch lines, the `short` journal time is {:+.1} h from the Go \
             log time that dispatch wrote in devvm's local time (the first on line {})",
            self.name,
            shift.lines,
            self.dated,
            first.difference as f64 / 3600.0 / SECOND as f64,
            first.line,
        );
        let name_hint = |example: Option<&str>| match example {
            Some(example) => format!("a name such as {example}, not the offset"),
            None => "its IANA name, not the offset".to_string(),
        };
        let set_tz = format!(
            "set --tz to the IANA zone of its timestamps, one at UTC{} at that time if devvm \
             runs UTC ({})",
            utc_offset_text(shift.minutes),
            name_hint(example_zone(shift.minutes, first.go_utc)),
        );
        if let Some(traefik_offset) = traefik_offset {
            // A journal printed in zone P and read in --tz Z is off by P - Z, which Traefik
            // measures, so P is Z's offset plus the measured one, whatever devvm's own zone.
            let instant = first.read_utc - traefik_offset;
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

    /// Writes the warning for lines that lie different differences off, each with its lines.
    /// Differences that follow each other in the file and step by the size of a DST change
    /// come from a DST change of one of the two clocks, which no fixed offset follows.
    fn shifts_text(&self, traefik_offset: Option<i64>) -> String {
        let parts: Vec<String> = self
            .shifts
            .iter()
            .enumerate()
            .map(|(i, shift)| {
                format!(
                    "{:+.1} h in {}{} (lines {} to {})",
                    shift.minutes as f64 / 60.0,
                    shift.lines,
                    if i == 0 { " dispatch lines" } else { "" },
                    shift.first.line,
                    shift.last.line
                )
            })
            .collect();
        let head = format!(
            "{}: the `short` journal time differs from the Go log time that dispatch wrote in \
             devvm's local time by whole quarter hours, by different amounts: {}, of {} with \
             a Go log date",
            self.name,
            parts.join(", "),
            self.dated,
        );
        let steps: Vec<(&Shift, &Shift)> = self.shifts.windows(2).map(|w| (&w[0], &w[1])).collect();
        // NOTE: differences are grouped by value, so a journal with two DST changes inside
        // (one of each clock, or a change and its return) repeats a difference and reads as
        // mixed.
        let dst_change = steps.iter().all(|(before, after)| {
            before.last.line < after.first.line
                && DST_STEP_MINUTES.contains(&(after.minutes - before.minutes).abs())
        });
        if !dst_change {
            return format!(
                "{head}. Lines of different differences mix, which no single DST change \
                 explains, so the journal may join exports printed in different zones. Export \
                 it again from devvm with one TZ, and set --tz to the IANA name of that zone. \
                 No time was changed"
            );
        }

        let step_texts: Vec<String> = steps
            .iter()
            .map(|(before, after)| {
                format!(
                    "{:+.1} h between line {} (Go time {}) and line {} (Go time {})",
                    (after.minutes - before.minutes) as f64 / 60.0,
                    before.last.line,
                    go_time_text(before.last.go_utc),
                    after.first.line,
                    go_time_text(after.first.go_utc),
                )
            })
            .collect();
        let change = format!(
            "The difference steps by {}. One of the two clocks changed to or from summer time \
             there, so no fixed offset fits every line: neither --skew nor a zone without DST",
            step_texts.join(", and by "),
        );

        // If devvm runs UTC, the Go times are instants, and the zone journalctl printed in is
        // at each difference. If journalctl printed in --tz, the journal's times read in --tz
        // are instants, and devvm's zone is at --tz's offset less each difference.
        let printed = ZoneReading::new(&self.shifts, |at| at.go_utc, |_, shift| shift.minutes);
        let devvm = ZoneReading::new(
            &self.shifts,
            |at| at.read_utc,
            |at, shift| utc_offset_minutes(self.zone, at) - shift.minutes,
        );
        let set_tz = format!(
            "set --tz to the IANA name of the zone journalctl printed in, usually devvm's own \
             (`timedatectl` on devvm shows it). If devvm's Go times are UTC, that zone is at {}{}",
            printed.offsets,
            printed.examples_text(),
        );
        let keep = format!(
            "devvm's zone is one at {}{}, journalctl printed the journal in --tz ({}), and its \
             times are right: then change nothing",
            devvm.offsets,
            devvm.examples_text(),
            self.tz,
        );

        if traefik_offset.is_some() {
            return format!(
                "{head}. {change}. Traefik's sockets show the journal's times off as well (see \
                 the warning about the clock offset), so journalctl printed this journal in \
                 another zone than --tz ({}): {set_tz}. No time was changed",
                self.tz,
            );
        }
        match (printed.examples.is_empty(), devvm.examples.is_empty()) {
            (false, true) => format!(
                "{head}. {change}. No zone of the tz database is at {}, where devvm's zone \
                 would be if the journal's times were right. So journalctl printed this journal \
                 in another zone than --tz ({}), and its times are read off: {set_tz}. No time \
                 was changed",
                devvm.offsets, self.tz,
            ),
            (true, false) => format!(
                "{head}. {change}. No zone of the tz database is at {}, where journalctl would \
                 have printed if devvm's Go times were UTC. So most likely {keep}. `timedatectl` \
                 on devvm shows its zone. No time was changed",
                printed.offsets,
            ),
            _ => format!(
                "{head}. {change}. Either journalctl printed this journal in another zone than \
                 --tz ({}), so its times are read off by the difference between the two zones: \
                 then {set_tz}. Or {keep}. Traefik logs given with the journal tell the two \
                 apart. No time was changed",
                self.tz,
            ),
        }
    }
}

/// The zone that one reading of a journal's differences requires: its UTC offset in each part
/// of the journal, and zones of the tz database that are at those offsets then.
struct ZoneReading {
    /// The offsets in file order, such as `UTC+05:00 up to line 25 and UTC+04:00 after`.
    offsets: String,
    examples: Vec<&'static str>,
}

impl ZoneReading {
    /// Describes the zone that one reading requires. `instant` gives a shifted line's instant
    /// in that reading, and `offset_at` the zone's offset, in minutes east of UTC, at an
    /// instant of a shift's lines. The zone must be at that offset at the first and the last
    /// line of each shift.
    fn new(
        shifts: &[Shift],
        instant: impl Fn(&ShiftedLine) -> i64,
        offset_at: impl Fn(i64, &Shift) -> i64,
    ) -> Self {
        let mut offsets = String::new();
        let mut required = Vec::new();
        for (i, shift) in shifts.iter().enumerate() {
            let first = instant(&shift.first);
            for at in [first, instant(&shift.last)] {
                required.push((at, offset_at(at, shift)));
            }
            let offset = utc_offset_text(offset_at(first, shift));
            let part = match i {
                0 => format!("UTC{offset} up to line {}", shift.last.line),
                _ if i + 1 == shifts.len() => format!(" and UTC{offset} after"),
                _ => format!(", UTC{offset} up to line {}", shift.last.line),
            };
            offsets.push_str(&part);
        }
        ZoneReading {
            offsets,
            examples: zones_with_offsets(&required),
        }
    }

    /// Returns `, such as A, B`, or nothing when no zone fits.
    fn examples_text(&self) -> String {
        if self.examples.is_empty() {
            String::new()
        } else {
            format!(", such as {}", self.examples.join(", "))
        }
    }
}

/// Returns up to `MAX_EXAMPLES` zones whose UTC offset at each instant of `required` (UTC
/// microseconds) is its minutes east of UTC: those of [`EXAMPLE_ZONES`], or when none of them
/// fits, other zones of the tz database in name order. Older alias names (`US/Eastern`,
/// `EST5EDT`) are left out.
fn zones_with_offsets(required: &[(i64, i64)]) -> Vec<&'static str> {
    let fits = |tz: &&Tz| {
        required
            .iter()
            .all(|&(at, minutes)| utc_offset_minutes(Zone::Named(**tz), at) == minutes)
    };
    let known: Vec<&'static str> = EXAMPLE_ZONES
        .iter()
        .filter(fits)
        .take(MAX_EXAMPLES)
        .map(|tz| tz.name())
        .collect();
    if !known.is_empty() {
        return known;
    }
    TZ_VARIANTS
        .iter()
        .filter(|tz| has_region(tz.name()))
        .filter(fits)
        .take(MAX_EXAMPLES)
        .map(|tz| tz.name())
        .collect()
}

/// Formats a Go local time, read as UTC microseconds, as Go's `log` prefix writes it.
fn go_time_text(go_utc: i64) -> String {
    DateTime::from_timestamp_micros(go_utc).map_or_else(String::new, |time| {
        time.naive_utc().format("%Y/%m/%d %H:%M:%S").to_string()
    })
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

    /// Returns `count` dispatch lines 15 minutes and a second apart from `start` (UTC), each
    /// with its `short` journal time printed in `journal_zone` and its Go `log` time in
    /// `go_zone`, as a devvm whose dispatch runs in `go_zone` writes it.
    fn lines_across(journal_zone: Tz, go_zone: Tz, start: &str, count: i64) -> Vec<String> {
        let start = DateTime::parse_from_rfc3339(start).unwrap().to_utc();
        (0..count)
            .map(|i| {
                let at = start + chrono::Duration::seconds(i * 901);
                format!(
                    "{} devvm t3-dispatch[812]: {} ws close user=oscar ip=203.0.113.102, \
                     10.10.1.12 dur_ms=2 cause=graceful",
                    at.with_timezone(&journal_zone).format("%b %d %H:%M:%S"),
                    at.with_timezone(&go_zone).format("%Y/%m/%d %H:%M:%S"),
                )
            })
            .collect()
    }

    /// New York changes to summer time at 2026-03-08T07:00:00Z. Of 43 lines from 00:45:00Z,
    /// 25 come before it and 18 after.
    const NEW_YORK_SPRING: &str = "2026-03-08T00:45:00Z";

    #[test]
    fn devvm_dst_change_splits_differences() {
        // devvm runs New York, and journalctl printed the journal in UTC, which --tz reads.
        let lines = lines_across(Tz::UTC, Tz::America__New_York, NEW_YORK_SPRING, 43);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let text = warning(&lines, "UTC").unwrap();

        assert!(
            text.contains("+5.0 h in 25 dispatch lines (lines 1 to 25)"),
            "{text}"
        );
        assert!(
            text.contains("+4.0 h in 18 (lines 26 to 43), of 43"),
            "{text}"
        );
        assert!(
            text.contains("steps by -1.0 h between line 25 (Go time 2026/03/08 01:45:24)"),
            "{text}"
        );
        assert!(
            text.contains("and line 26 (Go time 2026/03/08 03:00:25)"),
            "{text}"
        );
        assert!(
            text.contains("neither --skew nor a zone without DST"),
            "{text}"
        );
        // No zone goes from UTC+5 to UTC+4 that night, so devvm's zone changed.
        assert!(
            text.contains("devvm's zone is one at UTC-05:00 up to line 25 and UTC-04:00 after"),
            "{text}"
        );
        assert!(text.contains("such as America/New_York"), "{text}");
        assert!(text.contains("then change nothing"), "{text}");
        assert!(!text.contains("in 43 of 43"), "{text}");
    }

    #[test]
    fn printed_zone_dst_change_needs_tz() {
        // journalctl printed the journal in New York, and dispatch wrote its Go times in UTC.
        let lines = lines_across(Tz::America__New_York, Tz::UTC, NEW_YORK_SPRING, 43);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let warning = shift_warning(&lines, "UTC").unwrap();
        let text = warning.text(None);

        assert!(
            text.contains("-5.0 h in 25 dispatch lines (lines 1 to 25)"),
            "{text}"
        );
        assert!(text.contains("-4.0 h in 18 (lines 26 to 43)"), "{text}");
        assert!(text.contains("between line 25"), "{text}");
        assert!(
            text.contains("neither --skew nor a zone without DST"),
            "{text}"
        );
        assert!(
            text.contains("that zone is at UTC-05:00 up to line 25 and UTC-04:00 after"),
            "{text}"
        );
        assert!(text.contains("such as America/New_York"), "{text}");
        assert!(text.contains("set --tz to the IANA name"), "{text}");
        assert!(!text.contains("change nothing"), "{text}");

        let refuted = warning.text(Some(-5 * 3600 * SECOND));
        assert!(refuted.contains("Traefik's sockets show"), "{refuted}");
        assert!(refuted.contains("such as America/New_York"), "{refuted}");
        assert!(!refuted.contains("change nothing"), "{refuted}");
    }

    #[test]
    fn dst_fall_back_in_berlin_splits_differences() {
        // Berlin falls back at 2026-10-25T01:00:00Z. devvm runs Berlin, and the journal was
        // printed in UTC: the Go times step back an hour while the journal's run on.
        let lines = lines_across(Tz::UTC, Tz::Europe__Berlin, "2026-10-24T22:00:00Z", 20);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let text = warning(&lines, "UTC").unwrap();
        assert!(
            text.contains("-2.0 h in 12 dispatch lines (lines 1 to 12)"),
            "{text}"
        );
        assert!(text.contains("-1.0 h in 8 (lines 13 to 20)"), "{text}");
        assert!(text.contains("steps by +1.0 h between line 12"), "{text}");
        assert!(text.contains("such as Europe/Berlin"), "{text}");
        assert!(text.contains("then change nothing"), "{text}");
    }

    #[test]
    fn mixed_differences_are_no_dst_change() {
        // Lines printed 1 h and 3 h east of devvm's UTC, mixed: no DST change steps by 2 h
        // back and forth.
        let east_1 = dispatch_lines("Mar 14 11:03", "2026/03/14 10:03", 0);
        let east_3 = dispatch_lines("Mar 14 13:04", "2026/03/14 10:04", 0);
        let lines = [
            east_1[0].as_str(),
            east_3[0].as_str(),
            east_1[1].as_str(),
            east_3[1].as_str(),
        ];
        let text = warning(&lines, "UTC").unwrap();
        assert!(
            text.contains("+1.0 h in 2 dispatch lines (lines 1 to 3)"),
            "{text}"
        );
        assert!(text.contains("+3.0 h in 2 (lines 2 to 4)"), "{text}");
        assert!(
            text.contains("Lines of different differences mix"),
            "{text}"
        );
        assert!(!text.contains("summer time"), "{text}");
    }

    #[test]
    fn late_lines_leave_room_for_a_dst_change() {
        // More lines stamped late by distinct quarter hours than differences are kept apart,
        // then the two sides of a DST change: each late line is one difference on one line.
        let mut zones = GoTimeZones::default();
        let line = |n: u64| ShiftedLine {
            line: n,
            difference: 0,
            go_utc: 0,
            read_utc: 0,
        };
        for n in 0..MAX_SHIFTS as i64 + 4 {
            zones.add_shifted(600 + 15 * n, line(n as u64));
        }
        for n in 100..110 {
            zones.add_shifted(60, line(n));
        }
        for n in 110..120 {
            zones.add_shifted(120, line(n));
        }
        let kept: Vec<(i64, u64)> = zones
            .shifts
            .iter()
            .filter(|shift| shift.lines >= MIN_SHIFTED_LINES)
            .map(|shift| (shift.minutes, shift.lines))
            .collect();
        assert_eq!(kept, [(60, 10), (120, 10)]);
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
