//! What Elasticsearch refuses in an aggregation before it runs, refused here with its error
//! type and reason, and options logdash would otherwise take without honouring them,
//! refused by name: no aggregation gets a 200 with the answer to another question.

use logdash_core::time::{AnyZone, Rounding};
use serde_json::{Map, Value};

use crate::mapping::FieldKind;
use crate::query::Target;
use crate::{Raised, RequestError};

/// The metric aggregations: one value or a few, never buckets.
const METRICS: &[&str] = &[
    "avg",
    "min",
    "max",
    "sum",
    "stats",
    "extended_stats",
    "value_count",
    "cardinality",
];

/// An aggregation's name: Elasticsearch keeps `[`, `]` and `>` for paths (`a>b`, `p[99]`).
pub(super) fn name(name: &str) -> Result<(), RequestError> {
    if !name.contains(['[', ']', '>']) {
        return Ok(());
    }
    Err(RequestError {
        status: 400,
        kind: "parsing_exception",
        reason: format!(
            "Invalid aggregation name [{name}]. Aggregation names can contain any character except '[', ']', and '>'"
        ),
        raised: Raised::Reading,
    })
}

/// A metric aggregation's options and place: the keys Elasticsearch reads (any other is
/// its `unknown field`), no sub-aggregations. `format` is refused by name: logdash writes
/// no formatted value of a number.
pub(super) fn metric(
    name: &str,
    kind: &str,
    body: &Map<String, Value>,
    has_sub: bool,
) -> Result<(), RequestError> {
    if !METRICS.contains(&kind) {
        return Ok(());
    }
    if has_sub {
        return Err(RequestError::illegal_argument(format!(
            "Aggregator [{name}] of type [{kind}] cannot accept sub-aggregations"
        ))
        .while_reading());
    }
    let known: &[&str] = match kind {
        "extended_stats" => &[
            "field",
            "missing",
            "sigma",
            "format",
            "script",
            "value_type",
        ],
        "cardinality" => &[
            "field",
            "missing",
            "precision_threshold",
            "execution_hint",
            "rehash",
            "script",
            "value_type",
        ],
        "value_count" => &["field", "format", "script", "value_type"],
        _ => &["field", "missing", "format", "script", "value_type"],
    };
    if let Some(unknown) = body.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(unknown_field(kind, unknown));
    }
    // (`format` is read where the field's type is known: `dates::value_format`)
    Ok(())
}

/// A `missing` aggregation's body (`{"field": name}`), as the query of a filter of the
/// events without a value of the field: every event for a field no index maps (an object
/// holds no values of its own), refused on a text field as Elasticsearch refuses it.
pub(super) fn missing(
    name: &str,
    body: &Value,
    mapping: &crate::mapping::IndexMapping,
) -> Result<Value, RequestError> {
    let Some(object) = body.as_object() else {
        return Err(RequestError::bad_request(format!(
            "[missing] aggregation [{name}] must be an object"
        )));
    };
    if let Some(unknown) = object.keys().find(|key| *key != "field") {
        return Err(unknown_field("missing", unknown));
    }
    let Some(field) = object.get("field").and_then(Value::as_str) else {
        return Err(RequestError {
            raised: Raised::Reading,
            ..RequestError::illegal_argument(
                "Required one of fields [field, script], but none were specified.",
            )
        });
    };
    let target = crate::query::resolve(mapping, field);
    super::column_of(&target, "missing", field)?;
    Ok(match target {
        Target::Unmapped(_) => serde_json::json!({"match_all": {}}),
        _ => serde_json::json!({"bool": {"must_not": {"exists": {"field": field}}}}),
    })
}

