//! Coverage: whether a source was logging at a given time.
//!
//! A source covers a time when the time lies inside its span (first to last line) and not
//! inside a gap. Gaps count only in sources that normally log densely (the whole devvm journal,
//! Traefik): a silence of at least `gap_min` and at least `gap_factor` times the usual spacing.
//! cloudflared at info level is sparse, so its coverage is its span, per pod when the pod is
//! known. A journal exported for one unit only is sparse too, and gets no gaps.
//!
//! Metric series (the probe, per leg, and devvm's pressure) cover the time between their
//! samples. A step much longer than the series' usual step is a missing scrape: a gap, not a
//! clean reading.

use std::collections::BTreeMap;

use crate::event::Source;
use crate::parse::metrics::MISSING_SCRAPE_FACTOR;
use crate::parse::{Activity, SecondSet};
use crate::time::SECOND;

/// How far inside a window a span may begin or end and still cover it.
pub const EDGE_SLACK: i64 = 5 * SECOND;

/// Settings of gap detection.
#[derive(Clone, Copy, Debug)]
pub struct CoverageOptions {
    /// The shortest silence that can be a gap (`--gap-min`).
    pub gap_min: i64,
    /// A gap is also this many times the usual spacing between active seconds.
    pub gap_factor: i64,
    /// A source whose usual spacing is above this is sparse: its coverage is its span.
    pub dense_spacing: i64,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        CoverageOptions {
            gap_min: 30 * SECOND,
            gap_factor: 10,
            dense_spacing: 5 * SECOND,
        }
    }
}

/// The coverage of one stream: a source as a whole, or one cloudflared pod.
#[derive(Clone, Debug)]
pub struct Span {
    pub name: String,
    pub first: i64,
    /// The end of the last active second.
    pub last: i64,
    pub lines: u64,
    /// Whether the stream logs densely enough for silences to be gaps.
    pub dense: bool,
    /// The median spacing between active seconds, in microseconds.
    pub spacing: i64,
    /// The shortest silence that is a gap in this stream, in microseconds, when it is dense.
    pub gap_threshold: i64,
    /// Silences counted as gaps, `(start, end)`: nothing was logged strictly between them.
    pub gaps: Vec<(i64, i64)>,
}

/// Returns the shortest silence that is a gap, given the spacings between a stream's active
/// seconds sorted in ascending order: at least `gap_min`, and `gap_factor` times the median.
///
/// NOTE: a freeze shorter than that in a journal that logs every few seconds (40 s against a
/// 5 s median) is no gap. A threshold from the longest usual spacings caught it, but it also
/// made an sshd scanner's 40 s pauses on a quiet night into freezes, so it was not kept. The
/// kernel's stall reports are the evidence for such a freeze.
fn gap_threshold(sorted_steps: &[i64], options: &CoverageOptions) -> i64 {
    let median = sorted_steps
        .get(sorted_steps.len() / 2)
        .copied()
        .unwrap_or(i64::MAX);
    options
        .gap_min
        .max(median.saturating_mul(options.gap_factor))
}

/// Writes a span for `--format json` metadata with RFC 3339 times and the spacing in seconds,
/// not the microseconds kept inside the pipeline.
impl serde::Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let gaps: Vec<[String; 2]> = self
            .gaps
            .iter()
            .map(|(start, end)| {
                [
                    crate::time::format_millis(*start),
                    crate::time::format_millis(*end),
                ]
            })
            .collect();
        let spacing = (self.spacing != i64::MAX).then(|| self.spacing as f64 / SECOND as f64);
        let mut out = serializer.serialize_struct("Span", 7)?;
        out.serialize_field("name", &self.name)?;
        out.serialize_field("first", &crate::time::format_millis(self.first))?;
        out.serialize_field("last", &crate::time::format_millis(self.last))?;
        out.serialize_field("lines", &self.lines)?;
        out.serialize_field("dense", &self.dense)?;
        out.serialize_field("spacing_seconds", &spacing)?;
        out.serialize_field("gaps", &gaps)?;
        out.end()
    }
}

