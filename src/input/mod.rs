//! Inputs: files and stdin, decompressed when they are gzip or zstd, read as lines in large
//! chunks.
//!
//! Compression is decided by content (the gzip and zstd magic bytes), never by file name. A file
//! of several gzip members or zstd frames (rotated logs concatenated, `cat a.gz b.gz`) is read to
//! its end. Lines are cut from large chunks with memchr, so an input is never held in memory
//! whole and a line costs no allocation. A line longer than `max_line_bytes` is skipped to its
//! end and reported as malformed, so one runaway line cannot grow memory.
//!
//! A run of NUL bytes that starts a line (the hole a crash leaves in a file that was being
//! written, which may be many MiB) does not count towards that limit. The readers keep one NUL
//! of the run, so a hole costs no memory and the parsers still see and count the run.
//!
//! NOTE: a hole that begins inside a line (a write cut in the middle) is not stripped: that
//! line and the one written after the hole read as one line, usually malformed or too long.

pub mod detect;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

use crate::error::{Error, Result};

pub use detect::{InputType, detect};

/// The name of the stdin input in messages and evidence.
pub const STDIN_NAME: &str = "<stdin>";

/// The origin of an input: stdin or a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    Path(PathBuf),
}

/// One input of a run, with its type when the user forced it (`--input-type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSpec {
    pub source: InputSource,
    pub forced_type: Option<InputType>,
}

impl InputSpec {
    /// Returns the name used in messages and evidence: the path as given, or `<stdin>`.
    pub fn name(&self) -> String {
        match &self.source {
            InputSource::Stdin => STDIN_NAME.to_string(),
            InputSource::Path(path) => path.display().to_string(),
        }
    }

    /// Returns the pod or replica named by the file, such as `cloudflared-6f7c9d8b5-k2x9p` for
    /// `cloudflared-6f7c9d8b5-k2x9p.log.gz`, `.log.zst` or `.out`: the name up to its first
    /// dot. The kubelet's own names count too:
    /// `/var/log/containers/POD_NAMESPACE_CONTAINER-ID.log`, and
    /// `/var/log/pods/NAMESPACE_POD_UID/CONTAINER/0.log`. A Kubernetes pod name has no `_`, so
    /// the underscores there separate fields.
    pub fn pod_from_name(&self) -> Option<String> {
        let InputSource::Path(path) = &self.source else {
            return None;
        };
        let name = path.file_name()?.to_str()?;
        // `0.log`, `1.log.20260610-193012`: a rotation index under `/var/log/pods`.
        let rotation = name.split('.').next().unwrap_or(name);
        if !rotation.is_empty() && rotation.bytes().all(|b| b.is_ascii_digit()) {
            let pod_dir = path.parent()?.parent()?.file_name()?.to_str()?;
            let fields: Vec<&str> = pod_dir.split('_').collect();
            return match fields[..] {
                [_, pod, _] if !pod.is_empty() => Some(pod.to_string()),
                _ => None,
            };
        }
        let fields: Vec<&str> = name.split('_').collect();
        if let [pod, _, _] = fields[..]
            && !pod.is_empty()
        {
            return Some(pod.to_string());
        }
        // Every suffix goes: compression and format words (`.logrus.log.gz`, `.grafana.txt`)
        // and those of a rename or a rotation (`.out`, `.1`, `.old`), which would otherwise
        // show in reasons and make a renamed copy compare as another pod.
        // NOTE: a pod name with a dot in it (valid, though Deployments and DaemonSets never
        // make one) is cut at that dot. The kubelet's file names above keep it whole.
        let pod = name.split('.').next().unwrap_or(name);
        (!pod.is_empty()).then(|| pod.to_string())
    }
}

/// Writes progress to stderr whether or not it is a terminal, for `--progress always`
/// (indicatif's own stderr target draws nothing when stderr is not a terminal).
#[derive(Debug)]
struct PlainStderr;

impl TermLike for PlainStderr {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.write_str(&format!("\x1b[{n}A"))
    }
    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.write_str(&format!("\x1b[{n}B"))
    }
    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.write_str(&format!("\x1b[{n}C"))
    }
    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.write_str(&format!("\x1b[{n}D"))
    }
    fn write_line(&self, line: &str) -> io::Result<()> {
        self.write_str(&format!("{line}\n"))
    }
    fn write_str(&self, text: &str) -> io::Result<()> {
        io::Write::write_all(&mut io::stderr(), text.as_bytes())
    }
    fn clear_line(&self) -> io::Result<()> {
        self.write_str("\r\x1b[2K")
    }
    fn flush(&self) -> io::Result<()> {
        io::Write::flush(&mut io::stderr())
    }
}

/// Creates the progress display on stderr: a bar over the total size of the files, or a
/// spinner with the bytes read when stdin is among the inputs (its size is unknown). With
/// `force`, it draws even when stderr is not a terminal.
pub fn progress_bar(specs: &[InputSpec], force: bool) -> ProgressBar {
    let sizes: Option<u64> = specs
        .iter()
        .map(|spec| match &spec.source {
            InputSource::Path(path) => std::fs::metadata(path).ok().map(|m| m.len()),
            InputSource::Stdin => None,
        })
        .sum();
    let target = || {
        if force && !io::IsTerminal::is_terminal(&io::stderr()) {
            ProgressDrawTarget::term_like(Box::new(PlainStderr))
        } else {
            ProgressDrawTarget::stderr()
        }
    };
    match sizes {
        Some(total) => {
            let bar = ProgressBar::with_draw_target(Some(total), target());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        }
        None => {
            let bar = ProgressBar::with_draw_target(None, target());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        }
    }
}

/// The size of the chunks lines are cut from.
const CHUNK: usize = 1 << 20;

