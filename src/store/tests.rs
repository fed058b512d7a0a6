use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};

use super::entries::{clip, decode_authors, FTS_AUTOMERGE};
use super::feeds::FEED_COLUMNS;
use super::*;
use crate::model::{
    DoiSource, Entry, EntryId, EntrySummary, Feed, FoundDoi, MonthCount, NewEntry, PagingLinks,
    ParsedFeed,
};

pub(super) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(super) fn entry(guid: &str, title: &str, published: Option<&str>) -> NewEntry {
    NewEntry {
        guid: guid.to_string(),
        title: title.to_string(),
        link: Some(format!("https://blog.example/{guid}")),
        authors: vec!["Ann Author".to_string()],
        published: published.map(t),
        updated: None,
        content_html: Some(format!("<p>{title} body</p>")),
        summary_html: None,
        text: format!("{title} body"),
        dois: Vec::new(),
        papers: Vec::new(),
    }
}

fn doi(s: &str, source: DoiSource) -> FoundDoi {
    FoundDoi {
        doi: s.to_string(),
        key: s.to_lowercase(),
        source,
    }
}

/// A document of `entries`; an entry given DOIs and no papers cites those DOIs as papers, as a
/// parsed one does.
pub(super) fn doc(mut entries: Vec<NewEntry>) -> ParsedFeed {
    for e in entries.iter_mut().filter(|e| e.papers.is_empty()) {
        let dois: Vec<&str> = e.dois.iter().map(|d| d.doi.as_str()).collect();
        e.papers = crate::text::ids::find_papers_stored("", &[], &dois);
    }
    ParsedFeed {
        title: Some("A Research Blog".to_string()),
        site_url: Some("https://blog.example/".to_string()),
        generator: None,
        paging: PagingLinks::default(),
        entries,
        warning: None,
    }
}

/// A 200 with `feed`, fetched `at`.
fn fetched(feed: &ParsedFeed, at: DateTime<Utc>) -> FeedUpdate<'_> {
    FeedUpdate {
        fetched_at: at,
        status: 200,
        etag: Some("\"v1\""),
        last_modified: None,
        new_url: None,
        feed,
    }
}

fn update_at(store: &mut Store, id: FeedId, feed: &ParsedFeed, at: DateTime<Utc>) -> usize {
    store.apply_update(id, &fetched(feed, at)).unwrap()
}

pub(super) fn update(store: &mut Store, id: FeedId, feed: &ParsedFeed) -> usize {
    update_at(store, id, feed, t("2024-06-01T12:00:00Z"))
}

/// Stores documents together, as a refresh's batch does (`Store::apply_updates`), with a
/// document of a feed no longer in the cache among them: it fails alone. New entries per document.
pub(super) fn update_together(store: &mut Store, docs: &[(FeedId, ParsedFeed)]) -> Vec<usize> {
    let at = t("2024-06-01T12:00:00Z");
    let up = |feed| fetched(feed, at);
    let gone = doc(vec![entry("gone", "gone", Some("2024-01-01T00:00:00Z"))]);
    let mut ups: Vec<(FeedId, FeedUpdate)> = docs.iter().map(|(id, d)| (*id, up(d))).collect();
    let at_gone = ups.len() / 2;
    ups.insert(at_gone, (FeedId::MAX, up(&gone)));
    let mut results = store.apply_updates(&ups).unwrap();
    let missing = results.remove(at_gone);
    assert!(
        matches!(missing, Err(StoreError::NoSuchFeed(_))),
        "{missing:?}"
    );
    results.into_iter().map(|r| r.unwrap()).collect()
}

fn new_feed(store: &mut Store, url: &str) -> FeedId {
    store.add_feed(url, None).unwrap().0
}

fn ids(rows: &[EntrySummary]) -> Vec<String> {
    rows.iter()
        .map(|r| store_guid_of(&r.title).to_string())
        .collect()
}

/// Test entries are titled "<guid> ..." so listings can be compared by guid.
fn store_guid_of(title: &str) -> &str {
    title.split_whitespace().next().unwrap_or("")
}

fn search(store: &Store, words: &str) -> Vec<String> {
    ids(&store
        .list(&ListQuery {
            search: Some(words.to_string()),
            ..Default::default()
        })
        .unwrap())
}

fn entry_by_guid(store: &Store, feed: FeedId, guid: &str) -> Entry {
    let id: EntryId = store
        .conn()
        .query_row(
            "SELECT id FROM entries WHERE feed_id = ?1 AND guid = ?2",
            params![feed, guid],
            |r| r.get(0),
        )
        .unwrap();
    store.entry(id).unwrap().unwrap()
}

#[test]
fn fresh_cache_is_at_latest_schema_and_sound() {
    let store = Store::open_in_memory().unwrap();
    assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let stats = store.stats().unwrap();
    assert_eq!(
        stats,
        Stats {
            feeds: 0,
            entries: 0,
            unread: 0,
            dois: 0,
            schema_version: Store::SCHEMA_VERSION
        }
    );
}

#[test]
fn reseen_entry_updates_content_but_keeps_read_and_first_seen() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let first = doc(vec![
        entry("a", "a first post", Some("2024-05-01T10:00:00Z")),
        entry("b", "b second post", Some("2024-05-02T10:00:00Z")),
    ]);
    assert_eq!(
        update_at(&mut store, f, &first, t("2024-05-03T00:00:00Z")),
        2
    );
    let a = entry_by_guid(&store, f, "a");
    assert_eq!(store.set_read(&[a.id], true).unwrap(), 1);

    let mut changed = entry("a", "a retitled post", Some("2024-05-01T10:00:00Z"));
    changed.authors = vec!["Bo".to_string(), "Cy".to_string()];
    changed.updated = Some(t("2024-05-05T00:00:00Z"));
    changed.link = Some("https://blog.example/new-link".to_string());
    changed.dois = vec![doi("10.1000/XYZ", DoiSource::Link)];
    let second = doc(vec![
        changed,
        entry("b", "b second post", Some("2024-05-02T10:00:00Z")),
    ]);
    assert_eq!(
        update_at(&mut store, f, &second, t("2024-05-10T00:00:00Z")),
        0
    );

    let a2 = entry_by_guid(&store, f, "a");
    assert_eq!(a2.id, a.id);
    assert!(a2.read, "read flag kept");
    assert_eq!(a2.first_seen, t("2024-05-03T00:00:00Z"), "first_seen kept");
    assert_eq!(a2.title, "a retitled post");
    assert_eq!(a2.link.as_deref(), Some("https://blog.example/new-link"));
    assert_eq!(a2.authors, vec!["Bo", "Cy"]);
    assert_eq!(a2.updated, Some(t("2024-05-05T00:00:00Z")));
    assert_eq!(a2.dois, vec![doi("10.1000/XYZ", DoiSource::Link)]);
    assert_eq!(a2.month, "2024-05");
    assert_eq!(store.stats().unwrap().entries, 2);
    // The index follows the new title and forgets the old one.
    assert_eq!(search(&store, "retitled"), vec!["a"]);
    assert!(search(&store, "first").is_empty());
}

#[test]
fn unchanged_entries_are_not_rewritten() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let d = doc(vec![
        entry("a", "a post", Some("2024-05-01T10:00:00Z")),
        entry("b", "b post", None),
    ]);
    update(&mut store, f, &d);
    let before = store.conn().total_changes();
    assert_eq!(update(&mut store, f, &d), 0);
    // Only the feed row itself changed.
    assert_eq!(store.conn().total_changes() - before, 1);
}

#[test]
fn entries_that_leave_the_feed_window_are_kept() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let all: Vec<NewEntry> = (0..5)
        .map(|i| {
            entry(
                &format!("e{i}"),
                &format!("e{i} post"),
                Some(&format!("2024-0{}-01T00:00:00Z", i + 1)),
            )
        })
        .collect();
    assert_eq!(update(&mut store, f, &doc(all.clone())), 5);
    assert_eq!(update(&mut store, f, &doc(all[3..].to_vec())), 0);
    assert_eq!(update(&mut store, f, &doc(Vec::new())), 0);
    assert_eq!(store.count(&ListQuery::default()).unwrap(), 5);
    assert_eq!(store.feed(f).unwrap().unwrap().entries, 5);
}

#[test]
fn duplicate_guids_in_one_document_make_one_entry() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let d = doc(vec![
        entry("same", "same one", Some("2024-05-01T00:00:00Z")),
        entry("same", "same two", Some("2024-05-01T00:00:00Z")),
    ]);
    assert_eq!(update(&mut store, f, &d), 1);
    assert_eq!(store.count(&ListQuery::default()).unwrap(), 1);
    assert_eq!(entry_by_guid(&store, f, "same").title, "same two");
}

