//! Tests of the reader without a terminal: keys → actions → state and effects, and snapshots of
//! every pane and overlay rendered on ratatui's TestBackend.
