//! Issue 20's refresh at scale: documents stored together (`apply_updates`) and bodies kept as
//! LZ4 blocks.

use rusqlite::params;

use super::tests::{doc, entry, t};
use super::*;
use crate::model::{EntryId, NewEntry, ParsedFeed};

fn up(feed: &ParsedFeed) -> FeedUpdate<'_> {
    FeedUpdate {
        fetched_at: t("2024-06-01T12:00:00Z"),
        status: 200,
        etag: Some("\"v1\""),
        last_modified: None,
        new_url: None,
        feed,
    }
}

fn guids(store: &Store, feed: FeedId) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT guid FROM entries WHERE feed_id = ?1 ORDER BY guid")
        .unwrap();
    stmt.query_map([feed], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn searched(store: &Store, words: &str) -> usize {
    let q = ListQuery {
        search: Some(words.to_string()),
        ..ListQuery::default()
    };
    store.list(&q).unwrap().len()
}

/// A long body, as posts have: what is stored as a block.
fn long_entry(guid: &str, words: &str) -> NewEntry {
    let mut e = entry(guid, &format!("{guid} title"), Some("2024-05-01T10:00:00Z"));
    let para = format!("<p>{words}: recovery capital in a community cohort, with <a href=\"https://example.org/{guid}\">a link</a> and ünïcode — “quotes”.</p>\n");
    e.content_html = Some(para.repeat(30));
    e.summary_html = Some(format!("<p>{words} in short.</p>"));
    e.text = format!("{words} body");
    e
}

#[test]
fn documents_stored_together_each_stand_or_fail_alone() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store.add_feed("https://a.example/feed", None).unwrap().0;
    let b = store.add_feed("https://b.example/feed", None).unwrap().0;
    let c = store.add_feed("https://c.example/feed", None).unwrap().0;
    // Feed b's second entry fails half way through its document's writes.
    store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON entries WHEN NEW.guid = 'b2' \
             BEGIN SELECT RAISE(ABORT, 'boom'); END",
        )
        .unwrap();
    let da = doc(vec![
        entry("a1", "alpha one", None),
        entry("a2", "alpha two", None),
    ]);
    let db = doc(vec![
        entry("b1", "beta one", None),
        entry("b2", "beta two", None),
    ]);
    let dc = doc(vec![entry("c1", "gamma one", None)]);
    let gone = doc(vec![entry("x1", "removed meanwhile", None)]);
    let results = store
        .apply_updates(&[(a, up(&da)), (b, up(&db)), (999, up(&gone)), (c, up(&dc))])
        .unwrap();
    let new: Vec<Option<usize>> = results.iter().map(|r| r.as_ref().ok().copied()).collect();
    assert_eq!(new, vec![Some(2), None, None, Some(1)]);
    assert!(matches!(results[2], Err(StoreError::NoSuchFeed(999))));
    assert_eq!(guids(&store, a), ["a1", "a2"]);
    assert_eq!(guids(&store, c), ["c1"]);
    // Nothing of the failed document: not its first entry, its index rows or its fetch.
    assert!(guids(&store, b).is_empty(), "b1 was rolled back with b2");
    assert_eq!(searched(&store, "beta"), 0);
    assert_eq!(searched(&store, "alpha"), 2);
    let fb = store.feed(b).unwrap().unwrap();
    assert_eq!((fb.etag, fb.last_status), (None, None));
    assert_eq!(store.feed(a).unwrap().unwrap().last_status, Some(200));
}

#[test]
fn a_batch_that_cannot_write_stores_none_of_its_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let a = store.add_feed("https://a.example/feed", None).unwrap().0;
    let da = doc(vec![entry("a1", "alpha one", None)]);
    // Another connection holds the write lock: the batch cannot start (busy, after the
    // timeout) and reports it rather than storing anything.
    store
        .conn()
        .busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    assert!(store.apply_updates(&[(a, up(&da))]).is_err());
    other.execute_batch("ROLLBACK").unwrap();
    assert!(guids(&store, a).is_empty());
}

