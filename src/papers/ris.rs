//! RIS records (the tagged format EndNote, Mendeley and Zotero import) from citations.
//!
//! A record is `TAG  - value` lines from `TY` to `ER`; a value is one scrubbed line, so nothing
//! from a resolver can end a record early, start a tag, or put a control character in the file.

use super::cite::{page_ends, Citation};
use crate::text::scrub::scrub_line;

impl Citation {
    /// One RIS record: TY, AU (one a name), TI, T2, PY, VL, IS, SP, EP, DO, UR, then ER.
    pub fn ris(&self) -> String {
        let mut out = String::new();
        let mut tag = |tag: &str, value: &str| {
            let value = scrub_line(value);
            if !value.is_empty() {
                out.push_str(&format!("{tag}  - {value}\n"));
            }
        };
        tag(
            "TY",
            ris_type(self.kind.as_deref(), self.container.is_some()),
        );
        for name in self.full_names() {
            tag("AU", &name);
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        tag("TI", &text(&self.title));
        tag("T2", &text(&self.container));
        tag("PY", &self.year.map(|y| y.to_string()).unwrap_or_default());
        tag("VL", &text(&self.volume));
        tag("IS", &text(&self.issue));
        if let Some(pages) = &self.pages {
            let (start, end) = page_ends(pages);
            tag("SP", start);
            tag("EP", end.unwrap_or_default());
        }
        if self.doi.starts_with("10.") {
            tag("DO", &self.doi);
            tag("UR", &format!("https://doi.org/{}", self.doi));
        } else if let Some(url) = self.extra.0.get("URL").and_then(|u| u.as_str()) {
            tag("UR", url);
        }
        // The end tag has a space after its dash and no value.
        out.push_str("ER  - \n");
        out
    }
}

/// The RIS reference type of a CSL type.
fn ris_type(kind: Option<&str>, has_container: bool) -> &'static str {
    match kind {
        Some("article-journal" | "article") => "JOUR",
        Some("article-magazine") => "MGZN",
        Some("article-newspaper") => "NEWS",
        Some("book") => "BOOK",
        Some("chapter") => "CHAP",
        Some("paper-conference") => "CPAPER",
        Some("report") => "RPRT",
        Some("thesis") => "THES",
        Some("dataset") => "DATA",
        Some("webpage" | "post-weblog" | "post") => "ELEC",
        None if has_container => "JOUR",
        _ => "GEN",
    }
}
