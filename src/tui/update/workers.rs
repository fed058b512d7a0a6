//! Background work: starting a refresh, a backfill, an import or the demo, and the messages the
//! executor and the workers send back (loaded rows, progress, results, errors).

use crate::feeds::backfill::BackfillReport;
use crate::library::citations::CitationState;
use crate::model::{Entry, EntryId, FeedId, MonthCount};
use crate::papers::styles::CitationStyle;
use crate::text::render::count;
use crate::tui::action::{Action, BibUse};
use crate::tui::layout;
use crate::tui::state::{
    fill_empty_months, App, BackfillStatus, Cite, EntrySource, Filter, Pane, ReaderState, Scope,
    PAGE,
};

use super::entries::{page_in, reload, switch_source};
use super::navigate::{scope_changed, select_month_row};
use super::prompts::ask_remove_feed;
use super::{Effect, OSC52_NOTE};

/// The keys that start background work, and the timer's refresh (`main` sends only those).
pub(super) fn start(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::RefreshFeed => {
            let feed = app
                .feeds
                .feed_id()
                .or_else(|| app.reader.as_ref().map(|r| r.entry.feed_id))
                .or_else(|| app.entries.selected_entry().map(|e| e.feed_id));
            match feed {
                Some(id) => refresh(app, vec![id], fx),
                None => app.info("select a feed to refresh (R refreshes all)"),
            }
        }
        Action::RefreshAll | Action::AutoRefresh => refresh(app, Vec::new(), fx),
        Action::Backfill => start_backfill(app, fx),
        Action::SubscribeResearchList => fx.push(Effect::ImportResearchList),
        Action::LoadDemo => fx.push(Effect::LoadDemo),
        Action::ScanPapers if !app.demo => fx.push(Effect::ScanPapers),
        _ => {}
    }
}

/// A result from the executor or a worker (`main` sends only those).
pub(super) fn message(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::FeedsLoaded {
            feeds,
            complete,
            starred,
        } => {
            app.feeds.starred = starred;
            let keep = app.feeds.scope();
            app.feeds.feeds = feeds;
            app.feeds.complete = complete;
            app.feeds.loaded = true;
            // Keep the selected row by what it shows: a new feed may have been added above it.
            app.feeds.selected = app.feeds.row_of(&keep);
            // The selected feed or folder is gone (removed): show what the cursor is on now.
            if app.feeds.scope() != keep {
                scope_changed(app, fx);
            }
        }
        Action::MonthsLoaded { filter, months } => months_loaded(app, filter, months, fx),
        Action::MonthPapersLoaded { filter, papers } if filter == app.archive.filter => {
            MonthCount::fill_papers(&mut app.archive.months, &papers);
        }
        Action::EntriesLoaded {
            source,
            offset,
            rows,
            total,
            more,
        } => entries_loaded(app, source, offset, rows, (total, more), fx),
        Action::EntriesCounted {
            source,
            seq,
            total,
            more,
        } => entries_counted(app, &source, seq, (total, more), fx),
        Action::EntryLoaded(entry) => entry_loaded(app, entry, fx),
        Action::ConfirmRemoveFeed { feed, starred } => ask_remove_feed(app, feed, starred),
        Action::FolderRenamed { old, new } => {
            app.feeds.rename_folder(&old, &new);
            app.archive.filter = app.feeds.filter();
            reload(app, fx);
        }
        Action::CitationsCached { entry, cached } => citations_cached(app, entry, cached, fx),
        Action::CitationResolved { entry, doi, state } => {
            if let Some(r) = app.reader.as_mut().filter(|r| r.entry.id == entry) {
                r.citations
                    .insert(crate::text::doi::key(&doi), Cite::Known(state));
                r.refresh_papers();
            }
        }
        Action::CitationsFailed { entry, reason } => citations_failed(app, entry, reason),
        a @ (Action::PapersLoaded { .. }
        | Action::PapersFirst { .. }
        | Action::PaperLinesLoaded(_)
        | Action::PapersPublished(_)) => super::papers::message(app, a, fx),
        Action::BibtexReady { doi, then, result } => bibtex_ready(app, doi, then, result, fx),
        Action::BackfillStarted {
            feed: _,
            total_feeds,
        } => {
            if let Some(b) = &mut app.status.backfill {
                b.total_feeds = total_feeds;
                b.feed_no += 1;
                b.page = 0;
            }
        }
        Action::BackfillPage {
            feed: _,
            page,
            added,
        } => backfill_page(app, page, added, fx),
        Action::BackfillFeedDone(report) => backfill_feed_done(app, *report),
        Action::BackfillDone { error } => backfill_done(app, error, fx),
        Action::DemoLoaded { entries } => {
            app.demo = true;
            app.info(format!(
                "this is the demo archive ({}) in a temporary cache: \
                 no network, and quitting discards it",
                count(entries, "entry", "entries")
            ));
            reload(app, fx);
        }
        Action::CacheChanged => reload(app, fx),
        Action::HealthLoaded {
            lines,
            retracted,
            read_retracted,
        } => super::health::loaded(app, lines, retracted, read_retracted),
        Action::PapersScanProgress { done, total } => {
            app.info(crate::text::render::papers_scan_progress(done, total));
        }
        Action::PapersScanned { error: None } => {
            app.info("papers found in the stored posts");
            reload(app, fx);
        }
        Action::PapersScanned { error: Some(e) } => {
            app.error(format!(
                "finding papers in stored posts stopped: {e} (it goes on at the next start)"
            ));
            reload(app, fx);
        }
        Action::RefreshStarted { total } => app.status.refresh = Some((0, total)),
        Action::RefreshProgress {
            done,
            total,
            failed,
            new,
        } => {
            app.status.refresh = Some((done, total));
            if let Some((title, err)) = failed {
                app.error(format!("{title}: {err}"));
            }
            if new > 0 {
                reload(app, fx);
            }
        }
        Action::RefreshDone {
            new,
            failed,
            sync_error,
        } => refresh_done(app, new, failed, sync_error, fx),
        Action::FeedAdded {
            title,
            entries,
            added,
            feed: _,
        } => feed_added(app, &title, entries, added, fx),
        Action::Info(text) => {
            app.status.adding = false;
            app.info(text);
        }
        Action::Error(text) => {
            app.status.adding = false;
            app.error(text);
        }
        _ => {}
    }
}

