//! Sockets: dispatch `ws open`/`ws close` pairs and Traefik `GET /ws` lines.
//!
//! A dispatch socket is a `ws close` paired with the `ws open` of the same user and client whose
//! time matches the close minus `dur_ms` (the duration counts from the upgrade request). A close
//! with no open in the input (the socket opened before the export began) is a socket too; an open
//! with no close is either still open when the input ends or was orphaned by a dispatch restart.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::event::{CloseCause, Event, EventKind, TraefikClass, Unit, UnitAction};
use crate::time::{MILLI, Precision, SECOND};

/// One WebSocket, from dispatch, from Traefik, or from both once joined.
#[derive(Clone, Debug)]
pub struct Socket {
    pub user: Option<Box<str>>,
    pub client: Option<IpAddr>,
    /// The start, on the clock of the source it came from until the join moves it.
    pub start: i64,
    /// The end when a close was logged (dispatch close time, or Traefik end).
    pub end: Option<i64>,
    pub dur_ms: Option<u64>,
    pub cause: Option<CloseCause>,
    /// Event indexes of the dispatch open and close, and the Traefik line.
    pub open: Option<usize>,
    pub close: Option<usize>,
    pub traefik: Option<usize>,
    /// For an open never closed: the dispatch restart that orphaned it.
    pub orphaned_by: Option<usize>,
    /// Whether the times came from a source that resolves whole seconds only.
    pub coarse: bool,
    /// The range the true start lies in, `[lo, hi]` on the socket's own clock: a whole-second time
    /// stands for its whole second, and an open and a close minus `dur_ms` narrow it together.
    pub start_range: (i64, i64),
    /// Whether Traefik returned 502, 503 or 504 for the request: it never reached a
    /// WebSocket upgrade, so no dispatch socket that stayed open after it is the same socket.
    pub gateway_error: bool,
}

/// Returns the range a time of the given precision stands for.
pub fn range_of(time: i64, precision: Precision) -> (i64, i64) {
    match precision {
        Precision::Second => (time, time + SECOND - 1),
        Precision::Milli => (time, time + MILLI - 1),
        Precision::Micro => (time, time),
    }
}

/// Intersects two ranges, or returns `None` when they do not overlap.
pub fn intersect(a: (i64, i64), b: (i64, i64)) -> Option<(i64, i64)> {
    let range = (a.0.max(b.0), a.1.min(b.1));
    (range.0 <= range.1).then_some(range)
}

impl Socket {
    /// Tells whether dispatch logged this socket (as opposed to Traefik alone).
    pub fn from_dispatch(&self) -> bool {
        self.open.is_some() || self.close.is_some()
    }
}

/// Pairs dispatch opens and closes into sockets. `tolerance` is how far the open time may be
/// from the close minus `dur_ms`.
pub fn dispatch_sockets(events: &[Event], tolerance: i64) -> Vec<Socket> {
    // Opens per (user, client), in time order, not yet paired.
    let mut opens: HashMap<(&str, Option<IpAddr>), Vec<usize>> = HashMap::new();
    let mut restarts: Vec<usize> = Vec::new();
    for (index, event) in events.iter().enumerate() {
        match &event.kind {
            EventKind::WsOpen { user, client } => {
                opens.entry((user, *client)).or_default().push(index)
            }
            EventKind::DispatchListening => restarts.push(index),
            EventKind::UnitChange {
                unit: Unit::Dispatch,
                action,
            } if stops_dispatch(*action) => restarts.push(index),
            _ => {}
        }
    }
    let mut paired = vec![false; events.len()];
    let mut sockets = Vec::new();

    for (index, event) in events.iter().enumerate() {
        let EventKind::WsClose {
            user,
            client,
            dur_ms,
            cause,
        } = &event.kind
        else {
            continue;
        };
        let estimated_open = event.time - (*dur_ms as i64) * MILLI;
        let candidates = opens.get(&(&**user, *client));
        // `events` is in time order, so each list is too, and only the opens within the
        // tolerance of the estimated open are read.
        let best = candidates.and_then(|list| {
            let lo = list.partition_point(|&i| events[i].time < estimated_open - tolerance);
            let hi = list.partition_point(|&i| events[i].time <= estimated_open + tolerance);
            list[lo..hi.max(lo)]
                .iter()
                .copied()
                .filter(|&i| !paired[i] && events[i].time <= event.time)
                .map(|i| ((events[i].time - estimated_open).abs(), i))
                .filter(|(distance, _)| *distance <= tolerance)
                .min()
                .map(|(_, i)| i)
        });
        if let Some(open) = best {
            paired[open] = true;
        }
        let dur = (*dur_ms as i64) * MILLI;
        let from_close = range_of(event.time, event.precision);
        let from_close = (from_close.0 - dur, from_close.1 - dur);
        let start_range = match best {
            Some(i) => {
                let from_open = range_of(events[i].time, events[i].precision);
                intersect(from_open, from_close).unwrap_or(from_open)
            }
            None => from_close,
        };
        sockets.push(Socket {
            user: Some(user.clone()),
            client: *client,
            start: best.map_or(estimated_open, |i| events[i].time),
            end: Some(event.time),
            dur_ms: Some(*dur_ms),
            cause: Some(cause.clone()),
            open: best,
            close: Some(index),
            traefik: None,
            orphaned_by: None,
            coarse: event.precision == Precision::Second,
            start_range,
            gateway_error: false,
        });
    }

    // Opens never closed: orphaned when dispatch restarted after them, else still open.
    for list in opens.values() {
        for &index in list {
            if paired[index] {
                continue;
            }
            let event = &events[index];
            let EventKind::WsOpen { user, client } = &event.kind else {
                continue;
            };
            let orphaned_by = restarts
                .iter()
                .copied()
                .find(|&r| events[r].time >= event.time);
            sockets.push(Socket {
                user: Some(user.clone()),
                client: *client,
                start: event.time,
                end: None,
                dur_ms: None,
                cause: None,
                open: Some(index),
                close: None,
                traefik: None,
                orphaned_by,
                coarse: event.precision == Precision::Second,
                start_range: range_of(event.time, event.precision),
                gateway_error: false,
            });
        }
    }
    sockets.sort_by_key(|s| (s.start, s.open.or(s.close)));
    sockets
}

