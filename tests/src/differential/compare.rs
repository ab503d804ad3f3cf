//! Two answers to one search, side by side: what must be equal, and the first place they
//! differ.

use serde_json::Value;

/// How one search fared.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Both answered alike (the same status; when 200, the same hits and aggregations).
    Alike,
    /// Elasticsearch answered and the store refused: a gap, not a wrong answer.
    Refused,
    /// A 200 from the store that is not Elasticsearch's answer, or a 200 where
    /// Elasticsearch refuses: a wrong answer. The text says where.
    Wrong(String),
}

/// Compares the store's answer (`ours`) to the engine's.
pub fn judge(ours: (u16, &Value), theirs: (u16, &Value), body: &Value) -> Verdict {
    match (ours.0, theirs.0) {
        (200, 200) => match differences(ours.1, theirs.1, body) {
            None => Verdict::Alike,
            Some(place) => Verdict::Wrong(place),
        },
        (200, status) => Verdict::Wrong(format!(
            "the store answered, Elasticsearch refused with {status}: {}",
            theirs.1["error"]["root_cause"][0]["reason"]
        )),
        (_, 200) => Verdict::Refused,
        _ => Verdict::Alike,
    }
}

/// Where two 200 answers differ, or `None`.
fn differences(ours: &Value, theirs: &Value, body: &Value) -> Option<String> {
    let (our_hits, their_hits) = (&ours["hits"], &theirs["hits"]);
    if our_hits["total"] != their_hits["total"] {
        return Some(format!(
            "hits.total: {} / {}",
            our_hits["total"], their_hits["total"]
        ));
    }
    let list = |hits: &Value| hits["hits"].as_array().cloned().unwrap_or_default();
    let (our_list, their_list) = (list(our_hits), list(their_hits));
    if our_list.len() != their_list.len() {
        return Some(format!(
            "hits.hits: {} / {} hits",
            our_list.len(),
            their_list.len()
        ));
    }
    // without a sort the order is by score, which need not be Elasticsearch's
    let sorted = body.get("sort").is_some();
    for (n, (mine, theirs)) in our_list.iter().zip(&their_list).enumerate() {
        for key in ["_index", "_id", "_source", "sort", "fields"] {
            if sorted && !same(&mine[key], &theirs[key]) {
                return Some(format!(
                    "hits.hits[{n}].{key}: {} / {}",
                    mine[key], theirs[key]
                ));
            }
        }
    }
    if !sorted {
        let ids = |hits: &[Value]| {
            let mut ids: Vec<String> = hits.iter().map(|hit| hit["_id"].to_string()).collect();
            ids.sort();
            ids
        };
        let total = their_hits["total"]["value"].as_u64().unwrap_or(0) as usize;
        if their_list.len() >= total && ids(&our_list) != ids(&their_list) {
            return Some(format!(
                "hits.hits ids: {:?} / {:?}",
                ids(&our_list),
                ids(&their_list)
            ));
        }
    }
    subtree(
        "aggregations",
        &ours["aggregations"],
        &theirs["aggregations"],
    )
}

/// The first path under `path` where the two differ.
fn subtree(path: &str, ours: &Value, theirs: &Value) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(mine), Value::Object(their)) => {
            let mut keys: Vec<&String> = mine.keys().chain(their.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|key| {
                let (a, b) = (
                    mine.get(key).unwrap_or(&Value::Null),
                    their.get(key).unwrap_or(&Value::Null),
                );
                subtree(&format!("{path}.{key}"), a, b)
            })
        }
        (Value::Array(mine), Value::Array(their)) if mine.len() == their.len() => mine
            .iter()
            .zip(their)
            .enumerate()
            .find_map(|(n, (a, b))| subtree(&format!("{path}[{n}]"), a, b)),
        _ if same(ours, theirs) => None,
        _ => Some(format!("{path}: {} / {}", brief(ours), brief(theirs))),
    }
}

/// Equal, numbers within a part in 10^9 (sums in another order).
fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
        }
        (Value::Object(mine), Value::Object(their)) => {
            mine.len() == their.len()
                && mine
                    .iter()
                    .all(|(key, value)| their.get(key).is_some_and(|other| same(value, other)))
        }
        (Value::Array(mine), Value::Array(their)) => {
            mine.len() == their.len() && mine.iter().zip(their).all(|(a, b)| same(a, b))
        }
        _ => ours == theirs,
    }
}

fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
