//! Sync with a feed server.

pub mod greader;
mod wire;
