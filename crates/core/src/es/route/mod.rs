//! The read-only Elasticsearch API logdash serves under `/es/`, as typed routes.
//!
//! A request is parsed into an [`EsRoute`] or refused with the rule it breaks; only the
//! parsed form is ever acted on (or rebuilt into an upstream URL), never the raw path.

use std::fmt;

use super::cat::CatOptions;

mod checked;
mod params;
#[cfg(feature = "server")]
mod url_body;
mod url_search;

pub use checked::Checked;
pub use params::IndexOptions;
use params::QueryParams;
pub use url_search::UrlSearch;

/// One allowed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsRoute {
    /// `GET /`
    Info,
    /// `GET /_cat/indices[/{index}]?format=json`
    CatIndices { index: Option<IndexExpr> },
    /// `GET /{index}/_mapping`
    Mapping { index: IndexExpr },
    /// `GET|POST /{index}/_field_caps?fields=...`
    FieldCaps {
        index: IndexExpr,
        /// The `fields` parameter; without it the body names the fields.
        fields: Option<String>,
    },
    /// `GET|POST /{index}/_search`
    Search { index: IndexExpr },
    /// `POST /_msearch` or `/{index}/_msearch`
    Msearch { index: Option<IndexExpr> },
    /// `GET|POST /{index}/_count`
    Count { index: IndexExpr },
    /// `GET /_cluster/health`: the cluster's state, which clients ask before reading.
    ClusterHealth,
    /// `GET /_resolve/index/{index}`: the indices an expression names (Kibana's data views
    /// ask it), within the indices logdash may read.
    ResolveIndex { index: IndexExpr },
    /// `GET|HEAD /{index}/_doc/{id}` (or `_source/{id}`, the source alone): one event by
    /// its id, as a search for it would show it.
    Document {
        index: IndexExpr,
        id: String,
        source_only: bool,
    },
    /// `HEAD /{index}`: whether the index is there (clients ask before they read).
    IndexExists { index: IndexExpr },
    /// `GET|POST /_search/scroll[/{id}]`: a scroll's next page (`core::es::scroll`).
    Scroll { id: Option<String> },
    /// `DELETE /_search/scroll[/{id}]`: closes scrolls, which frees what they hold open.
    ClearScroll { id: Option<String> },
}

impl EsRoute {
    /// The path (and query) to send upstream, rebuilt from the parsed form.
    pub fn upstream_path(&self) -> String {
        match self {
            EsRoute::Info => "/".to_string(),
            EsRoute::CatIndices { index: None } => "/_cat/indices?format=json".to_string(),
            EsRoute::CatIndices { index: Some(index) } => {
                format!("/_cat/indices/{index}?format=json")
            }
            EsRoute::Mapping { index } => format!("/{index}/_mapping"),
            EsRoute::FieldCaps {
                index,
                fields: Some(fields),
            } => format!("/{index}/_field_caps?fields={fields}"),
            EsRoute::FieldCaps {
                index,
                fields: None,
            } => format!("/{index}/_field_caps"),
            EsRoute::Search { index } => format!("/{index}/_search"),
            EsRoute::Msearch { index: None } => "/_msearch".to_string(),
            EsRoute::Msearch { index: Some(index) } => format!("/{index}/_msearch"),
            EsRoute::Count { index } => format!("/{index}/_count"),
            EsRoute::ClusterHealth => "/_cluster/health".to_string(),
            EsRoute::ResolveIndex { index } => format!("/_resolve/index/{index}"),
            EsRoute::Document {
                index,
                id,
                source_only,
            } => {
                let api = if *source_only { "_source" } else { "_doc" };
                format!("/{index}/{api}/{id}")
            }
            EsRoute::IndexExists { index } => format!("/{index}"),
            // (the id goes in the body written anew: `ScrollRequest::body`)
            EsRoute::Scroll { .. } | EsRoute::ClearScroll { .. } => "/_search/scroll".to_string(),
        }
    }

    /// Whether the route carries a request body to check.
    pub fn takes_body(&self) -> bool {
        matches!(
            self,
            EsRoute::Search { .. }
                | EsRoute::Msearch { .. }
                | EsRoute::Count { .. }
                | EsRoute::FieldCaps { .. }
                | EsRoute::Scroll { .. }
                | EsRoute::ClearScroll { .. }
        )
    }
}

/// An index expression that passed the checks: names, `*` wildcards, commas, `-exclusions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexExpr(String);

impl IndexExpr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The comma-separated parts.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split(',')
    }
}

impl fmt::Display for IndexExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a request was refused: the rule, for a clear 403 (or 405/404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub rule: String,
}

