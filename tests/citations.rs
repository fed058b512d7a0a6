//! DOIs end to end: listing, opening, resolving against a resolver on 127.0.0.1, BibTeX export.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{rss, Cli, Reply, Server};

const WEBBER_CSL: &str = r#"{"type":"article-journal","DOI":"10.1111/hsc.12135","title":"Enhancing social networks: a qualitative study of health and social care practice in UK mental health services","container-title":"Health & Social Care in the Community","volume":"24","issue":"1","page":"152-161","author":[{"family":"Webber","given":"Martin"},{"family":"Reidy","given":"Hannah"},{"family":"Ansari","given":"David"},{"family":"Stevens","given":"Martin"},{"family":"Morris","given":"David"}],"issued":{"date-parts":[[2014,12,5]]}}"#;
const HOLT_CSL: &str = r#"{"type":"article-journal","DOI":"10.1371/journal.pmed.1000316","title":"Social Relationships and Mortality Risk: A Meta-analytic Review","container-title":"PLoS Medicine","volume":"7","issue":"7","page":"e1000316","author":[{"family":"Holt-Lunstad","given":"Julianne"},{"family":"Smith","given":"Timothy B."},{"family":"Layton","given":"J. Bradley"}],"issued":{"date-parts":[[2010,7,27]]}}"#;

/// A feed of two posts citing three DOIs in the forms real posts use, and a resolver.
fn setup(
    resolver: impl Fn(&common::Request) -> Reply + Send + Sync + 'static,
) -> (Server, Server, Cli) {
    let feed = rss(
        "Research Blog",
        &[
            (
                "p1",
                "Networks",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                r#"<p>See <a href="https://doi.org/10.1111/hsc.12135">the study</a> and DOI: 10.1371/journal.pmed.1000316.</p>"#,
            ),
            (
                "p2",
                "Unknown",
                "Tue, 02 Dec 2014 10:00:00 +0000",
                r#"<p>Also (doi:10.5555/NOT.FOUND) and again https://dx.doi.org/10.1111/HSC.12135</p>"#,
            ),
        ],
    );
    let feeds = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let resolver = Server::start(resolver);
    let cli = Cli::new();
    cli.ok(&["add", &feeds.url("/feed")]);
    (feeds, resolver, cli)
}

fn csl_resolver(req: &common::Request) -> Reply {
    let accept = req.header("accept").unwrap_or("");
    let path = req.path.to_lowercase();
    if path.contains("hsc.12135") {
        if accept.contains("bibtex") {
            return Reply::ok(
                "application/x-bibtex",
                "@article{Webber_2014, title={Enhancing social networks}, volume={24}, DOI={10.1111/hsc.12135}, journal={Health &amp; Social Care in the Community}, author={Webber, Martin and Reidy, Hannah}, year={2014}, pages={152–161}}",
            );
        }
        return Reply::ok("application/vnd.citationstyles.csl+json", WEBBER_CSL);
    }
    if path.contains("pmed.1000316") {
        return Reply::ok("application/vnd.citationstyles.csl+json", HOLT_CSL);
    }
    Reply::status(404)
}

fn with_resolver(cli: &Cli, resolver: &Server, args: &[&str]) -> std::process::Output {
    cli.command()
        .env("PAPERBOY_DOI_RESOLVER", resolver.url(""))
        .args(args)
        .output()
        .unwrap()
}

