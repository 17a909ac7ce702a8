//! Mass-cancel bursts: many clients dropping at the same moment.
//!
//! A burst is `burst_min` or more drops of distinct clients whose times fall in the same UTC
//! second, of devvm's clock or else of the cluster's (see [`find_bursts`]). With a
//! `burst_window` wider than a second, a window of that width slides over the drops and
//! overlapping windows merge. Before dispatch logged WebSockets, the only trace of a
//! burst was `http: proxy error: context canceled` lines, so there `burst_min` cancel lines in
//! one second are a burst too. After the journal's first `ws` line they are one only with the
//! drops of one client fewer than a burst needs. When drops and cancels share a second they are
//! one burst.
//!
//! A drop timed by a CLF line (a socket only Traefik saw, or one dispatch never closed) is read
//! at the middle of the second its end can fall in. Its true time may lie in the second before
//! or after, so such a drop joins a burst of either second. Drops that make a burst only in the
//! second their times could share form one there. A whole-second cancel line covers its whole
//! second.

use super::drops::{Candidate, distinct_clients};
use super::sockets::{Socket, range_of};
use super::{Confidence, Segment};
use crate::event::{Event, EventKind};
use crate::time::{MILLI, Precision, SECOND};

/// One burst: its drops (indexes into the sorted drop candidates) and cancel lines.
#[derive(Clone, Debug)]
pub struct Burst {
    pub id: String,
    /// The time of its first and last member.
    pub start: i64,
    pub end: i64,
    pub members: Vec<usize>,
    /// Event indexes of the `context canceled` proxy errors in its seconds.
    pub cancels: Vec<usize>,
    pub clients: usize,
    pub users: Vec<Box<str>>,
    pub segment: Segment,
    pub confidence: Confidence,
    pub reason: String,
    /// Event indexes of the lines the burst's own rule rests on.
    pub evidence: Vec<usize>,
}

