//! The effect executor: runs the [`Effect`]s that [`update`] returns against the [`Library`]:
//! cache queries and changes inline, the network (and slow queries) on worker threads whose
//! results come back as actions, and the terminal's clipboard, the browser and the bib file.

use std::io::{self, Write};
use std::path::Path;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crate::feeds::backfill::BackfillEvent;
use crate::library::citations::CitationState;
use crate::library::RefreshEvent;
use crate::model::{EntryId, FeedId};
use crate::paths::Paths;
use crate::store::ListQuery;
use crate::Library;

use super::action::{Action, BibUse};
use super::state::{self, App};
use super::update::{update, Effect};

/// Search results are counted up to this many; beyond it the title says "1000+".
const SEARCH_COUNT_CAP: usize = 1000;

/// Runs effects: cache queries inline (they are fast; a folder's papers per month are not, and
/// go to a worker), network work on worker threads.
pub(super) struct Executor {
    /// Declared before `demo_dir`: the cache is closed before its temporary directory goes.
    pub(super) lib: Library,
    /// The welcome screen's demo cache, removed when the reader exits.
    pub(super) demo_dir: Option<tempfile::TempDir>,
    pub(super) tx: Sender<Action>,
    pub(super) browser: Vec<String>,
    pub(super) quit: bool,
    /// When the read/star changes queued for the sync account are pushed: a moment after the
    /// last change, so that reading through a month makes one push, not one per entry.
    pub(super) push: Debounce,
}

/// How long after the last read/star change the reader pushes changes to the sync account.
pub(super) const PUSH_DELAY: Duration = Duration::from_secs(5);

/// Fires once, `delay` after the last of a run of touches; the clock is the caller's.
#[derive(Debug)]
pub(super) struct Debounce {
    delay: Duration,
    due: Option<Instant>,
}

impl Debounce {
    pub(super) fn new(delay: Duration) -> Debounce {
        Debounce { delay, due: None }
    }

    /// Another change at `now`: the wait starts again.
    fn touch(&mut self, now: Instant) {
        self.due = Some(now + self.delay);
    }

    /// Whether the wait is over at `now`; true once per run of touches.
    pub(super) fn take_due(&mut self, now: Instant) -> bool {
        let due = self.due.is_some_and(|due| now >= due);
        if due {
            self.due = None;
        }
        due
    }
}

