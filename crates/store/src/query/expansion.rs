//! A one-word `match_phrase_prefix`, as Lucene's `MultiPhrasePrefixQuery` rewrites it for
//! Elasticsearch: the word's first `max_expansions` completions, in the terms' order,
//! across the whole index (tantivy's own limit counts per segment, so a store of several
//! segments would find more).

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::query::{EmptyQuery, EnableScoring, InvertedIndexRangeQuery, Query, Weight};
use tantivy::Term;

/// The completions of `prefix` (a word's term at its path), the first `max` of them.
#[derive(Clone, Debug)]
pub(super) struct FirstCompletions {
    pub prefix: Term,
    /// How many bytes of the prefix's value are its path and type (the word follows).
    pub word_at: usize,
    pub max: usize,
}

impl Query for FirstCompletions {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(searcher) = enable_scoring.searcher() else {
            // (no index to read the terms of: every completion, as tantivy's prefix)
            return InvertedIndexRangeQuery::new(
                Bound::Included(self.prefix.clone()),
                Bound::Unbounded,
            )
            .weight(enable_scoring);
        };
        let field = self.prefix.field();
        let wanted = self.prefix.serialized_value_bytes();
        // each segment's first `max`: the first `max` of them all are among them
        let mut first: BTreeSet<Vec<u8>> = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().range().ge(wanted).into_stream()?;
            let mut taken = 0;
            while taken < self.max && stream.advance() {
                let key = stream.key();
                if !key.starts_with(wanted) {
                    break;
                }
                first.insert(key.to_vec());
                taken += 1;
            }
        }
        // the `max`-th completion, or the last there is
        let last = match first.len() > self.max {
            true => first.into_iter().nth(self.max.saturating_sub(1)),
            false => first.into_iter().next_back(),
        };
        let Some(last) = last else {
            return EmptyQuery.weight(enable_scoring);
        };
        let mut upper = self.prefix.clone();
        upper.truncate_value_bytes(self.word_at);
        upper.append_bytes(&last[self.word_at..]);
        InvertedIndexRangeQuery::new(Bound::Included(self.prefix.clone()), Bound::Included(upper))
            .weight(enable_scoring)
    }
}
