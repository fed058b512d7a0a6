//! Entry listings: which entries a [`ListQuery`] covers (its SQL), the listing, counts and
//! months it gives, marking its entries read, and turning a user's search words into a safe
//! FTS5 query.

use std::collections::HashMap;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter};

use super::feeds::FEED_TITLE;
use super::{from_secs, marks, sync, Result, Store, SyncedState};
use crate::model::{EntryId, EntrySummary, FeedId, MonthCount};

/// Which entries a listing, count or `mark_read` covers. Filters combine with AND.
#[derive(Default, Clone, Debug)]
pub struct ListQuery {
    pub feed: Option<FeedId>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    pub unread_only: bool,
    pub starred_only: bool,
    /// Feeds in this folder or one nested in it.
    pub folder: Option<String>,
    /// Entries dated before this time (seconds since the epoch).
    pub before: Option<i64>,
    pub with_dois_only: bool,
    /// Only these entries (the posts citing one paper, listed from the Papers view).
    pub ids: Option<Vec<EntryId>>,
    /// The user's words; every word must match title or text, the last one as a prefix.
    pub search: Option<String>,
    pub limit: Option<usize>,
    pub offset: usize,
}

impl ListQuery {
    /// Covers a whole feed: a feed and no other filter.
    pub fn is_whole_feed(&self) -> bool {
        self.feed.is_some()
            && self.month.is_none()
            && !self.unread_only
            && !self.starred_only
            && self.folder.is_none()
            && self.before.is_none()
            && !self.with_dois_only
            && self.ids.is_none()
            && self.search.is_none()
    }
}

/// An FTS5 query matching entries that contain every word of `input`, the last word as a
/// prefix (so results narrow while the user types). Each word becomes a quoted string, so no
/// input is ever FTS5 syntax (`NEAR(`, `-`, `*`, `"`, `OR` are just text). Words without a
/// letter or digit are dropped: the index holds none, and they would match nothing.
/// `None` when no searchable word is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words = search_words(input);
    let last = words.len().checked_sub(1)?;
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&quote(w));
        if i == last {
            out.push('*');
        }
    }
    Some(out)
}

/// The words of a search that can match: those with a letter or digit.
pub(crate) fn search_words(input: &str) -> Vec<&str> {
    input
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// `s` as an FTS5 string: quoted, so that it is never query syntax.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Feeds (`f`) in the folder given three times as `?` arguments, or in one nested in it
/// (`Sci` does not hold `Science`). A macro so that `concat!` can build on it.
macro_rules! in_folder {
    () => {
        "(f.folder = ? OR substr(f.folder, 1, length(?) + 1) = ? || '/')"
    };
}
pub(crate) const IN_FOLDER: &str = in_folder!();

/// Papers per month (rows `p` of entry_papers), each counted under its canonical key; a WHERE
/// and a `GROUP BY p.month` follow.
macro_rules! month_papers {
    () => {
        "SELECT p.month, COUNT(DISTINCT COALESCE(a.paper_key, p.paper_key)) \
         FROM entry_papers p LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key"
    };
}
pub(crate) const MONTH_PAPERS: &str = month_papers!();

/// The WHERE clause (over `entries e`) and its arguments for `q`'s filters other than search.
pub(super) fn plain_filter(q: &ListQuery) -> (Vec<&'static str>, Vec<Value>) {
    filter_over(q, false)
}

/// As `plain_filter`, over rows `e` that copy an entry's id, feed_id, month and sort_time but
/// not its flags (a paper cited by it): read and starred are looked up in the entries' partial
/// indexes, which hold the ids alone, rather than in the wide entries rows.
pub(super) fn copied_filter(q: &ListQuery) -> (Vec<&'static str>, Vec<Value>) {
    filter_over(q, true)
}

fn filter_over(q: &ListQuery, copied: bool) -> (Vec<&'static str>, Vec<Value>) {
    let mut conds: Vec<&str> = Vec::new();
    let mut args = Vec::new();
    if let Some(feed) = q.feed {
        conds.push("e.feed_id = ?");
        args.push(Value::Integer(feed));
    }
    if let Some(month) = &q.month {
        conds.push("e.month = ?");
        args.push(Value::Text(month.clone()));
    }
    if q.unread_only {
        conds.push(if copied {
            "e.id IN (SELECT id FROM entries WHERE read = 0)"
        } else {
            "e.read = 0"
        });
    }
    if q.starred_only {
        conds.push(if copied {
            "e.id IN (SELECT id FROM entries WHERE starred = 1)"
        } else {
            "e.starred = 1"
        });
    }
    if let Some(folder) = &q.folder {
        // A folder covers the folders nested in it.
        conds.push(concat!(
            "e.feed_id IN (SELECT f.id FROM feeds f WHERE ",
            in_folder!(),
            ")"
        ));
        for _ in 0..3 {
            args.push(Value::Text(folder.clone()));
        }
    }
    if let Some(before) = q.before {
        conds.push("e.sort_time < ?");
        args.push(Value::Integer(before));
    }
    if q.with_dois_only {
        conds.push("EXISTS (SELECT 1 FROM entry_papers p WHERE p.entry_id = e.id)");
    }
    if let Some(ids) = &q.ids {
        // One argument however many ids: a JSON array read by `json_each`.
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        conds.push("e.id IN (SELECT value FROM json_each(?))");
        args.push(Value::Text(format!("[{}]", list.join(","))));
    }
    (conds, args)
}

/// The FROM and WHERE clauses (rows named `e`) and their arguments for `q`. With a search the
/// index is the outer loop, read newest first (its rowid is the time key, see `fts_key`), so a
/// page of results stops early however common the words are. `None` when the query can match
/// nothing (a search without a searchable word).
pub(crate) fn from_where(q: &ListQuery) -> Option<(String, Vec<Value>)> {
    let (mut conds, mut args) = plain_filter(q);
    let from = match &q.search {
        Some(search) => {
            let fts = fts_query(search)?;
            conds.insert(0, "entries_fts MATCH ?");
            args.insert(0, Value::Text(fts));
            "entries_fts s CROSS JOIN entries e \
             ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215)"
        }
        None => "entries e",
    };
    let where_sql = if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    };
    Some((format!("{from} WHERE {where_sql}"), args))
}

