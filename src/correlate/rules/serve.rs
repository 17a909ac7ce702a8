//! The checks of the rules that find a drop's cause in the user's own `t3 serve`: the serve
//! died, closed the upstream, refused dispatch's dials, or reset dispatch's connection to it.
//! All of them judge one drop, by its user and socket.

use super::{Context, Finding, Subject, is_dispatch_start_or_stop, reboot_near, relative, what};
use crate::correlate::drops::Candidate;
use crate::correlate::{Confidence, Segment};
use crate::event::{CloseCause, EventKind, OomScope, ProxyErrorClass, Restarter, Unit, UnitAction};

pub(super) fn serve_died(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let socket = ctx.socket(drop);
    let user = socket.user.as_deref()?;
    // The strongest kind of line first: OOM, then a deliberate restart, then exits and
    // systemd's restart steps.
    let mut found: Vec<(u8, usize)> = Vec::new();
    // A serve that died and started again before the socket opened did not end it: the browser
    // reconnected to the new serve. Lines before that start are not this socket's.
    let restarted_before_open = ctx
        .window(subject.from, socket.start)
        .iter()
        .copied()
        .filter(|&i| ctx.events[i].kind.user() == Some(user) && is_serve_start(&ctx.events[i].kind))
        .map(|i| ctx.events[i].time)
        .max();
    let from = restarted_before_open.map_or(subject.from, |start| start + 1);
    // The watchdog's failed probes back its restart but decide nothing alone.
    let mut probes: Vec<usize> = Vec::new();
    for &i in ctx.window(from, subject.to) {
        let event = &ctx.events[i];
        if event.kind.user() != Some(user) {
            continue;
        }
        if matches!(event.kind, EventKind::ServeProbeFailed { .. }) {
            probes.push(i);
            continue;
        }
        let rank = match &event.kind {
            EventKind::OomKill { .. } => 0,
            EventKind::UnitChange {
                action: UnitAction::OomKilled,
                unit: Unit::Serve(_),
            } => 0,
            EventKind::ServeRestart { .. } => 1,
            EventKind::UnitChange {
                action: UnitAction::Exited | UnitAction::Failed,
                unit: Unit::Serve(_),
            } => 2,
            EventKind::UnitChange {
                unit: Unit::Serve(_),
                ..
            } => 3,
            EventKind::ServeStarted { .. } => 4,
            _ => continue,
        };
        found.push((rank, i));
    }
    let &(_, first) = found.iter().min()?;

    // A reboot or a dispatch restart stops and starts every serve as well: when the serve's
    // lines show nothing of its own (no OOM kill, crash or restart of it alone), the shared
    // rules take the drop.
    let only_stops_and_starts = found
        .iter()
        .all(|&(_, i)| is_stop_or_start(&ctx.events[i].kind));
    if only_stops_and_starts {
        let dispatch_changed = ctx
            .window(subject.from, subject.to)
            .iter()
            .any(|&i| is_dispatch_start_or_stop(&ctx.events[i].kind));
        if dispatch_changed || reboot_near(ctx, subject).is_some() {
            return None;
        }
    }

    let event = &ctx.events[first];
    let happened = match &event.kind {
        EventKind::OomKill {
            scope: OomScope::Global,
            ..
        } => "lost a process to the host-wide OOM killer",
        EventKind::OomKill { .. } => "was OOM-killed inside its cgroup",
        EventKind::UnitChange {
            action: UnitAction::OomKilled,
            ..
        } => "was killed by the OOM killer",
        EventKind::ServeRestart { by, .. } => match by {
            Restarter::Watchdog => "was restarted by the watchdog",
            Restarter::Autoupdate => "was restarted by autoupdate",
            Restarter::MigrateIdle => "was restarted by the idle migration",
        },
        EventKind::UnitChange {
            action: UnitAction::Exited,
            ..
        } => "exited",
        EventKind::UnitChange {
            action: UnitAction::Failed,
            ..
        } => "failed",
        EventKind::UnitChange {
            action: UnitAction::Stopping,
            ..
        } => "was stopped",
        EventKind::UnitChange {
            action: UnitAction::StopTimedOut,
            ..
        } => "was killed after its stop timed out",
        EventKind::UnitChange {
            action: UnitAction::RestartScheduled,
            ..
        } => "was restarted by systemd",
        _ => "was (re)started",
    };
    let lines = found.len() + probes.len();
    let reason = format!(
        "{user}'s t3 serve {happened} {} {}{}",
        relative(event.time, drop.time),
        what(subject),
        if lines > 1 {
            format!(" ({lines} lines about the serve in the window)")
        } else {
            String::new()
        },
    );
    let mut evidence: Vec<usize> = found.iter().map(|(_, i)| *i).chain(probes).collect();
    evidence.sort_unstable();
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence,
    })
}

