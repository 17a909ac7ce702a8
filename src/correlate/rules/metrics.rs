//! The checks of the rules that rest on metric series: the probe's three legs and devvm's
//! pressure.
//!
//! A metric event is known only to the resolution of its samples: a leg read 0 at one scrape
//! went down at some point after the scrape before. So each event stands for an interval, from
//! the earlier sample to the later one (to the first sample back up, for a leg that was down),
//! and it is evidence for a window when that interval overlaps the window. Every reason that
//! rests on such an interval states how far apart its samples were.

use std::collections::BTreeSet;

use super::{Context, Finding, Subject, relative, what};
use crate::correlate::Confidence;
use crate::event::{Event, EventKind};
use crate::parse::metrics::SERVE_LEG;
use crate::time::{self, SECOND};

/// The probe's legs: through Cloudflare and the tunnel, straight to Traefik's load balancer,
/// and plain HTTP to the serve port.
pub const LEGS: [&str; 3] = ["cloudflare", "internal", "t3serve"];

/// Returns the interval an event of the probe or of the pressure series stands for.
fn interval(event: &Event) -> Option<(i64, i64)> {
    match &event.kind {
        EventKind::ProbeLegDown {
            end, resolution, ..
        } => Some((event.time - resolution, end.unwrap_or(i64::MAX))),
        EventKind::ProbeLegUp { since, .. } => Some((*since, event.time)),
        EventKind::ProbeDisconnect { resolution, .. }
        | EventKind::ProbeRttSpike { resolution, .. } => {
            Some((event.time - resolution, event.time))
        }
        EventKind::PressureEpisode { end, .. } => Some((event.time, *end)),
        _ => None,
    }
}

fn resolution(event: &Event) -> i64 {
    match &event.kind {
        EventKind::ProbeLegDown { resolution, .. }
        | EventKind::ProbeLegUp { resolution, .. }
        | EventKind::ProbeDisconnect { resolution, .. }
        | EventKind::ProbeRttSpike { resolution, .. }
        | EventKind::PressureEpisode { resolution, .. } => *resolution,
        _ => 0,
    }
}

fn leg_of(event: &Event) -> Option<&str> {
    match &event.kind {
        EventKind::ProbeLegDown { leg, .. }
        | EventKind::ProbeLegUp { leg, .. }
        | EventKind::ProbeDisconnect { leg, .. }
        | EventKind::ProbeRttSpike { leg, .. } => Some(leg),
        _ => None,
    }
}

/// Metric events whose interval overlaps `[from, to]` and that `keep` accepts, in time order.
fn overlapping(ctx: &Context, from: i64, to: i64, keep: impl Fn(&Event) -> bool) -> Vec<usize> {
    ctx.metric_events
        .iter()
        .copied()
        .filter(|&i| {
            let event = &ctx.events[i];
            keep(event) && interval(event).is_some_and(|(start, end)| start <= to && end >= from)
        })
        .collect()
}

/// Events showing that `leg` was down or disconnected in `[from, to]`. A round-trip spike
/// counts for the serve leg only, where it means the serve stalled.
pub fn leg_trouble(ctx: &Context, leg: &str, from: i64, to: i64) -> Vec<usize> {
    overlapping(ctx, from, to, |event| {
        leg_of(event) == Some(leg)
            && match event.kind {
                EventKind::ProbeLegDown { .. }
                | EventKind::ProbeLegUp { .. }
                | EventKind::ProbeDisconnect { .. } => true,
                EventKind::ProbeRttSpike { .. } => leg == SERVE_LEG,
                _ => false,
            }
    })
}

/// Pressure episodes overlapping `[from, to]`.
pub fn pressure_episodes(ctx: &Context, from: i64, to: i64) -> Vec<usize> {
    overlapping(ctx, from, to, |event| {
        matches!(event.kind, EventKind::PressureEpisode { .. })
    })
}

