//! Open-access copies: Unpaywall served from 127.0.0.1 with recorded real answers
//! (tests/fixtures/unpaywall/README.md), its faults, arXiv/PMC papers without a request, the
//! cache, and `open --oa` / `papers --json` through the real binary.

mod common;

use common::{line_recording_browser, one_line_error, recorded_lines, Cli, Reply, Server};
use paperboy::library::access::OaAnswer;
use paperboy::papers::access::{OaCopy, OaState};
use paperboy::Library;

const OPEN: &str = include_str!("fixtures/unpaywall/unpaywall-10.1038-nature12373.json");
const CLOSED: &str =
    include_str!("fixtures/unpaywall/unpaywall-10.1109-indcon.2013.6726080-closed.json");
const NOT_THERE: &str = include_str!("fixtures/unpaywall/unpaywall-404-not-in-unpaywall.json");

const DASH_PDF: &str =
    "https://dash.harvard.edu/bitstream/1/12285462/1/Nanometer-Scale%20Thermometry.pdf";

/// Unpaywall as recorded: the open paper, the closed one, a 404 for anything else.
fn unpaywall() -> Server {
    Server::start(|req| {
        let path = req.path.split('?').next().unwrap_or("");
        if path.ends_with("/10.1038/nature12373") {
            Reply::ok("application/json", OPEN)
        } else if path.ends_with("/10.1109/indcon.2013.6726080") {
            Reply::ok("application/json", CLOSED)
        } else {
            Reply::Full {
                status: 404,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: NOT_THERE.into(),
            }
        }
    })
}

fn toml(server: &Server, mailto: Option<&str>, extra: &str) -> String {
    let doi = mailto.map_or(String::new(), |m| format!("mailto = \"{m}\"\n"));
    format!(
        "[doi]\n{doi}{extra}[papers]\nunpaywall_api = \"{}\"\n",
        server.url("/v2")
    )
}

fn library(dir: &std::path::Path, toml: &str) -> Library {
    let paths = paperboy::paths::Paths::resolve(Some(dir), None).unwrap();
    let config = paperboy::config::Config::from_toml(toml, "test")
        .unwrap()
        .config;
    Library::open(paths, config).unwrap()
}

fn doi(d: &str) -> Vec<String> {
    vec![format!("doi:{d}")]
}

#[test]
fn the_best_location_is_read_and_asked_once() {
    let server = unpaywall();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    assert_eq!(lib.oa_known(&doi("10.1038/nature12373")).unwrap(), None);
    let answer = lib.oa_now(&doi("10.1038/NATURE12373")).unwrap();
    let expected = OaState::Open(OaCopy {
        url: DASH_PDF.into(),
        pdf: Some(DASH_PDF.into()),
        version: Some("publishedVersion".into()),
        license: None,
        host_type: Some("repository".into()),
    });
    assert_eq!(answer, OaAnswer::Known(expected.clone()));
    assert_eq!(expected.line(), "OA: PDF, publishedVersion");
    let reqs = server.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].path, "/v2/10.1038/nature12373?email=me%40example.org",
        "the DOI bare and lowercased, the email as the query"
    );
    // Known offline now, by this library and the next: never asked again while fresh.
    drop(lib);
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    assert_eq!(
        lib.oa_known(&doi("10.1038/nature12373")).unwrap(),
        Some(expected.clone())
    );
    assert_eq!(
        lib.oa_now(&doi("10.1038/nature12373")).unwrap(),
        OaAnswer::Known(expected)
    );
    assert_eq!(server.requests.lock().unwrap().len(), 1, "asked once");
}

#[test]
fn closed_and_unknown_dois_are_stored_as_none_and_asked_again_after_cache_days() {
    let server = unpaywall();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    let asked = ["10.1109/indcon.2013.6726080", "10.5555/not-in-unpaywall"].map(String::from);
    let mut seen = Vec::new();
    let answers = lib
        .oa_lookup(&asked, &mut |d, a| seen.push((d.to_string(), a.clone())))
        .unwrap();
    assert_eq!(seen, answers, "each reported as it comes");
    for (d, a) in &answers {
        assert_eq!(*a, OaAnswer::Known(OaState::NoneKnown), "{d}");
        assert_eq!(lib.oa_known(&doi(d)).unwrap(), Some(OaState::NoneKnown));
        assert_eq!(lib.oa_due(&doi(d)).unwrap(), None, "{d} is not asked again");
    }
    assert_eq!(OaState::NoneKnown.line(), "OA: none known");
    drop(lib);
    // cache_days = 0: every stored answer is stale, and asked again.
    let lib = library(
        dir.path(),
        &toml(&server, Some("me@example.org"), "cache_days = 0\n"),
    );
    assert_eq!(
        lib.oa_due(&doi("10.1109/indcon.2013.6726080"))
            .unwrap()
            .as_deref(),
        Some("10.1109/indcon.2013.6726080")
    );
}

