//! Saved queries: a name and a dashboard view (its URL query string), checked the same way
//! by the server's `/api/saved-queries`, the browser's local fallback, and file import.

use serde::{Deserialize, Serialize};

use crate::view::ViewState;

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest view state, in bytes of its query string.
pub const MAX_STATE_BYTES: usize = 8 * 1024;
/// Most saved queries one store keeps (and one import file may hold).
pub const MAX_QUERIES: usize = 1_000;

/// What a client sends to create or change a saved query; anything else is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedQueryInput {
    pub name: String,
    /// The dashboard's view as its URL query string (`q=level:error&from=now-1h`).
    pub state: String,
}

/// A stored saved query; the server assigns `id` and the times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedQuery {
    pub id: String,
    pub name: String,
    pub state: String,
    /// ISO 8601 UTC.
    pub created: String,
    /// ISO 8601 UTC.
    pub updated: String,
}

/// The export file: what "Export" downloads and "Import" reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// Always "logdash saved queries", so a wrong file is recognised.
    pub kind: String,
    pub version: u32,
    pub queries: Vec<SavedQueryInput>,
}

pub const EXPORT_KIND: &str = "logdash saved queries";

impl ExportFile {
    pub fn new(queries: &[SavedQuery]) -> Self {
        Self {
            kind: EXPORT_KIND.to_string(),
            version: 1,
            queries: queries
                .iter()
                .map(|q| SavedQueryInput {
                    name: q.name.clone(),
                    state: q.state.clone(),
                })
                .collect(),
        }
    }

    /// Reads an export file; every query in it is checked like a new one.
    pub fn parse(text: &str) -> Result<Vec<SavedQueryInput>, String> {
        let file: ExportFile = serde_json::from_str(text)
            .map_err(|err| format!("not a logdash saved-queries file: {err}"))?;
        if file.kind != EXPORT_KIND || file.version != 1 {
            return Err(format!(
                "not a logdash saved-queries file (kind [{}], version {})",
                file.kind, file.version
            ));
        }
        if file.queries.len() > MAX_QUERIES {
            return Err(format!(
                "the file holds {} queries; at most {MAX_QUERIES} can be imported",
                file.queries.len()
            ));
        }
        file.queries.into_iter().map(validate).collect()
    }
}

/// Checks a name and a view, and returns them in their stored form: the name trimmed,
/// the view in its canonical query string.
pub fn validate(input: SavedQueryInput) -> Result<SavedQueryInput, String> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err("[name] must not be empty".to_string());
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(format!(
            "[name] is {chars} characters long; at most {MAX_NAME_CHARS} are allowed"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("[name] must not contain control characters".to_string());
    }
    if input.state.len() > MAX_STATE_BYTES {
        return Err(format!(
            "[state] is {} bytes long; at most {MAX_STATE_BYTES} are allowed",
            input.state.len()
        ));
    }
    let state = ViewState::from_query(input.state.trim_start_matches('?')).to_query();
    Ok(SavedQueryInput { name, state })
}

/// The view a short link stores, in its canonical form: refused (with what was wrong)
/// when too long or when the view could not take one of its parameters.
pub fn short_link_state(state: &str) -> Result<String, String> {
    if state.len() > MAX_STATE_BYTES {
        return Err(format!(
            "[state] is {} bytes long; at most {MAX_STATE_BYTES} are allowed",
            state.len()
        ));
    }
    let (view, notices) = ViewState::read_link(state.trim_start_matches('?'));
    match notices.first() {
        Some(notice) => Err(format!("[state]: {}", notice.message)),
        None => Ok(view.to_query()),
    }
}

/// Saved queries in the order a list shows them: by name, case-insensitively.
pub fn sort_for_list(queries: &mut [SavedQuery]) {
    queries.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// What a change did, as its answers said: queries saved (new or changed) and ids deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    pub saved: Vec<SavedQuery>,
    pub deleted: Vec<String>,
    /// What to tell people of the change beside the list (an import that left some out).
    pub note: Option<String>,
}

impl Changed {
    /// The list read back after the change, with the change in it: a cluster may answer the
    /// read from a copy that has not caught up with the write it just acknowledged.
    pub fn applied_to(&self, mut listed: Vec<SavedQuery>) -> Vec<SavedQuery> {
        listed.retain(|q| !self.deleted.contains(&q.id));
        for saved in &self.saved {
            match listed.iter_mut().find(|q| q.id == saved.id) {
                Some(kept) if kept.updated > saved.updated => {}
                Some(kept) => *kept = saved.clone(),
                None => listed.push(saved.clone()),
            }
        }
        sort_for_list(&mut listed);
        listed
    }
}

/// A list kept without a server (the browser's storage), changed by the same rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalList(pub Vec<SavedQuery>);

