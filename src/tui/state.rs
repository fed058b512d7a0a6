//! The reader's state: plain data that `update` changes and the views draw.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::archive::BackfillReport;
use crate::library::citations::CitationState;
use crate::model::{Entry, EntryId, EntrySummary, Feed, FeedId, MonthCount};
use crate::store::ListQuery;
use crate::text::render::{Line, Span, TextStyle};
use crate::text::scrub::{scrub_line, scrub_url};

use super::keymap::Keymap;
use super::theme::Theme;

/// Entries are loaded this many at a time; more are paged in as the selection nears the end.
pub const PAGE: usize = 200;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pane {
    Feeds,
    Archive,
    Entries,
    Reader,
}

/// What the Feeds pane's selected row stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Unread,
    Starred,
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

/// The Feeds pane: "All feeds", "Unread", "Starred", each folder (foldable, with its feeds),
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
        let mut rows = vec![FeedRow::All, FeedRow::Unread, FeedRow::Starred];
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
                | (FeedRow::Starred, Scope::Starred) => true,
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
            Scope::All | Scope::Unread => Filter::default(),
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

/// More months than this (200 years) are not filled in: the dates must be wrong.
const MAX_FILLED_MONTHS: usize = 2400;

/// `months` (newest first) with every month between the newest and the oldest present, the
/// missing ones as empty rows: for a feed whose whole history is cached, a month without posts
/// is a fact worth showing, not a gap. Unparsable months leave the list as it is.
pub fn fill_empty_months(months: Vec<MonthCount>) -> Vec<MonthCount> {
    let parse = |m: &MonthCount| -> Option<i64> {
        let (y, mo) = m.month.split_once('-')?;
        let (y, mo) = (y.parse::<i64>().ok()?, mo.parse::<i64>().ok()?);
        ((1..=12).contains(&mo) && m.month.len() == 7).then_some(y * 12 + mo - 1)
    };
    let keys: Option<Vec<i64>> = months.iter().map(parse).collect();
    let Some(keys) = keys else {
        return months;
    };
    let (Some(&newest), Some(&oldest)) = (keys.first(), keys.last()) else {
        return months;
    };
    let sorted = keys.windows(2).all(|w| w[0] > w[1]);
    let span = usize::try_from(newest - oldest).unwrap_or(usize::MAX);
    if !sorted || span >= MAX_FILLED_MONTHS {
        return months;
    }
    let mut out = Vec::with_capacity(span + 1);
    let mut given = months.into_iter().zip(keys).peekable();
    for k in (oldest..=newest).rev() {
        match given.next_if(|(_, gk)| *gk == k) {
            Some((m, _)) => out.push(m),
            None => out.push(MonthCount {
                month: format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
                count: 0,
                unread: 0,
                papers: 0,
            }),
        }
    }
    out
}

/// One visible row of the Archive tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveRow {
    Year {
        year: String,
        count: i64,
        unread: i64,
        folded: bool,
    },
    /// Index into `ArchiveState::months`.
    Month(usize),
}

/// The Archive pane: Year ▸ Month, newest first.
#[derive(Debug, Clone, Default)]
pub struct ArchiveState {
    /// Whose months these are (all feeds, a feed, a folder, the starred entries).
    pub filter: Filter,
    pub months: Vec<MonthCount>,
    pub folded: BTreeSet<String>,
    /// Index into `rows()`.
    pub selected: usize,
    pub offset: usize,
}

impl ArchiveState {
    /// The visible rows: each year, then its months unless the year is folded.
    pub fn rows(&self) -> Vec<ArchiveRow> {
        let mut rows = Vec::new();
        let mut i = 0;
        while i < self.months.len() {
            let year = year_of(&self.months[i].month).to_string();
            let start = i;
            while i < self.months.len() && year_of(&self.months[i].month) == year {
                i += 1;
            }
            let folded = self.folded.contains(&year);
            let (count, unread) = self.months[start..i]
                .iter()
                .fold((0, 0), |(c, u), m| (c + m.count, u + m.unread));
            rows.push(ArchiveRow::Year {
                year,
                count,
                unread,
                folded,
            });
            if !folded {
                rows.extend((start..i).map(ArchiveRow::Month));
            }
        }
        rows
    }

    /// The row index showing month `idx` (its year row when the year is folded).
    pub fn row_of_month(&self, idx: usize) -> Option<usize> {
        let target = self.months.get(idx)?;
        let year = year_of(&target.month);
        self.rows().iter().position(|r| match r {
            ArchiveRow::Month(i) => *i == idx,
            ArchiveRow::Year {
                year: y, folded, ..
            } => *folded && y == year,
        })
    }

    pub fn month_index(&self, month: &str) -> Option<usize> {
        self.months.iter().position(|m| m.month == month)
    }
}

/// The first four characters of `YYYY-MM` (the whole string if shorter).
pub fn year_of(month: &str) -> &str {
    month.get(..4).unwrap_or(month)
}

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
    /// The entry to select when the listing next loads (kept by id across reloads).
    pub keep: Option<EntryId>,
}

