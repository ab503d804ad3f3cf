//! The panels' one `_msearch` per refresh (volume by level, active users, response-time
//! percentiles and errors, for the range and for the period before it) and its answer.

use serde_json::{json, Value};

use super::fields::{LatencyUnit, ResolvedFields};
use super::interval;
use crate::es::{ErrorBody, ShardGaps};
use crate::time::{format_iso8601, EpochMillis};
use crate::view::Search;

/// Buckets with fewer requests than this give percentiles too noisy to trust; shown greyed.
pub const MIN_SAMPLES: u64 = 20;
/// A rise of p95 beyond this fraction over the previous period is flagged as degrading.
pub const DEGRADED_RATIO: f64 = 0.2;

/// What one refresh asks for.
#[derive(Debug, Clone)]
pub struct PanelsRequest {
    pub index: String,
    /// The view's query text and pills.
    pub search: Search,
    pub from: EpochMillis,
    pub to: EpochMillis,
    /// The displayed zone's offset (minutes east), so buckets line up with the labels.
    pub offset_minutes: i32,
    /// The displayed zone's name, when the view names one (`Europe/Berlin`): buckets then
    /// follow its clock changes, as Elasticsearch computes them.
    pub time_zone: Option<String>,
    pub now: EpochMillis,
}

impl PanelsRequest {
    pub fn interval(&self) -> (i64, &'static str) {
        interval::choose(self.to - self.from)
    }

    /// The `_msearch` body: the range, then the period of equal length before it.
    pub fn msearch_body(&self, fields: &ResolvedFields) -> String {
        let (_, fixed_interval) = self.interval();
        let zone = match &self.time_zone {
            Some(name) => name.clone(),
            None => zone_string(self.offset_minutes),
        };
        let mut per_bucket = serde_json::Map::new();
        let mut totals = serde_json::Map::new();
        if let Some(level) = &fields.level {
            per_bucket.insert(
                "levels".into(),
                json!({"terms": {"field": level.agg, "size": 10}}),
            );
        }
        if let Some(user) = &fields.user {
            per_bucket.insert("users".into(), json!({"cardinality": {"field": user.agg}}));
            totals.insert("users".into(), json!({"cardinality": {"field": user.agg}}));
            totals.insert("recent".into(), json!({
                "filter": {"range": {"@timestamp": {"gte": format_iso8601(self.to.min(self.now) - 5 * 60_000)}}},
                "aggs": {"users": {"cardinality": {"field": user.agg}}}
            }));
        }
        if let Some(latency) = &fields.latency {
            let percentiles =
                json!({"percentiles": {"field": latency.agg, "percents": [50, 95, 99]}});
            per_bucket.insert("latency".into(), percentiles.clone());
            per_bucket.insert(
                "timed".into(),
                json!({"value_count": {"field": latency.agg}}),
            );
            totals.insert("latency".into(), percentiles);
            totals.insert(
                "timed".into(),
                json!({"value_count": {"field": latency.agg}}),
            );
        }
        if let Some(status) = &fields.status {
            let errors = json!({"range": {"field": status.agg, "ranges": [{"from": 500}]}});
            per_bucket.insert("errors".into(), errors.clone());
            totals.insert("errors".into(), errors);
            // the error rate's denominator: events that carry a status (requests), not
            // every log line
            totals.insert(
                "with_status".into(),
                json!({"value_count": {"field": status.agg}}),
            );
        }
        let mut aggs = totals.clone();
        aggs.insert("over_time".into(), json!({
            "date_histogram": {
                "field": "@timestamp", "fixed_interval": fixed_interval, "time_zone": zone, "min_doc_count": 0,
                "extended_bounds": {"min": self.from, "max": self.to}
            },
            "aggs": per_bucket
        }));
        let current = json!({"size": 0, "track_total_hits": true, "query": self.query_for(self.from, self.to), "aggs": aggs});
        let mut previous_aggs = serde_json::Map::new();
        for key in ["latency", "timed", "errors"] {
            if let Some(agg) = totals.get(key) {
                previous_aggs.insert(key.into(), agg.clone());
            }
        }
        let span = self.to - self.from;
        let previous = json!({"size": 0, "track_total_hits": true, "query": self.query_for(self.from - span, self.from), "aggs": previous_aggs});
        let header = json!({"index": self.index}).to_string();
        format!("{header}\n{current}\n{header}\n{previous}\n")
    }

