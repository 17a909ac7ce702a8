//! Parsers, one module per log format, all behind the [`LineParser`] interface.
//!
//! A parser reads one line (without its line ending) and returns how the line was accounted
//! for: [`LineClass::Used`] when it became an event, [`LineClass::Ignored`] when it is a valid
//! line of no interest, or [`LineClass::Malformed`] with a short reason. Events and source
//! activity (the times a source was seen logging, for coverage) go into the [`Sink`].
//!
//! Parsers must not panic on any input; property tests beside each parser and the fuzz targets
//! in `fuzz/` check that. Line formats look for the few needles that make a line relevant with
//! memchr before any regex runs.
//!
//! NOTE: JSON formats (journal json, Traefik JSON, envelopes) deserialise every line, relevant
//! or not, so they allocate per line.

pub mod client;
pub mod cloudflared;
pub mod dispatch;
pub mod envelope;
pub mod grafana_csv;
pub mod journal;
pub mod journal_export;
pub mod journal_json;
pub mod journal_prefix;
pub mod journal_tod;
pub mod journal_year;
pub mod journal_zone;
pub mod metrics;
pub mod prometheus;
pub mod serve;
pub mod system;
pub mod traefik;

use std::collections::BTreeMap;

use regex::Regex;

use crate::event::{Event, EventKind, Origin, Source, display_bytes};
use crate::time::{Precision, SECOND, Zone};

/// The accounting class of one input line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineClass {
    /// The line produced an event or evidence.
    Used,
    /// A well-formed line that does not matter to attribution (other units, other routers).
    Ignored,
    /// A line that could not be read; the reason is shown with its file:line in the summary.
    Malformed(&'static str),
}

/// The result of a journal-message parser (dispatch, serve, system) for one message.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// The message is evidence. `inner_time` is a time written inside the message itself.
    Event {
        kind: EventKind,
        inner_time: Option<InnerTime>,
    },
    /// A valid message of no interest.
    Ignored,
    /// A message of a known program that could not be read (for example `ws close` with no
    /// `dur_ms=`); the reason is shown in the summary.
    Malformed(&'static str),
}

impl Message {
    /// Returns an event with no inner time.
    pub fn event(kind: EventKind) -> Message {
        Message::Event {
            kind,
            inner_time: None,
        }
    }
}

/// A time written inside a journal message, in the host's local zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InnerTime {
    /// A full date and time, such as Go's `log` prefix `2026/06/10 19:56:01`.
    Civil(crate::time::Civil),
    /// A time of day without a date, such as t3 serve's `[19:55:40.120]` header. The date is
    /// the one that puts it closest to the journal time.
    TimeOfDay {
        hour: u32,
        minute: u32,
        second: u32,
        micros: u32,
    },
}

/// Settings every parser may need, fixed for the whole run.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Zone for timestamps that carry none (`--tz`).
    pub zone: Zone,
    /// Year for journal `short` lines (`--year`); `None` infers it from dated lines.
    pub year: Option<i32>,
    /// Traefik routers whose `GET /ws` lines are t3 sockets (`--router`).
    pub router: Regex,
    /// The WebSocket path of the browser socket (`--ws-path`).
    pub ws_path: String,
    /// Thresholds for events read from metric series (`--io-pressure`, `--memory-pressure`).
    pub metrics: metrics::MetricOptions,
    /// The only host whose journal text lines are read (`--host`); `None` reads every host.
    pub host: Option<String>,
    /// The shortest journal silence whose edge line becomes an event (`--gap-min`), so a gap
    /// can cite the lines around it.
    pub silence_min: i64,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            zone: Zone::Utc,
            year: None,
            router: Regex::new(DEFAULT_ROUTER).expect("the default router pattern is valid"),
            ws_path: "/ws".to_string(),
            metrics: metrics::MetricOptions::default(),
            host: None,
            silence_min: 30 * crate::time::SECOND,
        }
    }
}

/// Routers of the t3 deployment: `<namespace>-<ingress>-<host>@provider`, namespace `t3code`,
/// ingress `t3`.
pub const DEFAULT_ROUTER: &str = "^t3code-t3";

