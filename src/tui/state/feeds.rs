//! The Feeds pane: what its rows stand for (scopes, filters) and the folder tree they fold into.

use std::collections::BTreeSet;

use crate::model::{Feed, FeedId};
use crate::store::ListQuery;
use crate::text::scrub::scrub_line;

/// What the Feeds pane's selected row stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Unread,
    Starred,
    /// Every feed's papers: the Papers view of All feeds.
    Papers,
    /// A folder: its feeds and those of the folders nested in it.
    Folder(String),
    Feed(FeedId),
}

/// Which entries the Archive counts and a listing shows: all, one feed's, one folder's, the
/// starred ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub feed: Option<FeedId>,
    pub folder: Option<String>,
    pub starred: bool,
}

impl Filter {
    pub fn feed(id: Option<FeedId>) -> Filter {
        Filter {
            feed: id,
            ..Filter::default()
        }
    }

    /// Restricts `q` to these entries.
    pub fn apply(&self, q: &mut ListQuery) {
        q.feed = self.feed;
        q.folder = self.folder.clone();
        q.starred_only = self.starred;
    }

    /// The cache query of every entry this filter covers.
    pub fn query(&self) -> ListQuery {
        let mut q = ListQuery::default();
        self.apply(&mut q);
        q
    }

    /// The one feed shown, when that is all the filter is.
    pub fn one_feed(&self) -> Option<FeedId> {
        self.feed.filter(|_| self.folder.is_none() && !self.starred)
    }

    /// The one folder shown, when that is all the filter is.
    pub fn one_folder(&self) -> Option<&str> {
        self.folder
            .as_deref()
            .filter(|_| self.feed.is_none() && !self.starred)
    }

    /// Whether an entry of `feed` counts here as far as the screen knows without a query (a
    /// folder's or the starred months are re-read instead).
    pub fn counts_feed(&self, feed: FeedId) -> bool {
        self.folder.is_none() && !self.starred && self.feed.is_none_or(|f| f == feed)
    }
}

/// One row of the Feeds pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedRow {
    All,
    Unread,
    Starred,
    Papers,
    Folder {
        name: String,
        unread: i64,
        folded: bool,
    },
    /// Index into `FeedsState::feeds`; `nested` when shown under its folder.
    Feed {
        index: usize,
        nested: bool,
    },
}

/// The Feeds pane: "All feeds", "Unread", "Starred", "Papers", each folder (foldable, with its feeds),
/// then the feeds outside folders.
#[derive(Debug, Clone, Default)]
pub struct FeedsState {
    pub feeds: Vec<Feed>,
    pub selected: usize,
    pub offset: usize,
    /// False until the first load: an empty list only means "no subscriptions" after it.
    pub loaded: bool,
    /// Feeds whose whole history is cached: marked ✓, and their empty months are shown.
    pub complete: BTreeSet<FeedId>,
    /// Folders shown closed.
    pub folded: BTreeSet<String>,
    /// Starred entries, counted on the Starred row.
    pub starred: i64,
}

