//! The real reader in a pseudo-terminal: a vt100 screen of what it drew, keys sent to it, and
//! waits on the screen (bounded by a deadline, never by a fixed sleep).

use std::process::Command;
use std::time::{Duration, Instant};

/// How long any wait on the reader may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A pty session with a vt100 screen and every byte the program wrote.
pub struct Pty {
    pub session: expectrl::Session,
    pub parser: vt100::Parser,
    pub raw: Vec<u8>,
    /// Every status line drawn in the error style, in order, each once in a row: what the user
    /// saw as an error at any moment, however briefly.
    pub errors_seen: Vec<String>,
}

impl Pty {
    pub fn spawn(cmd: Command, cols: u16, rows: u16) -> Pty {
        let mut session = expectrl::Session::spawn(cmd).unwrap();
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .unwrap();
        Pty {
            session,
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
            errors_seen: Vec::new(),
        }
    }

    pub fn pump(&mut self) {
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
        if let Some(line) = self.status_line_error() {
            if self.errors_seen.last() != Some(&line) {
                self.errors_seen.push(line);
            }
        }
    }

    /// The status line (the bottom row) when some of it has the reader's error style: bold and
    /// reversed without colour (the harness sets NO_COLOR), bold red with it.
    pub fn status_line_error(&self) -> Option<String> {
        let screen = self.parser.screen();
        let (rows, cols) = screen.size();
        let row = rows.checked_sub(1)?;
        let error = (0..cols).any(|col| {
            screen
                .cell(row, col)
                .is_some_and(|c| c.bold() && (c.inverse() || c.fgcolor() == vt100::Color::Idx(1)))
        });
        error.then(|| {
            screen
                .rows(0, cols)
                .nth(usize::from(row))
                .unwrap_or_default()
        })
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    pub fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        loop {
            self.pump();
            if self.screen().contains(text) {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "`{text}` never appeared; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until `ok` holds for the screen; fails with the screen and `what` otherwise.
    pub fn wait_until(&mut self, what: &str, ok: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            self.pump();
            let screen = self.screen();
            assert!(
                !screen.contains("cache query failed") && !screen.contains("malformed"),
                "the reader lost the cache while waiting for {what}; screen:\n{screen}"
            );
            if ok(&screen) {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "never saw {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).unwrap();
        std::thread::sleep(Duration::from_millis(80));
        self.pump();
    }

    /// Moves down the Papers view (20 rows at most) until the selected paper's details show
    /// `ids: {key}`.
    pub fn select_paper(&mut self, key: &str) {
        let ids = format!("ids: {key}");
        for _ in 0..20 {
            if self.screen().contains(&ids) {
                break;
            }
            self.send("j");
        }
        self.wait_for(&ids);
    }

    /// Whether the program is still running.
    pub fn alive(&self) -> bool {
        matches!(
            self.session.get_process().status(),
            Ok(expectrl::WaitStatus::StillAlive)
        )
    }

    /// Waits for the program to exit (after `q`), reading what it draws meanwhile.
    pub fn wait_exit(&mut self) {
        let start = Instant::now();
        while self.alive() {
            assert!(start.elapsed() < DEADLINE, "did not quit");
            std::thread::sleep(Duration::from_millis(30));
            self.pump();
        }
    }
}

/// The text of the screen line that starts (after the border and a feed's mark) with `label`.
pub fn row_of<'a>(screen: &'a str, label: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        l.trim_start_matches(['│', '✓', '!', '✗', '⇅', ' '])
            .starts_with(label)
    })
}

/// The unread count the Feeds pane shows for `label` (0 when the count is blank).
pub fn unread_shown(screen: &str, label: &str) -> Option<u32> {
    let row = row_of(screen, label)?;
    // The Feeds pane is the first box on the line: up to its closing border.
    let pane = row.split('│').nth(1)?;
    let count = pane.trim_end().rsplit(' ').next()?;
    Some(count.parse().unwrap_or(0))
}
