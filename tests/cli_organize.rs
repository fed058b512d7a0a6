//! Folders, stars, renames and bulk read through the real binary (issue 12), and OPML round
//! trips that keep folders.

mod common;

use common::{Cli, Reply, Server};

/// Two blogs: `/a` (ids 1..=3: two posts in December 2014, one in January 2015, a DOI in the
/// first) and `/b` (ids 4..=5, January 2015).
fn two_blogs() -> (Server, Cli) {
    let server = Server::start(|r| {
        let body = match r.path.as_str() {
            "/a" => common::rss(
                "Blog A",
                &[
                    (
                        "a1",
                        "A one",
                        "Mon, 01 Dec 2014 10:00:00 +0000",
                        "<p>doi:10.1000/a.1</p>",
                    ),
                    (
                        "a2",
                        "A two",
                        "Tue, 02 Dec 2014 10:00:00 +0000",
                        "<p>two</p>",
                    ),
                    (
                        "a3",
                        "A three",
                        "Thu, 01 Jan 2015 10:00:00 +0000",
                        "<p>three</p>",
                    ),
                ],
            ),
            "/b" => common::rss(
                "Blog B",
                &[
                    (
                        "b1",
                        "B one",
                        "Fri, 02 Jan 2015 10:00:00 +0000",
                        "<p>b one</p>",
                    ),
                    (
                        "b2",
                        "B two",
                        "Sat, 03 Jan 2015 10:00:00 +0000",
                        "<p>b two</p>",
                    ),
                ],
            ),
            _ => return Reply::status(404),
        };
        Reply::ok("application/rss+xml", body)
    });
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/a")]);
    cli.ok(&["add", &server.url("/b")]);
    (server, cli)
}

