//! The cache: one SQLite file holding subscriptions, every entry ever seen, their DOIs, citation
//! look-ups, backfill progress and a full-text index.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions so that two processes (the reader open while a
//! cron refresh runs) queue on the 10 s busy timeout instead of failing; WAL lets reads go on
//! meanwhile. Nothing in a feed update ever deletes an entry: the cache is the archive.

mod organize;
mod pause;
mod query;
mod schema;
mod sync;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{
    params, params_from_iter, Connection, ErrorCode, OptionalExtension, Transaction,
    TransactionBehavior,
};

use crate::model::{
    month_of, DoiRow, DoiSource, Entry, EntryId, EntrySummary, Feed, FeedId, FoundDoi, MonthCount,
    NewEntry, ParsedFeed,
};
use crate::text::scrub::scrub_line;

pub use query::fts_query;
pub use sync::{
    MirrorReport, QueuedChange, QueuedMark, RemoteEntry, RemoteFeed, SyncedState, PULLED_USEC,
};

/// What went wrong with the cache.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the cache {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot read the cache {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is not an SQLite database (corrupt, or another kind of file); it was left untouched: move it away to start a new cache",
        path.display()
    )]
    NotADatabase { path: PathBuf },
    #[error("the cache {} is corrupt ({detail}); it was left untouched: move it away to start a new cache", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("the cache was written by a newer paperboy (schema {found}, this one knows up to {supported}); it was left untouched: upgrade paperboy")]
    NewerSchema { found: i64, supported: i64 },
    #[error("the cache has an invalid schema version {0}; move it away to start a new cache")]
    BadSchemaVersion(i64),
    #[error("no feed with id {0} in the cache")]
    NoSuchFeed(FeedId),
    #[error("another feed already has the URL {0}")]
    UrlTaken(String),
    #[error("{count} feeds are titled {spec:?}; name the feed by its id or URL")]
    AmbiguousFeed { spec: String, count: usize },
    #[error("cache query failed: {0}{hint}", hint = disk_hint(.0))]
    Sqlite(#[from] rusqlite::Error),
}

/// What to do when SQLite could not write: a full disk shows as SQLITE_FULL, or as a disk I/O
/// error when the file cannot grow (ENOSPC, EFBIG).
fn disk_hint(e: &rusqlite::Error) -> &'static str {
    use rusqlite::ErrorCode::{DiskFull, SystemIoFailure};
    match e.sqlite_error_code() {
        Some(DiskFull | SystemIoFailure) => {
            " (the disk may be full: free some space and try again)"
        }
        _ => "",
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The outcome of a successful fetch (200) of a feed, to be stored in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct FeedUpdate<'a> {
    pub fetched_at: DateTime<Utc>,
    pub status: u16,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    /// The URL a permanent redirect pointed to; replaces the stored one.
    pub new_url: Option<&'a str>,
    pub feed: &'a ParsedFeed,
}

/// Which entries a listing, count or `mark_read` covers. Filters combine with AND.
#[derive(Default, Clone, Debug)]
pub struct ListQuery {
    pub feed: Option<FeedId>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    pub unread_only: bool,
    pub starred_only: bool,
    /// Feeds in this folder or one nested in it.
    pub folder: Option<String>,
    /// Entries dated before this time (seconds since the epoch).
    pub before: Option<i64>,
    pub with_dois_only: bool,
    /// The user's words; every word must match title or text, the last one as a prefix.
    pub search: Option<String>,
    pub limit: Option<usize>,
    pub offset: usize,
}

impl ListQuery {
    /// Covers a whole feed: a feed and no other filter.
    pub fn is_whole_feed(&self) -> bool {
        self.feed.is_some()
            && self.month.is_none()
            && !self.unread_only
            && !self.starred_only
            && self.folder.is_none()
            && self.before.is_none()
            && !self.with_dois_only
            && self.search.is_none()
    }
}

/// Which DOIs `dois` lists. Filters combine with AND; all `None` means every DOI.
#[derive(Default, Clone, Debug)]
pub struct DoiScope {
    pub entry: Option<EntryId>,
    pub month: Option<String>,
    pub feed: Option<FeedId>,
}

/// A citation look-up as cached: found (with metadata) or not found, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedCitation {
    /// The lowercased DOI.
    pub key: String,
    pub found: bool,
    pub csl_json: Option<String>,
    pub bibtex: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

/// How far a feed's backfill has come.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArchiveState {
    pub strategy: Option<String>,
    pub next_page: Option<String>,
    pub pages_done: i64,
    /// The whole history is cached.
    pub complete: bool,
    pub oldest_month: Option<String>,
    /// `put_archive_state` stores the current time when this is `None`.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Totals for `paperboy` diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub feeds: i64,
    pub entries: i64,
    pub unread: i64,
    /// Distinct DOIs over all entries.
    pub dois: i64,
    pub schema_version: i64,
}

