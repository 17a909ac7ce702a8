//! Traefik access logs (CLF-style default format and JSON format).
//!
//! To be written: see the interface below.

use super::{LineClass, LineCtx, LineParser, ParseOptions, Sink};

/// Parses Traefik access lines into `EventKind::TraefikSocket` events.
pub struct TraefikParser {
    #[allow(dead_code)]
    options: ParseOptions,
}

impl TraefikParser {
    pub fn new(options: &ParseOptions) -> TraefikParser {
        TraefikParser { options: options.clone() }
    }
}

impl LineParser for TraefikParser {
    fn parse_line(&mut self, _line: &[u8], _ctx: &LineCtx, _sink: &mut Sink) -> LineClass {
        LineClass::Ignored
    }
}

/// Scores how strongly a line looks like a Traefik access line: 0 not at all, 1 maybe, 2 surely.
pub fn sniff(_line: &[u8]) -> u8 {
    0
}
