//! A paper as a Zotero item, and Zotero's connector protocol: the local server Zotero desktop
//! runs (port 23119) for its browser connectors. `POST /connector/ping` says whether it is
//! there; `POST /connector/saveItems` with `{"items": [...], "uri", "sessionID"}` saves items
//! into the library selected in Zotero. Zotero answers 400 to a connector whose
//! `X-Zotero-Connector-API-Version` is below its own (3 in Zotero 7), and 409 to a reused
//! session id, so each save sends the current version and a new session.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header;
use serde_json::{json, Map, Value};

use super::cite::Citation;
use crate::config::FetchConfig;
use crate::net::{self, FetchError};
use crate::text::scrub::{scrub_line, shown_url};

/// The connector API version Zotero 7 speaks (`CONNECTOR_API_VERSION` in its
/// `server_connector.js`).
pub const CONNECTOR_API_VERSION: &str = "3";

/// What Zotero's answers may be: small JSON; a larger body is not read past this.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// Why a save through the connector failed, one line each.
#[derive(Debug, thiserror::Error)]
pub enum ZoteroError {
    #[error(
        "Zotero is not running: nothing answers at {url} ({reason}); start Zotero, or set \
         [papers] save_command to save elsewhere"
    )]
    NotRunning { url: String, reason: String },
    #[error(
        "Zotero did not answer {endpoint} at {url} within {secs} s (is a dialog open in Zotero?)"
    )]
    Timeout {
        url: String,
        endpoint: &'static str,
        secs: u64,
    },
    #[error("Zotero's connector at {url} answered {endpoint} with {status}{detail}")]
    Http {
        url: String,
        endpoint: &'static str,
        status: String,
        detail: String,
    },
    #[error("Zotero's connector at {url} failed {endpoint}: {reason}")]
    Other {
        url: String,
        endpoint: &'static str,
        reason: String,
    },
}

/// The Zotero item type of a CSL type; an arXiv paper is a preprint whatever it says.
fn item_type(csl_type: Option<&str>, key: &str, has_container: bool) -> &'static str {
    if key.starts_with("arxiv:") {
        return "preprint";
    }
    match csl_type {
        Some("article-journal") => "journalArticle",
        // CSL 1.0.2 calls preprints `article`; Crossref's `posted-content` is one too.
        Some("article" | "posted-content") => "preprint",
        Some("article-magazine") => "magazineArticle",
        Some("article-newspaper") => "newspaperArticle",
        Some("paper-conference") => "conferencePaper",
        Some("chapter") => "bookSection",
        Some("book") => "book",
        Some("report") => "report",
        Some("thesis") => "thesis",
        Some("dataset") => "dataset",
        Some("post-weblog") => "blogPost",
        Some("webpage") => "webpage",
        _ if has_container => "journalArticle",
        _ => "document",
    }
}

/// The field a type names its container in (`publicationTitle` for articles).
fn container_field(item_type: &str) -> Option<&'static str> {
    match item_type {
        "journalArticle" | "magazineArticle" | "newspaperArticle" => Some("publicationTitle"),
        "conferencePaper" => Some("proceedingsTitle"),
        "bookSection" => Some("bookTitle"),
        "preprint" => Some("repository"),
        "blogPost" => Some("blogTitle"),
        "webpage" => Some("websiteTitle"),
        _ => None,
    }
}

/// A CSL name as a Zotero creator. A one-part name (an organisation) is kept whole in
/// `lastName` with `fieldMode: 1`, as Zotero's own translators write it; `firstName` is there
/// (empty) too, since some connector servers read it from every creator.
fn creator(name: &Value, role: &str) -> Option<Value> {
    let part = |k: &str| name.get(k).and_then(Value::as_str).map(scrub_line);
    let particle = part("non-dropping-particle");
    let family = part("family").map(|f| match &particle {
        Some(p) => format!("{p} {f}"),
        None => f,
    });
    match (family, part("given"), part("literal")) {
        (Some(last), Some(first), _) => Some(json!({
            "firstName": first, "lastName": last, "creatorType": role
        })),
        (Some(last), None, _) | (None, _, Some(last)) => Some(json!({
            "firstName": "", "lastName": last, "creatorType": role, "fieldMode": 1
        })),
        (None, Some(given), None) => Some(json!({
            "firstName": "", "lastName": given, "creatorType": role, "fieldMode": 1
        })),
        (None, None, None) => None,
    }
}

