//! Backfill: fetching the older posts that a feed's current window no longer carries, so that
//! every month of a blog's history can be browsed.
//!
//! A feed's current document (page 1) is fetched once to find how its history can be paged:
//! RFC 5005 `prev-archive` links (or `rel="next"` paged feeds), WordPress `?paged=N`, Blogger
//! `start-index`, JSON Feed `next_url`. The strategy that worked is remembered per feed. Each
//! page is stored in its own transaction together with the "page done" mark, and the walk's
//! position is saved after every page, so an interrupted or failed backfill resumes where it
//! stopped without fetching the stored pages again.
//!
//! This file is the shared driver (choosing a strategy, walking pages, the page cap, the
//! per-host pacer, the stop conditions: end, loop, repeat, failure); each strategy's page URLs
//! and signals are in their own file (`rfc5005`, `wordpress`, `blogger`, `json_feed`). The
//! library hands a [`Run`] the cache ([`Store`]), the runtime, the HTTP client and the
//! [`Limits`]; it uses `fetch`, `parse`, `scrub`, `model` and `store`, and nothing above them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use url::Url;

use crate::feeds::parse::ParseError;
use crate::model::{Feed, FeedId, ParsedFeed};
use crate::net::{FetchError, Fetcher, Validators};
use crate::store::{ArchiveState, Store, StoreError};
use crate::text::scrub::scrub_line;

mod blogger;
mod json_feed;
mod rfc5005;
mod wordpress;

pub use blogger::blogger_page_url;
pub(crate) use json_feed::is_json;
pub use wordpress::{wordpress_month_feed_url, wordpress_page_url};

/// How a feed's history is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// RFC 5005 archived feed: `prev-archive` links back to the oldest archive document.
    Rfc5005,
    /// RFC 5005 paged feed: `rel="next"` links to older pages.
    PagedNext,
    /// WordPress: `?paged=N` on the feed URL.
    #[serde(rename = "wordpress")]
    WordPress,
    /// Blogger: `start-index` / `max-results` on `/feeds/posts/default`.
    Blogger,
    /// JSON Feed `next_url`.
    JsonFeedNext,
}

/// The order strategies are tried in when a feed has none remembered.
const ORDER: [Strategy; 5] = [
    Strategy::Rfc5005,
    Strategy::PagedNext,
    Strategy::WordPress,
    Strategy::Blogger,
    Strategy::JsonFeedNext,
];

impl Strategy {
    /// The name stored in the cache and shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Rfc5005 => "rfc5005",
            Strategy::PagedNext => "paged_next",
            Strategy::WordPress => "wordpress",
            Strategy::Blogger => "blogger",
            Strategy::JsonFeedNext => "json_feed_next",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        ORDER.into_iter().find(|st| st.as_str() == s)
    }

    /// Page URLs are computed from an offset rather than read from the previous page, so a page
    /// can be skipped without fetching it, and a 404 past the last page is the normal end.
    fn is_offset(self) -> bool {
        matches!(self, Strategy::WordPress | Strategy::Blogger)
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One feed's result of a backfill (the `--json` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackfillReport {
    pub feed_id: FeedId,
    pub url: String,
    /// The strategy used (or remembered), if any applied.
    pub strategy: Option<Strategy>,
    /// Pages fetched in this run (the current document included).
    pub pages: usize,
    /// Entries that were not cached before.
    pub added: usize,
    /// The oldest month (`YYYY-MM`) the feed's cache reaches.
    pub oldest_month: Option<String>,
    /// The whole history is cached.
    pub complete: bool,
    /// What failed, one line, and what to do.
    pub error: Option<String>,
    /// Why no strategy applied, or why the walk stopped short of a clean end (page cap, a loop).
    pub reason: Option<String>,
}

/// Progress of a backfill, reported as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum BackfillEvent {
    Started {
        feed_id: FeedId,
        total_feeds: usize,
    },
    /// A page was stored; `page` counts from 1 (the current document) across resumed runs.
    Page {
        feed_id: FeedId,
        page: usize,
        url: String,
        added: usize,
    },
    FeedDone(BackfillReport),
}

/// Why one page could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Why a backfill run stopped short: the cache failed. (A page that cannot be had is reported
/// in its feed's [`BackfillReport`] instead, and the run goes on.)
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

type Result<T> = std::result::Result<T, BackfillError>;

