//! Index expressions (`logs-*`, `a,b`, `_all`, `-excluded`) resolved against the indices there are.

use crate::RequestError;

/// The indices an expression names, in name order. A missing concrete name is an error,
/// a wildcard that matches nothing is not (Elasticsearch's `allow_no_indices`).
pub fn resolve(expression: &str, existing: &[String]) -> Result<Vec<String>, RequestError> {
    let mut chosen: Vec<String> = Vec::new();
    for (position, part) in expression.split(',').map(str::trim).enumerate() {
        if part.is_empty() {
            return Err(RequestError::illegal_argument(format!(
                "empty index name in [{expression}]"
            )));
        }
        if let Some(excluded) = part.strip_prefix('-').filter(|_| position > 0) {
            chosen.retain(|name| !matches(excluded, name));
            continue;
        }
        if part == "_all" || part.contains('*') {
            let pattern = if part == "_all" { "*" } else { part };
            // like Elasticsearch, wildcards do not reach hidden (dot) indices unless they ask for them
            for name in existing {
                let hidden_ok = !name.starts_with('.') || pattern.starts_with('.');
                if hidden_ok && matches(pattern, name) && !chosen.contains(name) {
                    chosen.push(name.clone());
                }
            }
        } else if existing.iter().any(|name| name == part) {
            if !chosen.iter().any(|name| name == part) {
                chosen.push(part.to_string());
            }
        } else {
            return Err(RequestError::index_not_found(part));
        }
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
