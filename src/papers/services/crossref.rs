//! Crossref's REST API for paper health: `GET {api}/works?filter=doi:A,doi:B,…&rows=N&select=…`
//! ([`BATCH`] DOIs a request; repeated `doi:` filters are ORed), then each DOI the list does not
//! return alone at `/works/{doi}` before it is called unknown (a DOI another agency registered,
//! DataCite or arXiv, is one Crossref does not know).
//!
//! Crossref's limits: its public pool (no `mailto`) allows 1 request at once and 5 a second,
//! its polite pool (a `mailto` given) 3 at once and 10 a second; a 429 is waited out as
//! `Retry-After` says. Here: one lane without `mailto`, [`CONCURRENT_POLITE`] with it, each lane
//! one request in flight at a time with [`LANE_GAP`] between two (3.3 a second on one lane, 10 on
//! three).

use std::collections::HashSet;
use std::time::Duration;

use futures_util::stream::StreamExt;
use serde_json::Value;

use super::pacer::{self, Pacer};
use super::{body_text, paced_get, ServiceError};
use crate::config::FetchConfig;
use crate::net::{FetchError, Fetcher};
use crate::papers::health::{parse_work, WorkHealth};

/// How errors name the service.
pub const CROSSREF: &str = "Crossref API";
/// DOIs per list request.
pub const BATCH: usize = 50;
/// Requests in flight at once with a `mailto` (Crossref's polite pool allows 3).
pub const CONCURRENT_POLITE: usize = 3;
/// Requests in flight at once without one (Crossref's public pool allows 1).
pub const CONCURRENT_PUBLIC: usize = 1;
/// The gap between two requests of one lane.
pub const LANE_GAP: Duration = Duration::from_millis(300);
/// The largest answer read: 50 trimmed records are a few tens of KiB.
pub const MAX_ANSWER_MIB: u64 = 4;
/// The fields asked for: the record's own DOI and its notices.
const SELECT: &str = "DOI,updated-by,update-to";

/// The fetch settings for Crossref: the configured ones with the answer capped.
pub fn fetch_config(cfg: &FetchConfig) -> FetchConfig {
    FetchConfig {
        max_body_mib: cfg.max_body_mib.clamp(1, MAX_ANSWER_MIB),
        ..cfg.clone()
    }
}

fn api_url(base: &str, path: &str) -> Result<url::Url, ServiceError> {
    let base = base.trim().trim_end_matches('/');
    url::Url::parse(&format!("{base}{path}"))
        .map_err(|e| ServiceError::answer(CROSSREF, format!("bad [papers] crossref_api: {e}")))
}

fn with_mailto(url: &mut url::Url, mailto: Option<&str>) {
    if let Some(m) = mailto.map(str::trim).filter(|m| !m.is_empty()) {
        url.query_pairs_mut().append_pair("mailto", m);
    }
}

/// The list request for `dois`.
pub fn list_url(base: &str, dois: &[String], mailto: Option<&str>) -> Result<String, ServiceError> {
    let mut url = api_url(base, "/works")?;
    let filter: Vec<String> = dois.iter().map(|d| format!("doi:{d}")).collect();
    url.query_pairs_mut()
        .append_pair("filter", &filter.join(","))
        .append_pair("rows", &dois.len().to_string())
        .append_pair("select", SELECT);
    with_mailto(&mut url, mailto);
    Ok(url.into())
}

/// The single-work request for `doi` (one path segment below `/works`, whatever it holds).
pub fn work_url(base: &str, doi: &str, mailto: Option<&str>) -> Result<String, ServiceError> {
    let works = api_url(base, "/works")?;
    let url = crate::text::doi::doi_url(works.as_str(), doi)
        .map_err(|e| ServiceError::answer(CROSSREF, e.to_string()))?;
    let mut url =
        url::Url::parse(&url).map_err(|e| ServiceError::answer(CROSSREF, e.to_string()))?;
    with_mailto(&mut url, mailto);
    Ok(url.into())
}

fn json(text: &str) -> Result<Value, ServiceError> {
    serde_json::from_str(text).map_err(|e| {
        let what = if e.is_eof() {
            "the answer was cut short"
        } else {
            "the answer is not JSON"
        };
        ServiceError::answer(CROSSREF, format!("{what} ({e}); the next check asks again"))
    })
}

/// The records of a list answer by DOI key. A record for a DOI not asked for fails the whole
/// answer: it cannot be trusted for the others either.
pub fn parse_list(text: &str, asked: &[String]) -> Result<Vec<(String, WorkHealth)>, ServiceError> {
    let value = json(text)?;
    let items = value
        .get("message")
        .and_then(|m| m.get("items"))
        .and_then(Value::as_array)
        .ok_or_else(|| ServiceError::answer(CROSSREF, "the answer has no list of works"))?;
    let asked: HashSet<String> = asked.iter().map(|d| crate::text::doi::key(d)).collect();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(doi) = item.get("DOI").and_then(Value::as_str) else {
            return Err(ServiceError::answer(CROSSREF, "a listed work has no DOI"));
        };
        let key = crate::text::doi::key(doi);
        if !asked.contains(&key) {
            return Err(ServiceError::answer(
                CROSSREF,
                format!("the answer lists {key}, which was not asked for; nothing kept"),
            ));
        }
        out.push((key, parse_work(item)));
    }
    Ok(out)
}

