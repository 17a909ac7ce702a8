//! Traefik access lines (CLF and JSON) and Traefik's own log lines.

#![no_main]

use fuzz_support::{feed, options};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::traefik::TraefikParser;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, lines)) = data.split_first() else {
        return;
    };
    let mut parser = TraefikParser::new(&options(flags));
    feed(&mut parser, lines, LineCtx::plain);
});
