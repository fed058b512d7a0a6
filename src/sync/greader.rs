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

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::StatusCode;
use url::Url;

use super::wire;
use crate::config::FetchConfig;
use crate::net::{self, FetchError};
use crate::text::render::count;
use crate::text::scrub::{scrub_line, shown_url};

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
/// Ids one listing (a stream's ids, or a pull's items) may hold: far more than any account
/// keeps, and few enough that a server paging forever is stopped with bounded memory (a million
/// ids, with the set that finds repeats, take about 45 MB).
pub const MAX_LISTED: usize = 1_000_000;
/// Pages of one listing before the client gives up on a server that never stops.
pub const MAX_PAGES: usize = 2_000;
/// The longest continuation token kept (real ones are a number or a short opaque token).
const MAX_CONTINUATION: usize = 1024;

/// Retries of a 500/502/504 (and of a 429/503 answer).
const RETRIES: usize = 2;
/// Pause before the first retry of a 5xx; doubled for the next one.
const BACKOFF: Duration = Duration::from_millis(250);
/// At most this much of a server's error text goes into a message.
const MAX_SERVER_TEXT: usize = 200;

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

/// A feed the account is subscribed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The stream id, `feed/1` on FreshRSS.
    pub id: String,
    pub title: String,
    /// The feed's URL.
    pub url: String,
    /// The site's home page.
    pub site_url: Option<String>,
    /// The label of the first `user/-/label/` category (FreshRSS: the feed's folder).
    pub folder: Option<String>,
}

/// An entry as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The 64-bit item id (the long and the decimal forms give the same number).
    pub id: i64,
    /// The feed's stream id (`origin.streamId`).
    pub stream: String,
    /// As the server sends it (FreshRSS turns `& < >` into fullwidth forms; left as is).
    pub title: String,
    /// `canonical`, else `alternate`.
    pub link: Option<String>,
    /// Unix seconds.
    pub published: Option<i64>,
    /// Unix seconds.
    pub updated: Option<i64>,
    pub authors: Vec<String>,
    /// `content.content`, else `summary.content`; untrusted HTML.
    pub content_html: Option<String>,
    pub read: bool,
    pub starred: bool,
    /// When the server stored it, in µs (`timestampUsec`, else `crawlTimeMsec` × 1000).
    pub crawled_usec: Option<i64>,
}

/// One page of stream/contents.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemPage {
    pub items: Vec<Item>,
    /// Pass it back to get the next page; `None` on the last page.
    pub continuation: Option<String>,
}

/// Guards one paged listing (a stream's ids, or a pull's items) against a server that never
/// stops: a continuation seen before or too long to be real, a page that adds nothing new while
/// saying more follows, more than [`MAX_LISTED`] ids or more than [`MAX_PAGES`] pages each end
/// it with [`SyncError::Runaway`], so the time and memory a listing takes are bounded.
#[derive(Debug)]
pub struct Pager {
    endpoint: String,
    ids: HashSet<i64>,
    continuations: HashSet<String>,
    pages: usize,
}

/// What a page brought: the ids new to the listing, in the page's order, and the continuation
/// to ask for next (`None`: the listing is complete).
#[derive(Debug, Default)]
pub struct Paged {
    pub new: Vec<i64>,
    pub next: Option<String>,
}

impl Pager {
    /// A listing from `endpoint` (named in the error).
    pub fn new(endpoint: impl Into<String>) -> Pager {
        Pager {
            endpoint: endpoint.into(),
            ids: HashSet::new(),
            continuations: HashSet::new(),
            pages: 0,
        }
    }

