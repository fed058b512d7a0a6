//! Finding the papers a post cites: DOIs (through [`crate::text::doi`]), arXiv ids, PubMed and
//! PMC ids, bioRxiv/medRxiv preprints and COinS spans, merged into one row per paper.
//!
//! What counts (issue 18, section 1):
//! - arXiv: new ids `YYMM.NNNN` (0704–1412) and `YYMM.NNNNN` (from 1501), old ids
//!   `archive(.SC)/YYMMNNN` (9108–0703), each with an optional `vN` that is dropped; found only
//!   after an `arXiv:` label, in an `arxiv.org/abs|pdf|html/` URL, in a COinS `info:arxiv/` or
//!   as an arXiv DOI `10.48550/arXiv.ID`; old ids also bare (their archive names them) in a post
//!   that names arXiv. A bare `1234.5678` in prose is no paper.
//! - PubMed: `pubmed.ncbi.nlm.nih.gov/N`, `ncbi.nlm.nih.gov/pubmed/N`, `PMID: N` (the label
//!   required), COinS `info:pmid/N`. PMC: `PMCNNNN` in text and in PMC article links.
//! - bioRxiv/medRxiv: `…rxiv.org/content/10.1101/…` URLs, and every `10.1101/` preprint DOI,
//!   with the version and page tails dropped.
//! - COinS: `<span class="Z3988" title="ctx_ver=…&amp;rft_id=…">`, its ids merged into one paper
//!   and its `rft.*` fields kept as an offline [`CoinsCitation`].
//!
//! Pure and cheap: it runs at parse time on every entry, so each family is looked for only when
//! a byte search finds its marker, and every pattern is compiled once. Never panics on any input;
//! every id it returns is ASCII or a DOI [`crate::text::doi::normalize`] accepted, and COinS text
//! is scrubbed to one line.

use std::sync::LazyLock;

use memchr::memmem;
use regex::Regex;

use crate::text::doi::{self, percent_decode, strip_prefix_ci, KeyIndex};
use crate::text::html;
use crate::text::scrub::scrub_line;

/// One identifier of a paper, in its canonical form (see [`PaperId::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaperId {
    /// A DOI as found (display form; its key is case-folded).
    Doi(String),
    /// `2401.12345` or `hep-th/9901001`, without a version.
    Arxiv(String),
    /// Digits, no leading zero.
    Pmid(String),
    /// `PMC` and digits.
    Pmcid(String),
}

impl PaperId {
    /// The canonical key: `doi:10.1111/hsc.12135`, `arxiv:2401.12345`,
    /// `arxiv:hep-th/9901001`, `pmid:23193287`, `pmcid:PMC3531190`.
    pub fn key(&self) -> String {
        match self {
            PaperId::Doi(d) => doi_key(d),
            PaperId::Arxiv(a) => format!("arxiv:{a}"),
            PaperId::Pmid(n) => format!("pmid:{n}"),
            PaperId::Pmcid(p) => format!("pmcid:{p}"),
        }
    }

    /// Which id names a paper when it has several: a publisher DOI, then arXiv, PubMed, PMC.
    /// An arXiv DOI always comes with its arXiv id, which names the paper instead.
    fn rank(&self) -> u8 {
        match self {
            PaperId::Doi(d) if arxiv_of_doi(d).is_some() => 4,
            PaperId::Doi(_) => 0,
            PaperId::Arxiv(_) => 1,
            PaperId::Pmid(_) => 2,
            PaperId::Pmcid(_) => 3,
        }
    }
}

/// [`PaperId::key`] of a DOI.
fn doi_key(d: &str) -> String {
    if d.is_ascii() {
        // Every DOI the finders accept in practice: no Unicode case mapping needed, and the
        // bytes are lowered in place in one pass rather than pushed one by one.
        let mut k = String::with_capacity(4 + d.len());
        k.push_str("doi:");
        k.push_str(d);
        k.make_ascii_lowercase();
        k
    } else {
        format!("doi:{}", doi::key(d))
    }
}

/// The citation a COinS span carries, for showing a paper before (or without) resolving it.
/// Every field is scrubbed to one line; empty fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoinsCitation {
    /// `rft.atitle`: the article's title.
    pub title: Option<String>,
    /// `rft.jtitle`: the journal's.
    pub journal: Option<String>,
    /// `rft.date`, as written (`2014`, `2014-12-01`).
    pub date: Option<String>,
    /// Every `rft.au`; when there is none, `rft.aulast` (with `rft.aufirst` after a comma).
    pub authors: Vec<String>,
    /// `rft.volume`.
    pub volume: Option<String>,
    /// `rft.spage`: the first page.
    pub start_page: Option<String>,
}

impl CoinsCitation {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One paper a post cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPaper {
    /// The key of its best id (see [`PaperId::key`] and the order there).
    pub key: String,
    /// Every id found for it, in order of sighting, each once.
    pub ids: Vec<PaperId>,
    /// The first COinS citation seen for it.
    pub coins: Option<CoinsCitation>,
}

/// Every paper cited by a post: its HTML body and `links` (the entry's own link, guid and
/// identifier values: URLs, `doi:…`, `arXiv:…`, `PMID: …`).
///
/// One row per paper: ids known to be the same (a COinS span's ids, an arXiv DOI and its arXiv
/// id) are merged, and a paper seen again under any of its ids is not repeated. Order is first
/// sighting, in this sequence: `links`, the HTML's link targets, its text (by position), its
/// COinS spans.
pub fn find_papers(html: &str, links: &[&str]) -> Vec<FoundPaper> {
    find_papers_stored(html, links, &[])
}

/// A post's HTML with what the parser has already computed from it, so nothing is done twice.
#[derive(Debug, Clone, Copy)]
pub struct Lexed<'a> {
    pub html: &'a str,
    /// [`html::text_and_hrefs`] of `html`: its text…
    pub text: &'a str,
    /// …and its link targets.
    pub hrefs: &'a [String],
    /// [`doi::find_in_text`] of `text`.
    pub text_dois: &'a [String],
    /// [`doi::from_url`] of each of `hrefs`, when the caller has it (the parser needs them for
    /// the DOI list); empty when not, and they are worked out here.
    pub href_dois: &'a [Option<String>],
}

/// [`find_papers`] for a caller that has already lexed the HTML and found its DOIs (the parser
/// does both for the DOI list): saves the second lexing pass and the second DOI search, most
/// of the finder's cost.
pub fn find_papers_in(body: &Lexed, links: &[&str]) -> Vec<FoundPaper> {
    let mut papers = Papers::default();
    add_entry_ids(&mut papers, links);
    add_body(&mut papers, body);
    papers.into_vec()
}

/// [`find_papers`] for a post stored before papers were found (the cache's re-scan): `dois`,
/// the DOIs the cache kept for it (from its text, links and metadata, summary included), come
/// last, so one the finder does not see again is still its paper.
pub fn find_papers_stored(html: &str, links: &[&str], dois: &[&str]) -> Vec<FoundPaper> {
    let marks = Marks::of(html);
    let (text, hrefs) = if marks.any() {
        html::text_and_hrefs(html)
    } else {
        (String::new(), Vec::new())
    };
    let text_dois = if marks.doi {
        doi::find_in_text(&text)
    } else {
        Vec::new()
    };
    let mut papers = Papers::default();
    add_entry_ids(&mut papers, links);
    add_body(
        &mut papers,
        &Lexed {
            html,
            text: &text,
            hrefs: &hrefs,
            text_dois: &text_dois,
            href_dois: &[],
        },
    );
    for d in dois.iter().filter_map(|d| doi::normalize(d)) {
        papers.add(doi_ids(d), None);
    }
    papers.into_vec()
}

