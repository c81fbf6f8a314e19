//! Headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`), driven with fantoccini over plain HTTP on loopback.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

/// Why the browser could not be driven.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("cannot start chromedriver ({0}); install Debian's chromium and chromium-driver")]
    Driver(std::io::Error),
    #[error("chromedriver did not accept a session: {0}")]
    Session(String),
    #[error("webdriver: {0}")]
    Command(#[from] fantoccini::error::CmdError),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, String),
}

/// A chromedriver process and one browser session on it.
pub struct Browser {
    driver: Child,
    /// The WebDriver session.
    pub client: Client,
    driver_url: String,
}

fn free_port() -> Result<u16, std::io::Error> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub async fn start() -> Result<Self, BrowserError> {
        let port = free_port()?;
        let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(BrowserError::Driver)?;
        let driver_url = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir()?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,860",
                    // Pages left behind would keep their event streams open and, six
                    // connections per host, stall the next page loads.
                    "--disable-features=BackForwardCache",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let mut last_error = String::new();
        for _ in 0..50 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&driver_url)
                .await
            {
                Ok(client) => {
                    // The profile must outlive the browser; it is removed with the machine's tmp.
                    std::mem::forget(profile);
                    return Ok(Self { driver, client, driver_url });
                }
                Err(error) => last_error = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(BrowserError::Session(last_error))
    }

    /// Waits until `css` matches an element whose attribute `attr` equals `want`.
    pub async fn wait_attr(
        &self,
        css: &str,
        attr: &str,
        want: &str,
        timeout: Duration,
    ) -> Result<(), BrowserError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                // An element replaced between find and read (the page re-rendered) is retried.
                if element.attr(attr).await.ok().flatten().as_deref() == Some(want) {
                    return Ok(());
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(BrowserError::Timeout(timeout, format!("{css}[{attr}={want}]")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the text of `css` satisfies `accept`, and returns it.
    pub async fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String, BrowserError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                // An element replaced between find and read (the page re-rendered) is retried.
                if let Ok(text) = element.text().await {
                    if accept(&text) {
                        return Ok(text);
                    }
                }
            }
            if tokio::time::Instant::now() > deadline {
                return Err(BrowserError::Timeout(timeout, format!("text of {css}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Browser console entries since the last call (chromedriver's log
    /// endpoint), as `(level, message)`.
    pub async fn console_log(&self) -> Result<Vec<(String, String)>, BrowserError> {
        let body = self.driver_post("se/log", json!({ "type": "browser" })).await?;
        let entries = body.get("value").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .map(|e| {
                let field = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                (field("level"), field("message"))
            })
            .collect())
    }

    /// POSTs `body` to one of chromedriver's own session commands
    /// (`/session/{id}/{command}`), which WebDriver clients do not cover.
    async fn driver_post(&self, command: &str, body: Value) -> Result<Value, BrowserError> {
        let session = self.client.session_id().await?.unwrap_or_default();
        let url = format!("{}/session/{session}/{command}", self.driver_url);
        reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| BrowserError::Session(e.to_string()))?
            .json()
            .await
            .map_err(|e| BrowserError::Session(e.to_string()))
    }

    /// Writes a PNG screenshot to `target/e2e/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<std::path::PathBuf, BrowserError> {
        let png = self.client.screenshot().await?;
        let path = crate::artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver
    /// (`goog/cdp/execute`) and returns its result.
    pub async fn cdp(&self, command: &str, params: Value) -> Result<Value, BrowserError> {
        let body = self.driver_post("goog/cdp/execute", json!({ "cmd": command, "params": params })).await?;
        match body.get("value") {
            Some(value) if value.get("error").is_none() => Ok(value.clone()),
            _ => Err(BrowserError::Session(format!("{command}: {body}"))),
        }
    }

    /// Makes the page `width` × `height` CSS pixels (a phone's touch
    /// viewport below 600 px) and answers `prefers-color-scheme` with dark
    /// or light, as a user's device would.
    pub async fn emulate(&self, width: u32, height: u32, dark: bool) -> Result<(), BrowserError> {
        let mobile = width < 600;
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await?;
        let scheme = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
        Ok(())
    }

    /// Writes a PNG of the whole page, beyond the viewport, to
    /// `target/e2e/<name>.png`.
    pub async fn screenshot_page(&self, name: &str) -> Result<std::path::PathBuf, BrowserError> {
        let shot = self
            .cdp("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true }))
            .await?;
        let data = shot.get("data").and_then(Value::as_str).unwrap_or_default();
        let png =
            decode_base64(data).ok_or_else(|| BrowserError::Session("screenshot is not base64".into()))?;
        let path = crate::artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) -> Result<(), BrowserError> {
        let result = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        result.map_err(BrowserError::from)
    }
}

/// Standard base64 (with padding) to bytes; `None` on a foreign character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut bits, mut count) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        bits = (bits << 6) | u32::from(value(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8h").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(decode_base64("iVBORw0KGgo=").as_deref(), Some(&b"\x89PNG\r\n\x1a\n"[..]));
        assert_eq!(decode_base64(""), Some(Vec::new()));
        assert_eq!(decode_base64("a*b"), None);
    }
}
