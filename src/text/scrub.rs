//! Removing what must never reach a terminal from untrusted text.
//!
//! Feed bytes are hostile: an ESC or C1 control could start an escape sequence (OSC 52 writes the
//! clipboard, OSC 8 hides link targets), and bidi overrides or zero-width characters can make text
//! display as something else. Everything a feed supplies passes through here before it is stored.
//!
//! The zero-width joiners (ZWJ, ZWNJ) are text: Persian (می‌خواهم), Indic scripts (क्‍ष) and emoji
//! sequences need them, and they cannot move the cursor. They are removed only where they could
//! hide a difference: URLs and hosts shown to the user ([`scrub_url`]).

/// True for a character that must not be shown: C0 controls (except `\n` and `\t`), DEL, C1,
/// bidi embedding/override/isolate controls and marks, and invisible formatting characters
/// other than the joiners.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'               // zero-width space
        | '\u{200e}' | '\u{200f}'   // LRM, RLM
        | '\u{202a}'..='\u{202e}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'   // bidi isolates
        | '\u{feff}'                // BOM / zero-width no-break space
        | '\u{fff9}'..='\u{fffb}'   // interlinear annotations
    )
}

/// True for a character that must not be shown in a URL or host: what [`is_forbidden`] says,
/// and the zero-width joiners, which there can only make two addresses look alike.
pub fn is_forbidden_in_url(c: char) -> bool {
    is_forbidden(c) || matches!(c, '\u{200c}' | '\u{200d}')
}

/// True when no byte of `s` can start a forbidden character or a tab: the common case, checked
/// bytewise without decoding (every forbidden character outside ASCII is encoded with a
/// lead byte of 0xC2, 0xE2 or 0xEF, and those bytes never occur inside another character).
fn surely_clean(s: &str) -> bool {
    let ok = |b: u8| matches!(b, b'\n' | 0x20..=0x7e | 0x80..=0xc1 | 0xc3..=0xe1 | 0xe3..=0xee | 0xf0..=0xff);
    // Whole chunks are folded without an early exit so that the compiler tests many bytes per
    // instruction; the check runs on every field of every entry.
    let mut chunks = s.as_bytes().chunks_exact(32);
    chunks
        .by_ref()
        .all(|c| c.iter().fold(true, |all, &b| all & ok(b)))
        && chunks.remainder().iter().all(|&b| ok(b))
}

/// Text with forbidden characters removed; tabs become spaces. Keeps newlines.
pub fn scrub(s: &str) -> String {
    if is_scrubbed(s) {
        return s.to_string();
    }
    scrub_chars(s)
}

/// [`scrub`] of a string already owned: the clean case (nearly every one) keeps it, uncopied.
pub fn scrub_owned(s: String) -> String {
    if is_scrubbed(&s) {
        return s;
    }
    scrub_chars(&s)
}

/// True when [`scrub`] would return `s` unchanged.
fn is_scrubbed(s: &str) -> bool {
    surely_clean(s) || !s.chars().any(|c| is_forbidden(c) || c == '\t')
}

fn scrub_chars(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if is_forbidden(c) => None,
            c => Some(c),
        })
        .collect()
}

/// One-line text: scrubbed, with every run of whitespace (newlines included) made one space.
pub fn scrub_line(s: &str) -> String {
    one_line(s, is_forbidden)
}

/// A URL or host as shown to the user: [`scrub_line`], and the joiners removed too.
pub fn scrub_url(s: &str) -> String {
    one_line(s, is_forbidden_in_url)
}

/// A URL for an error message: one line, and not the whole of a hostile megabyte.
pub(crate) fn shown_url(url: &str) -> String {
    let line = scrub_url(url);
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

fn one_line(s: &str, forbidden: fn(char) -> bool) -> String {
    // Printable ASCII words, one space apart (most titles, names and links): already one line.
    let b = s.as_bytes();
    if b.iter().all(|&c| (0x21..0x7f).contains(&c) || c == b' ')
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && memchr::memmem::find(b, b"  ").is_none()
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    // Clean text (nearly all) is copied a word at a time rather than a character at a time;
    // `surely_clean` also rules out the joiners, so it holds for both `forbidden` tests.
    let clean = surely_clean(s);
    // Words go straight into `out` (no allocation per word); one left empty is taken back.
    for word in s.split_whitespace() {
        let mark = out.len();
        if mark > 0 {
            out.push(' ');
        }
        let start = out.len();
        if clean {
            out.push_str(word);
        } else {
            out.extend(word.chars().filter(|c| !forbidden(*c)));
        }
        if out.len() == start {
            out.truncate(mark);
        }
    }
    out
}

/// True if `s` holds nothing [`scrub`] would remove (tabs aside).
pub fn is_clean(s: &str) -> bool {
    !s.chars().any(is_forbidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences_and_controls() {
        let s = "a\x1b]52;c;aGVsbG8=\x07b\x1b[31mred\u{9b}31m\r\n";
        let out = scrub(s);
        assert!(is_clean(&out));
        assert!(!out.contains('\x1b'));
        assert!(out.ends_with('\n'));
    }

    #[test]
    fn removes_bidi_and_zero_width() {
        let s = "safe\u{202e}txt.exe\u{2066}x\u{200b}y\u{feff}";
        assert_eq!(scrub(s), "safetxt.exexy");
    }

    #[test]
    fn fast_path_agrees_with_the_definition() {
        for c in [
            '\u{0}', '\t', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{200b}', '\u{202e}',
            '\u{2066}', '\u{feff}', '\u{fffa}',
        ] {
            let s = format!("ok{c}ok");
            assert!(!surely_clean(&s), "{c:?}");
            assert!(!scrub(&s).contains(c));
        }
        assert!(surely_clean("plain ascii\nand é ü ñ 漢字 🎉"));
    }

    #[test]
    fn fast_path_sees_a_control_in_any_chunk() {
        // Past the first chunk, on its edges and in the remainder.
        for at in [0, 31, 32, 33, 63, 64, 65, 90] {
            let mut s = "x".repeat(96);
            s.insert(at, '\u{1b}');
            assert!(!surely_clean(&s), "at {at}");
            assert_eq!(scrub(&s), "x".repeat(96), "at {at}");
        }
        assert!(surely_clean(&"é".repeat(100)));
    }

    #[test]
    fn joiners_are_text_but_not_part_of_a_url() {
        for text in [
            "می\u{200c}خواهم",
            "क्\u{200d}ष",
            "👩\u{200d}🔬",
            "a\u{200c}b",
        ] {
            assert_eq!(scrub(text), text);
            assert_eq!(scrub_line(text), text);
            assert!(is_clean(text));
        }
        assert_eq!(
            scrub_url("https://pay\u{200d}pal.example/log\u{200c}in"),
            "https://paypal.example/login"
        );
        // Everything else forbidden in text is forbidden in a URL too.
        assert_eq!(
            scrub_url("https://a\u{202e}b\u{200b}\u{1b}c/"),
            "https://abc/"
        );
    }

    #[test]
    fn line_folds_whitespace() {
        assert_eq!(scrub_line("  A\n\ttitle \x1b  here "), "A title here");
    }
}
