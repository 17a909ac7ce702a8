//! Serve header times of day placed in time.
//!
//! A t3 serve header carries devvm's local time of day and no date, so it is placed next to its
//! journal entry, whose time is exact or local. journald stamps the entry on the same clock
//! after the serve wrote the header. The two differ by journald's delay, and by whole quarter
//! hours more when the export was printed in another zone than devvm's.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone};

use crate::time::{Civil, Fold, SECOND, Zone};

/// A time of day placed next to an entry's exact time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedTimeOfDay {
    /// The instant, UTC microseconds, or `None` to keep the entry time.
    pub time: Option<i64>,
    /// The time of day as first read minus the entry time, when they differ by a quarter hour
    /// or more: a zone mistake, not journald's delay.
    pub mismatch: Option<i64>,
}

/// Places a serve header's time of day next to its entry's exact UTC time. Read in `--tz`, it
/// should lie at or shortly before the entry. One that lies about a whole number of quarter
/// hours away (every UTC offset in use is one) was written in another zone: it takes the zone
/// offset implied by the entry (see `place_at_entry`).
///
/// A `short` line's provisional time is its local time read as UTC, so with `Zone::Utc` this
/// places the time of day on the line's local clock alike.
pub fn time_of_day_at_exact(entry: i64, tod: (u32, u32, u32, u32), zone: Zone) -> PlacedTimeOfDay {
    place_at_entry(entry, time_of_day_near(entry, tod, zone))
}

/// Places a serve header's time of day next to its entry's exact UTC time as
/// [`time_of_day_at_exact`] does, but reads it first in `offset` (microseconds east of UTC),
/// the offset that the entry's own ISO timestamp names. That offset is the zone journalctl ran
/// in, which is devvm's zone only when journalctl ran on devvm with devvm's `TZ`.
pub fn time_of_day_at_offset(
    entry: i64,
    tod: (u32, u32, u32, u32),
    offset: i64,
) -> PlacedTimeOfDay {
    let read = time_of_day_near(entry + offset, tod, Zone::Utc).map(|t| t - offset);
    place_at_entry(entry, read)
}

/// Places a time of day read as `read` by its entry's exact time. The serve and journald share
/// devvm's clock, so the header lies before its entry by journald's delay: milliseconds, or
/// seconds to minutes on a stalled host, the case git timeouts point at. The header's own time
/// wins. A zone mistake moves it by whole quarter hours (every UTC offset in use is one), so
/// the whole number of quarter hours nearest to the difference is taken off, and only that
/// counts as a mismatch.
///
/// NOTE: a delay of more than 7.5 minutes reads as a quarter hour of zone difference.
fn place_at_entry(entry: i64, read: Option<i64>) -> PlacedTimeOfDay {
    const QUARTER_HOUR: i64 = 900 * SECOND;
    let Some(read) = read else {
        return PlacedTimeOfDay {
            time: None,
            mismatch: None,
        };
    };
    let mismatch = read - entry;
    // The nearest date keeps `mismatch` within 12 h either way, so a zone up to 14 h ahead
    // shows as its offset less a day, which places the time of day alike.
    let implied = (mismatch + QUARTER_HOUR / 2).div_euclid(QUARTER_HOUR) * QUARTER_HOUR;
    PlacedTimeOfDay {
        time: Some(read - implied),
        mismatch: (implied != 0).then_some(mismatch),
    }
}

/// How a serve header's time of day was first read before it was placed by its entry's time,
/// which decides what the input's warning advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeOfDayReading {
    /// In `--tz`, next to an entry time that carries no zone (JSON, export, epoch, Loki) or is
    /// read in `--tz` (`short-full`, `with-unit`).
    Tz,
    /// In the UTC offset of the entry's own ISO timestamp (`short-iso`, `short-iso-precise`).
    LineOffset,
    /// On the local clock of a `short` or `short-precise` line, before `--tz` reads that line.
    LineLocalTime,
}

/// Serve header times of day of one kind of reading, compared with their entries' times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MismatchTally {
    /// The line number and mismatch (the time of day as first read minus the entry time,
    /// microseconds) of the first header that disagreed.
    pub first: Option<(u64, i64)>,
    /// The headers that disagreed.
    pub count: u64,
    /// The headers compared, agreeing or not.
    pub compared: u64,
}

