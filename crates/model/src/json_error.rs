//! Decoding bytes into wire types with Marathon's 400 semantics: every
//! serde / syntax error becomes one [`Violation`] whose path is the JSON
//! pointer of the offending value (via `serde_path_to_error`) and whose
//! message is a Marathon error code where one applies:
//!
//! | problem | path | error |
//! |---|---|---|
//! | wrong JSON type | the value | `error.expected.jsnumber` / `jsstring` / `jsarray` / `jsobject` / `jsboolean` |
//! | non-integer or out-of-range integer | the value | `error.expected.int` |
//! | unknown enum literal | the value | `error.unknown.enum.literal` |
//! | missing required field | the missing field | `error.path.missing` |
//! | unknown field | the unknown field | `unknown field` |
//! | duplicate field | the field | `duplicate field` |
//! | not UTF-8 | `/` | `error.expected.utf8: invalid UTF-8 at byte N` |
//! | syntax, EOF | where it stopped | serde_json's message |
//! | nesting deeper than serde_json's limit (128) | the top-level field | `recursion limit exceeded ...` |

use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::env::ENV_EXPECTING;
use crate::error::{pointer_token, ModelError, Violation};
use crate::resources::LIMIT_EXPECTING;
use crate::strategy::UNREACHABLE_EXPECTING;

/// The JSON type a document must have at its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
}

/// Decodes `bytes` as `T`, mapping every failure to `ModelError::InvalidJson`.
///
/// The root type is checked explicitly because serde's derived structs also
/// accept a positional array; nested objects given as arrays are still read
/// positionally (a serde limitation, see the crate report).
pub(crate) fn from_json<T: DeserializeOwned>(bytes: &[u8], root: Root) -> Result<T, ModelError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        invalid("/".to_string(), format!("error.expected.utf8: invalid UTF-8 at byte {}", e.valid_up_to()))
    })?;
    let first = text.trim_start().chars().next();
    match (root, first) {
        (Root::Object, Some('[')) => {
            return Err(invalid("/".to_string(), "error.expected.jsobject".to_string()))
        }
        (Root::Array, Some('{')) => {
            return Err(invalid("/".to_string(), "error.expected.jsarray".to_string()))
        }
        _ => {}
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(map_error)?;
    de.end().map_err(|e| invalid("/".to_string(), e.to_string()))?;
    Ok(value)
}

fn invalid(path: String, error: String) -> ModelError {
    ModelError::InvalidJson(vec![Violation::new(path, error)])
}

fn map_error(err: serde_path_to_error::Error<serde_json::Error>) -> ModelError {
    let pointer = pointer_of(err.path());
    let inner = err.inner();
    let text = inner.to_string();
    if inner.classify() != Category::Data {
        // Nesting beyond serde_json's limit: the full pointer would be 128
        // segments of noise; the top-level field is what the user needs.
        if text.starts_with("recursion limit exceeded") {
            let top = pointer.split('/').nth(1).unwrap_or_default();
            return invalid(format!("/{top}"), text);
        }
        return invalid(pointer, text);
    }
    let message = match text.rfind(" at line ") {
        Some(pos) => &text[..pos],
        None => text.as_str(),
    };
    let (path, code) = classify(message, &pointer);
    invalid(path, code)
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", pointer_token(key))),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    if out.is_empty() {
        "/".to_string()
    } else {
        out
    }
}

/// `pointer/field`, unless `serde_path_to_error` already ended the path
/// with that field (it does when the error arose while reading the key).
fn join(pointer: &str, field: &str) -> String {
    let token = format!("/{}", pointer_token(field));
    if pointer.ends_with(&token) {
        return pointer.to_string();
    }
    let base = if pointer == "/" { "" } else { pointer };
    format!("{base}{token}")
}

/// The text between the first pair of backticks.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

fn classify(message: &str, pointer: &str) -> (String, String) {
    let here = || pointer.to_string();
    if let Some(field) = message.strip_prefix("unknown field ").and_then(quoted) {
        return (join(pointer, field), "unknown field".to_string());
    }
    if let Some(field) = message.strip_prefix("missing field ").and_then(quoted) {
        return (join(pointer, field), "error.path.missing".to_string());
    }
    if let Some(field) = message.strip_prefix("duplicate field ").and_then(quoted) {
        return (join(pointer, field), "duplicate field".to_string());
    }
    if message.starts_with("unknown variant ") {
        return (here(), "error.unknown.enum.literal".to_string());
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (here(), expected_code(got, expected).to_string());
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (_, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        if is_integer_type(expected) {
            return (here(), "error.expected.int".to_string());
        }
    }
    (here(), message.to_string())
}

fn is_integer_type(expected: &str) -> bool {
    matches!(expected, "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize")
}

fn expected_code(got: &str, expected: &str) -> &'static str {
    if is_integer_type(expected) {
        let is_number = got.starts_with("floating point") || got.starts_with("integer");
        return if is_number { "error.expected.int" } else { "error.expected.jsnumber" };
    }
    match expected {
        "f64" | "f32" => "error.expected.jsnumber",
        e if e == LIMIT_EXPECTING => "error.expected.jsnumber",
        e if e == ENV_EXPECTING => "error.expected.jsstring",
        e if e == UNREACHABLE_EXPECTING => "error.expected.jsobject",
        "a boolean" => "error.expected.jsboolean",
        e if e.contains("string") || e.contains("variant") || e.contains("enum") => "error.expected.jsstring",
        e if e.contains("sequence") || e.contains("array") || e.contains("tuple") => "error.expected.jsarray",
        e if e.starts_with("struct ") || e.contains("map") || e.contains("object") => {
            "error.expected.jsobject"
        }
        _ => "error.expected.jsvalue",
    }
}
