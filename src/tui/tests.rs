//! Tests of the reader without a terminal: keys → actions → state and effects (against an
//! in-memory stand-in for the library), and snapshots of every pane and overlay rendered on
//! ratatui's TestBackend. Dates are fixed; nothing reads the clock or the network.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, TimeZone, Utc};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::style::Modifier;
use ratatui::Terminal;

use crate::feeds::backfill::BackfillReport;
use crate::library::citations::CitationState;
use crate::model::{DoiSource, Entry, EntrySummary, Feed, FoundDoi, MonthCount};
use crate::papers::cite::Citation;
use crate::store::ListQuery;

use super::action::{Action, BibUse, MouseAction};
use super::keymap::{key_action, Ctx, Key, Keymap};
use super::state::{App, EntrySource, FeedRow, Filter, Overlay, Pane, PromptKind, Scope, PAGE};
use super::theme::Theme;
use super::update::{update, Effect};
use super::view::view;

/// The Papers view's tests (their own file: this one is long enough).
mod access;
/// Paper health drawn in the link list, the Papers view and the entry list.
mod health;
mod papers;
/// `z`: saving a paper to the reference manager.
mod save;
/// A search's count after its first page.
mod search_count;

// ---- an in-memory library -------------------------------------------------------------------

/// Answers effects the way `Library` would, from vectors.
struct Fake {
    feeds: Vec<Feed>,
    entries: Vec<Entry>,
    /// Every effect run, in order.
    log: Vec<Effect>,
    quit: bool,
    /// Feeds whose history is complete.
    complete: BTreeSet<i64>,
    /// Cached citations by DOI key.
    citations: BTreeMap<String, CitationState>,
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 30, 0)
        .single()
        .expect("valid date")
}

fn feed(id: i64, title: &str) -> Feed {
    Feed {
        id,
        title: title.to_string(),
        url: format!("https://example.org/{id}/feed"),
        site_url: None,
        entries: 0,
        unread: 0,
        last_fetched: None,
        last_status: None,
        last_error: None,
        warning: None,
        gone: false,
        folder: None,
        user_title: None,
        remote_id: None,
        etag: None,
        last_modified: None,
    }
}

fn entry(
    id: i64,
    feed: &Feed,
    when: DateTime<Utc>,
    title: &str,
    read: bool,
    dois: &[&str],
) -> Entry {
    Entry {
        id,
        feed_id: feed.id,
        feed_title: feed.title.clone(),
        guid: format!("guid-{id}"),
        title: title.to_string(),
        link: Some(format!("https://example.org/posts/{id}")),
        authors: vec!["Ada Lovelace".to_string()],
        published: Some(when),
        updated: None,
        first_seen: when,
        month: when.format("%Y-%m").to_string(),
        read,
        starred: false,
        content_html: Some(format!(
            "<h2>{title}</h2><p>A post about <em>recovery</em> and peer support. \
             See <a href=\"https://example.org/paper/{id}\">the paper</a> and \
             <a href=\"https://doi.org/10.1000/demo.{id}\">its DOI</a>.</p>\
             <blockquote>Quoted words.</blockquote><p>Code: <code>x = 1</code>.</p>"
        )),
        summary_html: None,
        dois: dois
            .iter()
            .map(|d| FoundDoi {
                doi: d.to_string(),
                key: d.to_lowercase(),
                source: DoiSource::Text,
            })
            .collect(),
        papers: Vec::new(),
    }
}

impl Fake {
    fn new() -> Fake {
        let blog = feed(1, "Connected Recovery");
        let toc = feed(2, "Journal of Demonstration Studies");
        let mut broken = feed(3, "Broken Feed");
        broken.last_error = Some("HTTP 404 Not Found".to_string());
        let mut long = entry(
            3,
            &blog,
            at(2015, 1, 20),
            "Methods note: survival curves",
            true,
            &[],
        );
        long.content_html = Some(
            (1..=60)
                .map(|i| format!("<p>Paragraph {i} of the methods note, on recovery.</p>"))
                .collect(),
        );
        let entries = vec![
            entry(
                1,
                &blog,
                at(2015, 2, 10),
                "Peer support after discharge",
                false,
                &["10.1000/xyz1"],
            ),
            entry(
                2,
                &toc,
                at(2015, 2, 3),
                "Volume 3, Issue 1",
                false,
                &["10.5555/jds.3.1"],
            ),
            long,
            entry(
                4,
                &blog,
                at(2014, 12, 15),
                "Holiday reading list",
                false,
                &["10.1000/a", "10.1000/b"],
            ),
            entry(5, &blog, at(2014, 12, 2), "Why we preregister", true, &[]),
            entry(6, &broken, at(2014, 10, 5), "An old post", true, &[]),
            entry(7, &blog, at(2013, 6, 1), "First post", true, &[]),
        ];
        Fake {
            feeds: vec![blog, toc, broken],
            entries,
            log: Vec::new(),
            quit: false,
            complete: BTreeSet::new(),
            citations: BTreeMap::new(),
        }
    }

    fn summary(e: &Entry) -> EntrySummary {
        EntrySummary {
            id: e.id,
            feed_id: e.feed_id,
            feed_title: e.feed_title.clone(),
            title: e.title.clone(),
            link: e.link.clone(),
            published: e.published,
            updated: e.updated,
            date: e.published.or(e.updated),
            month: e.month.clone(),
            read: e.read,
            starred: e.starred,
            dois: e.dois.iter().map(|d| d.doi.clone()).collect(),
        }
    }

    fn matches(&self, e: &Entry, q: &ListQuery) -> bool {
        let folder = self
            .feeds
            .iter()
            .find(|f| f.id == e.feed_id)
            .and_then(|f| f.folder.as_deref());
        q.feed.is_none_or(|f| f == e.feed_id)
            && q.folder
                .as_deref()
                .is_none_or(|name| folder.is_some_and(|inner| crate::model::in_folder(name, inner)))
            && (!q.starred_only || e.starred)
            && q.month.as_ref().is_none_or(|m| *m == e.month)
            && (!q.unread_only || !e.read)
            && (!q.with_dois_only || !e.dois.is_empty())
            && q.ids.as_ref().is_none_or(|ids| ids.contains(&e.id))
            && q.search.as_ref().is_none_or(|s| {
                let hay = format!("{} {}", e.title, e.body_html()).to_lowercase();
                s.split_whitespace()
                    .all(|w| hay.contains(&w.to_lowercase()))
            })
    }

    fn listing(&self, q: &ListQuery) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().filter(|e| self.matches(e, q)).collect();
        v.sort_by(|a, b| b.published.cmp(&a.published).then(b.id.cmp(&a.id)));
        v
    }

    /// A page of a listing, as the executor loads it.
    fn load_entries(&self, source: EntrySource, query: &ListQuery, count: bool) -> Vec<Action> {
        let all = self.listing(query);
        let total = count.then_some(all.len());
        let rows: Vec<EntrySummary> = all
            .into_iter()
            .skip(query.offset)
            .take(query.limit.unwrap_or(usize::MAX))
            .map(Fake::summary)
            .collect();
        // As the executor: uncounted, a full page may have more.
        let more = !count && query.limit.is_some_and(|l| rows.len() >= l);
        vec![Action::EntriesLoaded {
            source,
            offset: query.offset,
            rows,
            total,
            more,
        }]
    }

    fn run(&mut self, effect: Effect) -> Vec<Action> {
        self.log.push(effect.clone());
        match effect {
            Effect::LoadFeeds => {
                let mut feeds = self.feeds.clone();
                for f in &mut feeds {
                    f.entries = self.entries.iter().filter(|e| e.feed_id == f.id).count() as i64;
                    f.unread = self
                        .entries
                        .iter()
                        .filter(|e| e.feed_id == f.id && !e.read)
                        .count() as i64;
                }
                vec![Action::FeedsLoaded {
                    feeds,
                    complete: self.complete.clone(),
                    starred: self.entries.iter().filter(|e| e.starred).count() as i64,
                }]
            }
            Effect::LoadMonths { filter } => {
                let mut by: BTreeMap<String, (i64, i64, BTreeSet<String>)> = BTreeMap::new();
                let q = filter.query();
                for e in self.entries.iter().filter(|e| self.matches(e, &q)) {
                    let m = by.entry(e.month.clone()).or_default();
                    m.0 += 1;
                    m.1 += i64::from(!e.read);
                    m.2.extend(e.dois.iter().map(|d| d.key.clone()));
                }
                let months = by
                    .into_iter()
                    .rev()
                    .map(|(month, (count, unread, papers))| MonthCount {
                        month,
                        count,
                        unread,
                        papers: papers.len() as i64,
                    })
                    .collect();
                vec![Action::MonthsLoaded { filter, months }]
            }
            Effect::LoadEntries {
                source,
                query,
                count,
            } => self.load_entries(source, &query, count),
            // The worker's count, answered at once.
            Effect::CountEntries { source, query, seq } => vec![Action::EntriesCounted {
                source,
                seq,
                total: self.listing(&query).len(),
                more: false,
            }],
            Effect::LoadEntry(id) => match self.entries.iter().find(|e| e.id == id) {
                Some(e) => vec![Action::EntryLoaded(Box::new(e.clone()))],
                None => vec![Action::Error(format!("no entry with id {id}"))],
            },
            Effect::SetRead { ids, read } => {
                for e in self.entries.iter_mut().filter(|e| ids.contains(&e.id)) {
                    e.read = read;
                }
                Vec::new()
            }
            Effect::SetFolder { feed, folder } => {
                for f in self.feeds.iter_mut().filter(|f| f.id == feed) {
                    f.folder = folder.clone();
                }
                vec![Action::CacheChanged]
            }
            Effect::RenameFeed { feed, title } => {
                for f in self.feeds.iter_mut().filter(|f| f.id == feed) {
                    f.title = title.clone().unwrap_or_else(|| "Own title".to_string());
                }
                vec![Action::CacheChanged]
            }
            Effect::SetStarred { ids, starred } => {
                for e in self.entries.iter_mut().filter(|e| ids.contains(&e.id)) {
                    e.starred = starred;
                }
                Vec::new()
            }
            Effect::RenameFolder { old, new } => {
                for f in &mut self.feeds {
                    if f.folder.as_deref() == Some(old.as_str()) {
                        f.folder = Some(new.clone());
                    } else if let Some(rest) = f
                        .folder
                        .as_deref()
                        .and_then(|n| n.strip_prefix(&format!("{old}/")))
                    {
                        f.folder = Some(format!("{new}/{rest}"));
                    }
                }
                vec![Action::FolderRenamed { old, new }]
            }
            Effect::AskRemoveFeed(feed) => {
                let starred = self
                    .entries
                    .iter()
                    .filter(|e| e.feed_id == feed && e.starred)
                    .count() as i64;
                vec![Action::ConfirmRemoveFeed { feed, starred }]
            }
            Effect::RemoveFeed(feed) => {
                self.feeds.retain(|f| f.id != feed);
                self.entries.retain(|e| e.feed_id != feed);
                vec![Action::CacheChanged]
            }
            Effect::MarkRead(q) => {
                let ids: Vec<crate::model::EntryId> = self
                    .entries
                    .iter()
                    .filter(|e| self.matches(e, &q))
                    .map(|e| e.id)
                    .collect();
                for e in self.entries.iter_mut().filter(|e| ids.contains(&e.id)) {
                    e.read = true;
                }
                vec![Action::CacheChanged]
            }
            Effect::LoadCitations { entry, dois } => {
                let cached = dois
                    .into_iter()
                    .map(|d| {
                        let s = self.citations.get(&d.to_lowercase()).cloned();
                        (d, s)
                    })
                    .collect();
                vec![Action::CitationsCached { entry, cached }]
            }
            e @ (Effect::LoadPapers { .. } | Effect::LoadPaperLines(_)) => self.run_papers(e),
            Effect::Quit => {
                self.quit = true;
                Vec::new()
            }
            // Network, files and the browser are the executor's; the tests look at the log.
            _ => Vec::new(),
        }
    }

    /// Applies `action` and everything its effects lead to, like the executor in `run`.
    fn dispatch(&mut self, app: &mut App, action: Action) {
        let mut queue = VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for e in update(app, a) {
                queue.extend(self.run(e));
            }
        }
    }

    /// Presses `key` (a config key name): keymap → action → update → effects.
    fn press(&mut self, app: &mut App, key: &str) {
        let k = Key::parse(key).unwrap_or_else(|| panic!("bad key {key}"));
        let mut mods = KeyModifiers::NONE;
        if k.ctrl {
            mods |= KeyModifiers::CONTROL;
        }
        if k.alt {
            mods |= KeyModifiers::ALT;
        }
        if let Some(a) = key_action(app, &KeyEvent::new(k.code, mods)) {
            self.dispatch(app, a);
        }
    }

    fn type_text(&mut self, app: &mut App, text: &str) {
        for c in text.chars() {
            self.dispatch(app, Action::Input(c));
        }
    }

    /// The effects logged since the last call.
    fn take_log(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.log)
    }
}

