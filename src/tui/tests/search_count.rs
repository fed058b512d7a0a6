//! A search shows its first page at once and its count when a worker brings it; a count for an
//! older search (or an older run of the same one) is dropped.

use super::*;

/// Submits `words` in the search prompt and returns the effects, not run.
fn submit_search(app: &mut App, fake: &mut Fake, words: &str) -> Vec<Effect> {
    fake.press(app, "/");
    fake.type_text(app, words);
    update(app, Action::Submit)
}

/// The count effect among `fx`, after the page's load (which asks for no count).
fn count_asked(fx: &[Effect]) -> (EntrySource, ListQuery, u64) {
    let page = fx
        .iter()
        .position(|f| matches!(f, Effect::LoadEntries { count: false, .. }))
        .unwrap_or_else(|| panic!("no uncounted page load: {fx:?}"));
    let (at, source, query, seq) = fx
        .iter()
        .enumerate()
        .find_map(|(i, f)| match f {
            Effect::CountEntries { source, query, seq } => {
                Some((i, source.clone(), query.clone(), *seq))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no count: {fx:?}"));
    assert!(page < at, "the page is read before the count: {fx:?}");
    (source, query, seq)
}

/// The executor's answer for a search's first page: full, uncounted.
fn full_page_loaded(app: &mut App, fake: &Fake, source: &EntrySource) {
    let rows = (0..PAGE)
        .map(|i| EntrySummary {
            id: 20_000 + i as i64,
            ..Fake::summary(&fake.entries[0])
        })
        .collect();
    update(
        app,
        Action::EntriesLoaded {
            source: source.clone(),
            offset: 0,
            rows,
            total: None,
            more: true,
        },
    );
}

/// The worker's count arriving.
fn counted(app: &mut App, source: &EntrySource, seq: u64, (total, more): (usize, bool)) {
    update(
        app,
        Action::EntriesCounted {
            source: source.clone(),
            seq,
            total,
            more,
        },
    );
}

#[test]
fn a_search_shows_its_first_page_then_its_count() {
    let (mut app, mut fake) = start(80, 24);
    let fx = submit_search(&mut app, &mut fake, "survival");
    let (source, query, seq) = count_asked(&fx);
    assert_eq!(query.search.as_deref(), Some("survival"));
    assert_eq!((query.limit, query.offset), (None, 0), "the whole listing");
    // The page arrives uncounted: a full page says "at least".
    full_page_loaded(&mut app, &fake, &source);
    assert_eq!(app.entries.rows.len(), PAGE);
    assert!(
        screen(&app).contains(&format!("({PAGE}+)")),
        "{}",
        screen(&app)
    );
    // Then the count.
    counted(&mut app, &source, seq, (523, false));
    assert!(screen(&app).contains("(523)"), "{}", screen(&app));
    assert!(!app.entries.more);
}

#[test]
fn a_count_for_an_older_search_is_ignored() {
    let (mut app, mut fake) = start(80, 24);
    let (old_source, _, old_seq) = count_asked(&submit_search(&mut app, &mut fake, "first"));
    let fx = submit_search(&mut app, &mut fake, "survival");
    let (source, _, seq) = count_asked(&fx);
    full_page_loaded(&mut app, &fake, &source);
    // The first search's count, late.
    counted(&mut app, &old_source, old_seq, (7, false));
    assert_eq!((app.entries.total, app.entries.more), (PAGE, true));
    // The same words searched again: the first run's count is stale too.
    let (again, _, new_seq) = count_asked(&submit_search(&mut app, &mut fake, "survival"));
    assert_eq!(again, source);
    assert!(new_seq > seq);
    full_page_loaded(&mut app, &fake, &source);
    counted(&mut app, &source, seq, (9, false));
    assert_eq!((app.entries.total, app.entries.more), (PAGE, true));
    counted(&mut app, &source, new_seq, (1000, true));
    assert!(screen(&app).contains("(1000+)"), "{}", screen(&app));
}

#[test]
fn the_real_executor_counts_a_search_on_a_worker() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    press_real(&mut exec, &mut app, "/");
    for c in "the".chars() {
        exec.dispatch(&mut app, Action::Input(c));
    }
    exec.dispatch(&mut app, Action::Submit);
    // The page is on screen before the worker answers.
    let shown = app.entries.rows.len();
    assert!(shown > 0, "no results for a common word");
    assert_eq!(app.entries.total, shown, "not counted yet");
    let answer = std::iter::from_fn(|| rx.recv_timeout(std::time::Duration::from_secs(60)).ok())
        .find(|a| matches!(a, Action::EntriesCounted { .. }))
        .expect("the count");
    let Action::EntriesCounted { total, .. } = &answer else {
        unreachable!()
    };
    let total = *total;
    assert!(total >= shown, "{total} < {shown}");
    let expected = exec
        .lib
        .count(&ListQuery {
            search: Some("the".into()),
            ..Default::default()
        })
        .expect("count");
    assert_eq!(i64::try_from(total).expect("size"), expected.min(1000));
    exec.dispatch(&mut app, answer);
    assert_eq!(app.entries.total, total.max(app.entries.rows.len()));
}
