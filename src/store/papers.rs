//! The paper side of the cache: the DOIs entries cite and the citation look-ups made for them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, CachedStatement, Connection, OptionalExtension};

use super::query::{copied_filter, ListQuery};
use super::{from_secs, Result, Store};
use crate::model::{DoiRow, DoiSource, EntryId, FeedId, PaperRow};
use crate::text::ids::{CoinsCitation, FoundPaper, PaperId};

/// Which DOIs `dois` lists. Filters combine with AND; all `None` means every DOI.
#[derive(Default, Clone, Debug)]
pub struct DoiScope {
    pub entry: Option<EntryId>,
    pub month: Option<String>,
    pub feed: Option<FeedId>,
}

/// A citation look-up as cached: found (with metadata) or not found, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedCitation {
    /// The lowercased DOI.
    pub key: String,
    pub found: bool,
    pub csl_json: Option<String>,
    pub bibtex: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

impl Store {
    /// DOIs cited in the scope: newest entries first, each entry's DOIs in the order found.
    ///
    /// The scope's entries come from an index, then their DOI rows in entry order and joined
    /// here: `entry_dois` is keyed by entry and a month's entries are spread all over it (ids
    /// are given as documents arrive, feed by feed), so in time order nearly every row was a
    /// page read of its own, and again when the small page cache had let it go; in key order
    /// each page is read once (a month of 8,515 DOIs at a million entries: 14,500 page reads to
    /// 8,000, and the disk read ahead when cold).
    pub fn dois(&self, scope: &DoiScope) -> Result<Vec<DoiRow>> {
        // Until the upgrade has filled entry_dois' titles, they come from the entries.
        let titles_from_entries = self.fill_pending(super::Fill::Titles)?;
        let (sql, args) = dois_entries_sql(scope, titles_from_entries);
        let mut entries: Vec<(EntryId, i64, Option<String>)> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        entries.sort_unstable_by_key(|e| e.0);
        let ids = serde_json::Value::from(entries.iter().map(|e| e.0).collect::<Vec<_>>());
        let mut stmt = self.conn.prepare_cached(DOIS_OF_ENTRIES)?;
        let mut rows = stmt.query([ids.to_string()])?;
        // (sort_time, pos, row) per DOI, in entry order as read.
        let mut found = Vec::new();
        while let Some(r) = rows.next()? {
            let entry_id: EntryId = r.get(0)?;
            let Ok(i) = entries.binary_search_by_key(&entry_id, |e| e.0) else {
                continue;
            };
            let (_, sort_time, title) = &entries[i];
            let row = DoiRow {
                doi: r.get(1)?,
                entry_id,
                entry_title: match title {
                    Some(t) => t.clone(),
                    None => r.get(2)?,
                },
                source: parse_source(&r.get::<_, String>(3)?),
            };
            found.push((*sort_time, r.get::<_, i64>(4)?, row));
        }
        found.sort_by(|a, b| {
            (b.0, b.2.entry_id)
                .cmp(&(a.0, a.2.entry_id))
                .then(a.1.cmp(&b.1))
        });
        Ok(found.into_iter().map(|(_, _, row)| row).collect())
    }

    pub fn citation(&self, key: &str) -> Result<Option<CachedCitation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doi_key, status, csl_json, bibtex, fetched_at FROM citations \
             WHERE doi_key = ?1",
        )?;
        let c = stmt
            .query_row([key], |r| {
                Ok(CachedCitation {
                    key: r.get(0)?,
                    found: r.get::<_, String>(1)? == "found",
                    csl_json: r.get(2)?,
                    bibtex: r.get(3)?,
                    fetched_at: from_secs(r.get(4)?),
                })
            })
            .optional()?;
        Ok(c)
    }

    /// Stores a look-up, replacing an earlier one for the same DOI.
    pub fn put_citation(&mut self, c: &CachedCitation) -> Result<()> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO citations (doi_key, status, csl_json, bibtex, fetched_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (doi_key) DO UPDATE SET \
             status = excluded.status, csl_json = excluded.csl_json, \
             bibtex = excluded.bibtex, fetched_at = excluded.fetched_at",
        )?
        .execute(params![
            c.key,
            if c.found { "found" } else { "not_found" },
            c.csl_json,
            c.bibtex,
            c.fetched_at.timestamp()
        ])?;
        tx.commit()?;
        Ok(())
    }
}

