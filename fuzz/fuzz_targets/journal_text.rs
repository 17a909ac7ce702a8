//! Journal text lines (every `journalctl -o` text mode, and `-o cat` when bit 2 of the first byte is set).

#![no_main]

use fuzz_support::{feed, options};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::journal::JournalParser;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options: bits 0 and 1 as in `options`, bit 2 `-o cat` mode.
    let Some((&flags, lines)) = data.split_first() else {
        return;
    };
    let mut parser = JournalParser::new(&options(flags));
    parser.set_cat_mode(flags & 4 != 0);
    feed(&mut parser, lines, LineCtx::plain);
});
