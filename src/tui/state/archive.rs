//! The Archive pane: the Year ▸ Month tree, and the empty months of a feed whose history is
//! complete.

use std::collections::BTreeSet;

use crate::model::MonthCount;

use super::Filter;

/// More months than this (200 years) are not filled in: the dates must be wrong.
const MAX_FILLED_MONTHS: usize = 2400;

/// `months` (newest first) with every month between the newest and the oldest present, the
/// missing ones as empty rows: for a feed whose whole history is cached, a month without posts
/// is a fact worth showing, not a gap. Unparsable months leave the list as it is.
pub fn fill_empty_months(months: Vec<MonthCount>) -> Vec<MonthCount> {
    let parse = |m: &MonthCount| -> Option<i64> {
        let (y, mo) = m.month.split_once('-')?;
        let (y, mo) = (y.parse::<i64>().ok()?, mo.parse::<i64>().ok()?);
        ((1..=12).contains(&mo) && m.month.len() == 7).then_some(y * 12 + mo - 1)
    };
    let keys: Option<Vec<i64>> = months.iter().map(parse).collect();
    let Some(keys) = keys else {
        return months;
    };
    let (Some(&newest), Some(&oldest)) = (keys.first(), keys.last()) else {
        return months;
    };
    let sorted = keys.windows(2).all(|w| w[0] > w[1]);
    let span = usize::try_from(newest - oldest).unwrap_or(usize::MAX);
    if !sorted || span >= MAX_FILLED_MONTHS {
        return months;
    }
    let mut out = Vec::with_capacity(span + 1);
    let mut given = months.into_iter().zip(keys).peekable();
    for k in (oldest..=newest).rev() {
        match given.next_if(|(_, gk)| *gk == k) {
            Some((m, _)) => out.push(m),
            None => out.push(MonthCount {
                month: format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1),
                count: 0,
                unread: 0,
                papers: 0,
            }),
        }
    }
    out
}

/// One visible row of the Archive tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveRow {
    Year {
        year: String,
        count: i64,
        unread: i64,
        folded: bool,
    },
    /// Index into `ArchiveState::months`.
    Month(usize),
}

/// The Archive pane: Year ▸ Month, newest first.
#[derive(Debug, Clone, Default)]
pub struct ArchiveState {
    /// Whose months these are (all feeds, a feed, a folder, the starred entries).
    pub filter: Filter,
    pub months: Vec<MonthCount>,
    pub folded: BTreeSet<String>,
    /// Index into `rows()`.
    pub selected: usize,
    pub offset: usize,
}

impl ArchiveState {
    /// The visible rows: each year, then its months unless the year is folded.
    pub fn rows(&self) -> Vec<ArchiveRow> {
        let mut rows = Vec::new();
        let mut i = 0;
        while i < self.months.len() {
            let year = year_of(&self.months[i].month).to_string();
            let start = i;
            while i < self.months.len() && year_of(&self.months[i].month) == year {
                i += 1;
            }
            let folded = self.folded.contains(&year);
            let (count, unread) = self.months[start..i]
                .iter()
                .fold((0, 0), |(c, u), m| (c + m.count, u + m.unread));
            rows.push(ArchiveRow::Year {
                year,
                count,
                unread,
                folded,
            });
            if !folded {
                rows.extend((start..i).map(ArchiveRow::Month));
            }
        }
        rows
    }

    /// The row index showing month `idx` (its year row when the year is folded).
    pub fn row_of_month(&self, idx: usize) -> Option<usize> {
        let target = self.months.get(idx)?;
        let year = year_of(&target.month);
        self.rows().iter().position(|r| match r {
            ArchiveRow::Month(i) => *i == idx,
            ArchiveRow::Year {
                year: y, folded, ..
            } => *folded && y == year,
        })
    }

    pub fn month_index(&self, month: &str) -> Option<usize> {
        self.months.iter().position(|m| m.month == month)
    }
}

/// The first four characters of `YYYY-MM` (the whole string if shorter).
pub fn year_of(month: &str) -> &str {
    month.get(..4).unwrap_or(month)
}
