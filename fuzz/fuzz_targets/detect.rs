//! Input type detection from a sample of lines, then the chosen parser over the same lines, as
//! `run::read_inputs` does.

#![no_main]

use fuzz_support::{feed, lines, options};
use libfuzzer_sys::fuzz_target;
use t3forensics::input::InputType;
use t3forensics::input::detect::{detect, detect_named};
use t3forensics::parse::LineCtx;
use t3forensics::parse::cloudflared::CloudflaredParser;
use t3forensics::parse::journal::JournalParser;
use t3forensics::parse::journal_json::JournalJsonParser;
use t3forensics::parse::traefik::TraefikParser;

fuzz_target!(|data: &[u8]| {
    let sample: Vec<&[u8]> = lines(data).collect();
    let detected = detect(sample.iter().copied());
    for name in [
        "cloudflared-6f7c9d8b5-k2x9p.log",
        "traefik-access.log",
        "x.log",
    ] {
        let named = detect_named(sample.iter().copied(), name);
        // The file name only breaks a tie between types, it never makes an input detectable.
        assert_eq!(named.is_some(), detected.is_some(), "{name}");
    }
    let Some(detected) = detected else {
        return;
    };
    if detected.cat_mode {
        assert_eq!(detected.input_type, InputType::Journal);
    }

    let options = options(0);
    match detected.input_type {
        InputType::Journal => {
            let mut parser = JournalParser::new(&options);
            parser.set_cat_mode(detected.cat_mode);
            feed(&mut parser, data, LineCtx::plain);
        }
        InputType::JournalJson => {
            feed(&mut JournalJsonParser::new(&options), data, LineCtx::plain);
        }
        InputType::Traefik => {
            feed(&mut TraefikParser::new(&options), data, LineCtx::plain);
        }
        InputType::Cloudflared => {
            feed(&mut CloudflaredParser::new(&options), data, LineCtx::plain);
        }
        // Envelopes, record formats and metrics are not fed to a parser here. For them, this
        // target checks only that detection does not panic.
        _ => {}
    }
});
