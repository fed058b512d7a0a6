//! The Papers view: keys → actions → state and effects against the in-memory library, the real
//! executor's worker on the demo archive, and snapshots at 80×24 and 120×40.

use super::*;
use crate::model::PaperRow;
use crate::papers::services::paper_url;
use crate::tui::action::PaperLine;
use crate::tui::state::{PapersScope, Scope};

impl Fake {
    /// The papers worker's answer, at once.
    pub(super) fn run_papers(&self, effect: Effect) -> Vec<Action> {
        match effect {
            Effect::LoadPapers { scope, lines } => {
                let rows = self.papers(&scope.query());
                let first = self.paper_lines(&rows[..lines.min(rows.len())]);
                vec![Action::PapersLoaded {
                    scope,
                    result: Ok((rows, first)),
                }]
            }
            Effect::LoadPaperLines(rows) => vec![Action::PaperLinesLoaded(self.paper_lines(&rows))],
            _ => Vec::new(),
        }
    }

    /// The papers `q` covers, grouped by DOI key as `Store::papers` groups them: most-cited
    /// first, then the most recently cited.
    pub(super) fn papers(&self, q: &ListQuery) -> Vec<PaperRow> {
        let mut by: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
        for e in self.listing(q) {
            for d in &e.dois {
                by.entry(format!("doi:{}", d.key)).or_default().push(e);
            }
        }
        let mut rows: Vec<PaperRow> = by
            .into_iter()
            .map(|(key, es)| {
                let dates: Vec<DateTime<Utc>> =
                    es.iter().map(|e| e.published.unwrap_or_default()).collect();
                let mut feeds: Vec<i64> = Vec::new();
                for e in &es {
                    if !feeds.contains(&e.feed_id) {
                        feeds.push(e.feed_id);
                    }
                }
                PaperRow {
                    ids: vec![key.clone()],
                    cited_by: es.iter().map(|e| e.id).collect(),
                    feeds,
                    first_cited: dates.iter().min().copied().unwrap_or_default(),
                    last_cited: dates.iter().max().copied().unwrap_or_default(),
                    coins: None,
                    key,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            (b.cited_by.len(), b.last_cited, &a.key).cmp(&(a.cited_by.len(), a.last_cited, &b.key))
        });
        rows
    }

    /// Cached citations' lines, as `Library::known_citation` gives them.
    pub(super) fn paper_lines(&self, rows: &[PaperRow]) -> Vec<PaperLine> {
        rows.iter()
            .map(|r| {
                let line = r
                    .key
                    .strip_prefix("doi:")
                    .and_then(|d| self.citations.get(d))
                    .and_then(|s| match s {
                        CitationState::Found { citation } => Some(citation.line()),
                        _ => None,
                    });
                (r.key.clone(), line)
            })
            .collect()
    }
}

/// The fake cache with two more posts citing 10.1000/b (one in another feed) and a's citation
/// cached: in December 2014, b is cited three times, a once.
pub(super) fn fake_with_papers() -> Fake {
    let mut fake = Fake::new();
    let (blog, toc) = (fake.feeds[0].clone(), fake.feeds[1].clone());
    fake.entries.push(entry(
        8,
        &toc,
        at(2014, 12, 20),
        "Issue 12: the b paper in print",
        false,
        &["10.1000/b"],
    ));
    fake.entries.push(entry(
        9,
        &blog,
        at(2014, 12, 9),
        "More on b",
        true,
        &["10.1000/B"],
    ));
    fake.citations.insert(
        "10.1000/a".into(),
        CitationState::Found {
            citation: citation("10.1000/a"),
        },
    );
    fake
}

/// The reader on December 2014 of `fake_with_papers`, the Papers view open with `P`.
pub(super) fn december_papers(w: u16, h: u16) -> (App, Fake) {
    december_papers_of(w, h, fake_with_papers())
}

pub(super) fn december_papers_of(w: u16, h: u16, fake: Fake) -> (App, Fake) {
    let (mut app, mut fake) = start_on(w, h, Keymap::default(), false, fake);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    fake.take_log();
    fake.press(&mut app, "P");
    (app, fake)
}

fn keys(app: &App) -> Vec<&str> {
    app.papers.rows.iter().map(|r| r.key.as_str()).collect()
}

fn loads(log: &[Effect]) -> Vec<PapersScope> {
    log.iter()
        .filter_map(|e| match e {
            Effect::LoadPapers { scope, .. } => Some(scope.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn p_lists_the_papers_of_the_scope_and_month_most_cited_first_and_p_again_closes() {
    let (mut app, mut fake) = december_papers(80, 24);
    assert_eq!(app.focus, Pane::Papers);
    assert_eq!(
        loads(&fake.take_log()),
        [PapersScope {
            filter: Filter::default(),
            unread: false,
            month: Some("2014-12".into()),
        }]
    );
    assert_eq!(keys(&app), ["doi:10.1000/b", "doi:10.1000/a"]);
    assert_eq!(app.papers.rows[0].cited_by, [8, 4, 9], "newest post first");
    assert_eq!(app.papers.rows[0].feeds, [2, 1]);
    let shown = screen(&app);
    assert!(shown.contains("Papers · December 2014 (2)"), "{shown}");
    // a's citation is cached: its line; b's is not: its id.
    assert!(shown.contains("   3 10.1000/b"), "{shown}");
    assert!(shown.contains("   1 Webber, M., Reidy, H."), "{shown}");
    assert!(
        shown.contains("cited by 3 posts in Journal of Demonstration Studies,"),
        "{shown}"
    );
    assert!(shown.contains("ids: doi:10.1000/b"), "{shown}");
    fake.press(&mut app, "P");
    assert_eq!(app.focus, Pane::Entries);
    assert!(!app.papers.open);
    assert!(screen(&app).contains("December 2014 (4)"));
}

#[test]
fn the_view_follows_the_month_keys_the_feed_and_the_unread_row() {
    let (mut app, mut fake) = december_papers(80, 24);
    fake.take_log();
    fake.press(&mut app, "]");
    assert_eq!(app.papers.scope.month.as_deref(), Some("2015-01"));
    assert!(app.papers.rows.is_empty(), "January cites nothing");
    assert!(screen(&app).contains("no papers cited this month"));
    fake.press(&mut app, "]");
    assert_eq!(keys(&app), ["doi:10.1000/xyz1", "doi:10.5555/jds.3.1"]);
    assert_eq!(app.focus, Pane::Papers, "the view stays open");
    // The Feeds pane: Unread is every month's unread posts; a feed is its own months.
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "g");
    fake.press(&mut app, "j");
    assert_eq!(app.feeds.scope(), Scope::Unread);
    assert_eq!(
        app.papers.scope,
        PapersScope {
            filter: Filter::default(),
            unread: true,
            month: None,
        }
    );
    assert_eq!(
        keys(&app),
        [
            "doi:10.1000/b",
            "doi:10.1000/xyz1",
            "doi:10.5555/jds.3.1",
            "doi:10.1000/a"
        ],
        "b: two unread posts; entry 9 is read"
    );
    assert_eq!(app.papers.rows[0].cited_by, [8, 4]);
    for _ in 0..4 {
        fake.press(&mut app, "j");
    }
    assert_eq!(app.feeds.feed_id(), Some(2));
    assert_eq!(app.papers.scope.filter, Filter::feed(Some(2)));
    assert_eq!(app.papers.scope.month.as_deref(), Some("2015-02"));
    assert_eq!(keys(&app), ["doi:10.5555/jds.3.1"]);
    // Stale answers (a scope no longer shown) are dropped.
    let stale = fake.papers(&Filter::default().query());
    update(
        &mut app,
        Action::PapersLoaded {
            scope: PapersScope::default(),
            result: Ok((stale, Vec::new())),
        },
    );
    assert_eq!(keys(&app), ["doi:10.5555/jds.3.1"]);
}

#[test]
fn the_cited_papers_row_opens_the_view_and_leaving_it_closes_it() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), false, fake_with_papers());
    fake.press(&mut app, "Tab");
    fake.press(&mut app, "g");
    for _ in 0..3 {
        fake.press(&mut app, "j");
    }
    assert_eq!(app.feeds.scope(), Scope::Papers);
    assert!(app.papers.showing());
    assert_eq!(app.focus, Pane::Feeds, "the cursor stays in the Feeds pane");
    assert_eq!(app.papers.scope.month.as_deref(), Some("2015-02"));
    assert!(screen(&app).contains("Papers · February 2015 (2)"));
    // Enter goes to the papers; Esc from them back to the entries, the cursor on All feeds.
    fake.press(&mut app, "Enter");
    assert_eq!(app.focus, Pane::Papers);
    fake.press(&mut app, "Esc");
    assert!(!app.papers.open);
    assert_eq!(app.feeds.scope(), Scope::All);
    // Moving off the row closes what the row opened.
    fake.press(&mut app, "Tab");
    assert_eq!(app.focus, Pane::Feeds);
    for _ in 0..3 {
        fake.press(&mut app, "j");
    }
    assert!(app.papers.open);
    fake.press(&mut app, "j");
    assert!(!app.papers.open);
    assert_eq!(app.feeds.feed_id(), Some(1));
}

#[test]
fn enter_lists_the_posts_citing_the_paper_and_esc_steps_back() {
    let (mut app, mut fake) = december_papers(80, 24);
    fake.press(&mut app, "Enter");
    assert_eq!(app.focus, Pane::Entries);
    assert_eq!(
        app.entries.source,
        EntrySource::Paper {
            key: "doi:10.1000/b".into(),
            ids: vec![8, 4, 9],
        }
    );
    let titles: Vec<&str> = app.entries.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Issue 12: the b paper in print",
            "Holiday reading list",
            "More on b"
        ]
    );
    assert!(screen(&app).contains("Posts citing 10.1000/b (3)"));
    // Enter there opens the post as usual (and marks it read).
    fake.press(&mut app, "Enter");
    assert_eq!(app.reader.as_ref().map(|r| r.entry.id), Some(8));
    fake.press(&mut app, "Esc");
    assert_eq!(app.focus, Pane::Entries);
    fake.press(&mut app, "Esc");
    assert_eq!(app.focus, Pane::Papers);
    assert_eq!(app.entries.source.month(), Some("2014-12"));
    assert_eq!(app.papers.selected, 0, "the cursor stays on the paper");
    fake.press(&mut app, "Esc");
    assert!(!app.papers.open);
    assert_eq!(app.focus, Pane::Entries);
}

