//! The library's citation API: papers (DOIs, and `arxiv:`/`pmid:`/`pmcid:` keys) resolved to
//! citations, cached in the store, exported as BibTeX. DOIs go to the DOI resolver here; the
//! other keys to their services in `paper_services`.

use chrono::Utc;
use serde::Serialize;

use crate::library::paper_services::{is_service_key, service_of};
use crate::library::papers::{citation_cache_key, display_id};
use crate::library::{Error, Library, Result};
use crate::model::PaperRow;
use crate::net::Fetcher;
use crate::papers::cite::{parse_csl_json, Citation};
use crate::papers::resolve::{Answer, Resolver};
use crate::papers::styles::{CitationStyle, StyleError};
use crate::store::{CachedCitation, DoiScope, ListQuery};

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
    /// The one line the reader and `cite` show; `id` is a DOI or a paper key.
    pub fn line(&self, id: &str) -> String {
        let label = label(id);
        match self {
            CitationState::Found { citation } => citation.line(),
            CitationState::NotFound => format!("{label} (not found at the {})", service_of(id)),
            CitationState::Failed { reason } => format!("{label} (look-up failed: {reason})"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Bibtex,
    Ris,
}

/// A BibTeX (or RIS) file for a scope, and the papers (key, why) that could not go in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BibExport {
    pub text: String,
    pub entries: usize,
    pub missing: Vec<(String, String)>,
}

/// How a line names a DOI or a paper key: `doi:10.…`, `arxiv:…`, `pmid:…`.
pub fn label(id: &str) -> String {
    let id = display_id(id);
    if is_service_key(id) {
        id.to_string()
    } else {
        format!("doi:{id}")
    }
}

/// The cache key of a DOI (bare or `doi:`) or a paper key.
fn cache_key(id: &str) -> String {
    if id.starts_with("doi:") || is_service_key(id) {
        citation_cache_key(id)
    } else {
        crate::text::doi::key(id)
    }
}

/// The resolver base URL: `PAPERBOY_DOI_RESOLVER`, else `doi.resolver` from config.
pub fn resolver_base(config_resolver: &str) -> String {
    std::env::var("PAPERBOY_DOI_RESOLVER")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| config_resolver.to_string())
}

impl Library {
    pub(super) fn resolver(&self) -> Result<Resolver> {
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let base = resolver_base(&self.config.doi.resolver);
        crate::net::urls::check_url(&base)?;
        Ok(Resolver::new(fetcher, &self.config.doi, &base))
    }

    fn fresh(&self, c: &CachedCitation) -> bool {
        let age = Utc::now() - c.fetched_at;
        age.num_days() < self.config.doi.cache_days as i64
    }

