//! The attribution rules, as one table tried in order: the first rule whose evidence is present
//! gives the segment.
//!
//! Each [`Rule`] names the segment it yields, the evidence it needs, the window it looks in, and
//! the confidence it gives; its `check` function is the evidence test. Rules marked
//! [`Scope::PerDrop`] look at one drop's own user and socket (a serve that died); the others look
//! at everything in the window and are evaluated once for a whole burst, whose members share the
//! verdict unless a per-drop rule matches one of them.

mod metrics;

use std::collections::{BTreeSet, HashMap};

use super::coverage::Coverage;
use super::drops::Candidate;
use super::sockets::Socket;
use super::{Confidence, Segment};
use crate::event::{
    CloseCause, Event, EventKind, OomScope, ProxyErrorClass, Restarter, ShutdownReason, Unit,
    UnitAction,
};
use crate::time::{self, SECOND};
use metrics::{
    last_mile_probe, probe_cloudflare_leg_down, probe_websocket_legs_down,
    serve_leg_or_pressure_several_users, serve_leg_or_pressure_this_user_only,
};

/// Whether a rule judges one drop or everything in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Evidence about this drop's own user or socket.
    PerDrop,
    /// Evidence about a shared segment, judged once per burst.
    Shared,
}

/// A rule's result: its confidence, a sentence for the post-mortem, and the evidence lines.
#[derive(Clone, Debug)]
pub struct Finding {
    pub confidence: Confidence,
    pub reason: String,
    pub evidence: Vec<usize>,
}

/// One attribution rule.
pub struct Rule {
    pub name: &'static str,
    pub segment: Segment,
    pub scope: Scope,
    /// The evidence the rule needs, in words.
    pub evidence: &'static str,
    /// The time window the rule looks in.
    pub window: &'static str,
    /// The confidence it gives.
    pub confidence: &'static str,
    pub check: fn(&Context, &Subject) -> Option<Finding>,
}

/// The window every rule looks in, unless its row names another.
pub const DEFAULT_WINDOW: &str =
    "30 s before the drop to 5 s after (--window-before, --window-after)";

/// The rules, from the most specific evidence to the least.
pub static RULES: &[Rule] = &[
    Rule {
        name: "serve_died",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "systemd OOM, exit, stop or restart lines of t3-serve@USER, a kernel OOM kill in its cgroup, \
                   a watchdog, autoupdate or idle-migrate restart of it, or its `T3 Code running` start; \
                   plain stops and starts are left to the dispatch and devvm rules when t3-dispatch \
                   stopped or started in the window or devvm rebooted",
        window: DEFAULT_WINDOW,
        confidence: "high",
        check: serve_died,
    },
    Rule {
        name: "serve_upstream_closed",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "dispatch closed the socket with cause=upstream_closed",
        window: "the drop's own close line",
        confidence: "high",
        check: serve_upstream_closed,
    },
    Rule {
        name: "serve_refused",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "dispatch's dials to the user's serve port were refused (proxy error or ws close cause)",
        window: DEFAULT_WINDOW,
        confidence: "high",
        check: serve_refused,
    },
    Rule {
        name: "serve_reset",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "dispatch's loopback connection to the user's serve was reset, cut or timed out: the drop's \
                   close cause, or a proxy error on the serve port, is `connection reset by peer`, \
                   `broken pipe`, `EOF` or `i/o timeout` on 127.0.0.1, [::1] or localhost",
        window: "the drop's own close line, and proxy errors in the window",
        confidence: "medium",
        check: serve_reset,
    },
    Rule {
        name: "serve_leg_or_pressure_this_user_only",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "the probe's t3serve leg down, disconnected or slower than 1 s, or a devvm IO or memory \
                   pressure episode, while only this drop's user dropped in the window",
        window: "the window, widened to the samples around it (a metric event stands for the span between \
                 its samples)",
        confidence: "medium",
        check: serve_leg_or_pressure_this_user_only,
    },
    Rule {
        name: "dispatch_restarted",
        segment: Segment::Dispatch,
        scope: Scope::Shared,
        evidence: "t3-dispatch stopped or restarted (systemd lines, a new `listening on`), or the socket was \
                   opened before a dispatch restart and never closed",
        window: DEFAULT_WINDOW,
        confidence: "high",
        check: dispatch_restarted,
    },
    Rule {
        name: "devvm_rebooted",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "a boot (the kernel's `Linux version` line, or journalctl's `-- Boot ID --` marker): in the \
                   window; up to 300 s after the drop when the journal went silent or t3-dispatch \
                   stopped before it; or, for a socket never closed, before the dispatch restart after it",
        window: "the window, and up to 300 s after the drop; for a socket never closed, up to the dispatch \
                 restart after it",
        confidence: "high",
        check: devvm_rebooted,
    },
    Rule {
        name: "devvm_journal_gap",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "the devvm journal was silent (a gap of 30 s or more, and 10 times its usual spacing) while \
                   Traefik or cloudflared kept logging, from the drop's second or before. A silence that begins \
                   after journal lines logged after the drop came too late to cause it. The row cites the first \
                   journal line after the silence (the last line before it in a newest-first export)",
        window: DEFAULT_WINDOW,
        confidence: "high",
        check: devvm_journal_gap,
    },
    Rule {
        name: "devvm_late_close",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "Traefik ended the socket 5 s or more before dispatch logged its close",
        window: "the socket's own Traefik and dispatch lines",
        confidence: "high",
        check: devvm_late_close,
    },
    Rule {
        name: "devvm_memory",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "a host-wide OOM kill, an OOM kill outside the serve units, or an earlyoom action",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: devvm_memory,
    },
    Rule {
        name: "devvm_git_timeouts",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "git timeouts in the serves of two or more users (one serve alone may just have a slow remote)",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: devvm_git_timeouts,
    },
    Rule {
        name: "serve_leg_or_pressure_several_users",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "the probe's t3serve leg down, disconnected or slower than 1 s, or a devvm IO or memory \
                   pressure episode, while two or more users dropped in the window",
        window: "the window, widened to the samples around it",
        confidence: "medium",
        check: serve_leg_or_pressure_several_users,
    },
    Rule {
        name: "cloudflared_restarted",
        segment: Segment::Cloudflare,
        scope: Scope::Shared,
        evidence: "a cloudflared pod shut down, updated or started",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: cloudflared_restarted,
    },
    Rule {
        name: "tunnel_churn",
        segment: Segment::Cloudflare,
        scope: Scope::Shared,
        evidence: "a tunnel connection failed, terminated or was unregistered (request-level errors do not count)",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: tunnel_churn,
    },
    Rule {
        name: "probe_cloudflare_leg_down",
        segment: Segment::Cloudflare,
        scope: Scope::Shared,
        evidence: "the probe's cloudflare leg down or disconnected while its internal leg covered the window \
                   and stayed up",
        window: "the window, widened to the samples around it",
        confidence: "medium",
        check: probe_cloudflare_leg_down,
    },
    Rule {
        name: "probe_websocket_legs_down",
        segment: Segment::ClusterPath,
        scope: Scope::Shared,
        evidence: "the probe's cloudflare and internal legs both down or disconnected",
        window: "the window, widened to the samples around it",
        confidence: "medium",
        check: probe_websocket_legs_down,
    },
    Rule {
        name: "shared_path_burst",
        segment: Segment::ClusterPath,
        scope: Scope::Shared,
        evidence: "a burst with none of the above while the devvm journal and cloudflared cover the window \
                   and are clean",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: shared_path_burst,
    },
    Rule {
        name: "last_mile_clean",
        segment: Segment::LastMile,
        scope: Scope::Shared,
        evidence: "none of the above, and the devvm journal, Traefik and cloudflared all cover the window and \
                   are clean (no dial to a serve port of no known user was refused, Traefik did \
                   not answer the request with 502, 503 or 504, dispatch logged a close for a \
                   socket it opened unless a restart orphaned it, no serve line of no known user \
                   or PID (an `-o cat` journal's) shows a start or enough git timeouts to make \
                   two users' serves, and for a drop whose user is \
                   unknown, no serve failed or refused a dial in the window); high \
                   when, besides, all three probe legs and devvm's pressure series cover the \
                   window with every leg connected and no pressure; else medium when the close has a \
                   client-side shape (a graceful close after 20 s or more of life), low otherwise",
        window: DEFAULT_WINDOW,
        confidence: "high, medium or low",
        check: last_mile_clean,
    },
    Rule {
        name: "last_mile_probe",
        segment: Segment::LastMile,
        scope: Scope::Shared,
        evidence: "none of the above, logs missing for the window, but all three probe legs cover it and stayed \
                   connected, the devvm journal has no silence there, dispatch logged a close for a socket \
                   it opened unless a restart orphaned it, and no serve line of no known user or PID \
                   shows a start or enough git timeouts to make two users' serves; the reason says \
                   the verdict rests on the probe",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: last_mile_probe,
    },
    Rule {
        name: "unknown",
        segment: Segment::Unknown,
        scope: Scope::Shared,
        evidence: "anything else; the reason names the missing or silent source",
        window: DEFAULT_WINDOW,
        confidence: "low",
        check: unknown,
    },
];

