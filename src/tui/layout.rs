//! Where each pane goes for a terminal size. Shared by the views (to draw) and by `update` (page
//! sizes, mouse hit-testing, the reader's wrap width), so both always agree.

use ratatui::layout::Rect;

use super::state::Pane;

/// Below this width an open reader takes the whole screen.
pub const NARROW: u16 = 70;

/// The smallest terminal the panes fit in (two bordered columns, a few rows of each); below it
/// the screen says so instead of drawing panes cut to nothing.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub feeds: Option<Rect>,
    pub archive: Option<Rect>,
    pub entries: Option<Rect>,
    pub reader: Option<Rect>,
    pub status: Rect,
}

impl Areas {
    pub fn pane(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Feeds => self.feeds,
            Pane::Archive => self.archive,
            Pane::Entries | Pane::Papers => self.entries,
            Pane::Reader => self.reader,
        }
    }

    /// The pane under a terminal cell.
    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        [Pane::Feeds, Pane::Archive, Pane::Entries, Pane::Reader]
            .into_iter()
            .find(|p| {
                self.pane(*p).is_some_and(|r| {
                    column >= r.x && column < r.x + r.width && row >= r.y && row < r.y + r.height
                })
            })
    }

    /// Rows inside a pane's border.
    pub fn inner_height(&self, pane: Pane) -> usize {
        self.pane(pane)
            .map_or(1, |r| usize::from(r.height.saturating_sub(2)).max(1))
    }
}

/// The panes for a `width` × `height` terminal, with or without the reader open.
pub fn areas(width: u16, height: u16, reader_open: bool) -> Areas {
    let status = Rect::new(0, height.saturating_sub(1), width, height.min(1));
    let body_h = height.saturating_sub(1);
    if reader_open && width < NARROW {
        return Areas {
            reader: Some(Rect::new(0, 0, width, body_h)),
            status,
            ..Areas::default()
        };
    }
    let left_w = (width * 3 / 10).clamp(20, 34).min(width);
    let right = Rect::new(left_w, 0, width - left_w, body_h);
    // Feeds gets the top two fifths; the archive (usually longer) the rest.
    let feeds_h = (body_h * 2 / 5).max(3).min(body_h);
    let feeds = Rect::new(0, 0, left_w, feeds_h);
    let archive = Rect::new(0, feeds_h, left_w, body_h - feeds_h);
    Areas {
        feeds: Some(feeds),
        archive: Some(archive),
        entries: (!reader_open).then_some(right),
        reader: reader_open.then_some(right),
        status,
    }
}

/// Rows under the Papers view's list that show the selected paper in full (with the rule above).
pub const PAPER_DETAIL: usize = 6;

/// Rows of the Papers view's list in a pane `inner` rows high: the details take the bottom
/// when there is room for both.
pub fn papers_list_height(inner: usize) -> usize {
    if inner >= 2 * PAPER_DETAIL {
        inner - PAPER_DETAIL
    } else {
        inner.max(1)
    }
}

/// The columns the reader's text is wrapped to.
pub fn reader_text_width(width: u16, height: u16) -> u16 {
    areas(width, height, true)
        .reader
        .map_or(20, |r| r.width.saturating_sub(4).max(20))
}

/// The scroll offset that keeps `selected` visible in `height` rows, moving as little as possible.
pub fn follow(selected: usize, offset: usize, height: usize) -> usize {
    let height = height.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}
