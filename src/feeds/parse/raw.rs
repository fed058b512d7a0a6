//! The raw pass: one quick-xml walk that collects what feed-rs does not expose.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use url::Url;

use super::dates::{day_order, DayOrder};
use super::encoding::utf8_or_1252;
use super::entry::as_html;
use super::fallback::atom_type_fix;
use crate::model::PagingLinks;
use crate::text::scrub::scrub_line;

pub(super) const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
pub(super) const NS_ATOM03: &str = "http://purl.org/atom/ns#";
pub(super) const NS_USERLAND: &str = "http://backend.userland.com/rss2";
pub(super) const NS_RSS1: &str = "http://purl.org/rss/1.0/";
pub(super) const NS_RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
pub(super) const NS_XHTML: &str = "http://www.w3.org/1999/xhtml";

/// The namespaces the raw pass cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
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

pub(super) fn ns_of(uri: &str) -> Ns {
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
pub(super) fn ns_of_prefix(prefix: &[u8]) -> Ns {
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
pub(super) struct RootInfo {
    pub(super) name: String,
    /// Byte range of the root start tag in the UTF-8 document.
    pub(super) tag: std::ops::Range<usize>,
    pub(super) version: Option<String>,
}

/// What the raw pass saw of one item/entry.
#[derive(Debug, Default, Clone)]
pub(super) struct RawItem {
    /// Inside an RSS `<channel>` (or not RSS at all): feed-rs saw it too.
    pub(super) in_channel: bool,
    pub(super) guid: Option<String>,
    pub(super) guid_is_permalink: bool,
    pub(super) link: Option<String>,
    pub(super) title: Option<String>,
    pub(super) dc_title: Option<String>,
    pub(super) dois: Vec<String>,
    pub(super) issued: Option<String>,
    pub(super) modified: Option<String>,
    pub(super) pub_date: Option<String>,
    /// An RSS 1.0 item's absolute http(s) `rdf:about`: its link when it has no `<link>`.
    pub(super) about: Option<String>,
    /// An `<item>` in the RSS 1.0 (or 0.90) namespace, which feed-rs reads when it has a link.
    pub(super) rss1: bool,
    /// The markup inside an item's `<body>` or `xhtml:body` (feed-rs ignores both).
    pub(super) body: Option<String>,
    /// The `xml:base` in force at that `<body>`: its relative links resolve against it.
    pub(super) body_base: Option<String>,
    /// The markup of Atom `type="xhtml"` title, content and summary: feed-rs unescapes the text
    /// in them, so `&lt;blink&gt;` would vanish as a tag.
    pub(super) xhtml_title: Option<String>,
    pub(super) xhtml_content: Option<String>,
    pub(super) xhtml_summary: Option<String>,
    /// Atom `<content>` / `<summary>` in base64 (Atom 0.3 `mode="base64"`, or a binary MIME
    /// type in Atom 1.0), decoded to HTML; `Some("")` when it decodes to something not text.
    pub(super) b64_content: Option<String>,
    pub(super) b64_summary: Option<String>,
    pub(super) b64_title: Option<String>,
    /// `dc:description` always; RSS `<description>` only for items feed-rs does not see.
    pub(super) description: Option<String>,
    /// The text of an RSS item's `<description>` / `<content:encoded>` that this pass read and
    /// cut out of feed-rs's copy of the document (see [`Raw::fixes`]), exactly as feed-rs would
    /// give it: feed-rs spent most of its time on those bodies' entity references.
    pub(super) cut_description: Option<String>,
    pub(super) cut_content: Option<String>,
    /// Whether the item had a `<description>` / `<content:encoded>` yet: feed-rs keeps the last,
    /// so only a lone one is cut.
    pub(super) seen_description: bool,
    pub(super) seen_content: bool,
    // The rest is only collected for items feed-rs does not see (outside `<channel>`).
    pub(super) content: Option<String>,
    pub(super) authors: Vec<String>,
}

#[derive(Debug, Default)]
pub(super) struct Raw {
    pub(super) root: Option<RootInfo>,
    pub(super) truncated: bool,
    /// A well-formedness error, one line with its line number.
    pub(super) error: Option<String>,
    pub(super) items: Vec<RawItem>,
    pub(super) paging: PagingLinks,
    pub(super) generator: Option<String>,
    pub(super) title: Option<String>,
    /// A channel-level `dc:title` (used when there is no `<title>`).
    pub(super) dc_title: Option<String>,
    pub(super) link: Option<String>,
    /// Start tags to replace before feed-rs reads the document (byte range, new tag), in
    /// document order: Atom `type` attributes feed-rs would reject the whole feed for; and
    /// (with an empty replacement) the RSS item bodies this pass read for it (`cut_*`).
    pub(super) fixes: Vec<(std::ops::Range<usize>, String)>,
}

impl Raw {
    /// The order of day and month the items' dates settle (see `dates::day_order`).
    pub(super) fn day_order(&self) -> Option<DayOrder> {
        day_order(
            self.items
                .iter()
                .flat_map(|i| [&i.pub_date, &i.issued, &i.modified])
                .filter_map(|d| d.as_deref()),
        )
    }

    /// Puts the cut bodies back, for feed-rs to read them itself.
    pub(super) fn uncut(&mut self) -> bool {
        let before = self.fixes.len();
        self.fixes.retain(|(_, new)| !new.is_empty());
        for item in &mut self.items {
            item.cut_description = None;
            item.cut_content = None;
        }
        self.fixes.len() != before
    }
}

/// Which field of the current item (or of the feed) text is being collected for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
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
    /// An RSS item's lone `<description>` / `<content:encoded>`, cut from feed-rs's copy.
    CutDescription,
    CutContent,
    /// Base64 text of an Atom `<content>` (or Atom 0.3 `<summary>`).
    Base64 {
        slot: B64Slot,
        kind: B64Kind,
    },
}

/// Which Atom construct holds base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum B64Slot {
    Content,
    Summary,
    Title,
}

