//! The confirm step of an app action (Scale, Restart, Suspend, Resume,
//! Destroy): a small dialog that runs the server function and, when a
//! running deployment holds the app (409), offers to force it.

use leptos::prelude::*;

use super::error_view::ApiErrorNotice;
use crate::api::app_changes::{delete_app, restart_app, scale_app, DeploymentRef};
use crate::error::ApiError;
use crate::sync_hydrate::IntoAnySync;

/// Which action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// Set the instance count (asks for a number).
    Scale,
    /// Replace every instance.
    Restart,
    /// Scale to 0.
    Suspend,
    /// Scale a suspended app up again (asks for a number, default 1).
    Resume,
    /// Remove the app.
    Destroy,
}

impl CommandKind {
    /// Button text and dialog verb.
    pub fn label(self) -> &'static str {
        match self {
            Self::Scale => "Scale",
            Self::Restart => "Restart",
            Self::Suspend => "Suspend",
            Self::Resume => "Resume",
            Self::Destroy => "Destroy",
        }
    }

    /// Lower-case name for test ids (`action-scale`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Scale => "scale",
            Self::Restart => "restart",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Destroy => "destroy",
        }
    }

    fn asks_for_count(self) -> bool {
        matches!(self, Self::Scale | Self::Resume)
    }

    fn question(self, id: &str) -> String {
        match self {
            Self::Scale => format!("How many instances of {id} should run?"),
            Self::Resume => format!("Resume {id} with how many instances?"),
            Self::Restart => format!("Restart every instance of {id}?"),
            Self::Suspend => format!("Suspend {id}? All its instances are stopped."),
            Self::Destroy => {
                format!("Destroy {id}? Its instances are stopped and its configuration is deleted.")
            }
        }
    }
}

/// An action on one app, waiting for the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCommand {
    /// What to do.
    pub kind: CommandKind,
    /// Absolute app id.
    pub app_id: String,
    /// The app's wanted instances now (the default of the count input).
    pub instances: u32,
}

async fn run(command: AppCommand, count: u32, force: bool) -> Result<DeploymentRef, ApiError> {
    let id = command.app_id;
    match command.kind {
        CommandKind::Scale | CommandKind::Resume => scale_app(id, count, force).await,
        CommandKind::Suspend => scale_app(id, 0, force).await,
        CommandKind::Restart => restart_app(id, force).await,
        CommandKind::Destroy => delete_app(id, force).await,
    }
}

/// The dialog for `pending` (hidden while `None`). `on_done` runs after a
/// successful change, with the action that succeeded.
///
/// The dialog's code, with the server functions it calls, is a lazily
/// loaded part of the WASM (see [`crate::lazy_pages`]), fetched the first
/// time an action is asked for: a page that is only read never loads it.
#[component]
pub fn AppCommandDialog(
    pending: RwSignal<Option<AppCommand>>,
    on_done: Callback<CommandKind>,
) -> impl IntoView {
    // Once loaded, the dialog stays mounted (and hides itself while `None`).
    let wanted =
        Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || pending.with(Option::is_some));
    move || {
        wanted.get().then(|| {
            view! {
                <Suspense fallback=|| ()>
                    {Suspend::new(async move { command_dialog(pending, on_done).await })}
                </Suspense>
            }
        })
    }
}

#[lazy]
fn command_dialog(pending: RwSignal<Option<AppCommand>>, on_done: Callback<CommandKind>) -> AnyView {
    view! { <CommandDialogBody pending on_done /> }.into_any_sync()
}

#[component]
fn CommandDialogBody(pending: RwSignal<Option<AppCommand>>, on_done: Callback<CommandKind>) -> impl IntoView {
    let count = RwSignal::new(String::new());
    let action =
        Action::new(|(command, n, force): &(AppCommand, u32, bool)| run(command.clone(), *n, *force));
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| {
        if let Some(command) = pending.get() {
            count.set(if command.kind == CommandKind::Resume { 1 } else { command.instances }.to_string());
            error.set(None);
        }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
            if let Some(command) = pending.get_untracked() {
                on_done.run(command.kind);
            }
            action.value().set(None);
            pending.set(None);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |force: bool| {
        let Some(command) = pending.get_untracked() else { return };
        match parse_count(command.kind, &count.get_untracked()) {
            Ok(n) => {
                error.set(None);
                action.dispatch((command, n, force));
            }
            Err(message) => error.set(Some(ApiError::new(422, message))),
        }
    };
    move || {
        pending.get().map(|command| {
            view! {
                <div class="dialog-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { pending.set(None) }>
                    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="command-title" data-testid="command-dialog">
                        <h2 id="command-title">{format!("{} {}", command.kind.label(), command.app_id)}</h2>
                        <p>{command.kind.question(&command.app_id)}</p>
                        {command.kind.asks_for_count().then(|| view! {
                            <label class="field">
                                <span>"Instances"</span>
                                <input type="number" min="0" autofocus data-testid="command-count" prop:value=count
                                    on:input=move |ev| count.set(event_target_value(&ev))
                                    on:keydown=move |ev| if ev.key() == "Enter" { submit(false) } />
                            </label>
                        })}
                        {move || error.get().map(|e| dialog_error(e, command.kind, submit))}
                        <div class="dialog-actions">
                            <button class="button" data-testid="command-cancel" on:click=move |_| pending.set(None)>"Cancel"</button>
                            <button
                                class=if command.kind == CommandKind::Destroy { "button danger" } else { "button primary" }
                                data-testid="command-confirm"
                                autofocus=!command.kind.asks_for_count()
                                disabled=move || action.pending().get()
                                on:click=move |_| submit(false)
                            >
                                {command.kind.label()}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

fn dialog_error(error: ApiError, kind: CommandKind, submit: impl Fn(bool) + Copy + 'static) -> AnyView {
    if error.is_locked() {
        view! {
            <div class="notice notice-warn" role="alert" data-testid="command-locked">
                <p>"A deployment is running for this app. Stop it and " {kind.label().to_lowercase()} " anyway?"</p>
                <button class="button danger" data-testid="command-force" on:click=move |_| submit(true)>
                    {format!("Stop deployment and {}", kind.label().to_lowercase())}
                </button>
            </div>
        }
        .into_any_sync()
    } else {
        view! { <ApiErrorNotice error /> }.into_any_sync()
    }
}

/// The instance count typed for a Scale/Resume, or 0 for the others.
fn parse_count(kind: CommandKind, text: &str) -> Result<u32, String> {
    if !kind.asks_for_count() {
        return Ok(0);
    }
    text.trim().parse::<u32>().map_err(|_| format!("'{}' is not a number of instances", text.trim()))
}

#[cfg(test)]
mod tests {
    use super::{parse_count, CommandKind};

    #[test]
    fn only_scale_and_resume_read_the_count() {
        assert_eq!(parse_count(CommandKind::Scale, " 3 "), Ok(3));
        assert_eq!(parse_count(CommandKind::Resume, "0"), Ok(0));
        assert!(parse_count(CommandKind::Scale, "-1").is_err());
        assert!(parse_count(CommandKind::Scale, "two").is_err());
        assert_eq!(parse_count(CommandKind::Destroy, "garbage"), Ok(0));
    }
}
