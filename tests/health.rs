//! Paper health at Crossref, served from 127.0.0.1 with recorded real records
//! (tests/fixtures/health/README.md): batching and concurrency counted by the server, the
//! list-then-alone fallback, unknown is not fine, a notice is not flagged, Retry-After, bad
//! answers lose nothing, offline keeps the last answer; the CLI's flags and JSON.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{rss, Cli, Reply, Server};
use paperboy::library::health::CheckScope;
use paperboy::papers::health::Status;
use paperboy::Library;
use serde_json::{json, Value};

const WAKEFIELD: &str = include_str!("fixtures/health/work-wakefield-retracted.json");
const NOTICE: &str = include_str!("fixtures/health/work-wakefield-retraction-notice.json");
const NATURE: &str = include_str!("fixtures/health/work-nature-addendum.json");
const CLEAN: &str = include_str!("fixtures/health/work-orglett-clean.json");
const SURGISPHERE: &str = include_str!("fixtures/health/work-surgisphere-concern.json");

const WAKEFIELD_DOI: &str = "10.1016/s0140-6736(97)11096-0";
const NOTICE_DOI: &str = "10.1016/s0140-6736(10)60175-4";
const NATURE_DOI: &str = "10.1038/s41586-020-2012-7";
const CLEAN_DOI: &str = "10.1021/acs.orglett.9b00971";
/// Retracted, with an expression of concern, a correction and errata on the way; its own record
/// also lists its notices under `update-to`.
const SURGISPHERE_DOI: &str = "10.1016/s0140-6736(20)31180-6";
/// An arXiv DOI (DataCite): Crossref answers 404.
const DATACITE_DOI: &str = "10.48550/arxiv.2401.00001";

/// The recorded records' `message`s by DOI key.
fn records() -> Vec<(String, Value)> {
    [WAKEFIELD, NOTICE, NATURE, CLEAN, SURGISPHERE]
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_str(r).unwrap();
            let m = v["message"].clone();
            (m["DOI"].as_str().unwrap().to_lowercase(), m)
        })
        .collect()
}

/// The clean record under another DOI: the 1,000 papers of the batching test (see the README).
fn clean_as(doi: &str) -> Value {
    let mut m: Value = serde_json::from_str::<Value>(CLEAN).unwrap()["message"].clone();
    m["DOI"] = json!(doi);
    m
}

/// A work-list answer, as Crossref's envelope has it, holding `items`.
fn list(items: Vec<Value>) -> String {
    json!({"status": "ok", "message-type": "work-list", "message-version": "1.0.0",
        "message": {"facets": {}, "total-results": items.len(), "items": items,
        "items-per-page": items.len(), "query": {"start-index": 0, "search-terms": null}}})
    .to_string()
}

fn query(path: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://x{path}")).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The DOIs a list request asks for.
fn asked(path: &str) -> Vec<String> {
    let filter = query(path, "filter").unwrap_or_default();
    filter
        .split(',')
        .filter_map(|f| f.strip_prefix("doi:"))
        .map(str::to_lowercase)
        .collect()
}

/// A Crossref that knows the recorded works, lists those of them asked for except `leave_out`,
/// and answers each alone at `/works/{doi}` (404 for the others).
fn crossref(leave_out: &'static [&'static str]) -> Server {
    Server::start(move |req| crossref_reply(req, leave_out))
}

