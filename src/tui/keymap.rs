//! Keys to actions, by pane. The defaults are issue 3's list; `[keys]` in config.toml rebinds any
//! command by name. The help overlay and the status-line hints are generated from this table.

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::state::{App, Overlay, Pane};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ctx {
    /// Every pane (a pane's own binding wins).
    Global,
    Feeds,
    Archive,
    Entries,
    /// The Papers view (P).
    Papers,
    Reader,
    /// The link list overlay (its own keys first, then the reader's).
    Links,
    /// The first-run screen.
    Welcome,
}

impl Ctx {
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Everywhere",
            Ctx::Feeds => "Feeds",
            Ctx::Archive => "Archive",
            Ctx::Entries => "Entries",
            Ctx::Papers => "Papers (P)",
            Ctx::Reader => "Reader",
            Ctx::Links => "Link list (L)",
            Ctx::Welcome => "Welcome screen",
        }
    }

    pub const ALL: [Ctx; 8] = [
        Ctx::Global,
        Ctx::Feeds,
        Ctx::Archive,
        Ctx::Entries,
        Ctx::Papers,
        Ctx::Reader,
        Ctx::Links,
        Ctx::Welcome,
    ];
}

impl From<Pane> for Ctx {
    fn from(p: Pane) -> Ctx {
        match p {
            Pane::Feeds => Ctx::Feeds,
            Pane::Archive => Ctx::Archive,
            Pane::Entries => Ctx::Entries,
            Pane::Papers => Ctx::Papers,
            Pane::Reader => Ctx::Reader,
        }
    }
}

/// A key with the modifiers that matter (Shift is folded into the character itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses a config key name: `j`, `J`, `?`, `Down`, `Ctrl-d`, `Alt-x`, `Shift-Tab`, `PageDown`,
    /// `Space`, `F5`. Names are case-insensitive except single characters.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 2 && (lower.starts_with("ctrl-") || lower.starts_with("c-")) {
                ctrl = true;
                rest = &rest[rest.find('-')? + 1..];
            } else if rest.chars().count() > 2
                && (lower.starts_with("alt-") || lower.starts_with("m-"))
            {
                alt = true;
                rest = &rest[rest.find('-')? + 1..];
            } else if rest.chars().count() > 2 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                // Terminals report Ctrl-D as Ctrl + 'd'.
                let c = if ctrl { c.to_ascii_lowercase() } else { c };
                if shift {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "down" => KeyCode::Down,
                "up" => KeyCode::Up,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if shift => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "pageup" | "pgup" => KeyCode::PageUp,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                f if f.starts_with('f') => KeyCode::F(f[1..].parse().ok().filter(|n| *n >= 1)?),
                _ => return None,
            },
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key as config.toml spells it.
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "Down".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::PageDown => "PageDown".into(),
            KeyCode::PageUp => "PageUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl-");
        }
        if self.alt {
            s.push_str("Alt-");
        }
        s.push_str(&base);
        s
    }
}

/// One rebindable command.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// The name used in `[keys]`.
    pub name: &'static str,
    pub help: &'static str,
    pub action: Action,
    pub ctx: Vec<Ctx>,
    pub keys: Vec<Key>,
}

/// A default binding: (name, help, action, contexts, keys).
type DefaultBinding = (
    &'static str,
    &'static str,
    Action,
    Vec<Ctx>,
    &'static [&'static str],
);

/// The default bindings. Their order counts: a key bound twice in a context does the first
/// command, and the help lists each context's commands in this order.
fn defaults() -> Vec<Binding> {
    [
        movement(),
        archive_and_feeds(),
        reading(),
        papers(),
        link_list(),
        network_and_welcome(),
        open_links(),
    ]
    .concat()
    .into_iter()
    .map(|(name, help, action, ctx, keys)| Binding {
        name,
        help,
        action,
        ctx,
        keys: keys.iter().filter_map(|k| Key::parse(k)).collect(),
    })
    .collect()
}