/// The first bytes of a gzip member (RFC 1952).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The first bytes of a zstd frame (RFC 8878), `0xFD2FB528` little-endian.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The magic bytes of compression and archive formats this tool does not read, with the
/// format's name and the command that writes the text inside to stdout.
const UNSUPPORTED_MAGIC: [(&[u8], &str, &str); 6] = [
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz", "xz -dc"),
    (&[0x04, 0x22, 0x4d, 0x18], "lz4", "lz4 -dc"),
    (b"PK\x03\x04", "zip", "unzip -p"),
    (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "7-Zip", "7z x -so"),
    (&[0x5d, 0x00, 0x00], "lzma", "xz -dc --format=lzma"),
    (b"BZh", "bzip2", "bzip2 -dc"),
];

/// Returns the format name and decompress command of input that starts with the magic bytes
/// of a compression this tool does not read.
fn unsupported_compression(head: &[u8]) -> Option<(&'static str, &'static str)> {
    UNSUPPORTED_MAGIC
        .iter()
        .find(|(magic, format, _)| {
            // `BZh` is also plain text; bzip2 follows it with the block size, 1 to 9, and the
            // block magic 0x314159265359.
            head.starts_with(magic)
                && (*format != "bzip2"
                    || head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
                        && head.get(4..10) == Some(&[0x31, 0x41, 0x59, 0x26, 0x53, 0x59][..]))
        })
        .map(|&(_, format, command)| (format, command))
}

/// Returns the format name and decompress command of decompressed content that is compressed
/// again: a gzip or zstd stream, or a format this tool does not read.
pub fn inner_compression(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if head.starts_with(&GZIP_MAGIC) {
        Some(("gzip", "gzip -dc"))
    } else if head.starts_with(&ZSTD_MAGIC) {
        Some(("zstd", "zstd -dc"))
    } else {
        unsupported_compression(head)
    }
}

/// The largest zstd window accepted, as a power of two: 2 GiB, what `zstd --long=31` writes.
const ZSTD_WINDOW_LOG_MAX: u32 = 31;

/// The capacity of the `BufReader`s in front of a file and a gzip decoder. It is below the
/// line reader's own buffer, so the line reader's reads bypass them.
const READ_BUFFER: usize = 64 << 10;

/// The line reader's first buffer. It stays small because a regular file is read this way
/// only for its first lines, and it grows for longer lines.
const LINE_BUFFER: usize = 256 << 10;

/// Opens an input, decompressing gzip or zstd when its first bytes are their magic number.
pub fn open(spec: &InputSpec) -> Result<Box<dyn BufRead + Send>> {
    open_with_progress(spec, None).map(|opened| opened.reader)
}

/// An opened input: the reader of its (decompressed) bytes and, for an uncompressed regular
/// file, a second handle on it that the parallel reader reads blocks from by offset.
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    /// A clone of the file's handle, sharing its read position, when the input is an
    /// uncompressed regular file. Its position is how far `reader` has read the file.
    pub plain_file: Option<File>,
    /// The file's offset where `reader` began: 0 for a named file, and wherever the shell left
    /// a redirected stdin (`{ read -r first; t3forensics drops -; } < file`).
    pub plain_start: u64,
    /// The compression detected from the input's first bytes, which `reader` undoes.
    pub compression: Compression,
}

/// The compression of an input, detected from its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Returns the format's name and the command that writes its decompressed bytes to stdout,
    /// or `None` for uncompressed input.
    pub fn format_and_command(self) -> Option<(&'static str, &'static str)> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some(("gzip", "gzip -dc")),
            Compression::Zstd => Some(("zstd", "zstd -dc")),
        }
    }
}

/// Opens an input like [`open`], advancing `progress` by the bytes read from the file or
/// stdin (compressed bytes for gzip, so the bar matches the file sizes).
pub fn open_with_progress(spec: &InputSpec, progress: Option<&ProgressBar>) -> Result<Opened> {
    let mut plain_file = None;
    let mut plain_start = 0;
    let mut raw: Box<dyn Read + Send> = match &spec.source {
        InputSource::Stdin => match stdin_file() {
            // `t3forensics drops - < file` can be read by offset like a named file.
            Some((file, start)) => {
                plain_file = file.try_clone().ok();
                plain_start = start;
                Box::new(file)
            }
            None => Box::new(io::stdin()),
        },
        InputSource::Path(path) => {
            let file = open_file(path)?;
            // A pipe or a device has no offsets to read blocks at; it is read as a stream.
            if file.metadata().is_ok_and(|m| m.is_file()) {
                plain_file = file.try_clone().ok();
            }
            Box::new(file)
        }
    };
    if let Some(bar) = progress {
        raw = Box::new(bar.wrap_read(raw));
    }
    let mut reader = BufReader::with_capacity(READ_BUFFER, raw);
    let head = reader.fill_buf().map_err(|source| Error::Read {
        name: spec.name(),
        line: 0,
        source,
    })?;
    if let Some((format, command)) = unsupported_compression(head) {
        let file = match &spec.source {
            InputSource::Path(path) => path.display().to_string(),
            InputSource::Stdin => "FILE".to_string(),
        };
        return Err(Error::UnsupportedCompression {
            name: spec.name(),
            format,
            command: format!("{command} {file}"),
        });
    }
    let is_gzip = head.starts_with(&GZIP_MAGIC);
    let is_zstd = head.starts_with(&ZSTD_MAGIC);
    if is_gzip {
        Ok(Opened {
            reader: Box::new(BufReader::with_capacity(
                READ_BUFFER,
                GzMembers::new(reader),
            )),
            plain_file: None,
            plain_start,
            compression: Compression::Gzip,
        })
    } else if is_zstd {
        // Every frame is read, so zstd files joined with `cat` are read whole.
        let frames = ZstdFrames::new(reader).map_err(|source| Error::Read {
            name: spec.name(),
            line: 0,
            source,
        })?;
        Ok(Opened {
            reader: Box::new(BufReader::with_capacity(READ_BUFFER, frames)),
            plain_file: None,
            plain_start,
            compression: Compression::Zstd,
        })
    } else {
        Ok(Opened {
            reader: Box::new(reader),
            plain_file,
            plain_start,
            compression: Compression::None,
        })
    }
}

