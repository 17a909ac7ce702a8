//! A clock offset that holds on one side of an instant only.
//!
//! A journal read in a wrong `--tz`, with a `--skew` (or a measured offset) that fits one side
//! of a DST change of devvm's zone, joins its dispatch sockets to Traefik on that side. On the
//! other side they start a whole hour (or half hour) off their Traefik lines. The zone hints of
//! the offset measurement name this only when the off side has more sockets. Here the sockets
//! themselves show it: the joined ones were logged before an instant and the ones a whole
//! number of half hours off after it, or the reverse. Rows on the off side compare devvm's
//! lines with the cluster's lines of other moments, so their verdicts are weakened as for a
//! doubtful offset.

use std::collections::BTreeMap;

use chrono::{DateTime, Offset as _, TimeZone};

use super::clock_change::{ZoneGroups, format_shift, format_zone_groups, zones_changing_between};
use super::join::{ByClient, start_of};
use super::sockets::Socket;
use crate::time::{SECOND, Zone};

/// Sockets that join Traefik on one side of an instant and start a whole number of half hours
/// off their Traefik lines on the other.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockSplit {
    /// Whether the joined sockets were logged before the off ones.
    pub joined_first: bool,
    /// The off sockets' start difference from their Traefik lines minus the offset in use, in
    /// microseconds: a whole number of half hours.
    pub shift: i64,
    /// The number of sockets on the joined side that join, and on the off side that are off.
    pub joined: usize,
    pub off: usize,
    /// The interval on the cluster clock that the change lies in, earlier first: from the last
    /// socket line of the earlier side to the first of the later side, each moved by its own
    /// side's offset.
    pub between: (i64, i64),
    /// The instant of the change, when the zones in `zones` all change then.
    pub instant: Option<i64>,
    /// The zones of the tz database whose offset changes inside `between` as the sockets show,
    /// grouped by their UTC offsets before and after it, in seconds.
    pub zones: ZoneGroups,
    /// `--tz`, which the journal's times were read in.
    pub read_in: Zone,
    /// The clock offset in use (devvm minus cluster), in microseconds.
    pub offset: i64,
}

/// The minimum number of sockets on each side of a split.
const MIN_SIDE: usize = 3;
/// How far from a whole number of half hours a start difference may lie and still count.
const CLOSE: i64 = 10 * SECOND;
const HALF_HOUR: i64 = 1800 * SECOND;
/// The largest off shift looked at, in half hours: the largest DST change is 2 hours.
const MAX_HALVES: i64 = 4;

/// Returns the time of the journal line that gives a socket's start: its `ws open`, or else
/// its `ws close`. On a clock that changes, this line decides which side the socket is on.
fn line_time(socket: &Socket) -> Option<i64> {
    match socket.open {
        Some(_) => Some(socket.start),
        None => socket.end,
    }
}

/// A cut of the sockets in time: the fields of [`ClockSplit`] that the sockets alone give.
#[derive(Clone, Debug, PartialEq)]
struct Cut {
    joined_first: bool,
    shift: i64,
    joined: usize,
    off: usize,
    between: (i64, i64),
}

/// The order of candidate cuts, best first: sockets on the wrong side, off sockets (most
/// first), the shift's size in half hours, the shift, and whether the joined side is first.
type Rank = (usize, std::cmp::Reverse<usize>, i64, i64, bool);

