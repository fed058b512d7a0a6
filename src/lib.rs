//! paperboy: a terminal reader for research blog feeds.
//!
//! The library is the only door to the cache and the network: the CLI (`src/cli.rs`) and the TUI
//! (`src/tui/`) both go through [`Library`].

pub mod config;
pub mod doi;
pub mod fetch;
pub mod model;
pub mod opml;
pub mod parse;
pub mod scrub;
pub mod store;
pub mod text;
pub mod cite;
pub mod html;
pub mod open;
pub mod demo;
pub mod library;
pub mod paths;

pub use library::{Error, Library};
pub mod archive;
pub mod tui;
pub mod resolve;
pub mod citations;
