//! A field's spread for the field sidebar: a small histogram of a number or date field
//! over the view's query and range. A date's buckets follow the range (about 30 of them);
//! a number's need its extent first (`stats`), then about 20 round-width buckets over it.

use serde_json::{json, Value};

use super::interval::choose;
use super::panels::query_in_range;
use crate::time::EpochMillis;
use crate::view::Search;

/// What kind of values a field holds, as its spread is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Number,
    Date,
}

impl Shape {
    /// The shape of an Elasticsearch field type, if it has one.
    pub fn of(es_type: &str) -> Option<Shape> {
        match es_type {
            "long" | "integer" | "short" | "byte" | "double" | "float" | "half_float"
            | "scaled_float" | "unsigned_long" => Some(Shape::Number),
            "date" | "date_nanos" => Some(Shape::Date),
            _ => None,
        }
    }
}

/// Number buckets asked for.
const NUMBER_BARS: f64 = 20.0;

/// The first search: a date's histogram, or a number's extent.
pub fn request(
    shape: Shape,
    field: &str,
    search: &Search,
    from: EpochMillis,
    to: EpochMillis,
) -> Value {
    let aggs = match shape {
        // at most 30 buckets: `choose` keeps a range within 120 steps
        Shape::Date => {
            json!({"spread": {"date_histogram": {"field": field, "fixed_interval": choose((to - from).saturating_mul(4)).1}}})
        }
        Shape::Number => json!({"extent": {"stats": {"field": field}}}),
    };
    json!({"size": 0, "query": query_in_range(search, from, to), "aggs": aggs})
}

/// The number's histogram once its extent is known (`None`: no values, or one value).
pub fn number_request(
    answer: &Value,
    field: &str,
    search: &Search,
    from: EpochMillis,
    to: EpochMillis,
) -> Option<Value> {
    let extent = &answer["aggregations"]["extent"];
    let (min, max) = (extent["min"].as_f64()?, extent["max"].as_f64()?);
    if max <= min {
        return None;
    }
    let interval = round_width((max - min) / NUMBER_BARS);
    Some(json!({"size": 0, "query": query_in_range(search, from, to),
        "aggs": {"spread": {"histogram": {"field": field, "interval": interval}}}}))
}

/// A round bucket width (1, 2 or 5 times a power of ten) at least `width`.
fn round_width(width: f64) -> f64 {
    let power = 10f64.powf(width.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|step| *step >= width)
        .unwrap_or(10.0 * power)
}

/// One bucket: where it starts (a number, or epoch milliseconds), as shown, and its count.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub key: f64,
    pub shown: String,
    pub count: u64,
}

/// A number's bars, each shown as the values it counts (`65–70`), and the ends of the
/// whole spread: the smallest and largest value (`10` and `69`), not the last bar's start.
/// `extent` is the first answer (`request`), `histogram` the second (`number_request`).
pub fn number_bars(extent: &Value, histogram: &Value) -> (Vec<Bar>, (String, String)) {
    let mut bars = bars(histogram);
    let width = histogram_width(&bars);
    let shown = |value: f64| decimals(value, width.unwrap_or(1.0));
    if let Some(width) = width {
        for bar in &mut bars {
            bar.shown = format!("{}–{}", shown(bar.key), shown(bar.key + width));
        }
    }
    let extent = &extent["aggregations"]["extent"];
    let end = |key: &str| extent[key].as_f64().map(shown).unwrap_or_default();
    (bars, (end("min"), end("max")))
}

/// The buckets' width: the smallest step between two starts (the histogram asks for one
/// width); none with fewer than two bars.
fn histogram_width(bars: &[Bar]) -> Option<f64> {
    bars.windows(2)
        .map(|pair| pair[1].key - pair[0].key)
        .filter(|step| *step > 0.0)
        .reduce(f64::min)
}

/// `value` with as many decimals as a bucket `width` (> 0) has (`0.05`: two).
fn decimals(value: f64, width: f64) -> String {
    let places = (-width.log10().floor()).max(0.0) as usize;
    format!("{value:.places$}")
}

