//! DOI finding in text, HTML, links and metadata values: never panics, finds only clean DOIs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperboy::fuzzing::doi_find(data));
