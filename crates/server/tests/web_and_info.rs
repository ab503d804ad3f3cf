//! Over real HTTP on loopback: the dashboard page's headers and `GET /es/`.

mod common;

use common::{request, start};

#[tokio::test]
async fn es_root_answers_cluster_info_in_elasticsearch_shape() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/es/", "").await;
    assert_eq!(answer.status, 200);
    let info = answer.json();
    assert_eq!(info["version"]["number"], "8.15.0");
    assert_eq!(info["cluster_name"], "logdash");
    assert_eq!(info["tagline"], "You Know, for Search");
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn unknown_es_endpoint_gets_an_elasticsearch_error() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/es/logs/_termvectors", "").await;
    assert_eq!(answer.status, 404);
    let error = answer.json();
    assert_eq!(error["status"], 404);
    assert!(
        error["error"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("logs/_termvectors")),
        "{error}"
    );
}

#[tokio::test]
async fn dashboard_page_carries_a_strict_content_security_policy() {
    let server = start(&["--frame-ancestors", "'self' https://portal.example"]).await;
    let answer = request(&server, "GET", "/", "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    let csp = answer.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self' https://portal.example"),
        "{csp}"
    );
    assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
}

#[tokio::test]
async fn config_json_points_the_dashboard_at_its_apis() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/config.json", "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["esBase"], "es");
}
