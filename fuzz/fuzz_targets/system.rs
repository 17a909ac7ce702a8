//! systemd, kernel, earlyoom and restart-script messages: each parser called directly, then
//! the same lines inside journal envelopes of those programs so events reach a sink.

#![no_main]

use fuzz_support::{feed, lines, options, wrap};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::journal::JournalParser;
use t3forensics::parse::system::{parse_earlyoom, parse_kernel, parse_restart, parse_systemd};

fuzz_target!(|data: &[u8]| {
    for line in lines(data) {
        let _ = parse_systemd(line);
        let _ = parse_kernel(line);
        let _ = parse_earlyoom(line);
        let _ = parse_restart(line);
    }

    for envelope in [
        &b"2026-06-10T19:56:01+00:00 devvm systemd[1]: "[..],
        b"2026-06-10T19:56:01+00:00 devvm kernel: ",
        b"2026-06-10T19:56:01+00:00 devvm earlyoom[700]: ",
        b"2026-06-10T19:56:01+00:00 devvm t3-watchdog[900]: ",
        b"2026-06-10T19:56:01+00:00 devvm bash[901]: ",
    ] {
        let mut parser = JournalParser::new(&options(0));
        feed(&mut parser, &wrap(data, envelope), LineCtx::plain);
    }
});