/// The entries of [`Store::dois`]'s scope and their arguments: id, time and (while the
/// upgrade has not filled `entry_dois`' titles) title. Without the title the rows come from an
/// index alone, never the wide entries rows (the query-plan tests hold it to that).
pub(super) fn dois_entries_sql(scope: &DoiScope, titles: bool) -> (String, Vec<Value>) {
    let mut conds = Vec::new();
    let mut args = Vec::new();
    if let Some(entry) = scope.entry {
        conds.push("e.id = ?");
        args.push(Value::Integer(entry));
    }
    if let Some(feed) = scope.feed {
        conds.push("e.feed_id = ?");
        args.push(Value::Integer(feed));
    }
    if let Some(month) = &scope.month {
        conds.push("e.month = ?");
        args.push(Value::Text(month.clone()));
    }
    let where_sql = if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    };
    let title = if titles { "e.title" } else { "NULL" };
    let sql = format!("SELECT e.id, e.sort_time, {title} FROM entries e WHERE {where_sql}");
    (sql, args)
}

/// The DOI rows of a JSON list of entry ids, looked up in the list's order.
pub(super) const DOIS_OF_ENTRIES: &str = "SELECT d.entry_id, d.doi, d.title, d.source, d.pos \
     FROM json_each(?1) AS k CROSS JOIN entry_dois AS d ON d.entry_id = k.value";

pub(super) fn parse_source(s: &str) -> DoiSource {
    DoiSource::parse(s).unwrap_or(DoiSource::Text)
}

/// Writes an entry's papers (see `entry_papers` in the schema) and the aliases they show, and
/// counts them (`paper_counts.rs`): a new citing row adds to its month's distinct keys and to
/// its paper's counts here rather than in a trigger, whose statement SQLite would journal (and
/// FTS5 would flush its pending terms at that savepoint: a segment per entry to merge later).
pub(super) struct PaperWriter<'a> {
    delete: CachedStatement<'a>,
    insert: CachedStatement<'a>,
    alias: CachedStatement<'a>,
    canonical: CachedStatement<'a>,
    month_key: CachedStatement<'a>,
    cite: CachedStatement<'a>,
}

impl<'a> PaperWriter<'a> {
    pub(super) fn prepare(conn: &'a Connection) -> Result<Self> {
        Ok(PaperWriter {
            delete: conn.prepare_cached("DELETE FROM entry_papers WHERE entry_id = ?1")?,
            insert: conn.prepare_cached(
                "INSERT INTO entry_papers \
                 (entry_id, feed_id, month, sort_time, paper_key, ids, coins, pos) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (entry_id, paper_key) DO NOTHING",
            )?,
            // The first paper to name an alias keeps it: a later post cannot move a paper's
            // other ids to another paper.
            alias: conn.prepare_cached(
                "INSERT INTO paper_aliases (alias_key, paper_key) VALUES (?1, ?2) \
                 ON CONFLICT (alias_key) DO NOTHING",
            )?,
            canonical: conn
                .prepare_cached("SELECT paper_key FROM paper_aliases WHERE alias_key = ?1")?,
            // A key new to the month (no other post of the month cites it under this key).
            month_key: conn.prepare_cached(
                "INSERT INTO paper_month_keys (month, keys) SELECT ?1, 1 \
                 WHERE NOT EXISTS (SELECT 1 FROM entry_papers WHERE month = ?1 \
                 AND paper_key = ?2 AND entry_id <> ?3) \
                 ON CONFLICT (month) DO UPDATE SET keys = keys + 1",
            )?,
            // One more post citing paper ?1 at time ?2: entry ?3, with its flags.
            cite: conn.prepare_cached(
                "INSERT INTO paper_counts SELECT ?1, 1, ?2, e.read = 0, \
                 CASE WHEN e.read = 0 THEN ?2 END, e.starred = 1, \
                 CASE WHEN e.starred = 1 THEN ?2 END FROM entries e WHERE e.id = ?3 \
                 ON CONFLICT (paper_key) DO UPDATE SET posts = posts + 1, \
                 newest = max(newest, excluded.newest), unread = unread + excluded.unread, \
                 newest_unread = max(COALESCE(newest_unread, excluded.newest_unread), \
                                     COALESCE(excluded.newest_unread, newest_unread)), \
                 starred = starred + excluded.starred, \
                 newest_starred = max(COALESCE(newest_starred, excluded.newest_starred), \
                                      COALESCE(excluded.newest_starred, newest_starred))",
            )?,
        })
    }