/// What a base64 Atom content construct decodes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum B64Kind {
    Html,
    Text,
    /// An image, a PDF…: nothing to show as text.
    Binary,
}

/// `outside`: an item feed-rs does not see; `rss`: an item of an RSS document (0.9x, 1.0, 2.0).
pub(super) fn field_for(
    ns: Ns,
    local: &[u8],
    in_item: bool,
    outside: bool,
    rss: bool,
) -> Option<Field> {
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
        // Some generators put the whole post in `<fullitem>`; feed-rs does not know it.
        (Ns::Plain, b"fullitem") => Field::Content,
        // feed-rs reads `dc:description` in RSS 1.0 only; it is rare, so always collected.
        (Ns::Dc, b"description") => Field::Description,
        (Ns::Plain, b"description") | (Ns::Atom, b"summary") if outside => Field::Description,
        // feed-rs ignores Atom dates in RSS items (.NET writes `a10:updated`), so they are
        // read here: after `pubDate` and `dc:date`, as `dc:date` is.
        (Ns::Atom, b"published") if outside || rss => Field::Issued,
        (Ns::Atom, b"updated") if outside || rss => Field::Modified,
        (Ns::Content, b"encoded") | (Ns::Atom, b"content") if outside => Field::Content,
        // `dc:creator` always: feed-rs misses it under the odd namespace URIs platforms declare.
        (Ns::Plain, b"author") if outside => Field::Author,
        (Ns::Dc, b"creator") => Field::Author,
        _ => return None,
    };
    Some(f)
}

/// The body of an RSS item that this pass reads for feed-rs: `<description>` and
/// `<content:encoded>` exactly where feed-rs reads them (no namespace; the content module's).
fn cut_field(ns: Ns, bound: bool, local: &[u8]) -> Option<Field> {
    match (ns, bound, local) {
        (Ns::Plain, false, b"description") => Some(Field::CutDescription),
        (Ns::Content, true, b"encoded") => Some(Field::CutContent),
        _ => None,
    }
}

pub(super) fn line_of(doc: &[u8], pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(doc.len());
    doc[..pos].iter().filter(|&&b| b == b'\n').count() + 1
}

