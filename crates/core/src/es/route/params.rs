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
}

impl IndexOptions {
    /// `&`-joined parameters for the upstream URL (empty when none was asked for).
    pub fn query(&self) -> String {
        [
            ("ignore_unavailable", self.ignore_unavailable),
            ("allow_no_indices", self.allow_no_indices),
        ]
        .iter()
        .filter_map(|(key, value)| value.map(|v| format!("{key}={v}")))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// What a refusal of another parameter lists.
const ACCEPTED: &str = concat!(
    "format=json (with h, s, health, bytes and v on _cat), fields, ignore_unavailable, allow_no_indices, filter_path, pretty, ",
    "rest_total_hits_as_int, typed_keys, and a search's size, from, sort, _source, _source_includes, ",
    "_source_excludes, q, df, default_operator, analyze_wildcard and lenient"
);

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
                "ignore_unavailable" | "allow_no_indices"
                    if value == "true" || value == "false" =>
                {
                    let flag = Some(value == "true");
                    if key == "ignore_unavailable" {
                        params.options.ignore_unavailable = flag;
                    } else {
                        params.options.allow_no_indices = flag;
                    }
                }
                // how the answer is indented: nothing a check needs to see, and not passed on
                "pretty" if value.is_empty() || value == "true" || value == "false" => {}
                other => {
                    return Err(Refusal::forbidden(format!(
                        "query parameter [{other}] is not allowed (logdash accepts {ACCEPTED})"
                    )))
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
        if self.fields.is_some() && !matches!(route, EsRoute::FieldCaps { .. }) {
            return Err(Refusal::forbidden(
                "query parameter [fields] is only for _field_caps",
            ));
        }
        Ok(())
    }
}
