//! Metric series to events: the probe's legs and devvm's pressure, whatever file they came from.
//!
//! The Prometheus API reader ([`super::prometheus`]) and the Grafana CSV reader
//! ([`super::grafana_csv`]) both cut their input into [`Series`]: a metric name, its labels,
//! its samples and the place in the file where the series starts. [`emit`] turns the series of
//! one input into events and records every sample as activity, so coverage can tell a missing
//! scrape from a clean reading.
//!
//! Series read here:
//!
//! | series | events |
//! |---|---|
//! | `t3probe_connected{leg}` | [`EventKind::ProbeLegDown`] at the first sample at 0, [`EventKind::ProbeLegUp`] at the first sample back at 1 |
//! | `t3probe_disconnects_total{leg,reason}` | [`EventKind::ProbeDisconnect`] where the counter rose between two samples |
//! | `t3probe_last_disconnect_timestamp{leg}` | the exact time of a disconnect, when it lies between the two samples |
//! | `t3probe_rtt_seconds_bucket{leg="t3serve",le}` | [`EventKind::ProbeRttSpike`] where observations above [`RTT_SPIKE_SECONDS`] rose |
//! | `node_pressure_{io,memory}_stalled_seconds_total` of devvm | [`EventKind::PressureEpisode`] over consecutive intervals whose stall rate is above the threshold |
//!
//! Counters are read as increases between consecutive samples, never as rates over a range: a
//! counter that goes down was reset, and its new value is the increase. `NaN` samples are
//! skipped; `+Inf` and `-Inf` read as numbers (only histogram bounds use them).
//!
//! NOTE: `node_pressure_memory_waiting_seconds_total` and `node_memory_SwapFree_bytes` are read
//! for coverage only; episodes rest on the `stalled` counters.
//!
//! NOTE: `query_range` fills each step with the series' last sample for up to 5 minutes (the
//! lookback delta), so a single missed scrape shows there as a repeated value, not as a gap.
//! Raw samples (a range selector, `series[1h]`) show every missed scrape.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::event::{EventKind, PressureResource, Source};
use crate::parse::{LineClass, LineCtx, Sink};
use crate::time::{self, Precision, SECOND};

/// The t3serve leg's round-trip time above which an observation is a spike, in seconds. The
/// bound used is the smallest histogram bucket bound at or above it.
pub const RTT_SPIKE_SECONDS: f64 = 1.0;

/// The probe leg whose round-trip spikes are events: plain HTTP to the serve port.
pub const SERVE_LEG: &str = "t3serve";

/// The node exporter instance whose pressure series are devvm's: an `instance` label equal to
/// it, or to it followed by `:PORT`.
pub const PRESSURE_INSTANCE: &str = "devvm";

/// A step this many times the series' usual step is a missing scrape.
pub const MISSING_SCRAPE_FACTOR: f64 = 1.5;

/// Thresholds of the metric events.
#[derive(Clone, Copy, Debug)]
pub struct MetricOptions {
    /// IO stall rate above which devvm is under pressure (`--io-pressure`), seconds per second.
    pub io_pressure: f64,
    /// Memory stall rate above which devvm is under pressure (`--memory-pressure`).
    pub memory_pressure: f64,
}

impl Default for MetricOptions {
    fn default() -> Self {
        MetricOptions {
            io_pressure: 0.25,
            memory_pressure: 0.1,
        }
    }
}

/// One time series as read from a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// `(UTC microseconds, value)`, in file order.
    pub samples: Vec<(i64, f64)>,
    /// The line where the series starts (the line of `"metric"` in an API
    /// response, the header row of a Grafana CSV).
    pub line: u64,
    /// The line of each sample, where the file has one per sample (a Grafana CSV row), by time.
    pub rows: BTreeMap<i64, u64>,
}

impl Series {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels.get(name).map(String::as_str)
    }

    /// `name{a="1", b="2"}`, the way Prometheus prints a series.
    pub fn selector(&self) -> String {
        let mut text = self.name.clone();
        if !self.labels.is_empty() {
            text.push('{');
            for (n, (key, value)) in self.labels.iter().enumerate() {
                if n > 0 {
                    text.push_str(", ");
                }
                let _ = write!(text, "{key}=\"{value}\"");
            }
            text.push('}');
        }
        text
    }

    /// Returns the samples in time order, one per time (the last one read wins), `NaN` dropped.
    fn sorted(&self) -> Vec<(i64, f64)> {
        let mut samples: Vec<(i64, f64)> = self
            .samples
            .iter()
            .copied()
            .filter(|(_, v)| !v.is_nan())
            .collect();
        samples.sort_by_key(|(t, _)| *t);
        let mut out: Vec<(i64, f64)> = Vec::with_capacity(samples.len());
        for sample in samples {
            match out.last_mut() {
                Some(last) if last.0 == sample.0 => *last = sample,
                _ => out.push(sample),
            }
        }
        out
    }
}

