//! Blogger: the posts feed pages by `start-index` and `max-results` on `/feeds/posts/default`.

use url::Url;

use super::{param, with_params};
use crate::model::ParsedFeed;

/// A Blogger posts-feed page: `/feeds/posts/default?start-index=N&max-results=M`. A feed URL
/// under `/feeds/` keeps its path and other parameters (`alt=rss`); any other Blogger URL
/// (`/rss.xml`, `/atom.xml`, the blog itself) is mapped to the site's `/feeds/posts/default`.
pub fn blogger_page_url(feed_url: &str, start_index: usize, max_results: usize) -> String {
    let set = [
        ("start-index", start_index.to_string()),
        ("max-results", max_results.to_string()),
    ];
    match Url::parse(feed_url.trim()) {
        Ok(url) if url.path().contains("/feeds/") => {
            with_params(feed_url, &["start-index", "max-results"], &set)
        }
        Ok(mut url) => {
            url.set_path("/feeds/posts/default");
            url.set_query(None);
            url.set_fragment(None);
            with_params(url.as_str(), &[], &set)
        }
        Err(_) => format!(
            "{}/feeds/posts/default?start-index={start_index}&max-results={max_results}",
            feed_url.trim().trim_end_matches('/')
        ),
    }
}

pub(super) fn is_blogger(feed_url: &str, parsed: &ParsedFeed) -> bool {
    feed_url.contains("/feeds/posts/")
        || parsed
            .generator
            .as_deref()
            .is_some_and(|g| g.to_ascii_lowercase().contains("blogger"))
}

/// The page after `url`. Page 1 (the feed itself) sets the page size: as many entries as it
/// carried.
pub(super) fn next_page(url: &str, parsed: &ParsedFeed) -> String {
    let start = param(url, "start-index").unwrap_or(1).max(1);
    let size = param(url, "max-results")
        .filter(|&m| m > 0)
        .unwrap_or(match parsed.entries.len() {
            0 => 25,
            n => n,
        });
    blogger_page_url(url, start.saturating_add(size), size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blogger_page_urls() {
        assert_eq!(
            blogger_page_url("https://x.blogspot.com/feeds/posts/default", 26, 25),
            "https://x.blogspot.com/feeds/posts/default?start-index=26&max-results=25"
        );
        assert_eq!(
            blogger_page_url(
                "https://x.blogspot.com/feeds/posts/default?alt=rss&start-index=26&max-results=25",
                51,
                25
            ),
            "https://x.blogspot.com/feeds/posts/default?alt=rss&start-index=51&max-results=25"
        );
        // The classic feed addresses map to the posts feed.
        assert_eq!(
            blogger_page_url("https://x.blogspot.com/atom.xml", 1, 50),
            "https://x.blogspot.com/feeds/posts/default?start-index=1&max-results=50"
        );
    }
}
