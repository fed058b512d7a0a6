//! Finding and normalising DOIs in feed entries: metadata elements, link targets and text.
//!
//! Every public function here takes hostile input and must never panic. A DOI this module
//! returns is validated: `10.` + a numeric prefix + `/` + a suffix without whitespace or any
//! character [`crate::text::scrub`] forbids, with the punctuation prose adds trimmed off.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::{DoiSource, FoundDoi};
use crate::text::html;
use crate::text::scrub::is_forbidden_in_url;

/// The resolver used when none is configured.
pub const DEFAULT_RESOLVER: &str = "https://doi.org";

/// Longest DOI accepted; real ones are far shorter, this only bounds what a hostile feed stores.
const MAX_LEN: usize = 512;

/// Where the DOI candidates of a text are: every `10.`.
static TEXT_DOI_START: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("10."));

/// The DOI candidates in a text, as byte ranges, in order: Crossref's recommended pattern
/// `10\.[0-9]{4,9}/[-._;()/:A-Za-z0-9<>]+` (with `<>` for the 10.1002 SICI forms), and the
/// 10.1207 forms that contain `&`, `10\.1207/[A-Za-z0-9]+&[0-9]+_[0-9]+`, which win where both
/// match. Matched by hand from each `10.` rather than by a regex search: every entry's text
/// goes through here, and the regex cost three times as much (the tests hold the pattern and
/// check the two agree).
fn doi_candidates(text: &str) -> Vec<std::ops::Range<usize>> {
    let b = text.as_bytes();
    // The length of the run of bytes `ok` accepts from `i`.
    let run = |i: usize, ok: fn(&u8) -> bool| {
        b.get(i..)
            .map_or(0, |t| t.iter().take_while(|c| ok(c)).count())
    };
    let suffix_char = |c: &u8| c.is_ascii_alphanumeric() || b"-._;()/:<>".contains(c);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = b
        .get(at..)
        .and_then(|t| TEXT_DOI_START.find(t))
        .map(|i| at + i)
    {
        let after = i + 3;
        // 10.1207/ alnum+ & digits+ _ digits+
        let sici_1207 = (|| {
            if !b.get(after..)?.starts_with(b"1207/") {
                return None;
            }
            let mut j = after + 5;
            let n = run(j, u8::is_ascii_alphanumeric);
            j += n;
            if n == 0 || b.get(j) != Some(&b'&') {
                return None;
            }
            let n = run(j + 1, u8::is_ascii_digit);
            j += 1 + n;
            if n == 0 || b.get(j) != Some(&b'_') {
                return None;
            }
            let n = run(j + 1, u8::is_ascii_digit);
            (n > 0).then_some(j + 1 + n)
        })();
        // 10. digits{4,9} / suffix+
        let general = || {
            let n = run(after, u8::is_ascii_digit);
            let slash = after + n;
            if !(4..=9).contains(&n) || b.get(slash) != Some(&b'/') {
                return None;
            }
            let n = run(slash + 1, suffix_char);
            (n > 0).then_some(slash + 1 + n)
        };
        match sici_1207.or_else(general) {
            Some(end) => {
                out.push(i..end);
                at = end;
            }
            None => at = i + 1,
        }
    }
    out
}

/// A doi.org URL written as text whose DOI is percent-encoded, which the pattern above cannot
/// see whole (`%` is not a DOI character in prose).
static TEXT_ENCODED_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)doi\.org/(10\.[0-9]{4,9}%2F[^\s"'<>]+)"#).expect("constant pattern")
});

