//! Tests through the library API, the way the binary calls it.

use std::path::{Path, PathBuf};

use t3forensics::correlate::{self, CorrelateOptions, explain};
use t3forensics::input::{InputSource, InputSpec};
use t3forensics::run::{self, ReadOptions};

fn analyze(dir: &str) -> correlate::Analysis {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    paths.sort();
    let specs: Vec<InputSpec> = paths
        .into_iter()
        .map(|p| InputSpec {
            source: InputSource::Path(p),
            forced_type: None,
        })
        .collect();
    let parsed = run::read_inputs(&specs, &ReadOptions::default()).unwrap();
    correlate::analyze(parsed, &CorrelateOptions::with_defaults())
}

#[test]
fn explain_agrees_with_attribution() {
    for dir in ["incident", "skew"] {
        let analysis = analyze(dir);
        assert_eq!(analysis.drops.len(), 12);
        assert!(explain::agrees_with_attribution(&analysis), "{dir}");
    }
}

#[test]
fn every_drop_has_an_incident() {
    let analysis = analyze("incident");
    for drop in &analysis.drops {
        let incident = analysis
            .incidents
            .iter()
            .find(|i| i.id == drop.incident_id)
            .unwrap();
        assert_eq!(incident.segment, drop.segment);
    }
    let total: usize = analysis.incidents.iter().map(|i| i.drops.len()).sum();
    assert_eq!(total, analysis.drops.len());
}

mod accounting {
    use proptest::prelude::*;
    use t3forensics::input::{InputSource, InputSpec};
    use t3forensics::run::{self, ReadOptions};

    const JOURNAL: &[&str] = &[
        "2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:01 ws close user=alice ip=203.0.113.7, 10.10.1.12 dur_ms=21873 cause=graceful",
        "2026-06-10T19:56:02+00:00 devvm t3-dispatch[812]: 2026/06/10 19:56:02 ws open user=bob ip=203.0.113.22, 10.10.1.12",
        "2026-06-10T19:56:03+00:00 devvm sshd[1]: Accepted publickey for alice",
        "2026-06-10T19:56:04+00:00 devvm kernel: Out of memory: Killed process 12345 (node) total-vm:1kB",
        "2026-06-10T19:56:05+00:00 devvm systemd[1]: t3-serve@bob.service: Failed with result 'oom-kill'.",
        "-- Boot 0123456789abcdef0123456789abcdef --",
        "    continued text",
    ];
    const TRAEFIK: &[&str] = &[
        "203.0.113.7, 10.10.1.12 - - [10/Jun/2026:19:30:12 +0000] \"GET /ws HTTP/1.1\" 0 0 \"-\" \"Mozilla/5.0\" 48213 \"t3code-t3-t3-example-net@kubernetes\" \"http://10.0.10.10:3780\" 1512345ms",
        "198.51.100.4 - - [10/Jun/2026:19:30:13 +0000] \"GET /api HTTP/2.0\" 200 12 \"-\" \"curl/8\" 2 \"api@internal\" \"-\" 3ms",
        "2026-06-10T19:30:12Z ERR Error while building configuration error=\"x\" providerName=kubernetes",
    ];

    fn broken_line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            any::<u8>().prop_filter("no newline", |b| *b != b'\n'),
            0..200,
        )
    }

    fn line(valid: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => prop::sample::select(valid).prop_map(|l| l.as_bytes().to_vec()),
            1 => broken_line(),
        ]
    }

    fn check(valid: &'static [&'static str], lines: Vec<Vec<u8>>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mix.log");
        // A few valid lines first, so detection has something to go on.
        let mut data = Vec::new();
        for l in valid.iter().take(3) {
            data.extend_from_slice(l.as_bytes());
            data.push(b'\n');
        }
        for l in &lines {
            data.extend_from_slice(l);
            data.push(b'\n');
        }
        std::fs::write(&path, &data).unwrap();
        let specs = [InputSpec {
            source: InputSource::Path(path),
            forced_type: None,
        }];
        let parsed = run::read_inputs(&specs, &ReadOptions::default()).unwrap();
        let report = &parsed.inputs[0];
        assert_eq!(report.lines, (lines.len() + 3) as u64);
        assert_eq!(
            report.lines,
            report.used + report.ignored + report.malformed
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn journal_lines_add_up(lines in prop::collection::vec(line(JOURNAL), 0..80)) {
            check(JOURNAL, lines);
        }

        #[test]
        fn traefik_lines_add_up(lines in prop::collection::vec(line(TRAEFIK), 0..80)) {
            check(TRAEFIK, lines);
        }
    }
}