/// The papers in a post's body: its link targets, its text (by position), its COinS spans.
fn add_body(papers: &mut Papers, body: &Lexed) {
    let Lexed {
        html,
        text,
        hrefs,
        text_dois,
        href_dois,
    } = *body;
    let marks = Marks::of(html);
    if !marks.any() {
        return;
    }
    // The text and the link targets come from the HTML, so its marks stand for theirs (an
    // identifier spelled with entities, `ar&#88;iv`, is not looked for).
    for (i, href) in hrefs.iter().enumerate() {
        let ids = match href_dois.get(i) {
            Some(Some(d)) => {
                papers.add_doi(d);
                continue;
            }
            Some(None) => other_link_ids(href, marks),
            None => link_ids(href, marks),
        };
        if let Some(ids) = ids {
            papers.add(ids, None);
        }
    }
    let mut hits = labelled_in_text(text, marks);
    if hits.is_empty() {
        // DOIs alone (most posts): their order is the finder's, no positions needed.
        for d in text_dois {
            papers.add_doi(d);
        }
    } else if marks.doi {
        // The DOI finder gives no positions, but its DOIs come in order and are substrings of
        // the text (save percent-decoded ones, placed after the one before): one forward search.
        let mut cursor = 0;
        for d in text_dois {
            if let Some(i) = text.get(cursor..).and_then(|t| t.find(d.as_str())) {
                cursor += i;
            }
            hits.push((cursor, doi_ids(d.clone())));
        }
    }
    hits.sort_by_key(|h| h.0);
    for (_, ids) in hits {
        papers.add(ids, None);
    }
    if marks.coins {
        for title in coins_titles(html) {
            let (ids, cite) = parse_coins(&title);
            papers.add(ids, (!cite.is_empty()).then_some(cite));
        }
    }
}

/// The ids of the entry's own link, guid and metadata values. An entry that is a database's
/// record of a paper (its guid `oai:arXiv.org:…` or `pubmed:…`: arXiv listings, PubMed
/// searches) is that paper, so its ids are one paper when they name one (at most one id of each
/// kind: a journal TOC's correction names two DOIs, two papers).
fn add_entry_ids(papers: &mut Papers, links: &[&str]) {
    let mut record = false;
    let mut seen: Vec<Vec<PaperId>> = Vec::with_capacity(links.len());
    for link in links {
        if let Some((ids, is_record)) = scheme_ids(link) {
            record |= is_record;
            seen.push(ids);
            continue;
        }
        let marks = Marks::of(link);
        if let Some(ids) = link_ids(link, marks) {
            seen.push(ids);
        } else if let Some(d) = marks.doi.then(|| doi::from_meta(link)).flatten() {
            seen.push(doi_ids(d));
        } else {
            seen.extend(
                labelled_in_text(link, marks)
                    .into_iter()
                    .map(|(_, ids)| ids),
            );
        }
    }
    if record && one_paper(&seen) {
        papers.add(seen.into_iter().flatten().collect(), None);
    } else {
        for ids in seen {
            papers.add(ids, None);
        }
    }
}

/// Whether these sightings name at most one id of each kind (an arXiv DOI counts as its arXiv
/// id, which comes with it).
fn one_paper(seen: &[Vec<PaperId>]) -> bool {
    let mut first: [Option<&PaperId>; 4] = [None; 4];
    for id in seen.iter().flatten() {
        let kind = match id {
            PaperId::Doi(d) if arxiv_of_doi(d).is_some() => continue,
            PaperId::Doi(_) => 0,
            PaperId::Arxiv(_) => 1,
            PaperId::Pmid(_) => 2,
            PaperId::Pmcid(_) => 3,
        };
        match first[kind] {
            Some(f) if !same_id(f, id) => return false,
            Some(_) => {}
            None => first[kind] = Some(id),
        }
    }
    true
}

/// The same id, DOIs compared case-insensitively.
fn same_id(a: &PaperId, b: &PaperId) -> bool {
    match (a, b) {
        (PaperId::Doi(x), PaperId::Doi(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

/// A metadata value that is one id in a scheme's notation, and whether it names a database
/// record (a guid): `pmid:N` (PubMed's `dc:identifier`), `pubmed:N` (its guid), `pmcid:PMCN`,
/// `arXiv:ID`, `oai:arXiv.org:ID` (arXiv's guid), `info:pmid/…`, `info:arxiv/…`, `info:doi/…`.
/// `None` for anything else (URLs, `doi:…`, text), which the other finders read.
fn scheme_ids(v: &str) -> Option<(Vec<PaperId>, bool)> {
    let v = v.trim();
    let (scheme, rest) = v.split_once(':')?;
    let rest = rest.trim();
    let is = |name: &str| scheme.eq_ignore_ascii_case(name);
    let (id, record) = if is("pmid") || is("pubmed") {
        (PaperId::Pmid(pmid_of(rest)?), is("pubmed"))
    } else if is("pmcid") || is("pmc") {
        let digits = strip_prefix_ci(rest, "PMC")?;
        let ok = (1..=9).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit());
        if !ok {
            return None;
        }
        (PaperId::Pmcid(format!("PMC{digits}")), false)
    } else if is("arxiv") {
        (PaperId::Arxiv(whole_arxiv(rest)?), false)
    } else if is("oai") {
        let id = strip_prefix_ci(rest, "arxiv.org:")?;
        (PaperId::Arxiv(whole_arxiv(id)?), true)
    } else if is("info") {
        let ids = coins_id(v);
        return (!ids.is_empty()).then_some((ids, false));
    } else {
        return None;
    };
    Some((vec![id], record))
}

/// An arXiv id that is the whole of `s` (a version at most after it).
fn whole_arxiv(s: &str) -> Option<String> {
    let id = arxiv_at(s)?;
    let tail = s.get(id.len()..)?.as_bytes();
    let versioned =
        tail.first() == Some(&b'v') && tail.len() > 1 && tail[1..].iter().all(u8::is_ascii_digit);
    (tail.is_empty() || versioned).then_some(id)
}

/// A PMID: one to nine digits, no leading zero.
fn pmid_of(n: &str) -> Option<String> {
    let ok =
        (1..=9).contains(&n.len()) && !n.starts_with('0') && n.bytes().all(|c| c.is_ascii_digit());
    ok.then(|| n.to_string())
}

/// Which identifier families a string may hold, by cheap byte searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Marks {
    doi: bool,
    /// arXiv, bioRxiv, medRxiv (and arXiv DOIs, which the DOI finder reports).
    rxiv: bool,
    ncbi: bool,
    coins: bool,
}

/// `10.` and `ncbi`, the markers searched for as strings; built once (building a searcher costs
/// more than a search). Every absent marker is a pass over the whole post, so there are few.
static MARKERS: LazyLock<[memmem::Finder<'static>; 2]> =
    LazyLock::new(|| ["10.", "ncbi"].map(memmem::Finder::new));

impl Marks {
    /// `10.`; `xiv` `Xiv` (arXiv, bioRxiv, medRxiv as written; all-caps `ARXIV` is not looked
    /// for); `ncbi` `PM` (PubMed links, `PMID`, `PMC`); `Z3988`. The rare bytes `x`, `X`, `Z`
    /// and `P` are found with `memchr` and their neighbours checked.
    fn of(s: &str) -> Self {
        let b = s.as_bytes();
        if b.len() <= Self::SHORT {
            return Self::of_short(b);
        }
        let (mut rxiv, mut coins) = (false, false);
        for i in memchr::memchr3_iter(b'x', b'X', b'Z', b) {
            let rest = &b[i..];
            rxiv |= rest.starts_with(b"xiv") || rest.starts_with(b"Xiv");
            coins |= rest.starts_with(b"Z3988");
            if rxiv && coins {
                break;
            }
        }
        let pm = memchr::memchr_iter(b'P', b).any(|i| b.get(i + 1) == Some(&b'M'));
        let has = |i: usize| MARKERS.get(i).is_some_and(|f| f.find(b).is_some());
        Marks {
            doi: has(0),
            rxiv,
            ncbi: pm || has(1),
            coins,
        }
    }

    /// Up to this length a string is read in one plain pass: the link, guid and identifiers
    /// of every entry are this short, and each of the four searches above costs more to set up
    /// than such a pass.
    const SHORT: usize = 64;

    /// [`Marks::of`] by one pass over the bytes.
    fn of_short(b: &[u8]) -> Self {
        let mut m = Marks {
            doi: false,
            rxiv: false,
            ncbi: false,
            coins: false,
        };
        for (i, &c) in b.iter().enumerate() {
            let rest = &b[i..];
            match c {
                b'1' => m.doi |= rest.starts_with(b"10."),
                b'x' | b'X' => m.rxiv |= rest[1..].starts_with(b"iv"),
                b'n' => m.ncbi |= rest.starts_with(b"ncbi"),
                b'P' => m.ncbi |= rest.get(1) == Some(&b'M'),
                b'Z' => m.coins |= rest.starts_with(b"Z3988"),
                _ => {}
            }
        }
        m
    }

    fn any(self) -> bool {
        self.doi || self.rxiv || self.ncbi || self.coins
    }
}

/// `arXiv:` labels (and `oai:arXiv.org:`, arXiv's own guids) and arXiv URLs.
static ARXIV_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\barxiv(?:\.org)?\s?:\s?|\barxiv\.org/(?:abs|pdf|html)/")
        .expect("constant pattern")
});

/// An old arXiv id written bare (`hep-th/9901001`): the archive names make it unambiguous,
/// unlike a bare new id, which looks like any decimal.
static ARXIV_OLD_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:{})(?:\.[a-z]{{2}})?/[0-9]{{7}}",
        OLD_ARCHIVES.join("|")
    ))
    .expect("constant pattern")
});

