//! devvm journal exports in journalctl's text modes, and the routing of journal messages.
//!
//! Checked against the output of journalctl from systemd 252 to 256. Each line is one of:
//!
//! ```text
//! Jun 10 19:56:01 devvm t3-dispatch[812]: MSG                  short (no year, local time)
//! Jun 10 19:56:01.123456 devvm t3-dispatch[812]: MSG           short-precise
//! 2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: MSG        short-iso (+0000 before systemd 255)
//! 2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: MSG short-iso-precise
//! 1781121361.123456 devvm t3-dispatch[812]: MSG                short-unix
//! Wed 2026-06-10 19:56:01 UTC devvm t3-serve@bob.service[4711]: MSG   with-unit
//! 2026/06/10 19:56:01 ws close user=...                        cat (only dispatch has a date)
//! -- Boot 0123...cdef --                                       journalctl's own notes
//!   continued text                                             a continuation line
//! ```
//!
//! The message is routed by the identifier (or, in `with-unit`, the unit) to the dispatch,
//! serve and system parsers, and to the Traefik and cloudflared parsers when those programs
//! run under systemd. `short` lines carry no year: their times are kept on a provisional
//! calendar until the year is known (from `--year`, from a Go `log` prefix in the same input,
//! from the span in journalctl's header line, or from the other inputs), then moved onto the
//! real one; see [`YearState`].

mod cat;

use std::collections::HashMap;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use cat::fill_undated_seconds;
pub use cat::{cat_runs_newest_first, is_cat_line};

use super::cloudflared::CloudflaredParser;
pub use super::journal_prefix::{Prefix, split_prefix};
pub use super::journal_tod::{
    MismatchTally, PlacedTimeOfDay, SteadyOffset, TimeOfDayMismatch, TimeOfDayReading,
    time_of_day_at_exact, time_of_day_at_offset, time_of_day_mismatch, time_of_day_near,
};
pub use super::journal_year::{Pass, YearState, apply_year, real_time};
use super::journal_zone::{GoTimeZones, ZoneShiftWarning};
use super::serve::{ServeParser, UnresolvedTimeout};
use super::traefik::TraefikParser;
use super::{
    InnerTime, LineClass, LineCtx, LineParser, Message, ParseOptions, Sink, contains, dispatch,
    system,
};
use crate::event::{Event, EventKind, Source};
use crate::time::{self, Civil, Precision, SECOND, Zone};

/// Which program wrote a journal message, decided from its identifier or unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    Dispatch,
    /// A t3 serve; the user is known when the export names the unit.
    Serve(Option<Box<str>>),
    Systemd,
    Kernel,
    Earlyoom,
    /// t3-watchdog, t3-autoupdate or t3-migrate-idle.
    Restart,
    Cloudflared,
    Traefik,
    Other,
}

/// Decides the program of a journal entry from its identifier (`SYSLOG_IDENTIFIER`, or the unit
/// shown by `-o with-unit`) and, when the export has it, its `_SYSTEMD_UNIT`.
pub fn route(identifier: &[u8], unit: Option<&[u8]>) -> Program {
    let by_unit = unit.and_then(route_name);
    // A serve's identifier is only `t3`; its unit `t3-serve@USER.service` also names the user.
    if let Some(Program::Serve(Some(user))) = by_unit {
        return Program::Serve(Some(user));
    }
    route_name(identifier).or(by_unit).unwrap_or(Program::Other)
}

/// Guesses the program of a journal message from its text. It serves streams that name neither
/// the syslog identifier nor, for this line, the unit, such as a Loki stream labelled only `job`
/// and `host`, or one whose kernel lines have no `unit`. Each program that rules read writes
/// lines of its own shape, and anything else stays [`Program::Other`].
///
/// NOTE: a serve's indented detail lines have no shape of their own, so a git timeout that
/// only a detail line shows is lost in such a stream. Headers that contain `timed out` still count.
/// Dispatch lines are found by a Go `log` header that starts with the date and time, so those
/// of a logger without `log.Ldate` or with a custom prefix are lost the same way.
pub fn route_by_content(message: &[u8]) -> Program {
    if dispatch::go_prefix(message).is_some() {
        return Program::Dispatch;
    }
    if message.first() == Some(&b'[') && super::serve::is_header(message) {
        return Program::Serve(None);
    }
    if is_restart_tagged(message) {
        return Program::Restart;
    }
    let kernel = message.starts_with(b"oom-kill:")
        || message.starts_with(b"Linux version ")
        || super::contains(message, b"Killed process ")
        || super::contains(message, b"Kill process ");
    if kernel {
        return Program::Kernel;
    }
    let systemd = message.starts_with(b"t3-serve@")
        || message.starts_with(b"t3-dispatch.service: ")
        || message.starts_with(b"Started ")
        || message.starts_with(b"Stopping ")
        || message.starts_with(b"Stopped ");
    if systemd {
        return Program::Systemd;
    }
    if message.starts_with(b"low memory!") || message.starts_with(b"sending SIG") {
        return Program::Earlyoom;
    }
    Program::Other
}

fn route_name(name: &[u8]) -> Option<Program> {
    let name = name.strip_suffix(b".service").unwrap_or(name);
    // Most lines come from programs that matter to no rule (sshd, chronyd, systemd-resolved):
    // the first byte sends them away after one comparison.
    let program = match name.first()? {
        b't' => match name {
            b"t3-dispatch" => Program::Dispatch,
            b"t3" => Program::Serve(None),
            _ if name.starts_with(b"t3-serve@") => {
                Program::Serve(super::user_name(&name[b"t3-serve@".len()..]))
            }
            _ if name.starts_with(b"t3-watchdog")
                || name.starts_with(b"t3-autoupdate")
                || name.starts_with(b"t3-migrate-idle") =>
            {
                Program::Restart
            }
            _ if name.starts_with(b"traefik") => Program::Traefik,
            _ => return None,
        },
        b's' if name == b"systemd" => Program::Systemd,
        b'i' if name == b"init.scope" => Program::Systemd,
        b'k' if name == b"kernel" => Program::Kernel,
        b'e' if name == b"earlyoom" => Program::Earlyoom,
        b'c' if name.starts_with(b"cloudflared") => Program::Cloudflared,
        _ => return None,
    };
    Some(program)
}

/// Returns the UTC offset, in microseconds, that a line's ISO timestamp names
/// (`2026-06-10T21:41:02+02:00`, `short-iso` and `short-iso-precise`), or `None` when the line
/// has another timestamp or an ISO time without a zone. The offset is the zone of the host
/// that ran journalctl at that moment, so a serve's local time of day is first read in it
/// whatever `--tz` is, and then placed by the entry's exact time.
fn iso_offset(line: &[u8], journal_time: i64) -> Option<i64> {
    if !starts_with_offset_time(line) {
        return None;
    }
    let wall = time::parse_iso(line.get(..19)?, Zone::Utc)?;
    Some(wall.micros - journal_time.div_euclid(SECOND) * SECOND)
}