#[test]
fn o_opens_the_paper_and_c_b_and_shift_b_copy_and_save_it_like_the_link_list() {
    let (mut app, mut fake) = december_papers(80, 24);
    fake.take_log();
    fake.press(&mut app, "o");
    fake.press(&mut app, "c");
    fake.press(&mut app, "b");
    let log = fake.take_log();
    assert!(
        matches!(&log[..], [Effect::OpenUrl(u), Effect::Clipboard(c), Effect::FetchBibtex { doi, then: BibUse::Copy }]
            if u == "https://doi.org/10.1000/b" && c == "10.1000/b" && doi == "10.1000/b"),
        "{log:?}"
    );
    fake.press(&mut app, "B");
    assert!(fake.take_log().is_empty(), "no bib file configured");
    assert!(screen(&app).contains("no BibTeX file"));
    app.bib_file = Some("/tmp/papers.bib".into());
    fake.press(&mut app, "B");
    assert!(matches!(
        &fake.take_log()[..],
        [Effect::FetchBibtex { then: BibUse::Append(p), .. }] if p.to_str() == Some("/tmp/papers.bib")
    ));
    // A paper without a DOI: its own address, its key, and no BibTeX from the DOI resolver.
    let mut arxiv = app.papers.rows[0].clone();
    arxiv.key = "arxiv:1412.01234".into();
    arxiv.ids = vec![arxiv.key.clone()];
    let scope = app.papers.scope.clone();
    update(
        &mut app,
        Action::PapersLoaded {
            scope,
            result: Ok((vec![arxiv], Vec::new())),
        },
    );
    fake.take_log();
    fake.press(&mut app, "o");
    fake.press(&mut app, "c");
    fake.press(&mut app, "b");
    let log = fake.take_log();
    assert!(
        matches!(&log[..], [Effect::OpenUrl(u), Effect::Clipboard(c)]
            if u == "https://arxiv.org/abs/1412.01234" && c == "arxiv:1412.01234"),
        "{log:?}"
    );
    assert!(screen(&app).contains("no BibTeX for arxiv:1412.01234"));
}