/// One sample: UTC microseconds and its value.
type Sample = (i64, f64);

/// A pressure episode being read: the sample that opens it, the sample that closes it so far,
/// the peak rate and the widest interval in it.
type Episode = (Sample, Sample, f64, i64);

/// Computes the increase of a counter from `before` to `after`. A decrease is a reset, so the new value
/// is the increase.
pub fn counter_increase(before: f64, after: f64) -> f64 {
    if after >= before {
        after - before
    } else {
        after
    }
}

/// Returns the usual step of a series: the median time between its samples.
pub fn usual_step(samples: &[(i64, f64)]) -> Option<i64> {
    let mut steps: Vec<i64> = samples.windows(2).map(|w| w[1].0 - w[0].0).collect();
    steps.sort_unstable();
    steps.get(steps.len() / 2).copied()
}

/// Formats a sample time the way the API writes it: epoch seconds, with a fraction only when
/// there is one, so the text can be searched for in the file.
pub fn epoch_text(micros: i64) -> String {
    let seconds = micros.div_euclid(SECOND);
    let fraction = micros.rem_euclid(SECOND);
    if fraction == 0 {
        seconds.to_string()
    } else {
        let digits = format!("{fraction:06}");
        format!("{seconds}.{}", digits.trim_end_matches('0'))
    }
}

fn value_text(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{value}")
    }
}

/// Writes the evidence text of an event read from two samples of a series.
fn sample_text(series: &Series, before: Option<(i64, f64)>, after: (i64, f64)) -> String {
    let mut text = format!(
        "{} = {} @{} ({})",
        series.selector(),
        value_text(after.1),
        epoch_text(after.0),
        time::format_seconds(after.0)
    );
    if let Some((t, v)) = before {
        let _ = write!(
            text,
            "; previous sample {} @{}, {} s earlier",
            value_text(v),
            epoch_text(t),
            (after.0 - t) / SECOND
        );
    }
    text
}

/// Turns the series of one input into events and activity. Returns how each series was
/// accounted for, in the order given.
pub fn emit(series: &[Series], options: &MetricOptions, sink: &mut Sink) -> Vec<LineClass> {
    let last_disconnects: BTreeMap<&str, Vec<(i64, f64)>> = series
        .iter()
        .filter(|s| s.name == "t3probe_last_disconnect_timestamp")
        .filter_map(|s| Some((s.label("leg")?, s.sorted())))
        .collect();
    let mut classes = Vec::with_capacity(series.len());
    let mut histograms: BTreeMap<&str, Vec<(f64, usize)>> = BTreeMap::new();
    for (index, one) in series.iter().enumerate() {
        let class = match one.name.as_str() {
            "t3probe_connected" => probe_connected(one, sink),
            "t3probe_disconnects_total" => probe_disconnects(one, &last_disconnects, sink),
            "t3probe_last_disconnect_timestamp" => record_leg(one, sink),
            "t3probe_rtt_seconds_bucket" => match (one.label("leg"), one.label("le")) {
                (Some(leg), Some(le)) => match parse_bound(le) {
                    Some(bound) => {
                        histograms.entry(leg).or_default().push((bound, index));
                        record_leg(one, sink)
                    }
                    None => LineClass::Malformed("histogram bucket with an invalid `le` label"),
                },
                _ => LineClass::Malformed("histogram bucket without `leg` and `le` labels"),
            },
            name if name.starts_with("t3probe_") => record_leg(one, sink),
            "node_pressure_io_stalled_seconds_total" => {
                pressure(one, PressureResource::Io, options.io_pressure, sink)
            }
            "node_pressure_memory_stalled_seconds_total" => {
                pressure(one, PressureResource::Memory, options.memory_pressure, sink)
            }
            "node_pressure_memory_waiting_seconds_total" | "node_memory_SwapFree_bytes" => {
                if is_devvm(one) {
                    record_pressure(one, sink);
                    LineClass::Used
                } else {
                    LineClass::Ignored
                }
            }
            _ => LineClass::Ignored,
        };
        classes.push(class);
    }
    for (leg, buckets) in histograms {
        if leg == SERVE_LEG {
            rtt_spikes(series, leg, &buckets, sink);
        }
    }
    classes
}

