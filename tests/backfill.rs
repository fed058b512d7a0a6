//! Archive backfill (issue 5) through the library API, against feeds served on 127.0.0.1.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use common::{Reply, Request, Server};
use paperboy::config::Config;
use paperboy::feeds::backfill::{BackfillEvent, BackfillReport, Strategy};
use paperboy::paths::Paths;
use paperboy::Library;

const RSS: &str = "application/rss+xml";
const ATOM: &str = "application/atom+xml";
const JSON: &str = "application/feed+json";
const WORDPRESS: &str = "https://wordpress.org/?v=6.4.2";

#[derive(Clone)]
struct Post {
    guid: String,
    date: DateTime<Utc>,
}

/// `n` posts, newest first, five days apart, ending in June 2015: about eight months of history.
fn posts(n: usize) -> Vec<Post> {
    let newest = Utc.with_ymd_and_hms(2015, 6, 28, 12, 0, 0).unwrap();
    (0..n)
        .map(|i| Post {
            guid: format!("post-{i}"),
            date: newest - chrono::Duration::days(5 * i as i64),
        })
        .collect()
}

/// Posts per month (`YYYY-MM`) as the blog's own monthly archive page would count them.
fn per_month(posts: &[Post]) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for p in posts {
        *m.entry(p.date.format("%Y-%m").to_string()).or_insert(0) += 1;
    }
    m
}

fn rss_doc(generator: Option<&str>, posts: &[Post]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>A Research Blog</title><link>http://127.0.0.1/site</link><description>d</description>\n",
    );
    if let Some(g) = generator {
        s.push_str(&format!("<generator>{g}</generator>\n"));
    }
    for p in posts {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{g}</guid><title>Post {g}</title><link>http://127.0.0.1/{g}</link><pubDate>{d}</pubDate><description>body</description></item>\n",
            g = p.guid,
            d = p.date.to_rfc2822()
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

fn atom_doc(head: &str, posts: &[Post]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:fh=\"http://purl.org/syndication/history/1.0\"><title>An Atom Blog</title><id>urn:blog</id><updated>2015-06-28T12:00:00Z</updated>{head}\n"
    );
    for p in posts {
        s.push_str(&format!(
            "<entry><id>{g}</id><title>Post {g}</title><link href=\"http://127.0.0.1/{g}\"/><published>{d}</published><updated>{d}</updated><content type=\"html\">body</content></entry>\n",
            g = p.guid,
            d = p.date.to_rfc3339()
        ));
    }
    s.push_str("</feed>\n");
    s
}

fn json_doc(next: Option<&str>, posts: &[Post]) -> String {
    let items: Vec<serde_json::Value> = posts
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.guid,
                "title": format!("Post {}", p.guid),
                "url": format!("http://127.0.0.1/{}", p.guid),
                "content_html": "body",
                "date_published": p.date.to_rfc3339(),
            })
        })
        .collect();
    let mut doc = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "A JSON Blog",
        "items": items,
    });
    if let Some(n) = next {
        doc["next_url"] = serde_json::Value::String(n.to_string());
    }
    doc.to_string()
}

/// The WordPress page number a request asks for: 1 for `/feed/`, N for `/feed/?paged=N`.
fn wp_page(req: &Request) -> Option<usize> {
    match req.path.as_str() {
        "/feed/" => Some(1),
        p => p.strip_prefix("/feed/?paged=")?.parse().ok(),
    }
}

/// A WordPress-style feed: `per_page` posts a page, 404 past the last page.
fn wordpress(all: Vec<Post>, per_page: usize, generator: Option<&'static str>) -> Server {
    Server::start(move |req| {
        let Some(n) = wp_page(req) else {
            return Reply::status(404);
        };
        let start = (n - 1) * per_page;
        if start >= all.len() {
            return Reply::status(404);
        }
        let end = (start + per_page).min(all.len());
        Reply::ok(RSS, rss_doc(generator, &all[start..end]))
    })
}

fn open(dir: &Path) -> Library {
    open_with_delay(dir, 0)
}

