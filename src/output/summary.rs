//! The run summary: drops per segment and user, bursts, the clock offset, coverage, and how
//! every input line was accounted for. Printed on stderr, and carried as `meta` in JSON output.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::correlate::Segment;
use crate::correlate::coverage::Span;
use crate::correlate::join::Offset;
use crate::run::input_name;
use crate::time::{self, SECOND};

/// Describes the clock offset in words, with a warning when it looks like a time-zone mistake.
pub fn describe_offset(offset: &Offset) -> (String, Option<String>) {
    let seconds = offset.micros as f64 / SECOND as f64;
    let direction = if offset.micros >= 0 {
        "ahead of"
    } else {
        "behind"
    };
    let text = match offset.method {
        "given" => format!(
            "devvm {:.3} s {direction} the cluster (set with --skew)",
            seconds.abs()
        ),
        "none" if offset.ambiguous > 0 => format!(
            "not measured ({} dispatch socket(s) matched two or more Traefik lines each and none \
             exactly one: is one Traefik log given twice, in two formats?); assumed 0",
            offset.ambiguous
        ),
        "none" => "not measured (no dispatch socket matched exactly one Traefik line); assumed 0"
            .to_string(),
        _ if offset.micros == 0 => format!(
            "devvm and the cluster agree (within ±{:.1} s, from {})",
            offset.uncertainty as f64 / SECOND as f64,
            socket_pairs(offset.pairs)
        ),
        _ => format!(
            "devvm {:.1} s {direction} the cluster (±{:.1} s, from {})",
            seconds.abs(),
            offset.uncertainty as f64 / SECOND as f64,
            socket_pairs(offset.pairs)
        ),
    };
    // More sockets pair at whole hours than at the offset in use: the pairs behind it are
    // likely chance ones, so the text must not read as a settled clock.
    let text = match (offset.zone_hint, &offset.split) {
        (Some(hint), _) if offset.method != "none" => format!(
            "{text}, doubtful: more sockets start {:+.1} h from their Traefik lines (see the \
             warning)",
            hint as f64 / 3600.0 / SECOND as f64
        ),
        (None, Some(split)) => format!(
            "{text}, doubtful on one side: {} sockets start {:+.1} h from their Traefik lines \
             (see the warning)",
            split.off,
            split.shift as f64 / 3600.0 / SECOND as f64
        ),
        _ => text,
    };
    let text = match &offset.step {
        Some(step) if step.corrected.is_some() => format!(
            "{text}, once the journal times on one side of a step of devvm's clock were moved \
             by it (see the warning)"
        ),
        Some(step) => format!(
            "{text}, doubtful on one side: devvm's clock {} (see the warning)",
            step.size()
        ),
        None => text,
    };
    (text, zone_warning(offset, offset.other_zone_hint.is_some()))
}

/// Counts socket pairs in words: `1 socket pair`, `19 socket pairs`.
fn socket_pairs(n: usize) -> String {
    if n == 1 {
        "1 socket pair".to_string()
    } else {
        format!("{n} socket pairs")
    }
}

/// Returns the warning about a clock offset that looks like a time-zone mistake. Across a DST
/// change (`dst_change`), sockets on its two sides start different whole hours from their
/// Traefik lines, so no single `--skew` fits and only `--tz` is suggested.
fn zone_warning(offset: &Offset, dst_change: bool) -> Option<String> {
    let seconds = offset.micros as f64 / SECOND as f64;
    let half_hours = seconds / 1800.0;
    let zone_like =
        |s: f64| s.abs() >= 1700.0 && (s / 1800.0 - (s / 1800.0).round()).abs() * 1800.0 <= 60.0;
    let hours = |micros: i64| micros as f64 / 3600.0 / SECOND as f64;
    // A given offset is the user's own reading of the clocks, so naming a zone mistake again
    // would only repeat it back. A zone hint still shows when the sockets disagree with it,
    // and so does a split, which also names the change.
    if let Some(split) = &offset.split {
        Some(split.warning(false))
    } else if offset.method != "given" && zone_like(seconds) {
        Some(format!(
            "the devvm clock offset ({:.0} min) is close to a whole number of half hours: the journal was \
             probably read in the wrong zone; set --tz to the zone of its timestamps",
            half_hours * 30.0
        ))
    } else {
        offset.zone_hint.map(|hint| {
            let fix = if dst_change {
                let why = match offset.other_zone_hint {
                    Some(other) => format!(
                        "others start {:+.1} h from theirs, as across a DST change",
                        hours(other)
                    ),
                    None => "the journal shows a DST change of devvm's zone (see its warning)"
                        .to_string(),
                };
                format!(", and {why}, so no single --skew fits; set --tz to devvm's zone")
            } else {
                format!(
                    "; set --tz to the zone of its timestamps (or --skew {})",
                    hint / SECOND
                )
            };
            format!(
                "many devvm sockets start {:+.1} h from their Traefik lines: the journal was probably read in the \
                 wrong zone{fix}",
                hours(hint),
            )
        })
    }
}

