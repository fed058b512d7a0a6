//! Non-DOI papers resolved at their services (arXiv API, NCBI E-utilities, PMC ID converter),
//! each served from 127.0.0.1 with recorded real answers (tests/fixtures/papers/README.md):
//! batching, pacing checked from the server's own log, errors, Retry-After, offline afterwards.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{rss, Cli, Reply, Server};
use paperboy::library::citations::CitationState;
use paperboy::Library;

const TESTING: &str = include_str!("fixtures/papers/arxiv-query-testing-10.xml");
const PUBMED_ONE: &str = include_str!("fixtures/papers/esummary-pubmed-27933103.json");
const PUBMED_BATCH: &str = include_str!("fixtures/papers/esummary-pubmed-batch.json");

fn atom(body: &'static str) -> Reply {
    Reply::ok("application/atom+xml; charset=utf-8", body)
}

/// A library on `dir` whose services are `toml`'s (the DOI resolver a closed port).
fn library(dir: &std::path::Path, toml: &str) -> Library {
    let paths = paperboy::paths::Paths::resolve(Some(dir), None).unwrap();
    let config = paperboy::config::Config::from_toml(toml, "test")
        .unwrap()
        .config;
    let mut config = config;
    config.doi.resolver = "http://127.0.0.1:9".into();
    Library::open(paths, config).unwrap()
}

fn services(arxiv: &str, eutils: &str, idconv: &str, extra: &str) -> String {
    format!(
        "[papers]\narxiv_api = \"{arxiv}\"\neutils_api = \"{eutils}\"\npmc_idconv_api = \"{idconv}\"\n{extra}"
    )
}

/// Only E-utilities is up (at `server`).
fn eutils_toml(server: &Server) -> String {
    let none = "http://127.0.0.1:9";
    services(none, &server.url("/eutils"), none, "")
}

