//! The year of journal `short` lines, which journalctl prints without one.
//!
//! `short` and `short-precise` lines (`Jun 10 19:56:01 devvm ...`) are read onto a provisional
//! calendar while the input is parsed, and moved onto the real one once the year is known (see
//! [`YearState`]). The year comes from `--year`, from the Go `log` dates of dispatch lines, from
//! the span that journalctl's first line gives (see [`HeaderSpan`]), or from the other inputs.
//! Their local times carry no UTC offset either, so the order of the lines decides which pass
//! through the hour repeated by the DST fall-back a line is on (see [`Pass`]).

use chrono::{DateTime, Datelike, Timelike};

use super::{Activity, Sink, Track};
use crate::event::Source;
use crate::time::{self, Civil, Fold, SECOND, Zone};

/// The year of `short` lines, which journalctl prints without one.
///
/// Times of such lines are first computed on a provisional calendar in which the year is
/// `PROVISIONAL_BASE + 4 × roll-over`. The roll-over counts the year changes since the first
/// line: +1 for each Dec → Jan step between consecutive lines, -1 for each Jan → Dec step. A
/// journal in time order has only the first kind and one printed newest first (`journalctl -r`)
/// only the second, so the count needs no knowledge of the order. Every provisional year is a
/// leap year, so Feb 29 always fits. Once the real base year is known, each provisional time is
/// mapped back to its civil fields and converted in the `--tz` zone, with the offset its
/// [`Pass`] gives a local time that the DST fall-back repeats.
#[derive(Debug, Default)]
pub struct YearState {
    /// Year changes since the first line: +1 for Dec → Jan, -1 for Jan → Dec.
    rollovers: i32,
    last_month: u32,
    /// The real year of roll-over 0, once known.
    pub base: Option<i32>,
    /// Indexes into the sink's events whose times are provisional, with the pass of their line.
    pub pending_events: Vec<(usize, Pass)>,
    /// Whether any line of this input had a provisional time.
    pub used: bool,
    /// The first line with a provisional time, for the error message.
    pub first_line: u64,
    /// The base years implied by the Go `log` dates of dispatch lines, in the order first seen.
    dated: Vec<DatedBase>,
    /// Whether the lines run newest first (`journalctl -r`), decided before the first line.
    pub newest_first: bool,
    /// The pass of the last line, and the provisional time at which the current repeat began.
    pass: Pass,
    repeat_from: i64,
    /// The provisional time of the last line.
    previous: Option<i64>,
    /// The journal activity of lines on a repeat pass. Their provisional seconds equal those of
    /// the first pass, so they stay apart until [`apply_year`] maps each pass to its instants.
    repeat_activity: Activity,
    /// The earliest and latest provisional times of the lines.
    span: Option<(i64, i64)>,
    /// The span of the journal that journalctl's first line gives, when the input starts with it.
    header: Option<HeaderSpan>,
}

/// The span of the whole journal that journalctl writes as its first line before the entries:
/// `-- Journal begins at Mon 2026-06-08 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --`,
/// or `-- Logs begin at …, end at …. --` from older systemd. Every exported entry lies inside
/// it, so it bounds the dates of `short` lines. journalctl 252 writes it only at debug log
/// level (`SYSTEMD_LOG_LEVEL=debug`), and journalctl leaves it out in the JSON, export and cat
/// modes.
///
/// The times are read as civil times without their zone: journalctl 252 writes them in the
/// zone of its `short` lines (`CEST` with `TZ=Europe/Berlin`), so the two compare as they stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderSpan {
    /// The line number of the header.
    pub line: u64,
    pub begin: Civil,
    pub end: Civil,
}

/// The year of the `short` lines that a journal header's span gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderYear {
    /// The input has no header, or no `short` line.
    Absent,
    /// One base year puts every line inside the span.
    Fits(i32),
    /// Several base years do, from `first` to `last`, because the span is a year or longer.
    Ambiguous {
        span: HeaderSpan,
        first: i32,
        last: i32,
    },
    /// No base year does.
    Outside(HeaderSpan),
}

