//! The Archive pane: Year ▸ Month with entry counts, newest first, like a blog's archive widget.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{month_name, pane_block, row};
use crate::tui::state::{App, ArchiveRow, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let a = &app.archive;
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let height = usize::from(area.height.saturating_sub(2));
    let focused = app.focus == Pane::Archive && app.overlay.is_none();
    let rows = a.rows();
    let shown = app.entries.source.month();
    let mut lines = Vec::with_capacity(height);
    for (i, r) in rows.iter().enumerate().skip(a.offset).take(height) {
        let (left, right, mut style) = match r {
            ArchiveRow::Year {
                year,
                count,
                unread,
                folded,
            } => {
                let arrow = if *folded { "▸" } else { "▾" };
                let style = if *unread > 0 { t.unread() } else { t.title() };
                (format!("{arrow} {year}"), count.to_string(), style)
            }
            ArchiveRow::Month(m) => {
                let Some(m) = a.months.get(*m) else { continue };
                let current = if shown == Some(m.month.as_str()) {
                    "•"
                } else {
                    " "
                };
                let left = format!(" {current}{}", month_name(&m.month));
                // The papers count only where there is room for it.
                let right = if m.papers > 0 && width >= 22 {
                    format!("{} ◆{}", m.count, m.papers)
                } else {
                    m.count.to_string()
                };
                // An empty month of a complete feed: shown, but quiet.
                let style = if m.unread > 0 {
                    t.unread()
                } else if m.count == 0 {
                    t.dim()
                } else {
                    Style::default()
                };
                (left, right, style)
            }
        };
        if i == a.selected {
            style = style.patch(t.selected(focused));
        }
        lines.push(row(&left, &right, width, style));
    }
    let complete = a
        .filter
        .one_feed()
        .is_some_and(|f| app.feeds.complete.contains(&f));
    let title = match (complete, width) {
        (false, _) => "Archive",
        (true, 28..) => "Archive · history complete",
        (true, 20..) => "Archive · complete",
        (true, _) => "Archive ✓",
    }
    .to_string();
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(app, Pane::Archive, title)),
        area,
    );
}
