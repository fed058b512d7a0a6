//! The overlays: the one-line prompts, the yes/no question, help and the link list, with the
//! keys that open them and what each does with the keys while it is open.

use crate::model::FeedId;
use crate::text::render::count;
use crate::tui::action::{Action, BibUse};
use crate::tui::state::{App, Confirmed, LinkItem, Overlay, Pane, PromptKind, Scope};

use super::entries::{open_link, start_search};
use super::navigate::jump_to;
use super::{is_user, main, Effect, OSC52_NOTE};

/// The keys that open an overlay (`main` sends only those).
pub(super) fn open(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::JumpToMonth => open_prompt(app, PromptKind::JumpMonth),
        Action::StartSearch => open_prompt(app, PromptKind::Search),
        Action::AddFeed => open_prompt(app, PromptKind::AddFeed),
        Action::ImportOpml => open_prompt(app, PromptKind::ImportOpml),
        Action::MoveToFolder | Action::RenameFeed => match app.feeds.selected_feed() {
            Some(f) if matches!(action, Action::MoveToFolder) => {
                let kind = PromptKind::MoveToFolder(f.id);
                open_prompt(app, kind)
            }
            Some(f) => {
                let kind = PromptKind::RenameFeed(f.id);
                open_prompt(app, kind)
            }
            // `e` on a folder renames the folder, starting from its name.
            None => match app.feeds.scope() {
                Scope::Folder(name) if action == Action::RenameFeed => {
                    app.overlay = Some(Overlay::Prompt {
                        kind: PromptKind::RenameFolder(name.clone()),
                        input: name,
                    });
                }
                _ => app.info("select a feed first"),
            },
        },
        Action::RemoveFeed => match app.feeds.selected_feed() {
            Some(f) => fx.push(Effect::AskRemoveFeed(f.id)),
            None => app.info("select a feed first"),
        },
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::LinkList => match &app.reader {
            Some(r) if !r.links.is_empty() || !r.entry.dois.is_empty() => {
                app.overlay = Some(Overlay::LinkList { selected: 0 });
                super::access::want_entry_dois(app, fx);
            }
            Some(_) => app.info("this post has no links or DOIs"),
            None => {}
        },
        _ => {}
    }
}

pub(super) fn prompt(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Prompt { kind, input }) = &mut app.overlay else {
        return;
    };
    let kind = kind.clone();
    match action {
        // A prompt is one line of printable text.
        Action::Input(c)
            if !c.is_control()
                && !crate::text::scrub::is_forbidden(c)
                && input.chars().count() < 2000 =>
        {
            input.push(c);
        }
        Action::Input(_) => {}
        Action::Backspace => {
            input.pop();
        }
        Action::Complete => {
            if let PromptKind::MoveToFolder(_) = kind {
                if let Some(name) = app.feeds.folder_completion(input).map(str::to_string) {
                    if let Some(Overlay::Prompt { input, .. }) = &mut app.overlay {
                        *input = name;
                    }
                }
            }
        }
        Action::Cancel => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        Action::Submit => {
            let text = input.trim().to_string();
            app.overlay = None;
            if text.is_empty() {
                return;
            }
            match kind {
                PromptKind::Search => start_search(app, text, fx),
                PromptKind::JumpMonth => jump_to(app, &text, fx),
                PromptKind::AddFeed => {
                    if app.demo {
                        app.info("demo archive: adding feeds is off (no network)");
                    } else {
                        app.status.adding = true;
                        app.info(format!("adding {text} …"));
                        fx.push(Effect::AddFeed(text));
                    }
                }
                PromptKind::ImportOpml => fx.push(Effect::ImportOpmlFile(text)),
                // `-` is "none": an empty prompt is a cancel.
                PromptKind::MoveToFolder(feed) => fx.push(Effect::SetFolder {
                    feed,
                    folder: (text != "-").then_some(text),
                }),
                PromptKind::RenameFeed(feed) => fx.push(Effect::RenameFeed {
                    feed,
                    title: (text != "-").then_some(text),
                }),
                PromptKind::RenameFolder(old) if old != text => {
                    fx.push(Effect::RenameFolder { old, new: text })
                }
                PromptKind::RenameFolder(_) => {}
            }
        }
        // Results keep flowing while the prompt is open.
        other if !is_user(&other) => main(app, other, fx),
        _ => {}
    }
}

/// A yes/no question: only `y` (Submit) acts; anything else the keymap sends is a no.
pub(super) fn confirm(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Confirm { then, .. }) = app.overlay.take() else {
        return;
    };
    match action {
        Action::Submit => match then {
            Confirmed::RemoveFeed(feed) => {
                app.info(format!("removing {} …", app.feeds.title_of(feed)));
                // An open entry of the feed would outlive it in the Reader pane.
                if app.reader.as_ref().is_some_and(|r| r.entry.feed_id == feed) {
                    app.reader = None;
                    if app.focus == Pane::Reader {
                        app.focus = app.list_pane();
                    }
                }
                fx.push(Effect::RemoveFeed(feed));
            }
        },
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => app.info("nothing removed"),
    }
}

