//! Pairing: which expected row goes with which row of this run, and the common time offset
//! that pairs all unpaired rows when only the times moved.

use std::collections::HashMap;

use super::{DUR_TOLERANCE_MS, DropRow, Field, TIME_TOLERANCE};

/// The fields rows are paired on, besides time and duration: user, client IP and, when
/// [`pair_rows`] is asked for it, the segment (else an empty string).
type PairKey<'a> = (&'a str, &'a str, &'a str);

fn pair_key(row: &DropRow, same_segment: bool) -> PairKey<'_> {
    let segment = if same_segment {
        row.segment.as_str()
    } else {
        ""
    };
    (&row.user, &row.client_ip, segment)
}

/// Returns how far apart two durations are, or `None` when they are too far apart to pair
/// (or only one is known).
fn dur_gap(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.abs_diff(b)).filter(|gap| *gap <= DUR_TOLERANCE_MS),
        (None, None) => Some(0),
        _ => None,
    }
}

/// Pairs rows of `expected` with rows of `actual` one to one, and returns the partner of each
/// expected row as an index into `actual`. Rows pair when user and client IP are equal (and the
/// segment, with `same_segment`), the actual time is at most [`TIME_TOLERANCE`] from the
/// expected time plus `offset`, and durations are at most [`DUR_TOLERANCE_MS`] apart. Each
/// expected row, in time order, takes the nearest unpaired candidate (by time, then duration),
/// so the order of either list does not matter.
pub(super) fn pair_rows(
    expected: &[&DropRow],
    actual: &[&DropRow],
    offset: i64,
    same_segment: bool,
) -> Vec<Option<usize>> {
    let mut expected_order: Vec<usize> = (0..expected.len()).collect();
    expected_order.sort_by_key(|&i| expected[i].time);

    // Candidate indexes into `actual` by pairing key, each list in time order.
    let mut candidates: HashMap<PairKey, Vec<usize>> = HashMap::new();
    for (i, row) in actual.iter().enumerate() {
        candidates
            .entry(pair_key(row, same_segment))
            .or_default()
            .push(i);
    }
    for list in candidates.values_mut() {
        list.sort_by_key(|&i| actual[i].time);
    }

    let mut paired = vec![false; actual.len()];
    let mut partners = vec![None; expected.len()];
    for e in expected_order {
        let expected_row = expected[e];
        let target = expected_row.time.saturating_add(offset);
        let nearest = candidates
            .get(&pair_key(expected_row, same_segment))
            .and_then(|list| {
                list.iter()
                    .copied()
                    .filter(|&i| !paired[i])
                    .filter_map(|i| {
                        // A file without the dur_ms column pairs on time alone.
                        let dur = if expected_row.has(Field::Duration) {
                            dur_gap(expected_row.dur_ms, actual[i].dur_ms)?
                        } else {
                            0
                        };
                        Some((actual[i].time.abs_diff(target), dur, i))
                    })
                    .filter(|&(gap, _, _)| gap <= TIME_TOLERANCE.unsigned_abs())
                    .min()
            });
        if let Some((_, _, i)) = nearest {
            paired[i] = true;
            partners[e] = Some(i);
        }
    }
    partners
}

/// Finds one time offset at which the missing rows pair one to one with the extra rows of the
/// same user, client IP and segment. Such an offset appears when this run read the inputs in
/// another `--tz` or across a clock change. Returns this run's time minus the expected time,
/// in microseconds.
///
/// It needs at least two pairs, because a single drop that moved may well be a real change,
/// and its `missing:` and `extra:` lines already show both times. The offset tried is the median gap between the n-th missing
/// and the n-th extra time, which is the offset when all times moved by one amount, since
/// such a move keeps their order.
pub(super) fn common_offset(missing: &[&DropRow], extra: &[&DropRow]) -> Option<i64> {
    if missing.len() < 2 || missing.len() != extra.len() {
        return None;
    }
    let mut missing_times: Vec<i64> = missing.iter().map(|row| row.time).collect();
    let mut extra_times: Vec<i64> = extra.iter().map(|row| row.time).collect();
    missing_times.sort_unstable();
    extra_times.sort_unstable();
    let mut gaps: Vec<i64> = missing_times
        .iter()
        .zip(&extra_times)
        .map(|(m, e)| e.saturating_sub(*m))
        .collect();
    gaps.sort_unstable();
    let offset = gaps[gaps.len() / 2];
    // Rows this close in time would have paired already, unless something else differs.
    if offset.unsigned_abs() <= TIME_TOLERANCE.unsigned_abs() {
        return None;
    }
    let partners = pair_rows(missing, extra, offset, true);
    partners.iter().all(Option::is_some).then_some(offset)
}

