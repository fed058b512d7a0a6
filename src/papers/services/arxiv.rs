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
    let mut closed = false;
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
                closed |= e.name().as_ref() == b"feed";
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
    // A cut or foreign answer must not pass for "none of these ids exist".
    if !closed {
        return Err(ServiceError::answer(
            ARXIV,
            "the answer is not a complete Atom feed",
        ));
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

/// The published version's DOI, when arXiv names one.
fn published(en: &Entry) -> Option<String> {
    crate::text::doi::from_meta(en.doi.as_deref()?)
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
    if let Some(doi) = published(en) {
        item.insert("DOI".into(), json!(doi));
        aliases.push(PaperId::Doi(doi).key());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::cite::parse_csl_json;

    const TESTING: &str = include_str!("../../../tests/fixtures/papers/arxiv-query-testing-10.xml");
    const OLD_ID: &str = include_str!("../../../tests/fixtures/papers/arxiv-astro-ph-0601001.xml");
    const ERROR: &str = include_str!("../../../tests/fixtures/papers/arxiv-abc-error-400.xml");
    const EMPTY: &str = include_str!("../../../tests/fixtures/papers/arxiv-0808.05394-empty.xml");

    #[test]
    fn a_recorded_answer_gives_every_field() {
        let entries = parse(TESTING).unwrap();
        assert_eq!(entries.len(), 10);
        let first = &entries[0];
        assert_eq!(arxiv_id(first).as_deref(), Some("2202.12139"));
        assert_eq!(first.doi.as_deref(), Some("10.1109/ICSTW55395.2022.00035"));
        assert_eq!(first.published.as_deref(), Some("2022-02-24T15:05:19Z"));
        assert_eq!(
            first.pdf.as_deref(),
            Some("https://arxiv.org/pdf/2202.12139v1")
        );
        assert!(first.journal_ref.as_deref().unwrap().contains("ICSTW"));
        assert!(first.primary_category.is_some());
        // `&amp;` in a journal reference is decoded once.
        let ijsea = entries
            .iter()
            .find(|e| e.id_url.contains("1202.4527"))
            .unwrap();
        assert!(ijsea
            .journal_ref
            .as_deref()
            .unwrap()
            .contains("Engineering & Applications"));
        assert_eq!(parse(EMPTY).unwrap(), vec![]);
    }

    #[test]
    fn an_old_style_id_and_its_csl_item() {
        let entries = parse(OLD_ID).unwrap();
        let en = &entries[0];
        let id = arxiv_id(en).unwrap();
        assert_eq!(id, "astro-ph/0601001");
        assert_eq!(en.primary_category.as_deref(), Some("astro-ph"));
        let (json, aliases) = to_csl(en, &id);
        assert!(aliases.is_empty(), "no arxiv:doi, no alias");
        let item: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(item["type"], "article");
        assert_eq!(item["archive"], "arXiv");
        assert_eq!(item["number"], "astro-ph/0601001");
        assert_eq!(item["URL"], "https://arxiv.org/abs/astro-ph/0601001");
        assert_eq!(
            item["custom"]["pdf"],
            "https://arxiv.org/pdf/astro-ph/0601001v1"
        );
        assert_eq!(item["note"], "Journal reference: ActaAstron.56:1-50,2006");
        assert_eq!(item.get("DOI"), None);
        let line = parse_csl_json(&json, "arxiv:astro-ph/0601001")
            .unwrap()
            .line();
        assert_eq!(
            line,
            "Gould, A., Dorsher, S., Gaudi, B. S., & Udalski, A. (2006). Frequency of Hot Jupiters \
             and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and \
             Carina (Astro-ph/0601001). arXiv. https://arxiv.org/abs/astro-ph/0601001"
        );
        assert_eq!(published_doi(&json), None);
    }

    #[test]
    fn arxiv_doi_is_the_published_version_and_an_alias() {
        let entries = parse(TESTING).unwrap();
        let (json, aliases) = to_csl(&entries[0], "2202.12139");
        assert_eq!(aliases, ["doi:10.1109/icstw55395.2022.00035"]);
        assert_eq!(
            published_doi(&json).as_deref(),
            Some("10.1109/ICSTW55395.2022.00035")
        );
    }

    #[test]
    fn an_error_entry_is_one_line_naming_the_service() {
        let err = parse(ERROR).unwrap_err().to_string();
        assert_eq!(err, "arXiv API: incorrect id format for abc");
        let err = parse("<feed><entry>").unwrap_err().to_string();
        assert!(err.starts_with("arXiv API: "), "{err}");
    }

    #[test]
    fn the_query_lists_every_id_once() {
        let url = query_url(
            "http://127.0.0.1:1/api/query",
            &["1412.3456", "hep-th/9901001"],
        );
        let url = url::Url::parse(&url.unwrap()).unwrap();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            [
                ("id_list".into(), "1412.3456,hep-th/9901001".into()),
                ("max_results".into(), "2".into())
            ]
        );
    }
}
