//! Cheap HTML scanning without a DOM: plain text for the search index and DOI matching, entity
//! decoding, and link targets.
//!
//! This runs on every entry at ingest, so it is a single linear pass over the bytes with no
//! allocation per tag. It is not a conforming HTML parser: it only has to be right about what
//! text a reader sees and where links point, and it must never panic or go quadratic.

use crate::text::scrub::is_forbidden;

/// Marks a block boundary between the tag pass and the whitespace pass. NUL never survives
/// decoding (`&#0;` becomes U+FFFD) and raw NULs are dropped, so it cannot be confused with text.
const BLOCK: char = '\0';

/// ASCII-lowercases a tag name into `buf`; `None` when it is longer than any name we know.
fn lower_name<'b>(name: &str, buf: &'b mut [u8; 10]) -> Option<&'b [u8]> {
    let n = name.len();
    let dst = buf.get_mut(..n)?;
    dst.copy_from_slice(name.as_bytes());
    dst.make_ascii_lowercase();
    Some(dst)
}

/// Whether a tag's boundary separates words or lines in rendered text.
fn is_block(name: &str) -> bool {
    let mut buf = [0u8; 10];
    matches!(
        lower_name(name, &mut buf),
        Some(
            b"p" | b"br"
                | b"div"
                | b"li"
                | b"ul"
                | b"ol"
                | b"dl"
                | b"dd"
                | b"dt"
                | b"tr"
                | b"td"
                | b"th"
                | b"h1"
                | b"h2"
                | b"h3"
                | b"h4"
                | b"h5"
                | b"h6"
                | b"hr"
                | b"img"
                | b"pre"
                | b"blockquote"
                | b"table"
                | b"thead"
                | b"tbody"
                | b"tfoot"
                | b"caption"
                | b"section"
                | b"article"
                | b"aside"
                | b"header"
                | b"footer"
                | b"nav"
                | b"main"
                | b"figure"
                | b"figcaption"
                | b"address"
                | b"details"
                | b"summary"
                | b"fieldset"
                | b"form"
                | b"html"
                | b"head"
                | b"body"
                | b"title"
        )
    )
}

/// The canonical name of an element whose contents are not text a reader sees.
fn raw_tag(name: &str) -> Option<&'static str> {
    let mut buf = [0u8; 10];
    match lower_name(name, &mut buf)? {
        b"script" => Some("script"),
        b"style" => Some("style"),
        b"template" => Some("template"),
        b"noscript" => Some("noscript"),
        _ => None,
    }
}

/// One piece of an HTML document.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// Text between tags, entities still encoded.
    Text(&'a str),
    /// A start or end tag; `attrs` is everything between the name and the closing `>`.
    Tag {
        name: &'a str,
        end: bool,
        attrs: &'a str,
    },
}

