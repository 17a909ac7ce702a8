//! The normalised event stream: one [`Event`] per input line that matters to attribution.
//!
//! Parsers turn lines of every format into these events; the correlator reads nothing else.
//! An event keeps only what the rules need (typed fields), where it came from (input and line,
//! for evidence) and the original line text (for evidence output). Irrelevant lines never
//! become events, so memory grows with the incident, not with the size of the logs.

use std::net::IpAddr;

use crate::time::Precision;

/// The system that wrote a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The devvm systemd journal (t3-dispatch, t3 serve, systemd, kernel, earlyoom, restarts).
    Journal,
    /// Traefik access and diagnostic lines.
    Traefik,
    /// cloudflared tunnel pods.
    Cloudflared,
    /// The in-cluster probe's Prometheus series (`t3probe_*`), one stream per leg.
    Probe,
    /// devvm's pressure series from its node exporter (`node_pressure_*`).
    Pressure,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Journal => "journal",
            Source::Traefik => "traefik",
            Source::Cloudflared => "cloudflared",
            Source::Probe => "probe",
            Source::Pressure => "pressure",
        }
    }
}

/// The place a line was read from: the index of its input in the run and its 1-based line number,
/// counted in the decompressed text.
///
/// Origins order events that share a time: by input, then in the order the lines were written.
/// That is the line order, except in an input printed newest first, where it is the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub input: u32,
    /// The line's place in write order: `line`, or `u64::MAX - line` in a newest-first input.
    rank: u64,
    line: u64,
}

impl Origin {
    pub fn new(input: u32, line: u64) -> Origin {
        Origin {
            input,
            rank: line,
            line,
        }
    }

    /// Returns the 1-based line number.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Moves a line of a block to its place in the whole input, `offset` lines further. The
    /// block merge calls it before the input's order is known, so the rank follows the line.
    pub fn add_lines(&mut self, offset: u64) {
        self.line += offset;
        self.rank = self.line;
    }

    /// Marks the line as read from an input printed newest first.
    pub fn set_newest_first(&mut self) {
        self.rank = u64::MAX - self.line;
    }

    /// Tells whether the line was read from an input printed newest first.
    pub fn is_newest_first(&self) -> bool {
        self.rank != self.line
    }
}

/// One normalised event.
#[derive(Clone, Debug)]
pub struct Event {
    /// When it happened, UTC microseconds. For a journal line this is the journal timestamp
    /// (the Go prefix only where the export has no journal time); for a Traefik access line it
    /// is the request end, start plus duration.
    pub time: i64,
    pub precision: Precision,
    pub source: Source,
    pub origin: Origin,
    /// The pod or replica that logged the line, when the input names it (file name, kubectl prefix).
    pub pod: Option<Box<str>>,
    pub kind: EventKind,
    /// The original line, with invalid UTF-8 escaped as `\xNN`.
    pub text: Box<str>,
    /// Set when `time` is an estimate: an evidence line of a `journalctl -o cat` export, which
    /// has no time of its own, placed at the time of a dispatch line next to it.
    pub estimated: bool,
    /// The index in its input's `Sink::journal_hosts` of the host that logged a `-o json` or
    /// `-o export` journal entry, whose event text is the message alone. It is valid only in
    /// that input's sink, before the events of all inputs are merged.
    pub host: Option<u8>,
}

/// The reason dispatch logged for a WebSocket's end (`cause=`, always the last field of `ws close`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseCause {
    Graceful,
    /// The request was cancelled before `t3 serve` answered the upgrade.
    DownstreamClosed,
    /// The serve closed or refused.
    UpstreamClosed,
    /// Raw Go error text, spaces and colons included, such as
    /// `dial tcp 127.0.0.1:3773: i/o timeout`.
    Error(Box<str>),
}

impl CloseCause {
    pub fn as_str(&self) -> &str {
        match self {
            CloseCause::Graceful => "graceful",
            CloseCause::DownstreamClosed => "downstream_closed",
            CloseCause::UpstreamClosed => "upstream_closed",
            CloseCause::Error(text) => text,
        }
    }
}

/// The class of an `http: proxy error: …` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyErrorClass {
    /// `context canceled`: the client side gave up. Five in one second are a mass-cancel burst.
    Canceled,
    /// `connection reset by peer`.
    Reset,
    /// `connection refused`: nothing listens on the serve port.
    Refused,
    /// `EOF` / `unexpected EOF`.
    Eof,
    /// `i/o timeout`, `deadline exceeded`, `timeout awaiting response headers`.
    Timeout,
    Other,
}

