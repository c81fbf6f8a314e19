//! Plain-text tables: left-aligned columns separated by two spaces, widths
//! measured in terminal cells (so `ü`, CJK ids and the tree glyphs of
//! `group show` line up), no trailing whitespace.

use unicode_width::UnicodeWidthStr;

/// Gap between columns, in cells.
const GAP: usize = 2;

/// A table under construction. Rows shorter than the widest row are padded
/// with empty cells; nothing is ever truncated (ids must stay copyable).
#[derive(Debug, Default, Clone)]
pub struct Table {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table whose first line is `header`.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { header: Some(header.into_iter().map(Into::into).collect()), rows: Vec::new() }
    }

    /// A table without a header line (key/value listings).
    pub fn headless() -> Self {
        Self::default()
    }

    /// Appends one row.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// The table as text, one `\n`-terminated line per row.
    pub fn render(&self) -> String {
        let lines: Vec<&Vec<String>> = self.header.iter().chain(&self.rows).collect();
        let columns = lines.iter().map(|cells| cells.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for cells in &lines {
            for (width, cell) in widths.iter_mut().zip(cells.iter()) {
                *width = (*width).max(cell.width());
            }
        }
        let mut text = String::new();
        for cells in lines {
            let mut line = String::new();
            for (index, cell) in cells.iter().enumerate() {
                if index > 0 {
                    line.push_str(&" ".repeat(GAP));
                }
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[index].saturating_sub(cell.width())));
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// Formats a resource amount the way users write it: `1`, `0.5`, `128`.
pub fn amount(value: f64) -> String {
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::{amount, Table};

    #[test]
    fn renders_aligned_columns() {
        let cases: [(&str, Vec<Vec<&str>>, &str); 4] = [
            (
                "simple",
                vec![vec!["/a", "1/1"], vec!["/longer-id", "10/12"]],
                "ID          N\n/a          1/1\n/longer-id  10/12\n",
            ),
            ("header only", vec![], "ID  N\n"),
            (
                "wide characters count as two cells",
                vec![vec!["/日本", "1"], vec!["/ab", "2"]],
                "ID     N\n/日本  1\n/ab    2\n",
            ),
            (
                "short rows and empty trailing cells leave no trailing spaces",
                vec![vec!["/group"], vec!["└── app", "3/3"], vec!["x", ""]],
                "ID       N\n/group\n└── app  3/3\nx\n",
            ),
        ];
        for (name, rows, want) in cases {
            let mut table = Table::new(["ID", "N"]);
            for row in rows {
                table.row(row);
            }
            assert_eq!(table.render(), want, "{name}");
        }
    }

    #[test]
    fn headless_tables_align_keys() {
        let mut table = Table::headless();
        table.row(["ID", "/web"]);
        table.row(["INSTANCES", "3"]);
        assert_eq!(table.render(), "ID         /web\nINSTANCES  3\n");
    }

    #[test]
    fn empty_headless_table_renders_nothing() {
        assert_eq!(Table::headless().render(), "");
    }

    #[test]
    fn amounts_drop_needless_decimals() {
        for (value, want) in [(1.0, "1"), (0.5, "0.5"), (128.0, "128"), (0.001, "0.001")] {
            assert_eq!(amount(value), want);
        }
    }
}
