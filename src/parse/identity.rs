//! The key an entry is stored under.

use chrono::{DateTime, Utc};

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
    // FNV-1a, 64 bit: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let date = date.map(|d| d.to_rfc3339()).unwrap_or_default();
    for b in title.bytes().chain([0u8]).chain(date.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("hash:{hash:016x}")
}
