//! `paperboy save` (issue 19): a paper into Zotero through its connector protocol, tested
//! against a real implementation of it, `papis zotero serve` (PyPI papis-zotero 0.4.0, GPL, a
//! test server only), which writes what it receives into a papis library read back here; the
//! faults a real server cannot show (an answer of 500, a hang) against loopback mocks; and
//! `[papers] save_command`, run without a shell.
//!
//! `.ci/run` installs papis-zotero (`.ci/papis-lab.sh`) and exports `PAPERBOY_PAPIS`, the path
//! of its `papis`; without it these tests run the same script themselves, and fail with one
//! line saying how when it cannot install it. They never pass without the server.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{one_line_error, Cli, Reply, Server};
use serde_json::Value;

const HSC: &str = "doi:10.1111/hsc.12135";
const HSC_TITLE: &str = "Enhancing social networks: a qualitative study of health and social \
                         care practice in UK mental health services";

/// A data dir holding the demo archive, whose papers have real cached citations.
fn demo_cli(config: &str) -> Cli {
    let cli = Cli::new();
    let paths = paperboy::paths::Paths::resolve(Some(cli.data_dir()), None).unwrap();
    let mut lib = paperboy::Library::open(paths, paperboy::config::Config::default()).unwrap();
    lib.load_demo().unwrap();
    cli.write_config(config);
    cli
}

fn connector_config(url: &str, timeout_secs: u64) -> String {
    format!(
        "[fetch]\ntimeout_secs = {timeout_secs}\nconnect_timeout_secs = 1\n\n\
         [papers]\nzotero_connector = \"{url}\"\n"
    )
}

/// The `papis` of papis-zotero: `PAPERBOY_PAPIS`, else installed by `.ci/papis-lab.sh`.
fn papis() -> &'static Path {
    static PAPIS: OnceLock<PathBuf> = OnceLock::new();
    PAPIS.get_or_init(|| {
        if let Some(p) = std::env::var_os("PAPERBOY_PAPIS").filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "PAPERBOY_PAPIS={} is no file", p.display());
            return p;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/papis-lab.sh");
        let out = Command::new("bash").arg(&script).output();
        let out = out.unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(
            out.status.success() && Path::new(&path).is_file(),
            "the save tests need papis-zotero 0.4.0: run `bash .ci/papis-lab.sh` (needs python3-venv \
             and PyPI) and set PAPERBOY_PAPIS to the path it prints ({})",
            String::from_utf8_lossy(&out.stderr).trim().replace('\n', "; ")
        );
        PathBuf::from(path)
    })
}

