//! Helpers shared by the CLI test files: run the binary and collect its output.

use assert_cmd::Command;

/// Returns a command for the `t3forensics` binary built with the tests.
pub fn t3() -> Command {
    Command::cargo_bin("t3forensics").unwrap()
}

/// Runs a command and returns (stdout, stderr, exit code).
pub fn run(cmd: &mut Command) -> (String, String, i32) {
    let output = cmd.output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap_or(-1),
    )
}
