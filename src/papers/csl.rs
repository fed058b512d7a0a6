//! CSL-JSON items for the style processor: what a resolver's item adds to a [`Citation`]'s
//! fields (kept cleaned in [`CslExtra`]), and the item a citation is rendered from.
//!
//! Every value hayagriva sees is built here from cleaned text (one line, no markup, no
//! controls), in shapes it accepts: one date (it panics on date ranges), strings for numbers.

use serde_json::{json, Map, Value};

use super::cite::{id_label, split_initials, text_field, year_of, Citation, CslExtra};
use super::styles::CitationStyle;
use crate::text::render::{Line, Span, TextStyle};
use crate::text::scrub::scrub_line;

/// More names than any style prints before "et al."; the rest are not kept.
const MAX_NAMES: usize = 100;

/// Text variables kept beyond the struct's fields, with the other spellings services use.
const TEXT_VARIABLES: &[(&str, &[&str])] = &[
    ("title-short", &["shortTitle", "short-title"]),
    (
        "container-title-short",
        &["short-container-title", "journalAbbreviation"],
    ),
    ("collection-title", &[]),
    ("publisher", &[]),
    ("publisher-place", &[]),
    ("edition", &[]),
    ("number", &[]),
    ("genre", &[]),
    ("medium", &[]),
    ("event-title", &[]),
    ("number-of-pages", &[]),
    ("URL", &[]),
    ("DOI", &[]),
    ("ISSN", &[]),
    ("ISBN", &[]),
    ("PMID", &[]),
    ("PMCID", &[]),
    ("archive", &[]),
    ("source", &[]),
    ("status", &[]),
    // Not printed by styles; kept for the Zotero item's `abstractNote`.
    ("abstract", &[]),
];

/// The variables of a resolver's CSL-JSON item that [`Citation`]'s fields do not keep, cleaned.
pub(super) fn csl_extra(obj: &Map<String, Value>) -> CslExtra {
    let mut out = Map::new();
    for (name, aliases) in TEXT_VARIABLES {
        let value = std::iter::once(name)
            .chain(aliases.iter())
            .find_map(|k| obj.get(*k).and_then(text_field));
        if let Some(v) = value {
            out.insert((*name).to_string(), Value::String(v));
        }
    }
    for role in ["author", "editor"] {
        let names: Vec<Value> = obj
            .get(role)
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(clean_name).take(MAX_NAMES).collect())
            .unwrap_or_default();
        if !names.is_empty() {
            out.insert(role.to_string(), Value::Array(names));
        }
    }
    let issued = ["issued", "published-print", "published-online", "created"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(date_parts));
    if let Some(parts) = issued {
        out.insert("issued".into(), json!({ "date-parts": [parts] }));
    }
    CslExtra(out)
}

/// A CSL name with only cleaned string parts; `None` when nothing is left.
fn clean_name(v: &Value) -> Option<Value> {
    let mut name = Map::new();
    for part in [
        "family",
        "given",
        "literal",
        "non-dropping-particle",
        "dropping-particle",
        "suffix",
    ] {
        if let Some(text) = v.get(part).and_then(text_field) {
            name.insert(part.to_string(), Value::String(text));
        }
    }
    // hayagriva reads a name without `family` or `literal` as an empty family name.
    if !name.contains_key("family") && !name.contains_key("literal") {
        let given = name.remove("given")?;
        name.clear();
        name.insert("literal".into(), given);
    }
    Some(Value::Object(name))
}

