//! What the client hands back, built from the lenient wire shapes: subscriptions with their
//! folder, and items with their state, link, body and times.

use super::ids::parse_item_id;
use super::wire;

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

pub(super) fn subscription_from_wire(s: wire::WireSubscription) -> Option<Subscription> {
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

pub(super) fn item_from_wire(w: wire::WireItem) -> Option<Item> {
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
    use crate::sync::greader::endpoint::error_text;
    use crate::sync::greader::READ;

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
}
