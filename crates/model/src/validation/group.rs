//! Group rules: every child sits directly under its group, ids are unique
//! among siblings, and every app is valid; and, read from a request body,
//! a rollback `version` or a `scaleBy` only alone, `enforceRole: true`
//! only on top-level groups, and no `enforceRole` change in a `PUT` that
//! also carries services.

use std::collections::HashSet;

use crate::error::Violations;
use crate::group::{Group, GroupUpdate};
use crate::path_id::PathId;

use super::validate_app;

/// Validates a group tree; paths are relative to the group document.
pub fn validate_group(group: &Group) -> Violations {
    let mut v = Violations::new();
    validate_into(group, &mut v);
    v
}

fn not_child(child: &impl std::fmt::Display, group: &impl std::fmt::Display) -> String {
    format!("identifier {child} is not child of {group}. Hint: use relative paths.")
}

fn validate_into(group: &Group, v: &mut Violations) {
    let mut seen = HashSet::new();
    for (i, app) in group.apps.iter().enumerate() {
        let path = format!("/apps/{i}");
        if !group.id.is_parent_of(&app.id) {
            v.add(&format!("{path}/id"), not_child(&app.id, &group.id));
        } else if !seen.insert(app.id.clone()) {
            v.add(&format!("{path}/id"), format!("duplicate id {}", app.id));
        }
        v.extend_at(&path, validate_app(app).into_vec());
    }
    for (i, sub) in group.groups.iter().enumerate() {
        let path = format!("/groups/{i}");
        if !group.id.is_parent_of(&sub.id) {
            v.add(&format!("{path}/id"), not_child(&sub.id, &group.id));
        } else if !seen.insert(sub.id.clone()) {
            v.add(&format!("{path}/id"), format!("duplicate id {}", sub.id));
        }
        v.nested(&path, |v| validate_into(sub, v));
    }
}

/// Marathon's rule for group bodies (`POST`/`PUT /v2/groups`): only a
/// top-level group (a child of the root) may ask for `enforceRole: true`,
/// `false` is accepted anywhere. `id` is where `update` lands; sub-groups
/// resolve against it as in conversion, which reports the ids that do not
/// resolve. Checked on the body, not on the merged group, so a setting
/// already stored is never held against a request that does not send it.
pub fn validate_enforce_role(update: &GroupUpdate, id: &PathId) -> Violations {
    let mut v = Violations::new();
    enforce_role_into(update, id, &mut v);
    v
}

fn enforce_role_into(update: &GroupUpdate, id: &PathId, v: &mut Violations) {
    if update.enforce_role == Some(true) && !PathId::root().is_parent_of(id) {
        v.add(
            "/enforceRole",
            format!("enforceRole can only be set for top-level groups, and {id} is not top-level"),
        );
    }
    for (i, sub) in update.groups.iter().flatten().enumerate() {
        if let Some(sub_id) = sub.id.as_deref().and_then(|raw| PathId::resolve(raw, id).ok()) {
            v.nested(&format!("/groups/{i}"), |v| enforce_role_into(sub, &sub_id, v));
        }
    }
}

/// Marathon's wording for a rollback `version` or a `scaleBy` sent beside
/// other fields (see [`validate_rollback_and_scale_alone`]).
pub const NOT_ALONE: &str = "not allowed in conjunction with other properties.";

/// Marathon's rule for group bodies (`POST`/`PUT /v2/groups`): a rollback
/// `version` and a `scaleBy` each ask for a whole operation of their own,
/// so either must be the only field of its group document, at every level
/// of the tree. `id` counts as a field (Marathon refuses
/// `{"id": "/prod", "scaleBy": 2}`), `null` does not; `pods` is not one of
/// Marathon's fields and is not counted. Both sent together are refused at
/// both paths. Judged on the body as sent, before anything is resolved.
pub fn validate_rollback_and_scale_alone(update: &GroupUpdate) -> Violations {
    let mut v = Violations::new();
    alone_into(update, &mut v);
    v
}

fn alone_into(update: &GroupUpdate, v: &mut Violations) {
    let sent = [
        update.id.is_some(),
        update.apps.is_some(),
        update.groups.is_some(),
        update.dependencies.is_some(),
        update.scale_by.is_some(),
        update.version.is_some(),
        update.enforce_role.is_some(),
    ];
    if sent.iter().filter(|s| **s).count() > 1 {
        if update.version.is_some() {
            v.add("/version", NOT_ALONE);
        }
        if update.scale_by.is_some() {
            v.add("/scaleBy", NOT_ALONE);
        }
    }
    for (i, sub) in update.groups.iter().flatten().enumerate() {
        v.nested(&format!("/groups/{i}"), |v| alone_into(sub, v));
    }
}