/// The reader opened on the fake cache, as `run` opens it.
fn start(w: u16, h: u16) -> (App, Fake) {
    start_with(w, h, Keymap::default(), false)
}

fn start_with(w: u16, h: u16, keymap: Keymap, demo: bool) -> (App, Fake) {
    start_on(w, h, keymap, demo, Fake::new())
}

/// The reader opened on a prepared fake cache.
fn start_on(w: u16, h: u16, keymap: Keymap, demo: bool, mut fake: Fake) -> (App, Fake) {
    let mut app = App::new(keymap, Theme::default(), (w, h), demo);
    fake.dispatch(&mut app, Action::CacheChanged);
    fake.take_log();
    (app, fake)
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("test terminal");
    t.draw(|f| view(app, f)).expect("draw");
    t.backend().to_string()
}

fn buffer(app: &App) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1)).expect("test terminal");
    t.draw(|f| view(app, f)).expect("draw");
    t.backend().buffer().clone()
}

fn selected_title(app: &App) -> String {
    app.entries
        .selected_entry()
        .map(|e| e.title.clone())
        .unwrap_or_default()
}

// ---- state: keys → actions → state and effects ------------------------------------------------

#[test]
fn opens_on_all_feeds_newest_month_focus_on_entries() {
    let (app, _) = start(80, 24);
    assert_eq!(app.feeds.selected, 0);
    assert_eq!(app.focus, Pane::Entries);
    assert_eq!(app.entries.source.month(), Some("2015-02"));
    assert_eq!(app.entries.rows.len(), 2);
    assert_eq!(selected_title(&app), "Peer support after discharge");
}

#[test]
fn j_and_k_move_the_selection() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "j");
    assert_eq!(app.entries.selected, 1);
    fake.press(&mut app, "j");
    assert_eq!(app.entries.selected, 1, "stops at the last row");
    fake.press(&mut app, "Up");
    assert_eq!(app.entries.selected, 0);
    fake.press(&mut app, "Down");
    fake.press(&mut app, "g");
    assert_eq!(app.entries.selected, 0);
    fake.press(&mut app, "G");
    assert_eq!(app.entries.selected, 1);
}

#[test]
fn enter_loads_the_entry_and_marks_it_read_at_once() {
    let (mut app, mut fake) = start(80, 24);
    assert_eq!(app.feeds.feeds[0].unread, 2);
    fake.press(&mut app, "Enter");
    let log = fake.take_log();
    assert!(matches!(log[0], Effect::LoadEntry(1)), "{log:?}");
    assert!(
        log.iter()
            .any(|e| matches!(e, Effect::SetRead { ids, read: true } if ids == &[1])),
        "{log:?}"
    );
    assert_eq!(app.focus, Pane::Reader);
    let r = app.reader.as_ref().expect("reader open");
    assert_eq!(r.entry.id, 1);
    assert!(app.entries.rows[0].read);
    assert_eq!(
        app.feeds.feeds[0].unread, 1,
        "unread count drops without a query"
    );
    assert!(fake.entries[0].read, "saved");
}

#[test]
fn q_goes_back_then_quits_esc_never_quits() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "q");
    assert!(app.reader.is_none());
    assert_eq!(app.focus, Pane::Entries);
    assert!(!fake.quit);
    fake.press(&mut app, "Esc");
    assert!(!fake.quit);
    fake.press(&mut app, "q");
    assert!(fake.quit);
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    for setup in ["reader", "prompt", "help", "links", "feeds"] {
        let (mut app, mut fake) = start(80, 24);
        match setup {
            "reader" => fake.press(&mut app, "Enter"),
            "prompt" => fake.press(&mut app, "/"),
            "help" => fake.press(&mut app, "?"),
            "links" => {
                fake.press(&mut app, "Enter");
                fake.press(&mut app, "L");
                assert!(matches!(app.overlay, Some(Overlay::LinkList { .. })));
            }
            _ => fake.press(&mut app, "h"),
        }
        fake.press(&mut app, "Ctrl-c");
        assert!(fake.quit, "Ctrl-c in {setup}");
    }
}

#[test]
fn month_keys_skip_to_months_with_entries() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2015-01"));
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    // 2014-11 has no entries: the next older month is October.
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2014-10"));
    fake.press(&mut app, "]");
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    assert_eq!(app.entries.rows.len(), 2);
    fake.press(&mut app, "{");
    assert_eq!(app.entries.source.month(), Some("2013-06"));
    fake.press(&mut app, "}");
    assert_eq!(
        app.entries.source.month(),
        Some("2014-12"),
        "newest month of 2014"
    );
    fake.press(&mut app, "}");
    assert_eq!(app.entries.source.month(), Some("2015-02"));
    fake.press(&mut app, "]");
    assert_eq!(app.entries.source.month(), Some("2015-02"));
    assert!(app.status.message.is_some(), "says there is no newer month");
}

#[test]
fn papers_only_filters_entries_and_month_keys() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "p");
    assert!(app.entries.papers_only);
    assert_eq!(app.entries.rows.len(), 2);
    fake.press(&mut app, "[");
    // January 2015 cites no papers: skipped.
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    assert_eq!(app.entries.rows.len(), 1);
    assert_eq!(selected_title(&app), "Holiday reading list");
}

#[test]
fn rebinding_from_config_replaces_keys_and_warns_on_unknown_names() {
    let mut keys = BTreeMap::new();
    keys.insert(
        "down".to_string(),
        vec!["x".to_string(), "Ctrl-n".to_string()],
    );
    keys.insert("frobnicate".to_string(), vec!["z".to_string()]);
    keys.insert("top".to_string(), vec!["Hyper-q".to_string()]);
    let km = Keymap::from_config(&keys);
    assert_eq!(km.warnings.len(), 2, "{:?}", km.warnings);
    let (mut app, mut fake) = start_with(80, 24, km, false);
    let msg = app.status.message.clone().expect("warning shown");
    assert!(msg.text.contains("frobnicate"), "{msg:?}");
    fake.press(&mut app, "j");
    assert_eq!(app.entries.selected, 0, "j is no longer bound");
    fake.press(&mut app, "x");
    assert_eq!(app.entries.selected, 1);
    fake.press(&mut app, "k");
    fake.press(&mut app, "Ctrl-n");
    assert_eq!(app.entries.selected, 1);
}

#[test]
fn rebinding_a_key_takes_it_from_its_old_command() {
    let mut keys = BTreeMap::new();
    keys.insert("bottom".to_string(), vec!["j".to_string()]);
    let km = Keymap::from_config(&keys);
    assert_eq!(
        km.lookup(Ctx::Entries, Key::parse("j").expect("key")),
        Some(Action::Bottom)
    );
    assert_eq!(
        km.lookup(Ctx::Entries, Key::parse("Down").expect("key")),
        Some(Action::MoveDown)
    );
}

#[test]
fn key_names_parse_and_print_back() {
    for name in [
        "j",
        "J",
        "?",
        "Down",
        "Ctrl-d",
        "Shift-Tab",
        "PageDown",
        "Space",
        "F5",
        "Enter",
        "[",
    ] {
        let k = Key::parse(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(k.name(), name);
    }
    assert_eq!(Key::parse("PgDn"), Key::parse("PageDown"));
    assert_eq!(Key::parse("ctrl-D"), Key::parse("Ctrl-d"));
    assert!(Key::parse("Hyper-x").is_none());
    assert!(Key::parse("F0").is_none());
}

#[test]
fn help_lists_every_bound_key() {
    let (mut app, mut fake) = start(120, 40);
    fake.press(&mut app, "?");
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    let text: String = super::view::help_text(&app);
    for b in &app.keymap.bindings {
        for k in &b.keys {
            assert!(
                text.contains(&k.name()),
                "{} ({}) missing from help",
                k.name(),
                b.name
            );
        }
        if !b.keys.is_empty() {
            assert!(text.contains(b.help), "{} missing", b.help);
        }
    }
    fake.press(&mut app, "Esc");
    assert!(app.overlay.is_none());
}

#[test]
fn search_lists_results_like_a_month_and_esc_returns() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "/");
    assert!(matches!(
        app.overlay,
        Some(Overlay::Prompt {
            kind: PromptKind::Search,
            ..
        })
    ));
    fake.type_text(&mut app, "survival");
    fake.press(&mut app, "Enter");
    assert_eq!(app.entries.source.search(), Some("survival"));
    assert_eq!(app.entries.rows.len(), 1);
    assert_eq!(selected_title(&app), "Methods note: survival curves");
    // n / N step through the matches in the reader.
    fake.press(&mut app, "Enter");
    let r = app.reader.as_ref().expect("reader");
    assert!(!r.matches.is_empty());
    fake.press(&mut app, "Esc");
    fake.press(&mut app, "Esc");
    assert_eq!(app.entries.source.month(), Some("2015-02"));
}

#[test]
fn n_and_n_step_through_matches_in_the_reader() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "/");
    fake.type_text(&mut app, "paragraph 4");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "Enter");
    let first = app.reader.as_ref().expect("reader").scroll;
    fake.press(&mut app, "n");
    let second = app.reader.as_ref().expect("reader").scroll;
    assert!(second > first, "{first} -> {second}");
    fake.press(&mut app, "n");
    let third = app.reader.as_ref().expect("reader").scroll;
    assert!(third > second);
    fake.press(&mut app, "N");
    assert_eq!(app.reader.as_ref().expect("reader").scroll, second);
}

#[test]
fn selection_is_kept_by_id_when_new_entries_arrive() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "j");
    assert_eq!(selected_title(&app), "Volume 3, Issue 1");
    let blog = fake.feeds[0].clone();
    fake.entries
        .push(entry(8, &blog, at(2015, 2, 20), "Brand new", false, &[]));
    fake.dispatch(
        &mut app,
        Action::RefreshProgress {
            done: 1,
            total: 3,
            failed: None,
            new: 1,
        },
    );
    assert_eq!(app.entries.rows.len(), 3);
    assert_eq!(selected_title(&app), "Volume 3, Issue 1");
    assert_eq!(app.entries.selected, 2);
}

#[test]
fn reader_position_is_kept_during_a_refresh() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "[");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "Ctrl-d");
    let scroll = app.reader.as_ref().expect("reader").scroll;
    assert!(scroll > 0);
    fake.dispatch(
        &mut app,
        Action::RefreshDone {
            new: 0,
            failed: 0,
            sync_error: None,
        },
    );
    assert_eq!(app.reader.as_ref().expect("reader").scroll, scroll);
    assert_eq!(app.focus, Pane::Reader);
}

#[test]
fn long_listings_load_a_page_at_a_time() {
    let (mut app, mut fake) = start(80, 24);
    let blog = fake.feeds[0].clone();
    for i in 0..(PAGE * 2 + 10) {
        let day = u32::try_from(i % 28).expect("small") + 1;
        fake.entries.push(entry(
            100 + i as i64,
            &blog,
            at(2016, 3, day),
            "Bulk",
            false,
            &[],
        ));
    }
    fake.dispatch(&mut app, Action::CacheChanged);
    assert_eq!(
        app.entries.source.month(),
        Some("2015-02"),
        "a reload keeps the month shown"
    );
    fake.press(&mut app, "}");
    assert_eq!(app.entries.source.month(), Some("2016-03"));
    assert_eq!(app.entries.rows.len(), PAGE);
    assert_eq!(app.entries.total, PAGE * 2 + 10);
    fake.press(&mut app, "G");
    assert!(
        app.entries.rows.len() > PAGE,
        "paged in as the selection neared the end"
    );
    for _ in 0..10 {
        fake.press(&mut app, "G");
    }
    assert_eq!(app.entries.rows.len(), PAGE * 2 + 10);
    assert_eq!(app.entries.selected, PAGE * 2 + 9);
}

