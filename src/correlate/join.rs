//! The clock offset between devvm and the cluster, and the join of dispatch and Traefik sockets.
//!
//! Sockets are matched on the client address and the START time, never the end: while devvm is
//! frozen the browser and Traefik give up first and dispatch logs its close only when the box
//! wakes, so end times disagree exactly when it matters. A first pass pairs same-client sockets
//! whose starts lie within ±5 s. Each pair that is unique on both sides bounds the offset (devvm
//! minus cluster) to an interval, because a whole-second time stands for its whole second and a
//! dispatch open and close minus `dur_ms` narrow each other; the offset is the middle of the
//! region most pairs agree on, which the median of the pair differences would only approximate.
//! A second pass joins with that offset applied and a ±2 s tolerance, closest pairs first.
//!
//! A devvm clock more than 5 s off leaves the first pass with no true pair and a few chance
//! ones. So the first pass is centred on the start difference that most same-client pairs
//! within ±10 min agree on to the second, when that agreement clearly beats the ±5 s window.

use std::collections::HashMap;
use std::net::IpAddr;

use super::clock_change::some_zone_shifts_between;
use super::sockets::Socket;
use crate::time::SECOND;

/// The measured clock offset and how it was found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Offset {
    /// devvm minus cluster, in microseconds (positive: devvm ahead).
    pub micros: i64,
    /// `measured`, `given` (`--skew`) or `none` (no pairs to measure from).
    pub method: &'static str,
    /// The number of unique pairs it was measured from.
    pub pairs: usize,
    /// How far the true offset may lie from `micros`, either way, in microseconds.
    pub uncertainty: i64,
    /// A time-zone suspicion: the offset of the most common same-client start difference when
    /// it is a whole number of half hours.
    pub zone_hint: Option<i64>,
    /// Another whole number of half hours, up to 2 h from `zone_hint`, at which a fair share of
    /// sockets start: the journal's zone changed its offset (DST) between them, so no single
    /// `--skew` fits.
    #[serde(skip)]
    pub other_zone_hint: Option<i64>,
    /// The number of dispatch sockets that matched two or more Traefik sockets, so they could
    /// not be paired. Many of them and no pair suggest one Traefik log given twice.
    #[serde(skip)]
    pub ambiguous: usize,
    /// An instant with sockets that join at the offset on one side of it, and sockets that
    /// start a whole number of half hours off it on the other. Looked for only when
    /// `zone_hint` is not set, after the join.
    #[serde(skip)]
    pub split: Option<super::clock_split::ClockSplit>,
    /// A step of devvm's clock in the middle of the journal, found after the join.
    #[serde(skip)]
    pub step: Option<super::clock_step::ClockStep>,
}

/// Settings of the join.
#[derive(Clone, Copy, Debug)]
pub struct JoinOptions {
    /// The first pass's window, ±.
    pub first_pass: i64,
    /// The join's tolerance after the offset is applied, ±.
    pub tolerance: i64,
    /// `--skew`, when the user set the offset.
    pub skew: Option<i64>,
}

impl Default for JoinOptions {
    fn default() -> Self {
        JoinOptions {
            first_pass: 5 * SECOND,
            tolerance: 2 * SECOND,
            skew: None,
        }
    }
}

/// Tells whether a dispatch socket and a Traefik socket can be one connection. A request for
/// which Traefik returned a 502, 503 or 504 never got an upgrade. So a dispatch socket that was
/// still open when the journal ended (not closed, not orphaned by a restart) is a later
/// connection of the same browser. So is one that lived more than `GATEWAY_SLACK_MS` longer
/// than Traefik's request took.
pub(super) fn can_pair(dispatch: &Socket, traefik: &Socket) -> bool {
    /// How much longer than the failed request a dispatch socket may have been logged open:
    /// dispatch logs a failed dial's open and close at once, and a stalled devvm can log that
    /// close 5 s or more late.
    const GATEWAY_SLACK_MS: u64 = 10_000;

    if !traefik.gateway_error {
        return true;
    }
    if dispatch.end.is_none() && dispatch.orphaned_by.is_none() {
        return false;
    }
    match (dispatch.dur_ms, traefik.dur_ms) {
        (Some(lived), Some(request)) => lived <= request.saturating_add(GATEWAY_SLACK_MS),
        _ => true,
    }
}