impl PageError {
    fn status(&self) -> Option<u16> {
        match self {
            PageError::Fetch(e) => e.status(),
            PageError::Parse(_) => None,
        }
    }
}

// ---- page URLs (shared by the strategies) ---------------------------------------------------

/// `url` with the parameters named in `remove` dropped and `add` appended.
fn with_params(url: &str, remove: &[&str], add: &[(&str, String)]) -> String {
    let Ok(mut parsed) = Url::parse(url.trim()) else {
        // Feed URLs were checked when subscribed; an unparsable one still gets a usable guess.
        let sep = if url.contains('?') { '&' } else { '?' };
        let tail: Vec<String> = add.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return format!("{url}{sep}{}", tail.join("&"));
    };
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| !remove.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    {
        let mut q = parsed.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        for (k, v) in add {
            q.append_pair(k, v);
        }
    }
    parsed.to_string()
}

/// The value of query parameter `name` as a number.
fn param(url: &str, name: &str) -> Option<usize> {
    let url = Url::parse(url).ok()?;
    let value = url
        .query_pairs()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.trim().parse().ok());
    value
}

/// `link` made absolute against `base`, the URL its document was fetched from.
fn resolve(base: &str, link: &str) -> String {
    Url::parse(base)
        .and_then(|b| b.join(link.trim()))
        .map_or_else(|_| link.trim().to_string(), String::from)
}

/// The page after `url` (a page of `strategy` whose document, fetched from `base` after any
/// redirects, is `parsed`); `None` at the end.
fn next_page(strategy: Strategy, url: &str, base: &str, parsed: &ParsedFeed) -> Option<String> {
    match strategy {
        Strategy::Rfc5005 => rfc5005::prev_archive(base, parsed),
        Strategy::PagedNext | Strategy::JsonFeedNext => rfc5005::next(base, parsed),
        Strategy::WordPress => Some(wordpress::next_page(url)),
        Strategy::Blogger => Some(blogger::next_page(url, parsed)),
    }
}

/// The second page by `strategy`, if the current document supports it. A remembered strategy
/// is trusted even without the signal that first chose it (WordPress without a generator).
fn second_page(
    strategy: Strategy,
    remembered: bool,
    feed_url: &str,
    base: &str,
    parsed: &ParsedFeed,
    json: bool,
) -> Option<String> {
    let applies = match strategy {
        Strategy::Rfc5005 => true,
        Strategy::PagedNext => !json,
        Strategy::JsonFeedNext => json,
        Strategy::WordPress => remembered || wordpress::is_wordpress(parsed),
        Strategy::Blogger => remembered || blogger::is_blogger(feed_url, parsed),
    };
    if applies {
        next_page(strategy, feed_url, base, parsed)
    } else {
        None
    }
}

/// A page's identity by content: its guids, sorted. Two pages with the same guids are a repeat.
fn fingerprint(parsed: &ParsedFeed) -> Vec<String> {
    let mut guids: Vec<String> = parsed.entries.iter().map(|e| e.guid.clone()).collect();
    guids.sort_unstable();
    guids
}

/// Keeps `delay` between the end of one request and the start of the next to the same host.
struct Pacer {
    delay: Duration,
    last: HashMap<String, Instant>,
}

impl Pacer {
    fn new(delay: Duration) -> Pacer {
        Pacer {
            delay,
            last: HashMap::new(),
        }
    }

    fn host(url: &str) -> String {
        Url::parse(url)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_string();
                Some(format!("{host}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default()
    }

    /// How long a request to `url` must still wait for its host's turn; `None`: not at all.
    fn remaining(&self, url: &str) -> Option<Duration> {
        let last = self.last.get(&Self::host(url))?;
        (*last + self.delay)
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    fn wait(&self, url: &str) {
        if let Some(d) = self.remaining(url) {
            std::thread::sleep(d);
        }
    }

    fn done(&mut self, url: &str) {
        self.last.insert(Self::host(url), Instant::now());
    }
}

/// How far and how fast a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many pages per feed and run (the current document included).
    pub max_pages: usize,
    /// The pause between the end of one request and the start of the next to the same host.
    pub page_delay: Duration,
}

/// What a backfill run shares between feeds: the cache the pages go to, the HTTP client, the
/// pacer and the page cap.
pub struct Run<'a> {
    store: &'a mut Store,
    rt: Arc<tokio::runtime::Runtime>,
    fetcher: Fetcher,
    pacer: Pacer,
    max_pages: usize,
}

/// A fetched page: the URL it came from after redirects, whether it is JSON, the document.
pub type Page = (String, bool, ParsedFeed);

impl<'a> Run<'a> {
    pub fn new(
        store: &'a mut Store,
        rt: Arc<tokio::runtime::Runtime>,
        fetcher: Fetcher,
        limits: Limits,
    ) -> Run<'a> {
        Run {
            store,
            rt,
            fetcher,
            pacer: Pacer::new(limits.page_delay),
            max_pages: limits.max_pages,
        }
    }

