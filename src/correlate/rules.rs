//! The attribution rules, as one table tried in order: the first rule whose evidence is present
//! gives the segment.
//!
//! Each [`Rule`] names the segment it yields, the evidence it needs, the window it looks in, and
//! the confidence it gives; its `check` function is the evidence test. Rules marked
//! [`Scope::PerDrop`] look at one drop's own user and socket (a serve that died); the others look
//! at everything in the window and are evaluated once for a whole burst, whose members share the
//! verdict unless a per-drop rule matches one of them.
//!
//! Here are the table, the types the checks share and the evidence helpers that
//! several of them call. The checks live in one submodule per place of the break: `serve`,
//! `dispatch`, `devvm`, `cluster` (cloudflared, the tunnel and the shared path) and `metrics`
//! (the probe and devvm's pressure), with `fallback` for `last_mile` and `unknown`.

mod cluster;
mod devvm;
mod dispatch;
mod fallback;
mod metrics;
mod serve;

use std::collections::{BTreeSet, HashMap};

use super::coverage::Coverage;
use super::drops::Candidate;
use super::sockets::Socket;
use super::{Confidence, Segment};
use crate::event::{Event, EventKind, ProxyErrorClass, Unit, UnitAction};
use crate::time::SECOND;
use cluster::{burst_members, cloudflared_restarted, shared_path_burst, tunnel_churn};
use devvm::{
    devvm_git_timeouts, devvm_journal_gap, devvm_kernel_stall, devvm_late_close, devvm_memory,
    devvm_rebooted, reboot_near,
};
use dispatch::{dispatch_restarted, is_dispatch_start_or_stop};
use fallback::{journal_unclean, last_mile_clean, unknown};
use metrics::{
    last_mile_probe, probe_cloudflare_leg_down, probe_websocket_legs_down,
    serve_leg_or_pressure_several_users, serve_leg_or_pressure_this_user_only,
};
use serve::{
    serve_died, serve_reconnect_failed, serve_refused, serve_reset, serve_upstream_closed,
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
        name: "serve_reconnect_failed",
        segment: Segment::T3Serve,
        scope: Scope::PerDrop,
        evidence: "the dial of the drop's reconnect to the user's serve timed out or was refused \
                   (`cause=dial tcp 127.0.0.1:PORT: i/o timeout`), and no dispatch or devvm rule \
                   matches, since a frozen devvm or a restarting dispatch also fails such dials",
        window: "a reconnect that started in the window; its close is logged when the dial gives \
                 up, often after the window",
        confidence: "medium",
        check: serve_reconnect_failed,
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
                   journal line after the silence (the last line before it in a newest-first export). A silence \
                   that a DST change of devvm's zone explains, in a journal whose times carry no UTC offset and \
                   were read in a --tz without that change, is probably the local clock jumping: its row is low \
                   confidence and says so",
        window: DEFAULT_WINDOW,
        confidence: "high; low for a silence that a DST change explains",
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
        name: "devvm_kernel_stall",
        segment: Segment::Devvm,
        scope: Scope::Shared,
        evidence: "the kernel reported a CPU stall: a soft lockup (`BUG: soft lockup - CPU#N stuck for Ns!`), \
                   a hard lockup or an RCU stall in the window, or a soft lockup logged after it whose `stuck \
                   for` time reaches back into it. A task blocked for minutes (`INFO: task … blocked for more \
                   than N seconds`) is cited beside one, but alone it is one task waiting on IO, not a stall",
        window: "the window, and up to 300 s after it for a soft lockup that reaches back into it",
        confidence: "high",
        check: devvm_kernel_stall,
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
                   not answer the request, or a reconnect that started in the window, with 502, \
                   503 or 504, dispatch logged a close for a \
                   socket it opened unless a restart orphaned it, no serve line of no known user \
                   or PID (an `-o cat` journal's) shows a start or enough git timeouts to make \
                   two users' serves, and for a drop whose user is \
                   unknown, no serve failed or refused a dial in the window), and the devvm \
                   clock offset is not doubtful there (more sockets pairing at whole half hours \
                   than at the offset used, or the window on the side of an instant where \
                   sockets start whole half hours off while the others join); high \
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
                   connected, Traefik did not answer the request, or a reconnect that started in the \
                   window, with 502, 503 or 504, the devvm journal has no silence there, dispatch logged a close for a socket \
                   it opened unless a restart orphaned it, and no serve line of no known user or PID \
                   shows a start or enough git timeouts to make two users' serves, and the devvm \
                   clock offset is not doubtful; the reason says \
                   the verdict rests on the probe",
        window: DEFAULT_WINDOW,
        confidence: "medium",
        check: last_mile_probe,
    },
    Rule {
        name: "unknown",
        segment: Segment::Unknown,
        scope: Scope::Shared,
        evidence: "anything else; the reason names the missing or silent source, or the doubtful \
                   clock offset",
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
    /// Why the clock offset in use may not hold, when it may not: devvm's lines and the
    /// cluster's may then not be from the same moment.
    pub clock_doubt: Option<&'a ClockDoubt>,
}