impl HeaderYear {
    /// Returns the reason the header gave no year, after `; `, for the error that requests
    /// `--year`, or an empty string when there is no header.
    pub fn unknown_year_detail(&self) -> String {
        let describe = |span: &HeaderSpan| {
            format!(
                "the journal header on line {} spans {} to {}",
                span.line,
                civil_date(span.begin),
                civil_date(span.end)
            )
        };
        match self {
            HeaderYear::Absent | HeaderYear::Fits(_) => String::new(),
            HeaderYear::Ambiguous { span, first, last } => format!(
                "; {}, so the first `short` line could be in any year from {first} to {last}",
                describe(span)
            ),
            HeaderYear::Outside(span) => format!(
                "; {}, but the `short` lines fall outside it in every year",
                describe(span)
            ),
        }
    }
}

/// Formats the date of a civil time as `YYYY-MM-DD`.
fn civil_date(civil: Civil) -> String {
    format!("{:04}-{:02}-{:02}", civil.year, civil.month, civil.day)
}

/// Reads the span of journalctl's header line. Returns `None` for any other line, and for the
/// header of `journalctl -f`, which gives only the beginning.
pub fn parse_header_span(line: &[u8]) -> Option<(Civil, Civil)> {
    let body = line.strip_prefix(b"-- ")?.strip_suffix(b". --")?;
    let (times, end_marker): (&[u8], &[u8]) =
        if let Some(times) = body.strip_prefix(b"Journal begins at ") {
            (times, b", ends at ")
        } else {
            (body.strip_prefix(b"Logs begin at ")?, b", end at ")
        };
    let split = memchr::memmem::find(times, end_marker)?;
    let begin = header_time(&times[..split])?;
    let end = header_time(&times[split + end_marker.len()..])?;
    Some((begin, end))
}

/// Reads `Mon 2026-06-08 06:14:03 UTC` as a civil time, ignoring the weekday and the zone.
fn header_time(text: &[u8]) -> Option<Civil> {
    let weekday_first = text.first().is_some_and(|b| !b.is_ascii_digit());
    let date = match text.iter().position(|b| *b == b' ') {
        Some(space) if weekday_first => &text[space + 1..],
        _ => text,
    };
    let (year, month, day) = time::ymd(date)?;
    if date.get(10) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second) = time::hms(date.get(11..)?)?;
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros: 0,
    };
    // A date that does not exist (Feb 30) is no span.
    civil.to_utc_micros().map(|_| civil)
}

/// The pass through a stretch of local time that a `short` line is on.
///
/// Clocks going back at the end of DST repeat an hour of local time: in Europe/Berlin,
/// 02:00-03:00 passes first in CEST and then again in CET. A journal in time order shows it as
/// a line more than [`REPEAT_STEP`] behind the line before it, and the lines from there on are
/// on the repeat pass until one is more than [`REPEAT_SPAN`] past where the repeat began. A
/// journal printed newest first shows the same as a step forward.
///
/// A local time that the zone repeats takes the instant of the pass it was read on: in time
/// order the first pass is the earlier instant and the repeat the later one, and newest first
/// the other way round. Every other time reads the same on either pass.
///
/// NOTE: a journal that starts inside the repeated hour, or logs nothing from before the change
/// until late in that hour, shows no step, so its lines there take the first pass's instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pass {
    #[default]
    First,
    Repeat,
}

/// How far a line's local time must fall behind the line before it (newest first: lie ahead of
/// it) to count as clocks going back. It is half the smallest DST change in use, 30 minutes in
/// Australia/Lord_Howe, and far more than the steps back of journal order, which are seconds.
pub const REPEAT_STEP: i64 = 15 * 60 * SECOND;

/// How long a repeat pass lasts from its first line: the largest DST change in the tz database,
/// 2 hours in Antarctica/Troll. Lines past the repeated stretch but within this span read the
/// same on either pass, so a longer span costs nothing.
const REPEAT_SPAN: i64 = 2 * 3600 * SECOND;

/// A base year implied by the Go `log` dates of dispatch lines, and the lines that imply it.
#[derive(Debug)]
struct DatedBase {
    base: i32,
    lines: u64,
    /// The first line that implies it, with its provisional time and its Go date's year.
    first_line: u64,
    provisional: i64,
    dated_year: i32,
}