/// The length of the prefix part a DOI starts with, `/` included: `10.` then four to nine
/// digits, then any dotted sub-prefixes (`.` and digits). A byte scan rather than a pattern:
/// every DOI found goes through here, and the scan costs a tenth of a regex search.
fn prefix_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits_from = |i: usize| {
        b.get(i..)
            .map_or(0, |t| t.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    if !b.starts_with(b"10.") {
        return None;
    }
    let n = digits_from(3);
    if !(4..=9).contains(&n) {
        return None;
    }
    let mut i = 3 + n;
    while b.get(i) == Some(&b'.') {
        let n = digits_from(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    (b.get(i) == Some(&b'/')).then_some(i + 1)
}

/// The set of DOIs found in one entry: ordered by first sighting, deduplicated by [`key`],
/// keeping the first display form and the most trusted source seen.
#[derive(Debug, Clone, Default)]
pub struct DoiSet {
    found: Vec<FoundDoi>,
    index: KeyIndex,
}

impl DoiSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// A `prism:doi`, `dc:identifier` or `arxiv:doi` value; ignored when it is not a DOI.
    pub fn add_meta(&mut self, value: &str) {
        if let Some(doi) = from_meta(value) {
            self.add(doi, DoiSource::Meta);
        }
    }

    /// A link target; ignored unless it is a DOI URL.
    pub fn add_link(&mut self, url: &str) {
        if let Some(doi) = from_url(url) {
            self.add_found_link(doi);
        }
    }

    /// What [`from_url`] found in a link target, for a caller that needs it too.
    pub fn add_found_link(&mut self, doi: String) {
        self.add(doi, DoiSource::Link);
    }

    /// An HTML body: its link targets first, then its decoded text.
    pub fn add_html(&mut self, html: &str) {
        let (text, hrefs) = html::text_and_hrefs(html);
        for href in hrefs {
            self.add_link(&href);
        }
        self.add_text(&text);
    }

    /// Plain text (entities already decoded).
    pub fn add_text(&mut self, text: &str) {
        self.add_found_in_text(&find_in_text(text));
    }

    /// What [`find_in_text`] found in a text, for a caller that needs them for
    /// [`crate::text::ids::find_papers_in`] too and so searches once.
    pub fn add_found_in_text(&mut self, dois: &[String]) {
        for doi in dois {
            self.add(doi.clone(), DoiSource::Text);
        }
    }

    fn add(&mut self, doi: String, source: DoiSource) {
        let k = key(&doi);
        match self.index.get(&k) {
            Some(i) => {
                if let Some(f) = self.found.get_mut(i) {
                    f.source = f.source.min(source);
                }
            }
            None => {
                self.index.insert(k.clone(), self.found.len());
                self.found.push(FoundDoi {
                    doi,
                    key: k,
                    source,
                });
            }
        }
    }

    pub fn into_vec(self) -> Vec<FoundDoi> {
        self.found
    }

    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    pub fn len(&self) -> usize {
        self.found.len()
    }
}

/// Which row holds each key, for the DOIs and the papers of one post. A post cites a handful:
/// their keys are compared one by one, which costs less than hashing them; past
/// [`KeyIndex::SMALL`] keys (a hostile post) a hash map keeps the finders linear.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyIndex {
    small: Vec<(String, usize)>,
    map: HashMap<String, usize>,
}

impl KeyIndex {
    const SMALL: usize = 16;

    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        if self.map.is_empty() {
            self.small.iter().find(|(k, _)| k == key).map(|(_, r)| *r)
        } else {
            self.map.get(key).copied()
        }
    }

    /// Points `key` at `row` (it may have pointed at another).
    pub(crate) fn insert(&mut self, key: String, row: usize) {
        if !self.map.is_empty() {
            self.map.insert(key, row);
        } else if let Some(slot) = self.small.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = row;
        } else if self.small.len() < Self::SMALL {
            self.small.push((key, row));
        } else {
            self.map.extend(self.small.drain(..));
            self.map.insert(key, row);
        }
    }
}

/// Every DOI in plain text, in order of appearance, deduplicated by [`key`] (first form kept).
/// Finds `doi:10…`, `DOI: 10…`, `doi 10…`, doi.org URLs and bare `10.NNNN/…` tokens alike.
pub fn find_in_text(text: &str) -> Vec<String> {
    let mut hits: Vec<(usize, String)> = Vec::new();
    for m in doi_candidates(text) {
        // "110.1234/x" or "v10.1234/x" is not a DOI that starts at "10.".
        let before = text[..m.start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            continue;
        }
        let mut end = m.end;
        // SICI check characters may be `#`, which the general pattern leaves out.
        if ends_with_ci(&text[m.clone()], ";2-") && text[end..].starts_with('#') {
            end += 1;
        }
        if let Some(doi) = normalize(&text[m.start..end]) {
            hits.push((m.start, doi));
        }
    }
    // memchr's vector search: core's `contains` reads a word at a time, and this runs on every
    // entry's whole text.
    if memchr::memchr(b'%', text.as_bytes()).is_some() {
        for c in TEXT_ENCODED_URL.captures_iter(text) {
            if let Some(g) = c.get(1) {
                if let Some(doi) = normalize(&percent_decode(g.as_str())) {
                    hits.push((g.start(), doi));
                }
            }
        }
        hits.sort_by_key(|(pos, _)| *pos);
    }
    // One DOI (most posts) has nothing to be a repeat of.
    if hits.len() < 2 {
        return hits.into_iter().map(|(_, d)| d).collect();
    }
    let mut seen = std::collections::HashSet::new();
    hits.into_iter()
        .filter(|(_, d)| seen.insert(key(d)))
        .map(|(_, d)| d)
        .collect()
}

