//! The upgrade's fills of the entry counters, the DOIs' titles and the paper counters (issue 20;
//! see `store::fills`), in batches with progress. The front ends run them before anything else
//! (the CLI before its command, the reader before its first frame), with progress on stderr for
//! big caches.

use super::{Library, Result};
pub use crate::store::{Fill, FillState};

/// Rows per transaction: a tenth to a quarter of a second at a million entries, so a refresh
/// waiting on the cache's write lock waits little.
pub const FILL_BATCH: usize = 10_000;

impl Library {
    /// How far `fill` is, or `None` when it is not due.
    pub fn fill_due(&self, fill: Fill) -> Result<Option<FillState>> {
        self.store.fill_due(fill).map_err(|e| self.store_err(e))
    }

    /// Runs `fill` to the end, or for at most `batches` batches of [`FILL_BATCH`] rows (an
    /// interrupted fill resumes at its next key); `progress(done, total)` in rows after each
    /// batch. Returns whether there was one.
    pub fn run_fill(
        &mut self,
        fill: Fill,
        batches: usize,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<bool> {
        let Some(state) = self.fill_due(fill)? else {
            return Ok(false);
        };
        let mut done = state.done;
        for _ in 0..batches {
            let (filled, over) = self
                .store
                .fill_batch(fill, FILL_BATCH)
                .map_err(|e| self.store_err(e))?;
            // Rows a refresh added meanwhile are filled too: the total grows with them.
            done += filled;
            progress(done, state.total.max(done));
            if over {
                break;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DoiScope, ListQuery};

    /// `n` posts over three months in two feeds (every third read, every seventh starred),
    /// each citing two of 60 papers (some through an alias) with a DOI row; `title` is the
    /// DOI rows' title column and value as written (none at schema 8).
    fn seed(conn: &rusqlite::Connection, n: i64, title: (&str, &str)) {
        let (col, value) = title;
        conn.execute_batch(&format!(
            "INSERT INTO feeds (id, url, added_at) VALUES
                (1, 'http://127.0.0.1:9/a', 0), (2, 'http://127.0.0.1:9/b', 0);
             WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
             INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read,
                                  starred)
             SELECT i, 1 + i % 2, 'g' || i, 'Post ' || i, 0, printf('2024-%02d', 1 + i % 3),
                    1704100000 + i, i % 3 = 0, i % 7 = 0 FROM k;
             INSERT INTO entry_papers (entry_id, feed_id, month, sort_time, paper_key, ids, pos)
             SELECT id, feed_id, month, sort_time, 'doi:10.1/p' || (id % 60), 'x', 0 FROM entries
             UNION ALL
             SELECT id, feed_id, month, sort_time, 'pmid:' || (id * 7 % 60), 'x', 1 FROM entries;
             INSERT INTO paper_aliases VALUES ('pmid:1', 'doi:10.1/p1'), ('pmid:2', 'doi:10.1/p3');
             INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos{col})
             SELECT id, feed_id, month, '10.1/p' || (id % 60), '10.1/p' || (id % 60), 'text', 0
                    {value} FROM entries;"
        ))
        .expect("seeded");
    }

    fn open(dir: &std::path::Path) -> Library {
        let paths = crate::paths::Paths::resolve(Some(dir), None).expect("paths");
        Library::open(paths, crate::config::Config::default()).expect("open")
    }

    /// What the readers of the filled tables answer.
    fn answers(lib: &Library) -> String {
        let months = lib.months(None).expect("months");
        let mut out = format!("{months:?}");
        for (unread_only, starred_only) in [(false, false), (true, false), (false, true)] {
            let q = ListQuery {
                unread_only,
                starred_only,
                limit: Some(7),
                ..ListQuery::default()
            };
            let rows = lib.papers(&q).expect("papers");
            out += &format!(
                "{:?}",
                rows.iter()
                    .map(|r| (&r.key, r.cited_by.len()))
                    .collect::<Vec<_>>()
            );
        }
        let dois = lib
            .dois(&DoiScope {
                month: Some("2024-02".into()),
                ..DoiScope::default()
            })
            .expect("dois");
        out + &format!("{dois:?}")
    }

    #[test]
    fn an_upgraded_cache_fills_with_progress_resumes_and_answers_as_a_fresh_one() {
        let n = 40_000;
        let fresh_dir = tempfile::tempdir().expect("temp dir");
        let mut fresh = open(fresh_dir.path());
        rusqlite::Connection::open(fresh.paths().db_file())
            .map(|c| seed(&c, n, (", title", ", title")))
            .expect("a fresh cache");
        // Rows written by SQL: counted as the store's writers would have.
        fresh
            .store
            .refill(crate::store::Fill::EntryCounts)
            .expect("recount");
        fresh
            .store
            .refill(crate::store::Fill::PaperCounts)
            .expect("recount");
        let want = answers(&fresh);
        assert!(fresh.fill_due(Fill::Titles).expect("due").is_none());

        let dir = tempfile::tempdir().expect("temp dir");
        let db = crate::paths::Paths::resolve(Some(dir.path()), None)
            .expect("paths")
            .db_file();
        crate::store::connection_at_version(&db, 8)
            .map(|c| seed(&c, n, ("", "")))
            .expect("a schema-8 cache");
        let mut lib = open(dir.path());
        let rows = u64::try_from(2 * n).expect("positive");
        let due = lib.fill_due(Fill::PaperCounts).expect("due");
        assert_eq!(
            due,
            Some(FillState {
                done: 0,
                total: rows
            }),
            "left to the front end"
        );
        assert!(lib.fill_due(Fill::Titles).expect("due").is_some());
        assert_eq!(answers(&lib), want, "while pending, from the rows");

        // The entry counters (40,000 entries) were built as the cache opened.
        assert_eq!(lib.fill_due(Fill::EntryCounts).expect("due"), None);
        // Interrupted after a batch of each: a new process goes on from there.
        let mut seen = Vec::new();
        for fill in [Fill::Titles, Fill::PaperCounts] {
            assert!(lib
                .run_fill(fill, 1, |d, t| seen.push((d, t)))
                .expect("a batch"));
        }
        let batch = u64::try_from(FILL_BATCH).expect("small");
        assert!(seen[0].0 >= batch && seen[1].0 >= batch, "{seen:?}");
        assert_eq!(answers(&lib), want, "half filled");
        drop(lib);
        let mut lib = open(dir.path());
        let due = lib
            .fill_due(Fill::PaperCounts)
            .expect("due")
            .expect("still due");
        assert_eq!(due.done, seen[1].0);
        seen.clear();
        assert!(lib
            .run_fill(Fill::PaperCounts, usize::MAX, |d, t| seen.push((d, t)))
            .expect("the rest"));
        assert_eq!(seen.last(), Some(&(rows, rows)));
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
        assert!(lib
            .run_fill(Fill::Titles, usize::MAX, |_, _| {})
            .expect("the rest"));
        for fill in Fill::ALL {
            assert_eq!(lib.fill_due(fill).expect("due"), None);
        }
        assert_eq!(answers(&lib), want, "filled");
    }

    /// A cache whose entry counters are due again, as an upgrade leaves a big one: `feeds`
    /// feeds of `per_feed` entries, every other one read.
    fn uncounted(feeds: i64, per_feed: i64) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().expect("temp dir");
        let lib = open(dir.path());
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
    fn the_entry_counters_build_per_batch_of_whole_feeds_and_resume_after_an_interruption() {
        let per_feed = 100;
        let feeds = 2 * i64::try_from(FILL_BATCH).expect("small") / per_feed + 1;
        let (_dir, mut lib) = uncounted(feeds, per_feed);
        let total = u64::try_from(feeds * per_feed).expect("positive");
        let due = lib.fill_due(Fill::EntryCounts).expect("due");
        assert_eq!(due, Some(FillState { done: 0, total }));
        let mut seen = Vec::new();
        assert!(lib
            .run_fill(Fill::EntryCounts, 1, |d, t| seen.push((d, t)))
            .expect("one batch"));
        let batch = u64::try_from(FILL_BATCH).expect("small");
        assert_eq!(seen, [(batch, total)], "a batch ends with its last feed");
        // Interrupted: the next run goes on from there to the end.
        seen.clear();
        assert!(lib
            .run_fill(Fill::EntryCounts, usize::MAX, |d, t| seen.push((d, t)))
            .expect("the rest"));
        assert_eq!(seen, [(2 * batch, total), (total, total)]);
        assert!(lib.fill_due(Fill::EntryCounts).expect("due").is_none());
        assert!(!lib
            .run_fill(Fill::EntryCounts, usize::MAX, |_, _| {})
            .expect("nothing due"));
        let all = lib.count(&ListQuery::default()).expect("count");
        let unread = lib
            .count(&ListQuery {
                unread_only: true,
                ..ListQuery::default()
            })
            .expect("unread");
        assert_eq!((all, unread), (feeds * per_feed, feeds * per_feed / 2));
    }
}
