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

/// The layout of a table: its columns, colours and width.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// The columns shown, by index into the header, in the order shown.
    pub columns: Vec<usize>,
    /// Colour each row by its segment.
    pub color: bool,
    /// The width to fit, in columns (`--table-width`, else the terminal's); `None` never wraps.
    pub width: Option<usize>,
}

/// The narrowest a wrapped column gets. Below it a reason takes more lines than it saves
/// columns, so a table that still does not fit runs over the width instead.
const MIN_WRAPPED: usize = 24;

/// The widest a column is kept so that its longest unbreakable piece (a file name with its
/// line number and `;`) stays on one line. A longer piece is cut inside.
const MAX_UNBROKEN: usize = 48;

/// Two spaces between columns.
const GAP: usize = 2;

/// Writes `rows` under `header` with columns padded to their widest cell, the last column
/// unpadded. Control characters in cells are shown as spaces so a log line cannot move the
/// cursor.
///
/// When the table is wider than `layout.width`, the widest columns (the reasons and texts) are
/// narrowed one at a time, and their cells wrap onto continuation lines as [`wrap`] breaks
/// them. A column with prose narrows down to `MIN_WRAPPED`, and a column of lists down to its
/// longest item or its header (the item at most `MAX_UNBROKEN`). A column of single values
/// (IDs, times) is as wide as its longest value, so it stays whole.
pub fn write_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
    colors: &[Option<&str>],
    layout: Layout,
) -> io::Result<()> {
    let keep: Vec<usize> = layout
        .columns
        .iter()
        .copied()
        .filter(|&i| i < header.len())
        .collect();
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
    if let Some(width) = layout.width {
        // A column of lists (evidence, drop ids, users) narrows no further than its longest
        // item, so a file name in an evidence list is not cut in the middle, nor its header.
        // A column with prose in it, with spaces, keeps the plain minimum as well, and a long
        // word in it is cut.
        let floors: Vec<usize> = (0..keep.len())
            .map(|at| {
                let longest = cleaned
                    .iter()
                    .filter(|row| !row[at].contains(' '))
                    .map(|row| longest_piece(&row[at]))
                    .max()
                    .unwrap_or(0);
                let prose = cleaned.iter().any(|row| row[at].contains(' '));
                let least = if prose {
                    MIN_WRAPPED
                } else {
                    header[keep[at]].chars().count()
                };
                longest.max(least).min(MAX_UNBROKEN.max(least))
            })
            .collect();
        fit(&mut widths, &floors, width);
    }

    let header_cells: Vec<String> = keep.iter().map(|&i| header[i].to_string()).collect();
    for line in physical_lines(&header_cells, &widths) {
        writeln!(out, "{line}")?;
    }
    for (row, segment) in cleaned.iter().zip(colors) {
        for line in physical_lines(row, &widths) {
            match (layout.color, segment) {
                (true, Some(segment)) => writeln!(out, "{}{line}\x1b[0m", segment_color(segment))?,
                _ => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
}

/// Narrows the widest columns until the table fits `width`, none below its floor in `floors`.
fn fit(widths: &mut [usize], floors: &[usize], width: usize) {
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1);
    while total(widths) > width {
        let Some((widest, &current)) = widths
            .iter()
            .enumerate()
            .filter(|(at, w)| **w > floors[*at])
            .max_by_key(|(at, w)| (**w, std::cmp::Reverse(*at)))
        else {
            return;
        };
        let over = total(widths) - width;
        widths[widest] = current.saturating_sub(over).max(floors[widest]);
    }
}

/// Returns the length, in characters, of the longest piece of `text` that [`wrap`] keeps on
/// one line: the text between spaces, and after a `;` or `/`.
fn longest_piece(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c == ' ' {
            current = 0;
            continue;
        }
        current += 1;
        longest = longest.max(current);
        if c == ';' || c == '/' {
            current = 0;
        }
    }
    longest
}

/// Renders one row as the lines it takes: its cells wrapped to their column's width, each
/// padded but the last, which is not padded so no line ends in spaces.
fn physical_lines(cells: &[String], widths: &[usize]) -> Vec<String> {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(cell, &width)| wrap(cell, width))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    (0..height)
        .map(|n| {
            let mut text = String::new();
            for (at, (parts, &width)) in wrapped.iter().zip(widths).enumerate() {
                let part = parts.get(n).map_or("", String::as_str);
                if at + 1 == wrapped.len() {
                    text.push_str(part);
                } else {
                    text.push_str(&format!("{part:<width$}{:GAP$}", ""));
                }
            }
            text.truncate(text.trim_end().len());
            text
        })
        .collect()
}