/// Per-line context handed to a parser.
#[derive(Clone, Copy, Debug)]
pub struct LineCtx<'a> {
    /// 1-based line number in the decompressed input.
    pub line: u64,
    /// The time of an envelope around the line (a journal or kubectl timestamp), used when the
    /// line carries no time of its own.
    pub outer_time: Option<(i64, Precision)>,
    /// The pod that logged the line, when an envelope or the file name names it.
    pub pod: Option<&'a str>,
}

impl LineCtx<'_> {
    pub fn plain(line: u64) -> LineCtx<'static> {
        LineCtx {
            line,
            outer_time: None,
            pod: None,
        }
    }
}

/// A parser of one line format.
pub trait LineParser {
    fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass;

    /// Called after the last line of a block parsed apart from the others, and after the
    /// sampled lines, for parsers whose state the block merge carries from block to block.
    fn end_block(&mut self, _sink: &mut Sink) {}

    /// Called once after the last line, for parsers that resolve something at the end (the
    /// journal's year, for example).
    fn finish(&mut self, _sink: &mut Sink) -> Result<(), crate::error::Error> {
        Ok(())
    }
}

/// The events and activity collected from one input.
#[derive(Debug, Default)]
pub struct Sink {
    pub input: u32,
    pub events: Vec<Event>,
    pub activity: Activity,
    /// The serve state a block of journal lines leaves for the block merge, valid until the
    /// events are merged with other inputs.
    pub serve: serve::ServeBlock,
    /// The first journal zone abbreviation that `--tz` does not give at its time, and the one
    /// it gives, found by a parser of one block, for the input's warning.
    pub zone_mismatch: Option<(String, String)>,
    /// Serve header times of day that disagreed with their entries' exact times.
    pub serve_time_of_day: journal::TimeOfDayMismatch,
    /// The routers of WebSocket requests (`GET` on `--ws-path`) that `--router` does not
    /// match, with their request counts, to name when no request matched.
    pub other_ws_routers: OtherRouters,
    /// Journal lines of t3-dispatch, of the other programs and of the host's own, to tell an
    /// export of t3's units alone from a whole journal.
    pub journal_lines: JournalLines,
    /// The hosts that journal text lines name.
    pub journal_hosts: JournalHosts,
    /// The journal lines that silences are measured from.
    pub journal_edge: JournalEdge,
}

/// The state of the journal silence check that crosses parallel blocks. A block cannot read
/// the line before its first one, so the block merge compares that line with the block before.
#[derive(Debug, Default, Clone)]
pub struct JournalEdge {
    /// The time of the last journal line read.
    pub last: Option<i64>,
    /// The first journal line read, as an event whose kind the merge sets when a silence ends
    /// at it.
    pub first: Option<Event>,
    /// The shortest silence that counts (`ParseOptions::silence_min`).
    pub min: i64,
}

/// The hosts of journal text lines, with their line counts, at most `JournalHosts::MAX`.
#[derive(Debug, Default, Clone)]
pub struct JournalHosts(pub Vec<HostLines>);

/// One host's journal lines: all of them, and those of t3-dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLines {
    pub host: Box<str>,
    pub lines: u64,
    pub dispatch: u64,
}

impl JournalHosts {
    /// As many as an event's `u8` host index can name. A fleet's journals piped in together
    /// can name dozens of hosts, and an uncounted host's `-o json` entries would be kept as
    /// devvm's evidence.
    const MAX: usize = 255;

    /// Counts one line of `host`. A host beyond the first `MAX` is not counted.
    pub fn add(&mut self, host: &[u8], dispatch: bool) {
        let entry = match self.0.iter().position(|h| h.host.as_bytes() == host) {
            Some(at) => &mut self.0[at],
            None if self.0.len() < Self::MAX => {
                self.0.push(HostLines {
                    host: String::from_utf8_lossy(host).into(),
                    lines: 0,
                    dispatch: 0,
                });
                self.0.last_mut().expect("a host was just pushed")
            }
            None => return,
        };
        entry.lines += 1;
        entry.dispatch += u64::from(dispatch);
    }