fn parse_bound(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        _ => text.parse::<f64>().ok().filter(|v| !v.is_nan()),
    }
}

/// Returns the line an event read at sample time `time` points to: the sample's row where the file
/// has one per sample, else the series' first line.
fn ctx_of(series: &Series, time: i64) -> LineCtx<'static> {
    LineCtx::plain(series.rows.get(&time).copied().unwrap_or(series.line))
}

/// Records every sample of a probe series as activity of its leg.
fn record_leg(series: &Series, sink: &mut Sink) -> LineClass {
    let Some(leg) = series.label("leg") else {
        return LineClass::Malformed("probe series without a `leg` label");
    };
    for (t, _) in series.sorted() {
        sink.saw(Source::Probe, Some(leg), t);
    }
    LineClass::Used
}

fn is_devvm(series: &Series) -> bool {
    match series.label("instance") {
        None => true,
        Some(instance) => {
            instance == PRESSURE_INSTANCE
                || instance
                    .strip_prefix(PRESSURE_INSTANCE)
                    .is_some_and(|rest| rest.starts_with(':'))
        }
    }
}

fn record_pressure(series: &Series, sink: &mut Sink) {
    for (t, _) in series.sorted() {
        sink.saw(Source::Pressure, None, t);
    }
}

/// Adds an event whose evidence is the sample at `sample` (which `time` may refine).
fn push(
    sink: &mut Sink,
    series: &Series,
    (time, sample): (i64, i64),
    source: Source,
    kind: EventKind,
    text: &str,
) {
    let precision = if time.rem_euclid(SECOND) == 0 {
        Precision::Second
    } else {
        Precision::Milli
    };
    sink.push(
        time,
        precision,
        source,
        &ctx_of(series, sample),
        kind,
        text.as_bytes(),
    );
}

fn probe_connected(series: &Series, sink: &mut Sink) -> LineClass {
    let class = record_leg(series, sink);
    let Some(leg) = series.label("leg") else {
        return class;
    };
    let samples = series.sorted();
    // The first sample at 0 of the current down run, and the sample before it.
    let mut down: Option<(Sample, Option<Sample>)> = None;
    let mut previous: Option<(i64, f64)> = None;
    for &sample in &samples {
        let up = sample.1 >= 0.5;
        match (up, down) {
            (false, None) => down = Some((sample, previous)),
            (true, Some((first, before))) => {
                let resolution = before.map_or(0, |b| first.0 - b.0);
                let text = sample_text(series, before, first);
                push(
                    sink,
                    series,
                    (first.0, first.0),
                    Source::Probe,
                    EventKind::ProbeLegDown {
                        leg: leg.into(),
                        end: Some(sample.0),
                        resolution,
                    },
                    &text,
                );
                let text = sample_text(series, previous, sample);
                push(
                    sink,
                    series,
                    (sample.0, sample.0),
                    Source::Probe,
                    EventKind::ProbeLegUp {
                        leg: leg.into(),
                        since: first.0,
                        resolution: previous.map_or(0, |p| sample.0 - p.0),
                    },
                    &text,
                );
                down = None;
            }
            _ => {}
        }
        previous = Some(sample);
    }
    if let Some((first, before)) = down {
        let text = sample_text(series, before, first);
        push(
            sink,
            series,
            (first.0, first.0),
            Source::Probe,
            EventKind::ProbeLegDown {
                leg: leg.into(),
                end: None,
                resolution: before.map_or(0, |b| first.0 - b.0),
            },
            &text,
        );
    }
    class
}

