//! One entry's parts to a clean [`NewEntry`]: titles, text, DOIs and its key.

use chrono::{DateTime, Utc};
use url::Url;

use super::raw::RawItem;
use crate::model::identity::entry_key;
use crate::model::NewEntry;
use crate::text::doi::DoiSet;
use crate::text::ids::{find_papers_in, Lexed};
use crate::text::scrub::{scrub_line, scrub_owned};

pub(super) struct Parts<'a> {
    pub(super) guid: Option<String>,
    pub(super) title: Option<String>,
    pub(super) link: Option<String>,
    pub(super) authors: Vec<String>,
    pub(super) published: Option<DateTime<Utc>>,
    pub(super) updated: Option<DateTime<Utc>>,
    pub(super) content_html: Option<String>,
    pub(super) summary_html: Option<String>,
    pub(super) dois: &'a [String],
    /// The entry's other links (Atom `related`, `via`, enclosures; JSON Feed's `external_url`):
    /// looked at for papers only.
    pub(super) other_links: Vec<String>,
}

/// An entry, and whether it had no guid and was keyed by its link.
pub(super) type Built = (NewEntry, bool);

pub(super) fn build_entry(p: Parts<'_>) -> Built {
    let content_html = p.content_html.map(scrub_owned);
    let summary_html = p.summary_html.map(scrub_owned);
    let body = content_html
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(summary_html.as_deref())
        .unwrap_or("");
    // Plain text holds no forbidden character (`to_plain_text` drops them), so it is not
    // scrubbed again; the body's links are read in the same pass.
    let (text, body_hrefs) = crate::text::html::text_and_hrefs(body);
    let link = p.link.map(|l| scrub_line(&l)).filter(|l| !l.is_empty());
    // No title: the start of the text, as readers do; else nothing (only views show a
    // placeholder).
    let mut title = p.title.map(|t| clean_title(&t)).unwrap_or_default();
    if title.is_empty() {
        title = first_words(&text).unwrap_or_default();
    }
    let mut authors: Vec<String> = Vec::new();
    for a in p.authors {
        let a = scrub_line(&crate::text::html::decode_entities(&a));
        if !a.is_empty() && !authors.contains(&a) {
            authors.push(a);
        }
    }
    let text_dois = crate::text::doi::find_in_text(&text);
    // The body's link targets' DOIs, for the DOI list and the papers alike.
    let href_dois: Vec<Option<String>> = body_hrefs
        .iter()
        .map(|h| crate::text::doi::from_url(h))
        .collect();
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
            for d in href_dois.iter().flatten() {
                dois.add_found_link(d.clone());
            }
            dois.add_found_in_text(&text_dois);
        } else {
            dois.add_html(html);
        }
    }
    // A guid or id may itself be a DOI URL (`https://doi.org/…`, `doi:…`).
    for l in [&link, &p.guid].into_iter().flatten() {
        dois.add_link(l);
    }
    // The feed's own ids (`dc:identifier`, `prism:doi`), its link and guid, then the body.
    let mut ids_in: Vec<&str> = p.dois.iter().map(String::as_str).collect();
    ids_in.extend(link.as_deref());
    // A permalink guid is the link again: looked at once.
    ids_in.extend(p.guid.as_deref().filter(|g| Some(*g) != link.as_deref()));
    ids_in.extend(p.other_links.iter().map(String::as_str));
    let papers = find_papers_in(
        &Lexed {
            html: body,
            text: &text,
            hrefs: &body_hrefs,
            text_dois: &text_dois,
            href_dois: &href_dois,
        },
        &ids_in,
    );
    // Keys hashed from the title once hashed "(untitled)" for an entry with none; kept so that
    // cached entries keep their keys.
    let key_title = if title.is_empty() {
        "(untitled)"
    } else {
        &title
    };
    let guid = scrub_line(&entry_key(
        p.guid.as_deref(),
        link.as_deref(),
        key_title,
        p.published.or(p.updated),
    ));
    let by_link = p.guid.as_deref().is_none_or(|g| g.trim().is_empty()) && link.is_some();
    let entry = NewEntry {
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
        papers,
    };
    (entry, by_link)
}

/// A permalink guid (RSS's default) serves as the link when there is no `<link>`.
pub(super) fn permalink_guid(r: &RawItem, base: Option<&Url>) -> Option<String> {
    let g = r.guid.as_deref()?;
    if !r.guid_is_permalink {
        return None;
    }
    let u = absolute(g, base)?;
    (u.starts_with("http://") || u.starts_with("https://")).then_some(u)
}

/// `jdoe@example.org (Jane Doe)` → `Jane Doe`; anything else as is.
pub(super) fn author_from_rss(s: &str) -> String {
    let s = s.trim();
    if let (Some(open), true) = (s.find('('), s.ends_with(')')) {
        let name = s[open + 1..s.len() - 1].trim();
        if !name.is_empty() {
            return name.to_string();
        }
    }
    s.to_string()
}

/// A title as one clean line: comments removed, markup stripped and entities decoded when
/// there are any.
pub(super) fn clean_title(t: &str) -> String {
    let t = &without_comments(t);
    let has_markup = t
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'));
    let text = if has_markup {
        crate::text::html::to_plain_text(t)
    } else if t.contains('&') {
        crate::text::html::decode_entities(t)
    } else {
        t.to_string()
    };
    scrub_line(&text)
}

/// `<!-- … -->` removed, also when closed by `--!>` (as HTML parsers do) or never closed (the
/// rest is comment).
fn without_comments(t: &str) -> std::borrow::Cow<'_, str> {
    if !t.contains("<!--") {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let body = &rest[start + 4..];
        let end = [
            body.find("-->").map(|i| i + 3),
            body.find("--!>").map(|i| i + 4),
        ]
        .into_iter()
        .flatten()
        .min();
        match end {
            Some(end) => rest = &body[end..],
            None => return std::borrow::Cow::Owned(out),
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

pub(super) fn first_words(text: &str) -> Option<String> {
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
pub(super) fn as_html(body: &str, content_type: &str) -> String {
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

/// `href` and `src` attributes in `html` made absolute against `base`.
pub(super) fn absolute_links(html: &str, base: Option<&Url>) -> String {
    static ATTR: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let (Some(base), Some(re)) = (
        base,
        ATTR.get_or_init(|| {
            regex::Regex::new(r#"(?i)(\s(?:href|src)\s*=\s*)(?:"([^"]*)"|'([^']*)')"#).ok()
        }),
    ) else {
        return html.to_string();
    };
    re.replace_all(html, |c: &regex::Captures<'_>| {
        let value = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
        // Decoded for joining, escaped again for the attribute.
        let decoded = crate::text::html::decode_entities(value);
        let joined = base.join(decoded.trim()).map_or_else(
            |_| value.to_string(),
            |u| u.to_string().replace('&', "&amp;"),
        );
        format!("{}\"{}\"", &c[1], joined.replace('"', "%22"))
    })
    .into_owned()
}

pub(super) fn absolute(href: &str, base: Option<&Url>) -> Option<String> {
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
