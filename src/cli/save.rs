//! `save`: a paper into Zotero or through `[papers] save_command`.

use std::process::ExitCode;

use anyhow::{bail, Result};
use paperboy::library::citations::label;
use paperboy::model::EntryId;
use paperboy::text::scrub::scrub_line;
use paperboy::Library;

use super::dois::typed_paper;

pub(super) fn save(lib: &mut Library, target: &str, paper: Option<usize>) -> Result<ExitCode> {
    let key = match target.parse::<EntryId>() {
        Ok(entry) => entry_paper(lib, entry, paper)?,
        Err(_) if paper.is_some() => bail!("--paper N goes with an entry id, not with a paper"),
        Err(_) => match typed_paper(target) {
            // `typed_paper` gives a DOI bare and other papers as keys.
            Some(id) if id.starts_with("10.") => format!("doi:{id}"),
            Some(key) => key,
            None => bail!(
                "`{}` is neither a DOI (10.NNNN/…), a paper key (arxiv:…, pmid:…, pmcid:PMC…) \
                 nor an entry id",
                scrub_line(target)
            ),
        },
    };
    let saved = lib.save_paper(&key)?;
    println!("{}", saved.message());
    Ok(ExitCode::SUCCESS)
}

/// The entry's paper `n` (1-based; the only one when `n` is not given).
fn entry_paper(lib: &Library, entry: EntryId, n: Option<usize>) -> Result<String> {
    let papers = lib.entry_papers(entry)?;
    let listing = || {
        papers
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{} {}", i + 1, label(&scrub_line(&p.key))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (n, papers.len()) {
        (_, 0) => bail!("entry {entry} cites no paper"),
        (None, 1) => Ok(papers[0].key.clone()),
        (None, count) => bail!(
            "entry {entry} cites {count} papers ({}): give --paper N",
            listing()
        ),
        (Some(n), count) => match n.checked_sub(1).and_then(|i| papers.get(i)) {
            Some(p) => Ok(p.key.clone()),
            None => bail!(
                "entry {entry} has no paper {n}: it cites {count} ({})",
                listing()
            ),
        },
    }
}
