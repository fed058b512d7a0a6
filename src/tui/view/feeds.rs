//! The Feeds pane: All feeds, Unread, Starred, Papers (every feed's Papers view), the folders
//! (foldable, their unread summed) with their feeds, then the feeds outside folders, each with
//! its unread count.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::text::scrub::scrub_line;

use super::{pane_block, row};
use crate::tui::state::{App, FeedRow, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let f = &app.feeds;
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let height = usize::from(area.height.saturating_sub(2));
    let focused = app.focus == Pane::Feeds && app.overlay.is_none();
    let title = format!("Feeds ({})", f.feeds.len());
    let mut lines = Vec::with_capacity(height);
    let rows = f.rows();
    for (i, r) in rows.iter().enumerate().skip(f.offset).take(height) {
        let (label, count, mut style) = match r {
            FeedRow::All => ("All feeds".to_string(), f.total_entries(), t.title()),
            FeedRow::Unread => ("Unread".to_string(), f.total_unread(), t.title()),
            FeedRow::Starred => ("★ Starred".to_string(), f.starred, t.title()),
            FeedRow::Papers => ("◆ Cited papers".to_string(), 0, t.title()),
            FeedRow::Folder {
                name,
                unread,
                folded,
            } => (
                format!("{} {}", if *folded { "▸" } else { "▾" }, scrub_line(name)),
                *unread,
                t.title(),
            ),
            FeedRow::Feed { index, nested } => {
                let Some(feed) = f.feeds.get(*index) else {
                    break;
                };
                // Gone (404/410) and failing feeds are marked; the reason is on the status line.
                // ✓: the whole history is cached (a backfill reached the blog's first post).
                // ⇅: the feed comes from the sync account.
                let mark = if feed.gone {
                    "✗ "
                } else if feed.last_error.is_some() {
                    "! "
                } else if feed.remote_id.is_some() {
                    "⇅ "
                } else if f.complete.contains(&feed.id) {
                    "✓ "
                } else {
                    "  "
                };
                let indent = if *nested { "  " } else { "" };
                let style = if feed.gone || feed.last_error.is_some() {
                    t.error()
                } else if feed.unread > 0 {
                    t.unread()
                } else {
                    Style::default()
                };
                (
                    format!("{indent}{mark}{}", scrub_line(&feed.title)),
                    feed.unread,
                    style,
                )
            }
        };
        if i == f.selected {
            style = style.patch(t.selected(focused));
        }
        let right = if count > 0 {
            count.to_string()
        } else {
            String::new()
        };
        lines.push(row(&label, &right, width, style));
    }
    let lines: Vec<Line> = lines;
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(app, Pane::Feeds, title)),
        area,
    );
}
