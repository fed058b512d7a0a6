//! `update`: the one place the state changes. Pure: it never touches the cache, the network or
//! the terminal; what it wants done comes back as [`Effect`]s.

use crate::model::{EntryId, FeedId};
use crate::store::ListQuery;

use super::action::{Action, MouseAction};
use super::layout::{self, areas, follow};
use super::state::{
    year_of, App, ArchiveRow, EntrySource, Overlay, Pane, PromptKind, ReaderState, Scope, PAGE,
};

/// Work for the executor. Results come back as actions.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadFeeds,
    LoadMonths {
        feed: Option<FeedId>,
    },
    /// Load a page of a listing; `count` also counts the whole listing.
    LoadEntries {
        source: EntrySource,
        query: ListQuery,
        count: bool,
    },
    LoadEntry(EntryId),
    SetRead {
        ids: Vec<EntryId>,
        read: bool,
    },
    MarkRead(ListQuery),
    /// Refresh these feeds in the background (empty: all).
    Refresh(Vec<FeedId>),
    AddFeed(String),
    ImportOpmlFile(String),
    ImportResearchList,
    LoadDemo,
    Backfill(Option<FeedId>),
    OpenUrl(String),
    Quit,
}

/// Applies `action` to `app` and returns the effects to run.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    if is_user(&action) {
        // A message stays until the user does something next.
        app.status.message = None;
    }
    let mut fx = Vec::new();
    match &app.overlay {
        Some(Overlay::Prompt { .. }) => prompt(app, action, &mut fx),
        Some(Overlay::Help { .. }) if is_user(&action) => help(app, action, &mut fx),
        Some(Overlay::LinkList { .. }) if is_user(&action) => link_list(app, action, &mut fx),
        _ => main(app, action, &mut fx),
    }
    fix_offsets(app);
    fx
}

/// User commands, as opposed to results coming back.
fn is_user(a: &Action) -> bool {
    !matches!(
        a,
        Action::FeedsLoaded(_)
            | Action::MonthsLoaded { .. }
            | Action::EntriesLoaded { .. }
            | Action::EntryLoaded(_)
            | Action::CacheChanged
            | Action::RefreshStarted { .. }
            | Action::RefreshProgress { .. }
            | Action::RefreshDone { .. }
            | Action::FeedAdded { .. }
            | Action::Info(_)
            | Action::Error(_)
            | Action::Resize(..)
            | Action::AutoRefresh
    )
}

fn prompt(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Prompt { kind, input }) = &mut app.overlay else {
        return;
    };
    let kind = *kind;
    match action {
        // A prompt is one line of printable text.
        Action::Input(c)
            if !c.is_control()
                && !crate::scrub::is_forbidden(c)
                && input.chars().count() < 2000 =>
        {
            input.push(c);
        }
        Action::Input(_) => {}
        Action::Backspace => {
            input.pop();
        }
        Action::Cancel => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        Action::Submit => {
            let text = input.trim().to_string();
            app.overlay = None;
            if text.is_empty() {
                return;
            }
            match kind {
                PromptKind::Search => start_search(app, text, fx),
                PromptKind::JumpMonth => jump_to(app, &text, fx),
                PromptKind::AddFeed => {
                    if app.demo {
                        app.info("demo archive: adding feeds is off (no network)");
                    } else {
                        app.status.adding = true;
                        app.info(format!("adding {text} …"));
                        fx.push(Effect::AddFeed(text));
                    }
                }
                PromptKind::ImportOpml => fx.push(Effect::ImportOpmlFile(text)),
            }
        }
        // Results keep flowing while the prompt is open.
        other if !is_user(&other) => main(app, other, fx),
        _ => {}
    }
}

fn help(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Help { scroll }) = &mut app.overlay else {
        return;
    };
    match action {
        Action::MoveDown => *scroll += 1,
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => *scroll += 10,
        Action::PageUp | Action::HalfPageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        Action::Back | Action::Quit | Action::Help => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => {}
    }
}

