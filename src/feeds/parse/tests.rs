use chrono::{DateTime, Utc};

use super::fallback::is_media_type;
use super::*;
use crate::model::DoiSource;
use crate::text::scrub::is_clean;

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
    let dois: Vec<(&str, DoiSource)> = e.dois.iter().map(|d| (d.doi.as_str(), d.source)).collect();
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
fn bodies_read_for_feed_rs_are_what_feed_rs_reads() {
    let item = |body: &str| {
        format!(
            r#"<?xml version="1.0"?><rss version="2.0"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title>A</title><guid>a</guid>{body}</item><item><title>B</title><guid>b</guid></item>
</channel></rss>"#
        )
    };
    // (item body, whether the raw pass cuts anything out of feed-rs's copy)
    let cases = [
        (RSS2.to_string(), true),
        (
            item("<description>\n  &lt;p&gt;A &amp;amp; B&lt;/p&gt; &#8217;&nbsp;<!-- c -->x\n</description>"),
            true,
        ),
        (item("<description><p>real <b>markup</b></p></description>"), false),
        (item("<description>one</description><description>two</description>"), true),
        (
            item("<content:encoded>one</content:encoded><content:encoded>two</content:encoded>"),
            true,
        ),
        (item("<description></description><content:encoded> </content:encoded>"), true),
        (item("<description>d</description><content:encoded></content:encoded>"), true),
        (item("<description/><content:encoded/>"), false),
        (item("<c:encoded xmlns:c=\"urn:other\">x</c:encoded><description>d</description>"), true),
        (
            r#"<rss version="2.0"><item><title>Out</title><description>o &amp; p</description></item>
<channel><title>T</title><item><title>In</title><description>i &lt;i&gt;</description></item>
</channel></rss>"#
                .to_string(),
            true,
        ),
    ];
    for (doc, cuts) in cases {
        let raw = raw::raw_pass(doc.as_bytes(), false);
        assert_eq!(raw.fixes.len() == raw.lean_cuts(), !cuts, "{doc}");
        let with = parse_feed_with(doc.as_bytes(), URL, true).unwrap();
        let without = parse_feed_with(doc.as_bytes(), URL, false).unwrap();
        assert_eq!(with, without, "{doc}");
    }
}

/// Every XML document of the corpus reads the same whatever the raw pass cuts for feed-rs.
#[test]
fn corpus_documents_read_the_same_with_and_without_cuts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut lean = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let doc = std::fs::read(&path).unwrap();
        let utf8 = encoding::fix_char_refs(encoding::to_utf8(&doc));
        lean += raw::raw_pass(&utf8, false).lean_cuts();
        let with = format!("{:?}", parse_feed_with(&doc, URL, true));
        let without = format!("{:?}", parse_feed_with(&doc, URL, false));
        assert_eq!(with, without, "{}", path.display());
    }
    assert!(lean > 100, "the corpus cut only {lean} elements whole");
}