/// Groups drops (sorted by time) and cancel lines (event indexes in time order) into bursts.
/// `ws_logging_from` is the time of the journal's first `ws open` or `ws close` line, and
/// `journal_clock` the measured offset of devvm's clock (journal time minus cluster time).
///
/// Times are on the cluster clock, but a second is judged on the journal's first, where devvm
/// logged the closes and cancel lines. The offset is known to half a second only, so moving by
/// it could put drops logged milliseconds apart into two cluster seconds. The journal's second
/// is also the one an operator's `grep | uniq -c` over the journal counts. Drops that straddle
/// one of its seconds but share one of the cluster's are grouped by the cluster's.
#[allow(clippy::too_many_arguments)]
pub fn find_bursts(
    candidates: &[Candidate],
    sockets: &[Socket],
    events: &[Event],
    cancels: &[usize],
    burst_min: usize,
    window: i64,
    ws_logging_from: Option<i64>,
    journal_clock: i64,
) -> Vec<Burst> {
    let burst_min = burst_min.max(1);
    // Every time below is on the journal's clock until the bursts are built.
    let on_journal = |time: i64| time.saturating_add(journal_clock);
    let ws_logging_from = ws_logging_from.map(on_journal);
    let drop_times: Vec<i64> = candidates.iter().map(|c| on_journal(c.time)).collect();
    let drop_ranges: Vec<(i64, i64)> = candidates
        .iter()
        .map(|c| {
            let (from, to) = drop_range(c, &sockets[c.socket], events);
            (on_journal(from), on_journal(to))
        })
        .collect();
    let cancel_range = |i: usize| {
        let (from, to) = range_of(events[i].time, events[i].precision);
        (on_journal(from), on_journal(to))
    };
    let enough_clients = |group: &[usize]| {
        distinct_clients(group.iter().map(|&m| &sockets[candidates[m].socket])) >= burst_min
    };
    let mut found = group_times(&drop_times, window, enough_clients);
    if window <= SECOND && journal_clock != 0 {
        // Drops that straddle a second of the journal's clock may still share one of the
        // cluster's: the seconds of either clock make a burst, the journal's first.
        found.extend(group_left_out(candidates, &found, &enough_clients, window));
        found.sort_by_key(|group| drop_times[group[0]]);
    }
    if window <= SECOND {
        found.extend(group_by_range(
            &drop_times,
            &drop_ranges,
            &found,
            enough_clients,
        ));
        found.sort_by_key(|group| drop_times[group[0]]);
    }

    // Cancel lines: burst_min of them in one window are a burst, merged into a drop burst that
    // shares the window.
    let cancel_times: Vec<i64> = cancels
        .iter()
        .map(|&i| on_journal(events[i].time))
        .collect();
    let cancel_ranges: Vec<(i64, i64)> = cancels.iter().map(|&i| cancel_range(i)).collect();

    let mut merged: Vec<(i64, i64, Vec<usize>, Vec<usize>)> = found
        .into_iter()
        .map(|group| {
            (
                drop_times[group[0]],
                drop_times[group[group.len() - 1]],
                group,
                Vec::new(),
            )
        })
        .collect();
    // Each cancel line joins the drop burst it belongs to: one in the same UTC second with a
    // one-second window, else the nearest within a second of the burst's drops. A line joins
    // alone, whatever its neighbours: lines that straddle a second of the journal's clock are
    // still the burst's evidence when the burst's drops share the cluster's second. The lines
    // that join none make a burst of their own when `burst_min` of them share a window.
    // The drop bursts are in time order and do not overlap, so the ones within a second of a
    // line are found by a binary search.
    // Each burst's span from its drops' ranges, so a CLF-timed member reaches the second it may
    // lie in.
    let drop_spans: Vec<(i64, i64)> = merged
        .iter()
        .map(|b| span_of(b.2.iter().map(|&m| drop_ranges[m])))
        .collect();
    let mut leftover: Vec<usize> = Vec::new();
    for (g, &time) in cancel_times.iter().enumerate() {
        let range = cancel_ranges[g];
        let distance = |b: usize| {
            (drop_spans[b].0 - range.1)
                .max(range.0 - drop_spans[b].1)
                .max(0)
        };
        // As for drops, a second of either clock counts: a burst whose drops share one of the
        // journal's seconds keeps the lines devvm logged milliseconds before that second, when
        // they share one of the cluster's with the drops.
        let on_cluster = |(from, to): (i64, i64)| (from - journal_clock, to - journal_clock);
        let fits = |b: usize| {
            if window <= SECOND {
                overlaps(drop_spans[b], range, window)
                    || (journal_clock != 0
                        && overlaps(on_cluster(drop_spans[b]), on_cluster(range), window))
            } else {
                distance(b) <= SECOND
            }
        };
        // Spans from ranges may overlap a little, so the search starts a second early.
        let first = drop_spans.partition_point(|&(_, end)| end < range.0 - 2 * SECOND);
        let nearest = (first..drop_spans.len())
            .take_while(|&b| drop_spans[b].0 <= range.1 + SECOND)
            .filter(|&b| fits(b))
            .min_by_key(|&b| distance(b));
        match nearest {
            Some(b) => {
                let burst = &mut merged[b];
                // A line that shares only the cluster's second with the drops lies in another
                // second of the journal's clock, so it would move the burst's time across a
                // second: it counts as evidence, and the drops keep the time.
                if window > SECOND || overlaps(drop_spans[b], range, window) {
                    burst.0 = burst.0.min(time);
                    burst.1 = burst.1.max(time);
                }
                burst.3.push(cancels[g]);
            }
            None => leftover.push(g),
        }
    }
    let leftover_times: Vec<i64> = leftover.iter().map(|&g| cancel_times[g]).collect();
    for group in group_times(&leftover_times, window, |group| group.len() >= burst_min) {
        let (start, end) = (
            leftover_times[group[0]],
            leftover_times[group[group.len() - 1]],
        );
        let lines: Vec<usize> = group.iter().map(|&k| cancels[leftover[k]]).collect();
        merged.push((start, end, Vec::new(), lines));
    }
    // A burst of cancel lines alone takes the drops in its window. Before dispatch logged
    // WebSockets the cancel lines were a burst's only trace. Since then they also come from
    // ordinary HTTP requests (one closing tab cancels several), so such a burst is kept only
    // when its drops fall one client short of a burst of their own, as when a close line was
    // lost from the journal.
    let mut in_burst = vec![false; candidates.len()];
    for (_, _, members, _) in &merged {
        for &m in members {
            in_burst[m] = true;
        }
    }
    let mut confirmed = Vec::with_capacity(merged.len());
    for mut burst in merged {
        if !burst.2.is_empty() {
            confirmed.push(burst);
            continue;
        }
        // `drop_times` is sorted, and a drop in the burst's window lies within a window (or a
        // second) of its ends, so only those drops are tried.
        let reach = window.max(SECOND) + SECOND;
        let from = drop_times.partition_point(|&t| t < burst.0 - reach);
        let to = drop_times.partition_point(|&t| t <= burst.1 + reach);
        let lines = span_of(burst.3.iter().map(|&i| cancel_range(i)));
        let near: Vec<usize> = (from..to.max(from))
            .filter(|&m| !in_burst[m] && overlaps(drop_ranges[m], lines, window))
            .collect();
        let after_ws_logging = ws_logging_from.is_some_and(|from| burst.1 >= from);
        let clients = distinct_clients(near.iter().map(|&m| &sockets[candidates[m].socket]));
        if after_ws_logging && clients < burst_min.saturating_sub(1).max(2) {
            continue;
        }
        for &m in &near {
            in_burst[m] = true;
            burst.0 = burst.0.min(drop_times[m]);
            burst.1 = burst.1.max(drop_times[m]);
        }
        burst.2 = near;
        confirmed.push(burst);
    }
    let mut merged = confirmed;
    if window <= SECOND {
        absorb_ambiguous(&mut merged, &drop_ranges, &drop_times, &mut in_burst);
    }
    merged.sort_by_key(|(start, end, _, _)| (*start, *end));

    merged
        .into_iter()
        .enumerate()
        .map(|(n, (start, end, members, cancels))| {
            let mut users: Vec<Box<str>> = members
                .iter()
                .filter_map(|&m| sockets[candidates[m].socket].user.clone())
                .collect();
            users.sort();
            users.dedup();
            let clients = distinct_clients(members.iter().map(|&m| &sockets[candidates[m].socket]));
            Burst {
                id: format!("B{:03}", n + 1),
                start: start.saturating_sub(journal_clock),
                end: end.saturating_sub(journal_clock),
                members,
                cancels,
                clients,
                users,
                segment: Segment::Unknown,
                confidence: Confidence::Low,
                reason: String::new(),
                evidence: Vec::new(),
            }
        })
        .collect()
}

