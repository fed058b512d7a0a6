//! The Papers view, where the Entries pane is: one row per paper cited in the scope and month
//! (how many posts cite it, its citation line or its id, and on wide screens its feeds), most
//! cited first; under the list, the selected paper in full: citation, posts and feeds, ids.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::library::papers::display_id;
use crate::model::PaperRow;
use crate::text::render::count;
use crate::text::scrub::scrub_line;
use crate::tui::layout::{papers_list_height, PAPER_DETAIL};
use crate::tui::state::{wrap, App, Pane};

use super::{fit, month_title, pad, pane_block};

/// The posts column: up to 9999 posts, then a space.
const COUNT_W: usize = 5;
/// The citation takes at most this many lines in the details.
const DETAIL_CITATION_LINES: usize = 3;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let p = &app.papers;
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let inner = usize::from(area.height.saturating_sub(2));
    let list_h = papers_list_height(inner);
    let focused = app.focus == Pane::Papers && app.overlay.is_none();
    let mut lines: Vec<Line> = Vec::with_capacity(inner);
    // The feeds column only where there is room for it beside a readable citation.
    let feeds_w = if width >= 80 { (width / 4).min(32) } else { 0 };
    for (i, r) in p.rows.iter().enumerate().skip(p.offset).take(list_h) {
        let mut base = Style::default();
        if i == p.selected {
            base = base.patch(t.selected(focused));
        }
        let (text, known) = citation_text(app, r);
        let text_w = width.saturating_sub(COUNT_W + if feeds_w > 0 { feeds_w + 1 } else { 0 });
        let text_style = if known { base } else { base.patch(t.dim()) };
        let mut spans = vec![Span::styled(
            pad(&format!("{:>4} ", r.cited_by.len()), COUNT_W),
            base.patch(t.accent()),
        )];
        let mut text_w = text_w;
        if let Some((prefix, style)) = super::health::row_prefix(app, &r.ids) {
            let prefix = fit(&prefix, text_w);
            text_w = text_w.saturating_sub(crate::text::width::width(&prefix));
            spans.push(Span::styled(prefix, base.patch(style)));
        }
        spans.push(Span::styled(pad(&text, text_w), text_style));
        if feeds_w > 0 {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                pad(&feed_titles(app, r), feeds_w),
                base.patch(t.dim()),
            ));
        }
        lines.push(Line::from(spans));
    }
    if p.rows.is_empty() {
        let msg = if p.loading {
            "loading the papers…"
        } else if p.scope.month.is_some() {
            "no papers cited this month (] and [ step months; P shows the entries)"
        } else {
            "no papers cited here (P shows the entries)"
        };
        lines.push(Line::from(Span::styled(
            fit(&format!(" {msg}"), width),
            t.dim(),
        )));
    }
    if list_h < inner {
        lines.resize(list_h, Line::default());
        if let Some(r) = p.selected_paper() {
            lines.extend(details(app, r, width));
        }
    }
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(app, Pane::Papers, title(app))),
        area,
    );
}

/// "Papers · December 2014 (12)", "Papers · unread, all months (40)".
fn title(app: &App) -> String {
    let p = &app.papers;
    let when = match &p.scope.month {
        Some(m) => month_title(m),
        None => "all months".to_string(),
    };
    let unread = if p.scope.unread { "unread, " } else { "" };
    // While the rest loads, the scope's whole count (of every paper: not under the flagged filter).
    let n = match p.total.filter(|_| p.loading && !app.health.flagged_only) {
        Some(total) => total.to_string(),
        None if p.loading && p.rows.is_empty() => "…".to_string(),
        None => p.rows.len().to_string(),
    };
    let flagged = if app.health.flagged_only {
        "flagged, "
    } else {
        ""
    };
    format!("Papers · {flagged}{unread}{when} ({n})")
}

/// The row's citation line when one is known (and whether it is), else its id.
fn citation_text(app: &App, r: &PaperRow) -> (String, bool) {
    match app.papers.lines.get(&r.key) {
        Some(Some(line)) => (scrub_line(line), true),
        _ => (scrub_line(display_id(&r.key)), false),
    }
}

/// The titles of the feeds citing the paper, in the order of their newest post.
fn feed_titles(app: &App, r: &PaperRow) -> String {
    let titles: Vec<String> = r.feeds.iter().map(|f| app.feeds.title_of(*f)).collect();
    titles.join(", ")
}

/// The selected paper in full, under a rule: at most `PAPER_DETAIL` lines.
fn details(app: &App, r: &PaperRow, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = vec![Line::from(Span::styled("─".repeat(width), t.dim()))];
    let (text, known) = citation_text(app, r);
    let note = app.papers.published.get(&r.key);
    let health = super::health::paper_line(app, &r.ids, 0, width, Style::default());
    // A "published as" note, the health line and the open-access line take citation lines: the
    // ids stay in view.
    let taken = 1 + usize::from(note.is_some()) + usize::from(health.is_some());
    let cap = DETAIL_CITATION_LINES.saturating_sub(taken).max(1);
    let mut cited = wrap(&text, width.max(1));
    if cited.len() > cap {
        // What would not fit on the last line did not fit on one: `fit` cuts it.
        let rest = cited.split_off(cap - 1).join(" ");
        cited.push(fit(&rest, width));
    }
    out.extend(health);
    let style = if known { Style::default() } else { t.dim() };
    out.extend(
        cited
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style))),
    );
    if let Some(note) = note {
        out.push(Line::from(Span::styled(
            fit(&scrub_line(note), width),
            t.accent(),
        )));
    }
    let posts = format!(
        "cited by {} in {}",
        count(r.cited_by.len(), "post", "posts"),
        feed_titles(app, r)
    );
    out.push(Line::from(Span::styled(fit(&posts, width), t.accent())));
    out.push(super::access::oa_line(
        app,
        &r.key,
        0,
        width,
        Style::default(),
    ));
    let ids: Vec<String> = r.ids.iter().map(|k| scrub_line(k)).collect();
    out.push(Line::from(Span::styled(
        fit(&format!("ids: {}", ids.join(" · ")), width),
        t.dim(),
    )));
    out.truncate(PAPER_DETAIL);
    out
}
