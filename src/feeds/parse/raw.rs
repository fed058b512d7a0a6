//! The raw pass: one quick-xml walk that collects what feed-rs does not expose.

use quick_xml::events::{BytesCData, BytesRef, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use url::Url;

use super::dates::{day_order, DayOrder};
use super::encoding::utf8_or_1252;
use super::entry::as_html;
use super::fallback::atom_type_fix;
use super::vocab::{
    atom_base64_field, attr, cut_field, field_for, ns_of, ns_of_prefix, B64Kind, B64Slot, Field,
    Ns, NS_RSS090, NS_RSS1,
};
use crate::model::PagingLinks;
use crate::text::scrub::scrub_line;

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
    /// The text of an RSS item's `<title>`, `<link>`, `<guid>`, `<pubDate>` and `<author>`,
    /// exactly as feed-rs reads it, when this pass cut the element whole out of feed-rs's copy:
    /// see [`Lean`].
    pub(super) lean: Lean,
    // The rest is only collected for items feed-rs does not see (outside `<channel>`).
    pub(super) content: Option<String>,
    pub(super) authors: Vec<String>,
}

/// An RSS item's plain-text elements that feed-rs reads one way only, read here instead:
/// feed-rs spent most of its time on the events of these small elements, not on what it made
/// of them. Each is cut only when it is the item's only one of its kind, holds text alone, no
/// `xml:base` is in force, and (dates, authors) no Dublin Core element could come before or
/// after it in feed-rs's reading; else every cut of the item is put back (see `Walk::end`).
#[derive(Debug, Default, Clone)]
pub(super) struct Lean {
    pub(super) title: Option<String>,
    pub(super) link: Option<String>,
    pub(super) guid: Option<String>,
    pub(super) pub_date: Option<String>,
    pub(super) author: Option<String>,
    /// Where the item's cuts are in [`Raw::fixes`], and whether each still stands.
    fixes: Vec<usize>,
    ok: bool,
    /// How many of each kind the item has (index: [`LeanKind`]), and a `dc:date` or
    /// `dc:creator`.
    seen: [u8; 5],
    dublin_core: bool,
}

/// Which lean element (see [`Lean`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LeanKind {
    Title,
    Link,
    Guid,
    PubDate,
    Author,
}

impl LeanKind {
    fn of(local: &[u8]) -> Option<LeanKind> {
        Some(match local {
            b"title" => LeanKind::Title,
            b"link" => LeanKind::Link,
            b"guid" => LeanKind::Guid,
            b"pubDate" => LeanKind::PubDate,
            b"author" => LeanKind::Author,
            _ => return None,
        })
    }
}

impl Lean {
    fn slot(&mut self, kind: LeanKind) -> &mut Option<String> {
        match kind {
            LeanKind::Title => &mut self.title,
            LeanKind::Link => &mut self.link,
            LeanKind::Guid => &mut self.guid,
            LeanKind::PubDate => &mut self.pub_date,
            LeanKind::Author => &mut self.author,
        }
    }

    /// Whether the cuts of a finished item stand (see [`Lean`]).
    fn stands(&self) -> bool {
        self.ok && !self.dublin_core && self.seen.iter().all(|&n| n <= 1)
    }
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

    /// How many elements were cut whole (see [`Lean`]).
    #[cfg(test)]
    pub(super) fn lean_cuts(&self) -> usize {
        self.items.iter().map(|i| i.lean.fixes.len()).sum()
    }

    /// Puts the cut bodies back, for feed-rs to read them itself.
    pub(super) fn uncut(&mut self) -> bool {
        let before = self.fixes.len();
        self.fixes.retain(|(_, new)| !new.is_empty());
        for item in &mut self.items {
            item.cut_description = None;
            item.cut_content = None;
            item.lean = Lean::default();
        }
        self.fixes.len() != before
    }
}

pub(super) fn line_of(doc: &[u8], pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(doc.len());
    doc[..pos].iter().filter(|&&b| b == b'\n').count() + 1
}

/// One pass over the document with quick-xml: no DOM, strings only for the few fields kept.
///
/// With `full`, every item's fields are collected as for items feed-rs does not see (the
/// fallback when feed-rs rejects a well-formed document).
pub(super) fn raw_pass(doc: &[u8], full: bool) -> Raw {
    raw_pass_with(doc, full, true)
}

