//! The check of the rule that finds a burst's cause in t3-dispatch itself: the proxy stopped or
//! restarted, which drops every socket it carried at once.

use super::{Context, Finding, Subject, reboot_near, reference, relative, what};
use crate::correlate::Confidence;
use crate::event::{EventKind, Unit, UnitAction};

/// Tells whether an event shows t3-dispatch starting or stopping: a systemd change of its unit,
/// or its `listening on` line.
pub(super) fn is_dispatch_start_or_stop(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::DispatchListening
            | EventKind::UnitChange {
                unit: Unit::Dispatch,
                ..
            }
    )
}

pub(super) fn dispatch_restarted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let reference = reference(ctx, subject);
    let mut evidence = ctx.events_in(subject.from, subject.to, is_dispatch_start_or_stop);
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
        // A burst's members share this reason, and only some of them may be orphans: the
        // others' opens may lie before the journal starts (Traefik alone saw them).
        let orphaned = if orphans.len() == subject.drops.len() {
            format!("all {} of the burst's sockets", orphans.len())
        } else {
            format!(
                "{} of the burst's {} sockets",
                orphans.len(),
                subject.drops.len()
            )
        };
        format!(
            "t3-dispatch restarted {} {}, and {orphaned} had a `ws open` and no `ws close` in \
             its log",
            relative(ctx.events[orphans[0]].time, reference),
            what(subject),
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
