//! The cache's schema as a list of forward migrations, tracked with `PRAGMA user_version`.
//!
//! Step `i` (0-based) takes the file from version `i` to `i + 1`. Steps are only ever appended:
//! a released step is never edited, so every cache reaches the same schema whatever version it
//! started from.

use rusqlite::{Connection, TransactionBehavior};

use super::{Result, StoreError};

/// Every migration step, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: feeds, entries, their DOIs and the search index (issue 2).
    r#"
    CREATE TABLE feeds (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        url           TEXT NOT NULL UNIQUE,
        title         TEXT,
        site_url      TEXT,
        etag          TEXT,
        last_modified TEXT,
        last_fetched  INTEGER,
        last_status   INTEGER,
        last_error    TEXT,
        gone          INTEGER NOT NULL DEFAULT 0,
        added_at      INTEGER NOT NULL
    );

    CREATE TABLE entries (
        id           INTEGER PRIMARY KEY,
        feed_id      INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid         TEXT NOT NULL,
        title        TEXT NOT NULL,
        link         TEXT,
        authors      TEXT NOT NULL DEFAULT '[]',
        published    INTEGER,
        updated      INTEGER,
        first_seen   INTEGER NOT NULL,
        month        TEXT NOT NULL,
        sort_time    INTEGER NOT NULL,
        content_html TEXT,
        summary_html TEXT,
        read         INTEGER NOT NULL DEFAULT 0,
        content_hash INTEGER NOT NULL DEFAULT 0,
        UNIQUE (feed_id, guid)
    );
    -- read rides along so that month counts and feed counts never visit a row (rows carry
    -- whole bodies); ties on sort_time are the only thing a listing sorts.
    CREATE INDEX entries_feed_month ON entries(feed_id, month, sort_time, read);
    CREATE INDEX entries_month_time ON entries(month, sort_time, read);
    CREATE INDEX entries_time       ON entries(sort_time);
    CREATE INDEX entries_unread     ON entries(sort_time) WHERE read = 0;

    -- feed_id and month copy the entry's, so that papers per month are counted from this
    -- table alone (store_entries rewrites an entry's rows whenever the entry changes).
    CREATE TABLE entry_dois (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        feed_id  INTEGER NOT NULL,
        month    TEXT NOT NULL,
        doi_key  TEXT NOT NULL,
        doi      TEXT NOT NULL,
        source   TEXT NOT NULL,
        pos      INTEGER NOT NULL,
        UNIQUE (entry_id, doi_key)
    );
    CREATE INDEX entry_dois_month ON entry_dois(month, doi_key);
    CREATE INDEX entry_dois_feed  ON entry_dois(feed_id, month, doi_key);

    -- Contentless: the text is only needed for matching, and the HTML is already in entries.
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    -- A bigger in-memory term buffer means fewer, larger segments for a big refresh.
    INSERT INTO entries_fts(entries_fts, rank) VALUES ('hashsize', 8388608);
    -- Foreign-key cascades fire this too, so removing a feed empties its part of the index.
    -- The index's rowid is the entry's time key (see `fts_key`), so a search can stream its
    -- matches newest first and stop at the end of the page.
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        DELETE FROM entries_fts WHERE rowid = old.sort_time * 16777216 + (old.id & 16777215);
    END;
    "#,
    // 2: citation look-ups (issue 4) and resumable backfills (issue 5).
    r#"
    CREATE TABLE citations (
        doi_key    TEXT PRIMARY KEY,
        status     TEXT NOT NULL CHECK (status IN ('found', 'not_found')),
        csl_json   TEXT,
        bibtex     TEXT,
        fetched_at INTEGER NOT NULL
    );

    CREATE TABLE archive_state (
        feed_id      INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        strategy     TEXT,
        next_page    TEXT,
        pages_done   INTEGER NOT NULL DEFAULT 0,
        complete     INTEGER NOT NULL DEFAULT 0,
        oldest_month TEXT,
        updated_at   INTEGER
    );

    CREATE TABLE archive_pages (
        feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        page_url   TEXT NOT NULL,
        fetched_at INTEGER NOT NULL,
        entries    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (feed_id, page_url)
    );
    "#,
    // 3: titles are data, not display (issue 11): an entry without one has "", and only the
    // views show a placeholder. Earlier versions stored the placeholder itself.
    r#"
    UPDATE entries SET title = '' WHERE title = '(untitled)';
    "#,
    // 4: folders, stars and the user's own feed titles (issue 12). A folder is a name on its
    // feeds (`Outer/Inner` for nesting), as a Google Reader label is on a subscription; refreshes
    // write `title`, never `user_title`.
    r#"
    ALTER TABLE feeds ADD COLUMN folder TEXT;
    ALTER TABLE feeds ADD COLUMN user_title TEXT;
    ALTER TABLE entries ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX feeds_folder ON feeds(folder);
    CREATE INDEX entries_starred ON entries(sort_time) WHERE starred = 1;
    "#,
    // 5: an account on a Google Reader API server (issue 13). A feed from the account carries
    // its stream id (`feed/1`), an entry from it its item id; local feeds and entries have NULL.
    // Read and star changes to account entries wait in `sync_queue` until a sync pushes them
    // (the newest value per entry and state), and a feed marked read as a whole in
    // `sync_marks`; `sync_state` keeps the account's cursor and last sync.
    r#"
    ALTER TABLE feeds ADD COLUMN remote_id TEXT;
    CREATE UNIQUE INDEX feeds_remote ON feeds(remote_id) WHERE remote_id IS NOT NULL;
    ALTER TABLE entries ADD COLUMN remote_id INTEGER;
    CREATE UNIQUE INDEX entries_remote ON entries(remote_id) WHERE remote_id IS NOT NULL;
    -- A post backfilled from the blog finds the same post pulled from the account by its link.
    CREATE INDEX entries_remote_link ON entries(feed_id, link) WHERE remote_id IS NOT NULL;

    CREATE TABLE sync_queue (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        state    TEXT NOT NULL CHECK (state IN ('read', 'starred')),
        value    INTEGER NOT NULL,
        PRIMARY KEY (entry_id, state)
    );
    CREATE TABLE sync_marks (
        feed_id INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
        up_to   INTEGER NOT NULL
    );
    CREATE TABLE sync_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 6: what the parser repaired to read a feed's last document (an unescaped `&`…; issue 16),
    // shown beside its last error; a clean fetch clears it.
    r#"
    ALTER TABLE feeds ADD COLUMN warning TEXT;
    "#,
    // 7: papers, not DOI strings (issue 18). One row per paper an entry cites, under its
    // canonical key (`doi:…`, `arxiv:…`, `pmid:…`, `pmcid:…`); `ids` is every key found for it
    // in that entry, space-separated; `coins` the citation its COinS span gave (JSON). As in
    // entry_dois, feed_id, month and sort_time copy the entry's (its rows are rewritten whenever
    // it changes) so that papers are listed and counted from this table alone, not through the
    // wide entries rows. `paper_aliases` says which keys name the same paper (a COinS span's
    // ids, arXiv's `arxiv:doi`, PMC's id converter), so that each paper is one row everywhere.
    // A row in `papers_scan` marks a cache whose stored entries still have to be scanned for
    // papers: those with an id above `after` (so an interrupted scan resumes).
    // Every refresh writes these rows, so they have few indexes: keyed by entry (no rowid),
    // by month (the months of all feeds) and by paper; a feed's months go through its entries.
    // Papers per month are counted from entry_papers now: entry_dois' month and feed indexes,
    // which only those counts read, go (every DOI stored paid for them; entry_dois is read by
    // entry alone), and entry_dois is keyed by entry without a rowid: one B-tree per DOI stored
    // rather than the table and its UNIQUE index.
    r#"
    CREATE TABLE entry_papers (
        entry_id  INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        feed_id   INTEGER NOT NULL,
        month     TEXT NOT NULL,
        sort_time INTEGER NOT NULL,
        paper_key TEXT NOT NULL,
        ids       TEXT NOT NULL,
        coins     TEXT,
        pos       INTEGER NOT NULL,
        PRIMARY KEY (entry_id, paper_key)
    ) WITHOUT ROWID;
    CREATE INDEX entry_papers_month ON entry_papers(month, paper_key);
    CREATE INDEX entry_papers_key   ON entry_papers(paper_key);

    CREATE TABLE paper_aliases (
        alias_key TEXT PRIMARY KEY,
        paper_key TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE papers_scan (after INTEGER NOT NULL);
    INSERT INTO papers_scan (after) SELECT 0 WHERE EXISTS (SELECT 1 FROM entries);

    CREATE TABLE entry_dois_keyed (
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        feed_id  INTEGER NOT NULL,
        month    TEXT NOT NULL,
        doi_key  TEXT NOT NULL,
        doi      TEXT NOT NULL,
        source   TEXT NOT NULL,
        pos      INTEGER NOT NULL,
        PRIMARY KEY (entry_id, doi_key)
    ) WITHOUT ROWID;
    INSERT INTO entry_dois_keyed
        SELECT entry_id, feed_id, month, doi_key, doi, source, pos FROM entry_dois;
    DROP TABLE entry_dois;
    ALTER TABLE entry_dois_keyed RENAME TO entry_dois;
    "#,
    // 8: what services say about a cited paper (issue 19), keyed by the bare lowercased DOI
    // (Crossref and Unpaywall know papers by DOI). paper_health: Crossref's update notices
    // (retractions, corrections, expressions of concern), kept with the date of the answer and
    // when to ask again, so re-checks spread over the week. paper_oa: Unpaywall's best
    // open-access copy, or none (`url` NULL) when it has none.
    r#"
    CREATE TABLE paper_health (
        doi_key TEXT PRIMARY KEY,
        status  TEXT NOT NULL,
        notices TEXT NOT NULL,
        checked INTEGER NOT NULL,
        due     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX paper_health_due ON paper_health(due);

    CREATE TABLE paper_oa (
        doi_key   TEXT PRIMARY KEY,
        url       TEXT,
        pdf       TEXT,
        version   TEXT,
        license   TEXT,
        host_type TEXT,
        checked   INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 9: (issue 20, part A) counters of entries, so that months, feeds, folders and the reader's
    // first frame read O(feeds + months) rows rather than count a million entries. Entries,
    // unread and starred per (feed, month) (a feed's months, a folder's), rolled up per feed
    // and per month (summing 240,000 (feed, month) rows at a million entries is itself a scan).
    // Folders are names on feeds, so a folder's counts are its feeds' and moving a feed between
    // folders changes no counter. Triggers keep them exact in the transaction of every change,
    // cascades included; rows that fall to zero stay (readers skip them): a feed's go with it.
    // A row in `counts_build` marks a cache whose counters still have to be built from its
    // entries: feeds above `after` (so an interrupted build resumes; see store::counts).
    concat!(
        r#"
    CREATE TABLE entry_counts (
        feed_id INTEGER NOT NULL,
        month   TEXT NOT NULL,
        entries INTEGER NOT NULL,
        unread  INTEGER NOT NULL,
        starred INTEGER NOT NULL,
        PRIMARY KEY (feed_id, month)
    ) WITHOUT ROWID;
    CREATE TABLE feed_counts (
        feed_id INTEGER PRIMARY KEY,
        entries INTEGER NOT NULL,
        unread  INTEGER NOT NULL,
        starred INTEGER NOT NULL
    );
    CREATE TABLE month_counts (
        month   TEXT PRIMARY KEY,
        entries INTEGER NOT NULL,
        unread  INTEGER NOT NULL,
        starred INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- A refresh's, backfill's or pull's new entries are added per month at the end of their
    -- document (store::counts::add_new): three upserts per entry here cost a 2,500-entry cold
    -- refresh 7% more instructions. While it writes them, `counts_deferred` holds a row (only
    -- inside its transaction); any other insert is counted here.
    CREATE TABLE counts_deferred (writer INTEGER NOT NULL);
    CREATE TRIGGER entry_counts_insert AFTER INSERT ON entries
    WHEN NOT EXISTS (SELECT 1 FROM counts_deferred)
    BEGIN
        INSERT INTO entry_counts VALUES (new.feed_id, new.month, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (feed_id, month) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO feed_counts VALUES (new.feed_id, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (feed_id) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO month_counts VALUES (new.month, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (month) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
    END;
    CREATE TRIGGER entry_counts_delete AFTER DELETE ON entries BEGIN
        UPDATE entry_counts SET entries = entries - 1, unread = unread - (old.read = 0),
            starred = starred - (old.starred = 1) WHERE feed_id = old.feed_id AND month = old.month;
        UPDATE feed_counts SET entries = entries - 1, unread = unread - (old.read = 0),
            starred = starred - (old.starred = 1) WHERE feed_id = old.feed_id;
        UPDATE month_counts SET entries = entries - 1, unread = unread - (old.read = 0),
            starred = starred - (old.starred = 1) WHERE month = old.month;
    END;
    -- Read or starred changed, in the same feed and month.
    "#,
        super::counts::entry_counts_flags!(""),
        r#"
    -- Moved to another month (a changed date) or feed, its flags perhaps changed with it. The
    -- old side is an upsert too: an entry can move within the document that added it, before
    -- that document's new entries are counted (an item twice in one document, two dates).
    CREATE TRIGGER entry_counts_move AFTER UPDATE OF feed_id, month ON entries
    WHEN old.feed_id <> new.feed_id OR old.month <> new.month
    BEGIN
        INSERT INTO entry_counts
            VALUES (old.feed_id, old.month, -1, -(old.read = 0), -(old.starred = 1))
            ON CONFLICT (feed_id, month) DO UPDATE SET entries = entries - 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO feed_counts VALUES (old.feed_id, -1, -(old.read = 0), -(old.starred = 1))
            ON CONFLICT (feed_id) DO UPDATE SET entries = entries - 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO month_counts VALUES (old.month, -1, -(old.read = 0), -(old.starred = 1))
            ON CONFLICT (month) DO UPDATE SET entries = entries - 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO entry_counts VALUES (new.feed_id, new.month, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (feed_id, month) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO feed_counts VALUES (new.feed_id, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (feed_id) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
        INSERT INTO month_counts VALUES (new.month, 1, new.read = 0, new.starred = 1)
            ON CONFLICT (month) DO UPDATE SET entries = entries + 1,
            unread = unread + excluded.unread, starred = starred + excluded.starred;
    END;
    -- A removed feed's rows go with it (its entries' deletes have zeroed them, or find them
    -- gone: either order leaves the month roll-ups right).
    CREATE TRIGGER entry_counts_feed_gone AFTER DELETE ON feeds BEGIN
        DELETE FROM entry_counts WHERE feed_id = old.id;
        DELETE FROM feed_counts WHERE feed_id = old.id;
    END;

    CREATE TABLE counts_build (after INTEGER NOT NULL);
    INSERT INTO counts_build (after) SELECT 0 WHERE EXISTS (SELECT 1 FROM entries);
    "#
    ),
    // 10: (issue 20, part E: the first frame and `dois --month`). Every start reads the flagged
    // papers and the entries citing a retracted one; paper_health holds a row for every cited
    // DOI once checked (a million at a million entries), nearly all fine, and those reads
    // scanned all of it. A partial index holds the flagged rows alone.
    // entry_dois carries its post's title, as it carries its feed and month (store_entries
    // rewrites an entry's rows whenever the entry changes), so that a month's DOIs with their
    // posts' titles are read from the month index and entry_dois, never from the wide entries
    // rows: at a million entries those reads were 103 of `dois --month`'s 124 ms.
    r#"
    CREATE INDEX paper_health_flagged ON paper_health(status)
        WHERE status NOT IN ('fine', 'unknown');
    -- The stored rows get their titles after the upgrade, in batches (store::fills).
    ALTER TABLE entry_dois ADD COLUMN title TEXT NOT NULL DEFAULT '';
    CREATE TABLE titles_build (after INTEGER NOT NULL);
    INSERT INTO titles_build (after) SELECT 0 WHERE EXISTS (SELECT 1 FROM entry_dois);
    "#,
    // 11: (issue 20, part B) paper counters for `months` and the Papers view, kept by triggers
    // and filled from the rows stored (see `paper_counts`).
    super::paper_counts::STEP,
    // 12: (issue 20, marks) bulk marks set the per-row flag triggers aside (see `marks`).
    super::marks::STEP,
    // 13: (issue 20) the counters' insert triggers give way to the store's own counting
    // (`counts::NewEntries`, `papers::PaperWriter`): a statement firing a trigger is journaled,
    // and FTS5 flushes its pending terms at each such savepoint, which made every entry its own
    // search segment to merge.
    r#"
    DROP TRIGGER entry_counts_insert;
    DROP TABLE counts_deferred;
    DROP TRIGGER paper_counts_cite;
    "#,
    // 14: (issue 20) the Papers view's order indexes hold only papers cited (or unread) more
    // than once (see `paper_counts::Counted`): most papers are cited once, and each such row
    // sat at a random place of two time-ordered indexes that every refresh wrote.
    super::paper_counts::STEP_ONCE,
];

/// The version a fully migrated cache has.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the steps from the file's version up to `target`, each in its own immediate
/// transaction. The version is re-read inside each transaction, so two processes opening the
/// same old cache at once migrate it once.
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = user_version(&tx)?;
        if version < 0 {
            return Err(StoreError::BadSchemaVersion(version));
        }
        if version > LATEST {
            return Err(StoreError::NewerSchema {
                found: version,
                supported: LATEST,
            });
        }
        if version >= target {
            return Ok(());
        }
        let step = MIGRATIONS
            .get(usize::try_from(version).unwrap_or(usize::MAX))
            .ok_or(StoreError::BadSchemaVersion(version))?;
        tx.execute_batch(step)?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
        tx.commit()?;
    }
}