#[test]
fn a_bounded_count_pages_until_a_short_page_and_shows_a_plus() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "/");
    fake.type_text(&mut app, "survival");
    fake.press(&mut app, "Enter");
    let source = app.entries.source.clone();
    let page = |n: usize, from: usize| -> Vec<EntrySummary> {
        let e = &fake.entries[0];
        (0..n)
            .map(|i| EntrySummary {
                id: 10_000 + (from + i) as i64,
                ..Fake::summary(e)
            })
            .collect()
    };
    // The executor counted up to its cap (here one page): the size is a lower bound.
    update(
        &mut app,
        Action::EntriesLoaded {
            source: source.clone(),
            offset: 0,
            rows: page(PAGE, 0),
            total: Some(PAGE),
            more: true,
        },
    );
    assert!(
        screen(&app).contains(&format!("({PAGE}+)")),
        "{}",
        screen(&app)
    );
    // At the end of what is loaded, the next page is asked for although `total` is reached.
    let fx = update(&mut app, Action::Bottom);
    let asked = fx
        .iter()
        .any(|f| matches!(f, Effect::LoadEntries { query, .. } if query.offset == PAGE));
    assert!(asked, "{fx:?}");
    update(
        &mut app,
        Action::EntriesLoaded {
            source: source.clone(),
            offset: PAGE,
            rows: page(PAGE, PAGE),
            total: None,
            more: false,
        },
    );
    assert!(app.entries.more, "a full page says nothing about the end");
    app.entries.loading = false;
    app.entries.selected = 2 * PAGE - 1;
    update(
        &mut app,
        Action::EntriesLoaded {
            source,
            offset: 2 * PAGE,
            rows: page(3, 2 * PAGE),
            total: None,
            more: false,
        },
    );
    assert!(!app.entries.more, "a short page is the end");
    assert_eq!(app.entries.total, 2 * PAGE + 3);
    assert!(screen(&app).contains(&format!("({})", 2 * PAGE + 3)));
}

#[test]
fn jump_to_month_prompt() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2013");
    fake.press(&mut app, "Enter");
    assert_eq!(app.entries.source.month(), Some("2013-06"));
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-13");
    fake.press(&mut app, "Enter");
    let m = app.status.message.clone().expect("error");
    assert!(m.error && m.text.contains("YYYY-MM"), "{m:?}");
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-11x");
    fake.press(&mut app, "Backspace");
    fake.press(&mut app, "Enter");
    let m = app.status.message.clone().expect("error");
    assert!(m.text.contains("no entries in 2014-11"), "{m:?}");
    assert_eq!(app.entries.source.month(), Some("2013-06"));
}

#[test]
fn years_fold_and_unfold() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "h");
    assert_eq!(app.focus, Pane::Archive);
    let rows = app.archive.rows().len();
    fake.press(&mut app, "g");
    fake.press(&mut app, "Enter");
    assert_eq!(app.archive.rows().len(), rows - 2, "2015 folded");
    fake.press(&mut app, "Space");
    assert_eq!(app.archive.rows().len(), rows);
    // Moving onto a month shows it.
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    assert_eq!(app.entries.source.month(), Some("2015-01"));
}

#[test]
fn feeds_selection_drives_archive_and_entries() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Tab");
    assert_eq!(app.focus, Pane::Feeds);
    fake.press(&mut app, "j");
    assert_eq!(
        app.entries.source,
        EntrySource::Unread {
            filter: Filter::default()
        }
    );
    assert_eq!(app.entries.rows.len(), 3);
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    assert_eq!(app.archive.filter.feed, Some(2));
    assert_eq!(app.entries.source.month(), Some("2015-02"));
    assert_eq!(selected_title(&app), "Volume 3, Issue 1");
    assert_eq!(app.archive.months.len(), 1);
}

#[test]
fn all_feeds_and_unread_share_their_archive_without_reloading_it() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Tab");
    let months = app.archive.months.clone();
    let month = app.entries.source.month().map(str::to_string);
    assert!(month.is_some());
    fake.press(&mut app, "j");
    assert_eq!(
        app.entries.source,
        EntrySource::Unread {
            filter: Filter::default()
        }
    );
    fake.press(&mut app, "k");
    assert_eq!(app.entries.source.month().map(str::to_string), month);
    assert_eq!(app.archive.months, months);
    let log = fake.take_log();
    assert!(
        !log.iter().any(|e| matches!(e, Effect::LoadMonths { .. })),
        "{log:?}"
    );
    // Another feed's archive is still read.
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    assert!(fake
        .take_log()
        .iter()
        .any(|e| matches!(e, Effect::LoadMonths { .. })));
}

#[test]
fn links_open_through_effects() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "o");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::OpenUrl(u)] if u == "https://example.org/posts/1")
    );
    fake.press(&mut app, "Enter");
    fake.take_log();
    fake.press(&mut app, "1");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::OpenUrl(u)] if u == "https://example.org/paper/1")
    );
    fake.press(&mut app, "9");
    assert!(fake.take_log().is_empty());
    assert!(app
        .status
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("[9]")));
    // The link list: DOIs first (opened at the resolver), then the numbered links. Opening it
    // reads the DOIs' open-access copies (an effect of its own, once).
    fake.press(&mut app, "L");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::LoadOa { .. }]
    ));
    fake.press(&mut app, "Enter");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::OpenUrl(u)] if u == "https://doi.org/10.1000/xyz1")
    );
    assert!(app.overlay.is_none());
    fake.press(&mut app, "L");
    fake.press(&mut app, "G");
    fake.press(&mut app, "o");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::OpenUrl(u)] if u == "https://doi.org/10.1000/demo.1")
    );
    // A resolver from config (or PAPERBOY_DOI_RESOLVER) is where DOIs open.
    app.resolver = "https://resolver.example/".to_string();
    fake.press(&mut app, "L");
    fake.press(&mut app, "Enter");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::OpenUrl(u)] if u == "https://resolver.example/10.1000/xyz1")
    );
}

#[test]
fn next_and_previous_entry_while_reading() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "J");
    assert_eq!(app.reader.as_ref().expect("reader").entry.id, 2);
    assert!(fake.entries[1].read);
    fake.press(&mut app, "K");
    assert_eq!(app.reader.as_ref().expect("reader").entry.id, 1);
}

#[test]
fn toggle_read_and_mark_month_read() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "m");
    assert!(app.entries.rows[0].read);
    assert!(fake.entries[0].read);
    fake.press(&mut app, "m");
    assert!(!fake.entries[0].read);
    fake.press(&mut app, "A");
    assert!(fake
        .entries
        .iter()
        .filter(|e| e.month == "2015-02")
        .all(|e| e.read));
    assert!(app.entries.rows.iter().all(|r| r.read));
    assert_eq!(app.archive.months[0].unread, 0, "reloaded");
}

#[test]
fn s_toggles_the_star_of_the_selected_or_open_entry_and_leaves_read_alone() {
    let (mut app, mut fake) = start(80, 24);
    let first = app.entries.rows[0].id;
    let was_read = fake.entries.iter().find(|e| e.id == first).unwrap().read;
    fake.press(&mut app, "s");
    assert!(app.entries.rows[0].starred);
    let stored = fake.entries.iter().find(|e| e.id == first).unwrap();
    assert!(stored.starred);
    assert_eq!(stored.read, was_read, "starring keeps the read state");
    assert!(screen(&app).contains("★"), "{}", screen(&app));
    // In the reader, s stars the open entry.
    fake.press(&mut app, "Enter");
    assert_eq!(app.focus, Pane::Reader);
    fake.press(&mut app, "s");
    assert!(!app.reader.as_ref().unwrap().entry.starred);
    assert!(!fake.entries.iter().find(|e| e.id == first).unwrap().starred);
    assert!(!app.entries.rows[0].starred);
}

/// The fake archive with Connected Recovery in `Recovery`, the journal in `Recovery/Journals`
/// (Broken Feed outside folders) and entry 4 (December 2014) starred.
fn fake_with_folders() -> Fake {
    let mut fake = Fake::new();
    fake.feeds[0].folder = Some("Recovery".to_string());
    fake.feeds[1].folder = Some("Recovery/Journals".to_string());
    for e in fake.entries.iter_mut().filter(|e| e.id == 4) {
        e.starred = true;
    }
    fake
}

#[test]
fn folders_group_their_feeds_sum_unread_fold_and_scope_the_archive() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    let rows = app.feeds.rows();
    assert_eq!(rows.len(), 9, "{rows:?}");
    assert_eq!(
        rows[4],
        FeedRow::Folder {
            name: "Recovery".to_string(),
            unread: 3,
            folded: false
        },
        "the nested folder's unread counts too"
    );
    assert!(
        matches!(&rows[6], FeedRow::Folder { name, unread: 1, .. } if name == "Recovery/Journals")
    );
    assert_eq!(
        rows[8],
        FeedRow::Feed {
            index: 2,
            nested: false
        },
        "loose feeds come last"
    );
    select_folder_row_and_fold_it(&mut app, &mut fake, "Recovery");
}

/// Selects the folder `name` (Feeds row 4, under the Cited papers row, over the first two
/// feeds) and checks what it covers: its feeds' months (not Broken Feed's 2014-10) and both
/// feeds' February entries; Space closes it with every folder inside it, keeping the cursor on
/// it, and opens it again.
fn select_folder_row_and_fold_it(app: &mut App, fake: &mut Fake, name: &str) {
    fake.press(app, "Tab");
    fake.press(app, "g");
    for _ in 0..4 {
        fake.press(app, "j");
    }
    assert_eq!(app.feeds.scope(), Scope::Folder(name.to_string()));
    assert_eq!(app.archive.filter.folder.as_deref(), Some(name));
    let months: Vec<&str> = app
        .archive
        .months
        .iter()
        .map(|m| m.month.as_str())
        .collect();
    assert_eq!(months, ["2015-02", "2015-01", "2014-12", "2013-06"]);
    assert_eq!(app.entries.rows.len(), 2, "both feeds' February entries");
    let open = app.feeds.row_count();
    fake.press(app, "Space");
    // All feeds, Unread, Starred, Cited papers, the closed folder, Broken Feed.
    assert_eq!(
        app.feeds.row_count(),
        6,
        "{name} and the folders in it closed"
    );
    assert_eq!(app.feeds.scope(), Scope::Folder(name.to_string()));
    fake.press(app, "Space");
    assert_eq!(app.feeds.row_count(), open);
}

/// `e` on the selected folder `old`, its name cleared and `new` typed: checks the prompt and the
/// effect, and returns every feed's folder afterwards.
fn rename_selected_folder(
    app: &mut App,
    fake: &mut Fake,
    old: &str,
    new: &str,
) -> Vec<Option<String>> {
    fake.take_log();
    fake.press(app, "e");
    assert!(
        matches!(&app.overlay, Some(Overlay::Prompt { kind: PromptKind::RenameFolder(o), input })
            if o == old && input == old),
        "the prompt starts from the folder's name: {:?}",
        app.overlay
    );
    for _ in 0..old.chars().count() {
        fake.press(app, "Backspace");
    }
    fake.type_text(app, new);
    fake.press(app, "Enter");
    assert!(matches!(
        fake.take_log().first(),
        Some(Effect::RenameFolder { old: o, new: n }) if o == old && n == new
    ));
    fake.feeds.iter().map(|f| f.folder.clone()).collect()
}

#[test]
fn a_parent_folder_without_feeds_of_its_own_is_a_row_that_folds_scopes_and_renames() {
    let mut with_parent = Fake::new();
    with_parent.feeds[0].folder = Some("Science/Psychology".to_string());
    with_parent.feeds[1].folder = Some("Science/Physics".to_string());
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, with_parent);
    let rows = app.feeds.rows();
    assert_eq!(rows.len(), 10, "{rows:?}");
    assert_eq!(
        rows[4],
        FeedRow::Folder {
            name: "Science".to_string(),
            unread: 3,
            folded: false
        },
        "the unread of the folders inside it"
    );
    assert!(screen(&app).contains("▾ Science  "), "{}", screen(&app));
    select_folder_row_and_fold_it(&mut app, &mut fake, "Science");
    let folders = rename_selected_folder(&mut app, &mut fake, "Science", "Research");
    let folders: Vec<Option<&str>> = folders.iter().map(Option::as_deref).collect();
    assert_eq!(
        folders,
        [Some("Research/Psychology"), Some("Research/Physics"), None]
    );
    assert_eq!(app.feeds.scope(), Scope::Folder("Research".to_string()));
    // The move-to-folder prompt completes to the parent too.
    assert_eq!(app.feeds.folder_completion("res"), Some("Research"));
}