/// bioRxiv and medRxiv content URLs: the DOI follows `content/`, or its suffix follows the
/// older `cgi/content/short/` (still in their TOC feeds' links).
static RXIV_CONTENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:bio|med)rxiv\.org/(?:content/(10\.1101/[^\s?#]+)|cgi/content/(?:short|abstract|full)/([0-9][^\s?#/]*))",
    )
    .expect("constant pattern")
});

/// The preprint DOI a [`RXIV_CONTENT`] match names, and where it starts.
fn rxiv_doi(c: &regex::Captures<'_>) -> Option<(usize, Vec<PaperId>)> {
    let (at, d) = match (c.get(1), c.get(2)) {
        (Some(g), _) => (g.start(), doi::normalize(g.as_str())?),
        (None, Some(g)) => (
            g.start(),
            doi::normalize(&format!("10.1101/{}", g.as_str()))?,
        ),
        (None, None) => return None,
    };
    Some((at, doi_ids(d)))
}

/// PubMed URLs and the `PMID` label; the number follows.
static PUBMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?i)\bpubmed\.ncbi\.nlm\.nih\.gov/|\bncbi\.nlm\.nih\.gov/pubmed/)([1-9][0-9]{0,8})\b|\bPMID:?\s*([1-9][0-9]{0,8})\b",
    )
    .expect("constant pattern")
});

/// A PMCID in text.
static PMC_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bPMC[0-9]{4,9}\b").expect("constant pattern"));

/// A PMCID in a PMC article link.
static PMC_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:pmc\.ncbi\.nlm\.nih\.gov/articles/|ncbi\.nlm\.nih\.gov/pmc/articles/)(PMC[0-9]{1,9})\b",
    )
    .expect("constant pattern")
});

/// The ids of the paper a link target points at, if it points at one.
fn link_ids(url: &str, marks: Marks) -> Option<Vec<PaperId>> {
    if marks.doi {
        if let Some(d) = doi::from_url(url) {
            return Some(doi_ids(d));
        }
    }
    other_link_ids(url, marks)
}

/// [`link_ids`] for a link target known not to be a DOI URL.
fn other_link_ids(url: &str, marks: Marks) -> Option<Vec<PaperId>> {
    if marks.rxiv {
        if let Some(id) = ARXIV_MARK
            .find_iter(url)
            .filter(|m| m.as_str().ends_with('/'))
            .find_map(|m| arxiv_at(&url[m.end()..]))
        {
            return Some(vec![PaperId::Arxiv(id)]);
        }
        if let Some((_, ids)) = RXIV_CONTENT.captures(url).and_then(|c| rxiv_doi(&c)) {
            return Some(ids);
        }
    }
    if marks.ncbi {
        if let Some(c) = PUBMED.captures(url) {
            if let Some(n) = c.get(1) {
                return Some(vec![PaperId::Pmid(n.as_str().to_string())]);
            }
        }
        if let Some(g) = PMC_LINK.captures(url).and_then(|c| c.get(1)) {
            return Some(vec![PaperId::Pmcid(pmcid(g.as_str()))]);
        }
    }
    None
}

/// The non-DOI ids in text, with their byte positions: labelled or linked arXiv ids, bioRxiv
/// URLs, PubMed URLs and labels, PMCIDs. (DOIs come from [`doi::find_in_text`].)
fn labelled_in_text(text: &str, marks: Marks) -> Vec<(usize, Vec<PaperId>)> {
    let mut hits = Vec::new();
    if marks.rxiv {
        for m in ARXIV_MARK.find_iter(text) {
            if let Some(id) = arxiv_at(&text[m.end()..]) {
                hits.push((m.start(), vec![PaperId::Arxiv(id)]));
            }
        }
        hits.extend(
            RXIV_CONTENT
                .captures_iter(text)
                .filter_map(|c| rxiv_doi(&c)),
        );
    }
    // Bare old ids only in posts that name arXiv somewhere: they have no marker of their own.
    if marks.rxiv {
        for m in ARXIV_OLD_BARE.find_iter(text) {
            // Not part of a path or a longer name (`example.com/math/0309136`, `xmath/…`);
            // labelled and linked ones the arXiv pass above has.
            let before = text[..m.start()].chars().next_back();
            if before
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '-' | '_' | ':'))
            {
                continue;
            }
            if let Some(id) = arxiv_at(&text[m.start()..]) {
                hits.push((m.start(), vec![PaperId::Arxiv(id)]));
            }
        }
    }
    if marks.ncbi {
        for c in PUBMED.captures_iter(text) {
            if let Some(n) = c.get(1).or_else(|| c.get(2)) {
                hits.push((n.start(), vec![PaperId::Pmid(n.as_str().to_string())]));
            }
        }
        for m in PMC_TEXT.find_iter(text) {
            hits.push((m.start(), vec![PaperId::Pmcid(m.as_str().to_string())]));
        }
    }
    hits
}

/// `PMC` in upper case and the digits, however the link wrote it.
fn pmcid(s: &str) -> String {
    format!("PMC{}", s.get(3..).unwrap_or(""))
}

/// A found DOI's ids: bioRxiv/medRxiv versions dropped, and an arXiv DOI with its arXiv id.
fn doi_ids(found: String) -> Vec<PaperId> {
    let d = preprint_doi(&found).unwrap_or(found);
    match arxiv_of_doi(&d) {
        Some(a) => vec![PaperId::Doi(d), PaperId::Arxiv(a)],
        None => vec![PaperId::Doi(d)],
    }
}

