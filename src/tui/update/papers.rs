//! The Papers view: opening and closing it (`P`, the Feeds pane's Papers row), following the
//! scope and month the other panes select, its rows and their citation lines as they arrive,
//! listing a paper's posts (Enter), opening the paper (`o`), and the link list's copy and
//! BibTeX keys on a paper.

use crate::library::papers::{display_id, paper_home};
use crate::model::PaperRow;
use crate::tui::action::{Action, PaperLine};
use crate::tui::layout::{areas, follow, papers_list_height};
use crate::tui::state::{App, EntrySource, Pane, PaperPosts, PapersScope, Scope};

use super::entries::switch_source;
use super::prompts::fetch_bibtex;
use super::{Effect, OSC52_NOTE};

/// Whether the Papers view handles `action` itself when it has the keyboard.
pub(super) fn handles(action: &Action) -> bool {
    matches!(
        action,
        Action::Open
            | Action::OpenInBrowser
            | Action::CopyDoi
            | Action::CopyBibtex
            | Action::AppendBibtex
            | Action::SavePaper
            | Action::PapersView
            | Action::OpenOa
    )
}

pub(super) fn handle(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::PapersView if app.papers.open => close(app, fx),
        Action::PapersView => open(app, false, fx),
        Action::Open => list_posts(app, fx),
        Action::OpenInBrowser => open_paper(app, fx),
        Action::OpenOa => {
            if let Some(p) = app.papers.selected_paper() {
                let (key, ids) = (p.key.clone(), p.ids.clone());
                super::access::open(app, key, ids, fx);
            }
        }
        Action::CopyDoi => copy_id(app, fx),
        Action::SavePaper => {
            let key = app.papers.selected_paper().map(|p| p.key.clone());
            super::save::save_paper(app, key, fx);
        }
        Action::CopyBibtex | Action::AppendBibtex => {
            let Some(p) = app.papers.selected_paper() else {
                return;
            };
            match p.ids.iter().find_map(|k| k.strip_prefix("doi:")) {
                Some(doi) => {
                    let doi = doi.to_string();
                    fetch_bibtex(app, doi, &action, fx);
                }
                None => {
                    let msg = no_bibtex(&p.key);
                    app.info(msg);
                }
            }
        }
        _ => {}
    }
}

/// Rows loaded, or citation lines for rows scrolled into view.
pub(super) fn message(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::PapersFirst {
            scope,
            rows,
            lines,
            total,
        } if scope == app.papers.scope && app.papers.loading => {
            app.papers.total = Some(total);
            show_rows(app, rows, lines, fx);
        }
        Action::PapersLoaded { scope, result } if scope == app.papers.scope => {
            app.papers.loading = false;
            app.papers.total = None;
            if std::mem::take(&mut app.papers.again) {
                reload(app, fx);
            }
            match result {
                Ok((rows, lines)) => show_rows(app, rows, lines, fx),
                Err(e) => {
                    app.papers.rows.clear();
                    app.error(format!("cannot list the papers: {e}"));
                }
            }
        }
        Action::PaperLinesLoaded(lines) => {
            // A resolved line replaces "none known"; an offline "none" never hides a line.
            for (key, line) in lines {
                match (line, app.papers.lines.get(&key)) {
                    (None, Some(Some(_))) => {}
                    (line, _) => {
                        app.papers.lines.insert(key, line);
                    }
                }
            }
            resolve_on_screen(app, fx);
        }
        Action::PapersPublished(notes) => app.papers.published.extend(notes),
        _ => {}
    }
}

/// Shows rows loaded (the first ones or all), the cursor kept on its paper.
fn show_rows(app: &mut App, rows: Vec<PaperRow>, lines: Vec<PaperLine>, fx: &mut Vec<Effect>) {
    let p = &mut app.papers;
    let keep = p.selected_paper().map(|r| r.key.clone());
    p.rows = rows;
    super::health::keep_flagged(&app.health, &mut p.rows);
    p.lines.extend(lines);
    p.selected = keep
        .and_then(|k| p.rows.iter().position(|r| r.key == k))
        .unwrap_or(p.selected)
        .min(p.rows.len().saturating_sub(1));
    want_lines(app, fx);
    resolve_on_screen(app, fx);
}

