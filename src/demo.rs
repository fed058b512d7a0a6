//! The embedded demo archive (`paperboy --demo`) and the built-in list of research feeds the
//! welcome screen offers.
//!
//! Everything here is a real feed document, embedded in the binary and ingested through the
//! normal parse + store path, so the demo exercises the same code a real subscription does:
//!
//! - `demo/socialwork.xml`: "Connected Recovery", a WordPress-style RSS 2.0 research group blog
//!   (49 posts, September 2014 to November 2015 and one from November 2013, four authors,
//!   categories, `content:encoded` bodies, escaped-HTML summaries) whose posts cite real papers
//!   by DOI in the forms real posts use, one an arXiv preprint, one a PubMed record (by link and
//!   `PMID:` label), and the 2013 one a paper in a ResearchBlogging-style COinS span; one
//!   long methods post that has to be scrolled; and one teaching post citing a retracted paper,
//!   whose real Crossref health record is `demo/health.json`.
//! - `demo/toc.xml`: the table of contents of the invented "Journal of Demonstration Studies" as
//!   RSS 1.0 / RDF with `prism:doi` and `dc:identifier` metadata (DOIs under the `10.5555/` test
//!   prefix).
//! - `demo/preprints.json`: a JSON Feed 1.1 of invented preprint announcements.
//!
//! The journal and the preprints are filed in the folder `Papers`, and the blog's summer reading
//! list is starred, so that a new user sees folders and stars at work.
//!
//! Every invented host ends in `.invalid` (RFC 2606), so nothing in the demo can ever resolve;
//! the only real hosts are DOI resolver and publisher DOI links, and the arXiv and PubMed pages
//! of the two papers cited that way.

/// One embedded feed document and the (invented) URL it is subscribed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoFeed {
    /// The feed's own URL; every host ends in `.invalid`.
    pub url: &'static str,
    /// The raw document, exactly as a server would send it (UTF-8).
    pub bytes: &'static [u8],
    /// The folder the demo files it in.
    pub folder: Option<&'static str>,
}

/// The title of the demo entry that starts out starred.
pub const STARRED_TITLE: &str = "A summer reading list on social networks and mental health";

/// The research group blog (RSS 2.0, WordPress style).
pub const BLOG: DemoFeed = DemoFeed {
    url: "http://demo.paperboy.invalid/connected-recovery/feed/",
    bytes: include_bytes!("demo/socialwork.xml"),
    folder: None,
};

/// The journal table-of-contents feed (RSS 1.0 / RDF with PRISM metadata).
pub const JOURNAL_TOC: DemoFeed = DemoFeed {
    url: "http://demo-journal.invalid/jds/rss.xml",
    bytes: include_bytes!("demo/toc.xml"),
    folder: Some("Papers"),
};

/// The preprint announcements (JSON Feed 1.1).
pub const PREPRINTS: DemoFeed = DemoFeed {
    url: "http://demo-preprints.invalid/feed.json",
    bytes: include_bytes!("demo/preprints.json"),
    folder: Some("Papers"),
};

static FEEDS: [DemoFeed; 3] = [BLOG, JOURNAL_TOC, PREPRINTS];

/// Every feed of the demo archive, the blog first.
pub fn feeds() -> &'static [DemoFeed] {
    &FEEDS
}

/// The built-in OPML 2.0 list of real research blogs, preprint listings and journal feeds that
/// the welcome screen offers to subscribe to.
pub const RESEARCH_FEEDS_OPML: &[u8] = include_bytes!("demo/research-feeds.opml");

/// CSL-JSON (an array) for the real papers the demo blog cites, as a DOI resolver returns it, so
/// the demo shows citation lines without a network.
pub const CITATIONS_CSL_JSON: &[u8] = include_bytes!("demo/citations.json");