    pub(super) fn delete(&mut self, entry: EntryId) -> Result<()> {
        self.delete.execute([entry])?;
        Ok(())
    }

    /// Stores `papers` for an entry that has none stored (new, or deleted just before), listed
    /// under the entry's `month` and `sort_time`.
    pub(super) fn insert(
        &mut self,
        entry: EntryId,
        feed: FeedId,
        (month, sort_time): (&str, i64),
        papers: &[FoundPaper],
    ) -> Result<()> {
        // The papers counted for this entry, by canonical key: a post counts once per paper,
        // whichever of its keys it cites it under.
        let mut counted: Vec<String> = Vec::new();
        for (pos, p) in papers.iter().enumerate() {
            // A paper with one id (most of them) is its key alone, worked out already.
            let keys: Vec<String> = match p.ids.as_slice() {
                [_] => Vec::new(),
                ids => ids.iter().map(PaperId::key).collect(),
            };
            let ids = if keys.is_empty() {
                std::borrow::Cow::Borrowed(p.key.as_str())
            } else {
                std::borrow::Cow::Owned(keys.join(" "))
            };
            let coins = match &p.coins {
                Some(c) => Some(
                    serde_json::to_string(c)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
                ),
                None => None,
            };
            let added = self.insert.execute(params![
                entry, feed, month, sort_time, p.key, ids, coins, pos
            ])?;
            if added == 1 {
                self.count(entry, (month, sort_time), &p.key, &mut counted)?;
            }
            for k in keys.iter().filter(|k| **k != p.key) {
                self.alias.execute(params![k, p.key])?;
            }
        }
        Ok(())
    }

