//! Journals exported with `journalctl -o cat`, which keeps each message and drops the
//! timestamp, host and identifier before it.
//!
//! Only a dispatch line whose Go `log` header carries a date has a time there. Every other
//! evidence line takes the time of the next dated line in time order, and a t3 serve header's
//! time of day goes on the date that puts it nearest to that line. A serve line names no unit
//! or PID, so a detail line is tied to the header read next to it. The module also contains the
//! checks that detect a cat journal and whether it runs newest first.
//!
//! None of this uses the routing by identifier of the prefixed text modes, so it lives apart
//! from them. It is a child module of `journal` because it reads and writes the parser's
//! private fields.

use super::{
    JournalParser, Program, TimeOfDay, is_host_line, mostly_backwards, route_by_content,
    time_of_day_near,
};
use crate::event::{EventKind, Source};
use crate::parse::{
    InnerTime, LineClass, LineCtx, Message, Sink, contains, dispatch, serve, system,
};
use crate::time::{Civil, Fold, Precision};

impl JournalParser {
    /// Converts the local Go time of an `-o cat` dispatch line. The export is in time order, so a
    /// local time that the DST fall-back repeats takes its later instant when the earlier one
    /// would put the line well before the last dated line: the clock went back.
    ///
    /// NOTE: a newest-first (`journalctl -r`) cat export reads such times as their earlier
    /// instant.
    fn cat_time(&self, civil: Civil) -> Option<i64> {
        let zone = self.options.zone;
        let earlier = zone.to_utc_micros_in_fold(civil, Fold::Earlier)?;
        let later = zone.to_utc_micros_in_fold(civil, Fold::Later)?;
        let step = crate::parse::journal_year::REPEAT_STEP;
        let time = match self.last_dated {
            // Oldest first, the repeated hour is read on the summer offset until the times
            // step back.
            Some(last)
                if !self.year.newest_first && earlier < last - step && later >= last - step =>
            {
                later
            }
            // Newest first, it is read on the standard offset until the times step forward.
            Some(last)
                if self.year.newest_first && later > last + step && earlier <= last + step =>
            {
                earlier
            }
            Some(_) | None if self.year.newest_first => later,
            _ => earlier,
        };
        Some(time)
    }

