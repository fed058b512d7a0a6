//! The library's door to the account: thin wrappers over [`crate::sync`], which is given the
//! cache, the runtime and the settings it needs and knows nothing of the library.

use crate::library::{AddReport, Error, Result};
use crate::model::FeedId;
use crate::sync::greader::Account;
use crate::sync::{SyncEngine, SyncEvent, SyncOptions, SyncReport, SyncStatus};
use crate::Library;

impl Library {
    /// Whether `[sync]` names an account.
    pub fn sync_configured(&self) -> bool {
        self.config.sync.is_some()
    }

    /// The configured account, its password read now.
    pub fn sync_account(&self) -> Result<Account> {
        let account =
            crate::sync::account::account(self.config.sync.as_ref(), &self.paths().config_file);
        account.map_err(|e| self.sync_err(e.into()))
    }

    /// Logs in and returns the user's name on the server.
    pub fn sync_login(&mut self) -> Result<String> {
        self.on_account(|engine| engine.user_name())
    }

    /// The account, the last sync and what waits to be pushed; no network.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let config_file = &self.paths().config_file;
        let status = crate::sync::status(&self.store, self.config.sync.as_ref(), config_file);
        status.map_err(|e| self.sync_err(e))
    }

    /// Pushes the queued changes, mirrors the subscriptions, pulls new entries and applies the
    /// account's read and starred states.
    pub fn sync(
        &mut self,
        opts: &SyncOptions,
        on_event: &mut dyn FnMut(&SyncEvent),
    ) -> Result<SyncReport> {
        // The configured name: asking the server costs a request (`sync login` does).
        let user = (self.config.sync.as_ref())
            .map(|s| s.username.clone())
            .unwrap_or_default();
        self.on_account(|engine| engine.sync(user, opts, on_event))
    }

    /// Pushes the queued local changes only (the reader does this shortly after changes);
    /// returns how many were pushed.
    pub fn push_queued(&mut self) -> Result<usize> {
        let queued = self.store.queued_count().map_err(|e| self.store_err(e))?;
        if queued == 0 {
            return Ok(0);
        }
        self.on_account(|engine| engine.push().map(|(changes, marks)| changes + marks))
    }

    /// The feed's stream id on the account, when it is an account feed and an account is
    /// configured (without one, former account feeds are local feeds).
    pub(crate) fn account_stream(&self, feed: FeedId) -> Result<Option<(String, Option<String>)>> {
        if !self.sync_configured() {
            return Ok(None);
        }
        let f = self
            .feed(feed)?
            .ok_or(Error::NoSuchFeed(feed.to_string()))?;
        Ok(f.remote_id.map(|r| (r, f.folder)))
    }

    /// Subscribes the account to `url`, mirrors the account's list and pulls the new feed's
    /// entries from the server.
    pub(crate) fn add_on_account(&mut self, url: &str) -> Result<AddReport> {
        let checked = crate::net::urls::check_url(url)?;
        let feed_id = self.on_account(|engine| engine.subscribe(checked.as_str()))?;
        let feed = self
            .feed(feed_id)?
            .ok_or(Error::NoSuchFeed(feed_id.to_string()))?;
        Ok(AddReport {
            feed_id,
            url: feed.url,
            title: feed.title,
            entries: feed.entries as usize,
            added: true,
            discovered_from: None,
        })
    }

    /// Unsubscribes the account from a feed; the mirror then removes it here.
    pub(crate) fn remove_on_account(&mut self, stream: &str) -> Result<()> {
        self.on_account(|engine| engine.unsubscribe(stream))
    }

    /// Moves an account feed to a folder (label), or out of `old` with `None`.
    pub(crate) fn folder_on_account(
        &mut self,
        stream: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<()> {
        self.on_account(|engine| engine.set_folder(stream, old, new))
    }

    /// Renames an account feed on the server (the title every client of the account shows).
    pub(crate) fn rename_on_account(&mut self, stream: &str, title: &str) -> Result<()> {
        self.on_account(|engine| engine.rename(stream, title))
    }

    /// Logs in to the configured account and runs `work` with the signed-in engine.
    fn on_account<T>(
        &mut self,
        work: impl FnOnce(&mut SyncEngine<'_>) -> crate::sync::Result<T>,
    ) -> Result<T> {
        let account = self.sync_account()?;
        let rt = self.runtime()?;
        let done = SyncEngine::login(&mut self.store, rt, &account, &self.config.fetch)
            .and_then(|mut engine| work(&mut engine));
        done.map_err(|e| self.sync_err(e))
    }

    /// A sync error as the library's: a cache error names the cache file, as every other does.
    fn sync_err(&self, e: crate::sync::Error) -> Error {
        match e {
            crate::sync::Error::Store(source) => self.store_err(source),
            other => Error::Sync(other),
        }
    }
}
