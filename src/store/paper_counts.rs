//! Paper counters (issue 20, part B): what `months` and the all-months Papers view read instead
//! of scanning every `entry_papers` row.
//!
//! - `paper_month_keys`: distinct keys as stored, per month. `months` turns them into distinct
//!   papers with the alias corrections it already ran (aliases are few), so an alias joining two
//!   papers needs no change here.
//! - `paper_counts`: per paper under its canonical key (one alias hop, as everywhere): the posts
//!   citing it, the unread and starred ones, and the newest of each; indexed in the Papers
//!   view's order, so its first page is an index walk.
//!
//! Triggers keep both in the transaction of every change, whatever the path: entry_papers rows
//! written or deleted (refresh, the papers scan, cascades from removed feeds), an entry's read or
//! starred flag changed (single, bulk, sync), an alias added, moved or dropped. A new citing row
//! adds to its paper's counts; anything that can lower a newest time recounts the paper from
//! its own rows (`paper_recount`, cheap: a paper's rows through `entry_papers_key`).
//! Counting a refresh's rows in one batch per document from Rust (a JSON array through
//! `json_each`) instead of the insert trigger cost more (`feedbench.py instr`: 1.163 G against
//! the trigger's 1.134 G, 1.016 G without counters).

use std::collections::HashMap;

use rusqlite::params;

use super::papers::PaperGroups;
use super::query::ListQuery;
use super::{Fill, Result, Store};
use crate::model::PaperRow;

/// A paper's counter columns after its key, from its citing posts `(t, u, s)`: time, unread,
/// starred (one row per post).
macro_rules! counts_of {
    () => {
        "COUNT(*), MAX(t), COUNT(CASE WHEN u THEN 1 END), MAX(CASE WHEN u THEN t END), \
         COUNT(CASE WHEN s THEN 1 END), MAX(CASE WHEN s THEN t END)"
    };
}

/// The keys a paper's rows are stored under (the paper is `new.paper_key`): its own, unless it
/// is itself an alias (its rows are then another paper's), and its aliases.
macro_rules! keys_of_paper {
    () => {
        "SELECT new.paper_key \
         WHERE NOT EXISTS (SELECT 1 FROM paper_aliases WHERE alias_key = new.paper_key) \
         UNION ALL SELECT alias_key FROM paper_aliases WHERE paper_key = new.paper_key"
    };
}

/// The papers entry `new.id` cites, each once under its canonical key (`k`), with its time (`t`).
macro_rules! papers_of_entry {
    () => {
        "(SELECT COALESCE(a.paper_key, p.paper_key) AS k, MAX(p.sort_time) AS t \
          FROM entry_papers p LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key \
          WHERE p.entry_id = new.id GROUP BY k) r"
    };
}

/// The procedure (`recount`) recounting one paper's flag count (`count`) and newest time
/// (`newest`) from its rows: posts count while `flag` holds of their entry `e`.
macro_rules! recount_view {
    ($recount:literal, $flag:literal, $count:literal, $newest:literal) => {
        concat!(
            "CREATE VIEW ",
            $recount,
            " (paper_key) AS SELECT NULL WHERE 0;
            CREATE TRIGGER ",
            $recount,
            "_one INSTEAD OF INSERT ON ",
            $recount,
            " BEGIN
                UPDATE paper_counts SET (",
            $count,
            ", ",
            $newest,
            ") = (
                    SELECT COUNT(*), MAX(t) FROM (
                        SELECT p.entry_id, MAX(p.sort_time) AS t
                        FROM entry_papers p JOIN entries e ON e.id = p.entry_id
                        WHERE ",
            $flag,
            " AND p.paper_key IN (",
            keys_of_paper!(),
            ")
                        GROUP BY p.entry_id))
                WHERE paper_key = new.paper_key;
            END;
            "
        )
    };
}

