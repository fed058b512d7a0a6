//! paperboy: a terminal reader for research blog feeds.
//!
//! The library is the only door to the cache and the network: the CLI (`src/cli/`) and the TUI
//! (`src/tui/`) both go through [`Library`].

pub mod config;
pub mod demo;
pub mod feeds;
#[doc(hidden)]
pub mod fuzzing;
pub mod library;
pub mod model;
pub mod net;
pub mod open;
pub mod papers;
pub mod paths;
pub mod store;
pub mod sync;
pub mod text;
pub mod timing;

pub use library::{Error, Library};
pub mod tui;
