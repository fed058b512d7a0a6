//! HTML → terminal text: never panics, never emits a control character, at any width.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperboy::fuzzing::html_text(data));