    /// Takes one page's ids and continuation.
    pub fn page(
        &mut self,
        ids: impl IntoIterator<Item = i64>,
        continuation: Option<String>,
    ) -> Result<Paged, SyncError> {
        self.pages += 1;
        let mut new = Vec::new();
        for id in ids {
            if self.ids.insert(id) {
                new.push(id);
            }
            if self.ids.len() > MAX_LISTED {
                return Err(self.runaway(format!("more than {MAX_LISTED} items")));
            }
        }
        let Some(next) = continuation.filter(|c| !c.trim().is_empty()) else {
            return Ok(Paged { new, next: None });
        };
        if new.is_empty() {
            return Err(self.runaway("a page with nothing new, and a continuation".into()));
        }
        if next.len() > MAX_CONTINUATION {
            let why = format!("a continuation longer than {MAX_CONTINUATION} bytes");
            return Err(self.runaway(why));
        }
        if self.continuations.contains(&next) {
            return Err(self.runaway("a continuation it had sent before".into()));
        }
        if self.pages >= MAX_PAGES {
            return Err(self.runaway(format!("more than {MAX_PAGES} pages")));
        }
        self.continuations.insert(next.clone());
        Ok(Paged {
            new,
            next: Some(next),
        })
    }

    fn runaway(&self, reason: String) -> SyncError {
        SyncError::Runaway {
            endpoint: self.endpoint.clone(),
            reason,
            pages: self.pages,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "login refused by {url}: check [sync] username and the password (FreshRSS: the API \
         password set in the profile, not the web password), then run `paperboy sync login`"
    )]
    Login { url: String },
    #[error(
        "{url} answered 401 Unauthorized: the password or the server's token changed; run \
         `paperboy sync login`"
    )]
    Unauthorized { url: String },
    #[error("{endpoint} answered HTTP {status}{}", http_hint(*status))]
    Http { endpoint: String, status: u16 },
    #[error("{endpoint} is rate limiting this client: {}", retry_text(*retry_after_secs))]
    RateLimited {
        endpoint: String,
        retry_after_secs: Option<u64>,
    },
    #[error("{endpoint} refused: {message}")]
    Server { endpoint: String, message: String },
    #[error(
        "{endpoint} sent a response paperboy cannot read ({reason}); is [sync] url the server's \
         Google Reader API base?"
    )]
    Malformed { endpoint: String, reason: String },
    #[error("cannot reach {endpoint}: {reason}; check the network and [sync] url")]
    Network { endpoint: String, reason: String },
    #[error("{endpoint} did not answer in time (fetch.timeout_secs); try again later")]
    Timeout { endpoint: String },
    #[error(
        "{endpoint} kept sending more pages ({reason}); stopped after {}: the server is \
         misbehaving, nothing more is taken from it in this sync",
        count(*pages, "page", "pages")
    )]
    Runaway {
        endpoint: String,
        reason: String,
        pages: usize,
    },
    #[error(
        "{endpoint} redirected to {to}, another server than [sync] url's {from}: the password \
         and tokens go to {from} only, so the sync stopped; if the server moved, set [sync] url \
         to its new address"
    )]
    OtherOrigin {
        endpoint: String,
        from: String,
        to: String,
    },
    #[error("response of {endpoint} is larger than {limit_mib} MiB (raise fetch.max_body_mib)")]
    TooLarge { endpoint: String, limit_mib: u64 },
    #[error("[sync] url {url} is not usable: {reason}")]
    BadUrl { url: String, reason: String },
}

fn http_hint(status: u16) -> &'static str {
    match status {
        300..=399 => {
            " (a redirect paperboy does not follow here: set [sync] url to the final address)"
        }
        400 => " (Bad Request: the server did not accept the request)",
        403 => " (Forbidden: is the API enabled for this account?)",
        404 => " (Not Found: is [sync] url the Google Reader API base?)",
        501 => " (Not Implemented by this server)",
        500..=599 => " (a server error; try again later)",
        _ => "",
    }
}

fn retry_text(secs: Option<u64>) -> String {
    match secs {
        Some(s) => format!("try again in {s} s"),
        None => "try again later".to_string(),
    }
}