/// The bars of an answer with a `spread` histogram.
pub fn bars(answer: &Value) -> Vec<Bar> {
    answer["aggregations"]["spread"]["buckets"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|bucket| {
            let key = bucket["key"].as_f64()?;
            Some(Bar {
                key,
                shown: bucket["key_as_string"]
                    .as_str()
                    .map_or_else(|| key.to_string(), str::to_string),
                count: bucket["doc_count"].as_u64().unwrap_or(0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_have_shapes() {
        assert_eq!(Shape::of("long"), Some(Shape::Number));
        assert_eq!(Shape::of("scaled_float"), Some(Shape::Number));
        assert_eq!(Shape::of("date_nanos"), Some(Shape::Date));
        assert_eq!(Shape::of("keyword"), None);
    }

    #[test]
    fn a_date_spread_has_about_thirty_buckets_over_the_range() {
        let hour = 3_600_000;
        let body = request(Shape::Date, "@timestamp", &Search::default(), 0, hour);
        assert_eq!(
            body["aggs"]["spread"]["date_histogram"]["fixed_interval"],
            "2m"
        );
        assert_eq!(body["size"], 0);
    }

    #[test]
    fn a_number_spread_takes_round_buckets_over_its_extent() {
        let first = request(Shape::Number, "ms", &Search::text("level:ERROR"), 0, 1);
        assert_eq!(first["aggs"]["extent"]["stats"]["field"], "ms");
        let extent = json!({"aggregations": {"extent": {"min": 10.0, "max": 69.0}}});
        let second = number_request(&extent, "ms", &Search::default(), 0, 1).expect("a histogram");
        assert_eq!(second["aggs"]["spread"]["histogram"]["interval"], 5.0);
        let one_value = json!({"aggregations": {"extent": {"min": 3.0, "max": 3.0}}});
        assert_eq!(
            number_request(&one_value, "ms", &Search::default(), 0, 1),
            None
        );
        assert_eq!(
            number_request(&json!({}), "ms", &Search::default(), 0, 1),
            None
        );
        assert_eq!(round_width(0.03), 0.05);
        assert_eq!(round_width(1_000.0), 1_000.0);
        assert_eq!(round_width(1_001.0), 2_000.0);
    }

    #[test]
    fn a_number_spread_is_labelled_by_its_values_not_its_bucket_starts() {
        let extent = json!({"aggregations": {"extent": {"min": 10.0, "max": 69.0}}});
        let histogram = json!({"aggregations": {"spread": {"buckets": [
            {"key": 10.0, "doc_count": 3},
            {"key": 15.0, "doc_count": 0},
            {"key": 65.0, "doc_count": 1},
        ]}}});
        let (bars, ends) = number_bars(&extent, &histogram);
        let shown: Vec<&str> = bars.iter().map(|bar| bar.shown.as_str()).collect();
        assert_eq!(shown, ["10–15", "15–20", "65–70"]);
        assert_eq!(ends, ("10".to_string(), "69".to_string()));
        // fractions to the bucket width's decimals
        let extent = json!({"aggregations": {"extent": {"min": 0.1234, "max": 0.9876}}});
        let histogram = json!({"aggregations": {"spread": {"buckets": [
            {"key": 0.1, "doc_count": 1},
            {"key": 0.15, "doc_count": 2},
        ]}}});
        let (bars, ends) = number_bars(&extent, &histogram);
        assert_eq!(bars[1].shown, "0.15–0.20");
        assert_eq!(ends, ("0.12".to_string(), "0.99".to_string()));
    }

    #[test]
    fn bars_read_numbers_and_dates() {
        let answer = json!({"aggregations": {"spread": {"buckets": [
            {"key": 10.0, "doc_count": 3},
            {"key": 1_764_928_800_000i64, "key_as_string": "2025-12-05T10:00:00.000Z", "doc_count": 0},
        ]}}});
        let bars = bars(&answer);
        assert_eq!(
            bars[0],
            Bar {
                key: 10.0,
                shown: "10".into(),
                count: 3
            }
        );
        assert_eq!(bars[1].shown, "2025-12-05T10:00:00.000Z");
        assert!(super::bars(&json!({})).is_empty());
    }
}
