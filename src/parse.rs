//! Feed documents to [`ParsedFeed`]: encodings, truncation, what feed-rs drops, and fallbacks.
//!
//! The pipeline for XML: transcode to UTF-8 when the bytes are not (BOM, declared legacy
//! charset, or stray Windows-1252 bytes); one cheap quick-xml pass that checks the root element
//! closes and collects what feed-rs does not expose (DOI elements, RFC 5005 paging, Dublin Core
//! dates and titles, `dc:description`, permalink guids, `rdf:about` links, `<body>` /
//! `xhtml:body` bodies, base64 Atom content, items outside `<channel>`); small rewrites so
//! feed-rs accepts real-world variants (`<rss>` without a version, Atom 0.3, RSS 0.90, the
//! userland RSS namespace, Atom `type` attributes it would reject the whole feed for); then
//! feed-rs; then the two are merged entry by entry. When feed-rs still rejects a well-formed
//! feed, a second, full raw pass reads every entry on its own.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use url::Url;

use crate::doi::DoiSet;
use crate::model::{NewEntry, PagingLinks, ParsedFeed};
use crate::scrub::{scrub, scrub_line};

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

const HTML_HINT: &str =
    "an HTML page, not a feed (try the site's feed URL, or `paperboy add` the page to discover it)";

/// Parses a feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) fetched from `url`.
pub fn parse_feed(bytes: &[u8], url: &str) -> Result<ParsedFeed, ParseError> {
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
    let utf8 = to_utf8(bytes);
    let raw = raw_pass(&utf8, false);
    if raw.truncated {
        return Err(ParseError::Truncated);
    }
    let Some(root) = raw.root.clone() else {
        return Err(match raw.error {
            Some(e) => ParseError::Invalid(e),
            None => ParseError::NotAFeed("no XML or JSON document found".to_string()),
        });
    };
    let doc = rewrite_doc(&utf8, &root, &raw.fixes);
    let parsed = feed_rs_parser(url).parse(&doc[..]);
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
            let full = raw_pass(&utf8, true);
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

fn feed_rs_parser(url: &str) -> feed_rs::parser::Parser {
    let base = Url::parse(url).ok().map(|u| u.to_string());
    feed_rs::parser::Builder::new()
        .base_uri(base)
        // An empty id means "the document has none", so `entry_key` can fall back as specified.
        .id_generator(|_, _, _| String::new())
        .build()
}

/// The key an entry is stored under: its guid, else its link, else a hash of title and date.
pub fn entry_key(
    guid: Option<&str>,
    link: Option<&str>,
    title: &str,
    date: Option<DateTime<Utc>>,
) -> String {
    if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return g.to_string();
    }
    if let Some(l) = link.map(str::trim).filter(|l| !l.is_empty()) {
        return l.to_string();
    }
    // FNV-1a, 64 bit: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let date = date.map(|d| d.to_rfc3339()).unwrap_or_default();
    for b in title.bytes().chain([0u8]).chain(date.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("hash:{hash:016x}")
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
/// the page URL (and its `<base href>`), in document order, without duplicates.
pub fn discover_feeds(html: &[u8], base_url: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(html);
    let mut base = Url::parse(base_url).ok();
    let mut out: Vec<String> = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    while let Some(off) = lower[i..].find('<') {
        let at = i + off;
        i = at + 1;
        let rest = &lower[at + 1..];
        let is_link =
            rest.starts_with("link") && rest[4..].starts_with(|c: char| c.is_ascii_whitespace());
        let is_base =
            rest.starts_with("base") && rest[4..].starts_with(|c: char| c.is_ascii_whitespace());
        if !is_link && !is_base {
            continue;
        }
        let end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
        let attrs = html_attributes(&text[at + 5..end]);
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| crate::html::decode_entities(v.trim()))
        };
        if is_base {
            if let Some(href) = get("href") {
                if let Some(b) = base
                    .as_ref()
                    .and_then(|b| b.join(&href).ok())
                    .or_else(|| Url::parse(&href).ok())
                {
                    base = Some(b);
                }
            }
            continue;
        }
        let rel = get("rel").unwrap_or_default().to_ascii_lowercase();
        if !rel.split_ascii_whitespace().any(|r| r == "alternate") {
            continue;
        }
        let ty = get("type").unwrap_or_default().to_ascii_lowercase();
        let ty = ty.split(';').next().unwrap_or("").trim().to_string();
        if !matches!(
            ty.as_str(),
            "application/rss+xml"
                | "application/atom+xml"
                | "application/feed+json"
                | "application/json"
                | "application/rdf+xml"
        ) {
            continue;
        }
        let Some(href) = get("href").filter(|h| !h.is_empty()) else {
            continue;
        };
        let resolved = match &base {
            Some(b) => b.join(&href).ok(),
            None => Url::parse(&href).ok(),
        };
        if let Some(u) = resolved {
            let u = u.to_string();
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// `name="value"` pairs of an HTML tag body (names lowercased; quoted or bare values).
fn html_attributes(s: &str) -> Vec<(String, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        if name_start == i {
            i += 1;
            continue;
        }
        let name = s[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            out.push((name, String::new()));
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            let start = i + 1;
            let end = b[start..]
                .iter()
                .position(|&c| c == q)
                .map_or(b.len(), |p| start + p);
            i = end + 1;
            &s[start..end]
        } else {
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            &s[start..i]
        };
        out.push((name, value.to_string()));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Encodings

fn skip_bom_and_space(bytes: &[u8]) -> usize {
    let mut i = 0;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        i = 3;
    }
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The document as UTF-8 with a declaration that says so (or none).
///
/// ISO-8859-1 is read as Windows-1252, as browsers do, so that "smart quotes" in 0x80–0x9F
/// survive; bytes that are not valid UTF-8 in an undeclared document are read as Windows-1252.
fn to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            return Cow::Owned(set_utf8_declaration(&utf8_or_1252(body)).into_bytes());
        }
        let (text, _) = enc.decode_without_bom_handling(body);
        return Cow::Owned(set_utf8_declaration(&text).into_bytes());
    }
    let declared = declared_encoding(bytes)
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    match declared {
        Some(enc)
            if enc != encoding_rs::UTF_8
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE =>
        {
            let (text, _, _) = enc.decode(bytes);
            Cow::Owned(set_utf8_declaration(&text).into_bytes())
        }
        _ => match std::str::from_utf8(bytes) {
            Ok(_) => Cow::Borrowed(bytes),
            Err(_) => Cow::Owned(set_utf8_declaration(&utf8_or_1252(bytes)).into_bytes()),
        },
    }
}

/// UTF-8 where the bytes are valid UTF-8, Windows-1252 for every stray byte.
fn utf8_or_1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1).min(bad.len());
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bad[..n]);
                out.push_str(&text);
                bytes = &bad[n..];
            }
        }
    }
}

/// The `encoding` of an XML declaration at the start of the document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let start = skip_bom_and_space(bytes);
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find(head, b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Replaces the XML declaration's encoding with UTF-8 (the text has been transcoded).
fn set_utf8_declaration(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") {
        if let Some(end) = trimmed.find("?>") {
            let mut out = String::with_capacity(trimmed.len());
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            out.push_str(&trimmed[end + 2..]);
            return out;
        }
    }
    text.to_string()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

// ---------------------------------------------------------------------------------------------
// The raw pass

const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
const NS_ATOM03: &str = "http://purl.org/atom/ns#";
const NS_USERLAND: &str = "http://backend.userland.com/rss2";
const NS_RSS1: &str = "http://purl.org/rss/1.0/";
const NS_RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
const NS_XHTML: &str = "http://www.w3.org/1999/xhtml";

/// The namespaces the raw pass cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// No namespace, or RSS's own (0.9x, 1.0, userland 2.0).
    Plain,
    Atom,
    Dc,
    DcTerms,
    Prism,
    Arxiv,
    History,
    Content,
    Xhtml,
    Other,
}

fn ns_of(uri: &str) -> Ns {
    match uri {
        NS_ATOM | NS_ATOM03 => Ns::Atom,
        NS_RSS1 | NS_USERLAND | NS_RSS090 => Ns::Plain,
        NS_XHTML => Ns::Xhtml,
        "http://purl.org/dc/elements/1.1/" => Ns::Dc,
        "http://purl.org/dc/terms/" => Ns::DcTerms,
        "http://arxiv.org/schemas/atom" => Ns::Arxiv,
        "http://purl.org/syndication/history/1.0" => Ns::History,
        "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
        u if u.starts_with("http://prismstandard.org/namespaces/") => Ns::Prism,
        _ => Ns::Other,
    }
}

/// Undeclared prefixes are common in the wild (`prism:doi` with no xmlns); go by the prefix.
fn ns_of_prefix(prefix: &[u8]) -> Ns {
    match prefix {
        b"atom" => Ns::Atom,
        b"dc" => Ns::Dc,
        b"dcterms" => Ns::DcTerms,
        b"prism" => Ns::Prism,
        b"arxiv" => Ns::Arxiv,
        b"fh" => Ns::History,
        b"content" => Ns::Content,
        b"xhtml" => Ns::Xhtml,
        _ => Ns::Other,
    }
}

#[derive(Debug, Clone)]
struct RootInfo {
    name: String,
    /// Byte range of the root start tag in the UTF-8 document.
    tag: std::ops::Range<usize>,
    version: Option<String>,
}

