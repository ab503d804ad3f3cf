//! Where an event's values go when a percentiles aggregation sits in buckets: each bucket
//! aggregation above it (a [`Step`]) places the event by its own field, and the keys of
//! every step, top down, name the bucket (a path) whose values are digested together.
//!
//! The keys are those tantivy's answer gives its buckets ([`Key::of_rendered`]), so that
//! rendering finds each bucket's values by the path it walked down.

use std::sync::Arc;

use serde_json::Value;
use tantivy::aggregation::bucket::QueryBuilder;
use tantivy::columnar::{Column, DynamicColumn, StrColumn};
use tantivy::query::EnableScoring;
use tantivy::{BitSet, DocId, DocSet, SegmentReader, TERMINATED};

use super::Bucketing;

/// One bucket aggregation above a percentiles aggregation, as it places an event.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A `date_histogram` of `column` (`ts`, or a date in `kw`) counting `scale` units a
    /// millisecond; its keys are the buckets' starts in epoch milliseconds.
    Time {
        column: String,
        scale: f64,
        bucketing: Bucketing,
    },
    /// A `terms` of a keyword, number or date column; events without the field go in the
    /// bucket of `missing` when there is one.
    Terms {
        column: String,
        missing: Option<Key>,
    },
    /// A `histogram` of a number column, as tantivy computes its keys.
    Histogram {
        column: String,
        interval: f64,
        offset: f64,
    },
    /// A `range` or `date_range`: `[from, to)` in the column's units, keyed by their place
    /// in the request; events without the field count as `missing` when there is one.
    Ranges {
        column: String,
        ranges: Vec<(Option<f64>, Option<f64>)>,
        missing: Option<f64>,
    },
    /// A `filter` (one query) or `filters` (one a bucket, the other bucket's last), keyed
    /// by place: an event is in each bucket whose query it matches.
    Filters(Vec<Arc<dyn QueryBuilder>>),
}

/// A bucket's key at one step.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    /// A whole number (a float with no fraction is one, as tantivy keys it).
    Int(i64),
    /// Any other number, by its bits.
    Float(u64),
    Text(String),
    /// The n-th range of the request.
    Nth(usize),
}

impl Key {
    /// A number keyed as tantivy normalizes a float key: whole within the longs (2^63
    /// included, which a long cannot hold and saturates to), a double otherwise.
    pub(crate) fn number(value: f64) -> Key {
        if value.fract() == 0.0 && value >= i64::MIN as f64 && value <= i64::MAX as f64 {
            Key::Int(value as i64)
        } else {
            Key::Float(value.to_bits())
        }
    }

    /// The key of a bucket as tantivy's answer gives it (before it is brought to
    /// Elasticsearch's shape), or of a `terms`' `missing`.
    pub(crate) fn of_rendered(key: &Value) -> Option<Key> {
        match key {
            Value::String(text) => Some(Key::Text(text.clone())),
            Value::Number(number) => match number.as_i64() {
                Some(whole) => Some(Key::Int(whole)),
                None => number.as_f64().map(Key::number),
            },
            // a boolean's terms: 1 and 0, as Elasticsearch keys them
            Value::Bool(flag) => Some(Key::Int(i64::from(*flag))),
            _ => None,
        }
    }
}

/// A key while a segment is read: a keyword is its ordinal in the segment's dictionary,
/// named when the segment is harvested.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum SegmentKey {
    Key(Key),
    Ordinal(u64),
}

/// A step reading one segment's columns.
pub(super) struct StepReader {
    step: Step,
    timestamps: Option<Column<tantivy::DateTime>>,
    text: Option<StrColumn>,
    numbers: Vec<DynamicColumn>,
    /// A filter's events in this segment, each filter's.
    matches: Vec<BitSet>,
}

