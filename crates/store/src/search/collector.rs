//! The sorted search's collector: the first `from + size` hits by the sort keys, after
//! `search_after`, read from each segment's columns.

use super::*;
use logdash_core::es::search::SortMode;

pub(super) struct SortCollector {
    pub(super) keys: Vec<SortKey>,
    pub(super) limit: usize,
    pub(super) search_after: Option<Vec<Value>>,
    pub(super) mapping: IndexMapping,
    /// Per key, whether a floating-point field is a `float` (what combines its values is
    /// then a float too, as Elasticsearch shows it).
    pub(super) single: Vec<bool>,
}

#[derive(Debug)]
pub(super) struct SortedHit {
    pub(super) address: DocAddress,
    pub(super) values: Vec<Value>,
    /// Its place in the indexing order: what breaks ties, as `_doc` in Elasticsearch.
    pub(super) seq: Option<u64>,
}

impl SortedHit {
    /// The tie-breaker: indexing order, then (stores without it) where the event lies.
    fn tie(&self) -> (Option<u64>, SegmentOrdinal, DocId) {
        (self.seq, self.address.segment_ord, self.address.doc_id)
    }
}

pub(super) enum Reader {
    Timestamp(Column<tantivy::DateTime>),
    /// A number field's column, and which of an event's values it sorts by, or what of them.
    Number(Column<u64>, ColumnType, Pick),
    /// A whole-string field's column, its values picked as [`Reader::Number`]'s.
    Text(StrColumn, bool),
    /// `_doc`: the indexing order, or where the event lies in stores without it.
    Doc(SegmentOrdinal, Option<Column<u64>>),
    /// `_score` beside other keys: the event's score, as the search gives it.
    Score,
    Missing,
}

impl Reader {
    pub(super) fn value(&self, doc: DocId, score: Score) -> SortValue {
        match self {
            Reader::Timestamp(column) => column.first(doc).map_or(SortValue::Missing, |d| {
                SortValue::Int(d.into_timestamp_millis())
            }),
            // the u64 form keeps each type's order, so the pick is made on it
            Reader::Number(column, kind, Pick::Combined(mode, single)) => {
                combined(column.values_for_doc(doc), *kind, *mode, *single)
            }
            Reader::Number(column, kind, Pick::One(largest)) => {
                match (pick(column.values_for_doc(doc), *largest), kind) {
                    (None, _) => SortValue::Missing,
                    (Some(raw), ColumnType::I64) => SortValue::Int(i64::from_u64(raw)),
                    (Some(raw), ColumnType::U64) => SortValue::Int(raw.min(i64::MAX as u64) as i64),
                    (Some(raw), ColumnType::Bool) => SortValue::Int(i64::from(bool::from_u64(raw))),
                    (Some(raw), _) => SortValue::Float(f64::from_u64(raw)),
                }
            }
            Reader::Text(column, largest) => {
                let mut text = String::new();
                match pick(column.term_ords(doc), *largest) {
                    Some(ord) if column.ord_to_str(ord, &mut text).unwrap_or(false) => {
                        SortValue::Text(text)
                    }
                    _ => SortValue::Missing,
                }
            }
            Reader::Doc(_, Some(seq)) => seq
                .first(doc)
                .map_or(SortValue::Missing, |seq| SortValue::Int(seq as i64)),
            Reader::Doc(segment, None) => {
                SortValue::Int((i64::from(*segment) << 32) | i64::from(doc))
            }
            Reader::Score => SortValue::Float(f64::from(score)),
            Reader::Missing => SortValue::Missing,
        }
    }
}

/// Which of an event's values a number key sorts by (the largest when `true`), or what
/// of them (`avg`, `sum`, `median`; of a `float` field when `true`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Pick {
    One(bool),
    Combined(SortMode, bool),
}

/// An event's values made one as `mode` says, as Elasticsearch's `MultiValueMode` does:
/// whole numbers (longs, dates, flags) rounded half up, a `float`'s at single precision.
fn combined(
    values: impl Iterator<Item = u64>,
    kind: ColumnType,
    mode: SortMode,
    single: bool,
) -> SortValue {
    let whole = !matches!(kind, ColumnType::F64);
    let mut numbers: Vec<f64> = values
        .map(|raw| match kind {
            ColumnType::I64 => i64::from_u64(raw) as f64,
            ColumnType::U64 => raw as f64,
            ColumnType::Bool => f64::from(u8::from(bool::from_u64(raw))),
            _ => f64::from_u64(raw),
        })
        .collect();
    if numbers.is_empty() {
        return SortValue::Missing;
    }
    let count = numbers.len() as f64;
    let sum = || numbers.iter().sum::<f64>();
    let value = match mode {
        SortMode::Sum => sum(),
        SortMode::Median => {
            numbers.sort_by(f64::total_cmp);
            let middle = numbers.len() / 2;
            match numbers.len() % 2 {
                1 => numbers[middle],
                _ => (numbers[middle - 1] + numbers[middle]) / 2.0,
            }
        }
        _ => sum() / count,
    };
    match (whole, single) {
        // Java's Math.round: half up, towards positive infinity
        (true, _) => SortValue::Int((value + 0.5).floor() as i64),
        (false, true) => SortValue::Float((value as f32).to_string().parse().unwrap_or(value)),
        (false, false) => SortValue::Float(value),
    }
}

