//! The real binary in a pseudo-terminal: navigate to a month, open an entry, open its DOI with a
//! recording browser, quit, and check the exit status and that the terminal was restored.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::pty::{row_of, unread_shown, Pty};
use common::{rss, Cli, Reply, Server};

#[test]
fn navigate_open_entry_open_doi_and_quit_restores_the_terminal() {
    let feed = rss(
        "Group Blog",
        &[
            (
                "dec",
                "Networks in December",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                r#"<p>Our study is <a href="https://doi.org/10.1111/hsc.12135">published</a>; more soon.</p>"#,
            ),
            (
                "jan",
                "January news",
                "Tue, 13 Jan 2015 10:00:00 +0000",
                "<p>New year.</p>",
            ),
            (
                "feb",
                "February news",
                "Tue, 10 Feb 2015 10:00:00 +0000",
                "<p>Snow.</p>",
            ),
        ],
    );
    let server = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let cli = Cli::new();
    cli.write_config("[ui]\nrefresh_on_start = false\n");
    cli.ok(&["add", &server.url("/feed")]);

    let dir = tempfile::tempdir().unwrap();
    let (script, log) = common::line_recording_browser(dir.path());

    let mut cmd = cli.command();
    cmd.env("PAPERBOY_BROWSER", &script)
        .env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 100, 30);
    // Opens on the newest month.
    pty.wait_for("February news");
    assert!(pty.parser.screen().alternate_screen());

    // Jump to December 2014 by typing it.
    pty.send(":");
    pty.send("2014-12\r");
    pty.wait_for("Networks in December");

    // Open the entry: the reader shows its text, with the link numbered.
    pty.send("\r");
    pty.wait_for("Our study is");
    // Open link 1 (the DOI) in the "browser".
    pty.send("1");
    let start = Instant::now();
    while !log.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "browser never started"
        );
        std::thread::sleep(Duration::from_millis(50));
        pty.pump();
    }
    std::thread::sleep(Duration::from_millis(200));
    let args = std::fs::read_to_string(&log).unwrap();
    assert_eq!(args.trim_end(), "https://doi.org/10.1111/hsc.12135");

    // s stars the open entry, saved at once.
    pty.send("s");
    pty.wait_for("starred ★");
    assert!(
        pty.errors_seen.is_empty(),
        "errors shown: {:#?}",
        pty.errors_seen
    );

    // Back out of the reader, then quit from the top level.
    pty.send("q");
    pty.send("q");
    let start = Instant::now();
    let status = loop {
        pty.pump();
        match pty.session.get_process().status() {
            Ok(expectrl::WaitStatus::StillAlive) | Err(_) => {}
            Ok(s) => break s,
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not quit");
        std::thread::sleep(Duration::from_millis(30));
    };
    pty.pump();
    assert!(
        matches!(status, expectrl::WaitStatus::Exited(_, 0)),
        "exit status: {status:?}"
    );
    // Terminal restored: the alternate screen left, the cursor shown again, mouse capture off.
    let raw = String::from_utf8_lossy(&pty.raw);
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(raw[entered..].contains("\x1b[?25h"), "cursor shown again");
    assert!(
        raw[entered..].contains("\x1b[?1000l"),
        "mouse capture disabled"
    );
    assert!(!pty.parser.screen().alternate_screen());
    assert!(!pty.parser.screen().hide_cursor());
    // The star reached the cache, and opening the entry had marked it read.
    let starred = cli.json(&["list", "--starred"]);
    assert_eq!(starred.as_array().map(Vec::len), Some(1), "{starred}");
    assert_eq!(starred[0]["title"], "Networks in December");
    assert_eq!(starred[0]["read"], true);

    // Opening marked the entry read, and it was saved at once.
    let list = cli.json(&["list", "--month", "2014-12"]);
    assert_eq!(list[0]["read"], true);
}