impl EntriesState {
    pub fn selected_entry(&self) -> Option<&EntrySummary> {
        self.rows.get(self.selected)
    }
}

/// What the reader knows of one DOI's citation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cite {
    /// A background look-up is under way.
    Resolving,
    Known(CitationState),
    /// Not cached, and not looked up (the demo archive never uses the network).
    NotLookedUp,
}

/// One row of the link list: a DOI (with its citation) or a numbered link of the post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    /// `doi:10.…` or `[3]`.
    pub label: String,
    /// What Enter opens.
    pub url: String,
    /// DOI rows: the DOI, scrubbed.
    pub doi: Option<String>,
    /// DOI rows: the citation line, or where its look-up stands.
    pub citation: Option<String>,
    /// DOI rows: `citation` is a real citation (not a status).
    pub found: bool,
}

/// The Reader pane: one entry, rendered at `width`.
#[derive(Debug, Clone)]
pub struct ReaderState {
    pub entry: Entry,
    /// The width `lines` were rendered for; a resize re-renders.
    pub width: u16,
    pub lines: Vec<Line>,
    /// Header, text and links: everything but the papers, which change as citations arrive.
    body: Vec<Line>,
    /// The post's links, numbered from 1 in the text.
    pub links: Vec<String>,
    /// Citations by DOI key (lowercase); a DOI missing here is about to be looked up.
    pub citations: BTreeMap<String, Cite>,
    pub scroll: usize,
    /// Search words to highlight, from the search the entry was opened from.
    pub search: Option<String>,
    /// Lines holding a search word.
    pub matches: Vec<usize>,
}

impl ReaderState {
    pub fn new(entry: Entry, width: u16, search: Option<String>) -> ReaderState {
        let mut r = ReaderState {
            entry,
            width: 0,
            lines: Vec::new(),
            body: Vec::new(),
            links: Vec::new(),
            citations: BTreeMap::new(),
            scroll: 0,
            search,
            matches: Vec::new(),
        };
        r.render(width);
        r
    }

    /// Renders the entry for `width` columns (header, body, then links and DOIs).
    pub fn render(&mut self, width: u16) {
        if width == self.width && !self.lines.is_empty() {
            return;
        }
        let w = usize::from(width.max(1));
        let e = &self.entry;
        let mut lines = Vec::new();
        let plain = TextStyle::default();
        for l in wrap(&scrub_line(&e.title), w) {
            lines.push(styled(l, heading()));
        }
        let mut meta = vec![scrub_line(&e.feed_title)];
        if !e.authors.is_empty() {
            let authors: Vec<String> = e.authors.iter().map(|a| scrub_line(a)).collect();
            meta.push(authors.join(", "));
        }
        if let Some(p) = e.published {
            meta.push(p.format("%Y-%m-%d").to_string());
        }
        for l in wrap(&meta.join(" · "), w) {
            lines.push(styled(
                l,
                TextStyle {
                    italic: true,
                    ..plain
                },
            ));
        }
        if let Some(u) = &e.link {
            for l in wrap(&scrub_line(u), w) {
                lines.push(styled(l, link()));
            }
        }
        lines.push(Line::default());
        let rendered = crate::text::render::render_html(e.body_html(), w);
        if rendered.lines.iter().all(|l| l.plain().trim().is_empty()) {
            lines.push(styled("(this entry has no text)".into(), plain));
        } else {
            lines.extend(rendered.lines);
        }
        if !rendered.links.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Links".into(), heading()));
            for (i, u) in rendered.links.iter().enumerate() {
                let text = format!("[{}] {}", i + 1, scrub_line(u));
                for l in wrap(&text, w) {
                    lines.push(styled(l, link()));
                }
            }
        }
        self.links = rendered.links.iter().map(|u| scrub_url(u)).collect();
        self.body = lines;
        self.width = width;
        self.refresh_papers();
    }

    /// Rebuilds the text's papers section (after the body) from what is known of the citations.
    pub fn refresh_papers(&mut self) {
        let w = usize::from(self.width.max(1));
        let mut lines = self.body.clone();
        if !self.entry.dois.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Papers (DOIs)".into(), heading()));
            for d in &self.entry.dois {
                let doi = scrub_line(&d.doi);
                let text = match self.citation_state(&d.doi) {
                    // A citation line already ends with the DOI.
                    Some(CitationState::Found { citation }) => scrub_line(&citation.line()),
                    _ => format!("doi:{doi} ({})", self.citation_text(&d.doi)),
                };
                // A hanging indent keeps one paper apart from the next.
                for (i, l) in wrap(&text, w.saturating_sub(2)).into_iter().enumerate() {
                    let lead = if i == 0 { "• " } else { "  " };
                    lines.push(styled(format!("{lead}{l}"), link()));
                }
            }
        }
        self.lines = lines;
        self.matches = match &self.search {
            Some(q) => match_lines(&self.lines, q),
            None => Vec::new(),
        };
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    fn citation_state(&self, doi: &str) -> Option<&CitationState> {
        match self.citations.get(&crate::text::doi::key(doi)) {
            Some(Cite::Known(s)) => Some(s),
            _ => None,
        }
    }

    /// One line about `doi`'s citation: the citation itself, or where its look-up stands.
    pub fn citation_text(&self, doi: &str) -> String {
        match self.citations.get(&crate::text::doi::key(doi)) {
            Some(Cite::Known(CitationState::Found { citation })) => scrub_line(&citation.line()),
            Some(Cite::Known(CitationState::NotFound)) => {
                "not found at the DOI resolver".to_string()
            }
            Some(Cite::Known(CitationState::Failed { reason })) => {
                format!("look-up failed: {}", scrub_line(reason))
            }
            Some(Cite::NotLookedUp) => "not looked up (no network in the demo)".to_string(),
            Some(Cite::Resolving) | None => "resolving…".to_string(),
        }
    }

    /// Everything the link list offers: the post's DOIs first (opened at `resolver`), each with
    /// its citation, then its numbered links.
    pub fn link_items(&self, resolver: &str) -> Vec<LinkItem> {
        let mut items: Vec<LinkItem> = self
            .entry
            .dois
            .iter()
            .map(|d| {
                let doi = scrub_line(&d.doi);
                LinkItem {
                    label: format!("doi:{doi}"),
                    // Cached DOIs were normalised (no whitespace or controls): never empty.
                    url: crate::text::doi::doi_url(resolver, &d.doi)
                        .map(|u| scrub_url(&u))
                        .unwrap_or_default(),
                    citation: Some(self.citation_text(&d.doi)),
                    found: self
                        .citation_state(&d.doi)
                        .is_some_and(|s| matches!(s, CitationState::Found { .. })),
                    doi: Some(doi),
                }
            })
            .collect();
        items.extend(self.links.iter().enumerate().map(|(i, u)| LinkItem {
            label: format!("[{}]", i + 1),
            url: u.clone(),
            doi: None,
            citation: None,
            found: false,
        }));
        items
    }
}

