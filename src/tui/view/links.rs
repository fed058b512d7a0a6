//! The link list overlay: the post's DOIs and other papers first, each with its citation line in the configured
//! style, italics kept (or where its look-up stands), then its numbered links. Enter opens; on
//! a paper, c/b/B copy or save it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{fit, overlay_area, overlay_block, pad};
use crate::text::render::{self, TextStyle};
use crate::text::scrub::scrub_line;
use crate::tui::state::{wrap_styled, App};

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
        .filter(|it| it.citation.is_none())
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
                let health = it
                    .doi
                    .as_deref()
                    .and_then(|d| super::health::doi_line(app, d, INDENT, width, style));
                lines.extend(health.map(|l| (i, l)));
                let cite_style = if it.found {
                    style
                } else {
                    style.patch(t.dim())
                };
                let room = width.saturating_sub(INDENT).max(1);
                let plain = || render::Line {
                    spans: vec![render::Span {
                        text: scrub_line(citation),
                        style: TextStyle::default(),
                    }],
                };
                let line = it.styled.clone().unwrap_or_else(plain);
                for l in citation_lines(&line, room) {
                    let mut spans = vec![Span::styled(" ".repeat(INDENT), cite_style)];
                    for s in &l.spans {
                        let mut st = cite_style;
                        if s.style.italic {
                            st = st.add_modifier(Modifier::ITALIC);
                        }
                        if s.style.bold {
                            st = st.add_modifier(Modifier::BOLD);
                        }
                        // Scrubbed again at the terminal boundary; inner spaces kept.
                        let text = crate::text::scrub::scrub(&s.text).replace('\n', " ");
                        spans.push(Span::styled(text, st));
                    }
                    let pad_w = room.saturating_sub(l.width());
                    spans.push(Span::styled(" ".repeat(pad_w), cite_style));
                    lines.push((i, Line::from(spans)));
                }
                if let Some(doi) = &it.doi {
                    let key = crate::tui::state::doi_row_key(doi);
                    lines.push((i, super::access::oa_line(app, &key, INDENT, width, style)));
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

/// A citation wrapped to `room` columns in at most [`CITATION_LINES`] lines, the last cut with
/// `…` when the rest does not fit; styles kept.
fn citation_lines(line: &render::Line, room: usize) -> Vec<render::Line> {
    let mut wrapped = wrap_styled(line, room);
    if wrapped.len() <= CITATION_LINES {
        return wrapped;
    }
    // What would not fit on the last line did not fit on one: cut it.
    let rest = wrapped.split_off(CITATION_LINES - 1);
    let mut last = render::Line::default();
    let mut used = 0;
    let room = room.saturating_sub(1);
    'fill: for (n, l) in rest.iter().enumerate() {
        let gap = (n > 0).then_some(" ");
        for (text, style) in gap
            .map(|g| (g, TextStyle::default()))
            .into_iter()
            .chain(l.spans.iter().map(|s| (s.text.as_str(), s.style)))
        {
            for (g, w) in crate::text::width::clusters(text) {
                if used + w > room {
                    break 'fill;
                }
                used += w;
                match last.spans.last_mut() {
                    Some(s) if s.style == style => s.text.push_str(g),
                    _ => last.spans.push(render::Span {
                        text: g.to_string(),
                        style,
                    }),
                }
            }
        }
    }
    last.spans.push(render::Span {
        text: "…".into(),
        style: TextStyle::default(),
    });
    wrapped.push(last);
    wrapped
}
