//! Marathon's label selectors (`GET /v2/apps?label=...`): terms joined by
//! `,` (AND), each `key`, `key==value`, `key!=value`, `key in (a,b)` or
//! `key notin (a,b)`; `\` escapes the next character.

use std::collections::BTreeMap;

/// One term of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    Exists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed selector; matches when every term does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    terms: Vec<Term>,
}

/// The text of an unparsable selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Can not parse label selector {0}")]
pub struct SelectorError(pub String);

impl LabelSelector {
    /// Parses `raw`.
    pub fn parse(raw: &str) -> Result<Self, SelectorError> {
        let err = || SelectorError(raw.to_owned());
        let terms = split_unescaped(raw, ',', true)
            .into_iter()
            .map(|t| parse_term(t.trim()).ok_or_else(err))
            .collect::<Result<Vec<_>, _>>()?;
        if terms.is_empty() {
            return Err(err());
        }
        Ok(LabelSelector { terms })
    }

    /// Whether `labels` satisfy every term.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Exists(k) => labels.contains_key(k),
            Term::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Term::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
        })
    }
}

fn parse_term(term: &str) -> Option<Term> {
    if let Some((k, v)) = split_op(term, "==") {
        return Some(Term::In(k, vec![v]));
    }
    if let Some((k, v)) = split_op(term, "!=") {
        return Some(Term::NotIn(k, vec![v]));
    }
    for (op, negate) in [(" notin ", true), (" in ", false)] {
        if let Some(at) = term.find(op) {
            let key = unescape(term[..at].trim());
            let set = term[at + op.len()..].trim().strip_prefix('(')?.strip_suffix(')')?;
            let values: Vec<String> =
                split_unescaped(set, ',', false).iter().map(|v| unescape(v.trim())).collect();
            if key.is_empty() || values.is_empty() || values.iter().any(String::is_empty) {
                return None;
            }
            return Some(if negate { Term::NotIn(key, values) } else { Term::In(key, values) });
        }
    }
    let key = unescape(term);
    (is_plain(term) && !key.is_empty()).then_some(Term::Exists(key))
}

fn split_op(term: &str, op: &str) -> Option<(String, String)> {
    let (k, v) = term.split_once(op)?;
    let (k, v) = (unescape(k.trim()), unescape(v.trim()));
    (!k.is_empty()).then_some((k, v))
}

fn is_plain(term: &str) -> bool {
    !term.contains(['(', ')', ' ', '=', '!']) || term.contains('\\')
}

/// Splits at unescaped `sep`, optionally not inside parentheses.
fn split_unescaped(raw: &str, sep: char, respect_parens: bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut escaped) = (0usize, 0usize, false);
    for (i, c) in raw.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' if respect_parens => depth += 1,
            ')' if respect_parens => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                parts.push(&raw[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&raw[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::LabelSelector;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selectors_match_like_marathon() {
        let l = labels(&[("env", "prod"), ("tier", "web"), ("a,b", "x")]);
        let cases = [
            ("env", true),
            ("missing", false),
            ("env==prod", true),
            ("env==dev", false),
            ("env!=dev", true),
            ("env in (dev, prod)", true),
            ("env notin (dev,prod)", false),
            ("env==prod, tier==web", true),
            ("env==prod,tier==db", false),
            (r"a\,b==x", true),
        ];
        for (raw, want) in cases {
            assert_eq!(LabelSelector::parse(raw).unwrap().matches(&l), want, "{raw}");
        }
    }

    #[test]
    fn malformed_selectors_are_rejected() {
        for raw in ["", "env in dev", "env in ()", "==x", "a b"] {
            assert!(LabelSelector::parse(raw).is_err(), "{raw:?}");
        }
    }
}
