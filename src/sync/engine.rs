//! A sync with the account, given the cache, the account and a runtime: push the queued local
//! changes, mirror the subscriptions, pull new entries page by page into the cache, then apply
//! the account's read and starred sets. Each step commits on its own, and the cursor moves only when all of them
//! succeeded, so a sync that fails or is killed leaves a consistent cache and the next one
//! resumes where it is needed.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::account::AccountError;
use super::error::{Error, Result};
use super::greader::{Account, GReader, Item, Pager, EDIT_BATCH, READ, READING_LIST, STARRED};
use crate::config::{FetchConfig, SyncConfig};
use crate::model::folder_name;
use crate::model::FeedId;
use crate::store::{
    MirrorReport, QueuedChange, RemoteEntry, RemoteFeed, Store, SyncedState, PULLED_USEC,
};
use crate::text::scrub::scrub_line;

/// Entries asked for per page of the reading list.
const PAGE: usize = 250;
/// The page size; debug builds let tests ask for small pages (`PAPERBOY_TEST_SYNC_PAGE`), so
/// that continuation paging is exercised without thousands of entries.
fn page_size() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("PAPERBOY_TEST_SYNC_PAGE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    PAGE
}

/// The pull asks again for entries crawled this long before the last one it saw, so that an
/// entry the server stored late (its clock, a slow fetch) is not skipped.
const MARGIN_SECS: i64 = 600;
/// `sync_state` key of the last successful sync (unix seconds).
const LAST_SYNC: &str = "last_sync";

/// What a sync did (`sync --json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// The account's user name.
    pub user: String,
    pub feeds: MirrorReport,
    /// Entries the pull received, and how many of them were new to the cache.
    pub pulled: usize,
    pub new_entries: usize,
    /// Local read/star changes pushed, and whole feeds marked read.
    pub pushed: usize,
    pub marks_pushed: usize,
    /// Read and starred flags the account's state changed here.
    pub read_changed: usize,
    pub starred_changed: usize,
    /// HTTP requests made.
    pub requests: usize,
}

/// Progress of a sync, for a progress bar or a status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    LoggedIn,
    Pushed {
        changes: usize,
    },
    Feeds {
        feeds: usize,
    },
    /// A page of entries stored; `pulled` counts every entry so far.
    Page {
        pulled: usize,
    },
    States,
}

/// Options of `paperboy sync`.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// The first sync takes only entries the server fetched since then.
    pub since: Option<DateTime<Utc>>,
    /// Apply the account's list even when it drops feeds [`held_removals`] would keep.
    pub accept_removals: bool,
}

/// Which account feeds the account's list may drop here without a word.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Removals<'a> {
    /// Those that look like a user's own unsubscribing (see [`held_removals`]).
    Checked,
    /// Those, and the feed this command itself unsubscribed.
    Expected(&'a str),
    /// Any (`sync --accept-removals`).
    All,
}

/// The account feeds a list drops, when dropping them looks like a broken or half-answering
/// server rather than the user unsubscribing: every feed (an empty list), more than half of
/// them and at least 2, or any feed holding starred entries. Returns them as (title, starred
/// entries), or nothing when the list may be applied.
pub(crate) fn held_removals(
    here: &[(String, String, i64)],
    listed: &HashSet<&str>,
    accept: Removals<'_>,
) -> Vec<(String, i64)> {
    let dropped: Vec<&(String, String, i64)> = here
        .iter()
        .filter(|(stream, _, _)| !listed.contains(stream.as_str()))
        .filter(|(stream, _, _)| !matches!(accept, Removals::Expected(s) if s == stream))
        .collect();
    let suspicious = !dropped.is_empty()
        && (dropped.len() == here.len()
            || (dropped.len() >= 2 && dropped.len() * 2 > here.len())
            || dropped.iter().any(|(_, _, starred)| *starred > 0));
    if !suspicious || matches!(accept, Removals::All) {
        return Vec::new();
    }
    dropped
        .into_iter()
        .map(|(_, title, starred)| (title.clone(), *starred))
        .collect()
}

