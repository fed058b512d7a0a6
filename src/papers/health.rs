//! A paper's health: what Crossref says happened to it after publication (retractions,
//! corrections, expressions of concern), from the `updated-by` list of its record. A notice's
//! own record has `update-to` instead (it updates another paper): citing the notice is not
//! citing a retracted paper, so `update-to` never flags anything.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::text::scrub::scrub_line;

/// What the checks found for a paper, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Retracted,
    Withdrawn,
    Removed,
    Concern,
    Corrected,
    /// Another notice (an addendum, a new version, a reinstatement): worth a look, no alarm.
    Notice,
    Fine,
    /// Crossref does not know the DOI (DataCite, arXiv…), or it was never answered: not "fine".
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Retracted => "retracted",
            Status::Withdrawn => "withdrawn",
            Status::Removed => "removed",
            Status::Concern => "concern",
            Status::Corrected => "corrected",
            Status::Notice => "notice",
            Status::Fine => "fine",
            Status::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Status {
        match s {
            "retracted" => Status::Retracted,
            "withdrawn" => Status::Withdrawn,
            "removed" => Status::Removed,
            "concern" => Status::Concern,
            "corrected" => Status::Corrected,
            "notice" => Status::Notice,
            "fine" => Status::Fine,
            _ => Status::Unknown,
        }
    }

    /// The status one notice type gives its paper.
    fn of_type(kind: &str) -> Status {
        match kind.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "retraction" => Status::Retracted,
            "withdrawal" => Status::Withdrawn,
            "removal" => Status::Removed,
            "expression_of_concern" => Status::Concern,
            "correction" | "erratum" | "corrigendum" | "partial_retraction" => Status::Corrected,
            _ => Status::Notice,
        }
    }

    /// True when the paper itself is no longer to be trusted as published (the entry list's mark).
    pub fn is_retracted(self) -> bool {
        matches!(
            self,
            Status::Retracted | Status::Withdrawn | Status::Removed
        )
    }

    /// True for any notice (`papers --flagged`).
    pub fn is_flagged(self) -> bool {
        self < Status::Fine
    }
}

/// One notice about a paper, as Crossref lists it (text scrubbed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    #[serde(rename = "type")]
    pub kind: String,
    /// `YYYY-MM-DD` (or shorter when Crossref gives only a year or a month).
    pub date: Option<String>,
    /// The notice's own DOI.
    pub doi: Option<String>,
    /// `publisher` or `retraction-watch`.
    pub source: Option<String>,
    /// Retraction Watch's record number.
    pub record_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Notice {
    pub fn status(&self) -> Status {
        Status::of_type(&self.kind)
    }
}

/// What one Crossref record says of its paper's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkHealth {
    pub status: Status,
    /// Most serious first, then oldest first.
    pub notices: Vec<Notice>,
}

impl WorkHealth {
    pub fn unknown() -> WorkHealth {
        WorkHealth {
            status: Status::Unknown,
            notices: Vec::new(),
        }
    }

    /// The status the notices give (fine when there are none).
    pub fn from_notices(mut notices: Vec<Notice>) -> WorkHealth {
        notices.sort_by(|a, b| (a.status(), &a.date).cmp(&(b.status(), &b.date)));
        notices.dedup();
        let status = notices.first().map_or(Status::Fine, Notice::status);
        WorkHealth { status, notices }
    }
}

/// A record's `message` (or a list item) read for health: its `updated-by` notices. A record
/// with only `update-to` is a notice itself, and fine as a paper.
pub fn parse_work(message: &Value) -> WorkHealth {
    let updates = message.get("updated-by").and_then(Value::as_array);
    let notices = updates.into_iter().flatten().filter_map(notice).collect();
    WorkHealth::from_notices(notices)
}

