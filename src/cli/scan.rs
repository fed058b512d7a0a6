//! The upgrade's re-scan of stored posts for papers (issue 18), run before a command that reads
//! papers or months, with its progress on stderr when the cache is big.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use paperboy::text::render::{papers_scan_progress, thousands};
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
    let left = due.total.saturating_sub(due.done);
    let loud = left >= QUIET_BELOW;
    let terminal = std::io::stderr().is_terminal();
    if loud && !terminal {
        eprintln!(
            "paperboy: finding papers in {} stored posts (once, after an upgrade)",
            thousands(left)
        );
    }
    lib.scan_papers(|done, total| {
        if loud && terminal {
            eprint!("\r\x1b[K{}", papers_scan_progress(done, total));
            let _ = std::io::stderr().flush();
        }
    })?;
    if loud && terminal {
        eprint!("\r\x1b[K");
    }
    Ok(())
}