/// `[year, month, day]` of a CSL date, as far as it is known and valid.
fn date_parts(date: &Value) -> Option<Vec<i64>> {
    let year = i64::from(year_of(date)?);
    let parts = date.get("date-parts").and_then(|p| p.get(0));
    let part = |i: usize| -> Option<i64> {
        match parts?.get(i)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let mut out = vec![year];
    if let Some(m) = part(1).filter(|m| (1..=12).contains(m)) {
        out.push(m);
        if let Some(d) = part(2).filter(|d| (1..=31).contains(d)) {
            out.push(d);
        }
    }
    Some(out)
}

/// A struct author ("Webber MJ", "Smith, J", "World Health Organization") as a CSL name.
fn name_of(author: &str) -> Value {
    if let Some((family, given)) = author.split_once(", ") {
        return json!({ "family": family, "given": given });
    }
    match split_initials(author) {
        (family, "") => json!({ "literal": family }),
        (family, initials) => {
            let given: Vec<String> = initials.chars().map(|c| format!("{c}.")).collect();
            json!({ "family": family, "given": given.join(" ") })
        }
    }
}

impl Citation {
    /// The CSL-JSON item this citation renders from: its fields, over the extras the
    /// resolver's item gave.
    pub(crate) fn csl_item(&self) -> Value {
        let mut item = self.extra.0.clone();
        item.insert("id".into(), Value::String("item".into()));
        let mut set = |k: &str, v: &Option<String>| match v {
            Some(v) => item.insert(k.to_string(), Value::String(scrub_line(v))),
            None => item.remove(k),
        };
        set("type", &self.kind);
        set("title", &self.title);
        set("container-title", &self.container);
        set("volume", &self.volume);
        set("issue", &self.issue);
        set("page", &self.pages);
        // The id field is the citation's DOI when it is one; a paper key is named after.
        if self.doi.starts_with("10.") {
            set("DOI", &Some(self.doi.clone()));
        }
        let has_names = item.contains_key("author") || item.contains_key("editor");
        if !has_names && !self.authors.is_empty() {
            let names = self.authors.iter().map(|a| name_of(&scrub_line(a)));
            item.insert("author".into(), Value::Array(names.collect()));
        }
        let kept = item
            .get("issued")
            .and_then(year_of)
            .filter(|y| Some(*y) == self.year);
        match (self.year, kept) {
            (Some(_), Some(_)) => {}
            (Some(y), None) => {
                item.insert("issued".into(), json!({ "date-parts": [[y]] }));
            }
            (None, _) => {
                item.remove("issued");
            }
        }
        Value::Object(item)
    }

    /// The citation in `style` as one line with its styles (italic titles where the style has
    /// them), scrubbed. A work the style's text does not name by its id (a DOI the style does
    /// not print, an `arxiv:` key) ends with it: `doi:10.…`, `arxiv:…`.
    pub fn styled_line(&self, style: &CitationStyle) -> Line {
        let mut line = match serde_json::from_value(self.csl_item()) {
            Ok(item) => style.render(&item),
            // Built from strings, arrays of names and one date: nothing it cannot read.
            Err(_) => Line::default(),
        };
        let id = scrub_line(&self.doi);
        // A key's bare id counts too: the style may print arXiv's number or URL.
        let bare = ["arxiv:", "pmid:", "pmcid:"]
            .iter()
            .find_map(|p| id.strip_prefix(p))
            .unwrap_or(&id);
        let plain = line.plain().to_lowercase();
        let named = id.is_empty() || plain.contains(&bare.to_lowercase());
        if !named {
            let lead = if line.spans.is_empty() { "" } else { " " };
            line.spans.push(Span {
                text: format!("{lead}{}", id_label(&id)),
                style: TextStyle::default(),
            });
        }
        line
    }

    /// The authors (else editors) as "Family, Given" (an organisation as it is), with the full
    /// given names when the resolver gave them.
    pub fn full_names(&self) -> Vec<String> {
        let listed = ["author", "editor"]
            .iter()
            .find_map(|role| self.extra.0.get(*role).and_then(Value::as_array));
        let names: Vec<Value> = match listed {
            Some(list) => list.clone(),
            None => self.authors.iter().map(|a| name_of(a)).collect(),
        };
        let part = |n: &Value, k: &str| n.get(k).and_then(Value::as_str).map(scrub_line);
        names
            .iter()
            .filter_map(|n| match (part(n, "family"), part(n, "given")) {
                (Some(f), Some(g)) => Some(format!("{f}, {g}")),
                (Some(f), None) => Some(f),
                (None, _) => part(n, "literal"),
            })
            .collect()
    }

    /// [`Citation::styled_line`] as plain text (for stdout: no escape sequences).
    pub fn line_in(&self, style: &CitationStyle) -> String {
        self.styled_line(style).plain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::cite::parse_csl_json;
    use crate::papers::styles::bundled_names;
    use crate::text::scrub::is_clean;

    /// Escapes, C1 controls, bidi overrides and newlines in every field a style prints; a date
    /// range (hayagriva panics on those) and numbers where strings belong.
    const HOSTILE: &str = "{\"type\":\"article-journal\",\
        \"title\":\"Evil\\u001b]52;c;aGk=\\u0007 title\\u202e\\n\\u009b31m<i>x</i>\",\
        \"container-title\":\"J\\u001b[2J\\r\\nournal\",\"container-title-short\":\"J\\u0085\",\
        \"author\":[{\"family\":\"Fam\\u001b[31m\",\"given\":\"Giv\\u0007en\"},\
                    {\"literal\":\"Org\\u2066\\u0000\"},{\"given\":\"Only\\u009d\"}],\
        \"issued\":{\"date-parts\":[[2014,13,40],[2015,1,1]]},\"volume\":7,\"issue\":\"1\\u001b\",\
        \"page\":\"1\\u001b-2\",\"URL\":\"https://x.example/\\u001b[0m\",\"publisher\":\"P\\u009b\"}";

    #[test]
    fn hostile_csl_json_renders_clean_in_every_style() {
        let c = parse_csl_json(HOSTILE, "10.1234/evil\u{1b}[0m").expect("parses");
        for name in bundled_names() {
            let style = CitationStyle::bundled(name).expect("bundled");
            let line = c.styled_line(&style);
            for span in &line.spans {
                assert!(is_clean(&span.text), "{name}: {:?}", span.text);
                assert!(
                    !span.text.contains(['\n', '\r', '\t']),
                    "{name}: {:?}",
                    span.text
                );
            }
            let plain = line.plain();
            assert!(plain.contains("Fam"), "{name}: {plain}");
            assert!(plain.contains("2014"), "{name}: {plain}");
        }
        // One date, the invalid month dropped.
        assert_eq!(c.extra.0["issued"], json!({"date-parts": [[2014]]}));
    }

    #[test]
    fn a_paper_without_a_doi_is_named_by_its_key() {
        let json = r#"{"type":"article","title":"Attention","author":[{"family":"Vaswani","given":"Ashish"}],"issued":{"date-parts":[[2017,6,12]]}}"#;
        let c = parse_csl_json(json, "arxiv:1706.03762").expect("parses");
        let line = c.line();
        assert!(line.starts_with("Vaswani, A. (2017"), "{line}");
        assert!(line.ends_with(" arxiv:1706.03762"), "{line}");
        // A key whose id the style already prints (here in the URL) is not said twice.
        let with_url = json.replace("}]", r#"}],"URL":"https://arxiv.org/abs/1706.03762""#);
        let line = parse_csl_json(&with_url, "arxiv:1706.03762")
            .expect("parses")
            .line();
        assert_eq!(line.matches("1706.03762").count(), 1, "{line}");
        let c = Citation {
            doi: "https://arxiv.org/abs/1706.03762".into(),
            ..c
        };
        assert_eq!(c.line().matches("arxiv.org/abs/1706.03762").count(), 1);
    }

    #[test]
    fn citations_built_by_hand_render_from_their_fields() {
        let mut c = parse_csl_json(
            r#"{"title":"Old","author":[{"family":"Webber","given":"Martin"}],"issued":{"date-parts":[[2014,3]]}}"#,
            "10.1/x",
        )
        .expect("parses");
        // A changed field wins over the resolver's item; the month goes with its year.
        c.title = Some("New".into());
        c.year = Some(2015);
        let line = c.line();
        assert!(line.starts_with("Webber, M. (2015). New."), "{line}");
        // COinS-style authors ("Smith, J") and short names ("Webber MJ").
        let hand = Citation {
            extra: CslExtra::default(),
            authors: vec!["Smith, J".into(), "Webber MJ".into(), "WHO".into()],
            ..c
        };
        assert!(hand
            .line()
            .starts_with("Smith, J., Webber, M. J., & WHO. (2015)."));
        assert_eq!(hand.full_names(), ["Smith, J", "Webber, M. J.", "WHO"]);
    }
}
