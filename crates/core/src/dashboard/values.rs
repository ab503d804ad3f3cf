//! A field's top values over the view's query and range (the field sidebar): one search
//! asked on demand (a `terms` aggregation, and a count of the events that lack the
//! field), read back as rows with their share, and the query each value's actions make.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::fields::FieldInfo;
use super::panels::query_in_range;
use super::sample::Sample;
use crate::time::EpochMillis;
use crate::view::{Match, Pill, Search};

/// How many values are asked for.
pub const TOP: usize = 10;

/// The search behind one field's values: `agg_field` is what aggregates (the `.keyword`
/// of a text field).
pub fn request(search: &Search, from: EpochMillis, to: EpochMillis, agg_field: &str) -> Value {
    json!({
        "size": 0,
        "track_total_hits": true,
        "query": query_in_range(search, from, to),
        "aggs": {
            "values": {"terms": {"field": agg_field, "size": TOP}},
            "lacking": {"filter": {"bool": {"must_not": {"exists": {"field": agg_field}}}}}
        }
    })
}

/// One value and how many events have it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    /// As shown (a date's `key_as_string`, a number or a string).
    pub shown: String,
    /// As a query matches it.
    pub term: String,
    pub count: u64,
    /// Of all the events in the view (0 to 1).
    pub share: f64,
}

/// A field's values in the view.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopValues {
    /// Events in the view.
    pub total: u64,
    /// Events without the field.
    pub lacking: u64,
    pub rows: Vec<ValueRow>,
    /// Events with values past the top ones.
    pub others: u64,
    /// Counts may be off (Elasticsearch's `doc_count_error_upper_bound` over shards).
    pub approximate: bool,
}

/// Reads the answer to [`request`].
pub fn read(answer: &Value) -> Result<TopValues, String> {
    let total = answer["hits"]["total"]["value"]
        .as_u64()
        .ok_or("the answer has no hits.total")?;
    let values = &answer["aggregations"]["values"];
    let buckets = values["buckets"]
        .as_array()
        .ok_or("the answer has no values")?;
    let share = |count: u64| {
        if total == 0 {
            0.0
        } else {
            count as f64 / total as f64
        }
    };
    let rows = buckets
        .iter()
        .map(|bucket| {
            let count = bucket["doc_count"].as_u64().unwrap_or(0);
            let key = match &bucket["key"] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let shown = bucket["key_as_string"]
                .as_str()
                .map_or_else(|| key.clone(), str::to_string);
            ValueRow {
                // a date matches as it is written, a boolean as true/false
                term: shown.clone(),
                shown,
                count,
                share: share(count),
            }
        })
        .collect();
    Ok(TopValues {
        total,
        lacking: answer["aggregations"]["lacking"]["doc_count"]
            .as_u64()
            .unwrap_or(0),
        rows,
        others: values["sum_other_doc_count"].as_u64().unwrap_or(0),
        approximate: values["doc_count_error_upper_bound"]
            .as_u64()
            .is_some_and(|error| error > 0),
    })
}

/// At most this many field names are listed (the filter finds the others).
pub const LISTED: usize = 200;

/// The field names the sidebar lists: not the `.keyword` sub-fields (a text field's
/// values come from them), those whose name holds `filter` (any case), at most [`LISTED`];
/// those the sampled events hold first, then the others, each group by name.
pub fn field_names(
    found: &BTreeMap<String, FieldInfo>,
    filter: &str,
    sample: &Sample,
) -> Vec<String> {
    let filter = filter.trim().to_lowercase();
    let mut names: Vec<&String> = found
        .keys()
        .filter(|name| !name.ends_with(".keyword"))
        .filter(|name| filter.is_empty() || name.to_lowercase().contains(&filter))
        .collect();
    // stable: each group stays in name order
    names.sort_by_key(|name| sample.share(name).is_none());
    names.into_iter().take(LISTED).cloned().collect()
}

/// A share as a percentage: one decimal under 10%, none above.
pub fn percent(share: f64) -> String {
    let percent = share * 100.0;
    if percent > 0.0 && percent < 10.0 {
        format!("{percent:.1}%")
    } else {
        format!("{percent:.0}%")
    }
}