    /// `-o cat`: only dispatch lines with a Go prefix carry a date. A t3 serve line is read by
    /// [`Self::parse_cat_serve_line`]. Another evidence line takes the time of a neighbouring
    /// dated line, and any other line is ignored, except a socket line that the dispatch parser
    /// rejects, which is malformed so the summary shows the lost socket.
    pub(super) fn parse_cat_line(
        &mut self,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> LineClass {
        count_cat_line(line, sink);
        if line[0] == b' ' || line[0] == b'\t' || serve::is_header(line) {
            return self.parse_cat_serve_line(line, ctx, sink);
        }
        let (header, dispatch_message) = dispatch::parse_line(line);
        // A malformed line has no header parts, but the Go time at its start still dates it.
        let civil = header
            .civil()
            .or_else(|| dispatch::go_prefix(line).map(|(civil, _)| civil));
        if let Some(civil) = civil {
            let Some(time) = self.cat_time(civil) else {
                return LineClass::Malformed("invalid Go log time");
            };
            let precision = if civil.micros != 0 {
                Precision::Micro
            } else {
                Precision::Second
            };
            // Newest first, a detail line still waiting for its header when a dated line comes
            // takes a neighbour's time.
            if let Some(index) = self.detail_before_header.take() {
                self.place_cat_event(index, None, sink);
            }
            self.place_untimed(sink, time);
            sink.saw(Source::Journal, None, time);
            return match dispatch_message {
                Message::Event { kind, .. } => {
                    sink.push(time, precision, Source::Journal, ctx, kind, line);
                    LineClass::Used
                }
                Message::Ignored => LineClass::Ignored,
                Message::Malformed(reason) => LineClass::Malformed(reason),
            };
        }
        let dispatch_malformed = match dispatch_message {
            Message::Malformed(reason) => Some(reason),
            _ => None,
        };
        // Without the identifier, the program is unknown, so every parser of evidence is
        // tried, dispatch's last. The first event found is kept.
        let evidence = [
            system::parse_systemd,
            system::parse_kernel,
            system::parse_earlyoom,
            system::parse_restart,
        ]
        .iter()
        .map(|parse| parse(line))
        .chain([dispatch_message])
        .find_map(|message| match message {
            Message::Event { kind, .. } if !matches!(kind, EventKind::PidUser { .. }) => Some(kind),
            _ => None,
        });
        let Some(kind) = evidence else {
            // A socket line that the dispatch parser rejects is malformed, so the summary shows
            // the lost socket. Other lines that it rejects may be any program's.
            if let Some(reason) = dispatch_malformed
                && (contains(line, b"ws open") || contains(line, b"ws close"))
            {
                return LineClass::Malformed(reason);
            }
            return LineClass::Ignored;
        };

        let index = sink.events.len();
        sink.push(0, Precision::Second, Source::Journal, ctx, kind, line);
        self.place_cat_event(index, None, sink);
        LineClass::Used
    }

    /// `-o cat`: reads a t3 serve header (`[10:14:00.500] WARN (#412): …`) or an indented detail
    /// line. A header carries devvm's local time of day but no date, so its event, and that of a
    /// detail line tied to it, takes the date that puts the time of day nearest to a
    /// neighbouring dated line (see [`Self::place_cat_event`]). The export names no unit or PID,
    /// so all serves share the parser's slot for lines without a PID: a detail line is tied to
    /// the header read just before it (just after it, newest first). The user comes only from a
    /// `/home/USER/` path in the line or in its header, and the event stays without a user when
    /// neither names one.
    ///
    /// NOTE: when two serves' lines interleave, or a detail line's own header is missing, the
    /// detail line is tied to another serve's header, whose time and user it then takes.
    fn parse_cat_serve_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        let newest_first = self.year.newest_first;
        let header_time = serve::header_time(line);
        let is_header = header_time.is_some();
        if is_header {
            self.note_header_time(time_of_day(header_time), sink);
        }
        if newest_first && !is_header {
            // Newest first, a detail line comes before its header, and the header read last
            // is a later one.
            self.serve.forget_header_without_pid();
        }
        // The tie of a detail line to its header compares their entry times, which this export
        // lacks. Both lines take the time of the last dated line, so a detail line is tied to
        // the header before it unless dated lines more than `DETAIL_SPAN` apart lie between.
        let at = self.last_dated.unwrap_or(0);
        let parsed = self.serve.parse_message(line, None, None, at);
        // Cat exports are read on one thread, so no block merge looks for a missing header.
        let _ = self.serve.take_unresolved();

        if is_header && let Some(index) = self.detail_before_header.take() {
            self.give_detail_its_header(index, serve::home_user(line), sink);
            self.place_cat_event(index, time_of_day(header_time), sink);
            // A header that says `timed out` itself reports the same timeout as its detail.
            return match parsed {
                Message::Event {
                    kind: EventKind::ServeStarted { .. },
                    ..
                } => self.push_cat_serve_event(parsed, line, ctx, sink),
                _ => LineClass::Used,
            };
        }
        if newest_first
            && !is_header
            && matches!(
                parsed,
                Message::Event {
                    kind: EventKind::ServeGitTimeout { .. },
                    ..
                }
            )
        {
            // Another timed-out detail line of the same header is not a second timeout.
            if self.detail_before_header.is_some() {
                return LineClass::Ignored;
            }
            let Message::Event { kind, .. } = parsed else {
                return LineClass::Ignored;
            };
            self.detail_before_header = Some(sink.events.len());
            sink.push(0, Precision::Second, Source::Journal, ctx, kind, line);
            return LineClass::Used;
        }
        self.push_cat_serve_event(parsed, line, ctx, sink)
    }

    /// `-o cat`: records a serve header's time as journal activity, so the export's span runs
    /// from its first dated line, dispatch or serve, to its last. The header waits for a dated
    /// line as an event does (see [`Self::place_cat_event`]).
    fn note_header_time(&mut self, tod: Option<TimeOfDay>, sink: &mut Sink) {
        let Some(tod) = tod else {
            return;
        };
        match self.last_dated.filter(|_| self.year.newest_first) {
            Some(near) => {
                if let Some(time) = time_of_day_near(near, tod, self.options.zone) {
                    sink.saw(Source::Journal, None, time);
                }
            }
            None => self.undated_headers.push(tod),
        }
    }