fn stops_dispatch(action: UnitAction) -> bool {
    matches!(
        action,
        UnitAction::Stopping
            | UnitAction::Exited
            | UnitAction::Failed
            | UnitAction::OomKilled
            | UnitAction::StopTimedOut
            | UnitAction::Started
            | UnitAction::RestartScheduled
    )
}

/// Collects the Traefik browser sockets (probe and native sockets are never user sockets).
pub fn traefik_sockets(events: &[Event]) -> Vec<Socket> {
    let mut sockets = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let EventKind::TraefikSocket {
            class: TraefikClass::Browser,
            client,
            start,
            start_precision,
            dur_ms,
            status,
            ..
        } = &event.kind
        else {
            continue;
        };
        sockets.push(Socket {
            user: None,
            client: *client,
            start: *start,
            end: Some(event.time),
            dur_ms: Some(*dur_ms),
            cause: None,
            open: None,
            close: None,
            traefik: Some(index),
            orphaned_by: None,
            coarse: *start_precision == Precision::Second,
            start_range: range_of(*start, *start_precision),
            gateway_error: matches!(status, Some(502..=504)),
        });
    }
    sockets
}

/// Fills in the user of serve and OOM events that name only a PID, from other lines of the same
/// PID that name the user (`/home/bob/…` paths, `Killing process 4711`, a memcg path, or a unit
/// named by the export).
pub fn resolve_pid_users(events: &mut [Event]) {
    let mut users: HashMap<u32, Box<str>> = HashMap::new();
    for event in events.iter() {
        let (pid, user) = match &event.kind {
            EventKind::PidUser { pid, user } => (Some(*pid), Some(user.clone())),
            EventKind::ServeGitTimeout { user, pid }
            | EventKind::ServeStarted { user, pid }
            | EventKind::OomKill { user, pid, .. } => (*pid, user.clone()),
            _ => continue,
        };
        if let (Some(pid), Some(user)) = (pid, user) {
            users.entry(pid).or_insert(user);
        }
    }
    for event in events.iter_mut() {
        match &mut event.kind {
            EventKind::ServeGitTimeout {
                user,
                pid: Some(pid),
            }
            | EventKind::ServeStarted {
                user,
                pid: Some(pid),
            }
            | EventKind::OomKill {
                user,
                pid: Some(pid),
                ..
            } if user.is_none() => {
                *user = users.get(pid).cloned();
            }
            _ => {}
        }
    }
}

