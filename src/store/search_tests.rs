//! The streaming search gives the same entries in the same order as FTS5's own prefix query,
//! over an index of many segments, with prefixes that cover many terms, few, none, and
//! non-ASCII words.

use rusqlite::params_from_iter;

use super::query::{fts_query, list_sql};
use super::search::FTS_TOKENIZE;
use super::tests::{doc, entry, update};
use super::*;
use crate::model::EntryId;

/// Words of the corpus: a prefix's terms sit next to each other in the index.
fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = [
        "recovery",
        "capital",
        "capitals",
        "capitalism",
        "capitalist",
        "Capitán",
        "capitão",
        "CAPITULATE",
        "cap",
        "caps",
        "straße",
        "Ärger",
        "arglos",
        "naïve",
        "café",
        "cafés",
        "東京",
        "東京都",
        "Ωmega",
        "covid-19",
        "covid-1984",
        "x-ray",
        "x-rays",
        "alpha",
        "beta",
        "gamma",
    ]
    .iter()
    .map(|w| (*w).to_string())
    .collect();
    // More terms under "pre" than the expansion takes: the prefix query stays.
    words.extend((0..100).map(|i| format!("pre{i}")));
    words
}

/// `batches` refreshes (each its own index segment) of entries of a few words each, dated in
/// an order unrelated to their insertion.
fn corpus(page_size: Option<u32>, batches: usize) -> (Store, FeedId) {
    let mut store = Store::open_in_memory().unwrap();
    if let Some(size) = page_size {
        store
            .conn
            .execute(
                "INSERT INTO entries_fts (entries_fts, rank) VALUES ('pgsz', ?1)",
                [size],
            )
            .unwrap();
    }
    let feed = store
        .add_feed("https://corpus.example/feed", None)
        .unwrap()
        .0;
    let words = vocabulary();
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap() % n
    };
    for batch in 0..batches {
        let entries = (0..60)
            .map(|i| {
                let guid = format!("g{batch}-{i}");
                let picked: Vec<&str> = (0..4).map(|_| words[next(words.len())].as_str()).collect();
                let day = next(28) + 1;
                let month = next(12) + 1;
                let date = format!("20{:02}-{month:02}-{day:02}T00:00:00Z", 10 + next(14));
                let mut e = entry(&guid, &format!("{guid} {}", picked[0]), Some(&date));
                e.text = picked[1..].join(" ");
                e
            })
            .collect();
        update(&mut store, feed, &doc(entries));
    }
    (store, feed)
}

