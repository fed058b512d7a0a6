//! `papers`: the papers a scope's entries cite, one row per paper.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Result;
use paperboy::model::{EntryId, FeedId, PaperRow};
use paperboy::store::ListQuery;
use paperboy::text::scrub::scrub_line;
use paperboy::text::width::{fit, width};
use paperboy::Library;
use serde::Serialize;

use super::output::{print_json, print_table, terminal_width};

/// A paper's ids by kind, bare (`10.1111/hsc.12135`, `1004.4704`, `22506741`, `PMC2792572`):
/// the first of each kind it is known by; kinds not found are left out.
#[derive(Debug, Default, Serialize)]
struct Ids {
    #[serde(skip_serializing_if = "Option::is_none")]
    doi: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arxiv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pmid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pmcid: Option<String>,
}

impl Ids {
    fn of(keys: &[String]) -> Ids {
        let mut ids = Ids::default();
        for key in keys {
            let Some((kind, id)) = key.split_once(':') else {
                continue;
            };
            let slot = match kind {
                "doi" => &mut ids.doi,
                "arxiv" => &mut ids.arxiv,
                "pmid" => &mut ids.pmid,
                "pmcid" => &mut ids.pmcid,
                _ => continue,
            };
            slot.get_or_insert_with(|| id.to_string());
        }
        ids
    }
}

/// A citing feed: its id (for `--feed`) and the title shown for it.
#[derive(Debug, Serialize)]
struct FeedRef {
    id: FeedId,
    title: String,
}

/// One row of `papers --json`.
#[derive(Debug, Serialize)]
struct PaperOut {
    key: String,
    ids: Ids,
    /// The citation line known offline (cached look-up or COinS span); null until known.
    citation: Option<String>,
    cited_by: Vec<EntryId>,
    feeds: Vec<FeedRef>,
    /// The dates (UTC, YYYY-MM-DD) of the oldest and newest post citing it in the scope.
    first_cited: String,
    last_cited: String,
    /// The open-access copy known offline ({url, pdf, version, license}); null until asked.
    oa: Option<super::access::OaOut>,
    health: paperboy::library::health::HealthJson,
    #[serde(skip)]
    health_prefix: String,
}

pub(super) fn papers(
    lib: &Library,
    q: &ListQuery,
    json: bool,
    filter: super::health::HealthFilter,
) -> Result<ExitCode> {
    let rows = lib.papers(q)?;
    let feeds: HashMap<FeedId, String> = lib
        .feed_titles()?
        .into_iter()
        .map(|(id, t)| (id, scrub_line(&t)))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let health = lib.paper_health(&row.ids)?;
        if filter.keeps(&health) {
            out.push(paper_out(lib, row, &feeds, &health)?);
        }
    }
    if json {
        print_json(&out)?;
    } else {
        let titles = uncited_titles(lib, q, &out)?;
        print_papers(&out, &titles, terminal_width())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn paper_out(
    lib: &Library,
    row: &PaperRow,
    feeds: &HashMap<FeedId, String>,
    health: &paperboy::library::health::PaperHealth,
) -> Result<PaperOut> {
    let refs = row
        .feeds
        .iter()
        .map(|&id| FeedRef {
            id,
            // A feed removed while this ran has no title left: its id alone.
            title: feeds.get(&id).cloned().unwrap_or_default(),
        })
        .collect();
    let date = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    Ok(PaperOut {
        key: row.key.clone(),
        ids: Ids::of(&row.ids),
        citation: lib.known_citation(row)?.map(|c| scrub_line(&c.line())),
        cited_by: row.cited_by.clone(),
        feeds: refs,
        first_cited: date(row.first_cited),
        last_cited: date(row.last_cited),
        oa: super::access::oa_out(lib, &row.ids)?,
        health: health.json(),
        health_prefix: super::health::prefix(health),
    })
}

/// The titles of the newest posts citing papers whose citation is not known yet, which the
/// table shows in its place: one listing of those posts, only when some paper needs it.
fn uncited_titles(
    lib: &Library,
    q: &ListQuery,
    out: &[PaperOut],
) -> Result<HashMap<EntryId, String>> {
    // Only the newest citing post of each row without a citation: not every entry of the
    // scope (all months are 100,000 wide rows on a large cache, seconds to read).
    let newest: Vec<EntryId> = out
        .iter()
        .filter(|p| p.citation.is_none())
        .filter_map(|p| p.cited_by.first().copied())
        .collect();
    if newest.is_empty() {
        return Ok(HashMap::new());
    }
    let scope = ListQuery {
        ids: Some(newest),
        limit: None,
        offset: 0,
        ..q.clone()
    };
    Ok(lib
        .list(&scope)?
        .into_iter()
        .map(|e| (e.id, scrub_line(&e.title)))
        .collect())
}

/// The table: how many posts cite each paper, its key, and its citation line (else the title
/// of the newest post citing it), cut to `cols` columns.
fn print_papers(out: &[PaperOut], titles: &HashMap<EntryId, String>, cols: usize) -> Result<()> {
    const MAX_KEY: usize = 40;
    let count_w = out
        .iter()
        .map(|p| p.cited_by.len().to_string().len())
        .max()
        .unwrap_or(0)
        .max("POSTS".len());
    let key_w = out
        .iter()
        .map(|p| width(&p.key).min(MAX_KEY))
        .max()
        .unwrap_or(0)
        .max("PAPER".len());
    let text_w = cols.saturating_sub(count_w + key_w + 4).max(20);
    let rows: Vec<Vec<String>> = out
        .iter()
        .map(|p| {
            let text = match &p.citation {
                Some(c) => format!("{}{c}", p.health_prefix),
                None => match p.cited_by.first().and_then(|e| titles.get(e)) {
                    Some(t) if !t.is_empty() => {
                        format!("{}(in \u{201c}{t}\u{201d})", p.health_prefix)
                    }
                    _ => format!("{}(no citation yet)", p.health_prefix),
                },
            };
            vec![
                format!("{:>count_w$}", p.cited_by.len()),
                fit(&p.key, key_w),
                fit(&text, text_w),
            ]
        })
        .collect();
    print_table(&["POSTS", "PAPER", "CITATION"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_bare_and_the_first_of_each_kind() {
        let keys = [
            "doi:10.1111/hsc.12135",
            "pmid:25175925",
            "doi:10.9/other",
            "arxiv:1004.4704",
            "pmcid:PMC2792572",
            "isbn:123",
        ]
        .map(String::from);
        let v = serde_json::to_value(Ids::of(&keys)).expect("json");
        assert_eq!(
            v,
            serde_json::json!({"doi": "10.1111/hsc.12135", "arxiv": "1004.4704",
                "pmid": "25175925", "pmcid": "PMC2792572"})
        );
        let v = serde_json::to_value(Ids::of(&["arxiv:hep-th/9901001".into()])).expect("json");
        assert_eq!(v, serde_json::json!({"arxiv": "hep-th/9901001"}));
    }
}
