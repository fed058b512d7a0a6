//! The library's citation API: DOIs resolved to citations, cached in the store, exported as BibTeX.

use chrono::Utc;
use serde::Serialize;

use crate::library::{Error, Library, Result};
use crate::net::Fetcher;
use crate::papers::cite::{parse_csl_json, Citation};
use crate::papers::resolve::{Answer, Resolver};
use crate::papers::styles::{CitationStyle, StyleError};
use crate::store::{CachedCitation, DoiScope};

/// What is known about a DOI's citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CitationState {
    Found {
        citation: Citation,
    },
    /// The resolver does not know this DOI (404): an answer, cached like one.
    NotFound,
    /// The look-up failed (network, resolver down, HTML instead of JSON); not cached.
    Failed {
        reason: String,
    },
}

impl CitationState {
    /// The one line the reader and `cite` show.
    pub fn line(&self, doi: &str) -> String {
        match self {
            CitationState::Found { citation } => citation.line(),
            CitationState::NotFound => format!("doi:{doi} (not found at the DOI resolver)"),
            CitationState::Failed { reason } => format!("doi:{doi} (look-up failed: {reason})"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Bibtex,
    Ris,
}

/// A BibTeX (or RIS) file for a scope, and the DOIs that could not go in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BibExport {
    pub text: String,
    pub entries: usize,
    pub missing: Vec<(String, String)>,
}

/// The resolver base URL: `PAPERBOY_DOI_RESOLVER`, else `doi.resolver` from config.
pub fn resolver_base(config_resolver: &str) -> String {
    std::env::var("PAPERBOY_DOI_RESOLVER")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| config_resolver.to_string())
}

impl Library {
    fn resolver(&self) -> Result<Resolver> {
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let base = resolver_base(&self.config.doi.resolver);
        crate::net::urls::check_url(&base)?;
        Ok(Resolver::new(fetcher, &self.config.doi, &base))
    }

    fn fresh(&self, c: &CachedCitation) -> bool {
        let age = Utc::now() - c.fetched_at;
        age.num_days() < self.config.doi.cache_days as i64
    }

    fn cached(&self, doi: &str) -> Result<Option<CachedCitation>> {
        let key = crate::text::doi::key(doi);
        self.store.citation(&key).map_err(|e| self.store_err(e))
    }

    pub(super) fn state_of(c: &CachedCitation, doi: &str) -> CitationState {
        match (&c.found, &c.csl_json) {
            (true, Some(json)) => match parse_csl_json(json, doi) {
                Ok(citation) => CitationState::Found { citation },
                Err(e) => CitationState::Failed {
                    reason: e.to_string(),
                },
            },
            _ => CitationState::NotFound,
        }
    }

    /// The cached citation of `doi` while it is fresh (`doi.cache_days`); never touches the
    /// network. A stale one is for [`Library::citations`] to refresh (it still falls back to it
    /// when the resolver cannot be reached).
    pub fn fresh_citation(&self, doi: &str) -> Result<Option<CitationState>> {
        Ok(self
            .cached(doi)?
            .filter(|c| self.fresh(c))
            .map(|c| Self::state_of(&c, doi)))
    }

