//! A step of devvm's clock in the middle of the journal, as NTP (chronyd, systemd-timesyncd)
//! makes when the clock is seconds to minutes off.
//!
//! Before the step, journal times are off the cluster's by one offset, and after it by
//! another. One measured offset fits one side only, so the other side's dispatch sockets join
//! no Traefik line. Each of their drops then shows twice, once from Traefik alone at the true
//! time and once from dispatch at the shifted time. A drop read against the cluster's lines of
//! another moment can be put on the user's network. A socket open across the step splits too,
//! because its close minus `dur_ms` misses its open by the step.
//!
//! The sockets show the step. After the join at the measured offset, the dispatch sockets that
//! joined were logged on one side of a journal line. Those logged on the other side did not
//! join, and they start a constant number of seconds off a same-client Traefik line that
//! joined no dispatch socket. That constant is the step. The line is pinned by the jump of the
//! journal's own times between two lines near it. The journal times of the off side are then
//! moved by the step, so that one offset fits the whole journal.

use std::collections::HashMap;

use super::clock_split::clear_cut;
use super::join::{
    ByClient, JoinOptions, Offset, can_pair, densest_region, join, measure_offset, pair_intervals,
    start_of,
};
use super::sockets::{self, Socket};
use crate::event::{Event, EventKind, Origin, Source};
use crate::parse::{Activity, SecondSet};
use crate::time::SECOND;

/// The smallest step looked for is just past the join's tolerance. The largest is 25 minutes:
/// a whole number of half hours is a zone mistake or a DST change, which the zone hints and
/// [`super::clock_split`] name.
const MAX_STEP: i64 = 25 * 60 * SECOND;
/// The minimum number of sockets on each side of the step.
const MIN_SIDE: usize = 3;
/// The number of most supported step sizes tried.
const CANDIDATES: usize = 5;
/// The maximum number of same-client Traefik lines within [`MAX_STEP`] of a socket that lets
/// the socket vote.
const MAX_CANDIDATES: usize = 100;

/// A step of devvm's clock between two journal lines.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockStep {
    /// How far devvm's clock moved at the step, in microseconds: negative when it was set back.
    pub shift: i64,
    /// The clock offsets (devvm minus cluster) before and after the step, in microseconds, as
    /// measured from each side's sockets.
    pub before: i64,
    pub after: i64,
    /// The dispatch sockets logged before the step that join Traefik at `before`, and those
    /// logged after it that join at `after`.
    pub sockets_before: usize,
    pub sockets_after: usize,
    /// Closed dispatch sockets logged on the side that did not join, which do not start
    /// `shift` off a Traefik line either.
    pub unmatched: usize,
    /// The first journal line after the step.
    pub line: Origin,
    /// Set when the journal's times jump by the step between `line` and the line before it.
    /// Otherwise the step lies somewhere after `last_before`, the last socket line of the
    /// earlier side, and `line` is the first socket line of the later side.
    pub exact: bool,
    pub last_before: Origin,
    /// The journal times of the last line before the step and of `line`, on devvm's clock.
    pub devvm_before: i64,
    pub devvm_after: i64,
    /// Whether the sockets that joined at the offset measured first were logged before the
    /// step.
    pub joined_first: bool,
    /// Set once the journal times of one side were moved by the step: the closed dispatch
    /// sockets joined to Traefik before and after the move.
    pub corrected: Option<(usize, usize)>,
}

/// The step that the sockets show, before its line is pinned.
#[derive(Clone, Debug, PartialEq)]
struct Cut {
    joined_first: bool,
    /// The off side's start difference from Traefik minus the offset in use, rounded down to
    /// whole seconds.
    second: i64,
    joined: usize,
    off: usize,
    unmatched: usize,
    /// The last socket line of the earlier side and the first of the later side.
    last_before: Origin,
    first_after: Origin,
}

/// Returns the journal line that gives a socket's start: its `ws open`, or else its `ws close`.
fn socket_line(socket: &Socket, events: &[Event]) -> Option<Origin> {
    socket.open.or(socket.close).map(|i| events[i].origin)
}

/// The order of candidate cuts, best first: sockets on the wrong side, off sockets (most
/// first), unmatched sockets on the off side, the step's size and the step.
type Rank = (usize, std::cmp::Reverse<usize>, usize, i64, i64);

