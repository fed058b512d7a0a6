//! Citations built locally from CSL-JSON, and BibTeX made or checked for export.
//!
//! Resolver answers are untrusted: every text field is reduced to plain one-line text (markup
//! such as Crossref's `<i>` stripped, entities decoded, controls removed) before it is kept.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use crate::text::html;
use crate::text::scrub::{scrub, scrub_line};

/// A work's citation data, from the CSL-JSON a DOI resolver returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Citation {
    pub doi: String,
    /// "Webber M" style: family name and initials; an organisation's name as it is.
    pub authors: Vec<String>,
    pub year: Option<i32>,
    pub title: Option<String>,
    pub container: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    /// The CSL type, e.g. `article-journal`.
    pub kind: Option<String>,
    /// What the fields above do not keep of the CSL-JSON item, for citation styles: full
    /// given names, the journal's short title, month and day, URL, publisher, ….
    #[serde(skip)]
    pub extra: CslExtra,
}

/// Cleaned CSL-JSON variables beyond [`Citation`]'s fields (see [`parse_csl_json`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CslExtra(pub(crate) serde_json::Map<String, Value>);

#[derive(Debug, thiserror::Error)]
pub enum CiteError {
    #[error("{0}")]
    NotJson(String),
    #[error("{0}")]
    Missing(String),
}

/// How a line names the work: `doi:10.…` for a DOI; a paper key (`arxiv:…`, `pmid:…`) as it is.
pub(super) fn id_label(id: &str) -> String {
    if id.starts_with("10.") {
        format!("doi:{id}")
    } else {
        id.to_string()
    }
}

/// Parses CSL-JSON as doi.org returns it. `doi` is the DOI that was asked for; it is the
/// citation's DOI whatever the answer says.
pub fn parse_csl_json(json: &str, doi: &str) -> Result<Citation, CiteError> {
    let json = json.trim_start_matches('\u{feff}').trim();
    let value: Value = serde_json::from_str(json).map_err(|e| {
        if json.starts_with('<') {
            CiteError::NotJson("resolver answered HTML, not CSL-JSON".into())
        } else {
            CiteError::NotJson(scrub_line(&format!("resolver answer is not CSL-JSON: {e}")))
        }
    })?;
    // Some services wrap the item in a one-element array.
    let item = match &value {
        Value::Array(items) => items.first().unwrap_or(&Value::Null),
        v => v,
    };
    let Value::Object(obj) = item else {
        return Err(CiteError::NotJson(
            "resolver answer is JSON but not a CSL-JSON item".into(),
        ));
    };
    let authors: Vec<String> = obj
        .get("author")
        .or_else(|| obj.get("editor"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(short_name).collect())
        .unwrap_or_default();
    let year = ["issued", "published-print", "published-online", "created"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(year_of));
    let citation = Citation {
        doi: scrub_line(doi),
        authors,
        year,
        title: obj.get("title").and_then(text_field),
        container: obj
            .get("container-title")
            .and_then(text_field)
            .or_else(|| obj.get("container-title-short").and_then(text_field)),
        volume: obj.get("volume").and_then(text_field),
        issue: obj.get("issue").and_then(text_field),
        pages: obj.get("page").and_then(text_field),
        kind: obj.get("type").and_then(text_field),
        extra: super::csl::csl_extra(obj),
    };
    if citation.title.is_none() && citation.authors.is_empty() && citation.container.is_none() {
        return Err(CiteError::Missing(format!(
            "no title, author or container in the CSL-JSON for {}",
            citation.doi
        )));
    }
    Ok(citation)
}

/// A string, number or array-of-strings field as clean one-line text; `None` when empty.
pub(super) fn text_field(v: &Value) -> Option<String> {
    let raw = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().find_map(text_field)?,
        _ => return None,
    };
    let clean = if raw.contains(['<', '&']) {
        scrub_line(&html::to_plain_text(&raw))
    } else {
        scrub_line(&raw)
    };
    (!clean.is_empty()).then_some(clean)
}

