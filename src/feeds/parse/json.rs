//! JSON Feed 1.0 / 1.1 through feed-rs, plus `next_url` and `home_page_url`.

use url::Url;

use super::adapter::{feed_rs_parser, merge};
use super::encoding::utf8_or_1252;
use super::entry::absolute;
use super::raw::{Raw, RawItem};
use super::ParseError;
use crate::model::ParsedFeed;
use crate::text::scrub::scrub_line;

pub(super) fn parse_json(bytes: &[u8], url: &str) -> Result<ParsedFeed, ParseError> {
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let text = utf8_or_1252(&bytes[start..]);
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) if e.is_eof() => return Err(ParseError::Truncated),
        Err(e) => {
            return Err(ParseError::Invalid(format!(
                "line {}: {}",
                e.line(),
                scrub_line(&e.to_string())
            )))
        }
    };
    let is_json_feed = value
        .get("version")
        .and_then(|v| v.as_str())
        // 1.0 feeds in the wild name their version with `http://` as often as `https://`.
        .is_some_and(|v| {
            let v = v.trim();
            v.strip_prefix("https://")
                .or_else(|| v.strip_prefix("http://"))
                .is_some_and(|rest| rest.starts_with("jsonfeed.org/version/"))
        });
    if !is_json_feed {
        return Err(ParseError::NotAFeed(
            "a JSON document, not a JSON Feed (no jsonfeed.org version)".to_string(),
        ));
    }
    // feed-rs knows only the `https://` names of the versions.
    let text = match value.get("version").and_then(|v| v.as_str()) {
        Some(v) if !v.trim().starts_with("https://") => {
            let mut fixed = value.clone();
            fixed["version"] = serde_json::Value::from(v.trim().replacen("http://", "https://", 1));
            serde_json::to_string(&fixed).unwrap_or(text)
        }
        _ => text,
    };
    let feed = feed_rs_parser(url, None)
        .parse(text.as_bytes())
        .map_err(|e| ParseError::Invalid(scrub_line(&e.to_string())))?;
    let base = Url::parse(url).ok();
    let mut raw = Raw::default();
    raw.paging.next = value
        .get("next_url")
        .and_then(|v| v.as_str())
        .and_then(|n| absolute(n, base.as_ref()));
    // JSON Feed has no DOI elements; items map one to one.
    raw.items = feed
        .entries
        .iter()
        .map(|_| RawItem {
            in_channel: true,
            ..RawItem::default()
        })
        .collect();
    let mut parsed = merge(Some(feed), raw, url);
    if parsed.site_url.is_none() {
        parsed.site_url = value
            .get("home_page_url")
            .and_then(|v| v.as_str())
            .and_then(|h| absolute(h, base.as_ref()));
    }
    Ok(parsed)
}
