//! Offers: the machine's resources, refusal filters, REVIVE/SUPPRESS, DRF
//! between frameworks, and logical agents.

use std::time::{Duration, Instant};

use dromos_mesos::v1::{CommandInfo, Event, Filters, Offer, TaskId, TaskState, ValueType};

use crate::support::{attributes, scalar, Harness};

#[tokio::test]
async fn subscribe_gets_subscribed_heartbeats_and_an_offer_of_the_whole_machine() {
    let harness = Harness::start_with(|c| c.machine = None).await;
    let mut fw = harness.framework("machine").await;
    let offers = fw.offers().await;
    assert_eq!(offers.len(), 1, "one agent, one offer");
    let offer = &offers[0];
    let cpus = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    assert_eq!(scalar(offer, "cpus"), cpus);
    assert!(scalar(offer, "mem") > 0.0 && scalar(offer, "disk") > 0.0);
    let ports = offer.resources.iter().find(|r| r.name == "ports").expect("ports are offered");
    assert_eq!(ports.kind, ValueType::Ranges);
    let range = &ports.ranges.as_ref().expect("ranges").range;
    assert_eq!((range[0].begin, range[0].end), (31000, 32000));
    assert_eq!(offer.framework_id, fw.id);
    assert!(offer.id.as_str().starts_with(harness.cluster.master_id()));
    assert!(offer.resources.iter().all(|r| r.role.as_deref() == Some("*")));

    let heartbeat =
        fw.wait_for(Duration::from_secs(3), |e| matches!(e, Event::Heartbeat).then_some(())).await;
    assert!(heartbeat.is_some(), "HEARTBEAT every heartbeat_interval");
}

#[tokio::test]
async fn declined_offers_come_back_after_refuse_seconds_or_at_revive() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("decliner").await;
    let offer = fw.offers().await.remove(0);
    let declined_at = Instant::now();
    fw.scheduler().decline(vec![offer.id], Some(Filters::refuse_seconds(1.5))).await.unwrap();
    assert!(fw.try_offers(Duration::from_millis(1000)).await.is_none(), "not re-offered while filtered");
    let again = fw.offers().await;
    assert!(
        declined_at.elapsed() >= Duration::from_millis(1400),
        "re-offered after {:?}",
        declined_at.elapsed()
    );

    fw.scheduler().decline(vec![again[0].id.clone()], Some(Filters::refuse_seconds(3600.0))).await.unwrap();
    assert!(fw.try_offers(Duration::from_millis(300)).await.is_none());
    fw.scheduler().revive(Vec::new()).await.unwrap();
    let revived = fw.try_offers(Duration::from_secs(2)).await;
    assert!(revived.is_some(), "REVIVE clears the filters");
}

#[tokio::test]
async fn suppressed_frameworks_get_no_offers_until_revive() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("suppressor").await;
    let offer = fw.offers().await.remove(0);
    fw.scheduler().suppress(Vec::new()).await.unwrap();
    fw.scheduler().decline(vec![offer.id], Some(Filters::refuse_seconds(0.0))).await.unwrap();
    assert!(fw.try_offers(Duration::from_millis(500)).await.is_none());
    fw.scheduler().revive(Vec::new()).await.unwrap();
    assert!(fw.try_offers(Duration::from_secs(2)).await.is_some());
}

#[tokio::test]
async fn freed_resources_go_to_the_framework_with_the_lower_dominant_share() {
    let harness = Harness::start_with(|c| c.agents = 2).await;
    let mut a = harness.framework("a").await;
    let offers = a.offers().await;
    assert_eq!(offers.len(), 2, "the only framework gets both agents");
    for (i, offer) in offers.iter().enumerate() {
        launch_whole(&a, offer, &format!("a-{i}")).await;
    }
    a.update("a-0", TaskState::Running).await;
    a.update("a-1", TaskState::Running).await;

    let mut b = harness.framework("b").await;
    assert!(b.try_offers(Duration::from_millis(300)).await.is_none(), "nothing is free");
    a.scheduler().kill(TaskId::new("a-0"), None).await.unwrap();
    a.update("a-0", TaskState::Killed).await;
    let offered = b.offers().await;
    assert_eq!(offered[0].agent_id, offers[0].agent_id, "B (share 0) wins over A (share 1/2)");
    assert!(a.try_offers(Duration::from_millis(300)).await.is_none());
}

/// Launches a task taking every resource of `offer`.
async fn launch_whole(fw: &crate::support::Framework, offer: &Offer, task_id: &str) {
    let mut task =
        crate::support::small_task(task_id, offer.agent_id.clone(), CommandInfo::shell("sleep 30"));
    task.resources = offer.resources.clone();
    let launch = dromos_mesos::v1::Operation::launch(vec![task]);
    fw.scheduler().accept(vec![offer.id.clone()], vec![launch], None).await.unwrap();
}

#[tokio::test]
async fn logical_agents_have_their_own_hostnames_attributes_and_port_slices() {
    let harness = Harness::start_with(|c| {
        c.agents = 3;
        c.hostname = "box".to_owned();
        c.attributes = attributes("rack:r1,r2,r3;zone:a");
    })
    .await;
    let mut fw = harness.framework("spread").await;
    let mut offers = fw.offers().await;
    offers.sort_by(|x, y| x.hostname.cmp(&y.hostname));
    let hosts: Vec<&str> = offers.iter().map(|o| o.hostname.as_str()).collect();
    assert_eq!(hosts, ["box-agent-1", "box-agent-2", "box-agent-3"]);
    for (i, offer) in offers.iter().enumerate() {
        let rack = offer.attributes.iter().find(|a| a.name == "rack").and_then(|a| a.text.clone());
        assert_eq!(rack.map(|t| t.value), Some(format!("r{}", i + 1)));
        assert!(offer.attributes.iter().any(|a| a.name == "zone"));
        assert!((scalar(offer, "cpus") - 4.0 / 3.0).abs() < 0.01);
    }
    let state = harness.get_json("/master/state").await;
    let slaves = state["slaves"].as_array().expect("slaves");
    assert_eq!(slaves.len(), 3);
    assert!(slaves.iter().all(|s| s["logical"] == true && s["physical_hostname"] == "box"));
    assert_eq!(slaves[1]["attributes"]["rack"], "r2");
}

#[tokio::test]
async fn offers_held_past_the_offer_timeout_are_rescinded_and_offered_again() {
    let harness = Harness::start_with(|c| c.offer_timeout = Some(Duration::from_millis(300))).await;
    let mut fw = harness.framework("hoarder").await;
    let offer = fw.offers().await.remove(0);
    let rescinded = fw
        .wait_for(Duration::from_secs(5), |e| match e {
            Event::Rescind { offer_id } => Some(offer_id.clone()),
            _ => None,
        })
        .await;
    assert_eq!(rescinded, Some(offer.id.clone()));
    let again = fw.offers().await.remove(0);
    assert_ne!(again.id, offer.id);
    let refused = fw.scheduler().decline(vec![offer.id], None).await;
    assert!(refused.is_ok(), "declining a rescinded offer is accepted and ignored, as in Mesos");
}
