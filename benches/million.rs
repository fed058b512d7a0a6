//! A decade of feeds (issue 20): the reader and the CLI on a cache of 1,000,000 entries, with
//! the 100,000-entry cache of `benches/reader.rs` measured side by side by the same binary.
//!
//! Builds both caches through the store API (no HTTP; the reader bench's generator: 2,000 feeds
//! × 500 entries over 10 years, the first 100 feeds in a folder) and measures, whole process:
//! the reader's first frame with a warm and a cold page cache, a month switch, selecting the
//! folder and the search "recovery capital" to its first screen (in a pseudo-terminal, as the
//! reader bench does); the CLI's `months`, `feeds`, `dois --month 2024-08` (warm and cold) and
//! `list --search recovery --limit 50`; the cache's size on disk; then, in this process, the
//! store calls those are made of. Rounds alternate the two caches so both see the same load;
//! figures are medians (and ranges) over the rounds. Warm figures are taken after the whole
//! cache file has been read back into the page cache.
//!
//!     cargo bench --bench million          # 2,000 x 500: 1.8 GiB of cache, built in ~15 min
//!     PAPERBOY_BENCH_FEEDS=200 PAPERBOY_BENCH_PER_FEED=500 cargo bench --bench million
//!     PAPERBOY_BENCH_DIR=/tmp/pb-million cargo bench --bench million   # keep both caches
//!
//! A cold page cache: each of the cache's files and the binary are written back and dropped
//! from the page cache (posix_fadvise DONTNEED) before the run; PAPERBOY_BENCH_DROP_CACHES=1
//! drops the whole machine's page cache instead (root; slows everyone else's work for a while).
//! PAPERBOY_BENCH_ROUNDS sets the rounds (5). The results go to stdout and to
//! `benches/results/million.txt`, which README's performance table is taken from.
//!
//! PAPERBOY_BENCH_SQL=FILE prints, instead, the query plan and median time of each statement of
//! FILE (one a line, each after a `-- label` line) on both caches (`benches/results/
//! million-profile.sql` holds the statements behind the slow rows).
//!
//! A target of its own rather than a mode of `reader`: it takes minutes and 2 GB of disk where
//! `cargo bench --bench reader` takes one, and times the CLI and a cold page cache too; the
//! generator and the pseudo-terminal driver are reader.rs's own (included below, not copied).
//!
//! Not here: the cold refresh and its memory (HTTP and parsing; `../shared/bench/feedbench.py`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

// The reader bench's generator, pseudo-terminal driver and key sequences, shared rather than
// copied; its `main` is unused here.
#[allow(dead_code)]
#[path = "reader.rs"]
mod reader;

use paperboy::store::{DoiScope, ListQuery, Store};
use reader::{median, only_folder_entries, spawn_reader, Pty, FOLDER};

/// The CLI commands timed, with the issue's targets in ms (warm).
const CLI: &[(&str, &[&str], f64)] = &[
    ("months", &["months"], 30.0),
    ("feeds", &["feeds"], 30.0),
    (
        "dois --month 2024-08",
        &["dois", "--month", "2024-08"],
        100.0,
    ),
    (
        "list --search recovery --limit 50",
        &["list", "--search", "recovery", "--limit", "50"],
        30.0,
    ),
];

/// One cache under test and what was measured on it.
struct Cache {
    label: String,
    dir: PathBuf,
    entries: usize,
    built_s: Option<f64>,
    figures: Vec<(String, Vec<Duration>)>,
}

impl Cache {
    fn push(&mut self, what: &str, d: Duration) {
        match self.figures.iter_mut().find(|(w, _)| w == what) {
            Some((_, v)) => v.push(d),
            None => self.figures.push((what.to_string(), vec![d])),
        }
    }

    fn median_ms(&self, what: &str) -> Option<(f64, f64, f64)> {
        let (_, v) = self.figures.iter().find(|(w, _)| w == what)?;
        let ms = |d: &Duration| d.as_secs_f64() * 1e3;
        let lo = v.iter().min().map(ms)?;
        let hi = v.iter().max().map(ms)?;
        Some((ms(&median(v.clone())), lo, hi))
    }