fn link_list(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let items = app
        .reader
        .as_ref()
        .map(|r| r.link_items())
        .unwrap_or_default();
    let Some(Overlay::LinkList { selected }) = &mut app.overlay else {
        return;
    };
    let last = items.len().saturating_sub(1);
    match action {
        Action::MoveDown => *selected = (*selected + 1).min(last),
        Action::MoveUp => *selected = selected.saturating_sub(1),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = last,
        Action::Open => {
            if let Some((_, url)) = items.get(*selected) {
                fx.push(Effect::OpenUrl(url.clone()));
            }
            app.overlay = None;
        }
        Action::OpenLink(n) => {
            app.overlay = None;
            open_link(app, n, fx);
        }
        Action::Back | Action::Quit | Action::LinkList => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => {}
    }
}

fn main(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::ForceQuit => fx.push(Effect::Quit),
        Action::Quit => {
            if !back(app, fx) {
                fx.push(Effect::Quit);
            }
        }
        Action::Back => {
            back(app, fx);
        }
        Action::MoveDown => move_by(app, fx, 1),
        Action::MoveUp => move_by(app, fx, -1),
        Action::PageDown => move_by(app, fx, page(app) as isize),
        Action::PageUp => move_by(app, fx, -(page(app) as isize)),
        Action::HalfPageDown => move_by(app, fx, (page(app) / 2).max(1) as isize),
        Action::HalfPageUp => move_by(app, fx, -((page(app) / 2).max(1) as isize)),
        Action::Top => move_by(app, fx, isize::MIN / 2),
        Action::Bottom => move_by(app, fx, isize::MAX / 2),
        Action::FocusNext => cycle_focus(app, true),
        Action::FocusPrev => cycle_focus(app, false),
        Action::FocusLeft => {
            if matches!(app.focus, Pane::Entries | Pane::Reader) && has_left(app) {
                app.focus = Pane::Archive;
            }
        }
        Action::FocusRight => {
            if matches!(app.focus, Pane::Feeds | Pane::Archive) {
                app.focus = right_pane(app);
            }
        }
        Action::Open => open(app, fx),
        Action::PrevMonth => step_month(app, false, fx),
        Action::NextMonth => step_month(app, true, fx),
        Action::PrevYear => step_year(app, false, fx),
        Action::NextYear => step_year(app, true, fx),
        Action::ToggleYear => toggle_year(app),
        Action::JumpToMonth => open_prompt(app, PromptKind::JumpMonth),
        Action::StartSearch => open_prompt(app, PromptKind::Search),
        Action::AddFeed => open_prompt(app, PromptKind::AddFeed),
        Action::ImportOpml => open_prompt(app, PromptKind::ImportOpml),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::NextEntry => step_entry(app, 1, fx),
        Action::PrevEntry => step_entry(app, -1, fx),
        Action::ToggleRead => toggle_read(app, fx),
        Action::MarkMonthRead => mark_listing_read(app, fx),
        Action::NextMatch => step_match(app, true),
        Action::PrevMatch => step_match(app, false),
        Action::OpenInBrowser => {
            let link = match (&app.reader, app.focus) {
                (Some(r), Pane::Reader) => r.entry.link.clone(),
                _ => app.entries.selected_entry().and_then(|e| e.link.clone()),
            };
            match link {
                Some(url) => fx.push(Effect::OpenUrl(url)),
                None => app.error("this entry has no link to open"),
            }
        }
        Action::OpenLink(n) => open_link(app, n, fx),
        Action::LinkList => match &app.reader {
            Some(r) if !r.link_items().is_empty() => {
                app.overlay = Some(Overlay::LinkList { selected: 0 })
            }
            Some(_) => app.info("this post has no links or DOIs"),
            None => {}
        },
        Action::TogglePapersOnly => {
            app.entries.papers_only = !app.entries.papers_only;
            app.info(if app.entries.papers_only {
                "showing only entries that cite papers (p: show all)"
            } else {
                "showing all entries"
            });
            let source = app.entries.source.clone();
            switch_source(app, source, fx);
        }
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
        Action::Backfill => fx.push(Effect::Backfill(app.feeds.feed_id())),
        Action::SubscribeResearchList => fx.push(Effect::ImportResearchList),
        Action::LoadDemo => fx.push(Effect::LoadDemo),
        Action::Input(_) | Action::Backspace | Action::Submit | Action::Cancel => {}
        Action::Mouse(m) => mouse(app, m, fx),
        Action::Resize(w, h) => {
            app.size = (w, h);
            let width = layout::reader_text_width(w, h);
            if let Some(r) = &mut app.reader {
                r.render(width);
            }
            if !has_left(app) && matches!(app.focus, Pane::Feeds | Pane::Archive) {
                app.focus = right_pane(app);
            }
        }
        // ---- results ----
        Action::FeedsLoaded(feeds) => {
            let keep = app.feeds.scope();
            app.feeds.feeds = feeds;
            app.feeds.loaded = true;
            // Keep the selected feed by id: a new feed may have been added above it.
            app.feeds.selected = match keep {
                Scope::All => 0,
                Scope::Unread => 1,
                Scope::Feed(id) => app
                    .feeds
                    .feeds
                    .iter()
                    .position(|f| f.id == id)
                    .map_or(0, |i| i + 2),
            };
        }
        Action::MonthsLoaded { feed, months } => months_loaded(app, feed, months, fx),
        Action::EntriesLoaded {
            source,
            offset,
            rows,
            total,
        } => entries_loaded(app, source, offset, rows, total, fx),
        Action::EntryLoaded(entry) => {
            let width = layout::reader_text_width(app.size.0, app.size.1);
            let search = app.entries.source.search().map(str::to_string);
            match &mut app.reader {
                // The same entry again (a reload): keep the reading position.
                Some(r) if r.entry.id == entry.id => {
                    r.entry = *entry;
                    r.lines.clear();
                    r.render(width);
                }
                _ => app.reader = Some(ReaderState::new(*entry, width, search)),
            }
            app.focus = Pane::Reader;
        }
        Action::CacheChanged => reload(app, fx),
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
        Action::RefreshDone { new, failed } => {
            app.status.refresh = None;
            let news = match new {
                0 => "no new entries".to_string(),
                1 => "1 new entry".to_string(),
                n => format!("{n} new entries"),
            };
            if failed > 0 {
                let feeds = if failed == 1 { "feed" } else { "feeds" };
                app.error(format!(
                    "refreshed: {news}; {failed} {feeds} failed (marked ! in Feeds; select one to see why)"
                ));
            } else {
                app.info(format!("refreshed: {news}"));
            }
            reload(app, fx);
        }
        Action::FeedAdded {
            title,
            entries,
            added,
            feed: _,
        } => {
            app.status.adding = false;
            if added {
                app.info(format!("added {title} ({entries} entries)"));
            } else {
                app.info(format!("already subscribed to {title}"));
            }
            reload(app, fx);
        }
        Action::Info(text) => {
            app.status.adding = false;
            app.info(text);
        }
        Action::Error(text) => {
            app.status.adding = false;
            app.error(text);
        }
    }
}