#[test]
fn long_bodies_are_stored_as_blocks_and_read_back_the_same() {
    let mut store = Store::open_in_memory().unwrap();
    let f = store.add_feed("https://blog.example/feed", None).unwrap().0;
    let e = long_entry("g1", "first");
    let short = entry("g2", "short one", Some("2024-05-02T10:00:00Z"));
    store
        .apply_update(f, &up(&doc(vec![e.clone(), short.clone()])))
        .unwrap();
    let kinds: Vec<(String, String)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT typeof(content_html), typeof(summary_html) FROM entries ORDER BY guid")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    assert_eq!(
        kinds,
        [
            ("blob".into(), "text".into()),
            ("text".into(), "null".into())
        ]
    );
    let stored: i64 = store
        .conn()
        .query_row(
            "SELECT length(content_html) FROM entries WHERE guid = 'g1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let html_len = e.content_html.as_deref().unwrap().len();
    assert!(
        (stored as usize) < html_len / 2,
        "{stored} bytes for {html_len}"
    );
    let id = |store: &Store, g: &str| -> EntryId {
        store
            .conn()
            .query_row("SELECT id FROM entries WHERE guid = ?1", [g], |r| r.get(0))
            .unwrap()
    };
    let got = store.entry(id(&store, "g1")).unwrap().unwrap();
    assert_eq!(got.content_html, e.content_html);
    assert_eq!(got.summary_html, e.summary_html);
    let got = store.entry(id(&store, "g2")).unwrap().unwrap();
    assert_eq!(got.content_html, short.content_html);
    // A changed body is written as a block again.
    let e2 = long_entry("g1", "second");
    store.apply_update(f, &up(&doc(vec![e2.clone()]))).unwrap();
    let got = store.entry(id(&store, "g1")).unwrap().unwrap();
    assert_eq!(got.content_html, e2.content_html);
    // The re-scan of stored posts reads blocks too.
    let posts = store.papers_scan_batch(0, 10).unwrap();
    assert_eq!(posts[0].body, e2.content_html.unwrap());
}

#[test]
fn bodies_written_as_text_by_earlier_versions_read_as_before() {
    let mut store = Store::open_in_memory().unwrap();
    let f = store.add_feed("https://blog.example/feed", None).unwrap().0;
    let html = "<p>Written by an earlier version, long enough to be packed today.</p>".repeat(10);
    store
        .conn()
        .execute(
            "INSERT INTO entries (feed_id, guid, title, first_seen, month, sort_time, \
             content_html, summary_html) VALUES (?1, 'old', 'Old', 0, '2024-01', 0, ?2, ?2)",
            params![f, html],
        )
        .unwrap();
    let id = store.conn().last_insert_rowid();
    let got = store.entry(id).unwrap().unwrap();
    assert_eq!(got.content_html.as_deref(), Some(html.as_str()));
    assert_eq!(got.summary_html.as_deref(), Some(html.as_str()));
    assert_eq!(store.papers_scan_batch(0, 10).unwrap()[0].body, html);
}

/// The search index's segments: FTS5 keeps each in rows whose ids carry the segment's number
/// from bit 37 up (the structure and averages records are below it).
fn index_segments(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT COUNT(DISTINCT rowid >> 37) FROM entries_fts_data WHERE rowid >= 1 << 37",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn documents_stored_together_write_one_search_segment() {
    use crate::text::ids::{FoundPaper, PaperId};
    let mut store = Store::open_in_memory().unwrap();
    let feeds: Vec<FeedId> = (0..4)
        .map(|i| {
            let url = format!("https://f{i}.example/feed");
            store.add_feed(&url, None).unwrap().0
        })
        .collect();
    // Each feed's posts are older than the last feed's, and cite papers: the index's keys
    // arrive out of order and the papers' writes (and their counters) come between them.
    let docs: Vec<ParsedFeed> = (0..4)
        .map(|i| {
            let posts = (0..3)
                .map(|j| {
                    let date = format!("2024-0{}-1{j}T10:00:00Z", 5 - i);
                    let mut e = entry(
                        &format!("g{i}-{j}"),
                        &format!("word{i} shared"),
                        Some(&date),
                    );
                    let id = PaperId::Doi(format!("10.1/p{i}{j}"));
                    e.papers = vec![FoundPaper {
                        key: id.key(),
                        ids: vec![id],
                        coins: None,
                    }];
                    e
                })
                .collect();
            doc(posts)
        })
        .collect();
    let ups: Vec<(FeedId, FeedUpdate)> =
        feeds.iter().zip(&docs).map(|(f, d)| (*f, up(d))).collect();
    store.apply_updates(&ups).unwrap();
    // One flush at the commit, not one per document or entry: each segment is merged later.
    assert_eq!(index_segments(&store), 1);
    assert_eq!(searched(&store, "shared"), 12);
    assert_eq!(searched(&store, "word2"), 3);
}
