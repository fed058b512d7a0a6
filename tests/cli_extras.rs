//! What users expect around the binary: help, version, completions, man page, doctor, backfill.

mod common;

use common::{Cli, Reply, Server};

#[test]
fn version_and_help_for_every_command() {
    let cli = Cli::new();
    let v = cli.ok(&["--version"]);
    assert!(v.starts_with("paperboy "), "{v}");
    let help = cli.ok(&["--help"]);
    for cmd in [
        "add",
        "remove",
        "feeds",
        "import",
        "export",
        "refresh",
        "backfill",
        "months",
        "list",
        "show",
        "dois",
        "open",
        "cite",
        "bib",
        "read",
        "unread",
        "completions",
        "man",
        "doctor",
    ] {
        assert!(help.contains(cmd), "--help lists {cmd}");
        let sub = cli.ok(&[cmd, "--help"]);
        assert!(sub.contains("Usage: paperboy"), "{cmd} --help: {sub}");
    }
    assert!(cli.ok(&["list", "--help"]).contains("Examples:"));
}

#[test]
fn completions_for_each_shell_and_a_man_page() {
    let cli = Cli::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = cli.ok(&["completions", shell]);
        assert!(out.contains("paperboy"), "{shell}");
        assert!(out.contains("backfill"), "{shell} completes subcommands");
    }
    let man = cli.ok(&["man"]);
    assert!(man.contains(".TH paperboy 1"), "{man}");
    assert!(man.contains("refresh"));
}