impl MismatchTally {
    fn add(&mut self, line: u64, mismatch: i64) {
        if self.first.is_none_or(|(first, _)| line < first) {
            self.first = Some((line, mismatch));
        }
        self.count += 1;
    }

    fn merge(&mut self, later: MismatchTally) {
        self.compared += later.compared;
        if let Some((line, mismatch)) = later.first {
            self.count += later.count - 1;
            self.add(line, mismatch);
        }
    }
}

/// Serve header times of day that disagreed with their entries' exact times, for the input's
/// warning, per kind of reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeOfDayMismatch {
    pub tz: MismatchTally,
    pub line_offset: MismatchTally,
    pub line_local_time: MismatchTally,
}

impl TimeOfDayMismatch {
    /// Counts a mismatch of the time of day of the header on line `line`. The caller counts
    /// every header compared in [`MismatchTally::compared`].
    pub fn add(&mut self, reading: TimeOfDayReading, line: u64, mismatch: i64) {
        self.tally(reading).add(line, mismatch);
    }

    /// Returns the tally of one kind of reading.
    pub fn tally(&mut self, reading: TimeOfDayReading) -> &mut MismatchTally {
        match reading {
            TimeOfDayReading::Tz => &mut self.tz,
            TimeOfDayReading::LineOffset => &mut self.line_offset,
            TimeOfDayReading::LineLocalTime => &mut self.line_local_time,
        }
    }

    /// Adds the mismatches of a later block, whose line numbers are already the input's.
    pub fn merge(&mut self, later: TimeOfDayMismatch) {
        self.tz.merge(later.tz);
        self.line_offset.merge(later.line_offset);
        self.line_local_time.merge(later.line_local_time);
    }

    /// Moves the line numbers of a block's mismatches by the lines before the block.
    pub fn add_lines(&mut self, lines: u64) {
        for tally in [
            &mut self.tz,
            &mut self.line_offset,
            &mut self.line_local_time,
        ] {
            if let Some((line, _)) = &mut tally.first {
                *line += lines;
            }
        }
    }

    /// Returns the input's warnings, one per kind of reading whose times of day disagreed
    /// with their entries' times.
    pub fn warnings(&self, name: &str) -> Vec<String> {
        let hours = |mismatch: i64| mismatch as f64 / 3600.0 / SECOND as f64;
        let mut warnings = Vec::new();
        if let Some((line, first)) = self.tz.first {
            warnings.push(format!(
                "{name}: {} of {} t3 serve header time(s) of day differ from their entries' \
                 exact times when read in --tz (the first on line {line}, by {:+.1} h); each \
                 was read in the UTC offset its entry implies where the difference is a whole \
                 number of quarter hours, and at its entry's time otherwise; set --tz to \
                 devvm's zone",
                self.tz.count,
                self.tz.compared,
                hours(first)
            ));
        }
        if let Some((line, first)) = self.line_offset.first {
            warnings.push(format!(
                "{name}: {} of {} t3 serve header time(s) of day differ from their entries' \
                 exact times when read in the UTC offset of their journal lines (the first on \
                 line {line}, by {:+.1} h). The headers carry devvm's local time, so journalctl \
                 probably ran with another TZ than devvm's. Each header was placed by its \
                 entry's exact time: moved by the difference where it is a whole number of \
                 quarter hours, and at the entry's time otherwise. --tz does not change these \
                 times",
                self.line_offset.count,
                self.line_offset.compared,
                hours(first)
            ));
        }
        if let Some((line, first)) = self.line_local_time.first {
            warnings.push(format!(
                "{name}: {} of {} t3 serve header time(s) of day differ from the local times of \
                 their `short` journal lines (the first on line {line}, by {:+.1} h). The \
                 headers carry devvm's local time, so journalctl probably printed the lines \
                 in another zone than devvm's. Each header was placed by its line's time: \
                 moved by the difference where it is a whole number of quarter hours, and at \
                 the line's time otherwise. --tz reads those line times, so it must be the \
                 zone journalctl ran in",
                self.line_local_time.count,
                self.line_local_time.compared,
                hours(first)
            ));
        }
        warnings
    }
}

/// Microseconds per day.
const DAY: i64 = 86_400 * SECOND;

