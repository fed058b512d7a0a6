//! The Google Reader API client against the real FreshRSS (tests/common/freshrss.rs: one lab per
//! binary, one user per test), and against a loopback mock for the faults a real server cannot
//! be made to show (401 mid-session, 429, 500, a hang, truncated JSON, endless continuations,
//! oversized bodies).

mod common;

use std::collections::HashSet;

use common::freshrss::{feed_server, FreshRss, LabUser};
use common::{Reply, Request, Server};
use paperboy::config::FetchConfig;
use paperboy::sync::greader::{
    item_id_long, GReader, Item, SyncError, READ, READING_LIST, STARRED,
};

const UA: &str = "paperboy-test/1";

async fn login(u: &LabUser) -> GReader {
    match GReader::login(&u.account(), &FetchConfig::default(), UA).await {
        Ok(g) => g,
        Err(e) => panic!("login of {} failed: {e}", u.user),
    }
}

/// Every item of `stream`, paging `n` at a time.
async fn all_items(g: &GReader, stream: &str, n: usize) -> (Vec<Item>, usize) {
    let mut items = Vec::new();
    let mut continuation: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = g
            .contents(stream, None, continuation.as_deref(), n)
            .await
            .unwrap();
        pages += 1;
        assert!(page.items.len() <= n, "a page larger than n={n}");
        items.extend(page.items);
        match page.continuation {
            Some(c) => continuation = Some(c),
            None => return (items, pages),
        }
        assert!(pages < 100, "paging does not end");
    }
}

// --- the real FreshRSS ---------------------------------------------------------------------

#[tokio::test]
async fn login_good_gives_the_user_name_and_bad_fails_after_one_request() {
    let lab = FreshRss::shared();
    let u = lab.user("login");
    let g = login(&u).await;
    assert_eq!(g.user_name().await.unwrap(), u.user);
    assert_eq!(g.requests(), 2, "ClientLogin + user-info");

    let mut wrong = u.account();
    wrong.password = "not-the-api-password".into();
    let mut g = GReader::new(&wrong.url, &FetchConfig::default(), UA).unwrap();
    let err = g.authenticate(&wrong).await.unwrap_err();
    assert!(matches!(err, SyncError::Login { .. }), "{err}");
    assert_eq!(g.requests(), 1, "a wrong password is not retried");
    let shown = err.to_string();
    assert!(
        shown.contains("ClientLogin") && !shown.contains("not-the-api-password"),
        "{shown}"
    );
    let err = GReader::login(&wrong, &FetchConfig::default(), UA)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Login { .. }), "{err}");
}

#[tokio::test]
async fn quickadd_subscribes_and_errors_sent_with_http_200_are_errors() {
    let lab = FreshRss::shared();
    let u = lab.user("quickadd");
    let feeds = feed_server("Quick Blog", 3);
    let g = login(&u).await;
    let url = feeds.url("/feed.xml");
    let stream = g.quickadd(&url).await.unwrap();
    assert!(stream.starts_with("feed/"), "{stream}");
    let subs = g.subscriptions().await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].id, stream);
    assert_eq!(subs[0].url, url);
    assert_eq!(subs[0].title, "Quick Blog");

    let again = g.quickadd(&url).await.unwrap_err();
    match &again {
        SyncError::Server { endpoint, message } => {
            assert!(endpoint.ends_with("subscription/quickadd"), "{endpoint}");
            assert!(message.contains("Already subscribed"), "{message}");
        }
        other => panic!("subscribing twice: {other}"),
    }
    let missing = g.quickadd(&feeds.url("/nope.xml")).await.unwrap_err();
    assert!(
        matches!(&missing, SyncError::Server { message, .. } if message.contains("404")),
        "{missing}"
    );
    assert_eq!(
        g.subscriptions().await.unwrap().len(),
        1,
        "a failed quickadd adds nothing"
    );
}

