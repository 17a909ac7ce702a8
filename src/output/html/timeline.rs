//! The timeline of the HTML report, as inline SVG.
//!
//! From top to bottom: incidents, bursts, drops (one mark per drop, stacked when they share a
//! moment), then one lane per source: the devvm journal, Traefik, and each cloudflared pod. A
//! lane shows the source's span, its gaps hatched, and ticks at the lines used as evidence. A
//! faint line runs down from each drop so a reader can see which sources covered it. Times are
//! UTC on the cluster clock. Marks link to their table rows.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::layout::{
    DROP_RADIUS, PLOT_LEFT, PLOT_RIGHT, Scale, pack_rows, stack_levels, tick_label, tick_step,
};
use super::{Escaped, per_segment};
use crate::correlate::Segment;
use crate::correlate::coverage::Span;
use crate::event::{Event, Source};
use crate::output::Report;
use crate::output::summary::span_text;
use crate::time::{self, SECOND};

/// The drawing's width in SVG user units; the browser scales it to the page width.
const WIDTH: f64 = 1300.0;
/// Height of one row of incident or burst marks, and of one source lane with its spacing.
const MARK_ROW: f64 = 22.0;
const LANE_STEP: f64 = 30.0;
const LANE_HEIGHT: f64 = 22.0;
/// Vertical distance between drop marks stacked at one moment.
const DROP_STEP: f64 = 11.0;
/// An estimate of the width of one character of the 12 px monospace labels.
const CHAR_WIDTH: f64 = 7.3;
/// The maximum length of a lane name shown in full, in characters. Longer names are cut and
/// shown whole on hover.
const MAX_LABEL_CHARS: usize = 30;

/// One source lane: the devvm journal, Traefik, or one cloudflared pod.
struct Lane<'a> {
    label: String,
    source: Source,
    span: Option<&'a Span>,
}

fn lanes<'a>(report: &Report<'a>) -> Vec<Lane<'a>> {
    let coverage = &report.analysis.coverage;
    let mut lanes = vec![
        Lane {
            label: "devvm journal".into(),
            source: Source::Journal,
            span: coverage.journal.as_ref(),
        },
        Lane {
            label: "traefik".into(),
            source: Source::Traefik,
            span: coverage.traefik.as_ref(),
        },
    ];
    for span in &coverage.cloudflared {
        let label = if span.name.starts_with("cloudflared") {
            span.name.clone()
        } else {
            format!("cloudflared {}", span.name)
        };
        lanes.push(Lane {
            label,
            source: Source::Cloudflared,
            span: Some(span),
        });
    }
    if coverage.cloudflared.is_empty() {
        lanes.push(Lane {
            label: "cloudflared".into(),
            source: Source::Cloudflared,
            span: None,
        });
    }
    lanes
}

/// Computes the time range to draw: every span, drop, burst and incident, cut to `--since` and
/// `--until` when they are given, and at least a minute wide. Returns `None` when there is
/// nothing to draw.
fn time_range(report: &Report, lanes: &[Lane]) -> Option<Scale> {
    let mut times: Vec<i64> = Vec::new();
    for span in lanes.iter().filter_map(|l| l.span) {
        times.extend([span.first, span.last]);
    }
    times.extend(report.drops.iter().map(|d| d.time));
    times.extend(report.bursts.iter().flat_map(|b| [b.start, b.end]));
    times.extend(report.incidents.iter().flat_map(|i| [i.start, i.end]));
    let mut start = *times.iter().min()?;
    let mut end = *times.iter().max()?;
    if let Some(since) = report.since {
        start = start.max(since);
    }
    if let Some(until) = report.until {
        end = end.min(until);
    }
    // A window outside the data leaves nothing between the bounds: draw the window itself.
    if end < start {
        start = report.since.unwrap_or(start);
        end = report.until.unwrap_or(start).max(start);
    }
    let widen = (60 * SECOND - (end - start)).max(0) / 2;
    Some(Scale {
        start: start - widen,
        end: end + widen,
    })
}

/// A labelled interval mark (an incident or a burst) before it is placed on a row.
struct IntervalMark {
    anchor: String,
    class: &'static str,
    segment: Segment,
    left: f64,
    right: f64,
    label: String,
    tooltip: String,
}

impl IntervalMark {
    /// Returns the x extent it takes on its row, the label included.
    fn extent(&self) -> (f64, f64) {
        let label_end = self.left + 3.0 + self.label.chars().count() as f64 * CHAR_WIDTH;
        (self.left, self.right.max(label_end) + 6.0)
    }
}

