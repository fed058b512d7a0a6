//! WordPress: the feed's older pages are `?paged=N` on the feed URL, and one month's posts are
//! `?m=YYYYMM` (the date archive `backfill --month` fills). A WordPress site that hides its
//! generator is found by probing `?paged=2`.

use std::collections::HashSet;

use chrono::Utc;

use super::{
    fingerprint, page_error, param, with_params, BackfillEvent, BackfillReport, Result, Run, Start,
    Strategy, Walk,
};
use crate::model::{Feed, ParsedFeed};
use crate::store::ArchiveState;
use crate::text::scrub::scrub_line;

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

pub(super) fn is_wordpress(parsed: &ParsedFeed) -> bool {
    parsed
        .generator
        .as_deref()
        .is_some_and(|g| g.to_ascii_lowercase().contains("wordpress"))
}

/// The page after `url`: its `paged` number plus one (the feed itself is page 1).
pub(super) fn next_page(url: &str) -> String {
    let n = param(url, "paged").unwrap_or(1);
    wordpress_page_url(url, n.saturating_add(1))
}

impl Run<'_> {
    /// Fills month `year-month` of `feed` from its WordPress month archive (`?m=YYYYMM`, then
    /// `&paged=2`, … while the month has more posts). `named`: the user asked for this feed, so
    /// a missing date archive is an error rather than a reason to skip it.
    pub fn month(
        &mut self,
        feed: &Feed,
        named: bool,
        (year, month): (i32, u32),
        total_feeds: usize,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport> {
        on_event(&BackfillEvent::Started {
            feed_id: feed.id,
            total_feeds,
        });
        let report = self.month_of_feed(feed, named, (year, month), on_event)?;
        on_event(&BackfillEvent::FeedDone(report.clone()));
        Ok(report)
    }

    fn month_of_feed(
        &mut self,
        feed: &Feed,
        named: bool,
        (year, month): (i32, u32),
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<BackfillReport> {
        let state = self.store.archive_state(feed.id)?.unwrap_or_default();
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
        for page in 1..=self.max_pages {
            let (_, _, parsed) = match self.page(&url) {
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
            self.keep_page(feed.id, (page, &url), &parsed, &mut report, on_event)?;
            url = wordpress_page_url(&report.url, page + 1);
        }
        report.oldest_month = self.oldest_month(feed.id)?;
        if state.strategy.is_some() || report.added > 0 {
            let kept = ArchiveState {
                oldest_month: report.oldest_month.clone(),
                updated_at: None,
                ..state
            };
            self.store.put_archive_state(feed.id, &kept)?;
        }
        tracing::info!(feed = feed.id, url = %report.url, pages = report.pages,
            added = report.added, error = ?report.error, reason = ?report.reason, "month filled");
        Ok(report)
    }

    /// Nothing in the current document says how to page: a WordPress site that hides its
    /// generator still answers `?paged=2` with the next ten posts, so ask for it (page 2 of the
    /// walk). `None` when it does not.
    pub(super) fn probe_paged(
        &mut self,
        feed: &Feed,
        walk: &mut Walk,
        report: &mut BackfillReport,
        on_event: &mut dyn FnMut(&BackfillEvent),
    ) -> Result<Option<Start>> {
        if self.max_pages < 2 {
            report.reason = Some(
                "the feed has no archive links and is not recognisably WordPress or Blogger; \
                 probing ?paged=2 needs --max-pages 2 or more"
                    .to_string(),
            );
            return Ok(None);
        }
        let probe = wordpress_page_url(&feed.url, 2);
        let outcome = match self.page(&probe) {
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
                self.keep_page(feed.id, (2, &probe), &parsed2, report, on_event)?;
                report.strategy = Some(Strategy::WordPress);
                Ok(Some(Start {
                    strategy: Strategy::WordPress,
                    url: wordpress_page_url(&feed.url, 3),
                    page: 3,
                    resuming: false,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::doc;
    use super::*;

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
}
