//! Evidence comparison: whether two `FILE:LINE` lists name the same log lines.

use crate::input::STDIN_NAME;

/// Returns whether two evidence lists name the same lines. Entries compare by line and by file
/// name without its directory and a `.gz` or `.zst` suffix, because the same logs read from
/// another directory or compressed have other names.
///
/// `<stdin>` on one side matches any file name on the other at the same line, since the name
/// of the piped file is unknown. Stdin is a single input, so within one list it must match the
/// same file name each time, which keeps a changed entry from passing as the piped file.
pub(super) fn evidence_matches(expected: &[String], actual: &[String]) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    // The file name that `<stdin>` matched first, on the expected and on the actual side.
    let mut expected_stdin: Option<&str> = None;
    let mut actual_stdin: Option<&str> = None;
    for (expected_entry, actual_entry) in expected.iter().zip(actual) {
        let (expected_file, expected_line) = evidence_location(expected_entry);
        let (actual_file, actual_line) = evidence_location(actual_entry);
        if expected_line != actual_line {
            return false;
        }
        let files_match = match (expected_file == STDIN_NAME, actual_file == STDIN_NAME) {
            (true, false) => *expected_stdin.get_or_insert(actual_file) == actual_file,
            (false, true) => *actual_stdin.get_or_insert(expected_file) == expected_file,
            _ => expected_file == actual_file,
        };
        if !files_match {
            return false;
        }
    }
    true
}

/// Splits a `FILE:LINE` evidence entry into the file's base name, without a `.gz` or `.zst`
/// suffix, and the line. An entry without `:` is all file name.
fn evidence_location(entry: &str) -> (&str, &str) {
    let (path, line) = entry.rsplit_once(':').unwrap_or((entry, ""));
    // `\` separates directories too, for an expected file saved by a run on Windows.
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let base = base
        .strip_suffix(".gz")
        .or_else(|| base.strip_suffix(".zst"))
        .unwrap_or(base);
    (base, line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::compare;
    use crate::check::tests::{T0, lines, row};

    #[test]
    fn evidence_matches_cases() {
        let cases: [(&str, &[&str], &[&str], bool); 20] = [
            (
                "equal",
                &["a.log:5", "b.log:7"],
                &["a.log:5", "b.log:7"],
                true,
            ),
            ("both empty", &[], &[], true),
            ("other directory", &["a.log:5"], &["comp/a.log:5"], true),
            ("absolute path", &["/srv/logs/a.log:5"], &["a.log:5"], true),
            ("gzip copy", &["a.log:5"], &["comp/a.log.gz:5"], true),
            ("zstd copy", &["a.log.zst:5"], &["a.log:5"], true),
            ("gzip against zstd", &["a.log.gz:5"], &["a.log.zst:5"], true),
            ("Windows path", &[r"C:\logs\a.log:5"], &["a.log:5"], true),
            ("other line", &["a.log:5"], &["a.log:6"], false),
            ("other base name", &["a.log:5"], &["comp/b.log:5"], false),
            ("other suffix kept", &["a.log.bz2:5"], &["a.log:5"], false),
            (
                "one entry more",
                &["a.log:5"],
                &["a.log:5", "a.log:6"],
                false,
            ),
            (
                "reordered",
                &["a.log:5", "b.log:7"],
                &["b.log:7", "a.log:5"],
                false,
            ),
            ("stdin as expected", &["<stdin>:5"], &["a.log:5"], true),
            (
                "stdin as actual",
                &["comp/a.log.gz:5"],
                &["<stdin>:5"],
                true,
            ),
            ("stdin on both sides", &["<stdin>:5"], &["<stdin>:5"], true),
            ("stdin at another line", &["a.log:5"], &["<stdin>:6"], false),
            (
                "stdin as one file throughout",
                &["a.log:5", "b.log:7", "a.log:9"],
                &["<stdin>:5", "b.log:7", "<stdin>:9"],
                true,
            ),
            (
                "stdin as two files",
                &["a.log:5", "b.log:7"],
                &["<stdin>:5", "<stdin>:7"],
                false,
            ),
            ("no line number", &["a.log"], &["comp/a.log.gz"], true),
        ];
        for (name, expected, actual, matches) in cases {
            let expected: Vec<String> = expected.iter().map(|e| e.to_string()).collect();
            let actual: Vec<String> = actual.iter().map(|e| e.to_string()).collect();
            assert_eq!(evidence_matches(&expected, &actual), matches, "{name}");
            assert_eq!(
                evidence_matches(&actual, &expected),
                matches,
                "{name}, sides swapped"
            );
        }
    }

    #[test]
    fn evidence_of_copied_inputs_is_unchanged() {
        let expected = vec![row("D0003", T0, "bob", 5, "t3_serve")];
        let mut actual = expected.clone();
        actual[0].evidence = vec!["comp/devvm-journal.log.gz:639".to_string()];
        let comparison = compare(&expected, &actual);
        assert!(comparison.differences.is_empty(), "{comparison:?}");
        assert!(!comparison.tally(true).failed());

        actual[0].evidence = vec!["comp/devvm-journal.log.gz:640".to_string()];
        let (lines, tally) = lines(&compare(&expected, &actual), true);
        assert_eq!(
            lines[0],
            "changed evidence: D0003 2026-06-10T19:20:02Z bob 203.0.113.22: \
             \"devvm-journal.log:639\" -> \"comp/devvm-journal.log.gz:640\""
        );
        assert!(tally.failed());
    }
}
