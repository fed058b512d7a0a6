//! Test support: a small HTTP/1.1 server on 127.0.0.1 that the test itself starts and scripts,
//! and helpers to run the real binary on a temporary data dir.
#![allow(dead_code)]

pub mod freshrss;
pub mod greader_model;
pub mod pty;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    /// The request body (as much as Content-Length announced).
    pub body: Vec<u8>,
    /// When the server read it: lets a test check the order and spacing of requests.
    pub at: std::time::Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accept and never answer.
    Hang,
    /// Send headers, then one byte a second forever.
    Trickle,
    /// Send headers and part of the body, then close abruptly.
    Reset,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }
    pub fn status(status: u16) -> Reply {
        Reply::Full {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
        }
    }
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Location".into(), location.into())],
            body: vec![],
        }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A scripted HTTP server on 127.0.0.1:<ephemeral>.
pub struct Server {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = requests.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let handler = handler.clone();
                let log = log.clone();
                thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Server { port, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let mut body = Vec::new();
        if let Some(len) = headers
            .get("content-length")
            .and_then(|l| l.parse::<usize>().ok())
        {
            body = vec![0; len];
            let _ = reader.read_exact(&mut body);
        }
        let req = Request {
            method,
            path,
            headers,
            body,
            at: std::time::Instant::now(),
        };
        log.lock().unwrap().push(req.clone());
        match handler(&req) {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (k, v) in &headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                if req.method != "HEAD" && stream.write_all(&body).is_err() {
                    return;
                }
            }
            Reply::Hang => {
                thread::sleep(Duration::from_secs(60));
                return;
            }
            Reply::Trickle => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n<rss>",
                );
                for _ in 0..60 {
                    thread::sleep(Duration::from_millis(500));
                    if stream.write_all(b" ").is_err() {
                        return;
                    }
                }
                return;
            }
            Reply::Reset => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n<rss version=\"2.0\"><channel><title>x",
                );
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

/// A server's answer held back until the test lets it go: a handler calls [`Gate::wait`] before
/// answering, and the test [`Gate::open`]s it once it has seen what it wanted meanwhile (the
/// reader answering keys while a service has not answered). No timing guess: the answer cannot
/// come before the test says so. A gate never opened lets go after two pty deadlines.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    pub fn wait(&self) {
        let (open, cv) = &*self.0;
        let guard = open.lock().unwrap();
        let _ = cv
            .wait_timeout_while(guard, pty::DEADLINE * 2, |open| !*open)
            .unwrap();
    }

    pub fn open(&self) {
        let (open, cv) = &*self.0;
        *open.lock().unwrap() = true;
        cv.notify_all();
    }
}

/// Waits (reading the reader's screen meanwhile) until `server` has had `n` requests.
pub fn wait_for_requests(pty: &mut pty::Pty, server: &Server, n: usize) {
    let start = std::time::Instant::now();
    while server.requests.lock().unwrap().len() < n {
        assert!(
            start.elapsed() < pty::DEADLINE,
            "the server never had {n} requests; screen:\n{}",
            pty.screen()
        );
        pty.pump();
        thread::sleep(Duration::from_millis(30));
    }
}

/// An RSS 2.0 document with `items` of (guid, title, RFC 822 date, html body).
pub fn rss<S: AsRef<str>>(title: &str, items: &[(S, S, S, S)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>http://127.0.0.1/site</link><description>d</description>\n"
    );
    for (guid, t, date, body) in items {
        let (guid, t, date, body) = (guid.as_ref(), t.as_ref(), date.as_ref(), body.as_ref());
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{t}</title><link>http://127.0.0.1/{guid}</link><pubDate>{date}</pubDate><description><![CDATA[{body}]]></description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// A temporary data dir and the real binary run against it.
pub struct Cli {
    pub dir: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_config(&self, toml: &str) {
        std::fs::write(self.dir.path().join("config.toml"), toml).unwrap();
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_paperboy"));
        c.env("PAPERBOY_DATA_DIR", self.dir.path())
            .env_remove("PAPERBOY_CONFIG")
            // Never the machine's browser (xdg-open may not even exist): a path that does not
            // exist, so an unplanned open fails here. A test that opens links sets its own script
            // (PAPERBOY_BROWSER or config `browser`, both of which come before $BROWSER).
            .env_remove("PAPERBOY_BROWSER")
            .env(
                "BROWSER",
                self.dir.path().join("no-browser-set-by-this-test"),
            )
            // Never the real doi.org: a closed port on loopback unless a test starts a resolver.
            .env("PAPERBOY_DOI_RESOLVER", "http://127.0.0.1:9")
            // Nor the real Crossref (paper health after a refresh, `papers --check`).
            .env("PAPERBOY_CROSSREF_API", "http://127.0.0.1:9")
            .env("NO_COLOR", "1");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "paperboy {:?} failed: {}\nstdout: {}",
            args,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    /// The feeds' titles (`feeds --json`), sorted.
    pub fn feed_titles(&self) -> Vec<String> {
        let mut titles: Vec<String> = self
            .json(&["feeds"])
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].as_str().unwrap().to_string())
            .collect();
        titles.sort();
        titles
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("paperboy.db")
    }
}

/// A browser script in `dir` that appends each argument it receives, one per line, to the
/// returned log file: (script, log).
pub fn line_recording_browser(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let log = dir.join("args.log");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, log)
}

/// The lines of a [`line_recording_browser`]'s log once it has `n` of them: `open` does not wait
/// for the browser, so the last one may still be writing. Panics after 60 s.
pub fn recorded_lines(log: &Path, n: usize) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.lines().count() >= n {
            return text.lines().map(String::from).collect();
        }
        assert!(start.elapsed().as_secs() < 60, "browser script never ran");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Exit 1 and exactly one line on stderr; returns that line.
pub fn one_line_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

/// Runs `cmd` (armed with one of the store's pause hooks, which creates `paused`) until it
/// pauses, then SIGKILLs it and checks that it died of that.
pub fn kill_when_paused(mut cmd: Command, paused: &Path) {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !paused.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the command ended before the pause"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the command never paused"
        );
        thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        child.wait().unwrap().signal(),
        Some(9),
        "killed, not finished"
    );
}
