//! The `logdash` server: the dashboard's files, the read-only Elasticsearch API under
//! `/es/`, the ingest inputs, and the embedded log store behind them.

pub mod backend;
pub mod config;
pub mod demo;
pub mod error;
pub mod es_api;
pub mod export;
pub mod front;
pub mod ingest;
pub mod proxy;
pub mod saved_queries;
pub mod serve;
pub mod short_links;
pub mod tail;
pub mod web;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Response};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use logdash_core::es::route::IndexPolicy;
use logdash_store::Store;
use tower::util::MapResponse;
use tower::ServiceBuilder;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::compression::{Compression, CompressionBody, CompressionLayer};
use tower_http::trace::{Trace, TraceLayer};

pub use config::Config;
pub use front::Front;
use ingest::IngestStats;

/// What answers `/es/`.
pub enum Backend {
    /// The embedded store (the default).
    Embedded(Arc<Store>),
    /// A real cluster, through the read-only proxy.
    Proxy(Arc<proxy::Upstream>),
}

/// What every handler can reach.
pub struct AppState {
    pub backend: Backend,
    /// The dashboard page's Content-Security-Policy, computed once.
    pub csp: String,
    /// `--frame-ancestors`: who may frame the dashboard and drive its embed API.
    pub frame_ancestors: String,
    pub index_policy: IndexPolicy,
    pub max_body_bytes: usize,
    pub ingest: Arc<IngestStats>,
    pub saved_queries: saved_queries::SavedQueries,
    pub short_links: short_links::ShortLinks,
    pub editor_token: Option<String>,
    /// Origins allowed to call the APIs from the browser (CORS); empty: same origin only.
    pub cors_origins: Vec<HeaderValue>,
    /// The push tail's watchers and views (`/api/tail`).
    pub tail: Arc<tail::hub::Hub>,
    /// How many exports may run, and how long a file may be (`/api/export`).
    pub exports: export::Exports,
}

impl AppState {
    /// Embedded mode: `/es/` is the store, saved queries and short links live in its data
    /// directory.
    pub fn embedded(config: &Config, store: Arc<Store>) -> Result<Self, String> {
        let saved = saved_queries::SavedQueries::open_file(store.data_dir())?;
        let links = short_links::ShortLinks::open_file(store.data_dir())?;
        let state = Self::with(config, Backend::Embedded(Arc::clone(&store)), saved, links)?;
        // every event the store takes goes by the push tail's views
        store.on_arrival(Arc::clone(&state.tail) as logdash_store::Arrivals);
        Ok(state)
    }

    /// Proxy mode: `/es/` is the cluster, saved queries and short links live in its indices.
    pub fn proxy(config: &Config, upstream: Arc<proxy::Upstream>) -> Result<Self, String> {
        let saved = saved_queries::SavedQueries::cluster(
            Arc::clone(&upstream),
            config.saved_queries_index.clone(),
        );
        let links = short_links::ShortLinks::cluster(
            Arc::clone(&upstream),
            config.short_links_index.clone(),
        );
        Self::with(config, Backend::Proxy(upstream), saved, links)
    }

    fn with(
        config: &Config,
        backend: Backend,
        saved_queries: saved_queries::SavedQueries,
        short_links: short_links::ShortLinks,
    ) -> Result<Self, String> {
        let cors_origins = config
            .cors_origins
            .iter()
            .map(|origin| origin.trim().trim_end_matches('/'))
            .filter(|origin| !origin.is_empty())
            .map(|origin| {
                HeaderValue::from_str(origin)
                    .ok()
                    .filter(|_| origin.starts_with("http://") || origin.starts_with("https://"))
                    .ok_or_else(|| {
                        format!("--cors-origins: {origin:?} is not an origin like https://portal.example.com")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let polled = matches!(backend, Backend::Proxy(_));
        Ok(Self {
            backend,
            csp: web::content_security_policy(web::INLINE_SCRIPT_HASHES, &config.frame_ancestors),
            frame_ancestors: config.frame_ancestors.clone(),
            index_policy: IndexPolicy {
                allowed: config.allowed_indices.clone(),
            },
            max_body_bytes: config.max_body_bytes,
            ingest: Arc::new(IngestStats::default()),
            saved_queries,
            short_links,
            editor_token: config.editor_token.clone().filter(|t| !t.is_empty()),
            cors_origins,
            tail: tail::hub::Hub::new(
                tail::hub::Limits {
                    max_watchers: config.max_tail_watchers.max(1),
                    max_views: config.max_tail_views.max(1),
                },
                polled,
            ),
            exports: export::Exports::new(config.max_exports, config.export_max_events),
        })
    }
}

/// The whole HTTP application: `Front` (the Elasticsearch API and the router), wrapped
/// once as a whole in what every answer goes through. Wrapping it as a whole rather than
/// each route (as `Router::layer` does) spares every request a boxed service and a boxed
/// future per layer.
pub type App = Layered<Front>;

/// `S` inside tracing, the security headers and compression (outermost first).
pub type Layered<S> = Trace<
    MapResponse<
        Compression<S, web::Compressible>,
        fn(Response<CompressionBody<Body>>) -> Response<CompressionBody<Body>>,
    >,
    SharedClassifier<ServerErrorsAsFailures>,
>;

/// Builds the whole HTTP application; `main` only binds it.
pub fn app(state: Arc<AppState>) -> App {
    let router = Router::new()
        .route("/healthz", get(healthz))
        .merge(saved_queries::routes())
        .merge(short_links::routes())
        .merge(tail::routes())
        .merge(export::routes())
        .route("/config.json", get(web::config_json))
        .merge(web::routes())
        .with_state(Arc::clone(&state));
    layered(Front::new(state, router))
}

/// Wraps `front` in what every answer goes through: tracing, the security headers,
/// compression (outermost first).
pub fn layered<S>(front: S) -> Layered<S> {
    ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .map_response(web::headers::security as fn(_) -> _)
        .layer(CompressionLayer::new().compress_when(web::Compressible))
        .service(front)
}

/// Whether logdash and its backend answer, with the inputs' counters.
async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    match &state.backend {
        Backend::Embedded(store) => Json(serde_json::json!({
            "status": "ok",
            "backend": "embedded",
            "indices": store.index_names().len(),
            "ingest": state.ingest.snapshot(),
            "tail": {"watchers": state.tail.counts().0, "views": state.tail.counts().1},
        }))
        .into_response(),
        Backend::Proxy(upstream) => {
            let answer = upstream
                .forward(
                    Method::GET,
                    "/",
                    "application/json",
                    axum::body::Bytes::new(),
                )
                .await;
            let (status, backend) = match answer {
                Ok(answer) if answer.status.is_success() => {
                    let info: serde_json::Value =
                        serde_json::from_slice(&answer.body).unwrap_or_default();
                    (
                        axum::http::StatusCode::OK,
                        serde_json::json!({"url": upstream.url(), "reachable": true, "version": info["version"]["number"]}),
                    )
                }
                Ok(answer) => (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"url": upstream.url(), "reachable": true, "status": answer.status.as_u16()}),
                ),
                Err(err) => (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"url": upstream.url(), "reachable": false, "error": err.to_string()}),
                ),
            };
            let ok = status == axum::http::StatusCode::OK;
            (
                status,
                Json(serde_json::json!({
                    "status": if ok { "ok" } else { "degraded" },
                    "backend": "elasticsearch",
                    "elasticsearch": backend,
                })),
            )
                .into_response()
        }
    }
}