    /// The user's query within a time range.
    pub fn query_for(&self, from: EpochMillis, to: EpochMillis) -> Value {
        query_in_range(&self.search, from, to)
    }
}

/// The time range and what the view searches for (its query text and pills), as one
/// `bool` query of filters.
pub fn query_in_range(search: &Search, from: EpochMillis, to: EpochMillis) -> Value {
    let (mut filter, must_not) = search.clauses();
    filter.insert(
        0,
        json!({"range": {"@timestamp": {"gte": from, "lte": to, "format": "epoch_millis"}}}),
    );
    if must_not.is_empty() {
        json!({"bool": {"filter": filter}})
    } else {
        json!({"bool": {"filter": filter, "must_not": must_not}})
    }
}

fn zone_string(offset_minutes: i32) -> String {
    if offset_minutes == 0 {
        return "UTC".to_string();
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
}

/// p50, p95 and p99 in milliseconds (absent when nothing was timed).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percentiles {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bucket {
    pub key: EpochMillis,
    pub count: u64,
    /// Events per level, e.g. ("INFO", 120).
    pub levels: Vec<(String, u64)>,
    pub users: Option<u64>,
    pub latency: Percentiles,
    /// How many events carried a response time (what the percentiles rest on).
    pub timed: u64,
    pub errors: Option<u64>,
}

