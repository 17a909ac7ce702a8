//! The merge of parsed blocks into an input's sink and report, in input order.
//!
//! Each block was parsed by a fresh parser, so a t3 serve's state (the user last reported for
//! a PID, the last header of a PID) starts empty in every block. The merge carries that state
//! from block to block and settles what a block could not know, so the result is the one a
//! reading in one pass gives:
//!
//! - a `PidUser` event that repeats the user an earlier block reported for its PID is dropped;
//! - a git timeout from a detail line whose header lies in an earlier block takes the header's
//!   time. When a timeout under that header was already reported, the line yields what it
//!   yields in one pass instead: a start, its PID's user, or nothing.
//!
//! A dropped event's line is counted as ignored instead of used.

use std::collections::HashMap;

use crate::event::{Event, EventKind};
use crate::parse::journal::{silence_between, time_of_day_at_exact, time_of_day_at_offset};
use crate::parse::serve::{DETAIL_SPAN, LastHeader, UnresolvedTimeout};
use crate::parse::{InnerTime, Sink};
use crate::run::InputReport;
use crate::time::{Precision, Zone};

/// A serve event of a block that the merge settles.
enum Settle {
    /// The index of a `PidUser` event.
    PidUser(usize),
    Timeout(UnresolvedTimeout),
}

impl Settle {
    fn index(&self) -> usize {
        match self {
            Settle::PidUser(index) => *index,
            Settle::Timeout(timeout) => timeout.index,
        }
    }
}

/// The merge of an input's parsed blocks.
pub struct Merge {
    /// The lines before the next block.
    pub line_offset: u64,
    max_examples: usize,
    /// The user last reported by a serve line for each PID, over the blocks merged so far.
    serve_users: HashMap<u32, Box<str>>,
    /// The last header of each PID over the blocks merged so far.
    serve_headers: HashMap<Option<u32>, LastHeader>,
}

impl Merge {
    /// Starts a merge after the lines already in `sink` (the sampled lines), `line_offset` of
    /// them. The serve state of the sampled lines is in `sink.serve`.
    pub fn new(sink: &Sink, line_offset: u64, max_examples: usize) -> Merge {
        let mut merge = Merge {
            line_offset,
            max_examples,
            serve_users: HashMap::new(),
            serve_headers: HashMap::new(),
        };
        for event in sink
            .serve
            .pid_users
            .iter()
            .filter_map(|&i| sink.events.get(i))
        {
            merge.repeats_user(&event.kind);
        }
        merge.take_headers(&sink.serve.headers);
        merge
    }

    /// Tells whether a serve `PidUser` event repeats the user last reported for its PID, and
    /// records it as the last one when it does not.
    fn repeats_user(&mut self, kind: &EventKind) -> bool {
        let EventKind::PidUser { pid, user } = kind else {
            return false;
        };
        if self.serve_users.get(pid) == Some(user) {
            return true;
        }
        self.serve_users.insert(*pid, user.clone());
        false
    }

    /// Adds one parsed block to the input's sink and report, moving its line numbers by the
    /// lines before it.
    pub fn add(
        &mut self,
        sink: &mut Sink,
        report: &mut InputReport,
        (mut block_sink, mut counts): (Sink, InputReport),
    ) {
        let dropped = self.settle_serve(&mut block_sink);
        counts.used -= dropped;
        counts.ignored += dropped;
        settle_silence(sink, &mut block_sink);

        sink.journal_hosts.merge(&block_sink.journal_hosts);
        // An event's host index points into its block's hosts until it is moved to the input's.
        let hosts: Vec<Option<u8>> = block_sink
            .journal_hosts
            .0
            .iter()
            .map(|h| sink.journal_hosts.index_of(h.host.as_bytes()))
            .collect();
        for event in &mut block_sink.events {
            event.origin.add_lines(self.line_offset);
            if let Some(index) = event.host {
                event.host = hosts.get(usize::from(index)).copied().flatten();
            }
        }
        sink.other_ws_routers.merge(&block_sink.other_ws_routers);
        sink.journal_lines.add(block_sink.journal_lines);
        if sink.zone_mismatch.is_none() {
            sink.zone_mismatch = block_sink.zone_mismatch.take();
        }
        block_sink.serve_time_of_day.add_lines(self.line_offset);
        sink.serve_time_of_day.merge(block_sink.serve_time_of_day);
        sink.events.extend(block_sink.events);
        sink.activity.merge(block_sink.activity);
        report.lines += counts.lines;
        report.used += counts.used;
        report.ignored += counts.ignored;
        report.malformed += counts.malformed;
        report.nul_prefixed.0 += counts.nul_prefixed.0;
        if report.nul_prefixed.1.is_none() {
            report.nul_prefixed.1 = counts.nul_prefixed.1.map(|line| line + self.line_offset);
        }
        report.nul_inside.0 += counts.nul_inside.0;
        for line in counts.nul_inside.1 {
            if report.nul_inside.1.len() < crate::run::NUL_INSIDE_EXAMPLES {
                report.nul_inside.1.push(line + self.line_offset);
            }
        }
        for (line, reason) in counts.malformed_examples {
            if report.malformed_examples.len() < self.max_examples {
                report
                    .malformed_examples
                    .push((line + self.line_offset, reason));
            }
        }
        self.line_offset += counts.lines;
    }

