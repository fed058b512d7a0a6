//! Writing a document's entries into the cache (a refresh, a backfill page, or items pulled
//! from the sync account), keeping the search index and DOI rows in step, and reading one
//! entry back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension};

use super::body::{Body, Packed};
use super::counts::NewEntries;
use super::feeds::FEED_TITLE;
use super::papers::parse_source;
use super::{from_secs, pause, Result, Store};
use crate::model::{month_of, CitedPaper, Entry, EntryId, FeedId, FoundDoi, NewEntry};
use crate::text::ids::CoinsCitation;

/// The search index holds at most this much of an entry's text and title: a hostile 10 MB body
/// must not make every refresh slow.
const FTS_TEXT_MAX: usize = 512 * 1024;
/// Index segments merged at once (see `tune_index`).
pub(super) const FTS_AUTOMERGE: i64 = 8;
const FTS_TITLE_MAX: usize = 16 * 1024;

/// How an entry already in the cache is treated when a document carries it again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// A refresh: the feed's current version wins.
    Update,
    /// A backfill page: older documents never overwrite what a refresh stored.
    Keep,
    /// Items pulled from the sync account, already keyed to their rows: like `Update`, but
    /// never joined to another row by link.
    Account,
}

impl Store {
    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>> {
        let _snapshot = self.conn.unchecked_transaction()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.id, e.feed_id, {FEED_TITLE}, e.guid, e.title, e.link, e.authors, \
             e.published, e.updated, e.first_seen, e.month, e.read, e.content_html, \
             e.summary_html, e.starred FROM entries e JOIN feeds f ON f.id = e.feed_id WHERE e.id = ?1"
        ))?;
        let entry = stmt
            .query_row([id], |r| {
                Ok(Entry {
                    id: r.get(0)?,
                    feed_id: r.get(1)?,
                    feed_title: r.get(2)?,
                    guid: r.get(3)?,
                    title: r.get(4)?,
                    link: r.get(5)?,
                    authors: decode_authors(&r.get::<_, String>(6)?),
                    published: r.get::<_, Option<i64>>(7)?.map(from_secs),
                    updated: r.get::<_, Option<i64>>(8)?.map(from_secs),
                    first_seen: from_secs(r.get(9)?),
                    month: r.get(10)?,
                    read: r.get(11)?,
                    starred: r.get(14)?,
                    content_html: r.get::<_, Body>(12)?.0,
                    summary_html: r.get::<_, Body>(13)?.0,
                    dois: Vec::new(),
                    papers: Vec::new(),
                })
            })
            .optional()?;
        let Some(mut entry) = entry else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT doi, doi_key, source FROM entry_dois WHERE entry_id = ?1 ORDER BY pos",
        )?;
        entry.dois = stmt
            .query_map([id], |r| {
                Ok(FoundDoi {
                    doi: r.get(0)?,
                    key: r.get(1)?,
                    source: parse_source(&r.get::<_, String>(2)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        entry.papers = self.entry_papers(id)?;
        Ok(Some(entry))
    }
}

impl Store {
    /// The papers entry `id` cites, in the order found, one each under its canonical key.
    fn entry_papers(&self, id: EntryId) -> Result<Vec<CitedPaper>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT COALESCE(a.paper_key, p.paper_key), p.ids, p.coins FROM entry_papers p \
             LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key \
             WHERE p.entry_id = ?1 ORDER BY p.pos",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut papers: Vec<CitedPaper> = Vec::new();
        for row in rows {
            let (key, ids, coins) = row?;
            let i = match papers.iter().position(|p| p.key == key) {
                Some(i) => i,
                None => {
                    papers.push(CitedPaper {
                        ids: vec![key.clone()],
                        key,
                        coins: None,
                    });
                    papers.len() - 1
                }
            };
            let p = &mut papers[i];
            for k in ids.split(' ').filter(|k| !k.is_empty()) {
                if !p.ids.iter().any(|o| o == k) {
                    p.ids.push(k.to_string());
                }
            }
            if p.coins.is_none() {
                p.coins = coins.and_then(|c| serde_json::from_str::<CoinsCitation>(&c).ok());
            }
        }
        Ok(papers)
    }
}

/// Sets the search index to merge its segments 8 at a time rather than FTS5's 4: each feed's
/// transaction writes one segment, and merging them less often costs a cold refresh of 2,500
/// entries 2.6% fewer instructions (`feedbench.py instr`: 1.497 G to 1.458 G) for the same
/// search cost. The setting lives in the cache; it is written with the first entries, in their
/// transaction, so a write that fails leaves nothing behind.
fn tune_index(tx: &Connection) -> Result<()> {
    let set: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM entries_fts_config WHERE k = 'automerge')")?
        .query_row([], |r| r.get(0))?;
    if !set {
        tx.execute(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('automerge', ?1)",
            [FTS_AUTOMERGE],
        )?;
    }
    Ok(())
}

/// Search index rows waiting for their write: the entries' keys, titles and texts, borrowed
/// from the documents being stored.
///
/// FTS5 keeps new terms in memory and writes them out as a segment (merged again later, the
/// costliest part of indexing) whenever a rowid is not above the last one, and at every
/// savepoint, which SQLite opens for each statement that fires triggers or may abort half way.
/// So the rows of a whole transaction wait here and are written last, in key order, after
/// every other write: one segment per transaction.
#[derive(Default)]
pub(super) struct IndexRows<'a>(Vec<(i64, &'a str, &'a str)>);

impl IndexRows<'_> {
    /// Writes the rows; call it after the transaction's other writes, just before its commit.
    pub(super) fn write(mut self, tx: &Connection) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        tune_index(tx)?;
        let mut insert =
            tx.prepare_cached("INSERT INTO entries_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?;
        self.0.sort_unstable_by_key(|r| r.0);
        for (key, title, text) in self.0 {
            insert.execute(params![key, title, text])?;
        }
        Ok(())
    }
}