#[test]
fn paper_urls_are_built_only_from_well_formed_ids() {
    let doi = "https://doi.org";
    assert_eq!(
        paper_url("doi:10.1111/hsc.12135", doi).as_deref(),
        Some("https://doi.org/10.1111/hsc.12135")
    );
    assert_eq!(
        paper_url("doi:10.1111/hsc.12135", "http://127.0.0.1:9/").as_deref(),
        Some("http://127.0.0.1:9/10.1111/hsc.12135"),
        "the configured resolver"
    );
    for (key, url) in [
        ("arxiv:2401.12345", "https://arxiv.org/abs/2401.12345"),
        (
            "arxiv:hep-th/9901001",
            "https://arxiv.org/abs/hep-th/9901001",
        ),
        ("pmid:23193287", "https://pubmed.ncbi.nlm.nih.gov/23193287/"),
        (
            "pmcid:PMC3531190",
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/",
        ),
    ] {
        assert_eq!(paper_url(key, doi).as_deref(), Some(url), "{key}");
    }
    for bad in [
        "arxiv:../../x",
        "arxiv:a b",
        "arxiv:",
        "pmid:12a",
        "pmcid:3531190",
        "pmcid:PMC",
        "isbn:123",
        "doi:10.1/a b",
        "nokey",
    ] {
        assert_eq!(paper_url(bad, doi), None, "{bad}");
    }
}

