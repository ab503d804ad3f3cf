//! The embed API: what a portal framing logdash (`embed=1`) may say with `postMessage`,
//! what logdash tells it back, and which origins may do either (those the server's
//! `--frame-ancestors` allows). Messages are plain JSON objects with a `type`.

use serde_json::{json, Map, Value};

use crate::dashboard::tail::Row;
use crate::view::{Pill, ViewState};

/// What a portal may ask of an embedded view.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// Changes the view; what is left out stays as it is.
    Set(SetView),
}

/// `{"type": "logdash:set", ...}`: the fields a portal may set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetView {
    pub index: Option<String>,
    /// Lucene query syntax.
    pub query: Option<String>,
    /// Each is ANDed to the query: `field` is `value` (or is not, with `exclude`).
    pub filters: Vec<Filter>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Seconds: 0, 1, 5, 10, 30 or 60.
    pub refresh: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: String,
    pub value: String,
    pub exclude: bool,
}

/// Reads one message's data (as JSON text); a message that is not for logdash is `None`,
/// one for logdash that cannot be read is an error naming what was wrong.
pub fn read(data: &str) -> Option<Result<Inbound, String>> {
    let value: Value = serde_json::from_str(data).ok()?;
    let object = value.as_object()?;
    let kind = object.get("type")?.as_str()?;
    if !kind.starts_with("logdash:") {
        return None;
    }
    Some(match kind {
        "logdash:set" => SetView::read(object).map(Inbound::Set),
        other => Err(format!(
            "[{other}] is not a message logdash takes (logdash:set)"
        )),
    })
}

impl SetView {
    /// Reads the message's fields (read by hand: a smaller dashboard than serde's derive).
    fn read(object: &Map<String, Value>) -> Result<Self, String> {
        let mut set = SetView::default();
        for (key, value) in object {
            match key.as_str() {
                "type" => {}
                "index" => set.index = Some(text(key, value)?),
                "query" => set.query = Some(text(key, value)?),
                "from" => set.from = Some(text(key, value)?),
                "to" => set.to = Some(text(key, value)?),
                "refresh" => {
                    set.refresh = Some(
                        value
                            .as_u64()
                            .and_then(|n| u32::try_from(n).ok())
                            .ok_or("[refresh] must be a number of seconds")?,
                    )
                }
                "filters" => {
                    set.filters = value
                        .as_array()
                        .ok_or("[filters] must be a list")?
                        .iter()
                        .map(Filter::read)
                        .collect::<Result<_, _>>()?
                }
                other => return Err(format!("[logdash:set] has no field [{other}]")),
            }
        }
        Ok(set)
    }
}

impl Filter {
    fn read(value: &Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or("each filter is an object: {\"field\": ..., \"value\": ...}")?;
        let mut filter = Filter {
            field: String::new(),
            value: String::new(),
            exclude: false,
        };
        for (key, value) in object {
            match key.as_str() {
                "field" => filter.field = text(key, value)?,
                "value" => filter.value = text(key, value)?,
                "exclude" => {
                    filter.exclude = value.as_bool().ok_or("[exclude] must be true or false")?
                }
                other => return Err(format!("a filter has no field [{other}]")),
            }
        }
        Ok(filter)
    }
}

fn text(key: &str, value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("[{key}] must be text"))
}

impl SetView {
    /// `state` with this message's changes; refused whole, with the reason, when any part
    /// cannot be taken (the view is never half changed).
    pub fn apply(&self, state: &ViewState) -> Result<ViewState, String> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(index) = &self.index {
            pairs.push(("index", index.clone()));
        }
        let query = self.query.as_deref().unwrap_or(&state.query);
        if self.query.is_some() || !self.filters.is_empty() {
            pairs.push(("q", with_filters(query, &self.filters)?));
        }
        for (key, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(value) = value {
                pairs.push((key, value.clone()));
            }
        }
        if let Some(refresh) = self.refresh {
            pairs.push(("refresh", refresh.to_string()));
        }
        let changes: String = pairs
            .iter()
            .map(|(key, value)| format!("&{key}={}", crate::url::encode(value)))
            .collect();
        let (next, notices) = ViewState::read_link(&format!("{}{changes}", state.to_query()));
        match notices.first() {
            Some(notice) => Err(notice.message.clone()),
            None => Ok(next),
        }
    }
}