/// Tells whether the journal's dispatch socket lines carry an absolute time, which `--tz` does
/// not change. Times from an envelope or record do: Loki and Grafana entry times, and a JSON or
/// export entry's `__REALTIME_TIMESTAMP`. Of the text modes, `short-iso` (an ISO time with its
/// UTC offset) and `short-unix` (epoch seconds) do, and `short`, `short-precise` and `cat` do
/// not. The first such line decides, as one journal has one mode.
fn journal_times_carry_offset(report: &Report) -> bool {
    let Some(event) = report.analysis.events.iter().find(|e| {
        e.source == crate::event::Source::Journal
            && matches!(
                e.kind,
                crate::event::EventKind::WsOpen { .. } | crate::event::EventKind::WsClose { .. }
            )
    }) else {
        return false;
    };
    let input_type = report
        .inputs
        .get(event.origin.input as usize)
        .and_then(|input| input.input_type);
    // kubectl is left to the text: `kubectl logs` without `--timestamps` gives no entry time.
    if matches!(
        input_type,
        Some(
            "journal-json"
                | "journal-export"
                | "logcli-jsonl"
                | "logcli"
                | "grafana-text"
                | "grafana-json"
                | "loki-api"
        )
    ) {
        return true;
    }
    let text = event.text.as_bytes();
    if text.first() == Some(&b'{') {
        return true;
    }
    let stamp = text.split(|b| *b == b' ').next().unwrap_or_default();
    let epoch = stamp.len() >= 10 && stamp.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    epoch || crate::parse::journal::starts_with_offset_time(text)
}

/// Returns the warning about the clock offset, when it looks like a time-zone mistake. A zone
/// mix-up needs journal times that are read in `--tz`. Times that carry their UTC offset are
/// the same in any zone, so with them only devvm's clock can be off, and `--skew` is the fix.
fn offset_warning(report: &Report) -> Option<String> {
    let offset = &report.analysis.offset;
    // A jump that may be a quiet hour does not show that no single --skew fits.
    let dst_change = offset.other_zone_hint.is_some()
        || report
            .analysis
            .coverage
            .clock_changes
            .iter()
            .any(|change| !change.may_be_quiet_hour);
    let warning = zone_warning(offset, dst_change);
    if warning.is_none() || !journal_times_carry_offset(report) {
        return warning;
    }
    if let Some(split) = &offset.split {
        return Some(split.warning(true));
    }
    let shift = offset.zone_hint.unwrap_or(offset.micros);
    Some(format!(
        "devvm's sockets start {:+.1} h from their Traefik lines, but the journal's times \
         carry their UTC offset, so --tz does not change them: devvm's clock was probably \
         off; give the offset with --skew {}",
        shift as f64 / 3600.0 / SECOND as f64,
        shift / SECOND
    ))
}

/// Describes a source's span in one line: name, first and last time, lines and gaps.
pub(crate) fn span_text(span: &Span) -> String {
    let gaps = match span.gaps.len() {
        0 if span.dense => "no gaps".to_string(),
        0 => "sparse: coverage is its span".to_string(),
        n => {
            let list: Vec<String> = span
                .gaps
                .iter()
                .take(3)
                .map(|(a, b)| {
                    format!(
                        "{}..{} ({} s)",
                        time::format_seconds(*a),
                        time::format_seconds(*b),
                        (b - a) / SECOND
                    )
                })
                .collect();
            format!(
                "{n} gap(s): {}{}",
                list.join(", "),
                if n > 3 { ", ..." } else { "" }
            )
        }
    };
    format!(
        "{} {} to {}, {} line{}, {gaps}",
        span.name,
        time::format_seconds(span.first),
        time::format_seconds(span.last),
        span.lines,
        if span.lines == 1 { "" } else { "s" }
    )
}

