//! `paperboy sync` end to end: the real binary against the real FreshRSS (one user per test),
//! and against a loopback mock for a failure half-way through a pull.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::freshrss::{feed_server, growing_feed, rt, server_ids, sync_config, FreshRss, LabUser};
use common::{kill_when_paused, one_line_error, Cli, Reply, Request, Server};
use paperboy::sync::greader::{READ, READING_LIST, STARRED};

/// A data dir whose `[sync]` is the lab user (the password from a command, as users set it).
fn synced(u: &LabUser) -> Cli {
    let cli = Cli::new();
    cli.write_config(&sync_config(&u.api, &u.user, &u.api_password));
    cli
}

/// Local entries by title: (id, read, starred).
fn local(cli: &Cli) -> HashMap<String, (i64, bool, bool)> {
    let rows = cli.json(&["list"]);
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap().to_string(),
                (
                    r["id"].as_i64().unwrap(),
                    r["read"].as_bool().unwrap(),
                    r["starred"].as_bool().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn login_names_the_user_and_a_wrong_password_is_one_line() {
    let lab = FreshRss::shared();
    let u = lab.user("clilogin");
    let cli = synced(&u);
    let out = cli.ok(&["sync", "login"]);
    assert_eq!(out.trim(), format!("logged in as {}", u.user));

    cli.write_config(&sync_config(&u.api, &u.user, "not-the-password"));
    let err = one_line_error(&cli.run(&["sync", "login"]));
    assert!(err.contains("password"), "{err}");
    assert!(
        !err.contains("not-the-password"),
        "never the password: {err}"
    );
}

#[test]
fn the_first_sync_pages_through_everything_and_the_next_takes_only_what_is_new() {
    let lab = FreshRss::shared();
    let u = lab.user("clipull");
    let posts = Arc::new(AtomicUsize::new(7));
    let feeds = growing_feed("Pull Blog", posts.clone());
    let stream = u.subscribe(&feeds.url("/feed.xml"));
    let g = u.client();
    rt().block_on(g.edit_subscription(&stream, None, Some(Some("Lab")), None))
        .unwrap();

    let cli = synced(&u);
    let first = cli
        .command()
        .env("PAPERBOY_TEST_SYNC_PAGE", "3")
        .args(["sync", "--json"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{first:?}");
    let first: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first["pulled"], 7, "{first}");
    assert_eq!(first["new_entries"], 7, "{first}");
    assert_eq!(first["feeds"]["added"], 1, "{first}");

    let feeds_json = cli.json(&["feeds"]);
    let f = &feeds_json[0];
    assert_eq!(f["remote_id"], stream.as_str());
    assert_eq!(f["folder"], "Lab");
    assert_eq!(f["title"], "Pull Blog");
    let titles: HashSet<String> = local(&cli).into_keys().collect();
    let expected: HashSet<String> = (0..7).map(|i| format!("Post {i}")).collect();
    assert_eq!(titles, expected);
    // The account's feeds are the server's to fetch: `feeds` says where each comes from.
    assert!(cli.ok(&["feeds"]).contains("account"));

    // Nothing new: no new entry, and few requests (login, subscriptions, one page, two id sets).
    let again = cli.json(&["sync"]);
    assert_eq!(again["new_entries"], 0, "{again}");
    assert!(again["requests"].as_u64().unwrap() <= 5, "{again}");
    assert_eq!(local(&cli).len(), 7);

    // Two new posts on the blog, fetched by the server: the next sync brings just those.
    posts.store(9, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(2100)); // the lab refetches after 2 s
    u.actualize();
    let more = cli.json(&["sync"]);
    assert_eq!(more["new_entries"], 2, "{more}");
    assert_eq!(local(&cli).len(), 9);
}

#[test]
fn read_and_starred_travel_both_ways() {
    let lab = FreshRss::shared();
    let u = lab.user("clistate");
    let feeds = feed_server("State Blog", 4);
    u.subscribe(&feeds.url("/feed.xml"));
    let cli = synced(&u);
    cli.ok(&["sync"]);
    let here = local(&cli);
    let mut g = u.client();
    let ids = server_ids(&g);

    // Here -> server.
    let (p0, p1) = (here["Post 0"].0, here["Post 1"].0);
    cli.ok(&["read", &p0.to_string()]);
    cli.ok(&["star", &p1.to_string()]);
    assert!(cli.ok(&["sync", "status"]).contains("2 changes"));
    let report = cli.json(&["sync"]);
    assert_eq!(report["pushed"], 2, "{report}");
    let unread: HashSet<i64> = rt()
        .block_on(g.item_ids(READING_LIST, Some(READ)))
        .unwrap()
        .into_iter()
        .collect();
    let starred: HashSet<i64> = rt()
        .block_on(g.item_ids(STARRED, None))
        .unwrap()
        .into_iter()
        .collect();
    assert!(!unread.contains(&ids["Post 0"]), "read on the server");
    assert!(unread.contains(&ids["Post 1"]), "starring kept it unread");
    assert!(starred.contains(&ids["Post 1"]));
    assert!(cli.ok(&["sync", "status"]).contains("0 changes"));

    // Server -> here: another client reads Post 2 and stars Post 3, and unreads Post 0.
    rt().block_on(g.edit_tag(&[ids["Post 2"]], READ, true))
        .unwrap();
    rt().block_on(g.edit_tag(&[ids["Post 3"]], STARRED, true))
        .unwrap();
    rt().block_on(g.edit_tag(&[ids["Post 0"]], READ, false))
        .unwrap();
    cli.ok(&["sync"]);
    let now = local(&cli);
    assert_eq!((now["Post 0"].1, now["Post 0"].2), (false, false));
    assert_eq!((now["Post 1"].1, now["Post 1"].2), (false, true));
    assert_eq!((now["Post 2"].1, now["Post 2"].2), (true, false));
    assert_eq!((now["Post 3"].1, now["Post 3"].2), (false, true));

    // A whole feed marked read here goes as one mark-all-as-read.
    let feed_id = cli.json(&["feeds"])[0]["id"].as_i64().unwrap();
    cli.ok(&["read", "--feed", &feed_id.to_string()]);
    let report = cli.json(&["sync"]);
    assert_eq!(report["marks_pushed"], 1, "{report}");
    let unread = rt().block_on(g.item_ids(READING_LIST, Some(READ))).unwrap();
    assert!(unread.is_empty(), "all read on the server: {unread:?}");
}

#[test]
fn changes_made_offline_survive_a_killed_sync_and_reach_the_server() {
    let lab = FreshRss::shared();
    let u = lab.user("clioffline");
    let feeds = feed_server("Offline Blog", 2);
    u.subscribe(&feeds.url("/feed.xml"));
    let cli = synced(&u);
    cli.ok(&["sync"]);
    let p0 = local(&cli)["Post 0"].0;

    // The server is gone: the change is made here and queued; the sync says so in one line.
    let dead = Server::start(|_: &Request| Reply::status(503));
    let hang = Server::start(|_: &Request| Reply::Hang);
    cli.write_config(&sync_config(
        &dead.url("/api/greader.php"),
        &u.user,
        &u.api_password,
    ));
    cli.ok(&["read", &p0.to_string()]);
    let err = one_line_error(&cli.run(&["sync"]));
    assert!(err.contains("503"), "{err}");

    // A sync that hangs is killed: the queue is still there on restart.
    cli.write_config(&sync_config(
        &hang.url("/api/greader.php"),
        &u.user,
        &u.api_password,
    ));
    let mut child = cli.command().arg("sync").spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while hang.requests.lock().unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the sync never reached the server"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "killed, not finished: {status:?}");
    assert!(cli.ok(&["sync", "status"]).contains("1 change"));

    // Back online: the change reaches the real server.
    cli.write_config(&sync_config(&u.api, &u.user, &u.api_password));
    cli.ok(&["sync"]);
    let g = u.client();
    let ids = server_ids(&g);
    let unread = rt().block_on(g.item_ids(READING_LIST, Some(READ))).unwrap();
    assert!(!unread.contains(&ids["Post 0"]), "{unread:?}");
    assert!(unread.contains(&ids["Post 1"]));
}

#[test]
fn rename_folder_counts_the_account_feeds_it_moved() {
    let lab = FreshRss::shared();
    let u = lab.user("clirenfold");
    let g = u.client();
    let servers: Vec<_> = ["One", "Two", "Three"]
        .iter()
        .map(|t| feed_server(&format!("{t} Blog"), 1))
        .collect();
    for (i, server) in servers.iter().enumerate() {
        let stream = u.subscribe(&server.url("/feed.xml"));
        let folder = if i == 0 { "Lab" } else { "Lab/Methods" };
        rt().block_on(g.edit_subscription(&stream, None, Some(Some(folder)), None))
            .unwrap();
    }
    let cli = synced(&u);
    cli.ok(&["sync"]);
    // A local feed (imported, not the account's) in the same folder.
    let local = Server::start(|_| Reply::status(404));
    let opml = cli.data_dir().join("local.opml");
    std::fs::write(
        &opml,
        format!(
            "<opml version=\"2.0\"><body><outline text=\"Lab\">\
             <outline text=\"Local\" xmlUrl=\"{}\"/></outline></body></opml>",
            local.url("/local.xml")
        ),
    )
    .unwrap();
    cli.ok(&["import", opml.to_str().unwrap()]);

    assert_eq!(
        cli.ok(&["rename-folder", "Lab", "Research"]),
        "renamed the folder to Research (4 feeds)\n"
    );
    let mut on_server: Vec<Option<String>> = rt()
        .block_on(g.subscriptions())
        .unwrap()
        .into_iter()
        .map(|s| s.folder)
        .collect();
    on_server.sort();
    assert_eq!(
        on_server,
        [
            Some("Research".to_string()),
            Some("Research/Methods".to_string()),
            Some("Research/Methods".to_string())
        ]
    );
    let here = cli.json(&["folders"]);
    assert_eq!(here[0]["name"], "Research", "{here}");
    assert_eq!(here[0]["feeds"], 4, "{here}");
}

#[test]
fn account_feeds_are_added_moved_renamed_and_removed_on_the_server() {
    let lab = FreshRss::shared();
    let u = lab.user("clisubs");
    let feeds = feed_server("Subs Blog", 3);
    let cli = synced(&u);
    let g = u.client();
    let listed = || rt().block_on(g.subscriptions()).unwrap();

    let added = cli.json(&["add", &feeds.url("/feed.xml")]);
    assert_eq!(added["entries"], 3, "{added}");
    let subs = listed();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].url, feeds.url("/feed.xml"));
    let id = added["feed_id"].as_i64().unwrap().to_string();

    cli.ok(&["folder", &id, "Reading/Methods"]);
    assert_eq!(listed()[0].folder.as_deref(), Some("Reading/Methods"));
    assert_eq!(cli.json(&["feeds"])[0]["folder"], "Reading/Methods");

    cli.ok(&["rename", &id, "Methods blog"]);
    assert_eq!(listed()[0].title, "Methods blog");
    assert_eq!(cli.json(&["feeds"])[0]["title"], "Methods blog");
    let reset = cli.run(&["rename", &id, "--reset"]);
    assert_eq!(reset.status.code(), Some(1));

    // An error from the server changes nothing here.
    let nope = cli.run(&["add", &feeds.url("/nope.xml")]);
    assert_eq!(nope.status.code(), Some(1), "{nope:?}");
    assert_eq!(cli.json(&["feeds"]).as_array().unwrap().len(), 1);

    // A feed subscribed by another client, renamed there: mirrored by the next sync.
    let other = feed_server("Other Blog", 1);
    let stream = u.subscribe(&other.url("/feed.xml"));
    rt().block_on(g.edit_subscription(&stream, Some("Renamed elsewhere"), None, None))
        .unwrap();
    cli.ok(&["sync"]);
    let titles = cli.feed_titles();
    assert!(
        titles.iter().any(|t| t == "Renamed elsewhere"),
        "{titles:?}"
    );

    cli.ok(&["remove", &id, "--force"]);
    let left: Vec<String> = listed().into_iter().map(|s| s.url).collect();
    assert_eq!(left, vec![other.url("/feed.xml")]);
    assert_eq!(cli.json(&["feeds"]).as_array().unwrap().len(), 1);
}

/// A WordPress-shaped blog: `/feed/` has the newest `per_page` posts, `/feed/?paged=N` older
/// ones. Guids are not links, as on WordPress (`?p=N`).
fn wordpress(n: usize, per_page: usize) -> Server {
    let newest = chrono::Utc::now() - chrono::Duration::days(1);
    Server::start(move |req: &Request| {
        let page: usize = match req.path.as_str() {
            "/feed/" => 1,
            p => match p.strip_prefix("/feed/?paged=").and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return Reply::status(404),
            },
        };
        let start = (page - 1) * per_page;
        if start >= n {
            return Reply::status(404);
        }
        let mut doc = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>WP Lab</title><link>http://127.0.0.1/</link><description>d</description><generator>https://wordpress.org/?v=6.4.2</generator>");
        for i in start..(start + per_page).min(n) {
            let date = newest - chrono::Duration::days(7 * i as i64);
            doc.push_str(&format!(
                "<item><guid isPermaLink=\"false\">http://127.0.0.1/?p={i}</guid><title>WP post {i}</title><link>http://127.0.0.1/post-{i}/</link><pubDate>{}</pubDate><description>body {i}</description></item>",
                date.to_rfc2822()
            ));
        }
        doc.push_str("</channel></rss>");
        Reply::ok("application/rss+xml", doc)
    })
}

