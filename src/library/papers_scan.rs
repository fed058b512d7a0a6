//! The upgrade's re-scan (issue 18): entries stored before papers were found gain theirs from
//! the HTML the cache holds, no refetch. The front ends run it before anything reads papers or
//! months: the CLI at once (with progress on stderr for big caches), the reader in a worker.

use super::{Library, Result};
use crate::store::ScanState;
use crate::text::ids::find_papers_stored;

/// Entries read, searched and written per transaction: small enough that a reader waiting on
/// the cache's write lock waits little, large enough that commits do not dominate.
pub const SCAN_BATCH: usize = 500;

impl Library {
    /// The re-scan still due (entries done and total), or `None`.
    pub fn papers_scan_due(&self) -> Result<Option<ScanState>> {
        self.store.papers_scan().map_err(|e| self.store_err(e))
    }

    /// Runs the re-scan to its end: batches of [`SCAN_BATCH`] entries, each saved with the
    /// scan's progress in one transaction, so that an interrupted scan resumes where it
    /// stopped. `progress(done, total)` after every batch. Returns whether there was a scan.
    pub fn scan_papers(&mut self, progress: impl FnMut(u64, u64)) -> Result<bool> {
        self.scan_papers_for(usize::MAX, progress)
    }

    /// [`Library::scan_papers`], stopping after `batches` batches (the scan then resumes on
    /// the next call).
    pub fn scan_papers_for(
        &mut self,
        batches: usize,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<bool> {
        let Some(state) = self.papers_scan_due()? else {
            return Ok(false);
        };
        let (mut after, mut done) = (state.after, state.done);
        for _ in 0..batches {
            let posts = self
                .store
                .papers_scan_batch(after, SCAN_BATCH)
                .map_err(|e| self.store_err(e))?;
            let finished = posts.len() < SCAN_BATCH;
            let found: Vec<_> = posts
                .iter()
                .map(|p| {
                    let mut links: Vec<&str> = p.meta_dois.iter().map(String::as_str).collect();
                    links.extend(p.link.as_deref());
                    links.push(&p.guid);
                    let dois: Vec<&str> = p.dois.iter().map(String::as_str).collect();
                    (p, find_papers_stored(&p.body, &links, &dois))
                })
                .collect();
            after = posts.last().map_or(after, |p| p.id);
            self.store
                .save_scanned_papers(&found, after, finished)
                .map_err(|e| self.store_err(e))?;
            // Entries a refresh added meanwhile are scanned too: the total grows with them.
            done += posts.len() as u64;
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

    /// id, feed, guid, link, month, content, summary.
    type Row<'a> = (
        i64,
        i64,
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
    );

    /// A version-6 cache (before papers) with posts citing papers in every way a stored post
    /// shows them, `filler` citation-free posts before the last one so that the scan takes
    /// more than one batch, and the last post (an arXiv-only month) after them.
    fn version_6_cache(path: &std::path::Path, filler: i64) {
        let conn = crate::store::connection_at_version(path, 6).expect("v6");
        let coins = "<p>Read.</p><span class=\"Z3988\" title=\"ctx_ver=Z39.88-2004&#038;\
            rft_id=info%3Adoi%2F10.5555%2Fjcp.2012.0417&#038;rft_id=info%3Apmid%2F23001234&#038;\
            rft.atitle=Connectors&#038;rft.date=2012\">Okafor (2012)</span> \
            <a href=\"http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3012345/\">PMC</a>";
        conn.execute_batch(
            "INSERT INTO feeds (id, url, title, added_at) VALUES
                (1, 'https://a.example/feed', 'Blog A', 0),
                (2, 'https://b.example/feed', 'PubMed search', 0);",
        )
        .expect("feeds");
        let mut entry = conn
            .prepare(
                "INSERT INTO entries (id, feed_id, guid, title, link, first_seen, month, \
                 sort_time, content_html, summary_html) VALUES (?1, ?2, ?3, 'T', ?4, 0, ?5, ?1, ?6, ?7)",
            )
            .expect("insert");
        let rows: [Row; 6] = [
            // COinS (a DOI and a PMID, one paper) and a PMC link.
            (1, 1, "a-1", Some("https://a.example/1"), "2013-03", Some(coins), None),
            // The same DOI in a link, and a PMID label: same month, one paper more.
            (
                2,
                1,
                "a-2",
                None,
                "2013-03",
                Some("<p>PMID: 23193287 and <a href=\"https://doi.org/10.5555/JCP.2012.0417\">it</a></p>"),
                None,
            ),
            // A blank content: the summary is the body.
            (3, 1, "a-3", None, "2013-04", Some("  "), Some("<p>PMID: 9876543</p>")),
            // A PubMed record: its guid and its metadata DOI (kept in entry_dois) are one paper.
            (4, 2, "pubmed:31234567", Some("https://pubmed.ncbi.nlm.nih.gov/31234567/"), "2013-04", Some("<p>Abstract.</p>"), None),
            // After the filler: a month whose only paper is an arXiv preprint.
            (5000, 1, "a-5000", Some("https://a.example/5000"), "2024-01", Some("<p>See arXiv:2401.12345v2.</p>"), None),
            // Refreshed during the scan (see the test): the parser's papers stand.
            (5001, 1, "a-5001", None, "2024-02", Some("<p>arXiv:2402.00001</p>"), None),
        ];
        for (id, feed, guid, link, month, content, summary) in rows {
            entry
                .execute(rusqlite::params![
                    id, feed, guid, link, month, content, summary
                ])
                .expect("entry");
        }
        conn.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
             INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, content_html) \
             SELECT i, 1, 'f-' || i, 'Filler', 0, '2015-06', i, '<p>No papers, version 2.1.</p>' FROM n;
             INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos) VALUES
                (1, 1, '2013-03', '10.5555/jcp.2012.0417', '10.5555/jcp.2012.0417', 'text', 0),
                (2, 1, '2013-03', '10.5555/jcp.2012.0417', '10.5555/JCP.2012.0417', 'link', 0),
                (4, 2, '2013-04', '10.1000/rec.1', '10.1000/rec.1', 'meta', 0);",
            last = 99 + filler
        ))
        .expect("filler and dois");
    }

    fn papers_in(lib: &Library, month: &str) -> Vec<String> {
        let q = ListQuery {
            month: Some(month.into()),
            ..ListQuery::default()
        };
        let mut keys: Vec<String> = lib
            .papers(&q)
            .expect("papers")
            .into_iter()
            .map(|p| p.key)
            .collect();
        keys.sort();
        keys
    }

    fn month_papers(lib: &Library) -> Vec<(String, i64)> {
        lib.months(None)
            .expect("months")
            .into_iter()
            .map(|m| (m.month, m.papers))
            .collect()
    }

    #[test]
    fn an_old_cache_gains_its_papers_in_resumable_batches_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = crate::paths::Paths::resolve(Some(dir.path()), None).expect("paths");
        let filler = 600;
        version_6_cache(&paths.db_file(), filler);
        let mut lib = Library::open(paths, crate::config::Config::default()).expect("open");
        let total = 6 + u64::try_from(filler).expect("small");
        let due = lib.papers_scan_due().expect("due").expect("a scan is due");
        assert_eq!((due.after, due.done, due.total), (0, 0, total));
        // Before the scan: no papers anywhere.
        assert!(month_papers(&lib).iter().all(|(_, n)| *n == 0));

        // One batch, then an interruption: its entries are saved, the scan's place with them.
        let mut seen = Vec::new();
        assert!(lib
            .scan_papers_for(1, |d, t| seen.push((d, t)))
            .expect("scan"));
        assert_eq!(seen, [(SCAN_BATCH as u64, total)]);
        let due = lib.papers_scan_due().expect("due").expect("still due");
        assert_eq!(due.done, SCAN_BATCH as u64);
        assert!(papers_in(&lib, "2024-01").is_empty(), "not reached yet");
        assert_eq!(
            papers_in(&lib, "2013-04"),
            ["doi:10.1000/rec.1", "pmid:9876543"]
        );

        // A refresh stores entry 5001 again meanwhile, with what its feed's metadata said.
        rusqlite::Connection::open(lib.paths().db_file())
            .and_then(|c| {
                c.execute(
                    "INSERT INTO entry_papers \
                     (entry_id, feed_id, month, sort_time, paper_key, ids, pos) \
                     SELECT 5001, 1, '2024-02', sort_time, 'pmid:42', 'pmid:42', 0 \
                     FROM entries WHERE id = 5001",
                    [],
                )
            })
            .expect("a refresh's papers");
        // Rows written by SQL are not counted by the store's writer: count them again.
        lib.store
            .refill(crate::store::Fill::PaperCounts)
            .expect("recount");

        // The rest: from where it stopped, to the end.
        let mut seen = Vec::new();
        assert!(lib.scan_papers(|d, t| seen.push((d, t))).expect("scan"));
        assert_eq!(seen.last(), Some(&(total, total)));
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(lib.papers_scan_due().expect("due").is_none());
        assert_eq!(
            papers_in(&lib, "2013-03"),
            [
                "doi:10.5555/jcp.2012.0417",
                "pmcid:PMC3012345",
                "pmid:23193287"
            ]
        );
        assert_eq!(papers_in(&lib, "2024-01"), ["arxiv:2401.12345"]);
        assert_eq!(papers_in(&lib, "2024-02"), ["pmid:42"]);
        // The COinS span's PMID is the DOI's paper.
        assert_eq!(
            lib.paper_key("pmid:23001234").expect("key"),
            "doi:10.5555/jcp.2012.0417"
        );
        // The PubMed record's guid names its DOI's paper.
        assert_eq!(
            lib.paper_key("pmid:31234567").expect("key"),
            "doi:10.1000/rec.1"
        );
        // Months count papers, not DOIs: the arXiv-only month shows its paper, a DOI cited by
        // two posts counts once, a PMID named in a COinS span is no second paper.
        assert_eq!(
            month_papers(&lib),
            [
                ("2024-02".to_string(), 1),
                ("2024-01".to_string(), 1),
                ("2015-06".to_string(), 0),
                ("2013-04".to_string(), 2),
                ("2013-03".to_string(), 3),
            ]
        );

        // Done once: a second run finds nothing to do and changes nothing.
        let before = month_papers(&lib);
        let mut called = false;
        assert!(!lib.scan_papers(|_, _| called = true).expect("scan"));
        assert!(!called);
        assert_eq!(month_papers(&lib), before);
    }
}
