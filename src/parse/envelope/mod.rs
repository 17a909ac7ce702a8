//! Envelopes: the wrappers that exports put around the original log lines.
//!
//! In a post-mortem the lines come out of Loki (`logcli query`, its HTTP API, Grafana Explore
//! downloads), kubectl (`kubectl logs --timestamps --prefix`, container runtime files) and
//! journalctl (`-o export`), each wrapping the line in its own way. Reading one is two steps:
//!
//! 1. **Unwrap.** A format module ([`kubectl`], [`loki`], [`grafana`]) cuts one envelope into an
//!    [`Unwrapped`]: the envelope's time, the labels that name the stream it came from (a Loki
//!    label set, a kubectl `[pod/NAME/CONTAINER]` prefix) and the inner line.
//! 2. **Route.** The [`Router`] hands the inner line to the parser of its source. Labels decide
//!    when they name the source (`namespace="traefik"`, a pod named `cloudflared-…`, a
//!    `job="devvm-journal"` stream with a `unit`). Otherwise the inner line is sniffed. One
//!    line can be ambiguous, because Traefik's own diagnostics have cloudflared's console
//!    shape, so the first line that is surely one format decides the whole stream (one label
//!    set, one pod and container, or the whole input), and the decision is remembered.
//!    Before any line is parsed, the input's sample lines are run through the same decision,
//!    so a stream's first ambiguous lines already go to the right parser.
//!
//! The envelope's time becomes [`LineCtx::outer_time`]: cloudflared lines and Traefik
//! diagnostics keep their own time and fall back on it, Traefik access lines keep their
//! bracket time, and a journal message (whose only time is the envelope's) takes it as its
//! journal time. Nothing here assumes ascending times: `logcli` prints newest first unless
//! `--forward`, and the pipeline sorts events after reading.
//!
//! Loki's paging can print an entry twice. Two entries with the same full-precision time,
//! labels and line inside one envelope are one entry: the repeat is counted as ignored and
//! named in the input's warnings. Times of one second resolution cannot tell a paging repeat
//! from a real one (five identical cancel lines in one second are a burst), so those are kept.
//! That is every time of `logcli --output=default`, which prints whole seconds, and of a Grafana
//! text download, which prints milliseconds: a mass cancel writes identical cancel lines in one
//! millisecond.
//!
//! `journalctl -o export`, Grafana's JSON download and Loki API responses are not line formats:
//! the first spans lines with binary fields, the others are JSON documents. They are read as
//! records from the byte stream ([`RecordReader`]) instead of line by line.

pub mod grafana;
pub mod kubectl;
pub mod loki;
pub mod loki_api;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;

use super::cloudflared::{self, CloudflaredParser};
use super::journal::{JournalParser, Prefix, Program, Stamp, route, route_by_content};
use super::traefik::{self, TraefikParser};
use super::{LineClass, LineCtx, LineParser, ParseOptions, Sink};
use crate::event::EventKind;
use crate::time::{Precision, SECOND};

/// The line-based envelope formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `kubectl logs` with `--timestamps`, `--prefix` or both, and container runtime (CRI)
    /// files; the shape is decided per line.
    Kubectl,
    /// `logcli query --output=jsonl`.
    LogcliJsonl,
    /// `logcli query --output=default`.
    LogcliDefault,
    /// Grafana Explore's text download.
    GrafanaText,
}

/// The labels of one envelope that matter for routing, and a hash of all of them, which
/// identifies the stream. Values are borrowed from the line unless they had to be unescaped.
#[derive(Clone, Debug, Default)]
pub struct Labels<'a> {
    pub namespace: Option<Cow<'a, str>>,
    pub pod: Option<Cow<'a, str>>,
    pub container: Option<Cow<'a, str>>,
    pub app: Option<Cow<'a, str>>,
    pub job: Option<Cow<'a, str>>,
    /// The systemd unit of a journal stream (`unit`, `systemd_unit`, `_SYSTEMD_UNIT`).
    pub unit: Option<Cow<'a, str>>,
    /// The syslog identifier of a journal stream (`syslog_identifier`, `identifier`).
    pub identifier: Option<Cow<'a, str>>,
    /// A hash over every label name and value, in the order given.
    pub stream: u64,
    /// The number of labels seen.
    pub count: usize,
}

