//! The fixtures are CPython 3.11's own `traceback.format_exc()` of `fixtures`' small app
//! (paths renamed to `/srv/app` and `/usr/local`).

use serde_json::json;

use super::traceback::{lines, Folded, LineKind, Link, Traceback};
use super::*;

const SIMPLE: &str = include_str!("fixtures/simple.txt");
const CAUSE: &str = include_str!("fixtures/library_raised_cause.txt");
const DURING: &str = include_str!("fixtures/during_handling.txt");

#[test]
fn a_simple_traceback_reads_as_frames_and_its_exception() {
    let traced = Traceback::parse(SIMPLE).expect("a traceback");
    assert_eq!(traced.exceptions.len(), 1);
    let raised = traced.raised();
    assert_eq!(raised.kind, "ZeroDivisionError");
    assert_eq!(raised.message, "division by zero");
    assert_eq!(raised.frames.len(), 3);
    let charge = &raised.frames[2];
    assert_eq!(
        (charge.file.as_str(), charge.line, charge.function.as_str()),
        ("/srv/app/shop/pay.py", 7, "charge")
    );
    // the ~~~^~~~ marker line is not taken for the code
    assert_eq!(
        charge.code.as_deref(),
        Some(r#"return order["amount"] / order["qty"]"#)
    );
    assert_eq!(raised.frames[1].function, "<lambda>");
    assert_eq!(traced.summary(), "ZeroDivisionError: division by zero");
    assert_eq!(
        traced.innermost_app_frame().map(|f| f.shown()),
        Some("pay.py:7 in charge".into())
    );
}

#[test]
fn a_cause_chain_keeps_both_exceptions_and_places_a_library_error_in_the_app() {
    let traced = Traceback::parse(CAUSE).expect("a traceback");
    let kinds: Vec<&str> = traced.exceptions.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["json.decoder.JSONDecodeError", "ValueError"]);
    assert_eq!(traced.exceptions[1].link, Some(Link::Cause));
    let first = &traced.exceptions[0];
    assert!(
        first.message.starts_with("Expecting property name"),
        "{}",
        first.message
    );
    let library: Vec<bool> = first.frames.iter().map(|f| f.is_library()).collect();
    assert_eq!(library, [false, false, true, true, true]);
    // the message's own line break is kept; the summary is its first line
    assert_eq!(traced.raised().message, "bad order body:\n{oops");
    assert_eq!(traced.summary(), "ValueError: bad order body:");
    assert_eq!(
        traced.innermost_app_frame().map(|f| f.shown()),
        Some("pay.py:13 in handler".into())
    );
}

#[test]
fn during_handling_links_the_exceptions() {
    let traced = Traceback::parse(DURING).expect("a traceback");
    assert_eq!(traced.exceptions.len(), 2);
    assert_eq!(traced.exceptions[0].kind, "KeyError");
    assert_eq!(traced.exceptions[0].message, "'missing'");
    assert_eq!(traced.exceptions[1].link, Some(Link::During));
    assert_eq!(traced.raised().frames.len(), 4);
    assert_eq!(traced.summary(), "ZeroDivisionError: division by zero");
}

#[test]
fn other_forms_and_text_that_is_no_traceback() {
    // text before it, an exception without a message, an old frame form, repeats
    let text = "request failed\nTraceback (most recent call last):\n  File \"x.py\", line 3\n  \
        File \"/usr/lib/python3.12/site-packages/a.py\", line 9, in f\n    f()\n  \
        [Previous line repeated 996 more times]\nStopIteration\n";
    let traced = Traceback::parse(text).expect("a traceback");
    assert_eq!(traced.summary(), "StopIteration");
    assert_eq!(traced.raised().frames[0].function, "<module>");
    assert_eq!(traced.raised().frames[1].code.as_deref(), Some("f()"));
    assert_eq!(
        traced.innermost_app_frame().map(|f| f.shown()),
        Some("x.py:3 in <module>".into())
    );
    assert_eq!(Traceback::parse("all is well"), None);
    assert_eq!(Traceback::parse("Traceback (most recent call last):"), None);
    let windows = "Traceback (most recent call last):\n  File \"C:\\app\\main.py\", line 1, in <module>\nOSError: [Errno 2] x\n";
    let traced = Traceback::parse(windows).expect("a traceback");
    assert_eq!(traced.raised().frames[0].shown(), "main.py:1 in <module>");
    assert_eq!(traced.summary(), "OSError: [Errno 2] x");
}

fn event(id: &str, time: EpochMillis, source: Value) -> Sampled {
    Sampled {
        index: "logs".into(),
        id: id.into(),
        time,
        source,
    }
}

