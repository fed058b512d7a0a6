//! One call to the server: the request under the deadline, its retries, and the redirect policy
//! that keeps credentials with the API base's origin.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::StatusCode;
use url::Url;

use super::endpoint::{endpoint_of, expect_ok, form, parse_json};
use super::{Answer, GReader, Kind, Method, SyncError, MAX_RETRY_WAIT_SECS};
use crate::net::{self, FetchError};
use crate::text::scrub::scrub_line;

/// Retries of a 500/502/504 (and of a 429/503 answer).
const RETRIES: usize = 2;
/// Pause before the first retry of a 5xx; doubled for the next one.
const BACKOFF: Duration = Duration::from_millis(250);

impl GReader {
    pub(super) fn url(&self, path: &str) -> Result<Url, SyncError> {
        let full = format!("{}/{path}", self.base);
        Url::parse(&full).map_err(|e| SyncError::BadUrl {
            url: crate::text::scrub::shown_url(&full),
            reason: e.to_string(),
        })
    }

    pub(super) async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(String, T), SyncError> {
        let mut url = self.url(path)?;
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        let endpoint = endpoint_of(&url);
        let body = self.body(Kind::Api, url, Method::Get).await?;
        let value = parse_json(&endpoint, &body)?;
        Ok((endpoint, value))
    }

    /// A POST whose answer must be `OK`.
    pub(super) async fn post_ok(
        &self,
        path: &str,
        pairs: &[(&str, String)],
    ) -> Result<(), SyncError> {
        let url = self.url(path)?;
        let endpoint = endpoint_of(&url);
        let body = self.body(Kind::Api, url, Method::Post(form(pairs))).await?;
        expect_ok(&endpoint, &body)
    }

    /// A POST that carries the edit token, fetched once and again if the server calls it stale.
    pub(super) async fn post_edit(
        &mut self,
        path: &str,
        pairs: &[(&str, String)],
    ) -> Result<(), SyncError> {
        let url = self.url(path)?;
        let endpoint = endpoint_of(&url);
        for fresh in [false, true] {
            let token = self.edit_token(fresh).await?;
            let mut with_token = pairs.to_vec();
            with_token.push(("T", token));
            let method = Method::Post(form(&with_token));
            match self.exchange(Kind::Edit, url.clone(), method).await? {
                Answer::Body(body) => return expect_ok(&endpoint, &body),
                Answer::BadToken => self.edit_token = None,
            }
        }
        Err(SyncError::Unauthorized { url: endpoint })
    }

    async fn edit_token(&mut self, fresh: bool) -> Result<String, SyncError> {
        if !fresh {
            if let Some(t) = &self.edit_token {
                return Ok(t.clone());
            }
        }
        let url = self.url("reader/api/0/token")?;
        let endpoint = endpoint_of(&url);
        let body = self.body(Kind::Api, url, Method::Get).await?;
        let token = String::from_utf8_lossy(&body).trim().to_string();
        if token.is_empty() || token.len() > 1024 || token.chars().any(|c| c.is_control()) {
            return Err(SyncError::Malformed {
                endpoint,
                reason: "not an edit token".into(),
            });
        }
        self.edit_token = Some(token.clone());
        Ok(token)
    }

    /// The body of a successful exchange (a stale-token answer is a 401).
    pub(super) async fn body(
        &self,
        kind: Kind,
        url: Url,
        method: Method,
    ) -> Result<Vec<u8>, SyncError> {
        let endpoint = endpoint_of(&url);
        match self.exchange(kind, url, method).await? {
            Answer::Body(body) => Ok(body),
            Answer::BadToken => Err(SyncError::Unauthorized { url: endpoint }),
        }
    }