/// Splits HTML into text and tags, skipping comments, doctypes, processing instructions and the
/// contents of script-like elements.
struct Lexer<'a> {
    s: &'a str,
    pos: usize,
    /// Inside a raw-text element: skip to its end tag.
    raw: Option<&'static str>,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str) -> Self {
        Lexer {
            s,
            pos: 0,
            raw: None,
        }
    }

    /// Where the next markup `<` is at or after `from` (a `<` not followed by a tag-ish byte is
    /// text, as in "a < b").
    fn next_markup(&self, from: usize) -> usize {
        let b = self.s.as_bytes();
        let mut i = from;
        while let Some(off) = memchr(b'<', &b[i..]) {
            let lt = i + off;
            match b.get(lt + 1) {
                Some(c) if c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?') => return lt,
                _ => i = lt + 1,
            }
        }
        b.len()
    }

    /// Skips past the end tag of raw element `name`, or to the end of input.
    fn skip_raw(&mut self, name: &str) {
        let b = self.s.as_bytes();
        let mut i = self.pos;
        while let Some(off) = memchr(b'<', &b[i..]) {
            let lt = i + off;
            let after = lt + 2 + name.len();
            if b.get(lt + 1) == Some(&b'/')
                && after <= b.len()
                && b[lt + 2..after].eq_ignore_ascii_case(name.as_bytes())
                && !b.get(after).is_some_and(|c| c.is_ascii_alphanumeric())
            {
                self.pos = lt;
                return;
            }
            i = lt + 1;
        }
        self.pos = b.len();
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let b = self.s.as_bytes();
        loop {
            if let Some(name) = self.raw.take() {
                self.skip_raw(name);
            }
            if self.pos >= b.len() {
                return None;
            }
            let lt = self.next_markup(self.pos);
            if lt > self.pos {
                let text = &self.s[self.pos..lt];
                self.pos = lt;
                return Some(Token::Text(text));
            }
            // At a markup `<`.
            let rest = &b[lt..];
            if rest.starts_with(b"<!--") {
                self.pos = find(b, lt + 4, b"-->").map_or(b.len(), |i| i + 3);
                continue;
            }
            if matches!(rest.get(1), Some(b'!' | b'?'))
                || (rest.get(1) == Some(&b'/')
                    && !rest.get(2).is_some_and(|c| c.is_ascii_alphabetic()))
            {
                self.pos = memchr(b'>', &b[lt..]).map_or(b.len(), |i| lt + i + 1);
                continue;
            }
            let end = rest.get(1) == Some(&b'/');
            let name_start = lt + if end { 2 } else { 1 };
            let mut i = name_start;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b':')) {
                i += 1;
            }
            let name = &self.s[name_start..i];
            let attrs_start = i;
            let close = tag_end(b, i);
            let attrs = &self.s[attrs_start..close.min(b.len())];
            self.pos = (close + 1).min(b.len());
            if !end && !attrs.ends_with('/') {
                self.raw = raw_tag(name);
            }
            return Some(Token::Tag { name, end, attrs });
        }
    }
}

/// Index of the `>` that ends a tag whose attributes start at `from`, honouring quoted values;
/// `b.len()` when the tag never ends.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    let mut after_eq = false;
    while i < b.len() {
        match b[i] {
            b'>' => return i,
            q @ (b'"' | b'\'') if after_eq => {
                // An unclosed quote runs to the end, as browsers treat it.
                match memchr(q, &b[i + 1..]) {
                    Some(off) => i += off + 1,
                    None => return b.len(),
                }
                after_eq = false;
            }
            b'=' => after_eq = true,
            c if c.is_ascii_whitespace() => {}
            _ => after_eq = false,
        }
        i += 1;
    }
    b.len()
}

// Text runs between tags are long: a vectorised search is several times cheaper per byte than a
// byte loop, and this pass runs over every body at ingest.
use memchr::memchr;

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|i| from + i)
}

/// The value of attribute `want` (ASCII case-insensitive) in a tag's attribute text, decoded.
fn attr(attrs: &str, want: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'/') {
            i += 1;
        }
        let name = &attrs[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let stop = memchr(q, &b[start..]).map_or(b.len(), |o| start + o);
                    value = Some(&attrs[start..stop]);
                    i = stop + 1;
                }
                _ => {
                    let start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    value = Some(&attrs[start..i]);
                }
            }
        }
        if name.eq_ignore_ascii_case(want) {
            return Some(decode_entities(value.unwrap_or("")));
        }
        if name.is_empty() && value.is_none() {
            // Stray byte such as a lone `=`: step over it so the scan always advances.
            i += 1;
        }
    }
    None
}

/// Plain text of an HTML fragment: tags stripped, script and style contents dropped, entities
/// decoded, whitespace collapsed to single spaces, block boundaries as single newlines, control
/// characters removed. For indexing and matching, not for display layout.
pub fn to_plain_text(html: &str) -> String {
    plain_text(html, None)
}

