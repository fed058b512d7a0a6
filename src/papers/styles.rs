//! Citation styles: CSL styles, bundled or from any `.csl` file, rendered by hayagriva's CSL
//! processor into one styled line per citation (italics where the style has them).
//!
//! The bundled styles are the CSL project's, from hayagriva's archive (CC-BY-SA 3.0), except
//! Vancouver: hayagriva's `vancouver` prints no authors, so paperboy ships its own
//! (`vancouver.csl`, written from the CSL specification).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{json, FontStyle, FontWeight, IndependentStyle, Locale, Style};
use hayagriva::citationberg::{LocaleCode, StyleClass};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, ElemMeta,
};

use crate::text::render::{Line, Span, TextStyle};
use crate::text::scrub::{is_forbidden, scrub_line};

/// The style the reader and `cite` use unless `[papers] style` says otherwise.
pub use crate::config::DEFAULT_CITATION_STYLE as DEFAULT_STYLE;

/// paperboy's own Vancouver style (hayagriva's drops the authors).
const VANCOUVER_CSL: &str = include_str!("vancouver.csl");

/// Where a bundled style comes from.
enum Source {
    /// A style in hayagriva's archive, by its name there.
    Archive(&'static str),
    /// A CSL file compiled into paperboy.
    Csl(&'static str),
}

/// The styles `paperboy styles` lists, by the name `--style` and `[papers] style` take. Each is
/// checked against the demo's citations (tests below).
const BUNDLED: &[(&str, Source)] = &[
    ("apa", Source::Archive("apa")),
    (
        "chicago-author-date",
        Source::Archive("chicago-author-date"),
    ),
    ("ieee", Source::Archive("ieee")),
    ("nature", Source::Archive("nature")),
    ("vancouver", Source::Csl(VANCOUVER_CSL)),
    (
        "harvard-cite-them-right",
        Source::Archive("harvard-cite-them-right"),
    ),
    ("mla", Source::Archive("mla")),
    ("the-lancet", Source::Archive("the-lancet")),
    (
        "american-medical-association",
        Source::Archive("american-medical-association"),
    ),
    ("bmj", Source::Archive("bmj")),
    (
        "springer-basic-author-date",
        Source::Archive("springer-basic-author-date"),
    ),
    (
        "american-chemical-society",
        Source::Archive("american-chemical-society"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    #[error(
        "unknown citation style `{0}`: `paperboy styles` lists the bundled ones; name a CSL \
         file by its path (ending in .csl)"
    )]
    Unknown(String),
    #[error("cannot read citation style {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is not a usable CSL style: {reason}")]
    Invalid { path: String, reason: String },
}

/// A CSL style ready to render citations.
#[derive(Debug, Clone)]
pub struct CitationStyle {
    name: String,
    title: String,
    csl: IndependentStyle,
    /// A dependent style's locale, which overrides its parent's.
    locale: Option<LocaleCode>,
}

/// The bundled styles' names, in the order `paperboy styles` lists them.
pub fn bundled_names() -> impl Iterator<Item = &'static str> {
    BUNDLED.iter().map(|(name, _)| *name)
}

fn default_arc() -> &'static Arc<CitationStyle> {
    static DEFAULT: OnceLock<Arc<CitationStyle>> = OnceLock::new();
    DEFAULT.get_or_init(|| match CitationStyle::bundled(DEFAULT_STYLE) {
        Ok(s) => Arc::new(s),
        // Compiled in and tested (`every_bundled_style_loads`): cannot fail at run time.
        Err(e) => unreachable!("bundled default style: {e}"),
    })
}

/// Every CSL locale hayagriva bundles, decoded once: styles take their terms from them.
fn locales() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(hayagriva::archive::locales)
}

