//! The link list overlay: the post's numbered links and its DOIs; Enter opens one.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, overlay_area, overlay_block, pad};
use crate::tui::layout::follow;
use crate::tui::state::App;

pub fn draw(app: &App, selected: usize, frame: &mut Frame, full: Rect) {
    let t = &app.theme;
    let items = app
        .reader
        .as_ref()
        .map(|r| r.link_items())
        .unwrap_or_default();
    let height = (items.len() as u16 + 2)
        .min(full.height.saturating_sub(2))
        .max(3);
    let area = overlay_area(frame, full, full.width.saturating_sub(6).min(100), height);
    let width = usize::from(area.width.saturating_sub(2));
    let inner_h = usize::from(area.height.saturating_sub(2));
    let offset = follow(selected, 0, inner_h);
    let label_w = items
        .iter()
        .map(|(l, _)| unicode_width::UnicodeWidthStr::width(l.as_str()))
        .max()
        .unwrap_or(0)
        .min(width / 2);
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_h)
        .map(|(i, (label, url))| {
            let style = if i == selected {
                t.selected(true)
            } else {
                Style::default()
            };
            let url_w = width.saturating_sub(label_w + 1);
            Line::from(vec![
                Span::styled(pad(label, label_w), style.patch(t.key())),
                Span::styled(" ", style),
                Span::styled(pad(&fit(url, url_w), url_w), style.patch(t.accent())),
            ])
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(overlay_block(t, "Links and DOIs (Enter opens)")),
        area,
    );
}
