//! Backfill: fetching the older posts that a feed's current window no longer carries, so that
//! every month of a blog's history can be browsed.
//!
//! A feed's current document (page 1) is fetched once to find how its history can be paged:
//! RFC 5005 `prev-archive` links (or `rel="next"` paged feeds), WordPress `?paged=N`, Blogger
//! `start-index`, JSON Feed `next_url`. The strategy that worked is remembered per feed. Each
//! page is stored in its own transaction together with the "page done" mark, and the walk's
//! position is saved after every page, so an interrupted or failed backfill resumes where it
//! stopped without fetching the stored pages again.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use url::Url;

use crate::feeds::parse::ParseError;
use crate::library::{AddReport, Error, Library};
use crate::model::{Feed, FeedId, ParsedFeed};
use crate::net::{FetchError, Fetcher, Validators};
use crate::store::ArchiveState;
use crate::text::scrub::scrub_line;

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

impl PageError {
    fn status(&self) -> Option<u16> {
        match self {
            PageError::Fetch(e) => e.status(),
            PageError::Parse(_) => None,
        }
    }
}

// ---- page URLs ------------------------------------------------------------------------------

/// `feed_url` with its `paged` query parameter set to `n` (other parameters kept).
pub fn wordpress_page_url(feed_url: &str, n: usize) -> String {
    with_params(feed_url, &["paged"], &[("paged", n.to_string())])
}

/// The WordPress archive feed of one month: the feed URL with `m=YYYYMM`. WordPress answers
/// `m` on every feed it serves (main, category, tag, author, `?feed=rss2`), while a
/// `<category feed>/YYYY/MM/feed/` path answers 200 with an empty feed.
pub fn wordpress_month_feed_url(feed_url: &str, year: i32, month: u32) -> String {
    with_params(
        feed_url,
        &["m", "paged"],
        &[("m", format!("{year:04}{month:02}"))],
    )
}

/// Whether a page answered for month `year-month` holds only that month's posts, give or take
/// the blog's time zone (WordPress counts months in local time). A feed that ignores `m`
/// answers its current posts instead.
fn within_month(parsed: &ParsedFeed, year: i32, month: u32) -> bool {
    use chrono::{Datelike, TimeZone};
    let Some(start) = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single() else {
        return false;
    };
    let next = if month == 12 {
        Utc.with_ymd_and_hms(year + 1, 1, 1, 0, 0, 0)
    } else {
        Utc.with_ymd_and_hms(start.year(), month + 1, 1, 0, 0, 0)
    };
    let Some(end) = next.single() else {
        return false;
    };
    let slack = chrono::Duration::hours(14);
    parsed
        .entries
        .iter()
        .filter_map(|e| e.published.or(e.updated))
        .all(|d| d >= start - slack && d < end + slack)
}

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

fn is_blogger(feed_url: &str, parsed: &ParsedFeed) -> bool {
    feed_url.contains("/feeds/posts/")
        || parsed
            .generator
            .as_deref()
            .is_some_and(|g| g.to_ascii_lowercase().contains("blogger"))
}

fn is_wordpress(parsed: &ParsedFeed) -> bool {
    parsed
        .generator
        .as_deref()
        .is_some_and(|g| g.to_ascii_lowercase().contains("wordpress"))
}

