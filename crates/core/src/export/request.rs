//! What an export asks for, as the dashboard writes it in the URL and the server reads it:
//! `/api/export?index=logs-*&q=level:ERROR&from=MS&to=MS&format=csv&column=@timestamp&column=message`
//! (the range in epoch milliseconds, both ends included; CSV's columns one parameter
//! each, as a field's name may hold a comma).

use super::Format;
use crate::time::EpochMillis;
use crate::url::{encode, parse_query};

/// The most columns a CSV file may have.
pub const MAX_COLUMNS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub index: String,
    /// The query text (Lucene syntax), as in the query bar; empty for every event.
    pub query: String,
    pub from: EpochMillis,
    pub to: EpochMillis,
    pub format: Format,
    /// CSV's columns, in order (NDJSON writes whole events).
    pub columns: Vec<String>,
}

impl Request {
    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut query = format!(
            "index={}&q={}&from={}&to={}&format={}",
            encode(&self.index),
            encode(&self.query),
            self.from,
            self.to,
            self.format.name()
        );
        for column in &self.columns {
            query.push_str("&column=");
            query.push_str(&encode(column));
        }
        query
    }

    /// Reads a query string; the error names the parameter that is wrong.
    pub fn from_query(query: &str) -> Result<Request, String> {
        let (mut index, mut text, mut from, mut to, mut format) = (None, None, None, None, None);
        let mut columns = Vec::new();
        for (key, value) in parse_query(query) {
            match key.as_str() {
                "index" => index = Some(value),
                "q" => text = Some(value),
                "from" => from = Some(millis("from", &value)?),
                "to" => to = Some(millis("to", &value)?),
                "format" => {
                    format =
                        Some(Format::parse(&value).ok_or_else(|| {
                            format!("format must be ndjson or csv, not {value:?}")
                        })?)
                }
                "column" if value.is_empty() => return Err("a column has no name".into()),
                "column" => columns.push(value),
                other => return Err(format!("unknown parameter {other:?}")),
            }
        }
        let missing = |name: &str| format!("the {name} parameter is missing");
        let request = Request {
            index: index
                .filter(|i| !i.is_empty())
                .ok_or_else(|| missing("index"))?,
            query: text.unwrap_or_default(),
            from: from.ok_or_else(|| missing("from"))?,
            to: to.ok_or_else(|| missing("to"))?,
            format: format.ok_or_else(|| missing("format"))?,
            columns,
        };
        if request.from > request.to {
            return Err(format!(
                "from ({}) is after to ({})",
                request.from, request.to
            ));
        }
        match request.format {
            Format::Csv if request.columns.is_empty() => {
                Err("a CSV export needs at least one column".into())
            }
            Format::Csv if request.columns.len() > MAX_COLUMNS => Err(format!(
                "{} columns asked; at most {MAX_COLUMNS}",
                request.columns.len()
            )),
            Format::Ndjson if !request.columns.is_empty() => {
                Err("an NDJSON export writes whole events: no columns".into())
            }
            _ => Ok(request),
        }
    }
}

fn millis(name: &str, value: &str) -> Result<EpochMillis, String> {
    value
        .parse()
        .map_err(|_| format!("{name} must be epoch milliseconds, not {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_request() -> Request {
        Request {
            index: "logs-*,app".into(),
            query: "level:ERROR AND message:\"a&b=c\"".into(),
            from: 1_000,
            to: 2_000,
            format: Format::Csv,
            columns: vec!["@timestamp".into(), "a,b".into(), "http.status".into()],
        }
    }

    #[test]
    fn requests_round_trip_through_the_url() {
        let request = csv_request();
        assert_eq!(Request::from_query(&request.to_query()), Ok(request));
        let ndjson = Request {
            format: Format::Ndjson,
            columns: vec![],
            query: String::new(),
            ..csv_request()
        };
        assert_eq!(
            Request::from_query(&format!("?{}", ndjson.to_query())),
            Ok(ndjson)
        );
    }

    #[test]
    fn a_wrong_request_is_told_what_is_wrong() {
        let good = csv_request().to_query();
        for (query, says) in [
            (
                good.replace("format=csv", "format=xlsx"),
                "format must be ndjson or csv",
            ),
            (
                good.replace("from=1000", "from=yesterday"),
                "from must be epoch milliseconds",
            ),
            (
                good.replace("index=logs-*,app&", ""),
                "the index parameter is missing",
            ),
            (good.replace("&to=2000", ""), "the to parameter is missing"),
            (
                good.replace("from=1000", "from=3000"),
                "from (3000) is after to (2000)",
            ),
            (format!("{good}&size=9"), "unknown parameter \"size\""),
            (format!("{good}&column="), "a column has no name"),
            (
                good.split("&column").next().expect("a query").to_string(),
                "a CSV export needs at least one column",
            ),
            (good.replace("format=csv", "format=ndjson"), "no columns"),
            (
                format!("{good}{}", "&column=x".repeat(MAX_COLUMNS)),
                "at most 200",
            ),
        ] {
            let error = Request::from_query(&query).expect_err(&query);
            assert!(error.contains(says), "{query}: {error}");
        }
    }
}
