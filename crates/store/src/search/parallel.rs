//! A search over many events read on every core at once. tantivy's own executor splits a
//! search by segment only, and a store's history is mostly one large segment, so one large
//! aggregation (the panels') would keep one core busy and leave the other idle. Here each
//! segment is cut into ranges of document ids, the ranges are read at once (each by a
//! segment collector of its own), and their fruits merged in order, as segments' are.
//! An aggregating search's threads step aside while a search for hits runs
//! ([`super::turns`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocId, DocSet, Searcher, SegmentOrdinal, SegmentReader, TERMINATED};

use super::turns::Turns;

/// Below this many documents a search is read on one core: threads would cost more than
/// they save. (The store's own tests split every search, so that each of them checks that
/// a split search answers as a whole one.)
#[cfg(not(test))]
const SPLIT_FROM_DOCS: u32 = 200_000;
#[cfg(test)]
const SPLIT_FROM_DOCS: u32 = 2;

/// The most threads one search reads with, whatever `--search-threads` says.
const MAX_THREADS: usize = 256;

/// How many ranges each core gets, so that a core done early takes another.
const RANGES_PER_CORE: u32 = 2;

/// The block of documents handed to a collector at once, as tantivy hands them.
const BLOCK: usize = 64;

/// [`Searcher::search`], on `cores` threads when the searcher holds many documents and
/// `aggs` (the request's aggregations) count as exactly in parts as whole. With `aggs`,
/// its threads step aside for searches for hits taking their `turns`.
pub(crate) fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    aggs: Option<&Value>,
    (cores, turns): (usize, &Turns),
) -> tantivy::Result<C::Fruit> {
    let cores = cores.min(MAX_THREADS);
    let docs: u32 = searcher.segment_readers().iter().map(|r| r.max_doc()).sum();
    // `terms` over many values would be cut in each part: read whole
    let whole = aggs.is_some_and(|aggs| !terms_exact_in_parts(aggs, searcher));
    if cores < 2 || docs < SPLIT_FROM_DOCS || whole {
        return searcher.search(query, collector);
    }
    let scoring = match collector.requires_scoring() {
        true => EnableScoring::enabled_from_searcher(searcher),
        false => EnableScoring::disabled_from_searcher(searcher),
    };
    let weight = query.weight(scoring)?;
    collector.check_schema(searcher.schema())?;
    let parts = ranges(searcher, docs.div_ceil(cores as u32 * RANGES_PER_CORE));
    let yielding = aggs.is_some().then_some(turns);
    let fruits = map_in_order(&parts, cores, |part| {
        collect_range(collector, weight.as_ref(), part, yielding)
    })
    .ok_or_else(|| tantivy::TantivyError::InternalError("a search thread failed".into()))?
    .into_iter()
    .collect::<tantivy::Result<Vec<_>>>()?;
    collector.merge_fruits(fruits)
}

/// `f` of each item on up to `threads` threads at once (each takes the next item left),
/// answered in the items' order; `None` when a thread failed.
pub(crate) fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Option<Vec<R>> {
    let workers = threads.min(items.len());
    if workers <= 1 {
        return Some(items.iter().map(f).collect());
    }
    let next = AtomicUsize::new(0);
    let mut done = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let at = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(at) else {
                            return mine;
                        };
                        mine.push((at, f(item)));
                    }
                })
            })
            .collect();
        let mut done = Vec::with_capacity(items.len());
        for handle in handles {
            done.extend(handle.join().ok()?);
        }
        Some(done)
    })?;
    done.sort_by_key(|(at, _)| *at);
    Some(done.into_iter().map(|(_, r)| r).collect())
}

