//! Sync against the in-process model of a Google Reader server (tests/common/greader_model.rs):
//! random sequences of the user's changes for the "last action wins" promise, and the faults
//! the real FreshRSS cannot be made to show (refusals, 500s, dropped connections, an empty
//! subscription list).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::freshrss::sync_config;
use common::greader_model::{Model, ModelState};
use common::{kill_when_paused, one_line_error};
use paperboy::model::EntryId;
use paperboy::store::ListQuery;
use paperboy::sync::engine::SyncOptions;
use paperboy::Library;
use proptest::prelude::*;

/// The library of a new data dir whose account is the model.
fn library(dir: &std::path::Path, model: &Model) -> Library {
    std::fs::write(
        dir.join("config.toml"),
        sync_config(&model.api(), "model", "pw"),
    )
    .unwrap();
    let paths = paperboy::paths::Paths::resolve(Some(dir), None).unwrap();
    paperboy::library::open_with_config_file(paths).unwrap().0
}

fn sync(lib: &mut Library) {
    if let Err(e) = lib.sync(&SyncOptions::default(), &mut |_| {}) {
        panic!("sync failed: {e}");
    }
}

/// What the user can do to the account's entries, and when a sync happens.
#[derive(Debug, Clone)]
enum Op {
    Read(usize, bool),
    Star(usize, bool),
    /// `read --feed N`: one mark-all-as-read.
    MarkFeed(usize),
    /// `read --folder`: the folder's entries one by one.
    MarkFolder(usize),
    /// `read --month`.
    MarkMonth(usize),
    Sync,
}

const FEEDS: usize = 3;
const PER_FEED: usize = 3;

fn op() -> impl Strategy<Value = Op> {
    let entries = FEEDS * PER_FEED;
    prop_oneof![
        3 => (0..entries, any::<bool>()).prop_map(|(e, v)| Op::Read(e, v)),
        2 => (0..entries, any::<bool>()).prop_map(|(e, v)| Op::Star(e, v)),
        2 => (1..=FEEDS).prop_map(Op::MarkFeed),
        1 => (0..2usize).prop_map(Op::MarkFolder),
        1 => (0..PER_FEED).prop_map(Op::MarkMonth),
        2 => Just(Op::Sync),
    ]
}

/// Items whose `i`-th post of every feed shares one month (`MarkMonth(i)` covers them).
fn model_state() -> ModelState {
    let mut s = ModelState::with_feeds(FEEDS, PER_FEED);
    let base = Utc
        .with_ymd_and_hms(2024, 1, 5, 0, 0, 0)
        .unwrap()
        .timestamp();
    for item in &mut s.items {
        let (k, i) = title_parts(&item.title);
        item.id = (base + (i as i64 * 31 + k as i64) * 86_400) * 1_000_000;
    }
    s
}

/// (feed, post) of "Feed k post i".
fn title_parts(title: &str) -> (usize, usize) {
    let words: Vec<&str> = title.split_whitespace().collect();
    (words[1].parse().unwrap(), words[3].parse().unwrap())
}