/// Options of the bucket aggregations Elasticsearch refuses (`terms` of no buckets, the
/// `interval` it removed) or that logdash would take without honouring (a histogram's
/// `missing`), refused.
pub(super) fn buckets(
    name: &str,
    kind: &str,
    body: &Map<String, Value>,
) -> Result<(), RequestError> {
    match kind {
        "terms" => {
            for key in ["size", "shard_size"] {
                if body
                    .get(key)
                    .and_then(Value::as_i64)
                    .is_some_and(|size| size < 1)
                {
                    return Err(RequestError {
                        status: 400,
                        kind: "x_content_parse_exception",
                        reason: format!("[terms] failed to parse field [{key}]"),
                        raised: Raised::Reading,
                    });
                }
            }
        }
        "date_histogram" if body.contains_key("interval") => {
            return Err(RequestError {
                reason: "[date_histogram] unknown field [interval] did you mean [fixed_interval]?"
                    .to_string(),
                ..unknown_field(kind, "interval")
            });
        }
        "histogram" if body.contains_key("missing") => {
            return Err(RequestError::illegal_argument(format!(
                "[missing] of [histogram] aggregation [{name}] is not supported by logdash"
            )));
        }
        _ => {}
    }
    Ok(())
}

/// Whether Elasticsearch refuses a `kind` aggregation of a keyword (numbers and dates only)
/// or logdash one of a boolean (Elasticsearch reads `true` as 1; logdash keeps booleans
/// apart from numbers): the field's type as Elasticsearch names it in the refusal.
pub(super) fn refused_on(kind: &str, target: &Target) -> Option<&'static str> {
    let numeric = matches!(
        kind,
        "avg"
            | "min"
            | "max"
            | "sum"
            | "stats"
            | "extended_stats"
            | "histogram"
            | "range"
            | "percentiles"
            | "percentile_ranks"
    );
    match target {
        // a text's `.keyword`, or a keyword field
        Target::Whole(_, FieldKind::Text | FieldKind::Keyword) if numeric => Some("keyword"),
        Target::Whole(_, FieldKind::Boolean) if numeric => Some("boolean"),
        _ => None,
    }
}

fn unknown_field(kind: &str, key: &str) -> RequestError {
    RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("[{kind}] unknown field [{key}]"),
        raised: Raised::Reading,
    }
}

/// An aggregation of `kind` over `field` (resolved to `target`): refused as Elasticsearch
/// refuses a field of the wrong type, and by name where logdash cannot answer for one
/// (an address summed, a point bucketed, nanoseconds averaged past their bounds, an
/// address's `missing` given as text).
pub(super) fn field(
    name: &str,
    kind: &str,
    field: &str,
    target: &Target,
    body: &Map<String, Value>,
) -> Result<(), RequestError> {
    if let Some(type_name) = refused_on(kind, target) {
        let by = if type_name == "boolean" {
            " by logdash"
        } else {
            ""
        };
        return Err(RequestError::illegal_argument(format!(
            "Field [{field}] of type [{type_name}] is not supported for aggregation [{kind}]{by}"
        )));
    }
    if let Some(missing) = body.get("missing") {
        missing_fits(kind, missing, target)?;
    }
    // Elasticsearch writes every figure of a date's extended_stats as a date too
    // (variances in squared milliseconds among them): not answered
    if kind == "extended_stats"
        && matches!(
            target,
            Target::Timestamp | Target::Whole(_, FieldKind::Date)
        )
    {
        return Err(RequestError::illegal_argument(format!(
            "[extended_stats] of the date field [{field}] is not supported by logdash"
        )));
    }
    // an address is counted, bucketed by itself or looked up, never summed or ranged; a
    // point is only counted (logdash has no geo aggregations)
    let refused = match target {
        Target::Whole(_, FieldKind::Ip) => !matches!(kind, "terms" | "cardinality" | "value_count"),
        Target::Whole(_, FieldKind::GeoPoint) => kind != "value_count",
        // nanoseconds: the instants' bounds, counts, ranges and terms (by the millisecond)
        Target::Whole(_, FieldKind::DateNanos) => !matches!(
            kind,
            "min"
                | "max"
                | "avg"
                | "value_count"
                | "cardinality"
                | "date_histogram"
                | "range"
                | "date_range"
                | "terms"
        ),
        _ => false,
    };
    if let (true, Target::Whole(_, field_kind)) = (refused, target) {
        return Err(RequestError::illegal_argument(format!(
            "Field [{field}] of type [{}] is not supported for aggregation [{kind}]{}",
            field_kind.es_type(),
            match field_kind {
                FieldKind::DateNanos => " by logdash",
                _ => "",
            }
        )));
    }
    // an address bucket's key is not its text: values given as text would not meet it
    if let (Target::Whole(_, FieldKind::Ip), "terms") = (target, kind) {
        if let Some(key) = ["missing", "include", "exclude"]
            .iter()
            .find(|key| body.contains_key(**key))
        {
            return Err(RequestError::illegal_argument(format!(
                "[{key}] of terms [{name}] on the ip field [{field}] is not supported by logdash"
            )));
        }
    }
    Ok(())
}

