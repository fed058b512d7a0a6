//! The link list overlay: the post's DOIs first, each with its citation line (or where its
//! look-up stands), then its numbered links. Enter opens; on a DOI, c/b/B copy or save it.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, overlay_area, overlay_block, pad};
use crate::text::scrub::scrub_line;
use crate::tui::state::{wrap, App};

/// A citation takes at most this many lines; the last is cut with `…`.
const CITATION_LINES: usize = 3;
/// The citation's indent under its DOI.
const INDENT: usize = 4;

pub fn draw(app: &App, selected: usize, frame: &mut Frame, full: Rect) {
    let t = &app.theme;
    let items = app.link_items();
    let width = usize::from(full.width.saturating_sub(6).min(100).saturating_sub(2));
    let label_w = items
        .iter()
        .filter(|it| it.doi.is_none())
        .map(|it| crate::text::width::width(&it.label))
        .max()
        .unwrap_or(0);
    // Every item's lines, tagged with the item they belong to.
    let mut lines: Vec<(usize, Line)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let style = if i == selected {
            t.selected(true)
        } else {
            Style::default()
        };
        match &it.citation {
            Some(citation) => {
                lines.push((
                    i,
                    Line::from(Span::styled(
                        pad(&fit(&scrub_line(&it.label), width), width),
                        style.patch(t.key()),
                    )),
                ));
                let cite_style = if it.found {
                    style
                } else {
                    style.patch(t.dim())
                };
                let room = width.saturating_sub(INDENT).max(1);
                let mut wrapped = wrap(&scrub_line(citation), room);
                if wrapped.len() > CITATION_LINES {
                    // What would not fit on the last line did not fit on one: `fit` cuts it.
                    let rest = wrapped.split_off(CITATION_LINES - 1).join(" ");
                    wrapped.push(fit(&rest, room));
                }
                for l in wrapped {
                    let text = format!("{}{}", " ".repeat(INDENT), l);
                    lines.push((i, Line::from(Span::styled(pad(&text, width), cite_style))));
                }
            }
            None => {
                let url_w = width.saturating_sub(label_w + 1);
                lines.push((
                    i,
                    Line::from(vec![
                        Span::styled(pad(&it.label, label_w), style.patch(t.key())),
                        Span::styled(" ", style),
                        Span::styled(
                            pad(&fit(&crate::text::scrub::scrub_url(&it.url), url_w), url_w),
                            style.patch(t.accent()),
                        ),
                    ]),
                ));
            }
        }
    }
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(full.height.saturating_sub(2))
        .max(3);
    let area = overlay_area(frame, full, full.width.saturating_sub(6).min(100), height);
    let inner_h = usize::from(area.height.saturating_sub(2)).max(1);
    // Scroll just enough to show the whole selected item (its first line if it is taller).
    let first = lines.iter().position(|(i, _)| *i == selected).unwrap_or(0);
    let last = lines.iter().rposition(|(i, _)| *i == selected).unwrap_or(0);
    let offset = (last + 1).saturating_sub(inner_h).min(first);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(inner_h)
        .map(|(_, l)| l)
        .collect();
    frame.render_widget(
        Paragraph::new(shown).block(overlay_block(t, "Links and DOIs (Enter opens)")),
        area,
    );
}
