//! The two rules tried last. `last_mile` matches when every source covers the drop and shows
//! nothing wrong. `unknown` matches everything else, and its reason names the missing evidence
//! or the contradiction.

use super::{
    Context, Finding, Subject, burst_members, clients_dropping_near, gateway_status, join_names,
    journal_covers, mapped_refusal, metrics, missing_sources, reference, relative, serve_failures,
    serve_lines_without_user, unmapped_refusal, what,
};
use crate::correlate::Confidence;
use crate::correlate::drops::Candidate;
use crate::correlate::sockets::Socket;
use crate::event::{CloseCause, EventKind};
use crate::time::SECOND;

pub(super) fn last_mile_clean(ctx: &Context, subject: &Subject) -> Option<Finding> {
    if subject.burst.is_some() || !missing_sources(ctx, subject.from, subject.to).is_empty() {
        return None;
    }
    // The sources may be clean at a moment other than the drop's.
    if ctx.clock_doubt_over(subject.from, subject.to).is_some() {
        return None;
    }
    let drop = subject.drops.first()?;
    if clients_dropping_near(ctx, drop) >= ctx.options.burst_min.max(2) {
        return None;
    }
    let socket = ctx.socket(drop);
    // A Traefik status of 502, 503 or 504 means the upgrade never came back through Traefik,
    // so the path failed on devvm's side of Traefik, not in the user's network. That is so
    // when dispatch logged the socket too, because dispatch then got the request but the
    // serve's response did not come back in time.
    if gateway_failure(ctx, subject, drop) {
        return None;
    }
    // A drop whose user is not known could be the one whose serve failed or refused dials.
    if socket.user.is_none()
        && (!serve_failures(ctx, subject.from, subject.to).is_empty()
            || mapped_refusal(ctx, subject.from, subject.to).is_some())
    {
        return None;
    }
    // Some serve was down in the window, possibly this user's: no clean path.
    if unmapped_refusal(ctx, subject.from, subject.to).is_some() {
        return None;
    }
    if journal_unclean(ctx, subject) {
        return None;
    }
    let (covering, pods) = ctx.coverage.cloudflared_cover(subject.from, subject.to);
    let life_ms = socket.dur_ms.unwrap_or(0);
    // A graceful close (or one Traefik saw without a cause) after the heartbeat timeout.
    let heartbeat = matches!(socket.cause, None | Some(CloseCause::Graceful))
        && life_ms >= ctx.options.heartbeat_ms;
    let shape = if heartbeat {
        // Other users' serves may have logged in the window; the rules before this one ruled
        // out a devvm cause and this user's serve.
        let serve_text = socket
            .user
            .as_deref()
            .map_or("the user's serve".to_string(), |user| {
                format!("{user}'s serve")
            });
        format!(
            "a close after {} s of life with no marker of devvm or of {serve_text} is the client's \
             heartbeat timeout firing",
            life_ms / 1000
        )
    } else {
        "nothing on the path shows a fault".to_string()
    };
    let metrics = metrics::metrics_clean(ctx, subject.from, subject.to);
    let confidence = if metrics.probe_clean && metrics.pressure_clean && covering == pods {
        Confidence::High
    } else if heartbeat && covering == pods {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    // The sources named first are those that cover the window and are clean.
    let (cloudflared, pods_note) = if covering < pods {
        (
            format!("{covering} of {pods} cloudflared pods"),
            ctx.coverage.cloudflared_pods_note(),
        )
    } else {
        ("cloudflared".to_string(), String::new())
    };
    let metrics_note = if metrics.probe_clean && metrics.pressure_clean {
        "; the probe's three legs stayed connected and devvm had no pressure".to_string()
    } else if !metrics.legs_troubled.is_empty() {
        format!(
            "; the probe's {} leg(s) had trouble in the window, which no rule ties to a segment",
            metrics.legs_troubled.join(", ")
        )
    } else if ctx.coverage.probe.is_empty() && ctx.coverage.pressure.is_none() {
        String::new()
    } else if !metrics.legs_missing.is_empty() {
        format!(
            "; the probe's {} leg(s) do not cover the window",
            metrics.legs_missing.join(", ")
        )
    } else {
        "; devvm's pressure series do not cover the window".to_string()
    };
    Some(Finding {
        confidence,
        reason: format!(
            "the devvm journal, Traefik and {cloudflared} cover this time and are clean; \
             {shape}: the user's own network{pods_note}{metrics_note}"
        ),
        evidence: Vec::new(),
    })
}

/// Tells whether Traefik returned 502, 503 or 504 for the drop's request, or for its
/// reconnect that started in the window. The upgrade then never came back through Traefik,
/// which is a failure on devvm's side of it.
pub(super) fn gateway_failure(ctx: &Context, subject: &Subject, drop: &Candidate) -> bool {
    ctx.socket(drop).gateway_error || reconnect_gateway_status(ctx, subject, drop).is_some()
}

/// Returns the Traefik status and socket of the drop's reconnect when it started in the window
/// and Traefik returned 502, 503 or 504 for it. The old socket's graceful close then hid a
/// failure on devvm's side of Traefik, because a hung serve sends no heartbeat reply and then
/// no upgrade response to the next request.
fn reconnect_gateway_status<'a>(
    ctx: &'a Context,
    subject: &Subject,
    drop: &Candidate,
) -> Option<(u16, &'a Socket)> {
    if subject.burst.is_some() {
        return None;
    }
    let reconnect = &ctx.sockets[drop.reconnect?];
    if reconnect.start < subject.from || reconnect.start > subject.to {
        return None;
    }
    Some((gateway_status(ctx, reconnect)?, reconnect))
}

