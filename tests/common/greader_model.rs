//! An in-process model of a Google Reader API server (FreshRSS's semantics, see
//! `../shared/freshrss/API-NOTES.md`) on 127.0.0.1, for what the real FreshRSS cannot be made to
//! show (refusals, 500s, dropped connections, an empty subscription list) and for property tests
//! too many cases long for the real one. Its state is open to the test: read it to check what
//! the server ends with, change it to act as another client.
//!
//! Semantics kept: item ids are the crawl time in µs (as FreshRSS's); `edit-tag` adds or removes
//! a state on every `i`; `mark-all-as-read` reads the stream's items whose id is at most `ts`;
//! `ot` (seconds) keeps items crawled after it; the reading list and the id lists are newest
//! first, paged by `n` with an offset as continuation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Reply, Request, Server};

const READ: &str = "user/-/state/com.google/read";
const STARRED: &str = "user/-/state/com.google/starred";
const READING_LIST: &str = "user/-/state/com.google/reading-list";

#[derive(Debug, Clone)]
pub struct ModelFeed {
    /// `feed/N`.
    pub stream: String,
    pub title: String,
    pub url: String,
    pub folder: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ModelItem {
    /// Also its crawl time in µs.
    pub id: i64,
    pub stream: String,
    pub title: String,
    pub link: Option<String>,
    pub read: bool,
    pub starred: bool,
}

#[derive(Debug, Default)]
pub struct ModelState {
    pub feeds: Vec<ModelFeed>,
    pub items: Vec<ModelItem>,
    /// Every state change the server accepted, in order: (item id, tag, added).
    pub edits: Vec<(i64, String, bool)>,
}

impl ModelState {
    /// `feeds` feeds of `per_feed` items each (all unread), published a day apart: feed `k` is
    /// `feed/k`, in folder `Folder k%2`; its item `i` is titled `Feed k post i`.
    pub fn with_feeds(feeds: usize, per_feed: usize) -> ModelState {
        let mut s = ModelState::default();
        let base: i64 = 1_700_000_000_000_000;
        for k in 1..=feeds {
            s.feeds.push(ModelFeed {
                stream: format!("feed/{k}"),
                title: format!("Feed {k}"),
                url: format!("http://127.0.0.1:9/feed{k}.xml"),
                folder: Some(format!("Folder {}", k % 2)),
            });
            for i in 0..per_feed {
                s.items.push(ModelItem {
                    id: base + (k * 1000 + i) as i64 * 86_400_000_000,
                    stream: format!("feed/{k}"),
                    title: format!("Feed {k} post {i}"),
                    link: Some(format!("http://127.0.0.1:9/{k}/{i}")),
                    read: false,
                    starred: false,
                });
            }
        }
        s
    }

    pub fn item(&self, title: &str) -> &ModelItem {
        self.items
            .iter()
            .find(|i| i.title == title)
            .unwrap_or_else(|| panic!("no item {title}"))
    }
}

/// Hook consulted before the model: `Some(reply)` answers the request instead.
pub type Hook = dyn Fn(&Request) -> Option<Reply> + Send + Sync;

pub struct Model {
    pub server: Server,
    pub state: Arc<Mutex<ModelState>>,
}

impl Model {
    pub fn start(state: ModelState) -> Model {
        Model::with_hook(state, |_| None)
    }

    pub fn with_hook(
        state: ModelState,
        hook: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static,
    ) -> Model {
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        let server = Server::start(move |req: &Request| {
            if let Some(reply) = hook(req) {
                return reply;
            }
            answer(&mut shared.lock().unwrap(), req)
        });
        Model { server, state }
    }

    /// The API base to put in `[sync] url`.
    pub fn api(&self) -> String {
        self.server.url("/api/greader.php")
    }

    /// Requests whose path contains `needle`.
    pub fn hits(&self, needle: &str) -> Vec<Request> {
        let all = self.server.requests.lock().unwrap();
        all.iter()
            .filter(|r| r.path.contains(needle))
            .cloned()
            .collect()
    }
}

/// The form (POST body) or query pairs of a request, in order.
pub fn pairs(req: &Request) -> Vec<(String, String)> {
    let query = req.path.split_once('?').map_or("", |(_, q)| q);
    let mut all: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    all.extend(url::form_urlencoded::parse(&req.body).into_owned());
    all
}

fn json(v: serde_json::Value) -> Reply {
    Reply::ok("application/json", v.to_string())
}

fn item_json(i: &ModelItem) -> serde_json::Value {
    let mut categories = vec![READING_LIST.to_string()];
    if i.read {
        categories.push(READ.into());
    }
    if i.starred {
        categories.push(STARRED.into());
    }
    let links: Vec<serde_json::Value> = i
        .link
        .iter()
        .map(|l| serde_json::json!({"href": l}))
        .collect();
    serde_json::json!({
        "id": format!("tag:google.com,2005:reader/item/{:016x}", i.id as u64),
        "crawlTimeMsec": (i.id / 1000).to_string(),
        "timestampUsec": i.id.to_string(),
        "published": i.id / 1_000_000,
        "title": i.title,
        "canonical": links,
        "categories": categories,
        "origin": {"streamId": i.stream},
        "summary": {"content": format!("<p>{}</p>", i.title)},
    })
}

fn parse_id(s: &str) -> Option<i64> {
    match s.strip_prefix("tag:google.com,2005:reader/item/") {
        Some(hex) => u64::from_str_radix(hex, 16).ok().map(|n| n as i64),
        None => s.parse().ok(),
    }
}

/// The items of `stream` crawled after `ot` (seconds), leaving out `xt`, newest first.
fn select<'a>(
    s: &'a ModelState,
    stream: &str,
    xt: Option<&str>,
    ot: Option<i64>,
) -> Vec<&'a ModelItem> {
    let mut items: Vec<&ModelItem> = s
        .items
        .iter()
        .filter(|i| match stream {
            READING_LIST => true,
            STARRED => i.starred,
            _ => i.stream == stream,
        })
        .filter(|i| match xt {
            Some(READ) => !i.read,
            Some(STARRED) => !i.starred,
            _ => true,
        })
        .filter(|i| ot.is_none_or(|ot| i.id > ot * 1_000_000))
        .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.id));
    items
}

