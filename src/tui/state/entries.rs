//! The Entries pane: which listing it shows, and the loaded window of it.

use crate::model::{EntryId, EntrySummary};
use crate::store::ListQuery;

use super::Filter;

/// What the Entries pane lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EntrySource {
    #[default]
    Nothing,
    Month {
        filter: Filter,
        month: String,
    },
    Unread {
        filter: Filter,
    },
    Search {
        filter: Filter,
        query: String,
    },
    /// The posts citing one paper (Enter in the Papers view), newest first.
    Paper {
        key: String,
        ids: Vec<EntryId>,
    },
}

impl EntrySource {
    /// The cache query for this listing (without paging); `None` for `Nothing`.
    pub fn query(&self, papers_only: bool) -> Option<ListQuery> {
        let mut q = ListQuery {
            with_dois_only: papers_only,
            ..ListQuery::default()
        };
        match self {
            EntrySource::Nothing => return None,
            EntrySource::Month { filter, month } => {
                filter.apply(&mut q);
                q.month = Some(month.clone());
            }
            EntrySource::Unread { filter } => {
                filter.apply(&mut q);
                q.unread_only = true;
            }
            EntrySource::Search { filter, query } => {
                filter.apply(&mut q);
                q.search = Some(query.clone());
            }
            EntrySource::Paper { ids, .. } => {
                // Every one of them cites a paper, whether or not through a DOI.
                q.with_dois_only = false;
                q.ids = Some(ids.clone());
            }
        }
        Some(q)
    }

    pub fn month(&self) -> Option<&str> {
        match self {
            EntrySource::Month { month, .. } => Some(month),
            _ => None,
        }
    }

    pub fn search(&self) -> Option<&str> {
        match self {
            EntrySource::Search { query, .. } => Some(query),
            _ => None,
        }
    }
}

/// The Entries pane: one page-loaded window of a listing.
#[derive(Debug, Clone, Default)]
pub struct EntriesState {
    pub source: EntrySource,
    pub rows: Vec<EntrySummary>,
    /// The listing's full size (rows beyond `rows.len()` are not loaded yet).
    pub total: usize,
    /// `total` is only a lower bound ("1000+"): pages load until one comes back short.
    pub more: bool,
    pub selected: usize,
    pub offset: usize,
    pub papers_only: bool,
    /// A page load is under way: do not ask again.
    pub loading: bool,
    /// Where Esc returns to from search results.
    pub before_search: Option<EntrySource>,
    /// The latest count asked of a worker (a search's): an answer to any other is stale.
    pub count_seq: u64,
    /// The entry to select when the listing next loads (kept by id across reloads).
    pub keep: Option<EntryId>,
}

impl EntriesState {
    pub fn selected_entry(&self) -> Option<&EntrySummary> {
        self.rows.get(self.selected)
    }
}