/// Looks for a split among `dispatch` sockets (on the cluster clock, with the offset in use
/// applied) and their join `joined_to` with `traefik`. Only closed sockets count. A joined
/// socket is on the joined side. One that did not join is on the off side for each whole
/// number of half hours (within 10 s) at which a same-client Traefik socket starts that joined
/// no dispatch socket. A Traefik line that joined one is that socket's own, as when a client
/// reconnects every hour and Traefik's log ends before the journal's. For each number, the cut
/// in time that puts the most joined sockets on one side and off sockets on the other wins.
/// A split needs three sockets on each side and at most one in twenty on the wrong side of
/// the cut.
///
/// NOTE: an input with two changes (joined, off, joined again) fits no single cut, so neither
/// change is found.
fn find_cut(dispatch: &[Socket], traefik: &[Socket], joined_to: &[Option<usize>]) -> Option<Cut> {
    if traefik.is_empty() {
        return None;
    }
    let by_client = ByClient::new(traefik);
    let mut taken = vec![false; traefik.len()];
    for &t in joined_to.iter().flatten() {
        taken[t] = true;
    }

    let mut joined: Vec<i64> = Vec::new();
    let mut off: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (index, socket) in dispatch.iter().enumerate() {
        if socket.end.is_none() {
            continue;
        }
        let Some(line) = line_time(socket) else {
            continue;
        };
        if joined_to.get(index).copied().flatten().is_some() {
            joined.push(line);
            continue;
        }
        let start = start_of(socket);
        let mut halves: Vec<i64> = Vec::new();
        let reach = MAX_HALVES * HALF_HOUR + CLOSE;
        for &t in by_client.near(socket.client, start, reach) {
            if taken[t] {
                continue;
            }
            let diff = start - start_of(&traefik[t]);
            let rounded = (diff as f64 / HALF_HOUR as f64).round() as i64;
            if rounded != 0
                && (diff - rounded * HALF_HOUR).abs() <= CLOSE
                && !halves.contains(&rounded)
            {
                halves.push(rounded);
            }
        }
        for half in halves {
            off.entry(half).or_default().push(line);
        }
    }
    joined.sort_unstable();

    // The best cut over all shifts and orientations: the fewest sockets on the wrong side,
    // then the most off sockets, then the smallest shift.
    let mut best: Option<(Rank, Cut)> = None;
    for (&half, lines) in &off {
        if lines.len() < MIN_SIDE {
            continue;
        }
        let mut lines = lines.clone();
        lines.sort_unstable();
        for joined_first in [true, false] {
            let (earlier, later) = if joined_first {
                (&joined, &lines)
            } else {
                (&lines, &joined)
            };
            let Some((errors, _, kept_earlier, kept_later)) = clear_cut(earlier, later, MIN_SIDE)
            else {
                continue;
            };
            // The last line before the cut and the first after it, each on the cluster clock.
            let shift = half * HALF_HOUR;
            let earlier_shift = if joined_first { 0 } else { shift };
            let later_shift = if joined_first { shift } else { 0 };
            let lo = earlier[kept_earlier - 1] - earlier_shift;
            let hi = later[later.len() - kept_later] - later_shift;
            let (joined_count, off_count) = if joined_first {
                (kept_earlier, kept_later)
            } else {
                (kept_later, kept_earlier)
            };
            let rank = (
                errors,
                std::cmp::Reverse(off_count),
                half.abs(),
                half,
                joined_first,
            );
            if best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank) {
                let cut = Cut {
                    joined_first,
                    shift,
                    joined: joined_count,
                    off: off_count,
                    between: (lo.min(hi), lo.max(hi)),
                };
                best = Some((rank, cut));
            }
        }
    }
    best.map(|(_, cut)| cut)
}

/// Returns the best cut between `earlier` and `later` (see [`best_cut`]) when it is clear: at
/// least `min_side` of each list lie on their own side, and at most one in twenty on the wrong
/// side. Returns the errors, the cut, and how many of each list it keeps.
pub(super) fn clear_cut<T: Ord + Copy>(
    earlier: &[T],
    later: &[T],
    min_side: usize,
) -> Option<(usize, T, usize, usize)> {
    let (errors, at) = best_cut(earlier, later)?;
    let kept_earlier = earlier.partition_point(|&t| t < at);
    let kept_later = later.len() - later.partition_point(|&t| t < at);
    let clear = kept_earlier >= min_side
        && kept_later >= min_side
        && errors * 20 <= kept_earlier + kept_later;
    clear.then_some((errors, at, kept_earlier, kept_later))
}

