//! How far behind the newest line is, said honestly: how old it is now, and how long after
//! it was logged (`@timestamp`) it arrived. Seconds behind at arrival is what
//! python-logstash-async's batching looks like: the note says so, and how to lower it.

use crate::time::{human_duration, EpochMillis};

/// Behind by this much at arrival, a line was held back on its way (a batch, a queue).
pub const HELD_BACK_MS: EpochMillis = 3_000;

/// Tracks when live lines arrive: the newest line's time against the moment the dashboard
/// learned of it. Lines read when a view opens are history, not arrivals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arrivals {
    view: String,
    newest: Option<EpochMillis>,
    /// How long after it was logged the newest line arrived.
    pub behind_ms: Option<EpochMillis>,
}

impl Arrivals {
    /// The stream of `view` holds lines up to `newest` at `now`: a newer line than before,
    /// in the same view, is an arrival.
    pub fn saw(&mut self, view: &str, newest: Option<EpochMillis>, now: EpochMillis) {
        if self.view != view {
            *self = Arrivals {
                view: view.to_string(),
                newest,
                behind_ms: None,
            };
            return;
        }
        if let (Some(before), Some(newest)) = (self.newest, newest) {
            if newest > before {
                self.behind_ms = Some((now - newest).max(0));
            }
        }
        self.newest = newest.max(self.newest);
    }
}

/// The status line's word on freshness: "updated 10:00:01 · newest event 2.4 s old"
/// and, once a line arrived live, "· arrived 9.8 s after it was logged".
pub fn freshness(
    updated: &str,
    age_ms: Option<EpochMillis>,
    behind_ms: Option<EpochMillis>,
) -> String {
    let mut said = format!("updated {updated}");
    if let Some(age) = age_ms {
        said.push_str(&format!(" · newest event {} old", human_duration(age)));
    }
    if let Some(behind) = behind_ms {
        said.push_str(&format!(
            " · arrived {} after it was logged",
            human_duration(behind)
        ));
    }
    said
}

/// What the stream says when lines arrive seconds after they were logged.
pub fn held_back_note(behind_ms: Option<EpochMillis>) -> Option<String> {
    let behind = behind_ms.filter(|behind| *behind >= HELD_BACK_MS)?;
    Some(format!(
        "Lines arrive {} after they are logged. python-logstash-async sends in batches, \
         every QUEUED_EVENTS_FLUSH_INTERVAL seconds (10 by default): set \
         logstash_async.constants.QUEUED_EVENTS_FLUSH_INTERVAL = 1 before creating the \
         handler to see them sooner.",
        human_duration(behind)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_arriving_live_are_measured() {
        let mut arrivals = Arrivals::default();
        // the view opens on history an hour old: not an arrival
        arrivals.saw("a", Some(1_000), 3_601_000);
        assert_eq!(arrivals.behind_ms, None);
        arrivals.saw("a", Some(1_000), 3_602_000);
        assert_eq!(arrivals.behind_ms, None);
        // a line logged at 3,600,000 arrives at 3,609,800: 9.8 s behind
        arrivals.saw("a", Some(3_600_000), 3_609_800);
        assert_eq!(arrivals.behind_ms, Some(9_800));
        // another view starts afresh
        arrivals.saw("b", Some(3_700_000), 3_800_000);
        assert_eq!(arrivals.behind_ms, None);
        // a clock ahead of the browser's reads as no delay
        arrivals.saw("b", Some(3_900_000), 3_899_000);
        assert_eq!(arrivals.behind_ms, Some(0));
    }

    #[test]
    fn the_status_line_and_the_note() {
        assert_eq!(freshness("10:00:01", None, None), "updated 10:00:01");
        assert_eq!(
            freshness("10:00:01", Some(2_400), Some(9_800)),
            "updated 10:00:01 · newest event 2.4 s old · arrived 9.8 s after it was logged"
        );
        assert_eq!(held_back_note(Some(900)), None);
        assert_eq!(held_back_note(None), None);
        let note = held_back_note(Some(9_800)).unwrap_or_default();
        assert!(
            note.starts_with("Lines arrive 9.8 s after they are logged."),
            "{note}"
        );
        assert!(note.contains("QUEUED_EVENTS_FLUSH_INTERVAL = 1"), "{note}");
    }
}
