//! Aggregations: buckets of every kind, with metrics and buckets below them.

use serde_json::{json, Value};

use super::Generator;
use crate::differential::data::Kind;

impl Generator<'_> {
    /// An aggregation with up to `depth` levels of sub-aggregations.
    pub fn aggregation(&mut self, depth: usize) -> Value {
        let mut aggregation = match self.rng.below(13) {
            0 | 1 => {
                let (field, kind) = self.field(|kind| kind != Kind::Text);
                let mut terms = json!({"field": field, "size": self.rng.between(1, 8)});
                match self.rng.below(4) {
                    0 => terms["order"] = json!({"_key": "asc"}),
                    1 => terms["order"] = json!({"_key": "desc"}),
                    2 => terms["order"] = json!({"_count": "asc"}),
                    _ => {}
                }
                if self.rng.one_in(4) {
                    terms["min_doc_count"] = json!(self.rng.between(0, 3));
                }
                if self.rng.one_in(5) {
                    terms["missing"] = json!(self.value(field, Kind::Keyword));
                }
                if kind == Kind::Keyword && self.rng.one_in(5) {
                    let key = if self.rng.one_in(2) {
                        "include"
                    } else {
                        "exclude"
                    };
                    terms[key] = json!(format!("{}.*", self.rng.pick(&["a", "w", "I", "E", "u"])));
                }
                json!({"terms": terms})
            }
            2 => {
                let (field, _) =
                    self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float));
                let interval = *self.rng.pick(&[1.0, 5.0, 10.0, 50.0, 0.25, 100.0]);
                let mut histogram = json!({"field": field, "interval": interval});
                if self.rng.one_in(3) {
                    histogram["min_doc_count"] = json!(1);
                } else if self.rng.one_in(3) {
                    histogram["extended_bounds"] = json!({"min": -50, "max": 400});
                }
                if self.rng.one_in(4) {
                    histogram["offset"] = json!(interval / 2.0);
                }
                json!({"histogram": histogram})
            }
            3 => {
                let (field, _) = self.field(|kind| kind == Kind::Date);
                let mut histogram = json!({"field": field});
                if self.rng.one_in(2) {
                    histogram["fixed_interval"] = json!(*self.rng.pick(&["30m", "1h", "3h", "1d"]));
                } else {
                    histogram["calendar_interval"] =
                        json!(*self.rng.pick(&["hour", "day", "week", "month"]));
                }
                if self.rng.one_in(3) {
                    histogram["time_zone"] =
                        json!(*self
                            .rng
                            .pick(&["Europe/Berlin", "-05:00", "America/New_York"]));
                }
                if self.rng.one_in(3) {
                    histogram["min_doc_count"] = json!(1);
                }
                json!({"date_histogram": histogram})
            }
            4 => {
                let (field, _) =
                    self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float));
                let a = self.rng.between(-20, 150);
                let b = a + self.rng.between(1, 200);
                let mut range = json!({"field": field, "ranges": [{"to": a}, {"from": a, "to": b}, {"from": b}]});
                if self.rng.one_in(3) {
                    range["keyed"] = json!(true);
                }
                json!({"range": range})
            }
            5 => json!({"filter": self.query(1)}),
            6 => {
                let (field, _) = self.field(|_| true);
                json!({"missing": {"field": field}})
            }
            7 => {
                let mut filters =
                    json!({"filters": {"some": self.query(1), "others": self.query(1)}});
                if self.rng.one_in(3) {
                    filters["other_bucket_key"] = json!("rest");
                }
                json!({"filters": filters})
            }
            8 => {
                let (field, _) = self.field(|kind| kind == Kind::Date);
                let mut range = json!({"field": field, "ranges": [
                    {"to": "2025-11-28"},
                    {"from": "2025-11-28", "to": "2025-12-06||-1d"},
                    {"from": "2025-12-05||/d"}
                ]});
                if self.rng.one_in(3) {
                    range["keyed"] = json!(true);
                }
                if self.rng.one_in(3) {
                    range["format"] = json!("yyyy-MM-dd");
                }
                json!({"date_range": range})
            }
            _ => self.metric(),
        };
        let buckets = aggregation.get("filters").is_some()
            || aggregation.get("date_range").is_some()
            || aggregation.get("terms").is_some()
            || aggregation.get("histogram").is_some()
            || aggregation.get("date_histogram").is_some()
            || aggregation.get("range").is_some()
            || aggregation.get("filter").is_some()
            || aggregation.get("missing").is_some();
        if buckets && depth > 0 && !self.rng.one_in(3) {
            let inner = match self.rng.one_in(3) {
                true => self.aggregation(depth - 1),
                false => self.metric(),
            };
            aggregation["aggs"] = json!({"inner": inner});
        }
        aggregation
    }

    /// A metric.
    fn metric(&mut self) -> Value {
        let kinds = vec![
            "avg",
            "sum",
            "min",
            "max",
            "stats",
            "value_count",
            "percentiles",
            "extended_stats",
            "cardinality",
        ];
        if self.rng.one_in(10) {
            let (field, _) = self.field(|kind| matches!(kind, Kind::Long | Kind::Double));
            return json!({"percentile_ranks": {"field": field, "values": [0, 50, 200.5]}});
        }
        let kind = *self.rng.pick(&kinds);
        let (field, field_kind) = if matches!(kind, "value_count" | "cardinality") {
            self.field(|kind| kind != Kind::Text)
        } else {
            self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float | Kind::Date))
        };
        let mut metric = json!({"field": field});
        // a date's figures written in a format of the request's own (a sum past 9999 too)
        if field_kind == Kind::Date && kind != "value_count" && self.rng.one_in(4) {
            metric["format"] = json!(*self.rng.pick(&["yyyy-MM-dd", "date_time", "epoch_second"]));
        }
        if kind == "percentiles" {
            metric["percents"] = json!([1, 50, 95, 99]);
        }
        if matches!(kind, "avg" | "sum" | "min" | "max") && self.rng.one_in(5) {
            metric["missing"] = json!(7);
        }
        // a keyword's missing term, which some events may hold too
        if kind == "cardinality" && self.rng.one_in(4) {
            match field_kind {
                Kind::Keyword => metric["missing"] = json!(*self.rng.pick(&["none", "ERROR"])),
                Kind::Long => metric["missing"] = json!(7),
                _ => {}
            }
        }
        json!({kind: metric})
    }
}