impl Span {
    fn from_seconds(
        name: String,
        seconds: &SecondSet,
        lines: u64,
        first: i64,
        last: i64,
        options: &CoverageOptions,
    ) -> Span {
        let active: Vec<i64> = seconds.iter().collect();
        let mut steps: Vec<i64> = active.windows(2).map(|w| (w[1] - w[0]) * SECOND).collect();
        steps.sort_unstable();
        let spacing = steps.get(steps.len() / 2).copied().unwrap_or(i64::MAX);
        let dense = spacing <= options.dense_spacing;
        let threshold = gap_threshold(&steps, options);
        let mut gaps = Vec::new();
        if dense {
            for w in active.windows(2) {
                if (w[1] - w[0]) * SECOND >= threshold {
                    gaps.push(((w[0] + 1) * SECOND, w[1] * SECOND));
                }
            }
        }
        Span {
            name,
            first,
            last: last.max(first) + 1,
            lines,
            dense,
            spacing,
            gap_threshold: threshold,
            gaps,
        }
    }

    /// Builds the span of a metric stream from the seconds of its samples: every step longer
    /// than `MISSING_SCRAPE_FACTOR` times the usual step is a gap.
    fn from_samples(name: String, seconds: &SecondSet, lines: u64, first: i64, last: i64) -> Span {
        let active: Vec<i64> = seconds.iter().collect();
        let mut steps: Vec<i64> = active.windows(2).map(|w| (w[1] - w[0]) * SECOND).collect();
        steps.sort_unstable();
        let spacing = steps.get(steps.len() / 2).copied().unwrap_or(i64::MAX);
        let threshold = (spacing as f64 * MISSING_SCRAPE_FACTOR) as i64;
        let gaps = active
            .windows(2)
            .filter(|w| (w[1] - w[0]) * SECOND > threshold)
            .map(|w| ((w[0] + 1) * SECOND, w[1] * SECOND))
            .collect();
        Span {
            name,
            first,
            last: last.max(first) + 1,
            lines,
            dense: true,
            spacing,
            gap_threshold: threshold,
            gaps,
        }
    }

    /// Tells whether the stream covers all of `[from, to]`: its span does and no gap overlaps it.
    pub fn covers(&self, from: i64, to: i64) -> bool {
        self.spans(from, to) && self.gap_within(from, to).is_none()
    }

    /// Tells whether the span (first to last line) reaches over `[from, to]`, gaps aside. A span edge
    /// within `EDGE_SLACK` of the window still counts, because a source's first or last line
    /// rarely falls on the window's exact second.
    pub fn spans(&self, from: i64, to: i64) -> bool {
        self.first <= from + EDGE_SLACK && to <= self.last + EDGE_SLACK
    }

    /// Returns the first gap that overlaps `[from, to]`.
    pub fn gap_within(&self, from: i64, to: i64) -> Option<(i64, i64)> {
        self.gaps
            .iter()
            .copied()
            .find(|(start, end)| *start < to && *end > from)
    }
}

/// The name of what a journal of t3's units alone lacks, in reasons.
pub const UNITS_ONLY: &str = "the devvm journal beyond t3's units (only the lines of \
     t3-dispatch or the t3 serves were given, so no kernel, earlyoom or host silence shows)";

/// The coverage of every source of a run.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Coverage {
    /// All devvm journal inputs together (their lines, not cloudflared or Traefik lines carried
    /// inside them).
    pub journal: Option<Span>,
    /// All Traefik inputs together.
    pub traefik: Option<Span>,
    /// One span per cloudflared pod (or per input when the pod is unknown).
    pub cloudflared: Vec<Span>,
    /// One span per probe leg, named after the leg, from the samples of its series.
    pub probe: Vec<Span>,
    /// devvm's pressure series, from their samples.
    pub pressure: Option<Span>,
    /// Seconds in which Traefik or cloudflared logged, for telling a devvm freeze from an
    /// outage of all logging.
    #[serde(skip)]
    pub cluster_seconds: SecondSet,
    /// Set when the journal contains t3's units alone (t3-dispatch, and the serves or not). A
    /// silence in it is no freeze, and it cannot show the host to be clean.
    pub journal_units_only: bool,
    /// Set when a cloudflared stream names no pod, or only a name that is no pod's (a file
    /// name such as `cloudflared.grafana.txt`), so its span may contain several pods' lines.
    #[serde(skip)]
    pub cloudflared_unnamed: bool,
    /// The number of distinct cloudflared pod addresses that dispatch's `ws open` chains name
    /// while cloudflared logs: a count of the pods there were.
    pub cloudflared_addresses: usize,
    /// DST changes of devvm's zone that the journal's local times show and `--tz` lacks. The
    /// silence of a change to summer time is a coverage gap, but no freeze.
    #[serde(skip)]
    pub clock_changes: Vec<super::clock_change::ClockChange>,
}