#[test]
fn f_moves_the_selected_feed_to_a_folder_with_completion_and_e_renames_it() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "G");
    assert_eq!(app.feeds.selected_feed().map(|f| f.id), Some(3));
    fake.press(&mut app, "f");
    fake.type_text(&mut app, "rec");
    assert!(screen(&app).contains("rec▏overy"), "{}", screen(&app));
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "Enter");
    assert_eq!(fake.feeds[2].folder.as_deref(), Some("Recovery"));
    // The cursor stays on the moved feed, now under its folder.
    assert_eq!(app.feeds.selected_feed().map(|f| f.id), Some(3));
    fake.press(&mut app, "f");
    fake.type_text(&mut app, "-");
    fake.press(&mut app, "Enter");
    assert_eq!(fake.feeds[2].folder, None, "- is no folder");
    fake.press(&mut app, "e");
    fake.type_text(&mut app, "Mine");
    fake.press(&mut app, "Enter");
    assert_eq!(fake.feeds[2].title, "Mine");
    assert!(screen(&app).contains("Mine"));
    // On All feeds there is no feed to move.
    fake.press(&mut app, "g");
    fake.press(&mut app, "f");
    assert!(app.overlay.is_none());
}

/// The Feeds pane with Connected Recovery (feed 1, in `Recovery`) selected.
fn select_connected_recovery(app: &mut App, fake: &mut Fake) {
    fake.press(app, "Tab");
    fake.press(app, "g");
    for _ in 0..5 {
        fake.press(app, "j");
    }
    assert_eq!(app.feeds.selected_feed().map(|f| f.id), Some(1));
}

#[test]
fn d_asks_before_removing_a_feed_and_only_y_removes_it() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    select_connected_recovery(&mut app, &mut fake);
    fake.take_log();
    fake.press(&mut app, "D");
    let question = "Remove Connected Recovery and its 5 entries? 1 starred entry goes with it. y/n";
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question: q, .. }) if q == question),
        "{:?}",
        app.overlay
    );
    assert!(screen(&app).contains(question), "{}", screen(&app));
    // n and Esc keep the feed, and so does a key that is no answer.
    for key in ["n", "Esc"] {
        fake.press(&mut app, "j");
        assert!(app.overlay.is_some(), "j is no answer");
        fake.press(&mut app, "Enter");
        assert!(app.overlay.is_some(), "Enter is no answer");
        fake.press(&mut app, key);
        assert!(app.overlay.is_none(), "{key} closes the question");
        assert!(fake.feeds.iter().any(|f| f.id == 1), "{key} removed it");
        assert_eq!(app.feeds.selected_feed().map(|f| f.id), Some(1));
        fake.press(&mut app, "D");
    }
    assert!(!fake
        .take_log()
        .iter()
        .any(|e| matches!(e, Effect::RemoveFeed(_))));
    fake.press(&mut app, "y");
    assert!(matches!(
        fake.take_log().first(),
        Some(Effect::RemoveFeed(1))
    ));
    assert!(fake.feeds.iter().all(|f| f.id != 1));
    assert!(app.feeds.feeds.iter().all(|f| f.id != 1));
    // The cursor leaves the gone feed, and the archive follows it.
    assert_eq!(app.archive.filter, app.feeds.filter());
    let shown = screen(&app);
    let panes: Vec<&str> = shown.lines().filter(|l| !l.contains("removing")).collect();
    assert!(!panes.join("\n").contains("Connected Recovery"), "{shown}");
}

#[test]
fn removing_a_feed_closes_its_open_entry_and_only_its() {
    for (feed, closed) in [(1, true), (2, false)] {
        let (mut app, mut fake) = start_on(120, 40, Keymap::default(), false, fake_with_folders());
        select_connected_recovery(&mut app, &mut fake);
        fake.press(&mut app, "Enter");
        fake.press(&mut app, "Enter");
        assert_eq!(app.reader.as_ref().map(|r| r.entry.feed_id), Some(1));
        let title = app
            .reader
            .as_ref()
            .map(|r| r.entry.title.clone())
            .unwrap_or_default();
        fake.press(&mut app, "Shift-Tab");
        fake.press(&mut app, "Shift-Tab");
        assert_eq!(app.focus, Pane::Feeds);
        fake.press(&mut app, "g");
        for _ in 0..app.feeds.row_count() {
            if app.feeds.selected_feed().map(|f| f.id) == Some(feed) {
                break;
            }
            fake.press(&mut app, "j");
        }
        assert_eq!(app.feeds.selected_feed().map(|f| f.id), Some(feed));
        fake.press(&mut app, "D");
        fake.press(&mut app, "y");
        assert!(fake.feeds.iter().all(|f| f.id != feed));
        assert_eq!(app.reader.is_none(), closed, "removed feed {feed}");
        let shown = screen(&app);
        assert_eq!(shown.contains(&format!("## {title}")), !closed, "{shown}");
    }
}

#[test]
fn d_on_a_feed_without_stars_says_nothing_of_stars_and_d_elsewhere_asks_nothing() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "G");
    fake.press(&mut app, "D");
    assert!(
        matches!(&app.overlay, Some(Overlay::Confirm { question, .. })
            if question == "Remove Broken Feed and its 1 entry? y/n"),
        "{:?}",
        app.overlay
    );
    fake.press(&mut app, "Esc");
    fake.press(&mut app, "g");
    fake.press(&mut app, "D");
    assert!(app.overlay.is_none(), "All feeds is no feed to remove");
}

#[test]
fn e_on_a_folder_renames_it_and_its_nested_folders_with_the_cursor_on_it() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "g");
    for _ in 0..4 {
        fake.press(&mut app, "j");
    }
    assert_eq!(app.feeds.scope(), Scope::Folder("Recovery".to_string()));
    let folders = rename_selected_folder(&mut app, &mut fake, "Recovery", "Reading");
    let folders: Vec<Option<&str>> = folders.iter().map(Option::as_deref).collect();
    assert_eq!(folders, [Some("Reading"), Some("Reading/Journals"), None]);
    assert_eq!(app.feeds.scope(), Scope::Folder("Reading".to_string()));
    assert_eq!(app.archive.filter, app.feeds.filter());
    assert_eq!(
        app.entries.rows.len(),
        2,
        "the renamed folder's February entries"
    );
    // Esc keeps the name; the same name changes nothing.
    fake.press(&mut app, "e");
    fake.press(&mut app, "Esc");
    fake.press(&mut app, "e");
    fake.press(&mut app, "Enter");
    assert!(fake.take_log().is_empty());
}

#[test]
fn the_starred_row_counts_starred_entries_and_follows_s() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    assert_eq!(app.feeds.starred, 1);
    let starred_row = |app: &App| {
        screen(app)
            .lines()
            .find(|l| l.contains("★ Starred"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    assert!(
        starred_row(&app).contains("★ Starred            1│"),
        "{}",
        starred_row(&app)
    );
    fake.press(&mut app, "s");
    assert_eq!(app.feeds.starred, 2);
    assert!(
        starred_row(&app).contains("★ Starred            2│"),
        "{}",
        starred_row(&app)
    );
    fake.dispatch(&mut app, Action::CacheChanged);
    assert_eq!(app.feeds.starred, 2, "the cache agrees");
}

#[test]
fn snapshot_the_remove_question() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    select_connected_recovery(&mut app, &mut fake);
    fake.press(&mut app, "D");
    snap("feeds_remove_question_80x24", &app);
}

#[test]
fn the_starred_row_lists_starred_entries_with_their_own_archive() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_folders());
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "g");
    fake.press(&mut app, "j");
    fake.press(&mut app, "j");
    assert_eq!(app.feeds.scope(), Scope::Starred);
    let months: Vec<&str> = app
        .archive
        .months
        .iter()
        .map(|m| m.month.as_str())
        .collect();
    assert_eq!(months, ["2014-12"]);
    let ids: Vec<i64> = app.entries.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, [4]);
    assert!(screen(&app).contains("Holiday reading list"));
}

#[test]
fn snapshot_folders_and_the_starred_row() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = start_on(w, h, Keymap::default(), false, fake_with_folders());
        fake.press(&mut app, "Tab");
        fake.press(&mut app, "g");
        for _ in 0..4 {
            fake.press(&mut app, "j");
        }
        snap(&format!("feeds_folders_{w}x{h}"), &app);
    }
}

#[test]
fn snapshot_a_starred_entry() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, "s");
        snap(&format!("entries_starred_{w}x{h}"), &app);
    }
}

#[test]
fn refresh_runs_in_the_background_and_reports() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "R");
    assert!(matches!(fake.take_log().as_slice(), [Effect::Refresh(f)] if f.is_empty()));
    fake.press(&mut app, "R");
    assert!(fake.take_log().is_empty(), "one refresh at a time");
    fake.dispatch(&mut app, Action::RefreshStarted { total: 40 });
    fake.dispatch(
        &mut app,
        Action::RefreshProgress {
            done: 12,
            total: 40,
            failed: Some(("Broken Feed".into(), "HTTP 404".into())),
            new: 0,
        },
    );
    assert!(screen(&app).contains("refreshing 12/40"));
    assert!(screen(&app).contains("Broken Feed: HTTP 404"));
    fake.dispatch(
        &mut app,
        Action::RefreshDone {
            new: 3,
            failed: 1,
            sync_error: None,
        },
    );
    assert!(app.status.refresh.is_none());
    let m = app.status.message.clone().expect("summary");
    assert!(m.error && m.text.contains("3 new entries"), "{m:?}");
    // r refreshes the selected feed.
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "G");
    fake.take_log();
    fake.press(&mut app, "r");
    assert!(matches!(fake.take_log().as_slice(), [Effect::Refresh(f)] if f == &[3]));
}

#[test]
fn a_failed_sync_is_the_last_word_of_the_refresh() {
    let (mut app, mut fake) = start(120, 40);
    fake.press(&mut app, "R");
    fake.dispatch(
        &mut app,
        Action::Error("sync failed: connection refused (reading from the cache)".into()),
    );
    fake.dispatch(&mut app, Action::RefreshStarted { total: 0 });
    // The local feeds' summary comes last; it must not hide that the account was not synced.
    fake.dispatch(
        &mut app,
        Action::RefreshDone {
            new: 0,
            failed: 0,
            sync_error: Some("connection refused".into()),
        },
    );
    let m = app.status.message.clone().expect("summary");
    assert!(m.error, "{m:?}");
    assert!(
        m.text
            .starts_with("sync failed: connection refused (reading from the cache); refreshed"),
        "{m:?}"
    );
    assert!(screen(&app).contains("sync failed: connection refused"));
}

#[test]
fn snapshot_account_feeds() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut fake = Fake::new();
        fake.feeds[0].remote_id = Some("feed/1".to_string());
        fake.feeds[1].remote_id = Some("feed/2".to_string());
        fake.feeds[1].folder = Some("Papers".to_string());
        let (mut app, mut fake) = start_on(w, h, Keymap::default(), false, fake);
        fake.press(&mut app, "Tab");
        // From the bottom: at 80x24 the last feed is below the first screen of rows.
        fake.press(&mut app, "G");
        let screen = screen(&app);
        // Account feeds carry ⇅, in or out of a folder; the local (failing) feed its own mark.
        assert!(screen.contains("│⇅ Connected"), "{screen}");
        assert!(screen.contains("│  ⇅ Journal"), "{screen}");
        assert!(screen.contains("│! Broken"), "{screen}");
        snap(&format!("feeds_account_{w}x{h}"), &app);
    }
}

#[test]
fn demo_never_refreshes_or_adds() {
    let (mut app, mut fake) = start_with(80, 24, Keymap::default(), true);
    fake.press(&mut app, "R");
    fake.dispatch(&mut app, Action::AutoRefresh);
    fake.press(&mut app, "a");
    fake.type_text(&mut app, "https://example.org/feed");
    fake.press(&mut app, "Enter");
    assert!(fake
        .take_log()
        .iter()
        .all(|e| !matches!(e, Effect::Refresh(_) | Effect::AddFeed(_))));
}

#[test]
fn add_feed_prompt_emits_an_add() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "a");
    fake.type_text(&mut app, "https://example.org/feed\u{1b}[31m");
    fake.press(&mut app, "Enter");
    let log = fake.take_log();
    assert!(
        matches!(log.as_slice(), [Effect::AddFeed(u)] if u == "https://example.org/feed[31m"),
        "{log:?}"
    );
    assert!(app.status.adding);
}