/// That Crossref's answer to `req`.
fn crossref_reply(req: &common::Request, leave_out: &[&str]) -> Reply {
    let path = req.path.split('?').next().unwrap_or("");
    let known = records();
    if path == "/works" {
        let items = asked(&req.path)
            .into_iter()
            .filter(|d| !leave_out.contains(&d.as_str()))
            .filter_map(|d| known.iter().find(|(k, _)| *k == d).map(|(_, m)| m.clone()))
            .collect();
        return Reply::ok("application/json", list(items));
    }
    let doi = path.strip_prefix("/works/").map(percent_decode);
    match doi.and_then(|d| known.into_iter().find(|(k, _)| *k == d.to_lowercase())) {
        Some((_, m)) => Reply::ok(
            "application/json",
            json!({"status": "ok", "message-type": "work", "message": m}).to_string(),
        ),
        None => Reply::status(404),
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn library(dir: &std::path::Path, api: &str) -> Library {
    library_with(dir, api, Some("me@example.org"))
}

/// A library asking Crossref at `api`, with `mailto` (Crossref's polite pool) or without.
fn library_with(dir: &std::path::Path, api: &str, mailto: Option<&str>) -> Library {
    let paths = paperboy::paths::Paths::resolve(Some(dir), None).unwrap();
    let mut toml = format!("[papers]\ncrossref_api = \"{api}\"\n");
    if let Some(m) = mailto {
        toml.push_str(&format!("[doi]\nmailto = \"{m}\"\n"));
    }
    let mut config = paperboy::config::Config::from_toml(&toml, "test")
        .unwrap()
        .config;
    config.doi.resolver = "http://127.0.0.1:9".into();
    Library::open(paths, config).unwrap()
}

fn dois(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn health(lib: &Library, doi: &str) -> paperboy::library::health::PaperHealth {
    lib.paper_health(&[format!("doi:{doi}")]).unwrap()
}

/// A Crossref listing every DOI asked for as the clean record, each answer 50 ms late, and the
/// most requests it ever had in flight at once.
fn counting_crossref() -> (Server, Arc<AtomicUsize>) {
    let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (n2, m2) = (now.clone(), max.clone());
    let srv = Server::start(move |req| {
        let inflight = n2.fetch_add(1, Ordering::SeqCst) + 1;
        m2.fetch_max(inflight, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(50));
        let items = asked(&req.path).iter().map(|d| clean_as(d)).collect();
        n2.fetch_sub(1, Ordering::SeqCst);
        Reply::ok("application/json", list(items))
    });
    (srv, max)
}

fn many(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("10.5555/paper.{i}")).collect()
}

#[test]
fn a_thousand_papers_take_at_most_25_requests_and_3_at_once() {
    let (srv, max) = counting_crossref();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &srv.url(""));
    let report = lib.check_dois(&many(1000)).unwrap();
    assert_eq!((report.checked, report.failed), (1000, 0));
    let reqs = srv.requests.lock().unwrap().clone();
    assert!(reqs.len() <= 25, "{} requests", reqs.len());
    // Crossref's polite pool (a mailto given): 3 at once, and all 3 used.
    assert_eq!(max.load(Ordering::SeqCst), 3, "requests at once");
    // Every request names the polite pool's contact and trims the answer.
    for r in &reqs {
        assert_eq!(query(&r.path, "mailto").as_deref(), Some("me@example.org"));
        assert!(query(&r.path, "select").unwrap().contains("updated-by"));
    }
    assert_eq!(health(&lib, "10.5555/paper.999").status, Status::Fine);
}

#[test]
fn without_a_mailto_one_request_at_a_time() {
    let (srv, max) = counting_crossref();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library_with(dir.path(), &srv.url(""), None);
    let report = lib.check_dois(&many(400)).unwrap();
    assert_eq!((report.checked, report.failed), (400, 0));
    let reqs = srv.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 8);
    // Crossref's public pool: 1 at once, and no contact sent.
    assert_eq!(max.load(Ordering::SeqCst), 1, "requests at once");
    assert!(reqs.iter().all(|r| query(&r.path, "mailto").is_none()));
}

