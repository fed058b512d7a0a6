//! The cache: one SQLite file holding subscriptions, every entry ever seen, their DOIs, citation
//! look-ups, backfill progress and a full-text index.
//!
//! This file opens the cache (pragmas, errors; migrations are in `schema`); the queries live
//! by concern: `feeds` (subscriptions and what each fetch records), `entries` (writing a
//! document's entries), `query` (listings), `organize` (folders, stars, titles), `papers`
//! (DOIs and citation look-ups), `backfill` (archive progress) and `sync` (the account's mirror
//! and queue).
//!
//! It may use `model` (the types it stores, entry keys and folder paths) and `text::scrub`
//! (text stored from feeds); never the library, the feed side, the network, the sync engine or
//! the front ends: they call the store, not the other way round.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions so that two processes (the reader open while a
//! cron refresh runs) queue on the 10 s busy timeout instead of failing; WAL lets reads go on
//! meanwhile. Nothing in a feed update ever deletes an entry: the cache is the archive.

mod access;
mod backfill;
mod body;
mod counts;
#[cfg(test)]
mod counts_tests;
mod entries;
mod feeds;
mod fills;
mod health;
mod marks;
mod organize;
mod paper_counts;
#[cfg(test)]
mod paper_counts_tests;
mod paper_links;
mod papers;
mod papers_scan;
#[cfg(test)]
mod papers_tests;
mod pause;
mod query;
#[cfg(test)]
mod refresh_tests;
mod schema;
mod search;
#[cfg(test)]
mod search_tests;
mod sync;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use crate::model::FeedId;

pub use access::OaRow;
pub use backfill::ArchiveState;
pub use feeds::FeedUpdate;
pub use fills::{Fill, FillState};
pub use health::HealthRow;
pub use papers::{CachedCitation, DoiScope};
#[cfg(test)]
pub(crate) use papers_scan::connection_at_version;
pub use papers_scan::{ScanState, StoredPost};
pub use query::{fts_query, ListQuery};
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

/// The SQLite cache.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Whether this connection has a bulk writer's settings (`become_bulk_writer`).
    bulk_writer: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// The page cache of a bulk writer (`Store::become_bulk_writer`), in KiB. The cold 1,000,000-entry
/// refresh (`benches/refresh_scale.py`): 16 MiB took 317 s and 48 MiB 214 s before schema 14;
/// since schema 14 left fewer random-order index pages per batch, 32 MiB is as fast as 48
/// (116-118 s against 118-126 s, two runs each) and peaks 138-140 MiB against 143-155 (issue 20's
/// budget is 150).
pub(crate) const BULK_CACHE_KIB: i64 = 32 * 1024;

/// A bulk writer's checkpoint interval, in pages of WAL (4 KiB each): 256 MiB. A checkpoint
/// copies every page the WAL changed since the last one into the file and waits for the disk,
/// and a refresh's batches change the same index pages again and again: the fewer checkpoints,
/// the fewer times each is copied. The cold 1,000,000-entry refresh
/// (`benches/results/refresh-scale.txt`, one sitting): 109.9 s at 64 MiB, 90.2 at 256 (medians
/// of 2); in a sweep, 106.7 s at 128 MiB, 88.7 at 1 GiB, 87.1 with none until the end. 256 MiB
/// keeps the WAL (and the frames a concurrent reader searches) bounded, and
/// `journal_size_limit` cuts the file back after each checkpoint.
pub(crate) const BULK_CHECKPOINT_PAGES: i64 = 65_536;

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
        use crate::timing::timed;
        let open_err = |source: rusqlite::Error| classify_open_error(path, source);
        let conn = timed("sqlite open", || Connection::open(path)).map_err(open_err)?;
        // Read the version before any pragma that could write (journal_mode changes the header).
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(open_err)?;
        let found = timed("user_version", || schema::user_version(&conn)).map_err(open_err)?;
        // Reading the schema finds a damaged file while nothing has been written yet.
        timed("schema read", || {
            conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
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
            bulk_writer: false,
            path: Some(path.to_path_buf()),
        };
        timed("pragmas and migrations", || store.configure()).map_err(|e| match e {
            StoreError::Sqlite(source) => classify_open_error(path, source),
            other => other,
        })?;
        Ok(store)
    }

    /// A fresh cache in memory (tests, the demo).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store {
            conn,
            path: None,
            bulk_writer: false,
        };
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
        // The WAL is cut back to that size after each one. A bulk writer checkpoints less
        // often still (`become_bulk_writer`).
        self.conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
        self.conn
            .pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // Readers keep SQLite's 2 MiB page cache (the OS caches the file); the connection that
        // stores a refresh's batches takes a larger one (`become_bulk_writer`).
        self.conn.set_prepared_statement_cache_capacity(64);
        crate::timing::timed("migrations", || {
            schema::migrate_to(&mut self.conn, Self::SCHEMA_VERSION)
        })?;
        self.fill_small()
    }

    /// Settings for a connection that stores a refresh's batches or runs the upgrade's batches:
    ///
    /// - [`BULK_CACHE_KIB`] of pages (SQLite's default is 2 MiB). A batch changes pages all
    ///   over the time-ordered indexes, and what does not fit is written to the WAL before the
    ///   commit writes it again (see `BATCH_ENTRIES` in the library). Readers keep the default:
    ///   every connection of the reader at 48 MiB took its bench's peak from 73 to 151 MiB, and
    ///   each page a big cache had not held was a page fault (`dois --month` at a million
    ///   entries read 8,000 pages, a fifth of its CPU in those faults).
    /// - A checkpoint every [`BULK_CHECKPOINT_PAGES`] of WAL rather than every 64 MiB.
    pub(crate) fn become_bulk_writer(&mut self) -> Result<()> {
        if !self.bulk_writer {
            self.conn
                .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
            self.conn
                .pragma_update(None, "wal_autocheckpoint", BULK_CHECKPOINT_PAGES)?;
            self.bulk_writer = true;
        }
        Ok(())
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

/// Seconds since the epoch to an instant; values outside chrono's range (only a hand-edited
/// cache has them) become the epoch.
fn from_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}
