//! Every file of `shared/spec/marathon/examples/` posted through the API:
//! accepted and read back equal to the parsed definition (service ports
//! assigned from 10000–20000 where the file had 0), or refused with 422 at
//! exactly the expected paths. Skipped with a message when absent.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use dromos_model::{parse_app, parse_apps, parse_group, AppDefinition};
use server::service::ports::{service_ports, SERVICE_PORT_MAX, SERVICE_PORT_MIN};
use tempfile::tempdir;

use super::support::{examples_dir, Api};

#[derive(Clone, Copy)]
enum Kind {
    App,
    Apps,
    Group,
    /// A group with id `/`: `PUT /v2/groups` without the `version` of any
    /// of its groups (which asks for a rollback and must come alone, as in
    /// Marathon), since the root always exists and `POST` answers 409, as
    /// in Marathon.
    RootGroup,
}

/// (file, how it is posted, refused paths; empty = accepted). The reasons
/// are the model's (see crates/model/tests/examples.rs): cmd+args,
/// IP-per-task, persistent/external volumes, docker image on MESOS.
const TABLE: &[(&str, Kind, &[&str])] = &[
    ("articles__app-simple.json", Kind::App, &[]),
    ("rest-api-examples__app-check-http-example.json", Kind::App, &[]),
    ("rest-api-examples__app.json", Kind::App, &["/", "/env/PASSWORD", "/ipAddress", "/portDefinitions"]),
    ("rest-api-examples__apps_create.json", Kind::Apps, &[]),
    ("rest-api-examples__group.json", Kind::RootGroup, &[]),
    ("system-tests-apps__docker-http-server.json", Kind::App, &[]),
    (
        "system-tests-apps__external-volume-mesos-app.json",
        Kind::App,
        &["/container/volumes", "/container/volumes/0/external"],
    ),
    ("system-tests-apps__fake-framework.json", Kind::App, &[]),
    ("system-tests-apps__http-server.json", Kind::App, &[]),
    ("system-tests-apps__large-sleep.json", Kind::App, &[]),
    ("system-tests-apps__mesos-app.json", Kind::App, &[]),
    (
        "system-tests-apps__persistent-volume-app.json",
        Kind::App,
        &["/container/volumes", "/container/volumes/0/persistent"],
    ),
    ("system-tests-apps__pinger-container-app.json", Kind::App, &["/ipAddress"]),
    ("system-tests-apps__pinger-localhost-app.json", Kind::App, &[]),
    ("system-tests-apps__private-docker-app.json", Kind::App, &[]),
    ("system-tests-apps__sleep-app.json", Kind::App, &[]),
    ("system-tests-apps__ucr-docker-http-server.json", Kind::App, &["/container/type"]),
    ("system-tests-groups__sleep-group.json", Kind::Group, &[]),
];

/// `expected` with its zero service ports replaced by what the server
/// assigned, after checking those are in range and distinct.
fn with_assigned_ports(
    mut expected: AppDefinition,
    got: &AppDefinition,
    used: &mut BTreeSet<i32>,
) -> AppDefinition {
    let want = service_ports(&expected);
    let have = service_ports(got);
    assert_eq!(want.len(), have.len(), "{}: port count", expected.id);
    for (w, h) in want.iter().zip(&have) {
        if *w == 0 {
            assert!(
                (i32::from(SERVICE_PORT_MIN)..=i32::from(SERVICE_PORT_MAX)).contains(h),
                "{}: {h}",
                expected.id
            );
            assert!(used.insert(*h), "{}: service port {h} handed out twice", expected.id);
        } else {
            assert_eq!(w, h, "{}: explicit ports are kept", expected.id);
        }
    }
    if expected.is_host_networking() {
        for (d, h) in expected.port_definitions.iter_mut().zip(&have) {
            d.port = *h;
        }
    } else if let Some(maps) = expected.container.as_mut().and_then(|c| c.port_mappings.as_mut()) {
        for (m, h) in maps.iter_mut().zip(&have) {
            m.service_port = *h;
        }
    }
    expected
}

async fn read_back(api: &Api, expected: Vec<AppDefinition>, file: &str) {
    let mut used = BTreeSet::new();
    for want in expected {
        let reply = api.get(&format!("/v2/apps{}", want.id)).await;
        assert_eq!(reply.status, StatusCode::OK, "{file}: GET {}", want.id);
        let mut got = parse_app(reply.json["app"].to_string().as_bytes()).expect("served app parses");
        assert!(got.version.is_some() && got.version_info.is_some(), "{file}: stamped");
        got.version = None;
        got.version_info = None;
        let mut want = want;
        want.version = None;
        want.version_info = None;
        let want = with_assigned_ports(want, &got, &mut used);
        assert_eq!(got, want, "{file}: {} read back differs", want.id);
    }
}

/// A group body without the `version` of any group in it.
fn without_versions(body: &str) -> String {
    fn strip(group: &mut serde_json::Value) {
        let object = group.as_object_mut().expect("a group object");
        object.remove("version");
        for sub in object.get_mut("groups").and_then(|g| g.as_array_mut()).into_iter().flatten() {
            strip(sub);
        }
    }
    let mut group: serde_json::Value = serde_json::from_str(body).expect("a JSON example");
    strip(&mut group);
    group.to_string()
}

#[tokio::test]
async fn every_marathon_example_is_accepted_and_read_back_or_refused_with_its_reasons() {
    let Some(dir) = examples_dir() else {
        println!("SKIPPED: shared/spec/marathon/examples is absent");
        return;
    };
    for (file, kind, refused) in TABLE {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            println!("SKIPPED: {file} not present");
            continue;
        };
        let body = String::from_utf8(bytes.clone()).expect("utf-8 example");
        let tmp = tempdir().unwrap();
        let api = Api::open(tmp.path());
        let reply = match kind {
            Kind::App => api.post("/v2/apps", &body).await,
            Kind::Apps => api.put("/v2/apps?partialUpdate=false", &body).await,
            Kind::Group => api.post("/v2/groups", &body).await,
            Kind::RootGroup => api.put("/v2/groups", &without_versions(&body)).await,
        };
        if !refused.is_empty() {
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}: {}", reply.json);
            assert_eq!(reply.json["message"], "Object is not valid", "{file}");
            let paths: BTreeSet<&str> = reply.json["details"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["path"].as_str().unwrap())
                .collect();
            assert_eq!(paths, refused.iter().copied().collect(), "{file}");
            continue;
        }
        let expected = match kind {
            Kind::App => vec![parse_app(&bytes).unwrap()],
            Kind::Apps => parse_apps(&bytes).unwrap(),
            Kind::Group => parse_group(&bytes).unwrap().transitive_apps().into_iter().cloned().collect(),
            Kind::RootGroup => parse_group(without_versions(&body).as_bytes())
                .unwrap()
                .transitive_apps()
                .into_iter()
                .cloned()
                .collect(),
        };
        let want_status =
            if matches!(kind, Kind::Apps | Kind::RootGroup) { StatusCode::OK } else { StatusCode::CREATED };
        assert_eq!(reply.status, want_status, "{file}: {}", reply.json);
        assert!(reply.header("marathon-deployment-id").is_some(), "{file}: deployment header");
        read_back(&api, expected, file).await;
    }
}