/// Returns how a serve header's time of day in a journal line is first read, as
/// `place_time_of_day` reads it, and the `HH:MM` of the line's own clock where the line shows
/// one: a `short` line (`Jun 10 19:56:01 `) at byte 7 and an ISO line
/// (`2026-06-10T21:41:02+02:00 `) at byte 11. `stamp` is the `stamps_parsed` of the line.
///
/// The line's timestamp was read already, so its shape distinguishes the ISO form without a
/// second parse. The lines of JSON, export and envelope entries are their messages, which for
/// a header start with `[` and show no clock.
fn read_header_clock(line: &[u8], provisional: bool, stamp: u64) -> HeaderClock {
    let clock = |reading, at: usize| HeaderClock {
        stamp,
        reading,
        minute: line.get(at..).and_then(minute_word).unwrap_or(NO_CLOCK),
    };
    if provisional {
        return clock(TimeOfDayReading::LineLocalTime, 7);
    }
    let iso = line
        .get(..20)
        .filter(|iso| iso[4] == b'-' && matches!(iso[10], b'T' | b' ') && iso[13] == b':');
    match iso {
        // `short-iso` writes the offset right after the seconds, `short-iso-precise` after the
        // fraction. An ISO time without one was read in --tz, so its clock is that of --tz.
        Some(iso) if matches!(iso[19], b'Z' | b'+' | b'-') || has_offset_designator(line) => {
            clock(TimeOfDayReading::LineOffset, 11)
        }
        Some(_) => clock(TimeOfDayReading::Tz, 11),
        None => HeaderClock {
            stamp,
            reading: TimeOfDayReading::Tz,
            minute: NO_CLOCK,
        },
    }
}

/// Returns the five bytes `HH:MM` at the start of a clock as one number, so that two clocks
/// compare at once, or `None` when fewer than 8 bytes follow (a header or a journal line has
/// `:SS` after them).
fn minute_word(clock: &[u8]) -> Option<u64> {
    const HH_MM: u64 = 0xff_ffff_ffff;
    let eight: [u8; 8] = clock.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(eight) & HH_MM)
}

/// Tells whether a line starts with an ISO time that names its UTC offset (`Z`, `+02:00`,
/// `+0000`), as `short-iso` and `short-iso-precise` write it. Such a time is the same
/// instant whatever `--tz` is.
pub fn starts_with_offset_time(line: &[u8]) -> bool {
    if line.get(10) != Some(&b'T') && line.get(10) != Some(&b' ') {
        return false;
    }
    if line
        .get(..19)
        .and_then(|wall| time::parse_iso(wall, Zone::Utc))
        .is_none()
    {
        return false;
    }
    has_offset_designator(line)
}

/// Tells whether the ISO time that starts a line names its UTC offset after its seconds and
/// fraction: `Z`, `+` or `-` at byte 19, or after the fraction's digits.
fn has_offset_designator(line: &[u8]) -> bool {
    let mut designator = 19;
    if line.get(designator) == Some(&b'.') {
        designator += 1;
        while line.get(designator).is_some_and(u8::is_ascii_digit) {
            designator += 1;
        }
    }
    matches!(line.get(designator), Some(b'Z' | b'+' | b'-'))
}

/// Names a `journalctl -o` mode that this tool does not read, from a line's shape.
pub fn journal_mode_hint(line: &[u8]) -> Option<&'static str> {
    // `[218758.282898] devvm kernel: …` (short-monotonic), and `[218762.231548 <    3.948650 >]
    // devvm …` (short-delta). short-delta writes 16 spaces in place of the delta on the first
    // entry of a boot, as systemd 252 does.
    if let Some(body) = line.strip_prefix(b"[")
        && let Some(close) = memchr::memchr(b']', body)
    {
        let inside = body[..close].trim_ascii_start();
        let seconds_len = inside
            .iter()
            .position(|b| !b.is_ascii_digit() && *b != b'.')
            .unwrap_or(inside.len());
        let (seconds, after) = inside.split_at(seconds_len);
        if seconds.contains(&b'.') {
            if after.is_empty() {
                return Some(
                    "it is `journalctl -o short-monotonic`, whose times count seconds since boot \
                     and carry no date; export it again with -o short-iso",
                );
            }
            if after.trim_ascii().is_empty() || is_delta(after.trim_ascii()) {
                return Some(
                    "it is `journalctl -o short-delta`, whose times count seconds since boot and \
                     carry no date; export it again with -o short-iso",
                );
            }
        }
    }
    // `Wed 2026-06-10 19:00:00.699991 UTC [s=…;i=…]`, then `    KEY=value` lines.
    if line.first().is_some_and(u8::is_ascii_alphabetic) && super::contains(line, b" [s=") {
        return Some(
            "it is `journalctl -o verbose`; export it again with -o short-iso, -o json or -o \
             export",
        );
    }
    if is_pretty_json_field(line) {
        return Some(
            "it is `journalctl -o json-pretty`, which spreads each entry over many lines; export \
             it again with -o json",
        );
    }
    None
}

/// Tells whether `text` is short-delta's time since the previous entry, `<    3.948650 >`, with
/// `*` before the `>` when the delta comes from wall-clock times across a boot.
fn is_delta(text: &[u8]) -> bool {
    let Some(inner) = text.strip_prefix(b"<").and_then(|t| t.strip_suffix(b">")) else {
        return false;
    };
    let inner = inner.strip_suffix(b"*").unwrap_or(inner).trim_ascii();
    inner.contains(&b'.') && inner.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

/// Tells whether a line is one field of a `journalctl -o json-pretty` entry:
/// `\t"__REALTIME_TIMESTAMP" : "1781118000699991",`. The field name is a journal field name
/// (upper-case letters, digits and `_`), and journalctl puts a space on each side of the colon.
fn is_pretty_json_field(line: &[u8]) -> bool {
    if !line.first().is_some_and(|b| *b == b'\t' || *b == b' ') {
        return false;
    }
    let Some(quoted) = line.trim_ascii_start().strip_prefix(b"\"") else {
        return false;
    };
    let Some(name_len) = memchr::memchr(b'"', quoted) else {
        return false;
    };
    let name = &quoted[..name_len];
    let field_name = !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    field_name && quoted[name_len + 1..].starts_with(b" : ")
}

/// Returns a stamp's time, real or provisional. Two stamps of neighbouring lines compare by it.
fn stamp_micros(stamp: Stamp) -> i64 {
    match stamp {
        Stamp::Real(time, _) | Stamp::Provisional(time, _, _) => time,
    }
}

/// The timestamp mode of a journal line, detected per line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// A real UTC time.
    Real(i64, Precision),
    /// A `short` time on the provisional calendar, and its line's pass through local time.
    Provisional(i64, Precision, Pass),
}