/// What the raw pass saw of one item/entry.
#[derive(Debug, Default, Clone)]
struct RawItem {
    /// Inside an RSS `<channel>` (or not RSS at all): feed-rs saw it too.
    in_channel: bool,
    guid: Option<String>,
    guid_is_permalink: bool,
    link: Option<String>,
    title: Option<String>,
    dc_title: Option<String>,
    dois: Vec<String>,
    issued: Option<String>,
    modified: Option<String>,
    pub_date: Option<String>,
    /// An RSS 1.0 item's absolute http(s) `rdf:about`: its link when it has no `<link>`.
    about: Option<String>,
    /// An `<item>` in the RSS 1.0 (or 0.90) namespace, which feed-rs reads when it has a link.
    rss1: bool,
    /// The markup inside an item's `<body>` or `xhtml:body` (feed-rs ignores both).
    body: Option<String>,
    /// Atom `<content>` / `<summary>` in base64 (Atom 0.3 `mode="base64"`, or a binary MIME
    /// type in Atom 1.0), decoded to HTML; `Some("")` when it decodes to something not text.
    b64_content: Option<String>,
    b64_summary: Option<String>,
    /// `dc:description` always; RSS `<description>` only for items feed-rs does not see.
    description: Option<String>,
    // The rest is only collected for items feed-rs does not see (outside `<channel>`).
    content: Option<String>,
    authors: Vec<String>,
}

#[derive(Debug, Default)]
struct Raw {
    root: Option<RootInfo>,
    truncated: bool,
    /// A well-formedness error, one line with its line number.
    error: Option<String>,
    items: Vec<RawItem>,
    paging: PagingLinks,
    generator: Option<String>,
    title: Option<String>,
    /// A channel-level `dc:title` (used when there is no `<title>`).
    dc_title: Option<String>,
    link: Option<String>,
    /// Start tags to replace before feed-rs reads the document (byte range, new tag), in
    /// document order: Atom `type` attributes feed-rs would reject the whole feed for.
    fixes: Vec<(std::ops::Range<usize>, String)>,
}

/// Which field of the current item (or of the feed) text is being collected for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Guid,
    Id,
    Link,
    Title,
    DcTitle,
    Doi,
    Issued,
    Modified,
    PubDate,
    Description,
    Content,
    Author,
    FeedTitle,
    FeedDcTitle,
    FeedLink,
    Generator,
    /// Base64 text of an Atom `<content>` (or Atom 0.3 `<summary>`).
    Base64 {
        summary: bool,
        kind: B64Kind,
    },
}

/// What a base64 Atom content construct decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum B64Kind {
    Html,
    Text,
    /// An image, a PDF…: nothing to show as text.
    Binary,
}

fn field_for(ns: Ns, local: &[u8], in_item: bool, outside: bool) -> Option<Field> {
    if !in_item {
        return match (ns, local) {
            (Ns::Plain | Ns::Atom, b"title") => Some(Field::FeedTitle),
            (Ns::Dc, b"title") => Some(Field::FeedDcTitle),
            (Ns::Plain, b"link") => Some(Field::FeedLink),
            (Ns::Plain | Ns::Atom, b"generator") => Some(Field::Generator),
            _ => None,
        };
    }
    let f = match (ns, local) {
        (Ns::Plain, b"guid") => Field::Guid,
        (Ns::Atom, b"id") => Field::Id,
        (Ns::Plain, b"link") => Field::Link,
        (Ns::Plain | Ns::Atom, b"title") => Field::Title,
        (Ns::Dc, b"title") => Field::DcTitle,
        (Ns::Prism, b"doi") | (Ns::Dc, b"identifier") | (Ns::Arxiv, b"doi" | b"DOI") => Field::Doi,
        (Ns::DcTerms, b"issued" | b"created" | b"available")
        | (Ns::Atom, b"issued" | b"created")
        | (Ns::Dc, b"date") => Field::Issued,
        (Ns::DcTerms, b"modified") | (Ns::Atom, b"modified") => Field::Modified,
        (Ns::Plain, b"pubDate") => Field::PubDate,
        // feed-rs reads `dc:description` in RSS 1.0 only; it is rare, so always collected.
        (Ns::Dc, b"description") => Field::Description,
        (Ns::Plain, b"description") | (Ns::Atom, b"summary") if outside => Field::Description,
        (Ns::Atom, b"published") if outside => Field::Issued,
        (Ns::Atom, b"updated") if outside => Field::Modified,
        (Ns::Content, b"encoded") | (Ns::Atom, b"content") if outside => Field::Content,
        (Ns::Plain, b"author") | (Ns::Dc, b"creator") if outside => Field::Author,
        _ => return None,
    };
    Some(f)
}

fn line_of(doc: &[u8], pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(doc.len());
    doc[..pos].iter().filter(|&&b| b == b'\n').count() + 1
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// One pass over the document with quick-xml: no DOM, strings only for the few fields kept.
///
/// With `full`, every item's fields are collected as for items feed-rs does not see (the
/// fallback when feed-rs rejects a well-formed document).
fn raw_pass(doc: &[u8], full: bool) -> Raw {
    let mut raw = Raw::default();
    let mut reader = NsReader::from_reader(doc);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut item_depth: Option<usize> = None;
    let mut channel_depth: Option<usize> = None;
    // Field being collected: the field, the depth of its element, the text so far.
    let mut capture: Option<(Field, usize, String)> = None;
    // xml:base in force, with the depth of the element that set it.
    let mut bases: Vec<(usize, Url)> = Vec::new();
    // An item's `<body>` being skipped over: its depth, where its content starts, its prefix.
    let mut body: Option<(usize, usize, Vec<u8>)> = None;
    loop {
        let before = reader.buffer_position();
        let (ns, rss1, event) = match reader.read_resolved_event() {
            Ok((ns, ev)) => {
                let (ns, rss1) = match ns {
                    ResolveResult::Bound(n) => {
                        let uri = std::str::from_utf8(n.as_ref()).unwrap_or("");
                        (ns_of(uri), uri == NS_RSS1 || uri == NS_RSS090)
                    }
                    ResolveResult::Unknown(prefix) => (ns_of_prefix(&prefix), false),
                    ResolveResult::Unbound => (Ns::Plain, false),
                };
                (ns, rss1, ev)
            }
            Err(e) => {
                use quick_xml::errors::{Error as XE, IllFormedError, SyntaxError};
                let at_end = matches!(
                    e,
                    XE::Syntax(
                        SyntaxError::UnclosedTag
                            | SyntaxError::UnclosedCData
                            | SyntaxError::UnclosedComment
                            | SyntaxError::UnclosedPI
                            | SyntaxError::UnclosedXmlDecl
                            | SyntaxError::UnclosedDoctype
                            | SyntaxError::InvalidBangMarkup
                            | SyntaxError::UnclosedSingleQuotedAttributeValue
                            | SyntaxError::UnclosedDoubleQuotedAttributeValue
                    ) | XE::IllFormed(IllFormedError::MissingEndTag(_))
                );
                if at_end && raw.root.is_some() {
                    raw.truncated = true;
                } else {
                    let line = line_of(doc, reader.error_position());
                    raw.error = Some(format!("line {line}: {}", scrub_line(&e.to_string())));
                }
                return raw;
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let local = e.local_name();
                let local = local.as_ref();
                if depth == 0 && raw.root.is_none() {
                    let after = usize::try_from(reader.buffer_position()).unwrap_or(doc.len());
                    let before = usize::try_from(before).unwrap_or(0);
                    raw.root = Some(RootInfo {
                        name: String::from_utf8_lossy(local).into_owned(),
                        tag: before..after.min(doc.len()),
                        version: attr(e, b"version"),
                    });
                }
                if let Some(base) = attr(e, b"xml:base") {
                    let joined = match bases.last() {
                        Some((_, b)) => b.join(base.trim()).ok(),
                        None => Url::parse(base.trim()).ok(),
                    };
                    if let (Some(u), false) = (joined, is_empty) {
                        bases.push((depth, u));
                    }
                }
                let resolve = |href: &str| -> String {
                    match bases.last() {
                        Some((_, b)) => b
                            .join(href.trim())
                            .map_or_else(|_| href.trim().to_string(), |u| u.to_string()),
                        None => href.trim().to_string(),
                    }
                };
                let is_root_rss = raw.root.as_ref().is_some_and(|r| r.name == "rss");
                let is_rdf = raw.root.as_ref().is_some_and(|r| r.name == "RDF");
                let is_atom_doc = raw.root.as_ref().is_some_and(|r| r.name == "feed");
                let atom03 = is_atom_doc
                    && raw
                        .root
                        .as_ref()
                        .is_some_and(|r| r.version.as_deref().map(str::trim) == Some("0.3"));
                // Atom elements feed-rs reads as text: a `type` it rejects fails the whole feed.
                let feed_level = item_depth.is_none() && depth == 1;
                let entry_level = item_depth.is_some_and(|d| depth == d + 1);
                if ns == Ns::Atom && is_atom_doc && (feed_level || entry_level) {
                    let before = usize::try_from(before).unwrap_or(0);
                    let after = usize::try_from(reader.buffer_position()).unwrap_or(0);
                    if let Some(fix) = atom_type_fix(e, local, doc, before..after) {
                        raw.fixes.push(fix);
                    }
                }
                if item_depth.is_none()
                    && (local == b"item" || local == b"entry")
                    && depth > 0
                    && matches!(ns, Ns::Plain | Ns::Atom)
                {
                    let in_channel = !is_root_rss || channel_depth.is_some();
                    // RSS 1.0 names its items; the URI is a better key than a hash.
                    let about = attr(e, b"rdf:about").filter(|a| !a.trim().is_empty());
                    let about_link = about
                        .as_deref()
                        .map(str::trim)
                        .filter(|a| a.starts_with("http://") || a.starts_with("https://"))
                        .and_then(|a| Url::parse(a).ok())
                        .map(|u| u.to_string());
                    raw.items.push(RawItem {
                        in_channel,
                        guid: about,
                        about: about_link,
                        rss1,
                        ..RawItem::default()
                    });
                    if !is_empty {
                        item_depth = Some(depth);
                    }
                } else if local == b"channel"
                    && ns == Ns::Plain
                    && channel_depth.is_none()
                    && !is_empty
                {
                    channel_depth = Some(depth);
                } else if let Some(idepth) = item_depth {
                    if depth == idepth + 1 {
                        if let Some(item) = raw.items.last_mut() {
                            if ns == Ns::Atom && local == b"link" {
                                let rel =
                                    attr(e, b"rel").unwrap_or_else(|| "alternate".to_string());
                                if rel == "alternate" && item.link.is_none() {
                                    item.link = attr(e, b"href").map(|h| resolve(&h));
                                }
                            } else if local == b"body"
                                && matches!(ns, Ns::Plain | Ns::Xhtml)
                                && !is_atom_doc
                            {
                                if !is_empty && item.body.is_none() {
                                    let start = usize::try_from(reader.buffer_position())
                                        .unwrap_or(doc.len());
                                    let prefix = e
                                        .name()
                                        .prefix()
                                        .map(|p| p.as_ref().to_vec())
                                        .unwrap_or_default();
                                    body = Some((depth, start, prefix));
                                }
                            } else if let Some(field) = (ns == Ns::Atom)
                                .then(|| atom_base64_field(e, local, atom03))
                                .flatten()
                            {
                                if !is_empty {
                                    capture = Some((field, depth, String::new()));
                                }
                            } else if let Some(field) =
                                field_for(ns, local, true, !item.in_channel || is_rdf || full)
                            {
                                if field == Field::Guid {
                                    item.guid_is_permalink = attr(e, b"isPermaLink")
                                        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                                }
                                if !is_empty {
                                    capture = Some((field, depth, String::new()));
                                }
                            }
                        }
                    }
                } else if depth <= 2 {
                    // Feed level: `<feed>`'s children, or `<rss><channel>`'s.
                    if matches!(ns, Ns::Atom | Ns::Plain) && local == b"link" {
                        let rel = attr(e, b"rel").unwrap_or_default();
                        let href = attr(e, b"href").map(|h| resolve(&h));
                        match rel.as_str() {
                            "prev-archive" if raw.paging.prev_archive.is_none() => {
                                raw.paging.prev_archive = href
                            }
                            "next" if raw.paging.next.is_none() => raw.paging.next = href,
                            _ => {}
                        }
                    }
                    if ns == Ns::History && local == b"complete" {
                        raw.paging.complete = true;
                    }
                    if !is_empty && capture.is_none() {
                        if let Some(field) = field_for(ns, local, false, false) {
                            capture = Some((field, depth, String::new()));
                        }
                    }
                }
                if !is_empty {
                    depth += 1;
                } else if depth == 0 {
                    // `<rss/>`: an empty root is a complete (empty) document.
                    return raw;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if bases.last().is_some_and(|(d, _)| *d == depth) {
                    bases.pop();
                }
                if body.as_ref().is_some_and(|(d, _, _)| *d == depth) {
                    if let Some((_, start, prefix)) = body.take() {
                        let after = usize::try_from(reader.buffer_position()).unwrap_or(0);
                        let inner = doc
                            .get(start..after.min(doc.len()))
                            .and_then(|b| b.windows(2).rposition(|w| w == b"</"))
                            .and_then(|end| doc.get(start..start + end))
                            .map(|b| body_markup(b, &prefix))
                            .filter(|b| !b.trim().is_empty());
                        if let Some(item) = raw.items.last_mut() {
                            item.body = inner;
                        }
                    }
                }
                if capture.as_ref().is_some_and(|(_, d, _)| *d == depth) {
                    if let Some((field, _, text)) = capture.take() {
                        store_field(&mut raw, field, text);
                    }
                }
                if item_depth == Some(depth) {
                    item_depth = None;
                    // feed-rs drops RSS 1.0 items without a link; those are built from this pass.
                    if raw.root.as_ref().is_some_and(|r| r.name == "RDF") {
                        if let Some(item) = raw.items.last_mut() {
                            item.in_channel = item.rss1 && item.link.is_some();
                        }
                    }
                }
                if channel_depth == Some(depth) {
                    channel_depth = None;
                }
                if depth == 0 {
                    // The root closed: the document is complete; trailing content is ignored.
                    return raw;
                }
            }
            Event::Text(ref t) => {
                if let Some((_, _, buf)) = capture.as_mut() {
                    if let Ok(s) = t.decode() {
                        buf.push_str(&s);
                    }
                }
            }
            Event::CData(ref t) => {
                if let Some((_, _, buf)) = capture.as_mut() {
                    if let Ok(s) = t.decode() {
                        buf.push_str(&s);
                    }
                }
            }
            Event::GeneralRef(ref r) => {
                if let Some((_, _, buf)) = capture.as_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        buf.push(c);
                    } else if let Ok(name) = r.decode() {
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => buf.push_str(s),
                            None => {
                                // An HTML entity in XML: keep it for the HTML decoder.
                                buf.push('&');
                                buf.push_str(&name);
                                buf.push(';');
                            }
                        }
                    }
                }
            }
            Event::Eof => {
                if raw.root.is_some() {
                    raw.truncated = true;
                }
                return raw;
            }
            _ => {}
        }
    }
}