/// The DOI a URL points at: doi.org and dx.doi.org URLs, publisher URLs with
/// `/doi/10.…`, `/doi/abs|full|pdf|epdf|…/10.…`, and Springer `/article|chapter/10.…` paths.
/// `doi:` / `info:doi/` URIs count too. Query and fragment are dropped, the path
/// percent-decoded.
pub fn from_url(url: &str) -> Option<String> {
    let url = url.trim();
    // Most links hold no DOI, and every DOI starts `10.` (perhaps percent-encoded).
    if !url.contains("10.") && !url.contains('%') {
        return None;
    }
    // `doi:` and `info:doi/` hrefs name the DOI directly.
    for scheme in ["doi:", "info:doi/"] {
        if let Some(rest) = strip_prefix_ci(url, scheme) {
            return normalize(&percent_decode(rest.split(['?', '#']).next().unwrap_or("")));
        }
    }
    let scheme_len = ["https://", "http://"]
        .iter()
        .find(|p| {
            url.get(..p.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(p))
        })
        .map(|p| p.len());
    let rest = match (scheme_len, url.strip_prefix("//")) {
        (Some(n), _) => &url[n..],
        (None, Some(r)) => r,
        (None, None) if url.starts_with('/') => url,
        (None, None) => return None,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (host, path) = match rest.find('/') {
        Some(0) => ("", rest),
        Some(i) => (&rest[..i], &rest[i..]),
        None => return None,
    };
    // Drop userinfo and port. Hosts are compared, not lowered: every link of every post comes
    // here, and most hold no DOI.
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let host = strip_prefix_ci(host, "www.").unwrap_or(host);
    let decoded;
    let path = if path.contains('%') {
        decoded = percent_decode(path);
        decoded.as_str()
    } else {
        path
    };
    let doi_part =
        if host.eq_ignore_ascii_case("doi.org") || host.eq_ignore_ascii_case("dx.doi.org") {
            path.strip_prefix('/')?
        } else {
            after_doi_segment(path, host)?
        };
    normalize(doi_part)
}

/// The part of a publisher path that starts at the DOI, if the path carries one.
fn after_doi_segment<'p>(path: &'p str, host: &str) -> Option<&'p str> {
    let lower = path.to_ascii_lowercase();
    let mut markers = vec!["/doi/"];
    if host.eq_ignore_ascii_case("link.springer.com") {
        markers.extend(["/article/", "/chapter/", "/book/", "/referenceworkentry/"]);
    }
    for marker in markers {
        let Some(i) = lower.find(marker) else {
            continue;
        };
        let after = &path[i + marker.len()..];
        if after.starts_with("10.") {
            return Some(after);
        }
        // One word segment (abs, full, pdf, epdf, pdfdirect, ...) may sit before the DOI.
        if let Some((seg, tail)) = after.split_once('/') {
            if !seg.is_empty()
                && seg.chars().all(|c| c.is_ascii_alphabetic())
                && tail.starts_with("10.")
            {
                return Some(tail);
            }
        }
    }
    None
}

/// The DOI in a metadata value: `doi:10…`, `DOI: 10…`, `info:doi/10…`, `urn:doi:10…`,
/// a DOI URL, or a bare `10…`. Also suits a DOI a user typed.
pub fn from_meta(value: &str) -> Option<String> {
    let v = value.trim();
    for prefix in ["info:doi/", "urn:doi:"] {
        if let Some(rest) = strip_prefix_ci(v, prefix) {
            return normalize(rest);
        }
    }
    if let Some(rest) = strip_prefix_ci(v, "doi") {
        if rest.starts_with(|c: char| c == ':' || c.is_whitespace()) {
            return normalize(rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace()));
        }
    }
    if strip_prefix_ci(v, "http").is_some() || v.starts_with("//") {
        return from_url(v);
    }
    normalize(v)
}

