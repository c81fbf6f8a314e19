//! Group rules: every child sits directly under its group, ids are unique
//! among siblings, and every app is valid.

use std::collections::HashSet;

use crate::error::Violations;
use crate::group::Group;

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
