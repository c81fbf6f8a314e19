//! `/deployments`: rollouts in progress, with Rollback and Stop. Both are
//! `ActionForm`s, so they work before the WASM has loaded.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::deployments::{list_deployments, CancelDeployment, DeploymentView};
use crate::components::error_view::{ApiErrorNotice, ErrorList};
use crate::components::page_header::PageHeader;
use crate::live::{use_live, Topic};
use crate::routes::app_href;
use crate::sync_hydrate::IntoAnySync;

/// The deployments page.
#[component]
pub fn DeploymentsPage() -> impl IntoView {
    let live = use_live();
    let cancel = ServerAction::<CancelDeployment>::new();
    let deployments = crate::api::resource::resource(
        move || (live.version(Topic::Deployments), cancel.version().get()),
        |_| list_deployments(),
    );
    view! {
        <PageHeader title="Deployments" subtitle="Rollouts in progress" />
        {move || cancel.value().get().and_then(Result::err).map(|error| view! { <ApiErrorNotice error /> })}
        <Transition fallback=|| view! { <section class="card"><p class="muted">"Loading deployments…"</p></section> }>
            <ErrorBoundary fallback=|errors| view! { <section class="card"><ErrorList errors /></section> }>
                {move || deployments.get().map(|r| r.map(|list| view! { <DeploymentList list cancel /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DeploymentList(list: Vec<DeploymentView>, cancel: ServerAction<CancelDeployment>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <section class="card empty" data-testid="deployments-empty">
                <p>"No deployments are running. Changes to services roll out here."</p>
            </section>
        }
        .into_any_sync();
    }
    view! {
        <section class="card flush">
            <div class="table-scroll"><table class="table" data-testid="deployments-table">
                <thead><tr><th>"Deployment"</th><th>"Affected services"</th><th>"Action"</th><th>"Progress"</th><th></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|d| view! { <DeploymentRow d cancel /> }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
    .into_any_sync()
}

#[component]
fn DeploymentRow(d: DeploymentView, cancel: ServerAction<CancelDeployment>) -> impl IntoView {
    let pct =
        if d.total_steps == 0 { 0.0 } else { f64::from(d.current_step) * 100.0 / f64::from(d.total_steps) };
    let actions =
        d.current_actions.iter().map(|a| format!("{} {}", a.action, a.app)).collect::<Vec<_>>().join(", ");
    let (id_rollback, id_stop) = (d.id.clone(), d.id.clone());
    view! {
        <tr data-testid="deployment-row" data-deployment-id=d.id.clone()>
            <td class="mono ellipsis" title=d.id.clone()>{d.id.clone()}<div class="muted small-inline">{d.version}</div></td>
            <td>
                {d.affected_apps.into_iter().map(|app| view! { <div><A href=app_href(&app)>{app.clone()}</A></div> }).collect_view()}
            </td>
            <td class="small-inline">{actions}</td>
            <td>
                <div class="meter" role="progressbar" aria-valuemin="0" aria-valuemax=d.total_steps aria-valuenow=d.current_step>
                    <span class="meter-fill low" style=format!("width:{pct:.0}%")></span>
                </div>
                <span class="muted small-inline" data-testid="deployment-step">{format!("step {} of {}", d.current_step, d.total_steps)}</span>
            </td>
            <td class="row-actions">
                <ActionForm action=cancel>
                    <input type="hidden" name="id" value=id_rollback />
                    <input type="hidden" name="force" value="false" />
                    <button class="button" type="submit" data-testid="deployment-rollback"
                        title="Start a deployment back to the previous version">"Rollback"</button>
                </ActionForm>
                <ActionForm action=cancel>
                    <input type="hidden" name="id" value=id_stop />
                    <input type="hidden" name="force" value="true" />
                    <button class="button danger" type="submit" data-testid="deployment-stop"
                        title="Stop where it is, without rolling back">"Stop"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
