//! A search's hits as Elasticsearch writes them: `_index`, `_id`, `_score`, the `_source`
//! as asked for, and the sort values in their formats (dates as asked, addresses as
//! addresses).

use super::*;

/// One hit to render: where it is, its score (scored searches) or sort values (sorted ones).
type HitRow = (DocAddress, Option<f32>, Option<Vec<Value>>);

pub(super) enum Hits {
    Scored(Vec<(Score, DocAddress)>),
    Sorted(Vec<SortedHit>),
}

impl Store {
    pub(super) fn render_hits(
        &self,
        searcher: &Searcher,
        hits: Hits,
        request: &SearchRequest,
        formats: &[Option<DateFormat>],
        ips: &[bool],
    ) -> Result<Value, RequestError> {
        let (max_score, rows): (Option<f32>, Vec<HitRow>) = match hits {
            Hits::Scored(top) => (
                top.first().map(|(score, _)| *score),
                top.into_iter()
                    .map(|(score, address)| (address, Some(score), None))
                    .collect(),
            ),
            Hits::Sorted(sorted) => (
                None,
                sorted
                    .into_iter()
                    .map(|hit| (hit.address, None, Some(hit.values)))
                    .collect(),
            ),
        };
        let mut out = Vec::new();
        for (address, score, sort) in rows.into_iter().skip(request.from).take(request.size) {
            let doc: TantivyDocument = searcher.doc(address).map_err(|err| {
                RequestError::internal(format!("cannot read a stored event: {err}"))
            })?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let source: Value = doc
                .get_first(self.fields.source)
                .and_then(|v| {
                    v.as_bytes()
                        .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                })
                .unwrap_or(Value::Null);
            let mut hit = json!({
                "_index": text(self.fields.index),
                "_id": text(self.fields.id),
                "_score": score,
            });
            if let Some(source) = request.source.apply(source) {
                hit["_source"] = source;
            }
            if let Some(sort) = sort {
                let written = sort
                    .iter()
                    .zip(formats.iter().chain(std::iter::repeat(&None)))
                    .zip(ips.iter().chain(std::iter::repeat(&false)));
                hit["sort"] = written
                    .map(|((value, format), ip)| match (format, ip) {
                        (Some(format), _) => format.write(value),
                        // an address's key is written as the address
                        (None, true) => value
                            .as_str()
                            .and_then(crate::ip::address_of)
                            .map_or_else(|| value.clone(), Value::String),
                        (None, false) => value.clone(),
                    })
                    .collect();
            } else if let (true, Some(score)) = (request.sort_by_score, score) {
                hit["sort"] = json!([score]);
            }
            out.push(hit);
        }
        Ok(json!({"max_score": max_score, "hits": out}))
    }
}