/// [`to_plain_text`] and [`hrefs`] of the same HTML, lexed once.
pub fn text_and_hrefs(html: &str) -> (String, Vec<String>) {
    let mut hrefs = Vec::new();
    let text = plain_text(html, Some(&mut hrefs));
    (text, hrefs)
}

fn plain_text(html: &str, mut hrefs: Option<&mut Vec<String>>) -> String {
    let mut raw = String::with_capacity(html.len());
    for tok in Lexer::new(html) {
        match tok {
            Token::Text(t) if memchr(BLOCK as u8, t.as_bytes()).is_some() => {
                decode_into(&t.replace(BLOCK, ""), &mut raw)
            }
            Token::Text(t) => decode_into(t, &mut raw),
            Token::Tag { name, end, attrs } => {
                if is_block(name) {
                    raw.push(BLOCK);
                }
                if let Some(out) = hrefs.as_deref_mut() {
                    out.extend(href_of(name, end, attrs));
                }
            }
        }
    }
    collapse(&raw, true)
}

/// The link target of a start tag, if it is an `<a>`, `<area>` or `<link>` with a non-empty one.
fn href_of(name: &str, end: bool, attrs: &str) -> Option<String> {
    if end
        || !["a", "link", "area"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(name))
    {
        return None;
    }
    let v = attr(attrs, "href")?;
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// Where a run of printable ASCII with single spaces that starts at `i` (a printable byte, after
/// one that is not a space) stops being such a run in whole 8-byte words, read a word at a
/// time; a space that ends the last word is left for the byte loop to judge. The checks may
/// see a double space that is not there (a borrow), never miss one: a word is never taken
/// wrongly, only left to the byte loop.
fn plain_words_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let start = i;
    // Whether the byte before `i` is a space.
    let mut space_before = false;
    while let Some(word) = bytes
        .get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        let x = u64::from_le_bytes(word);
        let below_space = x.wrapping_sub(0x20 * ONES) & !x;
        let del = x ^ (0x7f * ONES);
        let del = del.wrapping_sub(ONES) & !del;
        if (below_space | del | x) & HIGH != 0 {
            break;
        }
        let sp = x ^ (0x20 * ONES);
        let sp = sp.wrapping_sub(ONES) & !sp & HIGH;
        if sp & (sp << 8) != 0 || (space_before && sp & 0x80 != 0) {
            break;
        }
        space_before = sp >> 63 != 0;
        i += 8;
    }
    if i > start && space_before {
        i -= 1;
    }
    i
}

/// Folds whitespace runs to one space, or one newline when the run holds a block boundary.
/// `words`: runs are read 8 bytes at a time (see [`plain_words_end`]); the tests compare.
fn collapse(raw: &str, words: bool) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    // 0 = no pending gap, 1 = a space, 2 = a newline.
    let mut gap = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (0x21..0x7f).contains(&b) {
            // Fast path: copy a run of printable ASCII at once, single spaces between words
            // included (they fold to themselves), so a sentence is one copy, not one a word.
            let start = i;
            let printable = |b: &u8| (0x21..0x7f).contains(b);
            loop {
                if words {
                    i = plain_words_end(bytes, i);
                }
                // A word at a time: the plain scan is cheaper than testing for a space at every byte.
                i += bytes[i..]
                    .iter()
                    .position(|b| !printable(b))
                    .unwrap_or(bytes.len() - i);
                if bytes.get(i) == Some(&b' ') && bytes.get(i + 1).is_some_and(printable) {
                    i += 2;
                } else {
                    break;
                }
            }
            if gap > 0 && !out.is_empty() {
                out.push(if gap == 2 { '\n' } else { ' ' });
            }
            gap = 0;
            out.push_str(&raw[start..i]);
            continue;
        }
        let c = if b < 0x80 {
            i += 1;
            char::from(b)
        } else {
            match raw[i..].chars().next() {
                Some(c) => {
                    i += c.len_utf8();
                    c
                }
                None => break,
            }
        };
        if c == BLOCK {
            gap = 2;
        } else if c.is_whitespace() {
            gap = gap.max(1);
        } else if is_forbidden(c) || c == '\u{ad}' {
            // Soft hyphens are invisible and would split words (and DOIs) in matching.
        } else {
            if gap > 0 && !out.is_empty() {
                out.push(if gap == 2 { '\n' } else { ' ' });
            }
            gap = 0;
            out.push(c);
        }
    }
    out
}