/// The largest or the smallest of an event's values (`None` when it has none).
fn pick<T: Ord>(values: impl Iterator<Item = T>, largest: bool) -> Option<T> {
    if largest {
        values.max()
    } else {
        values.min()
    }
}

/// Keeps, per segment, the events whose first sort key can still place them among the
/// best `limit` (ties included); the other keys, which may need a string lookup, are read
/// only for those few at the end.
pub(super) struct SortSegmentCollector {
    pub(super) readers: Vec<Reader>,
    /// Per key, what an event without the field sorts as (`missing` given as a value).
    pub(super) substitutes: Vec<Option<SortValue>>,
    pub(super) keys: Vec<SortKey>,
    pub(super) after: Option<Vec<SortValue>>,
    pub(super) limit: usize,
    pub(super) segment: SegmentOrdinal,
    pub(super) seq: Option<Column<u64>>,
    /// Each kept event's first key, the event, and its score (0 unless a key is `_score`).
    pub(super) candidates: Vec<(SortValue, DocId, Score)>,
    /// The first-key value of the `limit`-th best candidate at the last pruning.
    pub(super) threshold: Option<SortValue>,
    pub(super) prune_at: usize,
}

impl SortSegmentCollector {
    /// The `key`-th key's value of `doc`, its `missing` value when it has none.
    fn value(&self, key: usize, doc: DocId, score: Score) -> SortValue {
        match (self.readers[key].value(doc, score), &self.substitutes[key]) {
            (SortValue::Missing, Some(substitute)) => substitute.clone(),
            (value, _) => value,
        }
    }

    /// Every key's value of `doc`, its first already read.
    fn values(&self, first: SortValue, doc: DocId, score: Score) -> Vec<SortValue> {
        let mut values = Vec::with_capacity(self.readers.len());
        values.push(first);
        values.extend((1..self.readers.len()).map(|key| self.value(key, doc, score)));
        values
    }

    /// Drops the candidates that `limit` others beat on the first key.
    pub(super) fn prune(&mut self) {
        let key = &self.keys[0];
        if self.candidates.len() > self.limit {
            self.candidates
                .select_nth_unstable_by(self.limit - 1, |a, b| compare_one(key, &a.0, &b.0));
            let threshold = self.candidates[self.limit - 1].0.clone();
            self.candidates
                .retain(|(value, _, _)| compare_one(key, value, &threshold) != Ordering::Greater);
            self.threshold = Some(threshold);
        }
        self.prune_at = (self.candidates.len() * 2).max(4 * self.limit).max(4096);
    }
}