/// Moving the cursor and the focus, opening, going back and quitting.
fn movement() -> Vec<DefaultBinding> {
    use Ctx::*;
    let g = || vec![Global];
    vec![
        ("down", "move down", Action::MoveDown, g(), &["j", "Down"]),
        ("up", "move up", Action::MoveUp, g(), &["k", "Up"]),
        ("top", "go to the top", Action::Top, g(), &["g", "Home"]),
        (
            "bottom",
            "go to the bottom",
            Action::Bottom,
            g(),
            &["G", "End"],
        ),
        (
            "page_down",
            "page down",
            Action::PageDown,
            g(),
            &["PageDown"],
        ),
        ("page_up", "page up", Action::PageUp, g(), &["PageUp"]),
        (
            "half_page_down",
            "half a page down",
            Action::HalfPageDown,
            g(),
            &["Ctrl-d"],
        ),
        (
            "half_page_up",
            "half a page up",
            Action::HalfPageUp,
            g(),
            &["Ctrl-u"],
        ),
        (
            "left",
            "pane to the left",
            Action::FocusLeft,
            g(),
            &["h", "Left"],
        ),
        (
            "right",
            "pane to the right",
            Action::FocusRight,
            g(),
            &["l", "Right"],
        ),
        ("next_pane", "next pane", Action::FocusNext, g(), &["Tab"]),
        (
            "prev_pane",
            "previous pane",
            Action::FocusPrev,
            g(),
            &["Shift-Tab"],
        ),
        ("open", "open", Action::Open, g(), &["Enter"]),
        ("back", "go back", Action::Back, g(), &["Esc"]),
        (
            "quit",
            "go back; quit at the top level",
            Action::Quit,
            vec![Global, Welcome],
            &["q"],
        ),
    ]
}

/// The Archive's months and years, and organizing the Feeds pane.
fn archive_and_feeds() -> Vec<DefaultBinding> {
    use Ctx::*;
    let g = || vec![Global];
    vec![
        (
            "prev_month",
            "previous month with entries",
            Action::PrevMonth,
            g(),
            &["["],
        ),
        (
            "next_month",
            "next month with entries",
            Action::NextMonth,
            g(),
            &["]"],
        ),
        ("prev_year", "previous year", Action::PrevYear, g(), &["{"]),
        ("next_year", "next year", Action::NextYear, g(), &["}"]),
        (
            "move_to_folder",
            "move the feed to a folder",
            Action::MoveToFolder,
            vec![Feeds],
            &["f"],
        ),
        (
            "rename_feed",
            "rename the feed (a title of your own) or folder",
            Action::RenameFeed,
            vec![Feeds],
            &["e"],
        ),
        (
            "remove_feed",
            "remove the feed and its entries (asks first)",
            Action::RemoveFeed,
            vec![Feeds],
            &["D"],
        ),
        (
            "toggle_folder",
            "open or close the folder",
            Action::ToggleFolder,
            vec![Feeds],
            &["Space"],
        ),
        (
            "toggle_year",
            "fold or unfold the year",
            Action::ToggleYear,
            vec![Archive],
            &["Space"],
        ),
        (
            "jump_to_month",
            "jump to a month (YYYY-MM)",
            Action::JumpToMonth,
            g(),
            &[":"],
        ),
    ]
}

