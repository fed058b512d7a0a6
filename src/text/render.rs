//! HTML to terminal text: html2text's rich rendering turned into styled spans, with numbered links.
//!
//! Used by `paperboy show` (plain text) and the TUI's Reader pane (styled lines). Every span is
//! scrubbed of control characters, so nothing a feed sends can write an escape sequence.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use html2text::render::{TaggedLine, TextDecorator};

use crate::model::Entry;
use crate::text::scrub::{is_forbidden, is_forbidden_in_url, scrub_line};

/// The narrowest and widest widths rendered; anything outside is clamped.
pub const MIN_WIDTH: usize = 20;
pub const MAX_WIDTH: usize = 400;
/// Only this much of a body is rendered: a reader cannot use more, and html2text's time and
/// memory grow with the input.
const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;
/// Deeper tag nesting than this is no document anyone wrote by hand; such bodies are shown as
/// plain text, which keeps html2text's per-level work (and any recursion) bounded.
const MAX_NESTING: usize = 512;

/// Control characters that mark heading and quote prefixes in html2text's output, since its rich
/// annotations have no heading or quote kind. They must be one byte and one column wide:
/// html2text checks a prefix's byte length against its display width. The input is cleared of
/// them first, and [`clean_span`] removes them (like every control character) from the output.
const HEADING_MARK: char = '\x1d';
const QUOTE_MARK: char = '\x1e';

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub strike: bool,
    pub code: bool,
    pub heading: bool,
    pub quote: bool,
    pub link: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub style: TextStyle,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub spans: Vec<Span>,
}

/// `n` and the noun in the number it takes: "1 entry", "2 entries", "0 entries".
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// `100000` as `100,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The status of the upgrade's re-scan of stored posts for papers (CLI and reader alike).
pub fn papers_scan_progress(done: u64, total: u64) -> String {
    format!(
        "Finding papers in stored posts: {} of {}",
        thousands(done),
        thousands(total)
    )
}

/// The status of the upgrade's build of the entry counters (issue 20).
pub fn counts_build_progress(done: u64, total: u64) -> String {
    format!(
        "Counting stored entries: {} of {}",
        thousands(done),
        thousands(total)
    )
}

/// The status of the upgrade's fill of the DOIs' titles (issue 20).
pub fn titles_fill_progress(done: u64, total: u64) -> String {
    format!(
        "Giving stored DOIs their posts' titles: {} of {}",
        thousands(done),
        thousands(total)
    )
}

/// The status of the upgrade's fill of the paper counters (issue 20).
pub fn paper_counts_fill_progress(done: u64, total: u64) -> String {
    format!(
        "Counting stored papers' posts: {} of {} citations",
        thousands(done),
        thousands(total)
    )
}

impl Line {
    /// The line's text without styles.
    pub fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// Display width in terminal columns.
    pub fn width(&self) -> usize {
        self.spans
            .iter()
            .map(|s| crate::text::width::width(&s.text))
            .sum()
    }

    fn push(&mut self, text: &str, style: TextStyle) {
        if text.is_empty() {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.style == style => last.text.push_str(text),
            _ => self.spans.push(Span {
                text: text.to_string(),
                style,
            }),
        }
    }
}

/// A post rendered for the terminal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rendered {
    pub lines: Vec<Line>,
    /// Link targets numbered from 1 in order of first appearance; the text shows `[N]` after each
    /// link. Listed whatever their scheme: the opener refuses what is not http(s).
    pub links: Vec<String>,
}

impl Rendered {
    /// The text without styles, lines joined with `\n`.
    pub fn plain(&self) -> String {
        let lines: Vec<String> = self.lines.iter().map(Line::plain).collect();
        lines.join("\n")
    }
}

/// Annotations our decorator attaches to text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Ann {
    #[default]
    Plain,
    Link,
    Strong,
    Emphasis,
    Strike,
    Code,
    Preformat,
    Image,
}

#[derive(Default)]
struct LinkTable {
    urls: Vec<String>,
    index: HashMap<String, usize>,
}

impl LinkTable {
    /// The number of `url` (1-based), or `None` for an empty target.
    fn number(&mut self, url: &str) -> Option<usize> {
        let url = clean_url(url);
        if url.is_empty() {
            return None;
        }
        if let Some(n) = self.index.get(&url) {
            return Some(*n);
        }
        self.urls.push(url.clone());
        let n = self.urls.len();
        self.index.insert(url, n);
        Some(n)
    }
}

