//! Mesos `Offer` → scheduler [`Offer`], and back from what the matcher took
//! to the Mesos resources a `TaskInfo` must carry.
//!
//! The role of a resource is its reservation role (innermost entry of the
//! refinement stack, else the legacy `role`, else `*`), which is what
//! `acceptedResourceRoles` is matched against. Revocable and shared
//! resources and disks with a `disk` source (persistent volumes, mount
//! disks) are not offered to the core: dromos does not schedule on them.

use std::sync::Arc;

use dromos_mesos::v1;
use dromos_scheduler::{
    AgentInfo, Attribute, AttributeValue, Offer, OfferedAmount, OfferedResource, PortRange, ScalarKind,
    Timestamp,
};

use super::TranslateError;

/// The role of unreserved resources.
const UNRESERVED: &str = "*";

/// The scheduler's view of a Mesos offer at `now` (maintenance is decided
/// against `now`).
pub fn to_offer(offer: &v1::Offer, now: Timestamp) -> Offer {
    let fault_domain = offer.domain.as_ref().and_then(|d| d.fault_domain.as_ref());
    let agent = AgentInfo {
        agent_id: offer.agent_id.value.clone(),
        hostname: offer.hostname.clone(),
        region: fault_domain.map(|f| f.region.name.clone()),
        zone: fault_domain.map(|f| f.zone.name.clone()),
        attributes: offer.attributes.iter().filter_map(attribute).collect(),
    };
    let resources =
        offer.resources.iter().filter(|r| is_schedulable(r)).filter_map(offered_resource).collect();
    Offer {
        id: offer.id.value.clone(),
        agent: Arc::new(agent),
        resources,
        maintenance: offer.unavailability.as_ref().is_some_and(|u| in_maintenance(u, now)),
    }
}

/// The reservation role of a Mesos resource (`*` when unreserved).
pub fn resource_role(resource: &v1::Resource) -> &str {
    resource
        .reservations
        .last()
        .and_then(|r| r.role.as_deref())
        .or(resource.role.as_deref())
        .unwrap_or(UNRESERVED)
}

/// The Mesos resources for what the matcher took from `offer`: each taken
/// amount is a copy of the offered resource of the same name and role
/// (keeping its allocation and reservation info) with the amount replaced.
pub fn task_resources(
    offer: &v1::Offer,
    taken: &[OfferedResource],
    app_id: &str,
) -> Result<Vec<v1::Resource>, TranslateError> {
    taken
        .iter()
        .map(|t| {
            let name = match &t.amount {
                OfferedAmount::Scalar(kind, _) => kind.mesos_name(),
                OfferedAmount::Ports(_) => "ports",
            };
            let source = offer
                .resources
                .iter()
                .find(|r| r.name == name && resource_role(r) == t.role && is_schedulable(r))
                .ok_or_else(|| TranslateError::LaunchMismatch {
                    app_id: app_id.to_owned(),
                    detail: format!("offer {} has no {name} for role {}", offer.id, t.role),
                })?;
            let mut resource = source.clone();
            match &t.amount {
                OfferedAmount::Scalar(_, amount) => resource.scalar = Some(v1::Scalar { value: *amount }),
                OfferedAmount::Ports(ranges) => {
                    let range = ranges
                        .iter()
                        .map(|p| v1::Range { begin: u64::from(p.begin), end: u64::from(p.end) })
                        .collect();
                    resource.ranges = Some(v1::Ranges { range });
                }
            }
            Ok(resource)
        })
        .collect()
}

fn is_schedulable(resource: &v1::Resource) -> bool {
    resource.revocable.is_none() && resource.shared.is_none() && resource.disk.is_none()
}

fn offered_resource(resource: &v1::Resource) -> Option<OfferedResource> {
    let role = resource_role(resource).to_owned();
    let amount = match resource.name.as_str() {
        "cpus" => OfferedAmount::Scalar(ScalarKind::Cpus, resource.scalar_value()),
        "mem" => OfferedAmount::Scalar(ScalarKind::Mem, resource.scalar_value()),
        "disk" => OfferedAmount::Scalar(ScalarKind::Disk, resource.scalar_value()),
        "gpus" => OfferedAmount::Scalar(ScalarKind::Gpus, resource.scalar_value()),
        "ports" => OfferedAmount::Ports(port_ranges(resource.ranges.as_ref()?)),
        _ => return None,
    };
    Some(OfferedResource { role, amount })
}

/// Port ranges clamped to `u16` (ranges wholly above 65535 are dropped).
fn port_ranges(ranges: &v1::Ranges) -> Vec<PortRange> {
    ranges
        .range
        .iter()
        .filter_map(|r| {
            let begin = u16::try_from(r.begin).ok()?;
            let end = u16::try_from(r.end).unwrap_or(u16::MAX);
            Some(PortRange::new(begin, end))
        })
        .collect()
}

fn attribute(attribute: &v1::Attribute) -> Option<Attribute> {
    let value = match attribute.kind {
        v1::ValueType::Text => AttributeValue::Text(attribute.text.as_ref()?.value.clone()),
        v1::ValueType::Scalar => AttributeValue::Scalar(attribute.scalar?.value),
        v1::ValueType::Ranges => AttributeValue::Ranges(
            attribute.ranges.as_ref()?.range.iter().map(|r| (r.begin, r.end)).collect(),
        ),
        v1::ValueType::Set => AttributeValue::Set(attribute.set.as_ref()?.item.clone()),
        _ => return None,
    };
    Some(Attribute { name: attribute.name.clone(), value })
}

/// In maintenance once the window has started and until it ends (a window
/// without duration never ends).
fn in_maintenance(window: &v1::Unavailability, now: Timestamp) -> bool {
    let now_ns = i128::from(now.0) * 1_000_000;
    let start = i128::from(window.start.nanoseconds);
    let end = window.duration.map(|d| start + i128::from(d.nanoseconds));
    start <= now_ns && end.is_none_or(|e| now_ns < e)
}

#[cfg(test)]
#[path = "offer_tests.rs"]
mod tests;