#[test]
fn mouse_click_selects_and_wheel_scrolls_the_pane_under_the_pointer() {
    let (mut app, mut fake) = start(80, 24);
    let a = super::layout::areas(80, 24, false);
    let entries = a.entries.expect("entries pane");
    fake.dispatch(
        &mut app,
        Action::Mouse(MouseAction::Click {
            column: entries.x + 5,
            row: entries.y + 2,
        }),
    );
    assert_eq!(app.entries.selected, 1);
    let feeds = a.feeds.expect("feeds pane");
    fake.dispatch(
        &mut app,
        Action::Mouse(MouseAction::Click {
            column: feeds.x + 3,
            row: feeds.y + 4,
        }),
    );
    assert_eq!(app.focus, Pane::Feeds);
    assert_eq!(app.feeds.selected, 3);
    // The wheel over the archive moves the archive, not the focused pane.
    let archive = a.archive.expect("archive pane");
    let before = app.archive.selected;
    fake.dispatch(
        &mut app,
        Action::Mouse(MouseAction::ScrollDown {
            column: archive.x + 2,
            row: archive.y + 2,
        }),
    );
    assert_eq!(app.focus, Pane::Feeds);
    assert!(app.archive.selected > before);
}

#[test]
fn welcome_screen_on_an_empty_cache() {
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), false);
    let mut fake = Fake::new();
    fake.feeds.clear();
    fake.entries.clear();
    fake.dispatch(&mut app, Action::CacheChanged);
    assert!(app.welcome());
    fake.take_log();
    fake.press(&mut app, "d");
    assert!(matches!(fake.take_log().as_slice(), [Effect::LoadDemo]));
    fake.press(&mut app, "s");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::ImportResearchList]
    ));
    fake.press(&mut app, "i");
    fake.type_text(&mut app, "/tmp/subs.opml");
    fake.press(&mut app, "Enter");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::ImportOpmlFile(p)] if p == "/tmp/subs.opml")
    );
    fake.press(&mut app, "j");
    assert!(fake.take_log().is_empty());
    fake.press(&mut app, "q");
    assert!(fake.quit);
}

#[test]
fn resize_rewraps_the_reader() {
    let (mut app, mut fake) = start(120, 40);
    fake.press(&mut app, "[");
    fake.press(&mut app, "Enter");
    let wide = app.reader.as_ref().expect("reader").lines.len();
    fake.dispatch(&mut app, Action::Resize(40, 20));
    let r = app.reader.as_ref().expect("reader");
    assert_eq!(r.width, super::layout::reader_text_width(40, 20));
    assert!(r.lines.len() > wide);
}

#[test]
fn unread_rows_are_bold() {
    let (app, _) = start(80, 24);
    let buf = buffer(&app);
    let a = super::layout::areas(80, 24, false);
    let e = a.entries.expect("entries");
    // Row 2 (the second entry) is unread and not selected.
    let cell = &buf[(e.x + 12, e.y + 2)];
    assert!(cell.modifier.contains(Modifier::BOLD));
}

#[test]
fn no_color_gives_a_monochrome_theme() {
    assert!(Theme::choose("default", Some("1")).mono);
    assert!(Theme::choose("mono", None).mono);
    assert!(!Theme::choose("default", Some("")).mono);
    let mut app = App::new(Keymap::default(), Theme { mono: true }, (80, 24), false);
    let mut fake = Fake::new();
    fake.dispatch(&mut app, Action::CacheChanged);
    fake.press(&mut app, "Enter");
    let buf = buffer(&app);
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
}

// ---- hostile input -----------------------------------------------------------------------------

#[test]
fn hostile_text_never_reaches_a_cell() {
    let nasty = "Evil\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt\u{2066}\u{200b}\r\nTitle";
    let mut fake = Fake::new();
    fake.feeds[0].title = format!("Feed {nasty}");
    fake.feeds[0].last_error = Some(format!("error {nasty}"));
    for e in &mut fake.entries {
        e.title = format!("Post {nasty}");
        e.feed_title = format!("Feed {nasty}");
        e.authors = vec![format!("Author {nasty}")];
        e.content_html = Some(format!(
            "<h1>{nasty}</h1><p>{nasty} <a href=\"https://x.org/{nasty}\">{nasty}</a></p>"
        ));
        e.dois[..]
            .iter_mut()
            .for_each(|d| d.doi = format!("10.1/{nasty}"));
        e.link = Some(format!("https://x.org/\u{1b}[31m{nasty}"));
    }
    // Citation lines from the resolver are untrusted too: a found one and a failure reason.
    let mut hostile = citation("10.1/x");
    hostile.title = Some(nasty.to_string());
    hostile.authors = vec![nasty.to_string()];
    let dois: Vec<String> = fake
        .entries
        .iter()
        .flat_map(|e| e.dois.iter().map(|d| d.doi.to_lowercase()))
        .collect();
    for (i, d) in dois.into_iter().enumerate() {
        let state = if i % 2 == 0 {
            CitationState::Found {
                citation: hostile.clone(),
            }
        } else {
            CitationState::Failed {
                reason: format!("reason {nasty}"),
            }
        };
        fake.citations.insert(d, state);
    }
    for (w, h) in [(80, 24), (120, 40), (60, 20)] {
        let mut app = App::new(Keymap::default(), Theme::default(), (w, h), false);
        fake.dispatch(&mut app, Action::CacheChanged);
        fake.dispatch(&mut app, Action::Error(format!("boom {nasty}")));
        let mut screens = vec![buffer(&app)];
        fake.press(&mut app, "Tab");
        screens.push(buffer(&app));
        fake.press(&mut app, "Enter");
        fake.press(&mut app, "Enter");
        screens.push(buffer(&app));
        fake.press(&mut app, "L");
        screens.push(buffer(&app));
        fake.dispatch(
            &mut app,
            Action::BibtexReady {
                doi: format!("10.1/{nasty}"),
                then: BibUse::Copy,
                result: Err(format!("boom {nasty}")),
            },
        );
        screens.push(buffer(&app));
        for buf in screens {
            for cell in buf.content() {
                assert!(
                    !cell.symbol().chars().any(crate::text::scrub::is_forbidden),
                    "control character in cell {:?} at {w}x{h}",
                    cell.symbol()
                );
            }
        }
    }
}

// ---- snapshots ------------------------------------------------------------------------------

fn snap(name: &str, app: &App) {
    insta::assert_snapshot!(name, screen(app));
}

#[test]
fn snapshot_main_screen() {
    for (w, h) in [(80, 24), (120, 40), (60, 20)] {
        let (app, _) = start(w, h);
        snap(&format!("main_{w}x{h}"), &app);
    }
}

#[test]
fn snapshot_panes_focused() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "G");
    snap("feeds_focused_failing_feed_80x24", &app);
    let (mut app, mut fake) = start(120, 40);
    fake.press(&mut app, "h");
    fake.press(&mut app, "G");
    snap("archive_focused_120x40", &app);
    fake.press(&mut app, "g");
    fake.press(&mut app, "Space");
    snap("archive_folded_120x40", &app);
}

#[test]
fn snapshot_reader() {
    for (w, h) in [(80, 24), (120, 40), (60, 20)] {
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, "Enter");
        snap(&format!("reader_{w}x{h}"), &app);
    }
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "[");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "Space");
    snap("reader_scrolled_80x24", &app);
}

#[test]
fn snapshot_overlays() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, "?");
        snap(&format!("help_{w}x{h}"), &app);
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, "Enter");
        fake.press(&mut app, "L");
        fake.press(&mut app, "j");
        snap(&format!("links_{w}x{h}"), &app);
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, "/");
        fake.type_text(&mut app, "peer support");
        snap(&format!("prompt_search_{w}x{h}"), &app);
        let (mut app, mut fake) = start(w, h);
        fake.press(&mut app, ":");
        snap(&format!("prompt_month_{w}x{h}"), &app);
    }
}

#[test]
fn snapshot_search_results_and_status() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "/");
    fake.type_text(&mut app, "recovery");
    fake.press(&mut app, "Enter");
    fake.dispatch(&mut app, Action::RefreshStarted { total: 40 });
    fake.dispatch(
        &mut app,
        Action::RefreshProgress {
            done: 12,
            total: 40,
            failed: None,
            new: 0,
        },
    );
    snap("search_results_refreshing_80x24", &app);
    fake.dispatch(
        &mut app,
        Action::Error("Broken Feed: HTTP 404 Not Found".into()),
    );
    snap("status_error_80x24", &app);
}

#[test]
fn snapshot_welcome() {
    for (w, h) in [(80, 24), (120, 40), (60, 20)] {
        let mut app = App::new(Keymap::default(), Theme::default(), (w, h), false);
        let mut fake = Fake::new();
        fake.feeds.clear();
        fake.entries.clear();
        fake.dispatch(&mut app, Action::CacheChanged);
        snap(&format!("welcome_{w}x{h}"), &app);
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    for (w, h) in [(1, 1), (10, 3), (30, 8), (59, 12)] {
        let (mut app, mut fake) = start(w, h);
        screen(&app);
        for k in [
            "Tab", "j", "Enter", "Tab", "l", "Enter", "Enter", "Ctrl-d", "L", "j",
        ] {
            fake.press(&mut app, k);
            screen(&app);
        }
        fake.press(&mut app, "Esc");
        fake.press(&mut app, "?");
        fake.press(&mut app, "G");
        screen(&app);
        fake.press(&mut app, "Esc");
        fake.press(&mut app, "/");
        fake.type_text(&mut app, "a long search that does not fit");
        screen(&app);
        fake.dispatch(&mut app, Action::Resize(3, 2));
        screen(&app);
    }
}

// ---- backfill (H) ---------------------------------------------------------------------------

fn report(feed_id: i64, added: usize, complete: bool, error: Option<&str>) -> BackfillReport {
    BackfillReport {
        feed_id,
        url: format!("https://example.org/{feed_id}/feed"),
        strategy: None,
        pages: 3,
        added,
        oldest_month: Some("2011-05".to_string()),
        complete,
        error: error.map(str::to_string),
        reason: None,
    }
}

/// Selects feed `n` (0-based among the subscriptions) in the Feeds pane.
/// Selects feed `n` (no folders): past All feeds, Unread and Starred.
fn select_feed(fake: &mut Fake, app: &mut App, n: usize) {
    fake.press(app, "Tab");
    assert_eq!(app.focus, Pane::Feeds);
    fake.press(app, "g");
    for _ in 0..n + 4 {
        fake.press(app, "j");
    }
}

#[test]
fn backfill_key_backfills_the_selected_feed_in_the_background() {
    let (mut app, mut fake) = start(80, 24);
    // On All feeds: every feed.
    fake.press(&mut app, "H");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::Backfill(None)]
    ));
    assert!(app.status.backfill.is_some());
    fake.press(&mut app, "H");
    assert!(fake.take_log().is_empty(), "one backfill at a time");
    assert!(app
        .status
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("already running")));
    fake.dispatch(&mut app, Action::BackfillDone { error: None });
    assert!(app.status.backfill.is_none());
    // On a feed: that feed.
    select_feed(&mut fake, &mut app, 0);
    fake.take_log();
    fake.press(&mut app, "H");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::Backfill(Some(1))]
    ));
    assert!(screen(&app).contains("backfill: starting"));
}

#[test]
fn backfill_pages_grow_the_archive_and_the_summary_reports_it() {
    let (mut app, mut fake) = start(80, 24);
    select_feed(&mut fake, &mut app, 0);
    fake.press(&mut app, "H");
    fake.take_log();
    let months_before = app.archive.months.len();
    fake.dispatch(
        &mut app,
        Action::BackfillStarted {
            feed: 1,
            total_feeds: 1,
        },
    );
    // The worker stored a page of older posts, then reports it.
    let blog = fake.feeds[0].clone();
    fake.entries
        .push(entry(20, &blog, at(2011, 5, 3), "An older post", true, &[]));
    fake.entries
        .push(entry(21, &blog, at(2011, 5, 9), "Another one", true, &[]));
    fake.dispatch(
        &mut app,
        Action::BackfillPage {
            feed: 1,
            page: 4,
            added: 2,
        },
    );
    let log = fake.take_log();
    assert!(
        log.iter()
            .any(|e| matches!(e, Effect::LoadMonths { filter } if filter.feed == Some(1))),
        "{log:?}"
    );
    assert_eq!(app.archive.months.len(), months_before + 1);
    assert!(app.archive.month_index("2011-05").is_some());
    assert!(
        screen(&app).contains("backfill: page 4, 2 new"),
        "{}",
        screen(&app)
    );
    // A page that added nothing re-reads nothing.
    fake.dispatch(
        &mut app,
        Action::BackfillPage {
            feed: 1,
            page: 5,
            added: 0,
        },
    );
    assert!(fake.take_log().is_empty());
    assert!(screen(&app).contains("backfill: page 5, 2 new"));
    fake.complete.insert(1);
    fake.dispatch(
        &mut app,
        Action::BackfillFeedDone(Box::new(report(1, 2, true, None))),
    );
    fake.dispatch(&mut app, Action::BackfillDone { error: None });
    assert!(app.status.backfill.is_none());
    let m = app.status.message.clone().expect("summary");
    assert!(!m.error, "{m:?}");
    assert!(
        m.text.contains("Connected Recovery")
            && m.text.contains("2 new entries")
            && m.text.contains("back to 2011-05")
            && m.text.contains("history complete"),
        "{m:?}"
    );
    assert!(app.feeds.complete.contains(&1));
    assert!(
        screen(&app).contains("✓ Connected Recovery"),
        "{}",
        screen(&app)
    );
}

