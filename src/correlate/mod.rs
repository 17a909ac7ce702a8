//! Correlation: from the event stream to attributed drops and bursts.
//!
//! The steps, in order: fill in users known only by PID; build dispatch and Traefik sockets;
//! measure the devvm clock offset and join the two on client and start time; move journal
//! times onto the cluster clock; decide which sockets are drops; group drops into bursts;
//! compute coverage; attribute each burst and drop with the rule table in [`rules`].

pub mod bursts;
pub mod clock_change;
pub mod clock_split;
pub mod clock_step;
pub mod coverage;
pub mod drops;
pub mod explain;
pub mod incidents;
pub mod join;
pub mod rules;
pub mod sockets;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::event::{Event, EventKind, Source, TraefikClass};
use crate::parse::client;
use crate::run::ParsedInputs;
use crate::time::{MILLI, SECOND};

use bursts::Burst;
use coverage::{Coverage, CoverageOptions, Span};
use drops::{Candidate, DropKind, DropOptions};
use join::{JoinOptions, Offset};
use rules::{Context, RuleOptions, Scope, Subject};
use sockets::Socket;

/// The segment a drop is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    T3Serve,
    Dispatch,
    Devvm,
    Cloudflare,
    ClusterPath,
    LastMile,
    Unknown,
}

impl Segment {
    /// Every segment, in the order the rules try them.
    pub const ALL: [Segment; 7] = [
        Segment::T3Serve,
        Segment::Dispatch,
        Segment::Devvm,
        Segment::Cloudflare,
        Segment::ClusterPath,
        Segment::LastMile,
        Segment::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::T3Serve => "t3_serve",
            Segment::Dispatch => "dispatch",
            Segment::Devvm => "devvm",
            Segment::Cloudflare => "cloudflare",
            Segment::ClusterPath => "cluster_path",
            Segment::LastMile => "last_mile",
            Segment::Unknown => "unknown",
        }
    }
}

/// The confidence of a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Settings of the whole correlation.
#[derive(Clone, Debug, Default)]
pub struct CorrelateOptions {
    pub drops: DropOptions,
    pub join: JoinOptions,
    pub coverage: CoverageOptions,
    pub rules: RuleOptions,
    /// `--burst-min`: the fewest distinct clients that make a burst.
    pub burst_min: usize,
    /// `--burst-window`: 1 s means the same UTC second; a wider window slides.
    pub burst_window: i64,
    /// `--serve-port USER=PORT` pairs.
    pub serve_ports: Vec<(Box<str>, u16)>,
    pub incidents: incidents::IncidentOptions,
    /// `--tz`: the zone that journal times without a UTC offset were read in.
    pub zone: crate::time::Zone,
}

impl CorrelateOptions {
    pub fn with_defaults() -> CorrelateOptions {
        CorrelateOptions {
            burst_min: 5,
            burst_window: SECOND,
            ..CorrelateOptions::default()
        }
    }
}

/// One attributed drop: a row of the `drops` output.
#[derive(Clone, Debug)]
pub struct Drop {
    pub id: String,
    /// The drop's time on the cluster clock, UTC microseconds.
    pub time: i64,
    pub user: Option<Box<str>>,
    pub client: Option<IpAddr>,
    pub dur_ms: Option<u64>,
    pub cause: Option<String>,
    pub reconnect_ms: Option<i64>,
    pub burst_id: Option<String>,
    pub segment: Segment,
    pub confidence: Confidence,
    pub reason: String,
    pub rule: &'static str,
    /// Event indexes, in time order: the rule's evidence and the socket's own lines.
    pub evidence: Vec<usize>,
    /// The rule's evidence alone (without the socket's own lines), in time order.
    pub rule_evidence: Vec<usize>,
    /// The incident the drop belongs to.
    pub incident_id: String,
    pub kind: DropKind,
    pub traefik_status: Option<u16>,
    pub traefik_dur_ms: Option<u64>,
    /// The sources that saw this socket.
    pub sources: Vec<Source>,
}