    /// Returns the index of `host`, or `None` when it was not counted.
    pub fn index_of(&self, host: &[u8]) -> Option<u8> {
        let index = self.0.iter().position(|h| h.host.as_bytes() == host)?;
        u8::try_from(index).ok()
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &JournalHosts) {
        for theirs in &other.0 {
            match self.0.iter().position(|h| h.host == theirs.host) {
                Some(at) => {
                    self.0[at].lines += theirs.lines;
                    self.0[at].dispatch += theirs.dispatch;
                }
                None if self.0.len() < Self::MAX => self.0.push(theirs.clone()),
                None => {}
            }
        }
    }
}

/// Journal lines counted by program.
#[derive(Debug, Default, Clone, Copy)]
pub struct JournalLines {
    pub dispatch: u64,
    /// Lines of the other programs, the host's own included.
    pub other: u64,
    /// Whether a line came from the host's own programs (the kernel, sshd, cron and the like),
    /// which an export of t3's units never contains. Only whether there is one matters, so
    /// once one is found, later lines skip the test: it searches the message, and about half a
    /// whole journal's lines are the host's.
    pub host: bool,
}

impl JournalLines {
    pub fn add(&mut self, other: JournalLines) {
        self.dispatch += other.dispatch;
        self.other += other.other;
        self.host |= other.host;
    }

    /// Tells whether the lines are those of an export of t3's units alone: `journalctl -u
    /// t3-dispatch`, with `-u 't3-serve@*'` or not, or a Loki query for those units. Some lines
    /// come from t3's units, and none from the host's own programs. A whole devvm journal has
    /// kernel, sshd or cron lines even on a quiet host whose serves log a lot, while such an
    /// export cannot show a kernel OOM kill, earlyoom or a silence of the host.
    pub fn t3_units_only(&self) -> bool {
        self.dispatch + self.other > 0 && !self.host
    }
}

/// Router names with request counts, at most `OtherRouters::MAX` of them.
#[derive(Debug, Default, Clone)]
pub struct OtherRouters(pub std::collections::BTreeMap<Box<str>, u64>);

impl OtherRouters {
    const MAX: usize = 32;

    /// Counts one request of `router`. A router beyond the first `MAX` is not counted.
    pub fn add(&mut self, router: &str, count: u64) {
        if let Some(n) = self.0.get_mut(router) {
            *n += count;
        } else if self.0.len() < Self::MAX {
            self.0.insert(Box::from(router), count);
        }
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: &OtherRouters) {
        for (router, count) in &other.0 {
            self.add(router, *count);
        }
    }

    /// Returns the routers by count, most requests first.
    pub fn by_count(&self) -> Vec<(&str, u64)> {
        let mut list: Vec<(&str, u64)> = self.0.iter().map(|(r, n)| (r.as_ref(), *n)).collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        list
    }
}

impl Sink {
    pub fn new(input: u32) -> Sink {
        Sink {
            input,
            ..Sink::default()
        }
    }

    /// Adds an event read at `line`.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        time: i64,
        precision: Precision,
        source: Source,
        ctx: &LineCtx,
        kind: EventKind,
        text: &[u8],
    ) {
        self.events.push(Event {
            time,
            precision,
            source,
            origin: Origin::new(self.input, ctx.line),
            pod: ctx.pod.map(Box::from),
            kind,
            text: display_bytes(text),
            estimated: false,
            host: None,
        });
    }

    /// Marks the events from index `from` on as logged by `host`, one of `journal_hosts`, for
    /// an entry whose event text does not name its host.
    pub fn set_journal_host(&mut self, from: usize, host: &[u8]) {
        if host.is_empty() || from == self.events.len() {
            return;
        }
        let index = self.journal_hosts.index_of(host);
        for event in &mut self.events[from..] {
            event.host = index;
        }
    }

    /// Records that `source` (and `pod`, when known) logged a line at `time`.
    pub fn saw(&mut self, source: Source, pod: Option<&str>, time: i64) {
        self.activity.record(self.input, source, pod, time);
    }
}

