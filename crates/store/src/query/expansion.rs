//! A one-word `match_phrase_prefix`, as Lucene's `MultiPhrasePrefixQuery` rewrites it for
//! Elasticsearch: the word's first `max_expansions` completions, in the terms' order,
//! in each index by itself (an index is a shard of its own there; the store keeps every
//! index in one tantivy index, so another index's words must not use up an index's
//! expansions). tantivy's own limit counts per segment, so a store of several segments
//! would find more: the first `max` are taken across segments.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use tantivy::postings::SegmentPostings;
use tantivy::query::{
    BooleanQuery, EmptyQuery, EnableScoring, InvertedIndexRangeQuery, Occur, Query, TermQuery,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Term, TERMINATED};

/// The completions of `prefix` (a word's term at its path), the first `max` of them in
/// each index.
#[derive(Clone, Debug)]
pub(super) struct FirstCompletions {
    pub prefix: Term,
    /// How many bytes of the prefix's value are its path and type (the word follows).
    pub word_at: usize,
    pub max: usize,
    /// The field naming each event's index.
    pub index: Field,
}

type Q = Box<dyn Query>;

impl Query for FirstCompletions {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(searcher) = enable_scoring.searcher() else {
            // (no index to read the terms of, as in a filter aggregation: every completion,
            // as tantivy's prefix; no word holds the byte 0xFF, which UTF-8 never uses)
            let mut past = self.prefix.clone();
            past.append_bytes(&[0xFF]);
            return InvertedIndexRangeQuery::new(
                Bound::Included(self.prefix.clone()),
                Bound::Excluded(past),
            )
            .weight(enable_scoring);
        };
        let field = self.prefix.field();
        let wanted = self.prefix.serialized_value_bytes();
        // per index, each segment's first `max` in it: the first `max` of them all are among them
        let mut first: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        for segment in searcher.segment_readers() {
            let words = segment.inverted_index(field)?;
            let names = segment.inverted_index(self.index)?;
            let mut indices = names.terms().stream()?;
            while indices.advance() {
                let found = first.entry(indices.key().to_vec()).or_default();
                let mut stream = words.terms().range().ge(wanted).into_stream()?;
                let mut taken = 0;
                while taken < self.max && stream.advance() {
                    let key = stream.key();
                    if !key.starts_with(wanted) {
                        break;
                    }
                    let mut with_word = words
                        .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)?;
                    let mut in_index = names
                        .read_postings_from_terminfo(indices.value(), IndexRecordOption::Basic)?;
                    if meet(&mut with_word, &mut in_index) {
                        found.insert(key.to_vec());
                        taken += 1;
                    }
                }
            }
        }
        let mut each: Vec<(Occur, Q)> = Vec::new();
        for (name, completions) in first {
            // the `max`-th completion, or the last there is
            let Some(last) = completions.into_iter().take(self.max).next_back() else {
                continue;
            };
            let mut upper = self.prefix.clone();
            upper.truncate_value_bytes(self.word_at);
            upper.append_bytes(&last[self.word_at..]);
            let words: Q = Box::new(InvertedIndexRangeQuery::new(
                Bound::Included(self.prefix.clone()),
                Bound::Included(upper),
            ));
            let index: Q = Box::new(TermQuery::new(
                Term::from_field_bytes(self.index, &name),
                IndexRecordOption::Basic,
            ));
            each.push((Occur::Should, super::filtered(words, index)));
        }
        if each.is_empty() {
            return EmptyQuery.weight(enable_scoring);
        }
        BooleanQuery::new(each).weight(enable_scoring)
    }
}

/// Whether two posting lists share a document (each moved forward only, as far as needed).
fn meet(a: &mut SegmentPostings, b: &mut SegmentPostings) -> bool {
    let (mut x, mut y) = (a.doc(), b.doc());
    while x != TERMINATED && y != TERMINATED {
        match x.cmp(&y) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => x = a.seek(y),
            std::cmp::Ordering::Greater => y = b.seek(x),
        }
    }
    false
}
