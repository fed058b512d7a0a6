//! The PMC ID converter: `?ids=PMC…,PMC…&format=json` gives each PMC article's DOI and PMID.
//! A PMC paper's citation then comes from its DOI (or its PMID).

use serde_json::Value;

use super::pacer::Pacer;
use super::{body_text, in_batches, paced_get, ServiceError, IDCONV};
use crate::net::Fetcher;

/// Ids per request (the converter's own limit).
pub const BATCH: usize = 200;

/// What the converter knows of one PMC article.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ids {
    /// A bare DOI.
    pub doi: Option<String>,
    /// Digits.
    pub pmid: Option<String>,
}

/// The request URL for `pmcids` (`PMC` and digits).
pub fn idconv_url(
    base: &str,
    pmcids: &[&str],
    email: Option<&str>,
) -> Result<String, ServiceError> {
    let mut url = url::Url::parse(base.trim())
        .map_err(|e| ServiceError::answer(IDCONV, format!("bad [papers] pmc_idconv_api: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("ids", &pmcids.join(","))
            .append_pair("format", "json")
            .append_pair("tool", "paperboy");
        if let Some(email) = email {
            q.append_pair("email", email);
        }
    }
    Ok(url.into())
}

/// The records of an answer by PMCID; `None` for an id the converter reports as an error.
pub fn parse(json_text: &str) -> Result<Vec<(String, Option<Ids>)>, ServiceError> {
    let value: Value = serde_json::from_str(json_text)
        .map_err(|e| ServiceError::answer(IDCONV, format!("the answer is not JSON: {e}")))?;
    if value.get("status").and_then(Value::as_str) == Some("error") {
        let why = value.get("message").and_then(Value::as_str);
        return Err(ServiceError::answer(
            IDCONV,
            why.unwrap_or("request refused"),
        ));
    }
    let records = value.get("records").and_then(Value::as_array);
    Ok(records
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let asked = r
                .get("requested-id")
                .or_else(|| r.get("pmcid"))
                .and_then(Value::as_str)?
                .trim()
                .to_ascii_uppercase();
            if r.get("status").and_then(Value::as_str) == Some("error") {
                return Some((asked, None));
            }
            // The PMID comes as a number or a string, depending on the converter's version.
            let pmid = match r.get("pmid") {
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::String(s)) if s.bytes().all(|b| b.is_ascii_digit()) => Some(s.clone()),
                _ => None,
            };
            let doi = (r.get("doi").and_then(Value::as_str)).and_then(crate::text::doi::from_meta);
            Some((asked, Some(Ids { doi, pmid })))
        })
        .collect())
}

/// The ids of `pmcids`, asked [`BATCH`] at a time in `pacer`'s turns: for each, `Ok(None)`
/// when the converter does not know it, `Err` (one line naming the service) when it failed.
pub async fn convert(
    fetcher: &Fetcher,
    pacer: &Pacer,
    base: &str,
    email: Option<&str>,
    pmcids: &[String],
) -> Vec<(String, Result<Option<Ids>, String>)> {
    let ask = |chunk: Vec<String>| async move {
        let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let url = idconv_url(base, &ids, email)?;
        let fetched = paced_get(fetcher, pacer, IDCONV, &url, "application/json").await?;
        let records = parse(&body_text(IDCONV, &fetched)?)?;
        Ok(records
            .into_iter()
            .filter_map(|(id, ids)| Some((id, ids?)))
            .collect())
    };
    let mut out = Vec::with_capacity(pmcids.len());
    in_batches(pmcids, BATCH, ask, &mut |id, found| out.push((id, found))).await;
    out
}
