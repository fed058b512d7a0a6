//! `z` in the link list and the Papers view: the paper goes to the reference manager on a
//! worker; the status line says "saving …" now and the worker's one line when it is done.

use crate::library::citations::label;
use crate::tui::state::App;

use super::Effect;

/// `z` on a link-list row: its DOI, if it is a paper's row.
pub(super) fn save_link(app: &mut App, doi: Option<String>, fx: &mut Vec<Effect>) {
    match doi {
        Some(doi) => save_paper(app, Some(format!("doi:{doi}")), fx),
        None => app.info("saving is for papers: select a doi: row"),
    }
}

/// `z` on a paper (`None`: no paper selected).
pub(super) fn save_paper(app: &mut App, key: Option<String>, fx: &mut Vec<Effect>) {
    let Some(key) = key else {
        return;
    };
    app.info(format!("saving {} …", label(&key)));
    fx.push(Effect::SavePaper { key });
}