/// Esc: closes the innermost open thing. False when there was nothing to close (top level).
fn back(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    if app.overlay.take().is_some() {
        return true;
    }
    if app.reader.is_some() {
        app.reader = None;
        app.focus = Pane::Entries;
        return true;
    }
    if app.focus != Pane::Entries && !app.welcome() {
        app.focus = Pane::Entries;
        return true;
    }
    if let Some(prev) = app.entries.before_search.take() {
        switch_source(app, prev, fx);
        return true;
    }
    false
}

fn has_left(app: &App) -> bool {
    areas(app.size.0, app.size.1, app.reader.is_some())
        .feeds
        .is_some()
}

fn right_pane(app: &App) -> Pane {
    if app.reader.is_some() {
        Pane::Reader
    } else {
        Pane::Entries
    }
}

fn cycle_focus(app: &mut App, forward: bool) {
    let mut panes = Vec::new();
    if has_left(app) {
        panes.extend([Pane::Feeds, Pane::Archive]);
    }
    panes.push(right_pane(app));
    let i = panes.iter().position(|p| *p == app.focus).unwrap_or(0);
    let n = panes.len();
    let next = if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    };
    app.focus = panes[next];
}

/// Rows of the focused pane that fit on screen.
fn page(app: &App) -> usize {
    areas(app.size.0, app.size.1, app.reader.is_some()).inner_height(app.focus)
}

fn clamp_move(sel: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let target = sel as isize + delta;
    target.clamp(0, len as isize - 1) as usize
}