/// [`raw_pass`]; with `whole_texts`, a captured element's text is read at once when it is
/// plain text up to its end tag (see [`Walk::whole_text`]). Without, every piece goes through
/// quick-xml: the tests compare the two.
pub(super) fn raw_pass_with(doc: &[u8], full: bool, whole_texts: bool) -> Raw {
    let mut reader = NsReader::from_reader(doc);
    reader.config_mut().check_end_names = true;
    let mut walk = Walk::new(doc, full);
    // Bytes this pass read itself and took off the reader's slice: quick-xml's positions do
    // not count them.
    let mut skipped = 0u64;
    loop {
        let before = reader.buffer_position() + skipped;
        let utf8 = reader.decoder().encoding() == encoding_rs::UTF_8;
        let (tag, event) = match read_event(&mut reader, walk.raw.root.as_ref()) {
            Ok(read) => read,
            Err(e) => {
                walk.fail(&e, reader.error_position() + skipped);
                return walk.raw;
            }
        };
        let pos = Pos {
            before,
            after: reader.buffer_position() + skipped,
        };
        let done = match event {
            Event::Start(ref e) => {
                let done = walk.start(e, tag, false, pos);
                if whole_texts && utf8 {
                    let rest = reader.get_mut();
                    if let Some(n) = walk.whole_text(rest) {
                        *rest = &rest[n..];
                        skipped += n as u64;
                    }
                }
                done
            }
            Event::Empty(ref e) => walk.start(e, tag, true, pos),
            Event::End(_) => walk.end(pos),
            Event::Text(ref t) => {
                walk.text(t, utf8);
                false
            }
            Event::CData(ref t) => {
                walk.cdata(t);
                false
            }
            Event::GeneralRef(ref r) => {
                walk.general_ref(r);
                false
            }
            Event::Eof => {
                if walk.raw.root.is_some() {
                    walk.raw.truncated = true;
                }
                true
            }
            _ => false,
        };
        if done {
            return walk.raw;
        }
    }
}

/// What a start tag's namespace says (only start tags resolve theirs).
#[derive(Debug, Clone, Copy)]
struct Tag {
    ns: Ns,
    /// In the RSS 1.0 (or 0.90) namespace.
    rss1: bool,
    /// Its prefix (or the default namespace) is declared.
    bound: bool,
}

/// Where an event starts and ends in the document.
#[derive(Debug, Clone, Copy)]
struct Pos {
    before: u64,
    after: u64,
}

/// What the root element says the document is.
#[derive(Debug, Clone, Copy)]
struct DocKind {
    rss: bool,
    rdf: bool,
    atom: bool,
    atom03: bool,
}

/// The next event, with a start tag's namespace resolved.
fn read_event<'d>(
    reader: &mut NsReader<&'d [u8]>,
    root: Option<&RootInfo>,
) -> Result<(Tag, Event<'d>), quick_xml::Error> {
    let ev = reader.read_event()?;
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
            None if root.is_none_or(|r| r.name == "rss") => Ns::Plain,
            None => Ns::Other,
        },
        (ns, _) => ns,
    };
    Ok((Tag { ns, rss1, bound }, ev))
}

/// `href` resolved against the `xml:base` in force.
fn resolve(bases: &[(usize, Url)], href: &str) -> String {
    match bases.last() {
        Some((_, b)) => b
            .join(href.trim())
            .map_or_else(|_| href.trim().to_string(), |u| u.to_string()),
        None => href.trim().to_string(),
    }
}