/// Numbers the rules use, with their defaults.
#[derive(Clone, Copy, Debug)]
pub struct RuleOptions {
    pub window_before: i64,
    pub window_after: i64,
    /// How much earlier Traefik must end a socket than dispatch for a devvm stall.
    pub stall_lag: i64,
    /// How many users' serves must log git timeouts for a host-level stall.
    pub git_timeout_users: usize,
    /// The life after which a graceful close looks like the client's heartbeat timeout (ms).
    pub heartbeat_ms: u64,
    /// The burst window (`--burst-window`), for the wording of burst reasons. `analyze` copies
    /// it from `CorrelateOptions::burst_window`.
    pub burst_window: i64,
    /// The minimum number of clients in a burst (`--burst-min`). `analyze` copies it from
    /// `CorrelateOptions::burst_min`.
    pub burst_min: usize,
}

impl RuleOptions {
    /// Returns how close a burst's drops were: "in the same second" for the default window,
    /// else "within 2 s" or "within 500 ms".
    pub fn burst_closeness(&self) -> String {
        let window = self.burst_window;
        if window == SECOND {
            "in the same second".to_string()
        } else if window % SECOND == 0 {
            format!("within {} s", window / SECOND)
        } else {
            format!("within {} ms", window / crate::time::MILLI)
        }
    }
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            window_before: 30 * SECOND,
            window_after: 5 * SECOND,
            stall_lag: 5 * SECOND,
            git_timeout_users: 2,
            heartbeat_ms: 20_000,
            burst_window: SECOND,
            burst_min: 5,
        }
    }
}

/// The events, sockets and coverage the rules read.
pub struct Context<'a> {
    /// Events with journal times moved onto the cluster clock.
    pub events: &'a [Event],
    /// Event indexes in time order.
    pub by_time: &'a [usize],
    pub sockets: &'a [Socket],
    pub coverage: &'a Coverage,
    /// Serve ports to users.
    pub ports: &'a HashMap<u16, Box<str>>,
    pub options: RuleOptions,
    /// Every drop of the run, for rules that ask who else dropped in a window.
    pub candidates: &'a [Candidate],
    /// Indexes of the events read from metric series, in time order.
    pub metric_events: &'a [usize],
}

/// The subject of an attribution: one drop, or the members of a burst.
pub struct Subject<'a> {
    pub drops: Vec<&'a Candidate>,
    pub from: i64,
    pub to: i64,
    /// For a burst: its id, the number of distinct clients, and the cancel lines of its second.
    pub burst: Option<(&'a str, usize, &'a [usize])>,
}