/// `paperboy sync status`.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub url: String,
    pub username: String,
    pub last_sync: Option<DateTime<Utc>>,
    /// Local changes not pushed yet.
    pub queued: i64,
    /// Feeds that come from the account.
    pub feeds: usize,
}

/// The account, the last sync and what waits to be pushed; no network. `settings` is `[sync]`
/// of `config_file`.
pub fn status(
    store: &Store,
    settings: Option<&SyncConfig>,
    config_file: &Path,
) -> Result<SyncStatus> {
    let s = settings.ok_or_else(|| AccountError::NotConfigured {
        config: config_file.display().to_string(),
    })?;
    let last = store
        .sync_value(LAST_SYNC)?
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|t| Utc.timestamp_opt(t, 0).single());
    let queued = store.queued_count()?;
    let feeds = (store.feeds()?.iter())
        .filter(|f| f.remote_id.is_some())
        .count();
    Ok(SyncStatus {
        url: s.url.clone(),
        username: s.username.clone(),
        last_sync: last,
        queued,
        feeds,
    })
}

/// A signed-in session with the account, and the cache it keeps in step with it.
pub struct SyncEngine<'a> {
    pub(super) store: &'a mut Store,
    pub(super) rt: Arc<tokio::runtime::Runtime>,
    pub(super) client: GReader,
}