fn stdout_ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn dois_are_listed_once_per_entry_with_their_source() {
    let (_f, _r, cli) = setup(csl_resolver);
    let rows = cli.json(&["dois"]);
    let rows = rows.as_array().unwrap();
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["doi"].as_str().unwrap().to_string(),
                r["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&("10.1111/hsc.12135".into(), "link".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("10.1371/journal.pmed.1000316".into(), "text".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("10.5555/NOT.FOUND".into(), "text".into())),
        "{pairs:?}"
    );
    // p2 cites hsc.12135 once (upper-case link form), p1 once.
    let hsc = rows
        .iter()
        .filter(|r| r["doi"].as_str().unwrap().to_lowercase() == "10.1111/hsc.12135")
        .count();
    assert_eq!(hsc, 2, "{pairs:?}");
    for key in ["entry_id", "entry_title"] {
        assert!(rows[0].get(key).is_some());
    }
    let months = cli.json(&["dois", "--month", "2014-12"]);
    assert_eq!(months.as_array().unwrap().len(), 4);
    assert_eq!(
        cli.json(&["dois", "--month", "2015-01"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn cite_text_bibtex_and_csl_json() {
    let (_f, resolver, cli) = setup(csl_resolver);
    let line = stdout_ok(with_resolver(
        &cli,
        &resolver,
        &["cite", "10.1111/hsc.12135"],
    ));
    // The default style: APA.
    assert_eq!(
        line,
        "Webber, M., Reidy, H., Ansari, D., Stevens, M., & Morris, D. (2014). Enhancing social \
         networks: a qualitative study of health and social care practice in UK mental health \
         services. Health & Social Care in the Community, 24(1), 152–161. \
         https://doi.org/10.1111/hsc.12135\n"
    );
    let reqs = resolver.requests_to("/10.1111/hsc.12135");
    assert_eq!(
        reqs[0].header("accept"),
        Some("application/vnd.citationstyles.csl+json")
    );
    assert!(reqs[0].header("user-agent").unwrap().contains("paperboy/"));

    let bib = stdout_ok(with_resolver(
        &cli,
        &resolver,
        &["cite", "doi:10.1111/hsc.12135", "--format", "bibtex"],
    ));
    assert!(bib.starts_with("@article{"), "{bib}");
    // What paperboy wrote, not what the resolver served: its `&amp;` became LaTeX's `\&`.
    let parsed = biblatex::Bibliography::parse(&bib).unwrap_or_else(|e| panic!("{e:?}: {bib}"));
    assert_eq!(parsed.len(), 1, "{bib}");
    let entry = parsed.iter().next().unwrap();
    assert_eq!(entry.key, "Webber_2014");
    assert_eq!(entry.doi().unwrap(), "10.1111/hsc.12135");
    assert!(
        bib.contains("Health \\& Social Care") && !bib.contains("&amp;"),
        "{bib}"
    );
    let json = stdout_ok(with_resolver(
        &cli,
        &resolver,
        &[
            "cite",
            "https://doi.org/10.1111/hsc.12135",
            "--format",
            "csl-json",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["year"], 2014);
}

#[test]
fn a_cached_answer_is_used_without_a_request_and_404_is_cached() {
    let (_f, resolver, cli) = setup(csl_resolver);
    stdout_ok(with_resolver(
        &cli,
        &resolver,
        &["cite", "10.1111/hsc.12135"],
    ));
    let out = with_resolver(&cli, &resolver, &["cite", "10.5555/not.found"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not known"));
    let before = resolver.requests.lock().unwrap().len();
    stdout_ok(with_resolver(
        &cli,
        &resolver,
        &["cite", "10.1111/HSC.12135"],
    ));
    let out = with_resolver(&cli, &resolver, &["cite", "10.5555/NOT.FOUND"]);
    assert!(!out.status.success());
    assert_eq!(
        resolver.requests.lock().unwrap().len(),
        before,
        "cached answers must not ask again"
    );
}

#[test]
fn rate_limited_then_success() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let (_f, resolver, cli) = setup(move |req| {
        if h.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::status(429).with_header("Retry-After", "0")
        } else {
            csl_resolver(req)
        }
    });
    let line = stdout_ok(with_resolver(
        &cli,
        &resolver,
        &["cite", "10.1111/hsc.12135"],
    ));
    assert!(line.contains("Webber, M."), "{line}");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[test]
fn resolver_down_or_answering_html_is_a_one_line_error() {
    let (_f, resolver, cli) = setup(|_| Reply::ok("text/html", "<html><body>Sorry</body></html>"));
    let out = with_resolver(&cli, &resolver, &["cite", "10.1111/hsc.12135"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTML"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // Not an answer: nothing cached, so a working resolver is asked next time.
    let good = Server::start(csl_resolver);
    stdout_ok(with_resolver(&cli, &good, &["cite", "10.1111/hsc.12135"]));

    let out = cli
        .command()
        .env("PAPERBOY_DOI_RESOLVER", "http://127.0.0.1:9")
        .args(["cite", "10.1371/journal.pmed.1000316"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .trim_end()
            .lines()
            .count(),
        1
    );
}

#[test]
fn bib_writes_a_file_a_bibtex_parser_accepts_with_unique_keys() {
    let (_f, resolver, cli) = setup(csl_resolver);
    let path = cli.data_dir().join("out.bib");
    let out = with_resolver(
        &cli,
        &resolver,
        &["bib", "--month", "2014-12", "-o", path.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        // Named by its paper key (DOIs are keyed lowercased).
        err.contains("skipped doi:10.5555/not.found (not found at the DOI resolver)"),
        "the unknown DOI is reported: {err}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let bib = biblatex::Bibliography::parse(&text).unwrap();
    assert_eq!(bib.len(), 2, "{text}");
    let keys: std::collections::HashSet<String> = bib.iter().map(|e| e.key.clone()).collect();
    assert_eq!(keys.len(), 2);
}

#[test]
fn cite_in_a_named_style_a_csl_file_or_the_configured_one() {
    let (_f, resolver, cli) = setup(csl_resolver);
    let cite = |extra: &[&str]| {
        let mut args = vec!["cite", "10.1111/hsc.12135"];
        args.extend_from_slice(extra);
        with_resolver(&cli, &resolver, &args)
    };
    let vancouver = stdout_ok(cite(&["--style", "vancouver"]));
    assert!(
        vancouver.starts_with("Webber M, Reidy H, Ansari D, Stevens M, Morris D. Enhancing"),
        "{vancouver}"
    );
    assert!(vancouver.contains("2014;24(1):152-61."), "{vancouver}");
    let ieee = stdout_ok(cite(&["--style", "ieee"]));
    assert!(ieee.starts_with("M. Webber, H. Reidy,"), "{ieee}");
    // Plain text on stdout: no escape sequence for the italic journal.
    assert!(!ieee.contains('\u{1b}'), "{ieee:?}");

    // Any CSL file: a minimal one of our own.
    let csl = cli.data_dir().join("tiny.csl");
    std::fs::write(&csl, TINY_CSL).unwrap();
    let tiny = stdout_ok(cite(&["--style", csl.to_str().unwrap()]));
    // The style prints no DOI, so the line names the work by it.
    assert_eq!(tiny, "Webber and others (2014) doi:10.1111/hsc.12135\n");

    // A bad style file: one line naming the file and what is wrong, before any look-up.
    let before = resolver.requests_to("/10.1111/hsc.12135").len();
    let bad = cli.data_dir().join("bad.csl");
    std::fs::write(&bad, "<style>not csl").unwrap();
    let out = cite(&["--style", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.csl") && err.contains("not a usable CSL style"),
        "{err}"
    );
    let missing = cite(&["--style", "no/such/style.csl"]);
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("cannot read citation style no/such/style.csl"),
        "{err}"
    );
    let unknown = cite(&["--style", "harvard-nonesuch"]);
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        err.contains("unknown citation style `harvard-nonesuch`"),
        "{err}"
    );
    assert_eq!(resolver.requests_to("/10.1111/hsc.12135").len(), before);

    // [papers] style in the config.
    cli.write_config("[papers]\nstyle = \"nature\"\n");
    let nature = stdout_ok(cite(&[]));
    assert!(nature.starts_with("Webber, M., Reidy, H., Ansari, D., Stevens, M. & Morris, D. "));
    cli.write_config(&format!("[papers]\nstyle = {:?}\n", bad.to_str().unwrap()));
    let err = String::from_utf8_lossy(&cite(&[]).stderr).into_owned();
    assert!(
        err.contains("[papers] style") && err.contains("bad.csl"),
        "{err}"
    );
}

/// A complete CSL style in a few lines: family name, year, no DOI.
const TINY_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Tiny</title><id>urn:test:tiny</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <names variable="author"><name form="short" et-al-min="2" et-al-use-first="1"/><et-al term="and others"/></names>
    <date variable="issued" prefix=" (" suffix=")"><date-part name="year"/></date>
  </layout></bibliography>
</style>"#;

#[test]
fn styles_lists_the_bundled_styles_with_their_titles() {
    let cli = Cli::new();
    let out = cli.ok(&["styles"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 10, "{out}");
    for name in ["apa", "chicago-author-date", "ieee", "nature", "vancouver"] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{name} "))),
            "{name} in\n{out}"
        );
    }
    let apa = lines.iter().find(|l| l.starts_with("apa ")).unwrap();
    assert!(apa.contains("APA Style 7th edition"), "{apa}");
}

#[test]
fn bib_format_ris_writes_one_record_a_paper() {
    let (_f, resolver, cli) = setup(csl_resolver);
    let out = with_resolver(
        &cli,
        &resolver,
        &["bib", "--month", "2014-12", "--format", "ris"],
    );
    let text = stdout_ok(out);
    assert_eq!(text.matches("TY  - ").count(), 2, "{text}");
    assert_eq!(text.matches("ER  - ").count(), 2, "{text}");
    assert!(
        text.starts_with("TY  - JOUR\nAU  - Webber, Martin\n"),
        "{text}"
    );
    // The DOI as the post wrote it (DOIs are case-insensitive).
    assert!(
        text.to_lowercase()
            .contains("sp  - 152\nep  - 161\ndo  - 10.1111/hsc.12135\n"),
        "{text}"
    );
    assert!(text.contains("AU  - Smith, Timothy B.\n"), "{text}");
}

#[test]
fn open_doi_and_entry_use_the_browser_without_a_shell() {
    let (_f, _r, cli) = setup(csl_resolver);
    let dir = tempfile::tempdir().unwrap();
    let (script, log) = common::line_recording_browser(dir.path());
    let run = |args: &[&str]| {
        let out = cli
            .command()
            .env("PAPERBOY_BROWSER", &script)
            // `open` only builds the URL (nothing is fetched): the default resolver's form.
            .env_remove("PAPERBOY_DOI_RESOLVER")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["open", "10.1016/S0140-6736(14)61838-2"]);
    run(&["open", "1", "--link", "1"]);
    let lines = common::recorded_lines(&log, 2);
    assert!(
        lines.contains(&"https://doi.org/10.1016/S0140-6736(14)61838-2".to_string()),
        "{lines:?}"
    );
    // Link 1 of entry 1 is its first DOI, opened at the resolver.
    assert!(
        lines.contains(&"https://doi.org/10.1111/hsc.12135".to_string()),
        "{lines:?}"
    );
}

#[test]
fn a_stale_citation_is_looked_up_again_and_still_shown_when_offline() {
    let resolver = Server::start(csl_resolver);
    let dir = tempfile::tempdir().unwrap();
    let open = |resolver_url: String| {
        let mut config = paperboy::config::Config::default();
        config.doi.resolver = resolver_url;
        config.doi.cache_days = 0; // every answer is stale at once
        let paths = paperboy::paths::Paths::resolve(Some(dir.path()), None).unwrap();
        paperboy::Library::open(paths, config).unwrap()
    };
    let doi = "10.1111/hsc.12135".to_string();
    let mut lib = open(resolver.url(""));
    let first = lib
        .citations(std::slice::from_ref(&doi), &mut |_, _| {})
        .unwrap();
    assert!(matches!(
        first[0].1,
        paperboy::library::citations::CitationState::Found { .. }
    ));
    assert!(
        lib.fresh_citation(&doi).unwrap().is_none(),
        "stale is not fresh"
    );
    // Stale: asked again.
    let asked = resolver.requests.lock().unwrap().len();
    lib.citations(std::slice::from_ref(&doi), &mut |_, _| {})
        .unwrap();
    assert_eq!(resolver.requests.lock().unwrap().len(), asked + 1);
    // The resolver is gone: the stale answer still shows.
    let mut offline = open("http://127.0.0.1:9".to_string());
    let again = offline
        .citations(std::slice::from_ref(&doi), &mut |_, _| {})
        .unwrap();
    match &again[0].1 {
        paperboy::library::citations::CitationState::Found { citation } => {
            assert!(citation.line().starts_with("Webber, M."))
        }
        other => panic!("{other:?}"),
    }
}

/// A DOI with dot segments, in a post or typed, must not steer the request elsewhere on the
/// resolver: the whole DOI arrives as one path segment below it, dots and slashes encoded.
#[test]
fn dot_segments_in_a_doi_stay_below_the_resolver() {
    let feed = rss(
        "Steering",
        &[(
            "s1",
            "Climbing",
            "Mon, 01 Dec 2014 10:00:00 +0000",
            "<p>As shown in doi:10.1000/../../wide.xml and elsewhere.</p>",
        )],
    );
    let feeds = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let resolver = Server::start(|_| Reply::status(404));
    let cli = Cli::new();
    cli.ok(&["add", &feeds.url("/feed")]);
    let dois = cli.json(&["dois"]);
    assert_eq!(dois[0]["doi"], "10.1000/../../wide.xml", "{dois}");

    // The DOI found in the post, and two typed ones.
    let _ = with_resolver(&cli, &resolver, &["bib", "--entry", "1"]);
    let _ = with_resolver(&cli, &resolver, &["cite", "10.1000/../../etc/passwd"]);
    let _ = with_resolver(&cli, &resolver, &["cite", "doi:10.1000/./x/.."]);
    let paths: Vec<String> = resolver
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    for want in [
        "/10.1000%2F%2E%2E%2F%2E%2E%2Fwide.xml",
        "/10.1000%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/10.1000%2F%2E%2Fx",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    // Every request stayed one segment below the resolver's root.
    for p in &paths {
        assert_eq!(p.matches('/').count(), 1, "{p} in {paths:?}");
        assert!(!p.contains("/wide.xml") && !p.contains("/etc"), "{p}");
    }
}
