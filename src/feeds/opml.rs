//! OPML import (1.0 and 2.0, nested outlines) and export (2.0).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::text::scrub::scrub_line;

/// One subscription read from, or written to, an OPML file.
#[derive(Debug, Clone, PartialEq)]
pub struct OpmlFeed {
    pub url: String,
    pub title: Option<String>,
    pub site_url: Option<String>,
    /// The path of enclosing outlines, e.g. `Science/Psychology`.
    pub category: Option<String>,
    /// `title` is the user's own (`rename`), not the feed's: written as
    /// `paperboy:ownTitle="true"` (OPML has one title), so that an import keeps it over what the
    /// feed calls itself. Any other OPML title only names a feed until its first fetch: taking
    /// every title that differs from the feed's as the user's would pin other readers' stale
    /// titles for good.
    pub own_title: bool,
}

/// The namespace of paperboy's own outline attributes.
const NAMESPACE: &str = "urn:x-paperboy:opml";

/// What an OPML file holds: the feeds to subscribe, and the outlines left out with the reason.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpmlImport {
    pub feeds: Vec<OpmlFeed>,
    /// (URL or title, reason)
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("invalid OPML at line {line}: {message} (check that the file is well-formed XML)")]
    Xml { line: usize, message: String },
    #[error("not an OPML file: the root element is <{found}>, expected <opml>")]
    NotOpml { found: String },
    #[error("OPML file has no <body> element: nothing to import")]
    NoBody,
    #[error("OPML file is empty")]
    Empty,
}

/// Line (1-based) of a byte offset in `text`.
fn line_of(text: &str, pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..pos]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The document as UTF-8: BOMs and the XML declaration's `encoding` decide, UTF-8 by default.
fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let label = head
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split("?>").next())
        .and_then(|decl| {
            let at = decl.find("encoding")?;
            let rest = decl[at + "encoding".len()..]
                .trim_start()
                .strip_prefix('=')?;
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            rest[1..].split(quote).next().map(str::to_string)
        });
    let enc = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.trim().as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// An attribute's value by case-insensitive local name (`xmlUrl`, `xmlurl`, `XMLURL`).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    for a in e.attributes().with_checks(false).flatten() {
        if !a
            .key
            .local_name()
            .as_ref()
            .eq_ignore_ascii_case(name.as_bytes())
        {
            continue;
        }
        // Unknown entities (HTML's `&eacute;` in hand-written files) fail to unescape: keep raw.
        let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        };
        return Some(value);
    }
    None
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

struct Collector {
    import: OpmlImport,
    seen: HashSet<String>,
    /// One entry per open `<outline>`: the category name it adds to the path, if any.
    path: Vec<Option<String>>,
}

impl Collector {
    fn category(&self, e: &BytesStart<'_>) -> Option<String> {
        let parts: Vec<&str> = self.path.iter().flatten().map(String::as_str).collect();
        if !parts.is_empty() {
            return Some(parts.join("/"));
        }
        // OPML 2.0's `category` attribute: comma-separated slash paths; take the first.
        let cat = attr(e, "category")?;
        let first = cat.split(',').next()?.trim().trim_matches('/');
        non_empty(scrub_line(first))
    }

    /// Handles one `<outline>`; returns what it adds to the category path for its children.
    fn outline(&mut self, e: &BytesStart<'_>) -> Option<String> {
        let title = attr(e, "title")
            .map(|t| scrub_line(&t))
            .filter(|t| !t.is_empty())
            .or_else(|| attr(e, "text").map(|t| scrub_line(&t)))
            .filter(|t| !t.is_empty());
        let Some(raw_url) = attr(e, "xmlUrl").map(|u| u.trim().to_string()) else {
            // A folder: its title names the category of the outlines inside it.
            return title;
        };
        let label = if raw_url.is_empty() {
            title.clone().unwrap_or_default()
        } else {
            crate::text::scrub::scrub_url(&raw_url)
        };
        let parsed = match url::Url::parse(&raw_url) {
            Ok(u) => u,
            Err(e) => {
                self.import
                    .skipped
                    .push((label, format!("invalid URL ({e})")));
                return None;
            }
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            let reason = format!("not http(s): {} URL", scrub_line(parsed.scheme()));
            self.import.skipped.push((label, reason));
            return None;
        }
        let url = parsed.to_string();
        if !self.seen.insert(url.clone()) {
            self.import
                .skipped
                .push((label, "duplicate of an earlier outline".to_string()));
            return None;
        }
        let site_url = attr(e, "htmlUrl")
            .map(|u| u.trim().to_string())
            .and_then(|u| url::Url::parse(&u).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string());
        let category = self.category(e);
        // A title that is only the URL (what export writes for untitled feeds) is no title.
        let title = title.filter(|t| *t != raw_url && *t != url);
        let own_title = title.is_some() && attr(e, "ownTitle").is_some_and(|v| v.trim() == "true");
        self.import.feeds.push(OpmlFeed {
            title,
            url,
            site_url,
            category,
            own_title,
        });
        None
    }
}

