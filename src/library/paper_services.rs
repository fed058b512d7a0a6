//! Paper keys that are not DOIs (`arxiv:…`, `pmid:…`, `pmcid:…`) resolved at their services,
//! for [`Library::citations`]: one task asks the three services side by side (each at its own
//! pace), and the answers are cached here, on the caller's thread, as they arrive.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::config::PapersConfig;
use crate::library::citations::CitationState;
use crate::library::{Error, Library, Result};
use crate::net::Fetcher;
use crate::papers::resolve::{Answer, Resolver};
use crate::papers::services::{arxiv, pacer, pmc, pubmed, Outcome, ARXIV, EUTILS, IDCONV};
use crate::text::ids::PaperId;

/// arXiv's terms: one request every 3 s.
const ARXIV_MIN_GAP: Duration = Duration::from_secs(3);

/// True for the keys a service other than the DOI resolver answers.
pub fn is_service_key(id: &str) -> bool {
    ["arxiv:", "pmid:", "pmcid:"]
        .iter()
        .any(|p| id.starts_with(p))
}

/// The service that answers `id`, as errors name it.
pub fn service_of(id: &str) -> &'static str {
    match id.split_once(':').map(|(kind, _)| kind) {
        Some("arxiv") => ARXIV,
        Some("pmid") => EUTILS,
        Some("pmcid") => IDCONV,
        _ => "DOI resolver",
    }
}

/// The gap between two arXiv requests: the setting, never under 3 s unless the API is on this
/// machine (a test's server).
pub fn arxiv_gap(papers: &PapersConfig) -> Duration {
    let set = Duration::from_millis(papers.arxiv_interval_ms);
    let loopback = url::Url::parse(papers.arxiv_api.trim())
        .ok()
        .and_then(|u| {
            u.host().map(|h| match h {
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
                url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            })
        })
        .unwrap_or(false);
    if loopback {
        set
    } else {
        set.max(ARXIV_MIN_GAP)
    }
}

/// What the services' task needs.
struct Parts {
    fetcher: Fetcher,
    resolver: Resolver,
    papers: PapersConfig,
    email: Option<String>,
}

type Sender = UnboundedSender<(String, std::result::Result<Outcome, String>)>;

impl Library {
    /// "published as doi:…" for an arXiv paper whose cached answer names its published
    /// version; `None` otherwise (never touches the network).
    pub fn published_as(&self, id: &str) -> Result<Option<String>> {
        if !id.starts_with("arxiv:") {
            return Ok(None);
        }
        let cached = self.store.citation(id).map_err(|e| self.store_err(e))?;
        let doi = cached
            .and_then(|c| c.csl_json)
            .and_then(|j| arxiv::published_doi(&j));
        Ok(doi.map(|d| format!("published as doi:{d}")))
    }

    /// Joins the paper `id` names with each of `aliases` (ids a service gave for it).
    pub(super) fn join_aliases(&mut self, id: &str, aliases: &[String]) -> Result<()> {
        let key = match id.starts_with("10.") {
            true => PaperId::Doi(id.to_string()).key(),
            false => id.to_string(),
        };
        for alias in aliases {
            let joined = self.store.join_papers(&key, alias);
            joined.map_err(|e| self.store_err(e))?;
        }
        Ok(())
    }

    /// Resolves `keys` (`arxiv:`, `pmid:`, `pmcid:`) at their services, reporting and caching
    /// each answer as it arrives.
    pub(super) fn resolve_keys(
        &mut self,
        keys: &[String],
        on_each: &mut dyn FnMut(&str, &CitationState),
        out: &mut Vec<(String, CitationState)>,
    ) -> Result<()> {
        let parts = Parts {
            fetcher: Fetcher::new(&self.config.fetch)?,
            resolver: self.resolver()?,
            papers: self.config.papers.clone(),
            email: (self.config.doi.mailto.clone()).filter(|m| !m.trim().is_empty()),
        };
        let ids_of = |prefix: &str| -> Vec<String> {
            let ids = keys.iter().filter_map(|k| k.strip_prefix(prefix));
            ids.map(str::to_string).collect()
        };
        let (arxiv_ids, pmids, pmcids) = (ids_of("arxiv:"), ids_of("pmid:"), ids_of("pmcid:"));
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let handle = rt.spawn(async move {
            let a = ask_arxiv(&parts, &arxiv_ids, tx.clone());
            let b = ask_pubmed(&parts, &pmids, tx.clone(), |pmid| {
                vec![format!("pmid:{pmid}")]
            });
            let c = ask_pmc(&parts, &pmcids, tx);
            tokio::join!(a, b, c);
        });
        while let Some((key, result)) = rx.blocking_recv() {
            let (answer, aliases) = match result {
                Ok(Outcome::Found { csl_json, aliases }) => (Ok(Answer::Found(csl_json)), aliases),
                Ok(Outcome::NotFound) => (Ok(Answer::NotFound), Vec::new()),
                Err(e) => (Err(e), Vec::new()),
            };
            let state = self.record_answer(&key, answer, &aliases)?;
            on_each(&key, &state);
            out.push((key, state));
        }
        rt.block_on(handle)
            .map_err(|e| Error::Runtime(format!("citation task failed: {e}")))?;
        Ok(())
    }
}

