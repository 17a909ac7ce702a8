//! Geometry of the timeline: the time scale, axis ticks, and the placement of marks that would
//! overlap.

use chrono::{DateTime, Utc};

use crate::time::SECOND;

/// The left and right edges of the plot, in SVG user units. Lane names sit left of it, and the
/// right margin leaves room for the last time label.
pub(super) const PLOT_LEFT: f64 = 250.0;
pub(super) const PLOT_RIGHT: f64 = 1270.0;
pub(super) const DROP_RADIUS: f64 = 5.0;
/// The maximum number of drop marks stacked at one moment. Further marks are drawn over the
/// top one.
pub(super) const MAX_STACK: usize = 12;

/// Maps UTC microseconds onto the plot's x axis.
pub(super) struct Scale {
    pub(super) start: i64,
    pub(super) end: i64,
}

impl Scale {
    pub(super) fn x(&self, t: i64) -> f64 {
        let fraction = (t - self.start) as f64 / (self.end - self.start).max(1) as f64;
        PLOT_LEFT + fraction.clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
    }
}

/// Picks a tick step that gives at most 12 ticks, from steps that read well on a clock.
pub(super) fn tick_step(range: i64) -> i64 {
    const STEPS_SECONDS: [i64; 18] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    ];
    STEPS_SECONDS
        .iter()
        .map(|s| s * SECOND)
        .find(|step| range / step <= 12)
        .unwrap_or_else(|| {
            let day = 86400 * SECOND;
            (range / 12 / day + 1) * day
        })
}

pub(super) fn tick_label(t: i64, step: i64, with_date: bool) -> String {
    let Some(time) = DateTime::<Utc>::from_timestamp_micros(t) else {
        return String::new();
    };
    let format = match (step, with_date) {
        (s, _) if s >= 86400 * SECOND => "%m-%d",
        (s, true) if s < 60 * SECOND => "%m-%d %H:%M:%S",
        (s, false) if s < 60 * SECOND => "%H:%M:%S",
        (_, true) => "%m-%d %H:%M",
        (_, false) => "%H:%M",
    };
    time.format(format).to_string()
}

/// Places intervals `[left, right]` (in x units) on the fewest rows so none overlap on a row.
/// Returns each interval's row, in input order.
pub(super) fn pack_rows(intervals: &[(f64, f64)]) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    intervals
        .iter()
        .map(
            |&(left, right)| match row_ends.iter().position(|&end| end <= left) {
                Some(row) => {
                    row_ends[row] = right;
                    row
                }
                None => {
                    row_ends.push(right);
                    row_ends.len() - 1
                }
            },
        )
        .collect()
}

/// Stacks drop marks: each gets the lowest level free at its x. Returns each mark's level.
pub(super) fn stack_levels(xs: &[f64]) -> Vec<usize> {
    let mut level_ends: Vec<f64> = Vec::new();
    xs.iter()
        .map(|&x| {
            let free = level_ends
                .iter()
                .position(|&end| x - end >= 2.0 * DROP_RADIUS + 1.0);
            let level = match free {
                Some(level) => level,
                None if level_ends.len() < MAX_STACK => {
                    level_ends.push(f64::NEG_INFINITY);
                    level_ends.len() - 1
                }
                None => MAX_STACK - 1,
            };
            level_ends[level] = x;
            level
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_step_gives_at_most_twelve_ticks() {
        assert_eq!(tick_step(3600 * SECOND), 300 * SECOND);
        assert_eq!(tick_step(60 * SECOND), 5 * SECOND);
        assert_eq!(tick_step(86400 * SECOND), 7200 * SECOND);
        assert_eq!(tick_step(30 * 86400 * SECOND), 3 * 86400 * SECOND);
    }

    #[test]
    fn tick_labels_follow_the_step() {
        let t = 1_781_121_361 * SECOND; // 2026-06-10T19:56:01Z
        assert_eq!(tick_label(t, 300 * SECOND, false), "19:56");
        assert_eq!(tick_label(t, 10 * SECOND, false), "19:56:01");
        assert_eq!(tick_label(t, 300 * SECOND, true), "06-10 19:56");
        assert_eq!(tick_label(t, 86400 * SECOND, false), "06-10");
    }

    #[test]
    fn pack_rows_moves_overlaps_down() {
        assert_eq!(
            pack_rows(&[(0.0, 10.0), (5.0, 20.0), (12.0, 30.0), (25.0, 40.0)]),
            vec![0, 1, 0, 1]
        );
    }

    #[test]
    fn stack_levels_stack_close_marks_and_cap() {
        assert_eq!(stack_levels(&[0.0, 0.0, 0.0, 50.0]), vec![0, 1, 2, 0]);
        let levels = stack_levels(&[5.0; 20]);
        assert_eq!(levels.iter().max(), Some(&(MAX_STACK - 1)));
    }

    #[test]
    fn scale_clamps_to_the_plot() {
        let scale = Scale { start: 0, end: 100 };
        assert_eq!(scale.x(0), PLOT_LEFT);
        assert_eq!(scale.x(100), PLOT_RIGHT);
        assert_eq!(scale.x(-5), PLOT_LEFT);
    }
}