#[test]
fn retracted_corrected_notice_and_clean_papers_read_as_recorded() {
    let srv = crossref(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &srv.url(""));
    let asked = dois(&[
        WAKEFIELD_DOI,
        NOTICE_DOI,
        NATURE_DOI,
        CLEAN_DOI,
        SURGISPHERE_DOI,
    ]);
    let report = lib.check_dois(&asked).unwrap();
    assert_eq!(report.checked, 5);
    let mut newly = report.newly_retracted.clone();
    newly.sort();
    assert_eq!(newly, dois(&[SURGISPHERE_DOI, WAKEFIELD_DOI]));
    let w = health(&lib, WAKEFIELD_DOI);
    assert_eq!(w.status, Status::Retracted);
    assert_eq!(
        w.line().unwrap(),
        "RETRACTED 2010-02-06 (notice doi:10.1016/s0140-6736(10)60175-4, Retraction Watch); \
         also Correction 2004-03-06"
    );
    let j = serde_json::to_value(w.json()).unwrap();
    assert_eq!(j["status"], "retracted");
    assert_eq!(
        j["notices"][0],
        json!({"type": "retraction", "date": "2010-02-06", "doi": NOTICE_DOI,
            "source": "retraction-watch", "record_id": "4036"})
    );
    assert_eq!(j["notices"][1]["type"], "correction");
    // The notice itself (`update-to`) is not a retracted paper.
    assert_eq!(health(&lib, NOTICE_DOI).status, Status::Fine);
    assert_eq!(health(&lib, NOTICE_DOI).line(), None);
    let n = health(&lib, NATURE_DOI);
    assert_eq!(
        (n.status, n.line().as_deref()),
        (Status::Notice, Some("Addendum 2020-11-17"))
    );
    assert_eq!(health(&lib, CLEAN_DOI).status, Status::Fine);
    // Every notice of the Surgisphere paper, the worst first; its own `update-to` (its notices
    // again) makes it no notice.
    let s = health(&lib, SURGISPHERE_DOI);
    assert_eq!(s.status, Status::Retracted);
    let kinds: Vec<(&str, Option<&str>)> = (s.notices.iter())
        .map(|n| (n.kind.as_str(), n.date.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("retraction", Some("2020-05-22")),
            ("retraction", Some("2020-06-05")),
            ("expression_of_concern", Some("2020-06-03")),
            ("correction", Some("2020-05-30")),
            ("erratum", Some("2020-05-30")),
            ("erratum", Some("2020-06-13")),
            ("erratum", Some("2020-07-18")),
        ]
    );
    let line = s.line().unwrap();
    assert!(
        line.contains(
            "Expression of concern 2020-06-03 (notice doi:10.1016/s0140-6736(20)31290-3, \
             Retraction Watch)"
        ),
        "{line}"
    );
    assert_eq!(
        serde_json::to_value(s.json()).unwrap()["notices"][2]["record_id"],
        "23527"
    );
    // One list request held them all.
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    // Asked again, nothing is newly retracted: the reader says a retraction once.
    let again = lib.check_dois(&asked).unwrap();
    assert_eq!(again.checked, 5);
    assert!(again.newly_retracted.is_empty(), "{again:?}");
}

#[test]
fn a_doi_the_list_leaves_out_is_asked_alone_and_unknown_is_not_fine() {
    let srv = crossref(&[NATURE_DOI]);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &srv.url(""));
    let report = lib
        .check_dois(&dois(&[CLEAN_DOI, NATURE_DOI, DATACITE_DOI]))
        .unwrap();
    assert_eq!((report.checked, report.failed), (3, 0));
    let paths: Vec<String> = srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(
        paths[1..].iter().any(|p| p.starts_with("/works/10.1038")),
        "{paths:?}"
    );
    assert!(
        paths[1..].iter().any(|p| p.starts_with("/works/10.48550")),
        "{paths:?}"
    );
    // Found alone: as good as listed.
    assert_eq!(health(&lib, NATURE_DOI).status, Status::Notice);
    // Crossref does not know it: unknown, checked, and not "fine".
    let d = health(&lib, DATACITE_DOI);
    assert_eq!(d.status, Status::Unknown);
    assert!(d.checked.is_some());
    assert!(!d.status.is_flagged());
}

#[test]
fn a_429_is_waited_out_as_retry_after_says() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h2 = hits.clone();
    let srv = Server::start(move |req| {
        if h2.fetch_add(1, Ordering::SeqCst) == 0 {
            return Reply::status(429).with_header("Retry-After", "1");
        }
        let items = asked(&req.path).iter().map(|d| clean_as(d)).collect();
        Reply::ok("application/json", list(items))
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &srv.url(""));
    let report = lib.check_dois(&dois(&[CLEAN_DOI])).unwrap();
    assert_eq!((report.checked, report.failed), (1, 0));
    let reqs = srv.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].at.duration_since(reqs[0].at) >= Duration::from_millis(950));
}