impl CitationStyle {
    /// The default style (APA), parsed once.
    pub fn default_style() -> &'static CitationStyle {
        default_arc()
    }

    /// The default style, shared: for state that holds a style a setting may replace.
    pub fn shared_default() -> Arc<CitationStyle> {
        Arc::clone(default_arc())
    }

    /// A bundled style by name (`apa`, `vancouver`, …; see [`bundled_names`]).
    pub fn bundled(name: &str) -> Result<CitationStyle, StyleError> {
        let wanted = name.trim().to_ascii_lowercase();
        let Some((name, source)) = BUNDLED.iter().find(|(n, _)| *n == wanted) else {
            return Err(StyleError::Unknown(scrub_line(name)));
        };
        let style = match source {
            Source::Archive(id) => ArchivedStyle::by_name(id)
                .map(ArchivedStyle::get)
                .ok_or_else(|| StyleError::Unknown((*id).to_string()))?,
            Source::Csl(xml) => Style::from_xml(xml).map_err(|e| StyleError::Invalid {
                path: format!("bundled style {name}"),
                reason: scrub_line(&e.to_string()),
            })?,
        };
        Self::from_style(style, name, name)
    }

    /// Whether [`resolve`](Self::resolve) would give the default style for `spec`: the reader
    /// then leaves it to [`default_style`](Self::default_style), decoded once when first needed
    /// rather than before the first frame (a style takes about 2 ms to decode).
    pub fn names_default(spec: &str) -> bool {
        spec.trim().eq_ignore_ascii_case(DEFAULT_STYLE) && !Path::new(spec).is_file()
    }

    /// A style named as `--style` and `[papers] style` take it: a bundled name, or a path to a
    /// CSL file (anything ending in `.csl` or holding a path separator).
    pub fn resolve(spec: &str) -> Result<CitationStyle, StyleError> {
        let looks_like_path = spec.ends_with(".csl") || spec.contains(['/', '\\']);
        if looks_like_path || Path::new(spec).is_file() {
            Self::from_file(Path::new(spec))
        } else {
            Self::bundled(spec)
        }
    }

    /// Any CSL 1.0 style file: an independent style, or a dependent one whose parent is in
    /// hayagriva's archive.
    pub fn from_file(path: &Path) -> Result<CitationStyle, StyleError> {
        let shown = scrub_line(&path.display().to_string());
        let xml = std::fs::read_to_string(path).map_err(|e| StyleError::Read {
            path: shown.clone(),
            reason: scrub_line(&e.to_string()),
        })?;
        let style = Style::from_xml(&xml).map_err(|e| StyleError::Invalid {
            path: shown.clone(),
            reason: scrub_line(&e.to_string()),
        })?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        Self::from_style(style, &scrub_line(&name), &shown)
    }

    fn from_style(style: Style, name: &str, origin: &str) -> Result<CitationStyle, StyleError> {
        let invalid = |reason: String| StyleError::Invalid {
            path: origin.to_string(),
            reason,
        };
        let (csl, locale) = match style {
            Style::Independent(s) => (s, None),
            Style::Dependent(d) => {
                let parent = ArchivedStyle::by_id(&d.parent_link.href).map(ArchivedStyle::get);
                match parent {
                    Some(Style::Independent(p)) => (p, d.default_locale),
                    _ => {
                        return Err(invalid(format!(
                            "it is a dependent style whose parent ({}) is not bundled; give \
                             the parent style's .csl file instead",
                            scrub_line(&d.parent_link.href)
                        )))
                    }
                }
            }
        };
        if csl.settings.class == StyleClass::Note && csl.bibliography.is_none() {
            return Err(invalid(
                "a note style without a bibliography makes no reference line".into(),
            ));
        }
        let title = scrub_line(&csl.info.title.value);
        Ok(CitationStyle {
            name: name.to_string(),
            title,
            csl,
            locale,
        })
    }

    /// The name it was chosen by (`apa`, or a file's stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The style's own title, e.g. "American Psychological Association 7th edition".
    pub fn title(&self) -> &str {
        &self.title
    }

    /// One CSL-JSON item as this style's reference entry, on one line; the style's citation
    /// number (`[1]`, `1.`) is left out, since a line stands alone. Scrubbed: no controls.
    pub fn render(&self, item: &json::Item) -> Line {
        let locales = locales();
        let mut driver = BibliographyDriver::new();
        driver.citation(CitationRequest::new(
            vec![CitationItem::with_entry(item)],
            &self.csl,
            self.locale.clone(),
            locales,
            None,
        ));
        let rendered = driver.finish(BibliographyRequest::new(
            &self.csl,
            self.locale.clone(),
            locales,
        ));
        let children = match rendered
            .bibliography
            .and_then(|b| b.items.into_iter().next())
        {
            Some(entry) => entry.content,
            None => rendered
                .citations
                .into_iter()
                .next()
                .map(|c| c.citation)
                .unwrap_or(ElemChildren(Vec::new())),
        };
        let mut spans = Vec::new();
        collect(&children, &mut spans);
        tidy(spans)
    }
}

