//! Tolerant reading: the XML errors real feeds make (an unescaped `&` in a link or guid, an HTML
//! entity XML does not define, a stray `<` in text) repaired, so that one byte does not cost a
//! feed every post, and what was repaired said. Only run after a parse error: a well-formed
//! feed pays nothing. A document cut short stays an error (it is checked before and after).

use memchr::{memchr2, memmem};

use super::encoding::char_ref_at;
use super::raw::line_of;

/// What a repair changed: how many of each kind, and the line of the first.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Repairs {
    amp: Kind,
    entity: Kind,
    lt: Kind,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Kind {
    count: usize,
    /// Byte offset of the first (made a line number when reported).
    first: usize,
    /// An undefined entity's name, for the message.
    name: String,
}

impl Kind {
    fn note(&mut self, at: usize) {
        if self.count == 0 {
            self.first = at;
        }
        self.count += 1;
    }
}

impl Repairs {
    pub(super) fn is_empty(&self) -> bool {
        self.amp.count + self.entity.count + self.lt.count == 0
    }

    /// One line for the log and `feeds`: `repaired: 1 unescaped '&' (line 12)`.
    pub(super) fn describe(&self, doc: &[u8]) -> String {
        let mut parts = Vec::new();
        let at = |k: &Kind| {
            let line = line_of(doc, u64::try_from(k.first).unwrap_or(u64::MAX));
            if k.count == 1 {
                format!("line {line}")
            } else {
                format!("first at line {line}")
            }
        };
        if self.amp.count > 0 {
            parts.push(format!(
                "{} unescaped '&' ({})",
                self.amp.count,
                at(&self.amp)
            ));
        }
        if self.entity.count > 0 {
            let what = if self.entity.count == 1 {
                "entity"
            } else {
                "entities"
            };
            parts.push(format!(
                "{} undefined {what} such as &{}; ({})",
                self.entity.count,
                self.entity.name,
                at(&self.entity)
            ));
        }
        if self.lt.count > 0 {
            parts.push(format!(
                "{} unescaped '<' ({})",
                self.lt.count,
                at(&self.lt)
            ));
        }
        format!("repaired: {}", parts.join(", "))
    }
}

/// The document with every such error escaped, and what changed; `None` when nothing did.
pub(super) fn repair(doc: &[u8]) -> Option<(Vec<u8>, Repairs)> {
    let mut r = Repairer {
        doc,
        out: Vec::new(),
        copied: 0,
        repairs: Repairs::default(),
        declared: Vec::new(),
    };
    r.run();
    if r.repairs.is_empty() {
        return None;
    }
    r.out.extend_from_slice(&doc[r.copied..]);
    Some((r.out, r.repairs))
}

struct Repairer<'a> {
    doc: &'a [u8],
    out: Vec<u8>,
    /// Bytes of `doc` before this are in `out`.
    copied: usize,
    repairs: Repairs,
    /// Entities the document's own DTD declares: not errors.
    declared: Vec<&'a [u8]>,
}

impl<'a> Repairer<'a> {
    fn run(&mut self) {
        let doc = self.doc;
        let mut i = 0;
        while let Some(off) = memchr2(b'&', b'<', &doc[i..]) {
            let at = i + off;
            if doc[at] == b'&' {
                i = self.amp(at);
                continue;
            }
            let rest = &doc[at..];
            let skip_to = |end: &[u8]| memmem::find(rest, end).map(|e| at + e + end.len());
            let next = if rest.starts_with(b"<![CDATA[") {
                skip_to(b"]]>")
            } else if rest.starts_with(b"<!--") {
                skip_to(b"-->")
            } else if rest.starts_with(b"<?") {
                skip_to(b"?>")
            } else if rest.starts_with(b"<!") {
                self.doctype(at)
            } else if rest.get(1).is_some_and(|&b| b == b'/' || is_name_start(b)) {
                self.tag(at)
            } else {
                // `p < 0.05`: no tag starts so.
                self.replace(at, 1, b"&lt;");
                self.repairs.lt.note(at);
                Some(at + 1)
            };
            // Unclosed: the document ends inside it, which the parser reports as cut short.
            let Some(next) = next else { return };
            i = next;
        }
    }

