//! `update`: the one place the state changes. Pure: it never touches the cache, the network or
//! the terminal; what it wants done comes back as [`Effect`]s.
//!
//! [`update`] sends each action to the file that handles its kind: `navigate` (cursor, focus,
//! the Archive's months and years, the mouse), `entries` (the Entries listing and the Reader),
//! `prompts` (the overlays and the keys that open them) and `workers` (background work: starting
//! it, and the messages that come back).

mod access;
mod entries;
mod health;
mod navigate;
mod papers;
mod prompts;
mod save;
mod workers;

use std::path::PathBuf;

use crate::model::{EntryId, FeedId};
use crate::store::ListQuery;

use super::action::{Action, BibUse};
use super::layout::{areas, follow, papers_list_height};
use super::state::{App, EntrySource, Filter, Overlay, Pane, PapersScope};
use prompts::{confirm, help, link_list, prompt};

/// What the status line says after a copy: OSC 52 depends on the terminal, so say so.
pub const OSC52_NOTE: &str = "(OSC 52: works over SSH if your terminal allows it)";

/// Work for the executor. Results come back as actions.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadFeeds,
    /// Read the health known offline (answers `HealthLoaded`).
    LoadHealth,
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
    /// Count a search's matches on a worker, after its first page (answers `EntriesCounted`
    /// with `seq`).
    CountEntries {
        source: EntrySource,
        query: ListQuery,
        seq: u64,
    },
    LoadEntry(EntryId),
    /// List the papers of `scope` on a worker, with the citation lines of the first `lines`
    /// rows (answers `PapersLoaded`).
    LoadPapers {
        scope: PapersScope,
        lines: usize,
    },
    /// Read the citation lines known offline for these papers (answers `PaperLinesLoaded`).
    LoadPaperLines(Vec<crate::model::PaperRow>),
    /// Read the open-access copies known of these papers `(key, ids)` and, with `ask`, ask
    /// Unpaywall about those due in the background (answers `OaKnown`, `OaNoEmail`, `OaFailed`).
    LoadOa {
        papers: Vec<(String, Vec<String>)>,
        ask: bool,
    },
    /// Resolve these paper keys at their services in the background (answers
    /// `PaperLinesLoaded` as each arrives, then `PapersPublished`).
    ResolvePaperCitations(Vec<String>),
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
    /// Run the upgrade's re-scan of stored posts for papers in the background, if it is due.
    ScanPapers,
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
    /// Save the paper `key` to the reference manager on a worker (answers `Info`/`Error`).
    SavePaper {
        key: String,
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

/// The results the executor and the workers send back, as a pattern: `is_user` and `main` need
/// the one list.
macro_rules! result {
    () => {
        Action::FeedsLoaded { .. }
            | Action::MonthsLoaded { .. }
            | Action::MonthPapersLoaded { .. }
            | Action::EntriesLoaded { .. }
            | Action::EntriesCounted { .. }
            | Action::EntryLoaded(_)
            | Action::CacheChanged
            | Action::PapersScanProgress { .. }
            | Action::PapersScanned { .. }
            | Action::RefreshStarted { .. }
            | Action::RefreshProgress { .. }
            | Action::RefreshDone { .. }
            | Action::FeedAdded { .. }
            | Action::CitationsCached { .. }
            | Action::CitationResolved { .. }
            | Action::CitationsFailed { .. }
            | Action::BibtexReady { .. }
            | Action::PapersLoaded { .. }
            | Action::PapersFirst { .. }
            | Action::PaperLinesLoaded(_)
            | Action::PapersPublished(_)
            | Action::HealthLoaded { .. }
            | Action::BackfillStarted { .. }
            | Action::BackfillPage { .. }
            | Action::BackfillFeedDone(_)
            | Action::BackfillDone { .. }
            | Action::DemoLoaded { .. }
            | Action::ConfirmRemoveFeed { .. }
            | Action::FolderRenamed { .. }
            | Action::Info(_)
            | Action::Error(_)
    };
}

/// User commands, as opposed to results coming back (and the terminal's and the timer's events).
fn is_user(a: &Action) -> bool {
    !matches!(
        a,
        result!()
            | Action::OaKnown(_)
            | Action::OaNoEmail
            | Action::OaFailed(_)
            | Action::Resize(..)
            | Action::AutoRefresh
            | Action::ScanPapers
    )
}

/// Everything outside an overlay (and the results that arrive while one is open), sent on by
/// kind. The match names every action, so a new one must be given a home here.
fn main(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    // The Papers view's own keys; the rest work there as anywhere.
    if app.focus == Pane::Papers && papers::handles(&action) {
        papers::handle(app, action, fx);
        return;
    }
    match action {
        Action::ForceQuit => fx.push(Effect::Quit),
        Action::Quit => {
            if !navigate::back(app, fx) {
                fx.push(Effect::Quit);
            }
        }
        Action::Back => {
            navigate::back(app, fx);
        }
        a @ (Action::MoveDown
        | Action::MoveUp
        | Action::PageDown
        | Action::PageUp
        | Action::HalfPageDown
        | Action::HalfPageUp
        | Action::Top
        | Action::Bottom
        | Action::FocusNext
        | Action::FocusPrev
        | Action::FocusLeft
        | Action::FocusRight
        | Action::Open
        | Action::PrevMonth
        | Action::NextMonth
        | Action::PrevYear
        | Action::NextYear
        | Action::ToggleYear
        | Action::ToggleFolder
        | Action::Mouse(_)
        | Action::Resize(..)) => navigate::handle(app, a, fx),
        a @ (Action::NextEntry
        | Action::PrevEntry
        | Action::ToggleRead
        | Action::ToggleStar
        | Action::MarkMonthRead
        | Action::NextMatch
        | Action::PrevMatch
        | Action::OpenInBrowser
        | Action::OpenLink(_)
        | Action::TogglePapersOnly) => entries::handle(app, a, fx),
        Action::PapersView => papers::handle(app, Action::PapersView, fx),
        Action::FlaggedPapers => health::toggle_flagged(app, fx),
        a @ (Action::JumpToMonth
        | Action::StartSearch
        | Action::AddFeed
        | Action::ImportOpml
        | Action::MoveToFolder
        | Action::RenameFeed
        | Action::RemoveFeed
        | Action::Help
        | Action::LinkList) => prompts::open(app, a, fx),
        a @ (Action::RefreshFeed
        | Action::RefreshAll
        | Action::AutoRefresh
        | Action::ScanPapers
        | Action::Backfill
        | Action::SubscribeResearchList
        | Action::LoadDemo) => workers::start(app, a, fx),
        // The prompt's and the link list's keys do nothing outside them.
        Action::Input(_)
        | Action::Backspace
        | Action::Complete
        | Action::Submit
        | Action::Cancel
        | Action::CopyDoi
        | Action::CopyBibtex
        | Action::AppendBibtex
        | Action::OpenOa
        | Action::SavePaper => {}
        a @ (Action::OaKnown(_) | Action::OaNoEmail | Action::OaFailed(_)) => {
            access::message(app, a, fx)
        }
        a @ result!() => workers::message(app, a, fx),
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
    app.papers.offset = follow(
        app.papers.selected,
        app.papers.offset,
        papers_list_height(a.inner_height(Pane::Papers)),
    );
}
