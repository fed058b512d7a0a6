//! NCBI E-utilities for PubMed: `esummary.fcgi?db=pubmed&id=A,B,…&retmode=json`, up to
//! [`BATCH`] ids a request. Each summary becomes a CSL-JSON item; its `articleids` give the
//! paper's DOI and PMC id (aliases).

use serde_json::{json, Map, Value};

use super::pacer::Pacer;
use super::{
    body_text, csl_date, csl_name, in_batches, outcome, paced_get, Outcome, ServiceError, EUTILS,
};
use crate::net::Fetcher;
use crate::text::ids::PaperId;
use crate::text::scrub::scrub_line;

/// Ids per request (NCBI's advice for GET requests).
pub const BATCH: usize = 200;

/// NCBI's limits: 3 requests a second without an API key, 10 with one.
pub fn gap(api_key: bool) -> std::time::Duration {
    std::time::Duration::from_millis(if api_key { 100 } else { 334 })
}

/// Who asks: NCBI wants a tool name, and a contact where there is one.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub api_key: Option<String>,
    pub email: Option<String>,
}

/// The request URL for `pmids` (digits).
pub fn summary_url(base: &str, pmids: &[&str], caller: &Caller) -> Result<String, ServiceError> {
    let base = base.trim().trim_end_matches('/');
    let mut url = url::Url::parse(&format!("{base}/esummary.fcgi"))
        .map_err(|e| ServiceError::answer(EUTILS, format!("bad [papers] eutils_api: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("db", "pubmed")
            .append_pair("id", &pmids.join(","))
            .append_pair("retmode", "json")
            .append_pair("tool", "paperboy");
        if let Some(email) = &caller.email {
            q.append_pair("email", email);
        }
        if let Some(key) = &caller.api_key {
            q.append_pair("api_key", key);
        }
    }
    Ok(url.into())
}

/// The summaries of an answer by PMID: `None` for a uid NCBI could not summarise.
pub fn parse(json_text: &str) -> Result<Vec<(String, Option<Value>)>, ServiceError> {
    let value: Value = serde_json::from_str(json_text)
        .map_err(|e| ServiceError::answer(EUTILS, format!("the answer is not JSON: {e}")))?;
    let Some(result) = value.get("result") else {
        // A refusal (a rate limit, a bad key) comes as `{"error": "…"}` with no result.
        let why = value.get("error").and_then(Value::as_str);
        return Err(ServiceError::answer(
            EUTILS,
            why.unwrap_or("the answer has no result"),
        ));
    };
    let uids = result.get("uids").and_then(Value::as_array);
    Ok(uids
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|uid| {
            let doc = result.get(uid).filter(|d| d.get("error").is_none());
            (uid.to_string(), doc.cloned())
        })
        .collect())
}

fn text(doc: &Value, field: &str) -> Option<String> {
    let s = scrub_line(doc.get(field)?.as_str()?);
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// The `articleids` of a summary as paper keys (DOI, PMC id; not the PMID itself).
fn article_ids(doc: &Value) -> Vec<PaperId> {
    let ids = doc.get("articleids").and_then(Value::as_array);
    ids.into_iter()
        .flatten()
        .filter_map(|a| {
            let value = a.get("value")?.as_str()?.trim();
            match a.get("idtype")?.as_str()? {
                "doi" => crate::text::doi::from_meta(value).map(PaperId::Doi),
                "pmc" if value.starts_with("PMC") => Some(PaperId::Pmcid(value.to_string())),
                _ => None,
            }
        })
        .collect()
}

/// A summary as a CSL-JSON item (`article-journal`) and the aliases its ids give.
pub fn to_csl(doc: &Value, pmid: &str) -> (String, Vec<String>) {
    let mut item = Map::new();
    item.insert("id".into(), json!(format!("pmid:{pmid}")));
    item.insert("type".into(), json!("article-journal"));
    item.insert("PMID".into(), json!(pmid));
    item.insert(
        "URL".into(),
        json!(format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/")),
    );
    let fields = [
        ("title", "title"),
        ("fulljournalname", "container-title"),
        ("source", "container-title-short"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("pages", "page"),
    ];
    for (from, to) in fields {
        if let Some(v) = text(doc, from) {
            item.insert(to.into(), json!(v));
        }
    }
    let authors: Vec<Value> = (doc.get("authors").and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let name = text(a, "name")?;
            Some(match a.get("authtype").and_then(Value::as_str) {
                Some("CollectiveName") => json!({ "literal": name }),
                _ => csl_name(&name, true),
            })
        })
        .collect();
    if !authors.is_empty() {
        item.insert("author".into(), Value::Array(authors));
    }
    let date = (text(doc, "pubdate").as_deref().and_then(csl_date))
        .or_else(|| text(doc, "sortpubdate").as_deref().and_then(csl_date));
    if let Some(d) = date {
        item.insert("issued".into(), d);
    }
    let ids = article_ids(doc);
    for id in &ids {
        match id {
            PaperId::Doi(d) => item.insert("DOI".into(), json!(d)),
            PaperId::Pmcid(p) => item.insert("PMCID".into(), json!(p)),
            _ => None,
        };
    }
    let aliases = ids.iter().map(PaperId::key).collect();
    (Value::Object(item).to_string(), aliases)
}

/// The answers for `pmids`, asked [`BATCH`] at a time in `pacer`'s turns; see
/// [`super::arxiv::resolve`].
pub async fn resolve(
    fetcher: &Fetcher,
    pacer: &Pacer,
    base: &str,
    caller: &Caller,
    pmids: &[String],
    send: &mut (dyn FnMut(String, Result<Outcome, String>) + Send),
) {
    let ask = |chunk: Vec<String>| async move {
        let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let url = summary_url(base, &ids, caller)?;
        let fetched = paced_get(fetcher, pacer, EUTILS, &url, "application/json").await?;
        let docs = parse(&body_text(EUTILS, &fetched)?)?;
        Ok(docs
            .into_iter()
            .filter_map(|(uid, doc)| Some((uid, doc?)))
            .collect())
    };
    in_batches(pmids, BATCH, ask, &mut |id, found| {
        let answer = outcome(found, |doc| to_csl(doc, &id));
        send(id, answer);
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::cite::parse_csl_json;

    const ONE: &str = include_str!("../../../tests/fixtures/papers/esummary-pubmed-27933103.json");
    const BATCH_JSON: &str =
        include_str!("../../../tests/fixtures/papers/esummary-pubmed-batch.json");

    #[test]
    fn a_summary_becomes_a_csl_item_with_its_ids() {
        let docs = parse(ONE).unwrap();
        assert_eq!(docs.len(), 1);
        let (json, aliases) = to_csl(docs[0].1.as_ref().unwrap(), "27933103");
        assert_eq!(
            aliases,
            ["pmcid:PMC5122160", "doi:10.1186/s13321-016-0181-z"]
        );
        let item: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(item["DOI"], "10.1186/s13321-016-0181-z");
        assert_eq!(item["PMCID"], "PMC5122160");
        assert_eq!(item["URL"], "https://pubmed.ncbi.nlm.nih.gov/27933103/");
        let line = parse_csl_json(&json, "pmid:27933103").unwrap().line();
        assert_eq!(
            line,
            "Scalfani, V. F., Williams, A. J., Tkachenko, V., Karapetyan, K., Pshenichnov, A., \
             Hanson, R. M., Liddie, J. M., & Bara, J. E. (2016). Programmatic conversion of crystal \
             structures into 3D printable files using Jmol. Journal of Cheminformatics, 8, 66. \
             https://doi.org/10.1186/s13321-016-0181-z pmid:27933103"
        );
    }

    #[test]
    fn a_batch_answer_marks_the_uid_ncbi_could_not_summarise() {
        let docs = parse(BATCH_JSON).unwrap();
        let uids: Vec<(&str, bool)> = docs
            .iter()
            .map(|(u, d)| (u.as_str(), d.is_some()))
            .collect();
        assert_eq!(
            uids,
            [
                ("125352", true),
                ("34744", true),
                ("2345234523452345", false),
                ("363666", true)
            ]
        );
        // A summary without authors still cites (its title and journal).
        let (json, _) = to_csl(docs[1].1.as_ref().unwrap(), "34744");
        let c = parse_csl_json(&json, "pmid:34744").unwrap();
        assert_eq!(c.year, Some(1979));
        assert!(c.authors.is_empty());
    }

    #[test]
    fn a_refusal_is_one_line_naming_the_service() {
        let err = parse(
            r#"{"error":"API rate limit exceeded","api-key":"1.2.3.4","count":"11","limit":"10"}"#,
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "NCBI E-utilities: API rate limit exceeded"
        );
        assert!(parse("<html>")
            .unwrap_err()
            .to_string()
            .starts_with("NCBI E-utilities: "));
    }

    #[test]
    fn the_request_names_the_tool_and_the_key_only_when_set() {
        let caller = Caller::default();
        let url = summary_url("http://127.0.0.1:1/eutils/", &["1", "2"], &caller).unwrap();
        assert_eq!(
            url,
            "http://127.0.0.1:1/eutils/esummary.fcgi?db=pubmed&id=1%2C2&retmode=json&tool=paperboy"
        );
        let caller = Caller {
            api_key: Some("k3y".into()),
            email: Some("me@example.org".into()),
        };
        let url = summary_url("http://127.0.0.1:1/eutils", &["1"], &caller).unwrap();
        assert!(
            url.ends_with("&email=me%40example.org&api_key=k3y"),
            "{url}"
        );
        assert!(gap(false) >= std::time::Duration::from_millis(334));
        assert!(gap(true) >= std::time::Duration::from_millis(100));
    }
}