/// Whether response times are getting worse than in the period before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trend {
    /// Not enough requests in one of the periods to say.
    Unknown,
    Steady {
        change: f64,
    },
    Better {
        change: f64,
    },
    Degrading {
        change: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelsData {
    pub interval_ms: i64,
    pub total: u64,
    pub buckets: Vec<Bucket>,
    pub users_total: Option<u64>,
    pub users_recent: Option<u64>,
    pub latency: Percentiles,
    pub latency_previous: Percentiles,
    pub timed: u64,
    pub timed_previous: u64,
    pub errors: Option<u64>,
    pub errors_previous: Option<u64>,
    /// How many events in the range carry a status code: the requests errors are out of.
    pub with_status: Option<u64>,
    /// Shards either search left out: the numbers above are short by what they hold.
    pub gaps: Option<ShardGaps>,
    /// When the numbers were asked for (epoch ms; 0 when not known).
    pub asked_at: EpochMillis,
    /// The index pattern matched no index at all (the answer searched no shard): there is
    /// nothing to loosen, and no field could be found.
    pub no_index: bool,
}

impl PanelsData {
    /// Reads the `_msearch` answer; an item that failed gives its error, not an empty chart.
    pub fn parse(
        answer: &Value,
        unit: LatencyUnit,
        interval_ms: i64,
    ) -> Result<PanelsData, String> {
        let responses = answer
            .get("responses")
            .and_then(Value::as_array)
            .ok_or("the _msearch answer has no responses")?;
        let item = |i: usize| -> Result<&Value, String> {
            let item = responses
                .get(i)
                .ok_or("the _msearch answer is missing a response")?;
            if item.get("error").is_some() {
                let status = item.get("status").and_then(Value::as_u64).unwrap_or(500) as u16;
                let summary = ErrorBody::parse(status, &item.to_string())
                    .map(|e| e.summary())
                    .unwrap_or_else(|| item["error"].to_string());
                return Err(summary);
            }
            Ok(item)
        };
        let current = item(0)?;
        let previous = item(1).ok();
        let aggs = &current["aggregations"];
        let scale = unit.to_ms();
        let mut data = PanelsData {
            interval_ms,
            total: total_hits(current),
            users_total: aggs["users"]["value"]
                .as_f64()
                .map(|_| count(&aggs["users"]["value"])),
            users_recent: aggs["recent"]["users"]["value"]
                .as_f64()
                .map(|_| count(&aggs["recent"]["users"]["value"])),
            latency: percentiles(&aggs["latency"], scale),
            timed: count(&aggs["timed"]["value"]),
            errors: errors(&aggs["errors"]),
            with_status: aggs["with_status"]["value"]
                .as_f64()
                .map(|_| count(&aggs["with_status"]["value"])),
            gaps: ShardGaps::of_answer(answer),
            no_index: current["_shards"]["total"].as_u64() == Some(0),
            ..PanelsData::default()
        };
        if let Some(previous) = previous {
            let aggs = &previous["aggregations"];
            data.latency_previous = percentiles(&aggs["latency"], scale);
            data.timed_previous = count(&aggs["timed"]["value"]);
            data.errors_previous = errors(&aggs["errors"]);
        }
        for bucket in aggs["over_time"]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            data.buckets.push(Bucket {
                key: bucket["key"]
                    .as_i64()
                    .or_else(|| bucket["key"].as_f64().map(|k| k as i64))
                    .unwrap_or_default(),
                count: bucket["doc_count"].as_u64().unwrap_or(0),
                levels: bucket["levels"]["buckets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| (key_text(&b["key"]), b["doc_count"].as_u64().unwrap_or(0)))
                    .collect(),
                users: bucket["users"]["value"]
                    .as_f64()
                    .map(|_| count(&bucket["users"]["value"])),
                latency: percentiles(&bucket["latency"], scale),
                timed: count(&bucket["timed"]["value"]),
                errors: errors(&bucket["errors"]),
            });
        }
        Ok(data)
    }

    /// Per bucket, whether it was still filling when the numbers were asked for (it ends
    /// after that moment): its low counts are no drop in traffic, and it is drawn so.
    pub fn filling(&self) -> Vec<bool> {
        self.buckets
            .iter()
            .map(|b| self.asked_at > 0 && b.key + self.interval_ms > self.asked_at)
            .collect()
    }

    /// p95 now against p95 in the period before, when both rest on enough requests.
    pub fn trend(&self) -> Trend {
        match (self.latency.p95, self.latency_previous.p95) {
            (Some(now), Some(before))
                if self.timed >= MIN_SAMPLES
                    && self.timed_previous >= MIN_SAMPLES
                    && before > 0.0 =>
            {
                let change = (now - before) / before;
                if change > DEGRADED_RATIO {
                    Trend::Degrading { change }
                } else if change < -DEGRADED_RATIO {
                    Trend::Better { change }
                } else {
                    Trend::Steady { change }
                }
            }
            _ => Trend::Unknown,
        }
    }

    /// Errors (status >= 500) as a share of the requests in the range: the events that carry
    /// a status code (an answer without that count, from an older logdash, falls back to
    /// every event).
    pub fn error_rate(&self) -> Option<f64> {
        let requests = self.requests();
        self.errors
            .filter(|_| requests > 0)
            .map(|e| e as f64 / requests as f64)
    }

    /// What the error rate is out of.
    pub fn requests(&self) -> u64 {
        self.with_status.unwrap_or(self.total)
    }
}

/// A count that Elasticsearch sends as an integer and some backends as a float.
fn count(value: &Value) -> u64 {
    value
        .as_u64()
        .or_else(|| value.as_f64().map(|f| f.max(0.0).round() as u64))
        .unwrap_or(0)
}

fn total_hits(item: &Value) -> u64 {
    let total = &item["hits"]["total"];
    total
        .as_u64()
        .or_else(|| total["value"].as_u64())
        .unwrap_or(0)
}

fn key_text(key: &Value) -> String {
    key.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| key.to_string())
}

/// Reads a percentiles result keyed ("95.0": v) or as a list; null values stay absent.
fn percentiles(result: &Value, scale: f64) -> Percentiles {
    let read = |percent: f64| -> Option<f64> {
        let values = &result["values"];
        let value = match values {
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.parse::<f64>().ok() == Some(percent))
                .map(|(_, v)| v),
            Value::Array(items) => items
                .iter()
                .find(|i| i["key"].as_f64() == Some(percent))
                .map(|i| &i["value"]),
            _ => None,
        };
        value
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
            .map(|v| v * scale)
    };
    Percentiles {
        p50: read(50.0),
        p95: read(95.0),
        p99: read(99.0),
    }
}

fn errors(result: &Value) -> Option<u64> {
    result["buckets"]
        .as_array()
        .map(|buckets| buckets.iter().filter_map(|b| b["doc_count"].as_u64()).sum())
}

#[cfg(test)]
mod tests;