fn refresh(app: &mut App, feeds: Vec<FeedId>, fx: &mut Vec<Effect>) {
    if app.demo {
        app.info("demo archive: refreshing is off (no network)");
    } else if app.status.refresh.is_some() {
        app.info("a refresh is already running");
    } else {
        app.status.refresh = Some((0, feeds.len()));
        fx.push(Effect::Refresh(feeds));
    }
}

/// `H`: backfill the selected feed (on All feeds or Unread: every feed) in the background.
fn start_backfill(app: &mut App, fx: &mut Vec<Effect>) {
    if app.demo {
        app.info("demo archive: backfill is off (no network)");
        return;
    }
    if app.status.backfill.is_some() {
        app.info("a backfill is already running");
        return;
    }
    let feed = app.feeds.feed_id();
    let what = match feed {
        Some(id) => app.feeds.title_of(id),
        None => "every feed".to_string(),
    };
    app.status.backfill = Some(BackfillStatus::default());
    app.info(format!("fetching the older posts of {what} …"));
    fx.push(Effect::Backfill(feed));
}

pub(super) fn months_loaded(
    app: &mut App,
    filter: Filter,
    months: Vec<crate::model::MonthCount>,
    fx: &mut Vec<Effect>,
) {
    if filter != app.archive.filter {
        return; // an answer for a row no longer selected
    }
    // A feed whose whole history is cached shows its empty months too.
    let complete = filter
        .one_feed()
        .is_some_and(|f| app.feeds.complete.contains(&f));
    app.archive.months = if complete {
        fill_empty_months(months)
    } else {
        months
    };
    let papers = filter.one_folder().map(|_| Effect::LoadMonthPapers {
        filter: filter.clone(),
    });
    let desired = match (&app.entries.source, app.feeds.scope()) {
        (EntrySource::Search { .. } | EntrySource::Paper { .. }, _) => None,
        (_, Scope::Unread) => Some(EntrySource::Unread {
            filter: Filter::default(),
        }),
        (current, _) => {
            let month = current
                .month()
                .filter(|m| app.archive.month_index(m).is_some())
                .map(str::to_string)
                .or_else(|| {
                    // The newest month with entries (a complete feed's may be empty).
                    let months = &app.archive.months;
                    months
                        .iter()
                        .find(|m| m.count > 0)
                        .or(months.first())
                        .map(|m| m.month.clone())
                });
            Some(match month {
                Some(month) => EntrySource::Month { filter, month },
                None => EntrySource::Nothing,
            })
        }
    };
    match desired {
        Some(d) if d != app.entries.source => switch_source(app, d, fx),
        _ => {
            if let Some(m) = app.entries.source.month().map(str::to_string) {
                select_month_row(app, &m);
            } else {
                let n = app.archive.rows().len();
                app.archive.selected = app.archive.selected.min(n.saturating_sub(1));
            }
        }
    }
    // Asked for after the entries, so that the worker does not hold them up.
    fx.extend(papers);
}

