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
