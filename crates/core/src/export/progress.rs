//! Counting the events of an export as its bytes arrive in the browser, for the progress
//! bar: an NDJSON event is a line (JSON keeps its line breaks escaped); a CSV event is a
//! row, which ends at a line break outside quotes (a traceback in a quoted cell spans
//! lines), after the header row.

use super::Format;

#[derive(Debug, Clone)]
pub struct Progress {
    format: Format,
    in_quotes: bool,
    lines: u64,
}

impl Progress {
    pub fn new(format: Format) -> Self {
        Progress {
            format,
            in_quotes: false,
            lines: 0,
        }
    }

    /// Takes the next bytes of the file, however they were cut.
    pub fn feed(&mut self, bytes: &[u8]) {
        match self.format {
            Format::Ndjson => self.lines += bytes.iter().filter(|&&b| b == b'\n').count() as u64,
            Format::Csv => {
                for &byte in bytes {
                    match byte {
                        b'"' => self.in_quotes = !self.in_quotes,
                        b'\n' if !self.in_quotes => self.lines += 1,
                        _ => {}
                    }
                }
            }
        }
    }

    /// Events whole so far.
    pub fn events(&self) -> u64 {
        match self.format {
            Format::Ndjson => self.lines,
            Format::Csv => self.lines.saturating_sub(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{csv, ndjson_line};
    use serde_json::json;

    fn fed_in_pieces(format: Format, file: &str, piece: usize) -> u64 {
        let mut progress = Progress::new(format);
        for chunk in file.as_bytes().chunks(piece) {
            progress.feed(chunk);
        }
        progress.events()
    }

    #[test]
    fn events_are_counted_however_the_bytes_are_cut() {
        let columns = vec!["message".to_string(), "user".to_string()];
        let hits = [
            json!({"_index": "l", "_id": "1", "_source": {"message": "Traceback\r\n  File \"app.py\"\n", "user": "a,b"}}),
            json!({"_index": "l", "_id": "2", "_source": {"message": "=\"\"\n", "user": "\""}}),
            json!({"_index": "l", "_id": "3", "_source": {"message": "plain"}}),
        ];
        let mut csv_file = csv::header(&columns);
        let mut ndjson_file = String::new();
        for hit in &hits {
            csv_file.push_str(&csv::row(hit, &columns));
            ndjson_file.push_str(&ndjson_line(hit));
        }
        for piece in 1..12 {
            assert_eq!(
                fed_in_pieces(Format::Csv, &csv_file, piece),
                3,
                "piece {piece}"
            );
            assert_eq!(fed_in_pieces(Format::Ndjson, &ndjson_file, piece), 3);
        }
        assert_eq!(fed_in_pieces(Format::Csv, &csv::header(&columns), 4), 0);
        // a row cut before its line break is not counted yet
        assert_eq!(
            fed_in_pieces(Format::Csv, &csv_file[..csv_file.len() - 2], 5),
            2
        );
    }
}
