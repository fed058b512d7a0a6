//! What the reader knows of paper health: the notice lines of flagged papers (few, kept in
//! memory), the entries citing a retracted paper, and whether the Papers view shows only
//! flagged papers.

use std::collections::{HashMap, HashSet};

use crate::model::EntryId;
use crate::papers::health::Status;

#[derive(Debug, Clone, Default)]
pub struct HealthView {
    /// The health line of each flagged paper, by DOI key (bare, lowercased).
    pub lines: HashMap<String, (Status, String)>,
    /// Entries citing a retracted (withdrawn, removed) paper: the entry list marks them.
    pub retracted_entries: HashSet<EntryId>,
    /// The Papers view lists only flagged papers (`!`).
    pub flagged_only: bool,
}

impl HealthView {
    /// The most serious line among a paper's ids (`doi:…` keys).
    pub fn for_ids(&self, ids: &[String]) -> Option<&(Status, String)> {
        ids.iter()
            .filter_map(|k| k.strip_prefix("doi:"))
            .filter_map(|d| self.for_doi(d))
            .min_by_key(|(s, _)| *s)
    }

    pub fn for_doi(&self, doi: &str) -> Option<&(Status, String)> {
        self.lines.get(&crate::text::doi::key(doi))
    }
}