/// Asks before removing `feed`: its entries and, when it holds any, its starred ones go too.
pub(super) fn ask_remove_feed(app: &mut App, feed: FeedId, starred: i64) {
    let Some(f) = app.feeds.feeds.iter().find(|f| f.id == feed) else {
        return; // gone meanwhile
    };
    let stars = if starred > 0 {
        format!(
            " {} {} with it.",
            count(starred, "starred entry", "starred entries"),
            if starred == 1 { "goes" } else { "go" }
        )
    } else {
        String::new()
    };
    let question = format!(
        "Remove {} and its {}?{stars} y/n",
        crate::text::scrub::scrub_line(&f.title),
        count(f.entries, "entry", "entries"),
    );
    app.overlay = Some(Overlay::Confirm {
        question,
        then: Confirmed::RemoveFeed(feed),
    });
}

pub(super) fn help(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Help { scroll }) = &mut app.overlay else {
        return;
    };
    match action {
        Action::MoveDown => *scroll += 1,
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => *scroll += 10,
        Action::PageUp | Action::HalfPageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        Action::Back | Action::Quit | Action::Help => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => {}
    }
}

pub(super) fn link_list(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let items = app.link_items();
    let Some(Overlay::LinkList { selected }) = &mut app.overlay else {
        return;
    };
    let last = items.len().saturating_sub(1);
    let item = items.get(*selected).cloned();
    match action {
        Action::MoveDown => *selected = (*selected + 1).min(last),
        Action::MoveUp => *selected = selected.saturating_sub(1),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = last,
        // `o` opens the row too: in the list it means "open this".
        Action::Open | Action::OpenInBrowser => {
            if let Some(it) = item {
                fx.push(Effect::OpenUrl(it.url));
            }
            app.overlay = None;
        }
        Action::OpenLink(n) => {
            app.overlay = None;
            open_link(app, n, fx);
        }
        Action::CopyDoi => {
            if let Some(it) = item {
                let (what, text) = match (it.doi, it.paper) {
                    (Some(doi), _) => ("DOI", doi),
                    (None, Some(id)) => ("paper id", id),
                    (None, None) => ("link", it.url),
                };
                fx.push(Effect::Clipboard(text));
                app.info(format!("copied {what} to the clipboard {OSC52_NOTE}"));
            }
        }
        Action::CopyBibtex | Action::AppendBibtex => match item {
            Some(LinkItem { doi: Some(doi), .. }) => fetch_bibtex(app, doi, &action, fx),
            Some(LinkItem {
                label,
                paper: Some(_),
                ..
            }) => app.info(super::papers::no_bibtex(&label)),
            _ => app.info("BibTeX is for papers: select a doi: row"),
        },
        // A paper row without a DOI goes by its key (arXiv and PMC copies are open by nature).
        Action::OpenOa => match item {
            Some(LinkItem { doi: Some(doi), .. }) => {
                let key = crate::tui::state::doi_row_key(&doi);
                super::access::open(app, key.clone(), vec![key], fx);
            }
            Some(LinkItem {
                paper: Some(key), ..
            }) => super::access::open(app, key.clone(), vec![key], fx),
            _ => app.info("open-access copies are for papers: select a paper's row"),
        },
        Action::SavePaper => match item {
            Some(LinkItem { doi: Some(doi), .. }) => super::save::save_link(app, Some(doi), fx),
            Some(LinkItem {
                paper: Some(key), ..
            }) => super::save::save_paper(app, Some(key), fx),
            _ => super::save::save_link(app, None, fx),
        },
        Action::Back | Action::Quit | Action::LinkList => app.overlay = None,
        Action::ForceQuit => fx.push(Effect::Quit),
        _ => {}
    }
}

/// `b` copies a DOI's BibTeX, `B` appends it to `doi.bib_file`: fetched in the background.
pub(super) fn fetch_bibtex(app: &mut App, doi: String, action: &Action, fx: &mut Vec<Effect>) {
    let then = if *action == Action::CopyBibtex {
        BibUse::Copy
    } else {
        match &app.bib_file {
            Some(p) => BibUse::Append(p.clone()),
            None => {
                app.error(
                    "no BibTeX file: set doi.bib_file in config.toml \
                     (e.g. bib_file = \"~/papers.bib\") for B to append to it",
                );
                return;
            }
        }
    };
    app.info(format!("fetching BibTeX for doi:{doi} …"));
    fx.push(Effect::FetchBibtex { doi, then });
}

fn open_prompt(app: &mut App, kind: PromptKind) {
    app.overlay = Some(Overlay::Prompt {
        kind,
        input: String::new(),
    });
}
