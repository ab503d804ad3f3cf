//! `percentiles` and `percentile_ranks` as Elasticsearch answers them, at the top of a
//! request and in the buckets of `date_histogram`, `terms`, `histogram`, `range`, `filter`
//! and `filters` (the dashboard's response-time panel asks for the first two). tantivy's own percentiles are
//! a DDSketch, 1 % off and not Elasticsearch's interpolation on small samples; these run
//! as a collector beside tantivy's aggregations ([`collect`]), reading the values from the
//! fast columns by the bucket each event is in ([`path`]), and go through [`crate::digest`].
//! The same collector counts a `cardinality`'s distinct values in buckets ([`distinct`]).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

mod collect;
mod distinct;
mod hdr;
mod options;
mod path;
mod placing;

use collect::Timed;
pub(crate) use collect::{ExactCollector, Gathered};
pub(crate) use distinct::{exact_up_to, DistinctSpec};
pub(crate) use options::parse;
pub(crate) use path::{Key, Step};

use crate::digest::Digest;
use crate::RequestError;
use logdash_core::time::DatePattern;

/// One percentiles aggregation the collector answers.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    /// The tantivy column (`kw.path`).
    pub column: String,
    /// The buckets it sits in, top down (none at the top of a request).
    pub path: Vec<Step>,
    pub method: Method,
    pub missing: Option<f64>,
    pub output: Output,
    /// Of a date field: each percentile is written as a date beside it (`_as_string`).
    pub dates: bool,
    /// How those dates are written (`None`: ISO 8601).
    pub date_format: Option<DatePattern>,
}

/// How percentiles are computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Method {
    /// Elasticsearch's default t-digest, of this compression.
    TDigest(f64),
    /// HdrHistogram, to this many significant digits.
    Hdr(u8),
}

/// How a date_histogram cuts time: even buckets (`interval` long, starting `shift` ms
/// after a multiple of it), or between edges (calendar units, zones with clock changes).
#[derive(Debug, Clone)]
pub(crate) enum Bucketing {
    Even { interval: i64, shift: i64 },
    Edges(std::sync::Arc<[i64]>),
}

impl Bucketing {
    /// The key (start, epoch ms) of the bucket holding `ms`; `None` outside every bucket.
    pub(crate) fn key(&self, ms: i64) -> Option<i64> {
        match self {
            Bucketing::Even { interval, shift } => {
                Some((ms - shift).div_euclid(*interval) * interval + shift)
            }
            Bucketing::Edges(edges) => {
                let after = edges.partition_point(|edge| *edge <= ms);
                (after > 0 && after < edges.len()).then(|| edges[after - 1])
            }
        }
    }
}

/// How a percentiles aggregation's answer is written.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    /// The percents asked for, or (`ranks`) the values whose percent ranks are.
    pub percents: Vec<f64>,
    pub keyed: bool,
    /// `percentile_ranks`: the percent of values at or below each of `percents`.
    pub ranks: bool,
}

/// One bucket of one spec, to answer: the spec's number, the bucket's path, its values.
type Job = (usize, Vec<Key>, Timed);

/// Buckets with at least this many values are answered on all cores before rendering;
/// the others when rendering asks for them (a `terms` of many values collects a bucket
/// for each, of which it shows a few).
const ANSWERED_AHEAD: usize = 2_000;

/// What the collector computes beside tantivy: percentiles and distinct counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Specs {
    pub percentiles: Vec<Spec>,
    pub distinct: Vec<DistinctSpec>,
}

/// The answers of every spec's buckets, by path.
pub(crate) struct Answers<'a> {
    specs: &'a [Spec],
    /// The large buckets' answers.
    answered: Vec<BTreeMap<Vec<Key>, Value>>,
    /// The small buckets' values, answered when asked for.
    waiting: collect::Values,
    /// Each distinct count's buckets.
    counts: Vec<BTreeMap<Vec<Key>, u64>>,
    /// What rendering the aggregations found the store cannot answer (the first of it),
    /// answered instead of them.
    pub refused: Option<RequestError>,
    /// Set while rendering below a histogram's or terms' bucket of no events.
    pub in_empty_bucket: bool,
}

