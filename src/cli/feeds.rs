//! Subscriptions: add, remove, feeds, import, export, refresh.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use paperboy::library::{FeedReport, RefreshEvent, RefreshStatus};
use paperboy::model::Feed;
use paperboy::text::render::count;
use paperboy::text::scrub::{scrub_line, scrub_url};
use paperboy::Library;

use super::archive::{backfill_progress, print_backfill};
use super::output::{fmt_time, print_json, print_listing};

/// The ids of the feeds named (by id, URL or exact title), then those of `folder`.
pub(super) fn feed_ids(
    lib: &Library,
    specs: &[String],
    folder: Option<&str>,
) -> Result<Vec<paperboy::model::FeedId>> {
    let mut ids: Vec<_> = specs
        .iter()
        .map(|s| Ok(lib.find_feed(s)?.id))
        .collect::<Result<_>>()?;
    if let Some(name) = folder {
        ids.extend(lib.feeds_in_folder(name)?.iter().map(|f| f.id));
    }
    Ok(ids)
}

/// The id of the feed named, if one is.
pub(super) fn feed_id(
    lib: &Library,
    spec: Option<&str>,
) -> Result<Option<paperboy::model::FeedId>> {
    spec.map(|s| Ok(lib.find_feed(s)?.id)).transpose()
}

/// `add`, with `--backfill` when `backfill` is set.
pub(super) fn subscribe(
    lib: &mut Library,
    url: &str,
    backfill: bool,
    json: bool,
) -> Result<ExitCode> {
    if backfill {
        return add_and_backfill(lib, url, json);
    }
    add(lib, url, json)?;
    Ok(ExitCode::SUCCESS)
}

/// Subscribes and prints what happened.
fn add(lib: &mut Library, url: &str, json: bool) -> Result<()> {
    let r = lib
        .add(url)
        .with_context(|| format!("cannot subscribe to {}", scrub_url(url)))?;
    print_add(&r, json)
}

/// `add --backfill`: the backfill starts from the document `add` fetched.
fn add_and_backfill(lib: &mut Library, url: &str, json: bool) -> Result<ExitCode> {
    let progress = !json && std::io::stderr().is_terminal();
    let mut on_event = backfill_progress(progress);
    let (added, report) = lib
        .add_and_backfill(url, None, &mut on_event)
        .with_context(|| format!("cannot subscribe to {}", scrub_url(url)))?;
    if progress {
        eprint!("\r\x1b[K");
    }
    print_add(&added, json)?;
    print_backfill(lib, &[report], json)
}

pub(super) fn print_add(r: &paperboy::library::AddReport, json: bool) -> Result<()> {
    if json {
        print_json(&r)?;
    } else {
        if let Some(page) = &r.discovered_from {
            println!("found the feed {} on {}", r.url, scrub_url(page));
        }
        let verb = if r.added {
            "subscribed to"
        } else {
            "already subscribed to"
        };
        println!(
            "{verb} {} ({}) [id {}]",
            scrub_line(&r.title),
            count(r.entries, "entry", "entries"),
            r.feed_id
        );
    }
    Ok(())
}

pub(super) fn feeds(lib: &Library, folder: Option<&str>, json: bool) -> Result<ExitCode> {
    let header = [
        "ID", "TITLE", "FOLDER", "FROM", "ENTRIES", "UNREAD", "FETCHED", "URL", "ERROR", "WARNING",
    ];
    let rows = match folder {
        Some(name) => lib.feeds_in_folder(name)?,
        None => lib.feeds()?,
    };
    print_listing(&rows, json, &header, |f: &Feed| {
        vec![
            f.id.to_string(),
            scrub_line(&f.title),
            f.folder.as_deref().map(scrub_line).unwrap_or_default(),
            if f.remote_id.is_some() {
                "account"
            } else {
                "local"
            }
            .to_string(),
            f.entries.to_string(),
            f.unread.to_string(),
            fmt_time(f.last_fetched),
            f.url.clone(),
            if f.gone {
                "gone (410): no longer fetched".to_string()
            } else {
                f.last_error.as_deref().map(scrub_line).unwrap_or_default()
            },
            f.warning.as_deref().map(scrub_line).unwrap_or_default(),
        ]
    })
}