/// `2014-12-01`, `2014-12` or `2014` from a CSL date's parts.
fn date(issued: Option<&Value>, year: Option<i32>) -> Option<String> {
    let parts: Vec<i64> = issued
        .and_then(|d| d.get("date-parts"))
        .and_then(|p| p.get(0))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    match parts.as_slice() {
        [y, m, d, ..] => Some(format!("{y:04}-{m:02}-{d:02}")),
        [y, m] => Some(format!("{y:04}-{m:02}")),
        [y] => Some(format!("{y:04}")),
        [] => year.map(|y| format!("{y:04}")),
    }
}

/// The paper as a Zotero item (the JSON a connector sends to `/connector/saveItems`).
/// `key` is the paper's canonical key, `ids` every key it is known by, `doi` its DOI when one
/// is known, `url` where it can be read. Every text is cleaned one-line text.
pub fn item(
    citation: &Citation,
    key: &str,
    ids: &[String],
    doi: Option<&str>,
    url: Option<&str>,
) -> Value {
    let csl = citation.csl_item();
    let text = |k: &str| csl.get(k).and_then(Value::as_str).map(scrub_line);
    let kind = item_type(citation.kind.as_deref(), key, citation.container.is_some());
    let mut item = Map::new();
    let mut set = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            item.insert(k.to_string(), Value::String(v));
        }
    };
    set("itemType", Some(kind.to_string()));
    set("title", citation.title.as_deref().map(scrub_line));
    if let Some(field) = container_field(kind) {
        set(field, citation.container.as_deref().map(scrub_line));
    }
    set("volume", citation.volume.as_deref().map(scrub_line));
    set("issue", citation.issue.as_deref().map(scrub_line));
    set("pages", citation.pages.as_deref().map(scrub_line));
    set("date", date(csl.get("issued"), citation.year));
    set("DOI", doi.map(scrub_line));
    set("url", url.map(scrub_line).or_else(|| text("URL")));
    set("abstractNote", text("abstract"));
    set("publisher", text("publisher"));
    set("ISSN", text("ISSN"));
    set("ISBN", text("ISBN"));
    set("shortTitle", text("title-short"));
    set("journalAbbreviation", text("container-title-short"));
    // Ids Zotero has no field for go in Extra, one `Name: value` a line, as Zotero reads them.
    let extra: Vec<String> = ids
        .iter()
        .filter_map(|id| match id.split_once(':') {
            Some(("arxiv", v)) => Some(format!("arXiv: {}", scrub_line(v))),
            Some(("pmid", v)) => Some(format!("PMID: {}", scrub_line(v))),
            Some(("pmcid", v)) => Some(format!("PMCID: {}", scrub_line(v))),
            _ => None,
        })
        .collect();
    set("extra", (!extra.is_empty()).then(|| extra.join("\n")));
    if kind == "preprint" {
        let arxiv = ids.iter().find_map(|id| id.strip_prefix("arxiv:"));
        set(
            "archiveID",
            arxiv.map(|a| format!("arXiv:{}", scrub_line(a))),
        );
    }
    let role = if csl.get("author").is_some() {
        "author"
    } else {
        "editor"
    };
    let creators: Vec<Value> = csl
        .get(role)
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(|n| creator(n, role)).collect())
        .unwrap_or_default();
    item.insert("creators".into(), Value::Array(creators));
    item.insert("attachments".into(), Value::Array(Vec::new()));
    Value::Object(item)
}

/// A session id no earlier save used (Zotero answers 409 to a reused one).
fn session_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("paperboy-{:x}-{nanos:x}-{n}", std::process::id())
}

/// The `saveItems` body for one item read at `uri`.
pub fn save_body(item: Value, uri: &str) -> Value {
    json!({ "items": [item], "uri": uri, "sessionID": session_id() })
}

