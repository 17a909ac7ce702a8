//! `kubectl logs` envelopes and container runtime (CRI) log files.
//!
//! Checked against kubectl 1.30 and containerd 1.7. A line is any of:
//!
//! ```text
//! 2026-06-10T19:30:12.123456789Z LINE                       --timestamps
//! [pod/NAME/CONTAINER] LINE                                 --prefix
//! [pod/NAME/CONTAINER] 2026-06-10T19:30:12.123456789Z LINE  both
//! 2026-06-10T19:30:12.123456789Z stdout F LINE              a runtime file under /var/log/pods
//! 2026-06-10T19:30:12.123456789Z stdout P PART              a part of a split line
//! ```
//!
//! The runtime splits a line longer than its buffer (16 KiB in containerd) into `P` parts
//! ended by one `F` part. The parts are joined, and the line counts at its first part's line
//! number and time. kubectl writes times with Go's RFC3339Nano, which drops trailing zeros, so
//! an exact second has no fraction. A leading time is the envelope's when it has a fraction, a
//! runtime stream follows, or it ends in `Z` and no console level follows:
//! `2026-06-10T19:30:12Z INF …` after a `--prefix` is cloudflared's own console time.

use std::borrow::Cow;

use super::{Labels, Router, Unwrapped};
use crate::parse::{LineClass, LineCtx, Sink};
use crate::time::{self, Precision, Zone};

/// One kubectl or runtime line, unwrapped.
pub struct KubectlLine<'a> {
    pub entry: Unwrapped<'a>,
    /// For a runtime line, whether it is a `P` part and whether it came from stderr.
    pub runtime: Option<Runtime>,
}

/// The runtime fields of a CRI line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Runtime {
    pub partial: bool,
    pub stderr: bool,
}

/// Unwraps one line. A blank line gives `Ok(None)`.
pub fn unwrap(line: &[u8]) -> Result<Option<KubectlLine<'_>>, &'static str> {
    if line.trim_ascii().is_empty() {
        return Ok(None);
    }
    let mut labels = Labels::default();
    let mut rest = line;
    if let Some((pod, container, after)) = prefix(line) {
        labels.insert("pod", Cow::Borrowed(pod));
        if let Some(container) = container {
            labels.insert("container", Cow::Borrowed(container));
        }
        rest = after;
    }

    let mut time = None;
    let mut precise = false;
    let mut runtime = None;
    if let Some(parsed) = time::parse_iso(rest, Zone::Utc)
        && rest.get(parsed.len) == Some(&b' ')
    {
        let after = &rest[parsed.len + 1..];
        let has_fraction = rest.get(19) == Some(&b'.');
        let utc = rest.get(parsed.len - 1) == Some(&b'Z');
        // RFC3339Nano drops trailing zeros, so its time is exact to the nanosecond even
        // without a fraction.
        let exact = (parsed.micros, Precision::Micro);
        // Only a time with a fraction distinguishes paging repeats from real ones: kubelet's times
        // are never on the whole second in practice, while a second-resolution source's are.
        if let Some((cri, inner)) = runtime_fields(after) {
            time = Some(exact);
            precise = has_fraction;
            runtime = Some(cri);
            rest = inner;
        } else if has_fraction || (utc && !starts_with_console_level(after)) {
            time = Some(exact);
            precise = has_fraction;
            rest = after;
        }
    }
    if time.is_none() && labels.count == 0 {
        return Err("no kubectl timestamp or [pod/NAME/CONTAINER] prefix");
    }
    Ok(Some(KubectlLine {
        entry: Unwrapped {
            time,
            precise,
            labels,
            line: Cow::Borrowed(rest),
        },
        runtime,
    }))
}

/// Tells whether a line starts with a zerolog console level (`INF `, `ERR `), as cloudflared's
/// and Traefik's own console lines do after their time. Such a line's leading time is its own,
/// not kubectl's.
fn starts_with_console_level(line: &[u8]) -> bool {
    const LEVELS: [&[u8]; 7] = [
        b"TRC ", b"DBG ", b"INF ", b"WRN ", b"ERR ", b"FTL ", b"PNC ",
    ];
    LEVELS.iter().any(|level| line.starts_with(level))
}

/// Splits `[pod/NAME/CONTAINER] ` off a line. kubectl also writes `[NAME/CONTAINER]` when the
/// resource is given as a bare pod name.
fn prefix(line: &[u8]) -> Option<(&str, Option<&str>, &[u8])> {
    let body = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', body)?;
    let rest = body
        .get(close + 1..)?
        .strip_prefix(b" ")
        .unwrap_or(&body[close + 1..]);
    let inside = std::str::from_utf8(&body[..close]).ok()?;
    // `[218758.282898]` is a `journalctl -o short-monotonic` time, not a pod.
    if inside.contains(' ') || inside.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let inside = inside.strip_prefix("pod/").unwrap_or(inside);
    let (pod, container) = match inside.split_once('/') {
        Some((pod, container)) => (pod, Some(container)),
        None => (inside, None),
    };
    let valid = |name: &str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    (valid(pod) && container.is_none_or(valid)).then_some((pod, container, rest))
}

/// Reads `stdout F ` or `stderr P ` after a runtime line's time.
fn runtime_fields(bytes: &[u8]) -> Option<(Runtime, &[u8])> {
    let stderr = match bytes.get(..7)? {
        b"stdout " => false,
        b"stderr " => true,
        _ => return None,
    };
    let partial = match bytes.get(7)? {
        b'F' => false,
        b'P' => true,
        _ => return None,
    };
    // The tag is followed by a space, or ends an empty line.
    let inner = match bytes.get(8) {
        Some(b' ') => &bytes[9..],
        None => &bytes[8..],
        Some(_) => return None,
    };
    Some((Runtime { partial, stderr }, inner))
}

