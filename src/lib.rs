//! t3forensics attributes T3 Code WebSocket drops to the segment that broke.
//!
//! The pipeline follows the data: [`input`] opens files, stdin and gzip and cuts them into
//! records; [`parse`] turns lines of each format into [`event::Event`]s; [`correlate`] builds
//! sockets, finds drops and bursts, joins the sources and attributes each drop; [`output`]
//! writes rows as CSV, JSON, JSON Lines or a table, plus the summary. [`run`] wires them
//! together so the binary and the tests call the same function.

pub mod check;
pub mod cli;
pub mod correlate;
pub mod error;
pub mod event;
pub mod export_commands;
pub mod input;
pub mod output;
pub mod parallel;
pub mod parse;
pub mod run;
pub mod time;

pub use error::{Error, Result};
