//! Tests of Mesos offer translation.

use dromos_mesos::v1;
use dromos_scheduler::{AttributeValue, OfferedAmount, OfferedResource, PortRange, ScalarKind, Timestamp};
use serde_json::json;

use super::{task_resources, to_offer};

fn mesos_offer() -> v1::Offer {
    serde_json::from_value(json!({
        "id": {"value": "O1"}, "framework_id": {"value": "F"}, "agent_id": {"value": "S1"},
        "hostname": "agent-1",
        "domain": {"fault_domain": {"region": {"name": "eu"}, "zone": {"name": "eu-1a"}}},
        "resources": [
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 4.0}, "role": "*", "allocation_info": {"role": "dromos"}},
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 2.0},
             "reservations": [{"type": "STATIC", "role": "prod"}], "allocation_info": {"role": "prod"}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": 1024.0}},
            {"name": "disk", "type": "SCALAR", "scalar": {"value": 5000.0}},
            {"name": "disk", "type": "SCALAR", "scalar": {"value": 100.0}, "disk": {"persistence": {"id": "v"}}},
            {"name": "gpus", "type": "SCALAR", "scalar": {"value": 1.0}},
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 8.0}, "revocable": {}},
            {"name": "ports", "type": "RANGES", "ranges": {"range": [{"begin": 31000, "end": 31009}, {"begin": 70000, "end": 70001}]}}
        ],
        "attributes": [
            {"name": "rack", "type": "TEXT", "text": {"value": "r1"}},
            {"name": "weight", "type": "SCALAR", "scalar": {"value": 0.5}},
            {"name": "slots", "type": "RANGES", "ranges": {"range": [{"begin": 1, "end": 2}]}},
            {"name": "tags", "type": "SET", "set": {"item": ["a", "b"]}}
        ]
    }))
    .expect("offer json")
}

#[test]
fn offers_carry_agent_domain_attributes_and_schedulable_resources() {
    let offer = to_offer(&mesos_offer(), Timestamp(0));
    assert_eq!(offer.id, "O1");
    assert_eq!((offer.agent.agent_id.as_str(), offer.agent.hostname.as_str()), ("S1", "agent-1"));
    assert_eq!((offer.agent.region.as_deref(), offer.agent.zone.as_deref()), (Some("eu"), Some("eu-1a")));
    let attrs: Vec<(&str, &AttributeValue)> =
        offer.agent.attributes.iter().map(|a| (a.name.as_str(), &a.value)).collect();
    assert_eq!(
        attrs,
        [
            ("rack", &AttributeValue::Text("r1".into())),
            ("weight", &AttributeValue::Scalar(0.5)),
            ("slots", &AttributeValue::Ranges(vec![(1, 2)])),
            ("tags", &AttributeValue::Set(vec!["a".into(), "b".into()])),
        ]
    );
    let scalar =
        |role: &str, kind, v| OfferedResource { role: role.into(), amount: OfferedAmount::Scalar(kind, v) };
    assert_eq!(
        offer.resources,
        [
            scalar("*", ScalarKind::Cpus, 4.0),
            scalar("prod", ScalarKind::Cpus, 2.0),
            scalar("*", ScalarKind::Mem, 1024.0),
            scalar("*", ScalarKind::Disk, 5000.0),
            scalar("*", ScalarKind::Gpus, 1.0),
            OfferedResource {
                role: "*".into(),
                amount: OfferedAmount::Ports(vec![PortRange::new(31000, 31009)])
            },
        ]
    );
    assert!(!offer.maintenance);
}

#[test]
fn unavailability_means_maintenance_only_while_the_window_is_open() {
    let second = 1_000_000_000_i64;
    let cases = [
        (100 * second, None, 50_000, false),
        (100 * second, None, 100_000, true),
        (100 * second, Some(10 * second), 105_000, true),
        (100 * second, Some(10 * second), 110_000, false),
    ];
    for (start, duration, now_ms, want) in cases {
        let mut offer = mesos_offer();
        offer.unavailability = Some(v1::Unavailability {
            start: v1::TimeInfo { nanoseconds: start },
            duration: duration.map(|nanoseconds| v1::DurationInfo { nanoseconds }),
        });
        assert_eq!(to_offer(&offer, Timestamp(now_ms)).maintenance, want, "now={now_ms}");
    }
}

#[test]
fn task_resources_copy_the_offered_role_and_allocation() {
    let taken = [
        OfferedResource { role: "prod".into(), amount: OfferedAmount::Scalar(ScalarKind::Cpus, 0.5) },
        OfferedResource { role: "*".into(), amount: OfferedAmount::Scalar(ScalarKind::Mem, 128.0) },
        OfferedResource {
            role: "*".into(),
            amount: OfferedAmount::Ports(vec![PortRange::new(31000, 31000)]),
        },
    ];
    let resources = task_resources(&mesos_offer(), &taken, "/a").expect("fits");
    let cpus = &resources[0];
    assert_eq!(cpus.scalar_value(), 0.5);
    assert_eq!(cpus.reservations[0].role.as_deref(), Some("prod"));
    assert_eq!(cpus.allocation_info.as_ref().and_then(|a| a.role.as_deref()), Some("prod"));
    assert_eq!(resources[1].scalar_value(), 128.0);
    assert_eq!(resources[2].ranges.as_ref().expect("ranges").range, [v1::Range { begin: 31000, end: 31000 }]);
    let missing =
        [OfferedResource { role: "other".into(), amount: OfferedAmount::Scalar(ScalarKind::Mem, 1.0) }];
    assert!(task_resources(&mesos_offer(), &missing, "/a").is_err());
}
