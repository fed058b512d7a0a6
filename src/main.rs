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

/// Rust ignores SIGPIPE, so `paperboy list | head -1` would end in a panic on the next write.
/// A command-line tool should stop quietly instead, as `ls` and `cat` do.
#[cfg(unix)]
fn die_quietly_on_closed_pipe() {
    // SAFETY: restoring the default action of one signal, before any thread is started. Sockets
    // are unaffected: Rust's networking writes with MSG_NOSIGNAL (SO_NOSIGPIPE on macOS).
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn die_quietly_on_closed_pipe() {}

/// An empty variable counts as unset (`PAPERBOY_DATA_DIR= paperboy feeds`), as NO_COLOR's
/// convention has it; clap would take it as an empty `--data-dir` and refuse every command.
fn forget_empty_env() {
    for (name, value) in std::env::vars_os() {
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with("PAPERBOY_") || matches!(n, "BROWSER" | "NO_COLOR"));
        if ours && value.is_empty() {
            // Before any thread is started, so nothing reads the environment meanwhile.
            std::env::remove_var(name);
        }
    }
}

fn main() -> ExitCode {
    forget_empty_env();
    let args = cli::Args::parse();
    // Commands print to pipes; the reader draws on a terminal and keeps Rust's default.
    if args.command.is_some() {
        die_quietly_on_closed_pipe();
    }
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!(
                "paperboy: {}",
                paperboy::text::scrub::scrub_line(&one_line(&e))
            );
            ExitCode::FAILURE
        }
    };
    // The reader runs a password command on a worker thread that quitting does not wait for.
    paperboy::sync::account::stop_password_commands();
    code
}
