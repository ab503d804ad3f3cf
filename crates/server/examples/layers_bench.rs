//! Benchmark of what each HTTP middleware layer costs per request, in process (no sockets):
//! a proxied search's answer passes the same layers as in `logdash_server::app` (trace,
//! security headers, compression, CORS, stacked in the same order), priced one at a time
//! against none.
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

use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn_with_state, map_response};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use clap::Parser;
use logdash_server::web::headers;
use logdash_server::{proxy, AppState, Config};
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// As in the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 5;

/// A small search answer, as the proxy hands it on.
async fn answer() -> Response {
    let mut response = Response::new(axum::body::Body::from(r#"{"took":1,"hits":{"hits":[]}}"#));
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
    let cors = || from_fn_with_state(Arc::clone(&state), headers::cors);
    let variants: Vec<(&str, Router)> = vec![
        ("no layer", routes()),
        ("trace", routes().layer(TraceLayer::new_for_http())),
        (
            "security headers",
            routes().layer(map_response(headers::security)),
        ),
        ("compression", routes().layer(CompressionLayer::new())),
        ("CORS", routes().layer(cors())),
        (
            "all, as the server stacks them",
            routes()
                .layer(cors())
                .layer(CompressionLayer::new())
                .layer(map_response(headers::security))
                .layer(TraceLayer::new_for_http()),
        ),
    ];
    let mut seconds = vec![0.0; variants.len()];
    for _ in 0..ROUNDS {
        for ((_, app), total) in variants.iter().zip(&mut seconds) {
            let start = Instant::now();
            for _ in 0..requests {
                let request = axum::http::Request::builder()
                    .method("POST")
                    .uri("/es/logs-*/_search")
                    .header(header::ORIGIN, "http://portal.example")
                    .header(header::HOST, "bench")
                    .body(axum::body::Body::empty())
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
