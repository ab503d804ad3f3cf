//! Benchmark of what the HTTP middleware costs per request, in process (no sockets): a
//! proxied search's answer (a stand-in, not forwarded) gets CORS, tracing, the security
//! headers and compression as the server gives them now (`logdash_server::layered` once
//! around CORS and the answer, as `logdash_server::front` does for `/es/`) and, for
//! comparison, as before: the same layers around every route of an axum router shaped like
//! the server's (`Router::layer`).
//!
//! `cargo run --release -p logdash-server --example layers_bench -- [REQUESTS]`
//! (default 300000 per variant and round; 5 rounds, variants in turn).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

use std::sync::Arc;
use std::time::Instant;

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn_with_state, map_response, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use clap::Parser;
use logdash_server::web::headers;
use logdash_server::{layered, proxy, AppState, Config};
use tower::util::BoxCloneService;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// As in the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 5;

/// A small search answer, as the proxy hands it on.
async fn answer() -> Response {
    let mut response = Response::new(Body::from(r#"{"took":1,"hits":{"hits":[]}}"#));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Routes shaped like the server's: `/es/`, an API, a fallback for the files.
fn routes() -> Router {
    Router::new()
        .route("/es/{*rest}", any(answer))
        .route("/api/saved-queries", get(answer))
        .fallback(get(answer))
}

/// The state of a proxy-mode server that lets one other origin call its APIs.
fn state() -> Arc<AppState> {
    let url = "http://127.0.0.1:9";
    let config = Config::parse_from([
        "logdash",
        "--elasticsearch",
        url,
        "--cors-origins",
        "http://portal.example",
    ]);
    let upstream = proxy::Upstream::new(&proxy::UpstreamConfig::from_config(url, &config));
    Arc::new(AppState::proxy(&config, Arc::new(upstream.unwrap())).unwrap())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300_000);
    let state = state();
    // CORS as the server applies it to `/es/` (`logdash_server::front`), and as a layer
    let cors_then_answer = |state: Arc<AppState>| {
        tower::service_fn(move |request| {
            let state = Arc::clone(&state);
            Box::pin(async move {
                Ok::<_, Infallible>(headers::cors(&state.cors_origins, request, |_| answer()).await)
            })
        })
    };
    let cors_layer = || {
        from_fn_with_state(
            Arc::clone(&state),
            |State(state): State<Arc<AppState>>, request: Request, next: Next| async move {
                headers::cors(&state.cors_origins, request, |request| next.run(request)).await
            },
        )
    };
    let variants: Vec<(&str, BoxCloneService<Request, Response, Infallible>)> = vec![
        ("no layer (the router)", BoxCloneService::new(routes())),
        (
            "all, around every route of the router (Router::layer: before)",
            BoxCloneService::new(
                routes()
                    .layer(cors_layer())
                    .layer(CompressionLayer::new())
                    .layer(map_response(|response: Response| async move {
                        headers::security(response)
                    }))
                    .layer(TraceLayer::new_for_http()),
            ),
        ),
        (
            "all, once around CORS and the answer (logdash_server::layered: now)",
            BoxCloneService::new(ServiceExt::<Request>::map_response(
                layered(cors_then_answer(Arc::clone(&state))),
                |response| response.map(Body::new),
            )),
        ),
    ];
    let mut seconds = vec![0.0; variants.len()];
    for _ in 0..ROUNDS {
        for ((_, app), total) in variants.iter().zip(&mut seconds) {
            let start = Instant::now();
            for _ in 0..requests {
                let request = Request::builder()
                    .method("POST")
                    .uri("/es/logs-*/_search")
                    .header(header::ORIGIN, "http://portal.example")
                    .header(header::HOST, "bench")
                    .body(Body::empty())
                    .unwrap();
                let response = app.clone().oneshot(request).await.unwrap();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20).await;
                std::hint::black_box(body.unwrap());
            }
            *total += start.elapsed().as_secs_f64();
        }
    }
    println!("| layers around a proxied search's answer, in process | time per request |");
    println!("|---|---|");
    for ((name, _), total) in variants.iter().zip(seconds) {
        let per_request = total * 1e9 / (ROUNDS * requests) as f64;
        println!("| {name} | {per_request:.0} ns |");
    }
}
