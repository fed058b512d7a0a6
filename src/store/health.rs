//! Paper health rows (issue 19): the last answer Crossref gave for a cited DOI, when it was
//! given, and when to ask again. Keys are bare lowercased DOIs; the DOIs checked are those of
//! cited papers (`doi:` keys) and the DOIs joined to cited papers as aliases (a preprint's
//! published version).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{from_secs, Result, Store};
use crate::model::EntryId;

/// One stored answer. `notices` is the JSON list the library wrote; `status` its word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthRow {
    pub doi_key: String,
    pub status: String,
    pub notices: String,
    pub checked: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// The cited DOIs, each once (bare, lowercased): SQL shared by the queries below.
const CITED_DOIS: &str = "SELECT substr(paper_key, 5) AS k FROM entry_papers \
     WHERE paper_key LIKE 'doi:%' \
     UNION SELECT substr(a.alias_key, 5) FROM paper_aliases a \
     WHERE a.alias_key LIKE 'doi:%' \
       AND EXISTS (SELECT 1 FROM entry_papers p WHERE p.paper_key = a.paper_key)";

/// Statuses that mark an entry in the list (the paper is no longer what was published).
const RETRACTED: &str = "('retracted', 'withdrawn', 'removed')";

/// The condition of the partial index `paper_health_flagged`, written out as it is there:
/// SQLite uses the index only for a query that says it word for word.
const FLAGGED: &str = "status NOT IN ('fine', 'unknown')";

/// CTEs giving `grp(k)`: every key the papers of `seed(k)` are stored under (the keys, their
/// canonical keys, and those keys' aliases, which stay one step from their key), so a post
/// citing a paper by any of its ids counts. A WITH clause defining `seed` comes first.
const PAPER_GROUP: &str = "canon(k) AS (SELECT k FROM seed UNION \
       SELECT a.paper_key FROM paper_aliases a JOIN seed s ON a.alias_key = s.k), \
     grp(k) AS (SELECT k FROM canon UNION \
       SELECT a.alias_key FROM paper_aliases a JOIN canon c ON a.paper_key = c.k)";

impl Store {
    /// Cited DOIs never checked ("new"), at most `limit`.
    pub fn health_new(&self, limit: usize) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT k FROM ({CITED_DOIS}) WHERE k NOT IN (SELECT doi_key FROM paper_health) \
             ORDER BY k LIMIT ?1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit_sql(limit)], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Checked DOIs due again at `now`, the longest due first, at most `limit`.
    pub fn health_due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT doi_key FROM paper_health WHERE due <= ?1 ORDER BY due, doi_key LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now.timestamp(), limit_sql(limit)], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every cited DOI (`papers --check`).
    pub fn health_all(&self) -> Result<Vec<String>> {
        let sql = format!("SELECT k FROM ({CITED_DOIS}) ORDER BY k");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores answers, one transaction for them all.
    pub fn put_health(&mut self, rows: &[HealthRow]) -> Result<()> {
        let tx = self.write()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO paper_health (doi_key, status, notices, checked, due) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (doi_key) DO UPDATE SET \
                 status = excluded.status, notices = excluded.notices, \
                 checked = excluded.checked, due = excluded.due",
            )?;
            for r in rows {
                stmt.execute(params![
                    r.doi_key,
                    r.status,
                    r.notices,
                    r.checked.timestamp(),
                    r.due.timestamp()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored answers for `keys` (bare lowercased DOIs) that have one. One statement for
    /// all of them: `dois --month` asks for 8,500 at a million entries, and a statement each
    /// was a read transaction each (two lock calls and a stat of the file every time).
    pub fn health_of(&self, keys: &[&str]) -> Result<HashMap<String, HealthRow>> {
        // Each key looked up in turn (CROSS JOIN keeps that order): `IN (SELECT …)` would
        // first copy every key into a temporary index, a month of 8,500 DOIs' main cost.
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.doi_key, h.status, h.notices, h.checked, h.due \
             FROM json_each(?1) AS k CROSS JOIN paper_health AS h ON h.doi_key = k.value",
        )?;
        let list = serde_json::Value::from(keys.to_vec()).to_string();
        let rows = stmt.query_map([list], health_row)?;
        rows.map(|r| Ok(r.map(|h| (h.doi_key.clone(), h))?))
            .collect()
    }

    /// Every stored answer with a notice (few: the reader keeps them in memory).
    pub fn health_flagged(&self) -> Result<Vec<HealthRow>> {
        let mut stmt = self.conn.prepare_cached(&flagged_sql())?;
        let rows = stmt.query_map([], health_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The entries citing a retracted (withdrawn, removed) paper, under any of its ids.
    pub fn entries_citing_retracted(&self) -> Result<HashSet<EntryId>> {
        let mut stmt = self.conn.prepare_cached(&citing_retracted_sql())?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many of `keys` (bare DOIs) are cited by an entry the user has read.
    pub fn health_read_count(&self, keys: &[String]) -> Result<usize> {
        let sql = format!(
            "WITH seed(k) AS (SELECT 'doi:' || ?1), {PAPER_GROUP} \
             SELECT EXISTS (SELECT 1 FROM entry_papers ep JOIN entries e ON e.id = ep.entry_id \
             WHERE e.read = 1 AND ep.paper_key IN (SELECT k FROM grp))"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut n = 0;
        for k in keys {
            if stmt.query_row([k], |r| r.get::<_, bool>(0))? {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The flagged answers' statement (read at every start of the reader).
pub(super) fn flagged_sql() -> String {
    format!("SELECT doi_key, status, notices, checked, due FROM paper_health WHERE {FLAGGED}")
}

/// The entries citing a retracted paper (read at every start of the reader).
pub(super) fn citing_retracted_sql() -> String {
    format!(
        "WITH seed(k) AS (SELECT 'doi:' || doi_key FROM paper_health \
                          WHERE {FLAGGED} AND status IN {RETRACTED}), {PAPER_GROUP} \
         SELECT DISTINCT ep.entry_id FROM entry_papers ep \
         WHERE ep.paper_key IN (SELECT k FROM grp)"
    )
}

/// A row of `SELECT doi_key, status, notices, checked, due`.
fn health_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HealthRow> {
    Ok(HealthRow {
        doi_key: r.get(0)?,
        status: r.get(1)?,
        notices: r.get(2)?,
        checked: from_secs(r.get(3)?),
        due: from_secs(r.get(4)?),
    })
}

fn limit_sql(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
