//! Search without FTS5's prefix cost. FTS5 answers `"capital"*` by reading and merging the
//! doclists of every term under the prefix before it returns a row, so even the first page of
//! newest matches costs a pass over every match. An OR of the whole terms under the prefix
//! (`"capital" OR "capitalism"`) streams newest first and stops at the page instead. The terms
//! are read from the index's own leaf pages (a few pages per segment, never a doclist); the
//! `fts5vocab` module would walk every doclist of the range to count it.
//!
//! Any case this does not handle (too many terms, an unknown index format, a word FTS5 splits
//! into no token) keeps the plain prefix query, so the results are the same either way.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension};

use super::query::{quote, search_words, ListQuery};
use super::{Result, Store};

/// The `tokenize` option of `entries_fts` (schema step 1): the last word is split and folded
/// by the same tokenizer, so its last token is the prefix as the index holds it.
pub(crate) const FTS_TOKENIZE: &str = "unicode61 remove_diacritics 2";

/// Past this many terms under the prefix, the OR would cost more than FTS5's own merge.
const MAX_TERMS: usize = 64;
/// Leaf pages read per search at most (each a few KiB); past it the prefix query is kept.
const MAX_PAGES: usize = 512;

/// `%_data` rowid bits below the segment id: page (31), doclist-index height (5) and flag (1).
const SEGMENT_SHIFT: u32 = 37;
/// The `%_data` rowid of the index's structure record (its segments).
const STRUCTURE_ID: i64 = 10;

impl Store {
    /// The FTS5 expression for the user's `input`: the words of [`super::query::fts_query`],
    /// with its last word's prefix spelled out as the terms the index holds under it when they
    /// are few, so that the newest matches stream. `None` when no searchable word is left.
    pub(crate) fn search_expr(&self, input: &str) -> Result<Option<String>> {
        let Some(plain) = super::query::fts_query(input) else {
            return Ok(None);
        };
        Ok(Some(self.expanded(input)?.unwrap_or(plain)))
    }

    /// Puts the streaming expression of `q`'s search in place of the plain one that
    /// `from_where` passes first.
    pub(crate) fn stream_search(&self, q: &ListQuery, args: &mut [Value]) -> Result<()> {
        if let (Some(search), Some(first)) = (&q.search, args.first_mut()) {
            if let Some(expr) = self.search_expr(search)? {
                *first = Value::Text(expr);
            }
        }
        Ok(())
    }

    /// `"w1" AND … AND ("t1" OR "t2" …)` for the last word's terms, or `None` to keep the
    /// prefix query.
    fn expanded(&self, input: &str) -> Result<Option<String>> {
        let words = search_words(input);
        let Some((last, rest)) = words.split_last() else {
            return Ok(None);
        };
        let tokens = self.tokens(last)?;
        // A word of several tokens is a phrase whose last token is the prefix.
        let Some((prefix, lead)) = tokens.split_last() else {
            return Ok(None);
        };
        let Some(terms) = self.terms_with_prefix(prefix)? else {
            return Ok(None);
        };
        if !self.round_trips(&terms)? {
            return Ok(None);
        }
        // No term under the prefix: the whole token, which the index lacks too, matches none.
        let terms = if terms.is_empty() {
            vec![prefix.clone()]
        } else {
            terms
        };
        let lead: String = lead.iter().map(|t| format!("{t} ")).collect();
        let any: Vec<String> = terms.iter().map(|t| quote(&format!("{lead}{t}"))).collect();
        let mut parts: Vec<String> = rest.iter().map(|w| quote(w)).collect();
        parts.push(format!("({})", any.join(" OR ")));
        Ok(Some(parts.join(" AND ")))
    }

    /// Whether each of `terms` comes out of the tokenizer as itself: the query tokenizes them
    /// again, and one that came out otherwise would match something else.
    pub(crate) fn round_trips(&self, terms: &[String]) -> Result<bool> {
        Ok(self.tokens(&terms.join(" "))? == terms)
    }

