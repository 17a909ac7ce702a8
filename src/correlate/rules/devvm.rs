//! The checks of the rules that find a drop's cause on the devvm host: a reboot, a silent
//! journal, a close logged long after the socket went quiet, the kernel's stall reports,
//! memory pressure and OOM kills, and git timeouts across several users' serves.

use std::collections::BTreeSet;

use super::{
    Context, Finding, Subject, format_seconds, is_dispatch_start_or_stop, reference, relative, what,
};
use crate::correlate::Confidence;
use crate::correlate::sockets::Socket;
use crate::event::{EventKind, OomScope};
use crate::time::{self, SECOND};

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
pub(super) fn reboot_near(ctx: &Context, subject: &Subject) -> Option<(String, Vec<usize>)> {
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

pub(super) fn devvm_rebooted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let (reason, evidence) = reboot_near(ctx, subject)?;
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence,
    })
}

pub(super) fn devvm_journal_gap(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
    // The gap starts after the last logged second, so that second is the last one with a
    // line.
    let silence = format!(
        "{who} while the devvm journal was silent for {} s (no line after {} until {})",
        (end - start) / SECOND,
        time::format_seconds(start - SECOND),
        time::format_seconds(end)
    );
    // A silence of a DST change's size at a DST change's instant is devvm's local clock
    // jumping, read in a --tz without that change. A real freeze of that length at that
    // moment is possible, so the row stays, at low confidence.
    let (confidence, reason) = match ctx.coverage.clock_change_over(start, end) {
        Some(change) => (
            Confidence::Low,
            format!(
                "{silence}, but the silence is probably a clock change read without the right \
                 --tz: devvm's local time jumps {} there, as a DST change of its zone does \
                 (see the warning), so devvm was probably not frozen",
                if change.shift > 0 { "forward" } else { "back" }
            ),
        ),
        None => (
            Confidence::High,
            format!("{silence} and Traefik or cloudflared kept logging: devvm was frozen"),
        ),
    };
    Some(Finding {
        confidence,
        reason,
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

pub(super) fn devvm_late_close(ctx: &Context, subject: &Subject) -> Option<Finding> {
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

/// The furthest back a stall line reaches from its own time: a soft lockup reports how long
/// the CPU had been stuck, and a longer report is read as this long.
const STALL_REACH: i64 = 300 * SECOND;

/// Finds the kernel's own report of a devvm stall around the subject's drops: a lockup or an
/// RCU stall in the window, or a soft lockup logged after it whose `stuck for` time reaches
/// back into it. A CPU stuck for many seconds stalls the VM's work (on a VM it often means the
/// hypervisor paused it), so it is high confidence. A hung task in the window is cited beside a
/// CPU stall, never alone.
pub(super) fn devvm_kernel_stall(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let reaches_window = |i: usize| {
        let event = &ctx.events[i];
        let EventKind::KernelStall { seconds, hung_task } = event.kind else {
            return false;
        };
        if event.time <= subject.to {
            return true;
        }
        let lasted = match seconds {
            Some(seconds) if !hung_task => (i64::from(seconds) * SECOND).min(STALL_REACH),
            _ => 0,
        };
        event.time - lasted <= subject.to
    };
    let evidence: Vec<usize> = ctx
        .window(subject.from, subject.to + STALL_REACH)
        .iter()
        .copied()
        .filter(|&i| reaches_window(i))
        .collect();
    let cpu_stall = evidence.iter().copied().find(|&i| {
        matches!(
            ctx.events[i].kind,
            EventKind::KernelStall {
                hung_task: false,
                ..
            }
        )
    });
    // A blocked task alone is one process waiting on IO (a slow disk, a hung NFS mount), which
    // stops neither dispatch nor the network.
    let first = cpu_stall?;
    let EventKind::KernelStall { seconds, .. } = ctx.events[first].kind else {
        return None;
    };
    let reference = reference(ctx, subject);
    let logged = relative(ctx.events[first].time, reference);
    let reason = match seconds {
        Some(seconds) => format!(
            "the kernel reported a CPU stuck for {seconds} s, logged {logged} {}: devvm was \
             stalled",
            what(subject)
        ),
        None => format!(
            "the kernel reported a CPU stall (lockup or RCU stall) {logged} {}: devvm was stalled",
            what(subject)
        ),
    };
    Some(Finding {
        confidence: Confidence::High,
        reason,
        evidence,
    })
}

pub(super) fn devvm_memory(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence = ctx.events_in(subject.from, subject.to, |kind| {
        matches!(
            kind,
            EventKind::OomKill {
                scope: OomScope::Global,
                ..
            } | EventKind::OomKill { user: None, .. }
                | EventKind::EarlyoomAction { .. }
        )
    });
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

pub(super) fn devvm_git_timeouts(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
