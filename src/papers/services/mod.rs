//! The services that turn non-DOI papers into citations: the arXiv API (`arxiv`), NCBI
//! E-utilities for PubMed (`pubmed`) and the PMC ID converter (`pmc`). Each answer becomes a
//! CSL-JSON item, the one format the citations cache holds.
//!
//! Every service is paced by its own rules (`pacer`): ids are batched, one request is in
//! flight at a time, and a 429/503 is waited out as `Retry-After` says, within a bound.

pub mod arxiv;
pub mod crossref;
pub mod pacer;
pub mod pmc;
pub mod pubmed;
pub mod unpaywall;

use std::time::Duration;

use serde_json::{json, Value};

use crate::net::{FetchError, Fetched, Fetcher};
use crate::text::scrub::scrub_line;

/// How errors name each service.
pub const ARXIV: &str = "arXiv API";
pub const EUTILS: &str = "NCBI E-utilities";
pub const IDCONV: &str = "PMC ID converter";

/// Retries after a 429 or 503 before the batch fails.
const RETRIES: u32 = 2;
/// The longest wait honoured for one `Retry-After`; a longer one fails the batch now (the next
/// look-up retries) rather than holding the caller for minutes.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// The wait after a 429/503 that gives no `Retry-After`.
const DEFAULT_RETRY_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request failed (network, HTTP status).
    #[error("{service}: {source}")]
    Fetch {
        service: &'static str,
        source: FetchError,
    },
    /// The service answered, but not with something usable.
    #[error("{service}: {message}")]
    Answer {
        service: &'static str,
        message: String,
    },
}

impl ServiceError {
    pub(crate) fn answer(service: &'static str, message: impl AsRef<str>) -> ServiceError {
        ServiceError::Answer {
            service,
            message: scrub_line(message.as_ref()),
        }
    }
}

/// What a service said of one paper.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A CSL-JSON item, and the other keys the service gave for the same paper
    /// (`doi:…`, `pmid:…`, `pmcid:…`).
    Found {
        csl_json: String,
        aliases: Vec<String>,
    },
    /// The service does not know the id: an answer, cached like one.
    NotFound,
}

/// GETs `url` in `pacer`'s turn, waiting out a 429 or 503 as `Retry-After` says (bounded).
pub async fn paced_get(
    fetcher: &Fetcher,
    pacer: &pacer::Pacer,
    service: &'static str,
    url: &str,
    accept: &str,
) -> Result<Fetched, ServiceError> {
    let mut attempt = 0;
    loop {
        let result = {
            let _turn = pacer.turn().await;
            fetcher.get_accept(url, accept, None).await
        };
        match result {
            Err(FetchError::Http {
                status: status @ (429 | 503),
                retry_after,
            }) if attempt < RETRIES => {
                let wait = retry_after.map_or(DEFAULT_RETRY_WAIT, Duration::from_secs);
                if wait > MAX_RETRY_WAIT {
                    return Err(ServiceError::Fetch {
                        service,
                        source: FetchError::Http {
                            status,
                            retry_after,
                        },
                    });
                }
                tracing::info!(service, status, ?wait, "service asked to back off");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(source) => return Err(ServiceError::Fetch { service, source }),
            Ok(f) => return Ok(f),
        }
    }
}

/// Asks `ids` `batch` at a time: `ask` gets one batch and returns what it found, by id. Each
/// id is sent as soon as its batch is read: its find (`None`: the service does not know it),
/// or the batch's error as one line.
pub(crate) async fn in_batches<T, Fut>(
    ids: &[String],
    batch: usize,
    ask: impl Fn(Vec<String>) -> Fut,
    send: &mut (dyn FnMut(String, Result<Option<T>, String>) + Send),
) where
    Fut: std::future::Future<Output = Result<Vec<(String, T)>, ServiceError>>,
{
    for chunk in ids.chunks(batch.max(1)) {
        match ask(chunk.to_vec()).await {
            Ok(mut found) => {
                for id in chunk {
                    let hit = found.iter().position(|(k, _)| k.eq_ignore_ascii_case(id));
                    send(id.clone(), Ok(hit.map(|i| found.swap_remove(i).1)));
                }
            }
            Err(e) => {
                let line = e.to_string();
                for id in chunk {
                    send(id.clone(), Err(line.clone()));
                }
            }
        }
    }
}

/// A service's find as an [`Outcome`].
fn outcome<T>(
    r: Result<Option<T>, String>,
    to_csl: impl FnOnce(&T) -> (String, Vec<String>),
) -> Result<Outcome, String> {
    r.map(|hit| match hit {
        Some(found) => {
            let (csl_json, aliases) = to_csl(&found);
            Outcome::Found { csl_json, aliases }
        }
        None => Outcome::NotFound,
    })
}

/// Where a paper key opens: a DOI at `resolver` (doi.org by default), an arXiv id at its
/// abstract page, a PMID at PubMed, a PMCID at PMC. `None` for a key of another kind or one
/// that is not a well-formed id (never a URL built from arbitrary text).
pub fn paper_url(key: &str, resolver: &str) -> Option<String> {
    let (kind, id) = key.split_once(':')?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/');
    match kind {
        "doi" => crate::text::doi::doi_url(resolver, id).ok(),
        "arxiv"
            if id.chars().all(plain)
                && !id
                    .split('/')
                    .any(|seg| seg.is_empty() || seg == "." || seg == "..") =>
        {
            Some(format!("https://arxiv.org/abs/{id}"))
        }
        "pmid" if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("https://pubmed.ncbi.nlm.nih.gov/{id}/"))
        }
        "pmcid"
            if id.len() > 3
                && id.starts_with("PMC")
                && id[3..].chars().all(|c| c.is_ascii_digit()) =>
        {
            Some(format!("https://pmc.ncbi.nlm.nih.gov/articles/{id}/"))
        }
        _ => None,
    }
}