    /// `word` as the index's tokenizer splits and folds it, in order.
    fn tokens(&self, word: &str) -> Result<Vec<String>> {
        // A one-row table in this connection's temp schema, tokenized like the index.
        self.conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_word \
             USING fts5(w, tokenize = '{FTS_TOKENIZE}'); \
             CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_word_terms \
             USING fts5vocab(temp, search_word, 'instance');"
        ))?;
        self.conn
            .prepare_cached("DELETE FROM temp.search_word")?
            .execute([])?;
        self.conn
            .prepare_cached("INSERT INTO temp.search_word (w) VALUES (?1)")?
            .execute([word])?;
        let tokens = self
            .conn
            .prepare_cached("SELECT term FROM temp.search_word_terms ORDER BY \"offset\"")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(tokens)
    }

    /// Every term of the index that starts with `prefix` (a superset: a term whose entries
    /// were all removed may still be listed, and matches nothing), or `None` when there are
    /// too many or the index is not in a format read here.
    fn terms_with_prefix(&self, prefix: &str) -> Result<Option<Vec<String>>> {
        let version: Option<i64> = self
            .conn
            .prepare_cached("SELECT v FROM entries_fts_config WHERE k = 'version'")?
            .query_row([], |r| r.get(0))
            .optional()?;
        // 4 and 5 (secure-delete) share the leaf format.
        if !matches!(version, Some(4 | 5)) {
            return Ok(None);
        }
        // Terms of the main index are stored after the byte '0'.
        let key = [b"0", prefix.as_bytes()].concat();
        let Some(structure) = self.fts_block(STRUCTURE_ID)? else {
            return Ok(None);
        };
        let Some(segments) = segments(&structure) else {
            return Ok(None);
        };
        let mut found = BTreeSet::new();
        let mut pages = 0;
        for segment in segments.into_iter().filter(|s| s.first > 0) {
            if !self.segment_terms(segment, &key, &mut found, &mut pages)? {
                return Ok(None);
            }
        }
        let terms = found
            .into_iter()
            .map(|t| String::from_utf8(t[1..].to_vec()).ok())
            .collect();
        Ok(terms)
    }

    /// Adds the terms under `key` in one segment to `found`, reading the leaf pages where
    /// such terms can start (the `%_idx` b-tree names the pages on which terms begin); false
    /// when a cap is reached or a page cannot be read.
    fn segment_terms(
        &self,
        segment: Segment,
        key: &[u8],
        found: &mut BTreeSet<Vec<u8>>,
        pages: &mut usize,
    ) -> Result<bool> {
        // The last page whose first term is not after the key, then the pages after it. Pages
        // before `first` are gone (an incremental merge took their terms to another segment)
        // while their `%_idx` rows stay: the segment's own first page stands in for them.
        let first: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT pgno FROM entries_fts_idx WHERE segid = ?1 AND term <= ?2 \
                 ORDER BY term DESC LIMIT 1",
            )?
            .query_row(params![segment.id, key], |r| r.get::<_, i64>(0))
            .optional()?
            .map(|pgno| (pgno >> 1).max(segment.first));
        let mut stmt = self.conn.prepare_cached(
            "SELECT term, pgno FROM entries_fts_idx WHERE segid = ?1 AND term > ?2 ORDER BY term",
        )?;
        let mut later = stmt.query(params![segment.id, key])?;
        // A page whose first term is past every term under the key ends the range.
        let mut after = || -> Result<Option<i64>> {
            Ok(match later.next()? {
                Some(r) if r.get::<_, Vec<u8>>(0)?.starts_with(key) => {
                    Some(r.get::<_, i64>(1)? >> 1)
                }
                _ => None,
            })
        };
        let mut next = Some(first.unwrap_or(segment.first));
        while let Some(page) = next {
            *pages += 1;
            if *pages > MAX_PAGES {
                return Ok(false);
            }
            if page < segment.first || page > segment.last {
                next = after()?;
                continue;
            }
            let Some(block) = self.fts_block((segment.id << SEGMENT_SHIFT) + page)? else {
                return Ok(false);
            };
            let Some(terms) = leaf_terms(&block) else {
                return Ok(false);
            };
            for term in terms {
                if term.starts_with(key) {
                    found.insert(term);
                    if found.len() > MAX_TERMS {
                        return Ok(false);
                    }
                } else if term.as_slice() > key {
                    return Ok(true);
                }
            }
            next = after()?;
        }
        Ok(true)
    }

    /// A record of the index's `%_data` table.
    fn fts_block(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let block = self
            .conn
            .prepare_cached("SELECT block FROM entries_fts_data WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(block)
    }
}

/// A segment of the index and its leaf pages (`first` is 0 for an emptied one).
#[derive(Clone, Copy, Debug)]
struct Segment {
    id: i64,
    first: i64,
    last: i64,
}

/// The segments listed in the index's structure record: a cookie, a version marker for V2,
/// the level, segment and write counts, then per level its merge and segment counts and per
/// segment its id, first and last page (and five more numbers in V2).
fn segments(record: &[u8]) -> Option<Vec<Segment>> {
    let v2 = record.get(4..8)? == [0xff, 0x00, 0x00, 0x01];
    let mut at = if v2 { 8 } else { 4 };
    let mut next = || -> Option<i64> {
        let (v, used) = varint(record.get(at..)?)?;
        at += used;
        i64::try_from(v).ok()
    };
    let levels = next()?;
    let _segments = next()?;
    let _writes = next()?;
    let mut out = Vec::new();
    for _ in 0..levels {
        let _merging = next()?;
        for _ in 0..next()? {
            let (id, first, last) = (next()?, next()?, next()?);
            if v2 {
                for _ in 0..5 {
                    next()?;
                }
            }
            out.push(Segment { id, first, last });
        }
    }
    Some(out)
}

/// The terms that begin on an FTS5 leaf page, in order: its footer lists their offsets; the
/// first is stored whole, each next one as the bytes it shares with the one before plus its
/// own. `None` when the page does not parse.
fn leaf_terms(page: &[u8]) -> Option<Vec<Vec<u8>>> {
    let footer = usize::from(u16::from_be_bytes([*page.get(2)?, *page.get(3)?]));
    let mut offsets = page.get(footer..)?;
    let mut terms: Vec<Vec<u8>> = Vec::new();
    let mut at = 0usize;
    while !offsets.is_empty() {
        let (delta, used) = varint(offsets)?;
        offsets = &offsets[used..];
        at = at.checked_add(usize::try_from(delta).ok()?)?;
        let mut pos = at;
        let mut read = || -> Option<usize> {
            let (v, used) = varint(page.get(pos..footer)?)?;
            pos += used;
            usize::try_from(v).ok()
        };
        let (shared, new) = match terms.last() {
            None => (0, read()?),
            Some(_) => (read()?, read()?),
        };
        let mut whole = match terms.last() {
            None => Vec::new(),
            Some(prev) => prev.get(..shared)?.to_vec(),
        };
        whole.extend_from_slice(page.get(pos..pos.checked_add(new)?)?);
        terms.push(whole);
    }
    Some(terms)
}

/// An SQLite varint (big-endian groups of 7 bits, the ninth byte whole) and its length.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(9) {
        if i == 8 {
            return Some(((v << 8) | u64::from(b), 9));
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}
