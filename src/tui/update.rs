//! `update`: the one place the state changes. Pure: it never touches the cache, the network or
//! the terminal; what it wants done comes back as [`Effect`]s.

use std::path::PathBuf;

use crate::archive::BackfillReport;
use crate::library::citations::CitationState;
use crate::model::{EntryId, FeedId, MonthCount};
use crate::store::ListQuery;
use crate::text::render::count;

use super::action::{Action, BibUse, MouseAction};
use super::layout::{self, areas, follow};
use super::state::{
    fill_empty_months, year_of, App, ArchiveRow, BackfillStatus, Cite, Confirmed, EntrySource,
    FeedRow, Filter, Overlay, Pane, PromptKind, ReaderState, Scope, PAGE,
};

/// What the status line says after a copy: OSC 52 depends on the terminal, so say so.
pub const OSC52_NOTE: &str = "(OSC 52: works over SSH if your terminal allows it)";

/// Work for the executor. Results come back as actions.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadFeeds,
    /// A folder's months come without their papers (`LoadMonthPapers` adds them).
    LoadMonths {
        filter: Filter,
    },
    /// Count a folder's papers per month in the background (answers `MonthPapersLoaded`):
    /// they cost as much as its months again, and the key that selected it waits for neither.
    LoadMonthPapers {
        filter: Filter,
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
    /// Move a feed to a folder (`None`: out of any).
    SetFolder {
        feed: FeedId,
        folder: Option<String>,
    },
    /// Give a feed the user's title (`None`: back to its own).
    RenameFeed {
        feed: FeedId,
        title: Option<String>,
    },
    SetStarred {
        ids: Vec<EntryId>,
        starred: bool,
    },
    RenameFolder {
        old: String,
        new: String,
    },
    /// Count what removing the feed takes (answers `ConfirmRemoveFeed`).
    AskRemoveFeed(FeedId),
    /// Remove the feed with its entries (the user said yes).
    RemoveFeed(FeedId),
    /// Refresh these feeds in the background (empty: all).
    Refresh(Vec<FeedId>),
    AddFeed(String),
    ImportOpmlFile(String),
    ImportResearchList,
    /// Switch to the demo archive in a temporary cache (never the user's own).
    LoadDemo,
    /// Backfill this feed (`None`: every feed) in the background.
    Backfill(Option<FeedId>),
    OpenUrl(String),
    /// Read the cached citations of an entry's DOIs (no network).
    LoadCitations {
        entry: EntryId,
        dois: Vec<String>,
    },
    /// Resolve these DOIs in the background, reporting each as it arrives.
    ResolveCitations {
        entry: EntryId,
        dois: Vec<String>,
    },
    /// Fetch a DOI's BibTeX in the background.
    FetchBibtex {
        doi: String,
        then: BibUse,
    },
    /// Put text on the terminal's clipboard (OSC 52).
    Clipboard(String),
    /// Append a BibTeX entry to a file.
    AppendBibtex {
        path: PathBuf,
        doi: String,
        text: String,
    },
    Quit,
}

/// Applies `action` to `app` and returns the effects to run.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    if is_user(&action) {
        // A message stays until the user does something next.
        app.status.message = None;
        app.status.pinned = false;
    }
    let mut fx = Vec::new();
    match &app.overlay {
        Some(Overlay::Prompt { .. }) => prompt(app, action, &mut fx),
        Some(Overlay::Help { .. }) if is_user(&action) => help(app, action, &mut fx),
        Some(Overlay::LinkList { .. }) if is_user(&action) => link_list(app, action, &mut fx),
        Some(Overlay::Confirm { .. }) if is_user(&action) => confirm(app, action, &mut fx),
        _ => main(app, action, &mut fx),
    }
    fix_offsets(app);
    fx
}

/// User commands, as opposed to results coming back.
fn is_user(a: &Action) -> bool {
    !matches!(
        a,
        Action::FeedsLoaded { .. }
            | Action::MonthsLoaded { .. }
            | Action::MonthPapersLoaded { .. }
            | Action::EntriesLoaded { .. }
            | Action::EntryLoaded(_)
            | Action::CacheChanged
            | Action::RefreshStarted { .. }
            | Action::RefreshProgress { .. }
            | Action::RefreshDone { .. }
            | Action::FeedAdded { .. }
            | Action::CitationsCached { .. }
            | Action::CitationResolved { .. }
            | Action::CitationsFailed { .. }
            | Action::BibtexReady { .. }
            | Action::BackfillStarted { .. }
            | Action::BackfillPage { .. }
            | Action::BackfillFeedDone(_)
            | Action::BackfillDone { .. }
            | Action::DemoLoaded { .. }
            | Action::ConfirmRemoveFeed { .. }
            | Action::FolderRenamed { .. }
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
    let kind = kind.clone();
    match action {
        // A prompt is one line of printable text.
        Action::Input(c)
            if !c.is_control()
                && !crate::text::scrub::is_forbidden(c)
                && input.chars().count() < 2000 =>
        {
            input.push(c);
        }
        Action::Input(_) => {}
        Action::Backspace => {
            input.pop();
        }
        Action::Complete => {
            if let PromptKind::MoveToFolder(_) = kind {
                if let Some(name) = app.feeds.folder_completion(input).map(str::to_string) {
                    if let Some(Overlay::Prompt { input, .. }) = &mut app.overlay {
                        *input = name;
                    }
                }
            }
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
                // `-` is "none": an empty prompt is a cancel.
                PromptKind::MoveToFolder(feed) => fx.push(Effect::SetFolder {
                    feed,
                    folder: (text != "-").then_some(text),
                }),
                PromptKind::RenameFeed(feed) => fx.push(Effect::RenameFeed {
                    feed,
                    title: (text != "-").then_some(text),
                }),
                PromptKind::RenameFolder(old) if old != text => {
                    fx.push(Effect::RenameFolder { old, new: text })
                }
                PromptKind::RenameFolder(_) => {}
            }
        }
        // Results keep flowing while the prompt is open.
        other if !is_user(&other) => main(app, other, fx),
        _ => {}
    }
}

