//! A Google Reader API client (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux).
//!
//! One [`GReader`] is one signed-in session: ClientLogin gives an auth token that is kept in
//! memory only and sent as `Authorization: GoogleLogin auth=…`; the edit token (`T`) for
//! edit-tag and mark-all-as-read is fetched once, when first needed, and fetched again if the
//! server says it went stale. Every request runs under the `[fetch]` limits (timeouts, body cap,
//! redirects), and the server's bytes are untrusted: JSON is parsed leniently into
//! [`Subscription`]s and [`Item`]s, and any server text in an error is scrubbed to one line.
//!
//! Retries: 429 and 503 honour `Retry-After` up to [`MAX_RETRY_WAIT_SECS`] (beyond that the call
//! fails with [`SyncError::RateLimited`] saying when to try again); 500, 502 and 504 are retried
//! twice after a short pause; 401 is never retried (the password changed: log in again).
//!
//! Here the session and its calls; one exchange with its retries and redirect policy in
//! `transport`, URLs, forms and reading answers in `endpoint`, the JSON shapes in `wire` and
//! what is built from them in `items`, item ids in `ids`, the runaway-paging guard in `pager`,
//! the errors in `error`.

mod endpoint;
mod error;
mod ids;
mod items;
mod pager;
mod transport;
mod wire;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use crate::config::FetchConfig;
use crate::net;
use endpoint::{
    api_base, bad_item, endpoint_of, error_text, form, label_stream, parse_json, push_stream,
    server_text,
};
pub use error::SyncError;
pub use ids::{item_id_long, parse_item_id};
use items::{item_from_wire, subscription_from_wire};
pub use items::{Item, ItemPage, Subscription};
pub use pager::{Paged, Pager, MAX_LISTED, MAX_PAGES};
use transport::redirect_policy;

/// Every item, read or not.
pub const READING_LIST: &str = "user/-/state/com.google/reading-list";
/// The state of a read item.
pub const READ: &str = "user/-/state/com.google/read";
/// The state of a starred item.
pub const STARRED: &str = "user/-/state/com.google/starred";

/// The prefix of a folder or label stream id.
pub const LABEL_PREFIX: &str = "user/-/label/";

/// The longest `Retry-After` the client waits out by itself.
pub const MAX_RETRY_WAIT_SECS: u64 = 30;
/// Ids per edit-tag request.
pub const EDIT_BATCH: usize = 250;
/// Ids asked for per stream/items/ids page: a whole unread set in one request for most
/// accounts (50,000 ids are about 1.5 MB of JSON).
pub const IDS_PAGE: usize = wire::MAX_PAGE_IDS;

/// The account of `[sync]`: the API base URL (FreshRSS: `…/api/greader.php`) and credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    pub url: String,
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// A signed-in session with a Google Reader API server.
pub struct GReader {
    get_client: reqwest::Client,
    /// Follows only 307/308, which keep the method and the form: a POST turned into a GET by a
    /// 301/302 answers `OK` on FreshRSS and changes nothing.
    post_client: reqwest::Client,
    /// The API base, without a trailing slash.
    base: String,
    /// The base's scheme, host and port: the only place credentials are sent.
    origin: String,
    user_agent: HeaderValue,
    timeout: Duration,
    max_body_bytes: u64,
    max_body_mib: u64,
    auth: Option<String>,
    edit_token: Option<String>,
    requests: AtomicUsize,
}

impl fmt::Debug for GReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GReader")
            .field("base", &self.base)
            .field("signed_in", &self.auth.is_some())
            .field("requests", &self.requests())
            .finish_non_exhaustive()
    }
}

/// How a request is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// ClientLogin: 401/403 is a wrong password.
    Login,
    /// Anything else.
    Api,
    /// A call that carries the edit token: 401 with `Google-Bad-Token` may mean a stale token.
    Edit,
}

/// A successful exchange, or a stale edit token.
enum Answer {
    Body(Vec<u8>),
    BadToken,
}