/// Inserts or updates a document's entries; returns how many were new. Their search index rows
/// are added to `index`, for the caller to write before its commit.
pub(super) fn store_entries<'a>(
    tx: &Connection,
    feed_id: FeedId,
    entries: &'a [NewEntry],
    now: DateTime<Utc>,
    seen: Seen,
    index: &mut IndexRows<'a>,
) -> Result<usize> {
    let mut counted = NewEntries::default();
    let mut w = EntryWriter::prepare(tx, feed_id, now)?;
    let links_here = if w.account_feed {
        shared_links(entries)
    } else {
        HashMap::new()
    };
    let mut new = 0;
    let pause = pause::armed();
    let mut written = 0;
    for e in entries {
        let found = w.find_existing(e, seen, &links_here)?;
        if found.is_some() && seen == Seen::Keep {
            continue;
        }
        let hash = entry_hash(e);
        let stored = match found {
            None => {
                let stored = w.insert(e, hash)?;
                counted.push(&stored.month);
                new += 1;
                stored
            }
            Some((_, _, _, old_hash, _, _)) if old_hash == hash => continue,
            Some(row) => w.update(e, hash, row)?,
        };
        index.0.push((
            fts_key(stored.sort_time, stored.id),
            clip(&e.title, FTS_TITLE_MAX),
            clip(&e.text, FTS_TEXT_MAX),
        ));
        w.insert_dois(&stored, e)?;
        w.insert_papers(&stored, e)?;
        if pause {
            written += 1;
            pause::after_entry(written);
        }
    }
    counted.add(tx, feed_id)?;
    Ok(new)
}

/// Links several items of this document share: such an item is an account entry only by link
/// and title.
fn shared_links(entries: &[NewEntry]) -> HashMap<&str, usize> {
    let mut links_here: HashMap<&str, usize> = HashMap::new();
    for e in entries.iter().filter_map(|e| e.link.as_deref()) {
        *links_here.entry(e).or_default() += 1;
    }
    links_here
}