/// The Entries listing and the Reader.
fn reading() -> Vec<DefaultBinding> {
    use Ctx::*;
    let g = || vec![Global];
    vec![
        (
            "toggle_read",
            "toggle read",
            Action::ToggleRead,
            vec![Entries, Reader],
            &["m"],
        ),
        (
            "toggle_star",
            "toggle the star (saved for later; read state unchanged)",
            Action::ToggleStar,
            vec![Entries, Reader],
            &["s"],
        ),
        (
            "mark_month_read",
            "mark the listing read",
            Action::MarkMonthRead,
            g(),
            &["A"],
        ),
        (
            "papers_only",
            "only entries that cite papers",
            Action::TogglePapersOnly,
            g(),
            &["p"],
        ),
        (
            "papers",
            "the papers cited here (scope and month); again: the entries",
            Action::PapersView,
            g(),
            &["P"],
        ),
        (
            "flagged_papers",
            "papers with a notice (retracted, corrected, of concern); again: all",
            Action::FlaggedPapers,
            g(),
            &["!"],
        ),
        (
            "search",
            "search the cache",
            Action::StartSearch,
            g(),
            &["/"],
        ),
        (
            "next_entry",
            "next entry",
            Action::NextEntry,
            vec![Reader],
            &["J"],
        ),
        (
            "prev_entry",
            "previous entry",
            Action::PrevEntry,
            vec![Reader],
            &["K"],
        ),
        (
            "reader_page_down",
            "page down",
            Action::PageDown,
            vec![Reader],
            &["Space"],
        ),
        (
            "next_match",
            "next search match",
            Action::NextMatch,
            vec![Reader],
            &["n"],
        ),
        (
            "prev_match",
            "previous search match",
            Action::PrevMatch,
            vec![Reader],
            &["N"],
        ),
        (
            "open_in_browser",
            "open the entry in the browser",
            Action::OpenInBrowser,
            vec![Entries, Reader],
            &["o"],
        ),
        (
            "link_list",
            "list the post's links and DOIs",
            Action::LinkList,
            vec![Reader],
            &["L"],
        ),
    ]
}

/// The Papers view's own keys (its copy and BibTeX keys are the link list's).
fn papers() -> Vec<DefaultBinding> {
    use Ctx::*;
    vec![
        (
            "paper_posts",
            "list the posts citing the paper",
            Action::Open,
            vec![Papers],
            &["Enter"],
        ),
        (
            "open_paper",
            "open the paper (doi.org, arXiv, PubMed, PMC)",
            Action::OpenInBrowser,
            vec![Papers],
            &["o"],
        ),
    ]
}

/// The link list's keys on a DOI or link row, and the Papers view's on a paper.
fn link_list() -> Vec<DefaultBinding> {
    use Ctx::*;
    vec![
        (
            "copy_doi",
            "copy the DOI or paper id (a link: its URL) with OSC 52",
            Action::CopyDoi,
            vec![Links, Papers],
            &["c"],
        ),
        (
            "copy_bibtex",
            "copy the DOI's BibTeX with OSC 52",
            Action::CopyBibtex,
            vec![Links, Papers],
            &["b"],
        ),
        (
            "append_bibtex",
            "append the DOI's BibTeX to doi.bib_file",
            Action::AppendBibtex,
            vec![Links, Papers],
            &["B"],
        ),
        (
            "open_oa",
            "open the paper's legal open-access copy (Unpaywall; arXiv, PMC)",
            Action::OpenOa,
            vec![Links, Papers],
            &["O"],
        ),
        (
            "save_paper",
            "save the paper to Zotero (or with [papers] save_command)",
            Action::SavePaper,
            vec![Links, Papers],
            &["z"],
        ),
    ]
}

/// Refreshing, backfilling, adding feeds, the welcome screen, help.
fn network_and_welcome() -> Vec<DefaultBinding> {
    use Ctx::*;
    let g = || vec![Global];
    vec![
        (
            "refresh",
            "refresh the selected feed",
            Action::RefreshFeed,
            g(),
            &["r"],
        ),
        (
            "refresh_all",
            "refresh all feeds (and sync the account, if any)",
            Action::RefreshAll,
            g(),
            &["R"],
        ),
        (
            "backfill",
            "fetch older posts of the feed (backfill)",
            Action::Backfill,
            g(),
            &["H"],
        ),
        (
            "add_feed",
            "add a feed by URL",
            Action::AddFeed,
            vec![Global, Welcome],
            &["a"],
        ),
        (
            "import_opml",
            "import an OPML file",
            Action::ImportOpml,
            vec![Welcome],
            &["i"],
        ),
        (
            "subscribe_research",
            "subscribe to the built-in research list",
            Action::SubscribeResearchList,
            vec![Welcome],
            &["s"],
        ),
        (
            "demo",
            "open the demo archive",
            Action::LoadDemo,
            vec![Welcome],
            &["d"],
        ),
        (
            "help",
            "show this help",
            Action::Help,
            vec![Global, Welcome],
            &["?"],
        ),
    ]
}

