//! The Reader pane: one entry rendered to lines, its links and cited papers, and the search
//! matches in it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::library::citations::CitationState;
use crate::library::papers::{coins_citation, display_id, paper_home};
use crate::model::Entry;
use crate::papers::styles::CitationStyle;
use crate::text::render::{Line, Span, TextStyle};
use crate::text::scrub::{scrub_line, scrub_url};

/// What the reader knows of one DOI's citation.
// A post cites a handful of papers: the unboxed citation costs less than a box per look-up.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Cite {
    /// A background look-up is under way.
    Resolving,
    Known(CitationState),
    /// Not cached, and not looked up (the demo archive never uses the network).
    NotLookedUp,
}

/// One row of the link list: a DOI or another paper (with its citation) or a numbered link of
/// the post.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkItem {
    /// `doi:10.…`, `arxiv:…`, `pmid:…` or `[3]`.
    pub label: String,
    /// What Enter opens.
    pub url: String,
    /// DOI rows, and papers known by a DOI: the DOI, scrubbed.
    pub doi: Option<String>,
    /// Paper rows: the id `c` copies (the bare DOI, else the key), scrubbed.
    pub paper: Option<String>,
    /// DOI rows: the citation line, or where its look-up stands.
    pub citation: Option<String>,
    /// DOI rows: `citation` is a real citation (not a status).
    pub found: bool,
    /// DOI rows with a citation: `citation` with its styles (italic titles where the style
    /// has them).
    pub styled: Option<Line>,
}

/// The Reader pane: one entry, rendered at `width`.
#[derive(Debug, Clone)]
pub struct ReaderState {
    pub entry: Entry,
    /// The width `lines` were rendered for; a resize re-renders.
    pub width: u16,
    pub lines: Vec<Line>,
    /// Header, text and links: everything but the papers, which change as citations arrive.
    body: Vec<Line>,
    /// The post's links, numbered from 1 in the text.
    pub links: Vec<String>,
    /// Citations by DOI key (lowercase); a DOI missing here is about to be looked up.
    pub citations: BTreeMap<String, Cite>,
    /// The style citations are shown in (`[papers] style`).
    pub style: Arc<CitationStyle>,
    /// The found citations' lines in `style`, by DOI key: made when citations change, not at
    /// every frame.
    cited: BTreeMap<String, Line>,
    pub scroll: usize,
    /// Search words to highlight, from the search the entry was opened from.
    pub search: Option<String>,
    /// Lines holding a search word.
    pub matches: Vec<usize>,
}

impl ReaderState {
    pub fn new(entry: Entry, width: u16, search: Option<String>) -> ReaderState {
        let mut r = ReaderState {
            entry,
            width: 0,
            lines: Vec::new(),
            body: Vec::new(),
            links: Vec::new(),
            citations: BTreeMap::new(),
            style: CitationStyle::shared_default(),
            cited: BTreeMap::new(),
            scroll: 0,
            search,
            matches: Vec::new(),
        };
        r.render(width);
        r
    }