fn store_field(raw: &mut Raw, field: Field, text: String) {
    let value = text.trim();
    if value.is_empty() {
        return;
    }
    let set = |slot: &mut Option<String>| {
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    };
    match field {
        Field::FeedTitle => set(&mut raw.title),
        Field::FeedDcTitle => set(&mut raw.dc_title),
        Field::FeedLink => set(&mut raw.link),
        Field::Generator => set(&mut raw.generator),
        _ => {
            let Some(item) = raw.items.last_mut() else {
                return;
            };
            match field {
                // The element wins over an `rdf:about` collected at the start tag.
                Field::Guid | Field::Id => item.guid = Some(value.to_string()),
                Field::Link => set(&mut item.link),
                Field::Title => set(&mut item.title),
                Field::DcTitle => set(&mut item.dc_title),
                Field::Doi => item.dois.push(value.to_string()),
                Field::Issued => set(&mut item.issued),
                Field::Modified => set(&mut item.modified),
                Field::PubDate => set(&mut item.pub_date),
                Field::Description => set(&mut item.description),
                Field::Content => set(&mut item.content),
                Field::Author => item.authors.push(value.to_string()),
                Field::Base64 { summary, kind } => {
                    if let Some(html) = decode_base64(value, kind) {
                        let slot = if summary {
                            &mut item.b64_summary
                        } else {
                            &mut item.b64_content
                        };
                        slot.get_or_insert(html);
                    }
                }
                Field::FeedTitle | Field::FeedDcTitle | Field::FeedLink | Field::Generator => {}
            }
        }
    }
}

/// The markup inside an item's `<body>`, with the XHTML prefix (`xhtml:p`) dropped so HTML
/// parsers see plain `<p>`.
fn body_markup(inner: &[u8], prefix: &[u8]) -> String {
    let text = String::from_utf8_lossy(inner);
    if prefix.is_empty() {
        return text.into_owned();
    }
    let p = String::from_utf8_lossy(prefix);
    text.replace(&format!("</{p}:"), "</")
        .replace(&format!("<{p}:"), "<")
}

/// `type/subtype(;name=value)*` with RFC 6838 names, stricter than feed-rs's parser (so a type
/// that passes here also passes there).
fn is_media_type(t: &str) -> bool {
    let name = |s: &str| {
        s.len() <= 127
            && s.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let mut parts = t.split(';');
    let Some((ty, sub)) = parts.next().and_then(|m| m.split_once('/')) else {
        return false;
    };
    name(ty)
        && name(sub)
        && parts.all(|p| p.split_once('=').is_some_and(|(k, v)| name(k) && name(v)))
}

/// feed-rs fails the whole feed on one Atom text construct or `<content>` whose `type` it does
/// not know (`text/plain` on an Atom 0.3 title, `application/xhtml+xml;base64`…). Returns the
/// start tag rewritten with a `type` it accepts that means the same.
fn atom_type_fix(
    e: &BytesStart<'_>,
    local: &[u8],
    doc: &[u8],
    tag: std::ops::Range<usize>,
) -> Option<(std::ops::Range<usize>, String)> {
    let is_content = local == b"content";
    if !is_content && !matches!(local, b"title" | b"subtitle" | b"summary" | b"rights") {
        return None;
    }
    let ty = attr(e, b"type")?;
    let accepted = match ty.as_str() {
        "text" | "html" | "xhtml" | "text/html" => true,
        t => is_content && (t.ends_with("/xml") || is_media_type(t)),
    };
    if accepted {
        return None;
    }
    let base = ty
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let new_type = if is_content && is_media_type(&base) {
        base
    } else if base == "xhtml" || base == "application/xhtml+xml" {
        "xhtml".to_string()
    } else if base.contains("html") {
        "html".to_string()
    } else {
        "text".to_string()
    };
    let old = std::str::from_utf8(doc.get(tag.clone())?).ok()?;
    let stripped = strip_attr(old, "type");
    let name_end = stripped.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')?;
    let new_tag = format!(
        "{} type=\"{new_type}\"{}",
        &stripped[..name_end],
        &stripped[name_end..]
    );
    Some((tag, new_tag))
}

/// The capture field for an Atom `<content>` / `<summary>` that holds base64: Atom 0.3's
/// `mode="base64"`, a `base64` parameter on the type, or (Atom 1.0 content) a MIME type that is
/// neither text nor XML, which RFC 4287 §4.1.3.3 says is base64.
fn atom_base64_field(e: &BytesStart<'_>, local: &[u8], atom03: bool) -> Option<Field> {
    let summary = match local {
        b"content" => false,
        b"summary" => true,
        _ => return None,
    };
    let ty = attr(e, b"type").unwrap_or_default().to_ascii_lowercase();
    let (base, params) = ty.split_once(';').unwrap_or((ty.as_str(), ""));
    let base = base.trim();
    let mode_b64 = attr(e, b"mode").is_some_and(|m| m.trim().eq_ignore_ascii_case("base64"));
    let binary_type = !summary
        && !atom03
        && base.contains('/')
        && !base.starts_with("text/")
        && !base.ends_with("+xml")
        && !base.ends_with("/xml")
        && attr(e, b"src").is_none();
    if !(mode_b64 || params.contains("base64") || binary_type) {
        return None;
    }
    let kind = if base.contains("html") || base.ends_with("xml") || base == "xhtml" {
        B64Kind::Html
    } else if base.is_empty() || base == "text" || base.starts_with("text/") {
        B64Kind::Text
    } else {
        B64Kind::Binary
    };
    Some(Field::Base64 { summary, kind })
}

/// Base64 (whitespace and missing padding tolerated) to HTML; `Some("")` for binary content,
/// `None` when the text is not base64 after all (feed-rs's reading then stands).
fn decode_base64(text: &str, kind: B64Kind) -> Option<String> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let bytes = ENGINE.decode(&compact).ok()?;
    Some(match kind {
        B64Kind::Binary => String::new(),
        B64Kind::Html => utf8_or_1252(&bytes),
        B64Kind::Text => as_html(&utf8_or_1252(&bytes), "text/plain"),
    })
}