/// Whether `s` ends with ASCII `suffix`, compared case-insensitively.
fn ends_with_ci(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// `s` without an ASCII prefix, compared case-insensitively.
pub(crate) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A validated DOI from a candidate that starts with `10.`: surrounding whitespace, trailing
/// prose punctuation, quotes, unpartnered closing brackets and `/abstract` `/full` `/pdf`
/// `/epdf` tails removed. `None` when what is left is not a DOI.
pub fn normalize(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    if s.len() > MAX_LEN {
        return None;
    }
    const PAIRS: [(char, char); 4] = [('(', ')'), ('[', ']'), ('{', '}'), ('<', '>')];
    // Bracket balance counted once and updated as characters go, so trimming stays linear.
    // Brackets are ASCII, and no byte of a multi-byte character is: bytes suffice.
    let mut balance = [0i64; 4];
    for b in s.bytes() {
        match b {
            b'(' => balance[0] += 1,
            b')' => balance[0] -= 1,
            b'[' => balance[1] += 1,
            b']' => balance[1] -= 1,
            b'{' => balance[2] += 1,
            b'}' => balance[2] -= 1,
            b'<' => balance[3] += 1,
            b'>' => balance[3] -= 1,
            _ => {}
        }
    }
    while let Some(last) = s.chars().next_back() {
        if matches!(
            last,
            '.' | ',' | ';' | ':' | '"' | '\'' | '‘' | '’' | '“' | '”' | '«' | '»' | '/'
        ) {
            s = &s[..s.len() - last.len_utf8()];
            continue;
        }
        if let Some(i) = PAIRS.iter().position(|(_, close)| *close == last) {
            if balance[i] < 0 {
                balance[i] += 1;
                s = &s[..s.len() - 1];
                continue;
            }
        }
        let tail = ["/abstract", "/full", "/pdf", "/epdf"]
            .into_iter()
            .find(|t| ends_with_ci(s, t));
        match tail {
            Some(t) => s = &s[..s.len() - t.len()],
            None => break,
        }
    }
    let suffix = &s[prefix_len(s)?..];
    let valid = suffix.chars().any(char::is_alphanumeric)
        // An identifier, like a URL: a joiner in it could only make two DOIs look alike.
        && !suffix.chars().any(|c| c.is_whitespace() || is_forbidden_in_url(c));
    valid.then(|| s.to_string())
}

/// The identity of a DOI: DOIs are case-insensitive.
pub fn key(doi: &str) -> String {
    // Nearly every DOI is ASCII, which needs no Unicode case mapping.
    if doi.is_ascii() {
        doi.to_ascii_lowercase()
    } else {
        doi.to_lowercase()
    }
}

/// A DOI that cannot be put in a resolver URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DoiUrlError {
    #[error("`{0}` is not a DOI: it holds whitespace or a control or invisible character")]
    Unsafe(String),
}

/// The resolver URL for a DOI: `resolver` (empty means [`DEFAULT_RESOLVER`]; a trailing `/` is
/// dropped) + `/` + the DOI with the characters the DOI Handbook says must or should be
/// encoded in URLs percent-encoded (`%` `"` `#` `?` space `<` `>` `{` `}` `^` `[` `]` `` ` ``
/// `|` `\`), and non-ASCII as UTF-8 bytes.
///
/// The whole DOI stays one path below the resolver: URL parsers remove dot segments (and the
/// WHATWG parser takes `%2E` for a dot too), so `10.1000/../../wide.xml` would ask the resolver
/// for `/wide.xml`. When the DOI has a `.` or `..` segment, its slashes and those dots are
/// percent-encoded, leaving one segment that no parser rewrites. A DOI holding whitespace or a
/// control or invisible character is refused.
pub fn doi_url(resolver: &str, doi: &str) -> Result<String, DoiUrlError> {
    if doi
        .chars()
        .any(|c| c.is_whitespace() || is_forbidden_in_url(c))
    {
        return Err(DoiUrlError::Unsafe(crate::text::scrub::scrub_line(doi)));
    }
    let base = resolver.trim().trim_end_matches('/');
    let base = if base.is_empty() {
        DEFAULT_RESOLVER
    } else {
        base
    };
    let dot_segments = doi.split('/').any(|seg| seg == "." || seg == "..");
    let mut out = String::with_capacity(base.len() + 1 + doi.len() * 3);
    out.push_str(base);
    out.push('/');
    for (i, seg) in doi.split('/').enumerate() {
        if i > 0 {
            out.push_str(if dot_segments { "%2F" } else { "/" });
        }
        if seg == "." || seg == ".." {
            out.push_str(&"%2E".repeat(seg.len()));
            continue;
        }
        for b in seg.bytes() {
            let encode = !b.is_ascii_graphic()
                || matches!(
                    b,
                    b'%' | b'"'
                        | b'#'
                        | b'?'
                        | b'<'
                        | b'>'
                        | b'{'
                        | b'}'
                        | b'^'
                        | b'['
                        | b']'
                        | b'`'
                        | b'|'
                        | b'\\'
                );
            if encode {
                out.push_str(&format!("%{b:02X}"));
            } else {
                out.push(char::from(b));
            }
        }
    }
    Ok(out)
}