impl Executor {
    /// Applies `action` and every action its effects lead to.
    pub(super) fn dispatch(&mut self, app: &mut App, action: Action) {
        let mut queue = std::collections::VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for effect in update(app, a) {
                queue.extend(self.run(effect));
            }
        }
    }

    fn run(&mut self, effect: Effect) -> Vec<Action> {
        let result = if crate::timing::enabled() {
            let name = effect_name(&effect);
            crate::timing::timed(&name, || self.execute(effect))
        } else {
            self.execute(effect)
        };
        match result {
            Ok(actions) => actions,
            Err(e) => vec![Action::Error(e.to_string())],
        }
    }

    /// Runs one effect; a cache error becomes the reader's error line (in `run`).
    fn execute(&mut self, effect: Effect) -> Result<Vec<Action>, crate::Error> {
        Ok(match effect {
            // Cache queries, answered inline.
            Effect::LoadFeeds => self.load_feeds()?,
            Effect::LoadHealth => vec![super::health::load(&self.lib, 0)?],
            Effect::LoadMonths { filter } => self.load_months(filter)?,
            Effect::LoadEntries {
                source,
                query,
                count,
            } => self.load_entries(source, &query, count)?,
            Effect::CountEntries { source, query, seq } => {
                self.spawn_count(source, query, seq);
                Vec::new()
            }
            Effect::LoadEntry(id) => vec![Action::EntryLoaded(Box::new(self.lib.entry(id)?))],
            Effect::AskRemoveFeed(feed) => vec![Action::ConfirmRemoveFeed {
                feed,
                starred: self.lib.starred_in_feed(feed)?,
            }],
            Effect::LoadCitations { entry, dois } => self.cached_citations(entry, dois)?,
            Effect::LoadPaperLines(rows) => vec![
                Action::PaperLinesLoaded(paper_lines(&self.lib, &rows)?),
                Action::PapersPublished(published(&self.lib, &rows)?),
            ],
            // Changes to the cache.
            Effect::SetRead { ids, read } => {
                self.lib.set_read(&ids, read)?;
                self.schedule_push();
                Vec::new()
            }
            Effect::SetStarred { ids, starred } => {
                self.lib.set_starred(&ids, starred)?;
                self.schedule_push();
                Vec::new()
            }
            Effect::MarkRead(q) => self.mark_read(&q)?,
            Effect::SetFolder { feed, folder } => self.set_folder(feed, folder.as_deref())?,
            Effect::RenameFeed { feed, title } => self.rename_feed(feed, title.as_deref())?,
            Effect::RenameFolder { old, new } => self.rename_folder(old, &new)?,
            Effect::RemoveFeed(feed) => self.remove_feed(feed)?,
            Effect::ImportOpmlFile(path) => match std::fs::read(&path) {
                Ok(bytes) => import(&mut self.lib, &bytes, &path)?,
                Err(e) => vec![Action::Error(format!("cannot read {path}: {e}"))],
            },
            Effect::ImportResearchList => import(
                &mut self.lib,
                crate::demo::RESEARCH_FEEDS_OPML,
                "the research list",
            )?,
            Effect::LoadDemo => self.load_demo()?,
            // The network and slow queries, on worker threads that answer with actions.
            Effect::LoadMonthPapers { filter } => {
                self.spawn_folder_papers(filter);
                Vec::new()
            }
            Effect::LoadPapers { scope, lines } => {
                self.spawn_papers(scope, lines);
                Vec::new()
            }
            Effect::Refresh(feeds) => {
                self.spawn_refresh(feeds);
                Vec::new()
            }
            Effect::AddFeed(url) => {
                self.spawn_add(url);
                Vec::new()
            }
            Effect::ScanPapers => {
                self.spawn_papers_scan();
                Vec::new()
            }
            Effect::Backfill(feed) => {
                self.spawn_backfill(feed);
                Vec::new()
            }
            Effect::ResolveCitations { entry, dois } => {
                let found = move |doi: &str, state: &CitationState| Action::CitationResolved {
                    entry,
                    doi: doi.to_string(),
                    state: state.clone(),
                };
                let failed = move |reason| Action::CitationsFailed { entry, reason };
                self.spawn_citations(dois, found, failed, |_, _| None);
                Vec::new()
            }
            Effect::ResolvePaperCitations(keys) => {
                let found = |key: &str, state: &CitationState| {
                    let line = match state {
                        CitationState::Found { citation } => Some(citation.line()),
                        _ => None,
                    };
                    Action::PaperLinesLoaded(vec![(key.to_string(), line)])
                };
                let failed = |reason: String| {
                    Action::Error(crate::text::scrub::scrub_line(&format!(
                        "cannot look up the papers' citations: {reason}"
                    )))
                };
                let notes = |lib: &Library, keys: &[String]| {
                    let notes = keys.iter().filter_map(|k| {
                        let note = lib.published_as(k).ok().flatten()?;
                        Some((k.clone(), note))
                    });
                    Some(Action::PapersPublished(notes.collect()))
                };
                self.spawn_citations(keys, found, failed, notes);
                Vec::new()
            }
            Effect::LoadOa { papers, ask } => self.load_oa(papers, ask)?,
            Effect::FetchBibtex { doi, then } => {
                self.spawn_bibtex(doi, then);
                Vec::new()
            }
            Effect::SavePaper { key } => {
                self.spawn_save(key);
                Vec::new()
            }
            // The terminal and the operating system.
            Effect::OpenUrl(url) => self.open_url(&url),
            Effect::Clipboard(text) => clipboard(&text),
            Effect::AppendBibtex { path, doi, text } => save_bibtex(&path, &doi, &text),
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

    /// Resolves DOIs or paper keys on a worker thread: each answer reported as it arrives
    /// (`found`), then what `after` makes of the cache; `failed` when the worker cannot run.
    fn spawn_citations(
        &self,
        ids: Vec<String>,
        found: impl Fn(&str, &CitationState) -> Action + Send + 'static,
        failed: impl FnOnce(String) -> Action + Send + 'static,
        after: impl FnOnce(&Library, &[String]) -> Option<Action> + Send + 'static,
    ) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| {
                lib.citations(&ids, &mut |id, state| {
                    let _ = tx.send(found(id, state));
                })?;
                Ok(lib)
            });
            match result {
                Ok(lib) => {
                    if let Some(a) = after(&lib, &ids) {
                        let _ = tx.send(a);
                    }
                }
                Err(e) => {
                    let _ = tx.send(failed(e.to_string()));
                }
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

    /// Counts a search's matches on a worker thread (answers `EntriesCounted`).
    fn spawn_count(&self, source: state::EntrySource, query: ListQuery, seq: u64) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            // Counting every match of a common word costs a whole index scan; a search
            // only needs to know there are more than a screenful of pages.
            let result = Library::open(paths, config)
                .and_then(|lib| lib.count_at_most(&uncapped(&query), Some(SEARCH_COUNT_CAP)));
            let _ = tx.send(match result {
                Ok(n) => {
                    let total = usize::try_from(n).unwrap_or(0);
                    Action::EntriesCounted {
                        source,
                        seq,
                        total,
                        more: total >= SEARCH_COUNT_CAP,
                    }
                }
                Err(e) => Action::Error(crate::text::scrub::scrub_line(&format!(
                    "cannot count the search results: {e}"
                ))),
            });
        });
    }

    /// The upgrade's re-scan of stored posts for papers, on a worker thread with its own
    /// connection: progress after every batch, then `PapersScanned` (nothing when none is due).
    fn spawn_papers_scan(&self) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| {
                lib.scan_papers(|done, total| {
                    let _ = tx.send(Action::PapersScanProgress { done, total });
                })
            });
            match result {
                Ok(false) => {}
                Ok(true) => {
                    let _ = tx.send(Action::PapersScanned { error: None });
                }
                Err(e) => {
                    let _ = tx.send(Action::PapersScanned {
                        error: Some(crate::text::scrub::scrub_line(&e.to_string())),
                    });
                }
            }
        });
    }

    /// Lists a scope's papers on a worker thread, with the citation lines of the first `lines`
    /// rows (answers `PapersLoaded`): at 100,000 entries, all months take longer than a frame.
    fn spawn_papers(&self, scope: state::PapersScope, lines: usize) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config)
                .and_then(|lib| {
                    let q = scope.query();
                    // Every month's first screen comes from kept counts at once; all the rows
                    // take a scan of every citing row.
                    if let Some((rows, total)) = lib.papers_first(&q, lines)? {
                        let lines = paper_lines(&lib, &rows)?;
                        let scope = scope.clone();
                        let _ = tx.send(Action::PapersFirst {
                            scope,
                            rows,
                            lines,
                            total,
                        });
                    }
                    let rows = lib.papers(&q)?;
                    let first = &rows[..lines.min(rows.len())];
                    let notes = published(&lib, first)?;
                    let first = paper_lines(&lib, first)?;
                    Ok((rows, first, notes))
                })
                .map_err(|e| crate::text::scrub::scrub_line(&e.to_string()));
            let (result, notes) = match result {
                Ok((rows, first, notes)) => (Ok((rows, first)), notes),
                Err(e) => (Err(e), Vec::new()),
            };
            let _ = tx.send(Action::PapersLoaded { scope, result });
            if !notes.is_empty() {
                let _ = tx.send(Action::PapersPublished(notes));
            }
        });
    }

    /// The open-access copies known of `papers` (answered inline), then, with `ask`, the DOIs
    /// due asked of Unpaywall on a worker thread (one request at a time), each as it comes.
    fn load_oa(
        &self,
        papers: Vec<(String, Vec<String>)>,
        ask: bool,
    ) -> Result<Vec<Action>, crate::Error> {
        let mut known = Vec::new();
        let mut due: Vec<(String, String)> = Vec::new();
        for (key, ids) in papers {
            match self.lib.oa_due(&ids)? {
                Some(doi) if ask => due.push((doi, key.clone())),
                _ => {}
            }
            if let Some(state) = self.lib.oa_known(&ids)? {
                known.push((key, state));
            }
        }
        if !due.is_empty() {
            self.spawn_oa(due);
        }
        Ok(vec![Action::OaKnown(known)])
    }

    /// Asks Unpaywall about `due` (DOI, paper key) on a worker thread.
    fn spawn_oa(&self, due: Vec<(String, String)>) {
        use crate::library::access::OaAnswer;
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let dois: Vec<String> = due.iter().map(|(d, _)| d.clone()).collect();
            let mut said = false;
            let result = Library::open(paths, config).and_then(|mut lib| {
                lib.oa_lookup(&dois, &mut |doi, answer| {
                    let keys = due.iter().filter(|(d, _)| d == doi).map(|(_, k)| k.clone());
                    let a = match answer {
                        OaAnswer::Known(s) => {
                            Action::OaKnown(keys.map(|k| (k, s.clone())).collect())
                        }
                        // One line for the batch: the others failed the same way.
                        _ if std::mem::replace(&mut said, true) => return,
                        OaAnswer::NoEmail => Action::OaNoEmail,
                        OaAnswer::Failed(e) => Action::OaFailed(e.clone()),
                        OaAnswer::NoDoi => return,
                    };
                    let _ = tx.send(a);
                })
            });
            if let Err(e) = result {
                let _ = tx.send(Action::OaFailed(crate::text::scrub::scrub_line(
                    &e.to_string(),
                )));
            }
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

    /// Saves a paper to the reference manager on a worker thread (Zotero or a command may
    /// take seconds); the status line gets its one-line answer.
    fn spawn_save(&self, key: String) {
        let (tx, paths, config) = self.worker_parts();
        std::thread::spawn(move || {
            let result = Library::open(paths, config).and_then(|mut lib| lib.save_paper(&key));
            let _ = tx.send(match result {
                Ok(saved) => Action::Info(saved.message()),
                Err(e) => Action::Error(e.to_string()),
            });
        });
    }

    fn schedule_push(&mut self) {
        if self.lib.sync_configured() {
            self.push.touch(Instant::now());
        }
    }

    /// Pushes the queued changes to the sync account on a worker thread; a failure leaves them
    /// queued for the next sync and says so.
    pub(super) fn spawn_push(&self) {
        let (tx, paths, config) = self.worker_parts();
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
    fn spawn_refresh(&self, feeds: Vec<FeedId>) {
        let (tx, paths, config) = self.worker_parts();
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
            super::health::check_after_refresh(&mut lib, &tx);
        });
    }

    fn spawn_add(&self, url: String) {
        let (tx, paths, config) = self.worker_parts();
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

/// Cache queries: fast, answered inline.
impl Executor {
    fn load_feeds(&self) -> Result<Vec<Action>, crate::Error> {
        let lib = &self.lib;
        let feeds = lib.feeds()?;
        let complete = lib.complete_feeds()?;
        let starred = lib.count(&ListQuery {
            starred_only: true,
            ..ListQuery::default()
        })?;
        Ok(vec![Action::FeedsLoaded {
            feeds,
            complete,
            starred,
        }])
    }

    fn load_months(&self, filter: state::Filter) -> Result<Vec<Action>, crate::Error> {
        Ok(vec![Action::MonthsLoaded {
            months: match filter.one_folder() {
                Some(folder) => self.lib.folder_month_counts(folder)?,
                None => self.lib.months_where(&filter.query())?,
            },
            filter,
        }])
    }

    /// A page of entries and, when `count` is set, how many match in all.
    fn load_entries(
        &self,
        source: state::EntrySource,
        query: &ListQuery,
        count: bool,
    ) -> Result<Vec<Action>, crate::Error> {
        let rows = self.lib.list(query)?;
        let (total, more) = if count {
            let n = usize::try_from(self.lib.count(&uncapped(query))?).unwrap_or(0);
            (Some(n), false)
        } else {
            // Not counted (a search's count follows from a worker): a full page may have more.
            (None, query.limit.is_some_and(|l| rows.len() >= l))
        };
        Ok(vec![Action::EntriesLoaded {
            source,
            offset: query.offset,
            rows,
            total,
            more,
        }])
    }

    /// What the cache already knows of an entry's DOIs.
    fn cached_citations(
        &self,
        entry: EntryId,
        dois: Vec<String>,
    ) -> Result<Vec<Action>, crate::Error> {
        let mut cached = Vec::with_capacity(dois.len());
        for doi in dois {
            let state = self.lib.fresh_citation(&doi)?;
            cached.push((doi, state));
        }
        Ok(vec![Action::CitationsCached { entry, cached }])
    }
}

/// Changes to the cache, each said on the status line.
impl Executor {
    fn mark_read(&mut self, q: &ListQuery) -> Result<Vec<Action>, crate::Error> {
        let n = self.lib.mark_read(q)?;
        self.schedule_push();
        Ok(vec![
            Action::Info(format!(
                "marked {} read",
                crate::text::render::count(n, "entry", "entries")
            )),
            Action::CacheChanged,
        ])
    }

    fn set_folder(
        &mut self,
        feed: FeedId,
        folder: Option<&str>,
    ) -> Result<Vec<Action>, crate::Error> {
        let name = self.lib.set_folder(feed, folder)?;
        let title = self.lib.find_feed(&feed.to_string())?.title;
        let text = match name {
            Some(name) => format!("moved {title} to {name}"),
            None => format!("moved {title} out of its folder"),
        };
        Ok(vec![
            Action::Info(crate::text::scrub::scrub_line(&text)),
            Action::CacheChanged,
        ])
    }

    fn rename_feed(
        &mut self,
        feed: FeedId,
        title: Option<&str>,
    ) -> Result<Vec<Action>, crate::Error> {
        self.lib.rename_feed(feed, title)?;
        let title = self.lib.find_feed(&feed.to_string())?.title;
        Ok(vec![
            Action::Info(format!(
                "feed {feed} is titled {}",
                crate::text::scrub::scrub_line(&title)
            )),
            Action::CacheChanged,
        ])
    }

    fn rename_folder(&mut self, old: String, new: &str) -> Result<Vec<Action>, crate::Error> {
        let (new, moved) = self.lib.rename_folder(&old, new)?;
        let text = format!(
            "renamed folder {old} to {new} ({})",
            crate::text::render::count(moved, "feed", "feeds")
        );
        Ok(vec![
            Action::Info(crate::text::scrub::scrub_line(&text)),
            Action::FolderRenamed { old, new },
        ])
    }

    fn remove_feed(&mut self, feed: FeedId) -> Result<Vec<Action>, crate::Error> {
        let title = self.lib.find_feed(&feed.to_string())?.title;
        let text = if self.lib.remove_feed(feed)? {
            format!("removed {title}")
        } else {
            format!("{title} was already removed")
        };
        Ok(vec![
            Action::Info(crate::text::scrub::scrub_line(&text)),
            Action::CacheChanged,
        ])
    }

    fn open_url(&self, url: &str) -> Vec<Action> {
        match crate::open::open_url(url, &self.browser) {
            Ok(()) => vec![Action::Info(format!("opened {url}"))],
            Err(e) => vec![Action::Error(e.to_string())],
        }
    }
}

/// `q` without its page: the whole listing, to count.
fn uncapped(q: &ListQuery) -> ListQuery {
    ListQuery {
        limit: None,
        offset: 0,
        ..q.clone()
    }
}

/// The citation lines known offline for `rows` (`None`: the row shows its id).
fn paper_lines(
    lib: &Library,
    rows: &[crate::model::PaperRow],
) -> Result<Vec<super::action::PaperLine>, crate::Error> {
    rows.iter()
        .map(|r| Ok((r.key.clone(), lib.known_citation(r)?.map(|c| c.line()))))
        .collect()
}

/// "published as doi:…" for the rows among `rows` cited as an arXiv preprint whose published
/// version the cached arXiv answer names.
fn published(
    lib: &Library,
    rows: &[crate::model::PaperRow],
) -> Result<Vec<(String, String)>, crate::Error> {
    let mut out = Vec::new();
    for r in rows {
        for id in r.ids.iter().filter(|k| k.starts_with("arxiv:")) {
            if let Some(note) = lib.published_as(id)? {
                out.push((r.key.clone(), note));
                break;
            }
        }
    }
    Ok(out)
}

/// The effect's variant, for the start-up log (`LoadFeeds`, `LoadMonths`).
fn effect_name(effect: &Effect) -> String {
    let text = format!("{effect:?}");
    let end = text
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(text.len());
    format!("effect {}", &text[..end])
}

/// Puts `text` on the terminal's clipboard.
fn clipboard(text: &str) -> Vec<Action> {
    match write_clipboard(&mut io::stdout(), text) {
        Ok(()) => Vec::new(),
        Err(e) => vec![Action::Error(format!("cannot write to the terminal: {e}"))],
    }
}

/// Appends a DOI's BibTeX to the bib file of the config, and says so.
fn save_bibtex(path: &Path, doi: &str, text: &str) -> Vec<Action> {
    match append_bibtex(path, text) {
        Ok(()) => vec![Action::Info(format!(
            "appended the BibTeX of doi:{doi} to {}",
            path.display()
        ))],
        Err(e) => vec![Action::Error(format!(
            "cannot append to {}: {e} (doi.bib_file in config.toml)",
            path.display()
        ))],
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
pub(crate) fn write_clipboard(out: &mut impl Write, text: &str) -> io::Result<()> {
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
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