/// The ids FTS5's own prefix query lists (the plain expression, as before streaming).
fn prefix_ids(store: &Store, q: &ListQuery) -> Vec<EntryId> {
    let Some((sql, args)) = list_sql(q) else {
        return Vec::new();
    };
    let mut stmt = store.conn.prepare(&sql).unwrap();
    let ids = stmt
        .query_map(params_from_iter(args.iter()), |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<EntryId>>>()
        .unwrap();
    ids
}

const SEARCHES: &[&str] = &[
    "capital",
    "capita",
    "capit",
    "CAP",
    "c",
    "recovery capital",
    "recovery capitals",
    "capital recovery",
    "capitá",
    "Capitán",
    "capitão",
    "straß",
    "STRASSE",
    "är",
    "arg",
    "naï",
    "naive",
    "caf",
    "café",
    "東",
    "東京",
    "ωme",
    "ΩMEGA",
    "covid-1",
    "covid-19",
    "covid-",
    "x-r",
    "x-ray",
    "zzz",
    "recovery zzz",
    "pre",
    "pre1",
    "pre99",
    "a\"lpha",
    "NEAR(",
    "sleep*",
];

fn same_as_prefix_query(store: &Store, when: &str) {
    for s in SEARCHES {
        for limit in [None, Some(7)] {
            let q = ListQuery {
                search: Some((*s).to_string()),
                limit,
                ..Default::default()
            };
            let streamed: Vec<EntryId> = store.list(&q).unwrap().iter().map(|r| r.id).collect();
            assert_eq!(
                streamed,
                prefix_ids(store, &q),
                "{when}: search {s:?} {limit:?}"
            );
        }
        let q = ListQuery {
            search: Some((*s).to_string()),
            ..Default::default()
        };
        let all = prefix_ids(store, &q).len();
        assert_eq!(
            store.count(&q).unwrap(),
            i64::try_from(all).unwrap(),
            "{when}: {s}"
        );
        assert_eq!(
            store.count_at_most(&q, Some(5)).unwrap(),
            i64::try_from(all.min(5)).unwrap(),
            "{when}: {s}"
        );
    }
}

#[test]
fn streamed_search_lists_what_the_prefix_query_lists() {
    for page_size in [None, Some(64)] {
        let (mut store, feed) = corpus(page_size, 12);
        let when = format!("page size {page_size:?}");
        // Several segments, and with small pages, terms and doclists across many pages.
        let (segments, pages): (i64, i64) = store
            .conn
            .query_row(
                "SELECT COUNT(DISTINCT segid), COUNT(*) FROM entries_fts_idx",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(segments > 1, "{when}: {segments} segments");
        assert!(page_size.is_none() || pages > 100, "{when}: {pages} pages");
        same_as_prefix_query(&store, &when);
        // Part of a merge: its input segments lose their first pages (to the new segment),
        // not their `%_idx` rows.
        store
            .conn
            .execute_batch("INSERT INTO entries_fts (entries_fts, rank) VALUES ('merge', -3);")
            .unwrap();
        if page_size.is_some() {
            let gone: i64 = store
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM entries_fts_idx i WHERE NOT EXISTS (SELECT 1 \
                     FROM entries_fts_data d WHERE d.id = (i.segid << 37) + (i.pgno >> 1))",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(gone > 0, "{when}: no segment was trimmed");
        }
        // And the terms are still read, not given up on.
        for s in ["recovery capital", "capit", "東", "1", "covid-1", "g1"] {
            assert_ne!(store.search_expr(s).unwrap(), fts_query(s), "{when}: {s}");
        }
        same_as_prefix_query(&store, &format!("{when}, in a merge"));
        // Removed entries leave their terms in the index until a merge.
        let other = store
            .add_feed("https://other.example/feed", None)
            .unwrap()
            .0;
        let mut e = entry("o1", "o1 capitalisation", Some("2030-01-01T00:00:00Z"));
        e.text = "recovery".to_string();
        update(&mut store, other, &doc(vec![e]));
        same_as_prefix_query(&store, &format!("{when}, one more feed"));
        store.remove_feed(other).unwrap();
        store.remove_feed(feed).unwrap();
        same_as_prefix_query(&store, &format!("{when}, feeds removed"));
    }
}

#[test]
fn the_last_word_becomes_its_terms_when_they_are_few() {
    let (store, _) = corpus(Some(64), 6);
    let expr = |s: &str| store.search_expr(s).unwrap().unwrap();
    assert_eq!(
        expr("recovery capitali"),
        "\"recovery\" AND (\"capitalism\" OR \"capitalist\")"
    );
    // Folded as the index folds them; a word of several tokens is a phrase.
    assert_eq!(expr("Capitán"), "(\"capitan\")");
    assert_eq!(expr("ÄR"), "(\"arger\" OR \"arglos\")");
    assert_eq!(expr("covid-198"), "(\"covid 1984\")");
    // No term under the prefix: the whole token, which matches nothing.
    assert_eq!(expr("zzz"), "(\"zzz\")");
    // Too many terms: FTS5's prefix query.
    assert_eq!(store.search_expr("pre").unwrap(), fts_query("pre"));
    assert_eq!(store.search_expr(" - ").unwrap(), None);
}

#[test]
fn terms_that_the_tokenizer_would_change_are_not_spelled_out() {
    let store = Store::open_in_memory().unwrap();
    let terms = |t: &[&str]| t.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    assert!(store
        .round_trips(&terms(&["capital", "capitan", "東京"]))
        .unwrap());
    assert!(!store.round_trips(&terms(&["capital", "Capital"])).unwrap());
    assert!(!store.round_trips(&terms(&["covid-19"])).unwrap());
    assert!(!store.round_trips(&terms(&["capitán"])).unwrap());
    assert!(store.round_trips(&[]).unwrap());
}

#[test]
fn the_search_words_are_tokenized_as_the_index_is() {
    let store = Store::open_in_memory().unwrap();
    let sql: String = store
        .conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'entries_fts'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains(&format!("'{FTS_TOKENIZE}'")), "{sql}");
}
