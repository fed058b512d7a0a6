//! The library's save API: a paper into the reader's reference manager. Zotero through its
//! connector server (`[papers] zotero_connector`), or any program through `[papers]
//! save_command`, run without a shell: `%d` the DOI, `%b` a temporary BibTeX file (removed
//! after), `%%` a `%`.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::library::citations::{label, CitationState};
use crate::library::papers::{citation_cache_key, display_id};
use crate::library::{Error, Library, Result};
use crate::model::PaperRow;
use crate::papers::cite::Citation;
use crate::papers::zotero::{self, Connector, ZoteroError};
use crate::store::ListQuery;
use crate::text::scrub::scrub_line;

/// Where a saved DOI's `url` points.
const DOI_ORG: &str = "https://doi.org";

/// Why a save failed, one line each.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Zotero(#[from] ZoteroError),
    #[error("cannot save {id}: its citation is not known ({reason})")]
    NoCitation { id: String, reason: String },
    #[error("[papers] save_command is empty: give a program and its arguments")]
    EmptyCommand,
    #[error("cannot save {id} with [papers] save_command: it has no DOI for %d (%b, a BibTeX file, works for any paper)")]
    NoDoi { id: String },
    #[error("cannot run the save command `{program}`: {reason}")]
    Spawn { program: String, reason: String },
    #[error("the save command `{program}` failed ({status}){stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("cannot write the BibTeX file for the save command: {0}")]
    TempFile(String),
}

/// A paper saved: where to, and its title (or its id when it has none).
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// `Zotero`, or the save command's program name (`papis`).
    pub to: String,
    pub title: String,
}

impl Saved {
    /// `Saved to Zotero: <title>`, scrubbed.
    pub fn message(&self) -> String {
        scrub_line(&format!("Saved to {}: {}", self.to, self.title))
    }
}

/// What a save knows of the paper.
struct Paper {
    key: String,
    ids: Vec<String>,
    doi: Option<String>,
    citation: Option<Citation>,
    /// Why no citation is known, when none is.
    why_none: String,
}

impl Library {
    /// Saves the paper `key` names (`doi:…`, `arxiv:…`, `pmid:…`, `pmcid:…`, or an alias of
    /// one) to `[papers] save_command` when set, else to Zotero. Its citation is the cached
    /// one (fresh or stale), else looked up now, else the one its COinS span gave.
    pub fn save_paper(&mut self, key: &str) -> Result<Saved> {
        let paper = self.paper_to_save(key)?;
        let title = paper
            .citation
            .as_ref()
            .and_then(|c| c.title.clone())
            .unwrap_or_else(|| label(&paper.key));
        let to = match self.config.papers.save_command.clone() {
            Some(argv) => run_command(&argv, &paper)?,
            None => self.save_to_zotero(&paper)?,
        };
        Ok(Saved { to, title })
    }

    fn save_to_zotero(&mut self, paper: &Paper) -> Result<String> {
        let citation = paper.citation.as_ref().ok_or_else(|| no_citation(paper))?;
        // The record outlives any local resolver setting: doi.org's URL, not `doi.resolver`'s.
        let url = crate::papers::services::paper_url(&paper.key, DOI_ORG);
        let item = zotero::item(
            citation,
            &paper.key,
            &paper.ids,
            paper.doi.as_deref(),
            url.as_deref(),
        );
        let body = zotero::save_body(item, url.as_deref().unwrap_or(""));
        let connector = Connector::new(&self.config.papers.zotero_connector, &self.config.fetch)?;
        let rt = self.runtime()?;
        rt.block_on(connector.save(&body))
            .map_err(|e| Error::Save(e.into()))?;
        Ok("Zotero".to_string())
    }