fn probe_disconnects(
    series: &Series,
    last_disconnects: &BTreeMap<&str, Vec<(i64, f64)>>,
    sink: &mut Sink,
) -> LineClass {
    let class = record_leg(series, sink);
    let Some(leg) = series.label("leg") else {
        return class;
    };
    let reason = series.label("reason").unwrap_or("unknown");
    let samples = series.sorted();
    for pair in samples.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let increase = counter_increase(before.1, after.1);
        if increase < 0.5 || !increase.is_finite() {
            continue;
        }
        // The gauge of the last disconnect, read at the later sample, dates it exactly when it
        // falls between the two samples.
        let exact = last_disconnects.get(leg).and_then(|gauge| {
            let (_, seconds) = gauge.iter().find(|(t, _)| *t >= after.0)?;
            let at = (seconds * SECOND as f64).round() as i64;
            (at > before.0 && at <= after.0).then_some(at)
        });
        let mut text = sample_text(series, Some(before), after);
        if counter_increase(before.1, after.1) == after.1 && after.1 < before.1 {
            text.push_str("; the counter was reset");
        }
        if let Some(at) = exact {
            let _ = write!(
                text,
                "; t3probe_last_disconnect_timestamp{{leg=\"{leg}\"}} = {}",
                epoch_text(at)
            );
        }
        push(
            sink,
            series,
            (exact.unwrap_or(after.0), after.0),
            Source::Probe,
            EventKind::ProbeDisconnect {
                leg: leg.into(),
                reason: reason.into(),
                count: increase.round() as u64,
                resolution: if exact.is_some() {
                    0
                } else {
                    after.0 - before.0
                },
            },
            &text,
        );
    }
    class
}

/// Finds the intervals in which the leg's round-trip histogram counted observations above the
/// spike bound: the increase of the `+Inf` bucket minus that of the spike bound's bucket.
fn rtt_spikes(all: &[Series], leg: &str, buckets: &[(f64, usize)], sink: &mut Sink) {
    let Some(&(_, infinite)) = buckets.iter().find(|(bound, _)| bound.is_infinite()) else {
        return;
    };
    let Some(&(bound, below)) = buckets
        .iter()
        .filter(|(bound, _)| bound.is_finite() && *bound >= RTT_SPIKE_SECONDS)
        .min_by(|a, b| a.0.total_cmp(&b.0))
    else {
        return;
    };
    let total = all[infinite].sorted();
    let under: BTreeMap<i64, f64> = all[below].sorted().into_iter().collect();
    for pair in total.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let (Some(&under_before), Some(&under_after)) = (under.get(&before.0), under.get(&after.0))
        else {
            continue;
        };
        let above =
            counter_increase(before.1, after.1) - counter_increase(under_before, under_after);
        if above < 0.5 {
            continue;
        }
        let text = format!(
            "{}; {} of them at or under {bound} s",
            sample_text(&all[infinite], Some(before), after),
            value_text(under_after)
        );
        push(
            sink,
            &all[infinite],
            (after.0, after.0),
            Source::Probe,
            EventKind::ProbeRttSpike {
                leg: leg.into(),
                count: above.round() as u64,
                above_seconds: bound,
                resolution: after.0 - before.0,
            },
            &text,
        );
    }
}