#[test]
fn citation_lines_are_read_for_the_rows_scrolled_into_view_only() {
    let (mut app, mut fake) = december_papers(80, 24);
    let scope = app.papers.scope.clone();
    let template = app.papers.rows[0].clone();
    let rows: Vec<PaperRow> = (0..200)
        .map(|i| PaperRow {
            key: format!("doi:10.9/{i:03}"),
            ids: vec![format!("doi:10.9/{i:03}")],
            ..template.clone()
        })
        .collect();
    let first: Vec<PaperLine> = rows[..30].iter().map(|r| (r.key.clone(), None)).collect();
    fake.take_log();
    update(
        &mut app,
        Action::PapersLoaded {
            scope,
            result: Ok((rows, first)),
        },
    );
    assert!(
        !fake
            .take_log()
            .iter()
            .any(|e| matches!(e, Effect::LoadPaperLines(_))),
        "the first screen came with the rows"
    );
    fake.press(&mut app, "G");
    let asked: Vec<String> = fake
        .take_log()
        .into_iter()
        .flat_map(|e| match e {
            Effect::LoadPaperLines(rows) => rows.into_iter().map(|r| r.key).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert!(asked.contains(&"doi:10.9/199".to_string()), "{asked:?}");
    assert!(asked.len() <= 45, "only around the screen: {}", asked.len());
    assert!(!asked.contains(&"doi:10.9/100".to_string()), "{asked:?}");
    // Asked once.
    fake.press(&mut app, "k");
    assert!(fake.take_log().is_empty());
}

fn resolved(log: &[Effect]) -> Vec<Vec<String>> {
    log.iter()
        .filter_map(|e| match e {
            Effect::ResolvePaperCitations(keys) => Some(keys.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn rows_on_screen_without_a_citation_are_resolved_once_and_update_when_answered() {
    let (mut app, mut fake) = december_papers_of(80, 24, fake_with_papers());
    // b has no cached citation (a has): b alone goes to its service.
    let log = fake.take_log();
    assert_eq!(resolved(&log), vec![vec!["doi:10.1000/b".to_string()]]);
    assert!(screen(&app).contains("   3 10.1000/b"), "{}", screen(&app));

    // The answer arrives: the row shows its citation, and nothing more is asked.
    let line = "Bee, B. (2014). The b paper. J B.".to_string();
    update(
        &mut app,
        Action::PaperLinesLoaded(vec![("doi:10.1000/b".into(), Some(line.clone()))]),
    );
    assert!(
        screen(&app).contains("   3 Bee, B. (2014)."),
        "{}",
        screen(&app)
    );
    // An offline "none known" arriving late does not hide it.
    update(
        &mut app,
        Action::PaperLinesLoaded(vec![("doi:10.1000/b".into(), None)]),
    );
    assert_eq!(app.papers.lines.get("doi:10.1000/b"), Some(&Some(line)));

    // A reload reads the lines again; b (still not cached here) is not asked twice a session.
    fake.dispatch(&mut app, Action::CacheChanged);
    fake.press(&mut app, "j");
    fake.press(&mut app, "k");
    assert!(resolved(&fake.take_log()).is_empty());

    // An arXiv preprint's published version in the details of the selected row.
    update(
        &mut app,
        Action::PapersPublished(vec![(
            "doi:10.1000/b".into(),
            "published as doi:10.1000/b.final".into(),
        )]),
    );
    let shown = screen(&app);
    assert!(
        shown.contains("published as doi:10.1000/b.final"),
        "{shown}"
    );
    assert!(
        shown.contains("ids: doi:10.1000/b"),
        "the ids stay in view: {shown}"
    );
}

#[test]
fn the_demo_never_sends_papers_to_their_services() {
    let (mut app, mut fake) = start_on(80, 24, Keymap::default(), true, fake_with_papers());
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "P");
    assert!(!app.papers.rows.is_empty());
    assert!(resolved(&fake.take_log()).is_empty());
}

#[test]
fn search_and_the_reader_give_way_and_the_help_lists_the_papers_keys() {
    let (mut app, mut fake) = december_papers(80, 24);
    fake.press(&mut app, "/");
    fake.type_text(&mut app, "recovery");
    fake.press(&mut app, "Enter");
    assert!(!app.papers.open);
    assert!(matches!(app.entries.source, EntrySource::Search { .. }));
    // P over an open reader shows the papers instead.
    fake.press(&mut app, "Enter");
    assert!(app.reader.is_some());
    fake.press(&mut app, "P");
    assert!(app.reader.is_none());
    assert_eq!(app.focus, Pane::Papers);
    let help = crate::tui::view::help_text(&app);
    for want in [
        "Papers (P)",
        "P ",
        "the papers cited here",
        "list the posts citing the paper",
        "open the paper (doi.org, arXiv, PubMed, PMC)",
    ] {
        assert!(help.contains(want), "{want}: {help}");
    }
    let papers_section = help.split("Papers (P)").nth(1).unwrap_or_default();
    for key in ["Enter", "o", "c", "b", "B"] {
        assert!(
            papers_section
                .lines()
                .take(6)
                .any(|l| l.trim_start().starts_with(&format!("{key} "))),
            "{key}: {papers_section}"
        );
    }
}

#[test]
fn snapshot_the_papers_view() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = december_papers(w, h);
        fake.press(&mut app, "j");
        snap(&format!("papers_{w}x{h}"), &app);
    }
}

#[test]
fn long_citations_and_feed_titles_are_cut_to_the_pane_at_80x24() {
    let mut fake = fake_with_papers();
    fake.feeds[1].title = "Ｗｉｄｅ Journal ".repeat(10);
    let mut app = december_papers_of(80, 24, fake).0;
    let long = "Ｗｉｄｅ ".repeat(60);
    app.papers
        .lines
        .insert("doi:10.1000/b".into(), Some(long.clone()));
    let buf = buffer(&app);
    // The right border is whole on every row of the panes.
    for y in 0..23 {
        let line: String = (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect();
        assert!(["│", "┐", "┘"].contains(&buf[(79, y)].symbol()), "{line}");
    }
    let shown = screen(&app);
    assert!(shown.contains("   3 Ｗ"), "{shown}");
    assert!(
        shown.contains("cited by 3 posts in Ｗ") && shown.contains("…"),
        "{shown}"
    );
}

#[test]
fn the_real_executor_lists_the_demo_papers_on_a_worker_with_their_citation_lines() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    press_real(&mut exec, &mut app, ":");
    for c in "2014-12".chars() {
        exec.dispatch(&mut app, Action::Input(c));
    }
    exec.dispatch(&mut app, Action::Submit);
    press_real(&mut exec, &mut app, "P");
    assert!(app.papers.loading, "the rows come from a worker");
    assert!(app.papers.rows.is_empty());
    let answer = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the worker answers");
    assert!(matches!(&answer, Action::PapersLoaded { .. }), "{answer:?}");
    exec.dispatch(&mut app, answer);
    let hsc = app
        .papers
        .rows
        .iter()
        .position(|r| r.key == "doi:10.1111/hsc.12135")
        .expect("the seed's paper");
    let line = app
        .papers
        .lines
        .get("doi:10.1111/hsc.12135")
        .cloned()
        .flatten();
    assert!(
        line.as_deref().is_some_and(|l| l.starts_with("Webber, M.")),
        "{line:?}"
    );
    let cited_by = app.papers.rows[hsc].cited_by.clone();
    app.papers.selected = hsc;
    press_real(&mut exec, &mut app, "Enter");
    let listed: Vec<i64> = app.entries.rows.iter().map(|r| r.id).collect();
    assert_eq!(listed, cited_by);
}

#[test]
fn a_in_a_papers_posts_marks_only_those_posts_read_in_the_cache() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    let unread = |exec: &super::super::Executor| {
        exec.lib
            .count(&ListQuery {
                unread_only: true,
                ..ListQuery::default()
            })
            .expect("count")
    };
    let before = unread(&exec);
    // Every month's papers: the Unread row, then P.
    for key in ["Tab", "g", "j", "P"] {
        press_real(&mut exec, &mut app, key);
    }
    let answer = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the worker answers");
    exec.dispatch(&mut app, answer);
    let cited_by = app.papers.rows[0].cited_by.clone();
    assert!(cited_by.len() > 1, "{:?}", app.papers.rows[0]);
    press_real(&mut exec, &mut app, "Enter");
    press_real(&mut exec, &mut app, "A");
    assert_eq!(unread(&exec), before - cited_by.len() as i64);
    for id in cited_by {
        assert!(exec.lib.entry(id).expect("entry").read, "{id}");
    }
}

#[test]
fn cache_changes_during_a_load_reload_once_after_it() {
    let (mut app, fake) = december_papers(80, 24);
    let scope = app.papers.scope.clone();
    // A load under way (its answer not in yet), and three feeds of a refresh bring entries.
    let mut fx = Vec::new();
    app.papers.loading = true;
    for _ in 0..3 {
        fx.extend(update(
            &mut app,
            Action::RefreshProgress {
                done: 1,
                total: 3,
                failed: None,
                new: 1,
            },
        ));
    }
    assert!(loads(&fx).is_empty(), "no second worker while one runs");
    let rows = fake.papers(&scope.query());
    let fx = update(
        &mut app,
        Action::PapersLoaded {
            scope: scope.clone(),
            result: Ok((rows, Vec::new())),
        },
    );
    assert_eq!(loads(&fx), [scope], "one more load, for the changes");
    assert!(app.papers.loading);
}

#[test]
fn the_real_executor_resolves_a_row_on_screen_at_a_loopback_arxiv_api() {
    use crate::net::tests::{respond, serve};
    const TESTING: &str = include_str!("../../../tests/fixtures/papers/arxiv-query-testing-10.xml");
    let arxiv = serve(|_, s| {
        let atom = [("Content-Type", "application/atom+xml")];
        respond(s, "200 OK", &atom, TESTING.as_bytes());
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = crate::paths::Paths::resolve(Some(dir.path()), None).expect("paths");
    let mut config = crate::config::Config::default();
    config.papers.arxiv_api = arxiv.url("/api/query");
    config.papers.arxiv_interval_ms = 10;
    config.doi.resolver = "http://127.0.0.1:9".into();
    let lib = crate::Library::open(paths, config).expect("open");
    let (tx, rx) = std::sync::mpsc::channel();
    let mut exec = crate::tui::Executor {
        lib,
        demo_dir: None,
        tx,
        browser: Vec::new(),
        quit: false,
        push: crate::tui::Debounce::new(crate::tui::PUSH_DELAY),
    };
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), false);
    let key = "arxiv:2202.12139".to_string();
    app.papers.open = true;
    app.papers.rows = vec![PaperRow {
        key: key.clone(),
        ids: vec![key.clone()],
        cited_by: vec![1],
        feeds: vec![1],
        first_cited: DateTime::default(),
        last_cited: DateTime::default(),
        coins: None,
    }];
    // No citation offline: the row goes to the arXiv API on the citation worker.
    exec.dispatch(
        &mut app,
        Action::PaperLinesLoaded(vec![(key.clone(), None)]),
    );
    assert_eq!(app.papers.lines.get(&key), Some(&None), "never blocking");
    while !app.papers.published.contains_key(&key) {
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the worker answers");
        exec.dispatch(&mut app, answer);
    }
    let line = app
        .papers
        .lines
        .get(&key)
        .cloned()
        .flatten()
        .unwrap_or_default();
    assert!(line.contains("Testing Deep Learning Models"), "{line}");
    assert_eq!(
        app.papers.published.get(&key).map(String::as_str),
        Some("published as doi:10.1109/ICSTW55395.2022.00035")
    );
    assert_eq!(arxiv.requests().len(), 1);
    let shown = screen(&app);
    assert!(
        shown.contains("published as doi:10.1109/ICSTW55395.2022.00035"),
        "{shown}"
    );
}

/// The entry citing `key` in the demo, loaded into the reader with its link list open.
fn demo_links_of(exec: &mut crate::tui::Executor, app: &mut App, key: &str) {
    let rows = exec.lib.papers(&ListQuery::default()).expect("papers");
    let row = rows
        .iter()
        .find(|r| r.key == key)
        .expect("the demo cites it");
    let entry = exec.lib.entry(row.cited_by[0]).expect("entry");
    exec.dispatch(app, Action::EntryLoaded(Box::new(entry)));
    press_real(exec, app, "L");
}

/// A post citing an arXiv preprint, and one citing a PubMed record (by link and `PMID:`): each
/// paper is a row of the link list, once, with its id and its cached citation; `o` opens the
/// preprint at arXiv in the browser, `c` copies its id, `b` says why it has no BibTeX.
#[cfg(unix)]
#[test]
fn the_link_list_lists_arxiv_and_pubmed_papers_and_opens_the_preprint_at_arxiv() {
    let (dir, mut exec, _rx) = demo_executor();
    let (script, out) = crate::open::tests::recorder(dir.path());
    exec.browser = vec![script.display().to_string()];
    let mut app = App::new(Keymap::default(), Theme::default(), (120, 40), true);
    exec.dispatch(&mut app, Action::CacheChanged);

    demo_links_of(&mut exec, &mut app, "pmid:22506741");
    let items = app.link_items();
    let pubmed: Vec<_> = items
        .iter()
        .filter(|i| i.label == "pmid:22506741")
        .collect();
    assert_eq!(
        pubmed.len(),
        1,
        "one row for the link and the label: {items:?}"
    );
    assert_eq!(pubmed[0].url, "https://pubmed.ncbi.nlm.nih.gov/22506741/");
    assert!(pubmed[0].found, "{:?}", pubmed[0]);
    let shown = screen(&app);
    assert!(shown.contains("pmid:22506741"), "{shown}");
    assert!(shown.contains("Sutcliffe"), "its citation line: {shown}");

    exec.dispatch(&mut app, Action::Back);
    demo_links_of(&mut exec, &mut app, "arxiv:1004.4704");
    let items = app.link_items();
    let at = items
        .iter()
        .position(|i| i.label == "arxiv:1004.4704")
        .expect("the preprint's row");
    let shown = screen(&app);
    assert!(shown.contains("arxiv:1004.4704"), "{shown}");
    assert!(shown.contains("Shalizi"), "its citation line: {shown}");
    snap("links_papers_120x40", &app);
    for _ in 0..at {
        press_real(&mut exec, &mut app, "j");
    }
    press_real(&mut exec, &mut app, "c");
    assert!(
        app.status
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("copied paper id")),
        "{:?}",
        app.status.message
    );
    press_real(&mut exec, &mut app, "b");
    assert!(
        app.status
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("no BibTeX for arxiv:1004.4704")),
        "{:?}",
        app.status.message
    );
    // z saves the paper row by its key, as the Papers view does.
    press_real(&mut exec, &mut app, "z");
    assert!(
        app.status
            .message
            .as_ref()
            .is_some_and(|m| m.text.contains("saving arxiv:1004.4704")),
        "{:?}",
        app.status.message
    );
    // The preprint's open-access copy is arXiv's PDF, with no look-up (the demo asks no one).
    press_real(&mut exec, &mut app, "O");
    assert_eq!(
        crate::open::tests::recorded(&out),
        vec!["https://arxiv.org/pdf/1004.4704", "END"]
    );
    if app.overlay.is_none() {
        press_real(&mut exec, &mut app, "L");
        for _ in 0..at {
            press_real(&mut exec, &mut app, "j");
        }
    }
    press_real(&mut exec, &mut app, "o");
    assert_eq!(
        crate::open::tests::recorded_runs(&out, 2),
        vec![
            "https://arxiv.org/pdf/1004.4704",
            "END",
            "https://arxiv.org/abs/1004.4704",
            "END"
        ]
    );
}