/// The listing query for `q`: newest first, with each entry's DOIs newline-joined in column 8.
pub(crate) fn list_sql(q: &ListQuery) -> Option<(String, Vec<Value>)> {
    let (from_where, mut args) = from_where(q)?;
    let columns = format!(
        "e.id, e.feed_id, {FEED_TITLE}, e.title, e.link, e.published, e.month, e.read, \
         e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d \
         WHERE d.entry_id = e.id), e.starred"
    );
    let sql = if q.search.is_none() && q.folder.is_some() && q.month.is_some() {
        // A folder's month is read off each feed's (feed, month) index (`+`: not found by
        // testing the feed of every entry of the month in the whole cache) and sorted: its
        // page is picked from that index alone, and only the page's rows are read (at a
        // million entries the folder's month held 417 entries for a page of 200).
        format!(
            "SELECT {columns} FROM (SELECT e.id AS id FROM {from_where} \
             ORDER BY +e.sort_time DESC, e.id DESC LIMIT ? OFFSET ?) AS k \
             CROSS JOIN entries e ON e.id = k.id CROSS JOIN feeds f ON f.id = e.feed_id \
             ORDER BY e.sort_time DESC, e.id DESC"
        )
    } else {
        let order = if q.search.is_some() {
            "s.rowid DESC"
        } else {
            "e.sort_time DESC, e.id DESC"
        };
        // CROSS JOIN keeps entries (or the index) as the outer loop, so the ORDER BY walks an
        // index.
        format!(
            "SELECT {columns} FROM {from_where_feeds} ORDER BY {order} LIMIT ? OFFSET ?",
            from_where_feeds = with_feeds(&from_where),
        )
    };
    let limit = q.limit.and_then(|l| i64::try_from(l).ok()).unwrap_or(-1);
    args.push(Value::Integer(limit));
    args.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
    Some((sql, args))
}

/// The count of `q` off the counters (schema step 9), when they answer it: a feed, a month, a
/// folder, all, each whole or its unread or its starred entries. The roll-ups serve all months
/// (per feed) and all feeds (per month), so no query sums more rows than feeds or months.
fn counter_sql(q: &ListQuery) -> Option<(String, Vec<Value>)> {
    let plain = q.search.is_none()
        && q.before.is_none()
        && !q.with_dois_only
        && q.ids.is_none()
        && !(q.unread_only && q.starred_only);
    if !plain {
        return None;
    }
    let column = if q.unread_only {
        "unread"
    } else if q.starred_only {
        "starred"
    } else {
        "entries"
    };
    let table = match (q.feed.is_some() || q.folder.is_some(), q.month.is_some()) {
        (false, _) => "month_counts",
        (true, false) => "feed_counts",
        (true, true) => "entry_counts",
    };
    let mut conds = vec!["1"];
    let mut args = Vec::new();
    if let Some(feed) = q.feed {
        conds.push("c.feed_id = ?");
        args.push(Value::Integer(feed));
    }
    if let Some(month) = &q.month {
        conds.push("c.month = ?");
        args.push(Value::Text(month.clone()));
    }
    if let Some(folder) = &q.folder {
        conds.push(concat!(
            "c.feed_id IN (SELECT f.id FROM feeds f WHERE ",
            in_folder!(),
            ")"
        ));
        for _ in 0..3 {
            args.push(Value::Text(folder.clone()));
        }
    }
    let sql = format!(
        "SELECT TOTAL(c.{column}) FROM {table} c WHERE {}",
        conds.join(" AND ")
    );
    Some((sql, args))
}

