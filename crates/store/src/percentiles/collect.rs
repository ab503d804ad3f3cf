//! The collector beside tantivy's aggregations: each matching event's values of every
//! percentiles aggregation, with the event's time, by the bucket the event is in.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, DynamicColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::path::{Key, SegmentKey, StepReader};
use super::Spec;

/// Values with their event's time (ms).
pub(crate) type Timed = Vec<(i64, f64)>;
/// Per spec, per bucket (the keys of the buckets above it, top down; none at the top of a
/// request), each value with its event's time.
pub(crate) type Values = Vec<BTreeMap<Vec<Key>, Timed>>;

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
    buckets: Vec<Buckets>,
    /// Per step, the keys of the event being collected; and the reused room to find them.
    keys: Vec<Vec<SegmentKey>>,
    numbers: Vec<f64>,
    values: Vec<f64>,
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
}

impl Buckets {
    fn of(&mut self, path: &[SegmentKey]) -> &mut Timed {
        let slot = match self.last {
            Some(slot) if self.values[slot].0 == path => slot,
            _ => {
                let slot = match self.paths.get(path) {
                    Some(slot) => *slot,
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
                    DynamicColumn::I64(_) | DynamicColumn::U64(_) | DynamicColumn::F64(_)
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
        Ok(SegmentPercentiles {
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

    fn merge_fruits(&self, fruits: Vec<Values>) -> tantivy::Result<Values> {
        let mut all: Values = vec![BTreeMap::new(); self.specs.len()];
        for fruit in fruits {
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
    type Fruit = Values;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let time = self
            .timestamps
            .first(doc)
            .map_or(i64::MIN, |ts| ts.into_timestamp_millis());
        'spec: for (i, spec) in self.specs.iter().enumerate() {
            let values = &mut self.values;
            values.clear();
            for column in &self.columns[i] {
                match column {
                    DynamicColumn::I64(c) => values.extend(c.values_for_doc(doc).map(|v| v as f64)),
                    DynamicColumn::U64(c) => values.extend(c.values_for_doc(doc).map(|v| v as f64)),
                    DynamicColumn::F64(c) => values.extend(c.values_for_doc(doc)),
                    _ => {}
                }
            }
            if values.is_empty() {
                match spec.missing {
                    Some(missing) => values.push(missing),
                    None => continue,
                }
            }
            let steps = &self.steps[i];
            for (step, keys) in steps.iter().zip(self.keys.iter_mut()) {
                step.keys(doc, keys, &mut self.numbers);
                if keys.is_empty() {
                    // in no bucket of this step (outside a histogram's time, say)
                    continue 'spec;
                }
            }
            // every combination of the steps' keys: an event with two terms is in both
            let keys = &self.keys[..steps.len()];
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
                let bucket = self.buckets[i].of(&self.path);
                bucket.extend(values.iter().map(|value| (time, *value)));
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

    fn harvest(self) -> Values {
        self.buckets
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
                    named.entry(path).or_default().append(&mut values);
                }
                named
            })
            .collect()
    }
}