    fn db(&self) -> PathBuf {
        self.dir.join("paperboy.db")
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The cache of `feeds` × `per_feed` entries in `dir`, built unless already there.
fn prepare(label: &str, dir: PathBuf, feeds: usize, per_feed: usize) -> Cache {
    std::fs::create_dir_all(&dir).expect("bench dir");
    let built_s = if dir.join("paperboy.db").exists() {
        None
    } else {
        let t = Instant::now();
        reader::build_cache(&dir, feeds, per_feed);
        Some(t.elapsed().as_secs_f64())
    };
    std::fs::write(dir.join("config.toml"), "[ui]\nrefresh_on_start = false\n").expect("config");
    if let Some(s) = upgrade(&dir) {
        eprintln!("{label}: an older cache, its entry counters built in {s:.1} s");
    }
    Cache {
        label: label.to_string(),
        dir,
        entries: feeds * per_feed,
        built_s,
        figures: Vec::new(),
    }
}

/// Upgrades a cache kept from an older build before anything is timed: opening migrates it,
/// and the upgrade's fills run once (issue 20). The seconds that took, if any fill ran.
fn upgrade(dir: &Path) -> Option<f64> {
    let t = Instant::now();
    let paths = paperboy::paths::Paths::resolve(Some(dir), None).expect("paths");
    let mut lib =
        paperboy::Library::open(paths, paperboy::config::Config::default()).expect("open");
    let mut ran = false;
    for fill in paperboy::library::fills::Fill::ALL {
        ran |= lib.run_fill(fill, usize::MAX, |_, _| {}).expect("a fill");
    }
    ran.then(|| t.elapsed().as_secs_f64())
}

/// The first frame is complete when the newest month's entries are listed.
fn first_frame(pty: &mut Pty, t: Instant) -> Duration {
    pty.until(t, |s| s.contains("All feeds") && s.contains("study"))
}

fn quit(mut pty: Pty) {
    pty.session.send("\x03").expect("quit");
    let _ = pty.session.get_process().wait();
}

/// Keys whose answer is not timed, each given a moment to be drawn.
fn press(pty: &mut Pty, keys: &[&str]) {
    for key in keys {
        pty.session.send(key).expect("send");
        std::thread::sleep(Duration::from_millis(30));
        pty.pump();
    }
}

/// CPU time (clock ticks, every thread) the reader has used so far.
fn cpu_ticks(pty: &Pty) -> u64 {
    let pid = pty.session.get_process().pid().as_raw();
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command's closing parenthesis: utime and stime are 12th and 13th.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<u64> = rest
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|x| x.parse().ok())
                .collect();
            Some(f.iter().sum())
        })
        .unwrap_or(0)
}

/// Waits until neither the screen nor the reader's CPU time has changed for 200 ms: a key's
/// answer is then not still drawing or computing the one before (a key passed over on the way,
/// such as Unread, is answered by a query over the whole cache without a frame in between).
fn settle(pty: &mut Pty) -> String {
    let mut last = (pty.parser.screen().contents(), cpu_ticks(pty));
    let mut since = Instant::now();
    let start = Instant::now();
    while since.elapsed() < Duration::from_millis(200) && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(5));
        pty.pump();
        let now = (pty.parser.screen().contents(), cpu_ticks(pty));
        if now != last {
            last = now;
            since = Instant::now();
        }
    }
    last.0
}

/// The entries listed (`F-I` of the bench's titles `… study F-I`), top to bottom.
fn listed(screen: &str) -> Vec<&str> {
    screen
        .split("study ")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .collect()
}

/// A key answered with another listing: other entries than before, and `done` holds. Also
/// gives the time to the first change of the screen (what the reader bench times), which can
/// come well before the new listing is complete.
fn key_to_listing(pty: &mut Pty, key: &str, done: impl Fn(&str) -> bool) -> (Duration, Duration) {
    let before = settle(pty);
    let was: Vec<String> = listed(&before).iter().map(|s| s.to_string()).collect();
    let first = std::cell::Cell::new(None);
    let t = Instant::now();
    let listing = pty.key(key, |s| {
        if first.get().is_none() && s != before {
            first.set(Some(t.elapsed()));
        }
        let now = listed(s);
        !now.is_empty() && now != was && done(s)
    });
    (first.get().unwrap_or(listing), listing)
}

