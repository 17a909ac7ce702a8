//! devvm journal exports in `journalctl -o export`, the journal's serialization format.
//!
//! Checked against journalctl from systemd 252 to 256. An entry is a run of fields ended by a
//! blank line. A field is `KEY=value\n` when the value is printable text, or, when it is not
//! (it contains a newline or bytes below 0x20, or is not UTF-8), the binary form:
//!
//! ```text
//! KEY\n<64-bit little-endian length><raw bytes>\n
//! ```
//!
//! Because a binary value can hold any byte, newlines included, an entry cannot be cut at line
//! breaks: entries are framed from the byte stream, and only then routed through the journal
//! message parsers with `__REALTIME_TIMESTAMP` (microseconds since the epoch),
//! `SYSLOG_IDENTIFIER` (or `_COMM`), `_SYSTEMD_UNIT`, `_PID` and `MESSAGE`. Like `-o json`, the
//! export names every entry's unit, so a t3 serve line carries its user. A field repeated in
//! one entry keeps its first value. Evidence points at the entry's first line, counting every
//! newline byte of the input, those inside binary values included.

use std::io::{self, BufRead, Read};

use super::envelope::RecordReader;
use super::journal::{JournalParser, Prefix, Program, Stamp, route};
use super::{LineClass, LineCtx, ParseOptions, Sink};
use crate::time::Precision;

/// The longest field value kept; longer values are skipped and the entry counts as malformed
/// when that field is one the parsers need.
const MAX_VALUE: usize = 1 << 20;

/// The fields of one entry that the parsers read, in buffers reused from entry to entry.
#[derive(Default)]
struct Entry {
    realtime: Field,
    identifier: Field,
    comm: Field,
    unit: Field,
    pid: Field,
    message: Field,
    hostname: Field,
    /// Whether any field was read since the last blank line.
    started: bool,
    first_line: u64,
}

#[derive(Default)]
struct Field {
    value: Vec<u8>,
    set: bool,
    too_long: bool,
}

impl Field {
    fn get(&self) -> Option<&[u8]> {
        (self.set && !self.too_long).then_some(&self.value)
    }
}

impl Entry {
    fn clear(&mut self) {
        for field in [
            &mut self.realtime,
            &mut self.identifier,
            &mut self.comm,
            &mut self.unit,
            &mut self.pid,
            &mut self.message,
            &mut self.hostname,
        ] {
            field.value.clear();
            field.set = false;
            field.too_long = false;
        }
        self.started = false;
    }

    /// The buffer of a field the parsers need, unless it was already set in this entry.
    fn slot(&mut self, key: &[u8]) -> Option<&mut Field> {
        let field = match key {
            b"__REALTIME_TIMESTAMP" => &mut self.realtime,
            b"SYSLOG_IDENTIFIER" => &mut self.identifier,
            b"_COMM" => &mut self.comm,
            b"_SYSTEMD_UNIT" => &mut self.unit,
            b"_PID" => &mut self.pid,
            b"MESSAGE" => &mut self.message,
            b"_HOSTNAME" => &mut self.hostname,
            _ => return None,
        };
        (!field.set).then_some(field)
    }
}

/// The class of an entry whose binary field's length does not match its data.
const FRAMING_LOST: LineClass =
    LineClass::Malformed("binary field whose length does not match its data; entry skipped");

/// Reads `journalctl -o export` streams.
pub struct JournalExportReader {
    journal: JournalParser,
    line_no: u64,
    bytes: u64,
    /// Set when the input ends inside a binary field.
    truncated: bool,
    /// Set when the last entry has no closing blank line.
    unterminated: bool,
    line: Vec<u8>,
}

impl JournalExportReader {
    pub fn new(options: &ParseOptions) -> JournalExportReader {
        JournalExportReader {
            journal: JournalParser::new(options),
            line_no: 0,
            bytes: 0,
            truncated: false,
            unterminated: false,
            line: Vec::new(),
        }
    }

    /// Routes one complete entry through the journal message parsers.
    fn entry(&mut self, entry: &Entry, sink: &mut Sink) -> LineClass {
        let Some(realtime) = entry.realtime.get() else {
            return LineClass::Malformed("entry without __REALTIME_TIMESTAMP");
        };
        let Some(micros) = std::str::from_utf8(realtime)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
        else {
            return LineClass::Malformed("__REALTIME_TIMESTAMP is not a number of microseconds");
        };
        let identifier = entry.identifier.get().or(entry.comm.get()).unwrap_or(b"");
        let program = route(identifier, entry.unit.get());
        let pid = entry
            .pid
            .get()
            .and_then(|p| std::str::from_utf8(p).ok()?.parse().ok());
        let Some(message) = entry.message.get() else {
            if program == Program::Other {
                return LineClass::Ignored;
            }
            return LineClass::Malformed("entry without a MESSAGE, or one longer than 1 MiB");
        };
        let prefix = Prefix {
            host: entry.hostname.get().unwrap_or(b""),
            identifier,
            pid,
            message,
        };
        let ctx = LineCtx::plain(entry.first_line);
        let stamp = Stamp::Real(micros, Precision::Micro);
        let first_event = sink.events.len();
        let class = self
            .journal
            .handle(program, stamp, &prefix, message, &ctx, sink);
        sink.set_journal_host(first_event, prefix.host);
        class
    }