/// The reason to doubt the devvm clock offset in use.
#[derive(Clone, Debug)]
pub enum ClockDoubt {
    /// More dispatch sockets start this whole number of half hours (in microseconds) from their
    /// Traefik lines than at the offset in use (see [`super::join::Offset`]). It applies to the
    /// whole run.
    ZoneHint(i64),
    /// The offset holds on one side of an instant only.
    Split(super::clock_split::ClockSplit),
    /// devvm's clock stepped mid-journal, and moving one side's journal times by the step did
    /// not join that side's sockets: the offset holds on one side of the step only.
    Step(super::clock_step::ClockStep),
}

impl ClockDoubt {
    /// Returns the doubt of an offset, if any: its zone hint, or else its split, or else a
    /// clock step that was not corrected.
    pub fn of(offset: &super::join::Offset) -> Option<ClockDoubt> {
        let step = offset.step.as_ref().filter(|step| step.corrected.is_none());
        match (offset.zone_hint, &offset.split, step) {
            (Some(hint), _, _) => Some(ClockDoubt::ZoneHint(hint)),
            (None, Some(split), _) => Some(ClockDoubt::Split(split.clone())),
            (None, None, Some(step)) => Some(ClockDoubt::Step(step.clone())),
            (None, None, None) => None,
        }
    }

    /// Tells whether the doubt reaches `[from, to]` (cluster clock).
    pub fn covers(&self, from: i64, to: i64) -> bool {
        match self {
            ClockDoubt::ZoneHint(_) => true,
            ClockDoubt::Split(split) => split.covers(from, to),
            ClockDoubt::Step(step) => step.covers(from, to),
        }
    }

    /// Says why a doubtful clock offset weakens a verdict, for the reason of a row.
    pub fn note(&self) -> String {
        match self {
            ClockDoubt::ZoneHint(hint) => clock_doubt_note(*hint),
            ClockDoubt::Split(split) => split.note(),
            ClockDoubt::Step(step) => step.note(),
        }
    }
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
    /// Returns the clock doubt that reaches `[from, to]`, if any.
    pub fn clock_doubt_over(&self, from: i64, to: i64) -> Option<&ClockDoubt> {
        self.clock_doubt.filter(|doubt| doubt.covers(from, to))
    }

    /// Event indexes whose time lies in `[from, to]`, in time order.
    pub fn window(&self, from: i64, to: i64) -> &[usize] {
        let start = self
            .by_time
            .partition_point(|&i| self.events[i].time < from);
        let end = self.by_time.partition_point(|&i| self.events[i].time <= to);
        &self.by_time[start..end.max(start)]
    }

    /// Event indexes in `[from, to]`, in time order, of the events whose kind `keep` accepts.
    pub fn events_in(&self, from: i64, to: i64, keep: impl Fn(&EventKind) -> bool) -> Vec<usize> {
        self.window(from, to)
            .iter()
            .copied()
            .filter(|&i| keep(&self.events[i].kind))
            .collect()
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

/// Tells whether the devvm journal covers `[from, to]` with no silence.
fn journal_covers(ctx: &Context, from: i64, to: i64) -> bool {
    ctx.coverage
        .journal
        .as_ref()
        .is_some_and(|journal| journal.covers(from, to))
}

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

/// Returns the lines in `[from, to]` that show some user's t3 serve dying or failing: an OOM
/// kill, an exit, a failure, a restart of it alone. For a drop whose user is unknown (only
/// Traefik saw it), such a line means the path was not clean, though no rule can tie the drop
/// to that serve.
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

/// Says why a doubtful clock offset weakens a verdict, for the reason of a row.
pub fn clock_doubt_note(doubt: i64) -> String {
    format!(
        "the devvm clock offset is doubtful, since more sockets start {:+.1} h from their Traefik \
         lines than at the offset used: devvm's lines and the cluster's may not be from the same \
         moment; set --tz or --skew as the warning says and run again",
        doubt as f64 / 3600.0 / SECOND as f64
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
         cover the window, and the reason says which. The devvm clock offset is doubtful when \
         more dispatch sockets start a whole number of half hours from their Traefik lines than \
         at the offset used. Then no rule claims the last mile. Every verdict becomes low, with \
         the doubt in its reason, except a per-drop one on dispatch's own socket that cites \
         journal lines alone. Every burst's verdict becomes low too. The offset is also \
         doubtful on one side of an instant when the sockets logged on that side start a whole \
         number of half hours off their Traefik lines and those on the other side join, as a \
         DST change that --tz lacks leaves them. Then the same limits apply to every window \
         that reaches that side. Rules on the probe and pressure metrics read \
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