/// Says what one metric event shows, in words.
fn describe(ctx: &Context, index: usize) -> String {
    let event = &ctx.events[index];
    let at = time::format_seconds(event.time);
    match &event.kind {
        EventKind::ProbeLegDown { leg, end, .. } => match end {
            Some(end) => format!(
                "the probe's {leg} leg read down from {at} until {}",
                time::format_seconds(*end)
            ),
            None => format!("the probe's {leg} leg read down from {at} to the end of the input"),
        },
        EventKind::ProbeLegUp { leg, since, .. } => format!(
            "the probe's {leg} leg read down from {} until {at}",
            time::format_seconds(*since)
        ),
        EventKind::ProbeDisconnect {
            leg,
            reason,
            count,
            resolution,
        } => {
            let times = if *count == 1 {
                String::new()
            } else {
                format!(" {count} times")
            };
            if *resolution == 0 {
                format!("the probe's {leg} leg disconnected{times} ({reason}) at {at}")
            } else {
                format!(
                    "the probe's {leg} leg disconnected{times} ({reason}) between {} and {at}",
                    time::format_seconds(event.time - resolution)
                )
            }
        }
        EventKind::ProbeRttSpike {
            leg,
            count,
            above_seconds,
            resolution,
        } => format!(
            "{count} of the probe's {leg} requests took over {above_seconds} s between {} and {at}",
            time::format_seconds(event.time - resolution)
        ),
        EventKind::PressureEpisode {
            resource,
            end,
            peak,
            threshold,
            ..
        } => format!(
            "devvm was under {} pressure from {at} to {} (stall rate peaked at {peak:.2} s/s, above {threshold})",
            resource.as_str(),
            time::format_seconds(*end)
        ),
        _ => String::new(),
    }
}

/// Writes the clause that states a verdict rests on samples, and how far apart they were. An event
/// dated exactly (by `t3probe_last_disconnect_timestamp`) needs no such clause.
fn samples_note(ctx: &Context, evidence: &[usize]) -> String {
    let finest = evidence
        .iter()
        .map(|&i| resolution(&ctx.events[i]))
        .min()
        .unwrap_or(0);
    let widest = evidence
        .iter()
        .map(|&i| resolution(&ctx.events[i]))
        .max()
        .unwrap_or(0);
    if finest >= SECOND {
        format!(
            "; this rests on metric samples {} s apart (the scrape interval), so the fault lies somewhere in that span",
            widest / SECOND
        )
    } else {
        String::new()
    }
}

/// Finds the probe's cloudflare leg down while its internal leg, which skips Cloudflare,
/// stayed up and covered the window.
pub fn probe_cloudflare_leg_down(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence = leg_trouble(ctx, "cloudflare", subject.from, subject.to);
    let first = *evidence.first()?;
    if !leg_trouble(ctx, "internal", subject.from, subject.to).is_empty()
        || !ctx
            .coverage
            .probe_legs_not_covering(&["internal"], subject.from, subject.to)
            .is_empty()
    {
        return None;
    }
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{} ({} {}) while its internal leg, which skips Cloudflare, stayed up: the break was at the \
             Cloudflare edge or the tunnel{}",
            describe(ctx, first),
            relative(ctx.events[first].time, super::reference(ctx, subject)),
            what(subject),
            samples_note(ctx, &evidence)
        ),
        evidence,
    })
}

/// Finds both WebSocket legs of the probe down together: the path they share behind Cloudflare.
pub fn probe_websocket_legs_down(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let cloudflare = leg_trouble(ctx, "cloudflare", subject.from, subject.to);
    let internal = leg_trouble(ctx, "internal", subject.from, subject.to);
    let (&first_cf, &first_internal) = (cloudflare.first()?, internal.first()?);
    let mut evidence: Vec<usize> = cloudflare.iter().chain(&internal).copied().collect();
    evidence.sort_unstable();
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{}, and {} ({}): both WebSocket legs of the probe broke together, so the break was on \
             the cluster path they share behind Cloudflare{}",
            describe(ctx, first_cf),
            describe(ctx, first_internal),
            what(subject).replace("the ", "around the "),
            samples_note(ctx, &evidence)
        ),
        evidence,
    })
}

/// Finds the serve leg down or slow, or a pressure episode, in the window.
fn serve_stall(ctx: &Context, subject: &Subject) -> Vec<usize> {
    let mut evidence = leg_trouble(ctx, "t3serve", subject.from, subject.to);
    evidence.extend(pressure_episodes(ctx, subject.from, subject.to));
    evidence.sort_unstable();
    evidence
}

