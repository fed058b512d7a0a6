//! The JSON shapes of the Google Reader API, as servers send them (see the FreshRSS notes in
//! `../shared/freshrss/API-NOTES.md`). Lenient on purpose: servers disagree on whether numbers
//! are strings, and on which fields exist, so every field is optional here and the client
//! decides what is required.

use serde::{Deserialize, Deserializer};

/// A number sent either as a JSON number or as a string of digits (`"crawlTimeMsec":"179…"`).
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|u| u as i64))
            // A float (some servers send seconds with a fraction): whole seconds.
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    })
}

/// A string sent either as a string or as a number (continuations, ids).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Items one stream/contents page may hold (the client asks for fewer).
pub(crate) const MAX_PAGE_ITEMS: usize = 1_000;
/// Ids one stream/items/ids page may hold: as many as the client asks for.
pub(crate) const MAX_PAGE_IDS: usize = 50_000;

/// A list of at most `max` elements, or `null`: a longer one is refused while it is read, so
/// that a page of a million tiny items never fills memory (the body cap alone allows that).
struct Capped<T> {
    max: usize,
    what: &'static str,
    _list: std::marker::PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Capped<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a list of at most {} {}", self.max, self.what)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::new();
        while let Some(x) = seq.next_element()? {
            if list.len() == self.max {
                return Err(serde::de::Error::custom(format!(
                    "more than {} {} in one page",
                    self.max, self.what
                )));
            }
            list.push(x);
        }
        Ok(Some(list))
    }
}

fn capped<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
    max: usize,
    what: &'static str,
) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_option(Capped {
        max,
        what,
        _list: std::marker::PhantomData,
    })
}

fn page_items<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<WireItem>>, D::Error> {
    capped(d, MAX_PAGE_ITEMS, "items")
}

fn page_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<ItemRef>>, D::Error> {
    capped(d, MAX_PAGE_IDS, "ids")
}

/// A list that may be absent or `null`.
fn list_or_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
pub(crate) struct UserInfo {
    #[serde(default, rename = "userName")]
    pub user_name: Option<String>,
    #[serde(default, rename = "userId", deserialize_with = "lenient_string")]
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SubscriptionList {
    pub subscriptions: Option<Vec<WireSubscription>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireSubscription {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default, rename = "htmlUrl")]
    pub html_url: Option<String>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub categories: Vec<WireCategory>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCategory {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StreamContents {
    /// Required: a JSON document without `items` is not a stream.
    #[serde(default, deserialize_with = "page_items")]
    pub items: Option<Vec<WireItem>>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub continuation: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Href {
    #[serde(default)]
    pub href: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Content {
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Origin {
    #[serde(default, rename = "streamId")]
    pub stream_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireItem {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, rename = "crawlTimeMsec", deserialize_with = "lenient_i64")]
    pub crawl_time_msec: Option<i64>,
    #[serde(default, rename = "timestampUsec", deserialize_with = "lenient_i64")]
    pub timestamp_usec: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub published: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub updated: Option<i64>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub canonical: Vec<Href>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub alternate: Vec<Href>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub categories: Vec<serde_json::Value>,
    #[serde(default)]
    pub origin: Option<Origin>,
    #[serde(default)]
    pub summary: Option<Content>,
    #[serde(default)]
    pub content: Option<Content>,
    #[serde(default)]
    pub author: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ItemIds {
    #[serde(default, rename = "itemRefs", deserialize_with = "page_ids")]
    pub item_refs: Option<Vec<ItemRef>>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub continuation: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ItemRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct QuickAdd {
    #[serde(default, rename = "numResults", deserialize_with = "lenient_i64")]
    pub num_results: Option<i64>,
    #[serde(default, rename = "streamId")]
    pub stream_id: Option<String>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}
