//! Parser throughput (bytes/s) on synthetic lines of each format, and the whole pipeline on the
//! bundled testdata incident. `benches/compare.sh` compares the release binary with rg, grep and
//! gzip on a generated corpus of about 1 GiB.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use t3forensics::parse::cloudflared::CloudflaredParser;
use t3forensics::parse::journal::JournalParser;
use t3forensics::parse::traefik::TraefikParser;
use t3forensics::parse::{LineCtx, LineParser, ParseOptions, Sink};

const LINES: usize = 20_000;

fn journal_lines() -> Vec<String> {
    (0..LINES)
        .map(|i| {
            let (m, s) = ((i / 60) % 60, i % 60);
            match i % 4 {
                0 => format!(
                    "2026-06-10T19:{m:02}:{s:02}+00:00 devvm t3-dispatch[812]: 2026/06/10 19:{m:02}:{s:02} ws close \
                     user=alice ip=203.0.113.7, 10.10.1.12 dur_ms={} cause=graceful",
                    1000 + i
                ),
                1 => format!("2026-06-10T19:{m:02}:{s:02}+00:00 devvm sshd[{i}]: Accepted publickey for alice from 198.51.100.4"),
                2 => format!("2026-06-10T19:{m:02}:{s:02}+00:00 devvm CRON[{i}]: (root) CMD (run-parts /etc/cron.hourly)"),
                _ => format!(
                    "2026-06-10T19:{m:02}:{s:02}+00:00 devvm t3[4711]: [19:{m:02}:{s:02}.120] INFO (#412): refreshed /home/bob/src"
                ),
            }
        })
        .collect()
}

fn traefik_lines() -> Vec<String> {
    (0..LINES)
        .map(|i| {
            let (m, s) = ((i / 60) % 60, i % 60);
            if i % 50 == 0 {
                format!(
                    "203.0.113.7 - - [10/Jun/2026:19:{m:02}:{s:02} +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" {i} \
                     \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1512345ms"
                )
            } else {
                format!(
                    "198.51.100.{} - - [10/Jun/2026:19:{m:02}:{s:02} +0000] \"GET /api/v1/query?x={i} HTTP/2.0\" 200 512 \"-\" \
                     \"Mozilla/5.0 (X11; Linux x86_64)\" {i} \"grafana-grafana-grafana-example-net@kubernetes\" \
                     \"http://10.0.20.3:3000\" 12ms",
                    i % 250
                )
            }
        })
        .collect()
}

fn cloudflared_lines() -> Vec<String> {
    (0..LINES)
        .map(|i| {
            let (m, s) = ((i / 60) % 60, i % 60);
            format!(
                "2026-06-10T19:{m:02}:{s:02}Z ERR  error=\"Incoming request ended abruptly: context canceled\" \
                 cfRay=8f1a2b3c4d5e{i:04x}-AMS ingressRule=0 originService=https://traefik.traefik.svc.cluster.local:443"
            )
        })
        .collect()
}

fn bench_parser(c: &mut Criterion, name: &str, lines: &[String], mut parser: impl LineParser) {
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse_line", |b| {
        b.iter(|| {
            let mut sink = Sink::new(0);
            for (n, line) in lines.iter().enumerate() {
                black_box(parser.parse_line(
                    line.as_bytes(),
                    &LineCtx::plain(n as u64 + 1),
                    &mut sink,
                ));
            }
            black_box(sink.events.len())
        })
    });
    group.finish();
}

fn parsers(c: &mut Criterion) {
    let options = ParseOptions::default();
    bench_parser(c, "journal", &journal_lines(), JournalParser::new(&options));
    bench_parser(c, "traefik", &traefik_lines(), TraefikParser::new(&options));
    bench_parser(
        c,
        "cloudflared",
        &cloudflared_lines(),
        CloudflaredParser::new(&options),
    );
}

/// The whole pipeline (read, parse, correlate) on the bundled incident.
fn end_to_end(c: &mut Criterion) {
    use t3forensics::correlate::{self, CorrelateOptions};
    use t3forensics::input::{InputSource, InputSpec};
    use t3forensics::run::{self, ReadOptions};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .expect("testdata/incident exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    paths.sort();
    let bytes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let specs: Vec<InputSpec> = paths
        .into_iter()
        .map(|p| InputSpec {
            source: InputSource::Path(p),
            forced_type: None,
        })
        .collect();
    let mut group = c.benchmark_group("end_to_end");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("incident_drops", |b| {
        b.iter(|| {
            let parsed = run::read_inputs(&specs, &ReadOptions::default()).expect("testdata reads");
            black_box(
                correlate::analyze(parsed, &CorrelateOptions::with_defaults())
                    .drops
                    .len(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, parsers, end_to_end);
criterion_main!(benches);