#[test]
fn month_falls_back_from_published_to_updated_to_first_seen() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let mut both = entry("p", "p post", Some("2014-12-31T23:30:00Z"));
    both.updated = Some(t("2015-02-01T00:00:00Z"));
    let mut upd = entry("u", "u post", None);
    upd.updated = Some(t("2013-07-04T00:00:00Z"));
    let none = entry("n", "n post", None);
    // An offset date is converted to UTC before its month is taken.
    let mut offset = entry("o", "o post", None);
    offset.published = Some(
        DateTime::parse_from_rfc3339("2020-03-01T01:00:00+02:00")
            .unwrap()
            .with_timezone(&Utc),
    );
    update_at(
        &mut store,
        f,
        &doc(vec![both, upd, none, offset]),
        t("2024-06-15T00:00:00Z"),
    );
    assert_eq!(entry_by_guid(&store, f, "p").month, "2014-12");
    assert_eq!(entry_by_guid(&store, f, "u").month, "2013-07");
    assert_eq!(entry_by_guid(&store, f, "n").month, "2024-06");
    assert_eq!(entry_by_guid(&store, f, "o").month, "2020-02");
}

#[test]
fn month_is_kept_on_reseen_unless_published_changes() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    update_at(
        &mut store,
        f,
        &doc(vec![entry("n", "n post", None)]),
        t("2024-01-10T00:00:00Z"),
    );
    // An updated date appearing later does not move an undated entry.
    let mut n = entry("n", "n post", None);
    n.updated = Some(t("2024-03-01T00:00:00Z"));
    update_at(&mut store, f, &doc(vec![n]), t("2024-03-02T00:00:00Z"));
    assert_eq!(entry_by_guid(&store, f, "n").month, "2024-01");
    // A published date does, and the entry's papers move with it.
    let mut n = entry("n", "n post", Some("2023-11-11T00:00:00Z"));
    n.dois = vec![doi("10.1000/moved", DoiSource::Text)];
    update_at(&mut store, f, &doc(vec![n]), t("2024-03-03T00:00:00Z"));
    let e = entry_by_guid(&store, f, "n");
    assert_eq!(e.month, "2023-11");
    for feed in [None, Some(f)] {
        let months = store.months(feed).unwrap();
        assert_eq!(months.len(), 1);
        assert_eq!((months[0].month.as_str(), months[0].papers), ("2023-11", 1));
    }
    let listed = store.list(&ListQuery::default()).unwrap();
    assert_eq!(listed[0].published, Some(t("2023-11-11T00:00:00Z")));
}

#[test]
fn extreme_years_are_stored_and_listed() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let d = doc(vec![
        entry("old", "old post", Some("0001-01-01T00:00:00Z")),
        entry("far", "far post", Some("9999-12-31T23:59:59Z")),
    ]);
    assert_eq!(update(&mut store, f, &d), 2);
    let months: Vec<String> = store
        .months(None)
        .unwrap()
        .into_iter()
        .map(|m| m.month)
        .collect();
    assert_eq!(months, vec!["9999-12", "0001-01"]);
    assert_eq!(
        ids(&store.list(&ListQuery::default()).unwrap()),
        vec!["far", "old"]
    );
    assert_eq!(
        entry_by_guid(&store, f, "old").published,
        Some(t("0001-01-01T00:00:00Z"))
    );
}

/// Two feeds over three months, with DOIs and some entries read.
fn archive() -> (Store, FeedId, FeedId) {
    let mut store = Store::open_in_memory().unwrap();
    let f1 = new_feed(&mut store, "https://one.example/feed");
    let f2 = new_feed(&mut store, "https://two.example/feed");
    let mut a1 = entry("a1", "a1 vaccines and trials", Some("2024-01-05T00:00:00Z"));
    a1.dois = vec![
        doi("10.1000/one", DoiSource::Meta),
        doi("10.1000/two", DoiSource::Text),
    ];
    let mut a2 = entry("a2", "a2 sleep study", Some("2024-01-20T00:00:00Z"));
    a2.dois = vec![doi("10.1000/ONE", DoiSource::Link)];
    let a3 = entry("a3", "a3 nothing cited", Some("2024-02-03T00:00:00Z"));
    update(&mut store, f1, &doc(vec![a1, a2, a3]));
    let mut b1 = entry("b1", "b1 vaccination policy", Some("2024-01-10T00:00:00Z"));
    b1.dois = vec![doi("10.2000/three", DoiSource::Link)];
    let b2 = entry("b2", "b2 mouse sleep", Some("2023-12-24T00:00:00Z"));
    update(&mut store, f2, &doc(vec![b1, b2]));
    let a2 = entry_by_guid(&store, f1, "a2").id;
    let b2 = entry_by_guid(&store, f2, "b2").id;
    store.set_read(&[a2, b2], true).unwrap();
    (store, f1, f2)
}

#[test]
fn months_count_entries_unread_and_papers() {
    let (store, f1, f2) = archive();
    let m = |month: &str, count, unread, papers| MonthCount {
        month: month.to_string(),
        count,
        unread,
        papers,
    };
    assert_eq!(
        store.months(None).unwrap(),
        vec![
            m("2024-02", 1, 1, 0),
            // 10.1000/one twice (in two cases) counts once.
            m("2024-01", 3, 2, 3),
            m("2023-12", 1, 0, 0),
        ]
    );
    assert_eq!(
        store.months(Some(f1)).unwrap(),
        vec![m("2024-02", 1, 1, 0), m("2024-01", 2, 1, 2)]
    );
    assert_eq!(
        store.months(Some(f2)).unwrap(),
        vec![m("2024-01", 1, 1, 1), m("2023-12", 1, 0, 0)]
    );
    assert_eq!(store.stats().unwrap().dois, 3);
    assert_eq!(store.stats().unwrap().unread, 3);
}

#[test]
fn list_filters_combine_and_order_newest_first() {
    let (store, f1, f2) = archive();
    let q = |f: fn(&mut ListQuery)| {
        let mut q = ListQuery::default();
        f(&mut q);
        q
    };
    let all = store.list(&ListQuery::default()).unwrap();
    assert_eq!(ids(&all), vec!["a3", "a2", "b1", "a1", "b2"]);
    assert_eq!(all[1].dois, vec!["10.1000/ONE"]);
    assert_eq!(all[3].dois, vec!["10.1000/one", "10.1000/two"]);
    assert_eq!(all[0].feed_title, "A Research Blog");
    assert!(all[1].read && !all[0].read);

    let mut by_feed = ListQuery {
        feed: Some(f2),
        ..Default::default()
    };
    assert_eq!(ids(&store.list(&by_feed).unwrap()), vec!["b1", "b2"]);
    by_feed.feed = Some(f1);
    by_feed.month = Some("2024-01".into());
    assert_eq!(ids(&store.list(&by_feed).unwrap()), vec!["a2", "a1"]);

    let month = q(|q| q.month = Some("2024-01".into()));
    assert_eq!(ids(&store.list(&month).unwrap()), vec!["a2", "b1", "a1"]);
    assert_eq!(store.count(&month).unwrap(), 3);

    let unread = q(|q| q.unread_only = true);
    assert_eq!(ids(&store.list(&unread).unwrap()), vec!["a3", "b1", "a1"]);
    let papers = q(|q| q.with_dois_only = true);
    assert_eq!(ids(&store.list(&papers).unwrap()), vec!["a2", "b1", "a1"]);
    let both = q(|q| {
        q.with_dois_only = true;
        q.unread_only = true;
        q.month = Some("2024-01".into());
    });
    assert_eq!(ids(&store.list(&both).unwrap()), vec!["b1", "a1"]);

    let page = q(|q| {
        q.limit = Some(2);
        q.offset = 1;
    });
    assert_eq!(ids(&store.list(&page).unwrap()), vec!["a2", "b1"]);
    assert_eq!(store.count(&page).unwrap(), 5, "count ignores limit/offset");
    let none = q(|q| q.month = Some("1999-01".into()));
    assert!(store.list(&none).unwrap().is_empty());
}

