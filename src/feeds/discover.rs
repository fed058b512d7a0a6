//! Feed autodiscovery from a web page's `<link rel="alternate">` elements.

use url::Url;

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
                .map(|(_, v)| crate::text::html::decode_entities(v.trim()))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