/// "Webber M" from `{family, given}`; a `literal` or family-less name as it is.
fn short_name(v: &Value) -> Option<String> {
    let family = v.get("family").and_then(text_field);
    let given = v.get("given").and_then(text_field);
    match (family, given) {
        (Some(f), Some(g)) => {
            let initials = initials(&g);
            Some(if initials.is_empty() {
                f
            } else {
                format!("{f} {initials}")
            })
        }
        (Some(f), None) => Some(f),
        (None, g) => v.get("literal").and_then(text_field).or(g),
    }
}

/// "MJ" from "Martin J." or "Mary-Jane".
fn initials(given: &str) -> String {
    given
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
        .filter_map(|part| part.chars().find(|c| c.is_alphabetic()))
        .flat_map(char::to_uppercase)
        .collect()
}

/// The year of a CSL date: `date-parts`, else `raw` / `literal` text starting with a year.
pub(super) fn year_of(date: &Value) -> Option<i32> {
    let first = date
        .get("date-parts")
        .and_then(|p| p.get(0))
        .and_then(|p| p.get(0));
    let from_parts = match first {
        Some(Value::Number(n)) => n.as_i64().and_then(|y| i32::try_from(y).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    from_parts
        .or_else(|| {
            ["raw", "literal"].iter().find_map(|k| {
                let s = date.get(*k)?.as_str()?;
                s.get(..4)?.parse().ok()
            })
        })
        .filter(|y| (1000..=9999).contains(y))
}

impl Citation {
    /// One line for display in the default style (APA), e.g. "Webber, M., Reidy, H., …
    /// (2014). Enhancing social networks: … Health & Social Care in the Community, 24(1),
    /// 152–161. https://doi.org/10.1111/hsc.12135". [`Citation::line_in`] takes a style.
    pub fn line(&self) -> String {
        self.line_in(super::styles::CitationStyle::default_style())
    }

    /// A BibTeX entry with the given citation key; special characters escaped.
    pub fn bibtex(&self, key: &str) -> String {
        let (entry_type, container_field) = match self.kind.as_deref() {
            Some("article-journal" | "article" | "article-magazine" | "article-newspaper") => {
                ("article", "journal")
            }
            Some("book") => ("book", "publisher"),
            Some("chapter") => ("incollection", "booktitle"),
            Some("paper-conference") => ("inproceedings", "booktitle"),
            Some("report") => ("techreport", "institution"),
            Some("thesis") => ("phdthesis", "school"),
            // Without a type, a journal-like container is the common case.
            None if self.container.is_some() => ("article", "journal"),
            _ => ("misc", "howpublished"),
        };
        let mut fields: Vec<(&str, String)> = Vec::new();
        if !self.authors.is_empty() {
            let names: Vec<String> = self.authors.iter().map(|a| bib_name(a)).collect();
            fields.push(("author", names.join(" and ")));
        }
        if let Some(t) = &self.title {
            fields.push(("title", bib_escape(t)));
        }
        if let Some(c) = &self.container {
            fields.push((container_field, bib_escape(c)));
        }
        if let Some(y) = self.year {
            fields.push(("year", y.to_string()));
        }
        if let Some(v) = &self.volume {
            fields.push(("volume", bib_escape(v)));
        }
        if let Some(i) = &self.issue {
            fields.push(("number", bib_escape(i)));
        }
        if let Some(p) = &self.pages {
            fields.push(("pages", bib_escape(&page_range(p, "--"))));
        }
        // A paper without a DOI is named by its own id (biblatex's eprint fields for arXiv).
        match self.doi.split_once(':') {
            Some(("arxiv", id)) => {
                fields.push(("eprint", bib_escape(id)));
                fields.push(("eprinttype", "arxiv".to_string()));
            }
            Some((kind @ ("pmid" | "pmcid"), id)) => fields.push((kind, bib_escape(id))),
            _ => fields.push(("doi", bib_doi(&self.doi))),
        }
        let mut out = format!("@{entry_type}{{{},\n", bib_key(key));
        let last = fields.len() - 1;
        for (i, (name, value)) in fields.iter().enumerate() {
            let comma = if i == last { "" } else { "," };
            out.push_str(&format!("  {name} = {{{value}}}{comma}\n"));
        }
        out.push_str("}\n");
        out
    }

    /// The base of a citation key: first author's family name, year, first significant title
    /// word, lowercased ASCII (e.g. `webber2014enhancing`). Never empty.
    pub fn bib_key_base(&self) -> String {
        let family = self
            .authors
            .first()
            .map(|a| split_initials(a).0)
            .unwrap_or_default();
        let mut key: String = ascii_fold(family).chars().take(24).collect();
        if let Some(y) = self.year {
            key.push_str(&y.to_string());
        }
        const STOP: &[&str] = &[
            "a", "an", "the", "on", "of", "in", "and", "for", "to", "with", "from", "at", "by",
            "is", "are", "how", "what", "why", "when", "do", "does",
        ];
        if let Some(t) = &self.title {
            let word = t
                .split(|c: char| !c.is_alphanumeric())
                .map(ascii_fold)
                .find(|w| !w.is_empty() && !STOP.contains(&w.as_str()));
            if let Some(w) = word {
                key.extend(w.chars().take(20));
            }
        }
        if key.is_empty() {
            key = format!("doi{}", ascii_fold(&self.doi));
        }
        key
    }
}

/// The two ends of a page range ("152-161", "152–161", "152--161"); a single page has no end.
pub(super) fn page_ends(pages: &str) -> (&str, Option<&str>) {
    match pages.split_once(['-', '–', '—']) {
        Some((a, b)) => (a.trim(), Some(b.trim_start_matches(['-', '–', '—']).trim())),
        None => (pages, None),
    }
}

/// Replaces the hyphen(s) or dash between the two ends of a page range with `dash`.
fn page_range(pages: &str, dash: &str) -> String {
    match page_ends(pages) {
        (a, Some(b)) => format!("{a}{dash}{b}"),
        (a, None) => a.to_string(),
    }
}

/// Splits "Webber MJ" into ("Webber", "MJ"); a name without trailing initials is all family.
pub(super) fn split_initials(name: &str) -> (&str, &str) {
    match name.rsplit_once(' ') {
        Some((family, ini))
            if !ini.is_empty()
                && ini.chars().all(|c| c.is_uppercase())
                && ini.chars().count() <= 4 =>
        {
            (family, ini)
        }
        _ => (name, ""),
    }
}

/// "Family, M. J." for a person; an organisation's name in braces so BibTeX keeps it whole.
fn bib_name(name: &str) -> String {
    let (family, ini) = split_initials(name);
    if ini.is_empty() {
        return format!("{{{}}}", bib_escape(family));
    }
    let given: Vec<String> = ini.chars().map(|c| format!("{c}.")).collect();
    format!("{}, {}", bib_escape(family), bib_escape(&given.join(" ")))
}

/// Escapes BibTeX/LaTeX special characters.
fn bib_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\\' => out.push_str("\\textbackslash{}"),
            '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c => out.push(c),
        }
    }
    out
}

