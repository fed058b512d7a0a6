//! The interactive reader (issue 3), Elm style: a key or a worker message becomes an
//! [`action::Action`]; [`update::update`] changes the [`state::App`] and returns
//! [`update::Effect`]s; the executor here runs them against the [`Library`] (or on a worker
//! thread, for the network) and feeds their results back as actions; [`view::view`] draws.

pub mod action;
pub mod keymap;
pub mod layout;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::{self, Stdout, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
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

use crate::feeds::backfill::BackfillEvent;
use crate::library::RefreshEvent;
use crate::model::{EntryId, FeedId};
use crate::paths::Paths;
use crate::Library;

use action::{Action, BibUse, MouseAction};
use keymap::Keymap;
use state::App;
use theme::Theme;
use update::{update, Effect};

/// Search results are counted up to this many; beyond it the title says "1000+".
const SEARCH_COUNT_CAP: usize = 1000;

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

    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let mut app = App::new(keymap, theme, (size.width, size.height), opts.demo);
    app.resolver = resolver;
    app.bib_file = bib_file;
    app.startup_warnings(&opts.warnings);
    let (tx, rx) = mpsc::channel();
    let mut exec = Executor {
        lib,
        demo_dir: None,
        tx,
        browser,
        quit: false,
        push: Debounce::new(PUSH_DELAY),
    };

    let mut queue = vec![Action::CacheChanged];
    if config.ui.refresh_on_start && !opts.demo {
        queue.push(Action::AutoRefresh);
    }
    for a in queue {
        exec.dispatch(&mut app, a);
    }
    guard.terminal.draw(|f| view::view(&app, f))?;
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
        if dirty {
            guard.terminal.draw(|f| view::view(app, f))?;
            dirty = false;
        }
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
        // A short poll keeps worker progress live without a second input thread.
        if event::poll(Duration::from_millis(50))? {
            let ev = event::read()?;
            if let Some(a) = event_action(app, &ev) {
                exec.dispatch(app, a);
                dirty = true;
            }
        }
    }
    Ok(())
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

/// Runs effects: cache queries inline (they are fast; a folder's papers per month are not, and
/// go to a worker), network work on worker threads.
struct Executor {
    /// Declared before `demo_dir`: the cache is closed before its temporary directory goes.
    lib: Library,
    /// The welcome screen's demo cache, removed when the reader exits.
    demo_dir: Option<tempfile::TempDir>,
    tx: Sender<Action>,
    browser: Vec<String>,
    quit: bool,
    /// When the read/star changes queued for the sync account are pushed: a moment after the
    /// last change, so that reading through a month makes one push, not one per entry.
    push: Debounce,
}

/// How long after the last read/star change the reader pushes changes to the sync account.
const PUSH_DELAY: Duration = Duration::from_secs(5);

/// Fires once, `delay` after the last of a run of touches; the clock is the caller's.
#[derive(Debug)]
struct Debounce {
    delay: Duration,
    due: Option<Instant>,
}

impl Debounce {
    fn new(delay: Duration) -> Debounce {
        Debounce { delay, due: None }
    }

    /// Another change at `now`: the wait starts again.
    fn touch(&mut self, now: Instant) {
        self.due = Some(now + self.delay);
    }

    /// Whether the wait is over at `now`; true once per run of touches.
    fn take_due(&mut self, now: Instant) -> bool {
        let due = self.due.is_some_and(|due| now >= due);
        if due {
            self.due = None;
        }
        due
    }
}