/// Where an entry was written: its row, and the month and time key it is listed under.
struct Stored {
    id: EntryId,
    month: String,
    sort_time: i64,
}

/// The statements one document's entries are written with, prepared once per document.
struct EntryWriter<'a> {
    conn: &'a Connection,
    feed_id: FeedId,
    now: DateTime<Utc>,
    /// The feed has entries pulled from the sync account.
    account_feed: bool,
    find: CachedStatement<'a>,
    insert: CachedStatement<'a>,
    update: CachedStatement<'a>,
    adopt: CachedStatement<'a>,
    by_link: CachedStatement<'a>,
    fts_delete: CachedStatement<'a>,
    dois_delete: CachedStatement<'a>,
    doi_insert: CachedStatement<'a>,
    papers: super::papers::PaperWriter<'a>,
}

impl<'a> EntryWriter<'a> {
    fn prepare(conn: &'a Connection, feed_id: FeedId, now: DateTime<Utc>) -> Result<Self> {
        let find = conn.prepare_cached(
            "SELECT id, published, first_seen, content_hash, month, sort_time FROM entries \
             WHERE feed_id = ?1 AND guid = ?2",
        )?;
        let insert = conn.prepare_cached(
            "INSERT INTO entries (feed_id, guid, title, link, authors, published, updated, \
             first_seen, month, sort_time, content_html, summary_html, content_hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        // month and sort_time are NULL (kept) unless the published date changed.
        let update = conn.prepare_cached(
            "UPDATE entries SET title = ?2, link = ?3, authors = ?4, published = ?5, \
             updated = ?6, month = COALESCE(?7, month), sort_time = COALESCE(?8, sort_time), \
             content_html = ?9, summary_html = ?10, content_hash = ?11 WHERE id = ?1",
        )?;
        // An entry earlier versions stored under its bare link (see `model::identity::legacy_key`) takes
        // its new key, keeping its id, read state and DOIs; the title or date says which item
        // it was.
        let adopt = conn.prepare_cached(
            "UPDATE entries SET guid = ?3 WHERE feed_id = ?1 AND guid = ?2 \
             AND (title = ?4 OR published IS ?5) \
             AND NOT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1 AND guid = ?3)",
        )?;
        let account_feed: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM entries WHERE feed_id = ?1 AND remote_id IS NOT NULL)",
            )?
            .query_row([feed_id], |r| r.get(0))?;
        let by_link = conn.prepare_cached(
            "SELECT guid, title FROM entries WHERE feed_id = ?1 AND link = ?2 \
             AND remote_id IS NOT NULL",
        )?;
        let fts_delete = conn.prepare_cached("DELETE FROM entries_fts WHERE rowid = ?1")?;
        let dois_delete = conn.prepare_cached("DELETE FROM entry_dois WHERE entry_id = ?1")?;
        let doi_insert = conn.prepare_cached(
            "INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos, title) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (entry_id, doi_key) DO NOTHING",
        )?;
        Ok(EntryWriter {
            conn,
            feed_id,
            now,
            account_feed,
            find,
            insert,
            update,
            adopt,
            by_link,
            fts_delete,
            dois_delete,
            doi_insert,
            papers: super::papers::PaperWriter::prepare(conn)?,
        })
    }

    /// The cached row this item is, if any: by its key (adopting a row stored under its legacy
    /// key first), by its link's split keys, or as the account's copy of the post.
    fn find_existing(
        &mut self,
        e: &NewEntry,
        seen: Seen,
        links_here: &HashMap<&str, usize>,
    ) -> Result<Option<FoundRow>> {
        let feed_id = self.feed_id;
        if let Some(legacy) = crate::model::identity::legacy_key(e) {
            let published = e.published.map(|t| t.timestamp());
            self.adopt
                .execute(params![feed_id, legacy, e.guid, e.title, published])?;
        }
        let mut found = find_row(&mut self.find, feed_id, &e.guid)?;
        // An item keyed by its bare link because no other item of this document shares it (a
        // backfill page) is the entry stored under the link's split key, if there is one.
        if found.is_none() && e.link.as_deref() == Some(e.guid.as_str()) {
            for key in crate::model::identity::split_keys(e) {
                found = find_row(&mut self.find, feed_id, &key)?;
                if found.is_some() {
                    break;
                }
            }
        }
        // The feed's post as pulled from the sync account, found by its link (the account
        // does not carry the feed's own guid).
        if found.is_none() && self.account_feed && seen != Seen::Account {
            if let Some(link) = &e.link {
                found = self.find_account_copy(e, link, links_here)?;
            }
        }
        Ok(found)
    }

    /// The account entry that is this item: the one with its link, or the one with its title
    /// too when several share the link (distinct posts are never merged into one).
    fn find_account_copy(
        &mut self,
        e: &NewEntry,
        link: &str,
        links_here: &HashMap<&str, usize>,
    ) -> Result<Option<FoundRow>> {
        let rows: Vec<(String, String)> = self
            .by_link
            .query_map(params![self.feed_id, link], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let guid = match rows.as_slice() {
            [(guid, _)] if links_here.get(link) == Some(&1) => Some(guid),
            _ => rows.iter().find(|(_, t)| *t == e.title).map(|(g, _)| g),
        };
        match guid {
            Some(guid) => Ok(find_row(&mut self.find, self.feed_id, guid)?),
            None => Ok(None),
        }
    }

    /// Stores an item seen for the first time, dated by its published or updated time, else now.
    fn insert(&mut self, e: &NewEntry, hash: i64) -> Result<Stored> {
        let when = e.published.or(e.updated).unwrap_or(self.now);
        let month = month_of(when);
        let sort_time = clamp_time(when.timestamp());
        self.insert.execute(params![
            self.feed_id,
            e.guid,
            e.title,
            e.link,
            encode_authors(&e.authors),
            e.published.map(|t| t.timestamp()),
            e.updated.map(|t| t.timestamp()),
            self.now.timestamp(),
            month,
            sort_time,
            Packed::new(e.content_html.as_deref()),
            Packed::new(e.summary_html.as_deref()),
            hash
        ])?;
        Ok(Stored {
            id: self.conn.last_insert_rowid(),
            month,
            sort_time,
        })
    }

    /// Rewrites a cached entry that changed; it moves to another month only when its published
    /// date changed. Its search index row and DOIs are dropped, to be written again.
    fn update(&mut self, e: &NewEntry, hash: i64, row: FoundRow) -> Result<Stored> {
        let (id, old_published, first_seen, _, old_month, old_sort_time) = row;
        let published = e.published.map(|t| t.timestamp());
        let moved = (old_published != published).then(|| {
            e.published
                .or(e.updated)
                .unwrap_or_else(|| from_secs(first_seen))
        });
        let month = moved.map(month_of);
        let sort_time = moved.map(|t| clamp_time(t.timestamp()));
        self.update.execute(params![
            id,
            e.title,
            e.link,
            encode_authors(&e.authors),
            published,
            e.updated.map(|t| t.timestamp()),
            month,
            sort_time,
            Packed::new(e.content_html.as_deref()),
            Packed::new(e.summary_html.as_deref()),
            hash
        ])?;
        self.fts_delete.execute([fts_key(old_sort_time, id)])?;
        self.dois_delete.execute([id])?;
        self.papers.delete(id)?;
        Ok(Stored {
            id,
            month: month.unwrap_or(old_month),
            sort_time: sort_time.unwrap_or(old_sort_time),
        })
    }

    /// The entry's DOIs, in the order the parser found them.
    fn insert_dois(&mut self, stored: &Stored, e: &NewEntry) -> Result<()> {
        for (pos, d) in e.dois.iter().enumerate() {
            self.doi_insert.execute(params![
                stored.id,
                self.feed_id,
                stored.month,
                d.key,
                d.doi,
                d.source.as_str(),
                pos,
                e.title
            ])?;
        }
        Ok(())
    }

    fn insert_papers(&mut self, stored: &Stored, e: &NewEntry) -> Result<()> {
        self.papers.insert(
            stored.id,
            self.feed_id,
            (&stored.month, stored.sort_time),
            &e.papers,
        )
    }
}

