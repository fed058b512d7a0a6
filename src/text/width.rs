//! Text width in terminal columns, measured per grapheme cluster exactly as ratatui lays out
//! cells: an emoji with VS16 (❤️), a flag (🇯🇵), a skin tone (👍🏽) or a ZWJ sequence is one
//! cluster of two columns, never the sum of its characters. Every cut and pad of text for the
//! screen goes through here, so no row is longer than what was measured and no wide glyph is
//! split in half.

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// The grapheme clusters of `s`, each with the columns it takes (0 for what is not drawn).
pub fn clusters(s: &str) -> impl Iterator<Item = (&str, usize)> {
    s.graphemes(true).map(|g| {
        // ratatui skips clusters holding a control character; scrubbed text has none.
        let w = if g.contains(char::is_control) {
            0
        } else {
            usize::from(g.cell_width())
        };
        (g, w)
    })
}

/// The columns `s` takes.
pub fn width(s: &str) -> usize {
    // Printable ASCII is one column a byte: most titles, DOIs and ids, measured without the
    // segmentation (half of `dois --month`'s instructions for a month of 8,500 rows).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    clusters(s).map(|(_, w)| w).sum()
}

/// `s` cut to at most `width` columns, ending with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if self::width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for (g, w) in clusters(s) {
        if used + w + 1 > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// `s` cut or padded with spaces to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let mut out = fit(s, width);
    let w = self::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` in pieces of at most `width` columns, cut between clusters (a cluster wider than
/// `width` gets a piece of its own). Empty `s` gives no pieces.
pub fn chunks(s: &str, width: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let (mut start, mut used) = (0, 0);
    let mut at = 0;
    for (g, w) in clusters(s) {
        if used + w > width && used > 0 {
            out.push((&s[start..at], used));
            start = at;
            used = 0;
        }
        at += g.len();
        used += w;
    }
    if at > start {
        out.push((&s[start..at], used));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Titles whose characters' widths do not add up to the cluster's.
    const WIDE: [(&str, usize); 7] = [
        ("❤️", 2),
        ("✔️", 2),
        ("1️⃣", 2),
        ("🇯🇵", 2),
        ("👍🏽", 2),
        ("👩‍🔬", 2),
        ("漢", 2),
    ];

    proptest::proptest! {
        /// The printable-ASCII shortcut measures what the clusters do, whatever the text.
        #[test]
        fn width_is_the_sum_of_the_clusters(s in "[ -~]{0,40}|\\PC{0,20}|[\\x00-\\x7f]{0,20}") {
            proptest::prop_assert_eq!(width(&s), clusters(&s).map(|(_, w)| w).sum::<usize>());
        }
    }

    #[test]
    fn clusters_are_measured_whole() {
        for (s, w) in WIDE {
            assert_eq!(width(s), w, "{s:?}");
            assert_eq!(clusters(s).count(), 1, "{s:?}");
        }
        assert_eq!(width("a❤️b🇯🇵c"), 7);
    }

    #[test]
    fn fit_and_pad_never_split_a_cluster_or_overflow() {
        for (s, _) in WIDE {
            let title = format!("ab{s}{s}{s}cd");
            for cols in 0..12 {
                let fitted = fit(&title, cols);
                assert!(width(&fitted) <= cols, "{title:?} at {cols}: {fitted:?}");
                // Whatever was kept is whole clusters of the title.
                let kept = fitted.trim_end_matches('…');
                assert!(title.starts_with(kept), "{title:?} at {cols}: {fitted:?}");
                let ends: Vec<usize> = clusters(&title)
                    .scan(0, |at, (g, _)| {
                        *at += g.len();
                        Some(*at)
                    })
                    .collect();
                assert!(
                    kept.is_empty() || ends.contains(&kept.len()),
                    "{title:?} at {cols}: {fitted:?} splits a cluster"
                );
                assert_eq!(width(&pad(&title, cols)), cols, "{title:?} at {cols}");
            }
        }
        // The flag is not cut into its two regional indicators.
        assert_eq!(fit("🇯🇵🇯🇵", 3), "🇯🇵…");
        assert_eq!(fit("x👍🏽y", 3), "x…");
    }

    #[test]
    fn chunks_cut_between_clusters() {
        let s = "a👩‍🔬b🇯🇵c";
        let pieces = chunks(s, 2);
        assert_eq!(
            pieces,
            vec![("a", 1), ("👩‍🔬", 2), ("b", 1), ("🇯🇵", 2), ("c", 1)]
        );
        assert_eq!(chunks(s, 3), vec![("a👩‍🔬", 3), ("b🇯🇵", 3), ("c", 1)]);
        assert!(chunks("", 5).is_empty());
    }
}