    /// `-o cat`: records the event of a serve line and dates it from its neighbours.
    fn push_cat_serve_event(
        &mut self,
        parsed: Message,
        line: &[u8],
        ctx: &LineCtx,
        sink: &mut Sink,
    ) -> LineClass {
        match parsed {
            Message::Event { kind, inner_time } => {
                let index = sink.events.len();
                sink.push(0, Precision::Second, Source::Journal, ctx, kind, line);
                self.place_cat_event(index, time_of_day(inner_time), sink);
                LineClass::Used
            }
            Message::Ignored => LineClass::Ignored,
            Message::Malformed(reason) => LineClass::Malformed(reason),
        }
    }

    /// `-o cat` read newest first: gives the git timeout of a detail line read before its
    /// header the user of a `/home/USER/` path in the header, when the detail line named none.
    fn give_detail_its_header(
        &mut self,
        index: usize,
        header_user: Option<Box<str>>,
        sink: &mut Sink,
    ) {
        if let Some(event) = sink.events.get_mut(index)
            && let EventKind::ServeGitTimeout { user, .. } = &mut event.kind
            && user.is_none()
        {
            *user = header_user;
        }
    }

    /// `-o cat`: dates the event at `index` from a neighbouring dated line. The journal is in
    /// time order, so the line was written at or before the next line in time that has a date:
    /// the one after it, or before it when the journal runs newest first. Newest first, that
    /// line was read already; oldest first, the event waits for it with time 0.
    fn place_cat_event(&mut self, index: usize, tod: Option<TimeOfDay>, sink: &mut Sink) {
        match self.last_dated.filter(|_| self.year.newest_first) {
            Some(time) => self.date_cat_event(index, tod, time, sink),
            None => self.untimed.push((index, tod)),
        }
    }

    /// `-o cat`: gives the event at `index` the time of its serve header's time of day `tod`
    /// on the date nearest to the neighbouring dated line's `time`, or else that time itself,
    /// marked as estimated.
    fn date_cat_event(&mut self, index: usize, tod: Option<TimeOfDay>, time: i64, sink: &mut Sink) {
        // The header's time of day is devvm's local time, like the Go prefix of the dated
        // line, and both are read in --tz.
        let exact = tod.and_then(|tod| time_of_day_near(time, tod, self.options.zone));
        let Some(event) = sink.events.get_mut(index) else {
            return;
        };
        match exact {
            Some(exact) => {
                event.time = exact;
                event.precision = Precision::Milli;
                event.estimated = false;
            }
            None => {
                event.time = time;
                event.precision = Precision::Second;
                event.estimated = true;
                self.placed += 1;
            }
        }
    }

    /// `-o cat`: dates the waiting untimed events from the line just read.
    fn place_untimed(&mut self, sink: &mut Sink, time: i64) {
        for (index, tod) in std::mem::take(&mut self.untimed) {
            self.date_cat_event(index, tod, time, sink);
        }
        for tod in self.undated_headers.drain(..) {
            if let Some(header_time) = time_of_day_near(time, tod, self.options.zone) {
                sink.saw(Source::Journal, None, header_time);
            }
        }
        self.last_dated = Some(time);
    }

    /// `-o cat`: gives the untimed events after the last dated line that line's time, or drops
    /// them when no line had a time.
    ///
    /// NOTE: dropped events leave their lines counted as used.
    pub(super) fn place_untimed_at_end(&mut self, sink: &mut Sink) {
        if let Some(index) = self.detail_before_header.take() {
            self.place_cat_event(index, None, sink);
        }
        if self.untimed.is_empty() && self.undated_headers.is_empty() {
            return;
        }
        match self.last_dated {
            Some(time) => self.place_untimed(sink, time),
            // Without a dated line every event is untimed, so the waiting ones are the last
            // events, though not in order: a detail line may wait for its header.
            None => {
                let first = self.untimed.iter().map(|(index, _)| *index).min();
                self.untimed.clear();
                self.undated_headers.clear();
                if let Some(first) = first {
                    sink.events.truncate(first);
                }
            }
        }
    }
}