    /// Counts a citing row just written: its month's keys, and its paper's counts unless the
    /// entry already cites that paper under another key.
    fn count(
        &mut self,
        entry: EntryId,
        (month, sort_time): (&str, i64),
        key: &str,
        counted: &mut Vec<String>,
    ) -> Result<()> {
        self.month_key.execute(params![month, key, entry])?;
        let paper = self
            .canonical
            .query_row([key], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_else(|| key.to_string());
        if !counted.contains(&paper) {
            self.cite.execute(params![paper, sort_time, entry])?;
            counted.push(paper);
        }
        Ok(())
    }
}

impl Store {
    /// The papers cited by the entries `q` covers (its feed, folder, month, unread and starred
    /// filters), one row each whatever key each entry found it under: most-cited first, then
    /// most recently cited. `q.limit` and `q.offset` page the rows.
    ///
    /// SQLite reads the scope's rows (entry_papers copies the entry's feed, month and time) and
    /// this groups them: at 100,000 entries, all months are 200,000 rows, and SQL's GROUP BY
    /// with ordered `group_concat`s, an alias join per row and an IN-list probe per row for
    /// the unread filter cost 1–2 s where one scan and a hash map cost a third to a half of that (the
    /// bench's medians in the README).
    pub fn papers(&self, q: &ListQuery) -> Result<Vec<PaperRow>> {
        // One snapshot for the unread ids, the aliases and the rows.
        let _snapshot = self.conn.unchecked_transaction()?;
        if let Some(rows) = self.counted_papers(q)? {
            return Ok(rows);
        }
        // Unread entries are most of a cache not read through: a set of their ids, read from
        // the partial index, filters the scan; stars are few, and stay a semi-join.
        let unread = if q.unread_only {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id FROM entries WHERE read = 0")?;
            let ids = stmt.query_map([], |r| r.get::<_, EntryId>(0))?;
            Some(ids.collect::<rusqlite::Result<HashSet<_>>>()?)
        } else {
            None
        };
        let flagless = ListQuery {
            unread_only: false,
            ..q.clone()
        };
        let (conds, args) = copied_filter(&flagless);
        let where_sql = if conds.is_empty() {
            "1".to_string()
        } else {
            conds.join(" AND ")
        };
        let aliases = self.aliases()?;
        let sql = format!(
            "SELECT e.paper_key, e.id, e.feed_id, e.sort_time, e.ids, e.coins \
             FROM (SELECT entry_id AS id, feed_id, month, sort_time, paper_key, ids, coins \
                   FROM entry_papers) e WHERE {where_sql}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut group = PaperGroups::default();
        while let Some(r) = rows.next()? {
            let entry: EntryId = r.get(1)?;
            if unread.as_ref().is_some_and(|u| !u.contains(&entry)) {
                continue;
            }
            group.add_row(r)?;
        }
        Ok(group.rows(&aliases, q.offset, q.limit))
    }

    /// Every alias the cache knows, to its paper's key.
    pub(super) fn aliases(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT alias_key, paper_key FROM paper_aliases")?;
        let pairs = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(pairs.collect::<rusqlite::Result<_>>()?)
    }

    /// The canonical key of the paper `key` names: itself unless it is a known alias.
    pub fn paper_key(&self, key: &str) -> Result<String> {
        let found: Option<String> = self
            .conn
            .prepare_cached("SELECT paper_key FROM paper_aliases WHERE alias_key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        Ok(found.unwrap_or_else(|| key.to_string()))
    }

    /// Records that `alias` names the paper `key` (a service said so). An alias already known
    /// keeps its paper.
    pub fn put_paper_alias(&mut self, alias: &str, key: &str) -> Result<()> {
        if alias == key {
            return Ok(());
        }
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO paper_aliases (alias_key, paper_key) VALUES (?1, ?2) \
             ON CONFLICT (alias_key) DO NOTHING",
        )?
        .execute(params![alias, key])?;
        tx.commit()?;
        Ok(())
    }
}

/// Column `i` of `r` as text borrowed from the row (`None` for NULL).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    let v = r.get_ref(i)?;
    v.as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e)))
}

/// One post citing a paper.
#[derive(Clone, Copy)]
struct Cite {
    entry: EntryId,
    feed: FeedId,
    time: i64,
}

impl Cite {
    /// Newest first, ties by entry id (as listings order them).
    fn order(&self) -> std::cmp::Reverse<(i64, EntryId)> {
        std::cmp::Reverse((self.time, self.entry))
    }
}

/// What the scope's rows say of one paper so far.
#[derive(Default)]
struct PaperAcc {
    cites: Vec<Cite>,
    /// The keys each citing row found it under, with that row's cite, when they are more than
    /// the paper's own key (rarely).
    ids: Vec<(Cite, String)>,
    /// The greatest COinS JSON among its rows (any one will do; the greatest is stable).
    coins: Option<String>,
}

impl PaperAcc {
    fn merge(&mut self, other: PaperAcc) {
        self.cites.extend(other.cites);
        self.ids.extend(other.ids);
        if other.coins > self.coins {
            self.coins = other.coins;
        }
    }
}

/// FNV-1a: the scan hashes one short key per row, and SipHash's resistance to chosen keys
/// buys nothing for keys read from the user's own cache.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<Fnv>>;

