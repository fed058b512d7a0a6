//! Everything that can happen to the reader: user commands (from the keymap and the mouse) and
//! results reported back by the effect executor and the background workers.

use crate::model::{Entry, EntrySummary, Feed, FeedId, MonthCount};

use super::state::EntrySource;

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
    JumpToMonth,
    // ---- entries and reading ----
    NextEntry,
    PrevEntry,
    ToggleRead,
    MarkMonthRead,
    StartSearch,
    NextMatch,
    PrevMatch,
    OpenInBrowser,
    OpenLink(u8),
    LinkList,
    TogglePapersOnly,
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
    Cancel,
    // ---- terminal ----
    Mouse(MouseAction),
    Resize(u16, u16),
    /// A refresh the program starts itself: at start, on the timer, after an import.
    AutoRefresh,
    // ---- results ----
    FeedsLoaded(Vec<Feed>),
    MonthsLoaded {
        feed: Option<FeedId>,
        months: Vec<MonthCount>,
    },
    EntriesLoaded {
        source: EntrySource,
        offset: usize,
        rows: Vec<EntrySummary>,
        /// The size of the whole listing, counted when the first page was loaded.
        total: Option<usize>,
    },
    EntryLoaded(Box<Entry>),
    /// The cache changed (mark read, import, demo, refresh): reload what is shown.
    CacheChanged,
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
        new: usize,
        failed: usize,
    },
    FeedAdded {
        title: String,
        entries: usize,
        added: bool,
        feed: FeedId,
    },
    Info(String),
    Error(String),
}

/// A mouse gesture at a terminal cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseAction {
    ScrollUp { column: u16, row: u16 },
    ScrollDown { column: u16, row: u16 },
    Click { column: u16, row: u16 },
}
