//! New connections to the cluster: TCP, and TLS over it for `https://` with the system's
//! trusted certificates plus an optional CA file (`--es-ca-file`).

use std::io;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::http1::Stream;
use super::target::Target;

pub struct Dialer {
    host: String,
    port: u16,
    tls: Option<(TlsConnector, ServerName<'static>)>,
}

impl Dialer {
    /// Prepares TLS once (trusted roots, server name) so that each connection only dials.
    pub fn new(target: &Target, ca_file: Option<&Path>) -> Result<Self, String> {
        let tls = match (target.tls, ca_file) {
            (false, None) => None,
            (false, Some(_)) => {
                return Err(
                    "--es-ca-file is for https:// clusters; --elasticsearch is http://".to_string(),
                )
            }
            (true, ca_file) => {
                let name = ServerName::try_from(target.host.clone()).map_err(|_| {
                    format!(
                        "{:?} cannot be checked against a TLS certificate",
                        target.host
                    )
                })?;
                Some((TlsConnector::from(Arc::new(tls_config(ca_file)?)), name))
            }
        };
        Ok(Self {
            host: target.host.clone(),
            port: target.port,
            tls,
        })
    }

    pub async fn dial(&self) -> io::Result<Box<dyn Stream>> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        // requests are written whole; waiting to coalesce them only adds latency
        tcp.set_nodelay(true)?;
        match &self.tls {
            None => Ok(Box::new(tcp)),
            Some((connector, name)) => Ok(Box::new(connector.connect(name.clone(), tcp).await?)),
        }
    }
}

fn tls_config(ca_file: Option<&Path>) -> Result<ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    // certificates the system cannot parse are skipped, as browsers do
    for certificate in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(certificate);
    }
    if let Some(path) = ca_file {
        let shown = path.display();
        let mut found = 0;
        for certificate in CertificateDer::pem_file_iter(path)
            .map_err(|err| format!("cannot read the CA file {shown}: {err}"))?
        {
            let certificate = certificate
                .map_err(|err| format!("the CA file {shown} is not a PEM certificate: {err}"))?;
            roots.add(certificate).map_err(|err| {
                format!("the CA file {shown} holds a certificate rustls refuses: {err}")
            })?;
            found += 1;
        }
        if found == 0 {
            return Err(format!("the CA file {shown} holds no PEM certificate"));
        }
    }
    if roots.is_empty() {
        return Err(
            "no trusted certificates for https://: install ca-certificates or give --es-ca-file"
                .to_string(),
        );
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("cannot set up TLS: {err}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