/// The maximum number of minutes the drop histogram lists. With more, only the busiest are listed.
const HISTOGRAM_MAX_LINES: usize = 24;
/// The maximum bar length in `#` marks. Longer bars are scaled down to it.
const HISTOGRAM_MAX_BAR: usize = 40;

/// One minute of the drop histogram: the minute (UTC microseconds) and drops per segment.
type MinuteCounts = (i64, BTreeMap<Segment, usize>);

/// Counts drops, given as `(time, segment)`, per UTC minute and segment, in time order,
/// leaving out minutes without drops.
fn drops_per_minute(drops: &[(i64, Segment)]) -> Vec<MinuteCounts> {
    let minute = 60 * SECOND;
    let mut minutes: BTreeMap<i64, BTreeMap<Segment, usize>> = BTreeMap::new();
    for &(time, segment) in drops {
        let start = time.div_euclid(minute) * minute;
        *minutes
            .entry(start)
            .or_default()
            .entry(segment)
            .or_default() += 1;
    }
    minutes.into_iter().collect()
}

/// Writes one line per minute with drops: `19:40 ##### 5 (cluster_path 5)`. With more than
/// `HISTOGRAM_MAX_LINES` such minutes, only the busiest are listed (in time order), and a last
/// line gives how many minutes and drops were left out.
fn write_histogram(out: &mut dyn Write, drops: &[(i64, Segment)]) -> io::Result<()> {
    let mut minutes = drops_per_minute(drops);
    if minutes.is_empty() {
        return Ok(());
    }
    let total = |counts: &BTreeMap<Segment, usize>| counts.values().sum::<usize>();
    let mut left_out = (0, 0);
    if minutes.len() > HISTOGRAM_MAX_LINES {
        let mut by_count: Vec<usize> = (0..minutes.len()).collect();
        // Busiest first; among equals, the earlier minute.
        by_count.sort_by_key(|&i| std::cmp::Reverse(total(&minutes[i].1)));
        let mut keep = vec![false; minutes.len()];
        for &i in by_count.iter().take(HISTOGRAM_MAX_LINES) {
            keep[i] = true;
        }
        let mut n = 0;
        minutes.retain(|(_, counts)| {
            let kept = keep[n];
            n += 1;
            if !kept {
                left_out.0 += 1;
                left_out.1 += total(counts);
            }
            kept
        });
    }

    let busiest = minutes.iter().map(|(_, c)| total(c)).max().unwrap_or(1);
    let first = minutes.first().map_or(0, |(t, _)| *t);
    let last = minutes.last().map_or(0, |(t, _)| *t);
    let one_day = first.div_euclid(86400 * SECOND) == last.div_euclid(86400 * SECOND);
    writeln!(out, "  drops per minute (UTC):")?;
    for (start, counts) in &minutes {
        let count = total(counts);
        let bar = if busiest <= HISTOGRAM_MAX_BAR {
            count
        } else {
            // At least one mark, so a minute with a drop never shows an empty bar.
            (count * HISTOGRAM_MAX_BAR).div_ceil(busiest)
        };
        // `2026-06-10T19:40:00Z` gives `19:40`, or `2026-06-10 19:40` over several days.
        let stamp = time::format_seconds(*start);
        let label = if one_day {
            stamp.get(11..16)
        } else {
            stamp.get(..16)
        };
        let label = label.unwrap_or(&stamp).replace('T', " ");
        let segments: Vec<String> = counts
            .iter()
            .map(|(s, n)| format!("{} {n}", s.as_str()))
            .collect();
        writeln!(
            out,
            "    {label} {} {count} ({})",
            "#".repeat(bar),
            segments.join(", ")
        )?;
    }
    if left_out.0 > 0 {
        writeln!(
            out,
            "    ... {} more minute(s) with {} drop(s) not listed; these are the {} busiest",
            left_out.0, left_out.1, HISTOGRAM_MAX_LINES
        )?;
    }
    Ok(())
}

/// A writer that replaces control characters other than newline and tab with `?`.
///
/// User names, client ids and file names in the summary come from the logs and the command
/// line, so an escape sequence in one could recolour the terminal or set its title.
struct Printable<'a> {
    inner: &'a mut dyn Write,
}

