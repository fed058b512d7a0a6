//! The re-scan that gives entries stored before schema step 7 their papers (issue 18): a row in
//! `papers_scan` says entries above its `after` still need one. The store hands out batches of
//! stored posts and saves what was found in them, one transaction a batch, moving `after` on;
//! the finding itself is the caller's (the library runs `text::ids` on them).

use rusqlite::{params, OptionalExtension};

use super::body::Body;
use super::papers::PaperWriter;
use super::{Result, Store};
use crate::model::{EntryId, FeedId};
use crate::text::ids::FoundPaper;

/// A stored entry as the re-scan reads it: what the parser looked at, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPost {
    pub id: EntryId,
    pub feed_id: FeedId,
    pub month: String,
    pub sort_time: i64,
    /// The body the parser read papers from: the content, else the summary.
    pub body: String,
    pub link: Option<String>,
    /// The entry's key: its guid when it had one.
    pub guid: String,
    /// DOIs the cache found in the entry's metadata (`dc:identifier`, `prism:doi`), in order.
    pub meta_dois: Vec<String>,
    /// Every DOI the cache kept for it (text, links, metadata), in order.
    pub dois: Vec<String>,
}

/// How far a re-scan has come: entries up to `after` are done, `done` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanState {
    pub after: EntryId,
    pub done: u64,
    pub total: u64,
}

impl Store {
    /// The re-scan still due, or `None` (a cache made new, or scanned already).
    pub fn papers_scan(&self) -> Result<Option<ScanState>> {
        let Some(after) = self
            .conn
            .prepare_cached("SELECT MAX(after) FROM papers_scan HAVING COUNT(*) > 0")?
            .query_row([], |r| r.get::<_, EntryId>(0))
            .optional()?
        else {
            return Ok(None);
        };
        let (done, total): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM entries WHERE id <= ?1), (SELECT COUNT(*) FROM entries)",
            [after],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Some(ScanState {
            after,
            done: u64::try_from(done).unwrap_or(0),
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    /// Up to `limit` stored entries above `after`, by id.
    pub fn papers_scan_batch(&self, after: EntryId, limit: usize) -> Result<Vec<StoredPost>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.feed_id, e.month, e.content_html, e.summary_html, e.link, e.guid, \
             e.sort_time, (SELECT group_concat(d.doi || char(9) || d.source, char(10) ORDER BY d.pos) \
              FROM entry_dois d WHERE d.entry_id = e.id) \
             FROM entries e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![after, limit], |r| {
                let content = r.get::<_, Body>(3)?.0;
                let summary = r.get::<_, Body>(4)?.0;
                // As the parser chose it: the content unless it is blank.
                let body = match content {
                    Some(c) if !c.trim().is_empty() => c,
                    _ => summary.unwrap_or_default(),
                };
                let (mut meta_dois, mut dois) = (Vec::new(), Vec::new());
                for line in r.get::<_, Option<String>>(8)?.unwrap_or_default().lines() {
                    let (doi, source) = line.split_once('\t').unwrap_or((line, ""));
                    if source == "meta" {
                        meta_dois.push(doi.to_string());
                    }
                    dois.push(doi.to_string());
                }
                Ok(StoredPost {
                    id: r.get(0)?,
                    feed_id: r.get(1)?,
                    month: r.get(2)?,
                    sort_time: r.get(7)?,
                    body,
                    link: r.get(5)?,
                    guid: r.get(6)?,
                    meta_dois,
                    dois,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Saves one batch's papers and moves the scan past `after` in one transaction; with
    /// `finished`, the scan is done and its row goes. An entry that has papers stored already
    /// keeps them: the parser wrote them, seeing more than the stored post shows (a refresh
    /// during the scan, or a second process scanning at the same time).
    pub fn save_scanned_papers(
        &mut self,
        found: &[(&StoredPost, Vec<FoundPaper>)],
        after: EntryId,
        finished: bool,
    ) -> Result<()> {
        self.become_bulk_writer()?;
        let tx = self.write()?;
        {
            let mut has = tx.prepare_cached("SELECT 1 FROM entry_papers WHERE entry_id = ?1")?;
            let mut writer = PaperWriter::prepare(&tx)?;
            for (post, papers) in found {
                if papers.is_empty() || has.exists([post.id])? {
                    continue;
                }
                writer.insert(post.id, post.feed_id, (&post.month, post.sort_time), papers)?;
            }
        }
        if finished {
            tx.execute("DELETE FROM papers_scan", [])?;
        } else {
            tx.execute(
                "UPDATE papers_scan SET after = ?1 WHERE after < ?1",
                [after],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// A cache file migrated only up to `version`, as an older paperboy left it (tests of upgrades).
#[cfg(test)]
pub(crate) fn connection_at_version(
    path: &std::path::Path,
    version: i64,
) -> Result<rusqlite::Connection> {
    let mut conn = rusqlite::Connection::open(path)?;
    super::schema::migrate_to(&mut conn, version)?;
    Ok(conn)
}