/// The search index holds at most this much of an entry's text and title: a hostile 10 MB body
/// must not make every refresh slow.
const FTS_TEXT_MAX: usize = 512 * 1024;
/// Index segments merged at once (see `tune_index`).
const FTS_AUTOMERGE: i64 = 8;
const FTS_TITLE_MAX: usize = 16 * 1024;

/// The displayed title of a feed: its title, else its URL.
/// The title shown: the user's own, else the feed's, else its URL.
pub(crate) const FEED_TITLE: &str =
    "COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url)";

const FEED_COLUMNS: &str =
    "f.id, f.url, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), f.site_url, \
     f.etag, f.last_modified, f.last_fetched, f.last_status, f.last_error, f.gone, \
     (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id), \
     (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id AND e.read = 0), \
     f.folder, NULLIF(f.user_title, ''), f.remote_id, f.warning";

/// The SQLite cache.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// How an entry already in the cache is treated when a document carries it again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A refresh: the feed's current version wins.
    Update,
    /// A backfill page: older documents never overwrite what a refresh stored.
    Keep,
    /// Items pulled from the sync account, already keyed to their rows: like `Update`, but
    /// never joined to another row by link.
    Account,
}

impl Store {
    /// The schema version this program writes and understands.
    pub const SCHEMA_VERSION: i64 = schema::LATEST;

