//! The Instances and Endpoints tabs of the app page.

use leptos::prelude::*;

use super::error_view::ApiErrorNotice;
use crate::api::app_changes::kill_task;
use crate::api::apps::{AppDetail, TaskView};
use crate::error::ApiError;
use crate::sync_hydrate::IntoAnySync;

/// The instance table with Kill / Kill and scale per row.
#[component]
pub fn InstancesTab(detail: AppDetail, on_change: Callback<()>) -> impl IntoView {
    let app_id = detail.summary.id.clone();
    let kill = Action::new(|(app, task, scale): &(String, String, bool)| {
        kill_task(app.clone(), task.clone(), *scale)
    });
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match kill.value().get() {
        Some(Ok(())) => {
            error.set(None);
            on_change.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    if detail.tasks.is_empty() {
        return view! {
            <div class="empty-inline" data-testid="instances-empty">
                <p>"No instances are running."</p>
                {(detail.summary.instances == 0).then_some(view! { <p class="muted">"The app is suspended: scale it up to start instances."</p> })}
            </div>
        }
        .into_any_sync();
    }
    view! {
        {move || error.get().map(|error| view! { <ApiErrorNotice error /> })}
        <div class="table-scroll"><table class="table" data-testid="instances-table">
            <thead>
                <tr><th>"Instance"</th><th>"Host"</th><th>"Ports"</th><th>"State"</th><th>"Health"</th><th>"Version"</th><th>"Started"</th><th></th></tr>
            </thead>
            <tbody>
                {detail.tasks.into_iter().map(|task| {
                    let app = app_id.clone();
                    view! { <InstanceRow task kill=move |task: String, scale: bool| { kill.dispatch((app.clone(), task, scale)); } /> }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any_sync()
}

#[component]
fn InstanceRow(task: TaskView, kill: impl Fn(String, bool) + Clone + 'static) -> impl IntoView {
    let (health_class, health_text) = match task.healthy {
        Some(true) => ("dot ok", "Healthy"),
        Some(false) => ("dot bad", "Unhealthy"),
        None => ("dot unknown", "Unknown"),
    };
    let ports = task.ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    let state = task.state.trim_start_matches("TASK_").to_lowercase();
    let (id_a, id_b) = (task.id.clone(), task.id.clone());
    let kill_scale = kill.clone();
    view! {
        <tr data-testid="instance-row" data-task-id=task.id.clone()>
            <td class="mono ellipsis" title=task.id.clone()>{task.id.clone()}</td>
            <td>{task.host}</td>
            <td class="num">{ports}</td>
            <td><span class=format!("state state-{state}")>{state.clone()}</span></td>
            <td><span class=health_class aria-hidden="true"></span>" " {health_text}</td>
            <td class="mono small-inline">{task.version}</td>
            <td class="small-inline">{task.started_at.or(task.staged_at).unwrap_or_default()}</td>
            <td class="row-actions">
                <button class="link-button danger" data-testid="kill-task" on:click=move |_| kill(id_a.clone(), false)>"Kill"</button>
                <button class="link-button danger" data-testid="kill-scale-task" on:click=move |_| kill_scale(id_b.clone(), true)>"Kill and scale"</button>
            </td>
        </tr>
    }
}

/// `host:port` of every instance, per port of the app.
#[component]
pub fn EndpointsTab(detail: AppDetail) -> impl IntoView {
    let def = &detail.definition;
    let names: Vec<Option<String>> = if def.is_host_networking() {
        def.port_definitions.iter().map(|p| p.name.clone()).collect()
    } else {
        def.port_mappings().iter().map(|p| p.name.clone()).collect()
    };
    let running: Vec<TaskView> = detail.tasks.into_iter().filter(|t| !t.ports.is_empty()).collect();
    if running.is_empty() {
        return view! { <div class="empty-inline" data-testid="endpoints-empty"><p>"No endpoints: no instance with ports is running."</p></div> }
            .into_any_sync();
    }
    let port_count = running.iter().map(|t| t.ports.len()).max().unwrap_or(0);
    view! {
        <div class="endpoints" data-testid="endpoints">
            {(0..port_count).map(|index| {
                let title = names.get(index).cloned().flatten().unwrap_or_else(|| format!("PORT{index}"));
                view! {
                    <section class="endpoint-group">
                        <h3>{title}</h3>
                        <ul class="mono">
                            {running.iter().filter_map(|t| t.ports.get(index).map(|p| format!("{}:{p}", t.host)))
                                .map(|e| view! { <li data-testid="endpoint">{e}</li> }).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </div>
    }
    .into_any_sync()
}