fn heading() -> TextStyle {
    TextStyle {
        heading: true,
        bold: true,
        ..TextStyle::default()
    }
}

fn link() -> TextStyle {
    TextStyle {
        link: true,
        ..TextStyle::default()
    }
}

fn styled(text: String, style: TextStyle) -> Line {
    Line {
        spans: vec![Span { text, style }],
    }
}

/// The lowercased words of a search, as matched in the reader.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_lowercase)
        .collect()
}

/// Indexes of the lines that contain any of the query's words (case-insensitive).
pub fn match_lines(lines: &[Line], query: &str) -> Vec<usize> {
    let words = search_words(query);
    if words.is_empty() {
        return Vec::new();
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let text = l.plain().to_lowercase();
            words.iter().any(|w| text.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Word-wraps one line of text to `width` columns, breaking words longer than a line (URLs).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut line_w = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let ww = crate::text::width::width(word);
        let sep = usize::from(!line.is_empty());
        if line_w + sep + ww <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            line_w += sep + ww;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
            line_w = 0;
        }
        for (g, gw) in crate::text::width::clusters(word) {
            if line_w + gw > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push_str(g);
            line_w += gw;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// The kind of one-line prompt open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    AddFeed,
    JumpMonth,
    Search,
    ImportOpml,
    /// Move this feed to a folder.
    MoveToFolder(FeedId),
    /// Give this feed a title of the user's own.
    RenameFeed(FeedId),
    /// Rename this folder (the folders nested in it follow).
    RenameFolder(String),
}

impl PromptKind {
    pub fn label(&self) -> &'static str {
        match self {
            PromptKind::AddFeed => "Add feed (URL)",
            PromptKind::JumpMonth => "Jump to month (YYYY-MM)",
            PromptKind::Search => "Search",
            PromptKind::ImportOpml => "Import OPML file (path)",
            PromptKind::MoveToFolder(_) => {
                "Move to folder (Outer/Inner; Tab completes; - for none)"
            }
            PromptKind::RenameFeed(_) => "Rename feed (- for the feed's own title)",
            PromptKind::RenameFolder(_) => "Rename folder (Outer/Inner)",
        }
    }
}

/// A window drawn over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    LinkList {
        selected: usize,
    },
    Prompt {
        kind: PromptKind,
        input: String,
    },
    /// A yes/no question on the status line: `y` does `then`, `n` or Esc does nothing.
    Confirm {
        question: String,
        then: Confirmed,
    },
}

/// What a confirmed question does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    RemoveFeed(FeedId),
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
            reader: None,
            overlay: None,
            status,
            keymap,
            theme,
            size,
            demo,
            resolver: crate::text::doi::DEFAULT_RESOLVER.to_string(),
            bib_file: None,
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