/// Shows the papers of what the Feeds pane and the Archive select; `by_row`: the Feeds pane's
/// Papers row did it.
pub(super) fn open(app: &mut App, by_row: bool, fx: &mut Vec<Effect>) {
    let p = &mut app.papers;
    p.open = true;
    p.by_row = by_row;
    // `P` replaces the reader; the cursor passing over the Papers row leaves it open.
    if !by_row {
        app.reader = None;
    }
    if !by_row || app.focus != Pane::Feeds {
        app.focus = Pane::Papers;
    }
    match wanted_scope(app) {
        Some(scope) => load(app, scope, fx),
        // The listing is about to follow the Feeds pane: `source_changed` loads then.
        None => {
            let p = &mut app.papers;
            p.rows.clear();
            p.selected = 0;
            p.loading = false;
        }
    }
}

/// Back to the entries; a paper's posts give way to the listing they replaced.
pub(super) fn close(app: &mut App, fx: &mut Vec<Effect>) {
    let p = &mut app.papers;
    p.open = false;
    if let Some(posts) = p.posts.take() {
        // A post of the paper open in the Reader goes with its list.
        app.reader = None;
        switch_source(app, posts.back, fx);
    }
    if std::mem::take(&mut app.papers.by_row) && app.feeds.scope() == Scope::Papers {
        // All feeds shares the Papers row's archive and listing: nothing to reload.
        app.feeds.selected = app.feeds.row_of(&Scope::All);
    }
    if matches!(app.focus, Pane::Papers | Pane::Reader) {
        app.focus = Pane::Entries;
    }
}

/// Esc in the Papers view or in a paper's posts: one step back. False when it is not open.
pub(super) fn back(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    if let Some(posts) = app.papers.posts.take() {
        switch_source(app, posts.back, fx);
        app.focus = Pane::Papers;
        return true;
    }
    if app.papers.open {
        close(app, fx);
        return true;
    }
    false
}

/// The Feeds selection moved: the Papers row opens the view, leaving it closes what it opened.
pub(super) fn scope_changed(app: &mut App, fx: &mut Vec<Effect>) {
    let on_row = app.feeds.scope() == Scope::Papers;
    if on_row && !app.papers.open {
        open(app, true, fx);
    } else if !on_row && app.papers.open && app.papers.by_row {
        close(app, fx);
    }
}

/// The Entries listing changed: an open view follows its scope and month.
pub(super) fn source_changed(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.papers.open || matches!(app.entries.source, EntrySource::Paper { .. }) {
        return;
    }
    // Another listing replaced the paper's posts (a month key, a scope): show the papers.
    app.papers.posts = None;
    if app.focus == Pane::Entries {
        app.focus = Pane::Papers;
    }
    if let Some(scope) = wanted_scope(app) {
        if scope != app.papers.scope || (app.papers.rows.is_empty() && !app.papers.loading) {
            load(app, scope, fx);
        }
    }
}

/// The cache changed: an open view re-reads its rows (and their lines), after the load under
/// way if there is one.
pub(super) fn reload(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.papers.open {
        return;
    }
    if app.papers.loading {
        app.papers.again = true;
        return;
    }
    let scope = app.papers.scope.clone();
    load(app, scope, fx);
}

/// The scope and month the view shows: the Entries listing's, once it is the Feeds pane's
/// (`None` while the listing has yet to follow a new selection there).
fn wanted_scope(app: &App) -> Option<PapersScope> {
    let filter = app.feeds.filter();
    match &app.entries.source {
        EntrySource::Month { filter: f, month } if *f == filter => Some(PapersScope {
            filter,
            unread: false,
            month: Some(month.clone()),
        }),
        EntrySource::Unread { filter: f } if *f == filter => Some(PapersScope {
            filter,
            unread: true,
            month: None,
        }),
        EntrySource::Month { .. } | EntrySource::Unread { .. } | EntrySource::Paper { .. } => None,
        EntrySource::Nothing | EntrySource::Search { .. } => Some(PapersScope {
            unread: app.feeds.scope() == Scope::Unread,
            filter,
            month: None,
        }),
    }
}

