//! Folders, stars, renames, bulk read and removal (which asks before starred entries go).

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use paperboy::model::EntryId;
use paperboy::store::ListQuery;
use paperboy::text::render::count;
use paperboy::text::scrub::scrub_line;
use paperboy::Library;

use super::entries::set_read;
use super::feeds::feed_id;
use super::output::{check_month, print_listing};

/// `remove`: a feed holding starred entries needs `--force`, and the count is said either way.
pub(super) fn remove(lib: &mut Library, spec: &str, force: bool) -> Result<ExitCode> {
    let f = lib.find_feed(spec)?;
    let starred = lib.starred_in_feed(f.id)?;
    let stars = count(starred, "starred entry", "starred entries");
    if starred > 0 && !force {
        bail!(
            "{} holds {stars}, which would go with it: `paperboy remove {} --force` removes it anyway",
            scrub_line(&f.title),
            f.id
        );
    }
    lib.remove_feed(f.id)?;
    if starred > 0 {
        println!(
            "removed {} ({}) and its {stars}",
            scrub_line(&f.title),
            f.url
        );
    } else {
        println!("removed {} ({})", scrub_line(&f.title), f.url);
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn folder(lib: &mut Library, spec: &str, name: Option<&str>) -> Result<ExitCode> {
    let f = lib.find_feed(spec)?;
    match lib.set_folder(f.id, name)? {
        Some(name) => println!("moved {} to {}", scrub_line(&f.title), name),
        None => println!("moved {} out of its folder", scrub_line(&f.title)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn folders(lib: &Library, json: bool) -> Result<ExitCode> {
    let header = ["FOLDER", "FEEDS", "ENTRIES", "UNREAD"];
    print_listing(&lib.folders()?, json, &header, |f| {
        vec![
            scrub_line(&f.name),
            f.feeds.to_string(),
            f.entries.to_string(),
            f.unread.to_string(),
        ]
    })
}

pub(super) fn rename_folder(lib: &mut Library, old: &str, new: &str) -> Result<ExitCode> {
    let (name, moved) = lib.rename_folder(old, new)?;
    println!(
        "renamed the folder to {name} ({})",
        count(moved, "feed", "feeds")
    );
    Ok(ExitCode::SUCCESS)
}

/// `rename FEED TITLE`, or back to the feed's own title with `None` (`--reset`).
pub(super) fn rename(lib: &mut Library, spec: &str, title: Option<&str>) -> Result<ExitCode> {
    let f = lib.find_feed(spec)?;
    lib.rename_feed(f.id, title)?;
    let now = lib.find_feed(&f.id.to_string())?;
    match title {
        Some(_) => println!("renamed feed {} to {}", f.id, scrub_line(&now.title)),
        None => println!("feed {} is titled {} again", f.id, scrub_line(&now.title)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn star(lib: &mut Library, ids: &[EntryId], starred: bool) -> Result<ExitCode> {
    let n = lib.set_starred(ids, starred)?;
    println!(
        "{} {}",
        if starred { "starred" } else { "unstarred" },
        count(n, "entry", "entries")
    );
    Ok(ExitCode::SUCCESS)
}

/// What `read` marks in bulk; the filters combine, and none (`--all`) is every entry.
pub(super) struct ReadScope {
    pub feed: Option<String>,
    pub folder: Option<String>,
    pub month: Option<String>,
    pub before: Option<String>,
}

/// `read`: the entries named, or, when none are, every entry in `scope`.
pub(super) fn read(lib: &mut Library, entries: &[EntryId], scope: ReadScope) -> Result<ExitCode> {
    if !entries.is_empty() {
        return set_read(lib, entries, true);
    }
    read_in_bulk(lib, scope)
}

fn read_in_bulk(lib: &mut Library, scope: ReadScope) -> Result<ExitCode> {
    if let Some(m) = &scope.month {
        check_month(m)?;
    }
    let before = scope
        .before
        .as_deref()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp())
                .with_context(|| {
                    format!(
                        "`{}` is not a day: write it as YYYY-MM-DD, e.g. 2024-01-31",
                        scrub_line(d)
                    )
                })
        })
        .transpose()?;
    let q = ListQuery {
        feed: feed_id(lib, scope.feed.as_deref())?,
        folder: scope.folder.map(|f| lib.find_folder(&f)).transpose()?,
        month: scope.month,
        before,
        ..ListQuery::default()
    };
    let n = lib.mark_read(&q)?;
    println!("marked {} read", count(n, "entry", "entries"));
    Ok(ExitCode::SUCCESS)
}
