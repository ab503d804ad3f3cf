//! Which part of logdash answers a request. `/es/` goes straight to the Elasticsearch API
//! (`es_api`), which routes by itself (core's `es::route` reads every path it allows);
//! everything else goes through axum's router. The APIs (`/es/`, `/api/`, `/config.json`)
//! get CORS on the way.
//!
//! `/es/` is the path every dashboard panel and the stream poll, and in proxy mode each of
//! its requests is forwarded: dispatching it here, before the router, spares it the router's
//! boxed route and catch-all path parameter (about a tenth of logdash's own work per proxied
//! search; BENCHMARKS.md).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use axum::{BoxError, Router};
use tower::Service;

use crate::web::headers;
use crate::{es_api, AppState};

/// The application behind the layers: the Elasticsearch API and the router.
#[derive(Clone)]
pub struct Front {
    state: Arc<AppState>,
    router: Router,
}

impl Front {
    /// `router` answers everything but `/es/`.
    pub fn new(state: Arc<AppState>, router: Router) -> Self {
        Self { state, router }
    }
}

/// The APIs a dashboard hosted elsewhere calls, which CORS applies to.
fn is_api(path: &str) -> bool {
    es_api::owns(path) || path.starts_with("/api/") || path == "/config.json"
}

impl<B> Service<Request<B>> for Front
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let request = request.map(Body::new);
        let state = Arc::clone(&self.state);
        let mut router = self.router.clone();
        Box::pin(async move {
            let path = request.uri().path();
            if !is_api(path) {
                return router.call(request).await;
            }
            let es = es_api::owns(path);
            let for_es = Arc::clone(&state);
            Ok(
                headers::cors(&state.cors_origins, request, |request| async move {
                    if es {
                        let mut response = es_api::handle(for_es, request).await;
                        let (name, value) = headers::ELASTIC_PRODUCT;
                        response.headers_mut().insert(name, value);
                        response
                    } else {
                        router
                            .call(request)
                            .await
                            .unwrap_or_else(|never| match never {})
                    }
                })
                .await,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_are_told_apart_by_their_paths() {
        for api in [
            "/es",
            "/es/",
            "/es/logs-*/_search",
            "/api/saved-queries",
            "/config.json",
        ] {
            assert!(is_api(api), "{api}");
        }
        for page in [
            "/",
            "/index.html",
            "/esx",
            "/ES/",
            "/api",
            "/app.wasm",
            "/healthz",
        ] {
            assert!(!is_api(page), "{page}");
        }
    }
}
