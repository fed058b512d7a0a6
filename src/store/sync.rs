//! The store's side of sync with a Google Reader API account (issue 13): feeds and entries
//! mirrored from the account, the queue of local read/star changes waiting to be pushed, and the
//! account's cursor.
//!
//! A change to an account entry is queued in the same transaction that makes it, so it survives
//! a crash, offline work and a restart; a queued change wins over the server until it is pushed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};

use super::entries::{store_entries, IndexRows, Seen};
use super::marks;
use super::{Result, Store};
use crate::model::{EntryId, FeedId, NewEntry};
use crate::text::scrub::scrub_line;

/// A subscription as the account lists it (folder already normalised).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteFeed {
    /// The stream id, `feed/1`.
    pub remote_id: String,
    pub url: String,
    pub title: String,
    pub site_url: Option<String>,
    pub folder: Option<String>,
}

/// An entry pulled from the account, with its states there.
#[derive(Debug, Clone)]
pub struct RemoteEntry {
    pub remote_id: i64,
    pub entry: NewEntry,
    pub read: bool,
    pub starred: bool,
}

/// What mirroring the account's subscriptions changed locally.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MirrorReport {
    /// Feeds new to the cache.
    pub added: usize,
    /// Local feeds that turned out to be the account's too, now one feed.
    pub joined: usize,
    /// Feeds whose title, folder or URL the account changed.
    pub changed: usize,
    /// Account feeds the account no longer has.
    pub removed: usize,
}

/// The read or starred state of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncedState {
    Read,
    Starred,
}

impl SyncedState {
    fn column(self) -> &'static str {
        match self {
            SyncedState::Read => "read",
            SyncedState::Starred => "starred",
        }
    }
}

/// A local change waiting to be pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedChange {
    pub entry_id: EntryId,
    pub remote_id: i64,
    pub state: SyncedState,
    pub value: bool,
}

/// A whole account feed marked read locally, up to the account's time (µs) of the last pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMark {
    pub feed_id: FeedId,
    pub stream: String,
    pub up_to_usec: i64,
}

/// The `sync_state` key of the account's time (µs) when the last pull began.
pub const PULLED_USEC: &str = "pulled_usec";

