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
//!
//! [`GroupPartialUpdate`] is the body of `PATCH /v2/groups/{id}`: settings
//! of a top-level group that change without a deployment (today only
//! `enforceRole`). Any other field is refused by name rather than ignored,
//! so a caller who meant `PUT` learns it.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::app::AppDefinition;
use crate::error::{pointer_token, ModelError, Violations};
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
    /// Only `version`: roll back to it.
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
    /// Rollback, scale, or definition. The parsers refuse a `version` or a
    /// `scaleBy` beside any other field, so whichever is set is alone.
    pub fn kind(&self) -> GroupUpdateKind {
        match (&self.version, self.scale_by) {
            (Some(v), _) => GroupUpdateKind::Rollback(v.clone()),
            (None, Some(f)) => GroupUpdateKind::ScaleBy(f),
            (None, None) => GroupUpdateKind::Definition,
        }
    }

    /// A new group (`POST /v2/groups[/{base}]`): `id` resolved against
    /// `base` (absent = `base` itself), children against the group;
    /// validated, `enforceRole: true` only on top-level groups.
    pub fn into_group(self, base: &PathId) -> Result<Group, ModelError> {
        let id = self.id.as_deref().and_then(|raw| PathId::resolve(raw, base).ok());
        let role = crate::validation::validate_enforce_role(&self, id.as_ref().unwrap_or(base));
        let mut v = Violations::new();
        let group = convert_group(self, base, None, &mut v);
        v.extend_at("", role.into_vec());
        v.extend_at("", crate::validation::validate_group(&group).into_vec());
        v.into_result().map(|()| group)
    }

    /// Merges into `current` (`PUT /v2/groups/{id}`): present `apps`,
    /// `groups`, `dependencies`, `enforceRole` replace, absent ones keep.
    /// Listed apps are complete definitions, not patches. The body's `id`
    /// is ignored (the URL names the group). As in Marathon, the body may
    /// set `enforceRole: true` only where it lands on a top-level group.
    pub fn apply_to(self, current: &Group) -> Result<Group, ModelError> {
        let mut v = Violations::new();
        let update = GroupUpdate { id: None, ..self };
        let role = crate::validation::validate_enforce_role(&update, &current.id);
        let group = convert_group(update, &current.id, Some(current), &mut v);
        v.extend_at("", role.into_vec());
        v.extend_at("", crate::validation::validate_group(&group).into_vec());
        v.into_result().map(|()| group)
    }
}

/// Body of `PATCH /v2/groups/{id}` (Marathon's `GroupPartialUpdate`),
/// from [`crate::parse::parse_group_partial_update`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupPartialUpdate {
    /// `enforceRole` as sent; absent or `null` means the default, see
    /// [`GroupPartialUpdate::effective_enforce_role`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enforce_role: Option<bool>,
}

impl GroupPartialUpdate {
    /// The `enforceRole` the group gets. Absent means `false`, as in
    /// Marathon with its default `--new_group_enforce_role=off` (the only
    /// behaviour dromos has): a patch always sets the field.
    pub fn effective_enforce_role(&self) -> bool {
        self.enforce_role.unwrap_or(false)
    }
}

/// Fields of a [`GroupUpdate`] that only `PUT` may change.
const PUT_ONLY_FIELDS: [&str; 7] = ["id", "apps", "groups", "pods", "dependencies", "scaleBy", "version"];

/// The decoded `PATCH` body before its fields are checked: `enforceRole`
/// must be a boolean or `null` (else 400); any other top-level field is
/// collected by name, its value skipped.
#[derive(Debug, Default)]
pub(crate) struct PartialUpdateBody {
    enforce_role: Option<bool>,
    /// Other top-level fields, in order, each once.
    other_fields: Vec<String>,
}

impl PartialUpdateBody {
    /// The update, or a 422 naming every field other than `enforceRole`.
    pub(crate) fn into_update(self) -> Result<GroupPartialUpdate, ModelError> {
        let mut v = Violations::new();
        for field in &self.other_fields {
            let path = format!("/{}", pointer_token(field));
            if PUT_ONLY_FIELDS.contains(&field.as_str()) {
                v.add(&path, "cannot be changed by PATCH (only enforceRole can); use PUT /v2/groups/{id}");
            } else {
                v.add(&path, "unknown field");
            }
        }
        v.into_result().map(|()| GroupPartialUpdate { enforce_role: self.enforce_role })
    }
}

