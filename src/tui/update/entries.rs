//! The Entries listing and the Reader: which listing shows and its pages, opening an entry, the
//! read and starred flags, search and stepping through its matches, a post's links.

use crate::model::EntryId;
use crate::text::render::count;
use crate::tui::action::Action;
use crate::tui::state::{App, EntrySource, Pane, PAGE};

use super::navigate::{clamp_move, select_month_row};
use super::papers;
use super::Effect;

/// The entry and Reader actions (`main` sends only those).
pub(super) fn handle(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::NextEntry => step_entry(app, 1, fx),
        Action::PrevEntry => step_entry(app, -1, fx),
        Action::ToggleRead => toggle_read(app, fx),
        Action::ToggleStar => toggle_star(app, fx),
        Action::MarkMonthRead => mark_listing_read(app, fx),
        Action::NextMatch => step_match(app, true),
        Action::PrevMatch => step_match(app, false),
        Action::OpenInBrowser => open_in_browser(app, fx),
        Action::OpenLink(n) => open_link(app, n, fx),
        Action::TogglePapersOnly => toggle_papers_only(app, fx),
        _ => {}
    }
}

/// Shows `source` in the Entries pane from its first row.
pub(super) fn switch_source(app: &mut App, source: EntrySource, fx: &mut Vec<Effect>) {
    app.entries.source = source.clone();
    app.entries.rows.clear();
    app.entries.total = 0;
    app.entries.more = false;
    app.entries.selected = 0;
    app.entries.offset = 0;
    app.entries.keep = None;
    load_first_page(app, PAGE, fx);
    if let Some(month) = source.month() {
        select_month_row(app, month);
    }
    papers::source_changed(app, fx);
}

fn load_first_page(app: &mut App, limit: usize, fx: &mut Vec<Effect>) {
    let source = app.entries.source.clone();
    if let Some(mut query) = source.query(app.entries.papers_only) {
        // A search counts its matches on a worker after its first page shows: counting a
        // common word's matches costs more than the page.
        let count_later = query.search.is_some().then(|| {
            app.entries.count_seq += 1;
            Effect::CountEntries {
                source: source.clone(),
                query: query.clone(),
                seq: app.entries.count_seq,
            }
        });
        query.limit = Some(limit);
        app.entries.loading = true;
        fx.push(Effect::LoadEntries {
            source,
            query,
            count: count_later.is_none(),
        });
        fx.extend(count_later);
    }
}

/// Loads the next page when the selection nears the end of what is loaded.
pub(super) fn page_in(app: &mut App, fx: &mut Vec<Effect>) {
    let e = &app.entries;
    let all_loaded = e.rows.len() >= e.total && !e.more;
    if e.loading || all_loaded || e.selected + PAGE / 4 < e.rows.len() {
        return;
    }
    let source = e.source.clone();
    if let Some(mut query) = source.query(e.papers_only) {
        query.limit = Some(PAGE);
        query.offset = e.rows.len();
        app.entries.loading = true;
        fx.push(Effect::LoadEntries {
            source,
            query,
            count: false,
        });
    }
}

/// Re-reads what is on screen after the cache changed, keeping the selected entry by id.
pub(super) fn reload(app: &mut App, fx: &mut Vec<Effect>) {
    fx.push(Effect::LoadFeeds);
    fx.push(Effect::LoadHealth);
    fx.push(Effect::LoadMonths {
        filter: app.archive.filter.clone(),
    });
    app.entries.keep = app.entries.selected_entry().map(|e| e.id);
    let loaded = app.entries.rows.len().max(PAGE);
    load_first_page(app, loaded, fx);
    papers::reload(app, fx);
}

/// Opens the selected entry: load it, and mark it read now (saved at once).
pub(super) fn open_selected(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(e) = app.entries.selected_entry() else {
        return;
    };
    let (id, read) = (e.id, e.read);
    fx.push(Effect::LoadEntry(id));
    if !read {
        set_read_local(app, id, true);
        fx.push(Effect::SetRead {
            ids: vec![id],
            read: true,
        });
    }
}

/// Updates the read flag and the unread counts on screen, without a query.
fn set_read_local(app: &mut App, id: EntryId, read: bool) {
    let mut found = None;
    for r in app.entries.rows.iter_mut().filter(|r| r.id == id) {
        if r.read != read {
            r.read = read;
            found = Some((r.feed_id, r.month.clone()));
        }
    }
    if let Some(reader) = &mut app.reader {
        if reader.entry.id == id && reader.entry.read != read {
            reader.entry.read = read;
            found = found.or(Some((reader.entry.feed_id, reader.entry.month.clone())));
        }
    }
    let Some((feed_id, month)) = found else {
        return;
    };
    let delta = if read { -1 } else { 1 };
    if let Some(f) = app.feeds.feeds.iter_mut().find(|f| f.id == feed_id) {
        f.unread = (f.unread + delta).max(0);
    }
    if app.archive.filter.counts_feed(feed_id) {
        if let Some(m) = app.archive.months.iter_mut().find(|m| m.month == month) {
            m.unread = (m.unread + delta).max(0);
        }
    }
}