impl Executor {
    /// Applies `action` and every action its effects lead to.
    fn dispatch(&mut self, app: &mut App, action: Action) {
        let mut queue = std::collections::VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for effect in update(app, a) {
                queue.extend(self.run(effect));
            }
        }
    }

    fn run(&mut self, effect: Effect) -> Vec<Action> {
        match self.execute(effect) {
            Ok(actions) => actions,
            Err(e) => vec![Action::Error(e.to_string())],
        }
    }

    #[allow(clippy::too_many_lines)] // issue 17 phase B: split after the issue-16 merge
    fn execute(&mut self, effect: Effect) -> Result<Vec<Action>, crate::Error> {
        let lib = &mut self.lib;
        Ok(match effect {
            Effect::LoadFeeds => {
                let feeds = lib.feeds()?;
                let mut complete = std::collections::BTreeSet::new();
                for f in &feeds {
                    if lib.history_complete(f.id)? {
                        complete.insert(f.id);
                    }
                }
                let starred = lib.count(&crate::store::ListQuery {
                    starred_only: true,
                    ..crate::store::ListQuery::default()
                })?;
                vec![Action::FeedsLoaded {
                    feeds,
                    complete,
                    starred,
                }]
            }
            Effect::LoadMonths { filter } => vec![Action::MonthsLoaded {
                months: match filter.one_folder() {
                    Some(folder) => lib.folder_month_counts(folder)?,
                    None => lib.months_where(&filter.query())?,
                },
                filter,
            }],
            Effect::LoadMonthPapers { filter } => {
                self.spawn_folder_papers(filter);
                Vec::new()
            }
            Effect::LoadEntries {
                source,
                query,
                count,
            } => {
                let rows = lib.list(&query)?;
                let (total, more) = if count {
                    let mut all = query.clone();
                    all.limit = None;
                    all.offset = 0;
                    // Counting every match of a common word costs a whole index scan; a search
                    // only needs to know there are more than a screenful of pages.
                    let cap = all.search.is_some().then_some(SEARCH_COUNT_CAP);
                    let n = usize::try_from(lib.count_at_most(&all, cap)?).unwrap_or(0);
                    (Some(n), cap.is_some_and(|c| n >= c))
                } else {
                    (None, false)
                };
                vec![Action::EntriesLoaded {
                    source,
                    offset: query.offset,
                    rows,
                    total,
                    more,
                }]
            }
            Effect::LoadEntry(id) => vec![Action::EntryLoaded(Box::new(lib.entry(id)?))],
            Effect::SetRead { ids, read } => {
                lib.set_read(&ids, read)?;
                self.schedule_push();
                Vec::new()
            }
            Effect::SetFolder { feed, folder } => {
                let name = lib.set_folder(feed, folder.as_deref())?;
                let title = lib.find_feed(&feed.to_string())?.title;
                let text = match name {
                    Some(name) => format!("moved {title} to {name}"),
                    None => format!("moved {title} out of its folder"),
                };
                vec![
                    Action::Info(crate::text::scrub::scrub_line(&text)),
                    Action::CacheChanged,
                ]
            }
            Effect::RenameFeed { feed, title } => {
                lib.rename_feed(feed, title.as_deref())?;
                let title = lib.find_feed(&feed.to_string())?.title;
                vec![
                    Action::Info(format!(
                        "feed {feed} is titled {}",
                        crate::text::scrub::scrub_line(&title)
                    )),
                    Action::CacheChanged,
                ]
            }
            Effect::SetStarred { ids, starred } => {
                lib.set_starred(&ids, starred)?;
                self.schedule_push();
                Vec::new()
            }
            Effect::RenameFolder { old, new } => {
                let (new, moved) = lib.rename_folder(&old, &new)?;
                let text = format!(
                    "renamed folder {old} to {new} ({})",
                    crate::text::render::count(moved, "feed", "feeds")
                );
                vec![
                    Action::Info(crate::text::scrub::scrub_line(&text)),
                    Action::FolderRenamed { old, new },
                ]
            }
            Effect::AskRemoveFeed(feed) => vec![Action::ConfirmRemoveFeed {
                feed,
                starred: lib.starred_in_feed(feed)?,
            }],
            Effect::RemoveFeed(feed) => {
                let title = lib.find_feed(&feed.to_string())?.title;
                let text = if lib.remove_feed(feed)? {
                    format!("removed {title}")
                } else {
                    format!("{title} was already removed")
                };
                vec![
                    Action::Info(crate::text::scrub::scrub_line(&text)),
                    Action::CacheChanged,
                ]
            }
            Effect::MarkRead(q) => {
                let n = lib.mark_read(&q)?;
                self.schedule_push();
                vec![
                    Action::Info(format!(
                        "marked {} read",
                        crate::text::render::count(n, "entry", "entries")
                    )),
                    Action::CacheChanged,
                ]
            }
            Effect::Refresh(feeds) => {
                self.spawn_refresh(feeds);
                Vec::new()
            }
            Effect::AddFeed(url) => {
                self.spawn_add(url);
                Vec::new()
            }
            Effect::ImportOpmlFile(path) => match std::fs::read(&path) {
                Ok(bytes) => import(lib, &bytes, &path)?,
                Err(e) => vec![Action::Error(format!("cannot read {path}: {e}"))],
            },
            Effect::ImportResearchList => {
                import(lib, crate::demo::RESEARCH_FEEDS_OPML, "the research list")?
            }
            Effect::LoadDemo => self.load_demo()?,
            Effect::Backfill(feed) => {
                self.spawn_backfill(feed);
                Vec::new()
            }
            Effect::OpenUrl(url) => match crate::open::open_url(&url, &self.browser) {
                Ok(()) => vec![Action::Info(format!("opened {url}"))],
                Err(e) => vec![Action::Error(e.to_string())],
            },
            Effect::LoadCitations { entry, dois } => {
                let mut cached = Vec::with_capacity(dois.len());
                for doi in dois {
                    let state = lib.fresh_citation(&doi)?;
                    cached.push((doi, state));
                }
                vec![Action::CitationsCached { entry, cached }]
            }
            Effect::ResolveCitations { entry, dois } => {
                self.spawn_citations(entry, dois);
                Vec::new()
            }
            Effect::FetchBibtex { doi, then } => {
                self.spawn_bibtex(doi, then);
                Vec::new()
            }
            Effect::Clipboard(text) => match write_clipboard(&mut io::stdout(), &text) {
                Ok(()) => Vec::new(),
                Err(e) => vec![Action::Error(format!("cannot write to the terminal: {e}"))],
            },
            Effect::AppendBibtex { path, doi, text } => match append_bibtex(&path, &text) {
                Ok(()) => vec![Action::Info(format!(
                    "appended the BibTeX of doi:{doi} to {}",
                    path.display()
                ))],
                Err(e) => vec![Action::Error(format!(
                    "cannot append to {}: {e} (doi.bib_file in config.toml)",
                    path.display()
                ))],
            },
            Effect::Quit => {
                self.quit = true;
                Vec::new()
            }
        })
    }

    /// The welcome screen's demo: the embedded archive in a temporary cache that replaces the
    /// user's for this session only. Ingesting it into the real cache would leave feeds whose
    /// `.invalid` URLs fail on every refresh.
    fn load_demo(&mut self) -> Result<Vec<Action>, crate::Error> {
        let dir = match tempfile::Builder::new().prefix("paperboy-demo-").tempdir() {
            Ok(d) => d,
            Err(e) => {
                return Ok(vec![Action::Error(format!(
                    "cannot create a temporary directory for the demo: {e}"
                ))])
            }
        };
        let paths = match Paths::resolve(Some(dir.path()), None) {
            Ok(p) => p,
            Err(e) => return Ok(vec![Action::Error(e.to_string())]),
        };
        let mut lib = Library::open(paths, self.lib.config().clone())?;
        let entries = lib.load_demo()?;
        self.lib = lib;
        self.demo_dir = Some(dir);
        Ok(vec![Action::DemoLoaded { entries }])
    }

    /// A worker's own handle on the cache (never shared across threads).
    fn worker_parts(&self) -> (Sender<Action>, Paths, crate::config::Config) {
        (
            self.tx.clone(),
            self.lib.paths().clone(),
            self.lib.config().clone(),
        )
    }

    /// Backfills on a worker thread, reporting every page as it is stored.
    fn spawn_backfill(&self, feed: Option<FeedId>) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let mut lib = match Library::open(paths, config) {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Action::BackfillDone {
                        error: Some(e.to_string()),
                    });
                    return;
                }
            };
            let feeds: Vec<FeedId> = feed.into_iter().collect();
            let mut on_event = |ev: &BackfillEvent| {
                let a = match ev {
                    BackfillEvent::Started {
                        feed_id,
                        total_feeds,
                    } => Action::BackfillStarted {
                        feed: *feed_id,
                        total_feeds: *total_feeds,
                    },
                    BackfillEvent::Page {
                        feed_id,
                        page,
                        added,
                        ..
                    } => Action::BackfillPage {
                        feed: *feed_id,
                        page: *page,
                        added: *added,
                    },
                    BackfillEvent::FeedDone(report) => {
                        Action::BackfillFeedDone(Box::new(report.clone()))
                    }
                };
                let _ = tx.send(a);
            };
            let result = lib.backfill(&feeds, None, &mut on_event);
            let _ = tx.send(Action::BackfillDone {
                error: result.err().map(|e| e.to_string()),
            });
        });
    }

    /// Resolves an entry's DOIs on a worker thread, each reported as it arrives.
    fn spawn_citations(&self, entry: EntryId, dois: Vec<String>) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| {
                lib.citations(&dois, &mut |doi, state| {
                    let _ = tx.send(Action::CitationResolved {
                        entry,
                        doi: doi.to_string(),
                        state: state.clone(),
                    });
                })
            });
            if let Err(e) = result {
                let _ = tx.send(Action::CitationsFailed {
                    entry,
                    reason: e.to_string(),
                });
            }
        });
    }

    /// Counts a folder's papers per month on a worker thread (answers `MonthPapersLoaded`).
    fn spawn_folder_papers(&self, filter: state::Filter) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let Some(folder) = filter.one_folder() else {
                return;
            };
            let result =
                Library::open(paths, config).and_then(|lib| lib.folder_month_papers(folder));
            let _ = tx.send(match result {
                Ok(papers) => Action::MonthPapersLoaded { filter, papers },
                Err(e) => Action::Error(crate::text::scrub::scrub_line(&format!(
                    "cannot count the papers of folder {folder}: {e}"
                ))),
            });
        });
    }

    /// Fetches a DOI's BibTeX on a worker thread (the resolver is on the network).
    fn spawn_bibtex(&self, doi: String, then: BibUse) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config)
                .and_then(|mut lib| lib.bibtex(&doi))
                .map_err(|e| e.to_string());
            let _ = tx.send(Action::BibtexReady { doi, then, result });
        });
    }

    fn schedule_push(&mut self) {
        if self.lib.sync_configured() {
            self.push.touch(Instant::now());
        }
    }

    /// Pushes the queued changes to the sync account on a worker thread; a failure leaves them
    /// queued for the next sync and says so.
    fn spawn_push(&self) {
        let tx = self.tx.clone();
        let paths = self.lib.paths().clone();
        let config = self.lib.config().clone();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| lib.push_queued());
            if let Err(e) = result {
                let _ = tx.send(Action::Error(format!(
                    "sync: changes not pushed ({e}); they stay queued for the next sync"
                )));
            }
        });
    }

    /// Refreshes on a worker thread with its own connection (the cache is in WAL mode). With a
    /// sync account, the account is synced first; a failed sync is reported and the reader goes
    /// on from the cache.
    fn spawn_refresh(&self, feeds: Vec<crate::model::FeedId>) {
        let tx = self.tx.clone();
        let paths = self.lib.paths().clone();
        let config = self.lib.config().clone();
        let jobs = config.fetch.jobs;
        std::thread::spawn(move || {
            let mut lib = match Library::open(paths, config) {
                Ok(l) => l,
                Err(e) => {
                    let _ = tx.send(Action::Error(format!("refresh: {e}")));
                    let _ = tx.send(Action::RefreshDone {
                        new: 0,
                        failed: 0,
                        sync_error: None,
                    });
                    return;
                }
            };
            let (mut new, mut failed, mut sync_error) = (0, 0, None);
            if feeds.is_empty() && lib.sync_configured() {
                let mut progress = |ev: &crate::sync::SyncEvent| {
                    if let crate::sync::SyncEvent::Page { pulled } = ev {
                        let _ = tx.send(Action::Info(format!("syncing: {pulled} entries pulled")));
                    }
                };
                let _ = tx.send(Action::Info("syncing with the account…".to_string()));
                match lib.sync(&crate::sync::SyncOptions::default(), &mut progress) {
                    Ok(r) => {
                        new = r.new_entries;
                        let _ = tx.send(Action::Info(format!(
                            "synced: {} new, {} pushed",
                            crate::text::render::count(r.new_entries, "entry", "entries"),
                            crate::text::render::count(
                                r.pushed + r.marks_pushed,
                                "change",
                                "changes"
                            )
                        )));
                        let _ = tx.send(Action::CacheChanged);
                    }
                    Err(e) => {
                        let _ = tx.send(Action::Error(format!(
                            "sync failed: {e} (reading from the cache)"
                        )));
                        sync_error = Some(e.to_string());
                    }
                }
            }
            let mut on_event = |ev: &RefreshEvent| {
                let a = match ev {
                    RefreshEvent::Started { total } => Action::RefreshStarted { total: *total },
                    RefreshEvent::FeedDone {
                        done,
                        total,
                        report,
                    } => {
                        new += report.new;
                        failed += usize::from(report.error.is_some());
                        Action::RefreshProgress {
                            done: *done,
                            total: *total,
                            failed: report
                                .error
                                .as_ref()
                                .map(|e| (report.title.clone(), e.clone())),
                            new: report.new,
                        }
                    }
                };
                let _ = tx.send(a);
            };
            let result = lib.refresh(&feeds, jobs, &mut on_event);
            if let Err(e) = result {
                let _ = tx.send(Action::Error(format!("refresh failed: {e}")));
            }
            let _ = tx.send(Action::RefreshDone {
                new,
                failed,
                sync_error,
            });
        });
    }

    fn spawn_add(&self, url: String) {
        let tx = self.tx.clone();
        let paths = self.lib.paths().clone();
        let config = self.lib.config().clone();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| lib.add(&url));
            let _ = tx.send(match result {
                Ok(r) => Action::FeedAdded {
                    title: r.title,
                    entries: r.entries,
                    added: r.added,
                    feed: r.feed_id,
                },
                Err(e) => Action::Error(format!("cannot add {url}: {e}")),
            });
        });
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard: `ESC ] 52 ; c ; <base64>
/// BEL`. Base64 keeps every byte of the text out of the terminal's control set, so only the
/// framing itself is a control sequence.
pub(crate) fn osc52(text: &str) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{payload}\x07")
}