/// Returns stdin as a file with its current offset when it is redirected from a regular file,
/// and `None` for a pipe or a terminal.
#[cfg(unix)]
fn stdin_file() -> Option<(File, u64)> {
    use std::io::Seek;
    use std::os::fd::AsFd;
    let mut file = File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let start = file.stream_position().ok()?;
    Some((file, start))
}

#[cfg(not(unix))]
fn stdin_file() -> Option<(File, u64)> {
    None
}

fn open_file(path: &Path) -> Result<File> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let open = || {
        File::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })
    };
    if is_fifo(path) {
        announce_slow_open(path, open)
    } else {
        open()
    }
}

/// How long opening a FIFO may take before a line on stderr reports that the run waits for
/// its writer. A writer that is already there, such as the command behind a shell's `<(…)`,
/// makes the open return at once.
const FIFO_OPEN_NOTICE_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

#[cfg(unix)]
fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|meta| meta.file_type().is_fifo())
}

#[cfg(not(unix))]
fn is_fifo(_path: &Path) -> bool {
    false
}

/// Runs `open` on a FIFO, and prints one line to stderr when it has not returned after
/// [`FIFO_OPEN_NOTICE_AFTER`]. Opening a FIFO for reading blocks until a process opens it for
/// writing, and without the line the run would hang with nothing on stderr.
fn announce_slow_open(path: &Path, open: impl FnOnce() -> Result<File>) -> Result<File> {
    let (opened, waiting) = std::sync::mpsc::channel::<()>();
    let name = path.display().to_string();
    let notice = std::thread::spawn(move || {
        if waiting.recv_timeout(FIFO_OPEN_NOTICE_AFTER)
            == Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            eprintln!(
                "t3forensics: waiting for a writer on {name}, a FIFO; start the command that \
                 writes to it, or pass the log file itself"
            );
        }
    });
    let file = open();
    // The notice thread ends at once when the open returned in time.
    let _ = opened.send(());
    let _ = notice.join();
    file
}

/// How many bytes of an input's head are looked at for UTF-16 without a byte-order mark.
const UTF16_SNIFF_BYTES: usize = 1024;

/// Returns the encoding of an input whose head is UTF-16 (or UTF-32) text, as iconv names it:
/// `UTF-16` (or `UTF-32`) with a byte-order mark, which iconv reads and drops, and `UTF-16LE`
/// or `UTF-16BE` without one. Windows PowerShell 5 writes UTF-16LE with `>`, and
/// `iconv -t UTF-16` writes a mark.
///
/// Without a mark, ASCII text in UTF-16 has a NUL in every other byte. The head counts as
/// UTF-16 when three quarters of its byte pairs are one NUL and one other byte, the NUL on the
/// same side, which no UTF-8 text and no run of NUL bytes (a crash hole) has.
pub fn utf16_encoding(head: &[u8]) -> Option<&'static str> {
    // UTF-32LE's mark starts with UTF-16LE's, so it is tested first.
    if head.starts_with(&[0xff, 0xfe, 0, 0]) || head.starts_with(&[0, 0, 0xfe, 0xff]) {
        return Some("UTF-32");
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Some("UTF-16");
    }
    let window = &head[..head.len().min(UTF16_SNIFF_BYTES)];
    let pairs = window.chunks_exact(2);
    let total = pairs.len();
    let (mut little, mut big) = (0, 0);
    for pair in pairs {
        match (pair[0], pair[1]) {
            (0, 0) => {}
            (_, 0) => little += 1,
            (0, _) => big += 1,
            _ => {}
        }
    }
    if total < 2 {
        None
    } else if little * 4 >= total * 3 {
        Some("UTF-16LE")
    } else if big * 4 >= total * 3 {
        Some("UTF-16BE")
    } else {
        None
    }
}

/// Returns the length of the run of NUL bytes that starts `bytes`.
pub fn nul_run_len(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| b == 0).count()
}

/// One item read by [`LineReader`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// A line without its `\n` (a `\r` before it is removed too).
    Text(&'a [u8]),
    /// A line longer than the limit; its bytes were skipped.
    TooLong { bytes: u64 },
}

/// Reads lines from a reader in large chunks, numbering them from 1.
pub struct LineReader<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    max_line: usize,
    /// The number of the line last returned.
    pub line_no: u64,
    /// Decompressed bytes read so far.
    pub bytes_read: u64,
    /// Set when the input ended early (a truncated gzip stream), with the error text.
    pub truncated: Option<String>,
    /// Set when a complete gzip or zstd stream was followed by bytes of another format. Every
    /// line of the stream was read; the extra bytes were not.
    pub trailing_data: Option<TrailingData>,
    /// Set when the input's last line has no line end. The exporters this tool reads end
    /// their last line, so such a line was most likely cut while the log was written.
    pub missing_final_newline: bool,
    /// Set after [`LineReader::next_block`] cut an over-long line: the rest of that line is
    /// discarded up to its newline.
    skipping: bool,
    /// Whether `buf[start..end]` may contain a NUL byte. Each read searches the bytes it
    /// brings in, and making room searches again the few bytes kept, so a line read from a
    /// buffer without NUL bytes needs no search of its own.
    may_hold_nul: bool,
}

