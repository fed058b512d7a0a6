//! Folders, stars, the user's feed titles and bulk read (issue 12), as `impl Library`.
//!
//! A feed is in at most one folder and an entry is read or not, starred or not: the model of a
//! Google Reader API server (labels on subscriptions; `read` and `starred` item states).

use crate::library::{Error, Result};
use crate::model::{folder_name, EntryId, Feed, FeedId, FolderCount, MonthCount};
use crate::store::ListQuery;
use crate::text::scrub::scrub_line;
use crate::Library;

impl Library {
    /// Moves a feed into `folder` (created by being used), or out of any with `None`.
    pub fn set_folder(&mut self, feed: FeedId, folder: Option<&str>) -> Result<Option<String>> {
        let name = folder.map(folder_name).transpose()?;
        if let Some((stream, old)) = self.account_stream(feed)? {
            self.folder_on_account(&stream, old.as_deref(), name.as_deref())?;
            return Ok(name);
        }
        let r = self.store.set_folder(feed, name.as_deref());
        r.map_err(|e| self.store_err(e))?;
        Ok(name)
    }

    /// Every folder with its feed, entry and unread counts (nested folders included).
    pub fn folders(&self) -> Result<Vec<FolderCount>> {
        self.store.folders().map_err(|e| self.store_err(e))
    }

    /// The folder a user names, as stored; an error if no feed is in it or in a folder nested in
    /// it.
    pub fn find_folder(&self, spec: &str) -> Result<String> {
        let name = folder_name(spec)?;
        let folders = self.folders()?;
        if folders.iter().any(|f| f.name == name) {
            return Ok(name);
        }
        // Case is forgiven when it picks one folder.
        let lower = name.to_lowercase();
        let mut matches = folders.iter().filter(|f| f.name.to_lowercase() == lower);
        match (matches.next(), matches.next()) {
            (Some(one), None) => Ok(one.name.clone()),
            _ => Err(Error::NoSuchFolder(name)),
        }
    }

    /// The feeds of a folder and of the folders nested in it.
    pub fn feeds_in_folder(&self, spec: &str) -> Result<Vec<Feed>> {
        let name = self.find_folder(spec)?;
        let r = self.store.feeds_in_folder(&name);
        r.map_err(|e| self.store_err(e))
    }

    /// Renames a folder (and those nested in it); returns the new name and how many feeds moved.
    pub fn rename_folder(&mut self, old: &str, new: &str) -> Result<(String, usize)> {
        let old = self.find_folder(old)?;
        let new = folder_name(new)?;
        let before = self.store.feeds_in_folder(&old);
        let before = before.map_err(|e| self.store_err(e))?;
        // An account's feeds move on the server, one by one (a label may hold others' feeds).
        for f in &before {
            if let Some((stream, Some(folder))) = self.account_stream(f.id)? {
                let moved = format!("{new}{}", &folder[old.len()..]);
                self.folder_on_account(&stream, Some(&folder), Some(&moved))?;
            }
        }
        let r = self.store.rename_folder(&old, &new);
        r.map_err(|e| self.store_err(e))?;
        // Counted from where the feeds are now: the account's moved with the server's list (the
        // mirror after each change), before the local rename, which so never counted them.
        let after = self.store.feeds_in_folder(&new);
        let after = after.map_err(|e| self.store_err(e))?;
        let moved = after
            .iter()
            .filter(|f| before.iter().any(|b| b.id == f.id))
            .count();
        Ok((new, moved))
    }

    /// Stars or unstars entries (each must exist); returns how many changed.
    pub fn set_starred(&mut self, ids: &[EntryId], starred: bool) -> Result<usize> {
        for id in ids {
            self.entry(*id)?;
        }
        let r = self.store.set_starred(ids, starred);
        r.map_err(|e| self.store_err(e))
    }

    /// Gives a feed a title of the user's own (`None`: back to the feed's title).
    pub fn rename_feed(&mut self, feed: FeedId, title: Option<&str>) -> Result<()> {
        let title = title.map(scrub_line).map(|t| t.trim().to_string());
        if title.as_deref() == Some("") {
            return Err(Error::EmptyTitle);
        }
        if let Some((stream, _)) = self.account_stream(feed)? {
            // The server keeps one title per subscription, and no feed title to return to.
            let title = title.ok_or(Error::AccountTitle)?;
            return self.rename_on_account(&stream, &title);
        }
        let r = self.store.set_user_title(feed, title.as_deref());
        r.map_err(|e| self.store_err(e))
    }

    /// How many starred entries go if this feed is removed.
    pub fn starred_in_feed(&self, feed: FeedId) -> Result<i64> {
        self.store
            .starred_in_feed(feed)
            .map_err(|e| self.store_err(e))
    }

    /// Months of the entries `q` covers (its feed, folder, starred and unread filters).
    pub fn months_where(&self, q: &ListQuery) -> Result<Vec<MonthCount>> {
        if q.folder.is_none() && !q.starred_only && !q.unread_only && q.before.is_none() {
            return self.months(q.feed);
        }
        self.store.months_where(q).map_err(|e| self.store_err(e))
    }

    /// A folder's months with entry and unread counts only (`papers` 0), newest first.
    pub fn folder_month_counts(&self, folder: &str) -> Result<Vec<MonthCount>> {
        let r = self.store.folder_month_counts(folder);
        r.map_err(|e| self.store_err(e))
    }

    /// Distinct papers per month of a folder, in no order.
    pub fn folder_month_papers(&self, folder: &str) -> Result<Vec<(String, i64)>> {
        let r = self.store.folder_month_papers(folder);
        r.map_err(|e| self.store_err(e))
    }
}
