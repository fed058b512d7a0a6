//! The feed side: documents to entries, and a feed's history. `parse` turns RSS, Atom, RDF and
//! JSON Feed bytes into a `ParsedFeed` (with the repairs real feeds need), `discover` finds a
//! page's feeds, `opml` reads and writes subscription lists, and `backfill` walks a blog's
//! older pages (WordPress, RFC 5005, Blogger, JSON Feed).
//!
//! Layer: below the library, beside papers and sync. May use `crate::net`, `crate::text`,
//! `crate::model`, `crate::config` and (backfill only, to save pages) `crate::store`; never
//! `library`, `sync` or the front ends.

pub mod backfill;
pub mod discover;
pub mod opml;
pub mod parse;
