//! The paper counters against a recount done here, after random sequences of every change that
//! moves them; and the Papers view served from them against the scan of every row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;

use super::tests::{doc, entry, update, update_together};
use super::*;
use crate::model::{EntryId, NewEntry};
use crate::text::ids::{FoundPaper, PaperId};

/// Paper `i` of a small pool, so that papers are shared across posts, months and feeds: some
/// are found with a second id (an alias the writer records), some by a PMID alone.
fn pool(i: u8) -> FoundPaper {
    let ids = match i % 4 {
        0 => vec![
            PaperId::Doi(format!("10.1/p{i}")),
            PaperId::Pmid(format!("{}", 100 + i)),
        ],
        1 => vec![PaperId::Pmid(format!("{}", 100 + i - 1))],
        _ => vec![PaperId::Doi(format!("10.1/p{i}"))],
    };
    FoundPaper {
        key: ids[0].key(),
        ids,
        coins: None,
    }
}

/// A post of a document: its guid (of a few, so documents rewrite posts), its month (of three)
/// and the pool papers it cites.
fn post(guid: u8, month: u8, papers: &[u8]) -> NewEntry {
    let date = format!("2024-0{}-1{}T10:00:00Z", 1 + month, guid % 10);
    let mut e = entry(
        &format!("g{guid}"),
        &format!("g{guid} {papers:?}"),
        Some(&date),
    );
    e.content_html = Some(format!("<p>{papers:?}</p>"));
    e.papers = post_papers(papers);
    e
}

/// The pool papers `papers` names, each once.
fn post_papers(papers: &[u8]) -> Vec<FoundPaper> {
    let mut found: Vec<FoundPaper> = Vec::new();
    for p in papers {
        let paper = pool(*p);
        if found.iter().all(|q| q.key != paper.key) {
            found.push(paper);
        }
    }
    found
}

/// A document's posts: (guid, month, papers).
type Posts = Vec<(u8, u8, Vec<u8>)>;

#[derive(Debug, Clone)]
enum Op {
    Refresh(u8, Vec<(u8, u8, Vec<u8>)>),
    /// Several feeds' documents stored in one transaction, as a refresh batches them.
    RefreshTogether(Vec<(u8, Posts)>),
    Read(u8, bool),
    Star(u8, bool),
    MarkMonthRead(u8),
    MarkFeedRead(u8),
    /// Feed `f` put in a folder, then the folder marked read.
    MarkFolderRead(u8),
    MarkAllRead,
    RemoveFeed(u8),
    Join(u8, u8),
    Alias(u8, u8),
    Remote(Vec<(u8, u8, Vec<u8>, bool, bool)>),
    RemoteStates(Vec<u8>, Vec<u8>),
    /// The upgrade's re-scan saving papers for an entry that has none.
    Scan(u8, Vec<u8>),
    /// The counters emptied and their fill due, as the upgrade leaves them.
    StartFill,
    /// A batch of the fill, of this many rows.
    FillBatch(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let papers = prop::collection::vec(0u8..10, 0..4);
    prop_oneof![
        3 => (0u8..3, prop::collection::vec((0u8..6, 0u8..3, papers.clone()), 1..5))
            .prop_map(|(f, posts)| Op::Refresh(f, posts)),
        2 => prop::collection::vec(
            (0u8..3, prop::collection::vec((0u8..6, 0u8..3, papers.clone()), 1..4)),
            1..4
        )
        .prop_map(Op::RefreshTogether),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(e, r)| Op::Read(e, r)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(e, s)| Op::Star(e, s)),
        1 => (0u8..3).prop_map(Op::MarkMonthRead),
        1 => (0u8..3).prop_map(Op::MarkFeedRead),
        1 => (0u8..3).prop_map(Op::MarkFolderRead),
        1 => Just(Op::MarkAllRead),
        1 => (0u8..3).prop_map(Op::RemoveFeed),
        1 => (0u8..10, 0u8..10).prop_map(|(a, b)| Op::Join(a, b)),
        1 => (0u8..10, 0u8..10).prop_map(|(a, b)| Op::Alias(a, b)),
        1 => prop::collection::vec((0u8..4, 0u8..3, papers, any::<bool>(), any::<bool>()), 1..4)
            .prop_map(Op::Remote),
        1 => (prop::collection::vec(0u8..4, 0..4), prop::collection::vec(0u8..4, 0..4))
            .prop_map(|(u, s)| Op::RemoteStates(u, s)),
        1 => (any::<u8>(), prop::collection::vec(0u8..10, 1..3)).prop_map(|(e, p)| Op::Scan(e, p)),
        1 => Just(Op::StartFill),
        2 => (1u8..6).prop_map(Op::FillBatch),
    ]
}