/// Rewrites the root start tag so feed-rs accepts what readers meet in the wild: `<rss>` with a
/// missing or unusual version becomes 2.0 (0.9x and 2.01 are subsets of it); the userland RSS
/// namespace, RSS 0.90's and Atom 0.3's namespace become the ones feed-rs knows. Then the start
/// tags the raw pass fixed (`fixes`, in document order, after the root tag) are replaced.
fn rewrite_doc<'a>(
    doc: &'a [u8],
    root: &RootInfo,
    fixes: &[(std::ops::Range<usize>, String)],
) -> Cow<'a, [u8]> {
    let Some(tag) = doc
        .get(root.tag.clone())
        .and_then(|t| std::str::from_utf8(t).ok())
    else {
        return Cow::Borrowed(doc);
    };
    let mut new_tag = tag.to_string();
    if root.name == "rss"
        && !matches!(
            root.version.as_deref().map(str::trim),
            Some("2.0" | "0.91" | "0.92")
        )
    {
        new_tag = strip_attr(&new_tag, "version");
        new_tag = new_tag.replacen("rss", "rss version=\"2.0\"", 1);
    }
    if root.name == "rss" {
        // RSS 2.0's elements are unqualified; the userland namespace would hide them from feed-rs.
        new_tag = strip_default_ns(&new_tag, NS_USERLAND);
    }
    if root.name == "feed" {
        new_tag = new_tag.replace(NS_ATOM03, NS_ATOM);
    }
    if root.name == "RDF" {
        // RSS 0.90 is RSS 1.0's ancestor with the same element names.
        new_tag = new_tag.replace(NS_RSS090, NS_RSS1);
    }
    if new_tag == tag && fixes.is_empty() {
        return Cow::Borrowed(doc);
    }
    let mut out = Vec::with_capacity(doc.len() + 16);
    out.extend_from_slice(&doc[..root.tag.start]);
    out.extend_from_slice(new_tag.as_bytes());
    let mut at = root.tag.end;
    for (range, replacement) in fixes {
        let Some(between) = doc.get(at..range.start) else {
            continue;
        };
        out.extend_from_slice(between);
        out.extend_from_slice(replacement.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(doc.get(at..).unwrap_or_default());
    Cow::Owned(out)
}

fn strip_attr(tag: &str, name: &str) -> String {
    let re = format!(r#"\s{}\s*=\s*("[^"]*"|'[^']*')"#, regex::escape(name));
    match regex::Regex::new(&re) {
        Ok(re) => re.replace(tag, "").into_owned(),
        Err(_) => tag.to_string(),
    }
}

fn strip_default_ns(tag: &str, uri: &str) -> String {
    let re = format!(r#"\sxmlns\s*=\s*("{0}"|'{0}')"#, regex::escape(uri));
    match regex::Regex::new(&re) {
        Ok(re) => re.replace(tag, "").into_owned(),
        Err(_) => tag.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Building the result

fn merge(feed: Option<feed_rs::model::Feed>, raw: Raw, url: &str) -> ParsedFeed {
    let base = Url::parse(url).ok();
    let mut out = ParsedFeed {
        paging: raw.paging.clone(),
        ..ParsedFeed::default()
    };
    let Some(feed) = feed else {
        // No feed-rs result (`<rss>` without a channel): everything comes from the raw pass.
        out.title = raw_feed_title(&raw);
        out.generator = raw.generator.as_deref().map(scrub_line);
        out.site_url = raw.link.as_deref().and_then(|l| absolute(l, base.as_ref()));
        out.entries = raw
            .items
            .iter()
            .map(|r| entry_from_raw(r, base.as_ref()))
            .collect();
        return out;
    };
    out.title = feed
        .title
        .as_ref()
        .map(|t| clean_title(&t.content))
        .filter(|t| !t.is_empty())
        .or_else(|| raw_feed_title(&raw));
    out.site_url = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| absolute(&l.href, base.as_ref()))
        .or_else(|| raw.link.as_deref().and_then(|l| absolute(l, base.as_ref())));
    out.generator = feed
        .generator
        .as_ref()
        .map(|g| scrub_line(&g.content))
        .or_else(|| raw.generator.as_deref().map(scrub_line))
        .filter(|g| !g.is_empty());
    let seen_by_feed_rs = raw.items.iter().filter(|r| r.in_channel).count();
    if seen_by_feed_rs == feed.entries.len() {
        // The usual case: walk the document order, taking feed-rs's entry for each item it saw.
        let mut parsed = feed.entries.into_iter();
        for item in &raw.items {
            if !item.in_channel {
                out.entries.push(entry_from_raw(item, base.as_ref()));
            } else if let Some(entry) = parsed.next() {
                out.entries
                    .push(entry_from_feed_rs(entry, Some(item), base.as_ref()));
            }
        }
    } else {
        // Counts differ (a structure feed-rs reads differently): pair on the id only.
        for entry in feed.entries {
            let id = entry.id.trim().to_string();
            let extra = raw
                .items
                .iter()
                .find(|r| r.in_channel && !id.is_empty() && r.guid.as_deref() == Some(id.as_str()));
            out.entries
                .push(entry_from_feed_rs(entry, extra, base.as_ref()));
        }
        for item in raw.items.iter().filter(|r| !r.in_channel) {
            out.entries.push(entry_from_raw(item, base.as_ref()));
        }
    }
    out
}

/// `<title>`, else a channel-level `dc:title`.
fn raw_feed_title(raw: &Raw) -> Option<String> {
    [raw.title.as_deref(), raw.dc_title.as_deref()]
        .into_iter()
        .flatten()
        .map(clean_title)
        .find(|t| !t.is_empty())
}

fn entry_from_feed_rs(
    e: feed_rs::model::Entry,
    raw: Option<&RawItem>,
    base: Option<&Url>,
) -> NewEntry {
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| {
            e.links
                .iter()
                .find(|l| l.rel.as_deref() != Some("self") && l.rel.as_deref() != Some("enclosure"))
        })
        .and_then(|l| absolute(&l.href, base))
        .or_else(|| raw.and_then(|r| permalink_guid(r, base)))
        .or_else(|| raw.and_then(|r| r.about.clone()));
    // Base64 the raw pass decoded replaces feed-rs's reading (the undecoded text).
    let content_html = match raw.and_then(|r| r.b64_content.clone()) {
        Some(decoded) => Some(decoded),
        None => e.content.as_ref().and_then(|c| {
            c.body
                .as_deref()
                .map(|b| as_html(b, c.content_type.to_string().as_str()))
        }),
    }
    .filter(|s| !s.trim().is_empty())
    .or_else(|| raw.and_then(|r| r.body.clone()));
    let summary_html = match raw.and_then(|r| r.b64_summary.clone()) {
        Some(decoded) => Some(decoded),
        None => e
            .summary
            .as_ref()
            .map(|t| as_html(&t.content, t.content_type.to_string().as_str())),
    }
    .filter(|s| !s.trim().is_empty())
    .or_else(|| raw.and_then(|r| r.description.clone()));
    let authors = e
        .authors
        .iter()
        .map(|p| match (&p.email, p.name.as_str()) {
            // feed-rs names RSS `<author>` "author" and keeps the text as the e-mail.
            (Some(email), "author") => author_from_rss(email),
            _ => p.name.clone(),
        })
        .collect();
    let published = e
        .published
        .or_else(|| raw.and_then(|r| r.issued.as_deref().and_then(parse_date)));
    let updated = e
        .updated
        .or_else(|| raw.and_then(|r| r.modified.as_deref().and_then(parse_date)));
    let title = e
        .title
        .as_ref()
        .map(|t| t.content.clone())
        .or_else(|| raw.and_then(|r| r.dc_title.clone()));
    let guid = Some(e.id.trim().to_string())
        .filter(|g| !g.is_empty())
        .or_else(|| raw.and_then(|r| r.guid.clone()));
    let dois = raw.map(|r| r.dois.as_slice()).unwrap_or_default();
    build_entry(Parts {
        guid,
        title,
        link,
        authors,
        published,
        updated,
        content_html,
        summary_html,
        dois,
    })
}

fn entry_from_raw(r: &RawItem, base: Option<&Url>) -> NewEntry {
    let link = r
        .link
        .as_deref()
        .and_then(|l| absolute(l, base))
        .or_else(|| permalink_guid(r, base))
        .or_else(|| r.about.clone());
    let published = r
        .pub_date
        .as_deref()
        .and_then(parse_date)
        .or_else(|| r.issued.as_deref().and_then(parse_date));
    build_entry(Parts {
        guid: r.guid.clone(),
        title: r.title.clone().or_else(|| r.dc_title.clone()),
        link,
        authors: r.authors.iter().map(|a| author_from_rss(a)).collect(),
        published,
        updated: r.modified.as_deref().and_then(parse_date).or(published),
        content_html: r
            .b64_content
            .clone()
            .or_else(|| r.content.clone())
            .or_else(|| r.body.clone()),
        summary_html: r.b64_summary.clone().or_else(|| r.description.clone()),
        dois: &r.dois,
    })
}

struct Parts<'a> {
    guid: Option<String>,
    title: Option<String>,
    link: Option<String>,
    authors: Vec<String>,
    published: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    content_html: Option<String>,
    summary_html: Option<String>,
    dois: &'a [String],
}

fn build_entry(p: Parts<'_>) -> NewEntry {
    let content_html = p.content_html.map(|s| scrub(&s));
    let summary_html = p.summary_html.map(|s| scrub(&s));
    let body = content_html
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(summary_html.as_deref())
        .unwrap_or("");
    let text = scrub(&crate::html::to_plain_text(body));
    let link = p.link.map(|l| scrub_line(&l)).filter(|l| !l.is_empty());
    let mut title = p.title.map(|t| clean_title(&t)).unwrap_or_default();
    if title.is_empty() {
        title = first_words(&text).unwrap_or_else(|| "(untitled)".to_string());
    }
    let mut authors: Vec<String> = Vec::new();
    for a in p.authors {
        let a = scrub_line(&crate::html::decode_entities(&a));
        if !a.is_empty() && !authors.contains(&a) {
            authors.push(a);
        }
    }
    let mut dois = DoiSet::new();
    for d in p.dois {
        dois.add_meta(d);
    }
    // `add_html` is hrefs then text; the body's text is already at hand, so reuse it.
    let body_is_content = content_html
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    for (html, is_body) in [
        (content_html.as_deref(), body_is_content),
        (summary_html.as_deref(), !body_is_content),
    ] {
        let Some(html) = html else { continue };
        if is_body {
            for href in crate::html::hrefs(html) {
                dois.add_link(&href);
            }
            dois.add_text(&text);
        } else {
            dois.add_html(html);
        }
    }
    if let Some(l) = &link {
        dois.add_link(l);
    }
    let guid = scrub_line(&entry_key(
        p.guid.as_deref(),
        link.as_deref(),
        &title,
        p.published.or(p.updated),
    ));
    NewEntry {
        guid,
        title,
        link,
        authors,
        published: p.published,
        updated: p.updated,
        content_html,
        summary_html,
        text,
        dois: dois.into_vec(),
    }
}

/// A permalink guid (RSS's default) serves as the link when there is no `<link>`.
fn permalink_guid(r: &RawItem, base: Option<&Url>) -> Option<String> {
    let g = r.guid.as_deref()?;
    if !r.guid_is_permalink {
        return None;
    }
    let u = absolute(g, base)?;
    (u.starts_with("http://") || u.starts_with("https://")).then_some(u)
}

/// `jdoe@example.org (Jane Doe)` → `Jane Doe`; anything else as is.
fn author_from_rss(s: &str) -> String {
    let s = s.trim();
    if let (Some(open), true) = (s.find('('), s.ends_with(')')) {
        let name = s[open + 1..s.len() - 1].trim();
        if !name.is_empty() {
            return name.to_string();
        }
    }
    s.to_string()
}

/// A title as one clean line: markup stripped and entities decoded when there are any.
fn clean_title(t: &str) -> String {
    let has_markup = t
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'));
    let text = if has_markup {
        crate::html::to_plain_text(t)
    } else if t.contains('&') {
        crate::html::decode_entities(t)
    } else {
        t.to_string()
    };
    scrub_line(&text)
}

fn first_words(text: &str) -> Option<String> {
    let mut out = String::new();
    for w in text.split_whitespace().take(12) {
        if out.len() + w.len() > 80 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        return None;
    }
    out.push('…');
    Some(out)
}

/// Plain text bodies become HTML so they are displayed as written.
fn as_html(body: &str, content_type: &str) -> String {
    if content_type.starts_with("text/plain") {
        let escaped = body
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        escaped.replace('\n', "<br>\n")
    } else {
        body.to_string()
    }
}

fn absolute(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    match Url::parse(href) {
        Ok(u) => Some(u.to_string()),
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            base.and_then(|b| b.join(href).ok()).map(|u| u.to_string())
        }
        Err(_) => None,
    }
}

/// Dates from Dublin Core, dcterms and Atom 0.3: RFC 3339 / W3CDTF (also date only), RFC 2822.
fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    None
}

