//! The collector beside tantivy's aggregations: each matching event's values of every
//! percentiles aggregation, with the event's time, by the bucket the event is in.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, DynamicColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::path::{Key, SegmentKey, StepReader};
use super::{Bucketing, Spec, Step};

/// Values with their event's time (ms).
pub(crate) type Timed = Vec<(i64, f64)>;
/// Per spec, per bucket (the keys of the buckets above it, top down; none at the top of a
/// request), each value with its event's time.
pub(crate) type Values = Vec<BTreeMap<Vec<Key>, Timed>>;

/// The most buckets a percentiles aggregation is collected in (Elasticsearch's default
/// `search.max_buckets`): a `terms` of a field with a value an event would otherwise hold
/// every event's values in a bucket of its own.
const MAX_BUCKETS: usize = 65_536;

/// Collects the values of every [`Spec`], by the bucket each event is in.
pub(crate) struct PercentilesCollector {
    pub specs: Vec<Spec>,
}

pub(crate) struct SegmentPercentiles {
    specs: Vec<Spec>,
    /// Every event's time: the order values go in by.
    timestamps: Column<tantivy::DateTime>,
    columns: Vec<Vec<DynamicColumn>>,
    /// Per spec, the buckets above it, reading this segment.
    steps: Vec<Vec<StepReader>>,
    /// Per spec, the buckets of a histogram of `@timestamp` when that is all it sits in.
    by_time: Vec<Option<Bucketing>>,
    buckets: Vec<Buckets>,
    /// Per step, the keys of the event being collected; and the reused room to find them.
    keys: Vec<Vec<SegmentKey>>,
    numbers: Vec<f64>,
    values: Timed,
    path: Vec<SegmentKey>,
    odometer: Vec<usize>,
}

/// One spec's buckets in a segment. A segment's events come about in time order, so the
/// bucket of the last event is checked before the index of paths.
#[derive(Default)]
struct Buckets {
    paths: HashMap<Vec<SegmentKey>, usize>,
    values: Vec<(Vec<SegmentKey>, Timed)>,
    last: Option<usize>,
    /// The last bucket of a histogram of `@timestamp` alone, by its key.
    last_time: Option<(i64, usize)>,
    /// Set when an event would have made more than [`MAX_BUCKETS`]; its values go to
    /// `dropped`, and the request is refused.
    overflowed: bool,
    dropped: Timed,
}

impl Buckets {
    fn of(&mut self, path: &[SegmentKey]) -> &mut Timed {
        let slot = match self.last {
            Some(slot) if self.values[slot].0 == path => slot,
            _ => {
                let slot = match self.paths.get(path) {
                    Some(slot) => *slot,
                    None if self.values.len() >= MAX_BUCKETS => {
                        self.overflowed = true;
                        self.dropped.clear();
                        return &mut self.dropped;
                    }
                    None => {
                        self.values.push((path.to_vec(), Vec::new()));
                        self.paths.insert(path.to_vec(), self.values.len() - 1);
                        self.values.len() - 1
                    }
                };
                self.last = Some(slot);
                slot
            }
        };
        &mut self.values[slot].1
    }

    /// The bucket of a histogram of `@timestamp` keyed `key`, found without a path for
    /// each event (the dashboard's response-time panel asks for these at every refresh).
    fn of_time(&mut self, key: i64) -> &mut Timed {
        let slot = match self.last_time {
            Some((last, slot)) if last == key => slot,
            _ => {
                self.of(&[SegmentKey::Key(Key::Int(key))]);
                if self.overflowed {
                    return &mut self.dropped;
                }
                let slot = self.last.unwrap_or(0);
                self.last_time = Some((key, slot));
                slot
            }
        };
        &mut self.values[slot].1
    }
}

