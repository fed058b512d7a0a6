//! Reader speed on a large cache (issue 3), measured end to end on the real binary in a
//! pseudo-terminal: the time from start to the first complete frame, and from a key press to the
//! screen that answers it (month switch, search, opening an entry, the Papers view), plus peak
//! memory.
//!
//! Builds a cache of 100,000 entries over 500 feeds and 10 years, then runs `paperboy` on it.
//!
//!     cargo bench --bench reader                      # defaults: 500 feeds x 200 entries
//!     PAPERBOY_BENCH_FEEDS=100 cargo bench --bench reader
//!
//! Figures are medians over several runs; compare them with the targets (first frame 100 ms,
//! one key 16 ms, 80 MiB) rather than across machines.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use paperboy::model::{DoiSource, FoundDoi, NewEntry, ParsedFeed};
use paperboy::store::{FeedUpdate, Store};
use paperboy::text::ids::{FoundPaper, PaperId};

const WORDS: &[&str] = &[
    "social",
    "network",
    "recovery",
    "intervention",
    "capital",
    "community",
    "mental",
    "health",
    "worker",
    "practice",
    "qualitative",
    "trial",
    "cohort",
    "evidence",
    "outcome",
    "policy",
    "participation",
    "wellbeing",
    "support",
    "inference",
    "sample",
    "method",
    "analysis",
    "theory",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "di", "pa", "go", "bi", "fu", "ze", "ha", "jo",
    "ce", "wy", "qu", "xe",
];

/// Pseudo-word `i` of a 8,000-word vocabulary (three syllables).
fn pseudo_word(i: usize) -> String {
    let n = SYLLABLES.len();
    format!(
        "{}{}{}",
        SYLLABLES[i % n],
        SYLLABLES[i / n % n],
        SYLLABLES[i / (n * n) % n]
    )
}

/// The word used for the selective search: rank 3,000 of the skewed vocabulary, found in about
/// one entry in 200.
fn rare_word() -> String {
    pseudo_word(3000)
}

/// Distinct papers the bench's posts cite.
const PAPERS: usize = 20_000;

/// Paper `k` of the pool: most are DOIs (some with their PubMed id too, one paper under two
/// keys), one in ten an arXiv preprint, one in twenty a PubMed record without a DOI.
fn pool_paper(k: usize) -> FoundPaper {
    let ids = match k % 20 {
        0 | 10 => vec![PaperId::Arxiv(format!(
            "{}{:02}.{:05}",
            15 + k % 10,
            1 + k % 12,
            k
        ))],
        5 => vec![PaperId::Pmid(format!("{}", 20_000_000 + k))],
        3 | 13 => vec![
            PaperId::Doi(format!("10.5555/p.{k}")),
            PaperId::Pmid(format!("{}", 30_000_000 + k)),
        ],
        _ => vec![PaperId::Doi(format!("10.5555/p.{k}"))],
    };
    FoundPaper {
        key: ids[0].key(),
        ids,
        coins: None,
    }
}

