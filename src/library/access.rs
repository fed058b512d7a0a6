//! The library's open-access API: a paper's legal open-access copy, known offline (arXiv and PMC
//! papers by nature, DOIs from the `paper_oa` cache) or asked of Unpaywall.
//!
//! Unpaywall has no batch endpoint: DOIs are asked one at a time, in the service's shared
//! pacer's turns (one request in flight in the whole process, 100 ms apart), which keeps a
//! reader far under its 100,000 calls a day. It wants a contact email: without `[doi] mailto`
//! nothing is asked, and the caller says once how to set it.

use chrono::Utc;

use crate::library::{Error, Library, Result};
use crate::net::Fetcher;
use crate::papers::access::{open_by_nature, OaCopy, OaState};
use crate::papers::services::{pacer, unpaywall};
use crate::store::OaRow;

/// What to say, once, when open-access copies cannot be asked for.
pub const NO_EMAIL_HINT: &str = "open-access copies: Unpaywall asks for a contact email; set \
                                 [doi] mailto = \"you@example.org\" in config.toml";

/// The answer to "where is this paper's open-access copy?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaAnswer {
    Known(OaState),
    /// Unpaywall was not asked: no `[doi] mailto`.
    NoEmail,
    /// Unpaywall is asked by DOI, and the paper has none (a PubMed-only paper).
    NoDoi,
    /// The look-up failed (one line naming Unpaywall); the next look-up asks again.
    Failed(String),
}

/// The bare lowercased DOI among a paper's ids, as `paper_oa` keys it.
fn doi_key(ids: &[String]) -> Option<String> {
    ids.iter()
        .find_map(|k| k.strip_prefix("doi:"))
        .map(crate::text::doi::key)
}

fn state_of(row: &OaRow) -> OaState {
    match &row.url {
        Some(url) => OaState::Open(OaCopy {
            url: url.clone(),
            pdf: row.pdf.clone(),
            version: row.version.clone(),
            license: row.license.clone(),
            host_type: row.host_type.clone(),
        }),
        None => OaState::NoneKnown,
    }
}

fn row_of(copy: Option<&OaCopy>) -> OaRow {
    OaRow {
        url: copy.map(|c| c.url.clone()),
        pdf: copy.and_then(|c| c.pdf.clone()),
        version: copy.and_then(|c| c.version.clone()),
        license: copy.and_then(|c| c.license.clone()),
        host_type: copy.and_then(|c| c.host_type.clone()),
        checked: Utc::now(),
    }
}

impl Library {
    /// The contact Unpaywall is asked with: `[doi] mailto`, when set.
    pub fn unpaywall_email(&self) -> Option<String> {
        let mailto = self.config.doi.mailto.as_deref().map(str::trim);
        mailto.filter(|m| !m.is_empty()).map(str::to_string)
    }

    /// What is known offline of the open-access copy of the paper with `ids` (its keys):
    /// Unpaywall's stored copy, else an arXiv or PMC id's own, else Unpaywall's stored "none";
    /// `None` when nothing is known (never touches the network).
    pub fn oa_known(&self, ids: &[String]) -> Result<Option<OaState>> {
        let stored = match doi_key(ids) {
            Some(key) => self.store.paper_oa(&key).map_err(|e| self.store_err(e))?,
            None => None,
        };
        let stored = stored.as_ref().map(state_of);
        if let Some(open @ OaState::Open(_)) = stored {
            return Ok(Some(open));
        }
        if let Some(copy) = ids.iter().find_map(|k| open_by_nature(k)) {
            return Ok(Some(OaState::Open(copy)));
        }
        Ok(stored)
    }

