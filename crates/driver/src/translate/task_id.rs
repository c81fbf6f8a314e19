//! Instance and task ids in Marathon's modern format (NOTES §3.5, Marathon
//! 1.8+): the instance id is `<app>.instance-<uuid>`, stable for the life of
//! the instance, and each Mesos task launched for it is
//! `<instance id>._app.<incarnation>`. `<app>` is the app id without its
//! leading `/` and with `/` replaced by `_` (`/prod/web` → `prod_web`), so a
//! task id names its app and never contains a `/`.

use uuid::Uuid;

/// Marker between the app part and the uuid of an instance id.
const INSTANCE_MARKER: &str = ".instance-";
/// Marker between the instance id and the incarnation of a task id.
const TASK_MARKER: &str = "._app.";

/// `/prod/web` → `prod_web`.
pub fn safe_app_name(app_id: &str) -> String {
    app_id.trim_start_matches('/').replace('/', "_")
}

/// A new instance id for `app_id` with the given uuid.
pub fn instance_id(app_id: &str, uuid: Uuid) -> String {
    format!("{}{INSTANCE_MARKER}{uuid}", safe_app_name(app_id))
}

/// The Mesos task id of an instance's `incarnation` (1 for the first launch).
pub fn task_id(instance_id: &str, incarnation: u32) -> String {
    format!("{instance_id}{TASK_MARKER}{incarnation}")
}

/// The instance a task id belongs to: `a.instance-u._app.3` → `a.instance-u`.
/// Ids of other frameworks' formats (no `._app.` suffix) are their own
/// instance id, as in Marathon's legacy `app.marathon-<uuid>` tasks.
pub fn instance_of_task(task_id: &str) -> &str {
    match task_id.rsplit_once(TASK_MARKER) {
        Some((instance, incarnation)) if incarnation.parse::<u32>().is_ok() => instance,
        _ => task_id,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::{instance_id, instance_of_task, safe_app_name, task_id};

    #[test]
    fn app_ids_become_slash_free_names() {
        for (app, want) in [("/web", "web"), ("/prod/api/web", "prod_api_web"), ("web", "web")] {
            assert_eq!(safe_app_name(app), want, "{app}");
        }
    }

    #[test]
    fn task_ids_follow_marathons_modern_format() {
        let uuid = Uuid::from_u128(0x0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0);
        let instance = instance_id("/prod/web", uuid);
        assert_eq!(instance, "prod_web.instance-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        assert_eq!(task_id(&instance, 1), format!("{instance}._app.1"));
    }

    #[test]
    fn task_ids_map_back_to_their_instance() {
        let cases = [
            ("web.instance-u1._app.1", "web.instance-u1"),
            ("web.instance-u1._app.42", "web.instance-u1"),
            ("web.marathon-u2", "web.marathon-u2"),
            ("odd._app.x", "odd._app.x"),
        ];
        for (task, want) in cases {
            assert_eq!(instance_of_task(task), want, "{task}");
        }
    }
}
