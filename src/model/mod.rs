//! Plain data shared by every layer: what a feed, an entry, a month and a DOI are.
//! Also the folder-path rules (a folder's stored name, nesting) that the store, sync and the
//! reader all apply, so none of them reaches up into the library for them, and (`identity`)
//! the key an entry is stored under, which the parser assigns and the store matches on.
//!
//! Layer: the bottom. May use `crate::text::scrub` (folder names are scrubbed) and the paper
//! types of `crate::text::ids` (what the parser finds is stored as found), nothing else.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::text::ids::{CoinsCitation, FoundPaper};
use crate::text::scrub::scrub_line;

pub mod identity;

pub type FeedId = i64;
pub type EntryId = i64;

/// A subscription as the cache holds it, with its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feed {
    pub id: FeedId,
    pub title: String,
    pub url: String,
    pub site_url: Option<String>,
    pub entries: i64,
    pub unread: i64,
    pub last_fetched: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// What the parser repaired in the last document stored (see `ParsedFeed::warning`).
    pub warning: Option<String>,
    pub gone: bool,
    /// The folder it is in (`Outer/Inner` when nested), if any.
    pub folder: Option<String>,
    /// The title the user gave it (`title` shows it); refreshes never change it.
    pub user_title: Option<String>,
    /// The feed's stream id on the sync account (`feed/1`); `None` for a local feed.
    pub remote_id: Option<String>,
    #[serde(skip)]
    pub etag: Option<String>,
    #[serde(skip)]
    pub last_modified: Option<String>,
}

/// Where a DOI was found in an entry, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DoiSource {
    /// `prism:doi`, `dc:identifier`, `arxiv:doi` elements.
    Meta,
    /// The target of a link (doi.org, dx.doi.org, publisher `/doi/10.` URLs).
    Link,
    /// The text of the post.
    Text,
}

impl DoiSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DoiSource::Meta => "meta",
            DoiSource::Link => "link",
            DoiSource::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<DoiSource> {
        match s {
            "meta" => Some(DoiSource::Meta),
            "link" => Some(DoiSource::Link),
            "text" => Some(DoiSource::Text),
            _ => None,
        }
    }
}

/// One DOI found in an entry. `key` is the lowercased DOI (the identity), `doi` the form first seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundDoi {
    pub doi: String,
    #[serde(skip)]
    pub key: String,
    pub source: DoiSource,
}

/// An entry as parsed from a feed document, before it is stored. All text is already scrubbed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewEntry {
    /// The feed's guid/id; else the link (with the date or a hash when several items share it);
    /// else a hash of title + date (see `feeds::parse::entry_key`).
    pub guid: String,
    pub title: String,
    pub link: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The full body as HTML (content:encoded, atom:content, ...), if any.
    pub content_html: Option<String>,
    /// The summary/description as HTML, if any.
    pub summary_html: Option<String>,
    /// Cheap plain text of the body, for the search index (not for display).
    pub text: String,
    pub dois: Vec<FoundDoi>,
    /// Every paper the entry cites (DOIs, arXiv, PubMed, PMC, COinS), each once.
    pub papers: Vec<FoundPaper>,
}

/// Links a feed document carries for paging through its history (RFC 5005, JSON Feed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PagingLinks {
    pub prev_archive: Option<String>,
    pub next: Option<String>,
    /// `fh:complete`: this document holds the whole feed.
    pub complete: bool,
}

/// A whole feed document, parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub generator: Option<String>,
    pub paging: PagingLinks,
    pub entries: Vec<NewEntry>,
    /// What the parser repaired to read an ill-formed document (`repaired: 1 unescaped '&'
    /// (line 12)`): the feed's warning until a clean fetch.
    pub warning: Option<String>,
}

/// A row of an entry listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntrySummary {
    pub id: EntryId,
    pub feed_id: FeedId,
    pub feed_title: String,
    pub title: String,
    pub link: Option<String>,
    /// The feed's own published date.
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The date the reader shows and the month comes from: published, else updated.
    pub date: Option<DateTime<Utc>>,
    pub month: String,
    pub read: bool,
    /// Saved for later; independent of `read`.
    pub starred: bool,
    pub dois: Vec<String>,
}

/// A folder with the totals of its feeds (nested folders' feeds included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderCount {
    /// `Outer/Inner` when nested.
    pub name: String,
    pub feeds: i64,
    pub entries: i64,
    pub unread: i64,
}