/// `1`-`9` in the Reader: open the post's numbered links.
fn open_links() -> Vec<DefaultBinding> {
    const LINK_NAMES: [&str; 9] = [
        "open_link_1",
        "open_link_2",
        "open_link_3",
        "open_link_4",
        "open_link_5",
        "open_link_6",
        "open_link_7",
        "open_link_8",
        "open_link_9",
    ];
    static DIGITS: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut v = Vec::new();
    for n in 0..9u8 {
        let i = usize::from(n);
        v.push((
            LINK_NAMES[i],
            "open link N of the post",
            Action::OpenLink(n + 1),
            vec![Ctx::Reader],
            std::slice::from_ref(&DIGITS[i]),
        ));
    }
    v
}

/// The bindings in use, and what was wrong with the config's `[keys]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
    pub warnings: Vec<String>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
            warnings: Vec::new(),
        }
    }
}

impl Keymap {
    /// The defaults with `[keys]` applied: each named command gets exactly the listed keys, and
    /// those keys are taken away from other commands where both apply. A command left with no
    /// key that way is reported: rebinding `q` must not silently leave quitting to Ctrl-c.
    pub fn from_config(keys: &BTreeMap<String, Vec<String>>) -> Keymap {
        let mut map = Keymap::default();
        let had_keys: Vec<bool> = map.bindings.iter().map(|b| !b.keys.is_empty()).collect();
        for (name, specs) in keys {
            let Some(idx) = map.bindings.iter().position(|b| b.name == name) else {
                map.warnings.push(format!(
                    "[keys]: unknown command `{}` (ignored; `?` lists the commands)",
                    crate::text::scrub::scrub_line(name)
                ));
                continue;
            };
            let mut parsed = Vec::new();
            for s in specs {
                match Key::parse(s) {
                    Some(k) => parsed.push(k),
                    None => map.warnings.push(format!(
                        "[keys] {name}: unknown key `{}` (ignored)",
                        crate::text::scrub::scrub_line(s)
                    )),
                }
            }
            let ctx = map.bindings[idx].ctx.clone();
            for (i, b) in map.bindings.iter_mut().enumerate() {
                let overlaps = b
                    .ctx
                    .iter()
                    .any(|c| ctx.contains(c) || *c == Ctx::Global || ctx.contains(&Ctx::Global));
                if i != idx && overlaps {
                    b.keys.retain(|k| !parsed.contains(k));
                }
            }
            map.bindings[idx].keys = parsed;
        }
        for (b, had) in map.bindings.iter().zip(had_keys) {
            if had && b.keys.is_empty() && !keys.contains_key(b.name) {
                map.warnings.push(format!(
                    "[keys]: `{}` ({}) has no key left, its keys went to other commands; give it one in [keys]",
                    b.name, b.help
                ));
            }
        }
        map
    }

    /// The action for `key` in `ctx`: the context's own binding, else a global one. The welcome
    /// screen has only its own bindings and the movement keys.
    pub fn lookup(&self, ctx: Ctx, key: Key) -> Option<Action> {
        self.lookup_only(ctx, key).or_else(|| {
            if ctx == Ctx::Welcome {
                None
            } else {
                self.lookup_only(Ctx::Global, key)
            }
        })
    }

    /// The action for `key` bound in `ctx` itself (no global fallback).
    pub fn lookup_only(&self, ctx: Ctx, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.ctx.contains(&ctx) && b.keys.contains(&key))
            .map(|b| b.action.clone())
    }

    /// The first key bound to the command `name`, as shown in hints.
    pub fn key_for(&self, name: &str) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.name == name)
            .and_then(|b| b.keys.first())
            .map(Key::name)
    }

    /// The help text: for each context, (keys, description) rows; commands sharing a description
    /// (the nine link keys) share a row.
    pub fn help_sections(&self) -> Vec<(Ctx, Vec<(String, &'static str)>)> {
        let mut out = Vec::new();
        for ctx in Ctx::ALL {
            let mut rows: Vec<(String, &'static str)> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.ctx.contains(&ctx)) {
                if b.keys.is_empty() {
                    continue;
                }
                let keys: Vec<String> = b.keys.iter().map(Key::name).collect();
                let keys = keys.join(" ");
                match rows.last_mut() {
                    Some((k, help)) if *help == b.help => {
                        k.push(' ');
                        k.push_str(&keys);
                    }
                    _ => rows.push((keys, b.help)),
                }
            }
            if ctx == Ctx::Global {
                rows.push(("Ctrl-c".to_string(), "quit now"));
            }
            if !rows.is_empty() {
                out.push((ctx, rows));
            }
        }
        out
    }
}

