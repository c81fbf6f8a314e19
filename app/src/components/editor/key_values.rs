//! Key/value rows for JSON objects of strings: environment variables and
//! labels.
//!
//! Rows are local state (a key being typed is not yet a key of the
//! object, and renaming must not reorder rows under the cursor); every edit
//! writes the whole object, and a change of the object from elsewhere (JSON
//! mode) rebuilds the rows.

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::doc::render_field;
use super::fields::FieldErrors;
use super::state::EditorState;

#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: u64,
    key: String,
    value: String,
}

fn rows_of(object: Option<&Value>, next_id: &mut u64) -> Vec<Row> {
    let Some(Value::Object(map)) = object else { return Vec::new() };
    map.iter()
        .map(|(key, value)| {
            *next_id += 1;
            Row { id: *next_id, key: key.clone(), value: render_field(Some(value)) }
        })
        .collect()
}

/// The object the rows stand for; rows without a key are left out. Values
/// that are not plain strings in the document (e.g. `{"secret": ..}`) keep
/// their JSON when untouched.
fn object_of(rows: &[Row], original: Option<&Value>) -> Option<Value> {
    let mut map = Map::new();
    for row in rows.iter().filter(|r| !r.key.trim().is_empty()) {
        let kept = original
            .and_then(|o| o.get(&row.key))
            .filter(|v| !v.is_string() && render_field(Some(v)) == row.value)
            .cloned();
        map.insert(row.key.clone(), kept.unwrap_or_else(|| Value::String(row.value.clone())));
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

/// Rows editing the object at `pointer`.
#[component]
pub fn KeyValueRows(
    pointer: &'static str,
    /// Section title, e.g. "Environment variables".
    title: &'static str,
    /// Noun for the add button, e.g. "variable".
    noun: &'static str,
    /// Prefix of test ids, e.g. `env` gives `env-row`, `add-env`.
    test_id: &'static str,
) -> impl IntoView {
    let state = EditorState::from_context();
    let next_id = StoredValue::new(0u64);
    let rows = RwSignal::new(state.doc.with_untracked(|d| {
        let mut n = 0;
        let rows = rows_of(d.pointer(pointer), &mut n);
        next_id.set_value(n);
        rows
    }));
    Effect::new(move |_| {
        let object = state.doc.with(|d| d.pointer(pointer).cloned());
        let ours = rows.with_untracked(|r| object_of(r, object.as_ref()));
        if ours != object {
            let mut n = next_id.get_value();
            rows.set(rows_of(object.as_ref(), &mut n));
            next_id.set_value(n);
        }
    });
    let commit = move || {
        let original = state.doc.with_untracked(|d| d.pointer(pointer).cloned());
        let object = rows.with_untracked(|r| object_of(r, original.as_ref()));
        state.write(pointer, object);
    };
    let edit = move |id: u64, f: &dyn Fn(&mut Row)| {
        rows.update(|rs| rs.iter_mut().filter(|r| r.id == id).for_each(f));
        commit();
    };
    let add = move |_| {
        let id = next_id.get_value() + 1;
        next_id.set_value(id);
        rows.update(|rs| rs.push(Row { id, key: String::new(), value: String::new() }));
    };
    let field = move |id: u64, key: bool| {
        move || {
            rows.with(|rs| {
                rs.iter().find(|r| r.id == id).map(|r| if key { r.key.clone() } else { r.value.clone() })
            })
        }
    };
    view! {
        <fieldset class="section" data-testid=format!("section-{test_id}")>
            <legend>{title}</legend>
            <FieldErrors pointer=pointer.to_string() />
            <For each=move || rows.get() key=|row| row.id let:row>
                <div class="kv-row" data-testid=format!("{test_id}-row")>
                    <input type="text" placeholder="KEY" aria-label=format!("{noun} name") data-testid=format!("{test_id}-key")
                        prop:value=field(row.id, true)
                        on:input=move |ev| { let v = event_target_value(&ev); edit(row.id, &|r| r.key.clone_from(&v)) } />
                    <input type="text" placeholder="value" aria-label=format!("{noun} value") data-testid=format!("{test_id}-value")
                        prop:value=field(row.id, false)
                        on:input=move |ev| { let v = event_target_value(&ev); edit(row.id, &|r| r.value.clone_from(&v)) } />
                    <button type="button" class="link-button danger" aria-label=format!("Remove {noun}")
                        on:click=move |_| { rows.update(|rs| rs.retain(|r| r.id != row.id)); commit(); }>"✕"</button>
                </div>
            </For>
            <button type="button" class="link-button" data-testid=format!("add-{test_id}") on:click=add>
                {format!("+ Add {noun}")}
            </button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{object_of, rows_of};

    #[test]
    fn rows_and_object_round_trip_keeping_non_string_values() {
        let original = json!({"A": "1", "DB": {"secret": "db"}});
        let mut n = 0;
        let mut rows = rows_of(Some(&original), &mut n);
        assert_eq!(rows.len(), 2);
        assert_eq!(object_of(&rows, Some(&original)), Some(original.clone()));
        rows[0].value = "2".into();
        rows.push(super::Row { id: 99, key: String::new(), value: "dangling".into() });
        assert_eq!(object_of(&rows, Some(&original)), Some(json!({"A": "2", "DB": {"secret": "db"}})));
        assert_eq!(object_of(&[], None), None);
    }
}
