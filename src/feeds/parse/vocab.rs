//! The names the raw pass knows: the namespaces it tells apart, and which element (in which
//! namespace, at which level) feeds which field of an item or of the feed.

use quick_xml::events::BytesStart;

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
    /// An RSS item's `<author>` read for feed-rs (see `raw::Lean`); nothing else keeps it.
    LeanAuthor,
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
        // Every identifier the item's metadata gives (DOIs, PMIDs, arXiv ids); DOIs are read
        // from them for the DOI list, every paper id for the papers.
        (Ns::Prism, b"doi")
        | (Ns::Dc | Ns::DcTerms, b"identifier")
        | (Ns::Arxiv, b"doi" | b"DOI") => Field::Doi,
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
pub(super) fn cut_field(ns: Ns, bound: bool, local: &[u8]) -> Option<Field> {
    match (ns, bound, local) {
        (Ns::Plain, false, b"description") => Some(Field::CutDescription),
        (Ns::Content, true, b"encoded") => Some(Field::CutContent),
        _ => None,
    }
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
