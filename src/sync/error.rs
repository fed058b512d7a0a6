//! What can go wrong in a sync or an account change. Each message says what failed and what
//! to do.

use super::{AccountError, SyncError};
use crate::store::StoreError;

/// An error of the sync engine. A cache error is left bare: the caller names the cache file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server, or the way to it.
    #[error("sync: {0}")]
    Client(#[from] SyncError),
    /// The `[sync]` settings.
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "sync: the account no longer lists {dropped} of the {feeds} feeds here ({titles}{}; \
         {} among them): nothing was removed; if you unsubscribed them, run \
         `paperboy sync --accept-removals`",
        if *dropped > 3 { ", ..." } else { "" },
        crate::text::render::count(*starred, "starred entry", "starred entries")
    )]
    RemovalsHeld {
        dropped: usize,
        feeds: usize,
        starred: i64,
        titles: String,
    },
}

pub type Result<T> = std::result::Result<T, Error>;
