//! t3 serve messages: the parser called directly with varying PIDs and unit users, then the
//! same lines inside a journal envelope so events reach a sink.

#![no_main]

use fuzz_support::{feed, lines, options, wrap};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::journal::JournalParser;
use t3forensics::parse::serve::ServeParser;

fuzz_target!(|data: &[u8]| {
    let mut serve = ServeParser::new();
    for (index, line) in lines(data).enumerate() {
        // Headers and detail lines are tied per PID, so interleave a few PIDs and no PID.
        let pid = [Some(4242), Some(4243), None][index % 3];
        let user = [Some("bob"), None][index % 2];
        // Times that step back now and then, as a newest-first export's do.
        let at = [0, 1_000_000, 500_000, 40_000_000][index % 4];
        let _ = serve.parse_message(line, pid, user, at);
    }

    for envelope in [
        &b"2026-06-10T19:56:01.250000+0200 devvm t3[4242]: "[..],
        b"Wed 2026-06-10 19:56:01 UTC t3-serve@bob.service[4242]: ",
    ] {
        let mut parser = JournalParser::new(&options(1));
        feed(&mut parser, &wrap(data, envelope), LineCtx::plain);
    }
});
