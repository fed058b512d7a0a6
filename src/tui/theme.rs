//! Colours, and a monochrome theme (bold and reverse only) for `NO_COLOR` or `theme = "mono"`.

use ratatui::style::{Color, Modifier, Style};

use crate::text::render::TextStyle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Theme {
    pub mono: bool,
}

impl Theme {
    /// The theme for the config's `theme` and the `NO_COLOR` variable (any non-empty value).
    pub fn choose(config_theme: &str, no_color: Option<&str>) -> Theme {
        Theme {
            mono: config_theme == "mono" || no_color.is_some_and(|v| !v.is_empty()),
        }
    }

    fn color(&self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.mono) {
            (true, true) => Style::default().add_modifier(Modifier::BOLD),
            (true, false) => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            (false, _) => self.color(Color::DarkGray),
        }
    }

    /// The selected row: reversed when its pane has focus, else underlined/dimmer.
    pub fn selected(&self, focused: bool) -> Style {
        match (focused, self.mono) {
            (true, _) => Style::default().add_modifier(Modifier::REVERSED),
            (false, true) => Style::default().add_modifier(Modifier::UNDERLINED),
            // A dark grey of the 256-colour palette: dim text (DarkGray) stays readable on it.
            (false, false) => Style::default().bg(Color::Indexed(237)),
        }
    }

    pub fn unread(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.color(Color::DarkGray)
    }

    pub fn accent(&self) -> Style {
        self.color(Color::Cyan)
    }

    pub fn paper(&self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Magenta)
        }
    }

    pub fn error(&self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        }
    }

    pub fn key(&self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Yellow)
        }
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn search_match(&self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(Color::Yellow).fg(Color::Black)
        }
    }

    /// The style of a span of a rendered post.
    pub fn text(&self, s: &TextStyle) -> Style {
        let mut st = Style::default();
        if s.bold || s.heading {
            st = st.add_modifier(Modifier::BOLD);
        }
        if s.italic {
            st = st.add_modifier(Modifier::ITALIC);
        }
        if s.underline {
            st = st.add_modifier(Modifier::UNDERLINED);
        }
        if s.strike {
            st = st.add_modifier(Modifier::CROSSED_OUT);
        }
        if self.mono {
            return st;
        }
        if s.heading {
            st = st.fg(Color::Cyan);
        } else if s.link {
            st = st.fg(Color::Blue);
        } else if s.code {
            st = st.fg(Color::Yellow);
        } else if s.quote {
            st = st.fg(Color::Green);
        }
        st
    }
}
