//! The store's side of sync: mirroring, pulling, the queue, and one entry per post.

use super::tests::{doc, entry, t, update};
use super::*;
use crate::model::{EntryId, NewEntry};

fn remote_feed(id: &str, url: &str, folder: Option<&str>) -> RemoteFeed {
    RemoteFeed {
        remote_id: id.to_string(),
        url: url.to_string(),
        title: format!("Title of {id}"),
        site_url: None,
        folder: folder.map(str::to_string),
    }
}

fn remote(id: i64, guid_link: &str, read: bool, starred: bool) -> RemoteEntry {
    let mut e = entry(
        guid_link,
        &format!("{guid_link} post"),
        Some("2024-05-01T00:00:00Z"),
    );
    // Account entries are keyed by their link.
    e.guid = e.link.clone().unwrap();
    RemoteEntry {
        remote_id: id,
        entry: e,
        read,
        starred,
    }
}

fn flags(store: &Store, remote_id: i64) -> (bool, bool) {
    store
        .conn()
        .query_row(
            "SELECT read, starred FROM entries WHERE remote_id = ?1",
            [remote_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn count(store: &Store, feed: FeedId) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM entries WHERE feed_id = ?1",
            [feed],
            |r| r.get(0),
        )
        .unwrap()
}

fn entry_id(store: &Store, remote_id: i64) -> EntryId {
    store
        .conn()
        .query_row(
            "SELECT id FROM entries WHERE remote_id = ?1",
            [remote_id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A cache whose one account feed (`feed/1` at `url`) holds `entries` as pulled.
fn account_with(url: &str, entries: Vec<RemoteEntry>) -> (Store, FeedId) {
    let mut s = Store::open_in_memory().unwrap();
    let (_, ids) = s.mirror_feeds(&[remote_feed("feed/1", url, None)]).unwrap();
    let feed = ids["feed/1"];
    s.store_remote_entries(vec![(feed, entries)], now())
        .unwrap();
    (s, feed)
}

fn now() -> DateTime<Utc> {
    t("2026-11-30T00:00:00Z")
}

#[test]
fn mirroring_adds_joins_changes_and_removes_only_account_feeds() {
    let mut s = Store::open_in_memory().unwrap();
    let local = s.add_feed("https://local.example/feed", None).unwrap().0;
    let shared = s.add_feed("https://shared.example/feed", None).unwrap().0;
    let (r, ids) = s
        .mirror_feeds(&[
            remote_feed("feed/1", "https://shared.example/feed", Some("Lab")),
            remote_feed("feed/2", "https://new.example/feed", None),
        ])
        .unwrap();
    assert_eq!((r.added, r.joined, r.changed, r.removed), (1, 1, 0, 0));
    assert_eq!(
        ids["feed/1"], shared,
        "the local feed with the URL joined the account"
    );
    let f = s.feed(shared).unwrap().unwrap();
    assert_eq!(f.remote_id.as_deref(), Some("feed/1"));
    assert_eq!(f.folder.as_deref(), Some("Lab"));
    assert_eq!(f.title, "Title of feed/1");

    // The server moved feed/1 and dropped feed/2.
    let (r, _) = s
        .mirror_feeds(&[remote_feed(
            "feed/1",
            "https://shared.example/feed",
            Some("Other"),
        )])
        .unwrap();
    assert_eq!((r.added, r.joined, r.changed, r.removed), (0, 0, 1, 1));
    assert_eq!(
        s.feed(shared).unwrap().unwrap().folder.as_deref(),
        Some("Other")
    );
    let urls: Vec<String> = s.feeds().unwrap().into_iter().map(|f| f.url).collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(s.feed(local).unwrap().is_some(), "a local feed stays");
}

#[test]
fn a_pulled_entry_is_stored_once_and_follows_the_account_unless_changed_here() {
    let (mut s, feed) = account_with(
        "https://a.example/feed",
        vec![remote(10, "a", false, false), remote(11, "b", true, true)],
    );
    let now = now();
    assert_eq!(count(&s, feed), 2);
    assert_eq!(flags(&s, 10), (false, false));
    assert_eq!(flags(&s, 11), (true, true));
    // Pulled again (the safety margin): still two entries.
    let again = s
        .store_remote_entries(vec![(feed, vec![remote(10, "a", false, false)])], now)
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(count(&s, feed), 2);

    // Read here: queued, and the server's "unread" does not undo it until pushed.
    let a = entry_id(&s, 10);
    s.set_read(&[a], true).unwrap();
    let queued = s.queued_changes().unwrap();
    assert_eq!(
        queued,
        vec![QueuedChange {
            entry_id: a,
            remote_id: 10,
            state: SyncedState::Read,
            value: true
        }]
    );
    s.apply_remote_states(&[10], &[11]).unwrap();
    assert_eq!(flags(&s, 10), (true, false), "the queued change wins");
    s.store_remote_entries(vec![(feed, vec![remote(10, "a", false, false)])], now)
        .unwrap();
    assert_eq!(
        flags(&s, 10),
        (true, false),
        "a re-pull does not undo it either"
    );

    // Pushed: the queue empties and the server wins again.
    s.unqueue(&queued).unwrap();
    assert!(s.queued_changes().unwrap().is_empty());
    let (read, starred) = s.apply_remote_states(&[10], &[]).unwrap();
    assert_eq!((read, starred), (1, 1));
    assert_eq!(flags(&s, 10), (false, false));
    assert_eq!(
        flags(&s, 11),
        (true, false),
        "11 is not starred on the server any more"
    );
}

#[test]
fn a_change_made_again_while_pushing_stays_queued() {
    let (mut s, _) = account_with(
        "https://a.example/feed",
        vec![remote(10, "a", false, false)],
    );
    let a = entry_id(&s, 10);
    s.set_starred(&[a], true).unwrap();
    let pushed = s.queued_changes().unwrap();
    s.set_starred(&[a], false).unwrap();
    s.unqueue(&pushed).unwrap();
    let left = s.queued_changes().unwrap();
    assert_eq!(left.len(), 1);
    assert!(!left[0].value);
}

#[test]
fn local_entries_are_never_queued() {
    let mut s = Store::open_in_memory().unwrap();
    let feed = s.add_feed("https://local.example/feed", None).unwrap().0;
    update(
        &mut s,
        feed,
        &doc(vec![entry("x", "x post", Some("2024-01-01T00:00:00Z"))]),
    );
    let id: EntryId = s
        .conn()
        .query_row("SELECT id FROM entries", [], |r| r.get(0))
        .unwrap();
    s.set_read(&[id], true).unwrap();
    s.set_starred(&[id], true).unwrap();
    s.mark_read(&ListQuery {
        feed: Some(feed),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(s.queued_count().unwrap(), 0);
}

#[test]
fn a_whole_account_feed_marked_read_is_one_mark_after_a_pull() {
    let two = || vec![remote(10, "a", false, false), remote(11, "b", false, false)];
    let (mut s, feed) = account_with("https://a.example/feed", two());
    // Before any pull time is known, the entries are queued one by one.
    s.mark_read(&ListQuery {
        feed: Some(feed),
        month: Some("2024-05".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(s.queued_changes().unwrap().len(), 2);
    assert!(s.queued_marks().unwrap().is_empty());

    let (mut s2, feed) = account_with("https://a.example/feed", two());
    s2.set_sync_value(PULLED_USEC, "1796025001458774").unwrap();
    let n = s2
        .mark_read(&ListQuery {
            feed: Some(feed),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(n, 2);
    assert!(s2.queued_changes().unwrap().is_empty());
    let marks = s2.queued_marks().unwrap();
    assert_eq!(
        marks,
        vec![QueuedMark {
            feed_id: feed,
            stream: "feed/1".into(),
            up_to_usec: 1796025001458774
        }]
    );
    // Until the mark is pushed, the server's unread set does not undo it.
    s2.apply_remote_states(&[10, 11], &[]).unwrap();
    assert_eq!(flags(&s2, 10), (true, false));
    s2.unmark(&marks[0]).unwrap();
    assert!(s2.queued_marks().unwrap().is_empty());
}

#[test]
fn a_post_backfilled_from_the_blog_and_pulled_from_the_account_is_one_entry() {
    let (mut s, feed) = account_with(
        "https://blog.example/feed",
        vec![remote(10, "old", true, true)],
    );
    let now = now();
    // The blog's own archive page has the post under its own guid, with the same link.
    let mut page_entry = entry("old", "old post", Some("2024-05-01T00:00:00Z"));
    page_entry.guid = "https://blog.example/?p=123".into();
    let other = entry("older", "older post", Some("2024-04-01T00:00:00Z"));
    let new = s
        .ingest_page(
            feed,
            "https://blog.example/feed?paged=2",
            &doc(vec![page_entry, other]),
            now,
        )
        .unwrap();
    assert_eq!(new, 1, "only the post the account did not have is new");
    assert_eq!(count(&s, feed), 2);
    assert_eq!(
        flags(&s, 10),
        (true, true),
        "the account entry keeps its states"
    );

    // And the other way: a post the cache had from the feed itself becomes the account's.
    let local = s.add_feed("https://local.example/feed", None).unwrap().0;
    let mut own = entry("p", "p post", Some("2024-05-01T00:00:00Z"));
    own.link = Some("https://local.example/p".into());
    own.guid = "urn:uuid:1".into();
    update(&mut s, local, &doc(vec![own]));
    let (_, ids) = s
        .mirror_feeds(&[
            remote_feed("feed/1", "https://blog.example/feed", None),
            remote_feed("feed/2", "https://local.example/feed", None),
        ])
        .unwrap();
    assert_eq!(ids["feed/2"], local);
    let mut pulled = remote(20, "p", false, true);
    pulled.entry.link = Some("https://local.example/p".into());
    pulled.entry.guid = "https://local.example/p".into();
    let new = s
        .store_remote_entries(vec![(local, vec![pulled])], now)
        .unwrap();
    assert_eq!(new, 0);
    assert_eq!(count(&s, local), 1);
    assert_eq!(flags(&s, 20), (false, true));
}

/// A journal's table of contents: items `a`, `b`, `c` share one link, `d` and `e` have none.
fn toc_items() -> Vec<RemoteEntry> {
    ["a", "b", "c", "d", "e"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut r = remote(100 + i as i64, name, false, false);
            r.entry.link = (i < 3).then(|| "https://journal.example/toc".to_string());
            r.entry.guid = r.entry.link.clone().unwrap_or_default();
            r
        })
        .collect()
}

/// The journal's own items (own guids, one shared link) as its feed document has them.
fn journal_posts(names: &[&str]) -> Vec<NewEntry> {
    names
        .iter()
        .map(|name| {
            let mut e = entry(name, &format!("{name} post"), Some("2024-05-01T00:00:00Z"));
            e.guid = format!("urn:journal:{name}");
            e.link = Some("https://journal.example/toc".into());
            e
        })
        .collect()
}

fn remote_ids(store: &Store, feed: FeedId) -> Vec<i64> {
    let mut stmt = store
        .conn()
        .prepare("SELECT remote_id FROM entries WHERE feed_id = ?1 ORDER BY remote_id")
        .unwrap();
    stmt.query_map([feed], |r| r.get::<_, Option<i64>>(0))
        .unwrap()
        .map(|r| r.unwrap().unwrap_or(-1))
        .collect()
}

#[test]
fn account_items_sharing_a_link_stay_one_entry_each_across_pages_and_pulls() {
    let items = toc_items();
    // Pulled one item per page, as a small page size would.
    let mut s = Store::open_in_memory().unwrap();
    let (_, ids) = s
        .mirror_feeds(&[remote_feed("feed/1", "https://journal.example/feed", None)])
        .unwrap();
    let feed = ids["feed/1"];
    let mut new = 0;
    for item in items.clone() {
        new += s
            .store_remote_entries(vec![(feed, vec![item])], now())
            .unwrap();
    }
    assert_eq!(new, 5);
    assert_eq!(remote_ids(&s, feed), vec![100, 101, 102, 103, 104]);
    // Pulled again in one page: nothing new, nothing merged.
    let again = s.store_remote_entries(vec![(feed, items)], now()).unwrap();
    assert_eq!(again, 0);
    assert_eq!(remote_ids(&s, feed), vec![100, 101, 102, 103, 104]);

    // The journal's own feed, backfilled: its items (own guids, the shared link) are the
    // account's entries by link and title, not one entry taking all three.
    let page = journal_posts(&["a", "b", "c"]);
    let new = s
        .ingest_page(
            feed,
            "https://journal.example/feed?page=2",
            &doc(page),
            now(),
        )
        .unwrap();
    assert_eq!(new, 0);
    assert_eq!(remote_ids(&s, feed), vec![100, 101, 102, 103, 104]);
}

#[test]
fn a_local_feed_joining_the_account_lends_each_post_its_row_only_once() {
    let mut s = Store::open_in_memory().unwrap();
    let feed = s.add_feed("https://journal.example/feed", None).unwrap().0;
    let own = journal_posts(&["a", "b"]);
    update(&mut s, feed, &doc(own));
    let b_row: EntryId = s
        .conn()
        .query_row(
            "SELECT id FROM entries WHERE guid = 'urn:journal:b'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    s.set_starred(&[b_row], true).unwrap();
    s.mirror_feeds(&[remote_feed("feed/1", "https://journal.example/feed", None)])
        .unwrap();
    // The account has a, b and c (all three with the shared link), c first.
    let mut items = toc_items();
    items.truncate(3);
    items.reverse();
    let new = s.store_remote_entries(vec![(feed, items)], now()).unwrap();
    assert_eq!(new, 1, "only c is new");
    assert_eq!(remote_ids(&s, feed), vec![100, 101, 102]);
    assert_eq!(entry_id(&s, 101), b_row, "b's row became b, not c's");
}

#[test]
fn a_feed_marked_read_after_an_unread_leaves_it_read_and_a_later_unread_wins() {
    let two = || vec![remote(10, "a", false, false), remote(11, "b", false, false)];
    let (mut s, feed) = account_with("https://a.example/feed", two());
    s.set_sync_value(PULLED_USEC, "1796025001458774").unwrap();
    let a = entry_id(&s, 10);
    let whole = ListQuery {
        feed: Some(feed),
        ..Default::default()
    };
    // unread a, then the whole feed read: a is read, here and in what will be pushed.
    s.set_read(&[a], true).unwrap();
    s.unqueue(&s.queued_changes().unwrap()).unwrap();
    s.set_read(&[a], false).unwrap();
    s.mark_read(&whole).unwrap();
    assert_eq!(s.queued_marks().unwrap().len(), 1);
    let queued = s.queued_changes().unwrap();
    assert!(
        queued
            .iter()
            .all(|c| c.state != SyncedState::Read || c.value),
        "the unread made before the mark would undo it: {queued:?}"
    );
    // unread a after the mark: that is the last word, pushed after the mark.
    s.set_read(&[a], false).unwrap();
    let queued = s.queued_changes().unwrap();
    assert_eq!(queued.len(), 1);
    assert!(!queued[0].value);
}
