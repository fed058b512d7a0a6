//! The sync client against servers that misbehave on purpose (loopback mocks, for what the real
//! FreshRSS cannot show: redirects to another origin, endless pagination, a dead server) and
//! against the real FreshRSS where it can show it (no secret on disk, an upper-case scheme):
//! credentials never leave the configured origin, every limit holds, and each failure is one
//! line that says what happened.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::freshrss::{feed_server, http, sync_config, FreshRss};
use common::pty::Pty;
use common::{Cli, Reply, Request, Server};

const BASE: &str = "/api/greader.php";

/// One item of stream/contents with the id `n` in feed/1.
fn item(n: i64) -> serde_json::Value {
    serde_json::json!({
        "id": format!("tag:google.com,2005:reader/item/{n:016x}"),
        "timestampUsec": (1_796_000_000_000_000 + n).to_string(),
        "published": 1_700_000_000 + n, "title": format!("Item {n}"),
        "canonical": [{"href": format!("http://127.0.0.1:9/item-{n}")}],
        "categories": ["user/-/state/com.google/reading-list"],
        "origin": {"streamId": "feed/1"},
        "summary": {"content": "<p>x</p>"}
    })
}

/// A Google Reader API mock: login, one subscription (`feed_url`), an empty reading list and
/// empty id lists, unless `handler` answers first (it sees every request; `None` passes).
fn api(
    feed_url: String,
    handler: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static,
) -> Server {
    Server::start(move |req: &Request| {
        if let Some(reply) = handler(req) {
            return reply;
        }
        let p = req.path.as_str();
        if p.contains("/accounts/ClientLogin") {
            Reply::ok("text/plain", "SID=x\nLSID=null\nAuth=mock-token\n")
        } else if p.contains("/reader/api/0/token") {
            Reply::ok("text/plain", "T1\n")
        } else if p.contains("/subscription/list") {
            let list = serde_json::json!({"subscriptions": [{"id": "feed/1", "title": "Account Blog",
                "categories": [], "url": feed_url, "htmlUrl": "http://127.0.0.1:9/"}]});
            Reply::ok("application/json", list.to_string())
        } else if p.contains("/stream/contents/") {
            Reply::ok("application/json", r#"{"items":[]}"#)
        } else if p.contains("/stream/items/ids") {
            Reply::ok("application/json", r#"{"itemRefs":[]}"#)
        } else {
            Reply::status(404)
        }
    })
}

fn config(api: &Server) -> String {
    sync_config(&api.url(BASE), "alice", "s3cret-pw")
}

/// Every row of every table of the cache, as text: "nothing changed" means this is equal.
fn dump(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rows = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut q = stmt.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect();
            rows.push(format!("{t}: {}", cells.join(" | ")));
        }
    }
    rows
}

/// Exit 1 and exactly one line on stderr; that line.
fn one_line_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err.trim_end().to_string()
}

/// A data dir with a local feed already fetched, so that a cache left unchanged can be seen.
fn cache_with_a_local_feed(local: &Server) -> Cli {
    let cli = Cli::new();
    cli.ok(&["add", &local.url("/feed.xml")]);
    assert_eq!(cli.json(&["list"]).as_array().unwrap().len(), 2);
    cli
}

#[test]
fn a_sync_redirected_to_another_origin_stops_with_nothing_sent_there_and_the_cache_unchanged() {
    let local = feed_server("Local Blog", 2);
    // Another port on this machine that would take the password and hand out its own token.
    let other = Server::start(|_req: &Request| Reply::ok("text/plain", "SID=x\nAuth=evil\n"));
    let other_port = other.port;
    let cli = cache_with_a_local_feed(&local);
    let before = dump(&cli.db());

    // 1. The login answered 307 to `localhost` on the other port (the issue's reproduction).
    let server = api(local.url("/acct.xml"), move |req| {
        req.path.contains("/accounts/ClientLogin").then(|| {
            let to = format!("http://localhost:{other_port}{}", req.path);
            Reply::redirect(307, &to)
        })
    });
    cli.write_config(&config(&server));
    for args in [&["sync"][..], &["sync", "login"]] {
        let err = one_line_error(&cli.run(args));
        let from = format!("http://127.0.0.1:{}", server.port);
        let to = format!("http://localhost:{other_port}");
        assert!(
            err.contains(&format!(
                "redirected to {to}, another server than [sync] url's {from}"
            )),
            "{args:?}: {err}"
        );
        assert!(!err.contains("s3cret-pw"), "{err}");
    }
    assert_eq!(dump(&cli.db()), before, "the cache is unchanged");

    // 2. The login is fine, the subscription list answers 302 elsewhere.
    let server = api(local.url("/acct.xml"), move |req| {
        req.path.contains("/subscription/list").then(|| {
            let to = format!("http://127.0.0.1:{other_port}{}", req.path);
            Reply::redirect(302, &to)
        })
    });
    cli.write_config(&config(&server));
    let err = one_line_error(&cli.run(&["sync"]));
    assert!(
        err.contains("subscription/list")
            && err.contains(&format!("http://127.0.0.1:{other_port}"))
            && err.contains(&format!("http://127.0.0.1:{}", server.port)),
        "{err}"
    );
    assert_eq!(dump(&cli.db()), before, "the cache is unchanged");
    assert!(cli.ok(&["sync", "status"]).contains("never"));

    let seen = other.requests.lock().unwrap().clone();
    assert!(
        seen.is_empty(),
        "nothing at all reaches the other origin, let alone the password or a token: {seen:?}"
    );
}

