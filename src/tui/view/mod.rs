//! Drawing: pure functions of the state. `view` lays the panes out; each pane has its own file.

mod access;
mod archive;
mod entries;
mod feeds;
mod health;

/// The entry list's retraction mark, for the update tests.
#[cfg(test)]
pub(crate) fn health_mark_for_test(app: &App, id: crate::model::EntryId) -> Option<&'static str> {
    health::entry_mark(app, id).map(|(m, _)| m)
}
mod help;
mod links;
mod papers;
mod prompt;
mod reader;
mod status;
mod welcome;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use ratatui::Frame;

use super::layout::{areas, MIN_HEIGHT, MIN_WIDTH};
use super::state::{App, Overlay, Pane};
use super::theme::Theme;

/// Draws the whole screen.
pub fn view(app: &App, frame: &mut Frame) {
    let full = frame.area();
    if full.width < MIN_WIDTH || full.height < MIN_HEIGHT {
        too_small(app, frame, full);
        return;
    }
    let a = areas(full.width, full.height, app.reader.is_some());
    if app.welcome() {
        welcome::draw(
            app,
            frame,
            Rect::new(0, 0, full.width, full.height.saturating_sub(1)),
        );
    } else {
        if let Some(r) = a.feeds {
            feeds::draw(app, frame, r);
        }
        if let Some(r) = a.archive {
            archive::draw(app, frame, r);
        }
        if let Some(r) = a.entries {
            if app.papers.showing() {
                papers::draw(app, frame, r);
            } else {
                entries::draw(app, frame, r);
            }
        }
        if let (Some(r), Some(reader)) = (a.reader, &app.reader) {
            reader::draw(app, reader, frame, r);
        }
    }
    status::draw(app, frame, a.status);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(app, *scroll, frame, full),
        Some(Overlay::LinkList { selected }) => links::draw(app, *selected, frame, full),
        Some(Overlay::Prompt { kind, input }) => prompt::draw(app, kind, input, frame, full),
        // A question is asked on the status line (drawn above).
        Some(Overlay::Confirm { .. }) | None => {}
    }
}

/// The notice shown instead of the panes on a terminal too small for them.
fn too_small(app: &App, frame: &mut Frame, full: Rect) {
    let width = usize::from(full.width);
    let lines: Vec<Line> = [
        "terminal too small".to_string(),
        format!(
            "{}×{}, needs {MIN_WIDTH}×{MIN_HEIGHT}",
            full.width, full.height
        ),
        format!(
            "enlarge it, or {} to quit",
            app.keymap
                .key_for("quit")
                .unwrap_or_else(|| "Ctrl-c".into())
        ),
    ]
    .iter()
    .map(|s| Line::from(Span::styled(fit(s, width), app.theme.error())))
    .collect();
    let top = full.height.saturating_sub(3) / 2;
    let area = Rect::new(full.x, full.y + top, full.width, full.height.min(3));
    frame.render_widget(
        ratatui::widgets::Paragraph::new(lines).alignment(ratatui::layout::Alignment::Center),
        area,
    );
}

/// The help overlay's text, for tests and for checking it against the keymap.
pub fn help_text(app: &App) -> String {
    help::help_lines(app)
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

/// A pane's frame, highlighted when it has the keyboard.
fn pane_block(app: &App, pane: Pane, title: String) -> Block<'static> {
    let focused = app.focus == pane && app.overlay.is_none();
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border(focused))
        .title(Span::styled(
            format!(" {title} "),
            app.theme.border(focused),
        ))
}

/// A centred rectangle for an overlay, cleared of what is under it.
fn overlay_area(frame: &mut Frame, full: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(full.width);
    let h = height.min(full.height);
    let r = Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, r);
    r
}

fn overlay_block(theme: &Theme, title: &str) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.border(true)))
}

pub(crate) use crate::text::width::{fit, pad};

/// A list row: `left` then `right` flush right, padded to `width` and styled as a whole.
fn row(left: &str, right: &str, width: usize, style: Style) -> Line<'static> {
    let rw = crate::text::width::width(right);
    let text = if rw + 2 > width {
        pad(left, width)
    } else {
        let mut s = pad(left, width - rw - 1);
        s.push(' ');
        s.push_str(right);
        s
    };
    Line::from(Span::styled(text, style))
}

/// English month name of `YYYY-MM`.
fn month_name(month: &str) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    month
        .get(5..7)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| m.checked_sub(1))
        .and_then(|i| NAMES.get(i))
        .copied()
        .unwrap_or("?")
}

/// "December 2014" for `2014-12`.
pub(crate) fn month_title(month: &str) -> String {
    format!("{} {}", month_name(month), super::state::year_of(month))
}
