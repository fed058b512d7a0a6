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

#[cfg(test)]
mod tests {
    use crate::papers::cite::parse_csl_json;
    use std::collections::BTreeMap;

    /// A small RIS reader: records of `(tag, value)` pairs, as EndNote's importer reads them.
    fn read_ris(text: &str) -> Vec<Vec<(String, String)>> {
        let mut records = Vec::new();
        let mut current: Vec<(String, String)> = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (tag, value) = line.split_at(6);
            assert!(
                tag.len() == 6 && tag.ends_with("  - ") || tag == "ER  - ",
                "not a RIS line: {line:?}"
            );
            let tag = tag[..2].to_string();
            if tag == "ER" {
                records.push(std::mem::take(&mut current));
            } else {
                current.push((tag, value.to_string()));
            }
        }
        assert!(current.is_empty(), "a record without ER");
        records
    }

    const HOLT: &str = r#"{"type":"article-journal","DOI":"10.1371/journal.pmed.1000316","title":"Social relationships and mortality risk","container-title":"PLoS Medicine","volume":"7","issue":"7","page":"e1000316","author":[{"family":"Holt-Lunstad","given":"Julianne"},{"family":"Smith","given":"Timothy B."}],"issued":{"date-parts":[[2010,7,27]]}}"#;
    const WEBBER: &str = r#"{"type":"article-journal","title":"Enhancing social networks","container-title":"Health &amp; Social Care in the Community","volume":"24","issue":"1","page":"152-161","author":[{"family":"Webber","given":"Martin"}],"issued":{"date-parts":[[2014]]}}"#;

    #[test]
    fn records_round_trip_through_a_ris_reader() {
        let holt = parse_csl_json(HOLT, "10.1371/journal.pmed.1000316").expect("csl");
        let webber = parse_csl_json(WEBBER, "10.1111/hsc.12135").expect("csl");
        let file = format!("{}\n{}\n", holt.ris(), webber.ris());
        let records = read_ris(&file);
        assert_eq!(records.len(), 2, "one record a paper:\n{file}");
        let tags = |r: &Vec<(String, String)>| -> BTreeMap<String, Vec<String>> {
            let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (t, v) in r {
                m.entry(t.clone()).or_default().push(v.clone());
            }
            m
        };
        let w = tags(&records[1]);
        let one = |t: &str| w.get(t).map(|v| v.join("|")).unwrap_or_default();
        assert_eq!(one("TY"), "JOUR");
        assert_eq!(one("AU"), "Webber, Martin");
        assert_eq!(one("TI"), webber.title.clone().unwrap_or_default());
        assert_eq!(one("T2"), "Health & Social Care in the Community");
        assert_eq!(one("PY"), "2014");
        assert_eq!((one("VL"), one("IS")), ("24".into(), "1".into()));
        assert_eq!((one("SP"), one("EP")), ("152".into(), "161".into()));
        assert_eq!(one("DO"), "10.1111/hsc.12135");
        assert_eq!(one("UR"), "https://doi.org/10.1111/hsc.12135");
        let h = tags(&records[0]);
        assert_eq!(h["AU"], ["Holt-Lunstad, Julianne", "Smith, Timothy B."]);
        // A single page has no end page.
        assert_eq!(h["SP"], ["e1000316"]);
        assert!(!h.contains_key("EP"));
    }

    #[test]
    fn hostile_fields_stay_inside_their_line() {
        let json = "{\"title\":\"Evil\\nER  - \\nTY  - BOOK\\u001b[2J\\u009b\",\
            \"author\":[{\"family\":\"A\\r\\nAU  - B\",\"given\":\"\\u202eC\"}],\
            \"container-title\":\"J\\u0007\",\"page\":\"1\\u001b-\\n2\"}";
        let c = parse_csl_json(json, "10.1/evil\u{1b}]52;c;x\u{7}").expect("csl");
        let ris = c.ris();
        assert!(
            ris.chars().all(|ch| ch == '\n' || !ch.is_control()),
            "{ris:?}"
        );
        assert!(crate::text::scrub::is_clean(&ris), "{ris:?}");
        let records = read_ris(&ris);
        assert_eq!(records.len(), 1, "{ris}");
        assert_eq!(records[0].iter().filter(|(t, _)| t == "TY").count(), 1);
        assert_eq!(records[0].iter().filter(|(t, _)| t == "AU").count(), 1);

        // A citation built by hand (not through `parse_csl_json`) is scrubbed here too.
        let hand = crate::papers::cite::Citation {
            title: Some("T\nER  - \nTY  - BOOK\u{1b}[2J".into()),
            authors: vec!["Evil\u{9b}31m\r\nAU  - X".into()],
            doi: "10.1/x\u{7}\ny".into(),
            ..c
        };
        let ris = hand.ris();
        assert!(crate::text::scrub::is_clean(&ris), "{ris:?}");
        let records = read_ris(&ris);
        assert_eq!(records.len(), 1, "{ris}");
        assert_eq!(records[0].iter().filter(|(t, _)| t == "AU").count(), 1);
    }
}
