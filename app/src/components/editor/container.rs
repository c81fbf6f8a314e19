//! The Container section: Docker image, network, privileges, and the port
//! table that fits the network (port mappings in bridge mode, port
//! definitions on the host network).

use leptos::prelude::*;
use serde_json::{json, Value};

use super::doc::{self, FieldKind};
use super::fields::{CellInput, CheckField, FieldErrors, SelectInput};
use super::state::EditorState;
use crate::sync_hydrate::IntoAnySync;

const PROTOCOLS: &[(&str, &str)] = &[("tcp", "TCP"), ("udp", "UDP"), ("udp,tcp", "UDP and TCP")];

fn is_bridge(doc: &Value) -> bool {
    doc.pointer("/networks/0/mode").and_then(Value::as_str) == Some("container/bridge")
}

/// Image, network, privileges and ports.
#[component]
pub fn ContainerSection() -> impl IntoView {
    let state = EditorState::from_context();
    let image = Memo::new(move |_| state.text_at("/container/docker/image"));
    let set_image = move |value: String| {
        state.change("/container/docker/image", |d| {
            if value.trim().is_empty() {
                let has_ports = doc::array_len(d, "/container/portMappings") > 0;
                if has_ports {
                    doc::set(d, "/container/docker/image", Some(json!("")));
                } else {
                    doc::set(d, "/container", None);
                }
            } else {
                doc::set(d, "/container/type", Some(json!("DOCKER")));
                doc::set(d, "/container/docker/image", Some(json!(value)));
            }
        });
    };
    let bridge = Memo::new(move |_| state.doc.with(is_bridge));
    let set_network = move |mode: String| {
        state.change("/networks", |d| {
            doc::set(d, "/networks", Some(json!([{ "mode": mode }])));
            if mode == "container/bridge" {
                doc::set(d, "/portDefinitions", None);
            } else {
                doc::set(d, "/container/portMappings", None);
            }
        });
    };
    view! {
        <fieldset class="section" data-testid="section-container">
            <legend>"Container"</legend>
            <label class="field" data-field="/container/docker/image">
                <span class="field-label">"Docker image"</span>
                <input type="text" placeholder="nginx:1.27 (empty: run the command on the host)" data-testid="field-image"
                    prop:value=move || image.get() on:input=move |ev| set_image(event_target_value(&ev)) />
                <FieldErrors pointer="/container/docker/image".to_string() />
            </label>
            <div class="grid-2">
                <label class="field" data-field="/networks">
                    <span class="field-label">"Network"</span>
                    <select data-testid="field-network"
                        prop:value=move || if bridge.get() { "container/bridge" } else { "host" }
                        on:change=move |ev| set_network(event_target_value(&ev))>
                        <option value="host">"Host"</option>
                        <option value="container/bridge">"Bridge"</option>
                    </select>
                    <FieldErrors pointer="/networks".to_string() />
                </label>
                <div class="field">
                    <span class="field-label">"Privileges"</span>
                    <CheckField label="Extend runtime privileges to this container" pointer="/container/docker/privileged"
                        test_id="field-privileged" />
                    <CheckField label="Always pull the image" pointer="/container/docker/forcePullImage" />
                </div>
            </div>
            {move || if bridge.get() { view! { <PortMappingsTable /> }.into_any_sync() } else { view! { <PortDefinitionsTable /> }.into_any_sync() }}
        </fieldset>
    }
}

/// `container.portMappings`: container port, host port, service port, protocol, name.
#[component]
pub fn PortMappingsTable() -> impl IntoView {
    let state = EditorState::from_context();
    let base = "/container/portMappings";
    let len = Memo::new(move |_| state.doc.with(|d| doc::array_len(d, base)));
    view! {
        <div class="rows" data-testid="port-mappings">
            <h3>"Port mappings"</h3>
            <FieldErrors pointer=base.to_string() />
            <table class="table compact-table">
                <thead><tr><th>"Container port"</th><th>"Host port"</th><th>"Service port"</th><th>"Protocol"</th><th>"Name"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || 0..len.get() key=|i| *i let:i>
                        <tr data-testid="port-mapping-row">
                            {[("containerPort", "Container port"), ("hostPort", "Host port"), ("servicePort", "Service port")]
                                .into_iter()
                                .map(|(field, label)| view! { <td><PortCell base i field label /></td> })
                                .collect_view()}
                            <td><SelectInput pointer=format!("{base}/{i}/protocol") options=PROTOCOLS default="tcp"
                                label=format!("Protocol of port {}", i + 1) /></td>
                            <td><CellInput pointer=format!("{base}/{i}/name") label=format!("Name of port {}", i + 1) placeholder="http" /></td>
                            <td><RemoveRow base i /></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <button type="button" class="link-button" data-testid="add-port-mapping"
                on:click=move |_| state.change(base, |d| doc::push(d, base, json!({"containerPort": 0, "hostPort": 0})))>
                "+ Add a port mapping"
            </button>
        </div>
    }
}

/// `portDefinitions`: host ports when the app runs on the host network.
#[component]
pub fn PortDefinitionsTable() -> impl IntoView {
    let state = EditorState::from_context();
    let base = "/portDefinitions";
    let len = Memo::new(move |_| state.doc.with(|d| doc::array_len(d, base)));
    view! {
        <div class="rows" data-testid="port-definitions">
            <h3>"Ports"</h3>
            <p class="hint">"Port 0 picks a free host port, exported to the task as $PORT0, $PORT1…"</p>
            <table class="table compact-table">
                <thead><tr><th>"Port"</th><th>"Protocol"</th><th>"Name"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || 0..len.get() key=|i| *i let:i>
                        <tr data-testid="port-definition-row">
                            <td><PortCell base i field="port" label="Port" /></td>
                            <td><SelectInput pointer=format!("{base}/{i}/protocol") options=PROTOCOLS default="tcp"
                                label=format!("Protocol of port {}", i + 1) /></td>
                            <td><CellInput pointer=format!("{base}/{i}/name") label=format!("Name of port {}", i + 1) placeholder="http" /></td>
                            <td><RemoveRow base i /></td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <button type="button" class="link-button" data-testid="add-port-definition"
                on:click=move |_| state.change(base, |d| doc::push(d, base, json!({"port": 0})))>
                "+ Add a port"
            </button>
        </div>
    }
}

#[component]
fn PortCell(base: &'static str, i: usize, field: &'static str, label: &'static str) -> impl IntoView {
    let pointer = format!("{base}/{i}/{field}");
    view! {
        <CellInput pointer=pointer.clone() kind=FieldKind::Number label=format!("{label} {}", i + 1) placeholder="0" />
        <FieldErrors pointer />
    }
}

/// The ✕ button that removes row `i` of the array at `base`.
#[component]
pub fn RemoveRow(base: &'static str, i: usize) -> impl IntoView {
    let state = EditorState::from_context();
    view! {
        <button type="button" class="link-button danger" aria-label=format!("Remove row {}", i + 1)
            data-testid="remove-row" on:click=move |_| state.change(base, |d| doc::remove_at(d, base, i))>
            "✕"
        </button>
    }
}
