//! t3-dispatch messages: the Go `log` prefix and the message parser called directly, then the
//! same lines inside journal `short-iso` and `short` envelopes. The envelopes send events
//! through the journal's time handling into a sink, and in `short` lines the Go prefix also
//! sets the year.

#![no_main]

use fuzz_support::{feed, lines, options, wrap};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::dispatch::{go_prefix, parse_message};
use t3forensics::parse::journal::JournalParser;

fuzz_target!(|data: &[u8]| {
    for line in lines(data) {
        if let Some((civil, used)) = go_prefix(line) {
            assert!(used <= line.len(), "the prefix fits in the line");
            assert!((1..=12).contains(&civil.month), "{civil:?}");
            let _ = parse_message(&line[used..]);
        }
        let _ = parse_message(line);
    }

    for envelope in [
        &b"2026-06-10T19:56:01+00:00 devvm t3-dispatch[812]: "[..],
        b"Jun 10 19:56:01 devvm t3-dispatch[812]: ",
    ] {
        let mut parser = JournalParser::new(&options(0));
        feed(&mut parser, &wrap(data, envelope), LineCtx::plain);
    }
});