/// Parses the journal text modes.
pub struct JournalParser {
    options: ParseOptions,
    pub year: YearState,
    serve: ServeParser,
    cloudflared: CloudflaredParser,
    traefik: TraefikParser,
    /// Set when most lines carry no journal timestamp (`-o cat`).
    cat_mode: bool,
    /// `-o cat`: the events of evidence lines without a date, waiting for the next line that
    /// has one, each with the time of day of its serve header if it has one.
    untimed: Vec<(usize, Option<TimeOfDay>)>,
    /// `-o cat`: the time of the last line that had one.
    last_dated: Option<i64>,
    /// `-o cat`: how many evidence lines were placed at a neighbour's time, for the summary.
    placed: u64,
    /// `-o cat` read newest first: the git-timeout event of a detail line read before its
    /// header, which the next header read gives its time and user.
    detail_before_header: Option<usize>,
    /// `-o cat`: the times of day of serve headers waiting for a dated line, to count as
    /// journal activity once dated.
    undated_headers: Vec<TimeOfDay>,
    /// `-o cat`: how many t3 serve events name no user, for the summary.
    serve_without_user: u64,
    /// The first zone abbreviation in a line that `--tz` does not have at that time, with the
    /// one it has.
    zone_mismatch: Option<(String, String)>,
    /// The index of the boot event of a `-- Boot ID --` marker, waiting for the next line's
    /// time, and the time of the line before the marker.
    pending_boot: Option<(usize, Option<Stamp>)>,
    /// The time of the last line that had one.
    previous_stamp: Option<Stamp>,
    /// The last dated timestamp read, since consecutive lines mostly share it.
    last_stamp: StampCache,
    /// Set by journalctl's `-- No entries --`: its query matched nothing.
    no_entries: bool,
    /// `short` dispatch lines whose journal time and Go `log` time disagree by a zone offset.
    go_time_zones: GoTimeZones,
    /// The UTC offset of `--tz` around the last serve header compared in it.
    tz_offset: SteadyOffset,
    /// How many timestamps were parsed rather than taken from `last_stamp`. Lines read
    /// between two parses start with the same timestamp bytes.
    stamps_parsed: u64,
    /// The clock of the last serve header's line, which every line with the same timestamp
    /// bytes shares.
    header_clock: HeaderClock,
    /// The `stamps_parsed` of the last line whose ISO offset a serve header was compared in,
    /// and that offset (see [`iso_offset`]).
    line_offset: (u64, Option<i64>),
}

/// The clock a journal line shows, which a serve header's time of day is compared with.
#[derive(Clone, Copy, Debug)]
struct HeaderClock {
    /// The `stamps_parsed` of the line it was read from.
    stamp: u64,
    reading: TimeOfDayReading,
    /// The line's `HH:MM` as a [`minute_word`], or `NO_CLOCK` when the line shows no clock.
    minute: u64,
}

/// A [`HeaderClock::minute`] that no header's `HH:MM` equals.
const NO_CLOCK: u64 = u64::MAX;

/// The bytes of a timestamp with its trailing space, and what they were read as.
#[derive(Debug)]
struct StampCache {
    bytes: [u8; StampCache::MAX_LEN],
    len: usize,
    stamp: Option<Stamp>,
}

impl StampCache {
    /// Long enough for every timestamp form (`Wed 2026-06-10 19:56:01.123456 Europe/Berlin ` is
    /// 46 bytes). A longer one, with a very long zone name, is parsed every time.
    const MAX_LEN: usize = 64;
}

impl Default for StampCache {
    fn default() -> Self {
        StampCache {
            bytes: [0; StampCache::MAX_LEN],
            len: 0,
            stamp: None,
        }
    }
}

impl JournalParser {
    pub fn new(options: &ParseOptions) -> JournalParser {
        let mut year = YearState::default();
        if let Some(y) = options.year {
            year.base = Some(y);
        }
        JournalParser {
            options: options.clone(),
            year,
            serve: ServeParser::new(),
            cloudflared: CloudflaredParser::new(options),
            traefik: TraefikParser::new(options),
            cat_mode: false,
            untimed: Vec::new(),
            last_dated: None,
            placed: 0,
            detail_before_header: None,
            undated_headers: Vec::new(),
            serve_without_user: 0,
            zone_mismatch: None,
            pending_boot: None,
            previous_stamp: None,
            last_stamp: StampCache::default(),
            no_entries: false,
            go_time_zones: GoTimeZones::default(),
            tz_offset: SteadyOffset::default(),
            stamps_parsed: 0,
            header_clock: HeaderClock {
                stamp: u64::MAX,
                reading: TimeOfDayReading::Tz,
                minute: NO_CLOCK,
            },
            line_offset: (u64::MAX, None),
        }
    }

    /// Returns a parser for one block of an input read in parallel blocks, whose serve state
    /// the block merge settles.
    pub fn for_block(options: &ParseOptions) -> JournalParser {
        JournalParser {
            serve: ServeParser::for_block(),
            ..JournalParser::new(options)
        }
    }

    /// Switches to `-o cat` reading, where only lines with a Go `log` prefix have a time.
    pub fn set_cat_mode(&mut self, cat: bool) {
        self.cat_mode = cat;
    }

    /// Sets whether the `short` lines run newest first (`journalctl -r`), which decides how the
    /// hour repeated by the DST fall-back is read. [`runs_newest_first`] detects it.
    pub fn set_newest_first(&mut self, newest_first: bool) {
        self.year.newest_first = newest_first;
    }

    /// Notes a zone abbreviation in journalctl's header line (`-- Journal begins at Mon
    /// 2026-06-08 06:14:03 CEST, ends at … --`) that `--tz` does not have at that time. The
    /// header is written in the zone of the `short` lines after it, which are read in `--tz`,
    /// so a journal from a host in Europe/Berlin read with the default UTC is two hours off.
    pub fn check_header_zone(&mut self, line: &[u8]) {
        let Some(times) = line
            .strip_prefix(b"-- Journal begins at ")
            .or_else(|| line.strip_prefix(b"-- Logs begin at "))
        else {
            return;
        };
        let Some(comma) = memchr::memchr(b',', times) else {
            return;
        };
        // `Mon 2026-06-08 06:14:03 CEST` and the space that ends a stamp in a line.
        let mut begin = times[..comma].to_vec();
        begin.push(b' ');
        let Some((stamp, _)) = begin
            .get(4..)
            .and_then(|rest| stamp_full(rest, self.options.zone))
        else {
            return;
        };
        if self.zone_mismatch.is_none() {
            self.check_zone_name(&begin, stamp);
        }
    }

    /// Notes the first `short-full` or `with-unit` zone abbreviation that is not the one
    /// `--tz` has at that time, since such times were read in the wrong zone.
    fn check_zone_name(&mut self, stamp_bytes: &[u8], stamp: Stamp) {
        // `Wed 2026-06-10 12:00:10 CEST `: the zone is the last word.
        let weekday_form = stamp_bytes.get(3) == Some(&b' ') && stamp_bytes.get(8) == Some(&b'-');
        let Stamp::Real(micros, _) = stamp else {
            return;
        };
        if !weekday_form {
            return;
        }
        let Some(name) = stamp_bytes.trim_ascii_end().rsplit(|b| *b == b' ').next() else {
            return;
        };
        if matches!(name, b"UTC" | b"GMT" | b"Z") {
            return;
        }
        // A zone whose abbreviation chrono-tz does not know (numeric ones such as `+03`) cannot
        // be checked.
        let Some(expected) = self.options.zone.abbreviation_at(micros) else {
            return;
        };
        if expected.as_bytes() != name {
            self.zone_mismatch = Some((String::from_utf8_lossy(name).into_owned(), expected));
        }
    }

