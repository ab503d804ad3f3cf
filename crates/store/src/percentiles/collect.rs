//! The collector beside tantivy's aggregations: each matching event's values of every
//! percentiles aggregation, with the event's time, and of every `cardinality` counted in
//! buckets, by the bucket the event is in.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, DynamicColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::distinct::{self, Counted, DistinctSpec, SegmentSet, Sets};
use super::path::{Key, SegmentKey, StepReader};
use super::{Bucketing, Spec, Step};

/// Values with their event's time (ms).
pub(crate) type Timed = Vec<(i64, f64)>;
/// Per spec, per bucket (the keys of the buckets above it, top down; none at the top of a
/// request), each value with its event's time.
pub(crate) type Values = Vec<BTreeMap<Vec<Key>, Timed>>;

/// What the collector gathers: the percentiles' values and the distinct counts' sets.
#[derive(Default)]
pub(crate) struct Gathered {
    pub values: Values,
    pub sets: Sets,
}

/// The most buckets an aggregation is collected in (Elasticsearch's default
/// `search.max_buckets`): a `terms` of a field with a value an event would otherwise hold
/// every event's values in a bucket of its own.
const MAX_BUCKETS: usize = 65_536;

/// Collects the values of every [`Spec`] and [`DistinctSpec`], by the bucket each event
/// is in.
pub(crate) struct ExactCollector {
    pub specs: Vec<Spec>,
    pub distinct: Vec<DistinctSpec>,
}

pub(crate) struct SegmentExact {
    specs: Vec<Spec>,
    /// Every event's time: the order values go in by.
    timestamps: Column<tantivy::DateTime>,
    columns: Vec<Vec<DynamicColumn>>,
    /// Per spec, where its events go, reading this segment.
    places: Vec<Placement>,
    buckets: Vec<Buckets<Timed>>,
    distinct: Vec<SegmentDistinct>,
    placing: Placing,
    values: Timed,
    found: Vec<SegmentKey>,
    numbers: Vec<f64>,
}

/// A distinct count's buckets in a segment, and how it reads the counted field.
struct SegmentDistinct {
    counted: StepReader,
    threshold: usize,
    place: Placement,
    buckets: Buckets<SegmentSet>,
}

/// The buckets above an aggregation, reading one segment.
struct Placement {
    steps: Vec<StepReader>,
    /// The buckets of a histogram of `@timestamp` when that is all it sits in.
    by_time: Option<Bucketing>,
}

impl Placement {
    fn open(path: &[Step], reader: &SegmentReader) -> tantivy::Result<Placement> {
        let by_time = match path {
            [Step::Time {
                column, bucketing, ..
            }] if column == "ts" => Some(bucketing.clone()),
            _ => None,
        };
        Ok(Placement {
            steps: path
                .iter()
                .map(|step| StepReader::open(step, reader))
                .collect::<tantivy::Result<Vec<_>>>()?,
            by_time,
        })
    }
}

/// The room reused to find an event's buckets: per step, the event's keys; the path of a
/// bucket; the turning of every combination of keys.
#[derive(Default)]
struct Placing {
    keys: Vec<Vec<SegmentKey>>,
    numbers: Vec<f64>,
    path: Vec<SegmentKey>,
    odometer: Vec<usize>,
}

