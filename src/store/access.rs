//! `paper_oa`: what Unpaywall said of a DOI's open-access copy, keyed by the bare lowercased
//! DOI. "No copy" is a row with `url` NULL, so a closed paper is not asked again each time.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_secs, Result, Store};

/// One `paper_oa` row: the copy's fields (`url` `None`: no open-access copy), and when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaRow {
    pub url: Option<String>,
    pub pdf: Option<String>,
    pub version: Option<String>,
    pub license: Option<String>,
    pub host_type: Option<String>,
    pub checked: DateTime<Utc>,
}

impl Store {
    /// The stored answer for `doi_key`, fresh or stale.
    pub fn paper_oa(&self, doi_key: &str) -> Result<Option<OaRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, pdf, version, license, host_type, checked FROM paper_oa \
             WHERE doi_key = ?1",
        )?;
        let row = stmt
            .query_row([doi_key], |r| {
                Ok(OaRow {
                    url: r.get(0)?,
                    pdf: r.get(1)?,
                    version: r.get(2)?,
                    license: r.get(3)?,
                    host_type: r.get(4)?,
                    checked: from_secs(r.get(5)?),
                })
            })
            .optional()?;
        Ok(row)
    }

    /// Stores an answer, replacing the one before.
    pub fn put_paper_oa(&mut self, doi_key: &str, row: &OaRow) -> Result<()> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO paper_oa (doi_key, url, pdf, version, license, host_type, checked) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (doi_key) DO UPDATE SET \
             url = excluded.url, pdf = excluded.pdf, version = excluded.version, \
             license = excluded.license, host_type = excluded.host_type, \
             checked = excluded.checked",
        )?
        .execute(params![
            doi_key,
            row.url,
            row.pdf,
            row.version,
            row.license,
            row.host_type,
            row.checked.timestamp()
        ])?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_and_no_copy_are_stored_and_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Store::open(&dir.path().join("c.db")).expect("open");
        assert_eq!(store.paper_oa("10.1/x").expect("read"), None);
        let at = from_secs(1_700_000_000);
        let none = OaRow {
            url: None,
            pdf: None,
            version: None,
            license: None,
            host_type: None,
            checked: at,
        };
        store.put_paper_oa("10.1/x", &none).expect("write");
        assert_eq!(store.paper_oa("10.1/x").expect("read"), Some(none.clone()));
        let open = OaRow {
            url: Some("https://h/p".into()),
            pdf: Some("https://h/p.pdf".into()),
            version: Some("acceptedVersion".into()),
            license: Some("cc-by".into()),
            host_type: Some("repository".into()),
            checked: from_secs(1_700_000_100),
        };
        store.put_paper_oa("10.1/x", &open).expect("replace");
        assert_eq!(store.paper_oa("10.1/x").expect("read"), Some(open));
    }
}
