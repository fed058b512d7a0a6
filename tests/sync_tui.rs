//! The reader with a sync account, in a pseudo-terminal, against the real FreshRSS (one user per
//! test): the start-up sync, the debounced push of read/star changes, and a sync that fails.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::freshrss::{feed_server, rt, server_ids, sync_config, FreshRss, LabUser};
use common::pty::{row_of, unread_shown, Pty, DEADLINE};
use common::Cli;
use paperboy::sync::greader::{GReader, READ, READING_LIST, STARRED};

/// The account's (unread, starred) item ids, as another client sees them.
fn states(g: &GReader) -> (HashSet<i64>, HashSet<i64>) {
    let rt = rt();
    let unread = rt.block_on(g.item_ids(READING_LIST, Some(READ))).unwrap();
    let starred = rt.block_on(g.item_ids(STARRED, None)).unwrap();
    (unread.into_iter().collect(), starred.into_iter().collect())
}

/// `config.toml` for `url` as the lab user's account, refreshing (so syncing) on start.
fn config(u: &LabUser, url: &str) -> String {
    format!(
        "{}[ui]\nrefresh_on_start = true\n",
        sync_config(url, &u.user, &u.api_password)
    )
}

fn reader(cli: &Cli) -> Pty {
    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    Pty::spawn(cmd, 120, 40)
}

/// Local changes waiting to be pushed (`sync status`, which needs no network).
fn queued(cli: &Cli) -> i64 {
    cli.json(&["sync", "status"])["queued"].as_i64().unwrap()
}

#[test]
fn the_reader_syncs_on_start_and_pushes_read_and_star_changes() {
    let lab = FreshRss::shared();
    let u = lab.user("tuisync");
    let blog = feed_server("Synced Blog", 3);
    u.subscribe(&blog.url("/feed.xml"));
    let g = u.client();
    let ids = server_ids(&g);
    assert_eq!(ids.len(), 3, "{ids:?}");
    let (unread, starred) = states(&g);
    assert_eq!(unread.len(), 3, "all unread on the server to begin with");
    assert!(starred.is_empty());

    // An empty data dir: everything comes from the account.
    let cli = Cli::new();
    cli.write_config(&config(&u, &u.api));
    let mut pty = reader(&cli);
    pty.wait_until(
        "the account's feed and its posts after the start-up sync",
        |s| {
            row_of(s, "Synced Blog").is_some_and(|r| r.contains("⇅ Synced Blog"))
                && unread_shown(s, "Synced Blog") == Some(3)
                && s.contains("Post 2")
                && s.contains("refreshed: 3 new entries")
        },
    );

    // On the newest entry (focus starts on the entries): m reads it, s stars it.
    pty.send("m");
    pty.wait_until("the entry read", |s| {
        unread_shown(s, "Synced Blog") == Some(2)
    });
    // The last change: nothing may reach the server before 5 s after it (the push debounce).
    let last_change = Instant::now();
    pty.send("s");
    pty.wait_until("the entry starred", |s| {
        unread_shown(s, "★ Starred") == Some(1)
    });
    let starred_here = cli.json(&["list", "--starred"]);
    assert_eq!(starred_here[0]["title"], "Post 2", "{starred_here}");
    assert_eq!(starred_here[0]["read"], true, "{starred_here}");

    // The reader pushes them by itself a moment later; no sync is run here.
    let post = ids["Post 2"];
    let start = Instant::now();
    let (unread, starred) = loop {
        let (unread, starred) = states(&g);
        if !unread.contains(&post) || starred.contains(&post) {
            assert!(
                last_change.elapsed() >= Duration::from_secs(5),
                "pushed {:?} after the last change, before the 5 s debounce",
                last_change.elapsed()
            );
        }
        if !unread.contains(&post) && starred.contains(&post) {
            break (unread, starred);
        }
        assert!(
            start.elapsed() < DEADLINE,
            "the server never got the changes: unread {unread:?}, starred {starred:?}; screen:\n{}",
            pty.screen()
        );
        std::thread::sleep(Duration::from_millis(250));
        pty.pump();
    };
    assert_eq!(
        unread,
        HashSet::from([ids["Post 0"], ids["Post 1"]]),
        "only that entry read"
    );
    assert_eq!(starred, HashSet::from([post]), "only that entry starred");
    assert_eq!(queued(&cli), 0, "nothing left in the queue");
    assert!(!pty.screen().contains("not pushed"), "{}", pty.screen());

    pty.send("q");
    pty.wait_exit();
}

#[test]
fn a_failed_sync_shows_in_the_status_line_and_the_reader_works_from_the_cache() {
    let lab = FreshRss::shared();
    let u = lab.user("tuioffline");
    let blog = feed_server("Cached Blog", 3);
    u.subscribe(&blog.url("/feed.xml"));
    let cli = Cli::new();
    cli.write_config(&config(&u, &u.api));
    cli.ok(&["sync"]);

    // The server is gone: a loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    cli.write_config(&config(
        &u,
        &format!("http://127.0.0.1:{port}/api/greader.php"),
    ));
    let mut pty = reader(&cli);
    // Once the refresh is over, its last word is the failed sync, and the cache is all there.
    pty.wait_until(
        "the sync failure after the refresh, with the cached posts",
        |s| {
            let status = s.lines().last().unwrap_or("");
            status.starts_with("sync failed: ")
                && row_of(s, "Cached Blog").is_some_and(|r| r.contains("⇅ Cached Blog"))
                && unread_shown(s, "Cached Blog") == Some(3)
                && s.contains("Post 2")
        },
    );

    // Offline, a change is made and kept: the push fails, says so, and leaves it queued.
    pty.send("m");
    pty.wait_until("the entry read", |s| {
        unread_shown(s, "Cached Blog") == Some(2)
    });
    pty.wait_for("changes not pushed");
    assert_eq!(queued(&cli), 1);
    pty.send("q");
    pty.wait_exit();

    // Back online, the next sync takes it to the server.
    cli.write_config(&config(&u, &u.api));
    cli.ok(&["sync"]);
    let g = u.client();
    let ids = server_ids(&g);
    let (unread, _) = states(&g);
    assert_eq!(unread, HashSet::from([ids["Post 0"], ids["Post 1"]]));
}
