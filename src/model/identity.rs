//! The key an entry is stored under.
//!
//! An entry's guid (RSS) or id (Atom, JSON Feed) is its key. An item without one is keyed by its
//! link, the key it has always had, so existing caches keep every such entry. Items without a
//! guid that share one link (a news page, a podcast page, an index page every item points at)
//! are distinct posts when their titles or dates differ: those keys get the date as a suffix,
//! or, when the date does not tell them apart, a hash of title and date. Items with neither
//! guid nor link get that hash alone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::NewEntry;

/// Suffixes of keys derived from a shared link (see [`legacy_key`]).
const DATE_SUFFIX: &str = "#date=";
const HASH_SUFFIX: &str = "#h=";

/// The key an entry is stored under: its guid, else its link, else a hash of title and date.
pub fn entry_key(
    guid: Option<&str>,
    link: Option<&str>,
    title: &str,
    date: Option<DateTime<Utc>>,
) -> String {
    if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
        return g.to_string();
    }
    if let Some(l) = link.map(str::trim).filter(|l| !l.is_empty()) {
        return l.to_string();
    }
    format!("hash:{}", fnv(title, date))
}

/// FNV-1a, 64 bit, of title and date: stable across Rust versions, unlike `DefaultHasher`.
fn fnv(title: &str, date: Option<DateTime<Utc>>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let date = date.map(|d| d.to_rfc3339()).unwrap_or_default();
    for b in title.bytes().chain([0u8]).chain(date.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Gives distinct keys to distinct items that were keyed by one shared link. `by_link[i]` says
/// that entry `i` had no guid and was keyed by its link. The same item repeated in one document
/// keeps one key.
pub(crate) fn split_shared_links(entries: &mut [NewEntry], by_link: &[bool]) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if by_link.get(i).copied().unwrap_or(false) {
            groups.entry(e.guid.as_str()).or_default().push(i);
        }
    }
    let mut new_keys: Vec<(usize, String)> = Vec::new();
    for (link, members) in &groups {
        let item = |i: usize| (entries[i].title.as_str(), date_of(&entries[i]));
        let first = item(members[0]);
        if members.iter().all(|&i| item(i) == first) {
            continue;
        }
        for &i in members {
            let (title, date) = item(i);
            // The date alone is stable when the publisher edits the title; it is enough when
            // no other item of the group has the same date with another title.
            let date_tells = date.is_some()
                && members
                    .iter()
                    .all(|&j| item(j).1 != date || item(j).0 == title);
            let key = match date {
                Some(d) if date_tells => date_key(link, d),
                _ => hash_key(link, title, date),
            };
            new_keys.push((i, key));
        }
    }
    for (i, key) in new_keys {
        entries[i].guid = key;
    }
}