/// A port on 127.0.0.1 that nothing listens on (bound, then let go).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// One `papis zotero serve` with its own config and library, stopped when dropped.
struct PapisServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl PapisServer {
    fn start() -> PapisServer {
        let papis = papis();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config/papis");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(dir.path().join("library")).unwrap();
        std::fs::write(
            config.join("config"),
            format!(
                "[settings]\ndefault-library = lab\n\n[lab]\ndir = {}\n",
                dir.path().join("library").display()
            ),
        )
        .unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(papis)
            .args(["zotero", "serve", "--address", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            // Offline: papis asks Crossref about a saved DOI; a dead proxy on loopback answers
            // at once, and papis then keeps what it was sent.
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("http_proxy", "http://127.0.0.1:9")
            .env("https_proxy", "http://127.0.0.1:9")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", papis.display()));
        let server = PapisServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "papis zotero serve never listened: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Every `info.yaml` papis wrote, read as JSON by the venv's own PyYAML.
    fn documents(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let lib = self.dir.path().join("library");
        for d in std::fs::read_dir(&lib).unwrap() {
            let info = d.unwrap().path().join("info.yaml");
            if !info.is_file() {
                continue;
            }
            let python = papis().with_file_name("python");
            let json = Command::new(python)
                .args([
                    "-c",
                    "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                ])
                .arg(&info)
                .output()
                .unwrap();
            assert!(json.status.success(), "{json:?}");
            out.push(serde_json::from_slice(&json.stdout).unwrap());
        }
        out
    }
}

impl Drop for PapisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_doi_paper_lands_in_papis_through_the_connector_protocol() {
    let server = PapisServer::start();
    let cli = demo_cli(&connector_config(&server.url(), 30));
    let out = cli.ok(&["save", "10.1111/hsc.12135"]);
    assert_eq!(out, format!("Saved to Zotero: {HSC_TITLE}\n"));
    let docs = server.documents();
    assert_eq!(docs.len(), 1, "{}", server.log());
    let doc = &docs[0];
    assert_eq!(doc["title"], HSC_TITLE);
    assert_eq!(doc["doi"], "10.1111/hsc.12135");
    assert_eq!(doc["journal"], "Health & Social Care in the Community");
    assert_eq!(doc["volume"], "24");
    assert_eq!(doc["year"], 2014);
    assert_eq!(doc["type"], "article");
    let authors: Vec<(String, String)> = doc["author_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap().to_string();
            (s("family"), s("given"))
        })
        .collect();
    assert_eq!(authors[0], ("Webber".into(), "Martin".into()));
    assert_eq!(authors.len(), 5, "{authors:?}");
    assert_eq!(doc["url"], "https://doi.org/10.1111/hsc.12135");
}

#[test]
fn an_arxiv_paper_is_saved_as_a_preprint_and_an_entry_number_names_a_paper() {
    let server = PapisServer::start();
    let cli = demo_cli(&connector_config(&server.url(), 30));
    let out = cli.ok(&["save", "arxiv:1004.4704"]);
    assert!(out.starts_with("Saved to Zotero: "), "{out}");
    let docs = server.documents();
    assert_eq!(docs.len(), 1, "{}", server.log());
    // papis maps Zotero's `preprint` to its BibTeX-ish `unpublished`/`misc`; the id is kept.
    assert_eq!(docs[0]["eprint"], "1004.4704", "{:#}", docs[0]);
    assert!(docs[0]["url"]
        .as_str()
        .unwrap()
        .contains("arxiv.org/abs/1004.4704"));

    // The post citing the seed's paper, by its entry id: its one paper, or paper N.
    let list = cli.json(&["list", "--month", "2014-12"]);
    let post = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "The research behind the Connecting People Intervention")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let out = cli.run(&["save", &post, "--paper", "9"]);
    let err = one_line_error(&out);
    assert!(err.contains("has no paper 9") && err.contains(HSC), "{err}");
    // It cites one paper: the entry id alone names it, and so does --paper 1 (on a second
    // server: papis takes a paper it already has for a question it cannot ask, and drops the
    // connection).
    let out = cli.ok(&["save", &post]);
    assert_eq!(out, format!("Saved to Zotero: {HSC_TITLE}\n"));
    assert_eq!(server.documents().len(), 2, "{}", server.log());
    let second = PapisServer::start();
    cli.write_config(&connector_config(&second.url(), 30));
    let out = cli.ok(&["save", &post, "--paper", "1"]);
    assert_eq!(out, format!("Saved to Zotero: {HSC_TITLE}\n"));
    assert_eq!(second.documents()[0]["doi"], "10.1111/hsc.12135");
}

#[test]
fn zotero_not_running_is_one_line() {
    let port = free_port();
    let cli = demo_cli(&connector_config(&format!("http://127.0.0.1:{port}"), 5));
    let err = one_line_error(&cli.run(&["save", HSC]));
    assert!(
        err.contains("Zotero is not running")
            && err.contains(&format!("127.0.0.1:{port}"))
            && err.contains("connection refused")
            && err.contains("save_command"),
        "{err}"
    );
}

#[test]
fn zotero_answering_500_is_one_line_and_the_request_is_the_connectors() {
    let server = Server::start(|r| match r.path.as_str() {
        "/connector/ping" => Reply::ok("application/json", r#"{"prefs":{}}"#),
        _ => Reply::Full {
            status: 500,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"libraryEditable":false}"#.to_vec(),
        },
    });
    let cli = demo_cli(&connector_config(&server.url(""), 5));
    let err = one_line_error(&cli.run(&["save", HSC]));
    assert!(
        err.contains("/connector/saveItems") && err.contains("HTTP 500"),
        "{err}"
    );
    // What Zotero's connector server asks for: JSON, the API version, one item, a session.
    let save = &server.requests_to("/connector/saveItems")[0];
    assert_eq!(save.method, "POST");
    assert_eq!(save.header("content-type"), Some("application/json"));
    assert_eq!(save.header("x-zotero-connector-api-version"), Some("3"));
    assert!(save.header("x-zotero-version").is_some());
    let body: Value = serde_json::from_slice(&save.body).unwrap();
    assert_eq!(body["items"][0]["DOI"], "10.1111/hsc.12135");
    assert_eq!(body["items"][0]["itemType"], "journalArticle");
    assert_eq!(body["uri"], "https://doi.org/10.1111/hsc.12135");
    assert!(body["sessionID"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(server.requests_to("/connector/ping").len(), 1);
}

#[test]
fn zotero_hanging_times_out_in_one_line() {
    let server = Server::start(|r| match r.path.as_str() {
        "/connector/ping" => Reply::ok("application/json", "{}"),
        _ => Reply::Hang,
    });
    let cli = demo_cli(&connector_config(&server.url(""), 1));
    let start = Instant::now();
    let err = one_line_error(&cli.run(&["save", HSC]));
    assert!(
        err.contains("did not answer /connector/saveItems") && err.contains("within 1 s"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
}

/// A save command that records its arguments, one a line, and the BibTeX file's content.
fn recording_script(dir: &Path, exit: u8) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("argv.log");
    let script = dir.join("record.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{log}'; done\n\
             cat \"$2\" > '{log}.bib'\n\
             echo 'first problem' >&2; echo 'second' >&2\nexit {exit}\n",
            log = log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}

fn command_config(argv: &[&str]) -> String {
    let list: Vec<String> = argv.iter().map(|a| format!("{a:?}")).collect();
    format!("[papers]\nsave_command = [{}]\n", list.join(", "))
}

#[test]
fn save_command_gets_the_doi_and_a_bibtex_file_without_a_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let (script, log) = recording_script(tmp.path(), 0);
    let pwned = tmp.path().join("pwned");
    let inject = format!("$(touch {})", pwned.display());
    let script_s = script.to_str().unwrap();
    let cli = demo_cli(&command_config(&[
        script_s, "%d", "%b", "a;b", &inject, "--doi=%d", "100%%",
    ]));
    let out = cli.ok(&["save", HSC]);
    assert_eq!(out, format!("Saved to record.sh: {HSC_TITLE}\n"));
    let argv = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = argv.lines().collect();
    assert_eq!(lines.len(), 6, "{argv}");
    assert_eq!(lines[0], "10.1111/hsc.12135");
    assert!(lines[1].ends_with(".bib"), "{argv}");
    assert_eq!(
        &lines[2..],
        ["a;b", inject.as_str(), "--doi=10.1111/hsc.12135", "100%"]
    );
    assert!(!pwned.exists(), "a shell ran the command");
    // The BibTeX file held the paper, and is gone.
    let bib = std::fs::read_to_string(format!("{}.bib", log.display())).unwrap();
    assert!(bib.starts_with("@article{webber2014enhancing,"), "{bib}");
    assert!(bib.contains("doi = {10.1111/hsc.12135}"), "{bib}");
    assert!(
        !Path::new(lines[1]).exists(),
        "the temporary BibTeX file was left"
    );
}

#[test]
fn a_failing_save_command_reports_its_status_and_first_stderr_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (script, _log) = recording_script(tmp.path(), 3);
    let cli = demo_cli(&command_config(&[script.to_str().unwrap(), "%d", "%b"]));
    let err = one_line_error(&cli.run(&["save", HSC]));
    assert!(
        err.contains("`record.sh` failed (exit status 3): first problem"),
        "{err}"
    );
    let cli = demo_cli(&command_config(&["/nonexistent/papis", "add", "%d"]));
    let err = one_line_error(&cli.run(&["save", HSC]));
    assert!(err.contains("cannot run the save command `papis`"), "{err}");
    // arXiv's paper has no DOI for %d.
    let cli = demo_cli(&command_config(&[script.to_str().unwrap(), "%d"]));
    let err = one_line_error(&cli.run(&["save", "arxiv:1004.4704"]));
    assert!(err.contains("no DOI for %d"), "{err}");
}

#[test]
fn an_id_that_is_no_paper_is_one_line() {
    let cli = demo_cli("");
    let err = one_line_error(&cli.run(&["save", "not-a-paper"]));
    assert!(err.contains("neither a DOI"), "{err}");
}

/// Issue 19, Speed: the reader never waits on Zotero. `z` in the Papers view, and the
/// connector holds its answer to `saveItems` (a [`Gate`]; a mock: a hang is a fault a real
/// server cannot show on demand): the reader still answers keys (the Papers view closes, help
/// opens and closes); then the answer comes and the status line says the paper was saved.
#[test]
fn the_reader_answers_keys_while_zotero_holds_its_answer() {
    use common::pty::Pty;
    use common::{wait_for_requests, Gate};
    let gate = Gate::new();
    let held = gate.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/connector/ping" => Reply::ok("application/json", r#"{"prefs":{}}"#),
        _ => {
            held.wait();
            Reply::status(201)
        }
    });
    // The connector's client never gives up on its own while the test holds the answer.
    let config = connector_config(&server.url(""), 600);
    let cli = demo_cli(&format!("[ui]\nrefresh_on_start = false\n\n{config}"));
    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_for("Feeds (3)");
    pty.send(":");
    pty.send("2014-12\r");
    pty.wait_for("December 2014 (");
    pty.send("P");
    pty.wait_for("Papers · December 2014 (");
    pty.select_paper("doi:10.1111/hsc.12135");
    pty.send("z");
    wait_for_requests(&mut pty, &server, 2);
    assert_eq!(server.requests_to("/connector/saveItems").len(), 1);
    // Keys while Zotero holds its answer.
    pty.send("\x1b");
    pty.wait_until("the entries again", |s| !s.contains("Papers · "));
    pty.send("?");
    pty.wait_for("Keys (j/k scroll, Esc closes)");
    pty.send("\x1b");
    pty.wait_until("help closed", |s| !s.contains("Keys (j/k scroll"));
    // Between months: `[` the previous one with entries.
    pty.send("[");
    pty.wait_for("November 2014 (");
    assert!(!pty.screen().contains("Saved to"), "{}", pty.screen());
    gate.open();
    pty.wait_for("Saved to Zotero: Enhancing social networks");
    // (The Papers view may say once how to let Unpaywall be asked; nothing else went wrong.)
    let zotero = pty
        .errors_seen
        .iter()
        .find(|e| e.contains("Zotero") || e.contains("save"));
    assert!(zotero.is_none(), "{:?}", pty.errors_seen);
    pty.send("q");
}
