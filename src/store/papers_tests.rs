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

/// The grouping as one SQL statement (the listing before it moved to Rust): the reference the
/// grouped rows must equal.
fn papers_by_sql(store: &Store, q: &ListQuery) -> Vec<PaperRow> {
    let (conds, args) = super::query::copied_filter(q);
    let where_sql = if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    };
    let sql = format!(
        "WITH cites AS ( \
            SELECT COALESCE(a.paper_key, e.paper_key) AS paper, e.id, e.feed_id, \
                   e.sort_time, e.ids, e.coins \
            FROM (SELECT entry_id AS id, feed_id, month, sort_time, paper_key, ids, coins \
                  FROM entry_papers) e \
            LEFT JOIN paper_aliases a ON a.alias_key = e.paper_key \
            WHERE {where_sql}) \
         SELECT paper, \
                group_concat(id, ',' ORDER BY sort_time DESC, id DESC), \
                group_concat(feed_id, ',' ORDER BY sort_time DESC, id DESC), \
                MIN(sort_time), MAX(sort_time), \
                group_concat(ids, ' ' ORDER BY sort_time DESC, id DESC), MAX(coins) \
         FROM cites GROUP BY paper \
         ORDER BY COUNT(DISTINCT id) DESC, MAX(sort_time) DESC, paper"
    );
    let each_once = |s: String, sep: char, first: Option<String>| {
        let mut out: Vec<String> = first.into_iter().collect();
        for x in s.split(sep).filter(|x| !x.is_empty()) {
            if !out.iter().any(|o| o == x) {
                out.push(x.to_string());
            }
        }
        out
    };
    let ints = |v: Vec<String>| v.iter().map(|x| x.parse().unwrap()).collect::<Vec<i64>>();
    let mut stmt = store.conn.prepare(&sql).unwrap();
    stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        let key: String = r.get(0)?;
        let coins: Option<String> = r.get(6)?;
        Ok(PaperRow {
            ids: each_once(r.get(5)?, ' ', Some(key.clone())),
            cited_by: ints(each_once(r.get(1)?, ',', None)),
            feeds: ints(each_once(r.get(2)?, ',', None)),
            first_cited: super::from_secs(r.get(3)?),
            last_cited: super::from_secs(r.get(4)?),
            coins: coins.and_then(|c| serde_json::from_str(&c).ok()),
            key,
        })
    })
    .unwrap()
    .collect::<rusqlite::Result<Vec<_>>>()
    .unwrap()
}

/// A random cache (papers cited under one id or several, aliases added later, read, starred
/// and foldered entries, shared timestamps): every scope lists what the SQL grouping lists,
/// row for row and field for field.
#[test]
fn grouped_papers_equal_the_sql_grouping_in_every_scope() {
    use crate::text::ids::{CoinsCitation, FoundPaper, PaperId};
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let mut store = Store::open_in_memory().unwrap();
    let mut feeds = Vec::new();
    for f in 0..4 {
        let id = store
            .add_feed(&format!("https://f{f}.example/feed"), None)
            .unwrap()
            .0;
        if f < 2 {
            store.set_folder(id, Some("Lab")).unwrap();
        }
        feeds.push(id);
    }
    for (f, &feed) in feeds.iter().enumerate() {
        let entries = (0..40)
            .map(|i| {
                // Few distinct times, so that ties on time are common.
                let day = 1 + next(20);
                let month = 1 + next(3);
                let mut e = entry(
                    &format!("e{f}-{i}"),
                    "t",
                    Some(&format!("2014-{month:02}-{day:02}T10:00:00Z")),
                );
                for _ in 0..next(4) {
                    let k = next(12);
                    let mut ids = vec![PaperId::Doi(format!("10.1/p.{k}"))];
                    match next(4) {
                        0 => ids.push(PaperId::Pmid(format!("{}", 100 + k))),
                        1 => ids = vec![PaperId::Pmid(format!("{}", 100 + k))],
                        2 if k == 3 => ids = vec![PaperId::Arxiv("1401.0001".into())],
                        _ => {}
                    }
                    let coins = (next(5) == 0).then(|| CoinsCitation {
                        title: Some(format!("T{}", next(3))),
                        ..CoinsCitation::default()
                    });
                    let key = ids[0].key();
                    if e.papers.iter().all(|p: &FoundPaper| p.key != key) {
                        e.papers.push(FoundPaper { key, ids, coins });
                    }
                }
                e
            })
            .collect();
        update(&mut store, feed, &doc(entries));
    }
    // A service names a preprint as published papers after the posts were stored.
    store
        .put_paper_alias("arxiv:1401.0001", "doi:10.1/p.3")
        .unwrap();
    let ids: Vec<i64> = store
        .list(&ListQuery::default())
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let read: Vec<i64> = ids.iter().copied().filter(|_| next(2) == 0).collect();
    let starred: Vec<i64> = ids.iter().copied().filter(|_| next(5) == 0).collect();
    store.set_read(&read, true).unwrap();
    store.set_starred(&starred, true).unwrap();

    let scopes = [
        ListQuery::default(),
        ListQuery {
            month: Some("2014-02".into()),
            ..Default::default()
        },
        ListQuery {
            feed: Some(feeds[1]),
            ..Default::default()
        },
        ListQuery {
            folder: Some("Lab".into()),
            ..Default::default()
        },
        ListQuery {
            unread_only: true,
            ..Default::default()
        },
        ListQuery {
            unread_only: true,
            month: Some("2014-03".into()),
            ..Default::default()
        },
        ListQuery {
            starred_only: true,
            ..Default::default()
        },
    ];
    for q in &scopes {
        let want = papers_by_sql(&store, q);
        assert!(!want.is_empty(), "{q:?} lists papers");
        assert_eq!(store.papers(q).unwrap(), want, "{q:?}");
    }
    let paged = ListQuery {
        offset: 2,
        limit: Some(3),
        ..Default::default()
    };
    assert_eq!(
        store.papers(&paged).unwrap(),
        papers_by_sql(&store, &ListQuery::default())[2..5].to_vec()
    );
}

/// A retraction flags every post citing the paper, under whichever of its ids: here the DOI
/// (the COinS span's post), its PMID alone (another feed's post) and, once read, counts the
/// read post whatever id it used.
#[test]
fn a_retracted_paper_flags_the_posts_citing_any_of_its_ids() {
    let (mut store, _, _) = store_with_papers();
    let now = chrono::Utc::now();
    store
        .put_health(&[super::health::HealthRow {
            doi_key: "10.1111/hsc.12135".to_string(),
            status: "retracted".to_string(),
            notices: "[]".to_string(),
            checked: now,
            due: now,
        }])
        .unwrap();
    let id = |guid: &str| {
        let rows = store.list(&ListQuery::default()).unwrap();
        rows.iter().find(|e| e.title == guid).unwrap().id
    };
    let (a1, a2, b1) = (id("a1"), id("a2"), id("b1"));
    let flagged = store.entries_citing_retracted().unwrap();
    assert!(flagged.contains(&a1), "cited by DOI");
    assert!(flagged.contains(&b1), "cited by its PMID alone");
    assert!(
        !flagged.contains(&a2),
        "the preprint post cites another paper"
    );
    let key = vec!["10.1111/hsc.12135".to_string()];
    assert_eq!(store.health_read_count(&key).unwrap(), 0);
    store.set_read(&[b1], true).unwrap();
    assert_eq!(
        store.health_read_count(&key).unwrap(),
        1,
        "read under its PMID"
    );
}
