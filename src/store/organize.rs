//! Folders, stars and the user's feed titles (issue 12): the store's side of `crate::library::organize`.
use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::params;

use super::feeds::{feed_row, FEED_COLUMNS, FEED_TITLE};
use super::query::{IN_FOLDER, MONTH_PAPERS};
use super::{query, ListQuery, Result, Store, StoreError, SyncedState};
use crate::model::{EntryId, Feed, FeedId, FolderCount, MonthCount};

impl Store {
    /// Puts a feed in `folder` (already normalised), or in none.
    pub fn set_folder(&mut self, id: FeedId, folder: Option<&str>) -> Result<()> {
        self.set_feed_text("UPDATE feeds SET folder = ?2 WHERE id = ?1", id, folder)
    }

    /// Puts a feed in `folder` only if it is in none (an import never moves a feed).
    pub fn set_folder_if_none(&mut self, id: FeedId, folder: &str) -> Result<bool> {
        self.set_feed_text_if_none(
            "UPDATE feeds SET folder = ?2 WHERE id = ?1 AND folder IS NULL",
            id,
            folder,
        )
    }

    /// Gives a feed the user's title only if it has none (an import never renames a feed).
    pub fn set_user_title_if_none(&mut self, id: FeedId, title: &str) -> Result<bool> {
        self.set_feed_text_if_none(
            "UPDATE feeds SET user_title = ?2 WHERE id = ?1 AND NULLIF(user_title, '') IS NULL",
            id,
            title,
        )
    }

    /// Runs one conditional `UPDATE feeds … WHERE id = ?1 AND …`; whether it changed the feed.
    fn set_feed_text_if_none(&mut self, sql: &str, id: FeedId, value: &str) -> Result<bool> {
        let tx = self.write()?;
        let n = tx.execute(sql, params![id, value])?;
        tx.commit()?;
        Ok(n > 0)
    }

