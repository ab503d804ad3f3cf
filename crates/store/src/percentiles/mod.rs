//! `percentiles` and `percentile_ranks` as Elasticsearch answers them, at the top of a
//! request and in the buckets of `date_histogram`, `terms`, `histogram`, `range`, `filter`
//! and `filters` (the dashboard's response-time panel asks for the first two). tantivy's own percentiles are
//! a DDSketch, 1 % off and not Elasticsearch's interpolation on small samples; these run
//! as a collector beside tantivy's aggregations ([`collect`]), reading the values from the
//! fast columns by the bucket each event is in ([`path`]), and go through [`crate::digest`].

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

mod collect;
mod path;

use collect::Timed;
pub(crate) use collect::{PercentilesCollector, Values};
pub(crate) use path::{Key, Step};

use crate::digest::{Digest, DEFAULT_COMPRESSION};
use crate::Raised;
use crate::RequestError;

/// Elasticsearch's default `percents`.
const DEFAULT_PERCENTS: [f64; 7] = [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0];

/// One percentiles aggregation the collector answers.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    /// The tantivy column (`kw.path`).
    pub column: String,
    /// The buckets it sits in, top down (none at the top of a request).
    pub path: Vec<Step>,
    pub compression: f64,
    pub missing: Option<f64>,
    pub output: Output,
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