/// Runs `ops` with a sync after the last, and checks that the server and the cache both hold
/// what the user chose last for every entry.
fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let model = Model::start(model_state());
    let dir = tempfile::tempdir().unwrap();
    let mut lib = library(dir.path(), &model);
    sync(&mut lib);
    let all = lib.list(&ListQuery::default()).unwrap();
    prop_assert_eq!(all.len(), FEEDS * PER_FEED);
    // Entries in a fixed order: index = (feed-1) * PER_FEED + post.
    let mut entries: Vec<(EntryId, usize, usize, String)> = all
        .iter()
        .map(|e| {
            let (k, i) = title_parts(&e.title);
            (e.id, k, i, e.month.clone())
        })
        .collect();
    entries.sort_by_key(|(_, k, i, _)| (*k, *i));
    let feed_ids: HashMap<usize, i64> = lib
        .feeds()
        .unwrap()
        .iter()
        .map(|f| (title_parts(&format!("{} x 0", f.title)).0, f.id))
        .collect();

    // The user's last choice per entry: (read, starred).
    let mut want = vec![(false, false); entries.len()];
    for op in ops {
        match op {
            Op::Read(e, v) => {
                lib.set_read(&[entries[*e].0], *v).unwrap();
                want[*e].0 = *v;
            }
            Op::Star(e, v) => {
                lib.set_starred(&[entries[*e].0], *v).unwrap();
                want[*e].1 = *v;
            }
            Op::MarkFeed(k) => {
                lib.mark_read(&ListQuery {
                    feed: Some(feed_ids[k]),
                    ..Default::default()
                })
                .unwrap();
                for (n, e) in entries.iter().enumerate() {
                    want[n].0 |= e.1 == *k;
                }
            }
            Op::MarkFolder(f) => {
                lib.mark_read(&ListQuery {
                    folder: Some(format!("Folder {f}")),
                    ..Default::default()
                })
                .unwrap();
                for (n, e) in entries.iter().enumerate() {
                    want[n].0 |= e.1 % 2 == *f;
                }
            }
            Op::MarkMonth(i) => {
                let month = entries[*i].3.clone();
                lib.mark_read(&ListQuery {
                    month: Some(month.clone()),
                    ..Default::default()
                })
                .unwrap();
                for (n, e) in entries.iter().enumerate() {
                    want[n].0 |= e.3 == month;
                }
            }
            Op::Sync => sync(&mut lib),
        }
    }
    sync(&mut lib);

    let state = model.state.lock().unwrap();
    let here: HashMap<EntryId, (bool, bool)> = lib
        .list(&ListQuery::default())
        .unwrap()
        .iter()
        .map(|e| (e.id, (e.read, e.starred)))
        .collect();
    for (n, (id, k, i, _)) in entries.iter().enumerate() {
        let item = state.item(&format!("Feed {k} post {i}"));
        prop_assert_eq!(
            (item.read, item.starred),
            want[n],
            "server, Feed {} post {}",
            k,
            i
        );
        prop_assert_eq!(here[id], want[n], "here, Feed {} post {}", k, i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_users_last_choice_is_what_server_and_cache_end_with(
        ops in proptest::collection::vec(op(), 1..12)
    ) {
        run(&ops)?;
    }
}

#[test]
fn an_unread_queued_before_a_whole_feed_mark_does_not_undo_it() {
    // The sequence: read 8; sync; unread 8; read --feed 1; sync.
    run(&[
        Op::Read(1, true),
        Op::Sync,
        Op::Read(1, false),
        Op::MarkFeed(1),
    ])
    .unwrap();
}

/// A data dir whose account is the model, for the real binary.
fn cli_for(model: &Model) -> common::Cli {
    let cli = common::Cli::new();
    cli.write_config(&sync_config(&model.api(), "model", "pw"));
    cli
}

#[test]
fn a_list_that_drops_too_much_removes_nothing_until_accepted() {
    let model = Model::start(ModelState::with_feeds(4, 2));
    let cli = cli_for(&model);
    cli.ok(&["sync"]);
    assert_eq!(cli.feed_titles().len(), 4);
    let starred = cli.json(&["list"])[0]["id"].as_i64().unwrap().to_string();
    cli.ok(&["star", &starred]);
    cli.ok(&["sync"]);
    let entries = || cli.json(&["list"]).as_array().unwrap().len();
    assert_eq!(entries(), 8);
    let all = model.state.lock().unwrap().feeds.clone();
    let with_star = cli.json(&["list", "--starred"])[0]["feed_title"]
        .as_str()
        .unwrap()
        .to_string();
    let set_listed = |keep: &dyn Fn(&str) -> bool| {
        model.state.lock().unwrap().feeds =
            all.iter().filter(|f| keep(&f.title)).cloned().collect();
    };

    // An empty list, more than half of the feeds, or one feed holding a starred entry: held,
    // in one line that says what to do, and nothing here changes.
    type Keep<'a> = &'a dyn Fn(&str) -> bool;
    let cases: [(&str, Keep); 3] = [
        ("empty", &|_| false),
        ("3 of 4", &|t| t == "Feed 1"),
        ("the starred one", &|t| t != with_star),
    ];
    for (what, keep) in cases {
        set_listed(keep);
        let err = one_line_error(&cli.run(&["sync"]));
        assert!(
            err.contains("nothing was removed") && err.contains("sync --accept-removals"),
            "{what}: {err}"
        );
        assert_eq!(cli.feed_titles().len(), 4, "{what}");
        assert_eq!(entries(), 8, "{what}");
        assert_eq!(
            cli.json(&["list", "--starred"]).as_array().unwrap().len(),
            1
        );
    }
    // The starred feed's title is named.
    assert!(one_line_error(&cli.run(&["sync"])).contains(&with_star));

    // One feed without starred entries gone: a user's unsubscribing, applied.
    let plain = all
        .iter()
        .map(|f| f.title.clone())
        .find(|t| *t != with_star)
        .unwrap();
    set_listed(&|t| t != plain);
    cli.ok(&["sync"]);
    assert_eq!(cli.feed_titles().len(), 3);

    // Accepted: the empty list is applied.
    set_listed(&|_| false);
    cli.ok(&["sync", "--accept-removals"]);
    assert!(cli.feed_titles().is_empty());
}

/// Ids sent in the edit-tag requests the server answered, in order.
fn edited_ids(model: &Model) -> Vec<i64> {
    model
        .state
        .lock()
        .unwrap()
        .edits
        .iter()
        .map(|e| e.0)
        .collect()
}

fn queued(cli: &common::Cli) -> i64 {
    cli.json(&["sync", "status"])["queued"].as_i64().unwrap()
}

#[test]
fn a_push_answered_500_stays_queued_and_the_next_sync_delivers_it_once() {
    let failing = Arc::new(AtomicBool::new(false));
    let fail = failing.clone();
    let model = Model::with_hook(ModelState::with_feeds(1, 3), move |req| {
        (fail.load(Ordering::SeqCst) && req.path.ends_with("/edit-tag"))
            .then(|| common::Reply::status(500))
    });
    let cli = cli_for(&model);
    cli.ok(&["sync"]);
    let id = cli.json(&["list"])[0]["id"].as_i64().unwrap().to_string();
    cli.ok(&["read", &id]);
    failing.store(true, Ordering::SeqCst);
    let err = one_line_error(&cli.run(&["sync"]));
    assert!(err.contains("500"), "{err}");
    assert_eq!(queued(&cli), 1, "queued until the server's OK");
    assert!(edited_ids(&model).is_empty());

    failing.store(false, Ordering::SeqCst);
    let report = cli.json(&["sync"]);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(queued(&cli), 0);
    let again = cli.json(&["sync"]);
    assert_eq!(again["pushed"], 0, "{again}");
    assert_eq!(edited_ids(&model).len(), 1, "delivered exactly once");
    assert_eq!(
        model
            .state
            .lock()
            .unwrap()
            .items
            .iter()
            .filter(|i| i.read)
            .count(),
        1
    );
}

#[test]
fn a_connection_dropped_mid_batch_leaves_only_the_rest_queued() {
    // 300 changes: two edit-tag requests (250 + 50); the second one's connection drops once.
    let edits = Arc::new(AtomicUsize::new(0));
    let seen = edits.clone();
    let model = Model::with_hook(ModelState::with_feeds(1, 300), move |req| {
        (req.path.ends_with("/edit-tag") && seen.fetch_add(1, Ordering::SeqCst) == 1)
            .then_some(common::Reply::Reset)
    });
    let cli = cli_for(&model);
    cli.ok(&["sync"]);
    cli.ok(&["read", "--all"]);
    assert_eq!(queued(&cli), 300);
    one_line_error(&cli.run(&["sync"]));
    assert_eq!(
        queued(&cli),
        50,
        "the first batch was taken, the second not"
    );

    let report = cli.json(&["sync"]);
    assert_eq!(report["pushed"], 50, "{report}");
    assert_eq!(queued(&cli), 0);
    let mut ids = edited_ids(&model);
    assert_eq!(ids.len(), 300);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300, "every change delivered once");
    assert!(model.state.lock().unwrap().items.iter().all(|i| i.read));
}

