//! JSON Feed: older pages are linked by `next_url`, which the parser reads into the same link as
//! RFC 5005's `rel="next"` (followed by [`super::rfc5005::next`]); a JSON document is told from
//! XML by its first byte.

/// A JSON Feed's body starts with `{` (after a BOM and white space).
pub(crate) fn is_json(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies() {
        assert!(is_json(b"\xEF\xBB\xBF  {\"version\": 1}"));
        assert!(!is_json(b"<?xml version=\"1.0\"?><rss/>"));
    }
}