/// The DOI for a `doi` field, which biblatex reads verbatim: only what would unbalance the
/// entry is percent-encoded (doi.org resolves the encoded form).
fn bib_doi(doi: &str) -> String {
    doi.replace('%', "%25")
        .replace('{', "%7B")
        .replace('}', "%7D")
        .replace('\\', "%5C")
}

/// A citation key BibTeX accepts: ASCII letters, digits and `-_:.`; never empty.
fn bib_key(key: &str) -> String {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    if k.is_empty() {
        "ref".into()
    } else {
        k
    }
}

/// Lowercase ASCII letters and digits of `s`, with common accented Latin letters folded.
fn ascii_fold(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì'..='ï' | 'ī' | 'į' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ß' => "ss",
            'ś' | 'š' | 'ş' => "s",
            'ť' | 'ţ' => "t",
            'þ' => "th",
            'ù'..='ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

/// Makes keys unique in order: the first use of a base keeps it, later ones get `a`, `b`, …
/// `z`, `aa`, … (skipping any key already taken).
pub fn unique_keys(bases: &[String]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(bases.len());
    for base in bases {
        let mut n = 0usize;
        let mut key = base.clone();
        while used.contains(&key) {
            key = format!("{base}{}", letters(n));
            n += 1;
        }
        used.insert(key.clone());
        out.push(key);
    }
    out
}

/// 0 → "a", 25 → "z", 26 → "aa", …
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// Checks a resolver's BibTeX answer: it must be an `@type{…}` entry with balanced braces, not
/// HTML. Control characters are removed; a `doi` field is added when the entry has none.
pub fn sanitize_bibtex(doi: &str, bibtex_from_resolver: &str) -> Option<String> {
    let text = scrub(bibtex_from_resolver.trim_start_matches('\u{feff}')).replace('\r', "");
    let text = text.trim();
    let rest = text.strip_prefix('@')?;
    let type_len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if type_len == 0 || !rest[type_len..].trim_start().starts_with('{') {
        return None;
    }
    let mut depth = 0i64;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    if depth != 0 || !text.ends_with('}') {
        return None;
    }
    // Crossref's BibTeX carries HTML-escaped ampersands, which LaTeX would print literally.
    let text = text.replace("&amp;", "\\&");
    let text = text.as_str();
    let lower = text.to_ascii_lowercase();
    let has_doi = lower.match_indices("doi").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && lower[i + 3..].trim_start().starts_with('=')
    });
    if has_doi || doi.trim().is_empty() {
        return Some(format!("{text}\n"));
    }
    // Insert after the key, i.e. after the first comma of the entry.
    let comma = text.find(',')?;
    Some(format!(
        "{},\n  doi = {{{}}}{}\n",
        &text[..comma],
        bib_doi(&scrub_line(doi)),
        &text[comma..]
    ))
}