impl<R: Read> LineReader<R> {
    pub fn new(reader: R, max_line: usize) -> LineReader<R> {
        LineReader {
            reader,
            buf: vec![0; LINE_BUFFER],
            start: 0,
            end: 0,
            eof: false,
            max_line: max_line.max(1),
            line_no: 0,
            bytes_read: 0,
            truncated: None,
            trailing_data: None,
            missing_final_newline: false,
            skipping: false,
            may_hold_nul: false,
        }
    }

    /// Returns the maximum line length accepted, in bytes.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// Returns the bytes of the input handed out so far: read, less what is still buffered.
    /// After [`LineReader::next_line`], this is the offset where the next line starts.
    pub fn consumed(&self) -> u64 {
        self.bytes_read - (self.end - self.start) as u64
    }

    /// Returns the next block of whole lines, about `target` bytes, each line ending in `\n`
    /// (one is added to a last line that has none), or `None` at the end of the input. Lines
    /// are not visited one by one: the block is cut after its last newline and the rest stays
    /// buffered for the next call. A line longer than the limit comes back whole up to
    /// `max_line + target` bytes and is then cut. The caller checks line lengths, so it reports
    /// that line as too long. `line_no` is not advanced here.
    pub fn next_block(&mut self, target: usize) -> io::Result<Option<Vec<u8>>> {
        self.next_block_into(target, Vec::new())
    }

    /// Returns the next block like [`LineReader::next_block`], in `block`'s storage: a buffer
    /// handed back by the parse side, which saves allocating and faulting in a fresh one.
    pub fn next_block_into(
        &mut self,
        target: usize,
        mut block: Vec<u8>,
    ) -> io::Result<Option<Vec<u8>>> {
        block.clear();
        block.reserve(target + CHUNK);
        block.extend_from_slice(&self.buf[self.start..self.end]);
        self.start = 0;
        self.end = 0;
        self.may_hold_nul = false;
        let limit = target.saturating_add(self.max_line);
        loop {
            if self.skipping {
                match memchr::memchr(b'\n', &block) {
                    Some(newline) => {
                        block.drain(..=newline);
                        self.skipping = false;
                    }
                    None => block.clear(),
                }
            }
            let mut at_limit = block.len() >= limit;
            if at_limit && !self.skipping {
                // Keep one NUL of a run that starts the last line, so a crash hole of any size
                // neither fills the block nor makes the line after it too long. The NUL kept
                // does not count towards the limit either.
                let line_start = memchr::memrchr(b'\n', &block).map_or(0, |newline| newline + 1);
                let nul = nul_run_len(&block[line_start..]);
                if nul > 1 {
                    block.drain(line_start + 1..line_start + nul);
                }
                at_limit = block.len() >= limit + nul.min(1);
            }
            let have_newline = memchr::memrchr(b'\n', &block).is_some();
            let full = (block.len() >= target && have_newline) || at_limit;
            if self.eof || (full && !self.skipping) {
                break;
            }
            // `read_to_end` fills the spare capacity without zeroing it first, which matters
            // on the reader thread that shares the cores with the parsers.
            let old_len = block.len();
            let result = (&mut self.reader)
                .take(CHUNK as u64)
                .read_to_end(&mut block);
            self.bytes_read += (block.len() - old_len) as u64;
            match result {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(e) if trailing_data(&e).is_some() => {
                    self.trailing_data = trailing_data(&e);
                    self.eof = true;
                }
                Err(e) if is_truncation(&e) => {
                    self.truncated = Some(e.to_string());
                    self.eof = true;
                }
                Err(e) => return Err(e),
            }
        }
        if block.is_empty() {
            return Ok(None);
        }
        match memchr::memrchr(b'\n', &block) {
            // Keep the partial line after the last newline for the next block.
            Some(last) if !self.eof => {
                let rest = &block[last + 1..];
                if self.buf.len() < rest.len() {
                    self.buf.resize(rest.len(), 0);
                }
                self.buf[..rest.len()].copy_from_slice(rest);
                self.end = rest.len();
                self.may_hold_nul = memchr::memchr(0, rest).is_some();
                block.truncate(last + 1);
            }
            // A line longer than `limit` with no newline yet: hand over what was read, which
            // the caller reports as too long, and discard the rest of the line.
            None if !self.eof => {
                block.push(b'\n');
                self.skipping = true;
            }
            _ => {
                if block.last() != Some(&b'\n') {
                    self.missing_final_newline = true;
                    block.push(b'\n');
                }
            }
        }
        Ok(Some(block))
    }

