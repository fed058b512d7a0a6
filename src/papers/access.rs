//! The legal open-access copy of a paper: what Unpaywall's `best_oa_location` says (its PDF or
//! page, version, licence, host), or the copy an arXiv or PMC paper has by nature (no request).

use serde::Serialize;

/// One open-access copy of a paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OaCopy {
    /// The copy's address: its PDF where one is known, else its page.
    pub url: String,
    /// The PDF itself, when the host serves one.
    pub pdf: Option<String>,
    /// `publishedVersion`, `acceptedVersion` or `submittedVersion` (Unpaywall's words).
    pub version: Option<String>,
    /// `cc-by`, `cc-by-nc`, …; `None` when the host states none.
    pub license: Option<String>,
    /// `publisher` or `repository`.
    pub host_type: Option<String>,
}

/// What is known of a paper's open-access copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaState {
    Open(OaCopy),
    /// Asked, and no open-access copy is known (or Unpaywall has no record of the DOI).
    NoneKnown,
}

impl OaState {
    /// The address the open-access key opens: the PDF, else the page.
    pub fn open_url(&self) -> Option<&str> {
        match self {
            OaState::Open(c) => Some(c.pdf.as_deref().unwrap_or(&c.url)),
            OaState::NoneKnown => None,
        }
    }

    /// "OA: PDF, publishedVersion, cc-by", "OA: page, acceptedVersion", "OA: none known".
    pub fn line(&self) -> String {
        match self {
            OaState::Open(c) => {
                let mut parts = vec![if c.pdf.is_some() { "PDF" } else { "page" }];
                parts.extend(c.version.as_deref());
                parts.extend(c.license.as_deref());
                format!("OA: {}", parts.join(", "))
            }
            OaState::NoneKnown => "OA: none known".to_string(),
        }
    }
}

/// The copy a paper has by nature, for arXiv and PMC keys: arXiv's PDF (the latest version the
/// author submitted) and PMC's article PDF page. `None` for other keys or malformed ids.
pub fn open_by_nature(key: &str) -> Option<OaCopy> {
    let resolver = crate::text::doi::DEFAULT_RESOLVER;
    let page = crate::papers::services::paper_url(key, resolver)?;
    let (kind, id) = key.split_once(':')?;
    let (pdf, version) = match kind {
        "arxiv" => (format!("https://arxiv.org/pdf/{id}"), "submittedVersion"),
        // PMC holds accepted manuscripts and publishers' versions alike: no version is claimed.
        "pmcid" => (format!("{page}pdf/"), ""),
        _ => return None,
    };
    Some(OaCopy {
        url: page,
        pdf: Some(pdf),
        version: (!version.is_empty()).then(|| version.to_string()),
        license: None,
        host_type: Some("repository".to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_pdf_or_page_then_version_and_licence() {
        let mut c = OaCopy {
            url: "https://h/p".into(),
            pdf: Some("https://h/p.pdf".into()),
            version: Some("publishedVersion".into()),
            license: Some("cc-by".into()),
            host_type: Some("publisher".into()),
        };
        let open = OaState::Open(c.clone());
        assert_eq!(open.line(), "OA: PDF, publishedVersion, cc-by");
        assert_eq!(open.open_url(), Some("https://h/p.pdf"));
        c.pdf = None;
        c.license = None;
        let page = OaState::Open(c);
        assert_eq!(page.line(), "OA: page, publishedVersion");
        assert_eq!(page.open_url(), Some("https://h/p"));
        assert_eq!(OaState::NoneKnown.line(), "OA: none known");
        assert_eq!(OaState::NoneKnown.open_url(), None);
    }

    #[test]
    fn arxiv_and_pmc_papers_are_open_by_nature() {
        let a = open_by_nature("arxiv:hep-th/9901001").expect("arXiv");
        assert_eq!(
            a.pdf.as_deref(),
            Some("https://arxiv.org/pdf/hep-th/9901001")
        );
        assert_eq!(a.url, "https://arxiv.org/abs/hep-th/9901001");
        assert_eq!(a.version.as_deref(), Some("submittedVersion"));
        let p = open_by_nature("pmcid:PMC3531190").expect("PMC");
        assert_eq!(
            p.pdf.as_deref(),
            Some("https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/pdf/")
        );
        assert_eq!(p.version, None);
        for other in ["doi:10.1/x", "pmid:23193287", "arxiv:../x", "pmcid:123"] {
            assert_eq!(open_by_nature(other), None, "{other}");
        }
    }
}