const FEEDS: [&str; 3] = [
    "https://a.example/feed",
    "https://b.example/feed",
    "https://c.example/feed",
];

fn feed_id(store: &mut Store, f: u8) -> FeedId {
    store.add_feed(FEEDS[usize::from(f) % 3], None).unwrap().0
}

fn entry_ids(store: &Store) -> Vec<EntryId> {
    let mut stmt = store
        .conn()
        .prepare("SELECT id FROM entries ORDER BY id")
        .unwrap();
    let ids = stmt.query_map([], |r| r.get(0)).unwrap();
    ids.collect::<rusqlite::Result<_>>().unwrap()
}

fn pick(store: &Store, i: u8) -> Option<EntryId> {
    let ids = entry_ids(store);
    (!ids.is_empty()).then(|| ids[usize::from(i) % ids.len()])
}

fn apply(store: &mut Store, op: &Op) {
    let month = |m: u8| format!("2024-0{}", 1 + m % 3);
    match op {
        Op::Refresh(f, posts) => {
            let id = feed_id(store, *f);
            let entries = posts.iter().map(|(g, m, p)| post(*g, *m, p)).collect();
            update(store, id, &doc(entries));
        }
        Op::RefreshTogether(docs) => {
            let docs: Vec<_> = docs
                .iter()
                .map(|(f, posts)| {
                    let entries = posts.iter().map(|(g, m, p)| post(*g, *m, p)).collect();
                    (feed_id(store, *f), doc(entries))
                })
                .collect();
            update_together(store, &docs);
        }
        Op::Read(e, read) => {
            if let Some(id) = pick(store, *e) {
                store.set_read(&[id], *read).unwrap();
            }
        }
        Op::Star(e, starred) => {
            if let Some(id) = pick(store, *e) {
                store.set_starred(&[id], *starred).unwrap();
            }
        }
        Op::MarkMonthRead(m) => {
            store
                .mark_read(&ListQuery {
                    month: Some(month(*m)),
                    ..Default::default()
                })
                .unwrap();
        }
        Op::MarkFeedRead(f) => {
            let id = feed_id(store, *f);
            store
                .mark_read(&ListQuery {
                    feed: Some(id),
                    ..Default::default()
                })
                .unwrap();
        }
        Op::MarkFolderRead(f) => {
            let id = feed_id(store, *f);
            store.set_folder(id, Some("Science")).unwrap();
            store
                .mark_read(&ListQuery {
                    folder: Some("Science".to_string()),
                    ..Default::default()
                })
                .unwrap();
        }
        Op::MarkAllRead => {
            store.mark_read(&ListQuery::default()).unwrap();
        }
        Op::RemoveFeed(f) => {
            let id = feed_id(store, *f);
            store.remove_feed(id).unwrap();
        }
        Op::Join(a, b) => store.join_papers(&pool(*a).key, &pool(*b).key).unwrap(),
        Op::Alias(a, b) => store.put_paper_alias(&pool(*a).key, &pool(*b).key).unwrap(),
        Op::Remote(items) => {
            let id = feed_id(store, 2);
            let entries = items
                .iter()
                .map(|(r, m, p, read, starred)| RemoteEntry {
                    remote_id: i64::from(*r) + 1,
                    entry: post(50 + r, *m, p),
                    read: *read,
                    starred: *starred,
                })
                .collect();
            let now = chrono::Utc::now();
            store
                .store_remote_entries(vec![(id, entries)], now)
                .unwrap();
        }
        Op::Scan(e, papers) => {
            if let Some(id) = pick(store, *e) {
                scan(store, id, papers);
            }
        }
        Op::StartFill => {
            if !store.fill_pending(Fill::PaperCounts).unwrap() {
                store
                    .conn()
                    .execute_batch(
                        "DELETE FROM paper_counts; DELETE FROM paper_month_keys; \
                         INSERT INTO paper_counts_build VALUES ('');",
                    )
                    .unwrap();
            }
        }
        Op::FillBatch(n) => {
            store
                .fill_batch(Fill::PaperCounts, usize::from(*n))
                .unwrap();
        }
        Op::RemoteStates(unread, starred) => {
            let ids = |v: &[u8]| v.iter().map(|r| i64::from(*r) + 1).collect::<Vec<_>>();
            store
                .apply_remote_states(&ids(unread), &ids(starred))
                .unwrap();
        }
    }
}