#[cfg(test)]
mod tests {
    use crate::check::compare;
    use crate::check::tests::{HOUR, T0, lines, moved, row, three_drops};
    use crate::time::SECOND;

    #[test]
    fn times_within_one_second_pair() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0001", T0 + SECOND, "bob", 5, "t3_serve")];
        assert!(compare(&expected, &actual).differences.is_empty());
        let actual = vec![row("D0001", T0 - SECOND, "bob", 5, "t3_serve")];
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn times_beyond_one_second_do_not_pair() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = vec![row("D0001", T0 + SECOND + 1_000, "bob", 5, "t3_serve")];
        let comparison = compare(&expected, &actual);
        let tally = comparison.tally(false);
        assert_eq!(tally.missing, 1);
        assert_eq!(tally.extra, 1);
        assert_eq!(tally.expected_rows, 1);
        assert_eq!(tally.actual_rows, 1);
    }

    #[test]
    fn nearest_time_wins_among_candidates() {
        // Two sockets of the same user, client and duration half a second apart.
        let expected = vec![
            row("D0001", T0, "bob", 5, "t3_serve"),
            row("D0002", T0 + SECOND / 2, "bob", 5, "devvm"),
        ];
        let actual = vec![
            row("D0002", T0 + SECOND / 2, "bob", 5, "devvm"),
            row("D0001", T0, "bob", 5, "t3_serve"),
        ];
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn reordered_rows_pair() {
        let expected = vec![
            row("D0001", T0, "alice", 1, "last_mile"),
            row("D0002", T0 + 60 * SECOND, "bob", 2, "t3_serve"),
            row("D0003", T0 + 120 * SECOND, "carol", 3, "cloudflare"),
        ];
        let mut actual = expected.clone();
        actual.reverse();
        assert!(compare(&expected, &actual).differences.is_empty());
    }

    #[test]
    fn user_ip_and_duration_must_match() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let mut other_ip = expected[0].clone();
        other_ip.client_ip = "198.51.100.14".to_string();
        for actual in [
            row("D0001", T0, "carol", 5, "t3_serve"),
            row("D0001", T0, "bob", 1006, "t3_serve"),
            other_ip,
        ] {
            let tally = compare(&expected, &[actual]).tally(false);
            assert_eq!((tally.missing, tally.extra), (1, 1));
        }
    }

    #[test]
    fn duration_within_a_second_pairs() {
        // An orphan's duration runs to a whole-second time, which a new version may read
        // half a second later: the rows still pair, and only strict mode counts it.
        let expected = vec![row("D0001", T0, "bob", 206_310, "dispatch")];
        let actual = vec![row("D0001", T0 + 500_000, "bob", 206_810, "dispatch")];
        let comparison = compare(&expected, &actual);
        let tally = comparison.tally(false);
        assert_eq!((tally.missing, tally.extra, tally.changed), (0, 0, 0));
        assert_eq!(tally.uncounted, 1);
        assert_eq!(comparison.tally(true).changed, 1);
        let (lines, _) = lines(&comparison, true);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("dur_ms") && l.contains("206310 -> 206810")),
            "{lines:?}"
        );
    }

    #[test]
    fn common_offset_cases() {
        let expected = three_drops();
        let later = moved(&expected, HOUR);

        let mut one_jittered = later.clone();
        one_jittered[1].time += SECOND / 2;
        let mut one_apart = later.clone();
        one_apart[1].time += 10 * SECOND;
        let mut other_segment = later.clone();
        other_segment[2].segment = "devvm".to_string();
        let mut other_duration = later.clone();
        other_duration[0].dur_ms = Some(5_000);
        let mut one_in_place = later.clone();
        one_in_place[0].time = T0;

        let cases = [
            ("all one hour later", later.clone(), Some(HOUR)),
            (
                "all two hours earlier",
                moved(&expected, -2 * HOUR),
                Some(-2 * HOUR),
            ),
            (
                "with a fraction",
                moved(&expected, HOUR + 250_000),
                Some(HOUR + 250_000),
            ),
            ("one row half a second off", one_jittered, Some(HOUR)),
            ("one row ten seconds off", one_apart, None),
            ("one segment changed too", other_segment, None),
            ("one duration changed too", other_duration, None),
            ("one row paired in place", one_in_place, Some(HOUR)),
            ("one row fewer", later[..2].to_vec(), None),
            ("nothing moved", expected.clone(), None),
        ];
        for (name, actual, wanted) in cases {
            assert_eq!(compare(&expected, &actual).common_offset, wanted, "{name}");
        }
    }

    #[test]
    fn common_offset_needs_two_pairs() {
        let expected = vec![row("D0001", T0, "bob", 5, "t3_serve")];
        let actual = moved(&expected, HOUR);
        assert_eq!(compare(&expected, &actual).common_offset, None);
    }
}
