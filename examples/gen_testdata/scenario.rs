//! The system (users, pods) and the incident hour: every socket of every user, the lines of the
//! failures that end some of them, and the drops those make.
//!
//! Times in a [`Plan`] are microseconds from the hour start H on the true (cluster) clock, cut
//! to whole milliseconds so that `dur_ms` is exact. Each user has one socket open across the
//! hour boundary: the plan's last socket of a user is the next hour's first, shifted by one hour.

use crate::clock::{HOUR, MILLI, SECOND, at};
use crate::rng::Rng;

pub struct User {
    pub name: &'static str,
    pub client: &'static str,
    pub port: u16,
    pub browser: &'static str,
}

pub const USERS: [User; 5] = [
    User {
        name: "alice",
        client: "203.0.113.7",
        port: 3773,
        browser: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36",
    },
    User {
        name: "bob",
        client: "203.0.113.22",
        port: 3774,
        browser: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:139.0) Gecko/20100101 Firefox/139.0",
    },
    User {
        name: "carol",
        client: "203.0.113.35",
        port: 3775,
        browser: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
    },
    User {
        name: "dave",
        client: "198.51.100.14",
        port: 3776,
        browser: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36 Edg/137.0.0.0",
    },
    User {
        name: "erin",
        client: "203.0.113.58",
        port: 3777,
        browser: "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:139.0) Gecko/20100101 Firefox/139.0",
    },
];

pub const ALICE: usize = 0;
pub const BOB: usize = 1;
pub const CAROL: usize = 2;
pub const DAVE: usize = 3;
pub const ERIN: usize = 4;

pub struct Pod {
    pub name: &'static str,
    pub ip: &'static str,
}

pub const PODS: [Pod; 3] = [
    Pod {
        name: "cloudflared-6f7c9d8b5-k2x9p",
        ip: "10.10.1.12",
    },
    Pod {
        name: "cloudflared-6f7c9d8b5-m4q7r",
        ip: "10.10.2.13",
    },
    Pod {
        name: "cloudflared-6f7c9d8b5-z8w3t",
        ip: "10.10.3.14",
    },
];

const K2X9P: usize = 0;
/// The pod whose tunnel connection 2 churns at H+50:18.
pub const M4Q7R: usize = 1;
const Z8W3T: usize = 2;

/// The verdicts a drop must get: with every source, and from the devvm journal alone.
#[derive(Clone, Copy)]
pub struct DropTag {
    pub scenario: &'static str,
    pub segment_all: &'static str,
    pub segment_journal_only: &'static str,
}

const DROP_A: DropTag = tag("isolated_drop_a", "last_mile", "unknown");
const DROP_B: DropTag = tag("isolated_drop_b", "last_mile", "unknown");
const SERVE_OOM: DropTag = tag("serve_oom", "t3_serve", "t3_serve");
const IDLE_MIGRATION: DropTag = tag("idle_migration", "t3_serve", "t3_serve");
const BURST: DropTag = tag("mass_cancel_burst", "cluster_path", "unknown");
const CHURN: DropTag = tag("tunnel_churn", "cloudflare", "unknown");

const fn tag(scenario: &'static str, all: &'static str, journal_only: &'static str) -> DropTag {
    DropTag {
        scenario,
        segment_all: all,
        segment_journal_only: journal_only,
    }
}

/// One browser socket through dispatch. `close` may lie past the hour for the socket still open
/// at the hour's end.
#[derive(Clone)]
pub struct PlannedSocket {
    pub user: usize,
    pub pod: usize,
    pub open: i64,
    pub close: i64,
    /// The dial to the serve was refused: dispatch logs an open and an immediate close.
    pub refused: bool,
    /// The user comes back after a break, so the browser pairs again before opening.
    pub paired: bool,
    pub drop: Option<DropTag>,
}

impl PlannedSocket {
    pub fn dispatch_ip(&self) -> String {
        format!("{}, {}", USERS[self.user].client, PODS[self.pod].ip)
    }

    pub fn cause(&self) -> String {
        if self.refused {
            format!(
                "dial tcp 127.0.0.1:{}: connect: connection refused",
                USERS[self.user].port
            )
        } else {
            "graceful".to_string()
        }
    }
}