/// Tells whether a serve event is a start: its `T3 Code running` line or systemd's `Started`.
fn is_serve_start(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::ServeStarted { .. }
            | EventKind::UnitChange {
                unit: Unit::Serve(_),
                action: UnitAction::Started,
            }
    )
}

/// Tells whether a serve event is a plain stop or start, which a host shutdown or a restart of
/// everything also writes, as opposed to an OOM kill, a crash or a restart of the serve alone.
fn is_stop_or_start(kind: &EventKind) -> bool {
    is_serve_start(kind)
        || matches!(
            kind,
            EventKind::UnitChange {
                unit: Unit::Serve(_),
                action: UnitAction::Stopping | UnitAction::StopTimedOut,
            }
        )
}

pub(super) fn serve_upstream_closed(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let socket = ctx.socket(drop);
    if socket.cause != Some(CloseCause::UpstreamClosed) {
        return None;
    }
    let user = socket.user.as_deref().unwrap_or("the user");
    Some(Finding {
        confidence: Confidence::High,
        reason: format!(
            "dispatch closed the socket with cause=upstream_closed: {user}'s t3 serve ended it"
        ),
        evidence: socket.close.into_iter().collect(),
    })
}

pub(super) fn serve_refused(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let user = ctx.socket(drop).user.as_deref()?;
    let mut evidence = Vec::new();
    let mut port = None;
    for &i in ctx.window(subject.from, subject.to) {
        match &ctx.events[i].kind {
            EventKind::ProxyError {
                class: ProxyErrorClass::Refused,
                port: Some(p),
            } if ctx.ports.get(p).map(|u| &**u) == Some(user) => {
                evidence.push(i);
                port = Some(*p);
            }
            EventKind::WsClose {
                user: u,
                cause: CloseCause::Error(text),
                ..
            } if &**u == user && text.contains("connection refused") => {
                evidence.push(i);
                port = port.or_else(|| crate::correlate::sockets::loopback_port(text));
            }
            _ => {}
        }
    }
    let first = *evidence.first()?;
    let port = port.map(|p| format!(" (port {p})")).unwrap_or_default();
    Some(Finding {
        confidence: Confidence::High,
        reason: format!(
            "dispatch's dials to {user}'s t3 serve{port} were refused {} {}: the serve was down",
            relative(ctx.events[first].time, drop.time),
            what(subject)
        ),
        evidence,
    })
}

/// Returns the close line and cause of the drop's reconnect when dispatch's dial to the user's
/// serve for it failed and the reconnect started inside the window. The serve was then not
/// responding a moment after the drop. A heartbeat timeout on the browser's side hides that,
/// because the old socket closes gracefully. A dial that times out is logged only when dispatch gives
/// up, 10 s or more after the reconnect, so the close line may lie after the window, and the
/// reconnect's start dates the failure.
fn reconnect_dial_failure<'a>(
    ctx: &'a Context,
    subject: &Subject,
    drop: &Candidate,
    user: &str,
) -> Option<(usize, &'a str)> {
    let reconnect = &ctx.sockets[drop.reconnect?];
    if reconnect.user.as_deref() != Some(user)
        || reconnect.start < subject.from
        || reconnect.start > subject.to
    {
        return None;
    }
    // Only the dial counts: a reconnect that was set up and failed later is no evidence about
    // the drop.
    match &reconnect.cause {
        Some(CloseCause::Error(text)) if text.starts_with("dial ") => {
            Some((reconnect.close?, text.as_ref()))
        }
        _ => None,
    }
}

/// The first port of Linux's default ephemeral range. A serve listens on a fixed lower port,
/// so a port at or above this one in `A->B` is a client's side, not a serve.
const EPHEMERAL_PORTS: u16 = 32768;

/// Classifies a Go error text of dispatch's loopback connection to a serve: `was reset` (reset
/// by peer, broken pipe, EOF), `timed out` (i/o timeout), or `None` for anything else.
fn serve_connection_failure(text: &str) -> Option<&'static str> {
    let port = crate::correlate::sockets::loopback_port(text)?;
    if port >= EPHEMERAL_PORTS {
        return None;
    }
    if text.contains("connection reset by peer")
        || text.contains("broken pipe")
        || text.ends_with("EOF")
    {
        Some("was reset")
    } else if text.contains("i/o timeout") {
        Some("timed out")
    } else {
        None
    }
}

