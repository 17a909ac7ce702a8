//! Burst and incident membership: whether a drop still shares its burst (or incident) with the
//! same other drops. Ids are not compared, because `drops` renumbers bursts and incidents in
//! time order when another drop appears.

use std::collections::{BTreeSet, HashMap};

use super::{Change, DropRow, Field};

/// Returns the membership change of expected row `e` in the field of `groups`, or `None` when the row is unpaired, lacks the field, or shares its
/// group with the partners of the same paired rows as before. Rows that did not pair are left
/// out of the comparison, since their `missing:` or `extra:` line already reports them.
pub(super) fn group_change(
    expected: &[DropRow],
    actual: &[DropRow],
    partners: &[Option<usize>],
    actual_paired: &[bool],
    groups: &GroupIndex,
    e: usize,
) -> Option<Change> {
    let GroupIndex {
        field,
        expected: expected_groups,
        actual: actual_groups,
    } = groups;
    let field = *field;
    let expected_row = &expected[e];
    let a = partners[e]?;
    if !expected_row.has(field) {
        return None;
    }
    let expected_key = group_key(field, expected_row);
    let actual_key = group_key(field, &actual[a]);

    // The other paired members of each side's group, named by their index in `actual`.
    let expected_mates: Option<BTreeSet<usize>> = expected_groups.get(expected_key).map(|rows| {
        rows.iter()
            .filter(|&&j| j != e)
            .filter_map(|&j| partners[j])
            .collect()
    });
    let actual_mates: Option<BTreeSet<usize>> = actual_groups.get(actual_key).map(|rows| {
        rows.iter()
            .filter(|&&i| i != a && actual_paired[i])
            .copied()
            .collect()
    });
    if expected_mates == actual_mates {
        return None;
    }
    Some(Change {
        field,
        expected: describe_group(expected, expected_key, expected_groups),
        actual: describe_group(actual, actual_key, actual_groups),
    })
}

/// Row indexes by group id; rows outside every group are left out.
type Groups<'a> = HashMap<&'a str, Vec<usize>>;

/// The groups of one field ([`Field::Burst`] or [`Field::Incident`]) on both sides.
pub(super) struct GroupIndex<'a> {
    field: Field,
    expected: Groups<'a>,
    actual: Groups<'a>,
}

impl<'a> GroupIndex<'a> {
    pub(super) fn new(field: Field, expected: &'a [DropRow], actual: &'a [DropRow]) -> Self {
        GroupIndex {
            field,
            expected: index_groups(field, expected),
            actual: index_groups(field, actual),
        }
    }
}

/// Indexes `rows` by their group id in `field`.
fn index_groups(field: Field, rows: &[DropRow]) -> Groups<'_> {
    let mut groups: Groups = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let key = group_key(field, row);
        if !key.is_empty() {
            groups.entry(key).or_default().push(i);
        }
    }
    groups
}

fn group_key(field: Field, row: &DropRow) -> &str {
    match field {
        Field::Burst => &row.burst_id,
        Field::Incident => &row.incident_id,
        _ => "",
    }
}

/// Formats a group as its id and its members' drop ids (`B001 [D0004 D0005 D0006]`), or
/// `none`.
fn describe_group(rows: &[DropRow], key: &str, groups: &Groups) -> String {
    let Some(members) = groups.get(key) else {
        return "none".to_string();
    };
    let ids: Vec<&str> = members
        .iter()
        .map(|&i| rows[i].drop_id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.len() == members.len() {
        format!("{key} [{}]", ids.join(" "))
    } else {
        format!("{key} [{} drops]", members.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::check::compare;
    use crate::check::tests::{T0, lines, row};
    use crate::check::{DropRow, SECOND};

    /// Five drops of five users in one second, in burst `B001` and incident `I001`, and a
    /// sixth drop a minute later in no burst.
    fn burst() -> Vec<DropRow> {
        let mut rows: Vec<DropRow> = ["alice", "bob", "carol", "dave", "erin"]
            .iter()
            .enumerate()
            .map(|(i, user)| {
                let mut r = row(&format!("D000{}", i + 1), T0, user, 5, "cluster_path");
                r.burst_id = "B001".to_string();
                r
            })
            .collect();
        let mut late = row("D0006", T0 + 60 * SECOND, "frank", 5, "last_mile");
        late.incident_id = "I002".to_string();
        rows.push(late);
        rows
    }

    #[test]
    fn renumbered_groups_are_unchanged() {
        let expected = burst();
        let mut actual = expected.clone();
        for r in &mut actual {
            r.drop_id = r.drop_id.replace("D000", "D001");
            r.burst_id = r.burst_id.replace("B001", "B004");
            r.incident_id = r.incident_id.replace("I00", "I01");
        }
        let comparison = compare(&expected, &actual);
        assert!(comparison.differences.is_empty(), "{comparison:?}");
    }

    #[test]
    fn drop_leaving_a_burst_fails() {
        let expected = burst();
        let mut actual = expected.clone();
        actual[4].burst_id.clear();
        let (lines, tally) = lines(&compare(&expected, &actual), false);
        // The drop that left and each member that lost it are named.
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert_eq!(
            lines[4],
            "changed burst_id: D0005 2026-06-10T19:20:02Z erin 203.0.113.22: \
             B001 [D0001 D0002 D0003 D0004 D0005] -> none"
        );
        assert!(
            lines[0].ends_with(
                "B001 [D0001 D0002 D0003 D0004 D0005] -> B001 [D0001 D0002 D0003 D0004]"
            ),
            "{lines:?}"
        );
        assert!(tally.failed());
    }

    #[test]
    fn drop_joining_a_burst_fails() {
        let expected = burst();
        let mut actual = expected.clone();
        actual[5].burst_id = "B001".to_string();
        let (lines, tally) = lines(&compare(&expected, &actual), false);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("changed burst_id: D0006")
                    && l.ends_with("none -> B001 [D0001 D0002 D0003 D0004 D0005 D0006]")),
            "{lines:?}"
        );
        assert_eq!(tally.changed, 6);
        assert!(tally.failed());
    }

    #[test]
    fn missing_member_is_not_a_burst_change() {
        // The missing row has its own line; the others still share their burst with the
        // same paired rows.
        let expected = burst();
        let actual: Vec<DropRow> = expected.iter().skip(1).cloned().collect();
        let tally = compare(&expected, &actual).tally(true);
        assert_eq!((tally.missing, tally.changed), (1, 0));
    }

    #[test]
    fn incident_membership_counts_only_when_strict() {
        let expected = burst();
        let mut actual = expected.clone();
        actual[5].incident_id = "I001".to_string();
        let comparison = compare(&expected, &actual);
        let (lines, tally) = lines(&comparison, false);
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("changed incident_id: D0006")
                    && l.ends_with("I002 [D0006] -> I001 [D0001 D0002 D0003 D0004 D0005 D0006]")),
            "{lines:?}"
        );
        assert!(!tally.failed());
        assert!(comparison.tally(true).failed());
    }
}