enum Method {
    Get,
    Post(String),
}

impl GReader {
    /// ClientLogin (POST form Email/Passwd) and keep `Auth=`. A wrong password is
    /// [`SyncError::Login`], after exactly one request.
    pub async fn login(
        account: &Account,
        fetch: &FetchConfig,
        user_agent: &str,
    ) -> Result<GReader, SyncError> {
        let mut g = GReader::new(&account.url, fetch, user_agent)?;
        g.authenticate(account).await?;
        Ok(g)
    }

    /// A client for the API at `url` that has not signed in yet (no request made).
    pub fn new(url: &str, fetch: &FetchConfig, user_agent: &str) -> Result<GReader, SyncError> {
        let base = api_base(url)?;
        let bad = |reason: String| SyncError::BadUrl {
            url: crate::text::scrub::shown_url(url),
            reason,
        };
        let origin = Url::parse(&base).map_err(|e| bad(e.to_string()))?.origin();
        let user_agent = HeaderValue::from_str(user_agent.trim())
            .map_err(|_| bad("the user agent is not a valid header value".into()))?;
        net::install_crypto_provider();
        let timeout = Duration::from_secs(fetch.timeout_secs.max(1));
        let connect = Duration::from_secs(fetch.connect_timeout_secs.max(1));
        let max = fetch.max_redirects;
        let build = |policy: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .redirect(policy)
                .connect_timeout(connect)
                // A second guard; the deadline that counts is the one around each exchange.
                .timeout(timeout + Duration::from_secs(1))
                .tls_backend_rustls()
                .build()
                .map_err(|e| bad(format!("cannot set up the HTTP client: {e}")))
        };
        let get_client = build(redirect_policy(max, false, origin.clone()))?;
        let post_client = build(redirect_policy(max, true, origin.clone()))?;
        Ok(GReader {
            get_client,
            post_client,
            origin: origin.ascii_serialization(),
            base,
            user_agent,
            timeout,
            max_body_bytes: fetch.max_body_bytes(),
            max_body_mib: fetch.max_body_mib,
            auth: None,
            edit_token: None,
            requests: AtomicUsize::new(0),
        })
    }

    /// ClientLogin with `account`'s credentials (the URL is the one given to [`GReader::new`]).
    /// The password is sent once and not kept.
    pub async fn authenticate(&mut self, account: &Account) -> Result<(), SyncError> {
        let form = form(&[
            ("Email", account.username.as_str()),
            ("Passwd", account.password.as_str()),
        ]);
        let url = self.url("accounts/ClientLogin")?;
        let endpoint = endpoint_of(&url);
        let body = self.body(Kind::Login, url, Method::Post(form)).await?;
        let text = String::from_utf8_lossy(&body);
        if text.contains("Error=BadAuthentication") {
            return Err(SyncError::Login { url: endpoint });
        }
        let auth = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Auth="))
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let Some(auth) = auth else {
            return Err(SyncError::Malformed {
                endpoint,
                reason: "no Auth= line in the answer".into(),
            });
        };
        if HeaderValue::from_str(&format!("GoogleLogin auth={auth}")).is_err() {
            return Err(SyncError::Malformed {
                endpoint,
                reason: "the Auth token is not a valid header value".into(),
            });
        }
        self.auth = Some(auth.to_string());
        self.edit_token = None;
        Ok(())
    }

    /// HTTP requests made so far (login included).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The account's user name (user-info `userName`).
    pub async fn user_name(&self) -> Result<String, SyncError> {
        let (endpoint, info): (_, wire::UserInfo) =
            self.get_json("reader/api/0/user-info", &[]).await?;
        info.user_name
            .or(info.user_id)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| SyncError::Malformed {
                endpoint,
                reason: "no userName".into(),
            })
    }

    /// Every subscription, with its folder.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, SyncError> {
        let (endpoint, list): (_, wire::SubscriptionList) = self
            .get_json(
                "reader/api/0/subscription/list",
                &[("output", "json".into())],
            )
            .await?;
        let Some(subs) = list.subscriptions else {
            return Err(SyncError::Malformed {
                endpoint,
                reason: "no `subscriptions` list".into(),
            });
        };
        subs.into_iter()
            .map(|s| {
                subscription_from_wire(s).ok_or_else(|| SyncError::Malformed {
                    endpoint: endpoint.clone(),
                    reason: "a subscription without an id".into(),
                })
            })
            .collect()
    }

    /// One page of `stream` (newest first): at most `n` items (1,000 at most) crawled after
    /// `crawled_after` (unix seconds), from `continuation` on.
    pub async fn contents(
        &self,
        stream: &str,
        crawled_after: Option<i64>,
        continuation: Option<&str>,
        n: usize,
    ) -> Result<ItemPage, SyncError> {
        let mut url = self.url("reader/api/0/stream/contents")?;
        push_stream(&mut url, stream);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("output", "json");
            q.append_pair("n", &n.clamp(1, wire::MAX_PAGE_ITEMS).to_string());
            if let Some(ot) = crawled_after {
                q.append_pair("ot", &ot.max(0).to_string());
            }
            if let Some(c) = continuation {
                q.append_pair("c", c);
            }
        }
        let endpoint = endpoint_of(&url);
        let body = self.body(Kind::Api, url, Method::Get).await?;
        let page: wire::StreamContents = parse_json(&endpoint, &body)?;
        let Some(items) = page.items else {
            return Err(SyncError::Malformed {
                endpoint,
                reason: "no `items` list".into(),
            });
        };
        let next = page.continuation.filter(|c| !c.trim().is_empty());
        if next.is_some() && next.as_deref() == continuation {
            return Err(SyncError::Runaway {
                endpoint,
                reason: "the continuation it was given".into(),
                pages: 1,
            });
        }
        let items = items
            .into_iter()
            .map(|w| item_from_wire(w).ok_or_else(|| bad_item(&endpoint)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ItemPage {
            items,
            continuation: next,
        })
    }

    /// Every item id of `stream`, newest first, paging over continuations; `exclude` is a state
    /// to leave out (e.g. [`READ`] for the unread ids). A server that pages forever is stopped
    /// with [`SyncError::Runaway`] (see [`Pager`]).
    pub async fn item_ids(
        &self,
        stream: &str,
        exclude: Option<&str>,
    ) -> Result<Vec<i64>, SyncError> {
        self.ids_where(stream, exclude, None).await
    }

    /// The ids of `stream`'s items crawled after `crawled_after` (unix seconds), newest first:
    /// a cheap look at what is new before asking for the items themselves.
    pub async fn item_ids_crawled_after(
        &self,
        stream: &str,
        crawled_after: i64,
    ) -> Result<Vec<i64>, SyncError> {
        self.ids_where(stream, None, Some(crawled_after)).await
    }

    /// The items of these ids (any order in, newest first out), [`EDIT_BATCH`] per request.
    pub async fn items(&self, ids: &[i64]) -> Result<Vec<Item>, SyncError> {
        let url = self.url("reader/api/0/stream/items/contents")?;
        let endpoint = endpoint_of(&url);
        let mut out = Vec::with_capacity(ids.len());
        for batch in ids.chunks(EDIT_BATCH) {
            let pairs: Vec<(&str, String)> =
                batch.iter().map(|&id| ("i", item_id_long(id))).collect();
            let method = Method::Post(form(&pairs));
            let body = self.body(Kind::Api, url.clone(), method).await?;
            let page: wire::StreamContents = parse_json(&endpoint, &body)?;
            for w in page.items.unwrap_or_default() {
                out.push(item_from_wire(w).ok_or_else(|| bad_item(&endpoint))?);
            }
        }
        Ok(out)
    }

    async fn ids_where(
        &self,
        stream: &str,
        exclude: Option<&str>,
        crawled_after: Option<i64>,
    ) -> Result<Vec<i64>, SyncError> {
        let mut ids = Vec::new();
        let mut pager = Pager::new(endpoint_of(&self.url("reader/api/0/stream/items/ids")?));
        let mut continuation: Option<String> = None;
        loop {
            let mut url = self.url("reader/api/0/stream/items/ids")?;
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("output", "json");
                q.append_pair("s", stream);
                q.append_pair("n", &IDS_PAGE.to_string());
                if let Some(xt) = exclude {
                    q.append_pair("xt", xt);
                }
                if let Some(ot) = crawled_after {
                    q.append_pair("ot", &ot.max(0).to_string());
                }
                if let Some(c) = &continuation {
                    q.append_pair("c", c);
                }
            }
            let endpoint = endpoint_of(&url);
            let body = self.body(Kind::Api, url, Method::Get).await?;
            let page: wire::ItemIds = parse_json(&endpoint, &body)?;
            drop(body);
            // FreshRSS answers `{"itemRefs":[]}`… and some servers omit an empty list.
            let page_ids = (page.item_refs.unwrap_or_default().iter())
                .map(|r| r.id.as_deref().and_then(parse_item_id))
                .collect::<Option<Vec<i64>>>()
                .ok_or_else(|| bad_item(&endpoint))?;
            let paged = pager.page(page_ids, page.continuation)?;
            ids.extend(paged.new);
            match paged.next {
                None => return Ok(ids),
                Some(c) => continuation = Some(c),
            }
        }
    }

    /// Adds (`add`) or removes `tag` on every item of `ids`, [`EDIT_BATCH`] ids per request.
    pub async fn edit_tag(&mut self, ids: &[i64], tag: &str, add: bool) -> Result<(), SyncError> {
        for batch in ids.chunks(EDIT_BATCH) {
            let mut pairs: Vec<(&str, String)> =
                batch.iter().map(|&id| ("i", item_id_long(id))).collect();
            pairs.push((if add { "a" } else { "r" }, tag.to_string()));
            self.post_edit("reader/api/0/edit-tag", &pairs).await?;
        }
        Ok(())
    }

    /// Marks every item of `stream` up to the item id `up_to_usec` (inclusive; µs) read.
    pub async fn mark_all_as_read(
        &mut self,
        stream: &str,
        up_to_usec: i64,
    ) -> Result<(), SyncError> {
        let pairs = [
            ("s", stream.to_string()),
            ("ts", up_to_usec.max(0).to_string()),
        ];
        self.post_edit("reader/api/0/mark-all-as-read", &pairs)
            .await
    }

    /// Subscribes to the feed at `url`; returns its stream id (`feed/N`). An answer with an
    /// `error` field (HTTP 200) or no result is [`SyncError::Server`].
    pub async fn quickadd(&self, url: &str) -> Result<String, SyncError> {
        let target = self.url("reader/api/0/subscription/quickadd")?;
        let endpoint = endpoint_of(&target);
        let body = self
            .body(Kind::Api, target, Method::Post(form(&[("quickadd", url)])))
            .await?;
        let answer: wire::QuickAdd = parse_json(&endpoint, &body)?;
        if let Some(err) = answer.error.as_ref().and_then(error_text) {
            return Err(SyncError::Server {
                endpoint,
                message: server_text(&err),
            });
        }
        if answer.num_results == Some(0) {
            return Err(SyncError::Server {
                endpoint,
                message: format!("no feed found at {}", crate::text::scrub::shown_url(url)),
            });
        }
        answer
            .stream_id
            .filter(|s| !s.trim().is_empty())
            .ok_or(SyncError::Malformed {
                endpoint,
                reason: "no streamId".into(),
            })
    }

    /// subscription/edit: `title` renames; `folder` `Some(Some(name))` moves the feed to that
    /// folder (leaving `old_folder`, if given), `Some(None)` takes it out of `old_folder` (when
    /// `None`, the feed's current folder as the server lists it).
    pub async fn edit_subscription(
        &self,
        stream: &str,
        title: Option<&str>,
        folder: Option<Option<&str>>,
        old_folder: Option<&str>,
    ) -> Result<(), SyncError> {
        let mut pairs = vec![("ac", "edit".to_string()), ("s", stream.to_string())];
        if let Some(t) = title {
            pairs.push(("t", t.to_string()));
        }
        match folder {
            Some(Some(new)) => {
                pairs.push(("a", label_stream(new)));
                if let Some(old) = old_folder.filter(|old| *old != new) {
                    pairs.push(("r", label_stream(old)));
                }
            }
            Some(None) => {
                // Without the old folder, ask the server which it is (one more request).
                let old = match old_folder {
                    Some(old) => Some(old.to_string()),
                    None => self
                        .subscriptions()
                        .await?
                        .into_iter()
                        .find(|s| s.id == stream)
                        .and_then(|s| s.folder),
                };
                if let Some(old) = old {
                    pairs.push(("r", label_stream(&old)));
                }
            }
            None => {}
        }
        self.post_ok("reader/api/0/subscription/edit", &pairs).await
    }

    /// Unsubscribes from `stream` (`feed/N`).
    pub async fn unsubscribe(&self, stream: &str) -> Result<(), SyncError> {
        let pairs = [("ac", "unsubscribe".to_string()), ("s", stream.to_string())];
        self.post_ok("reader/api/0/subscription/edit", &pairs).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_with_or_without_a_trailing_slash() {
        for base in [
            "http://127.0.0.1:8777/api/greader.php",
            "http://127.0.0.1:8777/api/greader.php/",
        ] {
            let g = GReader::new(base, &FetchConfig::default(), "t/1").unwrap();
            assert_eq!(
                g.url("accounts/ClientLogin").unwrap().as_str(),
                "http://127.0.0.1:8777/api/greader.php/accounts/ClientLogin"
            );
        }
        let g = GReader::new("https://rss.example.org/", &FetchConfig::default(), "t/1").unwrap();
        let mut u = g.url("reader/api/0/stream/contents").unwrap();
        push_stream(&mut u, READING_LIST);
        assert_eq!(
            u.as_str(),
            "https://rss.example.org/reader/api/0/stream/contents/user/-/state/com.google/reading-list"
        );
        let mut u = g.url("reader/api/0/stream/contents").unwrap();
        push_stream(&mut u, "feed/http://a.example/x?y=1");
        assert_eq!(
            u.as_str(),
            "https://rss.example.org/reader/api/0/stream/contents/feed/http:%2F%2Fa.example%2Fx%3Fy=1"
        );
        for bad in [
            "ftp://x/api",
            "not a url",
            "http://x/api?x=1",
            "http://u:p@x/api",
        ] {
            let err = GReader::new(bad, &FetchConfig::default(), "t/1").unwrap_err();
            assert!(matches!(err, SyncError::BadUrl { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn futures_can_be_spawned() {
        fn send<T: Send>(_: &T) {}
        let mut g = GReader::new("http://127.0.0.1:9/api", &FetchConfig::default(), "t/1").unwrap();
        send(&g.contents(READING_LIST, None, None, 1));
        send(&g.item_ids(READING_LIST, None));
        send(&g.subscriptions());
        send(&g.edit_subscription("feed/1", None, Some(None), None));
        send(&g.edit_tag(&[1], READ, true));
        send(&g);
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let a = Account {
            url: "https://x/api".into(),
            username: "alice".into(),
            password: "s3cret-pw".into(),
        };
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("s3cret-pw") && shown.contains("alice"),
            "{shown}"
        );
        let mut g = GReader::new(&a.url, &FetchConfig::default(), "t/1").unwrap();
        g.auth = Some("alice/tok3n".into());
        assert!(!format!("{g:?}").contains("tok3n"));
    }
}
