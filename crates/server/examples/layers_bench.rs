//! Benchmark of what each HTTP middleware layer costs per request, in process (no sockets):
//! a proxied search's answer passes the same layers as in `logdash_server::app` (trace,
//! security headers, compression, CORS), priced one at a time against none.
//!
//! `cargo run --release -p logdash-server --example layers_bench -- [REQUESTS]`
//! (default 300000 per variant and round; 5 rounds, variants in turn).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

use std::time::Instant;

use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
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

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list([HeaderValue::from_static(
            "http://portal.example",
        )]))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(std::time::Duration::from_secs(600))
}

fn security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300_000);
    let variants: Vec<(&str, Router)> = vec![
        ("no layer", routes()),
        ("trace", routes().layer(TraceLayer::new_for_http())),
        ("security headers (2)", security_headers(routes())),
        ("compression", routes().layer(CompressionLayer::new())),
        ("CORS", routes().layer(cors())),
        (
            "all, as the server stacks them",
            security_headers(routes().layer(cors()).layer(CompressionLayer::new()))
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