impl<'a> Answers<'a> {
    /// Answers the large buckets at once, on all cores: at a million events the digests are
    /// most of a request's time.
    ///
    /// Fails as Elasticsearch's `hdr` does on a negative value.
    pub(crate) fn new(gathered: Gathered, specs: &'a [Spec]) -> Result<Answers<'a>, RequestError> {
        let values = gathered.values;
        for (spec, buckets) in specs.iter().zip(&values) {
            if let Method::Hdr(digits) = spec.method {
                for bucket in buckets.values() {
                    hdr_recordable(bucket, digits)?;
                }
            }
        }
        let mut waiting = values;
        let mut large = Vec::new();
        for (spec, buckets) in waiting.iter_mut().enumerate() {
            let paths: Vec<Vec<Key>> = buckets
                .iter()
                .filter(|(_, values)| values.len() >= ANSWERED_AHEAD)
                .map(|(path, _)| path.clone())
                .collect();
            for path in paths {
                if let Some(values) = buckets.remove(&path) {
                    large.push((spec, path, values));
                }
            }
        }
        Ok(Answers {
            specs,
            answered: answer_all(large, specs),
            waiting,
            counts: distinct::counts(gathered.sets),
            refused: None,
            in_empty_bucket: false,
        })
    }

    /// The answer of a spec in the bucket at `path` (each is asked for once: its values
    /// are moved out); nulls for a bucket without values.
    pub(crate) fn take(&mut self, spec: usize, path: &[Key]) -> Value {
        let answered = self
            .answered
            .get_mut(spec)
            .and_then(|buckets| buckets.remove(path));
        if let Some(answer) = answered {
            return answer;
        }
        let values = self
            .waiting
            .get_mut(spec)
            .and_then(|buckets| buckets.remove(path));
        match self.specs.get(spec) {
            Some(found) => render(values, found),
            None => Value::Null,
        }
    }

    /// The count of distinct count `spec` in the bucket at `path` (0 where no event is).
    pub(crate) fn distinct(&self, spec: usize, path: &[Key]) -> u64 {
        self.counts
            .get(spec)
            .and_then(|buckets| buckets.get(path))
            .copied()
            .unwrap_or(0)
    }
}

/// Each job's answer, computed on all cores.
fn answer_all(mut jobs: Vec<Job>, specs: &[Spec]) -> Vec<BTreeMap<Vec<Key>, Value>> {
    jobs.sort_by_key(|(_, _, values)| std::cmp::Reverse(values.len()));
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len().max(1));
    // the largest first, each to the worker with the least to do so far
    let mut shares: Vec<(usize, Vec<Job>)> = (0..workers).map(|_| (0, Vec::new())).collect();
    for job in jobs {
        if let Some(share) = shares.iter_mut().min_by_key(|(load, _)| *load) {
            share.0 += job.2.len() + 1;
            share.1.push(job);
        }
    }
    let answer = |share: Vec<Job>| -> Vec<(usize, Vec<Key>, Value)> {
        share
            .into_iter()
            .map(|(spec, path, values)| (spec, path, render(Some(values), &specs[spec])))
            .collect()
    };
    let mut shares = shares.into_iter().map(|(_, share)| share);
    let first = shares.next().unwrap_or_default();
    let answered: Vec<(usize, Vec<Key>, Value)> = std::thread::scope(|scope| {
        let others: Vec<_> = shares
            .map(|share| scope.spawn(move || answer(share)))
            .collect();
        let mut all = answer(first);
        for other in others {
            all.extend(other.join().unwrap_or_default());
        }
        all
    });
    let mut out = vec![BTreeMap::new(); specs.len()];
    for (spec, path, value) in answered {
        out[spec].insert(path, value);
    }
    out
}

