//! The papers table: what the writer stores for each entry and how `papers` groups it.

use super::tests::{doc, entry, update};
use super::*;
use crate::model::NewEntry;
use crate::model::PaperRow;
use crate::text::ids::find_papers;

fn citing(guid: &str, published: &str, html: &str) -> NewEntry {
    let mut e = entry(guid, guid, Some(published));
    e.papers = find_papers(html, &[]);
    e.content_html = Some(html.to_string());
    e
}

const COINS: &str = r#"<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft_id=info:doi/10.1111/hsc.12135&amp;rft_id=info:pmid/23193287&amp;rft.atitle=Connecting+People"></span>"#;

fn keys(rows: &[PaperRow]) -> Vec<(&str, usize)> {
    rows.iter()
        .map(|r| (r.key.as_str(), r.cited_by.len()))
        .collect()
}

fn store_with_papers() -> (Store, FeedId, FeedId) {
    let mut store = Store::open_in_memory().unwrap();
    let f1 = store.add_feed("https://a.example/feed", None).unwrap().0;
    let f2 = store.add_feed("https://b.example/feed", None).unwrap().0;
    let a = doc(vec![
        citing("a1", "2014-12-03T10:00:00Z", COINS),
        citing(
            "a2",
            "2014-12-20T10:00:00Z",
            r#"<p>See <a href="https://arxiv.org/abs/1412.3456v2">the preprint</a>.</p>"#,
        ),
    ]);
    let b = doc(vec![citing(
        "b1",
        "2014-12-10T10:00:00Z",
        "<p>Reviewed before (PMID: 23193287).</p>",
    )]);
    update(&mut store, f1, &a);
    update(&mut store, f2, &b);
    (store, f1, f2)
}

#[test]
fn a_paper_cited_under_two_of_its_ids_is_one_row_with_both_posts() {
    let (store, _, _) = store_with_papers();
    let rows = store.papers(&ListQuery::default()).unwrap();
    assert_eq!(
        keys(&rows),
        vec![("doi:10.1111/hsc.12135", 2), ("arxiv:1412.3456", 1)]
    );
    let hsc = &rows[0];
    assert_eq!(hsc.ids, vec!["doi:10.1111/hsc.12135", "pmid:23193287"]);
    assert_eq!(hsc.feeds.len(), 2);
    assert_eq!(
        hsc.coins.as_ref().and_then(|c| c.title.as_deref()),
        Some("Connecting People")
    );
    assert!(hsc.first_cited < hsc.last_cited);
}

