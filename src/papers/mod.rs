//! The paper side: what a DOI points to. `resolve` asks a DOI resolver by content negotiation
//! (CSL JSON, BibTeX); `cite` turns the answer into a citation and clean BibTeX (`ris`: RIS); `styles`
//! renders a citation in a CSL style (hayagriva), from the item `csl` builds; `zotero` makes
//! the Zotero item and speaks Zotero's connector protocol. Finding DOIs in
//! text is below, in `crate::text::doi`, because the parser needs it.
//!
//! Layer: below the library, beside feeds and sync. May use `crate::net`, `crate::text`,
//! `crate::model` and `crate::config`.

pub mod access;
pub mod cite;
pub mod csl;
pub mod health;
pub mod resolve;
pub mod ris;
pub mod services;
pub mod styles;
pub mod zotero;