/// Runtime lines split into parts, one pending line per stream (pod, container and
/// stdout or stderr).
#[derive(Default)]
pub struct Partial {
    slots: Vec<Slot>,
}

struct Slot {
    key: (u64, bool),
    first_line: u64,
    time: Option<(i64, crate::time::Precision)>,
    pod: Option<String>,
    container: Option<String>,
    bytes: Vec<u8>,
    too_long: bool,
}

/// The longest line rebuilt from parts; beyond it the line is counted as malformed.
const MAX_JOINED: usize = 1 << 20;

impl Partial {
    fn slot(&mut self, key: (u64, bool)) -> Option<usize> {
        self.slots.iter().position(|s| s.key == key)
    }

    /// Routes every line still waiting for its `F` part, as it stands.
    pub fn flush(&mut self, router: &mut Router, sink: &mut Sink) {
        for slot in std::mem::take(&mut self.slots) {
            if !slot.too_long {
                route_slot(&slot, &[], router, sink);
            }
        }
    }
}

fn route_slot(slot: &Slot, last: &[u8], router: &mut Router, sink: &mut Sink) -> LineClass {
    let mut labels = Labels::default();
    if let Some(pod) = &slot.pod {
        labels.insert("pod", Cow::Borrowed(pod.as_str()));
    }
    if let Some(container) = &slot.container {
        labels.insert("container", Cow::Borrowed(container.as_str()));
    }
    let mut line = slot.bytes.clone();
    line.extend_from_slice(last);
    let entry = Unwrapped {
        time: slot.time,
        precise: false,
        labels,
        line: Cow::Owned(line),
    };
    router.route(&entry, slot.first_line, sink)
}

/// Parses one kubectl or runtime line, joining split runtime lines.
pub fn parse(
    line: &[u8],
    ctx: &LineCtx,
    partial: &mut Partial,
    router: &mut Router,
    sink: &mut Sink,
) -> LineClass {
    let unwrapped = match unwrap(line) {
        Ok(Some(unwrapped)) => unwrapped,
        Ok(None) => return LineClass::Ignored,
        Err(reason) => return LineClass::Malformed(reason),
    };
    let Some(runtime) = unwrapped.runtime else {
        return router.route(&unwrapped.entry, ctx.line, sink);
    };
    let entry = unwrapped.entry;
    let key = (entry.labels.stream, runtime.stderr);
    let index = partial.slot(key);

    if runtime.partial {
        // A `P` part: its class is settled when the `F` part arrives, so it counts as ignored.
        let index = index.unwrap_or_else(|| {
            partial.slots.push(Slot {
                key,
                first_line: ctx.line,
                time: entry.time,
                pod: entry.labels.pod.as_deref().map(String::from),
                container: entry.labels.container.as_deref().map(String::from),
                bytes: Vec::new(),
                too_long: false,
            });
            partial.slots.len() - 1
        });
        let slot = &mut partial.slots[index];
        if slot.bytes.len() + entry.line.len() > MAX_JOINED {
            slot.too_long = true;
            slot.bytes = Vec::new();
        } else if !slot.too_long {
            slot.bytes.extend_from_slice(&entry.line);
        }
        return LineClass::Ignored;
    }

    match index {
        Some(index) => {
            let slot = partial.slots.swap_remove(index);
            if slot.too_long || slot.bytes.len() + entry.line.len() > MAX_JOINED {
                return LineClass::Malformed("runtime line split into parts longer than 1 MiB");
            }
            route_slot(&slot, &entry.line, router, sink)
        }
        None => router.route(&entry, ctx.line, sink),
    }
}

/// Scores how strongly a line looks like a kubectl or runtime envelope: 2 for a
/// `[pod/NAME/CONTAINER]` prefix, a runtime `stdout F` line, or a time with a fraction
/// followed by a line that has its own time or is an access line or JSON.
pub fn sniff(line: &[u8]) -> u8 {
    let mut rest = line;
    if let Some((_, _, after)) = prefix(line) {
        if after.is_empty() {
            return 1;
        }
        rest = after;
        if !rest.first().is_some_and(u8::is_ascii_digit) {
            return 2;
        }
    }
    let Some(parsed) = time::parse_iso(rest, Zone::Utc) else {
        return u8::from(rest.len() != line.len()) * 2;
    };
    let Some(after) = rest.get(parsed.len..).and_then(|r| r.strip_prefix(b" ")) else {
        return 0;
    };
    if runtime_fields(after).is_some() {
        return 2;
    }
    if rest.len() != line.len() {
        return 2;
    }
    // kubectl writes its times in UTC with `Z`; journal lines carry an offset. A time without
    // a fraction is an exact second of RFC3339Nano, unless a console level follows, as after
    // cloudflared's and Traefik's own times.
    let utc = rest.get(parsed.len - 1) == Some(&b'Z');
    if !utc || (rest.get(19) != Some(&b'.') && starts_with_console_level(after)) {
        return 0;
    }
    // A fraction: kubectl's time, unless the line is a journal `short-iso-precise` line or
    // another format's own precise time. Those are followed by a host name and `ident[pid]:`
    // or by a level word; an envelope is followed by a whole line of its own.
    let inner_has_time = time::parse_iso(after, Zone::Utc).is_some();
    let inner_known = inner_has_time
        // A JSON object; logcli's label set (`{}`, `{namespace="x"}`) has no quoted key.
        || after.starts_with(b"{\"")
        || crate::parse::traefik::sniff(after) == 2
        || crate::parse::cloudflared::sniff(after) == 2;
    if inner_known && crate::parse::journal::sniff(line) < 2 {
        2
    } else {
        0
    }
}