/// A URL as listed: trimmed, no control characters, inner spaces as `%20` and other whitespace
/// dropped (as browsers do with line breaks inside an `href`).
fn clean_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            ' ' => out.push_str("%20"),
            c if c.is_whitespace() || is_forbidden_in_url(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// html2text decorator: rich annotations plus `[N]` after each link and marked heading/quote
/// prefixes. Sub-block decorators share the link table so numbering is global to the document.
struct Decorator {
    links: Rc<RefCell<LinkTable>>,
    /// The number of each open link (`None` for an empty target), closed in reverse order.
    open_links: Vec<Option<usize>>,
}

impl TextDecorator for Decorator {
    type Annotation = Ann;

    fn decorate_link_start(&mut self, url: &str) -> (String, Ann) {
        let n = self.links.borrow_mut().number(url);
        self.open_links.push(n);
        (String::new(), Ann::Link)
    }

    fn decorate_link_end(&mut self) -> String {
        self.open_links
            .pop()
            .flatten()
            .map(|n| format!("[{n}]"))
            .unwrap_or_default()
    }

    fn decorate_em_start(&self) -> (String, Ann) {
        (String::new(), Ann::Emphasis)
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, Ann) {
        (String::new(), Ann::Strong)
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, Ann) {
        (String::new(), Ann::Strike)
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, Ann) {
        (String::new(), Ann::Code)
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) -> Ann {
        Ann::Preformat
    }

    fn decorate_preformat_cont(&self) -> Ann {
        Ann::Preformat
    }

    fn decorate_image(&mut self, _src: &str, title: &str) -> (String, Ann) {
        (title.to_string(), Ann::Image)
    }

    fn header_prefix(&self, level: usize) -> String {
        format!("{HEADING_MARK}{} ", "#".repeat(level))
    }

    fn quote_prefix(&self) -> String {
        format!("{QUOTE_MARK}> ")
    }

    fn unordered_item_prefix(&self) -> String {
        "* ".to_string()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Decorator {
            links: Rc::clone(&self.links),
            open_links: Vec::new(),
        }
    }

    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<Ann>> {
        Vec::new()
    }
}

fn style_of(anns: &[Ann]) -> TextStyle {
    let mut style = TextStyle::default();
    for a in anns {
        match a {
            Ann::Plain => {}
            Ann::Link => {
                style.link = true;
                style.underline = true;
            }
            Ann::Strong => style.bold = true,
            Ann::Emphasis | Ann::Image => style.italic = true,
            Ann::Strike => style.strike = true,
            Ann::Code | Ann::Preformat => style.code = true,
        }
    }
    style
}

/// Text safe for a terminal cell: no control, bidi or invisible characters, no marks, tabs as
/// spaces, no line breaks (a span lives on one line).
fn clean_span(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' | '\r' | HEADING_MARK | QUOTE_MARK => None,
            c if is_forbidden(c) => None,
            c => Some(c),
        })
        .collect()
}

fn convert_line(tl: &TaggedLine<Vec<Ann>>) -> Line {
    let mut line = Line::default();
    // A heading or quote mark styles everything after it on the line (its prefix and its text).
    let mut heading = false;
    let mut quote = false;
    for ts in tl.tagged_strings() {
        let base = style_of(&ts.tag);
        let mut rest = ts.s.as_str();
        loop {
            let at = rest.find([HEADING_MARK, QUOTE_MARK]);
            let (chunk, mark) = match at {
                Some(i) => (&rest[..i], rest[i..].chars().next()),
                None => (rest, None),
            };
            let mut style = base;
            style.heading |= heading;
            style.bold |= heading;
            style.quote |= quote;
            line.push(&clean_span(chunk), style);
            match mark {
                Some(m) => {
                    heading |= m == HEADING_MARK;
                    quote |= m == QUOTE_MARK;
                    rest = &rest[chunk.len() + m.len_utf8()..];
                }
                None => break,
            }
        }
    }
    line
}

/// Breaks lines wider than `width` at character boundaries, keeping span styles.
fn hard_wrap(lines: Vec<Line>, width: usize) -> Vec<Line> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let mut cur = Line::default();
        let mut cur_w = 0;
        for span in &line.spans {
            for (g, w) in crate::text::width::clusters(&span.text) {
                if cur_w + w > width && cur_w > 0 {
                    out.push(std::mem::take(&mut cur));
                    cur_w = 0;
                }
                cur.push(g, span.style);
                cur_w += w;
            }
        }
        out.push(cur);
    }
    out
}