/// Returns the pod an input's name names, as the readers name a cloudflared input's pod.
fn pod_of_input(name: &str) -> Option<String> {
    crate::input::InputSpec {
        source: crate::input::InputSource::Path(name.into()),
        forced_type: None,
    }
    .pod_from_name()
}

/// Tells whether a name has the shape Kubernetes gives the pods of a controller: a base name,
/// then `-` and the random 5-character suffix of a Deployment's or DaemonSet's pod
/// (`cloudflared-6f7c9d8b5-k2x9p`), or a StatefulSet's ordinal (`cloudflared-0`). Kubernetes
/// draws the random suffix from consonants and digits (`rand.SafeEncodeString` in its
/// apimachinery, which also leaves out `0`, `1` and `3`), so words such as `fleet` do not
/// match. Any digit is accepted here, as hand-made names use them too.
///
/// NOTE: a file name of neither shape (`cloudflared.log`, stdin) turns the pod count
/// off, so a missing pod log goes unnoticed there.
pub(crate) fn is_pod_name(name: &str) -> bool {
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz0123456789";
    let Some((base, suffix)) = name.rsplit_once('-') else {
        return false;
    };
    let random = suffix.len() == 5 && suffix.bytes().all(|b| SAFE.contains(&b));
    // A StatefulSet of this size has a few replicas: `0`, `1`, … without leading zeros.
    let ordinal = (1..=3).contains(&suffix.len())
        && suffix.bytes().all(|b| b.is_ascii_digit())
        && (suffix == "0" || !suffix.starts_with('0'));
    !base.is_empty() && (random || ordinal)
}

impl Coverage {
    /// Marks the journal as an export of t3's units alone: its coverage becomes its span, with
    /// no gaps, like any sparse stream.
    pub fn set_journal_units_only(&mut self) {
        self.journal_units_only = true;
        if let Some(span) = &mut self.journal {
            span.dense = false;
            span.gaps.clear();
        }
    }

    /// Returns the DST change of devvm's zone that the journal silence `(start, end)` lies
    /// over, if any. The gap counts whole seconds, so its ends lie within a second of the lines.
    pub fn clock_change_over(
        &self,
        start: i64,
        end: i64,
    ) -> Option<&super::clock_change::ClockChange> {
        self.clock_changes
            .iter()
            .find(|change| change.from < end + SECOND && start < change.to + SECOND)
    }

