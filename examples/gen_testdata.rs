//! Writes the logs of a realistic incident hour on the T3 Code path, plus the drops they must
//! yield, as fixtures for the CLI tests and, scaled up, as a benchmark corpus.
//!
//! The output is byte-identical for the same options: all randomness comes from a seeded
//! splitmix64, and each file draws from its own stream.
//!
//! ```text
//! cargo run --example gen_testdata -- --out testdata/incident
//! ```

// A crate root looks for its modules beside it, so each one names its file under gen_testdata/.
#[path = "gen_testdata/clock.rs"]
mod clock;
#[path = "gen_testdata/cloudflared.rs"]
mod cloudflared;
#[path = "gen_testdata/incident.rs"]
mod incident;
#[path = "gen_testdata/journal.rs"]
mod journal;
#[path = "gen_testdata/journal_noise.rs"]
mod journal_noise;
#[path = "gen_testdata/readme.rs"]
mod readme;
#[path = "gen_testdata/rng.rs"]
mod rng;
#[path = "gen_testdata/scenario.rs"]
mod scenario;
#[path = "gen_testdata/traefik.rs"]
mod traefik;

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Parser;
use flate2::Compression;
use flate2::write::GzEncoder;

use clock::{HOUR, MILLI, at};
use journal::{Devvm, Entry, JournalFormat, JournalWriter};
use rng::Rng;
use scenario::USERS;
use traefik::{TraefikLine, TraefikWriter};

/// Write the logs of one realistic hour (or several) on the T3 Code path, and truth.csv with the
/// drops they contain.
///
/// The files in DIR: devvm-journal.log (devvm-journal.json with --journal-format json),
/// traefik-access.log, one cloudflared-*.log per pod, truth.csv and README.md.
#[derive(Parser)]
#[command(name = "gen_testdata")]
struct Options {
    /// Directory to write the files into; it is created when missing.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Start of the first hour, RFC 3339, on the cluster clock (true time).
    #[arg(long, value_name = "TIME", default_value = "2026-06-10T19:00:00Z")]
    start: String,

    /// Number of hours; the scenario repeats each hour with its times shifted.
    #[arg(long, value_name = "N", default_value_t = 1)]
    hours: u32,

    /// Unrelated Traefik access lines per second, on average.
    #[arg(long, value_name = "N", default_value_t = 4.0)]
    traefik_noise: f64,

    /// Unrelated devvm journal lines per second, on average. Whatever N, the journal is never
    /// silent for more than about 8 s.
    #[arg(long, value_name = "N", default_value_t = 0.5)]
    journal_noise: f64,

    /// Milliseconds by which devvm's clock runs ahead of the cluster (negative: behind). It
    /// shifts every journal timestamp, dispatch's Go prefix and the serve's log times.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    devvm_skew_ms: i64,

    /// Output mode of the journal export, as `journalctl -o MODE`.
    #[arg(long, value_name = "MODE", value_enum, default_value_t = JournalFormat::ShortIso)]
    journal_format: JournalFormat,

    /// Seed of the pseudo-random generator; the same options and seed give identical files.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,

    /// Also write a gzip copy (FILE.gz) of each log file.
    #[arg(long)]
    gzip: bool,
}

fn main() -> anyhow::Result<()> {
    let options = Options::parse();
    let Some(start) = clock::parse_rfc3339(&options.start) else {
        bail!(
            "invalid --start {:?}: expected an RFC 3339 time in years 1970-9999, such as 2026-06-10T19:00:00Z",
            options.start
        );
    };
    if options.hours == 0 || options.hours > 24 * 366 {
        bail!("invalid --hours {}: expected 1 to 8784", options.hours);
    }
    for (name, rate) in [
        ("--traefik-noise", options.traefik_noise),
        ("--journal-noise", options.journal_noise),
    ] {
        if !(0.0..=100_000.0).contains(&rate) {
            bail!("invalid {name} {rate}: expected lines per second from 0 to 100000");
        }
    }
    if options.devvm_skew_ms.abs() > 24 * 3_600_000 {
        bail!(
            "invalid --devvm-skew-ms {}: expected at most one day either way",
            options.devvm_skew_ms
        );
    }
    fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let logs = generate(&options, start)
        .with_context(|| format!("cannot write into {}", options.out.display()))?;
    if options.gzip {
        for path in &logs {
            gzip(path).with_context(|| format!("cannot compress {}", path.display()))?;
        }
    }
    Ok(())
}

