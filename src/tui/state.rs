//! The reader's state: plain data that `update` changes and the views draw.

use std::collections::BTreeSet;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::model::{Entry, EntryId, EntrySummary, Feed, FeedId, MonthCount};
use crate::scrub::scrub_line;
use crate::store::ListQuery;
use crate::text::{Line, Span, TextStyle};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Unread,
    Feed(FeedId),
}

/// The Feeds pane: "All feeds", "Unread", then one row per subscription.
#[derive(Debug, Clone, Default)]
pub struct FeedsState {
    pub feeds: Vec<Feed>,
    pub selected: usize,
    pub offset: usize,
    /// False until the first load: an empty list only means "no subscriptions" after it.
    pub loaded: bool,
}

impl FeedsState {
    pub fn row_count(&self) -> usize {
        self.feeds.len() + 2
    }

    pub fn scope(&self) -> Scope {
        match self.selected {
            0 => Scope::All,
            1 => Scope::Unread,
            n => self
                .feeds
                .get(n - 2)
                .map_or(Scope::All, |f| Scope::Feed(f.id)),
        }
    }

    /// The feed the archive and listings are restricted to.
    pub fn feed_id(&self) -> Option<FeedId> {
        match self.scope() {
            Scope::Feed(id) => Some(id),
            _ => None,
        }
    }

    pub fn total_unread(&self) -> i64 {
        self.feeds.iter().map(|f| f.unread).sum()
    }

    pub fn total_entries(&self) -> i64 {
        self.feeds.iter().map(|f| f.entries).sum()
    }

    pub fn selected_feed(&self) -> Option<&Feed> {
        self.selected.checked_sub(2).and_then(|i| self.feeds.get(i))
    }
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
    /// The feed whose months these are (`None`: all feeds).
    pub feed: Option<FeedId>,
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
        feed: Option<FeedId>,
        month: String,
    },
    Unread {
        feed: Option<FeedId>,
    },
    Search {
        feed: Option<FeedId>,
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
            EntrySource::Month { feed, month } => {
                q.feed = *feed;
                q.month = Some(month.clone());
            }
            EntrySource::Unread { feed } => {
                q.feed = *feed;
                q.unread_only = true;
            }
            EntrySource::Search { feed, query } => {
                q.feed = *feed;
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

/// The Reader pane: one entry, rendered at `width`.
#[derive(Debug, Clone)]
pub struct ReaderState {
    pub entry: Entry,
    /// The width `lines` were rendered for; a resize re-renders.
    pub width: u16,
    pub lines: Vec<Line>,
    /// The post's links, numbered from 1 in the text.
    pub links: Vec<String>,
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
            links: Vec::new(),
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
        let heading = TextStyle {
            heading: true,
            bold: true,
            ..TextStyle::default()
        };
        let plain = TextStyle::default();
        let link = TextStyle {
            link: true,
            ..TextStyle::default()
        };
        for l in wrap(&scrub_line(&e.title), w) {
            lines.push(styled(l, heading));
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
                lines.push(styled(l, link));
            }
        }
        lines.push(Line::default());
        let rendered = crate::text::render_html(e.body_html(), w);
        if rendered.lines.iter().all(|l| l.plain().trim().is_empty()) {
            lines.push(styled("(this entry has no text)".into(), plain));
        } else {
            lines.extend(rendered.lines);
        }
        if !rendered.links.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Links".into(), heading));
            for (i, u) in rendered.links.iter().enumerate() {
                let text = format!("[{}] {}", i + 1, scrub_line(u));
                for l in wrap(&text, w) {
                    lines.push(styled(l, link));
                }
            }
        }
        if !e.dois.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Papers (DOIs)".into(), heading));
            for d in &e.dois {
                let text = format!("doi:{}", scrub_line(&d.doi));
                for l in wrap(&text, w) {
                    lines.push(styled(l, link));
                }
            }
        }
        self.links = rendered.links.iter().map(|u| scrub_line(u)).collect();
        self.lines = lines;
        self.width = width;
        self.matches = match &self.search {
            Some(q) => match_lines(&self.lines, q),
            None => Vec::new(),
        };
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    /// Everything the link list offers: the post's links, then its DOIs at doi.org.
    pub fn link_items(&self) -> Vec<(String, String)> {
        let mut items: Vec<(String, String)> = self
            .links
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("[{}]", i + 1), u.clone()))
            .collect();
        items.extend(self.entry.dois.iter().map(|d| {
            let doi = scrub_line(&d.doi);
            (format!("doi:{doi}"), format!("https://doi.org/{doi}"))
        }));
        items
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
        let ww = word.width();
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
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if line_w + cw > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push(c);
            line_w += cw;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// The kind of one-line prompt open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    AddFeed,
    JumpMonth,
    Search,
    ImportOpml,
}

impl PromptKind {
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::AddFeed => "Add feed (URL)",
            PromptKind::JumpMonth => "Jump to month (YYYY-MM)",
            PromptKind::Search => "Search",
            PromptKind::ImportOpml => "Import OPML file (path)",
        }
    }
}

/// A window drawn over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help { scroll: usize },
    LinkList { selected: usize },
    Prompt { kind: PromptKind, input: String },
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
        }
    }

    /// The welcome screen shows while the cache has no subscriptions.
    pub fn welcome(&self) -> bool {
        self.feeds.loaded && self.feeds.feeds.is_empty()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status.message = Some(Message {
            text: scrub_line(&text.into()),
            error: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status.message = Some(Message {
            text: scrub_line(&text.into()),
            error: true,
        });
    }
}