/// An entry's id, published, first_seen, content_hash, month and sort_time.
type FoundRow = (EntryId, Option<i64>, i64, i64, String, i64);

fn find_row(
    find: &mut rusqlite::CachedStatement<'_>,
    feed_id: FeedId,
    guid: &str,
) -> rusqlite::Result<Option<FoundRow>> {
    find.query_row(params![feed_id, guid], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .optional()
}

/// Times are kept within years 1..=9999 (what any feed means by a date), so [`fts_key`] cannot
/// overflow whatever a hostile feed claims.
fn clamp_time(secs: i64) -> i64 {
    const YEAR_1: i64 = -62_135_596_800;
    const YEAR_9999_END: i64 = 253_402_300_799;
    secs.clamp(YEAR_1, YEAR_9999_END)
}

/// The search index's rowid for an entry: its time in the high bits and its id's low 24 bits,
/// so matches stream newest first (`ORDER BY rowid DESC`) and a page stops early. Entries are
/// found back by `sort_time = key >> 24 AND id & 0xFFFFFF = key & 0xFFFFFF` (ids are unique
/// within one second for 16 million entries).
pub(crate) fn fts_key(sort_time: i64, id: EntryId) -> i64 {
    sort_time * (1 << 24) + (id & 0xFF_FFFF)
}

/// A fingerprint of everything an entry stores, so re-seeing an unchanged entry writes nothing.
/// Hand-rolled rather than std's hasher, which may change between Rust releases; it reads
/// eight bytes at a time because bodies are large and every refresh hashes all of them.
fn entry_hash(e: &NewEntry) -> i64 {
    struct Mix(u64);
    impl Mix {
        fn word(&mut self, w: u64) {
            self.0 = (self.0 ^ w)
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(29);
        }
        fn bytes(&mut self, b: &[u8]) {
            // The length keeps fields from running into each other.
            self.word(b.len() as u64);
            let mut chunks = b.chunks_exact(8);
            for c in &mut chunks {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                self.word(u64::from_le_bytes(w));
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            self.word(u64::from_le_bytes(tail));
        }
        fn opt(&mut self, s: Option<&str>) {
            match s {
                Some(s) => {
                    self.word(1);
                    self.bytes(s.as_bytes());
                }
                None => self.word(0),
            }
        }
        fn time(&mut self, t: Option<DateTime<Utc>>) {
            match t {
                Some(t) => {
                    self.word(1);
                    self.word(t.timestamp() as u64);
                }
                None => self.word(0),
            }
        }
        fn finish(self) -> i64 {
            // A final avalanche so every input bit reaches every output bit.
            let mut h = self.0;
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 33;
            h as i64
        }
    }
    let mut h = Mix(0xcbf2_9ce4_8422_2325);
    h.bytes(e.title.as_bytes());
    h.opt(e.link.as_deref());
    h.word(e.authors.len() as u64);
    for a in &e.authors {
        h.bytes(a.as_bytes());
    }
    h.time(e.published);
    h.time(e.updated);
    h.opt(e.content_html.as_deref());
    h.opt(e.summary_html.as_deref());
    h.bytes(clip(&e.text, FTS_TEXT_MAX).as_bytes());
    h.word(e.dois.len() as u64);
    for d in &e.dois {
        h.bytes(d.key.as_bytes());
        h.bytes(d.doi.as_bytes());
        h.bytes(d.source.as_str().as_bytes());
    }
    h.finish()
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(super) fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn encode_authors(authors: &[String]) -> String {
    serde_json::to_string(authors).unwrap_or_else(|_| "[]".to_string())
}

/// Authors as stored: a JSON array, or (from older writers) one name per line.
pub(super) fn decode_authors(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_else(|_| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
}