#[tokio::test]
async fn folders_and_titles_follow_edit_subscription() {
    let lab = FreshRss::shared();
    let u = lab.user("folders");
    let feeds = feed_server("Folder Blog", 1);
    let stream = u.subscribe(&feeds.url("/feed.xml"));
    let g = login(&u).await;
    let folder_of = |subs: Vec<paperboy::sync::greader::Subscription>| {
        let s = subs
            .into_iter()
            .find(|s| s.id == stream)
            .expect("the feed is listed");
        (s.title, s.folder)
    };
    let (_, folder) = folder_of(g.subscriptions().await.unwrap());
    assert_eq!(
        folder.as_deref(),
        Some("Uncategorized"),
        "FreshRSS's default folder"
    );

    g.edit_subscription(&stream, None, Some(Some("Research")), None)
        .await
        .unwrap();
    let (title, folder) = folder_of(g.subscriptions().await.unwrap());
    assert_eq!(folder.as_deref(), Some("Research"));
    assert_eq!(title, "Folder Blog");

    g.edit_subscription(&stream, Some("Renamed Blog"), None, None)
        .await
        .unwrap();
    let (title, folder) = folder_of(g.subscriptions().await.unwrap());
    assert_eq!(title, "Renamed Blog");
    assert_eq!(
        folder.as_deref(),
        Some("Research"),
        "a rename keeps the folder"
    );

    g.edit_subscription(&stream, None, Some(Some("Clinical")), Some("Research"))
        .await
        .unwrap();
    let (_, folder) = folder_of(g.subscriptions().await.unwrap());
    assert_eq!(folder.as_deref(), Some("Clinical"));

    g.edit_subscription(&stream, None, Some(None), Some("Clinical"))
        .await
        .unwrap();
    let (title, folder) = folder_of(g.subscriptions().await.unwrap());
    assert_ne!(folder.as_deref(), Some("Clinical"));
    assert_eq!(
        folder.as_deref(),
        Some("Uncategorized"),
        "FreshRSS puts it back there"
    );
    assert_eq!(title, "Renamed Blog");

    // Out of a folder without naming it: the client looks the folder up.
    g.edit_subscription(&stream, None, Some(Some("Later")), None)
        .await
        .unwrap();
    assert_eq!(
        folder_of(g.subscriptions().await.unwrap()).1.as_deref(),
        Some("Later")
    );
    g.edit_subscription(&stream, None, Some(None), None)
        .await
        .unwrap();
    assert_eq!(
        folder_of(g.subscriptions().await.unwrap()).1.as_deref(),
        Some("Uncategorized")
    );
}

#[tokio::test]
async fn contents_pages_over_continuations_and_gives_every_item_once() {
    let lab = FreshRss::shared();
    let u = lab.user("paging");
    let feeds = feed_server("Paged Blog", 7);
    let stream = u.subscribe(&feeds.url("/feed.xml"));
    let g = login(&u).await;
    let (items, pages) = all_items(&g, READING_LIST, 3).await;
    assert_eq!(items.len(), 7);
    assert!(pages >= 3, "7 items 3 at a time: {pages} pages");
    let ids: HashSet<i64> = items.iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 7, "no item twice");
    let titles: HashSet<&str> = items.iter().map(|i| i.title.as_str()).collect();
    let expected: Vec<String> = (0..7).map(|i| format!("Post {i}")).collect();
    assert_eq!(titles, expected.iter().map(String::as_str).collect());
    assert!(
        items.windows(2).all(|w| w[0].id > w[1].id),
        "newest (highest id) first"
    );
    for item in &items {
        assert_eq!(item.stream, stream);
        assert!(!item.read && !item.starred);
        assert!(item.published.is_some() && item.crawled_usec == Some(item.id));
        assert!(item
            .link
            .as_deref()
            .is_some_and(|l| l.starts_with("http://127.0.0.1/")));
        assert!(item
            .content_html
            .as_deref()
            .is_some_and(|c| c.contains("Body")));
    }
    // The feed's own stream pages the same way.
    let (by_feed, _) = all_items(&g, &stream, 4).await;
    assert_eq!(by_feed.len(), 7);
}

