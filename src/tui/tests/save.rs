//! `z`: the paper to the reference manager, from the link list and the Papers view; the effect
//! it issues, and the real executor's worker answering on the status line.

use super::*;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::net::tests::{respond, serve};

#[test]
fn z_saves_the_link_lists_paper_and_the_papers_views_in_the_background() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.press(&mut app, "L");
    fake.take_log();
    fake.press(&mut app, "z");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::SavePaper { key }] if key == "doi:10.1000/a"
    ));
    let m = app.status.message.clone().expect("message");
    assert_eq!(m.text, "saving doi:10.1000/a …");
    assert!(matches!(app.overlay, Some(Overlay::LinkList { .. })));
    // A plain link is no paper.
    fake.press(&mut app, "G");
    fake.press(&mut app, "z");
    assert!(fake.take_log().is_empty());
    assert!(app
        .status
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("select a doi: row")));
    // The worker's answer, scrubbed, on the status line.
    fake.dispatch(
        &mut app,
        Action::Info("Saved to Zotero: A \u{1b}[2Jtitle".into()),
    );
    assert!(screen(&app).contains("Saved to Zotero: A [2Jtitle"));

    // The Papers view of December 2014: the selected paper.
    let (mut app, mut fake) = start(80, 24);
    fake.press(&mut app, ":");
    fake.type_text(&mut app, "2014-12");
    fake.press(&mut app, "Enter");
    fake.press(&mut app, "P");
    fake.take_log();
    let selected = app.papers.selected_paper().expect("a paper").key.clone();
    fake.press(&mut app, "z");
    assert!(matches!(
        fake.take_log().as_slice(),
        [Effect::SavePaper { key }] if *key == selected
    ));
}

/// The demo's Papers view of every month, its cursor on the seed's paper.
fn on_the_seeds_paper(exec: &mut super::super::Executor, rx: &Receiver<Action>) -> App {
    let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), true);
    exec.dispatch(&mut app, Action::CacheChanged);
    for key in ["Tab", "g", "j", "P"] {
        press_real(exec, &mut app, key);
    }
    while app.papers.rows.is_empty() {
        let answer = rx.recv_timeout(Duration::from_secs(60)).expect("answer");
        exec.dispatch(&mut app, answer);
    }
    app.papers.selected = app
        .papers
        .rows
        .iter()
        .position(|r| r.key == "doi:10.1111/hsc.12135")
        .expect("the seed's paper");
    app
}

/// Dispatches the worker's answers until the save's one line arrives.
fn save_answer(exec: &mut super::super::Executor, app: &mut App, rx: &Receiver<Action>) {
    loop {
        let answer = rx.recv_timeout(Duration::from_secs(60)).expect("answer");
        let done =
            matches!(&answer, Action::Info(t) | Action::Error(t) if !t.starts_with("saving"));
        exec.dispatch(app, answer);
        if done {
            return;
        }
    }
}

#[test]
fn the_real_worker_saves_to_zotero_and_reports_on_the_status_line() {
    let zotero = serve(|req, stream| match req.path.as_str() {
        "/connector/saveItems" => respond(stream, "201 Created", &[], b""),
        _ => respond(
            stream,
            "200 OK",
            &[("Content-Type", "application/json")],
            b"{}",
        ),
    });
    let (_dir, mut exec, rx) = demo_executor();
    exec.lib.config.papers.zotero_connector = zotero.url("");
    let mut app = on_the_seeds_paper(&mut exec, &rx);
    press_real(&mut exec, &mut app, "z");
    save_answer(&mut exec, &mut app, &rx);
    let m = app.status.message.clone().expect("message");
    assert!(!m.error, "{m:?}");
    assert!(
        m.text
            .starts_with("Saved to Zotero: Enhancing social networks"),
        "{m:?}"
    );
    assert!(screen(&app).contains("Saved to Zotero: Enhancing"));
    let paths: Vec<String> = zotero.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/connector/ping", "/connector/saveItems"]);

    // Zotero not running: the error, one line, and the reader goes on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    exec.lib.config.papers.zotero_connector = format!("http://127.0.0.1:{port}");
    press_real(&mut exec, &mut app, "z");
    save_answer(&mut exec, &mut app, &rx);
    let m = app.status.message.clone().expect("message");
    assert!(
        m.error && m.text.starts_with("Zotero is not running"),
        "{m:?}"
    );
}
