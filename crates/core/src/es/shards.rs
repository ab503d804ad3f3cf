//! A search answer that left shards out: `_shards.failed > 0` or `timed_out: true`.
//!
//! Elasticsearch answers 200 when only some shards fail (a node gone, a field mapped
//! differently in one index) and counts the rest; numbers built on such an answer are
//! short of the truth, so the dashboard says which shards are missing and why.

use serde_json::Value;

use super::ErrorBody;

/// What a search (or several, merged) could not reach.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShardGaps {
    /// Shards asked, across the merged answers.
    pub total: u64,
    /// Shards that failed.
    pub failed: u64,
    /// Whether some shard stopped at the search's time-out and gave what it had.
    pub timed_out: bool,
    /// Why, one entry per index and reason (Elasticsearch groups its failures so too).
    pub reasons: Vec<ShardReason>,
}

/// Shards of one index that failed for one reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardReason {
    /// The index, when the answer names it.
    pub index: Option<String>,
    /// The shard numbers the answer lists (Elasticsearch lists one per group).
    pub shards: Vec<u64>,
    /// `type: reason`, the deepest cause that says something.
    pub reason: String,
}

impl ShardGaps {
    /// The gaps of one search answer (an `_msearch` item too); `None` when it is whole.
    pub fn of(answer: &Value) -> Option<ShardGaps> {
        let shards = &answer["_shards"];
        let failed = count(&shards["failed"]);
        let timed_out = answer["timed_out"].as_bool() == Some(true);
        if failed == 0 && !timed_out {
            return None;
        }
        let mut gaps = ShardGaps {
            total: count(&shards["total"]),
            failed,
            timed_out,
            reasons: Vec::new(),
        };
        for failure in shards["failures"].as_array().into_iter().flatten() {
            gaps.add_reason(
                failure["index"].as_str().map(str::to_string),
                failure["shard"].as_u64(),
                reason_text(&failure["reason"]),
            );
        }
        Some(gaps)
    }

    /// The gaps of several answers taken together (the items of one `_msearch`). The
    /// total counts the shards of whole items too: they were asked and answered, and
    /// which items come back whole can change from run to run (a shard that holds nothing
    /// in the range may be skipped before it can fail).
    pub fn of_all<'a>(answers: impl IntoIterator<Item = &'a Value>) -> Option<ShardGaps> {
        let answers: Vec<&Value> = answers.into_iter().collect();
        let mut gaps = ShardGaps::merged(answers.iter().copied().filter_map(ShardGaps::of))?;
        if gaps.total > 0 {
            gaps.total = answers
                .iter()
                .map(|answer| count(&answer["_shards"]["total"]))
                .sum();
        }
        Some(gaps)
    }

    /// The gaps of a search answer, or of all the items of an `_msearch` answer.
    pub fn of_answer(answer: &Value) -> Option<ShardGaps> {
        match answer["responses"].as_array() {
            Some(items) => ShardGaps::of_all(items),
            None => ShardGaps::of(answer),
        }
    }

    /// Several searches' gaps as one.
    pub fn merged(gaps: impl IntoIterator<Item = ShardGaps>) -> Option<ShardGaps> {
        gaps.into_iter().reduce(|mut all, more| {
            all.total += more.total;
            all.failed += more.failed;
            all.timed_out |= more.timed_out;
            for reason in more.reasons {
                for shard in reason.shards.iter().copied().map(Some).chain(
                    // a reason without shard numbers still counts once
                    reason.shards.is_empty().then_some(None),
                ) {
                    all.add_reason(reason.index.clone(), shard, reason.reason.clone());
                }
            }
            all
        })
    }

    /// One line for people: how many shards are missing, from which indices, and why.
    pub fn summary(&self) -> String {
        let (what, reasons) = self.parts();
        format!("Partial results: {what}, so these numbers leave out part of the data{reasons}")
    }

    /// What failed and why, without a word on what it means for the answer's user
    /// ("1 of 3 shards failed; logs [shard 1]: node_disconnected_exception: gone").
    pub fn what_failed(&self) -> String {
        let (what, reasons) = self.parts();
        format!("{what}{reasons}")
    }

    fn parts(&self) -> (String, String) {
        let mut parts = Vec::new();
        if self.failed > 0 {
            let shards = if self.failed == 1 { "shard" } else { "shards" };
            parts.push(if self.total > 0 {
                format!("{} of {} {shards} failed", self.failed, self.total)
            } else {
                format!("{} {shards} failed", self.failed)
            });
        }
        if self.timed_out {
            parts.push("the search timed out on some shards".to_string());
        }
        let mut reasons = String::new();
        for reason in &self.reasons {
            let place = match (&reason.index, reason.shards.as_slice()) {
                (Some(index), []) => index.clone(),
                (Some(index), shards) => format!("{index} [shard {}]", join(shards)),
                (None, []) => "a shard".to_string(),
                (None, shards) => format!("shard {}", join(shards)),
            };
            reasons.push_str(&format!("; {place}: {}", reason.reason));
        }
        (parts.join(" and "), reasons)
    }

    /// The gaps as a search answer's `_shards` and `timed_out` (what `of` reads back): how
    /// the server's push tail tells the dashboard what its polls of the cluster left out.
    /// `None` is a whole answer.
    pub fn to_answer(gaps: Option<&ShardGaps>) -> Value {
        let Some(gaps) = gaps else {
            return serde_json::json!({"_shards": {"failed": 0}, "timed_out": false});
        };
        let failures: Vec<Value> = gaps
            .reasons
            .iter()
            .flat_map(|reason| {
                let shards: Vec<Option<u64>> = if reason.shards.is_empty() {
                    vec![None]
                } else {
                    reason.shards.iter().copied().map(Some).collect()
                };
                shards.into_iter().map(move |shard| {
                    serde_json::json!({"index": reason.index, "shard": shard, "reason": reason.reason})
                })
            })
            .collect();
        serde_json::json!({
            "_shards": {"total": gaps.total, "failed": gaps.failed, "failures": failures},
            "timed_out": gaps.timed_out,
        })
    }

    fn add_reason(&mut self, index: Option<String>, shard: Option<u64>, reason: String) {
        let known = self
            .reasons
            .iter_mut()
            .find(|r| r.index == index && r.reason == reason);
        let entry = match known {
            Some(entry) => entry,
            None => {
                self.reasons.push(ShardReason {
                    index,
                    shards: Vec::new(),
                    reason,
                });
                let last = self.reasons.len() - 1;
                &mut self.reasons[last]
            }
        };
        if let Some(shard) = shard {
            if !entry.shards.contains(&shard) {
                entry.shards.push(shard);
                entry.shards.sort_unstable();
            }
        }
    }
}

