//! The entry counters (issue 20, part A) against a fresh recount: after any sequence of the
//! changes the cache knows (refreshes that add entries or move them to another month, read,
//! unread, star, unstar, removals, folder moves, sync pulls and state applies, bulk reads,
//! backfill pages, and the upgrade's build interrupted by all of these), every counter equals
//! a GROUP BY over the entries, and the readers give the recount's figures.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::tests::{doc, entry, t, update, update_together};
use super::*;
use crate::model::{EntryId, NewEntry};

/// Local feeds in a case (the account's feed is one more).
const FEEDS: usize = 3;
const FOLDERS: [Option<&str>; 3] = [None, Some("Science"), Some("Science/Psych")];

/// A document's items: (guid, month, version).
type Items = Vec<(u8, u8, u8)>;

#[derive(Debug, Clone)]
enum Op {
    /// A refresh of a local feed: (guid, month, version) per item; an item seen before with
    /// another month moves there, with another version is rewritten.
    Refresh(usize, Vec<(u8, u8, u8)>),
    /// Several feeds' documents stored in one transaction, as a refresh batches them.
    RefreshTogether(Vec<(usize, Items)>),
    /// An archive page of a local feed (never overwrites what is stored).
    Backfill(usize, Vec<(u8, u8)>),
    Read(usize, bool),
    Star(usize, bool),
    /// `mark_read` over a scope: 0 a month, 1 a feed, 2 a folder, 3 everything.
    MarkRead(u8, usize),
    Remove(usize),
    Move(usize, usize),
    /// A pull from the account: (item id, month, read, starred).
    Pull(Vec<(u8, u8, bool, bool)>),
    /// The account's unread and starred sets applied: item ids.
    States(Vec<u8>, Vec<u8>),
    /// The account lists its feed, or no longer does (which removes it with its entries).
    Mirror(bool),
    /// An upgraded cache: counters empty and the build due.
    StartBuild,
    /// One batch of the build, `n` feeds.
    BuildBatch(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let items = prop::collection::vec((0u8..10, 0u8..5, 0u8..2), 0..8);
    prop_oneof![
        4 => (0..FEEDS, items.clone()).prop_map(|(f, i)| Op::Refresh(f, i)),
        2 => prop::collection::vec((0..FEEDS, items), 1..4).prop_map(Op::RefreshTogether),
        1 => (0..FEEDS, prop::collection::vec((0u8..14, 0u8..5), 0..6))
            .prop_map(|(f, i)| Op::Backfill(f, i)),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(p, v)| Op::Read(p, v)),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(p, v)| Op::Star(p, v)),
        1 => (0u8..4, any::<usize>()).prop_map(|(s, p)| Op::MarkRead(s, p)),
        1 => (0..FEEDS).prop_map(Op::Remove),
        1 => (0..FEEDS, 0..FOLDERS.len()).prop_map(|(f, d)| Op::Move(f, d)),
        2 => prop::collection::vec((0u8..8, 0u8..5, any::<bool>(), any::<bool>()), 0..6)
            .prop_map(Op::Pull),
        1 => (prop::collection::vec(0u8..8, 0..6), prop::collection::vec(0u8..8, 0..4))
            .prop_map(|(u, s)| Op::States(u, s)),
        1 => any::<bool>().prop_map(Op::Mirror),
        1 => Just(Op::StartBuild),
        2 => (1usize..3).prop_map(Op::BuildBatch),
    ]
}

fn month(m: u8) -> String {
    format!("2024-{:02}-15T00:00:00Z", m + 1)
}

/// One case's cache and the feeds in it by slot (`None`: removed, re-added on its next use).
struct Case {
    store: Store,
    feeds: [Option<FeedId>; FEEDS],
    account: Option<FeedId>,
    pages: usize,
}

impl Case {
    fn new() -> Case {
        let mut case = Case {
            store: Store::open_in_memory().unwrap(),
            feeds: [None; FEEDS],
            account: None,
            pages: 0,
        };
        case.mirror(true);
        case
    }

    fn feed(&mut self, slot: usize) -> FeedId {
        match self.feeds[slot] {
            Some(id) => id,
            None => {
                let url = format!("https://f{slot}.example/feed");
                let id = self.store.add_feed(&url, None).unwrap().0;
                self.feeds[slot] = Some(id);
                id
            }
        }
    }

