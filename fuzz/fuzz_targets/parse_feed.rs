//! Bytes → entries: the whole parse pipeline (encodings, raw pass, feed-rs, merge, JSON Feed).
//! Everything it returns must already be free of terminal control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paperboy::scrub::is_clean;

fuzz_target!(|data: &[u8]| {
    if let Ok(feed) = paperboy::parse::parse_feed(data, "http://fuzz.example/feed/") {
        if let Some(t) = &feed.title {
            assert!(is_clean(t), "feed title {t:?}");
        }
        for e in &feed.entries {
            assert!(is_clean(&e.title), "title {:?}", e.title);
            assert!(is_clean(&e.guid), "guid {:?}", e.guid);
            assert!(is_clean(&e.text), "text {:?}", e.text);
            if let Some(l) = &e.link {
                assert!(is_clean(l), "link {l:?}");
            }
            for a in &e.authors {
                assert!(is_clean(a), "author {a:?}");
            }
        }
    }
    let _ = paperboy::parse::looks_like_html(data);
    let _ = paperboy::parse::discover_feeds(data, "http://fuzz.example/");
});
