use super::*;

fn route(method: &str, path: &str, query: Option<&str>) -> Result<EsRoute, Refusal> {
    parse_route(method, path, query, &IndexPolicy::default())
}

#[test]
fn every_request_the_dashboard_makes_is_allowed() {
    assert_eq!(route("GET", "/", None), Ok(EsRoute::Info));
    assert_eq!(route("GET", "", None), Ok(EsRoute::Info));
    assert!(route("GET", "/_cat/indices", Some("format=json")).is_ok());
    assert!(route("GET", "/logs-*/_field_caps", Some("fields=*")).is_ok());
    assert!(route("POST", "/logstash-*,logs-*/_search", None).is_ok());
    assert!(route("POST", "/_msearch", None).is_ok());
    assert!(route("GET", "/logs-*/_msearch", None).is_ok());
    // a search's paging and query in the URL, as Elasticsearch's reference writes them
    let checked = parse_request(
        "POST",
        "/logs/_search",
        Some("size=0&from=20&pretty&q=level:ERROR&filter_path=hits.total,-took"),
        &IndexPolicy::default(),
    )
    .expect("taken");
    assert_eq!(
        (checked.search.size, checked.search.from),
        (Some(0), Some(20))
    );
    assert_eq!(checked.search.q.as_deref(), Some("level:ERROR"));
    assert_eq!(
        checked.upstream_path(),
        "/logs/_search?filter_path=hits.total,-took"
    );
    for query in [
        "size=1e3",
        "from=+2",
        "filter_path=a%3Db",
        "filter_path=a=b",
    ] {
        assert!(
            route("POST", "/logs/_search", Some(query)).is_err(),
            "{query}"
        );
    }
    assert!(route("POST", "/logs/_count", Some("q=a:b")).is_ok());
    assert!(route("GET", "/logs/_mapping", Some("q=a:b")).is_err());
    assert!(route("GET", "/logs/_mapping", Some("lenient=true")).is_err());
    // an encoded comma between names, and `_mappings`, as clients write them
    assert_eq!(
        route("GET", "/logs-a%2Clogs-b/_mappings", None),
        Ok(EsRoute::Mapping {
            index: IndexExpr("logs-a,logs-b".into())
        })
    );
    assert!(route("GET", "/logs-a%2C..%2F_bulk/_search", None).is_err());
    assert!(route("POST", "/logs/_count", Some("size=0")).is_err());
    assert!(route("HEAD", "/_msearch", None).is_err());
    assert!(route("POST", "/log*/_count", None).is_ok());
    assert!(route("GET", "/logs-app/_mapping", None).is_ok());
}

#[test]
fn upstream_paths_are_rebuilt_from_the_parsed_form() {
    let r = route("GET", "/logs-*/_field_caps", Some("fields=level,user.*")).expect("allowed");
    assert_eq!(r.upstream_path(), "/logs-*/_field_caps?fields=level,user.*");
    assert_eq!(
        route("GET", "/_cat/indices", Some("format=json"))
            .expect("ok")
            .upstream_path(),
        "/_cat/indices?format=json"
    );
}

#[test]
fn what_clients_ask_beside_their_searches_is_read_only_and_within_the_allowlist() {
    assert_eq!(
        route("GET", "/_cluster/health", None),
        Ok(EsRoute::ClusterHealth)
    );
    assert!(route("POST", "/_cluster/health", None).is_err());
    // waiting for a state holds the request open on the cluster: not taken
    assert!(route("GET", "/_cluster/health", Some("wait_for_status=green")).is_err());
    assert!(route("GET", "/_cluster/settings", None).is_err());
    let resolve = parse_request(
        "GET",
        "/_resolve/index/logs-*",
        Some("ignore_unavailable=true"),
        &IndexPolicy::default(),
    )
    .expect("taken");
    assert_eq!(
        resolve.upstream_path(),
        "/_resolve/index/logs-*?ignore_unavailable=true"
    );
    let policy = IndexPolicy {
        allowed: vec!["logs-*".into()],
    };
    assert!(parse_route("GET", "/_resolve/index/*", None, &policy).is_err());
    assert!(parse_route("GET", "/_resolve/index/logs-app*", None, &policy).is_ok());
    assert!(route("GET", "/_resolve/index/.security*", None).is_err());
    let document = route("GET", "/logs-a/_source/e1", None).expect("a read");
    assert_eq!(document.upstream_path(), "/logs-a/_source/e1");
    assert_eq!(
        route("HEAD", "/logs-a", None).map(|r| r.upstream_path()),
        Ok("/logs-a".to_string())
    );
    // (a write by id stays refused, and a plain GET of an index is no read logdash serves)
    assert!(route("POST", "/logs-a/_doc/e1", None).is_err());
    assert!(route("GET", "/logs-a", None).is_err());
    assert!(route("GET", &format!("/logs-a/_doc/{}", "x".repeat(513)), None).is_err());
}

#[test]
fn what_goes_upstream_is_only_what_was_understood() {
    let policy = IndexPolicy::default();
    let checked = parse_request(
        "POST",
        "/logs-*/_search",
        Some("typed_keys=false&ignore_unavailable=true&rest_total_hits_as_int=false"),
        &policy,
    )
    .expect("allowed");
    assert_eq!(
        checked.upstream_path(),
        "/logs-*/_search?ignore_unavailable=true"
    );
    let checked = parse_request(
        "GET",
        "/logs-*/_field_caps",
        Some("allow_no_indices=false&fields=level"),
        &policy,
    )
    .expect("allowed");
    assert_eq!(
        checked.upstream_path(),
        "/logs-*/_field_caps?fields=level&allow_no_indices=false"
    );
    let root = parse_request("GET", "", None, &policy).expect("allowed");
    assert_eq!(root.upstream_path(), "/");
}