/// One page of `all` from the offset in `c`, `n` long, with the next offset.
fn page<T: Clone>(all: &[T], q: &HashMap<String, String>) -> (Vec<T>, Option<String>) {
    let n: usize = q.get("n").and_then(|n| n.parse().ok()).unwrap_or(20);
    let from: usize = q.get("c").and_then(|c| c.parse().ok()).unwrap_or(0);
    let to = (from + n).min(all.len());
    let next = (to < all.len()).then(|| to.to_string());
    (all[from.min(to)..to].to_vec(), next)
}

fn answer(s: &mut ModelState, req: &Request) -> Reply {
    let path = req.path.split('?').next().unwrap_or("");
    let Some(call) = path.strip_prefix("/api/greader.php/") else {
        return Reply::status(404);
    };
    let form = pairs(req);
    let q: HashMap<String, String> = form.iter().cloned().collect();
    let values = |key: &str| -> Vec<String> {
        form.iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    if call == "accounts/ClientLogin" {
        return Reply::ok("text/plain", "SID=x\nLSID=null\nAuth=model-token\n");
    }
    let Some(call) = call.strip_prefix("reader/api/0/") else {
        return Reply::status(404);
    };
    match call {
        "token" => Reply::ok("text/plain", "model-edit-token"),
        "user-info" => json(serde_json::json!({"userName": "model", "userId": "1"})),
        "subscription/list" => json(serde_json::json!({"subscriptions": s.feeds.iter().map(|f| {
            let categories: Vec<serde_json::Value> = f.folder.iter().map(|l| serde_json::json!(
                {"id": format!("user/-/label/{l}"), "label": l})).collect();
            serde_json::json!({"id": f.stream, "title": f.title, "url": f.url,
                "htmlUrl": f.url, "categories": categories})
        }).collect::<Vec<_>>()})),
        "stream/items/ids" => {
            let stream = q.get("s").map_or(READING_LIST, String::as_str);
            let ot = q.get("ot").and_then(|v| v.parse().ok());
            let ids: Vec<i64> = select(s, stream, q.get("xt").map(String::as_str), ot)
                .iter()
                .map(|i| i.id)
                .collect();
            let (ids, next) = page(&ids, &q);
            let refs: Vec<_> = ids
                .iter()
                .map(|i| serde_json::json!({"id": i.to_string()}))
                .collect();
            json(serde_json::json!({"itemRefs": refs, "continuation": next}))
        }
        "stream/items/contents" => {
            let wanted: Vec<i64> = values("i").iter().filter_map(|i| parse_id(i)).collect();
            let items: Vec<_> = select(s, READING_LIST, None, None)
                .into_iter()
                .filter(|i| wanted.contains(&i.id))
                .map(item_json)
                .collect();
            json(serde_json::json!({"items": items}))
        }
        "edit-tag" => {
            let ids: Vec<i64> = values("i").iter().filter_map(|i| parse_id(i)).collect();
            for (tag, add) in values("a")
                .into_iter()
                .map(|t| (t, true))
                .chain(values("r").into_iter().map(|t| (t, false)))
            {
                for item in s.items.iter_mut().filter(|i| ids.contains(&i.id)) {
                    match tag.as_str() {
                        READ => item.read = add,
                        STARRED => item.starred = add,
                        _ => continue,
                    }
                }
                for id in &ids {
                    s.edits.push((*id, tag.clone(), add));
                }
            }
            Reply::ok("text/plain", "OK")
        }
        "mark-all-as-read" => {
            let stream = q.get("s").cloned().unwrap_or_default();
            let ts: i64 = q.get("ts").and_then(|t| t.parse().ok()).unwrap_or(i64::MAX);
            let ids: Vec<i64> = select(s, &stream, None, None)
                .iter()
                .filter(|i| i.id <= ts)
                .map(|i| i.id)
                .collect();
            for item in s.items.iter_mut().filter(|i| ids.contains(&i.id)) {
                item.read = true;
            }
            Reply::ok("text/plain", "OK")
        }
        c if c.starts_with("stream/contents/") => {
            let stream = &c["stream/contents/".len()..];
            let ot = q.get("ot").and_then(|v| v.parse().ok());
            let items: Vec<ModelItem> = select(s, stream, None, ot).into_iter().cloned().collect();
            let (items, next) = page(&items, &q);
            let items: Vec<_> = items.iter().map(item_json).collect();
            json(serde_json::json!({"items": items, "continuation": next}))
        }
        _ => Reply::status(404),
    }
}
