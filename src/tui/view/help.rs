//! The help overlay: every key by pane, generated from the keymap in use.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{overlay_area, overlay_block, pad};
use crate::tui::state::App;

/// The help text as lines (also what the tests read).
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let sections = app.keymap.help_sections();
    // The key column is as wide as its widest entry, so no key is ever cut off.
    let key_w = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|(k, _)| crate::text::width::width(k)))
        .max()
        .unwrap_or(0);
    for (ctx, rows) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(ctx.title().to_string(), t.title())));
        for (keys, help) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", pad(&keys, key_w)), t.key()),
                Span::raw(format!(" {help}")),
            ]));
        }
    }
    lines
}

pub fn draw(app: &App, scroll: usize, frame: &mut Frame, full: Rect) {
    let lines = help_lines(app);
    let area = overlay_area(frame, full, 72, full.height.saturating_sub(2));
    let inner_h = usize::from(area.height.saturating_sub(2));
    let max = lines.len().saturating_sub(inner_h);
    let scroll = scroll.min(max);
    let title = if max > 0 {
        "Keys (j/k scroll, Esc closes)"
    } else {
        "Keys (Esc closes)"
    };
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(inner_h).collect();
    frame.render_widget(
        Paragraph::new(shown).block(overlay_block(&app.theme, title)),
        area,
    );
}