/// A `missing` value a boolean or number field cannot take, refused with Elasticsearch's
/// error on the shards (a number given to a boolean is left to the aggregation).
fn missing_fits(kind: &str, missing: &Value, target: &Target) -> Result<(), RequestError> {
    let text = match missing {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match target {
        Target::Whole(_, FieldKind::Boolean)
            if missing.is_string() && text != "true" && text != "false" =>
        {
            Err(RequestError::illegal_argument(format!(
                "Cannot parse boolean [{text}], expected either [true] or [false]"
            )))
        }
        // a terms' date: ISO 8601, epoch milliseconds or date math, as a range's bounds are
        // read (a date_range reads its missing in its own format, `dates.rs`)
        Target::Timestamp | Target::Whole(_, FieldKind::Date) if kind == "terms" => {
            crate::query::DateFormat::Iso
                .bound(&text, 0, Rounding::Down, &AnyZone::UTC)
                .map(|_| ())
        }
        Target::Whole(_, FieldKind::Long | FieldKind::Float)
            if !missing.is_number() && text.trim().parse::<f64>().is_err() =>
        {
            Err(RequestError {
                status: 400,
                kind: "number_format_exception",
                reason: format!("For input string: \"{text}\""),
                raised: Raised::Anywhere,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn what_elasticsearch_refuses_is_refused_with_its_error() {
        assert_eq!(name("a[b").expect_err("refused").kind, "parsing_exception");
        assert!(name("p95 of load").is_ok());
        let unknown = metric("x", "avg", &body(json!({"field": "n", "foo": 1})), false);
        assert_eq!(
            unknown.expect_err("refused").reason,
            "[avg] unknown field [foo]"
        );
        let under = metric("x", "avg", &body(json!({"field": "n"})), true);
        assert!(under
            .expect_err("refused")
            .reason
            .contains("cannot accept sub-aggregations"));
        let none = buckets("t", "terms", &body(json!({"field": "k", "size": 0})));
        assert_eq!(none.expect_err("refused").kind, "x_content_parse_exception");
        let removed = buckets("h", "date_histogram", &body(json!({"interval": "1d"})));
        assert!(removed
            .expect_err("refused")
            .reason
            .contains("did you mean [fixed_interval]"));
        assert!(metric(
            "x",
            "stats",
            &body(json!({"field": "n", "missing": 0})),
            false
        )
        .is_ok());
    }

    #[test]
    fn options_logdash_would_not_honour_are_refused_by_name() {
        assert!(buckets("h", "histogram", &body(json!({"order": {"_key": "asc"}}))).is_ok());
        let missing = buckets("h", "histogram", &body(json!({"missing": 0})));
        assert!(missing
            .expect_err("refused")
            .reason
            .starts_with("[missing]"));
        let keyword = Target::Whole("k".into(), FieldKind::Keyword);
        assert_eq!(refused_on("min", &keyword), Some("keyword"));
        assert_eq!(refused_on("terms", &keyword), None);
        let flag = Target::Whole("ok".into(), FieldKind::Boolean);
        assert_eq!(refused_on("sum", &flag), Some("boolean"));
    }
}