impl<'a> Labels<'a> {
    /// Records one label.
    pub fn insert(&mut self, name: &str, value: Cow<'a, str>) {
        let mut hasher = DefaultHasher::new();
        (self.stream, name, value.as_ref()).hash(&mut hasher);
        self.stream = hasher.finish();
        self.count += 1;
        let slot = match name {
            "namespace" | "k8s_namespace_name" => &mut self.namespace,
            "pod" | "pod_name" | "k8s_pod_name" => &mut self.pod,
            "container" | "container_name" | "k8s_container_name" => &mut self.container,
            "app" | "app_kubernetes_io_name" | "service_name" => &mut self.app,
            "job" => &mut self.job,
            "unit" | "systemd_unit" | "_SYSTEMD_UNIT" => &mut self.unit,
            "syslog_identifier" | "identifier" | "SYSLOG_IDENTIFIER" => &mut self.identifier,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    /// Decides the source from the labels, when they name it.
    fn target(&self) -> Option<Target> {
        let is_journal = self.unit.is_some()
            || self.identifier.is_some()
            || self
                .job
                .as_deref()
                .is_some_and(|job| job.contains("journal"));
        if is_journal {
            let identifier = self.identifier.as_deref().unwrap_or("");
            let unit = self.unit.as_deref().map(str::as_bytes);
            return Some(Target::Journal(route(identifier.as_bytes(), unit)));
        }
        let names = [
            &self.namespace,
            &self.app,
            &self.container,
            &self.pod,
            &self.job,
        ];
        let named = |word: &str| {
            names
                .iter()
                .any(|n| n.as_deref().is_some_and(|n| n.contains(word)))
        };
        if named("cloudflared") {
            Some(Target::Cloudflared)
        } else if named("traefik") {
            Some(Target::Traefik)
        } else {
            None
        }
    }
}

/// One envelope, unwrapped.
#[derive(Debug)]
pub struct Unwrapped<'a> {
    /// The envelope's time, UTC microseconds, when it has one.
    pub time: Option<(i64, Precision)>,
    /// Whether the envelope's time has sub-second digits, so that an exact repeat of time,
    /// labels and line is a paging duplicate rather than a real repeat.
    pub precise: bool,
    pub labels: Labels<'a>,
    pub line: Cow<'a, [u8]>,
}

/// Where an inner line goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Traefik,
    Cloudflared,
    Journal(Program),
}

/// Routes inner lines to the Traefik, cloudflared and journal message parsers.
pub struct Router {
    traefik: TraefikParser,
    cloudflared: CloudflaredParser,
    journal: JournalParser,
    /// Decisions of streams whose labels do not name their source, by stream hash.
    streams: HashMap<u64, Target>,
    /// Lines that were surely Traefik or surely cloudflared, over the whole input: the
    /// majority decides an ambiguous line of a stream that has no decision yet.
    sure_traefik: u64,
    sure_cloudflared: u64,
    duplicates: Duplicates,
    /// Journal lines whose stream named no program for them, routed by their text.
    routed_by_content: u64,
    /// Lines without labels that are neither Traefik's nor cloudflared's, read as journal lines.
    unlabelled_journal: u64,
    /// Journal lines of a program the rules read (dispatch, a serve, the kernel, systemd...).
    journal_programs: u64,
    /// Set when the unlabelled lines were not counted as journal coverage (see
    /// `settle_unlabelled_journal`).
    no_journal_program: bool,
    /// Serve starts and git timeouts whose user neither the labels nor the line name.
    serve_without_user: u64,
    /// The entries routed, repeats included.
    entries: u64,
    /// The pod the input's file name names, for cloudflared lines whose labels name none.
    file_pod: Option<Box<str>>,
    /// Set for envelopes that trim the spaces around each line (`logcli --output=default`),
    /// which takes the indent off a serve's detail lines.
    trimmed: bool,
    /// Streams, by hash, of which an entry time with sub-second digits has been seen.
    fractional_streams: HashSet<u64>,
}