    fn cached(&self, id: &str) -> Result<Option<CachedCitation>> {
        self.store
            .citation(&cache_key(id))
            .map_err(|e| self.store_err(e))
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

    /// The cached citation of `id` (a DOI or a paper key) while it is fresh
    /// (`doi.cache_days`); never touches the network. A stale one is for
    /// [`Library::citations`] to refresh (it still falls back to it when the service cannot be
    /// reached).
    pub fn fresh_citation(&self, id: &str) -> Result<Option<CitationState>> {
        Ok(self
            .cached(id)?
            .filter(|c| self.fresh(c))
            .map(|c| Self::state_of(&c, display_id(id))))
    }

    /// Citations for `ids`: DOIs (bare or `doi:…`) and paper keys (`arxiv:…`, `pmid:…`,
    /// `pmcid:…`), each reported under the string given. Fresh cached answers are used as they
    /// are; DOIs are resolved at most [`crate::papers::resolve::MAX_CONCURRENT`] at once, the
    /// other keys batched at their services' pace; answers are cached (found and not found).
    /// When a service cannot be reached, a stale cached answer is still returned.
    pub fn citations(
        &mut self,
        ids: &[String],
        on_each: &mut dyn FnMut(&str, &CitationState),
    ) -> Result<Vec<(String, CitationState)>> {
        let mut out: Vec<(String, CitationState)> = Vec::with_capacity(ids.len());
        let mut todo: Vec<String> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for id in ids {
            match self.cached(id)? {
                Some(c) if self.fresh(&c) => {
                    let s = Self::state_of(&c, display_id(id));
                    on_each(id, &s);
                    out.push((id.clone(), s));
                }
                _ if is_service_key(id) => keys.push(id.clone()),
                _ => todo.push(id.clone()),
            }
        }
        if !keys.is_empty() {
            self.resolve_keys(&keys, on_each, &mut out)?;
        }
        if todo.is_empty() {
            return Ok(out);
        }
        let resolver = self.resolver()?;
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let handle = rt.spawn(async move {
            use futures_util::stream::StreamExt;
            let answers = futures_util::stream::iter(todo.into_iter().map(|id| {
                let r = resolver.clone();
                async move {
                    let a = r.csl_json(display_id(&id)).await;
                    (id, a.map_err(|e| e.to_string()))
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
        while let Some((id, answer)) = rx.blocking_recv() {
            let state = self.record_answer(&id, answer, &[])?;
            on_each(&id, &state);
            out.push((id, state));
        }
        rt.block_on(handle)
            .map_err(|e| Error::Runtime(format!("citation task failed: {e}")))?;
        Ok(out)
    }

    /// Caches a service's answer for `id` (a DOI or a paper key) and joins the paper with the
    /// `aliases` the service gave; a failure falls back to the cached answer, fresh or stale.
    pub(super) fn record_answer(
        &mut self,
        id: &str,
        answer: std::result::Result<Answer, String>,
        aliases: &[String],
    ) -> Result<CitationState> {
        let key = cache_key(id);
        let previous = self.cached(id)?;
        let state = match answer {
            Ok(Answer::Found(json)) => match parse_csl_json(&json, display_id(id)) {
                Ok(citation) => {
                    self.join_aliases(id, aliases)?;
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
            Err(reason) => match previous {
                Some(c) => Self::state_of(&c, display_id(id)),
                None => CitationState::Failed { reason },
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
    /// locally from the CSL-JSON (always so for paper keys, which have no resolver BibTeX).
    /// `None` when the paper is unknown.
    pub fn bibtex(&mut self, doi: &str) -> Result<Option<String>> {
        if let Some(c) = self.cached(doi)? {
            if let (Some(b), true) = (&c.bibtex, self.fresh(&c)) {
                return Ok(Some(b.clone()));
            }
        }
        if is_service_key(doi) {
            return self.bibtex_from_csl(doi);
        }
        let doi = display_id(doi);
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
        self.bibtex_from_csl(doi)
    }

    /// BibTeX made locally from the CSL-JSON of `id` (a DOI or a paper key).
    fn bibtex_from_csl(&mut self, id: &str) -> Result<Option<String>> {
        match self.citation(id)? {
            CitationState::Found { citation } => {
                let key = citation.bib_key_base();
                Ok(Some(citation.bibtex(&key)))
            }
            CitationState::NotFound => Ok(None),
            CitationState::Failed { reason } => Err(Error::Citation {
                doi: id.to_string(),
                reason,
            }),
        }
    }

    /// The citation style `[papers] style` names (a bundled style or a CSL file's path),
    /// parsed: resolve it once and keep it for many lines.
    pub fn citation_style(&self) -> std::result::Result<CitationStyle, StyleError> {
        CitationStyle::resolve(&self.config.papers.style)
    }

    /// One BibTeX file for every paper in `scope` (DOIs, arXiv, PubMed and PMC papers, one
    /// entry a paper), with unique keys, built from CSL-JSON.
    pub fn bib_export(&mut self, scope: &DoiScope) -> Result<BibExport> {
        self.export(scope, ExportFormat::Bibtex)
    }

    /// One RIS file (EndNote, Mendeley, Zotero) for every paper in `scope`: a record a paper.
    pub fn ris_export(&mut self, scope: &DoiScope) -> Result<BibExport> {
        self.export(scope, ExportFormat::Ris)
    }

    fn export(&mut self, scope: &DoiScope, format: ExportFormat) -> Result<BibExport> {
        let q = ListQuery {
            feed: scope.feed,
            month: scope.month.clone(),
            ids: scope.entry.map(|e| vec![e]),
            ..ListQuery::default()
        };
        // One row a paper, whatever ids the posts cite it under (aliases merged).
        let rows = self.papers(&q)?;
        let mut ask: Vec<String> = Vec::new();
        for row in &rows {
            if self.fresh_found(&row.ids)?.is_none() {
                ask.push(row.key.clone());
            }
        }
        if ask.is_empty() {
            return self.write_export(&rows, &[], format);
        }
        let answers = self.citations(&ask, &mut |_, _| {})?;
        // The answers may have joined papers (a PMID and its DOI): list the scope again.
        let rows = self.papers(&q)?;
        self.write_export(&rows, &answers, format)
    }

    /// The export of `rows`, each from its cached citation (under any of its ids, fresh or
    /// stale) or its COinS span; `answers` say why the others are missing.
    fn write_export(
        &self,
        rows: &[PaperRow],
        answers: &[(String, CitationState)],
        format: ExportFormat,
    ) -> Result<BibExport> {
        let mut found = Vec::new();
        let mut export = BibExport::default();
        // Keys follow the scope's order, so the same scope always gives the same keys.
        for row in rows {
            match self.known_citation(row)? {
                Some(c) => found.push(c),
                None => {
                    let state = answers.iter().find(|(k, _)| row.ids.contains(k));
                    let line = match state {
                        Some((_, s)) => s.line(&row.key),
                        None => CitationState::NotFound.line(&row.key),
                    };
                    export.missing.push((row.key.clone(), line));
                }
            }
        }
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

    /// The fresh cached citation of a paper under the first of `ids` that has one.
    fn fresh_found(&self, ids: &[String]) -> Result<Option<Citation>> {
        for id in ids {
            if let Some(CitationState::Found { citation }) = self.fresh_citation(id)? {
                return Ok(Some(citation));
            }
        }
        Ok(None)
    }
}
