//! A percentiles aggregation's options, read as Elasticsearch reads them.

use serde_json::{Map, Value};

use super::{hdr, Method, Output, Spec, Step};
use crate::digest::DEFAULT_COMPRESSION;
use crate::{Raised, RequestError};

/// Elasticsearch's default `percents`.
const DEFAULT_PERCENTS: [f64; 7] = [1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0];

/// Reads a percentiles aggregation's options as Elasticsearch does, refusing what it would.
pub(crate) fn parse(
    name: &str,
    kind: &str,
    body: &Map<String, Value>,
    column: String,
    path: Vec<Step>,
) -> Result<Spec, RequestError> {
    let ranks = kind == "percentile_ranks";
    let mut spec = Spec {
        column,
        path,
        method: Method::TDigest(DEFAULT_COMPRESSION),
        missing: None,
        dates: false,
        date_format: None,
        output: Output {
            percents: if ranks {
                Vec::new()
            } else {
                DEFAULT_PERCENTS.to_vec()
            },
            keyed: true,
            ranks,
        },
    };
    let output = &mut spec.output;
    // `tdigest` or `hdr`, once
    let mut declared = false;
    if ranks && !body.contains_key("values") {
        return Err(unbuildable(
            kind,
            format!("[values] must not be null: [{name}]"),
        ));
    }
    for (key, value) in body {
        match key.as_str() {
            "field" => {}
            "values" if ranks => {
                let items = value.as_array().ok_or_else(|| {
                    RequestError::bad_request(format!(
                        "[values] of [{name}] must be an array of numbers"
                    ))
                })?;
                if items.is_empty() {
                    return Err(unbuildable(
                        kind,
                        format!("[values] must not be an empty array: [{name}]"),
                    ));
                }
                output.percents = items
                    .iter()
                    .map(|item| {
                        item.as_f64().ok_or_else(|| {
                            RequestError::bad_request(format!(
                                "[values] of [{name}] must be numbers, not {item}"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "percents" if !ranks => {
                let items = value.as_array().ok_or_else(|| {
                    RequestError::bad_request(format!(
                        "[percents] of [{name}] must be an array of numbers"
                    ))
                })?;
                if items.is_empty() {
                    return Err(unbuildable(
                        kind,
                        format!("[percents] must not be empty: [{name}]"),
                    ));
                }
                output.percents = items
                    .iter()
                    .map(|item| match item.as_f64() {
                        Some(p) if (0.0..=100.0).contains(&p) => Ok(p),
                        Some(p) => Err(unbuildable(
                            kind,
                            format!("percent must be in [0,100], got [{p:?}]: [{name}]"),
                        )),
                        None => Err(RequestError::bad_request(format!(
                            "[percents] of [{name}] must be numbers, not {item}"
                        ))),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "keyed" => {
                output.keyed = value.as_bool().ok_or_else(|| {
                    RequestError::bad_request(format!("[keyed] of [{name}] must be true or false"))
                })?;
            }
            "missing" => {
                spec.missing = Some(value.as_f64().ok_or_else(|| {
                    RequestError::bad_request(format!("[missing] of [{name}] must be a number"))
                })?);
            }
            "tdigest" | "hdr" if declared => {
                return Err(unbuildable(
                    kind,
                    "Only one percentiles method should be declared.".into(),
                ));
            }
            "tdigest" => {
                declared = true;
                let mut compression = DEFAULT_COMPRESSION;
                for (option, setting) in value.as_object().into_iter().flatten() {
                    match (option.as_str(), setting) {
                        ("compression", setting) => match setting.as_f64() {
                            Some(c) if c >= 0.0 => compression = c.max(1.0),
                            _ => {
                                return Err(RequestError::illegal_argument(format!(
                                    "[compression] must be greater than or equal to 0. Found [{setting}] in [{name}]"
                                )))
                            }
                        },
                        ("execution_hint", Value::String(hint)) if hint == "default" => {}
                        (other, _) => {
                            return Err(RequestError::illegal_argument(format!(
                                "[tdigest.{other}] in [{name}] is not supported: logdash runs Elasticsearch's default t-digest"
                            )))
                        }
                    }
                }
                spec.method = Method::TDigest(compression);
            }
            "hdr" => {
                declared = true;
                spec.method = Method::Hdr(hdr_digits(kind, value)?);
            }
            other => {
                return Err(RequestError::bad_request(format!(
                    "[{kind}] unknown field [{other}] in [{name}]"
                )))
            }
        }
    }
    Ok(spec)
}

/// `hdr`'s object: `number_of_significant_value_digits` (a number or its text), 0 to 5.
fn hdr_digits(kind: &str, value: &Value) -> Result<u8, RequestError> {
    let failed = |cause: String| RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("[{kind}] failed to parse field [hdr]: {cause}"),
        raised: Raised::Anywhere,
    };
    let Value::Object(options) = value else {
        return Err(RequestError {
            status: 400,
            kind: "x_content_parse_exception",
            reason: format!(
                "[{kind}] hdr doesn't support values of type: {}",
                logdash_core::es::search::token(value)
            ),
            raised: Raised::Anywhere,
        });
    };
    let mut digits = hdr::DEFAULT_DIGITS;
    for (key, setting) in options {
        if key != "number_of_significant_value_digits" {
            return Err(failed(format!("[hdr] unknown field [{key}]")));
        }
        let number = match setting {
            Value::Number(n) => n.as_f64(),
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        digits = match number.map(f64::trunc) {
            Some(n) if (0.0..=f64::from(hdr::MAX_DIGITS)).contains(&n) => n as u8,
            _ => {
                return Err(failed(
                    "[numberOfSignificantValueDigits] must be between 0 and 5".into(),
                ))
            }
        };
    }
    Ok(digits)
}

/// Elasticsearch's refusal of percentiles options it parsed but cannot build with.
fn unbuildable(kind: &str, cause: String) -> RequestError {
    RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("Failed to build [{kind}] after last required field arrived: {cause}"),
        raised: Raised::Anywhere,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn options_are_read_or_refused_by_name() {
        let parse_body = |body: Value| {
            parse(
                "p",
                "percentiles",
                body.as_object().expect("object"),
                "kw.t".into(),
                Vec::new(),
            )
        };
        let spec = parse_body(json!({"field": "t", "percents": [50, 99], "keyed": false, "missing": 3, "tdigest": {"compression": 200}}))
            .expect("reads");
        assert_eq!(
            (spec.method, spec.missing),
            (Method::TDigest(200.0), Some(3.0))
        );
        assert_eq!(
            (spec.output.percents, spec.output.keyed),
            (vec![50.0, 99.0], false)
        );
        for (hdr, digits) in [
            (json!({}), 3),
            (json!({"number_of_significant_value_digits": "0"}), 0),
        ] {
            let spec = parse_body(json!({"hdr": hdr})).expect("reads");
            assert_eq!(spec.method, Method::Hdr(digits));
        }
        for (body, reason) in [
            (
                json!({"percents": [101]}),
                "Failed to build [percentiles] after last required field arrived: percent must be in [0,100], got [101.0]",
            ),
            (
                json!({"percents": []}),
                "Failed to build [percentiles] after last required field arrived: [percents] must not be empty",
            ),
            (
                json!({"hdr": 3}),
                "[percentiles] hdr doesn't support values of type: VALUE_NUMBER",
            ),
            (
                json!({"hdr": {"number_of_significant_value_digits": 6}}),
                "[percentiles] failed to parse field [hdr]: [numberOfSignificantValueDigits] must be between 0 and 5",
            ),
            (
                json!({"hdr": {"digits": 2}}),
                "[percentiles] failed to parse field [hdr]: [hdr] unknown field [digits]",
            ),
            (
                json!({"tdigest": {}, "hdr": {}}),
                "Failed to build [percentiles] after last required field arrived: Only one percentiles method should be declared.",
            ),
            (
                json!({"script": "x"}),
                "[percentiles] unknown field [script]",
            ),
            (
                json!({"tdigest": {"compression": -1}}),
                "[compression] must be greater than or equal to 0",
            ),
        ] {
            let err = parse_body(body).expect_err("refused");
            assert!(err.reason.starts_with(reason), "{}", err.reason);
        }
    }
}