    /// Returns the next line, or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        Ok(self.next_line_with_nul_hint()?.map(|(line, _)| line))
    }

    /// Returns the next line as [`LineReader::next_line`] does, with whether it may contain a
    /// NUL byte after the one kept of a run that starts it. `false` means it contains none.
    pub fn next_line_with_nul_hint(&mut self) -> io::Result<Option<(Line<'_>, bool)>> {
        let mut skipped: u64 = 0;
        loop {
            if let Some(pos) = memchr::memchr(b'\n', &self.buf[self.start..self.end]) {
                let line_start = self.start;
                self.start += pos + 1;
                self.line_no += 1;
                if skipped > 0 {
                    let bytes = skipped + pos as u64;
                    return Ok(Some((Line::TooLong { bytes }, false)));
                }
                let nul = nul_run_len(&self.buf[line_start..line_start + pos]);
                if pos - nul > self.max_line {
                    return Ok(Some((Line::TooLong { bytes: pos as u64 }, false)));
                }
                let mut line = &self.buf[line_start + nul.saturating_sub(1)..line_start + pos];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                // Editors on some systems start a file with a UTF-8 byte-order mark.
                if self.line_no == 1 {
                    line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
                }
                return Ok(Some((Line::Text(line), self.may_hold_nul)));
            }

            // No newline in the buffered bytes: a truncated last line at the end of input.
            if self.eof {
                if self.start == self.end && skipped == 0 {
                    return Ok(None);
                }
                let line_start = self.start;
                let len = self.end - self.start;
                self.start = self.end;
                self.line_no += 1;
                self.missing_final_newline = true;
                let nul = nul_run_len(&self.buf[line_start..line_start + len]);
                if skipped > 0 || len - nul > self.max_line {
                    let bytes = skipped + len as u64;
                    return Ok(Some((Line::TooLong { bytes }, false)));
                }
                let mut line = &self.buf[line_start + nul.saturating_sub(1)..line_start + len];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                return Ok(Some((Line::Text(line), self.may_hold_nul)));
            }

            // Make room: drop what was consumed, all but one NUL of a run that starts the line,
            // or the head of an over-long line.
            if skipped == 0 {
                let nul = nul_run_len(&self.buf[self.start..self.end]);
                self.start += nul.saturating_sub(1);
            }
            let pending = self.end - self.start;
            if pending > self.max_line {
                skipped += pending as u64;
                self.start = 0;
                self.end = 0;
            } else if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.start = 0;
                self.end = pending;
            }
            if self.may_hold_nul {
                self.may_hold_nul = memchr::memchr(0, &self.buf[self.start..self.end]).is_some();
            }
            if self.end == self.buf.len() {
                // The buffer is full of one line shorter than the limit: grow it.
                let new_len = (self.buf.len() * 2).min(self.max_line + CHUNK);
                self.buf.resize(new_len.max(self.buf.len() + 1), 0);
            }
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    if !self.may_hold_nul {
                        let read = &self.buf[self.end..self.end + n];
                        self.may_hold_nul = memchr::memchr(0, read).is_some();
                    }
                    self.end += n;
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if trailing_data(&e).is_some() => {
                    self.trailing_data = trailing_data(&e);
                    self.eof = true;
                }
                Err(e) if is_truncation(&e) => {
                    self.truncated = Some(e.to_string());
                    self.eof = true;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The members of a gzip stream read one after another, like flate2's `MultiGzDecoder`, except
/// that zero bytes after the last member end the stream.
///
/// Tools that write to preallocated or block-padded files leave such zeros, and `gzip -t`
/// accepts them. Any other bytes after a member end the stream with a [`TrailingData`] error,
/// which the line reader keeps apart from a member that is cut or corrupt.
struct GzMembers<R: BufRead> {
    state: Members<R>,
}

enum Members<R: BufRead> {
    /// The decoder of the member being read.
    Member(flate2::bufread::GzDecoder<R>),
    /// The compressed stream after a member ended.
    Between(R),
    Done,
}

impl<R: BufRead> GzMembers<R> {
    fn new(reader: R) -> GzMembers<R> {
        GzMembers {
            state: Members::Member(flate2::bufread::GzDecoder::new(reader)),
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match std::mem::replace(&mut self.state, Members::Done) {
                Members::Member(mut decoder) => match decoder.read(buf) {
                    Ok(0) if !buf.is_empty() => self.state = Members::Between(decoder.into_inner()),
                    Ok(n) => {
                        self.state = Members::Member(decoder);
                        return Ok(n);
                    }
                    Err(e) => return Err(e),
                },
                Members::Between(mut reader) => {
                    let next = reader.fill_buf()?;
                    let Some(&first) = next.first() else {
                        return Ok(0);
                    };
                    if first == GZIP_MAGIC[0] {
                        self.state = Members::Member(flate2::bufread::GzDecoder::new(reader));
                    } else if first == 0 {
                        let zeros = next.iter().take_while(|b| **b == 0).count();
                        reader.consume(zeros);
                        self.state = Members::Between(reader);
                    } else {
                        let joined = inner_compression(next).map(|(format, _)| format);
                        let bytes = count_to_end(&mut reader)?;
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            TrailingData {
                                bytes,
                                format: "gzip",
                                joined,
                            },
                        ));
                    }
                }
                Members::Done => return Ok(0),
            }
        }
    }
}

/// Reads a reader to its end and returns the number of bytes it gave.
fn count_to_end<R: BufRead>(reader: &mut R) -> io::Result<u64> {
    let mut count = 0u64;
    loop {
        let available = match reader.fill_buf() {
            Ok(buffer) => buffer.len(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available == 0 {
            return Ok(count);
        }
        reader.consume(available);
        count += available as u64;
    }
}

/// The error that ends a gzip or zstd stream whose last member or frame is complete and is
/// followed by bytes that are neither another one nor (for gzip) zero padding. `gzip -t` calls
/// them "trailing garbage".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrailingData {
    /// The number of bytes after the last member or frame, past any zero padding.
    pub bytes: u64,
    /// The stream's format: `gzip` or `zstd`.
    pub format: &'static str,
    /// The format whose magic bytes start the extra bytes, when they have one: a file of
    /// another format joined after this one (`cat a.zst b.gz`).
    pub joined: Option<&'static str>,
}

impl TrailingData {
    /// Returns the name of the stream's unit: a gzip member or a zstd frame.
    pub fn unit(self) -> &'static str {
        if self.format == "gzip" {
            "gzip member"
        } else {
            "zstd frame"
        }
    }
}

impl std::fmt::Display for TrailingData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.joined {
            Some(other) => write!(
                f,
                "{} bytes after the last {} are a {other} stream (a {} file and a {other} file \
                 joined)",
                self.bytes,
                self.unit(),
                self.format
            ),
            None => write!(
                f,
                "{} bytes after the last {} are not {}",
                self.bytes,
                self.unit(),
                self.format
            ),
        }
    }
}

impl std::error::Error for TrailingData {}