// ---------------------------------------------------------------------------------------------
// JSON Feed

fn parse_json(bytes: &[u8], url: &str) -> Result<ParsedFeed, ParseError> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = utf8_or_1252(&bytes[start..]);
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) if e.is_eof() => return Err(ParseError::Truncated),
        Err(e) => {
            return Err(ParseError::Invalid(format!(
                "line {}: {}",
                e.line(),
                scrub_line(&e.to_string())
            )))
        }
    };
    let is_json_feed = value
        .get("version")
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.starts_with("https://jsonfeed.org/version/"));
    if !is_json_feed {
        return Err(ParseError::NotAFeed(
            "a JSON document, not a JSON Feed (no jsonfeed.org version)".to_string(),
        ));
    }
    let feed = feed_rs_parser(url)
        .parse(text.as_bytes())
        .map_err(|e| ParseError::Invalid(scrub_line(&e.to_string())))?;
    let base = Url::parse(url).ok();
    let mut raw = Raw::default();
    raw.paging.next = value
        .get("next_url")
        .and_then(|v| v.as_str())
        .and_then(|n| absolute(n, base.as_ref()));
    // JSON Feed has no DOI elements; items map one to one.
    raw.items = feed
        .entries
        .iter()
        .map(|_| RawItem {
            in_channel: true,
            ..RawItem::default()
        })
        .collect();
    let mut parsed = merge(Some(feed), raw, url);
    if parsed.site_url.is_none() {
        parsed.site_url = value
            .get("home_page_url")
            .and_then(|v| v.as_str())
            .and_then(|h| absolute(h, base.as_ref()));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DoiSource;
    use crate::scrub::is_clean;

    const URL: &str = "https://blog.example.org/feed/";

    fn parse(doc: &[u8]) -> ParsedFeed {
        parse_feed(doc, URL).unwrap()
    }

    fn date(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const RSS2: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"
     xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Lab &amp; Notes</title>
  <link>https://blog.example.org/</link>
  <generator>https://wordpress.org/?v=6.4</generator>
  <atom:link rel="self" href="https://blog.example.org/feed/"/>
  <item>
    <title>On &lt;i&gt;p&lt;/i&gt;-values &amp;#8217;n things</title>
    <link>/2014/12/p-values/</link>
    <guid isPermaLink="false">post-101</guid>
    <pubDate>Mon, 01 Dec 2014 10:00:00 +0100</pubDate>
    <dc:creator><![CDATA[Jane Roe]]></dc:creator>
    <description><![CDATA[<p>Short.</p>]]></description>
    <content:encoded><![CDATA[<p>Full text citing <a href="https://doi.org/10.1000/ABC.1">this</a>.</p>]]></content:encoded>
    <prism:doi>10.1234/meta.5</prism:doi>
  </item>
  <item>
    <title>Second</title>
    <guid>https://blog.example.org/?p=102</guid>
    <author>jr@example.org (Jane Roe)</author>
    <dc:identifier>doi:10.5555/ident.7</dc:identifier>
    <description>plain</description>
  </item>
</channel>
</rss>"#;

    #[test]
    fn rss2_entries_with_what_feed_rs_drops() {
        let f = parse(RSS2.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Lab & Notes"));
        assert_eq!(f.site_url.as_deref(), Some("https://blog.example.org/"));
        assert_eq!(f.generator.as_deref(), Some("https://wordpress.org/?v=6.4"));
        assert_eq!(f.entries.len(), 2);
        let e = &f.entries[0];
        assert_eq!(e.guid, "post-101");
        assert_eq!(e.title, "On p-values \u{2019}n things");
        assert_eq!(
            e.link.as_deref(),
            Some("https://blog.example.org/2014/12/p-values/")
        );
        assert_eq!(e.published, Some(date("2014-12-01T09:00:00Z")));
        assert_eq!(e.authors, vec!["Jane Roe".to_string()]);
        assert!(e.content_html.as_deref().unwrap().contains("Full text"));
        assert_eq!(e.summary_html.as_deref(), Some("<p>Short.</p>"));
        assert!(e.text.contains("Full text citing this"), "{}", e.text);
        let dois: Vec<(&str, DoiSource)> =
            e.dois.iter().map(|d| (d.doi.as_str(), d.source)).collect();
        assert_eq!(dois[0], ("10.1234/meta.5", DoiSource::Meta));
        assert!(dois
            .iter()
            .any(|(d, _)| d.eq_ignore_ascii_case("10.1000/abc.1")));

        let e = &f.entries[1];
        // A permalink guid is the key and, without <link>, the link too.
        assert_eq!(e.guid, "https://blog.example.org/?p=102");
        assert_eq!(e.link.as_deref(), Some("https://blog.example.org/?p=102"));
        assert_eq!(e.authors, vec!["Jane Roe".to_string()]);
        assert_eq!(e.dois.len(), 1);
        assert_eq!(e.dois[0].doi, "10.5555/ident.7");
        assert_eq!(e.dois[0].source, DoiSource::Meta);
        assert_eq!(e.summary_html.as_deref(), Some("plain"));
    }

    #[test]
    fn a_guid_that_is_not_a_permalink_is_not_a_link() {
        let doc = r#"<rss version="2.0"><channel><title>t</title>
            <item><title>x</title><guid isPermaLink="false">https://e.org/a</guid></item>
            </channel></rss>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries[0].link, None);
        assert_eq!(f.entries[0].guid, "https://e.org/a");
    }

    const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:fh="http://purl.org/syndication/history/1.0"
      xml:base="https://journal.example.com/toc/">
  <title type="html">Journal &lt;b&gt;TOC&lt;/b&gt;</title>
  <link rel="alternate" href="/home"/>
  <link rel="self" href="https://journal.example.com/atom"/>
  <link rel="prev-archive" href="archive/2014-11.xml"/>
  <link rel="next" href="?page=2"/>
  <fh:complete/>
  <generator uri="https://example.com" version="1">Hugo</generator>
  <id>urn:x:feed</id>
  <updated>2014-12-02T00:00:00Z</updated>
  <entry>
    <title>Paper one</title>
    <id>urn:x:1</id>
    <link href="papers/1"/>
    <published>2014-12-01T00:00:00Z</published>
    <updated>2014-12-02T00:00:00Z</updated>
    <author><name>A. Author</name></author>
    <summary type="text">a &lt; b</summary>
    <content type="html">&lt;p&gt;Body &lt;a href="rel/x"&gt;x&lt;/a&gt;&lt;/p&gt;</content>
  </entry>
  <entry xml:base="https://other.example.net/base/">
    <title>Paper two</title>
    <id>urn:x:2</id>
    <link rel="alternate" type="text/html" href="two.html"/>
    <updated>2014-11-05T00:00:00Z</updated>
  </entry>
</feed>"#;

    #[test]
    fn atom_with_paging_and_xml_base() {
        let f = parse(ATOM.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Journal TOC"));
        assert_eq!(
            f.site_url.as_deref(),
            Some("https://journal.example.com/home")
        );
        assert_eq!(f.generator.as_deref(), Some("Hugo"));
        assert_eq!(
            f.paging.prev_archive.as_deref(),
            Some("https://journal.example.com/toc/archive/2014-11.xml")
        );
        assert_eq!(
            f.paging.next.as_deref(),
            Some("https://journal.example.com/toc/?page=2")
        );
        assert!(f.paging.complete);
        let e = &f.entries[0];
        assert_eq!(e.guid, "urn:x:1");
        assert_eq!(
            e.link.as_deref(),
            Some("https://journal.example.com/toc/papers/1")
        );
        assert_eq!(e.published, Some(date("2014-12-01T00:00:00Z")));
        assert_eq!(e.updated, Some(date("2014-12-02T00:00:00Z")));
        assert_eq!(e.authors, vec!["A. Author".to_string()]);
        // Plain text summaries are escaped into HTML so they display as written.
        assert_eq!(e.summary_html.as_deref(), Some("a &lt; b"));
        assert!(e.content_html.as_deref().unwrap().starts_with("<p>Body"));
        assert_eq!(
            f.entries[1].link.as_deref(),
            Some("https://other.example.net/base/two.html")
        );
    }

    #[test]
    fn json_feed_with_next_url() {
        let doc = r#"{"version":"https://jsonfeed.org/version/1.1","title":"JF",
            "home_page_url":"https://jf.example.org/","next_url":"/feed.json?page=2",
            "items":[{"id":"1","url":"https://jf.example.org/1","title":"One",
            "content_html":"<p>see doi:10.1000/j.1</p>","date_published":"2014-12-01T00:00:00Z",
            "authors":[{"name":"Ann"}]},
            {"id":"2","content_text":"no title here but words"}]}"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("JF"));
        assert_eq!(
            f.paging.next.as_deref(),
            Some("https://blog.example.org/feed.json?page=2")
        );
        assert_eq!(f.site_url.as_deref(), Some("https://jf.example.org/"));
        let e = &f.entries[0];
        assert_eq!(e.guid, "1");
        assert_eq!(e.title, "One");
        assert_eq!(e.link.as_deref(), Some("https://jf.example.org/1"));
        assert_eq!(e.published, Some(date("2014-12-01T00:00:00Z")));
        assert_eq!(e.authors, vec!["Ann".to_string()]);
        assert_eq!(e.dois[0].doi, "10.1000/j.1");
        assert_eq!(f.entries[1].title, "no title here but words…");
    }

    #[test]
    fn truncated_json_and_plain_json() {
        let doc = br#"{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1""#;
        assert!(matches!(parse_feed(doc, URL), Err(ParseError::Truncated)));
        let err = parse_feed(br#"{"a": 1}"#, URL).unwrap_err();
        assert!(matches!(err, ParseError::NotAFeed(_)), "{err}");
        let err = parse_feed(b"{\"a\": 1,,}", URL).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn rss_without_or_with_odd_version() {
        for root in [
            "<rss>",
            "<rss version=\"2.01\">",
            "<rss version='0.94'>",
            "<rss version=\"0.93\">",
        ] {
            let doc = format!(
                "{root}<channel><title>T</title><item><title>I</title><link>https://e.org/i</link></item></channel></rss>"
            );
            let f = parse(doc.as_bytes());
            assert_eq!(f.title.as_deref(), Some("T"), "{root}");
            assert_eq!(f.entries.len(), 1, "{root}");
            assert_eq!(f.entries[0].link.as_deref(), Some("https://e.org/i"));
        }
    }

    #[test]
    fn userland_namespace_rss() {
        let doc = r#"<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel>
            <title>U</title><item><title>I</title><link>https://e.org/u</link></item></channel></rss>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("U"));
        assert_eq!(f.entries[0].title, "I");
        assert_eq!(f.entries[0].link.as_deref(), Some("https://e.org/u"));
    }

    #[test]
    fn items_outside_the_channel() {
        let doc = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>In</title><link>https://e.org/in</link></item></channel>
            <item><title>Out</title><link>/out</link><pubDate>Tue, 02 Dec 2014 00:00:00 GMT</pubDate>
            <description>&lt;p&gt;d&lt;/p&gt;</description></item></rss>"#;
        let f = parse(doc.as_bytes());
        let titles: Vec<&str> = f.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["In", "Out"]);
        let out = &f.entries[1];
        assert_eq!(out.link.as_deref(), Some("https://blog.example.org/out"));
        assert_eq!(out.published, Some(date("2014-12-02T00:00:00Z")));
        assert_eq!(out.summary_html.as_deref(), Some("<p>d</p>"));

        // No channel at all.
        let doc = r#"<rss><title>Bare</title><item><title>A</title><guid>https://e.org/a</guid></item></rss>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Bare"));
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].link.as_deref(), Some("https://e.org/a"));
    }

    #[test]
    fn atom_0_3() {
        let doc = r#"<?xml version="1.0"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old Atom</title>
  <link rel="alternate" type="text/html" href="https://old.example.org/"/>
  <entry>
    <title>Entry</title>
    <link rel="alternate" type="text/html" href="https://old.example.org/1"/>
    <id>tag:old,2004:1</id>
    <issued>2004-05-01T10:00:00Z</issued>
    <modified>2004-05-02T10:00:00Z</modified>
    <content type="text/html" mode="escaped">&lt;p&gt;hello&lt;/p&gt;</content>
  </entry>
</feed>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Old Atom"));
        let e = &f.entries[0];
        assert_eq!(e.title, "Entry");
        assert_eq!(e.guid, "tag:old,2004:1");
        assert_eq!(e.link.as_deref(), Some("https://old.example.org/1"));
        assert_eq!(e.published, Some(date("2004-05-01T10:00:00Z")));
        assert_eq!(e.updated, Some(date("2004-05-02T10:00:00Z")));
        assert!(e.text.contains("hello"), "{e:?}");
    }

    #[test]
    fn rdf_items_without_links_and_dublin_core() {
        let doc = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
  <channel rdf:about="https://rdf.example.org/"><title>RDF</title><link>https://rdf.example.org/</link></channel>
  <item rdf:about="x1"><title>No link</title><description>about nothing</description><dc:date>2014-12-03</dc:date>
    <dcterms:modified>2014-12-04T05:06:07Z</dcterms:modified></item>
  <item rdf:about="x2"><title>Linked</title><link>https://rdf.example.org/2</link>
    <dc:identifier>10.7777/rdf.2</dc:identifier></item>
</rdf:RDF>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("RDF"));
        assert_eq!(f.entries.len(), 2);
        let e = &f.entries[0];
        assert_eq!(e.title, "No link");
        assert_eq!(e.link, None);
        assert_eq!(e.guid, "x1");
        assert_eq!(e.published, Some(date("2014-12-03T00:00:00Z")));
        assert_eq!(e.updated, Some(date("2014-12-04T05:06:07Z")));
        assert!(e.text.contains("about nothing"), "{e:?}");
        let linked = f.entries.iter().find(|e| e.title == "Linked").unwrap();
        assert_eq!(linked.guid, "x2");
        assert_eq!(linked.dois[0].doi, "10.7777/rdf.2");
    }

    #[test]
    fn dc_title_and_dcterms_in_rss2() {
        let doc = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>T</title>
            <item><dc:title>From DC</dc:title><link>https://e.org/1</link>
            <dcterms:issued>2014-12-05T00:00:00Z</dcterms:issued></item></channel></rss>"#;
        let e = &parse(doc.as_bytes()).entries[0];
        assert_eq!(e.title, "From DC");
        assert_eq!(e.published, Some(date("2014-12-05T00:00:00Z")));
    }

    #[test]
    fn iso_8859_1_declared_reads_windows_1252_quotes() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Caf\xe9</title><item><title>\x93Quoted\x94 \xb1</title><link>https://e.org/q</link></item></channel></rss>".to_vec();
        let f = parse(&doc);
        assert_eq!(f.title.as_deref(), Some("Café"));
        assert_eq!(f.entries[0].title, "\u{201c}Quoted\u{201d} ±");
        // The same bytes with no declaration: stray bytes read as Windows-1252.
        doc.drain(..doc.iter().position(|&b| b == b'>').unwrap() + 1);
        let f = parse(&doc);
        assert_eq!(f.entries[0].title, "\u{201c}Quoted\u{201d} ±");
    }

    #[test]
    fn mixed_utf8_and_stray_bytes() {
        let doc = "<rss version=\"2.0\"><channel><title>Ünï</title><item><title>a\u{2013}b X</title><link>https://e.org/m</link></item></channel></rss>"
            .replace('X', "\u{1}");
        let mut bytes = doc.into_bytes();
        let at = bytes.iter().position(|&b| b == 1).unwrap();
        bytes[at] = 0x96; // a Windows-1252 en dash among valid UTF-8
        let f = parse(&bytes);
        assert_eq!(f.title.as_deref(), Some("Ünï"));
        assert_eq!(f.entries[0].title, "a\u{2013}b \u{2013}");
    }

    #[test]
    fn utf8_bom_and_utf16() {
        let mut doc = b"\xEF\xBB\xBF".to_vec();
        doc.extend_from_slice(RSS2.as_bytes());
        assert_eq!(parse(&doc).entries.len(), 2);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in RSS2.replace("UTF-8", "UTF-16").encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(parse(&utf16).entries.len(), 2);
    }

    #[test]
    fn truncated_documents() {
        let rss = &RSS2.as_bytes()[..RSS2.len() - 30];
        assert!(matches!(parse_feed(rss, URL), Err(ParseError::Truncated)));
        let cut_in_tag = &RSS2.as_bytes()[..RSS2.find("<pubDate").unwrap() + 4];
        assert!(matches!(
            parse_feed(cut_in_tag, URL),
            Err(ParseError::Truncated)
        ));
        let atom = &ATOM.as_bytes()[..ATOM.len() - 8];
        let err = parse_feed(atom, URL).unwrap_err();
        assert!(matches!(err, ParseError::Truncated));
        assert_eq!(
            err.to_string(),
            "document ends before its root element closes (truncated download)"
        );
        // A complete document with trailing junk after the root is not truncated.
        let mut ok = RSS2.to_string();
        ok.push_str("\n<!-- cache: 0.1s -->\n");
        assert_eq!(parse(ok.as_bytes()).entries.len(), 2);
    }

    #[test]
    fn html_empty_and_other_xml() {
        let html = b"<!DOCTYPE html>\n<html><head><title>Blog</title></head><body></body></html>";
        let err = parse_feed(html, URL).unwrap_err();
        assert!(matches!(err, ParseError::NotAFeed(_)));
        assert!(
            err.to_string().contains("an HTML page, not a feed"),
            "{err}"
        );
        assert!(looks_like_html(b"  <!-- c --><HTML lang=en>"));
        assert!(!looks_like_html(RSS2.as_bytes()));
        assert!(!looks_like_html(
            b"<?xml version=\"1.0\"?><!-- x --><feed/>"
        ));
        assert!(matches!(parse_feed(b"", URL), Err(ParseError::Empty)));
        assert!(matches!(parse_feed(b" \n\t", URL), Err(ParseError::Empty)));
        let err = parse_feed(b"<svg><g/></svg>", URL).unwrap_err();
        assert!(matches!(err, ParseError::NotAFeed(_)), "{err}");
        assert!(err.to_string().contains("<svg>"), "{err}");
        let err = parse_feed(
            b"<rss version=\"2.0\"><channel></item></channel></rss>",
            URL,
        )
        .unwrap_err();
        assert!(matches!(err, ParseError::Invalid(_)), "{err:?}");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert!(
            parse(b"<rss version=\"2.0\"><channel><title>x</title></channel></rss>")
                .entries
                .is_empty()
        );
    }

    #[test]
    fn control_characters_are_scrubbed_everywhere() {
        let doc = "<rss version=\"2.0\"><channel><title>Feed\u{1b}]52;c;aGk=\u{7}</title>\
            <item><title>T\u{202e}itle\u{1b}[31m</title><link>https://e.org/\u{1b}x</link>\
            <author>a@e.org (Eve\u{9b}31m)</author>\
            <description>&lt;p&gt;body\u{1b}[2J\u{2066}&lt;/p&gt;</description></item></channel></rss>";
        let doc = doc.replace('\u{1b}', "&#27;").replace('\u{7}', "&#7;");
        let f = parse(doc.as_bytes());
        let e = &f.entries[0];
        for s in [
            f.title.as_deref().unwrap(),
            e.title.as_str(),
            e.authors[0].as_str(),
            e.summary_html.as_deref().unwrap(),
            e.text.as_str(),
            e.guid.as_str(),
        ] {
            assert!(is_clean(s), "{s:?}");
        }
        assert_eq!(e.title, "Title[31m");
        assert_eq!(e.authors, vec!["Eve31m".to_string()]);
        assert!(!e.link.as_deref().unwrap_or("").contains('\u{1b}'));
    }

    #[test]
    fn html_entities_inside_xml_and_missing_title() {
        let doc = r#"<rss version="2.0"><channel><title>T</title>
            <item><title>A&nbsp;B &mdash; C</title><link>https://e.org/e</link></item>
            <item><description>Only a body with several words in it</description></item>
            <item><link>https://e.org/empty</link></item></channel></rss>"#;
        let f = parse(doc.as_bytes());
        // scrub_line folds the decoded no-break space like any other space.
        assert_eq!(f.entries[0].title, "A B \u{2014} C");
        assert_eq!(f.entries[1].title, "Only a body with several words in it…");
        assert_eq!(f.entries[2].title, "(untitled)");
        assert_eq!(f.entries[2].guid, "https://e.org/empty");
    }

    #[test]
    fn entry_key_fallbacks_are_stable() {
        let d = Some(date("2014-12-01T00:00:00Z"));
        assert_eq!(entry_key(Some(" g1 "), Some("l"), "t", d), "g1");
        assert_eq!(
            entry_key(Some(""), Some("https://e.org/l"), "t", d),
            "https://e.org/l"
        );
        let h = entry_key(None, None, "A title", d);
        assert_eq!(h, entry_key(None, Some("  "), "A title", d));
        // Pinned: keys are stored, so the hash must never change between versions.
        assert_eq!(h, "hash:e6f3e46f48974c0a");
        assert_eq!(h.len(), 5 + 16);
        assert_ne!(h, entry_key(None, None, "A title", None));
        assert_ne!(h, entry_key(None, None, "Another", d));
        // FNV-1a of the empty input is the offset basis; pins the algorithm.
        let mut x: u64 = 0xcbf2_9ce4_8422_2325;
        x ^= 0;
        x = x.wrapping_mul(0x0100_0000_01b3);
        assert_eq!(entry_key(None, None, "", None), format!("hash:{x:016x}"));
    }

    #[test]
    fn discovery_resolves_relative_hrefs_and_base() {
        let page = br#"<html><head>
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/rss+xml" title="RSS" href="/feed/">
            <LINK REL="alternate" TYPE="application/atom+xml" HREF="atom.xml">
            <link rel="alternate" type="application/rss+xml" href="https://blog.example.org/feed/">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/feed+json" href='feed.json?a=1&amp;b=2'>
            </head></html>"#;
        assert_eq!(
            discover_feeds(page, "https://blog.example.org/2014/post.html"),
            vec![
                "https://blog.example.org/feed/".to_string(),
                "https://blog.example.org/2014/atom.xml".to_string(),
                "https://blog.example.org/2014/feed.json?a=1&b=2".to_string(),
            ]
        );
        let with_base = br#"<head><base href="https://cdn.example.net/site/">
            <link rel="alternate" type="application/atom+xml" href="atom.xml"></head>"#;
        assert_eq!(
            discover_feeds(with_base, "https://blog.example.org/"),
            vec!["https://cdn.example.net/site/atom.xml".to_string()]
        );
        assert!(discover_feeds(b"<html>no links</html>", "https://e.org/").is_empty());
    }

    #[test]
    fn many_items_keep_their_order_and_metadata() {
        let mut doc = String::from(
            "<rss version=\"2.0\" xmlns:prism=\"http://prismstandard.org/namespaces/basic/2.0/\"><channel><title>Big</title>",
        );
        for i in 0..3000 {
            doc.push_str(&format!(
                "<item><title>Post {i}</title><link>https://e.org/{i}</link><prism:doi>10.1000/n.{i}</prism:doi>\
                 <description>&lt;p&gt;{}&lt;/p&gt;</description></item>",
                "words ".repeat(100)
            ));
        }
        doc.push_str("</channel></rss>");
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries.len(), 3000);
        for (i, e) in f.entries.iter().enumerate() {
            assert_eq!(e.title, format!("Post {i}"));
            assert_eq!(e.dois[0].doi, format!("10.1000/n.{i}"));
        }
    }

    #[test]
    fn rss_0_90_items_beside_the_channel() {
        let doc = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
  <channel><title>Netscape</title><link>https://e.org/</link><description>d</description></channel>
  <image><title>Logo</title><url>https://e.org/l.gif</url><link>https://e.org/</link></image>
  <item><title>One</title><link>https://e.org/1</link></item>
  <item><title>Two</title><link>/2</link></item>
</rdf:RDF>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Netscape"));
        let got: Vec<(&str, Option<&str>)> = f
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.link.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("One", Some("https://e.org/1")),
                ("Two", Some("https://blog.example.org/2"))
            ]
        );
    }

    #[test]
    fn rdf_about_is_the_link_when_there_is_none() {
        let doc = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://e.org/rss"><title>R</title><link>https://e.org/</link></channel>
  <item rdf:about="https://e.org/a"><title>About</title><description>body</description></item>
  <item rdf:about="https://e.org/b"><title>Linked</title><link>https://e.org/b-link</link></item>
  <item rdf:about="urn:x:c"><title>Urn</title></item>
</rdf:RDF>"#;
        let f = parse(doc.as_bytes());
        let links: Vec<Option<&str>> = f.entries.iter().map(|e| e.link.as_deref()).collect();
        // A relative or non-http `rdf:about` is a name, not a page.
        assert_eq!(
            links,
            [Some("https://e.org/a"), Some("https://e.org/b-link"), None]
        );
        assert_eq!(f.entries[0].guid, "https://e.org/a");
        assert!(f.entries[0].text.contains("body"));
    }

    #[test]
    fn body_and_xhtml_body_in_rss_items() {
        let doc = r#"<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>B</title>
  <item><title>Plain</title><link>https://e.org/1</link>
    <body xmlns="http://www.w3.org/1999/xhtml"><p>First &amp; <b>bold</b></p><p>second</p></body></item>
  <item><title>Prefixed</title><link>https://e.org/2</link><description>short</description>
    <xhtml:body><xhtml:p>Long <xhtml:a href="https://doi.org/10.1000/xb.1">cite</xhtml:a></xhtml:p></xhtml:body></item>
  <item><title>Empty</title><link>https://e.org/3</link><xhtml:body/></item>
</channel>
<item><title>Outside</title><link>https://e.org/4</link><body><p>outside body</p></body></item></rss>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries.len(), 4);
        let first = &f.entries[0];
        assert_eq!(
            first.content_html.as_deref(),
            Some("<p>First &amp; <b>bold</b></p><p>second</p>")
        );
        assert!(first.text.contains("First & bold"), "{:?}", first.text);
        let second = &f.entries[1];
        assert_eq!(
            second.content_html.as_deref(),
            Some(r#"<p>Long <a href="https://doi.org/10.1000/xb.1">cite</a></p>"#)
        );
        assert_eq!(second.summary_html.as_deref(), Some("short"));
        assert_eq!(second.dois[0].doi, "10.1000/xb.1");
        assert_eq!(f.entries[2].content_html, None);
        assert!(
            f.entries[3].text.contains("outside body"),
            "{:?}",
            f.entries[3]
        );
    }

    #[test]
    fn channel_dc_title_and_item_dc_description_in_rss2() {
        let doc = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
  <dc:title>DC &amp; Channel</dc:title><link>https://e.org/</link>
  <item><title>I</title><link>https://e.org/1</link><dc:description>&lt;p&gt;dc body&lt;/p&gt;</dc:description></item>
  <item><title>J</title><link>https://e.org/2</link><description>rss body</description>
    <dc:description>dc second</dc:description></item>
</channel></rss>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("DC & Channel"));
        assert_eq!(f.entries[0].summary_html.as_deref(), Some("<p>dc body</p>"));
        assert_eq!(f.entries[0].text, "dc body");
        // `<description>` wins over `dc:description`.
        assert_eq!(f.entries[1].summary_html.as_deref(), Some("rss body"));
        // A `<title>` wins over a channel `dc:title`, wherever it is.
        let both = doc.replace("<link>https://e.org/</link>", "<title>Plain</title>");
        assert_eq!(parse(both.as_bytes()).title.as_deref(), Some("Plain"));
    }

    #[test]
    fn atom_base64_content_is_decoded() {
        let doc = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title type="text/plain">Old</title>
  <entry><title type="text/plain">Html</title><id>t:1</id><link rel="alternate" href="https://e.org/1"/>
    <content type="text/html" mode="base64">PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPg==</content></entry>
  <entry><title>Plain</title><id>t:2</id><link rel="alternate" href="https://e.org/2"/>
    <summary mode="base64">YSA8IGIK</summary>
    <content type="text/plain" mode="base64">
      b25lIDwgdHdv
    </content></entry>
  <entry><title>Not base64</title><id>t:3</id><link rel="alternate" href="https://e.org/3"/>
    <content type="text/html" mode="base64">this is *not* base64!</content></entry>
</feed>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("Old"));
        let e = &f.entries;
        assert_eq!(e[0].title, "Html");
        assert_eq!(
            e[0].content_html.as_deref(),
            Some("<p>Hello <b>world</b></p>")
        );
        assert_eq!(e[1].content_html.as_deref(), Some("one &lt; two"));
        assert_eq!(e[1].summary_html.as_deref(), Some("a &lt; b<br>\n"));
        // Not decodable: feed-rs's reading stands.
        assert!(e[2].text.contains("not"), "{:?}", e[2]);

        // Atom 1.0: a MIME type that is neither text nor XML means base64 (RFC 4287 4.1.3.3);
        // an image is not shown as text at all.
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>New</title>
  <entry><title>Img</title><id>u:1</id><link href="https://e.org/i"/>
    <summary>caption</summary><content type="image/png">iVBORw0KGgo=</content></entry>
  <entry><title>Html64</title><id>u:2</id><link href="https://e.org/h"/>
    <content type="application/xhtml+xml;base64">PHA+eDwvcD4=</content></entry>
