//! Outgoing HTTP from a served guest: denied unless granted. A grant
//! (`--allow-outgoing HOST[:PORT]`) names a host, and optionally a port; a
//! request to anything else fails with the WASI HTTP error code
//! `HTTP-request-denied`, which the guest sees as the answer to its
//! request, as it would from a proxy that refuses it.

use std::fmt;
use std::str::FromStr;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// A host (and port) a guest may send HTTP requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingGrant {
    /// The host name or address, lowercase, as in the request's authority
    /// (an IPv6 address in brackets).
    pub host: String,
    /// The port; `None` for any port.
    pub port: Option<u16>,
}

/// Why an `--allow-outgoing` grant could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutgoingGrantError {
    /// The text is not `HOST` or `HOST:PORT`.
    #[error(
        "`{spec}` is not an outgoing grant; expected `HOST` or `HOST:PORT`, e.g. `api.example.com` or `127.0.0.1:8081`"
    )]
    Invalid {
        /// The text given.
        spec: String,
    },
}

impl FromStr for OutgoingGrant {
    type Err = OutgoingGrantError;

    /// Reads `HOST` or `HOST:PORT` (`[::1]:8080` for IPv6).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let invalid = || OutgoingGrantError::Invalid {
            spec: spec.to_string(),
        };
        let authority: http::uri::Authority = spec.parse().map_err(|_| invalid())?;
        let grant = Self {
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16(),
        };
        // The authority parser lets through user info and ports that are
        // no number; a grant is exactly `HOST` or `HOST:PORT`.
        if grant.host.is_empty() || !grant.to_string().eq_ignore_ascii_case(spec) {
            return Err(invalid());
        }
        Ok(grant)
    }
}

impl fmt::Display for OutgoingGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl OutgoingGrant {
    /// Whether the grant covers a request to `host` on `port`.
    fn covers(&self, host: &str, port: u16) -> bool {
        self.host.eq_ignore_ascii_case(host) && self.port.is_none_or(|p| p == port)
    }
}

/// The WASI HTTP hooks of one store: outgoing requests go out only to
/// granted hosts, through wasmtime-wasi-http's own client.
pub(crate) struct Outgoing {
    pub(crate) grants: std::sync::Arc<[OutgoingGrant]>,
}

impl Outgoing {
    fn allows(&self, uri: &http::Uri) -> bool {
        let Some(host) = uri.host() else {
            return false;
        };
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        self.grants.iter().any(|grant| grant.covers(host, port))
    }
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), Error>> + Send>,
)>;

impl WasiHttpHooks for Outgoing {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        drop(fut);
        if !self.allows(request.uri()) {
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_names_a_host_and_maybe_a_port() {
        let any: OutgoingGrant = "API.example.com".parse().unwrap();
        assert_eq!(any.host, "api.example.com");
        assert_eq!(any.port, None);
        assert!(any.covers("api.example.com", 443));
        assert!(!any.covers("example.com", 443));
        let one: OutgoingGrant = "127.0.0.1:8081".parse().unwrap();
        assert!(one.covers("127.0.0.1", 8081));
        assert!(!one.covers("127.0.0.1", 8082));
        let v6: OutgoingGrant = "[::1]:80".parse().unwrap();
        assert_eq!(v6.to_string(), "[::1]:80");
        for bad in ["", "user@host", "host:port", "http://host/"] {
            assert!(bad.parse::<OutgoingGrant>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_granted_authorities_may_be_asked() {
        let outgoing = Outgoing {
            grants: vec!["127.0.0.1:8081".parse().unwrap()].into(),
        };
        assert!(outgoing.allows(&"http://127.0.0.1:8081/ok".parse().unwrap()));
        assert!(!outgoing.allows(&"http://127.0.0.1:8082/ok".parse().unwrap()));
        assert!(!outgoing.allows(&"http://127.0.0.1/ok".parse().unwrap()));
        assert!(!outgoing.allows(&"/relative".parse().unwrap()));
    }
}
