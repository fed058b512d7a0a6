//! The paper side of the cache: the DOIs entries cite and the citation look-ups made for them.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};

use super::{from_secs, Result, Store};
use crate::model::{DoiRow, DoiSource, EntryId, FeedId};

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