impl Context<'_> {
    /// Event indexes whose time lies in `[from, to]`, in time order.
    pub fn window(&self, from: i64, to: i64) -> &[usize] {
        let start = self
            .by_time
            .partition_point(|&i| self.events[i].time < from);
        let end = self.by_time.partition_point(|&i| self.events[i].time <= to);
        &self.by_time[start..end.max(start)]
    }

    fn socket(&self, candidate: &Candidate) -> &Socket {
        &self.sockets[candidate.socket]
    }
}

/// Says where `time` lies relative to `reference`: `2 s before`, `at the time of`, `3 s after`.
fn relative(time: i64, reference: i64) -> String {
    let diff = time - reference;
    let seconds = (diff.abs() as f64 / SECOND as f64 * 10.0).round() / 10.0;
    // A whole-second journal time and a CLF time (its bracket plus 0.5 s) of the same second
    // are half a second apart with no real gap between them.
    if seconds <= 0.5 {
        "at the time of".to_string()
    } else if diff < 0 {
        format!("{} before", format_seconds(seconds))
    } else {
        format!("{} after", format_seconds(seconds))
    }
}

fn format_seconds(seconds: f64) -> String {
    if seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds:.1} s")
    }
}

/// Returns the reference time of a subject: its first drop, or its window's end minus the after part.
fn reference(ctx: &Context, subject: &Subject) -> i64 {
    subject
        .drops
        .iter()
        .map(|d| d.time)
        .min()
        .unwrap_or(subject.to - ctx.options.window_after)
}

fn what(subject: &Subject) -> &'static str {
    if subject.burst.is_some() {
        "the burst"
    } else {
        "the drop"
    }
}

// --- t3 serve ------------------------------------------------------------------------------

fn serve_died(ctx: &Context, subject: &Subject) -> Option<Finding> {
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

fn serve_upstream_closed(ctx: &Context, subject: &Subject) -> Option<Finding> {
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

fn serve_refused(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
                port = port.or_else(|| super::sockets::loopback_port(text));
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

/// The first port of Linux's default ephemeral range. A serve listens on a fixed lower port,
/// so a port at or above this one in `A->B` is a client's side, not a serve.
const EPHEMERAL_PORTS: u16 = 32768;

/// Classifies a Go error text of dispatch's loopback connection to a serve: `was reset` (reset
/// by peer, broken pipe, EOF), `timed out` (i/o timeout), or `None` for anything else.
fn serve_connection_failure(text: &str) -> Option<&'static str> {
    let port = super::sockets::loopback_port(text)?;
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

fn serve_reset(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
        port = super::sockets::loopback_port(text);
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

// --- dispatch ------------------------------------------------------------------------------

/// Tells whether an event shows t3-dispatch starting or stopping: a systemd change of its unit,
/// or its `listening on` line.
fn is_dispatch_start_or_stop(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::DispatchListening
            | EventKind::UnitChange {
                unit: Unit::Dispatch,
                ..
            }
    )
}

fn dispatch_restarted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let reference = reference(ctx, subject);
    let mut evidence: Vec<usize> = ctx
        .window(subject.from, subject.to)
        .iter()
        .copied()
        .filter(|&i| is_dispatch_start_or_stop(&ctx.events[i].kind))
        .collect();
    let orphans: Vec<usize> = subject
        .drops
        .iter()
        .filter_map(|d| {
            ctx.socket(d)
                .orphaned_by
                .filter(|_| ctx.socket(d).end.is_none())
        })
        .collect();
    // A reboot stops and starts dispatch too: `devvm_rebooted` takes it.
    if reboot_near(ctx, subject).is_some() {
        return None;
    }
    if evidence.is_empty() && orphans.is_empty() {
        return None;
    }
    evidence.extend(&orphans);
    evidence.sort_unstable();
    evidence.dedup();
    let first = evidence[0];
    // The last dispatch line at or before the drop shows whether dispatch was still down.
    let last_before = evidence
        .iter()
        .copied()
        .filter(|&i| ctx.events[i].time <= reference)
        .max_by_key(|&i| (ctx.events[i].time, ctx.events[i].origin));
    let still_down = last_before.is_some_and(|i| {
        matches!(
            ctx.events[i].kind,
            EventKind::UnitChange {
                unit: Unit::Dispatch,
                action: UnitAction::Stopping
                    | UnitAction::Exited
                    | UnitAction::Failed
                    | UnitAction::OomKilled
                    | UnitAction::StopTimedOut,
            }
        )
    });
    let reason = if orphans.is_empty() && still_down {
        format!(
            "t3-dispatch stopped {} {} and had not started again",
            relative(ctx.events[first].time, reference),
            what(subject)
        )
    } else if orphans.is_empty() {
        format!(
            "t3-dispatch restarted {} {}",
            relative(ctx.events[first].time, reference),
            what(subject)
        )
    } else if subject.drops.len() > 1 {
        // A burst's members share this reason, and only some of them may be orphans.
        format!(
            "t3-dispatch restarted {} {} while {} of its {} sockets were open, and never logged \
             their close",
            relative(ctx.events[orphans[0]].time, reference),
            what(subject),
            orphans.len(),
            subject.drops.len()
        )
    } else {
        format!(
            "t3-dispatch restarted {} {} while the socket was open, and never logged its close",
            relative(ctx.events[orphans[0]].time, reference),
            what(subject)
        )
    };
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence,
    })
}

// --- devvm ---------------------------------------------------------------------------------

/// How long after a drop a boot can still explain it.
///
/// NOTE: an estimate of how long a host takes to shut down and boot again. A reboot later
/// than this is not tied to the drop, and one sooner can take a drop of another cause.
const BOOT_SPAN: i64 = 300 * SECOND;

