//! Log patterns: messages grouped into templates, Drain-like. Each message's first line is
//! cut into words, the variable ones masked (`mask`); messages with as many words and the
//! same leading word are compared position by position, and one joins the template it
//! shares at least half its words with, the positions that differ becoming `<*>`. Pure and
//! bounded: the dashboard mines a sample (`sample`) in the browser.

pub mod mask;
pub mod sample;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::dashboard::values::{escape_field, escape_phrase};
use crate::time::EpochMillis;
use crate::view::{Match, Pill};

/// A template's word.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    /// Written as it was.
    Text(String),
    /// Masked (`<num>ms`, `id=<hex>`): the same kind of value, not the same value.
    Masked(String),
    /// Differed between the template's messages.
    Any,
}

impl Word {
    fn of(original: &str, masked: String) -> Word {
        if masked == original {
            Word::Text(masked)
        } else {
            Word::Masked(masked)
        }
    }

    fn shown(&self) -> &str {
        match self {
            Word::Text(text) | Word::Masked(text) => text,
            Word::Any => "<*>",
        }
    }
}

/// Words a message is cut to at most (the rest is one more word): a long line still
/// compares by its opening.
const MAX_WORDS: usize = 40;
/// The share of words a message must have in common with a template to join it.
const SIMILARITY: f64 = 0.5;
/// Templates kept per (word count, leading word); past it a message joins its closest.
const MAX_PER_GROUP: usize = 100;

struct Cluster {
    words: Vec<Word>,
    count: u64,
    times: Vec<EpochMillis>,
    example: String,
}

/// Templates mined so far.
#[derive(Default)]
pub struct Miner {
    clusters: Vec<Cluster>,
    groups: HashMap<(usize, String), Vec<usize>>,
    messages: u64,
}

/// One template and the messages it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Its words, variable ones masked (`<num>`, `<path>`…) or `<*>`.
    pub template: String,
    pub count: u64,
    /// Of the messages mined (0 to 1).
    pub share: f64,
    /// Messages per equal slice of the range, oldest first.
    pub sparkline: Vec<u32>,
    /// A message it holds, as written.
    pub example: String,
    /// The Lucene clause that finds its messages: its fixed words as phrases on the
    /// message field (`None`: nothing fixed to search for).
    pub clause: Option<String>,
}

impl Pattern {
    /// The filter pill that keeps only this template's messages (`negated`: that leaves
    /// them out); `None` when nothing in it is fixed to search for.
    pub fn pill(&self, negated: bool) -> Option<Pill> {
        let clause = self.clause.clone()?;
        Some(Pill::new(Match::Query(clause), negated))
    }
}

impl Miner {
    pub fn new() -> Miner {
        Miner::default()
    }

    /// How many messages were mined.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Adds a message logged at `time`.
    pub fn add(&mut self, message: &str, time: EpochMillis) {
        self.messages += 1;
        let first_line = message.lines().next().unwrap_or("");
        let words = cut(first_line);
        let key = (
            words.len(),
            match words.first() {
                Some(Word::Text(first)) => first.clone(),
                _ => String::new(),
            },
        );
        let group = self.groups.entry(key).or_default();
        let best = group
            .iter()
            .map(|&at| (at, similarity(&self.clusters[at].words, &words)))
            .max_by(|(a, sa), (b, sb)| {
                sa.total_cmp(sb).then_with(|| {
                    wildcards(&self.clusters[*a].words).cmp(&wildcards(&self.clusters[*b].words))
                })
            });
        match best {
            Some((at, similar)) if similar >= SIMILARITY || group.len() >= MAX_PER_GROUP => {
                let cluster = &mut self.clusters[at];
                for (kept, word) in cluster.words.iter_mut().zip(&words) {
                    if kept != word {
                        *kept = Word::Any;
                    }
                }
                cluster.count += 1;
                cluster.times.push(time);
            }
            _ => {
                group.push(self.clusters.len());
                self.clusters.push(Cluster {
                    words,
                    count: 1,
                    times: vec![time],
                    example: first_line.to_string(),
                });
            }
        }
    }

    /// The templates, most messages first, each with its sparkline over `range` in
    /// `slices` slices and the clause that finds it in `message_field`.
    pub fn patterns(
        &self,
        message_field: &str,
        range: (EpochMillis, EpochMillis),
        slices: usize,
    ) -> Vec<Pattern> {
        let total = self.messages.max(1) as f64;
        let mut out: Vec<Pattern> = self
            .clusters
            .iter()
            .map(|cluster| Pattern {
                template: cluster
                    .words
                    .iter()
                    .map(Word::shown)
                    .collect::<Vec<_>>()
                    .join(" "),
                count: cluster.count,
                share: cluster.count as f64 / total,
                sparkline: sparkline(&cluster.times, range, slices),
                example: cluster.example.clone(),
                clause: clause(&cluster.words, message_field),
            })
            .collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
        });
        out
    }
}

/// A line's words, masked, at most [`MAX_WORDS`] (the rest joined into the last).
fn cut(line: &str) -> Vec<Word> {
    let originals = mask::words(line);
    let mut words: Vec<Word> = originals
        .iter()
        .take(MAX_WORDS)
        .map(|original| Word::of(original, mask::mask(original)))
        .collect();
    if originals.len() > MAX_WORDS {
        words.push(Word::Any);
    }
    words
}

/// The share of positions where the template holds the message's word (`<*>` holds none).
fn similarity(template: &[Word], words: &[Word]) -> f64 {
    if words.is_empty() {
        return 1.0;
    }
    let same = template
        .iter()
        .zip(words)
        .filter(|(kept, word)| **kept != Word::Any && kept == word)
        .count();
    same as f64 / words.len() as f64
}

fn wildcards(words: &[Word]) -> usize {
    words.iter().filter(|w| **w == Word::Any).count()
}

/// Counts of `times` in `slices` equal slices of `range` (times outside it are left out).
fn sparkline(
    times: &[EpochMillis],
    (from, to): (EpochMillis, EpochMillis),
    slices: usize,
) -> Vec<u32> {
    let mut out = vec![0u32; slices];
    let span = (to - from).max(1) as i128;
    for &time in times {
        if slices == 0 || time < from || time > to {
            continue;
        }
        let at = ((time - from) as i128 * slices as i128 / (span + 1)) as usize;
        out[at.min(slices - 1)] += 1;
    }
    out
}

/// Each run of fixed words (with a letter or digit among them) as a phrase on `field`,
/// joined with `AND`.
fn clause(words: &[Word], field: &str) -> Option<String> {
    let field = escape_field(field);
    let mut phrases = Vec::new();
    for run in words.split(|word| !matches!(word, Word::Text(_))) {
        let text = run.iter().map(Word::shown).collect::<Vec<_>>().join(" ");
        if text.chars().any(char::is_alphanumeric) {
            phrases.push(format!("{field}:\"{}\"", escape_phrase(&text)));
        }
    }
    (!phrases.is_empty()).then(|| phrases.join(" AND "))
}
