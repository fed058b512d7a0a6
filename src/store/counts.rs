//! The counters of entries (issue 20, part A): `entry_counts` per (feed, month), rolled up in
//! `feed_counts` and `month_counts`, kept exact by the schema's triggers in the transaction of
//! every change to entries (see schema step 9). This file builds them for a cache made before
//! them, as the papers re-scan does (`papers_scan`): a row in `counts_build` marks the work, done
//! in batches of feeds, one transaction each, so an interrupted build resumes.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Result, ScanState, Store};
use crate::model::FeedId;

/// A pending build this small (entries left) is finished as the cache opens: it takes well
/// under a tenth of a second, and callers that never run the build (tests, scripts) see exact
/// counts. A bigger one waits for the front end, which shows its progress.
const BUILD_AT_OPEN: u64 = 50_000;

impl Store {
    /// The counters' build still due (entries counted and in all), or `None`.
    pub fn counts_build(&self) -> Result<Option<ScanState>> {
        let Some(after) = self
            .conn
            .prepare_cached("SELECT MIN(after) FROM counts_build HAVING COUNT(*) > 0")?
            .query_row([], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            return Ok(None);
        };
        // The feeds done are counted already; the rest once, off the (feed, month) index.
        let (done, left): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT TOTAL(entries) FROM feed_counts WHERE feed_id <= ?1), \
             (SELECT COUNT(*) FROM entries WHERE feed_id > ?1)",
            [after],
            |r| Ok((r.get::<_, f64>(0)? as i64, r.get(1)?)),
        )?;
        let done = u64::try_from(done).unwrap_or(0);
        Ok(Some(ScanState {
            after,
            done,
            total: done + u64::try_from(left).unwrap_or(0),
        }))
    }

    /// Counts the entries of the next `feeds` feeds not yet counted, in one transaction that
    /// moves the build on; the last batch rolls up the months and ends the build. Returns the
    /// entries counted and whether the build is over (`(0, true)` when none was due).
    /// A feed's rows are recounted whole, so what the triggers wrote for it before its batch
    /// (a refresh while the build waited) is replaced, not added to.
    pub fn build_counts_batch(&mut self, feeds: usize) -> Result<(u64, bool)> {
        let tx = self.write()?;
        // Read inside the write lock: two processes building at once take turns, not batches.
        let Some(after) = tx
            .prepare_cached("SELECT MIN(after) FROM counts_build HAVING COUNT(*) > 0")?
            .query_row([], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            return Ok((0, true));
        };
        let limit = i64::try_from(feeds).unwrap_or(i64::MAX);
        let last: Option<i64> = tx.query_row(
            "SELECT MAX(id) FROM (SELECT id FROM feeds WHERE id > ?1 ORDER BY id LIMIT ?2)",
            params![after, limit],
            |r| r.get(0),
        )?;
        let Some(last) = last else {
            // Every feed is counted: the months are their sums.
            tx.execute_batch(
                "DELETE FROM month_counts; \
                 INSERT INTO month_counts (month, entries, unread, starred) \
                 SELECT month, SUM(entries), SUM(unread), SUM(starred) FROM entry_counts \
                 GROUP BY month; \
                 DELETE FROM counts_build;",
            )?;
            tx.commit()?;
            return Ok((0, true));
        };
        let range = params![after, last];
        tx.execute(
            "DELETE FROM entry_counts WHERE feed_id > ?1 AND feed_id <= ?2",
            range,
        )?;
        // Entries and unread off the (feed, month, sort_time, read) index, never the wide rows;
        // the starred ones (few) through their own index.
        tx.execute(
            "INSERT INTO entry_counts (feed_id, month, entries, unread, starred) \
             SELECT feed_id, month, COUNT(*), TOTAL(read = 0), 0 FROM entries \
             WHERE feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id, month",
            range,
        )?;
        tx.execute(
            "UPDATE entry_counts AS c SET starred = s.n FROM \
             (SELECT feed_id, month, COUNT(*) AS n FROM entries INDEXED BY entries_starred \
              WHERE starred = 1 AND feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id, month) s \
             WHERE c.feed_id = s.feed_id AND c.month = s.month",
            range,
        )?;
        tx.execute(
            "DELETE FROM feed_counts WHERE feed_id > ?1 AND feed_id <= ?2",
            range,
        )?;
        tx.execute(
            "INSERT INTO feed_counts (feed_id, entries, unread, starred) \
             SELECT feed_id, SUM(entries), SUM(unread), SUM(starred) FROM entry_counts \
             WHERE feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id",
            range,
        )?;
        let entries: i64 = tx.query_row(
            "SELECT TOTAL(entries) FROM feed_counts WHERE feed_id > ?1 AND feed_id <= ?2",
            range,
            |r| Ok(r.get::<_, f64>(0)? as i64),
        )?;
        tx.execute("UPDATE counts_build SET after = ?1", [last])?;
        tx.commit()?;
        Ok((u64::try_from(entries).unwrap_or(0), false))
    }

    /// Finishes a small pending build (see [`BUILD_AT_OPEN`]); called as the cache opens.
    pub(super) fn build_small_counts(&mut self) -> Result<()> {
        match self.counts_build()? {
            Some(s) if s.total - s.done <= BUILD_AT_OPEN => {
                while !self.build_counts_batch(usize::MAX)?.1 {}
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
impl Store {
    /// Counts every entry again, as the upgrade's build does: for tests that write entries
    /// by SQL, which the store's counting never sees.
    pub(crate) fn recount_entries(&mut self) -> Result<()> {
        self.conn
            .execute("INSERT INTO counts_build (after) VALUES (0)", [])?;
        while !self.build_counts_batch(usize::MAX)?.1 {}
        Ok(())
    }
}

/// New entries of one document, per month: counted at the end of the document with one upsert
/// per month rather than three per entry (there is no insert trigger: every insert of an entry
/// is the store's own, in `store_entries`).
#[derive(Default)]
pub(super) struct NewEntries {
    /// Few months per document: a list searched in order beats a map.
    months: Vec<(String, i64)>,
}

impl NewEntries {
    /// One entry inserted in `month`: unread and not starred, as every new entry is stored.
    pub(super) fn push(&mut self, month: &str) {
        match self.months.iter_mut().find(|(m, _)| m == month) {
            Some((_, n)) => *n += 1,
            None => self.months.push((month.to_string(), 1)),
        }
    }

    /// Adds the document's new entries to the counters.
    pub(super) fn add(self, tx: &Connection, feed: FeedId) -> Result<()> {
        if self.months.is_empty() {
            return Ok(());
        }
        let mut by_feed_month = tx.prepare_cached(
            "INSERT INTO entry_counts (feed_id, month, entries, unread, starred) \
             VALUES (?1, ?2, ?3, ?3, 0) ON CONFLICT (feed_id, month) DO UPDATE SET \
             entries = entries + excluded.entries, unread = unread + excluded.unread",
        )?;
        let mut by_month = tx.prepare_cached(
            "INSERT INTO month_counts (month, entries, unread, starred) VALUES (?1, ?2, ?2, 0) \
             ON CONFLICT (month) DO UPDATE SET \
             entries = entries + excluded.entries, unread = unread + excluded.unread",
        )?;
        let mut total = 0;
        for (month, n) in &self.months {
            by_feed_month.execute(params![feed, month, n])?;
            by_month.execute(params![month, n])?;
            total += n;
        }
        if total > 0 {
            tx.prepare_cached(
                "INSERT INTO feed_counts (feed_id, entries, unread, starred) \
                 VALUES (?1, ?2, ?2, 0) ON CONFLICT (feed_id) DO UPDATE SET \
                 entries = entries + excluded.entries, unread = unread + excluded.unread",
            )?
            .execute(params![feed, total])?;
        }
        Ok(())
    }
}