fn pressure(
    series: &Series,
    resource: PressureResource,
    threshold: f64,
    sink: &mut Sink,
) -> LineClass {
    if !is_devvm(series) {
        return LineClass::Ignored;
    }
    record_pressure(series, sink);
    let samples = series.sorted();
    let mut episode: Option<Episode> = None;
    let finish = |episode: Option<Episode>, sink: &mut Sink| {
        let Some((start, end, peak, resolution)) = episode else {
            return;
        };
        let text = format!(
            "{}; stall rate peaked at {peak:.2} s/s from {}",
            sample_text(series, Some(start), end),
            time::format_seconds(start.0)
        );
        push(
            sink,
            series,
            (start.0, end.0),
            Source::Pressure,
            EventKind::PressureEpisode {
                resource,
                end: end.0,
                peak,
                threshold,
                resolution,
            },
            &text,
        );
    };
    for pair in samples.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let seconds = (after.0 - before.0) as f64 / SECOND as f64;
        let rate = counter_increase(before.1, after.1) / seconds;
        if rate > threshold && rate.is_finite() {
            let step = after.0 - before.0;
            episode = Some(match episode {
                Some((start, _, peak, widest)) => (start, after, peak.max(rate), widest.max(step)),
                None => (before, after, rate, step),
            });
        } else {
            finish(episode.take(), sink);
        }
    }
    finish(episode.take(), sink);
    LineClass::Used
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_781_120_000 * SECOND;

    fn series(name: &str, labels: &[(&str, &str)], values: &[(i64, f64)]) -> Series {
        Series {
            name: name.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            samples: values.iter().map(|(s, v)| (T0 + s * SECOND, *v)).collect(),
            line: 7,
            rows: BTreeMap::new(),
        }
    }

    fn run(all: &[Series]) -> Sink {
        let mut sink = Sink::new(0);
        emit(all, &MetricOptions::default(), &mut sink);
        sink
    }

    fn every_15s(values: &[f64]) -> Vec<(i64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as i64 * 15, *v))
            .collect()
    }

    #[test]
    fn connected_gauge_gives_down_and_up() {
        let s = series(
            "t3probe_connected",
            &[("leg", "cloudflare")],
            &every_15s(&[1.0, 1.0, 0.0, 0.0, 1.0]),
        );
        let sink = run(&[s]);
        assert_eq!(sink.events.len(), 2);
        assert_eq!(sink.events[0].time, T0 + 30 * SECOND);
        assert_eq!(
            sink.events[0].kind,
            EventKind::ProbeLegDown {
                leg: "cloudflare".into(),
                end: Some(T0 + 60 * SECOND),
                resolution: 15 * SECOND
            }
        );
        assert_eq!(sink.events[0].origin.line(), 7);
        assert!(
            sink.events[0].text.contains("@1781120030"),
            "{}",
            sink.events[0].text
        );
        assert_eq!(sink.events[1].kind.name(), "probe_leg_up");
    }

    #[test]
    fn leg_down_at_the_end_has_no_end() {
        let s = series(
            "t3probe_connected",
            &[("leg", "internal")],
            &every_15s(&[1.0, 0.0]),
        );
        let sink = run(&[s]);
        assert_eq!(sink.events.len(), 1);
        assert!(matches!(
            sink.events[0].kind,
            EventKind::ProbeLegDown { end: None, .. }
        ));
    }

    #[test]
    fn counter_reset_counts_the_new_value() {
        assert_eq!(counter_increase(5.0, 7.0), 2.0);
        assert_eq!(
            counter_increase(5.0, 2.0),
            2.0,
            "reset: the new value is the increase"
        );
        let s = series(
            "t3probe_disconnects_total",
            &[("leg", "cloudflare"), ("reason", "io_error")],
            &every_15s(&[4.0, 4.0, 1.0, 1.0]),
        );
        let sink = run(&[s]);
        assert_eq!(
            sink.events.len(),
            1,
            "a reset to 1 is one disconnect, not -3"
        );
        assert_eq!(
            sink.events[0].kind,
            EventKind::ProbeDisconnect {
                leg: "cloudflare".into(),
                reason: "io_error".into(),
                count: 1,
                resolution: 15 * SECOND
            }
        );
        assert!(sink.events[0].text.contains("reset"));
    }

    #[test]
    fn reset_to_zero_is_no_disconnect() {
        let s = series(
            "t3probe_disconnects_total",
            &[("leg", "internal"), ("reason", "rtt_timeout")],
            &every_15s(&[3.0, 0.0, 0.0]),
        );
        assert!(run(&[s]).events.is_empty(), "a restart of the probe alone");
    }

    #[test]
    fn last_disconnect_gauge_dates_the_disconnect() {
        let counter = series(
            "t3probe_disconnects_total",
            &[("leg", "cloudflare"), ("reason", "closed_1006")],
            &every_15s(&[0.0, 1.0]),
        );
        let gauge = series(
            "t3probe_last_disconnect_timestamp",
            &[("leg", "cloudflare")],
            &[(0, 0.0), (15, (T0 / SECOND + 8) as f64)],
        );
        let sink = run(&[counter, gauge]);
        assert_eq!(sink.events.len(), 1);
        assert_eq!(sink.events[0].time, T0 + 8 * SECOND);
        assert!(matches!(
            sink.events[0].kind,
            EventKind::ProbeDisconnect { resolution: 0, .. }
        ));
    }

    #[test]
    fn nan_samples_are_skipped() {
        let s = series(
            "t3probe_connected",
            &[("leg", "t3serve")],
            &every_15s(&[1.0, f64::NAN, 1.0]),
        );
        assert!(run(&[s]).events.is_empty());
    }

    #[test]
    fn serve_leg_rtt_spike_from_buckets() {
        let inf = series(
            "t3probe_rtt_seconds_bucket",
            &[("leg", "t3serve"), ("le", "+Inf")],
            &every_15s(&[10.0, 12.0, 14.0]),
        );
        let one = series(
            "t3probe_rtt_seconds_bucket",
            &[("leg", "t3serve"), ("le", "1")],
            &every_15s(&[10.0, 12.0, 13.0]),
        );
        let half = series(
            "t3probe_rtt_seconds_bucket",
            &[("leg", "t3serve"), ("le", "0.5")],
            &every_15s(&[10.0, 12.0, 13.0]),
        );
        let sink = run(&[inf, one, half]);
        assert_eq!(sink.events.len(), 1);
        assert_eq!(sink.events[0].time, T0 + 30 * SECOND);
        assert_eq!(
            sink.events[0].kind,
            EventKind::ProbeRttSpike {
                leg: "t3serve".into(),
                count: 1,
                above_seconds: 1.0,
                resolution: 15 * SECOND
            }
        );
    }

    #[test]
    fn other_legs_rtt_is_coverage_only() {
        let inf = series(
            "t3probe_rtt_seconds_bucket",
            &[("leg", "cloudflare"), ("le", "+Inf")],
            &every_15s(&[0.0, 5.0]),
        );
        let one = series(
            "t3probe_rtt_seconds_bucket",
            &[("leg", "cloudflare"), ("le", "1")],
            &every_15s(&[0.0, 0.0]),
        );
        let sink = run(&[inf, one]);
        assert!(sink.events.is_empty());
        assert_eq!(sink.activity.tracks.len(), 1);
    }

    #[test]
    fn pressure_episode_spans_consecutive_intervals() {
        // Stall rates per 15 s interval: 0, 0.4, 0.6, 0.1, 0.
        let s = series(
            "node_pressure_io_stalled_seconds_total",
            &[("instance", "devvm:9100"), ("job", "node")],
            &every_15s(&[100.0, 100.0, 106.0, 115.0, 116.5, 116.5]),
        );
        let sink = run(&[s]);
        assert_eq!(sink.events.len(), 1);
        let event = &sink.events[0];
        assert_eq!(event.time, T0 + 15 * SECOND);
        let EventKind::PressureEpisode {
            resource,
            end,
            peak,
            resolution,
            ..
        } = &event.kind
        else {
            panic!("{:?}", event.kind)
        };
        assert_eq!(*resource, PressureResource::Io);
        assert_eq!(*end, T0 + 45 * SECOND);
        assert!((peak - 0.6).abs() < 1e-9);
        assert_eq!(*resolution, 15 * SECOND);
    }

    #[test]
    fn memory_threshold_is_lower() {
        // 0.2 s/s: under the IO threshold, over the memory one.
        let values = every_15s(&[0.0, 3.0]);
        let io = series("node_pressure_io_stalled_seconds_total", &[], &values);
        let memory = series("node_pressure_memory_stalled_seconds_total", &[], &values);
        assert!(run(&[io]).events.is_empty());
        assert_eq!(run(&[memory]).events.len(), 1);
    }

    #[test]
    fn other_hosts_pressure_is_ignored() {
        let s = series(
            "node_pressure_io_stalled_seconds_total",
            &[("instance", "devvm2:9100")],
            &every_15s(&[0.0, 14.0]),
        );
        let mut sink = Sink::new(0);
        let classes = emit(&[s], &MetricOptions::default(), &mut sink);
        assert_eq!(classes, vec![LineClass::Ignored]);
        assert!(sink.events.is_empty());
    }

    #[test]
    fn missing_scrape_shows_in_activity() {
        let s = series(
            "t3probe_connected",
            &[("leg", "cloudflare")],
            &[(0, 1.0), (15, 1.0), (45, 1.0), (60, 1.0)],
        );
        let sink = run(&[s]);
        let track = sink.activity.tracks.values().next().unwrap();
        let seconds: Vec<i64> = track.seconds.iter().map(|s| s - T0 / SECOND).collect();
        assert_eq!(seconds, vec![0, 15, 45, 60]);
        assert_eq!(
            usual_step(&[(0, 0.0), (15, 0.0), (45, 0.0), (60, 0.0)]),
            Some(15)
        );
    }

    #[test]
    fn epoch_text_is_searchable() {
        assert_eq!(epoch_text(1_781_121_020 * SECOND), "1781121020");
        assert_eq!(
            epoch_text(1_781_121_020 * SECOND + 123_000),
            "1781121020.123"
        );
    }
}