/// Adds the feeds join (for the feed's title) before the WHERE of a `from_where` clause.
fn with_feeds(from_where: &str) -> String {
    from_where.replacen(
        " WHERE ",
        " CROSS JOIN feeds f ON f.id = e.feed_id WHERE ",
        1,
    )
}

/// The month counts and the month papers queries, for one feed (`?1`) or all.
pub(crate) fn months_sql(one_feed: bool) -> (&'static str, &'static str) {
    // Papers are counted from entry_papers alone, which carries each entry's feed and month,
    // each paper once whatever key each post found it under.
    if one_feed {
        (
            // The counters (schema step 9): rows a moved entry left at zero are skipped.
            "SELECT month, entries, unread FROM entry_counts WHERE feed_id = ?1 AND entries > 0 \
             ORDER BY month DESC",
            // Through the feed's entries: entry_papers has no feed index (see the schema).
            "SELECT e.month, COUNT(DISTINCT COALESCE(a.paper_key, p.paper_key)) \
             FROM entries e CROSS JOIN entry_papers p ON p.entry_id = e.id \
             LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key \
             WHERE e.feed_id = ?1 GROUP BY e.month",
        )
    } else {
        (
            "SELECT month, entries, unread FROM month_counts WHERE entries > 0 \
             ORDER BY month DESC",
            // Distinct keys as stored, kept per month (see `paper_counts`);
            // `alias_corrections` then counts aliases of one paper once.
            "SELECT month, keys FROM paper_month_keys",
        )
    }
}

impl Store {
    /// Months that have entries (of one feed or all), newest first, with their counts.
    pub fn months(&self, feed: Option<FeedId>) -> Result<Vec<MonthCount>> {
        // One snapshot for both queries, so a refresh committing in between cannot skew them.
        let _snapshot = self.conn.unchecked_transaction()?;
        let (counts_sql, mut papers_sql) = months_sql(feed.is_some());
        // Until the upgrade has filled the months' keys, they are counted from the rows.
        if feed.is_none() && self.fill_pending(super::Fill::PaperCounts)? {
            papers_sql = super::paper_counts::MONTH_KEYS;
        }
        let args: Vec<Value> = feed.map(Value::Integer).into_iter().collect();
        let mut papers = self.month_papers(papers_sql, &args)?;
        if feed.is_none() {
            self.alias_corrections(&mut papers)?;
        }
        self.joined_month_counts(&papers, counts_sql, &args)
    }

    /// Runs a papers-per-month query and a month-counts query (month, count, unread) and joins
    /// them; callers hold one snapshot around it.
    pub(crate) fn month_counts(
        &self,
        papers_sql: &str,
        papers_args: &[Value],
        counts_sql: &str,
        counts_args: &[Value],
    ) -> Result<Vec<MonthCount>> {
        let papers = self.month_papers(papers_sql, papers_args)?;
        self.joined_month_counts(&papers, counts_sql, counts_args)
    }

    fn month_papers(&self, sql: &str, args: &[Value]) -> Result<HashMap<String, i64>> {
        let papers = self
            .conn
            .prepare_cached(sql)?
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(papers)
    }