/// Groups the drops left out of `found` by the cluster clock's seconds, when `qualifies`
/// accepts them. Returns groups of indexes into `candidates`.
fn group_left_out(
    candidates: &[Candidate],
    found: &[Vec<usize>],
    qualifies: &impl Fn(&[usize]) -> bool,
    window: i64,
) -> Vec<Vec<usize>> {
    let mut grouped = vec![false; candidates.len()];
    for &m in found.iter().flatten() {
        grouped[m] = true;
    }
    let left_out = |group: &[usize]| -> Vec<usize> {
        group.iter().copied().filter(|&m| !grouped[m]).collect()
    };
    let cluster_times: Vec<i64> = candidates.iter().map(|c| c.time).collect();
    group_times(&cluster_times, window, |group| qualifies(&left_out(group)))
        .into_iter()
        .map(|group| left_out(&group))
        .collect()
}

/// Returns the range a drop's true time lies in. A drop timed by a CLF line (a socket only
/// Traefik saw, or one dispatch never closed) is read at the middle of its second: the
/// bracket plus 0.5 s plus the duration. It lies up to half a second either way. Other drop
/// times are exact to well under a second.
fn drop_range(candidate: &Candidate, socket: &Socket, events: &[Event]) -> (i64, i64) {
    let clf_timed = socket.close.is_none()
        && socket
            .traefik
            .is_some_and(|t| events[t].time == candidate.time && is_clf_middle(&events[t]));
    if clf_timed {
        (candidate.time - SECOND / 2, candidate.time + SECOND / 2 - 1)
    } else {
        (candidate.time, candidate.time)
    }
}

/// Tells whether a Traefik socket's time is a CLF reading: a whole-second start, and an end
/// half a second past the start plus the duration. A CLF line inside a journal takes the
/// journal's time instead.
fn is_clf_middle(event: &Event) -> bool {
    match event.kind {
        EventKind::TraefikSocket {
            start,
            start_precision: Precision::Second,
            dur_ms,
            ..
        } => {
            i64::try_from(dur_ms)
                .ok()
                .and_then(|ms| ms.checked_mul(MILLI))
                .and_then(|micros| start.checked_add(micros + SECOND / 2))
                == Some(event.time)
        }
        _ => false,
    }
}

