//! The Entries pane: date, feed, title of each entry of the listing; unread in bold; ★ on
//! starred entries, ◆ on entries that cite papers, ✗ on those citing a retracted paper.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::text::scrub::scrub_line;

use super::{fit, month_title, pad, pane_block};
use crate::tui::state::{App, EntrySource, Pane};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let e = &app.entries;
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let height = usize::from(area.height.saturating_sub(2));
    let focused = app.focus == Pane::Entries && app.overlay.is_none();
    let total = if e.more {
        format!("{}+", e.total)
    } else {
        e.total.to_string()
    };
    let mut title = match &e.source {
        EntrySource::Nothing => "Entries".to_string(),
        EntrySource::Month { month, .. } => format!("{} ({total})", month_title(month)),
        EntrySource::Unread { .. } => format!("Unread ({total})"),
        EntrySource::Search { query, .. } => {
            format!("Search “{}” ({total})", fit(&scrub_line(query), 30))
        }
        EntrySource::Paper { key, .. } => format!(
            "Posts citing {} ({total})",
            fit(&scrub_line(crate::library::papers::display_id(key)), 40)
        ),
    };
    if e.papers_only {
        title.push_str(" · papers only");
    }
    // Within one month the day is enough; other listings span months and years.
    let full_date = !matches!(e.source, EntrySource::Month { .. });
    let date_w = if full_date { 10 } else { 6 };
    // The feed column only where there is room, and only when several feeds are listed.
    let feed_w = if width >= 70 && app.feeds.feed_id().is_none() {
        (width / 5).min(24)
    } else {
        0
    };
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    for (i, r) in e.rows.iter().enumerate().skip(e.offset).take(height) {
        let mut base = if r.read { Style::default() } else { t.unread() };
        if i == e.selected {
            base = base.patch(t.selected(focused));
        }
        // `date`: published, else updated (Atom entries with only `<updated>` have one too).
        let date = match r.date {
            Some(d) if full_date => d.format("%Y-%m-%d").to_string(),
            Some(d) => d.format("%b %d").to_string(),
            None if full_date => r.month.clone(),
            None => String::new(),
        };
        let mut spans = vec![
            Span::styled(if r.read { "  " } else { "● " }, base.patch(t.accent())),
            Span::styled(pad(&date, date_w), base.patch(t.dim())),
            Span::styled(" ", base),
        ];
        let mut used = 2 + date_w + 1;
        if feed_w > 0 {
            spans.push(Span::styled(
                pad(&scrub_line(&r.feed_title), feed_w),
                base.patch(t.accent()),
            ));
            spans.push(Span::styled(" ", base));
            used += feed_w + 1;
        }
        let star = if r.starred { " ★" } else { "" };
        let marker = if r.dois.is_empty() { "" } else { " ◆" };
        let retracted = super::health::entry_mark(app, r.id);
        let mark_w = retracted.map_or(0, |(m, _)| crate::text::width::width(m));
        let title_w = width.saturating_sub(
            used + crate::text::width::width(star) + crate::text::width::width(marker) + mark_w,
        );
        // Titles are data ("" when an entry has none); the placeholder is the view's.
        let title = match scrub_line(&r.title) {
            t if t.is_empty() => "(untitled)".to_string(),
            t => t,
        };
        spans.push(Span::styled(pad(&title, title_w), base));
        if !star.is_empty() {
            spans.push(Span::styled(star, base.patch(t.accent())));
        }
        if !marker.is_empty() {
            spans.push(Span::styled(marker, base.patch(t.paper())));
        }
        if let Some((mark, style)) = retracted {
            spans.push(Span::styled(mark, base.patch(style)));
        }
        lines.push(Line::from(spans));
    }
    if e.rows.is_empty() && !e.loading {
        let msg = match &e.source {
            EntrySource::Search { .. } => "no entries match this search",
            EntrySource::Unread { .. } => "nothing unread",
            _ if e.papers_only => "no entries citing papers here (p shows all)",
            EntrySource::Month { filter, .. }
                if filter
                    .one_feed()
                    .is_some_and(|f| app.feeds.complete.contains(&f)) =>
            {
                "no posts this month (the blog's whole history is cached)"
            }
            _ => "no entries",
        };
        lines.push(Line::from(Span::styled(format!(" {msg}"), t.dim())));
    }
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(app, Pane::Entries, title)),
        area,
    );
}