/// What a value's action adds to the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Only events with this value.
    Only,
    /// Events without this value.
    Without,
    /// Events that have the field at all.
    Exists,
}

/// The filter pill of `action` on `field` (and `value`).
pub fn pill(field: &str, value: &str, action: Action) -> Pill {
    let field = field.to_string();
    match action {
        Action::Only | Action::Without => Pill::new(
            Match::Is {
                field,
                value: value.to_string(),
            },
            action == Action::Without,
        ),
        Action::Exists => Pill::new(Match::Exists(field), false),
    }
}

/// The query with `action` on `field` (and `value`) added to it, in the query box's
/// Lucene syntax: `level:"ERROR"`, `NOT level:"ERROR"`, `_exists_:level`, joined to what
/// was there with `AND`.
pub fn with_filter(query: &str, field: &str, value: &str, action: Action) -> String {
    with_clause(query, &pill(field, value, action).lucene())
}

/// `clause` joined to `query` with `AND` (the query grouped when it has `OR` or
/// parentheses), or the query as it was when it ends with that clause already.
pub fn with_clause(query: &str, clause: &str) -> String {
    let query = query.trim();
    if query.is_empty() {
        clause.to_string()
    } else if query == clause || query.ends_with(&format!(" AND {clause}")) {
        query.to_string()
    } else if is_plain_and_chain(query) {
        format!("{query} AND {clause}")
    } else {
        format!("({query}) AND {clause}")
    }
}