/// Returns the span from the earliest start to the latest end of `ranges`.
fn span_of(ranges: impl Iterator<Item = (i64, i64)>) -> (i64, i64) {
    ranges
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        .unwrap_or((i64::MAX, i64::MIN))
}

/// Groups the drops left out of `found` whose ranges share a UTC second, in time order, when
/// `qualifies` accepts them: a CLF-timed mass drop whose middle readings straddle a second
/// boundary. `times` are the drops' readings, sorted, and `ranges` the ranges around them.
/// Returns groups of indexes into `times`.
fn group_by_range(
    times: &[i64],
    ranges: &[(i64, i64)],
    found: &[Vec<usize>],
    qualifies: impl Fn(&[usize]) -> bool,
) -> Vec<Vec<usize>> {
    let mut grouped = vec![false; ranges.len()];
    for &m in found.iter().flatten() {
        grouped[m] = true;
    }
    // Only a drop whose range crosses into another second can make a group the seconds of
    // the readings did not.
    let second = |t: i64| t.div_euclid(SECOND);
    // A second that has a burst already takes such drops later (`absorb_ambiguous`): a group
    // of its own there would split the burst.
    let burst_seconds: Vec<i64> = found.iter().map(|group| second(times[group[0]])).collect();
    let mut seconds: Vec<i64> = (0..ranges.len())
        .filter(|&m| !grouped[m] && second(ranges[m].0) != second(ranges[m].1))
        .flat_map(|m| [second(ranges[m].0), second(ranges[m].1)])
        .filter(|s| !burst_seconds.contains(s))
        .collect();
    seconds.sort_unstable();
    seconds.dedup();

    let mut groups = Vec::new();
    for s in seconds {
        // A range reaches at most half a second from its reading.
        let from = times.partition_point(|&t| t < s * SECOND - SECOND / 2);
        let members: Vec<usize> = (from..times.len())
            .take_while(|&m| times[m] <= (s + 1) * SECOND + SECOND / 2)
            .filter(|&m| !grouped[m] && second(ranges[m].0) <= s && s <= second(ranges[m].1))
            .collect();
        if !members.is_empty() && qualifies(&members) {
            for &m in &members {
                grouped[m] = true;
            }
            groups.push(members);
        }
    }
    groups
}

/// Adds each CLF-timed drop left out of every burst to a burst in the second before or after
/// its reading that its range reaches, so one mass drop is not split at a second boundary.
fn absorb_ambiguous(
    bursts: &mut [(i64, i64, Vec<usize>, Vec<usize>)],
    ranges: &[(i64, i64)],
    times: &[i64],
    in_burst: &mut [bool],
) {
    let second = |t: i64| t.div_euclid(SECOND);
    // The spans before any drop joins, so one joining drop does not stretch a burst's reach
    // into the next second for the drops after it.
    let spans: Vec<(i64, i64)> = bursts.iter().map(|b| (b.0, b.1)).collect();
    for m in 0..ranges.len() {
        let (lo, hi) = ranges[m];
        if in_burst[m] || second(lo) == second(hi) {
            continue;
        }
        let reaches =
            |&(start, end): &(i64, i64)| second(start) <= second(hi) && second(lo) <= second(end);
        // The nearest burst by its reading, the earlier one on a tie.
        let distance = |&(start, end): &(i64, i64)| (start - times[m]).max(times[m] - end).max(0);
        let Some(b) = (0..spans.len())
            .filter(|&b| reaches(&spans[b]))
            .min_by_key(|&b| (distance(&spans[b]), spans[b].0))
        else {
            continue;
        };
        let burst = &mut bursts[b];
        burst.0 = burst.0.min(times[m]);
        burst.1 = burst.1.max(times[m]);
        burst.2.push(m);
        burst.2.sort_unstable();
        in_burst[m] = true;
    }
}

/// Whether two time ranges fall in one burst window: the same UTC second when `window` is one
/// second, else closer than `window`.
fn overlaps(a: (i64, i64), b: (i64, i64), window: i64) -> bool {
    if window <= SECOND {
        let second = |t: i64| t.div_euclid(SECOND);
        second(a.0) <= second(b.1) && second(b.0) <= second(a.1)
    } else {
        a.0 < b.1 + window && b.0 < a.1 + window
    }
}

