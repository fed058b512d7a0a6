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
    fn csl_item(&self) -> Value {
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
        let named = id.is_empty() || line.plain().to_lowercase().contains(&id.to_lowercase());
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