/// Marathon's wording for [`validate_enforce_role_kept`].
pub const ENFORCE_ROLE_CHANGED_WITH_SERVICES: &str =
    "enforceRole cannot be modified in a request that adds, \
     removes or modifies services; please make these changes in separate requests.";

/// Marathon's rule for `PUT /v2/groups/{id}`: a body that carries services
/// (`apps` anywhere in its tree, even empty, or a rollback `version` or a
/// `scaleBy`) may not change the `enforceRole` of a group that exists (in
/// Marathon the request's apps would be judged against the setting it
/// replaces). `id` is the group the URL names, `current` that group as it
/// is (`None` when the request creates it); groups the body creates are
/// free. Unlike Marathon, which checks only groups whose `id` the body
/// spells out, the URL's group counts whether or not the body names it.
///
/// Judged on what each existing group ends up with, absent meaning off: the
/// URL's group keeps its setting unless the body sends one, a sub-group the
/// body lists is replaced, so listing it without `enforceRole` turns it off
/// (as in Marathon, where the missing field reads as `false`). A rollback
/// or scale applies no setting, so there only a value sent counts.
pub fn validate_enforce_role_kept(update: &GroupUpdate, id: &PathId, current: Option<&Group>) -> Violations {
    let mut v = Violations::new();
    if carries_services(update) {
        let sent_only = update.version.is_some() || update.scale_by.is_some();
        if let (Some(current), Some(sent)) = (current, update.enforce_role) {
            if sent != current.enforce_role.unwrap_or(false) {
                v.add("/enforceRole", ENFORCE_ROLE_CHANGED_WITH_SERVICES);
            }
        }
        kept_in_sub_groups(update, id, current, sent_only, &mut v);
    }
    v
}

/// Marathon's `updateModifiesServices`: the body names apps somewhere, or
/// is a rollback or a scale.
fn carries_services(update: &GroupUpdate) -> bool {
    update.version.is_some()
        || update.scale_by.is_some()
        || update.apps.is_some()
        || update.groups.iter().flatten().any(carries_services)
}