/// The query with each filter ANDed to it.
fn with_filters(query: &str, filters: &[Filter]) -> Result<String, String> {
    let mut clauses: Vec<String> = Vec::new();
    if !query.trim().is_empty() {
        clauses.push(if filters.is_empty() {
            query.to_string()
        } else {
            format!("({query})")
        });
    }
    for filter in filters {
        let plain_name = !filter.field.is_empty()
            && filter
                .field
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'));
        if !plain_name {
            return Err(format!(
                "[{}] is not a field name (letters, digits, _ . @ -)",
                filter.field
            ));
        }
        let value = filter.value.replace('\\', "\\\\").replace('"', "\\\"");
        let not = if filter.exclude { "NOT " } else { "" };
        clauses.push(format!("{not}{}:\"{value}\"", filter.field));
    }
    Ok(clauses.join(" AND "))
}

/// `{"type": "logdash:view", ...}`: the view as it is now (its filter pills as the link
/// spells them), and its link's query string.
pub fn view_changed(state: &ViewState) -> Value {
    json!({
        "type": "logdash:view",
        "index": state.index,
        "query": state.query,
        "filters": state.pills.iter().map(Pill::to_param).collect::<Vec<_>>(),
        "from": state.from,
        "to": state.to,
        "refresh": state.refresh,
        "link": state.to_query(),
    })
}

/// `{"type": "logdash:line", ...}`: the line someone selected in the stream.
pub fn line_selected(row: &Row) -> Value {
    json!({
        "type": "logdash:line",
        "index": row.index,
        "id": row.id,
        "timestamp": crate::time::format_iso8601(row.time),
        "level": row.level,
        "message": row.message,
        "source": row.source,
    })
}

/// `{"type": "logdash:error", ...}`: a message that was refused, and why.
pub fn refused(reason: &str) -> Value {
    json!({"type": "logdash:error", "message": reason})
}

/// `{"type": "logdash:size", "height": N}`: how tall the view wants its frame, in CSS
/// pixels (sent when it changes).
pub fn size(height: u32) -> Value {
    json!({"type": "logdash:size", "height": height})
}

/// `{"type": "logdash:ready"}`: the view is listening.
pub fn ready() -> Value {
    json!({"type": "logdash:ready"})
}

/// The origins a frame-ancestors source list allows (`'self'`, `https://portal.example.com`,
/// `https://*.example.com`, `*`), as this page at `own` reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    sources: Vec<String>,
}

impl Origins {
    pub fn new(frame_ancestors: &str, own: &str) -> Self {
        let sources = frame_ancestors
            .split_whitespace()
            .filter_map(|source| match source {
                "'self'" => Some(own.to_string()),
                "'none'" => None,
                source => Some(source.trim_end_matches('/').to_string()),
            })
            .collect();
        Self { sources }
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.sources.iter().any(|source| matches(source, origin))
    }

    /// The origins that can be named as a `postMessage` target (no wildcards).
    pub fn exact(&self) -> impl Iterator<Item = &str> {
        self.sources
            .iter()
            .map(String::as_str)
            .filter(|s| !s.contains('*') && s.contains("://"))
    }
}

/// Whether a CSP host source matches an origin (`scheme://host[:port]`).
fn matches(source: &str, origin: &str) -> bool {
    if source == "*" {
        return origin.starts_with("http://") || origin.starts_with("https://");
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    // a source without a scheme takes the page's (http also allows https)
    let (source_scheme, source_host) = match source.split_once("://") {
        Some((s, h)) => (Some(s), h),
        None if source.ends_with(':') => return source.trim_end_matches(':') == scheme,
        None => (None, source),
    };
    let scheme_ok = match source_scheme {
        Some(s) => s == scheme || (s == "http" && scheme == "https"),
        None => scheme == "http" || scheme == "https",
    };
    let (host, port) = split_port(rest);
    let (source_host, source_port) = split_port(source_host);
    let port_ok = source_port == Some("*") || source_port == port;
    let host_ok = match source_host.strip_prefix("*.") {
        Some(parent) => host.len() > parent.len() + 1 && host.ends_with(&format!(".{parent}")),
        None => source_host.eq_ignore_ascii_case(host),
    };
    scheme_ok && port_ok && host_ok
}

fn split_port(host: &str) -> (&str, Option<&str>) {
    match host.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (host, Some(port)),
        _ => (host, None),
    }
}

#[cfg(test)]
mod tests;