/// Saves `papers` for entry `id` as the upgrade's re-scan does.
fn scan(store: &mut Store, id: EntryId, papers: &[u8]) {
    let post = store
        .conn()
        .query_row(
            "SELECT feed_id, month, sort_time FROM entries WHERE id = ?1",
            [id],
            |r| {
                Ok(StoredPost {
                    id,
                    feed_id: r.get(0)?,
                    month: r.get(1)?,
                    sort_time: r.get(2)?,
                    body: String::new(),
                    link: None,
                    guid: String::new(),
                    meta_dois: Vec::new(),
                    dois: Vec::new(),
                })
            },
        )
        .unwrap();
    let found = post_papers(papers);
    store
        .save_scanned_papers(&[(&post, found)], id, false)
        .unwrap();
}

/// A paper's counters: posts, newest, unread, newest unread, starred, newest starred.
type Counts = (i64, i64, i64, Option<i64>, i64, Option<i64>);

/// The counters as stored.
fn stored(store: &Store) -> (BTreeMap<String, Counts>, BTreeMap<String, i64>) {
    let conn = store.conn();
    let mut stmt = conn
        .prepare(
            "SELECT paper_key, posts, newest, unread, newest_unread, starred, newest_starred \
             FROM paper_counts",
        )
        .unwrap();
    let counts = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ),
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT month, keys FROM paper_month_keys WHERE keys <> 0")
        .unwrap();
    let months = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    (counts, months)
}

/// The same counters recounted here from the rows, the entries' flags and the aliases.
fn recounted(store: &Store) -> (BTreeMap<String, Counts>, BTreeMap<String, i64>) {
    let conn = store.conn();
    let aliases: HashMap<String, String> = conn
        .prepare("SELECT alias_key, paper_key FROM paper_aliases")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let flags: HashMap<EntryId, (bool, bool)> = conn
        .prepare("SELECT id, read, starred FROM entries")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let rows: Vec<(EntryId, String, String, i64)> = conn
        .prepare("SELECT entry_id, paper_key, month, sort_time FROM entry_papers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut months: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut posts: BTreeMap<String, BTreeMap<EntryId, i64>> = BTreeMap::new();
    for (entry, key, month, time) in rows {
        months.entry(month).or_default().insert(key.clone());
        if flags.contains_key(&entry) {
            let paper = aliases.get(&key).cloned().unwrap_or(key);
            let t = posts.entry(paper).or_default().entry(entry).or_insert(time);
            *t = (*t).max(time);
        }
    }
    let counts = posts
        .into_iter()
        .map(|(key, cites)| {
            let newest = |f: &dyn Fn(&(bool, bool)) -> bool| {
                cites
                    .iter()
                    .filter(|(e, _)| f(&flags[*e]))
                    .map(|(_, t)| *t)
                    .max()
            };
            let count = |f: &dyn Fn(&(bool, bool)) -> bool| {
                cites.keys().filter(|e| f(&flags[*e])).count() as i64
            };
            let unread = |s: &(bool, bool)| !s.0;
            let starred = |s: &(bool, bool)| s.1;
            let c = (
                cites.len() as i64,
                newest(&|_| true).unwrap_or(0),
                count(&unread),
                newest(&unread),
                count(&starred),
                newest(&starred),
            );
            (key, c)
        })
        .collect();
    let months = months
        .into_iter()
        .map(|(m, keys)| (m, keys.len() as i64))
        .collect();
    (counts, months)
}

/// Papers per month by canonical key, recounted here, as `months(None)` gives them.
fn month_papers(store: &Store) -> BTreeMap<String, i64> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT DISTINCT p.month, COALESCE(a.paper_key, p.paper_key) FROM entry_papers p \
             LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key",
        )
        .unwrap();
    let mut months = BTreeMap::new();
    let pairs = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    for pair in pairs {
        *months.entry(pair.unwrap().0).or_insert(0) += 1;
    }
    months
}

