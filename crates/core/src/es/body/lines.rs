//! An `_msearch` body checked line by line: each header like a path, each search like a
//! search body.

use super::{check_json, check_query, BodyLimits, Failure};
use crate::es::route::{index_expr, IndexPolicy, Refusal};
use crate::es::search::msearch::{self, Header, Lines};

/// Checks an `_msearch` body: every header line like a path (its indices against the
/// allowlist, only known keys), every search body like [`super::check_body`]. A header without an
/// index searches the path's index; when the path names none either, it is refused (it
/// would mean every index, past the allowlist).
pub fn check_msearch(
    body: &[u8],
    path_names_index: bool,
    policy: &IndexPolicy,
    limits: BodyLimits,
) -> Result<(), Refusal> {
    for Lines {
        number,
        header,
        search,
    } in msearch::lines(body)
    {
        check_msearch_header(header, number, path_names_index, policy)?;
        let Some(search) = search else {
            return Err(Refusal {
                status: 400,
                rule: format!("_msearch header on line [{number}] has no search body"),
            });
        };
        check_json(search, limits).map_err(|failure| match failure {
            Failure::Refused(refusal) => refusal,
            Failure::Invalid(err) => Refusal {
                status: 400,
                rule: format!(
                    "_msearch line [{}] is not a JSON search body: {err}",
                    number + 1
                ),
            },
        })?;
        check_query(search)?;
    }
    Ok(())
}

/// Header keys the proxy passes on: which indices, how their names match, and how the
/// search runs as Grafana and Kibana ask (`search_type`, `preference`). The others
/// Elasticsearch reads reach particular shards or other clusters (`routing`,
/// `ccs_minimize_roundtrips`, `ignore_throttled`), which a dashboard has no need to.
const HEADER_KEYS_PASSED: [&str; 9] = [
    "index",
    "indices",
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "search_type",
    "preference",
    "request_cache",
    "allow_partial_search_results",
];

/// One header, read as the store reads it: its indices checked like a path's, and only
/// the keys in [`HEADER_KEYS_PASSED`] (`expand_wildcards` only `open`) passed on.
fn check_msearch_header(
    header: &[u8],
    number: usize,
    path_names_index: bool,
    policy: &IndexPolicy,
) -> Result<(), Refusal> {
    let header: serde_json::Value = serde_json::from_slice(header).map_err(|err| Refusal {
        status: 400,
        rule: format!("_msearch line [{number}] is not a JSON header: {err}"),
    })?;
    // Elasticsearch's own refusals first (a key it does not know, a flag that is none),
    // then the keys it knows that the proxy does not pass on
    let read = Header::parse(&header).map_err(|err| Refusal {
        status: 400,
        rule: err.reason,
    })?;
    if let Some(key) = header
        .as_object()
        .into_iter()
        .flat_map(|object| object.keys())
        .find(|key| !HEADER_KEYS_PASSED.contains(&key.as_str()))
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header key [{key}] on line [{number}] is not allowed"
        )));
    }
    // a search of distributed frequencies asks every shard twice, for nothing a dashboard
    // shows (Grafana sends the default, `query_then_fetch`)
    if let Some(other) = header
        .get("search_type")
        .filter(|asked| asked.as_str() != Some("query_then_fetch"))
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}]: [search_type] {other} is not allowed, only \"query_then_fetch\""
        )));
    }
    // "all" or "hidden" would let a wildcard reach system and hidden indices
    if read
        .expand_wildcards
        .as_deref()
        .is_some_and(|asked| asked != "open")
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}]: only [expand_wildcards] \"open\" is allowed"
        )));
    }
    match read.index {
        Some(names) => index_expr(&names.join(","), policy).map(drop),
        None if path_names_index => Ok(()),
        None => Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}] names no index, and neither does the path"
        ))),
    }
}
