//! Issue 18: a cache stored before papers were found gains them on upgrade. The CLI scans the
//! stored posts before a command that reads papers or months, once, saying so on stderr only
//! for a big cache. Issue 20: the DOIs' titles and the paper counters of a cache made before
//! them are filled the same way, before any command.

mod common;

use common::Cli;

/// A cache with `n` stored posts citing an arXiv preprint each (one month, no DOI) and one
/// citing a PubMed record, left as an upgrade leaves an older cache: no papers, a scan due, and
/// the entry counters' build due.
fn upgraded_cache(cli: &Cli, n: u32) {
    cli.ok(&["feeds"]);
    let db = rusqlite::Connection::open(cli.db()).unwrap();
    db.execute_batch(&format!(
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'http://127.0.0.1:9/f', 'Preprints', 0);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
         INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, content_html)
         SELECT i, 1, 'p-' || i, 'Post ' || i, 0, '2024-01', 1704100000 + i,
                '<p>Read arXiv:2401.' || printf('%05d', i) || 'v2 today.</p>' FROM k;
         INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, content_html)
         VALUES ({m}, 1, 'pubmed:23193287', 'Record', 0, '2013-05', 1368000000, '<p>Abstract.</p>');
         INSERT INTO papers_scan (after) VALUES (0);
         INSERT INTO counts_build (after) VALUES (0);",
        m = n + 1
    ))
    .unwrap();
}

fn months(cli: &Cli) -> (Vec<(String, i64)>, String) {
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
                m["papers"].as_i64().unwrap(),
            )
        })
        .collect();
    (rows, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_small_upgraded_cache_is_scanned_quietly_before_months() {
    let cli = Cli::new();
    upgraded_cache(&cli, 3);
    // A command that reads no papers leaves the scan for later.
    cli.ok(&["feeds"]);
    let due: i64 = rusqlite::Connection::open(cli.db())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM papers_scan", [], |r| r.get(0))
        .unwrap();
    assert_eq!(due, 1);
    let (rows, stderr) = months(&cli);
    assert_eq!(
        rows,
        [("2024-01".to_string(), 3), ("2013-05".to_string(), 1)]
    );
    assert_eq!(stderr, "");
    // The text table has the column too.
    let text = cli.ok(&["months"]);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.split_whitespace().eq(["2024-01", "3", "3", "3"])),
        "{text}"
    );
}

#[test]
fn a_big_upgraded_cache_says_so_once_on_stderr() {
    let cli = Cli::new();
    upgraded_cache(&cli, 5_200);
    let (rows, stderr) = months(&cli);
    assert_eq!(
        rows,
        [("2024-01".to_string(), 5_200), ("2013-05".to_string(), 1)]
    );
    // Not a terminal: one line, no carriage returns or escapes.
    assert_eq!(
        stderr,
        "paperboy: finding papers in 5,201 stored posts (once, after an upgrade)\n"
    );
    // Done: the next command scans nothing and says nothing.
    let (again, stderr) = months(&cli);
    assert_eq!(again, rows);
    assert_eq!(stderr, "");
}

/// Issue 20: `n` posts over two months, each citing one of 90 papers (with a DOI row), left as
/// the upgrade of a cache made before schema steps 9 to 11 leaves it: titles empty, counters
/// empty, the fills and the entry counters' build due.
fn unfilled_cache(cli: &Cli, n: u32) {
    cli.ok(&["feeds"]);
    let db = rusqlite::Connection::open(cli.db()).unwrap();
    db.execute_batch(&format!(
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'http://127.0.0.1:9/a', 'A', 0);
         WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n})
         INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, read)
         SELECT i, 1, 'p-' || i, 'Post ' || i, 0, printf('2024-%02d', 1 + i % 2),
                1704100000 + i, i % 3 = 0 FROM k;
         INSERT INTO entry_papers (entry_id, feed_id, month, sort_time, paper_key, ids, pos)
         SELECT id, 1, month, sort_time, 'doi:10.1/p' || (id % 90), 'x', 0 FROM entries;
         INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos)
         SELECT id, 1, month, '10.1/p' || (id % 90), '10.1/p' || (id % 90), 'text', 0
         FROM entries;
         DELETE FROM paper_counts; DELETE FROM paper_month_keys;
         INSERT INTO titles_build VALUES (0); INSERT INTO paper_counts_build VALUES ('');
         INSERT INTO counts_build (after) VALUES (0);"
    ))
    .unwrap();
}

#[test]
fn a_big_upgraded_cache_fills_titles_and_paper_counters_once_saying_so_on_stderr() {
    let cli = Cli::new();
    unfilled_cache(&cli, 30_000);
    let (rows, stderr) = months(&cli);
    assert_eq!(
        rows,
        [("2024-02".to_string(), 45), ("2024-01".to_string(), 45)]
    );
    // Not a terminal: one line each, no carriage returns or escapes.
    assert_eq!(
        stderr,
        "paperboy: giving 30,000 stored DOIs their posts' titles (once, after an upgrade)\n\
         paperboy: counting 30,000 stored citations of papers (once, after an upgrade)\n"
    );
    let dois = cli.ok(&["dois", "--entry", "29999"]);
    assert!(dois.contains("Post 29999"), "{dois}");
    let papers = cli.json(&["papers", "--limit", "2"]);
    let cited: Vec<usize> = papers
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["cited_by"].as_array().unwrap().len())
        .collect();
    assert_eq!(cited, [334, 334]);
    // Done: the next command fills nothing and says nothing.
    let (again, stderr) = months(&cli);
    assert_eq!(again, rows);
    assert_eq!(stderr, "");
}