#[test]
fn a_panic_still_restores_the_terminal() {
    // PAPERBOY_TEST_PANIC is not a feature: a debug-build hook (see tui::run) for this test only.
    let cli = Cli::new();
    let mut cmd = cli.command();
    cmd.arg("--demo").env("PAPERBOY_TEST_PANIC", "1");
    let mut pty = Pty::spawn(cmd, 80, 24);
    let start = Instant::now();
    loop {
        pty.pump();
        if !matches!(
            pty.session.get_process().status(),
            Ok(expectrl::WaitStatus::StillAlive)
        ) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not exit");
        std::thread::sleep(Duration::from_millis(30));
    }
    pty.pump();
    let mut rest = Vec::new();
    let _ = pty.session.read_to_end(&mut rest);
    pty.raw.extend_from_slice(&rest);
    let raw = String::from_utf8_lossy(&pty.raw);
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    assert!(
        raw[entered..].contains("\x1b[?1049l"),
        "left the alternate screen after a panic"
    );
    assert!(
        raw[entered..].contains("test panic"),
        "the panic message is shown"
    );
}

/// The items of a feed: (guid, title, date, body) with `n` posts in December 2014.
fn items(tag: &str, n: usize, month: &str) -> Vec<(String, String, String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("{tag}-{month}-{i}"),
                format!("{tag} {month} post {i}"),
                format!("Mon, {:02} {month} 2014 10:00:00 +0000", i + 1),
                format!("<p>Post {i} of {tag}.</p>"),
            )
        })
        .collect()
}