/// An RSS item's title, link, guid, date and author read for feed-rs (`raw::Lean`): exactly
/// what feed-rs reads, and all of an item's put back when one of them cannot be.
#[test]
fn lean_elements_are_what_feed_rs_reads() {
    let item = |body: &str| {
        format!(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
<item>{body}<description>d</description></item><item><title>B</title><guid>b</guid></item>
</channel></rss>"#
        )
    };
    // (item's elements, how many of them the raw pass cuts whole)
    let cases = [
        (
            "<title> A &amp; &lt;b&gt; </title><link> /rel/a </link><guid> g1 </guid>\
             <pubDate>Mon, 01 Dec 2014 10:00:00 +0100</pubDate><author>j@x.org (J R)</author>",
            5,
        ),
        (
            "<title><![CDATA[C &]]> d</title><author>Plain Name</author>",
            2,
        ),
        (
            "<title></title><author></author><link></link><guid></guid><pubDate></pubDate>",
            5,
        ),
        (
            "<title>\n </title><author> </author><link> </link><pubDate>junk</pubDate>",
            4,
        ),
        ("<link>https://x.org/a b</link><link>http://[bad</link>", 0),
        ("<link>http://[bad</link><title>t</title>", 2),
        ("<title>one</title><title>two</title><guid>g</guid>", 0),
        ("<title>a <b>bold</b></title><guid>g</guid>", 0),
        ("<title>a &#xD800; b</title><guid>g</guid>", 0),
        ("<title/><guid>g</guid>", 1),
        (
            "<pubDate>Mon, 01 Dec 2014 10:00:00 +0100</pubDate><dc:date>2015-01-01</dc:date>",
            0,
        ),
        ("<dc:creator>C</dc:creator><author>a@x.org (A)</author>", 0),
        (
            "<guid isPermaLink=\"true\">https://x.org/p</guid><title>t</title>",
            2,
        ),
        (
            "<link xml:base=\"https://b.example/\">r</link><title>t</title>",
            1,
        ),
        ("<x:title xmlns:x=\"urn:x\">x</x:title><title>t</title>", 1),
    ];
    for (body, cut) in cases {
        let doc = item(body);
        let raw = raw::raw_pass(doc.as_bytes(), false);
        // The second item's title and guid are cut too.
        assert_eq!(raw.lean_cuts(), cut + 2, "{doc}");
        let with = format!("{:?}", parse_feed_with(doc.as_bytes(), URL, true));
        let without = format!("{:?}", parse_feed_with(doc.as_bytes(), URL, false));
        assert_eq!(with, without, "{doc}");
    }
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
    assert_eq!(f.entries[2].title, "");
    assert_eq!(f.entries[2].guid, "https://e.org/empty");
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
    assert_eq!(a.authors, ["Ann"]);
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
fn dates_in_the_forms_feeds_write_and_their_precedence() {
    let doc = r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
  <item><title>Both</title><link>https://e.org/1</link><pubDate>Sat, 06 Oct 2018 10:00:00 EST</pubDate>
    <dc:date>2018-11-30</dc:date></item>
  <item><title>DC only</title><link>https://e.org/2</link><dc:date>2018-11-30T08:00:00Z</dc:date></item>
  <item><title>Slashes</title><link>https://e.org/3</link><pubDate>2018/9/6 9:05:00</pubDate></item>
  <item><title>JS</title><link>https://e.org/4</link><pubDate>Sat Oct 06 2018 00:00:00 GMT+0200 (CEST)</pubDate></item>
  <item><title>Junk</title><link>https://e.org/5</link><pubDate>the other day</pubDate></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    let got: Vec<Option<DateTime<Utc>>> = f.entries.iter().map(|e| e.published).collect();
    assert_eq!(
        got,
        [
            Some(date("2018-10-06T15:00:00Z")),
            Some(date("2018-11-30T08:00:00Z")),
            Some(date("2018-09-06T09:05:00Z")),
            Some(date("2018-10-05T22:00:00Z")),
            None,
        ]
    );

    // Atom: `published` over `updated`; an entry with only `updated` keeps it as its date.
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
  <entry><title>P</title><id>u:1</id><updated>2018-12-01T00:00:00</updated>
    <published>2018-10-01T00:00:00</published></entry>
  <entry><title>U</title><id>u:2</id><updated>2018-12-02 10:00:00</updated></entry>
</feed>"#;
    let f = parse(doc.as_bytes());
    let (p, u) = (&f.entries[0], &f.entries[1]);
    assert_eq!(p.published, Some(date("2018-10-01T00:00:00Z")));
    assert_eq!(p.updated, Some(date("2018-12-01T00:00:00Z")));
    assert_eq!(u.published, None);
    assert_eq!(u.updated, Some(date("2018-12-02T10:00:00Z")));
}

#[test]
fn escaped_markup_is_text_and_comments_go() {
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
  <entry><title type="html">Tags like &amp;lt;blink&amp;gt; &lt;b&gt;die&lt;/b&gt;</title><id>u:1</id>
    <content type="html">&lt;p&gt;Use &amp;lt;blink&amp;gt; never&lt;/p&gt;</content></entry>
  <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X &lt;blink&gt; <b>y</b></div></title><id>u:2</id>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Z &lt;blink&gt; w</p></div></content></entry>
  <entry><title type="html">Kept &lt;!-- a comment --&gt;title</title><id>u:3</id></entry>
  <entry><title type="html">Open &lt;!-- never closed &lt;script&gt;x</title><id>u:4</id></entry>
  <entry><title type="html">Odd &lt;!-- a --!&gt;end</title><id>u:5</id></entry>
</feed>"#;
    let f = parse(doc.as_bytes());
    let titles: Vec<&str> = f.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Tags like <blink> die",
            "X <blink> y",
            "Kept title",
            "Open",
            "Odd end"
        ]
    );
    assert!(
        f.entries[0].text.contains("Use <blink> never"),
        "{:?}",
        f.entries[0].text
    );
    assert!(
        f.entries[1].text.contains("Z <blink> w"),
        "{:?}",
        f.entries[1].text
    );
}

