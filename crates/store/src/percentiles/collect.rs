//! The collector beside tantivy's aggregations: each matching event's values of every
//! percentiles aggregation, with the event's time, and of every `cardinality` counted in
//! buckets, by the bucket the event is in.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, DynamicColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::distinct::{self, Counted, DistinctSpec, SegmentSet, Sets};
use super::path::{Key, SegmentKey, StepReader};
use super::placing::{Buckets, Placement, Placing, MAX_BUCKETS};
use super::Spec;

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
    spec: DistinctSpec,
    place: Placement,
    buckets: Buckets<SegmentSet>,
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
                    spec: spec.clone(),
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
                distinct::merge(into, from, spec);
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
                    set.add(found, &counted.counted, &counted.spec)
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
                    spec,
                    place,
                    buckets,
                } = counted;
                // a `missing` named as a term some events hold is that term's bucket
                buckets.named(
                    &place.steps,
                    |set| set.named(&counted),
                    |kept: &mut Counted, more| distinct::join(kept, more, &spec),
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