/// A yes/no question: only `y` (Submit) acts; anything else the keymap sends is a no.
fn confirm(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Confirm { then, .. }) = app.overlay.take() else {
        return;
    };
    match action {
        Action::Submit => match then {
            Confirmed::RemoveFeed(feed) => {
                app.info(format!("removing {} …", app.feeds.title_of(feed)));
                // An open entry of the feed would outlive it in the Reader pane.
                if app.reader.as_ref().is_some_and(|r| r.entry.feed_id == feed) {
                    app.reader = None;
                    if app.focus == Pane::Reader {
                        app.focus = Pane::Entries;
                    }
                }
                fx.push(Effect::RemoveFeed(feed));
            }
        },
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => app.info("nothing removed"),
    }
}

/// Asks before removing `feed`: its entries and, when it holds any, its starred ones go too.
fn ask_remove_feed(app: &mut App, feed: FeedId, starred: i64) {
    let Some(f) = app.feeds.feeds.iter().find(|f| f.id == feed) else {
        return; // gone meanwhile
    };
    let stars = if starred > 0 {
        format!(
            " {} {} with it.",
            count(starred, "starred entry", "starred entries"),
            if starred == 1 { "goes" } else { "go" }
        )
    } else {
        String::new()
    };
    let question = format!(
        "Remove {} and its {}?{stars} y/n",
        crate::text::scrub::scrub_line(&f.title),
        count(f.entries, "entry", "entries"),
    );
    app.overlay = Some(Overlay::Confirm {
        question,
        then: Confirmed::RemoveFeed(feed),
    });
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
    let items = app.link_items();
    let Some(Overlay::LinkList { selected }) = &mut app.overlay else {
        return;
    };
    let last = items.len().saturating_sub(1);
    let item = items.get(*selected).cloned();
    match action {
        Action::MoveDown => *selected = (*selected + 1).min(last),
        Action::MoveUp => *selected = selected.saturating_sub(1),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = last,
        // `o` opens the row too: in the list it means "open this".
        Action::Open | Action::OpenInBrowser => {
            if let Some(it) = item {
                fx.push(Effect::OpenUrl(it.url));
            }
            app.overlay = None;
        }
        Action::OpenLink(n) => {
            app.overlay = None;
            open_link(app, n, fx);
        }
        Action::CopyDoi => {
            if let Some(it) = item {
                let what = if it.doi.is_some() { "DOI" } else { "link" };
                fx.push(Effect::Clipboard(it.doi.unwrap_or(it.url)));
                app.info(format!("copied {what} to the clipboard {OSC52_NOTE}"));
            }
        }
        Action::CopyBibtex | Action::AppendBibtex => {
            let Some(doi) = item.and_then(|it| it.doi) else {
                app.info("BibTeX is for papers: select a doi: row");
                return;
            };
            let then = if action == Action::CopyBibtex {
                BibUse::Copy
            } else {
                match &app.bib_file {
                    Some(p) => BibUse::Append(p.clone()),
                    None => {
                        app.error(
                            "no BibTeX file: set doi.bib_file in config.toml \
                             (e.g. bib_file = \"~/papers.bib\") for B to append to it",
                        );
                        return;
                    }
                }
            };
            app.info(format!("fetching BibTeX for doi:{doi} …"));
            fx.push(Effect::FetchBibtex { doi, then });
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
        Action::ToggleFolder => toggle_folder(app, fx),
        Action::JumpToMonth => open_prompt(app, PromptKind::JumpMonth),
        Action::StartSearch => open_prompt(app, PromptKind::Search),
        Action::AddFeed => open_prompt(app, PromptKind::AddFeed),
        Action::ImportOpml => open_prompt(app, PromptKind::ImportOpml),
        Action::MoveToFolder | Action::RenameFeed => match app.feeds.selected_feed() {
            Some(f) if matches!(action, Action::MoveToFolder) => {
                let kind = PromptKind::MoveToFolder(f.id);
                open_prompt(app, kind)
            }
            Some(f) => {
                let kind = PromptKind::RenameFeed(f.id);
                open_prompt(app, kind)
            }
            // `e` on a folder renames the folder, starting from its name.
            None => match app.feeds.scope() {
                Scope::Folder(name) if action == Action::RenameFeed => {
                    app.overlay = Some(Overlay::Prompt {
                        kind: PromptKind::RenameFolder(name.clone()),
                        input: name,
                    });
                }
                _ => app.info("select a feed first"),
            },
        },
        Action::FolderRenamed { old, new } => {
            app.feeds.rename_folder(&old, &new);
            app.archive.filter = app.feeds.filter();
            reload(app, fx);
        }
        Action::RemoveFeed => match app.feeds.selected_feed() {
            Some(f) => fx.push(Effect::AskRemoveFeed(f.id)),
            None => app.info("select a feed first"),
        },
        Action::ConfirmRemoveFeed { feed, starred } => ask_remove_feed(app, feed, starred),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::NextEntry => step_entry(app, 1, fx),
        Action::PrevEntry => step_entry(app, -1, fx),
        Action::ToggleRead => toggle_read(app, fx),
        Action::ToggleStar => toggle_star(app, fx),
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
            Some(r) if !r.links.is_empty() || !r.entry.dois.is_empty() => {
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
        Action::Backfill => start_backfill(app, fx),
        Action::SubscribeResearchList => fx.push(Effect::ImportResearchList),
        Action::LoadDemo => fx.push(Effect::LoadDemo),
        // The link list's keys do nothing outside it.
        Action::Input(_)
        | Action::Backspace
        | Action::Complete
        | Action::Submit
        | Action::Cancel
        | Action::CopyDoi
        | Action::CopyBibtex
        | Action::AppendBibtex => {}
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
        Action::MonthPapersLoaded { filter, papers } => {
            if filter == app.archive.filter {
                MonthCount::fill_papers(&mut app.archive.months, &papers);
            }
        }
        Action::EntriesLoaded {
            source,
            offset,
            rows,
            total,
            more,
        } => entries_loaded(app, source, offset, rows, (total, more), fx),
        Action::EntryLoaded(entry) => {
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
                    if !entry.dois.is_empty() {
                        fx.push(Effect::LoadCitations {
                            entry: entry.id,
                            dois: entry.dois.iter().map(|d| d.doi.clone()).collect(),
                        });
                    }
                    app.reader = Some(ReaderState::new(*entry, width, search));
                }
            }
            app.focus = Pane::Reader;
        }
        Action::CitationsCached { entry, cached } => citations_cached(app, entry, cached, fx),
        Action::CitationResolved { entry, doi, state } => {
            if let Some(r) = app.reader.as_mut().filter(|r| r.entry.id == entry) {
                r.citations
                    .insert(crate::text::doi::key(&doi), Cite::Known(state));
                r.refresh_papers();
            }
        }
        Action::CitationsFailed { entry, reason } => {
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
        } => {
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
        Action::BackfillFeedDone(report) => {
            if report.complete {
                app.feeds.complete.insert(report.feed_id);
            }
            if let Some(err) = &report.error {
                let title = app.feeds.title_of(report.feed_id);
                app.error(format!("backfill of {title}: {err}"));
            }
            if let Some(b) = &mut app.status.backfill {
                b.reports.push(*report);
            }
        }
        Action::BackfillDone { error } => {
            let status = app.status.backfill.take().unwrap_or_default();
            let (text, is_error) = backfill_summary(app, &status.reports, error.as_deref());
            if is_error {
                app.error(text);
            } else {
                app.info(text);
            }
            reload(app, fx);
        }
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
        } => {
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
        Action::FeedAdded {
            title,
            entries,
            added,
            feed: _,
        } => {
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
fn scope_changed(app: &mut App, fx: &mut Vec<Effect>) {
    let filter = app.feeds.filter();
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

/// Shows `source` in the Entries pane from its first row.
fn switch_source(app: &mut App, source: EntrySource, fx: &mut Vec<Effect>) {
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
fn reload(app: &mut App, fx: &mut Vec<Effect>) {
    fx.push(Effect::LoadFeeds);
    fx.push(Effect::LoadMonths {
        filter: app.archive.filter.clone(),
    });
    app.entries.keep = app.entries.selected_entry().map(|e| e.id);
    let loaded = app.entries.rows.len().max(PAGE);
    load_first_page(app, loaded, fx);
}

fn months_loaded(
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
        (EntrySource::Search { .. }, _) => None,
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

fn start_search(app: &mut App, query: String, fx: &mut Vec<Effect>) {
    if app.entries.before_search.is_none() {
        app.entries.before_search = Some(app.entries.source.clone());
    }
    app.reader = None;
    app.focus = Pane::Entries;
    let source = EntrySource::Search {
        filter: app.feeds.filter(),
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
            app.info(format!(
                "this post has no link [{n}] ({})",
                count(r.links.len(), "link", "links")
            ));
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