impl StepReader {
    pub(super) fn open(step: &Step, reader: &SegmentReader) -> tantivy::Result<StepReader> {
        let mut opened = StepReader {
            step: step.clone(),
            timestamps: None,
            text: None,
            numbers: Vec::new(),
            matches: Vec::new(),
        };
        let column = match step {
            Step::Time { column, .. }
            | Step::Terms { column, .. }
            | Step::Histogram { column, .. }
            | Step::Ranges { column, .. } => column,
            Step::Filters(builders) => {
                for builder in builders {
                    opened.matches.push(matches(builder.as_ref(), reader)?);
                }
                return Ok(opened);
            }
        };
        let fast = reader.fast_fields();
        if column == "ts" {
            opened.timestamps = Some(fast.date("ts")?);
            return Ok(opened);
        }
        for handle in fast.dynamic_column_handles(column)? {
            match handle.open()? {
                DynamicColumn::Str(text) => opened.text = Some(text),
                number @ (DynamicColumn::I64(_)
                | DynamicColumn::U64(_)
                | DynamicColumn::F64(_)
                | DynamicColumn::Bool(_)) => opened.numbers.push(number),
                _ => {}
            }
        }
        Ok(opened)
    }

    /// Every key `doc` has at this step, each once, into `keys` (emptied first); `millis`
    /// is the event's time, read once for every step.
    pub(super) fn keys(
        &self,
        doc: DocId,
        millis: Option<i64>,
        keys: &mut Vec<SegmentKey>,
        scratch: &mut Vec<f64>,
    ) {
        keys.clear();
        scratch.clear();
        if let Step::Time {
            scale, bucketing, ..
        } = &self.step
        {
            // whole numbers: an event at a bucket's first nanosecond is in that bucket
            let mut place = |millis: i64| {
                if let Some(key) = bucketing.key(millis) {
                    keys.push(SegmentKey::Key(Key::Int(key)));
                }
            };
            // `@timestamp`: one an event, read already
            if let (Some(_), Some(millis)) = (&self.timestamps, millis) {
                place(millis);
            }
            let per_milli = (*scale as i64).max(1);
            for column in &self.numbers {
                if let DynamicColumn::I64(c) = column {
                    c.values_for_doc(doc)
                        .for_each(|v| place(v.div_euclid(per_milli)));
                }
            }
            dedup(keys);
            return;
        }
        // the values as numbers, for the steps that compare them (a terms reads its
        // columns itself, keyed exactly)
        if matches!(self.step, Step::Histogram { .. } | Step::Ranges { .. }) {
            if let Some(timestamps) = &self.timestamps {
                // nanoseconds, as a date_nanos field's column counts them
                scratch.extend(
                    timestamps
                        .values_for_doc(doc)
                        .map(|ts| ts.into_timestamp_nanos() as f64),
                );
            }
            for column in &self.numbers {
                match column {
                    DynamicColumn::I64(c) => {
                        scratch.extend(c.values_for_doc(doc).map(|v| v as f64))
                    }
                    DynamicColumn::U64(c) => {
                        scratch.extend(c.values_for_doc(doc).map(|v| v as f64))
                    }
                    DynamicColumn::F64(c) => scratch.extend(c.values_for_doc(doc)),
                    _ => {}
                }
            }
        }
        match &self.step {
            Step::Time { .. } => {}
            Step::Filters(_) => {
                for (nth, matched) in self.matches.iter().enumerate() {
                    if matched.contains(doc) {
                        keys.push(SegmentKey::Key(Key::Nth(nth)));
                    }
                }
            }
            Step::Terms { missing, .. } => {
                if let Some(text) = &self.text {
                    keys.extend(text.term_ords(doc).map(SegmentKey::Ordinal));
                }
                // `@timestamp`'s terms, by the millisecond (read once, for every step)
                if let (Some(_), Some(millis)) = (&self.timestamps, millis) {
                    keys.push(SegmentKey::Key(Key::Int(millis)));
                }
                // a long is keyed whole, as tantivy keys it (past 2^53 too)
                for column in &self.numbers {
                    match column {
                        DynamicColumn::I64(c) => {
                            keys.extend(c.values_for_doc(doc).map(|v| SegmentKey::Key(Key::Int(v))))
                        }
                        DynamicColumn::U64(c) => keys.extend(c.values_for_doc(doc).map(|v| {
                            SegmentKey::Key(match i64::try_from(v) {
                                Ok(whole) => Key::Int(whole),
                                Err(_) => Key::number(v as f64),
                            })
                        })),
                        DynamicColumn::F64(c) => keys.extend(
                            c.values_for_doc(doc)
                                .map(|v| SegmentKey::Key(Key::number(v))),
                        ),
                        DynamicColumn::Bool(c) => keys.extend(
                            c.values_for_doc(doc)
                                .map(|v| SegmentKey::Key(Key::Int(i64::from(v)))),
                        ),
                        _ => {}
                    }
                }
                if keys.is_empty() {
                    if let Some(missing) = missing {
                        keys.push(SegmentKey::Key(missing.clone()));
                    }
                }
            }
            Step::Histogram {
                interval, offset, ..
            } => {
                for value in scratch.iter() {
                    let key = ((value - offset) / interval).floor() * interval + offset;
                    keys.push(SegmentKey::Key(Key::number(key)));
                }
            }
            Step::Ranges {
                ranges, missing, ..
            } => {
                if scratch.is_empty() {
                    scratch.extend(*missing);
                }
                for (nth, (from, to)) in ranges.iter().enumerate() {
                    let within =
                        |v: &f64| from.is_none_or(|from| *v >= from) && to.is_none_or(|to| *v < to);
                    if scratch.iter().any(within) {
                        keys.push(SegmentKey::Key(Key::Nth(nth)));
                    }
                }
            }
        }
        dedup(keys);
    }