/// Whether the `terms` aggregations in `aggs` (at any depth) count exactly when each
/// segment is read in parts. A part keeps only its top terms (tantivy cuts each segment
/// collector's at its `segment_size`), so each must name a string column with no more
/// distinct values in any segment than it asks for (a level, say; not a request id).
fn terms_exact_in_parts(aggs: &Value, searcher: &Searcher) -> bool {
    let Some(aggs) = aggs.as_object() else {
        return true;
    };
    aggs.values().all(|agg| {
        let own = match agg.get("terms") {
            Some(terms) => {
                let size = terms.get("size").and_then(Value::as_u64).unwrap_or(10);
                let field = terms.get("field").and_then(Value::as_str);
                field.is_some_and(|field| few_values(searcher, field, size))
            }
            None => true,
        };
        let inner = agg.get("aggs").or_else(|| agg.get("aggregations"));
        own && inner.is_none_or(|inner| terms_exact_in_parts(inner, searcher))
    })
}

/// Whether `field` is a string column with at most `size` values in every segment (or
/// none at all in some).
fn few_values(searcher: &Searcher, field: &str, size: u64) -> bool {
    let column = format!("kw.{}", field.strip_suffix(".keyword").unwrap_or(field));
    searcher.segment_readers().iter().all(|reader| {
        let fast = reader.fast_fields();
        match fast.str(&column) {
            Ok(Some(strings)) => strings.dictionary().num_terms() as u64 <= size,
            // absent from this segment: it adds no terms; a number column could add many
            Ok(None) => fast
                .dynamic_column_handles(&column)
                .is_ok_and(|handles| handles.is_empty()),
            Err(_) => false,
        }
    })
}

/// Documents `start..end` of one segment.
struct Range<'a> {
    segment: SegmentOrdinal,
    reader: &'a SegmentReader,
    start: DocId,
    end: DocId,
}

/// Every segment cut into ranges of at most `size` documents, in index order.
fn ranges(searcher: &Searcher, size: u32) -> Vec<Range<'_>> {
    let mut parts = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let mut start = 0;
        while start < reader.max_doc() {
            let end = start.saturating_add(size.max(1)).min(reader.max_doc());
            parts.push(Range {
                segment: segment as SegmentOrdinal,
                reader,
                start,
                end,
            });
            start = end;
        }
    }
    parts
}

/// One range read by a segment collector of its own, deleted documents left out; between
/// blocks, stepping aside for searches for hits when `yielding` to them.
fn collect_range<C: Collector>(
    collector: &C,
    weight: &dyn Weight,
    part: &Range<'_>,
    yielding: Option<&Turns>,
) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
    let mut collecting = collector.for_segment(part.segment, part.reader)?;
    let mut scorer = weight.scorer(part.reader, 1.0)?;
    let scoring = collector.requires_scoring();
    let alive = part.reader.alive_bitset();
    let mut doc = scorer.doc();
    if doc < part.start {
        doc = scorer.seek(part.start);
    }
    let mut block = Vec::with_capacity(BLOCK);
    let (mut since_look, mut waited) = (0, Duration::ZERO);
    while doc != TERMINATED && doc < part.end {
        if alive.is_none_or(|alive| alive.is_alive(doc)) {
            if scoring {
                collecting.collect(doc, scorer.score());
            } else {
                block.push(doc);
                if block.len() == BLOCK {
                    collecting.collect_block(&block);
                    block.clear();
                }
            }
            since_look += 1;
            if since_look == BLOCK {
                since_look = 0;
                if let Some(turns) = yielding {
                    turns.step_aside(&mut waited);
                }
            }
        }
        doc = scorer.advance();
    }
    if !block.is_empty() {
        collecting.collect_block(&block);
    }
    Ok(collecting.harvest())
}