/// Distinct base years kept from Go `log` dates, so that a hostile input cannot grow the list.
/// One is the norm and a second means that the year count went wrong, so the lines that imply a
/// fifth are not worth counting.
const MAX_DATED_BASES: usize = 4;

/// Dispatch lines whose Go `log` date is in another year than the one given to their `short`
/// journal time.
#[derive(Debug, PartialEq, Eq)]
pub struct YearConflict {
    /// How many dispatch lines disagree.
    pub lines: u64,
    /// The first of them, its Go date's year and the year its journal time was placed in.
    pub first_line: u64,
    pub dated_year: i32,
    pub placed_year: i32,
}

/// The first provisional year (a leap year).
pub const PROVISIONAL_BASE: i32 = 2000;

impl YearState {
    /// Returns the provisional time of a `short` line's month, day and time, and the pass it is
    /// on, updating the roll-over count and the pass.
    pub(super) fn provisional(
        &mut self,
        month: u32,
        day: u32,
        hms: (u32, u32, u32),
        micros: u32,
    ) -> Option<(i64, Pass)> {
        match (self.last_month, month) {
            (12, 1) => self.rollovers = self.rollovers.saturating_add(1),
            (1, 12) => self.rollovers = self.rollovers.saturating_sub(1),
            _ => {}
        }
        self.last_month = month;
        let civil = Civil {
            year: PROVISIONAL_BASE.saturating_add(self.rollovers.saturating_mul(4)),
            month,
            day,
            hour: hms.0,
            minute: hms.1,
            second: hms.2,
            micros,
        };
        let time = civil.to_utc_micros()?;
        self.span = Some(match self.span {
            Some((earliest, latest)) => (earliest.min(time), latest.max(time)),
            None => (time, time),
        });
        Some((time, self.next_pass(time)))
    }

    /// Keeps the span of journalctl's header when `line`, line `line_no` of the input, is that
    /// header. Only the first line of an export is its header.
    pub fn set_header(&mut self, line: &[u8], line_no: u64) {
        if let Some((begin, end)) = parse_header_span(line) {
            self.header = Some(HeaderSpan {
                line: line_no,
                begin,
                end,
            });
        }
    }

    /// Returns the base year that the header's span gives: the year of roll-over 0 that puts
    /// the earliest and the latest line inside the span.
    pub fn header_year(&self) -> HeaderYear {
        let (Some(header), Some((earliest, latest))) = (self.header, self.span) else {
            return HeaderYear::Absent;
        };
        let (Some(begin), Some(end)) = (header.begin.to_utc_micros(), header.end.to_utc_micros())
        else {
            return HeaderYear::Outside(header);
        };

        // journalctl writes the span's times cut to the second, so a line may lie up to a
        // second past the end it shows.
        let end = end + SECOND;
        let inside = |base: i32| {
            let first = real_time(earliest, base, Zone::Utc, Fold::Earlier);
            let last = real_time(latest, base, Zone::Utc, Fold::Earlier);
            matches!((first, last), (Some(first), Some(last)) if begin <= first && last < end)
        };

        // A base year puts the earliest line in the year of its roll-over past the base, which
        // must lie between the span's years.
        let (rollovers, _) = provisional_year(earliest);
        let candidates =
            header.begin.year.saturating_sub(rollovers)..=header.end.year.saturating_sub(rollovers);
        let mut fitting = candidates.filter(|base| inside(*base));

        let Some(first) = fitting.next() else {
            return HeaderYear::Outside(header);
        };
        match fitting.next_back() {
            None => HeaderYear::Fits(first),
            Some(last) => HeaderYear::Ambiguous {
                span: header,
                first,
                last,
            },
        }
    }

    /// Returns the pass of a line at provisional time `time`, read after the lines before it.
    fn next_pass(&mut self, time: i64) -> Pass {
        let newest_first = self.newest_first;
        // How far `to` lies after `from` in the order the journal runs.
        let ahead = |from: i64, to: i64| {
            if newest_first {
                from.saturating_sub(to)
            } else {
                to.saturating_sub(from)
            }
        };
        if self.pass == Pass::Repeat && ahead(self.repeat_from, time) > REPEAT_SPAN {
            self.pass = Pass::First;
        }
        if self.pass == Pass::First
            && let Some(previous) = self.previous
            && ahead(previous, time) < -REPEAT_STEP
        {
            self.pass = Pass::Repeat;
            self.repeat_from = time;
        }
        self.previous = Some(time);
        self.pass
    }