/// Returns the [`TrailingData`] inside `error`, if any: the stream before the extra bytes was
/// complete.
pub fn trailing_data(error: &io::Error) -> Option<TrailingData> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<TrailingData>())
        .copied()
}

/// The frames of a zstd stream read one after another, like [`GzMembers`]: bytes after the
/// last frame that start no frame end the stream with a [`TrailingData`] error, apart from a
/// frame that is cut or corrupt.
///
/// The zstd crate (0.13) reports a damaged frame as `ErrorKind::Other`, which would fail the
/// run, while flate2 reports a damaged gzip member as `InvalidData`, which keeps the lines
/// before it. So decoding errors read as `InvalidData`. Errors of the file beneath pass
/// through the decoder with their own kinds.
struct ZstdFrames<R: BufRead> {
    state: Frames<R>,
}

enum Frames<R: BufRead> {
    /// The decoder of the frame being read.
    Frame(zstd::stream::read::Decoder<'static, R>),
    /// The compressed stream after a frame ended.
    Between(R),
    Done,
}

/// Bytes 1 to 3 of a skippable zstd frame's magic, `0x184D2A5?` little-endian (RFC 8878),
/// whose byte 0 is `0x50` to `0x5F`. The decoder skips such frames.
const ZSTD_SKIPPABLE_MAGIC: [u8; 3] = [0x2a, 0x4d, 0x18];

impl<R: BufRead> ZstdFrames<R> {
    fn new(reader: R) -> io::Result<ZstdFrames<R>> {
        Ok(ZstdFrames {
            state: Frames::Frame(Self::frame_decoder(reader)?),
        })
    }

    fn frame_decoder(reader: R) -> io::Result<zstd::stream::read::Decoder<'static, R>> {
        let mut decoder = zstd::stream::read::Decoder::with_buffer(reader)?.single_frame();
        // `zstd --long` writes windows above the 128 MiB a decoder accepts by default. The
        // window is allocated only for a frame that declares it.
        decoder.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
        Ok(decoder)
    }
}

/// Tells whether `next`, the bytes after a zstd frame, can start another frame: a frame or a
/// skippable frame magic, or the first bytes of such a magic where the stream ends.
fn starts_zstd_frame(next: &[u8]) -> bool {
    let begins = |bytes: &[u8], magic: &[u8]| bytes.iter().zip(magic).all(|(a, b)| a == b);
    let skippable =
        next.first().is_some_and(|b| b & 0xf0 == 0x50) && begins(&next[1..], &ZSTD_SKIPPABLE_MAGIC);
    begins(next, &ZSTD_MAGIC) || skippable
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let corrupt = |e: io::Error| {
            if e.kind() == io::ErrorKind::Other {
                io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
            } else {
                e
            }
        };
        loop {
            match std::mem::replace(&mut self.state, Frames::Done) {
                Frames::Frame(mut decoder) => match decoder.read(buf) {
                    Ok(0) if !buf.is_empty() => self.state = Frames::Between(decoder.finish()),
                    Ok(n) => {
                        self.state = Frames::Frame(decoder);
                        return Ok(n);
                    }
                    Err(e) => return Err(corrupt(e)),
                },
                Frames::Between(mut reader) => {
                    let next = reader.fill_buf()?;
                    if next.is_empty() {
                        return Ok(0);
                    }
                    if starts_zstd_frame(next) {
                        self.state = Frames::Frame(Self::frame_decoder(reader).map_err(corrupt)?);
                    } else {
                        let joined = inner_compression(next).map(|(format, _)| format);
                        let bytes = count_to_end(&mut reader)?;
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            TrailingData {
                                bytes,
                                format: "zstd",
                                joined,
                            },
                        ));
                    }
                }
                Frames::Done => return Ok(0),
            }
        }
    }
}