/// The result of correlation.
#[derive(Debug)]
pub struct Analysis {
    /// Events with journal times on the cluster clock.
    pub events: Vec<Event>,
    pub drops: Vec<Drop>,
    pub bursts: Vec<Burst>,
    pub offset: Offset,
    pub coverage: Coverage,
    /// Dispatch sockets joined to a Traefik line, and each side's count.
    pub joined: usize,
    pub dispatch_sockets: usize,
    pub traefik_sockets: usize,
    /// Traefik sockets without a dispatch twin that were left out because the join failed for
    /// most dispatch sockets, so they may be those sockets' other halves.
    pub traefik_set_aside: usize,
    /// The closed dispatch sockets that joined a Traefik line, and all closed dispatch sockets.
    pub closed_joined: (usize, usize),
    /// Long sockets that closed within `--reconnect-window` of the end of the journal or
    /// Traefik log, so no reconnect could show: they may be drops or users leaving.
    pub unchecked_closes: usize,
    /// Set when Traefik logged only private client addresses for most of its sockets while
    /// dispatch saw public ones: the number of such Traefik sockets and one of the addresses.
    pub traefik_private_clients: Option<(usize, IpAddr)>,
    /// Set when Traefik logged while dispatch sockets closed, but none of its lines was a
    /// WebSocket request on a router `--router` matches (or at `--ws-path`). It contains
    /// Traefik's span, left out of the coverage the rules read, and the routers that WebSocket
    /// requests went to, most requests first.
    pub traefik_unmatched: Option<(Span, Vec<(String, u64)>)>,
    pub incidents: Vec<incidents::Incident>,
    /// The rules' inputs, kept so `explain` can try them again for one drop.
    pub sockets: Vec<Socket>,
    pub by_time: Vec<usize>,
    /// Indexes of the events read from metric series (probe and pressure), in time order.
    pub metric_events: Vec<usize>,
    pub ports: HashMap<u16, Box<str>>,
    /// The drop candidates, in the same order as `drops`.
    pub candidates: Vec<Candidate>,
    pub rule_options: RuleOptions,
}

/// Runs the whole correlation over parsed inputs.
/// How long after Traefik ended a socket dispatch must still log a WebSocket line to show
/// that it was serving, so that a restart after that did not orphan the socket. A dying
/// dispatch can log a last line as its connections drop.
const ALIVE_MARGIN: i64 = 5 * SECOND;

/// Tells whether dispatch logged a `ws open` or `ws close` line strictly between `from` and
/// `to`: it was running then.
fn dispatch_served_between(events: &[Event], by_time: &[usize], from: i64, to: i64) -> bool {
    let start = by_time.partition_point(|&i| events[i].time <= from);
    by_time[start..]
        .iter()
        .take_while(|&&i| events[i].time < to)
        .any(|&i| {
            matches!(
                events[i].kind,
                EventKind::WsOpen { .. } | EventKind::WsClose { .. }
            )
        })
}

