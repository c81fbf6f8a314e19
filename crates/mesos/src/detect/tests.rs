#![allow(clippy::unwrap_used)]

use super::{
    leader_address, leader_node, master_address, parse_master, DetectError, MasterAddress, MasterSpec,
    ZkCredentials, ZkServer, ZkUrl,
};

fn server(host: &str, port: u16) -> ZkServer {
    ZkServer { host: host.into(), port }
}

#[test]
fn zk_urls_parse_servers_credentials_and_path() {
    let cases = [
        ("zk://h1:2181,h2:2182/mesos", None, vec![server("h1", 2181), server("h2", 2182)], "/mesos"),
        ("zk://h1/mesos/", None, vec![server("h1", 2181)], "/mesos"),
        ("zk://h1:2181", None, vec![server("h1", 2181)], "/"),
        ("zk://[::1]:2181,[fe80::1]/a/b", None, vec![server("::1", 2181), server("fe80::1", 2181)], "/a/b"),
        (
            "zk://u:p@h1:2181/mesos",
            Some(ZkCredentials { user: "u".into(), password: "p".into() }),
            vec![server("h1", 2181)],
            "/mesos",
        ),
    ];
    for (spec, credentials, servers, path) in cases {
        let url = ZkUrl::parse(spec).unwrap();
        assert_eq!(url, ZkUrl { credentials, servers, path: path.into() }, "{spec}");
    }
    let url = ZkUrl::parse("zk://[::1]:2181,h2/mesos").unwrap();
    assert_eq!(url.connect_string(), "[::1]:2181,h2:2181");
    assert_eq!(url.child_path("json.info_0000000001"), "/mesos/json.info_0000000001");
}

#[test]
fn bad_zk_urls_are_rejected() {
    for spec in
        ["zk://", "zk://h1:notaport/mesos", "zk://h1,,h2/mesos", "zk://user@h1/mesos", "zk://[::1/mesos"]
    {
        assert!(matches!(ZkUrl::parse(spec), Err(DetectError::InvalidSpec(..))), "{spec}");
    }
}

#[test]
fn master_specs_accept_mesos_forms() {
    let http = |s: &str| MasterSpec::Http(s.parse().unwrap());
    let cases = [
        ("http://m1:5050", http("http://m1:5050/")),
        ("https://proxy/mesos", http("https://proxy/mesos")),
        ("m1:5050", http("http://m1:5050/")),
        ("master@10.0.0.1:5050", http("http://10.0.0.1:5050/")),
        ("m1", http("http://m1:5050/")),
        (" zk://h1/mesos ", MasterSpec::ZooKeeper(ZkUrl::parse("zk://h1/mesos").unwrap())),
    ];
    for (spec, expected) in cases {
        assert_eq!(parse_master(spec).unwrap(), expected, "{spec}");
    }
    for spec in ["file:///etc/mesos/zk", "", "m1:99999"] {
        assert!(parse_master(spec).is_err(), "{spec}");
    }
}

#[test]
fn leader_is_the_lowest_json_info_sequence() {
    let cases: [(&[&str], Option<&str>); 5] = [
        (&["json.info_0000000007", "json.info_0000000005", "log_replicas"], Some("json.info_0000000005")),
        (&["json.info_10", "json.info_9"], Some("json.info_9")),
        (&["info_0000000001", "json.info_0000000003"], Some("json.info_0000000003")),
        (&["log_replicas", "json.info_garbage"], None),
        (&[], None),
    ];
    for (children, expected) in cases {
        assert_eq!(leader_node(children), expected, "{children:?}");
    }
}

#[test]
fn master_address_prefers_address_ip_then_falls_back() {
    let addr = |host: &str, port| MasterAddress { host: host.into(), port };
    let cases = [
        (
            r#"{"address":{"hostname":"m1","ip":"10.0.0.1","port":5050},"hostname":"m1","id":"x","ip":16777226,"pid":"master@10.0.0.1:5050","port":5050,"version":"1.12.0","capabilities":[{"type":"AGENT_UPDATE"}]}"#,
            addr("10.0.0.1", 5050),
        ),
        (r#"{"address":{"hostname":"m2","port":5051},"id":"x","ip":1,"port":5050}"#, addr("m2", 5051)),
        (r#"{"hostname":"m3","id":"x","ip":1,"port":5052}"#, addr("m3", 5052)),
        (r#"{"id":"x","ip":16777343,"port":5050}"#, addr("127.0.0.1", 5050)),
    ];
    for (data, expected) in cases {
        assert_eq!(master_address(data.as_bytes()).unwrap(), expected, "{data}");
    }
    assert_eq!(addr("::1", 5050).url().unwrap().as_str(), "http://[::1]:5050/");
    for bad in [r#"{"id":"x"}"#, "not json", r#"{"address":{"ip":"h","port":70000}}"#] {
        assert!(matches!(master_address(bad.as_bytes()), Err(DetectError::BadMasterInfo(_))), "{bad}");
    }
}

#[test]
fn leader_address_reads_only_the_leader_node() {
    let children = ["json.info_0000000002", "json.info_0000000001"];
    let found = leader_address(&children, |node| {
        assert_eq!(node, "json.info_0000000001");
        Ok(br#"{"address":{"ip":"10.0.0.9","port":5050}}"#.to_vec())
    });
    assert_eq!(found.unwrap(), MasterAddress { host: "10.0.0.9".into(), port: 5050 });
    let none: [&str; 1] = ["log_replicas"];
    assert_eq!(leader_address(&none, |_| unreachable!()), Err(DetectError::NoLeader));
}