fn text(v: &Value, field: &str) -> Option<String> {
    let s = match v.get(field)? {
        Value::String(s) => scrub_line(s),
        // Retraction Watch record ids come as strings, but a number is the same id.
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn notice(v: &Value) -> Option<Notice> {
    let kind = text(v, "type")?;
    let doi = text(v, "DOI").and_then(|d| crate::text::doi::normalize(&d));
    Some(Notice {
        kind: kind.to_ascii_lowercase(),
        date: v.get("updated").and_then(date),
        doi: doi.map(|d| crate::text::doi::key(&d)),
        source: text(v, "source"),
        record_id: text(v, "record-id"),
        label: text(v, "label"),
    })
}

/// A Crossref date (`date-parts`, else `date-time`) as `YYYY[-MM[-DD]]`.
fn date(v: &Value) -> Option<String> {
    let parts = v
        .get("date-parts")
        .and_then(Value::as_array)
        .and_then(|p| p.first())
        .and_then(Value::as_array);
    if let Some(parts) = parts {
        let nums: Vec<i64> = parts.iter().map_while(Value::as_i64).take(3).collect();
        match nums.as_slice() {
            [y, m, d] => return Some(format!("{y:04}-{m:02}-{d:02}")),
            [y, m] => return Some(format!("{y:04}-{m:02}")),
            [y] => return Some(format!("{y:04}")),
            _ => {}
        }
    }
    let dt = v.get("date-time").and_then(Value::as_str)?;
    let day = dt.get(..10)?;
    let ok = day.chars().enumerate().all(|(i, c)| match i {
        4 | 7 => c == '-',
        _ => c.is_ascii_digit(),
    });
    ok.then(|| day.to_string())
}

/// How a source is named to the reader.
fn source_name(source: &str) -> String {
    match source {
        "retraction-watch" => "Retraction Watch".to_string(),
        other => other.to_string(),
    }
}

/// How a notice type is named: its status's words, else Crossref's label, else the type.
fn kind_name(n: &Notice) -> String {
    match n.status() {
        Status::Retracted => "RETRACTED".into(),
        Status::Withdrawn => "WITHDRAWN".into(),
        Status::Removed => "REMOVED".into(),
        Status::Concern => "Expression of concern".into(),
        Status::Corrected => "Correction".into(),
        _ => n.label.clone().unwrap_or_else(|| n.kind.replace('_', " ")),
    }
}

/// One notice as the reader and the CLI show it: `RETRACTED 2010-02-06 (notice doi:…,
/// Retraction Watch)`, `Correction 2004-03-06`.
pub fn notice_text(n: &Notice) -> String {
    let mut s = kind_name(n);
    if let Some(d) = &n.date {
        s.push(' ');
        s.push_str(d);
    }
    // The notice and its source matter for the serious ones: where to read why.
    if n.status() <= Status::Concern {
        let mut why: Vec<String> = Vec::new();
        if let Some(doi) = &n.doi {
            why.push(format!("notice doi:{doi}"));
        }
        if let Some(src) = &n.source {
            why.push(source_name(src));
        }
        if !why.is_empty() {
            s.push_str(&format!(" ({})", why.join(", ")));
        }
    }
    s
}

/// The health line of a paper: its most serious notice, and how many others there are;
/// `None` for a fine or unknown paper.
pub fn health_text(h: &WorkHealth) -> Option<String> {
    let first = h.notices.first()?;
    let mut s = notice_text(first);
    let rest: Vec<String> = h.notices[1..]
        .iter()
        .filter(|n| n.status() < Status::Notice || h.notices.len() <= 3)
        .map(notice_text)
        .collect();
    if !rest.is_empty() {
        s.push_str("; also ");
        s.push_str(&rest.join("; "));
    }
    Some(scrub_line(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_from_parts_or_time() {
        assert_eq!(
            date(&json!({"date-parts": [[2010, 2, 6]]})).as_deref(),
            Some("2010-02-06")
        );
        assert_eq!(
            date(&json!({"date-parts": [[2021]]})).as_deref(),
            Some("2021")
        );
        assert_eq!(
            date(&json!({"date-time": "2004-03-06T00:00:00Z"})).as_deref(),
            Some("2004-03-06")
        );
        assert_eq!(date(&json!({"date-time": "garbage"})), None);
    }

    #[test]
    fn the_worst_notice_names_the_status() {
        let n = |kind: &str, date: &str| Notice {
            kind: kind.into(),
            date: Some(date.into()),
            doi: None,
            source: None,
            record_id: None,
            label: None,
        };
        let h = WorkHealth::from_notices(vec![n("correction", "2004"), n("retraction", "2010")]);
        assert_eq!(h.status, Status::Retracted);
        assert_eq!(h.notices[0].kind, "retraction");
        let h = WorkHealth::from_notices(vec![n("expression_of_concern", "2021")]);
        assert_eq!(h.status, Status::Concern);
        assert_eq!(
            health_text(&h).as_deref(),
            Some("Expression of concern 2021")
        );
        let h = WorkHealth::from_notices(vec![n("erratum", "2019-05")]);
        assert_eq!(h.status, Status::Corrected);
        assert_eq!(health_text(&h).as_deref(), Some("Correction 2019-05"));
        assert_eq!(WorkHealth::from_notices(vec![]).status, Status::Fine);
        assert!(!Status::Unknown.is_flagged() && !Status::Fine.is_flagged());
        assert!(Status::Notice.is_flagged() && !Status::Concern.is_retracted());
    }

    #[test]
    fn notice_text_is_scrubbed() {
        let msg = json!({"updated-by": [{"type": "retraction", "DOI": "10.1000/x",
            "source": "evil\u{1b}[31m\nsource", "updated": {"date-parts": [[2020, 1, 2]]}}]});
        let line = health_text(&parse_work(&msg)).expect("line");
        assert!(!line.contains('\u{1b}') && !line.contains('\n'), "{line:?}");
        assert!(line.starts_with("RETRACTED 2020-01-02 (notice doi:10.1000/x, "));
    }
}
