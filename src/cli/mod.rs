//! The command line: thin wrappers over the library API that print plain text or JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use paperboy::model::EntryId;
use paperboy::paths::Paths;
use paperboy::store::ListQuery;
use paperboy::Library;

mod access;
mod archive;
mod doctor;
mod dois;
mod entries;
mod feeds;
mod health;
mod organize;
mod output;
mod papers;
mod save;
mod scan;
mod sync;

use archive::backfill_named;
use doctor::doctor;
pub use doctor::keys_markdown;
use dois::{bib, cite, doi_scope, dois};
use entries::{list, months, open, scoped_query, set_read, show};
use feeds::{export, feeds, import, refresh, subscribe};

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
        /// Remove it even though it holds starred entries (they go with it)
        #[arg(long)]
        force: bool,
    },
    /// List subscriptions with their counts and last fetch
    #[command(
        after_help = "Examples:\n  paperboy feeds --json\n  paperboy feeds --folder Science"
    )]
    Feeds {
        /// Only the feeds of this folder (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Move a feed into a folder (created if new), or out of any with --none
    #[command(
        after_help = "Examples:\n  paperboy folder 3 Science/Psychology\n  paperboy folder 3 --none"
    )]
    Folder {
        /// Feed id, URL or exact title
        feed: String,
        /// Folder name; `Outer/Inner` nests
        #[arg(required_unless_present = "none", conflicts_with = "none")]
        name: Option<String>,
        #[arg(long)]
        none: bool,
    },
    /// List folders with their feed, entry and unread counts (nested folders included)
    #[command(after_help = "Example:\n  paperboy folders --json")]
    Folders {
        #[arg(long)]
        json: bool,
    },
    /// Rename a folder (the folders nested in it follow)
    #[command(
        name = "rename-folder",
        after_help = "Example:\n  paperboy rename-folder Science Research"
    )]
    RenameFolder { old: String, new: String },
    /// Give a feed a title of your own, kept across refreshes (--reset: the feed's own again)
    #[command(
        after_help = "Examples:\n  paperboy rename 3 \"Lab blog\"\n  paperboy rename 3 --reset"
    )]
    Rename {
        /// Feed id, URL or exact title
        feed: String,
        #[arg(required_unless_present = "reset", conflicts_with = "reset")]
        title: Option<String>,
        #[arg(long)]
        reset: bool,
    },
    /// Star entries (saved for later; the read state is left alone)
    #[command(after_help = "Example:\n  paperboy star 42 43")]
    Star {
        #[arg(required = true)]
        entries: Vec<EntryId>,
    },
    /// Remove the star of entries
    #[command(after_help = "Example:\n  paperboy unstar 42")]
    Unstar {
        #[arg(required = true)]
        entries: Vec<EntryId>,
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
        after_help = "Examples:\n  paperboy refresh\n  paperboy refresh 3 https://example.org/feed/ --jobs 4 --json\nWith --health, the cited papers new since the last check, and those due again, are then\nchecked at Crossref (for cron); a failed check is one warning line and leaves the exit status alone."
    )]
    Refresh(feeds::RefreshArgs),
    /// Fetch older posts than the feed's window: RFC 5005 archives, WordPress ?paged=N, Blogger, JSON Feed next_url
    #[command(
        after_help = "Examples:\n  paperboy backfill                  every feed\n  paperboy backfill 3 --max-pages 20\nAn interrupted backfill resumes where it stopped; entries already cached are not fetched twice."
    )]
    Backfill {
        /// Feed ids, URLs or exact titles (default: all)
        feeds: Vec<String>,
        /// Also every feed of this folder (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
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
        #[arg(long, conflicts_with = "folder")]
        feed: Option<String>,
        /// Only the feeds of this folder (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        /// Only starred entries
        #[arg(long)]
        starred: bool,
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
        #[arg(long, conflicts_with = "folder")]
        feed: Option<String>,
        /// Only the feeds of this folder (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        #[arg(long)]
        unread: bool,
        /// Only starred entries
        #[arg(long)]
        starred: bool,
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
    /// List the papers entries cite (DOI, arXiv, PubMed, PMC, COinS), one row per paper,
    /// most-cited first
    #[command(
        after_help = "Examples:\n  paperboy papers --month 2014-12\n  paperboy papers --folder Science --unread --json\nText: how many posts cite each paper, its key, and its citation line when known (else the\nnewest citing post's title). JSON: key, ids {doi, arxiv, pmid, pmcid} (those found),\ncitation (null until known), cited_by (entry ids, newest first), feeds [{id, title}],\nfirst_cited and last_cited (YYYY-MM-DD), health {status, notices [{type, date, doi, source,\nrecord_id}], checked} (status: retracted, withdrawn, removed, concern, corrected, notice, fine,\nor unknown: not checked yet, or not a Crossref DOI).\nHealth: checked at Crossref after a refresh (the reader's, and `paperboy refresh --health`), every [papers] health_days; --check asks now."
    )]
    Papers {
        /// A month, YYYY-MM
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        #[arg(long, conflicts_with = "folder")]
        feed: Option<String>,
        /// Only the feeds of this folder (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        /// Only papers cited by unread entries
        #[arg(long)]
        unread: bool,
        /// Only papers cited by starred entries
        #[arg(long)]
        starred: bool,
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Ask Crossref about every cited paper now (retractions, corrections, concerns)
        #[arg(long)]
        check: bool,
        /// Only papers with a notice (retracted, corrected, expression of concern, …)
        #[arg(long)]
        flagged: bool,
        /// Only retracted (withdrawn, removed) papers
        #[arg(long)]
        retracted: bool,
        #[arg(long)]
        json: bool,
    },
    /// Open an entry (or its link N), a DOI or a paper in the browser
    #[command(
        after_help = "Examples:\n  paperboy open 42             the entry's own page\n  paperboy open 42 --link 3    link [3] of the post\n  paperboy open 10.1111/hsc.12135\n  paperboy open arxiv:1412.3456   arxiv.org/abs/1412.3456\n  paperboy open pmid:23193287\n  paperboy open 10.1038/nature12373 --oa   its open-access copy"
    )]
    Open {
        /// An entry id, a DOI (10.…, doi:10.…, a doi.org URL) or a paper key (arxiv:…,
        /// pmid:…, pmcid:PMC…)
        target: String,
        /// Open link N of the post instead (as numbered by `show`)
        #[arg(long, value_name = "N")]
        link: Option<usize>,
        /// Open the paper's legal open-access copy (Unpaywall; arXiv and PMC papers' own PDF)
        #[arg(long, conflicts_with = "link")]
        oa: bool,
    },
    /// Print a paper's citation (a DOI, arxiv:…, pmid:… or pmcid:…), resolved and cached
    #[command(
        after_help = "Examples:\n  paperboy cite 10.1111/hsc.12135\n  paperboy cite 10.1111/hsc.12135 --style vancouver\n  paperboy cite 10.1111/hsc.12135 --style ~/styles/my-journal.csl\n  paperboy cite doi:10.1111/hsc.12135 --format bibtex\n  paperboy cite arXiv:2401.12345v2\n  paperboy cite pmid:23193287"
    )]
    Cite {
        doi: String,
        #[arg(long, value_enum, default_value_t = CiteFormat::Text)]
        format: CiteFormat,
        /// The citation style of the text line: a name from `paperboy styles`, or a CSL file
        /// (default: [papers] style, else apa)
        #[arg(long, value_name = "NAME|FILE.csl", conflicts_with = "format")]
        style: Option<String>,
    },
    /// List the bundled citation styles (name and title) that `cite --style` and
    /// [papers] style take
    #[command(after_help = "Example:\n  paperboy styles")]
    Styles,
    /// Write one BibTeX (or RIS) file for every paper cited in a scope (DOIs, arXiv, PubMed,
    /// PMC), one entry a paper, with unique keys
    #[command(
        after_help = "Examples:\n  paperboy bib --month 2014-12 -o december.bib\n  paperboy bib --feed 1 > blog.bib\n  paperboy bib --month 2014-12 --format ris -o december.ris"
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
        /// bibtex, or ris for EndNote, Mendeley and Zotero
        #[arg(long, value_enum, default_value_t = BibFormat::Bibtex)]
        format: BibFormat,
    },
    /// Save a paper to Zotero (its connector, while Zotero runs) or with [papers] save_command
    #[command(
        after_help = "Examples:\n  paperboy save 10.1111/hsc.12135\n  paperboy save arxiv:1706.03762\n  paperboy save pmid:23193287\n  paperboy save 42              the one paper entry 42 cites\n  paperboy save 42 --paper 2    its second paper (a list of them says which is which)"
    )]
    Save {
        /// A DOI (10.…, doi:10.…, a doi.org URL), a paper key (arxiv:…, pmid:…, pmcid:PMC…)
        /// or an entry id
        target: String,
        /// With an entry id: its paper N (as the error listing them numbers them)
        #[arg(long, value_name = "N")]
        paper: Option<usize>,
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
    /// Mark entries read: the ones named, or in bulk (filters combine; prints how many)
    #[command(
        after_help = "Examples:\n  paperboy read 42 43\n  paperboy read --folder Science --before 2024-01-01\n  paperboy read --month 2014-12\n  paperboy read --all",
        group(clap::ArgGroup::new("what").required(true).multiple(true)
            .args(["entries", "feed", "folder", "month", "before", "all"]))
    )]
    Read {
        #[arg(conflicts_with_all = ["feed", "folder", "month", "before", "all"])]
        entries: Vec<EntryId>,
        /// Every entry of this feed
        #[arg(long, conflicts_with = "folder")]
        feed: Option<String>,
        /// Every entry of this folder's feeds (and the folders in it)
        #[arg(long, value_name = "NAME")]
        folder: Option<String>,
        /// Every entry of this month
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        /// Every entry dated before this day
        #[arg(long, value_name = "YYYY-MM-DD")]
        before: Option<String>,
        /// Every entry
        #[arg(long, conflicts_with_all = ["feed", "folder", "month", "before"])]
        all: bool,
    },
    /// Sync with the account of [sync] (FreshRSS, Miniflux, any Google Reader API server):
    /// push local read/star changes, then pull subscriptions, new entries and states
    #[command(
        args_conflicts_with_subcommands = true,
        after_help = "Examples:\n  paperboy sync login\n  paperboy sync --since 2026-01-01     (a first sync of recent entries only)\n  paperboy sync status"
    )]
    Sync {
        #[command(subcommand)]
        action: Option<sync::SyncAction>,
        /// The first sync takes only entries the server fetched since this day (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
        /// Remove here the account feeds the server no longer lists, even when that looks
        /// like a broken server (all of them, more than half, or feeds with starred entries)
        #[arg(long)]
        accept_removals: bool,
        #[arg(long)]
        json: bool,
    },
    /// Mark entries unread
    Unread {
        #[arg(required = true)]
        entries: Vec<EntryId>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BibFormat {
    Bibtex,
    Ris,
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
    if let Some(code) = run_without_cache(&args)? {
        return Ok(code);
    }
    let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
    let _log_guard = init_logging(&paths.log_dir);
    let Some(command) = args.command else {
        return reader(paths);
    };
    let mut lib = open_library(paths)?;
    scan::counts_first(&mut lib)?;
    scan::fills_first(&mut lib)?;
    scan::papers_first(&mut lib, &command)?;
    if reads_only(&command) {
        lib.read_mostly()?;
    }
    dispatch(&mut lib, command)
}

/// Commands that only read the cache (after the upgrade's steps above): they run with the
/// small page cache of a reader, which costs less to fill (see `Store::read_mostly`).
fn reads_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Feeds { .. }
            | Command::Folders { .. }
            | Command::Months { .. }
            | Command::List { .. }
            | Command::Show { .. }
            | Command::Dois { .. }
            | Command::Bib { .. }
            | Command::Export { .. }
            | Command::Papers { check: false, .. }
    )
}

