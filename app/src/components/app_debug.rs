//! The Debug tab of the app page: the last failure, the launch delay and
//! why offers were declined.

use leptos::prelude::*;

use super::error_view::ApiErrorNotice;
use crate::api::app_changes::reset_delay;
use crate::api::apps::{AppDetail, OfferFunnelStep, QueueInfo, TaskFailure};
use crate::error::ApiError;
use crate::sync_hydrate::IntoAnySync;

/// Last failure, launch delay and the offer funnel.
#[component]
pub fn DebugTab(detail: AppDetail, on_change: Callback<()>) -> impl IntoView {
    let id = detail.summary.id.clone();
    let reset = Action::new(|id: &String| reset_delay(id.clone()));
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(())) => on_change.run(()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <div class="debug" data-testid="debug">
            <section>
                <h3>"Last task failure"</h3>
                {match detail.summary.last_failure {
                    Some(failure) => view! { <FailureFacts failure /> }.into_any_sync(),
                    None => view! { <p class="muted" data-testid="no-failure">"No task has failed."</p> }.into_any_sync(),
                }}
            </section>
            <section>
                <h3>"Launch queue"</h3>
                {move || error.get().map(|error| view! { <ApiErrorNotice error /> })}
                {match detail.queue {
                    Some(queue) => {
                        let delayed = !queue.overdue && queue.delay_seconds_left > 0;
                        let id = id.clone();
                        view! {
                            <QueueFacts queue />
                            {delayed.then(|| view! {
                                <button class="button" data-testid="reset-delay" on:click=move |_| { reset.dispatch(id.clone()); }>"Reset delay"</button>
                            })}
                        }.into_any_sync()
                    }
                    None => view! { <p class="muted" data-testid="not-queued">"Nothing waits to be launched."</p> }.into_any_sync(),
                }}
            </section>
        </div>
    }
}

#[component]
fn FailureFacts(failure: TaskFailure) -> impl IntoView {
    let message = if failure.message.is_empty() { "—".to_string() } else { failure.message };
    let hint = state_hint(&failure.state);
    let state = failure.state.clone();
    view! {
        <dl class="facts" data-testid="last-failure" data-state=state>
            <dt>"State"</dt>
            <dd data-testid="failure-state">
                <span class="mono">{failure.state}</span>
                {hint.map(|hint| view! { <span class="muted">" — "{hint}</span> })}
            </dd>
            <dt>"Message"</dt><dd data-testid="failure-message">{message}</dd>
            <dt>"Host"</dt><dd data-testid="failure-host">{failure.host}</dd>
            <dt>"When"</dt>
            <dd data-testid="failure-when">
                <time datetime=failure.timestamp.clone() title=failure.timestamp>{ago(failure.age_seconds)}</time>
            </dd>
            <dt>"Version"</dt><dd class="mono" data-testid="failure-version">{failure.version}</dd>
            <dt>"Task"</dt><dd class="mono" data-testid="failure-task">{failure.task_id}</dd>
        </dl>
    }
}

/// How long ago, in words: `just now`, `42 s ago`, `5 min ago`, `3 h ago`,
/// `2 d ago`.
pub fn ago(seconds: u64) -> String {
    match seconds {
        0..5 => "just now".to_string(),
        5..60 => format!("{seconds} s ago"),
        60..3_600 => format!("{} min ago", seconds / 60),
        3_600..86_400 => format!("{} h ago", seconds / 3_600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}

/// What a Mesos end state means for the user, when it says more than the name.
pub fn state_hint(state: &str) -> Option<&'static str> {
    Some(match state {
        "TASK_FAILED" => "the command exited with an error",
        "TASK_ERROR" => "the task could not be launched",
        "TASK_KILLED" => "killed without dromos asking, or for failing its health checks",
        "TASK_LOST" | "TASK_GONE" | "TASK_GONE_BY_OPERATOR" => "lost with its agent",
        "TASK_DROPPED" => "dropped before it started",
        "TASK_UNKNOWN" => "the master no longer knows the task",
        _ => return None,
    })
}

#[component]
fn QueueFacts(queue: QueueInfo) -> impl IntoView {
    let waiting = if queue.overdue {
        "Waiting for a matching offer".to_string()
    } else {
        format!("Delayed after failures: next launch in {} s", queue.delay_seconds_left)
    };
    view! {
        <dl class="facts" data-testid="queue">
            <dt>"Status"</dt><dd data-testid="queue-status">{waiting}</dd>
            <dt>"Instances to launch"</dt><dd>{queue.count}</dd>
            <dt>"Queued since"</dt><dd>{queue.since}</dd>
            <dt>"Offers"</dt><dd>{format!("{} examined, {} declined", queue.processed_offers, queue.unused_offers)}</dd>
        </dl>
        <h4>"Why offers were declined (last round)"</h4>
        {if queue.funnel.is_empty() {
            view! { <p class="muted">"No offer has been examined yet."</p> }.into_any_sync()
        } else {
            view! { <Funnel steps=queue.funnel /> }.into_any_sync()
        }}
    }
}

/// The reason funnel as bars: offers reaching each stage and declined there.
#[component]
fn Funnel(steps: Vec<OfferFunnelStep>) -> impl IntoView {
    let widest = steps.iter().map(|s| s.processed).max().unwrap_or(1).max(1);
    view! {
        <table class="table funnel" data-testid="offer-funnel">
            <thead><tr><th>"Check"</th><th>"Offers reaching it"</th><th>"Declined here"</th><th></th></tr></thead>
            <tbody>
                {steps.into_iter().map(|step| {
                    let pct = f64::from(step.declined) * 100.0 / f64::from(widest);
                    view! {
                        <tr data-testid="funnel-step" data-reason=step.reason.clone()>
                            <td>{reason_label(&step.reason)}</td>
                            <td class="num">{step.processed}</td>
                            <td class="num">{step.declined}</td>
                            <td class="bar-cell"><span class="meter"><span class="meter-fill high" style=format!("width:{pct:.1}%")></span></span></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What a user reads for Marathon's reason names.
pub fn reason_label(reason: &str) -> String {
    match reason {
        "UnfulfilledRole" => "Role",
        "UnfulfilledConstraint" => "Constraints",
        "AgentMaintenance" => "Agent maintenance",
        "InsufficientCpus" => "CPU",
        "InsufficientMemory" => "Memory",
        "InsufficientDisk" => "Disk",
        "InsufficientGpus" => "GPU",
        "InsufficientPorts" => "Ports",
        "DeclinedScarceResources" => "Reserved for GPU apps",
        "MaxInstancesPerOffer" => "Instances per offer",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::{ago, state_hint};

    #[test]
    fn ages_read_in_the_largest_whole_unit() {
        let cases = [
            (0, "just now"),
            (4, "just now"),
            (5, "5 s ago"),
            (59, "59 s ago"),
            (60, "1 min ago"),
            (3_599, "59 min ago"),
            (3_600, "1 h ago"),
            (86_399, "23 h ago"),
            (86_400, "1 d ago"),
            (10 * 86_400, "10 d ago"),
        ];
        for (seconds, want) in cases {
            assert_eq!(ago(seconds), want, "{seconds}");
        }
    }

    #[test]
    fn failure_states_have_a_hint_others_none() {
        assert!(state_hint("TASK_FAILED").is_some_and(|h| h.contains("exited")));
        assert!(state_hint("TASK_LOST").is_some());
        assert_eq!(state_hint("TASK_RUNNING"), None);
    }
}