impl<'a> SyncEngine<'a> {
    /// Logs in to `account` under the `[fetch]` limits and user agent; requests run on `rt`.
    pub fn login(
        store: &'a mut Store,
        rt: Arc<tokio::runtime::Runtime>,
        account: &Account,
        fetch: &FetchConfig,
    ) -> Result<SyncEngine<'a>> {
        if let Some(warning) = crate::config::cleartext_warning(&account.url) {
            tracing::warn!("{warning}");
        }
        let client = rt.block_on(GReader::login(account, fetch, &fetch.user_agent))?;
        Ok(SyncEngine { store, rt, client })
    }

    /// The user's name on the server.
    pub fn user_name(&self) -> Result<String> {
        Ok(self.rt.block_on(self.client.user_name())?)
    }

    /// Pushes the queued changes, mirrors the subscriptions, pulls new entries and applies the
    /// account's read and starred states. `user` names the account in the report.
    pub fn sync(
        &mut self,
        user: String,
        opts: &SyncOptions,
        on_event: &mut dyn FnMut(&SyncEvent),
    ) -> Result<SyncReport> {
        on_event(&SyncEvent::LoggedIn);
        let mut report = SyncReport {
            user,
            ..SyncReport::default()
        };

        // 1. Push: local changes win over the server until they are there.
        let (pushed, marks) = self.push()?;
        report.pushed = pushed;
        report.marks_pushed = marks;
        on_event(&SyncEvent::Pushed {
            changes: pushed + marks,
        });

        // 2. Subscriptions and folders: the account's list is the truth for its feeds.
        let accept = if opts.accept_removals {
            Removals::All
        } else {
            Removals::Checked
        };
        let (mirror, streams) = self.mirror(accept)?;
        report.feeds = mirror;
        on_event(&SyncEvent::Feeds {
            feeds: streams.len(),
        });

        // 3. New entries, page by page, each page stored as it comes.
        let cursor = self.sync_i64(PULLED_USEC)?;
        let since = match opts.since {
            Some(t) => Some(t.timestamp()),
            None => cursor.map(|usec| usec / 1_000_000 - MARGIN_SECS),
        };
        // The first pull streams whole pages; later ones ask which ids are new first, so that
        // the overlap the safety margin asks for again costs ids, not bodies.
        let (pulled, new, newest) = match (cursor, opts.since) {
            (Some(_), None) => self.pull_new(since.unwrap_or(0), &streams, on_event)?,
            _ => self.pull(READING_LIST, since, &streams, on_event)?,
        };
        report.pulled = pulled;
        report.new_entries = new;

        // 4. The account's read and starred sets.
        let unread = self
            .rt
            .block_on(self.client.item_ids(READING_LIST, Some(READ)))?;
        let starred = self.rt.block_on(self.client.item_ids(STARRED, None))?;
        let (read_changed, starred_changed) = self.store.apply_remote_states(&unread, &starred)?;
        report.read_changed = read_changed;
        report.starred_changed = starred_changed;
        on_event(&SyncEvent::States);

        // 5. Only now the cursor moves.
        if let Some(newest) = newest.filter(|n| cursor.is_none_or(|c| *n > c)) {
            self.store
                .set_sync_value(PULLED_USEC, &newest.to_string())?;
        }
        let now = Utc::now().timestamp().to_string();
        self.store.set_sync_value(LAST_SYNC, &now)?;
        report.requests = self.client.requests();
        Ok(report)
    }

    fn sync_i64(&self, key: &str) -> Result<Option<i64>> {
        let v = self.store.sync_value(key)?;
        Ok(v.and_then(|v| v.parse().ok()))
    }

    /// Pushes whole feeds marked read, then each queued state change in batches; each push
    /// leaves the queue only once the server said OK. Marks go first: a per-entry change still
    /// queued is the user's last word on its entry (queueing a mark turns the earlier ones of
    /// its feed into "read"), so it must land after the mark. Returns the changes and the marks
    /// pushed.
    pub fn push(&mut self) -> Result<(usize, usize)> {
        let marks = self.store.queued_marks()?;
        for mark in &marks {
            let sent = self.client.mark_all_as_read(&mark.stream, mark.up_to_usec);
            self.rt.block_on(sent)?;
            self.store.unmark(mark)?;
        }
        let changes = self.store.queued_changes()?;
        let mut groups: HashMap<(SyncedState, bool), Vec<QueuedChange>> = HashMap::new();
        for c in &changes {
            groups.entry((c.state, c.value)).or_default().push(*c);
        }
        // A fixed order, so that a run is the same every time.
        let mut keys: Vec<_> = groups.keys().copied().collect();
        keys.sort_by_key(|(s, v)| (*s == SyncedState::Starred, *v));
        for key in keys {
            let group = &groups[&key];
            let tag = match key.0 {
                SyncedState::Read => READ,
                SyncedState::Starred => STARRED,
            };
            // A batch at a time: a failure later on leaves only what the server did not take.
            for batch in group.chunks(EDIT_BATCH) {
                let ids: Vec<i64> = batch.iter().map(|c| c.remote_id).collect();
                self.rt.block_on(self.client.edit_tag(&ids, tag, key.1))?;
                self.store.unqueue(batch)?;
            }
        }
        Ok((changes.len(), marks.len()))
    }

    /// Mirrors the account's subscriptions; returns each stream id's feed. A list that drops
    /// feeds as a broken server would ([`held_removals`]) changes nothing and is an error
    /// saying what to do.
    pub(super) fn mirror(
        &mut self,
        accept: Removals<'_>,
    ) -> Result<(MirrorReport, HashMap<String, FeedId>)> {
        let subs = self.rt.block_on(self.client.subscriptions())?;
        let here = self.store.account_feeds()?;
        let listed: HashSet<&str> = subs.iter().map(|s| s.id.as_str()).collect();
        let held = held_removals(&here, &listed, accept);
        if !held.is_empty() {
            return Err(Error::RemovalsHeld {
                dropped: held.len(),
                feeds: here.len(),
                starred: held.iter().map(|(_, n)| n).sum(),
                titles: held
                    .iter()
                    .take(3)
                    .map(|(t, _)| format!("\"{}\"", scrub_line(t)))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let remote: Vec<RemoteFeed> = subs
            .into_iter()
            .map(|s| RemoteFeed {
                remote_id: s.id,
                url: crate::net::urls::canonical_feed_url(&s.url),
                title: s.title,
                site_url: s.site_url,
                folder: s.folder.and_then(|f| folder_name(&f).ok()),
            })
            .collect();
        Ok(self.store.mirror_feeds(&remote)?)
    }

    /// Pulls a stream's entries crawled since `since` (all without it), newest first, storing
    /// each page in its own transaction. Returns the entries received, how many were new, and
    /// the newest crawl time seen (µs).
    pub(super) fn pull(
        &mut self,
        stream: &str,
        since: Option<i64>,
        streams: &HashMap<String, FeedId>,
        on_event: &mut dyn FnMut(&SyncEvent),
    ) -> Result<(usize, usize, Option<i64>)> {
        let mut continuation: Option<String> = None;
        let mut pager = Pager::new(format!("stream/contents/{stream}"));
        let (mut pulled, mut new, mut newest) = (0, 0, None::<i64>);
        loop {
            let page = self
                .client
                .contents(stream, since, continuation.as_deref(), page_size());
            let page = self.rt.block_on(page)?;
            // Checked before the page is stored: a server that pages forever stops here.
            let paged = pager.page(page.items.iter().map(|i| i.id), page.continuation)?;
            pulled += page.items.len();
            let (n, t) = self.store_items(&page.items, streams)?;
            new += n;
            newest = newest.max(t);
            on_event(&SyncEvent::Page { pulled });
            match paged.next {
                Some(c) => continuation = Some(c),
                None => return Ok((pulled, new, newest)),
            }
        }
    }

    /// Pulls the reading list's items crawled since `since` that the cache does not hold yet:
    /// their ids first, then the items, a batch at a time.
    fn pull_new(
        &mut self,
        since: i64,
        streams: &HashMap<String, FeedId>,
        on_event: &mut dyn FnMut(&SyncEvent),
    ) -> Result<(usize, usize, Option<i64>)> {
        let ids = (self.rt).block_on(self.client.item_ids_crawled_after(READING_LIST, since))?;
        let known = self.store.known_remote_ids(&ids)?;
        let unknown: Vec<i64> = ids.into_iter().filter(|i| !known.contains(i)).collect();
        let (mut pulled, mut new, mut newest) = (0, 0, None);
        for batch in unknown.chunks(page_size()) {
            let items = self.rt.block_on(self.client.items(batch))?;
            pulled += items.len();
            let (n, t) = self.store_items(&items, streams)?;
            new += n;
            newest = newest.max(t);
            on_event(&SyncEvent::Page { pulled });
        }
        Ok((pulled, new, newest))
    }

    /// Stores items of the account's feeds in one transaction; returns how many were new and
    /// the newest crawl time (µs) among them. An item of a feed the account listed after the
    /// mirror waits for the next sync and does not move the cursor.
    fn store_items(
        &mut self,
        items: &[Item],
        streams: &HashMap<String, FeedId>,
    ) -> Result<(usize, Option<i64>)> {
        let mut groups: HashMap<FeedId, Vec<RemoteEntry>> = HashMap::new();
        let mut newest = None::<i64>;
        for item in items {
            let Some(feed) = streams.get(&item.stream) else {
                continue;
            };
            newest = newest.max(item.crawled_usec);
            groups.entry(*feed).or_default().push(remote_entry(item));
        }
        let groups = groups.into_iter().collect();
        Ok((self.store.store_remote_entries(groups, Utc::now())?, newest))
    }
}

/// An account item as a cache entry, cleaned like a parsed feed's entry (the store keys it).
fn remote_entry(item: &Item) -> RemoteEntry {
    let entry = crate::feeds::parse::clean_entry(crate::feeds::parse::EntryFields {
        title: Some(item.title.clone()),
        link: item.link.clone(),
        authors: item.authors.clone(),
        published: item
            .published
            .and_then(|t| Utc.timestamp_opt(t, 0).single()),
        updated: item.updated.and_then(|t| Utc.timestamp_opt(t, 0).single()),
        content_html: item.content_html.clone(),
    });
    RemoteEntry {
        remote_id: item.id,
        entry,
        read: item.read,
        starred: item.starred,
    }
}