    /// One page: waits for the host's turn, fetches with every limit, parses.
    fn page(&mut self, url: &str) -> std::result::Result<Page, PageError> {
        self.pacer.wait(url);
        let fetched = self
            .rt
            .block_on(self.fetcher.get(url, &Validators::default()));
        self.pacer.done(url);
        let fetched = fetched?;
        let parsed = crate::feeds::parse::parse_feed(&fetched.body, &fetched.url)?;
        Ok((fetched.url, is_json(&fetched.body), parsed))
    }
}

/// How a walk ended.
enum End {
    /// The history's end was reached after page `last` of the walk.
    Complete { last: usize },
    /// Stopped at the page cap before page `page` of the walk, at `next`.
    Cap { next: String, page: usize },
    /// Page `page` of the walk, at `url`, failed: where to resume.
    Failed { url: String, page: usize },
}

/// Where a walk starts.
struct Start {
    strategy: Strategy,
    url: String,
    /// The walk's number of `url` (1 is the current document).
    page: usize,
    /// The walk continues an interrupted one.
    resuming: bool,
}

impl Run<'_> {
    /// Backfills one feed's history (`first`: its current document, when the caller has just
    /// fetched it); `total_feeds` is the run's size for the progress events.
    pub fn feed(
        &mut self,
        feed: &Feed,
        first: Option<Page>,
        total_feeds: usize,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport> {
        on_event(&BackfillEvent::Started {
            feed_id: feed.id,
            total_feeds,
        });
        let report = self.backfill_feed(feed, first, on_event)?;
        tracing::info!(feed = feed.id, url = %feed.url, strategy = ?report.strategy,
            pages = report.pages, added = report.added, complete = report.complete,
            error = ?report.error, reason = ?report.reason, "backfilled");
        on_event(&BackfillEvent::FeedDone(report.clone()));
        Ok(report)
    }

    fn backfill_feed(
        &mut self,
        feed: &Feed,
        first: Option<Page>,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport> {
        let state = self.store.archive_state(feed.id)?.unwrap_or_default();
        let remembered = state.strategy.as_deref().and_then(Strategy::parse);
        let mut report = BackfillReport {
            feed_id: feed.id,
            url: feed.url.clone(),
            strategy: remembered,
            pages: 0,
            added: 0,
            oldest_month: state.oldest_month.clone(),
            complete: state.complete,
            error: None,
            reason: None,
        };
        let mut walk = Walk {
            feed_id: feed.id,
            was_complete: state.complete,
            seen_urls: HashSet::new(),
            seen_pages: HashSet::new(),
            current: first,
        };

        let start = match (remembered, state.next_page.clone()) {
            (Some(strategy), Some(url)) if !state.complete => Start {
                strategy,
                url,
                page: usize::try_from(state.pages_done)
                    .unwrap_or(0)
                    .saturating_add(1),
                resuming: true,
            },
            _ => {
                if self.max_pages == 0 {
                    report.reason = Some("the page cap is 0: nothing fetched".to_string());
                    report.oldest_month = self.oldest_month(feed.id)?;
                    return Ok(report);
                }
                match self.first_page(feed, remembered, &mut walk, &mut report, on_event)? {
                    Some(start) => start,
                    None => {
                        report.oldest_month = self.oldest_month(feed.id)?;
                        return Ok(report);
                    }
                }
            }
        };
        report.strategy = Some(start.strategy);
        let end = self.walk(&start, &mut walk, &mut report, on_event)?;
        if let End::Cap { .. } = end {
            report.reason = Some(format!(
                "stopped at the cap of {}; run backfill again to continue",
                crate::text::render::count(self.max_pages, "page", "pages")
            ));
        }
        let (next_page, pages_done, complete) = match end {
            // A top-up walk over a complete history never un-completes it: the next run starts
            // again from the current document rather than resuming.
            _ if walk.was_complete => (None, 0, true),
            End::Complete { last } => (None, last, true),
            End::Cap { next, page } => (Some(next), page - 1, false),
            End::Failed { url, page } => (Some(url), page - 1, false),
        };
        report.complete = complete;
        report.oldest_month =
            self.save_state(feed.id, start.strategy, next_page, pages_done, complete)?;
        Ok(report)
    }

    /// Fetches and stores the current document and chooses the strategy. `None` when the walk
    /// ends here (no strategy applies, `fh:complete`, or a failure).
    fn first_page(
        &mut self,
        feed: &Feed,
        remembered: Option<Strategy>,
        walk: &mut Walk,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<Option<Start>> {
        let fetched = match walk.current.take() {
            Some(page) => Ok(page),
            None => self.page(&feed.url),
        };
        let (final_url, json, parsed) = match fetched {
            Ok(page) => page,
            Err(e) => {
                report.error = Some(page_error(1, &feed.url, &e, "run backfill again to retry"));
                return Ok(None);
            }
        };
        report.pages = 1;
        walk.seen_urls.insert(feed.url.clone());
        walk.seen_urls.insert(final_url.clone());
        walk.seen_pages.insert(fingerprint(&parsed));
        self.keep_page(feed.id, (1, &feed.url), &parsed, report, on_event)?;

        if parsed.paging.complete {
            // `fh:complete`: this one document is the whole feed.
            report.strategy = Some(Strategy::Rfc5005);
            report.complete = true;
            report.oldest_month = self.save_state(feed.id, Strategy::Rfc5005, None, 1, true)?;
            return Ok(None);
        }

        let order = remembered.into_iter().chain(ORDER);
        for strategy in order {
            let trusted = remembered == Some(strategy);
            if let Some(url) = second_page(strategy, trusted, &feed.url, &final_url, &parsed, json)
            {
                return Ok(Some(Start {
                    strategy,
                    url,
                    page: 2,
                    resuming: false,
                }));
            }
        }

        self.probe_paged(feed, walk, report, on_event)
    }

    /// Walks from `start` until the history's end, the page cap, a loop, or a failure.
    fn walk(
        &mut self,
        start: &Start,
        walk: &mut Walk,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<End> {
        let strategy = start.strategy;
        let mut url = start.url.clone();
        let mut page = start.page;
        loop {
            if report.pages >= self.max_pages {
                return Ok(End::Cap { next: url, page });
            }
            if walk.seen_urls.contains(&url) {
                report.reason = Some(format!(
                    "page {page} links back to a page already fetched ({}); took it as the end",
                    crate::text::scrub::scrub_url(&url)
                ));
                return Ok(End::Complete { last: page - 1 });
            }
            let done = self.store.page_done(walk.feed_id, &url)?;
            if done && start.resuming && strategy.is_offset() {
                // Stored by an earlier run that stopped before saving its position.
                let Some(next) = next_page(strategy, &url, &url, &ParsedFeed::default()) else {
                    return Ok(End::Complete { last: page - 1 });
                };
                url = next;
                page += 1;
                continue;
            }
            if done && walk.was_complete && strategy == Strategy::Rfc5005 {
                // RFC 5005 archive documents never change: the rest of the chain is cached.
                // (`next` pages are usually offsets whose content shifts, so they are fetched.)
                return Ok(End::Complete { last: page - 1 });
            }
            let fetched = self.page(&url);
            let (final_url, _, parsed) = match fetched {
                Ok(p) => p,
                Err(e) if strategy.is_offset() && matches!(e.status(), Some(404 | 410)) => {
                    // WordPress and Blogger answer "not found" past the last page.
                    report.pages += 1;
                    return Ok(End::Complete { last: page - 1 });
                }
                Err(e) => {
                    report.pages += 1;
                    report.error = Some(page_error(page, &url, &e, "run backfill again to resume"));
                    return Ok(End::Failed { url, page });
                }
            };
            report.pages += 1;
            if parsed.entries.is_empty() {
                return Ok(End::Complete { last: page - 1 });
            }
            if final_url != url && walk.seen_urls.contains(&final_url) {
                report.reason = Some(format!(
                    "page {page} redirects to a page already fetched ({}); took it as the end",
                    crate::text::scrub::scrub_url(&final_url)
                ));
                return Ok(End::Complete { last: page - 1 });
            }
            walk.seen_urls.insert(url.clone());
            walk.seen_urls.insert(final_url.clone());
            if !walk.seen_pages.insert(fingerprint(&parsed)) {
                report.reason = Some(format!(
                    "page {page} repeats the posts of an earlier page; took it as the end"
                ));
                return Ok(End::Complete { last: page - 1 });
            }
            let guids: Vec<&str> = parsed.entries.iter().map(|e| e.guid.as_str()).collect();
            let known = self.store.guids_known(walk.feed_id, &guids)?;
            self.keep_page(walk.feed_id, (page, &url), &parsed, report, on_event)?;
            let next = next_page(strategy, &url, &final_url, &parsed);
            // Save the position after every page, so an interrupted run resumes after it.
            if !walk.was_complete {
                self.save_state(walk.feed_id, strategy, next.clone(), page, next.is_none())?;
            }
            if walk.was_complete && known == guids.len() {
                // A top-up of a complete history: this page was cached, so are the older ones.
                return Ok(End::Complete { last: page - 1 });
            }
            match next {
                Some(n) => url = n,
                None => return Ok(End::Complete { last: page }),
            }
            page += 1;
        }
    }

    /// Stores page `page` of the walk (fetched from `url`), counts what it added and reports it.
    fn keep_page(
        &mut self,
        feed: FeedId,
        (page, url): (usize, &str),
        parsed: &ParsedFeed,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<()> {
        let added = self.store.ingest_page(feed, url, parsed, Utc::now())?;
        report.added += added;
        on_event(&BackfillEvent::Page {
            feed_id: feed,
            page,
            url: url.to_string(),
            added,
        });
        Ok(())
    }

    fn oldest_month(&self, feed: FeedId) -> Result<Option<String>> {
        let months = self.store.months(Some(feed))?;
        // Newest first: the oldest is last.
        Ok(months.last().map(|m| m.month.clone()))
    }

    /// Records the walk's position; returns the oldest month now cached.
    fn save_state(
        &mut self,
        feed: FeedId,
        strategy: Strategy,
        next_page: Option<String>,
        pages_done: usize,
        complete: bool,
    ) -> Result<Option<String>> {
        let oldest = self.oldest_month(feed)?;
        let state = ArchiveState {
            strategy: Some(strategy.as_str().to_string()),
            next_page,
            pages_done: i64::try_from(pages_done).unwrap_or(i64::MAX),
            complete,
            oldest_month: oldest.clone(),
            updated_at: None,
        };
        self.store.put_archive_state(feed, &state)?;
        Ok(oldest)
    }
}

/// Per-feed memory of one run: what was fetched, to stop loops.
struct Walk {
    feed_id: FeedId,
    /// The history was complete before this run: stop at the first page already cached.
    was_complete: bool,
    seen_urls: HashSet<String>,
    seen_pages: HashSet<Vec<String>>,
    /// The current document, when the caller has just fetched it (`add --backfill`).
    current: Option<Page>,
}

/// `page 3 (URL): HTTP 500 Internal Server Error — run backfill again to resume`.
fn page_error(page: usize, url: &str, e: &PageError, what_to_do: &str) -> String {
    format!(
        "page {page} ({}): {} — {what_to_do}",
        crate::text::scrub::scrub_url(url),
        scrub_line(&e.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewEntry, PagingLinks};

    pub(super) fn doc(guids: &[&str]) -> ParsedFeed {
        ParsedFeed {
            entries: guids
                .iter()
                .map(|g| NewEntry {
                    guid: g.to_string(),
                    ..NewEntry::default()
                })
                .collect(),
            ..ParsedFeed::default()
        }
    }

    #[test]
    fn next_pages_by_strategy() {
        let first = doc(&["a", "b", "c"]);
        assert_eq!(
            next_page(
                Strategy::WordPress,
                "http://h/feed/",
                "http://h/feed/",
                &first
            )
            .as_deref(),
            Some("http://h/feed/?paged=2")
        );
        assert_eq!(
            next_page(
                Strategy::WordPress,
                "http://h/feed/?paged=7",
                "http://h/x",
                &first
            )
            .as_deref(),
            Some("http://h/feed/?paged=8")
        );
        // Blogger: page 1 sets the page size from its own entries; later pages keep it.
        let b = "http://h/feeds/posts/default";
        assert_eq!(
            next_page(Strategy::Blogger, b, b, &first).as_deref(),
            Some("http://h/feeds/posts/default?start-index=4&max-results=3")
        );
        let p2 = "http://h/feeds/posts/default?start-index=4&max-results=3";
        assert_eq!(
            next_page(Strategy::Blogger, p2, p2, &doc(&["d"])).as_deref(),
            Some("http://h/feeds/posts/default?start-index=7&max-results=3")
        );
        assert_eq!(
            next_page(Strategy::Blogger, b, b, &ParsedFeed::default()).as_deref(),
            Some("http://h/feeds/posts/default?start-index=26&max-results=25")
        );
        // Links are resolved against the URL the document came from.
        let linked = ParsedFeed {
            paging: PagingLinks {
                prev_archive: Some("2013.xml".to_string()),
                next: Some("/page/2".to_string()),
                complete: false,
            },
            ..ParsedFeed::default()
        };
        let base = "http://h/archive/2014.xml";
        assert_eq!(
            next_page(Strategy::Rfc5005, base, base, &linked).as_deref(),
            Some("http://h/archive/2013.xml")
        );
        assert_eq!(
            next_page(Strategy::PagedNext, base, base, &linked).as_deref(),
            Some("http://h/page/2")
        );
        assert_eq!(next_page(Strategy::JsonFeedNext, base, base, &first), None);
    }

    #[test]
    fn the_first_page_chooses_by_signal_and_remembers() {
        let mut wp = doc(&["a"]);
        let url = "http://h/feed/";
        assert_eq!(
            second_page(Strategy::WordPress, false, url, url, &wp, false),
            None
        );
        wp.generator = Some("https://wordpress.org/?v=6.5".to_string());
        assert!(second_page(Strategy::WordPress, false, url, url, &wp, false).is_some());
        // Remembered from an earlier run (found by probing): trusted without a generator.
        assert!(second_page(Strategy::WordPress, true, url, url, &doc(&["a"]), false).is_some());
        let mut next = doc(&["a"]);
        next.paging.next = Some("http://h/2".to_string());
        assert!(second_page(Strategy::PagedNext, false, url, url, &next, false).is_some());
        assert_eq!(
            second_page(Strategy::PagedNext, false, url, url, &next, true),
            None
        );
        assert!(second_page(Strategy::JsonFeedNext, false, url, url, &next, true).is_some());
        let blog = "http://x.blogspot.com/feeds/posts/default";
        assert!(second_page(Strategy::Blogger, false, blog, blog, &doc(&["a"]), false).is_some());
        assert_eq!(
            second_page(Strategy::Blogger, false, url, url, &doc(&["a"]), false),
            None
        );
    }

    #[test]
    fn strategy_names_round_trip() {
        for s in ORDER {
            assert_eq!(Strategy::parse(s.as_str()), Some(s));
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.as_str(), "serde and the stored name agree");
        }
        assert_eq!(Strategy::parse("gopher"), None);
    }

    #[test]
    fn fingerprints() {
        assert_eq!(
            fingerprint(&doc(&["b", "a"])),
            fingerprint(&doc(&["a", "b"]))
        );
        assert_ne!(fingerprint(&doc(&["a"])), fingerprint(&doc(&["a", "b"])));
    }

    #[test]
    fn the_pacer_spaces_requests_to_one_host_only() {
        // Another host (or port) has no wait at all; the same host has the rest of its delay.
        let mut pacer = Pacer::new(Duration::from_secs(3600));
        pacer.done("http://a.example/feed/");
        assert_eq!(pacer.remaining("http://b.example/feed/"), None);
        assert_eq!(pacer.remaining("http://a.example:8080/feed/"), None);
        let left = pacer.remaining("http://a.example/feed/?paged=2");
        assert!(
            left.is_some_and(|d| d <= Duration::from_secs(3600)),
            "{left:?}"
        );
        // The same host waits at least the delay.
        let mut pacer = Pacer::new(Duration::from_millis(120));
        pacer.done("http://a.example/feed/");
        let t = Instant::now();
        pacer.wait("http://a.example/feed/?paged=2");
        assert!(
            t.elapsed() >= Duration::from_millis(120),
            "{:?}",
            t.elapsed()
        );
    }
}