/// Greedy word wrap of plain text to `width` columns; words longer than a line are split.
fn wrap_plain(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0;
        for word in para.split_whitespace() {
            let mut word_w = crate::text::width::width(word);
            let mut word = word.to_string();
            if line_w > 0 && line_w + 1 + word_w <= width {
                line.push(' ');
                line.push_str(&word);
                line_w += 1 + word_w;
                continue;
            }
            if line_w > 0 {
                out.push(std::mem::take(&mut line));
            }
            // Split words wider than the line, in one pass over the word (a 1 MB word must not
            // be copied and measured again for every line).
            if word_w > width {
                let mut head = String::new();
                let mut head_w = 0;
                for (g, w) in crate::text::width::clusters(&word) {
                    if head_w + w > width && head_w > 0 {
                        out.push(std::mem::take(&mut head));
                        head_w = 0;
                    }
                    head.push_str(g);
                    head_w += w;
                }
                word = head;
                word_w = head_w;
            }
            line = word;
            line_w = word_w;
        }
        out.push(line);
    }
    out
}

fn plain_rendering(html: &str, width: usize) -> Vec<Line> {
    let text = crate::text::html::to_plain_text(html);
    wrap_plain(&text, width)
        .into_iter()
        .map(|l| {
            let mut line = Line::default();
            line.push(&clean_span(&l), TextStyle::default());
            line
        })
        .collect()
}

/// The link targets of a body rendered as plain text, numbered like the rich path would.
fn plain_links(html: &str) -> Vec<String> {
    let mut table = LinkTable::default();
    for href in crate::text::html::hrefs(html) {
        table.number(&href);
    }
    table.urls
}

/// True if tags nest deeper than `limit` (a cheap count of `<x` vs `</x` and `/>`; void elements
/// count as opening, which only errs towards the plain-text path on absurd input).
fn nests_deeper_than(html: &str, limit: usize) -> bool {
    const NOT_COUNTED: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li",
    ];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|b| *b == b'<') {
        let start = i + off + 1;
        i = start;
        let Some(&next) = bytes.get(start) else { break };
        if next == b'/' {
            depth = depth.saturating_sub(1);
            continue;
        }
        if !next.is_ascii_alphabetic() {
            continue;
        }
        let name_end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| start + p);
        let name = &html[start..name_end];
        // `p` and `li` close implicitly, so they are not counted as nesting.
        if NOT_COUNTED.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            continue;
        }
        let tag_end = bytes[name_end..]
            .iter()
            .position(|b| *b == b'>')
            .map_or(bytes.len(), |p| name_end + p);
        if tag_end > 0 && bytes.get(tag_end - 1) == Some(&b'/') {
            continue;
        }
        depth += 1;
        if depth > limit {
            return true;
        }
    }
    false
}

fn rich_lines(html: &str, width: usize) -> Result<(Vec<Line>, Vec<String>), html2text::Error> {
    let links = Rc::new(RefCell::new(LinkTable::default()));
    let decorator = Decorator {
        links: Rc::clone(&links),
        open_links: Vec::new(),
    };
    let config = html2text::config::with_decorator(decorator)
        .unicode_strikeout(false)
        .link_footnotes(false);
    let tagged = config.lines_from_read(html.as_bytes(), width)?;
    let lines = tagged.iter().map(convert_line).collect();
    let urls = std::mem::take(&mut links.borrow_mut().urls);
    Ok((lines, urls))
}