/// One reader session: first frame (warm), ten month switches, the folder, the common search.
fn reader_session(cache: &mut Cache) {
    let (mut pty, t) = spawn_reader(&cache.dir);
    let first = first_frame(&mut pty, t);
    cache.push("first frame, warm", first);
    for _ in 0..10 {
        let (change, d) = key_to_listing(&mut pty, "[", |_| true);
        cache.push("month switch", d);
        cache.push("month switch, first change", change);
    }
    // The floor under every key's figure: the cursor moved one entry down (no query of the
    // month), to the first change of the screen after a quiet one.
    // The selection is drawn in reverse video: compare the cells with their attributes.
    for _ in 0..5 {
        settle(&mut pty);
        let before = pty.parser.screen().contents_formatted();
        let t = Instant::now();
        pty.session.send("j").expect("send");
        loop {
            pty.pump();
            if pty.parser.screen().contents_formatted() != before {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "j never answered");
            std::thread::sleep(Duration::from_micros(200));
        }
        cache.push("entry cursor (j), first change", t.elapsed());
    }
    // Feeds pane (Shift-Tab twice), top, past All feeds, Unread, Starred and Cited papers.
    press(&mut pty, &["\x1b[Z", "\x1b[Z", "g", "j", "j", "j"]);
    let (_, d) = key_to_listing(&mut pty, "j", only_folder_entries);
    cache.push("folder select", d);
    // Back to All feeds, then the entries (Tab twice), where `/` searches the whole cache.
    press(&mut pty, &["g"]);
    pty.until(Instant::now(), |s| {
        !only_folder_entries(s) && s.contains("study")
    });
    press(&mut pty, &["\t", "\t", "/"]);
    pty.until(Instant::now(), |s| {
        s.contains("Search") || s.contains("search")
    });
    press(&mut pty, &["recovery capital"]);
    let (_, d) = key_to_listing(&mut pty, "\r", |s| s.contains("Search “recovery capital”"));
    cache.push("search \"recovery capital\"", d);
    quit(pty);
}

/// Writes back and drops the page cache of the cache's files and the binary (or the machine's).
fn evict(cache: &Cache) {
    if std::env::var_os("PAPERBOY_BENCH_DROP_CACHES").is_some() {
        Command::new("sync").status().expect("sync");
        std::fs::write("/proc/sys/vm/drop_caches", "3\n").expect("drop_caches needs root");
        return;
    }
    let db = cache.db();
    let mut files = vec![PathBuf::from(env!("CARGO_BIN_EXE_paperboy"))];
    for suffix in ["", "-wal", "-shm"] {
        files.push(PathBuf::from(format!("{}{suffix}", db.display())));
    }
    for path in files {
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        // Dirty pages are not dropped: write them back first.
        let _ = file.sync_all();
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: a valid descriptor, open for the call's duration; advice only.
            let rc =
                unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
            assert_eq!(rc, 0, "posix_fadvise {}", path.display());
        }
    }
}

/// Reads the whole cache file into the page cache: the warm figures must not read the disk
/// (a month switch after `evict` did, at 20 to 30 ms a key on the 100,000-entry cache).
fn warm(cache: &Cache) {
    use std::io::Read;
    let mut file = std::fs::File::open(cache.db()).expect("open cache file");
    let mut buf = vec![0u8; 1 << 20];
    while file.read(&mut buf).expect("read cache file") > 0 {}
}

fn cold_first_frame(cache: &mut Cache) {
    evict(cache);
    let (mut pty, t) = spawn_reader(&cache.dir);
    let d = first_frame(&mut pty, t);
    cache.push("first frame, cold", d);
    quit(pty);
}