/// A systemd-managed unit the rules care about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// `t3-serve@USER.service`.
    Serve(Box<str>),
    /// `t3-dispatch.service`.
    Dispatch,
}

/// The change systemd logged for a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitAction {
    /// `A process of this unit has been killed by the OOM killer.` / `Failed with result 'oom-kill'.`
    OomKilled,
    /// `Main process exited, code=…`.
    Exited,
    /// `Failed with result '…'` other than oom-kill.
    Failed,
    /// `Scheduled restart job, restart counter is at N.`
    RestartScheduled,
    /// `State 'stop-sigterm' timed out. Killing.`: a stop, not a git stall.
    StopTimedOut,
    /// `Stopping …` / `Stopped …`.
    Stopping,
    /// `Started …`.
    Started,
}

/// The restart machinery that restarted a serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Restarter {
    Watchdog,
    Autoupdate,
    MigrateIdle,
}

/// Whether a kernel OOM kill happened inside one cgroup or host-wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OomScope {
    /// `Memory cgroup out of memory: Killed process …`.
    Memcg,
    /// `Out of memory: Killed process …`: the whole host ran out.
    Global,
}

/// The socket population a Traefik `GET /ws` line belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraefikClass {
    /// A browser WebSocket on the t3 router: a user socket.
    Browser,
    /// The synthetic probe (`…-probe-…` router or `/probe/` path): never a user drop.
    Probe,
    /// The native app (`GET /ws?wsTicket=…`, straight to the serve port): never a user drop.
    Native,
}

/// The cause of a cloudflared shutdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutdownReason {
    /// `cloudflared has been updated to version …` (then exit code 11).
    Update,
    /// A signal (`Received signal …`, SIGTERM from Kubernetes).
    Signal,
    Other,
}

/// The kind of stall a pressure episode measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PressureResource {
    /// `node_pressure_io_stalled_seconds_total`: time all non-idle tasks waited on IO.
    Io,
    /// `node_pressure_memory_stalled_seconds_total`: time all non-idle tasks waited on memory.
    Memory,
}

impl PressureResource {
    pub fn as_str(self) -> &'static str {
        match self {
            PressureResource::Io => "IO",
            PressureResource::Memory => "memory",
        }
    }
}

