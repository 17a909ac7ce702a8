//! The `t3forensics` binary: parses arguments, runs the library, and maps the result to an
//! exit code (0 done, 1 findings in check modes, 2 usage or input error).

use clap::Parser;

fn main() -> std::process::ExitCode {
    // clap exits with 2 on a usage error and 0 for --help and --version.
    let cli = t3forensics::cli::Cli::parse();
    match run(cli) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(error) => {
            eprintln!("t3forensics: {error}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(cli: t3forensics::cli::Cli) -> anyhow::Result<u8> {
    let code = t3forensics::cli::run(cli)?;
    Ok(u8::try_from(code).unwrap_or(2))
}
