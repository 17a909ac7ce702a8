//! Drops: which sockets count as a user losing the connection.
//!
//! (a) A socket that lived less than `short_ms` (strict). (b) A longer socket followed by a
//! reconnect: a socket of the same user, and the same client when both are known, that starts
//! within `reconnect_window` before or after its close (inclusive; the new socket can be logged
//! before the late close). (c) A socket dispatch never closed because dispatch restarted.
//! A socket still open when the input ends is not a drop, and a long socket that closes with no
//! reconnect is a user leaving.

use std::net::IpAddr;

use super::sockets::Socket;
use crate::time::{MILLI, SECOND};

/// The reason a socket counts as a drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropKind {
    /// Lived less than `--short-ms`.
    Short,
    /// Closed and the same user reconnected within `--reconnect-window`.
    Reconnect,
    /// Never closed because dispatch restarted.
    Orphaned,
}

impl DropKind {
    /// Says in words why the socket counts as a drop.
    pub fn describe(self) -> &'static str {
        match self {
            DropKind::Short => "it lived less than --short-ms",
            DropKind::Reconnect => {
                "the same user and client reconnected within --reconnect-window of its close"
            }
            DropKind::Orphaned => "dispatch restarted while it was open and never logged its close",
        }
    }
}

/// A socket found to be a drop, before attribution.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub socket: usize,
    pub kind: DropKind,
    /// The drop's time on the cluster clock.
    pub time: i64,
    /// Milliseconds from the drop to the start of the reconnect (negative when the new socket
    /// was logged first).
    pub reconnect_ms: Option<i64>,
    /// The index of the reconnect's socket.
    pub reconnect: Option<usize>,
}

/// Settings of drop detection.
#[derive(Clone, Copy, Debug)]
pub struct DropOptions {
    pub short_ms: u64,
    pub reconnect_window: i64,
}

impl Default for DropOptions {
    fn default() -> Self {
        DropOptions {
            short_ms: 120_000,
            reconnect_window: 30 * crate::time::SECOND,
        }
    }
}

/// Tells whether two sockets have the same owner: the same user when both are known, and the
/// same client. A socket only Traefik saw has no user, so the client alone ties it to the
/// dispatch socket its browser opened next.
fn same_owner(a: &Socket, b: &Socket) -> bool {
    let users_match = match (&a.user, &b.user) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let clients_match = match (a.client, b.client) {
        (Some(x), Some(y)) => x == y,
        _ => a.user.is_some(),
    };
    users_match && clients_match
}

/// Gives each socket that only Traefik saw the user of the nearest dispatch socket that its
/// client opened within `window` of its end: the same browser reconnecting. `sockets` is sorted
/// by start. A client that opened sockets of two users there (a shared NAT address) gives none.
pub fn infer_users(sockets: &mut [Socket], window: i64) {
    for index in 0..sockets.len() {
        let this = &sockets[index];
        let (None, Some(client)) = (&this.user, this.client) else {
            continue;
        };
        let end = this.end.unwrap_or(this.start);
        let from = sockets.partition_point(|s| s.start < end - window);
        let to = sockets.partition_point(|s| s.start <= end + window);
        let mut users = sockets[from..to.max(from)]
            .iter()
            .filter(|other| other.client == Some(client) && other.start >= this.start)
            .filter_map(|other| other.user.clone());
        let Some(user) = users.next() else {
            continue;
        };
        if users.all(|other| other == user) {
            sockets[index].user = Some(user);
        }
    }
}

/// Finds the drops among `sockets`, sorted by start, whose times are all on the cluster clock. `drop_time` gives
/// the time of a drop for a socket (its close, its Traefik end, or the restart that orphaned it).
pub fn find_drops(
    sockets: &[Socket],
    options: &DropOptions,
    drop_time: impl Fn(&Socket) -> Option<i64>,
) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (index, socket) in sockets.iter().enumerate() {
        let Some(time) = drop_time(socket) else {
            continue;
        };
        let end = socket.end.map_or(time, |end| comparable_end(socket, end));
        let reconnect = reconnect_after(sockets, index, end, options.reconnect_window);
        let reconnect_ms = reconnect.map(|(start, _)| (start - end) / MILLI);
        let kind = if socket.orphaned_by.is_some() && socket.end.is_none() {
            DropKind::Orphaned
        } else if socket.end.is_none() {
            // Still open when the input ends.
            continue;
        } else if socket.dur_ms.is_some_and(|d| d < options.short_ms) {
            DropKind::Short
        } else if reconnect.is_some() {
            DropKind::Reconnect
        } else {
            continue;
        };
        candidates.push(Candidate {
            socket: index,
            kind,
            time,
            reconnect_ms,
            reconnect: reconnect.map(|(_, other)| other),
        });
    }
    candidates
}

/// Returns a socket's start as it compares with an end: a whole-second start (a CLF bracket,
/// a `short` journal line) stands for the middle of its second.
fn comparable_start(socket: &Socket) -> i64 {
    if socket.coarse {
        socket.start + SECOND / 2
    } else {
        socket.start
    }
}

/// Returns a socket's end as it compares with a start. A whole-second dispatch close stands
/// for the middle of its second, like a start. A Traefik CLF end is the middle already: the
/// parser reads it as the bracket plus 0.5 s plus the duration.
fn comparable_end(socket: &Socket, end: i64) -> i64 {
    if socket.coarse && socket.from_dispatch() {
        end + SECOND / 2
    } else {
        end
    }
}