/// The arXiv id an arXiv DOI (`10.48550/arXiv.2401.12345`) names.
fn arxiv_of_doi(d: &str) -> Option<String> {
    let rest = strip_prefix_ci(d, "10.48550/arxiv.")?;
    let id = arxiv_at(rest)?;
    // The whole suffix must be the id (a version at most).
    (rest.len() <= id.len() || rest.as_bytes().get(id.len()) == Some(&b'v')).then_some(id)
}

/// A bioRxiv/medRxiv DOI (`10.1101/2020.01.01.123456` or the older `10.1101/123456`) without
/// the version and page tails its URLs carry (`v2`, `.full.pdf`). `None` for other DOIs,
/// including Cold Spring Harbor's journals, which share the prefix.
fn preprint_doi(d: &str) -> Option<String> {
    let rest = strip_prefix_ci(d, "10.1101/")?;
    let b = rest.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let dated = digits(0..4)
        && b.get(4) == Some(&b'.')
        && digits(5..7)
        && b.get(7) == Some(&b'.')
        && digits(8..10)
        && b.get(10) == Some(&b'.')
        && digits(11..17);
    let core = if dated {
        17
    } else if digits(0..6) {
        6
    } else {
        return None;
    };
    // After the id: nothing, a version or a page tail; anything else is some other suffix.
    let tail = &b[core..];
    let ok = match tail.first() {
        None | Some(b'.' | b'/') => true,
        Some(b'v') => tail.get(1).is_some_and(u8::is_ascii_digit),
        Some(_) => false,
    };
    ok.then(|| format!("10.1101/{}", &rest[..core]))
}

/// Old arXiv archives (identifiers before April 2007).
const OLD_ARCHIVES: [&str; 34] = [
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex",
    "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th",
    "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
];

/// The arXiv id at the start of `s`, canonical and without its version: a new id whose `YYMM`
/// is a real month from 0704 (four digits after the dot to 1412, five from 1501), or an old
/// `archive(.SC)/YYMMNNN` from 9108 to 0703. Nothing alphanumeric may follow it.
fn arxiv_at(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (id, end) = if let (Some(yymm), Some(b'.')) = (num(0..4), b.get(4)) {
        let n = b[5..].iter().take_while(|c| c.is_ascii_digit()).count();
        let month_ok = (1..=12).contains(&(yymm % 100)) && yymm >= 704;
        let len_ok = (n == 4 && yymm <= 1412) || (n == 5 && yymm >= 1501);
        if !(month_ok && len_ok) {
            return None;
        }
        (s[..5 + n].to_string(), 5 + n)
    } else {
        // Archive names are short: look no further, so a hostile run of labels stays linear.
        let slash = b.iter().take(16).position(|&c| c == b'/')?;
        let (archive, class) = match s[..slash].split_once('.') {
            Some((a, c)) => (a, Some(c)),
            None => (&s[..slash], None),
        };
        let archive = archive.to_ascii_lowercase();
        if !OLD_ARCHIVES.contains(&archive.as_str()) {
            return None;
        }
        let class = match class {
            Some(c) if c.len() == 2 && c.bytes().all(|x| x.is_ascii_alphabetic()) => {
                format!(".{}", c.to_ascii_uppercase())
            }
            Some(_) => return None,
            None => String::new(),
        };
        let start = slash + 1;
        let yymm = num(start..start + 4)?;
        num(start + 4..start + 7)?;
        let (yy, mm) = (yymm / 100, yymm % 100);
        let month_ok = (1..=12).contains(&mm)
            && ((yy >= 92) || (yy == 91 && mm >= 8) || yy <= 6 || (yy == 7 && mm <= 3));
        if !month_ok {
            return None;
        }
        let end = start + 7;
        (format!("{archive}{class}/{}", &s[start..end]), end)
    };
    // An optional version, then nothing that would make the id part of a longer token.
    let mut rest = &b[end..];
    if rest.first() == Some(&b'v') && rest.get(1).is_some_and(u8::is_ascii_digit) {
        rest = &rest[1..];
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        rest = &rest[n..];
    }
    match rest.first() {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => None,
        // `1501.00001.5` is a longer number, not an id at the end of a sentence.
        Some(b'.') if rest.get(1).is_some_and(u8::is_ascii_digit) => None,
        _ => Some(id),
    }
}

/// The decoded `title` of every COinS span (an element whose class list holds `Z3988`), in
/// document order.
fn coins_titles(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut done, mut last) = (0, 0);
    for pos in memmem::find_iter(html.as_bytes(), b"Z3988") {
        if pos < done {
            continue;
        }
        // A tag opened before the previous hit was parsed then (or was no tag): look back only
        // to it, so a run of hits stays linear.
        let floor = std::mem::replace(&mut last, pos);
        let Some(start) = html[floor..pos].rfind('<').map(|i| floor + i) else {
            continue;
        };
        // `Z3988` in text, not inside a tag.
        if html[start..pos].contains('>') {
            continue;
        }
        let (attrs, end) = tag_attributes(&html[start..]);
        done = start + end;
        let is_coins = attrs.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("class") && v.split_ascii_whitespace().any(|c| c == "Z3988")
        });
        if let Some((_, title)) = attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case("title")) {
            if is_coins {
                out.push(html::decode_entities(title));
            }
        }
    }
    out
}

/// The attributes (name, raw value) of the tag that `tag` starts with (`<name …>`), and the
/// byte length up to and including its `>` (or the whole input when it is not closed).
fn tag_attributes(tag: &str) -> (Vec<(&str, &str)>, usize) {
    let b = tag.as_bytes();
    let mut attrs = Vec::new();
    let mut i = 1;
    // The element name.
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
        i += 1;
    }
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &tag[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            attrs.push((name, ""));
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let v_start = i + 1;
                let len = tag[v_start..]
                    .find(char::from(q))
                    .unwrap_or(tag.len() - v_start);
                i = (v_start + len + 1).min(b.len());
                &tag[v_start..v_start + len]
            }
            _ => {
                let v_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &tag[v_start..i]
            }
        };
        attrs.push((name, value));
    }
}

/// The ids and the citation in a COinS ContextObject (`key=value&…`, already entity-decoded).
fn parse_coins(kev: &str) -> (Vec<PaperId>, CoinsCitation) {
    let mut ids = Vec::new();
    let mut cite = CoinsCitation::default();
    let (mut aulast, mut aufirst) = (None, None);
    for pair in kev.split('&') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        // Form encoding: `+` is a space, then percent escapes.
        let v = percent_decode(&v.replace('+', " "));
        let field = || Some(scrub_line(v.trim())).filter(|s| !s.is_empty());
        match k.trim() {
            "rft_id" => ids.extend(coins_id(v.trim())),
            "rft.atitle" => cite.title = cite.title.take().or_else(field),
            "rft.jtitle" => cite.journal = cite.journal.take().or_else(field),
            "rft.date" => cite.date = cite.date.take().or_else(field),
            "rft.au" => cite.authors.extend(field()),
            "rft.aulast" => aulast = aulast.or_else(field),
            "rft.aufirst" => aufirst = aufirst.or_else(field),
            "rft.volume" => cite.volume = cite.volume.take().or_else(field),
            "rft.spage" => cite.start_page = cite.start_page.take().or_else(field),
            _ => {}
        }
    }
    if cite.authors.is_empty() {
        if let Some(last) = aulast {
            cite.authors.push(match aufirst {
                Some(first) => format!("{last}, {first}"),
                None => last,
            });
        }
    }
    (ids, cite)
}