/// Marks every second from an `-o cat` journal's first dated line to its last as logged.
/// Only dispatch lines carry a time there, so the stretches between them are not silences of
/// the host: a cat export cannot show a journal gap.
pub(super) fn fill_undated_seconds(sink: &mut Sink) {
    let input = sink.input;
    for (key, track) in sink.activity.tracks.iter_mut() {
        if key.source != Source::Journal || key.input != input {
            continue;
        }
        let first = track.first.div_euclid(crate::time::SECOND);
        let last = track.last.div_euclid(crate::time::SECOND);
        for second in first..=last {
            track.seconds.insert(second);
        }
    }
}

/// Counts an `-o cat` line by program, as the text modes count theirs, for
/// [`JournalLines::t3_units_only`](crate::parse::JournalLines::t3_units_only). The export names
/// no program, so the line's text decides. An indented line is a serve's detail line, as
/// [`JournalParser::parse_cat_line`] reads it, and a line whose shape [`route_by_content`]
/// does not recognise (sshd's, cron's) is the host's. Three kinds of such lines are not: one that names one
/// of t3's units, one of a core dump's message, and journalctl's `[1.2K blob data]`, which any
/// program's message can become.
///
/// NOTE: a serve's output that is neither a header nor indented (Node's own warnings and crash
/// messages) counts as the host's, so an export of t3's units with such a line reads as whole.
fn count_cat_line(line: &[u8], sink: &mut Sink) {
    let program = if line[0] == b' ' || line[0] == b'\t' {
        Program::Serve(None)
    } else {
        route_by_content(line)
    };
    let lines = &mut sink.journal_lines;
    match program {
        Program::Dispatch => lines.dispatch += 1,
        _ => {
            lines.other += 1;
            if !lines.host {
                let blob =
                    line.starts_with(b"[") && line.trim_ascii_end().ends_with(b" blob data]");
                lines.host = is_host_line(&program, b"", line) && !is_core_dump_line(line) && !blob;
            }
        }
    }
}

/// Tells whether a line belongs to systemd-coredump's message about a crashed process, which
/// `journalctl -u` prints for the units it names. `-o cat` writes the message's lines as they
/// are: `Process 4711 (node) of user 1000 dumped core.`, then a `Module libc.so.6 with
/// build-id …` line (`from deb …` or `without build-id.` in place of the build-id) per module,
/// `Stack trace of thread 4711:`, one `#0  0x… (libc.so.6 + 0x969fc)` line per frame and
/// `ELF object binary architecture: AMD x86-64`.
fn is_core_dump_line(line: &[u8]) -> bool {
    if line.starts_with(b"Process ") {
        return line.trim_ascii_end().ends_with(b" dumped core.");
    }
    if let Some(module) = line.strip_prefix(b"Module ") {
        return [&b" with build-id "[..], b" without build-id", b" from "]
            .iter()
            .any(|words| contains(module, words));
    }
    if let Some(frame) = line.strip_prefix(b"#") {
        let digits = frame.iter().take_while(|b| b.is_ascii_digit()).count();
        return digits > 0 && frame[digits..].trim_ascii_start().starts_with(b"0x");
    }
    line.starts_with(b"Stack trace of thread ")
        || line.starts_with(b"ELF object binary architecture: ")
}

fn time_of_day(inner_time: Option<InnerTime>) -> Option<TimeOfDay> {
    match inner_time? {
        InnerTime::TimeOfDay {
            hour,
            minute,
            second,
            micros,
        } => Some((hour, minute, second, micros)),
        _ => None,
    }
}

/// Tells whether the dispatch lines of an `-o cat` journal (or of Loki's raw output of one)
/// run newest first: more of the steps between the Go `log` times of consecutive ones go back
/// in time than forward. Their local times are compared as they are, which a DST change moves
/// by one step at most.
pub fn cat_runs_newest_first<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> bool {
    mostly_backwards(
        lines.into_iter().filter_map(|line| {
            dispatch::go_prefix(line).and_then(|(civil, _)| civil.to_utc_micros())
        }),
    )
}

/// Tells whether a line is a Go-prefixed `-o cat` line rather than a full journal line.
pub fn is_cat_line(line: &[u8]) -> bool {
    dispatch::go_prefix(line).is_some()
}