    /// Builds coverage from the activity of all inputs. `journal_shift` moves journal seconds onto
    /// the cluster clock (minus the clock offset).
    pub fn build(
        activity: &Activity,
        journal_shift: i64,
        options: &CoverageOptions,
        input_names: &[String],
    ) -> Coverage {
        let mut merged: BTreeMap<Source, (SecondSet, u64, i64, i64)> = BTreeMap::new();
        let mut pods: BTreeMap<String, (SecondSet, u64, i64, i64)> = BTreeMap::new();
        let mut cluster_seconds = SecondSet::default();
        let shift_seconds = (journal_shift as f64 / SECOND as f64).round() as i64;

        let mut legs: BTreeMap<String, (SecondSet, u64, i64, i64)> = BTreeMap::new();
        let mut cloudflared_unnamed = false;
        for (key, track) in &activity.tracks {
            // Metric samples are not log lines: they have their own spans and never count as
            // the cluster logging.
            if matches!(key.source, Source::Probe | Source::Pressure) {
                let name = match key.source {
                    Source::Probe => key.pod.as_deref().unwrap_or("unknown").to_string(),
                    _ => String::new(),
                };
                let target = legs
                    .entry(name)
                    .or_insert_with(|| (SecondSet::default(), 0, track.first, track.last));
                target.0.union(&track.seconds);
                target.1 += track.lines;
                target.2 = target.2.min(track.first);
                target.3 = target.3.max(track.last);
                continue;
            }
            let (seconds, first, last) = if key.source == Source::Journal {
                let mut shifted = SecondSet::default();
                for s in track.seconds.iter() {
                    shifted.insert(s + shift_seconds);
                }
                (
                    shifted,
                    track.first + journal_shift,
                    track.last + journal_shift,
                )
            } else {
                cluster_seconds.union(&track.seconds);
                (track.seconds.clone(), track.first, track.last)
            };
            let target = if key.source == Source::Cloudflared {
                cloudflared_unnamed |= !key.pod.as_deref().is_some_and(is_pod_name);
                let name = match &key.pod {
                    Some(pod) => pod.to_string(),
                    None => input_names
                        .get(key.input as usize)
                        .cloned()
                        .unwrap_or_default(),
                };
                pods.entry(name)
                    .or_insert_with(|| (SecondSet::default(), 0, first, last))
            } else {
                merged
                    .entry(key.source)
                    .or_insert_with(|| (SecondSet::default(), 0, first, last))
            };
            target.0.union(&seconds);
            target.1 += track.lines;
            target.2 = target.2.min(first);
            target.3 = target.3.max(last);
        }

        let span = |source: Source, name: &str| {
            merged.get(&source).map(|(seconds, lines, first, last)| {
                Span::from_seconds(name.to_string(), seconds, *lines, *first, *last, options)
            })
        };
        let cloudflared = pods
            .into_iter()
            .map(|(name, (seconds, lines, first, last))| {
                let mut span = Span::from_seconds(name, &seconds, lines, first, last, options);
                // cloudflared at info level is sparse: its coverage is its span.
                span.dense = false;
                span.gaps.clear();
                span
            })
            .collect();
        let pressure = legs.remove("").map(|(seconds, lines, first, last)| {
            Span::from_samples("devvm pressure".to_string(), &seconds, lines, first, last)
        });
        let probe = legs
            .into_iter()
            .map(|(leg, (seconds, lines, first, last))| {
                Span::from_samples(leg, &seconds, lines, first, last)
            })
            .collect();
        Coverage {
            journal: span(Source::Journal, "devvm journal"),
            traefik: span(Source::Traefik, "traefik"),
            cloudflared,
            probe,
            pressure,
            cluster_seconds,
            journal_units_only: false,
            cloudflared_unnamed,
            cloudflared_addresses: 0,
            clock_changes: Vec::new(),
        }
    }

    /// Names the sources whose spans do not reach over `[from, to]` (gaps aside): the
    /// sources that were not given, or whose logs start or end inside the window.
    pub fn sources_not_spanning(&self, from: i64, to: i64) -> Vec<String> {
        let mut missing = Vec::new();
        if !self.journal.as_ref().is_some_and(|s| s.spans(from, to)) {
            missing.push("the devvm journal".to_string());
        } else if self.journal_units_only {
            missing.push(UNITS_ONLY.to_string());
        }
        if !self.traefik.as_ref().is_some_and(|s| s.spans(from, to)) {
            missing.push("Traefik".to_string());
        }
        if !self.cloudflared.iter().any(|s| s.spans(from, to)) {
            missing.push("cloudflared".to_string());
        }
        missing
    }

    /// Returns the cloudflared pods that cover `[from, to]`, and how many pods the inputs hold.
    pub fn cloudflared_cover(&self, from: i64, to: i64) -> (usize, usize) {
        let covering = self
            .cloudflared
            .iter()
            .filter(|s| s.covers(from, to))
            .count();
        (covering, self.cloudflared_pods())
    }