fn load(app: &mut App, scope: PapersScope, fx: &mut Vec<Effect>) {
    let p = &mut app.papers;
    if scope != p.scope {
        p.rows.clear();
        p.selected = 0;
        p.offset = 0;
    }
    // Lines may have changed with the cache (a citation resolved meanwhile): read them again.
    p.lines.clear();
    p.scope = scope.clone();
    p.loading = true;
    p.total = None;
    p.again = false;
    fx.push(Effect::LoadPapers {
        scope,
        lines: 2 * list_height(app),
    });
}

fn list_height(app: &App) -> usize {
    papers_list_height(areas(app.size.0, app.size.1, false).inner_height(Pane::Papers))
}

/// Asks for the citation lines of the rows about to show (the cursor moved, rows arrived).
pub(super) fn want_lines(app: &mut App, fx: &mut Vec<Effect>) {
    let h = list_height(app);
    let p = &mut app.papers;
    // The screen the cursor is about to show (offsets follow after `update`), and the next.
    let from = follow(p.selected, p.offset, h);
    // Their open-access copies too (each paper once).
    let shown = p.rows.iter().skip(from).take(2 * h);
    let shown = shown.map(|r| (r.key.clone(), r.ids.clone())).collect();
    super::access::want(app, shown, fx);
    let p = &mut app.papers;
    let rows = p.missing_lines(from, 2 * h);
    if rows.is_empty() {
        return;
    }
    // Asked once: a row without a known citation shows its id until the view reloads.
    for r in &rows {
        p.lines.insert(r.key.clone(), None);
    }
    fx.push(Effect::LoadPaperLines(rows));
}

/// Sends the rows on screen that have no citation offline to their services (each key once a
/// session; never in the demo, which has no network). The answers arrive as lines.
fn resolve_on_screen(app: &mut App, fx: &mut Vec<Effect>) {
    if app.demo || !app.papers.showing() {
        return;
    }
    let h = list_height(app);
    let p = &mut app.papers;
    let keys = p.unresolved(follow(p.selected, p.offset, h), h);
    if keys.is_empty() {
        return;
    }
    p.asked.extend(keys.iter().cloned());
    fx.push(Effect::ResolvePaperCitations(keys));
}

/// Enter: the Entries pane lists the posts citing the selected paper, newest first.
fn list_posts(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.papers.selected_paper() else {
        return;
    };
    let source = EntrySource::Paper {
        key: p.key.clone(),
        ids: p.cited_by.clone(),
    };
    app.papers.posts = Some(PaperPosts {
        key: p.key.clone(),
        back: app.entries.source.clone(),
    });
    app.focus = Pane::Entries;
    switch_source(app, source, fx);
}

/// `o`: the paper at its home (doi.org or the configured resolver, arXiv, PubMed, PMC).
fn open_paper(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.papers.selected_paper() else {
        return;
    };
    match paper_home(&p.key, &p.ids, &app.resolver) {
        Some(url) => fx.push(Effect::OpenUrl(url)),
        None => {
            let key = crate::text::scrub::scrub_line(&p.key);
            app.error(format!("no address known to open {key}"));
        }
    }
}

/// `c`: the paper's id (the bare DOI, else its key) to the clipboard.
fn copy_id(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.papers.selected_paper() else {
        return;
    };
    let id = crate::text::scrub::scrub_line(display_id(&p.key));
    let what = if p.key.starts_with("doi:") {
        "DOI"
    } else {
        "paper id"
    };
    fx.push(Effect::Clipboard(id.clone()));
    app.info(format!(
        "copied the {what} {id} to the clipboard {OSC52_NOTE}"
    ));
}

/// Why `b`/`B` do nothing on a paper without a DOI.
pub(super) fn no_bibtex(key: &str) -> String {
    let key = crate::text::scrub::scrub_line(key);
    format!(
        "no BibTeX for {key}: BibTeX comes from the DOI resolver, and no DOI of this paper \
         is known"
    )
}
