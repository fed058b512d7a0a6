//! HTML → terminal text: never panics, never emits a control character, at any width.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (width, html) = match data.split_first() {
        Some((w, rest)) => (usize::from(*w).max(1), String::from_utf8_lossy(rest)),
        None => return,
    };
    let r = paperboy::text::render_html(&html, width);
    let plain = r.plain();
    assert!(
        !plain.chars().any(paperboy::scrub::is_forbidden),
        "{plain:?}"
    );
    for l in &r.links {
        assert!(paperboy::scrub::is_clean(l), "{l:?}");
    }
    let _ = paperboy::html::to_plain_text(&html);
    let _ = paperboy::html::hrefs(&html);
    let _ = paperboy::html::decode_entities(&html);
});