/// The action a key press means in the app's current state (`None`: ignore it).
pub fn key_action(app: &App, ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let key = Key::from_event(ev);
    // Ctrl-c always quits, whatever the bindings say: it is the way out of everything.
    if key.ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::ForceQuit);
    }
    match &app.overlay {
        Some(Overlay::Prompt { .. }) => match key.code {
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Tab => Some(Action::Complete),
            KeyCode::Char(c) if !key.ctrl && !key.alt => Some(Action::Input(c)),
            _ => None,
        },
        // Only an explicit answer: Enter must not confirm by accident.
        Some(Overlay::Confirm { .. }) => match key.code {
            KeyCode::Char('y' | 'Y') if !key.ctrl && !key.alt => Some(Action::Submit),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(Action::Cancel),
            _ => None,
        },
        // The list's own keys, then the reader's (digits, `o`, `L` to close) and the global ones.
        Some(Overlay::LinkList { .. }) => app
            .keymap
            .lookup_only(Ctx::Links, key)
            .or_else(|| app.keymap.lookup(Ctx::Reader, key)),
        Some(Overlay::Help { .. }) => app.keymap.lookup(Ctx::Global, key),
        None if app.welcome() => app.keymap.lookup(Ctx::Welcome, key),
        None => app.keymap.lookup(app.focus.into(), key),
    }
}

/// Hints for the status line: the commands worth knowing in `ctx`, with their current keys.
pub fn hints(keymap: &Keymap, ctx: Ctx) -> Vec<(String, &'static str)> {
    let names: &[(&str, &'static str)] = match ctx {
        Ctx::Feeds => &[
            ("open", "open"),
            ("refresh", "refresh"),
            ("backfill", "history"),
            ("add_feed", "add"),
            ("search", "search"),
            ("help", "help"),
        ],
        Ctx::Archive => &[
            ("open", "open"),
            ("toggle_year", "fold"),
            ("jump_to_month", "jump"),
            ("papers_only", "papers"),
            ("help", "help"),
        ],
        Ctx::Entries => &[
            ("open", "read"),
            ("toggle_read", "read/unread"),
            ("next_month", "month"),
            ("search", "search"),
            ("papers_only", "papers"),
            ("papers", "Papers"),
            ("help", "help"),
        ],
        Ctx::Papers => &[
            ("paper_posts", "posts"),
            ("open_paper", "open"),
            ("copy_doi", "copy id"),
            ("copy_bibtex", "copy BibTeX"),
            ("papers", "entries"),
            ("help", "help"),
        ],
        Ctx::Reader => &[
            ("back", "back"),
            ("next_entry", "next"),
            ("link_list", "links"),
            ("open_in_browser", "browser"),
            ("help", "help"),
        ],
        Ctx::Links => &[
            ("open", "open"),
            ("copy_doi", "copy DOI"),
            ("copy_bibtex", "copy BibTeX"),
            ("append_bibtex", "save BibTeX"),
            ("back", "close"),
        ],
        Ctx::Welcome => &[
            ("add_feed", "add URL"),
            ("import_opml", "import OPML"),
            ("subscribe_research", "research list"),
            ("demo", "demo"),
            ("quit", "quit"),
        ],
        Ctx::Global => &[("help", "help")],
    };
    names
        .iter()
        .filter_map(|(name, label)| keymap.key_for(name).map(|k| (k, *label)))
        .collect()
}
