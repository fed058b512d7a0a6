//! The one-line prompt (add feed, jump to month, search, import OPML).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{overlay_area, overlay_block};
use crate::tui::state::{App, PromptKind};

pub fn draw(app: &App, kind: PromptKind, input: &str, frame: &mut Frame, full: Rect) {
    let t = &app.theme;
    let width = full.width.saturating_sub(4).min(70);
    let area = overlay_area(frame, full, width, 3);
    let inner = usize::from(area.width.saturating_sub(2));
    // The end of a long input stays visible, with room for the cursor.
    let mut shown: Vec<char> = Vec::new();
    let mut w = 0;
    for c in input.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 2 > inner {
            break;
        }
        w += cw;
        shown.push(c);
    }
    let shown: String = shown.into_iter().rev().collect();
    let hint = match kind {
        PromptKind::JumpMonth if input.is_empty() => "2014-12",
        _ => "",
    };
    let mut spans = vec![Span::raw(shown.clone()), Span::styled("▏", t.accent())];
    if !hint.is_empty() && hint.width() + 2 <= inner {
        spans.push(Span::styled(hint, t.dim()));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).block(overlay_block(t, kind.label())),
        area,
    );
}