/// Places interval marks on rows. Returns each mark's row and the height of all rows (one row
/// at least, so an empty band keeps its label).
fn place_marks(marks: &[IntervalMark]) -> (Vec<usize>, f64) {
    let extents: Vec<(f64, f64)> = marks.iter().map(IntervalMark::extent).collect();
    let rows = pack_rows(&extents);
    let row_count = rows.iter().max().map_or(1, |r| r + 1);
    (rows, row_count as f64 * MARK_ROW)
}

/// Draws labelled interval marks from `top`, one row per overlap level.
fn write_interval_row(
    out: &mut dyn Write,
    marks: &[IntervalMark],
    row_label: &str,
    top: f64,
) -> io::Result<()> {
    let (rows, _) = place_marks(marks);
    writeln!(
        out,
        "<text class=\"row-label\" x=\"{:.1}\" y=\"{:.1}\">{row_label}</text>",
        PLOT_LEFT - 8.0,
        top + 15.0
    )?;
    for (mark, row) in marks.iter().zip(rows) {
        let y = top + row as f64 * MARK_ROW;
        writeln!(
            out,
            "<a href=\"#{anchor}\"><title>{}</title><rect class=\"{} seg-{}\" x=\"{:.1}\" y=\"{:.1}\" \
             width=\"{:.1}\" height=\"18\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></a>",
            Escaped(&mark.tooltip),
            mark.class,
            mark.segment.as_str(),
            mark.left,
            y,
            (mark.right - mark.left).max(4.0),
            mark.left + 3.0,
            y + 13.5,
            Escaped(&mark.label),
            anchor = Escaped(&mark.anchor),
        )?;
    }
    Ok(())
}

/// Writes the timeline SVG and its legend.
pub(super) fn write_timeline(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let lanes = lanes(report);
    let Some(scale) = time_range(report, &lanes) else {
        return writeln!(
            out,
            "<p>Nothing to draw: no input has a timed line, and there are no drops.</p>"
        );
    };

    let incidents: Vec<IntervalMark> = report
        .incidents
        .iter()
        .map(|i| IntervalMark {
            anchor: i.id.clone(),
            class: "incident",
            segment: i.segment,
            left: scale.x(i.start),
            right: scale.x(i.end),
            label: i.id.clone(),
            tooltip: format!(
                "{} {} to {}: {} drop(s), {}",
                i.id,
                time::format_seconds(i.start),
                time::format_seconds(i.end),
                i.drops.len(),
                i.segment.as_str()
            ),
        })
        .collect();
    let bursts: Vec<IntervalMark> = report
        .bursts
        .iter()
        .map(|b| IntervalMark {
            anchor: b.id.clone(),
            class: "burst",
            segment: b.segment,
            left: scale.x(b.start),
            right: scale.x(b.end),
            label: format!("{} ({} clients)", b.id, b.clients),
            tooltip: format!(
                "{} at {}: {} drop(s), {} cancel line(s), {}",
                b.id,
                time::format_seconds(b.start),
                b.members.len(),
                b.cancels.len(),
                b.segment.as_str()
            ),
        })
        .collect();
    let drop_xs: Vec<f64> = report.drops.iter().map(|d| scale.x(d.time)).collect();
    let drop_levels = stack_levels(&drop_xs).iter().max().map_or(1, |l| l + 1);

    // Vertical layout, top to bottom.
    let incidents_top = 8.0;
    let (_, incidents_height) = place_marks(&incidents);
    let bursts_top = incidents_top + incidents_height + 6.0;
    let (_, bursts_height) = place_marks(&bursts);
    let drops_top = bursts_top + bursts_height + 6.0;
    let drops_bottom = drops_top + drop_levels as f64 * DROP_STEP + 4.0;
    let lanes_top = drops_bottom + 8.0;
    let lanes_bottom = lanes_top + lanes.len() as f64 * LANE_STEP;
    // Below the lanes: the tick labels, then the UTC caption.
    let height = lanes_bottom + 38.0;

    writeln!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {height:.0}\" \
         aria-label=\"timeline of sources, drops, bursts and incidents\">"
    )?;
    writeln!(
        out,
        "<defs><pattern id=\"gap-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f1f1\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b55\" stroke-width=\"2\"/></pattern></defs>"
    )?;

    write_axis(out, &scale, incidents_top, lanes_bottom)?;
    write_interval_row(out, &incidents, "incidents", incidents_top)?;
    write_interval_row(out, &bursts, "bursts", bursts_top)?;
    write_lanes(out, report, &lanes, &scale, lanes_top)?;

    write_drops(out, report, &drop_xs, drops_bottom, lanes_bottom)?;
    writeln!(out, "</svg>")?;
    write_legend(out, report)
}

