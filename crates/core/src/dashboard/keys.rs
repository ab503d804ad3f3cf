//! The dashboard's keys: one map from a key to what it does, which the page follows and
//! its `?` list shows, so the two cannot drift apart. No key but Esc acts while the
//! reader types in a box (a query holds `/`, `[` and `j`); with Ctrl, Alt or Meta held a
//! key is the browser's.

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Focus the query box.
    FocusQuery,
    /// Close what is open, and leave the box being typed in.
    Close,
    /// Show or hide the list of keys.
    Help,
    /// Select the next (newer) line of the stream.
    Next,
    /// Select the previous (older) line.
    Previous,
    /// Open the selected line's details.
    Open,
    /// Follow the stream's newest line, or stop.
    ToggleFollow,
    /// Resume following.
    Follow,
    /// Move the range one span back.
    Earlier,
    /// Move the range one span forward.
    Later,
}

/// Every key, as the `?` list shows it: (key, what it does).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("/", "focus the query box"),
    (
        "Enter",
        "run the query (in the query box); open the selected line",
    ),
    ("Esc", "close what is open, leave the box you type in"),
    (
        "j / k",
        "select the next (newer) / previous (older) line of the stream",
    ),
    ("o", "open the selected line"),
    ("f", "follow the newest line, or stop"),
    ("End", "resume following the stream"),
    ("[ / ]", "move the range one span back / forward"),
    ("?", "show these keys"),
];

/// What `key` (as the browser names it) does, if anything.
pub fn action(key: &str, typing: bool, modified: bool) -> Option<KeyAction> {
    if modified {
        return None;
    }
    if key == "Escape" {
        return Some(KeyAction::Close);
    }
    if typing {
        return None;
    }
    Some(match key {
        "/" => KeyAction::FocusQuery,
        "?" => KeyAction::Help,
        "j" => KeyAction::Next,
        "k" => KeyAction::Previous,
        "o" | "Enter" => KeyAction::Open,
        "f" => KeyAction::ToggleFollow,
        "End" => KeyAction::Follow,
        "[" => KeyAction::Earlier,
        "]" => KeyAction::Later,
        _ => return None,
    })
}

/// The selection after a step (`+1` newer, `-1` older) among `len` lines (oldest first):
/// with nothing selected, a step selects the newest line; steps stop at either end.
pub fn step(selected: Option<usize>, len: usize, by: isize) -> Option<usize> {
    let last = len.checked_sub(1)?;
    Some(match selected {
        None => last,
        Some(at) => at.min(last).saturating_add_signed(by).min(last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_in_the_list_acts_and_none_acts_while_typing_but_esc() {
        for key in ["/", "?", "j", "k", "o", "Enter", "f", "End", "[", "]"] {
            assert!(action(key, false, false).is_some(), "{key}");
            assert_eq!(action(key, true, false), None, "{key} while typing");
            assert_eq!(action(key, false, true), None, "{key} with Ctrl");
        }
        assert_eq!(action("Escape", true, false), Some(KeyAction::Close));
        assert_eq!(action("x", false, false), None);
        let listed: String = SHORTCUTS.iter().map(|(key, _)| *key).collect();
        for key in [
            "/", "Enter", "Esc", "j", "k", "o", "f", "End", "[", "]", "?",
        ] {
            assert!(listed.contains(key), "{key} is not listed");
        }
    }

    #[test]
    fn steps_start_at_the_newest_line_and_stop_at_the_ends() {
        assert_eq!(step(None, 0, 1), None);
        assert_eq!(step(None, 5, -1), Some(4));
        assert_eq!(step(None, 5, 1), Some(4));
        assert_eq!(step(Some(4), 5, -1), Some(3));
        assert_eq!(step(Some(0), 5, -1), Some(0));
        assert_eq!(step(Some(4), 5, 1), Some(4));
        // lines dropped under the selection: it stays within them
        assert_eq!(step(Some(9), 5, -1), Some(3));
    }
}
