//! feed-rs's model and the raw pass merged into [`NewEntry`] values, entry by entry.

use url::Url;

use super::dates::{parse_date_in, read_date, DayOrder};
use super::entry::{
    absolute, absolute_links, as_html, author_from_rss, build_entry, clean_title, permalink_guid,
    Built, Parts,
};
use super::raw::{Raw, RawItem};
use crate::model::identity::split_shared_links;
use crate::model::{NewEntry, ParsedFeed};
use crate::text::scrub::scrub_line;

/// `order`: how the feed's dates settle day and month (see `dates::day_order`).
pub(super) fn feed_rs_parser(url: &str, order: Option<DayOrder>) -> feed_rs::parser::Parser {
    let base = Url::parse(url).ok().map(|u| u.to_string());
    let feed = url.to_string();
    feed_rs::parser::Builder::new()
        .base_uri(base)
        // An empty id means "the document has none", so `entry_key` can fall back as specified.
        .id_generator(|_, _, _| String::new())
        // feed-rs's own reader misses forms real feeds use (see `dates`).
        .timestamp_parser(move |text| read_date(text, &feed, order))
        .build()
}

pub(super) fn merge(feed: Option<feed_rs::model::Feed>, raw: Raw, url: &str) -> ParsedFeed {
    let base = Url::parse(url).ok();
    let order = raw.day_order();
    let mut out = ParsedFeed {
        paging: raw.paging.clone(),
        ..ParsedFeed::default()
    };
    let Some(feed) = feed else {
        // No feed-rs result (`<rss>` without a channel): everything comes from the raw pass.
        out.title = raw_feed_title(&raw);
        out.generator = raw.generator.as_deref().map(scrub_line);
        out.site_url = raw.link.as_deref().and_then(|l| absolute(l, base.as_ref()));
        let built: Vec<Built> = raw
            .items
            .iter()
            .map(|r| entry_from_raw(r, base.as_ref(), order))
            .collect();
        out.entries = with_distinct_keys(built);
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
    // RFC 4287 4.2.1: an Atom entry without an author has the feed's.
    let feed_authors: Vec<String> = if feed.feed_type == feed_rs::model::FeedType::Atom {
        feed.authors
            .iter()
            .map(|p| scrub_line(&p.name))
            .filter(|n| !n.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    let mut built: Vec<Built> = Vec::with_capacity(feed.entries.len());
    let seen_by_feed_rs = raw.items.iter().filter(|r| r.in_channel).count();
    if seen_by_feed_rs == feed.entries.len() {
        // The usual case: walk the document order, taking feed-rs's entry for each item it saw.
        let mut parsed = feed.entries.into_iter();
        for item in &raw.items {
            if !item.in_channel {
                built.push(entry_from_raw(item, base.as_ref(), order));
            } else if let Some(entry) = parsed.next() {
                built.push(entry_from_feed_rs(entry, Some(item), base.as_ref(), order));
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
            built.push(entry_from_feed_rs(entry, extra, base.as_ref(), order));
        }
        for item in raw.items.iter().filter(|r| !r.in_channel) {
            built.push(entry_from_raw(item, base.as_ref(), order));
        }
    }
    for (e, _) in &mut built {
        if e.authors.is_empty() {
            e.authors.clone_from(&feed_authors);
        }
    }
    out.entries = with_distinct_keys(built);
    out
}

/// An item's `<body>` with its relative links resolved against its `xml:base`, else the
/// document's URL (feed-rs never sees the element, so nothing else resolves them).
fn body_html(r: &RawItem, base: Option<&Url>) -> Option<String> {
    let body = r.body.as_deref()?;
    let own = r.body_base.as_deref().and_then(|b| Url::parse(b).ok());
    Some(absolute_links(body, own.as_ref().or(base)))
}

fn with_distinct_keys(built: Vec<Built>) -> Vec<NewEntry> {
    let (mut entries, by_link): (Vec<NewEntry>, Vec<bool>) = built.into_iter().unzip();
    split_shared_links(&mut entries, &by_link);
    entries
}

/// `<title>`, else a channel-level `dc:title`.
pub(super) fn raw_feed_title(raw: &Raw) -> Option<String> {
    [raw.title.as_deref(), raw.dc_title.as_deref()]
        .into_iter()
        .flatten()
        .map(clean_title)
        .find(|t| !t.is_empty())
}

pub(super) fn entry_from_feed_rs(
    e: feed_rs::model::Entry,
    raw: Option<&RawItem>,
    base: Option<&Url>,
    order: Option<DayOrder>,
) -> Built {
    let chosen = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| {
            e.links
                .iter()
                .find(|l| l.rel.as_deref() != Some("self") && l.rel.as_deref() != Some("enclosure"))
        });
    let lean = raw.map(|r| &r.lean);
    let link = chosen
        .and_then(|l| absolute(&l.href, base))
        // A lean `<link>` was feed-rs's only link (see `raw::Lean`); an empty one none.
        .or_else(|| {
            lean.and_then(|l| l.link.as_deref())
                .filter(|t| !t.is_empty())
                .and_then(|t| absolute(&feed_rs_href(t, base), base))
        })
        // An RSS item's `atom:link` (feed-rs reads only `<link>` there).
        .or_else(|| {
            raw.and_then(|r| r.link.as_deref())
                .and_then(|l| absolute(l, base))
        })
        .or_else(|| raw.and_then(|r| permalink_guid(r, base)))
        .or_else(|| raw.and_then(|r| r.about.clone()));
    // Base64 the raw pass decoded replaces feed-rs's reading (the undecoded text).
    let content_html = match raw
        .and_then(|r| (r.b64_content.clone().or(r.xhtml_content.clone())).or(r.cut_content.clone()))
    {
        Some(decoded) => Some(decoded),
        None => e.content.as_ref().and_then(|c| {
            c.body
                .as_deref()
                .map(|b| as_html(b, c.content_type.to_string().as_str()))
        }),
    }
    .filter(|s| !s.trim().is_empty())
    .or_else(|| raw.and_then(|r| body_html(r, base).or(r.content.clone())));
    let summary_html = match raw.and_then(|r| {
        (r.b64_summary.clone().or(r.xhtml_summary.clone())).or(r.cut_description.clone())
    }) {
        Some(decoded) => Some(decoded),
        None => e
            .summary
            .as_ref()
            .map(|t| as_html(&t.content, t.content_type.to_string().as_str())),
    }
    .filter(|s| !s.trim().is_empty())
    .or_else(|| raw.and_then(|r| r.description.clone()));
    let mut authors: Vec<String> = e
        .authors
        .iter()
        .map(|p| match (&p.email, p.name.as_str()) {
            // feed-rs names RSS `<author>` "author" and keeps the text as the e-mail.
            (Some(email), "author") => author_from_rss(email),
            _ => p.name.clone(),
        })
        .collect();
    // feed-rs has no person for an empty one.
    if let Some(a) = lean
        .and_then(|l| l.author.as_deref())
        .filter(|a| !a.is_empty())
    {
        authors.push(author_from_rss(a));
    }
    if authors.is_empty() {
        if let Some(r) = raw {
            authors = r.authors.iter().map(|a| author_from_rss(a)).collect();
        }
    }
    let feed = base.map_or("", Url::as_str);
    // A lean `<pubDate>` is read as feed-rs reads it, which also makes it the updated date.
    let lean_date = lean
        .and_then(|l| l.pub_date.as_deref())
        .and_then(|d| read_date(d, feed, order));
    // feed-rs lets a later `dc:date` overwrite `pubDate`; real TOC feeds disagree, and
    // `pubDate` is the item's own date. Without a `dc:date`, feed-rs's date is the `pubDate`
    // already (and feed-rs logged it if unreadable).
    let published = raw
        .filter(|r| r.issued.is_some())
        .and_then(|r| r.pub_date.as_deref().and_then(|d| parse_date_in(d, order)))
        .or(e.published)
        .or(lean_date)
        .or_else(|| raw.and_then(|r| r.issued.as_deref().and_then(|d| read_date(d, feed, order))));
    let updated = e.updated.or(lean_date).or_else(|| {
        raw.and_then(|r| {
            r.modified
                .as_deref()
                .and_then(|d| read_date(d, feed, order))
        })
    });
    let title = raw
        .and_then(|r| r.b64_title.clone().or(r.xhtml_title.clone()))
        .or_else(|| e.title.as_ref().map(|t| t.content.clone()))
        // feed-rs trims a title.
        .or_else(|| {
            lean.and_then(|l| l.title.as_deref())
                .map(|t| t.trim().to_string())
        })
        .or_else(|| raw.and_then(|r| r.dc_title.clone()));
    let guid = Some(e.id.trim().to_string())
        .filter(|g| !g.is_empty())
        .or_else(|| raw.and_then(|r| r.guid.clone()));
    let dois = raw.map(|r| r.dois.as_slice()).unwrap_or_default();
    let other_links = e
        .links
        .iter()
        .filter(|l| {
            l.rel.as_deref() != Some("self") && !chosen.is_some_and(|c| std::ptr::eq(c, *l))
        })
        .filter_map(|l| absolute(&l.href, base))
        .collect();
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
        other_links,
    })
}

/// A link's target as feed-rs's `Link::new` makes it: resolved against `base` when it can be,
/// else the text as it is; trimmed.
fn feed_rs_href(text: &str, base: Option<&Url>) -> String {
    let resolved = match Url::parse(text) {
        Ok(u) => Some(u),
        Err(url::ParseError::RelativeUrlWithoutBase) => base.and_then(|b| b.join(text).ok()),
        Err(_) => None,
    };
    resolved
        .map_or_else(|| text.to_string(), |u| u.to_string())
        .trim()
        .to_string()
}

pub(super) fn entry_from_raw(r: &RawItem, base: Option<&Url>, order: Option<DayOrder>) -> Built {
    let link = r
        .link
        .as_deref()
        .and_then(|l| absolute(l, base))
        .or_else(|| permalink_guid(r, base))
        .or_else(|| r.about.clone());
    let feed = base.map_or("", Url::as_str);
    let date = |d: &Option<String>| d.as_deref().and_then(|d| read_date(d, feed, order));
    let published = date(&r.pub_date).or_else(|| date(&r.issued));
    build_entry(Parts {
        guid: r.guid.clone(),
        title: r
            .b64_title
            .clone()
            .or_else(|| r.xhtml_title.clone())
            .or_else(|| r.title.clone())
            .or_else(|| r.dc_title.clone()),
        link,
        authors: r.authors.iter().map(|a| author_from_rss(a)).collect(),
        published,
        updated: date(&r.modified).or(published),
        content_html: r
            .b64_content
            .clone()
            .or_else(|| r.xhtml_content.clone())
            .or_else(|| r.content.clone())
            .or_else(|| body_html(r, base)),
        summary_html: r
            .b64_summary
            .clone()
            .or_else(|| r.xhtml_summary.clone())
            .or_else(|| r.description.clone()),
        dois: &r.dois,
        other_links: Vec::new(),
    })
}