    /// Every folder by name, parents that hold no feed directly included, each counting the
    /// feeds of the folders nested in it too.
    pub fn folders(&self) -> Result<Vec<FolderCount>> {
        let _snapshot = self.conn.unchecked_transaction()?;
        let held: Vec<String> = self
            .conn
            .prepare_cached("SELECT DISTINCT folder FROM feeds WHERE folder IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut names: Vec<String> = crate::model::with_parents(held.iter().map(String::as_str))
            .into_iter()
            .map(str::to_string)
            .collect();
        // Sorted is stable: names equal but for case keep their byte order.
        names.sort_by_cached_key(|n| n.to_lowercase());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT COUNT(*), \
             TOTAL((SELECT c.entries FROM feed_counts c WHERE c.feed_id = f.id)), \
             TOTAL((SELECT c.unread FROM feed_counts c WHERE c.feed_id = f.id)) \
             FROM feeds f WHERE {IN_FOLDER}"
        ))?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let (feeds, entries, unread) = stmt.query_row([&name, &name, &name], |r| {
                Ok((
                    r.get(0)?,
                    r.get::<_, f64>(1)? as i64,
                    r.get::<_, f64>(2)? as i64,
                ))
            })?;
            out.push(FolderCount {
                name,
                feeds,
                entries,
                unread,
            });
        }
        Ok(out)
    }

    /// The feeds of a folder and of the folders nested in it, by title.
    pub fn feeds_in_folder(&self, name: &str) -> Result<Vec<Feed>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {FEED_COLUMNS} FROM feeds f WHERE {IN_FOLDER} \
             ORDER BY {FEED_TITLE} COLLATE NOCASE, f.id"
        ))?;
        let feeds = stmt
            .query_map([name, name, name], feed_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(feeds)
    }

    /// Renames a folder and the folders nested in it; returns how many feeds moved.
    pub fn rename_folder(&mut self, old: &str, new: &str) -> Result<usize> {
        let tx = self.write()?;
        let n = tx.execute(
            &format!(
                "UPDATE feeds AS f SET folder = ? || substr(f.folder, length(?) + 1) \
                 WHERE {IN_FOLDER}"
            ),
            params![new, old, old, old, old],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Stars or unstars entries; returns how many changed. The read flag is left alone.
    pub fn set_starred(&mut self, ids: &[EntryId], starred: bool) -> Result<usize> {
        let tx = self.write()?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE entries SET starred = ?2 WHERE id = ?1 AND starred <> ?2",
            )?;
            let mut flipped = Vec::new();
            for id in ids {
                if stmt.execute(params![id, starred])? > 0 {
                    changed += 1;
                    flipped.push(*id);
                }
            }
            super::sync::queue_states(&tx, &flipped, SyncedState::Starred, starred)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Sets the user's title of a feed (`None` returns to the feed's own).
    pub fn set_user_title(&mut self, id: FeedId, title: Option<&str>) -> Result<()> {
        self.set_feed_text("UPDATE feeds SET user_title = ?2 WHERE id = ?1", id, title)
    }

    /// Runs one `UPDATE feeds … WHERE id = ?1` with a text value; a missing feed is an error.
    fn set_feed_text(&mut self, sql: &str, id: FeedId, value: Option<&str>) -> Result<()> {
        let tx = self.write()?;
        if tx.execute(sql, params![id, value])? == 0 {
            return Err(StoreError::NoSuchFeed(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// How many starred entries a feed holds.
    pub fn starred_in_feed(&self, id: FeedId) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT IFNULL((SELECT starred FROM feed_counts WHERE feed_id = ?1), 0)",
            [id],
            |r| r.get(0),
        )?)
    }

    /// Months of the entries `q` matches (a folder, the starred ones), newest first. Search,
    /// limit and offset are ignored.
    pub fn months_where(&self, q: &ListQuery) -> Result<Vec<MonthCount>> {
        let q = ListQuery {
            search: None,
            ..q.clone()
        };
        let Some((from_where, args)) = query::from_where(&q) else {
            return Ok(Vec::new());
        };
        let _snapshot = self.conn.unchecked_transaction()?;
        let folder_only = q.feed.is_none()
            && q.month.is_none()
            && !q.starred_only
            && !q.unread_only
            && !q.with_dois_only
            && q.ids.is_none()
            && q.before.is_none();
        if let (Some(name), true) = (&q.folder, folder_only) {
            return self.folder_months(name);
        }
        let papers_sql = format!(
            "{MONTH_PAPERS} WHERE p.entry_id IN (SELECT e.id FROM {from_where}) GROUP BY p.month"
        );
        let counts_sql = format!(
            // `+e.month`: group in a temporary tree rather than walk the month index, which
            // reads every row of the cache to test a star (300 ms at 100,000 entries).
            "SELECT e.month, COUNT(*), TOTAL(e.read = 0) FROM {from_where} \
             GROUP BY +e.month ORDER BY +e.month DESC"
        );
        self.month_counts(&papers_sql, &args, &counts_sql, &args)
    }

    /// Months of a folder's entries, newest first. Callers hold one snapshot around it.
    fn folder_months(&self, name: &str) -> Result<Vec<MonthCount>> {
        let mut months = self.folder_month_counts(name)?;
        MonthCount::fill_papers(&mut months, &self.folder_month_papers(name)?);
        Ok(months)
    }

    /// A folder's months with their entry and unread counts, newest first; `papers` is left 0
    /// (`folder_month_papers` costs as much again, so the reader asks for it in the background).
    /// Each feed's months come off its counters (schema step 9) and are summed here: SQLite's
    /// GROUP BY over a folder of 100 feeds would sort them in a temporary tree.
    pub fn folder_month_counts(&self, name: &str) -> Result<Vec<MonthCount>> {
        let mut months: BTreeMap<String, MonthCount> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.month, c.entries, c.unread FROM feeds f \
             CROSS JOIN entry_counts c ON c.feed_id = f.id WHERE {IN_FOLDER} AND c.entries > 0"
        ))?;
        let mut rows = stmt.query([name, name, name])?;
        while let Some(r) = rows.next()? {
            let month = text_at(r, 0)?;
            let (entries, unread): (i64, i64) = (r.get(1)?, r.get(2)?);
            let count = match months.get_mut(month) {
                Some(count) => count,
                None => months
                    .entry(month.to_string())
                    .or_insert_with(|| MonthCount {
                        month: month.to_string(),
                        count: 0,
                        unread: 0,
                        papers: 0,
                    }),
            };
            count.count += entries;
            count.unread += unread;
        }
        Ok(months.into_values().rev().collect())
    }

    /// Distinct papers (canonical keys) per month of a folder's entries, in no order: a paper
    /// cited by two feeds of the folder in one month counts once. Like `folder_month_counts`,
    /// summed here from rows off the per-feed index rather than by COUNT(DISTINCT).
    pub fn folder_month_papers(&self, name: &str) -> Result<Vec<(String, i64)>> {
        let mut months: HashMap<String, HashSet<String>> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.month, COALESCE(a.paper_key, p.paper_key) \
             FROM feeds f CROSS JOIN entries e ON e.feed_id = f.id \
             CROSS JOIN entry_papers p ON p.entry_id = e.id \
             LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key WHERE {IN_FOLDER}"
        ))?;
        let mut rows = stmt.query([name, name, name])?;
        while let Some(r) = rows.next()? {
            let month = text_at(r, 0)?;
            let keys = match months.get_mut(month) {
                Some(keys) => keys,
                None => months.entry(month.to_string()).or_default(),
            };
            let key = text_at(r, 1)?;
            if !keys.contains(key) {
                keys.insert(key.to_string());
            }
        }
        Ok(months
            .into_iter()
            .map(|(month, keys)| (month, keys.len() as i64))
            .collect())
    }
}

