//! The command that accepts a failed check's result as the new baseline: the `check` command
//! line turned into the `drops` command that writes this run's rows into the expected file.

use std::ffi::OsString;

/// The `check` options that `drops` does not take or that would change where or how the rows
/// go: they are left out, and `--format` and `--output` are given anew for the expected file.
const CHECK_ONLY: [&str; 5] = ["expect", "strict_fields", "output", "format", "fail_on"];

/// Returns the format `drops` wrote the expected file in, from its text as
/// [`parse_expected`](super::parse_expected) reads it: `json` for a pretty-printed document
/// or a bare array, `jsonl` for one object per line or no text, else `csv`.
pub fn expected_format(text: &str) -> &'static str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim_start();
    match text.chars().next() {
        None => "jsonl",
        Some('[') => "json",
        // `--format json` puts `{` alone on the first line, JSON Lines a whole row.
        Some('{')
            if text
                .lines()
                .next()
                .is_some_and(|line| line.trim_end() == "{") =>
        {
            "json"
        }
        Some('{') => "jsonl",
        Some(_) => "csv",
    }
}

/// Builds the line that tells how to accept this run's drops as the baseline: the `drops`
/// command with this `check`'s options and inputs, writing `expect` in `format`. `command` is
/// the whole program's command (for the options `check` takes) and `args` its command line,
/// program name first.
///
/// Returns a general description instead of a command when `args` is not a `check` command
/// line, which happens only when the library is called with arguments of its own.
pub fn accept_line(
    command: &clap::Command,
    args: &[OsString],
    expect: &str,
    format: &str,
) -> String {
    let general = format!(
        "to accept this run as the new baseline, write it again with the same `drops` command \
         and options: t3forensics drops ... --format {format} --output {}",
        shell_quote(expect)
    );
    let Some(drops) = drops_command(command, args) else {
        return general;
    };
    let stdin = drops.stdin;
    let mut words = drops.words;
    words.extend(["--format".to_string(), format.to_string()]);
    words.extend(["--output".to_string(), expect.to_string()]);
    let line: Vec<String> = words.iter().map(|word| shell_quote(word)).collect();
    let stdin_note = if stdin {
        " (with the same text on stdin)"
    } else {
        ""
    };
    format!(
        "to accept this run as the new baseline, write it again with the same `drops` command \
         and options{stdin_note}: {}",
        line.join(" ")
    )
}

/// A `drops` command line made from a `check` command line.
struct DropsCommand {
    /// The program, `drops`, and the kept options and inputs, unquoted.
    words: Vec<String>,
    /// Whether the inputs include stdin (`-`, or no input named).
    stdin: bool,
}

/// Rewrites a `check` command line into the `drops` one: the subcommand becomes `drops`, and
/// every option of [`CHECK_ONLY`] is dropped with its value. Options are found by their long
/// and short names in `command`'s `check` subcommand, so `--output=F`, `-o F`, `-oF` and `-qo F`
/// are all found. Returns `None` when `args` is no `check` command line.
fn drops_command(command: &clap::Command, args: &[OsString]) -> Option<DropsCommand> {
    let check = command.find_subcommand("check")?;
    let words: Vec<String> = args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let (program, rest) = words.split_first()?;
    let (subcommand, rest) = rest.split_first()?;
    if subcommand != "check" {
        return None;
    }

    let takes_value = |arg: &clap::Arg| arg.get_action().takes_values();
    let dropped = |arg: &clap::Arg| CHECK_ONLY.contains(&arg.get_id().as_str());
    let long = |name: &str| {
        check.get_arguments().find(|arg| {
            arg.get_long() == Some(name)
                || arg
                    .get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&name))
        })
    };
    let short = |c: char| check.get_arguments().find(|arg| arg.get_short() == Some(c));

    let mut words_kept = vec![program.clone(), "drops".to_string()];
    let mut inputs = 0usize;
    let mut stdin = false;
    let mut positional_only = false;
    let mut tokens = rest.iter();
    while let Some(token) = tokens.next() {
        let positional = positional_only || token == "-" || !token.starts_with('-');
        if positional {
            inputs += 1;
            stdin |= token == "-";
            words_kept.push(token.clone());
            continue;
        }
        if token == "--" {
            positional_only = true;
            words_kept.push(token.clone());
            continue;
        }
        if let Some(body) = token.strip_prefix("--") {
            let (name, inline_value) = match body.split_once('=') {
                Some((name, _)) => (name, true),
                None => (body, false),
            };
            let arg = long(name);
            let value = match arg {
                Some(arg) if takes_value(arg) && !inline_value => tokens.next(),
                _ => None,
            };
            if !arg.is_some_and(dropped) {
                words_kept.push(token.clone());
                words_kept.extend(value.cloned());
            }
            continue;
        }
        // A cluster of short options, the last of which may take the rest or the next token
        // as its value.
        let mut cluster = String::from("-");
        let mut value = None;
        let mut value_dropped = false;
        for (at, c) in token[1..].char_indices() {
            let arg = short(c);
            if arg.is_some_and(takes_value) {
                let rest = &token[1 + at + c.len_utf8()..];
                value = if rest.is_empty() {
                    tokens.next().cloned()
                } else {
                    Some(rest.strip_prefix('=').unwrap_or(rest).to_string())
                };
                value_dropped = arg.is_some_and(dropped);
                if !value_dropped {
                    cluster.push(c);
                }
                break;
            }
            if !arg.is_some_and(dropped) {
                cluster.push(c);
            }
        }
        if cluster.len() > 1 {
            words_kept.push(cluster);
        }
        if !value_dropped {
            words_kept.extend(value);
        }
    }
    Some(DropsCommand {
        words: words_kept,
        stdin: stdin || inputs == 0,
    })
}