pub fn analyze(parsed: ParsedInputs, options: &CorrelateOptions) -> Analysis {
    let rule_options = RuleOptions {
        burst_window: options.burst_window,
        burst_min: options.burst_min,
        ..options.rules
    };
    let input_names: Vec<String> = parsed.inputs.iter().map(|i| i.name.clone()).collect();
    // Inputs read once because another input had the same bytes: (copy, original).
    let copies: Vec<(String, String)> = parsed
        .inputs
        .iter()
        .filter(|i| i.repeat == Some(crate::run::Repeat::SameContent))
        .filter_map(|i| Some((i.name.clone(), i.repeat_of.clone()?)))
        .collect();
    let mut events = parsed.events;
    sockets::resolve_pid_users(&mut events);
    let ports = sockets::port_users(&events, &options.serve_ports);

    // Sockets on their own clocks, then the offset and the join.
    // A step of devvm's clock mid-journal moves the journal times of one side first.
    let mut activity = parsed.activity;
    let mut joined_sockets = clock_step::Joined::of(&events, &options.join);
    clock_step::correct(
        &mut events,
        &mut activity,
        &mut joined_sockets,
        &options.join,
    );
    let clock_step::Joined {
        mut dispatch,
        traefik,
        mut offset,
        joined_to,
    } = joined_sockets;
    let traefik_private_clients = private_traefik_clients(&dispatch, &traefik);

    // Journal times onto the cluster clock.
    for event in events.iter_mut() {
        if event.source == Source::Journal {
            event.time -= offset.micros;
        }
    }
    for socket in dispatch.iter_mut() {
        socket.start -= offset.micros;
        socket.end = socket.end.map(|e| e - offset.micros);
    }
    // The zone hint already doubts the offset for the whole run.
    if offset.zone_hint.is_none() {
        offset.split =
            clock_split::find(&dispatch, &traefik, &joined_to, offset.micros, options.zone);
    }
    let mut by_time: Vec<usize> = (0..events.len()).collect();
    by_time.sort_by_key(|&i| (events[i].time, events[i].origin));

    let mut coverage = Coverage::build(&activity, -offset.micros, &options.coverage, &input_names);
    if parsed.journal_lines.t3_units_only() {
        coverage.set_journal_units_only();
    }
    coverage.add_pod_copies(&copies);
    coverage.clock_changes = clock_change::find(
        &events,
        offset.micros,
        options.zone,
        coverage.journal.as_ref(),
        &clock_change::Pairing {
            dispatch: &dispatch,
            traefik: &traefik,
            joined_to: &joined_to,
            tolerance: options.join.tolerance,
            zone_offsets: &[offset.zone_hint, offset.other_zone_hint]
                .into_iter()
                .flatten()
                .collect::<Vec<i64>>(),
        },
    );
    coverage.cloudflared_addresses = cloudflared_addresses(&events, &coverage);
    let traefik_unmatched = traefik_without_t3(&events, &dispatch, &mut coverage).map(|span| {
        (
            span,
            parsed
                .other_ws_routers
                .by_count()
                .iter()
                .map(|(r, n)| (r.to_string(), *n))
                .collect(),
        )
    });

    // One list of sockets: dispatch sockets with their Traefik line, plus Traefik sockets that
    // stand in where dispatch does not log sockets.
    let first_ws_line = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::WsOpen { .. } | EventKind::WsClose { .. }))
        .map(|e| e.time)
        .min();
    let mut taken = vec![false; traefik.len()];
    let mut all: Vec<Socket> = Vec::with_capacity(dispatch.len() + traefik.len());
    let mut joined = 0;
    for (socket, t) in dispatch.iter().zip(&joined_to) {
        let mut socket = socket.clone();
        if let Some(t) = *t {
            taken[t] = true;
            socket.traefik = traefik[t].traefik;
            socket.gateway_error = traefik[t].gateway_error;
            joined += 1;
            // Traefik writes its line when the connection ends, so a socket whose close
            // dispatch never logged (a lost or damaged line) ended there. When dispatch went on
            // logging sockets after that end, a later restart did not orphan this one.
            let ended_before_restart = match (socket.orphaned_by, traefik[t].end) {
                (Some(restart), Some(end)) => dispatch_served_between(
                    &events,
                    &by_time,
                    end + ALIVE_MARGIN,
                    events[restart].time,
                ),
                _ => false,
            };
            if socket.end.is_none() && (socket.orphaned_by.is_none() || ended_before_restart) {
                socket.orphaned_by = None;
                socket.end = traefik[t].end;
                socket.dur_ms = traefik[t].dur_ms;
            }
        }
        all.push(socket);
    }
    // The starts of the dispatch sockets that joined no Traefik line, in order. A Traefik socket
    // that starts within the join tolerance of one of them is likely that socket, which failed
    // to join (its client address differs, for example), so it does not count twice.
    let mut unjoined_starts: Vec<i64> = dispatch
        .iter()
        .zip(&joined_to)
        .filter(|(_, traefik)| traefik.is_none())
        .map(|(socket, _)| socket.start)
        .collect();
    unjoined_starts.sort_unstable();
    // When most closed dispatch sockets found no Traefik line, the join itself failed, from a
    // clock offset it could not measure or Traefik logging the pod's address as the client.
    // An unjoined Traefik socket is then more likely a dispatch socket's other half than a
    // socket of its own. Only the sockets that Traefik's log spans count. Traefik writes a
    // socket's line when it ends, so a log cut short (or still written) has none for the later
    // sockets, and those missing lines are no sign of a failed join.
    let traefik_spans = |start: i64, end: i64| {
        coverage
            .traefik
            .as_ref()
            .is_some_and(|span| span.spans(start, end))
    };
    let (closed, closed_joined) = dispatch
        .iter()
        .zip(&joined_to)
        .filter(|(socket, _)| {
            socket
                .end
                .is_some_and(|end| traefik_spans(socket.start, end))
        })
        .fold((0, 0), |(closed, joined), (_, traefik)| {
            (closed + 1, joined + usize::from(traefik.is_some()))
        });
    let join_works = 2 * closed_joined >= closed;
    let has_dispatch_twin = |start: i64| {
        let from = unjoined_starts.partition_point(|&s| s < start - options.join.tolerance);
        unjoined_starts
            .get(from)
            .is_some_and(|&s| s <= start + options.join.tolerance)
    };
    let mut traefik_set_aside = 0;
    for (index, socket) in traefik.iter().enumerate() {
        if taken[index] {
            continue;
        }
        let end = socket.end.unwrap_or(socket.start);
        let journal_covers = coverage
            .journal
            .as_ref()
            .is_some_and(|j| j.covers(end, end));
        let before_ws_logging = first_ws_line.is_none_or(|first| end < first);
        // Dispatch never saw a socket opened before the export began, or one that Traefik
        // could not hand to dispatch while it was down: such a socket has no dispatch twin.
        let on_its_own = !has_dispatch_twin(socket.start);
        if !journal_covers || before_ws_logging || (join_works && on_its_own) {
            all.push(socket.clone());
        } else if on_its_own {
            traefik_set_aside += 1;
        }
    }
    all.sort_by_key(|s| (s.start, s.close.or(s.open).or(s.traefik)));
    drops::infer_users(&mut all, options.drops.reconnect_window);

    // Drops, then bursts.
    let drop_time = |socket: &Socket| -> Option<i64> {
        if let Some(close) = socket.close {
            return Some(events[close].time);
        }
        if let Some(t) = socket.traefik {
            return Some(events[t].time);
        }
        let restart = events[socket.orphaned_by?].time;
        Some(
            host_down_before(&events, &by_time, &coverage, socket.start, restart)
                .unwrap_or(restart),
        )
    };
    let mut candidates = drops::find_drops(&all, &options.drops, drop_time);
    let unchecked_closes = unchecked_closes(&all, &candidates, &coverage, &options.drops);
    candidates.sort_by(|a, b| {
        let (sa, sb) = (&all[a.socket], &all[b.socket]);
        (a.time, &sa.user, sa.client, a.socket).cmp(&(b.time, &sb.user, sb.client, b.socket))
    });
    let cancels: Vec<usize> = by_time
        .iter()
        .copied()
        .filter(|&i| {
            matches!(
                events[i].kind,
                EventKind::ProxyError {
                    class: crate::event::ProxyErrorClass::Canceled,
                    ..
                }
            )
        })
        .collect();
    let mut found_bursts = bursts::find_bursts(
        &candidates,
        &all,
        &events,
        &cancels,
        options.burst_min,
        options.burst_window,
        first_ws_line,
        offset.micros,
    );

    // Attribution.
    let metric_events: Vec<usize> = by_time
        .iter()
        .copied()
        .filter(|&i| matches!(events[i].source, Source::Probe | Source::Pressure))
        .collect();
    let clock_doubt = rules::ClockDoubt::of(&offset);
    let ctx = Context {
        events: &events,
        by_time: &by_time,
        sockets: &all,
        coverage: &coverage,
        ports: &ports,
        options: rule_options,
        candidates: &candidates,
        metric_events: &metric_events,
        clock_doubt: clock_doubt.as_ref(),
    };
    let window = |times: &mut dyn Iterator<Item = i64>| {
        let times: Vec<i64> = times.collect();
        let first = times.iter().copied().min().unwrap_or(0);
        let last = times.iter().copied().max().unwrap_or(0);
        (
            first - options.rules.window_before,
            last + options.rules.window_after,
        )
    };
    let mut burst_of: HashMap<usize, usize> = HashMap::new();
    let mut burst_verdicts = Vec::new();
    for (b, burst) in found_bursts.iter_mut().enumerate() {
        for &member in &burst.members {
            burst_of.insert(member, b);
        }
        let members: Vec<&Candidate> = burst.members.iter().map(|&m| &candidates[m]).collect();
        let (from, to) =
            window(&mut std::iter::once(burst.start).chain(std::iter::once(burst.end)));
        let subject = Subject {
            drops: members,
            from,
            to,
            burst: Some((&burst.id, burst.clients, &burst.cancels)),
        };
        let (rule, finding) = rules::attribute(&ctx, &subject, Some(Scope::Shared))
            .expect("the unknown rule always matches");
        burst.segment = rule.segment;
        burst.confidence = finding.confidence;
        burst.reason = finding.reason.clone();
        if let Some(doubt) = ctx.clock_doubt_over(from, to) {
            burst.confidence = Confidence::Low;
            burst.reason = format!("{} (low confidence: {})", burst.reason, doubt.note());
        }
        burst.evidence = finding.evidence.clone();
        burst_verdicts.push((rule, finding));
    }

    let mut result = Vec::with_capacity(candidates.len());
    for (index, candidate) in candidates.iter().enumerate() {
        let socket = &all[candidate.socket];
        let (from, to) = window(&mut std::iter::once(candidate.time));
        let single = Subject {
            drops: vec![candidate],
            from,
            to,
            burst: None,
        };
        let (rule, mut finding, burst_id) = match burst_of.get(&index) {
            Some(&b) => {
                let burst = &found_bursts[b];
                match rules::attribute(&ctx, &single, Some(Scope::PerDrop)) {
                    Some((rule, mut finding)) => {
                        finding.reason = format!(
                            "{}; it dropped in burst {} ({} clients {}), which is {}",
                            finding.reason,
                            burst.id,
                            burst.clients,
                            rule_options.burst_closeness(),
                            burst.segment.as_str()
                        );
                        (rule, finding, Some(burst.id.clone()))
                    }
                    None => {
                        let (rule, finding) = &burst_verdicts[b];
                        // A burst wider than a second can span more than a member's own
                        // window, and none of its evidence may fall in that window.
                        let outside = options.burst_window > SECOND
                            && !finding.evidence.is_empty()
                            && finding
                                .evidence
                                .iter()
                                .all(|&i| !(from..=to).contains(&events[i].time));
                        let (rule, finding) = if outside {
                            attribute_far_member(&ctx, burst, &single)
                        } else {
                            (*rule, finding.clone())
                        };
                        (rule, finding, Some(burst.id.clone()))
                    }
                }
            }
            None => {
                let (rule, mut finding) =
                    rules::attribute(&ctx, &single, None).expect("the unknown rule always matches");
                // A drop whose own serve died keeps that verdict, but shared evidence in the same
                // window (a tunnel churn, a devvm stall) is named too, so an overlap is visible.
                if rule.scope == Scope::PerDrop
                    && let Some((other, extra)) = rules::attribute_shared_evidence(&ctx, &single)
                {
                    finding.reason = format!(
                        "{}; the window also holds {} evidence: {}",
                        finding.reason,
                        other.segment.as_str(),
                        extra.reason
                    );
                    finding.evidence.extend(extra.evidence);
                }
                (rule, finding, None)
            }
        };

        // A doubtful clock offset leaves only verdicts that join devvm's lines to one another:
        // a per-drop rule on dispatch's own socket, citing journal lines alone.
        if let Some(doubt) = ctx.clock_doubt_over(from, to) {
            let one_clock = rule.scope == Scope::PerDrop
                && socket.from_dispatch()
                && finding
                    .evidence
                    .iter()
                    .all(|&i| events[i].source == Source::Journal);
            let note = doubt.note();
            // `unknown` may already give the doubt as its reason.
            if !one_clock && !finding.reason.ends_with(&note) {
                finding.confidence = Confidence::Low;
                finding.reason = format!("{} (low confidence: {note})", finding.reason);
            }
        }

        // High confidence needs full coverage: with a source missing, the verdict is medium
        // and the reason names the source. A gap does not count here: a silence of the devvm
        // journal is itself evidence.
        if finding.confidence == Confidence::High {
            let missing = coverage.sources_not_spanning(from, to);
            if !missing.is_empty() {
                finding.confidence = Confidence::Medium;
                finding.reason = format!(
                    "{} (medium confidence: {} not cover this time)",
                    finding.reason,
                    rules::join_names(&missing)
                );
            }
        }

        // The socket's own lines are evidence too, then everything in time order.
        finding
            .evidence
            .sort_by_key(|&i| (events[i].time, events[i].origin));
        // One line can carry two events (a ws close that also ends a journal silence): it is
        // cited once.
        finding.evidence.dedup_by_key(|&mut i| events[i].origin);
        let estimated = finding
            .evidence
            .iter()
            .filter(|&&i| events[i].estimated)
            .count();
        if estimated > 0 {
            finding.reason.push_str(&format!(
                " (the time of {estimated} evidence line(s) is estimated: a `-o cat` journal gives \
                 them none, so they were placed at a dispatch line next to them)"
            ));
        }
        let rule_evidence = finding.evidence.clone();
        finding.evidence.extend(socket.open);
        finding.evidence.extend(socket.close);
        finding.evidence.extend(socket.traefik);
        // The reconnect is what makes a long socket's end a drop, and its first line backs the
        // reconnect_ms column, so it is evidence too.
        if let Some(other) = candidate.reconnect.map(|r| &all[r]) {
            finding.evidence.extend(other.open.or(other.traefik));
        }
        finding
            .evidence
            .sort_by_key(|&i| (events[i].time, events[i].origin));
        // One line can carry two events (a ws close that also ends a journal silence): it is
        // cited once.
        finding.evidence.dedup_by_key(|&mut i| events[i].origin);

        let traefik_line = socket.traefik.map(|t| &events[t].kind);
        let (traefik_status, traefik_dur_ms) = match traefik_line {
            Some(EventKind::TraefikSocket { status, dur_ms, .. }) => (*status, Some(*dur_ms)),
            _ => (None, None),
        };
        let mut sources = Vec::new();
        if socket.from_dispatch() {
            sources.push(Source::Journal);
        }
        if socket.traefik.is_some() {
            sources.push(Source::Traefik);
        }
        let dur_ms = socket.dur_ms.or_else(|| {
            (candidate.kind == DropKind::Orphaned)
                .then(|| ((candidate.time - socket.start).max(0) / MILLI) as u64)
        });

        result.push(Drop {
            id: String::new(),
            time: candidate.time,
            user: socket.user.clone(),
            client: socket.client,
            dur_ms,
            cause: socket.cause.as_ref().map(|c| c.as_str().to_string()),
            reconnect_ms: candidate.reconnect_ms,
            burst_id,
            segment: rule.segment,
            confidence: finding.confidence,
            reason: finding.reason,
            rule: rule.name,
            evidence: finding.evidence,
            rule_evidence,
            incident_id: String::new(),
            kind: candidate.kind,
            traefik_status,
            traefik_dur_ms,
            sources,
        });
    }
    for (n, drop) in result.iter_mut().enumerate() {
        drop.id = format!("D{:04}", n + 1);
    }

    let incidents = incidents::group(&mut result, &events, &options.incidents);
    Analysis {
        events,
        drops: result,
        bursts: found_bursts,
        offset,
        coverage,
        joined,
        dispatch_sockets: dispatch.len(),
        traefik_sockets: traefik.len(),
        traefik_set_aside,
        closed_joined: (closed_joined, closed),
        unchecked_closes,
        traefik_private_clients,
        traefik_unmatched,
        incidents,
        sockets: all,
        by_time,
        metric_events,
        ports,
        candidates,
        rule_options,
    }
}