#[tokio::test]
async fn crawled_after_keeps_only_what_was_crawled_since() {
    let lab = FreshRss::shared();
    let u = lab.user("crawled");
    let first = feed_server("First Blog", 2);
    u.subscribe(&first.url("/feed.xml"));
    let g = login(&u).await;
    let page = g.contents(READING_LIST, None, None, 50).await.unwrap();
    let first_secs = page
        .items
        .iter()
        .filter_map(|i| i.crawled_usec)
        .max()
        .expect("crawl times")
        / 1_000_000;
    // The second feed must be crawled in a later second than the first.
    while chrono::Utc::now().timestamp() <= first_secs {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let second = feed_server("Second Blog", 3);
    let second_stream = u.subscribe(&second.url("/feed.xml"));

    let all = g
        .contents(READING_LIST, Some(first_secs), None, 50)
        .await
        .unwrap();
    assert_eq!(
        all.items.len(),
        5,
        "since the first crawl's second: everything"
    );
    let newer = g
        .contents(READING_LIST, Some(first_secs + 1), None, 50)
        .await
        .unwrap();
    assert_eq!(newer.items.len(), 3, "only the second feed's items");
    assert!(newer.items.iter().all(|i| i.stream == second_stream));
    let future = chrono::Utc::now().timestamp() + 3600;
    let none = g
        .contents(READING_LIST, Some(future), None, 50)
        .await
        .unwrap();
    assert!(none.items.is_empty() && none.continuation.is_none());
}

#[tokio::test]
async fn read_and_starred_go_both_ways_and_show_in_ids_and_contents() {
    let lab = FreshRss::shared();
    let u = lab.user("states");
    let feeds = feed_server("State Blog", 5);
    u.subscribe(&feeds.url("/feed.xml"));
    let mut g = login(&u).await;
    let mut unread = g.item_ids(READING_LIST, Some(READ)).await.unwrap();
    assert_eq!(unread.len(), 5);
    assert!(g.item_ids(STARRED, None).await.unwrap().is_empty());
    let all = g.item_ids(READING_LIST, None).await.unwrap();
    unread.sort_unstable();
    let mut sorted_all = all.clone();
    sorted_all.sort_unstable();
    assert_eq!(unread, sorted_all);

    let (read_ids, star_id) = (&all[..2], all[4]);
    g.edit_tag(read_ids, READ, true).await.unwrap();
    g.edit_tag(&[star_id], STARRED, true).await.unwrap();
    let before = g.requests();
    g.edit_tag(&[star_id], STARRED, true).await.unwrap();
    assert_eq!(g.requests(), before + 1, "the edit token is fetched once");

    let unread: HashSet<i64> = g
        .item_ids(READING_LIST, Some(READ))
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(unread, all[2..].iter().copied().collect());
    assert_eq!(g.item_ids(STARRED, None).await.unwrap(), vec![star_id]);
    let page = g.contents(READING_LIST, None, None, 10).await.unwrap();
    for item in &page.items {
        assert_eq!(
            item.read,
            read_ids.contains(&item.id),
            "read flag of {}",
            item.id
        );
        assert_eq!(
            item.starred,
            item.id == star_id,
            "starred flag of {}",
            item.id
        );
    }
    let starred = g.contents(STARRED, None, None, 10).await.unwrap();
    assert_eq!(
        starred.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![star_id]
    );

    // And back.
    g.edit_tag(read_ids, READ, false).await.unwrap();
    g.edit_tag(&[star_id], STARRED, false).await.unwrap();
    assert_eq!(g.item_ids(READING_LIST, Some(READ)).await.unwrap().len(), 5);
    assert!(g.item_ids(STARRED, None).await.unwrap().is_empty());
    let page = g.contents(READING_LIST, None, None, 10).await.unwrap();
    assert!(page.items.iter().all(|i| !i.read && !i.starred));
    assert!(item_id_long(star_id).starts_with("tag:google.com,2005:reader/item/"));
}

#[tokio::test]
async fn mark_all_as_read_stops_at_the_given_item() {
    let lab = FreshRss::shared();
    let u = lab.user("markall");
    let feeds = feed_server("Mark Blog", 4);
    let stream = u.subscribe(&feeds.url("/feed.xml"));
    let mut g = login(&u).await;
    let mut ids = g.item_ids(&stream, None).await.unwrap();
    ids.sort_unstable();
    assert_eq!(ids.len(), 4);
    // Up to the second oldest, inclusive.
    g.mark_all_as_read(&stream, ids[1]).await.unwrap();
    let mut unread = g.item_ids(&stream, Some(READ)).await.unwrap();
    unread.sort_unstable();
    assert_eq!(unread, ids[2..].to_vec());
    g.mark_all_as_read(READING_LIST, ids[3]).await.unwrap();
    assert!(g
        .item_ids(READING_LIST, Some(READ))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn unsubscribe_removes_the_feed() {
    let lab = FreshRss::shared();
    let u = lab.user("unsub");
    let (a, b) = (feed_server("Keep Blog", 1), feed_server("Drop Blog", 1));
    let g = login(&u).await;
    let keep = g.quickadd(&a.url("/feed.xml")).await.unwrap();
    let gone = g.quickadd(&b.url("/feed.xml")).await.unwrap();
    assert_eq!(g.subscriptions().await.unwrap().len(), 2);
    g.unsubscribe(&gone).await.unwrap();
    let subs = g.subscriptions().await.unwrap();
    assert_eq!(
        subs.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        vec![keep.as_str()]
    );
    assert!(g.item_ids(&keep, None).await.unwrap().len() == 1);
}

// --- faults, against a loopback mock -------------------------------------------------------

const BASE: &str = "/api/greader.php";

/// A mock API: ClientLogin answers `Auth=tok`, the token endpoint `T1`, the rest `handler`.
fn mock(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(move |req: &Request| {
        let path = req.path.strip_prefix(BASE).unwrap_or(&req.path);
        if path == "/accounts/ClientLogin" {
            Reply::ok("text/plain", "SID=tok\nLSID=null\nAuth=tok\n")
        } else if path == "/reader/api/0/token" {
            Reply::ok("text/html", "T1\n")
        } else {
            handler(req)
        }
    })
}

fn cfg(timeout_secs: u64) -> FetchConfig {
    FetchConfig {
        timeout_secs,
        connect_timeout_secs: 1,
        ..FetchConfig::default()
    }
}

async fn mock_login(server: &Server, fetch: &FetchConfig) -> GReader {
    let account = paperboy::sync::greader::Account {
        url: server.url(BASE),
        username: "alice".into(),
        password: "pw".into(),
    };
    GReader::login(&account, fetch, UA).await.unwrap()
}

fn hits(server: &Server, needle: &str) -> Vec<Request> {
    let all = server.requests.lock().unwrap().clone();
    all.into_iter()
        .filter(|r| r.path.contains(needle))
        .collect()
}

const SUBS: &str = r#"{"subscriptions":[{"id":"feed/1","title":"A","categories":[],"url":"http://127.0.0.1:1/a.xml"}]}"#;

#[tokio::test]
async fn a_wrong_password_on_a_mock_is_one_request_and_a_login_error() {
    let server =
        Server::start(|_req: &Request| Reply::status(401).with_header("Google-Bad-Token", "true"));
    let account = paperboy::sync::greader::Account {
        url: format!("{}/", server.url(BASE)),
        username: "alice".into(),
        password: "pw".into(),
    };
    let err = GReader::login(&account, &cfg(5), UA).await.unwrap_err();
    assert!(matches!(err, SyncError::Login { .. }), "{err}");
    assert_eq!(server.requests.lock().unwrap().len(), 1);
    let req = &hits(&server, "ClientLogin")[0];
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path, "/api/greader.php/accounts/ClientLogin",
        "no double slash"
    );
    assert_eq!(String::from_utf8_lossy(&req.body), "Email=alice&Passwd=pw");
}

#[tokio::test]
async fn a_401_mid_session_is_unauthorized_and_not_retried() {
    let server = mock(|_req: &Request| Reply::status(401));
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.subscriptions().await.unwrap_err();
    assert!(matches!(err, SyncError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains("paperboy sync login"), "{err}");
    assert_eq!(g.requests(), 2);
    let sent = &hits(&server, "subscription/list")[0];
    assert_eq!(sent.header("authorization"), Some("GoogleLogin auth=tok"));
    assert_eq!(sent.header("user-agent"), Some(UA));
}

#[tokio::test]
async fn a_429_with_a_short_retry_after_is_waited_out() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = mock(move |_req: &Request| {
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::status(429).with_header("Retry-After", "1")
        } else {
            Reply::ok("application/json", SUBS)
        }
    });
    let g = mock_login(&server, &cfg(5)).await;
    let subs = g.subscriptions().await.unwrap();
    assert_eq!(subs[0].id, "feed/1");
    assert_eq!(hits(&server, "subscription/list").len(), 2);
}

#[tokio::test]
async fn a_long_retry_after_fails_at_once_saying_when_to_retry() {
    let server = mock(|_req: &Request| Reply::status(429).with_header("Retry-After", "3600"));
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.subscriptions().await.unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::RateLimited {
                retry_after_secs: Some(3600),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("3600 s"), "{err}");
    assert_eq!(hits(&server, "subscription/list").len(), 1);
}

#[tokio::test]
async fn a_server_error_is_retried_twice_then_reported() {
    let server = mock(|_req: &Request| Reply::status(500));
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.user_name().await.unwrap_err();
    assert!(matches!(err, SyncError::Http { status: 500, .. }), "{err}");
    assert!(err.to_string().contains("user-info"), "{err}");
    assert_eq!(hits(&server, "user-info").len(), 3);
}

#[tokio::test]
async fn a_hang_beyond_the_timeout_is_a_timeout() {
    let server = mock(|_req: &Request| Reply::Hang);
    let g = mock_login(&server, &cfg(1)).await;
    let err = g.subscriptions().await.unwrap_err();
    assert!(matches!(err, SyncError::Timeout { .. }), "{err}");
}

#[tokio::test]
async fn truncated_json_is_malformed() {
    let server = mock(|_req: &Request| {
        Reply::ok(
            "application/json",
            r#"{"items":[{"id":"tag:google.com,2005:reader/item/0000000000000001","title":"cut"#,
        )
    });
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.contents(READING_LIST, None, None, 10).await.unwrap_err();
    assert!(matches!(err, SyncError::Malformed { .. }), "{err}");
    assert!(err.to_string().contains("stream/contents"), "{err}");
}

#[tokio::test]
async fn a_continuation_that_repeats_forever_is_a_runaway() {
    let server = mock(|_req: &Request| {
        Reply::ok(
            "text/html",
            r#"{"itemRefs":[{"id":"1"}],"continuation":"same"}"#,
        )
    });
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.item_ids(READING_LIST, Some(READ)).await.unwrap_err();
    assert!(matches!(err, SyncError::Runaway { .. }), "{err}");
    assert_eq!(hits(&server, "items/ids").len(), 2);
    let sent = &hits(&server, "items/ids")[1];
    assert!(
        sent.path.contains("c=same")
            && sent
                .path
                .contains("xt=user%2F-%2Fstate%2Fcom.google%2Fread"),
        "{}",
        sent.path
    );

    let server =
        mock(|_req: &Request| Reply::ok("application/json", r#"{"items":[],"continuation":"c1"}"#));
    let g = mock_login(&server, &cfg(5)).await;
    let err = g
        .contents(READING_LIST, None, Some("c1"), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Runaway { .. }), "{err}");
}

#[tokio::test]
async fn a_page_longer_than_asked_for_is_refused_while_it_is_read() {
    // Tiny entries, well inside the body cap: what a memory bomb would send.
    let refs: Vec<String> = (1..=50_001).map(|i| format!(r#"{{"id":"{i}"}}"#)).collect();
    let ids = format!(r#"{{"itemRefs":[{}]}}"#, refs.join(","));
    let items: Vec<String> = (1..=1_001)
        .map(|i| format!(r#"{{"id":"tag:google.com,2005:reader/item/{i:016x}"}}"#))
        .collect();
    let contents = format!(r#"{{"items":[{}]}}"#, items.join(","));
    let server = mock(move |req: &Request| {
        if req.path.contains("/items/ids") {
            Reply::ok("application/json", ids.clone())
        } else {
            Reply::ok("application/json", contents.clone())
        }
    });
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.item_ids(READING_LIST, None).await.unwrap_err();
    assert!(matches!(err, SyncError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("more than 50000 ids in one page"),
        "{err}"
    );
    let err = g
        .contents(READING_LIST, None, None, 5_000)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("more than 1000 items in one page"),
        "{err}"
    );
    let asked = &hits(&server, "stream/contents")[0];
    assert!(asked.path.contains("n=1000"), "n is capped: {}", asked.path);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_the_limit_named() {
    let big = format!(
        r#"{{"subscriptions":[],"pad":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let server = mock(move |_req: &Request| Reply::ok("application/json", big.clone()));
    let fetch = FetchConfig {
        max_body_mib: 1,
        ..cfg(5)
    };
    let g = mock_login(&server, &fetch).await;
    let err = g.subscriptions().await.unwrap_err();
    assert!(
        matches!(err, SyncError::TooLarge { limit_mib: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("max_body_mib"), "{err}");
}

#[tokio::test]
async fn edit_tag_batches_ids_and_refetches_a_stale_token_once() {
    let stale = std::sync::atomic::AtomicBool::new(true);
    let server = mock(move |req: &Request| {
        let body = String::from_utf8_lossy(&req.body);
        if req.path.ends_with("/edit-tag") && stale.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            assert!(body.contains("T=T1"), "{body}");
            return Reply::status(401).with_header("Google-Bad-Token", "true");
        }
        Reply::ok("text/html", "OK")
    });
    let mut g = mock_login(&server, &cfg(5)).await;
    let ids: Vec<i64> = (1..=600).collect();
    g.edit_tag(&ids, READ, true).await.unwrap();
    let posts = hits(&server, "/edit-tag");
    assert_eq!(
        posts.len(),
        4,
        "one refused for its stale token, then 250 + 250 + 100"
    );
    let counts: Vec<usize> = posts
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).matches("i=tag").count())
        .collect();
    assert_eq!(counts, vec![250, 250, 250, 100]);
    let last = String::from_utf8_lossy(&posts[3].body).to_string();
    assert!(
        last.contains("a=user%2F-%2Fstate%2Fcom.google%2Fread"),
        "{last}"
    );
    assert!(
        last.contains(&format!(
            "i={}",
            "tag%3Agoogle.com%2C2005%3Areader%2Fitem%2F0000000000000258"
        )),
        "{last}"
    );
    assert_eq!(
        hits(&server, "/token").len(),
        2,
        "fetched once, again after the stale answer"
    );

    g.mark_all_as_read("feed/1", 1_796_025_005_406_573)
        .await
        .unwrap();
    let mark = &hits(&server, "mark-all-as-read")[0];
    assert_eq!(
        String::from_utf8_lossy(&mark.body),
        "s=feed%2F1&ts=1796025005406573&T=T1"
    );
}

#[tokio::test]
async fn an_answer_other_than_ok_is_a_server_error() {
    let server = mock(|_req: &Request| Reply::ok("text/html", "Bad \x1b[31mthing\n"));
    let g = mock_login(&server, &cfg(5)).await;
    let err = g.unsubscribe("feed/1").await.unwrap_err();
    assert!(matches!(err, SyncError::Server { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("Bad") && !shown.contains('\x1b') && !shown.contains('\n'),
        "{shown}"
    );
}

/// A server on another port that would hand out its own token: it must never be asked.
fn elsewhere() -> Server {
    Server::start(|_req: &Request| Reply::ok("text/plain", "SID=x\nLSID=x\nAuth=evil\n"))
}

fn assert_other_origin(err: &SyncError, from: &str, to: &str) {
    match err {
        SyncError::OtherOrigin { from: f, to: t, .. } => {
            assert_eq!((f.as_str(), t.as_str()), (from, to), "{err}");
        }
        other => panic!("not an other-origin error: {other}"),
    }
    let shown = err.to_string();
    assert!(shown.contains(from) && shown.contains(to), "{shown}");
}

#[tokio::test]
async fn a_login_redirected_to_another_origin_sends_the_password_nowhere_else() {
    let other = elsewhere();
    // The issue's case: `localhost` and another port; then another port on the same address,
    // and the same port over https.
    for host in ["localhost", "127.0.0.1"] {
        let target = format!("http://{host}:{}{BASE}/accounts/ClientLogin", other.port);
        for status in [307, 308, 302] {
            let target = target.clone();
            let server = Server::start(move |_req: &Request| Reply::redirect(status, &target));
            let account = paperboy::sync::greader::Account {
                url: server.url(BASE),
                username: "alice".into(),
                password: "s3cret-pw".into(),
            };
            let err = GReader::login(&account, &cfg(5), UA).await.unwrap_err();
            let from = format!("http://127.0.0.1:{}", server.port);
            assert_other_origin(&err, &from, &format!("http://{host}:{}", other.port));
            assert!(!err.to_string().contains("s3cret-pw"), "{err}");
            assert_eq!(server.requests.lock().unwrap().len(), 1, "{status}");
        }
    }
    assert!(
        other.requests.lock().unwrap().is_empty(),
        "nothing reaches the other origin: {:?}",
        other.requests.lock().unwrap()
    );
}

#[tokio::test]
async fn an_api_call_redirected_to_another_origin_is_refused_before_anything_goes_there() {
    let other = elsewhere();
    let port = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(0));
    let own = port.clone();
    let other_port = other.port;
    let server = mock(move |req: &Request| {
        let own = own.load(std::sync::atomic::Ordering::SeqCst);
        let to = if req.path.contains("/user-info") {
            format!("http://localhost:{other_port}{}", req.path)
        } else if req.path.contains("/subscription/list") {
            // Same host and port, another scheme: another origin too.
            format!("https://127.0.0.1:{own}{}", req.path)
        } else {
            format!("http://127.0.0.1:{other_port}{}", req.path)
        };
        Reply::redirect(307, &to)
    });
    port.store(server.port, std::sync::atomic::Ordering::SeqCst);
    let from = format!("http://127.0.0.1:{}", server.port);
    let mut g = mock_login(&server, &cfg(5)).await;

    let err = g.user_name().await.unwrap_err();
    assert_other_origin(&err, &from, &format!("http://localhost:{other_port}"));
    assert!(err.to_string().contains("user-info"), "{err}");
    let err = g.subscriptions().await.unwrap_err();
    assert_other_origin(&err, &from, &from.replace("http:", "https:"));
    // A POST that carries the edit token in its body.
    let err = g.edit_tag(&[1], READ, true).await.unwrap_err();
    assert_other_origin(&err, &from, &format!("http://127.0.0.1:{other_port}"));
    let err = g.mark_all_as_read("feed/1", 1).await.unwrap_err();
    assert_other_origin(&err, &from, &format!("http://127.0.0.1:{other_port}"));
    assert_eq!(hits(&server, "/edit-tag").len(), 1, "not retried");
    assert!(
        other.requests.lock().unwrap().is_empty(),
        "nothing reaches the other origin: {:?}",
        other.requests.lock().unwrap()
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_still_followed() {
    let server = mock(|req: &Request| {
        if req.path.starts_with("/moved/") {
            Reply::ok("application/json", r#"{"userId":"1","userName":"alice"}"#)
        } else {
            Reply::redirect(307, &format!("/moved{}", req.path))
        }
    });
    let g = mock_login(&server, &cfg(5)).await;
    assert_eq!(g.user_name().await.unwrap(), "alice");
    let moved = hits(&server, "/moved/");
    assert_eq!(moved.len(), 1);
    assert_eq!(
        moved[0].header("authorization"),
        Some("GoogleLogin auth=tok")
    );
}

#[tokio::test]
async fn a_503_without_retry_after_is_retried_like_a_server_error() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = mock(move |_req: &Request| {
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            Reply::status(503)
        } else {
            Reply::ok("text/html", r#"{"userId":"1","userName":"alice"}"#)
        }
    });
    let g = mock_login(&server, &cfg(5)).await;
    assert_eq!(g.user_name().await.unwrap(), "alice");
    assert_eq!(hits(&server, "user-info").len(), 3);
    assert_eq!(g.requests(), 4, "login + three tries");
}