impl Collector for SortCollector {
    type Fruit = Vec<SortedHit>;
    type Child = SortSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut readers = Vec::new();
        let mut reads = Vec::new();
        let mut shown_missing = Vec::new();
        for (index, key) in self.keys.iter().enumerate() {
            let source = sort::bind(key, &self.mapping)
                .map_err(|err| tantivy::TantivyError::InvalidArgument(err.reason))?;
            reads.push(ReadAs::of(&source));
            shown_missing.push(sort::missing_shown(key, &source));
            let fast = reader.fast_fields();
            readers.push(match &source {
                SortSource::Timestamp => Reader::Timestamp(fast.date("ts")?),
                SortSource::Doc => Reader::Doc(segment, sequence_column(reader)),
                // an address's key sorts as the address
                SortSource::Column(path, FieldKind::Text | FieldKind::Ip) => fast
                    .str(&format!("kw.{path}"))?
                    .map_or(Reader::Missing, |column| {
                        Reader::Text(column, key.by_largest())
                    }),
                SortSource::Column(path, _) => fast
                    .u64_lenient_for_type(
                        Some(&[
                            ColumnType::I64,
                            ColumnType::U64,
                            ColumnType::F64,
                            ColumnType::Bool,
                        ]),
                        &format!("kw.{path}"),
                    )?
                    .map_or(Reader::Missing, |(column, kind)| {
                        let pick = match key.mode {
                            Some(mode) if mode.combines() => Pick::Combined(
                                mode,
                                self.single.get(index).copied().unwrap_or(false),
                            ),
                            _ => Pick::One(key.by_largest()),
                        };
                        Reader::Number(column, kind, pick)
                    }),
                SortSource::Index => fast.str("_index")?.map_or(Reader::Missing, |column| {
                    Reader::Text(column, key.by_largest())
                }),
                SortSource::Score => Reader::Score,
                SortSource::Unmapped => Reader::Missing,
            });
        }
        // a `missing` value, read as `search_after` reads values
        let substitutes = self
            .keys
            .iter()
            .zip(&reads)
            .map(|(key, read)| {
                key.missing_value
                    .as_ref()
                    .map(|value| SortValue::after(value, *read))
            })
            .collect();
        Ok(SortSegmentCollector {
            readers,
            substitutes,
            keys: self.keys.clone(),
            after: self.search_after.as_ref().map(|values| {
                values
                    .iter()
                    .zip(&reads)
                    .zip(&shown_missing)
                    // the value shown for events without the field (a page's last may be one)
                    .map(
                        |((value, read), shown)| match value == shown && !shown.is_null() {
                            true => SortValue::Missing,
                            false => SortValue::after(value, *read),
                        },
                    )
                    .collect()
            }),
            limit: self.limit,
            segment,
            seq: sequence_column(reader),
            candidates: Vec::new(),
            threshold: None,
            prune_at: (4 * self.limit).max(4096),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.keys.iter().any(|key| key.field == "_score")
    }

    fn merge_fruits(&self, fruits: Vec<Vec<SortedHit>>) -> tantivy::Result<Vec<SortedHit>> {
        let keys = &self.keys;
        let mut all: Vec<(Vec<SortValue>, SortedHit)> = fruits
            .into_iter()
            .flatten()
            .map(|hit| (hit.values.iter().map(SortValue::from_json).collect(), hit))
            .collect();
        all.sort_by(|(a, hit_a), (b, hit_b)| {
            compare_keys(keys, a, b).then_with(|| hit_a.tie().cmp(&hit_b.tie()))
        });
        Ok(all
            .into_iter()
            .take(self.limit)
            .map(|(_, hit)| hit)
            .collect())
    }
}

impl SegmentCollector for SortSegmentCollector {
    type Fruit = Vec<SortedHit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.limit == 0 {
            return;
        }
        let Some(key) = self.keys.first() else {
            return;
        };
        if self.readers.is_empty() {
            return;
        }
        let first = self.value(0, doc, score);
        if let Some(after) = &self.after {
            let Some(bound) = after.first() else { return };
            match compare_one(key, &first, bound) {
                Ordering::Less => return,
                // a tie with the page's last event: the other keys decide, now, so that
                // events of earlier pages never take the places of this page's
                Ordering::Equal => {
                    let values = self.values(first.clone(), doc, score);
                    if compare_keys(&self.keys, &values, after) != Ordering::Greater {
                        return;
                    }
                }
                Ordering::Greater => {}
            }
        }
        if let Some(threshold) = &self.threshold {
            if compare_one(key, &first, threshold) == Ordering::Greater {
                return;
            }
        }
        self.candidates.push((first, doc, score));
        if self.candidates.len() >= self.prune_at {
            self.prune();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        if self.limit == 0 || self.keys.is_empty() {
            return Vec::new();
        }
        self.prune();
        let seq = |doc: DocId| self.seq.as_ref().and_then(|column| column.first(doc));
        let mut kept: Vec<(Vec<SortValue>, DocId)> = self
            .candidates
            .iter()
            .map(|(first, doc, score)| (self.values(first.clone(), *doc, *score), *doc))
            .filter(|(values, _)| {
                self.after.as_ref().is_none_or(|after| {
                    compare_keys(&self.keys, values, after) == Ordering::Greater
                })
            })
            .collect();
        kept.sort_by(|(a, doc_a), (b, doc_b)| {
            compare_keys(&self.keys, a, b)
                .then_with(|| (seq(*doc_a), *doc_a).cmp(&(seq(*doc_b), *doc_b)))
        });
        kept.truncate(self.limit);
        kept.into_iter()
            .map(|(values, doc)| SortedHit {
                address: DocAddress::new(self.segment, doc),
                values: values.iter().map(SortValue::to_json).collect(),
                seq: seq(doc),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longs(values: &[i64]) -> impl Iterator<Item = u64> + '_ {
        values.iter().map(|v| v.to_u64())
    }

    #[test]
    fn values_combine_as_elasticsearch_multi_value_mode_does() {
        let long = |values: &[i64], mode| combined(longs(values), ColumnType::I64, mode, false);
        // half up, towards positive infinity, as Java's Math.round
        assert_eq!(long(&[1, 2], SortMode::Avg), SortValue::Int(2));
        assert_eq!(long(&[-3, -2], SortMode::Avg), SortValue::Int(-2));
        assert_eq!(long(&[-1, -2, 10, 7], SortMode::Median), SortValue::Int(3));
        assert_eq!(long(&[5, 1, 9], SortMode::Median), SortValue::Int(5));
        assert_eq!(long(&[-1, -2, 10, 7], SortMode::Sum), SortValue::Int(14));
        assert_eq!(long(&[], SortMode::Sum), SortValue::Missing);
        let floats = |values: &[f64], single| {
            let raw: Vec<u64> = values.iter().map(|v| v.to_u64()).collect();
            combined(raw.into_iter(), ColumnType::F64, SortMode::Sum, single)
        };
        assert_eq!(floats(&[0.1, 0.2], true), SortValue::Float(0.3));
        assert_eq!(floats(&[0.1, 0.2], false), SortValue::Float(0.1 + 0.2));
        let flags = [true, false].map(|b| b.to_u64());
        assert_eq!(
            combined(flags.into_iter(), ColumnType::Bool, SortMode::Avg, false),
            SortValue::Int(1)
        );
    }
}
