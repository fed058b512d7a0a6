//! Papers a service says are one: two keys' groups of aliases joined under one key.

use rusqlite::params;

use super::{Result, Store};

/// Which key names a joined paper: a publisher DOI, then arXiv, PubMed, PMC; an arXiv DOI
/// (`10.48550/…`) after its arXiv id (the order the identifier finder uses).
fn preference(key: &str) -> u8 {
    match key.split_once(':').map(|(kind, _)| kind) {
        Some("doi") if key.starts_with("doi:10.48550/") => 4,
        Some("doi") => 0,
        Some("arxiv") => 1,
        Some("pmid") => 2,
        Some("pmcid") => 3,
        _ => 5,
    }
}

impl Store {
    /// Records that `a` and `b` name one paper (a service said so, e.g. arXiv's `arxiv:doi`):
    /// their groups become one under the preferred key, every alias pointing at it directly.
    pub fn join_papers(&mut self, a: &str, b: &str) -> Result<()> {
        let (ka, kb) = (self.paper_key(a)?, self.paper_key(b)?);
        if ka == kb {
            return Ok(());
        }
        let (keep, fold) = if preference(&kb) < preference(&ka) {
            (kb, ka)
        } else {
            (ka, kb)
        };
        let tx = self.write()?;
        tx.execute(
            "UPDATE paper_aliases SET paper_key = ?1 WHERE paper_key = ?2",
            params![keep, fold],
        )?;
        tx.execute(
            "INSERT INTO paper_aliases (alias_key, paper_key) VALUES (?1, ?2) \
             ON CONFLICT (alias_key) DO UPDATE SET paper_key = excluded.paper_key",
            params![fold, keep],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The other keys of the paper `key` names (its canonical key): every alias pointing at it.
    pub fn aliases_of(&self, key: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT alias_key FROM paper_aliases WHERE paper_key = ?1 ORDER BY alias_key",
        )?;
        let rows = stmt.query_map([key], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining_keeps_one_hop_and_prefers_the_doi() {
        let mut store = Store::open_in_memory().unwrap();
        // A COinS span said pmid and pmcid are one paper (pmid canonical).
        store.put_paper_alias("pmcid:PMC1", "pmid:1").unwrap();
        // PubMed says the pmid's DOI: the DOI names the paper, and the PMC id follows.
        store.join_papers("pmid:1", "doi:10.1/x").unwrap();
        for k in ["pmid:1", "pmcid:PMC1", "doi:10.1/x"] {
            assert_eq!(store.paper_key(k).unwrap(), "doi:10.1/x", "{k}");
        }
        // Joining again, either way round, changes nothing.
        store.join_papers("doi:10.1/x", "pmcid:PMC1").unwrap();
        assert_eq!(store.paper_key("pmid:1").unwrap(), "doi:10.1/x");
        // An arXiv DOI does not name the paper over its arXiv id.
        store
            .join_papers("doi:10.48550/arxiv.2401.1", "arxiv:2401.1")
            .unwrap();
        assert_eq!(
            store.paper_key("doi:10.48550/arxiv.2401.1").unwrap(),
            "arxiv:2401.1"
        );
    }
}