fn open_with_delay(dir: &Path, delay_ms: u64) -> Library {
    let paths = Paths::resolve(Some(dir), None).unwrap();
    let mut config = Config::default();
    config.archive.page_delay_ms = delay_ms;
    Library::open(paths, config).unwrap()
}

fn backfill(lib: &mut Library, max_pages: Option<usize>) -> (BackfillReport, Vec<BackfillEvent>) {
    let mut events = Vec::new();
    let mut reports = lib
        .backfill(&[], max_pages, &mut |e| events.push(e.clone()))
        .unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    (reports.remove(0), events)
}

fn month_counts(lib: &Library, feed: i64) -> BTreeMap<String, i64> {
    lib.months(Some(feed))
        .unwrap()
        .into_iter()
        .map(|m| (m.month, m.count))
        .collect()
}

fn hits(server: &Server, path: &str) -> usize {
    server.requests_to(path).len()
}

#[test]
fn wordpress_history_of_45_posts_in_pages_of_10() {
    let all = posts(45);
    let server = wordpress(all.clone(), 10, Some(WORDPRESS));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 10);

    let (report, events) = backfill(&mut lib, None);
    assert_eq!(report.error, None);
    assert_eq!(report.strategy, Some(Strategy::WordPress));
    assert_eq!(report.added, 35, "{report:?}");
    // The current document, ?paged=2..5, and the 404 past the end.
    assert_eq!(report.pages, 6, "{report:?}");
    assert!(report.complete);
    assert_eq!(report.reason, None);
    let expected = per_month(&all);
    assert_eq!(month_counts(&lib, feed), expected);
    assert_eq!(
        report.oldest_month.as_deref(),
        expected.keys().next().map(String::as_str)
    );
    assert!(lib.history_complete(feed).unwrap());
    for n in 2..=6 {
        assert_eq!(hits(&server, &format!("/feed/?paged={n}")), 1, "page {n}");
    }
    assert_eq!(hits(&server, "/feed/?paged=7"), 0);

    // Progress: started, one event per stored page (numbered from 1), done.
    assert_eq!(
        events.first(),
        Some(&BackfillEvent::Started {
            feed_id: feed,
            total_feeds: 1
        })
    );
    let pages: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|e| match e {
            BackfillEvent::Page { page, added, .. } => Some((*page, *added)),
            _ => None,
        })
        .collect();
    assert_eq!(pages, vec![(1, 0), (2, 10), (3, 10), (4, 10), (5, 5)]);
    assert_eq!(
        events.last(),
        Some(&BackfillEvent::FeedDone(report.clone()))
    );
}

#[test]
fn a_second_backfill_adds_nothing_and_stops_at_the_cached_pages() {
    let all = posts(45);
    let server = wordpress(all.clone(), 10, Some(WORDPRESS));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;
    backfill(&mut lib, None);

    let (again, _) = backfill(&mut lib, None);
    assert_eq!(again.added, 0, "{again:?}");
    assert!(again.complete);
    assert_eq!(again.error, None);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 45);
    assert_eq!(month_counts(&lib, feed), per_month(&all));
    // A complete history is only topped up: page 2 is all cached, so the walk ends there.
    assert_eq!(hits(&server, "/feed/?paged=2"), 2);
    assert_eq!(hits(&server, "/feed/?paged=3"), 1);
    assert_eq!(again.pages, 2);
}

#[test]
fn a_complete_history_is_topped_up_when_new_posts_pushed_old_ones_back() {
    // 45 posts, then 15 more are published: the refresh window (10) misses 5 of them.
    let all = posts(60);
    let newest_first = Arc::new(AtomicBool::new(false));
    let flag = newest_first.clone();
    let server = Server::start(move |req| {
        let live: &[Post] = if flag.load(Ordering::SeqCst) {
            &all
        } else {
            &all[15..]
        };
        let Some(n) = wp_page(req) else {
            return Reply::status(404);
        };
        let start = (n - 1) * 10;
        if start >= live.len() {
            return Reply::status(404);
        }
        Reply::ok(
            RSS,
            rss_doc(Some(WORDPRESS), &live[start..(start + 10).min(live.len())]),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;
    assert!(backfill(&mut lib, None).0.complete);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 45);

    newest_first.store(true, Ordering::SeqCst);
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.added, 15, "{report:?}");
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 60);
    // Page 1 and 2 hold new posts; page 3 is all cached: stop there, not at the 404.
    assert_eq!(report.pages, 3, "{report:?}");
    assert!(report.complete);
}

