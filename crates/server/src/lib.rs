//! The `logdash` server: the dashboard's files, the read-only Elasticsearch API under
//! `/es/`, and the embedded log store behind it.

pub mod config;
pub mod error;
pub mod es_api;
pub mod web;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use logdash_store::Store;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
    /// The dashboard page's Content-Security-Policy, computed once.
    pub csp: String,
}

impl AppState {
    pub fn new(config: &Config, store: Store) -> Self {
        Self {
            store,
            csp: web::content_security_policy(web::INLINE_SCRIPT_HASHES, &config.frame_ancestors),
        }
    }
}

/// Builds the whole HTTP application; `main` only binds it.
pub fn app(state: Arc<AppState>) -> Router {
    let middleware = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CompressionLayer::new());
    Router::new()
        .merge(es_api::routes())
        .merge(web::routes())
        .layer(middleware)
        .with_state(state)
}
