//! The `logdash` server: the dashboard's files, the read-only Elasticsearch API under
//! `/es/`, the ingest inputs, and the embedded log store behind them.

pub mod config;
pub mod demo;
pub mod error;
pub mod es_api;
pub mod ingest;
pub mod web;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use logdash_core::es::route::IndexPolicy;
use logdash_store::Store;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
use ingest::IngestStats;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<Store>,
    /// The dashboard page's Content-Security-Policy, computed once.
    pub csp: String,
    pub index_policy: IndexPolicy,
    pub max_body_bytes: usize,
    pub ingest: Arc<IngestStats>,
}

impl AppState {
    pub fn new(config: &Config, store: Arc<Store>) -> Self {
        Self {
            store,
            csp: web::content_security_policy(web::INLINE_SCRIPT_HASHES, &config.frame_ancestors),
            index_policy: IndexPolicy {
                allowed: config.allowed_indices.clone(),
            },
            max_body_bytes: config.max_body_bytes,
            ingest: Arc::new(IngestStats::default()),
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
        .route("/healthz", get(healthz))
        .merge(es_api::routes())
        .merge(web::routes())
        .layer(middleware)
        .with_state(state)
}

/// Whether logdash and its store answer, with the inputs' counters.
async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    Json(serde_json::json!({
        "status": "ok",
        "backend": "embedded",
        "indices": state.store.index_names().len(),
        "ingest": state.ingest.snapshot(),
    }))
}
