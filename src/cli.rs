//! The command line: thin wrappers over the library API that print plain text or JSON.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use paperboy::citations::CitationState;
use paperboy::library::{FeedReport, RefreshEvent, RefreshStatus};
use paperboy::model::{EntryId, Feed};
use paperboy::paths::Paths;
use paperboy::scrub::{scrub_line, scrub_url};
use paperboy::store::{DoiScope, ListQuery};
use paperboy::text::count;
use paperboy::Library;

#[derive(Debug, Parser)]
#[command(
    name = "paperboy",
    version,
    about = "A terminal reader for research blog feeds: browse archives by month, read posts, follow DOIs",
    after_help = "Run without a command to open the reader. Examples:\n  paperboy --demo                      open the reader on the built-in demo archive\n  paperboy add https://example.org/    subscribe (a feed URL or a site page)\n  paperboy refresh                     fetch every feed\n  paperboy list --month 2014-12        list a month's entries"
)]
pub struct Args {
    /// Directory of the cache (default: the platform data dir)
    #[arg(long, global = true, env = "PAPERBOY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: config.toml in the platform config dir, or in --data-dir)
    #[arg(long, global = true, env = "PAPERBOY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Open the reader on the embedded demo archive (a temporary cache; no network)
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Subscribe to a feed, or to the feed a site's page links to; fetches it once
    #[command(
        after_help = "Examples:\n  paperboy add https://statmodeling.stat.columbia.edu/feed/\n  paperboy add https://retractionwatch.com/     (the page's feed is discovered)"
    )]
    Add {
        url: String,
        /// Also fetch the blog's older posts (see `backfill`)
        #[arg(long)]
        backfill: bool,
        #[arg(long)]
        json: bool,
    },
    /// Unsubscribe and drop a feed's cached entries
    #[command(after_help = "Example:\n  paperboy remove 3")]
    Remove {
        /// Feed id, URL or exact title
        feed: String,
    },
    /// List subscriptions with their counts and last fetch
    #[command(after_help = "Example:\n  paperboy feeds --json")]
    Feeds {
        #[arg(long)]
        json: bool,
    },
    /// Subscribe to every feed of an OPML file (nested outlines; non-http(s) URLs skipped)
    #[command(after_help = "Example:\n  paperboy import subscriptions.opml && paperboy refresh")]
    Import { file: PathBuf },
    /// Write subscriptions as OPML 2.0 (to stdout, or to -o FILE)
    #[command(after_help = "Example:\n  paperboy export -o feeds.opml")]
    Export {
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Fetch feeds (all when none named); exit status 0 only if every feed succeeded
    #[command(
        after_help = "Examples:\n  paperboy refresh\n  paperboy refresh 3 https://example.org/feed/ --jobs 4 --json"
    )]
    Refresh {
        /// Feed ids, URLs or exact titles
        feeds: Vec<String>,
        /// Feeds fetched at once (default: [fetch] jobs in config, 16)
        #[arg(long, short)]
        jobs: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Fetch older posts than the feed's window: RFC 5005 archives, WordPress ?paged=N, Blogger, JSON Feed next_url
    #[command(
        after_help = "Examples:\n  paperboy backfill                  every feed\n  paperboy backfill 3 --max-pages 20\nAn interrupted backfill resumes where it stopped; entries already cached are not fetched twice."
    )]
    Backfill {
        /// Feed ids, URLs or exact titles (default: all)
        feeds: Vec<String>,
        /// At most N pages per feed (default: [archive] max_pages in config, 200)
        #[arg(long, value_name = "N")]
        max_pages: Option<usize>,
        /// Fill only this month, from a WordPress blog's month archive (?m=YYYYMM on its feed)
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Months of the archive with entry and unread counts, newest first
    #[command(after_help = "Example:\n  paperboy months --feed 1")]
    Months {
        #[arg(long)]
        feed: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List entries, newest first
    #[command(
        after_help = "Examples:\n  paperboy list --month 2014-12\n  paperboy list --unread --limit 20\n  paperboy list --search \"social capital\" --json"
    )]
    List {
        /// A month, YYYY-MM
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        #[arg(long)]
        feed: Option<String>,
        #[arg(long)]
        unread: bool,
        /// Full-text search over titles and text
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// Print an entry as wrapped text, links numbered, with its links and DOIs after the text
    #[command(after_help = "Example:\n  paperboy show 42 --width 72")]
    Show {
        entry: EntryId,
        /// Wrap width (default: the terminal's, else 80)
        #[arg(long)]
        width: Option<usize>,
    },
    /// List the DOIs cited by entries (all, or one entry, month or feed)
    #[command(
        after_help = "Examples:\n  paperboy dois --month 2014-12\n  paperboy dois --entry 42 --json"
    )]
    Dois {
        #[arg(long, conflicts_with_all = ["month", "feed"])]
        entry: Option<EntryId>,
        #[arg(long, value_name = "YYYY-MM", conflicts_with = "feed")]
        month: Option<String>,
        #[arg(long)]
        feed: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Open an entry (or its link N) or a DOI in the browser
    #[command(
        after_help = "Examples:\n  paperboy open 42             the entry's own page\n  paperboy open 42 --link 3    link [3] of the post\n  paperboy open 10.1111/hsc.12135"
    )]
    Open {
        /// An entry id, or a DOI (10.…, doi:10.…, a doi.org URL)
        target: String,
        /// Open link N of the post instead (as numbered by `show`)
        #[arg(long, value_name = "N")]
        link: Option<usize>,
    },
    /// Print a DOI's citation, resolved at the DOI resolver (and cached)
    #[command(
        after_help = "Examples:\n  paperboy cite 10.1111/hsc.12135\n  paperboy cite doi:10.1111/hsc.12135 --format bibtex"
    )]
    Cite {
        doi: String,
        #[arg(long, value_enum, default_value_t = CiteFormat::Text)]
        format: CiteFormat,
    },
    /// Write one BibTeX file for every DOI in a scope, with unique keys
    #[command(
        after_help = "Examples:\n  paperboy bib --month 2014-12 -o december.bib\n  paperboy bib --feed 1 > blog.bib"
    )]
    Bib {
        #[arg(long, conflicts_with_all = ["month", "feed"])]
        entry: Option<EntryId>,
        #[arg(long, value_name = "YYYY-MM", conflicts_with = "feed")]
        month: Option<String>,
        #[arg(long)]
        feed: Option<String>,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print every key of the reader by pane (with your [keys] rebindings)
    #[command(after_help = "Example:\n  paperboy keys")]
    Keys,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Examples:\n  paperboy completions bash > ~/.local/share/bash-completion/completions/paperboy\n  paperboy completions zsh > ~/.zfunc/_paperboy\n  paperboy completions fish > ~/.config/fish/completions/paperboy.fish"
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  paperboy man > ~/.local/share/man/man1/paperboy.1")]
    Man,
    /// Print the paths in use, the cache's size and schema, the config found, and check the browser
    #[command(after_help = "Example:\n  paperboy doctor")]
    Doctor,
    /// Mark entries read
    Read {
        #[arg(required = true)]
        entries: Vec<EntryId>,
    },
    /// Mark entries unread
    Unread {
        #[arg(required = true)]
        entries: Vec<EntryId>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CiteFormat {
    Text,
    Bibtex,
    CslJson,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.demo {
        return demo(args.config.as_deref());
    }
    // Commands that need no cache.
    match &args.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "paperboy", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            let cmd = <Args as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Keys) => {
            let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
            let loaded = paperboy::config::Config::load(&paths.config_file)?;
            print_config_warnings(&loaded.warnings, &loaded.config, &paths.config_file);
            print!("{}", keys_markdown(&loaded.config.keys));
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Doctor) => {
            let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
            return doctor(&paths);
        }
        _ => {}
    }
    let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
    let _log_guard = init_logging(&paths.log_dir);
    let Some(command) = args.command else {
        let (lib, warnings) = open_library_with_warnings(paths)?;
        paperboy::tui::run(
            lib,
            paperboy::tui::RunOptions {
                warnings,
                ..Default::default()
            },
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    let mut lib = open_library(paths)?;
    match command {
        Command::Add {
            url,
            backfill: also,
            json,
        } => {
            if also {
                return add_and_backfill(&mut lib, &url, json);
            }
            add(&mut lib, &url, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Backfill {
            feeds,
            max_pages,
            month: Some(month),
            json,
        } => backfill_month(&mut lib, &feeds, &month, max_pages, json),
        Command::Backfill {
            feeds,
            max_pages,
            month: None,
            json,
        } => backfill(&mut lib, &feeds, max_pages, json),
        Command::Remove { feed } => {
            let f = lib.find_feed(&feed)?;
            lib.remove_feed(f.id)?;
            println!("removed {} ({})", scrub_line(&f.title), f.url);
            Ok(ExitCode::SUCCESS)
        }
        Command::Feeds { json } => feeds(&lib, json),
        Command::Import { file } => import(&mut lib, &file),
        Command::Export { output } => export(&lib, output.as_deref()),
        Command::Refresh { feeds, jobs, json } => refresh(&mut lib, &feeds, jobs, json),
        Command::Months { feed, json } => months(&lib, feed.as_deref(), json),
        Command::List {
            month,
            feed,
            unread,
            search,
            limit,
            json,
        } => {
            let feed = feed_id(&lib, feed.as_deref())?;
            if let Some(m) = &month {
                check_month(m)?;
            }
            let q = ListQuery {
                feed,
                month,
                unread_only: unread,
                search,
                limit,
                ..ListQuery::default()
            };
            list(&lib, &q, json)
        }
        Command::Show { entry, width } => {
            let e = lib.entry(entry)?;
            let width = width.unwrap_or_else(terminal_width);
            let text = paperboy::text::render_entry_plain(&e, width);
            print!("{}", ensure_newline(text));
            Ok(ExitCode::SUCCESS)
        }
        Command::Dois {
            entry,
            month,
            feed,
            json,
        } => {
            let scope = doi_scope(&lib, entry, month, feed)?;
            dois(&lib, &scope, json)
        }
        Command::Open { target, link } => open(&lib, &target, link),
        Command::Cite { doi, format } => cite(&mut lib, &doi, format),
        Command::Bib {
            entry,
            month,
            feed,
            output,
        } => {
            let scope = doi_scope(&lib, entry, month, feed)?;
            bib(&mut lib, &scope, output.as_deref())
        }
        Command::Completions { .. } | Command::Man | Command::Doctor | Command::Keys => {
            unreachable!("handled before the cache is opened")
        }
        Command::Read { entries } => set_read(&mut lib, &entries, true),
        Command::Unread { entries } => set_read(&mut lib, &entries, false),
    }
}

/// The reader on the embedded demo archive, in a temporary data dir removed afterwards.
fn demo(config: Option<&Path>) -> Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("paperboy-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo")?;
    let paths = Paths::resolve(Some(dir.path()), config)?;
    let _log_guard = init_logging(&paths.log_dir);
    let (mut lib, warnings) = open_library_with_warnings(paths)?;
    lib.load_demo().context("cannot load the demo archive")?;
    paperboy::tui::run(
        lib,
        paperboy::tui::RunOptions {
            demo: true,
            warnings,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The library and the config's warnings, which the reader shows in its status line.
fn open_library_with_warnings(paths: Paths) -> Result<(Library, Vec<String>)> {
    use paperboy::library::OpenError;
    match paperboy::library::open_with_config_file(paths) {
        Ok(opened) => Ok(opened),
        // The config's own message names the file and the line; the cache is not the problem.
        Err(OpenError::Config(e)) => Err(e.into()),
        Err(OpenError::Library(e)) => {
            Err(anyhow::Error::new(e).context("cannot open paperboy's cache"))
        }
    }
}

/// The library, with the config's warnings printed on stderr.
fn open_library(paths: Paths) -> Result<Library> {
    let config_file = paths.config_file.clone();
    let (lib, warnings) = open_library_with_warnings(paths)?;
    print_config_warnings(&warnings, lib.config(), &config_file);
    Ok(lib)
}

/// The config's warnings and those of its `[keys]` (which the reader shows on its first
/// screen), on stderr.
fn print_config_warnings(warnings: &[String], config: &paperboy::config::Config, file: &Path) {
    let keymap = paperboy::tui::keymap::Keymap::from_config(&config.keys);
    for w in warnings.iter().chain(&keymap.warnings) {
        eprintln!("paperboy: warning: {} ({})", w, file.display());
    }
}

/// A log past this size is moved to `paperboy.log.old` at start, so it never grows without end.
const MAX_LOG_BYTES: u64 = 8 * 1024 * 1024;

/// Logs go to a file: stdout belongs to the output and the UI. A log that cannot be written (a
/// read-only data dir) means no log, never a failed command.
fn init_logging(dir: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::EnvFilter;
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join("paperboy.log");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_LOG_BYTES) {
        let _ = std::fs::rename(&path, dir.join("paperboy.log.old"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter = std::env::var("PAPERBOY_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("paperboy=info"));
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

fn terminal_width() -> usize {
    crossterm::terminal::size()
        .ok()
        .filter(|_| std::io::stdout().is_terminal())
        .map(|(w, _)| w as usize)
        .unwrap_or(80)
}

fn check_month(m: &str) -> Result<()> {
    let ok = m.len() == 7
        && m.as_bytes()[4] == b'-'
        && chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok();
    if !ok {
        bail!(
            "`{}` is not a month: write it as YYYY-MM, e.g. 2014-12",
            scrub_line(m)
        );
    }
    Ok(())
}

fn print_json<T: serde::Serialize + ?Sized>(rows: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, rows)?;
    writeln!(out)?;
    Ok(())
}

/// The ids of the feeds named (by id, URL or exact title).
fn feed_ids(lib: &Library, specs: &[String]) -> Result<Vec<paperboy::model::FeedId>> {
    specs.iter().map(|s| Ok(lib.find_feed(s)?.id)).collect()
}

/// The id of the feed named, if one is.
fn feed_id(lib: &Library, spec: Option<&str>) -> Result<Option<paperboy::model::FeedId>> {
    spec.map(|s| Ok(lib.find_feed(s)?.id)).transpose()
}

/// A listing: every field as JSON, or the `cells` of each row as a table under `header`.
fn print_listing<T: serde::Serialize>(
    rows: &[T],
    json: bool,
    header: &[&str],
    cells: impl Fn(&T) -> Vec<String>,
) -> Result<ExitCode> {
    if json {
        print_json(rows)?;
    } else {
        let table: Vec<Vec<String>> = rows.iter().map(cells).collect();
        print_table(header, &table)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints rows as left-aligned columns; the last column is not padded.
fn print_table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    use paperboy::width::width;
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = std::io::stdout().lock();
    let mut line = |cells: &[String]| -> std::io::Result<()> {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i < last {
                s.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    // The header is for people; scripts reading a pipe get rows only (`paperboy months | head -1`).
    if std::io::stdout().is_terminal() {
        line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    }
    for r in rows {
        line(r)?;
    }
    Ok(())
}

/// Subscribes and prints what happened.
fn add(lib: &mut Library, url: &str, json: bool) -> Result<()> {
    let r = lib
        .add(url)
        .with_context(|| format!("cannot subscribe to {}", scrub_url(url)))?;
    print_add(&r, json)
}

/// `add --backfill`: the backfill starts from the document `add` fetched.
fn add_and_backfill(lib: &mut Library, url: &str, json: bool) -> Result<ExitCode> {
    let progress = !json && std::io::stderr().is_terminal();
    let mut on_event = backfill_progress(progress);
    let (added, report) = lib
        .add_and_backfill(url, None, &mut on_event)
        .with_context(|| format!("cannot subscribe to {}", scrub_url(url)))?;
    if progress {
        eprint!("\r\x1b[K");
    }
    print_add(&added, json)?;
    print_backfill(lib, &[report], json)
}

fn print_add(r: &paperboy::library::AddReport, json: bool) -> Result<()> {
    if json {
        print_json(&r)?;
    } else {
        if let Some(page) = &r.discovered_from {
            println!("found the feed {} on {}", r.url, scrub_url(page));
        }
        let verb = if r.added {
            "subscribed to"
        } else {
            "already subscribed to"
        };
        println!(
            "{verb} {} ({}) [id {}]",
            scrub_line(&r.title),
            count(r.entries, "entry", "entries"),
            r.feed_id
        );
    }
    Ok(())
}

/// Shows each stored page on a terminal.
fn backfill_progress(progress: bool) -> impl FnMut(&paperboy::archive::BackfillEvent) {
    use paperboy::archive::BackfillEvent;
    move |ev: &BackfillEvent| {
        if let (true, BackfillEvent::Page { page, added, .. }) = (progress, ev) {
            eprint!("\r\x1b[Kpage {page}: {added} new");
        }
    }
}

fn backfill(
    lib: &mut Library,
    specs: &[String],
    max_pages: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    let ids = feed_ids(lib, specs)?;
    let progress = !json && std::io::stderr().is_terminal();
    let mut on_event = backfill_progress(progress);
    let reports = lib.backfill(&ids, max_pages, &mut on_event)?;
    if progress {
        eprint!("\r\x1b[K");
    }
    print_backfill(lib, &reports, json)
}

/// `backfill --month`: one month of each named feed (default: all) from its date archive.
fn backfill_month(
    lib: &mut Library,
    specs: &[String],
    month: &str,
    max_pages: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    check_month(month)?;
    if max_pages.is_some() {
        bail!("--max-pages applies to a whole backfill, not to --month");
    }
    let (year, mon) = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
        .with_context(|| format!("`{month}` is not a month (YYYY-MM)"))?;
    let ids = feed_ids(lib, specs)?;
    let reports = lib.backfill_month(&ids, year, mon, &mut |_| {})?;
    print_backfill(lib, &reports, json)
}

fn print_backfill(
    lib: &Library,
    reports: &[paperboy::archive::BackfillReport],
    json: bool,
) -> Result<ExitCode> {
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    if json {
        print_json(reports)?;
    } else {
        for r in reports {
            let title = lib
                .feed(r.feed_id)?
                .map(|f| scrub_line(&f.title))
                .unwrap_or_else(|| r.url.clone());
            let mut line = match r.strategy {
                Some(s) => format!(
                    "{title}: {s}, {}, {}, oldest month {}",
                    count(r.pages, "page", "pages"),
                    count(r.added, "new entry", "new entries"),
                    r.oldest_month.as_deref().unwrap_or("-")
                ),
                None => format!("{title}: no backfill strategy applies"),
            };
            if r.complete {
                line.push_str(" (history complete)");
            }
            if let Some(why) = &r.reason {
                line.push_str(&format!("; {}", scrub_line(why)));
            }
            if let Some(e) = &r.error {
                line.push_str(&format!("; error: {}", scrub_line(e)));
            }
            println!("{line}");
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn fmt_time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_string())
}

fn feeds(lib: &Library, json: bool) -> Result<ExitCode> {
    let header = [
        "ID", "TITLE", "ENTRIES", "UNREAD", "FETCHED", "URL", "ERROR",
    ];
    print_listing(&lib.feeds()?, json, &header, |f: &Feed| {
        vec![
            f.id.to_string(),
            scrub_line(&f.title),
            f.entries.to_string(),
            f.unread.to_string(),
            fmt_time(f.last_fetched),
            f.url.clone(),
            if f.gone {
                "gone (410): no longer fetched".to_string()
            } else {
                f.last_error.as_deref().map(scrub_line).unwrap_or_default()
            },
        ]
    })
}

fn import(lib: &mut Library, file: &Path) -> Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let r = lib
        .import_opml(&bytes)
        .with_context(|| format!("cannot import {}", file.display()))?;
    for (what, why) in &r.skipped {
        println!("skipped {}: {}", scrub_line(what), scrub_line(why));
    }
    println!(
        "imported {} ({} already subscribed, {} skipped); run `paperboy refresh` to fetch them",
        count(r.added, "feed", "feeds"),
        r.already,
        r.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(lib: &Library, output: Option<&Path>) -> Result<ExitCode> {
    let opml = lib.export_opml()?;
    match output {
        Some(p) => {
            std::fs::write(p, opml).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => print!("{opml}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(r: &FeedReport) -> String {
    match r.status {
        RefreshStatus::Updated => format!("updated ({} new)", r.new),
        RefreshStatus::NotModified => "not modified".to_string(),
        RefreshStatus::Error => format!(
            "error: {}",
            r.error.as_deref().map(scrub_line).unwrap_or_default()
        ),
    }
}

fn refresh(
    lib: &mut Library,
    specs: &[String],
    jobs: Option<usize>,
    json: bool,
) -> Result<ExitCode> {
    let ids = feed_ids(lib, specs)?;
    let jobs = jobs.unwrap_or(lib.config().fetch.jobs).max(1);
    let bar = (!json && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template("refreshing {pos}/{len} {wide_bar} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    });
    let mut on_event = |ev: &RefreshEvent| match ev {
        RefreshEvent::Started { total } => {
            if let Some(pb) = &bar {
                pb.set_length(*total as u64);
            }
        }
        RefreshEvent::FeedDone { report, .. } => match &bar {
            Some(pb) => {
                pb.inc(1);
                pb.set_message(scrub_line(&report.title));
                if report.status == RefreshStatus::Error {
                    pb.println(format!(
                        "{}: {}",
                        scrub_line(&report.title),
                        describe(report)
                    ));
                }
            }
            None if !json => {
                println!("{}: {}", scrub_line(&report.title), describe(report));
            }
            None => {}
        },
    };
    let reports = lib.refresh(&ids, jobs, &mut on_event)?;
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    let failed = reports
        .iter()
        .filter(|r| r.status == RefreshStatus::Error)
        .count();
    if json {
        print_json(&reports)?;
    } else {
        let updated = reports
            .iter()
            .filter(|r| r.status == RefreshStatus::Updated)
            .count();
        let new: usize = reports.iter().map(|r| r.new).sum();
        let unchanged = reports.len() - updated - failed;
        println!(
            "{}: {updated} updated ({}), {unchanged} not modified, {failed} failed",
            count(reports.len(), "feed", "feeds"),
            count(new, "new entry", "new entries")
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn months(lib: &Library, feed: Option<&str>, json: bool) -> Result<ExitCode> {
    let feed = feed_id(lib, feed)?;
    let months = lib.months(feed)?;
    print_listing(&months, json, &["MONTH", "ENTRIES", "UNREAD"], |m| {
        vec![m.month.clone(), m.count.to_string(), m.unread.to_string()]
    })
}

fn list(lib: &Library, q: &ListQuery, json: bool) -> Result<ExitCode> {
    let entries = lib.list(q)?;
    let header = ["ID", "DATE", "NEW", "PAPERS", "FEED", "TITLE"];
    print_listing(&entries, json, &header, |e| {
        vec![
            e.id.to_string(),
            e.date
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| e.month.clone()),
            if e.read { " " } else { "N" }.to_string(),
            if e.dois.is_empty() {
                String::new()
            } else {
                format!("{} doi", e.dois.len())
            },
            scrub_line(&e.feed_title),
            // The placeholder is the view's; JSON carries the real (empty) title.
            match scrub_line(&e.title) {
                t if t.is_empty() => "(untitled)".to_string(),
                t => t,
            },
        ]
    })
}

fn set_read(lib: &mut Library, ids: &[EntryId], read: bool) -> Result<ExitCode> {
    for id in ids {
        lib.entry(*id)?;
    }
    let n = lib.set_read(ids, read)?;
    println!("marked {n} {}", if read { "read" } else { "unread" });
    Ok(ExitCode::SUCCESS)
}

fn doi_scope(
    lib: &Library,
    entry: Option<EntryId>,
    month: Option<String>,
    feed: Option<String>,
) -> Result<DoiScope> {
    if let Some(m) = &month {
        check_month(m)?;
    }
    if let Some(e) = entry {
        lib.entry(e)?;
    }
    let feed = feed_id(lib, feed.as_deref())?;
    Ok(DoiScope { entry, month, feed })
}

fn dois(lib: &Library, scope: &DoiScope, json: bool) -> Result<ExitCode> {
    let rows = lib.dois(scope)?;
    print_listing(&rows, json, &["DOI", "ENTRY", "SOURCE", "TITLE"], |r| {
        vec![
            r.doi.clone(),
            r.entry_id.to_string(),
            r.source.as_str().to_string(),
            scrub_line(&r.entry_title),
        ]
    })
}

/// The DOI a user typed (10.…, doi:10.…, a doi.org URL), if it is one.
fn typed_doi(s: &str) -> Option<String> {
    paperboy::doi::from_meta(s).or_else(|| paperboy::doi::from_url(s))
}

fn open(lib: &Library, target: &str, link: Option<usize>) -> Result<ExitCode> {
    let url = if let Ok(id) = target.parse::<EntryId>() {
        let entry = lib.entry(id)?;
        match link {
            None => entry
                .link
                .clone()
                .with_context(|| format!("entry {id} has no link"))?,
            Some(n) => {
                let rendered = paperboy::text::render_html(entry.body_html(), 80);
                rendered
                    .links
                    .get(n.wrapping_sub(1))
                    .cloned()
                    .with_context(|| {
                        format!(
                            "entry {id} has {}; `paperboy show {id}` numbers them",
                            count(rendered.links.len(), "link", "links")
                        )
                    })?
            }
        }
    } else if let Some(doi) = typed_doi(target) {
        let base = paperboy::citations::resolver_base(&lib.config().doi.resolver);
        paperboy::doi::doi_url(&base, &doi)?
    } else {
        bail!(
            "`{}` is neither an entry id nor a DOI (10.NNNN/…)",
            scrub_line(target)
        );
    };
    let command = paperboy::open::browser_command(
        lib.config().browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );
    paperboy::open::open_url(&url, &command)?;
    println!("opened {}", scrub_url(&url));
    Ok(ExitCode::SUCCESS)
}

fn cite(lib: &mut Library, target: &str, format: CiteFormat) -> Result<ExitCode> {
    let doi = typed_doi(target)
        .with_context(|| format!("`{}` is not a DOI (10.NNNN/…)", scrub_line(target)))?;
    match format {
        CiteFormat::Bibtex => match lib.bibtex(&doi)? {
            Some(b) => print!("{}", ensure_newline(b)),
            None => bail!("doi:{doi} is not known to the DOI resolver"),
        },
        CiteFormat::Text | CiteFormat::CslJson => match lib.citation(&doi)? {
            CitationState::Found { citation } => {
                if format == CiteFormat::Text {
                    println!("{}", citation.line());
                } else {
                    print_json(&citation)?;
                }
            }
            CitationState::NotFound => bail!("doi:{doi} is not known to the DOI resolver"),
            CitationState::Failed { reason } => {
                bail!("cannot resolve doi:{doi}: {reason}")
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn ensure_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

fn bib(lib: &mut Library, scope: &DoiScope, output: Option<&Path>) -> Result<ExitCode> {
    let export = lib.bib_export(scope)?;
    for (doi, why) in &export.missing {
        eprintln!("paperboy: skipped doi:{doi}: {}", scrub_line(why));
    }
    match output {
        Some(p) => {
            std::fs::write(p, &export.text)
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("wrote {} BibTeX entries to {}", export.entries, p.display());
        }
        None => print!("{}", export.text),
    }
    Ok(ExitCode::SUCCESS)
}

/// Paths, cache, config and browser, checked one by one; exit 1 if something is wrong.
fn doctor(paths: &Paths) -> Result<ExitCode> {
    let mut ok = true;
    println!("paperboy {}", env!("CARGO_PKG_VERSION"));
    println!("data dir     {}", paths.data_dir.display());
    println!("log dir      {}", paths.log_dir.display());
    let db = paths.db_file();
    match std::fs::metadata(&db) {
        Ok(m) => println!(
            "cache        {} ({:.1} MiB)",
            db.display(),
            m.len() as f64 / 1048576.0
        ),
        Err(_) => println!("cache        {} (not created yet)", db.display()),
    }
    let config = match paperboy::config::Config::load(&paths.config_file) {
        Ok(loaded) => {
            let state = if paths.config_file.exists() {
                "found"
            } else {
                "not found; defaults in use"
            };
            println!("config       {} ({state})", paths.config_file.display());
            for w in &loaded.warnings {
                println!("  warning: {w}");
            }
            loaded.config
        }
        Err(e) => {
            ok = false;
            println!("config       {e}");
            paperboy::config::Config::default()
        }
    };
    if db.exists() {
        match paperboy::store::Store::open(&db) {
            Ok(store) => {
                match store.stats() {
                    Ok(s) => println!(
                        "schema       version {} (this paperboy: {})\nholds        {}, {} ({} unread), {}",
                        s.schema_version,
                        paperboy::store::Store::SCHEMA_VERSION,
                        count(s.feeds, "feed", "feeds"),
                        count(s.entries, "entry", "entries"),
                        s.unread,
                        count(s.dois, "DOI", "DOIs")
                    ),
                    Err(e) => {
                        ok = false;
                        println!("schema       cannot read: {e}");
                    }
                }
                match store.integrity_check() {
                    Ok(r) if r == "ok" => println!("integrity    ok"),
                    Ok(r) => {
                        ok = false;
                        println!("integrity    {}", scrub_line(&r));
                    }
                    Err(e) => {
                        ok = false;
                        println!("integrity    cannot check: {e}");
                    }
                }
            }
            Err(e) => {
                ok = false;
                println!("schema       cannot open the cache: {e}");
            }
        }
    }
    let command = paperboy::open::browser_command(
        config.browser.as_deref(),
        std::env::var("PAPERBOY_BROWSER").ok(),
        std::env::var("BROWSER").ok(),
    );
    match command.first() {
        Some(program) => {
            let found = find_program(program);
            println!(
                "browser      {} ({})",
                scrub_line(&command.join(" ")),
                match &found {
                    Some(p) => format!("found at {}", p.display()),
                    None => "NOT FOUND: set `browser` in config.toml, $BROWSER or PAPERBOY_BROWSER"
                        .to_string(),
                }
            );
            ok &= found.is_some();
        }
        None => {
            ok = false;
            println!("browser      none configured");
        }
    }
    println!(
        "resolver     {}",
        paperboy::citations::resolver_base(&config.doi.resolver)
    );
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The program as the OS would find it: a path, or a name looked up in PATH.
fn find_program(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|c| c.is_file())
    })
}

/// The reader's keys as Markdown tables, one per pane: the same keymap the reader and its help
/// overlay use.
pub fn keys_markdown(rebinds: &std::collections::BTreeMap<String, Vec<String>>) -> String {
    let keymap = paperboy::tui::keymap::Keymap::from_config(rebinds);
    let mut out = String::new();
    for (ctx, rows) in keymap.help_sections() {
        out.push_str(&format!(
            "**{}**\n\n| keys | does |\n| --- | --- |\n",
            ctx.title()
        ));
        for (keys, help) in rows {
            let keys: Vec<String> = keys
                .split(' ')
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            out.push_str(&format!("| {} | {} |\n", keys.join(" "), help));
        }
        out.push('\n');
    }
    out
}