pub struct Plan {
    pub sockets: Vec<PlannedSocket>,
    /// The close time and pod of the isolated drop A, which a cloudflared request error
    /// precedes by 10 s.
    pub trap_drop: (i64, usize),
}

/// Returns a random whole number of milliseconds in `0..=high`, as microseconds.
fn millis(rng: &mut Rng, high: i64) -> i64 {
    rng.range(0, high) * MILLI
}

struct Builder<'a> {
    rng: &'a mut Rng,
    sockets: Vec<PlannedSocket>,
}

impl Builder<'_> {
    fn socket(&mut self, user: usize, pod: usize, open: i64, close: i64, drop: Option<DropTag>) {
        let paired = false;
        let refused = false;
        self.sockets.push(PlannedSocket {
            user,
            pod,
            open,
            close,
            refused,
            paired,
            drop,
        });
    }

    /// Adds the socket open across the hour end; the first socket of `user` is its copy one hour
    /// earlier.
    fn boundary(&mut self, user: usize, pod: usize, open: i64, first_close: i64) {
        self.sockets.push(PlannedSocket {
            user,
            pod,
            open: open - HOUR,
            close: first_close,
            refused: false,
            paired: false,
            drop: None,
        });
        self.sockets.push(PlannedSocket {
            user,
            pod,
            open,
            close: first_close + HOUR,
            refused: false,
            paired: false,
            drop: None,
        });
    }

    /// Marks the last added socket as opened after a break of minutes.
    fn returning(&mut self) {
        if let Some(socket) = self.sockets.last_mut() {
            socket.paired = true;
        }
    }
}