    /// Reads one line into `self.line` (without its newline), keeping at most `MAX_VALUE`
    /// bytes. Returns `false` at the end of the input.
    fn read_line(&mut self, reader: &mut dyn BufRead) -> io::Result<bool> {
        self.line.clear();
        let mut any = false;
        loop {
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(any);
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', buf) {
                Some(pos) => (pos, true),
                None => (buf.len(), false),
            };
            let room = MAX_VALUE.saturating_sub(self.line.len());
            self.line.extend_from_slice(&buf[..take.min(room)]);
            let used = if done { take + 1 } else { take };
            reader.consume(used);
            self.bytes += used as u64;
            if done {
                self.line_no += 1;
                return Ok(true);
            }
        }
    }

    /// Reads a binary value of `len` bytes and the byte after it, which should be its closing
    /// newline, into `raw`.
    fn read_binary(
        &mut self,
        reader: &mut dyn BufRead,
        len: u64,
        raw: &mut Vec<u8>,
    ) -> io::Result<Binary> {
        // The value plus its closing newline.
        let mut left = len.saturating_add(1);
        while left > 0 {
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(Binary::Cut);
            }
            let take = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let chunk = &buf[..take];
            self.line_no += memchr::memchr_iter(b'\n', chunk).count() as u64;
            raw.extend_from_slice(chunk);
            reader.consume(take);
            self.bytes += take as u64;
            left -= take as u64;
        }
        Ok(if raw.last() == Some(&b'\n') {
            Binary::Read
        } else {
            Binary::WrongLength
        })
    }

    /// Reads entries until the input ends, or until a binary value turns out to hold the
    /// entries after it, which it returns to be read again.
    fn read_entries(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
        entry: &mut Entry,
    ) -> io::Result<Flow> {
        loop {
            let line_start = self.line_no + 1;
            if !self.read_line(reader)? {
                return Ok(Flow::Done);
            }
            if self.line.is_empty() {
                if entry.started {
                    let class = self.entry(entry, sink);
                    account(entry.first_line, class);
                    entry.clear();
                }
                continue;
            }
            if !entry.started {
                entry.started = true;
                entry.first_line = line_start;
            }
            if let Some(eq) = memchr::memchr(b'=', &self.line) {
                let (key, value) = (&self.line[..eq], &self.line[eq + 1..]);
                if let Some(field) = entry.slot(key) {
                    field.value.extend_from_slice(value);
                    field.set = true;
                    field.too_long = self.line.len() >= MAX_VALUE;
                }
                continue;
            }

            // A binary field: the length follows the key's newline. A key that is no field
            // name is the rest of a value whose length was wrong.
            if !is_field_name(&self.line) {
                account(entry.first_line, FRAMING_LOST);
                entry.clear();
                if !self.skip_entry(reader)? {
                    return Ok(Flow::Done);
                }
                continue;
            }
            let key = std::mem::take(&mut self.line);
            let mut length = [0u8; 8];
            let complete = read_exact_counting(reader, &mut length, self)?;
            self.line = key;
            if !complete {
                self.truncated = true;
                return Ok(Flow::Done);
            }
            let len = u64::from_le_bytes(length);
            if len > MAX_BINARY {
                // No journal field is this long: the length is garbage. Nothing of the value
                // was read, so the entry's own blank line ends it.
                account(entry.first_line, FRAMING_LOST);
                entry.clear();
                if !self.skip_entry(reader)? {
                    return Ok(Flow::Done);
                }
                continue;
            }

            let mut raw = Vec::new();
            let outcome = self.read_binary(reader, len, &mut raw)?;
            if let Binary::Read = outcome {
                if let Some(field) = entry.slot(&self.line) {
                    // `len` fits a usize: it is at most MAX_BINARY.
                    let value = &raw[..len as usize];
                    field.too_long = value.len() > MAX_VALUE;
                    if !field.too_long {
                        field.value = value.to_vec();
                    }
                    field.set = true;
                }
                continue;
            }

            // The length did not fit the data. If the bytes read hold the start of another
            // entry, the entries from there on are read again, so only this entry is lost.
            if let Some(start) = next_entry_start(&raw) {
                account(entry.first_line, FRAMING_LOST);
                entry.clear();
                let tail = raw.split_off(start);
                self.line_no -= memchr::memchr_iter(b'\n', &tail).count() as u64;
                self.bytes -= tail.len() as u64;
                return Ok(Flow::Replay(tail));
            }
            match outcome {
                Binary::Cut => {
                    self.truncated = true;
                    return Ok(Flow::Done);
                }
                _ => {
                    // The entry is lost, but the next blank line most likely ends it, and the
                    // entries after it are read as usual.
                    account(entry.first_line, FRAMING_LOST);
                    entry.clear();
                    if !self.skip_entry(reader)? {
                        return Ok(Flow::Done);
                    }
                }
            }
        }
    }

    /// Skips the rest of an entry whose framing was lost, up to the blank line that ends it.
    /// Returns `false` when the input ends first.
    fn skip_entry(&mut self, reader: &mut dyn BufRead) -> io::Result<bool> {
        while self.read_line(reader)? {
            if self.line.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The outcome of reading entries.
enum Flow {
    /// The input ended.
    Done,
    /// A binary value held these bytes of the entries after it, to be read again.
    Replay(Vec<u8>),
}

/// The maximum binary field read. The messages the rules read are far shorter, so a longer
/// length is garbage, and reading it would swallow the rest of the export.
///
/// NOTE: a limit chosen with a wide margin, not journald's own.
const MAX_BINARY: u64 = 64 << 20;

/// Returns where the first entry after a blank line starts in `bytes`: a blank line, then a
/// journal field name and `=` or a newline.
fn next_entry_start(bytes: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(bytes, b"\n\n").find_map(|at| {
        let start = at + 2;
        let rest = &bytes[start..];
        let key_end = rest.iter().position(|b| *b == b'=' || *b == b'\n')?;
        is_field_name(&rest[..key_end]).then_some(start)
    })
}

/// The outcome of reading a binary field.
enum Binary {
    Read,
    /// The byte after the value is not a newline, so the length does not fit the data.
    WrongLength,
    /// The input ended inside the value.
    Cut,
}

/// Tells whether a line can be the name of a binary field: a journal field name of capital
/// letters, digits and underscores. Anything else means the entry's framing was lost.
fn is_field_name(line: &[u8]) -> bool {
    !line.is_empty()
        && line
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

impl RecordReader for JournalExportReader {
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> io::Result<u64> {
        let mut entry = Entry::default();
        // Bytes read as a binary value whose length was wrong, from the next entry on: they
        // are read again, before the rest of the input.
        let mut replay: Vec<u8> = Vec::new();
        loop {
            let flow = if replay.is_empty() {
                self.read_entries(reader, sink, account, &mut entry)?
            } else {
                let mut chained = io::Cursor::new(std::mem::take(&mut replay)).chain(&mut *reader);
                let flow = self.read_entries(&mut chained, sink, account, &mut entry)?;
                let (cursor, _) = chained.into_inner();
                let unread = &cursor.get_ref()[cursor.position() as usize..];
                match flow {
                    Flow::Replay(mut tail) => {
                        tail.extend_from_slice(unread);
                        Flow::Replay(tail)
                    }
                    Flow::Done => Flow::Done,
                }
            };
            match flow {
                Flow::Done => break,
                Flow::Replay(tail) => replay = tail,
            }
        }
        if entry.started {
            // journalctl ends every entry with a blank line (`output_export` in systemd's
            // src/shared/logs-show.c writes a newline after the last field's), so a last
            // entry without one was cut. Its fields read so far still count, and --strict
            // fails on the cut.
            self.unterminated = !self.truncated;
            let class = self.entry(&entry, sink);
            account(entry.first_line, class);
        }
        Ok(self.bytes)
    }

    fn cut(&self) -> Option<String> {
        if self.truncated {
            Some("the export ends inside a binary field".to_string())
        } else if self.unterminated {
            Some("the export's last entry has no closing blank line".to_string())
        } else {
            None
        }
    }

    fn notes(&self, name: &str) -> Vec<String> {
        if self.truncated {
            vec![format!(
                "{name}: the export ends inside a binary field; the entries before it were read"
            )]
        } else if self.unterminated {
            vec![format!(
                "{name}: the export's last entry has no closing blank line, so the file may be \
                 cut inside it; its fields were read"
            )]
        } else {
            Vec::new()
        }
    }
}

/// Reads exactly `buf.len()` bytes, counting newlines and bytes on `state`. Returns `false` when
/// the input ends first.
fn read_exact_counting(
    reader: &mut dyn BufRead,
    buf: &mut [u8],
    state: &mut JournalExportReader,
) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                state.line_no +=
                    memchr::memchr_iter(b'\n', &buf[filled..filled + n]).count() as u64;
                state.bytes += n as u64;
                filled += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Tells whether the first bytes of an input are a `journalctl -o export` stream: `KEY=value`
/// lines whose keys are journal field names, with `__CURSOR` or `__REALTIME_TIMESTAMP` among
/// the first ones.
pub fn is_export_head(head: &[u8]) -> bool {
    let mut lines = head.split(|b| *b == b'\n').take(8);
    let mut journal_key = false;
    for line in lines.by_ref() {
        let Some(eq) = memchr::memchr(b'=', line) else {
            break;
        };
        let key = &line[..eq];
        let valid = !key.is_empty()
            && key
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
        if !valid {
            return false;
        }
        journal_key |= key == b"__CURSOR" || key == b"__REALTIME_TIMESTAMP";
    }
    journal_key
}

#[cfg(test)]
mod tests;