    /// Returns the instant that a local time repeated by the DST fall-back means on `pass`.
    pub fn fold(&self, pass: Pass) -> Fold {
        match (pass, self.newest_first) {
            (Pass::First, false) | (Pass::Repeat, true) => Fold::Earlier,
            (Pass::First, true) | (Pass::Repeat, false) => Fold::Later,
        }
    }

    /// Records a journal line's activity at its provisional time.
    pub(super) fn saw(&mut self, sink: &mut Sink, pass: Pass, time: i64) {
        match pass {
            Pass::First => sink.saw(Source::Journal, None, time),
            Pass::Repeat => self
                .repeat_activity
                .record(sink.input, Source::Journal, None, time),
        }
    }

    /// Learns the base year from a line that has both a provisional time and a full date (a Go
    /// `log` prefix), unless it is known already. Every such line is also recorded, so that
    /// [`YearState::conflict`] can report the ones that disagree with the base in the end.
    pub(super) fn learn(&mut self, provisional: i64, dated: Civil, line: u64) {
        let Some(base) = implied_base(provisional, dated) else {
            return;
        };
        if self.base.is_none() {
            self.base = Some(base);
        }
        if let Some(known) = self.dated.iter_mut().find(|d| d.base == base) {
            known.lines += 1;
        } else if self.dated.len() < MAX_DATED_BASES {
            self.dated.push(DatedBase {
                base,
                lines: 1,
                first_line: line,
                provisional,
                dated_year: dated.year,
            });
        }
    }

    /// Returns the dispatch lines whose Go `log` date contradicts the base year, or `None` when
    /// the base is unknown or every date agrees with it.
    pub fn conflict(&self) -> Option<YearConflict> {
        let base = self.base?;
        // Entries are kept in the order first seen, so the first one here has the first line.
        let disagreeing: Vec<&DatedBase> = self.dated.iter().filter(|d| d.base != base).collect();
        let first = disagreeing.first()?;
        let placed = real_time(first.provisional, base, Zone::Utc, Fold::Earlier)?;
        Some(YearConflict {
            lines: disagreeing.iter().map(|d| d.lines).sum(),
            first_line: first.first_line,
            dated_year: first.dated_year,
            placed_year: crate::time::year_of(placed),
        })
    }
}

/// Returns the base year that puts a provisional time closest to the full date of the same
/// line (a Go `log` prefix).
fn implied_base(provisional: i64, dated: Civil) -> Option<i32> {
    let dated_micros = dated.to_utc_micros()?;
    let (rollovers, _) = provisional_year(provisional);
    (dated.year - 1..=dated.year + 1)
        .filter_map(|year| {
            let base = year - rollovers;
            let real = real_time(provisional, base, Zone::Utc, Fold::Earlier)?;
            Some(((real - dated_micros).abs(), base))
        })
        .min()
        .map(|(_, base)| base)
}

/// Splits the year of a provisional time into its roll-over and the year's offset from that
/// roll-over's provisional year: -1, 0 or 1. The offset is 0 for a journal line's own time. A
/// serve header's time of day, placed on the date nearest its line, can cross into the year
/// before or after across New Year.
fn provisional_year(provisional: i64) -> (i32, i32) {
    let year = DateTime::from_timestamp_micros(provisional).map_or(PROVISIONAL_BASE, |t| t.year());
    let from_base = year - PROVISIONAL_BASE;
    let rollovers = (from_base + 1).div_euclid(4);
    (rollovers, from_base - 4 * rollovers)
}

/// Maps a provisional time to the real calendar with `base` as the year of roll-over 0,
/// reading the civil time in `zone` and a local time that a DST change repeats as `fold`.
pub fn real_time(provisional: i64, base: i32, zone: Zone, fold: Fold) -> Option<i64> {
    let t = DateTime::from_timestamp_micros(provisional)?.naive_utc();
    let (rollovers, offset) = provisional_year(provisional);
    let civil = Civil {
        year: base.checked_add(rollovers)?.checked_add(offset)?,
        month: t.month(),
        day: t.day(),
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        micros: t.nanosecond() / 1000,
    };
    zone.to_utc_micros_in_fold(civil, fold)
}