impl Router {
    /// Takes back the journal coverage of unlabelled lines when no line of the input came from
    /// a program a rule reads. Such lines then hold no devvm journal, but lines of another
    /// kind that neither Traefik's nor cloudflared's shape names, such as the lines of a Go
    /// panic's trace in a download of Traefik and cloudflared alone. Counted as journal
    /// coverage, they would let a drop read as the user's own network with no journal given.
    fn settle_unlabelled_journal(&mut self, sink: &mut Sink) {
        if self.unlabelled_journal == 0 || self.journal_programs > 0 {
            return;
        }
        sink.activity.remove_source(crate::event::Source::Journal);
        sink.events
            .retain(|event| !matches!(event.kind, EventKind::JournalSilence { .. }));
        sink.journal_edge = Default::default();
        self.no_journal_program = true;
    }

    pub fn new(options: &ParseOptions) -> Router {
        Router {
            traefik: TraefikParser::new(options),
            cloudflared: CloudflaredParser::new(options),
            journal: JournalParser::new(options),
            streams: HashMap::new(),
            sure_traefik: 0,
            sure_cloudflared: 0,
            duplicates: Duplicates::default(),
            routed_by_content: 0,
            unlabelled_journal: 0,
            journal_programs: 0,
            no_journal_program: false,
            serve_without_user: 0,
            entries: 0,
            file_pod: None,
            trimmed: false,
            fractional_streams: HashSet::new(),
        }
    }