impl Refusal {
    pub(crate) fn forbidden(rule: impl Into<String>) -> Self {
        Self {
            status: 403,
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rule)
    }
}

/// Which indices may be read: glob patterns; system (dot) indices only if a pattern names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPolicy {
    pub allowed: Vec<String>,
}

impl Default for IndexPolicy {
    fn default() -> Self {
        Self {
            allowed: vec!["*".to_string()],
        }
    }
}

impl IndexPolicy {
    /// Checks one part of an index expression (wildcards included) against the allowlist.
    fn permits(&self, part: &str) -> bool {
        let part = part.strip_prefix('-').unwrap_or(part);
        self.allowed.iter().any(|pattern| {
            let hidden_ok = !part.starts_with('.') || pattern.starts_with('.');
            // a wildcard part is allowed when every name it could match is: it must lie inside a pattern
            hidden_ok && glob_covers(pattern, part)
        })
    }
}

/// Whether every name matched by `inner` (a glob) is matched by `outer`.
fn glob_covers(outer: &str, inner: &str) -> bool {
    if outer == "*" {
        return true;
    }
    if !inner.contains('*') {
        return glob_match(outer, inner);
    }
    // conservative: an inner wildcard is covered when outer is a prefix glob that inner shares
    match outer.strip_suffix('*') {
        Some(prefix) if !prefix.contains('*') => inner.starts_with(prefix),
        _ => false,
    }
}

/// `text` with its encoded commas (`%2C`, `%2c`) decoded, and nothing else.
pub(super) fn commas_decoded(text: &str) -> String {
    text.replace("%2C", ",").replace("%2c", ",")
}

pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            if rest.is_empty() {
                return true;
            }
            (0..=tail.len()).any(|i| tail.is_char_boundary(i) && glob_match(rest, &tail[i..]))
        }
    }
}

/// Parses a request to `/es/...`: `method`, the path after `/es` (still percent-encoded,
/// as it arrived) and the raw query string.
pub fn parse_route(
    method: &str,
    path: &str,
    query: Option<&str>,
    policy: &IndexPolicy,
) -> Result<EsRoute, Refusal> {
    parse_request(method, path, query, policy).map(|checked| checked.route)
}

/// [`parse_route`], keeping the index options to pass on to the cluster.
pub fn parse_request(
    method: &str,
    path: &str,
    query: Option<&str>,
    policy: &IndexPolicy,
) -> Result<Checked, Refusal> {
    let not_allowed = |method: &str| Refusal {
        status: 405,
        rule: format!("method {method} is not allowed: logdash's Elasticsearch API is read-only"),
    };
    // (DELETE only closes scrolls: it writes nothing)
    let (read, clear) = match method {
        "GET" | "HEAD" => (true, false),
        "POST" => (false, false),
        "DELETE" => (false, true),
        other => return Err(not_allowed(other)),
    };
    // no encoding tricks: the path must be plain, canonical ASCII (but for an encoded
    // comma between index names, which clients write so and Elasticsearch decodes)
    let decoded = commas_decoded(path);
    let path = decoded.as_str();
    if path.contains('%') {
        return Err(Refusal::forbidden(
            "percent-encoded paths are refused: write index names plainly",
        ));
    }
    if !path.is_ascii()
        || path
            .bytes()
            .any(|b| b.is_ascii_control() || b == b'\\' || b == b';')
    {
        return Err(Refusal::forbidden(
            "the path has characters logdash does not accept (non-ASCII, control, '\\\\' or ';')",
        ));
    }
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/')
        || path.contains("//")
        || path.split('/').any(|s| s == "." || s == "..")
    {
        return Err(Refusal::forbidden(
            "the path is not canonical ('//', '.' or '..' segments)",
        ));
    }
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let params = QueryParams::parse(query)?;
    let route = match segments.as_slice() {
        ["_search", "scroll", rest @ ..] if rest.len() <= 1 && method != "HEAD" => {
            let id = rest.first().map(|id| id.to_string());
            match clear {
                true => EsRoute::ClearScroll { id },
                false => EsRoute::Scroll { id },
            }
        }
        _ if clear => return Err(not_allowed(method)),
        [] if read => EsRoute::Info,
        ["_cat", "indices"] if read => EsRoute::CatIndices { index: None },
        ["_cat", "indices", index] if read => EsRoute::CatIndices {
            index: Some(index_expr(index, policy)?),
        },
        // (GET with a body too, as Elasticsearch takes it)
        ["_msearch"] if method != "HEAD" => EsRoute::Msearch { index: None },
        [index, "_msearch"] if method != "HEAD" => EsRoute::Msearch {
            index: Some(index_expr(index, policy)?),
        },
        [index, "_search"] => EsRoute::Search {
            index: index_expr(index, policy)?,
        },
        [index, "_count"] => EsRoute::Count {
            index: index_expr(index, policy)?,
        },
        [index, "_mapping" | "_mappings"] if read => EsRoute::Mapping {
            index: index_expr(index, policy)?,
        },
        ["_cluster", "health"] if read => EsRoute::ClusterHealth,
        ["_resolve", "index", index] if read => EsRoute::ResolveIndex {
            index: index_expr(index, policy)?,
        },
        [index, api @ ("_doc" | "_source"), id] if read => EsRoute::Document {
            index: index_expr(index, policy)?,
            id: document_id(id)?,
            source_only: *api == "_source",
        },
        [index] if method == "HEAD" => EsRoute::IndexExists {
            index: index_expr(index, policy)?,
        },
        [index, "_field_caps"] => EsRoute::FieldCaps {
            index: index_expr(index, policy)?,
            fields: params.fields.clone(),
        },
        _ => return Err(refusal_for(method, &segments)),
    };
    params.check_for(&route)?;
    Ok(Checked {
        route,
        scroll: params.scroll,
        scroll_id: params.scroll_id,
        options: params.options,
        search: params.search,
        filter_path: params.filter_path,
        cat: params.cat,
    })
}

