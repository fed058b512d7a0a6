//! Subscribing, unsubscribing, moving and renaming an account's feeds: on the server first, and
//! then, from the server's own list, in the cache. An error from the server changes nothing here.

use super::engine::Removals;
use super::greader::GReader;
use crate::library::{AddReport, Error, Result};
use crate::model::FeedId;
use crate::Library;

impl Library {
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
        let (rt, client) = self.connect()?;
        let stream = rt.block_on(client.quickadd(checked.as_str()))?;
        let (_, streams) = self.mirror(&rt, &client, Removals::Checked)?;
        let feed_id = *streams.get(&stream).ok_or_else(|| {
            Error::Sync(super::SyncError::Server {
                endpoint: "subscription/list".to_string(),
                message: format!("the server subscribed {stream} but does not list it"),
            })
        })?;
        let mut ignore = |_: &super::SyncEvent| {};
        self.pull(&rt, &client, &stream, None, &streams, &mut ignore)?;
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
        let (rt, client) = self.connect()?;
        rt.block_on(client.unsubscribe(stream))?;
        self.mirror(&rt, &client, Removals::Expected(stream))?;
        Ok(())
    }

    /// Moves an account feed to a folder (label), or out of `old` with `None`.
    pub(crate) fn folder_on_account(
        &mut self,
        stream: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<()> {
        self.on_account(|rt, client| {
            rt.block_on(client.edit_subscription(stream, None, Some(new), old))
        })
    }

    /// Renames an account feed on the server (the title every client of the account shows).
    pub(crate) fn rename_on_account(&mut self, stream: &str, title: &str) -> Result<()> {
        self.on_account(|rt, client| {
            rt.block_on(client.edit_subscription(stream, Some(title), None, None))
        })
    }

    /// Logs in, runs `change` on the server and mirrors the account's list here.
    fn on_account(
        &mut self,
        change: impl FnOnce(
            &tokio::runtime::Runtime,
            &GReader,
        ) -> std::result::Result<(), super::SyncError>,
    ) -> Result<()> {
        let (rt, client) = self.connect()?;
        change(&rt, &client)?;
        self.mirror(&rt, &client, Removals::Checked)?;
        Ok(())
    }
}