    /// Decides the source of one inner line, learning the stream's source from a sure line.
    fn decide(&mut self, labels: &Labels, line: &[u8]) -> Option<Target> {
        if let Some(target) = labels.target() {
            return Some(target);
        }
        let (t, c) = (traefik::sniff(line), cloudflared::sniff(line));
        let sure = match (t, c) {
            (2, c) if c < 2 => Some(Target::Traefik),
            (t, 2) if t < 2 => Some(Target::Cloudflared),
            _ => None,
        };
        if let Some(target) = sure {
            match target {
                Target::Traefik => self.sure_traefik += 1,
                _ => self.sure_cloudflared += 1,
            }
            // An envelope without labels may merge several sources into one file (a Grafana
            // Explore pane of several queries), so there a sure line decides only itself.
            if labels.count > 0 {
                self.streams.entry(labels.stream).or_insert(target.clone());
            }
            return Some(target);
        }
        // A journal message whose program its text names (a dispatch line's Go date, a serve
        // header, a kernel OOM kill): logcli drops the labels common to all lines, so a query
        // for one unit prints `{}`.
        let program = route_by_content(line);
        if !matches!(program, Program::Other) {
            return Some(Target::Journal(program));
        }
        // Traefik and cloudflared lines start with a time or a CLF head, or are JSON. In an
        // unlabelled envelope a line of neither shape is a journal message whose text names no
        // program (chronyd, sshd, a kernel audit line). Counted as journal coverage, it tells a
        // whole journal from an export of t3-dispatch alone, unless the input has no devvm
        // program's line at all (see `settle_unlabelled_journal`).
        // NOTE: beside a devvm program's lines, another program's unlabelled log is read as
        // journal lines too.
        if labels.count == 0 && t == 0 && c == 0 && !line.trim_ascii_start().starts_with(b"{") {
            return Some(Target::Journal(Program::Other));
        }
        if let Some(target) = self.streams.get(&labels.stream) {
            return Some(target.clone());
        }
        // No decision for this stream yet: the input's majority, then the line's weak score.
        let majority = self.sure_traefik.cmp(&self.sure_cloudflared);
        match majority.then(t.cmp(&c)) {
            std::cmp::Ordering::Greater => Some(Target::Traefik),
            std::cmp::Ordering::Less => Some(Target::Cloudflared),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// Learns stream decisions and entry-time precision from a sample line without parsing it.
    pub fn learn(&mut self, entry: &Unwrapped) {
        self.decide(&entry.labels, &entry.line);
        self.entry_time(entry);
    }

    /// Returns an entry's time with the precision its stream shows. Go's RFC3339Nano and
    /// Loki's epoch nanoseconds drop or zero the fraction of a time on the whole second, so one
    /// such time could be exact. But a stream whose times all lie on the whole second comes
    /// from a source of one-second resolution (a promtail `timestamp` stage, an RFC 3164 syslog
    /// source), and its times stand for their whole second. So a time on the second is read
    /// at whole-second precision until an entry of its stream has shown sub-second digits.
    ///
    /// NOTE: in a stream of finer times, an entry that lies on the whole second before the
    /// first one with sub-second digits (one in a thousand for millisecond times) is read at
    /// whole-second precision too. The sampled lines are learned first, which makes this rare.
    fn entry_time(&mut self, entry: &Unwrapped) -> Option<(i64, Precision)> {
        let (time, precision) = entry.time?;
        if time.rem_euclid(SECOND) != 0 {
            if !self.fractional_streams.contains(&entry.labels.stream) {
                self.fractional_streams.insert(entry.labels.stream);
            }
            return Some((time, precision));
        }
        if self.fractional_streams.contains(&entry.labels.stream) {
            return Some((time, precision));
        }
        Some((time, Precision::Second))
    }

    /// Parses one unwrapped envelope. An exact repeat of a precise envelope counts as ignored,
    /// and so does a repeated line of a whole-second envelope that is never written twice
    /// (see [`is_never_repeated`]).
    pub fn route(&mut self, entry: &Unwrapped, line_no: u64, sink: &mut Sink) -> LineClass {
        self.entries += 1;
        if self.duplicates.is_repeat(entry) {
            if entry.precise || is_never_repeated(&entry.line) {
                self.duplicates.count += 1;
                return LineClass::Ignored;
            }
            // Kept, but counted for a warning: a paged whole-second export repeats these too.
            self.duplicates.kept += 1;
        }
        let entry_time = self.entry_time(entry);
        let Some(target) = self.decide(&entry.labels, &entry.line) else {
            return LineClass::Ignored;
        };
        let line: &[u8] = &entry.line;
        match target {
            Target::Traefik => {
                let ctx = LineCtx {
                    line: line_no,
                    outer_time: entry_time,
                    pod: None,
                };
                self.traefik.parse_line(line, &ctx, sink)
            }
            Target::Cloudflared => {
                // cloudflared coverage is kept per pod.
                let ctx = LineCtx {
                    line: line_no,
                    outer_time: entry_time,
                    pod: entry.labels.pod.as_deref().or(self.file_pod.as_deref()),
                };
                self.cloudflared.parse_line(line, &ctx, sink)
            }
            Target::Journal(program) => {
                let Some((time, precision)) = entry_time else {
                    return LineClass::Malformed("journal message without an envelope time");
                };
                let identifier = entry.labels.identifier.as_deref().unwrap_or("");
                // Without an identifier label, a line its unit does not name (the kernel's,
                // or any line of a stream labelled only `job`) is routed by its text.
                if entry.labels.count == 0 && matches!(program, Program::Other) {
                    self.unlabelled_journal += 1;
                }
                let program = match program {
                    Program::Other if identifier.is_empty() => {
                        let guessed = route_by_content(line);
                        if !matches!(guessed, Program::Other) {
                            self.routed_by_content += 1;
                        }
                        guessed
                    }
                    // Routed by its text, for want of any label naming the journal.
                    program if entry.labels.target().is_none() => {
                        self.routed_by_content += 1;
                        program
                    }
                    program => program,
                };
                if !matches!(program, Program::Other) {
                    self.journal_programs += 1;
                }
                // A serve writes headers (`[19:30:12.100] WARN …`) and indented detail lines,
                // so a serve line that is no header lost its indent to the trim.
                let indented;
                let line = if self.trimmed
                    && matches!(program, Program::Serve(_))
                    && !line.starts_with(b"[")
                {
                    indented = [b"  ", line].concat();
                    &indented[..]
                } else {
                    line
                };
                let prefix = Prefix {
                    host: b"",
                    identifier: identifier.as_bytes(),
                    pid: None,
                    message: line,
                };
                let ctx = LineCtx {
                    line: line_no,
                    outer_time: entry_time,
                    pod: None,
                };
                let stamp = Stamp::Real(time, precision);
                let unnamed_serve = matches!(program, Program::Serve(None));
                let events_before = sink.events.len();
                let class = self
                    .journal
                    .handle(program, stamp, &prefix, line, &ctx, sink);
                // A text journal ties such an event to its user through the PID, which no
                // envelope carries, so this user stays unknown.
                if unnamed_serve
                    && sink.events[events_before..]
                        .iter()
                        .any(|event| is_serve_event_without_user(&event.kind))
                {
                    self.serve_without_user += 1;
                }
                class
            }
        }
    }

    /// Returns the notes for the input's summary: paging duplicates that were dropped.
    pub fn notes(&self, name: &str) -> Vec<String> {
        let mut notes = Vec::new();
        // A download or query that returned no rows still has its header or brackets.
        if self.entries == 0 {
            notes.push(format!(
                "{name}: the export contains no log entry (did its query return no rows?), so \
                 it covers no time"
            ));
        }
        if let n @ 1.. = self.duplicates.count {
            notes.push(format!(
                "{name}: {n} entr{} repeated with the same time, labels and line (Loki paging) \
                 and counted once; the repeats are counted as ignored",
                if n == 1 { "y" } else { "ies" }
            ));
        }
        if let n @ 1.. = self.duplicates.kept {
            notes.push(format!(
                "{name}: {n} entr{} repeated an earlier one at the same time, which this \
                 export gives to the second or millisecond only, and were kept as real repeats \
                 (such as a burst of cancel lines); if the export was \
                 paged, some may be paging repeats, so export with logcli --output=jsonl from \
                 streams whose times have sub-second digits, or check bursts against the cancel \
                 lines",
                if n == 1 { "y" } else { "ies" }
            ));
        }
        if let n @ 1.. = self.routed_by_content {
            notes.push(format!(
                "{name}: {n} journal line(s) came from streams without a `syslog_identifier` or \
                 `unit` label for them, so their program was guessed from their text; label the \
                 journal stream with `syslog_identifier` for exact routing"
            ));
        }
        if let n @ 1.. = self.unlabelled_journal
            && self.no_journal_program
        {
            notes.push(format!(
                "{name}: {n} line(s) have no labels and neither a Traefik nor a cloudflared \
                 shape, and no line came from a devvm program the rules read, so they were \
                 ignored and are no devvm journal coverage"
            ));
        } else if let n @ 1.. = self.unlabelled_journal {
            notes.push(format!(
                "{name}: {n} line(s) have no labels and neither a Traefik nor a cloudflared \
                 shape, so they were read as devvm journal lines of programs their text does \
                 not name; the export cannot tell which query each line came from, so download \
                 each query on its own (Grafana writes its labels in a `Common labels:` line)"
            ));
        }
        if let n @ 1.. = self.serve_without_user {
            notes.push(format!(
                "{name}: {n} t3 serve start(s) or git timeout(s) have no user, because their \
                 stream names no `unit` label (`t3-serve@USER.service`) and the export carries \
                 no PID to tie them to one; the rules cannot count them as the user's serve \
                 trouble, so label the journal stream with `unit`, or export the journal with \
                 journalctl -o json"
            ));
        }
        notes
    }
}

/// Tells whether an event is a serve start or git timeout without a user.
fn is_serve_event_without_user(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::ServeStarted { user: None, .. } | EventKind::ServeGitTimeout { user: None, .. }
    )
}

/// Tells whether a line is one that its program never writes twice, so that a repeat of it in
/// a whole-second envelope is a paging repeat. On the whole second, identical cancel lines are
/// real repeats (a burst), but one socket cannot close twice, and a repeated open would be
/// orphaned by a restart. Two tabs opening in the same second lose one open, which their closes
/// do not need. A Traefik access line carries the request count (CLF) or its start time to
/// the nanosecond (JSON), so two identical ones are one line.
fn is_never_repeated(line: &[u8]) -> bool {
    super::contains(line, b" ws open ")
        || super::contains(line, b" ws close ")
        || super::traefik::sniff(line) == 2
}

/// Paging duplicates. logcli fetches in batches and the next batch starts at the last time of
/// the previous one, so a repeat comes soon after its original: among entries of the same
/// time, or as a whole run of entries when batches overlap. Two overlapping exports joined
/// into one file repeat a longer run. An entry repeats when its time, stream labels and line
/// match one of the last `MAX_KEPT` entries, so memory does not grow with the input.
///
/// NOTE: times are compared in microseconds, so two entries with equal labels and line whose
/// nanosecond times differ only below the microsecond count as one. A repeat more than
/// `MAX_KEPT` entries after its original is kept.
#[derive(Default)]
struct Duplicates {
    /// Hashes of the entries in `recent`.
    seen: HashSet<u64>,
    /// The hashes of the kept entries, in input order.
    recent: VecDeque<u64>,
    /// Repeats dropped as paging repeats.
    count: u64,
    /// Repeats of whole-second entries that were kept as real repeats.
    kept: u64,
}

impl Duplicates {
    /// The maximum number of entries kept: hours of a busy stream, in about 8 MiB.
    const MAX_KEPT: usize = 1 << 18;