pub(crate) fn build_cache(dir: &std::path::Path, feeds: usize, per_feed: usize) -> usize {
    let mut store = Store::open(&dir.join("paperboy.db")).expect("open cache");
    let mut rng = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let start = Utc
        .with_ymd_and_hms(2016, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    let span_minutes = 10 * 365 * 24 * 60u64;
    let mut total = 0;
    for f in 0..feeds {
        let url = format!("http://bench.invalid/feed{f}.xml");
        let (id, _) = store
            .add_feed(&url, Some(&format!("Bench feed {f:03}")))
            .expect("add");
        let entries: Vec<NewEntry> = (0..per_feed)
            .map(|i| {
                // A quarter of the words are the blog's topic words, the rest a skewed vocabulary
                // (rank = 5000 u^2), so common and rare words both occur as in real text.
                let words: Vec<String> = (0..60)
                    .map(|_| {
                        let r = next();
                        if r % 4 == 0 {
                            WORDS[(r / 4 % WORDS.len() as u64) as usize].to_string()
                        } else {
                            let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                            pseudo_word((5000.0 * u * u) as usize)
                        }
                    })
                    .collect();
                let text = words.join(" ");
                let html = format!(
                    "<h2>Part {i}</h2><p>{}</p><p>See <a href=\"https://doi.org/10.{}/b.{f}.{i}\">the paper</a>.</p><ul><li>{}</li></ul>",
                    text,
                    1000 + f,
                    &text[..40.min(text.len())]
                );
                let published = start + chrono::Duration::minutes((next() % span_minutes) as i64);
                let doi = format!("10.{}/b.{f}.{i}", 1000 + f);
                // One to three papers of the pool, skewed (rank = 20,000 u^2): a few papers are
                // cited by hundreds of posts, most by a handful, as in a field's blogs.
                let mut papers: Vec<FoundPaper> = Vec::new();
                for _ in 0..1 + next() % 3 {
                    let u = (next() % 1_000_000) as f64 / 1_000_000.0;
                    let p = pool_paper((PAPERS as f64 * u * u) as usize);
                    if papers.iter().all(|q| q.key != p.key) {
                        papers.push(p);
                    }
                }
                NewEntry {
                    guid: format!("bench-{f}-{i}"),
                    title: format!("{} {} study {f}-{i}", words[0], words[1]),
                    link: Some(format!("https://example.org/{f}/{i}")),
                    authors: vec![format!("Author {f}")],
                    published: Some(published),
                    updated: None,
                    content_html: Some(html),
                    summary_html: None,
                    text,
                    dois: vec![FoundDoi { key: doi.to_lowercase(), doi, source: DoiSource::Link }],
                    papers,
                }
            })
            .collect();
        total += entries.len();
        let doc = ParsedFeed {
            title: Some(format!("Bench feed {f:03}")),
            entries,
            ..ParsedFeed::default()
        };
        store
            .apply_update(
                id,
                &FeedUpdate {
                    fetched_at: Utc::now(),
                    status: 200,
                    etag: None,
                    last_modified: None,
                    new_url: None,
                    feed: &doc,
                },
            )
            .expect("store");
        // The first 100 feeds make one folder: the reader's folder row sums and lists them.
        if f < FOLDER_FEEDS {
            store.set_folder(id, Some(FOLDER)).expect("folder");
        }
    }
    total
}

/// The folder of the first `FOLDER_FEEDS` feeds.
pub(crate) const FOLDER: &str = "Bench folder";
pub(crate) const FOLDER_FEEDS: usize = 100;

/// Every entry listed on screen is from a feed of the folder (titles end `study F-I`).
pub(crate) fn only_folder_entries(screen: &str) -> bool {
    let feeds: Vec<usize> = screen
        .split("study ")
        .skip(1)
        .filter_map(|rest| rest.split('-').next()?.parse().ok())
        .collect();
    feeds.len() >= 5 && feeds.iter().all(|f| *f < FOLDER_FEEDS)
}

pub(crate) struct Pty {
    pub(crate) session: expectrl::Session,
    pub(crate) parser: vt100::Parser,
}

impl Pty {
    pub(crate) fn pump(&mut self) {
        let mut buf = [0u8; 65536];
        while let Ok(n) = self.session.try_read(&mut buf) {
            if n == 0 {
                break;
            }
            self.parser.process(&buf[..n]);
        }
    }

    /// Waits until `done(screen)` holds; returns the time it took.
    pub(crate) fn until(&mut self, started: Instant, done: impl Fn(&str) -> bool) -> Duration {
        loop {
            self.pump();
            if done(&self.parser.screen().contents()) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "screen never answered:\n{}",
                self.parser.screen().contents()
            );
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    pub(crate) fn key(&mut self, keys: &str, done: impl Fn(&str) -> bool) -> Duration {
        let t = Instant::now();
        self.session.send(keys).expect("send");
        self.until(t, done)
    }
}

/// Starts the reader on the cache in `dir` in a 120x40 pseudo-terminal; gives the start time.
pub(crate) fn spawn_reader(dir: &std::path::Path) -> (Pty, Instant) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_paperboy"));
    cmd.env("PAPERBOY_DATA_DIR", dir)
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        // Opening an entry looks up its DOIs: keep that on loopback (a closed port).
        .env("PAPERBOY_DOI_RESOLVER", "http://127.0.0.1:9");
    let t = Instant::now();
    let mut session = expectrl::Session::spawn(cmd).expect("spawn");
    session
        .get_process_mut()
        .set_window_size(120, 40)
        .expect("size");
    let pty = Pty {
        session,
        parser: vt100::Parser::new(40, 120, 0),
    };
    (pty, t)
}

/// Opens the Papers view with `P` on the month shown, then on every month (the Unread row: every
/// bench entry is unread): the times to their first rows. Leaves the entries shown, the Feeds
/// cursor on Unread.
fn papers_view(pty: &mut Pty) -> (Duration, Duration) {
    let month = pty.key("P", papers_shown);
    pty.key("P", |s| !s.contains("Papers · ") && s.contains("study"));
    for key in ["\x1b[Z", "\x1b[Z", "g", "j"] {
        pty.session.send(key).expect("send");
        std::thread::sleep(Duration::from_millis(30));
        pty.pump();
    }
    pty.until(Instant::now(), |s| {
        s.contains("Unread (") && s.contains("study")
    });
    let all = pty.key("P", papers_shown);
    pty.key("P", |s| !s.contains("Papers · ") && s.contains("study"));
    (month, all)
}

/// The Papers view's figures (medians).
fn print_papers(month: Vec<Duration>, all: Vec<Duration>) {
    println!(
        "papers month  median {:>7.1} ms   (target 50 ms; P on the newest month, to its first rows)",
        median(month).as_secs_f64() * 1e3
    );
    println!(
        "papers all    median {:>7.1} ms   (P on Unread: every month, {PAPERS} papers)",
        median(all).as_secs_f64() * 1e3
    );
}

/// The Papers view shows its first rows (ids until citations are known: none are cached here).
fn papers_shown(s: &str) -> bool {
    s.contains("Papers · ")
        && !s.contains("(…)")
        && ["10.5555/p.", "arxiv:", "pmid:"]
            .iter()
            .any(|id| s.contains(id))
}

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub(crate) fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes --bench; anything else (cargo test --benches) is a no-op run.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let feeds: usize = std::env::var("PAPERBOY_BENCH_FEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let per_feed: usize = std::env::var("PAPERBOY_BENCH_PER_FEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    // PAPERBOY_BENCH_DIR keeps the cache there (built once) for experiments with the CLI.
    let kept = std::env::var_os("PAPERBOY_BENCH_DIR").map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().expect("tempdir");
    let dir_path = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir_path).expect("bench dir");
    let t = Instant::now();
    let total = if dir_path.join("paperboy.db").exists() {
        feeds * per_feed
    } else {
        build_cache(&dir_path, feeds, per_feed)
    };
    struct Dir(std::path::PathBuf);
    impl Dir {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    let dir = Dir(dir_path);
    let size = std::fs::metadata(dir.path().join("paperboy.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "cache: {total} entries over {feeds} feeds and 10 years, {:.0} MiB, built in {:.1} s",
        size as f64 / 1048576.0,
        t.elapsed().as_secs_f64()
    );
    std::fs::write(
        dir.path().join("config.toml"),
        "[ui]\nrefresh_on_start = false\n",
    )
    .expect("config");

    let runs = 5;
    let (mut first, mut month, mut common, mut rare, mut open, mut mem) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut folder, mut folder_month) = (vec![], vec![]);
    let (mut papers_month, mut papers_all) = (vec![], vec![]);
    for _ in 0..runs {
        let (mut pty, t) = spawn_reader(dir.path());
        // The first frame is complete when the newest month's entries are listed.
        first.push(pty.until(t, |s| s.contains("All feeds") && s.contains("study")));
        for _ in 0..10 {
            let before = pty.parser.screen().contents();
            month.push(pty.key("[", |s| s != before && s.contains("study")));
        }
        let (m, a) = papers_view(&mut pty);
        papers_month.push(m);
        papers_all.push(a);
        // The folder: Feeds pane (Shift-Tab twice from the entries), top, down past All feeds,
        // Unread, Starred and Cited papers to its row.
        for key in ["\x1b[Z", "\x1b[Z", "g", "j", "j", "j"] {
            pty.session.send(key).expect("send");
            std::thread::sleep(Duration::from_millis(30));
            pty.pump();
        }
        folder.push(pty.key("j", |s| s.contains(FOLDER) && only_folder_entries(s)));
        // Months of the folder, from the Archive pane (Tab).
        pty.session.send("\t").expect("send");
        std::thread::sleep(Duration::from_millis(30));
        pty.pump();
        for _ in 0..10 {
            let before = pty.parser.screen().contents();
            folder_month.push(pty.key("j", |s| s != before && only_folder_entries(s)));
        }
        // Back to All feeds and the entries, so the searches cover the whole cache as before.
        for key in ["\x1b[Z", "g"] {
            pty.session.send(key).expect("send");
            std::thread::sleep(Duration::from_millis(30));
            pty.pump();
        }
        pty.until(Instant::now(), |s| {
            !only_folder_entries(s) && s.contains("study")
        });
        for key in ["\t", "\t"] {
            pty.session.send(key).expect("send");
            std::thread::sleep(Duration::from_millis(30));
            pty.pump();
        }
        for (query, into) in [
            ("recovery capital".to_string(), &mut common),
            (rare_word(), &mut rare),
        ] {
            pty.session.send("/").expect("send");
            pty.until(Instant::now(), |s| {
                s.contains("Search") || s.contains("search")
            });
            pty.session.send(&query).expect("send");
            std::thread::sleep(Duration::from_millis(50));
            pty.pump();
            let before = pty.parser.screen().contents();
            into.push(pty.key("\r", |s| s != before && s.contains("study")));
        }
        let before = pty.parser.screen().contents();
        open.push(pty.key("\r", |s| s != before && s.contains("Part ")));
        mem.push(peak_rss_mib(pty.session.get_process().pid().as_raw() as u32));
        pty.session.send("\x03").expect("quit");
        let _ = pty.session.get_process().wait();
    }
    mem.sort_by(|a, b| a.total_cmp(b));
    println!(
        "first frame   median {:>7.1} ms   (target 100 ms)",
        median(first).as_secs_f64() * 1e3
    );
    println!(
        "month switch  median {:>7.1} ms   (target 16 ms)",
        median(month).as_secs_f64() * 1e3
    );
    print_papers(papers_month, papers_all);
    println!(
        "folder select median {:>7.1} ms   (target 16 ms; {FOLDER_FEEDS} feeds)",
        median(folder).as_secs_f64() * 1e3
    );
    println!(
        "folder month  median {:>7.1} ms   (target 16 ms)",
        median(folder_month).as_secs_f64() * 1e3
    );
    println!("search common median {:>7.1} ms   (target 16 ms; \"recovery capital\", in about 1 entry in 5)", median(common).as_secs_f64() * 1e3);
    println!(
        "search rare   median {:>7.1} ms   (target 16 ms; \"{}\", in about 1 entry in 200)",
        median(rare).as_secs_f64() * 1e3,
        rare_word()
    );
    println!(
        "open entry    median {:>7.1} ms   (target 16 ms)",
        median(open).as_secs_f64() * 1e3
    );
    println!(
        "peak memory   median {:>7.1} MiB  (target 80 MiB)",
        mem[mem.len() / 2]
    );
}
