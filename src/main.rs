//! The `paperboy` binary: parses arguments, then runs a CLI command or the reader.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // `{:#}` prints the whole context chain on one line.
            let msg = paperboy::scrub::scrub_line(&format!("{e:#}"));
            eprintln!("paperboy: {msg}");
            ExitCode::FAILURE
        }
    }
}
