//! Groups: a tree of apps and sub-groups sharing an id prefix and
//! dependencies (`/v2/groups`).
//!
//! [`GroupUpdate`] is the wire form (POST/PUT body, every field optional,
//! apps as raw [`AppUpdate`]s); [`Group`] is the normalized tree in which
//! every child id is absolute. Relative child ids are resolved against their
//! group, and a child must be a direct child of the group that lists it
//! (Marathon: "identifier /app is not child of /group. Hint: use relative
//! paths."). Pods are not supported by dromos: a non-empty `pods` is
//! rejected.

use serde::{Deserialize, Deserializer, Serialize};

use crate::app::AppDefinition;
use crate::error::{ModelError, Violations};
use crate::normalize::{build_into, Base};
use crate::path_id::PathId;
use crate::timestamp::Timestamp;
use crate::update::AppUpdate;

/// A normalized group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Absolute id; `/` for the root group.
    pub id: PathId,
    /// Apps directly in this group (`app.id.parent() == id`).
    pub apps: Vec<AppDefinition>,
    /// Sub-groups directly in this group.
    pub groups: Vec<Group>,
    /// Apps/groups everything in this group depends on (absolute ids).
    pub dependencies: Vec<PathId>,
    /// Version stamp, set by the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Timestamp>,
    /// Whether apps must use the group's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_role: Option<bool>,
}

impl Group {
    /// An empty group.
    pub fn new(id: PathId) -> Self {
        Group {
            id,
            apps: Vec::new(),
            groups: Vec::new(),
            dependencies: Vec::new(),
            version: None,
            enforce_role: None,
        }
    }

    /// Every rule the tree breaks (apps included), with pointers such as
    /// `/groups/0/apps/1/cpus`.
    pub fn validate(&self) -> Result<(), ModelError> {
        crate::validation::validate_group(self).into_result()
    }

    /// All apps of the tree, depth first.
    pub fn transitive_apps(&self) -> Vec<&AppDefinition> {
        let mut out: Vec<&AppDefinition> = self.apps.iter().collect();
        for g in &self.groups {
            out.extend(g.transitive_apps());
        }
        out
    }
}

/// What a `PUT /v2/groups/{id}` body asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupUpdateKind {
    /// Only `version` (it wins over everything else): roll back to it.
    Rollback(Timestamp),
    /// Only `scaleBy`: multiply every transitive instance count.
    ScaleBy(f64),
    /// A (partial) definition to merge.
    Definition,
}

/// Wire form of a group; see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)] // the fields are Group's, documented there
pub struct GroupUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<AppUpdate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupUpdate>>,
    /// Pods are not supported by dromos: must be absent or empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<String>>,
    /// Scale factor for every transitive app, ≥ 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_by: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforce_role: Option<bool>,
}

impl GroupUpdate {
    /// Rollback, scale, or definition (version wins, then scaleBy).
    pub fn kind(&self) -> GroupUpdateKind {
        match (&self.version, self.scale_by) {
            (Some(v), _) => GroupUpdateKind::Rollback(v.clone()),
            (None, Some(f)) => GroupUpdateKind::ScaleBy(f),
            (None, None) => GroupUpdateKind::Definition,
        }
    }

    /// A new group (`POST /v2/groups[/{base}]`): `id` resolved against
    /// `base` (absent = `base` itself), children against the group;
    /// validated.
    pub fn into_group(self, base: &PathId) -> Result<Group, ModelError> {
        let mut v = Violations::new();
        let group = convert_group(self, base, None, &mut v);
        v.extend_at("", crate::validation::validate_group(&group).into_vec());
        v.into_result().map(|()| group)
    }

    /// Merges into `current` (`PUT /v2/groups/{id}`): present `apps`,
    /// `groups`, `dependencies`, `enforceRole` replace, absent ones keep.
    /// Listed apps are complete definitions, not patches. The body's `id`
    /// is ignored (the URL names the group).
    pub fn apply_to(self, current: &Group) -> Result<Group, ModelError> {
        let mut v = Violations::new();
        let update = GroupUpdate { id: None, ..self };
        let group = convert_group(update, &current.id, Some(current), &mut v);
        v.extend_at("", crate::validation::validate_group(&group).into_vec());
        v.into_result().map(|()| group)
    }
}

fn convert_group(u: GroupUpdate, base: &PathId, current: Option<&Group>, v: &mut Violations) -> Group {
    let id = match &u.id {
        Some(raw) => PathId::resolve(raw, base).unwrap_or_else(|e| {
            v.add("/id", e.to_string());
            base.clone()
        }),
        None => base.clone(),
    };
    let mut group = current.cloned().unwrap_or_else(|| Group::new(id.clone()));
    group.id = id.clone();
    if u.pods.as_ref().is_some_and(|p| !p.is_empty()) {
        v.add("/pods", "pods are not supported by dromos");
    }
    if let Some(apps) = u.apps {
        group.apps = apps
            .into_iter()
            .enumerate()
            .map(|(i, app)| v.nested(&format!("/apps/{i}"), |v| convert_child_app(app, &id, v)))
            .collect();
    }
    if let Some(groups) = u.groups {
        group.groups = groups
            .into_iter()
            .enumerate()
            .map(|(i, g)| v.nested(&format!("/groups/{i}"), |v| convert_child_group(g, &id, v)))
            .collect();
    }
    if let Some(deps) = u.dependencies {
        let parent = id.parent();
        group.dependencies = deps
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                PathId::resolve(d, &parent)
                    .map_err(|e| v.add(&format!("/dependencies/{i}"), e.to_string()))
                    .ok()
            })
            .collect();
    }
    if u.version.is_some() {
        group.version = u.version;
    }
    if u.enforce_role.is_some() {
        group.enforce_role = u.enforce_role;
    }
    group
}

/// Apps are converted only; `validate_group` validates them once.
fn convert_child_app(app: AppUpdate, group: &PathId, v: &mut Violations) -> AppDefinition {
    let raw_id = app.id.clone().unwrap_or_else(|| {
        v.add("/id", "error.path.missing");
        "invalid-id".to_string()
    });
    build_into(app, Base::New { raw_id, group }, v, false)
}

fn convert_child_group(g: GroupUpdate, parent: &PathId, v: &mut Violations) -> Group {
    if g.id.is_none() {
        v.add("/id", "error.path.missing");
    }
    let id_hint = g.id.clone().unwrap_or_else(|| "invalid-id".to_string());
    convert_group(GroupUpdate { id: Some(id_hint), ..g }, parent, None, v)
}

/// Reads a stored/serialized group: same conversion as parsing, without
/// validation (see [`AppDefinition`]'s `Deserialize`).
impl<'de> Deserialize<'de> for Group {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let update = GroupUpdate::deserialize(deserializer)?;
        let mut v = Violations::new();
        let group = convert_group(update, &PathId::root(), None, &mut v);
        match v.into_result() {
            Ok(()) => Ok(group),
            Err(e) => Err(serde::de::Error::custom(
                e.violations()
                    .iter()
                    .map(|x| format!("{}: {}", x.path, x.errors.join("; ")))
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }
}