fn move_by(app: &mut App, fx: &mut Vec<Effect>, delta: isize) {
    match app.focus {
        Pane::Feeds => {
            let new = clamp_move(app.feeds.selected, delta, app.feeds.row_count());
            if new != app.feeds.selected {
                app.feeds.selected = new;
                scope_changed(app, fx);
            }
        }
        Pane::Archive => {
            let rows = app.archive.rows();
            let new = clamp_move(app.archive.selected, delta, rows.len());
            if new != app.archive.selected {
                app.archive.selected = new;
                if let Some(ArchiveRow::Month(i)) = rows.get(new) {
                    let month = app.archive.months[*i].month.clone();
                    let source = EntrySource::Month {
                        feed: app.archive.feed,
                        month,
                    };
                    switch_source(app, source, fx);
                }
            }
        }
        Pane::Entries => {
            app.entries.selected = clamp_move(app.entries.selected, delta, app.entries.rows.len());
            page_in(app, fx);
        }
        Pane::Reader => {
            let height = page(app);
            if let Some(r) = &mut app.reader {
                let max = r.lines.len().saturating_sub(height);
                r.scroll = clamp_move(r.scroll, delta, max + 1);
            }
        }
    }
}

/// The Feeds selection moved: show that feed's archive (the months arrive as `MonthsLoaded`).
fn scope_changed(app: &mut App, fx: &mut Vec<Effect>) {
    let feed = app.feeds.feed_id();
    app.archive.feed = feed;
    fx.push(Effect::LoadMonths { feed });
    if app.feeds.scope() == Scope::Unread {
        switch_source(app, EntrySource::Unread { feed: None }, fx);
    }
}

/// Shows `source` in the Entries pane from its first row.
fn switch_source(app: &mut App, source: EntrySource, fx: &mut Vec<Effect>) {
    app.entries.source = source.clone();
    app.entries.rows.clear();
    app.entries.total = 0;
    app.entries.selected = 0;
    app.entries.offset = 0;
    app.entries.keep = None;
    load_first_page(app, PAGE, fx);
    if let Some(month) = source.month() {
        select_month_row(app, month);
    }
}

fn load_first_page(app: &mut App, limit: usize, fx: &mut Vec<Effect>) {
    let source = app.entries.source.clone();
    if let Some(mut query) = source.query(app.entries.papers_only) {
        query.limit = Some(limit);
        app.entries.loading = true;
        fx.push(Effect::LoadEntries {
            source,
            query,
            count: true,
        });
    }
}