    /// A start or end tag from its `<`: quoted attribute values get the text's repairs.
    fn tag(&mut self, at: usize) -> Option<usize> {
        let doc = self.doc;
        let mut i = at + 1;
        let mut quote = None;
        while i < doc.len() {
            let b = doc[i];
            match (quote, b) {
                (None, b'>') => return Some(i + 1),
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(q), _) if b == q => quote = None,
                (Some(_), b'&') => {
                    i = self.amp(i);
                    continue;
                }
                (Some(_), b'<') => {
                    self.replace(i, 1, b"&lt;");
                    self.repairs.lt.note(i);
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// `<!DOCTYPE …>` with its internal subset; the entities it declares are kept.
    fn doctype(&mut self, at: usize) -> Option<usize> {
        let doc = self.doc;
        let mut depth = 0usize;
        for (off, &b) in doc[at..].iter().enumerate() {
            match b {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'>' if depth == 0 => {
                    let decl = &doc[at..at + off];
                    let mut from = 0;
                    while let Some(e) = memmem::find(&decl[from..], b"<!ENTITY") {
                        let name_at = from + e + 8;
                        let name: &[u8] = decl[name_at..]
                            .split(|c| c.is_ascii_whitespace())
                            .find(|w| !w.is_empty() && *w != b"%")
                            .unwrap_or_default();
                        self.declared.push(name);
                        from = name_at;
                    }
                    return Some(at + off + 1);
                }
                _ => {}
            }
        }
        None
    }

    /// An `&`: a reference XML knows stays; an HTML entity becomes its characters; any other
    /// `&` is escaped. Returns where to go on.
    fn amp(&mut self, at: usize) -> usize {
        let rest = &self.doc[at + 1..];
        if let Some((_, len)) = char_ref_at(rest) {
            return at + 1 + len;
        }
        let name_len = match rest.first() {
            Some(&b) if is_name_start(b) => rest.iter().take_while(|&&b| is_name(b)).count(),
            _ => 0,
        };
        if name_len == 0 || rest.get(name_len) != Some(&b';') {
            self.replace(at, 1, b"&amp;");
            self.repairs.amp.note(at);
            return at + 1;
        }
        let name = &rest[..name_len];
        let end = at + 2 + name_len;
        if matches!(name, b"lt" | b"gt" | b"amp" | b"quot" | b"apos")
            || self.declared.contains(&name)
        {
            return end;
        }
        let chars = html_escape::NAMED_ENTITIES
            .binary_search_by(|(n, _)| (*n).cmp(name))
            .ok()
            .and_then(|k| html_escape::NAMED_ENTITIES.get(k))
            .map(|(_, s)| *s);
        let with = match chars {
            // As character references: `&LT;` must not become a markup `<`.
            Some(s) => s.chars().map(|c| format!("&#{};", u32::from(c))).collect(),
            // Unknown even to HTML: kept as the text it is.
            None => format!("&amp;{};", String::from_utf8_lossy(name)),
        };
        if self.repairs.entity.count == 0 {
            self.repairs.entity.name = String::from_utf8_lossy(name).into_owned();
        }
        self.repairs.entity.note(at);
        self.replace(at, end - at, with.as_bytes());
        end
    }

    fn replace(&mut self, at: usize, len: usize, with: &[u8]) {
        if self.out.is_empty() {
            self.out.reserve(self.doc.len() + 64);
        }
        self.out.extend_from_slice(&self.doc[self.copied..at]);
        self.out.extend_from_slice(with);
        self.copied = at + len;
    }
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

fn is_name(b: u8) -> bool {
    is_name_start(b) || b.is_ascii_digit() || matches!(b, b'-' | b'.')
}