    /// Turns distinct stored keys per month (all feeds) into distinct papers: in each month,
    /// the aliases cited lose their count, and their papers gain one unless cited by their own
    /// key too (a key that is not itself an alias: a chain or a loop of aliases counts each
    /// paper once too). Driven by the aliases (few), so the first frame does not pay for them.
    fn alias_corrections(&self, papers: &mut HashMap<String, i64>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.month, COUNT(DISTINCT p.paper_key), COUNT(DISTINCT CASE WHEN NOT EXISTS \
             (SELECT 1 FROM entry_papers q WHERE q.month = p.month AND q.paper_key = a.paper_key \
              AND NOT EXISTS (SELECT 1 FROM paper_aliases b WHERE b.alias_key = q.paper_key)) \
             THEN a.paper_key END) \
             FROM paper_aliases a CROSS JOIN entry_papers p ON p.paper_key = a.alias_key \
             GROUP BY p.month",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let month: String = r.get(0)?;
            let (aliases, gained): (i64, i64) = (r.get(1)?, r.get(2)?);
            if let Some(n) = papers.get_mut(&month) {
                *n += gained - aliases;
            }
        }
        Ok(())
    }

    fn joined_month_counts(
        &self,
        papers: &HashMap<String, i64>,
        counts_sql: &str,
        counts_args: &[Value],
    ) -> Result<Vec<MonthCount>> {
        let months = self
            .conn
            .prepare_cached(counts_sql)?
            .query_map(params_from_iter(counts_args.iter()), |r| {
                let month: String = r.get(0)?;
                Ok(MonthCount {
                    papers: papers.get(&month).copied().unwrap_or(0),
                    month,
                    count: r.get(1)?,
                    unread: r.get::<_, f64>(2)? as i64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(months)
    }

    /// The entries `q` matches, newest first, with their DOIs.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<EntrySummary>> {
        let Some((sql, mut args)) = list_sql(q) else {
            return Ok(Vec::new());
        };
        self.stream_search(q, &mut args)?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                let dois: Option<String> = r.get(9)?;
                let published = r.get::<_, Option<i64>>(5)?.map(from_secs);
                let updated = r.get::<_, Option<i64>>(8)?.map(from_secs);
                Ok(EntrySummary {
                    id: r.get(0)?,
                    feed_id: r.get(1)?,
                    feed_title: r.get(2)?,
                    title: r.get(3)?,
                    link: r.get(4)?,
                    published,
                    updated,
                    date: published.or(updated),
                    month: r.get(6)?,
                    read: r.get(7)?,
                    starred: r.get(10)?,
                    dois: dois
                        .map(|d| d.split('\n').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// How many entries `q` matches (limit and offset ignored).
    pub fn count(&self, q: &ListQuery) -> Result<i64> {
        self.count_at_most(q, None)
    }

    /// How many entries `q` matches, counting no further than `cap` (a search for a common
    /// word matches most of the cache; its exact size is not worth a scan of the whole index).
    pub fn count_at_most(&self, q: &ListQuery, cap: Option<usize>) -> Result<i64> {
        if let Some((sql, args)) = counter_sql(q) {
            let n: f64 = self
                .conn
                .prepare_cached(&sql)?
                .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
            let cap = cap.and_then(|c| i64::try_from(c).ok()).unwrap_or(i64::MAX);
            return Ok((n as i64).min(cap));
        }
        let Some((from_where, mut args)) = from_where(q) else {
            return Ok(0);
        };
        self.stream_search(q, &mut args)?;
        let limit = cap.and_then(|c| i64::try_from(c).ok()).unwrap_or(-1);
        args.push(rusqlite::types::Value::Integer(limit));
        let sql = format!("SELECT COUNT(*) FROM (SELECT 1 FROM {from_where} LIMIT ?)");
        let n = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n)
    }

    /// Sets the read flag of these entries; returns how many changed.
    pub fn set_read(&mut self, ids: &[EntryId], read: bool) -> Result<usize> {
        let tx = self.write()?;
        let mut changed = 0;
        {
            let mut stmt =
                tx.prepare_cached("UPDATE entries SET read = ?2 WHERE id = ?1 AND read <> ?2")?;
            let mut flipped = Vec::new();
            for id in ids {
                if stmt.execute(params![id, read])? > 0 {
                    changed += 1;
                    flipped.push(*id);
                }
            }
            sync::queue_states(&tx, &flipped, SyncedState::Read, read)?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Marks every entry `q` matches read (limit and offset ignored); returns how many changed.
    pub fn mark_read(&mut self, q: &ListQuery) -> Result<usize> {
        let Some((from_where, args)) = from_where(q) else {
            return Ok(0);
        };
        let tx = self.write()?;
        // A whole account feed marked read goes to the account as one mark-all-as-read; any
        // other set of account entries as their ids.
        let whole_feed = match q.feed {
            Some(feed) if q.is_whole_feed() => sync::queue_mark(&tx, feed)?,
            _ => false,
        };
        // A cache without account feeds (most) skips the second pass over the matches.
        let account: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM feeds WHERE remote_id IS NOT NULL)")?
            .query_row([], |r| r.get(0))?;
        if account && !whole_feed {
            tx.execute(
                &format!(
                    "INSERT INTO sync_queue (entry_id, state, value) SELECT e.id, 'read', 1 \
                     FROM {from_where} AND e.read = 0 AND e.remote_id IS NOT NULL \
                     ON CONFLICT (entry_id, state) DO UPDATE SET value = excluded.value"
                ),
                params_from_iter(args.iter()),
            )?;
        }
        let changed = marks::set_flags(
            &tx,
            marks::Flag::Read,
            &format!("SELECT e.id, 1 FROM {from_where} AND e.read = 0"),
            params_from_iter(args.iter()),
        )?;
        tx.commit()?;
        Ok(changed)
    }
}