/// The README promises that the reader can stay open while other processes change the cache.
/// The reader (with its default config: it refreshes on start) stays open while every command
/// that writes the cache runs from another process; after each, `R` refreshes and the reader
/// must show the change, never a cache error. Before the fix, the reader's worker handles
/// closed a descriptor of the cache outside SQLite, which dropped the reader's locks, so the
/// first `paperboy` command to exit deleted the WAL under the reader ("database disk image is
/// malformed", guids in the feed column).
#[test]
fn the_reader_keeps_working_while_other_processes_change_the_cache() {
    let fresh = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let serve_fresh = fresh.clone();
    let server = Server::start(move |req| {
        let doc = |title: &str, items: Vec<(String, String, String, String)>| {
            Reply::ok("application/rss+xml", rss(title, &items))
        };
        match req.path.as_str() {
            "/alpha/" => {
                let mut it = items("Alpha", 30, "Dec");
                if serve_fresh.load(std::sync::atomic::Ordering::SeqCst) {
                    it.push((
                        "alpha-fresh".into(),
                        "Freshly fetched by the CLI".into(),
                        "Wed, 31 Dec 2014 10:00:00 +0000".into(),
                        "<p>New.</p>".into(),
                    ));
                }
                doc("Alpha", it)
            }
            // A WordPress blog's older page: `backfill` finds it by probing ?paged=2.
            "/alpha/?paged=2" => doc("Alpha", items("Alpha", 5, "Nov")),
            "/beta/" => doc("Beta", items("Beta", 30, "Dec")),
            "/gamma/" => doc("Gamma", items("Gamma", 4, "Dec")),
            "/delta/" => doc("Delta", items("Delta", 3, "Dec")),
            _ => Reply::status(404),
        }
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/alpha/")]);
    cli.ok(&["add", &server.url("/beta/")]);

    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 120, 40);
    pty.wait_until("both feeds", |s| {
        unread_shown(s, "Beta") == Some(30) && unread_shown(s, "Alpha") == Some(30)
    });
    // The refresh on start has finished.
    pty.wait_until("the start refresh", |s| s.contains("refreshed"));

    let step = |pty: &mut Pty, what: &str, args: &[&str], shown: &dyn Fn(&str) -> bool| {
        cli.ok(args);
        // Three whole refreshes each time (the damage showed from the third on): each has
        // reached the server before its end is awaited.
        for _ in 0..3 {
            let before = server.requests.lock().unwrap().len();
            pty.send("R");
            let start = Instant::now();
            while server.requests.lock().unwrap().len() == before {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "R after {what} fetched nothing; screen:\n{}",
                    pty.screen()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            pty.wait_until(&format!("a refresh after {what}"), |s| {
                s.contains("refreshed") && !s.contains("refreshing")
            });
        }
        pty.wait_until(what, shown);
    };

    step(&mut pty, "remove", &["remove", "Beta"], &|s| {
        row_of(s, "Beta").is_none() && s.contains("Feeds (1)")
    });
    step(&mut pty, "add", &["add", &server.url("/gamma/")], &|s| {
        unread_shown(s, "Gamma") == Some(4)
    });
    let opml_dir = tempfile::tempdir().unwrap();
    let opml = opml_dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body><outline text="Delta" xmlUrl="{}"/></body></opml>"#,
            server.url("/delta/")
        ),
    )
    .unwrap();
    // The reader's own refresh fetches the feed the import subscribed to.
    step(
        &mut pty,
        "import",
        &["import", opml.to_str().unwrap()],
        &|s| unread_shown(s, "Delta") == Some(3),
    );
    fresh.store(true, std::sync::atomic::Ordering::SeqCst);
    step(&mut pty, "refresh", &["refresh", "Alpha"], &|s| {
        unread_shown(s, "Alpha") == Some(31) && s.contains("Freshly fetched by the CLI")
    });
    step(&mut pty, "backfill", &["backfill", "Alpha"], &|s| {
        unread_shown(s, "Alpha") == Some(36) && s.contains("November")
    });

    let gamma = cli.json(&["list", "--feed", "Gamma"]);
    let ids: Vec<String> = gamma
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 4);
    let mut read = vec!["read"];
    read.extend(ids.iter().map(String::as_str));
    step(&mut pty, "read", &read, &|s| {
        row_of(s, "Gamma").is_some() && unread_shown(s, "Gamma") == Some(0)
    });
    step(&mut pty, "unread", &["unread", &ids[0]], &|s| {
        unread_shown(s, "Gamma") == Some(1)
    });

    // `A` (mark the listing read) writes from the reader itself: December of all feeds.
    pty.send("A");
    pty.wait_until("A marking the month read", |s| {
        s.contains("marked 35 entries read") && unread_shown(s, "Gamma") == Some(0)
    });
    assert_eq!(
        cli.json(&["list", "--unread"]).as_array().map(Vec::len),
        Some(5)
    );

    // The reader still answers keys, and the file is sound.
    pty.send("q");
    pty.wait_exit();
    // No step showed an error on the status line, not even briefly.
    assert!(
        pty.errors_seen.is_empty(),
        "errors shown: {:#?}",
        pty.errors_seen
    );
    let out = cli.run(&["doctor"]);
    let doctor = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{doctor}");
    let integrity = doctor.lines().find(|l| l.starts_with("integrity"));
    assert_eq!(
        integrity.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["integrity", "ok"]),
        "{doctor}"
    );
}

/// The titles of the demo's posts citing `key` in `month`, from the library itself (what the
/// Papers view must show, whatever the demo's posts are called).
fn demo_citing_titles(key: &str, month: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let paths = paperboy::paths::Paths::resolve(Some(dir.path()), None).unwrap();
    let mut lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    lib.load_demo().unwrap();
    let papers = lib
        .papers(&paperboy::store::ListQuery {
            month: Some(month.to_string()),
            ..paperboy::store::ListQuery::default()
        })
        .unwrap();
    let paper = papers
        .iter()
        .find(|p| p.key == key)
        .expect("the demo cites the paper");
    paper
        .cited_by
        .iter()
        .map(|id| lib.entry(*id).unwrap().title)
        .collect()
}

