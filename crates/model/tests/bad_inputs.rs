//! A catalogue of bad inputs, each asserting the exact outcome: error kind
//! (400 `InvalidJson` / 422 `Invalid`) and the one violation (path,
//! message) it must produce. Inputs are valid except for one defect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use dromos_model::{parse_app, parse_apps, parse_group, parse_group_update, ModelError, Violation};

#[derive(Debug, Clone, Copy, PartialEq)]
enum K {
    Json,
    Invalid,
}

#[derive(Clone, Copy)]
enum Doc {
    App,
    Apps,
    Group,
    GroupUpdate,
}

const NOT_ALONE: &str = "not allowed in conjunction with other properties.";
const CMD_ARGS: &str = "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.";
const PORT_INDEX: &str =
    "Health check port indices must address an element of the ports array or container port mappings.";
const ID_PATTERN: &str = r"must fully match regular expression '^(([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9\-]*[a-z0-9])|(\.|\.\.)$'";

/// `{"id":"/a","cmd":"sleep 1", <extra>}`
fn app(extra: &str) -> Vec<u8> {
    let sep = if extra.is_empty() { "" } else { "," };
    format!(r#"{{"id":"/a","cmd":"sleep 1"{sep}{extra}}}"#).into_bytes()
}

fn docker(extra: &str) -> Vec<u8> {
    let sep = if extra.is_empty() { "" } else { "," };
    format!(
        r#"{{"id":"/a","networks":[{{"mode":"container/bridge"}}],"container":{{"type":"DOCKER","docker":{{"image":"nginx"}}{sep}{extra}}}}}"#
    )
    .into_bytes()
}

fn deep(field: &str) -> Vec<u8> {
    let n = 100_000;
    format!(r#"{{"id":"/a","cmd":"x","{field}":{}{}}}"#, "[".repeat(n), "]".repeat(n)).into_bytes()
}

/// (case name, document kind, body, error kind, path, message)
type Case = (&'static str, Doc, Vec<u8>, K, &'static str, String);

fn catalogue() -> Vec<Case> {
    use Doc::*;
    use K::*;
    let s = |m: &str| m.to_string();
    vec![
        ("truncated json", App, b"{\"id\":".to_vec(), Json, "/id", s("EOF while parsing a value at line 1 column 6")),
        ("empty body", App, b"".to_vec(), Json, "/", s("EOF while parsing a value at line 1 column 0")),
        ("trailing garbage", App, app("").into_iter().chain(*b" x").collect(), Json, "/", s("trailing characters at line 1 column 29")),
        ("non utf8 bytes", App, b"{\"id\":\"/a\xff\"}".to_vec(), Json, "/", s("error.expected.utf8: invalid UTF-8 at byte 9")),
        ("array instead of app", App, b"[]".to_vec(), Json, "/", s("error.expected.jsobject")),
        ("object instead of app list", Apps, app(""), Json, "/", s("error.expected.jsarray")),
        ("cpus as string", App, app(r#""cpus":"1""#), Json, "/cpus", s("error.expected.jsnumber")),
        ("id as number", App, br#"{"id":1,"cmd":"x"}"#.to_vec(), Json, "/id", s("error.expected.jsstring")),
        ("instances fractional", App, app(r#""instances":1.5"#), Json, "/instances", s("error.expected.int")),
        ("instances beyond int32", App, app(r#""instances":3000000000"#), Json, "/instances", s("error.expected.int")),
        ("args not an array", App, app(r#""args":"a b""#), Json, "/args", s("error.expected.jsarray")),
        ("container not an object", App, app(r#""container":"docker""#), Json, "/container", s("error.expected.jsobject")),
        ("requirePorts not a bool", App, app(r#""requirePorts":"yes""#), Json, "/requirePorts", s("error.expected.jsboolean")),
        ("env value a number", App, app(r#""env":{"A":1}"#), Json, "/env/A", s("error.expected.jsstring")),
        ("constraint element a number", App, app(r#""constraints":[["a",1]]"#), Json, "/constraints/0/1", s("error.expected.jsstring")),
        ("missing id", App, br#"{"cmd":"x"}"#.to_vec(), Json, "/id", s("error.path.missing")),
        ("missing docker image", App, app(r#""container":{"docker":{}}"#), Json, "/container/docker/image", s("error.path.missing")),
        ("missing id in bulk list", Apps, br#"[{"id":"/a","cmd":"x"},{"cmd":"x"}]"#.to_vec(), Json, "/1/id", s("error.path.missing")),
        ("missing id of group app", Group, br#"{"id":"/g","apps":[{"cmd":"x"}]}"#.to_vec(), Json, "/apps/0/id", s("error.path.missing")),
        ("unknown top-level field", App, app(r#""intances":2"#), Json, "/intances", s("unknown field")),
        ("unknown docker field", App, app(r#""container":{"docker":{"image":"x","imag":"y"}}"#), Json, "/container/docker/imag", s("unknown field")),
        ("unknown health check field", App, app(r#""healthChecks":[{"portIdx":0}]"#), Json, "/healthChecks/0/portIdx", s("unknown field")),
        ("unknown upgrade strategy field", App, app(r#""upgradeStrategy":{"minimumHealthCap":1}"#), Json, "/upgradeStrategy/minimumHealthCap", s("unknown field")),
        ("unknown env secret field", App, app(r#""env":{"A":{"secret":"s","x":1}}"#), Json, "/env/A/x", s("unknown field")),
        ("unknown field in group app", Group, br#"{"id":"/g","apps":[{"id":"a","cmd":"x","cpu":1}]}"#.to_vec(), Json, "/apps/0/cpu", s("unknown field")),
        ("unknown health protocol", App, app(r#""healthChecks":[{"protocol":"GRPC"}]"#), Json, "/healthChecks/0/protocol", s("error.unknown.enum.literal")),
        ("duplicate field", App, app(r#""cpus":1,"cpus":2"#), Json, "/cpus", s("duplicate field")),
        ("version not iso-8601", App, app(r#""version":"yesterday""#), Json, "/version", s("error.expected.date.isoformat")),
        ("deeply nested json", App, deep("ipAddress"), Json, "/ipAddress", s("recursion limit exceeded at line 1 column 160")),
        ("invalid id characters", App, br#"{"id":"/My_App","cmd":"x"}"#.to_vec(), Invalid, "/id", s(ID_PATTERN)),
        ("root id", App, br#"{"id":"/","cmd":"x"}"#.to_vec(), Invalid, "/id", s("Path must contain at least one path element")),
        ("reserved suffix", App, br#"{"id":"/a/tasks","cmd":"x"}"#.to_vec(), Invalid, "/id", s("must not end with any of the following reserved keywords: restart, tasks, versions")),
        ("cmd and args together", App, app(r#""args":["a"]"#), Invalid, "/", s(CMD_ARGS)),
        ("neither cmd nor args nor container", App, br#"{"id":"/a"}"#.to_vec(), Invalid, "/", s(CMD_ARGS)),
        ("empty cmd", App, br#"{"id":"/a","cmd":""}"#.to_vec(), Invalid, "/cmd", s("must not be an empty string")),
        ("negative cpus", App, app(r#""cpus":-1"#), Invalid, "/cpus", s("must be greater than or equal to 0.001")),
        ("absurd cpus", App, app(r#""cpus":1e300"#), Invalid, "/cpus", s("is greater than 10000")),
        ("negative mem", App, app(r#""mem":-5"#), Invalid, "/mem", s("must be greater than or equal to 0")),
        ("negative instances", App, app(r#""instances":-1"#), Invalid, "/instances", s("must be greater than or equal to 0")),
        ("too many instances", App, app(r#""instances":10001"#), Invalid, "/instances", s("is greater than 10000")),
        ("backoff factor below 1", App, app(r#""backoffFactor":0.5"#), Invalid, "/backoffFactor", s("must be greater than or equal to 1")),
        ("unknown constraint operator", App, app(r#""constraints":[["hostname","UNIQ"]]"#), Invalid, "/constraints/0", s("Constraint operator \"UNIQ\" is not supported; must be one of: UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS")),
        ("bad regex in second constraint", App, app(r#""constraints":[["hostname","UNIQUE"],["rack","LIKE","("]]"#), Invalid, "/constraints/1", s("LIKE and UNLIKE require a non-empty, regular expression value")),
        ("max per without integer", App, app(r#""constraints":[["rack","MAX_PER","two"]]"#), Invalid, "/constraints/0", s("MAX_PER requires an integer value")),
        ("constraint with one element", App, app(r#""constraints":[["rack"]]"#), Invalid, "/constraints/0", s("Each constraint must have either 2 or 3 fields")),
        ("portIndex out of range", App, app(r#""healthChecks":[{"portIndex":1}]"#), Invalid, "/healthChecks/0/portIndex", s(PORT_INDEX)),
        ("health check on non-existent port", App, app(r#""portDefinitions":[],"healthChecks":[{"protocol":"TCP"}]"#), Invalid, "/healthChecks/0/portIndex", s(PORT_INDEX)),
        ("command check without command", App, app(r#""healthChecks":[{"protocol":"COMMAND"}]"#), Invalid, "/healthChecks/0/command", s("is required for COMMAND health checks")),
        ("minimumHealthCapacity above 1", App, app(r#""upgradeStrategy":{"minimumHealthCapacity":1.5}"#), Invalid, "/upgradeStrategy/minimumHealthCapacity", s("is greater than 1")),
        ("unreachable inactive after expunge", App, app(r#""unreachableStrategy":{"inactiveAfterSeconds":10,"expungeAfterSeconds":5}"#), Invalid, "/unreachableStrategy/inactiveAfterSeconds", s("must be less than or equal to expungeAfterSeconds")),
        ("env secret not declared", App, app(r#""env":{"PASSWORD":{"secret":"db"}}"#), Invalid, "/env/PASSWORD", s("references an undefined secret named 'db'")),
        ("label key too long", App, app(&format!(r#""labels":{{"{}":"v"}}"#, "k".repeat(1025))), Invalid, "LABEL", s("key must not be longer than 1024 bytes")),
        ("ipAddress unsupported", App, app(r#""ipAddress":{"networkName":"dcos"}"#), Invalid, "/ipAddress", s("ipAddress (IP-per-task) is not supported by dromos; use networks")),
        ("residency unsupported", App, app(r#""residency":{}"#), Invalid, "/residency", s("residency (resident tasks) is not supported by dromos")),
        ("custom executor unsupported", App, app(r#""executor":"/opt/my-executor""#), Invalid, "/executor", s("custom executors are not supported by dromos; executor must be \"\" or \"//cmd\"")),
        ("mesos container with image", App, app(r#""container":{"type":"MESOS","docker":{"image":"x"}}"#), Invalid, "/container/type", s("container type MESOS with a docker image is not supported by dromos; use type DOCKER")),
        ("uris and fetch together", App, app(r#""uris":["http://a/b"],"fetch":[{"uri":"http://c/d"}]"#), Invalid, "/uris", s("uris cannot be combined with fetch")),
        ("container port too large", App, docker(r#""portMappings":[{"containerPort":70000}]"#), Invalid, "/container/portMappings/0/containerPort", s("is greater than 65535")),
        ("portDefinitions in bridge mode", App, br#"{"id":"/a","networks":[{"mode":"container/bridge"}],"portDefinitions":[{"port":0}],"container":{"docker":{"image":"x"}}}"#.to_vec(), Invalid, "/portDefinitions", s("portDefinitions are only allowed with host networking")),
        ("container network without name", App, br#"{"id":"/a","networks":[{"mode":"container"}],"container":{"docker":{"image":"x"}}}"#.to_vec(), Invalid, "/networks/0/name", s("is required for container networks")),
        ("readiness timeout not below interval", App, app(r#""portDefinitions":[{"name":"http"}],"readinessChecks":[{"portName":"http","intervalSeconds":5,"timeoutSeconds":5}]"#), Invalid, "/readinessChecks/0/timeoutSeconds", s("must be less than intervalSeconds")),
        ("bulk list error path", Apps, br#"[{"id":"/a","cmd":"x"},{"id":"/b","cmd":"x","cpus":-1}]"#.to_vec(), Invalid, "/1/cpus", s("must be greater than or equal to 0.001")),
        ("group app not a child", Group, br#"{"id":"/group","apps":[{"id":"/app","cmd":"x"}]}"#.to_vec(), Invalid, "/apps/0/id", s("identifier /app is not child of /group. Hint: use relative paths.")),
        ("group app invalid nested", Group, br#"{"id":"/g","groups":[{"id":"s","apps":[{"id":"a","cmd":"x","mem":-1}]}]}"#.to_vec(), Invalid, "/groups/0/apps/0/mem", s("must be greater than or equal to 0")),
        ("pods in group", Group, br#"{"id":"/g","pods":[{"id":"p"}]}"#.to_vec(), Invalid, "/pods", s("pods are not supported by dromos")),
        ("negative scaleBy", GroupUpdate, br#"{"scaleBy":-1}"#.to_vec(), Invalid, "/scaleBy", s("must be greater than or equal to 0")),
        ("scaleBy beside apps", GroupUpdate, br#"{"scaleBy":2,"apps":[]}"#.to_vec(), Invalid, "/scaleBy", s(NOT_ALONE)),
        ("rollback version beside id", GroupUpdate, br#"{"id":"/g","version":"2015-09-25T15:13:48.343Z"}"#.to_vec(), Invalid, "/version", s(NOT_ALONE)),
        ("scaleBy in a new group", Group, br#"{"id":"/g","scaleBy":2}"#.to_vec(), Invalid, "/scaleBy", s(NOT_ALONE)),
    ]
}

fn run(doc: Doc, bytes: &[u8]) -> Result<(), ModelError> {
    match doc {
        Doc::App => parse_app(bytes).map(drop),
        Doc::Apps => parse_apps(bytes).map(drop),
        Doc::Group => parse_group(bytes).map(drop),
        Doc::GroupUpdate => parse_group_update(bytes).map(drop),
    }
}

#[test]
fn each_bad_input_gives_exactly_its_violation() {
    let label_path = format!("/labels/{}", "k".repeat(1025));
    let cases = catalogue();
    assert!(cases.len() >= 40, "catalogue has {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, doc, bytes, kind, path, message) in cases {
        let path = if path == "LABEL" { label_path.clone() } else { path.to_string() };
        let want = vec![Violation::new(path, message)];
        match (kind, run(doc, &bytes)) {
            (K::Json, Err(ModelError::InvalidJson(got))) | (K::Invalid, Err(ModelError::Invalid(got)))
                if got == want => {}
            (_, got) => failures.push(format!("{name}: want {kind:?} {want:?}\n      got {got:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_violation_is_listed_not_just_the_first() {
    let err = parse_app(br#"{"id":"/A","cpus":-1,"mem":-1,"instances":-2,"constraints":[["h","NOPE"]]}"#)
        .unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path.as_str()).collect();
    assert!(matches!(err, ModelError::Invalid(_)));
    for want in ["/id", "/constraints/0", "/", "/instances", "/cpus", "/mem"] {
        assert!(paths.contains(&want), "{want} missing from {paths:?}");
    }
}

#[test]
fn error_body_has_marathons_shape() {
    let err = parse_app(&app(r#""cpus":"x""#)).unwrap_err();
    assert_eq!(
        err.to_json(),
        serde_json::json!({"message":"Invalid JSON","details":[{"path":"/cpus","errors":["error.expected.jsnumber"]}]})
    );
    let err = parse_app(&app(r#""upgradeStrategy":{"minimumHealthCapacity":2}"#)).unwrap_err();
    assert_eq!(
        err.to_json(),
        serde_json::json!({"message":"Object is not valid","details":[{"path":"/upgradeStrategy/minimumHealthCapacity","errors":["is greater than 1"]}]})
    );
}

#[test]
fn status_fields_of_a_fetched_app_are_accepted_and_dropped() {
    let body = app(
        r#""tasksRunning":3,"tasksStaged":0,"deployments":[{"id":"x"}],"tasks":[],"lastTaskFailure":{"appId":"/a"}"#,
    );
    let parsed = parse_app(&body).unwrap();
    let json = serde_json::to_value(&parsed).unwrap();
    assert!(json.get("tasksRunning").is_none());
    assert!(json.get("deployments").is_none());
}