#[test]
fn small_chunks_give_the_same_drops() {
    // 4 KiB chunks put hundreds of chunk boundaries inside the journal and the Traefik log.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident");
    let mut paths: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    paths.sort();
    let specs: Vec<InputSpec> = paths
        .into_iter()
        .map(|p| InputSpec {
            source: InputSource::Path(p),
            forced_type: None,
        })
        .collect();
    let summarize = |analysis: &correlate::Analysis| -> Vec<String> {
        analysis
            .drops
            .iter()
            .map(|d| {
                format!(
                    "{} {:?} {:?} {:?} {}",
                    d.time,
                    d.user,
                    d.client,
                    d.segment,
                    d.evidence.len()
                )
            })
            .collect()
    };
    let whole = run::read_inputs(&specs, &ReadOptions::default()).unwrap();
    let whole_lines: Vec<u64> = whole.inputs.iter().map(|i| i.lines).collect();
    let expected = summarize(&correlate::analyze(
        whole,
        &CorrelateOptions::with_defaults(),
    ));
    let options = ReadOptions {
        chunk_bytes: 4096,
        ..ReadOptions::default()
    };
    let chunked = run::read_inputs(&specs, &options).unwrap();
    let chunked_lines: Vec<u64> = chunked.inputs.iter().map(|i| i.lines).collect();
    assert_eq!(chunked_lines, whole_lines);
    // The same with one thread, where blocks are read and parsed in turn.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let serial = one_thread
        .install(|| run::read_inputs(&specs, &options))
        .unwrap();
    assert_eq!(
        summarize(&correlate::analyze(
            serial,
            &CorrelateOptions::with_defaults()
        )),
        expected
    );
    assert_eq!(
        summarize(&correlate::analyze(
            chunked,
            &CorrelateOptions::with_defaults()
        )),
        expected
    );
}

/// Returns the spec of one input file whose type is detected.
fn file_spec(path: PathBuf) -> Vec<InputSpec> {
    vec![InputSpec {
        source: InputSource::Path(path),
        forced_type: None,
    }]
}

/// Writes `journal` to `devvm-journal.log` in a new temporary folder, and returns the folder,
/// which must outlive the reading, with the file's spec.
fn journal_file(journal: &str) -> (tempfile::TempDir, Vec<InputSpec>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("devvm-journal.log");
    std::fs::write(&path, journal).unwrap();
    (dir, file_spec(path))
}

/// Reads one input in blocks of `chunk_bytes` and returns its used and ignored counts and its
/// events as `line time kind`.
fn read_in_blocks(specs: &[InputSpec], chunk_bytes: usize) -> (u64, u64, Vec<String>) {
    let options = ReadOptions {
        chunk_bytes,
        ..ReadOptions::default()
    };
    let parsed = run::read_inputs(specs, &options).unwrap();
    let report = &parsed.inputs[0];
    let events = parsed
        .events
        .iter()
        .map(|e| format!("{} {} {:?}", e.origin.line(), e.time, e.kind))
        .collect();
    (report.used, report.ignored, events)
}

#[test]
fn block_size_leaves_line_counts_unchanged() {
    // The serve parser reports a PID's user once, so blocks parsed apart must not report it again.
    let journal = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/incident/devvm-journal.log");
    let specs = file_spec(journal);
    let (used, ignored, events) = read_in_blocks(&specs, 1 << 30);
    let (small_used, small_ignored, small_events) = read_in_blocks(&specs, 4096);
    assert_eq!(small_used, used);
    assert_eq!(small_ignored, ignored);
    assert_eq!(small_events, events);
}