/// The ids in one COinS `rft_id`: `info:doi/…`, `info:pmid/…`, `info:arxiv/…`, the broken
/// `info:/10.…` some generators wrote, or a URL.
fn coins_id(v: &str) -> Vec<PaperId> {
    if let Some(n) = strip_prefix_ci(v, "info:pmid/") {
        return pmid_of(n.trim()).map(PaperId::Pmid).into_iter().collect();
    }
    if let Some(a) = strip_prefix_ci(v, "info:arxiv/") {
        let a = strip_prefix_ci(a, "arxiv:").unwrap_or(a);
        return arxiv_at(a).map(PaperId::Arxiv).into_iter().collect();
    }
    if let Some(d) = strip_prefix_ci(v, "info:/") {
        return doi::normalize(d).map(doi_ids).unwrap_or_default();
    }
    if let Some(d) = doi::from_meta(v) {
        return doi_ids(d);
    }
    link_ids(v, Marks::of(v)).unwrap_or_default()
}

/// [`PaperId::rank`] of the id a key names.
fn key_rank(key: &str) -> u8 {
    match key.split_once(':') {
        Some(("doi", d)) if arxiv_of_doi(d).is_some() => 4,
        Some(("doi", _)) => 0,
        Some(("arxiv", _)) => 1,
        Some(("pmid", _)) => 2,
        Some(("pmcid", _)) => 3,
        _ => u8::MAX,
    }
}

/// Papers in order of first sighting, each once, merged when a sighting joins two.
#[derive(Default)]
struct Papers {
    rows: Vec<FoundPaper>,
    index: KeyIndex,
}

impl Papers {
    /// One sighting: ids known to name the same paper, and perhaps its COinS citation.
    fn add(&mut self, mut ids: Vec<PaperId>, coins: Option<CoinsCitation>) {
        if ids.len() == 1 {
            // Most sightings: one id, often seen before (a DOI linked and written out).
            if let Some(id) = ids.pop() {
                self.add_one(id, coins);
            }
            return;
        }
        if ids.is_empty() {
            return;
        }
        let keyed: Vec<(String, PaperId)> = ids.into_iter().map(|id| (id.key(), id)).collect();
        let mut hits: Vec<usize> = keyed
            .iter()
            .filter_map(|(k, _)| self.index.get(k))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        let target = match hits.first() {
            Some(&t) => t,
            None => {
                self.rows.push(FoundPaper {
                    key: String::new(),
                    ids: Vec::new(),
                    coins: None,
                });
                self.rows.len() - 1
            }
        };
        // Later rows this sighting shows to be the same paper fold into the first; they stay
        // behind empty (dropped at the end) so no index shifts.
        for &other in hits.iter().skip(1) {
            let row = std::mem::replace(
                &mut self.rows[other],
                FoundPaper {
                    key: String::new(),
                    ids: Vec::new(),
                    coins: None,
                },
            );
            let t = &mut self.rows[target];
            if key_rank(&row.key) < key_rank(&t.key) {
                t.key = row.key;
            }
            for id in row.ids {
                self.index.insert(id.key(), target);
                t.ids.push(id);
            }
            if self.rows[target].coins.is_none() {
                self.rows[target].coins = row.coins;
            }
        }
        let row = &mut self.rows[target];
        for (k, id) in keyed {
            // Every key is in one row at most: present means it is in this row by now.
            if self.index.get(&k).is_none() {
                if row.key.is_empty() || id.rank() < key_rank(&row.key) {
                    row.key.clone_from(&k);
                }
                self.index.insert(k, target);
                row.ids.push(id);
            }
        }
        if row.coins.is_none() {
            row.coins = coins;
        }
    }

    /// [`Papers::add`] for a DOI the DOI finder found (most sightings, and most of them a DOI
    /// seen again, linked and written out): looked up by its key first, so that a repeat costs
    /// no copy of the DOI.
    fn add_doi(&mut self, d: &str) {
        if preprint_doi(d).is_some() || arxiv_of_doi(d).is_some() {
            // A preprint's version goes, an arXiv DOI brings its arXiv id: the general way.
            self.add(doi_ids(d.to_string()), None);
            return;
        }
        let key = doi_key(d);
        if self.index.get(&key).is_some() {
            return;
        }
        self.index.insert(key.clone(), self.rows.len());
        self.rows.push(FoundPaper {
            key,
            ids: vec![PaperId::Doi(d.to_string())],
            coins: None,
        });
    }

    /// [`Papers::add`] for one id.
    fn add_one(&mut self, id: PaperId, coins: Option<CoinsCitation>) {
        let key = id.key();
        if let Some(r) = self.index.get(&key) {
            if let Some(row) = self.rows.get_mut(r) {
                if row.coins.is_none() {
                    row.coins = coins;
                }
            }
            return;
        }
        self.index.insert(key.clone(), self.rows.len());
        self.rows.push(FoundPaper {
            key,
            ids: vec![id],
            coins,
        });
    }

