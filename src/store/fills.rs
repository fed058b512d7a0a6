//! The upgrade's fills (issue 20): the entry counters (step 9), the posts' titles in
//! `entry_dois` (step 10) and the paper counters (step 11), built after the cache opens rather
//! than inside the migration (a minute at a million entries, silent): a row in the fill's
//! marker table holds the last key done, each batch of rows (in key order) is one transaction
//! that moves it on, so an interrupted fill resumes, and the front end shows the progress.
//! Until the titles or the paper counters are filled their readers take the paths they replaced
//! (`dois` reads the entries' titles; `months` and the Papers view count `entry_papers`); the
//! front ends build the entry counters before anything reads them.

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Transaction};

use super::counts::{roll_up_months, BUILD_RANGE};
use super::paper_counts::{fill_month_keys, PAPER_COUNTS_FILL};
use super::{Result, Store};

/// A fill left by the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// `entry_counts`, `feed_counts` and `month_counts`, from every entry (step 9).
    EntryCounts,
    /// `entry_dois.title`, from each DOI's post (step 10).
    Titles,
    /// `paper_counts` and `paper_month_keys`, from every `entry_papers` row (step 11).
    PaperCounts,
}

/// How far a fill is, in rows of its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FillState {
    pub done: u64,
    pub total: u64,
}

/// Past every key: SQLite sorts a BLOB after any INTEGER or TEXT.
fn past_every_key() -> Value {
    Value::Blob(Vec::new())
}

struct Spec {
    /// The marker table (`after`: the last key done).
    marker: &'static str,
    /// The table whose rows are filled, and the key they go in the order of.
    table: &'static str,
    key: &'static str,
    /// Statements filling the keys above `?1` up to `?2`.
    range: &'static [&'static str],
    /// Run once with the last batch.
    last: fn(&Transaction<'_>) -> rusqlite::Result<()>,
    /// The marker's first value, below every key (as the schema step writes it).
    #[cfg(test)]
    start: &'static str,
    /// A pending fill this small (rows left) is finished as the cache opens: well under a tenth
    /// of a second, and callers that never run fills (tests, scripts) see it done. A bigger
    /// one waits for the front end, which shows its progress.
    at_open: u64,
}

const ENTRY_COUNTS: Spec = Spec {
    marker: "counts_build",
    table: "entries",
    key: "feed_id",
    range: &BUILD_RANGE,
    last: roll_up_months,
    at_open: 50_000,
    #[cfg(test)]
    start: "0",
};

const TITLES: Spec = Spec {
    marker: "titles_build",
    table: "entry_dois",
    key: "entry_id",
    range: &["UPDATE entry_dois SET title = \
              COALESCE((SELECT e.title FROM entries e WHERE e.id = entry_dois.entry_id), '') \
              WHERE entry_id > ?1 AND entry_id <= ?2"],
    last: |_| Ok(()),
    at_open: 20_000,
    #[cfg(test)]
    start: "0",
};

const PAPER_COUNTS: Spec = Spec {
    marker: "paper_counts_build",
    table: "entry_papers",
    key: "paper_key",
    range: &PAPER_COUNTS_FILL,
    last: fill_month_keys,
    at_open: 20_000,
    #[cfg(test)]
    start: "''",
};

impl Fill {
    /// In the order they run: every count reads the entry counters.
    pub const ALL: [Fill; 3] = [Fill::EntryCounts, Fill::Titles, Fill::PaperCounts];

    fn spec(self) -> &'static Spec {
        match self {
            Fill::EntryCounts => &ENTRY_COUNTS,
            Fill::Titles => &TITLES,
            Fill::PaperCounts => &PAPER_COUNTS,
        }
    }
}

/// The last key done, or `None` when the fill is not due.
fn after(conn: &rusqlite::Connection, spec: &Spec) -> Result<Option<Value>> {
    Ok(conn
        .prepare_cached(&format!("SELECT after FROM {} LIMIT 1", spec.marker))?
        .query_row([], |r| r.get::<_, Value>(0))
        .optional()?)
}