/// Groups sorted times into bursts. With a one-second `window`, the members of each UTC second
/// form a group when `qualifies` accepts them. With a wider window, [`Sliding`] moves the
/// window over runs of drops each less than a second after the one before, and keeps each run
/// in one group. Merging overlapping window positions instead chained a one-hour window into a
/// burst of hours.
/// Returns groups of indexes into `times`.
fn group_times(
    times: &[i64],
    window: i64,
    qualifies: impl Fn(&[usize]) -> bool,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    if window <= SECOND {
        let mut start = 0;
        while start < times.len() {
            let second = times[start].div_euclid(SECOND);
            let mut end = start;
            while end < times.len() && times[end].div_euclid(SECOND) == second {
                end += 1;
            }
            let group: Vec<usize> = (start..end).collect();
            if qualifies(&group) {
                groups.push(group);
            }
            start = end.max(start + 1);
        }
        return groups;
    }
    // Drops each less than a second after the one before are one mass drop, which the search
    // keeps whole. A run ends where it would span a whole window, so a busy hour of single
    // drops less than a second apart does not chain into one burst of minutes.
    let mut atoms: Vec<(usize, usize)> = Vec::new();
    for (i, &time) in times.iter().enumerate() {
        match atoms.last_mut() {
            Some(atom) if time - times[atom.1 - 1] < SECOND && time - times[atom.0] < window => {
                atom.1 = i + 1;
            }
            _ => atoms.push((i, i + 1)),
        }
    }
    let atom_ends: Vec<i64> = atoms.iter().map(|&(_, to)| times[to - 1]).collect();
    let sliding = Sliding {
        times,
        window,
        atoms: &atoms,
        atom_ends: &atom_ends,
    };
    sliding.groups(&qualifies, 0, atoms.len(), &mut groups);
    groups
}

/// The window search of a burst window wider than a second. It moves over atoms: runs of
/// drops each less than a second after the one before, which stay whole.
struct Sliding<'a> {
    times: &'a [i64],
    window: i64,
    /// Index ranges into `times`, in time order.
    atoms: &'a [(usize, usize)],
    /// The time of each atom's last drop.
    atom_ends: &'a [i64],
}