/// A single-work answer for `doi`.
pub fn parse_one(text: &str, doi: &str) -> Result<WorkHealth, ServiceError> {
    let value = json(text)?;
    let message = value
        .get("message")
        .ok_or_else(|| ServiceError::answer(CROSSREF, "the answer has no work"))?;
    let got = message
        .get("DOI")
        .and_then(Value::as_str)
        .map(crate::text::doi::key);
    if got.as_deref() != Some(crate::text::doi::key(doi).as_str()) {
        return Err(ServiceError::answer(
            CROSSREF,
            format!("asked for {doi}, the answer is about another work; nothing kept"),
        ));
    }
    Ok(parse_work(message))
}

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct Ask {
    pub base: String,
    pub mailto: Option<String>,
    pub gap: Duration,
}

impl Ask {
    /// Requests in flight at once: the polite pool's limit with a contact, else the public one's.
    pub fn concurrency(&self) -> usize {
        if self.mailto.as_deref().is_some_and(|m| !m.trim().is_empty()) {
            CONCURRENT_POLITE
        } else {
            CONCURRENT_PUBLIC
        }
    }
}

/// Checks `dois` (bare), sending each one's health (`WorkHealth::unknown()` for a DOI Crossref
/// does not know) or its batch's error as one line, as each batch ends.
pub async fn check(
    fetcher: &Fetcher,
    ask: &Ask,
    dois: &[String],
    send: &mut (dyn FnMut(String, Result<WorkHealth, String>) + Send),
) {
    // One pacer per lane, shared across the process: two checks at once keep to the limit.
    let concurrent = ask.concurrency();
    let lanes: Vec<std::sync::Arc<Pacer>> = (0..concurrent)
        .map(|i| pacer::shared(&format!("{} lane {i}", ask.base), ask.gap))
        .collect();
    // Each batch owns what it uses: the stream's futures outlive no borrow.
    let chunks: Vec<Vec<String>> = dois.chunks(BATCH).map(<[String]>::to_vec).collect();
    let batches = chunks.into_iter().enumerate().map(|(i, chunk)| {
        let lane = lanes[i % concurrent].clone();
        let (fetcher, ask) = (fetcher.clone(), ask.clone());
        async move {
            let r = check_batch(&fetcher, &lane, &ask, &chunk).await;
            (chunk, r)
        }
    });
    let mut stream = futures_util::stream::iter(batches).buffer_unordered(concurrent);
    while let Some((chunk, result)) = stream.next().await {
        match result {
            Ok(found) => found.into_iter().for_each(|(d, h)| send(d, h)),
            Err(e) => {
                let line = e.to_string();
                chunk
                    .iter()
                    .for_each(|d| send(d.clone(), Err(line.clone())));
            }
        }
    }
}

type Found = Vec<(String, Result<WorkHealth, String>)>;

async fn check_batch(
    fetcher: &Fetcher,
    lane: &Pacer,
    ask: &Ask,
    chunk: &[String],
) -> Result<Found, ServiceError> {
    let url = list_url(&ask.base, chunk, ask.mailto.as_deref())?;
    let answer = paced_get(fetcher, lane, CROSSREF, &url, "application/json").await?;
    let mut listed = parse_list(&body_text(CROSSREF, &answer)?, chunk)?;
    let mut out = Vec::with_capacity(chunk.len());
    for doi in chunk {
        let key = crate::text::doi::key(doi);
        match listed.iter().position(|(k, _)| *k == key) {
            Some(i) => out.push((doi.clone(), Ok(listed.swap_remove(i).1))),
            None => {
                let alone = check_alone(fetcher, lane, ask, doi).await;
                out.push((doi.clone(), alone.map_err(|e| e.to_string())));
            }
        }
    }
    Ok(out)
}

/// A DOI the list left out, asked alone: a 404 means Crossref does not know it.
async fn check_alone(
    fetcher: &Fetcher,
    lane: &Pacer,
    ask: &Ask,
    doi: &str,
) -> Result<WorkHealth, ServiceError> {
    let url = work_url(&ask.base, doi, ask.mailto.as_deref())?;
    match paced_get(fetcher, lane, CROSSREF, &url, "application/json").await {
        Ok(answer) => parse_one(&body_text(CROSSREF, &answer)?, doi),
        Err(ServiceError::Fetch {
            source: FetchError::Http { status: 404, .. },
            ..
        }) => Ok(WorkHealth::unknown()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_filter_rows_select_and_mailto() {
        let dois = ["10.1/a".to_string(), "10.2/b(c)".to_string()];
        let url = list_url("http://127.0.0.1:9/", &dois, Some("me@example.org")).expect("url");
        let parsed = url::Url::parse(&url).expect("parse");
        let q: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(parsed.path(), "/works");
        assert!(q.contains(&("filter".into(), "doi:10.1/a,doi:10.2/b(c)".into())));
        assert!(q.contains(&("rows".into(), "2".into())));
        assert!(q.contains(&("mailto".into(), "me@example.org".into())));
        assert!(q
            .iter()
            .any(|(k, v)| k == "select" && v.contains("updated-by")));
        let one = work_url("http://127.0.0.1:9", "10.1/../x", None).expect("url");
        assert!(!one.contains("/../"), "{one}");
        assert!(one.starts_with("http://127.0.0.1:9/works/"), "{one}");
    }
}
