//! The foundation end to end: the real binary against feeds served on 127.0.0.1.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{rss, Cli, Reply, Server};
use serde_json::Value;

const RSS: &str = "application/rss+xml";

fn two_items() -> String {
    rss(
        "Two Posts",
        &[
            (
                "a",
                "First post",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                "<p>One doi:10.1111/hsc.12135.</p>",
            ),
            (
                "b",
                "Second post",
                "Tue, 13 Jan 2015 10:00:00 +0000",
                "<p>Two</p>",
            ),
        ],
    )
}

fn feed_row(cli: &Cli, id: i64) -> Value {
    let feeds = cli.json(&["feeds"]);
    feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
        .unwrap()
}

#[test]
fn add_list_months_and_show() {
    let server = Server::start(|_| Reply::ok(RSS, two_items()));
    let cli = Cli::new();
    let out = cli.ok(&["add", &server.url("/feed")]);
    assert!(out.contains("Two Posts"), "{out}");
    assert!(out.contains("2 entries"), "{out}");

    let months = cli.json(&["months"]);
    assert_eq!(months[0]["month"], "2015-01");
    assert_eq!(months[1]["month"], "2014-12");
    assert_eq!(months[1]["count"], 1);
    assert_eq!(months[1]["unread"], 1);

    let list = cli.json(&["list", "--month", "2014-12"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["title"], "First post");
    assert_eq!(rows[0]["feed_title"], "Two Posts");
    assert_eq!(rows[0]["month"], "2014-12");
    assert_eq!(rows[0]["read"], false);
    assert_eq!(rows[0]["dois"][0], "10.1111/hsc.12135");
    for key in ["id", "feed_id", "link", "published"] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }

    let id = rows[0]["id"].as_i64().unwrap().to_string();
    let shown = cli.ok(&["show", &id, "--width", "60"]);
    assert!(shown.contains("First post"), "{shown}");
    assert!(shown.contains("10.1111/hsc.12135"), "{shown}");

    cli.ok(&["read", &id]);
    let list = cli.json(&["list", "--unread"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    cli.ok(&["unread", &id]);
    assert_eq!(cli.json(&["list", "--unread"]).as_array().unwrap().len(), 2);

    // Piped output has no header: the first token of `months` is the newest month.
    let plain = cli.ok(&["months"]);
    assert!(plain.starts_with("2015-01"), "{plain}");
    let plain = cli.ok(&["list"]);
    assert!(
        plain.contains("Second post") && !plain.starts_with("ID"),
        "{plain}"
    );
}

#[test]
fn second_refresh_is_a_conditional_get_answered_304() {
    let server = Server::start(|req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Reply::status(304)
        } else {
            Reply::ok(RSS, two_items())
                .with_header("ETag", "\"v1\"")
                .with_header("Last-Modified", "Mon, 01 Dec 2014 10:00:00 GMT")
        }
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/feed")]);
    let r = cli.json(&["refresh"]);
    assert_eq!(r[0]["status"], "not_modified", "{r}");
    assert_eq!(r[0]["new"], 0);
    let reqs = server.requests_to("/feed");
    let last = reqs.last().unwrap();
    assert_eq!(last.header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        last.header("if-modified-since"),
        Some("Mon, 01 Dec 2014 10:00:00 GMT")
    );
    assert!(last.header("user-agent").unwrap().starts_with("paperboy/"));
    assert_eq!(cli.json(&["list"]).as_array().unwrap().len(), 2);
}

#[test]
fn permanent_redirect_updates_the_stored_url() {
    let moved = Arc::new(AtomicUsize::new(0));
    let m = moved.clone();
    let server = Server::start(move |req| match req.path.as_str() {
        "/old" if m.load(Ordering::SeqCst) > 0 => Reply::redirect(301, "/new"),
        "/old" | "/new" => Reply::ok(RSS, two_items()),
        _ => Reply::status(404),
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/old")]);
    moved.store(1, Ordering::SeqCst);
    let r = cli.json(&["refresh"]);
    assert_eq!(r[0]["url"], server.url("/new"), "{r}");
    let feed = feed_row(&cli, 1);
    assert_eq!(feed["url"], server.url("/new"));
}

#[test]
fn failures_are_recorded_per_feed_and_never_touch_cached_entries() {
    let mode = Arc::new(AtomicUsize::new(0));
    let m = mode.clone();
    let server = Server::start(move |req| {
        let phase = m.load(Ordering::SeqCst);
        match (req.path.as_str(), phase) {
            (_, 0) => Reply::ok(RSS, two_items()),
            ("/f404", _) => Reply::status(404),
            ("/f500", _) => Reply::status(500),
            ("/loop", _) => Reply::redirect(302, "/loop"),
            ("/html", _) => Reply::ok("text/html", "<!doctype html><html><head><title>Blog</title></head><body><p>hello</p></body></html>"),
            ("/trunc", _) => Reply::ok(RSS, {
                let full = two_items();
                full[..full.len() - 40].to_string()
            }),
            ("/empty", _) => Reply::ok(RSS, rss::<&str>("Two Posts", &[])),
            ("/ok", _) => Reply::ok(RSS, two_items()),
            _ => Reply::status(404),
        }
    });
    let cli = Cli::new();
    let paths = [
        "/f404", "/f500", "/loop", "/html", "/trunc", "/empty", "/ok",
    ];
    for p in paths {
        cli.ok(&["add", &server.url(p)]);
    }
    mode.store(1, Ordering::SeqCst);
    let out = cli.run(&["refresh", "--json"]);
    assert!(
        !out.status.success(),
        "a failed feed must make refresh exit non-zero"
    );
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_url = |p: &str| -> Value {
        reports
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["url"] == server.url(p))
            .cloned()
            .unwrap()
    };
    let err = |p: &str| by_url(p)["error"].as_str().unwrap_or("").to_string();
    assert!(err("/f404").contains("404"), "{}", err("/f404"));
    assert!(err("/f500").contains("500"), "{}", err("/f500"));
    assert!(
        err("/loop").to_lowercase().contains("redirect"),
        "{}",
        err("/loop")
    );
    assert!(
        err("/html").to_lowercase().contains("html"),
        "{}",
        err("/html")
    );
    assert!(
        err("/trunc").to_lowercase().contains("truncated"),
        "{}",
        err("/trunc")
    );
    assert_eq!(by_url("/empty")["status"], "updated");
    assert_eq!(by_url("/ok")["status"], "updated");
    for r in reports.as_array().unwrap() {
        if let Some(e) = r["error"].as_str() {
            assert!(!e.contains('\n'), "one-line reason: {e}");
        }
    }
    // Every feed still holds both cached entries, and the error is shown in `feeds`.
    let feeds = cli.json(&["feeds"]);
    for f in feeds.as_array().unwrap() {
        assert_eq!(f["entries"], 2, "{f}");
    }
    let f404 = feeds
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["url"] == server.url("/f404"))
        .unwrap();
    assert!(f404["last_error"].as_str().unwrap().contains("404"));
    assert_eq!(cli.json(&["list"]).as_array().unwrap().len(), 14);
}

/// `remove` run while a refresh is fetching the feed (the reader's start-up refresh and a CLI
/// `remove 3`): the refresh skips it, with no failure and none of its rows written back.
#[test]
fn a_feed_removed_while_its_refresh_is_in_flight_is_skipped() {
    let cli = Cli::new();
    let dir = cli.data_dir().to_path_buf();
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let handler_armed = armed.clone();
    let server = Server::start(move |req| {
        // Feed 2 answers with posts, feed 3 with a failure: each after its own removal.
        let feed = match req.path.as_str() {
            "/b" => "2",
            "/c" => "3",
            _ => return Reply::ok(RSS, two_items()),
        };
        if !handler_armed.load(Ordering::SeqCst) {
            return Reply::ok(RSS, two_items());
        }
        let reply = if feed == "2" {
            Reply::ok(RSS, two_items())
        } else {
            Reply::status(500)
        };
        // Checked below by the feeds left (a retried request removes nothing the second time).
        let _ = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"))
            .env("PAPERBOY_DATA_DIR", &dir)
            .env_remove("PAPERBOY_CONFIG")
            .args(["remove", feed])
            .output();
        reply
    });
    for path in ["/a", "/b", "/c"] {
        cli.ok(&["add", &server.url(path)]);
    }
    let b_entries: Vec<i64> = cli
        .json(&["list", "--feed", "2"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(b_entries.len(), 2);
    armed.store(true, Ordering::SeqCst);

    let out = cli.run(&["refresh"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.ends_with("1 feed: 0 updated (0 new entries), 1 not modified, 0 failed\n")
            || stdout.ends_with("1 feed: 1 updated (0 new entries), 0 not modified, 0 failed\n"),
        "only feed 1 is reported: {stdout}"
    );
    let feeds = cli.json(&["feeds"]);
    assert_eq!(feeds.as_array().unwrap().len(), 1, "{feeds}");
    assert_eq!(feeds[0]["id"], 1);
    let left: Vec<i64> = cli
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left.len(), 2, "only feed 1's entries: {left:?}");
    assert!(left.iter().all(|id| !b_entries.contains(id)), "{left:?}");
}

#[test]
fn gone_feeds_are_marked_and_no_longer_fetched() {
    let server = Server::start(|req| match req.path.as_str() {
        "/gone" if req.header("if-none-match").is_some() => Reply::status(410),
        _ => Reply::ok(RSS, two_items()).with_header("ETag", "\"x\""),
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/gone")]);
    let _ = cli.run(&["refresh"]);
    let feed = feed_row(&cli, 1);
    assert_eq!(feed["gone"], true, "{feed}");
    assert_eq!(feed["entries"], 2);
    let before = server.requests_to("/gone").len();
    let r = cli.json(&["refresh"]);
    assert_eq!(
        r.as_array().unwrap().len(),
        0,
        "a gone feed is skipped: {r}"
    );
    assert_eq!(server.requests_to("/gone").len(), before);
}

#[test]
fn timeout_and_size_cap_come_from_config() {
    let server = Server::start(|req| match req.path.as_str() {
        "/slow" => Reply::Hang,
        "/big" => Reply::ok(RSS, vec![b' '; 3 * 1024 * 1024]),
        _ => Reply::ok(RSS, two_items()),
    });
    let cli = Cli::new();
    cli.write_config("[fetch]\ntimeout_secs = 1\nmax_body_mib = 1\n");
    // Subscribe while they still answer: add the working one, then import the others.
    let opml = format!(
        "<opml version=\"2.0\"><head/><body><outline text=\"s\" xmlUrl=\"{}\"/><outline text=\"b\" xmlUrl=\"{}\"/><outline text=\"ok\" xmlUrl=\"{}\"/></body></opml>",
        server.url("/slow"), server.url("/big"), server.url("/ok")
    );
    let f = cli.data_dir().join("in.opml");
    std::fs::write(&f, opml).unwrap();
    cli.ok(&["import", f.to_str().unwrap()]);
    let out = cli.run(&["refresh", "--json"]);
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |p: &str| {
        reports
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["url"] == server.url(p))
            .cloned()
            .unwrap()
    };
    assert!(
        find("/slow")["error"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{reports}"
    );
    assert!(
        find("/big")["error"].as_str().unwrap().contains("1 MiB"),
        "{reports}"
    );
    assert_eq!(find("/ok")["status"], "updated");
}

#[test]
fn autodiscovery_from_a_site_page() {
    let server = Server::start(|req| {
        match req.path.as_str() {
        "/blog/" => Reply::ok(
            "text/html",
            "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" title=\"Feed\" href=\"feed.xml\"></head><body>Blog</body></html>",
        ),
        "/blog/feed.xml" => Reply::ok(RSS, two_items()),
        _ => Reply::status(404),
    }
    });
    let cli = Cli::new();
    let out = cli.ok(&["add", &server.url("/blog/")]);
    assert!(out.contains(&server.url("/blog/feed.xml")), "{out}");
    let feed = feed_row(&cli, 1);
    assert_eq!(feed["url"], server.url("/blog/feed.xml"));
    assert_eq!(feed["entries"], 2);
}

#[test]
fn atom_json_feed_and_latin1_are_read() {
    let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Blog</title><id>urn:x</id><updated>2015-02-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>Atom entry</title><link href="/p/1"/><updated>2015-02-01T00:00:00Z</updated><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"JSON Blog","items":[{"id":"j1","title":"JSON entry","content_html":"<p>x</p>","date_published":"2015-03-02T10:00:00Z","url":"https://example.org/j1"}]}"#;
    let mut latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9 Science</title><item><guid>l1</guid><title>Na\xefve \x93quotes\x94</title><pubDate>Sun, 05 Apr 2015 10:00:00 +0000</pubDate><description>x</description></item></channel></rss>".to_vec();
    latin.push(b'\n');
    let server = Server::start(move |req| match req.path.as_str() {
        "/atom" => Reply::ok("application/atom+xml", atom),
        "/json" => Reply::ok("application/feed+json", json),
        "/latin" => Reply::ok("application/rss+xml", latin.clone()),
        _ => Reply::status(404),
    });
    let cli = Cli::new();
    for p in ["/atom", "/json", "/latin"] {
        cli.ok(&["add", &server.url(p)]);
    }
    let list = cli.json(&["list"]);
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Atom entry"), "{titles:?}");
    assert!(titles.contains(&"JSON entry"), "{titles:?}");
    assert!(titles.contains(&"Naïve “quotes”"), "{titles:?}");
    let atom_entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Atom entry")
        .unwrap();
    assert_eq!(atom_entry["link"], server.url("/p/1"));
    let feeds = cli.json(&["feeds"]);
    assert!(feeds
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["title"] == "Café Science"));
}

#[test]
fn control_characters_never_reach_stdout() {
    let evil = rss(
        "Evil \u{1b}]52;c;aGk=\u{7} feed",
        &[(
            "e1",
            "Title \u{1b}[31mred\u{202e}txt",
            "Mon, 01 Dec 2014 10:00:00 +0000",
            "<p>Body \u{1b}]8;;http://evil/\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{9b}2J</p>",
        )],
    );
    let server = Server::start(move |_| Reply::ok(RSS, evil.clone()));
    let cli = Cli::new();
    let mut outputs = vec![cli.ok(&["add", &server.url("/evil")])];
    outputs.push(cli.ok(&["feeds"]));
    outputs.push(cli.ok(&["list"]));
    outputs.push(cli.ok(&["list", "--json"]));
    outputs.push(cli.ok(&["show", "1"]));
    outputs.push(cli.ok(&["refresh"]));
    for out in outputs {
        assert!(
            paperboy::text::scrub::is_clean(&out.replace(['\n', '\t'], "")),
            "control character in output: {out:?}"
        );
        assert!(!out.contains('\u{1b}'));
    }
}

#[test]
fn opml_round_trip() {
    let server = Server::start(|_| Reply::ok(RSS, two_items()));
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/a")]);
    cli.ok(&["add", &server.url("/b")]);
    let out = cli.data_dir().join("out.opml");
    cli.ok(&["export", "-o", out.to_str().unwrap()]);
    let other = Cli::new();
    let msg = other.ok(&["import", out.to_str().unwrap()]);
    assert!(msg.contains("imported 2"), "{msg}");
    let urls: Vec<String> = other
        .json(&["feeds"])
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap().to_string())
        .collect();
    assert!(
        urls.contains(&server.url("/a")) && urls.contains(&server.url("/b")),
        "{urls:?}"
    );
}

#[test]
fn errors_name_what_failed() {
    let cli = Cli::new();
    let out = cli.run(&["show", "999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("999"));
    let out = cli.run(&["add", "ftp://example.org/feed"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ftp"));
    let out = cli.run(&["list", "--month", "2014-13"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"));
    cli.write_config("[fetch]\ntimeout_secs = = 3\n");
    let out = cli.run(&["feeds"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("config.toml"),
        "{err}"
    );
}

/// Issue 11: `list --json` carries the feed's `published`, its `updated` and the `date` the
/// reader shows; an entry with only `<updated>` shows that date in the plain list; JSON carries
/// the real title, never a display placeholder.
#[test]
fn list_carries_published_updated_and_the_date_shown() {
    let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Dates</title>
  <entry><title>Both</title><id>u:1</id><link href="https://e.org/1"/>
    <published>2014-11-30T10:00:00Z</published><updated>2014-12-02T10:00:00Z</updated></entry>
  <entry><title>Updated only</title><id>u:2</id><link href="https://e.org/2"/>
    <updated>2014-12-05T10:00:00Z</updated></entry>
  <entry><id>u:3</id><link href="https://e.org/3"/><updated>2014-12-06T10:00:00Z</updated></entry>
</feed>"#;
    let server = Server::start(move |_| Reply::ok("application/atom+xml", atom.to_string()));
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/feed")]);
    let list = cli.json(&["list"]);
    let rows = list.as_array().unwrap();
    let row = |title: &str| rows.iter().find(|r| r["link"] == title).unwrap().clone();
    let both = row("https://e.org/1");
    assert_eq!(both["published"], "2014-11-30T10:00:00Z");
    assert_eq!(both["updated"], "2014-12-02T10:00:00Z");
    assert_eq!(both["date"], "2014-11-30T10:00:00Z");
    assert_eq!(both["month"], "2014-11");
    let only = row("https://e.org/2");
    assert_eq!(only["published"], Value::Null);
    assert_eq!(only["date"], "2014-12-05T10:00:00Z");
    assert_eq!(row("https://e.org/3")["title"], "");
    let plain = cli.ok(&["list"]);
    let line = plain.lines().find(|l| l.contains("Updated only")).unwrap();
    assert!(line.contains("2014-12-05"), "{plain}");
    assert!(!list.to_string().contains("(untitled)"), "{list}");
    let untitled = plain.lines().find(|l| l.contains("2014-12-06")).unwrap();
    assert!(untitled.ends_with("(untitled)"), "{plain}");
}

/// Issue 16 A10: a feed with one XML error a tolerant reader recovers from (an unescaped `&` in
/// a guid and a link, an HTML entity, a stray `<`) is stored whole by `refresh`, and `feeds`
/// (text and JSON) and the log say what was repaired until a clean fetch. A document cut short
/// stays a failed fetch whose validators are not kept, repairable error or not.
#[test]
fn a_feed_with_one_xml_error_is_repaired_stored_whole_and_flagged() {
    const BROKEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tolerant Lab</title><link>https://lab.example/</link>
<item><title>Alpha</title><link>https://lab.example/?p=1&amp;lang=en</link><guid isPermaLink="false">https://lab.example/?p=1</guid>
<pubDate>Mon, 01 Dec 2014 10:00:00 +0000</pubDate><description>first&nbsp;post</description></item>
<item><title>Beta</title><link>https://lab.example/?p=2&lang=en</link><guid isPermaLink="false">https://lab.example/?p=2&lang=en</guid>
<pubDate>Tue, 02 Dec 2014 10:00:00 +0000</pubDate><description>p < 0.05 here</description></item>
<item><title>Gamma</title><link>https://lab.example/?p=3</link><guid isPermaLink="false">https://lab.example/?p=3</guid>
<pubDate>Wed, 03 Dec 2014 10:00:00 +0000</pubDate><description>third post</description></item>
</channel></rss>
"#;
    let phase = Arc::new(AtomicUsize::new(0));
    let p = phase.clone();
    let server = Server::start(move |_| match p.load(Ordering::SeqCst) {
        // Subscribed while the feed was clean.
        0 | 2 => Reply::ok(RSS, two_items()).with_header("ETag", "\"clean\""),
        1 | 4 => Reply::ok(RSS, BROKEN).with_header("ETag", "\"broken\""),
        _ => Reply::ok(RSS, &BROKEN[..BROKEN.len() - 40]).with_header("ETag", "\"cut\""),
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/feed")]);
    assert_eq!(feed_row(&cli, 1)["warning"], Value::Null);

    phase.store(1, Ordering::SeqCst);
    let r = cli.json(&["refresh"]);
    assert_eq!(r[0]["status"], "updated", "{r}");
    let titles: Vec<String> = cli
        .json(&["list", "--feed", "1"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap_or("").to_string())
        .collect();
    for want in ["Alpha", "Beta", "Gamma"] {
        assert!(
            titles.iter().any(|t| t == want),
            "{want} missing: {titles:?}"
        );
    }
    let beta = cli.json(&["list", "--search", "Beta"]);
    assert_eq!(
        beta[0]["link"], "https://lab.example/?p=2&lang=en",
        "{beta}"
    );
    let warning = "repaired: 2 unescaped '&' (first at line 5), 1 undefined entity such as \
                   &nbsp; (line 4), 1 unescaped '<' (line 6)";
    let row = feed_row(&cli, 1);
    assert_eq!(row["warning"], warning, "{row}");
    assert_eq!(row["last_error"], Value::Null, "{row}");
    let text = cli.ok(&["feeds"]);
    assert!(text.contains(warning), "{text}");
    let log = std::fs::read_to_string(cli.data_dir().join("logs").join("paperboy.log"))
        .unwrap_or_default();
    assert!(
        log.contains(warning) && log.contains(&server.url("/feed")),
        "{log}"
    );

    // A clean fetch clears it.
    phase.store(2, Ordering::SeqCst);
    cli.ok(&["refresh"]);
    assert_eq!(feed_row(&cli, 1)["warning"], Value::Null);

    // Cut short: a failed fetch, whatever it would have repaired; the entries stay, and the
    // next request carries the last good document's validators, not the cut one's.
    phase.store(3, Ordering::SeqCst);
    let out = cli.run(&["refresh", "--json"]);
    assert!(!out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r[0]["error"].as_str().unwrap_or("").contains("truncated"),
        "{r}"
    );
    assert_eq!(feed_row(&cli, 1)["entries"], 5);
    phase.store(4, Ordering::SeqCst);
    cli.ok(&["refresh"]);
    let reqs = server.requests_to("/feed");
    assert_eq!(
        reqs.last().unwrap().header("if-none-match"),
        Some("\"clean\"")
    );
    assert_eq!(feed_row(&cli, 1)["warning"], warning);
}
