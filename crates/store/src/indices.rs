//! Index expressions (`logs-*`, `a,b`, `_all`, `-excluded`) resolved against the indices there are.

use crate::RequestError;

pub use logdash_core::es::route::IndexOptions;

/// The indices a request names: an expression, and how names that match nothing are taken.
#[derive(Debug, Clone, Copy)]
pub struct Indices<'a> {
    pub expression: &'a str,
    pub options: IndexOptions,
}

impl<'a> From<&'a str> for Indices<'a> {
    /// An expression with Elasticsearch's default options.
    fn from(expression: &'a str) -> Self {
        Indices {
            expression,
            options: IndexOptions::default(),
        }
    }
}

impl<'a> From<&'a String> for Indices<'a> {
    fn from(expression: &'a String) -> Self {
        expression.as_str().into()
    }
}

/// The indices an expression names, in name order, with Elasticsearch's default options: a
/// missing concrete name is an error, a wildcard that matches nothing is not.
pub fn resolve(expression: &str, existing: &[String]) -> Result<Vec<String>, RequestError> {
    resolve_with(expression.into(), existing)
}

/// The indices `indices` names, in name order, as Elasticsearch resolves them:
/// - a wildcard (or `_all`) matches every index but hidden (dot) ones, unless it asks for
///   them; matching nothing is an error only with `allow_no_indices=false`;
/// - a concrete name that does not exist is an error, unless `ignore_unavailable=true`;
/// - `-name` (a pattern too) takes names out only after a wildcard; anywhere else it is a
///   name of its own;
/// - nothing left at all is an error with `allow_no_indices=false`.
pub fn resolve_with(
    indices: Indices<'_>,
    existing: &[String],
) -> Result<Vec<String>, RequestError> {
    let Indices {
        expression,
        options,
    } = indices;
    let allow_none = options.allow_no_indices != Some(false);
    let mut chosen: Vec<String> = Vec::new();
    let mut wildcard_seen = false;
    // `_all` alone is every index; in a list it is an invalid name
    let alone = !expression.contains(',');
    for part in expression.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(RequestError::illegal_argument(format!(
                "empty index name in [{expression}]"
            )));
        }
        if let Some(excluded) = part.strip_prefix('-').filter(|_| wildcard_seen) {
            // with `allow_no_indices=false`, an excluding wildcard must match too
            if !allow_none
                && excluded.contains('*')
                && !existing.iter().any(|n| matches(excluded, n))
            {
                return Err(RequestError::index_not_found(excluded));
            }
            chosen.retain(|name| !matches(excluded, name));
            continue;
        }
        if part == "_all" && !alone {
            return Err(RequestError {
                status: 400,
                kind: "invalid_index_name_exception",
                reason: "Invalid index name [_all], must not start with '_'.".into(),
                raised: crate::Raised::Anywhere,
            });
        }
        if part == "_all" || part.contains('*') {
            wildcard_seen = true;
            let pattern = if part == "_all" { "*" } else { part };
            // like Elasticsearch, wildcards do not reach hidden (dot) indices unless they ask for them
            let mut matched = false;
            for name in existing {
                let hidden_ok = !name.starts_with('.') || pattern.starts_with('.');
                if hidden_ok && matches(pattern, name) {
                    matched = true;
                    if !chosen.contains(name) {
                        chosen.push(name.clone());
                    }
                }
            }
            if !matched && !allow_none && part != "_all" {
                return Err(RequestError::index_not_found(part));
            }
        } else if existing.iter().any(|name| name == part) {
            if !chosen.iter().any(|name| name == part) {
                chosen.push(part.to_string());
            }
        } else if options.ignore_unavailable != Some(true) {
            let mut err = RequestError::index_not_found(part);
            if part.starts_with('-') {
                err.reason.push_str(" and if you intended to exclude this index, ensure that you use wildcards that include it before explicitly excluding it");
            }
            return Err(err);
        }
    }
    if chosen.is_empty() && !allow_none {
        let parts = expression.split(',').map(|part| part.trim().to_string());
        return Err(RequestError::nothing_resolved(parts.collect()));
    }
    chosen.sort();
    Ok(chosen)
}

/// `*` matches any run of characters; everything else matches itself.
pub fn matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        [
            "logstash-2025.11.24",
            "logstash-2025.11.25",
            "logs-app",
            ".saved",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn wildcards_lists_and_exclusions() {
        assert_eq!(
            resolve("log*", &names()).expect("ok"),
            vec!["logs-app", "logstash-2025.11.24", "logstash-2025.11.25"]
        );
        assert_eq!(
            resolve("logstash-*,-*.24", &names()).expect("ok"),
            vec!["logstash-2025.11.25"]
        );
        assert_eq!(
            resolve("logs-app,logstash-2025.11.24", &names())
                .expect("ok")
                .len(),
            2
        );
        assert_eq!(resolve("_all", &names()).expect("ok").len(), 3);
        assert_eq!(resolve(".sa*", &names()).expect("ok"), vec![".saved"]);
        assert!(resolve("nothing-*", &names()).expect("ok").is_empty());
    }

    #[test]
    fn options_decide_what_matching_nothing_means() {
        let with = |expression, ignore_unavailable, allow_no_indices| {
            let options = IndexOptions {
                ignore_unavailable,
                allow_no_indices,
                ..IndexOptions::default()
            };
            resolve_with(
                Indices {
                    expression,
                    options,
                },
                &names(),
            )
            .map_err(|err| err.reason)
        };
        let found = |names: &[&str]| Ok(names.iter().map(|n| n.to_string()).collect());
        for (expression, ignore, allow, expected) in [
            ("nope,logs-app", Some(true), None, found(&["logs-app"])),
            ("nope", Some(true), None, found(&[])),
            ("nope", Some(true), Some(false), Err("no such index [nope]".into())),
            ("nope,nah", Some(true), Some(false), Err("no such index [null]".into())),
            ("nope-*", None, Some(false), Err("no such index [nope-*]".into())),
            ("logs-app,nope-*", None, Some(false), Err("no such index [nope-*]".into())),
            ("log*,-log*", None, Some(false), Err("no such index [null]".into())),
            ("_all", None, Some(false), found(&["logs-app", "logstash-2025.11.24", "logstash-2025.11.25"])),
            ("nope-*", None, Some(true), found(&[])),
            // an exclusion only after a wildcard; before one, a name of its own
            ("logs-app,-logs-app", None, None, Err("no such index [-logs-app] and if you intended to exclude this index, ensure that you use wildcards that include it before explicitly excluding it".into())),
            ("logs-app,x*,-logs-app", None, None, found(&[])),
            ("log*,-nope*", None, Some(false), Err("no such index [nope*]".into())),
            ("log*,-nope*", None, None, found(&["logs-app", "logstash-2025.11.24", "logstash-2025.11.25"])),
            ("_all,logs-app", None, None, Err("Invalid index name [_all], must not start with '_'.".into())),
        ] {
            assert_eq!(with(expression, ignore, allow), expected, "{expression}");
        }
    }

    #[test]
    fn a_missing_concrete_index_is_named() {
        let err = resolve("log*,nope", &names()).expect_err("nope is missing");
        assert_eq!(err.status, 404);
        assert_eq!(err.reason, "no such index [nope]");
    }

    #[test]
    fn glob_matching() {
        assert!(matches("a*c", "abc"));
        assert!(matches("*", ""));
        assert!(matches("a**", "a"));
        assert!(!matches("a*c", "abd"));
        assert!(matches("*-2025.*.25", "logstash-2025.11.25"));
    }
}