/// Returns a serve header's time of day minus the time of day of `local`, an instant read on
/// a clock with a fixed UTC offset, as [`time_of_day_at_exact`] counts it. The header goes on
/// the date that puts it nearest, and only a difference of a whole number of quarter hours or
/// more is returned. It costs a few integer operations, where the placement builds dates, so
/// it suits a check of every header.
pub fn time_of_day_mismatch(local: i64, tod: (u32, u32, u32, u32)) -> Option<i64> {
    let (hour, minute, second, micros) = tod;
    let header = (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * SECOND
        + i64::from(micros);
    let mut mismatch = (header - local.rem_euclid(DAY)).rem_euclid(DAY);
    // Of two dates equally near, the earlier one, as `time_of_day_near` takes it.
    if mismatch >= DAY / 2 {
        mismatch -= DAY;
    }
    place_at_entry(local, Some(local + mismatch)).mismatch
}

/// The UTC offset of a zone across the hours around the last entry time looked up. Serve
/// headers come in time order, and a lookup in the tz database costs more than the rest of
/// the check of a header.
#[derive(Clone, Copy, Debug, Default)]
pub struct SteadyOffset {
    /// The hour (UTC microseconds divided by an hour) last looked up, and the zone's offset
    /// then when it stays the same from 13 hours before that hour to 14 hours after its start.
    last: Option<(i64, Option<i64>)>,
}

impl SteadyOffset {
    /// Returns the UTC offset of `zone` at `at` (UTC microseconds), in microseconds east of
    /// UTC, when the zone keeps it from 13 hours before `at` to 13 hours after. Then a time of
    /// day on its nearest date is read in that one offset. Returns `None` near a change.
    ///
    /// NOTE: the offset is looked up at three instants of those 27 hours, so two changes
    /// inside them that return to the same offset would go unseen, and a header near them
    /// would be compared in the wrong offset.
    pub fn at(&mut self, zone: Zone, at: i64) -> Option<i64> {
        const HOUR: i64 = 3600 * SECOND;
        let Zone::Named(tz) = zone else {
            return Some(0);
        };
        let hour = at.div_euclid(HOUR);
        if let Some((last, offset)) = self.last
            && last == hour
        {
            return offset;
        }
        let offset_at = |instant: i64| {
            DateTime::from_timestamp_micros(instant).map(|instant| {
                let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
                i64::from(offset.local_minus_utc()) * SECOND
            })
        };
        let start = hour * HOUR;
        let offsets = [start - 13 * HOUR, start, start + 14 * HOUR].map(offset_at);
        let offset = offsets[1].filter(|offset| offsets.iter().all(|o| *o == Some(*offset)));
        self.last = Some((hour, offset));
        offset
    }
}

/// Places a time of day on the date that puts it closest to `near` (local civil time in
/// `zone`), so a header written at 23:59:59.900 inside a journal line of 00:00:00 falls on the
/// day before.
pub fn time_of_day_near(near: i64, tod: (u32, u32, u32, u32), zone: Zone) -> Option<i64> {
    let local_near = match zone {
        Zone::Utc => DateTime::from_timestamp_micros(near)?.naive_utc(),
        Zone::Named(tz) => DateTime::from_timestamp_micros(near)?
            .with_timezone(&tz)
            .naive_local(),
    };
    let date: NaiveDate = local_near.date();
    [date.pred_opt(), Some(date), date.succ_opt()]
        .into_iter()
        .flatten()
        .flat_map(|d| {
            let civil = Civil {
                year: d.year(),
                month: d.month(),
                day: d.day(),
                hour: tod.0,
                minute: tod.1,
                second: tod.2,
                micros: tod.3,
            };
            // A local time that the DST fall-back repeats has two instants. The one nearer
            // the journal time is meant.
            [Fold::Earlier, Fold::Later]
                .into_iter()
                .filter_map(move |fold| zone.to_utc_micros_in_fold(civil, fold))
        })
        .min_by_key(|t| (t - near).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_iso;

    fn utc(text: &str) -> i64 {
        parse_iso(text.as_bytes(), Zone::Utc).unwrap().micros
    }

    #[test]
    fn time_of_day_takes_nearest_date() {
        let near = utc("2026-06-11T00:00:00Z");
        assert_eq!(
            time_of_day_near(near, (23, 59, 59, 900_000), Zone::Utc),
            Some(utc("2026-06-10T23:59:59.9Z"))
        );
        let near = utc("2026-06-10T19:55:41Z");
        assert_eq!(
            time_of_day_near(near, (19, 55, 40, 120_000), Zone::Utc),
            Some(utc("2026-06-10T19:55:40.12Z"))
        );

        // 02:59:40 comes twice in Europe/Berlin on 2026-10-25: at 00:59:40Z (CEST) and at
        // 01:59:40Z (CET). The instant nearer the journal time wins.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let tod = (2, 59, 40, 0);
        for (near, expected) in [
            ("2026-10-25T01:59:41Z", "2026-10-25T01:59:40Z"),
            ("2026-10-25T00:59:41Z", "2026-10-25T00:59:40Z"),
        ] {
            assert_eq!(
                time_of_day_near(utc(near), tod, berlin),
                Some(utc(expected)),
                "near {near}"
            );
        }
    }

    #[test]
    fn time_of_day_at_exact_entry_time() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let hour = 3600 * SECOND;
        // (case, entry time, time of day, zone of --tz, placed time, mismatch)
        type Case<'a> = (&'a str, &'a str, (u32, u32, u32, u32), Zone);
        let cases: [(Case, Option<&str>, Option<i64>); 9] = [
            (
                (
                    "agrees in UTC",
                    "2026-06-10T19:20:09.193Z",
                    (19, 20, 9, 191_000),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                None,
            ),
            (
                (
                    "agrees in --tz",
                    "2026-06-10T19:20:09.193Z",
                    (21, 20, 9, 191_000),
                    berlin,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                None,
            ),
            (
                (
                    "Berlin summer time read as UTC",
                    "2026-06-10T19:20:09.193Z",
                    (21, 20, 9, 191_000),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                Some(2 * hour - 2_000),
            ),
            (
                (
                    "UTC-5 over midnight",
                    "2026-06-11T02:00:01.500Z",
                    (21, 0, 1, 400_000),
                    Zone::Utc,
                ),
                Some("2026-06-11T02:00:01.4Z"),
                Some(-5 * hour - 100_000),
            ),
            (
                (
                    "India's half hour",
                    "2026-06-10T19:20:09Z",
                    (0, 50, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(5 * hour + 1800 * SECOND),
            ),
            (
                (
                    "UTC+14, a day round",
                    "2026-06-10T19:20:09Z",
                    (9, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(-10 * hour),
            ),
            (
                (
                    "stamped 7 minutes late: a stalled host, no zone",
                    "2026-06-10T19:27:09Z",
                    (19, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                None,
            ),
            (
                (
                    "stamped 8 s late in another zone",
                    "2026-06-10T19:20:17Z",
                    (21, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(2 * hour - 8 * SECOND),
            ),
            (
                (
                    "within the slack",
                    "2026-06-10T19:20:09Z",
                    (19, 20, 12, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:12Z"),
                None,
            ),
        ];
        for ((case, entry, tod, zone), time, mismatch) in cases {
            let placed = time_of_day_at_exact(utc(entry), tod, zone);
            assert_eq!(placed.time, time.map(utc), "{case}");
            assert_eq!(placed.mismatch, mismatch, "{case}");
        }
    }

    #[test]
    fn serve_time_of_day_warning_per_reading() {
        let hour = 3600 * SECOND;
        let mut mismatches = TimeOfDayMismatch::default();
        assert!(mismatches.warnings("j.log").is_empty());

        mismatches.tally(TimeOfDayReading::LineOffset).compared = 5;
        mismatches.add(TimeOfDayReading::LineOffset, 35, -hour);
        mismatches.add(TimeOfDayReading::LineOffset, 38, -hour);
        let warnings = mismatches.warnings("j.log");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("j.log: 2 of 5 t3 serve header"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("on line 35, by -1.0 h"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("another TZ than devvm's"),
            "{}",
            warnings[0]
        );
        // The line's offset is exact, so --tz is no fix.
        assert!(!warnings[0].contains("set --tz"), "{}", warnings[0]);

        let mut local = TimeOfDayMismatch::default();
        local.tally(TimeOfDayReading::LineLocalTime).compared = 1;
        local.add(TimeOfDayReading::LineLocalTime, 7, 2 * hour);
        let warnings = local.warnings("j.log");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("on line 7, by +2.0 h"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("zone journalctl ran in"),
            "{}",
            warnings[0]
        );

        // The warning of the --tz reading names its first line too.
        let mut tz = TimeOfDayMismatch::default();
        tz.tally(TimeOfDayReading::Tz).compared = 4;
        tz.add(TimeOfDayReading::Tz, 12, 2 * hour);
        let warnings = tz.warnings("j.jsonl");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("j.jsonl: 1 of 4 t3 serve header"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("(the first on line 12, by +2.0 h)"),
            "{}",
            warnings[0]
        );

        // Headers compared without a mismatch raise no warning.
        let mut agreeing = TimeOfDayMismatch::default();
        agreeing.tally(TimeOfDayReading::LineOffset).compared = 9;
        assert!(agreeing.warnings("j.log").is_empty());
    }

    #[test]
    fn time_of_day_mismatch_matches_placement() {
        // The integer comparison of every header must count what the placement counts, on
        // the line's own clock, which `Zone::Utc` reads as it is.
        let hour = 3600 * SECOND;
        let entries = [
            utc("2026-06-10T19:20:09.193Z"),
            utc("2026-06-10T00:00:00.200Z"),
            utc("2026-06-10T23:59:59.900Z"),
            utc("2026-06-10T11:59:59Z"),
            utc("2026-06-10T12:00:00Z"),
        ];
        // Times of day around each entry: equal, stamped late, a zone off, across midnight.
        let offsets = [
            0,
            -3 * SECOND,
            -8 * SECOND,
            -7 * 60 * SECOND,
            -8 * 60 * SECOND,
            7 * 60 * SECOND + 29 * SECOND,
            7 * 60 * SECOND + 31 * SECOND,
            hour,
            -hour,
            2 * hour - 2_000,
            5 * hour + 1800 * SECOND,
            -10 * hour,
            12 * hour,
            -12 * hour,
            14 * hour,
        ];
        for entry in entries {
            for offset in offsets {
                let header = DateTime::from_timestamp_micros(entry + offset).unwrap();
                let tod = (
                    chrono::Timelike::hour(&header),
                    chrono::Timelike::minute(&header),
                    chrono::Timelike::second(&header),
                    chrono::Timelike::nanosecond(&header) / 1000,
                );
                let placed = time_of_day_at_exact(entry, tod, Zone::Utc);
                assert_eq!(
                    time_of_day_mismatch(entry, tod),
                    placed.mismatch,
                    "entry {entry}, header {offset} µs off"
                );
            }
        }
    }

    #[test]
    fn steady_offset_near_dst_change() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let hour = 3600 * SECOND;
        let mut offsets = SteadyOffset::default();
        // (instant, the offset when it stays the same 13 hours around it)
        let cases = [
            ("2026-06-10T19:20:09Z", Some(2 * hour)),
            ("2026-01-10T19:20:09Z", Some(hour)),
            // Berlin changes to summer time at 2026-03-29T01:00:00Z.
            ("2026-03-28T13:30:00Z", None),
            ("2026-03-29T13:30:00Z", None),
            ("2026-03-28T10:30:00Z", Some(hour)),
            ("2026-03-29T14:30:00Z", Some(2 * hour)),
            // The same hour again, from the cache.
            ("2026-03-29T14:59:59Z", Some(2 * hour)),
        ];
        for (at, expected) in cases {
            assert_eq!(offsets.at(berlin, utc(at)), expected, "{at}");
        }
        assert_eq!(
            SteadyOffset::default().at(Zone::Utc, utc(cases[0].0)),
            Some(0)
        );
    }

    #[test]
    fn time_of_day_mismatch_merge_keeps_first_line() {
        let hour = 3600 * SECOND;
        // A later block settles a timeout on line 3 after the block counted line 9.
        let mut block = TimeOfDayMismatch::default();
        block.add(TimeOfDayReading::LineOffset, 9, -2 * hour);
        block.add(TimeOfDayReading::LineOffset, 3, -hour);
        block.add_lines(100);
        block.tally(TimeOfDayReading::LineOffset).compared = 7;
        let mut input = TimeOfDayMismatch::default();
        input.tally(TimeOfDayReading::Tz).compared = 3;
        input.tally(TimeOfDayReading::LineOffset).compared = 2;
        input.add(TimeOfDayReading::Tz, 50, hour);
        input.merge(block);
        assert_eq!(input.line_offset.first, Some((103, -hour)));
        assert_eq!(input.line_offset.count, 2);
        assert_eq!(input.line_offset.compared, 9);
        assert_eq!(input.tz.first, Some((50, hour)));
        assert_eq!(input.tz.count, 1);
        assert_eq!(input.tz.compared, 3);
    }
}
