//! [`EditorState`]: the document, its violations and which fields the user
//! touched, shared with every field through context.

use std::collections::BTreeSet;

use leptos::prelude::*;
use serde_json::Value;

use super::doc::{self, FieldKind};
use crate::model::Violation;

/// Everything an editor field needs; `Copy`, provided as context.
#[derive(Debug, Clone, Copy)]
pub struct EditorState {
    /// The app as JSON: the one source of truth of form and JSON mode.
    pub doc: RwSignal<Value>,
    /// What the browser-side validator says about `doc`.
    pub violations: Memo<Vec<Violation>>,
    /// Violations the server returned for the last deploy (cleared by edits).
    pub server_violations: RwSignal<Vec<Violation>>,
    /// Pointers of fields the user has edited.
    pub touched: RwSignal<BTreeSet<String>>,
    /// Set by the first deploy attempt: from then on every error shows.
    pub submitted: RwSignal<bool>,
}

impl EditorState {
    /// State around `initial`.
    pub fn new(initial: Value) -> Self {
        let doc = RwSignal::new(initial);
        let server_violations = RwSignal::new(Vec::new());
        EditorState {
            doc,
            violations: Memo::new(move |_| doc.with(doc::validate)),
            server_violations,
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
        }
    }

    /// The state provided by the enclosing editor.
    pub fn from_context() -> Self {
        expect_context::<EditorState>()
    }

    /// Writes a field and remembers it was touched.
    pub fn write(&self, pointer: &str, value: Option<Value>) {
        self.doc.update(|d| doc::set(d, pointer, value));
        self.touch(pointer);
    }

    /// Changes the document with `f` (row add/remove) and marks `pointer`.
    pub fn change(&self, pointer: &str, f: impl FnOnce(&mut Value)) {
        self.doc.update(f);
        self.touch(pointer);
    }

    fn touch(&self, pointer: &str) {
        self.server_violations.set(Vec::new());
        if !self.touched.with_untracked(|t| t.contains(pointer)) {
            self.touched.update(|t| {
                t.insert(pointer.to_string());
            });
        }
    }

    /// Messages for exactly `pointer`, when they should show (the field was
    /// touched, or a deploy was attempted, or the server reported them).
    pub fn errors_at(&self, pointer: &str) -> Vec<String> {
        let visible = self.submitted.get() || self.touched.with(|t| t.contains(pointer));
        let mut messages: Vec<String> = Vec::new();
        let mut take = |list: &[Violation]| {
            for v in list.iter().filter(|v| v.path == pointer) {
                messages.extend(v.errors.iter().map(|e| doc::humanize(e)));
            }
        };
        if visible {
            self.violations.with(|v| take(v));
        }
        self.server_violations.with(|v| take(v));
        messages.dedup();
        messages
    }

    /// Every violation to list in the summary: browser and server ones.
    pub fn all_violations(&self) -> Vec<Violation> {
        let mut all = self.violations.get();
        for v in self.server_violations.get() {
            if !all.contains(&v) {
                all.push(v);
            }
        }
        all
    }

    /// A field's value as text, reactive.
    pub fn text_at(&self, pointer: &str) -> String {
        self.doc.with(|d| doc::render_field(d.pointer(pointer)))
    }

    /// Whether `text` typed into a `kind` field already stands for what the
    /// document holds at `pointer` (then the field keeps the user's text).
    pub fn agrees(&self, pointer: &str, kind: FieldKind, text: &str) -> bool {
        self.doc.with_untracked(|d| doc::parse_field(kind, text).as_ref() == d.pointer(pointer))
    }
}
