//! Feed documents to [`ParsedFeed`]: encodings, truncation, what feed-rs drops, and fallbacks.
//!
//! The pipeline for XML: transcode to UTF-8 when the bytes are not (BOM, declared legacy
//! charset, or stray Windows-1252 bytes); one cheap quick-xml pass that checks the root element
//! closes and collects what feed-rs does not expose (DOI elements, RFC 5005 paging, Dublin Core
//! dates and titles, `dc:description`, permalink guids, `rdf:about` links, `<body>` /
//! `xhtml:body` bodies, base64 Atom content, items outside `<channel>`), and that also reads RSS
//! item bodies (`<description>`, `<content:encoded>`) so that feed-rs, which spent most of its
//! time on their entity references, gets a copy without them, and an RSS item's lone plain-text
//! `<title>`, `<link>`, `<guid>`, `<pubDate>` and `<author>`, cut whole (`raw::Lean`: feed-rs
//! spent most of the rest on those small elements' events); small rewrites so feed-rs
//! accepts real-world variants (`<rss>` without a version, Atom 0.3, RSS 0.90, the userland RSS
//! namespace, Atom `type` attributes it would reject the whole feed for); then feed-rs; then the
//! two are merged entry by entry. When feed-rs still rejects a well-formed
//! feed, a second, full raw pass reads every entry on its own. A document that is not
//! well-formed for an error real feeds make (an unescaped `&`…) is repaired and read again.
//!
//! - `encoding`: bytes to UTF-8; `raw`: the quick-xml pass; `vocab`: the names it knows (namespaces,
//!   which element is which field); `fallback`: the rewrites;
//! - `adapter`: feed-rs and the raw pass merged; `entry`: one entry's parts to a `NewEntry`;
//! - `identity`: entry keys; `dates`: date forms; `json`: JSON Feed;
//! - `repair`: the XML errors real feeds make, escaped.

mod adapter;
mod dates;
mod encoding;
mod entry;
mod fallback;
mod json;
mod raw;
mod repair;
#[cfg(test)]
mod tests;
mod vocab;

pub use crate::model::identity::{entry_key, legacy_key, split_keys};

use adapter::{feed_rs_parser, merge};
use encoding::{fix_char_refs, skip_bom_and_space, to_utf8};
use fallback::rewrite_doc;
use json::parse_json;
use raw::raw_pass;

use crate::model::ParsedFeed;
use crate::text::scrub::scrub_line;

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("document ends before its root element closes (truncated download)")]
    Truncated,
    #[error("empty document (the server sent no content)")]
    Empty,
    #[error("invalid feed: {0}")]
    Invalid(String),
}

/// An entry that did not come from a feed document (a sync account's item).
#[derive(Debug, Clone, Default)]
pub struct EntryFields {
    pub title: Option<String>,
    pub link: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    pub content_html: Option<String>,
}

/// Cleans such an entry exactly as a parsed one (scrubbed HTML, text, title, DOIs) and keys it
/// by its link, as an item without a guid is.
pub fn clean_entry(f: EntryFields) -> crate::model::NewEntry {
    entry::build_entry(entry::Parts {
        guid: None,
        title: f.title,
        link: f.link,
        authors: f.authors,
        published: f.published,
        updated: f.updated,
        content_html: f.content_html,
        summary_html: None,
        dois: &[],
        other_links: Vec::new(),
    })
    .0
}

const HTML_HINT: &str =
    "an HTML page, not a feed (try the site's feed URL, or `paperboy add` the page to discover it)";

/// Parses a feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) fetched from `url`.
pub fn parse_feed(bytes: &[u8], url: &str) -> Result<ParsedFeed, ParseError> {
    parse_feed_with(bytes, url, true)
}

/// [`parse_feed`]; with `cut_bodies`, the raw pass reads RSS item bodies for feed-rs (see
/// `RawItem::cut_description`). Without, feed-rs reads them: the tests compare the two.
fn parse_feed_with(bytes: &[u8], url: &str, cut_bodies: bool) -> Result<ParsedFeed, ParseError> {
    let start = skip_bom_and_space(bytes);
    if start >= bytes.len() {
        return Err(ParseError::Empty);
    }
    if bytes[start] == b'{' {
        return parse_json(bytes, url);
    }
    if looks_like_html(bytes) {
        return Err(ParseError::NotAFeed(HTML_HINT.to_string()));
    }
    let utf8 = fix_char_refs(to_utf8(bytes));
    let raw = raw_pass(&utf8, false);
    // Only an ill-formed document is repaired: a well-formed one pays nothing for it.
    if raw.error.is_some() && !raw.truncated {
        if let Some((fixed, repairs)) = repair::repair(&utf8) {
            let raw = raw_pass(&fixed, false);
            // Cut short in transit: a failed fetch, whatever else was wrong.
            if raw.truncated {
                return Err(ParseError::Truncated);
            }
            if raw.error.is_none() {
                if let Ok(mut feed) = parse_xml(&fixed, raw, url, cut_bodies) {
                    let note = scrub_line(&repairs.describe(&utf8));
                    tracing::warn!(feed = url, "{note}");
                    feed.warning = Some(note);
                    return Ok(feed);
                }
            }
        }
    }
    parse_xml(&utf8, raw, url, cut_bodies)
}

