//! The entry points the REST layer and the console use: bytes in, a
//! normalized and validated value (or Marathon-style errors) out.
//!
//! Every function first decodes (→ `InvalidJson`, HTTP 400) and then
//! converts and validates (→ `Invalid`, HTTP 422). Bulk functions prefix
//! paths with the array index (`/1/cpus`).

use crate::app::AppDefinition;
use crate::error::{ModelError, Violation, Violations};
use crate::group::{Group, GroupPartialUpdate, GroupUpdate, PartialUpdateBody};
use crate::json_error::{from_json, Root};
use crate::path_id::PathId;
use crate::update::AppUpdate;
use crate::validation::{validate_rollback_and_scale_alone, MAX_INSTANCES};

/// Any JSON object document (e.g. dromos' own `/v2/access` bodies) with
/// Marathon's decoding errors: 400 `Invalid JSON` with the path of every
/// malformed, mistyped or unknown field (use `deny_unknown_fields`).
pub fn parse_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ModelError> {
    from_json(bytes, Root::Object)
}

/// `POST /v2/apps`: one complete app; a relative id is resolved against `/`.
pub fn parse_app(bytes: &[u8]) -> Result<AppDefinition, ModelError> {
    from_json::<AppUpdate>(bytes, Root::Object)?.into_app(&PathId::root())
}

/// A JSON array of complete apps (`PUT /v2/apps` with
/// `partialUpdate=false`, `apps_create.json`). All errors of all apps are
/// reported together.
pub fn parse_apps(bytes: &[u8]) -> Result<Vec<AppDefinition>, ModelError> {
    let updates: Vec<AppUpdate> = from_json(bytes, Root::Array)?;
    let missing: Vec<Violation> = updates
        .iter()
        .enumerate()
        .filter(|(_, u)| u.id.is_none())
        .map(|(i, _)| Violation::new(format!("/{i}/id"), "error.path.missing"))
        .collect();
    if !missing.is_empty() {
        return Err(ModelError::InvalidJson(missing));
    }
    let mut v = Violations::new();
    let mut apps = Vec::with_capacity(updates.len());
    for (i, u) in updates.into_iter().enumerate() {
        match u.into_app(&PathId::root()) {
            Ok(app) => apps.push(app),
            Err(e) => v.extend_at(&format!("/{i}"), e.violations().to_vec()),
        }
    }
    v.into_result().map(|()| apps)
}

/// `PATCH /v2/apps/{id}` or `PUT ...?partialUpdate=true`: decode only;
/// apply with [`AppUpdate::apply_to`] (or [`AppUpdate::into_app`] when the
/// app does not exist yet).
pub fn parse_app_update(bytes: &[u8]) -> Result<AppUpdate, ModelError> {
    from_json(bytes, Root::Object)
}

/// Bulk `PUT`/`PATCH /v2/apps`: an array of partial updates, decode only.
pub fn parse_app_updates(bytes: &[u8]) -> Result<Vec<AppUpdate>, ModelError> {
    from_json(bytes, Root::Array)
}

/// `POST /v2/groups`: a complete group tree; `id` is required at every
/// level and resolved against `/` (so a rollback `version` or a `scaleBy`,
/// which must come alone, is always refused here).
pub fn parse_group(bytes: &[u8]) -> Result<Group, ModelError> {
    let update: GroupUpdate = from_json(bytes, Root::Object)?;
    let mut missing = Vec::new();
    if update.id.is_none() {
        missing.push(Violation::new("/id", "error.path.missing"));
    }
    collect_missing_ids(&update, "", &mut missing);
    if !missing.is_empty() {
        return Err(ModelError::InvalidJson(missing));
    }
    validate_rollback_and_scale_alone(&update).into_result()?;
    update.into_group(&PathId::root())
}

/// `PUT /v2/groups/{id}` (and `POST /v2/groups/{id}`): decode and check
/// the body's own fields (`scaleBy`, `pods`, a rollback `version` or a
/// `scaleBy` only alone); see [`GroupUpdate::kind`] for what it asks and
/// [`GroupUpdate::apply_to`] / [`GroupUpdate::into_group`] to apply it.
pub fn parse_group_update(bytes: &[u8]) -> Result<GroupUpdate, ModelError> {
    let update: GroupUpdate = from_json(bytes, Root::Object)?;
    let mut v = validate_rollback_and_scale_alone(&update);
    if let Some(f) = update.scale_by {
        if !f.is_finite() || f < 0.0 {
            v.add("/scaleBy", "must be greater than or equal to 0");
        } else if f > f64::from(MAX_INSTANCES) {
            v.add("/scaleBy", format!("is greater than {MAX_INSTANCES}"));
        }
    }
    if update.pods.as_ref().is_some_and(|p| !p.is_empty()) {
        v.add("/pods", "pods are not supported by dromos");
    }
    v.into_result().map(|()| update)
}

/// `PATCH /v2/groups/{id}`: a JSON object whose only field may be
/// `enforceRole` (a boolean or `null`). Malformed JSON, a non-object or a
/// mistyped `enforceRole` is a 400; any other field (`apps`, `scaleBy`, a
/// typo) is a 422 naming it: this operation never changes more.
pub fn parse_group_partial_update(bytes: &[u8]) -> Result<GroupPartialUpdate, ModelError> {
    from_json::<PartialUpdateBody>(bytes, Root::Object)?.into_update()
}

fn collect_missing_ids(group: &GroupUpdate, prefix: &str, out: &mut Vec<Violation>) {
    for (i, app) in group.apps.iter().flatten().enumerate() {
        if app.id.is_none() {
            out.push(Violation::new(format!("{prefix}/apps/{i}/id"), "error.path.missing"));
        }
    }
    for (i, sub) in group.groups.iter().flatten().enumerate() {
        let path = format!("{prefix}/groups/{i}");
        if sub.id.is_none() {
            out.push(Violation::new(format!("{path}/id"), "error.path.missing"));
        }
        collect_missing_ids(sub, &path, out);
    }
}