    /// Settles the block's serve events with the state of the blocks before it, and returns
    /// how many events were dropped. The events are settled in line order, because a timeout's
    /// fallback can report a PID's user that a later `PidUser` event of the block repeats.
    fn settle_serve(&mut self, block: &mut Sink) -> u64 {
        let serve = std::mem::take(&mut block.serve);
        let mut drop = vec![false; block.events.len()];

        let mut settling: Vec<Settle> = serve
            .pid_users
            .iter()
            .map(|&index| Settle::PidUser(index))
            .chain(serve.unresolved.into_iter().map(Settle::Timeout))
            .collect();
        settling.sort_by_key(Settle::index);
        for item in settling {
            match item {
                Settle::PidUser(index) => {
                    if let Some(event) = block.events.get(index) {
                        drop[index] = self.repeats_user(&event.kind);
                    }
                }
                Settle::Timeout(timeout) => {
                    let index = timeout.index;
                    if let Some(event) = block.events.get_mut(index) {
                        drop[index] = self.settle_timeout(event, timeout, serve.zone);
                    }
                }
            }
        }

        self.take_headers(&serve.headers);

        let before = block.events.len();
        let mut index = 0;
        block.events.retain(|_| {
            index += 1;
            !drop[index - 1]
        });
        (before - block.events.len()) as u64
    }

    /// Settles a git timeout whose header the block did not contain, and returns whether to
    /// drop it. A timeout whose header is in no earlier block either keeps its journal time.
    /// The header's time of day was compared with its own line's time by the parser of the
    /// block that read it.
    fn settle_timeout(
        &mut self,
        event: &mut Event,
        timeout: UnresolvedTimeout,
        zone: Option<Zone>,
    ) -> bool {
        let Some(header) = self.serve_headers.get_mut(&timeout.pid) else {
            return false;
        };
        // A header stamped after the detail line, or long before it, is not its header.
        if !(0..=DETAIL_SPAN).contains(&(event.time - header.at)) {
            return false;
        }
        if header.reported {
            // Read in one pass, the line goes on as a detail line without a timeout.
            return match timeout.fallback {
                Some(kind) if self.repeats_user(&kind) => true,
                Some(kind) => {
                    event.kind = kind;
                    false
                }
                None => true,
            };
        }
        header.reported = true;
        if let (
            InnerTime::TimeOfDay {
                hour,
                minute,
                second,
                micros,
            },
            Some(zone),
        ) = (header.time, zone)
        {
            let tod = (hour, minute, second, micros);
            let placed = match timeout.offset {
                Some(offset) => time_of_day_at_offset(event.time, tod, offset),
                // Blocks read only journals whose entry times are exact.
                None => time_of_day_at_exact(event.time, tod, zone),
            };
            if let Some(at) = placed.time {
                event.time = at;
                event.precision = Precision::Milli;
            }
        }
        false
    }

    /// Takes the last headers of a block (or of the sampled lines) as the latest ones.
    fn take_headers(&mut self, headers: &[LastHeader]) {
        for header in headers {
            self.serve_headers.insert(header.pid, *header);
        }
    }
}

/// Adds the silence event that a block's parser could not: a silence that ends at the block's
/// first journal line, measured from the last journal line of the blocks before it.
fn settle_silence(sink: &mut Sink, block: &mut Sink) {
    let edge = std::mem::take(&mut block.journal_edge);
    if let (Some(previous), Some(mut first)) = (sink.journal_edge.last, edge.first)
        && let Some(kind) = silence_between(previous, first.time, edge.min)
    {
        first.kind = kind;
        block.events.push(first);
    }
    if edge.last.is_some() {
        sink.journal_edge.last = edge.last;
    }
}
