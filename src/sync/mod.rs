//! Sync with a Google Reader API account (FreshRSS, Miniflux, Inoreader, ...): the protocol
//! client, the account's settings and the sync itself.

pub mod account;
pub mod engine;
pub mod greader;
mod subscriptions;

pub use account::AccountError;
pub use engine::{SyncEvent, SyncOptions, SyncReport, SyncStatus};
pub use greader::SyncError;