/// Returns the cut that puts the fewest of `earlier` at or after it and of `later` before it,
/// with that count: the first of `later` after which the errors are fewest. Both lists are
/// sorted (times here, journal lines in the clock step's search).
pub(super) fn best_cut<T: Ord + Copy>(earlier: &[T], later: &[T]) -> Option<(usize, T)> {
    later
        .iter()
        .map(|&at| {
            let earlier_after = earlier.len() - earlier.partition_point(|&t| t < at);
            let later_before = later.partition_point(|&t| t < at);
            (earlier_after + later_before, at)
        })
        .min()
}

/// Looks for a split (see [`find_cut`]) and, when there is one, the zones of the tz database
/// that change their offset within it as the sockets show. `zone` is `--tz` and `offset` the
/// clock offset in use.
pub fn find(
    dispatch: &[Socket],
    traefik: &[Socket],
    joined_to: &[Option<usize>],
    offset: i64,
    zone: Zone,
) -> Option<ClockSplit> {
    let Cut {
        joined_first,
        shift,
        joined,
        off,
        between,
    } = find_cut(dispatch, traefik, joined_to)?;

    // devvm's zone is `--tz` moved by each side's offset, when that offset is a whole number
    // of half hours (a clock error of up to a minute aside).
    let rounded = (offset as f64 / HALF_HOUR as f64).round() as i64 * HALF_HOUR;
    let (instant, zones) = if (offset - rounded).abs() <= 60 * SECOND {
        let (earlier, later) = if joined_first {
            (rounded, rounded + shift)
        } else {
            (rounded + shift, rounded)
        };
        let zone_offset = |at: i64, side: i64| {
            let read_in = match zone {
                Zone::Utc => 0,
                Zone::Named(tz) => {
                    let utc = DateTime::from_timestamp_micros(at)?.naive_utc();
                    tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
                }
            };
            i32::try_from(side / SECOND).ok()?.checked_add(read_in)
        };
        match (
            zone_offset(between.0, earlier),
            zone_offset(between.1, later),
        ) {
            (Some(before), Some(after)) => {
                zones_changing_between(between.0, between.1, before, after)
            }
            _ => (None, Vec::new()),
        }
    } else {
        (None, Vec::new())
    };

    Some(ClockSplit {
        joined_first,
        shift,
        joined,
        off,
        between,
        instant,
        zones,
        read_in: zone,
        offset,
    })
}

impl ClockSplit {
    /// Tells whether `[from, to]` (cluster clock) reaches the off side. The off side's rows
    /// lie there at their true times (a Traefik socket) or moved by the shift (a dispatch
    /// socket read with the offset in use), so both count.
    pub fn covers(&self, from: i64, to: i64) -> bool {
        if self.joined_first {
            to >= self.between.0 + self.shift.min(0)
        } else {
            from <= self.between.1 + self.shift.max(0)
        }
    }

    /// Describes where the offset fails: `after 2026-03-29T01:00:00Z`, or with the interval
    /// when no zone names one instant.
    fn side(&self) -> String {
        let word = if self.joined_first { "after" } else { "before" };
        match self.instant {
            Some(at) => format!("{word} {}", crate::time::format_seconds(at)),
            None => format!(
                "{word} a moment between {} and {}",
                crate::time::format_seconds(self.between.0),
                crate::time::format_seconds(self.between.1)
            ),
        }
    }

    /// Describes the shift as `+1.0 h`.
    fn shift_hours(&self) -> String {
        format!("{:+.1} h", self.shift as f64 / 3600.0 / SECOND as f64)
    }

    /// Says why a row's verdict is weakened, for its reason.
    pub fn note(&self) -> String {
        format!(
            "the devvm clock offset is doubtful here, since the dispatch sockets logged {} \
             start {} from their Traefik lines while the others join at the offset used: \
             devvm's lines and the cluster's may not be from the same moment; set --tz as the \
             warning says and run again",
            self.side(),
            self.shift_hours()
        )
    }

