//! The checks of the rules that find a drop's cause on the shared path in front of devvm:
//! cloudflared restarts, tunnel connection churn, and bursts of many clients dropping at once
//! with no devvm, serve or dispatch marker.

use super::{Context, Finding, Subject, journal_covers, reference, relative, what};
use crate::correlate::Confidence;
use crate::event::{Event, EventKind, ShutdownReason};

fn pod_of(event: &Event) -> &str {
    event.pod.as_deref().unwrap_or("a cloudflared pod")
}

pub(super) fn cloudflared_restarted(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence = ctx.events_in(subject.from, subject.to, |kind| {
        matches!(
            kind,
            EventKind::CfShutdown { .. } | EventKind::CfStart { .. }
        )
    });
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

pub(super) fn tunnel_churn(ctx: &Context, subject: &Subject) -> Option<Finding> {
    let evidence = ctx.events_in(subject.from, subject.to, |kind| {
        matches!(
            kind,
            EventKind::CfConnFailed { .. }
                | EventKind::CfConnTerminated { .. }
                | EventKind::CfConnUnregistered { .. }
        )
    });
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

pub(super) fn shared_path_burst(ctx: &Context, subject: &Subject) -> Option<Finding> {
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
pub(super) fn burst_members(ctx: &Context, clients: usize, cancels: &[usize]) -> String {
    let closeness = ctx.options.burst_closeness();
    match (clients, cancels.len()) {
        (0, lines) => format!("{lines} `context canceled` proxy errors {closeness}"),
        (clients, 0) => format!("{clients} clients dropped {closeness}"),
        (clients, lines) => format!("{clients} clients dropped {closeness} ({lines} cancel lines)"),
    }
}
