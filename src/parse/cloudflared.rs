//! cloudflared logs (zerolog console text, JSON, old logrus text).
//!
//! To be written: see the interface below.

use super::{LineClass, LineCtx, LineParser, ParseOptions, Sink};

/// Parses cloudflared lines into `EventKind::Cf*` events.
pub struct CloudflaredParser {
    #[allow(dead_code)]
    options: ParseOptions,
}

impl CloudflaredParser {
    pub fn new(options: &ParseOptions) -> CloudflaredParser {
        CloudflaredParser { options: options.clone() }
    }
}

impl LineParser for CloudflaredParser {
    fn parse_line(&mut self, _line: &[u8], _ctx: &LineCtx, _sink: &mut Sink) -> LineClass {
        LineClass::Ignored
    }
}

/// Scores how strongly a line looks like a cloudflared line: 0 not at all, 1 maybe, 2 surely.
pub fn sniff(_line: &[u8]) -> u8 {
    0
}
