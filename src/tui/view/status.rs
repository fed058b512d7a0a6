//! The status line: refresh progress, then a yes/no question, the last message (errors stand
//! out) or key hints.

use crate::text::width::width as width_of;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::text::scrub::scrub_line;

use super::fit;
use crate::tui::keymap::{hints, Ctx};
use crate::tui::state::{App, Overlay, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = usize::from(area.width);
    let mut spans: Vec<Span> = Vec::new();
    let mut used = 0;
    if let Some((done, total)) = app.status.refresh {
        let s = if total == 0 {
            "refreshing… ".to_string()
        } else {
            format!("refreshing {done}/{total} ")
        };
        used += width_of(&s);
        spans.push(Span::styled(s, t.accent()));
    }
    if let Some(b) = &app.status.backfill {
        let s = format!("{} ", b.progress());
        used += width_of(&s);
        spans.push(Span::styled(s, t.accent()));
    }
    if app.status.adding {
        used += "adding… ".len();
        spans.push(Span::styled("adding… ", t.accent()));
    }
    let room = width.saturating_sub(used);
    // A failing feed under the cursor explains itself.
    let feed_error = (app.focus == Pane::Feeds)
        .then(|| app.feeds.selected_feed())
        .flatten()
        .and_then(|f| f.last_error.as_ref().map(|e| format!("{}: {e}", f.title)));
    if let Some(Overlay::Confirm { question, .. }) = &app.overlay {
        // The question is the one thing to read: nothing else shares the line.
        spans.push(Span::styled(fit(&scrub_line(question), room), t.error()));
    } else if let Some(m) = &app.status.message {
        let style = if m.error { t.error() } else { Style::default() };
        spans.push(Span::styled(fit(&scrub_line(&m.text), room), style));
    } else if let Some(err) = feed_error {
        spans.push(Span::styled(fit(&scrub_line(&err), room), t.error()));
    } else {
        let fixed = match &app.overlay {
            Some(Overlay::Prompt { .. }) => Some("Enter confirm · Esc cancel"),
            Some(Overlay::Help { .. }) => Some("j/k scroll · Esc close"),
            Some(Overlay::LinkList { .. } | Overlay::Confirm { .. }) | None => None,
        };
        let ctx = match &app.overlay {
            Some(Overlay::LinkList { .. }) => Ctx::Links,
            _ if app.welcome() => Ctx::Welcome,
            _ => app.focus.into(),
        };
        match fixed {
            Some(text) => spans.push(Span::styled(fit(text, room), t.dim())),
            None => {
                let mut left = room;
                for (key, label) in hints(&app.keymap, ctx) {
                    let w = width_of(&key) + width_of(label) + 3;
                    if w > left {
                        break;
                    }
                    left -= w;
                    spans.push(Span::styled(key, t.key()));
                    spans.push(Span::styled(format!(" {label}  "), t.dim()));
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