/// The seconds at which each source was seen logging, for coverage and gap detection.
#[derive(Debug, Default, Clone)]
pub struct Activity {
    pub tracks: Tracks,
    /// The index in `tracks` of the last line's stream.
    last: Option<usize>,
}

/// One stream of lines: an input's source and, when known, its pod.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackKey {
    pub source: Source,
    pub input: u32,
    pub pod: Option<Box<str>>,
}

impl TrackKey {
    fn is(&self, input: u32, source: Source, pod: Option<&str>) -> bool {
        self.source == source && self.input == input && self.pod.as_deref() == pod
    }
}

/// The span and the seconds of one stream.
#[derive(Clone, Debug)]
pub struct Track {
    pub first: i64,
    pub last: i64,
    pub lines: u64,
    pub seconds: SecondSet,
    /// The second last inserted, to skip repeated inserts.
    pub last_second: Option<i64>,
    /// The time of the last line recorded. Consecutive lines share a whole-second stamp most of
    /// the time, and such a line only adds to the count.
    last_time: i64,
}

/// The tracks of an [`Activity`], sorted by key. An input has one to a few streams, so a
/// sorted list is searched faster than a map, and a track keeps its index while no stream is
/// added, which lets [`Activity::record`] go straight to the last line's track.
#[derive(Debug, Default, Clone)]
pub struct Tracks(Vec<(TrackKey, Track)>);

impl Tracks {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&TrackKey, &Track)> {
        self.0.iter().map(|(key, track)| (key, track))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&TrackKey, &mut Track)> {
        self.0.iter_mut().map(|(key, track)| (&*key, track))
    }

    pub fn keys(&self) -> impl Iterator<Item = &TrackKey> {
        self.0.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl Iterator<Item = &Track> {
        self.0.iter().map(|(_, track)| track)
    }

    /// Returns the index of `key`'s track, adding `track` there when the key is new.
    fn index_or_insert(&mut self, key: TrackKey, track: impl FnOnce() -> Track) -> usize {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(index) => index,
            Err(index) => {
                self.0.insert(index, (key, track()));
                index
            }
        }
    }
}

impl<'a> IntoIterator for &'a Tracks {
    type Item = (&'a TrackKey, &'a Track);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (TrackKey, Track)>,
        fn(&'a (TrackKey, Track)) -> (&'a TrackKey, &'a Track),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(key, track)| (key, track))
    }
}

impl IntoIterator for Tracks {
    type Item = (TrackKey, Track);
    type IntoIter = std::vec::IntoIter<(TrackKey, Track)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Track {
    fn new(time: i64) -> Track {
        Track {
            first: time,
            last: time,
            lines: 0,
            seconds: SecondSet::default(),
            last_second: None,
            last_time: i64::MIN,
        }
    }

    /// Forgets the last line's second and time, once the track's seconds moved to other times.
    pub fn forget_last(&mut self) {
        self.last_second = None;
        self.last_time = i64::MIN;
    }

    fn record(&mut self, time: i64) {
        if time == self.last_time {
            self.lines += 1;
            return;
        }
        self.last_time = time;
        let second = time.div_euclid(SECOND);
        self.first = self.first.min(time);
        self.last = self.last.max(time);
        self.lines += 1;
        if self.last_second != Some(second) {
            self.seconds.insert(second);
            self.last_second = Some(second);
        }
    }
}

impl Activity {
    /// Removes every track of `source`.
    pub fn remove_source(&mut self, source: Source) {
        self.tracks.0.retain(|(key, _)| key.source != source);
        self.last = None;
    }

    pub fn record(&mut self, input: u32, source: Source, pod: Option<&str>, time: i64) {
        // Consecutive lines nearly always belong to the same stream, so the last line's track
        // is tried first. That skips the search and the key a new stream needs.
        if let Some(index) = self.last
            && let Some((key, track)) = self.tracks.0.get_mut(index)
            && key.is(input, source, pod)
        {
            track.record(time);
            return;
        }
        let key = TrackKey {
            source,
            input,
            pod: pod.map(Box::from),
        };
        let index = self.tracks.index_or_insert(key, || Track::new(time));
        self.last = Some(index);
        self.tracks.0[index].1.record(time);
    }

