//! The library's door to backfill: picks the feeds, hands the strategies in
//! [`crate::feeds::backfill`] the cache, the HTTP client and the limits from the config, and
//! names the cache file when it fails.

use std::time::Duration;

use crate::feeds::backfill::{BackfillError, BackfillEvent, BackfillReport, Limits, Run};
use crate::library::{AddReport, Error, Library};
use crate::model::{Feed, FeedId};
use crate::net::Fetcher;

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
        self.with_run(max_pages, |run| {
            let total_feeds = targets.len();
            let mut reports = Vec::with_capacity(total_feeds);
            for feed in &targets {
                reports.push(run.feed(feed, None, total_feeds, on_event)?);
            }
            Ok(reports)
        })
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
        let report = self.with_run(max_pages, |run| run.feed(&feed, first, 1, on_event))?;
        Ok((added, report))
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
        self.with_run(None, |run| {
            let total_feeds = targets.len();
            let mut reports = Vec::with_capacity(total_feeds);
            for feed in &targets {
                reports.push(run.month(feed, named, (year, month), total_feeds, on_event)?);
            }
            Ok(reports)
        })
    }

    /// Whether the feed's whole history is cached (a backfill reached its end).
    pub fn history_complete(&self, feed: FeedId) -> Result<bool, Error> {
        let state = self
            .store
            .archive_state(feed)
            .map_err(|e| self.store_err(e))?;
        Ok(state.is_some_and(|s| s.complete))
    }

    /// The feeds whose whole history is cached (each a [`Library::history_complete`] one).
    pub fn complete_feeds(&self) -> Result<std::collections::BTreeSet<FeedId>, Error> {
        self.store.complete_feeds().map_err(|e| self.store_err(e))
    }

    /// Runs `f` on a backfill run over the cache with the config's limits (`max_pages` overrides
    /// the page cap); a cache failure names the cache file.
    fn with_run<T>(
        &mut self,
        max_pages: Option<usize>,
        f: impl FnOnce(&mut Run<'_>) -> Result<T, BackfillError>,
    ) -> Result<T, Error> {
        let rt = self.runtime()?;
        let fetcher = Fetcher::new(&self.config.fetch)?;
        let limits = Limits {
            max_pages: max_pages.unwrap_or(self.config.archive.max_pages),
            page_delay: Duration::from_millis(self.config.archive.page_delay_ms),
        };
        let result = f(&mut Run::new(&mut self.store, rt, fetcher, limits));
        result.map_err(|e| match e {
            BackfillError::Store(source) => self.store_err(source),
        })
    }
}
