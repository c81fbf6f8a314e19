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

/// Unchanged lines kept around each change when folding.
pub const CONTEXT: usize = 3;

/// A stretch of a diff as shown: lines, or unchanged lines folded away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// These lines of the diff, shown.
    Shown(std::ops::Range<usize>),
    /// These unchanged lines, folded into one row.
    Folded(std::ops::Range<usize>),
}

/// Folds runs of unchanged lines the way code review tools do: `context`
/// lines stay around every change, the rest of a run becomes one
/// [`Block::Folded`]; a fold would have to hide at least two lines (one
/// line is shown instead of a row saying so). A diff without changes is
/// one fold. The blocks cover the diff in order, adjacent blocks never of
/// the same kind.
pub fn fold_unchanged(diff: &[DiffLine], context: usize) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut push = |range: std::ops::Range<usize>, folded: bool| {
        if range.is_empty() {
            return;
        }
        match (blocks.last_mut(), folded) {
            (Some(Block::Shown(last)), false) | (Some(Block::Folded(last)), true) => last.end = range.end,
            _ => blocks.push(if folded { Block::Folded(range) } else { Block::Shown(range) }),
        }
    };
    let mut at = 0;
    while at < diff.len() {
        let run_end =
            diff[at..].iter().position(|l| !matches!(l, DiffLine::Same(_))).map_or(diff.len(), |n| at + n);
        if run_end == at {
            // A change: shown; the next unchanged run starts after it.
            let end =
                diff[at..].iter().position(|l| matches!(l, DiffLine::Same(_))).map_or(diff.len(), |n| at + n);
            push(at..end, false);
            at = end;
            continue;
        }
        // Unchanged lines at..run_end: keep context after a change before
        // them and before a change after them.
        let keep_head = if at > 0 { context } else { 0 };
        let keep_tail = if run_end < diff.len() { context } else { 0 };
        let (fold_start, fold_end) = (at + keep_head, run_end.saturating_sub(keep_tail));
        if fold_end >= fold_start + 2 {
            push(at..fold_start, false);
            push(fold_start..fold_end, true);
            push(fold_end..run_end, false);
        } else {
            push(at..run_end, false);
        }
        at = run_end;
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::{changes, diff_lines, fold_unchanged, Block, DiffLine};

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

    /// The folded diff as text: shown lines, and `~N` for a fold of N lines.
    fn folded(old: &str, new: &str, context: usize) -> String {
        let diff = diff_lines(old, new);
        let blocks = fold_unchanged(&diff, context);
        blocks
            .iter()
            .map(|b| match b {
                Block::Shown(r) => render(&diff[r.clone()]),
                Block::Folded(r) => format!("~{}", r.len()),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn numbered(lines: std::ops::RangeInclusive<u32>) -> String {
        lines.map(|n| n.to_string()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn unchanged_runs_fold_beyond_three_lines_of_context() {
        let old = numbered(1..=30);
        let new = old.replace("\n10\n", "\nten\n").replace("\n20\n", "\n20\ntwenty-one\n");
        assert_eq!(
            folded(&old, &new, 3),
            "~6\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n~4\n 18\n 19\n 20\n+twenty-one\n 21\n 22\n 23\n~7"
        );
    }

    #[test]
    fn short_runs_and_single_lines_stay_visible() {
        // Between the changes: 7 unchanged lines = 3 + 1 + 3, too few to fold.
        let old = numbered(1..=9);
        let new = old.replace('1', "one").replace('9', "nine");
        assert_eq!(folded(&old, &new, 3), "-1\n+one\n 2\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine");
        // 4 lines before the change: one would fold, so none does.
        let new = numbered(1..=9).replace('5', "five");
        assert_eq!(folded(&numbered(1..=9), &new, 3), " 1\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9");
        // Without context every unchanged run of two or more folds.
        assert_eq!(folded(&numbered(1..=9), &new, 0), "~4\n-5\n+five\n~4");
    }

    #[test]
    fn folds_cover_the_whole_diff_in_order() {
        assert_eq!(folded("a\nb\nc", "a\nb\nc", 3), "~3", "no changes: all folded");
        assert_eq!(folded("", "x", 3), "+x");
        assert!(fold_unchanged(&[], 3).is_empty());
        let old = numbered(1..=200);
        let new = old.replace("\n50\n", "\n").replace("\n150\n", "\n150\n151.5\n");
        let diff = diff_lines(&old, &new);
        let blocks = fold_unchanged(&diff, 3);
        let mut next = 0;
        for (i, block) in blocks.iter().enumerate() {
            let (Block::Shown(r) | Block::Folded(r)) = block;
            assert_eq!(r.start, next, "{blocks:?}");
            next = r.end;
            if let Block::Folded(r) = block {
                assert!(diff[r.clone()].iter().all(|l| matches!(l, DiffLine::Same(_))), "{blocks:?}");
                assert!(r.len() >= 2, "{blocks:?}");
            }
            if i > 0 {
                assert_ne!(
                    std::mem::discriminant(block),
                    std::mem::discriminant(&blocks[i - 1]),
                    "{blocks:?}"
                );
            }
        }
        assert_eq!(next, diff.len());
        assert_eq!(blocks.iter().filter(|b| matches!(b, Block::Folded(_))).count(), 3);
    }
}
