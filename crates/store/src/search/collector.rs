//! The sorted search's collector: the first `from + size` hits by the sort keys, after
//! `search_after`, read from each segment's columns.

use super::reader::{Pick, Reader};
use super::*;

pub(super) struct SortCollector {
    pub(super) keys: Vec<SortKey>,
    pub(super) limit: usize,
    pub(super) search_after: Option<Vec<Value>>,
    pub(super) mapping: IndexMapping,
    /// Per key, whether a floating-point field is a `float` (what combines its values is
    /// then a float too, as Elasticsearch shows it).
    pub(super) single: Vec<bool>,
    /// Per key, the value shown for an event without the field (`sort::missing_shown`),
    /// which a `search_after` may give back.
    pub(super) missing: Vec<Value>,
    /// `track_scores`: every match scored, each hit with its score.
    pub(super) scores: bool,
}

/// The sorted hits, and the best score of every match when scores are tracked.
#[derive(Debug, Default)]
pub(super) struct Sorted {
    pub(super) hits: Vec<SortedHit>,
    pub(super) max_score: Option<Score>,
}

#[derive(Debug)]
pub(super) struct SortedHit {
    pub(super) address: DocAddress,
    pub(super) values: Vec<Value>,
    /// Its place in the indexing order: what breaks ties, as `_doc` in Elasticsearch.
    pub(super) seq: Option<u64>,
    /// Its score, when scores are tracked.
    pub(super) score: Option<Score>,
}

impl SortedHit {
    /// The tie-breaker: indexing order, then (stores without it) where the event lies.
    fn tie(&self) -> (Option<u64>, SegmentOrdinal, DocId) {
        (self.seq, self.address.segment_ord, self.address.doc_id)
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
    /// `track_scores`: the best score of every match is kept, and each hit's.
    pub(super) scores: bool,
    pub(super) max_score: Option<Score>,
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
    type Fruit = Sorted;
    type Child = SortSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut readers = Vec::new();
        let mut reads = Vec::new();
        for (index, key) in self.keys.iter().enumerate() {
            let source = sort::bind(key, &self.mapping)
                .map_err(|err| tantivy::TantivyError::InvalidArgument(err.reason))?;
            reads.push(ReadAs::of(&source));
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
                        let single = self.single.get(index).copied().unwrap_or(false);
                        let pick = match key.mode {
                            Some(mode) if mode.combines() => Pick::Combined(mode, single),
                            _ => Pick::One(key.by_largest(), single),
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
        // a float's values are singles: so are those it is compared to, as in Java
        let read = |index: usize, value: &Value| {
            let read = SortValue::after(value, reads[index]);
            match self.single.get(index) {
                Some(true) => read.into_single(),
                _ => read,
            }
        };
        // a `missing` value, read as `search_after` reads values
        let substitutes = self
            .keys
            .iter()
            .enumerate()
            .map(|(index, key)| key.missing_value.as_ref().map(|value| read(index, value)))
            .collect();
        Ok(SortSegmentCollector {
            readers,
            substitutes,
            keys: self.keys.clone(),
            after: self.search_after.as_ref().map(|values| {
                values
                    .iter()
                    .zip(&self.missing)
                    .enumerate()
                    // the value shown for events without the field (a page's last may be one)
                    .map(
                        |(index, (value, shown))| match value == shown && !shown.is_null() {
                            true => SortValue::Missing,
                            false => read(index, value),
                        },
                    )
                    .collect()
            }),
            limit: self.limit,
            segment,
            scores: self.scores,
            max_score: None,
            seq: sequence_column(reader),
            candidates: Vec::new(),
            threshold: None,
            prune_at: (4 * self.limit).max(4096),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scores || self.keys.iter().any(|key| key.field == "_score")
    }

    fn merge_fruits(&self, fruits: Vec<Sorted>) -> tantivy::Result<Sorted> {
        let keys = &self.keys;
        let max_score = fruits
            .iter()
            .filter_map(|fruit| fruit.max_score)
            .reduce(f32::max);
        let mut all: Vec<(Vec<SortValue>, SortedHit)> = fruits
            .into_iter()
            .flat_map(|fruit| fruit.hits)
            .map(|hit| (hit.values.iter().map(SortValue::from_json).collect(), hit))
            .collect();
        all.sort_by(|(a, hit_a), (b, hit_b)| {
            compare_keys(keys, a, b).then_with(|| hit_a.tie().cmp(&hit_b.tie()))
        });
        let hits = all
            .into_iter()
            .take(self.limit)
            .map(|(_, hit)| hit)
            .collect();
        Ok(Sorted { hits, max_score })
    }
}

impl SegmentCollector for SortSegmentCollector {
    type Fruit = Sorted;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.scores {
            self.max_score = Some(self.max_score.map_or(score, |best| best.max(score)));
        }
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
        let max_score = self.max_score;
        if self.limit == 0 || self.keys.is_empty() {
            return Sorted {
                hits: Vec::new(),
                max_score,
            };
        }
        self.prune();
        let seq = |doc: DocId| self.seq.as_ref().and_then(|column| column.first(doc));
        let mut kept: Vec<(Vec<SortValue>, DocId, Score)> = self
            .candidates
            .iter()
            .map(|(first, doc, score)| (self.values(first.clone(), *doc, *score), *doc, *score))
            .filter(|(values, _, _)| {
                self.after.as_ref().is_none_or(|after| {
                    compare_keys(&self.keys, values, after) == Ordering::Greater
                })
            })
            .collect();
        kept.sort_by(|(a, doc_a, _), (b, doc_b, _)| {
            compare_keys(&self.keys, a, b)
                .then_with(|| (seq(*doc_a), *doc_a).cmp(&(seq(*doc_b), *doc_b)))
        });
        kept.truncate(self.limit);
        let hits = kept
            .into_iter()
            .map(|(values, doc, score)| SortedHit {
                address: DocAddress::new(self.segment, doc),
                values: values.iter().map(SortValue::to_json).collect(),
                seq: seq(doc),
                score: self.scores.then_some(score),
            })
            .collect();
        Sorted { hits, max_score }
    }
}