fn kept_in_sub_groups(
    update: &GroupUpdate,
    id: &PathId,
    current: Option<&Group>,
    sent_only: bool,
    v: &mut Violations,
) {
    for (i, sub) in update.groups.iter().flatten().enumerate() {
        let Some(sub_id) = sub.id.as_deref().and_then(|raw| PathId::resolve(raw, id).ok()) else {
            continue;
        };
        let existing = current.and_then(|c| c.groups.iter().find(|g| g.id == sub_id));
        v.nested(&format!("/groups/{i}"), |v| {
            if let Some(existing) = existing {
                let after =
                    if sent_only { sub.enforce_role } else { Some(sub.enforce_role.unwrap_or(false)) };
                if after.is_some_and(|after| after != existing.enforce_role.unwrap_or(false)) {
                    v.add("/enforceRole", ENFORCE_ROLE_CHANGED_WITH_SERVICES);
                }
            }
            kept_in_sub_groups(sub, &sub_id, existing, sent_only, v);
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{validate_enforce_role_kept, ENFORCE_ROLE_CHANGED_WITH_SERVICES, NOT_ALONE};
    use crate::error::{ModelError, Violation};
    use crate::group::{Group, GroupUpdate};
    use crate::parse::{parse_group, parse_group_update};
    use crate::path_id::PathId;

    fn not_top_level(path: &str, id: &str) -> Violation {
        Violation::new(
            path,
            format!("enforceRole can only be set for top-level groups, and {id} is not top-level"),
        )
    }

    fn put(target: &str, body: &str) -> Result<Group, ModelError> {
        let current = Group::new(PathId::parse(target).unwrap());
        parse_group_update(body.as_bytes()).unwrap().apply_to(&current)
    }

    #[test]
    fn enforce_role_true_is_refused_below_the_top_level_at_every_depth() {
        let cases: [(&str, &str, Vec<Violation>); 9] = [
            ("/prod", r#"{"enforceRole":true}"#, vec![]),
            ("/prod/db", r#"{"enforceRole":false}"#, vec![]),
            ("/prod/db", r#"{"enforceRole":true}"#, vec![not_top_level("/enforceRole", "/prod/db")]),
            ("/", r#"{"enforceRole":true}"#, vec![not_top_level("/enforceRole", "/")]),
            ("/", r#"{"groups":[{"id":"prod","enforceRole":true}]}"#, vec![]),
            (
                "/prod",
                r#"{"groups":[{"id":"a"},{"id":"b","enforceRole":true,"groups":[{"id":"c","enforceRole":true}]}]}"#,
                vec![
                    not_top_level("/groups/1/enforceRole", "/prod/b"),
                    not_top_level("/groups/1/groups/0/enforceRole", "/prod/b/c"),
                ],
            ),
            ("/prod", r#"{"groups":[{"id":"/prod/x","enforceRole":false}]}"#, vec![]),
            (
                "/prod/db",
                r#"{"enforceRole":true,"groups":[{"id":"pg","enforceRole":true}]}"#,
                vec![
                    not_top_level("/enforceRole", "/prod/db"),
                    not_top_level("/groups/0/enforceRole", "/prod/db/pg"),
                ],
            ),
            ("/prod", r#"{"id":"/prod/db","enforceRole":true}"#, vec![]),
        ];
        for (target, body, want) in cases {
            let got = put(target, body).err().map(|e| e.violations().to_vec()).unwrap_or_default();
            assert_eq!(got, want, "PUT {target} {body}");
        }
    }

    #[test]
    fn a_new_group_may_enforce_its_role_only_at_the_top_level() {
        assert_eq!(parse_group(br#"{"id":"/prod","enforceRole":true}"#).unwrap().enforce_role, Some(true));
        let nested = parse_group(br#"{"id":"/prod","groups":[{"id":"db","enforceRole":true}]}"#);
        let refused = ModelError::Invalid(vec![not_top_level("/groups/0/enforceRole", "/prod/db")]);
        assert_eq!(nested.unwrap_err(), refused);
        let deep = parse_group_update(br#"{"id":"db","enforceRole":true}"#)
            .unwrap()
            .into_group(&PathId::parse("/prod").unwrap());
        assert_eq!(deep.unwrap_err(), ModelError::Invalid(vec![not_top_level("/enforceRole", "/prod/db")]));
    }

    /// `/prod` (enforcing) with `/prod/db`, and `/dev` (not enforcing).
    fn stored(id: &str) -> Group {
        let body = br#"{"id":"/","groups":[{"id":"prod","enforceRole":true,"groups":[{"id":"db"}]},
                        {"id":"dev","enforceRole":false}]}"#;
        let root = parse_group(body).unwrap();
        let mut found = vec![&root];
        while let Some(g) = found.pop() {
            if g.id == PathId::parse(id).unwrap() {
                return g.clone();
            }
            found.extend(&g.groups);
        }
        panic!("no group {id}")
    }

    /// Judged alone: some bodies below also break the rule that a
    /// rollback or a scale comes alone, which `parse_group_update` checks.
    fn kept(target: &str, body: &str, existing: bool) -> Vec<Violation> {
        let id = PathId::parse(target).unwrap();
        let current = existing.then(|| stored(target));
        let update: GroupUpdate = serde_json::from_str(body).unwrap();
        validate_enforce_role_kept(&update, &id, current.as_ref()).into_vec()
    }

    #[test]
    fn enforce_role_may_not_change_in_a_put_that_carries_services() {
        let changed = |path: &str| vec![Violation::new(path, ENFORCE_ROLE_CHANGED_WITH_SERVICES)];
        let app = r#"{"id":"web","cmd":"sleep 1"}"#;
        let cases: Vec<(&str, String, bool, Vec<Violation>)> = vec![
            ("/dev", format!(r#"{{"enforceRole":true,"apps":[{app}]}}"#), true, changed("/enforceRole")),
            ("/dev", r#"{"enforceRole":true,"apps":[]}"#.into(), true, changed("/enforceRole")),
            ("/dev", r#"{"enforceRole":true,"scaleBy":2}"#.into(), true, changed("/enforceRole")),
            (
                "/dev",
                r#"{"enforceRole":true,"version":"2020-01-01T00:00:00.000Z"}"#.into(),
                true,
                changed("/enforceRole"),
            ),
            (
                "/dev",
                format!(r#"{{"enforceRole":true,"groups":[{{"id":"a","apps":[{app}]}}]}}"#),
                true,
                changed("/enforceRole"),
            ),
            ("/prod", format!(r#"{{"enforceRole":false,"apps":[{app}]}}"#), true, changed("/enforceRole")),
            (
                "/",
                format!(r#"{{"groups":[{{"id":"prod","apps":[{app}]}},{{"id":"dev","enforceRole":true}}]}}"#),
                true,
                [changed("/groups/0/enforceRole"), changed("/groups/1/enforceRole")].concat(),
            ),
            ("/dev", r#"{"enforceRole":true}"#.into(), true, vec![]),
            ("/dev", r#"{"enforceRole":true,"groups":[{"id":"a"}]}"#.into(), true, vec![]),
            ("/dev", r#"{"enforceRole":true,"dependencies":[]}"#.into(), true, vec![]),
            ("/prod", format!(r#"{{"enforceRole":true,"apps":[{app}]}}"#), true, vec![]),
            ("/prod", format!(r#"{{"apps":[{app}]}}"#), true, vec![]),
            ("/prod", r#"{"scaleBy":2,"groups":[{"id":"db"}]}"#.into(), true, vec![]),
            ("/qa", format!(r#"{{"enforceRole":true,"apps":[{app}]}}"#), false, vec![]),
            (
                "/",
                format!(
                    r#"{{"groups":[{{"id":"prod","enforceRole":true,"apps":[{app}]}},{{"id":"new","enforceRole":true}}]}}"#
                ),
                true,
                vec![],
            ),
            (
                "/prod",
                format!(r#"{{"apps":[{app}],"groups":[{{"id":"db","enforceRole":false}}]}}"#),
                true,
                vec![],
            ),
        ];
        for (target, body, existing, want) in cases {
            assert_eq!(kept(target, &body, existing), want, "PUT {target} {body} (exists: {existing})");
        }
    }

    #[test]
    fn a_rollback_version_or_a_scale_by_must_be_the_only_field_of_its_group() {
        let alone = |paths: &[&str]| {
            ModelError::Invalid(paths.iter().map(|p| Violation::new(*p, NOT_ALONE)).collect())
        };
        let v = r#""version":"2015-09-25T15:13:48.343Z""#;
        let refused: Vec<(String, ModelError)> = vec![
            (format!(r#"{{"id":"/prod",{v}}}"#), alone(&["/version"])),
            (r#"{"scaleBy":2,"apps":[]}"#.into(), alone(&["/scaleBy"])),
            (r#"{"scaleBy":2,"dependencies":["/db"]}"#.into(), alone(&["/scaleBy"])),
            (r#"{"scaleBy":2,"enforceRole":false}"#.into(), alone(&["/scaleBy"])),
            (format!(r#"{{{v},"groups":[]}}"#), alone(&["/version"])),
            (format!(r#"{{{v},"scaleBy":2}}"#), alone(&["/version", "/scaleBy"])),
            (r#"{"groups":[{"id":"a","scaleBy":2}]}"#.into(), alone(&["/groups/0/scaleBy"])),
            (
                format!(r#"{{"groups":[{{"id":"a"}},{{"id":"b","groups":[{{"id":"c",{v}}}]}}]}}"#),
                alone(&["/groups/1/groups/0/version"]),
            ),
        ];
        for (body, want) in refused {
            assert_eq!(parse_group_update(body.as_bytes()).unwrap_err(), want, "{body}");
        }
        let accepted = [
            format!("{{{v}}}"),
            r#"{"scaleBy":2}"#.into(),
            r#"{"scaleBy":2,"apps":null,"id":null}"#.into(),
            r#"{"scaleBy":2,"pods":[]}"#.into(),
            r#"{"id":"/prod","apps":[],"groups":[{"id":"a"}]}"#.into(),
        ];
        for body in accepted {
            assert!(parse_group_update(body.as_bytes()).is_ok(), "{body}");
        }
        let posted = parse_group(br#"{"id":"/prod","scaleBy":2}"#).unwrap_err();
        assert_eq!(posted, alone(&["/scaleBy"]));
    }

    #[test]
    fn a_stored_setting_below_the_top_level_does_not_block_a_put_that_does_not_send_it() {
        let mut current = Group::new(PathId::parse("/prod/db").unwrap());
        current.enforce_role = Some(true);
        let update = parse_group_update(br#"{"dependencies":[]}"#).unwrap();
        assert_eq!(update.apply_to(&current).unwrap().enforce_role, Some(true));
    }
}