async fn ask_arxiv(p: &Parts, ids: &[String], tx: Sender) {
    if ids.is_empty() {
        return;
    }
    let pacer = pacer::shared(&p.papers.arxiv_api, arxiv_gap(&p.papers));
    let base = &p.papers.arxiv_api;
    arxiv::resolve(&p.fetcher, &pacer, base, ids, &mut |id, r| {
        let _ = tx.send((format!("arxiv:{id}"), r));
    })
    .await;
}

/// PubMed summaries of `pmids`; each answer is sent under the keys `keys_of(pmid)` gives
/// (the PMID's own key, or the PMC ids that led to it).
async fn ask_pubmed(
    p: &Parts,
    pmids: &[String],
    tx: Sender,
    keys_of: impl Fn(&str) -> Vec<String> + Send + Sync,
) {
    if pmids.is_empty() {
        return;
    }
    let key = p
        .papers
        .ncbi_api_key
        .clone()
        .filter(|k| !k.trim().is_empty());
    let pacer = pacer::shared(&p.papers.eutils_api, pubmed::gap(key.is_some()));
    let caller = pubmed::Caller {
        api_key: key,
        email: p.email.clone(),
    };
    let base = &p.papers.eutils_api;
    pubmed::resolve(&p.fetcher, &pacer, base, &caller, pmids, &mut |id, r| {
        for key in keys_of(&id) {
            let _ = tx.send((key, with_alias(r.clone(), &id)));
        }
    })
    .await;
}

/// `r` with `pmid:N` among its aliases (a PMC paper found through its PMID).
fn with_alias(
    r: std::result::Result<Outcome, String>,
    pmid: &str,
) -> std::result::Result<Outcome, String> {
    r.map(|o| match o {
        Outcome::Found {
            csl_json,
            mut aliases,
        } => {
            aliases.push(format!("pmid:{pmid}"));
            Outcome::Found { csl_json, aliases }
        }
        other => other,
    })
}

/// PMC ids through the ID converter, then each one's DOI at the DOI resolver (or, without a
/// DOI, its PMID at PubMed).
async fn ask_pmc(p: &Parts, pmcids: &[String], tx: Sender) {
    if pmcids.is_empty() {
        return;
    }
    let key = p
        .papers
        .ncbi_api_key
        .as_deref()
        .is_some_and(|k| !k.trim().is_empty());
    let pacer = pacer::shared(&p.papers.pmc_idconv_api, pubmed::gap(key));
    let base = &p.papers.pmc_idconv_api;
    let email = p.email.as_deref();
    let converted = pmc::convert(&p.fetcher, &pacer, base, email, pmcids).await;
    let mut via_pmid: Vec<(String, String)> = Vec::new();
    for (pmcid, r) in converted {
        let key = format!("pmcid:{pmcid}");
        let ids = match r {
            Err(e) => {
                let _ = tx.send((key, Err(e)));
                continue;
            }
            Ok(None) => pmc::Ids::default(),
            Ok(Some(ids)) => ids,
        };
        let pmid_alias = ids.pmid.as_ref().map(|n| format!("pmid:{n}"));
        let outcome = match (&ids.doi, &ids.pmid) {
            (Some(doi), _) => match p.resolver.csl_json(doi).await {
                Ok(Answer::Found(csl_json)) => {
                    let doi_key = PaperId::Doi(doi.clone()).key();
                    let aliases = std::iter::once(doi_key).chain(pmid_alias).collect();
                    Ok(Outcome::Found { csl_json, aliases })
                }
                Ok(Answer::NotFound) => Ok(Outcome::NotFound),
                Err(e) => Err(e.to_string()),
            },
            (None, Some(pmid)) => {
                via_pmid.push((pmcid.clone(), pmid.clone()));
                continue;
            }
            (None, None) => Ok(Outcome::NotFound),
        };
        let _ = tx.send((key, outcome));
    }
    let pmids: Vec<String> = via_pmid.iter().map(|(_, n)| n.clone()).collect();
    let keys_of = |pmid: &str| -> Vec<String> {
        let pmcs = via_pmid.iter().filter(|(_, n)| n == pmid);
        pmcs.map(|(pmc, _)| format!("pmcid:{pmc}")).collect()
    };
    ask_pubmed(p, &pmids, tx, keys_of).await;
}