    fn into_vec(self) -> Vec<FoundPaper> {
        // Rows emptied by a merge are the exception.
        if self.rows.iter().all(|r| !r.ids.is_empty()) {
            return self.rows;
        }
        self.rows
            .into_iter()
            .filter(|r| !r.ids.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of the papers in `html`.
    fn keys(html: &str) -> Vec<String> {
        find_papers(html, &[]).into_iter().map(|p| p.key).collect()
    }

    fn one(html: &str) -> FoundPaper {
        let v = find_papers(html, &[]);
        assert_eq!(v.len(), 1, "{html}: {v:?}");
        v.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn arxiv_new_ids_labelled_in_text() {
        assert_eq!(keys("see arXiv:2401.12345 for"), ["arxiv:2401.12345"]);
        assert_eq!(keys("(arXiv: 2401.12345v3)."), ["arxiv:2401.12345"]);
        assert_eq!(keys("ArXiv:0704.0001"), ["arxiv:0704.0001"]);
        assert_eq!(
            keys("arXiv:1412.9999, arXiv:1501.00001"),
            ["arxiv:1412.9999", "arxiv:1501.00001"]
        );
    }

    #[test]
    fn arxiv_old_ids() {
        assert_eq!(keys("arXiv:hep-th/9901001v2"), ["arxiv:hep-th/9901001"]);
        assert_eq!(keys("arXiv:math.gt/0309136"), ["arxiv:math.GT/0309136"]);
        assert_eq!(
            keys(r#"<a href="https://arxiv.org/abs/math.GT/0309136">P</a>"#),
            ["arxiv:math.GT/0309136"]
        );
    }

    #[test]
    fn arxiv_old_ids_bare_in_text() {
        assert_eq!(
            keys("on arXiv, as in hep-th/9901001 and (math.GT/0309136v2)."),
            ["arxiv:hep-th/9901001", "arxiv:math.GT/0309136"]
        );
        // The cost budget: a post that never names arXiv is not searched for them.
        assert!(keys("as in hep-th/9901001").is_empty());
        // Other sites' paths, longer names, no real month, not seven digits.
        for s in [
            "example.com/math/0309136",
            "https://example.com/hep-th/9901001",
            "xmath/0309136",
            "hep-th/9913001",
            "hep-th/99010012",
            "cs/0701001x",
        ] {
            let s = &format!("arXiv {s}");
            assert!(keys(s).is_empty(), "{s}: {:?}", keys(s));
        }
    }

    #[test]
    fn arxiv_urls_abs_pdf_html() {
        for u in [
            "https://arxiv.org/abs/2401.12345",
            "http://arxiv.org/abs/2401.12345v2",
            "https://arxiv.org/pdf/2401.12345v2.pdf",
            "https://arxiv.org/pdf/2401.12345",
            "https://arxiv.org/html/2401.12345v1",
            "https://export.arxiv.org/abs/2401.12345?context=cs",
        ] {
            assert_eq!(
                keys(&format!(r#"<a href="{u}">paper</a>"#)),
                ["arxiv:2401.12345"],
                "{u}"
            );
            // Written out in the text too.
            assert_eq!(
                keys(&format!("<p>at {u}.</p>")),
                ["arxiv:2401.12345"],
                "{u}"
            );
        }
    }

    #[test]
    fn arxiv_doi_is_the_arxiv_paper() {
        let p = one("doi:10.48550/arXiv.2401.12345 and arXiv:2401.12345v2");
        assert_eq!(p.key, "arxiv:2401.12345");
        assert_eq!(
            p.ids,
            [
                PaperId::Doi("10.48550/arXiv.2401.12345".into()),
                PaperId::Arxiv("2401.12345".into())
            ]
        );
        let p = one(r#"<a href="https://doi.org/10.48550/arXiv.hep-th/9901001">x</a>"#);
        assert_eq!(p.key, "arxiv:hep-th/9901001");
    }

    #[test]
    fn pubmed_links_and_label() {
        for h in [
            r#"<a href="https://pubmed.ncbi.nlm.nih.gov/23193287/">x</a>"#,
            r#"<a href="http://www.ncbi.nlm.nih.gov/pubmed/23193287">x</a>"#,
            "PMID: 23193287",
            "PMID:23193287.",
            "(PMID 23193287)",
            "see www.ncbi.nlm.nih.gov/pubmed/23193287 here",
        ] {
            assert_eq!(keys(h), ["pmid:23193287"], "{h}");
        }
    }

    #[test]
    fn pmc_links_and_text() {
        for h in [
            r#"<a href="https://pmc.ncbi.nlm.nih.gov/articles/PMC3531190/">x</a>"#,
            r#"<a href="http://www.ncbi.nlm.nih.gov/pmc/articles/PMC3531190">x</a>"#,
            "Free text: PMC3531190.",
            "PMCID: PMC3531190",
        ] {
            assert_eq!(keys(h), ["pmcid:PMC3531190"], "{h}");
        }
    }

    #[test]
    fn biorxiv_and_medrxiv_content_urls_are_dois_without_version() {
        for h in [
            r#"<a href="https://www.biorxiv.org/content/10.1101/2020.01.01.123456v2">x</a>"#,
            r#"<a href="https://www.biorxiv.org/content/10.1101/2020.01.01.123456v2.full.pdf">x</a>"#,
            r#"<a href="https://www.medrxiv.org/content/10.1101/2020.01.01.123456v1.full">x</a>"#,
            "preprint: https://www.biorxiv.org/content/10.1101/2020.01.01.123456v2",
            "doi: 10.1101/2020.01.01.123456",
        ] {
            assert_eq!(keys(h), ["doi:10.1101/2020.01.01.123456"], "{h}");
        }
        assert_eq!(
            keys(r#"<a href="https://www.biorxiv.org/content/10.1101/123456v1">x</a>"#),
            ["doi:10.1101/123456"]
        );
        // TOC feeds' older links carry the DOI's suffix only.
        for u in [
            "http://biorxiv.org/cgi/content/short/2020.01.01.123456v2?rss=1",
            "https://www.medrxiv.org/cgi/content/abstract/2020.01.01.123456v1",
        ] {
            assert_eq!(
                keys(&format!(r#"<a href="{u}">x</a>"#)),
                ["doi:10.1101/2020.01.01.123456"],
                "{u}"
            );
        }
        assert!(keys(r#"<a href="http://biorxiv.org/cgi/content/short/about">x</a>"#).is_empty());
        // Cold Spring Harbor's journals share the prefix; their DOIs stay as they are.
        assert_eq!(
            keys("doi:10.1101/gr.123456.111"),
            ["doi:10.1101/gr.123456.111"]
        );
    }

    #[test]
    fn plain_dois_come_from_the_doi_finder() {
        assert_eq!(
            keys(r#"<a href="https://doi.org/10.1111/HSC.12135">x</a> and doi:10.1111/hsc.12135"#),
            ["doi:10.1111/hsc.12135"]
        );
    }

    const COINS: &str = "ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal\
        &rft.jtitle=Health+%26+Social+Care+in+the+Community&rft_id=info%3Adoi%2F10.1111%2Fhsc.12135\
        &rft_id=info%3Apmid%2F25175925&rfr_id=info%3Asid%2Fresearchblogging.org\
        &rft.atitle=The+Connecting+People+Intervention&rft.issn=0966-0410&rft.date=2014\
        &rft.volume=22&rft.issue=6&rft.spage=638&rft.epage=648&rft.artnum=\
        &rft.au=Webber+M&rft.au=Reidy+H";

    fn coins_span(class: &str, amp: &str) -> String {
        format!(
            r#"<p>Text.</p><span class="{class}" title="{}">Webber M (2014)</span>"#,
            COINS.replace('&', amp)
        )
    }

    #[test]
    fn coins_span_with_amp_entities() {
        let p = one(&coins_span("Z3988", "&amp;"));
        assert_eq!(p.key, "doi:10.1111/hsc.12135");
        assert_eq!(
            p.ids,
            [
                PaperId::Doi("10.1111/hsc.12135".into()),
                PaperId::Pmid("25175925".into())
            ]
        );
        assert_eq!(
            p.coins,
            Some(CoinsCitation {
                title: Some("The Connecting People Intervention".into()),
                journal: Some("Health & Social Care in the Community".into()),
                date: Some("2014".into()),
                authors: vec!["Webber M".into(), "Reidy H".into()],
                volume: Some("22".into()),
                start_page: Some("638".into()),
            })
        );
    }

    #[test]
    fn coins_variants_all_read_the_same() {
        let want = one(&coins_span("Z3988", "&amp;"));
        for (class, amp) in [
            ("Z3988", "&#038;"),
            ("Z3988", "&#38;"),
            ("Z3988", "&"),
            ("citation Z3988 rb", "&amp;"),
            ("\tZ3988\n", "&#038;"),
        ] {
            assert_eq!(one(&coins_span(class, amp)), want, "{class:?} {amp}");
        }
        // Single-quoted title, other attributes first.
        let h = format!(
            "<span id=c1 class='x Z3988' title='{}'></span>",
            COINS.replace('&', "&amp;")
        );
        assert_eq!(one(&h), want);
    }

    #[test]
    fn coins_broken_info_doi_arxiv_and_aulast() {
        let p = one(
            r#"<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft_id=info:/10.1038/nature12373&amp;rft.aulast=Smith&amp;rft.aufirst=J"></span>"#,
        );
        assert_eq!(p.key, "doi:10.1038/nature12373");
        assert_eq!(
            p.coins.map(|c| c.authors),
            Some(vec!["Smith, J".to_string()])
        );
        let p = one(
            r#"<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft_id=info%3Aarxiv%2F1501.00001v2&amp;rft_id=info:pmid/123"></span>"#,
        );
        assert_eq!(p.key, "arxiv:1501.00001");
        assert_eq!(
            p.ids,
            [
                PaperId::Arxiv("1501.00001".into()),
                PaperId::Pmid("123".into())
            ]
        );
        // No metadata: no citation record.
        assert_eq!(p.coins, None);
    }

    #[test]
    fn coins_not_a_span_class() {
        // Z3988 in text or in another attribute is no COinS span.
        assert!(keys(r#"<p>Z3988 title="rft_id=info:pmid/123"</p>"#).is_empty());
        assert!(keys(r#"<span class="Z39880" title="rft_id=info:pmid/123"></span>"#).is_empty());
        assert!(keys(r#"<span data-x="Z3988" title="rft_id=info:pmid/123"></span>"#).is_empty());
    }

    #[test]
    fn one_paper_one_row_across_forms() {
        let html = format!(
            r#"<p>Webber et al. <a href="https://doi.org/10.1111/hsc.12135">paper</a>
               (PMID: 25175925), see also arXiv:2401.12345 and PMC3531190.</p>{}"#,
            coins_span("Z3988", "&amp;")
        );
        let v = find_papers(&html, &[]);
        let k: Vec<_> = v.iter().map(|p| p.key.as_str()).collect();
        // The COinS span says the DOI and the PMID are one paper: the two rows become one.
        assert_eq!(
            k,
            [
                "doi:10.1111/hsc.12135",
                "arxiv:2401.12345",
                "pmcid:PMC3531190"
            ]
        );
        assert_eq!(v[0].ids.len(), 2);
        assert!(v[0].coins.is_some());
    }

    #[test]
    fn entry_links_come_first_and_take_labels() {
        let v = find_papers(
            "<p>About arXiv:2401.12345.</p>",
            &[
                "http://arxiv.org/abs/2401.54321v1",
                "oai:arXiv.org:2401.12345",
                "doi:10.1000/abc",
                "https://example.com/post",
            ],
        );
        let k: Vec<_> = v.iter().map(|p| p.key.as_str()).collect();
        // arXiv listing feeds' guids are `oai:arXiv.org:ID`.
        assert_eq!(
            k,
            ["arxiv:2401.54321", "arxiv:2401.12345", "doi:10.1000/abc"]
        );
        let v = find_papers("", &["arXiv:2401.12345", "PMID: 42"]);
        let k: Vec<_> = v.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(k, ["arxiv:2401.12345", "pmid:42"]);
    }

    /// The keys of the papers in `html` found the parser's way: with its DOIs worked out before
    /// (see `feeds::parse::entry::build_entry`).
    fn keys_as_parsed(html: &str) -> Vec<String> {
        let (text, hrefs) = html::text_and_hrefs(html);
        let text_dois = doi::find_in_text(&text);
        let href_dois: Vec<_> = hrefs.iter().map(|h| doi::from_url(h)).collect();
        let body = Lexed {
            html,
            text: &text,
            hrefs: &hrefs,
            text_dois: &text_dois,
            href_dois: &href_dois,
        };
        find_papers_in(&body, &[])
            .into_iter()
            .map(|p| p.key)
            .collect()
    }

    #[test]
    fn parsed_preprint_and_arxiv_dois_are_their_papers() {
        let html = r#"<p><a href="https://doi.org/10.1101/2020.01.01.123456v2">A preprint</a>, also
            10.1101/2020.01.01.123456v3, and doi:10.48550/arXiv.2401.12345v1 and 10.1000/X.</p>"#;
        let want = [
            "doi:10.1101/2020.01.01.123456",
            "arxiv:2401.12345",
            "doi:10.1000/x",
        ];
        assert_eq!(keys_as_parsed(html), want);
        assert_eq!(keys(html), want);
    }

    /// The keys of the papers an entry's metadata (link, guid, identifiers) names.
    fn link_keys(links: &[&str]) -> Vec<String> {
        find_papers("", links).into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn feed_metadata_forms() {
        for (value, key) in [
            // PubMed search RSS: guid, dc:identifier, link.
            ("pubmed:23193287", "pmid:23193287"),
            ("pmid:23193287", "pmid:23193287"),
            (" PMID: 23193287 ", "pmid:23193287"),
            (
                "https://pubmed.ncbi.nlm.nih.gov/23193287/?utm_source=Other&utm_medium=rss",
                "pmid:23193287",
            ),
            ("pmcid:PMC3531190", "pmcid:PMC3531190"),
            ("pmc:pmc3531190", "pmcid:PMC3531190"),
            // arXiv listings: guid, link, label; versions dropped.
            ("oai:arXiv.org:2401.12345v1", "arxiv:2401.12345"),
            ("oai:arXiv.org:hep-th/9901001v2", "arxiv:hep-th/9901001"),
            ("arXiv:2401.12345v3", "arxiv:2401.12345"),
            ("https://arxiv.org/abs/2401.12345", "arxiv:2401.12345"),
            // bioRxiv TOC: dc:identifier and `?rss=1` links.
            (
                "doi:10.1101/2024.01.02.123456",
                "doi:10.1101/2024.01.02.123456",
            ),
            (
                "https://www.biorxiv.org/content/10.1101/2024.01.02.123456v1?rss=1",
                "doi:10.1101/2024.01.02.123456",
            ),
            // OpenURL ids as identifiers.
            ("info:pmid/23193287", "pmid:23193287"),
            ("info:arxiv/2401.12345", "arxiv:2401.12345"),
            ("info:doi/10.1111/hsc.12135", "doi:10.1111/hsc.12135"),
            // A bare DOI (`prism:doi`, arXiv's `arxiv:DOI`).
            (
                "10.1103/PhysRevD.99.084011",
                "doi:10.1103/physrevd.99.084011",
            ),
        ] {
            assert_eq!(link_keys(&[value]), [key], "{value}");
        }
    }

    #[test]
    fn feed_metadata_false_positives() {
        for value in [
            "pmid:0123",
            "pmid:1234567890",
            "pubmed:abc",
            "pubmed:",
            "pmc:123x",
            "pmcid:PMC",
            "oai:example.org:2401.12345",
            "oai:arXiv.org:1234.5678",
            "arxiv:2401.12345abc",
            "ISSN:0000-0000",
            "PII:S0000-0000(21)00412-3",
            "tag:blog.example.org,2014:post-23193287",
            "urn:uuid:2401.12345",
            "info:pmid/0",
        ] {
            assert!(
                link_keys(&[value]).is_empty(),
                "{value}: {:?}",
                link_keys(&[value])
            );
        }
    }

    #[test]
    fn a_database_record_entry_is_one_paper() {
        // PubMed: identifiers, link and guid of one record.
        let v = find_papers(
            "<p>Abstract.</p>",
            &[
                "pmid:23193287",
                "doi:10.1093/nar/gks1195",
                "https://pubmed.ncbi.nlm.nih.gov/23193287/?utm_source=rss",
                "pubmed:23193287",
            ],
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].key, "doi:10.1093/nar/gks1195");
        assert_eq!(
            v[0].ids,
            [
                PaperId::Pmid("23193287".into()),
                PaperId::Doi("10.1093/nar/gks1195".into())
            ]
        );
        // arXiv: the published version's DOI (`arxiv:DOI`), link and guid.
        let v = find_papers(
            "",
            &[
                "10.1103/PhysRevD.99.084011",
                "https://arxiv.org/abs/2401.12345",
                "oai:arXiv.org:2401.12345v2",
            ],
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].key, "doi:10.1103/physrevd.99.084011");
        // Not a record (a journal's correction names two works), or a record naming two
        // papers of a kind: each id its own paper.
        for links in [
            &["info:doi/10.5555/a.1", "https://doi.org/10.5555/a.2"][..],
            &["info:doi/10.5555/a.1", "doi:10.5555/a.2", "pubmed:5"][..],
            &["pmid:5", "https://doi.org/10.5555/a.1"][..],
        ] {
            let v = find_papers("", links);
            assert_eq!(v.len(), links.len(), "{links:?}: {v:?}");
        }
    }

    #[test]
    fn no_false_papers() {
        for s in [
            // Decimals and bare ids in prose, dates, versions.
            "The ratio was 1234.5678 and 2401.12345 in prose.",
            "Released 2014.12.01, version v2.1, build 1501.00001",
            "on 2014-12-01 at 10:30, 12/01/2014",
            // Labelled, but no real month from 0704, or the wrong digit count.
            "arXiv:0703.1234 arXiv:1413.1234 arXiv:1500.12345 arXiv:1200.1234",
            "arXiv:1412.12345 arXiv:1501.1234 arXiv:2401.123456 arXiv:2401.1234x",
            "arXiv:foo-th/9901001 arXiv:hep-th/9113001 arXiv:hep-th/0801001 arXiv:hep-th/990100",
            "arXiv: v2.1",
            // Phone numbers, bare numbers, an ISBN.
            "Call +44 20 7946 0958 or (555) 123-4567; 23193287 readers",
            "ISBN 978-3-16-148410-0, ISBN-10 0-306-40615-2",
            // PMID without a number, PMC without digits, a lowercase label.
            "PMID: n/a, PMID:, PMC, PMC12, pmid 23193287",
            "PMID: 0123",
            // Bare new ids with a real month, in a post that names arXiv: still decimals.
            "On arXiv the figure was 0704.0001 and 1501.00001.",
            // Version strings, an IP address, pi, a DOI-like decimal.
            "v1.2.3, 192.168.1.1, 3.14159, 10.5 mg",
            // PubMed's words without an id, other sites' query strings.
            "PubMed search: 23193287 hits; https://example.org/?pmid=23193287",
            // Other sites' /abs/ and /pubmed/ paths.
            r#"<a href="https://example.org/abs/2401.12345">x</a>"#,
            r#"<a href="https://example.org/pubmed/123">x</a>"#,
            r#"<a href="https://example.org/articles/PMC3531190">x</a>"#,
            "",
        ] {
            assert!(keys(s).is_empty(), "{s}: {:?}", keys(s));
        }
    }

    #[test]
    fn arxiv_at_bounds() {
        assert_eq!(arxiv_at("0704.0001"), Some("0704.0001".into()));
        assert_eq!(arxiv_at("0704.0001v12."), Some("0704.0001".into()));
        assert_eq!(arxiv_at("1501.00001.5"), None);
        // A new id needs five digits from 1501.
        assert_eq!(arxiv_at("9108.1234"), None);
        assert_eq!(arxiv_at("hep-th/9108001x"), None);
        assert_eq!(
            arxiv_at("alg-geom/9108001"),
            Some("alg-geom/9108001".into())
        );
        assert_eq!(arxiv_at("alg-geom/9107001"), None);
        assert_eq!(
            arxiv_at("quant-ph/0703001"),
            Some("quant-ph/0703001".into())
        );
        assert_eq!(arxiv_at("math/9108001"), Some("math/9108001".into()));
        assert_eq!(arxiv_at("é"), None);
        assert_eq!(arxiv_at("/"), None);
    }

    #[test]
    fn hostile_inputs_do_not_panic_and_stay_linear() {
        // Each of these is quadratic for a finder that looks back or forward from every hit;
        // at this size that would take minutes, so a slow finder shows here as a hang.
        let n = 40_000;
        let coins_chain: String = (1..2_000)
            .map(|i| {
                format!(
                    r#"<span class="Z3988" title="rft_id=info:pmid/{i}&amp;rft_id=info:pmid/{}"></span>"#,
                    i + 1
                )
            })
            .collect();
        for s in [
            "arXiv:".repeat(n),
            "arXiv:1501.".repeat(n),
            format!("<a>{}", "Z3988 ".repeat(n)),
            format!(
                r#"<span class="Z3988" title="{}"#,
                "rft_id=info:pmid/1&amp;".repeat(n)
            ),
            "doi:10.1000/x ".repeat(n / 4),
            "PMID: 1 PMC12345 ".repeat(n / 4),
            "<span class=Z3988 title=".to_string(),
            "<span class=\"Z3988\" title=\"rft_id=info:/10.".to_string(),
            "arXiv:é/".to_string(),
        ] {
            let _ = find_papers(&s, &[&s]);
        }
        // A chain of COinS spans, each joining the previous paper to a new PMID: one paper.
        let v = find_papers(&coins_chain, &[]);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].ids.len(), 2_000);
        assert_eq!(v[0].key, "pmid:1");
    }

    #[test]
    fn a_later_sighting_joins_two_earlier_rows() {
        let v = find_papers(
            r#"PMID: 5, arXiv:2401.12345, PMC12345
               <span class="Z3988" title="rft_id=info:pmid/5&amp;rft_id=info:arxiv/2401.12345"></span>"#,
            &[],
        );
        let k: Vec<_> = v.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(k, ["arxiv:2401.12345", "pmcid:PMC12345"]);
        assert_eq!(
            v[0].ids,
            [
                PaperId::Pmid("5".into()),
                PaperId::Arxiv("2401.12345".into())
            ]
        );
    }

    /// Every key a paper can have.
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:doi:10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+|arxiv:(?:[0-9]{4}\.[0-9]{4,5}|[a-z-]+(?:\.[A-Z]{2})?/[0-9]{7})|pmid:[1-9][0-9]{0,8}|pmcid:PMC[0-9]{1,9})$",
        )
        .expect("constant pattern")
    });

    fn check_well_formed(v: &[FoundPaper]) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut seen = std::collections::HashSet::new();
        for p in v {
            proptest::prop_assert!(KEY.is_match(&p.key), "{}", p.key);
            proptest::prop_assert!(p.ids.iter().any(|id| id.key() == p.key));
            for id in &p.ids {
                proptest::prop_assert!(KEY.is_match(&id.key()), "{:?}", id);
                // No id in two rows.
                proptest::prop_assert!(seen.insert(id.key()), "{:?}", id);
            }
            if let Some(c) = &p.coins {
                for f in [&c.title, &c.journal, &c.date, &c.volume, &c.start_page]
                    .into_iter()
                    .flatten()
                {
                    proptest::prop_assert!(crate::text::scrub::is_clean(f));
                }
            }
        }
        Ok(())
    }

    /// [`Marks::of`] by its searches, whatever the length.
    fn marks_searched(s: &str) -> Marks {
        let long = format!("{s}{}", " ".repeat(Marks::SHORT + 1));
        Marks::of(&long)
    }

    #[test]
    fn short_strings_have_the_marks_the_searches_find() {
        for s in [
            "https://doi.org/10.1000/x",
            "arXiv:2401.12345",
            "oai:arXiv.org:2401.12345",
            "https://www.biorxiv.org/content/10.1101/1",
            "PMID: 5",
            "pmc:PMC1",
            "https://www.ncbi.nlm.nih.gov/pubmed/5",
            "Z3988",
            "Z398",
            "xi",
            "x",
            "10",
            "P",
            "ncb",
            "https://example.org/post/1/10",
            "",
        ] {
            assert_eq!(Marks::of(s), marks_searched(s), "{s}");
        }
    }

    proptest::proptest! {
        #[test]
        fn short_strings_marks_agree(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "10.", "1", "0", ".", "x", "X", "iv", "xiv", "n", "ncbi", "cbi", "P", "M", "PM",
                "Z", "3988", "Z3988", "é", " ", "/",
            ]), 0..12),
        ) {
            let s = parts.concat();
            proptest::prop_assert_eq!(Marks::of(&s), marks_searched(&s));
        }

        #[test]
        fn never_panics_and_keys_are_well_formed(s in proptest::prelude::any::<String>()) {
            check_well_formed(&find_papers(&s, &[&s]))?;
        }

        #[test]
        fn identifier_soup_keys_are_well_formed(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "arXiv:", "arxiv.org/abs/", "2401.12345", "v2", "hep-th/9901001", "PMID: ",
                "23193287", "PMC3531190", "pubmed.ncbi.nlm.nih.gov/", "10.48550/arXiv.",
                "10.1101/2020.01.01.123456", "biorxiv.org/content/", "<span class=\"Z3988\" title=\"",
                "rft_id=info:doi/10.1111/hsc.12135", "&amp;", "rft_id=info:pmid/1", "\">", "</span>",
                "rft.au=A+B", "rft.atitle=%1b[31m", " ", ".", "/", "<a href=\"", "doi:10.1000/x",
            ]), 0..24),
        ) {
            let s = parts.concat();
            check_well_formed(&find_papers(&s, &[&s]))?;
        }
    }
}
