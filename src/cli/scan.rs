//! The upgrade's re-scan of stored posts for papers (issue 18), run before a command that reads
//! papers or months, and its fills of counters and titles (issue 20), run before any command and
//! the reader; their progress on stderr when the cache is big.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use paperboy::library::fills::Fill;
use paperboy::text::render::{
    counts_build_progress, paper_counts_fill_progress, papers_scan_progress, thousands,
    titles_fill_progress,
};
use paperboy::Library;

use super::Command;

/// Below this many posts to scan the scan takes well under a second: it says nothing.
const QUIET_BELOW: u64 = 5_000;

/// Whether `command` reads papers or months (and so needs every stored post scanned first).
/// Commands added later read papers unless listed here.
fn reads_papers(command: &Command) -> bool {
    !matches!(
        command,
        Command::Add { .. }
            | Command::Backfill { .. }
            | Command::Remove { .. }
            | Command::Feeds { .. }
            | Command::Folder { .. }
            | Command::Folders { .. }
            | Command::RenameFolder { .. }
            | Command::Rename { .. }
            | Command::Star { .. }
            | Command::Unstar { .. }
            | Command::Import { .. }
            | Command::Export { .. }
            | Command::Refresh { .. }
            | Command::List { .. }
            | Command::Show { .. }
            | Command::Dois { .. }
            | Command::Read { .. }
            | Command::Unread { .. }
            | Command::Sync { .. }
            | Command::Completions { .. }
            | Command::Man
            | Command::Doctor
            | Command::Keys
    )
}

/// Runs the re-scan if it is due and `command` needs it: progress updated in place on a
/// terminal, one line otherwise, nothing for a small cache.
pub(super) fn papers_first(lib: &mut Library, command: &Command) -> Result<()> {
    if !reads_papers(command) {
        return Ok(());
    }
    let Some(due) = lib.papers_scan_due()? else {
        return Ok(());
    };
    let shown = Shown::new(
        due.total.saturating_sub(due.done),
        "finding papers in {} stored posts",
    );
    lib.scan_papers(|done, total| shown.progress(&papers_scan_progress(done, total)))?;
    shown.end();
    Ok(())
}

/// Runs the upgrade's fills if they are due (issue 20: the entry counters, the DOIs' titles and
/// the paper counters), before any command and before the reader's first frame: every count
/// reads them. Shown as the re-scan is.
pub(super) fn fills_first(lib: &mut Library) -> Result<()> {
    for fill in Fill::ALL {
        let Some(due) = lib.fill_due(fill)? else {
            continue;
        };
        let (what, line): (&str, fn(u64, u64) -> String) = match fill {
            Fill::EntryCounts => ("counting {} stored entries", counts_build_progress),
            Fill::Titles => (
                "giving {} stored DOIs their posts' titles",
                titles_fill_progress,
            ),
            Fill::PaperCounts => (
                "counting {} stored citations of papers",
                paper_counts_fill_progress,
            ),
        };
        let shown = Shown::new(due.total.saturating_sub(due.done), what);
        lib.run_fill(fill, usize::MAX, |done, total| {
            shown.progress(&line(done, total))
        })?;
        shown.end();
    }
    Ok(())
}

/// An upgrade's work on stderr: in place on a terminal, one line otherwise, nothing when
/// there is little of it.
struct Shown {
    loud: bool,
    terminal: bool,
}

impl Shown {
    /// `what` holds `{}` for the number of items left.
    fn new(left: u64, what: &str) -> Shown {
        let loud = left >= QUIET_BELOW;
        let terminal = std::io::stderr().is_terminal();
        if loud && !terminal {
            eprintln!(
                "paperboy: {} (once, after an upgrade)",
                what.replace("{}", &thousands(left))
            );
        }
        Shown { loud, terminal }
    }

    fn progress(&self, line: &str) {
        if self.loud && self.terminal {
            eprint!("\r\x1b[K{line}");
            let _ = std::io::stderr().flush();
        }
    }

    fn end(&self) {
        if self.loud && self.terminal {
            eprint!("\r\x1b[K");
        }
    }
}