fn refusal_for(method: &str, segments: &[&str]) -> Refusal {
    const WRITES: &[&str] = &[
        "_bulk",
        "_doc",
        "_create",
        "_update",
        "_delete_by_query",
        "_update_by_query",
        "_reindex",
        "_snapshot",
        "_cluster",
        "_security",
        "_ingest",
        "_scripts",
        "_sql",
        "_nodes",
        "_tasks",
        "_settings",
        "_alias",
        "_aliases",
        "_close",
        "_open",
        "_forcemerge",
        "_refresh",
        "_flush",
        "_rollover",
        "_shrink",
        "_split",
        "_clone",
        "_ml",
        "_watcher",
        "_transform",
        "_license",
        "_xpack",
        "_ilm",
        "_data_stream",
        "_template",
        "_index_template",
        "_component_template",
        "_async_search",
        "_pit",
        "_eql",
        "_query",
        "_knn_search",
    ];
    if let Some(api) = segments.iter().find(|s| WRITES.contains(s)) {
        return Refusal::forbidden(format!("[{api}] is not allowed: logdash's Elasticsearch API is read-only and serves only what the dashboard needs"));
    }
    if segments.contains(&"template") {
        return Refusal::forbidden("search templates are not allowed");
    }
    if segments.len() <= 1 && method == "POST" {
        return Refusal::forbidden(
            "writing to an index is not allowed: logdash's Elasticsearch API is read-only",
        );
    }
    Refusal {
        status: 404,
        rule: format!(
            "[{method} /{}] is not part of logdash's Elasticsearch API",
            segments.join("/")
        ),
    }
}

/// An event's id in a path: plain (the path's own checks refused encodings and tricks),
/// and no longer than Elasticsearch's 512 bytes.
fn document_id(text: &str) -> Result<String, Refusal> {
    if text.is_empty() || text.len() > 512 {
        return Err(Refusal::forbidden(
            "a document id is empty or longer than 512 bytes",
        ));
    }
    Ok(text.to_string())
}

pub(crate) fn index_expr(text: &str, policy: &IndexPolicy) -> Result<IndexExpr, Refusal> {
    if text.is_empty() || text.len() > 1024 {
        return Err(Refusal::forbidden("index expression is empty or too long"));
    }
    for (position, part) in text.split(',').enumerate() {
        let name = if position > 0 {
            part.strip_prefix('-').unwrap_or(part)
        } else {
            part
        };
        if name.is_empty() || name.starts_with('_') && name != "_all" {
            return Err(Refusal::forbidden(format!("[{part}] is not an index name")));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.*+".contains(&b))
        {
            return Err(Refusal::forbidden(format!(
                "index name [{part}] has characters outside a-z 0-9 - _ . * +"
            )));
        }
        let checked = if name == "_all" { "*" } else { name };
        if !policy.permits(checked) {
            return Err(Refusal::forbidden(format!(
                "index [{part}] is outside the indices logdash may read ({})",
                policy.allowed.join(", ")
            )));
        }
    }
    Ok(IndexExpr(text.to_string()))
}

#[cfg(test)]
mod tests;
