//! Checks shared by the fuzz targets: cut the input into lines the way the input reader does,
//! feed them to a parser, and assert what every parser promises besides not panicking.

use t3forensics::event::Event;
use t3forensics::parse::{LineClass, LineCtx, LineParser, ParseOptions, Sink};
use t3forensics::time::{SECOND, Zone};

/// 0000-01-01T00:00:00Z less one day, in microseconds since the epoch: the earliest time a
/// four-digit year can write, in any zone.
pub const MIN_TIME: i64 = (-62_167_219_200 - 86_400) * SECOND;

/// 10000-01-01T00:00:00Z plus one day, in microseconds since the epoch: past the latest time a
/// four-digit year can write, in any zone.
pub const MAX_TIME: i64 = (253_402_300_800 + 86_400) * SECOND;

/// Splits `data` into lines without their `\n` or a `\r` before it, as `input::LineReader` does.
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

/// Prefixes every line of `data` with `envelope`, so a message fuzzes the journal parser's
/// handling of that program.
pub fn wrap(data: &[u8], envelope: &[u8]) -> Vec<u8> {
    let mut wrapped = Vec::with_capacity(data.len() * 2);
    for line in lines(data) {
        wrapped.extend_from_slice(envelope);
        wrapped.extend_from_slice(line);
        wrapped.push(b'\n');
    }
    wrapped
}

/// Builds parse options from the bits of one byte, so the fuzzer varies `--tz` and `--year`:
/// bit 0 reads zone-less times in Europe/Berlin (which has DST gaps), bit 1 sets the year.
pub fn options(flags: u8) -> ParseOptions {
    let mut options = ParseOptions::default();
    if flags & 1 != 0 {
        options.zone = Zone::parse("Europe/Berlin").expect("a valid IANA zone name");
    }
    if flags & 2 != 0 {
        options.year = Some(2026);
    }
    options
}

/// Feeds each line of `data` to `parser`, then calls `finish`, and checks after every line that
/// the line's class matches what it added to the sink.
///
/// A `Used` line must add exactly one event, and any other line none. Every event must name
/// the line it came from, and a malformed line must give a reason. After `finish`, every event
/// and activity time must lie between [`MIN_TIME`] and [`MAX_TIME`].
pub fn feed<'a>(
    parser: &mut dyn LineParser,
    data: &[u8],
    ctx: impl Fn(u64) -> LineCtx<'a>,
) -> Sink {
    let mut sink = Sink::new(0);
    for (index, line) in lines(data).enumerate() {
        let line_no = index as u64 + 1;
        let before = sink.events.len();
        let class = parser.parse_line(line, &ctx(line_no), &mut sink);
        let added = sink.events.get(before..).unwrap_or_default();
        match class {
            LineClass::Used => assert_eq!(added.len(), 1, "a used line adds one event"),
            LineClass::Ignored => assert!(added.is_empty(), "an ignored line added {added:?}"),
            LineClass::Malformed(reason) => {
                assert!(added.is_empty(), "a malformed line added {added:?}");
                assert!(!reason.is_empty(), "a malformed line has a reason");
            }
        }
        for event in added {
            assert_eq!(event.origin.line(), line_no, "the event names its line");
        }
    }
    // Only `JournalParser` implements `finish`, and it always returns `Ok`.
    parser.finish(&mut sink).expect("finish succeeds");
    check_times(&sink);
    sink
}

/// Asserts that every event time and every activity span in `sink` is a sane time.
pub fn check_times(sink: &Sink) {
    for event in &sink.events {
        assert_sane(event.time, event);
    }
    for (key, track) in &sink.activity.tracks {
        assert!(
            (MIN_TIME..=MAX_TIME).contains(&track.first),
            "activity of {key:?} starts at {}",
            track.first
        );
        assert!(
            (MIN_TIME..=MAX_TIME).contains(&track.last),
            "activity of {key:?} ends at {}",
            track.last
        );
    }
}

fn assert_sane(time: i64, event: &Event) {
    assert!(
        (MIN_TIME..=MAX_TIME).contains(&time),
        "event time {time} is outside years 0000 to 9999: {event:?}"
    );
}