    /// Moves every track of `other` into this one.
    pub fn merge(&mut self, other: Activity) {
        for (key, track) in other.tracks {
            match self.tracks.0.binary_search_by(|(k, _)| k.cmp(&key)) {
                Ok(index) => {
                    let mine = &mut self.tracks.0[index].1;
                    mine.first = mine.first.min(track.first);
                    mine.last = mine.last.max(track.last);
                    mine.lines += track.lines;
                    mine.seconds.union(&track.seconds);
                }
                Err(index) => self.tracks.0.insert(index, (key, track)),
            }
        }
        // Indexes moved if a stream was added.
        self.last = None;
    }
}

/// A set of whole seconds, stored as 64-second bitmap blocks so a day of dense logging costs
/// about 11 KiB whatever the line count.
#[derive(Clone, Debug, Default)]
pub struct SecondSet {
    blocks: BTreeMap<i64, u64>,
}

impl SecondSet {
    pub fn insert(&mut self, second: i64) {
        *self.blocks.entry(second.div_euclid(64)).or_insert(0) |= 1 << second.rem_euclid(64);
    }

    pub fn contains(&self, second: i64) -> bool {
        self.blocks
            .get(&second.div_euclid(64))
            .is_some_and(|bits| bits & (1 << second.rem_euclid(64)) != 0)
    }

    pub fn union(&mut self, other: &SecondSet) {
        for (block, bits) in &other.blocks {
            *self.blocks.entry(*block).or_insert(0) |= bits;
        }
    }

    /// Returns the seconds in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.blocks.iter().flat_map(|(block, bits)| {
            (0..64)
                .filter(move |i| bits & (1u64 << i) != 0)
                .map(move |i| block * 64 + i)
        })
    }

    pub fn len(&self) -> usize {
        self.blocks
            .values()
            .map(|bits| bits.count_ones() as usize)
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.values().all(|bits| *bits == 0)
    }
}

/// Finds `needle` in `haystack`.
///
/// Log lines are short and the needles are a few bytes, so memchr on the needle's first byte
/// and a compare beats building a `memmem` searcher on every call (the searcher's set-up cost
/// dominated the journal parser's profile). The worst case, a long line full of the first byte,
/// is bounded by the line-length cap times the needle length.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(offset) = memchr::memchr(first, haystack.get(from..)?) {
        let at = from + offset;
        if haystack
            .get(at + 1..)
            .is_some_and(|tail| tail.starts_with(rest))
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Tells whether `needle` occurs in `haystack`; see [`find`].
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Returns the position of the last `needle` in `haystack`.
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(haystack.len());
    };
    let mut end = haystack.len();
    while let Some(at) = memchr::memrchr(first, &haystack[..end]) {
        if haystack
            .get(at + 1..)
            .is_some_and(|tail| tail.starts_with(rest))
        {
            return Some(at);
        }
        end = at;
    }
    None
}

/// Reads a decimal number at the start of `bytes`, returning it and the digits used.
///
/// Inlined: the Traefik parser calls it on every CLF line, and the compiler's own choice
/// changed with unrelated code, which once cost 5 % of a Traefik log's parse.
#[inline]
pub fn leading_number(bytes: &[u8]) -> Option<(u64, usize)> {
    let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 || count > 19 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in &bytes[..count] {
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some((value, count))
}

/// Takes a user name: letters, digits, `.`, `_` and `-` (the characters of Unix user names and
/// systemd instance names). Returns `None` for an empty name.
pub fn user_name(bytes: &[u8]) -> Option<Box<str>> {
    let count = user_name_len(bytes);
    if count == 0 {
        return None;
    }
    // The bytes are ASCII, checked by `user_name_len`.
    std::str::from_utf8(&bytes[..count]).ok().map(Box::from)
}

/// Returns the length of the user name at the start of `bytes`: letters, digits, `.`, `_`
/// and `-`.
pub fn user_name_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count()
}

