//! `PathId`: the hierarchical name of an app or group (`/prod/db/mysql`).
//!
//! Rules follow Marathon (`state/PathId.scala`): segments are separated by
//! `/`; each segment is a DNS-style name — lowercase letters, digits, `-`
//! and `.` separating labels, no label starting or ending with `-` — or one
//! of the relative markers `.` and `..`. Empty segments (`//`, a trailing
//! `/`) are dropped. Relative ids are resolved against a base group (`..` at
//! the root stays at the root, as in Marathon).
//!
//! A `PathId` value is always absolute and canonical: it holds no `.`/`..`
//! and every segment is valid. Whether an id is acceptable for an *app*
//! (not root, no reserved suffix, length) is checked by validation, because
//! group ids and app ids differ there.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Last segments an app id may not have: they would collide with REST
/// sub-resources (`/v2/apps/{id}/restart`, `/tasks`, `/versions`).
pub const RESERVED_SUFFIXES: [&str; 3] = ["restart", "tasks", "versions"];

/// Longest accepted id, in bytes of its `/a/b` form. Marathon has no limit;
/// ours keeps task ids, sandbox paths and Docker container names bounded.
pub const MAX_ID_LENGTH: usize = 512;

/// The segment pattern quoted in error messages (Marathon's wording).
pub const SEGMENT_PATTERN: &str =
    r"^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$";

/// Why a string is not a path id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathIdError {
    /// A segment breaks the character rules.
    #[error("must fully match regular expression '{SEGMENT_PATTERN}'")]
    InvalidSegment(String),
}

/// An absolute, canonical path id. `Display` and serde use the `/a/b` form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PathId {
    /// Invariant: every element satisfies [`is_valid_name`]; none is `.`/`..`.
    segments: Vec<String>,
}

impl PathId {
    /// The root group `/`.
    pub fn root() -> Self {
        PathId::default()
    }

    /// Parses `raw`; a relative id is resolved against the root.
    pub fn parse(raw: &str) -> Result<Self, PathIdError> {
        Self::resolve(raw, &PathId::root())
    }

    /// Parses `raw` and, when it is relative (no leading `/`), resolves it
    /// against `base` (Marathon's `canonicalPath`).
    pub fn resolve(raw: &str, base: &PathId) -> Result<Self, PathIdError> {
        let parts: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
        if let Some(bad) = parts.iter().find(|p| !is_valid_segment(p)) {
            return Err(PathIdError::InvalidSegment((*bad).to_string()));
        }
        let mut segments = if raw.starts_with('/') { Vec::new() } else { base.segments.clone() };
        for part in parts {
            match part {
                "." => {}
                ".." => {
                    segments.pop();
                }
                name => segments.push(name.to_string()),
            }
        }
        Ok(PathId { segments })
    }

    /// True for `/`.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The names from the root down.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The last segment (`mysql` of `/prod/db/mysql`); `None` for the root.
    pub fn name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// The enclosing group; the root's parent is the root.
    pub fn parent(&self) -> PathId {
        let mut segments = self.segments.clone();
        segments.pop();
        PathId { segments }
    }

    /// `self/name`, checking that `name` is a valid single name.
    pub fn child(&self, name: &str) -> Result<PathId, PathIdError> {
        if !is_valid_name(name) {
            return Err(PathIdError::InvalidSegment(name.to_string()));
        }
        let mut segments = self.segments.clone();
        segments.push(name.to_string());
        Ok(PathId { segments })
    }

    /// True when `self` is the direct parent of `other`.
    pub fn is_parent_of(&self, other: &PathId) -> bool {
        other.segments.len() == self.segments.len() + 1 && self.is_ancestor_of(other)
    }

    /// True when `other` lies strictly below `self`.
    pub fn is_ancestor_of(&self, other: &PathId) -> bool {
        other.segments.len() > self.segments.len() && other.segments.starts_with(&self.segments)
    }

    /// True when the last segment is one of [`RESERVED_SUFFIXES`].
    pub fn has_reserved_suffix(&self) -> bool {
        self.name().is_some_and(|n| RESERVED_SUFFIXES.contains(&n))
    }
}

/// True for a segment allowed in a raw id: a name, `.` or `..`.
pub fn is_valid_segment(segment: &str) -> bool {
    segment == "." || segment == ".." || is_valid_name(segment)
}

/// True for a name: dot-separated labels of `[a-z0-9-]`, none empty and none
/// starting or ending with `-`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.split('.').all(is_valid_label)
}

fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl fmt::Display for PathId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for s in &self.segments {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

impl FromStr for PathId {
    type Err = PathIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PathId::parse(s)
    }
}

impl Serialize for PathId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PathId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        PathId::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(s: &str) -> PathId {
        PathId::parse(s).unwrap()
    }

    #[test]
    fn resolves_relative_ids_like_marathon() {
        let base = id("/prod/web");
        let cases = [
            ("/a/b", "/a/b"),
            ("a/b", "/prod/web/a/b"),
            ("./a", "/prod/web/a"),
            ("../db", "/prod/db"),
            ("../../../../x", "/x"),
            ("a/../b", "/prod/web/b"),
            ("//a//b/", "/a/b"),
            ("", "/prod/web"),
            ("/", "/"),
            ("app.example.org", "/prod/web/app.example.org"),
        ];
        for (raw, want) in cases {
            assert_eq!(PathId::resolve(raw, &base).unwrap().to_string(), want, "{raw}");
        }
    }

    #[test]
    fn rejects_segments_that_are_not_dns_names() {
        for raw in ["/A", "/a_b", "/-a", "/a-", "/a..b", "/a.", "/.a", "/a b", "/ä", "/a/-/b"] {
            assert!(
                matches!(PathId::parse(raw), Err(PathIdError::InvalidSegment(_))),
                "{raw} should be rejected"
            );
        }
    }

    #[test]
    fn accepts_dns_style_segments() {
        for raw in ["/a", "/a-b", "/a.b-c.d", "/0", "/a1/b2", "x/y"] {
            assert!(PathId::parse(raw).is_ok(), "{raw} should be accepted");
        }
    }

    #[test]
    fn parent_child_and_ancestry() {
        let a = id("/a");
        let ab = id("/a/b");
        let abc = id("/a/b/c");
        assert_eq!(ab.parent(), a);
        assert_eq!(PathId::root().parent(), PathId::root());
        assert!(a.is_parent_of(&ab));
        assert!(!a.is_parent_of(&abc));
        assert!(a.is_ancestor_of(&abc));
        assert!(!ab.is_ancestor_of(&ab));
        assert!(PathId::root().is_parent_of(&a));
        assert_eq!(a.child("b").unwrap(), ab);
        assert!(a.child("b/c").is_err());
        assert_eq!(abc.name(), Some("c"));
        assert_eq!(PathId::root().name(), None);
    }

    #[test]
    fn reserved_suffixes_are_detected() {
        assert!(id("/a/restart").has_reserved_suffix());
        assert!(id("/tasks").has_reserved_suffix());
        assert!(id("/a/versions").has_reserved_suffix());
        assert!(!id("/restart/a").has_reserved_suffix());
        assert!(!PathId::root().has_reserved_suffix());
    }

    #[test]
    fn serde_uses_the_string_form() {
        let json = serde_json::to_string(&id("/a/b")).unwrap();
        assert_eq!(json, "\"/a/b\"");
        let back: PathId = serde_json::from_str("\"a/./b\"").unwrap();
        assert_eq!(back, id("/a/b"));
        assert!(serde_json::from_str::<PathId>("\"/A\"").is_err());
    }
}