/// Looks for a step among `dispatch` sockets (on devvm's clock) and their join `joined_to`
/// with `traefik` at `offset`. A socket that joined is on the joined side. A closed one that
/// did not is on the off side for each whole second (with its neighbours) at which it starts more than
/// `tolerance` and at most [`MAX_STEP`] off a same-client Traefik socket that joined no
/// dispatch socket. For each second, among the most supported, the journal line that puts the
/// most joined sockets on one side and off sockets on the other wins. A step needs three
/// sockets on each side, at most one in twenty on the wrong side of the line, and at least
/// half of the off side's unjoined closed sockets at the step.
fn find_cut(
    events: &[Event],
    dispatch: &[Socket],
    traefik: &[Socket],
    joined_to: &[Option<usize>],
    offset: i64,
    tolerance: i64,
) -> Option<Cut> {
    if traefik.is_empty() {
        return None;
    }
    let by_client = ByClient::new(traefik);
    // A socket open across the step splits in two: its open (never closed) joins its Traefik
    // line on the open's side, and its close (with no open) starts the step off that line on
    // the other side. So a Traefik line that an unclosed socket joined stays free for a close
    // without an open. Each Traefik line's entry is `Some(closed)` when a dispatch socket
    // joined it, with whether that socket was closed.
    let mut joined_by = vec![None; traefik.len()];
    for (socket, t) in dispatch.iter().zip(joined_to) {
        if let Some(t) = *t {
            joined_by[t] = Some(socket.close.is_some());
        }
    }

    let mut joined: Vec<Origin> = Vec::new();
    // The unjoined closed sockets' lines, each with the whole seconds it starts off an untaken
    // Traefik line.
    let mut unjoined: Vec<(Origin, Vec<i64>)> = Vec::new();
    for (index, socket) in dispatch.iter().enumerate() {
        let Some(line) = socket_line(socket, events) else {
            continue;
        };
        if joined_to.get(index).copied().flatten().is_some() {
            joined.push(line);
            continue;
        }
        // A socket still open has no Traefik line yet. One whose close dispatch never logged
        // (a restart or a reboot orphaned it) pairs with other sockets' lines of its client as
        // well as with its own. So only closed sockets show a step.
        if socket.close.is_none() {
            continue;
        }
        let close_only = socket.open.is_none();
        let start = start_of(socket) - offset;
        let candidates = by_client.near(socket.client, start, MAX_STEP);
        // A client that retried in a storm has a Traefik line every second or so, which puts
        // its sockets off at every step.
        if candidates.len() > MAX_CANDIDATES {
            continue;
        }
        let mut seconds: Vec<i64> = Vec::new();
        for &t in candidates {
            let free = match joined_by[t] {
                None => true,
                Some(by_closed) => close_only && !by_closed,
            };
            if !free || !can_pair(socket, &traefik[t]) {
                continue;
            }
            let diff = start - start_of(&traefik[t]);
            let second = diff.div_euclid(SECOND);
            if diff.abs() > tolerance && !seconds.contains(&second) {
                seconds.push(second);
            }
        }
        unjoined.push((line, seconds));
    }
    if joined.len() < MIN_SIDE || unjoined.len() < MIN_SIDE {
        return None;
    }
    joined.sort_unstable();

    // Each socket supports a second once, with its neighbours, so a step on a second's edge
    // is not split in two.
    let near = |seconds: &[i64], second: i64| seconds.iter().any(|s| (s - second).abs() <= 1);
    let mut support: HashMap<i64, usize> = HashMap::new();
    for (_, seconds) in &unjoined {
        let mut reached: Vec<i64> = seconds.iter().flat_map(|&s| [s - 1, s, s + 1]).collect();
        reached.sort_unstable();
        reached.dedup();
        for second in reached {
            *support.entry(second).or_default() += 1;
        }
    }
    let mut supported: Vec<(usize, i64)> = support
        .into_iter()
        .filter(|&(_, count)| count >= MIN_SIDE)
        .map(|(second, count)| (count, second))
        .collect();
    supported.sort_by_key(|&(support, second)| (std::cmp::Reverse(support), second.abs(), second));
    supported.truncate(CANDIDATES);

    let mut best: Option<(Rank, Cut)> = None;
    for &(_, second) in &supported {
        let mut off: Vec<Origin> = Vec::new();
        let mut others: Vec<Origin> = Vec::new();
        for (line, seconds) in &unjoined {
            if near(seconds, second) {
                off.push(*line);
            } else {
                others.push(*line);
            }
        }
        off.sort_unstable();
        for joined_first in [true, false] {
            let (earlier, later) = if joined_first {
                (&joined, &off)
            } else {
                (&off, &joined)
            };
            let Some((errors, at, kept_earlier, kept_later)) = clear_cut(earlier, later, MIN_SIDE)
            else {
                continue;
            };
            let last_before = earlier[kept_earlier - 1];
            let first_after = later[later.len() - kept_later];
            // A step splits one journal: sockets of two inputs may not be in one order.
            if last_before.input != first_after.input {
                continue;
            }
            let (joined_count, off_count) = if joined_first {
                (kept_earlier, kept_later)
            } else {
                (kept_later, kept_earlier)
            };
            let on_off_side = |line: &Origin| (*line >= at) == joined_first;
            let unmatched = others.iter().filter(|line| on_off_side(line)).count();
            if unmatched > off_count {
                continue;
            }
            let rank = (
                errors,
                std::cmp::Reverse(off_count),
                unmatched,
                second.abs(),
                second,
            );
            if best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank) {
                let cut = Cut {
                    joined_first,
                    second,
                    joined: joined_count,
                    off: off_count,
                    unmatched,
                    last_before,
                    first_after,
                };
                best = Some((rank, cut));
            }
        }
    }
    best.map(|(_, cut)| cut)
}

