//! The library's paper API: what is known offline of a paper found in posts.

use crate::library::citations::CitationState;
use crate::library::{Library, Result};
use crate::model::PaperRow;
use crate::papers::cite::Citation;
use crate::text::ids::CoinsCitation;

/// The citations cache's key for a paper key: the bare lowercased DOI for `doi:` keys (as
/// DOIs were always cached), the whole key (`arxiv:2401.12345`) for the others.
pub fn citation_cache_key(paper_key: &str) -> String {
    match paper_key.strip_prefix("doi:") {
        Some(doi) => crate::text::doi::key(doi),
        None => paper_key.to_string(),
    }
}

/// What a line names a paper by: the DOI itself for `doi:` keys, else the key.
pub fn display_id(paper_key: &str) -> &str {
    paper_key.strip_prefix("doi:").unwrap_or(paper_key)
}

/// Where a paper opens: the page of its `key`, else of the first of its other `ids` that has
/// one (see [`crate::papers::services::paper_url`]).
pub fn paper_home(key: &str, ids: &[String], resolver: &str) -> Option<String> {
    std::iter::once(key)
        .chain(ids.iter().map(String::as_str))
        .find_map(|k| crate::papers::services::paper_url(k, resolver))
}

impl Library {
    /// Every key the paper `key` names is known by: its canonical key first (see
    /// [`Library::paper_key`]), then each alias a post or a service gave it (a PMID's DOI and
    /// PMC id, an arXiv paper's published DOI), then `key` itself; each once. No network.
    pub fn paper_ids(&self, key: &str) -> Result<Vec<String>> {
        let canonical = self.paper_key(key)?;
        let aliases = (self.store.aliases_of(&canonical)).map_err(|e| self.store_err(e))?;
        let mut ids = vec![canonical];
        for id in aliases.into_iter().chain([key.to_string()]) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// The citation known offline for a paper: a cached look-up under any of its ids (fresh or
    /// stale), else the one its COinS span gave; `None` when neither is known.
    pub fn known_citation(&self, paper: &PaperRow) -> Result<Option<Citation>> {
        for id in &paper.ids {
            let key = citation_cache_key(id);
            let cached = self.store.citation(&key).map_err(|e| self.store_err(e))?;
            if let Some(CitationState::Found { citation }) =
                cached.map(|c| Self::state_of(&c, display_id(id)))
            {
                return Ok(Some(citation));
            }
        }
        Ok(paper
            .coins
            .as_ref()
            .map(|c| coins_citation(c, display_id(&paper.key))))
    }
}

/// A COinS span's fields as a citation (its authors as written, its year from its date).
pub fn coins_citation(c: &CoinsCitation, id: &str) -> Citation {
    Citation {
        doi: id.to_string(),
        authors: c.authors.clone(),
        year: c
            .date
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse().ok()),
        title: c.title.clone(),
        container: c.journal.clone(),
        volume: c.volume.clone(),
        issue: None,
        pages: c.start_page.clone(),
        kind: Some("article-journal".to_string()),
        extra: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ListQuery;

    #[test]
    fn a_demo_paper_has_its_cached_citation_and_a_coins_paper_its_spans() {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = crate::paths::Paths::resolve(Some(dir.path()), None).expect("paths");
        let mut lib = Library::open(paths, crate::config::Config::default()).expect("open");
        lib.load_demo().expect("demo");
        let month = lib
            .papers(&ListQuery {
                month: Some("2014-12".into()),
                ..ListQuery::default()
            })
            .expect("papers");
        let hsc = month
            .iter()
            .find(|p| p.key == "doi:10.1111/hsc.12135")
            .expect("the seed's paper is cited in December 2014");
        let line = lib
            .known_citation(hsc)
            .expect("cache")
            .expect("cached")
            .line();
        assert!(
            line.starts_with("Webber, M., Reidy, H.")
                && line.ends_with("doi.org/10.1111/hsc.12135"),
            "{line}"
        );

        let coins = CoinsCitation {
            title: Some("A trial".into()),
            journal: Some("J Test".into()),
            date: Some("2013-04-02".into()),
            authors: vec!["Smith, J".into()],
            volume: Some("12".into()),
            start_page: Some("34".into()),
        };
        let row = PaperRow {
            key: "pmid:23193287".into(),
            ids: vec!["pmid:23193287".into()],
            coins: Some(coins),
            ..hsc.clone()
        };
        let line = lib
            .known_citation(&row)
            .expect("cache")
            .expect("coins")
            .line();
        // A paper without a DOI is named by its key.
        assert_eq!(
            line,
            "Smith, J. (2013). A trial. J Test, 12, 34. pmid:23193287"
        );
    }

    #[test]
    fn doi_keys_are_cached_under_the_bare_doi() {
        assert_eq!(
            citation_cache_key("doi:10.1111/HSC.12135"),
            "10.1111/hsc.12135"
        );
        assert_eq!(citation_cache_key("arxiv:2401.12345"), "arxiv:2401.12345");
        assert_eq!(display_id("doi:10.1/x"), "10.1/x");
    }
}