    /// The key of a segment's key, its keyword named.
    pub(super) fn name(&self, key: SegmentKey) -> Key {
        match key {
            SegmentKey::Key(key) => key,
            SegmentKey::Ordinal(ordinal) => {
                let mut text = String::new();
                if let Some(column) = &self.text {
                    // an ordinal the column gave always has its term
                    let _ = column.ord_to_str(ordinal, &mut text);
                }
                Key::Text(text)
            }
        }
    }
}

/// The events of `reader`'s segment a filter's query matches.
fn matches(builder: &dyn QueryBuilder, reader: &SegmentReader) -> tantivy::Result<BitSet> {
    let schema = reader.schema();
    let query = builder.build_query(schema, &crate::schema::tokenizers())?;
    let weight = query.weight(EnableScoring::disabled_from_schema(schema))?;
    let mut scorer = weight.scorer(reader, 1.0)?;
    let mut matched = BitSet::with_max_value(reader.max_doc());
    let mut doc = scorer.doc();
    while doc != TERMINATED {
        matched.insert(doc);
        doc = scorer.advance();
    }
    Ok(matched)
}

/// Each key once: an event counts once in a bucket, however many of its values fall there.
fn dedup(keys: &mut Vec<SegmentKey>) {
    if keys.len() > 1 {
        let mut seen = Vec::with_capacity(keys.len());
        keys.retain(|key| {
            let new = !seen.contains(key);
            if new {
                seen.push(key.clone());
            }
            new
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_read_from_columns_meet_the_keys_tantivy_renders() {
        // a float with no fraction is keyed as tantivy keys it: a whole number
        assert_eq!(
            Key::number(200.0),
            Key::of_rendered(&json!(200)).expect("key")
        );
        assert_eq!(Key::number(-0.0), Key::Int(0));
        assert_eq!(
            Key::number(12.5),
            Key::of_rendered(&json!(12.5)).expect("key")
        );
        // a long past 2^53 stays whole
        let big = 9_007_199_254_740_993_i64;
        assert_eq!(Key::of_rendered(&json!(big)), Some(Key::Int(big)));
        // a u64 past i64 is a double on both sides
        assert_eq!(
            Key::of_rendered(&json!(u64::MAX)),
            Some(Key::number(u64::MAX as f64))
        );
        assert_eq!(
            Key::of_rendered(&json!("home")),
            Some(Key::Text("home".into()))
        );
        assert_eq!(Key::of_rendered(&json!(null)), None);
    }

    #[test]
    fn an_event_counts_once_in_a_bucket() {
        let mut keys = vec![
            SegmentKey::Ordinal(3),
            SegmentKey::Key(Key::Int(1)),
            SegmentKey::Ordinal(3),
            SegmentKey::Key(Key::Int(1)),
        ];
        dedup(&mut keys);
        assert_eq!(
            keys,
            vec![SegmentKey::Ordinal(3), SegmentKey::Key(Key::Int(1))]
        );
    }
}
