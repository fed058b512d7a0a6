//! The Reader pane: the entry's header, its text rendered at the pane's width, then its links and
//! DOIs. Search words are highlighted.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Padding, Paragraph};
use ratatui::Frame;

use crate::text::render;
use crate::text::scrub::scrub_line;

use super::{fit, pane_block};
use crate::tui::state::{search_words, App, Pane, ReaderState};
use crate::tui::theme::Theme;

pub fn draw(app: &App, r: &ReaderState, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let height = usize::from(area.height.saturating_sub(2));
    let words = r.search.as_deref().map(search_words).unwrap_or_default();
    let lines: Vec<Line> = r
        .lines
        .iter()
        .skip(r.scroll)
        .take(height)
        .map(|l| styled_line(t, l, &words))
        .collect();
    let total = r.lines.len();
    let max = total.saturating_sub(height);
    let pos = if max == 0 {
        "all".to_string()
    } else if r.scroll == 0 {
        "top".to_string()
    } else if r.scroll >= max {
        "end".to_string()
    } else {
        format!("{}%", r.scroll * 100 / max)
    };
    let feed = fit(
        &scrub_line(&r.entry.feed_title),
        usize::from(area.width / 2),
    );
    let title = format!("{feed} · {pos}");
    let block = pane_block(app, Pane::Reader, title).padding(Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One rendered line with the theme's styles and the search words highlighted.
fn styled_line(t: &Theme, l: &render::Line, words: &[String]) -> Line<'static> {
    let mut spans = Vec::new();
    for s in &l.spans {
        // Scrubbed once more at the terminal boundary: cheap, and the last line of defence.
        let text = crate::text::scrub::scrub(&s.text).replace('\n', " ");
        let style = t.text(&s.style);
        if words.is_empty() {
            spans.push(Span::styled(text, style));
            continue;
        }
        for (piece, hit) in split_matches(&text, words) {
            let st = if hit {
                style.patch(t.search_match())
            } else {
                style
            };
            spans.push(Span::styled(piece, st));
        }
    }
    Line::from(spans)
}

/// `text` cut into pieces, each marked whether it is an occurrence of a search word.
fn split_matches(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths (rare scripts); then skip highlighting safely.
    if lower.len() != text.len() {
        return vec![(text.to_string(), false)];
    }
    let mut out = Vec::new();
    let mut i = 0;
    let mut plain_start = 0;
    while i < text.len() {
        let rest = lower.get(i..).unwrap_or("");
        let hit = words
            .iter()
            .filter(|w| !w.is_empty() && rest.starts_with(w.as_str()))
            .map(|w| w.len())
            .max();
        match hit {
            Some(n) if text.is_char_boundary(i + n) => {
                if plain_start < i {
                    out.push((text[plain_start..i].to_string(), false));
                }
                out.push((text[i..i + n].to_string(), true));
                i += n;
                plain_start = i;
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if plain_start < text.len() {
        out.push((text[plain_start..].to_string(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_matches;

    #[test]
    fn split_marks_each_occurrence() {
        let words = vec!["doi".to_string()];
        let parts = split_matches("A DOI and a doi.", &words);
        let hits: Vec<&str> = parts.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(hits, ["DOI", "doi"]);
        let joined: String = parts.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(joined, "A DOI and a doi.");
    }
}