pub(super) fn import(lib: &mut Library, file: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let r = lib
        .import_opml(&bytes)
        .with_context(|| format!("cannot import {}", file.display()))?;
    for (what, why) in &r.skipped {
        println!("skipped {}: {}", scrub_line(what), scrub_line(why));
    }
    println!(
        "imported {} ({} already subscribed, {} skipped); run `paperboy refresh` to fetch them",
        count(r.added, "feed", "feeds"),
        r.already,
        r.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) fn export(lib: &Library, output: Option<&Path>) -> Result<ExitCode> {
    let opml = lib.export_opml()?;
    match output {
        Some(p) => {
            std::fs::write(p, opml).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => print!("{opml}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn describe(r: &FeedReport) -> String {
    match r.status {
        RefreshStatus::Updated => format!("updated ({} new)", r.new),
        RefreshStatus::NotModified => "not modified".to_string(),
        RefreshStatus::Error => format!(
            "error: {}",
            r.error.as_deref().map(scrub_line).unwrap_or_default()
        ),
    }
}

/// `refresh`'s arguments.
#[derive(Debug, clap::Args)]
pub struct RefreshArgs {
    /// Feed ids, URLs or exact titles
    feeds: Vec<String>,
    /// Also every feed of this folder (and the folders in it)
    #[arg(long, value_name = "NAME")]
    folder: Option<String>,
    /// Feeds fetched at once (default: [fetch] jobs in config, 16)
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Also check the cited papers' health at Crossref afterwards (new papers, and those due)
    #[arg(long)]
    health: bool,
    #[arg(long)]
    json: bool,
}

/// `refresh`; then, with `--health`, the cited papers' routine health check (stderr only). Off by
/// default: a refresh stays a fetch of feeds, fast and predictable, and the reader checks in the
/// background anyway; cron jobs add `--health`.
pub(super) fn refresh(lib: &mut Library, args: &RefreshArgs) -> Result<ExitCode> {
    let ids = feed_ids(lib, &args.feeds, args.folder.as_deref())?;
    let json = args.json;
    let jobs = args.jobs.unwrap_or(lib.config().fetch.jobs).max(1);
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template("refreshing {pos}/{len} {wide_bar} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    let mut on_event = |ev: &RefreshEvent| match ev {
        RefreshEvent::Started { total } => {
            if let Some(pb) = &bar {
                pb.set_length(*total as u64);
            }
        }
        RefreshEvent::FeedDone { report, .. } => match &bar {
            Some(pb) => {
                pb.inc(1);
                pb.set_message(scrub_line(&report.title));
                if report.status == RefreshStatus::Error {
                    pb.println(format!(
                        "{}: {}",
                        scrub_line(&report.title),
                        describe(report)
                    ));
                }
            }
            None if !json => {
                println!("{}: {}", scrub_line(&report.title), describe(report));
            }
            None => {}
        },
    };
    // The account first (its feeds are the server's to fetch), then the local feeds; a failed
    // sync is one line and the local feeds are still fetched.
    let mut sync_failed = false;
    if lib.sync_configured() && ids.is_empty() {
        match super::sync::run(lib, &paperboy::sync::SyncOptions::default(), json) {
            Ok(r) if !json => super::sync::print_report(&r),
            Ok(_) => {}
            Err(e) => {
                eprintln!(
                    "paperboy: sync failed: {}",
                    scrub_line(&crate::one_line(&e))
                );
                sync_failed = true;
            }
        }
    }
    let reports = lib.refresh(&ids, jobs, &mut on_event)?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let failed = reports
        .iter()
        .filter(|r| r.status == RefreshStatus::Error)
        .count();
    if json {
        print_json(&reports)?;
    } else {
        let updated = reports
            .iter()
            .filter(|r| r.status == RefreshStatus::Updated)
            .count();
        let new: usize = reports.iter().map(|r| r.new).sum();
        let unchanged = reports.len() - updated - failed;
        println!(
            "{}: {updated} updated ({}), {unchanged} not modified, {failed} failed",
            count(reports.len(), "feed", "feeds"),
            count(new, "new entry", "new entries")
        );
    }
    if args.health {
        super::health::check_after_refresh(lib);
    }
    Ok(if failed == 0 && !sync_failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
