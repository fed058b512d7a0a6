//! Resolving DOIs to citations by content negotiation at a DOI resolver (doi.org by default).
//!
//! The resolver is asked for CSL-JSON (metadata) or BibTeX. 429 and 5xx answers are retried with
//! back-off (honouring `Retry-After`); 404 is an answer ("not found") that the caller caches.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::DoiConfig;
use crate::net::{FetchError, Fetcher};

/// MIME type of CSL-JSON, the metadata format every DOI registration agency serves.
pub const CSL_JSON: &str = "application/vnd.citationstyles.csl+json";
/// MIME type of BibTeX.
pub const BIBTEX: &str = "application/x-bibtex";

/// At most this many look-ups run at once, whoever asks (the resolvers' fair-use rules).
pub const MAX_CONCURRENT: usize = 5;

/// Retries after a 429 or 5xx before giving up.
const RETRIES: u32 = 3;
/// Never wait longer than this for one retry, whatever `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("DOI resolver {resolver}: {source}")]
    Fetch {
        resolver: String,
        source: FetchError,
    },
    #[error(transparent)]
    BadDoi(#[from] crate::text::doi::DoiUrlError),
    #[error("DOI resolver {resolver} answered {what} instead of {wanted}")]
    WrongType {
        resolver: String,
        what: String,
        wanted: &'static str,
    },
}

/// A resolver's answer for one DOI and format.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Found(String),
    NotFound,
}

/// A DOI resolver client. Cheap to clone; clones share the concurrency limit.
#[derive(Clone)]
pub struct Resolver {
    fetcher: Fetcher,
    base: String,
    mailto: Option<String>,
    permits: Arc<Semaphore>,
    backoff: Duration,
}

impl Resolver {
    /// `base` is the resolver URL (`doi.resolver`, or `PAPERBOY_DOI_RESOLVER`).
    pub fn new(fetcher: Fetcher, doi: &DoiConfig, base: &str) -> Resolver {
        Resolver {
            fetcher,
            base: base.trim_end_matches('/').to_string(),
            mailto: doi.mailto.clone().filter(|m| !m.trim().is_empty()),
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT)),
            backoff: Duration::from_secs(1),
        }
    }

    /// The first wait after a 429/5xx without `Retry-After` (doubled on each retry).
    pub fn with_backoff(mut self, first_wait: Duration) -> Resolver {
        self.backoff = first_wait;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// CSL-JSON for `doi`.
    pub async fn csl_json(&self, doi: &str) -> Result<Answer, ResolveError> {
        self.ask(doi, CSL_JSON).await
    }

    /// BibTeX for `doi`.
    pub async fn bibtex(&self, doi: &str) -> Result<Answer, ResolveError> {
        self.ask(doi, BIBTEX).await
    }

    async fn ask(&self, doi: &str, accept: &'static str) -> Result<Answer, ResolveError> {
        let url = crate::text::doi::doi_url(&self.base, doi)?;
        let mailto = self.mailto.as_ref().map(|m| format!("mailto:{m}"));
        let mut wait = self.backoff;
        let mut attempt = 0;
        loop {
            let result = {
                // A closed semaphore cannot happen (it is never closed); treat it as no limit.
                let _permit = self.permits.acquire().await.ok();
                self.fetcher
                    .get_accept(&url, accept, mailto.as_deref())
                    .await
            };
            match result {
                Ok(f) => return self.check_type(f, accept),
                Err(FetchError::Http { status: 404, .. }) | Err(FetchError::Gone) => {
                    return Ok(Answer::NotFound)
                }
                Err(FetchError::Http {
                    status,
                    retry_after,
                }) if (status == 429 || status >= 500) && attempt < RETRIES => {
                    let delay = retry_after.map(Duration::from_secs).unwrap_or(wait);
                    tracing::info!(doi, status, ?delay, "DOI resolver asked to back off");
                    tokio::time::sleep(delay.min(MAX_WAIT)).await;
                    wait *= 2;
                    attempt += 1;
                }
                Err(source) => {
                    return Err(ResolveError::Fetch {
                        resolver: self.base.clone(),
                        source,
                    })
                }
            }
        }
    }

    fn check_type(
        &self,
        f: crate::net::Fetched,
        accept: &'static str,
    ) -> Result<Answer, ResolveError> {
        let body = String::from_utf8_lossy(&f.body).into_owned();
        let ct = f.content_type.unwrap_or_default().to_ascii_lowercase();
        let looks_html = ct.contains("html") || body.trim_start().starts_with('<');
        if looks_html {
            return Err(ResolveError::WrongType {
                resolver: self.base.clone(),
                what: "an HTML page".to_string(),
                wanted: if accept == CSL_JSON {
                    "CSL-JSON"
                } else {
                    "BibTeX"
                },
            });
        }
        Ok(Answer::Found(body))
    }
}