#[test]
fn errors_group_by_type_and_innermost_app_frame() {
    let events = [
        // the classic layout, then ECS, then a traceback in the message itself
        event(
            "a",
            100,
            json!({"message": "charge failed", "extra": {"stack_trace": SIMPLE, "error_type": "ZeroDivisionError"}}),
        ),
        event(
            "b",
            300,
            json!({"message": "charge failed again", "error": {"stack_trace": SIMPLE.replace("line 7,", "line 8,"), "type": "ZeroDivisionError"}}),
        ),
        event("c", 200, json!({"message": format!("boom\n{DURING}")})),
        event(
            "d",
            50,
            json!({"message": "bad order", "error": {"stack_trace": CAUSE, "type": "ValueError"}}),
        ),
        event(
            "e",
            60,
            json!({"message": "quota exceeded", "error": {"type": "QuotaError"}}),
        ),
        event("f", 70, json!({"message": "all fine"})),
    ];
    let groups = groups(&events, "message", (0, 399), 4);
    let shown: Vec<(&str, Option<&str>, u64)> = groups
        .iter()
        .map(|g| (g.kind.as_str(), g.frame.as_deref(), g.count))
        .collect();
    assert_eq!(
        shown,
        [
            ("ZeroDivisionError", Some("pay.py:7 in charge"), 3),
            // as many: the newest first
            ("QuotaError", None, 1),
            ("ValueError", Some("pay.py:13 in handler"), 1),
        ]
    );
    let zero = &groups[0];
    assert_eq!((zero.first, zero.last), (100, 300));
    assert_eq!(zero.sparkline, [0, 1, 1, 1]);
    assert_eq!(zero.latest, "ZeroDivisionError: division by zero");
    // its events came in three layouts: each found by its own fields
    let clauses: Vec<&str> = zero.clause.split(" OR ").collect();
    assert_eq!(
        clauses,
        [
            r#"(extra.error_type:"ZeroDivisionError" AND extra.stack_trace:"File \"/srv/app/shop/pay.py\"" AND extra.stack_trace:"in charge")"#,
            r#"(error.type:"ZeroDivisionError" AND error.stack_trace:"File \"/srv/app/shop/pay.py\"" AND error.stack_trace:"in charge")"#,
            r#"(message:"ZeroDivisionError" AND message:"File \"/srv/app/shop/pay.py\"" AND message:"in charge")"#,
        ]
    );
    assert_eq!(groups[1].clause, r#"error.type:"QuotaError""#);
    assert_eq!(groups[1].latest, "quota exceeded");
}

#[test]
fn the_errors_query_finds_every_layout() {
    let query = errors_search(&Search::text("service.name:shop"), "message").lucene();
    assert!(
        query.starts_with("(service.name:shop) AND (_exists_:error.stack_trace OR "),
        "{query}"
    );
    assert!(query.contains("_exists_:extra.error_type"), "{query}");
    assert!(
        query.ends_with(r#"message:"Traceback (most recent call last)")"#),
        "{query}"
    );
    assert_eq!(source_fields("msg")[0], "msg");
}

#[test]
fn a_traceback_folds_to_its_raised_exception_and_frame_count() {
    let folded = |text: &str| Folded::of(text).map(|f| f.shown());
    assert_eq!(
        folded(SIMPLE).as_deref(),
        Some("ZeroDivisionError: division by zero · 3 frames")
    );
    // a chain folds to the exception raised out, its message's first line
    assert_eq!(
        folded(CAUSE).as_deref(),
        Some("ValueError: bad order body: · 3 frames")
    );
    assert_eq!(
        folded(DURING).as_deref(),
        Some("ZeroDivisionError: division by zero · 4 frames")
    );
    assert_eq!(folded("no traceback here"), None);
    let event = json!({"message": "charge failed", "error": {"stack_trace": SIMPLE}});
    assert_eq!(
        folded_of(&event, "charge failed").map(|f| f.frames),
        Some(3)
    );
    let in_message = format!("charge failed\n{SIMPLE}");
    assert_eq!(
        folded_of(&json!({}), &in_message).map(|f| f.frames),
        Some(3)
    );
    assert_eq!(folded_of(&json!({}), "fine"), None);
}

#[test]
fn each_line_of_a_traceback_is_told_apart_for_showing() {
    let kinds: Vec<LineKind> = lines(CAUSE).into_iter().map(|(kind, _)| kind).collect();
    use LineKind::*;
    assert_eq!(
        kinds,
        [
            Header,
            AppFrame,
            Code,
            AppFrame,
            Code,
            LibraryFrame,
            Code,
            LibraryFrame,
            Code,
            LibraryFrame,
            Code,
            Exception,
            Header,
            Header,
            AppFrame,
            Code,
            AppFrame,
            Code,
            AppFrame,
            Code,
            Exception,
            Exception,
        ]
    );
    assert_eq!(lines(CAUSE).last().map(|(_, line)| *line), Some("{oops"));
    assert!(lines("no traceback").is_empty());
}