/// The typed meaning of an event.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    // --- t3-dispatch -------------------------------------------------------------------------
    /// `ws open user=… ip=…`, logged before dispatch dials the serve.
    WsOpen {
        user: Box<str>,
        client: Option<IpAddr>,
    },
    /// `ws close user=… ip=… dur_ms=… cause=…`.
    WsClose {
        user: Box<str>,
        client: Option<IpAddr>,
        dur_ms: u64,
        cause: CloseCause,
    },
    /// `t3-dispatch listening on :3780`: dispatch (re)started.
    DispatchListening,
    /// `http: proxy error: …`, with the serve port when the text names one.
    ProxyError {
        class: ProxyErrorClass,
        port: Option<u16>,
    },
    /// `pairing for alice returned 500 …` or `mint for alice failed: …`.
    PairingFailed {
        user: Box<str>,
    },

    // --- t3 serve ----------------------------------------------------------------------------
    /// A serve git command timed out (`… timed out.` in a detail line). The user is filled in
    /// later from other lines of the same PID when the export does not name the unit.
    ServeGitTimeout {
        user: Option<Box<str>>,
        pid: Option<u32>,
    },
    /// `T3 Code running`: a serve started.
    ServeStarted {
        user: Option<Box<str>>,
        pid: Option<u32>,
    },
    /// A line that ties a PID to a user (`/home/bob/…`, `Killing process 4711`, a memcg path)
    /// without being evidence itself.
    PidUser {
        pid: u32,
        user: Box<str>,
    },

    // --- systemd, kernel, earlyoom, restart machinery ----------------------------------------
    UnitChange {
        unit: Unit,
        action: UnitAction,
    },
    /// A kernel OOM kill. `user` is set when the cgroup names `t3-serve@USER.service`.
    OomKill {
        scope: OomScope,
        user: Option<Box<str>>,
        pid: Option<u32>,
    },
    /// `low memory! at or below SIGTERM limits` or `sending SIGTERM to process …`.
    EarlyoomAction {
        pid: Option<u32>,
    },
    /// The kernel's report of a stall: a soft or hard lockup, an RCU stall, or a task blocked
    /// for minutes (`hung_task`). `seconds` is how long it had lasted when the line was
    /// written, where the line reports it.
    KernelStall {
        seconds: Option<u32>,
        hung_task: bool,
    },
    /// The kernel's `Linux version …` line, the first of every boot: devvm (re)booted.
    HostBoot,
    /// A journal line next to a silence of the journal of at least `--gap-min`: the first line
    /// after it (`after`), or, in a newest-first export, the last line before it.
    JournalSilence {
        seconds: i64,
        after: bool,
    },
    /// A watchdog, autoupdate or idle-migrate restart of a user's serve.
    ServeRestart {
        user: Box<str>,
        by: Restarter,
    },
    /// The watchdog's `probe FAILED for t3-serve@USER.service (…)`: the serve did not respond.
    /// It backs a restart that follows, and is no verdict alone.
    ServeProbeFailed {
        user: Box<str>,
    },

    // --- Traefik -----------------------------------------------------------------------------
    /// An access line for a `GET /ws` on a t3 router. `start` is the bracket (or `StartUTC`)
    /// time; the event time is `start + duration`.
    TraefikSocket {
        class: TraefikClass,
        client: Option<IpAddr>,
        start: i64,
        start_precision: Precision,
        dur_ms: u64,
        status: Option<u16>,
        router: Box<str>,
    },

    // --- cloudflared -------------------------------------------------------------------------
    /// A single request failed (`Incoming request ended abruptly`, `Request failed`,
    /// `stream N canceled by remote`). Never makes a window unclean by itself.
    CfRequestError {
        cf_ray: Option<Box<str>>,
    },
    /// A tunnel connection failed to serve (`Failed to serve tunnel connection`,
    /// `Failed to serve quic connection`).
    CfConnFailed {
        conn_index: Option<u8>,
    },
    /// `Connection terminated …`.
    CfConnTerminated {
        conn_index: Option<u8>,
    },
    /// `Unregistered tunnel connection`.
    CfConnUnregistered {
        conn_index: Option<u8>,
    },
    /// `Registered tunnel connection`.
    CfConnRegistered {
        conn_index: Option<u8>,
    },
    /// `Retrying connection in up to …`.
    CfRetrying {
        conn_index: Option<u8>,
    },
    /// `Initiating shutdown` and similar: the pod is going away.
    CfShutdown {
        reason: ShutdownReason,
    },
    /// `Starting tunnel` or a version banner: a pod (re)started.
    CfStart {
        version: Option<Box<str>>,
    },

    // --- Prometheus metrics: the probe and devvm pressure ------------------------------------
    // A metric event is read from samples, so it is only as precise as the scrape step:
    // `resolution` is the time between the samples it rests on, in microseconds.
    /// `t3probe_connected{leg}` read 0. The event time is the first sample at 0; `end` is the
    /// first sample back at 1, `None` when the input ends first.
    ProbeLegDown {
        leg: Box<str>,
        end: Option<i64>,
        resolution: i64,
    },
    /// `t3probe_connected{leg}` read 1 again; `since` is the first sample at 0.
    ProbeLegUp {
        leg: Box<str>,
        since: i64,
        resolution: i64,
    },
    /// `t3probe_disconnects_total{leg,reason}` increased by `count` between two samples. The
    /// event time is the later sample, or `t3probe_last_disconnect_timestamp` when that lies
    /// between the two; `resolution` is 0 in that case.
    ProbeDisconnect {
        leg: Box<str>,
        reason: Box<str>,
        count: u64,
        resolution: i64,
    },
    /// `count` observations of `t3probe_rtt_seconds{leg}` above `above_seconds` (a bucket
    /// bound) between two samples.
    ProbeRttSpike {
        leg: Box<str>,
        count: u64,
        above_seconds: f64,
        resolution: i64,
    },
    /// devvm's stall rate (stalled seconds per second) above `threshold` over consecutive
    /// samples. The event time is the sample before the first interval above the threshold;
    /// `end` is the sample that closes the last one.
    PressureEpisode {
        resource: PressureResource,
        end: i64,
        peak: f64,
        threshold: f64,
        resolution: i64,
    },
}