/// Runs `paperboy ARGS` to its exit (output read through a pipe, as a shell would).
fn run_cli(cache: &Cache, args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_paperboy"))
        .args(args)
        .env("PAPERBOY_DATA_DIR", &cache.dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run paperboy");
    let d = t.elapsed();
    assert!(
        out.status.success() && !out.stdout.is_empty(),
        "paperboy {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

/// Each command warm (after an untimed run), then `dois` cold.
fn cli_round(cache: &mut Cache) {
    for (name, args, _) in CLI {
        run_cli(cache, args);
        let d = run_cli(cache, args);
        cache.push(name, d);
    }
    evict(cache);
    let d = run_cli(cache, &["dois", "--month", "2024-08"]);
    cache.push("dois --month 2024-08, cold", d);
}

/// The store calls behind the slow rows, timed in this process on a warm cache (medians of
/// `runs`): which of them a whole-process figure is made of.
fn store_calls(cache: &Cache, runs: usize) -> Vec<(String, f64)> {
    let store = Store::open(&cache.db()).expect("open cache");
    let newest = store.months(None).expect("months")[0].month.clone();
    let month = |m: &str| ListQuery {
        month: Some(m.to_string()),
        ..ListQuery::default()
    };
    let search = |words: &str, limit: usize| ListQuery {
        search: Some(words.to_string()),
        limit: Some(limit),
        ..ListQuery::default()
    };
    let feeds = store.feeds().expect("feeds");
    type Call<'a> = Box<dyn Fn() + 'a>;
    let calls: Vec<(String, Call)> = vec![
        (
            "feeds() (counts per feed)".into(),
            Box::new(|| {
                store.feeds().expect("feeds");
            }),
        ),
        (
            "archive_state() of every feed".into(),
            Box::new(|| {
                for f in &feeds {
                    store.archive_state(f.id).expect("archive state");
                }
            }),
        ),
        (
            "count(starred)".into(),
            Box::new(|| {
                let q = ListQuery {
                    starred_only: true,
                    ..ListQuery::default()
                };
                store.count(&q).expect("count");
            }),
        ),
        (
            "months(None)".into(),
            Box::new(|| {
                store.months(None).expect("months");
            }),
        ),
        (
            format!("list({newest}, 200)"),
            Box::new(|| {
                let q = ListQuery {
                    limit: Some(200),
                    ..month(&newest)
                };
                store.list(&q).expect("list");
            }),
        ),
        (
            format!("count({newest})"),
            Box::new(|| {
                store.count(&month(&newest)).expect("count");
            }),
        ),
        (
            "folder_month_counts(folder)".into(),
            Box::new(|| {
                store.folder_month_counts(FOLDER).expect("folder");
            }),
        ),
        (
            "dois(2024-08)".into(),
            Box::new(|| {
                let scope = DoiScope {
                    month: Some("2024-08".into()),
                    ..DoiScope::default()
                };
                store.dois(&scope).expect("dois");
            }),
        ),
        (
            "list(search recovery capital, 200)".into(),
            Box::new(|| {
                store
                    .list(&search("recovery capital", 200))
                    .expect("search");
            }),
        ),
        (
            "count_at_most(search recovery capital, 1000)".into(),
            Box::new(|| {
                let q = search("recovery capital", 200);
                store.count_at_most(&q, Some(1000)).expect("count");
            }),
        ),
        (
            "list(search recovery, 50)".into(),
            Box::new(|| {
                store.list(&search("recovery", 50)).expect("search");
            }),
        ),
    ];
    calls
        .iter()
        .map(|(name, call)| {
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    call();
                    t.elapsed()
                })
                .collect();
            (name.clone(), median(times).as_secs_f64() * 1e3)
        })
        .collect()
}

/// Each statement of `sql` (one a line, after a `-- label` line) on the cache: its query plan
/// and the median time of `runs` runs to its last row, on SQLite as bundled with the program.
fn sql_profile(cache: &Cache, sql: &str, runs: usize) -> String {
    let conn = rusqlite::Connection::open_with_flags(
        cache.db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open cache");
    let mut out = format!("\n# {} ({} entries)\n", cache.label, cache.entries);
    let mut label = String::new();
    for line in sql.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(l) = line.strip_prefix("--") {
            label = l.trim().to_string();
            continue;
        }
        let mut plan = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {line}"))
            .expect("explain");
        let steps: Vec<String> = plan
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("plan rows");
        let mut stmt = conn.prepare(line).expect("prepare");
        let mut rows = 0;
        let times: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let mut q = stmt.query([]).expect("query");
                rows = 0;
                while q.next().expect("row").is_some() {
                    rows += 1;
                }
                t.elapsed()
            })
            .collect();
        let ms = median(times).as_secs_f64() * 1e3;
        let _ = writeln!(out, "{ms:>9.2} ms {rows:>7} rows  {label}");
        for step in steps {
            let _ = writeln!(out, "{:>28}{step}", "");
        }
    }
    out
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_string())
}