fn date_key(link: &str, date: DateTime<Utc>) -> String {
    format!(
        "{link}{DATE_SUFFIX}{}",
        date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

fn hash_key(link: &str, title: &str, date: Option<DateTime<Utc>>) -> String {
    format!("{link}{HASH_SUFFIX}{}", fnv(title, date))
}

/// The keys an entry keyed by its bare link has when other items of a document share the link:
/// a backfill page may hold one of them alone.
pub fn split_keys(e: &NewEntry) -> Vec<String> {
    let Some(link) = e.link.as_deref() else {
        return Vec::new();
    };
    let date = date_of(e);
    date.map(|d| date_key(link, d))
        .into_iter()
        .chain([hash_key(link, &e.title, date)])
        .collect()
}

fn date_of(e: &NewEntry) -> Option<DateTime<Utc>> {
    e.published.or(e.updated)
}

/// The key earlier versions stored `e` under, when it differs from today's: an item that shares
/// its link with other items was keyed by the bare link (all of them collapsed into one entry).
pub fn legacy_key(e: &NewEntry) -> Option<&str> {
    let link = e.link.as_deref()?;
    let suffix = e.guid.strip_prefix(link)?;
    (suffix.starts_with(DATE_SUFFIX) || suffix.starts_with(HASH_SUFFIX)).then_some(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<DateTime<Utc>> {
        Some(
            DateTime::parse_from_rfc3339(s)
                .unwrap_or_else(|e| panic!("{s}: {e}"))
                .with_timezone(&Utc),
        )
    }

    fn item(title: &str, link: &str, published: Option<&str>) -> NewEntry {
        NewEntry {
            guid: link.to_string(),
            title: title.to_string(),
            link: Some(link.to_string()),
            published: published.and_then(date),
            ..NewEntry::default()
        }
    }

    fn keys(entries: &mut [NewEntry], by_link: &[bool]) -> Vec<String> {
        split_shared_links(entries, by_link);
        entries.iter().map(|e| e.guid.clone()).collect()
    }

    #[test]
    fn entry_key_fallbacks_are_stable() {
        let d = date("2014-12-01T00:00:00Z");
        assert_eq!(entry_key(Some(" g1 "), Some("l"), "t", d), "g1");
        assert_eq!(
            entry_key(Some(""), Some("https://e.org/l"), "t", d),
            "https://e.org/l"
        );
        let h = entry_key(None, None, "A title", d);
        assert_eq!(h, entry_key(None, Some("  "), "A title", d));
        // Pinned: keys are stored, so the hash must never change between versions.
        assert_eq!(h, "hash:e6f3e46f48974c0a");
        assert_ne!(h, entry_key(None, None, "A title", None));
        assert_ne!(h, entry_key(None, None, "Another", d));
        // FNV-1a of the empty input is the offset basis; pins the algorithm.
        let mut x: u64 = 0xcbf2_9ce4_8422_2325;
        x ^= 0;
        x = x.wrapping_mul(0x0100_0000_01b3);
        assert_eq!(entry_key(None, None, "", None), format!("hash:{x:016x}"));
    }

    #[test]
    fn items_sharing_a_link_stay_distinct() {
        let page = "https://news.example.org/";
        let mut entries = vec![
            item("Monday news", page, Some("2018-10-01T08:00:00Z")),
            item("Tuesday news", page, Some("2018-10-02T08:00:00Z")),
            item("Own page", "https://news.example.org/own", None),
            // Same date, other title: the date cannot tell these two apart.
            item("Wednesday a", page, Some("2018-10-03T08:00:00Z")),
            item("Wednesday b", page, Some("2018-10-03T08:00:00Z")),
        ];
        let got = keys(&mut entries, &[true; 5]);
        assert_eq!(got[0], format!("{page}#date=2018-10-01T08:00:00Z"));
        assert_eq!(got[1], format!("{page}#date=2018-10-02T08:00:00Z"));
        // A link of its own keeps the key it always had.
        assert_eq!(got[2], "https://news.example.org/own");
        assert!(got[3].starts_with(&format!("{page}#h=")), "{}", got[3]);
        assert!(got[4].starts_with(&format!("{page}#h=")), "{}", got[4]);
        assert_ne!(got[3], got[4]);
        for e in &entries {
            if e.guid != "https://news.example.org/own" {
                assert_eq!(legacy_key(e), Some(page));
            }
        }
        assert_eq!(legacy_key(&entries[2]), None);
    }

    #[test]
    fn the_same_item_keeps_its_key() {
        let page = "https://pod.example.org/";
        let mut first = vec![
            item("Episode 1", page, Some("2018-10-01T08:00:00Z")),
            item("Episode 2", page, Some("2018-10-08T08:00:00Z")),
        ];
        // The publisher edits a title: the dated key does not move.
        let mut edited = first.clone();
        edited[1].title = "Episode 2 (corrected)".to_string();
        // The next week's document drops one item and adds another.
        let mut later = vec![
            item("Episode 3", page, Some("2018-10-15T08:00:00Z")),
            item("Episode 2", page, Some("2018-10-08T08:00:00Z")),
        ];
        let a = keys(&mut first, &[true, true]);
        let b = keys(&mut edited, &[true, true]);
        let c = keys(&mut later, &[true, true]);
        assert_eq!(a, b);
        assert_eq!(a[1], c[1]);
        // One item repeated in one document stays one entry.
        let mut repeated = vec![
            item("Same", page, Some("2018-10-01T08:00:00Z")),
            item("Same", page, Some("2018-10-01T08:00:00Z")),
        ];
        assert_eq!(keys(&mut repeated, &[true, true]), [page, page]);
        // Entries with a real guid that equals a shared link are never split.
        let mut guids = vec![item("G1", page, None), item("G2", page, None)];
        assert_eq!(keys(&mut guids, &[false, false]), [page, page]);
    }
}