/// Moves the provisional times of one journal input onto the real calendar.
pub fn apply_year(sink: &mut Sink, year: &mut YearState, base: i32, zone: Zone) {
    let first_fold = year.fold(Pass::First);
    let repeat_fold = year.fold(Pass::Repeat);
    let fold_of = |pass| match pass {
        Pass::First => first_fold,
        Pass::Repeat => repeat_fold,
    };
    for (index, pass) in year.pending_events.drain(..) {
        if let Some(event) = sink.events.get_mut(index)
            && let Some(real) = real_time(event.time, base, zone, fold_of(pass))
        {
            event.time = real;
        }
    }
    if year.used {
        for (key, track) in sink.activity.tracks.iter_mut() {
            if key.source == Source::Journal {
                move_track(track, base, zone, first_fold);
            }
        }
        let mut repeat = std::mem::take(&mut year.repeat_activity);
        for (_, track) in repeat.tracks.iter_mut() {
            move_track(track, base, zone, repeat_fold);
        }
        sink.activity.merge(repeat);
    }
    year.used = false;
    year.base = Some(base);
}

/// Moves the provisional seconds and span of a journal track onto the real calendar.
fn move_track(track: &mut Track, base: i32, zone: Zone, fold: Fold) {
    let mut seconds = super::SecondSet::default();
    for second in track.seconds.iter() {
        if let Some(real) = real_time(second * SECOND, base, zone, fold) {
            seconds.insert(real.div_euclid(SECOND));
        }
    }
    track.seconds = seconds;
    track.first = real_time(track.first, base, zone, fold).unwrap_or(track.first);
    track.last = real_time(track.last, base, zone, fold).unwrap_or(track.last);
    track.forget_last();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_learned_from_go_prefix_across_new_year() {
        let mut year = YearState::default();
        // The journal says Dec 31 23:59:59 (provisional 2000), Go says 2027/01/01 00:00:00.
        let (provisional, _) = year.provisional(12, 31, (23, 59, 59), 0).unwrap();
        let go = Civil {
            year: 2027,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            micros: 0,
        };
        year.learn(provisional, go, 1);
        assert_eq!(year.base, Some(2026));
    }

    #[test]
    fn serve_time_across_new_year_keeps_its_year() {
        // A serve header's time of day is placed on the date nearest its journal line, which
        // can be the provisional year before or after that line's.
        let cases: &[(i32, &str, &str)] = &[
            // A Dec 31 line of roll-over 0 (2000) with a header just after midnight.
            (2001, "01-01T00:00:00.1Z", "2027-01-01T00:00:00.1Z"),
            // A Jan 1 line of roll-over 1 (2004) with a header just before midnight.
            (2003, "12-31T23:59:59.9Z", "2026-12-31T23:59:59.9Z"),
            // A Dec 31 line of roll-over -1 (1996, newest first) with a header after midnight.
            (1997, "01-01T00:00:00.1Z", "2026-01-01T00:00:00.1Z"),
            (2000, "06-10T19:56:01Z", "2026-06-10T19:56:01Z"),
        ];
        for (year, rest, expected) in cases {
            let provisional = utc(&format!("{year}-{rest}"));
            assert_eq!(
                real_time(provisional, 2026, Zone::Utc, Fold::Earlier),
                Some(utc(expected)),
                "{year}-{rest}"
            );
        }
    }

    fn civil(year: i32, month: u32, day: u32, hms: (u32, u32, u32)) -> Civil {
        Civil {
            year,
            month,
            day,
            hour: hms.0,
            minute: hms.1,
            second: hms.2,
            micros: 0,
        }
    }

    #[test]
    fn header_span_forms() {
        let begin = civil(2026, 6, 8, (6, 14, 3));
        let end = civil(2026, 6, 10, (20, 6, 31));
        // (header line, expected span)
        let cases: [(&str, Option<(Civil, Civil)>); 9] = [
            (
                "-- Journal begins at Mon 2026-06-08 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --",
                Some((begin, end)),
            ),
            (
                "-- Logs begin at Mon 2026-06-08 06:14:03 UTC, end at Wed 2026-06-10 20:06:31 UTC. --",
                Some((begin, end)),
            ),
            // The zone is not read: journalctl writes the `short` lines in the same one.
            (
                "-- Journal begins at Mon 2026-06-08 06:14:03 CEST, ends at Wed 2026-06-10 20:06:31 CEST. --",
                Some((begin, end)),
            ),
            (
                "-- Logs begin at Mon 2026-06-08 06:14:03 +03, end at Wed 2026-06-10 20:06:31 +03. --",
                Some((begin, end)),
            ),
            // `journalctl -f` gives no end, and other notes give no span.
            ("-- Journal begins at Mon 2026-06-08 06:14:03 UTC. --", None),
            ("-- Journal begins at , ends at . --", None),
            ("-- Boot d5702c6994b6c7f9cc9af0a3beb43d5c --", None),
            ("-- No entries --", None),
            (
                "-- Journal begins at Mon 2026-02-30 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --",
                None,
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_header_span(line.as_bytes()), expected, "{line}");
        }
    }

    /// The month, day and time of day of a `short` line.
    type ShortTime = (u32, u32, (u32, u32, u32));

    /// Returns the year the header gives for `short` lines, read in order.
    fn header_year_of(header: &str, lines: &[ShortTime]) -> HeaderYear {
        let mut year = YearState::default();
        year.set_header(header.as_bytes(), 1);
        for (month, day, hms) in lines {
            year.provisional(*month, *day, *hms, 0).unwrap();
        }
        year.header_year()
    }

    #[test]
    fn header_year_places_lines_inside_span() {
        let june = "-- Journal begins at Mon 2026-06-08 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --";
        let new_year =
            "-- Logs begin at Thu 2026-12-31 06:00:00 UTC, end at Fri 2027-01-01 01:00:00 UTC. --";
        let years = "-- Journal begins at Mon 2024-01-08 06:14:03 UTC, ends at Wed 2026-06-10 20:06:31 UTC. --";
        let leap = "-- Journal begins at Fri 2027-01-01 00:00:00 UTC, ends at Tue 2030-01-01 00:00:00 UTC. --";
        let span = |line: &str| {
            let (begin, end) = parse_header_span(line.as_bytes()).unwrap();
            HeaderSpan {
                line: 1,
                begin,
                end,
            }
        };
        // (header, lines in the order printed, expected year)
        let cases: [(&str, &[ShortTime], HeaderYear); 8] = [
            (
                june,
                &[(6, 10, (19, 0, 0)), (6, 10, (19, 59, 55))],
                HeaderYear::Fits(2026),
            ),
            // journalctl cuts the end to the second, so a line in that second still fits.
            (june, &[(6, 10, (20, 6, 31))], HeaderYear::Fits(2026)),
            // Across New Year, in time order and newest first (`journalctl -r`).
            (
                new_year,
                &[(12, 31, (23, 59, 50)), (1, 1, (0, 5, 30))],
                HeaderYear::Fits(2026),
            ),
            (
                new_year,
                &[(1, 1, (0, 5, 30)), (12, 31, (23, 59, 50))],
                HeaderYear::Fits(2027),
            ),
            // Only 2028 has a Feb 29 in a span of three years.
            (leap, &[(2, 29, (12, 0, 0))], HeaderYear::Fits(2028)),
            (
                years,
                &[(6, 10, (19, 0, 0))],
                HeaderYear::Ambiguous {
                    span: span(years),
                    first: 2024,
                    last: 2026,
                },
            ),
            (
                june,
                &[(7, 10, (19, 0, 0))],
                HeaderYear::Outside(span(june)),
            ),
            (june, &[], HeaderYear::Absent),
        ];
        for (header, lines, expected) in cases {
            assert_eq!(
                header_year_of(header, lines),
                expected,
                "{header} {lines:?}"
            );
        }
        assert_eq!(
            header_year_of("Jun 10 19:00:00 devvm sshd[1]: x", &[(6, 10, (19, 0, 0))]),
            HeaderYear::Absent,
            "a first line that is no header"
        );
    }

    fn utc(text: &str) -> i64 {
        crate::time::parse_iso(text.as_bytes(), Zone::Utc)
            .unwrap()
            .micros
    }
}