#[cfg(test)]
mod tests {
    use super::Turns;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Schema, FAST, INDEXED, STORED};
    use tantivy::{doc, Index, IndexWriter};

    /// Documents 0..n in segments of `per_segment`, each with its number as `n`.
    fn index(n: u64, per_segment: u64) -> Index {
        let mut schema = Schema::builder();
        let field = schema.add_u64_field("n", INDEXED | FAST | STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..n {
            writer.add_document(doc!(field => i)).expect("add");
            if (i + 1) % per_segment == 0 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        index
    }

    #[test]
    fn a_search_cut_into_ranges_sees_every_document_once() {
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::{
            AggContextParams, AggregationCollector, AggregationLimitsGuard,
        };
        use tantivy::tokenizer::TokenizerManager;
        let index = index(250_000, 90_000);
        let searcher = index.reader().expect("reader").searcher();
        assert!(searcher.segment_readers().len() > 1);
        let count = super::search(&searcher, &AllQuery, &Count, None, (2, &Turns::default()))
            .expect("counts");
        assert_eq!(count, 250_000);
        let aggs: Aggregations = serde_json::from_value(serde_json::json!({
            "sum": {"sum": {"field": "n"}},
            "spread": {"histogram": {"field": "n", "interval": 100_000}}
        }))
        .expect("aggregations");
        let context = AggContextParams::new(
            AggregationLimitsGuard::default(),
            TokenizerManager::default(),
        );
        let collector = AggregationCollector::from_aggs(aggs, context);
        let split = super::search(
            &searcher,
            &AllQuery,
            &collector,
            None,
            (2, &Turns::default()),
        )
        .expect("split");
        let whole = searcher.search(&AllQuery, &collector).expect("whole");
        let (split, whole) = (
            serde_json::to_value(split).expect("json"),
            serde_json::to_value(whole).expect("json"),
        );
        assert_eq!(split, whole);
        assert_eq!(split["sum"]["value"], 250_000.0 * 249_999.0 / 2.0);
    }

    #[test]
    fn an_aggregating_search_waits_for_a_search_for_hits_and_answers_the_same() {
        use std::sync::mpsc;
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::{
            AggContextParams, AggregationCollector, AggregationLimitsGuard,
        };
        use tantivy::tokenizer::TokenizerManager;
        let index = index(250_000, 250_000);
        let searcher = index.reader().expect("reader").searcher();
        let request = serde_json::json!({"sum": {"sum": {"field": "n"}}});
        let aggs: Aggregations = serde_json::from_value(request.clone()).expect("aggregations");
        let context = AggContextParams::new(
            AggregationLimitsGuard::default(),
            TokenizerManager::default(),
        );
        let collector = AggregationCollector::from_aggs(aggs, context);
        let turns = Turns::default();
        let (said, heard) = mpsc::channel();
        let split = std::thread::scope(|scope| {
            let turn = turns.hits();
            let aggregating = scope.spawn(|| {
                let answer = super::search(
                    &searcher,
                    &AllQuery,
                    &collector,
                    Some(&request),
                    (2, &turns),
                );
                said.send("aggregated").ok();
                answer
            });
            std::thread::sleep(std::time::Duration::from_millis(30));
            said.send("hits done").ok();
            drop(turn);
            aggregating.join().expect("joins")
        })
        .expect("split");
        assert_eq!(
            heard.try_iter().collect::<Vec<_>>(),
            ["hits done", "aggregated"]
        );
        let whole = searcher.search(&AllQuery, &collector).expect("whole");
        assert_eq!(
            serde_json::to_value(split).expect("json"),
            serde_json::to_value(whole).expect("json")
        );
    }

    #[test]
    fn deleted_documents_are_left_out_of_every_range() {
        let index = index(220_000, 220_000);
        let field = index.schema().get_field("n").expect("n");
        let mut writer: IndexWriter = index.writer(15_000_000).expect("writer");
        writer.delete_term(tantivy::Term::from_field_u64(field, 7));
        writer.delete_term(tantivy::Term::from_field_u64(field, 150_000));
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let count = super::search(&searcher, &AllQuery, &Count, None, (2, &Turns::default()))
            .expect("counts");
        assert_eq!(count, 219_998);
    }
}