fn entries_loaded(
    app: &mut App,
    source: EntrySource,
    offset: usize,
    rows: Vec<crate::model::EntrySummary>,
    (total, more): (Option<usize>, bool),
    fx: &mut Vec<Effect>,
) {
    let e = &mut app.entries;
    let short_page = rows.len() < PAGE;
    if source != e.source {
        return; // a stale answer: the user has moved on
    }
    e.loading = false;
    if offset == 0 {
        e.rows = rows;
        e.total = total.unwrap_or(e.rows.len()).max(e.rows.len());
        e.more = more;
        if let Some(id) = e.keep.take() {
            e.selected = e.rows.iter().position(|r| r.id == id).unwrap_or(e.selected);
        }
        e.selected = e.selected.min(e.rows.len().saturating_sub(1));
    } else if offset == e.rows.len() {
        e.rows.extend(rows);
        e.total = e.total.max(e.rows.len());
        if e.more && short_page {
            // The end of a listing whose size was only bounded: now it is known.
            e.more = false;
            e.total = e.rows.len();
        }
    }
    page_in(app, fx);
}

/// A search's count arrived after its first page: the title's size and whether to page on.
fn entries_counted(
    app: &mut App,
    source: &EntrySource,
    seq: u64,
    (total, more): (usize, bool),
    fx: &mut Vec<Effect>,
) {
    let e = &mut app.entries;
    // A stale answer (the user has moved on, or asked again since), or the end of the
    // listing is already known from a short page.
    if *source != e.source || seq != e.count_seq || !e.more {
        return;
    }
    e.total = total.max(e.rows.len());
    e.more = more;
    page_in(app, fx);
}

/// An entry arrived for the Reader: a reload of the open one keeps the reading position.
fn entry_loaded(app: &mut App, entry: Box<Entry>, fx: &mut Vec<Effect>) {
    let width = layout::reader_text_width(app.size.0, app.size.1);
    let search = app.entries.source.search().map(str::to_string);
    match &mut app.reader {
        // The same entry again (a reload): keep the reading position and citations.
        Some(r) if r.entry.id == entry.id => {
            r.entry = *entry;
            r.lines.clear();
            r.render(width);
        }
        _ => {
            // Cited papers: cached citations at once, the rest looked up after.
            // Papers beyond its DOIs are looked up under their keys (`arxiv:…`, `pmid:…`).
            let ids: Vec<String> = entry
                .dois
                .iter()
                .map(|d| d.doi.clone())
                .chain(entry.papers_beyond_dois().map(|p| p.key.clone()))
                .collect();
            if !ids.is_empty() {
                fx.push(Effect::LoadCitations {
                    entry: entry.id,
                    dois: ids,
                });
            }
            let reader = ReaderState::new(*entry, width, search);
            let style = app
                .style
                .clone()
                .unwrap_or_else(CitationStyle::shared_default);
            app.reader = Some(reader.with_style(style));
        }
    }
    app.focus = Pane::Reader;
}

/// Cached citations arrived: show them, and look up the rest in the background (never in the
/// demo, which has no network).
fn citations_cached(
    app: &mut App,
    entry: EntryId,
    cached: Vec<(String, Option<CitationState>)>,
    fx: &mut Vec<Effect>,
) {
    let demo = app.demo;
    let Some(r) = app.reader.as_mut().filter(|r| r.entry.id == entry) else {
        return; // the reader moved on
    };
    let mut todo = Vec::new();
    for (doi, state) in cached {
        let slot = match state {
            Some(s @ (CitationState::Found { .. } | CitationState::NotFound)) => Cite::Known(s),
            // Never looked up, or a cached answer that no longer parses: ask the resolver.
            _ if !demo => {
                todo.push(doi.clone());
                Cite::Resolving
            }
            Some(s) => Cite::Known(s),
            None => Cite::NotLookedUp,
        };
        r.citations.insert(crate::text::doi::key(&doi), slot);
    }
    r.refresh_papers();
    if !todo.is_empty() {
        fx.push(Effect::ResolveCitations { entry, dois: todo });
    }
}

/// The citation worker could not run: every DOI still resolving failed for `reason`.
fn citations_failed(app: &mut App, entry: EntryId, reason: String) {
    if let Some(r) = app.reader.as_mut().filter(|r| r.entry.id == entry) {
        for c in r.citations.values_mut() {
            if *c == Cite::Resolving {
                *c = Cite::Known(CitationState::Failed {
                    reason: reason.clone(),
                });
            }
        }
        r.refresh_papers();
    }
}

fn bibtex_ready(
    app: &mut App,
    doi: String,
    then: BibUse,
    result: Result<Option<String>, String>,
    fx: &mut Vec<Effect>,
) {
    // The resolver's text is untrusted: no control characters into the clipboard or the file
    // (newlines and the BibTeX itself kept).
    let result = result.map(|t| t.map(|t| crate::text::scrub::scrub(&t)));
    match (result, then) {
        (Ok(Some(text)), BibUse::Copy) => {
            fx.push(Effect::Clipboard(text));
            app.info(format!(
                "copied the BibTeX of doi:{doi} to the clipboard {OSC52_NOTE}"
            ));
        }
        (Ok(Some(text)), BibUse::Append(path)) => {
            fx.push(Effect::AppendBibtex { path, doi, text });
        }
        (Ok(None), _) => app.error(format!(
            "doi:{doi} is not known to the DOI resolver: no BibTeX"
        )),
        (Err(reason), _) => app.error(format!("no BibTeX for doi:{doi}: {reason}")),
    }
}

