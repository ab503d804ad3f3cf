//! Headers the server adds to answers: the security headers every answer carries (mapped
//! onto every answer by `logdash_server::layered`), and CORS for the APIs, for the
//! configured origins only (applied by `front`). Both run on every request, so they are
//! plain functions over the request and response rather than tower-http's CORS and
//! set-header layers, which clone their configuration and build a header map for every
//! request (`layers_bench` in BENCHMARKS.md).

use std::future::Future;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::response::Response;

/// `X-Elastic-Product: Elasticsearch`, on every answer of the Elasticsearch API (`/es/` and
/// the ingest port): official clients (8.x on) refuse answers without it.
pub const ELASTIC_PRODUCT: (HeaderName, HeaderValue) = (
    HeaderName::from_static("x-elastic-product"),
    HeaderValue::from_static("Elasticsearch"),
);

/// What a browser may send cross-origin to the APIs, and how long it may remember that.
const ALLOW_METHODS: &str = "GET,POST,PUT,DELETE";
const ALLOW_HEADERS: &str = "content-type,authorization";
const MAX_AGE_SECONDS: &str = "600";
/// What an answer to a cross-origin request depends on, for caches in between: the origin,
/// and for a preflight also what it asks to send.
const VARY: &str = "origin";
const VARY_PREFLIGHT: &str =
    "origin, access-control-request-method, access-control-request-headers";

/// Every answer: no content sniffing, no referrer sent on from the dashboard.
pub fn security<B>(mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// CORS for the APIs: an origin in `allowed` gets `Access-Control-Allow-Origin` on its
/// answers and on preflights (`OPTIONS`), which are answered here; any other origin gets
/// neither, so its browser refuses to hand the answer to the page. `answer` answers the
/// requests that are not preflights.
pub async fn cors<F: Future<Output = Response>>(
    allowed: &[HeaderValue],
    request: Request,
    answer: impl FnOnce(Request) -> F,
) -> Response {
    let origin = allowed_origin(request.headers(), allowed);
    let any_origins = !allowed.is_empty();
    if request.method() == Method::OPTIONS {
        return preflight(origin, any_origins);
    }
    let mut response = answer(request).await;
    add_cors(response.headers_mut(), origin, any_origins, VARY);
    response
}

/// The request's `Origin` when it is one of `allowed` (compared byte for byte, as browsers
/// send it: scheme, host and port, no path).
fn allowed_origin(headers: &HeaderMap, allowed: &[HeaderValue]) -> Option<HeaderValue> {
    headers
        .get(header::ORIGIN)
        .filter(|origin| allowed.contains(origin))
        .cloned()
}

fn preflight(origin: Option<HeaderValue>, any_origins: bool) -> Response {
    let mut response = Response::new(Body::empty());
    let allowed = origin.is_some();
    let headers = response.headers_mut();
    add_cors(headers, origin, any_origins, VARY_PREFLIGHT);
    if allowed {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECONDS),
        );
    }
    response
}

/// `origin` allowed, if any; and `Vary` whenever some origin may be (the answer then
/// depends on who asks).
fn add_cors(
    headers: &mut HeaderMap,
    origin: Option<HeaderValue>,
    any_origins: bool,
    vary: &'static str,
) {
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    if any_origins {
        headers.append(header::VARY, HeaderValue::from_static(vary));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn with_origin(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_str(origin).expect("a header value"),
        );
        headers
    }

    #[test]
    fn only_listed_origins_are_allowed_exactly() {
        let allowed = [HeaderValue::from_static("https://portal.example.com")];
        let found = |origin: &str| allowed_origin(&with_origin(origin), &allowed);
        assert!(found("https://portal.example.com").is_some());
        assert!(found("https://portal.example.com.evil.net").is_none());
        assert!(found("http://portal.example.com").is_none());
        assert!(found("https://portal.example.com:8443").is_none());
        assert!(found("null").is_none());
        assert!(allowed_origin(&HeaderMap::new(), &allowed).is_none());
        assert!(allowed_origin(&with_origin("https://portal.example.com"), &[]).is_none());
    }

    #[test]
    fn preflights_say_what_may_be_sent_only_to_allowed_origins() {
        let allowed = preflight(
            Some(HeaderValue::from_static("https://portal.example.com")),
            true,
        );
        assert_eq!(allowed.status(), StatusCode::OK);
        let headers = allowed.headers();
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://portal.example.com"
        );
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], ALLOW_METHODS);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS], ALLOW_HEADERS);
        assert_eq!(headers[header::VARY], VARY_PREFLIGHT);

        let refused = preflight(None, true);
        assert!(refused
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none());
        assert!(refused
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_METHODS)
            .is_none());
        assert_eq!(refused.headers()[header::VARY], VARY_PREFLIGHT);

        // same origin only: nothing varies with the origin
        assert!(preflight(None, false).headers().is_empty());
    }
}
