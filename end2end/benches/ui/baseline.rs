//! The baseline's origin: a tiny HTTP/1.1 server on loopback that answers
//! `/` with `baseline.html` and passes every other GET through to dromos
//! (its JSON and its stylesheet), so the page fetches dromos' data from its
//! own origin. The browser's `Accept-Encoding` goes to dromos and dromos'
//! `Content-Encoding` comes back, so the baseline gets the same compressed
//! bytes the console would.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PAGE: &str = include_str!("baseline.html");

/// The running server.
pub struct Server {
    pub url: String,
}

impl Server {
    /// Serves on 127.0.0.1 (a free port) until the process ends.
    pub async fn start(dromos: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let dromos = dromos.to_owned();
        let http = reqwest::Client::new();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (dromos, http) = (dromos.clone(), http.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &dromos, &http).await;
                });
            }
        });
        Server { url }
    }
}

/// One request per connection (`Connection: close`).
async fn serve(mut stream: TcpStream, dromos: &str, http: &reqwest::Client) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.lines();
    let target = lines.next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("/").to_owned();
    let accept_encoding = lines
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("accept-encoding")))
        .map(|(_, v)| v.trim().to_owned());
    let (status, content_type, encoding, body) = if target == "/" {
        (200, "text/html; charset=utf-8".to_owned(), None, PAGE.as_bytes().to_vec())
    } else {
        proxy(http, &format!("{dromos}{target}"), accept_encoding).await
    };
    let mut response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(encoding) = encoding {
        response.push_str(&format!("content-encoding: {encoding}\r\n"));
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}

/// Dromos' answer to GET `url`, body untouched: (status, type, encoding, bytes).
async fn proxy(
    http: &reqwest::Client,
    url: &str,
    accept_encoding: Option<String>,
) -> (u16, String, Option<String>, Vec<u8>) {
    let mut request = http.get(url);
    if let Some(accept) = accept_encoding {
        request = request.header("accept-encoding", accept);
    }
    let Ok(response) = request.send().await else {
        return (502, "text/plain".to_owned(), None, b"dromos unreachable".to_vec());
    };
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = header("content-type").unwrap_or_else(|| "application/octet-stream".to_owned());
    let encoding = header("content-encoding");
    let status = response.status().as_u16();
    let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    (status, content_type, encoding, body)
}
