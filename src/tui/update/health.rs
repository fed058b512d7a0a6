//! Paper health in the reader: what a check found, said once; `!` lists the flagged papers.

use std::collections::{HashMap, HashSet};

use super::{papers, Effect};
use crate::library::health::read_retracted_line;
use crate::model::{EntryId, PaperRow};
use crate::papers::health::Status;
use crate::tui::state::{App, HealthView};

/// The health known offline arrived; after a check, `read_retracted` papers that posts the user
/// has read cite were found retracted, which the status line says (once: the next check finds
/// them retracted already).
pub(super) fn loaded(
    app: &mut App,
    lines: HashMap<String, (Status, String)>,
    retracted: HashSet<EntryId>,
    read_retracted: usize,
) {
    app.health.lines = lines;
    app.health.retracted_entries = retracted;
    let key = app.keymap.key_for("flagged_papers");
    let key = key.unwrap_or_else(|| "!".into());
    if let Some(line) = read_retracted_line(read_retracted, &key) {
        app.info(line);
    }
    let h = &app.health;
    keep_flagged(h, &mut app.papers.rows);
    let last = app.papers.rows.len().saturating_sub(1);
    app.papers.selected = app.papers.selected.min(last);
}

/// `!`: the Papers view with only the papers that have a notice, or all of them again.
pub(super) fn toggle_flagged(app: &mut App, fx: &mut Vec<Effect>) {
    app.health.flagged_only = !app.health.flagged_only;
    if app.health.flagged_only {
        app.info("papers with a notice (retracted, corrected, of concern): ! again for all");
        if app.papers.open {
            papers::reload(app, fx);
        } else {
            papers::open(app, false, fx);
        }
    } else {
        papers::reload(app, fx);
    }
}

/// Drops the rows without a notice when the view lists flagged papers only.
pub(super) fn keep_flagged(health: &HealthView, rows: &mut Vec<PaperRow>) {
    if health.flagged_only {
        rows.retain(|r| health.for_ids(&r.ids).is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    #[test]
    fn a_new_retraction_among_read_posts_is_said_once_and_marks_its_post() {
        let mut app = App::new(Keymap::default(), Theme::default(), (80, 24), false);
        let line = (Status::Retracted, "RETRACTED 2010-02-06".to_string());
        let lines: HashMap<_, _> = [("10.1/x".to_string(), line)].into();
        loaded(&mut app, lines.clone(), [7].into(), 1);
        let msg = app.status.message.clone().expect("message");
        assert_eq!(msg.text, "1 paper you read about was retracted: ! to see");
        // The same health read again (a reload) says nothing more.
        app.status.message = None;
        loaded(&mut app, lines, [7].into(), 0);
        assert!(app.status.message.is_none());
        assert!(crate::tui::view::health_mark_for_test(&app, 7).is_some());
        assert!(crate::tui::view::health_mark_for_test(&app, 8).is_none());
    }
}
