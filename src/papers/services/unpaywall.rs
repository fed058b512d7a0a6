//! Unpaywall's REST API: `GET {base}/{doi}?email=…` gives a DOI's open-access copies, of which
//! `best_oa_location` is the one paperboy shows. Unpaywall has no batch endpoint: one DOI a
//! request, in the service's pacer's turns (one in flight, a short gap).
//!
//! A 404 is Unpaywall saying it has no record of the DOI (DataCite DOIs, typos): an answer,
//! cached like "no copy". A 429/503 is waited out as `Retry-After` says (`paced_get`).

use std::time::Duration;

use serde_json::Value;

use super::pacer::Pacer;
use super::{body_text, paced_get, ServiceError};
use crate::net::{FetchError, Fetcher};
use crate::papers::access::OaCopy;
use crate::text::scrub::{scrub_line, scrub_url};

/// How errors name the service.
pub const UNPAYWALL: &str = "Unpaywall";

/// The gap between two requests: Unpaywall asks for at most 100,000 calls a day and names no
/// rate; a reader asks for the papers on screen, a few at a time.
pub const GAP: Duration = Duration::from_millis(100);

/// A record is a few kilobytes: anything over this is not one.
pub const MAX_BODY_MIB: u64 = 1;

/// The longest a request may take.
pub const TIMEOUT_SECS: u64 = 20;

/// What Unpaywall said of one DOI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A record: its best open-access copy, or `None` when it lists none.
    Record(Option<OaCopy>),
    /// 404: Unpaywall has no record of the DOI.
    NoRecord,
}

/// The request URL for `doi` (bare) with the contact `email`.
pub fn request_url(base: &str, doi: &str, email: &str) -> Result<String, ServiceError> {
    let mut url = url::Url::parse(base.trim())
        .map_err(|e| ServiceError::answer(UNPAYWALL, format!("bad [papers] unpaywall_api: {e}")))?;
    // The DOI is one path (its `/` kept, as Unpaywall routes it); `set_path` escapes `?`, `#`
    // and spaces, so a DOI never turns into a query.
    let path = format!("{}/{}", url.path().trim_end_matches('/'), doi.trim());
    url.set_path(&path);
    url.query_pairs_mut().append_pair("email", email.trim());
    Ok(url.into())
}

/// A record's best open-access copy (`None`: the record lists none).
pub fn parse(json_text: &str) -> Result<Option<OaCopy>, ServiceError> {
    let value: Value = serde_json::from_str(json_text)
        .map_err(|e| ServiceError::answer(UNPAYWALL, format!("the answer is not JSON: {e}")))?;
    let Some(record) = value.as_object() else {
        return Err(ServiceError::answer(
            UNPAYWALL,
            "the answer is not a record",
        ));
    };
    let Some(best) = record.get("best_oa_location").and_then(Value::as_object) else {
        return Ok(None);
    };
    let text = |name: &str| {
        best.get(name)
            .and_then(Value::as_str)
            .map(scrub_line)
            .filter(|s| !s.trim().is_empty())
    };
    // Only web addresses: a copy's address is opened in the browser.
    let web = |name: &str| {
        text(name)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .map(|u| scrub_url(&u))
    };
    let pdf = web("url_for_pdf");
    let Some(url) = web("url")
        .or_else(|| pdf.clone())
        .or_else(|| web("url_for_landing_page"))
    else {
        return Ok(None);
    };
    Ok(Some(OaCopy {
        url,
        pdf,
        version: text("version"),
        license: text("license"),
        host_type: text("host_type"),
    }))
}

/// Asks Unpaywall about `doi` in `pacer`'s turn.
pub async fn lookup(
    fetcher: &Fetcher,
    pacer: &Pacer,
    base: &str,
    email: &str,
    doi: &str,
) -> Result<Answer, ServiceError> {
    let url = request_url(base, doi, email)?;
    match paced_get(fetcher, pacer, UNPAYWALL, &url, "application/json").await {
        Ok(fetched) => Ok(Answer::Record(parse(&body_text(UNPAYWALL, &fetched)?)?)),
        Err(ServiceError::Fetch {
            source: FetchError::Http { status: 404, .. },
            ..
        }) => Ok(Answer::NoRecord),
        Err(ServiceError::Fetch {
            source: FetchError::TooLarge { .. },
            ..
        }) => Err(ServiceError::answer(
            UNPAYWALL,
            format!("the answer is over {MAX_BODY_MIB} MiB, not a record"),
        )),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_doi_is_one_path_and_the_email_a_query() {
        let u = request_url(
            "https://api.unpaywall.org/v2",
            "10.1038/nature12373",
            "a@b.org",
        )
        .expect("url");
        assert_eq!(
            u,
            "https://api.unpaywall.org/v2/10.1038/nature12373?email=a%40b.org"
        );
        let u =
            request_url("http://127.0.0.1:9/up/", "10.1002/(sici)x?y#z", "a@b.org").expect("url");
        assert_eq!(
            u,
            "http://127.0.0.1:9/up/10.1002/(sici)x%3Fy%23z?email=a%40b.org"
        );
        assert!(request_url("not a url", "10.1/x", "a@b.org").is_err());
    }

    #[test]
    fn odd_records_give_no_copy_or_one_line_errors() {
        assert_eq!(parse(r#"{"best_oa_location": null}"#).expect("ok"), None);
        assert_eq!(parse("{}").expect("ok"), None);
        // A location without a web address is no copy to open.
        let js = r#"{"best_oa_location": {"url": "javascript:alert(1)", "version": "x"}}"#;
        assert_eq!(parse(js).expect("ok"), None);
        let e = parse("<html>").expect_err("not JSON").to_string();
        assert!(e.starts_with("Unpaywall: the answer is not JSON"), "{e}");
        assert!(!e.contains('\n'));
        let e = parse("[1]").expect_err("not a record").to_string();
        assert_eq!(e, "Unpaywall: the answer is not a record");
    }
}