/// The rows of the results table: what, the issue's target (ms) or none.
fn rows() -> Vec<(String, Option<f64>)> {
    let mut rows: Vec<(String, Option<f64>)> = vec![
        ("first frame, warm".into(), Some(50.0)),
        ("first frame, cold".into(), Some(300.0)),
        ("month switch".into(), Some(16.0)),
        ("month switch, first change".into(), None),
        ("entry cursor (j), first change".into(), None),
        ("folder select".into(), Some(16.0)),
        ("search \"recovery capital\"".into(), Some(16.0)),
    ];
    rows.extend(CLI.iter().map(|(n, _, t)| (n.to_string(), Some(*t))));
    rows.push(("dois --month 2024-08, cold".into(), None));
    rows
}

fn report(caches: &[Cache], rounds: usize, load_before: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# cargo bench --bench million: {rounds} rounds, medians (min-max) in ms, whole process"
    );
    let _ = writeln!(
        out,
        "# {} cores; load average before {load_before}, after {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    for c in caches {
        let size = std::fs::metadata(c.db()).map_or(0, |m| m.len());
        let built = c
            .built_s
            .map_or("kept from an earlier run".to_string(), |s| {
                format!("built in {s:.0} s")
            });
        let _ = writeln!(
            out,
            "# {}: {} entries, {:.0} MiB on disk, {built}",
            c.label,
            c.entries,
            size as f64 / 1048576.0
        );
    }
    let mut header = format!("{:<36}", "what");
    for c in caches {
        let _ = write!(header, " | {:>22}", c.label);
    }
    let _ = writeln!(out, "{header} | target (large)");
    for (what, target) in rows() {
        let mut line = format!("{what:<36}");
        for c in caches {
            let cell = c.median_ms(&what).map_or("-".to_string(), |(m, lo, hi)| {
                format!("{m:.1} ({lo:.1}-{hi:.1})")
            });
            let _ = write!(line, " | {cell:>22}");
        }
        let target = target.map_or("-".to_string(), |t| format!("{t:.0}"));
        let _ = writeln!(out, "{line} | {target}");
    }
    out
}

/// The per-call table: one column per cache.
fn report_calls(caches: &[Cache], calls: &[Vec<(String, f64)>]) -> String {
    let mut out = String::from("\n# store calls in process, warm, median ms (Store API)\n");
    for (i, (name, _)) in calls[0].iter().enumerate() {
        let _ = write!(out, "{name:<46}");
        for (c, figures) in caches.iter().zip(calls) {
            let _ = write!(out, " | {}: {:>8.2}", c.label, figures[i].1);
        }
        out.push('\n');
    }
    out
}

fn main() {
    // `cargo bench` passes --bench; anything else (cargo test --benches) is a no-op run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let feeds = env_usize("PAPERBOY_BENCH_FEEDS", 2000);
    let per_feed = env_usize("PAPERBOY_BENCH_PER_FEED", 500);
    let rounds = env_usize("PAPERBOY_BENCH_ROUNDS", 5).max(1);
    let kept = std::env::var_os("PAPERBOY_BENCH_DIR").map(PathBuf::from);
    let temp = tempfile::tempdir().expect("tempdir");
    let root = kept.unwrap_or_else(|| temp.path().to_path_buf());
    let load_before = load_average();
    // The reader bench's shape (500 x 200), then the large one.
    let mut caches = vec![
        prepare("100k", root.join("100000"), 500, 200),
        prepare(
            &format!("{}k", feeds * per_feed / 1000),
            root.join(format!("{}", feeds * per_feed)),
            feeds,
            per_feed,
        ),
    ];
    // PAPERBOY_BENCH_SQL=FILE: profile the statements of FILE on both caches instead.
    if let Some(file) = std::env::var_os("PAPERBOY_BENCH_SQL") {
        let sql = std::fs::read_to_string(file).expect("read PAPERBOY_BENCH_SQL");
        for cache in &caches {
            print!("{}", sql_profile(cache, &sql, rounds));
        }
        return;
    }
    for round in 0..rounds {
        // Cold first, then the whole file read back in for the warm figures.
        for cache in caches.iter_mut() {
            cold_first_frame(cache);
            warm(cache);
            reader_session(cache);
            cli_round(cache);
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    let calls: Vec<_> = caches.iter().map(|c| store_calls(c, rounds)).collect();
    let mut text = report(&caches, rounds, &load_before);
    text.push_str(&report_calls(&caches, &calls));
    print!("{text}");
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/results");
    std::fs::create_dir_all(&results).expect("results dir");
    std::fs::write(results.join("million.txt"), &text).expect("write results");
}