</feed>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries[0].content_html, None);
        assert_eq!(f.entries[0].text, "caption");
        assert_eq!(f.entries[1].content_html.as_deref(), Some("<p>x</p>"));
    }

    #[test]
    fn atom_types_feed_rs_rejects_do_not_lose_the_feed() {
        // One bad `type` used to fail the whole feed as "not RSS, Atom or JSON Feed".
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title type="text/plain">T</title>
  <entry><title>Good</title><id>u:1</id><link href="https://e.org/1"/><updated>2014-12-01T00:00:00Z</updated>
    <content type="html">&lt;p&gt;fine&lt;/p&gt;</content></entry>
  <entry><title type="application/xhtml+xml">Odd</title><id>u:2</id><link href="https://e.org/2"/>
    <content type="text/html; charset=&quot;utf-8&quot;">&lt;p&gt;also fine&lt;/p&gt;</content></entry>
  <entry><title>Bad</title><id>u:3</id><link href="https://e.org/3"/>
    <summary type="bogus">s</summary><content type="no slash;;">x</content></entry>
</feed>"#;
        let f = parse(doc.as_bytes());
        let titles: Vec<&str> = f.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["Good", "Odd", "Bad"]);
        assert_eq!(f.entries[0].text, "fine");
        assert_eq!(f.entries[1].text, "also fine");
        assert_eq!(f.entries[0].updated, Some(date("2014-12-01T00:00:00Z")));

        // feed-rs fails the whole feed on an empty `<content>` with a MIME type: every entry
        // is then read from the raw pass.
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
  <entry><title>A</title><id>u:a</id><link href="/a"/><published>2014-12-02T00:00:00Z</published>
    <author><name>Ann</name></author><summary>sum a</summary><content type="application/pdf"></content></entry>
  <entry><title>B</title><id>u:b</id><link rel="alternate" href="https://e.org/b"/>
    <updated>2014-12-03T00:00:00Z</updated><content type="html">&lt;p&gt;body b&lt;/p&gt;</content></entry>
