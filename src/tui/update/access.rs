//! Open-access copies in the reader: asking for the papers shown (the link list's DOIs, the
//! Papers view's rows), what comes back, and `O`, which opens the copy (at once when known,
//! else as soon as the look-up answers).

use crate::library::access::NO_EMAIL_HINT;
use crate::papers::access::OaState;
use crate::tui::action::Action;
use crate::tui::state::{doi_row_key, App};

use super::Effect;

/// Reads (and, outside the demo, asks Unpaywall about) the papers `(key, ids)` not asked yet.
pub(super) fn want(app: &mut App, papers: Vec<(String, Vec<String>)>, fx: &mut Vec<Effect>) {
    let a = &mut app.access;
    let new: Vec<(String, Vec<String>)> = papers
        .into_iter()
        .filter(|(key, _)| !a.known.contains_key(key) && a.asked.insert(key.clone()))
        .collect();
    if !new.is_empty() {
        fx.push(Effect::LoadOa {
            papers: new,
            ask: !app.demo,
        });
    }
}

/// The link list's DOIs, as papers.
pub(super) fn want_entry_dois(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(r) = &app.reader else {
        return;
    };
    let papers = r.entry.dois.iter().map(|d| {
        let key = doi_row_key(&d.doi);
        (key.clone(), vec![key])
    });
    let papers = papers.collect();
    want(app, papers, fx);
}

/// `O` on a paper: opens its copy when known, says there is none, or asks and opens on answer.
pub(super) fn open(app: &mut App, key: String, ids: Vec<String>, fx: &mut Vec<Effect>) {
    let name = crate::text::scrub::scrub_line(crate::library::papers::display_id(&key));
    // arXiv and PMC papers are open by nature: nothing to ask, in the demo too.
    let by_nature = (ids.iter().chain([&key]))
        .find_map(|k| crate::papers::access::open_by_nature(k))
        .map(OaState::Open);
    match by_nature.as_ref().or(app.access.known.get(&key)) {
        Some(state) => open_known(app, &name, state.clone(), fx),
        None if app.demo => app.info(format!(
            "no open-access copy known for {name} (the demo does not ask Unpaywall)"
        )),
        None => {
            app.access.open_when_known = Some(key.clone());
            // Asked again even if asked before: a failed look-up is not an answer.
            app.access.asked.remove(&key);
            want(app, vec![(key, ids)], fx);
            app.info(format!("looking up the open-access copy of {name} …"));
        }
    }
}

fn open_known(app: &mut App, name: &str, state: OaState, fx: &mut Vec<Effect>) {
    match state.open_url() {
        Some(url) => fx.push(Effect::OpenUrl(url.to_string())),
        None => app.info(format!(
            "no open-access copy known for {name} (Unpaywall lists none)"
        )),
    }
}

/// What the look-ups sent back.
pub(super) fn message(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::OaKnown(states) => {
            for (key, state) in states {
                if app.access.open_when_known.as_ref() == Some(&key) {
                    app.access.open_when_known = None;
                    let name = crate::library::papers::display_id(&key).to_string();
                    open_known(
                        app,
                        &crate::text::scrub::scrub_line(&name),
                        state.clone(),
                        fx,
                    );
                }
                app.access.known.insert(key, state);
            }
        }
        Action::OaNoEmail => {
            app.access.open_when_known = None;
            if !std::mem::replace(&mut app.access.warned, true) {
                app.error(NO_EMAIL_HINT);
            }
        }
        Action::OaFailed(line) => {
            app.access.open_when_known = None;
            app.error(line);
        }
        _ => {}
    }
}
