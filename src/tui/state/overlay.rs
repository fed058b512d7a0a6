//! The windows drawn over the panes: the one-line prompts, help, the link list, a yes/no
//! question.

use crate::model::FeedId;

/// The kind of one-line prompt open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    AddFeed,
    JumpMonth,
    Search,
    ImportOpml,
    /// Move this feed to a folder.
    MoveToFolder(FeedId),
    /// Give this feed a title of the user's own.
    RenameFeed(FeedId),
    /// Rename this folder (the folders nested in it follow).
    RenameFolder(String),
}

impl PromptKind {
    pub fn label(&self) -> &'static str {
        match self {
            PromptKind::AddFeed => "Add feed (URL)",
            PromptKind::JumpMonth => "Jump to month (YYYY-MM)",
            PromptKind::Search => "Search",
            PromptKind::ImportOpml => "Import OPML file (path)",
            PromptKind::MoveToFolder(_) => {
                "Move to folder (Outer/Inner; Tab completes; - for none)"
            }
            PromptKind::RenameFeed(_) => "Rename feed (- for the feed's own title)",
            PromptKind::RenameFolder(_) => "Rename folder (Outer/Inner)",
        }
    }
}

/// A window drawn over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    LinkList {
        selected: usize,
    },
    Prompt {
        kind: PromptKind,
        input: String,
    },
    /// A yes/no question on the status line: `y` does `then`, `n` or Esc does nothing.
    Confirm {
        question: String,
        then: Confirmed,
    },
}

/// What a confirmed question does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    RemoveFeed(FeedId),
}
