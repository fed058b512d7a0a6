//! Endpoints and forms: the API base, the URLs and form bodies of each call, and reading the
//! server's answers (JSON, `OK`, error text) into client errors.

use url::Url;

use super::{SyncError, LABEL_PREFIX};
use crate::net;
use crate::text::scrub::scrub_line;

/// At most this much of a server's error text goes into a message.
const MAX_SERVER_TEXT: usize = 200;

/// The API base: http(s), a host, no query or fragment, no trailing slash.
pub(super) fn api_base(url: &str) -> Result<String, SyncError> {
    let bad = |reason: &str| SyncError::BadUrl {
        url: crate::text::scrub::shown_url(url),
        reason: reason.to_string(),
    };
    let parsed = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("only http and https are supported"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    // Refused here, so that no resolver is asked.
    net::urls::never_resolves(&parsed).map_err(|e| bad(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("the API base takes no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "put the credentials in [sync] username and password, not in the URL",
        ));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// A URL as named in errors: no query (which never holds secrets here, but can be long).
pub(super) fn endpoint_of(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    crate::text::scrub::shown_url(u.as_str())
}

/// `stream` appended to a URL path: `user/-/state/com.google/reading-list` as segments, a
/// `feed/<url>` stream with its URL as one encoded segment.
pub(super) fn push_stream(url: &mut Url, stream: &str) {
    if let Ok(mut segments) = url.path_segments_mut() {
        match stream.strip_prefix("feed/") {
            Some(rest) if rest.contains(':') => {
                segments.push("feed").push(rest);
            }
            _ => {
                segments.extend(stream.split('/'));
            }
        }
    }
}

/// A urlencoded form body.
pub(super) fn form<V: AsRef<str>>(pairs: &[(&str, V)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v.as_ref());
    }
    s.finish()
}

pub(super) fn label_stream(name: &str) -> String {
    format!("{LABEL_PREFIX}{name}")
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(
    endpoint: &str,
    body: &[u8],
) -> Result<T, SyncError> {
    serde_json::from_slice(body).map_err(|e| SyncError::Malformed {
        endpoint: endpoint.to_string(),
        reason: server_text(&format!("bad JSON: {e}")),
    })
}

pub(super) fn expect_ok(endpoint: &str, body: &[u8]) -> Result<(), SyncError> {
    let text = String::from_utf8_lossy(body);
    if text.trim().eq_ignore_ascii_case("ok") {
        return Ok(());
    }
    Err(SyncError::Server {
        endpoint: endpoint.to_string(),
        message: if text.trim().is_empty() {
            "an empty answer instead of OK".to_string()
        } else {
            server_text(&text)
        },
    })
}

/// Server text for a message: one scrubbed line of at most [`MAX_SERVER_TEXT`] characters.
pub(super) fn server_text(s: &str) -> String {
    let line = scrub_line(s);
    match line.char_indices().nth(MAX_SERVER_TEXT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The text of a quickadd `error` field, if it says anything.
pub(super) fn error_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => None,
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

pub(super) fn bad_item(endpoint: &str) -> SyncError {
    SyncError::Malformed {
        endpoint: endpoint.to_string(),
        reason: "an item without a usable id".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::greader::wire;

    #[test]
    fn server_text_in_errors_is_one_short_clean_line() {
        let e = expect_ok("http://x/edit", "no\x1b[31m way\n\u{202e}ok".as_bytes()).unwrap_err();
        let shown = e.to_string();
        assert!(
            !shown.contains('\x1b') && !shown.contains('\n') && !shown.contains('\u{202e}'),
            "{shown}"
        );
        let long = "x".repeat(10_000);
        let e = expect_ok("http://x/edit", long.as_bytes()).unwrap_err();
        assert!(e.to_string().len() < 400);
        assert!(expect_ok("http://x/edit", b"OK\n").is_ok());
    }

    #[test]
    fn bad_json_is_malformed_naming_the_endpoint() {
        let e = parse_json::<wire::StreamContents>(
            "http://h/api/reader/api/0/stream/contents",
            b"{\"items\":[{\"id\"",
        )
        .unwrap_err();
        assert!(matches!(e, SyncError::Malformed { .. }));
        assert!(
            e.to_string()
                .contains("http://h/api/reader/api/0/stream/contents"),
            "{e}"
        );
    }
}
