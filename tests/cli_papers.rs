//! `paperboy papers`: the papers a scope's entries cite, one row each (issue 18).

mod common;

use common::{Cli, Reply, Server};
use serde_json::Value;

/// A data dir holding the demo archive (the same one `paperboy --demo` shows).
fn demo_cli() -> Cli {
    let cli = Cli::new();
    let paths = paperboy::paths::Paths::resolve(Some(cli.data_dir()), None).unwrap();
    let mut lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    lib.load_demo().unwrap();
    cli
}

/// The id of the entry titled `title` (`list --json`).
fn entry_id(cli: &Cli, title: &str) -> i64 {
    cli.json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no entry {title:?}"))["id"]
        .as_i64()
        .unwrap()
}

/// The row of `key` in a `papers --json` answer.
fn row<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no paper {key} in {rows:#}"))
}

fn keys(rows: &Value) -> Vec<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn december_2014_lists_the_seeds_paper_with_its_citation_line() {
    let cli = demo_cli();
    let post = entry_id(
        &cli,
        "The research behind the Connecting People Intervention",
    );
    let rows = cli.json(&["papers", "--month", "2014-12"]);
    let hsc = row(&rows, "doi:10.1111/hsc.12135");
    assert_eq!(hsc["ids"], serde_json::json!({"doi": "10.1111/hsc.12135"}));
    assert_eq!(
        hsc["citation"],
        "Webber, M., Reidy, H., Ansari, D., Stevens, M., & Morris, D. (2014). Enhancing social \
         networks: a qualitative study of health and social care practice in UK mental health \
         services. Health & Social Care in the Community, 24(1), 152–161. \
         https://doi.org/10.1111/hsc.12135"
    );
    assert_eq!(hsc["cited_by"], serde_json::json!([post]));
    assert_eq!(
        hsc["feeds"],
        serde_json::json!([{"id": 1, "title": "Connected Recovery"}])
    );
    assert_eq!(hsc["first_cited"], "2014-12-03");
    // Every paper of the month is cited by a December post, and only those.
    let december: Vec<i64> = cli
        .json(&["list", "--month", "2014-12"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    for r in rows.as_array().unwrap() {
        for e in r["cited_by"].as_array().unwrap() {
            assert!(december.contains(&e.as_i64().unwrap()), "{r}");
        }
        assert!(r["first_cited"].as_str().unwrap().starts_with("2014-12"));
    }

    // The table: one row per paper, the count, the key, the line cut to 80 columns.
    let text = cli.ok(&["papers", "--month", "2014-12"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows.as_array().unwrap().len(), "{text}");
    let line = lines
        .iter()
        .find(|l| l.contains("doi:10.1111/hsc.12135"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.trim_start().starts_with('1') && line.contains("Webber, M., Reidy, H."),
        "{line}"
    );
    for l in &lines {
        assert!(
            paperboy::text::width::width(l) <= 80,
            "{} columns: {l}",
            paperboy::text::width::width(l)
        );
    }
    assert!(line.ends_with('…'), "a long line is cut: {line}");
}

#[test]
fn the_arxiv_pubmed_and_coins_demo_posts_show_their_papers_with_lines() {
    let cli = demo_cli();
    let arxiv = cli.json(&["papers", "--month", "2015-07"]);
    let p = row(&arxiv, "arxiv:1004.4704");
    assert_eq!(p["ids"], serde_json::json!({"arxiv": "1004.4704"}));
    assert_eq!(
        p["citation"],
        "Shalizi, C. R., & Thomas, A. C. (2010). Homophily and Contagion Are Generically \
         Confounded in Observational Social Network Studies (1004.4704). arXiv. \
         https://arxiv.org/abs/1004.4704"
    );
    let post = entry_id(
        &cli,
        "Is it influence or is it similarity? A methods note on contagion in networks",
    );
    assert_eq!(p["cited_by"], serde_json::json!([post]));

    // The post names it by link and by label: one paper, one row.
    let pubmed = cli.json(&["papers", "--month", "2015-04"]);
    let p = row(&pubmed, "pmid:22506741");
    assert_eq!(p["ids"], serde_json::json!({"pmid": "22506741"}));
    assert_eq!(
        p["citation"],
        "Sutcliffe, A., Dunbar, R., Binder, J., & Arrow, H. (2012). Relationships and the social \
         brain: integrating psychological and evolutionary perspectives. British Journal of \
         Psychology, 103(2), 149–168. pmid:22506741"
    );
    assert_eq!(p["cited_by"].as_array().unwrap().len(), 1);

    // No cached look-up: the line comes from the post's COinS span.
    let coins = cli.json(&["papers", "--month", "2013-11"]);
    assert_eq!(keys(&coins), ["doi:10.1037/a0016076"]);
    assert_eq!(
        coins[0]["citation"],
        "Cacioppo, J. T., Fowler, J. H., & Christakis, N. A. (2009). Alone in the crowd: the \
         structure and spread of loneliness in a large social network. Journal of Personality \
         and Social Psychology, 97, 977. https://doi.org/10.1037/a0016076"
    );
    let text = cli.ok(&["papers", "--month", "2013-11"]);
    assert!(
        text.contains("doi:10.1037/a0016076  Cacioppo, J. T., Fowler, J. H."),
        "{text}"
    );
}

#[test]
fn feed_and_folder_narrow_the_papers_and_bad_names_fail_as_list_does() {
    let cli = demo_cli();
    let all = keys(&cli.json(&["papers"]));
    let blog = cli.json(&["papers", "--feed", "Connected Recovery"]);
    let folder = cli.json(&["papers", "--folder", "Papers"]);
    for (rows, feeds) in [(&blog, vec![1]), (&folder, vec![2, 3])] {
        assert!(!rows.as_array().unwrap().is_empty());
        for r in rows.as_array().unwrap() {
            for f in r["feeds"].as_array().unwrap() {
                assert!(feeds.contains(&f["id"].as_i64().unwrap()), "{r}");
            }
        }
    }
    // The demo's blog and its Papers folder cite different papers, and between them all.
    let mut both = keys(&blog);
    both.extend(keys(&folder));
    both.sort();
    let mut all_sorted = all.clone();
    all_sorted.sort();
    assert_eq!(both, all_sorted);
    assert!(keys(&folder).iter().all(|k| k.starts_with("doi:10.5555/")));

    // Most-cited first.
    let counts: Vec<usize> = cli
        .json(&["papers"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cited_by"].as_array().unwrap().len())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(counts[0] > 1);
    assert_eq!(
        cli.json(&["papers", "--limit", "3"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let starred = cli.json(&["papers", "--starred"]);
    assert!(starred.as_array().unwrap().len() < all.len());

    for (bad, list) in [
        (vec!["--month", "2014-13"], vec!["--month", "2014-13"]),
        (
            vec!["--feed", "No such feed"],
            vec!["--feed", "No such feed"],
        ),
        (vec!["--folder", "Nowhere"], vec!["--folder", "Nowhere"]),
    ] {
        let papers = cli.run(&[&["papers"][..], &bad].concat());
        let listed = cli.run(&[&["list"][..], &list].concat());
        let err = common::one_line_error(&papers);
        assert_eq!(err, common::one_line_error(&listed), "{bad:?}");
        assert!(papers.stdout.is_empty());
    }
}

/// A post naming one paper by its DOI link, its PubMed link and a COinS span holding both ids.
fn two_id_post() -> String {
    let coins = "ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal\
        &amp;rft_id=info%3Adoi%2F10.1000%2Fxyz.2013.1&amp;rft_id=info%3Apmid%2F23193287\
        &amp;rft.atitle=A+trial+of+everything&amp;rft.jtitle=J+Test&amp;rft.date=2013\
        &amp;rft.au=Smith+J";
    format!(
        "<p>See <a href=\"https://doi.org/10.1000/xyz.2013.1\">the trial</a> \
         (<a href=\"https://pubmed.ncbi.nlm.nih.gov/23193287/\">PubMed</a>).</p>\
         <p><span class=\"Z3988\" title=\"{coins}\">Smith J (2013) A trial of everything.</span></p>"
    )
}

#[test]
fn a_paper_cited_under_two_ids_is_one_row() {
    let feed = common::rss(
        "Two ids",
        &[
            (
                "a".to_string(),
                "Both ids".to_string(),
                "Mon, 01 Jul 2013 10:00:00 +0000".to_string(),
                two_id_post(),
            ),
            (
                "b".to_string(),
                "Only the PMID".to_string(),
                "Tue, 02 Jul 2013 10:00:00 +0000".to_string(),
                "<p>PMID: 23193287</p>".to_string(),
            ),
        ],
    );
    let server = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/feed")]);
    let rows = cli.json(&["papers", "--month", "2013-07"]);
    assert_eq!(keys(&rows), ["doi:10.1000/xyz.2013.1"], "{rows:#}");
    let p = &rows[0];
    assert_eq!(
        p["ids"],
        serde_json::json!({"doi": "10.1000/xyz.2013.1", "pmid": "23193287"})
    );
    let both = entry_id(&cli, "Both ids");
    let pmid_only = entry_id(&cli, "Only the PMID");
    assert_eq!(p["cited_by"], serde_json::json!([pmid_only, both]));
    assert_eq!(
        p["citation"],
        "Smith, J. (2013). A trial of everything. J Test. https://doi.org/10.1000/xyz.2013.1"
    );
    assert_eq!(cli.ok(&["papers", "--month", "2013-07"]).lines().count(), 1);
}

#[test]
fn hostile_titles_and_coins_fields_are_scrubbed() {
    // ESC, OSC 52, C1 and bidi controls in the feed's title, the post's title and the COinS
    // span's fields (percent-encoded, as a span would carry them).
    let evil = "\\u001b[31mRED\\u001b]52;c;eA==\\u0007\\u009b2J\\u202eZ";
    let coins = "ctx_ver=Z39.88-2004&amp;rft_id=info%3Adoi%2F10.1000%2Fevil\
        &amp;rft.atitle=Evil%1B%5B31mRED%1B%5D52%3Bc%3BeA%3D%3D%07%E2%80%AEZ\
        &amp;rft.jtitle=J%1B%5B2J&amp;rft.au=Fam%C2%9B2J&amp;rft.date=2014";
    let body = format!("<p><span class=\\\"Z3988\\\" title=\\\"{coins}\\\"></span></p>");
    let feed = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Feed {evil}","items":[
        {{"id":"1","url":"http://127.0.0.1/1","title":"Post {evil}","date_published":"2014-12-01T10:00:00Z",
          "content_html":"{body}"}},
        {{"id":"2","url":"http://127.0.0.1/2","title":"Other {evil}","date_published":"2014-12-02T10:00:00Z",
          "content_html":"<p>See doi:10.1000/untitled</p>"}}]}}"#
    );
    let server = Server::start(move |_| Reply::ok("application/feed+json", feed.clone()));
    let cli = Cli::new();
    cli.ok(&["add", &server.url("/feed.json")]);
    let text = cli.ok(&["papers"]);
    let json = cli.ok(&["papers", "--json"]);
    for out in [&text, &json] {
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!out.contains(bad), "{bad:?} in {out:?}");
        }
        for escaped in ["\\u001b", "\\u0007", "\\u009b"] {
            assert!(!out.contains(escaped), "{escaped} in {out}");
        }
    }
    // The visible letters survive: the COinS line and the post's title in place of a citation.
    assert!(text.contains("Evil[31mRED"), "{text}");
    assert!(text.contains("Other [31mRED"), "{text}");
    let rows: Value = serde_json::from_str(&json).unwrap();
    assert!(row(&rows, "doi:10.1000/evil")["citation"]
        .as_str()
        .unwrap()
        .contains("RED"));
    assert!(row(&rows, "doi:10.1000/untitled")["citation"].is_null());
    assert!(row(&rows, "doi:10.1000/untitled")["feeds"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Feed "));
}

#[test]
fn completions_man_page_and_help_include_papers() {
    let cli = Cli::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = cli.ok(&["completions", shell]);
        assert!(out.contains("papers"), "{shell} completes `papers`");
    }
    let man = cli.ok(&["man"]);
    assert!(man.contains("papers"), "the man page lists `papers`");
    let help = cli.ok(&["papers", "--help"]);
    for opt in [
        "--month",
        "--feed",
        "--folder",
        "--unread",
        "--starred",
        "--limit",
        "--json",
    ] {
        assert!(help.contains(opt), "{opt}: {help}");
    }
}

/// The demo's retracted paper (its health a real Crossref record embedded in the demo).
const WAKEFIELD: &str = "doi:10.1016/s0140-6736(97)11096-0";

#[test]
fn the_demo_lists_its_retracted_paper_with_the_real_notices_offline() {
    let cli = demo_cli();
    let post = entry_id(
        &cli,
        "The paper that travelled through networks: teaching with a retraction",
    );
    let rows = cli.json(&["papers", "--retracted"]);
    assert_eq!(keys(&rows), [WAKEFIELD]);
    let w = row(&rows, WAKEFIELD);
    assert_eq!(w["cited_by"], serde_json::json!([post]));
    assert_eq!(
        w["health"],
        serde_json::json!({"status": "retracted", "checked": "2026-08-21T13:24:32+00:00",
            "notices": [
                {"type": "retraction", "date": "2010-02-06", "doi": "10.1016/s0140-6736(10)60175-4",
                 "source": "retraction-watch", "record_id": "4036"},
                {"type": "correction", "date": "2004-03-06", "doi": "10.1016/s0140-6736(04)15715-2",
                 "source": "retraction-watch", "record_id": "17269"}]})
    );
    assert!(w["citation"]
        .as_str()
        .unwrap()
        .starts_with("Wakefield, A., Murch, S."));
    // Only it carries a notice in the demo: the other papers were never checked (unknown).
    assert_eq!(keys(&cli.json(&["papers", "--flagged"])), [WAKEFIELD]);
    // The table says it in words, before the citation (cut to 80 columns when piped).
    let text = cli.ok(&["papers", "--retracted"]);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains(&format!("{WAKEFIELD}  [RETRACTED 2010-02-06 (notice doi:")),
        "{text}"
    );
    // Embedded health counts as checked: a routine check would not ask Crossref about it.
    let paths = paperboy::paths::Paths::resolve(Some(cli.data_dir()), None).unwrap();
    let lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    let due = lib
        .health_targets(paperboy::library::health::CheckScope::Routine)
        .unwrap();
    assert!(
        !due.iter().any(|d| WAKEFIELD.ends_with(d.as_str())),
        "{due:?}"
    );
    assert!(lib.entries_citing_retracted().unwrap().contains(&post));
}