/// Tells whether the journal keeps a drop from any clean-path verdict: dispatch opened its
/// socket and never closed it, or a serve line of no known user lies in the window. Such a
/// line may be this user's serve restarting, or make two users' git timeouts.
pub(super) fn journal_unclean(ctx: &Context, subject: &Subject) -> bool {
    let unclosed = subject
        .drops
        .first()
        .is_some_and(|drop| unclosed_open(ctx.socket(drop)).is_some());
    unclosed || !serve_lines_without_user(ctx, subject.from, subject.to).is_empty()
}

/// Returns the `ws open` event of a socket dispatch opened and never closed, though no restart
/// orphaned it: its end is Traefik's. Dispatch logs a close for every socket it serves, so the
/// journal lost the close line, or dispatch restarted without the lines that show it (journald
/// rate limiting drops them too). Either way the journal is not clean for this socket.
fn unclosed_open(socket: &Socket) -> Option<usize> {
    if socket.close.is_some() || socket.orphaned_by.is_some() || socket.end.is_none() {
        return None;
    }
    socket.open
}

pub(super) fn unknown(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let missing = missing_sources(ctx, subject.from, subject.to);
    // The lines a reason names, cited as evidence.
    let mut cited: Vec<usize> = Vec::new();
    let near = match (subject.burst, subject.drops.first()) {
        (None, Some(drop)) => clients_dropping_near(ctx, drop),
        _ => 0,
    };
    let reason = if near >= ctx.options.burst_min.max(2) && ctx.options.burst_window == SECOND {
        format!(
            "{near} clients dropped within a second of it (whole-second times one second apart \
             count), though not all in one UTC second, so the one-second burst window does not \
             group them all; a shared cause is likely, and --burst-window 2s groups them into \
             one burst"
        )
    } else if near >= ctx.options.burst_min.max(2) {
        format!(
            "{near} clients dropped within a second of it, though the burst window left it out \
             of their burst; a shared cause is likely"
        )
    } else if let Some((id, clients, cancels)) = subject.burst {
        let members = burst_members(ctx, clients, cancels);
        if !journal_covers(ctx, subject.from, subject.to) {
            return Some(Finding {
                confidence: Confidence::Low,
                reason: format!(
                    "burst {id}: {members}, but the devvm journal does not cover that time, so a \
                     devvm, t3 serve or dispatch cause cannot be ruled out"
                ),
                evidence: Vec::new(),
            });
        }
        let need = if missing.iter().any(|m| m == "cloudflared") {
            "cloudflared logs covering it are needed to tell Cloudflare from the cluster path"
        } else {
            "the sources do not say which"
        };
        format!(
            "burst {id}: {members} with no devvm, serve or dispatch marker: the break was on the \
             shared path (Cloudflare, the tunnel or Traefik); {need}"
        )
    } else if let Some(failure) = subject
        .drops
        .first()
        .filter(|drop| ctx.socket(drop).user.is_none())
        .and_then(|_| {
            serve_failures(ctx, subject.from, subject.to)
                .first()
                .copied()
        })
    {
        let event = &ctx.events[failure];
        let user = event.kind.user().unwrap_or("a user");
        cited.push(failure);
        format!(
            "the drop's user is not known (dispatch did not log its socket), and {user}'s t3 \
             serve failed {} it: the drop may be that serve's, so the last mile cannot be confirmed",
            relative(event.time, reference(ctx, subject))
        )
    } else if let Some((refusal, port, user)) = subject
        .drops
        .first()
        .filter(|drop| ctx.socket(drop).user.is_none())
        .and_then(|_| mapped_refusal(ctx, subject.from, subject.to))
    {
        cited.push(refusal);
        format!(
            "the drop's user is not known (dispatch did not log its socket), and dispatch's dial \
             to {user}'s t3 serve (port {port}) was refused {} it: the drop may be that serve's, \
             so the last mile cannot be confirmed",
            relative(ctx.events[refusal].time, reference(ctx, subject))
        )
    } else if let Some((refusal, port)) = subject
        .drops
        .first()
        .and_then(|_| unmapped_refusal(ctx, subject.from, subject.to))
    {
        cited.push(refusal);
        format!(
            "dispatch's dial to port {port} was refused {} {}, so a t3 serve was down, but no \
             user is known for that port; pass --serve-port USER={port} to tell whether it was \
             this user's",
            relative(ctx.events[refusal].time, reference(ctx, subject)),
            what(subject)
        )
    } else if let Some(open) = subject
        .drops
        .first()
        .filter(|_| subject.burst.is_none())
        .and_then(|drop| unclosed_open(ctx.socket(drop)))
    {
        cited.push(open);
        "dispatch logged this socket's `ws open` but no `ws close`, and no dispatch restart, \
         while Traefik saw the socket end: the journal lost the close line, or dispatch \
         restarted without the lines that show it (a new t3-dispatch PID), so a devvm or \
         dispatch cause cannot be ruled out"
            .to_string()
    } else if let Some((status, socket)) = subject
        .drops
        .first()
        .map(|drop| ctx.socket(drop))
        .and_then(|socket| Some((gateway_status(ctx, socket)?, socket)))
        .filter(|_| subject.burst.is_none())
    {
        cited.extend(socket.traefik);
        if socket.from_dispatch() {
            let lived = socket
                .dur_ms
                .map(|ms| format!(" after {:.1} s", ms as f64 / 1000.0))
                .unwrap_or_default();
            format!(
                "Traefik answered {status} to the WebSocket request, and dispatch logged the \
                 socket and closed it{lived}: dispatch got the request, but no upgrade came \
                 back from the user's t3 serve in time, and no source shows why"
            )
        } else {
            format!(
                "Traefik answered {status} to the WebSocket request: it could not reach \
                 t3-dispatch (502 refused or reset, 503 no endpoint, 504 no answer in time), but \
                 no source shows why"
            )
        }
    } else if let Some((status, reconnect)) = subject
        .drops
        .first()
        .and_then(|drop| reconnect_gateway_status(ctx, subject, drop))
    {
        cited.extend(reconnect.traefik);
        format!(
            "the browser reconnected {} the drop and Traefik answered {status} to that request: \
             the path on devvm's side of Traefik (dispatch or the user's t3 serve) was failing, \
             but no source shows why",
            relative(reconnect.start, reference(ctx, subject))
        )
    } else if let Some(lines) = (subject.burst.is_none())
        .then(|| serve_lines_without_user(ctx, subject.from, subject.to))
        .filter(|lines| !lines.is_empty())
    {
        let reason = serve_lines_without_user_reason(ctx, subject, &lines);
        cited = lines;
        reason
    } else if let Some(doubt) = ctx.clock_doubt_over(subject.from, subject.to) {
        format!(
            "no source shows a fault around {}, but the last mile cannot be confirmed: {}",
            what(subject),
            doubt.note()
        )
    } else if missing.iter().any(|m| m == "Traefik") && missing.iter().any(|m| m == "cloudflared") {
        if missing.len() == 3 && ctx.coverage.journal.is_some() {
            "no Traefik or cloudflared logs cover this time, and the devvm journal does not cover \
             the whole evidence window (it starts, ends or falls silent inside it)"
                .to_string()
        } else if missing.len() == 3 {
            "no devvm journal, Traefik or cloudflared logs cover this time".to_string()
        } else {
            "no Traefik or cloudflared logs cover this time".to_string()
        }
    } else if !missing.is_empty() {
        format!(
            "no evidence in the window, but {} not cover this time, so the last mile cannot be confirmed",
            join_names(&missing)
        )
    } else {
        "the window shows no evidence, but a source has a silence there, so the last mile cannot be confirmed".to_string()
    };
    Some(Finding {
        confidence: Confidence::Low,
        reason,
        evidence: cited,
    })
}

/// Describes serve lines of no known user near a drop, for the reason of a drop they keep from
/// the last mile.
fn serve_lines_without_user_reason(ctx: &Context, subject: &Subject, lines: &[usize]) -> String {
    let starts = lines
        .iter()
        .filter(|&&i| matches!(ctx.events[i].kind, EventKind::ServeStarted { .. }))
        .count();
    let timeouts = lines.len() - starts;
    let (found, could_be) = match (starts, timeouts) {
        (0, n) => (
            format!("{n} t3 serve git timeout(s)"),
            "they may come from two or more serves, which would show a devvm stall",
        ),
        (n, 0) => (
            format!("{n} t3 serve start(s)"),
            "one could be this user's serve restarting",
        ),
        (s, t) => (
            format!("{s} t3 serve start(s) and {t} git timeout(s)"),
            "they may show this user's serve restarting or a devvm stall",
        ),
    };
    format!(
        "{found}, the first {} {}, name no user (no unit, PID or home directory ties them to \
         one, as in an `-o cat` journal): {could_be}, so the last mile cannot be confirmed",
        relative(ctx.events[lines[0]].time, reference(ctx, subject)),
        what(subject)
    )
}