    fn mirror(&mut self, listed: bool) {
        let feeds: Vec<RemoteFeed> = listed
            .then(|| RemoteFeed {
                remote_id: "feed/1".to_string(),
                url: "https://account.example/feed".to_string(),
                title: "Account feed".to_string(),
                site_url: None,
                folder: Some("Science".to_string()),
            })
            .into_iter()
            .collect();
        let (_, ids) = self.store.mirror_feeds(&feeds).unwrap();
        self.account = ids.get("feed/1").copied();
    }

    /// The entry at `pick` (modulo how many there are), if any.
    fn pick(&self, pick: usize) -> Option<EntryId> {
        let ids: Vec<EntryId> = self
            .store
            .conn()
            .prepare("SELECT id FROM entries ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        (!ids.is_empty()).then(|| ids[pick % ids.len()])
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Refresh(slot, items) => {
                let f = self.feed(*slot);
                let entries: Vec<NewEntry> = items
                    .iter()
                    .map(|(g, m, v)| entry(&format!("g{g}"), &format!("v{v}"), Some(&month(*m))))
                    .collect();
                update(&mut self.store, f, &doc(entries));
            }
            Op::RefreshTogether(docs) => {
                let docs: Vec<_> = docs
                    .iter()
                    .map(|(slot, items)| {
                        let entries = items
                            .iter()
                            .map(|(g, m, v)| {
                                entry(&format!("g{g}"), &format!("v{v}"), Some(&month(*m)))
                            })
                            .collect();
                        (self.feed(*slot), doc(entries))
                    })
                    .collect();
                update_together(&mut self.store, &docs);
            }
            Op::Backfill(slot, items) => {
                let f = self.feed(*slot);
                let entries: Vec<NewEntry> = items
                    .iter()
                    .map(|(g, m)| entry(&format!("g{g}"), "old", Some(&month(*m))))
                    .collect();
                self.pages += 1;
                let url = format!("https://f{slot}.example/feed?paged={}", self.pages);
                self.store
                    .ingest_page(f, &url, &doc(entries), t("2024-06-01T00:00:00Z"))
                    .unwrap();
            }
            Op::Read(pick, read) => {
                if let Some(id) = self.pick(*pick) {
                    self.store.set_read(&[id], *read).unwrap();
                }
            }
            Op::Star(pick, starred) => {
                if let Some(id) = self.pick(*pick) {
                    self.store.set_starred(&[id], *starred).unwrap();
                }
            }
            Op::MarkRead(scope, pick) => self.mark_read(*scope, *pick),
            Op::Remove(slot) => {
                if let Some(id) = self.feeds[*slot].take() {
                    self.store.remove_feed(id).unwrap();
                }
            }
            Op::Move(slot, folder) => {
                let f = self.feed(*slot);
                self.store.set_folder(f, FOLDERS[*folder]).unwrap();
            }
            Op::Pull(items) => self.pull(items),
            Op::States(unread, starred) => {
                let ids = |v: &[u8]| v.iter().map(|i| i64::from(*i) + 1).collect::<Vec<_>>();
                self.store
                    .apply_remote_states(&ids(unread), &ids(starred))
                    .unwrap();
            }
            Op::Mirror(listed) => self.mirror(*listed),
            Op::StartBuild => {
                if self.store.fill_due(Fill::EntryCounts).unwrap().is_none() {
                    self.store
                        .conn()
                        .execute_batch(
                            "DELETE FROM entry_counts; DELETE FROM feed_counts; \
                             DELETE FROM month_counts; INSERT INTO counts_build VALUES (0);",
                        )
                        .unwrap();
                }
            }
            Op::BuildBatch(n) => {
                self.store.fill_batch(Fill::EntryCounts, *n).unwrap();
            }
        }
    }

    fn mark_read(&mut self, scope: u8, pick: usize) {
        let Some(id) = self.pick(pick) else {
            return;
        };
        let (feed, month, folder): (FeedId, String, Option<String>) = self
            .store
            .conn()
            .query_row(
                "SELECT e.feed_id, e.month, f.folder FROM entries e JOIN feeds f \
                 ON f.id = e.feed_id WHERE e.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let q = match scope {
            0 => ListQuery {
                month: Some(month),
                ..Default::default()
            },
            1 => ListQuery {
                feed: Some(feed),
                ..Default::default()
            },
            2 => ListQuery {
                folder: Some(folder.unwrap_or_else(|| "Science".to_string())),
                ..Default::default()
            },
            _ => ListQuery::default(),
        };
        self.store.mark_read(&q).unwrap();
    }