/// Returns the comparable start of the nearest other socket of the same owner that starts
/// within `window` of `end` (a comparable end), and that socket's index.
/// `sockets` is sorted by start, so only the sockets starting inside the window are visited.
fn reconnect_after(
    sockets: &[Socket],
    index: usize,
    end: i64,
    window: i64,
) -> Option<(i64, usize)> {
    let this = &sockets[index];
    // A comparable start lies up to half a second after the start the sort used.
    let from = sockets.partition_point(|s| s.start < end - window - SECOND / 2);
    let to = sockets.partition_point(|s| s.start <= end + window);
    sockets[from..to.max(from)]
        .iter()
        .enumerate()
        .map(|(i, other)| (i + from, other))
        .filter(|(i, other)| *i != index && same_owner(this, other))
        .map(|(i, other)| (comparable_start(other), i))
        .filter(|(start, _)| (start - end).abs() <= window && *start >= comparable_start(this))
        .min_by_key(|(start, i)| ((start - end).abs(), *start, *i))
}

/// Counts the distinct clients (or users, for sockets without a client) of a set of sockets.
pub fn distinct_clients<'a>(sockets: impl Iterator<Item = &'a Socket>) -> usize {
    let mut keys: Vec<(Option<IpAddr>, Option<&str>)> = sockets
        .map(|s| {
            (
                s.client,
                if s.client.is_none() {
                    s.user.as_deref()
                } else {
                    None
                },
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND;

    fn socket(user: &str, client: &str, start_s: i64, end_s: Option<i64>) -> Socket {
        Socket {
            user: Some(user.into()),
            client: Some(client.parse().unwrap()),
            start: start_s * SECOND,
            end: end_s.map(|e| e * SECOND),
            dur_ms: end_s.map(|e| ((e - start_s) * 1000) as u64),
            cause: None,
            open: None,
            close: None,
            traefik: None,
            orphaned_by: None,
            coarse: false,
            start_range: (start_s * SECOND, start_s * SECOND),
            gateway_error: false,
        }
    }

    fn drops(sockets: &[Socket]) -> Vec<(usize, DropKind, Option<i64>)> {
        find_drops(sockets, &DropOptions::default(), |s| s.end)
            .into_iter()
            .map(|c| (c.socket, c.kind, c.reconnect_ms))
            .collect()
    }

    #[test]
    fn short_socket_is_a_drop() {
        let sockets = [socket("alice", "203.0.113.7", 0, Some(119))];
        assert_eq!(drops(&sockets), vec![(0, DropKind::Short, None)]);
    }

    #[test]
    fn exactly_short_ms_is_not_short() {
        let sockets = [socket("alice", "203.0.113.7", 0, Some(120))];
        assert_eq!(drops(&sockets), vec![]);
    }

    #[test]
    fn long_socket_with_reconnect_is_a_drop() {
        let sockets = [
            socket("alice", "203.0.113.7", 0, Some(1000)),
            socket("alice", "203.0.113.7", 1030, None),
        ];
        assert_eq!(
            drops(&sockets),
            vec![(0, DropKind::Reconnect, Some(30_000))]
        );
    }

    #[test]
    fn reconnect_logged_before_late_close() {
        let sockets = [
            socket("alice", "203.0.113.7", 0, Some(1000)),
            socket("alice", "203.0.113.7", 990, None),
        ];
        assert_eq!(
            drops(&sockets),
            vec![(0, DropKind::Reconnect, Some(-10_000))]
        );
    }

    #[test]
    fn reconnect_after_window_is_user_leaving() {
        let sockets = [
            socket("alice", "203.0.113.7", 0, Some(1000)),
            socket("alice", "203.0.113.7", 1031, None),
        ];
        assert_eq!(drops(&sockets), vec![]);
    }

    #[test]
    fn other_client_of_same_user_is_not_a_reconnect() {
        let sockets = [
            socket("alice", "203.0.113.7", 0, Some(1000)),
            socket("alice", "198.51.100.1", 1005, None),
        ];
        assert_eq!(drops(&sockets), vec![]);
    }

    #[test]
    fn clf_times_compare_at_their_middles() {
        // Traefik alone: a CLF socket's end is read as its bracket plus 0.5 s plus its
        // duration, so the next socket's bracket start counts from the middle of its second
        // too. Bracket 100, 199.7 s of life, next bracket 330: 30.3 s apart, no drop.
        let traefik = |start_s: i64, dur_ms: Option<u64>| Socket {
            user: None,
            traefik: Some(0),
            coarse: true,
            end: dur_ms.map(|d| start_s * SECOND + d as i64 * MILLI + SECOND / 2),
            dur_ms,
            ..socket("x", "198.51.100.83", start_s, None)
        };
        let sockets = [traefik(100, Some(199_700)), traefik(330, None)];
        assert_eq!(drops(&sockets), vec![]);

        // 29.3 s apart: a reconnect.
        let sockets = [traefik(100, Some(199_700)), traefik(329, None)];
        assert_eq!(
            drops(&sockets),
            vec![(0, DropKind::Reconnect, Some(29_300))]
        );
    }

    #[test]
    fn still_open_is_not_a_drop() {
        let sockets = [socket("alice", "203.0.113.7", 0, None)];
        assert_eq!(drops(&sockets), vec![]);
    }
}