/// A JSON Feed's body starts with `{` (after a BOM and white space).
pub(crate) fn is_json(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
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
    let link = |l: &Option<String>| l.as_deref().map(|l| resolve(base, l));
    match strategy {
        Strategy::Rfc5005 => link(&parsed.paging.prev_archive),
        Strategy::PagedNext | Strategy::JsonFeedNext => link(&parsed.paging.next),
        Strategy::WordPress => {
            let n = param(url, "paged").unwrap_or(1);
            Some(wordpress_page_url(url, n.saturating_add(1)))
        }
        Strategy::Blogger => {
            let start = param(url, "start-index").unwrap_or(1).max(1);
            // Page 1 (the feed itself) sets the page size: as many entries as it carried.
            let size = param(url, "max-results").filter(|&m| m > 0).unwrap_or(
                match parsed.entries.len() {
                    0 => 25,
                    n => n,
                },
            );
            Some(blogger_page_url(url, start.saturating_add(size), size))
        }
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
        Strategy::WordPress => remembered || is_wordpress(parsed),
        Strategy::Blogger => remembered || is_blogger(feed_url, parsed),
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

/// What a backfill run shares between feeds.
struct Run {
    rt: std::sync::Arc<tokio::runtime::Runtime>,
    fetcher: Fetcher,
    pacer: Pacer,
    max_pages: usize,
}

/// A fetched page: the URL it came from after redirects, whether it is JSON, the document.
type Page = (String, bool, ParsedFeed);

impl Run {
    /// One page: waits for the host's turn, fetches with every limit, parses.
    fn page(&mut self, url: &str) -> Result<Page, PageError> {
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

impl Library {
    /// Backfills the history of `feeds` (every feed that is not gone when empty), one feed after
    /// the other, at most `max_pages` pages each (the config's `archive.max_pages` when `None`).
    ///
    /// A feed's failure is reported in its [`BackfillReport`] and never stops the others; only
    /// a cache or runtime failure ends the whole run with an error.
    pub fn backfill(
        &mut self,
        feeds: &[FeedId],
        max_pages: Option<usize>,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<Vec<BackfillReport>, Error> {
        let all = self.feeds()?;
        let targets: Vec<Feed> = if feeds.is_empty() {
            all.into_iter().filter(|f| !f.gone).collect()
        } else {
            all.into_iter().filter(|f| feeds.contains(&f.id)).collect()
        };
        let mut run = self.start_run(max_pages)?;
        let total_feeds = targets.len();
        let mut reports = Vec::with_capacity(total_feeds);
        for feed in &targets {
            reports.push(self.backfill_one(feed, None, total_feeds, &mut run, on_event)?);
        }
        Ok(reports)
    }

    /// Subscribes to `url` like [`Library::add`], then backfills its history, starting from the
    /// document `add` fetched rather than fetching it again.
    pub fn add_and_backfill(
        &mut self,
        url: &str,
        max_pages: Option<usize>,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<(AddReport, BackfillReport), Error> {
        let (added, first) = if self.sync_configured() {
            (self.add_on_account(url)?, None)
        } else {
            let (added, first) = self.add_fetched(url)?;
            (added, Some(first))
        };
        let feed = self
            .feed(added.feed_id)?
            .ok_or(Error::NoSuchFeed(added.feed_id.to_string()))?;
        let mut run = self.start_run(max_pages)?;
        let report = self.backfill_one(&feed, first, 1, &mut run, on_event)?;
        Ok((added, report))
    }

    fn start_run(&mut self, max_pages: Option<usize>) -> Result<Run, Error> {
        Ok(Run {
            rt: self.runtime()?,
            fetcher: Fetcher::new(&self.config.fetch)?,
            pacer: Pacer::new(Duration::from_millis(self.config.archive.page_delay_ms)),
            max_pages: max_pages.unwrap_or(self.config.archive.max_pages),
        })
    }

    fn backfill_one(
        &mut self,
        feed: &Feed,
        first: Option<Page>,
        total_feeds: usize,
        run: &mut Run,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport, Error> {
        on_event(&BackfillEvent::Started {
            feed_id: feed.id,
            total_feeds,
        });
        let report = self.backfill_feed(feed, first, run, on_event)?;
        tracing::info!(feed = feed.id, url = %feed.url, strategy = ?report.strategy,
            pages = report.pages, added = report.added, complete = report.complete,
            error = ?report.error, reason = ?report.reason, "backfilled");
        on_event(&BackfillEvent::FeedDone(report.clone()));
        Ok(report)
    }

    /// Fills month `year-month` of `feeds` from their WordPress month archives (`?m=YYYYMM`,
    /// then `&paged=2`, … while the month has more posts), whatever the backfill has reached.
    /// With no feeds named, every feed that is not gone and whose history is not known to page
    /// another way; there a feed without a date archive is skipped with a reason, where a named
    /// one is an error. A feed's backfill position is left alone; its oldest month is updated.
    pub fn backfill_month(
        &mut self,
        feeds: &[FeedId],
        year: i32,
        month: u32,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<Vec<BackfillReport>, Error> {
        let named = !feeds.is_empty();
        let mut targets = Vec::with_capacity(feeds.len());
        for &id in feeds {
            targets.push(self.feed(id)?.ok_or(Error::NoSuchFeed(id.to_string()))?);
        }
        if !named {
            targets = self.feeds()?.into_iter().filter(|f| !f.gone).collect();
        }
        let mut run = self.start_run(None)?;
        let total_feeds = targets.len();
        let mut reports = Vec::with_capacity(total_feeds);
        for feed in &targets {
            on_event(&BackfillEvent::Started {
                feed_id: feed.id,
                total_feeds,
            });
            let report = self.month_of_feed(feed, named, (year, month), &mut run, on_event)?;
            on_event(&BackfillEvent::FeedDone(report.clone()));
            reports.push(report);
        }
        Ok(reports)
    }

    fn month_of_feed(
        &mut self,
        feed: &Feed,
        named: bool,
        (year, month): (i32, u32),
        run: &mut Run,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport, Error> {
        let state = self
            .store
            .archive_state(feed.id)
            .map_err(|e| self.store_err(e))?
            .unwrap_or_default();
        let mut report = BackfillReport {
            feed_id: feed.id,
            url: wordpress_month_feed_url(&feed.url, year, month),
            strategy: Some(Strategy::WordPress),
            pages: 0,
            added: 0,
            oldest_month: None,
            complete: state.complete,
            error: None,
            reason: None,
        };
        let remembered = state.strategy.as_deref().and_then(Strategy::parse);
        let other = remembered.filter(|s| *s != Strategy::WordPress);
        if let (false, Some(s)) = (named, other) {
            report.strategy = None;
            report.reason = Some(format!("no date archive: its history pages by {s}"));
            report.oldest_month = self.oldest_month(feed.id)?;
            return Ok(report);
        }
        let mut seen_pages = HashSet::new();
        let mut url = report.url.clone();
        for page in 1..=run.max_pages {
            let (_, _, parsed) = match run.page(&url) {
                Ok(p) => p,
                // Past the month's last page.
                Err(e) if page > 1 && matches!(e.status(), Some(404 | 410)) => {
                    report.pages += 1;
                    break;
                }
                Err(e) => {
                    report.pages += 1;
                    report.error = Some(page_error(page, &url, &e, "check the month, or retry"));
                    break;
                }
            };
            report.pages += 1;
            if parsed.entries.is_empty() {
                if page == 1 {
                    report.reason = Some(format!("no posts in {year:04}-{month:02}"));
                }
                break;
            }
            if !within_month(&parsed, year, month) {
                // Page 1: the month could not be asked for. Later: `paged` is ignored.
                if page == 1 {
                    let why = format!(
                        "no date archive: {} answered posts of other months (the feed ignores \
                         ?m=, so it is not WordPress or hides its archives); nothing stored",
                        scrub_line(&url)
                    );
                    if named {
                        report.error = Some(why);
                    } else {
                        report.strategy = None;
                        report.reason = Some(why);
                    }
                }
                break;
            }
            if !seen_pages.insert(fingerprint(&parsed)) {
                break;
            }
            let added = self.store_page(feed.id, &url, &parsed)?;
            report.added += added;
            on_event(&BackfillEvent::Page {
                feed_id: feed.id,
                page,
                url: url.clone(),
                added,
            });
            url = wordpress_page_url(&report.url, page + 1);
        }
        report.oldest_month = self.oldest_month(feed.id)?;
        if state.strategy.is_some() || report.added > 0 {
            let kept = ArchiveState {
                oldest_month: report.oldest_month.clone(),
                updated_at: None,
                ..state
            };
            let r = self.store.put_archive_state(feed.id, &kept);
            r.map_err(|e| self.store_err(e))?;
        }
        tracing::info!(feed = feed.id, url = %report.url, pages = report.pages,
            added = report.added, error = ?report.error, reason = ?report.reason, "month filled");
        Ok(report)
    }

    /// Whether the feed's whole history is cached (a backfill reached its end).
    pub fn history_complete(&self, feed: FeedId) -> Result<bool, Error> {
        let state = self
            .store
            .archive_state(feed)
            .map_err(|e| self.store_err(e))?;
        Ok(state.is_some_and(|s| s.complete))
    }

    fn backfill_feed(
        &mut self,
        feed: &Feed,
        first: Option<Page>,
        run: &mut Run,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport, Error> {
        let state = self
            .store
            .archive_state(feed.id)
            .map_err(|e| self.store_err(e))?
            .unwrap_or_default();
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
                if run.max_pages == 0 {
                    report.reason = Some("the page cap is 0: nothing fetched".to_string());
                    report.oldest_month = self.oldest_month(feed.id)?;
                    return Ok(report);
                }
                match self.first_page(feed, remembered, run, &mut walk, &mut report, on_event)? {
                    Some(start) => start,
                    None => {
                        report.oldest_month = self.oldest_month(feed.id)?;
                        return Ok(report);
                    }
                }
            }
        };
        report.strategy = Some(start.strategy);
        let end = self.walk(&start, run, &mut walk, &mut report, on_event)?;
        if let End::Cap { .. } = end {
            report.reason = Some(format!(
                "stopped at the cap of {}; run backfill again to continue",
                crate::text::render::count(run.max_pages, "page", "pages")
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
        run: &mut Run,
        walk: &mut Walk,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<Option<Start>, Error> {
        let fetched = match walk.current.take() {
            Some(page) => Ok(page),
            None => run.page(&feed.url),
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
        let added = self.store_page(feed.id, &feed.url, &parsed)?;
        report.added += added;
        on_event(&BackfillEvent::Page {
            feed_id: feed.id,
            page: 1,
            url: feed.url.clone(),
            added,
        });

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

        // Nothing in the document says how to page: a WordPress site that hides its generator
        // still answers `?paged=2` with the next ten posts.
        if run.max_pages < 2 {
            report.reason = Some(
                "the feed has no archive links and is not recognisably WordPress or Blogger; \
                 probing ?paged=2 needs --max-pages 2 or more"
                    .to_string(),
            );
            return Ok(None);
        }
        let probe = wordpress_page_url(&feed.url, 2);
        let outcome = match run.page(&probe) {
            Err(e) if e.status().is_some() => {
                Err(format!("answered {}", scrub_line(&e.to_string())))
            }
            Err(e) => Err(format!("failed ({})", scrub_line(&e.to_string()))),
            Ok((_, _, p)) if p.entries.is_empty() => Err("answered an empty feed".to_string()),
            Ok((_, _, p)) if walk.seen_pages.contains(&fingerprint(&p)) => {
                Err("answered the same posts as the feed (the parameter is ignored)".to_string())
            }
            Ok(page) => Ok(page),
        };
        report.pages += 1;
        match outcome {
            Err(why) => {
                report.reason = Some(format!(
                    "no way to page back: no RFC 5005 prev-archive or rel=\"next\" link, no JSON \
                     Feed next_url, neither WordPress nor Blogger, and ?paged=2 {why}"
                ));
                Ok(None)
            }
            Ok((final_url, _, parsed2)) => {
                walk.seen_urls.insert(probe.clone());
                walk.seen_urls.insert(final_url);
                walk.seen_pages.insert(fingerprint(&parsed2));
                let added = self.store_page(feed.id, &probe, &parsed2)?;
                report.added += added;
                report.strategy = Some(Strategy::WordPress);
                on_event(&BackfillEvent::Page {
                    feed_id: feed.id,
                    page: 2,
                    url: probe.clone(),
                    added,
                });
                Ok(Some(Start {
                    strategy: Strategy::WordPress,
                    url: wordpress_page_url(&feed.url, 3),
                    page: 3,
                    resuming: false,
                }))
            }
        }
    }

    /// Walks from `start` until the history's end, the page cap, a loop, or a failure.
    fn walk(
        &mut self,
        start: &Start,
        run: &mut Run,
        walk: &mut Walk,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<End, Error> {
        let strategy = start.strategy;
        let mut url = start.url.clone();
        let mut page = start.page;
        loop {
            if report.pages >= run.max_pages {
                return Ok(End::Cap { next: url, page });
            }
            if walk.seen_urls.contains(&url) {
                report.reason = Some(format!(
                    "page {page} links back to a page already fetched ({}); took it as the end",
                    crate::text::scrub::scrub_url(&url)
                ));
                return Ok(End::Complete { last: page - 1 });
            }
            let done = self
                .store
                .page_done(walk.feed_id, &url)
                .map_err(|e| self.store_err(e))?;
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
            let fetched = run.page(&url);
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
            let known = self
                .store
                .guids_known(walk.feed_id, &guids)
                .map_err(|e| self.store_err(e))?;
            let added = self.store_page(walk.feed_id, &url, &parsed)?;
            report.added += added;
            on_event(&BackfillEvent::Page {
                feed_id: walk.feed_id,
                page,
                url: url.clone(),
                added,
            });
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

    fn store_page(&mut self, feed: FeedId, url: &str, parsed: &ParsedFeed) -> Result<usize, Error> {
        let r = self.store.ingest_page(feed, url, parsed, Utc::now());
        r.map_err(|e| self.store_err(e))
    }

    fn oldest_month(&self, feed: FeedId) -> Result<Option<String>, Error> {
        let months = self
            .store
            .months(Some(feed))
            .map_err(|e| self.store_err(e))?;
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
    ) -> Result<Option<String>, Error> {
        let oldest = self.oldest_month(feed)?;
        let state = ArchiveState {
            strategy: Some(strategy.as_str().to_string()),
            next_page,
            pages_done: i64::try_from(pages_done).unwrap_or(i64::MAX),
            complete,
            oldest_month: oldest.clone(),
            updated_at: None,
        };
        let r = self.store.put_archive_state(feed, &state);
        r.map_err(|e| self.store_err(e))?;
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

    fn doc(guids: &[&str]) -> ParsedFeed {
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
    fn wordpress_page_urls_keep_other_parameters() {
        assert_eq!(
            wordpress_page_url("https://blog.example/feed/", 2),
            "https://blog.example/feed/?paged=2"
        );
        assert_eq!(
            wordpress_page_url("https://blog.example/?feed=rss2", 3),
            "https://blog.example/?feed=rss2&paged=3"
        );
        // An existing page number is replaced, not repeated.
        assert_eq!(
            wordpress_page_url("https://blog.example/feed/?paged=4&lang=en", 5),
            "https://blog.example/feed/?lang=en&paged=5"
        );
    }

    #[test]
    fn wordpress_month_feeds_ask_m_on_any_feed() {
        for (from, to) in [
            (
                "https://blog.example/feed/",
                "https://blog.example/feed/?m=201412",
            ),
            (
                "https://blog.example/category/methods/feed/",
                "https://blog.example/category/methods/feed/?m=201412",
            ),
            (
                "https://blog.example/author/ana/feed/atom/",
                "https://blog.example/author/ana/feed/atom/?m=201412",
            ),
            (
                "https://example.org/?feed=rss2&cat=3",
                "https://example.org/?feed=rss2&cat=3&m=201412",
            ),
            // A page or month already in the URL is replaced, not repeated.
            (
                "https://blog.example/tag/r/feed/?paged=3&m=200901",
                "https://blog.example/tag/r/feed/?m=201412",
            ),
        ] {
            assert_eq!(wordpress_month_feed_url(from, 2014, 12), to, "{from}");
        }
        assert_eq!(
            wordpress_page_url(&wordpress_month_feed_url("http://h/feed/", 2009, 3), 2),
            "http://h/feed/?m=200903&paged=2"
        );
    }

    #[test]
    fn a_month_page_holds_that_month_give_or_take_a_time_zone() {
        use chrono::TimeZone;
        let at = |y, m, d, h| {
            let mut p = doc(&["a"]);
            p.entries[0].published = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single();
            p
        };
        assert!(within_month(&at(2014, 12, 15, 12), 2014, 12));
        // 31 December, 20:00 in UTC-5 is already January in UTC.
        assert!(within_month(&at(2015, 1, 1, 1), 2014, 12));
        assert!(within_month(&at(2014, 11, 30, 20), 2014, 12));
        assert!(!within_month(&at(2015, 6, 28, 12), 2014, 12));
        assert!(!within_month(&at(2014, 11, 2, 12), 2014, 12));
        // Only `updated`, and no date at all.
        let mut updated = doc(&["a", "b"]);
        updated.entries[0].updated = Utc.with_ymd_and_hms(2015, 6, 1, 0, 0, 0).single();
        assert!(!within_month(&updated, 2014, 12));
        assert!(within_month(&doc(&["a"]), 2014, 12));
        assert!(!within_month(&doc(&["a"]), 2014, 13), "no such month");
    }

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
    fn json_bodies_and_fingerprints() {
        assert!(is_json(b"\xEF\xBB\xBF  {\"version\": 1}"));
        assert!(!is_json(b"<?xml version=\"1.0\"?><rss/>"));
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
