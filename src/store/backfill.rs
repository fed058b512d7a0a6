//! Backfill progress: how far each feed's archive walk has come, and the archive pages it
//! stored (their entries go through the same path as a refresh, never overwriting it).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::entries::{store_entries, IndexRows, Seen};
use super::feeds::ensure_feed;
use super::{from_secs, Result, Store};
use crate::model::{FeedId, ParsedFeed};

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

impl Store {
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

    /// The feeds whose whole history is cached, in one query (the reader's first frame asked
    /// each feed in turn: 2,000 queries at 2,000 feeds).
    pub fn complete_feeds(&self) -> Result<std::collections::BTreeSet<FeedId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT feed_id FROM archive_state WHERE complete <> 0")?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<_>>()?)
    }

    pub fn put_archive_state(&mut self, id: FeedId, s: &ArchiveState) -> Result<()> {
        let updated_at = s.updated_at.unwrap_or_else(Utc::now).timestamp();
        let tx = self.write()?;
        ensure_feed(&tx, id)?;
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
        ensure_feed(&tx, id)?;
        let mut index = IndexRows::default();
        let new = store_entries(&tx, id, &feed.entries, at, Seen::Keep, &mut index)?;
        index.write(&tx)?;
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
}