/// Writes the clipboard sequence straight to the terminal, outside any frame.
fn write_clipboard(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

/// `path` with a leading `~/` (or a lone `~`) replaced by the home directory.
pub(crate) fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        (None, Some(h)) if path == "~" => h.to_path_buf(),
        _ => PathBuf::from(path),
    }
}

/// Appends one BibTeX entry to `path` (created if missing), a blank line apart from the last.
pub(crate) fn append_bibtex(path: &Path, text: &str) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut out = String::new();
    if f.metadata()?.len() > 0 {
        out.push('\n');
    }
    out.push_str(text.trim_end());
    out.push('\n');
    f.write_all(out.as_bytes())?;
    f.flush()
}

fn import(lib: &mut Library, bytes: &[u8], what: &str) -> Result<Vec<Action>, crate::Error> {
    let r = lib.import_opml(bytes)?;
    let added = crate::text::render::count(r.added, "feed", "feeds");
    let mut msg = format!("imported {what}: {added} added");
    if r.already > 0 {
        msg.push_str(&format!(", {} already subscribed", r.already));
    }
    if !r.skipped.is_empty() {
        msg.push_str(&format!(", {} skipped", r.skipped.len()));
    }
    // New subscriptions have no entries yet: fetch them (update skips this in the demo).
    Ok(vec![
        Action::Info(msg),
        Action::CacheChanged,
        Action::AutoRefresh,
    ])
}

#[cfg(test)]
mod push_debounce_tests {
    use super::*;

    #[test]
    fn the_push_fires_once_five_seconds_after_the_last_change_and_not_before() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut push = Debounce::new(PUSH_DELAY);
        assert!(
            !push.take_due(at(60_000)),
            "nothing changed, nothing to push"
        );
        push.touch(at(0));
        assert!(!push.take_due(at(3_000)));
        // A second change restarts the wait: 5 s after it, not after the first.
        push.touch(at(3_000));
        assert!(!push.take_due(at(5_000)));
        assert!(!push.take_due(at(7_999)));
        assert!(push.take_due(at(8_000)));
        assert!(!push.take_due(at(8_050)), "once");
        assert!(!push.take_due(at(60_000)));
    }
}
