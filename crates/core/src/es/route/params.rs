//! The query parameters `/es/` accepts, and the ones it passes on to the cluster.

use super::url_search::UrlSearch;
use super::{EsRoute, Refusal};
use crate::es::cat::CatOptions;

/// How an index expression treats names that match nothing, as the request asked (unset:
/// the cluster's defaults); passed on to the cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexOptions {
    pub ignore_unavailable: Option<bool>,
    pub allow_no_indices: Option<bool>,
    /// Whether frozen indices are left out (deprecated in Elasticsearch 8; Grafana sends
    /// `false` to include them). The store has none.
    pub ignore_throttled: Option<bool>,
}

impl IndexOptions {
    /// `&`-joined parameters for the upstream URL (empty when none was asked for).
    pub fn query(&self) -> String {
        [
            ("ignore_unavailable", self.ignore_unavailable),
            ("allow_no_indices", self.allow_no_indices),
            ("ignore_throttled", self.ignore_throttled),
        ]
        .iter()
        .filter_map(|(key, value)| value.map(|v| format!("{key}={v}")))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// What a refusal of another parameter lists.
const ACCEPTED: &str = concat!(
    "format=json (with h, s, health, bytes and v on _cat), fields, ignore_unavailable, allow_no_indices, ",
    "ignore_throttled, filter_path, pretty, rest_total_hits_as_int, typed_keys, a search's size, from, sort, ",
    "_source, _source_includes, _source_excludes, q, df, default_operator, analyze_wildcard and lenient, ",
    "and how it is scheduled: max_concurrent_shard_requests, max_concurrent_searches, ",
    "pre_filter_shard_size, batched_reduce_size, request_cache and search_type=query_then_fetch"
);

/// Parameters that schedule a search on a cluster's shards, which Grafana and other clients
/// send (`_msearch?max_concurrent_shard_requests=5` with every query): checked as
/// Elasticsearch checks them and taken, on the routes that take them. They change no
/// answer; the store has one shard, and a cluster is left to its own defaults.
/// (name, the least value, Elasticsearch's words for less, routes: `s` search, `m` msearch)
const SCHEDULING: [(&str, i64, &str, &str); 4] = [
    (
        "max_concurrent_shard_requests",
        1,
        "maxConcurrentShardRequests must be >= 1",
        "sm",
    ),
    (
        "pre_filter_shard_size",
        1,
        "preFilterShardSize must be >= 1",
        "sm",
    ),
    (
        "batched_reduce_size",
        2,
        "batchedReduceSize must be >= 2",
        "s",
    ),
    (
        "max_concurrent_searches",
        1,
        "maxConcurrentSearchRequests must be positive",
        "m",
    ),
];

/// The query parameters logdash accepts; anything else (`filter_path`, `source`, ...) is refused.
#[derive(Debug, Default)]
pub(super) struct QueryParams {
    pub fields: Option<String>,
    format_json: bool,
    pub options: IndexOptions,
    pub search: UrlSearch,
    /// `filter_path`, checked to hold only names, patterns and `-`.
    pub filter_path: Option<String>,
    /// `_cat/indices`' `h`, `s`, `health` and `bytes`.
    pub cat: CatOptions,
    /// Scheduling parameters given (see [`SCHEDULING`]), with the routes that take each.
    scheduling: Vec<(&'static str, &'static str)>,
    /// `scroll`'s keep-alive (checked by `core::es::scroll::keep_alive`).
    pub scroll: Option<String>,
    /// `scroll_id`, for a scroll's next page.
    pub scroll_id: Option<String>,
}

impl QueryParams {
    pub(super) fn parse(query: Option<&str>) -> Result<Self, Refusal> {
        let mut params = QueryParams::default();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            // (`q`'s text is decoded, and goes on only inside the checked body)
            if key != "q" && key != "df" && params.search.read(key, value)? {
                continue;
            }
            if params
                .cat
                .read(key, value)
                .map_err(|(status, rule)| Refusal { status, rule })?
            {
                continue;
            }
            if key.contains('%')
                || value.contains('%') && !["fields", "filter_path", "q", "df"].contains(&key)
            {
                return Err(Refusal::forbidden(format!(
                    "percent-encoded query parameter [{key}] is refused"
                )));
            }
            match key {
                "format" if value == "json" => params.format_json = true,
                "fields" | "filter_path" => {
                    let decoded = super::commas_decoded(value);
                    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_.*@,".contains(&b);
                    if decoded.contains('%') || !decoded.bytes().all(plain) {
                        return Err(Refusal::forbidden(format!(
                            "[{key}] may hold only field names and patterns"
                        )));
                    }
                    if key == "fields" {
                        params.fields = Some(decoded);
                    } else {
                        params.filter_path = Some(decoded);
                    }
                }
                "q" | "df" => {
                    params.search.read(key, value)?;
                }
                "ignore_unavailable" | "allow_no_indices" | "ignore_throttled"
                    if value == "true" || value == "false" =>
                {
                    let flag = Some(value == "true");
                    match key {
                        "ignore_unavailable" => params.options.ignore_unavailable = flag,
                        "allow_no_indices" => params.options.allow_no_indices = flag,
                        _ => params.options.ignore_throttled = flag,
                    }
                }
                "request_cache" => {
                    if value != "true" && value != "false" {
                        return Err(Refusal {
                            status: 400,
                            rule: format!("Failed to parse value [{value}] as only [true] or [false] are allowed."),
                        });
                    }
                    params.scheduling.push(("request_cache", "s"));
                }
                "search_type" => match value {
                    "query_then_fetch" => params.scheduling.push(("search_type", "sm")),
                    // as an `_msearch` header's: every shard asked twice, for scores alone
                    "dfs_query_then_fetch" => return Err(Refusal::forbidden(
                        "[search_type] dfs_query_then_fetch is not allowed, only query_then_fetch",
                    )),
                    other => {
                        return Err(Refusal {
                            status: 400,
                            rule: format!("No search type for [{other}]"),
                        })
                    }
                },
                "scroll" => {
                    crate::es::scroll::keep_alive(value)?;
                    params.scroll = Some(value.to_string());
                }
                "scroll_id" => params.scroll_id = Some(value.to_string()),
                // how the answer is indented: nothing a check needs to see, and not passed on
                "pretty" if value.is_empty() || value == "true" || value == "false" => {}
                other => {
                    let Some(&(name, least, below, routes)) =
                        SCHEDULING.iter().find(|(name, ..)| *name == other)
                    else {
                        return Err(Refusal::forbidden(format!(
                            "query parameter [{other}] is not allowed (logdash accepts {ACCEPTED})"
                        )));
                    };
                    let number: i64 = value.parse().map_err(|_| Refusal {
                        status: 400,
                        rule: format!(
                            "Failed to parse int parameter [{name}] with value [{value}]"
                        ),
                    })?;
                    if number < least {
                        return Err(Refusal {
                            status: 400,
                            rule: below.to_string(),
                        });
                    }
                    params.scheduling.push((name, routes));
                }
            }
        }
        Ok(params)
    }

    pub(super) fn check_for(&self, route: &EsRoute) -> Result<(), Refusal> {
        if matches!(route, EsRoute::CatIndices { .. }) && !self.format_json {
            return Err(Refusal {
                status: 400,
                rule: "_cat/indices needs format=json".into(),
            });
        }
        // (Elasticsearch refuses a parameter its route does not take with a 400)
        if self.search.pages() && !matches!(route, EsRoute::Search { .. }) {
            return Err(Refusal {
                status: 400,
                rule: "query parameters [size], [from], [sort] and [_source] are only for _search"
                    .into(),
            });
        }
        let searches = matches!(route, EsRoute::Search { .. } | EsRoute::Msearch { .. });
        if let (Some(key), false) = (self.search.passed_flags().first(), searches) {
            return Err(Refusal {
                status: 400,
                rule: format!("query parameter [{key}] is only for _search and _msearch"),
            });
        }
        if self.search.queries() && !matches!(route, EsRoute::Search { .. } | EsRoute::Count { .. })
        {
            return Err(Refusal {
                status: 400,
                rule: "query parameter [q] is only for _search and _count".into(),
            });
        }
        if self.cat != CatOptions::default() && !matches!(route, EsRoute::CatIndices { .. }) {
            return Err(Refusal {
                status: 400,
                rule: "query parameters [h], [s], [health] and [bytes] are only for _cat/indices"
                    .into(),
            });
        }
        for (name, routes) in &self.scheduling {
            let takes = match route {
                EsRoute::Search { .. } => routes.contains('s'),
                EsRoute::Msearch { .. } => routes.contains('m'),
                _ => false,
            };
            if !takes {
                let on = match *routes {
                    "s" => "_search",
                    "m" => "_msearch",
                    _ => "_search and _msearch",
                };
                return Err(Refusal {
                    status: 400,
                    rule: format!("query parameter [{name}] is only for {on}"),
                });
            }
        }
        let searches_or_counts = matches!(
            route,
            EsRoute::Search { .. } | EsRoute::Msearch { .. } | EsRoute::Count { .. }
        );
        if self.options.ignore_throttled.is_some() && !searches_or_counts {
            return Err(Refusal {
                status: 400,
                rule: "query parameter [ignore_throttled] is only for _search, _msearch and _count"
                    .into(),
            });
        }
        let scrolls = matches!(route, EsRoute::Scroll { .. });
        if self.scroll.is_some() && !scrolls && !matches!(route, EsRoute::Search { .. }) {
            return Err(Refusal {
                status: 400,
                rule: "query parameter [scroll] is only for _search and _search/scroll".into(),
            });
        }
        if self.scroll_id.is_some() && !scrolls && !matches!(route, EsRoute::ClearScroll { .. }) {
            return Err(Refusal {
                status: 400,
                rule: "query parameter [scroll_id] is only for _search/scroll".into(),
            });
        }
        if self.fields.is_some() && !matches!(route, EsRoute::FieldCaps { .. }) {
            return Err(Refusal::forbidden(
                "query parameter [fields] is only for _field_caps",
            ));
        }
        Ok(())
    }
}