#[test]
fn the_papers_filter_keeps_posts_citing_only_arxiv_or_pubmed_papers() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let mut arxiv = entry("x", "x preprint", Some("2024-01-05T00:00:00Z"));
    arxiv.papers = crate::text::ids::find_papers("", &["https://arxiv.org/abs/2202.12139"]);
    let mut pubmed = entry("p", "p record", Some("2024-01-06T00:00:00Z"));
    pubmed.papers = crate::text::ids::find_papers("<p>PMID: 27933103</p>", &[]);
    let none = entry("n", "n nothing cited", Some("2024-01-07T00:00:00Z"));
    assert!(arxiv.dois.is_empty() && !arxiv.papers.is_empty() && !pubmed.papers.is_empty());
    update(&mut store, f, &doc(vec![arxiv, pubmed, none]));
    let q = ListQuery {
        with_dois_only: true,
        ..Default::default()
    };
    assert_eq!(ids(&store.list(&q).unwrap()), vec!["p", "x"]);
    assert_eq!(store.count(&q).unwrap(), 2);
}

#[test]
fn search_matches_all_words_with_last_as_prefix() {
    let (store, f1, _) = archive();
    assert_eq!(search(&store, "sleep"), vec!["a2", "b2"]);
    assert_eq!(search(&store, "vaccin"), vec!["b1", "a1"]);
    assert_eq!(search(&store, "VACCINES trials"), vec!["a1"]);
    assert_eq!(search(&store, "sleep mouse"), vec!["b2"]);
    // Words from the text, not only the title.
    assert_eq!(search(&store, "body cited"), vec!["a3"]);
    // The earlier words are whole words, not prefixes.
    assert!(search(&store, "slee study").is_empty());
    let q = ListQuery {
        search: Some("sleep".into()),
        feed: Some(f1),
        ..Default::default()
    };
    assert_eq!(ids(&store.list(&q).unwrap()), vec!["a2"]);
    assert_eq!(store.count(&q).unwrap(), 1);
}

#[test]
fn hostile_search_strings_are_never_syntax_errors() {
    let (store, _, _) = archive();
    for s in [
        "\"",
        "\"\"",
        "*",
        "NEAR(",
        "NEAR(sleep study",
        "-",
        "-sleep",
        "sleep -mouse",
        "sleep OR",
        "AND",
        "NOT sleep",
        "(",
        ")",
        "^sleep",
        "title:sleep",
        "{title body}: x",
        "sleep\"",
        "'; DROP TABLE entries; --",
        "+",
        "",
        "   ",
        "\u{0}",
        "sleep*",
        "a\"b",
    ] {
        let q = ListQuery {
            search: Some(s.to_string()),
            ..Default::default()
        };
        store
            .list(&q)
            .unwrap_or_else(|e| panic!("search {s:?} failed: {e}"));
        store.count(&q).unwrap();
    }
    // Operators are plain words: "OR" must appear in the text, so nothing matches.
    assert!(search(&store, "sleep OR").is_empty());
    assert_eq!(search(&store, "\"sleep\""), vec!["a2", "b2"]);
    assert_eq!(search(&store, "-mouse"), vec!["b2"]);
    assert_eq!(store.stats().unwrap().entries, 5);
}

#[test]
fn fts_query_quotes_every_word() {
    assert_eq!(fts_query("sleep"), Some("\"sleep\"*".to_string()));
    assert_eq!(
        fts_query("  a\"b   NEAR( c "),
        Some("\"a\"\"b\" \"NEAR(\" \"c\"*".to_string())
    );
    assert_eq!(fts_query("- * \""), None);
    assert_eq!(fts_query(""), None);
}

