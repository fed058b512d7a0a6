//! Entries: months, list, read state, open.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use paperboy::model::EntryId;
use paperboy::store::ListQuery;
use paperboy::text::render::count;
use paperboy::text::scrub::{scrub_line, scrub_url};
use paperboy::Library;

use super::dois::{typed_doi, typed_paper};
use super::feeds::feed_id;
use super::output::{check_month, ensure_newline, print_listing, terminal_width};

/// The query of `months` and `list`: the feed named, the folder and the month, checked in
/// that order.
pub(super) fn scoped_query(
    lib: &Library,
    feed: Option<&str>,
    folder: Option<String>,
    month: Option<String>,
) -> Result<ListQuery> {
    let feed = feed_id(lib, feed)?;
    if let Some(m) = &month {
        check_month(m)?;
    }
    Ok(ListQuery {
        feed,
        folder: folder.map(|f| lib.find_folder(&f)).transpose()?,
        month,
        ..ListQuery::default()
    })
}

pub(super) fn months(lib: &Library, q: &ListQuery, json: bool) -> Result<ExitCode> {
    let months = lib.months_where(q)?;
    let header = ["MONTH", "ENTRIES", "UNREAD", "PAPERS"];
    print_listing(&months, json, &header, |m| {
        vec![
            m.month.clone(),
            m.count.to_string(),
            m.unread.to_string(),
            m.papers.to_string(),
        ]
    })
}

pub(super) fn list(lib: &Library, q: &ListQuery, json: bool) -> Result<ExitCode> {
    let entries = lib.list(q)?;
    let header = ["ID", "DATE", "NEW", "PAPERS", "FEED", "TITLE"];
    print_listing(&entries, json, &header, |e| {
        vec![
            e.id.to_string(),
            e.date
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| e.month.clone()),
            match (e.read, e.starred) {
                (false, true) => "N★",
                (false, false) => "N",
                (true, true) => " ★",
                (true, false) => " ",
            }
            .to_string(),
            if e.dois.is_empty() {
                String::new()
            } else {
                format!("{} doi", e.dois.len())
            },
            scrub_line(&e.feed_title),
            // The placeholder is the view's; JSON carries the real (empty) title.
            match scrub_line(&e.title) {
                t if t.is_empty() => "(untitled)".to_string(),
                t => t,
            },
        ]
    })
}

/// `show`: an entry as wrapped plain text, at `width` or the terminal's.
pub(super) fn show(lib: &Library, entry: EntryId, width: Option<usize>) -> Result<ExitCode> {
    let e = lib.entry(entry)?;
    let width = width.unwrap_or_else(terminal_width);
    let text = paperboy::text::render::render_entry_plain(&e, width);
    print!("{}", ensure_newline(text));
    Ok(ExitCode::SUCCESS)
}

pub(super) fn set_read(lib: &mut Library, ids: &[EntryId], read: bool) -> Result<ExitCode> {
    for id in ids {
        lib.entry(*id)?;
    }
    let n = lib.set_read(ids, read)?;
    println!("marked {n} {}", if read { "read" } else { "unread" });
    Ok(ExitCode::SUCCESS)
}

pub(super) fn open(lib: &Library, target: &str, link: Option<usize>) -> Result<ExitCode> {
    let url = if let Ok(id) = target.parse::<EntryId>() {
        let entry = lib.entry(id)?;
        match link {
            None => entry
                .link
                .clone()
                .with_context(|| format!("entry {id} has no link"))?,
            Some(n) => {
                let rendered = paperboy::text::render::render_html(entry.body_html(), 80);
                rendered
                    .links
                    .get(n.wrapping_sub(1))
                    .cloned()
                    .with_context(|| {
                        format!(
                            "entry {id} has {}; `paperboy show {id}` numbers them",
                            count(rendered.links.len(), "link", "links")
                        )
                    })?
            }
        }
    } else if let Some(doi) = typed_doi(target) {
        let base = paperboy::library::citations::resolver_base(&lib.config().doi.resolver);
        paperboy::text::doi::doi_url(&base, &doi)?
    } else if let Some(url) = typed_paper(target).and_then(|key| {
        let base = paperboy::library::citations::resolver_base(&lib.config().doi.resolver);
        paperboy::papers::services::paper_url(&key, &base)
    }) {
        url
    } else {
        bail!(
            "`{}` is neither an entry id, a DOI (10.NNNN/…) nor a paper key (arxiv:…, \
             pmid:…, pmcid:PMC…)",
            scrub_line(target)
        );
    };
    let command = paperboy::open::browser_command(
        lib.config().browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );
    paperboy::open::open_url(&url, &command)?;
    println!("opened {}", scrub_url(&url));
    Ok(ExitCode::SUCCESS)
}