/// Waits for the child and returns its output, how long it took and its peak resident memory
/// in KiB (`wait4`'s rusage: this child's own, whatever else the test binary runs).
#[allow(clippy::zombie_processes)] // reaped by wait4, which std's wait cannot replace here
fn run_measured(mut cmd: std::process::Command) -> (Output, Duration, i64) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let mut err = Vec::new();
    stderr.read_to_end(&mut err).unwrap();
    let mut status = 0;
    // SAFETY: a plain wait on our own child's pid, with pointers to live locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    let took = start.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out_reader.join().unwrap(),
        stderr: err,
    };
    (output, took, usage.ru_maxrss)
}

#[test]
fn ids_paged_forever_stop_within_seconds_in_bounded_memory() {
    // Every page 50,000 new ids and a new continuation, without end.
    let pages = Arc::new(AtomicUsize::new(0));
    let count = pages.clone();
    let server = api("http://127.0.0.1:9/acct.xml".into(), move |req| {
        if !req.path.contains("/stream/items/ids") {
            return None;
        }
        let page = count.fetch_add(1, Ordering::SeqCst) as i64;
        let mut body = String::with_capacity(50_000 * 24);
        body.push_str(r#"{"itemRefs":["#);
        for i in 0..50_000 {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!(r#"{{"id":"{}"}}"#, page * 50_000 + i + 1));
        }
        body.push_str(&format!(r#"],"continuation":"{}"}}"#, page + 1));
        Some(Reply::ok("application/json", body))
    });
    let cli = Cli::new();
    cli.write_config(&config(&server));
    let mut cmd = cli.command();
    cmd.arg("sync");
    let (out, took, peak_kib) = run_measured(cmd);
    let err = one_line_error(&out);
    let requests = pages.load(Ordering::SeqCst);
    eprintln!("endless ids: {requests} pages, {took:?}, peak RSS {peak_kib} KiB: {err}");
    assert!(
        err.contains("stream/items/ids kept sending more pages (more than 1000000 items)"),
        "{err}"
    );
    assert_eq!(
        requests, 21,
        "a million ids, then the page that passes them"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(peak_kib < 80 * 1024, "peak RSS {peak_kib} KiB");
    assert!(cli.ok(&["sync", "status"]).contains("never"));
}

#[test]
fn contents_paged_forever_stop_at_the_first_page_that_brings_nothing_new() {
    // (The same two items under a new continuation each time, then fresh items under a
    // continuation already sent.)
    let same = Arc::new(AtomicUsize::new(0));
    let count = same.clone();
    let repeating = api("http://127.0.0.1:9/acct.xml".into(), move |req| {
        req.path.contains("/stream/contents/").then(|| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let page =
                serde_json::json!({"items": [item(2), item(1)], "continuation": format!("c{n}")});
            Reply::ok("application/json", page.to_string())
        })
    });
    let cycling_count = Arc::new(AtomicUsize::new(0));
    let count = cycling_count.clone();
    let cycling = api("http://127.0.0.1:9/acct.xml".into(), move |req| {
        req.path.contains("/stream/contents/").then(|| {
            let n = count.fetch_add(1, Ordering::SeqCst) as i64;
            let page = serde_json::json!({"items": [item(2 * n + 2), item(2 * n + 1)],
                "continuation": format!("c{}", n % 2)});
            Reply::ok("application/json", page.to_string())
        })
    });
    for (server, requests, why, pages) in [
        (
            &repeating,
            &same,
            "a page with nothing new, and a continuation",
            2,
        ),
        (
            &cycling,
            &cycling_count,
            "a continuation it had sent before",
            3,
        ),
    ] {
        let cli = Cli::new();
        cli.write_config(&config(server));
        let start = Instant::now();
        let err = one_line_error(&cli.run(&["sync"]));
        assert!(start.elapsed() < Duration::from_secs(30));
        assert!(
            err.contains(&format!(
                "stream/contents/user/-/state/com.google/reading-list kept sending more pages \
                 ({why}); stopped after {pages} pages"
            )),
            "{err}"
        );
        assert_eq!(requests.load(Ordering::SeqCst), pages);
        assert!(cli.ok(&["sync", "status"]).contains("never"));
    }
}

#[test]
fn refresh_with_the_sync_server_down_says_so_once_and_fetches_only_the_local_feeds() {
    let local = feed_server("Local Blog", 2);
    // The account's feed, served here only to count who asks for it: the server fetches it,
    // paperboy never does.
    let account_feed = feed_server("Account Blog", 2);
    let cli = cache_with_a_local_feed(&local);
    let server = api(account_feed.url("/feed.xml"), |_req| None);
    cli.write_config(&config(&server));
    let report = cli.json(&["sync"]);
    assert_eq!(report["feeds"]["added"], 1, "{report}");
    drop(server);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    cli.write_config(&sync_config(
        &format!("http://127.0.0.1:{port}{BASE}"),
        "alice",
        "s3cret-pw",
    ));
    let local_before = local.requests.lock().unwrap().len();
    let out = cli.run(&["refresh"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "paperboy: sync failed: sync: cannot reach \
             http://127.0.0.1:{port}{BASE}/accounts/ClientLogin: connection refused; check the \
             network and [sync] url\n"
        )
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 feed: "), "only the local feed: {stdout}");
    assert_eq!(
        local.requests.lock().unwrap().len(),
        local_before + 1,
        "the local feed is fetched all the same"
    );
    assert!(
        account_feed.requests.lock().unwrap().is_empty(),
        "the account's feed is the server's to fetch"
    );
}

#[test]
fn an_upper_case_scheme_is_a_scheme() {
    let lab = FreshRss::shared();
    let u = lab.user("upperscheme");
    let url = u.api.replacen("http://", "HTTP://", 1);
    assert!(url.starts_with("HTTP://127.0.0.1:"), "{url}");
    let cli = Cli::new();
    cli.write_config(&sync_config(&url, &u.user, &u.api_password));
    let out = cli.run(&["sync", "login"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("logged in as {}", u.user)
    );
    assert!(out.stderr.is_empty(), "{out:?}");
}

/// Whether a process runs (a zombie has finished).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
        .unwrap_or(false)
}

#[test]
fn a_password_command_still_running_when_the_reader_quits_is_killed() {
    let cli = Cli::new();
    let pid_file = cli.data_dir().join("command.pid");
    cli.write_config(&format!(
        "[sync]\nurl = \"http://127.0.0.1:9{BASE}\"\nusername = \"alice\"\n\
         password_command = [\"sh\", \"-c\", \"echo $$ > '{}'; exec sleep 100\"]\n\
         [ui]\nrefresh_on_start = true\n",
        pid_file.display()
    ));
    // Under a shell that stays, as in a terminal: the reader is not the session leader, whose
    // exit would hang the command up anyway.
    let reader = cli.command();
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "\"$0\"; echo reader-exited; read x"])
        .arg(reader.get_program())
        .env("TERM", "xterm-256color");
    for (k, v) in reader.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut pty = Pty::spawn(cmd, 100, 30);
    pty.wait_until("the start-up sync running its password command", |_| {
        std::fs::read_to_string(&pid_file).is_ok_and(|s| s.ends_with('\n'))
    });
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(running(pid));
    pty.send("q");
    pty.wait_for("reader-exited");
    assert!(!running(pid), "the password command outlived the reader");
    pty.send("\r");
    pty.wait_exit();
}

#[test]
fn no_secret_reaches_the_disk() {
    let lab = FreshRss::shared();
    let u = lab.user("nosecret");
    let blog = feed_server("Secret Blog", 3);
    u.subscribe(&blog.url("/feed.xml"));
    // The password from the environment, so that the config file does not hold it either.
    let cli = Cli::new();
    cli.write_config(&format!(
        "[sync]\nurl = \"{}\"\nusername = \"{}\"\npassword_env = \"PAPERBOY_TEST_SYNC_PW\"\n",
        u.api, u.user
    ));
    // The auth token and the edit token as FreshRSS hands them out (both the same for a user
    // and password: what paperboy holds in memory).
    let auth = u.auth();
    let (status, edit) = http(
        "GET",
        &format!("{}/reader/api/0/token", u.api),
        Some(&auth),
        &[],
    );
    assert_eq!(status, 200);
    let secrets = [
        u.api_password.clone(),
        auth.clone(),
        auth.rsplit('/').next().unwrap().to_string(),
        edit.trim().to_string(),
    ];
    assert!(secrets.iter().all(|s| s.len() >= 12), "{secrets:?}");
    let run = |args: &[&str]| {
        let out = cli
            .command()
            .env("PAPERBOY_TEST_SYNC_PW", &u.api_password)
            // Every level of paperboy's own log, so that a secret logged anywhere shows.
            .env("PAPERBOY_LOG", "paperboy=trace")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        for s in &secrets {
            for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                assert!(
                    !contains(text, s.as_bytes()),
                    "{args:?} {name} holds a secret"
                );
            }
        }
        String::from_utf8(out.stdout).unwrap()
    };
    let check_disk = |when: &str| {
        let mut files = Vec::new();
        walk(cli.data_dir(), &mut files);
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        assert!(
            names.iter().any(|n| n.ends_with("paperboy.db"))
                && names.iter().any(|n| n.ends_with("paperboy.log")),
            "{names:?}"
        );
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            for s in &secrets {
                assert!(
                    !contains(&bytes, s.as_bytes()),
                    "after {when}: {} holds a secret ({} bytes)",
                    f.display(),
                    s.len()
                );
            }
        }
        names
    };
    assert!(run(&["sync", "login"]).contains(&u.user));
    run(&["sync"]);
    check_disk("sync");
    // Hold the cache open, so that the next commands' WAL stays on disk to be searched.
    let held = rusqlite::Connection::open(cli.db()).unwrap();
    let _: i64 = held
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    let list = cli.json(&["list"]);
    let first = list[0]["id"].as_i64().unwrap().to_string();
    run(&["read", &first]);
    run(&["star", &first]);
    // Pushes with the edit token.
    let report = run(&["sync"]);
    assert!(report.contains("2 changes pushed"), "{report}");
    run(&["refresh"]);
    let names = check_disk("a push and a refresh");
    assert!(
        names.iter().any(|n| n.ends_with("paperboy.db-wal")),
        "the WAL was searched too: {names:?}"
    );
    drop(held);
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, files);
        } else {
            files.push(p);
        }
    }
}

