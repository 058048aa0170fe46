//! Table columns that are shown whole or not at all: each column is as wide as its widest cell
//! (or its title), and when the table is wider than its area the least important columns go
//! first, as k9s and btm do, so a figure is never cut at a column's edge.

use ratatui::layout::Constraint;

/// One column: its title, how much it matters (0 is kept longest), and its cells' text.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header.
    pub title: &'static str,
    /// Lower is more important; the highest goes first when room is short.
    pub rank: u8,
    /// The width its widest cell (or its title) needs.
    pub width: u16,
}

impl Column {
    /// A column as wide as the widest of `cells` and `title`.
    #[must_use]
    pub fn new<'a>(
        title: &'static str,
        rank: u8,
        cells: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let widest = cells
            .into_iter()
            .map(|c| c.chars().count())
            .chain(std::iter::once(title.chars().count()))
            .max()
            .unwrap_or(0);
        Self {
            title,
            rank,
            width: u16::try_from(widest).unwrap_or(u16::MAX),
        }
    }
}

/// Which of `columns` fit in `width` (one blank between columns), in their order: the
/// highest-ranked go first until the rest fit. The first column is always kept.
#[must_use]
pub fn fitting(columns: &[Column], width: u16) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..columns.len()).collect();
    let total = |kept: &[usize]| -> usize {
        let cells: usize = kept.iter().map(|&i| usize::from(columns[i].width)).sum();
        cells + kept.len().saturating_sub(1)
    };
    let mut dropped = Vec::new();
    while total(&kept) > usize::from(width) && kept.len() > 1 {
        let Some(pos) = kept
            .iter()
            .enumerate()
            .skip(1)
            .max_by_key(|&(p, &i)| (columns[i].rank, p))
            .map(|(p, _)| p)
        else {
            break;
        };
        dropped.push(kept.remove(pos));
    }
    // A narrow column that went before a wide one may fit again once the wide one has gone
    // (the hubs' Overdue at 120x40 after Cost): given back, most important first.
    dropped.sort_by_key(|&i| (columns[i].rank, i));
    for i in dropped {
        let mut with = kept.clone();
        with.push(i);
        with.sort_unstable();
        if total(&with) <= usize::from(width) {
            kept = with;
        }
    }
    kept
}

/// The constraints for the kept columns: each its own width.
#[must_use]
pub fn widths(columns: &[Column], kept: &[usize]) -> Vec<Constraint> {
    kept.iter()
        .map(|&i| Constraint::Length(columns[i].width))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_important_columns_go_first() {
        let columns = [
            Column::new("Hub", 0, ["ewr-1"]),
            Column::new("Used", 1, ["1350/900"]),
            Column::new("Late", 5, ["10"]),
            Column::new("On-time", 2, ["93.5%"]),
        ];
        // 5 + 8 + 4 + 7 and three blanks.
        assert_eq!(fitting(&columns, 27), vec![0, 1, 2, 3]);
        assert_eq!(fitting(&columns, 26), vec![0, 1, 3]);
        assert_eq!(fitting(&columns, 14), vec![0, 1]);
        assert_eq!(fitting(&columns, 2), vec![0]);
    }

    /// A narrow column dropped before a wide, more important one is given back when the wide
    /// one goes too: 5 + 8 + 7 fit in 22, though `Late` went before `Cost`.
    #[test]
    fn a_narrow_column_comes_back_when_a_wide_one_goes() {
        let columns = [
            Column::new("Hub", 0, ["ewr-1"]),
            Column::new("Used", 1, ["1350/900"]),
            Column::new("Cost", 4, ["over ≈756 = 6804.00 USD"]),
            Column::new("Overdue", 5, ["7"]),
        ];
        assert_eq!(fitting(&columns, 22), vec![0, 1, 3]);
    }
}