    /// Reads the timestamp at the start of a line, returning it and the rest of the line.
    ///
    /// A line that starts with the same timestamp bytes as the last dated whole-second line gets
    /// the same time without a second parse. Dated forms (ISO, epoch, `Wed 2026-06-10 …`) end at their
    /// space, so those bytes alone decide the time. `short` lines are always parsed, because
    /// they move the year's roll-over state.
    fn stamp<'a>(&mut self, line: &'a [u8]) -> Option<(Stamp, &'a [u8])> {
        let cache = &self.last_stamp;
        if let Some(stamp) = cache.stamp
            && line.get(..cache.len) == Some(&cache.bytes[..cache.len])
        {
            return Some((stamp, &line[cache.len..]));
        }

        self.stamps_parsed = self.stamps_parsed.wrapping_add(1);
        let (stamp, rest) = read_stamp(line, self.options.zone, &mut self.year)?;
        let len = line.len() - rest.len();
        if self.zone_mismatch.is_none() {
            self.check_zone_name(&line[..len], stamp);
        }
        let dated =
            line[0].is_ascii_digit() || (line.get(3) == Some(&b' ') && line.get(8) == Some(&b'-'));
        // A stamp with a fraction (`short-iso-precise`, `short-unix`) differs on nearly every
        // line, so keeping it would only cost a copy.
        let whole_second = matches!(stamp, Stamp::Real(_, Precision::Second));
        if dated && whole_second && len <= StampCache::MAX_LEN {
            self.last_stamp.bytes[..len].copy_from_slice(&line[..len]);
            self.last_stamp.len = len;
            self.last_stamp.stamp = Some(stamp);
        }
        Some((stamp, rest))
    }
}

/// Reads the timestamp at the start of a journal text line in any mode, returning it and the
/// rest of the line. `short` lines advance `year`'s roll-over count.
fn read_stamp<'a>(line: &'a [u8], zone: Zone, year: &mut YearState) -> Option<(Stamp, &'a [u8])> {
    let first = *line.first()?;
    if first.is_ascii_digit() {
        if let Some(parsed) = time::parse_iso(line, zone) {
            let rest = line.get(parsed.len..)?.strip_prefix(b" ")?;
            return Some((Stamp::Real(parsed.micros, parsed.precision), rest));
        }
        let parsed = time::parse_epoch_seconds(line)?;
        let rest = line.get(parsed.len..)?.strip_prefix(b" ")?;
        return Some((Stamp::Real(parsed.micros, parsed.precision), rest));
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    // `Wed 2026-06-10 19:56:01 UTC ` (with-unit, short-full).
    if line.get(3) == Some(&b' ') && line.get(8) == Some(&b'-') {
        return stamp_full(&line[4..], zone);
    }
    // `Jun 10 19:56:01[.123456] ` (short, short-precise); the day may be space-padded.
    let month = time::month_abbrev(line)?;
    if line.get(3) != Some(&b' ') {
        return None;
    }
    let (day, at) = match (line.get(4), line.get(5)) {
        (Some(b' '), Some(d)) if d.is_ascii_digit() => (u32::from(d - b'0'), 6),
        (Some(d1), Some(d2)) if d1.is_ascii_digit() && d2.is_ascii_digit() => {
            (u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'), 6)
        }
        _ => return None,
    };
    if line.get(at) != Some(&b' ') || !(1..=31).contains(&day) {
        return None;
    }
    let hms = time::hms(line.get(at + 1..)?)?;
    let (micros, digits, used) = time::fraction(&line[at + 9..]);
    let rest = line.get(at + 9 + used..)?.strip_prefix(b" ")?;
    let precision = Precision::from_fraction_digits(digits);
    year.used = true;
    let (provisional, pass) = year.provisional(month, day, hms, micros)?;
    Some((Stamp::Provisional(provisional, precision, pass), rest))
}

/// Parses `2026-06-10 19:56:01[.123456] ZONE ` after the weekday of `-o short-full` and
/// `-o with-unit`. `UTC`/`GMT` are UTC; any other abbreviation is read in `--tz`, because
/// abbreviations such as `CST` name several zones. There it still picks the instant of a local
/// time that the DST fall-back repeats: `02:30:00 CEST`, then `02:30:00 CET` in Europe/Berlin.
fn stamp_full(bytes: &[u8], zone: Zone) -> Option<(Stamp, &[u8])> {
    let (year, month, day) = time::ymd(bytes)?;
    if bytes.get(10) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second) = time::hms(bytes.get(11..)?)?;
    let (micros, digits, used) = time::fraction(&bytes[19..]);
    let rest = bytes.get(19 + used..)?.strip_prefix(b" ")?;
    let zone_len = rest.iter().position(|b| *b == b' ')?;
    let (zone_name, rest) = (&rest[..zone_len], &rest[zone_len + 1..]);
    let civil = Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    };
    let micros = match zone_name {
        b"UTC" | b"GMT" | b"Z" => civil.to_utc_micros()?,
        _ => zone.to_utc_micros_marked(civil, zone_name)?,
    };
    Some((
        Stamp::Real(micros, Precision::from_fraction_digits(digits)),
        rest,
    ))
}

/// Tells whether a line that starts with a timestamp is a cloudflared line,
/// `2026-06-10T19:40:32Z ERR message`: journalctl writes no `Z` and no level in its prefix.
fn is_cloudflared_line(line: &[u8], rest: &[u8]) -> bool {
    let stamp = &line[..line.len() - rest.len()];
    stamp.ends_with(b"Z ")
        && rest.len() > 4
        && rest[3] == b' '
        && matches!(&rest[..3], b"DBG" | b"INF" | b"WRN" | b"ERR" | b"FTL")
}

/// The reason for a journal message that contains the prefix of another journal line.
pub const JOINED_LINES: &str = "two journal lines joined: the `host identifier[pid]:` of a \
     journal line inside the message, where a cut write ran into the next line";

/// Tells whether `text` contains the prefix of a journal line after a space: `HOST
/// IDENTIFIER[PID]: `, or `HOST kernel: ` after a time (the kernel has no PID). It is the sign
/// that a write was cut and the next line joined to it. journalctl writes a message that
/// contains a newline on several lines, so a whole journal line never sits inside one message.
pub fn contains_journal_prefix(text: &[u8]) -> bool {
    // Searchers built once: a searcher built per call cost more than the parse of the line.
    static PID_END: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"]: "));
    static KERNEL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" kernel: "));
    let with_pid = PID_END
        .find_iter(text)
        .any(|end| identifier_pid_ends(&text[..end]));
    with_pid
        || KERNEL.find_iter(text).any(|end| {
            // The time before the host ends in a digit in every text mode but `with-unit`.
            strip_token_end(&text[..end])
                .and_then(|rest| rest.strip_suffix(b" "))
                .is_some_and(|rest| rest.last().is_some_and(u8::is_ascii_digit))
        })
}

/// Tells whether `before` ends with ` HOST IDENTIFIER[PID`.
fn identifier_pid_ends(before: &[u8]) -> bool {
    let digits = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return false;
    }
    let Some(rest) = before[..before.len() - digits].strip_suffix(b"[") else {
        return false;
    };
    let Some(rest) = strip_token_end(rest).and_then(|rest| rest.strip_suffix(b" ")) else {
        return false;
    };
    strip_token_end(rest).is_some_and(|rest| rest.ends_with(b" "))
}

