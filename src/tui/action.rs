//! Everything that can happen to the reader: user commands (from the keymap and the mouse) and
//! results reported back by the effect executor and the background workers.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::feeds::backfill::BackfillReport;
use crate::library::citations::CitationState;
use crate::model::{Entry, EntryId, EntrySummary, Feed, FeedId, MonthCount, PaperRow};

use super::state::{EntrySource, PapersScope};

/// A paper's key and its citation line (`None`: no citation known offline).
pub type PaperLine = (String, Option<String>);

/// A user command or a result. `update` is the only consumer.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // ---- movement and focus ----
    MoveDown,
    MoveUp,
    Top,
    Bottom,
    PageDown,
    PageUp,
    HalfPageDown,
    HalfPageUp,
    FocusNext,
    FocusPrev,
    FocusLeft,
    FocusRight,
    Open,
    /// Esc: close what is open, never quits.
    Back,
    /// q: like Back, but quits at the top level.
    Quit,
    /// Ctrl-c: quits from anywhere.
    ForceQuit,
    // ---- archive ----
    PrevMonth,
    NextMonth,
    PrevYear,
    NextYear,
    ToggleYear,
    ToggleFolder,
    JumpToMonth,
    // ---- entries and reading ----
    NextEntry,
    PrevEntry,
    ToggleRead,
    ToggleStar,
    MarkMonthRead,
    StartSearch,
    NextMatch,
    PrevMatch,
    OpenInBrowser,
    OpenLink(u8),
    LinkList,
    TogglePapersOnly,
    /// `P`: the papers cited in the selected scope and month (again: back to the entries).
    PapersView,
    /// `!`: the Papers view lists only papers with a notice; again: all of them.
    FlaggedPapers,
    // ---- the link list, on a DOI row ----
    /// Copy the DOI (a link row: its URL) to the clipboard with OSC 52.
    CopyDoi,
    /// Copy the DOI's BibTeX to the clipboard.
    CopyBibtex,
    /// Append the DOI's BibTeX to `doi.bib_file`.
    AppendBibtex,
    /// `O`: open the paper's legal open-access copy (the link list's DOI, the Papers view's row).
    OpenOa,
    /// Save the paper to Zotero (or `[papers] save_command`) in the background.
    SavePaper,
    // ---- feeds and network ----
    RefreshFeed,
    RefreshAll,
    AddFeed,
    Backfill,
    Help,
    // ---- welcome screen ----
    ImportOpml,
    SubscribeResearchList,
    LoadDemo,
    // ---- prompt input ----
    Input(char),
    Backspace,
    Submit,
    /// Tab in a prompt: complete the input.
    Complete,
    MoveToFolder,
    RenameFeed,
    /// `D` in the Feeds pane: asks before removing the selected feed.
    RemoveFeed,
    Cancel,
    // ---- terminal ----
    Mouse(MouseAction),
    Resize(u16, u16),
    /// A refresh the program starts itself: at start, on the timer, after an import.
    AutoRefresh,
    /// At start: find the papers of posts stored before papers were found (the upgrade's
    /// re-scan; a worker, and nothing when none is due).
    ScanPapers,
    // ---- results ----
    FeedsLoaded {
        feeds: Vec<Feed>,
        /// Feeds whose whole history is cached (a backfill reached its end).
        complete: BTreeSet<FeedId>,
        /// How many entries are starred.
        starred: i64,
    },
    MonthsLoaded {
        filter: crate::tui::state::Filter,
        months: Vec<MonthCount>,
    },
    /// Papers per month of `filter`'s archive, counted after its months (a folder's cost as
    /// much again as the months, so they come from a worker).
    MonthPapersLoaded {
        filter: crate::tui::state::Filter,
        papers: Vec<(String, i64)>,
    },
    EntriesLoaded {
        source: EntrySource,
        offset: usize,
        rows: Vec<EntrySummary>,
        /// The size of the whole listing, counted when the first page was loaded.
        total: Option<usize>,
        /// `total` is a lower bound: counting stopped there (big search results).
        more: bool,
    },
    /// A search's matches, counted on a worker after its first page showed.
    EntriesCounted {
        source: EntrySource,
        /// Which count this answers (`EntriesState::count_seq`).
        seq: u64,
        total: usize,
        /// `total` is a lower bound: counting stopped there.
        more: bool,
    },
    EntryLoaded(Box<Entry>),
    /// The cache renamed a folder (and those nested in it).
    FolderRenamed {
        old: String,
        new: String,
    },
    /// What removing `feed` would take, to ask the user: its starred entries.
    ConfirmRemoveFeed {
        feed: FeedId,
        starred: i64,
    },
    /// The cache changed (mark read, import, demo, refresh): reload what is shown.
    CacheChanged,
    /// The re-scan's progress: stored posts done, of `total`.
    PapersScanProgress {
        done: u64,
        total: u64,
    },
    /// The re-scan is over; `error` says why it stopped (it resumes at the next start).
    PapersScanned {
        error: Option<String>,
    },
    RefreshStarted {
        total: usize,
    },
    RefreshProgress {
        done: usize,
        total: usize,
        /// `(feed title, error)` when this feed failed.
        failed: Option<(String, String)>,
        new: usize,
    },
    RefreshDone {
        /// New entries, the account's among them.
        new: usize,
        failed: usize,
        /// Why the account's sync failed, when it did: the last word of the refresh, so that
        /// the local feeds' summary does not hide it.
        sync_error: Option<String>,
    },
    FeedAdded {
        title: String,
        entries: usize,
        added: bool,
        feed: FeedId,
    },
    /// Cached citations of an entry's DOIs (`None`: never looked up).
    CitationsCached {
        entry: EntryId,
        cached: Vec<(String, Option<CitationState>)>,
    },
    /// One DOI resolved by the background worker.
    CitationResolved {
        entry: EntryId,
        doi: String,
        state: CitationState,
    },
    /// The citation worker could not run at all: the DOIs still resolving failed for `reason`.
    CitationsFailed {
        entry: EntryId,
        reason: String,
    },
    /// The Papers view's rows for `scope`, with the citation lines of the first screen (or why
    /// they could not be read).
    PapersLoaded {
        scope: PapersScope,
        result: Result<(Vec<PaperRow>, Vec<PaperLine>), String>,
    },
    /// The first rows of the Papers view for `scope`, with their citation lines, and how many
    /// rows it has: every month's papers come from kept counts at once, ahead of
    /// `PapersLoaded` with all of them.
    PapersFirst {
        scope: PapersScope,
        rows: Vec<PaperRow>,
        lines: Vec<PaperLine>,
        total: usize,
    },
    /// Citation lines of rows scrolled into view (or resolved at their services).
    PaperLinesLoaded(Vec<PaperLine>),
    /// "published as doi:…" by paper key, for arXiv preprints whose published version is known.
    PapersPublished(Vec<(String, String)>),
    /// Open-access copies known, by paper key (from the cache or Unpaywall).
    OaKnown(Vec<(String, crate::papers::access::OaState)>),
    /// Unpaywall was not asked: no `[doi] mailto` (said once).
    OaNoEmail,
    /// A look-up of an open-access copy failed (one line).
    OaFailed(String),
    /// Paper health known offline (after a check: `read_retracted` newly retracted papers
    /// cited by posts the user has read).
    HealthLoaded {
        lines: std::collections::HashMap<String, (crate::papers::health::Status, String)>,
        retracted: std::collections::HashSet<EntryId>,
        read_retracted: usize,
    },
    /// The BibTeX of `doi` (`Ok(None)`: the resolver does not know the DOI).
    BibtexReady {
        doi: String,
        then: BibUse,
        result: Result<Option<String>, String>,
    },
    BackfillStarted {
        feed: FeedId,
        total_feeds: usize,
    },
    BackfillPage {
        feed: FeedId,
        page: usize,
        added: usize,
    },
    BackfillFeedDone(Box<BackfillReport>),
    /// The backfill run ended (`error`: it stopped early, e.g. the cache failed).
    BackfillDone {
        error: Option<String>,
    },
    /// The welcome screen's demo archive is loaded in a temporary cache.
    DemoLoaded {
        entries: usize,
    },
    Info(String),
    Error(String),
}

/// What to do with a DOI's BibTeX once it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BibUse {
    Copy,
    /// Append to this file (`doi.bib_file`, `~/` expanded).
    Append(PathBuf),
}

/// A mouse gesture at a terminal cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseAction {
    ScrollUp { column: u16, row: u16 },
    ScrollDown { column: u16, row: u16 },
    Click { column: u16, row: u16 },
}