#[test]
fn invalid_character_references_become_replacement_characters() {
    let doc = r#"<rss version="2.0"><channel><title>T&#0;</title>
  <item><title>Bad &#xD800; and &#0; refs</title><link>https://e.org/1</link>
    <description>body &#xDFFF; here</description></item>
  <item><title>Fine</title><link>https://e.org/2</link></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(f.entries.len(), 2);
    assert_eq!(f.entries[0].title, "Bad \u{FFFD} and \u{FFFD} refs");
    assert!(
        f.entries[0].text.contains("body \u{FFFD} here"),
        "{:?}",
        f.entries[0].text
    );
    assert_eq!(f.entries[1].title, "Fine");
}

/// Issue 16 A4: a reference past 32 bits once cost every item of the feed its body, and in a
/// title, the title. It is one bad character, as `&#xD800;` is.
#[test]
fn character_references_past_32_bits_lose_one_character_only() {
    for bad in [
        "&#4294967296;",
        "&#99999999999999999999;",
        "&#x1111111111111111111;",
        "&#x100000000;",
    ] {
        let doc = format!(
            r#"<rss version="2.0"><channel><title>T</title>
  <item><title>One</title><link>https://e.org/1</link><description>first body</description></item>
  <item><title>Two {bad} x</title><link>https://e.org/2</link><description>second {bad} body</description></item>
  <item><title>Three</title><link>https://e.org/3</link><description>third body</description></item>
</channel></rss>"#
        );
        let f = parse(doc.as_bytes());
        let got: Vec<(&str, &str)> = f
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("One", "first body"),
                ("Two \u{FFFD} x", "second \u{FFFD} body"),
                ("Three", "third body"),
            ],
            "{bad}"
        );
    }
    // Leading zeros are still the character they spell.
    let doc = r#"<rss version="2.0"><channel><title>T</title>
  <item><title>A&#00000000000000000066;C</title><link>https://e.org/1</link></item></channel></rss>"#;
    assert_eq!(parse(doc.as_bytes()).entries[0].title, "ABC");
}

#[test]
fn an_item_without_a_title_gets_its_text_or_nothing() {
    let doc = r#"<rss version="2.0"><channel><title>T</title>
  <item><description>Only a body with several words in it</description><link>https://e.org/1</link></item>
  <item><link>https://e.org/empty</link></item></channel></rss>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(f.entries[0].title, "Only a body with several words in it…");
    assert_eq!(f.entries[1].title, "");
}

