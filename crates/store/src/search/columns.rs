//! What preparing a search's aggregations reads of the indices first
//! ([`crate::aggs::Columns`]): a column's edges over the request's matches, and a
//! column's every term over every event of the indices searched.

use serde_json::Value;
use tantivy::query::Query;
use tantivy::Searcher;

use super::parallel;
use super::turns::Turns;
use crate::aggs::{self, Columns};
use crate::RequestError;

pub(super) struct ColumnReads<'a> {
    pub(super) searcher: &'a Searcher,
    /// The request's query.
    pub(super) query: &'a dyn Query,
    /// Every event of the indices searched.
    pub(super) everything: Box<dyn Query>,
    pub(super) cores: (usize, &'a Turns),
}

impl Columns for ColumnReads<'_> {
    fn bounds(&mut self, column: &str) -> Result<Option<(f64, f64)>, RequestError> {
        aggs::column_bounds(column, |collector| {
            parallel::search(self.searcher, self.query, collector, None, self.cores)
        })
    }

    fn every_term(&mut self, column: &str) -> Result<Vec<Value>, RequestError> {
        aggs::column_terms(column, |collector| {
            parallel::search(
                self.searcher,
                &*self.everything,
                collector,
                None,
                self.cores,
            )
        })
    }
}