/// Measures the clock offset (devvm minus cluster) of the sockets logged on one side of a
/// step, near `estimate`, as the offset measurement does. That is the region that the most
/// pairs unique on both sides agree on, within the first pass's window around `estimate`. Returns
/// the whole second nearest the region's middle when the region reaches it, so that
/// whole-second journal times stay whole once moved, else the middle. Returns `estimate`
/// when no pair measures it.
fn side_offset(sockets: &[Socket], traefik: &[Socket], estimate: i64) -> i64 {
    let by_client = ByClient::new(traefik);
    let window = JoinOptions::default().first_pass;
    let (intervals, _) = pair_intervals(sockets, &by_client, estimate, window);
    let Some((lo, hi)) = densest_region(&intervals) else {
        return estimate;
    };
    let middle = lo + (hi - lo) / 2;
    let whole = (middle as f64 / SECOND as f64).round() as i64 * SECOND;
    if (lo..=hi).contains(&whole) {
        whole
    } else {
        middle
    }
}

/// Looks for a step of devvm's clock (see [`find_cut`]) and pins its journal line (see
/// [`pin_line`]). `events` are sorted by time, with journal times on devvm's clock, and
/// `offset` is the offset the join used.
pub fn find(
    events: &[Event],
    dispatch: &[Socket],
    traefik: &[Socket],
    joined_to: &[Option<usize>],
    offset: i64,
    tolerance: i64,
) -> Option<ClockStep> {
    let cut = find_cut(events, dispatch, traefik, joined_to, offset, tolerance)?;

    // Each side's own offset, from its own sockets.
    let side = |before: bool| -> Vec<Socket> {
        dispatch
            .iter()
            .filter(|socket| {
                socket_line(socket, events).is_some_and(|line| (line <= cut.last_before) == before)
            })
            .cloned()
            .collect()
    };
    let off_estimate = offset + cut.second * SECOND + SECOND / 2;
    let off_offset = side_offset(&side(!cut.joined_first), traefik, off_estimate);
    let (before, after) = if cut.joined_first {
        (offset, off_offset)
    } else {
        (off_offset, offset)
    };
    let shift = after - before;
    if shift.abs() <= tolerance {
        return None;
    }

    let (line, last_before, exact, devvm_before, devvm_after) = pin_line(events, &cut, shift)?;
    let (sockets_before, sockets_after) = if cut.joined_first {
        (cut.joined, cut.off)
    } else {
        (cut.off, cut.joined)
    };
    Some(ClockStep {
        shift,
        before,
        after,
        sockets_before,
        sockets_after,
        unmatched: cut.unmatched,
        line,
        exact,
        last_before,
        devvm_before,
        devvm_after,
        joined_first: cut.joined_first,
        corrected: None,
    })
}