impl LocalList {
    /// Reads a stored list; a damaged one reads as empty rather than breaking the page.
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// Adds a checked query (or changes the one with `id`); returns what was stored.
    pub fn save(
        &mut self,
        id: Option<&str>,
        input: SavedQueryInput,
        new_id: String,
        now: String,
    ) -> Result<SavedQuery, String> {
        let input = validate(input)?;
        if let Some(id) = id {
            let query = self
                .0
                .iter_mut()
                .find(|q| q.id == id)
                .ok_or_else(|| format!("there is no saved query [{id}]"))?;
            query.name = input.name;
            query.state = input.state;
            query.updated = now;
            return Ok(query.clone());
        }
        if self.0.len() >= MAX_QUERIES {
            return Err(format!(
                "there are already {MAX_QUERIES} saved queries; delete some first"
            ));
        }
        let query = SavedQuery {
            id: new_id,
            name: input.name,
            state: input.state,
            created: now.clone(),
            updated: now,
        };
        self.0.push(query.clone());
        sort_for_list(&mut self.0);
        Ok(query)
    }

    pub fn delete(&mut self, id: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|q| q.id != id);
        self.0.len() < before
    }
}

/// Whether a saved query other than `except` (its id) is already named `name` (names are
/// compared trimmed and without case: "Errors" and "errors " are one name to people).
pub fn name_taken(existing: &[SavedQuery], name: &str, except: Option<&str>) -> bool {
    let name = name.trim().to_lowercase();
    existing
        .iter()
        .any(|q| Some(q.id.as_str()) != except && q.name.trim().to_lowercase() == name)
}

/// The queries of an import not already saved (the same name and view), each once:
/// importing a file twice adds nothing the second time. Returns them, and how many were
/// left out.
pub fn new_imports(
    existing: &[SavedQuery],
    inputs: Vec<SavedQueryInput>,
) -> (Vec<SavedQueryInput>, usize) {
    let mut seen: Vec<(String, String)> = existing
        .iter()
        .map(|q| (q.name.trim().to_string(), canonical_state(&q.state)))
        .collect();
    let total = inputs.len();
    let mut fresh = Vec::new();
    for input in inputs {
        let key = (input.name.trim().to_string(), canonical_state(&input.state));
        if !seen.contains(&key) {
            seen.push(key);
            fresh.push(input);
        }
    }
    let skipped = total - fresh.len();
    (fresh, skipped)
}