impl Collector for PercentilesCollector {
    type Fruit = Values;
    type Child = SegmentPercentiles;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPercentiles> {
        let fast = reader.fast_fields();
        let timestamps = fast.date("ts")?;
        let mut columns = Vec::new();
        let mut steps = Vec::new();
        for spec in &self.specs {
            let mut numeric = Vec::new();
            for handle in fast.dynamic_column_handles(&spec.column)? {
                let column = handle.open()?;
                if matches!(
                    column,
                    DynamicColumn::I64(_)
                        | DynamicColumn::U64(_)
                        | DynamicColumn::F64(_)
                        | DynamicColumn::DateTime(_)
                ) {
                    numeric.push(column);
                }
            }
            columns.push(numeric);
            steps.push(
                spec.path
                    .iter()
                    .map(|step| StepReader::open(step, reader))
                    .collect::<tantivy::Result<Vec<_>>>()?,
            );
        }
        let depth = self.specs.iter().map(|spec| spec.path.len()).max();
        let by_time = self
            .specs
            .iter()
            .map(|spec| match spec.path.as_slice() {
                [Step::Time {
                    column, bucketing, ..
                }] if column == "ts" => Some(bucketing.clone()),
                _ => None,
            })
            .collect();
        Ok(SegmentPercentiles {
            by_time,
            specs: self.specs.clone(),
            timestamps,
            columns,
            steps,
            buckets: self.specs.iter().map(|_| Buckets::default()).collect(),
            keys: vec![Vec::new(); depth.unwrap_or(0)],
            numbers: Vec::new(),
            values: Vec::new(),
            path: Vec::new(),
            odometer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Option<Values>>) -> tantivy::Result<Values> {
        let mut all: Values = vec![BTreeMap::new(); self.specs.len()];
        for fruit in fruits {
            let Some(fruit) = fruit else {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "percentiles below more than {MAX_BUCKETS} buckets are not supported by logdash"
                )));
            };
            for (into, from) in all.iter_mut().zip(fruit) {
                for (key, mut values) in from {
                    let kept = into.entry(key).or_default();
                    if kept.is_empty() {
                        std::mem::swap(kept, &mut values);
                    } else {
                        kept.append(&mut values);
                    }
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentPercentiles {
    /// `None` when a spec would have had more than [`MAX_BUCKETS`].
    type Fruit = Option<Values>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let millis = self
            .timestamps
            .first(doc)
            .map(|ts| ts.into_timestamp_millis());
        let time = millis.unwrap_or(i64::MIN);
        'spec: for (i, spec) in self.specs.iter().enumerate() {
            if let Some(bucketing) = &self.by_time[i] {
                let Some(key) = millis.and_then(|millis| bucketing.key(millis)) else {
                    continue;
                };
                let bucket = self.buckets[i].of_time(key);
                read_values(&self.columns[i], doc, time, spec.missing, bucket);
                continue;
            }
            let steps = &self.steps[i];
            let mut one_bucket = true;
            for (step, keys) in steps.iter().zip(self.keys.iter_mut()) {
                step.keys(doc, millis, keys, &mut self.numbers);
                match keys.len() {
                    // in no bucket of this step (outside a histogram's time, say)
                    0 => continue 'spec,
                    1 => {}
                    _ => one_bucket = false,
                }
            }
            let keys = &self.keys[..steps.len()];
            if one_bucket {
                // the usual case, the values straight into their bucket
                self.path.clear();
                self.path.extend(keys.iter().map(|keys| keys[0].clone()));
                let bucket = self.buckets[i].of(&self.path);
                read_values(&self.columns[i], doc, time, spec.missing, bucket);
                continue;
            }
            // in several buckets (an event with two terms is in both): every combination
            let values = &mut self.values;
            values.clear();
            read_values(&self.columns[i], doc, time, spec.missing, values);
            let odometer = &mut self.odometer;
            odometer.clear();
            odometer.resize(steps.len(), 0);
            loop {
                self.path.clear();
                self.path.extend(
                    odometer
                        .iter()
                        .zip(keys)
                        .map(|(at, keys)| keys[*at].clone()),
                );
                self.buckets[i].of(&self.path).extend_from_slice(values);
                let turned = odometer.iter_mut().zip(keys).rev().find_map(|(at, keys)| {
                    *at += 1;
                    if *at < keys.len() {
                        Some(())
                    } else {
                        *at = 0;
                        None
                    }
                });
                if turned.is_none() {
                    break;
                }
            }
        }
    }

    fn harvest(self) -> Option<Values> {
        if self.buckets.iter().any(|buckets| buckets.overflowed) {
            return None;
        }
        let named = self
            .buckets
            .into_iter()
            .zip(&self.steps)
            .map(|(buckets, steps)| {
                let mut named: BTreeMap<Vec<Key>, Timed> = BTreeMap::new();
                for (path, mut values) in buckets.values {
                    let path = path
                        .into_iter()
                        .zip(steps)
                        .map(|(key, step)| step.name(key))
                        .collect();
                    // moved, not copied: a top-level spec holds every value
                    match named.entry(path) {
                        Entry::Vacant(vacant) => {
                            vacant.insert(values);
                        }
                        Entry::Occupied(mut kept) => kept.get_mut().append(&mut values),
                    }
                }
                named
            })
            .collect();
        Some(named)
    }
}

/// An event's values in `columns` (`missing` when it has none), each with the event's
/// `time`, onto `into`.
fn read_values(
    columns: &[DynamicColumn],
    doc: DocId,
    time: i64,
    missing: Option<f64>,
    into: &mut Timed,
) {
    let before = into.len();
    for column in columns {
        match column {
            DynamicColumn::I64(c) => into.extend(c.values_for_doc(doc).map(|v| (time, v as f64))),
            DynamicColumn::U64(c) => into.extend(c.values_for_doc(doc).map(|v| (time, v as f64))),
            DynamicColumn::F64(c) => into.extend(c.values_for_doc(doc).map(|v| (time, v))),
            // `@timestamp`'s own column: a date's percentiles are of its epoch milliseconds
            DynamicColumn::DateTime(c) => into.extend(
                c.values_for_doc(doc)
                    .map(|v| (time, v.into_timestamp_millis() as f64)),
            ),
            _ => {}
        }
    }
    if let (true, Some(missing)) = (into.len() == before, missing) {
        into.push((time, missing));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_is_collected_in_at_most_max_buckets() {
        let mut buckets = Buckets::default();
        for key in 0..MAX_BUCKETS as i64 {
            buckets.of_time(key).push((key, 1.0));
        }
        assert!(!buckets.overflowed);
        // the same bucket again is still found
        buckets.of(&[SegmentKey::Key(Key::Int(7))]).push((7, 2.0));
        assert_eq!(buckets.values[7].1.len(), 2);
        buckets.of_time(-1).push((0, 3.0));
        assert!(buckets.overflowed);
        assert_eq!(buckets.values.len(), MAX_BUCKETS);
    }
}
