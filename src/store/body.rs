//! How an entry's HTML bodies (`content_html`, `summary_html`) are kept: an LZ4 block when that
//! is smaller, else the text itself.
//!
//! Bodies are most of a cache (issue 20: 152 of 298 MiB for 100,000 entries, more than the
//! feeds' XML with the search index beside them); HTML compresses about twice with LZ4, at a
//! few instructions per byte each way. The column's type says which it is: TEXT as written by
//! every earlier version (and for short bodies), BLOB for a block, so old caches need no
//! upgrade and read as before.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// Bodies shorter than this are kept as text: a block would save a few bytes at most.
const MIN_PACKED: usize = 128;
/// A block says how long its text is; a claim above this (a damaged cache) is refused rather
/// than allocated. Bodies come from documents of at most a few tens of MiB.
const MAX_UNPACKED: usize = 256 * 1024 * 1024;

/// A body as it is written: a block when that is smaller than the text.
pub(super) enum Packed<'a> {
    None,
    Text(&'a str),
    Block(Vec<u8>),
}

impl<'a> Packed<'a> {
    pub(super) fn new(html: Option<&'a str>) -> Packed<'a> {
        let Some(h) = html else {
            return Packed::None;
        };
        if h.len() >= MIN_PACKED {
            let block = lz4_flex::block::compress_prepend_size(h.as_bytes());
            if block.len() < h.len() {
                return Packed::Block(block);
            }
        }
        Packed::Text(h)
    }
}

impl ToSql for Packed<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Packed::None => ValueRef::Null,
            Packed::Text(t) => ValueRef::Text(t.as_bytes()),
            Packed::Block(b) => ValueRef::Blob(b),
        }))
    }
}

/// A body as it is read: text, or a block unpacked to its text.
pub(crate) struct Body(pub(crate) Option<String>);

impl FromSql for Body {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Null => Ok(Body(None)),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|s| Body(Some(s.to_string())))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(b) => unpack(b).map(|s| Body(Some(s))),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

fn unpack(block: &[u8]) -> FromSqlResult<String> {
    let damaged =
        |what: &str| FromSqlError::Other(format!("a stored body is damaged ({what})").into());
    let (len, data) = block
        .split_first_chunk::<4>()
        .ok_or_else(|| damaged("too short"))?;
    let len = u32::from_le_bytes(*len) as usize;
    // LZ4 expands at most 255 times.
    if len > MAX_UNPACKED || len > data.len().saturating_mul(255) {
        return Err(damaged("impossible length"));
    }
    let bytes = lz4_flex::block::decompress(data, len).map_err(|e| damaged(&e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| damaged("not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn round_trip(html: Option<&str>) -> (Option<String>, String) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (b)").unwrap();
        conn.execute("INSERT INTO t VALUES (?1)", [Packed::new(html)])
            .unwrap();
        conn.query_row("SELECT b, typeof(b) FROM t", [], |r| {
            Ok((r.get::<_, Body>(0)?.0, r.get(1)?))
        })
        .unwrap()
    }

    #[test]
    fn a_long_body_is_a_block_and_reads_back_the_same() {
        let html = "<p>Recovery capital in a community cohort: <a href=\"https://doi.org/10.1/x\">doi</a> — ünïcode.</p>\n".repeat(40);
        let (back, kind) = round_trip(Some(&html));
        assert_eq!(kind, "blob");
        assert_eq!(back.as_deref(), Some(html.as_str()));
    }

    #[test]
    fn short_or_incompressible_bodies_stay_text() {
        assert_eq!(
            round_trip(Some("<p>x</p>")),
            (Some("<p>x</p>".into()), "text".into())
        );
        // Every byte different from the last: LZ4 finds nothing to share.
        let noise: String = (0..4000u32)
            .map(|i| char::from_u32(0x4e00 + (i * 7919) % 20000).unwrap())
            .collect();
        let (back, kind) = round_trip(Some(&noise));
        assert_eq!(
            (back.as_deref(), kind.as_str()),
            (Some(noise.as_str()), "text")
        );
        assert_eq!(round_trip(None), (None, "null".into()));
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_panic() {
        let conn = Connection::open_in_memory().unwrap();
        let mut good =
            lz4_flex::block::compress_prepend_size(&b"<p>hello hello hello</p>".repeat(20));
        let cases: Vec<Vec<u8>> = vec![
            vec![1, 2],
            // Claims 4 GiB.
            vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0],
            {
                let n = good.len();
                good.truncate(n - 3);
                good
            },
            // Valid LZ4 of bytes that are not UTF-8.
            lz4_flex::block::compress_prepend_size(&[0xff; 300]),
        ];
        for blob in cases {
            let r = conn.query_row("SELECT ?1", [&blob], |r| r.get::<_, Body>(0));
            let e = r.err().expect("a damaged block must not read");
            assert!(e.to_string().contains("damaged"), "{e}");
        }
    }
}
