//! `minimum_should_match` in all its forms: `3`, `-2`, `75%`, `-25%`, `3<90%`,
//! `2<-25% 9<-3`, worked out against the number of optional clauses as Elasticsearch does.

use serde_json::Value;

use super::QueryError;

/// A `minimum_should_match` as written; [`MinimumShouldMatch::of`] says what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinimumShouldMatch(String);

impl MinimumShouldMatch {
    pub fn parse(value: &Value) -> Result<MinimumShouldMatch, QueryError> {
        let text = match value {
            Value::Number(number) if number.is_i64() => number.to_string(),
            Value::String(text) => text.trim().to_string(),
            _ => {
                return Err(QueryError::parsing(format!(
                    "[minimum_should_match] must be a number or a string like \"75%\", not {value}"
                )))
            }
        };
        let spec = MinimumShouldMatch(text);
        if spec.checked(10).is_none() {
            return Err(QueryError::illegal(format!(
                "[minimum_should_match] [{}] is not a count, a percentage or conditions like \"3<90%\"",
                spec.0
            )));
        }
        Ok(spec)
    }

    pub fn count(n: i64) -> MinimumShouldMatch {
        MinimumShouldMatch(n.to_string())
    }

    /// How many of `optional` clauses must match (may be more than `optional`: then nothing
    /// matches, as in Elasticsearch).
    pub fn of(&self, optional: usize) -> usize {
        self.checked(optional).unwrap_or(optional)
    }

    fn checked(&self, optional: usize) -> Option<usize> {
        let optional = i64::try_from(optional).ok()?;
        let spec = self.0.as_str();
        if !spec.contains('<') {
            return simple(optional, spec).map(|n| n.max(0) as usize);
        }
        // conditions: "N<spec" applies spec when there are more than N clauses
        let normalised = spec.split('<').map(str::trim).collect::<Vec<_>>().join("<");
        let mut result = optional;
        for condition in normalised.split_whitespace() {
            let (bound, inner) = condition.split_once('<')?;
            let bound: i64 = bound.parse().ok()?;
            let value = simple(optional, inner)?;
            if optional <= bound {
                return Some(result.max(0) as usize);
            }
            result = value;
        }
        Some(result.max(0) as usize)
    }

    pub fn to_json(&self) -> Value {
        match self.0.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(self.0.as_str()),
        }
    }
}

/// One count or percentage against `optional` clauses; negative ones count down from all.
fn simple(optional: i64, spec: &str) -> Option<i64> {
    if let Some(percent) = spec.strip_suffix('%') {
        let percent: i64 = percent.trim().parse().ok()?;
        let calc = (optional * percent) as f64 / 100.0;
        // Elasticsearch truncates toward zero, then counts a negative share down from all
        return Some(if calc < 0.0 {
            optional + calc as i64
        } else {
            calc as i64
        });
    }
    let count: i64 = spec.trim().parse().ok()?;
    Some(if count < 0 { optional + count } else { count })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn of(spec: Value, optional: usize) -> usize {
        MinimumShouldMatch::parse(&spec)
            .expect("a valid spec")
            .of(optional)
    }

    #[test]
    fn counts_and_negative_counts() {
        assert_eq!(of(json!(2), 5), 2);
        assert_eq!(of(json!("2"), 5), 2);
        assert_eq!(of(json!(-2), 5), 3);
        assert_eq!(of(json!(-7), 5), 0);
        assert_eq!(of(json!(7), 5), 7, "more than there are: nothing can match");
    }

    #[test]
    fn percentages_round_down_and_negative_ones_count_from_all() {
        // the reference's examples: 75% of 7 is 5.25 -> 5; -25% of 7 is -1.75 -> 7 - 1 = 6
        assert_eq!(of(json!("75%"), 7), 5);
        assert_eq!(of(json!("-25%"), 7), 6);
        assert_eq!(of(json!("100%"), 3), 3);
        assert_eq!(of(json!("50%"), 1), 0);
    }

    #[test]
    fn conditions_apply_past_their_bound() {
        // "3<90%": up to 3 clauses all are required, past 3 only 90%
        assert_eq!(of(json!("3<90%"), 3), 3);
        assert_eq!(of(json!("3<90%"), 10), 9);
        // "2<-25% 9<-3": 1-2 all, 3-9 all but 25%, past 9 all but 3
        assert_eq!(of(json!("2<-25% 9<-3"), 2), 2);
        assert_eq!(of(json!("2<-25% 9<-3"), 8), 6);
        assert_eq!(of(json!("2<-25% 9<-3"), 12), 9);
        assert_eq!(of(json!("3 < 90%"), 10), 9, "spaces around < are allowed");
    }

    #[test]
    fn refuses_what_is_no_spec() {
        for bad in [
            json!("lots"),
            json!("3<"),
            json!(1.5),
            json!(true),
            json!("5%%"),
        ] {
            assert!(MinimumShouldMatch::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writes_what_it_read() {
        for spec in [json!(3), json!("75%"), json!("3<90%")] {
            assert_eq!(
                MinimumShouldMatch::parse(&spec).expect("valid").to_json(),
                spec
            );
        }
    }
}
