//! Issue 20, part A: a cache made before the entry counters gains them on upgrade. A small one
//! as it opens, without a word; a big one before the first command, saying so once on stderr.

mod common;

use common::Cli;

/// A cache of `n` entries in feed 1 over two months (every third read, every seventh starred)
/// and five in feed 2, left as the upgrade leaves an older cache: no counters, their build due.
fn upgraded_cache(cli: &Cli, n: u32) {
    cli.ok(&["feeds"]);
    let db = rusqlite::Connection::open(cli.db()).unwrap();
    db.execute_batch(&format!(
        "INSERT INTO feeds (id, url, title, added_at) VALUES
            (1, 'http://127.0.0.1:9/a', 'Big', 0), (2, 'http://127.0.0.1:9/b', 'Small', 0);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
         INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read, starred)
         SELECT i, 1, 'p-' || i, 'Post ' || i, 0, printf('2024-%02d', 1 + i % 2),
                1704100000 + i, i % 3 = 0, i % 7 = 0 FROM k;
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5)
         INSERT INTO entries (feed_id, guid, title, first_seen, month, sort_time)
         SELECT 2, 's-' || i, 'Small ' || i, 0, '2013-05', 1368000000 + i FROM k;
         DELETE FROM entry_counts; DELETE FROM feed_counts; DELETE FROM month_counts;
         INSERT INTO counts_build (after) VALUES (0);"
    ))
    .unwrap();
}

/// Months (month, entries, unread) as `months --json` gives them, and stderr.
fn months(cli: &Cli) -> (Vec<(String, i64, i64)>, String) {
    let out = cli.run(&["months", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["count"].as_i64().unwrap(),
                m["unread"].as_i64().unwrap(),
            )
        })
        .collect();
    (rows, String::from_utf8(out.stderr).unwrap())
}

/// What the entries say, counted afresh.
fn recount(cli: &Cli) -> Vec<(String, i64, i64)> {
    let db = rusqlite::Connection::open(cli.db()).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT month, COUNT(*), SUM(read = 0) FROM entries GROUP BY month \
             ORDER BY month DESC",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    rows
}

#[test]
fn a_big_upgraded_cache_counts_its_entries_once_saying_so_on_stderr() {
    let cli = Cli::new();
    upgraded_cache(&cli, 60_000);
    let (rows, stderr) = months(&cli);
    assert_eq!(rows, recount(&cli));
    assert_eq!(rows[0], ("2024-02".to_string(), 30_000, 20_000));
    // Not a terminal: one line, no carriage returns or escapes.
    assert_eq!(
        stderr,
        "paperboy: counting 60,005 stored entries (once, after an upgrade)\n"
    );
    let feeds = cli.json(&["feeds"]);
    let counts: Vec<(i64, i64)> = feeds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["entries"].as_i64().unwrap(),
                f["unread"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [(60_000, 40_000), (5, 5)]);
    // Done: the next command builds nothing and says nothing.
    let (again, stderr) = months(&cli);
    assert_eq!(again, rows);
    assert_eq!(stderr, "");
}

#[test]
fn a_small_upgraded_cache_is_counted_quietly_as_it_opens() {
    let cli = Cli::new();
    upgraded_cache(&cli, 300);
    let (rows, stderr) = months(&cli);
    assert_eq!(rows, recount(&cli));
    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), 305);
    assert_eq!(stderr, "");
}
