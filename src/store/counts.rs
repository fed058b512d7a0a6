//! The counters of entries (issue 20, part A): `entry_counts` per (feed, month), rolled up in
//! `feed_counts` and `month_counts`, kept exact by the schema's triggers in the transaction of
//! every change to entries (see schema step 9), and counts a document's new entries. A cache
//! made before them builds them as one of the upgrade's fills (`fills`, `BUILD_RANGE`).

use rusqlite::{params, Connection};

use super::Result;
use crate::model::FeedId;

/// The trigger keeping the counters through a read or star change in the same feed and month,
/// firing while `guard` holds: step 9 wrote it with none, step 12 (bulk marks, `marks`) with
/// `marks_deferred` empty.
macro_rules! entry_counts_flags {
    ($guard:literal) => {
        concat!(
            "
    CREATE TRIGGER entry_counts_flags AFTER UPDATE OF read, starred ON entries
    WHEN old.feed_id = new.feed_id AND old.month = new.month
        AND ((old.read = 0) <> (new.read = 0) OR (old.starred = 1) <> (new.starred = 1))",
            $guard,
            "
    BEGIN
        UPDATE entry_counts SET unread = unread + (new.read = 0) - (old.read = 0),
            starred = starred + (new.starred = 1) - (old.starred = 1)
            WHERE feed_id = new.feed_id AND month = new.month;
        UPDATE feed_counts SET unread = unread + (new.read = 0) - (old.read = 0),
            starred = starred + (new.starred = 1) - (old.starred = 1)
            WHERE feed_id = new.feed_id;
        UPDATE month_counts SET unread = unread + (new.read = 0) - (old.read = 0),
            starred = starred + (new.starred = 1) - (old.starred = 1)
            WHERE month = new.month;
    END;
"
        )
    };
}
pub(crate) use entry_counts_flags;

/// The upgrade's build of the counters, one range of feeds (ids above `?1`, up to `?2`) at a
/// time (`fills::Fill::EntryCounts`). A feed's rows are recounted whole, so what the triggers
/// wrote for it before its batch (a refresh while the build waited) is replaced, not added to.
/// Entries and unread come off the (feed, month, sort_time, read) index, never the wide rows;
/// the starred ones (few) through their own index.
pub(super) const BUILD_RANGE: [&str; 5] = [
    "DELETE FROM entry_counts WHERE feed_id > ?1 AND feed_id <= ?2",
    "INSERT INTO entry_counts (feed_id, month, entries, unread, starred) \
     SELECT feed_id, month, COUNT(*), TOTAL(read = 0), 0 FROM entries \
     WHERE feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id, month",
    "UPDATE entry_counts AS c SET starred = s.n FROM \
     (SELECT feed_id, month, COUNT(*) AS n FROM entries INDEXED BY entries_starred \
      WHERE starred = 1 AND feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id, month) s \
     WHERE c.feed_id = s.feed_id AND c.month = s.month",
    "DELETE FROM feed_counts WHERE feed_id > ?1 AND feed_id <= ?2",
    "INSERT INTO feed_counts (feed_id, entries, unread, starred) \
     SELECT feed_id, SUM(entries), SUM(unread), SUM(starred) FROM entry_counts \
     WHERE feed_id > ?1 AND feed_id <= ?2 GROUP BY feed_id",
];

/// The build's last step: every feed is counted, and the months are their sums.
pub(super) fn roll_up_months(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "DELETE FROM month_counts; \
         INSERT INTO month_counts (month, entries, unread, starred) \
         SELECT month, SUM(entries), SUM(unread), SUM(starred) FROM entry_counts \
         GROUP BY month;",
    )
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