/// Takes Traefik out of `coverage` when it logged while dispatch sockets closed but contains
/// no t3 WebSocket line at all, and returns its span. A Traefik log always has the line of a
/// socket that ended, so `--router` or `--ws-path` does not match this deployment. Traefik
/// counted as "covering and clean" would then put every drop on the user's network.
/// Attributes a member of a wide burst whose own window (`single`'s) contains none of the
/// burst's evidence, so the burst's reason is not true of it (a restart a minute after a member
/// that closed normally). The members in its own window are judged together when they are still
/// a burst, else the drop is judged alone. The reason names the burst either way.
fn attribute_far_member(
    ctx: &Context,
    burst: &Burst,
    single: &Subject,
) -> (&'static rules::Rule, rules::Finding) {
    let (from, to) = (single.from, single.to);
    let local: Vec<&Candidate> = burst
        .members
        .iter()
        .map(|&m| &ctx.candidates[m])
        .filter(|c| (from..=to).contains(&c.time))
        .collect();
    let local_clients = drops::distinct_clients(local.iter().map(|c| &ctx.sockets[c.socket]));
    let local_cancels: Vec<usize> = burst
        .cancels
        .iter()
        .copied()
        .filter(|&i| (from..=to).contains(&ctx.events[i].time))
        .collect();
    let local_name = format!("{} (its members near this drop)", burst.id);
    let attributed = if local_clients >= ctx.options.burst_min {
        let first = local.iter().map(|c| c.time).min().unwrap_or(from);
        let last = local.iter().map(|c| c.time).max().unwrap_or(to);
        let subject = Subject {
            drops: local,
            from: first - ctx.options.window_before,
            to: last + ctx.options.window_after,
            burst: Some((&local_name, local_clients, &local_cancels)),
        };
        rules::attribute(ctx, &subject, Some(Scope::Shared))
    } else {
        rules::attribute(ctx, single, None)
    };
    let (rule, mut finding) = attributed.expect("the unknown rule always matches");
    finding.reason = format!(
        "{}; it dropped in burst {} ({} clients {}), which is {}, but that evidence lies outside \
         this drop's window",
        finding.reason,
        burst.id,
        burst.clients,
        ctx.options.burst_closeness(),
        burst.segment.as_str()
    );
    (rule, finding)
}