#[test]
fn dst_zone_names_in_blocks() {
    // `-o with-unit` lines name CEST or CET, which alone decides the offset of a local time in
    // the hour that the fall-back repeats, so the blocks need nothing from each other.
    let journal =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/dst-fall/journal.with-unit.log");
    let specs = file_spec(journal);
    let read = |chunk_bytes| {
        let options = ReadOptions {
            parse: t3forensics::parse::ParseOptions {
                zone: t3forensics::time::Zone::parse("Europe/Berlin").unwrap(),
                ..Default::default()
            },
            // Only the first lines are sampled, so the rest goes to blocks.
            sample_lines: 2,
            chunk_bytes,
            ..ReadOptions::default()
        };
        let parsed = run::read_inputs(&specs, &options).unwrap();
        let events: Vec<(u64, i64)> = parsed
            .events
            .iter()
            .map(|e| (e.origin.line(), e.time))
            .collect();
        events
    };
    let whole = read(1 << 30);
    // Line 21 is `02:05:01 CET`, the close after the fall-back.
    let close = whole.iter().find(|(line, _)| *line == 21);
    assert_eq!(
        close.map(|(_, time)| *time),
        t3forensics::time::parse_bound("2026-10-25T01:05:01Z")
    );
    for chunk_bytes in [100, 700] {
        assert_eq!(read(chunk_bytes), whole, "{chunk_bytes}-byte blocks");
    }
}

#[test]
fn serve_state_carries_across_blocks() {
    // Serve headers and their timed-out detail lines for three PIDs, interleaved with other
    // lines, so small blocks cut between many headers and their details.
    let mut journal = String::new();
    for i in 0..3000u32 {
        let second = 10 + i / 10;
        let stamp = format!(
            "2026-06-10T19:{:02}:{:02}+00:00",
            second / 60 % 60,
            second % 60
        );
        let pid = 4700 + i % 3;
        let user = ["alice", "bob", "carol"][(i % 3) as usize];
        let line = match i % 7 {
            0 => format!(
                "{stamp} devvm t3[{pid}]: [19:{:02}:{:02}.{:03}] WARN (#{i}): git remote status refresh failed in /home/{user}/src",
                second / 60 % 60,
                second % 60,
                i % 1000
            ),
            1 => format!(
                "{stamp} devvm t3[{pid}]:   Command failed: git fetch --quiet origin: timed out."
            ),
            // A second timeout under a header already reported names another user's home, so
            // a reading in one pass takes it as that PID's user.
            4 => format!(
                "{stamp} devvm t3[{pid}]:   Command failed: git -C /home/{}/src fetch: timed out.",
                ["dave", "erin"][(i % 2) as usize]
            ),
            2 => format!("{stamp} devvm sshd[812]: Accepted publickey for {user}"),
            3 => format!(
                "{stamp} devvm t3[{pid}]: [19:00:00.000] INFO (#1): opened project /home/{user}/src"
            ),
            _ => format!("{stamp} devvm chronyd[701]: System clock wrong by -0.000935 seconds"),
        };
        journal.push_str(&line);
        journal.push('\n');
    }
    let (_dir, specs) = journal_file(&journal);

    let whole = read_in_blocks(&specs, 1 << 30);
    assert!(
        whole.2.iter().any(|e| e.contains("ServeGitTimeout")),
        "the journal has git timeouts"
    );
    assert!(
        whole.2.iter().any(|e| e.contains("user: \"dave\"")),
        "second timeouts tie PIDs to users"
    );
    for chunk_bytes in [100, 700, 4096] {
        let (used, ignored, events) = read_in_blocks(&specs, chunk_bytes);
        assert_eq!(used, whole.0, "used, {chunk_bytes}-byte blocks");
        assert_eq!(ignored, whole.1, "ignored, {chunk_bytes}-byte blocks");
        assert_eq!(events, whole.2, "events, {chunk_bytes}-byte blocks");
    }
}

