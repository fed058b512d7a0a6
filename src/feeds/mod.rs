//! The feed side: documents to entries. `parse` turns RSS, Atom, RDF and JSON Feed bytes into a
//! `ParsedFeed` (with the repairs real feeds need), `discover` finds a page's feeds, and `opml`
//! reads and writes subscription lists.
//!
//! Layer: below the library, beside papers and sync. May use `crate::net`, `crate::text` and
//! `crate::model`; nothing here touches the store.

pub mod discover;
pub mod opml;
pub mod parse;
