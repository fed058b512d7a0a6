//! The library API: the one door to the cache and the network that the CLI and the TUI share.
//!
//! The folder: this file holds [`Library`] and its [`Error`], opening, adding and refreshing
//! feeds; `citations` (DOIs to citations, BibTeX) and `organize` (folders, stars, titles, bulk
//! read) are more `impl Library`, one file per concern.
//!
//! Layer: just below the front ends (`crate::cli`, `crate::tui`). May use everything below it:
//! feeds, papers, sync, net, store, text, model, config and paths; nothing below may use it.

pub mod access;
pub mod citations;
pub mod fills;
pub mod health;
mod organize;
mod paper_services;
pub use paper_services::{arxiv_gap, service_of};
pub mod papers;
mod papers_scan;
pub mod save;

// The door's wrappers over the sync engine and the backfill driver (they own no SQL or HTTP).
mod backfill;
mod sync;

use std::sync::Arc;

use chrono::Utc;
use serde::Serialize;

use crate::config::Config;
use crate::feeds::opml::{OpmlFeed, OpmlImport};
use crate::feeds::parse::ParseError;
use crate::model::{
    DoiRow, Entry, EntryId, EntrySummary, Feed, FeedId, MonthCount, PaperRow, ParsedFeed,
};
use crate::net::{FetchError, Fetcher, Validators};
use crate::paths::Paths;
use crate::store::{DoiScope, FeedUpdate, ListQuery, Stats, Store, StoreError};

/// What can go wrong in a library call. Each message says what failed and, where it helps, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cache {path}: {source}")]
    Store { path: String, source: StoreError },
    /// A cache error whose file is named in its own message (or needs no name).
    #[error(transparent)]
    Cache(StoreError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("{0}")]
    Opml(#[from] crate::feeds::opml::OpmlError),
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the data directory {path} is read-only: paperboy keeps its cache there and must write to it (make it writable, or use --data-dir DIR)")]
    ReadOnly { path: String },
    #[error(
        "no feed matches `{0}` (give an id, a URL or an exact title; `paperboy feeds` lists them)"
    )]
    NoSuchFeed(String),
    #[error("no folder is named `{0}` (`paperboy folders` lists them)")]
    NoSuchFolder(String),
    #[error(transparent)]
    BadFolder(#[from] crate::model::BadFolder),
    #[error("a feed's title cannot be empty (`--reset` returns to the feed's own title)")]
    EmptyTitle,
    #[error("no entry with id {0} (`paperboy list` shows ids)")]
    NoSuchEntry(EntryId),
    #[error("{url}: {reason}")]
    NotAFeed { url: String, reason: String },
    #[error("{}: {reason}", citations::label(doi))]
    Citation { doi: String, reason: String },
    #[error("an account feed's title is the server's: give the title to set (`paperboy rename FEED TITLE`)")]
    AccountTitle,
    /// A sync's or an account change's error (a cache error in one is [`Error::Store`]).
    #[error(transparent)]
    Sync(crate::sync::Error),
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
    /// Saving a paper to Zotero or `[papers] save_command`.
    #[error(transparent)]
    Save(#[from] save::SaveError),
}

impl From<StoreError> for Error {
    fn from(source: StoreError) -> Self {
        Error::Cache(source)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// How a feed's refresh ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshStatus {
    Updated,
    NotModified,
    Error,
}

/// One feed's result of a refresh (the `--json` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedReport {
    pub feed_id: FeedId,
    pub url: String,
    #[serde(skip)]
    pub title: String,
    pub status: RefreshStatus,
    pub new: usize,
    pub error: Option<String>,
}

/// Progress of a refresh, reported as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshEvent {
    Started {
        total: usize,
    },
    FeedDone {
        done: usize,
        total: usize,
        report: FeedReport,
    },
}

/// What `add` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddReport {
    pub feed_id: FeedId,
    pub url: String,
    pub title: String,
    pub entries: usize,
    /// False when the URL was already subscribed.
    pub added: bool,
    /// The page the feed was discovered from, when a site page was given.
    pub discovered_from: Option<String>,
}

/// What an OPML import did.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub already: usize,
    pub skipped: Vec<(String, String)>,
}

/// The cache, the config and the network, behind one handle.
pub struct Library {
    paths: Paths,
    pub(crate) config: Config,
    pub(crate) store: Store,
    runtime: Option<Arc<tokio::runtime::Runtime>>,
}