#[test]
fn backfill_failures_reach_the_status_line() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, "H");
    fake.dispatch(
        &mut app,
        Action::BackfillStarted {
            feed: 1,
            total_feeds: 3,
        },
    );
    assert!(screen(&app).contains("backfill 1/3: starting"));
    fake.dispatch(
        &mut app,
        Action::BackfillFeedDone(Box::new(report(1, 5, true, None))),
    );
    fake.dispatch(
        &mut app,
        Action::BackfillFeedDone(Box::new(report(
            3,
            0,
            false,
            Some("page 3 (https://example.org/3/feed?paged=3): HTTP 500; retry later"),
        ))),
    );
    let m = app.status.message.clone().expect("error");
    assert!(
        m.error && m.text.starts_with("backfill of Broken Feed: page 3"),
        "{m:?}"
    );
    fake.dispatch(
        &mut app,
        Action::BackfillFeedDone(Box::new(report(2, 0, false, None))),
    );
    fake.dispatch(&mut app, Action::BackfillDone { error: None });
    let m = app.status.message.clone().expect("summary");
    assert!(m.error, "{m:?}");
    assert!(
        m.text
            .contains("5 new entries in 3 feeds, 1 complete; 1 failed (Broken Feed: page 3"),
        "{m:?}"
    );
    // A run that could not start at all.
    fake.press(&mut app, "H");
    fake.dispatch(
        &mut app,
        Action::BackfillDone {
            error: Some("cannot open the cache".into()),
        },
    );
    let m = app.status.message.clone().expect("error");
    assert!(
        m.error && m.text == "backfill failed: cannot open the cache",
        "{m:?}"
    );
}

#[test]
fn complete_feed_shows_its_empty_months_and_month_keys_skip_them() {
    let mut fake = Fake::new();
    let blog = fake.feeds[0].clone();
    // A post in 2011: 2012 is a whole year without posts.
    fake.entries
        .push(entry(20, &blog, at(2011, 5, 3), "An older post", true, &[]));
    fake.complete.insert(1);
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake);
    // All feeds: only months with entries.
    assert!(app.archive.month_index("2014-11").is_none());
    select_feed(&mut fake, &mut app, 0);
    let months: Vec<&str> = app
        .archive
        .months
        .iter()
        .map(|m| m.month.as_str())
        .collect();
    assert_eq!(months.len(), 46, "2015-02 back to 2011-05, every month");
    assert_eq!(months.first(), Some(&"2015-02"));
    assert_eq!(months.last(), Some(&"2011-05"));
    let nov = app
        .archive
        .month_index("2014-11")
        .expect("empty month shown");
    assert_eq!(app.archive.months[nov].count, 0);
    // `[` and `{` skip the empty months and the empty year.
    fake.press(&mut app, "l");
    fake.press(&mut app, "[");
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2013-06"));
    fake.press(&mut app, "{");
    assert_eq!(app.entries.source.month(), Some("2011-05"));
    fake.press(&mut app, "}");
    assert_eq!(app.entries.source.month(), Some("2013-06"));
    // `:` to a year goes to its newest month with entries; an empty month can be shown.
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014");
    fake.press(&mut app, "Enter");
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-11");
    fake.press(&mut app, "Enter");
    assert_eq!(app.entries.source.month(), Some("2014-11"));
    assert!(screen(&app).contains("no posts this month"));
    // The Archive says why the empty months are there.
    assert!(screen(&app).contains("Archive · complete"));
}

#[test]
fn fill_empty_months_fills_gaps_across_years_and_leaves_odd_data_alone() {
    use super::state::fill_empty_months;
    let m = |month: &str, count: i64| MonthCount {
        month: month.to_string(),
        count,
        unread: 0,
        papers: 0,
    };
    let filled = fill_empty_months(vec![m("2015-02", 1), m("2014-11", 2)]);
    let names: Vec<(&str, i64)> = filled.iter().map(|x| (x.month.as_str(), x.count)).collect();
    assert_eq!(
        names,
        [
            ("2015-02", 1),
            ("2015-01", 0),
            ("2014-12", 0),
            ("2014-11", 2)
        ]
    );
    assert!(fill_empty_months(Vec::new()).is_empty());
    let odd = vec![m("2015-02", 1), m("unknown", 1)];
    assert_eq!(fill_empty_months(odd.clone()), odd);
    let huge = vec![m("9999-12", 1), m("1000-01", 1)];
    assert_eq!(fill_empty_months(huge.clone()), huge, "no 100,000 rows");
}

// ---- DOIs in the reader ------------------------------------------------------------------------

fn citation(doi: &str) -> Citation {
    Citation {
        doi: doi.to_string(),
        authors: vec![
            "Webber M".into(),
            "Reidy H".into(),
            "Ansari D".into(),
            "Stevens M".into(),
        ],
        year: Some(2014),
        title: Some(
            "Enhancing social networks: a qualitative study of health and social care practice \
             in UK mental health services"
                .into(),
        ),
        container: Some("Health & Social Care in the Community".into()),
        volume: Some("24".into()),
        issue: Some("1".into()),
        pages: Some("152-161".into()),
        kind: Some("article-journal".into()),
        extra: Default::default(),
    }
}

/// The reader on "Holiday reading list" (DOIs 10.1000/a and 10.1000/b), a's citation cached.
fn reading_holiday_list(w: u16, h: u16, demo: bool) -> (App, Fake) {
    let mut fake = Fake::new();
    fake.citations.insert(
        "10.1000/a".into(),
        CitationState::Found {
            citation: citation("10.1000/a"),
        },
    );
    let (mut app, mut fake) = start_on(w, h, Keymap::default(), demo, fake);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "Enter");
    assert_eq!(app.reader.as_ref().map(|r| r.entry.id), Some(4));
    (app, fake)
}

/// The reader's text as one line (wrapping undone), to look for phrases in.
fn reader_text(app: &App) -> String {
    let text: String = app
        .reader
        .as_ref()
        .map(|r| r.lines.iter().map(|l| l.plain() + "\n").collect())
        .unwrap_or_default();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn dois_come_first_with_cached_citations_and_the_rest_resolve_in_the_background() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    let log = fake.take_log();
    assert!(
        log.iter()
            .any(|e| matches!(e, Effect::LoadCitations { entry: 4, dois } if dois.len() == 2)),
        "{log:?}"
    );
    // Only the DOI without a cached answer goes to the network worker.
    assert!(
        log.iter().any(
            |e| matches!(e, Effect::ResolveCitations { entry: 4, dois } if dois == &["10.1000/b"])
        ),
        "{log:?}"
    );
    let items = app.link_items();
    assert_eq!(items[0].label, "doi:10.1000/a");
    assert!(items[0].found);
    assert!(
        items[0].citation.as_deref().is_some_and(
            |c| c.starts_with("Webber, M., Reidy, H., Ansari, D., & Stevens, M. (2014).")
        )
    );
    assert_eq!(items[1].label, "doi:10.1000/b");
    assert_eq!(items[1].citation.as_deref(), Some("resolving…"));
    assert_eq!(items[2].label, "[1]", "links after the DOIs");
    assert!(reader_text(&app).contains("• doi:10.1000/b (resolving…)"));
    // An answer for an entry no longer open changes nothing.
    let mut other = citation("10.1000/b");
    other.title = Some("A second paper".into());
    fake.dispatch(
        &mut app,
        Action::CitationResolved {
            entry: 1,
            doi: "10.1000/b".into(),
            state: CitationState::Found {
                citation: other.clone(),
            },
        },
    );
    assert_eq!(app.link_items()[1].citation.as_deref(), Some("resolving…"));
    fake.dispatch(
        &mut app,
        Action::CitationResolved {
            entry: 4,
            doi: "10.1000/B".into(),
            state: CitationState::Found { citation: other },
        },
    );
    let items = app.link_items();
    assert!(
        items[1]
            .citation
            .as_deref()
            .is_some_and(|c| c.contains("A second paper")),
        "{items:?}"
    );
    let text = reader_text(&app);
    assert!(text.contains("A second paper"), "{text}");
    assert!(!text.contains("resolving"), "{text}");
}

#[test]
fn failed_look_ups_show_their_reason_and_the_demo_never_resolves() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.dispatch(
        &mut app,
        Action::CitationResolved {
            entry: 4,
            doi: "10.1000/b".into(),
            state: CitationState::Failed {
                reason: "cannot reach doi.org: connection refused".into(),
            },
        },
    );
    assert_eq!(
        app.link_items()[1].citation.as_deref(),
        Some("look-up failed: cannot reach doi.org: connection refused")
    );
    assert!(reader_text(&app)
        .contains("doi:10.1000/b (look-up failed: cannot reach doi.org: connection refused)"));
    // The worker could not start: whatever was still resolving fails with its reason.
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.dispatch(
        &mut app,
        Action::CitationsFailed {
            entry: 4,
            reason: "cannot open the cache".into(),
        },
    );
    assert_eq!(
        app.link_items()[1].citation.as_deref(),
        Some("look-up failed: cannot open the cache")
    );
    assert!(app.link_items()[0].found, "the cached one stays");
    // The demo has no network: no worker, and the row says why.
    let (app, mut fake) = reading_holiday_list(80, 24, true);
    assert!(fake
        .take_log()
        .iter()
        .all(|e| !matches!(e, Effect::ResolveCitations { .. })));
    assert_eq!(
        app.link_items()[1].citation.as_deref(),
        Some("not looked up (no network in the demo)")
    );
}

#[test]
fn link_list_copies_dois_and_bibtex_with_osc52() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.press(&mut app, "L");
    fake.take_log();
    fake.press(&mut app, "c");
    assert!(matches!(fake.take_log().as_slice(), [Effect::Clipboard(t)] if t == "10.1000/a"));
    let m = app.status.message.clone().expect("message");
    assert_eq!(
        m.text,
        "copied DOI to the clipboard (OSC 52: works over SSH if your terminal allows it)"
    );
    assert!(
        matches!(app.overlay, Some(Overlay::LinkList { .. })),
        "stays open"
    );
    // b: the BibTeX, fetched in the background, then copied.
    fake.press(&mut app, "j");
    fake.press(&mut app, "b");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::FetchBibtex { doi, then: BibUse::Copy }] if doi == "10.1000/b"
    ));
    let bib = "@article{Webber_2014,\n  doi = {10.1000/b}\n}";
    fake.dispatch(
        &mut app,
        Action::BibtexReady {
            doi: "10.1000/b".into(),
            then: BibUse::Copy,
            result: Ok(Some(bib.into())),
        },
    );
    assert!(matches!(fake.take_log().as_slice(), [Effect::Clipboard(t)] if t == bib));
    // Control characters in the resolver's BibTeX never reach the clipboard.
    fake.dispatch(
        &mut app,
        Action::BibtexReady {
            doi: "10.1000/b".into(),
            then: BibUse::Copy,
            result: Ok(Some("@article{x,\n title = {a\u{1b}[2Jb}\n}".into())),
        },
    );
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::Clipboard(t)] if t == "@article{x,\n title = {a[2Jb}\n}")
    );
    let m = app.status.message.clone().expect("message");
    assert!(
        m.text
            .starts_with("copied the BibTeX of doi:10.1000/b to the clipboard (OSC 52"),
        "{m:?}"
    );
    fake.dispatch(
        &mut app,
        Action::BibtexReady {
            doi: "10.1000/b".into(),
            then: BibUse::Copy,
            result: Ok(None),
        },
    );
    assert!(fake.take_log().is_empty());
    let m = app.status.message.clone().expect("message");
    assert!(
        m.error && m.text.contains("not known to the DOI resolver"),
        "{m:?}"
    );
    // c on a link row copies the link; b there explains itself.
    fake.press(&mut app, "G");
    fake.press(&mut app, "c");
    assert!(
        matches!(fake.take_log().as_slice(), [Effect::Clipboard(t)] if t == "https://doi.org/10.1000/demo.4")
    );
    assert!(app
        .status
        .message
        .as_ref()
        .is_some_and(|m| m.text.starts_with("copied link")));
    fake.press(&mut app, "b");
    assert!(fake.take_log().is_empty());
    // Outside the list the keys do nothing.
    fake.press(&mut app, "Esc");
    fake.press(&mut app, "c");
    fake.press(&mut app, "B");
    assert!(fake.take_log().is_empty());
}

