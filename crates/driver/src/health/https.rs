//! HTTPS health probes. Like Marathon, the scheduler does not verify the
//! task's certificate (tasks commonly serve self-signed ones): the TLS
//! handshake must succeed, then `GET path` must answer 200–399. The probe
//! runs a blocking rustls client on the blocking pool, bounded by
//! `timeoutSeconds` for connect, handshake and response alike.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

/// Accepts any server certificate (signatures are still checked with the
/// certificate's key, so the handshake itself is sound).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn client_config() -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `GET https://host:port/path`; the HTTP status, or why there is none.
pub fn get_status(host: &str, port: u16, path: &str, timeout: Duration) -> Result<u16, String> {
    let url = format!("https://{host}:{port}{path}");
    let addr = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("GET {url}: {e}"))?
        .next()
        .ok_or_else(|| format!("GET {url}: no address"))?;
    let tcp = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("GET {url}: {e}"))?;
    tcp.set_read_timeout(Some(timeout)).map_err(|e| format!("GET {url}: {e}"))?;
    tcp.set_write_timeout(Some(timeout)).map_err(|e| format!("GET {url}: {e}"))?;
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("GET {url}: {e}"))?;
    let connection = ClientConnection::new(client_config()?, name).map_err(|e| format!("GET {url}: {e}"))?;
    let mut tls = StreamOwned::new(connection, tcp);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).map_err(|e| format!("GET {url}: {e}"))?;
    let mut status_line = String::new();
    BufReader::new(tls).read_line(&mut status_line).map_err(|e| format!("GET {url}: {e}"))?;
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("GET {url}: not an HTTP answer: {:?}", status_line.trim_end()))
}

/// A TLS test server (self-signed certificate) for probe tests.
#[cfg(test)]
pub(crate) mod test_server {
    /// A TLS server with a self-signed certificate answering each of its
    /// connections with the next status.
    pub(crate) fn tls_server(statuses: &'static [&'static str]) -> u16 {
        use std::io::{Read, Write};
        use std::sync::Arc;

        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};

        let cert =
            CertificateDer::from_pem_slice(include_bytes!("testdata/self-signed.cert.pem")).expect("cert");
        let key = PrivateKeyDer::from_pem_slice(include_bytes!("testdata/self-signed.key.pem")).expect("key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server config");
        let config = Arc::new(config);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for (stream, status) in listener.incoming().zip(statuses) {
                let Ok(stream) = stream else { return };
                let Ok(connection) = rustls::ServerConnection::new(Arc::clone(&config)) else { return };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut request = [0_u8; 1024];
                let _ = tls.read(&mut request);
                let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = tls.write_all(reply.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        port
    }
}