/// Returns the first boot line in `[from, to]`.
fn boot_between(ctx: &Context, from: i64, to: i64) -> Option<usize> {
    ctx.window(from, to)
        .iter()
        .copied()
        .find(|&i| matches!(ctx.events[i].kind, EventKind::HostBoot))
}

/// The span after a boot line in which other boot lines belong to the same boot. journalctl's
/// `-- Boot ID --` marker takes the time of the first line after it, which is often the
/// kernel's `Linux version` line, but other lines can come first.
const BOOT_LINES_SPAN: i64 = 10 * SECOND;

/// Returns the boot lines of the boot that `boot` starts: the marker and the kernel banner.
fn boot_lines(ctx: &Context, boot: usize) -> Vec<usize> {
    let time = ctx.events[boot].time;
    ctx.window(time, time + BOOT_LINES_SPAN)
        .iter()
        .copied()
        .filter(|&i| matches!(ctx.events[i].kind, EventKind::HostBoot))
        .collect()
}

/// Finds a devvm reboot that explains the subject's drops, with the reason and evidence:
///
/// - a boot inside the window;
/// - a boot up to `BOOT_SPAN` after the drop, when the host visibly went down first: the
///   journal was silent up to the boot, or t3-dispatch stopped or started between the start
///   of the window and the boot;
/// - for a socket that was never closed, a boot before the dispatch restart that orphaned it.
fn reboot_near(ctx: &Context, subject: &Subject) -> Option<(String, Vec<usize>)> {
    let reference = reference(ctx, subject);
    if let Some(boot) = boot_between(ctx, subject.from, subject.to) {
        let reason = format!(
            "devvm booted {} {}: the host restarted",
            relative(ctx.events[boot].time, reference),
            what(subject)
        );
        return Some((reason, boot_lines(ctx, boot)));
    }

    if let Some(boot) = boot_between(ctx, subject.to, reference + BOOT_SPAN) {
        let boot_time = ctx.events[boot].time;
        let silent = ctx
            .coverage
            .journal
            .as_ref()
            .and_then(|journal| journal.gap_within(reference, boot_time))
            .is_some();
        // Dispatch stopped in the window, or between the drop and the boot: it went down
        // with the host. A drop that came while dispatch was already down counts too.
        let dispatch_lines: Vec<usize> = ctx
            .window(subject.from.min(reference - 5 * SECOND), boot_time)
            .iter()
            .copied()
            .filter(|&i| is_dispatch_start_or_stop(&ctx.events[i].kind))
            .collect();
        if silent || !dispatch_lines.is_empty() {
            let sign = if silent {
                "the devvm journal had gone silent"
            } else {
                "t3-dispatch had stopped or restarted"
            };
            let reason = format!(
                "devvm booted {} {}, and {sign} before the boot: the host restarted",
                relative(boot_time, reference),
                what(subject)
            );
            let mut evidence = dispatch_lines;
            evidence.extend(boot_lines(ctx, boot));
            return Some((reason, evidence));
        }
    }

    // A socket open when the host went down is never closed: dispatch died with the host, and
    // the boot comes before the dispatch restart that orphaned the socket.
    for drop in &subject.drops {
        let socket = ctx.socket(drop);
        let (Some(restart), None) = (socket.orphaned_by, socket.end) else {
            continue;
        };
        let restart_time = ctx.events[restart].time;
        if let Some(boot) = boot_between(ctx, drop.time, restart_time) {
            let reason = format!(
                "devvm went down with the socket open and booted {} {}, and t3-dispatch came \
                 back {} the boot: the host restarted",
                relative(ctx.events[boot].time, reference),
                what(subject),
                relative(restart_time, ctx.events[boot].time)
            );
            let mut evidence = boot_lines(ctx, boot);
            evidence.push(restart);
            return Some((reason, evidence));
        }
    }
    None
}

fn devvm_rebooted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let (reason, evidence) = reboot_near(ctx, subject)?;
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence,
    })
}

fn devvm_journal_gap(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let journal = ctx.coverage.journal.as_ref()?;
    let (start, end) = journal.gap_within(subject.from, subject.to)?;
    if !ctx.coverage.cluster_logged_between(start, end) {
        return None;
    }
    // A silence that begins after the last drop's second follows journal lines logged after
    // the drop (its reconnect, say), so devvm was still running then and the freeze came too
    // late to cause it. `start` is the second after the last line before the silence.
    let last_drop = subject.drops.iter().map(|d| d.time).max()?;
    if start > last_drop.div_euclid(SECOND) * SECOND + SECOND {
        return None;
    }
    let users: BTreeSet<&str> = subject
        .drops
        .iter()
        .filter_map(|d| ctx.socket(d).user.as_deref())
        .collect();
    let who = if users.len() > 1 {
        format!("{} users dropped", users.len())
    } else {
        "the socket dropped".to_string()
    };
    Some(Finding {
        confidence: Confidence::High,
        // The gap starts after the last logged second, so that second is the last one with
        // a line.
        reason: format!(
            "{who} while the devvm journal was silent for {} s (no line after {} until {}) and \
             Traefik or cloudflared kept logging: devvm was frozen",
            (end - start) / SECOND,
            time::format_seconds(start - SECOND),
            time::format_seconds(end)
        ),
        evidence: silence_edges(ctx, start, end),
    })
}

/// Returns the journal lines at the edges of the silence `(start, end)`: the first line after
/// it and, from a newest-first export, the last line before it. The coverage counts whole
/// seconds, so an edge line lies within a second of the gap's ends.
fn silence_edges(ctx: &Context, start: i64, end: i64) -> Vec<usize> {
    let near = |edge: i64, after: bool| {
        ctx.window(edge - SECOND, edge + SECOND)
            .iter()
            .copied()
            .find(|&i| {
                matches!(ctx.events[i].kind, EventKind::JournalSilence { after: a, .. } if a == after)
            })
    };
    near(start, false)
        .into_iter()
        .chain(near(end, true))
        .collect()
}

