//! The real FreshRSS for sync tests (`../shared/freshrss/freshrss-lab.sh`), one lab per test
//! binary, one fresh FreshRSS user per test so that tests running in parallel threads never see
//! each other's feeds.
//!
//! `.ci/run` starts the lab once and exports `PAPERBOY_FRESHRSS_DIR` and `PAPERBOY_FRESHRSS_API`;
//! without them the harness starts (or finds running) a lab in `CARGO_TARGET_TMPDIR`, on
//! `FRESHRSS_PORT` (default 8777). A lab that cannot be started panics: a sync test must fail
//! loudly, never pass without a server. The lab script is found beside the repository
//! (`<repo>/../shared/freshrss/`, or one level further up for a git worktree in a subfolder),
//! or at `PAPERBOY_FRESHRSS_LAB`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

pub struct FreshRss {
    /// The FreshRSS install (where `cli/` lives).
    pub dir: PathBuf,
    /// The Google Reader API base, `http://127.0.0.1:<port>/api/greader.php`.
    pub api: String,
}

/// A FreshRSS user made for one test; deleted again when dropped.
pub struct LabUser {
    pub api: String,
    pub user: String,
    pub api_password: String,
    dir: PathBuf,
}

static LAB: OnceLock<FreshRss> = OnceLock::new();
static USERS: AtomicUsize = AtomicUsize::new(0);

/// `freshrss-lab.sh`: `PAPERBOY_FRESHRSS_LAB`, else `shared/freshrss/` beside the repository.
pub fn lab_script() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PAPERBOY_FRESHRSS_LAB") {
        return Some(PathBuf::from(p));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .skip(1)
        .take(2)
        .map(|a| a.join("shared/freshrss/freshrss-lab.sh"))
        .find(|p| p.is_file())
}