/// Decodes `%XX` escapes; malformed escapes stay as they are, invalid UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| char::from(c).to_digit(16);
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                // Both digits are < 16, so the byte fits.
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<String> {
        find_in_text(s)
    }

    #[test]
    fn bare_token_in_a_sentence() {
        assert_eq!(
            text("As shown in 10.1111/hsc.12135 the effect was small."),
            vec!["10.1111/hsc.12135"]
        );
    }

    #[test]
    fn prefixed_text_forms() {
        assert_eq!(text("DOI: 10.1000/abc123"), vec!["10.1000/abc123"]);
        assert_eq!(text("doi:10.1000/abc123"), vec!["10.1000/abc123"]);
        assert_eq!(text("doi 10.1000/abc123"), vec!["10.1000/abc123"]);
        assert_eq!(
            text("see https://doi.org/10.1000/abc123."),
            vec!["10.1000/abc123"]
        );
    }

    #[test]
    fn trailing_punctuation_trimmed() {
        for s in [
            "10.1000/xyz123.",
            "10.1000/xyz123,",
            "10.1000/xyz123;",
            "10.1000/xyz123:",
            "\"10.1000/xyz123\"",
            "“10.1000/xyz123”",
            "‘10.1000/xyz123’.",
            "10.1000/xyz123).",
            "[10.1000/xyz123]",
            "{10.1000/xyz123}",
            "<10.1000/xyz123>",
        ] {
            assert_eq!(text(s), vec!["10.1000/xyz123"], "{s}");
        }
    }

    #[test]
    fn parenthesised_doi() {
        assert_eq!(text("(doi:10.1000/xyz123)"), vec!["10.1000/xyz123"]);
    }

    #[test]
    fn balanced_parens_inside_kept() {
        assert_eq!(
            text("Lancet (10.1016/S0140-6736(14)61838-2)."),
            vec!["10.1016/S0140-6736(14)61838-2"]
        );
        assert_eq!(
            normalize("10.1016/S0140-6736(14)61838-2"),
            Some("10.1016/S0140-6736(14)61838-2".into())
        );
    }

    #[test]
    fn sici_with_entities_in_html() {
        let mut set = DoiSet::new();
        set.add_html(
            "<p>Old: 10.1002/(SICI)1097-4571(199806)49:8&lt;693::AID-ASI4&gt;3.0.CO;2-0.</p>",
        );
        let v = set.into_vec();
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].doi,
            "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
        );
    }

    #[test]
    fn sici_hash_check_character() {
        assert_eq!(
            text("10.1002/(SICI)1099-1255(199601)11:1<1::AID-JAE370>3.0.CO;2-#, then"),
            vec!["10.1002/(SICI)1099-1255(199601)11:1<1::AID-JAE370>3.0.CO;2-#"]
        );
    }

    #[test]
    fn ampersand_1207_form() {
        assert_eq!(
            text("see 10.1207/S15327965PLI1104&2_03 here"),
            vec!["10.1207/S15327965PLI1104&2_03"]
        );
    }

    #[test]
    fn not_dois() {
        for s in [
            "10.5/x",
            "version 10.12.3",
            "10.1234 without suffix",
            "10.1234/",
            "10.1234/.",
            "110.1234/abc",
            "v10.1234/abc",
            "macOS 10.15/16",
            "",
            "10.",
        ] {
            assert!(text(s).is_empty(), "{s}");
        }
        assert_eq!(normalize("10.1234"), None);
        assert_eq!(normalize("11.1234/abc"), None);
        assert_eq!(normalize("10.1234/a b"), None);
        assert_eq!(normalize("10.1234/a\u{1b}b"), None);
        assert_eq!(normalize("10.1234/()"), None);
    }

    #[test]
    fn unicode_around() {
        assert_eq!(
            text("Études — «10.1000/xyz123» 中文 🙂 doi:10.1000/ÄÖ"),
            vec!["10.1000/xyz123"]
        );
        assert_eq!(text("é10.1000/xyz123"), Vec::<String>::new());
    }

    #[test]
    fn url_forms() {
        assert_eq!(
            from_url("https://doi.org/10.1000/xyz123"),
            Some("10.1000/xyz123".into())
        );
        assert_eq!(
            from_url("http://dx.doi.org/10.1000/xyz123"),
            Some("10.1000/xyz123".into())
        );
        assert_eq!(
            from_url("HTTPS://WWW.DOI.ORG/10.1000/xyz123"),
            Some("10.1000/xyz123".into())
        );
        assert_eq!(
            from_url("https://doi.org/10.1016/j.cell.2020.01.001?via=ihub#sec1"),
            Some("10.1016/j.cell.2020.01.001".into())
        );
        assert_eq!(
            from_url("https://doi.org/10.1000%2Fabc"),
            Some("10.1000/abc".into())
        );
        assert_eq!(
            from_url("https://onlinelibrary.wiley.com/doi/abs/10.1111/hsc.12135"),
            Some("10.1111/hsc.12135".into())
        );
        assert_eq!(
            from_url("https://onlinelibrary.wiley.com/doi/full/10.1111/hsc.12135/abstract"),
            Some("10.1111/hsc.12135".into())
        );
        assert_eq!(
            from_url("https://journals.sagepub.com/doi/10.1177/0956797614524581"),
            Some("10.1177/0956797614524581".into())
        );
        assert_eq!(
            from_url("https://x.org/doi/pdf/10.1000/abc"),
            Some("10.1000/abc".into())
        );
        assert_eq!(
            from_url("https://x.org/doi/epdf/10.1000/abc?src=getftr"),
            Some("10.1000/abc".into())
        );
        assert_eq!(
            from_url("https://link.springer.com/article/10.1007/s00127-014-0123-4"),
            Some("10.1007/s00127-014-0123-4".into())
        );
        assert_eq!(
            from_url(
                "https://onlinelibrary.wiley.com/doi/abs/10.1002/%28SICI%291097-4571%28199806%2949%3A8%3C693%3A%3AAID-ASI4%3E3.0.CO%3B2-0"
            ),
            Some("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0".into())
        );
        assert_eq!(from_url("/doi/10.1000/abc"), Some("10.1000/abc".into()));
        assert_eq!(from_url("doi:10.1000/abc"), Some("10.1000/abc".into()));
        assert_eq!(
            from_url("info:doi/10.1000%2Fabc"),
            Some("10.1000/abc".into())
        );
    }

    #[test]
    fn urls_that_are_not_dois() {
        for u in [
            "https://example.com/10.1000/abc",
            "https://example.com/doi/",
            "https://doi.org/",
            "https://doi.org",
            "ftp://doi.org/10.1000/abc",
            "mailto:x@doi.org",
            "https://doi.org/10.1000/a%1Bb",
            "https://example.com/?doi=10.1000/abc",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(from_url(u), None, "{u}");
        }
    }

    #[test]
    fn meta_forms() {
        for v in [
            "10.1000/xyz123",
            "doi:10.1000/xyz123",
            "DOI: 10.1000/xyz123",
            "info:doi/10.1000/xyz123",
            "urn:doi:10.1000/xyz123",
            "https://doi.org/10.1000/xyz123",
            "  10.1000/xyz123\n",
            "doi 10.1000/xyz123",
            "INFO:DOI/10.1000/xyz123",
        ] {
            assert_eq!(from_meta(v), Some("10.1000/xyz123".into()), "{v}");
        }
        assert_eq!(from_meta("urn:isbn:978-3-16-148410-0"), None);
        assert_eq!(from_meta("https://example.com/post/1"), None);
        assert_eq!(from_meta("doi:"), None);
        assert_eq!(from_meta("doiX10.1000/xyz123"), None);
    }

    #[test]
    fn set_dedups_keeps_first_display_and_most_trusted_source() {
        let mut set = DoiSet::new();
        set.add_text("see 10.1111/HSC.12135 and 10.1000/other");
        set.add_link("https://doi.org/10.1111/hsc.12135");
        set.add_meta("doi:10.1111/Hsc.12135");
        set.add_text("10.1000/OTHER again");
        assert_eq!(set.len(), 2);
        let v = set.into_vec();
        assert_eq!(v[0].doi, "10.1111/HSC.12135");
        assert_eq!(v[0].key, "10.1111/hsc.12135");
        assert_eq!(v[0].source, DoiSource::Meta);
        assert_eq!(v[1].doi, "10.1000/other");
        assert_eq!(v[1].source, DoiSource::Text);
    }

    #[test]
    fn html_links_count_as_links_and_text_is_searched() {
        let mut set = DoiSet::new();
        set.add_html(
            r#"<p>Read <a href="https://doi.org/10.1000/a?x=1&amp;y=2">https://doi.org/10.1000/a</a>,
               and doi:10.1000/b.</p><a href="https://example.com/">home</a>"#,
        );
        let v = set.into_vec();
        let got: Vec<_> = v.iter().map(|f| (f.doi.as_str(), f.source)).collect();
        assert_eq!(
            got,
            vec![
                ("10.1000/a", DoiSource::Link),
                ("10.1000/b", DoiSource::Text)
            ]
        );
        assert!(DoiSet::new().is_empty());
    }

    #[test]
    fn percent_encoded_url_alone_in_text() {
        assert_eq!(
            text("see https://doi.org/10.1000%2Fabc%28x%29."),
            vec!["10.1000/abc(x)"]
        );
    }

    #[test]
    fn percent_encoded_url_written_as_text() {
        assert_eq!(
            text("at https://doi.org/10.1000%2Fabc%28x%29 and 10.1000/abc(x)"),
            vec!["10.1000/abc(x)"]
        );
    }

    /// `doi_url`, for DOIs a test knows are safe.
    fn url_of(resolver: &str, doi: &str) -> String {
        doi_url(resolver, doi).unwrap_or_else(|e| panic!("{doi}: {e}"))
    }

    #[test]
    fn resolver_urls_encode_what_the_handbook_requires() {
        assert_eq!(
            url_of("https://doi.org/", "10.1000/abc"),
            "https://doi.org/10.1000/abc"
        );
        assert_eq!(url_of("", "10.1000/abc"), "https://doi.org/10.1000/abc");
        assert_eq!(
            url_of(
                "https://doi.org",
                "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
            ),
            "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"
        );
        assert_eq!(
            url_of("http://127.0.0.1:8080", "10.1000/a%b\"c#d?e[g]é"),
            "http://127.0.0.1:8080/10.1000/a%25b%22c%23d%3Fe%5Bg%5D%C3%A9"
        );
    }

    #[test]
    fn dot_segments_cannot_climb_out_of_the_resolver() {
        for (doi, path) in [
            (
                "10.1000/../../wide.xml",
                "/10.1000%2F%2E%2E%2F%2E%2E%2Fwide.xml",
            ),
            (
                "10.1000/../../etc/passwd",
                "/10.1000%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            ),
            ("10.1000/./x", "/10.1000%2F%2E%2Fx"),
            ("10.1000/a/..", "/10.1000%2Fa%2F%2E%2E"),
            // Dots inside a segment are no dot segment: left alone.
            ("10.1000/a..b/...", "/10.1000/a..b/..."),
        ] {
            let url = url_of("https://doi.org", doi);
            // What an HTTP client will actually request, after its URL parser.
            let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(parsed.path(), path, "{doi}");
            assert_eq!(parsed.host_str(), Some("doi.org"));
            assert_eq!(percent_decode(&parsed.path()[1..]), doi);
        }
        // Below a resolver with a path of its own, too.
        let url = url_of("http://127.0.0.1:8080/resolve/", "10.1000/../x");
        let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.path(), "/resolve/10.1000%2F%2E%2E%2Fx");
    }

    #[test]
    fn dois_with_whitespace_or_controls_are_refused() {
        for doi in [
            "10.1000/a b",
            "10.1000/a\tb",
            "10.1000/a\nb",
            "10.1000/a\u{1b}[31m",
            "10.1000/a\u{85}",
            "10.1000/a\u{202e}b",
            "10.1000/a\u{200d}b",
            "10.1000/a\u{3000}b",
        ] {
            let err = doi_url("https://doi.org", doi).unwrap_err();
            assert!(crate::text::scrub::is_clean(&err.to_string()), "{err}");
            // Nor is such a DOI ever found (at most its clean part, trimmed), so none is
            // stored that cannot be resolved.
            if let Some(d) = normalize(doi) {
                assert!(doi_url("https://doi.org", &d).is_ok(), "{doi:?} → {d:?}");
            }
        }
    }

    #[test]
    fn percent_decode_malformed() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%zz%41"), "a%zzA");
        assert_eq!(percent_decode("%FF"), "\u{fffd}");
    }

    proptest::proptest! {
        #[test]
        fn found_dois_are_normal_clean_and_resolvable(s in proptest::prelude::any::<String>()) {
            let mut set = DoiSet::new();
            set.add_html(&s);
            set.add_link(&s);
            set.add_meta(&s);
            for f in set.into_vec() {
                proptest::prop_assert_eq!(normalize(&f.doi), Some(f.doi.clone()));
                proptest::prop_assert!(crate::text::scrub::is_clean(&f.doi));
                proptest::prop_assert_eq!(&f.key, &key(&f.doi));
                let url = url_of(DEFAULT_RESOLVER, &f.doi);
                // What a client requests, after its URL parser: the whole DOI, below the root.
                let parsed = url::Url::parse(&url);
                proptest::prop_assert!(parsed.is_ok(), "{}", url);
                let path = parsed.map(|u| u.path().to_string()).unwrap_or_default();
                proptest::prop_assert_eq!(percent_decode(path.get(1..).unwrap_or("")), f.doi);
            }
        }

        #[test]
        fn normalize_is_idempotent(s in "10\\.[0-9]{4,6}/[-._;()/:<>a-zA-Z0-9\"',.]{0,12}") {
            if let Some(d) = normalize(&s) {
                proptest::prop_assert_eq!(normalize(&d), Some(d.clone()));
            }
        }

        #[test]
        fn embedded_doi_is_found_exactly(
            prefix in "[0-9]{4,9}",
            suffix in "[A-Za-z0-9][-._;/:A-Za-z0-9]{0,30}[0-9]",
            before in proptest::sample::select(vec!["", "see ", "(doi:", "DOI: ", "doi ", "https://doi.org/", "« "]),
            after in proptest::sample::select(vec!["", ".", ").", ", and", ";", "” —", ":"]),
        ) {
            let doi = format!("10.{prefix}/{suffix}");
            let found = find_in_text(&format!("Text {before}{doi}{after} more"));
            proptest::prop_assert_eq!(found, vec![doi.clone()]);
            proptest::prop_assert_eq!(from_url(&url_of(DEFAULT_RESOLVER, &doi)), Some(doi));
        }
    }

    /// The pattern [`doi_candidates`] matches by hand.
    static TEXT_DOI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"10\.1207/[A-Za-z0-9]+&[0-9]+_[0-9]+|10\.[0-9]{4,9}/[-._;()/:A-Za-z0-9<>]+")
            .expect("constant pattern")
    });

    /// The pattern [`prefix_len`] matches by hand.
    static PREFIX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^10\.[0-9]{4,9}(?:\.[0-9]+)*/").expect("constant pattern"));

    #[test]
    fn prefix_len_is_the_patterns_match() {
        for s in [
            "10.1000/x",
            "10.1000.5.66/x",
            "10.1000./x",
            "10.1000.5./x",
            "10.123/x",
            "10.123456789/x",
            "10.1234567890/x",
            "10.1000",
            "10.1000.",
            "11.1000/x",
            "10.1a00/x",
            "",
        ] {
            assert_eq!(prefix_len(s), PREFIX.find(s).map(|m| m.end()), "{s}");
        }
    }

    fn regex_candidates(s: &str) -> Vec<std::ops::Range<usize>> {
        TEXT_DOI.find_iter(s).map(|m| m.range()).collect()
    }

    #[test]
    fn candidates_are_the_patterns_matches() {
        for s in [
            "10.1207/S15327965PLI1104&2_03 and 10.1207/abc, 10.1207/a&1_ 10.1207/a&_1",
            "10.10.1234/x 10.123/x 10.1234567890/x 10.123456789/x 10.1234/ 10.1234/(x)<y>",
            "110.1234/a v10.1234/b é10.1234/c 10.1234/é 10.1234/a b",
            "10.1207/&1_2 10.1207/a&1_2é 10.1207/a&1_2_3 10.1207/a.b&1_2",
            "",
            "10.",
            "10.1",
            "10.1207/",
            "10.1207/a&",
            "10.1207/a&1",
            "10.1207/a&1_",
        ] {
            assert_eq!(doi_candidates(s), regex_candidates(s), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn candidates_agree_with_the_pattern(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "10.", "1207", "/", "&", "_", "1", "0", "12345", "123456789", "a", "Z", "(", ")",
                "<", ">", ";", ":", "-", ".", " ", "é", "#", "%2F", "10.1000/x",
            ]), 0..16),
            any in proptest::prelude::any::<String>(),
        ) {
            let s = parts.concat();
            proptest::prop_assert_eq!(doi_candidates(&s), regex_candidates(&s));
            proptest::prop_assert_eq!(doi_candidates(&any), regex_candidates(&any));
            for t in [&s, &any] {
                let at = t.find("10.").unwrap_or(0);
                proptest::prop_assert_eq!(prefix_len(&t[at..]), PREFIX.find(&t[at..]).map(|m| m.end()));
            }
        }
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let long = "10.1234/".to_string() + &"a".repeat(10_000);
        for s in [
            "é",
            "10.1234/é",
            "%",
            "%%",
            "http://",
            "https://é/doi/10.1/é",
            "//",
            "/",
            "doi:",
            "https://doi.org/%",
            "10.1234/)))))",
            "10.1234/((((",
            long.as_str(),
        ] {
            let _ = find_in_text(s);
            let _ = from_url(s);
            let _ = from_meta(s);
            let _ = normalize(s);
            let _ = doi_url(s, s);
            let mut set = DoiSet::new();
            set.add_html(s);
        }
        assert_eq!(normalize(&long), None);
    }
}
