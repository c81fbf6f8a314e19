//! `/master/state`, `/master/state-summary`, `/metrics/snapshot`, `/version`
//! in Mesos' shapes, at the root and under `/mesos`.

use dromos_mesos::v1::{CommandInfo, TaskState};

use crate::support::Harness;

#[tokio::test]
async fn master_state_lists_agents_frameworks_and_tasks_in_mesos_shape() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("stateful").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "web.1", CommandInfo::shell("sleep 30")).await;
    fw.update("web.1", TaskState::Running).await;

    for path in ["/master/state", "/state", "/mesos/master/state"] {
        let state = harness.get_json(path).await;
        assert_eq!(state["id"], harness.cluster.master_id(), "{path}");
        assert_eq!(state["activated_slaves"], 1);
        let slave = &state["slaves"][0];
        assert_eq!(slave["id"], offer.agent_id.as_str());
        assert_eq!(slave["resources"]["cpus"], 4.0);
        assert_eq!(slave["resources"]["mem"], 4096.0);
        assert_eq!(slave["resources"]["gpus"], 0.0);
        assert_eq!(slave["resources"]["ports"], "[31000-32000]");
        assert_eq!(slave["used_resources"]["cpus"], 0.1);
        assert!(slave["attributes"].is_object());
        let framework = &state["frameworks"][0];
        assert_eq!(framework["id"], fw.id.as_str());
        assert_eq!(framework["name"], "stateful");
        assert_eq!(framework["active"], true);
        let task = &framework["tasks"][0];
        assert_eq!(task["id"], "web.1");
        assert_eq!(task["state"], "TASK_RUNNING");
        assert_eq!(task["slave_id"], offer.agent_id.as_str());
        assert_eq!(task["resources"]["mem"], 32.0);
        let states: Vec<&str> =
            task["statuses"].as_array().unwrap().iter().filter_map(|s| s["state"].as_str()).collect();
        assert_eq!(states, ["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING"]);
    }

    let summary = harness.get_json("/master/state-summary").await;
    assert_eq!(summary["slaves"][0]["TASK_RUNNING"], 1);
    assert_eq!(summary["frameworks"][0]["TASK_RUNNING"], 1);
}

#[tokio::test]
async fn metrics_snapshot_counts_tasks_and_resources() {
    let harness = Harness::start().await;
    let mut fw = harness.framework("metrics").await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "long", CommandInfo::shell("sleep 30")).await;
    fw.update("long", TaskState::Running).await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "bad", CommandInfo::shell("exit 1")).await;
    fw.update("bad", TaskState::Failed).await;
    let offer = fw.offers().await.remove(0);
    fw.launch(&offer, "ok", CommandInfo::shell("true")).await;
    fw.update("ok", TaskState::Finished).await;

    for path in ["/metrics/snapshot", "/mesos/metrics/snapshot"] {
        let m = harness.get_json(path).await;
        let cases = [
            ("master/tasks_running", 1.0),
            ("master/tasks_finished", 1.0),
            ("master/tasks_failed", 1.0),
            ("master/tasks_killed", 0.0),
            ("master/cpus_total", 4.0),
            ("master/cpus_used", 0.1),
            ("master/mem_total", 4096.0),
            ("master/mem_used", 32.0),
            ("master/disk_total", 10000.0),
            ("master/slaves_active", 1.0),
            ("master/frameworks_active", 1.0),
            ("master/elected", 1.0),
        ];
        for (key, expected) in cases {
            let value = m[key].as_f64().unwrap_or_else(|| panic!("{path}: {key} missing"));
            assert!((value - expected).abs() < 1e-9, "{path}: {key} = {value}, expected {expected}");
        }
        assert!(m["master/uptime_secs"].as_f64().is_some());
    }
}

#[tokio::test]
async fn version_reports_the_mesos_api_level() {
    let harness = Harness::start().await;
    for path in ["/version", "/mesos/version"] {
        let version = harness.get_json(path).await;
        assert_eq!(version["version"], dromos_local::MESOS_VERSION, "{path}");
    }
}
