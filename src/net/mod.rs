//! The HTTP client: limits, conditional GET, redirects followed by hand.
//!
//! Redirects are followed here rather than by reqwest so that every hop is checked (http/https
//! only, no loops, a hop limit) and so the caller learns whether the move was permanent.
//! The whole request, body included, runs under one deadline, and the body is read as a stream
//! with a cap on its decoded size, so neither a trickling server nor a gzip bomb can hold a
//! refresh hostage.
//!
//! The folder: this file is the client ([`Fetcher`]) and its limits; `urls` decides which URLs
//! may be fetched and the one form a feed URL is subscribed under; `errors` turns transport
//! errors into one line. Feeds, papers and sync all fetch through here.
//!
//! Layer: below feeds, papers and sync. May use `crate::config` and `crate::text` only.

pub(crate) mod errors;
pub mod urls;

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::StatusCode;
use url::Url;

use crate::config::FetchConfig;
use crate::text::scrub::shown_url;
use errors::{error_chain, map_body_error, map_reqwest_error, one_line};
use urls::{check_url, never_resolves};

/// What a feed request accepts, feeds first.
const FEED_ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
    application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, \
    text/html;q=0.5, */*;q=0.1";

/// An HTTP client with the limits of a [`FetchConfig`]. Cheap to clone (the pools are shared).
#[derive(Clone)]
pub struct Fetcher {
    /// For http URLs: no trust roots, so nothing to load.
    plain: reqwest::Client,
    /// For https URLs, built at the first one: loading and decoding the system's trust roots
    /// is nearly all a client costs to build (19 M instructions, more than parsing a feed).
    tls: Arc<OnceLock<Result<reqwest::Client, String>>>,
    connect_timeout: Duration,
    /// Roots trusted beside the system's (the tests' own certificate).
    #[cfg(test)]
    extra_roots: Vec<reqwest::Certificate>,
    user_agent: String,
    timeout: Duration,
    max_redirects: usize,
    max_body_bytes: u64,
    max_body_mib: u64,
}

/// The validators of a previous response, for a conditional GET.
#[derive(Default, Clone, Debug)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful response (2xx, or 304 when validators were sent).
#[derive(Debug)]
pub struct Fetched {
    /// The final URL, after redirects.
    pub url: String,
    /// `Some(final URL)` when there was at least one redirect and every hop was 301 or 308.
    pub permanent_url: Option<String>,
    pub status: u16,
    /// The server answered 304 Not Modified; `body` is empty.
    pub not_modified: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// The decoded body (gzip, brotli and deflate undone).
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("URL scheme {scheme} is not allowed (only http and https)")]
    UnsupportedScheme { scheme: String },
    #[error("timed out after {secs} s")]
    Timeout { secs: u64 },
    #[error("{0}")]
    Connect(String),
    #[error("DNS: {0}")]
    Dns(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{}", http_text(*status, *retry_after))]
    Http {
        status: u16,
        retry_after: Option<u64>,
    },
    #[error("HTTP 410 Gone: the server says this feed was removed for good")]
    Gone,
    #[error("too many redirects (more than {max})")]
    TooManyRedirects { max: usize },
    #[error("redirect loop at {url}")]
    RedirectLoop { url: String },
    #[error("response larger than {limit_mib} MiB (raise fetch.max_body_mib to accept it)")]
    TooLarge { limit_mib: u64 },
    #[error("download interrupted: {0}")]
    Body(String),
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    /// The HTTP status behind the error, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Http { status, .. } => Some(*status),
            FetchError::Gone => Some(410),
            _ => None,
        }
    }

    /// True for 410 Gone: the caller should stop fetching this URL.
    pub fn is_gone(&self) -> bool {
        matches!(self, FetchError::Gone)
    }
}

/// "HTTP 503 Service Unavailable (retry after 120 s)".
fn http_text(status: u16, retry_after: Option<u64>) -> String {
    let mut text = format!("HTTP {status}");
    if let Some(reason) = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        text.push(' ');
        text.push_str(reason);
    }
    if let Some(secs) = retry_after {
        text.push_str(&format!(" (retry after {secs} s)"));
    }
    text
}

/// Installs rustls' ring provider as the process default; reqwest builds its TLS config from it.
pub(crate) fn install_crypto_provider() {
    // Err only means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client builder with the limits every client of a [`Fetcher`] shares.
fn client_builder(connect_timeout: Duration, timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        // A second guard; the deadline that counts is the one around the whole exchange.
        .timeout(timeout + Duration::from_secs(1))
        .tls_backend_rustls()
}

fn build_client(b: reqwest::ClientBuilder) -> Result<reqwest::Client, String> {
    b.build().map_err(|e| one_line(&error_chain(&e)))
}

impl Fetcher {
    pub fn new(cfg: &FetchConfig) -> Result<Fetcher, FetchError> {
        install_crypto_provider();
        let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
        let connect_timeout = Duration::from_secs(cfg.connect_timeout_secs.max(1));
        // An empty root store: this client is only ever given http URLs.
        let plain = build_client(client_builder(connect_timeout, timeout).tls_certs_only([]))
            .map_err(FetchError::Client)?;
        Ok(Fetcher {
            plain,
            tls: Arc::new(OnceLock::new()),
            connect_timeout,
            #[cfg(test)]
            extra_roots: Vec::new(),
            user_agent: cfg.user_agent.clone(),
            timeout,
            max_redirects: cfg.max_redirects,
            max_body_bytes: cfg.max_body_bytes(),
            max_body_mib: cfg.max_body_mib,
        })
    }

    /// The client for `url`: the one with the system's trust roots for https (built now if
    /// it is the first https URL), the one without for http.
    fn client_for(&self, url: &Url) -> Result<&reqwest::Client, FetchError> {
        if url.scheme() != "https" {
            return Ok(&self.plain);
        }
        let built = self.tls.get_or_init(|| {
            let b = client_builder(self.connect_timeout, self.timeout);
            #[cfg(test)]
            let b = b.tls_certs_merge(self.extra_roots.clone());
            build_client(b)
        });
        built.as_ref().map_err(|e| FetchError::Client(e.clone()))
    }

    /// GETs a feed, conditionally when `v` holds validators.
    pub async fn get(&self, url: &str, v: &Validators) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(FEED_ACCEPT));
        if let Some(value) = v.etag.as_deref().and_then(header_value) {
            headers.insert(header::IF_NONE_MATCH, value);
        }
        if let Some(value) = v.last_modified.as_deref().and_then(header_value) {
            headers.insert(header::IF_MODIFIED_SINCE, value);
        }
        self.run(url, headers, None).await
    }

    /// GETs `url` with an explicit Accept header (DOI content negotiation); `extra_user_agent` is
    /// appended to the configured user agent (e.g. `mailto:someone@example.org`).
    pub async fn get_accept(
        &self,
        url: &str,
        accept: &str,
        extra_user_agent: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        let accept = header_value(accept).ok_or_else(|| {
            FetchError::Client("the Accept value is not a valid header value".to_string())
        })?;
        headers.insert(header::ACCEPT, accept);
        self.run(url, headers, extra_user_agent).await
    }

    async fn run(
        &self,
        url: &str,
        headers: HeaderMap,
        extra_user_agent: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let start = check_url(url)?;
        // The configured agent may already carry the extra (the default names doi.mailto).
        let extra = extra_user_agent.map(str::trim);
        let extra = extra.filter(|s| !s.is_empty() && !self.user_agent.contains(s));
        let user_agent = match extra {
            Some(extra) => format!("{} {extra}", self.user_agent),
            None => self.user_agent.clone(),
        };
        let user_agent = header_value(&user_agent).ok_or_else(|| {
            FetchError::Client("the user agent is not a valid header value".to_string())
        })?;
        let secs = self.timeout.as_secs();
        tokio::time::timeout(self.timeout, self.follow(start, headers, user_agent))
            .await
            .unwrap_or(Err(FetchError::Timeout { secs }))
    }

    async fn follow(
        &self,
        start: Url,
        headers: HeaderMap,
        user_agent: HeaderValue,
    ) -> Result<Fetched, FetchError> {
        let mut url = start;
        let mut seen: HashSet<Url> = HashSet::new();
        let mut hops = 0usize;
        let mut all_permanent = true;
        loop {
            never_resolves(&url)?;
            seen.insert(url.clone());
            let response = self
                .client_for(&url)?
                .get(url.clone())
                .headers(headers.clone())
                .header(header::USER_AGENT, user_agent.clone())
                .send()
                .await
                .map_err(|e| self.map_error(&e))?;
            let status = response.status();

            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(location) = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                else {
                    return Err(FetchError::Http {
                        status: status.as_u16(),
                        retry_after: None,
                    });
                };
                let next = url
                    .join(location.trim())
                    .map_err(|e| FetchError::InvalidUrl {
                        url: shown_url(location),
                        reason: format!("bad redirect target: {e}"),
                    })?;
                let next = check_url(next.as_str())?;
                if seen.contains(&next) {
                    return Err(FetchError::RedirectLoop {
                        url: shown_url(next.as_str()),
                    });
                }
                hops += 1;
                if hops > self.max_redirects {
                    return Err(FetchError::TooManyRedirects {
                        max: self.max_redirects,
                    });
                }
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                url = next;
                continue;
            }

            let permanent_url = (hops > 0 && all_permanent).then(|| url.to_string());
            let text_header = |name: header::HeaderName| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let etag = text_header(header::ETAG);
            let last_modified = text_header(header::LAST_MODIFIED);
            let content_type = text_header(header::CONTENT_TYPE);

            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched {
                    url: url.to_string(),
                    permanent_url,
                    status: status.as_u16(),
                    not_modified: true,
                    etag,
                    last_modified,
                    content_type,
                    body: Vec::new(),
                });
            }
            if status == StatusCode::GONE {
                return Err(FetchError::Gone);
            }
            if !status.is_success() {
                let retry_after = text_header(header::RETRY_AFTER)
                    .as_deref()
                    .and_then(parse_retry_after);
                return Err(FetchError::Http {
                    status: status.as_u16(),
                    retry_after,
                });
            }

            let body = self.read_body(response).await?;
            return Ok(Fetched {
                url: url.to_string(),
                permanent_url,
                status: status.as_u16(),
                not_modified: false,
                etag,
                last_modified,
                content_type,
                body,
            });
        }
    }

    /// Reads the decoded body, stopping as soon as it passes the cap.
    async fn read_body(&self, response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        read_capped(
            response,
            self.max_body_bytes,
            self.max_body_mib,
            self.timeout.as_secs(),
        )
        .await
    }

    fn map_error(&self, e: &reqwest::Error) -> FetchError {
        map_reqwest_error(e, self.timeout.as_secs())
    }
}

/// Reads a response's decoded body as a stream, stopping with [`FetchError::TooLarge`] as soon
/// as it passes `max_bytes` (`max_mib` is what the error reports). Shared by every HTTP client
/// of the crate (feeds, DOIs, the sync client), so that none buffers an unbounded body.
pub(crate) async fn read_capped(
    response: reqwest::Response,
    max_bytes: u64,
    max_mib: u64,
    timeout_secs: u64,
) -> Result<Vec<u8>, FetchError> {
    let too_large = FetchError::TooLarge { limit_mib: max_mib };
    // Content-Length is the encoded size; it can only prove "too large" when nothing is decoded.
    if response.headers().get(header::CONTENT_ENCODING).is_none()
        && response.content_length().unwrap_or(0) > max_bytes
    {
        return Err(too_large);
    }
    let capacity = response
        .content_length()
        .unwrap_or(0)
        .min(max_bytes)
        .min(4 * 1024 * 1024);
    let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| map_body_error(&e, timeout_secs))?;
        if (body.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn header_value(s: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(s.trim()).ok()
}

/// `Retry-After` as seconds: either a number or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs);
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(u64::try_from(secs).unwrap_or(0))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    use std::thread;
    use std::time::Instant;

    /// A request as the test server saw it.
    #[derive(Debug, Clone)]
    pub(crate) struct Req {
        pub(crate) path: String,
        headers: Vec<(String, String)>,
    }

    impl Req {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    type Handler = dyn Fn(&Req, &mut TcpStream) + Send + Sync;

    /// A loopback server: each connection is read up to the end of its head, then handed to
    /// `handler`, which writes whatever raw bytes the test wants.
    pub(crate) fn serve(handler: impl Fn(&Req, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let handler = handler.clone();
                let log = log.clone();
                thread::spawn(move || {
                    let Some(req) = read_head(&mut stream) else {
                        return;
                    };
                    log.lock().unwrap().push(req.clone());
                    handler(&req, &mut stream);
                    let _ = stream.flush();
                });
            }
        });
        Server {
            base: format!("http://{addr}"),
            seen,
        }
    }

    pub(crate) struct Server {
        base: String,
        seen: Arc<Mutex<Vec<Req>>>,
    }

    impl Server {
        pub(crate) fn url(&self, path: &str) -> String {
            format!("{}{path}", self.base)
        }
        pub(crate) fn requests(&self) -> Vec<Req> {
            self.seen.lock().unwrap().clone()
        }
    }

    fn read_head(stream: &mut TcpStream) -> Option<Req> {
        let mut reader = BufReader::new(stream.try_clone().ok()?);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let path = line.split_whitespace().nth(1)?.to_string();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        Some(Req { path, headers })
    }

    pub(crate) fn respond(
        stream: &mut TcpStream,
        status: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) {
        let mut head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    }

    fn cfg(timeout: u64) -> FetchConfig {
        FetchConfig {
            timeout_secs: timeout,
            connect_timeout_secs: 1,
            max_redirects: 3,
            max_body_mib: 1,
            user_agent: "paperboy-test/1".to_string(),
            jobs: 4,
        }
    }

    fn fetcher() -> Fetcher {
        Fetcher::new(&cfg(2)).unwrap()
    }

    const RSS: &[u8] = b"<rss version=\"2.0\"><channel><title>t</title></channel></rss>";

    #[tokio::test]
    async fn ok_with_validators_and_user_agent() {
        let server = serve(|_, s| {
            respond(
                s,
                "200 OK",
                &[
                    ("ETag", "\"v1\""),
                    ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
                    ("Content-Type", "application/rss+xml"),
                ],
                RSS,
            )
        });
        let got = fetcher()
            .get(&server.url("/feed"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.status, 200);
        assert!(!got.not_modified);
        assert_eq!(got.body, RSS);
        assert_eq!(got.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            got.last_modified.as_deref(),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
        assert_eq!(got.content_type.as_deref(), Some("application/rss+xml"));
        assert_eq!(got.url, server.url("/feed"));
        assert_eq!(got.permanent_url, None);
        let req = &server.requests()[0];
        assert_eq!(req.header("user-agent"), Some("paperboy-test/1"));
        assert!(req
            .header("accept")
            .unwrap()
            .contains("application/rss+xml"));
        assert_eq!(req.header("if-none-match"), None);
    }

    #[tokio::test]
    async fn not_modified_when_validators_match() {
        let server = serve(|req, s| {
            if req.header("if-none-match") == Some("\"v1\"") {
                respond(s, "304 Not Modified", &[("ETag", "\"v1\"")], b"");
            } else {
                respond(s, "200 OK", &[], RSS);
            }
        });
        let v = Validators {
            etag: Some("\"v1\"".to_string()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
        };
        let got = fetcher().get(&server.url("/f"), &v).await.unwrap();
        assert!(got.not_modified);
        assert_eq!(got.status, 304);
        assert!(got.body.is_empty());
        let req = &server.requests()[0];
        assert_eq!(
            req.header("if-modified-since"),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
    }

    fn redirecting(codes: &'static [&'static str]) -> Server {
        // /0 → /1 → ... → /n, with codes[i] on hop i; /n answers 200.
        serve(move |req, s| {
            let i: usize = req.path.trim_start_matches('/').parse().unwrap_or(0);
            match codes.get(i) {
                Some(code) => respond(s, code, &[("Location", &format!("/{}", i + 1))], b""),
                None => respond(s, "200 OK", &[], RSS),
            }
        })
    }

    #[tokio::test]
    async fn permanent_redirect_chain_reports_the_new_url() {
        let server = redirecting(&["301 Moved Permanently", "308 Permanent Redirect"]);
        let got = fetcher()
            .get(&server.url("/0"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.url, server.url("/2"));
        assert_eq!(got.permanent_url, Some(server.url("/2")));
        assert_eq!(got.body, RSS);
    }

    #[tokio::test]
    async fn a_temporary_hop_makes_the_move_temporary() {
        let server = redirecting(&["301 Moved Permanently", "302 Found"]);
        let got = fetcher()
            .get(&server.url("/0"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.url, server.url("/2"));
        assert_eq!(got.permanent_url, None);
    }

    #[tokio::test]
    async fn too_many_redirects() {
        let server = redirecting(&["302 Found"; 10]);
        let err = fetcher()
            .get(&server.url("/0"), &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::TooManyRedirects { max: 3 }),
            "{err}"
        );
        assert_eq!(err.to_string(), "too many redirects (more than 3)");
    }

    #[tokio::test]
    async fn redirect_loop() {
        let server = serve(|req, s| {
            let to = if req.path == "/a" { "/b" } else { "/a" };
            respond(s, "301 Moved Permanently", &[("Location", to)], b"");
        });
        let err = fetcher()
            .get(&server.url("/a"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::RedirectLoop { .. }), "{err}");
        assert!(err.to_string().starts_with("redirect loop"));
    }

    #[tokio::test]
    async fn redirect_to_ftp_is_refused() {
        let server = serve(|_, s| {
            respond(
                s,
                "301 Moved",
                &[("Location", "ftp://example.org/feed")],
                b"",
            )
        });
        let err = fetcher()
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "URL scheme ftp is not allowed (only http and https)"
        );
    }

    #[tokio::test]
    async fn http_errors_carry_status_and_retry_after() {
        let server = serve(|req, s| match req.path.as_str() {
            "/404" => respond(s, "404 Not Found", &[], b"nope"),
            "/500" => respond(
                s,
                "500 Internal Server Error",
                &[("Retry-After", "120")],
                b"",
            ),
            _ => respond(s, "410 Gone", &[], b""),
        });
        let f = fetcher();
        let v = Validators::default();
        let e404 = f.get(&server.url("/404"), &v).await.unwrap_err();
        assert_eq!(e404.to_string(), "HTTP 404 Not Found");
        assert_eq!(e404.status(), Some(404));
        let e500 = f.get(&server.url("/500"), &v).await.unwrap_err();
        assert!(matches!(
            e500,
            FetchError::Http {
                status: 500,
                retry_after: Some(120)
            }
        ));
        assert_eq!(
            e500.to_string(),
            "HTTP 500 Internal Server Error (retry after 120 s)"
        );
        assert_eq!(http_text(599, None), "HTTP 599");
        let gone = f.get(&server.url("/410"), &v).await.unwrap_err();
        assert!(gone.is_gone());
        assert_eq!(gone.status(), Some(410));
    }

    #[test]
    fn retry_after_as_a_date() {
        let later = (chrono::Utc::now() + chrono::Duration::seconds(600)).to_rfc2822();
        let secs = parse_retry_after(&later).unwrap();
        assert!((590..=600).contains(&secs), "{secs}");
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0));
        assert_eq!(parse_retry_after("soon"), None);
    }

    async fn assert_times_out(server: Server) {
        let f = Fetcher::new(&cfg(1)).unwrap();
        let started = Instant::now();
        let err = f
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Timeout { secs: 1 }), "{err}");
        assert_eq!(err.to_string(), "timed out after 1 s");
        // The timeout fired, and not before its time (no upper bound: a loaded machine is slow).
        assert!(started.elapsed() >= Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        assert_times_out(serve(|_, _| thread::sleep(Duration::from_secs(5)))).await;
    }

    #[tokio::test]
    async fn a_trickling_body_times_out() {
        assert_times_out(serve(|_, s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            for _ in 0..100 {
                if s.write_all(b"<").is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(100));
            }
        }))
        .await;
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_refused() {
        let big = vec![b'x'; 1024 * 1024 + 10];
        let server = serve(move |req, s| {
            if req.path == "/chunked" {
                // No Content-Length: the cap must hold while streaming.
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                let _ = s.write_all(&big);
            } else {
                respond(s, "200 OK", &[], &big)
            }
        });
        for path in ["/plain", "/chunked"] {
            let err = fetcher()
                .get(&server.url(path), &Validators::default())
                .await
                .unwrap_err();
            assert!(
                matches!(err, FetchError::TooLarge { limit_mib: 1 }),
                "{err}"
            );
            assert!(err.to_string().starts_with("response larger than 1 MiB"));
        }
    }

    #[tokio::test]
    async fn a_gzip_bomb_stops_at_the_cap() {
        use flate2::write::GzEncoder;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 1024 * 1024);
        let server =
            serve(move |_, s| respond(s, "200 OK", &[("Content-Encoding", "gzip")], &bomb));
        let err = fetcher()
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    }

    #[tokio::test]
    async fn gzip_bodies_are_decoded() {
        use flate2::write::GzEncoder;
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(RSS).unwrap();
        let gz = enc.finish().unwrap();
        let server = serve(move |_, s| respond(s, "200 OK", &[("Content-Encoding", "gzip")], &gz));
        let got = fetcher()
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.body, RSS);
        let req = &server.requests()[0];
        assert!(req.header("accept-encoding").unwrap().contains("gzip"));
    }

    #[tokio::test]
    async fn a_reset_mid_body_is_a_body_error() {
        let server = serve(|_, s| {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<rss>");
            let _ = s.flush();
            thread::sleep(Duration::from_millis(50));
            // Closing short of Content-Length is how a reset looks to the client.
            let _ = s.shutdown(std::net::Shutdown::Both);
        });
        let err = fetcher()
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Body(_)), "{err:?}");
        assert!(err.to_string().starts_with("download interrupted"));
        assert!(!err.to_string().contains('\n'));
    }

    #[tokio::test]
    async fn connection_refused() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let err = fetcher()
            .get(&format!("http://127.0.0.1:{port}/"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Connect(_)), "{err:?}");
        assert_eq!(err.to_string(), "connection refused");
    }

    #[tokio::test]
    async fn tls_to_a_plain_http_server_is_an_error_not_a_hang() {
        let server = serve(|_, s| respond(s, "400 Bad Request", &[], b"plain http"));
        let url = server.url("/").replace("http://", "https://");
        let err = fetcher()
            .get(&url, &Validators::default())
            .await
            .unwrap_err();
        // A TLS error, not a timeout: the handshake failed instead of hanging.
        assert!(matches!(err, FetchError::Tls(_)), "{err:?}");
        assert!(err.to_string().contains("plain http"), "{err}");
    }

    // A self-signed certificate for localhost / 127.0.0.1 (P-256), made with openssl.
    const CERT_DER_B64: &str = "MIIBmzCCAUGgAwIBAgIUA5k25bUmteJWeb8jHqus/MN78EUwCgYIKoZIzj0EAwIwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzA5MDEyMVoYDzIxMjYxMTAzMDkwMTIxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASEkZBC5A9UpuEPlOMXTkRoAUTC3jGv77ElsLhT5wxB85DXKm5+yQk8mKEfDGWp2CfEaOe7C+SvlJJx3Rpg5wWMo28wbTAdBgNVHQ4EFgQU8O/VgTPzR5VNY4BD3WT9ilZbJIMwHwYDVR0jBBgwFoAU8O/VgTPzR5VNY4BD3WT9ilZbJIMwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZIzj0EAwIDSAAwRQIgEGx29fnXS5fNITVOIRMaQBAxBa0nxdc5w8XI+/yglE0CIQCeSIbbpuPMrpOFgBj+OdGcZM12ltq4+ne5scIW2aIG2A==";
    const KEY_DER_B64: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRiWCpvF21m7coCAvQ+M1+PDP3yei2/LNaKeqMafN0wOhRANCAASEkZBC5A9UpuEPlOMXTkRoAUTC3jGv77ElsLhT5wxB85DXKm5+yQk8mKEfDGWp2CfEaOe7C+SvlJJx3Rpg5wWM";

    // A test CA, and a certificate for localhost / 127.0.0.1 it signed (P-256, made with
    // openssl, valid until 2126): what a client that trusts the CA accepts.
    const CA_DER_B64: &str = "MIIBnjCCAUOgAwIBAgIUNUwyT0P1Ym36MbZC80HAcHyYDmYwCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQcGFwZXJib3kgdGVzdCBDQTAgFw0yNjEyMDcwOTIyMjVaGA8yMTI2MTExMzA5MjIyNVowGzEZMBcGA1UEAwwQcGFwZXJib3kgdGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPCL5ZFquDuZXiaD3gNKQfdrsGk79qfGzhWQ4dsuJ0+wSLtJaSB6ropXxUI8MT41f6K1mdXrkPqglcMgXLnyk5ujYzBhMB0GA1UdDgQWBBQtmI1KD1DRTBC5bzSHTEVDV6djmDAfBgNVHSMEGDAWgBQtmI1KD1DRTBC5bzSHTEVDV6djmDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwICBDAKBggqhkjOPQQDAgNJADBGAiEAt9bFVlolg9qrCmucPQT/Gu0KanCtjhxBPijOAA7B638CIQDd9tkxTEE8Nfq6ySUPIyjjPPjHlu+ipfy/YZlLT+D6IA==";
    const LEAF_DER_B64: &str = "MIIBwzCCAWmgAwIBAgIUGhrK67ufw0HtFRpg5wTr9BnLJm0wCgYIKoZIzj0EAwIwGzEZMBcGA1UEAwwQcGFwZXJib3kgdGVzdCBDQTAgFw0yNjEyMDcwOTIyMjVaGA8yMTI2MTExMzA5MjIyNVowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE85oqhOwXrNUWygexFr0nd3rscH1NfRdTEjTX76LHvdVruQi9LjHZsxFq9jyfIQGwY4k/amVADa99uD8/MTOgn6OBjzCBjDAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwHQYDVR0OBBYEFCb/m+IlvXQSYlbTQAIh7A6L/IOeMB8GA1UdIwQYMBaAFC2YjUoPUNFMELlvNIdMRUNXp2OYMAoGCCqGSM49BAMCA0gAMEUCIQCyBK/Kqcf1n0MuCu4tygait+PLRhRTlGOrb15icWFaawIgTfHrvRCwnpT+mG3sGLjNILJTLhPpQbgPKSHvxSFeGDk=";
    const LEAF_KEY_B64: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoxYdgmMvBBrwBk8oYt+Pb86aMoRByTNerJ/oj4ki4OahRANCAATzmiqE7Bes1RbKB7EWvSd3euxwfU19F1MSNNfvose91Wu5CL0uMdmzEWr2PJ8hAbBjiT9qZUANr324Pz8xM6Cf";

    /// A TLS server on 127.0.0.1 with certificate `cert` and key `key` (base64 DER): it answers
    /// every request with `body`, or, with `None`, reads the request and closes.
    fn tls_server(cert: &str, key: &str, body: Option<&'static [u8]>) -> u16 {
        use base64::Engine;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let b64 = base64::engine::general_purpose::STANDARD;
        let cert = CertificateDer::from(b64.decode(cert).unwrap());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(b64.decode(key).unwrap()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(tcp) = stream else { return };
                let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                if let Some(body) = body {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = tls.write_all(head.as_bytes());
                    let _ = tls.write_all(body);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            }
        });
        port
    }

    #[tokio::test]
    async fn an_untrusted_certificate_is_a_tls_error() {
        let port = tls_server(CERT_DER_B64, KEY_DER_B64, None);
        let err = fetcher()
            .get(
                &format!("https://localhost:{port}/"),
                &Validators::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Tls(_)), "{err:?}");
        assert_eq!(err.to_string(), "TLS: self-signed certificate not trusted");
        assert!(!err.to_string().contains('\n'));
    }

    /// A fetcher that also trusts the test CA.
    fn trusting_fetcher() -> Fetcher {
        use base64::Engine;
        let der = base64::engine::general_purpose::STANDARD
            .decode(CA_DER_B64)
            .unwrap();
        let mut f = fetcher();
        f.extra_roots = vec![reqwest::Certificate::from_der(&der).unwrap()];
        f
    }

    #[tokio::test]
    async fn https_goes_through_a_client_with_roots_built_at_the_first_https_url() {
        let tls_port = tls_server(LEAF_DER_B64, LEAF_KEY_B64, Some(RSS));
        let server = serve(|_, s| respond(s, "200 OK", &[], RSS));
        let f = trusting_fetcher();
        let copy = f.clone();
        // Plain http loads no trust roots.
        let got = f
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.body, RSS);
        assert!(f.tls.get().is_none(), "trust roots loaded for an http URL");
        let url = format!("https://localhost:{tls_port}/feed");
        let got = f.get(&url, &Validators::default()).await.unwrap();
        assert_eq!((got.status, &got.body[..]), (200, RSS));
        assert!(
            matches!(copy.tls.get(), Some(Ok(_))),
            "clones share the client"
        );
        // A redirect from http to https changes client on the way.
        let redirect = serve(move |_, s| {
            let to = format!("https://localhost:{tls_port}/moved");
            respond(s, "301 Moved", &[("Location", to.as_str())], b"")
        });
        let got = trusting_fetcher()
            .get(&redirect.url("/"), &Validators::default())
            .await
            .unwrap();
        assert_eq!(got.body, RSS);
        assert_eq!(got.url, format!("https://localhost:{tls_port}/moved"));
    }

    #[tokio::test]
    async fn get_accept_sends_accept_and_extended_user_agent() {
        let server = serve(|_, s| respond(s, "200 OK", &[], b"@article{x}"));
        let got = fetcher()
            .get_accept(
                &server.url("/10.1000/x"),
                "application/x-bibtex",
                Some("mailto:me@example.org"),
            )
            .await
            .unwrap();
        assert_eq!(got.body, b"@article{x}");
        let req = &server.requests()[0];
        assert_eq!(req.header("accept"), Some("application/x-bibtex"));
        assert_eq!(
            req.header("user-agent"),
            Some("paperboy-test/1 mailto:me@example.org")
        );
    }

    #[tokio::test]
    async fn a_contact_already_in_the_user_agent_is_not_repeated() {
        let server = serve(|_, s| respond(s, "200 OK", &[], b"{}"));
        let mut c = cfg(2);
        c.user_agent = "paperboy/0.1.0 (mailto:me@example.org)".to_string();
        let f = Fetcher::new(&c).unwrap();
        let url = server.url("/10.1000/x");
        f.get_accept(&url, "application/json", Some("mailto:me@example.org"))
            .await
            .unwrap();
        assert_eq!(
            server.requests()[0].header("user-agent"),
            Some("paperboy/0.1.0 (mailto:me@example.org)")
        );
    }

    #[tokio::test]
    async fn an_invalid_name_fails_at_once_without_asking_dns() {
        // `.invalid` never resolves (RFC 6761): answered here, so no query leaves the machine.
        for url in ["http://paperboy-test.invalid/", "http://X.INVALID./feed"] {
            let err = fetcher()
                .get(url, &Validators::default())
                .await
                .unwrap_err();
            // Answered by paperboy itself ("never resolve"), not by a resolver's failure.
            assert!(matches!(err, FetchError::Dns(_)), "{err:?}");
            assert!(err.to_string().contains("never resolve"), "{err}");
        }
    }

    #[tokio::test]
    async fn a_redirect_to_an_invalid_name_fails_without_asking_dns() {
        let server = serve(|_, s| {
            respond(
                s,
                "301 Moved",
                &[("Location", "http://moved.invalid/feed")],
                b"",
            )
        });
        let err = fetcher()
            .get(&server.url("/"), &Validators::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Dns(_)), "{err:?}");
    }
}