/// Pins the step between the two sides' sockets to the pair of journal lines (in write
/// order) whose times differ by the step, give or take the journal's own spacing. The pair is
/// two lines the parser kept, or a line that the parser marked for a silence of at least
/// `--gap-min` since the line before it in the file (a step back shows as one too). Returns the first line after the
/// step, the last one known before it (the marked line itself when a silence mark pins the
/// step in an oldest-first export), whether
/// the step is pinned to one line, and the two lines' times on devvm's clock.
/// Without such a pair, the step lies somewhere between the two sides' sockets.
///
fn pin_line(events: &[Event], cut: &Cut, shift: i64) -> Option<(Origin, Origin, bool, i64, i64)> {
    let mut lines: Vec<&Event> = events
        .iter()
        .filter(|e| e.source == Source::Journal && !e.estimated)
        .filter(|e| cut.last_before <= e.origin && e.origin <= cut.first_after)
        .collect();
    lines.sort_by_key(|e| e.origin);
    let time_of = |origin: Origin| lines.iter().find(|e| e.origin == origin).map(|e| e.time);
    let close_to_shift = |moved: i64| (moved - shift).abs() < shift.abs() / 2;

    // A silence mark gives the jump from the line just before it in the file. In a
    // newest-first export that line is the next one written, so the mark sits on the last line
    // before the jump.
    let marked = lines.iter().find_map(|e| {
        let EventKind::JournalSilence { seconds, after } = e.kind else {
            return None;
        };
        let in_file = if after { seconds } else { -seconds } * SECOND;
        if !e.origin.is_newest_first() {
            return (e.origin > cut.last_before && close_to_shift(in_file))
                .then(|| (e.origin, e.origin, true, e.time - in_file, e.time));
        }
        let mut next = Origin::new(e.origin.input, e.origin.line().checked_sub(1)?);
        next.set_newest_first();
        (next <= cut.first_after && close_to_shift(-in_file))
            .then(|| (next, e.origin, true, e.time, e.time - in_file))
    });
    if marked.is_some() {
        return marked;
    }
    let jump = lines
        .windows(2)
        .filter(|pair| pair[0].origin != pair[1].origin)
        .map(|pair| {
            (
                (pair[1].time - pair[0].time - shift).abs(),
                pair[0],
                pair[1],
            )
        })
        .filter(|(miss, _, _)| *miss < shift.abs() / 2)
        .min_by_key(|(miss, _, next)| (*miss, next.origin));
    match jump {
        Some((_, previous, next)) => Some((
            next.origin,
            previous.origin,
            next.origin.line() == previous.origin.line() + 1,
            previous.time,
            next.time,
        )),
        None => Some((
            cut.first_after,
            cut.last_before,
            false,
            time_of(cut.last_before)?,
            time_of(cut.first_after)?,
        )),
    }
}

impl ClockStep {
    /// Tells whether a journal line lies on the side that did not join at the offset measured
    /// first.
    fn off_side(&self, origin: Origin) -> bool {
        origin.input == self.line.input && (origin >= self.line) == self.joined_first
    }

    /// Returns the amount that the off side's journal times move by to read on the joined
    /// side's clock.
    fn correction(&self) -> i64 {
        if self.joined_first {
            self.shift
        } else {
            -self.shift
        }
    }

    /// Moves the journal times of the off side by the step, so that one clock offset fits the
    /// whole journal, and sorts `events` again.
    ///
    /// NOTE: only the lines of the input that the step was found in move. Another journal
    /// input of the same devvm (a second export) keeps its times.
    pub fn move_off_side(&self, events: &mut [Event]) {
        let correction = self.correction();
        for event in events.iter_mut() {
            if event.source == Source::Journal && self.off_side(event.origin) {
                event.time -= correction;
            }
        }
        events.sort_by_key(|e| (e.time, e.origin));
    }

    /// Moves the off side's seconds in the journal activity of the step's input by the step.
    /// A second that either side could have logged is kept where it is and added moved too.
    /// After a step back both sides logged the same clock seconds. When the step's line is not
    /// pinned, the lines between the two places may be on either side.
    pub fn move_activity(&self, activity: &mut Activity) {
        let correction = self.correction();
        let moved_seconds = (correction as f64 / SECOND as f64).round() as i64;
        let last_before = self.devvm_before.div_euclid(SECOND);
        let first_after = self.devvm_after.div_euclid(SECOND);
        // Whether a second may be the off side's, and whether it may be the joined side's.
        let sides = |second: i64| {
            let before_only = second <= last_before && second < first_after;
            let after_only = second >= first_after && second > last_before;
            let (off_only, joined_only) = if self.joined_first {
                (after_only, before_only)
            } else {
                (before_only, after_only)
            };
            (!joined_only, !off_only)
        };
        for (key, track) in activity.tracks.iter_mut() {
            if key.source != Source::Journal || key.input != self.line.input {
                continue;
            }
            let mut seconds = SecondSet::default();
            for second in track.seconds.iter() {
                let (off, joined) = sides(second);
                if off {
                    seconds.insert(second - moved_seconds);
                }
                if joined {
                    seconds.insert(second);
                }
            }
            track.seconds = seconds;
            let readings = |time: i64| {
                let (off, joined) = sides(time.div_euclid(SECOND));
                [off.then_some(time - correction), joined.then_some(time)]
            };
            let first = readings(track.first).into_iter().flatten().min();
            let last = readings(track.last).into_iter().flatten().max();
            track.first = first.unwrap_or(track.first);
            track.last = last.unwrap_or(track.last);
        }
    }

    /// Describes the step in a few words: `stepped back by 60 s`, or `moved back by 3 s` when
    /// no journal line jumps by it, as a clock slewed gradually (chronyd's usual correction)
    /// or drifting moves.
    pub fn size(&self) -> String {
        let word = if self.shift < 0 { "back" } else { "forward" };
        let verb = if self.exact { "stepped" } else { "moved" };
        format!("{verb} {word} by {}", format_duration(self.shift.abs()))
    }