#[test]
fn a_push_killed_between_the_ok_and_the_unqueue_is_still_queued_and_sent_again() {
    let model = Model::start(ModelState::with_feeds(1, 3));
    let cli = cli_for(&model);
    cli.ok(&["sync"]);
    let id = cli.json(&["list"])[0]["id"].as_i64().unwrap().to_string();
    cli.ok(&["star", &id]);
    let paused = cli.data_dir().join("paused");
    let mut cmd = cli.command();
    cmd.env("PAPERBOY_TEST_PAUSE_UNQUEUE", &paused).arg("sync");
    kill_when_paused(cmd, &paused);
    // The server took it, but this cache cannot know: it stays queued.
    assert_eq!(edited_ids(&model).len(), 1);
    assert_eq!(queued(&cli), 1);

    let report = cli.json(&["sync"]);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(queued(&cli), 0);
    cli.ok(&["sync"]);
    let state = model.state.lock().unwrap();
    assert_eq!(
        state.edits.len(),
        2,
        "sent again once, then never: {:?}",
        state.edits
    );
    assert_eq!(state.items.iter().filter(|i| i.starred).count(), 1);
}

#[test]
fn a_subscription_change_the_server_refuses_changes_nothing_here_and_says_why() {
    // Refused in a body other than OK (HTTP 200), and with a status.
    let refusals = [
        (
            common::Reply::ok("text/plain", "Error: this account is read-only"),
            "this account is read-only",
        ),
        (common::Reply::status(403), "403"),
    ];
    for (reply, why) in refusals {
        let model = Model::with_hook(ModelState::with_feeds(2, 2), move |req| {
            req.path
                .ends_with("/subscription/edit")
                .then(|| reply.clone())
        });
        let cli = cli_for(&model);
        cli.ok(&["sync"]);
        let before = (cli.json(&["feeds"]), cli.json(&["list"]));
        let id = before.0[0]["id"].as_i64().unwrap().to_string();
        let folder = before.0[0]["folder"].as_str().unwrap().to_string();
        for args in [
            vec!["remove", &id, "--force"],
            vec!["folder", &id, "Elsewhere"],
            vec!["rename", &id, "A new title"],
            vec!["rename-folder", &folder, "Moved"],
        ] {
            let err = one_line_error(&cli.run(&args));
            assert!(
                err.contains(why) && err.contains("subscription/edit"),
                "{args:?}: {err}"
            );
            assert_eq!(
                (cli.json(&["feeds"]), cli.json(&["list"])),
                before,
                "{args:?} changed something here"
            );
        }
        assert!(
            !model.hits("/subscription/edit").is_empty(),
            "the server was asked"
        );
    }
}