#[test]
fn a_plain_http_url_off_this_machine_warns_on_stderr_and_in_the_reader() {
    // `.invalid` never resolves and is never asked of a resolver: nothing leaves the machine.
    let url = format!("http://paperboy-test.invalid{BASE}");
    let cli = Cli::new();
    cli.write_config(&format!(
        "{}[ui]\nrefresh_on_start = false\n",
        sync_config(&url, "alice", "s3cret-pw")
    ));
    let config = cli.data_dir().join("config.toml");
    let warning = format!(
        "paperboy: warning: [sync] url {url} is plain http: the password and the auth token \
         travel in clear text; use https ({})",
        config.display()
    );
    let out = cli.run(&["sync", "status"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("{warning}\n"));

    // A sync says the warning, then fails at once, without asking any resolver.
    let start = Instant::now();
    let out = cli.run(&["sync"]);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{warning}\npaperboy: sync: [sync] url {url} is not usable: DNS: cannot \
             resolve host paperboy-test.invalid (.invalid names never resolve)\n"
        )
    );

    let mut cmd = cli.command();
    cmd.env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 200, 30);
    pty.wait_until("the warning on the status line", |s| {
        s.lines().last().is_some_and(|l| {
            l.contains(&format!("[sync] url {url} is plain http")) && l.contains("clear text")
        })
    });
    pty.send("q");
    pty.wait_exit();

    // On this machine, http is fine: no warning.
    cli.write_config(&sync_config(
        &format!("http://127.0.0.1:9{BASE}"),
        "alice",
        "s3cret-pw",
    ));
    let out = cli.run(&["sync", "status"]);
    assert!(out.stderr.is_empty(), "{out:?}");
}