#[test]
fn shift_b_appends_bibtex_to_the_configured_file() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.press(&mut app, "L");
    fake.take_log();
    // Unset: say how to set it.
    fake.press(&mut app, "B");
    assert!(fake.take_log().is_empty());
    let m = app.status.message.clone().expect("message");
    assert!(
        m.error && m.text.contains("set doi.bib_file in config.toml"),
        "{m:?}"
    );
    let path = std::path::PathBuf::from("/home/ada/papers.bib");
    app.bib_file = Some(path.clone());
    fake.press(&mut app, "B");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::FetchBibtex { doi, then: BibUse::Append(p) }] if doi == "10.1000/a" && *p == path
    ));
    fake.dispatch(
        &mut app,
        Action::BibtexReady {
            doi: "10.1000/a".into(),
            then: BibUse::Append(path.clone()),
            result: Ok(Some("@article{a}".into())),
        },
    );
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::AppendBibtex { path: p, doi, text }]
            if *p == path && doi == "10.1000/a" && text == "@article{a}"
    ));
    fake.dispatch(
        &mut app,
        Action::BibtexReady {
            doi: "10.1000/a".into(),
            then: BibUse::Append(path),
            result: Err("resolver returned HTTP 503".into()),
        },
    );
    let m = app.status.message.clone().expect("message");
    assert!(
        m.error && m.text == "no BibTeX for doi:10.1000/a: resolver returned HTTP 503",
        "{m:?}"
    );
}

#[test]
fn osc52_frames_base64_between_esc_and_bel_only() {
    use base64::Engine;
    assert_eq!(
        super::osc52("10.1000/xyz1"),
        "\u{1b}]52;c;MTAuMTAwMC94eXox\u{7}"
    );
    let hostile = "@article{x,\n title = {\u{1b}]52;c;evil\u{7}\u{9b}2J}\r\n}";
    let seq = super::osc52(hostile);
    let controls: Vec<(usize, char)> = seq.char_indices().filter(|(_, c)| c.is_control()).collect();
    assert_eq!(controls, [(0, '\u{1b}'), (seq.len() - 1, '\u{7}')]);
    let payload = seq
        .strip_prefix("\u{1b}]52;c;")
        .and_then(|s| s.strip_suffix('\u{7}'))
        .expect("framing");
    assert!(payload
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)));
    let back = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("base64");
    assert_eq!(back, hostile.as_bytes());
    let mut out = Vec::new();
    super::write_clipboard(&mut out, "10.1000/xyz1").expect("write");
    assert_eq!(out, b"\x1b]52;c;MTAuMTAwMC94eXox\x07");
}

#[test]
fn bibtex_is_appended_to_the_file_a_blank_line_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("papers.bib");
    super::append_bibtex(&path, "@article{a,\n  doi = {10.1000/a}\n}\n\n").expect("append");
    super::append_bibtex(&path, "@article{b,\n  doi = {10.1000/b}\n}").expect("append");
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        text,
        "@article{a,\n  doi = {10.1000/a}\n}\n\n@article{b,\n  doi = {10.1000/b}\n}\n"
    );
    let missing = dir.path().join("no/such/dir/papers.bib");
    assert!(super::append_bibtex(&missing, "@article{c}").is_err());
}

#[test]
fn bib_file_expands_a_leading_tilde() {
    use super::expand_home;
    use std::path::{Path, PathBuf};
    let home = Some(Path::new("/home/ada"));
    assert_eq!(
        expand_home("~/papers.bib", home),
        PathBuf::from("/home/ada/papers.bib")
    );
    assert_eq!(expand_home("~", home), PathBuf::from("/home/ada"));
    assert_eq!(
        expand_home("/srv/refs.bib", home),
        PathBuf::from("/srv/refs.bib")
    );
    assert_eq!(expand_home("~bob/x.bib", home), PathBuf::from("~bob/x.bib"));
    assert_eq!(
        expand_home("~/papers.bib", None),
        PathBuf::from("~/papers.bib")
    );
}

#[test]
fn help_lists_the_link_list_keys() {
    let (app, _) = start(80, 24);
    let help = super::view::help_text(&app);
    assert!(help.contains("Link list (L)"), "{help}");
    for k in [
        "copy the DOI",
        "BibTeX with OSC 52",
        "append the DOI's BibTeX",
    ] {
        assert!(help.contains(k), "{k}: {help}");
    }
}

// ---- the welcome screen's demo, and config warnings ---------------------------------------------

#[test]
fn welcome_demo_switches_to_a_temporary_demo_archive() {
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), false);
    let mut empty = Fake::new();
    let full = Fake::new();
    empty.feeds.clear();
    empty.entries.clear();
    empty.dispatch(&mut app, Action::CacheChanged);
    assert!(app.welcome());
    empty.take_log();
    empty.press(&mut app, "d");
    // Nothing is ingested here: the executor swaps in a temporary cache.
    assert!(matches!(empty.take_log().as_slice(), [Effect::LoadDemo]));
    let mut fake = full;
    fake.dispatch(&mut app, Action::DemoLoaded { entries: 7 });
    assert!(app.demo);
    assert!(!app.welcome());
    let m = app.status.message.clone().expect("message");
    assert!(
        m.text.contains("demo archive") && m.text.contains("quitting discards it"),
        "{m:?}"
    );
    fake.take_log();
    fake.press(&mut app, "R");
    fake.press(&mut app, "H");
    fake.dispatch(&mut app, Action::AutoRefresh);
    assert!(fake
        .take_log()
        .iter()
        .all(|e| !matches!(e, Effect::Refresh(_) | Effect::Backfill(_))));
}

#[test]
fn config_warnings_show_on_the_first_screen() {
    let mut keys = BTreeMap::new();
    keys.insert("no_such_command".to_string(), vec!["x".to_string()]);
    let keymap = Keymap::from_config(&keys);
    let mut app = App::new(keymap, Theme::default(), (120, 40), false);
    app.startup_warnings(&["config.toml: unknown key `ui.colour` (ignored)".to_string()]);
    let mut fake = Fake::new();
    fake.dispatch(&mut app, Action::CacheChanged);
    let m = app.status.message.clone().expect("warning");
    assert!(m.error);
    assert!(
        m.text
            .starts_with("config: config.toml: unknown key `ui.colour` (ignored); [keys]"),
        "{m:?}"
    );
    assert!(screen(&app).contains("unknown key `ui.colour`"));
    // No warnings: nothing shown.
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), false);
    app.startup_warnings(&[]);
    assert!(app.status.message.is_none());
}

// ---- snapshots of the new panes ----------------------------------------------------------------

#[test]
fn snapshot_links_with_dois_and_citations() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = reading_holiday_list(w, h, false);
        fake.press(&mut app, "L");
        snap(&format!("links_dois_{w}x{h}"), &app);
        // The second DOI resolves; the cursor on it.
        let mut c = citation("10.1000/b");
        c.authors = vec!["Lovelace A".into()];
        c.title = Some("Notes on the analytical engine".into());
        c.container = Some("Scientific Memoirs".into());
        c.volume = Some("3".into());
        c.issue = None;
        c.pages = Some("666-731".into());
        c.year = Some(1843);
        fake.dispatch(
            &mut app,
            Action::CitationResolved {
                entry: 4,
                doi: "10.1000/b".into(),
                state: CitationState::Found { citation: c },
            },
        );
        fake.press(&mut app, "j");
        snap(&format!("links_dois_resolved_{w}x{h}"), &app);
    }
    // The reader's text after the post: links, then papers with their citation lines.
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.press(&mut app, "G");
    snap("reader_papers_80x24", &app);
}

/// Where `needle` starts on the screen: (x, y) of its first cell.
fn find_on_screen(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    (0..area.height).find_map(|y| {
        let row: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        let at = row.find(needle)?;
        // Cells are one column each here (ASCII lines): the byte offset is the column.
        Some((u16::try_from(row[..at].chars().count()).ok()?, y))
    })
}

#[test]
fn the_link_list_shows_titles_in_italics_where_the_style_does() {
    use ratatui::style::Modifier;
    let (mut app, mut fake) = reading_holiday_list(120, 40, false);
    fake.press(&mut app, "L");
    let buf = buffer(&app);
    let italic = |needle: &str| {
        let (x, y) = find_on_screen(&buf, needle).unwrap_or_else(|| panic!("{needle} shown"));
        buf[(x, y)].modifier.contains(Modifier::ITALIC)
    };
    // APA: the journal in italics, the article's title upright.
    assert!(italic("Health &"), "{}", screen(&app));
    assert!(!italic("Enhancing social"));
    assert!(!italic("Webber, M."));
    // Vancouver sets nothing in italics.
    let vancouver = std::sync::Arc::new(
        crate::papers::styles::CitationStyle::bundled("vancouver").expect("bundled"),
    );
    app.style = Some(std::sync::Arc::clone(&vancouver));
    let reader = app.reader.take().expect("reading");
    app.reader = Some(reader.with_style(vancouver));
    let buf = buffer(&app);
    let (x, y) = find_on_screen(&buf, "Webber M, Reidy H").expect("vancouver line");
    assert!(!buf[(x, y)].modifier.contains(Modifier::ITALIC));
    let (x, y) = find_on_screen(&buf, "Health &").expect("journal");
    assert!(!buf[(x, y)].modifier.contains(Modifier::ITALIC));
}

#[test]
fn snapshot_archive_with_a_complete_feeds_empty_month() {
    let mut fake = Fake::new();
    fake.complete.insert(1);
    let (mut app, mut fake) = start_on(120, 40, Keymap::default(), false, fake);
    select_feed(&mut fake, &mut app, 0);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-11");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "Tab");
    assert_eq!(app.focus, Pane::Archive);
    assert_eq!(app.entries.source.month(), Some("2014-11"));
    snap("archive_complete_feed_empty_month_120x40", &app);
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, Fake::new());
    fake.complete.insert(1);
    fake.dispatch(&mut app, Action::CacheChanged);
    select_feed(&mut fake, &mut app, 0);
    fake.press(&mut app, "h");
    snap("archive_complete_feed_80x24", &app);
}

#[test]
fn a_one_megabyte_title_and_word_render_in_the_list_and_reader() {
    let mut fake = Fake::new();
    let huge: String = "x".repeat(1 << 20);
    fake.entries[0].title = format!("Huge {huge}");
    fake.entries[0].content_html = Some(format!("<p>{huge}</p>"));
    let entry = fake.entries[0].clone();
    let (mut app, _) = start_on(80, 24, Keymap::default(), false, fake);
    update(&mut app, Action::EntryLoaded(Box::new(entry)));
    // Drawing must stay linear in the text: a quadratic wrap would never finish here.
    let s = screen(&app);
    assert!(s.contains("Huge"), "{s}");
    assert!(app.reader.is_some());
}

/// Titles whose clusters are wider than their characters say: emoji with VS16, a keycap, flags,
/// skin tones and ZWJ sequences (and a feed titled with them).
fn wide_cluster_fake() -> Fake {
    let mut fake = Fake::new();
    fake.feeds[0].title = "❤️ Lab ✔️ 🇯🇵 👩‍🔬 group".to_string();
    let lab = fake.feeds[0].clone();
    let titles = [
        "❤️ Heart ✔️ check 1️⃣ keycap: a title long enough to be cut at the pane's edge",
        "🇯🇵 Flags 🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷🇯🇵🇫🇷🇧🇷",
        "👍🏽 tones 👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻👍🏽👍🏿👍🏻",
        "👩‍🔬 ZWJ 👨‍👩‍👧 family 👩‍🔬👨‍👩‍👧👩‍🔬👨‍👩‍👧👩‍🔬👨‍👩‍👧👩‍🔬👨‍👩‍👧👩‍🔬👨‍👩‍👧👩‍🔬👨‍👩‍👧",
        "Short ❤️",
    ];
    for (i, title) in titles.iter().enumerate() {
        let day = 20 - u32::try_from(i).unwrap_or(0);
        let id = 100 + i64::try_from(i).unwrap_or(0);
        let doi = format!("10.1000/wide.{i}");
        fake.entries
            .push(entry(id, &lab, at(2015, 2, day), title, false, &[&doi]));
    }
    fake
}