    /// Opens (creating the file, not its directory) and migrates the cache at `path`.
    ///
    /// A file that is not an SQLite database, or whose schema is newer than this program's, is
    /// refused with an error and left byte for byte as it was: SQLite only reads until then.
    ///
    /// The file is never opened other than through SQLite: closing any other descriptor of it
    /// drops every POSIX lock this process holds on it (SQLite's own connections included), and
    /// another process closing the cache would then delete the WAL under the reader's feet.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source: rusqlite::Error| classify_open_error(path, source);
        let conn = Connection::open(path).map_err(open_err)?;
        // Read the version before any pragma that could write (journal_mode changes the header).
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(open_err)?;
        let found = schema::user_version(&conn).map_err(open_err)?;
        // Reading the schema finds a damaged file while nothing has been written yet.
        conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(open_err)?;
        if found > Self::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                found,
                supported: Self::SCHEMA_VERSION,
            });
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure().map_err(|e| match e {
            StoreError::Sqlite(source) => classify_open_error(path, source),
            other => other,
        })?;
        Ok(store)
    }

    /// A fresh cache in memory (tests, the demo).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.configure()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(Duration::from_secs(10))?;
        // The mode comes back as a row; in memory it stays "memory". Switching a new file to WAL
        // takes an exclusive lock without SQLite's busy handler, so when two processes open a
        // new cache at once one of them waits here instead.
        let _mode: String = retry_while_busy(Duration::from_secs(10), || {
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        })?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", true)?;
        // Checkpoints (each one an fsync) every 64 MiB of WAL rather than SQLite's 4 MiB: a
        // 100,000-entry refresh spent a third of its time waiting on them (18.7 s to 13.9 s).
        // The WAL is cut back to that size after each one.
        self.conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
        self.conn
            .pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        self.conn.set_prepared_statement_cache_capacity(64);
        schema::migrate_to(&mut self.conn, Self::SCHEMA_VERSION)
    }

    /// The file this cache lives in (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(schema::user_version(&self.conn)?)
    }

    /// SQLite's own check of the file (the search index included); `"ok"` when all is well.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines.join("\n"))
    }

    pub fn stats(&self) -> Result<Stats> {
        let (feeds, entries, unread, dois) = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM feeds), (SELECT COUNT(*) FROM entries), \
                    (SELECT COUNT(*) FROM entries WHERE read = 0), \
                    (SELECT COUNT(DISTINCT doi_key) FROM entry_dois)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(Stats {
            feeds,
            entries,
            unread,
            dois,
            schema_version: self.schema_version()?,
        })
    }

    // ----- feeds -----

    /// Subscribes to `url`. An URL already subscribed gives its id (and `false`); its title is
    /// filled in from `title` only if it had none.
    pub fn add_feed(&mut self, url: &str, title: Option<&str>) -> Result<(FeedId, bool)> {
        let title = title.map(scrub_line).filter(|t| !t.is_empty());
        let tx = self.write()?;
        let added = tx.execute(
            "INSERT INTO feeds (url, title, added_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (url) DO NOTHING",
            params![url, title, Utc::now().timestamp()],
        )? == 1;
        let id: FeedId =
            tx.query_row("SELECT id FROM feeds WHERE url = ?1", [url], |r| r.get(0))?;
        if !added && title.is_some() {
            tx.execute(
                "UPDATE feeds SET title = ?2 WHERE id = ?1 AND (title IS NULL OR title = '')",
                params![id, title],
            )?;
        }
        tx.commit()?;
        Ok((id, added))
    }

    /// Unsubscribes: the feed's entries, DOIs, search index rows and backfill state go with it.
    pub fn remove_feed(&mut self, id: FeedId) -> Result<bool> {
        let tx = self.write()?;
        let removed = tx.execute("DELETE FROM feeds WHERE id = ?1", [id])? > 0;
        tx.commit()?;
        Ok(removed)
    }

    /// Every feed, by title (case-insensitive), with its entry and unread counts.
    pub fn feeds(&self) -> Result<Vec<Feed>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f ORDER BY {FEED_TITLE} COLLATE NOCASE, f.id"
        ))?;
        let feeds = stmt
            .query_map([], feed_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(feeds)
    }

    pub fn feed(&self, id: FeedId) -> Result<Option<Feed>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f WHERE f.id = ?1"
        ))?;
        Ok(stmt.query_row([id], feed_row).optional()?)
    }

    /// The feed a user means by `spec`: its numeric id, its exact URL, its exact title, or its
    /// title ignoring case. Two feeds with that title are an error, not a guess.
    pub fn find_feed(&self, spec: &str) -> Result<Option<Feed>> {
        let spec = spec.trim();
        if let Ok(id) = spec.parse::<FeedId>() {
            if let Some(feed) = self.feed(id)? {
                return Ok(Some(feed));
            }
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f WHERE f.url = ?1"
        ))?;
        if let Some(feed) = stmt.query_row([spec], feed_row).optional()? {
            return Ok(Some(feed));
        }
        let feeds = self.feeds()?;
        let exact: Vec<&Feed> = feeds.iter().filter(|f| f.title == spec).collect();
        let lower = spec.to_lowercase();
        let matches = if exact.is_empty() {
            feeds
                .iter()
                .filter(|f| f.title.to_lowercase() == lower)
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).clone())),
            many => Err(StoreError::AmbiguousFeed {
                spec: spec.to_string(),
                count: many.len(),
            }),
        }
    }

    pub fn set_feed_url(&mut self, id: FeedId, url: &str) -> Result<()> {
        let tx = self.write()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM feeds WHERE url = ?1 AND id <> ?2)",
            params![url, id],
            |r| r.get(0),
        )?;
        if taken {
            return Err(StoreError::UrlTaken(url.to_string()));
        }
        if tx.execute("UPDATE feeds SET url = ?2 WHERE id = ?1", params![id, url])? == 0 {
            return Err(StoreError::NoSuchFeed(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// Stores a fetched document in one transaction and returns how many entries were new.
    ///
    /// Entries seen before keep their read flag, first-seen time and (unless their published
    /// date changed) their month; entries missing from the document stay cached. The feed's
    /// title and site URL change only when the document has them; validators, fetch time and
    /// status are replaced; the error and `gone` flag are cleared; the warning becomes what the
    /// parser repaired in this document (none for a clean one). `new_url` replaces the URL
    /// unless another feed already has it.
    pub fn apply_update(&mut self, id: FeedId, up: &FeedUpdate) -> Result<usize> {
        let tx = self.write()?;
        let title = up
            .feed
            .title
            .as_deref()
            .map(scrub_line)
            .filter(|t| !t.is_empty());
        let site_url = up.feed.site_url.as_deref().filter(|u| !u.trim().is_empty());
        let changed = tx
            .prepare_cached(
                "UPDATE feeds SET title = COALESCE(?2, title), site_url = COALESCE(?3, site_url), \
                 etag = ?4, last_modified = ?5, last_fetched = ?6, last_status = ?7, \
                 last_error = NULL, gone = 0, warning = ?8 WHERE id = ?1",
            )?
            .execute(params![
                id,
                title,
                site_url,
                up.etag,
                up.last_modified,
                up.fetched_at.timestamp(),
                up.status,
                up.feed.warning.as_deref().map(scrub_line)
            ])?;
        if changed == 0 {
            return Err(StoreError::NoSuchFeed(id));
        }
        if let Some(url) = up.new_url {
            tx.prepare_cached(
                "UPDATE feeds SET url = ?2 WHERE id = ?1 \
                 AND NOT EXISTS (SELECT 1 FROM feeds WHERE url = ?2 AND id <> ?1)",
            )?
            .execute(params![id, url])?;
        }
        let new = store_entries(&tx, id, &up.feed.entries, up.fetched_at, Seen::Update)?;
        tx.commit()?;
        Ok(new)
    }

    /// A 304: only the fetch time and status change.
    pub fn record_not_modified(&mut self, id: FeedId, at: DateTime<Utc>) -> Result<()> {
        let tx = self.write()?;
        let changed = tx
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = 304, last_error = NULL \
                 WHERE id = ?1",
            )?
            .execute(params![id, at.timestamp()])?;
        if changed == 0 {
            return Err(StoreError::NoSuchFeed(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// A failed fetch: records the reason (one line) and leaves the entries alone. `gone` is
    /// sticky: only a successful update clears it.
    pub fn record_failure(
        &mut self,
        id: FeedId,
        at: DateTime<Utc>,
        status: Option<u16>,
        error: &str,
        gone: bool,
    ) -> Result<()> {
        let tx = self.write()?;
        let changed = tx
            .prepare_cached(
                "UPDATE feeds SET last_fetched = ?2, last_status = ?3, last_error = ?4, \
                 gone = MAX(gone, ?5) WHERE id = ?1",
            )?
            .execute(params![id, at.timestamp(), status, scrub_line(error), gone])?;
        if changed == 0 {
            return Err(StoreError::NoSuchFeed(id));
        }
        tx.commit()?;
        Ok(())
    }

    // ----- entries -----

    /// Months that have entries (of one feed or all), newest first, with their counts.
    pub fn months(&self, feed: Option<FeedId>) -> Result<Vec<MonthCount>> {
        // One snapshot for both queries, so a refresh committing in between cannot skew them.
        let _snapshot = self.conn.unchecked_transaction()?;
        let (counts_sql, papers_sql) = query::months_sql(feed.is_some());
        let args: Vec<Value> = feed.map(Value::Integer).into_iter().collect();
        self.month_counts(papers_sql, &args, counts_sql, &args)
    }

    /// Runs a papers-per-month query and a month-counts query (month, count, unread) and joins
    /// them; callers hold one snapshot around it.
    pub(crate) fn month_counts(
        &self,
        papers_sql: &str,
        papers_args: &[Value],
        counts_sql: &str,
        counts_args: &[Value],
    ) -> Result<Vec<MonthCount>> {
        let papers: HashMap<String, i64> = self
            .conn
            .prepare_cached(papers_sql)?
            .query_map(params_from_iter(papers_args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let months = self
            .conn
            .prepare_cached(counts_sql)?
            .query_map(params_from_iter(counts_args.iter()), |r| {
                let month: String = r.get(0)?;
                Ok(MonthCount {
                    papers: papers.get(&month).copied().unwrap_or(0),
                    month,
                    count: r.get(1)?,
                    unread: r.get::<_, f64>(2)? as i64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(months)
    }

    /// The entries `q` matches, newest first, with their DOIs.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<EntrySummary>> {
        let Some((sql, args)) = query::list_sql(q) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                let dois: Option<String> = r.get(9)?;
                let published = r.get::<_, Option<i64>>(5)?.map(from_secs);
                let updated = r.get::<_, Option<i64>>(8)?.map(from_secs);
                Ok(EntrySummary {
                    id: r.get(0)?,
                    feed_id: r.get(1)?,
                    feed_title: r.get(2)?,
                    title: r.get(3)?,
                    link: r.get(4)?,
                    published,
                    updated,
                    date: published.or(updated),
                    month: r.get(6)?,
                    read: r.get(7)?,
                    starred: r.get(10)?,
                    dois: dois
                        .map(|d| d.split('\n').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// How many entries `q` matches (limit and offset ignored).
    pub fn count(&self, q: &ListQuery) -> Result<i64> {
        self.count_at_most(q, None)
    }

    /// How many entries `q` matches, counting no further than `cap` (a search for a common
    /// word matches most of the cache; its exact size is not worth a scan of the whole index).
    pub fn count_at_most(&self, q: &ListQuery, cap: Option<usize>) -> Result<i64> {
        let Some((from_where, mut args)) = query::from_where(q) else {
            return Ok(0);
        };
        let limit = cap.and_then(|c| i64::try_from(c).ok()).unwrap_or(-1);
        args.push(rusqlite::types::Value::Integer(limit));
        let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {from_where} LIMIT ?)");
        let n = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n)
    }

    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>> {
        let _snapshot = self.conn.unchecked_transaction()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.id, e.feed_id, {FEED_TITLE}, e.guid, e.title, e.link, e.authors, \
             e.published, e.updated, e.first_seen, e.month, e.read, e.content_html, \
             e.summary_html, e.starred FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id = ?1"
        ))?;
        let entry = stmt
            .query_row([id], |r| {
                Ok(Entry {
                    id: r.get(0)?,
                    feed_id: r.get(1)?,
                    feed_title: r.get(2)?,
                    guid: r.get(3)?,
                    title: r.get(4)?,
                    link: r.get(5)?,
                    authors: decode_authors(&r.get::<_, String>(6)?),
                    published: r.get::<_, Option<i64>>(7)?.map(from_secs),
                    updated: r.get::<_, Option<i64>>(8)?.map(from_secs),
                    first_seen: from_secs(r.get(9)?),
                    month: r.get(10)?,
                    read: r.get(11)?,
                    starred: r.get(14)?,
                    content_html: r.get(12)?,
                    summary_html: r.get(13)?,
                    dois: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut entry) = entry else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT doi, doi_key, source FROM entry_dois WHERE entry_id = ?1 ORDER BY pos",
        )?;
        entry.dois = stmt
            .query_map([id], |r| {
                Ok(FoundDoi {
                    doi: r.get(0)?,
                    key: r.get(1)?,
                    source: parse_source(&r.get::<_, String>(2)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(entry))
    }

    /// Sets the read flag of these entries; returns how many changed.
    pub fn set_read(&mut self, ids: &[EntryId], read: bool) -> Result<usize> {
        let tx = self.write()?;
        let mut changed = 0;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE entries SET read = ?2 WHERE id = ?1 AND read <> ?2")?;
            let mut flipped = Vec::new();
            for id in ids {
                if stmt.execute(params![id, read])? > 0 {
                    changed += 1;
                    flipped.push(*id);
                }
            }
            sync::queue_states(&tx, &flipped, SyncedState::Read, read)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Marks every entry `q` matches read (limit and offset ignored); returns how many changed.
    pub fn mark_read(&mut self, q: &ListQuery) -> Result<usize> {
        let Some((from_where, args)) = query::from_where(q) else {
            return Ok(0);
        };
        let sql = format!(
            "UPDATE entries SET read = 1 WHERE read = 0 AND id IN (SELECT e.id FROM {from_where})"
        );
        let tx = self.write()?;
        // A whole account feed marked read goes to the account as one mark-all-as-read; any
        // other set of account entries as their ids.
        let whole_feed = match q.feed {
            Some(feed) if q.is_whole_feed() => sync::queue_mark(&tx, feed)?,
            _ => false,
        };
        // A cache without account feeds (most) skips the second pass over the matches.
        let account: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM feeds WHERE remote_id IS NOT NULL)")?
            .query_row([], |r| r.get(0))?;
        if account && !whole_feed {
            tx.execute(
                &format!(
                    "INSERT INTO sync_queue (entry_id, state, value) SELECT e.id, 'read', 1 \
                     FROM {from_where} AND e.read = 0 AND e.remote_id IS NOT NULL \
                     ON CONFLICT (entry_id, state) DO UPDATE SET value = excluded.value"
                ),
                params_from_iter(args.iter()),
            )?;
        }
        let changed = tx.execute(&sql, params_from_iter(args.iter()))?;
        tx.commit()?;
        Ok(changed)
    }

    /// DOIs cited in the scope: newest entries first, each entry's DOIs in the order found.
    pub fn dois(&self, scope: &DoiScope) -> Result<Vec<DoiRow>> {
        let mut conds = Vec::new();
        let mut args = Vec::new();
        if let Some(entry) = scope.entry {
            conds.push("e.id = ?");
            args.push(Value::Integer(entry));
        }
        if let Some(feed) = scope.feed {
            conds.push("e.feed_id = ?");
            args.push(Value::Integer(feed));
        }
        if let Some(month) = &scope.month {
            conds.push("e.month = ?");
            args.push(Value::Text(month.clone()));
        }
        let where_sql = if conds.is_empty() {
            "1".to_string()
        } else {
            conds.join(" AND ")
        };
        let sql = format!(
            "SELECT d.doi, e.id, e.title, d.source FROM entries e \
             JOIN entry_dois d ON d.entry_id = e.id WHERE {where_sql} \
             ORDER BY e.sort_time DESC, e.id DESC, d.pos"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(DoiRow {
                    doi: r.get(0)?,
                    entry_id: r.get(1)?,
                    entry_title: r.get(2)?,
                    source: parse_source(&r.get::<_, String>(3)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    // ----- citations -----

    pub fn citation(&self, key: &str) -> Result<Option<CachedCitation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doi_key, status, csl_json, bibtex, fetched_at FROM citations \
             WHERE doi_key = ?1",
        )?;
        let c = stmt
            .query_row([key], |r| {
                Ok(CachedCitation {
                    key: r.get(0)?,
                    found: r.get::<_, String>(1)? == "found",
                    csl_json: r.get(2)?,
                    bibtex: r.get(3)?,
                    fetched_at: from_secs(r.get(4)?),
                })
            })
            .optional()?;
        Ok(c)
    }

    /// Stores a look-up, replacing an earlier one for the same DOI.
    pub fn put_citation(&mut self, c: &CachedCitation) -> Result<()> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO citations (doi_key, status, csl_json, bibtex, fetched_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (doi_key) DO UPDATE SET \
             status = excluded.status, csl_json = excluded.csl_json, \
             bibtex = excluded.bibtex, fetched_at = excluded.fetched_at",
        )?
        .execute(params![
            c.key,
            if c.found { "found" } else { "not_found" },
            c.csl_json,
            c.bibtex,
            c.fetched_at.timestamp()
        ])?;
        tx.commit()?;
        Ok(())
    }

    // ----- backfill -----

    pub fn archive_state(&self, id: FeedId) -> Result<Option<ArchiveState>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT strategy, next_page, pages_done, complete, oldest_month, updated_at \
             FROM archive_state WHERE feed_id = ?1",
        )?;
        let s = stmt
            .query_row([id], |r| {
                Ok(ArchiveState {
                    strategy: r.get(0)?,
                    next_page: r.get(1)?,
                    pages_done: r.get(2)?,
                    complete: r.get(3)?,
                    oldest_month: r.get(4)?,
                    updated_at: r.get::<_, Option<i64>>(5)?.map(from_secs),
                })
            })
            .optional()?;
        Ok(s)
    }

    pub fn put_archive_state(&mut self, id: FeedId, s: &ArchiveState) -> Result<()> {
        let updated_at = s.updated_at.unwrap_or_else(Utc::now).timestamp();
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM feeds WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NoSuchFeed(id));
        }
        tx.prepare_cached(
            "INSERT INTO archive_state \
             (feed_id, strategy, next_page, pages_done, complete, oldest_month, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (feed_id) DO UPDATE SET \
             strategy = excluded.strategy, next_page = excluded.next_page, \
             pages_done = excluded.pages_done, complete = excluded.complete, \
             oldest_month = excluded.oldest_month, updated_at = excluded.updated_at",
        )?
        .execute(params![
            id,
            s.strategy,
            s.next_page,
            s.pages_done,
            s.complete,
            s.oldest_month,
            updated_at
        ])?;
        tx.commit()?;
        Ok(())
    }

    /// Whether this archive page of the feed was already stored by `ingest_page`.
    pub fn page_done(&self, id: FeedId, page_url: &str) -> Result<bool> {
        let done = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM archive_pages WHERE feed_id = ?1 AND page_url = ?2)",
            )?
            .query_row(params![id, page_url], |r| r.get(0))?;
        Ok(done)
    }

    /// Stores an archive page's entries and marks the page done, in one transaction; returns how
    /// many entries were new. Entries already cached are left as they are (the live feed is the
    /// newer source), and the feed's title and validators are not touched.
    pub fn ingest_page(
        &mut self,
        id: FeedId,
        page_url: &str,
        feed: &ParsedFeed,
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM feeds WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NoSuchFeed(id));
        }
        let new = store_entries(&tx, id, &feed.entries, at, Seen::Keep)?;
        tx.prepare_cached(
            "INSERT INTO archive_pages (feed_id, page_url, fetched_at, entries) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (feed_id, page_url) DO UPDATE SET \
             fetched_at = excluded.fetched_at, entries = excluded.entries",
        )?
        .execute(params![id, page_url, at.timestamp(), feed.entries.len()])?;
        tx.commit()?;
        Ok(new)
    }

    /// How many of these guids the feed already has cached.
    pub fn guids_known(&self, id: FeedId, guids: &[&str]) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1 AND guid = ?2)",
        )?;
        let mut known = 0;
        for guid in guids {
            if stmt.query_row(params![id, guid], |r| r.get::<_, bool>(0))? {
                known += 1;
            }
        }
        Ok(known)
    }

    /// Starts a write transaction that takes the write lock at once, so that a second writer
    /// waits on the busy timeout instead of failing when it tries to upgrade a read lock.
    fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    #[cfg(test)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

fn classify_open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: source.to_string(),
        },
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn feed_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Feed> {
    Ok(Feed {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        site_url: r.get(3)?,
        etag: r.get(4)?,
        last_modified: r.get(5)?,
        last_fetched: r.get::<_, Option<i64>>(6)?.map(from_secs),
        last_status: r
            .get::<_, Option<i64>>(7)?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: r.get(8)?,
        gone: r.get(9)?,
        entries: r.get(10)?,
        unread: r.get(11)?,
        folder: r.get(12)?,
        user_title: r.get(13)?,
        remote_id: r.get(14)?,
        warning: r.get(15)?,
    })
}

/// Inserts or updates a document's entries; returns how many were new.
/// Sets the search index to merge its segments 8 at a time rather than FTS5's 4: each feed's
/// transaction writes one segment, and merging them less often costs a cold refresh of 2,500
/// entries 2.6% fewer instructions (`feedbench.py instr`: 1.497 G to 1.458 G) for the same
/// search cost. The setting lives in the cache; it is written with the first entries, in their
/// transaction, so a write that fails leaves nothing behind.
fn tune_index(tx: &Transaction<'_>) -> Result<()> {
    let set: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM entries_fts_config WHERE k = 'automerge')")?
        .query_row([], |r| r.get(0))?;
    if !set {
        tx.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', ?1)",
            [FTS_AUTOMERGE],
        )?;
    }
    Ok(())
}

fn store_entries(
    tx: &Transaction<'_>,
    feed_id: FeedId,
    entries: &[NewEntry],
    now: DateTime<Utc>,
    seen: Seen,
) -> Result<usize> {
    if !entries.is_empty() {
        tune_index(tx)?;
    }
    let mut find = tx.prepare_cached(
        "SELECT id, published, first_seen, content_hash, month, sort_time FROM entries \
         WHERE feed_id = ?1 AND guid = ?2",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO entries (feed_id, guid, title, link, authors, published, updated, \
         first_seen, month, sort_time, content_html, summary_html, content_hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    // month and sort_time are NULL (kept) unless the published date changed.
    let mut update = tx.prepare_cached(
        "UPDATE entries SET title = ?2, link = ?3, authors = ?4, published = ?5, updated = ?6, \
         month = COALESCE(?7, month), sort_time = COALESCE(?8, sort_time), \
         content_html = ?9, summary_html = ?10, content_hash = ?11 WHERE id = ?1",
    )?;
    // An entry earlier versions stored under its bare link (see `parse::legacy_key`) takes its
    // new key, keeping its id, read state and DOIs; the title or date says which item it was.
    let mut adopt = tx.prepare_cached(
        "UPDATE entries SET guid = ?3 WHERE feed_id = ?1 AND guid = ?2 \
         AND (title = ?4 OR published IS ?5) \
         AND NOT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1 AND guid = ?3)",
    )?;
    let account_feed: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1 AND remote_id IS NOT NULL)",
        )?
        .query_row([feed_id], |r| r.get(0))?;
    let mut by_link = tx.prepare_cached(
        "SELECT guid, title FROM entries WHERE feed_id = ?1 AND link = ?2 \
         AND remote_id IS NOT NULL",
    )?;
    // Links several items of this document share: such an item is an account entry only by
    // link and title.
    let mut links_here: HashMap<&str, usize> = HashMap::new();
    if account_feed {
        for e in entries.iter().filter_map(|e| e.link.as_deref()) {
            *links_here.entry(e).or_default() += 1;
        }
    }
    let mut fts_insert =
        tx.prepare_cached("INSERT INTO entries_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
    let mut fts_delete = tx.prepare_cached("DELETE FROM entries_fts WHERE rowid = ?1")?;
    let mut dois_delete = tx.prepare_cached("DELETE FROM entry_dois WHERE entry_id = ?1")?;
    let mut doi_insert = tx.prepare_cached(
        "INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (entry_id, doi_key) DO NOTHING",
    )?;

    let mut new = 0;
    let pause = pause::armed();
    let mut written = 0;
    // FTS5 flushes its in-memory index whenever a rowid is not above the last one: insert the
    // index rows in key order, after the entries, so one feed's update makes one segment.
    let mut fts_rows: Vec<(i64, &str, &str)> = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(legacy) = crate::feeds::parse::legacy_key(e) {
            let published = e.published.map(|t| t.timestamp());
            adopt.execute(params![feed_id, legacy, e.guid, e.title, published])?;
        }
        let mut found = find_row(&mut find, feed_id, &e.guid)?;
        // An item keyed by its bare link because no other item of this document shares it (a
        // backfill page) is the entry stored under the link's split key, if there is one.
        if found.is_none() && e.link.as_deref() == Some(e.guid.as_str()) {
            for key in crate::feeds::parse::split_keys(e) {
                found = find_row(&mut find, feed_id, &key)?;
                if found.is_some() {
                    break;
                }
            }
        }
        // The feed's post as pulled from the sync account, found by its link (the account
        // does not carry the feed's own guid).
        if found.is_none() && account_feed && seen != Seen::Account {
            if let Some(link) = &e.link {
                let rows: Vec<(String, String)> = by_link
                    .query_map(params![feed_id, link], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                // The one account entry with this link, or the one with this title too when
                // several share the link (distinct posts are never merged into one).
                let guid = match rows.as_slice() {
                    [(guid, _)] if links_here.get(link.as_str()) == Some(&1) => Some(guid),
                    _ => rows.iter().find(|(_, t)| *t == e.title).map(|(g, _)| g),
                };
                if let Some(guid) = guid {
                    found = find_row(&mut find, feed_id, guid)?;
                }
            }
        }
        if found.is_some() && seen == Seen::Keep {
            continue;
        }
        let hash = entry_hash(e);
        let authors = encode_authors(&e.authors);
        let published = e.published.map(|t| t.timestamp());
        let updated = e.updated.map(|t| t.timestamp());
        let (entry_id, month, sort_time) = match found {
            None => {
                let when = e.published.or(e.updated).unwrap_or(now);
                let month = month_of(when);
                let sort_time = clamp_time(when.timestamp());
                insert.execute(params![
                    feed_id,
                    e.guid,
                    e.title,
                    e.link,
                    authors,
                    published,
                    updated,
                    now.timestamp(),
                    month,
                    sort_time,
                    e.content_html,
                    e.summary_html,
                    hash
                ])?;
                new += 1;
                (tx.last_insert_rowid(), month, sort_time)
            }
            Some((_, _, _, old_hash, _, _)) if old_hash == hash => continue,
            Some((id, old_published, first_seen, _, old_month, old_sort_time)) => {
                let moved = (old_published != published).then(|| {
                    e.published
                        .or(e.updated)
                        .unwrap_or_else(|| from_secs(first_seen))
                });
                let month = moved.map(month_of);
                let sort_time = moved.map(|t| clamp_time(t.timestamp()));
                update.execute(params![
                    id,
                    e.title,
                    e.link,
                    authors,
                    published,
                    updated,
                    month,
                    sort_time,
                    e.content_html,
                    e.summary_html,
                    hash
                ])?;
                fts_delete.execute([fts_key(old_sort_time, id)])?;
                dois_delete.execute([id])?;
                (
                    id,
                    month.unwrap_or(old_month),
                    sort_time.unwrap_or(old_sort_time),
                )
            }
        };
        fts_rows.push((
            fts_key(sort_time, entry_id),
            clip(&e.title, FTS_TITLE_MAX),
            clip(&e.text, FTS_TEXT_MAX),
        ));
        for (pos, d) in e.dois.iter().enumerate() {
            doi_insert.execute(params![
                entry_id,
                feed_id,
                month,
                d.key,
                d.doi,
                d.source.as_str(),
                pos
            ])?;
        }
        if pause {
            written += 1;
            pause::after_entry(written);
        }
    }
    fts_rows.sort_unstable_by_key(|r| r.0);
    for (key, title, text) in fts_rows {
        fts_insert.execute(params![key, title, text])?;
    }
    Ok(new)
}

/// An entry's id, published, first_seen, content_hash, month and sort_time.
type FoundRow = (EntryId, Option<i64>, i64, i64, String, i64);

fn find_row(
    find: &mut rusqlite::CachedStatement<'_>,
    feed_id: FeedId,
    guid: &str,
) -> rusqlite::Result<Option<FoundRow>> {
    find.query_row(params![feed_id, guid], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .optional()
}

/// Runs `f` again while SQLite answers "busy" or "locked", for at most `budget`.
fn retry_while_busy<T>(
    budget: Duration,
    mut f: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    let mut wait = Duration::from_millis(5);
    loop {
        match f() {
            Err(rusqlite::Error::SqliteFailure(e, msg))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && start.elapsed() < budget =>
            {
                tracing::debug!(?msg, "cache busy while opening; waiting");
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// Times are kept within years 1..=9999 (what any feed means by a date), so [`fts_key`] cannot
/// overflow whatever a hostile feed claims.
fn clamp_time(secs: i64) -> i64 {
    const YEAR_1: i64 = -62_135_596_800;
    const YEAR_9999_END: i64 = 253_402_300_799;
    secs.clamp(YEAR_1, YEAR_9999_END)
}

/// The search index's rowid for an entry: its time in the high bits and its id's low 24 bits,
/// so matches stream newest first (`ORDER BY rowid DESC`) and a page stops early. Entries are
/// found back by `sort_time = key >> 24 AND id & 0xFFFFFF = key & 0xFFFFFF` (ids are unique
/// within one second for 16 million entries).
pub(crate) fn fts_key(sort_time: i64, id: EntryId) -> i64 {
    sort_time * (1 << 24) + (id & 0xFF_FFFF)
}

/// A fingerprint of everything an entry stores, so re-seeing an unchanged entry writes nothing.
/// Hand-rolled rather than std's hasher, which may change between Rust releases; it reads
/// eight bytes at a time because bodies are large and every refresh hashes all of them.
fn entry_hash(e: &NewEntry) -> i64 {
    struct Mix(u64);
    impl Mix {
        fn word(&mut self, w: u64) {
            self.0 = (self.0 ^ w)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(29);
        }
        fn bytes(&mut self, b: &[u8]) {
            // The length keeps fields from running into each other.
            self.word(b.len() as u64);
            let mut chunks = b.chunks_exact(8);
            for c in &mut chunks {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                self.word(u64::from_le_bytes(w));
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            self.word(u64::from_le_bytes(tail));
        }
        fn opt(&mut self, s: Option<&str>) {
            match s {
                Some(s) => {
                    self.word(1);
                    self.bytes(s.as_bytes());
                }
                None => self.word(0),
            }
        }
        fn time(&mut self, t: Option<DateTime<Utc>>) {
            match t {
                Some(t) => {
                    self.word(1);
                    self.word(t.timestamp() as u64);
                }
                None => self.word(0),
            }
        }
        fn finish(self) -> i64 {
            // A final avalanche so every input bit reaches every output bit.
            let mut h = self.0;
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            h as i64
        }
    }
    let mut h = Mix(0xcbf2_9ce4_8422_2325);
    h.bytes(e.title.as_bytes());
    h.opt(e.link.as_deref());
    h.word(e.authors.len() as u64);
    for a in &e.authors {
        h.bytes(a.as_bytes());
    }
    h.time(e.published);
    h.time(e.updated);
    h.opt(e.content_html.as_deref());
    h.opt(e.summary_html.as_deref());
    h.bytes(clip(&e.text, FTS_TEXT_MAX).as_bytes());
    h.word(e.dois.len() as u64);
    for d in &e.dois {
        h.bytes(d.key.as_bytes());
        h.bytes(d.doi.as_bytes());
        h.bytes(d.source.as_str().as_bytes());
    }
    h.finish()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn encode_authors(authors: &[String]) -> String {
    serde_json::to_string(authors).unwrap_or_else(|_| "[]".to_string())
}

/// Authors as stored: a JSON array, or (from older writers) one name per line.
fn decode_authors(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_else(|_| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
}

fn parse_source(s: &str) -> DoiSource {
    DoiSource::parse(s).unwrap_or(DoiSource::Text)
}

/// Seconds since the epoch to an instant; values outside chrono's range (only a hand-edited
/// cache has them) become the epoch.
fn from_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