#[test]
fn a_post_both_synced_and_backfilled_is_one_entry() {
    let lab = FreshRss::shared();
    let u = lab.user("clibackfill");
    let blog = wordpress(12, 5);
    u.subscribe(&blog.url("/feed/"));
    let cli = synced(&u);
    cli.ok(&["sync"]);
    assert_eq!(local(&cli).len(), 5, "the server has the feed's window");
    let id = cli.json(&["feeds"])[0]["id"].as_i64().unwrap().to_string();
    let p0 = local(&cli)["WP post 0"].0;
    cli.ok(&["star", &p0.to_string()]);

    cli.ok(&["backfill", &id]);
    let all = local(&cli);
    let expected: HashSet<String> = (0..12).map(|i| format!("WP post {i}")).collect();
    assert_eq!(all.keys().cloned().collect::<HashSet<_>>(), expected);
    assert_eq!(
        cli.json(&["list"]).as_array().unwrap().len(),
        12,
        "no duplicates"
    );
    assert!(all["WP post 0"].2, "the synced entry kept its star");
    // And the next sync leaves it at that.
    cli.ok(&["sync"]);
    assert_eq!(cli.json(&["list"]).as_array().unwrap().len(), 12);
}

/// A Google Reader API mock whose second page of the reading list fails the first time.
fn flaky_server(fail_page_two: Arc<AtomicUsize>) -> Server {
    let item = |n: i64| {
        serde_json::json!({
            "id": format!("tag:google.com,2005:reader/item/{n:016x}"),
            "crawlTimeMsec": (n / 1000).to_string(), "timestampUsec": n.to_string(),
            "published": 1_700_000_000 + n % 1000, "title": format!("Mock {}", n % 1000),
            "canonical": [{"href": format!("http://127.0.0.1/mock-{}", n % 1000)}],
            "categories": ["user/-/state/com.google/reading-list"],
            "origin": {"streamId": "feed/1", "title": "Mock feed"},
            "summary": {"content": "<p>x</p>"}
        })
    };
    Server::start(move |req: &Request| {
        let p = req.path.as_str();
        if p.contains("/accounts/ClientLogin") {
            return Reply::ok("text/plain", "SID=x\nLSID=null\nAuth=mock-token\n");
        }
        if p.contains("/subscription/list") {
            return Reply::ok(
                "application/json",
                serde_json::json!({"subscriptions": [
                {"id": "feed/1", "title": "Mock feed", "categories": [],
                 "url": "http://127.0.0.1:9/mock.xml", "htmlUrl": "http://127.0.0.1:9/"}]})
                .to_string(),
            );
        }
        if p.contains("/stream/contents/") {
            let page = if p.contains("c=page2") {
                let failing = fail_page_two
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if failing {
                    return Reply::status(500);
                }
                serde_json::json!({"items": [item(1_796_000_000_000_002), item(1_796_000_000_000_001)]})
            } else {
                serde_json::json!({"items": [item(1_796_000_000_000_004), item(1_796_000_000_000_003)],
                    "continuation": "page2"})
            };
            return Reply::ok("application/json", page.to_string());
        }
        if p.contains("/stream/items/ids") {
            return Reply::ok("application/json", r#"{"itemRefs":[]}"#);
        }
        Reply::status(404)
    })
}

#[test]
fn a_sync_failing_half_way_keeps_a_consistent_cache_and_the_next_one_completes() {
    // Three 500s: the client's two retries, then the failure.
    let failures = Arc::new(AtomicUsize::new(3));
    let server = flaky_server(failures.clone());
    let cli = Cli::new();
    cli.write_config(&sync_config(&server.url("/api/greader.php"), "mock", "pw"));
    let err = one_line_error(&cli.run(&["sync"]));
    assert!(err.contains("500"), "{err}");
    // Page one is stored whole; the sync is not recorded, so the next one pulls again.
    assert_eq!(local(&cli).len(), 2);
    assert!(cli.ok(&["sync", "status"]).contains("never"));
    let check = cli.command().args(["doctor"]).output().unwrap();
    assert!(check.status.success());

    let report = cli.json(&["sync"]);
    assert_eq!(report["new_entries"], 2, "{report}");
    assert_eq!(local(&cli).len(), 4);
    assert!(!cli.ok(&["sync", "status"]).contains("never"));
    // Every entry is read: the account's unread set is empty.
    assert!(local(&cli).values().all(|(_, read, _)| *read));
}

#[test]
fn a_sync_killed_while_storing_a_page_leaves_a_consistent_cache_and_resumes() {
    let lab = FreshRss::shared();
    let u = lab.user("clikill");
    let feeds = feed_server("Kill Blog", 7);
    u.subscribe(&feeds.url("/feed.xml"));
    let cli = synced(&u);
    let paused = cli.data_dir().join("paused");
    // Pages of 3; the second page's transaction stops after its first entry, before the commit.
    let mut cmd = cli.command();
    cmd.env("PAPERBOY_TEST_SYNC_PAGE", "3")
        .env(
            "PAPERBOY_TEST_PAUSE_STORE",
            format!("2:1:{}", paused.display()),
        )
        .arg("sync");
    kill_when_paused(cmd, &paused);

    // Page one whole, page two not at all; the sync is not recorded.
    let conn = rusqlite::Connection::open(cli.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    let before = local(&cli);
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(cli.ok(&["sync", "status"]).contains("never"));
    let kept = before.values().next().unwrap().0;
    cli.ok(&["read", &kept.to_string()]);

    // The next sync completes: every post once, the change made in between kept and pushed.
    let report = cli.json(&["sync"]);
    assert_eq!(report["new_entries"], 4, "{report}");
    assert_eq!(report["pushed"], 1, "{report}");
    let after = local(&cli);
    assert_eq!(after.len(), 7);
    assert!(after.values().any(|(id, read, _)| *id == kept && *read));
}

/// A journal's table of contents: posts A, B, C share one `<link>`, D and E have none; each has
/// its own guid and cites its own DOI.
fn toc_feed() -> Server {
    let start = chrono::Utc::now() - chrono::Duration::days(1);
    Server::start(move |req: &Request| {
        if req.path != "/toc.xml" {
            return Reply::status(404);
        }
        let mut doc = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>TOC Journal</title><link>http://127.0.0.1/</link><description>d</description>");
        for (i, name) in ["A", "B", "C", "D", "E"].iter().enumerate() {
            let link = if i < 3 {
                "<link>http://127.0.0.1/toc</link>"
            } else {
                ""
            };
            let date = (start + chrono::Duration::hours(i as i64)).to_rfc2822();
            doc.push_str(&format!(
                "<item><guid isPermaLink=\"false\">urn:toc:{name}</guid><title>Article {name}</title>{link}<pubDate>{date}</pubDate><description>&lt;p&gt;See &lt;a href=\"https://doi.org/10.5555/toc.{name}\"&gt;the paper&lt;/a&gt;.&lt;/p&gt;</description></item>"
            ));
        }
        doc.push_str("</channel></rss>");
        Reply::ok("application/rss+xml", doc)
    })
}

#[test]
fn server_items_sharing_a_link_are_one_entry_each_and_stay_in_step() {
    let lab = FreshRss::shared();
    let u = lab.user("clitoc");
    let journal = toc_feed();
    u.subscribe(&journal.url("/toc.xml"));
    let g = u.client();
    assert_eq!(server_ids(&g).len(), 5, "FreshRSS holds the five items");
    let cli = synced(&u);

    let first = cli.json(&["sync"]);
    assert_eq!(first["new_entries"], 5, "{first}");
    let here = local(&cli);
    let titles: HashSet<&str> = here.keys().map(String::as_str).collect();
    let expected: HashSet<String> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|n| format!("Article {n}"))
        .collect();
    assert_eq!(
        titles,
        expected.iter().map(String::as_str).collect::<HashSet<_>>()
    );
    let dois: HashSet<String> = cli
        .json(&["dois"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["doi"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    let want: HashSet<String> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| format!("10.5555/toc.{n}"))
        .collect();
    assert_eq!(dois, want);

    // Nothing left to pull: ClientLogin, the subscriptions, the new ids, the two state sets.
    let again = cli.json(&["sync"]);
    assert_eq!(again["pulled"], 0, "{again}");
    assert_eq!(again["requests"], 5, "{again}");
    assert_eq!(local(&cli).len(), 5);

    // All read here, pushed: all read on the server, and still all read here after the pull.
    cli.ok(&["read", "--all"]);
    cli.ok(&["sync"]);
    let unread = rt().block_on(g.item_ids(READING_LIST, Some(READ))).unwrap();
    assert!(unread.is_empty(), "unread on the server: {unread:?}");
    cli.ok(&["sync"]);
    let here = local(&cli);
    assert!(here.values().all(|(_, read, _)| *read), "{here:?}");
}

/// The account's (unread, starred) titles, as another client sees them.
fn server_states(g: &paperboy::sync::greader::GReader) -> (HashSet<String>, HashSet<String>) {
    let by_id: HashMap<i64, String> = server_ids(g).into_iter().map(|(t, i)| (i, t)).collect();
    let titles =
        |ids: Vec<i64>| -> HashSet<String> { ids.into_iter().map(|i| by_id[&i].clone()).collect() };
    let unread = rt().block_on(g.item_ids(READING_LIST, Some(READ))).unwrap();
    let starred = rt().block_on(g.item_ids(STARRED, None)).unwrap();
    (titles(unread), titles(starred))
}

#[test]
fn the_last_action_wins_over_whole_feed_marks_on_the_real_server() {
    let lab = FreshRss::shared();
    let u = lab.user("clilast");
    let feeds = feed_server("Last Blog", 3);
    u.subscribe(&feeds.url("/feed.xml"));
    let g = u.client();
    let cli = synced(&u);
    cli.ok(&["sync"]);
    let here = local(&cli);
    let p1 = here["Post 1"].0.to_string();
    let p0 = here["Post 0"].0.to_string();
    let feed = cli.json(&["feeds"])[0]["id"].as_i64().unwrap().to_string();
    let set =
        |titles: &[&str]| -> HashSet<String> { titles.iter().map(|t| t.to_string()).collect() };

    // The issue's sequence: read 8; sync; unread 8; read --feed 1; sync.
    cli.ok(&["read", &p1]);
    cli.ok(&["sync"]);
    cli.ok(&["unread", &p1]);
    cli.ok(&["read", "--feed", &feed]);
    cli.ok(&["sync"]);
    assert_eq!(server_states(&g).0, set(&[]), "all read, Post 1 too");
    assert!(local(&cli).values().all(|(_, read, _)| *read));

    // The other way round: the unread after the mark is the last word.
    cli.ok(&["unread", &p1, &p0]);
    cli.ok(&["sync"]);
    cli.ok(&["read", "--feed", &feed]);
    cli.ok(&["unread", &p1]);
    cli.ok(&["star", &p0]);
    cli.ok(&["sync"]);
    assert_eq!(server_states(&g), (set(&["Post 1"]), set(&["Post 0"])));

    // Entry by entry (--all), then one taken back, without a sync in between.
    cli.ok(&["read", "--all"]);
    cli.ok(&["unread", &p0]);
    cli.ok(&["unstar", &p0]);
    cli.ok(&["sync"]);
    assert_eq!(server_states(&g), (set(&["Post 0"]), set(&[])));
    let here = local(&cli);
    assert_eq!((here["Post 0"].1, here["Post 1"].1), (false, true));
}

#[test]
fn a_feed_unsubscribed_on_the_server_is_removed_here_and_remove_takes_a_starred_one() {
    let lab = FreshRss::shared();
    let u = lab.user("cliunsub");
    let (a, b, c) = (
        feed_server("Unsub A", 2),
        feed_server("Unsub B", 2),
        feed_server("Unsub C", 2),
    );
    let streams: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|s| u.subscribe(&s.url("/feed.xml")))
        .collect();
    let cli = synced(&u);
    cli.ok(&["sync"]);
    let feeds = || cli.json(&["feeds"]).as_array().unwrap().len();
    assert_eq!(feeds(), 3);

    // Another client unsubscribes one feed: the next sync applies it.
    rt().block_on(u.client().unsubscribe(&streams[0])).unwrap();
    let report = cli.json(&["sync"]);
    assert_eq!(report["feeds"]["removed"], 1, "{report}");
    assert_eq!(feeds(), 2);

    // `remove` of a feed holding a starred entry is the user's own word: applied.
    let listed = cli.json(&["list", "--feed", "Unsub B"]);
    let entry = listed[0]["id"].as_i64().unwrap().to_string();
    cli.ok(&["star", &entry]);
    cli.ok(&["sync"]);
    cli.ok(&["remove", "Unsub B", "--force"]);
    assert_eq!(feeds(), 1);
    let left: Vec<String> = rt()
        .block_on(u.client().subscriptions())
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, vec![streams[2].clone()]);
}