/// The text of `children` in order, each piece with its style; citation numbers dropped.
fn collect(children: &ElemChildren, out: &mut Vec<Span>) {
    for child in &children.0 {
        match child {
            ElemChild::Text(f) | ElemChild::Link { text: f, .. } => out.push(Span {
                text: f.text.clone(),
                style: TextStyle {
                    italic: f.formatting.font_style == FontStyle::Italic,
                    bold: f.formatting.font_weight == FontWeight::Bold,
                    ..TextStyle::default()
                },
            }),
            ElemChild::Markup(m) => out.push(Span {
                text: m.clone(),
                style: TextStyle::default(),
            }),
            ElemChild::Elem(e) if e.meta == Some(ElemMeta::CitationNumber) => {}
            ElemChild::Elem(e) => {
                // A block of its own (a `display` attribute) still reads as part of one line.
                if e.display.is_some() {
                    out.push(Span {
                        text: " ".into(),
                        style: TextStyle::default(),
                    });
                }
                collect(&e.children, out);
            }
            ElemChild::Transparent { .. } => {}
        }
    }
}

/// One clean line from spans: controls removed, whitespace runs made one space (across span
/// boundaries too), no space at either end, neighbours of one style merged.
fn tidy(spans: Vec<Span>) -> Line {
    let mut line = Line::default();
    // Start as if after a space, so that the line does not begin with one.
    let mut after_space = true;
    for span in spans {
        let mut text = String::with_capacity(span.text.len());
        for c in span.text.chars() {
            if c.is_whitespace() {
                if !after_space {
                    text.push(' ');
                    after_space = true;
                }
            } else if !is_forbidden(c) {
                text.push(c);
                after_space = false;
            }
        }
        if text.is_empty() {
            continue;
        }
        match line.spans.last_mut() {
            Some(last) if last.style == span.style => last.text.push_str(&text),
            _ => line.spans.push(Span {
                text,
                style: span.style,
            }),
        }
    }
    if let Some(last) = line.spans.last_mut() {
        let trimmed = last.text.trim_end().len();
        last.text.truncate(trimmed);
        if last.text.is_empty() {
            line.spans.pop();
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::papers::cite::{parse_csl_json, Citation};

    /// The demo's citation of `doi` (src/demo/citations.json).
    fn demo(doi: &str) -> Citation {
        let items: Vec<serde_json::Value> =
            serde_json::from_slice(crate::demo::CITATIONS_CSL_JSON).expect("demo JSON");
        let item = items
            .iter()
            .find(|i| i["DOI"] == doi)
            .expect("a demo citation");
        parse_csl_json(&item.to_string(), doi).expect("demo citation parses")
    }

    const WEBBER: &str = "10.1111/hsc.12135";
    /// Seven authors: styles that cut the list cut it here.
    const PRINCE: &str = "10.1016/S0140-6736(07)61238-0";
    const GRANOVETTER: &str = "10.1086/225469";

    /// The line with its styles marked: `_italic_`, `*bold*`.
    fn marked(style: &str, doi: &str) -> String {
        let style = CitationStyle::bundled(style).expect("bundled style");
        let line = demo(doi).styled_line(&style);
        line.spans
            .iter()
            .map(|s| match (s.style.italic, s.style.bold) {
                (true, _) => format!("_{}_", s.text),
                (false, true) => format!("*{}*", s.text),
                _ => s.text.clone(),
            })
            .collect()
    }

    /// The style's line for `doi`, after checking how it starts.
    fn assert_starts(style: &str, doi: &str, prefix: &str) -> String {
        let l = marked(style, doi);
        assert!(
            l.starts_with(prefix),
            "{style}:\n{l}\nshould start\n{prefix}"
        );
        l
    }

    fn assert_has(line: &str, parts: &[&str]) {
        for p in parts {
            assert!(line.contains(p), "{p:?} missing from\n{line}");
        }
    }

    #[test]
    fn the_default_style_is_named_by_its_name_alone() {
        for spec in ["apa", " APA ", "Apa"] {
            assert!(CitationStyle::names_default(spec), "{spec}");
        }
        for spec in ["vancouver", "apa.csl", "./apa", "styles/apa", ""] {
            assert!(!CitationStyle::names_default(spec), "{spec}");
        }
    }

    #[test]
    fn every_bundled_style_loads_with_its_title() {
        let names: Vec<&str> = bundled_names().collect();
        assert!(names.len() >= 10, "{names:?}");
        for name in names {
            let s = CitationStyle::bundled(name).expect("loads");
            assert_eq!(s.name(), name);
            assert!(!s.title().is_empty(), "{name}");
        }
        assert_eq!(CitationStyle::default_style().name(), "apa");
    }

    #[test]
    fn apa() {
        let l = assert_starts(
            "apa",
            WEBBER,
            "Webber, M., Reidy, H., Ansari, D., Stevens, M., & Morris, D. (2014). \
                 Enhancing social networks: a qualitative study of health and social care \
                 practice in UK mental health services. _Health & Social Care in the \
                 Community_, _24_(1), 152–161.",
        );
        assert!(l.ends_with(" https://doi.org/10.1111/hsc.12135"), "{l}");
        // Up to 20 authors are all named.
        assert_has(
            &marked("apa", PRINCE),
            &["Phillips, M. R., & Rahman, A. (2007)."],
        );
    }

    #[test]
    fn chicago_author_date() {
        assert_starts(
            "chicago-author-date",
            WEBBER,
            "Webber, Martin, Hannah Reidy, David Ansari, Martin Stevens, and David Morris. \
                 2014. “Enhancing Social Networks: A Qualitative Study of Health and Social \
                 Care Practice in UK Mental Health Services.” _Health & Social Care in the \
                 Community_ 24 (1): 152–61.",
        );
        assert_has(
            &marked("chicago-author-date", GRANOVETTER),
            &["Granovetter, Mark S. 1973. “The Strength of Weak Ties.”"],
        );
    }

    #[test]
    fn ieee() {
        assert_starts(
            "ieee",
            WEBBER,
            "M. Webber, H. Reidy, D. Ansari, M. Stevens, and D. Morris, “Enhancing social \
                 networks: a qualitative study of health and social care practice in UK mental \
                 health services,” _Health & Social Care in the Community_, vol. 24, no. 1, \
                 pp. 152–161, 2014, doi: 10.1111/hsc.12135.",
        );
        assert!(marked("ieee", PRINCE).starts_with("M. Prince _et al._, “No health"));
    }

    #[test]
    fn nature() {
        assert_starts(
            "nature",
            WEBBER,
            "Webber, M., Reidy, H., Ansari, D., Stevens, M. & Morris, D. Enhancing social \
                 networks: a qualitative study of health and social care practice in UK mental \
                 health services. _Health & Social Care in the Community_ *24,* 152–161 (2014).",
        );
        assert!(marked("nature", PRINCE).starts_with("Prince, M. _et al._ No health"));
    }

    #[test]
    fn vancouver_names_the_authors() {
        let l = marked("vancouver", WEBBER);
        assert_eq!(
            l,
            "Webber M, Reidy H, Ansari D, Stevens M, Morris D. Enhancing social networks: a \
             qualitative study of health and social care practice in UK mental health \
             services. Health & Social Care in the Community. 2014;24(1):152-61. \
             doi:10.1111/hsc.12135"
        );
        // Six authors, then "et al."; initials without stops.
        assert!(marked("vancouver", PRINCE).starts_with(
            "Prince M, Patel V, Saxena S, Maj M, Maselko J, Phillips MR, et al. No health \
             without mental health. The Lancet. 2007;370(9590):859-77."
        ));
        assert!(marked("vancouver", GRANOVETTER).starts_with("Granovetter MS. The strength"));
    }

    /// hayagriva's own `vancouver` (NLM citation-sequence) prints no authors: the reason
    /// paperboy ships its own. When this fails, hayagriva has fixed it.
    #[test]
    fn hayagrivas_vancouver_drops_the_authors() {
        let theirs = ArchivedStyle::by_name("vancouver").map(ArchivedStyle::get);
        let style = CitationStyle::from_style(theirs.expect("archived"), "nlm", "nlm")
            .expect("independent");
        let line = demo(WEBBER).line_in(&style);
        assert!(line.starts_with("Enhancing social networks"), "{line}");
        assert!(!line.contains("Webber"), "{line}");
    }

    #[test]
    fn harvard_cite_them_right() {
        assert_starts(
            "harvard-cite-them-right",
            WEBBER,
            "Webber, M. _et al._ (2014) “Enhancing social networks: a qualitative study of \
                 health and social care practice in UK mental health services,” _Health & \
                 Social Care in the Community_, 24(1), pp. 152–161.",
        );
        assert!(marked("harvard-cite-them-right", GRANOVETTER)
            .starts_with("Granovetter, M.S. (1973) “The strength of weak ties,”"));
    }

    #[test]
    fn mla() {
        assert_starts(
            "mla",
            WEBBER,
            "Webber, Martin, et al. “Enhancing Social Networks: A Qualitative Study of \
                 Health and Social Care Practice in UK Mental Health Services.” _Health & \
                 Social Care in the Community_, vol. 24, no. 1, 2014, pp. 152–61,",
        );
    }

    #[test]
    fn the_lancet() {
        assert_starts(
            "the-lancet",
            WEBBER,
            "Webber M, Reidy H, Ansari D, Stevens M, Morris D. Enhancing social networks: a \
                 qualitative study of health and social care practice in UK mental health \
                 services. _Health & Social Care in the Community_ 2014; *24*: 152–61.",
        );
        assert!(marked("the-lancet", PRINCE).starts_with("Prince M, Patel V, Saxena S, _et al_."));
    }

    #[test]
    fn american_medical_association() {
        assert_starts(
            "american-medical-association",
            WEBBER,
            "Webber M, Reidy H, Ansari D, Stevens M, Morris D. Enhancing social networks: a \
                 qualitative study of health and social care practice in UK mental health \
                 services. _Health & Social Care in the Community_. 2014;24(1):152-161.",
        );
        assert!(marked("american-medical-association", PRINCE)
            .starts_with("Prince M, Patel V, Saxena S, et al. No health"));
    }

    #[test]
    fn bmj() {
        assert_starts(
            "bmj",
            WEBBER,
            "Webber M, Reidy H, Ansari D, _et al_. Enhancing social networks: a qualitative \
                 study of health and social care practice in UK mental health services. \
                 _Health & Social Care in the Community_. 2014;24:152–61.",
        );
    }

    #[test]
    fn springer_basic_author_date() {
        assert_starts(
            "springer-basic-author-date",
            WEBBER,
            "Webber M, Reidy H, Ansari D, et al (2014) Enhancing social networks: a \
                 qualitative study of health and social care practice in UK mental health \
                 services. Health & Social Care in the Community 24:152–161.",
        );
    }

    #[test]
    fn american_chemical_society() {
        assert_starts(
            "american-chemical-society",
            WEBBER,
            "Webber, M.; Reidy, H.; Ansari, D.; Stevens, M.; Morris, D. Enhancing Social \
                 Networks: A Qualitative Study of Health and Social Care Practice in UK Mental \
                 Health Services. _Health & Social Care in the Community_ *2014*, _24_ (1), \
                 152–161.",
        );
    }

    fn file_with(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("style.csl");
        std::fs::write(&path, text).expect("write");
        (dir, path)
    }

    fn one_line_error(spec: &str) -> String {
        let e = CitationStyle::resolve(spec).expect_err("a bad style");
        let msg = e.to_string();
        assert!(!msg.contains('\n'), "{msg}");
        msg
    }

    #[test]
    fn names_and_paths_resolve() {
        assert_eq!(CitationStyle::resolve("APA ").expect("apa").name(), "apa");
        let msg = one_line_error("nonesuch");
        assert!(
            msg.starts_with("unknown citation style `nonesuch`"),
            "{msg}"
        );
        let msg = one_line_error("/no/such/dir/x.csl");
        assert!(
            msg.starts_with("cannot read citation style /no/such/dir/x.csl: "),
            "{msg}"
        );
    }

    #[test]
    fn a_bad_style_file_is_a_one_line_error_naming_it() {
        for (text, why) in [
            ("not xml at all", "plain text"),
            (
                "<style xmlns=\"http://purl.org/net/xbiblio/csl\">\n<info>",
                "cut short",
            ),
            ("<html><body>a page</body></html>", "another XML document"),
        ] {
            let (_dir, path) = file_with(text);
            let msg = one_line_error(path.to_str().expect("utf-8 path"));
            assert!(
                msg.starts_with(&format!("{} is not a usable CSL style: ", path.display())),
                "{why}: {msg}"
            );
        }
    }

    const DEPENDENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-GB">
  <info>
    <title>Some Journal</title>
    <id>http://www.zotero.org/styles/some-journal</id>
    <link href="http://www.zotero.org/styles/some-journal" rel="self"/>
    <link href="PARENT" rel="independent-parent"/>
    <updated>2024-01-01T00:00:00+00:00</updated>
  </info>
</style>"#;

    #[test]
    fn a_dependent_style_uses_its_bundled_parent() {
        let xml = DEPENDENT.replace("PARENT", "http://www.zotero.org/styles/apa");
        let (_dir, path) = file_with(&xml);
        let style = CitationStyle::from_file(&path).expect("parent bundled");
        assert_eq!(style.name(), "style");
        assert!(demo(WEBBER)
            .line_in(&style)
            .starts_with("Webber, M., Reidy, H."));
        let xml = DEPENDENT.replace("PARENT", "http://www.zotero.org/styles/nonesuch");
        let (_dir, path) = file_with(&xml);
        let msg = one_line_error(path.to_str().expect("utf-8 path"));
        assert!(msg.contains("dependent style whose parent"), "{msg}");
        assert!(msg.contains("styles/nonesuch"), "{msg}");
    }

    #[test]
    fn text_a_style_file_adds_is_scrubbed() {
        // XML cannot carry C0 controls, but it can carry C1 ones and bidi overrides.
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Evil&#x202e;</title><id>urn:x</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <text variable="title" prefix="&#x9b;31m" suffix="&#x85;&#x2066;!"/>
  </layout></bibliography>
</style>"#;
        let (_dir, path) = file_with(xml);
        let style = CitationStyle::from_file(&path).expect("valid CSL");
        assert_eq!(style.title(), "Evil");
        let line = demo(WEBBER).line_in(&style);
        assert!(crate::text::scrub::is_clean(&line), "{line:?}");
        assert!(line.starts_with("31mEnhancing social networks"), "{line}");
    }
}
