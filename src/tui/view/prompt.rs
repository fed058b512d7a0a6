//! The one-line prompt (add feed, jump to month, search, import OPML, move to folder, rename).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{overlay_area, overlay_block};
use crate::text::scrub::scrub_line;
use crate::tui::state::{App, PromptKind};

pub fn draw(app: &App, kind: &PromptKind, input: &str, frame: &mut Frame, full: Rect) {
    let t = &app.theme;
    let width = full.width.saturating_sub(4).min(70);
    let area = overlay_area(frame, full, width, 3);
    let inner = usize::from(area.width.saturating_sub(2));
    // The end of a long input stays visible, with room for the cursor.
    let mut shown: Vec<&str> = Vec::new();
    let mut w = 0;
    for (g, gw) in crate::text::width::clusters(input)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        if w + gw + 2 > inner {
            break;
        }
        w += gw;
        shown.push(g);
    }
    let shown: String = shown.into_iter().rev().collect();
    // The rest of an existing folder's name, which Tab takes.
    let completion = match kind {
        PromptKind::MoveToFolder(_) => app
            .feeds
            .folder_completion(input)
            .and_then(|name| name.get(input.len()..))
            .map(scrub_line),
        _ => None,
    };
    let hint = match kind {
        PromptKind::JumpMonth if input.is_empty() => "2014-12",
        _ => completion.as_deref().unwrap_or(""),
    };
    let mut spans = vec![Span::raw(shown.clone()), Span::styled("▏", t.accent())];
    if !hint.is_empty() && crate::text::width::width(hint) + 2 <= inner {
        spans.push(Span::styled(hint, t.dim()));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).block(overlay_block(t, kind.label())),
        area,
    );
}