fn devvm_late_close(ctx: &Context, subject: &Subject) -> Option<Finding> {
    // Every socket of the subject that Traefik ended well before dispatch logged its close,
    // with that lag.
    let mut late: Vec<(&Socket, i64, usize, usize)> = Vec::new();
    for drop in &subject.drops {
        let socket = ctx.socket(drop);
        let (Some(traefik), Some(close)) = (socket.traefik, socket.close) else {
            continue;
        };
        let lag = ctx.events[close].time - ctx.events[traefik].time;
        if lag >= ctx.options.stall_lag {
            late.push((socket, lag, traefik, close));
        }
    }
    let &(socket, lag, _, _) = late.first()?;
    let seconds = |lag: i64| format_seconds((lag / (SECOND / 10)) as f64 / 10.0);

    // A burst's members share the reason, so the reason names whose sockets lagged.
    let reason = if subject.drops.len() == 1 {
        format!(
            "Traefik ended the socket {} before dispatch logged its close: devvm was stalled",
            seconds(lag)
        )
    } else if late.len() == 1 {
        let owner = socket
            .user
            .as_deref()
            .map(|user| format!("{user}'s socket"))
            .or_else(|| {
                socket
                    .client
                    .map(|client| format!("the socket of {client}"))
            })
            .unwrap_or_else(|| "one socket".to_string());
        format!(
            "Traefik ended {owner} {} before dispatch logged its close: devvm was stalled",
            seconds(lag)
        )
    } else {
        let (least, most) = late.iter().fold((i64::MAX, i64::MIN), |(lo, hi), l| {
            (lo.min(l.1), hi.max(l.1))
        });
        let span = if seconds(least) == seconds(most) {
            seconds(least)
        } else {
            format!(
                "{}-{}",
                seconds(least).trim_end_matches(" s"),
                seconds(most)
            )
        };
        let count = if late.len() == subject.drops.len() {
            format!("all {}", late.len())
        } else {
            format!("{} of the {}", late.len(), subject.drops.len())
        };
        format!(
            "Traefik ended {count} sockets {span} before dispatch logged their closes: devvm \
             was stalled"
        )
    };
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence: late
            .iter()
            .flat_map(|&(_, _, traefik, close)| [traefik, close])
            .collect(),
    })
}

fn devvm_memory(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence: Vec<usize> = ctx
        .window(subject.from, subject.to)
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                &ctx.events[i].kind,
                EventKind::OomKill {
                    scope: OomScope::Global,
                    ..
                } | EventKind::OomKill { user: None, .. }
                    | EventKind::EarlyoomAction { .. }
            )
        })
        .collect();
    let first = *evidence.first()?;
    let what_happened = match &ctx.events[first].kind {
        EventKind::OomKill {
            scope: OomScope::Global,
            ..
        } => "devvm ran out of memory (host-wide OOM kill)",
        EventKind::OomKill { .. } => "the OOM killer struck outside the serve units",
        _ => "earlyoom acted on low memory",
    };
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{what_happened} {} {}",
            relative(ctx.events[first].time, reference(ctx, subject)),
            what(subject)
        ),
        evidence,
    })
}

fn devvm_git_timeouts(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let mut users: BTreeSet<String> = BTreeSet::new();
    let mut evidence = Vec::new();
    for &i in ctx.window(subject.from, subject.to) {
        if let EventKind::ServeGitTimeout { user, pid } = &ctx.events[i].kind {
            let key = match (user, pid) {
                (Some(u), _) => u.to_string(),
                (None, Some(p)) => format!("pid {p}"),
                (None, None) => continue,
            };
            users.insert(key);
            evidence.push(i);
        }
    }
    if users.len() < ctx.options.git_timeout_users {
        return None;
    }
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "git commands timed out in the serves of {} users ({}) around {}: devvm was stalling",
            users.len(),
            users.into_iter().collect::<Vec<_>>().join(", "),
            what(subject)
        ),
        evidence,
    })
}

// --- cloudflare ----------------------------------------------------------------------------

fn pod_of(event: &Event) -> &str {
    event.pod.as_deref().unwrap_or("a cloudflared pod")
}

fn cloudflared_restarted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence: Vec<usize> = ctx
        .window(subject.from, subject.to)
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                ctx.events[i].kind,
                EventKind::CfShutdown { .. } | EventKind::CfStart { .. }
            )
        })
        .collect();
    let first = *evidence.first()?;
    let event = &ctx.events[first];
    // A fleet-wide update stops every pod at once, and the reason names them all.
    let mut pods: Vec<&str> = evidence
        .iter()
        .map(|&i| &ctx.events[i])
        .filter(|e| std::mem::discriminant(&e.kind) == std::mem::discriminant(&event.kind))
        .filter_map(|e| e.pod.as_deref())
        .collect();
    pods.sort_unstable();
    pods.dedup();
    let several = pods.len() > 1;
    let happened = match (&event.kind, several) {
        (
            EventKind::CfShutdown {
                reason: ShutdownReason::Update,
            },
            false,
        ) => "shut down to update itself",
        (
            EventKind::CfShutdown {
                reason: ShutdownReason::Update,
            },
            true,
        ) => "shut down to update themselves",
        (
            EventKind::CfShutdown {
                reason: ShutdownReason::Signal,
            },
            false,
        ) => "was stopped by a signal",
        (
            EventKind::CfShutdown {
                reason: ShutdownReason::Signal,
            },
            true,
        ) => "were stopped by a signal",
        (EventKind::CfShutdown { .. }, _) => "shut down",
        _ => "(re)started",
    };
    let pods_text = if several {
        format!("{} cloudflared pods ({})", pods.len(), pods.join(", "))
    } else {
        pod_of(event).to_string()
    };
    let riding = if several { "them" } else { "it" };
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "{pods_text} {happened} {} {}, severing the sockets riding {riding}",
            relative(event.time, reference(ctx, subject)),
            what(subject)
        ),
        evidence,
    })
}