/// The raw pass between two events: where it is in the document and what it is collecting.
struct Walk<'d> {
    doc: &'d [u8],
    full: bool,
    raw: Raw,
    depth: usize,
    item_depth: Option<usize>,
    channel_depth: Option<usize>,
    /// Field being collected: the field, the depth of its element, the text so far.
    capture: Option<(Field, usize, String)>,
    /// xml:base in force, with the depth of the element that set it.
    bases: Vec<(usize, Url)>,
    /// An item's `<body>` (or Atom xhtml construct) being skipped over: its depth, where its
    /// content starts, its prefix, the element's local name.
    body: Option<(usize, usize, Vec<u8>, Vec<u8>)>,
    /// Inside an entry's Atom `<author>` (its `<name>` is the author).
    in_atom_author: bool,
    /// The body being captured to cut (see `RawItem::cut_description`): where its content
    /// starts, and whether it is still only text (markup, or a reference feed-rs would reject,
    /// leave it to feed-rs).
    cut: Option<(usize, bool)>,
    /// The lean element being captured to cut (see [`Lean`]), and where its start tag starts.
    lean_cut: Option<(LeanKind, usize)>,
}

impl<'d> Walk<'d> {
    fn new(doc: &'d [u8], full: bool) -> Self {
        Walk {
            doc,
            full,
            raw: Raw::default(),
            depth: 0,
            item_depth: None,
            channel_depth: None,
            capture: None,
            bases: Vec::new(),
            body: None,
            in_atom_author: false,
            cut: None,
            lean_cut: None,
        }
    }

    /// A reading error: a truncation when it is one the end of the bytes makes, else the
    /// well-formedness error with its line.
    fn fail(&mut self, e: &quick_xml::Error, at: u64) {
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
        if at_end && self.raw.root.is_some() {
            self.raw.truncated = true;
        } else {
            let line = line_of(self.doc, at);
            self.raw.error = Some(format!("line {line}: {}", scrub_line(&e.to_string())));
        }
    }

    fn kind(&self) -> DocKind {
        let root = self.raw.root.as_ref();
        let atom = root.is_some_and(|r| r.name == "feed");
        DocKind {
            rss: root.is_some_and(|r| r.name == "rss"),
            rdf: root.is_some_and(|r| r.name == "RDF"),
            atom,
            atom03: atom
                && root.is_some_and(|r| r.version.as_deref().map(str::trim) == Some("0.3")),
        }
    }

    /// A start (or empty) tag; true when it ends the document (`<rss/>`).
    fn start(&mut self, e: &BytesStart<'_>, tag: Tag, is_empty: bool, pos: Pos) -> bool {
        let ns = tag.ns;
        if let Some((_, only_text)) = self.cut.as_mut() {
            // feed-rs keeps markup inside a body as markup; this pass would drop it.
            *only_text = false;
        }
        let local = e.local_name();
        let local = local.as_ref();
        if self.depth == 0 && self.raw.root.is_none() {
            let after = usize::try_from(pos.after).unwrap_or(self.doc.len());
            let before = usize::try_from(pos.before).unwrap_or(0);
            self.raw.root = Some(RootInfo {
                name: String::from_utf8_lossy(local).into_owned(),
                tag: before..after.min(self.doc.len()),
                version: attr(e, b"version"),
            });
        }
        if let Some(base) = attr(e, b"xml:base") {
            let joined = match self.bases.last() {
                Some((_, b)) => b.join(base.trim()).ok(),
                None => Url::parse(base.trim()).ok(),
            };
            if let (Some(u), false) = (joined, is_empty) {
                self.bases.push((self.depth, u));
            }
        }
        let kind = self.kind();
        // Atom elements feed-rs reads as text: a `type` it rejects fails the whole feed.
        let feed_level = self.item_depth.is_none() && self.depth == 1;
        let entry_level = self.item_depth.is_some_and(|d| self.depth == d + 1);
        if ns == Ns::Atom && kind.atom && (feed_level || entry_level) {
            let before = usize::try_from(pos.before).unwrap_or(0);
            let after = usize::try_from(pos.after).unwrap_or(0);
            if let Some(fix) = atom_type_fix(e, local, self.doc, before..after) {
                self.raw.fixes.push(fix);
            }
        }
        if self.item_depth.is_none()
            && (local == b"item" || local == b"entry")
            && self.depth > 0
            && matches!(ns, Ns::Plain | Ns::Atom)
        {
            self.item_start(e, tag.rss1, kind, is_empty);
        } else if local == b"channel"
            && ns == Ns::Plain
            && self.channel_depth.is_none()
            && !is_empty
        {
            self.channel_depth = Some(self.depth);
        } else if let Some(idepth) = self.item_depth {
            self.item_child(e, tag, idepth, kind, is_empty, pos);
        } else if self.depth <= 2 {
            self.feed_child(e, ns, is_empty);
        }
        if !is_empty {
            self.depth += 1;
            false
        } else {
            // `<rss/>`: an empty root is a complete (empty) document.
            self.depth == 0
        }
    }

