//! The paper side: what a DOI points to. `resolve` asks a DOI resolver by content negotiation
//! (CSL JSON, BibTeX); `cite` turns the answer into a citation line and clean BibTeX. Finding
//! DOIs in text is below, in `crate::text::doi`, because the parser needs it.
//!
//! Layer: below the library, beside feeds and sync. May use `crate::net`, `crate::text`,
//! `crate::model` and `crate::config`.

pub mod cite;
pub mod resolve;
pub mod services;