pub(super) fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
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
pub(super) fn raw_pass(doc: &[u8], full: bool) -> Raw {
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
    // An item's `<body>` (or Atom xhtml construct) being skipped over: its depth, where its
    // content starts, its prefix, the element's local name.
    let mut body: Option<(usize, usize, Vec<u8>, Vec<u8>)> = None;
    // Inside an entry's Atom `<author>` (its `<name>` is the author).
    let mut in_atom_author = false;
    // The body being captured to cut (see `RawItem::cut_description`): where its content
    // starts, and whether it is still only text (markup, or a reference feed-rs would reject,
    // leave it to feed-rs).
    let mut cut: Option<(usize, bool)> = None;
    loop {
        let before = reader.buffer_position();
        let utf8 = reader.decoder().encoding() == encoding_rs::UTF_8;
        let (ns, rss1, bound, event) = match reader.read_event() {
            Ok(ev) => {
                // Only start tags use their namespace: text and references, most events, skip it.
                let ns = match &ev {
                    Event::Start(e) | Event::Empty(e) => {
                        reader.resolver().resolve_prefix(e.name().prefix(), true)
                    }
                    _ => ResolveResult::Unbound,
                };
                let bound = matches!(ns, ResolveResult::Bound(_));
                let (ns, rss1) = match ns {
                    ResolveResult::Bound(n) => {
                        let uri = std::str::from_utf8(n.as_ref()).unwrap_or("");
                        (ns_of(uri), uri == NS_RSS1 || uri == NS_RSS090)
                    }
                    ResolveResult::Unknown(prefix) => (ns_of_prefix(&prefix), false),
                    ResolveResult::Unbound => (Ns::Plain, false),
                };
                // Platforms declare their own URIs for Dublin Core, PRISM and arXiv (one journal
                // platform on every item); the prefix still says what the element is.
                let ns = match (ns, &ev) {
                    (Ns::Other, Event::Start(e) | Event::Empty(e)) => match e.name().prefix() {
                        Some(p) => match ns_of_prefix(p.as_ref()) {
                            n @ (Ns::Dc | Ns::DcTerms | Ns::Prism | Ns::Arxiv) => n,
                            _ => Ns::Other,
                        },
                        // An RSS document in an odd default namespace: its elements are RSS's.
                        None if raw.root.as_ref().is_none_or(|r| r.name == "rss") => Ns::Plain,
                        None => Ns::Other,
                    },
                    (ns, _) => ns,
                };
                (ns, rss1, bound, ev)
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
                if let Some((_, only_text)) = cut.as_mut() {
                    // feed-rs keeps markup inside a body as markup; this pass would drop it.
                    *only_text = false;
                }
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
                    // An Atom `<author><name>` of an entry feed-rs does not see.
                    let author_name = ns == Ns::Atom
                        && local == b"name"
                        && depth == idepth + 2
                        && in_atom_author
                        && raw.items.last().is_some_and(|i| !i.in_channel || full);
                    if author_name && !is_empty && capture.is_none() {
                        capture = Some((Field::Author, depth, String::new()));
                    }
                    if depth == idepth + 1 {
                        in_atom_author = ns == Ns::Atom && local == b"author" && !is_empty;
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
                                    body = Some((depth, start, prefix, local.to_vec()));
                                    item.body_base = bases.last().map(|(_, u)| u.to_string());
                                }
                            } else if ns == Ns::Atom
                                && matches!(local, b"title" | b"content" | b"summary")
                                && attr(e, b"type").as_deref().map(str::trim) == Some("xhtml")
                                && !is_empty
                            {
                                let start =
                                    usize::try_from(reader.buffer_position()).unwrap_or(doc.len());
                                body = Some((depth, start, b"xhtml".to_vec(), local.to_vec()));
                            } else if let Some(field) = (is_root_rss && item.in_channel && !full)
                                .then(|| cut_field(ns, bound, local))
                                .flatten()
                            {
                                let seen = match field {
                                    Field::CutContent => &mut item.seen_content,
                                    _ => &mut item.seen_description,
                                };
                                if *seen {
                                    // feed-rs keeps the last one: let it read them all.
                                    match field {
                                        Field::CutContent => item.cut_content = None,
                                        _ => item.cut_description = None,
                                    }
                                } else if !is_empty {
                                    *seen = true;
                                    let start = usize::try_from(reader.buffer_position())
                                        .unwrap_or(doc.len());
                                    cut = Some((start, true));
                                    capture = Some((field, depth, String::new()));
                                }
                            } else if let Some(field) = (ns == Ns::Atom)
                                .then(|| atom_base64_field(e, local, atom03))
                                .flatten()
                            {
                                if !is_empty {
                                    capture = Some((field, depth, String::new()));
                                }
                            } else if let Some(field) = field_for(
                                ns,
                                local,
                                true,
                                !item.in_channel || is_rdf || full,
                                is_root_rss || is_rdf,
                            ) {
                                if field == Field::Guid {
                                    item.guid_is_permalink = attr(e, b"isPermaLink")
                                        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                                }
                                // An Atom id that is an http(s) URL is the entry's page when it
                                // has no alternate link.
                                if field == Field::Id {
                                    item.guid_is_permalink = true;
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
                        if let Some(field) = field_for(ns, local, false, false, false) {
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
                if body.as_ref().is_some_and(|(d, _, _, _)| *d == depth) {
                    if let Some((_, start, prefix, name)) = body.take() {
                        let after = usize::try_from(reader.buffer_position()).unwrap_or(0);
                        let inner = doc
                            .get(start..after.min(doc.len()))
                            .and_then(|b| b.windows(2).rposition(|w| w == b"</"))
                            .and_then(|end| doc.get(start..start + end))
                            .map(|b| body_markup(b, &prefix))
                            .filter(|b| !b.trim().is_empty());
                        if let Some(item) = raw.items.last_mut() {
                            match name.as_slice() {
                                b"title" => item.xhtml_title = inner,
                                b"content" => item.xhtml_content = inner,
                                b"summary" => item.xhtml_summary = inner,
                                _ => item.body = inner,
                            }
                        }
                    }
                }
                if capture.as_ref().is_some_and(|(_, d, _)| *d == depth) {
                    if let Some((field, _, text)) = capture.take() {
                        match cut.take() {
                            Some((start, true)) => {
                                let end = usize::try_from(before).unwrap_or(0);
                                if let (Some(item), true) = (raw.items.last_mut(), start <= end) {
                                    raw.fixes.push((start..end, String::new()));
                                    if field == Field::CutContent {
                                        // feed-rs has no content for an empty one.
                                        item.cut_content = Some(text).filter(|t| !t.is_empty());
                                    } else {
                                        // feed-rs trims a description, not content.
                                        let trimmed = text.trim();
                                        item.cut_description =
                                            Some(if trimmed.len() == text.len() {
                                                text
                                            } else {
                                                trimmed.to_string()
                                            });
                                    }
                                }
                            }
                            Some((_, false)) => {}
                            None => store_field(&mut raw, field, text),
                        }
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
                    // The same text as `decode`, without its per-call cost on the many short
                    // runs between references (the document is UTF-8 by now, nearly always).
                    if utf8 {
                        if let Ok(s) = std::str::from_utf8(t) {
                            buf.push_str(s);
                        }
                    } else if let Ok(s) = t.decode() {
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
                    // Nearly every reference is a predefined one (escaped markup in a body):
                    // matched on its bytes, without the two decodings below.
                    let predefined = match &**r {
                        b"lt" => "<",
                        b"gt" => ">",
                        b"amp" => "&",
                        b"quot" => "\"",
                        b"apos" => "'",
                        _ => "",
                    };
                    if !predefined.is_empty() {
                        buf.push_str(predefined);
                        continue;
                    }
                    let char_ref = r.resolve_char_ref();
                    if let (Err(_), Some((_, only_text))) = (&char_ref, cut.as_mut()) {
                        // feed-rs fails on it: its reading (and its error) must stand.
                        *only_text = false;
                    }
                    if let Ok(Some(c)) = char_ref {
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

pub(super) fn store_field(raw: &mut Raw, field: Field, text: String) {
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
                Field::Base64 { slot, kind } => {
                    if let Some(html) = decode_base64(value, kind) {
                        let slot = match slot {
                            B64Slot::Content => &mut item.b64_content,
                            B64Slot::Summary => &mut item.b64_summary,
                            B64Slot::Title => &mut item.b64_title,
                        };
                        slot.get_or_insert(html);
                    }
                }
                Field::FeedTitle
                | Field::FeedDcTitle
                | Field::FeedLink
                | Field::Generator
                | Field::CutDescription
                | Field::CutContent => {}
            }
        }
    }
}

/// The markup inside an item's `<body>`, with the XHTML prefix (`xhtml:p`) dropped so HTML
/// parsers see plain `<p>`.
pub(super) fn body_markup(inner: &[u8], prefix: &[u8]) -> String {
    let text = String::from_utf8_lossy(inner);
    if prefix.is_empty() {
        return text.into_owned();
    }
    let p = String::from_utf8_lossy(prefix);
    text.replace(&format!("</{p}:"), "</")
        .replace(&format!("<{p}:"), "<")
}

/// The capture field for an Atom `<content>` / `<summary>` / `<title>` that holds base64: Atom 0.3's
/// `mode="base64"`, a `base64` parameter on the type, or (Atom 1.0 content) a MIME type that is
/// neither text nor XML, which RFC 4287 §4.1.3.3 says is base64.
pub(super) fn atom_base64_field(e: &BytesStart<'_>, local: &[u8], atom03: bool) -> Option<Field> {
    let slot = match local {
        b"content" => B64Slot::Content,
        b"summary" => B64Slot::Summary,
        b"title" => B64Slot::Title,
        _ => return None,
    };
    let ty = attr(e, b"type").unwrap_or_default().to_ascii_lowercase();
    let (base, params) = ty.split_once(';').unwrap_or((ty.as_str(), ""));
    let base = base.trim();
    let mode_b64 = attr(e, b"mode").is_some_and(|m| m.trim().eq_ignore_ascii_case("base64"));
    let binary_type = slot == B64Slot::Content
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
    Some(Field::Base64 { slot, kind })
}

/// Base64 (whitespace and missing padding tolerated) to HTML; `Some("")` for binary content,
/// `None` when the text is not base64 after all (feed-rs's reading then stands).
pub(super) fn decode_base64(text: &str, kind: B64Kind) -> Option<String> {
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
