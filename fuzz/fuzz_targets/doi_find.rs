//! DOI finding in text, HTML, links and metadata values: never panics, finds only clean DOIs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for d in paperboy::doi::find_in_text(&s) {
        assert!(d.starts_with("10."), "{d:?}");
        assert!(paperboy::scrub::is_clean(&d), "{d:?}");
    }
    let mut set = paperboy::doi::DoiSet::new();
    set.add_html(&s);
    set.add_text(&s);
    set.add_link(&s);
    set.add_meta(&s);
    for f in set.into_vec() {
        assert!(paperboy::scrub::is_clean(&f.doi), "{:?}", f.doi);
    }
    let _ = paperboy::doi::from_url(&s);
    let _ = paperboy::doi::from_meta(&s);
    let _ = paperboy::doi::normalize(&s);
});