#[test]
fn every_months_first_rows_show_before_the_rest_with_the_whole_count() {
    let (mut app, mut fake) = december_papers(80, 24);
    for key in ["Tab", "g", "j"] {
        fake.press(&mut app, key);
    }
    assert_eq!(app.feeds.scope(), Scope::Unread);
    let scope = app.papers.scope.clone();
    let all = app.papers.rows.clone();
    let n = all.len();
    assert!(n > 1, "{all:?}");
    let whole = format!("all months ({n})");
    // Loading again: the first rows come from the counts with how many there are in all.
    app.papers.loading = true;
    app.papers.rows.clear();
    update(
        &mut app,
        Action::PapersFirst {
            scope: scope.clone(),
            rows: all[..1].to_vec(),
            lines: Vec::new(),
            total: n,
        },
    );
    assert_eq!(keys(&app), [all[0].key.as_str()]);
    assert!(app.papers.loading, "the rest is still coming");
    assert!(screen(&app).contains(&whole), "{}", screen(&app));
    update(
        &mut app,
        Action::PapersLoaded {
            scope: scope.clone(),
            result: Ok((all.clone(), Vec::new())),
        },
    );
    assert_eq!(app.papers.rows, all);
    assert!(!app.papers.loading);
    // A first page after the whole list (a worker behind) changes nothing.
    update(
        &mut app,
        Action::PapersFirst {
            scope,
            rows: all[..1].to_vec(),
            lines: Vec::new(),
            total: n,
        },
    );
    assert_eq!(app.papers.rows, all);
    assert!(screen(&app).contains(&whole));
}

#[test]
fn the_real_executor_sends_every_months_first_rows_from_the_counts_then_all_of_them() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    for key in ["Tab", "g", "j", "P"] {
        press_real(&mut exec, &mut app, key);
    }
    assert_eq!(app.papers.scope.month, None, "every month");
    assert!(app.papers.scope.unread);
    let mut answers =
        std::iter::from_fn(|| rx.recv_timeout(std::time::Duration::from_secs(60)).ok())
            .filter(|a| matches!(a, Action::PapersFirst { .. } | Action::PapersLoaded { .. }));
    let Some(Action::PapersFirst { rows, total, .. }) = answers.next() else {
        panic!("the first rows come first");
    };
    let Some(Action::PapersLoaded {
        result: Ok((all, _)),
        ..
    }) = answers.next()
    else {
        panic!("then all of them");
    };
    assert!(!rows.is_empty());
    assert_eq!(total, all.len());
    assert_eq!(rows[..], all[..rows.len()]);
}