impl Library {
    /// Opens (creating if needed) the cache in `paths.data_dir`.
    pub fn open(paths: Paths, mut config: Config) -> Result<Library> {
        // Every request, feeds and DOI look-ups alike, names the contact where one is set.
        config.fetch.user_agent = config.user_agent();
        std::fs::create_dir_all(&paths.data_dir).map_err(|source| Error::DataDir {
            path: paths.data_dir.display().to_string(),
            source,
        })?;
        let db = paths.db_file();
        let store = Store::open(&db).map_err(|source| {
            // SQLite's own words ("unable to open database file") do not say why.
            match (&source, tempfile::tempfile_in(&paths.data_dir)) {
                (StoreError::Open { .. }, Err(_)) => Error::ReadOnly {
                    path: paths.data_dir.display().to_string(),
                },
                _ => Error::Cache(source),
            }
        })?;
        Ok(Library {
            paths,
            config,
            store,
            runtime: None,
        })
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn store_err(&self, source: StoreError) -> Error {
        Error::Store {
            path: self.paths.db_file().display().to_string(),
            source,
        }
    }

    // ---- queries -------------------------------------------------------------------------

    pub fn stats(&self) -> Result<Stats> {
        self.store.stats().map_err(|e| self.store_err(e))
    }

    pub fn feeds(&self) -> Result<Vec<Feed>> {
        self.store.feeds().map_err(|e| self.store_err(e))
    }

    /// Every feed's id and the title shown for it (no counts: cheap at any size).
    pub fn feed_titles(&self) -> Result<Vec<(FeedId, String)>> {
        self.store.feed_titles().map_err(|e| self.store_err(e))
    }

    pub fn feed(&self, id: FeedId) -> Result<Option<Feed>> {
        self.store.feed(id).map_err(|e| self.store_err(e))
    }

    /// A feed named by id, URL or exact title.
    pub fn find_feed(&self, spec: &str) -> Result<Feed> {
        self.store
            .find_feed(spec)
            .map_err(|e| self.store_err(e))?
            .ok_or_else(|| Error::NoSuchFeed(crate::text::scrub::scrub_line(spec)))
    }

    pub fn months(&self, feed: Option<FeedId>) -> Result<Vec<MonthCount>> {
        self.store.months(feed).map_err(|e| self.store_err(e))
    }

    pub fn list(&self, q: &ListQuery) -> Result<Vec<EntrySummary>> {
        self.store.list(q).map_err(|e| self.store_err(e))
    }

    pub fn count(&self, q: &ListQuery) -> Result<i64> {
        self.store.count(q).map_err(|e| self.store_err(e))
    }

    /// Like [`Library::count`], but stops counting at `cap` (when given).
    pub fn count_at_most(&self, q: &ListQuery, cap: Option<usize>) -> Result<i64> {
        self.store
            .count_at_most(q, cap)
            .map_err(|e| self.store_err(e))
    }

    pub fn entry(&self, id: EntryId) -> Result<Entry> {
        self.store
            .entry(id)
            .map_err(|e| self.store_err(e))?
            .ok_or(Error::NoSuchEntry(id))
    }

    pub fn dois(&self, scope: &DoiScope) -> Result<Vec<DoiRow>> {
        self.store.dois(scope).map_err(|e| self.store_err(e))
    }

    /// The papers cited in `q`'s scope and month, each once, most-cited first (see
    /// [`Store::papers`](crate::store::Store::papers)).
    pub fn papers(&self, q: &ListQuery) -> Result<Vec<PaperRow>> {
        self.store.papers(q).map_err(|e| self.store_err(e))
    }

    /// The first `n` papers of `q`'s scope and how many there are, when kept counts give them
    /// at once (every month: all posts, unread or starred); `None` for other scopes.
    pub fn papers_first(&self, q: &ListQuery, n: usize) -> Result<Option<(Vec<PaperRow>, usize)>> {
        self.store.papers_first(q, n).map_err(|e| self.store_err(e))
    }

    /// The canonical key of the paper `key` names (an alias's paper, else `key` itself).
    pub fn paper_key(&self, key: &str) -> Result<String> {
        self.store.paper_key(key).map_err(|e| self.store_err(e))
    }

    // ---- changes -------------------------------------------------------------------------

    pub fn set_read(&mut self, ids: &[EntryId], read: bool) -> Result<usize> {
        let r = self.store.set_read(ids, read);
        r.map_err(|e| self.store_err(e))
    }

    pub fn mark_read(&mut self, q: &ListQuery) -> Result<usize> {
        let r = self.store.mark_read(q);
        r.map_err(|e| self.store_err(e))
    }

    pub fn remove_feed(&mut self, id: FeedId) -> Result<bool> {
        if let Some((stream, _)) = self.account_stream(id)? {
            // Unsubscribed there, the account's list no longer has it: the mirror removed it.
            self.remove_on_account(&stream)?;
            let r = self.store.remove_feed(id);
            r.map_err(|e| self.store_err(e))?;
            return Ok(true);
        }
        let r = self.store.remove_feed(id);
        r.map_err(|e| self.store_err(e))
    }

    /// Subscribes to every http(s) feed of an OPML document (without fetching them).
    pub fn import_opml(&mut self, bytes: &[u8]) -> Result<ImportReport> {
        let OpmlImport { feeds, skipped } = crate::feeds::opml::parse_opml(bytes)?;
        let mut report = ImportReport {
            skipped,
            ..ImportReport::default()
        };
        for f in feeds {
            let url = crate::net::urls::canonical_feed_url(&f.url);
            // The user's own title (paperboy's export marks it) stays over the feed's at every
            // refresh; any other title names the feed until its first fetch.
            let own = f.title.as_deref().filter(|_| f.own_title);
            let r = self
                .store
                .add_feed(&url, f.title.as_deref().filter(|_| own.is_none()));
            let (id, added) = r.map_err(|e| self.store_err(e))?;
            if let Some(title) = own {
                // Never over a title the user already gave this feed here.
                let r = self.store.set_user_title_if_none(id, title);
                r.map_err(|e| self.store_err(e))?;
            }
            // The OPML's folder, unless the feed is already in one of the user's.
            if let Some(folder) = f
                .category
                .as_deref()
                .and_then(|c| crate::model::folder_name(c).ok())
            {
                let r = self.store.set_folder_if_none(id, &folder);
                r.map_err(|e| self.store_err(e))?;
            }
            if added {
                report.added += 1;
            } else {
                report.already += 1;
            }
        }
        Ok(report)
    }

    /// Every subscription as OPML 2.0: the titles shown (the user's own when given), folders as
    /// nested outlines.
    pub fn export_opml(&self) -> Result<String> {
        let feeds = self.feeds()?;
        let rows: Vec<OpmlFeed> = feeds
            .into_iter()
            .map(|f| OpmlFeed {
                url: f.url,
                title: Some(f.title),
                site_url: f.site_url,
                category: f.folder,
                own_title: f.user_title.is_some(),
            })
            .collect();
        Ok(crate::feeds::opml::write_opml(
            &rows,
            "paperboy subscriptions",
        ))
    }

    /// Stores already-fetched feed documents as if they had been fetched (the demo archive).
    pub fn ingest_documents(&mut self, docs: &[(&str, &[u8])]) -> Result<usize> {
        let mut total = 0;
        for (url, bytes) in docs {
            let parsed = crate::feeds::parse::parse_feed(bytes, url)?;
            let title = parsed.title.clone();
            let r = self.store.add_feed(url, title.as_deref());
            let (id, _) = r.map_err(|e| self.store_err(e))?;
            let update = FeedUpdate {
                fetched_at: Utc::now(),
                status: 200,
                etag: None,
                last_modified: None,
                new_url: None,
                feed: &parsed,
            };
            let r = self.store.apply_update(id, &update);
            total += r.map_err(|e| self.store_err(e))?;
        }
        Ok(total)
    }

    /// Loads the embedded demo archive: its feeds, and the citations of the papers it cites.
    pub fn load_demo(&mut self) -> Result<usize> {
        let docs: Vec<(&str, &[u8])> = crate::demo::feeds()
            .iter()
            .map(|f| (f.url, f.bytes))
            .collect();
        let n = self.ingest_documents(&docs)?;
        for f in crate::demo::feeds() {
            if let Some(folder) = f.folder {
                let id = self.find_feed(f.url)?.id;
                self.set_folder(id, Some(folder))?;
            }
        }
        let blog = self.find_feed(crate::demo::BLOG.url)?.id;
        let q = ListQuery {
            feed: Some(blog),
            ..ListQuery::default()
        };
        let starred: Vec<EntryId> = self
            .list(&q)?
            .into_iter()
            .filter(|e| e.title == crate::demo::STARRED_TITLE)
            .map(|e| e.id)
            .collect();
        self.set_starred(&starred, true)?;
        let works: Vec<serde_json::Value> =
            serde_json::from_slice(crate::demo::CITATIONS_CSL_JSON).unwrap_or_default();
        for work in works {
            let Some(key) = demo_citation_key(&work) else {
                continue;
            };
            let cached = crate::store::CachedCitation {
                key,
                found: true,
                csl_json: Some(work.to_string()),
                bibtex: None,
                fetched_at: Utc::now(),
            };
            let r = self.store.put_citation(&cached);
            r.map_err(|e| self.store_err(e))?;
        }
        self.load_demo_health()?;
        Ok(n)
    }

    // ---- network -------------------------------------------------------------------------

    pub(crate) fn runtime(&mut self) -> Result<Arc<tokio::runtime::Runtime>> {
        if let Some(rt) = &self.runtime {
            return Ok(rt.clone());
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(e.to_string()))?;
        let rt = Arc::new(rt);
        self.runtime = Some(rt.clone());
        Ok(rt)
    }

    /// Subscribes to `url` (a feed, or a site page whose feed is found by autodiscovery) and
    /// fetches it once.
    pub fn add(&mut self, url: &str) -> Result<AddReport> {
        // With an account, a new subscription is the account's (every client sees it).
        if self.sync_configured() {
            return self.add_on_account(url);
        }
        self.add_fetched(url).map(|(report, _)| report)
    }

    /// [`Library::add`], also handing back the feed document it fetched (final URL, JSON or
    /// not, parsed) so that a backfill can start from it instead of fetching it again.
    pub(crate) fn add_fetched(
        &mut self,
        url: &str,
    ) -> Result<(AddReport, (String, bool, ParsedFeed))> {
        let checked = crate::net::urls::check_url(url)?;
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let rt = self.runtime()?;
        let (feed_url, fetched, parsed, discovered_from) =
            rt.block_on(fetch_feed_or_discover(&fetcher, checked.as_str()))?;
        let feed_url = crate::net::urls::canonical_feed_url(&feed_url);
        let (id, added) = {
            let title = parsed.title.clone();
            let r = self.store.add_feed(&feed_url, title.as_deref());
            r.map_err(|e| self.store_err(e))?
        };
        let update = FeedUpdate {
            fetched_at: Utc::now(),
            status: fetched.status,
            etag: fetched.etag.as_deref(),
            last_modified: fetched.last_modified.as_deref(),
            new_url: None,
            feed: &parsed,
        };
        let r = self.store.apply_update(id, &update);
        r.map_err(|e| self.store_err(e))?;
        let feed = self.feed(id)?;
        let report = AddReport {
            feed_id: id,
            url: feed_url,
            title: feed.as_ref().map(|f| f.title.clone()).unwrap_or_default(),
            entries: feed.map(|f| f.entries as usize).unwrap_or(0),
            added,
            discovered_from,
        };
        let json = crate::feeds::backfill::is_json(&fetched.body);
        Ok((report, (fetched.url, json, parsed)))
    }

    /// Refreshes `feeds` (all subscribed feeds that are not gone when empty), `jobs` at a time.
    /// Documents are stored in batches as they arrive (what arrives within [`GATHER`] of the
    /// first, one transaction: see `Store::apply_updates`), each feed standing or failing
    /// alone; a failure is recorded on its feed and never touches its entries.
    pub fn refresh(
        &mut self,
        feeds: &[FeedId],
        jobs: usize,
        on_event: &mut dyn FnMut(&RefreshEvent),
    ) -> Result<Vec<FeedReport>> {
        let all = self.feeds()?;
        // With an account configured, its feeds are the server's to fetch (`sync` pulls them).
        let synced = self.sync_configured();
        let targets: Vec<Feed> = if feeds.is_empty() {
            all.into_iter()
                .filter(|f| !(f.gone || synced && f.remote_id.is_some()))
                .collect()
        } else {
            all.into_iter().filter(|f| feeds.contains(&f.id)).collect()
        };
        let total = targets.len();
        on_event(&RefreshEvent::Started { total });
        if total == 0 {
            return Ok(Vec::new());
        }
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Arrived>(jobs.max(1) * 2);
        let jobs = jobs.max(1);
        let waiting = Arc::new(tokio::sync::Semaphore::new(WAITING_KIB));
        let budget = waiting.clone();
        let producer = rt.spawn(async move {
            use futures_util::stream::StreamExt;
            let stream = futures_util::stream::iter(targets.into_iter().map(|feed| {
                let fetcher = fetcher.clone();
                let waiting = waiting.clone();
                async move {
                    let (outcome, held) = fetch_and_parse(&fetcher, &feed, waiting).await;
                    (feed, outcome, held)
                }
            }))
            .buffer_unordered(jobs);
            futures_util::pin_mut!(stream);
            while let Some(item) = stream.next().await {
                if tx.send(item).await.is_err() {
                    break;
                }
            }
        });
        let mut reports = Vec::with_capacity(total);
        let mut total = total;
        while let Some(first) = rx.blocking_recv() {
            let batch = gather(&rt, &mut rx, first, &budget);
            for stored in self.store_batch(batch) {
                // Removed while it was fetched (`remove` in another process): skipped, not
                // failed; the store wrote nothing of it back.
                let Some(report) = stored else {
                    total -= 1;
                    continue;
                };
                reports.push(report.clone());
                on_event(&RefreshEvent::FeedDone {
                    done: reports.len(),
                    total,
                    report,
                });
            }
        }
        // The producer has finished once the channel closed; a panic there is a bug worth seeing.
        rt.block_on(producer)
            .map_err(|e| Error::Runtime(format!("refresh task failed: {e}")))?;
        Ok(reports)
    }

    /// Stores what arrived, the documents in one transaction (see `Store::apply_updates`); a
    /// report each, in order, `None` for a feed no longer in the cache. Their places in the
    /// budget of parsed documents are given back once they are stored.
    fn store_batch(&mut self, batch: Vec<Arrived>) -> Vec<Option<FeedReport>> {
        let now = Utc::now();
        let ups: Vec<(FeedId, FeedUpdate)> = batch
            .iter()
            .filter_map(|(feed, outcome, _)| match outcome {
                FetchOutcome::Updated {
                    status,
                    etag,
                    last_modified,
                    new_url,
                    parsed,
                } => Some((
                    feed.id,
                    FeedUpdate {
                        fetched_at: now,
                        status: *status,
                        etag: etag.as_deref(),
                        last_modified: last_modified.as_deref(),
                        new_url: new_url.as_deref(),
                        feed: parsed,
                    },
                )),
                _ => None,
            })
            .collect();
        let stored: Vec<_> = if ups.is_empty() {
            Vec::new()
        } else {
            match self.store.apply_updates(&ups) {
                Ok(results) => results.into_iter().map(Ok).collect(),
                // The commit failed: none of them was stored.
                Err(e) => {
                    let e = e.to_string();
                    ups.iter().map(|_| Err(e.clone())).collect()
                }
            }
        };
        let mut stored = stored.into_iter();
        drop(ups);
        let mut reports = Vec::with_capacity(batch.len());
        for (feed, outcome, _held) in batch {
            let report = match outcome {
                FetchOutcome::Updated { new_url, .. } => {
                    let result = stored.next().unwrap_or(Ok(Ok(0)));
                    updated_report(&feed, new_url, result)
                }
                other => self.store_outcome(&feed, other),
            };
            reports.push(report);
        }
        reports
    }

    /// Stores a fetch that brought no document (304 or a failure); `None` if the feed is no
    /// longer in the cache.
    fn store_outcome(&mut self, feed: &Feed, outcome: FetchOutcome) -> Option<FeedReport> {
        let now = Utc::now();
        let mut report = blank_report(feed);
        let stored = match outcome {
            FetchOutcome::NotModified { new_url } => {
                report.status = RefreshStatus::NotModified;
                self.move_feed(feed.id, new_url.as_deref(), &mut report)
                    .and_then(|_| self.store.record_not_modified(feed.id, now))
            }
            FetchOutcome::Updated { new_url, .. } => {
                // Documents are stored by `store_batch`; never reached.
                return updated_report(feed, new_url, Ok(Ok(0)));
            }
            FetchOutcome::Failed {
                status,
                reason,
                gone,
            } => {
                report.error = Some(reason.clone());
                self.store
                    .record_failure(feed.id, now, status, &reason, gone)
            }
        };
        finish_report(report, stored.map_err(StoreFailure::Store))
    }

    fn move_feed(
        &mut self,
        id: FeedId,
        new_url: Option<&str>,
        report: &mut FeedReport,
    ) -> std::result::Result<(), StoreError> {
        if let Some(u) = new_url {
            self.store.set_feed_url(id, u)?;
            report.url = u.to_string();
        }
        Ok(())
    }
}

/// How much feed text (KiB) may wait parsed or being parsed for the cache at once: a refresh
/// at scale is bound by its writes, and 16 fetches each holding a parsed document waiting for
/// them peaked at 275 MiB (100,000 entries) where 2 took 65 MiB in the same time; 16 MiB of
/// it, 158.5 MiB. A document bigger than the whole budget takes all of it.
const WAITING_KIB: usize = 8 * 1024;
/// Entries stored in one transaction at most (see `Store::apply_updates`): a transaction's
/// changed pages stay in SQLite's page cache (`cache_size`, see `Store::become_bulk_writer`) until its
/// commit, and once they overflow it they are written to the WAL early and again at the
/// commit (100,000 entries, `benches/refresh_scale.py`: 16,384 entries a batch in the default
/// 2 MiB cache, 9.2 s of system time; 2,048 in 16 MiB, 4.0 s; see `store::BULK_CACHE_KIB`).
const BATCH_ENTRIES: usize = 2048;

/// How long the first document of a batch waits for others (group commit): each commit
/// writes the pages its documents touched to the WAL and adds a segment to the search index,
/// so documents trickling in one by one, as they do when the network is slower than the cache,
/// would each pay that alone. Reports come a batch at a time, so this is also their delay.
const GATHER: std::time::Duration = std::time::Duration::from_millis(200);

/// The batch `first` opens: what arrives within [`GATHER`] of it, until the batch holds
/// [`BATCH_ENTRIES`], the fetches are over, or the parsed documents waiting fill most of their
/// budget (the fetchers then wait for this batch to be stored, and waiting longer gains
/// nothing). Nothing is locked while it waits.
fn gather(
    rt: &tokio::runtime::Runtime,
    rx: &mut tokio::sync::mpsc::Receiver<Arrived>,
    first: Arrived,
    budget: &tokio::sync::Semaphore,
) -> Vec<Arrived> {
    let deadline = tokio::time::Instant::now() + GATHER;
    let mut entries = first.1.entries();
    let mut batch = vec![first];
    while entries < BATCH_ENTRIES && budget.available_permits() > WAITING_KIB / 4 {
        let next = match rx.try_recv() {
            Ok(next) => Some(next),
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => None,
            Err(tokio::sync::mpsc::error::TryRecvError::Empty) => rt
                .block_on(async { tokio::time::timeout_at(deadline, rx.recv()).await })
                .ok()
                .flatten(),
        };
        let Some(next) = next else { break };
        entries += next.1.entries();
        batch.push(next);
    }
    batch
}

/// A document's place in the `WAITING_KIB` budget: its size, and never more than the whole
/// budget (or it would wait forever).
fn waiting_place(bytes: usize) -> u32 {
    u32::try_from((bytes / 1024 + 1).min(WAITING_KIB)).unwrap_or(u32::MAX)
}

/// A feed's fetch, as the store receives it, with its place in the `WAITING_KIB` budget.
type Arrived = (
    Feed,
    FetchOutcome,
    Option<tokio::sync::OwnedSemaphorePermit>,
);

/// Why a document was not stored.
enum StoreFailure {
    Store(StoreError),
    /// The batch's commit failed (its message).
    Commit(String),
}

fn blank_report(feed: &Feed) -> FeedReport {
    FeedReport {
        feed_id: feed.id,
        url: feed.url.clone(),
        title: feed.title.clone(),
        status: RefreshStatus::Error,
        new: 0,
        error: None,
    }
}

/// The report of a stored (or not) document: `result` is the batch's commit, then the
/// document's own writes.
fn updated_report(
    feed: &Feed,
    new_url: Option<String>,
    result: std::result::Result<std::result::Result<usize, StoreError>, String>,
) -> Option<FeedReport> {
    let mut report = blank_report(feed);
    let stored = match result {
        Ok(Ok(new)) => {
            report.status = RefreshStatus::Updated;
            report.new = new;
            if let Some(u) = new_url {
                report.url = u;
            }
            Ok(())
        }
        Ok(Err(e)) => Err(StoreFailure::Store(e)),
        Err(commit) => Err(StoreFailure::Commit(commit)),
    };
    finish_report(report, stored)
}

/// The report once its write is known: an error becomes the report's, and a feed removed
/// meanwhile has none.
fn finish_report(
    mut report: FeedReport,
    stored: std::result::Result<(), StoreFailure>,
) -> Option<FeedReport> {
    let failed = match stored {
        Ok(()) => None,
        Err(StoreFailure::Store(StoreError::NoSuchFeed(_))) => {
            tracing::info!(feed = report.feed_id, url = %report.url, "removed while refreshing: skipped");
            return None;
        }
        Err(StoreFailure::Store(e)) => Some(e.to_string()),
        Err(StoreFailure::Commit(e)) => Some(e),
    };
    if let Some(e) = failed {
        report.status = RefreshStatus::Error;
        report.new = 0;
        report.error = Some(format!("could not save to the cache: {e}"));
    }
    tracing::info!(feed = report.feed_id, url = %report.url, status = ?report.status, new = report.new, error = ?report.error, "refreshed");
    Some(report)
}

impl FetchOutcome {
    /// Entries the outcome brings to the cache.
    fn entries(&self) -> usize {
        match self {
            FetchOutcome::Updated { parsed, .. } => parsed.entries.len(),
            _ => 0,
        }
    }
}

/// The result of fetching one feed, before it is stored.
enum FetchOutcome {
    NotModified {
        new_url: Option<String>,
    },
    Updated {
        status: u16,
        etag: Option<String>,
        last_modified: Option<String>,
        new_url: Option<String>,
        // Boxed: a parsed document is much bigger than the other outcomes.
        parsed: Box<ParsedFeed>,
    },
    Failed {
        status: Option<u16>,
        reason: String,
        gone: bool,
    },
}

/// Fetches and parses a feed. A document to store holds its place in `waiting` (its size in
/// KiB) from before its parse until it is stored, when the permit returned is dropped.
async fn fetch_and_parse(
    fetcher: &Fetcher,
    feed: &Feed,
    waiting: Arc<tokio::sync::Semaphore>,
) -> (FetchOutcome, Option<tokio::sync::OwnedSemaphorePermit>) {
    let validators = Validators {
        etag: feed.etag.clone(),
        last_modified: feed.last_modified.clone(),
    };
    let fetched = match fetcher.get(&feed.url, &validators).await {
        Ok(f) => f,
        Err(e) => {
            let failed = FetchOutcome::Failed {
                status: e.status(),
                gone: e.is_gone(),
                reason: e.to_string(),
            };
            return (failed, None);
        }
    };
    let new_url = fetched.permanent_url.clone().filter(|u| *u != feed.url);
    if fetched.not_modified {
        return (FetchOutcome::NotModified { new_url }, None);
    }
    let status = fetched.status;
    let url = fetched.url.clone();
    let etag = fetched.etag.clone();
    let last_modified = fetched.last_modified.clone();
    let body = fetched.body;
    // Closed never: the semaphore lives as long as the refresh.
    let held = waiting
        .acquire_many_owned(waiting_place(body.len()))
        .await
        .ok();
    // Parsing is CPU work: keep it off the async workers.
    let parsed =
        tokio::task::spawn_blocking(move || crate::feeds::parse::parse_feed(&body, &url)).await;
    let outcome = match parsed {
        Ok(Ok(parsed)) => FetchOutcome::Updated {
            status,
            etag,
            last_modified,
            new_url,
            parsed: Box::new(parsed),
        },
        Ok(Err(e)) => FetchOutcome::Failed {
            status: Some(status),
            reason: e.to_string(),
            gone: false,
        },
        Err(e) => FetchOutcome::Failed {
            status: Some(status),
            reason: format!("parser crashed: {e}"),
            gone: false,
        },
    };
    (outcome, held)
}

/// Fetches `url`; when it is a web page rather than a feed, follows its feed autodiscovery links.
async fn fetch_feed_or_discover(
    fetcher: &Fetcher,
    url: &str,
) -> Result<(String, crate::net::Fetched, ParsedFeed, Option<String>)> {
    let fetched = fetcher.get(url, &Validators::default()).await?;
    let final_url = fetched
        .permanent_url
        .clone()
        .unwrap_or_else(|| url.to_string());
    match crate::feeds::parse::parse_feed(&fetched.body, &fetched.url) {
        Ok(parsed) => Ok((final_url, fetched, parsed, None)),
        Err(parse_err) => {
            if !crate::feeds::parse::looks_like_html(&fetched.body) {
                return Err(Error::NotAFeed {
                    url: url.to_string(),
                    reason: parse_err.to_string(),
                });
            }
            let candidates = crate::feeds::discover::discover_feeds(&fetched.body, &fetched.url);
            if candidates.is_empty() {
                return Err(Error::NotAFeed {
                    url: url.to_string(),
                    reason: "a web page that links to no feed (no <link rel=\"alternate\"> with an RSS, Atom or JSON Feed type); give the feed's own URL".to_string(),
                });
            }
            let mut last_err = None;
            for candidate in candidates {
                if crate::net::urls::check_url(&candidate).is_err() {
                    continue;
                }
                match fetcher.get(&candidate, &Validators::default()).await {
                    Ok(f) => match crate::feeds::parse::parse_feed(&f.body, &f.url) {
                        Ok(parsed) => {
                            let feed_url = f.permanent_url.clone().unwrap_or(candidate);
                            return Ok((feed_url, f, parsed, Some(url.to_string())));
                        }
                        Err(e) => last_err = Some(format!("{candidate}: {e}")),
                    },
                    Err(e) => last_err = Some(format!("{candidate}: {e}")),
                }
            }
            Err(Error::NotAFeed {
                url: url.to_string(),
                reason: format!(
                    "the page's feed links did not work ({})",
                    last_err.unwrap_or_default()
                ),
            })
        }
    }
}

/// Opens the library for `paths`, reading the config file named there.
pub fn open_with_config_file(
    paths: Paths,
) -> std::result::Result<(Library, Vec<String>), OpenError> {
    let loaded = Config::load_for(&paths)?;
    let lib = Library::open(paths, loaded.config)?;
    Ok((lib, loaded.warnings))
}

/// Errors of [`open_with_config_file`].
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Library(#[from] Error),
}

/// The citations cache's key for one of the demo's CSL-JSON items: its `id` when that names a
/// paper without a DOI (`arxiv:1004.4704`, `pmid:22506741`, `pmcid:PMC…`), else its DOI.
fn demo_citation_key(work: &serde_json::Value) -> Option<String> {
    let id = work.get("id").and_then(|v| v.as_str());
    if let Some(id) = id.filter(|i| {
        ["arxiv:", "pmid:", "pmcid:"]
            .iter()
            .any(|p| i.starts_with(p))
    }) {
        return Some(papers::citation_cache_key(id));
    }
    let doi = work.get("DOI").and_then(|d| d.as_str())?;
    Some(crate::text::doi::key(doi))
}

#[cfg(test)]
mod waiting_tests {
    use super::*;

    #[test]
    fn a_document_bigger_than_the_budget_still_gets_in_alone() {
        let budget = tokio::sync::Semaphore::new(WAITING_KIB);
        let huge = budget.try_acquire_many(waiting_place(64 * WAITING_KIB * 1024));
        assert!(huge.is_ok(), "it would wait forever");
        // And it holds all of the budget meanwhile.
        assert_eq!(budget.available_permits(), 0);
    }

    #[test]
    fn documents_hold_their_size_in_kib() {
        assert_eq!(waiting_place(0), 1);
        assert_eq!(waiting_place(1024 * 1024), 1025);
        let budget = tokio::sync::Semaphore::new(WAITING_KIB);
        let _a = budget.try_acquire_many(waiting_place(WAITING_KIB * 1024 / 2));
        // Half the budget and a bit is taken: another half does not fit until it is given back.
        assert!(budget
            .try_acquire_many(waiting_place(WAITING_KIB * 1024 / 2))
            .is_err());
    }
}