    /// An `<item>` or `<entry>` starts.
    fn item_start(&mut self, e: &BytesStart<'_>, rss1: bool, kind: DocKind, is_empty: bool) {
        let in_channel = !kind.rss || self.channel_depth.is_some();
        // RSS 1.0 names its items; the URI is a better key than a hash.
        let about = attr(e, b"rdf:about").filter(|a| !a.trim().is_empty());
        let about_link = about
            .as_deref()
            .map(str::trim)
            .filter(|a| a.starts_with("http://") || a.starts_with("https://"))
            .and_then(|a| Url::parse(a).ok())
            .map(|u| u.to_string());
        self.raw.items.push(RawItem {
            in_channel,
            guid: about,
            about: about_link,
            rss1,
            lean: Lean {
                ok: true,
                ..Lean::default()
            },
            ..RawItem::default()
        });
        if !is_empty {
            self.item_depth = Some(self.depth);
        }
    }

    /// An element inside an item (at `idepth`).
    fn item_child(
        &mut self,
        e: &BytesStart<'_>,
        tag: Tag,
        idepth: usize,
        kind: DocKind,
        is_empty: bool,
        pos: Pos,
    ) {
        let (ns, depth, full) = (tag.ns, self.depth, self.full);
        let local = e.local_name();
        let local = local.as_ref();
        // An Atom `<author><name>` of an entry feed-rs does not see.
        let author_name = ns == Ns::Atom
            && local == b"name"
            && depth == idepth + 2
            && self.in_atom_author
            && self.raw.items.last().is_some_and(|i| !i.in_channel || full);
        if author_name && !is_empty && self.capture.is_none() {
            self.capture = Some((Field::Author, depth, String::new()));
        }
        if depth != idepth + 1 {
            return;
        }
        self.in_atom_author = ns == Ns::Atom && local == b"author" && !is_empty;
        let Some(item) = self.raw.items.last_mut() else {
            return;
        };
        let start = usize::try_from(pos.after).unwrap_or(self.doc.len());
        let lean = (kind.rss && item.in_channel && !full && !tag.bound && ns == Ns::Plain)
            .then(|| LeanKind::of(local))
            .flatten();
        if let Some(k) = lean {
            let n = &mut item.lean.seen[k as usize];
            *n = n.saturating_add(1);
        }
        if ns == Ns::Dc && matches!(local, b"date" | b"creator") {
            item.lean.dublin_core = true;
        }
        // Cut whole, start tag included: feed-rs then reads nothing of it.
        let lean_cut = lean
            .filter(|_| !is_empty && self.bases.is_empty())
            .map(|k| (k, usize::try_from(pos.before).unwrap_or(0)));
        if ns == Ns::Atom && local == b"link" {
            let rel = attr(e, b"rel").unwrap_or_else(|| "alternate".to_string());
            if rel == "alternate" && item.link.is_none() {
                item.link = attr(e, b"href").map(|h| resolve(&self.bases, &h));
            }
        } else if local == b"body" && matches!(ns, Ns::Plain | Ns::Xhtml) && !kind.atom {
            if !is_empty && item.body.is_none() {
                let prefix = e
                    .name()
                    .prefix()
                    .map(|p| p.as_ref().to_vec())
                    .unwrap_or_default();
                self.body = Some((depth, start, prefix, local.to_vec()));
                item.body_base = self.bases.last().map(|(_, u)| u.to_string());
            }
        } else if ns == Ns::Atom
            && matches!(local, b"title" | b"content" | b"summary")
            && attr(e, b"type").as_deref().map(str::trim) == Some("xhtml")
            && !is_empty
        {
            self.body = Some((depth, start, b"xhtml".to_vec(), local.to_vec()));
        } else if let Some(field) = (kind.rss && item.in_channel && !full)
            .then(|| cut_field(ns, tag.bound, local))
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
                self.cut = Some((start, true));
                self.capture = Some((field, depth, String::new()));
            }
        } else if lean == Some(LeanKind::Author) {
            if lean_cut.is_some() {
                self.capture = Some((Field::LeanAuthor, depth, String::new()));
                self.cut = Some((start, true));
                self.lean_cut = lean_cut;
            }
        } else if let Some(field) = (ns == Ns::Atom)
            .then(|| atom_base64_field(e, local, kind.atom03))
            .flatten()
        {
            if !is_empty {
                self.capture = Some((field, depth, String::new()));
            }
        } else if let Some(field) = field_for(
            ns,
            local,
            true,
            !item.in_channel || kind.rdf || full,
            kind.rss || kind.rdf,
        ) {
            if field == Field::Guid {
                item.guid_is_permalink =
                    attr(e, b"isPermaLink").is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
            }
            // An Atom id that is an http(s) URL is the entry's page when it
            // has no alternate link.
            if field == Field::Id {
                item.guid_is_permalink = true;
            }
            if !is_empty {
                self.capture = Some((field, depth, String::new()));
                if lean_cut.is_some() {
                    self.cut = Some((start, true));
                    self.lean_cut = lean_cut;
                }
            }
        }
    }

    /// Feed level: `<feed>`'s children, or `<rss><channel>`'s.
    fn feed_child(&mut self, e: &BytesStart<'_>, ns: Ns, is_empty: bool) {
        let local = e.local_name();
        let local = local.as_ref();
        if matches!(ns, Ns::Atom | Ns::Plain) && local == b"link" {
            let rel = attr(e, b"rel").unwrap_or_default();
            let href = attr(e, b"href").map(|h| resolve(&self.bases, &h));
            let paging = &mut self.raw.paging;
            match rel.as_str() {
                "prev-archive" if paging.prev_archive.is_none() => paging.prev_archive = href,
                "next" if paging.next.is_none() => paging.next = href,
                _ => {}
            }
        }
        if ns == Ns::History && local == b"complete" {
            self.raw.paging.complete = true;
        }
        if !is_empty && self.capture.is_none() {
            if let Some(field) = field_for(ns, local, false, false, false) {
                self.capture = Some((field, self.depth, String::new()));
            }
        }
    }

    /// An end tag; true when it closes the root (the document is complete; trailing content
    /// is ignored).
    fn end(&mut self, pos: Pos) -> bool {
        self.depth = self.depth.saturating_sub(1);
        let depth = self.depth;
        if self.bases.last().is_some_and(|(d, _)| *d == depth) {
            self.bases.pop();
        }
        if self.body.as_ref().is_some_and(|(d, _, _, _)| *d == depth) {
            self.end_body(pos);
        }
        if self.capture.as_ref().is_some_and(|(_, d, _)| *d == depth) {
            self.end_capture(pos);
        }
        if self.item_depth == Some(depth) {
            self.item_depth = None;
            if let Some(item) = self.raw.items.last_mut() {
                if !item.lean.fixes.is_empty() && !item.lean.stands() {
                    // feed-rs reads them all after all.
                    for &i in item.lean.fixes.iter().rev() {
                        self.raw.fixes.remove(i);
                    }
                    item.lean = Lean::default();
                }
            }
            // feed-rs drops RSS 1.0 items without a link; those are built from this pass.
            if self.raw.root.as_ref().is_some_and(|r| r.name == "RDF") {
                if let Some(item) = self.raw.items.last_mut() {
                    item.in_channel = item.rss1 && item.link.is_some();
                }
            }
        }
        if self.channel_depth == Some(depth) {
            self.channel_depth = None;
        }
        depth == 0
    }

    /// The skipped `<body>` (or xhtml construct) closed: its markup goes to the item.
    fn end_body(&mut self, pos: Pos) {
        let doc = self.doc;
        if let Some((_, start, prefix, name)) = self.body.take() {
            let after = usize::try_from(pos.after).unwrap_or(0);
            let inner = doc
                .get(start..after.min(doc.len()))
                .and_then(|b| b.windows(2).rposition(|w| w == b"</"))
                .and_then(|end| doc.get(start..start + end))
                .map(|b| body_markup(b, &prefix))
                .filter(|b| !b.trim().is_empty());
            if let Some(item) = self.raw.items.last_mut() {
                match name.as_slice() {
                    b"title" => item.xhtml_title = inner,
                    b"content" => item.xhtml_content = inner,
                    b"summary" => item.xhtml_summary = inner,
                    _ => item.body = inner,
                }
            }
        }
    }

    /// The captured field's element closed: its text is stored, or cut for feed-rs.
    fn end_capture(&mut self, pos: Pos) {
        let Some((field, _, text)) = self.capture.take() else {
            return;
        };
        if let Some((kind, elem_start)) = self.lean_cut.take() {
            let only_text = self.cut.take().is_some_and(|(_, only_text)| only_text);
            let end = usize::try_from(pos.after).unwrap_or(0);
            if let Some(item) = self.raw.items.last_mut() {
                if only_text && elem_start <= end {
                    item.lean.fixes.push(self.raw.fixes.len());
                    self.raw.fixes.push((elem_start..end, String::new()));
                    *item.lean.slot(kind) = Some(text.clone());
                } else {
                    item.lean.ok = false;
                }
            }
            // Collected as before, cut or not.
            store_field(&mut self.raw, field, text);
            return;
        }
        match self.cut.take() {
            Some((start, true)) => {
                let end = usize::try_from(pos.before).unwrap_or(0);
                if let (Some(item), true) = (self.raw.items.last_mut(), start <= end) {
                    self.raw.fixes.push((start..end, String::new()));
                    if field == Field::CutContent {
                        // feed-rs has no content for an empty one.
                        item.cut_content = Some(text).filter(|t| !t.is_empty());
                    } else {
                        // feed-rs trims a description, not content.
                        let trimmed = text.trim();
                        item.cut_description = Some(if trimmed.len() == text.len() {
                            text
                        } else {
                            trimmed.to_string()
                        });
                    }
                }
            }
            Some((_, false)) => {}
            None => store_field(&mut self.raw, field, text),
        }
    }

    /// The text of the element just opened, when it is captured and is plain text (the
    /// predefined references at most) up to an end tag: read at once into the capture, and how
    /// many bytes of `rest` (the reader's slice, at the element's content) it took. quick-xml
    /// makes an event of every reference, and escaped HTML bodies are made of them. Anything
    /// else (markup, CDATA, other references, bytes that are not UTF-8) is left to the events.
    fn whole_text(&mut self, rest: &[u8]) -> Option<usize> {
        let (_, depth, buf) = self.capture.as_mut()?;
        if *depth + 1 != self.depth || !buf.is_empty() {
            return None;
        }
        let end = memchr::memchr(b'<', rest)?;
        if rest.get(end + 1) != Some(&b'/') {
            return None;
        }
        let text = std::str::from_utf8(&rest[..end]).ok()?;
        if !unescape_predefined(text, buf) {
            buf.clear();
            return None;
        }
        Some(end)
    }

    fn text(&mut self, t: &BytesText<'_>, utf8: bool) {
        if let Some((_, _, buf)) = self.capture.as_mut() {
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

    fn cdata(&mut self, t: &BytesCData<'_>) {
        if let Some((_, _, buf)) = self.capture.as_mut() {
            if let Ok(s) = t.decode() {
                buf.push_str(&s);
            }
        }
    }

    fn general_ref(&mut self, r: &BytesRef<'_>) {
        let Some((_, _, buf)) = self.capture.as_mut() else {
            return;
        };
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
            return;
        }
        let char_ref = r.resolve_char_ref();
        if let (Err(_), Some((_, only_text))) = (&char_ref, self.cut.as_mut()) {
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

/// `text` with XML's five predefined references decoded, appended to `out`; false (and `out`
/// partly written) at any other `&`.
fn unescape_predefined(text: &str, out: &mut String) -> bool {
    let b = text.as_bytes();
    out.reserve(b.len());
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'&', &b[i..]) {
        let amp = i + off;
        out.push_str(&text[i..amp]);
        let after = &b[amp + 1..];
        let (s, n) = if after.starts_with(b"lt;") {
            ("<", 3)
        } else if after.starts_with(b"gt;") {
            (">", 3)
        } else if after.starts_with(b"amp;") {
            ("&", 4)
        } else if after.starts_with(b"quot;") {
            ("\"", 5)
        } else if after.starts_with(b"apos;") {
            ("'", 5)
        } else {
            return false;
        };
        out.push_str(s);
        i = amp + 1 + n;
    }
    out.push_str(&text[i..]);
    true
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
                | Field::CutContent
                | Field::LeanAuthor => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A walk inside a captured element that was just opened.
    fn capturing() -> Walk<'static> {
        let mut w = Walk::new(b"", false);
        w.capture = Some((Field::CutDescription, 2, String::new()));
        w.depth = 3;
        w
    }

    fn captured(w: &Walk<'_>) -> String {
        w.capture.as_ref().map(|c| c.2.clone()).unwrap_or_default()
    }

    #[test]
    fn whole_texts_read_plain_text_and_leave_the_rest_to_the_events() {
        let rest: &[u8] = b"a &lt;p&gt;&quot;x&apos; &amp;amp; \xc3\xa9\n</description><x>";
        let mut w = capturing();
        assert_eq!(w.whole_text(rest), Some(rest.len() - 17));
        assert_eq!(captured(&w), "a <p>\"x' &amp; \u{e9}\n");
        for rest in [
            &b"a &#8217; b</description>"[..],
            b"a &nbsp; b</description>",
            b"a & b</description>",
            b"a &amp b</description>",
            b"a <b>c</b></description>",
            b"<![CDATA[a]]></description>",
            b"a \xff b</description>",
            b"no end tag",
        ] {
            let mut w = capturing();
            assert_eq!(
                w.whole_text(rest),
                None,
                "{}",
                String::from_utf8_lossy(rest)
            );
            assert_eq!(captured(&w), "");
        }
        // Only the element that was just opened, and only while nothing is captured yet.
        let mut w = capturing();
        w.depth = 4;
        assert_eq!(w.whole_text(b"a</x>"), None);
        let mut w = capturing();
        if let Some(c) = w.capture.as_mut() {
            c.2.push('x');
        }
        assert_eq!(w.whole_text(b"a</x>"), None);
        let mut w = capturing();
        w.capture = None;
        assert_eq!(w.whole_text(b"a</x>"), None);
    }

    /// Every corpus document, and documents made to hit the edges, read the same with and
    /// without whole texts: fields, cut ranges, errors and their lines.
    #[test]
    fn whole_texts_read_what_the_events_read() {
        let mut docs: Vec<Vec<u8>> = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let bytes = std::fs::read(&path).unwrap();
                docs.push(super::super::fix_char_refs(super::super::to_utf8(&bytes)).into_owned());
            }
        }
        assert!(docs.len() > 80, "the corpus is missing");
        let item = |body: &str| {
            format!(
                "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" \
                 xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
                 <title>T &amp; U</title>\n<item><title>A &lt;i&gt;</title><guid>a</guid>\
                 {body}</item>\n<item><title>B</title><guid>b</guid>\
                 <description>&lt;p&gt;b&lt;/p&gt;</description></item></channel></rss>"
            )
            .into_bytes()
        };
        for body in [
            "<description>&lt;p&gt;x &amp;amp; &quot;y&apos;&lt;/p&gt;\n</description>",
            "<description>a &#8217; &nbsp; b</description>",
            "<description>a &lt;b&gt;<b>c</b></description>",
            "<description>a <![CDATA[<b>]]> b</description>",
            "<description>a & b</description>",
            "<description>a &lt;</content:encoded>",
            "<description>one</description><description>&lt;two&gt;</description>",
            "<content:encoded>&lt;p&gt;</content:encoded><description>x</description>",
            "<description></description>",
            "<description>x</description>\n<bad attr=></bad>",
        ] {
            docs.push(item(body));
        }
        let whole = item("<description>&lt;p&gt;x&lt;/p&gt;</description>");
        docs.push(whole[..whole.len() - 60].to_vec());
        for doc in &docs {
            for full in [false, true] {
                assert_eq!(
                    format!("{:?}", raw_pass_with(doc, full, true)),
                    format!("{:?}", raw_pass_with(doc, full, false)),
                    "{}",
                    String::from_utf8_lossy(doc)
                );
            }
        }
    }
}
