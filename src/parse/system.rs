//! systemd, kernel, earlyoom and restart-machinery messages. To be written.

use super::Message;

/// Parses a message of systemd (PID 1) about t3 units.
pub fn parse_systemd(_msg: &[u8]) -> Message {
    Message::Ignored
}

/// Parses a kernel message (OOM kills).
pub fn parse_kernel(_msg: &[u8]) -> Message {
    Message::Ignored
}

/// Parses an earlyoom message.
pub fn parse_earlyoom(_msg: &[u8]) -> Message {
    Message::Ignored
}

/// Parses a watchdog, autoupdate or idle-migrate message, with or without its `tag: ` prefix.
pub fn parse_restart(_msg: &[u8]) -> Message {
    Message::Ignored
}