/// Checks `CLEAN_DOI` against a server answering `body`: the error is one line, and the
/// answer stored before stands with its date.
fn bad_answer_loses_nothing(body: Vec<u8>, says: &str) {
    let good = crossref(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &good.url(""));
    lib.check_dois(&dois(&[WAKEFIELD_DOI, CLEAN_DOI])).unwrap();
    let before = health(&lib, WAKEFIELD_DOI);
    drop(lib);
    let bad = Server::start(move |_| Reply::ok("application/json", body.clone()));
    let mut lib = library(dir.path(), &bad.url(""));
    let report = lib.check_dois(&dois(&[WAKEFIELD_DOI, CLEAN_DOI])).unwrap();
    assert_eq!((report.checked, report.failed), (0, 2));
    let error = report.error.unwrap();
    assert!(!error.contains('\n') && error.contains(says), "{error}");
    assert_eq!(health(&lib, WAKEFIELD_DOI), before);
}

#[test]
fn an_answer_that_is_not_json_loses_nothing() {
    bad_answer_loses_nothing(b"<html>Service Unavailable</html>".to_vec(), "not JSON");
}

#[test]
fn a_truncated_answer_loses_nothing() {
    let whole = list(vec![clean_as(CLEAN_DOI)]);
    bad_answer_loses_nothing(whole.as_bytes()[..whole.len() / 2].to_vec(), "cut short");
}

#[test]
fn an_answer_listing_dois_not_asked_for_loses_nothing() {
    let body = list(vec![clean_as(CLEAN_DOI), clean_as("10.9999/not.asked")]);
    bad_answer_loses_nothing(body.into_bytes(), "not asked for");
}

#[test]
fn a_huge_answer_is_cut_off_and_loses_nothing() {
    let mut body = list(vec![clean_as(CLEAN_DOI)]).into_bytes();
    body.extend(std::iter::repeat_n(b' ', 5 << 20));
    bad_answer_loses_nothing(body, "larger than 4 MiB");
}

#[test]
fn offline_the_last_answer_stands_with_its_date() {
    let srv = crossref(&[]);
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &srv.url(""));
    lib.check_dois(&dois(&[WAKEFIELD_DOI])).unwrap();
    let before = health(&lib, WAKEFIELD_DOI);
    drop(lib);
    let mut lib = library(dir.path(), "http://127.0.0.1:9");
    let report = lib.check_dois(&dois(&[WAKEFIELD_DOI])).unwrap();
    assert_eq!(report.failed, 1);
    assert_eq!(health(&lib, WAKEFIELD_DOI), before);
    assert!(before.checked.is_some());
}

/// A feed of three posts: one citing the retracted paper, one its retraction notice, one a
/// clean paper.
fn feed() -> String {
    feed_with(&[])
}

/// That feed with `extra` posts (guid, title, date, body).
fn feed_with(extra: &[(&str, &str, &str, &str)]) -> String {
    let link = |d: &str| format!("<p>See <a href=\"https://doi.org/{d}\">the paper</a>.</p>");
    let mut items = vec![
        (
            "a".to_string(),
            "Cites Wakefield".to_string(),
            "Mon, 01 Jun 2009 10:00:00 GMT".to_string(),
            link(WAKEFIELD_DOI),
        ),
        (
            "b".into(),
            "Cites the notice".into(),
            "Tue, 02 Jun 2009 10:00:00 GMT".into(),
            link(NOTICE_DOI),
        ),
        (
            "c".into(),
            "Cites a clean paper".into(),
            "Wed, 03 Jun 2009 10:00:00 GMT".into(),
            link(CLEAN_DOI),
        ),
    ];
    let owned = |(g, t, d, b): &(&str, &str, &str, &str)| {
        (g.to_string(), t.to_string(), d.to_string(), b.to_string())
    };
    items.extend(extra.iter().map(owned));
    rss("Health", &items)
}

fn cli_with_feed() -> (Cli, Server) {
    cli_with(feed())
}