impl Store {
    /// Makes the account's subscriptions the cache's account feeds: new ones are added, a local
    /// feed with the same URL joins the account, titles, folders and URLs follow the account, and
    /// account feeds it no longer lists are removed with their entries. Local feeds stay.
    /// Returns the report and each stream id's feed.
    pub fn mirror_feeds(
        &mut self,
        feeds: &[RemoteFeed],
    ) -> Result<(MirrorReport, HashMap<String, FeedId>)> {
        let tx = self.write()?;
        let mut report = MirrorReport::default();
        let mut ids = HashMap::with_capacity(feeds.len());
        {
            let mut by_remote = tx.prepare_cached(
                "SELECT id, url, title, site_url, folder FROM feeds WHERE remote_id = ?1",
            )?;
            let mut by_url =
                tx.prepare_cached("SELECT id FROM feeds WHERE url = ?1 AND remote_id IS NULL")?;
            let mut update = tx.prepare_cached(
                "UPDATE feeds SET remote_id = ?2, title = ?3, site_url = COALESCE(?4, site_url), \
                 folder = ?5, url = CASE WHEN EXISTS (SELECT 1 FROM feeds o WHERE o.url = ?6 \
                 AND o.id <> ?1) THEN url ELSE ?6 END WHERE id = ?1",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO feeds (url, title, site_url, folder, remote_id, added_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (url) DO NOTHING",
            )?;
            let now = Utc::now().timestamp();
            for f in feeds {
                let title = scrub_line(&f.title);
                let site = f.site_url.as_deref().map(scrub_line);
                let url = scrub_line(&f.url);
                type Row = (
                    FeedId,
                    String,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                );
                let known: Option<Row> = by_remote
                    .query_row([&f.remote_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })
                    .optional()?;
                let id = match known {
                    Some((id, old_url, old_title, old_site, old_folder)) => {
                        let same = old_url == url
                            && old_title.as_deref() == Some(title.as_str())
                            && (site.is_none() || old_site == site)
                            && old_folder == f.folder;
                        if !same {
                            report.changed += 1;
                        }
                        id
                    }
                    None => match by_url.query_row([&url], |r| r.get(0)).optional()? {
                        Some(id) => {
                            report.joined += 1;
                            id
                        }
                        None => {
                            if insert.execute(params![
                                url,
                                title,
                                site,
                                f.folder,
                                f.remote_id,
                                now
                            ])? == 0
                            {
                                // Another account feed already has this URL (a server listing
                                // one feed twice): the first one stands for both.
                                continue;
                            }
                            report.added += 1;
                            ids.insert(f.remote_id.clone(), tx.last_insert_rowid());
                            continue;
                        }
                    },
                };
                update.execute(params![id, f.remote_id, title, site, f.folder, url])?;
                ids.insert(f.remote_id.clone(), id);
            }
        }
        let listed: HashSet<&str> = feeds.iter().map(|f| f.remote_id.as_str()).collect();
        let all: Vec<(FeedId, String)> = tx
            .prepare("SELECT id, remote_id FROM feeds WHERE remote_id IS NOT NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let stale: Vec<(FeedId, String)> = all
            .into_iter()
            .filter(|(_, remote)| !listed.contains(remote.as_str()))
            .collect();
        for (id, _) in &stale {
            tx.execute("DELETE FROM feeds WHERE id = ?1", [id])?;
        }
        report.removed = stale.len();
        tx.commit()?;
        Ok((report, ids))
    }

    /// The account feeds here: (stream id, title, starred entries).
    pub fn account_feeds(&self) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.remote_id, COALESCE(NULLIF(f.user_title, ''), f.title, f.url), \
             IFNULL((SELECT c.starred FROM feed_counts c WHERE c.feed_id = f.id), 0) \
             FROM feeds f WHERE f.remote_id IS NOT NULL ORDER BY f.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Stores a page of entries pulled from the account, grouped by feed, in one transaction;
    /// returns how many were new. An entry already pulled keeps its row; a post the cache holds
    /// from the feed itself (same feed, same link) becomes the account's entry instead of a
    /// second copy. Read and starred follow the account unless a local change is queued.
    pub fn store_remote_entries(
        &mut self,
        groups: Vec<(FeedId, Vec<RemoteEntry>)>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let tx = self.write()?;
        let mut new = 0;
        for (feed_id, entries) in groups {
            new += store_remote_group(&tx, feed_id, entries, now)?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// Applies the account's unread and starred sets to every account entry without a queued
    /// local change (an entry the account no longer lists as unread is read). Returns how many
    /// read and starred flags changed.
    pub fn apply_remote_states(
        &mut self,
        unread: &[i64],
        starred: &[i64],
    ) -> Result<(usize, usize)> {
        let tx = self.write()?;
        let mut changed = [0; 2];
        for ((state, ids), n) in [(SyncedState::Read, unread), (SyncedState::Starred, starred)]
            .into_iter()
            .zip(changed.iter_mut())
        {
            tx.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS sync_ids (id INTEGER PRIMARY KEY); \
                 DELETE FROM temp.sync_ids;",
            )?;
            {
                let mut put =
                    tx.prepare_cached("INSERT OR IGNORE INTO temp.sync_ids VALUES (?1)")?;
                for id in ids {
                    put.execute([id])?;
                }
            }
            // Read is the absence from the unread set; starred the presence in the starred one.
            let value = match state {
                SyncedState::Read => "(e.remote_id NOT IN (SELECT id FROM temp.sync_ids))",
                SyncedState::Starred => "(e.remote_id IN (SELECT id FROM temp.sync_ids))",
            };
            let col = state.column();
            let marked = match state {
                SyncedState::Read => "AND e.feed_id NOT IN (SELECT feed_id FROM sync_marks)",
                SyncedState::Starred => "",
            };
            let flag = match state {
                SyncedState::Read => marks::Flag::Read,
                SyncedState::Starred => marks::Flag::Starred,
            };
            *n = marks::set_flags(
                &tx,
                flag,
                &format!(
                    "SELECT e.id, {value} FROM entries AS e WHERE e.remote_id IS NOT NULL \
                     AND e.{col} <> {value} AND NOT EXISTS (SELECT 1 FROM sync_queue q \
                     WHERE q.entry_id = e.id AND q.state = '{col}') {marked}"
                ),
                [],
            )?;
        }
        tx.execute("DELETE FROM temp.sync_ids", [])?;
        tx.commit()?;
        Ok((changed[0], changed[1]))
    }

    /// Which of these account item ids the cache holds.
    pub fn known_remote_ids(&self, ids: &[i64]) -> Result<HashSet<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM entries WHERE remote_id = ?1)")?;
        let mut known = HashSet::new();
        for id in ids {
            if stmt.query_row([id], |r| r.get::<_, bool>(0))? {
                known.insert(*id);
            }
        }
        Ok(known)
    }

    /// The local changes waiting to be pushed, oldest entries first.
    pub fn queued_changes(&self) -> Result<Vec<QueuedChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT q.entry_id, e.remote_id, q.state, q.value FROM sync_queue q \
             JOIN entries e ON e.id = q.entry_id WHERE e.remote_id IS NOT NULL \
             ORDER BY q.entry_id, q.state",
        )?;
        let rows = stmt.query_map([], |r| {
            let state: String = r.get(2)?;
            Ok(QueuedChange {
                entry_id: r.get(0)?,
                remote_id: r.get(1)?,
                state: if state == "read" {
                    SyncedState::Read
                } else {
                    SyncedState::Starred
                },
                value: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The feeds marked read as a whole, waiting to be pushed.
    pub fn queued_marks(&self) -> Result<Vec<QueuedMark>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.feed_id, f.remote_id, m.up_to FROM sync_marks m \
             JOIN feeds f ON f.id = m.feed_id WHERE f.remote_id IS NOT NULL ORDER BY m.feed_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(QueuedMark {
                feed_id: r.get(0)?,
                stream: r.get(1)?,
                up_to_usec: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Drops pushed changes from the queue; a change made again since (another value) stays.
    pub fn unqueue(&mut self, pushed: &[QueuedChange]) -> Result<()> {
        super::pause::before_unqueue();
        let tx = self.write()?;
        {
            let mut del = tx.prepare_cached(
                "DELETE FROM sync_queue WHERE entry_id = ?1 AND state = ?2 AND value = ?3",
            )?;
            for c in pushed {
                del.execute(params![c.entry_id, c.state.column(), c.value])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Drops a pushed mark, unless the feed was marked again later.
    pub fn unmark(&mut self, mark: &QueuedMark) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "DELETE FROM sync_marks WHERE feed_id = ?1 AND up_to <= ?2",
            params![mark.feed_id, mark.up_to_usec],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A value of the account's state (cursor, last sync).
    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_sync_value(&mut self, key: &str, value: &str) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// How many local changes wait to be pushed (entries' states, and whole feeds marked read).
    pub fn queued_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM sync_queue) + (SELECT COUNT(*) FROM sync_marks)",
            [],
            |r| r.get(0),
        )?)
    }
}

/// Queues a changed state of these entries where they are account entries (inside the
/// transaction that changed them).
pub(super) fn queue_states(
    tx: &Transaction<'_>,
    ids: &[EntryId],
    state: SyncedState,
    value: bool,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_queue (entry_id, state, value) \
         SELECT id, ?2, ?3 FROM entries WHERE id = ?1 AND remote_id IS NOT NULL \
         ON CONFLICT (entry_id, state) DO UPDATE SET value = excluded.value",
    )?;
    for id in ids {
        stmt.execute(params![id, state.column(), value])?;
    }
    Ok(())
}

/// Queues a whole account feed marked read: one mark-all-as-read up to the last pull's time.
/// Returns false (nothing queued) for a local feed, or before the first pull.
pub(super) fn queue_mark(tx: &Transaction<'_>, feed_id: FeedId) -> Result<bool> {
    let up_to: Option<String> = tx
        .prepare_cached("SELECT value FROM sync_state WHERE key = ?1")?
        .query_row([PULLED_USEC], |r| r.get(0))
        .optional()?;
    let Some(up_to) = up_to.and_then(|v| v.parse::<i64>().ok()) else {
        return Ok(false);
    };
    let n = tx.execute(
        "INSERT INTO sync_marks (feed_id, up_to) SELECT id, ?2 FROM feeds \
         WHERE id = ?1 AND remote_id IS NOT NULL \
         ON CONFLICT (feed_id) DO UPDATE SET up_to = MAX(up_to, excluded.up_to)",
        params![feed_id, up_to],
    )?;
    if n > 0 {
        // The mark is the user's last word on the feed's entries: a per-entry change queued
        // before it (an "unread") would be pushed after it and undo it, so it becomes "read".
        // A change made after the mark replaces this one and is pushed after the mark.
        tx.execute(
            "UPDATE sync_queue SET value = 1 WHERE state = 'read' AND value = 0 \
             AND entry_id IN (SELECT id FROM entries WHERE feed_id = ?1)",
            [feed_id],
        )?;
    }
    Ok(n > 0)
}

fn store_remote_group(
    tx: &Transaction<'_>,
    feed_id: FeedId,
    entries: Vec<RemoteEntry>,
    now: DateTime<Utc>,
) -> Result<usize> {
    super::feeds::ensure_feed(tx, feed_id)?;
    // Posts the feed itself brought (refreshed or backfilled before the feed joined the
    // account), by link: the account's copy of one of them is the same entry.
    let mut local_by_link: HashMap<String, Vec<(String, String)>> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT link, guid, title FROM entries WHERE feed_id = ?1 AND remote_id IS NULL \
             AND link IS NOT NULL",
        )?;
        let rows = stmt.query_map([feed_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (link, guid, title): (String, String, String) = row?;
            local_by_link.entry(link).or_default().push((guid, title));
        }
    }
    // Items of this group sharing a link (a journal's table of contents) are told apart by
    // their titles when they adopt a local row.
    let mut links_here: HashMap<String, usize> = HashMap::new();
    for r in &entries {
        if let Some(l) = &r.entry.link {
            *links_here.entry(l.clone()).or_default() += 1;
        }
    }
    let mut by_remote =
        tx.prepare_cached("SELECT guid FROM entries WHERE remote_id = ?1 AND feed_id = ?2")?;
    let mut claimed: HashSet<String> = HashSet::new();
    let mut keyed = Vec::with_capacity(entries.len());
    let mut states = Vec::with_capacity(entries.len());
    for mut r in entries {
        let known: Option<String> = by_remote
            .query_row(params![r.remote_id, feed_id], |row| row.get(0))
            .optional()?;
        // One entry per server item: an item already pulled keeps its row; a new one may adopt
        // a local row of the same post (see `adoptable`), else it is keyed by its own item id,
        // never by a link or title that other items can share.
        r.entry.guid = match known {
            Some(guid) => guid,
            None => match adoptable(&r.entry, &local_by_link, &links_here, &claimed) {
                Some(guid) => guid,
                None => item_key(r.remote_id),
            },
        };
        claimed.insert(r.entry.guid.clone());
        states.push((r.entry.guid.clone(), r.remote_id, r.read, r.starred));
        keyed.push(r.entry);
    }
    let mut index = IndexRows::default();
    let new = store_entries(tx, feed_id, &keyed, now, Seen::Account, &mut index)?;
    index.write(tx)?;
    set_remote_states(tx, feed_id, &states)?;
    Ok(new)
}

/// Gives a group's entries their item ids and, unless a local change is queued, the account's
/// read and starred flags: each flag one bulk mark (see `marks`), so that a pull of many read
/// items does not pay the counters' per-row triggers. An item id another entry holds already
/// leaves this entry as it was.
fn set_remote_states(
    tx: &Transaction<'_>,
    feed_id: FeedId,
    states: &[(String, i64, bool, bool)],
) -> Result<()> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS pulled (guid TEXT PRIMARY KEY, \
         remote_id INTEGER NOT NULL, read INTEGER NOT NULL, starred INTEGER NOT NULL); \
         DELETE FROM temp.pulled;",
    )?;
    let mut put =
        tx.prepare_cached("INSERT OR REPLACE INTO temp.pulled VALUES (?1, ?2, ?3, ?4)")?;
    let mut set_id = tx.prepare_cached(
        "UPDATE entries AS e SET remote_id = ?3 WHERE feed_id = ?1 AND guid = ?2 \
         AND NOT EXISTS (SELECT 1 FROM entries o WHERE o.remote_id = ?3 AND o.id <> e.id)",
    )?;
    for (guid, remote_id, read, starred) in states {
        put.execute(params![guid, remote_id, read, starred])?;
        set_id.execute(params![feed_id, guid, remote_id])?;
    }
    for flag in [marks::Flag::Read, marks::Flag::Starred] {
        let col = flag.column();
        marks::set_flags(
            tx,
            flag,
            &format!(
                "SELECT e.id, p.{col} FROM temp.pulled p JOIN entries e \
                 ON e.feed_id = ?1 AND e.guid = p.guid WHERE e.remote_id = p.remote_id \
                 AND e.{col} <> p.{col} AND NOT EXISTS (SELECT 1 FROM sync_queue q \
                 WHERE q.entry_id = e.id AND q.state = '{col}')"
            ),
            [feed_id],
        )?;
    }
    tx.execute("DELETE FROM temp.pulled", [])?;
    Ok(())
}

/// The local row (not pulled from the account) that a new account item is the same post as:
/// one with its link that no other item claimed, and its title too when several local rows or
/// several items of the group share that link.
fn adoptable(
    entry: &NewEntry,
    local_by_link: &HashMap<String, Vec<(String, String)>>,
    links_here: &HashMap<String, usize>,
    claimed: &HashSet<String>,
) -> Option<String> {
    let link = entry.link.as_ref()?;
    let free: Vec<&(String, String)> = local_by_link
        .get(link)?
        .iter()
        .filter(|(guid, _)| !claimed.contains(guid))
        .collect();
    if let Some((guid, _)) = free.iter().find(|(_, title)| *title == entry.title) {
        return Some(guid.clone());
    }
    let shared = local_by_link[link].len() > 1 || links_here.get(link).copied().unwrap_or(0) > 1;
    match free.as_slice() {
        [(guid, _)] if !shared => Some(guid.clone()),
        _ => None,
    }
}

/// The key of an account item with no local row: its item id, in the API's long form.
fn item_key(remote_id: i64) -> String {
    format!("tag:google.com,2005:reader/item/{:016x}", remote_id as u64)
}
