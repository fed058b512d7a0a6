//! Open-access copies in the reader: the `OA:` line in the Papers view and the link list, and
//! `O` opening the copy (at once when known, on the answer when not).

use super::*;
use crate::papers::access::{OaCopy, OaState};

fn copy() -> OaState {
    OaState::Open(OaCopy {
        url: "https://repo.example/a".into(),
        pdf: Some("https://repo.example/a.pdf".into()),
        version: Some("publishedVersion".into()),
        license: Some("cc-by".into()),
        host_type: Some("repository".into()),
    })
}

fn opened(log: &[Effect]) -> Vec<String> {
    log.iter()
        .filter_map(|e| match e {
            Effect::OpenUrl(u) => Some(u.clone()),
            _ => None,
        })
        .collect()
}

fn oa_asked(log: &[Effect]) -> Vec<String> {
    log.iter()
        .flat_map(|e| match e {
            Effect::LoadOa { papers, .. } => papers.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn the_papers_view_shows_the_oa_line_and_o_opens_the_copy() {
    let (mut app, mut fake) = super::papers::december_papers(80, 24);
    let log = fake.take_log();
    // The rows shown are read (and asked for) once.
    let asked = oa_asked(&log);
    assert!(asked.contains(&"doi:10.1000/a".to_string()), "{asked:?}");
    fake.press(&mut app, "j");
    fake.press(&mut app, "k");
    assert!(oa_asked(&fake.take_log()).is_empty(), "asked once");
    let key = app.papers.selected_paper().expect("a row").key.clone();
    assert!(screen(&app).contains("OA: looking up…"));
    fake.dispatch(&mut app, Action::OaKnown(vec![(key.clone(), copy())]));
    assert!(
        screen(&app).contains("OA: PDF, publishedVersion, cc-by"),
        "{}",
        screen(&app)
    );
    fake.press(&mut app, "O");
    assert_eq!(opened(&fake.take_log()), vec!["https://repo.example/a.pdf"]);
    fake.dispatch(&mut app, Action::OaKnown(vec![(key, OaState::NoneKnown)]));
    assert!(screen(&app).contains("OA: none known"));
    fake.press(&mut app, "O");
    assert!(opened(&fake.take_log()).is_empty());
    let said = app
        .status
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("no open-access copy known"), "{said}");
}

#[test]
fn o_in_the_link_list_opens_the_copy_once_known_and_no_email_is_said_once() {
    let (mut app, mut fake) = reading_holiday_list(80, 24, false);
    fake.press(&mut app, "L");
    assert_eq!(
        oa_asked(&fake.take_log()),
        vec!["doi:10.1000/a".to_string(), "doi:10.1000/b".to_string()]
    );
    // Not known yet: `O` asks again and opens on the answer.
    fake.press(&mut app, "O");
    assert_eq!(
        oa_asked(&fake.take_log()),
        vec!["doi:10.1000/a".to_string()]
    );
    fake.dispatch(
        &mut app,
        Action::OaKnown(vec![("doi:10.1000/a".into(), copy())]),
    );
    assert_eq!(opened(&fake.take_log()), vec!["https://repo.example/a.pdf"]);
    assert!(screen(&app).contains("OA: PDF, publishedVersion, cc-by"));
    // Known: `O` opens at once.
    fake.press(&mut app, "O");
    assert_eq!(opened(&fake.take_log()), vec!["https://repo.example/a.pdf"]);
    // Without [doi] mailto the workers say so; the reader says it once.
    fake.dispatch(&mut app, Action::OaNoEmail);
    let said = app.status.message.clone().expect("said");
    assert!(said.error && said.text.contains("[doi] mailto"), "{said:?}");
    app.status.message = None;
    fake.dispatch(&mut app, Action::OaNoEmail);
    assert_eq!(app.status.message, None, "once");
}

#[test]
fn o_is_in_the_keymap_and_the_help_of_both_places() {
    let map = Keymap::default();
    let o = Key::parse("O").expect("key");
    assert_eq!(map.lookup_only(Ctx::Links, o), Some(Action::OpenOa));
    assert_eq!(map.lookup_only(Ctx::Papers, o), Some(Action::OpenOa));
    for ctx in [Ctx::Links, Ctx::Papers] {
        let (_, rows) = map
            .help_sections()
            .into_iter()
            .find(|(c, _)| *c == ctx)
            .expect("ctx");
        assert!(
            rows.iter()
                .any(|(k, h)| k == "O" && h.contains("open-access")),
            "{ctx:?}"
        );
    }
}
