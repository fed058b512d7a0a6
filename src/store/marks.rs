//! Bulk marks (issue 20): a read or starred flag changed on many entries at once (`read --all`,
//! a feed's, month's or folder's entries, a sync applying the account's states or pulling items).
//!
//! The per-row triggers that keep the counters (`entry_counts_flags`, and the paper counters'
//! `paper_counts_read` / `paper_counts_star`) cost a bulk statement per entry, and the paper
//! side recounts a paper each time its newest flagged post changes: at 100,000 entries
//! `read --all` took 12.9 s instead of 3.2 s without them. Here a row in `marks_deferred` sets
//! them aside for the statement (inside its transaction only), and the counters are moved
//! set-based afterwards: per (feed, month) and per paper by the entries changed, and a paper is
//! recounted from its rows once, only when the newest of its flagged posts may have gone.

use rusqlite::{Params, Transaction};

use super::Result;

/// Which entry flag a bulk mark changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flag {
    Read,
    Starred,
}

impl Flag {
    /// The entries column.
    pub(super) fn column(self) -> &'static str {
        match self {
            Flag::Read => "read",
            Flag::Starred => "starred",
        }
    }

    /// Whether an entry whose new value is `m.value` now counts (unread, starred).
    fn counts(self) -> &'static str {
        match self {
            Flag::Read => "m.value = 0",
            Flag::Starred => "m.value = 1",
        }
    }

    /// The entry counters' column.
    fn entry_counter(self) -> &'static str {
        match self {
            Flag::Read => "unread",
            Flag::Starred => "starred",
        }
    }

    /// The paper counters' count and newest columns, and the procedure recounting them.
    fn paper_counter(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Flag::Read => ("unread", "newest_unread", "paper_recount_unread"),
            Flag::Starred => ("starred", "newest_starred", "paper_recount_starred"),
        }
    }
}

/// The schema step (12) that lets a bulk mark set the per-row flag triggers aside: the same
/// triggers as steps 9 and 11, firing only while `marks_deferred` is empty. It also makes sure
/// the upgrade's build markers of steps 10 and 11 exist (a cache migrated by an earlier build
/// of those steps filled everything then, and has none).
pub(crate) const STEP: &str = concat!(
    r#"
    CREATE TABLE marks_deferred (writer INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS titles_build (after INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS paper_counts_build (after TEXT NOT NULL);
    DROP TRIGGER entry_counts_flags;
    "#,
    super::counts::entry_counts_flags!("\n        AND NOT EXISTS (SELECT 1 FROM marks_deferred)"),
    r#"
    DROP TRIGGER paper_counts_read;
    DROP TRIGGER paper_counts_star;
    "#,
    super::paper_counts::flag_triggers!(" AND NOT EXISTS (SELECT 1 FROM marks_deferred)"),
);

/// Sets `flag` of the entries `select` yields (`SELECT id, new_value …`, only entries whose
/// flag differs) in `tx`, keeping every counter; returns how many changed.
pub(super) fn set_flags(
    tx: &Transaction<'_>,
    flag: Flag,
    select: &str,
    args: impl Params,
) -> Result<usize> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS marked (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
         CREATE TEMP TABLE IF NOT EXISTS marked_cells (
             feed_id INTEGER NOT NULL, month TEXT NOT NULL, n INTEGER NOT NULL);
         CREATE TEMP TABLE IF NOT EXISTS marked_papers (
             k TEXT PRIMARY KEY, on_n INTEGER NOT NULL, on_t INTEGER,
             off_n INTEGER NOT NULL, off_t INTEGER, recount INTEGER NOT NULL DEFAULT 0);
         DELETE FROM temp.marked;",
    )?;
    let changed = tx.execute(&format!("INSERT OR IGNORE INTO temp.marked {select}"), args)?;
    if changed == 0 {
        return Ok(0);
    }
    let col = flag.column();
    tx.execute_batch(&format!(
        "INSERT INTO marks_deferred (writer) VALUES (1);
         UPDATE entries SET {col} = m.value FROM temp.marked m WHERE entries.id = m.id;
         DELETE FROM marks_deferred;"
    ))?;
    count_entries(tx, flag)?;
    count_papers(tx, flag)?;
    tx.execute_batch("DELETE FROM temp.marked;")?;
    Ok(changed)
}

/// Moves the entry counters by the entries marked: per (feed, month), then rolled up.
fn count_entries(tx: &Transaction<'_>, flag: Flag) -> Result<()> {
    let (on, c) = (flag.counts(), flag.entry_counter());
    tx.execute_batch(&format!(
        "DELETE FROM temp.marked_cells;
         INSERT INTO temp.marked_cells
         SELECT e.feed_id, e.month, SUM(CASE WHEN {on} THEN 1 ELSE -1 END)
         FROM temp.marked m JOIN entries e ON e.id = m.id GROUP BY e.feed_id, e.month;
         UPDATE entry_counts AS c SET {c} = c.{c} + d.n FROM temp.marked_cells d
         WHERE c.feed_id = d.feed_id AND c.month = d.month;
         UPDATE feed_counts AS c SET {c} = c.{c} + d.n
         FROM (SELECT feed_id, SUM(n) AS n FROM temp.marked_cells GROUP BY feed_id) d
         WHERE c.feed_id = d.feed_id;
         UPDATE month_counts AS c SET {c} = c.{c} + d.n
         FROM (SELECT month, SUM(n) AS n FROM temp.marked_cells GROUP BY month) d
         WHERE c.month = d.month;"
    ))?;
    Ok(())
}

/// Moves the paper counters by the entries marked, as the per-row trigger would have: posts
/// now counted add (their time may be the newest), posts no longer counted subtract; a paper
/// that lost what may have been its newest counted post (and keeps some) is recounted once.
fn count_papers(tx: &Transaction<'_>, flag: Flag) -> Result<()> {
    let on = flag.counts();
    let (n, newest, recount) = flag.paper_counter();
    tx.execute_batch(&format!(
        "DELETE FROM temp.marked_papers;
         INSERT INTO temp.marked_papers (k, on_n, on_t, off_n, off_t)
         SELECT k, COUNT(CASE WHEN o THEN 1 END), MAX(CASE WHEN o THEN t END),
                COUNT(CASE WHEN NOT o THEN 1 END), MAX(CASE WHEN NOT o THEN t END)
         FROM (SELECT COALESCE(a.paper_key, p.paper_key) AS k, MAX(p.sort_time) AS t, {on} AS o
               FROM temp.marked m JOIN entry_papers p ON p.entry_id = m.id
               LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key
               GROUP BY k, p.entry_id)
         GROUP BY k;
         UPDATE temp.marked_papers AS d SET recount = 1 FROM paper_counts c
         WHERE c.paper_key = d.k AND d.off_n > 0 AND d.off_t >= c.{newest}
           AND c.{n} + d.on_n - d.off_n > 0;
         UPDATE paper_counts AS c SET
             {n} = c.{n} + d.on_n - d.off_n,
             {newest} = CASE
                 WHEN c.{n} + d.on_n - d.off_n = 0 THEN NULL
                 WHEN d.on_n > 0 THEN max(COALESCE(c.{newest}, d.on_t), d.on_t)
                 ELSE c.{newest} END
         FROM temp.marked_papers d WHERE c.paper_key = d.k AND NOT d.recount;
         INSERT INTO {recount} SELECT k FROM temp.marked_papers WHERE recount;"
    ))?;
    Ok(())
}
