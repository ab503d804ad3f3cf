//! CSV rows (RFC 4180: a cell with a comma, quote or line break is quoted, its quotes
//! doubled; rows end in CRLF), safe to open in a spreadsheet: a cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula there
//! (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`), so it gets a leading `'`,
//! which spreadsheets show as text and do not run. A plain negative number (`-12.5`)
//! stays a number; the header's `@timestamp` becomes `'@timestamp`, as any cell.

use std::borrow::Cow;

use serde_json::Value;

use crate::dashboard::tail::{lookup, text_of};

/// The header row: the column names, escaped as any cell (a field's name is data too).
pub fn header(columns: &[String]) -> String {
    line(columns.iter().map(|name| Cow::Borrowed(name.as_str())))
}

/// One event's row: each column's value (`_index` and `_id` name the hit's own; others
/// are looked up in its source, dotted names nested or flat; absent is empty; objects and
/// arrays as JSON).
pub fn row(hit: &Value, columns: &[String]) -> String {
    line(columns.iter().map(|name| {
        let value = match name.as_str() {
            "_index" | "_id" => hit.get(name),
            _ => lookup(&hit["_source"], name),
        };
        Cow::Owned(value.map(text_of).unwrap_or_default())
    }))
}

fn line<'a>(cells: impl Iterator<Item = Cow<'a, str>>) -> String {
    let mut line = String::new();
    for (i, text) in cells.enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&cell(&text));
    }
    line.push_str("\r\n");
    line
}

/// One cell: defused if a spreadsheet would run it, quoted if CSV needs it.
pub fn cell(text: &str) -> Cow<'_, str> {
    let defused = if runs_as_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    if defused.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", defused.replace('"', "\"\"")))
    } else {
        defused
    }
}

fn runs_as_formula(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_plain_number(text),
        _ => false,
    }
}

/// `-12`, `-0.5`, `-1e-3`: a number and nothing else.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (digits, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => all_digits(whole) && all_digits(fraction),
        None => all_digits(mantissa),
    };
    let exponent_ok = exponent
        .is_none_or(|exponent| all_digits(exponent.strip_prefix(['-', '+']).unwrap_or(exponent)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_a_spreadsheet_would_run_are_shown_as_text() {
        for hostile in [
            "=1+1",
            "=HYPERLINK(\"http://evil\",\"x\")",
            "+1+1",
            "@SUM(A1:A2)",
            "-2+3+cmd|' /C calc'!A0",
            "\t=1",
            "\r=1",
            "-",
            "--1",
            "-1-1",
            "-1e",
        ] {
            let out = cell(hostile);
            let inner = out
                .strip_prefix('"')
                .and_then(|o| o.strip_suffix('"'))
                .unwrap_or(&out);
            assert!(inner.starts_with('\''), "{hostile:?} became {out:?}");
        }
    }

    #[test]
    fn plain_values_and_negative_numbers_stay_as_they_are() {
        for plain in [
            "GET /api/users",
            "-12",
            "-0.5",
            "-1e-3",
            "-2E+5",
            "",
            "a=b",
            "x@y",
        ] {
            assert_eq!(cell(plain), plain);
        }
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted_with_quotes_doubled() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("Traceback\n  line 1"), "\"Traceback\n  line 1\"");
        assert_eq!(cell("=a,b"), "\"'=a,b\"");
        assert_eq!(cell("\r\n=x"), "\"'\r\n=x\"");
    }

    #[test]
    fn rows_take_source_fields_nested_or_flat_and_the_hit_s_identity() {
        let columns: Vec<String> = [
            "@timestamp",
            "_index",
            "_id",
            "http.status",
            "user.id",
            "tags",
            "absent",
        ]
        .map(String::from)
        .to_vec();
        let hit = json!({"_index": "logs", "_id": "x1", "_source": {
            "@timestamp": "2026-12-05T10:00:00.000Z",
            "http": {"status": 500},
            "user.id": "=cmd",
            "tags": ["a", "b"],
        }});
        assert_eq!(
            row(&hit, &columns),
            "2026-12-05T10:00:00.000Z,logs,x1,500,'=cmd,\"[\"\"a\"\",\"\"b\"\"]\",\r\n"
        );
        assert_eq!(
            header(&columns),
            "'@timestamp,_index,_id,http.status,user.id,tags,absent\r\n",
            "a name is a cell as any other"
        );
        assert_eq!(header(&["=evil".into()]), "'=evil\r\n");
    }
}
