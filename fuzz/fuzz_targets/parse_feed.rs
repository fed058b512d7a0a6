//! Bytes → entries: the whole parse pipeline; everything returned is free of control characters.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperboy::fuzzing::parse_feed(data));