    /// Tells whether an entry repeats a kept one, and records it when it does not.
    fn is_repeat(&mut self, entry: &Unwrapped) -> bool {
        let Some((time, _)) = entry.time else {
            return false;
        };
        let mut hasher = DefaultHasher::new();
        (time, entry.labels.stream, entry.line.as_ref()).hash(&mut hasher);
        let hash = hasher.finish();
        if !self.seen.insert(hash) {
            return true;
        }
        self.recent.push_back(hash);
        if self.recent.len() > Self::MAX_KEPT
            && let Some(oldest) = self.recent.pop_front()
        {
            self.seen.remove(&oldest);
        }
        false
    }
}

/// Parses a line-based envelope format.
pub struct EnvelopeParser {
    format: Format,
    router: Router,
    /// The labels of a Grafana text download's `Common labels:` line, which its rows lack.
    common_labels: Labels<'static>,
    /// A container runtime line split into `P` parts, joined until its `F` part.
    partial: kubectl::Partial,
}

impl EnvelopeParser {
    /// Creates a parser and runs the input's sample lines through the stream decisions.
    pub fn new<'a>(
        format: Format,
        options: &ParseOptions,
        sample: impl IntoIterator<Item = &'a [u8]>,
    ) -> EnvelopeParser {
        let mut parser = EnvelopeParser {
            format,
            router: Router {
                trimmed: matches!(format, Format::LogcliDefault),
                ..Router::new(options)
            },
            common_labels: Labels::default(),
            partial: kubectl::Partial::default(),
        };
        for line in sample {
            if let Ok(Some(entry)) = unwrap(format, line) {
                parser.router.learn(&entry);
            }
        }
        parser
    }

