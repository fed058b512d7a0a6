//! The fuzz targets' bodies. `fuzz/fuzz_targets/*` are one-line wrappers around these, so that
//! `tests/fuzz_replay.rs` replays every committed seed and crash input on stable, without
//! libFuzzer, and the properties in `tests/reliability.rs` check the same promises.
//!
//! Each function panics (a fuzzer's "crash") when a promise breaks: never a panic inside, and
//! nothing returned that could reach a terminal with a control character in it.

use crate::text::scrub::{is_clean, is_forbidden};

/// Bytes → entries: the whole parse pipeline (encodings, raw pass, feed-rs, merge, JSON Feed).
pub fn parse_feed(data: &[u8]) {
    if let Ok(feed) = crate::feeds::parse::parse_feed(data, "http://fuzz.example/feed/") {
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
    let _ = crate::feeds::parse::looks_like_html(data);
    let _ = crate::feeds::discover::discover_feeds(data, "http://fuzz.example/");
}

/// DOI and paper-identifier finding in text, HTML, links and metadata values: finds only clean
/// DOIs and well-formed paper keys.
pub fn doi_find(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    for d in crate::text::doi::find_in_text(&s) {
        assert!(d.starts_with("10."), "{d:?}");
        assert!(is_clean(&d), "{d:?}");
    }
    let mut set = crate::text::doi::DoiSet::new();
    set.add_html(&s);
    set.add_text(&s);
    set.add_link(&s);
    set.add_meta(&s);
    for f in set.into_vec() {
        assert!(is_clean(&f.doi), "{:?}", f.doi);
    }
    // Every paper identifier: well-formed keys, clean ids and COinS fields.
    for p in crate::text::ids::find_papers(&s, &[&s]) {
        assert!(
            is_clean(&p.key) && !p.key.contains(char::is_whitespace),
            "{:?}",
            p.key
        );
        assert!(p.ids.iter().any(|id| id.key() == p.key), "{p:?}");
        if let Some(c) = &p.coins {
            let fields = [&c.title, &c.journal, &c.date, &c.volume, &c.start_page];
            for f in fields.into_iter().flatten().chain(&c.authors) {
                assert!(is_clean(f) && !f.contains('\n'), "{f:?}");
            }
        }
    }
    let _ = crate::text::doi::from_url(&s);
    let _ = crate::text::doi::from_meta(&s);
    let _ = crate::text::doi::normalize(&s);
}

/// HTML → terminal text at the width given by the first byte: never a control character.
pub fn html_text(data: &[u8]) {
    let Some((w, rest)) = data.split_first() else {
        return;
    };
    let width = usize::from(*w).max(1);
    let html = String::from_utf8_lossy(rest);
    let r = crate::text::render::render_html(&html, width);
    let plain = r.plain();
    assert!(!plain.chars().any(is_forbidden), "{plain:?}");
    for l in &r.links {
        assert!(is_clean(l), "{l:?}");
    }
    let _ = crate::text::html::to_plain_text(&html);
    let _ = crate::text::html::hrefs(&html);
    let _ = crate::text::html::decode_entities(&html);
}