fn keys(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn query(req: &common::Request, name: &str) -> Option<String> {
    let url = url::Url::parse(&format!("http://x{}", req.path)).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn path_only(req: &common::Request) -> &str {
    req.path.split('?').next().unwrap_or("")
}

#[test]
fn arxiv_ids_go_in_one_request_and_are_offline_afterwards() {
    let arxiv = Server::start(|_| atom(TESTING));
    let dir = tempfile::tempdir().unwrap();
    let toml = services(
        &arxiv.url("/api/query"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "arxiv_interval_ms = 10\n",
    );
    let asked = keys(&[
        "arxiv:2202.12139",
        "arxiv:2005.14124",
        "arxiv:1202.4527",
        "arxiv:0808.05394",
    ]);
    let mut lib = library(dir.path(), &toml);
    let mut seen = Vec::new();
    let answers = lib
        .citations(&asked, &mut |k, _| seen.push(k.to_string()))
        .unwrap();
    assert_eq!(seen.len(), 4, "each key reported as it comes");
    let reqs = arxiv.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 1, "one request for four ids");
    assert_eq!(
        query(&reqs[0], "id_list").as_deref(),
        Some("2202.12139,2005.14124,1202.4527,0808.05394")
    );
    assert_eq!(query(&reqs[0], "max_results").as_deref(), Some("4"));
    let state = |k: &str| answers.iter().find(|(a, _)| a == k).unwrap().1.clone();
    match state("arxiv:2202.12139") {
        CitationState::Found { citation } => {
            assert!(
                citation.line().contains("(2202.12139). arXiv."),
                "{}",
                citation.line()
            );
            assert!(citation
                .title
                .unwrap()
                .contains("Testing Deep Learning Models"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(state("arxiv:0808.05394"), CitationState::NotFound);
    assert_eq!(
        CitationState::NotFound.line("arxiv:0808.05394"),
        "arxiv:0808.05394 (not found at the arXiv API)"
    );
    assert_eq!(
        lib.published_as("arxiv:2202.12139").unwrap().as_deref(),
        Some("published as doi:10.1109/ICSTW55395.2022.00035")
    );
    drop(lib);

    // A second run asks nothing: found and not-found answers are cached.
    let mut lib = library(dir.path(), &toml);
    let again = lib.citations(&asked, &mut |_, _| {}).unwrap();
    assert_eq!(
        arxiv.requests.lock().unwrap().len(),
        1,
        "no request the second time"
    );
    assert_eq!(again.len(), 4);
    assert!(matches!(again[0].1, CitationState::Found { .. }));
}

/// A server answering `reply` after `delay`, and the most requests it had in flight at once.
fn counting_server(delay: Duration, reply: Reply) -> (Server, Arc<AtomicUsize>) {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (f, m) = (in_flight, most.clone());
    let server = Server::start(move |_| {
        let now = f.fetch_add(1, Ordering::SeqCst) + 1;
        m.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(delay);
        f.fetch_sub(1, Ordering::SeqCst);
        reply.clone()
    });
    (server, most)
}

/// Runs one library per key list at once (as the reader's workers do) against `toml`.
fn at_once(toml: &str, lists: Vec<Vec<String>>) {
    let callers: Vec<_> = lists
        .into_iter()
        .map(|ids| {
            let toml = toml.to_string();
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                library(dir.path(), &toml)
                    .citations(&ids, &mut |_, _| {})
                    .unwrap();
            })
        })
        .collect();
    for c in callers {
        c.join().unwrap();
    }
}

#[test]
fn arxiv_is_asked_one_request_at_a_time_three_seconds_apart() {
    let (arxiv, most) = counting_server(Duration::from_millis(200), atom(TESTING));
    // The default gap (3 s). Two callers at once (the reader runs a worker per look-up):
    // one asks 100 ids (one batch), the other one id.
    let toml = services(
        &arxiv.url("/api/query"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "",
    );
    let many = (0..100)
        .map(|i| format!("arxiv:1501.{:05}", i + 1))
        .collect();
    at_once(&toml, vec![many, keys(&["arxiv:1502.00001"])]);
    let reqs = arxiv.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at - reqs[0].at;
    assert!(
        gap >= Duration::from_secs(3),
        "{gap:?} between two arXiv requests"
    );
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "one request in flight at most"
    );
}

#[test]
fn a_lowered_arxiv_gap_holds_only_on_this_machine() {
    let mut papers = paperboy::config::PapersConfig {
        arxiv_interval_ms: 10,
        ..Default::default()
    };
    assert_eq!(
        paperboy::library::arxiv_gap(&papers),
        Duration::from_secs(3)
    );
    papers.arxiv_api = "http://127.0.0.1:8080/api/query".into();
    assert_eq!(
        paperboy::library::arxiv_gap(&papers),
        Duration::from_millis(10)
    );
}

/// 401 PMIDs: three requests to an E-utilities server; their start times.
fn eutils_pace(extra: &str) -> (Vec<common::Request>, Duration) {
    let eutils = Server::start(|_| Reply::ok("application/json", PUBMED_BATCH));
    let dir = tempfile::tempdir().unwrap();
    let toml = services(
        "http://127.0.0.1:9",
        &eutils.url("/eutils"),
        "http://127.0.0.1:9",
        extra,
    );
    let ids: Vec<String> = (0..401).map(|i| format!("pmid:{}", 1000 + i)).collect();
    let mut lib = library(dir.path(), &toml);
    lib.citations(&ids, &mut |_, _| {}).unwrap();
    let reqs = eutils.requests.lock().unwrap().clone();
    let span = reqs.last().unwrap().at - reqs[0].at;
    (reqs, span)
}

#[test]
fn eutils_is_asked_200_ids_at_a_time_at_most_three_a_second_without_a_key() {
    let (reqs, span) = eutils_pace("");
    assert_eq!(reqs.len(), 3, "401 ids in batches of 200");
    for pair in reqs.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(333), "{gap:?}");
    }
    assert_eq!(path_only(&reqs[0]), "/eutils/esummary.fcgi");
    assert_eq!(query(&reqs[0], "db").as_deref(), Some("pubmed"));
    assert_eq!(query(&reqs[0], "retmode").as_deref(), Some("json"));
    assert_eq!(query(&reqs[0], "id").unwrap().split(',').count(), 200);
    assert_eq!(query(&reqs[0], "api_key"), None);
    assert!(span >= Duration::from_millis(666));

    // With a key, NCBI allows 10 a second: the key is sent and the pace is faster.
    let (reqs, fast) = eutils_pace("ncbi_api_key = \"k3y\"\n");
    assert_eq!(query(&reqs[0], "api_key").as_deref(), Some("k3y"));
    for pair in reqs.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(100));
    }
    assert!(fast < span, "{fast:?} with a key, {span:?} without");
}

