//! The arXiv API: `?id_list=ID,ID,…&max_results=N`, answered in Atom with arXiv's own
//! elements (`arxiv:primary_category`, `arxiv:journal_ref`, `arxiv:doi`).
//!
//! The answer is read with one small quick-xml pass rather than the feed parser: the parser
//! keeps no `arxiv:` element per entry, and these fields are the point of asking.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{json, Map, Value};

use super::pacer::Pacer;
use super::{
    body_text, csl_date, csl_name, in_batches, outcome, paced_get, Outcome, ServiceError, ARXIV,
};
use crate::net::Fetcher;
use crate::text::ids::PaperId;
use crate::text::scrub::scrub_line;

/// Ids per request: arXiv answers a long `id_list` in one page up to `max_results`.
pub const BATCH: usize = 100;

/// One `<entry>` of an answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    /// The `<id>` URL, e.g. `http://arxiv.org/abs/1707.08567v1`.
    pub id_url: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub primary_category: Option<String>,
    pub pdf: Option<String>,
    pub journal_ref: Option<String>,
    pub doi: Option<String>,
}

/// Which text an open element collects.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Id,
    Title,
    Summary,
    Published,
    AuthorName,
    JournalRef,
    Doi,
}

/// The request URL for `ids` (bare arXiv ids, no `arxiv:` prefix).
pub fn query_url(base: &str, ids: &[&str]) -> Result<String, ServiceError> {
    let mut url = url::Url::parse(base.trim())
        .map_err(|e| ServiceError::answer(ARXIV, format!("bad [papers] arxiv_api: {e}")))?;
    url.query_pairs_mut()
        .append_pair("id_list", &ids.join(","))
        .append_pair("max_results", &ids.len().to_string());
    Ok(url.into())
}