/// Reads an OPML 1.0 or 2.0 document. Feeds must have http(s) `xmlUrl`s; other outlines with an
/// `xmlUrl` are listed in `skipped` with the reason. Outline folders become `category` paths.
pub fn parse_opml(bytes: &[u8]) -> Result<OpmlImport, OpmlError> {
    let text = decode(bytes);
    if text.trim().is_empty() {
        return Err(OpmlError::Empty);
    }
    let mut reader = Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut c = Collector {
        import: OpmlImport::default(),
        seen: HashSet::new(),
        path: Vec::new(),
    };
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut in_body = false;
    let mut seen_body = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Xml {
            line: line_of(&text, reader.error_position()),
            message: scrub_line(&e.to_string()),
        })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref();
                if !seen_root {
                    seen_root = true;
                    if !name.eq_ignore_ascii_case(b"opml") {
                        return Err(OpmlError::NotOpml {
                            found: scrub_line(&String::from_utf8_lossy(name)),
                        });
                    }
                }
                if depth == 1 && name.eq_ignore_ascii_case(b"body") {
                    seen_body = true;
                    in_body = !empty;
                } else if in_body && name.eq_ignore_ascii_case(b"outline") {
                    let adds = c.outline(e);
                    if !empty {
                        c.path.push(adds);
                    }
                } else if in_body && !empty {
                    // Unknown element inside the body: keeps the path aligned with End events.
                    c.path.push(None);
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                if in_body {
                    if depth == 1 && e.local_name().as_ref().eq_ignore_ascii_case(b"body") {
                        in_body = false;
                    } else {
                        c.path.pop();
                    }
                }
            }
            Event::Eof => {
                if !seen_root {
                    return Err(OpmlError::NotOpml {
                        found: "nothing".to_string(),
                    });
                }
                if depth > 0 {
                    return Err(OpmlError::Xml {
                        line: line_of(&text, text.len() as u64),
                        message: "the file ends before <opml> is closed (truncated?)".to_string(),
                    });
                }
                break;
            }
            _ => {}
        }
    }
    if !seen_body {
        return Err(OpmlError::NoBody);
    }
    Ok(c.import)
}

/// An OPML 2.0 document listing `feeds`, with nested outlines for their categories.
pub fn write_opml(feeds: &[OpmlFeed], title: &str) -> String {
    write_opml_at(feeds, title, Utc::now())
}

#[derive(Default)]
struct Folder<'a> {
    name: String,
    folders: Vec<Folder<'a>>,
    feeds: Vec<&'a OpmlFeed>,
}

impl<'a> Folder<'a> {
    fn insert(&mut self, path: &[&str], feed: &'a OpmlFeed) {
        match path.split_first() {
            None => self.feeds.push(feed),
            Some((first, rest)) => {
                let idx = match self.folders.iter().position(|f| f.name == *first) {
                    Some(i) => i,
                    None => {
                        self.folders.push(Folder {
                            name: first.to_string(),
                            ..Folder::default()
                        });
                        self.folders.len() - 1
                    }
                };
                self.folders[idx].insert(rest, feed);
            }
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent);
        for feed in &self.feeds {
            let url = esc(&feed.url);
            out.push_str(&pad);
            match &feed.title {
                Some(t) => {
                    let t = esc(t);
                    out.push_str(&format!(
                        "<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{url}\""
                    ));
                }
                None => out.push_str(&format!(
                    "<outline type=\"rss\" text=\"{url}\" xmlUrl=\"{url}\""
                )),
            }
            if feed.own_title && feed.title.is_some() {
                out.push_str(" paperboy:ownTitle=\"true\"");
            }
            if let Some(site) = &feed.site_url {
                out.push_str(&format!(" htmlUrl=\"{}\"", esc(site)));
            }
            out.push_str("/>\n");
        }
        for folder in &self.folders {
            let name = esc(&folder.name);
            out.push_str(&format!(
                "{pad}<outline text=\"{name}\" title=\"{name}\">\n"
            ));
            folder.write(out, indent + 1);
            out.push_str(&pad);
            out.push_str("</outline>\n");
        }
    }
}

/// Attribute text: scrubbed (XML 1.0 forbids most controls) and XML-escaped.
fn esc(s: &str) -> String {
    quick_xml::escape::escape(scrub_line(s)).into_owned()
}

