//! The interactive reader (issue 3), Elm style: a key or a worker message becomes an
//! [`action::Action`]; [`update::update`] changes the [`state::App`] and returns
//! [`update::Effect`]s; the [`executor`] runs them against the [`Library`] (or on a worker
//! thread, for the network) and feeds their results back as actions; [`view::view`] draws.

pub mod action;
mod executor;
mod health;
pub mod keymap;
pub mod layout;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::{self, Stdout};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;

use crate::papers::styles::CitationStyle;
use crate::Library;

use action::{Action, MouseAction};
#[cfg(test)]
use executor::{append_bibtex, osc52, write_clipboard};
use executor::{Debounce, Executor, PUSH_DELAY};
use keymap::Keymap;
use state::App;
use theme::Theme;

/// How the reader is started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The demo archive: never touch the network.
    pub demo: bool,
    /// Problems found in config.toml (from `open_with_config_file`), shown on the first screen.
    pub warnings: Vec<String>,
}

/// What stops the reader.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("terminal: {0}")]
    Terminal(#[from] io::Error),
    #[error(transparent)]
    Library(#[from] crate::Error),
}

/// Raw mode, the alternate screen and mouse capture, undone on drop (quit, error, or unwind).
struct TerminalGuard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        // From here on a failure must still restore what was already changed.
        let setup = (|| -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
            execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
            let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
            // No `clear()`: it asks the terminal for the cursor position, which some
            // terminals (and test pseudo-terminals) never answer; the alternate screen is blank.
            terminal.hide_cursor()?;
            Ok(terminal)
        })();
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore_terminal();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

/// A panic message printed on the alternate screen in raw mode would be lost: restore first.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// Runs the reader on `lib` until the user quits.
pub fn run(lib: Library, opts: RunOptions) -> Result<(), TuiError> {
    let started = Instant::now();
    let config = lib.config().clone();
    let keymap = Keymap::from_config(&config.keys);
    let no_color = std::env::var("NO_COLOR").ok();
    let theme = Theme::choose(&config.ui.theme, no_color.as_deref());
    let browser = crate::open::browser_command(
        config.browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );

    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    let bib_file = config
        .doi
        .bib_file
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| expand_home(p, home.as_deref()));
    let resolver = crate::library::citations::resolver_base(&config.doi.resolver);

    let mut guard = crate::timing::timed("terminal setup", TerminalGuard::enter)?;
    let size = guard.terminal.size()?;
    let mut app = App::new(keymap, theme, (size.width, size.height), opts.demo);
    app.resolver = resolver;
    app.bib_file = bib_file;
    let mut warnings = opts.warnings.clone();
    // Another style than the default is read now, so that its errors are on the first screen;
    // the default waits until after the first frame.
    if !CitationStyle::names_default(&config.papers.style) {
        match crate::timing::timed("citation style", || lib.citation_style()) {
            Ok(style) => app.style = Some(std::sync::Arc::new(style)),
            Err(e) => warnings.push(format!(
                "[papers] style: {e}; citations are shown in {}",
                crate::papers::styles::DEFAULT_STYLE
            )),
        }
    }
    app.startup_warnings(&warnings);
    let (tx, rx) = mpsc::channel();
    let mut exec = Executor {
        lib,
        demo_dir: None,
        tx,
        browser,
        quit: false,
        push: Debounce::new(PUSH_DELAY),
    };

    let (before, after) = startup_actions(config.ui.refresh_on_start && !opts.demo);
    for a in before {
        exec.dispatch(&mut app, a);
    }
    crate::timing::timed("first draw", || {
        guard.terminal.draw(|f| view::view(&app, f))
    })?;
    crate::timing::log_step("first frame (reader start to drawn)", started);
    // Decoded now rather than at the first entry opened, which shows citations in it.
    crate::timing::timed("default citation style", CitationStyle::default_style);
    for a in after {
        exec.dispatch(&mut app, a);
    }
    // Exists only so tests/tui_e2e.rs can prove that the panic hook restores the terminal
    // (raw mode, alternate screen) when the reader panics; debug builds only.
    #[cfg(debug_assertions)]
    if std::env::var_os("PAPERBOY_TEST_PANIC").is_some() {
        panic!("test panic (PAPERBOY_TEST_PANIC)");
    }
    let interval = (config.ui.refresh_interval_minutes > 0)
        .then(|| Duration::from_secs(config.ui.refresh_interval_minutes.saturating_mul(60)));
    let mut last_refresh = Instant::now();
    event_loop(
        &mut guard,
        &mut app,
        &mut exec,
        &rx,
        interval,
        &mut last_refresh,
    )
}