fn cli_with(body: String) -> (Cli, Server) {
    let feeds = Server::start(move |_| Reply::ok("application/rss+xml", body.clone()));
    let cli = Cli::new();
    cli.ok(&["add", &feeds.url("/feed.xml")]);
    (cli, feeds)
}

/// Marks the post titled `title` read.
fn read_post(cli: &Cli, title: &str) {
    let list = cli.json(&["list"]);
    let rows = list.as_array().unwrap();
    let id = rows.iter().find(|e| e["title"] == title).unwrap()["id"].to_string();
    cli.ok(&["read", &id]);
}

fn run_json(cli: &Cli, api: &str, args: &[&str]) -> (Value, String) {
    let out = cli
        .command()
        .env("PAPERBOY_CROSSREF_API", api)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_slice(&out.stdout).unwrap();
    (v, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn cli_check_flagged_retracted_and_json_health() {
    let (cli, _feeds) = cli_with_feed();
    let srv = crossref(&[]);
    // Before any check: unknown, never checked.
    let (v, _) = run_json(&cli, "http://127.0.0.1:9", &["papers", "--json"]);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["health"]["status"] == "unknown" && p["health"]["checked"].is_null()));
    let (v, err) = run_json(&cli, &srv.url(""), &["papers", "--check", "--json"]);
    assert!(err.contains("checked 3 papers at Crossref"), "{err}");
    let status = |v: &Value, doi: &str| {
        let row = v
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ids"]["doi"] == doi)
            .cloned();
        row.map(|r| r["health"].clone()).unwrap_or(Value::Null)
    };
    let w = status(&v, WAKEFIELD_DOI);
    assert_eq!(w["status"], "retracted");
    assert_eq!(w["notices"][0]["record_id"], "4036");
    assert!(w["checked"].is_string());
    assert_eq!(status(&v, NOTICE_DOI)["status"], "fine");
    let (v, _) = run_json(
        &cli,
        "http://127.0.0.1:9",
        &["papers", "--retracted", "--json"],
    );
    let keys: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec![format!("doi:{WAKEFIELD_DOI}")]);
    let (v, _) = run_json(
        &cli,
        "http://127.0.0.1:9",
        &["papers", "--flagged", "--json"],
    );
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (v, _) = run_json(&cli, "http://127.0.0.1:9", &["dois", "--json"]);
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["doi"] == WAKEFIELD_DOI)
        .unwrap()
        .clone();
    assert_eq!(row["health"]["status"], "retracted");
    // The table says it in words.
    let out = cli
        .command()
        .args(["papers", "--retracted"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[RETRACTED 2010-02-06 (notice doi:"),
        "{text}"
    );
    // Offline, --check says so in one line and the answers stand.
    let (v, err) = run_json(&cli, "http://127.0.0.1:9", &["papers", "--check", "--json"]);
    assert!(
        err.contains("not checked") && err.trim().lines().count() == 1,
        "{err}"
    );
    assert_eq!(status(&v, WAKEFIELD_DOI), w);
}

#[test]
fn the_routine_check_asks_new_papers_then_only_due_ones() {
    let (cli, _feeds) = cli_with_feed();
    let srv = crossref(&[]);
    let paths = paperboy::paths::Paths::resolve(Some(cli.data_dir()), None).unwrap();
    let mut config = paperboy::config::Config::default();
    config.papers.crossref_api = srv.url("");
    let mut lib = Library::open(paths, config).unwrap();
    assert_eq!(lib.health_targets(CheckScope::Routine).unwrap().len(), 3);
    let r = lib.check_health(CheckScope::Routine).unwrap();
    assert_eq!(r.checked, 3);
    // Nothing is new, nothing due yet: the next refresh asks nothing.
    assert!(lib.health_targets(CheckScope::Routine).unwrap().is_empty());
    assert_eq!(lib.health_targets(CheckScope::All).unwrap().len(), 3);
    // The entry list marks the post citing the retracted paper, not the one citing its notice.
    let marked = lib.entries_citing_retracted().unwrap();
    let list = lib.list(&paperboy::store::ListQuery::default()).unwrap();
    let marked_titles: Vec<&str> = list
        .iter()
        .filter(|e| marked.contains(&e.id))
        .map(|e| e.title.as_str())
        .collect();
    assert_eq!(marked_titles, vec!["Cites Wakefield"]);
}

/// The reader after a refresh against a loopback Crossref serving the recorded records: a new
/// retraction among the papers of posts the user has read is said once on the status line, the
/// post is marked in the entry list, and `!` lists the paper.
#[test]
fn the_reader_says_once_that_a_paper_you_read_about_was_retracted() {
    use common::pty::Pty;
    let (cli, _feeds) = cli_with_feed();
    cli.write_config("[ui]\nrefresh_on_start = false\n");
    read_post(&cli, "Cites Wakefield");
    let srv = crossref(&[]);
    let mut cmd = cli.command();
    cmd.env("PAPERBOY_CROSSREF_API", srv.url(""))
        .env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("Cites a clean paper");
    assert!(!pty.screen().contains('✗'), "{}", pty.screen());
    pty.send("R");
    pty.wait_for("1 paper you read about was retracted: ! to see");
    // The mark is a symbol (NO_COLOR is set here), on the post citing the paper only.
    let screen = pty.screen();
    let row = |t: &str| {
        let line = screen.lines().find(|l| l.contains(t));
        line.unwrap_or_else(|| panic!("no {t}: {screen}"))
            .to_string()
    };
    assert!(row("Cites Wakefield").contains('✗'), "{screen}");
    assert!(!row("Cites the notice").contains('✗'), "{screen}");
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    // A second refresh asks Crossref nothing (nothing new, nothing due) and says nothing more.
    pty.send("R");
    pty.wait_for("refreshed:");
    let quiet = std::time::Instant::now();
    while quiet.elapsed() < Duration::from_millis(1500) {
        pty.pump();
        assert!(!pty.screen().contains("you read about"), "{}", pty.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    // `!` lists the flagged paper with its line.
    pty.send("!");
    pty.wait_for("Papers · flagged");
    pty.wait_for("✗ RETRACTED 2010-02-06 (notice doi:10.1016/s0140-6736(10)60175-4");
    pty.send("q");
}

/// `paperboy refresh` at `api`: (exit code, stdout, stderr).
fn refresh(cli: &Cli, api: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = cli
        .command()
        .env("PAPERBOY_CROSSREF_API", api)
        .arg("refresh")
        .args(args)
        .output()
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

const SAID: &str = "1 paper you read about was retracted: paperboy papers --retracted to see";

/// A refresh from cron keeps health current with `--health`: the routine check runs after it,
/// and a new retraction among read posts is said once, on stderr, as the reader says it.
#[test]
fn cli_refresh_checks_new_papers_and_says_a_read_retraction_once() {
    let (cli, _feeds) = cli_with_feed();
    read_post(&cli, "Cites Wakefield");
    let srv = crossref(&[]);
    let (code, out, err) = refresh(&cli, &srv.url(""), &["--health"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("1 feed: "), "{out}");
    assert_eq!(err.trim(), SAID, "one line on stderr");
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    // Known offline now.
    let (v, _) = run_json(
        &cli,
        "http://127.0.0.1:9",
        &["papers", "--retracted", "--json"],
    );
    assert_eq!(v[0]["key"], format!("doi:{WAKEFIELD_DOI}"));
    // The next refresh asks nothing (nothing new, nothing due) and says nothing more.
    let (code, _, err) = refresh(&cli, &srv.url(""), &["--health"]);
    assert_eq!((code, err.as_str()), (Some(0), ""), "{err}");
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    // --json prints the refresh's reports, as before, and nothing of the check.
    let (code, out, _) = refresh(&cli, &srv.url(""), &["--health", "--json"]);
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert!(v[0].get("health").is_none(), "{v}");
}

#[test]
fn cli_refresh_without_health_asks_crossref_nothing() {
    let (cli, _feeds) = cli_with_feed();
    read_post(&cli, "Cites Wakefield");
    let srv = crossref(&[]);
    let (code, _, err) = refresh(&cli, &srv.url(""), &[]);
    assert_eq!((code, err.as_str()), (Some(0), ""), "{err}");
    assert!(srv.requests.lock().unwrap().is_empty());
    // Still new: the next refresh with the flag asks.
    let (_, _, err) = refresh(&cli, &srv.url(""), &["--health"]);
    assert_eq!(err.trim(), SAID);
}

/// Crossref down, or answering nonsense: one warning line naming Crossref, the refresh's exit
/// status as it would be without the check, and the papers still due for the next refresh.
#[test]
fn cli_refresh_a_failing_check_is_one_warning_line_and_keeps_the_exit_status() {
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d2 = down.clone();
    let body = feed();
    let feeds = Server::start(move |_| match d2.load(Ordering::SeqCst) {
        true => Reply::status(500),
        false => Reply::ok("application/rss+xml", body.clone()),
    });
    let cli = Cli::new();
    cli.ok(&["add", &feeds.url("/feed.xml")]);
    let html = Server::start(|_| Reply::ok("text/html", "<html>busy</html>"));
    let warned = |err: &str| {
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.starts_with("paperboy: warning: 3 papers not checked at Crossref ("),
            "{err}"
        );
    };
    for api in ["http://127.0.0.1:9".to_string(), html.url("")] {
        let (code, out, err) = refresh(&cli, &api, &["--health"]);
        assert_eq!(code, Some(0), "{out}{err}");
        warned(&err);
    }
    // A failing feed still fails the refresh; the check's warning is the same line.
    down.store(true, Ordering::SeqCst);
    let (code, out, err) = refresh(&cli, "http://127.0.0.1:9", &["--health"]);
    assert_eq!(code, Some(1), "{out}{err}");
    warned(&err);
    // Nothing was lost: the papers are still new, and the next refresh asks about them.
    let srv = crossref(&[]);
    let (_, _, err) = refresh(&cli, &srv.url(""), &["--health"]);
    assert_eq!(err, "");
    assert_eq!(
        srv.requests.lock().unwrap().len(),
        1,
        "still new, asked now"
    );
}

/// Issue 19, Speed: the reader never waits on a check. Crossref holds its answer (a [`Gate`])
/// while the refresh's check waits on it: moving between months and opening a post are answered
/// meanwhile; then the answer comes and the marks appear.
#[test]
fn the_reader_answers_keys_while_crossref_holds_its_answer() {
    use common::pty::Pty;
    use common::{wait_for_requests, Gate};
    let july = (
        "d",
        "July notes",
        "Wed, 01 Jul 2009 10:00:00 GMT",
        "<p>No papers this month.</p>",
    );
    let (cli, _feeds) = cli_with(feed_with(&[july]));
    // The check never gives up on its own while the test holds Crossref's answer.
    cli.write_config("[ui]\nrefresh_on_start = false\n[fetch]\ntimeout_secs = 600\n");
    read_post(&cli, "Cites Wakefield");
    let gate = Gate::new();
    let held = gate.clone();
    let srv = Server::start(move |req| {
        held.wait();
        crossref_reply(req, &[])
    });
    let mut cmd = cli.command();
    cmd.env("PAPERBOY_CROSSREF_API", srv.url(""))
        .env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("July notes");
    pty.send("R");
    // The check has asked, and Crossref holds its answer.
    wait_for_requests(&mut pty, &srv, 1);
    pty.send(":");
    pty.send("2009-06\r");
    pty.wait_for("Cites a clean paper");
    pty.send("\r");
    pty.wait_until("the post in the reader", |s| {
        s.contains("See the paper[1].") && s.contains("Links")
    });
    pty.send("q");
    pty.wait_for("Cites the notice");
    assert!(!pty.screen().contains('✗'), "{}", pty.screen());
    gate.open();
    pty.wait_for("1 paper you read about was retracted: ! to see");
    pty.wait_until("the mark on the post citing the paper", |s| {
        s.lines()
            .any(|l| l.contains("Cites Wakefield") && l.contains('✗'))
    });
    assert_eq!(srv.requests.lock().unwrap().len(), 1);
    pty.send("q");
}