impl EventKind {
    /// Returns a short snake_case name of the kind, used in `timeline` output.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::WsOpen { .. } => "ws_open",
            EventKind::WsClose { .. } => "ws_close",
            EventKind::DispatchListening => "dispatch_listening",
            EventKind::ProxyError { .. } => "proxy_error",
            EventKind::PairingFailed { .. } => "pairing_failed",
            EventKind::ServeGitTimeout { .. } => "serve_git_timeout",
            EventKind::ServeStarted { .. } => "serve_started",
            EventKind::PidUser { .. } => "pid_user",
            EventKind::UnitChange { .. } => "unit_change",
            EventKind::OomKill { .. } => "oom_kill",
            EventKind::EarlyoomAction { .. } => "earlyoom_action",
            EventKind::KernelStall { .. } => "kernel_stall",
            EventKind::HostBoot => "host_boot",
            EventKind::JournalSilence { after: true, .. } => "journal_after_silence",
            EventKind::JournalSilence { after: false, .. } => "journal_before_silence",
            EventKind::ServeRestart { .. } => "serve_restart",
            EventKind::ServeProbeFailed { .. } => "serve_probe_failed",
            EventKind::TraefikSocket {
                class: TraefikClass::Browser,
                ..
            } => "traefik_socket",
            EventKind::TraefikSocket {
                class: TraefikClass::Probe,
                ..
            } => "traefik_probe_socket",
            EventKind::TraefikSocket {
                class: TraefikClass::Native,
                ..
            } => "traefik_native_socket",
            EventKind::CfRequestError { .. } => "cf_request_error",
            EventKind::CfConnFailed { .. } => "cf_conn_failed",
            EventKind::CfConnTerminated { .. } => "cf_conn_terminated",
            EventKind::CfConnUnregistered { .. } => "cf_conn_unregistered",
            EventKind::CfConnRegistered { .. } => "cf_conn_registered",
            EventKind::CfRetrying { .. } => "cf_retrying",
            EventKind::CfShutdown { .. } => "cf_shutdown",
            EventKind::CfStart { .. } => "cf_start",
            EventKind::ProbeLegDown { .. } => "probe_leg_down",
            EventKind::ProbeLegUp { .. } => "probe_leg_up",
            EventKind::ProbeDisconnect { .. } => "probe_disconnect",
            EventKind::ProbeRttSpike { .. } => "probe_rtt_spike",
            EventKind::PressureEpisode { .. } => "pressure_episode",
        }
    }

    /// The user the line names, if any.
    pub fn user(&self) -> Option<&str> {
        match self {
            EventKind::WsOpen { user, .. }
            | EventKind::WsClose { user, .. }
            | EventKind::PairingFailed { user }
            | EventKind::PidUser { user, .. }
            | EventKind::ServeRestart { user, .. }
            | EventKind::ServeProbeFailed { user } => Some(user),
            EventKind::ServeGitTimeout { user, .. }
            | EventKind::ServeStarted { user, .. }
            | EventKind::OomKill { user, .. } => user.as_deref(),
            EventKind::UnitChange {
                unit: Unit::Serve(user),
                ..
            } => Some(user),
            _ => None,
        }
    }
}

/// Renders bytes as text, escaping every byte that is not part of valid UTF-8 as `\xNN`, so
/// evidence output is always valid UTF-8 and no byte is lost. A trailing `\r` is dropped.
pub fn display_bytes(bytes: &[u8]) -> Box<str> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    // Nearly every log line is printable ASCII (tabs allowed): copy it as it is.
    if bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == b'\t')
    {
        // The bytes are ASCII, checked above.
        return std::str::from_utf8(bytes).unwrap_or_default().into();
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            // NUL and other control bytes would break terminals and CSV readers; escape them too.
            if c.is_control() && c != '\t' {
                out.push_str(&format!("\\x{:02x}", c as u32));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.into_boxed_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_bytes_escapes() {
        assert_eq!(&*display_bytes(b"ws open\r"), "ws open");
        assert_eq!(&*display_bytes(b"a\xffb"), "a\\xffb");
        assert_eq!(&*display_bytes(b"a\x00b"), "a\\x00b");
        assert_eq!(&*display_bytes("caf\u{e9}".as_bytes()), "caf\u{e9}");
    }
}