#[test]
fn set_read_and_mark_read_report_changes() {
    let (mut store, f1, _) = archive();
    let a1 = entry_by_guid(&store, f1, "a1").id;
    let a2 = entry_by_guid(&store, f1, "a2").id;
    assert_eq!(store.set_read(&[a1, a2], true).unwrap(), 1, "a2 was read");
    assert_eq!(store.set_read(&[a1, a2, 9999], false).unwrap(), 2);
    assert!(!store.entry(a2).unwrap().unwrap().read);

    let jan = ListQuery {
        month: Some("2024-01".into()),
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(store.mark_read(&jan).unwrap(), 3, "limit is ignored");
    assert_eq!(store.mark_read(&jan).unwrap(), 0);
    let months = store.months(None).unwrap();
    assert_eq!(months[1].unread, 0);
    assert_eq!(months[0].unread, 1);
    let search = ListQuery {
        search: Some("nothing".into()),
        ..Default::default()
    };
    assert_eq!(store.mark_read(&search).unwrap(), 1);
    assert_eq!(store.stats().unwrap().unread, 0);
}

#[test]
fn remove_feed_takes_everything_of_it() {
    let (mut store, f1, f2) = archive();
    store
        .put_archive_state(f1, &ArchiveState::default())
        .unwrap();
    store
        .ingest_page(
            f1,
            "https://one.example/feed?paged=2",
            &doc(vec![entry("old", "old sleep", None)]),
            Utc::now(),
        )
        .unwrap();
    assert!(store.remove_feed(f1).unwrap());
    assert!(!store.remove_feed(f1).unwrap());
    assert!(store.feed(f1).unwrap().is_none());
    let stats = store.stats().unwrap();
    assert_eq!((stats.feeds, stats.entries, stats.dois), (1, 2, 1));
    assert_eq!(search(&store, "sleep"), vec!["b2"]);
    let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM entries_fts"), 2);
    assert_eq!(count("SELECT COUNT(*) FROM entry_dois"), 1);
    assert_eq!(count("SELECT COUNT(*) FROM archive_state"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM archive_pages"), 0);
    assert!(store.archive_state(f1).unwrap().is_none());
    assert_eq!(store.feeds().unwrap()[0].id, f2);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn feeds_are_listed_by_title_with_counts() {
    let (mut store, f1, f2) = archive();
    let f3 = store
        .add_feed("https://three.example/feed", Some("alpha notes"))
        .unwrap()
        .0;
    let untitled = new_feed(&mut store, "https://zzz.example/feed");
    let mut up = doc(Vec::new());
    up.title = Some("Zebra Science".into());
    update(&mut store, f2, &up);
    let feeds = store.feeds().unwrap();
    let order: Vec<FeedId> = feeds.iter().map(|f| f.id).collect();
    assert_eq!(order, vec![f1, f3, untitled, f2]);
    assert_eq!(feeds[0].title, "A Research Blog");
    assert_eq!((feeds[0].entries, feeds[0].unread), (3, 2));
    assert_eq!((feeds[1].entries, feeds[1].unread), (0, 0));
    assert_eq!(
        feeds[2].title, "https://zzz.example/feed",
        "no title: the URL"
    );
    assert_eq!((feeds[3].entries, feeds[3].unread), (2, 1));
    assert_eq!(store.feed(f1).unwrap().unwrap(), feeds[0]);
}

#[test]
fn add_feed_is_idempotent_by_url() {
    let mut store = Store::open_in_memory().unwrap();
    let (id, added) = store.add_feed("https://x.example/feed", None).unwrap();
    assert!(added);
    let (again, added) = store
        .add_feed("https://x.example/feed", Some("X \u{1b}]52;evil"))
        .unwrap();
    assert_eq!((again, added), (id, false));
    // A missing title is filled in (scrubbed); an existing one is not replaced.
    assert_eq!(store.feed(id).unwrap().unwrap().title, "X ]52;evil");
    store
        .add_feed("https://x.example/feed", Some("Other"))
        .unwrap();
    assert_eq!(store.feed(id).unwrap().unwrap().title, "X ]52;evil");
    assert_eq!(store.stats().unwrap().feeds, 1);
}

#[test]
fn find_feed_by_id_url_and_title() {
    let mut store = Store::open_in_memory().unwrap();
    let a = store
        .add_feed("https://a.example/feed", Some("Statistical Modeling"))
        .unwrap()
        .0;
    let b = store
        .add_feed("https://b.example/feed", Some("Twin Title"))
        .unwrap()
        .0;
    let c = store
        .add_feed("https://c.example/feed", Some("twin title"))
        .unwrap()
        .0;
    let numbered = store
        .add_feed("https://d.example/feed", Some("1"))
        .unwrap()
        .0;
    let found = |store: &Store, s: &str| store.find_feed(s).unwrap().map(|f| f.id);
    assert_eq!(found(&store, &a.to_string()), Some(a));
    assert_eq!(found(&store, &format!(" {b} ")), Some(b));
    assert_eq!(found(&store, "https://c.example/feed"), Some(c));
    assert_eq!(found(&store, "Statistical Modeling"), Some(a));
    assert_eq!(found(&store, "statistical modeling"), Some(a));
    assert_eq!(
        found(&store, "Twin Title"),
        Some(b),
        "exact title before any case"
    );
    assert_eq!(found(&store, "twin title"), Some(c));
    assert!(matches!(
        store.find_feed("TWIN TITLE"),
        Err(StoreError::AmbiguousFeed { count: 2, .. })
    ));
    // A number that is no id falls through to titles.
    assert_eq!(
        found(&store, "1"),
        Some(a),
        "id 1 wins over the title \"1\""
    );
    store.remove_feed(a).unwrap();
    assert_eq!(found(&store, "1"), Some(numbered));
    assert_eq!(found(&store, "nope"), None);
    assert_eq!(found(&store, "99"), None);
}

#[test]
fn apply_update_sets_feed_fields_and_moves_url() {
    let mut store = Store::open_in_memory().unwrap();
    let f = store
        .add_feed("https://old.example/feed", Some("Given"))
        .unwrap()
        .0;
    let other = new_feed(&mut store, "https://taken.example/feed");
    store
        .record_failure(f, t("2024-01-01T00:00:00Z"), Some(410), "gone", true)
        .unwrap();
    assert!(store.feed(f).unwrap().unwrap().gone);

    let mut untitled = doc(Vec::new());
    untitled.title = None;
    untitled.site_url = None;
    store
        .apply_update(
            f,
            &FeedUpdate {
                fetched_at: t("2024-02-01T00:00:00Z"),
                status: 200,
                etag: Some("\"e1\""),
                last_modified: Some("Thu, 01 Feb 2024 00:00:00 GMT"),
                new_url: Some("https://new.example/feed"),
                feed: &untitled,
            },
        )
        .unwrap();
    let feed = store.feed(f).unwrap().unwrap();
    assert_eq!(feed.title, "Given", "kept when the document has none");
    assert_eq!(feed.url, "https://new.example/feed");
    assert_eq!(feed.etag.as_deref(), Some("\"e1\""));
    assert_eq!(
        feed.last_modified.as_deref(),
        Some("Thu, 01 Feb 2024 00:00:00 GMT")
    );
    assert_eq!(feed.last_fetched, Some(t("2024-02-01T00:00:00Z")));
    assert_eq!(feed.last_status, Some(200));
    assert_eq!((feed.last_error, feed.gone), (None, false));

    // A redirect to a URL another feed has keeps the old URL.
    let titled = doc(Vec::new());
    store
        .apply_update(
            f,
            &FeedUpdate {
                fetched_at: t("2024-03-01T00:00:00Z"),
                status: 200,
                etag: None,
                last_modified: None,
                new_url: Some("https://taken.example/feed"),
                feed: &titled,
            },
        )
        .unwrap();
    let feed = store.feed(f).unwrap().unwrap();
    assert_eq!(feed.url, "https://new.example/feed");
    assert_eq!(feed.title, "A Research Blog");
    assert_eq!(feed.site_url.as_deref(), Some("https://blog.example/"));
    assert_eq!((feed.etag, feed.last_modified), (None, None));
    assert!(matches!(
        store.set_feed_url(f, "https://taken.example/feed"),
        Err(StoreError::UrlTaken(_))
    ));
    store.set_feed_url(other, "https://moved.example/").unwrap();
    assert_eq!(
        store.feed(other).unwrap().unwrap().url,
        "https://moved.example/"
    );
    assert!(matches!(
        store.apply_update(
            999,
            &FeedUpdate {
                fetched_at: Utc::now(),
                status: 200,
                etag: None,
                last_modified: None,
                new_url: None,
                feed: &titled,
            }
        ),
        Err(StoreError::NoSuchFeed(999))
    ));
}

/// Issue 16: what the parser repaired in a feed is kept beside its last error, stays through
/// a 304 and a failure (the stored document is still the repaired one), and a clean fetch
/// clears it.
#[test]
fn a_repair_warning_is_kept_until_a_clean_fetch() {
    let (mut store, f1, _) = archive();
    let mut repaired = doc(Vec::new());
    repaired.warning = Some("repaired: 1 unescaped '&' (line 12)\u{1b}[2J".to_string());
    update(&mut store, f1, &repaired);
    let want = Some("repaired: 1 unescaped '&' (line 12)[2J");
    assert_eq!(store.feed(f1).unwrap().unwrap().warning.as_deref(), want);
    store
        .record_not_modified(f1, t("2024-07-02T00:00:00Z"))
        .unwrap();
    store
        .record_failure(f1, t("2024-07-03T00:00:00Z"), Some(500), "HTTP 500", false)
        .unwrap();
    assert_eq!(store.feed(f1).unwrap().unwrap().warning.as_deref(), want);
    update(&mut store, f1, &doc(Vec::new()));
    assert_eq!(store.feed(f1).unwrap().unwrap().warning, None);
}

#[test]
fn not_modified_and_failures_leave_entries_alone() {
    let (mut store, f1, _) = archive();
    let before = store.list(&ListQuery::default()).unwrap();
    let feed_before = store.feed(f1).unwrap().unwrap();

    store
        .record_failure(
            f1,
            t("2024-07-01T00:00:00Z"),
            Some(500),
            "HTTP 500\nInternal \u{1b}[31merror",
            false,
        )
        .unwrap();
    let failed = store.feed(f1).unwrap().unwrap();
    assert_eq!(
        failed.last_error.as_deref(),
        Some("HTTP 500 Internal [31merror")
    );
    assert_eq!(failed.last_status, Some(500));
    assert!(!failed.gone);
    assert_eq!(failed.etag, feed_before.etag, "validators kept");

    store
        .record_not_modified(f1, t("2024-07-02T00:00:00Z"))
        .unwrap();
    let nm = store.feed(f1).unwrap().unwrap();
    assert_eq!(nm.last_status, Some(304));
    assert_eq!(nm.last_error, None);
    assert_eq!(nm.last_fetched, Some(t("2024-07-02T00:00:00Z")));
    assert_eq!(nm.title, feed_before.title);
    assert_eq!(nm.etag, feed_before.etag);

    store
        .record_failure(f1, t("2024-07-03T00:00:00Z"), Some(410), "gone", true)
        .unwrap();
    store
        .record_failure(f1, t("2024-07-04T00:00:00Z"), None, "timed out", false)
        .unwrap();
    assert!(store.feed(f1).unwrap().unwrap().gone, "gone is sticky");
    assert_eq!(store.list(&ListQuery::default()).unwrap(), before);
    assert!(matches!(
        store.record_not_modified(999, Utc::now()),
        Err(StoreError::NoSuchFeed(999))
    ));
}

#[test]
fn entry_round_trips_every_field() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let mut e = entry("g1", "g1 title", Some("2024-05-01T10:00:00Z"));
    e.authors = vec!["Ann \"Quote\" Author".into(), "B, C".into()];
    e.updated = Some(t("2024-05-02T10:00:00Z"));
    e.summary_html = Some("<p>summary</p>".into());
    e.dois = vec![
        doi("10.1000/Meta", DoiSource::Meta),
        doi("10.1000/link", DoiSource::Link),
        doi("10.1000/META", DoiSource::Text),
    ];
    update_at(
        &mut store,
        f,
        &doc(vec![e.clone()]),
        t("2024-05-03T00:00:00Z"),
    );
    let got = entry_by_guid(&store, f, "g1");
    assert_eq!(got.guid, "g1");
    assert_eq!(got.feed_id, f);
    assert_eq!(got.feed_title, "A Research Blog");
    assert_eq!(got.title, e.title);
    assert_eq!(got.link, e.link);
    assert_eq!(got.authors, e.authors);
    assert_eq!(got.published, e.published);
    assert_eq!(got.updated, e.updated);
    assert_eq!(got.first_seen, t("2024-05-03T00:00:00Z"));
    assert_eq!(got.content_html, e.content_html);
    assert_eq!(got.summary_html, e.summary_html);
    assert!(!got.read);
    // One DOI per key, the first form seen.
    assert_eq!(got.dois, e.dois[..2].to_vec());
    assert!(store.entry(got.id + 100).unwrap().is_none());
}

#[test]
fn authors_stored_one_per_line_are_read_too() {
    assert_eq!(decode_authors("A\n B \n\n"), vec!["A", "B"]);
    assert_eq!(decode_authors("[\"A\",\"B\"]"), vec!["A", "B"]);
    assert!(decode_authors("").is_empty());
}

#[test]
fn dois_by_scope_newest_entry_first_then_source_order() {
    let (store, f1, f2) = archive();
    let rows = |s: DoiScope| -> Vec<(String, String)> {
        store
            .dois(&s)
            .unwrap()
            .into_iter()
            .map(|r| (r.doi, store_guid_of(&r.entry_title).to_string()))
            .collect()
    };
    let p = |d: &str, g: &str| (d.to_string(), g.to_string());
    assert_eq!(
        rows(DoiScope::default()),
        vec![
            p("10.1000/ONE", "a2"),
            p("10.2000/three", "b1"),
            p("10.1000/one", "a1"),
            p("10.1000/two", "a1"),
        ]
    );
    assert_eq!(
        rows(DoiScope {
            feed: Some(f2),
            ..Default::default()
        }),
        vec![p("10.2000/three", "b1")]
    );
    let a1 = entry_by_guid(&store, f1, "a1").id;
    let full = store
        .dois(&DoiScope {
            entry: Some(a1),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(full.len(), 2);
    assert_eq!(full[0].entry_id, a1);
    assert_eq!(full[0].source, DoiSource::Meta);
    assert_eq!(full[1].source, DoiSource::Text);
    assert_eq!(
        rows(DoiScope {
            month: Some("2024-01".into()),
            feed: Some(f1),
            ..Default::default()
        })
        .len(),
        3
    );
    assert!(rows(DoiScope {
        month: Some("2024-02".into()),
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn dois_of_a_month_keep_the_posts_order_not_the_keys_or_ids() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://one.example/feed");
    // Found in this order; their keys sort the other way round.
    let mut first = entry("first", "first", Some("2024-03-10T00:00:00Z"));
    first.dois = vec![
        doi("10.9000/zeta", DoiSource::Meta),
        doi("10.1000/alpha", DoiSource::Text),
    ];
    // Stored after, so a higher id, yet older.
    let mut older = entry("older", "older", Some("2024-03-05T00:00:00Z"));
    older.dois = vec![doi("10.5000/older", DoiSource::Link)];
    // At the same time as `first`: the higher id comes first.
    let mut tie = entry("tie", "tie", Some("2024-03-10T00:00:00Z"));
    tie.dois = vec![doi("10.5000/tie", DoiSource::Link)];
    update(&mut store, f, &doc(vec![first]));
    update(&mut store, f, &doc(vec![older, tie]));
    let rows = store
        .dois(&DoiScope {
            month: Some("2024-03".into()),
            ..Default::default()
        })
        .unwrap();
    let want = [
        "10.5000/tie",
        "10.9000/zeta",
        "10.1000/alpha",
        "10.5000/older",
    ];
    let got: Vec<&str> = rows.iter().map(|r| r.doi.as_str()).collect();
    assert_eq!(got, want);
    let all = store.dois(&DoiScope::default()).unwrap();
    let got: Vec<&str> = all.iter().map(|r| r.doi.as_str()).collect();
    assert_eq!(got, want);
}

#[test]
fn citations_round_trip_and_replace() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(store.citation("10.1000/x").unwrap().is_none());
    let missing = CachedCitation {
        key: "10.1000/x".into(),
        found: false,
        csl_json: None,
        bibtex: None,
        fetched_at: t("2024-01-01T00:00:00Z"),
    };
    store.put_citation(&missing).unwrap();
    assert_eq!(store.citation("10.1000/x").unwrap(), Some(missing));
    let found = CachedCitation {
        key: "10.1000/x".into(),
        found: true,
        csl_json: Some("{\"title\":\"T\"}".into()),
        bibtex: Some("@article{x, title={T}}".into()),
        fetched_at: t("2024-02-01T00:00:00Z"),
    };
    store.put_citation(&found).unwrap();
    assert_eq!(store.citation("10.1000/x").unwrap(), Some(found));
}

#[test]
fn archive_state_round_trips() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    assert!(store.archive_state(f).unwrap().is_none());
    let s = ArchiveState {
        strategy: Some("wordpress".into()),
        next_page: Some("https://blog.example/feed?paged=3".into()),
        pages_done: 2,
        complete: false,
        oldest_month: Some("2014-12".into()),
        updated_at: Some(t("2024-01-01T00:00:00Z")),
    };
    store.put_archive_state(f, &s).unwrap();
    assert_eq!(store.archive_state(f).unwrap(), Some(s));
    let done = ArchiveState {
        strategy: Some("wordpress".into()),
        next_page: None,
        pages_done: 5,
        complete: true,
        oldest_month: Some("2010-01".into()),
        updated_at: None,
    };
    let before = Utc::now().timestamp();
    store.put_archive_state(f, &done).unwrap();
    let got = store.archive_state(f).unwrap().unwrap();
    assert!(got.complete && got.next_page.is_none() && got.pages_done == 5);
    assert!(got.updated_at.unwrap().timestamp() >= before);
    assert!(matches!(
        store.put_archive_state(999, &done),
        Err(StoreError::NoSuchFeed(999))
    ));
}

#[test]
fn ingest_page_is_idempotent_and_leaves_the_feed_alone() {
    let mut store = Store::open_in_memory().unwrap();
    let f = store
        .add_feed("https://blog.example/feed", Some("Kept Title"))
        .unwrap()
        .0;
    update(
        &mut store,
        f,
        &doc(vec![entry(
            "cur",
            "cur current title",
            Some("2024-05-01T00:00:00Z"),
        )]),
    );
    let feed_before = store.feed(f).unwrap().unwrap();
    let cur = entry_by_guid(&store, f, "cur").id;
    store.set_read(&[cur], true).unwrap();

    let page_url = "https://blog.example/feed?paged=2";
    let mut page = doc(vec![
        entry(
            "cur",
            "cur stale archived title",
            Some("2024-05-01T00:00:00Z"),
        ),
        entry("p1", "p1 older", Some("2014-12-01T00:00:00Z")),
        entry("p2", "p2 older", Some("2014-11-01T00:00:00Z")),
    ]);
    page.title = Some("Archive Page Title".into());
    assert!(!store.page_done(f, page_url).unwrap());
    let at = t("2024-06-01T00:00:00Z");
    assert_eq!(store.ingest_page(f, page_url, &page, at).unwrap(), 2);
    assert!(store.page_done(f, page_url).unwrap());
    assert!(!store
        .page_done(f, "https://blog.example/feed?paged=3")
        .unwrap());
    assert_eq!(store.ingest_page(f, page_url, &page, at).unwrap(), 0);
    assert_eq!(store.count(&ListQuery::default()).unwrap(), 3);

    let kept = store.entry(cur).unwrap().unwrap();
    assert_eq!(kept.title, "cur current title");
    assert!(kept.read);
    assert_eq!(store.feed(f).unwrap().unwrap().title, feed_before.title);
    assert_eq!(
        store.feed(f).unwrap().unwrap(),
        Feed {
            entries: 3,
            unread: 2,
            ..feed_before
        }
    );
    assert_eq!(search(&store, "older"), vec!["p1", "p2"]);
    assert_eq!(
        store.guids_known(f, &["cur", "p1", "p2", "nope"]).unwrap(),
        3
    );
    assert_eq!(store.guids_known(f + 1, &["cur"]).unwrap(), 0);
    assert!(matches!(
        store.ingest_page(999, page_url, &page, at),
        Err(StoreError::NoSuchFeed(999))
    ));
}

#[test]
fn hostile_sizes_are_stored() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://blog.example/feed");
    let mut big = entry("big", "big", None);
    big.title = "é".repeat(600_000);
    big.text = "word ".repeat(300_000) + "ünïcode";
    assert_eq!(update(&mut store, f, &doc(vec![big])), 1);
    assert_eq!(search(&store, "word").len(), 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(clip("aé", 2), "a");
    assert_eq!(clip("aé", 3), "aé");
}

// ----- files: migrations, refusals, concurrency -----

fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

fn sidecars_absent(p: &Path) -> bool {
    let s = p.to_string_lossy();
    !Path::new(&format!("{s}-wal")).exists() && !Path::new(&format!("{s}-shm")).exists()
}

#[test]
fn open_creates_the_file_in_wal_mode_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        let f = new_feed(&mut store, "https://blog.example/feed");
        update(&mut store, f, &doc(vec![entry("a", "a post", None)]));
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: bool = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert!(fk);
        let sync: i64 = store
            .conn()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 1, "NORMAL");
        assert_eq!(store.path(), Some(path.as_path()));
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.stats().unwrap().entries, 1);
    assert_eq!(search(&store, "post"), vec!["a"]);

    let missing_dir = dir.path().join("no/such/dir/cache.sqlite");
    let err = Store::open(&missing_dir).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains("no/such/dir/cache.sqlite"),
        "{err}"
    );
    assert!(!dir.path().join("no").exists());
}

#[test]
fn migrates_from_version_zero_and_from_each_step() {
    let dir = tempfile::tempdir().unwrap();
    // An empty file is a version-0 database.
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        Store::open(&empty).unwrap().schema_version().unwrap(),
        Store::SCHEMA_VERSION
    );

    for start in 1..Store::SCHEMA_VERSION {
        let path = dir.path().join(format!("v{start}.sqlite"));
        {
            let mut conn = Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, start).unwrap();
            assert_eq!(schema::user_version(&conn).unwrap(), start);
            conn.execute(
                "INSERT INTO feeds (url, title, added_at) VALUES ('https://kept.example/', 'Kept', 0)",
                [],
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
        let kept = store.find_feed("Kept").unwrap().unwrap();
        // The later tables work.
        store
            .put_archive_state(kept.id, &ArchiveState::default())
            .unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}

#[test]
fn newer_schema_is_refused_and_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99,
                supported: Store::SCHEMA_VERSION
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade"), "{err}");
    assert_eq!(file_bytes(&path), before);
    assert!(sidecars_absent(&path));
}

#[test]
fn newer_schema_still_in_the_wal_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    drop(Store::open(&path).unwrap());
    // A newer paperboy, still running, has migrated but not checkpointed: the file header says
    // the old version and only the WAL knows better.
    let newer = Connection::open(&path).unwrap();
    newer
        .execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = 0; CREATE TABLE future (x); \
                 PRAGMA user_version = {};",
            Store::SCHEMA_VERSION + 1
        ))
        .unwrap();
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found, .. } if found == Store::SCHEMA_VERSION + 1),
        "{err:?}"
    );
    assert_eq!(file_bytes(&path), before);
    drop(newer);
}