#[test]
fn pubmed_summaries_cite_and_their_ids_join_one_paper() {
    let eutils = Server::start(|req| {
        if req.path.contains("27933103") {
            Reply::ok("application/json", PUBMED_ONE)
        } else {
            Reply::ok("application/json", PUBMED_BATCH)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &eutils_toml(&eutils));
    let answers = lib
        .citations(&keys(&["pmid:27933103"]), &mut |_, _| {})
        .unwrap();
    match &answers[0].1 {
        CitationState::Found { citation } => assert_eq!(
            citation.line(),
            "Scalfani, V. F., Williams, A. J., Tkachenko, V., Karapetyan, K., Pshenichnov, A., \
             Hanson, R. M., Liddie, J. M., & Bara, J. E. (2016). Programmatic conversion of crystal \
             structures into 3D printable files using Jmol. Journal of Cheminformatics, 8, 66. \
             https://doi.org/10.1186/s13321-016-0181-z pmid:27933103"
        ),
        other => panic!("{other:?}"),
    }
    for alias in ["pmid:27933103", "pmcid:PMC5122160"] {
        assert_eq!(
            lib.paper_key(alias).unwrap(),
            "doi:10.1186/s13321-016-0181-z"
        );
    }
    // A uid NCBI cannot summarise is "not found", the others cite.
    let batch = keys(&["pmid:125352", "pmid:2345234523452345", "pmid:363666"]);
    let answers = lib.citations(&batch, &mut |_, _| {}).unwrap();
    assert_eq!(
        eutils.requests.lock().unwrap().len(),
        2,
        "one request for the batch"
    );
    assert!(matches!(answers[0].1, CitationState::Found { .. }));
    assert_eq!(answers[1].1, CitationState::NotFound);
    assert!(matches!(answers[2].1, CitationState::Found { .. }));
}

#[test]
fn the_arxiv_doi_makes_one_paper_of_a_preprint_and_its_published_version() {
    let feed = rss(
        "Testing blog",
        &[
            (
                "p1",
                "The preprint",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                r#"<p>See <a href="https://arxiv.org/abs/2202.12139">the preprint</a>.</p>"#,
            ),
            (
                "p2",
                "The paper",
                "Tue, 02 Dec 2014 10:00:00 +0000",
                r#"<p>Now out: doi:10.1109/ICSTW55395.2022.00035</p>"#,
            ),
        ],
    );
    let feeds = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let arxiv = Server::start(|_| atom(TESTING));
    let cli = Cli::new();
    cli.ok(&["add", &feeds.url("/feed")]);
    let toml = services(
        &arxiv.url("/api/query"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "arxiv_interval_ms = 10\n",
    );
    let mut lib = library(cli.data_dir(), &toml);
    let all = paperboy::store::ListQuery::default();
    assert_eq!(
        lib.papers(&all).unwrap().len(),
        2,
        "two rows before arXiv is asked"
    );
    lib.citations(&keys(&["arxiv:2202.12139"]), &mut |_, _| {})
        .unwrap();
    let rows = lib.papers(&all).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].key, "doi:10.1109/icstw55395.2022.00035");
    assert_eq!(rows[0].cited_by.len(), 2);
    // Offline, the paper's citation is the arXiv answer (the DOI was never resolved).
    let line = lib.known_citation(&rows[0]).unwrap().unwrap().line();
    assert!(line.contains("Testing Deep Learning Models"), "{line}");
}

#[test]
fn a_service_that_is_down_is_one_line_and_cached_answers_still_serve() {
    let arxiv = Server::start(|_| atom(TESTING));
    let dir = tempfile::tempdir().unwrap();
    let up = services(
        &arxiv.url("/api/query"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "arxiv_interval_ms = 10\n[doi]\ncache_days = 0\n",
    );
    let mut lib = library(dir.path(), &up);
    lib.citations(&keys(&["arxiv:2202.12139"]), &mut |_, _| {})
        .unwrap();
    drop(lib);
    // Every cached answer is stale (cache_days = 0) and every service is down.
    let down = services(
        "http://127.0.0.1:9/api/query",
        "http://127.0.0.1:9/eutils",
        "http://127.0.0.1:9/idconv/",
        "[doi]\ncache_days = 0\n",
    );
    let mut lib = library(dir.path(), &down);
    let asked = keys(&[
        "arxiv:2202.12139",
        "arxiv:2005.14124",
        "pmid:23193287",
        "pmcid:PMC3531190",
    ]);
    let answers = lib.citations(&asked, &mut |_, _| {}).unwrap();
    let state = |k: &str| answers.iter().find(|(a, _)| a == k).unwrap().1.clone();
    assert!(
        matches!(state("arxiv:2202.12139"), CitationState::Found { .. }),
        "the stale answer stands"
    );
    for (key, service) in [
        ("arxiv:2005.14124", "arXiv API: "),
        ("pmid:23193287", "NCBI E-utilities: "),
        ("pmcid:PMC3531190", "PMC ID converter: "),
    ] {
        let line = state(key).line(key);
        assert!(
            line.starts_with(&format!("{key} (look-up failed: {service}")),
            "{line}"
        );
        assert_eq!(line.lines().count(), 1);
    }
}

#[test]
fn a_429_is_waited_out_as_retry_after_says_and_a_long_one_fails_now() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let eutils = Server::start(move |_| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(429).with_header("Retry-After", "1")
        } else {
            Reply::ok("application/json", PUBMED_ONE)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &eutils_toml(&eutils));
    let answers = lib
        .citations(&keys(&["pmid:27933103"]), &mut |_, _| {})
        .unwrap();
    assert!(matches!(answers[0].1, CitationState::Found { .. }));
    let reqs = eutils.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1].at - reqs[0].at >= Duration::from_secs(1));

    let busy = Server::start(|_| Reply::status(503).with_header("Retry-After", "3600"));
    let toml = services(
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        &busy.url("/idconv/"),
        "",
    );
    let mut lib = library(dir.path(), &toml);
    let started = std::time::Instant::now();
    let answers = lib
        .citations(
            &keys(&["pmcid:PMC3531190", "pmcid:PMC3245039"]),
            &mut |_, _| {},
        )
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no hour-long wait"
    );
    let reqs = busy.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 1, "two PMC ids, one request");
    assert_eq!(
        query(&reqs[0], "ids").as_deref(),
        Some("PMC3531190,PMC3245039")
    );
    assert_eq!(query(&reqs[0], "format").as_deref(), Some("json"));
    let line = answers[0].1.line("pmcid:PMC3531190");
    assert_eq!(
        line,
        "pmcid:PMC3531190 (look-up failed: PMC ID converter: HTTP 503 Service Unavailable (retry after 3600 s))"
    );
}

