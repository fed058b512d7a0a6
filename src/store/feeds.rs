//! Subscriptions and feed rows: adding, finding and removing feeds, and what each fetch of a
//! feed leaves behind (its validators, status, error, and the document's entries).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::entries::{store_entries, IndexRows, Seen};
use super::{from_secs, Result, Store, StoreError};
use crate::model::{Feed, FeedId, ParsedFeed};
use crate::text::scrub::scrub_line;

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

/// The title shown: the user's own, else the feed's, else its URL.
pub(crate) const FEED_TITLE: &str =
    "COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url)";

pub(super) const FEED_COLUMNS: &str =
    "f.id, f.url, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), f.site_url, \
     f.etag, f.last_modified, f.last_fetched, f.last_status, f.last_error, f.gone, \
     IFNULL((SELECT c.entries FROM feed_counts c WHERE c.feed_id = f.id), 0), \
     IFNULL((SELECT c.unread FROM feed_counts c WHERE c.feed_id = f.id), 0), \
     f.folder, NULLIF(f.user_title, ''), f.remote_id, f.warning";

impl Store {
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

    /// Every feed's id and shown title, without the counts `feeds` makes (a scan at scale).
    pub fn feed_titles(&self) -> Result<Vec<(FeedId, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT f.id, {FEED_TITLE} FROM feeds f"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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
        let mut index = IndexRows::default();
        let new = write_update(&tx, id, up, &mut index)?;
        index.write(&tx)?;
        tx.commit()?;
        Ok(new)
    }

    /// Stores several fetched documents in one transaction, each as [`Store::apply_update`]
    /// would: a document that fails leaves nothing of itself and the others are kept. Each
    /// document's result is in `ups`' order; the outer error is a lone document's failure to
    /// start or commit, and then nothing was stored.
    ///
    /// One commit for many documents is what keeps a big refresh cheap: each commit writes
    /// every page its documents touched (the time-ordered indexes take each entry on a
    /// different page) to the WAL, and the search index flushes a segment to merge later. A
    /// savepoint per document would flush one at each release too (FTS5 syncs its terms at
    /// every savepoint), so there is none: a feed gone meanwhile fails at its first statement,
    /// having written nothing, and any other failure, its commit's included (rare: a full disk,
    /// a bug), rolls the batch back and stores its documents one transaction each.
    pub fn apply_updates(&mut self, ups: &[(FeedId, FeedUpdate)]) -> Result<Vec<Result<usize>>> {
        self.become_bulk_writer()?;
        match self.write_batch(ups) {
            Err(e) if ups.len() > 1 => {
                tracing::warn!(documents = ups.len(), error = %e, "a batch failed: storing its documents one by one");
                Ok(ups
                    .iter()
                    .map(|(id, up)| self.apply_update(*id, up))
                    .collect())
            }
            done => done,
        }
    }

    /// The batch in one transaction: the result of each document, or the first failure other
    /// than a removed feed's (the transaction then rolled back, nothing stored).
    fn write_batch(&mut self, ups: &[(FeedId, FeedUpdate)]) -> Result<Vec<Result<usize>>> {
        let tx = self.write()?;
        let mut index = IndexRows::default();
        let mut results = Vec::with_capacity(ups.len());
        for (id, up) in ups {
            match write_update(&tx, *id, up, &mut index) {
                Err(StoreError::NoSuchFeed(id)) => results.push(Err(StoreError::NoSuchFeed(id))),
                Err(e) => return Err(e),
                Ok(new) => results.push(Ok(new)),
            }
        }
        // A full disk may only show here, when the pages are written.
        index.write(&tx)?;
        tx.commit()?;
        Ok(results)
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
}

pub(super) fn feed_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Feed> {
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

/// Fails with [`StoreError::NoSuchFeed`] when `id` is gone: a feed removed (by another process)
/// while its refresh, backfill or sync was under way gets nothing written back.
pub(super) fn ensure_feed(tx: &Transaction<'_>, id: FeedId) -> Result<()> {
    let exists: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM feeds WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NoSuchFeed(id))
    }
}

/// [`Store::apply_update`]'s writes, inside the caller's transaction or savepoint.
fn write_update<'a>(
    tx: &Connection,
    id: FeedId,
    up: &FeedUpdate<'a>,
    index: &mut IndexRows<'a>,
) -> Result<usize> {
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
    store_entries(tx, id, &up.feed.entries, up.fetched_at, Seen::Update, index)
}