impl Write for Printable<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let is_unsafe = |c: char| c.is_control() && c != '\n' && c != '\t';
        match std::str::from_utf8(buf) {
            Ok(text) if !text.contains(is_unsafe) => self.inner.write_all(buf)?,
            Ok(text) => {
                let clean: String = text
                    .chars()
                    .map(|c| if is_unsafe(c) { '?' } else { c })
                    .collect();
                self.inner.write_all(clean.as_bytes())?;
            }
            // The summary is written from `str` pieces, so this is only a safeguard.
            Err(_) => {
                let clean: Vec<u8> = buf
                    .iter()
                    .map(|&b| {
                        if (b < 0x20 && b != b'\n' && b != b'\t') || b >= 0x7f {
                            b'?'
                        } else {
                            b
                        }
                    })
                    .collect();
                self.inner.write_all(&clean)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the human summary.
pub fn write_summary(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let out = &mut Printable { inner: out };
    let analysis = report.analysis;
    let mut per_segment: BTreeMap<Segment, usize> = BTreeMap::new();
    let mut per_user: BTreeMap<&str, usize> = BTreeMap::new();
    for drop in &report.drops {
        *per_segment.entry(drop.segment).or_default() += 1;
        *per_user
            .entry(drop.user.as_deref().unwrap_or("(no user)"))
            .or_default() += 1;
    }
    let segments: Vec<String> = per_segment
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect();
    writeln!(
        out,
        "t3forensics: {} drop(s){}, {} burst(s)",
        report.drops.len(),
        if segments.is_empty() {
            String::new()
        } else {
            format!(" ({})", segments.join(", "))
        },
        report.bursts.len()
    )?;
    if !per_user.is_empty() {
        let users: Vec<String> = per_user.iter().map(|(u, n)| format!("{u} {n}")).collect();
        writeln!(out, "  per user: {}", users.join(", "))?;
    }
    for burst in &report.bursts {
        writeln!(
            out,
            "  burst {} at {}: {} drop(s), {} cancel line(s), {} client(s) -> {}",
            burst.id,
            time::format_seconds(burst.start),
            burst.members.len(),
            burst.cancels.len(),
            burst.clients,
            burst.segment.as_str()
        )?;
    }

    let drop_times: Vec<(i64, Segment)> =
        report.drops.iter().map(|d| (d.time, d.segment)).collect();
    write_histogram(out, &drop_times)?;

    let (offset_text, _) = describe_offset(&analysis.offset);
    if analysis.dispatch_sockets > 0 && analysis.traefik_sockets > 0
        || analysis.offset.method == "given"
    {
        writeln!(
            out,
            "  clock offset: {offset_text}; {} of {} dispatch sockets joined to Traefik",
            analysis.joined, analysis.dispatch_sockets
        )?;
    }
    if analysis.unchecked_closes > 0 {
        writeln!(
            out,
            "  {} socket close(s) came within --reconnect-window of the logs' end, so no \
             reconnect could show and they are not counted as drops; logs that run on past \
             them tell drops from users leaving",
            analysis.unchecked_closes
        )?;
    }
    if analysis.traefik_set_aside > 0 {
        writeln!(
            out,
            "  {} Traefik socket(s) with no dispatch socket at their start were left out: most \
             dispatch sockets found no Traefik line either, so they may be the same sockets; a \
             socket that only Traefik saw may be missing",
            analysis.traefik_set_aside
        )?;
    }
    writeln!(out, "  coverage:")?;
    let coverage = &analysis.coverage;
    match &coverage.journal {
        Some(span) => writeln!(out, "    {}", span_text(span))?,
        None => {
            // A journal given but read with no timed line (every line malformed) is not
            // missing: its warning gives the reason nothing was read.
            let given: Vec<&str> = report
                .inputs
                .iter()
                .filter(|input| input.input_type.is_some_and(|t| t.starts_with("journal")))
                .map(|input| input.name.as_str())
                .collect();
            if given.is_empty() {
                writeln!(out, "    devvm journal: not given")?;
            } else {
                writeln!(
                    out,
                    "    devvm journal: no line read from {} (see the warnings)",
                    given.join(", ")
                )?;
            }
        }
    }
    match (&coverage.traefik, &analysis.traefik_unmatched) {
        (Some(span), _) => writeln!(out, "    {}", span_text(span))?,
        (None, Some((span, _))) => writeln!(
            out,
            "    {}; left out: no t3 WebSocket line",
            span_text(span)
        )?,
        (None, None) => writeln!(out, "    traefik: not given")?,
    }
    if coverage.cloudflared.is_empty() {
        writeln!(out, "    cloudflared: not given")?;
    }
    for span in &coverage.cloudflared {
        // A span of unknown pod is named after its input, such as a journal that carries
        // cloudflared's lines: that name is no pod.
        let label = if report.inputs.iter().any(|input| input.name == span.name) {
            "cloudflared in"
        } else {
            "cloudflared pod"
        };
        writeln!(out, "    {label} {}", span_text(span))?;
    }
    for span in &coverage.probe {
        let text = span_text(span).replacen(" lines,", " samples,", 1);
        writeln!(out, "    probe leg {text}")?;
    }
    if let Some(span) = &coverage.pressure {
        let text = span_text(span).replacen(" lines,", " samples,", 1);
        writeln!(out, "    {text}")?;
    }

    writeln!(out, "  inputs:")?;
    for input in report.inputs {
        if let Some(first) = &input.repeat_of {
            let description = match input.repeat {
                Some(crate::run::Repeat::SameContent) => format!("the same bytes as {first}"),
                Some(crate::run::Repeat::SameFile) => format!("the same file as {first}"),
                _ => "given again".to_string(),
            };
            writeln!(out, "    {}: {description}, not read again", input.name)?;
            continue;
        }
        writeln!(
            out,
            "    {} ({}): {} {} read = {} used + {} ignored + {} malformed",
            input.name,
            input.type_label(),
            input.lines,
            input.unit.name_for(input.lines),
            input.used,
            input.ignored,
            input.malformed
        )?;
        for (line, reason) in &input.malformed_examples {
            writeln!(out, "      malformed {}:{line}: {reason}", input.name)?;
        }
    }
    write_warnings(out, report)
}

/// Writes the run's warnings on their own, for runs that print no summary: `--quiet`, or rows
/// on a terminal.
pub fn write_warnings(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let out = &mut Printable { inner: out };
    for warning in warnings(report) {
        writeln!(out, "t3forensics: warning: {warning}")?;
    }
    Ok(())
}

/// The largest measured clock offset that still confirms the journal was read in the zone it
/// was printed in. A zone mistake is at least a quarter hour.
const CLOCK_CONFIRMED_WITHIN: i64 = 60 * SECOND;

/// Returns the run's warnings: those of the inputs (inputs that ended early or were empty),
/// then those of the analysis (a doubtful clock offset, a failed join, missing pod logs).
pub fn warnings(report: &Report) -> Vec<String> {
    let analysis = report.analysis;
    let offset_warning = offset_warning(report);
    // A forced offset that joins nothing leaves every socket without its Traefik line, which
    // silently weakens every verdict.
    let skew_warning = (analysis.offset.method == "given"
        && analysis.joined == 0
        && analysis.dispatch_sockets > 0
        && analysis.traefik_sockets > 0)
        .then(|| {
            "the --skew given joins no dispatch socket to a Traefik line; leave --skew out to \
             measure the offset"
                .to_string()
        });
    let private_clients_warning = analysis.traefik_private_clients.map(|(count, example)| {
        format!(
            "{count} of {} Traefik WebSocket lines give only a private client address (such \
             as {example}) while dispatch logs public ones, so Traefik probably does not trust \
             the X-Forwarded-For it receives. Its lines cannot be joined to dispatch sockets, \
             and the drop of a socket only Traefik saw (opened before the journal begins) \
             cannot be found. Add the cloudflared pods' addresses to the entry point's \
             forwardedHeaders.trustedIPs",
            analysis.traefik_sockets
        )
    });
    // When most closed sockets found no Traefik line although Traefik has sockets, the offset
    // or the client addresses are wrong, and every verdict lacks its Traefik half.
    let (closed_joined, closed) = analysis.closed_joined;
    let skew_given = analysis.offset.method == "given";
    let join_warning = (closed >= 3
        && 2 * closed_joined < closed
        && analysis.traefik_sockets > 0
        && !(skew_given && analysis.joined == 0)
        && analysis.traefik_private_clients.is_none())
    .then(|| {
        if skew_given {
            format!(
                "only {closed_joined} of {closed} closed dispatch sockets joined a Traefik line \
                 with the --skew given, which is probably wrong; leave --skew out to measure \
                 the offset"
            )
        } else {
            format!(
                "only {closed_joined} of {closed} closed dispatch sockets joined a Traefik line: \
                 the devvm clock may be more than 10 min off the cluster's, or the two logs may \
                 not cover the same sockets; if the offset is known, give it with --skew SECONDS"
            )
        }
    });
    // Without Traefik the offset cannot be measured, yet cloudflared and metric times are
    // compared with journal times as they are.
    let coverage = &analysis.coverage;
    let cluster_side = !coverage.cloudflared.is_empty()
        || !coverage.probe.is_empty()
        || coverage.pressure.is_some();
    let unmeasured_warning = (analysis.offset.method == "none"
        && analysis.dispatch_sockets > 0
        && analysis.traefik_sockets == 0
        && cluster_side)
        .then(|| {
            "the devvm clock offset was not measured, since no Traefik WebSocket line was given \
             to pair dispatch sockets with; cloudflared and metric times are compared with the \
             journal's as they are, so give the offset with --skew SECONDS if devvm's clock \
             differs, or add the Traefik log"
                .to_string()
        });
    let unmatched_warning = analysis.traefik_unmatched.as_ref().map(|(_, routers)| {
        let seen = if routers.is_empty() {
            "no browser WebSocket request at --ws-path on any router; the in-cluster probe's \
             requests, on /probe/ paths or probe routers, never count"
                .to_string()
        } else {
            let list: Vec<String> = routers
                .iter()
                .take(3)
                .map(|(router, count)| format!("{router} ({count})"))
                .collect();
            format!("WebSocket requests went to {}", list.join(", "))
        };
        format!(
            "no Traefik line is a WebSocket request on a router --router matches, although \
             dispatch sockets closed while Traefik logged ({seen}). Traefik is left out of the \
             verdicts; set --router to the t3 router's name (and --ws-path to its path)"
        )
    });
    let (pod_logs, pods) = (coverage.cloudflared.len(), coverage.cloudflared_pods());
    let pods_warning = (pods > pod_logs).then(|| {
        format!(
            "dispatch's ip= chains name {pods} cloudflared pod addresses while cloudflared \
             logs, but {pod_logs} pod log(s) were given; give every pod's log (kubectl logs \
             for each pod), or a drop through a missing pod can be put on the user's network"
        )
    });
    // A stream not named like a pod may hold several pods' lines, so the count above is off.
    // Among several streams, that likely means one pod's log was named by hand, and with
    // dispatch naming more pod addresses than there are streams, a pod's log may be missing
    // with nothing else to tell. One unnamed stream is all pods in one file, which the README
    // documents, so it gets no warning.
    let unnamed: Vec<&str> = coverage
        .cloudflared
        .iter()
        .map(|span| span.name.as_str())
        .filter(|name| !crate::correlate::coverage::is_pod_name(name))
        .collect();
    let unnamed_pods_warning = (coverage.cloudflared_unnamed
        && !unnamed.is_empty()
        && pod_logs >= 2
        && coverage.cloudflared_addresses > pod_logs)
        .then(|| {
            format!(
                "the cloudflared pods were not counted: {} not named like a Kubernetes pod \
                 (cloudflared-REPLICASET-XXXXX or cloudflared-N), so it may contain several \
                 pods' lines. dispatch's ip= chains name {} pod addresses and {pod_logs} \
                 cloudflared log(s) were given. Name each pod's log after its pod, or a drop \
                 through a pod whose log is missing can be put on the user's network",
                match unnamed.as_slice() {
                    [one] => format!("{one} is"),
                    [first, rest @ ..] => format!("{first} and {} more are", rest.len()),
                    [] => unreachable!("checked above"),
                },
                coverage.cloudflared_addresses
            )
        });
    // Socket pairs that agree with the journal's times as read show that it was read in the
    // right zone, whatever zone dispatch's own Go times are in.
    let offset = &analysis.offset;
    // Sockets from one side of a DST change confirm nothing about the other side.
    let clock_confirmed = offset.method == "measured"
        && offset.micros.abs() < CLOCK_CONFIRMED_WITHIN
        && offset.zone_hint.is_none()
        && offset.split.is_none()
        && coverage.clock_changes.is_empty();
    // Sockets that start a zone offset from their Traefik lines show the journal's times off,
    // so the reading that they are right is left out of the journal's zone warning.
    let (_, zone_like_offset) = describe_offset(offset);
    // The offset that warning names: the one in use when it is a zone offset, or else the
    // whole hours more sockets start at.
    let traefik_zone_offset = zone_like_offset.map(|_| {
        offset
            .zone_hint
            .filter(|_| offset.micros.abs() < 1700 * SECOND)
            .unwrap_or(offset.micros)
    });
    let step_warning = offset
        .step
        .as_ref()
        .map(|step| step.warning(input_name(report.inputs, step.line.input)));
    let clock_change_warnings = coverage
        .clock_changes
        .iter()
        .map(|change| change.warning(input_name(report.inputs, change.origin.input)));
    let clock_warnings = report
        .inputs
        .iter()
        .filter(|_| !clock_confirmed)
        .flat_map(|i| i.clock_warnings.iter())
        .map(|warning| warning.text(traefik_zone_offset));
    report
        .inputs
        .iter()
        .flat_map(|i| i.warnings.iter().cloned())
        .chain(clock_change_warnings)
        .chain(clock_warnings)
        .chain(step_warning)
        .chain(offset_warning)
        .chain(skew_warning)
        .chain(private_clients_warning)
        .chain(unmatched_warning)
        .chain(join_warning)
        .chain(unmeasured_warning)
        .chain(pods_warning)
        .chain(unnamed_pods_warning)
        .collect()
}

/// The summary as JSON, for the `meta` object of `--format json`.
pub fn meta_json(report: &Report) -> Value {
    let analysis = report.analysis;
    let (offset_text, _) = describe_offset(&analysis.offset);
    let offset_warning = offset_warning(report);
    let mut per_segment: BTreeMap<&str, usize> = BTreeMap::new();
    for drop in &report.drops {
        *per_segment.entry(drop.segment.as_str()).or_default() += 1;
    }
    let mut meta = json!({
        "tool": format!("t3forensics {}", env!("CARGO_PKG_VERSION")),
        "drops": report.drops.len(),
        "bursts": report.bursts.len(),
        "per_segment": per_segment,
        "clock_offset": {
            "seconds": analysis.offset.micros as f64 / SECOND as f64,
            "method": analysis.offset.method,
            "pairs": analysis.offset.pairs,
            "text": offset_text,
            "warning": offset_warning,
        },
        "coverage": &analysis.coverage,
        "inputs": report.inputs,
    });
    // Only a run with a clock step has the key, so other runs' output stays as it was.
    if let Some(step) = &analysis.offset.step {
        let name = input_name(report.inputs, step.line.input);
        meta["clock_offset"]["step"] = json!({
            "seconds": step.shift as f64 / SECOND as f64,
            "input": name,
            "line": step.line.line(),
            "exact": step.exact,
            "sockets_before": step.sockets_before,
            "sockets_after": step.sockets_after,
            "corrected": step.corrected.is_some(),
            "warning": step.warning(name),
        });
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-06-10T19:00:00Z.
    const HOUR_START: i64 = 1_781_118_000 * SECOND;

    fn offset(micros: i64, method: &'static str, zone_hint: Option<i64>) -> Offset {
        Offset {
            micros,
            method,
            pairs: 0,
            uncertainty: 0,
            zone_hint,
            other_zone_hint: None,
            ambiguous: 0,
            split: None,
            step: None,
        }
    }

    #[test]
    fn offset_counts_its_pairs_in_words() {
        for (pairs, micros, expected) in [
            (1, 0, "from 1 socket pair)"),
            (19, 0, "from 19 socket pairs)"),
            (1, 3 * SECOND, "from 1 socket pair)"),
        ] {
            let measured = Offset {
                pairs,
                ..offset(micros, "measured", None)
            };
            let (text, _) = describe_offset(&measured);
            assert!(text.ends_with(expected), "{text}");
        }
    }

    #[test]
    fn dst_offsets_suggest_tz_only() {
        let mut across_dst = offset(0, "none", Some(-4 * 3600 * SECOND));
        across_dst.other_zone_hint = Some(-5 * 3600 * SECOND);
        let (_, warning) = describe_offset(&across_dst);
        let warning = warning.unwrap();
        assert!(warning.contains("set --tz"), "{warning}");
        assert!(warning.contains("-5.0 h"), "{warning}");
        assert!(!warning.contains("--skew -"), "{warning}");
    }

    #[test]
    fn hour_offset_warns_unless_given() {
        let (_, measured) = describe_offset(&offset(3600 * SECOND, "measured", None));
        assert!(measured.is_some_and(|w| w.contains("set --tz")));
        let (_, hinted) = describe_offset(&offset(0, "none", Some(-5400 * SECOND)));
        assert!(hinted.is_some_and(|w| w.contains("--skew -5400")));

        // The user set the offset with --skew, whatever its size.
        for seconds in [3600, -1800, 7200, 19800] {
            let (text, warning) = describe_offset(&offset(seconds * SECOND, "given", None));
            assert!(text.contains("set with --skew"), "{text}");
            assert_eq!(warning, None, "{seconds} s");
        }
        // A given offset that the sockets contradict by whole hours is still named.
        let (text, contradicted) = describe_offset(&offset(0, "given", Some(3600 * SECOND)));
        assert!(contradicted.is_some_and(|w| w.contains("--skew 3600")));
        assert!(
            text.ends_with(
                "doubtful: more sockets start +1.0 h from their Traefik lines (see the warning)"
            ),
            "{text}"
        );

        // Chance pairs that agree at zero, beaten by pairs an hour apart: no settled "agree".
        let (text, _) = describe_offset(&offset(0, "measured", Some(-3600 * SECOND)));
        assert!(text.starts_with("devvm and the cluster agree"), "{text}");
        assert!(
            text.contains("doubtful: more sockets start -1.0 h"),
            "{text}"
        );
        let (text, _) = describe_offset(&offset(0, "measured", None));
        assert!(!text.contains("doubtful"), "{text}");
    }

    #[test]
    fn printable_replaces_control_characters() {
        let mut out = Vec::new();
        let mut printable = Printable { inner: &mut out };
        writeln!(printable, "  per user: ev\x1b[31mil\x1b]0;pwn\x07 2\tok").unwrap();
        writeln!(printable, "c1 \u{9b}31m é\r").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "  per user: ev?[31mil?]0;pwn? 2\tok\nc1 ?31m é?\n");
    }

    fn histogram(drops: &[(i64, Segment)]) -> String {
        let mut out = Vec::new();
        write_histogram(&mut out, drops).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn histogram_lists_minutes_with_drops() {
        let at = |minute: i64, second: i64| HOUR_START + (minute * 60 + second) * SECOND;
        let mut drops = vec![(at(12, 30), Segment::LastMile)];
        drops.extend([(at(40, 7), Segment::ClusterPath); 4]);
        drops.push((at(40, 59), Segment::T3Serve));
        assert_eq!(
            histogram(&drops),
            "  drops per minute (UTC):\n    19:12 # 1 (last_mile 1)\n    \
             19:40 ##### 5 (t3_serve 1, cluster_path 4)\n"
        );
    }

    #[test]
    fn histogram_without_drops_is_empty() {
        assert_eq!(histogram(&[]), "");
    }

    #[test]
    fn histogram_scales_long_bars() {
        let drops = vec![(HOUR_START, Segment::Unknown); 400];
        let mut one = drops.clone();
        one.push((HOUR_START + 120 * SECOND, Segment::Unknown));
        let text = histogram(&one);
        assert!(text.contains(&format!("19:00 {} 400 (unknown 400)", "#".repeat(40))));
        assert!(text.contains("19:02 # 1 (unknown 1)"), "{text}");
    }

    #[test]
    fn histogram_keeps_busiest_minutes() {
        // One drop in each of 30 minutes, and three in minute 10.
        let mut drops: Vec<(i64, Segment)> = (0..30)
            .map(|m| (HOUR_START + m * 60 * SECOND, Segment::Devvm))
            .collect();
        drops.extend([(HOUR_START + 600 * SECOND, Segment::Devvm); 2]);
        let text = histogram(&drops);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + HISTOGRAM_MAX_LINES + 1);
        assert!(text.contains("19:10 ### 3"), "the busiest minute is kept");
        assert!(
            !text.contains("19:29"),
            "the latest of the equal minutes is left out"
        );
        assert_eq!(
            lines.last().copied(),
            Some("    ... 6 more minute(s) with 6 drop(s) not listed; these are the 24 busiest")
        );
    }

    #[test]
    fn histogram_dates_minutes_over_several_days() {
        let drops = [
            (HOUR_START, Segment::Devvm),
            (HOUR_START + 86400 * SECOND, Segment::Devvm),
        ];
        let text = histogram(&drops);
        assert!(text.contains("    2026-06-10 19:00 # 1"), "{text}");
        assert!(text.contains("    2026-06-11 19:00 # 1"), "{text}");
    }
}
