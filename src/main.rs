//! The `paperboy` binary: parses arguments, then runs a CLI command or the reader.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// The error and its causes on one line. Many errors already show their cause in their own
/// message; a cause is added only when it says something new.
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("paperboy: {}", paperboy::scrub::scrub_line(&one_line(&e)));
            ExitCode::FAILURE
        }
    }
}