fn write_opml_at(feeds: &[OpmlFeed], title: &str, now: DateTime<Utc>) -> String {
    let mut root = Folder::default();
    for feed in feeds {
        let path: Vec<&str> = feed
            .category
            .as_deref()
            .unwrap_or("")
            .split('/')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        root.insert(&path, feed);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<opml version=\"2.0\" xmlns:paperboy=\"{NAMESPACE}\">\n  <head>\n"
    ));
    out.push_str(&format!("    <title>{}</title>\n", esc(title)));
    out.push_str(&format!(
        "    <dateCreated>{}</dateCreated>\n",
        now.to_rfc2822()
    ));
    out.push_str("  </head>\n  <body>\n");
    root.write(&mut out, 2);
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(url: &str, title: Option<&str>, site: Option<&str>, cat: Option<&str>) -> OpmlFeed {
        OpmlFeed {
            url: url.to_string(),
            title: title.map(str::to_string),
            site_url: site.map(str::to_string),
            category: cat.map(str::to_string),
            own_title: false,
        }
    }

    #[test]
    fn round_trip_keeps_feeds() {
        let feeds = vec![
            feed(
                "https://example.org/feed",
                Some("Example Blog"),
                Some("https://example.org/"),
                None,
            ),
            feed(
                "https://psy.example.org/rss",
                Some("Psych & <Brain> \"Notes\" 'n' stuff"),
                None,
                Some("Science/Psychology"),
            ),
            feed(
                "http://plain.example.org/atom.xml",
                None,
                None,
                Some("Science"),
            ),
            feed(
                "https://stats.example.org/feed?x=1&y=2",
                Some("Stats"),
                None,
                Some("Science/Psychology"),
            ),
            OpmlFeed {
                own_title: true,
                ..feed("https://mine.example.org/rss", Some("My name"), None, None)
            },
        ];
        let xml = write_opml(&feeds, "My <feeds>");
        let back = parse_opml(xml.as_bytes()).unwrap();
        assert!(back.skipped.is_empty(), "{:?}", back.skipped);
        let mut want = feeds.clone();
        let mut got = back.feeds.clone();
        want.sort_by(|a, b| a.url.cmp(&b.url));
        got.sort_by(|a, b| a.url.cmp(&b.url));
        assert_eq!(got, want, "{xml}");
    }

    #[test]
    fn writes_opml_2_with_escaped_attributes() {
        let feeds = vec![feed(
            "https://example.org/f?a=1&b=2",
            Some("A & B <x> \"q\""),
            Some("https://example.org/"),
            None,
        )];
        let now = DateTime::parse_from_rfc3339("2024-03-05T10:20:30Z")
            .unwrap()
            .with_timezone(&Utc);
        let xml = write_opml_at(&feeds, "T & T", now);
        assert!(
            xml.contains("<opml version=\"2.0\" xmlns:paperboy=\"urn:x-paperboy:opml\">"),
            "{xml}"
        );
        assert!(!xml.contains("ownTitle"), "not the user's own title: {xml}");
        assert!(xml.contains("<title>T &amp; T</title>"), "{xml}");
        assert!(
            xml.contains("<dateCreated>Tue, 5 Mar 2024 10:20:30 +0000</dateCreated>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<outline type=\"rss\" text=\"A &amp; B &lt;x&gt; &quot;q&quot;\" \
             title=\"A &amp; B &lt;x&gt; &quot;q&quot;\" \
             xmlUrl=\"https://example.org/f?a=1&amp;b=2\" htmlUrl=\"https://example.org/\"/>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn nested_outlines_give_category_paths() {
        let xml = r#"<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Science">
    <outline text="Psychology" title="Psychology">
      <outline type="rss" text="Mind Hacks" xmlUrl="https://mindhacks.example/feed/" htmlUrl="https://mindhacks.example/"/>
    </outline>
    <outline type="rss" text="Top" xmlUrl="https://top.example/feed"></outline>
  </outline>
  <outline type="rss" title="Loose" text="ignored" xmlUrl="https://loose.example/rss"/>
  <outline type="rss" text="Cat attr" xmlUrl="https://cat.example/rss" category="/Stats/Bayes,/Other"/>
</body></opml>"#;
        let got = parse_opml(xml.as_bytes()).unwrap();
        assert_eq!(
            got.feeds,
            vec![
                feed(
                    "https://mindhacks.example/feed/",
                    Some("Mind Hacks"),
                    Some("https://mindhacks.example/"),
                    Some("Science/Psychology")
                ),
                feed(
                    "https://top.example/feed",
                    Some("Top"),
                    None,
                    Some("Science")
                ),
                feed("https://loose.example/rss", Some("Loose"), None, None),
                feed(
                    "https://cat.example/rss",
                    Some("Cat attr"),
                    None,
                    Some("Stats/Bayes")
                ),
            ]
        );
    }

    #[test]
    fn reads_opml_1_with_case_variants_and_latin1() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\
<opml version=\"1.0\"><head><title>old</title></head><body>\n\
<outline text=\"Caf"
            .to_vec();
        bytes.push(0xE9); // é in ISO-8859-1
        bytes.extend_from_slice(
            b" blog\" type=\"rss\" xmlurl=\"http://cafe.example/rss.xml\" htmlurl=\"http://cafe.example/\"/>\n\
<outline text=\"Upper\" XMLURL=\"https://upper.example/feed\"/>\n\
</body></opml>",
        );
        let got = parse_opml(&bytes).unwrap();
        assert_eq!(
            got.feeds,
            vec![
                feed(
                    "http://cafe.example/rss.xml",
                    Some("Caf\u{e9} blog"),
                    Some("http://cafe.example/"),
                    None
                ),
                feed("https://upper.example/feed", Some("Upper"), None, None),
            ]
        );
    }

    #[test]
    fn non_http_urls_and_duplicates_are_skipped_with_reasons() {
        let xml = r#"<opml version="2.0"><body>
<outline text="ok" xmlUrl="https://ok.example/feed"/>
<outline text="again" xmlUrl="https://OK.example/feed"/>
<outline text="local" xmlUrl="file:///etc/passwd"/>
<outline text="js" xmlUrl="javascript:alert(1)"/>
<outline text="ftp" xmlUrl="ftp://ftp.example/feed.xml"/>
<outline text="broken" xmlUrl="not a url"/>
</body></opml>"#;
        let got = parse_opml(xml.as_bytes()).unwrap();
        assert_eq!(got.feeds.len(), 1);
        assert_eq!(got.feeds[0].url, "https://ok.example/feed");
        let reasons: Vec<(&str, &str)> = got
            .skipped
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(
            reasons[0],
            ("https://OK.example/feed", "duplicate of an earlier outline")
        );
        assert_eq!(reasons[1], ("file:///etc/passwd", "not http(s): file URL"));
        assert_eq!(
            reasons[2],
            ("javascript:alert(1)", "not http(s): javascript URL")
        );
        assert_eq!(
            reasons[3],
            ("ftp://ftp.example/feed.xml", "not http(s): ftp URL")
        );
        assert_eq!(reasons[4].0, "not a url");
        assert!(reasons[4].1.starts_with("invalid URL"), "{:?}", reasons[4]);
        assert_eq!(reasons.len(), 5);
    }

    #[test]
    fn malformed_xml_names_the_line() {
        let xml = "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\"/>\n</bdy>\n</opml>\n";
        let err = parse_opml(xml.as_bytes()).unwrap_err();
        match &err {
            OpmlError::Xml { line, .. } => assert_eq!(*line, 4, "{err}"),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("line 4"), "{err}");

        let truncated =
            "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\"/>\n";
        assert!(matches!(
            parse_opml(truncated.as_bytes()),
            Err(OpmlError::Xml { line: 4, .. })
        ));
    }

    #[test]
    fn other_documents_are_rejected() {
        assert!(matches!(parse_opml(b""), Err(OpmlError::Empty)));
        assert!(matches!(
            parse_opml(b"<html><body></body></html>"),
            Err(OpmlError::NotOpml { .. })
        ));
        assert!(matches!(
            parse_opml(b"<opml version=\"2.0\"><head/></opml>"),
            Err(OpmlError::NoBody)
        ));
        let empty = parse_opml(b"<opml version=\"2.0\"><head/><body/></opml>").unwrap();
        assert!(empty.feeds.is_empty());
    }

    #[test]
    fn hostile_titles_are_scrubbed() {
        let xml = "<opml version=\"2.0\"><body>\
<outline text=\"Evil\x1b]52;c;AAAA\x07\u{202e}Folder\">\
<outline text=\"T\x1b[31mitle\u{200b}\n x\" xmlUrl=\"https://e.example/f\"/>\
</outline>\
<outline text=\"x\" xmlUrl=\"file:///x\x1b[2J\"/>\
</body></opml>";
        let got = parse_opml(xml.as_bytes()).unwrap();
        assert_eq!(got.feeds[0].title.as_deref(), Some("T[31mitle x"));
        assert_eq!(
            got.feeds[0].category.as_deref(),
            Some("Evil]52;c;AAAAFolder")
        );
        assert!(crate::text::scrub::is_clean(&got.skipped[0].0));
        // And export never writes them either.
        let mut f = got.feeds[0].clone();
        f.title = Some("a\x1b[1mb\u{7}".to_string());
        let out = write_opml(&[f], "t\x1b");
        assert!(crate::text::scrub::is_clean(&out));
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn html_entities_do_not_break_import() {
        let xml = "<opml version=\"1.0\"><body><outline text=\"Caf&eacute; &amp; co\" xmlUrl=\"https://e.example/f\"/></body></opml>";
        let got = parse_opml(xml.as_bytes()).unwrap();
        assert_eq!(got.feeds.len(), 1);
        assert!(got.feeds[0].title.as_deref().unwrap().starts_with("Caf"));
    }
}
