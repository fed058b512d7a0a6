//! Paper health as the reader draws it, in one place for the entry list, the link list and the
//! Papers view: `RETRACTED 2010-02-06 (notice doi:…, Retraction Watch)`, `Correction 2004-03-06`.
//! Retractions carry a symbol, not only a colour, so NO_COLOR users see them too.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{fit, pad};
use crate::model::EntryId;
use crate::papers::health::Status;
use crate::text::scrub::scrub_line;
use crate::tui::state::App;

/// The entry list's mark on a post citing a retracted paper.
pub const RETRACTED_MARK: &str = " ✗";

/// The mark for entry `id`, if it cites a retracted paper.
pub fn entry_mark(app: &App, id: EntryId) -> Option<(&'static str, Style)> {
    (app.health.retracted_entries.contains(&id)).then(|| (RETRACTED_MARK, app.theme.error()))
}

/// The health text with its symbol: `✗ RETRACTED …` for a retraction, `! …` for the others.
pub fn text(status: Status, line: &str) -> String {
    let symbol = if status.is_retracted() { "✗" } else { "!" };
    format!("{symbol} {}", scrub_line(line))
}

fn style(app: &App, status: Status) -> Style {
    if status <= Status::Concern {
        app.theme.error()
    } else {
        app.theme.accent()
    }
}

/// A paper's health line (by its ids), `indent` columns in and cut to `width`; `None` when
/// there is nothing to say (fine, unknown, never checked).
pub fn paper_line(
    app: &App,
    ids: &[String],
    indent: usize,
    width: usize,
    base: Style,
) -> Option<Line<'static>> {
    let (status, line) = app.health.for_ids(ids)?;
    Some(styled(app, *status, line, indent, width, base))
}

/// A DOI's health line (the link list's DOI rows).
pub fn doi_line(
    app: &App,
    doi: &str,
    indent: usize,
    width: usize,
    base: Style,
) -> Option<Line<'static>> {
    let (status, line) = app.health.for_doi(doi)?;
    Some(styled(app, *status, line, indent, width, base))
}

fn styled(
    app: &App,
    status: Status,
    line: &str,
    indent: usize,
    width: usize,
    base: Style,
) -> Line<'static> {
    let room = width.saturating_sub(indent);
    Line::from(vec![
        Span::styled(" ".repeat(indent), base),
        Span::styled(
            pad(&fit(&text(status, line), room), room),
            base.patch(style(app, status)),
        ),
    ])
}

/// The short form a list row carries before its citation: `✗ RETRACTED · `.
pub fn row_prefix(app: &App, ids: &[String]) -> Option<(String, Style)> {
    let (status, _) = app.health.for_ids(ids)?;
    let word = match status {
        Status::Retracted => "RETRACTED",
        Status::Withdrawn => "WITHDRAWN",
        Status::Removed => "REMOVED",
        Status::Concern => "CONCERN",
        Status::Corrected => "corrected",
        _ => "notice",
    };
    Some((format!("{} · ", text(*status, word)), style(app, *status)))
}