/// Waits until the recording browser has been given `url`.
fn wait_for_browser(pty: &mut Pty, log: &std::path::Path, url: &str) {
    let start = Instant::now();
    loop {
        pty.pump();
        let args = std::fs::read_to_string(log).unwrap_or_default();
        if args.lines().any(|l| l == url) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the browser never got {url}; it got {args:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_papers_view_by_key_and_by_row_lists_posts_and_opens_the_paper() {
    let titles = demo_citing_titles("doi:10.1111/hsc.12135", "2014-12");
    assert!(!titles.is_empty());
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let (script, log) = common::line_recording_browser(dir.path());
    let mut cmd = cli.command();
    // The demo never uses the network: doi.org is only handed to the recording browser.
    cmd.arg("--demo")
        .env("PAPERBOY_BROWSER", &script)
        .env("PAPERBOY_DOI_RESOLVER", "https://doi.org")
        .env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Feeds (3)");
    pty.send(":");
    pty.send("2014-12\r");
    pty.wait_for("December 2014 (");

    // By key: the month's papers, the seed's with its citation line.
    pty.send("P");
    pty.wait_for("Papers · December 2014 (");
    pty.wait_for("Webber, M., Reidy, H., Ansari, D.");
    // The selected paper is shown in full under the list: move to the seed's.
    pty.select_paper("doi:10.1111/hsc.12135");
    let posts = if titles.len() == 1 { "post" } else { "posts" };
    pty.wait_for(&format!("cited by {} {posts} in", titles.len()));

    // o: the paper at doi.org, through the opener (never a shell).
    pty.send("o");
    wait_for_browser(&mut pty, &log, "https://doi.org/10.1111/hsc.12135");

    // Enter: the posts citing it; Enter there reads one; Esc twice comes back to the papers.
    pty.send("\r");
    pty.wait_for(&format!(
        "Posts citing 10.1111/hsc.12135 ({})",
        titles.len()
    ));
    let first: String = titles[0].chars().take(30).collect();
    pty.wait_for(&first);
    pty.send("\r");
    pty.wait_until("the post in the reader", |s| {
        s.contains(&first) && !s.contains("Posts citing")
    });
    pty.send("\x1b");
    pty.wait_for("Posts citing 10.1111/hsc.12135");
    pty.send("\x1b");
    pty.wait_for("Papers · December 2014 (");
    pty.send("\x1b");
    pty.wait_until("the entries again", |s| {
        s.contains("December 2014 (") && !s.contains("Papers · ")
    });

    // By row: the Feeds pane's Cited papers row shows every feed's papers for the month the
    // Archive has selected (passing Unread and Starred on the way moved it), and follows a
    // jump back to December 2014.
    pty.send("\t");
    for _ in 0..3 {
        pty.send("j");
    }
    pty.wait_for("Papers · ");
    pty.send(":");
    pty.send("2014-12\r");
    pty.wait_for("Papers · December 2014 (");
    pty.wait_for("Webber, M., Reidy, H., Ansari, D.");
    // Leaving the row gives the entries back.
    pty.send("j");
    pty.wait_until("the entries again", |s| !s.contains("Papers · "));
    assert!(
        pty.errors_seen.is_empty(),
        "errors on the status line: {:?}",
        pty.errors_seen
    );
    pty.send("\x03");
    pty.wait_exit();
}

/// A configured style other than the default is read before the first frame, so that its
/// error is on the first screen (the default one is decoded after that frame).
#[test]
fn a_bad_citation_style_is_said_on_the_first_screen() {
    let cli = Cli::new();
    let bad = cli.dir.path().join("bad.csl");
    std::fs::write(&bad, "<not-a-style/>").unwrap();
    cli.write_config(&format!(
        "[ui]\nrefresh_on_start = false\n[papers]\nstyle = {:?}\n",
        bad.to_str().unwrap()
    ));
    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 160, 30);
    pty.wait_for("[papers] style");
    pty.send("q");
}