/// An XML document (UTF-8, references fixed) and its raw pass to a feed.
fn parse_xml(
    utf8: &[u8],
    mut raw: raw::Raw,
    url: &str,
    cut_bodies: bool,
) -> Result<ParsedFeed, ParseError> {
    if raw.truncated {
        return Err(ParseError::Truncated);
    }
    let Some(root) = raw.root.clone() else {
        return Err(match raw.error {
            Some(e) => ParseError::Invalid(e),
            None => ParseError::NotAFeed("no XML or JSON document found".to_string()),
        });
    };
    if raw.error.is_some() || !cut_bodies {
        raw.uncut();
    }
    let doc = rewrite_doc(utf8, &root, &raw.fixes);
    let order = raw.day_order();
    let mut parsed = feed_rs_parser(url, order).parse(&doc[..]);
    // The cut bodies are paired with feed-rs's entries in document order: when feed-rs reads
    // the items differently, or not at all, it reads the bodies itself after all.
    let in_channel = raw.items.iter().filter(|r| r.in_channel).count();
    if !matches!(&parsed, Ok(f) if f.entries.len() == in_channel) && raw.uncut() {
        let doc = rewrite_doc(utf8, &root, &raw.fixes);
        parsed = feed_rs_parser(url, order).parse(&doc[..]);
    }
    let kind = match root.name.as_str() {
        "rss" => Some("RSS"),
        "RDF" => Some("RSS 1.0 (RDF)"),
        "feed" => Some("Atom"),
        _ => None,
    };
    let feed = match parsed {
        Ok(feed) => Some(feed),
        // `<rss>` whose items all sit outside a `<channel>`: built from the raw pass alone.
        Err(_) if root.name == "rss" && !raw.items.is_empty() && raw.error.is_none() => None,
        // A feed feed-rs rejects for one element it cannot read (an empty `<content>` with a
        // MIME type…): every entry is read from a full raw pass instead of losing them all.
        Err(feed_rs::parser::ParseFeedError::ParseError(e)) if kind.is_some() => {
            let full = raw_pass(utf8, true);
            if full.items.is_empty() || full.error.is_some() || full.truncated {
                let kind = kind.unwrap_or("feed");
                return Err(ParseError::Invalid(match e {
                    feed_rs::parser::ParseErrorKind::NoFeedRoot => {
                        format!("{kind} document with no channel and no entries")
                    }
                    other => format!("{kind} document: {}", scrub_line(&other.to_string())),
                }));
            }
            tracing::debug!("feed-rs rejected {url} ({e}); read from the raw pass");
            return Ok(merge(None, full, url));
        }
        Err(feed_rs::parser::ParseFeedError::ParseError(_)) => {
            return Err(ParseError::NotAFeed(format!(
                "an XML document with root element <{}>, not RSS, Atom or JSON Feed",
                scrub_line(&root.name)
            )))
        }
        Err(e) => {
            return Err(ParseError::Invalid(match raw.error {
                Some(raw_err) => raw_err,
                None => scrub_line(&e.to_string()),
            }))
        }
    };
    Ok(merge(feed, raw, url))
}

/// True when the document is an HTML page (doctype or `<html>` root) rather than a feed.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let mut i = 0;
    while let Some(off) = head[i..].iter().position(|&b| b == b'<') {
        let at = i + off;
        let rest = &head[at + 1..];
        if rest.starts_with(b"?") {
            i = at + 1;
            continue;
        }
        if rest.starts_with(b"!--") {
            match find(&head[at..], b"-->") {
                Some(end) => {
                    i = at + end + 3;
                    continue;
                }
                None => return false,
            }
        }
        if rest.starts_with(b"!") {
            return starts_with_ignore_case(&rest[1..], b"doctype html");
        }
        let name: Vec<u8> = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b':')
            .map(u8::to_ascii_lowercase)
            .collect();
        return matches!(&name[..], b"html" | b"head" | b"body" | b"html:html");
    }
    false
}

/// Feed URLs a web page advertises through `<link rel="alternate" type="…">`, resolved against
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}