    /// The paper `key` names, its ids and DOI, and its citation if one can be had.
    fn paper_to_save(&mut self, key: &str) -> Result<Paper> {
        let known = self.paper_ids(key)?;
        let canonical = known.first().cloned().unwrap_or_else(|| key.to_string());
        let row = self.paper_row(&canonical)?;
        let mut ids = row.as_ref().map(|r| r.ids.clone()).unwrap_or_default();
        for id in known {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let published = self.published_as(&canonical)?;
        let doi = ids
            .iter()
            .find_map(|k| k.strip_prefix("doi:").map(str::to_string))
            .or_else(|| {
                published.and_then(|n| n.strip_prefix("published as doi:").map(Into::into))
            });
        let mut why_none = String::from("no look-up answered");
        let mut citation = self.cached_citation(&ids)?;
        if citation.is_none() {
            match self.citation(&canonical)? {
                CitationState::Found { citation: c } => citation = Some(c),
                CitationState::NotFound => why_none = CitationState::NotFound.line(&canonical),
                CitationState::Failed { reason } => why_none = reason,
            }
        }
        if citation.is_none() {
            citation = match &row {
                Some(r) => self.known_citation(r)?,
                None => None,
            };
        }
        Ok(Paper {
            key: canonical,
            ids,
            doi,
            citation,
            why_none,
        })
    }

    /// The first cached answer (fresh or stale) under any of `ids`; no network.
    fn cached_citation(&self, ids: &[String]) -> Result<Option<Citation>> {
        for id in ids {
            let cached = self
                .store
                .citation(&citation_cache_key(id))
                .map_err(|e| self.store_err(e))?;
            if let Some(CitationState::Found { citation }) =
                cached.map(|c| Self::state_of(&c, display_id(id)))
            {
                return Ok(Some(citation));
            }
        }
        Ok(None)
    }

    /// The paper's row among every paper the posts cite (its aliases, its COinS span).
    fn paper_row(&self, key: &str) -> Result<Option<PaperRow>> {
        let rows = self.papers(&ListQuery::default())?;
        Ok(rows.into_iter().find(|r| r.key == key))
    }

    /// The papers one entry cites, in the order `paperboy save ENTRY --paper N` numbers them.
    pub fn entry_papers(&self, entry: crate::model::EntryId) -> Result<Vec<PaperRow>> {
        self.entry(entry)?;
        self.papers(&ListQuery {
            ids: Some(vec![entry]),
            ..ListQuery::default()
        })
    }
}

fn no_citation(paper: &Paper) -> Error {
    Error::Save(SaveError::NoCitation {
        id: label(&paper.key),
        reason: scrub_line(&paper.why_none),
    })
}

/// `argv` with `%d` → `doi`, `%b` → `bib`, `%%` → `%`; other `%` sequences as written.
fn expand(arg: &str, doi: &str, bib: &str) -> String {
    let mut out = String::with_capacity(arg.len());
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(doi),
            Some('b') => out.push_str(bib),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Whether `arg` asks for `%x` (a `%%` is not one).
fn asks(arg: &str, x: char) -> bool {
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some(n) if n == x => return true,
                _ => {}
            }
        }
    }
    false
}

/// Runs the save command for `paper`; its program's name on success.
fn run_command(argv: &[String], paper: &Paper) -> Result<String> {
    let program = argv.first().filter(|p| !p.trim().is_empty());
    let program = program.ok_or(Error::Save(SaveError::EmptyCommand))?;
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.clone());
    let name = scrub_line(&name);
    let wants_doi = argv.iter().any(|a| asks(a, 'd'));
    let doi = match (&paper.doi, wants_doi) {
        (Some(d), _) => d.clone(),
        (None, false) => String::new(),
        (None, true) => {
            return Err(Error::Save(SaveError::NoDoi {
                id: label(&paper.key),
            }))
        }
    };
    // The BibTeX file lives until the command has run; dropping it removes it.
    let bib_file = match argv.iter().any(|a| asks(a, 'b')) {
        true => Some(write_bibtex(paper)?),
        false => None,
    };
    let bib = bib_file
        .as_ref()
        .map(|f| f.path().to_string_lossy().into_owned())
        .unwrap_or_default();
    let args: Vec<String> = argv[1..].iter().map(|a| expand(a, &doi, &bib)).collect();
    let output = Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            Error::Save(SaveError::Spawn {
                program: name.clone(),
                reason: spawn_reason(&e),
            })
        })?;
    drop(bib_file);
    if output.status.success() {
        return Ok(name);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr
        .lines()
        .map(scrub_line)
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(": {}", l.chars().take(200).collect::<String>()))
        .unwrap_or_default();
    Err(Error::Save(SaveError::Failed {
        program: name,
        status: exit_text(&output.status),
        stderr: first,
    }))
}

fn write_bibtex(paper: &Paper) -> Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let citation = paper.citation.as_ref().ok_or_else(|| no_citation(paper))?;
    let text = citation.bibtex(&citation.bib_key_base());
    let temp_err = |e: std::io::Error| Error::Save(SaveError::TempFile(e.to_string()));
    let mut file = tempfile::Builder::new()
        .prefix("paperboy-")
        .suffix(".bib")
        .tempfile()
        .map_err(temp_err)?;
    file.write_all(text.as_bytes()).map_err(temp_err)?;
    file.flush().map_err(temp_err)?;
    Ok(file)
}

fn spawn_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "no such program (install it, or fix [papers] save_command)".to_string()
        }
        _ => scrub_line(&e.to_string()),
    }
}

/// `exit status 3`, or `killed by signal 9`.
fn exit_text(status: &std::process::ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    "no exit status".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand_inside_arguments_and_percent_escapes() {
        assert_eq!(expand("--doi=%d", "10.1/x", "/t.bib"), "--doi=10.1/x");
        assert_eq!(expand("%b", "10.1/x", "/t.bib"), "/t.bib");
        assert_eq!(expand("100%% %q %", "d", "b"), "100% %q %");
        assert!(asks("x%dy", 'd'));
        assert!(!asks("%%d", 'd'));
        assert!(!asks("%b", 'd'));
    }
}