impl FeedsState {
    /// The visible rows. Feeds are already sorted by title; folders sort by name.
    pub fn rows(&self) -> Vec<FeedRow> {
        let mut rows = vec![
            FeedRow::All,
            FeedRow::Unread,
            FeedRow::Starred,
            FeedRow::Papers,
        ];
        let names =
            crate::model::with_parents(self.feeds.iter().filter_map(|f| f.folder.as_deref()));
        for name in names {
            // A folder inside a closed one is hidden with it.
            let hidden = self
                .folded
                .iter()
                .any(|outer| outer != name && crate::model::in_folder(outer, name));
            if hidden {
                continue;
            }
            let unread = self
                .feeds
                .iter()
                .filter(|f| {
                    f.folder
                        .as_deref()
                        .is_some_and(|inner| crate::model::in_folder(name, inner))
                })
                .map(|f| f.unread)
                .sum();
            let folded = self.folded.contains(name);
            rows.push(FeedRow::Folder {
                name: name.to_string(),
                unread,
                folded,
            });
            if !folded {
                rows.extend(
                    self.feeds
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.folder.as_deref() == Some(name))
                        .map(|(index, _)| FeedRow::Feed {
                            index,
                            nested: true,
                        }),
                );
            }
        }
        rows.extend(
            self.feeds
                .iter()
                .enumerate()
                .filter(|(_, f)| f.folder.is_none())
                .map(|(index, _)| FeedRow::Feed {
                    index,
                    nested: false,
                }),
        );
        rows
    }

    pub fn row_count(&self) -> usize {
        self.rows().len()
    }

    pub fn scope(&self) -> Scope {
        match self.rows().into_iter().nth(self.selected) {
            Some(FeedRow::Unread) => Scope::Unread,
            Some(FeedRow::Starred) => Scope::Starred,
            Some(FeedRow::Papers) => Scope::Papers,
            Some(FeedRow::Folder { name, .. }) => Scope::Folder(name),
            Some(FeedRow::Feed { index, .. }) => self
                .feeds
                .get(index)
                .map_or(Scope::All, |f| Scope::Feed(f.id)),
            Some(FeedRow::All) | None => Scope::All,
        }
    }

    /// The row showing `scope` (0, All feeds, when it is gone).
    pub fn row_of(&self, scope: &Scope) -> usize {
        let feeds = &self.feeds;
        self.rows()
            .iter()
            .position(|r| match (r, scope) {
                (FeedRow::All, Scope::All)
                | (FeedRow::Unread, Scope::Unread)
                | (FeedRow::Starred, Scope::Starred)
                | (FeedRow::Papers, Scope::Papers) => true,
                (FeedRow::Folder { name, .. }, Scope::Folder(n)) => name == n,
                (FeedRow::Feed { index, .. }, Scope::Feed(id)) => {
                    feeds.get(*index).is_some_and(|f| f.id == *id)
                }
                _ => false,
            })
            .unwrap_or(0)
    }

    /// The feed the archive and listings are restricted to.
    pub fn feed_id(&self) -> Option<FeedId> {
        match self.scope() {
            Scope::Feed(id) => Some(id),
            _ => None,
        }
    }

    /// What the selected row covers.
    pub fn filter(&self) -> Filter {
        match self.scope() {
            Scope::Feed(id) => Filter::feed(Some(id)),
            Scope::Folder(name) => Filter {
                folder: Some(name),
                ..Filter::default()
            },
            Scope::Starred => Filter {
                starred: true,
                ..Filter::default()
            },
            Scope::All | Scope::Unread | Scope::Papers => Filter::default(),
        }
    }

    pub fn total_unread(&self) -> i64 {
        self.feeds.iter().map(|f| f.unread).sum()
    }

    pub fn total_entries(&self) -> i64 {
        self.feeds.iter().map(|f| f.entries).sum()
    }

    pub fn selected_feed(&self) -> Option<&Feed> {
        match self.rows().into_iter().nth(self.selected) {
            Some(FeedRow::Feed { index, .. }) => self.feeds.get(index),
            _ => None,
        }
    }

    /// The existing folder `input` starts (ignoring case), for the move-to-folder prompt's
    /// completion; the first by name when several do.
    pub fn folder_completion(&self, input: &str) -> Option<&str> {
        let lower = input.to_lowercase();
        crate::model::with_parents(self.feeds.iter().filter_map(|f| f.folder.as_deref()))
            .into_iter()
            .filter(|name| name.len() > input.len() && name.to_lowercase().starts_with(&lower))
            .min()
    }

    /// Mirrors a folder rename the cache has made (nested folders follow), so that the cursor
    /// and the closed folders stay on it.
    pub fn rename_folder(&mut self, old: &str, new: &str) {
        let renamed = |name: &str| {
            crate::model::in_folder(old, name).then(|| format!("{new}{}", &name[old.len()..]))
        };
        for f in &mut self.feeds {
            if let Some(n) = f.folder.as_deref().and_then(renamed) {
                f.folder = Some(n);
            }
        }
        self.folded = std::mem::take(&mut self.folded)
            .into_iter()
            .map(|name| renamed(&name).unwrap_or(name))
            .collect();
    }

    /// A feed's title as the status line names it.
    pub fn title_of(&self, id: FeedId) -> String {
        self.feeds
            .iter()
            .find(|f| f.id == id)
            .map_or_else(|| format!("feed {id}"), |f| scrub_line(&f.title))
    }
}
