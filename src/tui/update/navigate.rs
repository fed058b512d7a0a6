//! Moving around: the cursor in each pane, focus, the Archive's months and years, folding the
//! Archive's years and the Feeds pane's folders, the mouse and the terminal's size.

use crate::tui::action::{Action, MouseAction};
use crate::tui::layout::{self, areas};
use crate::tui::state::{year_of, App, ArchiveRow, EntrySource, FeedRow, Filter, Pane, Scope};

use super::entries::{open_selected, page_in, switch_source};
use super::papers;
use super::workers::months_loaded;
use super::Effect;

/// The movement, focus, Archive and terminal actions (`main` sends only those).
pub(super) fn handle(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
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
        Action::FocusLeft
            if matches!(app.focus, Pane::Entries | Pane::Papers | Pane::Reader)
                && has_left(app) =>
        {
            app.focus = Pane::Archive;
        }
        Action::FocusRight if matches!(app.focus, Pane::Feeds | Pane::Archive) => {
            app.focus = right_pane(app);
        }
        Action::Open => open(app, fx),
        Action::PrevMonth => step_month(app, false, fx),
        Action::NextMonth => step_month(app, true, fx),
        Action::PrevYear => step_year(app, false, fx),
        Action::NextYear => step_year(app, true, fx),
        Action::ToggleYear => toggle_year(app),
        Action::ToggleFolder => toggle_folder(app, fx),
        Action::Mouse(m) => mouse(app, m, fx),
        Action::Resize(w, h) => resize(app, w, h),
        _ => {}
    }
}

/// Esc: closes the innermost open thing. False when there was nothing to close (top level).
pub(super) fn back(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    if app.overlay.take().is_some() {
        return true;
    }
    if app.reader.is_some() {
        app.reader = None;
        app.focus = app.list_pane();
        return true;
    }
    if app.focus != app.list_pane() && !app.welcome() {
        app.focus = app.list_pane();
        return true;
    }
    if papers::back(app, fx) {
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
        app.list_pane()
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

pub(super) fn clamp_move(sel: usize, delta: isize, len: usize) -> usize {
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
                        filter: app.archive.filter.clone(),
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
        Pane::Papers => {
            app.papers.selected = clamp_move(app.papers.selected, delta, app.papers.rows.len());
            papers::want_lines(app, fx);
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

/// The Feeds selection moved: show that row's archive (the months arrive as `MonthsLoaded`).
pub(super) fn scope_changed(app: &mut App, fx: &mut Vec<Effect>) {
    let filter = app.feeds.filter();
    papers::scope_changed(app, fx);
    if filter == app.archive.filter {
        // All feeds and Unread share one archive: re-counting the whole cache between them
        // held up the next key (a cache change re-reads it through `reload`).
        let months = std::mem::take(&mut app.archive.months);
        months_loaded(app, filter, months, fx);
        return;
    }
    app.archive.filter = filter.clone();
    fx.push(Effect::LoadMonths { filter });
    if app.feeds.scope() == Scope::Unread {
        switch_source(
            app,
            EntrySource::Unread {
                filter: Filter::default(),
            },
            fx,
        );
    }
}

pub(super) fn select_month_row(app: &mut App, month: &str) {
    if let Some(i) = app.archive.month_index(month) {
        if let Some(row) = app.archive.row_of_month(i) {
            app.archive.selected = row;
        }
    }
}

fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.focus {
        Pane::Feeds => app.focus = app.list_pane(),
        Pane::Archive => match app.archive.rows().get(app.archive.selected) {
            Some(ArchiveRow::Year { .. }) => toggle_year(app),
            Some(ArchiveRow::Month(_)) => app.focus = app.list_pane(),
            None => {}
        },
        Pane::Entries => open_selected(app, fx),
        // The Papers view's Enter is its own (`papers::handle`).
        Pane::Papers | Pane::Reader => {}
    }
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
        app.focus = app.list_pane();
    }
    app.entries.before_search = None;
    let source = EntrySource::Month {
        filter: app.archive.filter.clone(),
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

/// `}` newer / `{` older year: its newest month with entries (years without any are skipped).
fn step_year(app: &mut App, newer: bool, fx: &mut Vec<Effect>) {
    let months = &app.archive.months;
    let cur_year = current_month_index(app)
        .and_then(|i| months.get(i))
        .map(|m| year_of(&m.month).to_string());
    let usable: Vec<usize> = (0..months.len())
        .filter(|&j| month_usable(app, j))
        .collect();
    let year = |j: &usize| year_of(&months[*j].month);
    // Months are newest first: the nearest newer year is found from the oldest end.
    let target_year = match &cur_year {
        Some(y) if newer => usable.iter().rev().map(year).find(|my| *my > y.as_str()),
        Some(y) => usable.iter().map(year).find(|my| *my < y.as_str()),
        None => usable.first().map(year),
    }
    .map(str::to_string);
    let target = target_year.and_then(|y| usable.iter().copied().find(|j| year(j) == y));
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

/// Opens or closes the folder under the cursor (or the one holding the selected feed), keeping
/// the cursor on the folder's row.
fn toggle_folder(app: &mut App, fx: &mut Vec<Effect>) {
    let name = match app.feeds.rows().into_iter().nth(app.feeds.selected) {
        Some(FeedRow::Folder { name, .. }) => name,
        Some(FeedRow::Feed {
            index,
            nested: true,
        }) => match app.feeds.feeds.get(index).and_then(|f| f.folder.clone()) {
            Some(name) => name,
            None => return,
        },
        _ => return,
    };
    if !app.feeds.folded.remove(&name) {
        app.feeds.folded.insert(name.clone());
    }
    let before = app.feeds.scope();
    app.feeds.selected = app.feeds.row_of(&Scope::Folder(name));
    if app.feeds.scope() != before {
        scope_changed(app, fx);
    }
}

/// `:` accepts `2014-12`, `2014/12`, `2014-1` or a year (its newest month).
pub(super) fn jump_to(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
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
    // A year goes to its newest month with entries; a month may be an empty one.
    let months = &app.archive.months;
    let found = months
        .iter()
        .position(|m| m.month.starts_with(&key) && m.count > 0)
        .or_else(|| months.iter().position(|m| m.month.starts_with(&key)));
    match found {
        Some(i) => go_to_month(app, i, fx),
        None => app.error(format!("no entries in {key}")),
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
    // The right column's list is the Papers view when it shows.
    let pane = if pane == Pane::Entries {
        app.list_pane()
    } else {
        pane
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
                Pane::Papers => (app.papers.selected, app.papers.offset),
                Pane::Reader => return,
            };
            let target = off + line;
            move_by(app, fx, target as isize - sel as isize);
        }
    }
}

/// The terminal's new size: the Reader re-wraps, and focus leaves a pane that no longer shows.
fn resize(app: &mut App, w: u16, h: u16) {
    app.size = (w, h);
    let width = layout::reader_text_width(w, h);
    if let Some(r) = &mut app.reader {
        r.render(width);
    }
    if !has_left(app) && matches!(app.focus, Pane::Feeds | Pane::Archive) {
        app.focus = right_pane(app);
    }
}