/// One entry with its body, for reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: EntryId,
    pub feed_id: FeedId,
    pub feed_title: String,
    pub guid: String,
    pub title: String,
    pub link: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub first_seen: DateTime<Utc>,
    pub month: String,
    pub read: bool,
    pub starred: bool,
    pub content_html: Option<String>,
    pub summary_html: Option<String>,
    pub dois: Vec<FoundDoi>,
    /// The papers it cites (DOIs, arXiv, PubMed, PMC), aliases merged, in the order found.
    #[serde(skip)]
    pub papers: Vec<CitedPaper>,
}

/// A paper one entry cites: its canonical key, every key the entry names it by (the canonical
/// one first), and the citation its COinS span gave.
#[derive(Debug, Clone, PartialEq)]
pub struct CitedPaper {
    pub key: String,
    pub ids: Vec<String>,
    pub coins: Option<CoinsCitation>,
}

impl Entry {
    /// The body to display: the full content, else the summary, else nothing.
    pub fn body_html(&self) -> &str {
        self.content_html
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .or(self.summary_html.as_deref())
            .unwrap_or("")
    }

    /// The papers it cites that none of its DOIs names (arXiv and PubMed records, a COinS
    /// span's DOI), each once.
    pub fn papers_beyond_dois(&self) -> impl Iterator<Item = &CitedPaper> {
        self.papers.iter().filter(|p| {
            !p.ids.iter().any(|id| {
                id.strip_prefix("doi:").is_some_and(|doi| {
                    self.dois
                        .iter()
                        .any(|d| d.key == crate::text::doi::key(doi))
                })
            })
        })
    }
}

/// A month of the archive with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCount {
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub count: i64,
    pub unread: i64,
    /// Distinct DOIs cited by the month's entries.
    pub papers: i64,
}

impl MonthCount {
    /// Sets each month's papers from `(month, papers)` pairs, counted apart from the months;
    /// a month not named has none.
    pub fn fill_papers(months: &mut [MonthCount], papers: &[(String, i64)]) {
        let by_month: std::collections::HashMap<&str, i64> =
            papers.iter().map(|(m, n)| (m.as_str(), *n)).collect();
        for m in months {
            m.papers = by_month.get(m.month.as_str()).copied().unwrap_or(0);
        }
    }
}

/// A DOI with the entry that cites it, for `dois` listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoiRow {
    pub doi: String,
    pub entry_id: EntryId,
    pub entry_title: String,
    pub source: DoiSource,
}

/// A paper cited in a listing's scope, once, with the entries citing it there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaperRow {
    /// Its canonical key (`doi:10.1111/hsc.12135`, `arxiv:2401.12345`, `pmid:23193287`).
    pub key: String,
    /// Every key it is known by (its own first), each once.
    pub ids: Vec<String>,
    /// The entries citing it in the scope, newest first.
    pub cited_by: Vec<EntryId>,
    /// Their feeds, each once, in the order of `cited_by`.
    pub feeds: Vec<FeedId>,
    /// The date of the oldest and the newest entry citing it.
    pub first_cited: DateTime<Utc>,
    pub last_cited: DateTime<Utc>,
    /// The citation a COinS span gave for it, if any.
    #[serde(skip)]
    pub coins: Option<CoinsCitation>,
}

/// The month key (`YYYY-MM`) of a UTC instant.
pub fn month_of(t: DateTime<Utc>) -> String {
    t.format("%Y-%m").to_string()
}

/// A folder name with nothing left in it once cleaned (the cleaned input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a folder name: write a name, with `/` between nested folders (Outer/Inner)")]
pub struct BadFolder(pub String);

/// A folder name as stored: control characters scrubbed, each `/`-separated part trimmed,
/// empty parts dropped (`" Science // Psych "` is `Science/Psych`).
pub fn folder_name(input: &str) -> Result<String, BadFolder> {
    let clean = scrub_line(input);
    let parts: Vec<&str> = clean
        .split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(BadFolder(clean));
    }
    Ok(parts.join("/"))
}

/// Whether `folder` is `name` or nested in it (`Sci` does not hold `Science`): the rule of
/// `store::query::IN_FOLDER`, for counts the reader sums from feeds it already has.
pub fn in_folder(name: &str, folder: &str) -> bool {
    folder
        .strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The folders `names` make: each name and every folder it is nested in (`A/B/C` gives `A`,
/// `A/B` and `A/B/C`). A parent that holds no feed directly is a folder all the same: it can be
/// listed, shown, renamed and named in `--folder`.
pub fn with_parents<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for name in names {
        out.extend(name.match_indices('/').map(|(at, _)| &name[..at]));
        out.insert(name);
    }
    out
}
