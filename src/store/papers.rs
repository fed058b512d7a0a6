//! The paper side of the cache: the DOIs entries cite and the citation look-ups made for them.

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
    pub fn dois(&self, scope: &DoiScope) -> Result<Vec<DoiRow>> {
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
        let sql = format!(
            "SELECT d.doi, e.id, e.title, d.source FROM entries e \
             JOIN entry_dois d ON d.entry_id = e.id WHERE {where_sql} \
             ORDER BY e.sort_time DESC, e.id DESC, d.pos"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(DoiRow {
                    doi: r.get(0)?,
                    entry_id: r.get(1)?,
                    entry_title: r.get(2)?,
                    source: parse_source(&r.get::<_, String>(3)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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

pub(super) fn parse_source(s: &str) -> DoiSource {
    DoiSource::parse(s).unwrap_or(DoiSource::Text)
}

/// Writes an entry's papers (see `entry_papers` in the schema) and the aliases they show.
pub(super) struct PaperWriter<'a> {
    delete: CachedStatement<'a>,
    insert: CachedStatement<'a>,
    alias: CachedStatement<'a>,
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
            self.insert.execute(params![
                entry, feed, month, sort_time, p.key, ids, coins, pos
            ])?;
            for k in keys.iter().filter(|k| **k != p.key) {
                self.alias.execute(params![k, p.key])?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The papers cited by the entries `q` covers (its feed, folder, month, unread and starred
    /// filters), one row each whatever key each entry found it under: most-cited first, then
    /// most recently cited. `q.limit` and `q.offset` page the rows.
    pub fn papers(&self, q: &ListQuery) -> Result<Vec<PaperRow>> {
        let (conds, mut args) = copied_filter(q);
        let where_sql = if conds.is_empty() {
            "1".to_string()
        } else {
            conds.join(" AND ")
        };
        let limit = q.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        args.push(Value::Integer(limit));
        args.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
        // A post citing one paper under two aliases is counted once (COUNT DISTINCT) and listed
        // once (`distinct_ints`). Read from entry_papers alone (it copies the entry's feed, month
        // and time), named `e` with the entry's `id` for the filters.
        let sql = format!(
            "WITH cites AS ( \
                SELECT COALESCE(a.paper_key, e.paper_key) AS paper, e.id, e.feed_id, \
                       e.sort_time, e.ids, e.coins \
                FROM (SELECT entry_id AS id, feed_id, month, sort_time, paper_key, ids, coins \
                      FROM entry_papers) e \
                LEFT JOIN paper_aliases a ON a.alias_key = e.paper_key \
                WHERE {where_sql}) \
             SELECT paper, \
                    group_concat(id, ',' ORDER BY sort_time DESC, id DESC), \
                    group_concat(feed_id, ',' ORDER BY sort_time DESC, id DESC), \
                    MIN(sort_time), MAX(sort_time), \
                    group_concat(ids, ' ' ORDER BY sort_time DESC, id DESC), MAX(coins) \
             FROM cites GROUP BY paper \
             ORDER BY COUNT(DISTINCT id) DESC, MAX(sort_time) DESC, paper \
             LIMIT ? OFFSET ?"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                let key: String = r.get(0)?;
                let coins: Option<String> = r.get(6)?;
                Ok(PaperRow {
                    ids: distinct_keys(&key, &r.get::<_, String>(5)?),
                    cited_by: distinct_ints(&r.get::<_, String>(1)?),
                    feeds: distinct_ints(&r.get::<_, String>(2)?),
                    first_cited: from_secs(r.get(3)?),
                    last_cited: from_secs(r.get(4)?),
                    coins: coins.and_then(|c| serde_json::from_str::<CoinsCitation>(&c).ok()),
                    key,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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

/// `first` then the space-separated keys of `all`, each once.
fn distinct_keys(first: &str, all: &str) -> Vec<String> {
    let mut out = vec![first.to_string()];
    for k in all.split(' ').filter(|k| !k.is_empty()) {
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
    out
}

/// The comma-separated integers of `s`, each once, in order.
fn distinct_ints(s: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for n in s.split(',').filter_map(|n| n.parse::<i64>().ok()) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}