    /// The DOI to ask Unpaywall about for the paper with `ids`: its DOI, when the paper has no
    /// copy by nature and the stored answer is missing or older than `[doi] cache_days`.
    pub fn oa_due(&self, ids: &[String]) -> Result<Option<String>> {
        if ids.iter().any(|k| open_by_nature(k).is_some()) {
            return Ok(None);
        }
        let Some(key) = doi_key(ids) else {
            return Ok(None);
        };
        let row = self.store.paper_oa(&key).map_err(|e| self.store_err(e))?;
        let max_age = i64::try_from(self.config.doi.cache_days).unwrap_or(i64::MAX);
        let fresh = row.is_some_and(|r| (Utc::now() - r.checked).num_days() < max_age);
        Ok((!fresh).then_some(key))
    }

    /// Asks Unpaywall about `dois` (bare), one request at a time, storing each answer and
    /// reporting it as it arrives. Without `[doi] mailto` nothing is asked: every DOI is
    /// [`OaAnswer::NoEmail`]. A failure leaves the stored answer as it was.
    pub fn oa_lookup(
        &mut self,
        dois: &[String],
        on_each: &mut dyn FnMut(&str, &OaAnswer),
    ) -> Result<Vec<(String, OaAnswer)>> {
        let Some(email) = self.unpaywall_email() else {
            let out: Vec<(String, OaAnswer)> = dois
                .iter()
                .map(|d| (d.clone(), OaAnswer::NoEmail))
                .collect();
            out.iter().for_each(|(d, a)| on_each(d, a));
            return Ok(out);
        };
        let mut fetch = self.config.fetch.clone();
        fetch.max_body_mib = fetch.max_body_mib.min(unpaywall::MAX_BODY_MIB);
        fetch.timeout_secs = fetch.timeout_secs.min(unpaywall::TIMEOUT_SECS);
        let fetcher = Fetcher::new(&fetch)?;
        let base = self.config.papers.unpaywall_api.clone();
        let todo = dois.to_vec();
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let handle = rt.spawn(async move {
            let pacer = pacer::shared(&base, unpaywall::GAP);
            for doi in todo {
                let answer = unpaywall::lookup(&fetcher, &pacer, &base, &email, &doi).await;
                if tx.send((doi, answer)).is_err() {
                    break;
                }
            }
        });
        let mut out = Vec::with_capacity(dois.len());
        while let Some((doi, answer)) = rx.blocking_recv() {
            let key = crate::text::doi::key(&doi);
            let answer = match answer {
                Ok(unpaywall::Answer::Record(copy)) => {
                    self.put_oa(&key, copy.as_ref())?;
                    OaAnswer::Known(copy.map_or(OaState::NoneKnown, OaState::Open))
                }
                Ok(unpaywall::Answer::NoRecord) => {
                    self.put_oa(&key, None)?;
                    OaAnswer::Known(OaState::NoneKnown)
                }
                Err(e) => OaAnswer::Failed(e.to_string()),
            };
            on_each(&doi, &answer);
            out.push((doi, answer));
        }
        rt.block_on(handle)
            .map_err(|e| Error::Runtime(format!("Unpaywall task failed: {e}")))?;
        Ok(out)
    }

    fn put_oa(&mut self, key: &str, copy: Option<&OaCopy>) -> Result<()> {
        let put = self.store.put_paper_oa(key, &row_of(copy));
        put.map_err(|e| self.store_err(e))
    }

    /// The open-access copy of the paper with `ids`, asking Unpaywall when the stored answer
    /// is missing or stale (a failed look-up falls back to a stale answer).
    pub fn oa_now(&mut self, ids: &[String]) -> Result<OaAnswer> {
        let Some(doi) = self.oa_due(ids)? else {
            return Ok(match self.oa_known(ids)? {
                Some(state) => OaAnswer::Known(state),
                None => OaAnswer::NoDoi,
            });
        };
        let asked = self.oa_lookup(&[doi], &mut |_, _| {})?;
        let answer = asked.into_iter().next().map(|(_, a)| a);
        Ok(match (answer, self.oa_known(ids)?) {
            (Some(OaAnswer::Known(state)), _) => OaAnswer::Known(state),
            (_, Some(stale)) => OaAnswer::Known(stale),
            (Some(other), None) => other,
            (None, None) => OaAnswer::Failed("Unpaywall: no answer".to_string()),
        })
    }
}