/// Removes the non-empty run of non-space bytes that ends `bytes`.
fn strip_token_end(bytes: &[u8]) -> Option<&[u8]> {
    let len = bytes.iter().rev().take_while(|b| **b != b' ').count();
    (len > 0).then(|| &bytes[..bytes.len() - len])
}

/// Tells whether a line is one of journalctl's own notes (`-- Boot … --`, `-- No entries --`).
pub fn is_journal_note(line: &[u8]) -> bool {
    line.starts_with(b"-- ") && (line.ends_with(b" --") || line.ends_with(b" --\r"))
}

impl LineParser for JournalParser {
    fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        if line.is_empty() {
            return LineClass::Ignored;
        }
        if is_journal_note(line) {
            // journalctl writes `-- Boot ID --` between two boots (`-- Reboot --` up to
            // systemd 245). The boot starts at the later of its neighbours' times: the next
            // line's, or the previous line's when the journal runs newest first
            // (`journalctl -r`).
            let boot = line.starts_with(b"-- Boot ") || line.trim_ascii_end() == b"-- Reboot --";
            if boot && !self.cat_mode {
                // Its event waits for the next time, with 0 until then.
                self.pending_boot = Some((sink.events.len(), self.previous_stamp));
                sink.push(
                    0,
                    Precision::Second,
                    Source::Journal,
                    ctx,
                    EventKind::HostBoot,
                    line,
                );
                return LineClass::Used;
            }
            self.no_entries |= line.trim_ascii_end() == b"-- No entries --";
            return LineClass::Ignored;
        }
        // `-o cat` keeps no prefix, so an indented line there is a message of its own (a serve's
        // detail line), not a continuation.
        if self.cat_mode {
            return self.parse_cat_line(line, ctx, sink);
        }
        // A continuation of a multi-line message: indented to the prefix width, no timestamp.
        if line[0] == b' ' || line[0] == b'\t' {
            return LineClass::Ignored;
        }
        let Some((stamp, rest)) = self.stamp(line) else {
            let reason = match journal_mode_hint(line) {
                Some(hint) => hint,
                None if has_localized_month(line) => LOCALIZED_MONTH,
                None => "no journal timestamp",
            };
            return LineClass::Malformed(reason);
        };
        if is_cloudflared_line(line, rest) {
            // Read as a journal line, its level would be the host and its time would stretch
            // the journal's span, making the journal look silent up to it.
            return LineClass::Malformed(
                "a cloudflared line (`TIME LEVEL message`) in a journal; give cloudflared logs \
                 as an input of their own",
            );
        }
        if matches!(stamp, Stamp::Provisional(..)) && self.year.first_line == 0 {
            self.year.first_line = ctx.line;
        }
        if let Some((index, before)) = self.pending_boot.take() {
            let later = match before {
                Some(before) if stamp_micros(before) > stamp_micros(stamp) => before,
                _ => stamp,
            };
            self.place_boot(index, later, sink);
        }
        self.previous_stamp = Some(stamp);
        let Some(prefix) = split_prefix(rest) else {
            return LineClass::Malformed("no `host identifier[pid]:` after the timestamp");
        };
        let program = route(prefix.identifier, None);
        self.handle(program, stamp, &prefix, line, ctx, sink)
    }

    fn end_block(&mut self, sink: &mut Sink) {
        if sink.zone_mismatch.is_none() {
            sink.zone_mismatch.clone_from(&self.zone_mismatch);
        }
        sink.serve.headers = self.serve.headers();
        sink.serve.zone = Some(self.options.zone);
        self.drop_pending_boot(sink);
    }

    fn finish(&mut self, sink: &mut Sink) -> crate::Result<()> {
        if let Some(base) = self.year.base {
            apply_year(sink, &mut self.year, base, self.options.zone);
        }
        self.place_untimed_at_end(sink);
        self.drop_pending_boot(sink);
        if self.cat_mode {
            fill_undated_seconds(sink);
            // Counted at the end, since a header read after its detail line can name the user.
            self.serve_without_user = sink
                .events
                .iter()
                .filter(|event| {
                    matches!(
                        event.kind,
                        EventKind::ServeGitTimeout { user: None, .. }
                            | EventKind::ServeStarted { user: None, .. }
                    )
                })
                .count() as u64;
        }
        Ok(())
    }
}

