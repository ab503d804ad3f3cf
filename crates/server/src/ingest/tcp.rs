//! The Logstash-compatible TCP input (`tcp` with the `json_lines` codec): newline-delimited
//! JSON events, many per connection, many connections at once. Oversized lines are
//! refused, counted and logged; the rest of the connection goes on.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use logdash_store::event::{decode_line, JSON_PARSE_FAILURE};
use logdash_store::Source;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::{IngestStats, Sink};

/// Events are handed to the store in batches of at most this many.
const BATCH: usize = 2_000;

/// Accepts shippers' connections, at most `max_connections` at once (past it, new ones wait
/// until one ends), and reads each to its end.
pub async fn serve(
    listener: TcpListener,
    sink: Sink,
    max_line: usize,
    max_connections: usize,
    stats: Arc<IngestStats>,
) {
    let slots = crate::serve::Slots::new(max_connections, "tcp input");
    let mut warned = None;
    loop {
        let slot = slots.take(&mut warned).await;
        match listener.accept().await {
            Ok((socket, peer)) => {
                stats.connections.fetch_add(1, Ordering::Relaxed);
                let (sink, stats) = (sink.clone(), Arc::clone(&stats));
                tokio::spawn(async move {
                    connection(socket, peer, sink, max_line, stats).await;
                    drop(slot);
                });
            }
            Err(err) => {
                tracing::warn!(error = %err, "tcp input cannot accept a connection");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

/// Reads one connection to its end; what a client sent before it vanished is kept.
async fn connection(
    socket: TcpStream,
    peer: SocketAddr,
    sink: Sink,
    max_line: usize,
    stats: Arc<IngestStats>,
) {
    let mut reader = BufReader::with_capacity(256 * 1024, socket);
    let mut lines = LineSplitter::new(max_line);
    let mut batch: Vec<Source> = Vec::new();
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(chunk) => chunk,
            Err(err) => {
                tracing::debug!(%peer, error = %err, "tcp input connection failed");
                break;
            }
        };
        if chunk.is_empty() {
            break;
        }
        let length = chunk.len();
        lines.push(
            chunk,
            &mut |line| take_line(line, &mut batch, &stats),
            &mut |size| refuse(size, peer, &stats),
        );
        reader.consume(length);
        if batch.len() >= BATCH || !batch.is_empty() && reader.buffer().is_empty() {
            submit(&sink, &mut batch, &stats).await;
        }
    }
    // a last line without its newline (the client closed mid-line) is still an event
    lines.finish(
        &mut |line| take_line(line, &mut batch, &stats),
        &mut |size| refuse(size, peer, &stats),
    );
    submit(&sink, &mut batch, &stats).await;
}

fn take_line(line: &[u8], batch: &mut Vec<Source>, stats: &IngestStats) {
    for event in decode_line(line) {
        if event
            .get("tags")
            .and_then(|t| t.as_array())
            .is_some_and(|tags| tags.iter().any(|t| t == JSON_PARSE_FAILURE))
        {
            stats.parse_failures.fetch_add(1, Ordering::Relaxed);
        }
        batch.push(event);
    }
}

fn refuse(size: usize, peer: SocketAddr, stats: &IngestStats) {
    stats.oversized_lines.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(%peer, size, "tcp input refused an oversized line");
}

async fn submit(sink: &Sink, batch: &mut Vec<Source>, stats: &IngestStats) {
    if !batch.is_empty() {
        sink.take(std::mem::take(batch), stats).await;
    }
}

/// Splits a byte stream into lines of at most `max` bytes, with no more memory than that.
pub struct LineSplitter {
    max: usize,
    line: Vec<u8>,
    /// Bytes of an oversized line seen so far (it is skipped to its newline).
    skipping: Option<usize>,
}

impl LineSplitter {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            line: Vec::new(),
            skipping: None,
        }
    }

    /// Feeds bytes; calls `line` for each complete line and `refused` for each oversized one.
    pub fn push(
        &mut self,
        mut bytes: &[u8],
        line: &mut dyn FnMut(&[u8]),
        refused: &mut dyn FnMut(usize),
    ) {
        while !bytes.is_empty() {
            let newline = bytes.iter().position(|&b| b == b'\n');
            let (part, rest, ends) = match newline {
                Some(at) => (&bytes[..at], &bytes[at + 1..], true),
                None => (bytes, &[][..], false),
            };
            match self.skipping.as_mut() {
                Some(seen) => *seen += part.len(),
                None if self.line.len() + part.len() > self.max => {
                    self.skipping = Some(self.line.len() + part.len());
                    self.line = Vec::new();
                }
                None => self.line.extend_from_slice(part),
            }
            if ends {
                match self.skipping.take() {
                    Some(size) => refused(size),
                    None if self.line.is_empty() => {}
                    None => {
                        line(&self.line);
                        self.line.clear();
                    }
                }
            }
            bytes = rest;
        }
    }

    /// Ends the stream: a last unterminated line counts as a line.
    pub fn finish(&mut self, line: &mut dyn FnMut(&[u8]), refused: &mut dyn FnMut(usize)) {
        match self.skipping.take() {
            Some(size) => refused(size),
            None if !self.line.is_empty() => line(&self.line),
            None => {}
        }
        self.line.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(max: usize, chunks: &[&[u8]]) -> (Vec<String>, Vec<usize>) {
        let mut splitter = LineSplitter::new(max);
        let (mut lines, mut refused) = (Vec::new(), Vec::new());
        for chunk in chunks {
            splitter.push(
                chunk,
                &mut |l| lines.push(String::from_utf8_lossy(l).to_string()),
                &mut |n| refused.push(n),
            );
        }
        splitter.finish(
            &mut |l| lines.push(String::from_utf8_lossy(l).to_string()),
            &mut |n| refused.push(n),
        );
        (lines, refused)
    }

    #[test]
    fn lines_across_chunk_boundaries() {
        let (lines, refused) = split(100, &[b"{\"a\":1}\n{\"b\"", b":2}\n\n{\"c\":3}"]);
        assert_eq!(lines, vec!["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
        assert!(refused.is_empty());
    }

    #[test]
    fn an_oversized_line_is_refused_and_the_next_one_kept() {
        let big = vec![b'x'; 50];
        let (lines, refused) = split(10, &[b"ok\n", &big, &big, b"\nafter\n"]);
        assert_eq!(lines, vec!["ok", "after"]);
        assert_eq!(refused, vec![100]);
    }

    #[test]
    fn an_oversized_last_line_is_counted() {
        let (lines, refused) = split(3, &[b"a\nlonger-than-three"]);
        assert_eq!(lines, vec!["a"]);
        assert_eq!(refused, vec![17]);
    }
}