/// Renders an HTML body at `width` columns (clamped to 20..=400). Never fails: if html2text
/// cannot render it, the body's plain text is shown instead.
pub fn render_html(html: &str, width: usize) -> Rendered {
    let width = width.clamp(MIN_WIDTH, MAX_WIDTH);
    let (html, cut) = if html.len() > MAX_INPUT_BYTES {
        let mut end = MAX_INPUT_BYTES;
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        (&html[..end], Some(html.len()))
    } else {
        (html, None)
    };

    let cleared;
    let html = if html.contains([HEADING_MARK, QUOTE_MARK]) {
        cleared = html.replace([HEADING_MARK, QUOTE_MARK], "");
        cleared.as_str()
    } else {
        html
    };
    let rich = if nests_deeper_than(html, MAX_NESTING) {
        None
    } else {
        // Deeply nested lists or quotes can leave too little width (html2text's TooNarrow); its
        // overflow mode then breaks words mid-way, so plain text reads better.
        rich_lines(html, width).ok()
    };
    let mut rendered = match rich {
        Some((lines, links)) => Rendered {
            // html2text keeps to the width; this only guards the promise.
            lines: hard_wrap(lines, width),
            links,
        },
        None => Rendered {
            lines: plain_rendering(html, width),
            links: plain_links(html),
        },
    };
    // html2text ends blocks with blank lines; trailing ones only waste the pane.
    while rendered
        .lines
        .last()
        .is_some_and(|l| l.plain().trim().is_empty())
    {
        rendered.lines.pop();
    }
    if let Some(total) = cut {
        let notice = format!(
            "[post truncated: showing the first {} of {} KiB]",
            MAX_INPUT_BYTES / 1024,
            total / 1024
        );
        rendered.lines.push(Line::default());
        for l in wrap_plain(&notice, width) {
            let mut line = Line::default();
            line.push(
                &l,
                TextStyle {
                    italic: true,
                    ..TextStyle::default()
                },
            );
            rendered.lines.push(line);
        }
    }
    rendered
}