#[test]
fn prefixed_atom_odd_namespaces_and_atom_ids_as_links() {
    let doc = r#"<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"><atom:title>Prefixed</atom:title>
  <atom:entry><atom:title>One</atom:title><atom:id>https://e.org/posts/1</atom:id>
    <atom:updated>2018-10-06T00:00:00Z</atom:updated><atom:author><atom:name>Ann</atom:name></atom:author>
    <atom:content type="html">&lt;p&gt;hello&lt;/p&gt;</atom:content></atom:entry>
  <atom:entry><atom:title>Two</atom:title><atom:id>tag:e.org,2018:2</atom:id>
    <atom:link rel="alternate" href="https://e.org/posts/2"/></atom:entry>
</atom:feed>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(f.title.as_deref(), Some("Prefixed"));
    let e = &f.entries[0];
    assert_eq!(e.title, "One");
    // No alternate link: an http(s) id is the link.
    assert_eq!(e.link.as_deref(), Some("https://e.org/posts/1"));
    assert_eq!(e.authors, ["Ann"]);
    assert_eq!(e.text, "hello");
    assert_eq!(f.entries[1].link.as_deref(), Some("https://e.org/posts/2"));
    // A tag: id is a name, not a page.
    let doc = doc.replace(
        "<atom:link rel=\"alternate\" href=\"https://e.org/posts/2\"/>",
        "",
    );
    assert_eq!(parse(doc.as_bytes()).entries[1].link, None);
}

#[test]
fn json_feed_version_on_http() {
    for v in [
        "http://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1.1",
    ] {
        let doc = format!(
            r#"{{"version":"{v}","title":"J","items":[{{"id":"1","url":"https://e.org/1","title":"One"}}]}}"#
        );
        let f = parse(doc.as_bytes());
        assert_eq!(f.entries[0].title, "One", "{v}");
    }
}

#[test]
fn dois_in_the_forms_publishers_use() {
    let doc = r#"<rss version="2.0" xmlns:prism="http://prismstandard.org/namespaces/1.2/basic/"
     xmlns:dc="http://purl.org/dc/elements/1.1/ " xmlns:arxiv="http://arxiv.org/schemas/atom/"><channel><title>T</title>
  <item><title>Odd URIs</title><link>https://j.example/1</link><prism:doi>10.1000/prism.1</prism:doi>
    <dc:identifier>info:doi/10.1000/dc.1</dc:identifier><dc:identifier>PII:S0000-0000(18)00001-1</dc:identifier>
    <dc:identifier>doi:10.1000/dc.2</dc:identifier><arxiv:doi>10.1000/arxiv.1</arxiv:doi></item>
  <item><title>Guid</title><guid>https://doi.org/10.1000/guid.1</guid></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    let dois =
        |i: usize| -> Vec<&str> { f.entries[i].dois.iter().map(|d| d.doi.as_str()).collect() };
    assert_eq!(
        dois(0),
        [
            "10.1000/prism.1",
            "10.1000/dc.1",
            "10.1000/dc.2",
            "10.1000/arxiv.1"
        ]
    );
    assert_eq!(dois(1), ["10.1000/guid.1"]);
    let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
  <entry><title>I</title><id>doi:10.1000/atom.1</id></entry></feed>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(f.entries[0].dois[0].doi, "10.1000/atom.1");
}

#[test]
fn base64_titles_odd_default_namespaces_and_fullitem() {
    let doc = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
  <entry><title mode="base64">QSAmIEIgPHRhZz4=</title><id>t:1</id><link rel="alternate" href="https://e.org/1"/></entry>
  <entry><title type="text/html" mode="base64">PGI+Qm9sZDwvYj4gdGl0bGU=</title><id>t:2</id><link rel="alternate" href="https://e.org/2"/></entry>
</feed>"#;
    let f = parse(doc.as_bytes());
    let titles: Vec<&str> = f.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["A & B <tag>", "Bold title"]);

    let doc = r#"<rss version="2.0" xmlns="http://example.com/made-up/rss"><channel><title>Odd</title>
  <item><title>In a made-up namespace</title><link>https://e.org/odd</link>
    <fullitem>&lt;p&gt;The whole post&lt;/p&gt;</fullitem><description>short</description></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(f.title.as_deref(), Some("Odd"));
    let e = &f.entries[0];
    assert_eq!(e.title, "In a made-up namespace");
    assert_eq!(e.link.as_deref(), Some("https://e.org/odd"));
    assert_eq!(e.content_html.as_deref(), Some("<p>The whole post</p>"));
    assert_eq!(e.text, "The whole post");
}

