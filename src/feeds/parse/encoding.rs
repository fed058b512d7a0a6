//! Bytes in any encoding a feed declares (or does not) to UTF-8.

use std::borrow::Cow;

use super::find;

pub(super) fn skip_bom_and_space(bytes: &[u8]) -> usize {
    let mut i = 0;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        i = 3;
    }
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The document as UTF-8 with a declaration that says so (or none).
///
/// ISO-8859-1 is read as Windows-1252, as browsers do, so that "smart quotes" in 0x80–0x9F
/// survive; bytes that are not valid UTF-8 in an undeclared document are read as Windows-1252.
pub(super) fn to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == encoding_rs::UTF_8 {
            return Cow::Owned(set_utf8_declaration(&utf8_or_1252(body)).into_bytes());
        }
        let (text, _) = enc.decode_without_bom_handling(body);
        return Cow::Owned(set_utf8_declaration(&text).into_bytes());
    }
    let declared = declared_encoding(bytes)
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    match declared {
        Some(enc)
            if enc != encoding_rs::UTF_8
                && enc != encoding_rs::UTF_16LE
                && enc != encoding_rs::UTF_16BE =>
        {
            let (text, _, _) = enc.decode(bytes);
            Cow::Owned(set_utf8_declaration(&text).into_bytes())
        }
        _ => match std::str::from_utf8(bytes) {
            Ok(_) => Cow::Borrowed(bytes),
            Err(_) => Cow::Owned(set_utf8_declaration(&utf8_or_1252(bytes)).into_bytes()),
        },
    }
}

/// UTF-8 where the bytes are valid UTF-8, Windows-1252 for every stray byte.
pub(super) fn utf8_or_1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1).min(bad.len());
                let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bad[..n]);
                out.push_str(&text);
                bytes = &bad[n..];
            }
        }
    }
}

/// The `encoding` of an XML declaration at the start of the document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let start = skip_bom_and_space(bytes);
    let head = &bytes[start..bytes.len().min(start + 512)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find(head, b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].trim().to_string())
}

/// Replaces the XML declaration's encoding with UTF-8 (the text has been transcoded).
fn set_utf8_declaration(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") {
        if let Some(end) = trimmed.find("?>") {
            let mut out = String::with_capacity(trimmed.len());
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            out.push_str(&trimmed[end + 2..]);
            return out;
        }
    }
    text.to_string()
}

/// Numeric character references to code points that are no characters (`&#0;`, `&#xD800;`,
/// beyond U+10FFFF) replaced with U+FFFD, so that the one character is lost and not the field
/// (XML parsers reject them). CDATA sections are left as they are: there `&#0;` is text.
pub(super) fn fix_char_refs(doc: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    // Most feeds hold no numeric reference at all: one fast search instead of a stop at every tag.
    if find(&doc, b"&#").is_none() {
        return doc;
    }
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = doc[i..].iter().position(|&b| b == b'&' || b == b'<') {
        let at = i + off;
        if doc[at] == b'<' {
            i = at + 1;
            if doc[at..].starts_with(b"<![CDATA[") {
                match find(&doc[at..], b"]]>") {
                    Some(end) => i = at + end + 3,
                    None => break,
                }
            }
            continue;
        }
        i = at + 1;
        let Some((code, len)) = char_ref_at(&doc[at + 1..]) else {
            continue;
        };
        if char::from_u32(code).is_none() || code == 0 {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(doc.len()));
            buf.extend_from_slice(&doc[copied..at]);
            buf.extend_from_slice(b"&#xFFFD;");
            copied = at + 1 + len;
            i = copied;
        }
    }
    match out {
        None => doc,
        Some(mut buf) => {
            buf.extend_from_slice(&doc[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// The numeric reference after an `&` (`#123;`, `#x1F;`): its value and its length with the
/// `;`. A value past 32 bits saturates, so it is no character either (and is replaced) rather
/// than no reference at all (which XML parsers reject, losing the field or the feed).
pub(super) fn char_ref_at(s: &[u8]) -> Option<(u32, usize)> {
    let rest = s.strip_prefix(b"#")?;
    let (radix, start) = match rest.first() {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits = s[start..]
        .iter()
        .take_while(|b| char::from(**b).is_digit(radix))
        .count();
    let end = start + digits;
    if digits == 0 || s.get(end) != Some(&b';') {
        return None;
    }
    let value = s[start..end].iter().fold(0u32, |v, b| {
        let d = char::from(*b).to_digit(radix).unwrap_or(0);
        v.saturating_mul(radix).saturating_add(d)
    });
    Some((value, end + 1))
}