/// What Crossref says of the health of a paper the blog cites (the retracted 1998 Lancet case
/// series): a REAL record, as its `about` field says with its source, stored as checked when it
/// was recorded, so the demo shows a retraction without asking Crossref.
pub const HEALTH_JSON: &[u8] = include_bytes!("demo/health.json");

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Datelike, Utc};
    use quick_xml::events::Event;
    use quick_xml::Reader;
    use std::collections::BTreeMap;

    /// What a walk over an XML document collected.
    #[derive(Default)]
    struct Walk {
        /// Number of `<item>` / `<entry>` elements.
        items: usize,
        /// Text of every `<pubDate>`.
        pub_dates: Vec<String>,
        /// Every `<content:encoded>` body.
        bodies: Vec<String>,
        /// The attribute values and text of the whole document, decoded.
        text: String,
    }

    /// Walks `bytes` to the end as XML and says what is not well formed: bad syntax, mismatched
    /// or unclosed tags, undefined entities, bad attributes, text outside or more than one root.
    fn try_walk_xml(bytes: &[u8]) -> Result<Walk, String> {
        let src = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
        let mut reader = Reader::from_str(src);
        reader.config_mut().check_end_names = true;
        let mut walk = Walk::default();
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        loop {
            let at = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| format!("at byte {at}: {e}"))?;
            match event {
                Event::Start(e) | Event::Empty(e) if stack.is_empty() && roots > 0 => {
                    return Err(format!("at byte {at}: second root element {:?}", e.name()));
                }
                Event::Start(e) => {
                    let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    check_attributes(&e, &mut walk.text)?;
                    if tag == "item" || tag == "entry" {
                        walk.items += 1;
                    }
                    if stack.is_empty() {
                        roots += 1;
                    }
                    stack.push(tag);
                }
                Event::Empty(e) => {
                    check_attributes(&e, &mut walk.text)?;
                    if stack.is_empty() {
                        roots += 1;
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(t) => {
                    let s = t
                        .xml10_content()
                        .map_err(|e| format!("at byte {at}: {e}"))?;
                    if stack.is_empty() && !s.trim().is_empty() {
                        return Err(format!("at byte {at}: text outside the root: {s:?}"));
                    }
                    collect(&mut walk, stack.last().map(String::as_str), &s);
                }
                Event::CData(c) => {
                    let s = c.decode().map_err(|e| format!("at byte {at}: {e}"))?;
                    collect(&mut walk, stack.last().map(String::as_str), &s);
                }
                Event::GeneralRef(r) => {
                    let c = if r.is_char_ref() {
                        r.resolve_char_ref()
                            .map_err(|e| format!("at byte {at}: bad character reference: {e}"))?
                    } else {
                        match r
                            .decode()
                            .map_err(|e| format!("at byte {at}: {e}"))?
                            .as_ref()
                        {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            other => {
                                return Err(format!("at byte {at}: undefined entity &{other};"))
                            }
                        }
                    };
                    let s = c.map(String::from).unwrap_or_default();
                    collect(&mut walk, stack.last().map(String::as_str), &s);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed elements at the end: {stack:?}"));
        }
        if roots != 1 {
            return Err("no root element".to_string());
        }
        Ok(walk)
    }

    fn walk_xml(name: &str, bytes: &[u8]) -> Walk {
        try_walk_xml(bytes).unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
    }

    fn check_attributes(
        e: &quick_xml::events::BytesStart,
        text: &mut String,
    ) -> Result<(), String> {
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|err| format!("bad attribute: {err}"))?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("bad attribute value: {err}"))?;
            text.push_str(&value);
            text.push('\n');
        }
        Ok(())
    }

    fn collect(walk: &mut Walk, tag: Option<&str>, s: &str) {
        walk.text.push_str(s);
        match tag {
            // Dates hold no references, so each is one text event.
            Some("pubDate") => walk.pub_dates.push(s.to_string()),
            Some("content:encoded") => walk.bodies.push(s.to_string()),
            _ => {}
        }
    }

    fn blog() -> Walk {
        walk_xml("socialwork.xml", BLOG.bytes)
    }

    fn utc(date: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc2822(date.trim())
            .unwrap_or_else(|e| panic!("pubDate {date:?} is not RFC 822: {e}"))
            .with_timezone(&Utc)
    }

    fn all_text() -> String {
        feeds()
            .iter()
            .map(|f| std::str::from_utf8(f.bytes).expect("UTF-8"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_xml_document_is_well_formed() {
        blog();
        let toc = walk_xml("toc.xml", JOURNAL_TOC.bytes);
        assert!(
            (12..=20).contains(&toc.items),
            "toc has {} items",
            toc.items
        );
        walk_xml("research-feeds.opml", RESEARCH_FEEDS_OPML);
    }

    #[test]
    fn the_walker_rejects_broken_xml() {
        let broken: [&[u8]; 5] = [
            b"<a><b></a>",
            b"<a><b></b>",
            b"<a>&nbsp;</a>",
            b"<a x=1/>",
            b"<a/><b/>",
        ];
        for doc in broken {
            assert!(
                try_walk_xml(doc).is_err(),
                "accepted {:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn the_json_feed_is_valid_json_feed() {
        let v: serde_json::Value = serde_json::from_slice(PREPRINTS.bytes).expect("valid JSON");
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(v["feed_url"], PREPRINTS.url);
        let items = v["items"].as_array().expect("items array");
        assert!((6..=8).contains(&items.len()));
        for item in items {
            assert!(item["id"].is_string() && item["content_html"].is_string());
            let date = item["date_published"].as_str().expect("date_published");
            DateTime::parse_from_rfc3339(date).expect("RFC 3339 date");
            assert!(item["content_html"].as_str().unwrap().contains("10.5555/"));
        }
    }

    #[test]
    fn feeds_are_listed_blog_first_with_invalid_hosts() {
        let feeds = feeds();
        assert_eq!(feeds.len(), 3);
        assert_eq!(feeds[0], BLOG);
        for f in feeds {
            let url = url::Url::parse(f.url).expect("feed URL parses");
            assert!(url.host_str().unwrap().ends_with(".invalid"), "{}", f.url);
        }
    }

    #[test]
    fn the_blog_has_enough_posts_over_enough_months() {
        let walk = blog();
        assert!(walk.items >= 40, "only {} posts", walk.items);
        assert_eq!(walk.pub_dates.len(), walk.items, "every post has a pubDate");
        let mut months: BTreeMap<(i32, u32), usize> = BTreeMap::new();
        for d in &walk.pub_dates {
            let t = utc(d);
            *months.entry((t.year(), t.month())).or_default() += 1;
        }
        assert!(
            months.len() >= 12,
            "only {} months: {months:?}",
            months.len()
        );
        let busy = months.values().filter(|&&n| n > 1).count();
        assert!(busy >= 5, "only {busy} months with more than one post");
        assert!(
            months.values().any(|&n| n == 1),
            "some month holds a single post"
        );
        assert_eq!(
            months[&(2014, 12)],
            4,
            "December 2014 holds 4 posts (in UTC)"
        );
        // Several time zones, and one post whose local month is not its UTC month.
        let zones: std::collections::BTreeSet<&str> = walk
            .pub_dates
            .iter()
            .map(|d| d.trim().rsplit(' ').next().unwrap())
            .collect();
        assert!(zones.len() >= 3, "{zones:?}");
        assert!(walk
            .pub_dates
            .iter()
            .any(|d| d.contains("31 Dec 2014") && utc(d).month() == 1));
    }

    #[test]
    fn the_blog_is_wordpress_flavoured() {
        let src = std::str::from_utf8(BLOG.bytes).unwrap();
        assert!(src.contains("<generator>https://wordpress.org/?v=6.4</generator>"));
        assert!(
            src.contains("<description>&lt;p&gt;"),
            "an escaped-HTML summary"
        );
        let walk = blog();
        assert_eq!(
            walk.bodies.len(),
            walk.items,
            "every post has content:encoded"
        );
        let authors = [
            "Priya Raman",
            "Tom Whitfield",
            "Aisha Okafor",
            "Daniel Murray",
        ];
        for a in authors {
            assert!(src.contains(&format!("<dc:creator><![CDATA[{a}]]></dc:creator>")));
        }
        let all = walk.bodies.join("\n");
        for tag in ["<h2>", "<ul>", "<ol>", "<blockquote>", "<em>", "<code>"] {
            assert!(all.contains(tag), "no {tag} in any post");
        }
        let citing = walk.bodies.iter().filter(|b| b.contains("10.")).count();
        assert!(citing * 3 >= walk.items, "only {citing} posts cite a DOI");
    }

    #[test]
    fn every_doi_form_appears() {
        let src = all_text();
        let forms = [
            "DOI: 10.1371/journal.pmed.0020124",
            "doi:10.1192/bjp.bp.110.083733",
            "href=\"https://doi.org/10.1371/journal.pmed.1000316\"",
            "href=\"http://dx.doi.org/10.1056/NEJMsa066082\"",
            "href=\"https://onlinelibrary.wiley.com/doi/abs/10.1111/hsc.12135\"",
            "(doi:10.1111/hsc.12135).",
            "(doi:10.1177/0956797611417632)",
            "https://doi.org/10.1016/S0140-6736(07)61238-0)",
            "<prism:doi>10.5555/demo.2015.0001</prism:doi>",
            "<dc:identifier>doi:10.5555/demo.2015.0001</dc:identifier>",
            "https://doi.org/10.5555/demo.preprint.2015.001",
        ];
        for form in forms {
            assert!(src.contains(form), "missing DOI form {form:?}");
        }
    }

    #[test]
    fn every_paper_id_form_beyond_dois_appears() {
        let src = all_text();
        let forms = [
            "<a href=\"https://arxiv.org/abs/1004.4704\">arXiv:1004.4704</a>",
            "href=\"https://pubmed.ncbi.nlm.nih.gov/22506741/\"",
            "PMID: 22506741",
            "<span class=\"Z3988\" title=\"ctx_ver=Z39.88-2004&amp;rft_val_fmt=",
            "&amp;rft_id=info%3Adoi%2F10.1037%2Fa0016076&amp;",
        ];
        for form in forms {
            assert!(src.contains(form), "missing form {form:?}");
        }
        let walk = blog();
        let coins_post = walk
            .bodies
            .iter()
            .position(|b| b.contains("Z3988"))
            .expect("a post with a COinS span");
        assert_eq!(utc(&walk.pub_dates[coins_post]).year(), 2013);
    }

    #[test]
    fn the_long_post_needs_scrolling() {
        let walk = blog();
        let longest = walk.bodies.iter().max_by_key(|b| b.len()).unwrap();
        let text = html2text::from_read(longest.as_bytes(), 80).expect("renders");
        assert!(
            text.chars().count() > 6_000,
            "{} chars",
            text.chars().count()
        );
        assert!(
            text.lines().count() >= 120,
            "{} lines",
            text.lines().count()
        );
    }

    #[test]
    fn every_invented_host_is_invalid() {
        let re = regex::Regex::new(r#"(?i)\bhttps?://([A-Za-z0-9.-]+)([^\s"'<>\]]*)"#).unwrap();
        // Namespace URIs and the generator name real hosts but are never links.
        let namespaces = [
            "purl.org",
            "www.w3.org",
            "wellformedweb.org",
            "prismstandard.org",
            "wordpress.org",
            "jsonfeed.org",
        ];
        let mut seen = 0;
        for f in feeds() {
            let src = std::str::from_utf8(f.bytes).unwrap();
            for cap in re.captures_iter(src) {
                seen += 1;
                let host = cap[1].to_ascii_lowercase();
                let path = &cap[2];
                // The real records the blog cites: DOIs, an arXiv preprint, a PubMed record.
                let ok = host.ends_with(".invalid")
                    || host == "doi.org"
                    || host == "dx.doi.org"
                    || (host == "arxiv.org" && path.starts_with("/abs/"))
                    || host == "pubmed.ncbi.nlm.nih.gov"
                    || path.starts_with("/doi/abs/10.")
                    || namespaces.contains(&host.as_str());
                assert!(ok, "{}: real host in {}", f.url, &cap[0]);
            }
        }
        assert!(seen > 100);
    }

    #[test]
    fn the_research_feed_list_is_opml_with_real_feeds() {
        let src = std::str::from_utf8(RESEARCH_FEEDS_OPML).unwrap();
        assert!(src.contains("<opml version=\"2.0\">"));
        let re = regex::Regex::new(r#"xmlUrl="([^"]+)""#).unwrap();
        let urls: Vec<&str> = re
            .captures_iter(src)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        assert!((8..=12).contains(&urls.len()), "{} feeds", urls.len());
        for u in urls {
            let url = url::Url::parse(u).expect("feed URL parses");
            assert_eq!(url.scheme(), "https", "{u}");
            assert!(!url.host_str().unwrap().ends_with(".invalid"), "{u}");
        }
    }

    #[test]
    fn every_demo_feed_parses_with_the_real_parser() {
        for f in feeds() {
            let parsed = crate::feeds::parse::parse_feed(f.bytes, f.url)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", f.url));
            assert!(parsed.title.is_some(), "{} has a title", f.url);
            for e in &parsed.entries {
                assert!(
                    e.published.is_some(),
                    "{}: {:?} has no date",
                    f.url,
                    e.title
                );
                assert!(
                    !e.authors.is_empty(),
                    "{}: {:?} has no author",
                    f.url,
                    e.title
                );
                assert!(e.link.is_some(), "{}: {:?} has no link", f.url, e.title);
            }
        }
        let blog = crate::feeds::parse::parse_feed(BLOG.bytes, BLOG.url).unwrap();
        assert!(blog.entries.len() >= 40, "{} entries", blog.entries.len());
        assert!(blog.entries.iter().all(|e| e.content_html.is_some()));
        let citing = blog.entries.iter().filter(|e| !e.dois.is_empty()).count();
        assert!(
            citing * 3 >= blog.entries.len(),
            "only {citing} entries cite"
        );
        let toc = crate::feeds::parse::parse_feed(JOURNAL_TOC.bytes, JOURNAL_TOC.url).unwrap();
        assert_eq!(toc.entries.len(), 16);
        for e in &toc.entries {
            assert!(
                e.dois
                    .iter()
                    .any(|d| d.key.starts_with("10.5555/demo.2015.")
                        && d.source == crate::model::DoiSource::Meta),
                "{:?}: no prism:doi found: {:?}",
                e.title,
                e.dois
            );
        }
        let preprints = crate::feeds::parse::parse_feed(PREPRINTS.bytes, PREPRINTS.url).unwrap();
        assert_eq!(preprints.entries.len(), 7);
    }

    #[test]
    fn the_parser_finds_the_tricky_dois_in_the_blog() {
        let blog = crate::feeds::parse::parse_feed(BLOG.bytes, BLOG.url).unwrap();
        let keys: std::collections::BTreeSet<&str> = blog
            .entries
            .iter()
            .flat_map(|e| e.dois.iter().map(|d| d.key.as_str()))
            .collect();
        for doi in [
            "10.1111/hsc.12135",
            "10.1016/s0140-6736(07)61238-0",
            "10.1056/nejmsa066082",
            "10.1371/journal.pmed.0020124",
            "10.1192/bjp.bp.110.083733",
            "10.1177/0956797611417632",
        ] {
            assert!(keys.contains(doi), "{doi} not found; found {keys:?}");
        }
        assert!(
            keys.iter().all(|k| !k.ends_with(['.', ',', ';', ')'])),
            "a DOI kept trailing punctuation: {keys:?}"
        );
    }

    #[test]
    fn the_demo_health_is_a_marked_real_record_of_a_paper_the_blog_cites() {
        let v: serde_json::Value = serde_json::from_slice(HEALTH_JSON).expect("valid JSON");
        let about = v["about"].as_str().expect("about");
        assert!(about.starts_with("A REAL record") && about.contains("CC0"));
        assert!(about.contains("citeguard") && about.contains("e83c24fe"));
        DateTime::parse_from_rfc3339(v["checked"].as_str().expect("checked")).expect("RFC 3339");
        let blog = crate::feeds::parse::parse_feed(BLOG.bytes, BLOG.url).unwrap();
        let works = v["works"].as_array().expect("works");
        assert!(!works.is_empty());
        for w in works {
            let doi = crate::text::doi::key(w["DOI"].as_str().expect("DOI"));
            let citing = blog
                .entries
                .iter()
                .filter(|e| e.dois.iter().any(|d| d.key == doi));
            assert_eq!(citing.count(), 1, "{doi}: one post cites it");
            let h = crate::papers::health::parse_work(w);
            assert_eq!(h.status, crate::papers::health::Status::Retracted, "{doi}");
        }
    }

    #[test]
    fn demo_size_is_modest() {
        let total: usize =
            feeds().iter().map(|f| f.bytes.len()).sum::<usize>() + RESEARCH_FEEDS_OPML.len();
        assert!(total < 400 * 1024, "{total} bytes");
    }
}
