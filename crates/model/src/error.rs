//! The two ways input can be wrong, in Marathon's shape.
//!
//! * [`ModelError::InvalidJson`] — the bytes are not JSON, not UTF-8, or a
//!   value has the wrong JSON type / an unknown field. The REST layer answers
//!   `400 {"message":"Invalid JSON","details":[...]}`.
//! * [`ModelError::Invalid`] — well-formed JSON that breaks a rule (negative
//!   cpus, unknown constraint operator, unsupported feature...). The REST
//!   layer answers `422 {"message":"Object is not valid","details":[...]}`.
//!
//! Both carry [`Violation`]s whose `path` is a JSON pointer into the request
//! body (`/container/docker/portMappings/0/containerPort`, `/` for the whole
//! document).

use serde::{Deserialize, Serialize};

/// One problem at one place of the request body.
///
/// Serializes exactly as Marathon's detail entries: `{"path": .., "errors": [..]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// JSON pointer (RFC 6901) into the submitted document; `/` is the root.
    pub path: String,
    /// Human-readable messages (or Marathon error codes such as
    /// `error.expected.jsnumber` for type errors). Never empty.
    pub errors: Vec<String>,
}

impl Violation {
    /// A violation with a single message.
    pub fn new(path: impl Into<String>, error: impl Into<String>) -> Self {
        Violation { path: path.into(), errors: vec![error.into()] }
    }
}

/// Why a document was refused. See the module docs for the HTTP mapping.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Syntactically bad input (HTTP 400, "Invalid JSON").
    #[error("Invalid JSON")]
    InvalidJson(Vec<Violation>),
    /// Semantically invalid input (HTTP 422, "Object is not valid").
    #[error("Object is not valid")]
    Invalid(Vec<Violation>),
}

impl ModelError {
    /// Marathon's fixed top-level `message` for this kind of error.
    pub fn message(&self) -> &'static str {
        match self {
            ModelError::InvalidJson(_) => "Invalid JSON",
            ModelError::Invalid(_) => "Object is not valid",
        }
    }

    /// The `details` array of the error body.
    pub fn violations(&self) -> &[Violation] {
        match self {
            ModelError::InvalidJson(v) | ModelError::Invalid(v) => v,
        }
    }

    /// The full Marathon error body: `{"message": .., "details": [..]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "message": self.message(), "details": self.violations() })
    }
}

/// Collects violations while walking a document.
///
/// Paths are pushed relative to the current prefix, so validation code for a
/// health check does not need to know where in the request it sits.
#[derive(Debug, Default)]
pub struct Violations {
    prefix: String,
    list: Vec<Violation>,
}

impl Violations {
    /// An empty collector rooted at the document root.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` at `prefix + path` (`path` is `""` or starts with `/`).
    pub fn add(&mut self, path: &str, message: impl Into<String>) {
        let full = self.full_path(path);
        let message = message.into();
        match self.list.iter_mut().find(|v| v.path == full) {
            Some(existing) => {
                if !existing.errors.contains(&message) {
                    existing.errors.push(message);
                }
            }
            None => self.list.push(Violation::new(full, message)),
        }
    }

    /// Runs `f` with the prefix extended by `path` (e.g. `/healthChecks/0`).
    pub fn nested<R>(&mut self, path: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.prefix.len();
        self.prefix.push_str(path);
        let result = f(self);
        self.prefix.truncate(saved);
        result
    }

    /// Takes over violations collected for a sub-document, placing them
    /// under `path` (relative to the current prefix).
    pub fn extend_at(&mut self, path: &str, other: Vec<Violation>) {
        self.nested(path, |s| {
            for v in other {
                let sub = if v.path == "/" { "" } else { v.path.as_str() };
                for e in v.errors {
                    s.add(sub, e);
                }
            }
        });
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The collected violations, in the order first seen.
    pub fn into_vec(self) -> Vec<Violation> {
        self.list
    }

    /// `Ok(())` when empty, else `ModelError::Invalid`.
    pub fn into_result(self) -> Result<(), ModelError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ModelError::Invalid(self.list))
        }
    }

    fn full_path(&self, path: &str) -> String {
        let joined = format!("{}{}", self.prefix, path);
        if joined.is_empty() {
            "/".to_string()
        } else {
            joined
        }
    }
}

/// Escapes one JSON-pointer reference token (`~` → `~0`, `/` → `~1`).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
