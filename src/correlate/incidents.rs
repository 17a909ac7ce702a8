//! Incidents: drops that share a cause and a window, grouped into one row each, the view a
//! post-mortem starts from.
//!
//! Drops are taken in time order and join the open incident of their key when they come within
//! that key's gap of its last drop. The key is the segment plus what makes two causes the same:
//! - `t3_serve`: the user, because each user's serve dies on its own;
//! - `dispatch`, `devvm`, `cloudflare`, `cluster_path`: the rule, within `shared_gap`;
//! - `last_mile`, `unknown`: nothing shared is known, so only drops at the same moment (within
//!   `same_moment`) group, whoever the users are;
//! - a burst always stays in one incident, except members whose own serve died.

use std::collections::{BTreeSet, HashMap};

use super::{Drop, Segment};
use crate::event::{Event, EventKind, Source};
use crate::time::SECOND;

/// The gaps that bound an incident.
#[derive(Clone, Copy, Debug)]
pub struct IncidentOptions {
    // `--incident-gap` sets the first two; `same_moment` is fixed.
    /// Drops of one user's serve this close together are one incident.
    pub serve_gap: i64,
    /// Drops with the same shared cause this close together are one incident.
    pub shared_gap: i64,
    /// Drops without a shared cause group only when this close together.
    pub same_moment: i64,
}

impl Default for IncidentOptions {
    fn default() -> Self {
        IncidentOptions {
            serve_gap: 120 * SECOND,
            shared_gap: 120 * SECOND,
            same_moment: 5 * SECOND,
        }
    }
}

/// One incident.
#[derive(Clone, Debug)]
pub struct Incident {
    pub id: String,
    pub start: i64,
    pub end: i64,
    pub segment: Segment,
    pub users: Vec<Box<str>>,
    pub clients: usize,
    /// Indexes into the drops.
    pub drops: Vec<usize>,
    /// The best-ranked evidence of its drops, the rules' lines and the sockets' own (see
    /// `key_rank`), up to `KEY_EVIDENCE` lines: the markers in time order, then the sockets'
    /// lines in time order.
    pub key_evidence: Vec<usize>,
    /// The reason of its first drop.
    pub reason: String,
}

/// How many evidence lines an incident row lists.
const KEY_EVIDENCE: usize = 5;

/// Ranks an evidence line for an incident row, lowest first. Markers from the source where the
/// segment's cause shows come first: the journal for serve, dispatch and devvm, and cloudflared
/// for Cloudflare. Other markers follow (a tunnel churn noted beside an OOM kill), then the
/// lines that end sockets, then `ws open` lines, which only show when a socket began.
fn key_rank(event: &Event, segment: Segment) -> u8 {
    match &event.kind {
        EventKind::WsOpen { .. } => 3,
        EventKind::WsClose { .. } | EventKind::TraefikSocket { .. } => 2,
        _ => {
            let home = match segment {
                Segment::T3Serve | Segment::Dispatch | Segment::Devvm | Segment::ClusterPath => {
                    Some(Source::Journal)
                }
                Segment::Cloudflare => Some(Source::Cloudflared),
                Segment::LastMile | Segment::Unknown => None,
            };
            if home == Some(event.source) { 0 } else { 1 }
        }
    }
}

/// What makes two drops' causes the same.
fn key_of(drop: &Drop) -> (Segment, String) {
    match drop.segment {
        Segment::T3Serve => (drop.segment, drop.user.as_deref().unwrap_or("").to_string()),
        Segment::LastMile | Segment::Unknown => match &drop.burst_id {
            Some(burst) => (drop.segment, burst.clone()),
            None => (drop.segment, String::new()),
        },
        _ => (drop.segment, drop.rule.to_string()),
    }
}

/// Groups drops (in time order) into incidents and writes each drop's `incident_id`.
pub fn group(drops: &mut [Drop], events: &[Event], options: &IncidentOptions) -> Vec<Incident> {
    let mut incidents: Vec<(Segment, String, Incident)> = Vec::new();
    // The latest incident of each key: drops come in time order, so only it can still be open.
    let mut latest: HashMap<(Segment, String), usize> = HashMap::new();
    for (index, drop) in drops.iter().enumerate() {
        let (segment, key) = key_of(drop);
        let gap = match segment {
            Segment::T3Serve => options.serve_gap,
            Segment::LastMile | Segment::Unknown if drop.burst_id.is_none() => options.same_moment,
            _ => options.shared_gap,
        };
        let open = latest
            .get(&(segment, key.clone()))
            .map(|&at| &mut incidents[at])
            .filter(|(_, _, incident)| drop.time - incident.end <= gap);
        match open {
            Some((_, _, incident)) => {
                incident.end = incident.end.max(drop.time);
                incident.drops.push(index);
            }
            None => {
                latest.insert((segment, key.clone()), incidents.len());
                incidents.push((
                    segment,
                    key,
                    Incident {
                        id: String::new(),
                        start: drop.time,
                        end: drop.time,
                        segment,
                        users: Vec::new(),
                        clients: 0,
                        drops: vec![index],
                        key_evidence: Vec::new(),
                        reason: drop.reason.clone(),
                    },
                ));
            }
        }
    }

    let mut result: Vec<Incident> = incidents
        .into_iter()
        .map(|(_, _, incident)| incident)
        .collect();
    result.sort_by_key(|i| (i.start, i.drops[0]));
    for (n, incident) in result.iter_mut().enumerate() {
        incident.id = format!("I{:03}", n + 1);
        let mut users = BTreeSet::new();
        let mut clients = BTreeSet::new();
        let mut evidence = BTreeSet::new();
        for &d in &incident.drops {
            let drop = &mut drops[d];
            drop.incident_id = incident.id.clone();
            if let Some(user) = &drop.user {
                users.insert(user.clone());
            }
            clients.insert(drop.client);
            // The rule's lines and the socket's own: the ranking below puts the markers of the
            // cause first, and the lines that ended sockets fill the rest. A verdict that rests
            // on absence of evidence (last mile, unknown) has only the socket's lines.
            evidence.extend(drop.evidence.iter().copied());
        }
        incident.users = users.into_iter().collect();
        incident.clients = clients.len();
        let mut evidence: Vec<usize> = evidence.into_iter().collect();
        evidence.sort_by_key(|&i| {
            (
                key_rank(&events[i], incident.segment),
                events[i].time,
                events[i].origin,
            )
        });
        evidence.truncate(KEY_EVIDENCE);
        // The markers lead, so that a socket's lines from minutes before do not push the
        // cause's own line to the end.
        evidence.sort_by_key(|&i| {
            (
                key_rank(&events[i], incident.segment) > 1,
                events[i].time,
                events[i].origin,
            )
        });
        incident.key_evidence = evidence;
    }
    result
}
