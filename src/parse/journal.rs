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
    MismatchTally, PlacedTimeOfDay, TimeOfDayMismatch, TimeOfDayReading, time_of_day_at_exact,
    time_of_day_at_offset, time_of_day_near,
};
// Named here so the child module `cat` reaches it as `super::journal_year`.
use super::journal_year;
pub use super::journal_year::{Pass, YearState, apply_year, real_time};
use super::journal_zone::GoTimeZones;
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
}

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
            _ => sink.journal_lines.other += 1,
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
                            self.place_time_of_day(line, journal_time, provisional, tod, ctx, sink)
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

    /// Places a serve header's time of day next to its line's journal time, and counts a
    /// mismatch between the two for the input's warning. The header carries devvm's local time,
    /// which need not be the zone journalctl printed the line in, so the journal time decides
    /// the instant (see [`time_of_day_at_exact`]).
    fn place_time_of_day(
        &self,
        line: &[u8],
        journal_time: i64,
        provisional: bool,
        tod: (u32, u32, u32, u32),
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> Option<i64> {
        let (placed, reading) = match iso_offset(line, journal_time) {
            // `short-iso`: the entry's exact time, with the offset of the zone journalctl ran in.
            Some(offset) => (
                time_of_day_at_offset(journal_time, tod, offset),
                TimeOfDayReading::LineOffset,
            ),
            // `short`: the provisional time is the line's local time, read as UTC until the year
            // is known, so the time of day is placed on the same local clock.
            None if provisional => (
                time_of_day_at_exact(journal_time, tod, Zone::Utc),
                TimeOfDayReading::LineLocalTime,
            ),
            // An entry time read in no zone (JSON, export, epoch, an envelope) or in --tz
            // (`short-full`, `with-unit`).
            None => (
                time_of_day_at_exact(journal_time, tod, self.options.zone),
                TimeOfDayReading::Tz,
            ),
        };
        if let Some(mismatch) = placed.mismatch {
            sink.serve_time_of_day.add(reading, ctx.line, mismatch);
        }
        placed.time
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
    /// in, and the note would only mislead.
    pub fn clock_notes(&self, name: &str) -> Vec<String> {
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
mod tests {
    use super::*;
    use crate::time::{Fold, SECOND, parse_iso};

    fn utc(text: &str) -> i64 {
        parse_iso(text.as_bytes(), Zone::Utc).unwrap().micros
    }

    #[test]
    fn localized_month_names() {
        // (line as journalctl writes it, localized) under LC_TIME of de_DE, fr_FR, es_ES and
        // en_US.
        let cases = [
            (
                "Mär 14 10:00:00 devvm t3[5103]: [10:00:00.000] INFO (#89): opened",
                true,
            ),
            (
                "mars 14 10:00:00 devvm t3-dispatch[812]: 2026/03/14 10:00:00 ws open",
                true,
            ),
            ("März 14 10:00:00.123456 devvm kernel: oom-kill", true),
            (
                "févr. 14 10:00:00 devvm systemd[1]: Started x.service.",
                true,
            ),
            ("ene 14 10:00:00 devvm sshd[77]: Accepted publickey", true),
            ("Mar 14 10:00:00 devvm sshd[77]: Accepted publickey", false),
            ("mar 14 10:00:00 devvm sshd[77]: Accepted publickey", false),
            ("Mär 14 was the day it failed", false),
            ("Notes about the incident", false),
            ("2026-03-14T10:00:00+00:00 devvm sshd[77]: Accepted", false),
        ];
        for (line, expected) in cases {
            assert_eq!(has_localized_month(line.as_bytes()), expected, "{line}");
        }
    }

    #[test]
    fn localized_month_line_is_malformed_with_fix() {
        let mut parser = JournalParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let class = parser.parse_line(
            "Mär 14 10:00:00 devvm sshd[77]: Accepted publickey".as_bytes(),
            &LineCtx::plain(2),
            &mut sink,
        );
        assert_eq!(class, LineClass::Malformed(LOCALIZED_MONTH));
    }

    #[test]
    fn prefix_modes() {
        // Each mode's timestamp with the same identifier and message after it.
        let cases: &[(&str, Option<i64>)] = &[
            (
                "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: x",
                Some(utc("2026-06-10T19:56:01Z")),
            ),
            (
                "2026-06-10T19:56:01+0000 devvm t3-dispatch[812]: x",
                Some(utc("2026-06-10T19:56:01Z")),
            ),
            (
                "2026-06-10T21:56:01+02:00 devvm t3-dispatch[812]: x",
                Some(utc("2026-06-10T19:56:01Z")),
            ),
            (
                "2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: x",
                Some(utc("2026-06-10T19:56:01.123456Z")),
            ),
            (
                "1781121361.123456 devvm t3-dispatch[812]: x",
                Some(1_781_121_361_123_456),
            ),
            (
                "Wed 2026-06-10 19:56:01 UTC devvm t3-dispatch.service[812]: x",
                Some(utc("2026-06-10T19:56:01Z")),
            ),
        ];
        for (line, expected) in cases {
            let mut parser = JournalParser::new(&ParseOptions::default());
            let (stamp, rest) = parser.stamp(line.as_bytes()).unwrap();
            assert_eq!(
                stamp,
                Stamp::Real(expected.unwrap(), stamp_precision(stamp)),
                "{line}"
            );
            let prefix = split_prefix(rest).unwrap();
            assert_eq!(prefix.pid, Some(812), "{line}");
            assert_eq!(prefix.message, b"x", "{line}");
        }
    }

    fn stamp_precision(stamp: Stamp) -> Precision {
        match stamp {
            Stamp::Real(_, p) | Stamp::Provisional(_, p, _) => p,
        }
    }

    #[test]
    fn short_is_provisional_until_year_known() {
        let mut parser = JournalParser::new(&ParseOptions::default());
        let (stamp, _) = parser.stamp(b"Jun 10 19:56:01 devvm t3[4711]: x").unwrap();
        let Stamp::Provisional(t, Precision::Second, _) = stamp else {
            panic!("{stamp:?}")
        };
        assert_eq!(
            real_time(t, 2026, Zone::Utc, Fold::Earlier),
            Some(utc("2026-06-10T19:56:01Z"))
        );
        // Space-padded day and microseconds.
        let (stamp, _) = parser
            .stamp(b"Jun  1 19:56:01.500000 devvm t3[4711]: x")
            .unwrap();
        let Stamp::Provisional(t, Precision::Micro, _) = stamp else {
            panic!("{stamp:?}")
        };
        assert_eq!(
            real_time(t, 2026, Zone::Utc, Fold::Earlier),
            Some(utc("2026-06-01T19:56:01.5Z"))
        );
    }

    #[test]
    fn short_year_changes_in_either_order() {
        // Each case: `short` timestamps in file order, and their times with 2026 as the year of
        // the first line's roll-over.
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "time order",
                &[
                    ("Dec 31 23:59:59", "2026-12-31T23:59:59Z"),
                    ("Jan  1 00:00:01", "2027-01-01T00:00:01Z"),
                    ("Jan  1 00:00:02", "2027-01-01T00:00:02Z"),
                ],
            ),
            (
                "newest first (journalctl -r)",
                &[
                    ("Jan  1 00:00:01", "2026-01-01T00:00:01Z"),
                    ("Dec 31 23:59:59", "2025-12-31T23:59:59Z"),
                    ("Dec 31 23:59:58", "2025-12-31T23:59:58Z"),
                ],
            ),
            (
                "newest first over two New Years",
                &[
                    ("Jan  2 10:00:00", "2026-01-02T10:00:00Z"),
                    ("Dec 30 10:00:00", "2025-12-30T10:00:00Z"),
                    ("Jun 10 10:00:00", "2025-06-10T10:00:00Z"),
                    ("Jan  1 10:00:00", "2025-01-01T10:00:00Z"),
                    ("Dec 31 10:00:00", "2024-12-31T10:00:00Z"),
                ],
            ),
            (
                "time order stepping back across midnight",
                &[
                    ("Dec 31 23:59:59", "2026-12-31T23:59:59Z"),
                    ("Jan  1 00:00:01", "2027-01-01T00:00:01Z"),
                    ("Dec 31 23:59:58", "2026-12-31T23:59:58Z"),
                    ("Jan  1 00:00:02", "2027-01-01T00:00:02Z"),
                ],
            ),
        ];
        for (name, lines) in cases {
            let mut parser = JournalParser::new(&ParseOptions::default());
            for (stamp, expected) in *lines {
                let line = format!("{stamp} devvm t3[1]: x");
                let Some((Stamp::Provisional(t, ..), _)) = parser.stamp(line.as_bytes()) else {
                    panic!("{name}: {line}")
                };
                assert_eq!(
                    real_time(t, 2026, Zone::Utc, Fold::Earlier),
                    Some(utc(expected)),
                    "{name}: {line}"
                );
            }
        }
    }

    /// Reads `short` timestamps in order and returns their times with 2026 as the year.
    fn short_times(stamps: &[&str], newest_first: bool, zone: Zone) -> Vec<i64> {
        let options = ParseOptions {
            zone,
            ..ParseOptions::default()
        };
        let mut parser = JournalParser::new(&options);
        parser.set_newest_first(newest_first);
        stamps
            .iter()
            .map(|stamp| {
                let line = format!("{stamp} devvm sshd[1]: x");
                let Some((Stamp::Provisional(t, _, pass), _)) = parser.stamp(line.as_bytes())
                else {
                    panic!("{line}")
                };
                real_time(t, 2026, zone, parser.year.fold(pass)).unwrap()
            })
            .collect()
    }

    #[test]
    fn short_times_across_dst_fall_back() {
        // Europe/Berlin repeats 02:00-03:00 on 2026-10-25: first CEST (+02:00), then CET.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        struct Case {
            name: &'static str,
            /// Timestamps in time order, with their UTC times.
            lines: &'static [(&'static str, &'static str)],
            /// Whether the same lines printed newest first read the same times. A journal that
            /// starts inside the repeated hour cannot tell which pass it starts on.
            newest_first_too: bool,
        }
        let cases = [
            Case {
                name: "short",
                lines: &[
                    ("Oct 25 01:59:59", "2026-10-24T23:59:59Z"),
                    ("Oct 25 02:30:00", "2026-10-25T00:30:00Z"),
                    ("Oct 25 02:59:59", "2026-10-25T00:59:59Z"),
                    ("Oct 25 02:00:00", "2026-10-25T01:00:00Z"),
                    ("Oct 25 02:30:00", "2026-10-25T01:30:00Z"),
                    ("Oct 25 02:59:59", "2026-10-25T01:59:59Z"),
                    ("Oct 25 03:00:00", "2026-10-25T02:00:00Z"),
                    ("Oct 25 03:10:00", "2026-10-25T02:10:00Z"),
                ],
                newest_first_too: true,
            },
            Case {
                name: "short-precise with lines out of order by less than the step",
                lines: &[
                    ("Oct 25 01:59:59.500000", "2026-10-24T23:59:59.5Z"),
                    ("Oct 25 02:59:58.900000", "2026-10-25T00:59:58.9Z"),
                    ("Oct 25 02:59:58.100000", "2026-10-25T00:59:58.1Z"),
                    ("Oct 25 02:00:01.250000", "2026-10-25T01:00:01.25Z"),
                    ("Oct 25 02:00:00.750000", "2026-10-25T01:00:00.75Z"),
                    ("Oct 25 03:00:00.500000", "2026-10-25T02:00:00.5Z"),
                ],
                newest_first_too: true,
            },
            Case {
                name: "a silence through most of the first pass",
                lines: &[
                    ("Oct 25 01:50:00", "2026-10-24T23:50:00Z"),
                    ("Oct 25 02:40:00", "2026-10-25T00:40:00Z"),
                    ("Oct 25 02:20:00", "2026-10-25T01:20:00Z"),
                    ("Oct 25 03:20:00", "2026-10-25T02:20:00Z"),
                ],
                newest_first_too: true,
            },
            Case {
                name: "a clock stepped back by 10 minutes in the first pass",
                lines: &[
                    ("Oct 25 02:40:00", "2026-10-25T00:40:00Z"),
                    ("Oct 25 02:30:00", "2026-10-25T00:30:00Z"),
                ],
                newest_first_too: false,
            },
            Case {
                name: "the spring change skips 02:00-03:00",
                lines: &[
                    ("Mar 29 01:59:59", "2026-03-29T00:59:59Z"),
                    ("Mar 29 03:00:00", "2026-03-29T01:00:00Z"),
                ],
                newest_first_too: true,
            },
        ];
        for case in &cases {
            let stamps: Vec<&str> = case.lines.iter().map(|(stamp, _)| *stamp).collect();
            let expected: Vec<i64> = case.lines.iter().map(|(_, time)| utc(time)).collect();
            let in_order = short_times(&stamps, false, berlin);
            assert_eq!(in_order, expected, "{}, time order", case.name);
            if case.newest_first_too {
                let reversed: Vec<&str> = stamps.iter().rev().copied().collect();
                let mut newest_first = short_times(&reversed, true, berlin);
                newest_first.reverse();
                assert_eq!(newest_first, expected, "{}, newest first", case.name);
            }
        }
    }

    #[test]
    fn repeated_hour_keeps_activity_of_both_passes() {
        let options = ParseOptions {
            zone: Zone::parse("Europe/Berlin").unwrap(),
            ..ParseOptions::default()
        };
        let mut parser = JournalParser::new(&options);
        let mut sink = Sink::new(0);
        let lines = [
            "Oct 25 02:30:00 devvm t3-dispatch[812]: 2026/10/25 02:30:00 t3-dispatch listening on :3780",
            "Oct 25 02:59:00 devvm sshd[1]: x",
            "Oct 25 02:00:10 devvm sshd[1]: x",
            "Oct 25 02:29:00 devvm t3-dispatch[812]: 2026/10/25 02:29:00 t3-dispatch listening on :3780",
        ];
        for (n, line) in lines.iter().enumerate() {
            parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
        }
        parser.finish(&mut sink).unwrap();

        // The dispatch lines' events; the lines are half an hour apart, so silence events
        // come between them.
        let times: Vec<i64> = sink
            .events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::JournalSilence { .. }))
            .map(|e| e.time)
            .collect();
        assert_eq!(
            times,
            [utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:29:00Z")]
        );
        let tracks: Vec<_> = sink.activity.tracks.values().collect();
        assert_eq!(tracks.len(), 1, "one journal track");
        let track = tracks[0];
        assert_eq!(track.first, utc("2026-10-25T00:30:00Z"));
        assert_eq!(track.last, utc("2026-10-25T01:29:00Z"));
        assert_eq!(track.lines, 4);
        for time in ["2026-10-25T00:59:00Z", "2026-10-25T01:00:10Z"] {
            assert!(track.seconds.contains(utc(time) / SECOND), "{time}");
        }
    }

    #[test]
    fn newest_first_from_steps() {
        let cases: &[(&str, &[&str], bool)] = &[
            (
                "time order",
                &["Jun 10 19:56:01", "Jun 10 19:56:01", "Jun 10 19:56:03"],
                false,
            ),
            (
                "newest first",
                &["Jun 10 19:56:03", "Jun 10 19:56:01", "Jun 10 19:56:01"],
                true,
            ),
            (
                "newest first across New Year",
                &["Jan 01 00:00:01", "Dec 31 23:59:59", "Dec 31 23:59:58"],
                true,
            ),
            (
                "time order with one step back",
                &[
                    "Jun 10 19:56:01",
                    "Jun 10 19:56:05",
                    "Jun 10 19:56:04",
                    "Jun 10 19:56:09",
                ],
                false,
            ),
            ("one line", &["Jun 10 19:56:01"], false),
        ];
        for (name, stamps, expected) in cases {
            let lines: Vec<String> = stamps
                .iter()
                .map(|stamp| format!("{stamp} devvm sshd[1]: x"))
                .collect();
            // A journal note and a line of another mode count neither way.
            let mut with_others = vec![b"-- Boot 0123456789abcdef0123456789abcdef --".as_slice()];
            with_others.extend(lines.iter().map(|l| l.as_bytes()));
            with_others.push(b"2020-01-01T00:00:00+00:00 devvm sshd[1]: x");
            assert_eq!(runs_newest_first(with_others), *expected, "{name}");
        }
    }

    #[test]
    fn go_dates_contradicting_year_are_noted() {
        let dispatch = |stamp: &str, go: &str| {
            format!("{stamp} devvm t3-dispatch[812]: {go} t3-dispatch listening on :3780")
        };
        struct Case {
            name: &'static str,
            lines: Vec<String>,
            year: Option<i32>,
            /// The start of the expected note, or `None` for no note.
            note: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "newest first across New Year",
                lines: vec![
                    dispatch("Jan  1 00:00:03", "2027/01/01 00:00:03"),
                    dispatch("Dec 31 23:59:58", "2026/12/31 23:59:58"),
                ],
                year: None,
                note: None,
            },
            Case {
                name: "December missing from the export",
                lines: vec![
                    dispatch("Nov 30 23:50:00", "2026/11/30 23:50:00"),
                    dispatch("Jan  2 00:10:00", "2027/01/02 00:10:00"),
                    dispatch("Jan  2 00:10:05", "2027/01/02 00:10:05"),
                ],
                year: None,
                note: Some(
                    "j.log:2: the Go log date of this dispatch line is in 2027, but its `short` \
                     journal time was placed in 2026; 2 dispatch line(s)",
                ),
            },
            Case {
                name: "--year against the Go dates",
                lines: vec![dispatch("Jun 10 19:56:01", "2026/06/10 19:56:01")],
                year: Some(2025),
                note: Some(
                    "j.log:1: the Go log date of this dispatch line is in 2026, but its `short` \
                     journal time was placed in 2025; 1 dispatch line(s)",
                ),
            },
        ];
        for Case {
            name,
            lines,
            year,
            note,
        } in cases
        {
            let options = ParseOptions {
                year,
                ..ParseOptions::default()
            };
            let (parser, _) = parse_with(&options, &lines);
            let notes = parser.notes("j.log");
            match note {
                None => assert!(notes.is_empty(), "{name}: {notes:?}"),
                Some(start) => {
                    assert_eq!(notes.len(), 1, "{name}: {notes:?}");
                    assert!(notes[0].starts_with(start), "{name}: {notes:?}");
                }
            }
        }
    }

    #[test]
    fn stamp_cache_matches_a_fresh_parse() {
        // Lines in the order read: repeats, near-repeats that differ after the shared bytes,
        // and a change of mode.
        let lines: &[&[u8]] = &[
            b"2026-06-10T19:00:00+00:00 devvm sshd[1]: a",
            b"2026-06-10T19:00:00+00:00 devvm sshd[1]: b",
            b"2026-06-10T19:00:00+01:00 devvm sshd[1]: c",
            b"2026-06-10T19:00:00.5+01:00 devvm sshd[1]: d",
            b"2026-06-10T19:00:00+0100 devvm sshd[1]: e",
            b"2026-06-10T19:00:00+00:00devvm sshd[1]: no space",
            b"2026-06-10T19:00:00+00:00 devvm sshd[1]: f",
            b"2026-06-10T19:00:01+00:00 devvm sshd[1]: g",
            b"1781118000.017000 devvm sshd[1]: h",
            b"1781118000.017000 devvm sshd[1]: i",
            b"1781118000.0170001 devvm sshd[1]: j",
            b"Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: k",
            b"Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: l",
            b"Wed 2026-06-10 19:56:01 CEST devvm sshd[1]: m",
            b"Jun 10 19:56:01 devvm sshd[1]: n",
            b"Jun 10 19:56:01 devvm sshd[1]: o",
            b"2026-06-10T19:00:00+00:00 ",
            b"2026-06-10T19:00:00+00:00",
        ];
        let options = ParseOptions::default();
        let mut cached = JournalParser::new(&options);
        for line in lines {
            let fresh = JournalParser::new(&options).stamp(line);
            assert_eq!(
                cached.stamp(line),
                fresh,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn routing_table() {
        let cases: &[(&[u8], Program)] = &[
            (b"t3-dispatch", Program::Dispatch),
            (b"t3-dispatch.service", Program::Dispatch),
            (b"t3", Program::Serve(None)),
            (b"t3-serve@bob.service", Program::Serve(Some("bob".into()))),
            (b"systemd", Program::Systemd),
            (b"init.scope", Program::Systemd),
            (b"kernel", Program::Kernel),
            (b"earlyoom", Program::Earlyoom),
            (b"t3-watchdog", Program::Restart),
            (b"t3-migrate-idle.sh", Program::Restart),
            (b"cloudflared", Program::Cloudflared),
            (b"sshd", Program::Other),
        ];
        for (identifier, expected) in cases {
            assert_eq!(
                route(identifier, None),
                *expected,
                "{}",
                String::from_utf8_lossy(identifier)
            );
        }
        // journal JSON: the unit names the serve's user.
        assert_eq!(
            route(b"t3", Some(b"t3-serve@bob.service")),
            Program::Serve(Some("bob".into()))
        );
        assert_eq!(route(b"systemd", Some(b"init.scope")), Program::Systemd);
    }

    #[test]
    fn offset_time_shapes() {
        let cases = [
            ("2026-06-10T19:56:01+00:00 devvm sshd[1]: m", true),
            ("2026-06-10T19:56:01+0000 devvm sshd[1]: m", true),
            ("2026-06-10T21:56:01.123456+02:00 devvm sshd[1]: m", true),
            ("2026-06-10T19:56:01Z devvm sshd[1]: m", true),
            ("2026-06-10T19:56:01 devvm sshd[1]: m", false),
            ("Jun 10 19:56:01 devvm sshd[1]: m", false),
            ("Wed 2026-06-10 19:56:01 UTC devvm sshd[1]: m", false),
            ("1781121361.123456 devvm sshd[1]: m", false),
            ("2026-13-10T19:56:01+00:00 devvm sshd[1]: m", false),
        ];
        for (line, expected) in cases {
            assert_eq!(starts_with_offset_time(line.as_bytes()), expected, "{line}");
        }
    }

    #[test]
    fn header_zone_against_tz() {
        let berlin = ParseOptions {
            zone: Zone::parse("Europe/Berlin").unwrap(),
            ..ParseOptions::default()
        };
        // (header, --tz is Europe/Berlin, a mismatch expected)
        let cases = [
            (
                "-- Journal begins at Mon 2026-06-08 08:14:03 CEST, ends at Wed 2026-06-10 22:06:31 CEST. --",
                false,
                true,
            ),
            (
                "-- Journal begins at Mon 2026-06-08 08:14:03 CEST, ends at Wed 2026-06-10 22:06:31 CEST. --",
                true,
                false,
            ),
            (
                "-- Logs begin at Mon 2026-06-08 06:14:03 UTC, end at Wed 2026-06-10 20:06:31 UTC. --",
                false,
                false,
            ),
            (
                "-- Logs begin at Mon 2026-01-05 06:14:03 CET, end at Wed 2026-01-07 20:06:31 CET. --",
                true,
                false,
            ),
            ("-- Boot fedcba9876543210fedcba9876543210 --", false, false),
            ("-- Journal begins at garbage --", false, false),
        ];
        for (header, in_berlin, mismatch) in cases {
            let options = if in_berlin {
                berlin.clone()
            } else {
                ParseOptions::default()
            };
            let mut parser = JournalParser::new(&options);
            parser.check_header_zone(header.as_bytes());
            let notes = parser.notes("j.log");
            assert_eq!(
                notes.iter().any(|n| n.contains("journal times are marked")),
                mismatch,
                "{header}: {notes:?}"
            );
        }
    }

    #[test]
    fn boot_marker_starts_at_next_line() {
        // systemd 246 and later name the boot; 245 and earlier write `-- Reboot --`.
        for marker in [
            "-- Boot fedcba9876543210fedcba9876543210 --",
            "-- Reboot --",
        ] {
            let (sink, classes) = parse_all(
                &[
                    "2026-06-10T10:20:00+00:00 devvm chronyd[701]: System clock wrong",
                    marker,
                    "2026-06-10T10:22:30+00:00 devvm systemd[1]: Started t3-dispatch.service.",
                ],
                false,
            );
            assert_eq!(classes[1], LineClass::Used, "{marker}");
            let boot = sink
                .events
                .iter()
                .find(|e| matches!(e.kind, EventKind::HostBoot))
                .unwrap();
            assert_eq!(boot.origin.line(), 2, "evidence names the marker");
            assert_eq!(
                boot.time,
                utc("2026-06-10T10:22:30Z"),
                "the next line's time"
            );
        }
    }

    #[test]
    fn mode_hint_names_unread_modes() {
        // (line as journalctl 252 writes it, the mode the hint must name, or "" for no hint)
        let cases: [(&str, &str); 13] = [
            (
                "[218758.282898] devvm kernel: audit: type=1400",
                "short-monotonic",
            ),
            (
                "[    3.282898] devvm kernel: Linux version 6.1.0",
                "short-monotonic",
            ),
            (
                "[218758.282898                ] devvm kernel: audit: type=1400",
                "short-delta",
            ),
            (
                "[218762.231548 <    3.948650 >] devvm t3[4723]: [19:00:04.648] INFO (#695): x",
                "short-delta",
            ),
            (
                "[     2.000100 <    0.000123*>] devvm systemd[1]: Started session-1.scope.",
                "short-delta",
            ),
            (
                "Wed 2026-06-10 19:00:00.699991 UTC [s=2c82;i=1;b=d570;m=32ef;t=653e;x=b913]",
                "verbose",
            ),
            (
                "\t\"__REALTIME_TIMESTAMP\" : \"1781118000699991\",",
                "json-pretty",
            ),
            (
                "\t\"_BOOT_ID\" : \"d5702c6994b6c7f9cc9af0a3beb43d5c\",",
                "json-pretty",
            ),
            ("\t\"MESSAGE\" : [", "json-pretty"),
            // Shapes close to those that name no mode.
            (
                "[pod/cloudflared-0/cloudflared] 2026-06-10T19:30:12Z INF x",
                "",
            ),
            ("[218762.231548 hello] devvm kernel: x", ""),
            ("  \"status\": \"success\",", ""),
            ("\t\"resultType\" : \"matrix\",", ""),
        ];
        for (line, mode) in cases {
            let hint = journal_mode_hint(line.as_bytes());
            if mode.is_empty() {
                assert_eq!(hint, None, "{line}");
            } else {
                let hint = hint.unwrap_or_else(|| panic!("no hint for {line}"));
                assert!(
                    hint.contains(&format!("`journalctl -o {mode}`")),
                    "{line}: {hint}"
                );
            }
        }
    }

    #[test]
    fn notes_and_continuations_are_ignored() {
        let mut parser = JournalParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        for line in [
            "-- Logs begin at Wed 2026-06-10 18:00:00 UTC, end at Wed 2026-06-10 20:00:00 UTC. --",
            "-- Journal begins at Wed 2026-06-10 18:00:00 UTC. --",
            "-- No entries --",
            "                                           continued text of a multi-line message",
        ] {
            assert_eq!(
                parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink),
                LineClass::Ignored,
                "{line}"
            );
        }
        assert!(sink.events.is_empty());
    }

    #[test]
    fn time_of_day_takes_nearest_date() {
        let near = utc("2026-06-11T00:00:00Z");
        assert_eq!(
            time_of_day_near(near, (23, 59, 59, 900_000), Zone::Utc),
            Some(utc("2026-06-10T23:59:59.9Z"))
        );
        let near = utc("2026-06-10T19:55:41Z");
        assert_eq!(
            time_of_day_near(near, (19, 55, 40, 120_000), Zone::Utc),
            Some(utc("2026-06-10T19:55:40.12Z"))
        );

        // 02:59:40 comes twice in Europe/Berlin on 2026-10-25: at 00:59:40Z (CEST) and at
        // 01:59:40Z (CET). The instant nearer the journal time wins.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let tod = (2, 59, 40, 0);
        for (near, expected) in [
            ("2026-10-25T01:59:41Z", "2026-10-25T01:59:40Z"),
            ("2026-10-25T00:59:41Z", "2026-10-25T00:59:40Z"),
        ] {
            assert_eq!(
                time_of_day_near(utc(near), tod, berlin),
                Some(utc(expected)),
                "near {near}"
            );
        }
    }

    #[test]
    fn time_of_day_at_exact_entry_time() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let hour = 3600 * SECOND;
        // (case, entry time, time of day, zone of --tz, placed time, mismatch)
        type Case<'a> = (&'a str, &'a str, (u32, u32, u32, u32), Zone);
        let cases: [(Case, Option<&str>, Option<i64>); 9] = [
            (
                (
                    "agrees in UTC",
                    "2026-06-10T19:20:09.193Z",
                    (19, 20, 9, 191_000),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                None,
            ),
            (
                (
                    "agrees in --tz",
                    "2026-06-10T19:20:09.193Z",
                    (21, 20, 9, 191_000),
                    berlin,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                None,
            ),
            (
                (
                    "Berlin summer time read as UTC",
                    "2026-06-10T19:20:09.193Z",
                    (21, 20, 9, 191_000),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09.191Z"),
                Some(2 * hour - 2_000),
            ),
            (
                (
                    "UTC-5 over midnight",
                    "2026-06-11T02:00:01.500Z",
                    (21, 0, 1, 400_000),
                    Zone::Utc,
                ),
                Some("2026-06-11T02:00:01.4Z"),
                Some(-5 * hour - 100_000),
            ),
            (
                (
                    "India's half hour",
                    "2026-06-10T19:20:09Z",
                    (0, 50, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(5 * hour + 1800 * SECOND),
            ),
            (
                (
                    "UTC+14, a day round",
                    "2026-06-10T19:20:09Z",
                    (9, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(-10 * hour),
            ),
            (
                (
                    "stamped 7 minutes late: a stalled host, no zone",
                    "2026-06-10T19:27:09Z",
                    (19, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                None,
            ),
            (
                (
                    "stamped 8 s late in another zone",
                    "2026-06-10T19:20:17Z",
                    (21, 20, 9, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:09Z"),
                Some(2 * hour - 8 * SECOND),
            ),
            (
                (
                    "within the slack",
                    "2026-06-10T19:20:09Z",
                    (19, 20, 12, 0),
                    Zone::Utc,
                ),
                Some("2026-06-10T19:20:12Z"),
                None,
            ),
        ];
        for ((case, entry, tod, zone), time, mismatch) in cases {
            let placed = time_of_day_at_exact(utc(entry), tod, zone);
            assert_eq!(placed.time, time.map(utc), "{case}");
            assert_eq!(placed.mismatch, mismatch, "{case}");
        }
    }

    #[test]
    fn serve_header_in_loki_zone_warns_once() {
        // A Berlin devvm's serve header in an export whose entry time is exact, read without
        // --tz: the event takes the entry's instant, and the input is warned about.
        let mut parser = JournalParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let prefix = Prefix {
            host: b"",
            identifier: b"t3",
            pid: None,
            message: b"[21:20:09.191] INFO (#1): T3 Code running on http://127.0.0.1:3774",
        };
        let entry = utc("2026-06-10T19:20:09.193Z");
        for _ in 0..2 {
            let class = parser.handle(
                Program::Serve(Some("bob".into())),
                Stamp::Real(entry, Precision::Micro),
                &prefix,
                prefix.message,
                &LineCtx::plain(1),
                &mut sink,
            );
            assert_eq!(class, LineClass::Used);
        }
        let times: Vec<i64> = sink.events.iter().map(|e| e.time).collect();
        assert_eq!(times, vec![utc("2026-06-10T19:20:09.191Z"); 2]);
        assert_eq!(sink.serve_time_of_day.tz.count, 2);
        let warnings = sink.serve_time_of_day.warnings("j.jsonl");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let warning = &warnings[0];
        assert!(warning.contains("(the first by +2.0 h)"), "{warning}");
        assert!(warning.contains("set --tz"), "{warning}");
    }

    /// Parses lines with a fresh parser and returns the sink after `finish`.
    /// Parses `lines` in order with `options`, then finishes, and returns the parser and sink.
    fn parse_with(options: &ParseOptions, lines: &[impl AsRef<str>]) -> (JournalParser, Sink) {
        let mut parser = JournalParser::new(options);
        let mut sink = Sink::new(0);
        for (n, line) in lines.iter().enumerate() {
            let line = line.as_ref().as_bytes();
            parser.parse_line(line, &LineCtx::plain(n as u64 + 1), &mut sink);
        }
        parser.finish(&mut sink).unwrap();
        (parser, sink)
    }

    fn parse_all(lines: &[&str], cat: bool) -> (Sink, Vec<LineClass>) {
        let mut parser = JournalParser::new(&ParseOptions::default());
        parser.set_cat_mode(cat);
        let mut sink = Sink::new(0);
        let classes = lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink)
            })
            .collect();
        parser.finish(&mut sink).unwrap();
        (sink, classes)
    }

    #[test]
    fn ws_close_in_every_text_mode() {
        let message = "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful";
        let go = "2026/06/10 19:56:01";
        let lines = [
            format!("Jun 10 19:56:01 devvm t3-dispatch[812]: {go} {message}"),
            format!("Jun 10 19:56:01.123456 devvm t3-dispatch[812]: {go} {message}"),
            format!("2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: {go} {message}"),
            format!("2026-06-10T19:56:01+0000 devvm t3-dispatch[812]: {go} {message}"),
            format!("2026-06-10T19:56:01.123456+00:00 devvm t3-dispatch[812]: {go} {message}"),
            format!("1781121361.123456 devvm t3-dispatch[812]: {go} {message}"),
            format!("Wed 2026-06-10 19:56:01 UTC devvm t3-dispatch.service[812]: {go} {message}"),
        ];
        for line in &lines {
            let (sink, classes) = parse_all(&[line], false);
            assert_eq!(classes, vec![LineClass::Used], "{line}");
            let event = &sink.events[0];
            assert_eq!(
                event.time.div_euclid(SECOND),
                utc("2026-06-10T19:56:01Z") / SECOND,
                "{line}"
            );
            let EventKind::WsClose { user, dur_ms, .. } = &event.kind else {
                panic!("{line}: {:?}", event.kind)
            };
            assert_eq!(&**user, "alice");
            assert_eq!(*dur_ms, 21873);
        }
    }

    #[test]
    fn cat_mode_uses_go_prefix() {
        let (sink, classes) = parse_all(
            &[
                "2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
                "Accepted publickey for alice",
            ],
            true,
        );
        assert_eq!(sink.events.len(), 1);
        assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
        assert_eq!(classes[0], LineClass::Used);
        assert_eq!(classes[1], LineClass::Ignored);
    }

    const CAT_OOM: &str =
        "t3-serve@bob.service: A process of this unit has been killed by the OOM killer.";
    const CAT_CLOSE: &str = "2026/06/10 19:56:05 ws close user=bob ip=203.0.113.8, 10.10.1.12 dur_ms=881000 cause=graceful";

    #[test]
    fn cat_evidence_takes_next_dated_time() {
        let (sink, classes) = parse_all(
            &[
                "2026/06/10 19:56:01 ws open user=alice ip=203.0.113.7, 10.10.1.12",
                CAT_OOM,
                CAT_CLOSE,
            ],
            true,
        );
        assert_eq!(
            classes[1],
            LineClass::Used,
            "evidence without a time is kept"
        );
        let oom = sink.events.iter().find(|e| e.origin.line() == 2).unwrap();
        assert_eq!(
            oom.time,
            utc("2026-06-10T19:56:05Z"),
            "the next dated line's time"
        );
        assert_eq!(oom.precision, Precision::Second);
    }

    #[test]
    fn cat_evidence_at_end_takes_last_time() {
        let options = ParseOptions::default();
        let mut parser = JournalParser::new(&options);
        parser.set_cat_mode(true);
        let mut sink = Sink::new(0);
        for (n, line) in [CAT_CLOSE, CAT_OOM].iter().enumerate() {
            parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
        }
        parser.finish(&mut sink).unwrap();
        let oom = sink.events.iter().find(|e| e.origin.line() == 2).unwrap();
        assert_eq!(oom.time, utc("2026-06-10T19:56:05Z"));
        assert_eq!(parser.notes("j.log").len(), 1, "the placement is noted");
    }

    /// A serve event's kind, user, UTC time and whether that time is estimated.
    type ServeEventSummary = (&'static str, Option<String>, i64, bool);

    /// The serve events of `-o cat` lines read in the order given, with the input's notes.
    fn cat_serve_events(
        lines: &[&str],
        newest_first: bool,
        zone: Zone,
    ) -> (Vec<ServeEventSummary>, Vec<String>) {
        let options = ParseOptions {
            zone,
            ..ParseOptions::default()
        };
        let mut parser = JournalParser::new(&options);
        parser.set_cat_mode(true);
        parser.set_newest_first(newest_first);
        let mut sink = Sink::new(0);
        for (n, line) in lines.iter().enumerate() {
            parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink);
        }
        parser.finish(&mut sink).unwrap();
        let events = sink
            .events
            .iter()
            .filter(|event| {
                matches!(
                    event.kind,
                    EventKind::ServeGitTimeout { .. } | EventKind::ServeStarted { .. }
                )
            })
            .map(|event| {
                (
                    event.kind.name(),
                    event.kind.user().map(String::from),
                    event.time,
                    event.estimated,
                )
            })
            .collect();
        (events, parser.notes("j.log"))
    }

    /// A name, `-o cat` lines oldest first, the zone of --tz, and the serve events expected:
    /// kind, user, UTC time and whether the time is estimated.
    type CatServeCase<'a> = (
        &'a str,
        &'a [&'a str],
        &'a str,
        &'a [(&'a str, Option<&'a str>, &'a str, bool)],
    );

    #[test]
    fn cat_serve_lines_in_either_order() {
        const OPEN: &str = "2026/03/14 10:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13";
        const CLOSE: &str = "2026/03/14 10:14:08 ws close user=wendy ip=2001:db8::106, 10.10.2.13 dur_ms=406000 cause=graceful";
        const HEADER: &str = "[10:14:00.500] WARN (#355): git remote status refresh failed";
        const DETAIL: &str = "  Command failed: git fetch --quiet origin: timed out.";
        let cases: &[CatServeCase] = &[
            (
                "a header and its detail line take the header's time of day",
                &[
                    OPEN,
                    "Invalid user ubuntu from 192.0.2.200 port 40239",
                    HEADER,
                    DETAIL,
                    CLOSE,
                ],
                "UTC",
                &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
            ),
            (
                "two serves' timeouts without a home path stay two events without a user",
                &[
                    OPEN,
                    HEADER,
                    DETAIL,
                    "[10:14:02.889] INFO (#471): opened project /home/victor/src/app",
                    "[10:14:03.200] WARN (#613): git remote status refresh failed",
                    DETAIL,
                    CLOSE,
                ],
                "UTC",
                &[
                    ("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false),
                    ("serve_git_timeout", None, "2026-03-14T10:14:03.200Z", false),
                ],
            ),
            (
                "the user of a home path in the header",
                &[
                    OPEN,
                    "[10:14:03.200] WARN (#613): git status failed in /home/peggy/src/app",
                    DETAIL,
                    CLOSE,
                ],
                "UTC",
                &[(
                    "serve_git_timeout",
                    Some("peggy"),
                    "2026-03-14T10:14:03.200Z",
                    false,
                )],
            ),
            (
                "the user of a home path in the detail line",
                &[
                    OPEN,
                    HEADER,
                    "  Command failed: git -C /home/wendy/src/app fetch --quiet origin: timed out.",
                    CLOSE,
                ],
                "UTC",
                &[(
                    "serve_git_timeout",
                    Some("wendy"),
                    "2026-03-14T10:14:00.500Z",
                    false,
                )],
            ),
            (
                "a second timed-out detail line of the header is no second timeout",
                &[
                    OPEN,
                    HEADER,
                    DETAIL,
                    "  GitCommandError: git fetch timed out.",
                    CLOSE,
                ],
                "UTC",
                &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
            ),
            (
                "a header that says timed out counts once with its detail line",
                &[
                    OPEN,
                    "[10:14:00.500] WARN (#355): git fetch timed out.",
                    DETAIL,
                    CLOSE,
                ],
                "UTC",
                &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
            ),
            (
                "a header just before midnight takes the day before the next dated line",
                &[
                    "2026/06/10 23:59:58 ws open user=bob ip=203.0.113.22, 10.10.1.12",
                    "[23:59:59.900] WARN (#412): git remote status refresh failed",
                    DETAIL,
                    "2026/06/11 00:00:02 ws close user=bob ip=203.0.113.22, 10.10.1.12 dur_ms=4000 cause=graceful",
                ],
                "UTC",
                &[("serve_git_timeout", None, "2026-06-10T23:59:59.900Z", false)],
            ),
            (
                "a header before the first dated line and one after the last",
                &[
                    "[10:13:50.000] WARN (#1): git remote status refresh failed",
                    DETAIL,
                    OPEN,
                    CLOSE,
                    "[10:14:20.250] WARN (#2): git remote status refresh failed",
                    DETAIL,
                ],
                "UTC",
                &[
                    ("serve_git_timeout", None, "2026-03-14T10:13:50Z", false),
                    ("serve_git_timeout", None, "2026-03-14T10:14:20.250Z", false),
                ],
            ),
            (
                "a detail line without a header takes the next dated line's time",
                &[OPEN, DETAIL, CLOSE],
                "UTC",
                &[("serve_git_timeout", None, "2026-03-14T10:14:08Z", true)],
            ),
            (
                "a T3 Code running header is a start without a user",
                &[
                    OPEN,
                    "[10:14:01.100] INFO (#562): T3 Code running on http://127.0.0.1:3774",
                    CLOSE,
                ],
                "UTC",
                &[("serve_started", None, "2026-03-14T10:14:01.100Z", false)],
            ),
            (
                "header times of day are devvm's local time, as the Go prefix is",
                &[
                    "2026/03/14 11:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13",
                    "[11:14:00.500] WARN (#355): git remote status refresh failed",
                    DETAIL,
                    "2026/03/14 11:14:08 ws close user=wendy ip=2001:db8::106, 10.10.2.13 dur_ms=406000 cause=graceful",
                ],
                "Europe/Berlin",
                &[("serve_git_timeout", None, "2026-03-14T10:14:00.500Z", false)],
            ),
            (
                "an INFO header and a stack line are no evidence",
                &[
                    OPEN,
                    "[10:14:00.425] INFO (#613): opened project /home/trent/src/app",
                    "    at ChildProcess.exithandler (node:child_process:422:12)",
                    CLOSE,
                ],
                "UTC",
                &[],
            ),
        ];
        for (name, lines, zone, expected) in cases {
            let zone = Zone::parse(zone).unwrap();
            let expected: Vec<ServeEventSummary> = expected
                .iter()
                .map(|(kind, user, time, estimated)| {
                    (*kind, user.map(String::from), utc(time), *estimated)
                })
                .collect();
            let (oldest_first, _) = cat_serve_events(lines, false, zone);
            assert_eq!(oldest_first, expected, "{name}, oldest first");

            let reversed: Vec<&str> = lines.iter().rev().copied().collect();
            let (mut newest_first, _) = cat_serve_events(&reversed, true, zone);
            newest_first.sort_by_key(|(_, _, time, _)| *time);
            assert_eq!(newest_first, expected, "{name}, newest first");
        }
    }

    #[test]
    fn cat_serve_without_user_is_noted() {
        let lines = [
            "2026/03/14 10:13:56 ws open user=wendy ip=2001:db8::106, 10.10.2.13",
            "[10:14:00.500] WARN (#355): git remote status refresh failed",
            "  Command failed: git fetch --quiet origin: timed out.",
            "[10:14:03.200] WARN (#613): git status failed in /home/peggy/src/app",
            "  Command failed: git fetch --quiet origin: timed out.",
        ];
        let (_, notes) = cat_serve_events(&lines, false, Zone::Utc);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].starts_with("j.log: 1 t3 serve"), "{}", notes[0]);
    }

    #[test]
    fn cat_evidence_without_any_time_is_dropped() {
        let (sink, classes) = parse_all(&[CAT_OOM, "Accepted publickey for alice"], true);
        assert_eq!(classes[0], LineClass::Used);
        assert!(sink.events.is_empty(), "no time to place it at");
    }

    #[test]
    fn short_mode_learns_year_from_go_prefix() {
        let (sink, _) = parse_all(
            &[
                "Jun 10 19:55:00 devvm sshd[1]: Accepted publickey for alice",
                "Jun 10 19:56:01 devvm t3-dispatch[812]: 2026/06/10 19:56:01 t3-dispatch listening on :3780",
            ],
            false,
        );
        assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
        let track = sink.activity.tracks.values().next().unwrap();
        assert_eq!(
            track.first,
            utc("2026-06-10T19:55:00Z"),
            "activity moves to the real year too"
        );
    }

    #[test]
    fn short_mode_without_dated_line_stays_pending() {
        let mut parser = JournalParser::new(&ParseOptions::default());
        let mut sink = Sink::new(0);
        let line = "Jun 10 19:55:00 devvm systemd[1]: t3-serve@bob.service: Main process exited, code=killed, status=9/KILL";
        parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
        parser.finish(&mut sink).unwrap();
        assert!(parser.year.used && parser.year.base.is_none());
        assert_eq!(parser.year.pending_events, vec![(0, Pass::First)]);
    }

    #[test]
    fn marked_times_across_dst_fall_back() {
        // Europe/Berlin repeats 02:00-03:00 on 2026-10-25: first CEST (+02:00), then CET.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let cases: &[(&str, &str)] = &[
            (
                "Sun 2026-10-25 01:59:59 CEST devvm sshd[1]: x",
                "2026-10-24T23:59:59Z",
            ),
            (
                "Sun 2026-10-25 02:30:00 CEST devvm sshd[1]: x",
                "2026-10-25T00:30:00Z",
            ),
            (
                "Sun 2026-10-25 02:30:00 CET devvm sshd[1]: x",
                "2026-10-25T01:30:00Z",
            ),
            (
                "Sun 2026-10-25 02:05:01 CET devvm t3-dispatch.service[812]: x",
                "2026-10-25T01:05:01Z",
            ),
            (
                "Sun 2026-10-25 02:30:00.250000 CET devvm sshd[1]: x",
                "2026-10-25T01:30:00.25Z",
            ),
            (
                "Sun 2026-10-25 03:00:00 CET devvm sshd[1]: x",
                "2026-10-25T02:00:00Z",
            ),
            // An abbreviation that fits neither offset leaves the earlier instant.
            (
                "Sun 2026-10-25 02:30:00 EET devvm sshd[1]: x",
                "2026-10-25T00:30:00Z",
            ),
            // 02:30 does not exist on 2026-03-29; read with the winter offset, as before.
            (
                "Sun 2026-03-29 02:30:00 CET devvm sshd[1]: x",
                "2026-03-29T01:30:00Z",
            ),
        ];
        let options = ParseOptions {
            zone: berlin,
            ..ParseOptions::default()
        };
        for (line, expected) in cases {
            let mut parser = JournalParser::new(&options);
            let (stamp, _) = parser.stamp(line.as_bytes()).unwrap();
            let Stamp::Real(t, _) = stamp else {
                panic!("{line}: {stamp:?}")
            };
            assert_eq!(t, utc(expected), "{line}");
        }
    }

    #[test]
    fn zone_name_against_tz() {
        let notes = |zone: Zone, line: &str| {
            let options = ParseOptions {
                zone,
                ..ParseOptions::default()
            };
            let mut parser = JournalParser::new(&options);
            let mut sink = Sink::new(0);
            parser.parse_line(line.as_bytes(), &LineCtx::plain(1), &mut sink);
            parser.notes("j.log")
        };
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let cest = "Wed 2026-06-10 12:00:10 CEST devvm sshd[1]: x";
        let utc_line = "Wed 2026-06-10 12:00:10 UTC devvm sshd[1]: x";

        let wrong = notes(Zone::Utc, cest);
        assert_eq!(wrong.len(), 1);
        assert!(
            wrong[0].contains("marked CEST, but --tz gives UTC"),
            "{wrong:?}"
        );
        assert!(
            notes(berlin, cest).is_empty(),
            "CEST is Berlin's summer zone"
        );
        assert!(notes(Zone::Utc, utc_line).is_empty());
        assert!(
            notes(berlin, utc_line).is_empty(),
            "UTC lines are read as UTC"
        );
        // In January Berlin is on CET, so a CEST mark there is wrong too.
        let winter = notes(berlin, "Sat 2026-01-10 12:00:10 CEST devvm sshd[1]: x");
        assert!(winter[0].contains("--tz gives CET"), "{winter:?}");
        // chrono-tz names Istanbul's zone by no abbreviation, so `+03` cannot be checked.
        let istanbul = Zone::parse("Europe/Istanbul").unwrap();
        let numeric = "Wed 2026-06-10 12:00:10 +03 devvm sshd[1]: x";
        assert!(notes(istanbul, numeric).is_empty(), "no false warning");
    }

    #[test]
    fn serve_time_of_day_reads_in_line_offset() {
        // A serve's header time is the host's local time, which an ISO line's offset names,
        // whatever --tz is. Each case: the lines, --tz, the git timeout's UTC time.
        let cases = [
            (
                [
                    "2026-06-10T21:41:02+02:00 devvm t3[4723]: [21:41:02.860] WARN (#252): git remote status refresh failed",
                    "2026-06-10T21:41:02+02:00 devvm t3[4723]:   Command failed: git fetch --quiet origin: timed out.",
                ],
                "UTC",
                "2026-06-10T19:41:02.86Z",
            ),
            (
                [
                    "2026-06-10T19:41:02+00:00 devvm t3[4723]: [19:41:02.860] WARN (#252): git remote status refresh failed",
                    "2026-06-10T19:41:02+00:00 devvm t3[4723]:   Command failed: git fetch --quiet origin: timed out.",
                ],
                "Europe/Berlin",
                "2026-06-10T19:41:02.86Z",
            ),
            (
                [
                    "2026-06-10T21:41:02.861234+02:00 devvm t3[4723]: [21:41:02.860] WARN (#252): git remote status refresh failed timed out",
                    "2026-06-10T21:41:02.861300+02:00 devvm t3[4723]: another line",
                ],
                "UTC",
                "2026-06-10T19:41:02.86Z",
            ),
        ];
        for (lines, zone, expected) in cases {
            let options = ParseOptions {
                zone: Zone::parse(zone).unwrap(),
                ..ParseOptions::default()
            };
            let (_, sink) = parse_with(&options, &lines);
            let timeout = sink
                .events
                .iter()
                .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
                .unwrap_or_else(|| panic!("no timeout: {lines:?}"));
            assert_eq!(timeout.time, utc(expected), "{lines:?} with --tz {zone}");
        }
    }

    #[test]
    fn serve_time_of_day_placed_by_entry_time() {
        // A serve header carries devvm's local time of day. When journalctl ran in another
        // zone, the line's offset (`short-iso`) or local time (`short`) is not devvm's, and
        // the entry's time decides the instant. Within the slack, the header's own time wins.
        struct Case {
            name: &'static str,
            lines: [&'static str; 2],
            tz: &'static str,
            timeout: &'static str,
            /// The expected mismatches in the line's offset and on the line's local clock.
            line_offset: u64,
            line_local_time: u64,
        }
        let header = "WARN (#355): git remote status refresh failed";
        let detail = "  Command failed: git fetch --quiet origin: timed out.";
        let cases = [
            Case {
                name: "iso printed in Berlin, devvm on UTC",
                lines: [
                    "2026-03-14T11:14:00.500000+01:00 devvm t3[5103]: [10:14:00.500] HEADER",
                    "2026-03-14T11:14:00.501000+01:00 devvm t3[5103]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 1,
                line_local_time: 0,
            },
            Case {
                name: "iso printed in Berlin, --tz has no effect",
                lines: [
                    "2026-03-14T11:14:00.500000+01:00 devvm t3[5103]: [10:14:00.500] HEADER",
                    "2026-03-14T11:14:00.501000+01:00 devvm t3[5103]: DETAIL",
                ],
                tz: "Europe/Berlin",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 1,
                line_local_time: 0,
            },
            Case {
                name: "iso printed in New York, devvm on UTC, whole-second mode",
                lines: [
                    "2026-03-14T05:14:00-05:00 devvm t3[5103]: [10:14:00.500] HEADER",
                    "2026-03-14T05:14:00-05:00 devvm t3[5103]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 1,
                line_local_time: 0,
            },
            Case {
                name: "iso on devvm in Berlin summer time",
                lines: [
                    "2026-06-10T21:41:02.861234+02:00 devvm t3[4723]: [21:41:02.860] HEADER",
                    "2026-06-10T21:41:02.861300+02:00 devvm t3[4723]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 0,
                line_local_time: 0,
            },
            Case {
                name: "iso stamped 4 s late by a stalled host",
                lines: [
                    "2026-06-10T19:41:06.900000+00:00 devvm t3[4723]: [19:41:02.860] HEADER",
                    "2026-06-10T19:41:06.900100+00:00 devvm t3[4723]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 0,
                line_local_time: 0,
            },
            Case {
                name: "iso printed in Berlin and stamped 4 s late",
                lines: [
                    "2026-06-10T21:41:06.900000+02:00 devvm t3[4723]: [19:41:02.860] HEADER",
                    "2026-06-10T21:41:06.900100+02:00 devvm t3[4723]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 1,
                line_local_time: 0,
            },
            Case {
                name: "iso stamped 7 minutes late keeps the header's time",
                lines: [
                    "2026-06-10T19:48:02.900000+00:00 devvm t3[4723]: [19:41:02.860] HEADER",
                    "2026-06-10T19:48:02.900100+00:00 devvm t3[4723]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 0,
                line_local_time: 0,
            },
            Case {
                name: "iso printed in Berlin and stamped 8 s late",
                lines: [
                    "2026-06-10T21:41:10.900000+02:00 devvm t3[4723]: [19:41:02.860] HEADER",
                    "2026-06-10T21:41:10.900100+02:00 devvm t3[4723]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 1,
                line_local_time: 0,
            },
            Case {
                name: "short printed in Berlin, devvm on UTC, right --tz",
                lines: [
                    "Mar 14 11:14:00 devvm t3[5103]: [10:14:00.500] HEADER",
                    "Mar 14 11:14:00 devvm t3[5103]: DETAIL",
                ],
                tz: "Europe/Berlin",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 0,
                line_local_time: 1,
            },
            Case {
                name: "short-precise printed in Berlin summer time, devvm on UTC",
                lines: [
                    "Jun 10 21:41:02.861234 devvm t3[4723]: [19:41:02.860] HEADER",
                    "Jun 10 21:41:02.861300 devvm t3[4723]: DETAIL",
                ],
                tz: "Europe/Berlin",
                timeout: "2026-06-10T19:41:02.86Z",
                line_offset: 0,
                line_local_time: 1,
            },
            Case {
                name: "short on devvm in Berlin",
                lines: [
                    "Mar 14 11:14:00 devvm t3[5103]: [11:14:00.500] HEADER",
                    "Mar 14 11:14:00 devvm t3[5103]: DETAIL",
                ],
                tz: "Europe/Berlin",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 0,
                line_local_time: 0,
            },
            Case {
                name: "short on UTC, stamped 4 s late",
                lines: [
                    "Mar 14 10:14:04 devvm t3[5103]: [10:14:00.500] HEADER",
                    "Mar 14 10:14:04 devvm t3[5103]: DETAIL",
                ],
                tz: "UTC",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 0,
                line_local_time: 0,
            },
            Case {
                name: "short printed in Berlin, stamped 4 s late",
                lines: [
                    "Mar 14 11:14:04 devvm t3[5103]: [10:14:00.500] HEADER",
                    "Mar 14 11:14:04 devvm t3[5103]: DETAIL",
                ],
                tz: "Europe/Berlin",
                timeout: "2026-03-14T10:14:00.5Z",
                line_offset: 0,
                line_local_time: 1,
            },
        ];
        for case in cases {
            let options = ParseOptions {
                zone: Zone::parse(case.tz).unwrap(),
                year: Some(2026),
                ..ParseOptions::default()
            };
            let lines = case
                .lines
                .map(|line| line.replace("HEADER", header).replace("DETAIL", detail));
            let (_, sink) = parse_with(&options, &lines);
            let timeout = sink
                .events
                .iter()
                .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
                .unwrap_or_else(|| panic!("{}: no timeout", case.name));
            assert_eq!(timeout.time, utc(case.timeout), "{}", case.name);
            let mismatches = sink.serve_time_of_day;
            assert_eq!(mismatches.tz.count, 0, "{}", case.name);
            assert_eq!(
                mismatches.line_offset.count, case.line_offset,
                "{}",
                case.name
            );
            assert_eq!(
                mismatches.line_local_time.count, case.line_local_time,
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn serve_time_of_day_warning_per_reading() {
        let hour = 3600 * SECOND;
        let mut mismatches = TimeOfDayMismatch::default();
        assert!(mismatches.warnings("j.log").is_empty());

        mismatches.add(TimeOfDayReading::LineOffset, 35, -hour);
        mismatches.add(TimeOfDayReading::LineOffset, 38, -hour);
        let warnings = mismatches.warnings("j.log");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("j.log: 2 t3 serve header"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("on line 35, by -1.0 h"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("another TZ than devvm's"),
            "{}",
            warnings[0]
        );
        // The line's offset is exact, so --tz is no fix.
        assert!(!warnings[0].contains("set --tz"), "{}", warnings[0]);

        let mut local = TimeOfDayMismatch::default();
        local.add(TimeOfDayReading::LineLocalTime, 7, 2 * hour);
        let warnings = local.warnings("j.log");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("on line 7, by +2.0 h"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[0].contains("zone journalctl ran in"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn time_of_day_mismatch_merge_keeps_first_line() {
        let hour = 3600 * SECOND;
        // A later block settles a timeout on line 3 after the block counted line 9.
        let mut block = TimeOfDayMismatch::default();
        block.add(TimeOfDayReading::LineOffset, 9, -2 * hour);
        block.add(TimeOfDayReading::LineOffset, 3, -hour);
        block.add_lines(100);
        let mut input = TimeOfDayMismatch::default();
        input.add(TimeOfDayReading::Tz, 50, hour);
        input.merge(block);
        assert_eq!(input.line_offset.first, Some((103, -hour)));
        assert_eq!(input.line_offset.count, 2);
        assert_eq!(input.tz.first, Some((50, hour)));
        assert_eq!(input.tz.count, 1);
    }

    #[test]
    fn go_time_zone_noted_for_short_only() {
        // The same two dispatch lines printed by a journalctl in Berlin, devvm on UTC. Only the
        // `short` times are read in --tz, so only they can be read in the wrong zone.
        let go = "2026/03/14 10:03:21 ws close user=oscar ip=203.0.113.102, 10.10.1.12 dur_ms=780000 cause=graceful";
        let cases = [
            ("Mar 14 11:03:21 devvm t3-dispatch[812]:", "UTC", true),
            (
                "Mar 14 11:03:21.000412 devvm t3-dispatch[812]:",
                "UTC",
                true,
            ),
            (
                "Mar 14 11:03:21 devvm t3-dispatch[812]:",
                "Europe/Berlin",
                false,
            ),
            (
                "2026-03-14T11:03:21+01:00 devvm t3-dispatch[812]:",
                "UTC",
                false,
            ),
            (
                "Sat 2026-03-14 11:03:21 CET devvm t3-dispatch.service[812]:",
                "Europe/Berlin",
                false,
            ),
        ];
        for (prefix, zone, noted) in cases {
            let options = ParseOptions {
                zone: Zone::parse(zone).unwrap(),
                ..ParseOptions::default()
            };
            let line = format!("{prefix} {go}");
            let (parser, _) = parse_with(&options, &[&line, &line]);
            let notes = parser.clock_notes("j.log");
            let found = notes.iter().any(|note| note.contains("Go log time"));
            assert_eq!(found, noted, "{line} with --tz {zone}: {notes:?}");
        }
    }

    #[test]
    fn with_unit_names_the_serve_user() {
        let (sink, _) = parse_all(
            &[
                "Wed 2026-06-10 19:55:40 UTC devvm t3-serve@bob.service[4711]: [19:55:40.120] WARN (#412): git remote status refresh failed",
                "Wed 2026-06-10 19:55:45 UTC devvm t3-serve@bob.service[4711]:   Command failed: git fetch --quiet origin: timed out.",
            ],
            false,
        );
        let timeout = sink
            .events
            .iter()
            .find(|e| matches!(e.kind, EventKind::ServeGitTimeout { .. }))
            .unwrap();
        assert_eq!(timeout.kind.user(), Some("bob"));
        assert_eq!(
            timeout.time,
            utc("2026-06-10T19:55:40.12Z"),
            "the header's time of day wins"
        );
    }

    #[test]
    fn stop_sigterm_timeout_is_not_a_git_timeout() {
        let (sink, _) = parse_all(
            &[
                "2026-06-10T19:33:11+00:00 devvm systemd[1]: t3-serve@erin.service: State 'stop-sigterm' timed out. Killing.",
            ],
            false,
        );
        assert!(matches!(
            sink.events[0].kind,
            EventKind::UnitChange {
                action: crate::event::UnitAction::StopTimedOut,
                ..
            }
        ));
    }

    /// Go `log` headers other than the default one: the socket is read and keeps the journal
    /// time, whatever time the header shows.
    #[test]
    fn dispatch_go_header_shapes() {
        let message = "ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=5000 cause=graceful";
        let headers = [
            "19:00:15 ",
            "19:00:15.123456 ",
            "2026/06/10 19:00:15 main.go:88: ",
            "2026/06/10 19:00:15.123456 /src/t3/main.go:88: ",
            "2026/06/10 ",
            "main.go:88: ",
            "dispatch: 2026/06/10 19:00:15 ",
            "2026/06/10 19:00:15 main.go:88: [dispatch] ",
            "",
        ];
        for header in headers {
            let line =
                format!("2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: {header}{message}");
            let (sink, classes) = parse_all(&[&line], false);
            assert_eq!(classes, vec![LineClass::Used], "{line}");
            assert_eq!(sink.events[0].time, utc("2026-06-10T19:00:15Z"), "{line}");
            assert!(
                matches!(sink.events[0].kind, EventKind::WsClose { dur_ms: 5000, .. }),
                "{line}"
            );
        }
    }

    /// A dispatch line that does not read is malformed, with a reason that names its shape,
    /// and a line of no interest stays ignored.
    #[test]
    fn dispatch_lines_that_do_not_read() {
        let line =
            |message: &str| format!("2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: {message}");
        let cases = [
            (
                "2026/13/10 19:00:15 ws open user=alice ip=203.0.113.7",
                "invalid date",
            ),
            ("2026/06/10 19:00:15 config reloaded", "unknown shape"),
            (
                "2026-06-10 19:00:15 ws open user=alice ip=203.0.113.7",
                "not a Go log header",
            ),
            (
                "2026/06/10 19:00:15 ws open user=al2026-06-10T19:00:15+00:00 devvm t3-dispatch[812]: 2026/06/10 19:00:15 ws open user=bob ip=203.0.113.22, 10.10.3.14",
                "two journal lines joined",
            ),
        ];
        for (message, reason) in cases {
            let (sink, classes) = parse_all(&[&line(message)], false);
            assert!(sink.events.is_empty(), "{message}");
            assert!(
                matches!(classes[0], LineClass::Malformed(text) if text.contains(reason)),
                "{message}: {:?}",
                classes[0]
            );
        }
        let ignored = [
            "2026/06/10 19:00:15 paired user=alice endpoint=/api/auth/browser-session fallback=false",
            "2026/06/10 19:00:15 http: TLS handshake error from 203.0.113.7:51234: EOF",
            "goroutine 1 [running]:",
        ];
        for message in ignored {
            let (_, classes) = parse_all(&[&line(message)], false);
            assert_eq!(classes, vec![LineClass::Ignored], "{message}");
        }
    }

    #[test]
    fn short_year_from_header_with_file() {
        let (sink, _) = parse_all(
            &[
                "Jun 10 19:56:01 devvm t3-dispatch[812]: 2026/06/10 19:56:01 main.go:88: t3-dispatch listening on :3780",
            ],
            false,
        );
        assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01Z"));
    }

    /// The evidence lines of other programs, whole and with the next journal line joined to a
    /// cut write: the joined one is malformed, not an event of a damaged user.
    #[test]
    fn joined_lines_of_other_programs() {
        let cases = [
            (
                "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
                "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@bob.service: Main process exited, code=kil2026-06-10T19:40:08+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
            ),
            (
                "2026-06-10T19:40:07+00:00 devvm kernel: Memory cgroup out of memory: Killed process 4711 (node) total-vm:1024kB, anon-rss:512kB",
                "2026-06-10T19:40:07+00:00 devvm kernel: Memory cgroup out of memo2026-06-10T19:40:08+00:00 devvm kernel: Memory cgroup out of memory: Killed process 4711 (node) total-vm:1024kB, anon-rss:512kB",
            ),
            (
                "2026-06-10T19:40:07+00:00 devvm t3[4711]: [19:40:07.120] WARN (#412): git remote status refresh timed out.",
                "2026-06-10T19:40:07+00:00 devvm t3[4711]: [19:40:07.120] WARN (#412): git rem2026-06-10T19:40:08+00:00 devvm t3[4712]: [19:40:08.120] WARN (#412): git remote status refresh timed out.",
            ),
            (
                "2026-06-10T19:40:07+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@bob.service (reason=timeout)",
                "2026-06-10T19:40:07+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@al2026-06-10T19:40:08+00:00 devvm t3-watchdog[900]: WATCHDOG: restarted t3-serve@bob.service (reason=timeout)",
            ),
        ];
        for (whole, joined) in cases {
            let (sink, classes) = parse_all(&[whole], false);
            assert_eq!(classes, vec![LineClass::Used], "{whole}");
            assert!(!sink.events.is_empty(), "{whole}");
            let (sink, classes) = parse_all(&[joined], false);
            assert_eq!(
                classes,
                vec![LineClass::Malformed(JOINED_LINES)],
                "{joined}"
            );
            assert!(
                sink.events
                    .iter()
                    .all(|event| matches!(event.kind, EventKind::JournalSilence { .. })),
                "{joined}: {:?}",
                sink.events
            );
        }
    }

    #[test]
    fn joined_line_read_as_ignored_stays_ignored() {
        // Only lines that become events are searched for a joined line, so one whose own
        // part reads as nothing (a unit name cut to `al`) is ignored, hiding the joined
        // line's evidence.
        let joined = "2026-06-10T19:40:07+00:00 devvm systemd[1]: t3-serve@al2026-06-10T19:40:08+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.";
        let (_, classes) = parse_all(&[joined], false);
        assert_eq!(classes, vec![LineClass::Ignored]);
    }

    #[test]
    fn journal_prefix_inside_text() {
        let cases = [
            (
                "ip=203.0.2026-06-10T19:40:07+00:00 devvm t3-dispatch[812]: x",
                true,
            ),
            ("user=alJun 10 19:40:07 devvm t3-dispatch[812]: x", true),
            ("user=al1781120407.123456 devvm t3-dispatch[812]: x", true),
            (
                "gracWed 2026-06-10 19:40:07 UTC devvm t3-serve@bob.service[4711]: x",
                true,
            ),
            // Go error text and addresses with brackets and colons.
            (
                "cause=dial tcp6 [::1]:3773: connect: connection refused",
                false,
            ),
            ("ip=[2001:db8::7]:51234", false),
            (
                "[19:40:07.120] WARN (#412): git remote status refresh failed",
                false,
            ),
            (
                "devvm t3-dispatch[812]: at the start has no space before the host",
                false,
            ),
            ("x t3-dispatch[]: no pid", false),
            ("]: ", false),
            ("", false),
            (
                "memo2026-06-10T19:40:08+00:00 devvm kernel: Out of memory",
                true,
            ),
            ("memoJun 10 19:40:08 devvm kernel: Out of memory", true),
            ("failed to load the devvm kernel: module missing", false),
        ];
        for (text, expected) in cases {
            assert_eq!(contains_journal_prefix(text.as_bytes()), expected, "{text}");
        }
    }

    #[test]
    fn cat_mode_reads_go_header_with_file() {
        let (sink, classes) = parse_all(
            &[
                "2026/06/10 19:56:01.123456 main.go:88: ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
                "2026/13/10 19:56:02 ws close user=bob ip=203.0.113.22 dur_ms=5 cause=graceful",
                "Accepted publickey for alice",
                "/usr/lib/python3/dist-packages/apt.py:12: DeprecationWarning: old",
                "2026/06/10 19:56:02 ws close user=al2026/06/10 19:56:02 ws close user=bob ip=203.0.113.22 dur_ms=5 cause=graceful",
            ],
            true,
        );
        assert_eq!(sink.events.len(), 1);
        assert_eq!(sink.events[0].time, utc("2026-06-10T19:56:01.123456Z"));
        assert_eq!(classes[0], LineClass::Used);
        assert!(
            matches!(classes[1], LineClass::Malformed(text) if text.contains("invalid date")),
            "{:?}",
            classes[1]
        );
        assert_eq!(classes[2], LineClass::Ignored);
        assert_eq!(classes[3], LineClass::Ignored);
        assert!(
            matches!(classes[4], LineClass::Malformed(text) if text.contains("joined")),
            "{:?}",
            classes[4]
        );
    }

    #[test]
    fn blob_data_and_garbage_lines() {
        let (sink, classes) = parse_all(
            &[
                "2026-06-10T19:56:01+00:00 devvm t3[4711]: [1.2K blob data]",
                "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: [1.2K blob data]",
                "\x01\x00 binary \x00",
                "2026-06-10T19:56:01+00:00",
            ],
            false,
        );
        assert!(sink.events.is_empty());
        assert_eq!(classes[0], LineClass::Ignored);
        assert_eq!(classes[1], LineClass::Ignored);
        assert!(matches!(classes[2], LineClass::Malformed(_)));
        assert!(matches!(classes[3], LineClass::Malformed(_)));
    }

    #[test]
    fn bare_cloudflared_line_is_malformed() {
        // A cloudflared line pasted into a journal file: its level is no host, and its time
        // must not stretch the journal's span.
        let (sink, classes) = parse_all(
            &[
                "2026-06-10T19:12:00+00:00 devvm sshd[901]: Accepted publickey for alice",
                "2026-06-10T19:40:32Z ERR  error=\"Incoming request ended abruptly: context canceled\" ingressRule=0",
                "2026-06-10T19:40:33Z INF Registered tunnel connection connIndex=0",
                // A host that happens to be named like a level, under journalctl's own stamp.
                "2026-06-10T19:12:01+00:00 ERR sshd[901]: Accepted publickey for bob",
            ],
            false,
        );
        assert_eq!(classes[0], LineClass::Ignored);
        assert!(matches!(classes[1], LineClass::Malformed(r) if r.contains("cloudflared")));
        assert!(matches!(classes[2], LineClass::Malformed(r) if r.contains("cloudflared")));
        assert_eq!(classes[3], LineClass::Ignored);
        let hosts: Vec<&str> = sink.journal_hosts.0.iter().map(|h| &*h.host).collect();
        assert_eq!(hosts, ["devvm", "ERR"]);
        assert_eq!(sink.journal_edge.last, Some(utc("2026-06-10T19:12:01Z")));
    }

    #[test]
    fn cloudflared_under_systemd_keeps_inner_time() {
        let (sink, _) = parse_all(
            &[
                "2026-06-10T21:30:14+02:00 gw cloudflared[77]: 2026-06-10T19:30:12Z INF Unregistered tunnel connection connIndex=2 event=0 ip=198.41.192.7",
            ],
            false,
        );
        let event = &sink.events[0];
        assert_eq!(event.source, Source::Cloudflared);
        assert_eq!(event.time, utc("2026-06-10T19:30:12Z"));
        assert!(
            sink.activity
                .tracks
                .keys()
                .all(|k| k.source == Source::Cloudflared),
            "not devvm journal coverage"
        );
    }

    #[test]
    fn short_lines_have_no_year() {
        assert!(has_no_year(b"Jun 10 19:56:01 devvm t3[1]: x"));
        assert!(has_no_year(b"Jun  1 19:56:01.123456 devvm t3[1]: x"));
        assert!(!has_no_year(b"Wed 2026-06-10 19:56:01 UTC devvm t3[1]: x"));
        assert!(!has_no_year(b"2026-06-10T19:56:01+00:00 devvm t3[1]: x"));
    }

    #[test]
    fn route_by_content_shapes() {
        let cases: &[(&[u8], &str)] = &[
            (
                b"2026/06/10 19:30:12 ws open user=bob ip=203.0.113.22, 10.10.1.12",
                "Dispatch",
            ),
            (
                b"[19:30:11.000] WARN (#412): git remote status refresh failed",
                "Serve(None)",
            ),
            (b"t3-watchdog: restarting t3-serve@bob.service", "Restart"),
            (
                b"oom-kill:constraint=CONSTRAINT_MEMCG,task=node,pid=4711,uid=1000",
                "Kernel",
            ),
            (
                b"Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) #45-Ubuntu SMP",
                "Kernel",
            ),
            (
                b"Out of memory: Killed process 4711 (node) total-vm:1kB",
                "Kernel",
            ),
            (
                b"t3-serve@bob.service: Failed with result 'oom-kill'.",
                "Systemd",
            ),
            (
                b"Started t3-dispatch.service - t3 per-user dispatch + auto-pair.",
                "Systemd",
            ),
            (
                b"low memory! at or below SIGTERM limits: mem  5.00%, swap 100.00%",
                "Earlyoom",
            ),
            (
                b"Accepted publickey for bob from 192.0.2.9 port 22 ssh2",
                "Other",
            ),
            // An indented serve detail line has no shape of its own.
            (
                b"  Command failed: git fetch --quiet origin: timed out.",
                "Other",
            ),
            (b"", "Other"),
        ];
        for (message, expected) in cases {
            assert_eq!(
                format!("{:?}", route_by_content(message)),
                *expected,
                "{}",
                String::from_utf8_lossy(message)
            );
        }
    }

    #[test]
    fn sniff_scores() {
        assert_eq!(
            sniff(b"2026-06-10T19:56:01+00:00 devvm sshd[1]: Accepted publickey"),
            2
        );
        assert_eq!(sniff(b"Jun 10 19:56:01 devvm CRON[1]: x"), 2);
        assert_eq!(sniff(b"-- No entries --"), 1);
        assert_eq!(
            sniff(b"2026-06-10T19:30:12Z INF Registered tunnel connection connIndex=2"),
            0
        );
        assert_eq!(
            sniff(b"203.0.113.7 - - [10/Jun/2026:19:30:12 +0000] \"GET / HTTP/1.1\""),
            0
        );
    }
}
