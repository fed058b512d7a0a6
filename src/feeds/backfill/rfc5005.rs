//! RFC 5005 (feed paging and archiving): an archived feed links to its previous archive
//! document (`prev-archive`), a paged feed to its next page (`rel="next"`); `fh:complete` marks
//! a feed whose one document is the whole history.

use super::resolve;
use crate::model::ParsedFeed;

/// The previous archive document, made absolute against `base` (the URL the document came from).
pub(super) fn prev_archive(base: &str, parsed: &ParsedFeed) -> Option<String> {
    link(base, parsed.paging.prev_archive.as_deref())
}

/// The next page of a paged feed (or a JSON Feed's `next_url`, which the parser reads into the
/// same link), made absolute against `base`.
pub(super) fn next(base: &str, parsed: &ParsedFeed) -> Option<String> {
    link(base, parsed.paging.next.as_deref())
}

fn link(base: &str, link: Option<&str>) -> Option<String> {
    link.map(|l| resolve(base, l))
}
