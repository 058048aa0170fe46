//! HTTPS with a private certificate authority: a feed whose certificate is signed by a CA the
//! config names (`ca_cert`) is read; without it the connection is refused, with the reason.
//! The feed is the real simulator behind a TLS front on loopback, both made by the test.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation fails the test

use std::sync::Arc;

use dropday::config::Config;
use dropday::feed::client::{FeedClient, build_http};
use dropday::feed::events::PollOutcome;
use dropday::feed::{FeedFailure, FeedKind};
use dropday::sim::{RunningSim, ScenarioSource, SimOptions, start};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA, and a server certificate for `localhost`/`127.0.0.1` signed by it.
struct Authority {
    ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
}

fn authority() -> Authority {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("server params");
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .expect("server certificate");
    Authority {
        ca_pem: ca_cert.pem(),
        server_cert: server_cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// Accepts TLS on an ephemeral loopback port and relays each connection to the simulator.
async fn tls_front(authority: &Authority, sim: &RunningSim) -> std::net::SocketAddr {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![authority.server_cert.clone()],
            authority.server_key.clone_key(),
        )
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let backend = sim.addr();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A handshake the client refuses ends here; that is the case under test.
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    addr
}

async fn poll_marketplace(config_text: &str) -> PollOutcome {
    let config = Config::parse(config_text, None).expect("config");
    let endpoint = config
        .feed(FeedKind::Marketplace)
        .expect("marketplace")
        .clone();
    let http = build_http(&endpoint).expect("http client");
    FeedClient::new(http, endpoint).poll().await.outcome
}

#[tokio::test]
async fn a_feed_signed_by_the_configured_ca_is_read_and_without_it_refused() {
    let authority = authority();
    let sim = start(SimOptions::for_tests(ScenarioSource::Builtin(
        "launch".to_owned(),
    )))
    .await
    .expect("simulator");
    let front = tls_front(&authority, &sim).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_path = dir.path().join("private-ca.pem");
    std::fs::write(&ca_path, &authority.ca_pem).expect("write CA");
    let url = format!("https://localhost:{}", front.port());

    let trusted = format!(
        "[feeds.marketplace]\nurl = \"{url}\"\nca_cert = \"{}\"\n",
        ca_path.display()
    );
    match poll_marketplace(&trusted).await {
        PollOutcome::Drops(doc) => {
            assert!(doc.entries.iter().any(|d| d.id == "hoodie-01"));
        }
        other => panic!("the private CA is trusted: {other:?}"),
    }

    let untrusted = format!("[feeds.marketplace]\nurl = \"{url}\"\n");
    match poll_marketplace(&untrusted).await {
        PollOutcome::Failed(FeedFailure::Connect(reason)) => {
            assert!(
                reason.to_lowercase().contains("certificate"),
                "the reason names the certificate: {reason}"
            );
        }
        other => panic!("an unknown CA is refused: {other:?}"),
    }
    sim.shutdown().await;
}

#[test]
fn a_ca_cert_that_is_not_pem_is_a_config_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, "not a certificate").expect("write");
    let text = format!(
        "[feeds.pos]\nurl = \"https://pos.example.com\"\nca_cert = \"{}\"\n",
        path.display()
    );
    let error = Config::parse(&text, None).expect_err("refused").to_string();
    assert!(error.contains("key `feeds.pos.ca_cert`"), "{error}");
    assert!(error.contains("is not a PEM certificate"), "{error}");
}
