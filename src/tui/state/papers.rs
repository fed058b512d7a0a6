//! The Papers view: the papers cited in the selected scope and month, each once, most-cited
//! first; the citation lines of the rows on screen; and the paper whose posts the Entries pane
//! lists after Enter.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::PaperRow;
use crate::store::ListQuery;

use super::{EntrySource, Filter};

/// Whose papers the view shows: a scope of the Feeds pane and a month (`None`: all months).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PapersScope {
    pub filter: Filter,
    pub unread: bool,
    pub month: Option<String>,
}

impl PapersScope {
    /// The cache query of the papers this scope covers.
    pub fn query(&self) -> ListQuery {
        let mut q = self.filter.query();
        q.unread_only = self.unread;
        q.month = self.month.clone();
        q
    }
}

/// The paper whose posts the Entries pane lists, and what it listed before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperPosts {
    pub key: String,
    pub back: EntrySource,
}

/// The Papers view.
#[derive(Debug, Clone, Default)]
pub struct PapersState {
    /// The right column shows the papers (unless a paper's posts are listed).
    pub open: bool,
    /// Opened by the Feeds pane's Papers row: leaving the row closes it.
    pub by_row: bool,
    /// What the rows are (or are being loaded) for.
    pub scope: PapersScope,
    pub rows: Vec<PaperRow>,
    /// Citation lines by paper key, for the rows looked at so far (`None`: none known yet).
    pub lines: BTreeMap<String, Option<String>>,
    /// "published as doi:…" by paper key (arXiv preprints whose published version is known).
    pub published: BTreeMap<String, String>,
    /// Paper keys sent to their services this session: each is asked at most once.
    pub asked: BTreeSet<String>,
    /// The rows are being loaded.
    pub loading: bool,
    /// While loading, how many rows the scope has when only its first ones are shown.
    pub total: Option<usize>,
    /// The cache changed while they were: load them again when they arrive (one worker at a
    /// time however many feeds a refresh brings in).
    pub again: bool,
    pub selected: usize,
    pub offset: usize,
    /// Enter on a paper: the Entries pane lists its posts.
    pub posts: Option<PaperPosts>,
}

impl PapersState {
    /// Whether the right column shows the papers now.
    pub fn showing(&self) -> bool {
        self.open && self.posts.is_none()
    }

    pub fn selected_paper(&self) -> Option<&PaperRow> {
        self.rows.get(self.selected)
    }

    /// The keys of rows `from..from + n` that have no citation offline and were never sent to
    /// their services.
    pub fn unresolved(&self, from: usize, n: usize) -> Vec<String> {
        let rows = self.rows.iter().skip(from).take(n);
        rows.filter(|r| {
            matches!(self.lines.get(&r.key), Some(None)) && !self.asked.contains(&r.key)
        })
        .map(|r| r.key.clone())
        .collect()
    }

    /// The keys of rows `from..from + n` whose citation line was never looked up.
    pub fn missing_lines(&self, from: usize, n: usize) -> Vec<PaperRow> {
        self.rows
            .iter()
            .skip(from)
            .take(n)
            .filter(|r| !self.lines.contains_key(&r.key))
            .cloned()
            .collect()
    }
}