/// A body as text, or an error naming the service when it is not UTF-8.
fn body_text(service: &'static str, f: &Fetched) -> Result<String, ServiceError> {
    String::from_utf8(f.body.clone())
        .map_err(|_| ServiceError::answer(service, "the answer is not UTF-8 text"))
}

/// A person's name as a CSL name: "Gould A" / "Andrew Gould" → family and given; a single
/// word or a group name → `literal`.
fn csl_name(name: &str, family_first: bool) -> Value {
    let name = scrub_line(name);
    let name = name.trim();
    if family_first {
        // PubMed's "Scalfani VF": the initials become "V. F.", as CSL givens are written.
        match name.rsplit_once(' ') {
            Some((family, initials)) if looks_like_initials(initials) => {
                let given: Vec<String> = initials.chars().map(|c| format!("{c}.")).collect();
                json!({"family": family.trim(), "given": given.join(" ")})
            }
            _ => json!({ "literal": name }),
        }
    } else {
        match name.rsplit_once(' ') {
            Some((given, family)) => json!({"family": family.trim(), "given": given.trim()}),
            None => json!({ "literal": name }),
        }
    }
}

/// "AJ", "GW" (PubMed's initials); not "Jr" nor a word.
fn looks_like_initials(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_uppercase())
}

/// CSL `date-parts` from "2016 Nov 23", "1975 May", "2016", "2006-01-02T14:57:58Z".
fn csl_date(text: &str) -> Option<Value> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut parts: Vec<i64> = Vec::new();
    for piece in text.split([' ', '-', 'T', '/']) {
        if parts.len() == 3 || (piece.contains(':') && !parts.is_empty()) {
            break;
        }
        let lower = piece.to_ascii_lowercase();
        let value = match parts.len() {
            0 => piece
                .parse::<i64>()
                .ok()
                .filter(|y| (1000..=9999).contains(y)),
            1 => (MONTHS.iter().position(|m| lower.starts_with(m)))
                .map(|m| m as i64 + 1)
                .or_else(|| piece.parse().ok().filter(|m| (1..=12).contains(m))),
            _ => piece.parse().ok().filter(|d| (1..=31).contains(d)),
        };
        match value {
            Some(v) => parts.push(v),
            None => break,
        }
    }
    (!parts.is_empty()).then(|| json!({ "date-parts": [parts] }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_urls() {
        let r = "https://doi.org";
        assert_eq!(
            paper_url("arxiv:1412.3456", r).as_deref(),
            Some("https://arxiv.org/abs/1412.3456")
        );
        assert_eq!(
            paper_url("arxiv:hep-th/9901001", r).as_deref(),
            Some("https://arxiv.org/abs/hep-th/9901001")
        );
        assert_eq!(
            paper_url("pmid:23193287", r).as_deref(),
            Some("https://pubmed.ncbi.nlm.nih.gov/23193287/")
        );
        assert_eq!(
            paper_url("pmcid:PMC3531190", r).as_deref(),
            Some("https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/")
        );
        assert_eq!(
            paper_url("doi:10.1111/hsc.12135", r).as_deref(),
            Some("https://doi.org/10.1111/hsc.12135")
        );
        for bad in ["pmid:12a", "pmcid:123", "isbn:1", "arxiv:", "10.1/x"] {
            assert_eq!(paper_url(bad, r), None, "{bad}");
        }
    }

    #[test]
    fn names_and_dates() {
        assert_eq!(
            csl_name("Hambrick GW", true),
            json!({"family": "Hambrick", "given": "G. W."})
        );
        assert_eq!(
            csl_name("ten Broek R", true),
            json!({"family": "ten Broek", "given": "R."})
        );
        assert_eq!(
            csl_name("WHO Collaborators", true),
            json!({"literal": "WHO Collaborators"})
        );
        assert_eq!(
            csl_name("B. Scott Gaudi", false),
            json!({"family": "Gaudi", "given": "B. Scott"})
        );
        assert_eq!(
            csl_date("2016 Nov 23"),
            Some(json!({"date-parts": [[2016, 11, 23]]}))
        );
        assert_eq!(
            csl_date("1975 May"),
            Some(json!({"date-parts": [[1975, 5]]}))
        );
        assert_eq!(
            csl_date("2006-01-02T14:57:58Z"),
            Some(json!({"date-parts": [[2006, 1, 2]]}))
        );
        assert_eq!(
            csl_date("2016/11/23 00:00"),
            Some(json!({"date-parts": [[2016, 11, 23]]}))
        );
        assert_eq!(csl_date(""), None);
    }
}