/// A page of a backfill arrived: count it, and re-read the Archive when it grew.
fn backfill_page(app: &mut App, page: usize, added: usize, fx: &mut Vec<Effect>) {
    if let Some(b) = &mut app.status.backfill {
        b.page = page;
        b.added += added;
    }
    // The Archive grows as pages arrive: months and counts are cheap to re-read.
    if added > 0 {
        fx.push(Effect::LoadFeeds);
        fx.push(Effect::LoadMonths {
            filter: app.archive.filter.clone(),
        });
    }
}

fn backfill_feed_done(app: &mut App, report: BackfillReport) {
    if report.complete {
        app.feeds.complete.insert(report.feed_id);
    }
    if let Some(err) = &report.error {
        let title = app.feeds.title_of(report.feed_id);
        app.error(format!("backfill of {title}: {err}"));
    }
    if let Some(b) = &mut app.status.backfill {
        b.reports.push(report);
    }
}

fn backfill_done(app: &mut App, error: Option<String>, fx: &mut Vec<Effect>) {
    let status = app.status.backfill.take().unwrap_or_default();
    let (text, is_error) = backfill_summary(app, &status.reports, error.as_deref());
    if is_error {
        app.error(text);
    } else {
        app.info(text);
    }
    reload(app, fx);
}

/// The one line a finished backfill leaves on the status line, and whether it is an error.
fn backfill_summary(app: &App, reports: &[BackfillReport], error: Option<&str>) -> (String, bool) {
    if let Some(e) = error {
        return (format!("backfill failed: {e}"), true);
    }
    let entries = |n: usize| count(n, "new entry", "new entries");
    match reports {
        [] => ("backfill: no feeds to backfill".to_string(), false),
        [r] => {
            let title = app.feeds.title_of(r.feed_id);
            if let Some(err) = &r.error {
                return (
                    format!("backfill of {title}: {} kept; {err}", entries(r.added)),
                    true,
                );
            }
            let pages = if r.pages == 1 { "page" } else { "pages" };
            let mut s = format!(
                "backfill of {title}: {} from {} {pages}",
                entries(r.added),
                r.pages
            );
            if let Some(m) = &r.oldest_month {
                s.push_str(&format!(", back to {m}"));
            }
            if r.complete {
                s.push_str("; history complete ✓");
            } else if let Some(reason) = &r.reason {
                s.push_str(&format!("; {reason}"));
            }
            (s, false)
        }
        many => {
            let added: usize = many.iter().map(|r| r.added).sum();
            let complete = many.iter().filter(|r| r.complete).count();
            let failed: Vec<&BackfillReport> = many.iter().filter(|r| r.error.is_some()).collect();
            let mut s = format!(
                "backfill: {} in {}, {complete} complete",
                entries(added),
                count(many.len(), "feed", "feeds")
            );
            if let Some(first) = failed.first() {
                let title = app.feeds.title_of(first.feed_id);
                let err = first.error.as_deref().unwrap_or_default();
                s.push_str(&format!("; {} failed ({title}: {err})", failed.len()));
            }
            (s, !failed.is_empty())
        }
    }
}

fn refresh_done(
    app: &mut App,
    new: usize,
    failed: usize,
    sync_error: Option<String>,
    fx: &mut Vec<Effect>,
) {
    app.status.refresh = None;
    let news = match new {
        0 => "no new entries".to_string(),
        n => count(n, "new entry", "new entries"),
    };
    let mut text = format!("refreshed: {news}");
    if failed > 0 {
        let feeds = if failed == 1 { "feed" } else { "feeds" };
        text.push_str(&format!(
            "; {failed} {feeds} failed (marked ! in Feeds; select one to see why)"
        ));
    }
    match sync_error {
        // First: the line may be cut at the right edge.
        Some(e) => app.error(format!("sync failed: {e} (reading from the cache); {text}")),
        None if failed > 0 => app.error(text),
        None => app.info(text),
    }
    reload(app, fx);
}

fn feed_added(app: &mut App, title: &str, entries: usize, added: bool, fx: &mut Vec<Effect>) {
    app.status.adding = false;
    if added {
        app.info(format!(
            "added {title} ({})",
            count(entries, "entry", "entries")
        ));
    } else {
        app.info(format!("already subscribed to {title}"));
    }
    reload(app, fx);
}
