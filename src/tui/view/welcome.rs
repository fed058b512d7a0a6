//! The first-run screen: how to get entries into an empty cache.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::state::App;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let key = |name: &str| app.keymap.key_for(name).unwrap_or_else(|| "-".to_string());
    let item = |k: String, text: &'static str| {
        Line::from(vec![
            Span::styled(format!("  {k:>5}  "), t.key()),
            Span::raw(text),
        ])
    };
    let lines = vec![
        Line::from(Span::styled("Welcome to paperboy", t.title())),
        Line::default(),
        Line::from(
            "A reader for research blogs and journal feeds: browse their archives month by \
             month, read posts as text, and follow the papers they cite.",
        ),
        Line::default(),
        Line::from("The cache is empty. To begin:"),
        Line::default(),
        item(key("add_feed"), "add a feed or a blog's address"),
        item(key("import_opml"), "import an OPML file of subscriptions"),
        item(
            key("subscribe_research"),
            "subscribe to a short list of research blogs and journals",
        ),
        item(key("demo"), "open the demo archive (no network)"),
        item(key("help"), "all keys"),
        item(key("quit"), "quit"),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(true))
        .title(Span::styled(" paperboy ", t.border(true)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
