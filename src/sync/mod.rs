//! Sync with a Google Reader API account (FreshRSS, Miniflux, Inoreader, ...): the protocol
//! client (`greader/`), the account's settings (`account`), the sync itself (`engine`) and the
//! account's subscriptions (`subscriptions`).
//!
//! The engine is given what it needs (the cache's [`Store`](crate::store::Store), a runtime,
//! the `[sync]` and `[fetch]` settings) and returns its own [`Error`]. It may use the network
//! client's helpers (`net`), the store, the model, the config, text scrubbing and, beside it,
//! the feed side's entry cleaning (`feeds::parse::clean_entry`: a server's item becomes an entry
//! exactly as a fetched one does); never the library, which sits above it and wraps it for the
//! CLI and the reader.

pub mod account;
pub mod engine;
mod error;
pub mod greader;
mod subscriptions;

pub use account::AccountError;
pub use engine::{status, SyncEngine, SyncEvent, SyncOptions, SyncReport, SyncStatus};
pub use error::{Error, Result};
pub use greader::SyncError;