#[test]
fn rfc5005_chain_of_three_documents() {
    let all = posts(9);
    let docs = all.clone();
    let server = Server::start(move |req| match req.path.as_str() {
        "/current.xml" => Reply::ok(
            ATOM,
            atom_doc(
                r#"<link rel="prev-archive" href="/archive/2.xml"/>"#,
                &docs[0..3],
            ),
        ),
        "/archive/2.xml" => Reply::ok(
            ATOM,
            atom_doc(
                r#"<fh:archive/><link rel="prev-archive" href="/archive/1.xml"/><link rel="current" href="/current.xml"/>"#,
                &docs[3..6],
            ),
        ),
        "/archive/1.xml" => Reply::ok(ATOM, atom_doc("<fh:archive/>", &docs[6..9])),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/current.xml")).unwrap().feed_id;

    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.error, None);
    assert_eq!(report.strategy, Some(Strategy::Rfc5005));
    assert_eq!(report.pages, 3);
    assert_eq!(report.added, 6);
    assert!(report.complete);
    assert_eq!(month_counts(&lib, feed), per_month(&all));

    // Archive documents never change: a second run stops at the first one already stored.
    let (again, _) = backfill(&mut lib, None);
    assert_eq!(again.added, 0);
    assert!(again.complete);
    assert_eq!(hits(&server, "/current.xml"), 3);
    assert_eq!(hits(&server, "/archive/2.xml"), 1);
    assert_eq!(hits(&server, "/archive/1.xml"), 1);
}

#[test]
fn fh_complete_needs_nothing_more() {
    let all = posts(4);
    let server = Server::start(move |_| Reply::ok(ATOM, atom_doc("<fh:complete/>", &all)));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/all.xml")).unwrap().feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.strategy, Some(Strategy::Rfc5005));
    assert_eq!(report.pages, 1);
    assert!(report.complete);
    assert!(lib.history_complete(feed).unwrap());
    assert_eq!(
        server.requests.lock().unwrap().len(),
        2,
        "add + the one backfill fetch"
    );
}

#[test]
fn blogger_start_index_paging() {
    let all = posts(60);
    let docs = all.clone();
    let generator = r#"<generator version="7.00" uri="http://www.blogger.com">Blogger</generator>"#;
    let server = Server::start(move |req| {
        let Some(rest) = req.path.strip_prefix("/feeds/posts/default") else {
            return Reply::status(404);
        };
        let param = |name: &str| {
            rest.trim_start_matches('?').split('&').find_map(|kv| {
                kv.strip_prefix(name)?
                    .strip_prefix('=')?
                    .parse::<usize>()
                    .ok()
            })
        };
        let start = param("start-index").unwrap_or(1);
        let max = param("max-results").unwrap_or(25);
        let from = (start - 1).min(docs.len());
        let to = (from + max).min(docs.len());
        // Blogger answers past the end with an empty feed, not a 404.
        Reply::ok(ATOM, atom_doc(generator, &docs[from..to]))
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib
        .add(&server.url("/feeds/posts/default"))
        .unwrap()
        .feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.error, None);
    assert_eq!(report.strategy, Some(Strategy::Blogger));
    assert_eq!(report.added, 35);
    assert!(report.complete);
    assert_eq!(report.pages, 4, "{report:?}");
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 60);
    assert_eq!(month_counts(&lib, feed), per_month(&all));
    for start in [26, 51, 76] {
        let path = format!("/feeds/posts/default?start-index={start}&max-results=25");
        assert_eq!(hits(&server, &path), 1, "{path}");
    }
}

#[test]
fn json_feed_next_url() {
    let all = posts(9);
    let docs = all.clone();
    let server = Server::start(move |req| match req.path.as_str() {
        "/feed.json" => Reply::ok(JSON, json_doc(Some("/feed.json?page=2"), &docs[0..3])),
        "/feed.json?page=2" => Reply::ok(JSON, json_doc(Some("/feed.json?page=3"), &docs[3..6])),
        "/feed.json?page=3" => Reply::ok(JSON, json_doc(None, &docs[6..9])),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed.json")).unwrap().feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.error, None);
    assert_eq!(report.strategy, Some(Strategy::JsonFeedNext));
    assert_eq!(report.pages, 3);
    assert_eq!(report.added, 6);
    assert!(report.complete);
    assert_eq!(month_counts(&lib, feed), per_month(&all));
}

#[test]
fn paged_feed_whose_next_links_loop_stops() {
    let all = posts(9);
    let docs = all.clone();
    // 1 → 2 → 3 → 2 → ...: a broken paginator.
    let server = Server::start(move |req| match req.path.as_str() {
        "/p/1" => Reply::ok(
            ATOM,
            atom_doc(r#"<link rel="next" href="/p/2"/>"#, &docs[0..3]),
        ),
        "/p/2" => Reply::ok(
            ATOM,
            atom_doc(r#"<link rel="next" href="/p/3"/>"#, &docs[3..6]),
        ),
        "/p/3" => Reply::ok(
            ATOM,
            atom_doc(r#"<link rel="next" href="/p/2"/>"#, &docs[6..9]),
        ),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/p/1")).unwrap().feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.strategy, Some(Strategy::PagedNext));
    assert_eq!(report.added, 6);
    assert_eq!(report.pages, 3);
    assert!(report.complete);
    let reason = report.reason.unwrap_or_default();
    assert!(reason.contains("already fetched"), "{reason}");
    assert_eq!(hits(&server, "/p/2"), 1);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 9);
}

#[test]
fn a_paged_feed_that_repeats_its_last_page_forever_stops() {
    let all = posts(25);
    let docs = all.clone();
    let server = Server::start(move |req| match wp_page(req) {
        Some(1) => Reply::ok(RSS, rss_doc(Some(WORDPRESS), &docs[0..10])),
        Some(2) => Reply::ok(RSS, rss_doc(Some(WORDPRESS), &docs[10..20])),
        // Every page past the end answers the last page again.
        Some(_) => Reply::ok(RSS, rss_doc(Some(WORDPRESS), &docs[20..25])),
        None => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.error, None);
    assert_eq!(report.added, 15);
    assert!(report.complete);
    let reason = report.reason.unwrap_or_default();
    assert!(reason.contains("page 4 repeats"), "{reason}");
    assert_eq!(hits(&server, "/feed/?paged=4"), 1);
    assert_eq!(hits(&server, "/feed/?paged=5"), 0);
    assert_eq!(month_counts(&lib, feed), per_month(&all));
}

#[test]
fn a_failure_on_page_3_keeps_pages_1_and_2_and_resumes_there() {
    let all = posts(45);
    let docs = all.clone();
    let broken = Arc::new(AtomicBool::new(true));
    let flag = broken.clone();
    // No generator: the strategy is found by probing ?paged=2, then remembered.
    let server = Server::start(move |req| {
        let Some(n) = wp_page(req) else {
            return Reply::status(404);
        };
        if n == 3 && flag.load(Ordering::SeqCst) {
            return Reply::status(500);
        }
        let start = (n - 1) * 10;
        if start >= docs.len() {
            return Reply::status(404);
        }
        Reply::ok(
            RSS,
            rss_doc(None, &docs[start..(start + 10).min(docs.len())]),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;

    let (failed, _) = backfill(&mut lib, None);
    let error = failed.error.clone().unwrap_or_default();
    assert!(error.starts_with("page 3 ("), "{error}");
    assert!(error.contains("/feed/?paged=3"), "{error}");
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(error.contains("run backfill again to resume"), "{error}");
    assert!(!error.contains('\n'));
    assert_eq!(failed.strategy, Some(Strategy::WordPress));
    assert_eq!(failed.added, 10);
    assert!(!failed.complete);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 20);
    assert!(!lib.history_complete(feed).unwrap());

    broken.store(false, Ordering::SeqCst);
    let (resumed, events) = backfill(&mut lib, None);
    assert_eq!(resumed.error, None);
    assert_eq!(resumed.strategy, Some(Strategy::WordPress));
    assert_eq!(resumed.added, 25);
    assert!(resumed.complete);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 45);
    assert_eq!(month_counts(&lib, feed), per_month(&all));
    // Pages 1 and 2 were stored by the first run and not fetched again.
    assert_eq!(hits(&server, "/feed/"), 2, "add + the first backfill");
    assert_eq!(hits(&server, "/feed/?paged=2"), 1);
    assert_eq!(hits(&server, "/feed/?paged=3"), 2);
    let first_page = events.iter().find_map(|e| match e {
        BackfillEvent::Page { page, .. } => Some(*page),
        _ => None,
    });
    assert_eq!(first_page, Some(3), "page numbers go on from the first run");

    // A later run tops up with the remembered strategy, with no generator and no probe.
    let (again, _) = backfill(&mut lib, None);
    assert_eq!(again.strategy, Some(Strategy::WordPress));
    assert_eq!(again.added, 0);
    assert!(again.complete);
}

#[test]
fn max_pages_is_respected_and_the_next_run_goes_on() {
    let all = posts(45);
    let server = wordpress(all.clone(), 10, Some(WORDPRESS));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/feed/")).unwrap().feed_id;

    let (capped, _) = backfill(&mut lib, Some(3));
    assert_eq!(capped.pages, 3);
    assert_eq!(capped.added, 20);
    assert!(!capped.complete);
    assert_eq!(capped.error, None);
    assert!(capped.reason.unwrap_or_default().contains("cap of 3 pages"));
    assert_eq!(hits(&server, "/feed/?paged=4"), 0);

    let (rest, _) = backfill(&mut lib, None);
    assert_eq!(rest.added, 15);
    assert!(rest.complete);
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 45);
    assert_eq!(hits(&server, "/feed/?paged=2"), 1);
    assert_eq!(hits(&server, "/feed/?paged=3"), 1);
}

#[test]
fn a_feed_with_no_way_to_page_back_says_why() {
    let all = posts(5);
    let server = Server::start(move |req| match req.path.as_str() {
        "/rss" => Reply::ok(RSS, rss_doc(None, &all)),
        _ => Reply::status(404),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/rss")).unwrap().feed_id;
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.strategy, None);
    assert_eq!(report.error, None);
    assert!(!report.complete);
    let reason = report.reason.unwrap_or_default();
    assert!(reason.contains("no way to page back"), "{reason}");
    assert!(reason.contains("?paged=2 answered HTTP 404"), "{reason}");
    assert_eq!(lib.feed(feed).unwrap().unwrap().entries, 5);
}

#[test]
fn a_server_that_ignores_paged_is_not_taken_for_wordpress() {
    let all = posts(5);
    let server = Server::start(move |_| Reply::ok(RSS, rss_doc(None, &all)));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    lib.add(&server.url("/rss")).unwrap();
    let (report, _) = backfill(&mut lib, None);
    assert_eq!(report.strategy, None);
    let reason = report.reason.unwrap_or_default();
    assert!(reason.contains("same posts"), "{reason}");
}

#[test]
fn one_broken_feed_does_not_stop_the_others() {
    let all = posts(15);
    let good = wordpress(all, 10, Some(WORDPRESS));
    let bad_up = Arc::new(AtomicBool::new(true));
    let flag = bad_up.clone();
    let bad = Server::start(move |_| {
        if flag.load(Ordering::SeqCst) {
            Reply::ok(RSS, rss_doc(Some(WORDPRESS), &posts(3)))
        } else {
            Reply::status(503)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let bad_id = lib.add(&bad.url("/feed/")).unwrap().feed_id;
    let good_id = lib.add(&good.url("/feed/")).unwrap().feed_id;
    bad_up.store(false, Ordering::SeqCst);

    let reports = lib.backfill(&[], None, &mut |_| {}).unwrap();
    assert_eq!(reports.len(), 2);
    let bad_report = reports.iter().find(|r| r.feed_id == bad_id).unwrap();
    let error = bad_report.error.clone().unwrap_or_default();
    assert!(error.starts_with("page 1 ("), "{error}");
    assert!(error.contains("HTTP 503"), "{error}");
    let good_report = reports.iter().find(|r| r.feed_id == good_id).unwrap();
    assert!(good_report.complete);
    assert_eq!(good_report.added, 5);
    // Only the named feed when feeds are given.
    let only = lib.backfill(&[good_id], None, &mut |_| {}).unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].feed_id, good_id);
}

#[test]
fn pages_of_one_host_are_spaced_by_the_polite_delay() {
    let server = wordpress(posts(25), 10, Some(WORDPRESS));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open_with_delay(dir.path(), 150);
    lib.add(&server.url("/feed/")).unwrap();
    let started = Instant::now();
    let (report, _) = backfill(&mut lib, None);
    // Four requests (page 1, 2, 3 and the 404): three gaps.
    assert_eq!(report.pages, 4);
    // Each request of the backfill came at least the delay after the one before.
    let times: Vec<Instant> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.at)
        .collect();
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let backfill_gaps = &gaps[gaps.len() - 3..];
    assert!(
        backfill_gaps
            .iter()
            .all(|g| *g >= Duration::from_millis(150)),
        "{gaps:?} after {:?}",
        started.elapsed()
    );
}

#[test]
fn the_report_serializes_for_json_output() {
    let server = wordpress(posts(12), 10, Some(WORDPRESS));
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    lib.add(&server.url("/feed/")).unwrap();
    let (report, _) = backfill(&mut lib, None);
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["strategy"], "wordpress");
    assert_eq!(v["added"], 2);
    assert_eq!(v["complete"], true);
    assert!(v["error"].is_null());
}

/// A WordPress-shaped site: `/feed/`, `/category/methods/feed/` (every other post) and
/// `/author/ana/feed/` (every third), each answering `?m=YYYYMM` and `?paged=N` as WordPress
/// does (`per_page` posts a page, 404 past the last page, 200 and empty for a month without
/// posts). Like a real install, `/YYYY/MM/feed/` is the main feed's month, while
/// `/category/methods/YYYY/MM/feed/` answers 200 and empty. `/` is the site's page.
fn wordpress_site(all: Vec<Post>, per_page: usize) -> Server {
    Server::start(move |req| {
        let Ok(url) = url::Url::parse(&format!("http://site{}", req.path)) else {
            return Reply::status(400);
        };
        let mut query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        let segments: Vec<&str> = url.path().split('/').collect();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let filter: fn(usize) -> bool = match url.path() {
            "/" => {
                return Reply::ok(
                    "text/html",
                    "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" \
                     href=\"/feed/\"></head><body>A research blog</body></html>",
                )
            }
            "/feed/" => |_| true,
            "/category/methods/feed/" => |i| i % 2 == 0,
            "/author/ana/feed/" => |i| i % 3 == 0,
            p if p.starts_with("/category/methods/") && p.ends_with("/feed/") => {
                return Reply::ok(RSS, rss_doc(Some(WORDPRESS), &[]))
            }
            // `/2014/12/feed/`: the main feed's month.
            _ => match segments[..] {
                ["", y, m, "feed", ""] if digits(y) && digits(m) => {
                    query.insert("m".into(), format!("{y}{m}"));
                    |_| true
                }
                _ => return Reply::status(404),
            },
        };
        let month = query.get("m").cloned();
        let page: usize = query.get("paged").and_then(|p| p.parse().ok()).unwrap_or(1);
        let chosen: Vec<Post> = all
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                filter(*i)
                    && month
                        .as_ref()
                        .is_none_or(|m| p.date.format("%Y%m").to_string() == *m)
            })
            .map(|(_, p)| p.clone())
            .collect();
        let start = (page.max(1) - 1) * per_page;
        if page > 1 && start >= chosen.len() {
            return Reply::status(404);
        }
        let end = (start + per_page).min(chosen.len());
        Reply::ok(RSS, rss_doc(Some(WORDPRESS), &chosen[start.min(end)..end]))
    })
}

/// Posts every two days from late February 2015 back into October 2014.
fn two_day_posts() -> Vec<Post> {
    let newest = Utc.with_ymd_and_hms(2015, 2, 27, 12, 0, 0).unwrap();
    (0..70)
        .map(|i| Post {
            guid: format!("wp-{i}"),
            date: newest - chrono::Duration::days(2 * i as i64),
        })
        .collect()
}

/// December 2014 of the posts that `keep` (by index) selects.
fn december(all: &[Post], keep: fn(usize) -> bool) -> i64 {
    let dec = all
        .iter()
        .enumerate()
        .filter(|(i, p)| keep(*i) && p.date.format("%Y-%m").to_string() == "2014-12");
    dec.count() as i64
}

#[test]
fn a_month_is_filled_on_the_main_category_and_author_feeds_of_wordpress() {
    let all = two_day_posts();
    let server = wordpress_site(all.clone(), 5);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let main = lib.add(&server.url("/feed/")).unwrap().feed_id;
    let category = lib
        .add(&server.url("/category/methods/feed/"))
        .unwrap()
        .feed_id;
    let author = lib.add(&server.url("/author/ana/feed/")).unwrap().feed_id;
    for feed in [main, category, author] {
        assert_eq!(month_counts(&lib, feed).get("2014-12"), None, "not yet");
    }

    // No feed named: every feed, as `help backfill` says.
    let reports = lib.backfill_month(&[], 2014, 12, &mut |_| {}).unwrap();
    assert_eq!(reports.len(), 3, "{reports:?}");
    let expected = [
        (main, december(&all, |_| true)),
        (category, december(&all, |i| i % 2 == 0)),
        (author, december(&all, |i| i % 3 == 0)),
    ];
    for (report, (feed, want)) in reports.iter().zip(expected) {
        assert!(want >= 5, "the month spans pages: {want}");
        assert_eq!(report.feed_id, feed);
        assert_eq!(report.error, None, "{report:?}");
        assert_eq!(report.added as i64, want, "{report:?}");
        assert_eq!(month_counts(&lib, feed).get("2014-12"), Some(&want));
    }
    assert_eq!(hits(&server, "/feed/?m=201412&paged=2"), 1);
    assert_eq!(hits(&server, "/category/methods/feed/?m=201412"), 1);
    assert_eq!(hits(&server, "/author/ana/feed/?m=201412"), 1);

    // A month without posts is reported as empty, not as a silent 0.
    let empty = lib
        .backfill_month(&[category], 2001, 1, &mut |_| {})
        .unwrap();
    assert_eq!(empty[0].error, None);
    assert_eq!(empty[0].added, 0);
    assert_eq!(empty[0].reason.as_deref(), Some("no posts in 2001-01"));
}

#[test]
fn a_feed_that_ignores_the_month_is_an_error_when_named_and_skipped_in_all() {
    let current = posts(4);
    let server = Server::start(move |req| {
        // Any query is ignored: the current posts every time.
        if req.path.starts_with("/plain.xml") {
            Reply::ok(RSS, rss_doc(None, &current))
        } else {
            Reply::status(404)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let feed = lib.add(&server.url("/plain.xml")).unwrap().feed_id;
    let named = lib.backfill_month(&[feed], 2014, 12, &mut |_| {}).unwrap();
    let error = named[0].error.clone().unwrap_or_default();
    assert!(
        error.contains("no date archive") && error.contains("/plain.xml?m=201412"),
        "{error}"
    );
    assert_eq!(named[0].added, 0);
    let all = lib.backfill_month(&[], 2014, 12, &mut |_| {}).unwrap();
    assert_eq!(all[0].error, None);
    assert_eq!(all[0].strategy, None);
    assert!(all[0]
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("no date archive")));
}

#[test]
fn add_with_backfill_on_a_site_page_fetches_the_feed_once() {
    let all = two_day_posts();
    let server = wordpress_site(all.clone(), 10);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = open(dir.path());
    let (added, report) = lib
        .add_and_backfill(&server.url("/"), None, &mut |_| {})
        .unwrap();
    assert_eq!(
        added.discovered_from.as_deref(),
        Some(server.url("/").as_str())
    );
    assert_eq!(hits(&server, "/feed/"), 1, "the discovered feed, once");
    assert_eq!(report.strategy, Some(Strategy::WordPress));
    assert!(report.complete, "{report:?}");
    assert_eq!(month_counts(&lib, added.feed_id), per_month(&all));
}