/// The entries of an answer. arXiv reports a bad request as an entry titled "Error" whose id
/// is under `/api/errors`: that is an error naming the service.
pub fn parse(xml: &str) -> Result<Vec<Entry>, ServiceError> {
    let mut reader = Reader::from_str(xml);
    let mut entries = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut slot: Option<Slot> = None;
    let mut text = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ServiceError::answer(ARXIV, format!("the answer is not Atom: {e}")))?;
        match event {
            Event::CData(t) if slot.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Event::Start(e) => {
                if e.name().as_ref() == b"entry" {
                    entry = Some(Entry::default());
                } else if let Some(en) = entry.as_mut() {
                    slot = start(en, &e);
                    text.clear();
                }
            }
            Event::Empty(e) => {
                if let Some(en) = entry.as_mut() {
                    start(en, &e);
                }
            }
            Event::Text(t) if slot.is_some() => {
                if let Ok(s) = t.decode() {
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if slot.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Ok(name) = r.decode() {
                    let known = quick_xml::escape::resolve_predefined_entity(&name);
                    text.push_str(known.unwrap_or(""));
                }
            }
            Event::End(e) => {
                if e.name().as_ref() == b"entry" {
                    entries.extend(entry.take());
                } else if let (Some(en), Some(s)) = (entry.as_mut(), slot.take()) {
                    store(en, s, &text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(err) = entries.iter().find(|e| e.id_url.contains("/api/errors")) {
        let why = err.summary.as_deref().unwrap_or("the request was refused");
        return Err(ServiceError::answer(ARXIV, why));
    }
    Ok(entries)
}

/// What an entry's start tag is: a text slot to collect, or (for links and the category)
/// attributes read at once.
fn start(en: &mut Entry, e: &BytesStart<'_>) -> Option<Slot> {
    let attr = |name: &[u8]| -> Option<String> {
        let a = e.attributes().flatten().find(|a| a.key.as_ref() == name)?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?;
        Some(v.into_owned())
    };
    match e.name().as_ref() {
        b"id" => Some(Slot::Id),
        b"title" => Some(Slot::Title),
        b"summary" => Some(Slot::Summary),
        b"published" => Some(Slot::Published),
        b"name" => Some(Slot::AuthorName),
        b"arxiv:journal_ref" => Some(Slot::JournalRef),
        b"arxiv:doi" => Some(Slot::Doi),
        b"arxiv:primary_category" => {
            en.primary_category = attr(b"term").map(|t| scrub_line(&t));
            None
        }
        b"link" => {
            let is_pdf = attr(b"title").as_deref() == Some("pdf")
                || attr(b"type").as_deref() == Some("application/pdf");
            if is_pdf && en.pdf.is_none() {
                en.pdf = attr(b"href").map(|h| scrub_line(&h));
            }
            None
        }
        _ => None,
    }
}

fn store(en: &mut Entry, slot: Slot, text: &str) {
    // Titles and summaries wrap over several lines in arXiv's answers.
    let clean = scrub_line(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    if clean.is_empty() {
        return;
    }
    match slot {
        Slot::Id => en.id_url = clean,
        Slot::Title => en.title = Some(clean),
        Slot::Summary => en.summary = Some(clean),
        Slot::Published => en.published = Some(clean),
        Slot::AuthorName => en.authors.push(clean),
        Slot::JournalRef => en.journal_ref = Some(clean),
        Slot::Doi => en.doi = Some(clean),
    }
}

/// The paper an entry is about (its `<id>` URL read by the identifier finder: versions
/// dropped, old and new ids alike).
fn arxiv_id(en: &Entry) -> Option<String> {
    let found = crate::text::ids::find_papers("", &[en.id_url.as_str()]);
    found
        .into_iter()
        .flat_map(|p| p.ids)
        .find_map(|id| match id {
            PaperId::Arxiv(a) => Some(a),
            _ => None,
        })
}

/// The published version's DOI key (`doi:…`), when arXiv names one.
fn published_doi_key(en: &Entry) -> Option<String> {
    let doi = crate::text::doi::from_meta(en.doi.as_deref()?)?;
    Some(PaperId::Doi(doi).key())
}

/// An entry as a CSL-JSON item (`article` in the archive arXiv) and the aliases it gives.
pub fn to_csl(en: &Entry, id: &str) -> (String, Vec<String>) {
    let mut item = Map::new();
    item.insert("id".into(), json!(format!("arxiv:{id}")));
    item.insert("type".into(), json!("article"));
    item.insert("archive".into(), json!("arXiv"));
    item.insert("number".into(), json!(id));
    item.insert("URL".into(), json!(format!("https://arxiv.org/abs/{id}")));
    if let Some(t) = &en.title {
        item.insert("title".into(), json!(t));
    }
    let authors: Vec<Value> = en.authors.iter().map(|a| csl_name(a, false)).collect();
    if !authors.is_empty() {
        item.insert("author".into(), Value::Array(authors));
    }
    if let Some(d) = en.published.as_deref().and_then(csl_date) {
        item.insert("issued".into(), d);
    }
    if let Some(c) = &en.primary_category {
        item.insert("keyword".into(), json!(c));
    }
    if let Some(j) = &en.journal_ref {
        item.insert("note".into(), json!(format!("Journal reference: {j}")));
    }
    let mut aliases = Vec::new();
    if let Some(key) = published_doi_key(en) {
        if let Some(doi) = key.strip_prefix("doi:") {
            item.insert("DOI".into(), json!(doi));
        }
        aliases.push(key);
    }
    let custom = json!({
        "arxiv_id": id,
        "primary_category": en.primary_category,
        "pdf": en.pdf,
        "journal_ref": en.journal_ref,
    });
    item.insert("custom".into(), custom);
    (Value::Object(item).to_string(), aliases)
}

/// The published version's DOI that an arXiv item (as [`to_csl`] made it) names, if any.
pub fn published_doi(csl_json: &str) -> Option<String> {
    let item: Value = serde_json::from_str(csl_json).ok()?;
    if item.get("archive")?.as_str()? != "arXiv" {
        return None;
    }
    let doi = item.get("DOI")?.as_str()?;
    crate::text::doi::from_meta(doi)
}

/// The answers for `ids` (bare, versionless arXiv ids), asked [`BATCH`] at a time in
/// `pacer`'s turns; each batch's answers are sent as soon as it is read.
pub async fn resolve(
    fetcher: &Fetcher,
    pacer: &Pacer,
    base: &str,
    ids: &[String],
    send: &mut (dyn FnMut(String, Result<Outcome, String>) + Send),
) {
    let ask = |chunk: Vec<String>| async move { ask(fetcher, pacer, base, &chunk).await };
    in_batches(ids, BATCH, ask, &mut |id, found| {
        let answer = outcome(found, |en| to_csl(en, &id));
        send(id, answer);
    })
    .await;
}

async fn ask(
    fetcher: &Fetcher,
    pacer: &Pacer,
    base: &str,
    chunk: &[String],
) -> Result<Vec<(String, Entry)>, ServiceError> {
    let ids: Vec<&str> = chunk.iter().map(String::as_str).collect();
    let url = query_url(base, &ids)?;
    let fetched = paced_get(fetcher, pacer, ARXIV, &url, "application/atom+xml").await?;
    let entries = parse(&body_text(ARXIV, &fetched)?)?;
    Ok(entries
        .into_iter()
        .filter_map(|en| Some((arxiv_id(&en)?, en)))
        .collect())
}
