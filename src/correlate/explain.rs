//! `explain`: the rules tried for one drop, which matched and why, in the order the
//! attribution tried them.

use super::rules::{ClockDoubt, Context, Finding, RULES, Rule, Scope, Subject};
use super::{Analysis, Candidate};

/// One rule tried for a drop.
pub struct Trial {
    pub rule: &'static Rule,
    /// What the rule judged: `this drop`, or `burst B001`.
    pub subject: String,
    pub window: (i64, i64),
    pub finding: Option<Finding>,
}

/// Tries the rules for drop `index` again, exactly as the attribution did, and returns every rule
/// tried up to the one that matched.
pub fn explain(analysis: &Analysis, index: usize) -> Vec<Trial> {
    let clock_doubt = ClockDoubt::of(&analysis.offset);
    let ctx = Context {
        events: &analysis.events,
        by_time: &analysis.by_time,
        sockets: &analysis.sockets,
        coverage: &analysis.coverage,
        ports: &analysis.ports,
        options: analysis.rule_options,
        candidates: &analysis.candidates,
        metric_events: &analysis.metric_events,
        clock_doubt: clock_doubt.as_ref(),
    };
    let options = analysis.rule_options;
    let candidate: &Candidate = &analysis.candidates[index];
    let single_window = (
        candidate.time - options.window_before,
        candidate.time + options.window_after,
    );
    let single = Subject {
        drops: vec![candidate],
        from: single_window.0,
        to: single_window.1,
        burst: None,
    };
    let burst = analysis.bursts.iter().find(|b| b.members.contains(&index));

    let mut trials = Vec::new();
    let per_drop_only = burst.is_some();
    for rule in RULES
        .iter()
        .filter(|r| !per_drop_only || r.scope == Scope::PerDrop)
    {
        let finding = (rule.check)(&ctx, &single);
        let matched = finding.is_some();
        trials.push(Trial {
            rule,
            subject: "this drop".to_string(),
            window: single_window,
            finding,
        });
        if matched {
            return trials;
        }
    }
    if let Some(burst) = burst {
        let members: Vec<&Candidate> = burst
            .members
            .iter()
            .map(|&m| &analysis.candidates[m])
            .collect();
        let window = (
            burst.start - options.window_before,
            burst.end + options.window_after,
        );
        let subject = Subject {
            drops: members,
            from: window.0,
            to: window.1,
            burst: Some((&burst.id, burst.clients, &burst.cancels)),
        };
        for rule in RULES.iter().filter(|r| r.scope == Scope::Shared) {
            let finding = (rule.check)(&ctx, &subject);
            let matched = finding.is_some();
            trials.push(Trial {
                rule,
                subject: format!("burst {}", burst.id),
                window,
                finding,
            });
            if matched {
                break;
            }
        }
    }
    trials
}

/// Checks that `explain` agrees with the attribution for every drop (used by tests).
pub fn agrees_with_attribution(analysis: &Analysis) -> bool {
    (0..analysis.drops.len()).all(|i| {
        let trials = explain(analysis, i);
        trials
            .last()
            .is_some_and(|t| t.finding.is_some() && t.rule.name == analysis.drops[i].rule)
    })
}
