//! The CLI's paper health: `papers --check` (ask Crossref about every cited paper now),
//! `--flagged` / `--retracted` (which rows), and the `health` object of `papers --json` and
//! `dois --json`; after `refresh`, the routine check the reader makes after one.

use anyhow::Result;
use paperboy::library::health::{read_retracted_line, CheckScope, PaperHealth};
use paperboy::text::render::count;
use paperboy::Library;

/// Which papers `papers` lists, by health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct HealthFilter {
    pub flagged: bool,
    pub retracted: bool,
}

impl HealthFilter {
    pub(super) fn keeps(self, h: &PaperHealth) -> bool {
        (!self.flagged || h.status.is_flagged()) && (!self.retracted || h.status.is_retracted())
    }
}

/// `papers --check`: every cited paper asked now; one line on stderr says what came of it.
/// A failure leaves the last answers as they were (the listing shows them, with their dates).
pub(super) fn check_all(lib: &mut Library) -> Result<()> {
    let r = lib.check_health(CheckScope::All)?;
    let mut line = format!(
        "checked {} at Crossref",
        count(r.checked, "paper", "papers")
    );
    if !r.newly_retracted.is_empty() {
        line.push_str(&format!(
            "; newly retracted: {}",
            count(r.newly_retracted.len(), "paper", "papers")
        ));
    }
    if let Some(e) = &r.error {
        line.push_str(&format!(
            "; {} not checked ({e}): their last answers stand",
            count(r.failed, "paper", "papers")
        ));
    }
    eprintln!("{}", paperboy::text::scrub::scrub_line(&line));
    Ok(())
}

/// After `refresh`: the check the reader makes after one (papers never checked, and those due
/// again, bounded as the library bounds it), so a refresh from cron keeps health current. A
/// failure is one warning line naming Crossref (the last answers stand, the next refresh asks
/// again) and leaves the refresh's exit status alone; a paper newly found retracted that a read
/// post cites is said once, as the reader says it.
pub(super) fn check_after_refresh(lib: &mut Library) {
    let scrub = paperboy::text::scrub::scrub_line;
    match lib.check_health(CheckScope::Routine) {
        Ok(r) => {
            if let Some(e) = &r.error {
                eprintln!(
                    "paperboy: warning: {} not checked at Crossref ({}): their last answers \
                     stand, the next refresh asks again",
                    count(r.failed, "paper", "papers"),
                    scrub(e)
                );
            }
            let to_see = "paperboy papers --retracted";
            if let Some(line) = read_retracted_line(r.newly_retracted_read, to_see) {
                eprintln!("{line}");
            }
        }
        Err(e) => eprintln!(
            "paperboy: warning: paper health not checked at Crossref: {}",
            scrub(&e.to_string())
        ),
    }
}

/// `papers`: a check first with `--check`, then the listing, filtered by `--flagged` and
/// `--retracted`.
pub(super) fn papers(
    lib: &mut Library,
    q: &paperboy::store::ListQuery,
    check: bool,
    (flagged, retracted): (bool, bool),
    json: bool,
) -> Result<std::process::ExitCode> {
    if check {
        check_all(lib)?;
    }
    super::papers::papers(lib, q, json, HealthFilter { flagged, retracted })
}

/// The health table text for a paper: its line in brackets before the citation.
pub(super) fn prefix(h: &PaperHealth) -> String {
    h.line().map(|l| format!("[{l}] ")).unwrap_or_default()
}
