//! The real `dromos` binary, as a user runs it: flags, environment,
//! endpoints, console HTML and graceful shutdown.

use std::process::Command;
use std::time::Duration;

use end2end::dromos::DromosProcess;

const BIN: &str = env!("CARGO_BIN_EXE_dromos");

fn bin() -> std::path::PathBuf {
    std::path::PathBuf::from(BIN)
}

#[test]
fn help_documents_every_flag_and_its_environment_variable() {
    let out = Command::new(BIN).args(["serve", "--help"]).output().expect("run --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, env) in [
        ("--http-addr", "DROMOS_HTTP_ADDR"),
        ("--data-dir", "DROMOS_DATA_DIR"),
        ("--master", "DROMOS_MASTER"),
        ("--log-format", "DROMOS_LOG_FORMAT"),
    ] {
        assert!(help.contains(flag), "{flag} missing from help:\n{help}");
        assert!(help.contains(env), "{env} missing from help:\n{help}");
    }
}

#[test]
fn an_invalid_flag_value_exits_with_a_usage_error() {
    let out = Command::new(BIN).args(["--http-addr", "not-an-address"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--http-addr"));
}

#[tokio::test]
async fn serves_ping_info_and_the_console_then_stops_on_sigterm() {
    let server = DromosProcess::start(&bin(), &[]).expect("start dromos");
    let http = reqwest::Client::new();

    let ping = http.get(format!("{}/ping", server.url)).send().await.expect("ping");
    assert_eq!(ping.status(), 200);
    assert_eq!(ping.text().await.expect("body"), "pong");

    let info: serde_json::Value =
        http.get(format!("{}/v2/info", server.url)).send().await.expect("info").json().await.expect("json");
    assert_eq!(info["name"], "dromos");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["elected"], true);
    let port = server.url.rsplit(':').next().and_then(|p| p.parse::<u64>().ok()).expect("port");
    assert_eq!(info["http_config"]["http_port"], port);
    assert_eq!(info["leader"], server.url.trim_start_matches("http://"));

    let dc_os: serde_json::Value = http
        .get(format!("{}/marathon/v2/info", server.url))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    assert_eq!(dc_os["name"], "dromos");

    let page = http.get(&server.url).header("accept", "text/html").send().await.expect("console");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"data-testid="app-root""#), "console shell missing");
    assert!(html.contains("/pkg/dromos.js"), "hydration script missing");

    // The console's WASM: the build's brotli copy for browsers, the module itself for others.
    let wasm_url = format!("{}/pkg/dromos.wasm", server.url);
    let plain = http.get(&wasm_url).header("accept-encoding", "identity").send().await.expect("wasm");
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["content-type"], "application/wasm");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("wasm body");
    assert_eq!(&plain[..4], b"\0asm", "not a WebAssembly module");
    let compressed = http.get(&wasm_url).header("accept-encoding", "gzip, br").send().await.expect("wasm br");
    assert_eq!(compressed.status(), 200);
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["content-type"], "application/wasm");
    let etag = compressed.headers()["etag"].clone();
    let compressed = compressed.bytes().await.expect("wasm br body");
    // A browser revalidating what it holds gets no body.
    let again = http
        .get(&wasm_url)
        .header("accept-encoding", "gzip, br")
        .header("if-none-match", etag.clone())
        .send()
        .await
        .expect("wasm revalidated");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.bytes().await.expect("304 body").is_empty());
    assert!(compressed.len() * 2 < plain.len(), "brotli copy {} of {} bytes", compressed.len(), plain.len());

    // The dashboard's page chunks are preloaded as one bundle, which holds
    // the chunks it lists, byte for byte as they are served one by one.
    let link = html
        .split("<link ")
        .find(|tag| tag.contains("data-wasm-bundle="))
        .expect("no bundle preloaded with the dashboard");
    let attr = |name: &str| {
        link.split(&format!(r#"{name}=""#)).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default()
    };
    assert_eq!(attr("href"), "/pkg/pages/dashboard.bundle");
    assert!(
        html.contains(r#"<link rel="modulepreload" href="/pkg/__wasm_split.js""#),
        "split loader not preloaded"
    );
    let names: Vec<&str> = attr("data-wasm-bundle").split(' ').collect();
    assert!(names.iter().any(|n| n.starts_with("split___dashboard_route_view")), "{names:?}");
    let bundle = http
        .get(format!("{}{}", server.url, attr("href")))
        .header("accept-encoding", "identity")
        .send()
        .await
        .expect("bundle");
    assert_eq!(bundle.status(), 200);
    let bundle = bundle.bytes().await.expect("bundle body");
    let chunks = unpack_bundle(&bundle);
    assert_eq!(chunks.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), names);
    for (name, bytes) in chunks.iter().take(3) {
        let alone =
            http.get(format!("{}/pkg/{name}", server.url)).header("accept-encoding", "identity").send().await;
        let alone = alone.expect("chunk").bytes().await.expect("chunk body");
        assert_eq!(&alone[..], &bytes[..], "{name}");
    }

    let missing = http.get(format!("{}/no/such/page", server.url)).header("accept", "text/html").send().await;
    assert_eq!(missing.expect("404 page").status(), 404);
    let api_missing = http.get(format!("{}/v2/nothing-here", server.url)).send().await.expect("api 404");
    assert_eq!(api_missing.status(), 404);
    let body: serde_json::Value = api_missing.json().await.expect("json 404");
    assert_eq!(body["message"], "URI not found: /v2/nothing-here");

    let status = server.terminate(Duration::from_secs(10)).expect("signal").expect("exits after SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[tokio::test]
async fn environment_variables_configure_the_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("state");
    let mut child = Command::new(BIN)
        .env("DROMOS_HTTP_ADDR", "127.0.0.1:0")
        .env("DROMOS_DATA_DIR", &data)
        .env("DROMOS_LOG_FORMAT", "json")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !data.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    assert!(data.is_dir(), "DROMOS_DATA_DIR was not used");
    let log = String::from_utf8_lossy(&out.stderr);
    let first = log.lines().next().unwrap_or_default();
    assert!(serde_json::from_str::<serde_json::Value>(first).is_ok(), "not a JSON log line: {first}");
}

/// The chunks of a page bundle (`scripts/wasm-bundle.py` says the format).
fn unpack_bundle(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    assert_eq!(&bundle[..4], b"DRB1", "not a bundle");
    let u32_at = |at: usize| u32::from_le_bytes(bundle[at..at + 4].try_into().expect("4 bytes")) as usize;
    let count = u32_at(4);
    let mut at = 8;
    let mut entries = Vec::new();
    for _ in 0..count {
        let length = usize::from(u16::from_le_bytes([bundle[at], bundle[at + 1]]));
        let name = String::from_utf8(bundle[at + 2..at + 2 + length].to_vec()).expect("utf-8 name");
        entries.push((name, u32_at(at + 2 + length)));
        at += 6 + length;
    }
    entries
        .into_iter()
        .map(|(name, size)| {
            let bytes = bundle[at..at + size].to_vec();
            at += size;
            assert_eq!(&bytes[..4], b"\0asm", "{name} is not a WebAssembly module");
            (name, bytes)
        })
        .collect()
}