    /// Sets the pod that the input's file name names, for cloudflared lines whose labels name
    /// no pod.
    pub fn set_file_pod(&mut self, pod: Option<String>) {
        self.router.file_pod = pod.map(Box::from);
    }

    /// Returns the notes for the input's summary.
    pub fn notes(&self, name: &str) -> Vec<String> {
        self.router.notes(name)
    }
}

/// Unwraps one line of a line-based format: `Ok(None)` for a line that is valid but carries no
/// log line (a blank line, a Grafana header line).
fn unwrap(format: Format, line: &[u8]) -> Result<Option<Unwrapped<'_>>, &'static str> {
    match format {
        Format::Kubectl => kubectl::unwrap(line).map(|k| k.map(|k| k.entry)),
        Format::LogcliJsonl => loki::unwrap_jsonl(line),
        Format::LogcliDefault => loki::unwrap_default(line),
        Format::GrafanaText => grafana::unwrap_text(line),
    }
}

impl LineParser for EnvelopeParser {
    fn parse_line(&mut self, line: &[u8], ctx: &LineCtx, sink: &mut Sink) -> LineClass {
        if self.format == Format::Kubectl {
            return kubectl::parse(line, ctx, &mut self.partial, &mut self.router, sink);
        }
        if self.format == Format::GrafanaText
            && let Some(labels) = grafana::common_labels(line)
        {
            self.common_labels = labels;
            return LineClass::Ignored;
        }
        match unwrap(self.format, line) {
            Ok(Some(mut entry)) => {
                if entry.labels.count == 0 && self.common_labels.count > 0 {
                    entry.labels = self.common_labels.clone();
                }
                self.router.route(&entry, ctx.line, sink)
            }
            // A text download's continuation lines carry no shape of their own, so an export
            // of another kind appended to the file would pass as one long entry.
            Ok(None) if self.format == Format::GrafanaText && is_other_log_line(line) => {
                LineClass::Malformed(
                    "a line of another log format inside a Grafana text download; give each \
                     export as an input of its own",
                )
            }
            Ok(None) => LineClass::Ignored,
            Err(reason) => LineClass::Malformed(reason),
        }
    }