/// The aggregation's answer for one bucket's values (none: every percentile is null).
///
/// Past the size answered exactly, a t-digest's answer depends a little on the order the
/// values come in. Elasticsearch takes them in its shard's order, which for logs is about the
/// order they arrived in; the store's segments hold them in another. So they go in by time,
/// the closest the store has to arrival (stable between runs too).
pub(crate) fn render(values: Option<Vec<(i64, f64)>>, spec: &Spec) -> Value {
    let output = &spec.output;
    let mut values = values.unwrap_or_default();
    let results: Vec<(f64, Option<f64>)> = match spec.method {
        Method::TDigest(compression) => {
            let mut digest = Digest::new(compression);
            if digest.merges_at() <= values.len() {
                sort_by_time(&mut values);
            }
            for (_, value) in values {
                digest.add(value);
            }
            let mut answer = |p: f64| match output.ranks {
                true => digest.cdf(p).map(|fraction| fraction * 100.0),
                false => digest.percentile(p),
            };
            output.percents.iter().map(|&p| (p, answer(p))).collect()
        }
        Method::Hdr(digits) => {
            let mut sorted: Vec<f64> = values.into_iter().map(|(_, value)| value).collect();
            sorted.sort_by(f64::total_cmp);
            // (each bucket was checked recordable first: `hdr_recordable`)
            let scale = hdr::Scale::new(&sorted, digits);
            let answer = |p: f64| match (&scale, output.ranks) {
                (Some(scale), true) => scale.rank(p),
                (Some(scale), false) => scale.percentile(p),
                (None, _) => None,
            };
            output.percents.iter().map(|&p| (p, answer(p))).collect()
        }
    };
    // a date's percentile as Elasticsearch writes it: its whole milliseconds, cut towards 0
    let date = |value: Option<f64>| match (spec.dates, value, &spec.date_format) {
        (true, Some(ms), Some(pattern)) => Some(pattern.write(ms as i64, 0)),
        (true, Some(ms), None) => Some(crate::aggs::date_text(ms as i64)),
        _ => None,
    };
    if output.keyed {
        let mut values = Map::new();
        for (p, v) in results {
            if let Some(text) = date(v) {
                values.insert(format!("{}_as_string", percent_key(p)), json!(text));
            }
            values.insert(percent_key(p), json!(v));
        }
        json!({"values": values})
    } else {
        let values: Vec<Value> = results
            .into_iter()
            .map(|(p, v)| match date(v) {
                Some(text) => json!({"key": p, "value": v, "value_as_string": text}),
                None => json!({"key": p, "value": v}),
            })
            .collect();
        json!({"values": values})
    }
}

