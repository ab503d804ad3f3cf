//! The parameters of a declared field: those logdash honours, checked as Elasticsearch
//! checks them; those it does not, refused by name.

use serde_json::{json, Map, Value};

use super::explicit::mapper_error;
use crate::RequestError;

/// Types Elasticsearch has that logdash does not implement (refused by name).
pub(super) const NOT_IMPLEMENTED: &[&str] = &[
    "nested",
    "constant_keyword",
    "unsigned_long",
    "geo_shape",
    "point",
    "shape",
    "binary",
    "alias",
    "integer_range",
    "long_range",
    "float_range",
    "double_range",
    "date_range",
    "ip_range",
    "completion",
    "search_as_you_type",
    "token_count",
    "dense_vector",
    "sparse_vector",
    "rank_feature",
    "rank_features",
    "percolator",
    "join",
    "histogram",
    "aggregate_metric_double",
    "version",
    "murmur3",
    "annotated_text",
    "semantic_text",
    "counted_keyword",
    "passthrough",
];

/// Parameters Elasticsearch has that logdash does not implement (refused by name).
const PARAMETERS_NOT_IMPLEMENTED: &[&str] = &[
    "null_value",
    "copy_to",
    "similarity",
    "search_analyzer",
    "search_quote_analyzer",
    "fielddata_frequency_filter",
    "split_queries_on_whitespace",
    "script",
    "on_script_error",
    "time_series_dimension",
    "time_series_metric",
    "locale",
    "enabled",
    "dynamic",
    "subobjects",
];

/// The leaf types that take `store` and `meta`.
const LEAF_TYPES: &[&str] = &[
    "keyword",
    "text",
    "long",
    "integer",
    "short",
    "byte",
    "double",
    "float",
    "half_float",
    "scaled_float",
    "boolean",
    "date",
    "date_nanos",
    "ip",
    "geo_point",
];

/// A declared property as Elasticsearch shows it in `_mapping`: what was given at its
/// default left out (`store: false`, `norms` as the type has them, `index: true`, ...).
pub(super) fn as_shown(es_type: &str, property: &Map<String, Value>) -> Map<String, Value> {
    property
        .iter()
        // (a similarity given is shown, even the default one)
        .filter(|(parameter, value)| {
            *parameter == "similarity" || default_of(es_type, parameter).as_ref() != Some(*value)
        })
        .map(|(parameter, value)| (parameter.clone(), value.clone()))
        .collect()
}

/// The storage parameters a later declaration may not change (Elasticsearch's "Cannot
/// update parameter").
pub(super) const FIXED_ONCE_SET: [&str; 8] = [
    "normalizer",
    "store",
    "index_options",
    "term_vector",
    "index_phrases",
    "index_prefixes",
    "position_increment_gap",
    "similarity",
];

/// A parameter's value in `property`, or its default when not given.
pub(super) fn setting(es_type: &str, property: &Map<String, Value>, parameter: &str) -> Value {
    property
        .get(parameter)
        .cloned()
        .or_else(|| default_of(es_type, parameter))
        .unwrap_or(Value::Null)
}

/// What Elasticsearch takes a parameter of a field of `es_type` to be when not given.
fn default_of(es_type: &str, parameter: &str) -> Option<Value> {
    Some(match (es_type, parameter) {
        (_, "store" | "eager_global_ordinals" | "fielddata" | "index_phrases") => json!(false),
        (_, "index" | "doc_values") => json!(true),
        ("text", "norms") => json!(true),
        ("keyword", "norms") => json!(false),
        ("keyword", "ignore_above") => json!(2_147_483_647),
        ("text", "index_options") => json!("positions"),
        ("keyword", "index_options") => json!("docs"),
        ("text", "term_vector") => json!("no"),
        ("text", "position_increment_gap") => json!(100),
        ("text" | "keyword", "similarity") => json!("BM25"),
        ("date", "format") => json!("strict_date_optional_time||epoch_millis"),
        (_, "meta") => json!({}),
        _ => return None,
    })
}