struct PartialUpdateVisitor;

impl<'de> Visitor<'de> for PartialUpdateVisitor {
    type Value = PartialUpdateBody;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartialUpdateBody, A::Error> {
        let mut body = PartialUpdateBody::default();
        let mut seen_enforce_role = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "enforceRole" {
                if seen_enforce_role {
                    return Err(de::Error::duplicate_field("enforceRole"));
                }
                seen_enforce_role = true;
                body.enforce_role = map.next_value::<Option<bool>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
                if !body.other_fields.contains(&key) {
                    body.other_fields.push(key);
                }
            }
        }
        Ok(body)
    }
}

impl<'de> Deserialize<'de> for PartialUpdateBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PartialUpdateVisitor)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::GroupPartialUpdate;
    use crate::error::{ModelError, Violation};
    use crate::parse::parse_group_partial_update;

    fn invalid_json(path: &str, error: &str) -> ModelError {
        ModelError::InvalidJson(vec![Violation::new(path, error)])
    }

    #[test]
    fn partial_update_reads_enforce_role_and_defaults_to_false() {
        let cases: [(&[u8], Option<bool>, bool); 5] = [
            (br#"{"enforceRole":true}"#, Some(true), true),
            (br#"{"enforceRole":false}"#, Some(false), false),
            (br#"{"enforceRole":null}"#, None, false),
            (b"{}", None, false),
            (b" { } ", None, false),
        ];
        for (body, sent, effective) in cases {
            let update = parse_group_partial_update(body).unwrap();
            assert_eq!(
                update,
                GroupPartialUpdate { enforce_role: sent },
                "{}",
                String::from_utf8_lossy(body)
            );
            assert_eq!(update.effective_enforce_role(), effective);
        }
    }

    #[test]
    fn partial_update_refuses_every_other_field_by_name() {
        let put_only = "cannot be changed by PATCH (only enforceRole can); use PUT /v2/groups/{id}";
        let body = br#"{"id":"/x","enforceRole":true,"apps":[{"id":"a"}],"groups":[],"pods":[],
            "dependencies":["/y"],"scaleBy":2,"version":"2020-01-01T00:00:00Z","enforceRol":true,"a/b":1,"apps":[]}"#;
        let err = parse_group_partial_update(body).unwrap_err();
        let want: Vec<Violation> =
            ["/id", "/apps", "/groups", "/pods", "/dependencies", "/scaleBy", "/version"]
                .iter()
                .map(|p| Violation::new(*p, put_only))
                .chain([
                    Violation::new("/enforceRol", "unknown field"),
                    Violation::new("/a~1b", "unknown field"),
                ])
                .collect();
        assert_eq!(err, ModelError::Invalid(want));
    }

    #[test]
    fn partial_update_malformed_bodies_are_invalid_json_at_their_place() {
        let cases: [(&[u8], ModelError); 8] = [
            (br#"{"enforceRole":"yes"}"#, invalid_json("/enforceRole", "error.expected.jsboolean")),
            (br#"{"enforceRole":1}"#, invalid_json("/enforceRole", "error.expected.jsboolean")),
            (br#"{"enforceRole":true,"enforceRole":false}"#, invalid_json("/enforceRole", "duplicate field")),
            (b"[]", invalid_json("/", "error.expected.jsobject")),
            (b"true", invalid_json("/", "error.expected.jsobject")),
            (b"null", invalid_json("/", "error.expected.jsobject")),
            (b"", invalid_json("/", "EOF while parsing a value at line 1 column 0")),
            (b"{\"enforceRole\":true} x", invalid_json("/", "trailing characters at line 1 column 22")),
        ];
        for (body, want) in cases {
            assert_eq!(
                parse_group_partial_update(body).unwrap_err(),
                want,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn partial_update_skips_deep_values_of_refused_fields_without_recursing() {
        let deep = format!(r#"{{"apps":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_group_partial_update(deep.as_bytes()).unwrap_err();
        assert!(matches!(&err, ModelError::Invalid(v) if v.len() == 1 && v[0].path == "/apps"), "{err:?}");
    }
}