    fn pull(&mut self, items: &[(u8, u8, bool, bool)]) {
        let Some(feed) = self.account else {
            return;
        };
        let entries = items
            .iter()
            .map(|(id, m, read, starred)| {
                let mut e = entry(&format!("a{id}"), &format!("item {id}"), Some(&month(*m)));
                e.guid = e.link.clone().unwrap_or_default();
                RemoteEntry {
                    remote_id: i64::from(*id) + 1,
                    entry: e,
                    read: *read,
                    starred: *starred,
                }
            })
            .collect();
        self.store
            .store_remote_entries(vec![(feed, entries)], t("2024-06-01T00:00:00Z"))
            .unwrap();
    }
}

type Counts = BTreeMap<String, (i64, i64, i64)>;

fn rows(store: &Store, sql: &str) -> Counts {
    store
        .conn()
        .prepare(sql)
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get(1)?,
                    r.get::<_, f64>(2)? as i64,
                    r.get::<_, f64>(3)? as i64,
                ),
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Each counter table as kept, and as recounted from the entries; rows all zero are no row.
fn counters_and_recounts(store: &Store) -> [(Counts, Counts); 3] {
    let kept = |table: &str, key: &str| {
        rows(
            store,
            &format!(
                "SELECT {key}, entries, unread, starred FROM {table} \
                 WHERE entries <> 0 OR unread <> 0 OR starred <> 0"
            ),
        )
    };
    let recount = |key: &str, group: &str| {
        rows(
            store,
            &format!(
                "SELECT {key}, COUNT(*), TOTAL(read = 0), TOTAL(starred = 1) FROM entries \
                 GROUP BY {group}"
            ),
        )
    };
    [
        (
            kept("entry_counts", "feed_id || ' ' || month"),
            recount("feed_id || ' ' || month", "feed_id, month"),
        ),
        (
            kept("feed_counts", "CAST(feed_id AS TEXT)"),
            recount("CAST(feed_id AS TEXT)", "feed_id"),
        ),
        (kept("month_counts", "month"), recount("month", "month")),
    ]
}

/// Every month's (month, entries, unread) as `months(None)` gives them.
fn month_rows(store: &Store) -> Vec<(String, i64, i64)> {
    store
        .months(None)
        .unwrap()
        .into_iter()
        .map(|m| (m.month, m.count, m.unread))
        .collect()
}

/// The readers' figures against the recount: months (all, each feed), feeds, folders, a
/// folder's months, and counts.
fn check_readers(store: &Store) {
    let recount = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    let months = month_rows(store);
    let expected: Vec<(String, i64, i64)> = store
        .conn()
        .prepare(
            "SELECT month, COUNT(*), SUM(read = 0) FROM entries GROUP BY month \
             ORDER BY month DESC",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(months, expected, "months(None)");
    for f in store.feeds().unwrap() {
        let n = recount(&format!(
            "SELECT COUNT(*) FROM entries WHERE feed_id = {}",
            f.id
        ));
        let unread = recount(&format!(
            "SELECT COUNT(*) FROM entries WHERE feed_id = {} AND read = 0",
            f.id
        ));
        assert_eq!((f.entries, f.unread), (n, unread), "feed {}", f.id);
        let feed_months: i64 = store
            .months(Some(f.id))
            .unwrap()
            .iter()
            .map(|m| m.count)
            .sum();
        assert_eq!(feed_months, n, "months of feed {}", f.id);
        let starred = recount(&format!(
            "SELECT COUNT(*) FROM entries WHERE feed_id = {} AND starred = 1",
            f.id
        ));
        assert_eq!(store.starred_in_feed(f.id).unwrap(), starred);
    }
    for folder in store.folders().unwrap() {
        let q = ListQuery {
            folder: Some(folder.name.clone()),
            ..Default::default()
        };
        let months = store.folder_month_counts(&folder.name).unwrap();
        let sum: i64 = months.iter().map(|m| m.count).sum();
        assert_eq!(sum, folder.entries, "folder {}", folder.name);
        assert_eq!(store.count(&q).unwrap(), folder.entries);
        let unread = ListQuery {
            unread_only: true,
            ..q
        };
        assert_eq!(store.count(&unread).unwrap(), folder.unread);
    }
    let starred = ListQuery {
        starred_only: true,
        ..Default::default()
    };
    assert_eq!(
        store.count(&starred).unwrap(),
        recount("SELECT COUNT(*) FROM entries WHERE starred = 1")
    );
    assert_eq!(
        store.count(&ListQuery::default()).unwrap(),
        recount("SELECT COUNT(*) FROM entries")
    );
}

fn assert_exact(store: &Store, after: &str) {
    let orphans: i64 = store
        .conn()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM entry_counts WHERE feed_id NOT IN (SELECT id FROM feeds)) \
             + (SELECT COUNT(*) FROM feed_counts WHERE feed_id NOT IN (SELECT id FROM feeds))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        orphans, 0,
        "a removed feed's counters go with it, after {after}"
    );
    for (kept, recount) in counters_and_recounts(store) {
        assert_eq!(kept, recount, "after {after}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn counters_equal_a_recount_after_any_sequence(ops in prop::collection::vec(op(), 1..30)) {
        let mut case = Case::new();
        for (i, op) in ops.iter().enumerate() {
            case.apply(op);
            // While a build is due the counters are not yet whole: checked once it ends.
            if case.store.fill_due(Fill::EntryCounts).unwrap().is_none() {
                assert_exact(&case.store, &format!("step {i}: {op:?}"));
            }
        }
        while !case.store.fill_batch(Fill::EntryCounts, 1).unwrap().1 {}
        assert_exact(&case.store, "the build's end");
        check_readers(&case.store);
    }
}

