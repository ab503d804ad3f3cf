//! `_msearch`: a body of header and search lines; the searches run at once.

use std::time::Instant;

use serde_json::{json, Value};

use logdash_core::es::search::msearch::{self, Header, Lines};

use crate::indices::{IndexOptions, Indices};
use crate::{RequestError, Store};

impl Store {
    /// `POST /_msearch` (or `/{index}/_msearch`): header and body lines; each search
    /// succeeds or fails on its own. The searches run at once, as many as the store's
    /// search threads (Elasticsearch runs them concurrently too); answers keep the
    /// request's order.
    ///
    /// A header's own `index` and options come first; the path's index and the URL's
    /// options stand in for what it leaves out. `typed_keys`: each search's aggregations
    /// named by their types ([`Store::name_aggregations_by_type`]).
    pub fn msearch(
        &self,
        path_index: Option<&str>,
        options: IndexOptions,
        body: &[u8],
        typed_keys: bool,
    ) -> Result<Value, RequestError> {
        let started = Instant::now();
        let searches = msearch_items(body)?;
        let answer = |(header, search_body): &MsearchItem| {
            let result = search_body.clone().and_then(|search_body| {
                let expression = header.expression(path_index);
                let indices = Indices {
                    expression: expression.as_deref().unwrap_or("_all"),
                    options: IndexOptions {
                        ignore_unavailable: header
                            .ignore_unavailable
                            .or(options.ignore_unavailable),
                        allow_no_indices: header.allow_no_indices.or(options.allow_no_indices),
                        ignore_throttled: options.ignore_throttled,
                    },
                };
                let mut answer = self.search(indices, &search_body)?;
                if typed_keys {
                    self.name_aggregations_by_type(indices, &search_body, &mut answer)?;
                }
                Ok(answer)
            });
            match result {
                Ok(mut response) => {
                    response["status"] = json!(200);
                    response
                }
                Err(err) => {
                    let mut body = serde_json::to_value(err.body()).unwrap_or_default();
                    body["status"] = json!(err.status);
                    body
                }
            }
        };
        let responses = super::parallel::map_in_order(&searches, self.search_threads(), answer)
            .ok_or_else(|| RequestError::internal("an _msearch search failed to finish"))?;
        Ok(json!({"took": started.elapsed().as_millis() as u64, "responses": responses}))
    }
}

/// One search of an `_msearch` body: its header, and its search body or why that could not
/// be read (which fails that search alone).
type MsearchItem = (Header, Result<Value, RequestError>);

/// An `_msearch` body's searches; a bad header fails the whole request, as in Elasticsearch.
fn msearch_items(body: &[u8]) -> Result<Vec<MsearchItem>, RequestError> {
    let mut searches = Vec::new();
    for Lines {
        number,
        header,
        search,
    } in msearch::lines(body)
    {
        let header: Value = serde_json::from_slice(header).map_err(|err| {
            RequestError::bad_request(format!(
                "_msearch header on line [{number}] is not JSON: {err}"
            ))
        })?;
        let header = Header::parse(&header)?;
        let search = search.ok_or_else(|| {
            RequestError::bad_request(format!(
                "_msearch header on line [{number}] has no search body after it"
            ))
        })?;
        let search = serde_json::from_slice::<Value>(search).map_err(|err| {
            RequestError::bad_request(format!(
                "_msearch body on line [{}] is not JSON: {err}",
                number + 1
            ))
        });
        searches.push((header, search));
    }
    Ok(searches)
}