/// Maps serve ports to users: from `--serve-port`, then from `ws close` causes that name
/// `127.0.0.1:PORT` (dispatch dials the user's serve there).
pub fn port_users(events: &[Event], given: &[(Box<str>, u16)]) -> HashMap<u16, Box<str>> {
    let mut map: HashMap<u16, Box<str>> = given.iter().map(|(u, p)| (*p, u.clone())).collect();
    for event in events {
        let EventKind::WsClose {
            user,
            cause: CloseCause::Error(text),
            ..
        } = &event.kind
        else {
            continue;
        };
        if let Some(port) = loopback_port(text) {
            map.entry(port).or_insert_with(|| user.clone());
        }
    }
    map
}

/// Returns the serve port named in an error text: the loopback address after `->` in a
/// `read tcp A->B` error (the local side comes first), or the dialled one in `dial tcp ADDR:`.
/// `127.0.0.1`, `[::1]` and `localhost` are loopback.
pub fn loopback_port(text: &str) -> Option<u16> {
    crate::parse::dispatch::serve_port(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Origin, Source};

    fn event(time_s: i64, kind: EventKind) -> Event {
        Event {
            time: time_s * SECOND,
            precision: Precision::Second,
            source: Source::Journal,
            origin: Origin::new(0, time_s as u64),
            pod: None,
            kind,
            text: "".into(),
            estimated: false,
            host: None,
        }
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn pairs_open_and_close_by_duration() {
        let events = vec![
            event(
                100,
                EventKind::WsOpen {
                    user: "alice".into(),
                    client: ip("203.0.113.7"),
                },
            ),
            event(
                160,
                EventKind::WsOpen {
                    user: "alice".into(),
                    client: ip("203.0.113.7"),
                },
            ),
            event(
                200,
                EventKind::WsClose {
                    user: "alice".into(),
                    client: ip("203.0.113.7"),
                    dur_ms: 40_000,
                    cause: CloseCause::Graceful,
                },
            ),
        ];
        let sockets = dispatch_sockets(&events, 2 * SECOND);
        assert_eq!(sockets.len(), 2);
        let closed = sockets.iter().find(|s| s.close.is_some()).unwrap();
        assert_eq!(
            closed.open,
            Some(1),
            "the open 40 s before the close is the match"
        );
        let open = sockets.iter().find(|s| s.close.is_none()).unwrap();
        assert_eq!(open.open, Some(0));
        assert_eq!(open.orphaned_by, None, "no restart: still open");
    }

    #[test]
    fn close_without_open_starts_at_close_minus_duration() {
        let events = vec![event(
            500,
            EventKind::WsClose {
                user: "bob".into(),
                client: None,
                dur_ms: 400_000,
                cause: CloseCause::Graceful,
            },
        )];
        let sockets = dispatch_sockets(&events, 2 * SECOND);
        assert_eq!(sockets[0].start, 100 * SECOND);
        assert_eq!(sockets[0].open, None);
    }

    #[test]
    fn open_before_restart_is_orphaned() {
        let events = vec![
            event(
                100,
                EventKind::WsOpen {
                    user: "carol".into(),
                    client: None,
                },
            ),
            event(300, EventKind::DispatchListening),
        ];
        let sockets = dispatch_sockets(&events, 2 * SECOND);
        assert_eq!(sockets[0].orphaned_by, Some(1));
    }

    #[test]
    fn pid_users_are_inferred() {
        let mut events = vec![
            event(
                1,
                EventKind::ServeGitTimeout {
                    user: None,
                    pid: Some(4711),
                },
            ),
            event(
                2,
                EventKind::PidUser {
                    pid: 4711,
                    user: "bob".into(),
                },
            ),
        ];
        resolve_pid_users(&mut events);
        assert_eq!(events[0].kind.user(), Some("bob"));
    }

    #[test]
    fn ports_from_refused_dials() {
        let events = vec![event(
            1,
            EventKind::WsClose {
                user: "bob".into(),
                client: None,
                dur_ms: 2,
                cause: CloseCause::Error(
                    "dial tcp 127.0.0.1:3774: connect: connection refused".into(),
                ),
            },
        )];
        let map = port_users(&events, &[]);
        assert_eq!(map.get(&3774).map(|u| &**u), Some("bob"));
        assert_eq!(
            loopback_port("read tcp 127.0.0.1:51234->127.0.0.1:3773: reset"),
            Some(3773)
        );
        assert_eq!(
            loopback_port("read tcp [::1]:51234->[::1]:3773: read: connection reset by peer"),
            Some(3773)
        );
        assert_eq!(
            loopback_port("dial tcp 127.0.0.1:3773: i/o timeout"),
            Some(3773)
        );
        assert_eq!(
            loopback_port("read tcp 10.0.0.1:5->10.0.0.2:3773: reset"),
            None
        );
    }
}
