//! The open-access line of a paper, drawn the same in the link list and the Papers view:
//! `OA: PDF, publishedVersion, cc-by`, `OA: none known`, or where its look-up stands.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{fit, pad};
use crate::tui::state::App;

/// The line for the paper `key`, `width` columns, after `indent` spaces, on `base`.
pub fn oa_line(app: &App, key: &str, indent: usize, width: usize, base: Style) -> Line<'static> {
    let t = &app.theme;
    let a = &app.access;
    let (text, style) = match a.known.get(key) {
        Some(state @ crate::papers::access::OaState::Open(_)) => (state.line(), t.accent()),
        Some(state) => (state.line(), t.dim()),
        None if a.asked.contains(key) && !app.demo => ("OA: looking up…".to_string(), t.dim()),
        None => ("OA: not looked up".to_string(), t.dim()),
    };
    let room = width.saturating_sub(indent);
    Line::from(vec![
        Span::styled(" ".repeat(indent), base),
        // Unpaywall's words were scrubbed when read; `fit` keeps them to the row.
        Span::styled(pad(&fit(&text, room), room), base.patch(style)),
    ])
}