/// Tells whether a read error means a compressed stream ended early or was corrupt: the bytes
/// before it are kept and the input is reported as truncated.
fn is_truncation(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = LineReader::new(input, max);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().unwrap() {
            out.push(match line {
                Line::Text(text) => String::from_utf8_lossy(text).into_owned(),
                Line::TooLong { bytes } => format!("<too long: {bytes}>"),
            });
        }
        out
    }

    #[test]
    fn utf16_encoding_table() {
        let line = b"2026-06-10T19:30:12+00:00 devvm kernel: x\n";
        let little: Vec<u8> = line.iter().flat_map(|&b| [b, 0]).collect();
        let big: Vec<u8> = line.iter().flat_map(|&b| [0, b]).collect();
        let mut little_accented = little.clone();
        little_accented.extend_from_slice(&[0xe9, 0x00, 0x14, 0x20]);
        let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
            (
                "mark, little-endian",
                [&[0xff, 0xfe][..], &little].concat(),
                Some("UTF-16"),
            ),
            (
                "mark, big-endian",
                [&[0xfe, 0xff][..], &big].concat(),
                Some("UTF-16"),
            ),
            (
                "UTF-32 mark",
                vec![0xff, 0xfe, 0, 0, b'a', 0, 0, 0],
                Some("UTF-32"),
            ),
            ("little-endian", little.clone(), Some("UTF-16LE")),
            ("big-endian", big, Some("UTF-16BE")),
            ("non-ASCII characters", little_accented, Some("UTF-16LE")),
            ("UTF-8", line.to_vec(), None),
            ("UTF-8 mark", [&b"\xef\xbb\xbf"[..], line].concat(), None),
            ("NUL bytes only", vec![0; 4096], None),
            (
                "NUL run inside text",
                [&line[..], &[0; 64], line].concat(),
                None,
            ),
            ("one byte pair", vec![b'a', 0], None),
            ("empty", Vec::new(), None),
        ];
        for (name, head, expected) in cases {
            assert_eq!(utf16_encoding(&head), expected, "{name}");
        }
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        assert_eq!(lines(b"a\r\nb\n\nc", 100), vec!["a", "b", "", "c"]);
        assert_eq!(lines(b"", 100), Vec::<String>::new());
        assert_eq!(lines(b"\n", 100), vec![""]);
    }

    #[test]
    fn strips_byte_order_mark_of_first_line() {
        assert_eq!(
            lines(b"\xef\xbb\xbfa\n\xef\xbb\xbfb\n", 100),
            vec!["a", "\u{feff}b"]
        );
    }

    #[test]
    fn caps_long_lines() {
        let mut input = vec![b'x'; 3 * CHUNK];
        input.extend_from_slice(b"\nshort\n");
        input.extend(vec![b'y'; 50]);
        assert_eq!(
            lines(&input, 40),
            vec![
                format!("<too long: {}>", 3 * CHUNK),
                "short".into(),
                "<too long: 50>".into()
            ]
        );
    }

    /// Returns the lines of `input` read in blocks, as the block parser receives them. A line
    /// whose text after its leading NUL run is longer than `max` is `<too long>`, and the run
    /// shows as one NUL.
    fn blocks(input: &[u8], max: usize, target: usize) -> Vec<String> {
        let mut reader = LineReader::new(input, max);
        let mut lines = Vec::new();
        while let Some(block) = reader.next_block(target).unwrap() {
            assert_eq!(block.last(), Some(&b'\n'), "a block ends with a whole line");
            assert!(
                block.len() <= target + max + CHUNK + 1,
                "a block of {} bytes outgrew its limit",
                block.len()
            );
            let text = String::from_utf8_lossy(&block).into_owned();
            lines.extend(text.lines().map(|l| {
                let text = l.trim_start_matches('\0');
                let nul = if text.len() < l.len() { "\0" } else { "" };
                if text.len() > max {
                    "<too long>".to_string()
                } else {
                    format!("{nul}{text}")
                }
            }));
        }
        lines
    }

    #[test]
    fn blocks_hold_the_same_lines() {
        let mut input = Vec::new();
        for i in 0..20_000 {
            input.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        input.extend_from_slice(b"last without newline");
        let from_lines = lines(&input, 100);
        assert_eq!(blocks(&input, 100, 4096), from_lines);
        assert_eq!(blocks(&input, 100, 1), from_lines);
    }

    #[test]
    fn blocks_cut_long_lines_once() {
        let mut input = b"a\n".to_vec();
        input.extend(vec![b'x'; 3 * CHUNK]);
        input.extend_from_slice(b"\nb\n");
        assert_eq!(blocks(&input, 40, 100), vec!["a", "<too long>", "b"]);
    }

    #[test]
    fn nul_run_is_not_line_length() {
        // A crash hole of NUL bytes far longer than the limit, followed with no line end by the
        // next write.
        let hole = vec![0u8; 3 * CHUNK];
        let cat = |parts: &[&[u8]]| parts.concat();
        let at_limit = format!("\0{}", "x".repeat(40));
        // (what the case covers, input, the lines read)
        let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
            (
                "hole before a line",
                cat(&[b"a\n", &hole, b"after the hole\nb\n"]),
                vec!["a", "\0after the hole", "b"],
            ),
            (
                "hole that is a line of its own",
                cat(&[b"a\n", &hole, b"\nb\n"]),
                vec!["a", "\0", "b"],
            ),
            (
                "hole at the end with no line end",
                cat(&[b"a\n", &hole]),
                vec!["a", "\0"],
            ),
            (
                "hole before a line at the limit",
                cat(&[&hole, &[b'x'; 40], b"\nb\n"]),
                vec![&at_limit, "b"],
            ),
            (
                "hole before a line over the limit",
                cat(&[&hole, &[b'x'; 41], b"\nb\n"]),
                vec!["<too long>", "b"],
            ),
            (
                "hole before a long line past the chunk",
                cat(&[&hole, &vec![b'x'; 2 * CHUNK], b"\nb\n"]),
                vec!["<too long>", "b"],
            ),
        ];
        for (what, input, expected) in cases {
            let mut reader = LineReader::new(&input[..], 40);
            let mut read = Vec::new();
            while let Some(line) = reader.next_line().unwrap() {
                read.push(match line {
                    Line::Text(text) => String::from_utf8_lossy(text).into_owned(),
                    Line::TooLong { .. } => "<too long>".to_string(),
                });
            }
            assert_eq!(read, expected, "{what}: line by line");
            assert_eq!(
                reader.buf.len(),
                LINE_BUFFER,
                "{what}: the line buffer grew"
            );
            for target in [1, 100, CHUNK] {
                assert_eq!(
                    blocks(&input, 40, target),
                    expected,
                    "{what}: blocks of {target} bytes"
                );
            }
        }
    }

    #[test]
    fn line_across_chunks() {
        let mut input = vec![b'a'; CHUNK - 3];
        input.extend_from_slice(b"bcdef\nz\n");
        let out = lines(&input, 2 * CHUNK);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len(), CHUNK + 2);
        assert_eq!(out[1], "z");
    }

    #[test]
    fn multi_member_gzip_is_read_to_the_end() {
        let mut data = gzip_member(b"one\n");
        data.extend(gzip_member(b"two\n"));
        let (lines, _, _) = read_file_lines(&data);
        assert_eq!(lines, vec!["one".to_string(), "two".to_string()]);
    }

    /// Reads `data` through [`open`] as a file and returns its lines and the reader's state.
    fn read_file_lines(data: &[u8]) -> (Vec<String>, Option<String>, Option<TrailingData>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log.gz");
        std::fs::write(&path, data).unwrap();
        let spec = InputSpec {
            source: InputSource::Path(path),
            forced_type: None,
        };
        let mut reader = LineReader::new(open(&spec).unwrap(), 100);
        let mut out = Vec::new();
        while let Some(Line::Text(text)) = reader.next_line().unwrap() {
            out.push(String::from_utf8_lossy(text).into_owned());
        }
        (out, reader.truncated, reader.trailing_data)
    }

    fn gzip_member(text: &[u8]) -> Vec<u8> {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    /// A case of bytes appended to a compressed stream: its name, the bytes, the extra bytes
    /// reported, and the format they start with.
    type Appended<'a> = (&'a str, &'a [u8], Option<u64>, Option<&'static str>);

    #[test]
    fn gzip_trailing_data_versus_cut() {
        let mut two = gzip_member(b"one\n");
        two.extend(gzip_member(b"two\n"));
        let lines = vec!["one".to_string(), "two".to_string()];

        let zstd_file = zstd::encode_all(&b"three\n"[..], 3).unwrap();

        let appended: [Appended; 5] = [
            ("nothing", b"", None, None),
            ("zero padding", &[0; 512], None, None),
            ("text", b"this is not gzip\n", Some(17), None),
            ("zeros then text", b"\0\0\0junk", Some(4), None),
            (
                "a zstd file joined",
                &zstd_file,
                Some(zstd_file.len() as u64),
                Some("zstd"),
            ),
        ];
        for (case, tail, expected, joined) in appended {
            let mut data = two.clone();
            data.extend_from_slice(tail);
            let (out, truncated, trailing) = read_file_lines(&data);
            assert_eq!(out, lines, "{case}");
            assert_eq!(truncated, None, "{case}");
            let expected = expected.map(|bytes| TrailingData {
                bytes,
                format: "gzip",
                joined,
            });
            assert_eq!(trailing, expected, "{case}");
        }

        // A cut member is still an early end, not trailing data.
        let cut = &two[..two.len() - 3];
        let (out, truncated, trailing) = read_file_lines(cut);
        assert_eq!(out.first().map(String::as_str), Some("one"));
        assert!(truncated.is_some());
        assert_eq!(trailing, None);
    }

    #[test]
    fn zstd_trailing_data_versus_cut() {
        let mut two = zstd::encode_all(&b"one\n"[..], 3).unwrap();
        two.extend(zstd::encode_all(&b"two\n"[..], 3).unwrap());
        let lines = vec!["one".to_string(), "two".to_string()];
        // A skippable frame (magic 0x184D2A50, 4 bytes of content) between and after frames.
        let skippable: &[u8] = &[0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];

        let gzip_file = gzip_member(b"three\n");

        let appended: [Appended; 5] = [
            ("nothing", b"", None, None),
            ("skippable frame", skippable, None, None),
            ("text", b"GARBAGE\n", Some(8), None),
            ("zeros", &[0; 6], Some(6), None),
            (
                "a gzip file joined",
                &gzip_file,
                Some(gzip_file.len() as u64),
                Some("gzip"),
            ),
        ];
        for (case, tail, expected, joined) in appended {
            let mut data = two.clone();
            data.extend_from_slice(tail);
            let (out, truncated, trailing) = read_file_lines(&data);
            assert_eq!(out, lines, "{case}");
            assert_eq!(truncated, None, "{case}");
            let expected = expected.map(|bytes| TrailingData {
                bytes,
                format: "zstd",
                joined,
            });
            assert_eq!(trailing, expected, "{case}");
        }

        // A cut frame, or a cut frame header after a whole frame, is an early end.
        let one = zstd::encode_all(&b"one\n"[..], 3).unwrap();
        let cut_header = [&one[..], &ZSTD_MAGIC[..2]].concat();
        for (case, data) in [
            ("cut frame", &two[..two.len() - 3]),
            ("cut header", &cut_header),
        ] {
            let (out, truncated, trailing) = read_file_lines(data);
            assert_eq!(out.first().map(String::as_str), Some("one"), "{case}");
            assert!(truncated.is_some(), "{case}");
            assert_eq!(trailing, None, "{case}");
        }
    }

    #[test]
    fn pod_from_file_name() {
        for name in [
            "logs/cloudflared-6f7c9d8b5-k2x9p.log.gz",
            "logs/cloudflared-6f7c9d8b5-k2x9p.log.zst",
            "cloudflared-6f7c9d8b5-k2x9p.log",
            "cloudflared-6f7c9d8b5-k2x9p",
            "cloudflared-6f7c9d8b5-k2x9p.logrus.log",
            "cloudflared-6f7c9d8b5-k2x9p.json.log.gz",
            "cloudflared-6f7c9d8b5-k2x9p.console.txt",
            "cloudflared-6f7c9d8b5-k2x9p.grafana.txt",
            "cloudflared-6f7c9d8b5-k2x9p.out",
            "logs/cloudflared-6f7c9d8b5-k2x9p.log.1",
            "cloudflared-6f7c9d8b5-k2x9p.log.2026-06-10.bz2",
            "cloudflared-6f7c9d8b5-k2x9p.txt.xz",
            "cloudflared-6f7c9d8b5-k2x9p.old.log.gz",
            "/var/log/containers/cloudflared-6f7c9d8b5-k2x9p_cloudflared_cloudflared-0123abcd.log",
            "/var/log/pods/cloudflared_cloudflared-6f7c9d8b5-k2x9p_7f3c9a1e-2b4d/cloudflared/0.log",
            "pods/cloudflared_cloudflared-6f7c9d8b5-k2x9p_7f3c9a1e-2b4d/cloudflared/1.log.20260610-193012.gz",
        ] {
            let spec = InputSpec {
                source: InputSource::Path(name.into()),
                forced_type: None,
            };
            assert_eq!(
                spec.pod_from_name().as_deref(),
                Some("cloudflared-6f7c9d8b5-k2x9p"),
                "{name}"
            );
        }
    }
}