/// Reads a percentiles aggregation's options as Elasticsearch does, refusing what it would.
pub(crate) fn parse(
    name: &str,
    kind: &str,
    body: &Map<String, Value>,
    column: String,
    path: Vec<Step>,
) -> Result<Spec, RequestError> {
    let ranks = kind == "percentile_ranks";
    let mut spec = Spec {
        column,
        path,
        compression: DEFAULT_COMPRESSION,
        missing: None,
        output: Output {
            percents: if ranks {
                Vec::new()
            } else {
                DEFAULT_PERCENTS.to_vec()
            },
            keyed: true,
            ranks,
        },
    };
    let output = &mut spec.output;
    if ranks && !body.contains_key("values") {
        return Err(unbuildable(
            kind,
            format!("[values] must not be null: [{name}]"),
        ));
    }
    for (key, value) in body {
        match key.as_str() {
            "field" => {}
            "values" if ranks => {
                let items = value.as_array().ok_or_else(|| {
                    RequestError::bad_request(format!("[values] of [{name}] must be an array of numbers"))
                })?;
                if items.is_empty() {
                    return Err(unbuildable(kind, format!("[values] must not be an empty array: [{name}]")));
                }
                output.percents = items
                    .iter()
                    .map(|item| {
                        item.as_f64().ok_or_else(|| {
                            RequestError::bad_request(format!("[values] of [{name}] must be numbers, not {item}"))
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "percents" if !ranks => {
                let items = value.as_array().ok_or_else(|| {
                    RequestError::bad_request(format!("[percents] of [{name}] must be an array of numbers"))
                })?;
                if items.is_empty() {
                    return Err(unbuildable(kind, format!(
                        "[percents] must not be empty: [{name}]"
                    )));
                }
                output.percents = items
                    .iter()
                    .map(|item| match item.as_f64() {
                        Some(p) if (0.0..=100.0).contains(&p) => Ok(p),
                        Some(p) => Err(unbuildable(kind, format!(
                            "percent must be in [0,100], got [{p:?}]: [{name}]"
                        ))),
                        None => Err(RequestError::bad_request(format!(
                            "[percents] of [{name}] must be numbers, not {item}"
                        ))),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "keyed" => {
                output.keyed = value.as_bool().ok_or_else(|| {
                    RequestError::bad_request(format!("[keyed] of [{name}] must be true or false"))
                })?;
            }
            "missing" => {
                spec.missing = Some(value.as_f64().ok_or_else(|| {
                    RequestError::bad_request(format!("[missing] of [{name}] must be a number"))
                })?);
            }
            "tdigest" => {
                for (option, setting) in value.as_object().into_iter().flatten() {
                    match (option.as_str(), setting) {
                        ("compression", setting) => match setting.as_f64() {
                            Some(c) if c >= 0.0 => spec.compression = c.max(1.0),
                            _ => {
                                return Err(RequestError::illegal_argument(format!(
                                    "[compression] must be greater than or equal to 0. Found [{setting}] in [{name}]"
                                )))
                            }
                        },
                        ("execution_hint", Value::String(hint)) if hint == "default" => {}
                        (other, _) => {
                            return Err(RequestError::illegal_argument(format!(
                                "[tdigest.{other}] in [{name}] is not supported: logdash runs Elasticsearch's default t-digest"
                            )))
                        }
                    }
                }
            }
            "hdr" => {
                return Err(RequestError::illegal_argument(format!(
                    "[hdr] in [{name}] is not supported: logdash computes percentiles with Elasticsearch's default t-digest"
                )))
            }
            other => {
                return Err(RequestError::bad_request(format!(
                    "[{kind}] unknown field [{other}] in [{name}]"
                )))
            }
        }
    }
    Ok(spec)
}

/// One bucket of one spec, to answer: the spec's number, the bucket's path, its values.
type Job = (usize, Vec<Key>, Timed);

/// Buckets with at least this many values are answered on all cores before rendering;
/// the others when rendering asks for them (a `terms` of many values collects a bucket
/// for each, of which it shows a few).
const ANSWERED_AHEAD: usize = 2_000;

/// The answers of every spec's buckets, by path.
pub(crate) struct Answers<'a> {
    specs: &'a [Spec],
    /// The large buckets' answers.
    answered: Vec<BTreeMap<Vec<Key>, Value>>,
    /// The small buckets' values, answered when asked for.
    waiting: Values,
}

impl<'a> Answers<'a> {
    /// Answers the large buckets at once, on all cores: at a million events the digests are
    /// most of a request's time.
    pub(crate) fn new(values: Values, specs: &'a [Spec]) -> Answers<'a> {
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
        Answers {
            specs,
            answered: answer_all(large, specs),
            waiting,
        }
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

/// Elasticsearch's refusal of percentiles options it parsed but cannot build with.
fn unbuildable(kind: &str, cause: String) -> RequestError {
    RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("Failed to build [{kind}] after last required field arrived: {cause}"),
        raised: Raised::Anywhere,
    }
}

/// The aggregation's answer for one bucket's values (none: every percentile is null).
///
/// Past the size answered exactly, a t-digest's answer depends a little on the order the
/// values come in. Elasticsearch takes them in its shard's order, which for logs is about the
/// order they arrived in; the store's segments hold them in another. So they go in by time,
/// the closest the store has to arrival (stable between runs too).
pub(crate) fn render(values: Option<Vec<(i64, f64)>>, spec: &Spec) -> Value {
    let output = &spec.output;
    let mut digest = Digest::new(spec.compression);
    let mut values = values.unwrap_or_default();
    if digest.merges_at() <= values.len() {
        sort_by_time(&mut values);
    }
    for (_, value) in values {
        digest.add(value);
    }
    let results: Vec<(f64, Option<f64>)> = output
        .percents
        .iter()
        .map(|&p| {
            let answer = if output.ranks {
                digest.cdf(p).map(|fraction| fraction * 100.0)
            } else {
                digest.percentile(p)
            };
            (p, answer)
        })
        .collect();
    if output.keyed {
        let values: Map<String, Value> = results
            .into_iter()
            .map(|(p, v)| (percent_key(p), json!(v)))
            .collect();
        json!({"values": values})
    } else {
        let values: Vec<Value> = results
            .into_iter()
            .map(|(p, v)| json!({"key": p, "value": v}))
            .collect();
        json!({"values": values})
    }
}

/// Orders values by their event's time, keeping the order of equal times: a radix sort on
/// the time since the earliest, 11 bits a pass, so that a million values take milliseconds
/// (a comparison sort took 70 ms at the dashboard's million events).
fn sort_by_time(values: &mut Vec<(i64, f64)>) {
    const BITS: u32 = 11;
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

/// A percent as Java prints a double: "95.0", "99.9".
fn percent_key(percent: f64) -> String {
    if percent.fract() == 0.0 {
        format!("{percent:.1}")
    } else {
        format!("{percent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(percents: Vec<f64>, keyed: bool) -> Spec {
        Spec {
            column: "kw.t".into(),
            path: Vec::new(),
            compression: DEFAULT_COMPRESSION,
            missing: None,
            output: Output {
                percents,
                keyed,
                ranks: false,
            },
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
        let mut answers = Answers::new(vec![first, second], &specs);
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
    fn options_are_read_or_refused_by_name() {
        let parse_body = |body: Value| {
            parse(
                "p",
                "percentiles",
                body.as_object().expect("object"),
                "kw.t".into(),
                Vec::new(),
            )
        };
        let spec = parse_body(json!({"field": "t", "percents": [50, 99], "keyed": false, "missing": 3, "tdigest": {"compression": 200}}))
            .expect("reads");
        assert_eq!((spec.compression, spec.missing), (200.0, Some(3.0)));
        assert_eq!(
            (spec.output.percents, spec.output.keyed),
            (vec![50.0, 99.0], false)
        );
        for (body, reason) in [
            (
                json!({"percents": [101]}),
                "Failed to build [percentiles] after last required field arrived: percent must be in [0,100], got [101.0]",
            ),
            (
                json!({"percents": []}),
                "Failed to build [percentiles] after last required field arrived: [percents] must not be empty",
            ),
            (json!({"hdr": {}}), "[hdr] in [p] is not supported"),
            (
                json!({"script": "x"}),
                "[percentiles] unknown field [script]",
            ),
            (
                json!({"tdigest": {"compression": -1}}),
                "[compression] must be greater than or equal to 0",
            ),
        ] {
            let err = parse_body(body).expect_err("refused");
            assert!(err.reason.starts_with(reason), "{}", err.reason);
        }
    }
}
