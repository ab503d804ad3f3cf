//! CPython's tracebacks, as `traceback.format_exception` writes them (and so
//! python-logstash-async's `stack_trace`): each exception's frames (file, line, function,
//! source line) and its `Type: message`, chained ones in order ("During handling of the
//! above exception…", "The above exception was the direct cause…"). Python 3.11's `^^^`
//! markers and "[Previous line repeated N more times]" are read past.

/// Where a traceback starts.
const HEADER: &str = "Traceback (most recent call last):";
const DURING: &str = "During handling of the above exception, another exception occurred:";
const CAUSE: &str = "The above exception was the direct cause of the following exception:";

/// A traceback folded to one line, found cheaply (without reading every frame): the
/// raised exception's line and how many frames lead to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// `ValueError: bad input` (its message's first line).
    pub summary: String,
    pub frames: usize,
}

impl Folded {
    /// The traceback in `text` folded, if it holds one.
    pub fn of(text: &str) -> Option<Folded> {
        // the raised exception's part: after the chain's last header
        let last = &text[text.rfind(HEADER)? + HEADER.len()..];
        let mut frames = 0;
        for line in last.lines() {
            if line.trim_start().starts_with("File \"") {
                frames += 1;
            } else if !line.trim().is_empty() && !line.starts_with(char::is_whitespace) {
                return Some(Folded {
                    summary: line.trim_end().to_string(),
                    frames,
                });
            }
        }
        None
    }

    /// `ValueError: bad input · 4 frames`
    pub fn shown(&self) -> String {
        let s = if self.frames == 1 { "" } else { "s" };
        format!("{} · {} frame{s}", self.summary, self.frames)
    }
}

/// What a line of a traceback is, read on its own (cheaply, for showing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `Traceback (most recent call last):`, or the words chaining two exceptions.
    Header,
    /// A frame of the application's own code.
    AppFrame,
    /// A frame of Python's or an installed package's.
    LibraryFrame,
    /// A frame's source line.
    Code,
    /// The exception raised (`ValueError: …`), or more lines of its message.
    Exception,
}

/// The lines of the traceback in `text` (from its first header on), each with its kind;
/// Python 3.11's `^^^` markers and blank lines are left out.
pub fn lines(text: &str) -> Vec<(LineKind, &str)> {
    let Some(start) = text.find(HEADER) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text[start..].lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.chars().all(|c| matches!(c, '^' | '~' | ' ')) {
            continue;
        }
        let kind = if trimmed == HEADER || trimmed == DURING || trimmed == CAUSE {
            LineKind::Header
        } else if let Some(frame) = frame_line(trimmed) {
            if frame.is_library() {
                LineKind::LibraryFrame
            } else {
                LineKind::AppFrame
            }
        } else if line.starts_with(char::is_whitespace) {
            LineKind::Code
        } else {
            LineKind::Exception
        };
        out.push((kind, line));
    }
    out
}

/// One frame of a traceback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub file: String,
    pub line: u32,
    /// `<module>` at a module's top level.
    pub function: String,
    /// The source line, when Python could read it.
    pub code: Option<String>,
}

impl Frame {
    /// Whether the frame is Python's or an installed package's rather than the
    /// application's own code.
    pub fn is_library(&self) -> bool {
        let file = self.file.replace('\\', "/");
        file.contains("/site-packages/")
            || file.contains("/dist-packages/")
            || file.contains("/lib/python")
            || file.contains("/lib64/python")
            || file.starts_with("<frozen ")
    }

    /// `app.py:12 in charge`: the file's last part, the line and the function.
    pub fn shown(&self) -> String {
        let name = self.file.rsplit(['/', '\\']).next().unwrap_or(&self.file);
        format!("{name}:{} in {}", self.line, self.function)
    }
}

/// How an exception follows the one before it in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Raised while handling it.
    During,
    /// Raised from it (`raise … from …`).
    Cause,
}

/// One exception of a traceback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// `ValueError`, `requests.exceptions.ConnectionError`.
    pub kind: String,
    /// What follows `Type: ` (more than one line when the message has line breaks).
    pub message: String,
    pub frames: Vec<Frame>,
    /// How it follows the exception before it (`None` for the first).
    pub link: Option<Link>,
}