/// A field name as Lucene reads it: its special characters escaped.
pub fn escape_field(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars() {
        if "+-=&|><!(){}[]^\"~*?:\\/ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value inside double quotes: only `"` and `\` are special there.
pub fn escape_phrase(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Whether `query` is clauses joined by `AND` only (no `OR`, no parentheses), so another
/// clause can be added without grouping it.
fn is_plain_and_chain(query: &str) -> bool {
    !query.contains(['(', ')'])
        && !query
            .split_whitespace()
            .any(|word| word == "OR" || word == "||")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_counts_values_and_events_lacking_the_field() {
        let body = request(
            &Search::text("level:ERROR"),
            1_000,
            2_000,
            "extra.user_id.keyword",
        );
        assert_eq!(body["size"], 0);
        assert_eq!(body["track_total_hits"], true);
        assert_eq!(
            body["aggs"]["values"]["terms"],
            json!({"field": "extra.user_id.keyword", "size": TOP})
        );
        assert_eq!(
            body["aggs"]["lacking"]["filter"]["bool"]["must_not"]["exists"]["field"],
            "extra.user_id.keyword"
        );
        assert_eq!(
            body["query"],
            query_in_range(&Search::text("level:ERROR"), 1_000, 2_000)
        );
    }

    #[test]
    fn values_are_read_with_their_share_of_the_view() {
        let answer = json!({
            "hits": {"total": {"value": 60, "relation": "eq"}},
            "aggregations": {
                "values": {
                    "doc_count_error_upper_bound": 0,
                    "sum_other_doc_count": 4,
                    "buckets": [
                        {"key": "INFO", "doc_count": 50},
                        {"key": "ERROR", "doc_count": 6}
                    ]
                },
                "lacking": {"doc_count": 0}
            }
        });
        let values = read(&answer).expect("reads");
        assert_eq!(values.total, 60);
        assert_eq!(values.others, 4);
        assert!(!values.approximate);
        assert_eq!(values.rows.len(), 2);
        assert_eq!(values.rows[1].shown, "ERROR");
        assert_eq!(values.rows[1].count, 6);
        assert!((values.rows[1].share - 0.1).abs() < 1e-9);
    }

    #[test]
    fn numbers_dates_and_booleans_match_as_written() {
        let answer = json!({
            "hits": {"total": {"value": 3}},
            "aggregations": {
                "values": {"doc_count_error_upper_bound": 2, "buckets": [
                    {"key": 500, "doc_count": 1},
                    {"key": 1_764_000_000_000_i64, "key_as_string": "2025-11-24T16:00:00.000Z", "doc_count": 1},
                    {"key": 1, "key_as_string": "true", "doc_count": 1}
                ]},
                "lacking": {"doc_count": 2}
            }
        });
        let values = read(&answer).expect("reads");
        let terms: Vec<&str> = values.rows.iter().map(|r| r.term.as_str()).collect();
        assert_eq!(terms, ["500", "2025-11-24T16:00:00.000Z", "true"]);
        assert_eq!(values.lacking, 2);
        assert!(values.approximate, "an error bound over shards is said");
    }

    #[test]
    fn fields_are_listed_without_their_keyword_sub_fields_and_filtered_by_name() {
        let info = |aggregatable| FieldInfo {
            es_type: "keyword".into(),
            aggregatable,
        };
        let found: BTreeMap<String, FieldInfo> = [
            ("level", info(false)),
            ("level.keyword", info(true)),
            ("extra.user_id", info(false)),
            ("extra.user_id.keyword", info(true)),
            ("Host", info(true)),
        ]
        .into_iter()
        .map(|(name, info)| (name.to_string(), info))
        .collect();
        let none = Sample::default();
        assert_eq!(
            field_names(&found, "", &none),
            ["Host", "extra.user_id", "level"]
        );
        assert_eq!(field_names(&found, " USER ", &none), ["extra.user_id"]);
        assert_eq!(field_names(&found, "host", &none), ["Host"]);
        // the fields of the sampled events first
        let sample = Sample::read(&json!({"hits": {"hits": [{"_source": {"level": "INFO"}}]}}));
        assert_eq!(
            field_names(&found, "", &sample),
            ["level", "Host", "extra.user_id"]
        );
    }

    #[test]
    fn shares_read_as_percentages() {
        assert_eq!(percent(0.1), "10%");
        assert_eq!(percent(0.0123), "1.2%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
    }

    #[test]
    fn an_answer_without_hits_is_named() {
        assert!(read(&json!({"error": "x"})).is_err());
        let empty =
            json!({"hits": {"total": {"value": 0}}, "aggregations": {"values": {"buckets": []}}});
        assert_eq!(read(&empty).expect("reads").rows, vec![]);
    }

    #[test]
    fn filters_join_the_query_with_and() {
        assert_eq!(
            with_filter("", "level", "ERROR", Action::Only),
            "level:\"ERROR\""
        );
        assert_eq!(
            with_filter("GET", "level", "ERROR", Action::Without),
            "GET AND NOT level:\"ERROR\""
        );
        assert_eq!(
            with_filter("a OR b", "level", "ERROR", Action::Only),
            "(a OR b) AND level:\"ERROR\""
        );
        assert_eq!(
            with_filter("x", "extra.user_id", "u1", Action::Exists),
            "x AND _exists_:extra.user_id"
        );
        // the same filter twice is one filter
        let once = with_filter("x", "level", "ERROR", Action::Only);
        assert_eq!(with_filter(&once, "level", "ERROR", Action::Only), once);
    }

    #[test]
    fn values_and_field_names_are_escaped() {
        assert_eq!(
            with_filter("", "message", r#"say "hi" \ bye"#, Action::Only),
            r#"message:"say \"hi\" \\ bye""#
        );
        assert_eq!(
            with_filter("", "odd field:name", "v", Action::Only),
            r#"odd\ field\:name:"v""#
        );
    }

    #[test]
    fn every_filter_made_is_a_query_the_parser_reads() {
        for value in [
            "ERROR",
            r#"a "quoted" value"#,
            r"back\slash",
            "(x) OR y",
            "*",
        ] {
            for action in [Action::Only, Action::Without, Action::Exists] {
                let query = with_filter(r#"message:"GET /hello""#, "extra.path", value, action);
                crate::lucene::parse(&query, crate::lucene::DefaultOperator::And)
                    .unwrap_or_else(|err| panic!("{query}: {err:?}"));
            }
        }
    }
}
