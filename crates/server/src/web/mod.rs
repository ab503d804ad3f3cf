//! The dashboard's files, built into the binary, served with security and cache headers.

mod csp;
pub mod headers;
mod preload;

use std::sync::Arc;

use axum::body::HttpBody;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::predicate::{Predicate, SizeAbove};

use crate::AppState;

/// One file of the built dashboard.
pub struct Asset {
    pub route: &'static str,
    pub body: &'static [u8],
    /// The file gzipped when it was built (text and wasm), sent to browsers that take gzip.
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub use csp::content_security_policy;

/// Which answers compression compresses: those of 32 bytes or more that are neither images
/// (other than SVG) nor event streams (the push tail's, which must go out event by event).
/// This is tower-http's default less its check for gRPC, which logdash never serves, read
/// with one header lookup instead of three.
#[derive(Debug, Clone, Copy)]
pub struct Compressible;

impl Predicate for Compressible {
    fn should_compress<B: HttpBody>(&self, response: &Response<B>) -> bool {
        let image = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(HeaderValue::as_bytes)
            .is_some_and(|kind| {
                (starts_with_ignoring_case(kind, b"image/")
                    && !starts_with_ignoring_case(kind, b"image/svg+xml"))
                    || starts_with_ignoring_case(kind, b"text/event-stream")
            });
        !image && SizeAbove::default().should_compress(response)
    }
}

fn starts_with_ignoring_case(text: &[u8], prefix: &[u8]) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/", get(index)).fallback(get(asset))
}

/// The dashboard's page, naming the first request its view makes (`preload`).
async fn index(State(state): State<Arc<AppState>>, uri: Uri) -> Response {
    let Some(page) = find("/index.html") else {
        return page_response(&state, NOT_BUILT_PAGE.as_bytes().into());
    };
    let preloading = std::str::from_utf8(page.body)
        .ok()
        .and_then(|page| preload::with_field_caps_preload(page, uri.query().unwrap_or("")));
    match preloading {
        Some(page) => page_response(&state, page.into_bytes().into()),
        None => page_response(&state, page.body.into()),
    }
}

/// Tells a dashboard where its APIs are; a statically hosted copy gets its own file.
pub async fn config_json(State(state): State<Arc<AppState>>) -> Response {
    // who may frame the dashboard may also drive it (the embed API's postMessage)
    let body = serde_json::json!({
        "esBase": "es",
        "apiBase": "api",
        "frameAncestors": state.frame_ancestors,
    })
    .to_string();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn asset(uri: Uri, headers: HeaderMap) -> Response {
    let Some(file) = find(uri.path()) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let cache = if is_content_hashed(file.route) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let kind = content_type(file.route);
    let gzip = file
        .gzip
        .filter(|_| accepts_gzip(headers.get(header::ACCEPT_ENCODING)));
    match gzip {
        // (the compression layer leaves an answer that names its encoding as it is)
        Some(packed) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, cache),
                (header::CONTENT_ENCODING, "gzip"),
                (header::VARY, "accept-encoding"),
            ],
            packed,
        )
            .into_response(),
        None => (
            [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, cache)],
            file.body,
        )
            .into_response(),
    }
}

/// Whether an `Accept-Encoding` header takes gzip: named, or `*`, with a weight above 0.
fn accepts_gzip(accept: Option<&HeaderValue>) -> bool {
    let Some(accept) = accept.and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let mut any = false;
    for coding in accept.split(',') {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim();
        let weight = parts
            .find_map(|param| {
                let (key, value) = param.split_once('=')?;
                (key.trim().eq_ignore_ascii_case("q")).then(|| value.trim().parse::<f32>().ok())?
            })
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case("gzip") {
            return weight > 0.0;
        }
        if name == "*" {
            any = weight > 0.0;
        }
    }
    any
}

fn page_response(state: &AppState, body: axum::body::Body) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&state.csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn find(route: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.route == route)
}

/// Trunk names built files `name-<16 hex digits>.ext`; those never change, so cache them for good.
fn is_content_hashed(route: &str) -> bool {
    let stem = route.rsplit('/').next().unwrap_or(route);
    let stem = stem.split('.').next().unwrap_or(stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit('-')
        .next()
        .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn content_type(route: &str) -> &'static str {
    match route.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

const NOT_BUILT_PAGE: &str = "<!doctype html><title>logdash</title>\
<p>This logdash binary was built without its dashboard. Build it with <code>make run</code>.</p>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_sent_to_those_who_take_it() {
        let takes = |accept: &str| accepts_gzip(HeaderValue::from_str(accept).ok().as_ref());
        assert!(takes("gzip, deflate, br, zstd"));
        assert!(takes("GZIP"));
        assert!(takes("br;q=1.0, gzip;q=0.5"));
        assert!(takes("*"));
        assert!(!takes("gzip;q=0"));
        assert!(!takes("*, gzip;q=0"));
        assert!(!takes("identity"));
        assert!(!takes("br, deflate"));
        assert!(!takes(""));
        assert!(!accepts_gzip(None));
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(is_content_hashed("/logdash-app-6f0e8fa3c6e91f4a_bg.wasm"));
        assert!(is_content_hashed("/logdash-app-6f0e8fa3c6e91f4a.js"));
        assert!(is_content_hashed("/main-0123456789abcdef.css"));
        assert!(!is_content_hashed("/index.html"));
        assert!(!is_content_hashed("/favicon.svg"));
        assert!(!is_content_hashed("/my-logo.svg"));
    }

    #[test]
    fn compresses_answers_of_32_bytes_or_more_except_images_other_than_svg() {
        let answer = |kind: &str, bytes: usize| {
            let mut response = Response::new(axum::body::Body::from(vec![b'x'; bytes]));
            if let Ok(kind) = HeaderValue::from_str(kind) {
                response.headers_mut().insert(header::CONTENT_TYPE, kind);
            }
            Compressible.should_compress(&response)
        };
        assert!(answer("application/json", 100));
        assert!(answer("image/svg+xml", 100));
        assert!(answer("IMAGE/SVG+XML", 100));
        assert!(!answer("application/json", 10));
        assert!(!answer("image/png", 100));
        assert!(!answer("Image/PNG", 100));
        assert!(!answer("image/", 100));
        assert!(!answer("text/event-stream", 100));
    }
}