/// Parses an item id in any form a server sends: the long form
/// `tag:google.com,2005:reader/item/<16 hex>` (a u64 reinterpreted as i64), a decimal (signed or
/// unsigned 64-bit), or bare 16 hex digits.
pub fn parse_item_id(id: &str) -> Option<i64> {
    let id = id.trim();
    if let Some(hex) = id.strip_prefix("tag:google.com,2005:reader/item/") {
        return parse_hex_id(hex);
    }
    if let Ok(n) = id.parse::<i64>() {
        return Some(n);
    }
    if let Ok(n) = id.parse::<u64>() {
        return Some(n as i64);
    }
    if id.len() == 16 {
        return parse_hex_id(id);
    }
    None
}

fn parse_hex_id(hex: &str) -> Option<i64> {
    if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|n| n as i64)
}

/// The long form of an item id: `tag:google.com,2005:reader/item/` and 16 hex digits.
pub fn item_id_long(id: i64) -> String {
    format!("tag:google.com,2005:reader/item/{:016x}", id as u64)
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
            url: shown_url(url),
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
            let method = Method::Post(form_owned(&pairs));
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
                message: format!("no feed found at {}", shown_url(url)),
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

    // --- plumbing --------------------------------------------------------------------------

    fn url(&self, path: &str) -> Result<Url, SyncError> {
        let full = format!("{}/{path}", self.base);
        Url::parse(&full).map_err(|e| SyncError::BadUrl {
            url: shown_url(&full),
            reason: e.to_string(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
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
    async fn post_ok(&self, path: &str, pairs: &[(&str, String)]) -> Result<(), SyncError> {
        let url = self.url(path)?;
        let endpoint = endpoint_of(&url);
        let body = self
            .body(Kind::Api, url, Method::Post(form_owned(pairs)))
            .await?;
        expect_ok(&endpoint, &body)
    }

    /// A POST that carries the edit token, fetched once and again if the server calls it stale.
    async fn post_edit(&mut self, path: &str, pairs: &[(&str, String)]) -> Result<(), SyncError> {
        let url = self.url(path)?;
        let endpoint = endpoint_of(&url);
        for fresh in [false, true] {
            let token = self.edit_token(fresh).await?;
            let mut with_token = pairs.to_vec();
            with_token.push(("T", token));
            let method = Method::Post(form_owned(&with_token));
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
    async fn body(&self, kind: Kind, url: Url, method: Method) -> Result<Vec<u8>, SyncError> {
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
        shown_url(url.as_str())
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
fn redirect_policy(max: usize, post: bool, origin: url::Origin) -> reqwest::redirect::Policy {
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

/// The API base: http(s), a host, no query or fragment, no trailing slash.
fn api_base(url: &str) -> Result<String, SyncError> {
    let bad = |reason: &str| SyncError::BadUrl {
        url: shown_url(url),
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
fn endpoint_of(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    shown_url(u.as_str())
}

/// `stream` appended to a URL path: `user/-/state/com.google/reading-list` as segments, a
/// `feed/<url>` stream with its URL as one encoded segment.
fn push_stream(url: &mut Url, stream: &str) {
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

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn form_owned(pairs: &[(&str, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

fn label_stream(name: &str) -> String {
    format!("{LABEL_PREFIX}{name}")
}

fn fetch_error(endpoint: &str, e: FetchError, limit_mib: u64) -> SyncError {
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

fn parse_json<T: serde::de::DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(body).map_err(|e| SyncError::Malformed {
        endpoint: endpoint.to_string(),
        reason: server_text(&format!("bad JSON: {e}")),
    })
}

fn expect_ok(endpoint: &str, body: &[u8]) -> Result<(), SyncError> {
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
fn server_text(s: &str) -> String {
    let line = scrub_line(s);
    match line.char_indices().nth(MAX_SERVER_TEXT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// The text of a quickadd `error` field, if it says anything.
fn error_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null | serde_json::Value::Bool(false) => None,
        serde_json::Value::String(s) if s.trim().is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn bad_item(endpoint: &str) -> SyncError {
    SyncError::Malformed {
        endpoint: endpoint.to_string(),
        reason: "an item without a usable id".into(),
    }
}

/// `user/-/state/com.google/<name>`, or the same under a numeric user id.
fn is_state(category: &str, name: &str) -> bool {
    let Some(rest) = category.strip_prefix("user/") else {
        return false;
    };
    rest.split_once('/')
        .is_some_and(|(_, tail)| tail.strip_prefix("state/com.google/") == Some(name))
}

/// The name of a `user/<id>/label/<name>` category.
fn label_name(category: &str) -> Option<&str> {
    let rest = category.strip_prefix("user/")?;
    let (_, tail) = rest.split_once('/')?;
    tail.strip_prefix("label/").filter(|n| !n.is_empty())
}

fn subscription_from_wire(s: wire::WireSubscription) -> Option<Subscription> {
    let id = s.id.filter(|i| !i.trim().is_empty())?;
    let folder = s.categories.iter().find_map(|c| {
        let name = label_name(c.id.as_deref()?)?;
        Some(
            c.label
                .as_deref()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or(name)
                .to_string(),
        )
    });
    let url = s.url.unwrap_or_default();
    Some(Subscription {
        title: s
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| url.clone()),
        id,
        url,
        site_url: s.html_url.filter(|u| !u.trim().is_empty()),
        folder,
    })
}

fn item_from_wire(w: wire::WireItem) -> Option<Item> {
    let id = parse_item_id(w.id.as_deref()?)?;
    let href = |list: &[wire::Href]| {
        list.iter()
            .filter_map(|h| h.href.as_deref())
            .map(str::trim)
            .find(|h| !h.is_empty())
            .map(str::to_string)
    };
    let link = href(&w.canonical).or_else(|| href(&w.alternate));
    let categories: Vec<&str> = w.categories.iter().filter_map(|c| c.as_str()).collect();
    let authors = match &w.author {
        Some(serde_json::Value::String(a)) => vec![a.clone()],
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let authors = authors
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let text = |c: Option<wire::Content>| c.and_then(|c| c.content).filter(|t| !t.is_empty());
    let content_html = text(w.content).or_else(|| text(w.summary));
    Some(Item {
        id,
        stream: w.origin.and_then(|o| o.stream_id).unwrap_or_default(),
        title: w.title.unwrap_or_default(),
        link,
        published: w.published,
        updated: w.updated,
        authors,
        content_html,
        read: categories.iter().any(|c| is_state(c, "read")),
        starred: categories.iter().any(|c| is_state(c, "starred")),
        crawled_usec: w
            .timestamp_usec
            .or_else(|| w.crawl_time_msec.map(|ms| ms.saturating_mul(1000))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two items of stream/contents as FreshRSS sent them (API-NOTES.md), plus one read and
    /// starred with a label, a fullwidth title, `content` beside `summary` and numbers as strings.
    const CONTENTS: &str = r#"{"id":"user/-/state/com.google/reading-list","updated":1796025008,"items":[
     {"id":"tag:google.com,2005:reader/item/00066179a8383c56",
      "crawlTimeMsec":"1796025001458","timestampUsec":"1796025001458774","published":1728324000,
      "title":"Post 25: notes on DOI 10.1000/xyz025",
      "canonical":[{"href":"http://127.0.0.1:8778/posts/25.html"}],
      "alternate":[{"href":"http://127.0.0.1:8778/posts/25-alt.html"}],
      "categories":["user/-/state/com.google/reading-list","user/-/label/Research","topic-1"],
      "origin":{"streamId":"feed/1","htmlUrl":"http://127.0.0.1:8778/","title":"Loopback Research Blog"},
      "summary":{"content":"<p>Body of post 25</p>"},
      "author":"ada@example.invalid (Ada 1)"},
     {"id":"tag:google.com,2005:reader/item/00066179a8383c55",
      "crawlTimeMsec":"1796025001458","published":"1728320000","updated":1728330000,
      "title":"Q＆A ＜x＞ \"quoted\"",
      "alternate":[{"href":"http://127.0.0.1:8778/posts/24.html"}],
      "categories":["user/-/state/com.google/reading-list","user/-/state/com.google/read",
        "user/-/state/com.google/starred","user/-/label/ToRead"],
      "origin":{"streamId":"feed/2"},
      "summary":{"content":"summary"},"content":{"content":"<p>full</p>"}}],
     "continuation":"1796025001458772"}"#;

    #[test]
    fn both_id_forms_give_the_same_number() {
        let long = parse_item_id("tag:google.com,2005:reader/item/00066179a8383c56");
        assert_eq!(long, Some(1796025001458774));
        assert_eq!(parse_item_id("1796025001458774"), long);
        assert_eq!(parse_item_id("00066179a8383c56"), long);
        assert_eq!(
            item_id_long(1796025001458774),
            "tag:google.com,2005:reader/item/00066179a8383c56"
        );
        // Ids above i64::MAX (Inoreader, Google) wrap to negative and come back the same.
        let high = parse_item_id("tag:google.com,2005:reader/item/ffffffffffffff9c");
        assert_eq!(high, Some(-100));
        assert_eq!(parse_item_id("18446744073709551516"), Some(-100));
        assert_eq!(parse_item_id("-100"), Some(-100));
        assert_eq!(
            item_id_long(-100),
            "tag:google.com,2005:reader/item/ffffffffffffff9c"
        );
        for bad in [
            "",
            "tag:google.com,2005:reader/item/",
            "tag:google.com,2005:reader/item/xyz",
            "tag:google.com,2005:reader/item/00066179a8383c5600",
            "12a",
            "99999999999999999999",
        ] {
            assert_eq!(parse_item_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn contents_items_with_state_link_body_and_times() {
        let page: wire::StreamContents = serde_json::from_str(CONTENTS).unwrap();
        assert_eq!(page.continuation.as_deref(), Some("1796025001458772"));
        let items: Vec<Item> = page
            .items
            .unwrap()
            .into_iter()
            .filter_map(item_from_wire)
            .collect();
        assert_eq!(items.len(), 2);
        let a = &items[0];
        assert_eq!(a.id, 1796025001458774);
        assert_eq!(a.stream, "feed/1");
        assert_eq!(
            a.link.as_deref(),
            Some("http://127.0.0.1:8778/posts/25.html"),
            "canonical first"
        );
        assert_eq!(a.published, Some(1728324000));
        assert_eq!(a.updated, None);
        assert_eq!(a.authors, vec!["ada@example.invalid (Ada 1)".to_string()]);
        assert_eq!(a.content_html.as_deref(), Some("<p>Body of post 25</p>"));
        assert!(!a.read && !a.starred, "absence of read means unread");
        assert_eq!(a.crawled_usec, Some(1796025001458774));
        let b = &items[1];
        assert_eq!(
            b.title, "Q＆A ＜x＞ \"quoted\"",
            "fullwidth forms are left as the server sent them"
        );
        assert_eq!(
            b.link.as_deref(),
            Some("http://127.0.0.1:8778/posts/24.html"),
            "else alternate"
        );
        assert_eq!(b.published, Some(1728320000), "a number sent as a string");
        assert_eq!(b.updated, Some(1728330000));
        assert!(b.read && b.starred);
        assert!(b.authors.is_empty());
        assert_eq!(
            b.content_html.as_deref(),
            Some("<p>full</p>"),
            "content before summary"
        );
        assert_eq!(
            b.crawled_usec,
            Some(1796025001458000),
            "crawlTimeMsec when no timestampUsec"
        );
    }

    #[test]
    fn states_and_labels_under_a_numeric_user_id() {
        assert!(is_state("user/1005921515/state/com.google/read", "read"));
        assert!(is_state(READ, "read"));
        assert!(!is_state("user/-/state/com.google/reading-list", "read"));
        assert!(!is_state("read", "read"));
        assert!(!is_state("user/-/label/read", "read"));
        assert_eq!(label_name("user/-/label/Research"), Some("Research"));
        assert_eq!(label_name("user/123/label/A/B"), Some("A/B"));
        assert_eq!(label_name("topic-1"), None);
        assert_eq!(label_name("user/-/state/com.google/starred"), None);
    }

    #[test]
    fn subscriptions_take_the_first_label_as_folder() {
        let json = r#"{"subscriptions":[{"id":"feed/1","title":"Loopback Research Blog",
          "categories":[{"id":"user/-/label/Research","label":"Research"}],
          "url":"http://127.0.0.1:8778/research.xml","htmlUrl":"http://127.0.0.1:8778/",
          "iconUrl":"http://127.0.0.1:8777/f.php?d9f49870"},
          {"id":"feed/2","title":"Q＆A ／ Notes， \"quoted\"？ it's； ok ＜x＞","categories":[
            {"id":"user/-/state/com.google/starred"},{"id":"user/-/label/Later"},{"id":"user/-/label/X","label":"Y"}],
           "url":"http://127.0.0.1:8778/q.xml"},
          {"id":7,"url":"http://127.0.0.1:8778/n.xml","categories":null}]}"#;
        let list: wire::SubscriptionList = serde_json::from_str(json).unwrap();
        let subs: Vec<Subscription> = list
            .subscriptions
            .unwrap()
            .into_iter()
            .filter_map(subscription_from_wire)
            .collect();
        assert_eq!(
            subs[0],
            Subscription {
                id: "feed/1".into(),
                title: "Loopback Research Blog".into(),
                url: "http://127.0.0.1:8778/research.xml".into(),
                site_url: Some("http://127.0.0.1:8778/".into()),
                folder: Some("Research".into()),
            }
        );
        assert_eq!(
            subs[1].title,
            "Q＆A ／ Notes， \"quoted\"？ it's； ok ＜x＞"
        );
        assert_eq!(
            subs[1].folder.as_deref(),
            Some("Later"),
            "no label field: from the id"
        );
        assert_eq!(subs[1].site_url, None);
        assert_eq!(subs[2].id, "7");
        assert_eq!(
            subs[2].title, "http://127.0.0.1:8778/n.xml",
            "no title: the URL"
        );
        assert_eq!(subs[2].folder, None);
    }

    #[test]
    fn item_ids_quickadd_and_user_info_shapes() {
        let ids: wire::ItemIds = serde_json::from_str(
            r#"{"itemRefs":[{"id":"1796025005406574"},{"id":1796025001458773}],"continuation":"1796025001458773"}"#,
        )
        .unwrap();
        let refs: Vec<Option<i64>> = ids
            .item_refs
            .unwrap()
            .iter()
            .map(|r| r.id.as_deref().and_then(parse_item_id))
            .collect();
        assert_eq!(refs, vec![Some(1796025005406574), Some(1796025001458773)]);
        let q: wire::QuickAdd = serde_json::from_str(
            r#"{"numResults":0,"error":"Already subscribed! http://127.0.0.1:8778/r.xml"}"#,
        )
        .unwrap();
        assert_eq!(q.num_results, Some(0));
        assert_eq!(
            q.error.as_ref().and_then(error_text).as_deref(),
            Some("Already subscribed! http://127.0.0.1:8778/r.xml")
        );
        let ok: wire::QuickAdd = serde_json::from_str(
            r#"{"numResults":1,"query":"http://x/r.xml","streamId":"feed/1","streamName":"R"}"#,
        )
        .unwrap();
        assert_eq!(ok.stream_id.as_deref(), Some("feed/1"));
        assert!(ok.error.is_none());
        let info: wire::UserInfo = serde_json::from_str(
            r#"{"userId":"alice","userName":"alice","userProfileId":"alice","userEmail":""}"#,
        )
        .unwrap();
        assert_eq!(info.user_name.as_deref(), Some("alice"));
    }

    #[test]
    fn an_item_without_an_id_is_not_an_item() {
        let w: wire::WireItem = serde_json::from_str(r#"{"title":"x"}"#).unwrap();
        assert!(item_from_wire(w).is_none());
        let w: wire::WireItem = serde_json::from_str(r#"{"id":"tag:x"}"#).unwrap();
        assert!(item_from_wire(w).is_none());
    }

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