pub(super) fn check_parameter(
    path: &str,
    es_type: &str,
    parameter: &str,
    value: &Value,
) -> Result<(), RequestError> {
    let number = |value: &Value| value.as_f64().is_some();
    let flag = |value: &Value| value.is_boolean();
    let fits = match (es_type, parameter) {
        (_, "type") => true,
        ("keyword" | "wildcard" | "flattened", "ignore_above") => value.as_u64().is_some(),
        ("flattened", "depth_limit") => value.as_u64().is_some(),
        // (that the index has it is checked with its settings: `check_normalizers`)
        ("keyword", "normalizer") => value.is_string(),
        // norms only weigh scores, which need not be Elasticsearch's: kept as declared
        ("keyword" | "text", "norms") => flag(value),
        ("text" | "match_only_text", "fields") => return check_text_fields(path, value),
        ("text", "analyzer") => {
            if value.as_str() != Some("standard") {
                return Err(RequestError::illegal_argument(format!(
                    "[analyzer] [{value}] on field [{path}] is not supported by logdash: text is analyzed by [standard]"
                )));
            }
            true
        }
        ("long" | "integer" | "short" | "byte" | "double" | "float" | "half_float"
        | "scaled_float", "coerce" | "ignore_malformed") => flag(value),
        ("scaled_float", "scaling_factor") => number(value),
        ("date" | "date_nanos" | "ip" | "geo_point", "ignore_malformed") => flag(value),
        // what the field can be searched and aggregated by (see `Declared::searchable`)
        ("keyword" | "text" | "long" | "integer" | "short" | "byte" | "double" | "float"
        | "half_float" | "scaled_float" | "boolean" | "date" | "date_nanos" | "ip", "index") => {
            flag(value)
        }
        ("keyword" | "long" | "integer" | "short" | "byte" | "double" | "float" | "half_float"
        | "scaled_float" | "boolean" | "date" | "date_nanos" | "ip", "doc_values") => flag(value),
        ("date" | "date_nanos", "format") => return check_date_format(path, es_type, value),
        // what changes only how Elasticsearch stores or speeds up a field, not what a
        // search finds or an aggregation counts: taken, and shown in the mapping
        (leaf, "store") if LEAF_TYPES.contains(&leaf) => flag(value),
        ("keyword" | "text", "eager_global_ordinals") => flag(value),
        ("text", "index_phrases") => flag(value),
        ("text", "index_prefixes") => value.is_object(),
        ("text", "position_increment_gap") => value.as_u64().is_some(),
        ("text", "term_vector") => matches!(
            value.as_str(),
            Some("no" | "yes" | "with_positions" | "with_offsets" | "with_positions_offsets"
                | "with_positions_payloads" | "with_positions_offsets_payloads")
        ),
        (leaf, "meta") if LEAF_TYPES.contains(&leaf) => value.as_object().is_some_and(|meta| meta.values().all(Value::is_string)),
        // the defaults: what logdash does anyway
        // without positions, phrases are refused as there (`Limits::check_positions`)
        ("text", "index_options") => {
            matches!(value.as_str(), Some("docs" | "freqs" | "positions" | "offsets"))
        }
        ("keyword", "index_options") => matches!(value.as_str(), Some("docs" | "freqs")),
        ("text" | "keyword", "similarity") if value.as_str() == Some("BM25") => true,
        // a text field's words as its values, for aggregations and sorts (`Declared::fielddata`)
        ("text", "fielddata") => flag(value),
        (_, known)
            if PARAMETERS_NOT_IMPLEMENTED.contains(&known)
                || (es_type == "geo_point" && matches!(known, "index" | "doc_values")) =>
        {
            return Err(RequestError::illegal_argument(format!(
                "[{known}] on field [{path}] is not supported by logdash"
            )))
        }
        _ => {
            return Err(mapper_error(format!(
                "Failed to parse mapping: unknown parameter [{parameter}] on mapper [{path}] of type [{es_type}]"
            )))
        }
    };
    if fits {
        Ok(())
    } else {
        Err(mapper_error(format!(
            "Failed to parse mapping: Failed to parse value [{value}] for parameter [{parameter}] on mapper [{path}] of type [{es_type}]"
        )))
    }
}

/// A text field's sub-fields: logdash keeps whole values beside words as `.keyword` only.
fn check_text_fields(path: &str, value: &Value) -> Result<(), RequestError> {
    let Value::Object(fields) = value else {
        return Err(mapper_error(format!(
            "Failed to parse mapping: Expected map for property [fields] on field [{path}]"
        )));
    };
    for (name, sub) in fields {
        let keyword = sub.get("type").and_then(Value::as_str) == Some("keyword");
        let plain = sub.as_object().is_some_and(|s| {
            s.keys()
                .all(|k| matches!(k.as_str(), "type" | "ignore_above" | "normalizer"))
        });
        if name != "keyword" || !keyword || !plain {
            return Err(RequestError::illegal_argument(format!(
                "sub-field [{path}.{name}] is not supported by logdash: a text field's only sub-field is [keyword] of type [keyword]"
            )));
        }
    }
    Ok(())
}

/// Formats logdash reads dates in: ISO 8601 (Elasticsearch's default) and epoch millis.
fn check_date_format(path: &str, es_type: &str, value: &Value) -> Result<(), RequestError> {
    let Some(format) = value.as_str() else {
        return Err(mapper_error(format!(
            "Failed to parse mapping: [format] on field [{path}] must be a string"
        )));
    };
    // nanoseconds are read in ISO 8601 and epoch milliseconds only
    if es_type == "date_nanos" && !super::date_format::DeclaredFormat::is_default(format) {
        return Err(RequestError::illegal_argument(format!(
            "date format [{format}] of the date_nanos field [{path}] is not supported by logdash: use strict_date_optional_time or epoch_millis"
        )));
    }
    super::date_format::DeclaredFormat::parse(format)
        .map(drop)
        .map_err(|reason| {
            mapper_error(format!(
                "Failed to parse mapping: Invalid format: [{format}]: {reason}"
            ))
        })
}
