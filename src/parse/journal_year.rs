//! The year of journal `short` lines, which journalctl prints without one.
//!
//! `short` and `short-precise` lines (`Jun 10 19:56:01 devvm ...`) are read onto a provisional
//! calendar while the input is parsed, and moved onto the real one once the year is known; see
//! [`YearState`].

use chrono::{DateTime, Datelike, Timelike};

use super::Sink;
use crate::event::Source;
use crate::time::{Civil, SECOND, Zone};

/// The year of `short` lines, which journalctl prints without one.
///
/// Times of such lines are first computed on a provisional calendar in which the year is
/// `PROVISIONAL_BASE + 4 × (number of Dec → Jan roll-overs seen so far)`; every provisional year
/// is a leap year, so Feb 29 always fits. Once the real base year is known, each provisional
/// time is mapped back to its civil fields and converted in the `--tz` zone.
#[derive(Debug, Default)]
pub struct YearState {
    /// Roll-overs seen so far (Dec 31 → Jan 1 in journal order).
    rollovers: i32,
    last_month: u32,
    /// The real year of roll-over 0, once known.
    pub base: Option<i32>,
    /// Indexes into the sink's events whose times are provisional.
    pub pending_events: Vec<usize>,
    /// Whether any line of this input had a provisional time.
    pub used: bool,
    /// The first line with a provisional time, for the error message.
    pub first_line: u64,
}

/// The first provisional year (a leap year).
pub const PROVISIONAL_BASE: i32 = 2000;

impl YearState {
    /// Returns the provisional time of a `short` line's month, day and time, updating the
    /// roll-over count.
    pub(super) fn provisional(
        &mut self,
        month: u32,
        day: u32,
        hms: (u32, u32, u32),
        micros: u32,
    ) -> Option<i64> {
        if self.last_month == 12 && month == 1 {
            self.rollovers += 1;
        }
        self.last_month = month;
        let civil = Civil {
            year: PROVISIONAL_BASE + 4 * self.rollovers,
            month,
            day,
            hour: hms.0,
            minute: hms.1,
            second: hms.2,
            micros,
        };
        civil.to_utc_micros()
    }

    /// Learns the base year from a line that has both a provisional time and a full date (a Go
    /// `log` prefix). The base is the year that puts the journal date closest to the Go date.
    pub(super) fn learn(&mut self, provisional: i64, dated: Civil) {
        if self.base.is_some() {
            return;
        }
        let Some(dated_micros) = dated.to_utc_micros() else {
            return;
        };
        let rollovers = provisional_rollovers(provisional);
        let best = (dated.year - 1..=dated.year + 1)
            .filter_map(|year| {
                let base = year - rollovers;
                let real = real_time(provisional, base, Zone::Utc)?;
                Some(((real - dated_micros).abs(), base))
            })
            .min();
        if let Some((_, base)) = best {
            self.base = Some(base);
        }
    }
}

fn provisional_rollovers(provisional: i64) -> i32 {
    let year = DateTime::from_timestamp_micros(provisional).map_or(PROVISIONAL_BASE, |t| t.year());
    (year - PROVISIONAL_BASE).div_euclid(4)
}

/// Maps a provisional time to the real calendar with `base` as the year of roll-over 0,
/// reading the civil time in `zone`.
pub fn real_time(provisional: i64, base: i32, zone: Zone) -> Option<i64> {
    let t = DateTime::from_timestamp_micros(provisional)?.naive_utc();
    let civil = Civil {
        year: base + provisional_rollovers(provisional),
        month: t.month(),
        day: t.day(),
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        micros: t.nanosecond() / 1000,
    };
    zone.to_utc_micros(civil)
}

/// Moves the provisional times of one journal input onto the real calendar.
pub fn apply_year(sink: &mut Sink, year: &mut YearState, base: i32, zone: Zone) {
    for index in year.pending_events.drain(..) {
        if let Some(event) = sink.events.get_mut(index)
            && let Some(real) = real_time(event.time, base, zone)
        {
            event.time = real;
        }
    }
    for (key, track) in sink.activity.tracks.iter_mut() {
        if key.source != Source::Journal || !year.used {
            continue;
        }
        let mut seconds = super::SecondSet::default();
        for second in track.seconds.iter() {
            if let Some(real) = real_time(second * SECOND, base, zone) {
                seconds.insert(real.div_euclid(SECOND));
            }
        }
        track.seconds = seconds;
        track.first = real_time(track.first, base, zone).unwrap_or(track.first);
        track.last = real_time(track.last, base, zone).unwrap_or(track.last);
    }
    year.used = false;
    year.base = Some(base);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_learned_from_go_prefix_across_new_year() {
        let mut year = YearState::default();
        // The journal says Dec 31 23:59:59 (provisional 2000), Go says 2027/01/01 00:00:00.
        let provisional = year.provisional(12, 31, (23, 59, 59), 0).unwrap();
        let go = Civil {
            year: 2027,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            micros: 0,
        };
        year.learn(provisional, go);
        assert_eq!(year.base, Some(2026));
    }
}