    /// Describes where the step is, with the input's name.
    fn place(&self, input: &str) -> String {
        if self.exact {
            format!(
                "at {input}:{}, whose time {} follows {} on the line before it",
                self.line.line(),
                crate::time::format_seconds(self.devvm_after),
                crate::time::format_seconds(self.devvm_before),
            )
        } else {
            format!(
                "between {input}:{} and {input}:{}",
                self.last_before.line(),
                self.line.line()
            )
        }
    }

    /// Says why a row's verdict is weakened when the step was not corrected, for its reason.
    pub fn note(&self) -> String {
        format!(
            "devvm's clock {} during the journal and only one side's sockets join Traefik, so \
             devvm's lines and the cluster's may not be from the same moment (see the warning)",
            self.size()
        )
    }

    /// Tells whether `[from, to]` (cluster clock, at the offset measured first) reaches the
    /// side whose sockets did not join.
    pub fn covers(&self, from: i64, to: i64) -> bool {
        let joined_offset = if self.joined_first {
            self.before
        } else {
            self.after
        };
        if self.joined_first {
            to >= self.devvm_before - joined_offset + self.shift.min(0)
        } else {
            from <= self.devvm_after - joined_offset + self.shift.max(0)
        }
    }

    /// Describes the step for a warning: its size and direction, its line in `input`, the
    /// sockets that show it, and what was done about it.
    pub fn warning(&self, input: &str) -> String {
        let evidence = format!(
            "devvm's clock {} {}: the {} dispatch socket(s) logged before the step start {} \
             their Traefik lines, and the {} logged after it {} theirs",
            self.size(),
            self.place(input),
            self.sockets_before,
            format_offset(self.before),
            self.sockets_after,
            format_offset(self.after),
        );
        match self.corrected {
            Some((was, now)) => format!(
                "{evidence}. The journal times {} it were moved by {} so that one clock offset \
                 fits both sides: {now} closed dispatch socket(s) join Traefik, {was} before the \
                 move. Check the step against chronyd's or systemd-timesyncd's lines in the \
                 journal{}",
                if self.joined_first { "from" } else { "before" },
                format_signed(-self.correction()),
                if self.exact {
                    ""
                } else {
                    "; no line between the two jumps by the step, so the clock may have drifted \
                     or been slewed gradually, and the lines between them were taken as logged \
                     before it, so their times can be off by up to the step"
                },
            ),
            None => format!(
                "{evidence}. Moving one side by the step did not join its sockets, so the \
                 offset in use fits one side only: rows on the other side are low confidence \
                 and none claims the last mile. Run each side with its own --skew (--since, \
                 --until)"
            ),
        }
    }
}

/// Describes an offset against a Traefik line: `60.0 s after`, or `within 0.5 s of`.
fn format_offset(micros: i64) -> String {
    if micros.abs() < SECOND / 2 {
        "within 0.5 s of".to_string()
    } else {
        let word = if micros > 0 { "after" } else { "before" };
        format!(
            "{:.1} s {word}",
            micros.unsigned_abs() as f64 / SECOND as f64
        )
    }
}

/// Formats a signed amount of time: `-60 s`, `+5 min 2 s`.
fn format_signed(micros: i64) -> String {
    let sign = if micros < 0 { '-' } else { '+' };
    format!("{sign}{}", format_duration(micros.abs()))
}