impl JournalParser {
    /// Routes one journal message to its parser and records the resulting event.
    pub fn handle(
        &mut self,
        program: Program,
        stamp: Stamp,
        prefix: &Prefix,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> LineClass {
        let (journal_time, precision, pass) = match stamp {
            Stamp::Real(t, p) => (t, p, None),
            Stamp::Provisional(t, p, pass) => (t, p, Some(pass)),
        };
        let provisional = pass.is_some();
        let message = prefix.message;
        // Text, json and export lines name their host; envelopes do not.
        if !prefix.host.is_empty() {
            sink.journal_hosts
                .add(prefix.host, matches!(program, Program::Dispatch));
            // `--host`: another host's line is neither evidence nor coverage of devvm.
            if let Some(host) = &self.options.host
                && prefix.host != host.as_bytes()
            {
                return LineClass::Ignored;
            }
        }
        match program {
            Program::Dispatch => sink.journal_lines.dispatch += 1,
            _ => {
                sink.journal_lines.other += 1;
                if !sink.journal_lines.host {
                    sink.journal_lines.host = is_host_line(&program, prefix.identifier, message);
                }
            }
        }

        // cloudflared and Traefik under systemd: their lines carry their own UTC time, which
        // wins over the host's journal time.
        if matches!(program, Program::Cloudflared | Program::Traefik) {
            let outer = (!provisional).then_some((journal_time, precision));
            let inner_ctx = LineCtx {
                line: ctx.line,
                outer_time: outer,
                pod: ctx.pod,
            };
            return match program {
                Program::Cloudflared => self.cloudflared.parse_line(message, &inner_ctx, sink),
                _ => self.traefik.parse_line(message, &inner_ctx, sink),
            };
        }

        match pass {
            Some(pass) => self.year.saw(sink, pass, journal_time),
            None => sink.saw(Source::Journal, None, journal_time),
        }
        self.note_silence(journal_time, precision, pass, line, ctx, sink);
        let parsed = match &program {
            Program::Dispatch => {
                // The event keeps the journal time. A header with only a time of day needs
                // nothing from it, and one with a date also gives the year of `short` lines.
                let (header, parsed) = dispatch::parse_line(message);
                if provisional && let Some(civil) = header.civil() {
                    self.year.learn(journal_time, civil, ctx.line);
                    self.go_time_zones
                        .check(journal_time, civil, self.options.zone, ctx.line);
                }
                parsed
            }
            Program::Serve(user) => {
                self.serve
                    .parse_message(message, prefix.pid, user.as_deref(), journal_time)
            }
            Program::Systemd => system::parse_systemd(message),
            Program::Kernel => system::parse_kernel(message),
            Program::Earlyoom => system::parse_earlyoom(message),
            Program::Restart => system::parse_restart(message),
            Program::Other => {
                // The restart scripts also echo `tag: message` to their own unit's output.
                if is_restart_tagged(message) {
                    system::parse_restart(message)
                } else {
                    Message::Ignored
                }
            }
            Program::Cloudflared | Program::Traefik => unreachable!("handled above"),
        };
        // Checked after the match, since a check inside the serve arm cost a copy of every
        // serve message's result.
        if self.serve.take_header_read() {
            self.compare_header_time(line, message, journal_time, provisional, ctx, sink);
        }
        // A cut write joined to the next line would lend its user or unit to the next line's
        // evidence. `dispatch::parse_line` checks dispatch lines. Of the other programs, only
        // lines that became events or malformed are checked here: the search would cost every
        // serve and kernel line, and few of them are evidence.
        //
        // NOTE: so an ignored line (an sshd line, a serve INFO line) that swallowed the next
        // line's evidence is ignored with it.
        let joined = matches!(parsed, Message::Event { .. } | Message::Malformed(_))
            && !matches!(program, Program::Dispatch | Program::Other)
            && contains_journal_prefix(message);
        if joined {
            // A serve timeout kept for the block merge goes with the line.
            let _ = self.serve.take_unresolved();
            return LineClass::Malformed(JOINED_LINES);
        }

        match parsed {
            Message::Event { kind, inner_time } => {
                let (time, precision) = match inner_time {
                    Some(InnerTime::TimeOfDay {
                        hour,
                        minute,
                        second,
                        micros,
                    }) => {
                        let tod = (hour, minute, second, micros);
                        let resolved = if self.cat_mode {
                            time_of_day_near(journal_time, tod, self.options.zone)
                        } else {
                            self.place_time_of_day(line, journal_time, provisional, tod)
                        };
                        match resolved {
                            Some(t) => (t, Precision::Milli),
                            None => (journal_time, precision),
                        }
                    }
                    _ => (journal_time, precision),
                };
                if let Some(pass) = pass {
                    self.year.pending_events.push((sink.events.len(), pass));
                }
                if matches!(program, Program::Serve(_)) {
                    let index = sink.events.len();
                    if matches!(kind, EventKind::PidUser { .. }) {
                        sink.serve.pid_users.push(index);
                    }
                    if let Some(fallback) = self.serve.take_unresolved() {
                        sink.serve.unresolved.push(UnresolvedTimeout {
                            index,
                            pid: prefix.pid,
                            fallback,
                            offset: iso_offset(line, journal_time),
                        });
                    }
                }
                sink.push(time, precision, Source::Journal, ctx, kind, line);
                LineClass::Used
            }
            Message::Ignored => LineClass::Ignored,
            Message::Malformed(reason) => LineClass::Malformed(reason),
        }
    }

    /// Places a serve header's time of day next to its line's journal time. The header carries
    /// devvm's local time, which need not be the zone journalctl printed the line in, so the
    /// journal time decides the instant (see [`time_of_day_at_exact`]).
    fn place_time_of_day(
        &self,
        line: &[u8],
        journal_time: i64,
        provisional: bool,
        tod: (u32, u32, u32, u32),
    ) -> Option<i64> {
        self.placed_time_of_day(line, journal_time, provisional, tod)
            .time
    }

    /// Places a serve header's time of day as [`Self::place_time_of_day`] does, and returns
    /// the mismatch with its line's time as well.
    fn placed_time_of_day(
        &self,
        line: &[u8],
        journal_time: i64,
        provisional: bool,
        tod: (u32, u32, u32, u32),
    ) -> PlacedTimeOfDay {
        match iso_offset(line, journal_time) {
            // `short-iso`: the entry's exact time, with the offset of the zone journalctl ran in.
            Some(offset) => time_of_day_at_offset(journal_time, tod, offset),
            // `short`: the provisional time is the line's local time, read as UTC until the year
            // is known, so the time of day is placed on the same local clock.
            None if provisional => time_of_day_at_exact(journal_time, tod, Zone::Utc),
            // An entry time read in no zone (JSON, export, epoch, an envelope) or in --tz
            // (`short-full`, `with-unit`).
            None => time_of_day_at_exact(journal_time, tod, self.options.zone),
        }
    }

    /// Compares the time of day of a serve header, `message`, with its line's journal time,
    /// read as [`Self::place_time_of_day`] reads it, and counts the header for the input's
    /// warning. Every header is compared, whether it becomes an event or not. So the line's
    /// clock is read once per timestamp (see [`read_header_clock`]). A header that shows the
    /// clock's hour and minute lies less than a quarter hour from it on any date, so it agrees
    /// after one comparison. Any other header costs some integer operations, and only one near
    /// a DST change of `--tz` is placed by the tz database.
    fn compare_header_time(
        &mut self,
        line: &[u8],
        message: &[u8],
        journal_time: i64,
        provisional: bool,
        ctx: &LineCtx,
        sink: &mut Sink,
    ) {
        // JSON, export and envelope entries parse no timestamp here, and their lines are
        // their messages, which show no clock, so one reading serves them all.
        if self.header_clock.stamp != self.stamps_parsed {
            self.header_clock = read_header_clock(line, provisional, self.stamps_parsed);
        }
        let clock = self.header_clock;
        sink.serve_time_of_day.tally(clock.reading).compared += 1;
        // `[19:55:40.120] …`
        if message.get(1..).and_then(minute_word) != Some(clock.minute) {
            self.compare_header_exactly(line, message, journal_time, clock.reading, ctx, sink);
        }
    }

    /// Compares a serve header's time of day with its line's journal time, read in `reading`,
    /// where the line shows no clock of the same hour and minute, and counts a mismatch of a
    /// whole number of quarter hours. Integer operations compare the two on a clock with a
    /// fixed UTC offset, and only a header near a DST change of `--tz` is placed by the tz
    /// database. In a journal read in the wrong zone every header gets here, so the header is
    /// read whole only when its hour and minute leave the result open, or for the size of the
    /// first mismatch, which the warning names.
    #[inline(never)]
    fn compare_header_exactly(
        &mut self,
        line: &[u8],
        message: &[u8],
        journal_time: i64,
        reading: TimeOfDayReading,
        ctx: &LineCtx,
        sink: &mut Sink,
    ) {
        const MINUTE: i64 = 60 * SECOND;
        const MINUTES_PER_DAY: i64 = 24 * 60;
        let local = match reading {
            TimeOfDayReading::LineLocalTime => Some(journal_time),
            TimeOfDayReading::LineOffset => {
                if self.line_offset.0 != self.stamps_parsed {
                    self.line_offset = (self.stamps_parsed, iso_offset(line, journal_time));
                }
                self.line_offset.1.map(|offset| journal_time + offset)
            }
            TimeOfDayReading::Tz => self
                .tz_offset
                .at(self.options.zone, journal_time)
                .map(|offset| journal_time + offset),
        };
        // `[19:55:40.120] …`: the header's hour and minute, and how many minutes they lie from
        // the local time's on the nearest date.
        let header_minute = message
            .get(1..6)
            .and_then(|clock| Some(time::digits(clock, 2)? * 60 + time::digits(&clock[3..], 2)?));
        if let (Some(local), Some(header_minute)) = (local, header_minute) {
            let local_minute = local.div_euclid(MINUTE).rem_euclid(MINUTES_PER_DAY);
            let mut minutes = (i64::from(header_minute) - local_minute).rem_euclid(MINUTES_PER_DAY);
            if minutes >= MINUTES_PER_DAY / 2 {
                minutes -= MINUTES_PER_DAY;
            }
            // Up to 6 minutes apart is less than the 7.5 minutes that round to a quarter hour,
            // whatever the seconds, and 9 or more is more.
            if minutes.abs() <= 6 {
                return;
            }
            let tally = sink.serve_time_of_day.tally(reading);
            if minutes.abs() >= 9 && tally.first.is_some_and(|(first, _)| first < ctx.line) {
                tally.count += 1;
                return;
            }
        }
        let Some(InnerTime::TimeOfDay {
            hour,
            minute,
            second,
            micros,
        }) = super::serve::header_time(message)
        else {
            return;
        };
        let tod = (hour, minute, second, micros);
        let mismatch = match local {
            Some(local) => time_of_day_mismatch(local, tod),
            None => {
                let provisional = reading == TimeOfDayReading::LineLocalTime;
                self.placed_time_of_day(line, journal_time, provisional, tod)
                    .mismatch
            }
        };
        if let Some(mismatch) = mismatch {
            sink.serve_time_of_day.add(reading, ctx.line, mismatch);
        }
    }

    /// Adds a `JournalSilence` event for a line that ends a silence of the journal of at least
    /// `silence_min` since the line before it, or starts one in a newest-first export. The
    /// coverage finds the gaps; these events let a gap cite the lines at its edges.
    fn note_silence(
        &mut self,
        time: i64,
        precision: Precision,
        pass: Option<Pass>,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) {
        // `-o cat` lines carry no journal time, so that export shows no silence.
        if self.cat_mode {
            return;
        }
        let edge = &mut sink.journal_edge;
        let Some(previous) = edge.last.replace(time) else {
            // The first line: the block merge compares it with the block before.
            edge.min = self.options.silence_min;
            edge.first = Some(Event {
                time,
                precision,
                source: Source::Journal,
                origin: crate::event::Origin::new(sink.input, ctx.line),
                pod: ctx.pod.map(Box::from),
                kind: EventKind::JournalSilence {
                    seconds: 0,
                    after: true,
                },
                text: crate::event::display_bytes(line),
                estimated: false,
                host: None,
            });
            return;
        };
        let Some(kind) = silence_between(previous, time, self.options.silence_min) else {
            return;
        };
        if let Some(pass) = pass {
            self.year.pending_events.push((sink.events.len(), pass));
        }
        sink.push(time, precision, Source::Journal, ctx, kind, line);
    }

    /// Removes the boot event of a marker that no dated line followed, so no event keeps the
    /// placeholder time. Only lines without a time came after the marker, so its event is the
    /// last one.
    ///
    /// NOTE: the marker's line stays counted as used. A marker that ends a parallel block
    /// loses its boot this way.
    fn drop_pending_boot(&mut self, sink: &mut Sink) {
        if let Some((index, _)) = self.pending_boot.take()
            && index + 1 == sink.events.len()
        {
            sink.events.pop();
        }
    }

    /// Gives the boot event of a `-- Boot ID --` marker its time.
    fn place_boot(&mut self, index: usize, stamp: Stamp, sink: &mut Sink) {
        let (time, precision) = match stamp {
            Stamp::Real(time, precision) => (time, precision),
            Stamp::Provisional(time, precision, pass) => {
                self.year.pending_events.push((index, pass));
                (time, precision)
            }
        };
        if let Some(event) = sink.events.get_mut(index) {
            event.time = time;
            event.precision = precision;
        }
    }

    /// Takes the zone mismatch that a parser of a parallel block found, when this parser (of
    /// the sampled lines) found none.
    pub fn take_block_zone_mismatch(&mut self, sink: &mut Sink) {
        if let Some(found) = sink.zone_mismatch.take() {
            self.zone_mismatch.get_or_insert(found);
        }
    }

    /// Returns whether journalctl wrote `-- No entries --`, an export that covers no time.
    pub fn has_no_entries(&self) -> bool {
        self.no_entries
    }

    /// Returns the input's notes that the clock offset can settle: `short` times that lie a
    /// zone offset from the Go `log` times of their dispatch lines. When Traefik's sockets
    /// confirm the journal's times as read, devvm runs in another zone than journalctl printed
    /// in, and the note would only mislead. So the summary writes each note's text once that
    /// offset is known.
    pub fn clock_notes(&self, name: &str) -> Vec<ZoneShiftWarning> {
        self.go_time_zones
            .warning(name, self.options.zone)
            .into_iter()
            .collect()
    }

    /// Returns the input's notes for the summary. They name evidence lines of a `-o cat`
    /// journal placed at a neighbour's time, its serve lines without a user, and a zone
    /// abbreviation that `--tz` contradicts.
    /// They also name `short` times that lie a zone offset from the Go `log` times of their
    /// dispatch lines, and Go `log` dates that contradict the year given to `short` lines.
    pub fn notes(&self, name: &str) -> Vec<String> {
        let mut notes = Vec::new();
        if self.no_entries {
            notes.push(format!(
                "{name}: journalctl wrote `-- No entries --`: its query matched no entry, so \
                 this input covers no time; check the --since, --until and unit options of the \
                 export"
            ));
        }
        if self.placed > 0 {
            let (next, last) = if self.year.newest_first {
                (
                    "the dispatch line before it, since this journal runs newest first",
                    "first",
                )
            } else {
                ("the next dispatch line", "last")
            };
            notes.push(format!(
                "{name}: {} evidence line(s) of this `-o cat` journal carry no time; each was \
                 placed at {next}, or at the {last} one for lines outside them, so its time may \
                 be off by the gap between those lines. Export with `-o short-iso-precise` for \
                 exact times",
                self.placed
            ));
        }
        if self.serve_without_user > 0 {
            notes.push(format!(
                "{name}: {} t3 serve git timeout(s) or start(s) of this `-o cat` journal name no \
                 user: the export keeps no unit or PID, and no `/home/USER/` path in the line or \
                 its header names one. They count for no user, and a drop with one in its \
                 window is not put on the user's own network. Export with `-o short-iso-precise` \
                 or `-o with-unit` to keep the serve's PID and unit",
                self.serve_without_user
            ));
        }
        if let Some((found, expected)) = &self.zone_mismatch {
            notes.push(format!(
                "{name}: journal times are marked {found}, but --tz gives {expected} there, and \
                 times are read in --tz; pass --tz with the devvm's IANA zone (the one whose \
                 abbreviation is {found} at that time, such as Europe/Berlin for CEST)"
            ));
        }
        if let Some(conflict) = self.year.conflict() {
            notes.push(format!(
                "{name}:{}: the Go log date of this dispatch line is in {}, but its `short` \
                 journal time was placed in {}; {} dispatch line(s) disagree like this. `short` \
                 lines carry no year, so it comes from --year or the first dated line and changes \
                 at each step between December and January lines. Check --year and whether the \
                 export skips December or January, or export with `-o short-iso`, which keeps \
                 the year",
                conflict.first_line, conflict.dated_year, conflict.placed_year, conflict.lines
            ));
        }
        notes
    }
}

/// Tells whether a line comes from the host's own programs, which an export of t3's units
/// never contains. These are the kernel, sshd, cron and every other program except t3's own
/// (an identifier that starts with `t3`, or a restart script's tagged line), systemd and
/// systemd-coredump. `journalctl -u` also prints systemd's lines about the units it names and
/// the core dumps of their processes. systemd before version 252 names a unit by its
/// description (`Started T3 Code server for bob.`), so no systemd line tells the two exports
/// apart. Nor does any other line that names one of t3's units, such as the kernel's
/// `oom-kill:` line with a serve's cgroup. An export filtered on their text (`grep t3`, a Loki
/// line filter) keeps such a line, and lacks the host's events just as `journalctl -u` does.
fn is_host_line(program: &Program, identifier: &[u8], message: &[u8]) -> bool {
    let host = match program {
        Program::Dispatch | Program::Serve(_) | Program::Restart | Program::Systemd => false,
        Program::Other => {
            !identifier.starts_with(b"t3")
                && identifier != b"systemd-coredump"
                && !is_restart_tagged(message)
        }
        _ => true,
    };
    host && !names_t3_unit(message)
}

/// Tells whether a message names one of t3's units: by its name (`t3-serve@bob.service`,
/// `t3-dispatch.service`, or a cgroup path that ends in one), or by the description that
/// systemd before version 252 writes in place of the name (`T3 Code server for bob (t3 serve,
/// per-user)`, `t3 per-user dispatch + auto-pair`).
fn names_t3_unit(message: &[u8]) -> bool {
    // Searchers built once, since most lines of a whole journal get here. `t3-` is rare, where
    // a search led by `t` stops at nearly every word of English text.
    static UNIT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"t3-"));
    static SERVE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"T3 Code server for "));
    static DISPATCH: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(b"t3 per-user dispatch"));
    let by_name = UNIT.find_iter(message).any(|at| {
        let unit = &message[at + 3..];
        unit.starts_with(b"serve@") || unit.starts_with(b"dispatch")
    });
    by_name || SERVE.find(message).is_some() || DISPATCH.find(message).is_some()
}

