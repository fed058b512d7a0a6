//! DOIs: listing, citations, BibTeX.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use paperboy::library::citations::CitationState;
use paperboy::model::EntryId;
use paperboy::papers::styles::CitationStyle;
use paperboy::store::DoiScope;
use paperboy::text::scrub::scrub_line;
use paperboy::Library;

use super::feeds::feed_id;
use paperboy::library::health::PaperHealth;

use super::output::{check_month, ensure_newline, print_json, print_listing};
use super::{BibFormat, CiteFormat};

pub(super) fn doi_scope(
    lib: &Library,
    entry: Option<EntryId>,
    month: Option<String>,
    feed: Option<String>,
) -> Result<DoiScope> {
    if let Some(m) = &month {
        check_month(m)?;
    }
    if let Some(e) = entry {
        lib.entry(e)?;
    }
    let feed = feed_id(lib, feed.as_deref())?;
    Ok(DoiScope { entry, month, feed })
}

/// One row of `dois --json`: the DOI row and its paper's health.
#[derive(serde::Serialize)]
struct DoiOut {
    #[serde(flatten)]
    row: paperboy::model::DoiRow,
    health: paperboy::library::health::HealthJson,
}

pub(super) fn dois(lib: &Library, scope: &DoiScope, json: bool) -> Result<ExitCode> {
    let rows = lib.dois(scope)?;
    let keys: Vec<String> = rows
        .iter()
        .map(|r| paperboy::text::doi::key(&r.doi))
        .collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let health = lib.health_by_doi(&key_refs)?;
    let out: Vec<DoiOut> = rows
        .into_iter()
        .zip(&keys)
        .map(|(row, k)| DoiOut {
            row,
            health: health
                .get(k)
                .cloned()
                .unwrap_or_else(PaperHealth::unchecked)
                .json(),
        })
        .collect();
    print_listing(&out, json, &["DOI", "ENTRY", "SOURCE", "TITLE"], |o| {
        let r = &o.row;
        vec![
            r.doi.clone(),
            r.entry_id.to_string(),
            r.source.as_str().to_string(),
            scrub_line(&r.entry_title),
        ]
    })
}

/// The DOI a user typed (10.…, doi:10.…, a doi.org URL), if it is one.
pub(super) fn typed_doi(s: &str) -> Option<String> {
    paperboy::text::doi::from_meta(s).or_else(|| paperboy::text::doi::from_url(s))
}

/// The paper a user typed: a DOI (as [`typed_doi`], returned bare), else a paper key
/// (`arxiv:1412.3456`, `arXiv:2401.12345v2`, `pmid:23193287`, `pmcid:PMC3531190`, or their
/// arxiv.org / PubMed / PMC URLs) in its canonical form.
pub(super) fn typed_paper(s: &str) -> Option<String> {
    if let Some(doi) = typed_doi(s) {
        return Some(doi);
    }
    let s = s.trim();
    // The finder reads PubMed ids only where labelled as posts write them ("PMID: N").
    let s = match s.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("pmid:") => format!("PMID: {}", &s[5..]),
        _ => s.to_string(),
    };
    let s = s.as_str();
    let found = paperboy::text::ids::find_papers("", &[s]);
    let found = match found.is_empty() {
        true => paperboy::text::ids::find_papers(&scrub_line(s), &[]),
        false => found,
    };
    match found.as_slice() {
        [one] => Some(one.key.clone()),
        _ => None,
    }
}

pub(super) fn cite(
    lib: &mut Library,
    target: &str,
    format: CiteFormat,
    style: Option<&str>,
) -> Result<ExitCode> {
    let id = typed_paper(target).with_context(|| {
        format!(
            "`{}` is not a DOI (10.NNNN/…) nor a paper key (arxiv:…, pmid:…, pmcid:PMC…)",
            scrub_line(target)
        )
    })?;
    let label = paperboy::library::citations::label(&id);
    let unknown = || {
        let service = paperboy::library::service_of(&id);
        anyhow::anyhow!("{label} is not known to the {service}")
    };
    // The style is checked before any look-up: a bad style file fails at once.
    let style = match (format, style) {
        (CiteFormat::Text, Some(s)) => Some(CitationStyle::resolve(s)?),
        (CiteFormat::Text, None) => Some(
            lib.citation_style()
                .context("the citation style of [papers] style in the config")?,
        ),
        _ => None,
    };
    match format {
        CiteFormat::Bibtex => match lib.bibtex(&id)? {
            Some(b) => print!("{}", ensure_newline(b)),
            None => return Err(unknown()),
        },
        CiteFormat::Text | CiteFormat::CslJson => match lib.citation(&id)? {
            CitationState::Found { citation } => match &style {
                Some(style) => {
                    let line = citation.line_in(style);
                    // Said once: a style that prints the DOI already names the published version.
                    let doi_shown = |note: &String| {
                        let doi = note.trim_start_matches("published as doi:");
                        line.to_lowercase().contains(&doi.to_lowercase())
                    };
                    match lib.published_as(&id)?.filter(|n| !doi_shown(n)) {
                        Some(note) => println!("{line} ({note})"),
                        None => println!("{line}"),
                    }
                }
                None => print_json(&citation)?,
            },
            CitationState::NotFound => return Err(unknown()),
            CitationState::Failed { reason } => {
                bail!("cannot resolve {label}: {}", scrub_line(&reason))
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

/// `paperboy styles`: the bundled styles, a name and its title a line.
pub(super) fn styles_list() -> String {
    let styles: Vec<(String, String)> = paperboy::papers::styles::bundled_names()
        .map(|name| match CitationStyle::bundled(name) {
            Ok(s) => (name.to_string(), s.title().to_string()),
            Err(e) => (name.to_string(), format!("(cannot load: {e})")),
        })
        .collect();
    let width = styles.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    styles
        .iter()
        .map(|(name, title)| format!("{name:width$}  {title}\n"))
        .collect()
}

pub(super) fn bib(
    lib: &mut Library,
    scope: &DoiScope,
    output: Option<&Path>,
    format: BibFormat,
) -> Result<ExitCode> {
    let (export, kind) = match format {
        BibFormat::Bibtex => (lib.bib_export(scope)?, "BibTeX entries"),
        BibFormat::Ris => (lib.ris_export(scope)?, "RIS records"),
    };
    for (_, why) in &export.missing {
        eprintln!("paperboy: skipped {}", scrub_line(why));
    }
    match output {
        Some(p) => {
            std::fs::write(p, &export.text)
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {} {kind} to {}", export.entries, p.display());
        }
        None => print!("{}", export.text),
    }
    Ok(ExitCode::SUCCESS)
}