/// Formats a duration to the second: `60 s`, `5 min 2 s`.
fn format_duration(micros: i64) -> String {
    let seconds = (micros as f64 / SECOND as f64).round() as i64;
    if seconds < 120 {
        format!("{seconds} s")
    } else if seconds % 60 == 0 {
        format!("{} min", seconds / 60)
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}

/// The dispatch and Traefik sockets of a run, the clock offset measured from them, and their
/// join at that offset.
pub struct Joined {
    pub dispatch: Vec<Socket>,
    pub traefik: Vec<Socket>,
    pub offset: Offset,
    /// For each dispatch socket, the index of its Traefik socket.
    pub joined_to: Vec<Option<usize>>,
}

impl Joined {
    /// Builds the sockets of `events` (sorted by time, journal times on devvm's clock),
    /// measures the offset and joins them.
    pub fn of(events: &[Event], options: &JoinOptions) -> Joined {
        let dispatch = sockets::dispatch_sockets(events, options.tolerance);
        let traefik = sockets::traefik_sockets(events);
        let offset = measure_offset(&dispatch, &traefik, options);
        let joined_to = join(&dispatch, &traefik, offset.micros, options.tolerance);
        Joined {
            dispatch,
            traefik,
            offset,
            joined_to,
        }
    }

    /// Counts the closed dispatch sockets that joined a Traefik line.
    fn closed_joined(&self) -> usize {
        self.dispatch
            .iter()
            .zip(&self.joined_to)
            .filter(|(socket, traefik)| socket.end.is_some() && traefik.is_some())
            .count()
    }
}

/// Looks for a step of devvm's clock in `joined` and, when there is one, moves the off side's
/// journal times (in `events` and `activity`) by it and joins again. The move is kept when the
/// offset measured again agrees with the joined side's and at least [`MIN_SIDE`] more closed
/// sockets join. Either way the step is kept in the offset, for the warning and, when not
/// moved, for the clock doubt.
pub fn correct(
    events: &mut Vec<Event>,
    activity: &mut Activity,
    joined: &mut Joined,
    options: &JoinOptions,
) {
    if joined.offset.zone_hint.is_some() {
        return;
    }
    let Some(mut step) = find(
        events,
        &joined.dispatch,
        &joined.traefik,
        &joined.joined_to,
        joined.offset.micros,
        options.tolerance,
    ) else {
        return;
    };
    let joined_offset = if step.joined_first {
        step.before
    } else {
        step.after
    };
    let mut moved_events = events.clone();
    step.move_off_side(&mut moved_events);
    let moved = Joined::of(&moved_events, options);
    let (was, now) = (joined.closed_joined(), moved.closed_joined());
    let agrees = moved.offset.method != "none"
        && moved.offset.zone_hint.is_none()
        && (moved.offset.micros - joined_offset).abs() <= options.tolerance;
    if agrees && now >= was + MIN_SIDE {
        step.corrected = Some((was, now));
        step.move_activity(activity);
        *events = moved_events;
        *joined = moved;
    }
    joined.offset.step = Some(step);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Precision;

    /// 2026-06-10T19:00:00Z.
    const START: i64 = 1_781_118_000 * SECOND;

    fn journal_event(line: u64, time: i64, kind: EventKind) -> Event {
        Event {
            time,
            precision: Precision::Second,
            source: Source::Journal,
            origin: Origin::new(0, line),
            pod: None,
            kind,
            text: "".into(),
            estimated: false,
            host: None,
        }
    }

    fn socket(client: &str, start: i64, open: usize) -> Socket {
        let start = start.div_euclid(SECOND) * SECOND;
        let life = 40 * SECOND;
        Socket {
            user: Some("alice".into()),
            client: Some(client.parse().unwrap()),
            start,
            end: Some(start + life),
            dur_ms: Some((life / 1000) as u64),
            cause: None,
            open: Some(open),
            close: Some(open),
            traefik: None,
            orphaned_by: None,
            coarse: true,
            gateway_error: false,
            start_range: (start, start + SECOND - 1),
        }
    }

    /// A run of `count` sockets of five clients, one every 61.3 s, each with its Traefik twin.
    /// devvm's clock reads `clock_of(i)` ahead of the cluster for socket `i`. Each socket's
    /// `ws open` is journal line `10 i + 1`, and a line every 10 s of devvm's clock follows
    /// it. When `mark` is set, the parser's mark of a silence (or step back) of at least
    /// `--gap-min` sits on the first line after a step of at least 30 s.
    struct Run {
        events: Vec<Event>,
        dispatch: Vec<Socket>,
        traefik: Vec<Socket>,
    }

    fn build_run(count: i64, clock_of: impl Fn(i64) -> i64, mark: bool) -> Run {
        let (mut events, mut dispatch, mut traefik) = (Vec::new(), Vec::new(), Vec::new());
        let mut previous: Option<i64> = None;
        for i in 0..count {
            let client = format!("203.0.113.{}", i % 5 + 1);
            let true_start = START + i * 61_300_000;
            let clock = clock_of(i);
            let line = 10 * i as u64 + 1;
            let devvm = (true_start + clock).div_euclid(SECOND) * SECOND;
            let step = previous.map_or(0, |p| devvm - p);
            if mark && step.abs() >= 30 * SECOND {
                let kind = EventKind::JournalSilence {
                    seconds: step.abs() / SECOND,
                    after: step > 0,
                };
                events.push(journal_event(line, devvm, kind));
            }
            let open = EventKind::WsOpen {
                user: "alice".into(),
                client: Some(client.parse().unwrap()),
            };
            events.push(journal_event(line, devvm, open));
            dispatch.push(socket(&client, devvm, events.len() - 1));
            for k in 1..=5 {
                let filler = EventKind::HostBoot;
                events.push(journal_event(
                    line + k,
                    devvm + k as i64 * 10 * SECOND,
                    filler,
                ));
            }
            previous = Some(devvm + 50 * SECOND);
            traefik.push(socket(&client, true_start, 0));
        }
        for t in traefik.iter_mut() {
            t.open = None;
            t.close = None;
        }
        events.sort_by_key(|e| (e.time, e.origin));
        // The sockets' event indexes after the sort.
        for socket in dispatch.iter_mut() {
            let start = socket.start;
            socket.open = events
                .iter()
                .position(|e| e.time == start && matches!(e.kind, EventKind::WsOpen { .. }));
            socket.close = socket.open;
        }
        Run {
            events,
            dispatch,
            traefik,
        }
    }

    /// Measures the offset, joins and looks for a step, as the analysis does.
    fn step_of(run: &Run) -> Option<ClockStep> {
        let options = JoinOptions::default();
        let offset = measure_offset(&run.dispatch, &run.traefik, &options);
        let joined_to = join(
            &run.dispatch,
            &run.traefik,
            offset.micros,
            options.tolerance,
        );
        find(
            &run.events,
            &run.dispatch,
            &run.traefik,
            &joined_to,
            offset.micros,
            options.tolerance,
        )
    }

    #[test]
    fn step_back_pinned_to_marked_line() {
        // 60 s ahead for the first 8 sockets, then on time: the 16 after the step set the
        // offset.
        let run = build_run(24, |i| if i < 8 { 60 * SECOND } else { 0 }, true);
        let step = step_of(&run).expect("a step");
        assert_eq!(step.shift, -60 * SECOND, "{step:?}");
        assert_eq!((step.before, step.after), (60 * SECOND, 0), "{step:?}");
        assert_eq!((step.sockets_before, step.sockets_after), (8, 16));
        assert!(step.exact, "{step:?}");
        assert_eq!(step.line.line(), 81);
        assert!(!step.joined_first);
        assert_eq!(step.size(), "stepped back by 60 s");
    }

    #[test]
    fn step_forward_found_either_side() {
        // 45 s behind after the first 16 sockets, which set the offset: the later side is off.
        let run = build_run(24, |i| if i < 16 { 0 } else { -45 * SECOND }, true);
        let step = step_of(&run).expect("a step");
        assert_eq!(step.shift, -45 * SECOND, "{step:?}");
        assert!(step.joined_first);
        assert_eq!(step.line.line(), 161);
        assert!(step.exact, "{step:?}");

        // 20 s behind before the 8th socket: a step forward, too small for a silence mark. No
        // line shows the jump, so it reads as a move, which a gradual slew would give too.
        let run = build_run(24, |i| if i < 8 { -20 * SECOND } else { 0 }, false);
        let step = step_of(&run).expect("a step");
        assert_eq!(step.shift, 20 * SECOND, "{step:?}");
        assert!(!step.exact, "{step:?}");
        assert_eq!(step.size(), "moved forward by 20 s");
    }

    #[test]
    fn unpinned_step_lies_between_socket_lines() {
        // 12 s ahead, then on time: the journal's own spacing hides a jump that small, so the
        // step lies between the last socket line before it and the first after it.
        let run = build_run(24, |i| if i < 10 { 12 * SECOND } else { 0 }, false);
        let step = step_of(&run).expect("a step");
        assert_eq!(step.shift, -12 * SECOND, "{step:?}");
        assert!(!step.exact, "{step:?}");
        assert_eq!((step.last_before.line(), step.line.line()), (91, 101));
    }

    #[test]
    fn no_step_without_two_sides() {
        // A steady skew joins every socket at the measured offset.
        let steady = build_run(24, |_| 3 * SECOND, true);
        assert_eq!(step_of(&steady), None);

        // Sockets 60 s off here and there, not on one side of a line.
        let scattered = build_run(24, |i| if i % 3 == 0 { 60 * SECOND } else { 0 }, true);
        assert_eq!(step_of(&scattered), None);

        // Two sockets off at the end are too few.
        let two = build_run(24, |i| if i >= 22 { 60 * SECOND } else { 0 }, true);
        assert_eq!(step_of(&two), None);

        // Three are enough.
        let three = build_run(24, |i| if i >= 21 { 60 * SECOND } else { 0 }, true);
        let step = step_of(&three).expect("a step");
        assert_eq!(step.sockets_after, 3, "{step:?}");
    }

    #[test]
    fn no_step_from_whole_hours() {
        // A clock an hour ahead after the step is a zone mistake or a DST change, which the
        // zone hints and the split name instead.
        let run = build_run(24, |i| if i < 12 { 0 } else { 3600 * SECOND }, true);
        assert_eq!(step_of(&run), None);
    }

    fn step(shift: i64, joined_first: bool, exact: bool) -> ClockStep {
        // The line before the step at 19:30:00 on devvm's clock, the first after it at
        // 19:30:01 plus the step.
        let devvm_before = START + 1800 * SECOND;
        ClockStep {
            shift,
            before: if joined_first { 0 } else { -shift },
            after: if joined_first { shift } else { 0 },
            sockets_before: 5,
            sockets_after: 5,
            unmatched: 0,
            line: Origin::new(0, 100),
            exact,
            last_before: Origin::new(0, if exact { 100 } else { 90 }),
            devvm_before,
            devvm_after: devvm_before + SECOND + shift,
            joined_first,
            corrected: None,
        }
    }

    #[test]
    fn off_side_lines_move() {
        // Back 60 s at line 100 with the later side joined: the earlier lines move back.
        let back = step(-60 * SECOND, false, true);
        let mut events = vec![
            journal_event(99, START + 1800 * SECOND, EventKind::HostBoot),
            journal_event(100, START + 1741 * SECOND, EventKind::HostBoot),
            journal_event(101, START + 1742 * SECOND, EventKind::HostBoot),
        ];
        events.sort_by_key(|e| (e.time, e.origin));
        back.move_off_side(&mut events);
        let moved: Vec<(u64, i64)> = events
            .iter()
            .map(|e| (e.origin.line(), (e.time - START) / SECOND))
            .collect();
        assert_eq!(moved, vec![(99, 1740), (100, 1741), (101, 1742)]);
    }

    #[test]
    fn off_side_seconds_move() {
        let seconds_after = |step: &ClockStep, seconds: &[i64]| -> Vec<i64> {
            let mut activity = Activity::default();
            for &s in seconds {
                activity.record(0, Source::Journal, None, START + s * SECOND);
            }
            step.move_activity(&mut activity);
            let (_, track) = activity.tracks.iter().next().unwrap();
            track.seconds.iter().map(|s| s - START / SECOND).collect()
        };

        // Back 5 s after 1800 with the later side joined: 1796..=1800 were logged by both
        // sides, so they are kept and moved.
        let back = step(-5 * SECOND, false, true);
        assert_eq!(
            seconds_after(&back, &[1790, 1796, 1798, 1800, 1801, 1805]),
            vec![1785, 1791, 1793, 1795, 1796, 1798, 1800, 1801, 1805]
        );

        // Forward 20 s after 1800 with the earlier side joined: the later seconds move back
        // and close the silence.
        let forward = step(20 * SECOND, true, true);
        assert_eq!(
            seconds_after(&forward, &[1795, 1800, 1821, 1825]),
            vec![1795, 1800, 1801, 1805]
        );
    }

    #[test]
    fn doubt_covers_off_side_only() {
        // Forward 20 s after 19:30:00, the earlier side joined at offset 0: the later side's
        // rows lie from 19:30:01 on the cluster clock.
        let forward = step(20 * SECOND, true, true);
        let at = START + 1800 * SECOND;
        assert!(!forward.covers(at - 600 * SECOND, at - 60 * SECOND));
        assert!(forward.covers(at + 30 * SECOND, at + 60 * SECOND));

        // Back 60 s, the later side joined: the earlier side's rows lie before it.
        let back = step(-60 * SECOND, false, true);
        assert!(back.covers(at - 600 * SECOND, at - 560 * SECOND));
        assert!(!back.covers(at + 60 * SECOND, at + 90 * SECOND));
    }

    #[test]
    fn only_uncorrected_step_doubts_offset() {
        use crate::correlate::rules::ClockDoubt;

        let mut offset = measure_offset(&[], &[], &JoinOptions::default());
        let mut back = step(-60 * SECOND, false, true);
        offset.step = Some(back.clone());
        let doubt = ClockDoubt::of(&offset).expect("a doubt");
        assert!(
            doubt.note().contains("stepped back by 60 s"),
            "{}",
            doubt.note()
        );
        assert!(
            back.warning("journal.log")
                .contains("rows on the other side are low confidence"),
            "{}",
            back.warning("journal.log")
        );

        back.corrected = Some((7, 15));
        offset.step = Some(back.clone());
        assert!(ClockDoubt::of(&offset).is_none());
        let warning = back.warning("journal.log");
        assert!(warning.contains("at journal.log:100"), "{warning}");
        assert!(warning.contains("moved by -60 s"), "{warning}");
        assert!(
            warning.contains("15 closed dispatch socket(s) join"),
            "{warning}"
        );
    }

    #[test]
    fn durations_in_words() {
        for (micros, words) in [
            (8 * SECOND, "8 s"),
            (119 * SECOND + SECOND / 3, "119 s"),
            (300 * SECOND, "5 min"),
            (302 * SECOND, "5 min 2 s"),
        ] {
            assert_eq!(format_duration(micros), words);
        }
        assert_eq!(format_signed(-60 * SECOND), "-60 s");
        assert_eq!(format_offset(SECOND / 4), "within 0.5 s of");
        assert_eq!(format_offset(-45 * SECOND), "45.0 s before");
    }
}