    /// Citations for `dois`: fresh cached answers are used as they are; the rest are resolved,
    /// at most [`crate::papers::resolve::MAX_CONCURRENT`] at once, and cached (found and not found). When
    /// the resolver cannot be reached, a stale cached answer is still returned.
    pub fn citations(
        &mut self,
        dois: &[String],
        on_each: &mut dyn FnMut(&str, &CitationState),
    ) -> Result<Vec<(String, CitationState)>> {
        let mut out: Vec<(String, CitationState)> = Vec::with_capacity(dois.len());
        let mut todo: Vec<String> = Vec::new();
        for doi in dois {
            match self.cached(doi)? {
                Some(c) if self.fresh(&c) => {
                    let s = Self::state_of(&c, doi);
                    on_each(doi, &s);
                    out.push((doi.clone(), s));
                }
                _ => todo.push(doi.clone()),
            }
        }
        if todo.is_empty() {
            return Ok(out);
        }
        let resolver = self.resolver()?;
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let handle = rt.spawn(async move {
            use futures_util::stream::StreamExt;
            let answers = futures_util::stream::iter(todo.into_iter().map(|doi| {
                let r = resolver.clone();
                async move {
                    let a = r.csl_json(&doi).await;
                    (doi, a)
                }
            }))
            .buffer_unordered(crate::papers::resolve::MAX_CONCURRENT);
            futures_util::pin_mut!(answers);
            while let Some(item) = answers.next().await {
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        while let Some((doi, answer)) = rx.blocking_recv() {
            let state = self.record_answer(&doi, answer)?;
            on_each(&doi, &state);
            out.push((doi, state));
        }
        rt.block_on(handle)
            .map_err(|e| Error::Runtime(format!("citation task failed: {e}")))?;
        Ok(out)
    }

    fn record_answer(
        &mut self,
        doi: &str,
        answer: std::result::Result<Answer, crate::papers::resolve::ResolveError>,
    ) -> Result<CitationState> {
        let key = crate::text::doi::key(doi);
        let previous = self.cached(doi)?;
        let state = match answer {
            Ok(Answer::Found(json)) => match parse_csl_json(&json, doi) {
                Ok(citation) => {
                    self.put(CachedCitation {
                        key,
                        found: true,
                        csl_json: Some(json),
                        bibtex: previous.and_then(|p| p.bibtex),
                        fetched_at: Utc::now(),
                    })?;
                    CitationState::Found { citation }
                }
                Err(e) => CitationState::Failed {
                    reason: e.to_string(),
                },
            },
            Ok(Answer::NotFound) => {
                self.put(CachedCitation {
                    key,
                    found: false,
                    csl_json: None,
                    bibtex: None,
                    fetched_at: Utc::now(),
                })?;
                CitationState::NotFound
            }
            Err(e) => match previous {
                Some(c) => Self::state_of(&c, doi),
                None => CitationState::Failed {
                    reason: e.to_string(),
                },
            },
        };
        Ok(state)
    }

    fn put(&mut self, c: CachedCitation) -> Result<()> {
        let r = self.store.put_citation(&c);
        r.map_err(|e| self.store_err(e))
    }

    /// One DOI's citation (cached when fresh).
    pub fn citation(&mut self, doi: &str) -> Result<CitationState> {
        let mut all = self.citations(&[doi.to_string()], &mut |_, _| {})?;
        Ok(all.pop().map(|(_, s)| s).unwrap_or(CitationState::Failed {
            reason: "no answer".to_string(),
        }))
    }

    /// The resolver's own BibTeX for `doi` (cached); when the resolver has none, BibTeX made
    /// locally from the CSL-JSON. `None` when the DOI is unknown.
    pub fn bibtex(&mut self, doi: &str) -> Result<Option<String>> {
        if let Some(c) = self.cached(doi)? {
            if let (Some(b), true) = (&c.bibtex, self.fresh(&c)) {
                return Ok(Some(b.clone()));
            }
        }
        let resolver = self.resolver()?;
        let rt = self.runtime()?;
        let answer = rt.block_on(resolver.bibtex(doi));
        match answer {
            Ok(Answer::Found(text)) => {
                if let Some(clean) = crate::papers::cite::sanitize_bibtex(doi, &text) {
                    let previous = self.cached(doi)?;
                    let key = crate::text::doi::key(doi);
                    self.put(CachedCitation {
                        key,
                        found: true,
                        csl_json: previous.and_then(|p| p.csl_json),
                        bibtex: Some(clean.clone()),
                        fetched_at: Utc::now(),
                    })?;
                    return Ok(Some(clean));
                }
            }
            Ok(Answer::NotFound) => return Ok(None),
            Err(e) => {
                if self.cached(doi)?.and_then(|c| c.bibtex).is_none() {
                    tracing::warn!(doi, error = %e, "BibTeX look-up failed; trying CSL-JSON");
                }
            }
        }
        match self.citation(doi)? {
            CitationState::Found { citation } => {
                let key = citation.bib_key_base();
                Ok(Some(citation.bibtex(&key)))
            }
            CitationState::NotFound => Ok(None),
            CitationState::Failed { reason } => Err(Error::Citation {
                doi: doi.to_string(),
                reason,
            }),
        }
    }

    /// The citation style `[papers] style` names (a bundled style or a CSL file's path),
    /// parsed: resolve it once and keep it for many lines.
    pub fn citation_style(&self) -> std::result::Result<CitationStyle, StyleError> {
        CitationStyle::resolve(&self.config.papers.style)
    }

    /// One BibTeX file for every DOI in `scope`, with unique keys, built from CSL-JSON.
    pub fn bib_export(&mut self, scope: &DoiScope) -> Result<BibExport> {
        self.export(scope, ExportFormat::Bibtex)
    }

    /// One RIS file (EndNote, Mendeley, Zotero) for every DOI in `scope`: a record a paper.
    pub fn ris_export(&mut self, scope: &DoiScope) -> Result<BibExport> {
        self.export(scope, ExportFormat::Ris)
    }

    fn export(&mut self, scope: &DoiScope, format: ExportFormat) -> Result<BibExport> {
        let rows = self.dois(scope)?;
        let mut seen = std::collections::HashSet::new();
        let dois: Vec<String> = rows
            .into_iter()
            .filter(|r| seen.insert(crate::text::doi::key(&r.doi)))
            .map(|r| r.doi)
            .collect();
        let answers = self.citations(&dois, &mut |_, _| {})?;
        let mut found = Vec::new();
        let mut export = BibExport::default();
        for (doi, state) in answers {
            match state {
                CitationState::Found { citation } => found.push(citation),
                other => export.missing.push((doi.clone(), other.line(&doi))),
            }
        }
        // Keys follow the scope's order, so the same scope always gives the same keys.
        found.sort_by_key(|c| {
            dois.iter()
                .position(|d| crate::text::doi::key(d) == crate::text::doi::key(&c.doi))
        });
        let bases: Vec<String> = found.iter().map(Citation::bib_key_base).collect();
        let keys = crate::papers::cite::unique_keys(&bases);
        for (c, key) in found.iter().zip(keys) {
            match format {
                ExportFormat::Bibtex => export.text.push_str(&c.bibtex(&key)),
                ExportFormat::Ris => export.text.push_str(&c.ris()),
            }
            export.text.push('\n');
        }
        export.entries = found.len();
        Ok(export)
    }
}
