//! Text as the dashboard shows it. A log line is shown as the characters it holds, so the
//! characters that would act instead of showing are made visible: C0 and C1 controls (the
//! ESC of an ANSI colour) as their Unicode control pictures (`␛[31m`), and the
//! bidirectional overrides, embeddings and isolates, which would reorder the rest of the
//! line (`gnp.exe` shown as `exe.png`), as their code point (`[U+202E]`). Line breaks and
//! tabs stay as they are. Applying it twice changes nothing.

use std::borrow::Cow;

/// `text` with its acting characters made visible (borrowed when it has none).
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !acts(c) => out.push(c),
            // C0: the control pictures block holds one picture for each, in order
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            other => out.push_str(&format!("[U+{:04X}]", other as u32)),
        }
    }
    Cow::Owned(out)
}

/// [`visible`] of an owned string, keeping it when nothing acts.
pub fn visible_owned(text: String) -> String {
    match visible(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(shown) => shown,
    }
}

/// Whether a character acts on the text around it instead of showing.
fn acts(c: char) -> bool {
    match c {
        '\n' | '\t' | '\r' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        // bidirectional marks, embeddings, overrides and isolates
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acting_characters_are_shown_and_the_rest_is_left_alone() {
        assert!(matches!(visible("plain text, ünïcode ✓"), Cow::Borrowed(_)));
        assert_eq!(visible("\u{1b}[31mred\u{1b}[0m"), "␛[31mred␛[0m");
        assert_eq!(visible("\u{202e}gnp.exe"), "[U+202E]gnp.exe");
        assert_eq!(visible("a\u{2066}b\u{2069}"), "a[U+2066]b[U+2069]");
        assert_eq!(visible("nul\u{0}del\u{7f}c1\u{85}"), "nul␀del␡c1[U+0085]");
        assert_eq!(visible("line 1\nline 2\ttab"), "line 1\nline 2\ttab");
    }

    #[test]
    fn twice_is_once() {
        for text in ["\u{1b}[0m", "\u{202e}x", "\u{0}\u{85}\u{200f}", "ok"] {
            let once = visible(text).into_owned();
            assert_eq!(visible(&once), once);
        }
    }
}