</feed>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.title.as_deref(), Some("F"));
        assert_eq!(f.entries.len(), 2);
        let (a, b) = (&f.entries[0], &f.entries[1]);
        assert_eq!((a.title.as_str(), a.guid.as_str()), ("A", "u:a"));
        assert_eq!(a.link.as_deref(), Some("https://blog.example.org/a"));
        assert_eq!(a.published, Some(date("2014-12-02T00:00:00Z")));
        assert_eq!(a.text, "sum a");
        assert_eq!(b.updated, Some(date("2014-12-03T00:00:00Z")));
        assert_eq!(b.text, "body b");

        // Content with both `src` and text: feed-rs refuses, the raw pass reads it.
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><id>u:s</id>
  <content type="text/html" src="https://e.org/a.pdf">words here</content></entry></feed>"#;
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].guid, "u:s");

        // A truly failed parse names the problem, not "not RSS, Atom or JSON Feed".
        let err = parse_feed(b"<rss version=\"2.0\"><foo/></rss>", URL).unwrap_err();
        assert!(matches!(err, ParseError::Invalid(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "invalid feed: RSS document with no channel and no entries"
        );
    }

    #[test]
    fn media_types_as_strict_as_feed_rs() {
        for ok in [
            "text/html",
            "application/xhtml+xml",
            "text/plain;charset=utf-8",
        ] {
            assert!(is_media_type(ok), "{ok}");
        }
        for bad in [
            "application/xhtml+xml;base64",
            "text/html; charset=utf-8",
            "html",
            "/x",
            "a/",
            "a/b;c=\"d\"",
            "",
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
    }

    #[test]
    fn dates_in_raw_fields() {
        assert_eq!(parse_date("2014-12-01"), Some(date("2014-12-01T00:00:00Z")));
        assert_eq!(parse_date("2014-12"), Some(date("2014-12-01T00:00:00Z")));
        assert_eq!(
            parse_date("2014-12-01T10:00:00+02:00"),
            Some(date("2014-12-01T08:00:00Z"))
        );
        assert_eq!(
            parse_date("Mon, 01 Dec 2014 10:00:00 GMT"),
            Some(date("2014-12-01T10:00:00Z"))
        );
        assert_eq!(parse_date("someday"), None);
    }
}