/// Draws the time grid from `top` to `bottom` with tick labels in UTC below it. Labels carry
/// the date where the range crosses midnight.
fn write_axis(out: &mut dyn Write, scale: &Scale, top: f64, bottom: f64) -> io::Result<()> {
    let axis_y = bottom + 14.0;
    let step = tick_step(scale.end - scale.start);
    let day = |t: i64| t.div_euclid(86400 * SECOND);
    let many_days = day(scale.start) != day(scale.end);
    let mut tick = scale.start.div_euclid(step) * step;
    if tick < scale.start {
        tick += step;
    }
    let mut previous_day = None;
    while tick <= scale.end {
        let x = scale.x(tick);
        let with_date = many_days && previous_day != Some(day(tick));
        previous_day = Some(day(tick));
        writeln!(
            out,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"/>\
             <text class=\"tick-label\" x=\"{x:.1}\" y=\"{axis_y:.1}\">{}</text>",
            tick_label(tick, step, with_date)
        )?;
        tick += step;
    }
    let date = time::format_seconds(scale.start);
    writeln!(
        out,
        "<text class=\"row-label\" x=\"{:.1}\" y=\"{:.1}\">UTC, {}</text>",
        PLOT_LEFT - 8.0,
        axis_y + 16.0,
        date.get(..10).unwrap_or(&date)
    )?;
    Ok(())
}

/// Draws one mark per drop, stacked upwards from `drops_bottom` where marks would overlap, and
/// a faint guide from each mark down through the lanes to `lanes_bottom`.
fn write_drops(
    out: &mut dyn Write,
    report: &Report,
    drop_xs: &[f64],
    drops_bottom: f64,
    lanes_bottom: f64,
) -> io::Result<()> {
    let levels = stack_levels(drop_xs);
    writeln!(
        out,
        "<text class=\"row-label\" x=\"{:.1}\" y=\"{:.1}\">drops</text>",
        PLOT_LEFT - 8.0,
        drops_bottom - 4.0
    )?;
    for (drop, &x) in report.drops.iter().zip(drop_xs) {
        writeln!(
            out,
            "<line class=\"guide seg-{}\" x1=\"{x:.1}\" y1=\"{drops_bottom:.1}\" x2=\"{x:.1}\" y2=\"{lanes_bottom:.1}\"/>",
            drop.segment.as_str()
        )?;
    }
    for ((drop, &x), level) in report.drops.iter().zip(drop_xs).zip(levels) {
        let y = drops_bottom - DROP_RADIUS - 2.0 - level as f64 * DROP_STEP;
        writeln!(
            out,
            "<a href=\"#{id}\"><title>{id} {} {} {} ({})</title><circle class=\"drop seg-{}\" \
             cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{DROP_RADIUS}\"/></a>",
            time::format_seconds(drop.time),
            Escaped(drop.user.as_deref().unwrap_or("(no user)")),
            drop.segment.as_str(),
            drop.confidence.as_str(),
            drop.segment.as_str(),
            id = Escaped(&drop.id),
        )?;
    }
    Ok(())
}

/// Draws the source lanes: the whole range as uncovered, the span over it, gaps hatched, and a
/// tick at each line that a drop's rule used as evidence.
fn write_lanes(
    out: &mut dyn Write,
    report: &Report,
    lanes: &[Lane],
    scale: &Scale,
    top: f64,
) -> io::Result<()> {
    let evidence: BTreeSet<usize> = report
        .drops
        .iter()
        .flat_map(|d| d.rule_evidence.iter().copied())
        .collect();
    for (n, lane) in lanes.iter().enumerate() {
        let y = top + n as f64 * LANE_STEP;
        writeln!(
            out,
            "<g class=\"lane\" data-source=\"{}\">",
            lane.source.name()
        )?;
        let label: String = if lane.label.chars().count() > MAX_LABEL_CHARS {
            let cut: String = lane.label.chars().take(MAX_LABEL_CHARS - 1).collect();
            format!("{cut}…")
        } else {
            lane.label.clone()
        };
        writeln!(
            out,
            "<text class=\"lane-label\" x=\"{:.1}\" y=\"{:.1}\"><title>{}</title>{}</text>",
            PLOT_LEFT - 8.0,
            y + 15.0,
            Escaped(&lane.label),
            Escaped(&label)
        )?;
        writeln!(
            out,
            "<rect class=\"lane-bg\" x=\"{PLOT_LEFT}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{LANE_HEIGHT}\"/>",
            PLOT_RIGHT - PLOT_LEFT
        )?;
        if let Some(span) = lane.span {
            let (left, right) = (scale.x(span.first), scale.x(span.last));
            writeln!(
                out,
                "<rect class=\"covered{}\" x=\"{left:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{LANE_HEIGHT}\">\
                 <title>{}</title></rect>",
                if span.dense { "" } else { " sparse" },
                (right - left).max(1.0),
                Escaped(&span_text(span))
            )?;
            for &(from, to) in span
                .gaps
                .iter()
                .filter(|&&(from, to)| to >= scale.start && from <= scale.end)
            {
                let (left, right) = (scale.x(from), scale.x(to));
                writeln!(
                    out,
                    "<rect class=\"gap\" x=\"{left:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{LANE_HEIGHT}\">\
                     <title>gap: no lines from {} to {} ({} s)</title></rect>",
                    (right - left).max(2.0),
                    time::format_seconds(from),
                    time::format_seconds(to),
                    (to - from) / SECOND
                )?;
            }
        }
        let note = match lane.span {
            None => Some("not given"),
            Some(span) if !span.dense => Some("sparse: its span counts as covered"),
            Some(_) => None,
        };
        if let Some(note) = note {
            writeln!(
                out,
                "<text class=\"lane-note\" x=\"{:.1}\" y=\"{:.1}\">{note}</text>",
                PLOT_LEFT + 4.0,
                y + 15.0
            )?;
        }
        let lane_events = evidence
            .iter()
            .filter_map(|&i| report.analysis.events.get(i))
            .filter(|event| {
                event.source == lane.source && (scale.start..=scale.end).contains(&event.time)
            })
            .filter(|event| {
                if lane.source != Source::Cloudflared {
                    return true;
                }
                // Coverage names a pod's lane after the pod, or after its input when the pod
                // is unknown.
                let input = report.inputs.get(event.origin.input as usize);
                let name = event.pod.as_deref().or(input.map(|i| i.name.as_str()));
                lane.span.map(|s| s.name.as_str()) == name
            });
        write_ticks(out, report, lane_events, scale, y)?;
        writeln!(out, "</g>")?;
    }
    Ok(())
}