fn tunnel_churn(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence: Vec<usize> = ctx
        .window(subject.from, subject.to)
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                ctx.events[i].kind,
                EventKind::CfConnFailed { .. }
                    | EventKind::CfConnTerminated { .. }
                    | EventKind::CfConnUnregistered { .. }
            )
        })
        .collect();
    let first = *evidence.first()?;
    let event = &ctx.events[first];
    let conn = match &event.kind {
        EventKind::CfConnFailed { conn_index }
        | EventKind::CfConnTerminated { conn_index }
        | EventKind::CfConnUnregistered { conn_index } => {
            conn_index.map(|c| format!(" {c}")).unwrap_or_default()
        }
        _ => String::new(),
    };
    Some(Finding {
        confidence: Confidence::Medium,
        reason: format!(
            "tunnel connection{conn} of {} failed {} {}: Cloudflare tunnel churn",
            pod_of(event),
            relative(event.time, reference(ctx, subject)),
            what(subject)
        ),
        evidence,
    })
}

// --- cluster path, last mile, unknown ------------------------------------------------------

fn shared_path_burst(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let (id, clients, cancels) = subject.burst?;
    // "No devvm, serve or dispatch marker" means something only where the journal was read.
    if !journal_covers(ctx, subject.from, subject.to) {
        return None;
    }
    let (covering, pods) = ctx.coverage.cloudflared_cover(subject.from, subject.to);
    if covering == 0 {
        return None;
    }
    let pods_note = if covering < pods {
        format!(
            " (only {covering} of {pods} cloudflared pods cover it{})",
            ctx.coverage.cloudflared_pods_note()
        )
    } else {
        String::new()
    };
    Some(Finding {
        confidence: if covering < pods {
            Confidence::Low
        } else {
            Confidence::Medium
        },
        reason: format!(
            "burst {id}: {} with no devvm, serve, dispatch or cloudflared marker while \
             cloudflared covered that time{pods_note}: the break was on the cluster path",
            burst_members(ctx, clients, cancels)
        ),
        evidence: cancels.to_vec(),
    })
}

/// Describes what a burst is made of: its clients' drops and its `context canceled` lines. A
/// burst of cancel lines alone has no drop, because dispatch logged no socket then.
fn burst_members(ctx: &Context, clients: usize, cancels: &[usize]) -> String {
    let closeness = ctx.options.burst_closeness();
    match (clients, cancels.len()) {
        (0, lines) => format!("{lines} `context canceled` proxy errors {closeness}"),
        (clients, 0) => format!("{clients} clients dropped {closeness}"),
        (clients, lines) => format!("{clients} clients dropped {closeness} ({lines} cancel lines)"),
    }
}

/// Tells whether the devvm journal covers `[from, to]` with no silence.
fn journal_covers(ctx: &Context, from: i64, to: i64) -> bool {
    ctx.coverage
        .journal
        .as_ref()
        .is_some_and(|journal| journal.covers(from, to))
}

/// Returns the lines in `[from, to]` that show some user's t3 serve dying or failing: an OOM
/// kill, an exit, a failure, a restart of it alone. For a drop whose user is unknown (only
/// Traefik saw it), such a line means the path was not clean, though no rule can tie the drop
/// to that serve.
/// Returns the first dial that dispatch logged as refused in `[from, to]` to a loopback port
/// of no known user (neither learned from dispatch lines nor given with `--serve-port`), with
/// the port.
fn unmapped_refusal(ctx: &Context, from: i64, to: i64) -> Option<(usize, u16)> {
    refusals(ctx, from, to).find_map(|(i, port, user)| user.is_none().then_some((i, port)))
}

/// Returns the 502, 503 or 504 status of a socket's Traefik line, if it has one.
fn gateway_status(ctx: &Context, socket: &Socket) -> Option<u16> {
    if !socket.gateway_error {
        return None;
    }
    match ctx.events[socket.traefik?].kind {
        EventKind::TraefikSocket { status, .. } => status,
        _ => None,
    }
}

/// Returns the first refused dial in the window to a port that `--serve-port` or the dispatch
/// lines map to a user, with that port and user.
fn mapped_refusal<'a>(ctx: &'a Context, from: i64, to: i64) -> Option<(usize, u16, &'a str)> {
    refusals(ctx, from, to).find_map(|(i, port, user)| user.map(|user| (i, port, user)))
}

/// Lists the dials that dispatch logged as refused in `[from, to]`, each with its loopback
/// port and the user that port is known to serve.
fn refusals<'a>(
    ctx: &'a Context,
    from: i64,
    to: i64,
) -> impl Iterator<Item = (usize, u16, Option<&'a str>)> {
    ctx.window(from, to)
        .iter()
        .filter_map(|&i| match ctx.events[i].kind {
            EventKind::ProxyError {
                class: ProxyErrorClass::Refused,
                port: Some(port),
            } => Some((i, port, ctx.ports.get(&port).map(|user| &**user))),
            _ => None,
        })
}

fn serve_failures(ctx: &Context, from: i64, to: i64) -> Vec<usize> {
    ctx.window(from, to)
        .iter()
        .copied()
        .filter(|&i| match &ctx.events[i].kind {
            EventKind::OomKill { user, .. } => user.is_some(),
            EventKind::ServeRestart { .. } => true,
            EventKind::UnitChange {
                unit: Unit::Serve(_),
                action,
            } => matches!(
                action,
                UnitAction::OomKilled
                    | UnitAction::Exited
                    | UnitAction::Failed
                    | UnitAction::RestartScheduled
            ),
            _ => false,
        })
        .collect()
}