    fn finish(&mut self, sink: &mut Sink) -> crate::Result<()> {
        // A runtime file that ends inside a split line: the parts read so far are the line.
        self.partial.flush(&mut self.router, sink);
        self.router.settle_unlabelled_journal(sink);
        Ok(())
    }
}

/// Tells whether a line is surely one of the other line formats this tool reads: a logcli or
/// kubectl envelope, a journal text or JSON line, a Traefik access line or a cloudflared line.
fn is_other_log_line(line: &[u8]) -> bool {
    let sniffers: [fn(&[u8]) -> u8; 7] = [
        loki::sniff_default,
        loki::sniff_jsonl,
        kubectl::sniff,
        super::journal::sniff,
        super::journal_json::sniff,
        traefik::sniff,
        cloudflared::sniff,
    ];
    sniffers.iter().any(|sniff| sniff(line) == 2)
}

/// A format read as records from the byte stream rather than line by line.
pub trait RecordReader {
    /// Reads every record of `reader`, calling `account` with each record's first line number
    /// and class. Returns the bytes read.
    fn read_records(
        &mut self,
        reader: &mut dyn BufRead,
        sink: &mut Sink,
        account: &mut dyn FnMut(u64, LineClass),
    ) -> std::io::Result<u64>;

    /// Notes for the input's summary.
    fn notes(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }

    /// Returns why the input ended inside a record, when it did. `--strict` fails on it.
    fn cut(&self) -> Option<String> {
        None
    }
}

/// Reads a time given as a number of seconds, milliseconds, microseconds or nanoseconds since
/// the epoch, told apart by the digit count (10, 13, 16 or 19 digits for present-day times).
pub fn epoch_digits(text: &[u8]) -> Option<(i64, Precision)> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: i64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    match text.len() {
        1..=11 => Some((value.checked_mul(1_000_000)?, Precision::Second)),
        12..=14 => Some((value.checked_mul(1_000)?, Precision::Milli)),
        15..=17 => Some((value, Precision::Micro)),
        _ => Some((value / 1_000, Precision::Micro)),
    }
}

#[cfg(test)]
mod tests;
