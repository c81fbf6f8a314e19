//! Group rules: every child sits directly under its group, ids are unique
//! among siblings, and every app is valid; and, read from a request body,
//! `enforceRole: true` only on top-level groups.

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::error::{ModelError, Violation};
    use crate::group::Group;
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

    #[test]
    fn a_stored_setting_below_the_top_level_does_not_block_a_put_that_does_not_send_it() {
        let mut current = Group::new(PathId::parse("/prod/db").unwrap());
        current.enforce_role = Some(true);
        let update = parse_group_update(br#"{"dependencies":[]}"#).unwrap();
        assert_eq!(update.apply_to(&current).unwrap().enforce_role, Some(true));
    }
}