    /// Renders the entry for `width` columns (header, body, then links and DOIs).
    pub fn render(&mut self, width: u16) {
        if width == self.width && !self.lines.is_empty() {
            return;
        }
        let w = usize::from(width.max(1));
        let e = &self.entry;
        let mut lines = Vec::new();
        let plain = TextStyle::default();
        for l in wrap(&scrub_line(&e.title), w) {
            lines.push(styled(l, heading()));
        }
        let mut meta = vec![scrub_line(&e.feed_title)];
        if !e.authors.is_empty() {
            let authors: Vec<String> = e.authors.iter().map(|a| scrub_line(a)).collect();
            meta.push(authors.join(", "));
        }
        if let Some(p) = e.published {
            meta.push(p.format("%Y-%m-%d").to_string());
        }
        for l in wrap(&meta.join(" · "), w) {
            lines.push(styled(
                l,
                TextStyle {
                    italic: true,
                    ..plain
                },
            ));
        }
        if let Some(u) = &e.link {
            for l in wrap(&scrub_line(u), w) {
                lines.push(styled(l, link()));
            }
        }
        lines.push(Line::default());
        let rendered = crate::text::render::render_html(e.body_html(), w);
        if rendered.lines.iter().all(|l| l.plain().trim().is_empty()) {
            lines.push(styled("(this entry has no text)".into(), plain));
        } else {
            lines.extend(rendered.lines);
        }
        if !rendered.links.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Links".into(), heading()));
            for (i, u) in rendered.links.iter().enumerate() {
                let text = format!("[{}] {}", i + 1, scrub_line(u));
                for l in wrap(&text, w) {
                    lines.push(styled(l, link()));
                }
            }
        }
        self.links = rendered.links.iter().map(|u| scrub_url(u)).collect();
        self.body = lines;
        self.width = width;
        self.refresh_papers();
    }

    /// The reader with citations shown in `style`.
    pub fn with_style(mut self, style: Arc<CitationStyle>) -> ReaderState {
        self.style = style;
        self.refresh_papers();
        self
    }

    /// Rebuilds the text's papers section (after the body) from what is known of the citations.
    pub fn refresh_papers(&mut self) {
        let w = usize::from(self.width.max(1));
        self.cited = self
            .citations
            .iter()
            .filter_map(|(key, c)| match c {
                Cite::Known(CitationState::Found { citation }) => {
                    Some((key.clone(), citation.styled_line(&self.style)))
                }
                _ => None,
            })
            .collect();
        // A paper its service has not described yet shows what its COinS span says.
        for p in self.entry.papers_beyond_dois() {
            let key = crate::text::doi::key(&p.key);
            if let (false, Some(c)) = (self.cited.contains_key(&key), &p.coins) {
                let citation = coins_citation(c, display_id(&p.key));
                self.cited.insert(key, citation.styled_line(&self.style));
            }
        }
        let mut lines = self.body.clone();
        if !self.entry.dois.is_empty() {
            lines.push(Line::default());
            lines.push(styled("Papers (DOIs)".into(), heading()));
            for d in &self.entry.dois {
                // A citation line already names its DOI.
                let text = match self.cited.get(&crate::text::doi::key(&d.doi)) {
                    Some(line) => line.clone(),
                    None => {
                        let doi = scrub_line(&d.doi);
                        let status = format!("doi:{doi} ({})", self.citation_text(&d.doi));
                        styled(status, TextStyle::default())
                    }
                };
                // A hanging indent keeps one paper apart from the next.
                let wrapped = wrap_styled(&text, w.saturating_sub(2));
                for (i, mut l) in wrapped.into_iter().enumerate() {
                    let lead = if i == 0 { "• " } else { "  " };
                    l.spans.insert(
                        0,
                        Span {
                            text: lead.into(),
                            style: TextStyle::default(),
                        },
                    );
                    for span in &mut l.spans {
                        span.style.link = true;
                    }
                    lines.push(l);
                }
            }
        }
        self.lines = lines;
        self.matches = match &self.search {
            Some(q) => match_lines(&self.lines, q),
            None => Vec::new(),
        };
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(1));
    }

    fn citation_state(&self, doi: &str) -> Option<&CitationState> {
        match self.citations.get(&crate::text::doi::key(doi)) {
            Some(Cite::Known(s)) => Some(s),
            _ => None,
        }
    }

    /// One line about `doi`'s citation (or a paper key's): the citation itself, or where its
    /// look-up stands.
    pub fn citation_text(&self, doi: &str) -> String {
        match self.citations.get(&crate::text::doi::key(doi)) {
            Some(Cite::Known(CitationState::Found { citation })) => {
                match self.cited.get(&crate::text::doi::key(doi)) {
                    Some(line) => line.plain(),
                    None => citation.line_in(&self.style),
                }
            }
            Some(Cite::Known(CitationState::NotFound)) => match doi.split_once(':') {
                Some(("arxiv", _)) => "not found at arXiv".to_string(),
                Some(("pmid" | "pmcid", _)) => "not found at PubMed".to_string(),
                _ => "not found at the DOI resolver".to_string(),
            },
            Some(Cite::Known(CitationState::Failed { reason })) => {
                format!("look-up failed: {}", scrub_line(reason))
            }
            Some(Cite::NotLookedUp) => "not looked up (no network in the demo)".to_string(),
            Some(Cite::Resolving) | None => "resolving…".to_string(),
        }
    }

    /// Everything the link list offers: the post's DOIs first (opened at `resolver`), then
    /// the other papers it cites (arXiv, PubMed, PMC, a COinS span's DOI; opened at their
    /// pages), each with its citation, then its numbered links.
    pub fn link_items(&self, resolver: &str) -> Vec<LinkItem> {
        let mut items: Vec<LinkItem> = self
            .entry
            .dois
            .iter()
            .map(|d| {
                let doi = scrub_line(&d.doi);
                LinkItem {
                    label: format!("doi:{doi}"),
                    // Cached DOIs were normalised (no whitespace or controls): never empty.
                    url: crate::text::doi::doi_url(resolver, &d.doi)
                        .map(|u| scrub_url(&u))
                        .unwrap_or_default(),
                    citation: Some(self.citation_text(&d.doi)),
                    found: self
                        .citation_state(&d.doi)
                        .is_some_and(|s| matches!(s, CitationState::Found { .. })),
                    styled: self.cited.get(&crate::text::doi::key(&d.doi)).cloned(),
                    doi: Some(doi),
                    paper: None,
                }
            })
            .collect();
        items.extend(self.entry.papers_beyond_dois().map(|p| {
            let styled = self.cited.get(&crate::text::doi::key(&p.key)).cloned();
            LinkItem {
                label: scrub_line(&p.key),
                url: paper_home(&p.key, &p.ids, resolver)
                    .map(|u| scrub_url(&u))
                    .unwrap_or_default(),
                doi: p
                    .ids
                    .iter()
                    .find_map(|k| k.strip_prefix("doi:"))
                    .map(scrub_line),
                paper: Some(scrub_line(display_id(&p.key))),
                citation: Some(
                    styled
                        .as_ref()
                        .map_or_else(|| self.citation_text(&p.key), Line::plain),
                ),
                found: styled.is_some(),
                styled,
            }
        }));
        items.extend(self.links.iter().enumerate().map(|(i, u)| LinkItem {
            label: format!("[{}]", i + 1),
            url: u.clone(),
            doi: None,
            paper: None,
            citation: None,
            found: false,
            styled: None,
        }));
        items
    }
}