/// A whole traceback: its exceptions, the first raised first, the one that was raised
/// out (and logged) last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traceback {
    pub exceptions: Vec<Exception>,
}

impl Traceback {
    /// The traceback in `text`, if it holds one (a log message may have text before it).
    pub fn parse(text: &str) -> Option<Traceback> {
        let start = text.find(HEADER)?;
        let mut exceptions: Vec<Exception> = Vec::new();
        let mut current: Option<Exception> = None;
        let mut link = None;
        // the exception line read: what follows is its message's next lines
        let mut in_message = false;
        for line in text[start..].lines() {
            let trimmed = line.trim();
            if trimmed == HEADER {
                exceptions.extend(current.take());
                current = Some(Exception {
                    kind: String::new(),
                    message: String::new(),
                    frames: Vec::new(),
                    link: link.take(),
                });
                in_message = false;
                continue;
            }
            if trimmed == DURING || trimmed == CAUSE {
                link = Some(if trimmed == DURING {
                    Link::During
                } else {
                    Link::Cause
                });
                in_message = false;
                continue;
            }
            let Some(exception) = current.as_mut() else {
                continue;
            };
            if in_message {
                if !trimmed.is_empty() {
                    exception.message.push('\n');
                    exception.message.push_str(line);
                }
                continue;
            }
            if let Some(frame) = frame_line(trimmed) {
                exception.frames.push(frame);
            } else if line.starts_with(char::is_whitespace) || trimmed.is_empty() {
                let skipped = trimmed.is_empty()
                    || trimmed.chars().all(|c| matches!(c, '^' | '~' | ' '))
                    || trimmed.starts_with("[Previous line repeated");
                if let (false, Some(frame)) = (skipped, exception.frames.last_mut()) {
                    if frame.code.is_none() {
                        frame.code = Some(trimmed.to_string());
                    }
                }
            } else {
                let (kind, message) = match trimmed.split_once(": ") {
                    Some((kind, message)) if is_kind(kind) => (kind, message),
                    _ if is_kind(trimmed.trim_end_matches(':')) => {
                        (trimmed.trim_end_matches(':'), "")
                    }
                    _ => ("", trimmed),
                };
                exception.kind = kind.to_string();
                exception.message = message.to_string();
                in_message = true;
            }
        }
        exceptions.extend(current);
        exceptions.retain(|e| !e.kind.is_empty() || !e.frames.is_empty());
        (!exceptions.is_empty()).then_some(Traceback { exceptions })
    }

    /// The exception that was raised out: the last of the chain.
    pub fn raised(&self) -> &Exception {
        // parse keeps at least one
        &self.exceptions[self.exceptions.len() - 1]
    }

    /// `ValueError: bad input`: the raised exception's type and its message's first line.
    pub fn summary(&self) -> String {
        let raised = self.raised();
        let first = raised.message.lines().next().unwrap_or("");
        match (raised.kind.is_empty(), first.is_empty()) {
            (true, _) => first.to_string(),
            (false, true) => raised.kind.clone(),
            (false, false) => format!("{}: {first}", raised.kind),
        }
    }

    /// The innermost frame of the application's own code: in the raised exception, else
    /// in the ones before it (an error raised inside a library is placed where the
    /// application called it).
    pub fn innermost_app_frame(&self) -> Option<&Frame> {
        self.exceptions
            .iter()
            .rev()
            .find_map(|e| e.frames.iter().rev().find(|f| !f.is_library()))
    }
}

/// `File "/app/app.py", line 12, in charge` (the `in` part absent in some old forms).
fn frame_line(trimmed: &str) -> Option<Frame> {
    let rest = trimmed.strip_prefix("File \"")?;
    let (file, rest) = rest.split_once("\", line ")?;
    let (line, function) = match rest.split_once(", in ") {
        Some((line, function)) => (line, function),
        None => (rest, "<module>"),
    };
    Some(Frame {
        file: file.to_string(),
        line: line.trim().parse().ok()?,
        function: function.to_string(),
        code: None,
    })
}

/// Whether `kind` reads as an exception's (dotted) type name.
fn is_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.split('.').all(|part| {
            part.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}