impl Sliding<'_> {
    /// Returns the end (exclusive) of the atoms from `first` that end inside a window
    /// starting at `first`'s first drop: `first` itself, however long, and the whole atoms
    /// after it, up to `limit`.
    fn window_end(&self, first: usize, limit: usize) -> usize {
        let close = self.times[self.atoms[first].0].saturating_add(self.window);
        first + 1 + self.atom_ends[first + 1..limit].partition_point(|&end| end < close)
    }

    /// Returns the drops of atoms `from..to` as an index range into `times`.
    fn members(&self, from: usize, to: usize) -> (usize, usize) {
        (self.atoms[from].0, self.atoms[to - 1].1)
    }

    /// Adds the groups of atoms `lo..hi` to `groups`, in time order. At the first window
    /// position that qualifies, the positions that start inside it are compared too. The one
    /// with the most drops (then the shortest span) is the group, so a drop just before a
    /// burst does not push its last members out. The atoms before the chosen group, which
    /// may overlap its window, are searched again on their own, and the search goes on after
    /// the group, so every group lies within one window (or one atom).
    fn groups(
        &self,
        qualifies: &impl Fn(&[usize]) -> bool,
        lo: usize,
        hi: usize,
        groups: &mut Vec<Vec<usize>>,
    ) {
        let qualifies_at = |(from, to): (usize, usize)| qualifies(&(from..to).collect::<Vec<_>>());
        let size = |(from, to): (usize, usize)| to - from;
        let span = |(from, to): (usize, usize)| self.times[to - 1] - self.times[from];
        let mut start = lo;
        while start < hi {
            let end = self.window_end(start, hi);
            if !qualifies_at(self.members(start, end)) {
                start += 1;
                continue;
            }
            let mut best = (start, end);
            for first in start + 1..end {
                let last = self.window_end(first, hi);
                let (candidate, chosen) = (self.members(first, last), self.members(best.0, best.1));
                let better = size(candidate) > size(chosen)
                    || (size(candidate) == size(chosen) && span(candidate) < span(chosen));
                if better && qualifies_at(candidate) {
                    best = (first, last);
                }
            }
            self.groups(qualifies, start, best.0, groups);
            let (from, to) = self.members(best.0, best.1);
            groups.push((from..to).collect());
            start = best.1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_utc_second() {
        let times = [0, 999_999, SECOND, SECOND + 1, 5 * SECOND];
        let all = group_times(&times, SECOND, |_| true);
        assert_eq!(all, vec![vec![0, 1], vec![2, 3], vec![4]]);
        let pairs = group_times(&times, SECOND, |g| g.len() >= 2);
        assert_eq!(pairs, vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn same_second_not_sliding() {
        // 0.9 s apart but in two seconds: not one burst with a one-second window.
        let times = [
            SECOND - 100_000,
            SECOND - 50_000,
            SECOND + 100_000,
            SECOND + 200_000,
        ];
        assert!(group_times(&times, SECOND, |g| g.len() >= 3).is_empty());
        assert_eq!(
            group_times(&times, 2 * SECOND, |g| g.len() >= 3),
            vec![vec![0, 1, 2, 3]]
        );
    }

    #[test]
    fn sliding_window_stays_within_window() {
        // 0 and 1.5 s, or 1.5 and 2.9 s, make a group of two, and the closer pair wins. 0 s is
        // then left alone: three members would span more than the window.
        let times = [0, 1_500_000, 2_900_000, 10 * SECOND];
        assert_eq!(
            group_times(&times, 2 * SECOND, |g| g.len() >= 2),
            vec![vec![1, 2]]
        );
        // A steady stream of members makes one group per window, not one chain.
        let stream: Vec<i64> = (0..100).map(|n| n * SECOND).collect();
        let groups = group_times(&stream, 10 * SECOND, |g| g.len() >= 5);
        assert_eq!(groups.len(), 10);
        for group in &groups {
            let span = stream[group[group.len() - 1]] - stream[group[0]];
            assert!(span < 10 * SECOND, "{group:?}");
        }
    }

    #[test]
    fn straggler_before_burst_stays_out() {
        // One drop, then six less than a second apart whose last one lies beyond the first
        // drop's window. The six stay whole, so the window from the first drop contains it
        // alone. The six are the burst, with a 2 s window and with a 5 s one.
        let cases = [
            (
                2 * SECOND,
                [
                    0, 1_000_000, 1_100_000, 1_200_000, 1_300_000, 2_000_000, 2_250_000,
                ],
            ),
            (
                5 * SECOND,
                [
                    0, 3_900_000, 4_000_000, 4_100_000, 4_200_000, 4_900_000, 5_150_000,
                ],
            ),
        ];
        for (window, times) in cases {
            assert_eq!(
                group_times(&times, window, |g| g.len() >= 5),
                vec![vec![1, 2, 3, 4, 5, 6]],
                "window {window}"
            );
        }
    }

    #[test]
    fn drops_before_the_fullest_window_form_their_own() {
        // Six drops at 0 s, seven at 240 s and seven at 700 s. A 10 min window is fullest from
        // 240 s on, and the six before it still make a burst of their own.
        let mut times: Vec<i64> = (0..6).map(|n| n * 100_000).collect();
        times.extend((0..7).map(|n| 240 * SECOND + n * 100_000));
        times.extend((0..7).map(|n| 700 * SECOND + n * 100_000));
        let groups = group_times(&times, 600 * SECOND, |g| g.len() >= 5);
        assert_eq!(
            groups,
            vec![(0..6).collect::<Vec<_>>(), (6..20).collect::<Vec<_>>()]
        );
    }

    #[test]
    fn window_never_cuts_a_mass_drop() {
        // Six drops 0.3 s apart, then eight 300 s later. A 5 min window from the third drop
        // would hold four of the six and all eight; the six stay together instead.
        let mut times: Vec<i64> = (0..6).map(|n| n * 300_000).collect();
        times.extend((0..8).map(|n| 300 * SECOND + n * 50_000));
        let groups = group_times(&times, 300 * SECOND, |g| g.len() >= 5);
        assert_eq!(
            groups,
            vec![(0..6).collect::<Vec<_>>(), (6..14).collect::<Vec<_>>()]
        );
    }

    #[test]
    fn busy_stream_does_not_chain() {
        // A drop every 0.9 s for two minutes: no 2 s window contains more than three, so there
        // is no burst of five, however long the run of drops under a second apart.
        let times: Vec<i64> = (0..134).map(|n| n * 900_000).collect();
        assert!(group_times(&times, 2 * SECOND, |g| g.len() >= 5).is_empty());
        for group in group_times(&times, 5 * SECOND, |g| g.len() >= 5) {
            let span = times[group[group.len() - 1]] - times[group[0]];
            assert!(span < 5 * SECOND, "{group:?}");
        }
    }

    /// Returns a CLF reading's range: half a second either way.
    fn clf(time: i64) -> (i64, i64) {
        (time - SECOND / 2, time + SECOND / 2 - 1)
    }

    #[test]
    fn clf_readings_group_across_a_second() {
        // Five CLF readings, two in 10 s and three in 11 s: no second contains all five
        // readings, but every range reaches 10 s.
        let times = [
            10 * SECOND + 800_000,
            10 * SECOND + 900_000,
            11 * SECOND + 100_000,
            11 * SECOND + 200_000,
            11 * SECOND + 300_000,
        ];
        let ranges: Vec<(i64, i64)> = times.iter().map(|&t| clf(t)).collect();
        assert!(group_times(&times, SECOND, |g| g.len() >= 5).is_empty());
        let groups = group_by_range(&times, &ranges, &[], |g| g.len() >= 5);
        assert_eq!(groups, vec![vec![0, 1, 2, 3, 4]]);

        // Exact times do not reach over: the same readings as points make no group.
        let points: Vec<(i64, i64)> = times.iter().map(|&t| (t, t)).collect();
        assert!(group_by_range(&times, &points, &[], |g| g.len() >= 5).is_empty());

        // A drop already in a burst is not grouped again.
        let groups = group_by_range(&times, &ranges, &[vec![0]], |g| g.len() >= 4);
        assert_eq!(groups, vec![vec![1, 2, 3, 4]]);
    }

    #[test]
    fn clf_group_leaves_a_burst_second_alone() {
        // Four readings at 10.9 s, a burst of five at 11.1 s, one reading at 12.15 s. The
        // four and the last one reach 11 s together, but 11 s has its burst, which takes
        // them later: a group of them there would split one mass drop in two.
        let mut times: Vec<i64> = vec![10 * SECOND + 900_000; 4];
        times.extend([11 * SECOND + 100_000; 5]);
        times.push(12 * SECOND + 150_000);
        let ranges: Vec<(i64, i64)> = times.iter().map(|&t| clf(t)).collect();
        let found = vec![(4..9).collect::<Vec<usize>>()];
        let groups = group_by_range(&times, &ranges, &found, |g| g.len() >= 5);
        assert_eq!(groups, Vec::<Vec<usize>>::new());
    }

    #[test]
    fn clf_stragglers_join_the_burst_they_reach() {
        // A burst of drops 0-2 in 10 s. Drop 3, read at 11.2 s, reaches back to 10.7 s and
        // joins it. Drop 4, read at 11.8 s, reaches 11.3 s at the earliest and stays out, and
        // so does drop 5, an exact time in 11 s.
        let times = [
            10 * SECOND + 100_000,
            10 * SECOND + 200_000,
            10 * SECOND + 300_000,
            11 * SECOND + 200_000,
            11 * SECOND + 800_000,
            11 * SECOND + 100_000,
        ];
        let mut ranges: Vec<(i64, i64)> = times.iter().map(|&t| clf(t)).collect();
        ranges[5] = (times[5], times[5]);
        let mut bursts = vec![(times[0], times[2], vec![0, 1, 2], Vec::new())];
        let mut in_burst = vec![true, true, true, false, false, false];
        absorb_ambiguous(&mut bursts, &ranges, &times, &mut in_burst);
        assert_eq!(bursts[0].2, vec![0, 1, 2, 3]);
        assert_eq!(bursts[0].1, times[3]);
        assert_eq!(in_burst, vec![true, true, true, true, false, false]);
    }

    #[test]
    fn overlap_rules() {
        assert!(overlaps((100, 200), (900_000, 999_999), SECOND));
        assert!(!overlaps((100, 200), (SECOND, SECOND + 5), SECOND));
        assert!(overlaps((0, 0), (SECOND, SECOND), 2 * SECOND));
    }
}