#[test]
fn without_an_email_nothing_is_asked() {
    let server = unpaywall();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, None, ""));
    let answers = lib
        .oa_lookup(&["10.1038/nature12373".into()], &mut |_, _| {})
        .unwrap();
    assert_eq!(answers[0].1, OaAnswer::NoEmail);
    assert_eq!(
        lib.oa_now(&doi("10.1038/nature12373")).unwrap(),
        OaAnswer::NoEmail
    );
    assert!(
        server.requests.lock().unwrap().is_empty(),
        "no request without an email"
    );
    assert!(paperboy::library::access::NO_EMAIL_HINT.contains("[doi] mailto"));
}

#[test]
fn arxiv_and_pmc_papers_are_open_without_a_request() {
    let server = unpaywall();
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    // A preprint with a DOI: its arXiv PDF, and Unpaywall is not asked.
    let ids = vec![
        "arxiv:1304.1068".to_string(),
        "doi:10.1038/nature12373".to_string(),
    ];
    assert_eq!(lib.oa_due(&ids).unwrap(), None);
    let Some(OaState::Open(c)) = lib.oa_known(&ids).unwrap() else {
        panic!("open by nature")
    };
    assert_eq!(c.pdf.as_deref(), Some("https://arxiv.org/pdf/1304.1068"));
    match lib.oa_now(&["pmcid:PMC4221854".to_string()]).unwrap() {
        OaAnswer::Known(s) => assert_eq!(
            s.open_url(),
            Some("https://pmc.ncbi.nlm.nih.gov/articles/PMC4221854/pdf/")
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        lib.oa_now(&["pmid:23193287".to_string()]).unwrap(),
        OaAnswer::NoDoi
    );
    assert!(server.requests.lock().unwrap().is_empty(), "no request");
}

/// Unpaywall answering `reply` to everything; the answer to one DOI.
fn one_fault(reply: Reply) -> (Server, OaAnswer) {
    let server = Server::start(move |_| reply.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    let answer = lib.oa_now(&doi("10.1038/nature12373")).unwrap();
    // A failure stores nothing: the next look-up asks again.
    assert_eq!(lib.oa_known(&doi("10.1038/nature12373")).unwrap(), None);
    (server, answer)
}

fn failed_line(answer: OaAnswer) -> String {
    match answer {
        OaAnswer::Failed(line) => {
            assert!(line.starts_with("Unpaywall: "), "{line}");
            assert!(!line.contains('\n'), "{line}");
            line
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn faults_are_one_line_naming_unpaywall_and_store_nothing() {
    let (_, a) = one_fault(Reply::ok(
        "text/html",
        "<html><body>maintenance</body></html>",
    ));
    assert!(failed_line(a).contains("not JSON"));
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let (_, a) = one_fault(Reply::ok("application/json", huge));
    assert!(failed_line(a).contains("over 1 MiB"));
    let (_, a) = one_fault(Reply::status(500));
    assert!(failed_line(a).contains("HTTP 500"));
}

#[test]
fn a_429_is_waited_out_as_retry_after_says() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let server = Server::start(move |_| {
        if c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::status(429).with_header("Retry-After", "1")
        } else {
            Reply::ok("application/json", OPEN)
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &toml(&server, Some("me@example.org"), ""));
    let answer = lib.oa_now(&doi("10.1038/nature12373")).unwrap();
    assert!(
        matches!(answer, OaAnswer::Known(OaState::Open(_))),
        "{answer:?}"
    );
    let reqs = server.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    let waited = reqs[1].at - reqs[0].at;
    assert!(waited >= std::time::Duration::from_secs(1), "{waited:?}");
    // A Retry-After longer than the bound fails now, in one line, rather than hang the caller.
    let (server, a) = one_fault(Reply::status(429).with_header("Retry-After", "3600"));
    assert!(failed_line(a).contains("429"));
    assert_eq!(server.requests.lock().unwrap().len(), 1);
}

fn cli(server: &Server, mailto: Option<&str>) -> (Cli, std::path::PathBuf) {
    let cli = Cli::new();
    let (browser, log) = line_recording_browser(cli.data_dir());
    cli.write_config(&format!(
        "browser = [\"{}\"]\n{}",
        browser.display(),
        toml(server, mailto, "")
    ));
    (cli, log)
}

#[test]
fn open_oa_opens_the_copy_and_says_so_in_one_line_when_there_is_none() {
    let server = unpaywall();
    let (cli, log) = cli(&server, Some("me@example.org"));
    let out = cli.ok(&["open", "https://doi.org/10.1038/nature12373", "--oa"]);
    assert_eq!(
        out.trim(),
        format!("opened {DASH_PDF} (OA: PDF, publishedVersion)")
    );
    assert_eq!(recorded_lines(&log, 1), vec![DASH_PDF.to_string()]);
    let out = cli.ok(&["open", "arxiv:1304.1068", "--oa"]);
    assert!(out.contains("https://arxiv.org/pdf/1304.1068"), "{out}");
    assert_eq!(
        recorded_lines(&log, 2)[1],
        "https://arxiv.org/pdf/1304.1068"
    );
    let err = one_line_error(&cli.run(&["open", "10.1109/indcon.2013.6726080", "--oa"]));
    assert!(
        err.contains("no open-access copy known for doi:10.1109/indcon.2013.6726080"),
        "{err}"
    );
    let err = one_line_error(&cli.run(&["open", "10.5555/not-in-unpaywall", "--oa"]));
    assert!(err.contains("no open-access copy known"), "{err}");
    assert_eq!(
        server.requests.lock().unwrap().len(),
        3,
        "arXiv asked nothing"
    );

    let (cli, _) = self::cli(&server, None);
    let err = one_line_error(&cli.run(&["open", "10.1038/nature12373", "--oa"]));
    assert!(err.contains("set [doi] mailto"), "{err}");
    assert_eq!(
        server.requests.lock().unwrap().len(),
        3,
        "no email, no request"
    );
}

#[test]
fn papers_json_carries_the_oa_copy_known() {
    let server = unpaywall();
    let (cli, _) = cli(&server, Some("me@example.org"));
    let feed = Server::start(|_| {
        Reply::ok(
            "application/rss+xml",
            common::rss(
                "Lab",
                &[
                    (
                        "1",
                        "Open",
                        "Mon, 01 Dec 2014 10:00:00 +0000",
                        "<p>doi:10.1038/nature12373</p>",
                    ),
                    (
                        "2",
                        "Closed",
                        "Tue, 02 Dec 2014 10:00:00 +0000",
                        "<p>doi:10.1109/indcon.2013.6726080</p>",
                    ),
                    (
                        "3",
                        "Never asked",
                        "Wed, 03 Dec 2014 10:00:00 +0000",
                        "<p>doi:10.5555/never-asked</p>",
                    ),
                ],
            ),
        )
    });
    cli.ok(&["add", &feed.url("/feed.xml")]);
    cli.ok(&["open", "10.1038/nature12373", "--oa"]);
    let _ = cli.run(&["open", "10.1109/indcon.2013.6726080", "--oa"]);
    let papers = cli.json(&["papers"]);
    let oa = |key: &str| {
        let rows = papers.as_array().unwrap();
        rows.iter().find(|p| p["key"] == key).unwrap()["oa"].clone()
    };
    assert_eq!(
        oa("doi:10.1038/nature12373"),
        serde_json::json!({"url": DASH_PDF, "pdf": DASH_PDF,
            "version": "publishedVersion", "license": null})
    );
    assert_eq!(
        oa("doi:10.1109/indcon.2013.6726080"),
        serde_json::json!({"url": null, "pdf": null, "version": null, "license": null})
    );
    assert_eq!(oa("doi:10.5555/never-asked"), serde_json::Value::Null);
}

/// Issue 19, Speed: the reader never waits on Unpaywall. The link list asks about its DOI and
/// Unpaywall holds its answer (a [`Gate`]): the reader still answers keys (closing the list,
/// the next post), with the look-up still pending; then the answer comes and the list shows it.
#[test]
fn the_reader_answers_keys_while_unpaywall_holds_its_answer() {
    use common::pty::Pty;
    use common::{wait_for_requests, Gate};
    let gate = Gate::new();
    let held = gate.clone();
    let server = Server::start(move |_| {
        held.wait();
        Reply::ok("application/json", OPEN)
    });
    let feed = Server::start(|_| {
        let items = [
            (
                "1",
                "Thermometry",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                "<p>Read doi:10.1038/nature12373 today.</p>",
            ),
            (
                "2",
                "Later news",
                "Tue, 02 Dec 2014 10:00:00 +0000",
                "<p>Nothing cited here.</p>",
            ),
        ];
        Reply::ok("application/rss+xml", common::rss("Lab", &items))
    });
    let cli = Cli::new();
    cli.write_config(&format!(
        "[ui]\nrefresh_on_start = false\n{}",
        toml(&server, Some("me@example.org"), "")
    ));
    cli.ok(&["add", &feed.url("/feed.xml")]);
    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 120, 30);
    pty.wait_for("Later news");
    pty.send("j");
    pty.send("\r");
    pty.wait_for("Read doi:10.1038/nature12373 today.");
    pty.send("L");
    wait_for_requests(&mut pty, &server, 1);
    // From here the look-up is pending until the gate opens, or until it gives up on its own,
    // which it cannot do sooner than this.
    let asked = std::time::Instant::now();
    let gives_up =
        std::time::Duration::from_secs(paperboy::papers::services::unpaywall::TIMEOUT_SECS);
    pty.wait_for("OA: looking up");
    // Keys while Unpaywall holds its answer: the list closes, the next post opens.
    pty.send("\x1b");
    pty.wait_until("the post without its link list", |s| {
        s.contains("Read doi:10.1038/nature12373 today.") && !s.contains("OA: looking up")
    });
    pty.send("K");
    pty.wait_for("Nothing cited here.");
    // Answered while the look-up was pending: before it could have given up, and with no
    // answer and no failure shown.
    assert!(
        asked.elapsed() < gives_up,
        "keys answered only after {:?}",
        asked.elapsed()
    );
    assert!(pty.errors_seen.is_empty(), "{:?}", pty.errors_seen);
    gate.open();
    pty.send("J");
    pty.wait_for("Read doi:10.1038/nature12373 today.");
    pty.send("L");
    pty.wait_for("OA: PDF, publishedVersion");
    assert_eq!(server.requests.lock().unwrap().len(), 1);
    assert!(pty.errors_seen.is_empty(), "{:?}", pty.errors_seen);
    pty.send("\x1b");
    pty.send("q");
}

/// `open ID --oa` by any id of the paper: a PMID a post's COinS span gave with the paper's DOI
/// is asked of Unpaywall by that DOI.
#[test]
fn open_oa_by_a_pmid_asks_unpaywall_by_the_papers_doi() {
    let server = unpaywall();
    let (cli, log) = cli(&server, Some("me@example.org"));
    let coins = "<span class=\"Z3988\" title=\"ctx_ver=Z39.88-2004&amp;\
                 rft_id=info%3Adoi%2F10.1038%2Fnature12373&amp;rft_id=info%3Apmid%2F23903748\">\
                 </span>";
    let body = format!("<p>Thermometry in a living cell.</p>{coins}");
    let feed = Server::start(move |_| {
        let items = [(
            "1",
            "Thermometry",
            "Mon, 01 Dec 2014 10:00:00 +0000",
            body.as_str(),
        )];
        Reply::ok("application/rss+xml", common::rss("Lab", &items))
    });
    cli.ok(&["add", &feed.url("/feed.xml")]);
    let out = cli.ok(&["open", "pmid:23903748", "--oa"]);
    assert_eq!(
        out.trim(),
        format!("opened {DASH_PDF} (OA: PDF, publishedVersion)")
    );
    assert_eq!(recorded_lines(&log, 1), vec![DASH_PDF.to_string()]);
    let reqs = server.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 1);
    assert!(
        reqs[0].path.starts_with("/v2/10.1038/nature12373?"),
        "{}",
        reqs[0].path
    );
}

/// A PMID PubMed (a recorded answer) says is in PMC: open by nature, Unpaywall not asked.
#[test]
fn open_oa_by_a_pmid_opens_its_pmc_copy() {
    let pubmed = include_str!("fixtures/papers/esummary-pubmed-27933103.json");
    let eutils = Server::start(move |_| Reply::ok("application/json", pubmed));
    let server = unpaywall();
    let (cli, log) = cli(&server, Some("me@example.org"));
    let config = std::fs::read_to_string(cli.data_dir().join("config.toml")).unwrap();
    cli.write_config(&format!(
        "{}eutils_api = \"{}\"\n",
        config,
        eutils.url("/eutils")
    ));
    cli.ok(&["cite", "pmid:27933103"]);
    let pmc_pdf = "https://pmc.ncbi.nlm.nih.gov/articles/PMC5122160/pdf/";
    let out = cli.ok(&["open", "pmid:27933103", "--oa"]);
    assert!(
        out.starts_with(&format!("opened {pmc_pdf} (OA: PDF")),
        "{out}"
    );
    assert_eq!(recorded_lines(&log, 1), vec![pmc_pdf.to_string()]);
    assert!(server.requests.lock().unwrap().is_empty(), "open by nature");
}