fn is_restart_tagged(message: &[u8]) -> bool {
    message.starts_with(b"t3-watchdog: ")
        || message.starts_with(b"t3-autoupdate: ")
        || message.starts_with(b"t3-migrate-idle: ")
}

/// A serve header's time of day: hour, minute, second and microseconds.
type TimeOfDay = (u32, u32, u32, u32);

/// Returns the `JournalSilence` event kind of a line at `time` after a line at `previous`, when
/// the step between them, either way, is at least `min`.
pub fn silence_between(previous: i64, time: i64, min: i64) -> Option<EventKind> {
    let step = time - previous;
    (step.abs() >= min).then_some(EventKind::JournalSilence {
        seconds: step.abs() / SECOND,
        after: step > 0,
    })
}

/// Scores how strongly a line looks like a journal text line: 2 for a timestamp followed by
/// `host identifier[pid]: `, 1 for journalctl's notes and Go-prefixed `-o cat` lines.
pub fn sniff(line: &[u8]) -> u8 {
    if is_journal_note(line) {
        return 1;
    }
    // A throw-away year state: detection only needs to know that a timestamp reads.
    if let Some((_, rest)) = read_stamp(line, Zone::Utc, &mut YearState::default())
        && let Some(prefix) = split_prefix(rest)
        && !prefix.identifier.is_empty()
        && !contains(prefix.identifier, b" ")
    {
        return 2;
    }
    if dispatch::go_prefix(line).is_some() {
        return 1;
    }
    0
}