pub(super) fn serve_reset(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let socket = ctx.socket(drop);
    let user = socket.user.as_deref()?;
    let mut evidence = Vec::new();
    let mut port = None;
    let mut failure = "was reset";

    // The drop's own close: dispatch proxies a user's socket to that user's serve only.
    if let Some(CloseCause::Error(text)) = &socket.cause
        && let Some(how) = serve_connection_failure(text)
    {
        evidence.extend(socket.close);
        port = crate::correlate::sockets::loopback_port(text);
        failure = how;
    }
    for &i in ctx.window(subject.from, subject.to) {
        if let EventKind::ProxyError {
            class:
                class @ (ProxyErrorClass::Reset | ProxyErrorClass::Eof | ProxyErrorClass::Timeout),
            port: Some(p),
        } = &ctx.events[i].kind
            && ctx.ports.get(p).map(|u| &**u) == Some(user)
        {
            if evidence.is_empty() && *class == ProxyErrorClass::Timeout {
                failure = "timed out";
            }
            evidence.push(i);
            port = port.or(Some(*p));
        }
    }

    let first = *evidence.first()?;
    let port = port.map(|p| format!(" (port {p})")).unwrap_or_default();
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "dispatch's connection to {user}'s t3 serve{port} {failure} {} {}: the serve \
             dropped it or stopped answering, though no line shows the serve dying",
            relative(ctx.events[first].time, drop.time),
            what(subject)
        ),
        evidence,
    })
}

pub(super) fn serve_reconnect_failed(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let drop = subject.drops.first()?;
    let user = ctx.socket(drop).user.as_deref()?;
    let (close, text) = reconnect_dial_failure(ctx, subject, drop, user)?;
    let failure = if text.contains("connection refused") {
        "was refused"
    } else if serve_connection_failure(text) == Some("timed out") {
        "timed out"
    } else {
        return None;
    };
    let port = crate::correlate::sockets::loopback_port(text)
        .map(|p| format!(" (port {p})"))
        .unwrap_or_default();
    // A frozen devvm or a restarting dispatch fails the dial too, and their rules come later
    // in the order: this weaker evidence yields to them.
    let shared_cause = super::RULES
        .iter()
        .filter(|rule| matches!(rule.segment, Segment::Dispatch | Segment::Devvm))
        .any(|rule| (rule.check)(ctx, subject).is_some());
    if shared_cause {
        return None;
    }
    let reconnect = &ctx.sockets[drop.reconnect?];
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "the browser reconnected {} the drop, and dispatch's dial to {user}'s t3 serve{port} \
             for it {failure} (logged {} the drop): the serve stopped responding, though no line \
             shows the serve dying",
            relative(reconnect.start, drop.time),
            relative(ctx.events[close].time, drop.time),
        ),
        evidence: reconnect.open.into_iter().chain([close]).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_connection_failures() {
        let cases = [
            (
                "read tcp 127.0.0.1:51234->127.0.0.1:3773: read: connection reset by peer",
                Some("was reset"),
            ),
            (
                "write tcp 127.0.0.1:51234->127.0.0.1:3773: write: broken pipe",
                Some("was reset"),
            ),
            (
                "read tcp [::1]:51234->[::1]:3773: read: connection reset by peer",
                Some("was reset"),
            ),
            (
                "read tcp 127.0.0.1:51234->127.0.0.1:3773: unexpected EOF",
                Some("was reset"),
            ),
            ("dial tcp 127.0.0.1:3773: i/o timeout", Some("timed out")),
            (
                "read tcp 127.0.0.1:51234->127.0.0.1:3773: i/o timeout",
                Some("timed out"),
            ),
            // Dispatch's own listening side: the remote is a client's ephemeral port.
            (
                "read tcp 127.0.0.1:3780->127.0.0.1:51234: read: connection reset by peer",
                None,
            ),
            (
                "read tcp 10.10.1.12:3780->10.0.12.9:41234: read: connection reset by peer",
                None,
            ),
            ("dial tcp 127.0.0.1:3773: connect: connection refused", None),
        ];
        for (text, expected) in cases {
            assert_eq!(serve_connection_failure(text), expected, "{text}");
        }
    }
}