impl Store {
    /// Whether `fill` is still due (its readers then take the paths it replaces).
    pub(super) fn fill_pending(&self, fill: Fill) -> Result<bool> {
        Ok(after(&self.conn, fill.spec())?.is_some())
    }

    /// How far `fill` is, or `None` when it is not due.
    pub fn fill_due(&self, fill: Fill) -> Result<Option<FillState>> {
        let spec = fill.spec();
        let Some(after) = after(&self.conn, spec)? else {
            return Ok(None);
        };
        let (done, total): (i64, i64) = self.conn.query_row(
            &format!(
                "SELECT (SELECT COUNT(*) FROM {t} WHERE {k} <= ?1), (SELECT COUNT(*) FROM {t})",
                t = spec.table,
                k = spec.key
            ),
            [after],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Some(FillState {
            done: u64::try_from(done).unwrap_or(0),
            total: u64::try_from(total).unwrap_or(0),
        }))
    }

    /// Fills the next `rows` rows (and the rest of the last key's) in one transaction that
    /// moves the fill on; the last batch ends it. Returns the rows filled and whether the fill
    /// is over (`(0, true)` when none was due).
    pub fn fill_batch(&mut self, fill: Fill, rows: usize) -> Result<(u64, bool)> {
        let spec = fill.spec();
        self.become_bulk_writer()?;
        let tx = self.write()?;
        // Read inside the write lock: two processes filling at once take turns, not batches.
        let Some(after) = after(&tx, spec)? else {
            return Ok((0, true));
        };
        let offset = i64::try_from(rows.saturating_sub(1)).unwrap_or(i64::MAX);
        let upto: Option<Value> = tx
            .prepare_cached(&format!(
                "SELECT {k} FROM {t} WHERE {k} > ?1 ORDER BY {k} LIMIT 1 OFFSET ?2",
                t = spec.table,
                k = spec.key
            ))?
            .query_row(params![after, offset], |r| r.get(0))
            .optional()?;
        let over = upto.is_none();
        let upto = upto.unwrap_or_else(past_every_key);
        let filled: i64 = tx.query_row(
            &format!(
                "SELECT COUNT(*) FROM {t} WHERE {k} > ?1 AND {k} <= ?2",
                t = spec.table,
                k = spec.key
            ),
            params![after, upto],
            |r| r.get(0),
        )?;
        for sql in spec.range {
            tx.prepare_cached(sql)?.execute(params![after, upto])?;
        }
        end_batch(&tx, spec, over, &upto)?;
        tx.commit()?;
        Ok((u64::try_from(filled).unwrap_or(0), over))
    }

    /// Finishes the small pending fills (see `Spec::at_open`); called as the cache opens.
    pub(super) fn fill_small(&mut self) -> Result<()> {
        for fill in Fill::ALL {
            if let Some(s) = self.fill_due(fill)? {
                if s.total - s.done.min(s.total) <= fill.spec().at_open {
                    while !self.fill_batch(fill, usize::MAX)?.1 {}
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
impl Store {
    /// Runs `fill` again over every row, as the upgrade does: for tests that write rows by SQL,
    /// which the store's own counting never sees.
    pub(crate) fn refill(&mut self, fill: Fill) -> Result<()> {
        let spec = fill.spec();
        self.conn.execute(
            &format!(
                "INSERT INTO {} (after) VALUES ({})",
                spec.marker, spec.start
            ),
            [],
        )?;
        while !self.fill_batch(fill, usize::MAX)?.1 {}
        Ok(())
    }
}

/// Moves the marker on to `upto`, or ends the fill with its last step.
fn end_batch(tx: &Transaction<'_>, spec: &Spec, over: bool, upto: &Value) -> Result<()> {
    if over {
        (spec.last)(tx)?;
        tx.execute(&format!("DELETE FROM {}", spec.marker), [])?;
    } else {
        tx.execute(&format!("UPDATE {} SET after = ?1", spec.marker), [upto])?;
    }
    Ok(())
}
