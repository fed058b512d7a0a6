//! Text primitives: what every layer above does to untrusted text before it is stored, searched
//! or drawn. `scrub` removes what must never reach a terminal, `html` scans HTML cheaply (plain
//! text, entities, links), `render` turns HTML into styled terminal lines, `width` measures
//! columns per grapheme cluster, and `doi` finds DOIs in text (the parser needs it at parse time,
//! so it lives here, below the parser).
//!
//! Layer: the bottom. May use `crate::model` only; nothing here does I/O.

pub mod doi;
pub mod html;
pub mod render;
pub mod scrub;
pub mod width;