    /// Adds the span of a cloudflared pod whose log has the same bytes as another pod's, and
    /// was read once for both: quiet pods that logged only the same fleet-wide lines write
    /// identical logs. `copies` pairs each copy's input name with the original's; only names
    /// of pods count (see [`is_pod_name`]).
    pub fn add_pod_copies(&mut self, copies: &[(String, String)]) {
        for (copy, original) in copies {
            let (Some(copy), Some(original)) = (pod_of_input(copy), pod_of_input(original)) else {
                continue;
            };
            if !is_pod_name(&copy) || copy == original {
                continue;
            }
            let Some(span) = self.cloudflared.iter().find(|s| s.name == original) else {
                continue;
            };
            let mut twin = span.clone();
            twin.name = copy;
            self.cloudflared.push(twin);
        }
        self.cloudflared.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Returns how many cloudflared pods there were: the pods given, or more when dispatch
    /// names more pod addresses than that while cloudflared logs. The addresses are not
    /// compared when an input names no pod, since its span can contain any number of pods.
    ///
    /// NOTE: a pod replaced while cloudflared logs (a rolling update) brings a new address,
    /// so the count is too high when the old pod's log is given under the new pod's name.
    pub fn cloudflared_pods(&self) -> usize {
        let pod_logs = self.cloudflared.len();
        if self.cloudflared_unnamed || pod_logs == 0 {
            return pod_logs;
        }
        pod_logs.max(self.cloudflared_addresses)
    }

    /// Returns the sentence that explains a count of cloudflared pods above the pods given,
    /// or an empty string.
    pub fn cloudflared_pods_note(&self) -> String {
        let (given, pods) = (self.cloudflared.len(), self.cloudflared_pods());
        if pods <= given {
            return String::new();
        }
        format!(
            "; dispatch's ip= chains name {pods} cloudflared pod addresses, but {given} pod \
             log(s) were given, so the pod of a socket may be missing"
        )
    }

    /// The span of one probe leg.
    pub fn probe_leg(&self, leg: &str) -> Option<&Span> {
        self.probe.iter().find(|span| span.name == leg)
    }

    /// Names the probe legs of `legs` that do not cover `[from, to]`: not given, not spanning
    /// it, or with a missing scrape inside it.
    pub fn probe_legs_not_covering(&self, legs: &[&str], from: i64, to: i64) -> Vec<String> {
        legs.iter()
            .filter(|leg| !self.probe_leg(leg).is_some_and(|s| s.covers(from, to)))
            .map(|leg| leg.to_string())
            .collect()
    }

    /// Tells whether devvm's pressure series cover `[from, to]` with no missing scrape.
    pub fn pressure_covers(&self, from: i64, to: i64) -> bool {
        self.pressure.as_ref().is_some_and(|s| s.covers(from, to))
    }

    /// Tells whether Traefik or cloudflared logged anything strictly inside `(from, to)`.
    pub fn cluster_logged_between(&self, from: i64, to: i64) -> bool {
        let (a, b) = (from.div_euclid(SECOND) + 1, to.div_euclid(SECOND));
        (a..b).any(|s| self.cluster_seconds.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_name_shapes() {
        let cases = [
            ("cloudflared-6f7c9d8b5-k2x9p", true),
            ("cloudflared-6f7c9d8b5-m4q7r", true),
            ("cloudflared-6f7c9d8b5-z8w3t", true),
            ("cloudflared-k2x9p", true),
            ("cloudflared-0", true),
            ("cloudflared-12", true),
            ("cloudflared", false),
            ("cloudflared-prod", false),
            // Words and dates that a file of several pods may be named after.
            ("cloudflared-fleet", false),
            ("cf-nopod", false),
            ("cloudflared-20260610", false),
            ("cloudflared-007", false),
            ("cloudflared-K2X9P", false),
            ("-k2x9p", false),
            ("cloudflared-", false),
            ("cloudflared.raw", false),
        ];
        for (name, expected) in cases {
            assert_eq!(is_pod_name(name), expected, "{name}");
        }
    }

    fn span_of(seconds: &[i64]) -> Span {
        let mut set = SecondSet::default();
        for s in seconds {
            set.insert(*s);
        }
        let first = seconds[0] * SECOND;
        let last = seconds[seconds.len() - 1] * SECOND;
        Span::from_seconds(
            "x".into(),
            &set,
            seconds.len() as u64,
            first,
            last,
            &CoverageOptions::default(),
        )
    }

    #[test]
    fn dense_source_has_gap() {
        let mut seconds: Vec<i64> = (0..100).step_by(2).collect();
        seconds.extend((145..200).step_by(2));
        let span = span_of(&seconds);
        assert!(span.dense);
        assert_eq!(span.gaps, vec![(99 * SECOND, 145 * SECOND)]);
        assert!(span.covers(10 * SECOND, 50 * SECOND));
        assert!(!span.covers(90 * SECOND, 110 * SECOND));
        assert!(!span.covers(150 * SECOND, 250 * SECOND), "past the span");
        assert!(
            span.covers(150 * SECOND, 203 * SECOND),
            "within the edge slack"
        );
    }

    #[test]
    fn regular_pause_under_median_threshold() {
        // A line every 2 to 9 s (median 5 s), then 40 s of silence: under 10 times the median
        // (50 s), so no gap, although no other spacing is over 9 s. A quiet night's sshd
        // scanner pauses like this with nothing wrong.
        let mut seconds = vec![0];
        for n in 0..400 {
            seconds.push(seconds[n] + 2 + (n as i64 * 7) % 8);
        }
        let paused_from = *seconds.last().unwrap();
        for n in 0..100 {
            seconds.push(paused_from + 40 + n * 5);
        }
        let span = span_of(&seconds);
        assert!(span.dense);
        assert_eq!(span.spacing, 5 * SECOND);
        assert_eq!(span.gap_threshold, 50 * SECOND);
        assert!(span.gaps.is_empty(), "{:?}", span.gaps);
    }

    #[test]
    fn short_silence_is_not_a_gap() {
        let mut seconds: Vec<i64> = (0..100).collect();
        seconds.extend(120..200);
        assert!(
            span_of(&seconds).gaps.is_empty(),
            "20 s is under the 30 s minimum"
        );
    }

    fn metric_span(seconds: &[i64]) -> Span {
        let mut set = SecondSet::default();
        for s in seconds {
            set.insert(*s);
        }
        let first = seconds[0] * SECOND;
        let last = seconds[seconds.len() - 1] * SECOND;
        Span::from_samples("cloudflare".into(), &set, seconds.len() as u64, first, last)
    }

    #[test]
    fn missing_scrape_is_a_gap() {
        let mut seconds: Vec<i64> = (0..300).step_by(15).collect();
        seconds.retain(|s| *s != 150);
        let span = metric_span(&seconds);
        assert_eq!(span.spacing, 15 * SECOND);
        assert_eq!(span.gaps, vec![(136 * SECOND, 165 * SECOND)]);
        assert!(!span.covers(120 * SECOND, 155 * SECOND));
        assert!(span.covers(170 * SECOND, 205 * SECOND));
    }

    #[test]
    fn scrape_jitter_is_not_a_gap() {
        let span = metric_span(&[0, 15, 31, 45, 60, 76, 90]);
        assert!(span.gaps.is_empty(), "{:?}", span.gaps);
    }

    #[test]
    fn metric_tracks_get_spans_of_their_own() {
        let mut activity = Activity::default();
        for s in (0..120).step_by(15) {
            activity.record(0, Source::Probe, Some("cloudflare"), s * SECOND);
            activity.record(0, Source::Pressure, None, s * SECOND);
        }
        let coverage = Coverage::build(&activity, 0, &CoverageOptions::default(), &["m".into()]);
        assert_eq!(coverage.probe.len(), 1);
        assert!(coverage.probe_leg("cloudflare").is_some());
        assert!(coverage.pressure_covers(30 * SECOND, 65 * SECOND));
        assert_eq!(
            coverage.probe_legs_not_covering(&["cloudflare", "internal"], 30 * SECOND, 65 * SECOND),
            vec!["internal".to_string()]
        );
        assert!(
            coverage.cluster_seconds.is_empty(),
            "samples are not cluster logging"
        );
        assert!(coverage.cloudflared.is_empty());
    }

    #[test]
    fn sparse_source_has_no_gaps() {
        let span = span_of(&[0, 60, 200, 1000, 1100]);
        assert!(!span.dense);
        assert!(span.gaps.is_empty());
        assert!(span.covers(300 * SECOND, 900 * SECOND));
    }
}