/// Orders values by their event's time, keeping the order of equal times: a radix sort on
/// the time since the earliest, 11 bits a pass, so that a million values take milliseconds
/// (a comparison sort took 70 ms at the dashboard's million events). Logs are mostly
/// stored in the order they happened: then one look finds nothing to do.
fn sort_by_time(values: &mut Vec<(i64, f64)>) {
    const BITS: u32 = 11;
    if values.is_sorted_by_key(|(time, _)| *time) {
        return;
    }
    let Some(earliest) = values.iter().map(|(time, _)| *time).min() else {
        return;
    };
    let latest = values
        .iter()
        .map(|(time, _)| *time)
        .max()
        .unwrap_or(earliest);
    let span = latest.abs_diff(earliest);
    let passes = (u64::BITS - span.leading_zeros()).div_ceil(BITS);
    let mut scratch = vec![(0_i64, 0.0_f64); values.len()];
    let digit = |time: i64, pass: u32| -> usize {
        ((time.abs_diff(earliest) >> (pass * BITS)) & ((1 << BITS) - 1)) as usize
    };
    for pass in 0..passes {
        let mut starts = vec![0_usize; (1 << BITS) + 1];
        for (time, _) in values.iter() {
            starts[digit(*time, pass) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        for &(time, value) in values.iter() {
            let at = &mut starts[digit(time, pass)];
            scratch[*at] = (time, value);
            *at += 1;
        }
        std::mem::swap(values, &mut scratch);
    }
}

/// Whether HdrHistogram records a bucket's values: Elasticsearch's search fails with a
/// 500 on a negative value, or on values wider apart than its histogram can stretch.
fn hdr_recordable(values: &[(i64, f64)], digits: u8) -> Result<(), RequestError> {
    let out_of_bounds = |value: f64, cause: &str| RequestError {
        status: 500,
        kind: "array_index_out_of_bounds_exception",
        reason: format!(
            "The value {} is out of bounds for histogram: {cause}",
            java_double(value)
        ),
        raised: crate::Raised::Anywhere,
    };
    if let Some((_, value)) = values.iter().find(|(_, value)| *value < 0.0) {
        return Err(out_of_bounds(*value, "Negative values cannot be recorded"));
    }
    // the scale of the smallest positive value and the largest alone decides it
    let smallest = values
        .iter()
        .map(|(_, value)| *value)
        .filter(|value| *value > 0.0)
        .fold(f64::INFINITY, f64::min);
    let largest = values.iter().map(|(_, value)| *value).fold(0.0, f64::max);
    let ends = [smallest.min(largest), largest];
    match hdr::Scale::new(&ends, digits) {
        Some(_) => Ok(()),
        None => Err(out_of_bounds(
            largest,
            "the covered range cannot be extended any further",
        )),
    }
}

/// A percent (or a rank's value) as Java prints a double: "95.0", "99.9", "1.0E7".
fn percent_key(percent: f64) -> String {
    java_double(percent)
}

/// A double as Java's `Double.toString` writes it: the shortest digits that read back,
/// in scientific notation below 10^-3 and from 10^7 on.
pub(crate) fn java_double(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || (1e-3..1e7).contains(&magnitude) || !value.is_finite() {
        if value.fract() == 0.0 {
            return format!("{value:.1}");
        }
        return format!("{value}");
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let point = if mantissa.contains('.') { "" } else { ".0" };
    format!("{mantissa}{point}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(percents: Vec<f64>, keyed: bool) -> Spec {
        Spec {
            column: "kw.t".into(),
            path: Vec::new(),
            method: Method::TDigest(crate::digest::DEFAULT_COMPRESSION),
            missing: None,
            output: Output {
                percents,
                keyed,
                ranks: false,
            },
            dates: false,
            date_format: None,
        }
    }

    #[test]
    fn answers_keyed_or_as_a_list_with_nulls_when_empty() {
        let values = vec![(4, 151.0), (1, 1.0), (3, 101.0), (2, 51.0)];
        assert_eq!(
            render(Some(values), &spec(vec![50.0, 95.0, 99.9], true)),
            json!({"values": {"50.0": 76.0, "95.0": 143.5, "99.9": 150.850_000_000_000_02}})
        );
        assert_eq!(
            render(None, &spec(vec![50.0], false)),
            json!({"values": [{"key": 50.0, "value": null}]})
        );
    }

    #[test]
    fn large_buckets_are_answered_ahead_and_small_ones_when_asked() {
        let mut first = BTreeMap::new();
        let many: Vec<(i64, f64)> = (0..ANSWERED_AHEAD as i64).map(|i| (i, i as f64)).collect();
        first.insert(Vec::new(), many);
        let mut second = BTreeMap::new();
        for key in 0..5 {
            second.insert(vec![Key::Int(key * 10)], vec![(key, f64::from(key as i32))]);
        }
        let specs = [spec(vec![50.0], true), spec(vec![99.0], false)];
        let mut answers = Answers::new(
            Gathered {
                values: vec![first, second],
                sets: Vec::new(),
            },
            &specs,
        )
        .expect("no hdr");
        assert_eq!(answers.answered[0].len(), 1);
        assert_eq!(answers.waiting[1].len(), 5);
        assert_eq!(answers.take(0, &[]), json!({"values": {"50.0": 999.5}}));
        assert_eq!(
            answers.take(1, &[Key::Int(40)]),
            json!({"values": [{"key": 99.0, "value": 4.0}]})
        );
        // each is taken once; a bucket without values has nulls
        assert_eq!(
            answers.take(1, &[Key::Int(40)]),
            json!({"values": [{"key": 99.0, "value": null}]})
        );
        assert_eq!(answers.waiting[1].len(), 4);
    }

    #[test]
    fn values_go_in_by_time_and_keep_their_order_on_equal_times() {
        let mut values: Vec<(i64, f64)> = (0..5000_i64)
            .map(|i| {
                (
                    (i * 7919) % 3001 - 1500 + i64::from(i % 2 == 0) * 4_000_000_000,
                    i as f64,
                )
            })
            .collect();
        let mut expected = values.clone();
        expected.sort_by_key(|(time, _)| *time);
        sort_by_time(&mut values);
        assert_eq!(values, expected);
        let mut empty = Vec::new();
        sort_by_time(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn keys_are_written_as_java_writes_a_double() {
        for (value, text) in [
            (95.0, "95.0"),
            (99.9, "99.9"),
            (0.001, "0.001"),
            (0.0005, "5.0E-4"),
            (1e7, "1.0E7"),
            (12_345_678.5, "1.23456785E7"),
            (1e300, "1.0E300"),
            (-2.0, "-2.0"),
        ] {
            assert_eq!(java_double(value), text);
        }
    }
}