/// Generates one of `lines` with a few bytes overwritten or inserted, then cut at a random
/// length, for the no-panic property tests of the parsers.
#[cfg(test)]
pub(crate) fn mutated_line(
    lines: &'static [&'static str],
) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    (
        0..lines.len(),
        prop::collection::vec((any::<usize>(), any::<u8>(), any::<bool>()), 0..4),
        any::<usize>(),
    )
        .prop_map(move |(index, edits, cut)| {
            let mut line = lines[index].as_bytes().to_vec();
            for (at, byte, insert) in edits {
                let at = at % (line.len() + 1);
                if insert || at == line.len() {
                    line.insert(at, byte);
                } else {
                    line[at] = byte;
                }
            }
            line.truncate(cut % (line.len() + 1));
            line
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Interleaved streams, recorded straight or in two halves merged afterwards, give
        /// the same tracks as a map filled line by line.
        #[test]
        fn activity_matches_a_map(
            lines in proptest::collection::vec((0u32..2, 0usize..3, 0u8..3, 0i64..200), 0..60),
            cut in 0usize..60,
        ) {
            let sources = [Source::Journal, Source::Traefik, Source::Cloudflared];
            let pods = [None, Some("a"), Some("b")];
            let mut expected: BTreeMap<TrackKey, (i64, i64, u64, Vec<i64>)> = BTreeMap::new();
            let mut straight = Activity::default();
            let (mut head, mut tail) = (Activity::default(), Activity::default());
            for (at, &(input, source, pod, second)) in lines.iter().enumerate() {
                let (source, pod) = (sources[source], pods[usize::from(pod)]);
                let time = second * SECOND + 7;
                straight.record(input, source, pod, time);
                let half = if at < cut { &mut head } else { &mut tail };
                half.record(input, source, pod, time);
                let key = TrackKey { source, input, pod: pod.map(Box::from) };
                let entry = expected.entry(key).or_insert((time, time, 0, Vec::new()));
                entry.0 = entry.0.min(time);
                entry.1 = entry.1.max(time);
                entry.2 += 1;
                entry.3.push(second);
            }
            head.merge(tail);
            for activity in [&straight, &head] {
                let got: Vec<_> = activity
                    .tracks
                    .iter()
                    .map(|(key, track)| {
                        let seconds: Vec<i64> = track.seconds.iter().collect();
                        (key.clone(), (track.first, track.last, track.lines, seconds))
                    })
                    .collect();
                let want: Vec<_> = expected
                    .iter()
                    .map(|(key, (first, last, lines, seconds))| {
                        let mut seconds = seconds.clone();
                        seconds.sort_unstable();
                        seconds.dedup();
                        (key.clone(), (*first, *last, *lines, seconds))
                    })
                    .collect();
                proptest::prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn second_set_roundtrip() {
        let mut set = SecondSet::default();
        for s in [-65, -1, 0, 63, 64, 1_781_121_361] {
            set.insert(s);
        }
        assert!(set.contains(-1));
        assert!(set.contains(64));
        assert!(!set.contains(1));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![-65, -1, 0, 63, 64, 1_781_121_361]
        );
        assert_eq!(set.len(), 6);
    }

    proptest::proptest! {
        #[test]
        fn find_matches_memmem(
            haystack in proptest::collection::vec(proptest::sample::select(b"ab: ".to_vec()), 0..60),
            needle in proptest::collection::vec(proptest::sample::select(b"ab: ".to_vec()), 0..4),
        ) {
            proptest::prop_assert_eq!(find(&haystack, &needle), memchr::memmem::find(&haystack, &needle));
            proptest::prop_assert_eq!(rfind(&haystack, &needle), memchr::memmem::rfind(&haystack, &needle));
        }
    }

    #[test]
    fn user_name_stops_at_space() {
        assert_eq!(user_name(b"bob ip=1").as_deref(), Some("bob"));
        assert_eq!(
            user_name(b"a.b-c_d.service").as_deref(),
            Some("a.b-c_d.service")
        );
        assert_eq!(user_name(b" x"), None);
    }
}