/// A client of one connector server (`[papers] zotero_connector`).
pub struct Connector {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
    user_agent: String,
}

impl Connector {
    /// A client with the fetch settings' timeouts; `base` is checked to be an http(s) URL.
    pub fn new(base: &str, fetch: &FetchConfig) -> Result<Connector, FetchError> {
        net::urls::check_url(base)?;
        net::install_crypto_provider();
        let timeout = Duration::from_secs(fetch.timeout_secs.max(1));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(fetch.connect_timeout_secs.max(1)))
            .timeout(timeout + Duration::from_secs(1))
            .tls_backend_rustls()
            .build()
            .map_err(|e| FetchError::Client(scrub_line(&e.to_string())))?;
        Ok(Connector {
            client,
            base: base.trim_end_matches('/').to_string(),
            timeout,
            user_agent: fetch.user_agent.clone(),
        })
    }

    /// Pings the server, then saves `body` (see [`save_body`]).
    pub async fn save(&self, body: &Value) -> Result<(), ZoteroError> {
        self.post("/connector/ping", &json!({})).await?;
        self.post("/connector/saveItems", body).await
    }

    async fn post(&self, endpoint: &'static str, body: &Value) -> Result<(), ZoteroError> {
        let url = format!("{}{endpoint}", self.base);
        let shown = shown_url(&self.base);
        let secs = self.timeout.as_secs();
        let request = self
            .client
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-Zotero-Connector-API-Version", CONNECTOR_API_VERSION)
            // The connector's own version; Zotero's server reads only the API version.
            .header("X-Zotero-Version", env!("CARGO_PKG_VERSION"))
            .header(header::USER_AGENT, self.user_agent.clone())
            .body(body.to_string());
        let timeout = || ZoteroError::Timeout {
            url: shown.clone(),
            endpoint,
            secs,
        };
        let exchange = async {
            let response = request.send().await.map_err(|e| {
                if e.is_timeout() {
                    return timeout();
                }
                let reason = net::errors::map_reqwest_error(&e, secs).to_string();
                if e.is_connect() {
                    ZoteroError::NotRunning {
                        url: shown.clone(),
                        reason,
                    }
                } else {
                    ZoteroError::Other {
                        url: shown.clone(),
                        endpoint,
                        reason,
                    }
                }
            })?;
            let status = response.status();
            let answer = net::read_capped(response, MAX_ANSWER_BYTES, 1, secs).await;
            if status.is_success() {
                return Ok(());
            }
            Err(ZoteroError::Http {
                url: shown.clone(),
                endpoint,
                status: FetchError::Http {
                    status: status.as_u16(),
                    retry_after: None,
                }
                .to_string(),
                detail: answer.map(|b| error_detail(&b)).unwrap_or_default(),
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(timeout()))
    }
}

/// `: CONNECTOR_VERSION_OUTDATED` from Zotero's JSON error answer; nothing for other bodies.
fn error_detail(body: &[u8]) -> String {
    let value: Option<Value> = serde_json::from_slice(body).ok();
    let error = value
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(Value::as_str)
        .map(|e| scrub_line(e).chars().take(80).collect::<String>());
    match error {
        Some(e) if !e.is_empty() => format!(": {e}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::cite::parse_csl_json;

    const HSC: &str = r#"{"type":"article-journal","title":"Enhancing social networks: a mixed methods evaluation","container-title":"Health &amp; Social Care in the Community","container-title-short":"Health Soc Care Community","volume":"24","issue":"1","page":"152-161","author":[{"family":"Webber","given":"Martin"},{"family":"Reidy","given":"Hannah"},{"literal":"The SCIE Group"}],"issued":{"date-parts":[[2014,12,1]]},"abstract":"<jats:p>An <i>abstract</i>.</jats:p>","URL":"https://onlinelibrary.wiley.com/doi/10.1111/hsc.12135","ISSN":"0966-0410"}"#;

    #[test]
    fn a_journal_article_has_every_field_zotero_reads() {
        let c = parse_csl_json(HSC, "10.1111/hsc.12135").expect("parses");
        let it = item(
            &c,
            "doi:10.1111/hsc.12135",
            &["doi:10.1111/hsc.12135".into(), "pmid:24548459".into()],
            Some("10.1111/hsc.12135"),
            Some("https://doi.org/10.1111/hsc.12135"),
        );
        assert_eq!(it["itemType"], "journalArticle");
        assert_eq!(
            it["title"],
            "Enhancing social networks: a mixed methods evaluation"
        );
        assert_eq!(
            it["publicationTitle"],
            "Health & Social Care in the Community"
        );
        assert_eq!(it["journalAbbreviation"], "Health Soc Care Community");
        assert_eq!(it["volume"], "24");
        assert_eq!(it["issue"], "1");
        assert_eq!(it["pages"], "152-161");
        assert_eq!(it["date"], "2014-12-01");
        assert_eq!(it["DOI"], "10.1111/hsc.12135");
        assert_eq!(it["url"], "https://doi.org/10.1111/hsc.12135");
        assert_eq!(it["abstractNote"], "An abstract.");
        assert_eq!(it["extra"], "PMID: 24548459");
        assert_eq!(it["attachments"], json!([]));
        assert_eq!(
            it["creators"],
            json!([
                {"firstName": "Martin", "lastName": "Webber", "creatorType": "author"},
                {"firstName": "Hannah", "lastName": "Reidy", "creatorType": "author"},
                {"firstName": "", "lastName": "The SCIE Group", "creatorType": "author", "fieldMode": 1}
            ])
        );
    }

    #[test]
    fn an_arxiv_paper_is_a_preprint_and_coins_authors_become_creators() {
        let json = r#"{"type":"article","title":"Attention Is All You Need","author":[{"family":"Vaswani","given":"Ashish"}],"issued":{"date-parts":[[2017,6]]}}"#;
        let c = parse_csl_json(json, "arxiv:1706.03762").expect("parses");
        let it = item(
            &c,
            "arxiv:1706.03762",
            &["arxiv:1706.03762".into()],
            None,
            None,
        );
        assert_eq!(it["itemType"], "preprint");
        assert_eq!(it["archiveID"], "arXiv:1706.03762");
        assert_eq!(it["date"], "2017-06");
        assert!(it.get("DOI").is_none(), "{it}");
        // Whatever type and container the answer gives, an arXiv paper is a preprint.
        let typed = Citation {
            kind: Some("article-journal".into()),
            container: Some("arXiv".into()),
            ..c.clone()
        };
        let it = item(&typed, "arxiv:1706.03762", &[], None, None);
        assert_eq!(it["itemType"], "preprint");
        assert_eq!(it["repository"], "arXiv");
        // A citation made from a COinS span: short names, no CSL extras.
        let coins = Citation {
            extra: Default::default(),
            authors: vec!["Smith, J".into(), "WHO".into()],
            kind: Some("article-journal".into()),
            container: Some("J Test".into()),
            year: Some(2013),
            ..c
        };
        let it = item(&coins, "pmid:1", &["pmid:1".into()], None, None);
        assert_eq!(it["itemType"], "journalArticle");
        assert_eq!(it["date"], "2013");
        assert_eq!(it["creators"][0]["lastName"], "Smith");
        assert_eq!(it["creators"][0]["firstName"], "J");
        assert_eq!(it["creators"][1]["lastName"], "WHO");
    }

    #[test]
    fn hostile_text_reaches_zotero_clean_and_sessions_differ() {
        let json = "{\"type\":\"article-journal\",\"title\":\"T\\u001b]52;c;x\\u0007itle\\nX\",\
            \"author\":[{\"family\":\"F\\u202eam\",\"given\":\"G\\u009b1m\"}]}";
        let c = parse_csl_json(json, "10.1/x").expect("parses");
        let it = item(&c, "doi:10.1/x", &[], Some("10.1/x\u{1b}[0m"), None);
        let text = it.to_string();
        for bad in ["\\u001b", "\\u0007", "\\u009b", "\u{202e}", "\\n"] {
            assert!(!text.contains(bad), "{bad} in {text}");
        }
        let a = save_body(it.clone(), "u");
        let b = save_body(it, "u");
        assert_ne!(a["sessionID"], b["sessionID"]);
    }
}
