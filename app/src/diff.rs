//! A line diff for comparing two versions of an app's definition.
//!
//! Longest common subsequence over lines, after trimming the common head
//! and tail (versions of one app mostly differ in a few lines, so the
//! table stays small). Inputs whose middle parts are too large for the
//! table fall back to "all removed, then all added", which is still a
//! correct, if coarse, diff.

/// One line of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// In both texts.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Added(String),
}

/// Largest LCS table (cells) computed; beyond it the coarse fallback is used.
const MAX_CELLS: usize = 4_000_000;

/// The lines of `old` and `new`, in order, each marked same, removed or added.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut out: Vec<DiffLine> = a[..head].iter().map(|l| DiffLine::Same((*l).to_string())).collect();
    if mid_a.len().saturating_mul(mid_b.len()) > MAX_CELLS {
        out.extend(mid_a.iter().map(|l| DiffLine::Removed((*l).to_string())));
        out.extend(mid_b.iter().map(|l| DiffLine::Added((*l).to_string())));
    } else {
        out.extend(lcs_diff(mid_a, mid_b));
    }
    out.extend(a[a.len() - tail..].iter().map(|l| DiffLine::Same((*l).to_string())));
    out
}

/// `table[i][j]` = length of the LCS of `a[i..]` and `b[j..]`; then one
/// walk from the start, preferring removals before additions.
fn lcs_diff(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let width = b.len() + 1;
    let mut table = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i * width + j] = if a[i] == b[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len() + b.len());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| DiffLine::Removed((*l).to_string())));
    out.extend(b[j..].iter().map(|l| DiffLine::Added((*l).to_string())));
    out
}

/// Lines removed and added.
pub fn changes(diff: &[DiffLine]) -> (usize, usize) {
    diff.iter().fold((0, 0), |(r, a), line| match line {
        DiffLine::Removed(_) => (r + 1, a),
        DiffLine::Added(_) => (r, a + 1),
        DiffLine::Same(_) => (r, a),
    })
}

#[cfg(test)]
mod tests {
    use super::{changes, diff_lines, DiffLine};

    fn render(diff: &[DiffLine]) -> String {
        diff.iter()
            .map(|l| match l {
                DiffLine::Same(t) => format!(" {t}"),
                DiffLine::Removed(t) => format!("-{t}"),
                DiffLine::Added(t) => format!("+{t}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_changed_field_is_one_removal_and_one_addition() {
        let old = "{\n  \"cpus\": 1,\n  \"id\": \"/a\",\n  \"mem\": 64\n}";
        let new = "{\n  \"cpus\": 2,\n  \"id\": \"/a\",\n  \"mem\": 64\n}";
        assert_eq!(
            render(&diff_lines(old, new)),
            " {\n-  \"cpus\": 1,\n+  \"cpus\": 2,\n   \"id\": \"/a\",\n   \"mem\": 64\n }"
        );
    }

    #[test]
    fn the_diff_is_minimal_and_rebuilds_both_texts() {
        let cases = [
            ("a\nb\nc\nd", "a\nc\nd\ne"),
            ("", "x\ny"),
            ("x\ny", ""),
            ("same", "same"),
            ("a\nb\na\nb", "b\na\nb\na"),
            ("1\n2\n3\n4\n5\n6", "1\n3\n2\n4\n6\n5"),
        ];
        for (old, new) in cases {
            let diff = diff_lines(old, new);
            let rebuilt_old: Vec<&str> = diff
                .iter()
                .filter_map(|l| match l {
                    DiffLine::Same(t) | DiffLine::Removed(t) => Some(t.as_str()),
                    DiffLine::Added(_) => None,
                })
                .collect();
            let rebuilt_new: Vec<&str> = diff
                .iter()
                .filter_map(|l| match l {
                    DiffLine::Same(t) | DiffLine::Added(t) => Some(t.as_str()),
                    DiffLine::Removed(_) => None,
                })
                .collect();
            assert_eq!(rebuilt_old, old.lines().collect::<Vec<_>>(), "{old:?} → {new:?}");
            assert_eq!(rebuilt_new, new.lines().collect::<Vec<_>>(), "{old:?} → {new:?}");
        }
        // LCS of "abcd" and "acde" is "acd": one removal, one addition.
        assert_eq!(changes(&diff_lines("a\nb\nc\nd", "a\nc\nd\ne")), (1, 1));
        assert_eq!(changes(&diff_lines("1\n2\n3\n4\n5\n6", "1\n3\n2\n4\n6\n5")), (2, 2));
    }
}