impl Placing {
    /// Fills each bucket of `buckets` that `doc` (at `millis`) is in by `place`, with `fill`.
    fn place<T: Default>(
        &mut self,
        place: &Placement,
        doc: DocId,
        millis: Option<i64>,
        buckets: &mut Buckets<T>,
        mut fill: impl FnMut(&mut T),
    ) {
        if let Some(bucketing) = &place.by_time {
            // in no bucket outside the histogram's time
            if let Some(key) = millis.and_then(|millis| bucketing.key(millis)) {
                fill(buckets.of_time(key));
            }
            return;
        }
        let steps = &place.steps;
        if self.keys.len() < steps.len() {
            self.keys.resize(steps.len(), Vec::new());
        }
        let mut one_bucket = true;
        for (step, keys) in steps.iter().zip(self.keys.iter_mut()) {
            step.keys(doc, millis, keys, &mut self.numbers);
            match keys.len() {
                // in no bucket of this step (outside a histogram's time, say)
                0 => return,
                1 => {}
                _ => one_bucket = false,
            }
        }
        let keys = &self.keys[..steps.len()];
        if one_bucket {
            // the usual case: one bucket
            self.path.clear();
            self.path.extend(keys.iter().map(|keys| keys[0].clone()));
            fill(buckets.of(&self.path));
            return;
        }
        // in several buckets (an event with two terms is in both): every combination
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
            fill(buckets.of(&self.path));
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

/// One spec's buckets in a segment. A segment's events come about in time order, so the
/// bucket of the last event is checked before the index of paths.
struct Buckets<T> {
    paths: HashMap<Vec<SegmentKey>, usize>,
    held: Vec<(Vec<SegmentKey>, T)>,
    last: Option<usize>,
    /// The last bucket of a histogram of `@timestamp` alone, by its key.
    last_time: Option<(i64, usize)>,
    /// Set when an event would have made more than [`MAX_BUCKETS`]; its values go to
    /// `dropped`, and the request is refused.
    overflowed: bool,
    dropped: T,
}

impl<T: Default> Default for Buckets<T> {
    fn default() -> Self {
        Buckets {
            paths: HashMap::new(),
            held: Vec::new(),
            last: None,
            last_time: None,
            overflowed: false,
            dropped: T::default(),
        }
    }
}

impl<T: Default> Buckets<T> {
    fn of(&mut self, path: &[SegmentKey]) -> &mut T {
        let slot = match self.last {
            Some(slot) if self.held[slot].0 == path => slot,
            _ => {
                let slot = match self.paths.get(path) {
                    Some(slot) => *slot,
                    None if self.held.len() >= MAX_BUCKETS => {
                        self.overflowed = true;
                        self.dropped = T::default();
                        return &mut self.dropped;
                    }
                    None => {
                        self.held.push((path.to_vec(), T::default()));
                        self.paths.insert(path.to_vec(), self.held.len() - 1);
                        self.held.len() - 1
                    }
                };
                self.last = Some(slot);
                slot
            }
        };
        &mut self.held[slot].1
    }

    /// The bucket of a histogram of `@timestamp` keyed `key`, found without a path for
    /// each event (the dashboard's panels ask for these at every refresh).
    fn of_time(&mut self, key: i64) -> &mut T {
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
        &mut self.held[slot].1
    }

    /// Each bucket's holding by its path, named.
    fn named<N>(
        self,
        steps: &[StepReader],
        mut name: impl FnMut(T) -> N,
        mut join: impl FnMut(&mut N, N),
    ) -> BTreeMap<Vec<Key>, N> {
        let mut named: BTreeMap<Vec<Key>, N> = BTreeMap::new();
        for (path, held) in self.held {
            let path = path
                .into_iter()
                .zip(steps)
                .map(|(key, step)| step.name(key))
                .collect();
            let held = name(held);
            match named.entry(path) {
                Entry::Vacant(vacant) => {
                    vacant.insert(held);
                }
                Entry::Occupied(mut kept) => join(kept.get_mut(), held),
            }
        }
        named
    }
}

impl Collector for ExactCollector {
    type Fruit = Gathered;
    type Child = SegmentExact;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentExact> {
        let fast = reader.fast_fields();
        let timestamps = fast.date("ts")?;
        let mut columns = Vec::new();
        let mut places = Vec::new();
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
            places.push(Placement::open(&spec.path, reader)?);
        }
        let distinct = self
            .distinct
            .iter()
            .map(|spec| {
                Ok(SegmentDistinct {
                    counted: StepReader::open(&spec.counted, reader)?,
                    threshold: spec.threshold,
                    place: Placement::open(&spec.path, reader)?,
                    buckets: Buckets::default(),
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(SegmentExact {
            specs: self.specs.clone(),
            timestamps,
            columns,
            places,
            buckets: self.specs.iter().map(|_| Buckets::default()).collect(),
            distinct,
            placing: Placing::default(),
            values: Vec::new(),
            found: Vec::new(),
            numbers: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Option<Gathered>>) -> tantivy::Result<Gathered> {
        let mut all = Gathered {
            values: vec![BTreeMap::new(); self.specs.len()],
            sets: vec![BTreeMap::new(); self.distinct.len()],
        };
        for fruit in fruits {
            let Some(fruit) = fruit else {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "percentiles or cardinality below more than {MAX_BUCKETS} buckets are not supported by logdash"
                )));
            };
            for (into, from) in all.values.iter_mut().zip(fruit.values) {
                for (key, mut values) in from {
                    let kept = into.entry(key).or_default();
                    if kept.is_empty() {
                        std::mem::swap(kept, &mut values);
                    } else {
                        kept.append(&mut values);
                    }
                }
            }
            for ((into, from), spec) in all.sets.iter_mut().zip(fruit.sets).zip(&self.distinct) {
                distinct::merge(into, from, spec.threshold);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentExact {
    /// `None` when a spec would have had more than [`MAX_BUCKETS`].
    type Fruit = Option<Gathered>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let millis = self
            .timestamps
            .first(doc)
            .map(|ts| ts.into_timestamp_millis());
        let time = millis.unwrap_or(i64::MIN);
        for (i, spec) in self.specs.iter().enumerate() {
            let (place, columns) = (&self.places[i], &self.columns[i]);
            // the panels' cases, read straight into their bucket: every event's values
            // are read here, and a copy each is measurable at a million events
            if let Some(bucketing) = &place.by_time {
                if let Some(key) = millis.and_then(|millis| bucketing.key(millis)) {
                    let bucket = self.buckets[i].of_time(key);
                    read_values(columns, doc, time, spec.missing, bucket);
                }
                continue;
            }
            if place.steps.is_empty() {
                let bucket = self.buckets[i].of(&[]);
                read_values(columns, doc, time, spec.missing, bucket);
                continue;
            }
            // read when the event is in a bucket, once for all its buckets
            let values = &mut self.values;
            let mut read = false;
            self.placing
                .place(place, doc, millis, &mut self.buckets[i], |bucket| {
                    if !read {
                        values.clear();
                        read_values(columns, doc, time, spec.missing, values);
                        read = true;
                    }
                    bucket.extend_from_slice(values)
                });
        }
        for counted in &mut self.distinct {
            let (found, numbers) = (&mut self.found, &mut self.numbers);
            let mut read = false;
            self.placing
                .place(&counted.place, doc, millis, &mut counted.buckets, |set| {
                    if !read {
                        counted.counted.keys(doc, millis, found, numbers);
                        read = true;
                    }
                    distinct::add(set, found)
                });
        }
    }

    fn harvest(self) -> Option<Gathered> {
        let overflowed = self.buckets.iter().any(|buckets| buckets.overflowed)
            || self
                .distinct
                .iter()
                .any(|counted| counted.buckets.overflowed);
        if overflowed {
            return None;
        }
        let values = self
            .buckets
            .into_iter()
            .zip(&self.places)
            .map(|(buckets, place)| {
                // moved, not copied: a top-level spec holds every value
                buckets.named(
                    &place.steps,
                    |values| values,
                    |kept, mut more| kept.append(&mut more),
                )
            })
            .collect();
        let sets = self
            .distinct
            .into_iter()
            .map(|counted| {
                let SegmentDistinct {
                    counted,
                    threshold,
                    place,
                    buckets,
                } = counted;
                // a `missing` named as a term some events hold is that term's bucket
                buckets.named(
                    &place.steps,
                    |set| distinct::named(set, &counted, threshold),
                    |kept: &mut Counted, more| distinct::join(kept, more, threshold),
                )
            })
            .collect();
        Some(Gathered { values, sets })
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
        let mut buckets: Buckets<Timed> = Buckets::default();
        for key in 0..MAX_BUCKETS as i64 {
            buckets.of_time(key).push((key, 1.0));
        }
        assert!(!buckets.overflowed);
        // the same bucket again is still found
        buckets.of(&[SegmentKey::Key(Key::Int(7))]).push((7, 2.0));
        assert_eq!(buckets.held[7].1.len(), 2);
        buckets.of_time(-1).push((0, 3.0));
        assert!(buckets.overflowed);
        assert_eq!(buckets.held.len(), MAX_BUCKETS);
    }
}
