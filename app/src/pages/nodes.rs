//! `/nodes`: agents offering resources, with their allocation.

use leptos::prelude::*;

use crate::api::cluster::{list_nodes, NodeView};
use crate::components::error_view::ErrorList;
use crate::components::page_header::PageHeader;
use crate::components::resource_bar::ResourceBar;
use crate::components::units;
use crate::live::{use_live, Topic};
use crate::sync_hydrate::IntoAnySync;

/// The nodes page.
#[component]
pub fn NodesPage() -> impl IntoView {
    let live = use_live();
    let nodes = crate::api::resource::resource(move || live.version(Topic::Cluster), |_| list_nodes());
    view! {
        <PageHeader title="Nodes" subtitle="Agents offering resources" />
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading nodes…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || nodes.get().map(|r| r.map(|list| view! { <NodeTable list /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn NodeTable(list: Vec<NodeView>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <section class="card empty" data-testid="nodes-empty">
                <p>"No agents have registered yet."</p>
            </section>
        }
        .into_any_sync();
    }
    view! {
        <section class="card flush">
            <div class="table-scroll"><table class="table" data-testid="nodes-table">
                <thead><tr><th>"Host"</th><th>"Attributes"</th><th>"Tasks"</th><th>"CPU"</th><th>"Memory"</th><th>"Disk"</th></tr></thead>
                <tbody>{list.into_iter().map(|node| view! { <NodeRow node /> }).collect_view()}</tbody>
            </table></div>
        </section>
    }
    .into_any_sync()
}

#[component]
fn NodeRow(node: NodeView) -> impl IntoView {
    view! {
        <tr data-testid="node-row" data-node-id=node.id.clone() class=if node.active { "" } else { "inactive" }>
            <td>
                <span class=if node.active { "dot ok" } else { "dot bad" } aria-hidden="true"></span>
                " " <span data-testid="node-hostname">{node.hostname}</span>
                {(!node.active).then_some(view! { <span class="muted">" (inactive)"</span> })}
                <div class="muted mono small-inline">{node.id.clone()}</div>
            </td>
            <td>
                {node.attributes.into_iter().map(|(k, v)| view! { <span class="tag">{format!("{k}:{v}")}</span> }).collect_view()}
            </td>
            <td class="num">{node.tasks}</td>
            <td><ResourceBar label="CPU" used=node.used.cpus total=node.total.cpus format=units::cpus compact=true test_id="node-cpu" /></td>
            <td><ResourceBar label="Memory" used=node.used.mem total=node.total.mem format=units::mib compact=true test_id="node-mem" /></td>
            <td><ResourceBar label="Disk" used=node.used.disk total=node.total.disk format=units::mib compact=true test_id="node-disk" /></td>
        </tr>
    }
}