/// Splits `text` into lines of at most `width` characters. It breaks at a space or after a
/// `;` (words, evidence lists) where it can, else after a `/` (inside a path), and inside a
/// word only when the word alone is wider. A `;` stays with the item before it.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width || width == 0 {
        return vec![text.to_string()];
    }
    let mut lines = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let window = &chars[start..start + width + 1];
        // The last break inside the window after a `;`, or at a space (dropped).
        let item_break = window[..width]
            .iter()
            .rposition(|&c| c == ';')
            .map(|at| (at + 1, at + 1))
            .into_iter()
            .chain(
                window
                    .iter()
                    .rposition(|&c| c == ' ')
                    .map(|at| (at, at + 1)),
            )
            .filter(|&(end, _)| end > 0)
            .max_by_key(|&(end, _)| end);
        let path_break = || {
            window[..width]
                .iter()
                .rposition(|&c| c == '/')
                .map(|at| (at + 1, at + 1))
        };
        // A word cut inside keeps a `;` right after the cut on this line's side.
        let word_cut = || {
            let end = if window[width] == ';' && width > 1 {
                width - 1
            } else {
                width
            };
            (end, end)
        };
        let (mut end, next) = item_break.or_else(path_break).unwrap_or_else(word_cut);
        // A run of spaces before the break stays off the line's end.
        while end > 1 && chars[start + end - 1] == ' ' {
            end -= 1;
        }
        lines.push(chars[start..start + end].iter().collect::<String>());
        start += next;
        // A run of spaces at the break leaves no blank line start.
        while chars.get(start) == Some(&' ') {
            start += 1;
        }
    }
    if start < chars.len() {
        lines.push(chars[start..].iter().collect());
    }
    lines
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
            Layout {
                columns: vec![0, 2],
                ..Layout::default()
            },
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
        let layout = Layout {
            columns: vec![0],
            color: true,
            ..Layout::default()
        };
        write_table(&mut out, &["id"], &rows, &[Some("devvm"), None], layout).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id\n\x1b[31mD1\x1b[0m\nD2\n"
        );
    }

    #[test]
    fn control_characters_are_blanked() {
        let rows = vec![vec!["a\x1b[2Jb".into()]];
        let mut out = Vec::new();
        let layout = Layout {
            columns: vec![0],
            ..Layout::default()
        };
        write_table(&mut out, &["text"], &rows, &[None], layout).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "text\na [2Jb\n");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_semicolons() {
        // (text, width, lines)
        let cases: &[(&str, usize, &[&str])] = &[
            ("short", 10, &["short"]),
            ("exactly ten", 11, &["exactly ten"]),
            ("one two three four", 9, &["one two", "three", "four"]),
            ("D0006;D0007;D0008", 12, &["D0006;D0007;", "D0008"]),
            ("a;b c", 3, &["a;b", "c"]),
            (
                "logs/devvm-journal.log:3",
                12,
                &["logs/", "devvm-journa", "l.log:3"],
            ),
            ("abcdefghij", 4, &["abcd", "efgh", "ij"]),
            ("word   spaced", 6, &["word", "spaced"]),
            ("no limit", 0, &["no limit"]),
            // A `;` ends its item's line, and a path breaks only at its `/`.
            (
                "in/journal.log:61;in/journal.log:62",
                20,
                &["in/journal.log:61;", "in/journal.log:62"],
            ),
            (
                "logs/in/cloudflared-k7x2p.log:3;x",
                24,
                &["logs/in/", "cloudflared-k7x2p.log:3;", "x"],
            ),
            ("abcdefgh;ij", 8, &["abcdefg", "h;ij"]),
            ("a/b;cd/ef", 7, &["a/b;", "cd/ef"]),
            ("é è ê ë", 3, &["é è", "ê ë"]),
        ];
        for (text, width, expected) in cases {
            let got = wrap(text, *width);
            assert_eq!(got, *expected, "{text:?} at {width}");
            if *width > 0 {
                assert!(
                    got.iter().all(|line| line.chars().count() <= *width),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn fit_narrows_the_widest_column_first() {
        // Columns of 5, 10 and 100 with two gaps of 2 make 119.
        let floors = [MIN_WRAPPED; 3];
        let mut widths = vec![5, 10, 100];
        fit(&mut widths, &floors, 80);
        assert_eq!(widths, vec![5, 10, 61]);

        // The widest stops at the minimum; the next widest then narrows.
        let mut widths = vec![5, 60, 100];
        fit(&mut widths, &floors, 60);
        assert_eq!(widths, vec![5, 27, MIN_WRAPPED]);

        // Nothing wider than the minimum is left: the table stays wider than asked.
        let mut widths = vec![20, 20, 20];
        fit(&mut widths, &floors, 30);
        assert_eq!(widths, vec![20, 20, 20]);

        // A column with a longer unbreakable piece stops at that piece's length.
        let mut widths = vec![5, 60, 100];
        fit(&mut widths, &[MIN_WRAPPED, MIN_WRAPPED, 34], 60);
        assert_eq!(widths, vec![5, MIN_WRAPPED, 34]);
    }

    #[test]
    fn longest_piece_cases() {
        // (text, longest piece kept on one line)
        let cases = [
            ("", 0),
            ("one two three", 5),
            ("journal.short-iso.log:61;journal.short-iso.log:62", 25),
            ("../in/cloudflared-7d8c9b6f5-k7x2p.log:3; x", 34),
            ("a  b", 1),
        ];
        for (text, longest) in cases {
            assert_eq!(longest_piece(text), longest, "{text}");
        }
    }

    #[test]
    fn evidence_column_keeps_file_names_whole() {
        let evidence = "journal.short-iso.log:61;journal.short-iso.log:62;\
                        cloudflared-7d8c9b6f5-k7x2p.log:3;../in/cloudflared-7d8c9b6f5-k7x2p.log:4";
        let rows = vec![vec!["I001".into(), evidence.into()]];
        let mut out = Vec::new();
        let layout = Layout {
            columns: vec![0, 1],
            // Too narrow for the longest file name, which keeps the column at its length.
            width: Some(30),
            ..Layout::default()
        };
        write_table(&mut out, &["id", "key_evidence"], &rows, &[None], layout).unwrap();
        let text = String::from_utf8(out).unwrap();
        let cells: Vec<&str> = text.lines().skip(1).map(|line| line[6..].trim()).collect();
        assert_eq!(
            cells,
            [
                "journal.short-iso.log:61;",
                "journal.short-iso.log:62;",
                "cloudflared-7d8c9b6f5-k7x2p.log:3;",
                "../in/",
                "cloudflared-7d8c9b6f5-k7x2p.log:4",
            ],
            "{text}"
        );
    }

    #[test]
    fn list_column_narrows_to_its_longest_item() {
        let rows = vec![
            vec![
                "I001".into(),
                "alice;bob;carol;dave;erin".into(),
                "x".into(),
            ],
            vec!["I002".into(), "bob".into(), "y".into()],
        ];
        let mut out = Vec::new();
        let layout = Layout {
            columns: vec![0, 1, 2],
            width: Some(12),
            ..Layout::default()
        };
        write_table(
            &mut out,
            &["id", "users", "z"],
            &rows,
            &[None, None],
            layout,
        )
        .unwrap();
        // Asked for 12 columns, the users narrow to the longest name with its `;` (6), not
        // to 24 columns, and wrap at each `;`. The table then runs over the width by 3.
        let expected = "id    users   z\n\
                        I001  alice;  x\n\
                        \x20     bob;\n\
                        \x20     carol;\n\
                        \x20     dave;\n\
                        \x20     erin\n\
                        I002  bob     y\n";
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn table_wraps_a_wide_row() {
        let rows = vec![vec![
            "D1".into(),
            "the journal covers this time and is clean".into(),
            "502".into(),
        ]];
        let mut out = Vec::new();
        let layout = Layout {
            columns: vec![0, 1, 2],
            width: Some(40),
            ..Layout::default()
        };
        write_table(
            &mut out,
            &["id", "reason", "status"],
            &rows,
            &[None],
            layout,
        )
        .unwrap();
        // The reason narrows from 41 to 28 columns, and status stays whole after it.
        let expected = format!(
            "id  {:<28}  status\nD1  {:<28}  502\n    and is clean\n",
            "reason", "the journal covers this time"
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
