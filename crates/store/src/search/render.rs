//! A search's hits as Elasticsearch writes them: `_index`, `_id`, `_score`, the `_source`
//! as asked for, and the sort values in their formats (dates as asked, addresses as
//! addresses).

use super::*;

/// One hit to render: where it is, its score (scored searches) or sort values (sorted ones).
type HitRow = (DocAddress, Option<f32>, Option<Vec<Value>>);

pub(super) enum Hits {
    Scored(Vec<(Score, DocAddress)>),
    Sorted(Sorted),
}

impl Store {
    pub(super) fn render_hits(
        &self,
        searcher: &Searcher,
        hits: Hits,
        request: &SearchBody,
        written: &SortWritten<'_>,
        mut wanted: Option<fields::Wanted>,
    ) -> Result<Value, RequestError> {
        let (max_score, rows): (Option<f32>, Vec<HitRow>) = match hits {
            Hits::Scored(top) => (
                top.first().map(|(score, _)| *score),
                top.into_iter()
                    .map(|(score, address)| (address, Some(score), None))
                    .collect(),
            ),
            Hits::Sorted(sorted) => {
                // sorted by `_score` beside other keys: each hit's score is its key's value
                let by_score = request
                    .sort
                    .iter()
                    .flatten()
                    .position(|key| key.field == "_score");
                let score_of = |values: &[Value]| {
                    let score = values.get(by_score?)?.as_f64()?;
                    Some(score as f32)
                };
                let rows = sorted
                    .hits
                    .into_iter()
                    .map(|hit| {
                        let score = hit.score.or_else(|| score_of(&hit.values));
                        (hit.address, score, Some(hit.values))
                    })
                    .collect();
                (sorted.max_score, rows)
            }
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
            if let Some(wanted) = wanted.as_mut() {
                let fetched = wanted.of(self, &text(self.fields.index), &source)?;
                if let Some(fields) = fetched.fields {
                    hit["fields"] = fields;
                }
                if let Some(ignored) = fetched.ignored {
                    hit["ignored_field_values"] = ignored;
                }
            }
            if let Some(source) = request::apply_source(&request.source, source) {
                hit["_source"] = source;
            }
            if let Some(sort) = sort {
                hit["sort"] = sort
                    .iter()
                    .enumerate()
                    .map(|(key, value)| written.value(key, value))
                    .collect();
            } else if let (true, Some(score)) = (request.sort_by_score, score) {
                hit["sort"] = json!([score]);
            }
            out.push(hit);
        }
        Ok(json!({"max_score": max_score, "hits": out}))
    }
}

/// How each sort key's values are written in a hit's `sort`.
pub(super) struct SortWritten<'a> {
    /// A date key's `format`.
    pub formats: &'a [Option<DatePattern>],
    /// Keys of an ip field, whose keys are written as the addresses.
    pub ips: &'a [bool],
    /// What an event without the field shows (see `SortKey::missing_shown`).
    pub missing: &'a [Value],
}

impl SortWritten<'_> {
    fn value(&self, key: usize, value: &Value) -> Value {
        if value.is_null() {
            return self.missing.get(key).cloned().unwrap_or(Value::Null);
        }
        match (self.formats.get(key), self.ips.get(key)) {
            // a date's epoch milliseconds in its format, in UTC as Elasticsearch writes them
            (Some(Some(format)), _) => match value.as_i64() {
                Some(ms) => Value::String(format.write(ms, 0)),
                None => value.clone(),
            },
            // an address's key is written as the address
            (_, Some(true)) => value
                .as_str()
                .and_then(crate::ip::address_of)
                .map_or_else(|| value.clone(), Value::String),
            _ => value.clone(),
        }
    }
}
