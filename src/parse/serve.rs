//! t3 serve messages: Effect's pretty logger inside journal lines.
//!
//! The logger writes a header and then detail lines indented by two spaces, and journald keeps
//! each line as its own entry:
//!
//! ```text
//! [19:55:40.120] WARN (#412): git remote status refresh failed
//!   Command failed: git fetch --quiet origin: timed out.
//! ```
//!
//! The header has a local time of day and no date. Git commands time out after 5 s, and such a
//! timeout shows as `timed out` in a detail line (or in the header itself). A detail line is
//! tied to the last header of the same PID (of the same unit, where the export has no PID), so
//! the parser keeps that header per PID. The tie needs the header's journal time at or at most
//! `DETAIL_SPAN` before the detail line's: read newest first, the last header seen is a later
//! one, and the detail line keeps its own time.
//!
//! NOTE: only the uncoloured output (stdout not a TTY, as under systemd) is read. With ANSI
//! colours the header starts with an escape sequence and is not recognised.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::{InnerTime, Message, user_name, user_name_len};
use crate::event::EventKind;
use crate::time::{SECOND, fraction, hms};

/// Maximum number of PIDs whose last header is kept. One serve runs per user, but every
/// restart brings a new PID, so the map is cleared when it reaches this size. A clear loses at
/// most the tie of the detail lines being read at that moment.
const MAX_TRACKED_PIDS: usize = 4096;

/// How long after its header a detail line can be stamped and still be tied to it. The logger
/// writes a header and its detail lines at once, so journald usually stamps them milliseconds
/// apart, but a stalled host (the case git timeouts point at) can stamp them seconds apart.
/// NOTE: an estimate; a detail line that lags its header by more counts at its own time.
pub const DETAIL_SPAN: i64 = 30 * SECOND;

// Searchers built once: a serve writes a third of the journal, and its text is mostly English,
// where a search led by the needle's first byte (`t`, `/`) stops at nearly every word.
static TIMED_OUT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"timed out"));
static RUNNING: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"T3 Code running"));
static HOME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"/home/"));

/// The last header a serve process wrote.
#[derive(Clone, Debug)]
struct Header {
    time: InnerTime,
    /// The header line's own journal time, UTC microseconds.
    at: i64,
    /// The user of a `/home/USER/` path in the header's message, which its detail lines inherit
    /// when they name none. Kept only for lines with neither PID nor unit (`-o cat`), since
    /// elsewhere the PID or unit gives the user, and the search would cost every header.
    home_user: Option<Box<str>>,
    /// Set once a `timed out` line under this header became an event, so a header with
    /// several such detail lines yields one git timeout.
    timeout_reported: bool,
}

/// The serve state a block of journal lines leaves for the block merge, which settles it with
/// the state of the blocks before it.
#[derive(Debug, Default)]
pub struct ServeBlock {
    /// The indexes in the sink's events of the `PidUser` events of serve lines. The serve parser
    /// reports a PID's user only when it changes, so a block may report one again.
    pub pid_users: Vec<usize>,
    /// The git-timeout events from detail lines whose header the block did not contain. They
    /// carry the journal time until the merge finds the header.
    pub unresolved: Vec<UnresolvedTimeout>,
    /// The last header of each PID at the block's end.
    pub headers: Vec<LastHeader>,
    /// The zone of the headers' times of day.
    pub zone: Option<crate::time::Zone>,
}

/// The last header of one PID, as a block leaves it for the merge.
#[derive(Clone, Copy, Debug)]
pub struct LastHeader {
    pub pid: Option<u32>,
    /// Its time of day.
    pub time: InnerTime,
    /// Its line's journal time, UTC microseconds.
    pub at: i64,
    /// Whether a timeout under it was reported.
    pub reported: bool,
}