/// The Papers view's page from the counters against the same page of the scan of every row,
/// in each scope the counters serve.
fn pages_agree(store: &Store) -> std::result::Result<(), TestCaseError> {
    for (unread_only, starred_only) in [(false, false), (true, false), (false, true)] {
        let q = ListQuery {
            unread_only,
            starred_only,
            ..Default::default()
        };
        let all = store.papers(&q).unwrap();
        for (offset, limit) in [(0, 3), (2, 4), (0, 100)] {
            let page = store
                .papers(&ListQuery {
                    offset,
                    limit: Some(limit),
                    ..q.clone()
                })
                .unwrap();
            let want: Vec<_> = all.iter().skip(offset).take(limit).cloned().collect();
            prop_assert_eq!(page, want, "{:?} {} {}", q, offset, limit);
        }
        let first = store.papers_first(&q, 3).unwrap();
        let want: Vec<_> = all.iter().take(3).cloned().collect();
        // Until the fill ends, the first page waits for the scan as the rest does.
        let want = (!store.fill_pending(Fill::PaperCounts).unwrap()).then_some((want, all.len()));
        prop_assert_eq!(first, want, "{:?}", q);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn paper_counters_equal_a_recount_after_any_changes(ops in prop::collection::vec(op(), 1..25)) {
        let mut store = Store::open_in_memory().unwrap();
        for op in &ops {
            apply(&mut store, op);
            if store.fill_pending(Fill::PaperCounts).unwrap() {
                // Partly filled: the readers count the rows meanwhile.
                prop_assert_eq!(month_keys(&store), month_papers(&store), "after {:?}", op);
                pages_agree(&store)?;
            } else {
                prop_assert_eq!(stored(&store), recounted(&store), "after {:?}", op);
            }
        }
        while !store.fill_batch(Fill::PaperCounts, 3).unwrap().1 {}
        prop_assert_eq!(stored(&store), recounted(&store));
        prop_assert_eq!(month_keys(&store), month_papers(&store));
        pages_agree(&store)?;
    }
}

/// Papers per month as `months` gives them (months with some).
fn month_keys(store: &Store) -> BTreeMap<String, i64> {
    store
        .months(None)
        .unwrap()
        .into_iter()
        .filter(|m| m.papers > 0)
        .map(|m| (m.month, m.papers))
        .collect()
}

/// A schema-8 cache with papers, aliases, read and starred posts gains its counters on upgrade,
/// equal to the recount; `months` and the Papers view then read them.
#[test]
fn the_upgrade_fills_the_counters_from_the_rows_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paperboy.db");
    {
        let conn = super::connection_at_version(&path, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO feeds (id, url, added_at) VALUES (1, 'https://a.example/feed', 0), \
                                                       (2, 'https://b.example/feed', 0);",
        )
        .unwrap();
        for id in 1..=40i64 {
            let month = format!("2024-0{}", 1 + id % 3);
            conn.execute(
                "INSERT INTO entries (id, feed_id, guid, title, first_seen, month, sort_time, \
                 read, starred) VALUES (?1, ?2, ?1, 't', 0, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    id,
                    1 + id % 2,
                    month,
                    1000 + id % 7,
                    id % 3 == 0,
                    id % 5 == 0
                ],
            )
            .unwrap();
            for (pos, p) in [id % 6, (id * 7) % 10].into_iter().enumerate() {
                let key = pool(p as u8).key;
                conn.execute(
                    "INSERT INTO entry_papers \
                     (entry_id, feed_id, month, sort_time, paper_key, ids, pos) \
                     SELECT ?1, feed_id, month, sort_time, ?2, ?2, ?3 FROM entries WHERE id = ?1 \
                     ON CONFLICT DO NOTHING",
                    rusqlite::params![id, key, pos as i64],
                )
                .unwrap();
            }
        }
        // pmid:100 is doi:10.1/p0's, and a loop through p2 and p3.
        conn.execute_batch(
            "INSERT INTO paper_aliases VALUES ('pmid:100', 'doi:10.1/p0'), \
             ('doi:10.1/p2', 'doi:10.1/p3'), ('doi:10.1/p3', 'doi:10.1/p2');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let (counts, months) = stored(&store);
    assert!(counts.len() > 5, "{counts:?}");
    assert_eq!((counts, months), recounted(&store));
    let papers: BTreeMap<String, i64> = store
        .months(None)
        .unwrap()
        .into_iter()
        .map(|m| (m.month, m.papers))
        .collect();
    assert_eq!(papers, month_papers(&store));
    pages_agree(&store).unwrap();
}

/// Aliases moved or dropped by any statement (the app only adds and joins today) move their
/// rows' counts with them.
#[test]
fn an_alias_moved_or_dropped_moves_its_posts_counts() {
    let mut store = Store::open_in_memory().unwrap();
    let posts = vec![
        (0, 0, vec![1]),
        (1, 1, vec![1, 2]),
        (2, 1, vec![3]),
        (3, 2, vec![5]),
    ];
    apply(&mut store, &Op::Refresh(0, posts));
    apply(&mut store, &Op::Alias(1, 2));
    assert_eq!(stored(&store), recounted(&store));
    let moves = [
        "UPDATE paper_aliases SET paper_key = 'doi:10.1/p3' WHERE alias_key = 'pmid:100'",
        "UPDATE paper_aliases SET alias_key = 'pmid:104' WHERE alias_key = 'pmid:100'",
        "DELETE FROM paper_aliases WHERE alias_key = 'pmid:104'",
    ];
    for sql in moves {
        assert_eq!(store.conn().execute(sql, []).unwrap(), 1, "{sql}");
        assert_eq!(stored(&store), recounted(&store), "after {sql}");
    }
}