/// The date shown for an entry: published, else updated, as `YYYY-MM-DD HH:MM UTC`.
fn entry_date(entry: &Entry) -> Option<String> {
    entry
        .published
        .or(entry.updated)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// An entry as plain text for `paperboy show`: a header (title, feed, authors, date, link), the
/// body, then the numbered links and the DOIs (each section only if it has something).
pub fn render_entry_plain(entry: &Entry, width: usize) -> String {
    let width = width.clamp(MIN_WIDTH, MAX_WIDTH);
    let mut out: Vec<String> = Vec::new();
    let title = scrub_line(&entry.title);
    let title = if title.is_empty() {
        "(untitled)".to_string()
    } else {
        title
    };
    out.extend(wrap_plain(&title, width));
    out.push(format!("Feed: {}", scrub_line(&entry.feed_title)));
    let authors: Vec<String> = entry
        .authors
        .iter()
        .map(|a| scrub_line(a))
        .filter(|a| !a.is_empty())
        .collect();
    match authors.as_slice() {
        [] => {}
        [one] => out.push(format!("Author: {one}")),
        many => out.push(format!("Authors: {}", many.join(", "))),
    }
    if let Some(date) = entry_date(entry) {
        out.push(format!("Date: {date}"));
    }
    if let Some(link) = entry
        .link
        .as_deref()
        .map(clean_url)
        .filter(|l| !l.is_empty())
    {
        out.push(format!("Link: {link}"));
    }

    let body = render_html(entry.body_html(), width);
    let text = body.plain();
    if !text.trim().is_empty() {
        out.push(String::new());
        out.push(text);
    }
    if !body.links.is_empty() {
        out.push(String::new());
        out.push("Links:".to_string());
        for (i, url) in body.links.iter().enumerate() {
            out.push(format!("[{}] {url}", i + 1));
        }
    }
    if !entry.dois.is_empty() {
        out.push(String::new());
        out.push("DOIs:".to_string());
        for d in &entry.dois {
            out.push(format!("doi:{} ({})", clean_url(&d.doi), d.source.as_str()));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (100_000, "100,000"),
        ] {
            assert_eq!(thousands(n), s);
        }
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
    use crate::model::{DoiSource, FoundDoi};
    use chrono::{TimeZone, Utc};

    fn find<'a>(r: &'a Rendered, needle: &str) -> &'a Span {
        r.lines
            .iter()
            .flat_map(|l| &l.spans)
            .find(|s| s.text.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {:#?}", r.lines))
    }

    fn line_with<'a>(r: &'a Rendered, needle: &str) -> &'a Line {
        r.lines
            .iter()
            .find(|l| l.plain().contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {}", r.plain()))
    }

    #[test]
    fn inline_styles_come_from_annotations() {
        let r = render_html(
            "<p>plain <strong>strong</strong> <em>emph</em> <code>code()</code> \
             <del>gone</del></p><pre>let x = 1;</pre>",
            80,
        );
        assert_eq!(find(&r, "plain").style, TextStyle::default());
        assert!(find(&r, "strong").style.bold);
        assert!(!find(&r, "strong").style.italic);
        assert!(find(&r, "emph").style.italic);
        assert!(find(&r, "code()").style.code);
        assert!(find(&r, "gone").style.strike);
        assert_eq!(find(&r, "gone").text, "gone", "no combining strike marks");
        assert!(find(&r, "let x = 1;").style.code);
    }

    #[test]
    fn headings_quotes_and_lists() {
        let r = render_html(
            "<h2>Methods</h2><p>Body text.</p><blockquote><p>Quoted words</p></blockquote>\
             <ul><li>first</li><li>second</li></ul><ol><li>one</li><li>two</li></ol>",
            80,
        );
        let h = line_with(&r, "Methods");
        assert_eq!(h.plain(), "## Methods");
        assert!(
            h.spans.iter().all(|s| s.style.heading && s.style.bold),
            "{h:?}"
        );
        assert!(!find(&r, "Body text.").style.heading);
        let q = line_with(&r, "Quoted words");
        assert_eq!(q.plain(), "> Quoted words");
        assert!(q.spans.iter().all(|s| s.style.quote), "{q:?}");
        assert!(!find(&r, "Body text.").style.quote);
        assert_eq!(line_with(&r, "first").plain(), "* first");
        assert_eq!(line_with(&r, "second").plain(), "* second");
        assert_eq!(line_with(&r, "two").plain(), "2. two");
        assert!(!r.plain().contains(HEADING_MARK) && !r.plain().contains(QUOTE_MARK));
    }

    #[test]
    fn links_are_numbered_in_order_with_repeats_sharing_a_number() {
        let r = render_html(
            "<p>See <a href=\"https://a.example/\">this</a> and \
             <a href=\"https://b.example/x?y=1&amp;z=2\">that</a>, then \
             <a href=\"https://a.example/\">this again</a> and \
             <a href=\"javascript:alert(1)\">bad</a>, <a href=\"\">empty</a>, \
             <a href=\" https://c.example/a b\n\">spaced</a>.</p>",
            100,
        );
        assert_eq!(
            r.links,
            vec![
                "https://a.example/",
                "https://b.example/x?y=1&z=2",
                "javascript:alert(1)",
                "https://c.example/a%20b"
            ]
        );
        let text = r.plain();
        assert!(text.contains("this[1]"), "{text}");
        assert!(text.contains("that[2]"), "{text}");
        assert!(text.contains("this again[1]"), "{text}");
        assert!(text.contains("bad[3]"), "{text}");
        assert!(
            text.contains("empty,"),
            "no number for an empty target: {text}"
        );
        assert!(text.contains("spaced[4]"), "{text}");
        assert!(find(&r, "that").style.link);
        assert!(
            !text.contains("https://"),
            "no footnote list in the text: {text}"
        );
    }

    #[test]
    fn links_inside_blocks_share_the_numbering() {
        let r = render_html(
            "<p><a href=\"https://a.example/\">a</a></p>\
             <blockquote><a href=\"https://b.example/\">b</a> <a href=\"https://a.example/\">a2</a></blockquote>\
             <ul><li><a href=\"https://c.example/\">c</a></li></ul>",
            80,
        );
        assert_eq!(
            r.links,
            vec![
                "https://a.example/",
                "https://b.example/",
                "https://c.example/"
            ]
        );
        let text = r.plain();
        assert!(
            text.contains("b[2]") && text.contains("a2[1]") && text.contains("c[3]"),
            "{text}"
        );
    }

    #[test]
    fn counts_take_the_number_of_their_noun() {
        assert_eq!(count(1usize, "entry", "entries"), "1 entry");
        assert_eq!(count(0usize, "entry", "entries"), "0 entries");
        assert_eq!(count(2i64, "feed", "feeds"), "2 feeds");
        assert_eq!(count(1i64, "feed", "feeds"), "1 feed");
    }

    #[test]
    fn prose_respects_the_width() {
        let para = "Replication studies in psychology have shown that many effects \
                    shrink substantially when tested again with larger samples. ";
        let html = format!(
            "<p>{}</p><ul><li>{}</li></ul><blockquote>{}</blockquote>",
            para.repeat(8),
            para.repeat(3),
            para.repeat(3)
        );
        for width in [20, 37, 60, 100] {
            let r = render_html(&html, width);
            assert!(r.lines.len() > 5);
            for l in &r.lines {
                assert!(l.width() <= width, "width {width}: {:?}", l.plain());
            }
        }
        // Out-of-range widths are clamped.
        let r = render_html(&html, 3);
        assert!(r.lines.iter().all(|l| l.width() <= MIN_WIDTH));
        assert!(r.lines.iter().any(|l| l.width() > 10));
    }

    #[test]
    fn deep_lists_at_narrow_width_still_fit() {
        let mut html = String::new();
        for _ in 0..30 {
            html.push_str("<ul><li>level");
        }
        html.push_str(" deepest words here");
        html.push_str(" <a href=\"https://deep.example/\">link</a>");
        let r = render_html(&html, 20);
        assert!(r.plain().contains("deepest words"), "{}", r.plain());
        assert!(r.lines.iter().all(|l| l.width() <= 20));
        assert_eq!(r.links, vec!["https://deep.example/"]);
    }

    #[test]
    fn hostile_escapes_are_removed() {
        let html = "<h1>T\x1b]0;pwned\x07itle</h1>\
            <p>a\x1b[31mred\u{9b}2J &#x1b;[1m &#27;]52;c;QUFB&#7; \u{202e}evil\u{2066} z\u{200b}w\u{feff}\r\x00</p>\
            <pre>\tcode\x1bP1;2q\x1b\\</pre>\
            <a href=\"https://e.example/\x1b[2J\u{202e}x\">l\x1b[0mink</a>";
        let r = render_html(html, 80);
        for l in &r.lines {
            for s in &l.spans {
                assert!(crate::text::scrub::is_clean(&s.text), "{:?}", s.text);
                assert!(
                    !s.text.contains('\n') && !s.text.contains('\t'),
                    "{:?}",
                    s.text
                );
            }
        }
        for u in &r.links {
            assert!(crate::text::scrub::is_clean(u), "{u:?}");
        }
        let text = r.plain();
        assert!(
            text.contains("Title") || text.contains("T]0;pwneditle"),
            "{text}"
        );
        assert!(text.contains("evil"), "{text}");
    }

    #[test]
    fn empty_and_blank_bodies() {
        for html in ["", "   ", "<p></p>", "<div><span></span></div>"] {
            let r = render_html(html, 80);
            assert!(r.lines.is_empty(), "{html:?}: {:?}", r.lines);
            assert!(r.links.is_empty());
            assert_eq!(r.plain(), "");
        }
    }

    #[test]
    fn a_long_post_renders() {
        let para = "<p>Some <em>long</em> text with a <a href=\"https://x.example/\">link</a> \
                    and more words to fill the line.</p>\n";
        let html = para.repeat(100_000 / para.len() + 1);
        let r = render_html(&html, 100);
        assert!(r.lines.len() > 1000);
        assert_eq!(r.links, vec!["https://x.example/"]);
    }

    #[test]
    fn huge_input_is_capped_with_a_notice() {
        let html = "<p>word </p>".repeat(MAX_INPUT_BYTES / 12 + 10_000);
        let r = render_html(&html, 80);
        let last = r.lines.last().unwrap().plain();
        assert!(last.contains("post truncated"), "{last}");
    }

    #[test]
    fn ten_megabytes_of_nested_divs_finish() {
        let depth = 10 * 1024 * 1024 / 11;
        let mut html = String::with_capacity(10 * 1024 * 1024 + 64);
        for _ in 0..depth / 2 {
            html.push_str("<div>");
        }
        html.push_str("deep text");
        for _ in 0..depth / 2 {
            html.push_str("</div>");
        }
        let r = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || render_html(&html, 80))
            .unwrap()
            .join()
            .expect("rendering nested divs panicked or overflowed");
        assert!(r.lines.iter().all(|l| l.width() <= 80));
    }

    #[test]
    fn a_hundred_thousand_nested_divs_do_not_overflow_a_2mb_stack() {
        let html = format!(
            "{}innermost{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let r = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || render_html(&html, 80))
            .unwrap()
            .join()
            .expect("rendering nested divs panicked or overflowed");
        assert_eq!(r.plain().trim(), "innermost");
    }

    #[test]
    fn moderate_nesting_keeps_rich_rendering() {
        let html = format!(
            "{}<strong>inside</strong>{}",
            "<div>".repeat(200),
            "</div>".repeat(200)
        );
        let r = render_html(&html, 80);
        assert!(find(&r, "inside").style.bold);
        assert!(!nests_deeper_than(&html, MAX_NESTING));
        assert!(nests_deeper_than(
            &"<div>".repeat(MAX_NESTING + 1),
            MAX_NESTING
        ));
        assert!(!nests_deeper_than(
            &"<p>x<br><img src=x>".repeat(2000),
            MAX_NESTING
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]
        #[test]
        fn any_input_renders_clean_and_within_width(
            html in "(<(a href=\"[a-z:/\\x{1b}]{0,12}\"|h2|em|pre|blockquote|li|ul|td|table|tr)>|</[a-z2]{1,10}>|&#x?[0-9a-f]{1,4};|[a-z \\x{0}-\\x{1f}\\x{7f}-\\x{9f}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}])*",
            width in 0usize..120,
        ) {
            let r = render_html(&html, width);
            let w = width.clamp(MIN_WIDTH, MAX_WIDTH);
            for l in &r.lines {
                proptest::prop_assert!(l.width() <= w, "{:?}", l.plain());
                for s in &l.spans {
                    proptest::prop_assert!(crate::text::scrub::is_clean(&s.text), "{:?}", s.text);
                    proptest::prop_assert!(!s.text.contains(['\n', '\t', '\r']));
                }
            }
            for u in &r.links {
                proptest::prop_assert!(crate::text::scrub::is_clean(u), "{:?}", u);
            }
        }
    }

    #[test]
    fn wrap_plain_splits_long_words() {
        assert_eq!(
            wrap_plain("aaaa bb cccccccccc d", 4),
            vec!["aaaa", "bb", "cccc", "cccc", "cc d"]
        );
        assert_eq!(wrap_plain("", 10), vec![""]);
    }

    fn entry() -> Entry {
        Entry {
            id: 7,
            feed_id: 1,
            feed_title: "Mind \x1b[31mHacks".to_string(),
            guid: "g".to_string(),
            title: "Replication\nand its discontents".to_string(),
            link: Some("https://mind.example/2014/12/rep".to_string()),
            authors: vec!["Vaughan Bell".to_string(), "Tom Stafford".to_string()],
            published: Some(Utc.with_ymd_and_hms(2014, 12, 3, 14, 5, 9).unwrap()),
            updated: None,
            first_seen: Utc.with_ymd_and_hms(2014, 12, 4, 0, 0, 0).unwrap(),
            month: "2014-12".to_string(),
            read: false,
            starred: false,
            content_html: Some(
                "<p>A <a href=\"https://doi.org/10.1126/science.aac4716\">big study</a> \
                 found effects halved.</p>"
                    .to_string(),
            ),
            summary_html: None,
            dois: vec![FoundDoi {
                doi: "10.1126/science.aac4716".to_string(),
                key: "10.1126/science.aac4716".to_string(),
                source: DoiSource::Link,
            }],
            papers: Vec::new(),
        }
    }

    #[test]
    fn entry_plain_has_header_body_links_and_dois() {
        let text = render_entry_plain(&entry(), 80);
        let want = "Replication and its discontents\n\
                    Feed: Mind [31mHacks\n\
                    Authors: Vaughan Bell, Tom Stafford\n\
                    Date: 2014-12-03 14:05 UTC\n\
                    Link: https://mind.example/2014/12/rep\n\
                    \n\
                    A big study[1] found effects halved.\n\
                    \n\
                    Links:\n\
                    [1] https://doi.org/10.1126/science.aac4716\n\
                    \n\
                    DOIs:\n\
                    doi:10.1126/science.aac4716 (link)";
        assert_eq!(text, want);
    }

    #[test]
    fn entry_plain_omits_empty_sections() {
        let mut e = entry();
        e.content_html = None;
        e.summary_html = Some("<p>Just a summary.</p>".to_string());
        e.dois.clear();
        e.authors = vec!["Solo".to_string()];
        e.published = None;
        e.updated = Some(Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 0).unwrap());
        e.link = None;
        let text = render_entry_plain(&e, 80);
        assert!(text.contains("Author: Solo\n"), "{text}");
        assert!(text.contains("Date: 2020-01-02 03:04 UTC"), "{text}");
        assert!(text.ends_with("\n\nJust a summary."), "{text}");
        assert!(!text.contains("Links:") && !text.contains("DOIs:") && !text.contains("Link:"));

        e.summary_html = None;
        e.title = String::new();
        let text = render_entry_plain(&e, 80);
        assert!(text.starts_with("(untitled)\n"), "{text}");
        assert!(text.ends_with("Date: 2020-01-02 03:04 UTC"), "{text}");
    }
}