/// What the reader does at start: the cache's reads before the first frame, then the
/// workers (the papers re-scan's check, a refresh) once it is drawn, so that on two cores their
/// threads (each opening the cache, a refresh parsing feeds) do not compete with the frame.
fn startup_actions(refresh: bool) -> (Vec<Action>, Vec<Action>) {
    let mut after = vec![Action::ScanPapers];
    if refresh {
        after.push(Action::AutoRefresh);
    }
    (vec![Action::CacheChanged], after)
}

fn event_loop(
    guard: &mut TerminalGuard,
    app: &mut App,
    exec: &mut Executor,
    rx: &Receiver<Action>,
    interval: Option<Duration>,
    last_refresh: &mut Instant,
) -> Result<(), TuiError> {
    let mut dirty = true;
    while !exec.quit {
        // Worker messages first: they are already waiting.
        while let Ok(a) = rx.try_recv() {
            exec.dispatch(app, a);
            dirty = true;
        }
        if let Some(every) = interval {
            if last_refresh.elapsed() >= every {
                *last_refresh = Instant::now();
                exec.dispatch(app, Action::AutoRefresh);
                dirty = true;
            }
        }
        if exec.push.take_due(Instant::now()) {
            exec.spawn_push();
        }
        // Drawn after the workers' messages, before the wait for a key: a worker's answer is on
        // screen at once, not after the next poll (up to 50 ms later).
        if dirty {
            guard.terminal.draw(|f| view::view(app, f))?;
            dirty = false;
        }
        // A short poll keeps worker progress live without a second input thread; while the
        // Papers view waits for its rows a shorter one shows them as soon as they come (the
        // 50 ms poll alone cost the view 25 ms on average).
        if event::poll(poll_interval(app))? {
            let ev = event::read()?;
            if let Some(a) = event_action(app, &ev) {
                exec.dispatch(app, a);
                dirty = true;
            }
        }
    }
    Ok(())
}

/// How long the event loop waits for a key before it looks at the workers' channel again.
fn poll_interval(app: &App) -> Duration {
    if app.papers.loading {
        Duration::from_millis(2)
    } else {
        Duration::from_millis(50)
    }
}

/// The action for a terminal event.
fn event_action(app: &App, ev: &Event) -> Option<Action> {
    match ev {
        Event::Key(k) => keymap::key_action(app, k),
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        Event::Mouse(m) => {
            let (column, row) = (m.column, m.row);
            match m.kind {
                MouseEventKind::ScrollUp => {
                    Some(Action::Mouse(MouseAction::ScrollUp { column, row }))
                }
                MouseEventKind::ScrollDown => {
                    Some(Action::Mouse(MouseAction::ScrollDown { column, row }))
                }
                MouseEventKind::Down(event::MouseButton::Left) => {
                    Some(Action::Mouse(MouseAction::Click { column, row }))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `path` with a leading `~/` (or a lone `~`) replaced by the home directory.
pub(crate) fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        (None, Some(h)) if path == "~" => h.to_path_buf(),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod startup_tests {
    use super::*;

    /// The first frame is drawn from the cache's reads alone: the workers (each opening the
    /// cache on its own thread, a refresh parsing every feed) start once it is on screen.
    #[test]
    fn the_first_frame_is_drawn_before_any_worker_starts() {
        for refresh in [false, true] {
            let (before, after) = startup_actions(refresh);
            assert_eq!(before, vec![Action::CacheChanged], "refresh {refresh}");
            assert!(after.contains(&Action::ScanPapers), "refresh {refresh}");
            assert_eq!(after.contains(&Action::AutoRefresh), refresh);
        }
    }
}