/// The maximum number of evidence lines a shared tick names in its tooltip.
const TICK_TITLE_LINES: usize = 3;

/// Writes one evidence tick per position in a lane. Evidence lines that fall on the same
/// tenth of a pixel share one tick, whose tooltip names the first few and counts the rest.
/// A long input puts hundreds of lines on one point, and one tick per line made the
/// timeline a third of an 83-day report (45 MB for 24,000 drops).
fn write_ticks<'a>(
    out: &mut dyn Write,
    report: &Report,
    events: impl Iterator<Item = &'a Event>,
    scale: &Scale,
    y: f64,
) -> io::Result<()> {
    let mut ticks: Vec<(String, Vec<&Event>)> = Vec::new();
    for event in events {
        let x = format!("{:.1}", scale.x(event.time));
        match ticks.last_mut() {
            Some((last_x, group)) if *last_x == x => group.push(event),
            _ => ticks.push((x, vec![event])),
        }
    }
    for (x, group) in ticks {
        // One tooltip line per evidence line. Each is escaped on its own and they are joined
        // with the character reference of a newline, since `Escaped` shows a raw newline as
        // the text `\x0a`.
        let mut lines: Vec<String> = group
            .iter()
            .take(TICK_TITLE_LINES)
            .map(|event| {
                let line = format!(
                    "{} {}",
                    time::format_seconds(event.time),
                    crate::output::location(report.inputs, event)
                );
                Escaped(&line).to_string()
            })
            .collect();
        if group.len() > TICK_TITLE_LINES {
            lines.push(format!(
                "and {} more evidence line(s) here",
                group.len() - TICK_TITLE_LINES
            ));
        }
        let title = lines.join("&#10;");
        writeln!(
            out,
            "<line class=\"evidence-tick\" x1=\"{x}\" y1=\"{:.1}\" x2=\"{x}\" y2=\"{:.1}\">\
             <title>{}</title></line>",
            y + 3.0,
            y + LANE_HEIGHT - 3.0,
            title
        )?;
    }
    Ok(())
}

fn write_legend(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let counts = per_segment(&report.drops);
    writeln!(out, "<ul class=\"legend\">")?;
    for segment in Segment::ALL {
        let count = counts
            .iter()
            .find(|(s, _)| *s == segment)
            .map_or(0, |(_, n)| *n);
        writeln!(
            out,
            "<li><span class=\"swatch seg-{0}\"></span>{0}: {count} drop(s)</li>",
            segment.as_str()
        )?;
    }
    writeln!(
        out,
        "<li><span class=\"swatch covered-swatch\"></span>source logged (first to last line)</li>\n\
         <li><span class=\"swatch sparse-swatch\"></span>sparse source: its span counts as covered</li>\n\
         <li><span class=\"swatch gap-swatch\"></span>gap: a silence too long for that source</li>\n\
         <li><span class=\"swatch none-swatch\"></span>no lines</li>\n\
         <li><span class=\"swatch evidence-swatch\"></span>a line used as evidence</li>\n\
         </ul>\n\
         <p class=\"meta\">Each dot is a drop; click a dot, incident or burst for its row below.</p>"
    )
}
