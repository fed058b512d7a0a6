//! `open ID --oa` (the paper's legal open-access copy) and the `oa` object of `papers --json`.

use std::process::ExitCode;

use anyhow::{bail, Result};
use paperboy::library::access::{OaAnswer, NO_EMAIL_HINT};
use paperboy::library::citations::label;
use paperboy::papers::access::OaState;
use paperboy::text::scrub::{scrub_line, scrub_url};
use paperboy::Library;
use serde::Serialize;

use super::dois::typed_paper;

/// `papers --json`'s `oa`: the copy (url, pdf, version, licence); every field null when no
/// copy is known; the whole object null when Unpaywall was never asked.
#[derive(Debug, Serialize)]
pub(super) struct OaOut {
    url: Option<String>,
    pdf: Option<String>,
    version: Option<String>,
    license: Option<String>,
}

pub(super) fn oa_out(lib: &Library, ids: &[String]) -> Result<Option<OaOut>> {
    Ok(lib.oa_known(ids)?.map(|state| match state {
        OaState::Open(c) => OaOut {
            url: Some(c.url),
            pdf: c.pdf,
            version: c.version,
            license: c.license,
        },
        OaState::NoneKnown => OaOut {
            url: None,
            pdf: None,
            version: None,
            license: None,
        },
    }))
}

/// `open ID --oa`: opens the open-access copy (its PDF, else its page) of the paper ID names,
/// by any of its ids (its aliases), asking Unpaywall when no answer is stored; one line when
/// there is none.
pub(super) fn open_oa(lib: &mut Library, target: &str) -> Result<ExitCode> {
    let Some(id) = typed_paper(target) else {
        bail!(
            "`{}` is neither a DOI (10.NNNN/…) nor a paper key (arxiv:…, pmid:…, pmcid:PMC…): \
             --oa opens a paper's open-access copy",
            scrub_line(target)
        );
    };
    let key = match id.starts_with("10.") {
        true => format!("doi:{id}"),
        false => id,
    };
    let name = scrub_line(&label(&key));
    // The paper under every id it is known by: a PMID's PMC copy, or its DOI for Unpaywall.
    let ids = lib.paper_ids(&key)?;
    let state = match lib.oa_now(&ids)? {
        OaAnswer::Known(state) => state,
        OaAnswer::NoEmail => bail!("cannot ask Unpaywall about {name}: {NO_EMAIL_HINT}"),
        OaAnswer::NoDoi => bail!(
            "no open-access copy known for {name} (Unpaywall is asked by DOI, and this paper's \
             is not known)"
        ),
        OaAnswer::Failed(e) => bail!("cannot find an open-access copy of {name}: {e}"),
    };
    let Some(url) = state.open_url() else {
        bail!("no open-access copy known for {name} (Unpaywall lists none)");
    };
    let command = paperboy::open::browser_command(
        lib.config().browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );
    paperboy::open::open_url(url, &command)?;
    println!("opened {} ({})", scrub_url(url), state.line());
    Ok(ExitCode::SUCCESS)
}