fn heading() -> TextStyle {
    TextStyle {
        heading: true,
        bold: true,
        ..TextStyle::default()
    }
}

fn link() -> TextStyle {
    TextStyle {
        link: true,
        ..TextStyle::default()
    }
}

fn styled(text: String, style: TextStyle) -> Line {
    Line {
        spans: vec![Span { text, style }],
    }
}

/// The lowercased words of a search, as matched in the reader.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_lowercase)
        .collect()
}

/// Indexes of the lines that contain any of the query's words (case-insensitive).
pub fn match_lines(lines: &[Line], query: &str) -> Vec<usize> {
    let words = search_words(query);
    if words.is_empty() {
        return Vec::new();
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let text = l.plain().to_lowercase();
            words.iter().any(|w| text.contains(w.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}

/// [`wrap`] of a styled line: the same breaks, each character keeping its span's style.
pub fn wrap_styled(line: &Line, width: usize) -> Vec<Line> {
    let plain = line.plain();
    // The style of every character of `plain`, in order.
    let mut styles = line
        .spans
        .iter()
        .flat_map(|s| s.text.chars().map(move |c| (c, s.style)));
    let mut out = Vec::new();
    for text in wrap(&plain, width) {
        let mut l = Line::default();
        for c in text.chars() {
            // `wrap` only drops spaces (where it breaks, and runs of them): skip those.
            let style = styles
                .find(|(p, _)| *p == c)
                .map(|(_, st)| st)
                .unwrap_or_default();
            match l.spans.last_mut() {
                Some(last) if last.style == style => last.text.push(c),
                _ => l.spans.push(Span {
                    text: c.to_string(),
                    style,
                }),
            }
        }
        out.push(l);
    }
    out
}

/// Word-wraps one line of text to `width` columns, breaking words longer than a line (URLs).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut line_w = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let ww = crate::text::width::width(word);
        let sep = usize::from(!line.is_empty());
        if line_w + sep + ww <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            line_w += sep + ww;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
            line_w = 0;
        }
        for (g, gw) in crate::text::width::clusters(word) {
            if line_w + gw > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push_str(g);
            line_w += gw;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}