#[test]
fn relative_links_in_bodies_resolve_against_xml_base_and_the_document() {
    let doc = r#"<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>B</title>
  <item><title>Doc base</title><link>https://e.org/1</link>
    <body xmlns="http://www.w3.org/1999/xhtml"><p><a href="../papers/a.pdf?x=1&amp;y=2">a</a> <img src='img/f.png'/></p></body></item>
  <item xml:base="https://cdn.example.net/posts/"><title>Item base</title><link>https://e.org/2</link>
    <xhtml:body><xhtml:p><xhtml:a href="b.html">b</xhtml:a></xhtml:p></xhtml:body></item>
  <item><title>Body base</title><link>https://e.org/3</link>
    <body xmlns="http://www.w3.org/1999/xhtml" xml:base="https://other.example.org/x/"><a href="/c">c</a></body></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    let html = |i: usize| f.entries[i].content_html.clone().unwrap_or_default();
    assert_eq!(
        html(0),
        r#"<p><a href="https://blog.example.org/papers/a.pdf?x=1&amp;y=2">a</a> <img src="https://blog.example.org/feed/img/f.png"/></p>"#
    );
    assert_eq!(
        html(1),
        r#"<p><a href="https://cdn.example.net/posts/b.html">b</a></p>"#
    );
    assert_eq!(html(2), r#"<a href="https://other.example.org/c">c</a>"#);
}

/// Issue 16 A10: one XML error real feeds make no longer costs the feed every post. Each kind
/// is repaired, the feed read whole, and the repair said (with the line of the first).
#[test]
fn one_xml_error_is_repaired_and_said() {
    let feed = |second: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Lab</title>
<item><title>One</title><link>https://e.org/1</link><guid>https://e.org/?p=1</guid><description>first body</description></item>
{second}
<item><title>Three</title><link>https://e.org/3</link><guid>https://e.org/?p=3</guid><description>third body</description></item>
</channel></rss>"#
        )
    };
    for (second, warning, title, link, text) in [
        // WordPress-like: `&` unescaped in a guid and a link (and an attribute).
        (
            r#"<item><title>Two</title><link>https://e.org/?p=2&lang=en</link><guid isPermaLink="false">https://e.org/?p=2&lang=en</guid>
<enclosure url="https://e.org/a.mp3?x=1&y=2" length="1" type="audio/mpeg"/><description>second body</description></item>"#,
            "repaired: 3 unescaped '&' (first at line 4)",
            "Two",
            "https://e.org/?p=2&lang=en",
            "second body",
        ),
        (
            "<item><title>Tom & Jerry</title><link>https://e.org/2</link><description>second body</description></item>",
            "repaired: 1 unescaped '&' (line 4)",
            "Tom & Jerry",
            "https://e.org/2",
            "second body",
        ),
        // An HTML entity XML does not define, beside the `&` that made the document ill-formed.
        (
            "<item><title>Caf&eacute; &nbsp;& co</title><link>https://e.org/2</link><description>a&nbsp;b &bogus; c</description></item>",
            "repaired: 1 unescaped '&' (line 4), 4 undefined entities such as &eacute; (first at line 4)",
            "Caf\u{e9} & co",
            "https://e.org/2",
            "a b &bogus; c",
        ),
        // A `<` that starts no tag.
        (
            "<item><title>p < 0.05</title><link>https://e.org/2</link><description>when x <= 1</description></item>",
            "repaired: 2 unescaped '<' (first at line 4)",
            "p < 0.05",
            "https://e.org/2",
            "when x <= 1",
        ),
    ] {
        let f = parse(feed(second).as_bytes());
        assert_eq!(f.warning.as_deref(), Some(warning), "{second}");
        let got: Vec<(&str, Option<&str>, &str)> = f
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.link.as_deref(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("One", Some("https://e.org/1"), "first body"),
                (title, Some(link), text),
                ("Three", Some("https://e.org/3"), "third body"),
            ],
            "{second}"
        );
    }
    // A well-formed feed is not touched, and says nothing.
    assert_eq!(parse(RSS2.as_bytes()).warning, None);
    // Entities the document's DTD declares are its own; markup in CDATA and comments is not
    // text; only the `&` is repaired.
    let doc = r#"<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY mine "M"> ]>