/// Writes every file and returns the paths of the log files.
fn generate(options: &Options, start: i64) -> anyhow::Result<Vec<PathBuf>> {
    let seed = options.seed;
    let skew = options.devvm_skew_ms * MILLI;
    let end = start + i64::from(options.hours) * HOUR;
    let dir = &options.out;

    let plan = scenario::plan(&mut Rng::stream(seed, "plan"));
    let mut devvm = Devvm::new(skew, Rng::stream(seed, "journald"));
    let mut incident_rng = Rng::stream(seed, "incident");
    let mut noise =
        journal_noise::JournalNoise::new(Rng::stream(seed, "journal-noise"), options.journal_noise);
    let mut traefik_rng = Rng::stream(seed, "traefik");
    let mut synthetic_rng = Rng::stream(seed, "traefik-synthetic");
    let mut cloudflared_rng = Rng::stream(seed, "cloudflared");
    let mut pids = incident::ServePids::new();

    let journal_path = dir.join(options.journal_format.file_name());
    let render_rng = Rng::stream(seed, "journal-render");
    let mut journal = JournalWriter::create(
        &journal_path,
        options.journal_format,
        start + skew,
        end + skew,
        render_rng,
    )?;
    let traefik_path = dir.join("traefik-access.log");
    let mut traefik = TraefikWriter::create(&traefik_path, start, options.traefik_noise)?;
    let mut pods = cloudflared::Pods::new();
    pods.config_update(start, 7);

    let mut journal_pending: Vec<Entry> = Vec::new();
    let mut traefik_pending: Vec<TraefikLine> = Vec::new();
    let mut truth = Vec::new();
    let mut sockets = Vec::new();
    for index in 0..options.hours {
        let hour = start + i64::from(index) * HOUR;
        let last = index + 1 == options.hours;
        let mut out = incident::hour(&plan, hour, last, &mut devvm, &mut incident_rng, &mut pids);
        let burst = hour + at(40, 7);
        let quiet = (burst - 3 * clock::SECOND, burst + 4 * clock::SECOND);
        journal_pending.append(&mut out.journal);
        journal_pending.extend(noise.hour(&mut devvm, hour, &out.lives, quiet));
        traefik_pending.append(&mut out.traefik);
        traefik_pending.extend(traefik::noise_hour(
            &mut traefik_rng,
            hour,
            options.traefik_noise,
        ));
        traefik_pending.extend(traefik::synthetic_hour(&mut synthetic_rng, hour));
        // The request error 10 s before carol's drop sits on the pod her socket rides.
        let trap = (hour + plan.trap_drop.0, plan.trap_drop.1);
        pods.hour(&mut cloudflared_rng, hour, trap);
        truth.append(&mut out.truth);
        sockets.append(&mut out.sockets);

        // Everything generated for a later hour lies at or after that hour's start, so what lies
        // before it is final and can be written in order. What would be written after the end
        // of the input (a logout, a probe socket still open) is left out.
        let until = hour + HOUR;
        flush(
            &mut journal_pending,
            until + skew,
            |entry| entry.time,
            |entry| journal.write(entry),
        )?;
        flush(&mut traefik_pending, until, TraefikLine::end, |line| {
            traefik.write(line)
        })?;
    }
    journal.finish()?;
    traefik.finish()?;
    pods.config_update(end, 8);

    if let Err(problem) = scenario::verify_drops(&sockets) {
        bail!("the generated sockets break the scenario: {problem}");
    }
    let mut logs = vec![journal_path, traefik_path];
    logs.extend(pods.write(dir)?);
    write_truth(&dir.join("truth.csv"), &mut truth)?;
    fs::write(
        dir.join("README.md"),
        readme::text(
            options.journal_format,
            options.devvm_skew_ms,
            options.hours,
            seed,
        ),
    )?;
    Ok(logs)
}

/// Writes, in time order, the pending items that lie before `until`, and keeps the rest. The sort
/// is stable, so items of the same time keep the order they were generated in.
fn flush<T>(
    pending: &mut Vec<T>,
    until: i64,
    time: impl Fn(&T) -> i64,
    mut write: impl FnMut(&T) -> io::Result<()>,
) -> io::Result<()> {
    pending.sort_by_key(|item| time(item));
    let ready = pending.partition_point(|item| time(item) < until);
    for item in pending.drain(..ready) {
        write(&item)?;
    }
    Ok(())
}

/// Writes truth.csv, ordered by drop time, then user, then client. `time` is the dispatch close
/// on the cluster clock: its journal time minus the skew, cut to milliseconds.
fn write_truth(path: &Path, rows: &mut [incident::TruthRow]) -> io::Result<()> {
    rows.sort_by(|a, b| {
        let key = |row: &incident::TruthRow| {
            (
                row.time / MILLI,
                USERS[row.user].name,
                USERS[row.user].client,
            )
        };
        key(a).cmp(&key(b))
    });
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(
        out,
        "scenario,time,user,client_ip,dur_ms,segment_all,segment_journal_only"
    )?;
    for row in rows.iter() {
        let user = &USERS[row.user];
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            row.tag.scenario,
            clock::rfc3339_millis(row.time),
            user.name,
            user.client,
            row.dur_ms,
            row.tag.segment_all,
            row.tag.segment_journal_only
        )?;
    }
    out.flush()
}

/// Writes `path.gz` next to `path`. The gzip header carries no file name and a zero mtime, so
/// the copy is as reproducible as the file.
fn gzip(path: &Path) -> io::Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".gz");
    let mut encoder = GzEncoder::new(
        BufWriter::new(File::create(PathBuf::from(name))?),
        Compression::default(),
    );
    io::copy(&mut BufReader::new(File::open(path)?), &mut encoder)?;
    encoder.finish()?.flush()
}