/// Collects the users (or, for sockets known only by client, the clients) that dropped in the
/// window.
fn dropped_in_window(ctx: &Context, from: i64, to: i64) -> BTreeSet<String> {
    ctx.candidates
        .iter()
        .filter(|c| c.time >= from && c.time <= to)
        .map(|c| {
            let socket = &ctx.sockets[c.socket];
            match (&socket.user, socket.client) {
                (Some(user), _) => user.to_string(),
                (None, Some(client)) => client.to_string(),
                (None, None) => format!("socket {}", c.socket),
            }
        })
        .collect()
}

/// Finds a serve-leg stall or pressure episode while only this drop's user dropped: that
/// user's serve stalled.
pub fn serve_leg_or_pressure_this_user_only(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let evidence = serve_stall(ctx, subject);
    let first = *evidence.first()?;
    let users = dropped_in_window(ctx, subject.from, subject.to);
    if users.len() != 1 {
        return None;
    }
    let who = ctx.sockets[drop.socket]
        .user
        .as_deref()
        .map_or("this user".to_string(), |u| u.to_string());
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{} and only {who} dropped in the window: {who}'s t3 serve stalled{}",
            describe(ctx, first),
            samples_note(ctx, &evidence)
        ),
        evidence,
    })
}

/// Finds a serve-leg stall or pressure episode while several users dropped: devvm stalled.
pub fn serve_leg_or_pressure_several_users(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence = serve_stall(ctx, subject);
    let first = *evidence.first()?;
    let users = dropped_in_window(ctx, subject.from, subject.to);
    if users.len() < 2 {
        return None;
    }
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{} and {} users dropped in the window ({}): devvm stalled{}",
            describe(ctx, first),
            users.len(),
            users.into_iter().collect::<Vec<_>>().join(", "),
            samples_note(ctx, &evidence)
        ),
        evidence,
    })
}

/// The state of the probe and the pressure series over a window.
pub struct MetricsClean {
    /// Every leg covers the window and none was down, disconnected or slow.
    pub probe_clean: bool,
    /// The pressure series cover the window with no episode.
    pub pressure_clean: bool,
    /// The legs that do not cover the window.
    pub legs_missing: Vec<String>,
    /// The legs with trouble in the window (`internal` alone down is not on a user's path).
    pub legs_troubled: Vec<&'static str>,
}

/// Checks the probe and the pressure series over `[from, to]`.
pub fn metrics_clean(ctx: &Context, from: i64, to: i64) -> MetricsClean {
    let legs_missing = ctx.coverage.probe_legs_not_covering(&LEGS, from, to);
    let legs_troubled: Vec<&'static str> = LEGS
        .iter()
        .copied()
        .filter(|leg| !leg_trouble(ctx, leg, from, to).is_empty())
        .collect();
    MetricsClean {
        probe_clean: legs_missing.is_empty() && legs_troubled.is_empty(),
        pressure_clean: ctx.coverage.pressure_covers(from, to)
            && pressure_episodes(ctx, from, to).is_empty(),
        legs_missing,
        legs_troubled,
    }
}

/// Finds a window where logs are missing but every leg of the probe covered it and stayed up:
/// the last mile, resting on the probe.
pub fn last_mile_probe(ctx: &Context, subject: &Subject) -> Option<Finding> {
    if subject.burst.is_some() {
        return None;
    }
    let clean = metrics_clean(ctx, subject.from, subject.to);
    if !clean.probe_clean || ctx.clock_doubt_over(subject.from, subject.to).is_some() {
        return None;
    }
    // A silence of the devvm journal may be a freeze the probe's 15 s samples missed.
    if ctx
        .coverage
        .journal
        .as_ref()
        .is_some_and(|j| j.gap_within(subject.from, subject.to).is_some())
    {
        return None;
    }
    // The probe's own serve leg does not show a serve restarting or lines the journal lost,
    // nor this user's serve failing to respond to an upgrade.
    if super::journal_unclean(ctx, subject)
        || subject
            .drops
            .first()
            .is_some_and(|drop| super::fallback::gateway_failure(ctx, subject, drop))
    {
        return None;
    }
    let missing = super::missing_sources(ctx, subject.from, subject.to);
    let pressure = if clean.pressure_clean {
        "and devvm's pressure stayed under its thresholds"
    } else {
        "(devvm's pressure series do not cover it)"
    };
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{} not cover this time, so the verdict rests on the probe: its cloudflare, internal and \
             t3serve legs all stayed connected through the window {pressure}, so the path up to the \
             serve was working: the user's own network",
            super::join_names(&missing)
        ),
        evidence: Vec::new(),
    })
}
