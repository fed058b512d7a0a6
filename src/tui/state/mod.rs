//! The reader's state: plain data that `update` changes and the views draw. One file per pane
//! (`feeds`, `archive`, `entries`, `reader`) and one for the overlays; the whole [`App`] and its
//! status line here.

use std::path::PathBuf;
use std::sync::Arc;

use crate::feeds::backfill::BackfillReport;
use crate::papers::styles::CitationStyle;
use crate::text::scrub::scrub_line;

use super::keymap::Keymap;
use super::theme::Theme;

mod access;
mod archive;
mod entries;
mod feeds;
mod health;
mod overlay;
mod papers;
mod reader;

pub use access::{doi_row_key, AccessState};
pub use archive::{fill_empty_months, year_of, ArchiveRow, ArchiveState};
pub use entries::{EntriesState, EntrySource};
pub use feeds::{FeedRow, FeedsState, Filter, Scope};
pub use health::HealthView;
pub use overlay::{Confirmed, Overlay, PromptKind};
pub use papers::{PaperPosts, PapersScope, PapersState};
pub use reader::{match_lines, search_words, wrap, wrap_styled, Cite, LinkItem, ReaderState};

/// Entries are loaded this many at a time; more are paged in as the selection nears the end.
pub const PAGE: usize = 200;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pane {
    Feeds,
    Archive,
    Entries,
    /// The Papers view, drawn where the Entries pane is.
    Papers,
    Reader,
}

/// A message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// The status line.
#[derive(Debug, Clone, Default)]
pub struct StatusState {
    pub message: Option<Message>,
    /// `(done, total)` while a refresh runs.
    pub refresh: Option<(usize, usize)>,
    /// A feed add is running in the background.
    pub adding: bool,
    /// A backfill is running in the background.
    pub backfill: Option<BackfillStatus>,
    /// The message is a config warning that stays until the user's first key: the refresh on
    /// start must not replace it before it was seen.
    pub pinned: bool,
}

/// Progress of the running backfill.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackfillStatus {
    /// Feeds in this run (0 until the worker starts).
    pub total_feeds: usize,
    /// The feed being walked, counting from 1.
    pub feed_no: usize,
    /// The last page stored (of the current feed).
    pub page: usize,
    /// Entries added in the whole run.
    pub added: usize,
    /// One report per feed done.
    pub reports: Vec<BackfillReport>,
}

impl BackfillStatus {
    /// "backfill: page 4, 37 new" (with "2/5" when several feeds are walked).
    pub fn progress(&self) -> String {
        let feeds = if self.total_feeds > 1 {
            format!(" {}/{}", self.feed_no, self.total_feeds)
        } else {
            String::new()
        };
        if self.page == 0 {
            format!("backfill{feeds}: starting")
        } else {
            format!("backfill{feeds}: page {}, {} new", self.page, self.added)
        }
    }
}

/// The whole reader.
#[derive(Debug, Clone)]
pub struct App {
    pub focus: Pane,
    pub feeds: FeedsState,
    pub archive: ArchiveState,
    pub entries: EntriesState,
    pub papers: PapersState,
    /// Open-access copies of the papers shown.
    pub access: AccessState,
    /// Paper health: flagged papers' lines, entries citing retracted papers.
    pub health: HealthView,
    pub reader: Option<ReaderState>,
    pub overlay: Option<Overlay>,
    pub status: StatusState,
    pub keymap: Keymap,
    pub theme: Theme,
    /// Terminal size (columns, rows): layout and paging derive from it.
    pub size: (u16, u16),
    /// The demo archive: no network.
    pub demo: bool,
    /// The DOI resolver base URL DOIs are opened at.
    pub resolver: String,
    /// `doi.bib_file` with `~/` expanded: where `B` appends BibTeX.
    pub bib_file: Option<PathBuf>,
    /// The citation style of `[papers] style`, which citation lines are shown in; `None` for
    /// the default (`CitationStyle::default_style`), decoded only once needed.
    pub style: Option<Arc<CitationStyle>>,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, size: (u16, u16), demo: bool) -> App {
        let mut status = StatusState::default();
        // Bad `[keys]` entries are reported, not fatal: the user sees them on the first screen.
        if !keymap.warnings.is_empty() {
            status.message = Some(Message {
                text: scrub_line(&keymap.warnings.join("; ")),
                error: true,
            });
            status.pinned = true;
        }
        App {
            focus: Pane::Entries,
            feeds: FeedsState::default(),
            archive: ArchiveState::default(),
            entries: EntriesState::default(),
            papers: PapersState::default(),
            access: AccessState::default(),
            health: HealthView::default(),
            reader: None,
            overlay: None,
            status,
            keymap,
            theme,
            size,
            demo,
            resolver: crate::text::doi::DEFAULT_RESOLVER.to_string(),
            bib_file: None,
            style: None,
        }
    }

    /// Shows problems found in the config (with any from `[keys]`) on the first screen.
    pub fn startup_warnings(&mut self, warnings: &[String]) {
        if warnings.is_empty() {
            return;
        }
        let mut all: Vec<String> = warnings.to_vec();
        if let Some(m) = self.status.message.take() {
            all.push(m.text);
        }
        self.error(format!("config: {}", all.join("; ")));
        self.status.pinned = true;
    }

    /// The link list's rows for the open entry.
    pub fn link_items(&self) -> Vec<LinkItem> {
        self.reader
            .as_ref()
            .map(|r| r.link_items(&self.resolver))
            .unwrap_or_default()
    }

    /// The list in the right column: the Papers view when it shows, else the entries.
    pub fn list_pane(&self) -> Pane {
        if self.papers.showing() {
            Pane::Papers
        } else {
            Pane::Entries
        }
    }

    /// The welcome screen shows while the cache has no subscriptions.
    pub fn welcome(&self) -> bool {
        self.feeds.loaded && self.feeds.feeds.is_empty()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        if self.status.pinned {
            return;
        }
        self.status.message = Some(Message {
            text: scrub_line(&text.into()),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        // A new error replaces a pinned warning: it is as important and newer.
        self.status.pinned = false;
        self.status.message = Some(Message {
            text: scrub_line(&text.into()),
            error: true,
        });
    }
}
