//! t3 serve messages (Effect's pretty logger). To be written.

use std::collections::HashMap;

use super::Message;

/// Parses t3 serve messages, keeping the last header per PID so a detail line can be tied to
/// its header.
#[derive(Debug, Default)]
pub struct ServeParser {
    #[allow(dead_code)]
    headers: HashMap<u32, ()>,
}

impl ServeParser {
    pub fn new() -> ServeParser {
        ServeParser::default()
    }

    /// Parses one message of a serve. `pid` is the journal PID; `unit_user` is the user when
    /// the export names the unit (`-o with-unit`, json, export).
    pub fn parse_message(&mut self, _msg: &[u8], _pid: Option<u32>, _unit_user: Option<&str>) -> Message {
        Message::Ignored
    }
}
