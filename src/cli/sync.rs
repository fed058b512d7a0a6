//! `sync`, `sync login` and `sync status`: the account of `[sync]`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use paperboy::sync::{SyncEvent, SyncOptions, SyncReport};
use paperboy::text::render::count;
use paperboy::text::scrub::scrub_line;
use paperboy::Library;

use super::output::print_json;

/// What `sync` does besides pulling and pushing.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SyncAction {
    /// Check the account's settings and password; prints the server's user name
    Login,
    /// The account, the last sync and the local changes waiting to be pushed (no network)
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// `sync`, `sync login` or `sync status`.
pub(super) fn command(
    lib: &mut Library,
    action: Option<SyncAction>,
    since: Option<&str>,
    accept_removals: bool,
    json: bool,
) -> Result<ExitCode> {
    match action {
        Some(SyncAction::Login) => login(lib),
        Some(SyncAction::Status { json }) => status(lib, json),
        None => sync(lib, since, accept_removals, json),
    }
}

pub(super) fn login(lib: &mut Library) -> Result<ExitCode> {
    let name = lib.sync_login()?;
    println!("logged in as {}", scrub_line(&name));
    Ok(ExitCode::SUCCESS)
}

pub(super) fn status(lib: &Library, json: bool) -> Result<ExitCode> {
    let s = lib.sync_status()?;
    if json {
        print_json(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "account:   {} at {}",
        scrub_line(&s.username),
        scrub_line(&s.url)
    );
    let last = s
        .last_sync
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".to_string());
    println!("last sync: {last}");
    println!("feeds:     {} from the account", s.feeds);
    println!(
        "queued:    {} waiting to be pushed",
        count(s.queued, "change", "changes")
    );
    Ok(ExitCode::SUCCESS)
}

/// `sync [--since DATE]`: pushes, pulls, prints what changed.
pub(super) fn sync(
    lib: &mut Library,
    since: Option<&str>,
    accept_removals: bool,
    json: bool,
) -> Result<ExitCode> {
    let since = since
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
                .with_context(|| {
                    format!("`{}` is not a date: write it as YYYY-MM-DD", scrub_line(d))
                })
        })
        .transpose()?;
    let opts = SyncOptions {
        since,
        accept_removals,
    };
    let report = run(lib, &opts, json)?;
    if json {
        print_json(&report)?;
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a sync with a progress bar on a terminal.
pub(super) fn run(lib: &mut Library, opts: &SyncOptions, json: bool) -> Result<SyncReport> {
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("syncing: logging in");
        pb
    });
    let mut on_event = |ev: &SyncEvent| {
        let Some(pb) = &bar else { return };
        match ev {
            SyncEvent::LoggedIn => pb.set_message("syncing: pushing local changes"),
            SyncEvent::Pushed { .. } => pb.set_message("syncing: subscriptions"),
            SyncEvent::Feeds { feeds } => pb.set_message(format!(
                "syncing: {} listed; pulling entries",
                count(*feeds, "feed", "feeds")
            )),
            SyncEvent::Page { pulled } => {
                pb.set_message(format!("syncing: {pulled} entries pulled"));
                pb.tick();
            }
            SyncEvent::States => pb.set_message("syncing: read and starred states"),
        }
    };
    let r = lib.sync(opts, &mut on_event);
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    Ok(r?)
}

pub(super) fn print_report(r: &SyncReport) {
    let f = &r.feeds;
    println!(
        "synced {}: {} pulled ({} new); feeds {} added, {} joined, {} changed, {} removed; \
         {} pushed{}; {} read and {} starred changed here",
        scrub_line(&r.user),
        count(r.pulled, "entry", "entries"),
        r.new_entries,
        f.added,
        f.joined,
        f.changed,
        f.removed,
        count(r.pushed, "change", "changes"),
        if r.marks_pushed > 0 {
            format!(
                " and {} marked read",
                count(r.marks_pushed, "feed", "feeds")
            )
        } else {
            String::new()
        },
        r.read_changed,
        r.starred_changed,
    );
}