/// Loads the next page when the selection nears the end of what is loaded.
fn page_in(app: &mut App, fx: &mut Vec<Effect>) {
    let e = &app.entries;
    if e.loading || e.rows.len() >= e.total || e.selected + PAGE / 4 < e.rows.len() {
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
fn reload(app: &mut App, fx: &mut Vec<Effect>) {
    fx.push(Effect::LoadFeeds);
    fx.push(Effect::LoadMonths {
        feed: app.archive.feed,
    });
    app.entries.keep = app.entries.selected_entry().map(|e| e.id);
    let loaded = app.entries.rows.len().max(PAGE);
    load_first_page(app, loaded, fx);
}

fn months_loaded(
    app: &mut App,
    feed: Option<FeedId>,
    months: Vec<crate::model::MonthCount>,
    fx: &mut Vec<Effect>,
) {
    if feed != app.archive.feed {
        return; // an answer for a feed no longer selected
    }
    app.archive.months = months;
    let desired = match (&app.entries.source, app.feeds.scope()) {
        (EntrySource::Search { .. }, _) => None,
        (_, Scope::Unread) => Some(EntrySource::Unread { feed: None }),
        (current, _) => {
            let month = current
                .month()
                .filter(|m| app.archive.month_index(m).is_some())
                .map(str::to_string)
                .or_else(|| app.archive.months.first().map(|m| m.month.clone()));
            Some(match month {
                Some(month) => EntrySource::Month { feed, month },
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
}

fn select_month_row(app: &mut App, month: &str) {
    if let Some(i) = app.archive.month_index(month) {
        if let Some(row) = app.archive.row_of_month(i) {
            app.archive.selected = row;
        }
    }
}

fn entries_loaded(
    app: &mut App,
    source: EntrySource,
    offset: usize,
    rows: Vec<crate::model::EntrySummary>,
    total: Option<usize>,
    fx: &mut Vec<Effect>,
) {
    let e = &mut app.entries;
    if source != e.source {
        return; // a stale answer: the user has moved on
    }
    e.loading = false;
    if offset == 0 {
        e.rows = rows;
        e.total = total.unwrap_or(e.rows.len()).max(e.rows.len());
        if let Some(id) = e.keep.take() {
            e.selected = e.rows.iter().position(|r| r.id == id).unwrap_or(e.selected);
        }
        e.selected = e.selected.min(e.rows.len().saturating_sub(1));
    } else if offset == e.rows.len() {
        e.rows.extend(rows);
        e.total = e.total.max(e.rows.len());
    }
    page_in(app, fx);
}

fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Feeds => app.focus = Pane::Entries,
        Pane::Archive => match app.archive.rows().get(app.archive.selected) {
            Some(ArchiveRow::Year { .. }) => toggle_year(app),
            Some(ArchiveRow::Month(_)) => app.focus = Pane::Entries,
            None => {}
        },
        Pane::Entries => open_selected(app, fx),
        Pane::Reader => {}
    }
}

/// Opens the selected entry: load it, and mark it read now (saved at once).
fn open_selected(app: &mut App, fx: &mut Vec<Effect>) {
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
    if app.archive.feed.is_none_or(|f| f == feed_id) {
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

/// The index (into the months list) the month keys start from.
fn current_month_index(app: &App) -> Option<usize> {
    if let Some(i) = app
        .entries
        .source
        .month()
        .and_then(|m| app.archive.month_index(m))
    {
        return Some(i);
    }
    match app.archive.rows().get(app.archive.selected) {
        Some(ArchiveRow::Month(i)) => Some(*i),
        _ => None,
    }
}

/// Whether the months key should stop on this month (with the papers filter: it cites papers).
fn month_usable(app: &App, i: usize) -> bool {
    app.archive
        .months
        .get(i)
        .is_some_and(|m| m.count > 0 && (!app.entries.papers_only || m.papers > 0))
}

fn go_to_month(app: &mut App, i: usize, fx: &mut Vec<Effect>) {
    let Some(m) = app.archive.months.get(i) else {
        return;
    };
    let month = m.month.clone();
    app.archive.folded.remove(year_of(&month));
    if app.reader.take().is_some() {
        app.focus = Pane::Entries;
    }
    app.entries.before_search = None;
    let source = EntrySource::Month {
        feed: app.archive.feed,
        month,
    };
    switch_source(app, source, fx);
}

/// `]` newer / `[` older month that has entries (months are listed newest first).
fn step_month(app: &mut App, newer: bool, fx: &mut Vec<Effect>) {
    let n = app.archive.months.len();
    let target = match current_month_index(app) {
        Some(i) if newer => (0..i).rev().find(|&j| month_usable(app, j)),
        Some(i) => (i + 1..n).find(|&j| month_usable(app, j)),
        None => (0..n).find(|&j| month_usable(app, j)),
    };
    match target {
        Some(j) => go_to_month(app, j, fx),
        None => app.info(if newer {
            "no newer month with entries"
        } else {
            "no older month with entries"
        }),
    }
}

/// `}` newer / `{` older year: its newest month with entries.
fn step_year(app: &mut App, newer: bool, fx: &mut Vec<Effect>) {
    let months = &app.archive.months;
    let cur_year = current_month_index(app)
        .and_then(|i| months.get(i))
        .map(|m| year_of(&m.month).to_string());
    let target_year = match &cur_year {
        Some(y) if newer => months
            .iter()
            .rev()
            .map(|m| year_of(&m.month))
            .find(|my| *my > y.as_str()),
        Some(y) => months
            .iter()
            .map(|m| year_of(&m.month))
            .find(|my| *my < y.as_str()),
        None => months.first().map(|m| year_of(&m.month)),
    }
    .map(str::to_string);
    let target = target_year.and_then(|y| {
        (0..months.len()).find(|&j| year_of(&months[j].month) == y && month_usable(app, j))
    });
    match target {
        Some(j) => go_to_month(app, j, fx),
        None => app.info(if newer {
            "no newer year"
        } else {
            "no older year"
        }),
    }
}

fn toggle_year(app: &mut App) {
    let rows = app.archive.rows();
    let year = match rows.get(app.archive.selected) {
        Some(ArchiveRow::Year { year, .. }) => year.clone(),
        Some(ArchiveRow::Month(i)) => year_of(&app.archive.months[*i].month).to_string(),
        None => return,
    };
    if !app.archive.folded.remove(&year) {
        app.archive.folded.insert(year.clone());
    }
    // Keep the cursor on the year row that was folded or unfolded.
    if let Some(row) = app
        .archive
        .rows()
        .iter()
        .position(|r| matches!(r, ArchiveRow::Year { year: y, .. } if *y == year))
    {
        app.archive.selected = row;
    }
}

/// `:` accepts `2014-12`, `2014/12`, `2014-1` or a year (its newest month).
fn jump_to(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let t = text.trim().replace('/', "-");
    let parsed = match t.split_once('-') {
        Some((y, m)) => match (y.parse::<u32>(), m.parse::<u32>()) {
            (Ok(y), Ok(m)) if (1..=12).contains(&m) && (1000..=9999).contains(&y) => {
                Some(format!("{y:04}-{m:02}"))
            }
            _ => None,
        },
        None => match t.parse::<u32>() {
            Ok(y) if (1000..=9999).contains(&y) => Some(format!("{y:04}")),
            _ => None,
        },
    };
    let Some(key) = parsed else {
        app.error(format!(
            "`{text}` is not a month: type it as YYYY-MM (e.g. 2014-12)"
        ));
        return;
    };
    let found = app
        .archive
        .months
        .iter()
        .position(|m| m.month.starts_with(&key));
    match found {
        Some(i) => go_to_month(app, i, fx),
        None => app.error(format!("no entries in {key}")),
    }
}

fn start_search(app: &mut App, query: String, fx: &mut Vec<Effect>) {
    if app.entries.before_search.is_none() {
        app.entries.before_search = Some(app.entries.source.clone());
    }
    app.reader = None;
    app.focus = Pane::Entries;
    let source = EntrySource::Search {
        feed: app.feeds.feed_id(),
        query,
    };
    switch_source(app, source, fx);
}

fn open_prompt(app: &mut App, kind: PromptKind) {
    app.overlay = Some(Overlay::Prompt {
        kind,
        input: String::new(),
    });
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

fn open_link(app: &mut App, n: u8, fx: &mut Vec<Effect>) {
    let Some(r) = &app.reader else {
        return;
    };
    match r.links.get(usize::from(n).saturating_sub(1)) {
        Some(url) => fx.push(Effect::OpenUrl(url.clone())),
        None => {
            let count = r.links.len();
            app.info(format!("this post has no link [{n}] ({count} links)"));
        }
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

fn mouse(app: &mut App, m: MouseAction, fx: &mut Vec<Effect>) {
    let a = areas(app.size.0, app.size.1, app.reader.is_some());
    let (column, row) = match m {
        MouseAction::ScrollUp { column, row }
        | MouseAction::ScrollDown { column, row }
        | MouseAction::Click { column, row } => (column, row),
    };
    let Some(pane) = a.pane_at(column, row) else {
        return;
    };
    let before = app.focus;
    app.focus = pane;
    match m {
        MouseAction::ScrollUp { .. } => {
            move_by(app, fx, -3);
            app.focus = before;
        }
        MouseAction::ScrollDown { .. } => {
            move_by(app, fx, 3);
            app.focus = before;
        }
        MouseAction::Click { row, .. } => {
            let Some(rect) = a.pane(pane) else { return };
            if row <= rect.y || row + 1 >= rect.y + rect.height {
                return; // the border
            }
            let line = usize::from(row - rect.y - 1);
            let (sel, off) = match pane {
                Pane::Feeds => (app.feeds.selected, app.feeds.offset),
                Pane::Archive => (app.archive.selected, app.archive.offset),
                Pane::Entries => (app.entries.selected, app.entries.offset),
                Pane::Reader => return,
            };
            let target = off + line;
            move_by(app, fx, target as isize - sel as isize);
        }
    }
}

/// Keeps every list's selection on screen.
fn fix_offsets(app: &mut App) {
    let a = areas(app.size.0, app.size.1, app.reader.is_some());
    app.feeds.offset = follow(
        app.feeds.selected,
        app.feeds.offset,
        a.inner_height(Pane::Feeds),
    );
    app.archive.offset = follow(
        app.archive.selected,
        app.archive.offset,
        a.inner_height(Pane::Archive),
    );
    app.entries.offset = follow(
        app.entries.selected,
        app.entries.offset,
        a.inner_height(Pane::Entries),
    );
}
