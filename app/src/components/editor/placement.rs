//! Health checks and placement constraints: the row builders of the editor.

use leptos::prelude::*;
use serde_json::{json, Value};

use super::container::RemoveRow;
use super::doc::{self, FieldKind};
use super::fields::{CellInput, FieldErrors, SelectInput};
use super::state::EditorState;
use crate::sync_hydrate::IntoAnySync;

const OPERATORS: &[(&str, &str)] = &[
    ("UNIQUE", "UNIQUE"),
    ("CLUSTER", "CLUSTER"),
    ("GROUP_BY", "GROUP_BY"),
    ("LIKE", "LIKE"),
    ("UNLIKE", "UNLIKE"),
    ("MAX_PER", "MAX_PER"),
    ("IS", "IS"),
];

const HEALTH_PROTOCOLS: &[(&str, &str)] = &[
    ("HTTP", "HTTP"),
    ("HTTPS", "HTTPS"),
    ("TCP", "TCP"),
    ("COMMAND", "Command"),
    ("MESOS_HTTP", "Mesos HTTP"),
    ("MESOS_HTTPS", "Mesos HTTPS"),
    ("MESOS_TCP", "Mesos TCP"),
];

/// Constraints as `[field, operator, value]` rows.
#[component]
pub fn ConstraintsSection() -> impl IntoView {
    let state = EditorState::from_context();
    let base = "/constraints";
    let len = Memo::new(move |_| state.doc.with(|d| doc::array_len(d, base)));
    view! {
        <fieldset class="section" data-testid="section-constraints">
            <legend>"Constraints"</legend>
            <p class="hint">"Where instances may run, e.g. hostname UNIQUE, or rack_id GROUP_BY 3."</p>
            <FieldErrors pointer=base.to_string() />
            <For each=move || 0..len.get() key=|i| *i let:i>
                <div class="constraint-row" data-testid="constraint-row">
                    <CellInput pointer=format!("{base}/{i}/0") label=format!("Field of constraint {}", i + 1)
                        placeholder="hostname" test_id="constraint-field" />
                    <SelectInput pointer=format!("{base}/{i}/1") options=OPERATORS default="UNIQUE"
                        label=format!("Operator of constraint {}", i + 1) test_id="constraint-operator" />
                    <CellInput pointer=format!("{base}/{i}/2") label=format!("Value of constraint {}", i + 1)
                        placeholder="value (optional)" test_id="constraint-value" />
                    <RemoveRow base i />
                    <FieldErrors pointer=format!("{base}/{i}") />
                </div>
            </For>
            <button type="button" class="link-button" data-testid="add-constraint"
                on:click=move |_| state.change(base, |d| doc::push(d, base, json!(["hostname", "UNIQUE"])))>
                "+ Add a constraint"
            </button>
        </fieldset>
    }
}

/// Health checks: protocol, path or command, port index and timings.
#[component]
pub fn HealthChecksSection() -> impl IntoView {
    let state = EditorState::from_context();
    let base = "/healthChecks";
    let len = Memo::new(move |_| state.doc.with(|d| doc::array_len(d, base)));
    view! {
        <fieldset class="section" data-testid="section-health">
            <legend>"Health checks"</legend>
            <For each=move || 0..len.get() key=|i| *i let:i>
                <HealthCheckRow base i />
            </For>
            <button type="button" class="link-button" data-testid="add-health-check"
                on:click=move |_| state.change(base, |d| doc::push(d, base, json!({"protocol": "HTTP", "path": "/"})))>
                "+ Add a health check"
            </button>
        </fieldset>
    }
}

#[component]
fn HealthCheckRow(base: &'static str, i: usize) -> impl IntoView {
    let state = EditorState::from_context();
    let at = move |field: &str| format!("{base}/{i}/{field}");
    let protocol = Memo::new(move |_| {
        state.doc.with(|d| d.pointer(&at("protocol")).and_then(Value::as_str).unwrap_or("HTTP").to_string())
    });
    let number = move |field: &'static str, label: &'static str| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <CellInput pointer=at(field) kind=FieldKind::Number label=label.to_string() />
                <FieldErrors pointer=at(field) />
            </label>
        }
    };
    view! {
        <div class="health-row" data-testid="health-check-row">
            <div class="grid-3">
                <label class="field">
                    <span class="field-label">"Protocol"</span>
                    <SelectInput pointer=at("protocol") options=HEALTH_PROTOCOLS default="HTTP"
                        label=format!("Protocol of health check {}", i + 1) />
                </label>
                {move || if protocol.get().contains("COMMAND") {
                    view! {
                        <label class="field">
                            <span class="field-label">"Command"</span>
                            <CellInput pointer=at("command/value") label="Command".to_string() placeholder="curl -f localhost:$PORT0" />
                            <FieldErrors pointer=at("command/value") />
                        </label>
                    }.into_any_sync()
                } else if protocol.get().contains("HTTP") {
                    view! {
                        <label class="field">
                            <span class="field-label">"Path"</span>
                            <CellInput pointer=at("path") label="Path".to_string() placeholder="/health" />
                            <FieldErrors pointer=at("path") />
                        </label>
                    }.into_any_sync()
                } else {
                    ().into_any_sync()
                }}
                {number("portIndex", "Port index")}
            </div>
            <div class="grid-4">
                {number("gracePeriodSeconds", "Grace period (s)")}
                {number("intervalSeconds", "Interval (s)")}
                {number("timeoutSeconds", "Timeout (s)")}
                {number("maxConsecutiveFailures", "Max failures")}
            </div>
            <FieldErrors pointer=format!("{base}/{i}") />
            <RemoveRow base i />
        </div>
    }
}

/// Upgrade strategy and launch backoff.
#[component]
pub fn PoliciesSection() -> impl IntoView {
    use super::fields::Field;
    view! {
        <fieldset class="section" data-testid="section-policies">
            <legend>"Upgrade strategy and backoff"</legend>
            <div class="grid-2">
                <Field label="Minimum health capacity" pointer="/upgradeStrategy/minimumHealthCapacity"
                    kind=FieldKind::Number placeholder="1" hint="Share of instances kept healthy during an upgrade (0–1)" />
                <Field label="Maximum over capacity" pointer="/upgradeStrategy/maximumOverCapacity"
                    kind=FieldKind::Number placeholder="1" hint="Extra share of instances started during an upgrade (0–1)" />
            </div>
            <div class="grid-3">
                <Field label="Backoff (s)" pointer="/backoffSeconds" kind=FieldKind::Number placeholder="1" />
                <Field label="Backoff factor" pointer="/backoffFactor" kind=FieldKind::Number placeholder="1.15" />
                <Field label="Max launch delay (s)" pointer="/maxLaunchDelaySeconds" kind=FieldKind::Number placeholder="300" />
            </div>
        </fieldset>
    }
}