/// Column `i` of a row as text borrowed from SQLite (no allocation per row).
fn text_at<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'a str> {
    r.get_ref(i)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::schema;
    use super::*;

    /// A version-3 cache (the schema before folders and stars) with two feeds, read flags and
    /// DOIs, written with that version's own SQL.
    fn version_3_cache(path: &std::path::Path) {
        let mut conn = Connection::open(path).unwrap();
        schema::migrate_to(&mut conn, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO feeds (id, url, title, added_at) VALUES
                (1, 'https://a.example/feed', 'Blog A', 0),
                (2, 'https://b.example/feed', 'Blog B', 0);
             INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read)
             VALUES
                (10, 1, 'a1', 'First', 0, '2014-12', 1418000000, 1),
                (11, 1, 'a2', 'Second', 0, '2015-01', 1421000000, 0),
                (12, 2, 'b1', 'Third', 0, '2015-01', 1421100000, 1);
             INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos) VALUES
                (10, 1, '2014-12', '10.1000/x.1', '10.1000/X.1', 'text', 0),
                (12, 2, '2015-01', '10.1000/y.2', '10.1000/y.2', 'meta', 0);",
        )
        .unwrap();
    }

    #[test]
    fn migration_from_version_3_keeps_entries_read_flags_and_dois() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.sqlite");
        version_3_cache(&path);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
        let rows = store.list(&ListQuery::default()).unwrap();
        let got: Vec<(i64, &str, bool, bool, Vec<String>)> = rows
            .iter()
            .map(|e| (e.id, e.title.as_str(), e.read, e.starred, e.dois.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (12, "Third", true, false, vec!["10.1000/y.2".to_string()]),
                (11, "Second", false, false, vec![]),
                (10, "First", true, false, vec!["10.1000/X.1".to_string()]),
            ]
        );
        let feeds = store.feeds().unwrap();
        assert_eq!(feeds.len(), 2);
        assert!(feeds
            .iter()
            .all(|f| f.folder.is_none() && f.user_title.is_none()));
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }

    /// Step 6 (issue 16) adds the feeds' warning: a version-5 cache keeps its feeds, with none.
    #[test]
    fn migration_from_version_5_gives_feeds_no_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, 5).unwrap();
            conn.execute_batch(
                "INSERT INTO feeds (id, url, title, last_error, added_at, remote_id)
                 VALUES (1, 'https://a.example/feed', 'Blog A', 'HTTP 500', 0, 'feed/7');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
        let feeds = store.feeds().unwrap();
        assert_eq!(feeds.len(), 1);
        let f = &feeds[0];
        assert_eq!(
            (
                f.title.as_str(),
                f.last_error.as_deref(),
                f.remote_id.as_deref()
            ),
            ("Blog A", Some("HTTP 500"), Some("feed/7"))
        );
        assert_eq!(f.warning, None);
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn folders_nest_count_and_rename_with_their_children() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        version_3_cache(&path);
        let mut store = Store::open(&path).unwrap();
        store.set_folder(1, Some("Science")).unwrap();
        store.set_folder(2, Some("Science/Psych")).unwrap();
        let names: Vec<(String, i64, i64, i64)> = store
            .folders()
            .unwrap()
            .into_iter()
            .map(|f| (f.name, f.feeds, f.entries, f.unread))
            .collect();
        assert_eq!(
            names,
            [
                ("Science".to_string(), 2, 3, 1),
                ("Science/Psych".to_string(), 1, 1, 0)
            ]
        );
        // "Sci" is not a parent of "Science".
        let q = |folder: &str| ListQuery {
            folder: Some(folder.to_string()),
            ..Default::default()
        };
        assert_eq!(store.count(&q("Sci")).unwrap(), 0);
        assert_eq!(store.count(&q("Science/Psych")).unwrap(), 1);
        assert_eq!(store.rename_folder("Science", "Reading").unwrap(), 2);
        assert_eq!(
            store.feed(2).unwrap().unwrap().folder.as_deref(),
            Some("Reading/Psych")
        );
        let months = store.months_where(&q("Reading/Psych")).unwrap();
        assert_eq!(months.len(), 1);
        // Papers are counted once the upgrade's re-scan has found them (library::papers_scan).
        assert_eq!(
            (months[0].month.as_str(), months[0].count, months[0].papers),
            ("2015-01", 1, 0)
        );
        store.set_folder(2, None).unwrap();
        assert_eq!(store.folders().unwrap().len(), 1);
        assert!(matches!(
            store.set_folder(99, Some("X")),
            Err(StoreError::NoSuchFeed(99))
        ));
    }

    #[test]
    fn stars_leave_read_alone_and_user_titles_survive_refreshes() {
        let mut store = Store::open_in_memory().unwrap();
        let (id, _) = store
            .add_feed("https://a.example/feed", Some("Feed's own"))
            .unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read)
                 VALUES (5, 1, 'g', 'T', 0, '2020-01', 1578000000, 1);",
            )
            .unwrap();
        store.refill(crate::store::Fill::EntryCounts).unwrap();
        store.refill(crate::store::Fill::PaperCounts).unwrap();
        assert_eq!(store.set_starred(&[5], true).unwrap(), 1);
        assert_eq!(store.set_starred(&[5], true).unwrap(), 0, "already starred");
        let e = store.entry(5).unwrap().unwrap();
        assert!(e.starred && e.read);
        assert_eq!(store.starred_in_feed(id).unwrap(), 1);
        let starred = ListQuery {
            starred_only: true,
            ..Default::default()
        };
        assert_eq!(store.count(&starred).unwrap(), 1);

        store.set_user_title(id, Some("Mine")).unwrap();
        let parsed = crate::model::ParsedFeed {
            title: Some("Renamed upstream".to_string()),
            site_url: None,
            generator: None,
            paging: Default::default(),
            entries: Vec::new(),
            warning: None,
        };
        let up = super::super::FeedUpdate {
            fetched_at: chrono::Utc::now(),
            status: 200,
            etag: None,
            last_modified: None,
            new_url: None,
            feed: &parsed,
        };
        store.apply_update(id, &up).unwrap();
        let f = store.feed(id).unwrap().unwrap();
        assert_eq!(
            (f.title.as_str(), f.user_title.as_deref()),
            ("Mine", Some("Mine"))
        );
        assert_eq!(store.entry(5).unwrap().unwrap().feed_title, "Mine");
        store.set_user_title(id, None).unwrap();
        assert_eq!(store.feed(id).unwrap().unwrap().title, "Renamed upstream");
    }

    /// A folder's months, counted in Rust from rows off the indexes, against the same months
    /// worked out here from the data written: nested folders, a folder whose name extends
    /// another's, papers shared between feeds and between entries of one month (one of them under
    /// an alias too), entries with no paper or two.
    #[test]
    fn folder_months_match_a_brute_force_count() {
        let folders = [
            Some("Sci"),
            Some("Sci/Psych"),
            Some("Sci/Psych"),
            Some("Sci/Psych/Deep"),
            Some("Science"),
            None,
        ];
        let months = ["2019-11", "2019-12", "2020-01", "2020-02"];
        let mut store = Store::open_in_memory().unwrap();
        let mut feed_ids = Vec::new();
        for (i, folder) in folders.iter().enumerate() {
            let (id, _) = store
                .add_feed(&format!("https://f{i}.example/feed"), None)
                .unwrap();
            store.set_folder(id, *folder).unwrap();
            feed_ids.push(id);
        }
        store.put_paper_alias("pmid:5", "doi:10.1/p5").unwrap();
        // (feed index, month, read, DOI keys) of every entry written.
        let mut written: Vec<(usize, &str, bool, Vec<String>)> = Vec::new();
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        for id in 1..=120i64 {
            let feed = next(folders.len() as u64) as usize;
            let month = months[next(months.len() as u64) as usize];
            let read = next(2) == 0;
            // Six keys in all, so the same paper turns up in many feeds and months.
            let mut keys: Vec<String> =
                (0..next(3)).map(|_| format!("10.1/p{}", next(6))).collect();
            keys.dedup();
            store
                .conn()
                .execute(
                    "INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read) \
                     VALUES (?1, ?2, ?1, 't', 0, ?3, ?1, ?4)",
                    params![id, feed_ids[feed], month, read],
                )
                .unwrap();
            for (pos, key) in keys.iter().enumerate() {
                // Paper 5 is cited under its PMID by odd entries: an alias, still one paper.
                let paper = if key.ends_with("p5") && id % 2 == 1 {
                    "pmid:5".to_string()
                } else {
                    format!("doi:{key}")
                };
                store
                    .conn()
                    .execute(
                        "INSERT INTO entry_papers \
                         (entry_id, feed_id, month, sort_time, paper_key, ids, pos) \
                         SELECT ?1, ?2, ?3, sort_time, ?4, ?4, ?5 FROM entries WHERE id = ?1",
                        params![id, feed_ids[feed], month, paper, pos as i64],
                    )
                    .unwrap();
            }
            written.push((feed, month, read, keys));
        }
        store.refill(crate::store::Fill::EntryCounts).unwrap();
        store.refill(crate::store::Fill::PaperCounts).unwrap();
        for name in [
            "Sci",
            "Sci/Psych",
            "Sci/Psych/Deep",
            "Science",
            "Sc",
            "None",
        ] {
            let mut expected: Vec<MonthCount> = Vec::new();
            for month in months.iter().rev() {
                let rows: Vec<_> = written
                    .iter()
                    .filter(|(feed, m, _, _)| {
                        m == month
                            && folders[*feed]
                                .is_some_and(|f| f == name || f.starts_with(&format!("{name}/")))
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let papers: HashSet<&String> = rows.iter().flat_map(|r| &r.3).collect();
                expected.push(MonthCount {
                    month: month.to_string(),
                    count: rows.len() as i64,
                    unread: rows.iter().filter(|r| !r.2).count() as i64,
                    papers: papers.len() as i64,
                });
            }
            let q = ListQuery {
                folder: Some(name.to_string()),
                ..Default::default()
            };
            assert_eq!(store.months_where(&q).unwrap(), expected, "folder {name}");
            // The reader's two halves: counts at once, papers from a worker.
            let mut counts = store.folder_month_counts(name).unwrap();
            assert!(counts.iter().all(|m| m.papers == 0));
            MonthCount::fill_papers(&mut counts, &store.folder_month_papers(name).unwrap());
            assert_eq!(counts, expected, "folder {name}, in two halves");
            // The general path (any other filter) agrees too.
            let general = ListQuery {
                before: Some(i64::MAX),
                ..q
            };
            assert_eq!(store.months_where(&general).unwrap(), expected, "{name}");
        }
        // Every feed's months, and all feeds', count each paper once, aliases applied.
        for feed in [None, Some(1usize)] {
            let papers: Vec<(String, i64)> = months
                .iter()
                .rev()
                .map(|month| {
                    let keys: HashSet<&String> = written
                        .iter()
                        .filter(|(f, m, _, _)| m == month && feed.is_none_or(|x| x == *f))
                        .flat_map(|r| &r.3)
                        .collect();
                    (month.to_string(), keys.len() as i64)
                })
                .collect();
            let got: Vec<(String, i64)> = store
                .months(feed.map(|f| feed_ids[f]))
                .unwrap()
                .into_iter()
                .map(|m| (m.month, m.papers))
                .collect();
            assert_eq!(got, papers, "feed {feed:?}");
        }
        // The data does share papers between feeds of one month, so the test can tell.
        let sci = store
            .months_where(&ListQuery {
                folder: Some("Sci".to_string()),
                ..Default::default()
            })
            .unwrap();
        let summed: i64 = folders
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_some_and(|f| f.starts_with("Sci/") || f == "Sci"))
            .map(|(i, _)| {
                store
                    .months(Some(feed_ids[i]))
                    .unwrap()
                    .iter()
                    .map(|m| m.papers)
                    .sum::<i64>()
            })
            .sum();
        assert!(sci.iter().map(|m| m.papers).sum::<i64>() < summed);
    }
}
