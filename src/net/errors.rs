//! A transport error (reqwest, rustls, io) as one line a reader can act on: which TLS
//! problem, which connection failure, never a multi-line chain.

use std::error::Error as StdError;

use super::FetchError;
use crate::text::scrub::scrub_line;

/// A reqwest error as a one-line [`FetchError`] (TLS, timeout, DNS, connect, body).
pub(crate) fn map_reqwest_error(e: &reqwest::Error, timeout_secs: u64) -> FetchError {
    let secs = timeout_secs;
    if let Some(tls) = find_tls_error(e) {
        return FetchError::Tls(tls);
    }
    if e.is_timeout() {
        return FetchError::Timeout { secs };
    }
    if e.is_dns() {
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .map(scrub_line)
            .unwrap_or_default();
        return FetchError::Dns(format!("cannot resolve host {host}"));
    }
    if let Some(kind) = find_io_kind(e) {
        if let Some(text) = io_kind_text(kind) {
            return FetchError::Connect(text.to_string());
        }
    }
    if e.is_connect() {
        return FetchError::Connect(format!("cannot connect: {}", innermost(e)));
    }
    if e.is_body() || e.is_decode() {
        return map_body_error(e, secs);
    }
    FetchError::Connect(one_line(&error_chain(e)))
}

pub(super) fn map_body_error(e: &reqwest::Error, timeout_secs: u64) -> FetchError {
    if e.is_timeout() {
        return FetchError::Timeout { secs: timeout_secs };
    }
    if e.is_decode() {
        return FetchError::Body(format!("cannot decode the body: {}", innermost(e)));
    }
    FetchError::Body(innermost(e))
}

/// Every error in the chain, including errors wrapped inside `io::Error`s (whose `source()`
/// skips the wrapped error itself).
fn for_each_cause(e: &(dyn StdError + 'static), f: &mut dyn FnMut(&(dyn StdError + 'static))) {
    let mut current: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = current {
        f(err);
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            let inner: &(dyn StdError + 'static) = inner;
            f(inner);
            if let Some(src) = inner.source() {
                for_each_cause(src, f);
            }
        }
        current = err.source();
    }
}

fn find_tls_error(e: &reqwest::Error) -> Option<String> {
    let mut found = None;
    for_each_cause(e, &mut |err| {
        if found.is_none() {
            if let Some(tls) = err.downcast_ref::<rustls::Error>() {
                found = Some(describe_tls(tls));
            }
        }
    });
    if found.is_none() {
        // A TLS handshake cut short by the peer has no rustls error, only its message.
        let chain = error_chain(e).to_lowercase();
        if chain.contains("handshake eof") {
            found = Some(
                "the server closed the connection during the handshake (is it plain http?)"
                    .to_string(),
            );
        } else if chain.contains("certificate") {
            found = Some(describe_certificate_text(&chain));
        } else if chain.contains("tls") || chain.contains("handshake") {
            found = Some(one_line(&innermost(e)));
        }
    }
    found
}

fn describe_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                "certificate not valid for host".to_string()
            }
            C::Expired | C::ExpiredContext { .. } => "certificate expired".to_string(),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                "certificate not valid yet".to_string()
            }
            C::UnknownIssuer => "certificate not issued by a trusted authority".to_string(),
            C::Revoked => "certificate revoked".to_string(),
            C::BadSignature => "certificate has a bad signature".to_string(),
            other => describe_certificate_text(&format!("{other:?}").to_lowercase()),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            "the server did not answer with TLS (is it plain http?)".to_string()
        }
        other => one_line(&other.to_string()),
    }
}

/// A certificate problem from its (lowercased) message, when the typed error is out of reach.
fn describe_certificate_text(text: &str) -> String {
    let known = [
        ("notvalidforname", "certificate not valid for host"),
        ("not valid for name", "certificate not valid for host"),
        (
            "unknownissuer",
            "certificate not issued by a trusted authority",
        ),
        (
            "unknown issuer",
            "certificate not issued by a trusted authority",
        ),
        ("causedasendentity", "self-signed certificate not trusted"),
        ("expired", "certificate expired"),
        ("notvalidyet", "certificate not valid yet"),
        ("revoked", "certificate revoked"),
    ];
    known
        .iter()
        .find(|(needle, _)| text.contains(needle))
        .map_or_else(
            || format!("certificate not trusted ({})", one_line(text)),
            |(_, said)| (*said).to_string(),
        )
}

fn find_io_kind(e: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut kind = None;
    for_each_cause(e, &mut |err| {
        if kind.is_none() {
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                kind = Some(io.kind());
            }
        }
    });
    kind
}

fn io_kind_text(kind: std::io::ErrorKind) -> Option<&'static str> {
    use std::io::ErrorKind as K;
    Some(match kind {
        K::ConnectionRefused => "connection refused",
        K::ConnectionReset => "connection reset by the server",
        K::ConnectionAborted => "connection aborted",
        K::HostUnreachable => "host unreachable",
        K::NetworkUnreachable => "network unreachable",
        K::AddrNotAvailable => "address not available",
        _ => return None,
    })
}

pub(super) fn error_chain(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for_each_cause(e, &mut |err| {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    });
    parts.join(": ")
}

/// The most specific message in the chain.
fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut last = e.to_string();
    for_each_cause(e, &mut |err| last = err.to_string());
    one_line(&last)
}

pub(super) fn one_line(s: &str) -> String {
    scrub_line(s)
}
