//! An aligned text table for terminals, coloured by segment when asked.

use std::ffi::OsStr;
use std::io::{self, Write};

/// When to colour the table (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    /// Colour when stdout is a terminal, unless `NO_COLOR` is set to a non-empty value.
    #[default]
    Auto,
    /// Colour even when stdout is a file or a pipe.
    Always,
    /// Never colour.
    Never,
}

impl ColorMode {
    /// Decides whether to colour, reading `NO_COLOR` from the environment for `auto`.
    pub fn enabled(self, stdout_terminal: bool) -> bool {
        self.resolve(stdout_terminal, std::env::var_os("NO_COLOR").as_deref())
    }

    /// Decides whether to colour given whether stdout is a terminal and the value of `NO_COLOR`.
    /// An empty `NO_COLOR` counts as unset.
    fn resolve(self, stdout_terminal: bool, no_color: Option<&OsStr>) -> bool {
        match self {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => stdout_terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }
}

/// The ANSI colour of a segment's row.
fn segment_color(segment: &str) -> &'static str {
    match segment {
        "t3_serve" => "\x1b[35m",     // magenta
        "dispatch" => "\x1b[33m",     // yellow
        "devvm" => "\x1b[31m",        // red
        "cloudflare" => "\x1b[36m",   // cyan
        "cluster_path" => "\x1b[34m", // blue
        "last_mile" => "\x1b[32m",    // green
        _ => "\x1b[2m",               // dim for unknown
    }
}

/// Writes `rows` under `header` with columns padded to their widest cell. Column `skip` is left
/// out; the last column is not padded. Control characters in cells are shown as spaces so a
/// log line cannot move the cursor.
pub fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
    colors: &[Option<&str>],
    skip: Option<usize>,
    color: bool,
) -> io::Result<()> {
    let keep: Vec<usize> = (0..header.len()).filter(|i| Some(*i) != skip).collect();
    let clean = |text: &str| {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    };
    let mut widths: Vec<usize> = keep.iter().map(|&i| header[i].chars().count()).collect();
    let cleaned: Vec<Vec<String>> = rows
        .iter()
        .map(|row| keep.iter().map(|&i| clean(&row[i])).collect())
        .collect();
    for row in &cleaned {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut text = String::new();
        for (n, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if n + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text
    };
    let header_cells: Vec<String> = keep.iter().map(|&i| header[i].to_string()).collect();
    writeln!(out, "{}", line(&header_cells))?;
    for (row, segment) in cleaned.iter().zip(colors) {
        match (color, segment) {
            (true, Some(segment)) => {
                writeln!(out, "{}{}\x1b[0m", segment_color(segment), line(row))?
            }
            _ => writeln!(out, "{}", line(row))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_skips() {
        let rows = vec![
            vec!["D1".into(), "x".into(), "long value".into()],
            vec!["D10".into(), "y".into(), "v".into()],
        ];
        let mut out = Vec::new();
        write_table(
            &mut out,
            &["id", "skipped", "reason"],
            &rows,
            &[None, None],
            Some(1),
            false,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id   reason\nD1   long value\nD10  v\n"
        );
    }

    #[test]
    fn color_mode_resolution() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        // (mode, stdout is a terminal, NO_COLOR, colour expected)
        let cases = [
            (ColorMode::Auto, true, None, true),
            (ColorMode::Auto, false, None, false),
            (ColorMode::Auto, true, set, false),
            (ColorMode::Auto, true, empty, true),
            (ColorMode::Always, false, set, true),
            (ColorMode::Never, true, None, false),
        ];
        for (mode, terminal, no_color, expected) in cases {
            assert_eq!(
                mode.resolve(terminal, no_color),
                expected,
                "{mode:?}, terminal {terminal}, NO_COLOR {no_color:?}"
            );
        }
    }

    #[test]
    fn colored_rows_reset_after_each_row() {
        let rows = vec![vec!["D1".into()], vec!["D2".into()]];
        let mut out = Vec::new();
        write_table(&mut out, &["id"], &rows, &[Some("devvm"), None], None, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id\n\x1b[31mD1\x1b[0m\nD2\n"
        );
    }

    #[test]
    fn control_characters_are_blanked() {
        let rows = vec![vec!["a\x1b[2Jb".into()]];
        let mut out = Vec::new();
        write_table(&mut out, &["text"], &rows, &[None], None, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "text\na [2Jb\n");
    }
}