#[test]
fn rows_with_wide_clusters_keep_their_marker_and_border() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let (app, _) = start_on(w, h, Keymap::default(), false, wide_cluster_fake());
        let buf = buffer(&app);
        let mut rows = 0;
        for y in 0..h {
            let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            let Some(wide) = ["Heart", "Flags", "tones", "ZWJ", "Short"]
                .into_iter()
                .find(|t| line.contains(t))
            else {
                continue;
            };
            rows += 1;
            // Every entry here cites a paper: ◆ in the last column inside the border.
            assert_eq!(buf[(w - 2, y)].symbol(), "◆", "{wide} at {w}x{h}: {line}");
            assert_eq!(buf[(w - 1, y)].symbol(), "│", "{wide} at {w}x{h}: {line}");
        }
        assert_eq!(rows, 5, "{}", screen(&app));
        snap(&format!("entries_wide_clusters_{w}x{h}"), &app);
    }
}

#[test]
fn replacing_a_list_of_wide_clusters_leaves_no_stray_cells() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, wide_cluster_fake());
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    term.draw(|f| view(&app, f)).expect("draw");
    // The previous month: a list of plain titles drawn over the wide one.
    fake.press(&mut app, "[");
    assert_eq!(app.entries.source.month(), Some("2015-01"));
    term.draw(|f| view(&app, f)).expect("draw");
    assert_eq!(term.backend().buffer(), &buffer(&app));
}

#[test]
fn a_command_left_without_keys_by_a_rebinding_is_reported() {
    let mut keys = BTreeMap::new();
    keys.insert("search".to_string(), vec!["q".to_string()]);
    let km = Keymap::from_config(&keys);
    assert_eq!(km.warnings.len(), 1, "{:?}", km.warnings);
    assert!(km.warnings[0].contains("`quit`"), "{:?}", km.warnings);
    // Giving it a key of its own in the same [keys] is no loss.
    keys.insert("quit".to_string(), vec!["Q".to_string()]);
    let km = Keymap::from_config(&keys);
    assert!(km.warnings.is_empty(), "{:?}", km.warnings);
    // Emptied on purpose: the user said so, no warning.
    let mut keys = BTreeMap::new();
    keys.insert("help".to_string(), Vec::new());
    assert!(Keymap::from_config(&keys).warnings.is_empty());
}

#[test]
fn config_warnings_outlive_the_refresh_on_start_until_a_key() {
    let mut keys = BTreeMap::new();
    keys.insert("frobnicate".to_string(), vec!["x".to_string()]);
    let (mut app, mut fake) = start_with(80, 24, Keymap::from_config(&keys), false);
    app.startup_warnings(&["c.toml: unknown theme `neon`".to_string()]);
    fake.dispatch(&mut app, Action::AutoRefresh);
    fake.dispatch(&mut app, Action::RefreshStarted { total: 1 });
    fake.dispatch(
        &mut app,
        Action::RefreshDone {
            new: 0,
            failed: 0,
            sync_error: None,
        },
    );
    let m = app.status.message.clone().expect("still shown");
    assert!(
        m.text.contains("neon") && m.text.contains("frobnicate"),
        "{m:?}"
    );
    assert!(screen(&app).contains("neon"));
    // The first key dismisses it; later news shows again.
    fake.press(&mut app, "j");
    assert!(app.status.message.is_none());
    fake.dispatch(
        &mut app,
        Action::RefreshDone {
            new: 2,
            failed: 0,
            sync_error: None,
        },
    );
    let m = app.status.message.clone().expect("refresh news");
    assert!(m.text.contains("2 new entries"), "{m:?}");
}

#[test]
fn a_terminal_too_small_for_the_panes_says_so() {
    for (w, h) in [(39, 24), (80, 9), (20, 5)] {
        let (app, _) = start(w, h);
        let s = screen(&app);
        assert!(s.contains("terminal too small"), "{w}x{h}:\n{s}");
        // No pane is drawn cut to nothing.
        assert!(!s.contains("Feeds"), "{w}x{h}:\n{s}");
    }
    snap("too_small_30x8", &start(30, 8).0);
    // Even one cell draws (cut to an ellipsis) rather than panicking.
    assert_eq!(screen(&start(1, 1).0).trim_matches(['"', '\n']), "…");
    // At the minimum, the panes.
    let (app, _) = start(40, 10);
    let s = screen(&app);
    assert!(s.contains("Feeds") && !s.contains("too small"), "{s}");
}

/// Issue 11: an entry with only `<updated>` shows that date, and one without a title shows the
/// view's placeholder (the data holds "").
#[test]
fn entries_show_the_updated_date_and_a_placeholder_title() {
    let mut fake = Fake::new();
    let e = &mut fake.entries[0];
    e.updated = e.published.take();
    e.title = String::new();
    let (app, _) = start_on(80, 24, Keymap::default(), false, fake);
    let s = screen(&app);
    let row = s
        .lines()
        .find(|l| l.contains("(untitled)"))
        .unwrap_or_else(|| panic!("no placeholder title:\n{s}"));
    assert!(row.contains("Feb 10"), "{row}");
}

/// Presses `key` in the real executor (a real cache behind it).
fn press_real(exec: &mut super::Executor, app: &mut App, key: &str) {
    let k = Key::parse(key).unwrap_or_else(|| panic!("bad key {key}"));
    if let Some(a) = key_action(app, &KeyEvent::new(k.code, KeyModifiers::NONE)) {
        exec.dispatch(app, a);
    }
}

/// The real executor on the demo archive in a temporary cache, and its worker channel.
fn demo_executor() -> (
    tempfile::TempDir,
    super::Executor,
    std::sync::mpsc::Receiver<Action>,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = crate::paths::Paths::resolve(Some(dir.path()), None).expect("paths");
    let mut lib = crate::Library::open(paths, crate::config::Config::default()).expect("open");
    lib.load_demo().expect("demo");
    let (tx, rx) = std::sync::mpsc::channel();
    let exec = super::Executor {
        lib,
        demo_dir: None,
        tx,
        browser: Vec::new(),
        quit: false,
        push: super::Debounce::new(super::PUSH_DELAY),
    };
    (dir, exec, rx)
}

#[test]
fn the_real_executor_removes_a_feed_and_renames_a_folder_through_the_library() {
    let (_dir, mut exec, _rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    assert_eq!(app.feeds.starred, 1, "the demo's starred entry is counted");
    press_real(&mut exec, &mut app, "Tab");
    press_real(&mut exec, &mut app, "G");
    assert_eq!(
        app.feeds.selected_feed().map(|f| f.title.as_str()),
        Some("Connected Recovery")
    );
    press_real(&mut exec, &mut app, "D");
    let question =
        "Remove Connected Recovery and its 49 entries? 1 starred entry goes with it. y/n";
    assert!(screen(&app).contains(question), "{}", screen(&app));
    press_real(&mut exec, &mut app, "y");
    let feeds = exec.lib.feeds().expect("feeds");
    assert_eq!(feeds.len(), 2, "{feeds:?}");
    assert_eq!(app.feeds.starred, 0, "its starred entry went with it");
    // `e` on the Papers folder renames it in the cache.
    press_real(&mut exec, &mut app, "g");
    press_real(&mut exec, &mut app, "j");
    press_real(&mut exec, &mut app, "j");
    press_real(&mut exec, &mut app, "j");
    press_real(&mut exec, &mut app, "j");
    assert_eq!(app.feeds.scope(), Scope::Folder("Papers".to_string()));
    press_real(&mut exec, &mut app, "e");
    for _ in 0.."Papers".len() {
        exec.dispatch(&mut app, Action::Backspace);
    }
    for c in "Reading".chars() {
        exec.dispatch(&mut app, Action::Input(c));
    }
    press_real(&mut exec, &mut app, "Enter");
    let folders: Vec<String> = exec
        .lib
        .folders()
        .expect("folders")
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(folders, ["Reading"]);
    assert_eq!(app.feeds.scope(), Scope::Folder("Reading".to_string()));
    assert!(app
        .entries
        .rows
        .iter()
        .all(|r| feeds.iter().any(|f| f.id == r.feed_id)));
    assert!(
        !app.entries.rows.is_empty(),
        "the renamed folder's entries are listed"
    );
}

/// A folder's months answer the key with their counts; the papers follow from a worker over the
/// channel, and then the archive is what the cache counts. An answer for another row is dropped.
#[test]
fn a_folders_papers_per_month_follow_from_a_worker() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    for key in ["Tab", "g", "j", "j", "j", "j"] {
        press_real(&mut exec, &mut app, key);
    }
    assert_eq!(app.feeds.scope(), Scope::Folder("Papers".to_string()));
    let q = app.archive.filter.query();
    let expected = exec.lib.months_where(&q).expect("months");
    assert!(expected.iter().any(|m| m.papers > 0), "{expected:?}");
    assert!(!app.archive.months.is_empty());
    assert!(app.archive.months.iter().all(|m| m.papers == 0));
    assert!(!app.entries.rows.is_empty(), "the entries did not wait");

    // Passing the Cited papers row listed All feeds' papers on the way: not this answer.
    let answer = std::iter::from_fn(|| rx.recv_timeout(std::time::Duration::from_secs(60)).ok())
        .find(|a| !matches!(a, Action::PapersLoaded { .. } | Action::PapersFirst { .. }))
        .expect("the worker answers");
    assert!(
        matches!(&answer, Action::MonthPapersLoaded { filter, .. } if *filter == app.archive.filter),
        "{answer:?}"
    );
    let Action::MonthPapersLoaded { papers, .. } = &answer else {
        unreachable!()
    };
    // The same papers for another row change nothing.
    exec.dispatch(
        &mut app,
        Action::MonthPapersLoaded {
            filter: Filter::default(),
            papers: papers.clone(),
        },
    );
    assert!(app.archive.months.iter().all(|m| m.papers == 0));
    exec.dispatch(&mut app, answer);
    assert_eq!(app.archive.months, expected);
}

/// An upgraded cache (issue 18): the demo with its papers gone and the re-scan due, as the
/// migration leaves an older cache. The reader starts the scan in a worker and goes on; the
/// worker's progress reaches the status line and its end reloads the months with their papers.
#[test]
fn the_reader_scans_stored_posts_for_papers_in_a_worker() {
    let (_dir, mut exec, rx) = demo_executor();
    let db = exec.lib.paths().db_file();
    rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.execute_batch(
                "DELETE FROM entry_papers; DELETE FROM paper_aliases; \
                 INSERT INTO papers_scan (after) VALUES (0);",
            )
        })
        .expect("an upgraded cache");
    let mut app = App::new(Keymap::default(), Theme::default(), (120, 40), false);
    exec.dispatch(&mut app, Action::CacheChanged);
    let papers = |app: &App| app.archive.months.iter().map(|m| m.papers).sum::<i64>();
    assert_eq!(papers(&app), 0, "no papers before the scan");
    // Not a key: the program's own start, like the refresh on start.
    assert_eq!(
        update(&mut app.clone(), Action::ScanPapers)
            .into_iter()
            .filter(|e| matches!(e, Effect::ScanPapers))
            .count(),
        1
    );
    exec.dispatch(&mut app, Action::ScanPapers);
    let mut saw_progress = false;
    loop {
        let a = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the worker answers");
        let last = matches!(a, Action::PapersScanned { .. });
        if let Action::PapersScanProgress { done, total } = &a {
            saw_progress = true;
            assert!(done <= total && *total > 0);
        }
        exec.dispatch(&mut app, a.clone());
        if saw_progress && !last {
            assert!(
                screen(&app).contains("Finding papers in stored posts:"),
                "{}",
                screen(&app)
            );
        }
        if last {
            assert_eq!(a, Action::PapersScanned { error: None });
            break;
        }
    }
    assert!(saw_progress);
    assert!(papers(&app) > 0, "months count papers again");
    assert!(exec.lib.papers_scan_due().expect("due").is_none());
    // Scanned once: the next start's worker finds nothing due and says nothing.
    exec.dispatch(&mut app, Action::ScanPapers);
    assert!(rx
        .recv_timeout(std::time::Duration::from_millis(500))
        .is_err());
    // The demo (a temporary cache of its own) is never scanned.
    let mut demo = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    assert!(update(&mut demo, Action::ScanPapers).is_empty());
}