/// Returns the comparable start of a socket: the middle of its second when its time is whole
/// seconds.
pub(super) fn start_of(socket: &Socket) -> i64 {
    if socket.coarse {
        socket.start + SECOND / 2
    } else {
        socket.start
    }
}

/// Traefik sockets by client, each client's in order of comparable start, so the sockets near a
/// time are found by binary search. Scanning all of a client's sockets for each dispatch socket
/// was quadratic over days of logs.
pub(super) struct ByClient<'a> {
    sockets: &'a [Socket],
    map: HashMap<Option<IpAddr>, Vec<usize>>,
}

impl<'a> ByClient<'a> {
    pub(super) fn new(sockets: &'a [Socket]) -> ByClient<'a> {
        let mut map: HashMap<Option<IpAddr>, Vec<usize>> = HashMap::new();
        for (index, socket) in sockets.iter().enumerate() {
            if socket.client.is_some() {
                map.entry(socket.client).or_default().push(index);
            }
        }
        for list in map.values_mut() {
            list.sort_by_key(|&i| (start_of(&sockets[i]), i));
        }
        ByClient { sockets, map }
    }

    /// Returns the sockets of `client` whose comparable start lies in `[at - reach, at + reach]`.
    pub(super) fn near(&self, client: Option<IpAddr>, at: i64, reach: i64) -> &[usize] {
        let Some(list) = self.map.get(&client) else {
            return &[];
        };
        let start = |i: &usize| start_of(&self.sockets[*i]);
        let lo = list.partition_point(|i| start(i) < at.saturating_sub(reach));
        let hi = list.partition_point(|i| start(i) <= at.saturating_add(reach));
        &list[lo..hi.max(lo)]
    }
}

/// Measures the clock offset from dispatch sockets (devvm clock) and Traefik sockets (cluster
/// clock).
pub fn measure_offset(dispatch: &[Socket], traefik: &[Socket], options: &JoinOptions) -> Offset {
    let traefik_by_client = ByClient::new(traefik);
    if let Some(skew) = options.skew {
        let (zone_hint, other_zone_hint) = zone_hints(dispatch, &traefik_by_client, skew);
        return Offset {
            micros: skew,
            method: "given",
            pairs: 0,
            uncertainty: 0,
            zone_hint,
            other_zone_hint,
            ambiguous: 0,
            split: None,
            step: None,
        };
    }
    let center = wide_offset(dispatch, &traefik_by_client, options.first_pass);
    let (intervals, ambiguous) =
        pair_intervals(dispatch, &traefik_by_client, center, options.first_pass);
    let Some((lo, hi)) = densest_region(&intervals) else {
        let (zone_hint, other_zone_hint) = zone_hints(dispatch, &traefik_by_client, 0);
        return Offset {
            micros: 0,
            method: "none",
            pairs: 0,
            uncertainty: 0,
            zone_hint,
            other_zone_hint,
            ambiguous,
            split: None,
            step: None,
        };
    };
    // An offset within its own uncertainty of zero is no offset: applying it would only move
    // whole-second times into the previous or next second.
    let middle = lo + (hi - lo) / 2;
    let micros = if lo <= 0 && 0 <= hi { 0 } else { middle };
    let (zone_hint, other_zone_hint) = zone_hints(dispatch, &traefik_by_client, micros);
    Offset {
        micros,
        method: "measured",
        pairs: intervals.len(),
        uncertainty: (hi - lo) / 2,
        zone_hint,
        other_zone_hint,
        ambiguous,
        split: None,
        step: None,
    }
}

/// Pairs each dispatch socket with the same-client Traefik sockets whose start differs from its
/// own by `center`, ± `first_pass`. Returns, for each pair unique on both sides, the interval
/// the offset lies in, and the number of dispatch sockets with two or more matches.
pub(super) fn pair_intervals(
    dispatch: &[Socket],
    traefik_by_client: &ByClient,
    center: i64,
    first_pass: i64,
) -> (Vec<(i64, i64)>, usize) {
    let traefik = traefik_by_client.sockets;
    let mut candidates_of_traefik: HashMap<usize, usize> = HashMap::new();
    let mut pairs: Vec<(usize, usize, i64)> = Vec::new();
    let mut ambiguous = 0;
    for (d, socket) in dispatch.iter().enumerate() {
        let list = traefik_by_client.near(socket.client, start_of(socket) - center, first_pass);
        let matches: Vec<(usize, i64)> = list
            .iter()
            .filter(|&&t| can_pair(socket, &traefik[t]))
            .map(|&t| (t, start_of(socket) - start_of(&traefik[t])))
            .filter(|(_, diff)| (diff - center).abs() <= first_pass)
            .collect();
        for (t, _) in &matches {
            *candidates_of_traefik.entry(*t).or_default() += 1;
        }
        match matches[..] {
            [(t, diff)] => pairs.push((d, t, diff)),
            [_, _, ..] => ambiguous += 1,
            [] => {}
        }
    }
    let intervals: Vec<(i64, i64)> = pairs
        .iter()
        .filter(|(_, t, _)| candidates_of_traefik.get(t) == Some(&1))
        .map(|(d, t, _)| {
            let (d, t) = (dispatch[*d].start_range, traefik[*t].start_range);
            (d.0 - t.1 - LATENCY_SLACK, d.1 - t.0 + LATENCY_SLACK)
        })
        .collect();
    (intervals, ambiguous)
}

/// How far the wide search looks for a clock offset, either way. Beyond it lie time-zone
/// mistakes, which `zone_hint` names instead.
const WIDE_SEARCH: i64 = 600 * SECOND;

/// Looks for a clock offset beyond the first pass's window: the whole-second start difference
/// (±1 s) that the most same-client pairs within `WIDE_SEARCH` agree on. Returns it when at
/// least three pairs agree, it lies outside `first_pass`, and more than twice as many pairs
/// agree on it as on any difference inside `first_pass`. Otherwise returns 0.
fn wide_offset(dispatch: &[Socket], traefik_by_client: &ByClient, first_pass: i64) -> i64 {
    let traefik = traefik_by_client.sockets;
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for socket in dispatch {
        let list = traefik_by_client.near(socket.client, start_of(socket), WIDE_SEARCH);
        for &t in list.iter().filter(|&&t| can_pair(socket, &traefik[t])) {
            let diff = start_of(socket) - start_of(&traefik[t]);
            *votes.entry(diff.div_euclid(SECOND)).or_default() += 1;
        }
    }
    // Each second with its neighbours, so an offset on a second's edge is not split in two.
    let support = |second: i64| -> usize {
        (second - 1..=second + 1)
            .map(|s| votes.get(&s).copied().unwrap_or(0))
            .sum()
    };
    let best = votes
        .keys()
        .map(|&second| (support(second), -second.abs(), second))
        .max();
    let near_best = votes
        .keys()
        .filter(|&&second| (second * SECOND).abs() <= first_pass)
        .map(|&second| support(second))
        .max()
        .unwrap_or(0);
    match best {
        Some((count, _, second))
            if count >= 3 && (second * SECOND).abs() > first_pass && count > 2 * near_best =>
        {
            second * SECOND + SECOND / 2
        }
        _ => 0,
    }
}

/// Allowed difference between Traefik's start and dispatch's, beyond the clocks: dispatch logs
/// `ws open` a few milliseconds after Traefik received the request.
const LATENCY_SLACK: i64 = 50_000;

/// Returns the region covered by the most intervals (`[lo, hi]`, inclusive). When several
/// disjoint regions tie, the one nearest the median of the interval middles wins, so a few
/// outlier pairs cannot move the estimate.
pub(super) fn densest_region(intervals: &[(i64, i64)]) -> Option<(i64, i64)> {
    if intervals.is_empty() {
        return None;
    }
    // Sweep the ends: +1 at a start, -1 just after an end.
    let mut points: Vec<(i64, i32)> = Vec::with_capacity(intervals.len() * 2);
    for &(lo, hi) in intervals {
        points.push((lo, 1));
        points.push((hi + 1, -1));
    }
    points.sort_unstable();
    let mut depth = 0;
    let mut best_depth = 0;
    let mut regions: Vec<(i64, i64)> = Vec::new();
    for (i, &(at, change)) in points.iter().enumerate() {
        depth += change;
        let next = points.get(i + 1).map(|p| p.0);
        // A region runs from this point to the next one, when they differ.
        let Some(next) = next.filter(|n| *n > at) else {
            continue;
        };
        if depth > best_depth {
            best_depth = depth;
            regions.clear();
        }
        if depth == best_depth && depth > 0 {
            match regions.last_mut() {
                Some(last) if last.1 + 1 == at => last.1 = next - 1,
                _ => regions.push((at, next - 1)),
            }
        }
    }
    let mut middles: Vec<i64> = intervals
        .iter()
        .map(|(lo, hi)| lo + (hi - lo) / 2)
        .collect();
    middles.sort_unstable();
    let median = middles[middles.len() / 2];
    regions
        .into_iter()
        .min_by_key(|(lo, hi)| (lo + (hi - lo) / 2 - median).abs())
}

/// Looks for a clock offset of whole half hours, the sign of a time-zone mistake. It is the
/// whole number of half hours at which most dispatch sockets have a same-client Traefik start
/// (within 10 s). It counts only when it is not zero, at least three sockets have it, and more
/// sockets have it than have a pair at zero or at `measured` (the offset measured or given).
/// Each socket votes once
/// for each offset, however many Traefik lines it pairs with there: a client's retry storm
/// gives one socket hundreds of chance pairs, which must not outvote the sockets that agree
/// on the offset in use.
///
/// Returns it with a second whole number of half hours, up to 2 h from it, as on the two sides
/// of a DST change: at least two sockets have only the one and at least two only the other,
/// all of each group start before all of the other, and some zone changes its offset by their
/// difference between the groups. A client that reconnects every hour pairs at every whole
/// hour from each socket, so its sockets have both and show no change. At the ends of the
/// input they have only some of those hours, because the last hour's own Traefik lines may not
/// be logged yet. Such end groups look like the two sides of a change, and the zone test rules
/// them out on dates when no zone changes.
fn zone_hints(
    dispatch: &[Socket],
    traefik_by_client: &ByClient,
    measured: i64,
) -> (Option<i64>, Option<i64>) {
    const HALF_HOUR: i64 = 1800 * SECOND;
    const CLOSE: i64 = 10 * SECOND;
    let traefik = traefik_by_client.sockets;
    // Each socket's start and the half hours it pairs at.
    let mut supports: Vec<(i64, Vec<i64>)> = Vec::new();
    let mut near_measured = 0usize;
    for socket in dispatch {
        let start = start_of(socket);
        let mut halves: Vec<i64> = Vec::new();
        let mut at_measured = false;
        for &t in traefik_by_client.near(socket.client, start, 15 * 3600 * SECOND) {
            let diff = start - start_of(&traefik[t]);
            at_measured |= (diff - measured).abs() <= CLOSE;
            let rounded = (diff as f64 / HALF_HOUR as f64).round() as i64;
            // Only differences within 10 s of a whole half hour vote.
            if (diff - rounded * HALF_HOUR).abs() <= CLOSE && !halves.contains(&rounded) {
                halves.push(rounded);
            }
        }
        near_measured += usize::from(at_measured);
        if !halves.is_empty() {
            supports.push((start, halves));
        }
    }
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for (_, halves) in &supports {
        for &half in halves {
            *votes.entry(half).or_default() += 1;
        }
    }
    let Some((&best, &count)) = votes.iter().max_by_key(|(k, n)| (**n, -k.abs())) else {
        return (None, None);
    };
    let zero = votes.get(&0).copied().unwrap_or(0);
    let beaten = count <= zero || (measured != 0 && count <= near_measured);
    if best == 0 || count < 3 || beaten {
        return (None, None);
    }
    let mut others: Vec<(i64, usize)> = votes
        .iter()
        .filter(|&(&k, _)| k != best && k != 0 && (k - best).abs() <= 4)
        .map(|(&k, &n)| (k, n))
        .collect();
    // Most votes first, then the nearer to zero, then the smaller: one order whatever the
    // map's.
    others.sort_by_key(|&(k, n)| (std::cmp::Reverse(n), k.abs(), k));
    let other = others
        .into_iter()
        .find(|&(k, _)| sides_of_a_change(&supports, best, k))
        .map(|(k, _)| k * HALF_HOUR);
    (Some(best * HALF_HOUR), other)
}

/// Tells whether the sockets that pair only at half hour `a` and those that pair only at `b`
/// are at least two each and lie on either side of one moment, as a DST change splits them,
/// and some zone changes its offset by `b - a` half hours within their span.
fn sides_of_a_change(supports: &[(i64, Vec<i64>)], a: i64, b: i64) -> bool {
    const HALF_HOUR: i64 = 1800 * SECOND;
    let starts = |only: i64, not: i64| -> Vec<i64> {
        supports
            .iter()
            .filter(|(_, halves)| halves.contains(&only) && !halves.contains(&not))
            .map(|(start, _)| *start)
            .collect()
    };
    let (only_a, only_b) = (starts(a, b), starts(b, a));
    if only_a.len() < 2 || only_b.len() < 2 {
        return false;
    }
    let span = |starts: &[i64]| {
        (
            *starts.iter().min().expect("two or more"),
            *starts.iter().max().expect("two or more"),
        )
    };
    let ((a_first, a_last), (b_first, b_last)) = (span(&only_a), span(&only_b));

    if !(a_last < b_first || b_last < a_first) {
        return false;
    }

    // The change lies within the two groups' span, taken back to the cluster clock (a socket
    // that pairs at `a` starts `a` half hours from its Traefik line). Not only between the
    // groups: a socket opened before the change and closed after it pairs at the later offset,
    // because its start was read from its close and `dur_ms`.
    let first = (a_first - a * HALF_HOUR).min(b_first - b * HALF_HOUR);
    let last = (a_last - a * HALF_HOUR).max(b_last - b * HALF_HOUR);
    some_zone_shifts_between(first, last, (b - a) * HALF_HOUR)
}

/// Joins dispatch sockets with Traefik sockets once the offset is known. Returns, for each
/// dispatch socket, the index of its Traefik socket.
pub fn join(
    dispatch: &[Socket],
    traefik: &[Socket],
    offset: i64,
    tolerance: i64,
) -> Vec<Option<usize>> {
    let traefik_by_client = ByClient::new(traefik);
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for (d, socket) in dispatch.iter().enumerate() {
        let list = traefik_by_client.near(socket.client, start_of(socket) - offset, tolerance);
        for &t in list.iter().filter(|&&t| can_pair(socket, &traefik[t])) {
            let distance = (start_of(socket) - offset - start_of(&traefik[t])).abs();
            if distance <= tolerance {
                pairs.push((distance, d, t));
            }
        }
    }
    // Closest pairs first; ties broken by index so the result is deterministic.
    pairs.sort_unstable();
    let mut of_dispatch = vec![None; dispatch.len()];
    let mut taken = vec![false; traefik.len()];
    for (_, d, t) in pairs {
        if of_dispatch[d].is_none() && !taken[t] {
            of_dispatch[d] = Some(t);
            taken[t] = true;
        }
    }
    of_dispatch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(client: &str, start_ms: i64, coarse: bool) -> Socket {
        Socket {
            user: None,
            client: Some(client.parse().unwrap()),
            start: start_ms * 1000,
            end: None,
            dur_ms: None,
            cause: None,
            open: None,
            close: None,
            traefik: None,
            orphaned_by: None,
            coarse,
            gateway_error: false,
            start_range: if coarse {
                (start_ms * 1000, start_ms * 1000 + SECOND - 1)
            } else {
                (start_ms * 1000, start_ms * 1000)
            },
        }
    }

    #[test]
    fn refused_request_pairs_no_open_socket() {
        // Traefik returned a 502 for a request that started at 1 s, and the browser's next socket
        // opened at 3 s and is still open. They are two connections, so neither an offset nor
        // a join comes of them.
        let mut traefik = socket("203.0.113.7", 1_000, true);
        traefik.end = Some(4_000_000);
        traefik.gateway_error = true;
        let open = socket("203.0.113.7", 3_000, true);
        let options = JoinOptions::default();
        let offset = measure_offset(
            std::slice::from_ref(&open),
            std::slice::from_ref(&traefik),
            &options,
        );
        assert_eq!((offset.method, offset.micros), ("none", 0));
        assert_eq!(
            join(
                std::slice::from_ref(&open),
                std::slice::from_ref(&traefik),
                0,
                5 * SECOND
            ),
            vec![None]
        );

        // A dispatch socket closed at once (a refused dial to the serve) is that same request.
        let mut closed = open;
        closed.start = 1_000_000;
        closed.end = Some(1_004_000);
        assert_eq!(join(&[closed], &[traefik], 0, 2 * SECOND), vec![Some(0)]);
    }

    #[test]
    fn refused_request_pairs_no_long_socket() {
        // A 502 that took 34 ms, and a dispatch socket of the same client that lived 20 minutes
        // (a wrong --skew brings them together): not one connection.
        let mut traefik = socket("203.0.113.22", 1_000, true);
        traefik.dur_ms = Some(34);
        traefik.end = Some(1_034_000);
        traefik.gateway_error = true;
        let mut long = socket("203.0.113.22", 1_000, true);
        long.dur_ms = Some(1_194_454);
        long.end = Some(1_195_454_000);
        assert_eq!(
            join(
                std::slice::from_ref(&long),
                std::slice::from_ref(&traefik),
                0,
                2 * SECOND
            ),
            vec![None]
        );

        // A failed dial logged a few seconds late by a stalled devvm still pairs.
        let mut late = long;
        late.dur_ms = Some(6_000);
        late.end = Some(7_000_000);
        assert_eq!(join(&[late], &[traefik], 0, 2 * SECOND), vec![Some(0)]);
    }

    #[test]
    fn wide_search_finds_large_skews() {
        // Offsets past the first pass's ±5 s, either way, with whole-second times. Each client
        // opens a socket about every 20 s, so chance pairs sit near zero too.
        for skew_ms in [-7_000i64, 12_500, 60_000, -290_000] {
            let mut dispatch = Vec::new();
            let mut traefik = Vec::new();
            for i in 0..30i64 {
                let client = format!("203.0.113.{}", i % 5 + 1);
                let true_start_ms = 1_000_000 + i * 4_237 + i * i * 7_919 % 3_001;
                dispatch.push(socket(
                    &client,
                    (true_start_ms + skew_ms) / 1000 * 1000,
                    true,
                ));
                traefik.push(socket(&client, true_start_ms / 1000 * 1000, true));
            }
            let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
            assert_eq!(offset.method, "measured", "{skew_ms} ms");
            assert!(
                (offset.micros - skew_ms * 1000).abs() <= 600_000,
                "{skew_ms} ms: {offset:?}"
            );
        }
    }

    #[test]
    fn zone_hint_yields_to_measured_offset() {
        // devvm 200 s behind, measured from 20 pairs. Three chance pairs of one client sit
        // half an hour apart; they are no time-zone mistake.
        let mut dispatch = Vec::new();
        let mut traefik = Vec::new();
        for i in 0..20i64 {
            let client = format!("203.0.113.{}", i + 1);
            let start_ms = 1_000_000 + i * 61_237;
            dispatch.push(socket(&client, (start_ms - 200_000) / 1000 * 1000, true));
            traefik.push(socket(&client, start_ms / 1000 * 1000, true));
        }
        for k in 0..3i64 {
            let start_ms = 1_000_000 + k * 61_237 - 200_000 + 1_800_000;
            traefik.push(socket(
                &format!("203.0.113.{}", k + 1),
                start_ms / 1000 * 1000,
                true,
            ));
        }
        let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
        assert!(
            (offset.micros + 200 * SECOND).abs() <= 600_000,
            "{offset:?}"
        );
        assert_eq!(offset.zone_hint, None, "{offset:?}");
    }

    #[test]
    fn wide_search_keeps_small_offsets() {
        // No skew: the first pass's own window wins, so nothing moves.
        let mut dispatch = Vec::new();
        let mut traefik = Vec::new();
        for i in 0..30i64 {
            let client = format!("203.0.113.{}", i % 5 + 1);
            let start_ms = 1_000_000 + i * 4_237;
            dispatch.push(socket(&client, start_ms / 1000 * 1000, true));
            traefik.push(socket(&client, start_ms / 1000 * 1000, true));
        }
        let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
        assert_eq!(offset.micros, 0, "{offset:?}");
    }

    #[test]
    fn measures_skew_of_one_and_a_half_seconds() {
        // devvm 1.5 s ahead; both sides truncated to whole seconds.
        let mut dispatch = Vec::new();
        let mut traefik = Vec::new();
        for i in 0..40i64 {
            let true_start_ms = 1_000_000 + i * 61_237;
            let client = format!("203.0.113.{}", i + 1);
            let devvm_ms = (true_start_ms + 1500) / 1000 * 1000;
            let cluster_ms = true_start_ms / 1000 * 1000;
            dispatch.push(socket(&client, devvm_ms, true));
            traefik.push(socket(&client, cluster_ms, true));
        }
        let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
        assert_eq!(offset.method, "measured");
        assert_eq!(offset.pairs, 40);
        assert!((offset.micros - 1_500_000).abs() <= 100_000, "{offset:?}");
        // Starts alone (no close to narrow them) pin the offset to within about half a second.
        assert!(offset.uncertainty <= 600_000, "{offset:?}");
        let joined = join(&dispatch, &traefik, offset.micros, 2 * SECOND);
        assert!(
            joined.iter().enumerate().all(|(i, t)| *t == Some(i)),
            "{joined:?}"
        );
    }

    #[test]
    fn densest_region_ignores_outliers() {
        let intervals = [(0, 10), (5, 15), (8, 20), (100, 110)];
        assert_eq!(densest_region(&intervals), Some((8, 10)));
        assert_eq!(densest_region(&[]), None);
        assert_eq!(densest_region(&[(3, 3)]), Some((3, 3)));
    }

    const HOUR_MS: i64 = 3_600_000;

    /// Returns the zone hints of dispatch and Traefik sockets given as (client, start ms).
    fn hints(dispatch: &[(String, i64)], traefik: &[(String, i64)]) -> (Option<i64>, Option<i64>) {
        let dispatch: Vec<Socket> = dispatch.iter().map(|(c, t)| socket(c, *t, true)).collect();
        let traefik: Vec<Socket> = traefik.iter().map(|(c, t)| socket(c, *t, true)).collect();
        zone_hints(&dispatch, &ByClient::new(&traefik), 0)
    }

    #[test]
    fn dst_change_gives_two_hints() {
        // devvm's journal read in UTC while devvm ran New York time: its sockets start 5 h
        // before their Traefik lines until the spring-forward (2026-03-08 07:00 UTC), and 4 h
        // after it.
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for i in 0..12i64 {
            let client = format!("203.0.113.{}", i + 1);
            let at = SPRING_FORWARD_MS - 55 * 60_000 + i * 600_000;
            let local = if i < 6 { -5 } else { -4 };
            traefik.push((client.clone(), at));
            dispatch.push((client, at + local * HOUR_MS));
        }
        let (first, second) = hints(&dispatch, &traefik);
        let mut both = [first.unwrap(), second.expect("a second offset")];
        both.sort_unstable();
        assert_eq!(both, [-5 * HOUR_MS * 1000, -4 * HOUR_MS * 1000]);
    }

    /// 2026-03-08 07:00 UTC, when New York springs forward, in milliseconds.
    const SPRING_FORWARD_MS: i64 = 1_772_953_200_000;

    #[test]
    fn open_across_change_keeps_dst_hint() {
        // The socket that opened at 06:55, before the spring-forward, was open across it. Its
        // start was read from its close and `dur_ms`, so it pairs at the later offset, and the
        // later group begins before the change.
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for i in 0..12i64 {
            let client = format!("203.0.113.{}", i + 1);
            let at = SPRING_FORWARD_MS - 55 * 60_000 + i * 600_000;
            let local = if i < 5 { -5 } else { -4 };
            traefik.push((client.clone(), at));
            dispatch.push((client, at + local * HOUR_MS));
        }
        let (_, second) = hints(&dispatch, &traefik);
        assert!(second.is_some(), "no second offset");
    }

    #[test]
    fn offsets_an_hour_apart_need_a_zone_change() {
        // The sockets of the dst_change_gives_two_hints case, on a day no zone changes its
        // offset (2026-06-10): the two groups are chance, not the two sides of a change.
        let june = 1_781_118_000_000;
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for i in 0..12i64 {
            let client = format!("203.0.113.{}", i + 1);
            let at = june + i * 600_000;
            let local = if i < 6 { -5 } else { -4 };
            traefik.push((client.clone(), at));
            dispatch.push((client, at + local * HOUR_MS));
        }
        assert_eq!(hints(&dispatch, &traefik).1, None);
    }

    #[test]
    fn hourly_reconnects_at_ends_no_change() {
        // Clients that reconnect at the same minute every hour, journal times 2 h behind, on
        // 2026-06-10. Two clients have a socket in a last, partial hour, still open at the
        // end, so Traefik has not logged it: it pairs only with earlier hours (-1 h and more
        // ahead). The first hour's sockets pair only with their own and later hours (-2 h and
        // more behind). The two ends look like the two sides of a change.
        let june = 1_781_118_000_000;
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for c in 0..4i64 {
            let client = format!("203.0.113.{}", c + 1);
            for h in 0..5i64 {
                let at = june + h * HOUR_MS + c * 60_000;
                if h == 4 && c >= 2 {
                    continue;
                }
                if h < 4 {
                    traefik.push((client.clone(), at));
                }
                dispatch.push((client.clone(), at - 2 * HOUR_MS));
            }
        }
        assert_eq!(
            hints(&dispatch, &traefik),
            (Some(-2 * HOUR_MS * 1000), None)
        );
    }

    #[test]
    fn hourly_reconnects_show_no_dst_change() {
        // Journal times 2 h ahead all day, and clients that reconnect every hour: each socket
        // also pairs with its neighbours' Traefik lines an hour away, but no change splits them.
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for c in 0..3i64 {
            let client = format!("203.0.113.{}", c + 1);
            for h in 0..8i64 {
                let at = 10 * HOUR_MS + h * HOUR_MS + c * 1000;
                traefik.push((client.clone(), at));
                dispatch.push((client.clone(), at + 2 * HOUR_MS));
            }
        }
        assert_eq!(hints(&dispatch, &traefik), (Some(2 * HOUR_MS * 1000), None));
    }

    #[test]
    fn retry_storm_does_not_outvote_true_pairs() {
        // Every dispatch socket pairs with its own Traefik line at 0. Half an hour before, a
        // dispatch outage left 4 Traefik 502s a second from the same client: each socket has
        // dozens of chance pairs near +0.5 h, but one vote there, as at 0.
        let client = "203.0.113.7".to_string();
        let (mut dispatch, mut traefik) = (Vec::new(), Vec::new());
        for i in 0..20i64 {
            let at = 1_800_000 + i * 1000;
            traefik.push((client.clone(), at));
            dispatch.push((client.clone(), at));
        }
        for i in 0..240i64 {
            traefik.push((client.clone(), i * 250));
        }
        assert_eq!(hints(&dispatch, &traefik), (None, None));
    }

    #[test]
    fn zone_mistake_is_hinted() {
        let mut dispatch = Vec::new();
        let mut traefik = Vec::new();
        for i in 0..5i64 {
            let client = format!("203.0.113.{}", i + 1);
            dispatch.push(socket(&client, 10_000_000 + i * 100_000 + 7_200_000, false));
            traefik.push(socket(&client, 10_000_000 + i * 100_000, false));
        }
        let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
        assert_eq!(offset.method, "none");
        assert_eq!(offset.zone_hint, Some(7200 * SECOND));
    }

    #[test]
    fn doubled_traefik_log_is_named() {
        let mut dispatch = Vec::new();
        let mut traefik = Vec::new();
        for i in 0..5i64 {
            let client = format!("203.0.113.{}", i + 1);
            let start_ms = 1_000_000 + i * 61_237;
            dispatch.push(socket(&client, start_ms, true));
            // The same log in two forms: each request appears twice.
            traefik.push(socket(&client, start_ms, true));
            traefik.push(socket(&client, start_ms + 300, true));
        }
        let offset = measure_offset(&dispatch, &traefik, &JoinOptions::default());
        assert_eq!(offset.method, "none");
        assert_eq!(offset.ambiguous, 5);
    }

    #[test]
    fn given_skew_wins() {
        let options = JoinOptions {
            skew: Some(-3 * SECOND),
            ..JoinOptions::default()
        };
        let offset = measure_offset(&[], &[], &options);
        assert_eq!(offset.micros, -3 * SECOND);
        assert_eq!(offset.method, "given");
    }

    #[test]
    fn join_is_one_to_one() {
        let dispatch = vec![
            socket("203.0.113.7", 10_000, false),
            socket("203.0.113.7", 10_500, false),
        ];
        let traefik = vec![socket("203.0.113.7", 10_400, false)];
        let joined = join(&dispatch, &traefik, 0, 2 * SECOND);
        assert_eq!(joined, vec![None, Some(0)]);
    }
}