/// Returns the t3 serve lines in `[from, to]` with neither user nor PID that could change the
/// verdict. An `-o cat` journal keeps no unit or PID, so there only a home directory in the
/// line names the user. A start (`T3 Code running`) counts, because it may be the drop's own
/// serve restarting. Git timeouts count when they could bring the serves with timeouts up to
/// `git_timeout_users`, each timeout counted as another serve's. The rules that rest on a clean
/// window (the last mile) do not apply where such a line lies, since it may be the marker they
/// rule out.
///
/// A line with a PID but no user is left out, as before this check: other lines of its PID
/// could have named the user, and the git-timeout rule counts its PID as a serve.
fn serve_lines_without_user(ctx: &Context, from: i64, to: i64) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut timeouts = Vec::new();
    let mut serves_with_timeouts: BTreeSet<String> = BTreeSet::new();
    for &i in ctx.window(from, to) {
        match &ctx.events[i].kind {
            EventKind::ServeStarted {
                user: None,
                pid: None,
            } => starts.push(i),
            EventKind::ServeGitTimeout {
                user: None,
                pid: None,
            } => timeouts.push(i),
            EventKind::ServeGitTimeout { user: Some(u), .. } => {
                serves_with_timeouts.insert(u.to_string());
            }
            EventKind::ServeGitTimeout {
                user: None,
                pid: Some(p),
            } => {
                serves_with_timeouts.insert(format!("pid {p}"));
            }
            _ => {}
        }
    }
    // One serve's timeouts alone are no evidence, so timeouts that cannot reach the count
    // change nothing.
    if serves_with_timeouts.len() + timeouts.len() < ctx.options.git_timeout_users {
        timeouts.clear();
    }
    let mut lines: Vec<usize> = starts.into_iter().chain(timeouts).collect();
    lines.sort_unstable();
    lines
}

/// Names the sources that do not cover `[from, to]`.
pub fn missing_sources(ctx: &Context, from: i64, to: i64) -> Vec<String> {
    let mut missing = Vec::new();
    if !journal_covers(ctx, from, to) {
        missing.push("the devvm journal".to_string());
    } else if ctx.coverage.journal_units_only {
        missing.push(super::coverage::UNITS_ONLY.to_string());
    }
    match &ctx.coverage.traefik {
        None => missing.push("Traefik".to_string()),
        Some(span) if !span.covers(from, to) => missing.push("Traefik".to_string()),
        _ => {}
    }
    if ctx.coverage.cloudflared_cover(from, to).0 == 0 {
        missing.push("cloudflared".to_string());
    }
    missing
}

/// Counts the distinct clients, this drop's included, that dropped within a second of it. A
/// burst split by a second boundary is not one with a one-second window, but so many clients
/// dropping together still points to a shared cause. The second is inclusive, because a
/// whole-second time stands for its whole second.
fn clients_dropping_near(ctx: &Context, drop: &Candidate) -> usize {
    // A wider window groups most such drops already, but a drop just past a burst's window
    // is left out of it, and is no less near the others.
    // `candidates` is sorted by time.
    let from = ctx
        .candidates
        .partition_point(|other| other.time < drop.time - SECOND);
    let to = ctx
        .candidates
        .partition_point(|other| other.time <= drop.time + SECOND);
    let near = ctx.candidates[from..to.max(from)]
        .iter()
        .map(|other| &ctx.sockets[other.socket]);
    super::drops::distinct_clients(near)
}