fn ids(rows: &serde_json::Value) -> Vec<i64> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn folders_move_feeds_nest_count_filter_and_rename() {
    let (_server, cli) = two_blogs();
    assert_eq!(
        cli.ok(&["folder", "1", " Science / Psych "]),
        "moved Blog A to Science/Psych\n"
    );
    cli.ok(&["folder", "Blog B", "Science"]);
    cli.ok(&["read", "4"]);

    let folders = cli.json(&["folders"]);
    assert_eq!(
        folders,
        serde_json::json!([
            {"name": "Science", "feeds": 2, "entries": 5, "unread": 4},
            {"name": "Science/Psych", "feeds": 1, "entries": 3, "unread": 3},
        ])
    );
    let text = cli.ok(&["folders"]);
    assert_eq!(
        text.lines().next(),
        Some("Science        2      5        4"),
        "{text}"
    );

    let feeds = cli.json(&["feeds", "--folder", "science/psych"]);
    assert_eq!(ids(&feeds), [1]);
    assert_eq!(feeds[0]["folder"], "Science/Psych");
    assert!(cli.ok(&["feeds"]).contains("Science/Psych"));
    assert_eq!(
        ids(&cli.json(&["list", "--folder", "Science/Psych"])),
        [3, 2, 1]
    );
    assert_eq!(ids(&cli.json(&["list", "--folder", "Science"])).len(), 5);
    let months = cli.json(&["months", "--folder", "Science/Psych"]);
    assert_eq!(months[0]["month"], "2015-01");
    assert_eq!(months[1]["count"], 2);
    assert_eq!(months[1]["papers"], 1);

    let out = cli.run(&["list", "--folder", "Sci"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no folder is named `Sci`"),
        "{}",
        stderr(&out)
    );

    assert_eq!(
        cli.ok(&["rename-folder", "Science", "Reading"]),
        "renamed the folder to Reading (2 feeds)\n"
    );
    let names: Vec<String> = cli
        .json(&["folders"])
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Reading", "Reading/Psych"]);
    assert_eq!(
        cli.ok(&["folder", "1", "--none"]),
        "moved Blog A out of its folder\n"
    );
    assert_eq!(cli.json(&["feeds"])[0]["folder"], serde_json::Value::Null);
    assert!(
        !cli.run(&["folder", "1"]).status.success(),
        "a name or --none is required"
    );
    assert!(
        !cli.run(&["folder", "1", "/"]).status.success(),
        "an empty name is refused"
    );
}

#[test]
fn a_parent_folder_without_feeds_of_its_own_is_a_folder_everywhere() {
    let (_server, cli) = two_blogs();
    cli.ok(&["folder", "1", "Science/Psychology"]);
    cli.ok(&["folder", "2", "Science/Physics"]);
    let folders = cli.json(&["folders"]);
    let names: Vec<&str> = folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Science", "Science/Physics", "Science/Psychology"]);
    assert_eq!(folders[0]["feeds"], 2);
    assert_eq!(folders[0]["entries"], 5);
    assert_eq!(folders[0]["unread"], 5);
    let text = cli.ok(&["folders"]);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Science", "2", "5", "5"]),
        "{text}"
    );
    // Every `--folder`, in any case.
    assert_eq!(ids(&cli.json(&["feeds", "--folder", "science"])), [1, 2]);
    assert_eq!(ids(&cli.json(&["list", "--folder", "Science"])).len(), 5);
    let months = cli.json(&["months", "--folder", "Science"]);
    assert_eq!(months.as_array().unwrap().len(), 2, "{months}");
    assert_eq!(
        cli.json(&["refresh", "--folder", "Science"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let backfill = cli.json(&["backfill", "--folder", "Science", "--max-pages", "1"]);
    assert_eq!(backfill.as_array().unwrap().len(), 2);
    assert_eq!(
        cli.ok(&["read", "--folder", "Science"]),
        "marked 5 entries read\n"
    );
    assert_eq!(
        cli.ok(&["rename-folder", "Science", "Research"]),
        "renamed the folder to Research (2 feeds)\n"
    );
    let rows: Vec<Option<String>> = cli
        .json(&["feeds"])
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["folder"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        rows,
        [
            Some("Research/Psychology".to_string()),
            Some("Research/Physics".to_string())
        ]
    );
    assert!(!cli.run(&["list", "--folder", "Science"]).status.success());
}

#[test]
fn refresh_and_backfill_take_a_folder() {
    let (server, cli) = two_blogs();
    cli.ok(&["folder", "2", "News"]);
    let before_a = server.requests_to("/a").len();
    let reports = cli.json(&["refresh", "--folder", "News"]);
    assert_eq!(reports.as_array().unwrap().len(), 1);
    assert_eq!(reports[0]["feed_id"], 2);
    assert_eq!(
        server.requests_to("/a").len(),
        before_a,
        "Blog A is not in News"
    );
    let backfill = cli.json(&["backfill", "--folder", "News", "--max-pages", "1"]);
    assert_eq!(backfill.as_array().unwrap().len(), 1);
    assert_eq!(backfill[0]["feed_id"], 2);
}

#[test]
fn stars_are_listed_counted_and_leave_the_read_state_alone() {
    let (_server, cli) = two_blogs();
    cli.ok(&["read", "2"]);
    assert_eq!(cli.ok(&["star", "2", "5"]), "starred 2 entries\n");
    assert_eq!(
        cli.ok(&["star", "2"]),
        "starred 0 entries\n",
        "already starred"
    );
    let starred = cli.json(&["list", "--starred"]);
    assert_eq!(ids(&starred), [5, 2]);
    assert_eq!(starred[1]["starred"], true);
    assert_eq!(starred[1]["read"], true, "starring kept the read state");
    assert_eq!(starred[0]["read"], false);
    assert_eq!(cli.json(&["list"])[1]["starred"], false);
    let text = cli.ok(&["list", "--starred"]);
    assert!(
        text.lines().any(|l| l.starts_with("5") && l.contains("N★")),
        "{text}"
    );
    let months = cli.json(&["months", "--starred"]);
    let got: Vec<(String, i64)> = months
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("2015-01".to_string(), 1), ("2014-12".to_string(), 1)]
    );
    assert_eq!(cli.ok(&["unstar", "2"]), "unstarred 1 entry\n");
    assert_eq!(ids(&cli.json(&["list", "--starred"])), [5]);
    let out = cli.run(&["star", "99"]);
    assert!(
        stderr(&out).contains("no entry with id 99"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn removing_a_feed_with_stars_needs_force_and_says_how_many() {
    let (_server, cli) = two_blogs();
    cli.ok(&["star", "4", "5"]);
    let out = cli.run(&["remove", "2"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Blog B holds 2 starred entries"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--force"));
    assert_eq!(
        cli.json(&["feeds"]).as_array().unwrap().len(),
        2,
        "nothing removed"
    );
    let out = cli.ok(&["remove", "2", "--force"]);
    assert!(out.contains("and its 2 starred entries"), "{out}");
    assert_eq!(cli.json(&["feeds"]).as_array().unwrap().len(), 1);
    // No stars: no question.
    assert!(cli.ok(&["remove", "1"]).starts_with("removed Blog A"));
}

#[test]
fn a_users_title_survives_refreshes_and_is_exported() {
    let (_server, cli) = two_blogs();
    assert_eq!(
        cli.ok(&["rename", "1", "Lab notes"]),
        "renamed feed 1 to Lab notes\n"
    );
    cli.ok(&["refresh"]);
    let feeds = cli.json(&["feeds"]);
    assert_eq!(feeds[1]["title"], "Lab notes");
    assert_eq!(feeds[1]["user_title"], "Lab notes");
    assert_eq!(
        cli.json(&["list", "--feed", "Lab notes"])[0]["feed_title"],
        "Lab notes"
    );
    assert!(cli.ok(&["export"]).contains("title=\"Lab notes\""));
    assert_eq!(
        cli.ok(&["rename", "1", "--reset"]),
        "feed 1 is titled Blog A again\n"
    );
    assert_eq!(
        cli.json(&["feeds"])[0]["user_title"],
        serde_json::Value::Null
    );
    assert!(!cli.run(&["rename", "1", "  "]).status.success());
}

#[test]
fn a_users_title_comes_back_as_their_own_through_export_and_import() {
    let (_server, cli) = two_blogs();
    cli.ok(&["rename", "1", "Lab notes"]);
    let exported = cli.ok(&["export"]);
    let fresh = Cli::new();
    let file = fresh.data_dir().join("subs.opml");
    std::fs::write(&file, &exported).unwrap();
    fresh.ok(&["import", file.to_str().unwrap()]);
    fresh.ok(&["refresh"]);
    let feeds = fresh.json(&["feeds"]);
    let titles: Vec<(String, serde_json::Value)> = feeds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["title"].as_str().unwrap().to_string(),
                f["user_title"].clone(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("Blog B".to_string(), serde_json::Value::Null),
            ("Lab notes".to_string(), serde_json::json!("Lab notes")),
        ],
        "{exported}"
    );
    // Still the user's: `--reset` goes back to the feed's own title.
    let id = feeds[1]["id"].to_string();
    assert_eq!(
        fresh.ok(&["rename", &id, "--reset"]),
        format!("feed {id} is titled Blog A again\n")
    );
}

#[test]
fn read_in_bulk_by_feed_folder_month_day_or_all() {
    let (_server, cli) = two_blogs();
    let unread = |cli: &Cli| -> Vec<i64> { ids(&cli.json(&["list", "--unread"])) };
    assert_eq!(
        cli.ok(&["read", "--month", "2014-12"]),
        "marked 2 entries read\n"
    );
    assert_eq!(unread(&cli), [5, 4, 3]);
    assert_eq!(
        cli.ok(&["read", "--before", "2015-01-03"]),
        "marked 2 entries read\n"
    );
    assert_eq!(unread(&cli), [5]);
    cli.ok(&["unread", "1", "2", "3", "4", "5"]);
    assert_eq!(
        cli.ok(&["read", "--feed", "Blog B"]),
        "marked 2 entries read\n"
    );
    cli.ok(&["folder", "1", "Science"]);
    assert_eq!(
        cli.ok(&["read", "--folder", "Science", "--month", "2015-01"]),
        "marked 1 entry read\n"
    );
    assert_eq!(unread(&cli), [2, 1]);
    assert_eq!(cli.ok(&["read", "--all"]), "marked 2 entries read\n");
    assert!(unread(&cli).is_empty());
    assert!(
        !cli.run(&["read"]).status.success(),
        "read needs entries or a scope"
    );
    assert!(!cli.run(&["read", "1", "--all"]).status.success());
    let out = cli.run(&["read", "--before", "2015-13-01"]);
    assert!(stderr(&out).contains("is not a day"), "{}", stderr(&out));
}

/// An OPML file shaped like newsboat's `--export-to-opml`: folders as outlines with `text`
/// and `title`, feeds as `type="rss"` outlines inside them.
const NEWSBOAT_LIKE: &str = r#"<?xml version="1.0"?>
<opml version="1.0">
  <head><title>newsboat - Exported Feeds</title></head>
  <body>
    <outline text="Science" title="Science">
      <outline text="Psych" title="Psych">
        <outline type="rss" xmlUrl="https://psych.example/feed" htmlUrl="https://psych.example/" title="Psych lab"/>
      </outline>
      <outline type="rss" xmlUrl="https://stats.example/feed" htmlUrl="https://stats.example/" title="Stats blog"/>
    </outline>
    <outline type="rss" xmlUrl="https://loose.example/feed" title="Loose"/>
  </body>
</opml>
"#;

/// An OPML file shaped like FreshRSS's export: categories as outlines with only `text`, feeds
/// with `text`, `type`, `xmlUrl`, `htmlUrl` and a `description`.
const FRESHRSS_LIKE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
	<head>
		<title>FreshRSS</title>
		<dateCreated>Mon, 30 Nov 2026 10:00:00 +0000</dateCreated>
	</head>
	<body>
		<outline text="Journals">
			<outline text="TOC one" type="rss" xmlUrl="https://toc.example/rss" htmlUrl="https://toc.example/" description="A table of contents"/>
		</outline>
		<outline text="Uncategorized">
			<outline text="Group blog" type="rss" xmlUrl="https://group.example/atom" htmlUrl="https://group.example/" description=""/>
		</outline>
	</body>
</opml>
"#;

fn folders_by_url(cli: &Cli) -> Vec<(String, Option<String>, String)> {
    let mut rows: Vec<_> = cli
        .json(&["feeds"])
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["url"].as_str().unwrap().to_string(),
                f["folder"].as_str().map(str::to_string),
                f["title"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn round_trip(opml: &str) -> (Vec<(String, Option<String>, String)>, String) {
    let cli = Cli::new();
    let file = cli.data_dir().join("in.opml");
    std::fs::write(&file, opml).unwrap();
    cli.ok(&["import", file.to_str().unwrap()]);
    let first = folders_by_url(&cli);
    let exported = cli.ok(&["export"]);
    let again = Cli::new();
    let file = again.data_dir().join("again.opml");
    std::fs::write(&file, &exported).unwrap();
    again.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        folders_by_url(&again),
        first,
        "the round trip keeps feeds, folders, titles"
    );
    (first, exported)
}

fn row(url: &str, folder: Option<&str>, title: &str) -> (String, Option<String>, String) {
    (
        url.to_string(),
        folder.map(str::to_string),
        title.to_string(),
    )
}

#[test]
fn newsboat_shaped_opml_keeps_nested_folders_through_a_round_trip() {
    let (rows, exported) = round_trip(NEWSBOAT_LIKE);
    assert_eq!(
        rows,
        [
            row("https://loose.example/feed", None, "Loose"),
            row(
                "https://psych.example/feed",
                Some("Science/Psych"),
                "Psych lab"
            ),
            row("https://stats.example/feed", Some("Science"), "Stats blog"),
        ]
    );
    // Nested outlines, not a flat `category` attribute.
    let science = exported.find("<outline text=\"Science\"").unwrap();
    let psych = exported.find("<outline text=\"Psych\"").unwrap();
    let lab = exported
        .find("xmlUrl=\"https://psych.example/feed\"")
        .unwrap();
    assert!(science < psych && psych < lab, "{exported}");
}

#[test]
fn freshrss_shaped_opml_keeps_its_categories_through_a_round_trip() {
    let (rows, _) = round_trip(FRESHRSS_LIKE);
    assert_eq!(
        rows,
        [
            row(
                "https://group.example/atom",
                Some("Uncategorized"),
                "Group blog"
            ),
            row("https://toc.example/rss", Some("Journals"), "TOC one"),
        ]
    );
}

#[test]
fn an_import_never_moves_a_feed_out_of_the_users_folder() {
    let cli = Cli::new();
    let file = cli.data_dir().join("in.opml");
    std::fs::write(&file, NEWSBOAT_LIKE).unwrap();
    cli.ok(&["import", file.to_str().unwrap()]);
    cli.ok(&["folder", "https://stats.example/feed", "Mine"]);
    cli.ok(&["import", file.to_str().unwrap()]);
    let rows = folders_by_url(&cli);
    assert_eq!(rows[2].1.as_deref(), Some("Mine"));
}