/// A git timeout from a detail line whose header lies before the block.
#[derive(Debug)]
pub struct UnresolvedTimeout {
    /// The index of the timeout event in the block's sink.
    pub index: usize,
    pub pid: Option<u32>,
    /// The event the line yields in place of the timeout when the merge finds that a timeout
    /// under the header was reported already: a start or the PID's user, if the line names one.
    pub fallback: Option<EventKind>,
    /// The UTC offset (microseconds) the detail line's own timestamp names, in which its
    /// header's time of day is first read before the entry time places it, or `None` to read
    /// it in `--tz`.
    pub offset: Option<i64>,
}

/// Parses t3 serve messages, keeping the last header per PID so a detail line can be tied to
/// its header.
#[derive(Debug, Default)]
pub struct ServeParser {
    /// Keyed by the journal PID. Lines without a PID share the `None` slot, unless the export
    /// names their unit (Loki's `unit` label), which keys them in `unit_headers`.
    headers: HashMap<Option<u32>, Header, PidHash>,
    unit_headers: HashMap<Box<str>, Header>,
    /// The user last reported for each PID, so a serve that names its home directory on every
    /// line yields one `PidUser` event, not one per line.
    pid_users: HashMap<u32, Box<str>, PidHash>,
    /// Set when the last message was a detail line's timeout whose header was not seen, with
    /// the line's fallback event (see [`UnresolvedTimeout::fallback`]).
    unresolved: Option<Option<EventKind>>,
    /// Whether this parser reads one block of an input read in parallel, whose merge settles
    /// the unresolved timeouts.
    in_block: bool,
    /// Set when a header was read, whose time of day the journal parser compares with its
    /// line's time. The journal parser clears it after each message it routes here. A `-o cat`
    /// journal routes none and leaves it set, since its lines have no time to compare with.
    header_read: bool,
}

/// Hashes PIDs with one multiply per word (the Fx hash of rustc). With SipHash, hashing took
/// about as long as the rest of a serve line's parse (perf, on the benchmark journal).
///
/// NOTE: unlike SipHash, this does not resist keys crafted to collide. A crafted log could slow
/// these maps down, but they stay bounded by `MAX_TRACKED_PIDS`.
type PidHash = BuildHasherDefault<PidHasher>;

#[derive(Default)]
struct PidHasher(u64);

