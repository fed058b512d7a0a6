//! The upgrade's build of the entry counters (issue 20): a cache made before them counts its
//! entries once, feeds in batches with progress, as the papers re-scan does. The front ends run
//! it before anything reads counts: the CLI before its command, the reader before its first
//! frame (both with progress on stderr for big caches). A small build is done as the cache opens.

use super::{Library, Result};
use crate::store::ScanState;

/// Feeds counted per transaction: about 50,000 entries at 500 a feed, a tenth of a second, so
/// a refresh waiting on the cache's write lock waits little.
pub const COUNTS_BATCH: usize = 100;

impl Library {
    /// The counters' build still due (entries counted and in all), or `None`.
    pub fn counts_build_due(&self) -> Result<Option<ScanState>> {
        self.store.counts_build().map_err(|e| self.store_err(e))
    }

    /// Builds the counters to the end, [`COUNTS_BATCH`] feeds a transaction (an interrupted
    /// build resumes at its next feed); `progress(done, total)` in entries after each batch.
    /// Returns whether there was a build.
    pub fn build_counts(&mut self, progress: impl FnMut(u64, u64)) -> Result<bool> {
        self.build_counts_for(usize::MAX, progress)
    }

    /// [`Library::build_counts`], stopping after `batches` batches.
    pub fn build_counts_for(
        &mut self,
        batches: usize,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<bool> {
        let Some(state) = self.counts_build_due()? else {
            return Ok(false);
        };
        let mut done = state.done;
        for _ in 0..batches {
            let (counted, finished) = self
                .store
                .build_counts_batch(COUNTS_BATCH)
                .map_err(|e| self.store_err(e))?;
            // Entries a refresh added meanwhile are counted too: the total grows with them.
            done += counted;
            progress(done, state.total.max(done));
            if finished {
                break;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ListQuery;

    /// A cache whose counters are due again, as an upgrade leaves a big one: `feeds` feeds of
    /// `per_feed` entries, every other one read.
    fn upgraded(feeds: i64, per_feed: i64) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = crate::paths::Paths::resolve(Some(dir.path()), None).expect("paths");
        let lib = Library::open(paths, crate::config::Config::default()).expect("open");
        rusqlite::Connection::open(lib.paths().db_file())
            .and_then(|c| {
                c.execute_batch(&format!(
                    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {feeds})
                     INSERT INTO feeds (id, url, added_at) SELECT i, 'http://127.0.0.1:9/' || i, 0 FROM k;
                     WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k
                       WHERE i < {feeds} * {per_feed} - 1)
                     INSERT INTO entries (feed_id, guid, title, first_seen, month, sort_time, read)
                     SELECT 1 + i / {per_feed}, 'g' || i, 'T', 0, '2024-01', i, i % 2 FROM k;
                     DELETE FROM entry_counts; DELETE FROM feed_counts; DELETE FROM month_counts;
                     INSERT INTO counts_build (after) VALUES (0);"
                ))
            })
            .expect("an upgraded cache");
        (dir, lib)
    }

    #[test]
    fn the_build_reports_progress_per_batch_and_resumes_after_an_interruption() {
        let feeds = i64::try_from(COUNTS_BATCH).expect("small") * 2 + 1;
        let (_dir, mut lib) = upgraded(feeds, 3);
        let total = u64::try_from(feeds * 3).expect("positive");
        let due = lib
            .counts_build_due()
            .expect("due")
            .expect("a build is due");
        assert_eq!((due.done, due.total), (0, total));
        let mut seen = Vec::new();
        assert!(lib
            .build_counts_for(1, |d, t| seen.push((d, t)))
            .expect("one batch"));
        let batch = u64::try_from(COUNTS_BATCH * 3).expect("small");
        assert_eq!(seen, [(batch, total)]);
        // Interrupted: the next run goes on from there to the end.
        seen.clear();
        assert!(lib
            .build_counts(|d, t| seen.push((d, t)))
            .expect("the rest"));
        assert_eq!(seen, [(2 * batch, total), (total, total), (total, total)]);
        assert!(lib.counts_build_due().expect("due").is_none());
        assert!(!lib.build_counts(|_, _| {}).expect("nothing due"));
        let all = lib.count(&ListQuery::default()).expect("count");
        let unread = lib
            .count(&ListQuery {
                unread_only: true,
                ..ListQuery::default()
            })
            .expect("unread");
        assert_eq!((all, unread), (feeds * 3, feeds * 3 / 2 + 1));
    }
}