fn last_mile_clean(ctx: &Context, subject: &Subject) -> Option<Finding> {
    if subject.burst.is_some() || !missing_sources(ctx, subject.from, subject.to).is_empty() {
        return None;
    }
    let drop = subject.drops.first()?;
    if clients_dropping_near(ctx, drop) >= ctx.options.burst_min.max(2) {
        return None;
    }
    let socket = ctx.socket(drop);
    // A Traefik status of 502, 503 or 504 means Traefik could not reach dispatch, so the path
    // failed on devvm's side of Traefik, not in the user's network.
    if socket.gateway_error {
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

fn unknown(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
    } else if let Some(status) = subject
        .drops
        .first()
        .and_then(|drop| gateway_status(ctx, ctx.socket(drop)))
        .filter(|_| subject.burst.is_none())
    {
        format!(
            "Traefik answered {status} to the WebSocket request: it could not reach t3-dispatch \
             (502 refused or reset, 503 no endpoint, 504 no answer in time), but no source shows \
             why"
        )
    } else if let Some(lines) = (subject.burst.is_none())
        .then(|| serve_lines_without_user(ctx, subject.from, subject.to))
        .filter(|lines| !lines.is_empty())
    {
        let reason = serve_lines_without_user_reason(ctx, subject, &lines);
        cited = lines;
        reason
    } else if missing.iter().any(|m| m == "Traefik") && missing.iter().any(|m| m == "cloudflared") {
        if missing.len() == 3 && ctx.coverage.journal.is_some() {
            "no Traefik or cloudflared logs cover this time, and the devvm journal starts or ends \
             inside the evidence window"
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

pub fn join_names(names: &[String]) -> String {
    let verb = if names.len() == 1 { "does" } else { "do" };
    match names {
        [] => String::new(),
        [one] => format!("{one} {verb}"),
        [rest @ .., last] => format!("{} and {last} {verb}", rest.join(", ")),
    }
}

/// Returns the first shared rule with positive evidence for a subject (a dispatch restart, a
/// devvm stall, a cloudflared fault), skipping the rules that rest on the absence of evidence
/// (`cluster_path`, `last_mile`, `unknown`). Used to name a second cause that overlaps a more
/// specific one.
pub fn attribute_shared_evidence(
    ctx: &Context,
    subject: &Subject,
) -> Option<(&'static Rule, Finding)> {
    RULES
        .iter()
        .filter(|rule| rule.scope == Scope::Shared)
        .filter(|rule| {
            matches!(
                rule.segment,
                Segment::Dispatch | Segment::Devvm | Segment::Cloudflare
            )
        })
        .find_map(|rule| (rule.check)(ctx, subject).map(|finding| (rule, finding)))
}

/// Evaluates the rules for a subject, trying only rules of `scope` (or all when `None`).
pub fn attribute(
    ctx: &Context,
    subject: &Subject,
    scope: Option<Scope>,
) -> Option<(&'static Rule, Finding)> {
    RULES
        .iter()
        .filter(|rule| scope.is_none_or(|s| rule.scope == s))
        .find_map(|rule| (rule.check)(ctx, subject).map(|finding| (rule, finding)))
}

/// Renders the rule table as Markdown, the body of `docs/ATTRIBUTION.md`.
pub fn rules_markdown() -> String {
    let mut text = String::from(
        "# Attribution rules\n\n\
         Generated from the rule table in `src/correlate/rules.rs` by \
         `UPDATE_DOCS=1 cargo test --lib rules_doc`; a test fails when this page and the code differ.\n\n\
         Rules are tried in this order and the first whose evidence is present gives the verdict. \
         Per-drop rules look at the drop's own user and socket; shared rules look at everything in the \
         window and are judged once per burst, whose members share the verdict unless a per-drop rule \
         matches one of them (its reason then names the burst too). With a burst window wider \
         than a second, a member whose own window holds none of the burst's evidence is judged on \
         its own as well. When a per-drop rule wins, \
         the first shared rule with positive evidence in the same window (dispatch, devvm or \
         cloudflare) is named in the reason as well, so overlapping causes are visible. A rule's \
         high confidence becomes medium when the devvm journal, Traefik or cloudflared does not \
         cover the window, and the reason says which. Rules on the probe and pressure metrics read \
         events that stand for the span between two samples (15 s at the usual scrape interval); \
         their reasons say so.\n\n\
         | # | rule | segment | scope | evidence | window | confidence |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (n, rule) in RULES.iter().enumerate() {
        let scope = match rule.scope {
            Scope::PerDrop => "per drop",
            Scope::Shared => "shared",
        };
        text.push_str(&format!(
            "| {} | `{}` | `{}` | {scope} | {} | {} | {} |\n",
            n + 1,
            rule.name,
            rule.segment.as_str(),
            rule.evidence
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            rule.window,
            rule.confidence
        ));
    }
    let defaults = RuleOptions::default();
    let metric_defaults = crate::parse::metrics::MetricOptions::default();
    text.push_str(&format!(
        "\n## Numbers the rules use\n\n\
         | name | default | option |\n|---|---|---|\n\
         | evidence window before a drop | {} s | `--window-before` |\n\
         | evidence window after a drop | {} s | `--window-after` |\n\
         | Traefik ending a socket before dispatch logs its close | {} s | `--stall-lag` |\n\
         | users whose serves log git timeouts for a host stall | {} | `--git-timeout-users` |\n\
         | life after which a graceful close is a heartbeat timeout | {} ms | `--heartbeat` |\n\
         | journal or Traefik silence that counts as a gap | 30 s and 10 times the usual spacing | `--gap-min` |\n\
         | drops of one cause that form one incident, at most apart | 120 s | `--incident-gap` |\n\
         | devvm IO stall rate that is pressure | {} s/s | `--io-pressure` |\n\
         | devvm memory stall rate that is pressure | {} s/s | `--memory-pressure` |\n\
         | probe t3serve round trip that is a spike | {} s (the smallest bucket bound at or above it) | - |\n\
         | metric step that is a missing scrape | {} times the series' usual step | - |\n",
        defaults.window_before / SECOND,
        defaults.window_after / SECOND,
        defaults.stall_lag / SECOND,
        defaults.git_timeout_users,
        defaults.heartbeat_ms,
        metric_defaults.io_pressure,
        metric_defaults.memory_pressure,
        crate::parse::metrics::RTT_SPIKE_SECONDS,
        crate::parse::metrics::MISSING_SCRAPE_FACTOR,
    ));
    text
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

    #[test]
    fn burst_closeness_names_the_window() {
        let closeness = |burst_window| {
            RuleOptions {
                burst_window,
                ..RuleOptions::default()
            }
            .burst_closeness()
        };
        assert_eq!(closeness(SECOND), "in the same second");
        assert_eq!(closeness(2 * SECOND), "within 2 s");
        assert_eq!(closeness(1500 * crate::time::MILLI), "within 1500 ms");
    }

    #[test]
    fn rules_cover_every_segment() {
        for segment in Segment::ALL {
            assert!(
                RULES.iter().any(|r| r.segment == segment),
                "no rule yields {segment:?}"
            );
        }
    }

    #[test]
    fn rule_names_are_unique() {
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn rules_are_ordered_by_segment() {
        let order: Vec<usize> = RULES
            .iter()
            .map(|r| Segment::ALL.iter().position(|s| *s == r.segment).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    }

    #[test]
    fn rules_doc_matches_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ATTRIBUTION.md");
        let expected = rules_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/ATTRIBUTION.md is out of date: run UPDATE_DOCS=1 cargo test --lib rules_doc"
        );
        for rule in RULES {
            assert!(
                actual.contains(&format!("`{}`", rule.name)),
                "{} missing from the doc",
                rule.name
            );
        }
    }

    #[test]
    fn relative_wording() {
        assert_eq!(relative(0, 0), "at the time of");
        assert_eq!(relative(-2 * SECOND, 0), "2 s before");
        assert_eq!(relative(1_500_000, 0), "1.5 s after");
    }

    #[test]
    fn name_lists() {
        assert_eq!(join_names(&["cloudflared".into()]), "cloudflared does");
        assert_eq!(
            join_names(&["Traefik".into(), "cloudflared".into()]),
            "Traefik and cloudflared do"
        );
    }
}