/// Decodes HTML character references: all named entities of the HTML standard (with `;`; the
/// common legacy ones `&amp` `&lt` `&gt` `&quot` `&nbsp` also without it when not followed by a
/// name character or `=`, so query strings like `?a=1&copy=2` survive), and `&#NN;` / `&#xNN;`
/// (with the Windows-1252 remapping browsers apply to 128–159; invalid code points become U+FFFD).
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    decode_into(s, &mut out);
    out
}

fn decode_into(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = memchr(b'&', &b[i..]) {
        let amp = i + off;
        i = amp + 1;
        if let Some((decoded, len)) = reference_at(&b[amp + 1..]) {
            out.push_str(&s[last..amp]);
            match decoded {
                Decoded::Char(c) => out.push(c),
                Decoded::Str(t) => out.push_str(t),
            }
            i = amp + 1 + len;
            last = i;
        }
    }
    out.push_str(&s[last..]);
}

enum Decoded {
    Char(char),
    Str(&'static str),
}

/// Decodes the reference after an `&`; returns it and how many bytes it used.
fn reference_at(b: &[u8]) -> Option<(Decoded, usize)> {
    if b.first() == Some(&b'#') {
        let (hex, start) = match b.get(1) {
            Some(b'x' | b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut i = start;
        let mut value: u32 = 0;
        while let Some(&c) = b.get(i) {
            let d = match (hex, c) {
                (_, b'0'..=b'9') => u32::from(c - b'0'),
                (true, b'a'..=b'f') => u32::from(c - b'a' + 10),
                (true, b'A'..=b'F') => u32::from(c - b'A' + 10),
                _ => break,
            };
            // Saturate: an absurdly long number is simply invalid.
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d);
            i += 1;
        }
        if i == start {
            return None;
        }
        if b.get(i) == Some(&b';') {
            i += 1;
        }
        return Some((Decoded::Char(numeric_char(value)), i));
    }
    let mut i = 0;
    while i < b.len() && i < 40 && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let name = &b[..i];
    if b.get(i) == Some(&b';') {
        if let Ok(k) = html_escape::NAMED_ENTITIES.binary_search_by(|(n, _)| (*n).cmp(name)) {
            return Some((Decoded::Str(html_escape::NAMED_ENTITIES[k].1), i + 1));
        }
        return None;
    }
    // Legacy forms without `;`.
    if matches!(b.get(i), Some(b'=')) {
        return None;
    }
    let t = match name {
        b"amp" | b"AMP" => "&",
        b"lt" | b"LT" => "<",
        b"gt" | b"GT" => ">",
        b"quot" | b"QUOT" => "\"",
        b"nbsp" => "\u{a0}",
        _ => return None,
    };
    Some((Decoded::Str(t), i))
}

/// The character a numeric reference stands for, as browsers decode it.
fn numeric_char(v: u32) -> char {
    // Windows-1252 for the C1 range, as the HTML standard requires.
    const CP1252: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match v {
        0 => '\u{fffd}',
        0x80..=0x9f => CP1252[(v - 0x80) as usize],
        _ => char::from_u32(v).unwrap_or('\u{fffd}'),
    }
}

/// The `href` values of `<a>`, `<area>` and `<link>` tags, entity-decoded and trimmed, in
/// document order. Empty values are skipped.
pub fn hrefs(html: &str) -> Vec<String> {
    Lexer::new(html)
        .filter_map(|tok| match tok {
            Token::Tag { name, end, attrs } => href_of(name, end, attrs),
            Token::Text(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_collapses_whitespace() {
        assert_eq!(
            to_plain_text("<p>Hello   <b>bold</b>\n world</p><p>Next</p>"),
            "Hello bold world\nNext"
        );
    }

    #[test]
    fn single_spaces_inside_a_run_and_folds_at_its_edges() {
        assert_eq!(
            to_plain_text("one two  three\tfour \u{e9}t\u{e9} five <p> six</p>seven eight "),
            "one two three four \u{e9}t\u{e9} five\nsix\nseven eight"
        );
        assert_eq!(to_plain_text(" a b"), "a b", "no leading space");
        assert_eq!(
            to_plain_text("a \u{a0}b"),
            "a b",
            "a space then another space"
        );
        assert_eq!(
            to_plain_text("a \u{7}b c"),
            "a b c",
            "a space before a control"
        );
    }

    #[test]
    fn inline_tags_do_not_split_words() {
        assert_eq!(to_plain_text("10.1000/<i>abc</i>123"), "10.1000/abc123");
    }

    #[test]
    fn br_and_list_items_break_lines() {
        assert_eq!(
            to_plain_text("a<br>b<br/>c<ul><li>x</li><li>y</li></ul>"),
            "a\nb\nc\nx\ny"
        );
    }

    #[test]
    fn drops_script_style_and_comments() {
        let html = "a<script type=\"x\">var s = '</p>'; if (a<b) {}</script>b\
                    <STYLE>p{color:red}</STYLE>c<!-- hidden <p> -->d<!DOCTYPE html><?xml x?>e";
        assert_eq!(to_plain_text(html), "abcde");
    }

    #[test]
    fn unterminated_script_drops_the_rest() {
        assert_eq!(to_plain_text("keep<script>lost forever"), "keep");
    }

    #[test]
    fn lone_angle_brackets_are_text() {
        assert_eq!(to_plain_text("a < b and c<3 > d"), "a < b and c<3 > d");
    }

    #[test]
    fn quoted_gt_inside_attribute_does_not_end_tag() {
        assert_eq!(
            to_plain_text("<a title=\"x > y\" href='z'>link</a>"),
            "link"
        );
    }

    #[test]
    fn decodes_named_numeric_and_hex_entities() {
        assert_eq!(
            decode_entities("&lt;693::AID-ASI4&gt; &amp; &eacute;&hellip; &#233;&#xE9;&#X2013;"),
            "<693::AID-ASI4> & é… éé–"
        );
        assert_eq!(
            decode_entities("&NotNestedGreaterGreater;"),
            "\u{2aa2}\u{338}"
        );
    }

    #[test]
    fn entity_edge_cases() {
        assert_eq!(
            decode_entities("&#150;&#0;&#1114112;&#99999999999999;"),
            "–\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(
            decode_entities("&unknown; & &; &#; &#x;"),
            "&unknown; & &; &#; &#x;"
        );
        assert_eq!(decode_entities("a&amp b &lt 3 &ampb"), "a& b < 3 &ampb");
        assert_eq!(
            decode_entities("?a=1&copy=2&lang=en"),
            "?a=1&copy=2&lang=en"
        );
        assert_eq!(decode_entities("&#65"), "A");
    }

    #[test]
    fn entities_decoded_in_text_not_before_tag_stripping() {
        // An escaped tag is text, not markup.
        assert_eq!(to_plain_text("&lt;p&gt;x"), "<p>x");
    }

    #[test]
    fn plain_text_removes_control_characters() {
        assert_eq!(to_plain_text("a\x1b[31mb&#27;c&#x202e;d"), "a[31mbcd");
    }

    #[test]
    fn hrefs_in_order_decoded() {
        let html = r#"<A HREF="https://doi.org/10.1000/a?x=1&amp;y=2">one</A>
            <a class=x href='/doi/abs/10.1000/b'>two</a>
            <a href=https://example.com/c>three</a>
            <link rel="alternate" href=" https://e.org/feed ">
            <a name="anchor">no href</a><a href="">empty</a>
            <!-- <a href="https://hidden"> -->
            <script>document.write('<a href="https://scripted">')</script>"#;
        assert_eq!(
            hrefs(html),
            vec![
                "https://doi.org/10.1000/a?x=1&y=2",
                "/doi/abs/10.1000/b",
                "https://example.com/c",
                "https://e.org/feed",
            ]
        );
    }

    #[test]
    fn hrefs_ignore_lookalike_attributes_and_tags() {
        let html = r#"<abbr href="no"><a data-href="no" hreflang="en" href="yes">x</a>"#;
        assert_eq!(hrefs(html), vec!["yes"]);
    }

    #[test]
    fn malformed_input_does_not_panic() {
        for s in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"",
            "<a href='x",
            "&",
            "&#",
            "&#x",
            "<!--",
            "<!",
            "</",
            "</>",
            "<a =x href=y>",
            "é<é>&é;",
            "<a\u{0}href=x>",
        ] {
            let _ = to_plain_text(s);
            let _ = hrefs(s);
            let _ = decode_entities(s);
        }
        assert_eq!(hrefs("<a =x href=y>"), vec!["y"]);
    }

    #[test]
    fn soft_hyphens_and_wbr_do_not_split_words() {
        assert_eq!(
            to_plain_text("10.1000/abc&shy;def<wbr>ghi"),
            "10.1000/abcdefghi"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_input_gives_clean_text(s in proptest::prelude::any::<String>()) {
            let text = to_plain_text(&s);
            proptest::prop_assert!(crate::text::scrub::is_clean(&text));
            let _ = hrefs(&s);
        }

        #[test]
        fn collapse_reads_eight_bytes_at_a_time_as_one(
            s in "([a-z.!~]{1,9}|[ ]{1,3}|\\x00|\\n|\\t|\\x7f|\\u{ad}|é|\\u{200b}){0,60}"
        ) {
            proptest::prop_assert_eq!(collapse(&s, true), collapse(&s, false));
        }

        #[test]
        fn any_text_collapses_the_same_eight_bytes_at_a_time(s in proptest::prelude::any::<String>()) {
            proptest::prop_assert_eq!(collapse(&s, true), collapse(&s, false));
        }

        #[test]
        fn text_without_markup_is_unchanged_by_decoding(s in "[^&]*") {
            proptest::prop_assert_eq!(decode_entities(&s), s);
        }

        #[test]
        fn tag_soup_never_panics(s in "([<>/!?\"'=&#;a-z0-9 -]|<a href=|<script>|</script>|<!--|-->){0,40}") {
            let _ = to_plain_text(&s);
            let _ = hrefs(&s);
        }
    }

    #[test]
    fn plain_words_are_taken_eight_bytes_at_a_time() {
        // Five whole words; the newline and what follows are the byte loop's.
        let s = b"Wellbeing intervention cohort, recovery.\nx";
        assert_eq!(plain_words_end(s, 0), 40);
        // A double space across two words: the first word's space is left to the byte loop.
        assert_eq!(plain_words_end(b"abcdefg  hijklmnop", 0), 7);
        assert_eq!(plain_words_end(b"abcdefgh ijklmnop", 0), 16);
        assert_eq!(plain_words_end(b"abcdefg hijklmno pqr", 0), 16);
        assert_eq!(plain_words_end(b"abcd  fghijklmno", 0), 0);
        assert_eq!(plain_words_end(b"abcdefg \x7fijklmno", 0), 8 - 1);
        assert_eq!(plain_words_end(b"short", 0), 0);
    }

    #[test]
    fn unicode_text_survives() {
        assert_eq!(
            to_plain_text("<p>Ünïcödé — 中文 🙂</p>"),
            "Ünïcödé — 中文 🙂"
        );
    }
}
