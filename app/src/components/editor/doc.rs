//! The editor's document: the app as a JSON value, read and written by
//! JSON pointer. The form and the JSON mode both edit this one value, which
//! is how they stay in sync; validation runs on it with the server's own
//! [`parse_app`].

use serde_json::{Map, Value};

use crate::model::{parse_app, Violation};

/// How a form field turns text into JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldKind {
    /// A string; empty text removes the key (the default applies).
    #[default]
    Text,
    /// A number; text that is not a number is kept as a string, so the
    /// validator reports it (`error.expected.jsnumber`) at this path.
    Number,
}

/// The JSON value `text` stands for, or `None` to remove the key.
pub fn parse_field(kind: FieldKind, text: &str) -> Option<Value> {
    if text.trim().is_empty() {
        return None;
    }
    match kind {
        FieldKind::Text => Some(Value::String(text.to_string())),
        FieldKind::Number => Some(number_value(text.trim())),
    }
}

fn number_value(text: &str) -> Value {
    if let Ok(int) = text.parse::<i64>() {
        return Value::from(int);
    }
    match text.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64) {
        Some(number) => Value::Number(number),
        None => Value::String(text.to_string()),
    }
}

/// The text a field shows for `value` (absent → empty).
pub fn render_field(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn tokens(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

/// Writes `value` at `pointer`, creating missing objects on the way;
/// `None` removes the key (or the array element). An index one past the
/// end of an array appends.
pub fn set(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let tokens = tokens(pointer);
    let Some((last, parents)) = tokens.split_last() else {
        if let Some(value) = value {
            *doc = value;
        }
        return;
    };
    let mut cursor = doc;
    for token in parents {
        if !cursor.is_object() && !cursor.is_array() {
            *cursor = Value::Object(Map::new());
        }
        cursor = match cursor {
            Value::Array(items) => match token.parse::<usize>() {
                Ok(i) if i < items.len() => &mut items[i],
                _ => return,
            },
            Value::Object(map) => map.entry(token.clone()).or_insert_with(|| Value::Object(Map::new())),
            _ => return,
        };
    }
    match (cursor, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(last.clone(), v);
        }
        (Value::Object(map), None) => {
            map.remove(last);
        }
        (Value::Array(items), v) => set_in_array(items, last, v),
        (slot, Some(v)) => {
            let mut map = Map::new();
            map.insert(last.clone(), v);
            *slot = Value::Object(map);
        }
        (_, None) => {}
    }
}

fn set_in_array(items: &mut Vec<Value>, token: &str, value: Option<Value>) {
    let Ok(i) = token.parse::<usize>() else { return };
    match value {
        Some(v) if i < items.len() => items[i] = v,
        Some(v) if i == items.len() => items.push(v),
        None if i < items.len() => {
            items.remove(i);
        }
        _ => {}
    }
}

/// The array at `pointer` (empty when absent or not an array).
pub fn array_len(doc: &Value, pointer: &str) -> usize {
    doc.pointer(pointer).and_then(Value::as_array).map_or(0, Vec::len)
}

/// Appends `item` to the array at `pointer`, creating it if needed.
pub fn push(doc: &mut Value, pointer: &str, item: Value) {
    let len = array_len(doc, pointer);
    if len == 0 {
        set(doc, pointer, Some(Value::Array(vec![item])));
    } else {
        set(doc, &format!("{pointer}/{len}"), Some(item));
    }
}

/// Removes element `index` of the array at `pointer`; an array left empty
/// is removed so the default applies.
pub fn remove_at(doc: &mut Value, pointer: &str, index: usize) {
    set(doc, &format!("{pointer}/{index}"), None);
    if array_len(doc, pointer) == 0 {
        set(doc, pointer, None);
    }
}

/// Every problem of `doc` as the server would report it, or nothing.
pub fn validate(doc: &Value) -> Vec<Violation> {
    match serde_json::to_vec(doc) {
        Ok(bytes) => parse_app(&bytes).err().map(|e| e.violations().to_vec()).unwrap_or_default(),
        Err(e) => vec![Violation::new("/", e.to_string())],
    }
}

/// A readable sentence for Marathon's error codes; other messages as is.
pub fn humanize(message: &str) -> String {
    let known = match message {
        "error.expected.jsnumber" => "must be a number",
        "error.expected.int" => "must be a whole number",
        "error.expected.jsstring" => "must be text",
        "error.expected.jsboolean" => "must be true or false",
        "error.expected.jsobject" => "must be an object",
        "error.expected.jsarray" => "must be a list",
        "error.path.missing" => "is required",
        "error.unknown.enum.literal" => "is not one of the allowed values",
        _ => return message.to_string(),
    };
    known.to_string()
}

/// The document without what the server stamps (`version`, `versionInfo`):
/// the starting point for editing an existing app.
pub fn editable(mut definition: Value) -> Value {
    if let Value::Object(map) = &mut definition {
        map.remove("version");
        map.remove("versionInfo");
    }
    definition
}

#[cfg(test)]
#[path = "doc_tests.rs"]
mod tests;