<rss version="2.0"><channel><title>T</title><!-- a < b & c -->
<item><title>A & B</title><link>https://e.org/1</link><description><![CDATA[x < y & z]]> &mine;</description></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    assert_eq!(
        f.warning.as_deref(),
        Some("repaired: 1 unescaped '&' (line 3)")
    );
    assert_eq!(f.entries[0].title, "A & B");
}

/// A document cut short stays a failed fetch even when it also holds a repairable error: its
/// validators are never kept, so the next fetch gets the whole document.
#[test]
fn a_truncated_document_with_a_repairable_error_stays_truncated() {
    let doc = RSS2.replace("<title>Second</title>", "<title>Tom & Jerry</title>");
    assert!(parse(doc.as_bytes()).warning.is_some());
    for cut in [doc.len() - 30, doc.find("<author").unwrap_or(0) + 4] {
        let err = parse_feed(&doc.as_bytes()[..cut], URL).unwrap_err();
        assert!(matches!(err, ParseError::Truncated), "{cut}: {err}");
    }
    // What no repair can mend stays the error it was.
    let err = parse_feed(
        b"<rss version=\"2.0\"><channel><item>A & B</i></channel></rss>",
        URL,
    )
    .unwrap_err();
    assert!(matches!(err, ParseError::Invalid(_)), "{err:?}");
}

/// Issue 16 A10: Atom elements inside RSS items (.NET's SyndicationFeed writes `a10:updated`;
/// others `atom:published`, `atom:link`) date and link the posts feed-rs leaves undated.
#[test]
fn atom_dates_and_links_inside_rss_items() {
    let doc = r#"<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom"
  xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
  <item><guid isPermaLink="false">1</guid><link>https://e.org/1</link><title>Net</title>
    <a10:updated>2015-03-11T08:21:50-02:00</a10:updated></item>
  <item><guid isPermaLink="false">2</guid><title>Both</title><atom:link href="https://e.org/2" rel="alternate"/>
    <atom:published>2015-03-01T00:00:00Z</atom:published><atom:updated>2015-03-05T00:00:00Z</atom:updated></item>
  <item><guid isPermaLink="false">3</guid><link>https://e.org/3</link><title>PubDate wins</title>
    <pubDate>Mon, 02 Mar 2015 10:00:00 +0000</pubDate><atom:published>2015-03-01T00:00:00Z</atom:published></item>
  <item><guid isPermaLink="false">4</guid><link>https://e.org/4</link><title>dc:date first</title>
    <dc:date>2015-02-01T00:00:00Z</dc:date><atom:published>2015-03-01T00:00:00Z</atom:published></item>
  <item><guid isPermaLink="false">5</guid><title>Self only</title><atom:link href="https://e.org/feed" rel="self"/></item>
</channel></rss>"#;
    let f = parse(doc.as_bytes());
    type Dated<'a> = (
        Option<&'a str>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let got: Vec<Dated> = f
        .entries
        .iter()
        .map(|e| (e.link.as_deref(), e.published, e.updated))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some("https://e.org/1"),
                None,
                Some(date("2015-03-11T10:21:50Z"))
            ),
            (
                Some("https://e.org/2"),
                Some(date("2015-03-01T00:00:00Z")),
                Some(date("2015-03-05T00:00:00Z"))
            ),
            // feed-rs gives an RSS item its date as `updated` too.
            (
                Some("https://e.org/3"),
                Some(date("2015-03-02T10:00:00Z")),
                Some(date("2015-03-02T10:00:00Z"))
            ),
            (
                Some("https://e.org/4"),
                Some(date("2015-02-01T00:00:00Z")),
                Some(date("2015-02-01T00:00:00Z"))
            ),
            (None, None, None),
        ]
    );
}