#[test]
fn cite_and_open_take_paper_keys() {
    let arxiv = Server::start(|_| atom(TESTING));
    let cli = Cli::new();
    cli.write_config(&services(
        &arxiv.url("/api/query"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "arxiv_interval_ms = 10\n",
    ));
    // APA prints the published DOI, so the note is not added; a style without DOIs gets it.
    let out = cli.ok(&["cite", "arXiv:2202.12139v1"]);
    assert!(
        out.trim_end()
            .ends_with("(2202.12139). arXiv. https://doi.org/10.1109/ICSTW55395.2022.00035"),
        "{out}"
    );
    let style = cli.dir.path().join("titles-only.csl");
    std::fs::write(&style, TITLES_ONLY_CSL).unwrap();
    let out = cli.ok(&[
        "cite",
        "arXiv:2202.12139v1",
        "--style",
        style.to_str().unwrap(),
    ]);
    assert!(
        out.trim_end()
            .ends_with("(published as doi:10.1109/ICSTW55395.2022.00035)"),
        "{out}"
    );
    let bib = cli.ok(&["cite", "arxiv:2202.12139", "--format", "bibtex"]);
    assert!(bib.starts_with('@'), "{bib}");
    assert_eq!(
        arxiv.requests.lock().unwrap().len(),
        1,
        "bibtex from the cache"
    );

    let (script, log) = common::line_recording_browser(cli.data_dir());
    for key in [
        "arxiv:1412.3456",
        "pmid:23193287",
        "pmcid:PMC3531190",
        "arXiv:hep-th/9901001v2",
    ] {
        let out = cli
            .command()
            .env("PAPERBOY_BROWSER", &script)
            .args(["open", key])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let opened = common::recorded_lines(&log, 4).join("\n");
    assert_eq!(
        opened.lines().collect::<Vec<_>>(),
        [
            "https://arxiv.org/abs/1412.3456",
            "https://pubmed.ncbi.nlm.nih.gov/23193287/",
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/",
            "https://arxiv.org/abs/hep-th/9901001",
        ]
    );
    let out = cli.run(&["cite", "isbn:123"]);
    let err = common::one_line_error(&out);
    assert!(err.contains("nor a paper key"), "{err}");
}

#[test]
fn two_callers_at_once_never_have_two_requests_in_flight() {
    // An answer slower than NCBI's gap: a second request started in the gap would overlap.
    let reply = Reply::ok("application/json", PUBMED_BATCH);
    let (eutils, most) = counting_server(Duration::from_millis(600), reply);
    let toml = services(
        "http://127.0.0.1:9",
        &eutils.url("/eutils"),
        "http://127.0.0.1:9",
        "",
    );
    at_once(&toml, vec![keys(&["pmid:125352"]), keys(&["pmid:363666"])]);
    assert_eq!(eutils.requests.lock().unwrap().len(), 2);
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "one request in flight at most"
    );
}

#[test]
fn bib_exports_a_months_arxiv_and_pubmed_papers_one_record_each() {
    let feed = rss(
        "Reading group",
        &[
            (
                "p1",
                "A preprint",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                r#"<p>See <a href="https://arxiv.org/abs/2202.12139v1">the preprint</a>.</p>"#,
            ),
            (
                "p2",
                "A PubMed record",
                "Tue, 02 Dec 2014 10:00:00 +0000",
                "<p>Printing crystals (PMID: 27933103).</p>",
            ),
            (
                "p3",
                "The same paper by its DOI",
                "Wed, 03 Dec 2014 10:00:00 +0000",
                "<p>Also: doi:10.1186/s13321-016-0181-z</p>",
            ),
            (
                "p4",
                "Another month",
                "Thu, 01 Jan 2015 10:00:00 +0000",
                r#"<p><a href="https://arxiv.org/abs/2005.14124">this</a></p>"#,
            ),
        ],
    );
    let feeds = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let arxiv = Server::start(|_| atom(TESTING));
    let eutils = Server::start(|_| Reply::ok("application/json", PUBMED_ONE));
    let cli = Cli::new();
    cli.write_config(&services(
        &arxiv.url("/api/query"),
        &eutils.url("/eutils"),
        "http://127.0.0.1:9",
        "arxiv_interval_ms = 10\n",
    ));
    cli.ok(&["add", &feeds.url("/feed")]);

    let out = cli.run(&["bib", "--month", "2014-12"]);
    let (bib, err) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(
        out.status.success() && err.is_empty(),
        "nothing skipped: {err}"
    );
    let parsed = biblatex::Bibliography::parse(&bib).unwrap_or_else(|e| panic!("{e:?}: {bib}"));
    // The PMID and the DOI are one paper once PubMed has said so: two records, not three.
    assert_eq!(parsed.len(), 2, "{bib}");
    assert!(bib.contains("Testing Deep Learning Models"), "{bib}");
    assert!(bib.contains("eprint = {2202.12139}"), "{bib}");
    assert!(
        bib.contains("Programmatic conversion of crystal structures"),
        "{bib}"
    );
    assert!(
        !bib.contains("2005.14124"),
        "January's paper is not December's: {bib}"
    );
    let asked = |s: &Server| s.requests.lock().unwrap().len();
    assert_eq!((asked(&arxiv), asked(&eutils)), (1, 1));

    // RIS from the cache: one record a paper, nothing asked again.
    let ris = cli.ok(&["bib", "--month", "2014-12", "--format", "ris"]);
    assert_eq!(ris.matches("TY  - ").count(), 2, "{ris}");
    assert_eq!(ris.matches("ER  - ").count(), 2, "{ris}");
    assert!(ris.contains("Testing Deep Learning Models"), "{ris}");
    assert!(
        ris.contains("Programmatic conversion of crystal structures"),
        "{ris}"
    );
    assert_eq!(
        (asked(&arxiv), asked(&eutils)),
        (1, 1),
        "offline afterwards"
    );
}

const IDCONV_NG590: &str = include_str!("fixtures/papers/idconv-10.1038-ng.590.json");

#[test]
fn a_pmcid_resolves_through_the_id_converter_to_its_doi() {
    // The DOI resolver's answer is a stand-in (the DOI path is tested in tests/citations.rs);
    // the converter's answer is a recorded one.
    const NG590_CSL: &str =
        r#"{"type":"article-journal","DOI":"10.1038/ng.590","title":"The DOI resolver's answer"}"#;
    let server = Server::start(|req| {
        if path_only(req).starts_with("/idconv/") {
            Reply::ok("application/json; charset=ISO-8859-1", IDCONV_NG590)
        } else if path_only(req) == "/doi/10.1038/ng.590" {
            Reply::ok("application/vnd.citationstyles.csl+json", NG590_CSL)
        } else {
            Reply::status(404)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let none = "http://127.0.0.1:9";
    let toml = services(none, none, &server.url("/idconv/"), "");
    let paths = paperboy::paths::Paths::resolve(Some(dir.path()), None).unwrap();
    let mut config = paperboy::config::Config::from_toml(&toml, "test")
        .unwrap()
        .config;
    config.doi.resolver = server.url("/doi/");
    let mut lib = Library::open(paths, config).unwrap();

    let answers = lib
        .citations(&keys(&["pmcid:PMC2883744"]), &mut |_, _| {})
        .unwrap();
    match &answers[0].1 {
        CitationState::Found { citation } => {
            assert_eq!(citation.title.as_deref(), Some("The DOI resolver's answer"));
        }
        other => panic!("{other:?}"),
    }
    let reqs = server.requests.lock().unwrap().clone();
    let idconv: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.contains("/idconv/"))
        .collect();
    assert_eq!(idconv.len(), 1, "{reqs:?}");
    assert_eq!(query(idconv[0], "ids").as_deref(), Some("PMC2883744"));
    assert_eq!(query(idconv[0], "format").as_deref(), Some("json"));
    // The converter's DOI and PMID are the same paper as the PMCID.
    for alias in ["pmcid:PMC2883744", "pmid:20495566", "doi:10.1038/ng.590"] {
        assert_eq!(
            lib.paper_key(alias).unwrap(),
            "doi:10.1038/ng.590",
            "{alias}"
        );
    }
}

/// A CSL style that prints titles only: no DOI, no URL.
const TITLES_ONLY_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info>
    <title>Titles only</title>
    <id>http://example.org/titles-only</id>
    <updated>2026-12-07T00:00:00+00:00</updated>
  </info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"#;
