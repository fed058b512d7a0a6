//! Backfill: older posts than a feed's window.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use paperboy::text::render::count;
use paperboy::text::scrub::scrub_line;
use paperboy::Library;

use super::feeds::feed_ids;
use super::output::{check_month, print_json};

/// Shows each stored page on a terminal.
pub(super) fn backfill_progress(
    progress: bool,
) -> impl FnMut(&paperboy::feeds::backfill::BackfillEvent) {
    use paperboy::feeds::backfill::BackfillEvent;
    move |ev: &BackfillEvent| {
        if let (true, BackfillEvent::Page { page, added, .. }) = (progress, ev) {
            eprint!("\r\x1b[Kpage {page}: {added} new");
        }
    }
}

/// `backfill`: the feeds named and those of `folder` (none: every feed), whole or one month.
pub(super) fn backfill_named(
    lib: &mut Library,
    feeds: &[String],
    folder: Option<&str>,
    month: Option<&str>,
    max_pages: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    let ids = feed_ids(lib, feeds, folder)?;
    match month {
        Some(month) => backfill_month(lib, &ids, month, max_pages, json),
        None => backfill(lib, &ids, max_pages, json),
    }
}

fn backfill(
    lib: &mut Library,
    ids: &[paperboy::model::FeedId],
    max_pages: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    let progress = !json && std::io::stderr().is_terminal();
    let mut on_event = backfill_progress(progress);
    let reports = lib.backfill(ids, max_pages, &mut on_event)?;
    if progress {
        eprint!("\r\x1b[K");
    }
    print_backfill(lib, &reports, json)
}

/// `backfill --month`: one month of each named feed (default: all) from its date archive.
fn backfill_month(
    lib: &mut Library,
    ids: &[paperboy::model::FeedId],
    month: &str,
    max_pages: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    check_month(month)?;
    if max_pages.is_some() {
        bail!("--max-pages applies to a whole backfill, not to --month");
    }
    let (year, mon) = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .with_context(|| format!("`{month}` is not a month (YYYY-MM)"))?;
    let reports = lib.backfill_month(ids, year, mon, &mut |_| {})?;
    print_backfill(lib, &reports, json)
}

pub(super) fn print_backfill(
    lib: &Library,
    reports: &[paperboy::feeds::backfill::BackfillReport],
    json: bool,
) -> Result<ExitCode> {
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if json {
        print_json(reports)?;
    } else {
        for r in reports {
            let title = lib
                .feed(r.feed_id)?
                .map(|f| scrub_line(&f.title))
                .unwrap_or_else(|| r.url.clone());
            let mut line = match r.strategy {
                Some(s) => format!(
                    "{title}: {s}, {}, {}, oldest month {}",
                    count(r.pages, "page", "pages"),
                    count(r.added, "new entry", "new entries"),
                    r.oldest_month.as_deref().unwrap_or("-")
                ),
                None => format!("{title}: no backfill strategy applies"),
            };
            if r.complete {
                line.push_str(" (history complete)");
            }
            if let Some(why) = &r.reason {
                line.push_str(&format!("; {}", scrub_line(why)));
            }
            if let Some(e) = &r.error {
                line.push_str(&format!("; error: {}", scrub_line(e)));
            }
            println!("{line}");
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
