//! The election's children: `member-<sequence>` nodes, ordered by sequence.
//!
//! Pure: given the children of the election node and our own node's name,
//! says whether we lead, whom we follow, and which node to watch.

/// Prefix of every participant node; ZooKeeper appends a 10-digit sequence.
pub(crate) const MEMBER_PREFIX: &str = "member-";

/// The sequence number of a member node name, or `None` for other names.
pub(crate) fn sequence(name: &str) -> Option<u64> {
    let digits = name.strip_prefix(MEMBER_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Where we stand among the members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Our node has the lowest sequence.
    Leading,
    /// Someone else leads; we watch our `predecessor` only (no herd effect)
    /// and the `leader` node for its address.
    Following {
        /// The lowest member.
        leader: String,
        /// The member just before ours.
        predecessor: String,
    },
    /// Our node is not among the children (deleted, or its session ended).
    Absent,
}

/// Our standing given the election node's `children` and our node `ours`.
pub(crate) fn standing(children: &[String], ours: &str) -> Standing {
    let Some(our_seq) = sequence(ours) else {
        return Standing::Absent;
    };
    let mut members: Vec<(u64, &String)> =
        children.iter().filter_map(|name| sequence(name).map(|seq| (seq, name))).collect();
    members.sort_unstable();
    if !members.iter().any(|(_, name)| *name == ours) {
        return Standing::Absent;
    }
    let lower: Vec<&String> =
        members.iter().filter(|(seq, _)| *seq < our_seq).map(|(_, name)| *name).collect();
    match (lower.first(), lower.last()) {
        (Some(leader), Some(predecessor)) => {
            Standing::Following { leader: (*leader).clone(), predecessor: (*predecessor).clone() }
        }
        _ => Standing::Leading,
    }
}

/// The lowest member among `children`, if any.
pub(crate) fn lowest(children: &[String]) -> Option<&String> {
    children.iter().filter_map(|name| sequence(name).map(|seq| (seq, name))).min().map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::{lowest, sequence, standing, Standing};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_member_names_have_sequences() {
        let cases = [
            ("member-0000000007", Some(7)),
            ("member-0000000000", Some(0)),
            ("member-", None),
            ("member-12x", None),
            ("lock-0000000001", None),
        ];
        for (name, want) in cases {
            assert_eq!(sequence(name), want, "{name}");
        }
    }

    #[test]
    fn lowest_sequence_leads_and_others_watch_their_predecessor() {
        let children = names(&["member-0000000012", "member-0000000003", "other", "member-0000000009"]);
        let follow = |leader: &str, predecessor: &str| Standing::Following {
            leader: leader.to_owned(),
            predecessor: predecessor.to_owned(),
        };
        let cases = [
            ("member-0000000003", Standing::Leading),
            ("member-0000000009", follow("member-0000000003", "member-0000000003")),
            ("member-0000000012", follow("member-0000000003", "member-0000000009")),
            ("member-0000000005", Standing::Absent),
            ("other", Standing::Absent),
        ];
        for (ours, want) in cases {
            assert_eq!(standing(&children, ours), want, "{ours}");
        }
        assert_eq!(lowest(&children).map(String::as_str), Some("member-0000000003"));
        assert_eq!(lowest(&names(&["x"])), None);
    }
}