#[test]
fn writes_admin_and_tricks_are_refused_with_the_rule() {
    let refused = [
        ("POST", "/_bulk", None, "[_bulk]"),
        ("POST", "/logs/_doc", None, "[_doc]"),
        ("POST", "/logs/_doc/1/_update", None, "[_doc]"),
        ("POST", "/logs/_delete_by_query", None, "[_delete_by_query]"),
        ("POST", "/logs/_update_by_query", None, "[_update_by_query]"),
        ("POST", "/_reindex", None, "[_reindex]"),
        ("PUT", "/_snapshot/repo", None, "method PUT"),
        ("PUT", "/_cluster/settings", None, "method PUT"),
        ("GET", "/_cluster/settings", None, "[_cluster]"),
        ("GET", "/_security/user", None, "[_security]"),
        ("GET", "/_ingest/pipeline", None, "[_ingest]"),
        ("GET", "/_scripts/x", None, "[_scripts]"),
        ("POST", "/logs/_search/template", None, "template"),
        ("POST", "/_sql", None, "[_sql]"),
        ("PUT", "/logs", None, "method PUT"),
        ("DELETE", "/logs", None, "method DELETE"),
        ("POST", "/logs", None, "writing to an index"),
        ("GET", "/.security/_search", None, "outside the indices"),
        ("GET", "/.kibana*/_search", None, "outside the indices"),
        ("GET", "/%2Elogs/_search", None, "percent-encoded"),
        ("GET", "/logs%2F_bulk/_search", None, "percent-encoded"),
        ("GET", "/logs/../_bulk", None, "canonical"),
        ("GET", "/logs//_search", None, "canonical"),
        ("GET", "/logs;x/_search", None, "characters"),
        ("GET", "/LOGS/_search", None, "characters outside"),
        (
            "GET",
            "/logs/_search",
            Some("filter_path=x%3Dy"),
            "[filter_path]",
        ),
        ("GET", "/logs/_search", Some("routing=x"), "[routing]"),
        ("GET", "/logs/_search", Some("source={}"), "[source]"),
        (
            "GET",
            "/logs/_search",
            Some("source_content_type=application/json"),
            "[source_content_type]",
        ),
        ("GET", "/_nodes/stats", None, "[_nodes]"),
    ];
    for (method, path, query, needle) in refused {
        let refusal = route(method, path, query).expect_err(path);
        assert!(
            refusal.rule.contains(needle),
            "{method} {path}: {}",
            refusal.rule
        );
        assert!(refusal.status >= 400);
    }
}

#[test]
fn an_allowlist_limits_which_indices_are_read() {
    let policy = IndexPolicy {
        allowed: vec!["logs-*".into(), "logstash-*".into()],
    };
    assert!(parse_route("POST", "/logs-app/_search", None, &policy).is_ok());
    assert!(parse_route("POST", "/logs-*,logstash-*/_search", None, &policy).is_ok());
    assert!(parse_route("POST", "/secrets/_search", None, &policy).is_err());
    assert!(parse_route("POST", "/*/_search", None, &policy).is_err());
    assert!(parse_route("POST", "/l*/_search", None, &policy).is_err());
    let dot = IndexPolicy {
        allowed: vec![".logdash-*".into()],
    };
    assert!(parse_route("POST", "/.logdash-queries/_search", None, &dot).is_ok());
}

#[test]
fn scheduling_parameters_are_checked_taken_and_not_passed_on() {
    // Grafana's every _msearch
    let grafana = parse_request(
        "POST",
        "/_msearch",
        Some("max_concurrent_shard_requests=5&ignore_throttled=false"),
        &IndexPolicy::default(),
    )
    .expect("taken");
    assert_eq!(grafana.upstream_path(), "/_msearch?ignore_throttled=false");
    let search = "max_concurrent_shard_requests=3&pre_filter_shard_size=1&batched_reduce_size=2&request_cache=true&search_type=query_then_fetch";
    assert!(route("POST", "/logs/_search", Some(search)).is_ok());
    assert!(route("POST", "/_msearch", Some("max_concurrent_searches=2")).is_ok());
    for (path, query, says) in [
        (
            "/_msearch",
            "max_concurrent_shard_requests=0",
            "maxConcurrentShardRequests must be >= 1",
        ),
        (
            "/logs/_search",
            "max_concurrent_shard_requests=x",
            "Failed to parse int parameter",
        ),
        (
            "/logs/_search",
            "batched_reduce_size=1",
            "batchedReduceSize must be >= 2",
        ),
        ("/_msearch", "batched_reduce_size=3", "only for _search"),
        (
            "/logs/_count",
            "pre_filter_shard_size=2",
            "only for _search and _msearch",
        ),
        ("/_msearch", "request_cache=true", "only for _search"),
        (
            "/logs/_search",
            "request_cache=maybe",
            "only [true] or [false]",
        ),
        (
            "/logs/_search",
            "search_type=scan",
            "No search type for [scan]",
        ),
        (
            "/logs/_field_caps",
            "ignore_throttled=true",
            "only for _search, _msearch and _count",
        ),
    ] {
        let refused = route("POST", path, Some(query)).expect_err("refused");
        assert_eq!(refused.status, 400, "{query}");
        assert!(refused.rule.contains(says), "{query}: {}", refused.rule);
    }
    let dfs = route(
        "POST",
        "/logs/_search",
        Some("search_type=dfs_query_then_fetch"),
    );
    assert_eq!(dfs.map_err(|r| r.status), Err(403));
}