/// A failure's `reason`: an error cause object (Elasticsearch) or plain text (older nodes).
fn reason_text(reason: &Value) -> String {
    if let Some(text) = reason.as_str() {
        return text.to_string();
    }
    let wrapped = serde_json::json!({"error": reason, "status": 500}).to_string();
    ErrorBody::parse(500, &wrapped)
        .map(|e| e.summary())
        .unwrap_or_else(|| "no reason given".to_string())
}

fn count(value: &Value) -> u64 {
    value
        .as_u64()
        .or_else(|| value.as_f64().map(|f| f.max(0.0) as u64))
        .unwrap_or(0)
}

fn join(shards: &[u64]) -> String {
    shards
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gaps_survive_being_sent_as_an_answer() {
        let answer = json!({"timed_out": true, "_shards": {"total": 6, "failed": 3, "failures": [
            {"index": "logs-a", "shard": 0, "reason": {"type": "node_disconnected_exception", "reason": "node left"}},
            {"index": "logs-a", "shard": 2, "reason": {"type": "node_disconnected_exception", "reason": "node left"}},
            {"shard": 1, "reason": "plain text"}
        ]}});
        let gaps = ShardGaps::of(&answer).expect("gaps");
        assert_eq!(
            ShardGaps::of(&ShardGaps::to_answer(Some(&gaps))),
            Some(gaps)
        );
        assert_eq!(ShardGaps::of(&ShardGaps::to_answer(None)), None);
    }

    #[test]
    fn a_whole_answer_has_no_gaps() {
        let answer = json!({"timed_out": false, "_shards": {"total": 6, "successful": 6, "skipped": 0, "failed": 0}});
        assert_eq!(ShardGaps::of(&answer), None);
        assert_eq!(ShardGaps::of(&json!({"hits": {}})), None);
    }

    #[test]
    fn failed_shards_name_their_index_and_deepest_reason() {
        // as Elasticsearch 8 answers a query on a field that is a number in one index only
        let answer = json!({"timed_out": false, "_shards": {"total": 6, "successful": 3, "skipped": 0, "failed": 3,
            "failures": [{"shard": 0, "index": "logstash-2026.12.04", "node": "x1",
                "reason": {"type": "query_shard_exception", "reason": "failed to create query: For input string: \"abc\"",
                    "index": "logstash-2026.12.04",
                    "caused_by": {"type": "number_format_exception", "reason": "For input string: \"abc\""}}}]}});
        let gaps = ShardGaps::of(&answer).expect("gaps");
        assert_eq!((gaps.total, gaps.failed, gaps.timed_out), (6, 3, false));
        assert_eq!(
            gaps.summary(),
            "Partial results: 3 of 6 shards failed, so these numbers leave out part of the data; \
             logstash-2026.12.04 [shard 0]: number_format_exception: For input string: \"abc\""
        );
    }

    #[test]
    fn msearch_items_merge_by_index_and_reason() {
        let failure = |shard: u64| json!({"shard": shard, "index": "a", "reason": {"type": "node_not_connected_exception", "reason": "[n2] disconnected"}});
        let one = json!({"_shards": {"total": 3, "failed": 1, "failures": [failure(2)]}});
        let two = json!({"_shards": {"total": 3, "failed": 2, "failures": [failure(0), failure(2)]}, "timed_out": true});
        let whole = json!({"_shards": {"total": 3, "failed": 0}});
        let gaps = ShardGaps::of_all([&one, &whole, &two]).expect("gaps");
        // the whole item's 3 shards were asked too
        assert_eq!((gaps.total, gaps.failed, gaps.timed_out), (9, 3, true));
        assert_eq!(gaps.reasons.len(), 1);
        assert_eq!(gaps.reasons[0].shards, vec![0, 2]);
        assert!(gaps.summary().starts_with(
            "Partial results: 3 of 9 shards failed and the search timed out on some shards"
        ));
        assert_eq!(ShardGaps::of_all([&whole]), None);
        let msearch = json!({"responses": [one, whole, two]});
        assert_eq!(ShardGaps::of_answer(&msearch), Some(gaps));
    }

    #[test]
    fn odd_shapes_still_say_something() {
        let answer = json!({"_shards": {"failed": 1.0, "failures": [{"reason": "boom"}, {"index": "b", "reason": {}}]}});
        let gaps = ShardGaps::of(&answer).expect("gaps");
        assert_eq!(
            gaps.summary(),
            "Partial results: 1 shard failed, so these numbers leave out part of the data; \
             a shard: boom; b: no reason given"
        );
        let timed_out = ShardGaps::of(&json!({"timed_out": true})).expect("gaps");
        assert_eq!(
            timed_out.summary(),
            "Partial results: the search timed out on some shards, so these numbers leave out part of the data"
        );
    }
}