/// Returns the host a journal text line names after its timestamp, or `None` for a line of
/// another shape (an export's message alone, a `-o cat` line).
pub fn line_host(line: &[u8]) -> Option<&[u8]> {
    let (_, rest) = read_stamp(line, Zone::Utc, &mut YearState::default())?;
    let prefix = split_prefix(rest)?;
    (!prefix.host.is_empty()).then_some(prefix.host)
}

/// The reason for a `short` line whose month name is not English, and its fix.
pub const LOCALIZED_MONTH: &str = "the month name is not English, because journalctl printed \
     its `short` times in a non-English locale (such as `Mär 14` or `mars 14`); export the \
     journal again with `LC_TIME=C journalctl ...` or with `journalctl -o short-iso ...`";

/// Tells whether a line is a `short` or `short-precise` journal line whose month name is not
/// one of the English abbreviations this tool reads, as journalctl writes it under a
/// non-English `LC_TIME` (`Mär 14 10:00:00 devvm t3[5103]: …`, `janv. 14 …`). The line reads
/// as a journal line once its first word is replaced with an English month.
pub fn has_localized_month(line: &[u8]) -> bool {
    // Month abbreviations run to 5 letters and a dot (`févr.`), at most 3 bytes per letter.
    const MAX_MONTH_BYTES: usize = 16;
    let Some(space) = memchr::memchr(b' ', &line[..line.len().min(MAX_MONTH_BYTES + 1)]) else {
        return false;
    };
    let Ok(month) = std::str::from_utf8(&line[..space]) else {
        return false;
    };
    let letters = month.strip_suffix('.').unwrap_or(month);
    if letters.chars().count() < 3
        || !letters.chars().all(char::is_alphabetic)
        || (month.len() == 3 && time::month_abbrev(month.as_bytes()).is_some())
    {
        return false;
    }
    let mut english = b"Jan".to_vec();
    english.extend_from_slice(&line[space..]);
    sniff(&english) == 2
}

/// Tells whether a line starts with a `short` or `short-precise` timestamp (`Jun 10 19:56:01`),
/// which carries no year.
pub fn has_no_year(line: &[u8]) -> bool {
    time::month_abbrev(line).is_some()
        && line.get(3) == Some(&b' ')
        && line
            .get(4)
            .is_some_and(|b| b.is_ascii_digit() || *b == b' ')
        && line.get(8) != Some(&b'-')
}

/// Tells whether the `short` lines among `lines` run newest first (`journalctl -r`): more of the
/// steps between consecutive ones go back in time than forward. Lines of other modes are
/// skipped, and equal times count neither way.
pub fn runs_newest_first<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> bool {
    // A scratch year state counts the year back at a Jan -> Dec step, so the provisional
    // times of a newest-first journal keep falling across New Year.
    let mut year = YearState::default();
    mostly_backwards(lines.into_iter().filter_map(|line| {
        match read_stamp(line, Zone::Utc, &mut year) {
            Some((Stamp::Provisional(time, ..), _)) => Some(time),
            _ => None,
        }
    }))
}

/// Tells whether more steps between consecutive times go back than forward. Equal times count
/// neither way.
fn mostly_backwards(times: impl Iterator<Item = i64>) -> bool {
    let mut previous = None;
    let (mut back, mut forward) = (0u32, 0u32);
    for time in times {
        if let Some(previous) = previous {
            if time < previous {
                back += 1;
            } else if time > previous {
                forward += 1;
            }
        }
        previous = Some(time);
    }
    back > forward
}

/// The users seen per PID, for lines that do not name their unit.
pub type PidUsers = HashMap<u32, Box<str>>;

#[cfg(test)]
mod tests;