impl FreshRss {
    /// The lab of this test binary, started on first use.
    pub fn shared() -> &'static FreshRss {
        LAB.get_or_init(FreshRss::start)
    }

    fn start() -> FreshRss {
        let from_env = (
            std::env::var("PAPERBOY_FRESHRSS_DIR"),
            std::env::var("PAPERBOY_FRESHRSS_API"),
        );
        if let (Ok(dir), Ok(api)) = from_env {
            let lab = FreshRss {
                dir: PathBuf::from(dir),
                api,
            };
            assert!(
                lab.dir.join("cli/create-user.php").is_file(),
                "PAPERBOY_FRESHRSS_DIR={} holds no FreshRSS install",
                lab.dir.display()
            );
            return lab;
        }
        let script = lab_script().unwrap_or_else(|| {
            panic!(
                "sync tests need the FreshRSS lab: no shared/freshrss/freshrss-lab.sh beside {} \
                 (set PAPERBOY_FRESHRSS_LAB to the script, or PAPERBOY_FRESHRSS_DIR and \
                 PAPERBOY_FRESHRSS_API to a running lab, as .ci/run does)",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("freshrss-lab");
        let port = std::env::var("FRESHRSS_PORT").unwrap_or_else(|_| "8777".into());
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .env("FRESHRSS_PORT", &port)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let api = stdout.lines().last().unwrap_or("").trim().to_string();
        assert!(
            out.status.success() && api.starts_with("http://"),
            "{} start {} (FRESHRSS_PORT={port}) failed: {}\n{}",
            script.display(),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        FreshRss { dir, api }
    }

    /// A new FreshRSS user (API enabled) named after `name_hint`, unique in this lab.
    pub fn user(&self, name_hint: &str) -> LabUser {
        let hint: String = name_hint
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .take(12)
            .collect();
        let n = USERS.fetch_add(1, Ordering::Relaxed);
        // pid + counter are unique among running tests; the clock guards against a pid reused
        // by a later run whose earlier user was never deleted (a killed test).
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() % 1_000_000)
            .unwrap_or(0);
        let user = format!("{hint}{}n{n}t{secs}", std::process::id());
        let api_password = format!("api-{user}-pw");
        let out = Command::new("php")
            .current_dir(&self.dir)
            .args(["cli/create-user.php", "--user", &user, "--password"])
            .arg(format!("web-{user}-pw"))
            // As the lab's own user: feeds may be refetched a second after the last fetch.
            .args(["--api-password", &api_password, "--feed-ttl-default", "1"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run php cli/create-user.php: {e}"));
        assert!(
            out.status.success(),
            "php cli/create-user.php --user {user} failed: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        LabUser {
            api: self.api.clone(),
            user,
            api_password,
            dir: self.dir.clone(),
        }
    }
}

impl LabUser {
    /// A client of the account independent of the data dir under test (to check the server).
    pub fn client(&self) -> paperboy::sync::greader::GReader {
        rt().block_on(paperboy::sync::greader::GReader::login(
            &self.account(),
            &paperboy::config::FetchConfig::default(),
            "test",
        ))
        .unwrap()
    }

    /// The account as paperboy's config would give it.
    pub fn account(&self) -> paperboy::sync::greader::Account {
        paperboy::sync::greader::Account {
            url: self.api.clone(),
            username: self.user.clone(),
            password: self.api_password.clone(),
        }
    }

    /// Subscribes through the API (ClientLogin + quickadd, by a client independent of the one
    /// under test); returns the stream id (`feed/N`). FreshRSS fetches the feed during the call.
    pub fn subscribe(&self, feed_url: &str) -> String {
        let auth = self.auth();
        let (status, body) = http(
            "POST",
            &format!("{}/reader/api/0/subscription/quickadd", self.api),
            Some(&auth),
            &[("quickadd", feed_url)],
        );
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| {
            panic!("quickadd {feed_url}: HTTP {status}, not JSON ({e}): {body}")
        });
        json["streamId"]
            .as_str()
            .unwrap_or_else(|| panic!("quickadd {feed_url} failed: {body}"))
            .to_string()
    }

    /// The auth token (ClientLogin through the harness's own client).
    pub fn auth(&self) -> String {
        let (status, body) = http(
            "POST",
            &format!("{}/accounts/ClientLogin", self.api),
            None,
            &[("Email", &self.user), ("Passwd", &self.api_password)],
        );
        body.lines()
            .find_map(|l| l.strip_prefix("Auth="))
            .map(|a| a.trim().to_string())
            .unwrap_or_else(|| panic!("ClientLogin of {}: HTTP {status}: {body}", self.user))
    }

    /// Fetches the user's feeds now. Exit 1 means no feed was updated, which is not an error.
    pub fn actualize(&self) {
        let out = Command::new("php")
            .current_dir(&self.dir)
            .args(["cli/actualize-user.php", "--user", &self.user])
            .output()
            .unwrap_or_else(|e| panic!("cannot run php cli/actualize-user.php: {e}"));
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "php cli/actualize-user.php --user {} failed: {}\n{}",
            self.user,
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for LabUser {
    fn drop(&mut self) {
        // Best effort: a user left behind costs a little disk, nothing else.
        let _ = Command::new("php")
            .current_dir(&self.dir)
            .args(["cli/delete-user.php", "--user", &self.user])
            .output();
    }
}

/// A `config.toml` whose `[sync]` is the account at `url` (the password from a command, as
/// users set it), without delays between pages.
pub fn sync_config(url: &str, user: &str, password: &str) -> String {
    format!(
        "[sync]\nurl = \"{url}\"\nusername = \"{user}\"\npassword_command = [\"echo\", \"{password}\"]\n\
         [archive]\npage_delay_ms = 0\n"
    )
}

/// A runtime for the client's calls in a test.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The server's item ids by title.
pub fn server_ids(g: &paperboy::sync::greader::GReader) -> std::collections::HashMap<String, i64> {
    let page = rt()
        .block_on(g.contents(paperboy::sync::greader::READING_LIST, None, None, 1000))
        .unwrap();
    page.items.into_iter().map(|i| (i.title, i.id)).collect()
}

/// A minimal HTTP/1.0 client for the harness (GET, or POST of a form): (status, body).
pub fn http(method: &str, url: &str, auth: Option<&str>, form: &[(&str, &str)]) -> (u16, String) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("harness http: only http:// URLs ({url})"));
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream =
        TcpStream::connect(host).unwrap_or_else(|e| panic!("harness http: connect {host}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: paperboy-test-harness\r\n"
    );
    if let Some(auth) = auth {
        req.push_str(&format!("Authorization: GoogleLogin auth={auth}\r\n"));
    }
    if method == "POST" {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(if method == "POST" { &body } else { "" });
    stream
        .write_all(req.as_bytes())
        .unwrap_or_else(|e| panic!("harness http: send to {url}: {e}"));
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("harness http: read from {url}: {e}"));
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("harness http: no status from {url}: {head}"));
    (status, body.to_string())
}

/// A loopback feed server for the lab to fetch: `/feed.xml` with `n` items ("Post 0" newest,
/// an hour apart), `/nope.xml` 404.
pub fn feed_server(title: &str, n: usize) -> super::Server {
    growing_feed(title, std::sync::Arc::new(AtomicUsize::new(n)))
}

/// [`feed_server`] whose item count a test raises to publish new posts (the newest is
/// "Post {n-1}"; each post keeps its guid, title and date).
pub fn growing_feed(title: &str, n: std::sync::Arc<AtomicUsize>) -> super::Server {
    let start = chrono::Utc::now();
    let title = title.to_string();
    super::Server::start(move |req: &super::Request| {
        if !req.path.starts_with("/feed.xml") {
            return super::Reply::status(404);
        }
        let count = n.load(Ordering::SeqCst);
        let items: Vec<(String, String, String, String)> = (0..count)
            .rev()
            .map(|i| {
                let date = start - chrono::Duration::hours(100 - i as i64);
                (
                    format!("{title}-{i}"),
                    format!("Post {i}"),
                    date.to_rfc2822(),
                    format!("<p>Body {i}</p>"),
                )
            })
            .collect();
        super::Reply::ok("application/rss+xml", super::rss(&title, &items))
    })
}
