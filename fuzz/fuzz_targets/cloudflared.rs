//! cloudflared lines (console, JSON, logrus text), with and without a pod and an envelope time.

#![no_main]

use fuzz_support::{feed, options};
use libfuzzer_sys::fuzz_target;
use t3forensics::parse::LineCtx;
use t3forensics::parse::cloudflared::CloudflaredParser;
use t3forensics::time::{Precision, SECOND};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options: bits 0 and 1 as in `options`, bit 2 an envelope time
    // (as a journal or kubectl prefix gives), bit 3 a pod.
    let Some((&flags, lines)) = data.split_first() else {
        return;
    };
    let outer_time = (flags & 4 != 0).then_some((1_781_121_361 * SECOND, Precision::Second));
    let pod = (flags & 8 != 0).then_some("cloudflared-6f7c9d8b5-k2x9p");
    let mut parser = CloudflaredParser::new(&options(flags));
    feed(&mut parser, lines, |line| LineCtx {
        line,
        outer_time,
        pod,
    });
});