    /// Describes the split for a warning, with the fix. `times_carry_offset` is set when the
    /// journal's times carry their UTC offset, so that `--tz` does not change them.
    pub fn warning(&self, times_carry_offset: bool) -> String {
        let (side, other) = if self.joined_first {
            ("after", "before")
        } else {
            ("before", "after")
        };
        let when = match self.instant {
            Some(at) => format!("at {}", crate::time::format_seconds(at)),
            None => format!(
                "between {} and {}",
                crate::time::format_seconds(self.between.0),
                crate::time::format_seconds(self.between.1)
            ),
        };
        let split = format!(
            "{} dispatch socket(s) logged {side} the change start {} from their Traefik lines, \
             while the {} logged {other} it join Traefik at the clock offset in use ({:.0} s): \
             devvm's clock moved by {} {when}",
            self.off,
            self.shift_hours(),
            self.joined,
            self.offset as f64 / SECOND as f64,
            format_shift(self.shift)
        );
        let rows = format!(
            "rows {} are low confidence and none claims the last mile",
            self.side()
        );
        if times_carry_offset {
            return format!(
                "{split}. The journal's times carry their UTC offset, so --tz does not change \
                 them: devvm's clock was probably stepped then, and no single --skew fits. Run \
                 each side with its own --skew (--since, --until); until then, {rows}"
            );
        }
        let tz_name = match self.read_in {
            Zone::Utc => "UTC",
            Zone::Named(tz) => tz.name(),
        };
        let zones = if self.zones.is_empty() {
            String::new()
        } else {
            format!(
                "; zones that change then: {}",
                format_zone_groups(&self.zones)
            )
        };
        format!(
            "{split}, as a DST change of devvm's zone that --tz {tz_name} does not have, so no \
             single --skew fits. Set --tz to devvm's zone (`timedatectl show -p Timezone \
             --value` on devvm prints it) and keep --skew for a clock error only{zones}. Until \
             then, {rows}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::join;

    /// 2026-03-29T01:00:00Z, when Europe/Berlin changes from UTC+1 to UTC+2.
    const CHANGE: i64 = 1_774_746_000 * SECOND;
    const HOUR: i64 = 3600 * SECOND;

    fn socket(client: &str, start: i64, life: i64) -> Socket {
        Socket {
            user: Some("alice".into()),
            client: Some(client.parse().unwrap()),
            start,
            end: Some(start + life),
            dur_ms: Some((life / 1000) as u64),
            cause: None,
            open: Some(0),
            close: Some(1),
            traefik: None,
            orphaned_by: None,
            coarse: true,
            gateway_error: false,
            start_range: (start, start + SECOND - 1),
        }
    }

    /// Sockets of five clients about every 6 minutes over two hours around [`CHANGE`], with
    /// their Traefik twins. The starts vary by up to 96 s unless `hourly`, when each client's
    /// sockets start exactly an hour apart too. Each dispatch socket starts `shift_of(start)`
    /// after its twin, on the cluster clock as read with the offset in use. Traefik logs until
    /// `traefik_to` only. Returns the dispatch sockets, the Traefik ones and their join.
    fn run(
        shift_of: impl Fn(i64) -> i64,
        hourly: bool,
        traefik_to: i64,
    ) -> (Vec<Socket>, Vec<Socket>, Vec<Option<usize>>) {
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for i in 0..20i64 {
            for c in 0..5i64 {
                let client = format!("203.0.113.{}", c + 1);
                let jitter = if hourly {
                    0
                } else {
                    (i * 7919 + c * 104_729) % 97
                };
                let start = CHANGE - HOUR + (i * 360 + c * 37 + jitter) * SECOND;
                let life = (60 + 13 * i + 29 * c) * SECOND;
                if start <= traefik_to {
                    traefik.push(socket(&client, start, life));
                }
                dispatch.push(socket(&client, start + shift_of(start), life));
            }
        }
        let joined = join::join(&dispatch, &traefik, 0, 2 * SECOND);
        (dispatch, traefik, joined)
    }

    #[test]
    fn joined_then_off_after_change() {
        let (dispatch, traefik, joined) = run(
            |start| if start < CHANGE { 0 } else { HOUR },
            false,
            i64::MAX,
        );
        let split = find(&dispatch, &traefik, &joined, HOUR, Zone::Utc).expect("a split");
        assert!(split.joined_first);
        assert_eq!(split.shift, HOUR);
        assert!(
            split.between.0 < CHANGE && CHANGE <= split.between.1,
            "{split:?}"
        );
        assert_eq!(split.instant, Some(CHANGE));
        let names: Vec<&str> = split.zones.iter().flat_map(|(_, n)| n.clone()).collect();
        assert!(names.contains(&"Europe/Berlin"), "{names:?}");
        assert!(!split.covers(CHANGE - HOUR, CHANGE - HOUR / 2));
        assert!(split.covers(CHANGE + HOUR, CHANGE + HOUR));
    }

    #[test]
    fn off_then_joined_before_change() {
        // --skew fits the summer side, so the winter side is read an hour early.
        let (dispatch, traefik, joined) = run(
            |start| if start < CHANGE { -HOUR } else { 0 },
            false,
            i64::MAX,
        );
        let split = find(&dispatch, &traefik, &joined, 2 * HOUR, Zone::Utc).expect("a split");
        assert!(!split.joined_first);
        assert_eq!(split.shift, -HOUR);
        assert_eq!(split.instant, Some(CHANGE));
        assert!(split.covers(CHANGE - 2 * HOUR, CHANGE - 2 * HOUR));
        assert!(!split.covers(CHANGE + HOUR / 2, CHANGE + HOUR));
    }

    #[test]
    fn no_split_without_a_cut() {
        // Every socket joins.
        let (dispatch, traefik, joined) = run(|_| 0, false, i64::MAX);
        assert_eq!(find_cut(&dispatch, &traefik, &joined), None);

        // Sockets an hour off here and there, not on one side of an instant.
        let (dispatch, traefik, joined) = run(
            |start| if (start / SECOND) % 3 == 0 { HOUR } else { 0 },
            false,
            i64::MAX,
        );
        assert_eq!(find_cut(&dispatch, &traefik, &joined), None);

        // Only the last two sockets off.
        let (mut dispatch, traefik, _) = run(|_| 0, false, i64::MAX);
        dispatch.sort_by_key(|socket| socket.start);
        for socket in dispatch.iter_mut().rev().take(2) {
            socket.start += HOUR;
            socket.end = socket.end.map(|end| end + HOUR);
        }
        let joined = join::join(&dispatch, &traefik, 0, 2 * SECOND);
        assert_eq!(find_cut(&dispatch, &traefik, &joined), None);

        // Three are enough.
        let third = dispatch.len() - 3;
        dispatch[third].start += HOUR;
        dispatch[third].end = dispatch[third].end.map(|end| end + HOUR);
        let joined = join::join(&dispatch, &traefik, 0, 2 * SECOND);
        let cut = find_cut(&dispatch, &traefik, &joined).expect("a cut");
        assert!(cut.joined_first, "{cut:?}");
        assert_eq!(cut.shift, HOUR, "{cut:?}");
        assert_eq!(cut.off, 3, "{cut:?}");
    }

    #[test]
    fn no_split_past_traefik_end() {
        // Traefik stopped logging at the change, so the sockets after it have no Traefik line.
        // Each client's sockets repeat every 6 minutes and so pair with earlier Traefik lines
        // a whole hour away, but those lines joined their own dispatch sockets.
        let (dispatch, traefik, joined) = run(|_| 0, true, CHANGE);
        assert_eq!(find_cut(&dispatch, &traefik, &joined), None);
    }
}