#[test]
fn doctor_reports_paths_cache_config_and_browser() {
    let server = Server::start(|_| {
        Reply::ok(
            "application/rss+xml",
            common::rss(
                "D",
                &[(
                    "a",
                    "A",
                    "Mon, 01 Dec 2014 10:00:00 +0000",
                    "x doi:10.1111/hsc.12135",
                )],
            ),
        )
    });
    let cli = Cli::new();
    cli.write_config("browser = [\"/bin/true\", \"%u\"]\nmystery = 1\n");
    cli.ok(&["add", &server.url("/f")]);
    let out = cli.run(&["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(cli.data_dir().to_str().unwrap()), "{text}");
    assert!(text.contains("schema       version"), "{text}");
    assert!(text.contains("1 feed, 1 entry ("), "{text}");
    assert!(text.contains("integrity    ok"), "{text}");
    assert!(text.contains("unknown config key `mystery`"), "{text}");
    assert!(text.contains("found at /bin/true"), "{text}");
}

#[test]
fn doctor_passes_without_a_browser_and_fails_on_a_corrupt_cache() {
    let cli = Cli::new();
    cli.ok(&["feeds"]);
    // A headless machine: no browser is said, and is not a failed check.
    cli.write_config("browser = [\"/nonexistent/browser\"]\n");
    let out = cli.run(&["doctor"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("/nonexistent/browser (NOT FOUND"), "{text}");
    assert!(text.contains("integrity    ok"), "{text}");
    // A damaged cache is, with the same missing browser.
    std::fs::write(cli.db(), "not a SQLite database\n".repeat(300)).unwrap();
    let out = cli.run(&["doctor"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn add_with_backfill_fetches_the_history() {
    // A WordPress-style feed: 3 pages of 2 posts, 404 past the end.
    let server = Server::start(|req| {
        let page: usize = req
            .path
            .split("paged=")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        if page > 3 {
            return Reply::status(404);
        }
        let items: Vec<(String, String, String)> = (0..2)
            .map(|i| {
                let n = (page - 1) * 2 + i;
                (
                    format!("p{n}"),
                    format!("Post {n}"),
                    format!("Mon, 0{} Sep 2014 10:00:00 +0000", 1 + n),
                )
            })
            .collect();
        let refs: Vec<(&str, &str, &str, &str)> = items
            .iter()
            .map(|(g, t, d)| (g.as_str(), t.as_str(), d.as_str(), "body"))
            .collect();
        let doc = common::rss("WP", &refs).replace(
            "<description>d</description>",
            "<description>d</description><generator>https://wordpress.org/?v=6.4</generator>",
        );
        Reply::ok("application/rss+xml", doc)
    });
    let cli = Cli::new();
    cli.write_config("[archive]\npage_delay_ms = 0\n");
    let out = cli.ok(&["add", "--backfill", &server.url("/feed/")]);
    assert!(out.contains("wordpress"), "{out}");
    assert!(out.contains("4 new entries"), "{out}");
    assert!(out.contains("history complete"), "{out}");
    assert_eq!(cli.json(&["list"]).as_array().unwrap().len(), 6);
    let again = cli.json(&["backfill"]);
    assert_eq!(again[0]["added"], 0, "{again}");
}

#[test]
fn readme_lists_the_current_keys() {
    let cli = Cli::new();
    let keys = cli.ok(&["keys"]);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("<!-- keys:start").expect("keys:start marker");
    let start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme.find("<!-- keys:end -->").expect("keys:end marker");
    assert_eq!(
        &readme[start..end],
        keys,
        "README's key tables are stale: paste the output of `paperboy keys` between the markers"
    );
}

#[test]
fn the_demo_archive_files_two_feeds_in_a_folder_and_stars_one_entry() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paperboy::paths::Paths::resolve(Some(dir.path()), None).unwrap();
    let mut lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    lib.load_demo().unwrap();
    let folders: Vec<(String, i64)> = lib
        .folders()
        .unwrap()
        .into_iter()
        .map(|f| (f.name, f.feeds))
        .collect();
    assert_eq!(folders, [("Papers".to_string(), 2)]);
    let starred = lib
        .list(&paperboy::store::ListQuery {
            starred_only: true,
            ..Default::default()
        })
        .unwrap();
    let titles: Vec<&str> = starred.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, [paperboy::demo::STARRED_TITLE]);
    assert!(!starred[0].read, "a star leaves the entry unread");
}

#[test]
fn the_demo_archive_carries_citations_for_the_real_papers_it_cites() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paperboy::paths::Paths::resolve(Some(dir.path()), None).unwrap();
    let mut lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    lib.load_demo().unwrap();
    let dois = lib.dois(&paperboy::store::DoiScope::default()).unwrap();
    let real: Vec<&str> = dois
        .iter()
        .map(|d| d.doi.as_str())
        .filter(|d| !d.starts_with("10.5555/"))
        .collect();
    assert!(real.len() >= 10, "{real:?}");
    // Every real paper (DOI, arXiv, PubMed) has a line offline: a cached look-up, or for the
    // 2013 post's paper the COinS span it came with.
    let papers = lib.papers(&paperboy::store::ListQuery::default()).unwrap();
    let mut from_coins = Vec::new();
    for p in papers.iter().filter(|p| !p.key.starts_with("doi:10.5555/")) {
        let c = lib.known_citation(p).unwrap();
        let c = c.unwrap_or_else(|| panic!("no line for {}", p.key));
        assert!(c.year.is_some() && c.title.is_some(), "{}", p.key);
        if p.coins.is_some() {
            from_coins.push(p.key.as_str());
        }
    }
    assert_eq!(from_coins, ["doi:10.1037/a0016076"]);
    for doi in real.into_iter().filter(|d| *d != "10.1037/a0016076") {
        match lib.fresh_citation(doi).unwrap() {
            Some(paperboy::library::citations::CitationState::Found { citation }) => {
                assert!(citation.year.is_some() && citation.title.is_some(), "{doi}");
            }
            other => panic!("no demo citation for {doi}: {other:?}"),
        }
    }
    let Some(paperboy::library::citations::CitationState::Found { citation }) =
        lib.fresh_citation("10.1111/hsc.12135").unwrap()
    else {
        panic!("Webber et al. missing");
    };
    assert!(citation.line().starts_with(
        "Webber, M., Reidy, H., Ansari, D., Stevens, M., & Morris, D. (2014). Enhancing social \
         networks"
    ));
}

#[test]
fn backfill_month_fills_one_month_from_the_date_archive() {
    let server = Server::start(|req| {
        let item = |n: u32| {
            (
                format!("s{n}"),
                format!("September post {n}"),
                format!("Mon, {n:02} Sep 2014 10:00:00 +0000"),
            )
        };
        let items: Vec<(String, String, String)> = match req.path.as_str() {
            "/blog/feed/" => vec![(
                "new".into(),
                "Newest".into(),
                "Mon, 01 Dec 2014 10:00:00 +0000".into(),
            )],
            "/blog/feed/?m=201409" => (1..=3).map(item).collect(),
            _ => return Reply::status(404),
        };
        let refs: Vec<(&str, &str, &str, &str)> = items
            .iter()
            .map(|(g, t, d)| (g.as_str(), t.as_str(), d.as_str(), "body"))
            .collect();
        Reply::ok("application/rss+xml", common::rss("WP", &refs))
    });
    let cli = Cli::new();
    cli.write_config("[archive]\npage_delay_ms = 0\n");
    cli.ok(&["add", &server.url("/blog/feed/")]);
    let r = cli.json(&["backfill", "1", "--month", "2014-09"]);
    assert_eq!(r[0]["added"], 3, "{r}");
    let months = cli.json(&["months"]);
    assert!(
        months
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["month"] == "2014-09" && m["count"] == 3),
        "{months}"
    );
    // No feed named: every feed (here the one, whose month is cached now).
    let all = cli.json(&["backfill", "--month", "2014-09"]);
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    assert_eq!(all[0]["added"], 0, "{all}");
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    use std::io::{BufRead, BufReader};
    // More rows than a pipe buffers (64 KiB), so writing goes on after the reader has gone.
    let items: Vec<(String, String)> = (0..1500)
        .map(|i| {
            (
                format!("g{i}"),
                format!("A fairly long entry title, number {i}, to fill the pipe"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .map(|(g, t)| {
            (
                g.as_str(),
                t.as_str(),
                "Mon, 01 Dec 2014 10:00:00 +0000",
                "x",
            )
        })
        .collect();
    let doc = common::rss("Big", &refs);
    let server = Server::start(move |_| Reply::ok("application/rss+xml", doc.clone()));
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/big")]);
    let mut child = cli
        .command()
        .args(["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone (like `| head -1`): the rest of the output has nowhere to go.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_ne!(out.status.code(), Some(101), "no panic");
}

/// `…/feed.xml#x`, `…/feed.xml?`, `…/%66eed.xml` (RFC 3986's percent-encoded unreserved
/// characters) and `HTTP://…` are the feed `…/feed.xml`: adding or importing them again finds
/// the subscription instead of making a second one.
#[test]
fn a_feed_url_with_a_fragment_or_an_empty_query_is_the_same_feed() {
    let server = Server::start(|_| {
        Reply::ok(
            "application/rss+xml",
            common::rss(
                "Once",
                &[("a", "A", "Mon, 01 Dec 2014 10:00:00 +0000", "<p>x</p>")],
            ),
        )
    });
    let cli = Cli::new();
    let first = cli.ok(&["add", &server.url("/feed.xml")]);
    assert!(first.starts_with("subscribed to Once (1 entry)"), "{first}");
    for again in [
        server.url("/feed.xml#x"),
        server.url("/feed.xml?"),
        server.url("/%66eed.xml"),
        server.url("/fe%65d%2exml"),
        server.url("/feed.xml").replace("http://", "HTTP://"),
    ] {
        let out = cli.ok(&["add", &again]);
        assert!(
            out.starts_with("already subscribed to Once"),
            "{again}: {out}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let opml = dir.path().join("f.opml");
    std::fs::write(
        &opml,
        format!(
            r#"<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="a" xmlUrl="{}"/><outline text="b" xmlUrl="{}"/><outline text="c" xmlUrl="{}"/></body></opml>"#,
            server.url("/feed.xml?#y"),
            server.url("/feed.xml#z"),
            server.url("/%66eed%2Exml")
        ),
    )
    .unwrap();
    let out = cli.ok(&["import", opml.to_str().unwrap()]);
    assert!(
        out.contains("imported 0 feeds (3 already subscribed"),
        "{out}"
    );
    assert_eq!(cli.json(&["feeds"]).as_array().unwrap().len(), 1);
}

#[test]
fn show_ends_with_a_newline_and_counts_take_their_number() {
    let server = Server::start(|_| {
        Reply::ok(
            "application/rss+xml",
            common::rss(
                "Single",
                &[(
                    "a",
                    "می‌خواهم and क्‍ष",
                    "Mon, 01 Dec 2014 10:00:00 +0000",
                    "<p>One post, no newline after it</p>",
                )],
            ),
        )
    });
    let cli = Cli::new();
    let out = cli.ok(&["add", &server.url("/f")]);
    assert!(out.contains("(1 entry)"), "{out}");
    let out = cli.ok(&["refresh"]);
    assert!(out.contains("1 feed: "), "{out}");
    let show = cli.ok(&["show", "1", "--width", "60"]);
    assert!(show.ends_with('\n'), "{show:?}");
    assert!(!show.ends_with("\n\n\n"), "{show:?}");
    // The joiners of Persian and Devanagari are text, kept from feed to screen.
    assert!(show.contains("می\u{200c}خواهم and क्\u{200d}ष"), "{show:?}");
    let list = cli.json(&["list"]);
    assert_eq!(list[0]["title"], "می\u{200c}خواهم and क्\u{200d}ष");
}

#[test]
fn a_config_error_is_not_reported_as_a_cache_error() {
    let cli = Cli::new();
    cli.write_config("[fetch]\njobs = = 2\n");
    let out = cli.run(&["feeds"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains("cache"), "{err}");
}

#[test]
fn unknown_commands_keys_and_themes_and_lost_commands_are_warned() {
    let cli = Cli::new();
    cli.write_config(
        "[ui]\ntheme = \"neon\"\n[keys]\nfrobnicate = [\"x\"]\nsearch = [\"q\", \"Hyper-z\"]\n",
    );
    for args in [&["feeds"][..], &["keys"][..]] {
        let out = cli.run(args);
        assert!(out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for want in ["neon", "frobnicate", "Hyper-z", "`quit`"] {
            assert!(err.contains(want), "{args:?}: {want} missing from {err}");
        }
    }
}
