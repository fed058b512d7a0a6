//! Paper health in the reader, drawn: the link list's and the Papers view's health lines, the
//! `!` filter and the entry list's mark, as snapshots at 80×24 and 120×40.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::papers::health::{health_text, parse_work, Status};

/// The health lines a check stores, as the reader loads them: 10.1000/a has the notices of the
/// demo's real Crossref record (the retracted 1998 Lancet paper: a retraction and a correction,
/// both from Retraction Watch); 10.1000/b, when `corrected`, only that record's correction entry
/// (no real record of a corrected-only paper was found: tests/fixtures/health/README.md).
fn health(corrected: bool) -> Action {
    let demo: serde_json::Value =
        serde_json::from_slice(crate::demo::HEALTH_JSON).expect("demo health");
    let retracted = parse_work(&demo["works"][0]);
    let mut lines = HashMap::new();
    let line = health_text(&retracted).expect("a line");
    lines.insert("10.1000/a".to_string(), (retracted.status, line));
    if corrected {
        let mut only = demo["works"][0].clone();
        only["updated-by"] = serde_json::json!([demo["works"][0]["updated-by"][0].clone()]);
        let h = parse_work(&only);
        assert_eq!(h.status, Status::Corrected);
        lines.insert(
            "10.1000/b".to_string(),
            (h.status, health_text(&h).expect("a line")),
        );
    }
    Action::HealthLoaded {
        lines,
        // The post citing 10.1000/a.
        retracted: HashSet::from([4]),
        read_retracted: 0,
    }
}

#[test]
fn snapshot_health_lines_in_the_link_list() {
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, mut fake) = reading_holiday_list(w, h, false);
        fake.dispatch(&mut app, health(true));
        fake.press(&mut app, "L");
        let shown = screen(&app);
        assert!(
            shown.contains("✗ RETRACTED 2010-02-06 (notice doi:10.1016/s0140-6736(10)60175-4"),
            "{shown}"
        );
        assert!(shown.contains("! Correction 2004-03-06"), "{shown}");
        snap(&format!("health_links_{w}x{h}"), &app);
    }
}

#[test]
fn snapshot_health_lines_in_the_papers_view_and_the_flagged_filter() {
    for (w, h) in [(80, 24), (120, 40)] {
        let fake = super::papers::fake_with_papers();
        let (mut app, mut fake) = super::papers::december_papers_of(w, h, fake);
        fake.dispatch(&mut app, health(true));
        // The retracted paper selected: its details carry the whole line.
        fake.press(&mut app, "j");
        assert_eq!(app.papers.rows[app.papers.selected].key, "doi:10.1000/a");
        snap(&format!("health_papers_{w}x{h}"), &app);
        // A re-check finds b fine again; `!` then lists only a, and `!` again both.
        fake.dispatch(&mut app, health(false));
        fake.press(&mut app, "!");
        let keys: Vec<&str> = app.papers.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["doi:10.1000/a"]);
        snap(&format!("health_papers_flagged_{w}x{h}"), &app);
        fake.press(&mut app, "!");
        assert_eq!(app.papers.rows.len(), 2);
    }
}

#[test]
fn snapshot_the_entry_list_marks_the_post_citing_a_retracted_paper() {
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    fake.dispatch(&mut app, health(true));
    let shown = screen(&app);
    let row = |title: &str| {
        shown
            .lines()
            .find(|l| l.contains(title))
            .unwrap_or_else(|| panic!("no {title}: {shown}"))
            .to_string()
    };
    assert!(row("Holiday reading list").contains("◆ ✗"), "{shown}");
    assert!(!row("Why we preregister").contains('✗'), "{shown}");
    snap("health_entries_80x24", &app);
}

#[test]
fn the_demo_marks_its_post_citing_the_retracted_paper_without_a_check() {
    let (_dir, mut exec, rx) = demo_executor();
    let mut app = App::new(Keymap::default(), Theme::default(), (120, 40), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    press_real(&mut exec, &mut app, ":");
    for c in "2015-04".chars() {
        exec.dispatch(&mut app, Action::Input(c));
    }
    exec.dispatch(&mut app, Action::Submit);
    let shown = screen(&app);
    let marked: Vec<&str> = shown.lines().filter(|l| l.contains('✗')).collect();
    assert_eq!(marked.len(), 1, "{shown}");
    assert!(
        marked[0].contains("The paper that travelled through networks")
            && marked[0].contains("◆ ✗"),
        "{shown}"
    );
    // `!` lists it (and only it) with its line, from the embedded record.
    press_real(&mut exec, &mut app, "!");
    let answer = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the papers worker answers");
    exec.dispatch(&mut app, answer);
    let keys: Vec<&str> = app.papers.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["doi:10.1016/s0140-6736(97)11096-0"],
        "{}",
        screen(&app)
    );
}