/// The entry with its citation key replaced by `key` (made BibTeX-safe), e.g. to give resolver
/// BibTeX the unique keys of [`unique_keys`]. `None` when there is no `@type{key,` head.
pub fn rekey_bibtex(entry: &str, key: &str) -> Option<String> {
    let at = entry.find('@')?;
    let open = at + entry[at..].find('{')?;
    let head = &entry[at + 1..open];
    if head.trim().is_empty() || !head.trim().chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let comma = open + entry[open..].find(',')?;
    if entry[open + 1..comma].contains(['{', '}', '=', '\n']) {
        return None;
    }
    Some(format!(
        "{}{}{}",
        &entry[..=open],
        bib_key(key),
        &entry[comma..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBBER: &str = r#"{
        "type": "article-journal",
        "DOI": "10.1111/hsc.12135",
        "author": [
            {"family": "Webber", "given": "Martin"},
            {"family": "Reidy", "given": "Hannah"},
            {"family": "Ansari", "given": "David"},
            {"family": "Stevens", "given": "Martin"},
            {"family": "Morris", "given": "David"}
        ],
        "issued": {"date-parts": [[2014, 11, 3]]},
        "title": "Enhancing social networks: a qualitative study of health and social care practice in UK mental health services",
        "container-title": "Health &amp; Social Care in the Community",
        "volume": "24",
        "issue": "1",
        "page": "152-161"
    }"#;

    fn cite(json: &str) -> Citation {
        match parse_csl_json(json, "10.1111/hsc.12135") {
            Ok(c) => c,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    #[test]
    fn webber_line() {
        let c = cite(WEBBER);
        assert_eq!(c.authors[..3], ["Webber M", "Reidy H", "Ansari D"]);
        assert_eq!(c.kind.as_deref(), Some("article-journal"));
        // The default style is APA (`Citation::line_in` takes another).
        assert_eq!(
            c.line(),
            "Webber, M., Reidy, H., Ansari, D., Stevens, M., & Morris, D. (2014). Enhancing \
             social networks: a qualitative study of health and social care practice in UK \
             mental health services. Health & Social Care in the Community, 24(1), 152–161. \
             https://doi.org/10.1111/hsc.12135"
        );
    }

    #[test]
    fn one_two_and_three_authors() {
        let one = r#"{"author":[{"family":"Webber","given":"Martin J."}],"title":"T","issued":{"date-parts":[[2014]]}}"#;
        assert_eq!(cite(one).authors, ["Webber MJ"]);
        assert_eq!(
            cite(one).line(),
            "Webber, M. J. (2014). T. https://doi.org/10.1111/hsc.12135"
        );
        let two = r#"{"author":[{"family":"A","given":"B"},{"family":"C","given":"Mary-Jane"}],"title":"T?"}"#;
        assert_eq!(cite(two).authors, ["A B", "C MJ"]);
        assert!(cite(two).line().starts_with("A, B., & C, M.-J. (n.d.). T?"));
        let three = r#"{"author":[{"family":"A"},{"family":"B"},{"family":"C"}],"title":"T"}"#;
        assert_eq!(
            cite(three).line(),
            "A, B, & C. (n.d.). T. https://doi.org/10.1111/hsc.12135"
        );
    }

    #[test]
    fn literal_author_and_no_year() {
        let c = cite(
            r#"{"author":[{"literal":"World Health Organization"}],"title":["Report", "ignored"],"container-title":[]}"#,
        );
        assert_eq!(c.authors, ["World Health Organization"]);
        assert_eq!(c.year, None);
        assert_eq!(c.title.as_deref(), Some("Report"));
        assert_eq!(c.container, None);
        assert_eq!(
            c.line(),
            "World Health Organization. (n.d.). Report. https://doi.org/10.1111/hsc.12135"
        );
        assert!(c
            .bibtex("who")
            .contains("author = {{World Health Organization}}"));
    }

    #[test]
    fn title_only_and_year_only_fields() {
        let c =
            cite(r#"{"title":"Only","issued":{"date-parts":[["2020"]]},"volume":7,"page":"e1"}"#);
        assert_eq!(c.year, Some(2020));
        assert_eq!(
            (c.volume.as_deref(), c.pages.as_deref()),
            (Some("7"), Some("e1"))
        );
        // APA gives volume and pages only with a journal to hold them.
        assert_eq!(c.line(), "Only. (2020). https://doi.org/10.1111/hsc.12135");
    }

    #[test]
    fn html_instead_of_json() {
        let err = parse_csl_json("<!DOCTYPE html><html>Not found</html>", "10.1/x");
        assert!(
            matches!(err, Err(CiteError::NotJson(ref m)) if m == "resolver answered HTML, not CSL-JSON")
        );
        let err = parse_csl_json("garbage\n{", "10.1/x");
        assert!(matches!(err, Err(CiteError::NotJson(ref m)) if !m.contains('\n')));
        assert!(matches!(
            parse_csl_json("42", "10.1/x"),
            Err(CiteError::NotJson(_))
        ));
        assert!(matches!(
            parse_csl_json("{}", "10.1/x"),
            Err(CiteError::Missing(_))
        ));
    }

    #[test]
    fn escapes_and_markup_in_metadata_removed() {
        let c = cite(
            "{\"author\":[{\"family\":\"Evil\\u001b]52;c;aGk=\\u0007\",\"given\":\"\\u001b[31mX\"}],\
              \"title\":\"<i>E. coli</i>\\u202e in\\n space &amp; time\\u009b\",\
              \"container-title\":\"J\\u001b[2J\"}",
        );
        for s in [c.line(), c.bibtex("k")] {
            assert!(crate::text::scrub::is_clean(&s), "{s:?}");
        }
        assert_eq!(c.title.as_deref(), Some("E. coli in space & time"));
        // The ESC goes; what followed it is harmless text.
        assert_eq!(c.authors, ["Evil]52;c;aGk= M"]);
    }

    #[test]
    fn bibtex_fields_and_escaping() {
        let mut c = cite(WEBBER);
        c.title = Some("50% of {x} cost $5 & #1 a_b ^ ~ \\".into());
        let b = c.bibtex("webber2014enhancing");
        assert!(b.starts_with("@article{webber2014enhancing,\n"), "{b}");
        assert!(b.contains(
            "  author = {Webber, M. and Reidy, H. and Ansari, D. and Stevens, M. and Morris, D.},\n"
        ));
        assert!(b.contains(
            "  title = {50\\% of \\{x\\} cost \\$5 \\& \\#1 a\\_b \\^{} \\~{} \\textbackslash{}},\n"
        ));
        assert!(b.contains("  journal = {Health \\& Social Care in the Community},\n"));
        assert!(b.contains("  year = {2014},\n  volume = {24},\n  number = {1},\n"));
        assert!(b.contains("  pages = {152--161},\n"));
        assert!(b.ends_with("  doi = {10.1111/hsc.12135}\n}\n"));
    }

    #[test]
    fn bibtex_parses_with_biblatex() {
        let mut c = cite(WEBBER);
        c.title = Some("Odd {chars} 100% & more_".into());
        let b = c.bibtex("webber2014enhancing");
        let bib = biblatex::Bibliography::parse(&b);
        assert!(bib.is_ok(), "{b}");
        let bib = bib.unwrap_or_default();
        assert!(bib.get("webber2014enhancing").is_some());
    }

    #[test]
    fn a_paper_without_a_doi_is_named_by_its_own_id_in_bibtex() {
        let arxiv = parse_csl_json(r#"{"title":"T","type":"article"}"#, "arxiv:2202.12139");
        let b = arxiv.map(|c| c.bibtex("k")).unwrap_or_default();
        assert!(
            b.contains("  eprint = {2202.12139},\n  eprinttype = {arxiv}\n"),
            "{b}"
        );
        assert!(!b.contains("doi ="), "{b}");
        let pmid = parse_csl_json(r#"{"title":"T"}"#, "pmid:27933103");
        let b = pmid.map(|c| c.bibtex("k")).unwrap_or_default();
        assert!(b.contains("  pmid = {27933103}\n"), "{b}");
    }

    #[test]
    fn key_bases() {
        assert_eq!(cite(WEBBER).bib_key_base(), "webber2014enhancing");
        let c = cite(
            r#"{"author":[{"family":"Ørsted-Müller","given":"Ånne"}],"title":"The “Über” effect","issued":{"date-parts":[[1999]]}}"#,
        );
        assert_eq!(c.bib_key_base(), "orstedmuller1999uber");
        let c = cite(r#"{"title":"中文"}"#);
        assert_eq!(c.bib_key_base(), "doi101111hsc12135");
    }

    #[test]
    fn rekey() {
        assert_eq!(
            rekey_bibtex("@article{Webber_2014, title={T}}\n", "webber2014enhancinga").as_deref(),
            Some("@article{webber2014enhancinga, title={T}}\n")
        );
        assert_eq!(
            rekey_bibtex(" @misc{ old ,\n  doi = {x}}", "k{}").as_deref(),
            Some(" @misc{k,\n  doi = {x}}")
        );
        assert_eq!(rekey_bibtex("@article{title={T}}", "k"), None);
        assert_eq!(rekey_bibtex("no entry", "k"), None);
        assert_eq!(rekey_bibtex("@{x, a={b}}", "k"), None);
    }

    #[test]
    fn unique_keys_are_deterministic() {
        let bases: Vec<String> = ["x", "y", "x", "x", "xa"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(unique_keys(&bases), ["x", "y", "xa", "xb", "xaa"]);
        assert_eq!(letters(25), "z");
        assert_eq!(letters(26), "aa");
        assert_eq!(letters(27), "ab");
    }

    #[test]
    fn sanitize_resolver_bibtex() {
        let good =
            " @article{Webber_2014, title={Enhancing}, DOI={10.1111/hsc.12135}, year={2014}}";
        assert_eq!(
            sanitize_bibtex("10.1111/hsc.12135", good).as_deref(),
            Some(
                "@article{Webber_2014, title={Enhancing}, DOI={10.1111/hsc.12135}, year={2014}}\n"
            )
        );
        let evil = "@article{k, title={a\u{1b}]52;c;x\u{7}b}}";
        let s = sanitize_bibtex("10.1/x", evil).unwrap_or_default();
        assert!(crate::text::scrub::is_clean(&s));
        assert!(s.contains("doi = {10.1/x}"), "{s}");
        let amp = "@article{k, journal={Health &amp; Social Care}, doi={10.1/x}}";
        assert_eq!(
            sanitize_bibtex("10.1/x", amp).as_deref(),
            Some("@article{k, journal={Health \\& Social Care}, doi={10.1/x}}\n")
        );
        for bad in [
            "<html><body>@article{x}</body></html>",
            "@article{x, title={unbalanced}",
            "@article{x}}{",
            "@{x}",
            "@article x",
            "",
            "garbage",
        ] {
            assert_eq!(sanitize_bibtex("10.1/x", bad), None, "{bad}");
        }
    }
}