    /// One call with its retries.
    async fn exchange(&self, kind: Kind, url: Url, method: Method) -> Result<Answer, SyncError> {
        let endpoint = endpoint_of(&url);
        let mut attempt = 0usize;
        loop {
            let (status, retry_after, bad_token, body) =
                self.attempt(&endpoint, &url, &method).await?;
            if status.is_success() {
                return Ok(Answer::Body(body));
            }
            let code = status.as_u16();
            if code == 401 || (kind == Kind::Login && code == 403) {
                return match kind {
                    Kind::Login => Err(SyncError::Login { url: endpoint }),
                    Kind::Edit if bad_token => Ok(Answer::BadToken),
                    _ => Err(SyncError::Unauthorized { url: endpoint }),
                };
            }
            let wait = match code {
                429 | 503 => match retry_after {
                    Some(secs) if secs > MAX_RETRY_WAIT_SECS => {
                        return Err(SyncError::RateLimited {
                            endpoint,
                            retry_after_secs: Some(secs),
                        })
                    }
                    Some(secs) => Some(Duration::from_secs(secs)),
                    None => Some(BACKOFF * (1 << attempt)),
                },
                500 | 502 | 504 => Some(BACKOFF * (1 << attempt)),
                _ => None,
            };
            match wait {
                Some(wait) if attempt < RETRIES => {
                    tracing::debug!(%endpoint, code, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ if code == 429 => {
                    return Err(SyncError::RateLimited {
                        endpoint,
                        retry_after_secs: retry_after,
                    })
                }
                _ => {
                    return Err(SyncError::Http {
                        endpoint,
                        status: code,
                    })
                }
            }
        }
    }

    /// One HTTP request under the deadline: (status, Retry-After, Google-Bad-Token, body).
    async fn attempt(
        &self,
        endpoint: &str,
        url: &Url,
        method: &Method,
    ) -> Result<(StatusCode, Option<u64>, bool, Vec<u8>), SyncError> {
        let request = match method {
            Method::Get => self.get_client.get(url.clone()),
            Method::Post(form) => self
                .post_client
                .post(url.clone())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone()),
        };
        let mut request = request.header(header::USER_AGENT, self.user_agent.clone());
        if let Some(auth) = &self.auth {
            // Checked to be a valid header value at login.
            if let Ok(value) = HeaderValue::from_str(&format!("GoogleLogin auth={auth}")) {
                let mut value = value;
                value.set_sensitive(true);
                request = request.header(header::AUTHORIZATION, value);
            }
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let secs = self.timeout.as_secs();
        let exchange = async {
            let response = request.send().await.map_err(|e| {
                if let Some(OffOrigin(to)) = off_origin(&e) {
                    return SyncError::OtherOrigin {
                        endpoint: endpoint.to_string(),
                        from: self.origin.clone(),
                        to: to.clone(),
                    };
                }
                fetch_error(
                    endpoint,
                    net::errors::map_reqwest_error(&e, secs),
                    self.max_body_mib,
                )
            })?;
            let status = response.status();
            let text_header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let retry_after = text_header("retry-after")
                .as_deref()
                .and_then(net::parse_retry_after);
            let bad_token = text_header("google-bad-token")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
            let body = net::read_capped(response, self.max_body_bytes, self.max_body_mib, secs)
                .await
                .map_err(|e| fetch_error(endpoint, e, self.max_body_mib))?;
            Ok((status, retry_after, bad_token, body))
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(SyncError::Timeout {
                    endpoint: endpoint.to_string(),
                })
            })
    }
}

/// A redirect to another origin than the API base's, refused: every request carries the
/// password, the auth token or the edit token. Holds the origin it pointed to.
#[derive(Debug, thiserror::Error)]
#[error("a redirect to {0}")]
struct OffOrigin(String);

/// A URL's scheme, host and port as named in errors (a scheme without origins, `ftp:` say,
/// shows its whole URL).
fn origin_text(url: &Url) -> String {
    let origin = url.origin();
    if origin.is_tuple() {
        origin.ascii_serialization()
    } else {
        crate::text::scrub::shown_url(url.as_str())
    }
}

/// The [`OffOrigin`] refusal behind a failed request, if that is why it failed.
fn off_origin(e: &reqwest::Error) -> Option<&OffOrigin> {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(off) = c.downcast_ref::<OffOrigin>() {
            return Some(off);
        }
        cause = c.source();
    }
    None
}

/// The redirect policy: the API base's `origin` only (anything else is an [`OffOrigin`]
/// error, checked before a single byte goes there), at most `max` hops, http(s) only, and for a
/// POST only 307/308 (which keep the method and the body).
pub(super) fn redirect_policy(
    max: usize,
    post: bool,
    origin: url::Origin,
) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.url().origin() != origin {
            let to = origin_text(attempt.url());
            return attempt.error(OffOrigin(to));
        }
        if attempt.previous().len() > max {
            return attempt.error(format!("more than {max} redirects"));
        }
        if !matches!(attempt.url().scheme(), "http" | "https") {
            return attempt.stop();
        }
        let keeps_method = matches!(
            attempt.status(),
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        );
        if post && !keeps_method {
            return attempt.stop();
        }
        attempt.follow()
    })
}

pub(super) fn fetch_error(endpoint: &str, e: FetchError, limit_mib: u64) -> SyncError {
    let endpoint = endpoint.to_string();
    match e {
        FetchError::Timeout { .. } => SyncError::Timeout { endpoint },
        FetchError::TooLarge { .. } => SyncError::TooLarge {
            endpoint,
            limit_mib,
        },
        other => SyncError::Network {
            endpoint,
            reason: scrub_line(&other.to_string()),
        },
    }
}