/// The commands that need no cache (shell completions, the manual, the keys, the doctor), or
/// `None` for the others.
fn run_without_cache(args: &Args) -> Result<Option<ExitCode>> {
    match &args.command {
        Some(Command::Completions { shell }) => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "paperboy", &mut std::io::stdout());
        }
        Some(Command::Man) => {
            let cmd = <Args as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
        }
        Some(Command::Keys) => {
            let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
            let loaded = paperboy::config::Config::load_for(&paths)?;
            print_config_warnings(&loaded.warnings, &loaded.config, &paths.config_file);
            print!("{}", keys_markdown(&loaded.config.keys));
        }
        Some(Command::Styles) => print!("{}", dois::styles_list()),
        Some(Command::Doctor) => {
            let paths = Paths::resolve(args.data_dir.as_deref(), args.config.as_deref())?;
            return doctor(&paths).map(Some);
        }
        _ => return Ok(None),
    }
    Ok(Some(ExitCode::SUCCESS))
}

/// No command: the reader on the user's cache.
fn reader(paths: Paths) -> Result<ExitCode> {
    let (mut lib, warnings) = paperboy::timing::timed("open config and cache", || {
        open_library_with_warnings(paths)
    })?;
    scan::counts_first(&mut lib)?;
    scan::fills_first(&mut lib)?;
    paperboy::tui::run(
        lib,
        paperboy::tui::RunOptions {
            warnings,
            ..Default::default()
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Runs a command on the cache: one arm per command, each handing its arguments to the file of
/// its group (feeds, archive, organize, entries, dois, sync).
fn dispatch(lib: &mut Library, command: Command) -> Result<ExitCode> {
    match command {
        Command::Add {
            url,
            backfill: also,
            json,
        } => subscribe(lib, &url, also, json),
        Command::Backfill {
            feeds,
            folder,
            max_pages,
            month,
            json,
        } => backfill_named(
            lib,
            &feeds,
            folder.as_deref(),
            month.as_deref(),
            max_pages,
            json,
        ),
        Command::Remove { feed, force } => organize::remove(lib, &feed, force),
        Command::Feeds { folder, json } => feeds(lib, folder.as_deref(), json),
        Command::Folder {
            feed,
            name,
            none: _,
        } => organize::folder(lib, &feed, name.as_deref()),
        Command::Folders { json } => organize::folders(lib, json),
        Command::RenameFolder { old, new } => organize::rename_folder(lib, &old, &new),
        Command::Rename {
            feed,
            title,
            reset: _,
        } => organize::rename(lib, &feed, title.as_deref()),
        Command::Star { entries } => organize::star(lib, &entries, true),
        Command::Unstar { entries } => organize::star(lib, &entries, false),
        Command::Import { file } => import(lib, &file),
        Command::Export { output } => export(lib, output.as_deref()),
        Command::Refresh(args) => refresh(lib, &args),
        c @ (Command::Months { .. } | Command::List { .. }) => listing(lib, c),
        Command::Show { entry, width } => show(lib, entry, width),
        Command::Dois {
            entry,
            month,
            feed,
            json,
        } => dois(lib, &doi_scope(lib, entry, month, feed)?, json),
        c @ Command::Papers { .. } => listing(lib, c),
        Command::Open {
            target, oa: true, ..
        } => access::open_oa(lib, &target),
        Command::Open { target, link, .. } => open(lib, &target, link),
        Command::Cite { doi, format, style } => cite(lib, &doi, format, style.as_deref()),
        Command::Save { target, paper } => save::save(lib, &target, paper),
        Command::Bib {
            entry,
            month,
            feed,
            output,
            format,
        } => {
            let scope = doi_scope(lib, entry, month, feed)?;
            bib(lib, &scope, output.as_deref(), format)
        }
        Command::Completions { .. }
        | Command::Man
        | Command::Doctor
        | Command::Keys
        | Command::Styles => {
            unreachable!("handled before the cache is opened")
        }
        Command::Read {
            entries,
            feed,
            folder,
            month,
            before,
            all: _,
        } => {
            let scope = organize::ReadScope {
                feed,
                folder,
                month,
                before,
            };
            organize::read(lib, &entries, scope)
        }
        Command::Unread { entries } => set_read(lib, &entries, false),
        Command::Sync {
            action,
            since,
            accept_removals,
            json,
        } => sync::command(lib, action, since.as_deref(), accept_removals, json),
    }
}

/// The commands that list a scope's months, entries or papers.
fn listing(lib: &mut Library, command: Command) -> Result<ExitCode> {
    match command {
        Command::Months {
            feed,
            folder,
            starred,
            json,
        } => {
            let q = ListQuery {
                starred_only: starred,
                ..scoped_query(lib, feed.as_deref(), folder, None)?
            };
            months(lib, &q, json)
        }
        Command::List {
            month,
            feed,
            folder,
            unread,
            starred,
            search,
            limit,
            json,
        } => {
            let q = ListQuery {
                unread_only: unread,
                starred_only: starred,
                search,
                limit,
                ..scoped_query(lib, feed.as_deref(), folder, month)?
            };
            list(lib, &q, json)
        }
        Command::Papers {
            month,
            feed,
            folder,
            unread,
            starred,
            limit,
            check,
            flagged,
            retracted,
            json,
        } => {
            let q = ListQuery {
                unread_only: unread,
                starred_only: starred,
                limit,
                ..scoped_query(lib, feed.as_deref(), folder, month)?
            };
            health::papers(lib, &q, check, (flagged, retracted), json)
        }
        _ => unreachable!("dispatch sends only listings here"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn command(args: &[&str]) -> Command {
        let args = Args::try_parse_from(std::iter::once("paperboy").chain(args.iter().copied()))
            .expect("arguments");
        args.command.expect("a command")
    }

    #[test]
    fn listings_read_with_the_small_page_cache_and_writers_keep_the_big_one() {
        for read in [
            &["dois", "--month", "2024-08"][..],
            &["list", "--search", "recovery"],
            &["months"],
            &["feeds"],
            &["papers", "--month", "2024-08"],
        ] {
            assert!(reads_only(&command(read)), "{read:?}");
        }
        for write in [
            &["refresh"][..],
            &["papers", "--check"],
            &["import", "feeds.opml"],
            &["read", "--all"],
        ] {
            assert!(!reads_only(&command(write)), "{write:?}");
        }
    }
}