#[test]
fn garbage_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("short.sqlite", b"not a database".to_vec()),
        (
            "long.sqlite",
            (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        ),
        ("html.sqlite", b"<!doctype html><html>".repeat(500)),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(file_bytes(&path), bytes);
        assert!(sidecars_absent(&path));
    }
}

#[test]
fn damaged_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    drop(Store::open(&path).unwrap());
    let mut bytes = file_bytes(&path);
    assert!(bytes.len() > 4096);
    // Keep the 100-byte header, wreck the schema page.
    for b in &mut bytes[100..4096] {
        *b = 0xa5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("cache.sqlite"), "{err}");
    assert_eq!(file_bytes(&path), bytes);
}

#[test]
fn first_opens_at_once_create_and_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                new_feed(&mut store, &format!("https://w{w}.example/feed"));
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.stats().unwrap().feeds, 4);
    assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
}

#[test]
fn two_handles_write_at_once_without_locking_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let mut store = Store::open(&path).unwrap();
    let shared = new_feed(&mut store, "https://shared.example/feed");
    drop(store);

    let workers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let own = new_feed(&mut store, &format!("https://w{w}.example/feed"));
                for round in 0..30 {
                    let entries: Vec<NewEntry> = (0..20)
                        .map(|i| {
                            entry(
                                &format!("w{w}-{round}-{i}"),
                                &format!("w{w} round {round} item {i}"),
                                None,
                            )
                        })
                        .collect();
                    update(&mut store, own, &doc(entries.clone()));
                    // Both write the same entries of one feed too.
                    update(&mut store, shared, &doc(entries[..5].to_vec()));
                    let listed = store
                        .list(&ListQuery {
                            feed: Some(own),
                            limit: Some(3),
                            ..Default::default()
                        })
                        .unwrap();
                    let ids: Vec<EntryId> = listed.iter().map(|e| e.id).collect();
                    store.set_read(&ids, true).unwrap();
                    store
                        .mark_read(&ListQuery {
                            feed: Some(shared),
                            month: Some("1999-01".into()),
                            ..Default::default()
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let stats = store.stats().unwrap();
    assert_eq!(stats.feeds, 3);
    assert_eq!(stats.entries, 2 * 30 * 20 + 2 * 30 * 5);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

// ----- query plans -----

fn plan(store: &Store, sql: &str, args: &[Value]) -> String {
    let mut stmt = store
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map(params_from_iter(args.iter()), |r| r.get(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.join("\n")
}

#[test]
fn listings_walk_indexes_without_sorting() {
    let (store, f1, _) = archive();
    let cases = [
        ListQuery {
            month: Some("2024-01".into()),
            ..Default::default()
        },
        ListQuery {
            month: Some("2024-01".into()),
            feed: Some(f1),
            ..Default::default()
        },
        ListQuery::default(),
        ListQuery {
            unread_only: true,
            ..Default::default()
        },
    ];
    for q in cases {
        let (sql, args) = query::list_sql(&q).unwrap();
        let p = plan(&store, &sql, &args);
        assert!(p.contains("USING INDEX"), "{q:?}:\n{p}");
        // No sort of the whole listing: only ties on sort_time ("RIGHT PART"), and each
        // entry's few DOIs, may be sorted.
        let sorts = p.lines().any(|l| l.contains("TEMP B-TREE FOR ORDER BY"));
        assert!(!sorts, "{q:?}:\n{p}");
        assert!(!p.contains("SCAN f"), "{q:?}:\n{p}");
    }
    // Feed counts and month counts read the counters (schema step 9), never an entry; papers
    // only covering indexes: never a row with its body.
    let p = plan(&store, &format!("SELECT {FEED_COLUMNS} FROM feeds f"), &[]);
    assert_eq!(
        p.matches("SEARCH c USING INTEGER PRIMARY KEY").count(),
        2,
        "{p}"
    );

    for one_feed in [false, true] {
        let (counts, papers) = query::months_sql(one_feed);
        let args: Vec<Value> = if one_feed {
            vec![Value::Integer(f1)]
        } else {
            Vec::new()
        };
        let p = plan(&store, counts, &args);
        assert!(
            p.contains("_counts") && !p.contains("entries"),
            "{counts}:\n{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{counts}:\n{p}");
        let p = plan(&store, papers, &args);
        // All feeds: the paper counters' month rows (schema step 11); one feed: its entries'
        // papers through covering indexes.
        assert!(
            p.contains("COVERING INDEX") || p.contains("paper_month_keys"),
            "{papers}:\n{p}"
        );
        assert!(
            !p.contains("SCAN e\n") && !p.ends_with("SCAN e"),
            "{papers}:\n{p}"
        );
        assert!(!p.contains("TEMP B-TREE FOR GROUP BY"), "{papers}:\n{p}");
        assert!(!p.contains("USING INTEGER PRIMARY KEY"), "{papers}:\n{p}");
    }
}

#[test]
fn a_folders_month_pages_newest_first_across_its_feeds_reading_only_the_page() {
    let mut store = Store::open_in_memory().unwrap();
    let a = new_feed(&mut store, "https://a.example/feed");
    let b = new_feed(&mut store, "https://b.example/feed");
    let other = new_feed(&mut store, "https://c.example/feed");
    store.set_folder(a, Some("Lab")).unwrap();
    store.set_folder(b, Some("Lab/Sub")).unwrap();
    let at = |day: u32| format!("2024-05-{day:02}T00:00:00Z");
    let e = |title: &str, when: &str| entry(title, title, Some(when));
    update(
        &mut store,
        a,
        &doc(vec![
            e("a1", &at(1)),
            e("a2", &at(9)),
            e("a0", "2024-04-30T00:00:00Z"),
        ]),
    );
    // b2 at the same time as a2, with a higher id: listed first.
    update(&mut store, b, &doc(vec![e("b1", &at(5)), e("b2", &at(9))]));
    update(&mut store, other, &doc(vec![e("c1", &at(7))]));
    let q = |offset: usize| ListQuery {
        folder: Some("Lab".into()),
        month: Some("2024-05".into()),
        limit: Some(2),
        offset,
        ..Default::default()
    };
    let page = |offset: usize| -> Vec<String> {
        let rows = store.list(&q(offset)).unwrap();
        rows.into_iter().map(|r| r.title).collect()
    };
    assert_eq!(page(0), ["b2", "a2"]);
    assert_eq!(page(2), ["b1", "a1"]);
    assert!(page(4).is_empty());
    // The page is picked off the per-feed index; only its rows are read.
    let (sql, args) = query::list_sql(&q(0)).unwrap();
    let p = plan(&store, &sql, &args);
    assert!(
        p.contains("SEARCH e USING COVERING INDEX entries_feed_month"),
        "{p}"
    );
}

#[test]
fn search_streams_newest_first_from_the_index_without_sorting() {
    let (store, _, _) = archive();
    let q = ListQuery {
        search: Some("sleep".into()),
        limit: Some(1),
        ..Default::default()
    };
    let (sql, args) = query::list_sql(&q).unwrap();
    let p = plan(&store, &sql, &args);
    assert!(!p.contains("TEMP B-TREE FOR ORDER BY"), "{p}");
    assert!(
        p.contains("VIRTUAL TABLE"),
        "the index is the outer loop:\n{p}"
    );
}

#[test]
fn search_order_follows_dates_not_insertion_and_follows_date_changes() {
    let mut store = Store::open_in_memory().unwrap();
    let f = new_feed(&mut store, "https://a.example/feed");
    // Inserted newest first, then an older post arrives later (a backfill), then one far older.
    update(
        &mut store,
        f,
        &doc(vec![entry("n", "n pelican", Some("2024-05-01T00:00:00Z"))]),
    );
    update(
        &mut store,
        f,
        &doc(vec![entry("o", "o pelican", Some("2019-05-01T00:00:00Z"))]),
    );
    update(
        &mut store,
        f,
        &doc(vec![entry("m", "m pelican", Some("2022-05-01T00:00:00Z"))]),
    );
    update(
        &mut store,
        f,
        &doc(vec![entry(
            "y1",
            "y1 pelican",
            Some("0001-01-01T00:00:00Z"),
        )]),
    );
    assert_eq!(search(&store, "pelican"), vec!["n", "m", "o", "y1"]);
    // A post whose date changes moves in the results, and is not found twice.
    update(
        &mut store,
        f,
        &doc(vec![entry("o", "o pelican", Some("2025-01-01T00:00:00Z"))]),
    );
    assert_eq!(search(&store, "pelican"), vec!["o", "n", "m", "y1"]);
    // Paging through results gives each once.
    let page = |offset| {
        ids(&store
            .list(&ListQuery {
                search: Some("pelican".into()),
                limit: Some(2),
                offset,
                ..Default::default()
            })
            .unwrap())
    };
    assert_eq!([page(0), page(2)].concat(), vec!["o", "n", "m", "y1"]);
    // Removing the feed empties its part of the index.
    store.remove_feed(f).unwrap();
    assert!(search(&store, "pelican").is_empty());
}

#[test]
fn the_index_is_tuned_with_the_first_entries_and_keeps_working() {
    let mut store = Store::open_in_memory().unwrap();
    let automerge = |s: &Store| -> Option<i64> {
        s.conn()
            .query_row(
                "SELECT v FROM entries_fts_config WHERE k = 'automerge'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap()
    };
    assert_eq!(
        automerge(&store),
        None,
        "FTS5's default until entries arrive"
    );
    let f = new_feed(&mut store, "http://a/feed");
    assert_eq!(update(&mut store, f, &doc(vec![])), 0);
    assert_eq!(automerge(&store), None, "an empty document writes no index");
    for i in 0..20 {
        let guid = format!("g{i}");
        update(
            &mut store,
            f,
            &doc(vec![entry(&guid, "heron", Some("2020-01-01T00:00:00Z"))]),
        );
    }
    let found = store
        .list(&ListQuery {
            search: Some("heron".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 20, "twenty segments, every entry found");
    assert_eq!(automerge(&store), Some(FTS_AUTOMERGE));
    assert_eq!(FTS_AUTOMERGE, 8);
}

/// Issue 11: items without a guid that share a link were stored as one entry under the bare
/// link. A cache written that way keeps every entry, its read state and its DOIs when the new
/// keys arrive, and holds no duplicate after the next refresh.
#[test]
fn a_cache_keyed_by_shared_links_keeps_its_entries_after_the_new_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let page = "https://news.example/today";
    let doc_xml = format!(
        r#"<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
  <item><title>Alpha</title><link>{page}</link><pubDate>Mon, 01 Oct 2018 08:00:00 GMT</pubDate></item>
  <item><title>Beta</title><link>{page}</link><pubDate>Tue, 02 Oct 2018 08:00:00 GMT</pubDate></item>
  <item><title>Gamma</title><link>{page}</link><pubDate>Wed, 03 Oct 2018 08:00:00 GMT</pubDate>
    <description>cites doi:10.1000/gamma.1</description></item>
  <item><title>Own</title><link>https://news.example/own</link><pubDate>Thu, 04 Oct 2018 08:00:00 GMT</pubDate>
    <description>cites doi:10.1000/own.1</description></item>
  <item><guid isPermaLink="false">g-1</guid><link>{page}</link></item>
</channel></rss>"#
    );
    let parsed =
        crate::feeds::parse::parse_feed(doc_xml.as_bytes(), "https://news.example/feed").unwrap();
    // What earlier versions stored: every guid-less item keyed by its link.
    let mut old = parsed.clone();
    for e in &mut old.entries {
        if let Some(legacy) = crate::model::identity::legacy_key(e) {
            e.guid = legacy.to_string();
        }
    }
    let (feed, gamma_id, own_id) = {
        let mut store = Store::open(&path).unwrap();
        let feed = new_feed(&mut store, "https://news.example/feed");
        assert_eq!(
            update(&mut store, feed, &old),
            3,
            "the old keys collapse three posts"
        );
        let gamma = entry_by_guid(&store, feed, page);
        assert_eq!(gamma.title, "Gamma");
        let own = entry_by_guid(&store, feed, "https://news.example/own");
        store.set_read(&[gamma.id, own.id], true).unwrap();
        // Version 2 stored a display placeholder as the title of an entry without one. Steps 4
        // to 9 are undone so that the file is a version-2 cache again.
        store
            .conn()
            .execute_batch(
                "UPDATE entries SET title = '(untitled)' WHERE guid = 'g-1'; \
                 DROP TRIGGER entry_counts_delete; \
                 DROP TRIGGER entry_counts_flags; DROP TRIGGER entry_counts_move; \
                 DROP TRIGGER entry_counts_feed_gone; DROP TABLE entry_counts; \
                 DROP TABLE feed_counts; DROP TABLE month_counts; \
                 DROP TABLE counts_build; \
                 DROP TRIGGER paper_counts_read; DROP TRIGGER paper_counts_star; \
                 DROP VIEW paper_recount; DROP VIEW paper_recount_unread; \
                 DROP VIEW paper_recount_starred; \
                 DROP TABLE paper_health; DROP TABLE paper_oa; \
                 DROP TABLE entry_papers; DROP TABLE paper_aliases; DROP TABLE papers_scan; \
                 DROP TABLE paper_counts; DROP TABLE paper_month_keys; \
                 DROP TABLE titles_build; DROP TABLE paper_counts_build; \
                 DROP TABLE marks_deferred; \
                 ALTER TABLE entry_dois DROP COLUMN title; \
                 ALTER TABLE feeds DROP COLUMN warning; \
                 DROP TABLE sync_queue; DROP TABLE sync_marks; DROP TABLE sync_state; \
                 DROP INDEX feeds_remote; DROP INDEX entries_remote; \
                 DROP INDEX entries_remote_link; \
                 ALTER TABLE feeds DROP COLUMN remote_id; ALTER TABLE entries DROP COLUMN remote_id; \
                 DROP INDEX feeds_folder; DROP INDEX entries_starred; \
                 ALTER TABLE feeds DROP COLUMN folder; ALTER TABLE feeds DROP COLUMN user_title; \
                 ALTER TABLE entries DROP COLUMN starred; \
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        (feed, gamma.id, own.id)
    };

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), Store::SCHEMA_VERSION);
    assert_eq!(entry_by_guid(&store, feed, "g-1").title, "");
    let new = update(&mut store, feed, &parsed);
    assert_eq!(new, 2, "Alpha and Beta are new; Gamma keeps its row");
    let gamma = entry_by_guid(&store, feed, &format!("{page}#date=2018-10-03T08:00:00Z"));
    assert_eq!(gamma.id, gamma_id);
    assert!(gamma.read);
    let dois: Vec<String> = gamma.dois.iter().map(|d| d.doi.clone()).collect();
    assert_eq!(dois, ["10.1000/gamma.1"]);
    let own = entry_by_guid(&store, feed, "https://news.example/own");
    assert_eq!(own.id, own_id);
    assert!(own.read);
    assert_eq!(own.dois[0].doi, "10.1000/own.1");
    // The next refresh finds every entry where it is: nothing new, nothing twice.
    assert_eq!(update(&mut store, feed, &parsed), 0);
    let titles: Vec<String> = store
        .list(&ListQuery {
            feed: Some(feed),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.title)
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(sorted, ["", "Alpha", "Beta", "Gamma", "Own"], "{titles:?}");
}

/// Issue 11: an item that shares its link with others is keyed by link and date; a backfill
/// page that holds it alone (keyed by the bare link) finds the same entry, not a new one.
#[test]
fn an_item_alone_on_a_page_finds_its_entry_under_the_shared_link_key() {
    let mut store = Store::open_in_memory().unwrap();
    let feed = new_feed(&mut store, "https://pod.example/feed");
    let item = |title: &str, day: u32| {
        format!(
            "<item><title>{title}</title><link>https://pod.example/episodes</link>\
             <pubDate>{day:02} Oct 2018 06:00:00 GMT</pubDate></item>"
        )
    };
    let doc = |items: &[String]| {
        let xml = format!(
            "<rss version=\"2.0\"><channel><title>Pod</title>{}</channel></rss>",
            items.concat()
        );
        crate::feeds::parse::parse_feed(xml.as_bytes(), "https://pod.example/feed").unwrap()
    };
    assert_eq!(
        update(&mut store, feed, &doc(&[item("One", 1), item("Two", 8)])),
        2
    );
    let page = doc(&[item("One", 1)]);
    assert_eq!(page.entries[0].guid, "https://pod.example/episodes");
    let new = store
        .ingest_page(
            feed,
            "https://pod.example/feed?paged=2",
            &page,
            t("2024-06-02T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(new, 0, "a backfill page");
    assert_eq!(update(&mut store, feed, &page), 0, "a refresh");
    assert_eq!(store.stats().unwrap().entries, 2);
}

// ----- issue 20, part E: what the first frame and `dois --month` read -----

#[test]
fn a_months_dois_and_their_titles_are_read_from_indexes_never_the_entries_rows() {
    let (store, _, _) = archive();
    let scope = DoiScope {
        month: Some("2024-01".into()),
        ..Default::default()
    };
    let (sql, args) = super::papers::dois_entries_sql(&scope, false);
    let p = plan(&store, &sql, &args);
    assert!(
        p.contains("SEARCH e USING COVERING INDEX entries_month_time"),
        "{p}"
    );
    // Their DOI rows: looked up by entry, in the order of the ids given.
    let ids = [Value::Text("[1,2,3]".into())];
    let p = plan(&store, super::papers::DOIS_OF_ENTRIES, &ids);
    assert!(p.contains("SEARCH d USING PRIMARY KEY (entry_id=?)"), "{p}");
}

#[test]
fn dois_carry_their_posts_titles_through_an_update() {
    let (mut store, f1, _) = archive();
    let month = |m: &str| DoiScope {
        month: Some(m.into()),
        ..Default::default()
    };
    let titles = |store: &Store| -> Vec<(String, String)> {
        let rows = store.dois(&month("2024-01")).unwrap();
        rows.into_iter().map(|r| (r.doi, r.entry_title)).collect()
    };
    let before = titles(&store);
    assert!(!before.is_empty());
    for (_, t) in &before {
        assert!(!t.is_empty(), "{before:?}");
    }
    // The same post with a new title: its DOIs name the new one.
    let mut a1 = entry("a1", "Renamed by its blog", Some("2024-01-05T00:00:00Z"));
    a1.dois = vec![
        doi("10.1000/one", DoiSource::Meta),
        doi("10.1000/two", DoiSource::Text),
    ];
    update(&mut store, f1, &doc(vec![a1]));
    let after = titles(&store);
    assert_eq!(after.len(), before.len(), "{after:?}");
    let renamed: Vec<_> = after
        .iter()
        .filter(|(_, t)| t == "Renamed by its blog")
        .collect();
    assert_eq!(renamed.len(), 2, "{after:?}");
}

#[test]
fn the_readers_health_reads_at_start_skip_the_papers_that_are_fine() {
    let (store, _, _) = archive();
    for sql in [
        super::health::flagged_sql(),
        super::health::citing_retracted_sql(),
    ] {
        let p = plan(&store, &sql, &[]);
        // Scanning the partial index reads the flagged rows alone; the table, every row.
        let reads: Vec<&str> = p.lines().filter(|l| l.contains("paper_health")).collect();
        assert!(!reads.is_empty(), "{sql}:\n{p}");
        for l in reads {
            assert!(l.contains("INDEX paper_health_flagged"), "{sql}:\n{p}");
        }
    }
}

#[test]
fn complete_feeds_are_those_whose_backfill_reached_the_end() {
    let (mut store, f1, f2) = archive();
    assert!(store.complete_feeds().unwrap().is_empty());
    let done = ArchiveState {
        complete: true,
        ..Default::default()
    };
    store.put_archive_state(f1, &done).unwrap();
    store
        .put_archive_state(f2, &ArchiveState::default())
        .unwrap();
    let want: std::collections::BTreeSet<_> = [f1].into();
    assert_eq!(store.complete_feeds().unwrap(), want);
    for f in [f1, f2] {
        let one = store.archive_state(f).unwrap().is_some_and(|s| s.complete);
        assert_eq!(one, want.contains(&f), "feed {f}");
    }
}

#[test]
fn the_upgrade_gives_stored_dois_their_posts_titles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.sqlite");
    let conn = super::connection_at_version(&path, 8).unwrap();
    conn.execute_batch(
        "INSERT INTO feeds (id, url, title, added_at) VALUES (1, 'https://a.example/feed', 'A', 0);
         INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time)
         VALUES (10, 1, 'a1', 'A post citing two', 0, '2014-12', 1418000000);
         INSERT INTO entry_dois (entry_id, feed_id, month, doi_key, doi, source, pos) VALUES
            (10, 1, '2014-12', '10.1000/x.1', '10.1000/X.1', 'text', 0),
            (10, 1, '2014-12', '10.1000/y.2', '10.1000/y.2', 'meta', 1);",
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    let rows = store
        .dois(&DoiScope {
            month: Some("2014-12".into()),
            ..Default::default()
        })
        .unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.doi.as_str(), r.entry_title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("10.1000/X.1", "A post citing two"),
            ("10.1000/y.2", "A post citing two")
        ]
    );
}

#[test]
fn health_of_many_dois_answers_those_that_have_an_answer() {
    let mut store = Store::open_in_memory().unwrap();
    let now = chrono::Utc::now();
    let row = |key: &str, status: &str| super::health::HealthRow {
        doi_key: key.to_string(),
        status: status.to_string(),
        notices: "[]".to_string(),
        checked: now,
        due: now,
    };
    // Keys as DOIs may be: quotes, backslashes and non-ASCII go through the JSON list intact.
    let odd = "10.1000/a\"b\\c-é";
    store
        .put_health(&[row("10.1000/fine", "fine"), row(odd, "retracted")])
        .unwrap();
    let asked = ["10.1000/fine", odd, "10.1000/never-checked", "10.1000/fine"];
    let got = store.health_of(&asked).unwrap();
    let mut keys: Vec<&str> = got.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["10.1000/a\"b\\c-é", "10.1000/fine"]);
    assert_eq!(got[odd].status, "retracted");
    assert!(store.health_of(&[]).unwrap().is_empty());
}

/// Only a connection storing a refresh's batches takes the large page cache: a reader's stay at
/// SQLite's default (the reader holds several connections; issue 20's memory figures).
#[test]
fn only_a_batch_writer_takes_the_large_page_cache_and_the_long_checkpoint_interval() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let pragma = |store: &Store, name: &str| -> i64 {
        store
            .conn()
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    };
    let mut store = Store::open(&path).unwrap();
    let reader = Store::open(&path).unwrap();
    assert_eq!(pragma(&store, "cache_size"), -2000, "SQLite's default");
    assert_eq!(pragma(&store, "wal_autocheckpoint"), 16384);
    let id = new_feed(&mut store, "https://blog.example/feed");
    let feed = doc(vec![entry("a", "A", Some("2024-01-01T00:00:00Z"))]);
    update_together(&mut store, &[(id, feed)]);
    assert_eq!(pragma(&store, "cache_size"), -super::BULK_CACHE_KIB);
    assert_eq!(
        pragma(&store, "wal_autocheckpoint"),
        super::BULK_CHECKPOINT_PAGES
    );
    assert_eq!(pragma(&reader, "cache_size"), -2000);
    assert_eq!(pragma(&reader, "wal_autocheckpoint"), 16384);
}