/// Quotes a word for a POSIX shell when it contains anything but letters, digits and
/// `@%+=:,./_-`.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn rewrite(line: &str) -> String {
        let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        accept_line(&crate::cli::Cli::command(), &args, "base.csv", "csv")
    }

    #[test]
    fn accept_line_rewrites_check_options() {
        let prefix = "to accept this run as the new baseline, write it again with the same \
                      `drops` command and options: ";
        // (check command line, the drops command expected)
        let cases = [
            (
                "t3forensics check --expect base.csv j.log t.log",
                "t3forensics drops j.log t.log --format csv --output base.csv",
            ),
            (
                "t3forensics check -q --expect=old.json --strict-fields --tz Europe/Berlin j.log",
                "t3forensics drops -q --tz Europe/Berlin j.log --format csv --output base.csv",
            ),
            (
                "/usr/bin/t3forensics check --expect base.csv -o run.csv --format csv --fail-on devvm,dispatch j.log",
                "/usr/bin/t3forensics drops j.log --format csv --output base.csv",
            ),
            (
                "t3forensics check --expect base.csv -qo run.csv j.log",
                "t3forensics drops -q j.log --format csv --output base.csv",
            ),
            (
                "t3forensics check --expect base.csv -orun.csv --output=run2.csv --skew -3 j.log",
                "t3forensics drops --skew -3 j.log --format csv --output base.csv",
            ),
            (
                "t3forensics check --expect base.csv --router ^t3(code)? -- -odd.log",
                "t3forensics drops --router '^t3(code)?' -- -odd.log --format csv --output base.csv",
            ),
        ];
        for (check, drops) in cases {
            assert_eq!(rewrite(check), format!("{prefix}{drops}"), "{check}");
        }
    }

    #[test]
    fn accept_line_names_stdin() {
        for check in [
            "t3forensics check --expect base.csv",
            "t3forensics check --expect base.csv - t.log",
        ] {
            assert!(
                rewrite(check).contains("options (with the same text on stdin): "),
                "{check}"
            );
        }
    }

    #[test]
    fn accept_line_without_check_arguments() {
        let line = rewrite("t3forensics drops j.log");
        assert!(line.ends_with("t3forensics drops ... --format csv --output base.csv"));
    }

    #[test]
    fn expected_format_from_text() {
        // (start of the saved file, format)
        let cases = [
            ("drop_id,time,user\n", "csv"),
            ("\u{feff}drop_id,time\n", "csv"),
            ("{\n  \"drops\": [\n", "json"),
            ("[{\"drop_id\":\"D0001\"}]", "json"),
            ("{\"drop_id\":\"D0001\"}\n", "jsonl"),
            ("", "jsonl"),
        ];
        for (text, format) in cases {
            assert_eq!(expected_format(text), format, "{text:?}");
        }
    }

    #[test]
    fn shell_quote_cases() {
        let cases = [
            ("j.log", "j.log"),
            ("--tz=Europe/Berlin", "--tz=Europe/Berlin"),
            ("my logs/j.log", "'my logs/j.log'"),
            ("it's", r"'it'\''s'"),
            ("", "''"),
            ("a*b", "'a*b'"),
        ];
        for (word, quoted) in cases {
            assert_eq!(shell_quote(word), quoted, "{word}");
        }
    }
}