/// A schema-8 cache (before the counters) with entries in two feeds and three months, read and
/// starred mixed, gains exact counters as it opens (small: at once).
#[test]
fn a_schema_8_cache_gains_exact_counters_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.sqlite");
    {
        let conn = super::connection_at_version(&path, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO feeds (id, url, title, added_at, folder) VALUES
                (1, 'https://a.example/feed', 'A', 0, 'Science'),
                (2, 'https://b.example/feed', 'B', 0, NULL),
                (3, 'https://c.example/feed', 'Empty', 0, 'Science/Psych');
             WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 40)
             INSERT INTO entries (feed_id, guid, title, first_seen, month, sort_time, read, starred)
             SELECT 1 + i % 2, 'g' || i, 'T', 0, printf('2024-%02d', 1 + i % 3),
                    1704100000 + i, i % 4 = 0, i % 5 = 0 FROM k;",
        )
        .unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE '%counts%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "schema 8 has no counters");
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.fill_due(Fill::EntryCounts).unwrap(),
        None,
        "built as it opened"
    );
    assert_exact(&store, "the upgrade");
    check_readers(&store);
    let months = month_rows(&store);
    assert_eq!(
        months,
        [
            ("2024-03".to_string(), 13, 10),
            ("2024-02".to_string(), 14, 10),
            ("2024-01".to_string(), 13, 10),
        ]
    );
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// A build left half done resumes at its next feed, and what changed meanwhile in feeds not
/// yet counted (or counted already) is right at its end.
#[test]
fn an_interrupted_build_resumes_and_counts_changes_made_meanwhile() {
    let mut case = Case::new();
    for slot in 0..FEEDS {
        let items = (0..6).map(|g| (g, g % 3, 0)).collect();
        case.apply(&Op::Refresh(slot, items));
    }
    case.apply(&Op::StartBuild);
    let due = case.store.fill_due(Fill::EntryCounts).unwrap().unwrap();
    assert_eq!((due.done, due.total), (0, 18));
    assert_eq!(
        case.store.fill_batch(Fill::EntryCounts, 6).unwrap(),
        (6, false)
    );
    let due = case.store.fill_due(Fill::EntryCounts).unwrap().unwrap();
    assert_eq!((due.done, due.total), (6, 18));
    // Meanwhile: a read in a feed counted, a star and a new entry in feeds not yet counted.
    case.apply(&Op::Read(0, true));
    case.apply(&Op::Star(17, true));
    case.apply(&Op::Refresh(2, vec![(9, 4, 0)]));
    while !case.store.fill_batch(Fill::EntryCounts, 6).unwrap().1 {}
    assert_eq!(case.store.fill_due(Fill::EntryCounts).unwrap(), None);
    assert_exact(&case.store, "the resumed build");
    check_readers(&case.store);
}