/// Counts the long sockets that are no drop and closed within the reconnect window of the end
/// of the logs that show reconnects (the devvm journal and Traefik, whichever ends later): a
/// reconnect after them would lie past that end.
fn unchecked_closes(
    sockets: &[Socket],
    drops: &[Candidate],
    coverage: &Coverage,
    options: &DropOptions,
) -> usize {
    let Some(logs_end) = [&coverage.journal, &coverage.traefik]
        .into_iter()
        .flatten()
        .map(|span| span.last)
        .max()
    else {
        return 0;
    };
    let mut dropped = vec![false; sockets.len()];
    for candidate in drops {
        dropped[candidate.socket] = true;
    }
    sockets
        .iter()
        .zip(&dropped)
        .filter(|(socket, dropped)| {
            !**dropped
                && socket.dur_ms.is_some_and(|d| d >= options.short_ms)
                && socket
                    .end
                    .is_some_and(|end| end + options.reconnect_window > logs_end)
        })
        .count()
}

/// Counts the distinct cloudflared pod addresses of dispatch's `ws open` lines within the span
/// of the cloudflared logs (all pods together), at most `MAX_PODS`.
fn cloudflared_addresses(events: &[Event], coverage: &Coverage) -> usize {
    const MAX_PODS: usize = 1024;
    let Some(first) = coverage.cloudflared.iter().map(|s| s.first).min() else {
        return 0;
    };
    let last = coverage
        .cloudflared
        .iter()
        .map(|s| s.last)
        .max()
        .unwrap_or(first);
    let mut pods = std::collections::BTreeSet::new();
    for event in events {
        if !matches!(event.kind, EventKind::WsOpen { .. }) || !(first..=last).contains(&event.time)
        {
            continue;
        }
        if let Some(pod) = crate::parse::dispatch::ws_open_pod(event.text.as_bytes()) {
            pods.insert(pod);
            if pods.len() >= MAX_PODS {
                break;
            }
        }
    }
    pods.len()
}