/// Builds the sockets of one hour.
pub fn plan(rng: &mut Rng) -> Plan {
    // The burst: all five sockets close within 40:07.06-40:07.40. A skew of whole seconds plus
    // up to 590 ms (1500 ms among them) keeps them in one second of the devvm clock too.
    let mut burst_closes = [0; 5];
    let mut reconnects = [0; 5];
    for user in 0..5 {
        burst_closes[user] = at(40, 7) + (60 + 70 * user as i64) * MILLI + millis(rng, 20);
        reconnects[user] = burst_closes[user] + rng.range(2, 7) * SECOND + millis(rng, 900);
    }
    let churn_reconnect = at(50, 23);
    let mut b = Builder {
        rng,
        sockets: Vec::new(),
    };

    // alice leaves at 18:40 and is back at 24:10. After the burst she rides m4q7r into the churn.
    let j = millis(b.rng, 999);
    let first_close = at(18, 40) + millis(b.rng, 999);
    b.boundary(ALICE, K2X9P, churn_reconnect + j, first_close);
    let open = at(24, 10) + millis(b.rng, 999);
    b.socket(ALICE, Z8W3T, open, burst_closes[ALICE], Some(BURST));
    b.returning();
    let close = at(50, 19) + millis(b.rng, 400);
    b.socket(ALICE, M4Q7R, reconnects[ALICE], close, Some(CHURN));

    // bob leaves at 8:00 and is back at 11:00. His serve is OOM-killed at 20:01, the retry at
    // 20:04 is refused, and he is back for good at 20:12.
    let first_close = at(8, 0) + millis(b.rng, 999);
    let open = at(55, 30) + millis(b.rng, 999);
    b.boundary(BOB, Z8W3T, open, first_close);
    b.returning();
    let open = at(11, 0) + millis(b.rng, 999);
    let close = at(20, 2) + millis(b.rng, 999);
    b.socket(BOB, K2X9P, open, close, Some(SERVE_OOM));
    b.returning();
    let open = at(20, 4) + millis(b.rng, 500);
    b.sockets.push(PlannedSocket {
        user: BOB,
        pod: K2X9P,
        open,
        close: open + 2 * MILLI,
        refused: true,
        paired: false,
        drop: Some(SERVE_OOM),
    });
    let open = at(20, 12) + millis(b.rng, 999);
    b.socket(BOB, Z8W3T, open, burst_closes[BOB], Some(BURST));
    let close = at(52, 0) + millis(b.rng, 999);
    b.socket(BOB, K2X9P, reconnects[BOB], close, None);

    // carol's 25-minute socket drops at 12:30 and she is back 4 s later. After the burst she
    // leaves at 44:00 and is back at 47:30.
    let first_close = at(12, 30) + millis(b.rng, 999);
    let first_open = first_close - 25 * 60 * SECOND - millis(b.rng, 999);
    let first_close_a = first_close;
    b.boundary(CAROL, Z8W3T, first_open + HOUR, first_close);
    b.returning();
    if let Some(first) = b.sockets.iter_mut().rev().nth(1) {
        first.drop = Some(DROP_A);
    }
    let open = first_close + 4 * SECOND + millis(b.rng, 300);
    b.socket(CAROL, K2X9P, open, burst_closes[CAROL], Some(BURST));
    let close = at(44, 0) + millis(b.rng, 999);
    b.socket(CAROL, Z8W3T, reconnects[CAROL], close, None);

    // dave leaves at 14:00 and is back at 16:00 with a socket that lasts 45 s. He reconnects
    // 3 s later, and after the burst he rides m4q7r into the churn.
    let first_close = at(14, 0) + millis(b.rng, 999);
    let j = millis(b.rng, 999);
    b.boundary(DAVE, Z8W3T, churn_reconnect + j, first_close);
    let open = at(16, 0) + millis(b.rng, 999);
    let close = open + 45 * SECOND + millis(b.rng, 400);
    b.socket(DAVE, K2X9P, open, close, Some(DROP_B));
    b.returning();
    let open = close + 3 * SECOND + millis(b.rng, 300);
    b.socket(DAVE, Z8W3T, open, burst_closes[DAVE], Some(BURST));
    let close = at(50, 19) + millis(b.rng, 400);
    b.socket(DAVE, M4Q7R, reconnects[DAVE], close, Some(CHURN));

    // erin leaves at 10:00 and is back at 13:30. Her serve is migrated at 33:10, so her socket
    // drops at 33:12 and she is back at 33:20. After the burst she leaves at 57:00 and is back
    // at 59:00.
    let first_close = at(10, 0) + millis(b.rng, 999);
    let open = at(59, 0) + millis(b.rng, 999);
    b.boundary(ERIN, K2X9P, open, first_close);
    b.returning();
    let open = at(13, 30) + millis(b.rng, 999);
    let close = at(33, 12) + millis(b.rng, 999);
    b.socket(ERIN, Z8W3T, open, close, Some(IDLE_MIGRATION));
    b.returning();
    let open = at(33, 20) + millis(b.rng, 999);
    b.socket(ERIN, K2X9P, open, burst_closes[ERIN], Some(BURST));
    let close = at(57, 0) + millis(b.rng, 999);
    b.socket(ERIN, Z8W3T, reconnects[ERIN], close, None);

    Plan {
        sockets: b.sockets,
        trap_drop: (first_close_a, Z8W3T),
    }
}

/// A socket as the input shows it, on the true clock. `close` is `None` when the socket is still
/// open at the end of the input.
pub struct SeenSocket {
    pub user: usize,
    pub open: i64,
    pub close: Option<i64>,
    pub expected_drop: bool,
}

/// Checks the drop rules against the sockets: a socket is a drop when it lived under 120 000 ms,
/// or when a socket of the same user opens within 30 s before or after its close. The drops
/// must be exactly the tagged sockets.
pub fn verify_drops(sockets: &[SeenSocket]) -> Result<(), String> {
    const SHORT: i64 = 120_000 * MILLI;
    const RECONNECT: i64 = 30 * SECOND;
    for (i, socket) in sockets.iter().enumerate() {
        let Some(close) = socket.close else {
            if socket.expected_drop {
                return Err(format!(
                    "socket {i} of {} is tagged as a drop but never closes",
                    USERS[socket.user].name
                ));
            }
            continue;
        };
        let short = close - socket.open < SHORT;
        let reconnect = sockets.iter().enumerate().any(|(j, other)| {
            j != i && other.user == socket.user && (other.open - close).abs() <= RECONNECT
        });
        let is_drop = short || reconnect;
        if is_drop != socket.expected_drop {
            let user = USERS[socket.user].name;
            return Err(format!(
                "socket of {user} closing at {close} µs: drop rules say {is_drop}, the scenario says {}",
                socket.expected_drop
            ));
        }
    }
    Ok(())
}
