//! `journalctl -o json` lines.

#![no_main]

use fuzz_support::{feed, options};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::journal_json::JournalJsonParser;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, lines)) = data.split_first() else {
        return;
    };
    let mut parser = JournalJsonParser::new(&options(flags));
    feed(&mut parser, lines, LineCtx::plain);
});