fn traefik_without_t3(
    events: &[Event],
    dispatch: &[Socket],
    coverage: &mut Coverage,
) -> Option<Span> {
    let span = coverage.traefik.as_ref()?;
    // Only browser sockets count, because a probe or native-app line on a router `--router`
    // matches shows nothing about the browser router.
    if events.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::TraefikSocket {
                class: TraefikClass::Browser,
                ..
            }
        )
    }) {
        return None;
    }
    let closed_inside = dispatch
        .iter()
        .filter_map(|s| s.end)
        .any(|end| span.first <= end && end <= span.last);
    if !closed_inside {
        return None;
    }
    coverage.traefik.take()
}

/// Detects a Traefik that does not trust the forwarded headers it receives, so it logs the
/// cloudflared pod's address as the client. The sign is that at least half of its sockets have
/// only private addresses while at least half of dispatch's have a public client. Returns the
/// number of such Traefik sockets and their most common address.
fn private_traefik_clients(dispatch: &[Socket], traefik: &[Socket]) -> Option<(usize, IpAddr)> {
    let private: Vec<IpAddr> = traefik
        .iter()
        .filter_map(|s| s.client.filter(|&c| client::is_internal(c)))
        .collect();
    let public_dispatch = dispatch
        .iter()
        .filter(|s| s.client.is_some_and(|c| !client::is_internal(c)))
        .count();
    if private.is_empty()
        || 2 * private.len() < traefik.len()
        || 2 * public_dispatch < dispatch.len()
        || public_dispatch == 0
    {
        return None;
    }
    let mut counts: BTreeMap<IpAddr, usize> = BTreeMap::new();
    for address in &private {
        *counts.entry(*address).or_default() += 1;
    }
    // The most common address; the lowest one among equals, so the output is stable.
    let (&example, _) = counts
        .iter()
        .max_by_key(|&(address, count)| (*count, std::cmp::Reverse(*address)))?;
    Some((private.len(), example))
}

/// Returns when the host went down between `start` and `restart`, for a socket that a dispatch
/// restart after a boot orphaned: the last second the devvm journal logged before the silence
/// that ends at the boot. A crash writes no stop line, so the restart after the boot would put
/// the drop after the boot. Returns `None` when no boot lies between them, and the boot's own
/// time when the journal shows no silence before it.
fn host_down_before(
    events: &[Event],
    by_time: &[usize],
    coverage: &Coverage,
    start: i64,
    restart: i64,
) -> Option<i64> {
    let from = by_time.partition_point(|&i| events[i].time < start);
    let to = by_time.partition_point(|&i| events[i].time <= restart);
    let boot = by_time[from..to.max(from)]
        .iter()
        .map(|&i| &events[i])
        .find(|e| matches!(e.kind, EventKind::HostBoot))?
        .time;
    let silence = coverage.journal.as_ref().and_then(|journal| {
        journal
            .gaps
            .iter()
            .find(|(gap_start, gap_end)| *gap_start > start && (*gap_end - boot).abs() <= SECOND)
    });
    Some(silence.map_or(boot, |(gap_start, _)| gap_start - SECOND))
}
