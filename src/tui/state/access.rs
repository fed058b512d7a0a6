//! Open-access copies of the papers the reader shows (the link list's DOIs, the Papers view's
//! rows), by paper key, as they become known; and the one warning when Unpaywall cannot be asked.

use std::collections::{BTreeMap, BTreeSet};

use crate::papers::access::OaState;

#[derive(Debug, Clone, Default)]
pub struct AccessState {
    /// What is known, by paper key (`doi:…` lowercased for the link list's DOIs).
    pub known: BTreeMap<String, OaState>,
    /// Keys already sent for: each is read (and asked) at most once a session.
    pub asked: BTreeSet<String>,
    /// The key whose copy `O` opens as soon as it is known.
    pub open_when_known: Option<String>,
    /// The "set [doi] mailto" warning was shown.
    pub warned: bool,
}

/// The key the link list's DOI rows are known by.
pub fn doi_row_key(doi: &str) -> String {
    format!("doi:{}", crate::text::doi::key(doi))
}