/// The scope's rows grouped by the key each was stored under.
#[derive(Default)]
pub(super) struct PaperGroups {
    index: FnvMap<usize>,
    keys: Vec<String>,
    papers: Vec<PaperAcc>,
}

impl PaperGroups {
    /// Adds a row read as `paper_key, entry_id, feed_id, sort_time, ids, coins`.
    pub(super) fn add_row(&mut self, r: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        self.add(
            text(r, 0)?.unwrap_or_default(),
            Cite {
                entry: r.get(1)?,
                feed: r.get(2)?,
                time: r.get(3)?,
            },
            text(r, 4)?.unwrap_or_default(),
            text(r, 5)?,
        );
        Ok(())
    }

    fn add(&mut self, key: &str, cite: Cite, ids: &str, coins: Option<&str>) {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.to_string(), self.papers.len());
                self.keys.push(key.to_string());
                self.papers.push(PaperAcc::default());
                self.papers.len() - 1
            }
        };
        let p = &mut self.papers[i];
        if ids != key {
            p.ids.push((cite, ids.to_string()));
        }
        p.cites.push(cite);
        if let Some(c) = coins {
            if p.coins.as_deref().is_none_or(|old| c > old) {
                p.coins = Some(c.to_string());
            }
        }
    }

    /// The papers, each under its canonical key (`aliases`), most-cited first (distinct
    /// posts), then most recently cited, then by key; `offset` and `limit` page them.
    pub(super) fn rows(
        self,
        aliases: &HashMap<String, String>,
        offset: usize,
        limit: Option<usize>,
    ) -> Vec<PaperRow> {
        let PaperGroups { keys, papers, .. } = self;
        // Groups merge once per key stored, not once per row.
        let mut merged: FnvMap<PaperAcc> = FnvMap::default();
        for (key, mut p) in keys.into_iter().zip(papers) {
            let target = match aliases.get(&key) {
                Some(paper) => {
                    // The alias is one of the paper's ids, first seen in its newest post.
                    if let Some(newest) = p.cites.iter().min_by_key(|c| c.order()) {
                        p.ids.push((*newest, key));
                    }
                    paper.clone()
                }
                None => key,
            };
            merged.entry(target).or_default().merge(p);
        }
        let mut all: Vec<(String, PaperAcc)> = merged
            .into_iter()
            .map(|(key, mut p)| {
                p.cites.sort_unstable_by_key(Cite::order);
                // One post citing the paper under two aliases is one post.
                p.cites.dedup_by_key(|c| c.entry);
                p.ids.sort_by_key(|(c, _)| c.order());
                (key, p)
            })
            .collect();
        let rank = |p: &PaperAcc| (p.cites.len(), p.cites.first().map_or(0, |c| c.time));
        all.sort_unstable_by(|a, b| rank(&b.1).cmp(&rank(&a.1)).then(a.0.cmp(&b.0)));
        all.into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .map(|(key, p)| paper_row(key, p))
            .collect()
    }
}

/// A grouped paper as a row.
fn paper_row(key: String, p: PaperAcc) -> PaperRow {
    let mut ids = vec![key.clone()];
    for k in p.ids.iter().flat_map(|(_, s)| s.split(' ')) {
        if !k.is_empty() && !ids.iter().any(|o| o == k) {
            ids.push(k.to_string());
        }
    }
    let mut feeds = Vec::new();
    for c in &p.cites {
        if !feeds.contains(&c.feed) {
            feeds.push(c.feed);
        }
    }
    PaperRow {
        ids,
        cited_by: p.cites.iter().map(|c| c.entry).collect(),
        feeds,
        first_cited: from_secs(p.cites.last().map_or(0, |c| c.time)),
        last_cited: from_secs(p.cites.first().map_or(0, |c| c.time)),
        coins: p
            .coins
            .and_then(|c| serde_json::from_str::<CoinsCitation>(&c).ok()),
        key,
    }
}
