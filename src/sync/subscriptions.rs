//! Subscribing, unsubscribing, moving and renaming an account's feeds: on the server first, and
//! then, from the server's own list, in the cache. An error from the server changes nothing here.

use super::engine::{Removals, SyncEngine};
use super::error::Result;
use super::{SyncError, SyncEvent};
use crate::model::FeedId;

impl SyncEngine<'_> {
    /// Subscribes the account to `url` (an http(s) URL already checked), mirrors the account's
    /// list and pulls the new feed's entries from the server; returns the feed here.
    pub fn subscribe(&mut self, url: &str) -> Result<FeedId> {
        let stream = self.rt.block_on(self.client.quickadd(url))?;
        let (_, streams) = self.mirror(Removals::Checked)?;
        let feed_id = *streams.get(&stream).ok_or_else(|| SyncError::Server {
            endpoint: "subscription/list".to_string(),
            message: format!("the server subscribed {stream} but does not list it"),
        })?;
        let mut ignore = |_: &SyncEvent| {};
        self.pull(&stream, None, &streams, &mut ignore)?;
        Ok(feed_id)
    }

    /// Unsubscribes the account from a feed; the mirror then removes it here.
    pub fn unsubscribe(&mut self, stream: &str) -> Result<()> {
        self.rt.block_on(self.client.unsubscribe(stream))?;
        self.mirror(Removals::Expected(stream))?;
        Ok(())
    }

    /// Moves an account feed to a folder (label), or out of `old` with `None`.
    pub fn set_folder(&mut self, stream: &str, old: Option<&str>, new: Option<&str>) -> Result<()> {
        self.edit(stream, None, Some(new), old)
    }

    /// Renames an account feed on the server (the title every client of the account shows).
    pub fn rename(&mut self, stream: &str, title: &str) -> Result<()> {
        self.edit(stream, Some(title), None, None)
    }

    /// Edits the subscription on the server and mirrors the account's list here.
    fn edit(
        &mut self,
        stream: &str,
        title: Option<&str>,
        folder: Option<Option<&str>>,
        old: Option<&str>,
    ) -> Result<()> {
        let edit = self.client.edit_subscription(stream, title, folder, old);
        self.rt.block_on(edit)?;
        self.mirror(Removals::Checked)?;
        Ok(())
    }
}
