//! The real binary in a pseudo-terminal: navigate to a month, open an entry, open its DOI with a
//! recording browser, quit, and check the exit status and that the terminal was restored.

mod common;

use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{rss, Cli, Reply, Server};

/// A pty session with a vt100 screen and every byte the program wrote.
struct Pty {
    session: expectrl::Session,
    parser: vt100::Parser,
    raw: Vec<u8>,
}

impl Pty {
    fn spawn(cmd: Command, cols: u16, rows: u16) -> Pty {
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .unwrap();
        Pty {
            session,
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
        }
    }

    fn pump(&mut self) {
        let mut buf = [0u8; 8192];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    self.parser.process(&buf[..n]);
                    self.raw.extend_from_slice(&buf[..n]);
                }
                Err(_) => break,
            }
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            self.pump();
            if self.screen().contains(text) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "`{text}` never appeared; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
        std::thread::sleep(Duration::from_millis(80));
        self.pump();
    }
}

#[test]
fn navigate_open_entry_open_doi_and_quit_restores_the_terminal() {
    let feed = rss(
        "Group Blog",
        &[
            (
                "dec",
                "Networks in December",
                "Mon, 01 Dec 2014 10:00:00 +0000",
                r#"<p>Our study is <a href="https://doi.org/10.1111/hsc.12135">published</a>; more soon.</p>"#,
            ),
            (
                "jan",
                "January news",
                "Tue, 13 Jan 2015 10:00:00 +0000",
                "<p>New year.</p>",
            ),
            (
                "feb",
                "February news",
                "Tue, 10 Feb 2015 10:00:00 +0000",
                "<p>Snow.</p>",
            ),
        ],
    );
    let server = Server::start(move |_| Reply::ok("application/rss+xml", feed.clone()));
    let cli = Cli::new();
    cli.write_config("[ui]\nrefresh_on_start = false\n");
    cli.ok(&["add", &server.url("/feed")]);

    let dir = tempfile::tempdir().unwrap();
    let (script, log) = common::line_recording_browser(dir.path());

    let mut cmd = cli.command();
    cmd.env("PAPERBOY_BROWSER", &script)
        .env("TERM", "xterm-256color");
    let mut pty = Pty::spawn(cmd, 100, 30);
    // Opens on the newest month.
    pty.wait_for("February news");
    assert!(pty.parser.screen().alternate_screen());

    // Jump to December 2014 by typing it.
    pty.send(":");
    pty.send("2014-12\r");
    pty.wait_for("Networks in December");

    // Open the entry: the reader shows its text, with the link numbered.
    pty.send("\r");
    pty.wait_for("Our study is");
    // Open link 1 (the DOI) in the "browser".
    pty.send("1");
    let start = Instant::now();
    while !log.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "browser never started"
        );
        std::thread::sleep(Duration::from_millis(50));
        pty.pump();
    }
    std::thread::sleep(Duration::from_millis(200));
    let args = std::fs::read_to_string(&log).unwrap();
    assert_eq!(args.trim_end(), "https://doi.org/10.1111/hsc.12135");

    // Back out of the reader, then quit from the top level.
    pty.send("q");
    pty.send("q");
    let start = Instant::now();
    let status = loop {
        pty.pump();
        match pty.session.get_process().status() {
            Ok(expectrl::WaitStatus::StillAlive) | Err(_) => {}
            Ok(s) => break s,
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not quit");
        std::thread::sleep(Duration::from_millis(30));
    };
    pty.pump();
    assert!(
        matches!(status, expectrl::WaitStatus::Exited(_, 0)),
        "exit status: {status:?}"
    );
    // Terminal restored: the alternate screen left, the cursor shown again, mouse capture off.
    let raw = String::from_utf8_lossy(&pty.raw);
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered);
    assert!(raw[entered..].contains("\x1b[?25h"), "cursor shown again");
    assert!(
        raw[entered..].contains("\x1b[?1000l"),
        "mouse capture disabled"
    );
    assert!(!pty.parser.screen().alternate_screen());
    assert!(!pty.parser.screen().hide_cursor());

    // Opening marked the entry read, and it was saved at once.
    let list = cli.json(&["list", "--month", "2014-12"]);
    assert_eq!(list[0]["read"], true);
}

#[test]
fn a_panic_still_restores_the_terminal() {
    // PAPERBOY_TEST_PANIC is not a feature: a debug-build hook (see tui::run) for this test only.
    let cli = Cli::new();
    let mut cmd = cli.command();
    cmd.arg("--demo").env("PAPERBOY_TEST_PANIC", "1");
    let mut pty = Pty::spawn(cmd, 80, 24);
    let start = Instant::now();
    loop {
        pty.pump();
        if !matches!(
            pty.session.get_process().status(),
            Ok(expectrl::WaitStatus::StillAlive)
        ) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not exit");
        std::thread::sleep(Duration::from_millis(30));
    }
    pty.pump();
    let mut rest = Vec::new();
    let _ = pty.session.read_to_end(&mut rest);
    pty.raw.extend_from_slice(&rest);
    let raw = String::from_utf8_lossy(&pty.raw);
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("entered the alternate screen");
    assert!(
        raw[entered..].contains("\x1b[?1049l"),
        "left the alternate screen after a panic"
    );
    assert!(
        raw[entered..].contains("test panic"),
        "the panic message is shown"
    );
}