/// The trigger keeping a flag's count (`count`) and newest time (`newest`) when an entry's
/// `column` changes (`on` and `was`: the flag holds of the entry after and before), while
/// `guard` (SQL after the change test) holds. Setting the flag adds; clearing it subtracts, and
/// recounts (`recount`, see `recount_view!`) the papers whose newest flagged post this was.
/// Only this flag's columns: when one UPDATE changes both flags, each trigger sees both
/// changed already.
macro_rules! flag_trigger {
    ($name:literal, $recount:literal, $column:literal, $on:literal, $was:literal,
     $count:literal, $newest:literal, $guard:literal) => {
        concat!(
            "CREATE TRIGGER ",
            $name,
            " AFTER UPDATE OF ",
            $column,
            " ON entries \
             WHEN (",
            $on,
            ") IS NOT (",
            $was,
            ")",
            $guard,
            " BEGIN
                UPDATE paper_counts SET
                    ",
            $count,
            " = ",
            $count,
            " + CASE WHEN ",
            $on,
            " THEN 1 ELSE -1 END,
                    ",
            $newest,
            " = CASE
                        WHEN ",
            $on,
            " THEN max(COALESCE(",
            $newest,
            ", r.t), r.t)
                        WHEN ",
            $count,
            " = 1 THEN NULL
                        ELSE ",
            $newest,
            " END
                FROM ",
            $crate::store::paper_counts::papers_of_entry!(),
            "
                WHERE paper_counts.paper_key = r.k;
                INSERT INTO ",
            $recount,
            "
                SELECT c.paper_key FROM ",
            $crate::store::paper_counts::papers_of_entry!(),
            "
                JOIN paper_counts c ON c.paper_key = r.k
                WHERE NOT (",
            $on,
            ") AND r.t >= c.",
            $newest,
            ";
            END;
            "
        )
    };
}

/// Both flags' triggers (read, starred), firing while `guard` holds (see `flag_trigger!`).
macro_rules! flag_triggers {
    ($guard:literal) => {
        concat!(
            $crate::store::paper_counts::flag_trigger!(
                "paper_counts_read",
                "paper_recount_unread",
                "read",
                "new.read = 0",
                "old.read = 0",
                "unread",
                "newest_unread",
                $guard
            ),
            $crate::store::paper_counts::flag_trigger!(
                "paper_counts_star",
                "paper_recount_starred",
                "starred",
                "new.starred = 1",
                "old.starred = 1",
                "starred",
                "newest_starred",
                $guard
            )
        )
    };
}
pub(crate) use {flag_trigger, flag_triggers, papers_of_entry};

/// The schema step that creates the counters and fills them from the rows already stored.
pub(crate) const STEP: &str = concat!(
    r#"
    CREATE TABLE paper_month_keys (
        month TEXT PRIMARY KEY,
        keys  INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE paper_counts (
        paper_key      TEXT PRIMARY KEY,
        posts          INTEGER NOT NULL,
        newest         INTEGER NOT NULL,
        unread         INTEGER NOT NULL,
        newest_unread  INTEGER,
        starred        INTEGER NOT NULL,
        newest_starred INTEGER
    ) WITHOUT ROWID;
    -- The Papers view's orders: most-cited first, then most recently cited, then by key.
    CREATE INDEX paper_counts_all ON paper_counts(posts DESC, newest DESC, paper_key);
    CREATE INDEX paper_counts_unread ON paper_counts(unread DESC, newest_unread DESC, paper_key)
        WHERE unread > 0;
    CREATE INDEX paper_counts_starred
        ON paper_counts(starred DESC, newest_starred DESC, paper_key) WHERE starred > 0;
    -- A paper's aliases, for its recount.
    CREATE INDEX paper_aliases_paper ON paper_aliases(paper_key);

    -- A procedure: inserting a key here recounts that paper from its rows.
    CREATE VIEW paper_recount (paper_key) AS SELECT NULL WHERE 0;
    CREATE TRIGGER paper_recount_one INSTEAD OF INSERT ON paper_recount BEGIN
        DELETE FROM paper_counts WHERE paper_key = new.paper_key;
        INSERT INTO paper_counts
        SELECT new.paper_key, "#,
    counts_of!(),
    r#" FROM (SELECT p.entry_id, MAX(p.sort_time) AS t, e.read = 0 AS u, e.starred = 1 AS s
              FROM entry_papers p JOIN entries e ON e.id = p.entry_id
              WHERE p.paper_key IN ("#,
    keys_of_paper!(),
    r#")
              GROUP BY p.entry_id)
        HAVING COUNT(*) > 0;
    END;

    CREATE TRIGGER paper_counts_cite AFTER INSERT ON entry_papers BEGIN
        INSERT INTO paper_month_keys (month, keys) SELECT new.month, 1
        WHERE NOT EXISTS (SELECT 1 FROM entry_papers WHERE month = new.month
                          AND paper_key = new.paper_key AND entry_id <> new.entry_id)
        ON CONFLICT (month) DO UPDATE SET keys = keys + 1;
        -- A post citing the paper under another of its keys already counts.
        INSERT INTO paper_counts
        SELECT c.k, 1, new.sort_time, e.read = 0, CASE WHEN e.read = 0 THEN new.sort_time END,
               e.starred = 1, CASE WHEN e.starred = 1 THEN new.sort_time END
        FROM (SELECT COALESCE((SELECT paper_key FROM paper_aliases
                               WHERE alias_key = new.paper_key), new.paper_key) AS k) c
        JOIN entries e ON e.id = new.entry_id
        WHERE NOT EXISTS (SELECT 1 FROM entry_papers q
                          LEFT JOIN paper_aliases a ON a.alias_key = q.paper_key
                          WHERE q.entry_id = new.entry_id AND q.paper_key <> new.paper_key
                          AND COALESCE(a.paper_key, q.paper_key) = c.k)
        ON CONFLICT (paper_key) DO UPDATE SET
            posts = posts + 1,
            newest = max(newest, excluded.newest),
            unread = unread + excluded.unread,
            newest_unread = max(COALESCE(newest_unread, excluded.newest_unread),
                                COALESCE(excluded.newest_unread, newest_unread)),
            starred = starred + excluded.starred,
            newest_starred = max(COALESCE(newest_starred, excluded.newest_starred),
                                 COALESCE(excluded.newest_starred, newest_starred));
    END;

    CREATE TRIGGER paper_counts_uncite AFTER DELETE ON entry_papers BEGIN
        UPDATE paper_month_keys SET keys = keys - 1 WHERE month = old.month
        AND NOT EXISTS (SELECT 1 FROM entry_papers WHERE month = old.month
                        AND paper_key = old.paper_key);
        INSERT INTO paper_recount SELECT COALESCE(
            (SELECT paper_key FROM paper_aliases WHERE alias_key = old.paper_key), old.paper_key);
    END;
    "#,
    recount_view!(
        "paper_recount_unread",
        "e.read = 0",
        "unread",
        "newest_unread"
    ),
    recount_view!(
        "paper_recount_starred",
        "e.starred = 1",
        "starred",
        "newest_starred"
    ),
    flag_triggers!(""),
    r#"
    CREATE TRIGGER paper_counts_alias_add AFTER INSERT ON paper_aliases BEGIN
        INSERT INTO paper_recount VALUES (new.alias_key), (new.paper_key);
    END;
    CREATE TRIGGER paper_counts_alias_move AFTER UPDATE ON paper_aliases BEGIN
        INSERT INTO paper_recount
        VALUES (old.alias_key), (old.paper_key), (new.alias_key), (new.paper_key);
    END;
    CREATE TRIGGER paper_counts_alias_drop AFTER DELETE ON paper_aliases BEGIN
        INSERT INTO paper_recount VALUES (old.alias_key), (old.paper_key);
    END;

    -- Filled after the upgrade in batches of papers (store::fills, PAPER_COUNTS_FILL).
    CREATE TABLE paper_counts_build (after TEXT NOT NULL);
    INSERT INTO paper_counts_build (after) SELECT '' WHERE EXISTS (SELECT 1 FROM entry_papers);
    "#
);

/// Step 14: the all-posts and unread order indexes keep only the papers counted more than once
/// there. Most papers are cited once, and each such row sat at a random place in two
/// time-ordered indexes that every refresh wrote (at a million entries those pages no longer fit
/// the page cache); a paper counted once is listed in the order of its one post, which the
/// entries' own time indexes give (`Counted::once`).
pub(crate) const STEP_ONCE: &str = r#"
    DROP INDEX paper_counts_all;
    DROP INDEX paper_counts_unread;
    CREATE INDEX paper_counts_all ON paper_counts(posts DESC, newest DESC, paper_key)
        WHERE posts > 1;
    CREATE INDEX paper_counts_unread ON paper_counts(unread DESC, newest_unread DESC, paper_key)
        WHERE unread > 1;
"#;

/// The upgrade's fill of the paper counters, one range of papers (canonical keys above `?1`, up
/// to `?2`) at a time: their rows, stored under their own key or an alias's, recounted whole
/// (what the triggers wrote for them meanwhile is replaced). An entry's flags come from the
/// unread and starred partial indexes (a row carries its entry's time), never the wide rows:
/// at a million entries that is 3.3 s against 7.6 s per 100,000 rows.
pub(super) const PAPER_COUNTS_FILL: [&str; 2] = [
    "DELETE FROM paper_counts WHERE paper_key > ?1 AND paper_key <= ?2",
    concat!(
        "INSERT INTO paper_counts SELECT k, ",
        counts_of!(),
        " FROM (SELECT p.k, MAX(p.sort_time) AS t,
                EXISTS (SELECT 1 FROM entries e INDEXED BY entries_unread
                        WHERE e.read = 0 AND e.sort_time = p.sort_time AND e.id = p.entry_id) AS u,
                EXISTS (SELECT 1 FROM entries e INDEXED BY entries_starred
                        WHERE e.starred = 1 AND e.sort_time = p.sort_time AND e.id = p.entry_id)
                    AS s
          FROM (SELECT q.paper_key AS k, q.entry_id, q.sort_time FROM entry_papers q
                WHERE q.paper_key > ?1 AND q.paper_key <= ?2
                AND NOT EXISTS (SELECT 1 FROM paper_aliases a WHERE a.alias_key = q.paper_key)
                UNION ALL
                SELECT a.paper_key, q.entry_id, q.sort_time FROM paper_aliases a
                JOIN entry_papers q ON q.paper_key = a.alias_key
                WHERE a.paper_key > ?1 AND a.paper_key <= ?2) p
          GROUP BY p.k, p.entry_id)
        GROUP BY k"
    ),
];

/// The distinct keys of every month, counted from the rows (an index walk).
pub(super) const MONTH_KEYS: &str =
    "SELECT month, COUNT(DISTINCT paper_key) FROM entry_papers GROUP BY month";

/// The fill's last step: every month's keys counted ([`MONTH_KEYS`]), then kept by triggers.
pub(super) fn fill_month_keys(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(&format!(
        "DELETE FROM paper_month_keys; INSERT INTO paper_month_keys {MONTH_KEYS};"
    ))
}

impl Store {
    /// The first `n` papers of `q`'s scope and how many it has in all, when the counters serve
    /// the scope (every month and feed: all posts, the unread or the starred ones); `None`
    /// otherwise, the rows then coming only from `papers`.
    pub fn papers_first(&self, q: &ListQuery, n: usize) -> Result<Option<(Vec<PaperRow>, usize)>> {
        let q = ListQuery {
            offset: 0,
            limit: Some(n),
            ..q.clone()
        };
        let Some(counted) = counted_scope(&q) else {
            return Ok(None);
        };
        let _snapshot = self.conn.unchecked_transaction()?;
        if self.fill_pending(Fill::PaperCounts)? {
            return Ok(None);
        }
        // Counted once here: a page running past the papers counted more than once needs it too.
        let total = self.papers_counted(counted.filter)?;
        let Some(rows) = self.counted_page(&q, Some(total))? else {
            return Ok(None);
        };
        Ok(Some((rows, total)))
    }

    /// How many papers `filter` selects (a scan of the counters).
    fn papers_counted(&self, filter: &str) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM paper_counts {filter}"))?
            .query_row([], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The page of papers `q` asks for, from the counters when they serve its scope (every
    /// month and feed, all posts or the unread or the starred ones, a page): the page's keys
    /// in the view's order off the counters' index, then only those papers' citing rows.
    /// `None` for any other scope (a month, a feed, a folder: their own rows are read).
    /// Callers hold one snapshot around it.
    pub(super) fn counted_papers(&self, q: &ListQuery) -> Result<Option<Vec<PaperRow>>> {
        self.counted_page(q, None)
    }

    /// [`Store::counted_papers`], given the scope's count of papers when the caller has it.
    fn counted_page(&self, q: &ListQuery, total: Option<usize>) -> Result<Option<Vec<PaperRow>>> {
        let Some(Counted {
            filter,
            order,
            flag,
            once,
        }) = counted_scope(q)
        else {
            return Ok(None);
        };
        // Until the upgrade has filled the counters, the scan serves every scope.
        if self.fill_pending(Fill::PaperCounts)? {
            return Ok(None);
        }
        let keys = match once {
            None => self.keys_in_order(filter, order, q.limit, q.offset)?,
            Some(once) => self.keys_split((filter, total), order, &once, q.limit, q.offset)?,
        };
        let aliases = self.aliases()?;
        let mut stored_under: HashMap<&str, Vec<&str>> = HashMap::new();
        for (alias, paper) in &aliases {
            stored_under.entry(paper).or_default().push(alias);
        }
        // The keys the page's rows are stored under: each paper's own (unless it is itself an
        // alias, its rows then counted under another paper) and its aliases.
        let mut stored = Vec::new();
        for key in &keys {
            if !aliases.contains_key(key) {
                stored.push(key.as_str());
            }
            stored.extend(stored_under.get(key.as_str()).into_iter().flatten());
        }
        let list = serde_json::to_string(&stored)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        // In the table's order, as the scan of every row reads them: ties among a paper's ids
        // then fall the same way.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT p.paper_key, p.entry_id, p.feed_id, p.sort_time, p.ids, p.coins \
             FROM entry_papers p WHERE p.paper_key IN (SELECT value FROM json_each(?1)){flag} \
             ORDER BY p.entry_id, p.paper_key"
        ))?;
        let mut group = PaperGroups::default();
        let mut rows = stmt.query([list])?;
        while let Some(r) = rows.next()? {
            group.add_row(r)?;
        }
        let mut rows = group.rows(&aliases, 0, None);
        let place: HashMap<&str, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        rows.retain(|r| place.contains_key(r.key.as_str()));
        rows.sort_by_key(|r| place.get(r.key.as_str()).copied());
        Ok(Some(rows))
    }

    /// The keys of papers `filter` selects, in `order` (then by key), a page of them.
    fn keys_in_order(
        &self,
        filter: &str,
        order: &str,
        limit: Option<usize>,
        offset: usize,
    ) -> Result<Vec<String>> {
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT paper_key FROM paper_counts {filter} \
                 ORDER BY {order}, paper_key LIMIT ?1 OFFSET ?2"
            ))?
            .query_map(params![limit, offset], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// A page where the counters' index holds only the papers counted more than once: those
    /// come first in the view's order (the count leads it), then the papers counted once, in
    /// the order of their one post (newest first, then by key).
    /// `scope`: the counters' filter and, if known, how many papers it selects.
    fn keys_split(
        &self,
        (filter, total): (&str, Option<usize>),
        order: &str,
        once: &Once,
        limit: Option<usize>,
        offset: usize,
    ) -> Result<Vec<String>> {
        let mut keys = self.keys_in_order(&format!("WHERE {}", once.more), order, limit, offset)?;
        let wanted = limit.unwrap_or(usize::MAX);
        if keys.len() >= wanted {
            return Ok(keys);
        }
        // The page ran past the papers counted more than once: how many there are, and how
        // many are counted once (the walk below stops when it has seen them all).
        let more = if keys.is_empty() && offset > 0 {
            self.papers_counted(&format!("WHERE {}", once.more))?
        } else {
            offset + keys.len()
        };
        let total = match total {
            Some(n) => n,
            None => self.papers_counted(filter)?,
        };
        let in_all = total.saturating_sub(more);
        let mut skip = offset.saturating_sub(more);
        let mut seen = 0;
        let mut last: Option<String> = None;
        let mut stmt = self.conn.prepare_cached(once.walk)?;
        let mut rows = stmt.query([])?;
        while seen < in_all && keys.len() < wanted {
            let Some(row) = rows.next()? else { break };
            let key: String = row.get(0)?;
            // A post citing a paper under two of its keys lists it twice, side by side.
            if last.as_deref() == Some(key.as_str()) {
                continue;
            }
            seen += 1;
            if skip > 0 {
                skip -= 1;
            } else {
                keys.push(key.clone());
            }
            last = Some(key);
        }
        Ok(keys)
    }
}

/// [`Counted::flag`]: the citing row's entry has the flag, looked up in that flag's partial
/// index by the row's time and entry (the index holds both) rather than in the wide rows: the
/// unread papers' first page at 100,000 entries reads 9,000 citing rows.
macro_rules! flag_in {
    ($index:literal, $cond:literal) => {
        concat!(
            " AND EXISTS (SELECT 1 FROM entries e INDEXED BY ",
            $index,
            " WHERE ",
            $cond,
            " AND e.sort_time = p.sort_time AND e.id = p.entry_id)"
        )
    };
}

/// [`Once::walk`] down entries time index `$index`, for the rows `$cond` keeps.
macro_rules! once_walk {
    ($index:literal, $cond:literal) => {
        concat!(
            "SELECT COALESCE(a.paper_key, p.paper_key) AS k \
             FROM entries e INDEXED BY ",
            $index,
            " JOIN entry_papers p ON p.entry_id = e.id \
             LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key \
             JOIN paper_counts c ON c.paper_key = COALESCE(a.paper_key, p.paper_key) \
             WHERE ",
            $cond,
            " ORDER BY e.sort_time DESC, k"
        )
    };
}

/// Which counters serve a scope: the paper_counts rows in it, their order, and the condition
/// on a citing row's entry.
struct Counted {
    filter: &'static str,
    order: &'static str,
    flag: &'static str,
    /// Where the order index holds only the papers counted more than once.
    once: Option<Once>,
}

/// The papers of a scope counted once, which its order index leaves out (step 14).
struct Once {
    /// The condition the order index holds (counted more than once).
    more: &'static str,
    /// Every citing row of a paper counted once, under its canonical key, newest post first
    /// then by key: a walk down an entries time index.
    walk: &'static str,
}

/// The counters serving `q`'s scope, if they do.
fn counted_scope(q: &ListQuery) -> Option<Counted> {
    let every = q.feed.is_none()
        && q.month.is_none()
        && q.folder.is_none()
        && q.before.is_none()
        && !q.with_dois_only
        && q.ids.is_none()
        && q.search.is_none()
        && q.limit.is_some();
    if !every {
        return None;
    }
    match (q.unread_only, q.starred_only) {
        (false, false) => Some(Counted {
            filter: "",
            order: "posts DESC, newest DESC",
            flag: "",
            once: Some(Once {
                more: "posts > 1",
                walk: once_walk!("entries_time", "c.posts = 1"),
            }),
        }),
        (true, false) => Some(Counted {
            filter: "WHERE unread > 0",
            order: "unread DESC, newest_unread DESC",
            flag: flag_in!("entries_unread", "e.read = 0"),
            once: Some(Once {
                more: "unread > 1",
                walk: once_walk!("entries_unread", "e.read = 0 AND c.unread = 1"),
            }),
        }),
        // Few posts are starred: their index holds every starred paper.
        (false, true) => Some(Counted {
            filter: "WHERE starred > 0",
            order: "starred DESC, newest_starred DESC",
            flag: flag_in!("entries_starred", "e.starred = 1"),
            once: None,
        }),
        (true, true) => None,
    }
}
