//! Which URLs may be fetched, the one form a feed URL is subscribed under, and how a URL is
//! shown in an error message.

use url::Url;

use super::FetchError;
use crate::text::scrub::{scrub_line, shown_url};

/// The form a feed URL is subscribed under, so that one feed cannot be subscribed twice: scheme
/// and host in lower case (the URL parser's), no fragment (it never reaches the server), no empty
/// query (`feed.xml?` is `feed.xml`), and percent-encoding normalised (`%65moji.xml` is
/// `emoji.xml`). What does not parse is left as it is (the fetch reports it).
pub fn canonical_feed_url(url: &str) -> String {
    match Url::parse(url.trim()) {
        Ok(mut u) => {
            u.set_fragment(None);
            if u.query() == Some("") {
                u.set_query(None);
            }
            let path = normalise_percent(u.path());
            u.set_path(&path);
            if let Some(query) = u.query().map(normalise_percent) {
                u.set_query(Some(&query));
            }
            u.into()
        }
        Err(_) => url.to_string(),
    }
}

/// RFC 3986 §6.2.2: a `%XX` of an unreserved character (letters, digits, `-._~`) is that
/// character; any other stays encoded, its hex digits in upper case.
fn normalise_percent(s: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let tail = &rest.as_bytes()[at..];
        match (
            tail.get(1).copied().and_then(hex),
            tail.get(2).copied().and_then(hex),
        ) {
            (Some(hi), Some(lo)) => {
                // Both are below 16: the byte fits.
                let c = char::from((hi * 16 + lo) as u8);
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~') {
                    out.push(c);
                } else {
                    out.push_str(&format!("%{:02X}", hi * 16 + lo));
                }
                rest = &rest[at + 3..];
            }
            _ => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses `url` and accepts it only if it is http or https with a host.
pub fn check_url(url: &str) -> Result<Url, FetchError> {
    let parsed = Url::parse(url.trim()).map_err(|e| FetchError::InvalidUrl {
        url: shown_url(url),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(FetchError::UnsupportedScheme {
                scheme: scrub_line(other),
            })
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::InvalidUrl {
            url: shown_url(url),
            reason: "no host".to_string(),
        });
    }
    Ok(parsed)
}

/// RFC 6761: `.invalid` names never resolve, and resolvers should say so at once rather than
/// ask a DNS server (the demo archive's hosts are `.invalid`).
pub(crate) fn never_resolves(url: &Url) -> Result<(), FetchError> {
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host == "invalid" || host.ends_with(".invalid") {
        return Err(FetchError::Dns(format!(
            "cannot resolve host {} (.invalid names never resolve)",
            crate::text::scrub::scrub_url(&host)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_feed_has_one_canonical_url() {
        for same in [
            "https://blog.example/feed.xml",
            "https://blog.example/feed.xml#x",
            "https://blog.example/feed.xml?",
            "https://blog.example/feed.xml?#top",
            " https://BLOG.example/feed.xml ",
        ] {
            assert_eq!(
                canonical_feed_url(same),
                "https://blog.example/feed.xml",
                "{same}"
            );
        }
        // A real query is part of the feed's identity.
        assert_eq!(
            canonical_feed_url("https://blog.example/?feed=rss2#c"),
            "https://blog.example/?feed=rss2"
        );
        assert_eq!(canonical_feed_url("not a url"), "not a url");
    }

    #[test]
    fn percent_encoded_unreserved_characters_and_case_do_not_make_another_feed() {
        for same in [
            "https://blog.example/emoji.xml",
            "https://blog.example/%65moji.xml",
            "https://blog.example/%65%6D%6f%6a%69%2e%78%6d%6C",
            "HTTPS://Blog.Example/emoji.xml",
        ] {
            assert_eq!(
                canonical_feed_url(same),
                "https://blog.example/emoji.xml",
                "{same}"
            );
        }
        // `-._~` and digits decode; reserved and other bytes stay encoded, hex in upper case.
        assert_eq!(
            canonical_feed_url("https://b.example/%2D%2e%5f%7e%31/a%2fb%3f?q=%7e%26%c3%a9&r=%zz%"),
            "https://b.example/-._~1/a%2Fb%3F?q=~%26%C3%A9&r=%zz%"
        );
        // A `%` not followed by two hex digits is left alone.
        assert_eq!(
            canonical_feed_url("https://b.example/100%/%4"),
            "https://b.example/100%/%4"
        );
    }
    #[test]
    fn check_url_accepts_only_http_and_https() {
        assert!(check_url("https://example.org/feed").is_ok());
        assert!(check_url(" http://example.org ").is_ok());
        let e = check_url("ftp://example.org/").unwrap_err();
        assert_eq!(
            e.to_string(),
            "URL scheme ftp is not allowed (only http and https)"
        );
        assert!(matches!(
            check_url("javascript:alert(1)"),
            Err(FetchError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            check_url("file:///etc/passwd"),
            Err(FetchError::UnsupportedScheme { .. })
        ));
        let e = check_url("not a url\x1b[31m").unwrap_err();
        assert!(matches!(e, FetchError::InvalidUrl { .. }));
        assert!(!e.to_string().contains('\x1b'));
        let long = format!("http://{}", "x".repeat(100_000));
        let e = check_url(&format!("{long} y")).unwrap_err();
        assert!(e.to_string().len() < 400, "{}", e.to_string().len());
    }
}