/// Issue 16 A10: a day-month-year date that does not settle its order is read in the order
/// the feed's other dates settle, wherever the date is (feed-rs's `pubDate`, `dc:date`).
#[test]
fn day_month_year_dates_take_the_order_their_feed_settles() {
    let doc = |second: &str| {
        format!(
            r#"<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
  <item><title>A</title><link>https://e.org/1</link><pubDate>03-11-2015 08:21:50 -0200</pubDate></item>
  <item><title>B</title><link>https://e.org/2</link><dc:date>{second}</dc:date></item>
  <item><title>C</title><link>https://e.org/3</link><pubDate>2011-09-16T08:00:00 00:00</pubDate></item>
</channel></rss>"#
        )
    };
    let dates = |second: &str| -> Vec<Option<DateTime<Utc>>> {
        parse(doc(second).as_bytes())
            .entries
            .iter()
            .map(|e| e.published)
            .collect()
    };
    assert_eq!(
        dates("28-10-2015 09:00:00 -0200"),
        [
            Some(date("2015-11-03T10:21:50Z")),
            Some(date("2015-10-28T11:00:00Z")),
            Some(date("2011-09-16T08:00:00Z")),
        ]
    );
    assert_eq!(
        dates("10/28/2015 09:00:00 -0200")[0],
        Some(date("2015-03-11T10:21:50Z"))
    );
    // Nothing settles it: undated rather than filed months away.
    assert_eq!(dates("2015-10-28")[0], None);
}

/// The keys of each entry's papers.
fn paper_keys(feed: &ParsedFeed) -> Vec<Vec<String>> {
    feed.entries
        .iter()
        .map(|e| e.papers.iter().map(|p| p.key.clone()).collect())
        .collect()
}

#[test]
fn papers_from_every_identifier_and_link_of_an_entry() {
    // Atom (arXiv's API shape): the id, the alternate link, `arxiv:doi`, a related DOI link of
    // another work; dcterms:identifier in RSS; JSON Feed's external_url.
    let atom = br#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>Query</title><id>urn:q</id><updated>2024-01-01T00:00:00Z</updated>
  <entry>
    <id>http://arxiv.org/abs/2401.12345v2</id>
    <title>T</title><updated>2024-01-01T00:00:00Z</updated>
    <link href="http://arxiv.org/abs/2401.12345v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2401.12345v2" rel="related" type="application/pdf"/>
    <link title="data" href="https://pubmed.ncbi.nlm.nih.gov/23193287/" rel="related"/>
    <link href="https://example.org/self" rel="self"/>
    <arxiv:doi>10.1103/PhysRevE.109.014301</arxiv:doi>
    <summary>S</summary>
  </entry>
</feed>"#;
    assert_eq!(
        paper_keys(&parse(atom)),
        [[
            "doi:10.1103/physreve.109.014301",
            "arxiv:2401.12345",
            "pmid:23193287"
        ]]
    );
    let rss = br#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>J</title>
  <item><title>A</title><link>https://journal.example.org/a</link>
    <dcterms:identifier>pmid:23193287</dcterms:identifier>
    <dcterms:identifier>info:doi/10.5555/j.1</dcterms:identifier>
    <description>x</description></item>
</channel></rss>"#;
    let feed = parse(rss);
    assert_eq!(paper_keys(&feed), [["pmid:23193287", "doi:10.5555/j.1"]]);
    assert_eq!(feed.entries[0].dois.len(), 1);
    let json = br#"{"version": "https://jsonfeed.org/version/1.1", "title": "Links",
      "items": [{"id": "pmid:38123456", "url": "https://links.example.org/1",
                 "external_url": "https://arxiv.org/abs/2311.04567v3",
                 "content_text": "A preprint."}]}"#;
    assert_eq!(
        paper_keys(&parse(json)),
        [["pmid:38123456", "arxiv:2311.04567"]]
    );
}
