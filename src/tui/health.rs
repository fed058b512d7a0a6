//! The reader's health work, off the drawing thread: reading what is known offline, and the
//! check after a refresh (new papers, and known ones due again), which runs on the refresh's
//! worker once its feeds are stored, so the reader never waits for Crossref.

use std::sync::mpsc::Sender;

use super::action::Action;
use crate::library::health::CheckScope;
use crate::library::Library;

/// The health known offline, as the action that carries it to the state.
pub(crate) fn load(lib: &Library, read_retracted: usize) -> Result<Action, crate::library::Error> {
    let lines = lib
        .flagged_papers()?
        .into_iter()
        .filter_map(|(doi, h)| Some((doi, (h.status, h.line()?))))
        .collect();
    Ok(Action::HealthLoaded {
        lines,
        retracted: lib.entries_citing_retracted()?,
        read_retracted,
    })
}

/// Checks what is new or due after a refresh and sends what is known then. A failure is
/// logged, not shown: the last answers stand, and the next refresh asks again.
pub(crate) fn check_after_refresh(lib: &mut Library, tx: &Sender<Action>) {
    let read_retracted = match lib.check_health(CheckScope::Routine) {
        Ok(report) => {
            if let Some(e) = &report.error {
                tracing::info!(failed = report.failed, error = %e, "health check incomplete");
            }
            report.newly_retracted_read
        }
        Err(e) => {
            tracing::info!(error = %e, "health check failed");
            0
        }
    };
    match load(lib, read_retracted) {
        Ok(a) => {
            let _ = tx.send(a);
        }
        Err(e) => tracing::info!(error = %e, "cannot read paper health"),
    }
}
