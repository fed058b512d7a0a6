//! The feed side: reading feeds and their history (parsing, discovery, OPML, backfill).
//!
//! Below the library and beside papers and sync: it may use `net` (today's `fetch`), `text`,
//! `model`, `config` and `store` types, and never imports from `library`, the front ends or
//! `sync`.

pub mod backfill;
