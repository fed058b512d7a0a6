//! SQL for entry listings, and turning a user's search words into a safe FTS5 query.

use rusqlite::types::Value;

use super::feeds::FEED_TITLE;
use super::ListQuery;

/// An FTS5 query matching entries that contain every word of `input`, the last word as a
/// prefix (so results narrow while the user types). Each word becomes a quoted string, so no
/// input is ever FTS5 syntax (`NEAR(`, `-`, `*`, `"`, `OR` are just text). Words without a
/// letter or digit are dropped: the index holds none, and they would match nothing.
/// `None` when no searchable word is left.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<&str> = input
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let last = words.len().checked_sub(1)?;
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push('"');
        out.push_str(&w.replace('"', "\"\""));
        out.push('"');
        if i == last {
            out.push('*');
        }
    }
    Some(out)
}

/// Feeds (`f`) in the folder given three times as `?` arguments, or in one nested in it
/// (`Sci` does not hold `Science`). A macro so that `concat!` can build on it.
macro_rules! in_folder {
    () => {
        "(f.folder = ? OR substr(f.folder, 1, length(?) + 1) = ? || '/')"
    };
}
pub(crate) const IN_FOLDER: &str = in_folder!();

/// The WHERE clause (over `entries e`) and its arguments for `q`'s filters other than search.
fn plain_filter(q: &ListQuery) -> (Vec<&'static str>, Vec<Value>) {
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
        conds.push("e.read = 0");
    }
    if q.starred_only {
        conds.push("e.starred = 1");
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
        conds.push("EXISTS (SELECT 1 FROM entry_dois d WHERE d.entry_id = e.id)");
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
    let order = if q.search.is_some() {
        "s.rowid DESC"
    } else if q.folder.is_some() && q.month.is_some() {
        // `+`: a folder's month is read off each feed's (feed, month) index and sorted, not
        // found by testing the feed of every entry of the month in the whole cache.
        "+e.sort_time DESC, e.id DESC"
    } else {
        "e.sort_time DESC, e.id DESC"
    };
    // CROSS JOIN keeps entries (or the index) as the outer loop, so the ORDER BY walks an index.
    let sql = format!(
        "SELECT e.id, e.feed_id, {FEED_TITLE}, e.title, e.link, \
         e.published, e.month, e.read, e.updated, \
         (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d \
          WHERE d.entry_id = e.id), e.starred \
         FROM {from_where_feeds} ORDER BY {order} LIMIT ? OFFSET ?",
        from_where_feeds = with_feeds(&from_where),
    );
    let limit = q.limit.and_then(|l| i64::try_from(l).ok()).unwrap_or(-1);
    args.push(Value::Integer(limit));
    args.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
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
    // Papers are counted from entry_dois alone, which carries each entry's feed and month.
    if one_feed {
        (
            "SELECT month, COUNT(*), TOTAL(read = 0) FROM entries WHERE feed_id = ?1 \
             GROUP BY month ORDER BY month DESC",
            "SELECT month, COUNT(DISTINCT doi_key) FROM entry_dois WHERE feed_id = ?1 \
             GROUP BY month",
        )
    } else {
        (
            "SELECT month, COUNT(*), TOTAL(read = 0) FROM entries \
             GROUP BY month ORDER BY month DESC",
            "SELECT month, COUNT(DISTINCT doi_key) FROM entry_dois GROUP BY month",
        )
    }
}