#[test]
fn papers_follow_the_listing_filters() {
    let (mut store, f1, f2) = store_with_papers();
    let only = |q: ListQuery| keys(&store.papers(&q).unwrap()).len();
    let feed2 = ListQuery {
        feed: Some(f2),
        ..Default::default()
    };
    // b1 cites the PMID alone; the alias from a1's COinS span names the paper.
    assert_eq!(
        keys(&store.papers(&feed2).unwrap()),
        vec![("doi:10.1111/hsc.12135", 1)]
    );
    assert_eq!(
        only(ListQuery {
            month: Some("2015-01".into()),
            ..Default::default()
        }),
        0
    );
    let a2 = store
        .list(&ListQuery {
            feed: Some(f1),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|e| e.title == "a2")
        .unwrap()
        .id;
    store.set_read(&[a2], true).unwrap();
    let unread = ListQuery {
        unread_only: true,
        ..Default::default()
    };
    assert_eq!(
        keys(&store.papers(&unread).unwrap()),
        vec![("doi:10.1111/hsc.12135", 2)]
    );
}

#[test]
fn an_alias_a_service_reports_joins_the_rows_and_rewriting_an_entry_replaces_its_papers() {
    let (mut store, f1, _) = store_with_papers();
    store
        .put_paper_alias("arxiv:1412.3456", "doi:10.1111/hsc.12135")
        .unwrap();
    let rows = store.papers(&ListQuery::default()).unwrap();
    assert_eq!(keys(&rows), vec![("doi:10.1111/hsc.12135", 3)]);
    assert_eq!(
        store.paper_key("arxiv:1412.3456").unwrap(),
        "doi:10.1111/hsc.12135"
    );
    assert_eq!(
        store.paper_key("arxiv:9999.99999").unwrap(),
        "arxiv:9999.99999"
    );

    // The post drops its citation: its rows go with it.
    let again = doc(vec![
        citing("a1", "2014-12-03T10:00:00Z", "<p>No citation now.</p>"),
        citing(
            "a2",
            "2014-12-20T10:00:00Z",
            r#"<p>See <a href="https://arxiv.org/abs/1412.3456v2">the preprint</a>.</p>"#,
        ),
    ]);
    update(&mut store, f1, &again);
    let rows = store.papers(&ListQuery::default()).unwrap();
    assert_eq!(keys(&rows), vec![("doi:10.1111/hsc.12135", 2)]);
}

/// entry_papers copies each entry's month and sort_time, and the scopes read entries' flags:
/// a post whose date changes takes its papers to the new month and time, and the Unread and
/// Starred scopes follow the flags as they change.
#[test]
fn the_papers_copy_of_an_entry_follows_its_date_and_flags() {
    let (mut store, f1, _) = store_with_papers();
    let in_month = |store: &Store, m: &str| {
        let q = ListQuery {
            month: Some(m.into()),
            ..Default::default()
        };
        keys(&store.papers(&q).unwrap())
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect::<Vec<_>>()
    };
    assert_eq!(in_month(&store, "2014-12").len(), 2);
    let moved = doc(vec![
        citing("a1", "2014-12-03T10:00:00Z", COINS),
        citing(
            "a2",
            "2015-02-11T09:30:00Z",
            r#"<p>See <a href="https://arxiv.org/abs/1412.3456v2">the preprint</a>.</p>"#,
        ),
    ]);
    update(&mut store, f1, &moved);
    assert_eq!(
        in_month(&store, "2015-02"),
        vec![("arxiv:1412.3456".to_string(), 1)]
    );
    assert_eq!(
        in_month(&store, "2014-12"),
        vec![("doi:10.1111/hsc.12135".to_string(), 2)]
    );
    let arxiv = store.papers(&ListQuery::default()).unwrap();
    let arxiv = arxiv.iter().find(|r| r.key == "arxiv:1412.3456").unwrap();
    let when = "2015-02-11T09:30:00Z".parse::<DateTime<Utc>>().unwrap();
    assert_eq!((arxiv.first_cited, arxiv.last_cited), (when, when));
    let before = ListQuery {
        before: Some(when.timestamp()),
        ..Default::default()
    };
    assert_eq!(
        keys(&store.papers(&before).unwrap()),
        vec![("doi:10.1111/hsc.12135", 2)]
    );

    let a2 = arxiv.cited_by[0];
    let (unread, starred) = (
        ListQuery {
            unread_only: true,
            ..Default::default()
        },
        ListQuery {
            starred_only: true,
            ..Default::default()
        },
    );
    assert_eq!(store.papers(&unread).unwrap().len(), 2);
    assert!(store.papers(&starred).unwrap().is_empty());
    store.set_read(&[a2], true).unwrap();
    store.set_starred(&[a2], true).unwrap();
    assert_eq!(
        keys(&store.papers(&unread).unwrap()),
        vec![("doi:10.1111/hsc.12135", 2)]
    );
    assert_eq!(
        keys(&store.papers(&starred).unwrap()),
        vec![("arxiv:1412.3456", 1)]
    );
    store.set_read(&[a2], false).unwrap();
    store.set_starred(&[a2], false).unwrap();
    assert_eq!(store.papers(&unread).unwrap().len(), 2);
    assert!(store.papers(&starred).unwrap().is_empty());
}