impl Hasher for PidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, word: u32) {
        self.write_u64(u64::from(word));
    }

    fn write_isize(&mut self, word: isize) {
        self.write_u64(word as u64);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

impl ServeParser {
    pub fn new() -> ServeParser {
        ServeParser::default()
    }

    /// Returns a parser for one block of an input read in parallel blocks.
    pub fn for_block() -> ServeParser {
        ServeParser {
            in_block: true,
            ..ServeParser::default()
        }
    }

    /// Parses one message of a serve. `pid` is the journal PID; `unit_user` is the user when
    /// the export names the unit (`-o with-unit`, json, export, Loki labels); `at` is the
    /// line's journal time in UTC microseconds.
    ///
    /// The user of a git timeout or start is `unit_user`, or else the user of a `/home/USER/`
    /// path in the same message, or else, for a detail line with neither PID nor unit, that of a
    /// `/home/USER/` path in its header.
    pub fn parse_message(
        &mut self,
        msg: &[u8],
        pid: Option<u32>,
        unit_user: Option<&str>,
        at: i64,
    ) -> Message {
        let user = || unit_user.map(Box::from).or_else(|| home_user(msg));

        if let Some((time, text)) = header(msg) {
            self.header_read = true;
            let timed_out = TIMED_OUT.find(text).is_some();
            self.remember(
                pid,
                unit_user,
                Header {
                    time,
                    at,
                    home_user: (pid.is_none() && unit_user.is_none())
                        .then(|| home_user(msg))
                        .flatten(),
                    timeout_reported: timed_out,
                },
            );
            if timed_out {
                return serve_event(EventKind::ServeGitTimeout { user: user(), pid }, Some(time));
            }
            if RUNNING.find(text).is_some() {
                return serve_event(EventKind::ServeStarted { user: user(), pid }, Some(time));
            }
            return self.pid_user(msg, pid);
        }

        // A detail line. The systemd line `State 'stop-sigterm' timed out. Killing.` is not
        // indented, so it never gets here.
        if msg.first().is_some_and(|b| *b == b' ' || *b == b'\t') && TIMED_OUT.find(msg).is_some() {
            let header = self
                .header_mut(pid, unit_user)
                .filter(|header| (0..=DETAIL_SPAN).contains(&(at - header.at)));
            match header {
                Some(header) if header.timeout_reported => {}
                Some(header) => {
                    header.timeout_reported = true;
                    let time = header.time;
                    let user = user().or_else(|| header.home_user.clone());
                    return serve_event(EventKind::ServeGitTimeout { user, pid }, Some(time));
                }
                // The header was not seen: the export starts after it, it comes later in a
                // newest-first export, or a parallel block boundary falls between them. The
                // timeout counts at the journal time until the block merge finds the header in
                // an earlier block.
                None => {
                    self.unresolved = Some(self.fallback(msg, pid, unit_user));
                    return serve_event(EventKind::ServeGitTimeout { user: user(), pid }, None);
                }
            }
        }

        if RUNNING.find(msg).is_some() {
            return serve_event(EventKind::ServeStarted { user: user(), pid }, None);
        }
        self.pid_user(msg, pid)
    }

    /// Returns whether a header (`[19:55:40.120] WARN (#412): …`) was read since the last
    /// call, and clears it.
    pub fn take_header_read(&mut self) -> bool {
        // Most lines are no serve header, so the flag is only read for them, not written.
        if !self.header_read {
            return false;
        }
        self.header_read = false;
        true
    }

    /// Returns the fallback event of the last message when it was a timeout whose header was
    /// not seen, and clears it.
    pub fn take_unresolved(&mut self) -> Option<Option<EventKind>> {
        self.unresolved.take()
    }

    /// Returns what a timed-out detail line yields when its header's timeout was reported
    /// already, as the rest of `parse_message` would read it: a start, or its PID's user.
    ///
    /// A block cannot tell which of the two events the merge keeps, so it clears the PID's user.
    /// The next line that names a user then reports it, and the merge drops the reports that
    /// repeat the user last reported. Read in order, the timeout is kept and the user too.
    fn fallback(
        &mut self,
        msg: &[u8],
        pid: Option<u32>,
        unit_user: Option<&str>,
    ) -> Option<EventKind> {
        if RUNNING.find(msg).is_some() {
            let user = unit_user.map(Box::from).or_else(|| home_user(msg));
            return Some(EventKind::ServeStarted { user, pid });
        }
        let (Some(pid), Some(user)) = (pid, home_user(msg)) else {
            return None;
        };
        if self.in_block {
            self.pid_users.remove(&pid);
        }
        Some(EventKind::PidUser { pid, user })
    }

    /// Returns the last header of each PID, in PID order.
    pub fn headers(&self) -> Vec<LastHeader> {
        let mut headers: Vec<LastHeader> = self
            .headers
            .iter()
            .map(|(pid, header)| LastHeader {
                pid: *pid,
                time: header.time,
                at: header.at,
                reported: header.timeout_reported,
            })
            .collect();
        headers.sort_by_key(|header| header.pid);
        headers
    }

    /// Forgets the last header of lines without a PID or unit, so the next detail line is not
    /// tied to it. A newest-first `-o cat` journal needs this: there a detail line comes before
    /// its header, and the header read last is a later one.
    pub fn forget_header_without_pid(&mut self) {
        self.headers.remove(&None);
    }

    fn header_mut(&mut self, pid: Option<u32>, unit_user: Option<&str>) -> Option<&mut Header> {
        match (pid, unit_user) {
            (None, Some(user)) => self.unit_headers.get_mut(user),
            _ => self.headers.get_mut(&pid),
        }
    }

    fn remember(&mut self, pid: Option<u32>, unit_user: Option<&str>, header: Header) {
        if let (None, Some(user)) = (pid, unit_user) {
            if self.unit_headers.len() >= MAX_TRACKED_PIDS && !self.unit_headers.contains_key(user)
            {
                self.unit_headers.clear();
            }
            self.unit_headers.insert(Box::from(user), header);
            return;
        }
        if self.headers.len() >= MAX_TRACKED_PIDS && !self.headers.contains_key(&pid) {
            self.headers.clear();
        }
        self.headers.insert(pid, header);
    }
}

fn serve_event(kind: EventKind, inner_time: Option<InnerTime>) -> Message {
    Message::Event { kind, inner_time }
}

/// Tells whether a message is a serve's header line, `[19:55:40.120] WARN (#412): text`.
pub fn is_header(msg: &[u8]) -> bool {
    header(msg).is_some()
}

/// Returns the time of day of a serve's header line.
pub fn header_time(msg: &[u8]) -> Option<InnerTime> {
    header(msg).map(|(time, _)| time)
}

/// Reads the header `[19:55:40.120] WARN (#412): text`, returning its time of day and the
/// bytes after `] `.
fn header(msg: &[u8]) -> Option<(InnerTime, &[u8])> {
    let rest = msg.strip_prefix(b"[")?;
    let (hour, minute, second) = hms(rest)?;
    let (micros, _, fraction_len) = fraction(rest.get(8..)?);
    let text = rest.get(8 + fraction_len..)?.strip_prefix(b"] ")?;
    Some((
        InnerTime::TimeOfDay {
            hour,
            minute,
            second,
            micros,
        },
        text,
    ))
}

impl ServeParser {
    /// Returns a `PidUser` event when the message ties its PID to a user not reported before.
    fn pid_user(&mut self, msg: &[u8], pid: Option<u32>) -> Message {
        let (Some(pid), Some(user)) = (pid, home_user_bytes(msg)) else {
            return Message::Ignored;
        };
        // Most lines of a serve name the same home: compare before allocating the name.
        if self
            .pid_users
            .get(&pid)
            .is_some_and(|known| known.as_bytes() == user)
        {
            return Message::Ignored;
        }
        let Some(user) = user_name(user) else {
            return Message::Ignored;
        };
        if self.pid_users.len() >= MAX_TRACKED_PIDS {
            self.pid_users.clear();
        }
        self.pid_users.insert(pid, user.clone());
        Message::event(EventKind::PidUser { pid, user })
    }
}

/// Returns USER from the first `/home/USER/` in the message.
pub fn home_user(msg: &[u8]) -> Option<Box<str>> {
    home_user_bytes(msg).and_then(user_name)
}

/// Returns the bytes of USER in the first `/home/USER/` of the message.
fn home_user_bytes(msg: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    while let Some(at) = msg.get(from..).and_then(|rest| HOME.find(rest)) {
        let rest = &msg[from + at + HOME.needle().len()..];
        let len = user_name_len(rest);
        if len > 0 && rest.get(len) == Some(&b'/') {
            return Some(&rest[..len]);
        }
        from += at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const PID: Option<u32> = Some(4711);

    fn at(hour: u32, minute: u32, second: u32, millis: u32) -> Option<InnerTime> {
        Some(InnerTime::TimeOfDay {
            hour,
            minute,
            second,
            micros: millis * 1000,
        })
    }

    fn git_timeout(user: Option<&str>, pid: Option<u32>, time: Option<InnerTime>) -> Message {
        Message::Event {
            kind: EventKind::ServeGitTimeout {
                user: user.map(Box::from),
                pid,
            },
            inner_time: time,
        }
    }

    /// Feeds the lines in order to one parser, all with the same PID and unit user, and
    /// returns what each line yielded.
    fn run(lines: &[&str], pid: Option<u32>, unit_user: Option<&str>) -> Vec<Message> {
        let mut parser = ServeParser::new();
        lines
            .iter()
            .map(|line| parser.parse_message(line.as_bytes(), pid, unit_user, 0))
            .collect()
    }

    /// A name, the lines fed in order, their PID and unit user, and what each line yields.
    type SequenceCase<'a> = (
        &'a str,
        &'a [&'a str],
        Option<u32>,
        Option<&'a str>,
        Vec<Message>,
    );

    #[test]
    fn serve_sequences() {
        let header = "[19:55:40.120] WARN (#412): git remote status refresh failed";
        let detail = "  Command failed: git fetch --quiet origin: timed out.";
        let cases: &[SequenceCase] = &[
            (
                "detail under a header is a git timeout at the header time",
                &[header, detail],
                PID,
                Some("bob"),
                vec![
                    Message::Ignored,
                    git_timeout(Some("bob"), PID, at(19, 55, 40, 120)),
                ],
            ),
            (
                "user unknown when the export does not name the unit",
                &[header, detail],
                PID,
                None,
                vec![
                    Message::Ignored,
                    git_timeout(None, PID, at(19, 55, 40, 120)),
                ],
            ),
            (
                "a second timed-out detail of the same header is not a second timeout",
                &[header, detail, "  GitCommandError: git fetch timed out."],
                PID,
                Some("bob"),
                vec![
                    Message::Ignored,
                    git_timeout(Some("bob"), PID, at(19, 55, 40, 120)),
                    Message::Ignored,
                ],
            ),
            (
                "a new header makes the next timeout count again",
                &[
                    header,
                    detail,
                    "[19:55:50.001] WARN (#413): git branch check failed",
                    detail,
                ],
                PID,
                Some("bob"),
                vec![
                    Message::Ignored,
                    git_timeout(Some("bob"), PID, at(19, 55, 40, 120)),
                    Message::Ignored,
                    git_timeout(Some("bob"), PID, at(19, 55, 50, 1)),
                ],
            ),
            (
                "a header that says timed out counts by itself",
                &["[19:55:40.120] WARN (#412): git fetch timed out.", detail],
                PID,
                Some("bob"),
                vec![
                    git_timeout(Some("bob"), PID, at(19, 55, 40, 120)),
                    Message::Ignored,
                ],
            ),
            (
                "a detail with no header before it counts at the journal time",
                &[detail],
                PID,
                Some("bob"),
                vec![Message::Event {
                    kind: EventKind::ServeGitTimeout {
                        user: Some("bob".into()),
                        pid: PID,
                    },
                    inner_time: None,
                }],
            ),
            (
                "the systemd stop timeout after a header is not a git timeout",
                &[header, "State 'stop-sigterm' timed out. Killing."],
                PID,
                Some("bob"),
                vec![Message::Ignored, Message::Ignored],
            ),
            (
                "a detail without timed out is ignored",
                &[
                    header,
                    "  at ChildProcess.exithandler (node:child_process:422:12)",
                ],
                PID,
                Some("bob"),
                vec![Message::Ignored, Message::Ignored],
            ),
            (
                "a header without a fraction of a second",
                &[
                    "[19:55:40] WARN (#412): git remote status refresh failed",
                    detail,
                ],
                PID,
                None,
                vec![Message::Ignored, git_timeout(None, PID, at(19, 55, 40, 0))],
            ),
            (
                "a timeout without a PID uses the last header without a PID",
                &[header, detail],
                None,
                None,
                vec![
                    Message::Ignored,
                    git_timeout(None, None, at(19, 55, 40, 120)),
                ],
            ),
            (
                "without a PID, a detail line takes the user of its header's home path",
                &[
                    "[19:55:40.120] WARN (#412): git status failed in /home/bob/src/app",
                    detail,
                ],
                None,
                None,
                vec![
                    Message::Ignored,
                    git_timeout(Some("bob"), None, at(19, 55, 40, 120)),
                ],
            ),
            (
                "with a PID, the PID gives the user later, not the header's path",
                &[
                    "[19:55:40.120] WARN (#412): git status failed in /home/bob/src/app",
                    detail,
                ],
                PID,
                None,
                vec![
                    Message::event(EventKind::PidUser {
                        pid: 4711,
                        user: "bob".into(),
                    }),
                    git_timeout(None, PID, at(19, 55, 40, 120)),
                ],
            ),
            (
                "the user of a home path when the unit is not named",
                &[
                    header,
                    "  Command failed: git -C /home/bob/src/app fetch --quiet origin: timed out.",
                ],
                PID,
                None,
                vec![
                    Message::Ignored,
                    git_timeout(Some("bob"), PID, at(19, 55, 40, 120)),
                ],
            ),
            (
                "a start header",
                &["[08:00:01.500] INFO (#1): T3 Code running on http://127.0.0.1:3774"],
                PID,
                Some("bob"),
                vec![Message::Event {
                    kind: EventKind::ServeStarted {
                        user: Some("bob".into()),
                        pid: PID,
                    },
                    inner_time: at(8, 0, 1, 500),
                }],
            ),
            (
                "a start line without a header",
                &["T3 Code running on http://127.0.0.1:3774"],
                PID,
                None,
                vec![Message::event(EventKind::ServeStarted {
                    user: None,
                    pid: PID,
                })],
            ),
            (
                "a home path ties the PID to a user",
                &["[19:55:41.000] INFO (#7): opened workspace /home/bob/src/app"],
                PID,
                None,
                vec![Message::event(EventKind::PidUser {
                    pid: 4711,
                    user: "bob".into(),
                })],
            ),
            (
                "an indented home path ties the PID too",
                &["  at /home/bob/.local/share/t3/server.js:10:5"],
                PID,
                None,
                vec![Message::event(EventKind::PidUser {
                    pid: 4711,
                    user: "bob".into(),
                })],
            ),
            (
                "a home path without a PID is ignored",
                &["  at /home/bob/.local/share/t3/server.js:10:5"],
                None,
                None,
                vec![Message::Ignored],
            ),
            (
                "/home/ not followed by a user and a slash",
                &["see /home/ and /homework/x and /home/bob"],
                PID,
                None,
                vec![Message::Ignored],
            ),
            (
                "an unrelated header",
                &["[19:55:40.120] INFO (#12): client connected"],
                PID,
                Some("bob"),
                vec![Message::Ignored],
            ),
            ("an empty message", &[""], PID, None, vec![Message::Ignored]),
        ];
        for (name, lines, pid, unit_user, expected) in cases {
            assert_eq!(run(lines, *pid, *unit_user), *expected, "{name}");
        }
    }

    #[test]
    fn home_user_shapes() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "terminal session started in /home/carol/notebooks",
                Some("carol"),
            ),
            ("cwd=/home/bob.smith/src", Some("bob.smith")),
            ("/home/alice/", Some("alice")),
            ("no home here", None),
            ("/home/carol", None),
            ("/home//etc", None),
            ("/home/ and then /home/dave/x", Some("dave")),
            ("/home//home/erin/x", Some("erin")),
            ("/srv/home/frank/x", Some("frank")),
        ];
        for (msg, expected) in cases {
            assert_eq!(home_user(msg.as_bytes()).as_deref(), *expected, "{msg}");
        }
    }

    #[test]
    fn unresolved_timeout_fallbacks() {
        // A detail line that names a home sets the PID's user without a header.
        let carol = b"  cwd: /home/carol/x";
        let detail = b"  Command failed: git -C /home/dave/x fetch: timed out.";
        let started = b"  T3 Code running at /home/dave/x: timed out.";
        let carol_user = Message::event(EventKind::PidUser {
            pid: 7,
            user: "carol".into(),
        });

        // In a block, the fallback is the PID's user, and the block clears the user it knew.
        let mut block = ServeParser::for_block();
        assert_eq!(block.parse_message(carol, Some(7), None, 0), carol_user);
        block.parse_message(detail, Some(7), None, 0);
        assert_eq!(
            block.take_unresolved(),
            Some(Some(EventKind::PidUser {
                pid: 7,
                user: "dave".into()
            }))
        );
        assert_eq!(block.take_unresolved(), None, "taken once");
        assert_eq!(
            block.parse_message(carol, Some(7), None, 0),
            carol_user,
            "carol is reported again for the merge to settle"
        );

        // Read in order, the timeout is kept and so is the PID's user.
        let mut in_order = ServeParser::new();
        in_order.parse_message(carol, Some(7), None, 0);
        in_order.parse_message(detail, Some(7), None, 0);
        assert!(in_order.take_unresolved().is_some());
        assert_eq!(
            in_order.parse_message(carol, Some(7), None, 0),
            Message::Ignored
        );

        // A start comes before the PID's user, as in `parse_message`.
        let mut block = ServeParser::for_block();
        block.parse_message(started, Some(7), None, 0);
        assert_eq!(
            block.take_unresolved(),
            Some(Some(EventKind::ServeStarted {
                user: Some("dave".into()),
                pid: Some(7)
            }))
        );
    }

    #[test]
    fn pid_user_reported_once_per_change() {
        let mut parser = ServeParser::new();
        let carol = b"[19:00:00.116] INFO (#695): terminal session started in /home/carol/x";
        let dave = b"[19:00:01.116] INFO (#695): terminal session started in /home/dave/x";
        let pid_user = |user: &str| {
            Message::event(EventKind::PidUser {
                pid: 7,
                user: user.into(),
            })
        };
        assert_eq!(
            parser.parse_message(carol, Some(7), None, 0),
            pid_user("carol")
        );
        assert_eq!(
            parser.parse_message(carol, Some(7), None, 0),
            Message::Ignored
        );
        assert_eq!(
            parser.parse_message(dave, Some(7), None, 0),
            pid_user("dave")
        );
        assert_eq!(parser.parse_message(carol, None, None, 0), Message::Ignored);
    }

    #[test]
    fn detail_ties_only_to_an_earlier_header() {
        let header = b"[19:55:40.120] WARN (#412): git remote status refresh failed";
        let later = b"[19:55:52.000] INFO (#413): opened project /home/alice/web";
        let detail = b"  Command failed: git fetch --quiet origin: timed out.";
        let untimed = Message::Event {
            kind: EventKind::ServeGitTimeout {
                user: Some("alice".into()),
                pid: Some(1),
            },
            inner_time: None,
        };

        // Newest first: the header seen last is a later one, so the detail keeps its own time.
        let mut parser = ServeParser::new();
        parser.parse_message(later, Some(1), Some("alice"), 52 * SECOND);
        assert_eq!(
            parser.parse_message(detail, Some(1), Some("alice"), 40 * SECOND),
            untimed
        );

        // A header more than DETAIL_SPAN before the detail line is not its header.
        let mut parser = ServeParser::new();
        parser.parse_message(header, Some(1), Some("alice"), 0);
        assert_eq!(
            parser.parse_message(detail, Some(1), Some("alice"), DETAIL_SPAN + 1),
            untimed
        );
        let mut parser = ServeParser::new();
        parser.parse_message(header, Some(1), Some("alice"), 0);
        assert_eq!(
            parser.parse_message(detail, Some(1), Some("alice"), DETAIL_SPAN),
            git_timeout(Some("alice"), Some(1), at(19, 55, 40, 120)),
        );
    }

    #[test]
    fn headers_without_pid_kept_per_unit() {
        // Loki journal streams carry the unit but no PID.
        let mut parser = ServeParser::new();
        let header_a = b"[19:55:40.120] WARN (#412): git remote status refresh failed";
        let header_b = b"[19:55:40.250] WARN (#9): git remote status refresh failed";
        let detail = b"  Command failed: git fetch --quiet origin: timed out.";
        parser.parse_message(header_a, None, Some("alice"), 0);
        parser.parse_message(header_b, None, Some("bob"), 0);
        assert_eq!(
            parser.parse_message(detail, None, Some("alice"), 0),
            git_timeout(Some("alice"), None, at(19, 55, 40, 120)),
        );
        assert_eq!(
            parser.parse_message(detail, None, Some("bob"), 0),
            git_timeout(Some("bob"), None, at(19, 55, 40, 250)),
        );
    }

    #[test]
    fn headers_kept_per_pid() {
        let mut parser = ServeParser::new();
        let header_a = b"[19:55:40.120] WARN (#412): git remote status refresh failed";
        let header_b = b"[19:55:41.250] WARN (#9): git remote status refresh failed";
        let detail = b"  Command failed: git fetch --quiet origin: timed out.";

        assert_eq!(
            parser.parse_message(header_a, Some(1), Some("alice"), 0),
            Message::Ignored
        );
        assert_eq!(
            parser.parse_message(header_b, Some(2), Some("bob"), 0),
            Message::Ignored
        );
        assert_eq!(
            parser.parse_message(detail, Some(1), Some("alice"), 0),
            git_timeout(Some("alice"), Some(1), at(19, 55, 40, 120)),
        );
        assert_eq!(
            parser.parse_message(detail, Some(2), Some("bob"), 0),
            git_timeout(Some("bob"), Some(2), at(19, 55, 41, 250)),
        );
        // A PID that wrote no header: the timeout still counts, without a header time.
        assert_eq!(
            parser.parse_message(detail, Some(3), Some("carol"), 0),
            Message::Event {
                kind: EventKind::ServeGitTimeout {
                    user: Some("carol".into()),
                    pid: Some(3)
                },
                inner_time: None,
            }
        );
    }

    #[test]
    fn header_map_stays_bounded() {
        let mut parser = ServeParser::new();
        let header = b"[19:55:40.120] WARN (#412): git remote status refresh failed";
        for pid in 0..(MAX_TRACKED_PIDS as u32 * 3) {
            parser.parse_message(header, Some(pid), None, 0);
            assert!(parser.headers.len() <= MAX_TRACKED_PIDS);
        }
        // The newest PID is still tracked after a clear.
        let last = MAX_TRACKED_PIDS as u32 * 3 - 1;
        let detail = b"  Command failed: git fetch --quiet origin: timed out.";
        assert_eq!(
            parser.parse_message(detail, Some(last), None, 0),
            git_timeout(None, Some(last), at(19, 55, 40, 120))
        );
    }

    const VALID_LINES: &[&str] = &[
        "[19:55:40.120] WARN (#412): git remote status refresh failed",
        "  Command failed: git -C /home/bob/src/app fetch --quiet origin: timed out.",
        "[08:00:01.500] INFO (#1): T3 Code running on http://127.0.0.1:3774",
        "State 'stop-sigterm' timed out. Killing.",
    ];

    fn mutated_line() -> impl Strategy<Value = Vec<u8>> {
        crate::parse::mutated_line(VALID_LINES)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parse_message_never_panics(
            lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..120), 1..8),
            pid in prop::option::of(0u32..4),
        ) {
            let mut parser = ServeParser::new();
            for line in &lines {
                let _ = parser.parse_message(line, pid, Some("bob"), 0);
            }
        }

        #[test]
        fn parse_message_mutated_never_panics(
            lines in prop::collection::vec(mutated_line(), 1..8),
            pid in prop::option::of(0u32..4),
        ) {
            let mut parser = ServeParser::new();
            for line in &lines {
                let _ = parser.parse_message(line, pid, None, 0);
            }
        }
    }
}
