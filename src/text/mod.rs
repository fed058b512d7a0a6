//! Text primitives: what every layer above does to untrusted text before it is stored, searched
//! or drawn. `scrub` removes what must never reach a terminal, `html` scans HTML cheaply (plain
//! text, entities, links), `render` turns HTML into styled terminal lines, `width` measures
//! columns per grapheme cluster, `doi` finds DOIs in text and `ids` every paper identifier (arXiv,
//! PubMed, PMC, bioRxiv, COinS) with them (the parser needs both at parse time, so they live
//! here, below the parser).
//!
//! Layer: the bottom. May use `crate::model` only; nothing here does I/O.

pub mod doi;
pub mod html;
pub mod ids;
pub mod render;
pub mod scrub;
pub mod width;