#[test]
fn serve_headers_in_other_offset_across_blocks() {
    // journalctl ran with TZ=Europe/Berlin (+01:00), but devvm writes its serve headers in
    // UTC. Small blocks cut between headers and their details, and each timeout must still
    // take its header's instant, with the same warning whatever the block size.
    let mut journal = String::new();
    for i in 0..900u32 {
        let second = 10 + i / 3;
        let (minute, second) = (second / 60 % 60, second % 60);
        let stamp = format!("2026-03-14T11:{minute:02}:{second:02}+01:00");
        // Each header and its detail line come from one serve.
        let pid = 4700 + i / 5 % 3;
        let user = ["alice", "bob", "carol"][(i / 5 % 3) as usize];
        let line = match i % 5 {
            0 => format!(
                "{stamp} devvm t3[{pid}]: [10:{minute:02}:{second:02}.{:03}] WARN (#{i}): git remote status refresh failed in /home/{user}/src",
                i % 1000
            ),
            1 => format!(
                "{stamp} devvm t3[{pid}]:   Command failed: git fetch --quiet origin: timed out."
            ),
            2 => format!("{stamp} devvm sshd[812]: Accepted publickey for {user}"),
            _ => format!("{stamp} devvm chronyd[701]: System clock wrong by -0.000935 seconds"),
        };
        journal.push_str(&line);
        journal.push('\n');
    }
    let (_dir, specs) = journal_file(&journal);
    let read = |chunk_bytes| {
        let options = ReadOptions {
            chunk_bytes,
            ..ReadOptions::default()
        };
        let parsed = run::read_inputs(&specs, &options).unwrap();
        let timeouts: Vec<(u64, i64)> = parsed
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    t3forensics::event::EventKind::ServeGitTimeout { .. }
                )
            })
            .map(|e| (e.origin.line(), e.time))
            .collect();
        (timeouts, parsed.inputs[0].warnings.clone())
    };

    let (timeouts, warnings) = read(1 << 30);
    let first = t3forensics::time::parse_bound("2026-03-14T10:00:10Z").unwrap();
    assert_eq!(timeouts.first(), Some(&(2, first)), "placed in devvm's UTC");
    assert!(
        warnings.iter().any(|w| w.contains("by -1.0 h")),
        "{warnings:?}"
    );
    for chunk_bytes in [100, 700, 4096] {
        let (small_timeouts, small_warnings) = read(chunk_bytes);
        assert_eq!(
            small_timeouts, timeouts,
            "timeouts, {chunk_bytes}-byte blocks"
        );
        assert_eq!(
            small_warnings, warnings,
            "warnings, {chunk_bytes}-byte blocks"
        );
    }
}

#[test]
fn boot_marker_after_sample_keeps_its_boot() {
    // A `short` journal is read in order, so a marker that ends the 400 sampled lines still
    // takes the time of the line after it.
    let mut journal = String::new();
    for i in 0..399u32 {
        journal.push_str(&format!(
            "Jun 10 19:{:02}:{:02} devvm chronyd[701]: System clock wrong\n",
            i / 60,
            i % 60
        ));
    }
    journal.push_str("-- Boot fedcba9876543210fedcba9876543210 --\n");
    journal.push_str("Jun 10 19:10:00 devvm kernel: Command line: BOOT_IMAGE=/vmlinuz\n");
    journal.push_str("Jun 10 19:10:01 devvm t3-dispatch[640]: 2026/06/10 19:10:01 t3-dispatch listening on :3780\n");
    let (_dir, specs) = journal_file(&journal);

    let parsed = run::read_inputs(&specs, &ReadOptions::default()).unwrap();
    let boot = parsed
        .events
        .iter()
        .find(|e| matches!(e.kind, t3forensics::event::EventKind::HostBoot));
    let boot = boot.expect("the marker's boot is kept");
    assert_eq!(boot.origin.line(), 400);
    assert!(boot.time > 0, "it has the next line's time: {}", boot.time);
}

#[test]
fn silence_edges_found_across_blocks() {
    // A line every 2 s, with a 40 s silence after every 25th line. The first 400 lines are
    // sampled and the rest read in blocks. Small blocks put some silences on a block
    // boundary, where only the merge has both sides.
    let mut journal = String::new();
    let mut second = 0u32;
    for i in 0..2000u32 {
        second += if i > 0 && i % 25 == 0 { 40 } else { 2 };
        let stamp = format!(
            "2026-06-10T{:02}:{:02}:{:02}+00:00",
            19 + second / 3600,
            second / 60 % 60,
            second % 60
        );
        journal.push_str(&format!(
            "{stamp} devvm sshd[{}]: Connection closed by 198.51.100.{} port 22 [preauth]\n",
            100 + i,
            i % 200
        ));
    }
    let (_dir, specs) = journal_file(&journal);

    let silences = |chunk_bytes| {
        let (_, _, events) = read_in_blocks(&specs, chunk_bytes);
        events
            .into_iter()
            .filter(|e| e.contains("JournalSilence"))
            .collect::<Vec<_>>()
    };
    let whole = silences(1 << 30);
    assert_eq!(whole.len(), 79, "{whole:?}");
    assert!(whole[0].starts_with("26 "), "{whole:?}");
    assert!(whole[0].contains("seconds: 40, after: true"), "{whole:?}");
    for chunk_bytes in [100, 700, 4096] {
        assert_eq!(silences(chunk_bytes), whole, "{chunk_bytes}-byte blocks");
    }
}
