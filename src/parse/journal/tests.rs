//! Tests of the journal text parser, one file per concept, and the helpers they share.
//!
//! They outgrew the code they test, so they live apart from journal.rs. Each file feeds
//! real-shaped journalctl lines to `JournalParser` or calls one of the module's functions.

use super::*;
use crate::time::{Fold, SECOND, parse_iso};

mod cat;
mod joined;
mod routing;
mod serve_tod;
mod stamps;
mod units_only;
mod year;
mod zone;

fn utc(text: &str) -> i64 {
    parse_iso(text.as_bytes(), Zone::Utc).unwrap().micros
}

/// Parses lines with a fresh parser and returns the sink after `finish`.
/// Parses `lines` in order with `options`, then finishes, and returns the parser and sink.
fn parse_with(options: &ParseOptions, lines: &[impl AsRef<str>]) -> (JournalParser, Sink) {
    let mut parser = JournalParser::new(options);
    let mut sink = Sink::new(0);
    for (n, line) in lines.iter().enumerate() {
        let line = line.as_ref().as_bytes();
        parser.parse_line(line, &LineCtx::plain(n as u64 + 1), &mut sink);
    }
    parser.finish(&mut sink).unwrap();
    (parser, sink)
}

fn parse_all(lines: &[&str], cat: bool) -> (Sink, Vec<LineClass>) {
    let mut parser = JournalParser::new(&ParseOptions::default());
    parser.set_cat_mode(cat);
    let mut sink = Sink::new(0);
    let classes = lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            parser.parse_line(line.as_bytes(), &LineCtx::plain(n as u64 + 1), &mut sink)
        })
        .collect();
    parser.finish(&mut sink).unwrap();
    (sink, classes)
}