fn toggle_read(app: &mut App, fx: &mut Vec<Effect>) {
    let target = match (&app.reader, app.focus) {
        (Some(r), Pane::Reader) => Some((r.entry.id, r.entry.read)),
        _ => app.entries.selected_entry().map(|e| (e.id, e.read)),
    };
    if let Some((id, read)) = target {
        set_read_local(app, id, !read);
        fx.push(Effect::SetRead {
            ids: vec![id],
            read: !read,
        });
    }
}

/// Stars or unstars the open entry (in the Reader) or the selected one; the read state stays.
fn toggle_star(app: &mut App, fx: &mut Vec<Effect>) {
    let target = match (&app.reader, app.focus) {
        (Some(r), Pane::Reader) => Some((r.entry.id, r.entry.starred)),
        _ => app.entries.selected_entry().map(|e| (e.id, e.starred)),
    };
    let Some((id, starred)) = target else {
        return;
    };
    for r in app.entries.rows.iter_mut().filter(|r| r.id == id) {
        r.starred = !starred;
    }
    if let Some(reader) = app.reader.as_mut().filter(|r| r.entry.id == id) {
        reader.entry.starred = !starred;
    }
    app.feeds.starred += if starred { -1 } else { 1 };
    app.info(if starred { "unstarred" } else { "starred ★" });
    fx.push(Effect::SetStarred {
        ids: vec![id],
        starred: !starred,
    });
}

fn mark_listing_read(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(q) = app.entries.source.query(app.entries.papers_only) else {
        return;
    };
    for r in &mut app.entries.rows {
        r.read = true;
    }
    fx.push(Effect::MarkRead(q));
}

fn step_entry(app: &mut App, delta: isize, fx: &mut Vec<Effect>) {
    let len = app.entries.rows.len();
    let new = clamp_move(app.entries.selected, delta, len);
    if new == app.entries.selected || len == 0 {
        app.info(if delta > 0 {
            "last entry of the listing"
        } else {
            "first entry of the listing"
        });
        return;
    }
    app.entries.selected = new;
    page_in(app, fx);
    open_selected(app, fx);
}

pub(super) fn start_search(app: &mut App, query: String, fx: &mut Vec<Effect>) {
    if app.entries.before_search.is_none() {
        app.entries.before_search = Some(app.entries.source.clone());
    }
    app.reader = None;
    // Search results are entries: the Papers view gives way to them.
    if app.papers.open {
        papers::close(app, fx);
    }
    app.focus = Pane::Entries;
    let source = EntrySource::Search {
        filter: app.feeds.filter(),
        query,
    };
    switch_source(app, source, fx);
}

fn step_match(app: &mut App, forward: bool) {
    let Some(r) = &mut app.reader else {
        return;
    };
    if r.search.is_none() {
        app.info("no search to step through: / searches");
        return;
    }
    // The match shown is the one at the top of the pane, two lines below it for context.
    let at = r.scroll + 2;
    let next = if forward {
        r.matches.iter().find(|&&l| l > at).copied()
    } else {
        r.matches.iter().rev().find(|&&l| l < at).copied()
    };
    match next {
        Some(l) => r.scroll = l.saturating_sub(2),
        None => app.info(if forward {
            "no more matches below"
        } else {
            "no more matches above"
        }),
    }
}

pub(super) fn open_link(app: &mut App, n: u8, fx: &mut Vec<Effect>) {
    let Some(r) = &app.reader else {
        return;
    };
    match r.links.get(usize::from(n).saturating_sub(1)) {
        Some(url) => fx.push(Effect::OpenUrl(url.clone())),
        None => {
            app.info(format!(
                "this post has no link [{n}] ({})",
                count(r.links.len(), "link", "links")
            ));
        }
    }
}

/// Opens the open entry's link (in the Reader) or the selected entry's.
fn open_in_browser(app: &mut App, fx: &mut Vec<Effect>) {
    let link = match (&app.reader, app.focus) {
        (Some(r), Pane::Reader) => r.entry.link.clone(),
        _ => app.entries.selected_entry().and_then(|e| e.link.clone()),
    };
    match link {
        Some(url) => fx.push(Effect::OpenUrl(url)),
        None => app.error("this entry has no link to open"),
    }
}

/// `p`: only the entries that cite papers, or all of them again.
fn toggle_papers_only(app: &mut App, fx: &mut Vec<Effect>) {
    app.entries.papers_only = !app.entries.papers_only;
    app.info(if app.entries.papers_only {
        "showing only entries that cite papers (p: show all)"
    } else {
        "showing all entries"
    });
    let source = app.entries.source.clone();
    switch_source(app, source, fx);
}