fn canonical_state(state: &str) -> String {
    ViewState::from_query(state.trim_start_matches('?')).to_query()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, state: &str) -> SavedQueryInput {
        SavedQueryInput {
            name: name.to_string(),
            state: state.to_string(),
        }
    }

    #[test]
    fn names_are_trimmed_and_views_made_canonical() {
        let saved = validate(input(
            "  Errors today ",
            "?q=level:error&bogus=1&from=now-24h",
        ));
        assert_eq!(
            saved,
            Ok(input("Errors today", "q=level:error&from=now-24h"))
        );
    }

    #[test]
    fn a_short_link_stores_a_whole_canonical_view_or_nothing() {
        assert_eq!(
            short_link_state("?refresh=10&q=level:error+AND+x"),
            Ok("q=level:error+AND+x&refresh=10".to_string())
        );
        let refused = short_link_state("q=a&bogus=1").expect_err("refused");
        assert!(refused.contains("[bogus]"), "{refused}");
        let long = format!("q={}", "x".repeat(MAX_STATE_BYTES));
        assert!(short_link_state(&long)
            .expect_err("refused")
            .contains("at most"));
    }

    #[test]
    fn bad_names_and_states_are_refused_with_the_rule() {
        let cases = [
            (input("   ", ""), "[name] must not be empty"),
            (input(&"x".repeat(121), ""), "at most 120"),
            (input("a\u{0}b", ""), "control characters"),
            (input("big", &"q=x".repeat(3000)), "[state] is 9000 bytes"),
        ];
        for (case, needle) in cases {
            let err = validate(case).expect_err("refused");
            assert!(err.contains(needle), "{err}");
        }
        // names are text: markup is kept as typed and shown as text
        assert!(validate(input("<img src=x onerror=alert(1)>", "")).is_ok());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<SavedQueryInput>(r#"{"name":"a","state":"","id":"x"}"#)
            .expect_err("refused");
        assert!(err.to_string().contains("unknown field `id`"), "{err}");
    }

    #[test]
    fn export_files_round_trip_and_wrong_files_are_named() {
        let queries = vec![SavedQuery {
            id: "id1".into(),
            name: "Slow".into(),
            state: "q=extra.response_time_ms:%3E500".into(),
            created: "2026-11-25T10:00:00.000Z".into(),
            updated: "2026-11-25T10:00:00.000Z".into(),
        }];
        let text = serde_json::to_string(&ExportFile::new(&queries)).unwrap_or_default();
        assert_eq!(
            ExportFile::parse(&text),
            Ok(vec![input("Slow", "q=extra.response_time_ms:%3E500")])
        );
        assert!(ExportFile::parse("[]")
            .expect_err("refused")
            .contains("not a logdash saved-queries file"));
        let wrong = r#"{"kind":"grafana","version":1,"queries":[]}"#;
        assert!(ExportFile::parse(wrong)
            .expect_err("refused")
            .contains("kind [grafana]"));
    }

    #[test]
    fn a_local_list_saves_renames_and_deletes_by_the_same_rules() {
        let mut list = LocalList::parse("not json");
        assert_eq!(list, LocalList::default());
        let now = || "2026-11-25T10:00:00.000Z".to_string();
        let saved = list
            .save(None, input(" b ", "q=x"), "id-b".into(), now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.name, "b");
        list.save(None, input("a", ""), "id-a".into(), now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.0[0].id, "id-a");
        assert!(list.save(None, input("", ""), "x".into(), now()).is_err());
        let renamed = list
            .save(Some("id-b"), input("c", "q=x"), "unused".into(), now())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((renamed.id.as_str(), renamed.name.as_str()), ("id-b", "c"));
        assert!(list
            .save(Some("gone"), input("c", ""), "x".into(), now())
            .is_err());
        let text = serde_json::to_string(&list).unwrap_or_default();
        assert_eq!(LocalList::parse(&text), list);
        assert!(list.delete("id-a"));
        assert!(!list.delete("id-a"));
        assert_eq!(list.0.len(), 1);
    }

    #[test]
    fn lists_sort_by_name_ignoring_case() {
        let make = |id: &str, name: &str| SavedQuery {
            id: id.into(),
            name: name.into(),
            state: String::new(),
            created: String::new(),
            updated: String::new(),
        };
        let mut list = vec![make("1", "b"), make("2", "A"), make("3", "a")];
        sort_for_list(&mut list);
        let names: Vec<&str> = list.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(names, ["2", "3", "1"]);
    }

    #[test]
    fn a_change_shows_in_a_list_read_before_the_cluster_caught_up() {
        let query = |id: &str, name: &str, updated: &str| SavedQuery {
            id: id.into(),
            name: name.into(),
            state: "q=a".into(),
            created: "2026-12-04T10:00:00.000Z".into(),
            updated: updated.into(),
        };
        let listed = vec![
            query("b", "Beta", "2026-12-04T10:00:00.000Z"),
            query("gone", "Gone", "2026-12-04T10:00:00.000Z"),
        ];
        let changed = Changed {
            saved: vec![
                query("a", "Alpha", "2026-12-04T11:00:00.000Z"),
                query("b", "Beta 2", "2026-12-04T11:00:00.000Z"),
            ],
            deleted: vec!["gone".into()],
            note: None,
        };
        let shown = changed.applied_to(listed);
        let names: Vec<&str> = shown.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Beta 2"]);
        // a list that has caught up (or moved on) is kept as it is
        let newer = vec![query("b", "Beta 3", "2026-12-04T12:00:00.000Z")];
        let shown = Changed::default().applied_to(newer.clone());
        assert_eq!(shown, newer);
        let shown = changed.applied_to(newer);
        assert_eq!(
            shown.iter().find(|q| q.id == "b").map(|q| q.name.as_str()),
            Some("Beta 3")
        );
    }

    #[test]
    fn a_name_is_taken_whatever_its_case_and_spaces_but_not_by_itself() {
        let query = |id: &str, name: &str| SavedQuery {
            id: id.into(),
            name: name.into(),
            state: "q=a".into(),
            created: String::new(),
            updated: String::new(),
        };
        let existing = vec![query("a", "Errors"), query("b", "Slow")];
        assert!(name_taken(&existing, " errors ", None));
        assert!(
            !name_taken(&existing, "Errors", Some("a")),
            "renaming keeps its own name"
        );
        assert!(name_taken(&existing, "slow", Some("a")));
        assert!(!name_taken(&existing, "Other", None));
    }

    #[test]
    fn importing_a_file_twice_adds_nothing_the_second_time() {
        let input = |name: &str, state: &str| SavedQueryInput {
            name: name.into(),
            state: state.into(),
        };
        let existing = vec![SavedQuery {
            id: "a".into(),
            name: "Errors".into(),
            state: "q=level:ERROR".into(),
            created: String::new(),
            updated: String::new(),
        }];
        let file = vec![
            input("Errors", "?q=level:ERROR"),
            input("Errors", "q=level:WARN"),
            input("Slow", "q=extra.response_time_ms:>500"),
            input("Slow", "q=extra.response_time_ms:>500"),
        ];
        let (fresh, skipped) = new_imports(&existing, file);
        let names: Vec<(&str, &str)> = fresh
            .iter()
            .map(|q| (q.name.as_str(), q.state.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Errors", "q=level:WARN"),
                ("Slow", "q=extra.response_time_ms:>500")
            ]
        );
        assert_eq!(skipped, 2);
    }
}
