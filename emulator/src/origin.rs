//! The origin (`scheme://host[:port]`) a client addressed. Every absolute URL the
//! emulator writes (`@odata.nextLink`, `@odata.context`, `@odata.id`, discovery
//! documents) starts with it, so links lead back to where the client came from, also
//! behind a TLS front (`X-Forwarded-Proto`, `X-Forwarded-Host`).

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{Extensions, HeaderMap, Uri, header};
use axum::middleware::Next;
use axum::response::Response;

/// The scheme a listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    /// Plain HTTP.
    #[default]
    Http,
    /// HTTPS (the emulator's own TLS, see `Options::tls`).
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Where the client addressed the emulator; kept in the request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: &'static str,
    host: String,
}

impl Origin {
    /// The origin of a request that reached a `listener` listener: the forwarded
    /// scheme and host when a front sent them, else the listener's scheme and `Host`.
    pub fn from_request(headers: &HeaderMap, uri: &Uri, listener: Scheme) -> Origin {
        let scheme = match first_value(headers, "x-forwarded-proto") {
            Some(p) if p.eq_ignore_ascii_case("https") => "https",
            Some(p) if p.eq_ignore_ascii_case("http") => "http",
            _ => listener.as_str(),
        };
        let host = first_value(headers, "x-forwarded-host")
            .and_then(valid_host)
            .or_else(|| {
                headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .and_then(valid_host)
            })
            .or_else(|| uri.authority().and_then(|a| valid_host(a.as_str())))
            .unwrap_or_else(|| "localhost".to_owned());
        Origin { scheme, host }
    }

    /// The origin recorded by [`record`], or one computed from the headers (plain HTTP).
    pub fn of(headers: &HeaderMap, uri: &Uri, extensions: &Extensions) -> Origin {
        extensions
            .get::<Origin>()
            .cloned()
            .unwrap_or_else(|| Origin::from_request(headers, uri, Scheme::Http))
    }

    /// `scheme://host[:port]`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }

    /// `host[:port]`.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// The first of a header's comma-separated values, trimmed (absent when empty).
fn first_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .split(',')
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `host[:port]` when it is a plain authority (no user info, nothing after it).
fn valid_host(value: &str) -> Option<String> {
    let a: Authority = value.trim().parse().ok()?;
    (!a.as_str().contains('@') && !a.host().is_empty()).then(|| a.as_str().to_owned())
}

/// Middleware: records the request's [`Origin`] for a listener serving `scheme`.
pub async fn record(State(scheme): State<Scheme>, mut req: Request, next: Next) -> Response {
    let origin = Origin::from_request(req.headers(), req.uri(), scheme);
    req.extensions_mut().insert(origin);
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Origin::of(&parts.headers, &parts.uri, &parts.extensions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(pairs: &[(&'static str, &str)], listener: Scheme) -> String {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, v.parse().unwrap());
        }
        Origin::from_request(&headers, &Uri::from_static("/v1.0/users"), listener).url()
    }

    #[test]
    fn uses_host_and_listener_scheme() {
        assert_eq!(
            origin(&[("host", "127.0.0.1:8080")], Scheme::Http),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin(&[("host", "localhost:8443")], Scheme::Https),
            "https://localhost:8443"
        );
        assert_eq!(origin(&[], Scheme::Http), "http://localhost");
    }

    #[test]
    fn honours_forwarded_headers_first_value() {
        let forwarded = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "HTTPS, http"),
            ("x-forwarded-host", "graph.example.test, inner.local"),
        ];
        assert_eq!(
            origin(&forwarded, Scheme::Http),
            "https://graph.example.test"
        );
        let proto_only = [("host", "a.test:1"), ("x-forwarded-proto", "https")];
        assert_eq!(origin(&proto_only, Scheme::Http), "https://a.test:1");
    }

    #[test]
    fn ignores_unusable_forwarded_values() {
        let bad = [
            ("host", "a.test"),
            ("x-forwarded-proto", "gopher"),
            ("x-forwarded-host", "evil.test/path"),
        ];
        assert_eq!(origin(&bad, Scheme::Https), "https://a.test");
        let userinfo = [("host", "a.test"), ("x-forwarded-host", "u@b.test")];
        assert_eq!(origin(&userinfo, Scheme::Http), "http://a.test");
    }
}
