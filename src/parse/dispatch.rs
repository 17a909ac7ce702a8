//! t3-dispatch messages (Go `log` output inside journal lines). To be written.

use super::Message;
use crate::time::Civil;

/// Reads Go's `log` prefix `2026/06/10 19:56:01 ` (optionally `.123456`) at the start of a
/// message: the local civil time and the bytes consumed, the trailing space included.
pub fn go_prefix(_msg: &[u8]) -> Option<(Civil, usize)> {
    None
}

/// Parses one dispatch message with the Go prefix already removed.
pub fn parse_message(_msg: &[u8]) -> Message {
    Message::Ignored
}
