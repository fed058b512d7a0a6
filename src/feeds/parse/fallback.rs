//! Rewrites that let feed-rs read real-world variants it would reject whole.

use std::borrow::Cow;

use quick_xml::events::BytesStart;

use super::raw::RootInfo;
use super::vocab::{attr, NS_ATOM, NS_ATOM03, NS_RSS090, NS_RSS1};

/// `type/subtype(;name=value)*` with RFC 6838 names, stricter than feed-rs's parser (so a type
/// that passes here also passes there).
pub(super) fn is_media_type(t: &str) -> bool {
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
pub(super) fn atom_type_fix(
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

/// Rewrites the root start tag so feed-rs accepts what readers meet in the wild: `<rss>` with a
/// missing or unusual version becomes 2.0 (0.9x and 2.01 are subsets of it); the userland RSS
/// namespace, RSS 0.90's and Atom 0.3's namespace become the ones feed-rs knows. Then the start
/// tags the raw pass fixed (`fixes`, in document order, after the root tag) are replaced.
pub(super) fn rewrite_doc<'a>(
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
        // RSS 2.0's elements are unqualified; a default namespace on the root (userland's, or
        // one a generator made up) would hide them from feed-rs.
        new_tag = strip_attr(&new_tag, "xmlns");
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

/// `tag` without its first `name="…"` (or `'…'`) attribute. Scanned by hand: it runs on every
/// RSS root tag, and compiling a pattern each time cost more than the rest of the rewrite.
pub(super) fn strip_attr(tag: &str, name: &str) -> String {
    attr_span(tag, name).map_or_else(
        || tag.to_string(),
        |(start, end)| format!("{}{}", &tag[..start], &tag[end..]),
    )
}

/// Byte range of the first `\s name \s* = \s* ("…"|'…')` in `tag`, the whitespace before the
/// name included.
fn attr_span(tag: &str, name: &str) -> Option<(usize, usize)> {
    if name.is_empty() {
        return None;
    }
    tag.match_indices(name).find_map(|(at, _)| {
        let ws = tag[..at]
            .chars()
            .next_back()
            .filter(|c| c.is_whitespace())?;
        let rest = tag[at + name.len()..].trim_start();
        let value = rest.strip_prefix('=')?.trim_start();
        let quote = value.chars().next().filter(|q| matches!(q, '"' | '\''))?;
        let close = value[1..].find(quote)?;
        let end = tag.len() - value.len() + 1 + close + 1;
        Some((at - ws.len_utf8(), end))
    })
}

#[cfg(test)]
mod tests {
    use super::strip_attr;

    #[test]
    fn strip_attr_removes_the_first_whole_attribute() {
        for (tag, name, want) in [
            (
                r#"<rss xmlns="u" version="2.0">"#,
                "xmlns",
                r#"<rss version="2.0">"#,
            ),
            (
                r#"<rss xmlns:dc="d" xmlns='u'>"#,
                "xmlns",
                r#"<rss xmlns:dc="d">"#,
            ),
            // One whitespace character goes with the attribute, as before.
            ("<rss\n  xmlns =\t\"u\"/>", "xmlns", "<rss\n />"),
            (r#"<a xtype="1" type="2">"#, "type", r#"<a xtype="1">"#),
            (r#"<a type="1" type="2">"#, "type", r#"<a type="2">"#),
            (r#"<a title="é" type='x"y'>"#, "type", r#"<a title="é">"#),
            // Not an attribute of that name, or not a whole one: unchanged.
            (r#"<rssxmlns="u">"#, "xmlns", r#"<rssxmlns="u">"#),
            (r#"<rss xmlns="u>"#, "xmlns", r#"<rss xmlns="u>"#),
            (r#"<rss xmlns=u>"#, "xmlns", r#"<rss xmlns=u>"#),
            (r#"<rss version>"#, "version", r#"<rss version>"#),
        ] {
            assert_eq!(strip_attr(tag, name), want, "{tag}");
        }
    }
}
