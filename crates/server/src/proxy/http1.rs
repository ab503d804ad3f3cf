//! One HTTP/1.1 exchange on a kept-alive connection to the cluster, run inside the task
//! that serves the browser's request: write the request, read the answer into one buffer,
//! parse its head there with `httparse`, then take its body by `Content-Length`, chunks, or
//! up to the end of the connection. No connection task, no channel, no URL parsing per
//! request, and a sized body is handed on without being copied.

use std::io;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most an answer's status line and headers may take.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most an answer's body may take; the dashboard's answers are far smaller.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// The most a chunk-size or trailer line may take.
const MAX_LINE_BYTES: usize = 4096;
/// How much room a read asks for at least: most answers arrive in one read.
const READ_SIZE: usize = 16 * 1024;

/// A byte stream to the cluster: TCP, or TLS over TCP.
pub trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// What the cluster answered to one request.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: Bytes,
    /// The connection may carry the next request.
    pub reusable: bool,
}

/// Why an exchange failed.
#[derive(Debug)]
pub enum Failure {
    /// The connection was closed before any of the answer came back: a kept-alive
    /// connection the cluster had already dropped. The request may be sent again on a new one.
    Closed(io::Error),
    /// Reading or writing failed part-way.
    Io(io::Error),
    /// The cluster's answer is not HTTP/1.1 as this client reads it.
    Invalid(String),
}

pub struct Connection {
    stream: Box<dyn Stream>,
    /// What was read from the cluster and not used yet.
    buffer: BytesMut,
}

impl Connection {
    pub fn new(stream: Box<dyn Stream>) -> Self {
        Self {
            stream,
            buffer: BytesMut::new(),
        }
    }

    /// Sends `request` (head and body, already framed) and reads the whole answer.
    /// `bodiless` is set for `HEAD`, whose answer carries no body whatever its headers say.
    pub async fn exchange(&mut self, request: &[u8], bodiless: bool) -> Result<Response, Failure> {
        if let Err(err) = self.write(request).await {
            return Err(match err.kind() {
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => Failure::Closed(err),
                _ => Failure::Io(err),
            });
        }
        let (status, head) = loop {
            let head = self.read_head().await?;
            let status = head.status;
            // `100 Continue` and other interim answers come before the real one
            if !(100..200).contains(&status.as_u16()) || status == StatusCode::SWITCHING_PROTOCOLS {
                break (status, head);
            }
        };
        let (body, framed) =
            if bodiless || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
                (Bytes::new(), true)
            } else if head.chunked {
                (self.read_chunked().await?, true)
            } else if let Some(length) = head.content_length {
                (self.read_exact(length).await?, true)
            } else {
                (self.read_to_close().await?, false)
            };
        Ok(Response {
            status,
            content_type: head.content_type,
            body,
            reusable: framed && head.keep_alive,
        })
    }

    async fn write(&mut self, request: &[u8]) -> io::Result<()> {
        self.stream.write_all(request).await?;
        self.stream.flush().await
    }

    /// Reads more of the answer into the buffer; `Ok(0)` at the end of the connection.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.buffer.capacity() - self.buffer.len() < READ_SIZE / 4 {
            self.buffer.reserve(READ_SIZE);
        }
        self.stream.read_buf(&mut self.buffer).await
    }

    async fn read_head(&mut self) -> Result<Head, Failure> {
        // what is left over from an earlier answer is not part of this one
        let fresh = self.buffer.is_empty();
        loop {
            if !self.buffer.is_empty() {
                if let Some((head, length)) = parse_head(&self.buffer)? {
                    self.buffer.advance(length);
                    return Ok(head);
                }
                if self.buffer.len() > MAX_HEAD_BYTES {
                    return Err(Failure::Invalid(format!(
                        "the answer's headers are longer than {MAX_HEAD_BYTES} bytes"
                    )));
                }
            }
            let nothing_yet = fresh && self.buffer.is_empty();
            let read = match self.fill().await {
                Ok(read) => read,
                Err(err) if nothing_yet && err.kind() == io::ErrorKind::ConnectionReset => {
                    return Err(Failure::Closed(err))
                }
                Err(err) => return Err(Failure::Io(err)),
            };
            if read == 0 {
                let err = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before the answer's headers ended",
                );
                return Err(if nothing_yet {
                    Failure::Closed(err)
                } else {
                    Failure::Io(err)
                });
            }
        }
    }

    /// The next `length` bytes, which may not be more than the limit.
    async fn read_exact(&mut self, length: usize) -> Result<Bytes, Failure> {
        if length > MAX_BODY_BYTES {
            return Err(too_large());
        }
        while self.buffer.len() < length {
            let missing = length - self.buffer.len();
            self.buffer.reserve(missing.min(1024 * 1024));
            let read = self.fill().await.map_err(Failure::Io)?;
            if read == 0 {
                return Err(Failure::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the connection closed after {} of {length} body bytes",
                        self.buffer.len()
                    ),
                )));
            }
        }
        Ok(self.buffer.split_to(length).freeze())
    }

    async fn read_to_close(&mut self) -> Result<Bytes, Failure> {
        while self.fill().await.map_err(Failure::Io)? > 0 {
            if self.buffer.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
        }
        Ok(self.buffer.split().freeze())
    }

    async fn read_chunked(&mut self) -> Result<Bytes, Failure> {
        let mut body = BytesMut::new();
        loop {
            let line = self.read_line().await?;
            let size = chunk_size(&line).map_err(Failure::Invalid)?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&self.read_exact(size).await?);
            let end = self.read_line().await?;
            if end != b"\r\n"[..] && end != b"\n"[..] {
                return Err(Failure::Invalid(
                    "a chunk of the answer does not end where its size says".to_string(),
                ));
            }
        }
        // trailers, if any, end with an empty line
        loop {
            let line = self.read_line().await?;
            if line == b"\r\n"[..] || line == b"\n"[..] {
                return Ok(body.freeze());
            }
        }
    }

    /// The next line, with its end of line.
    async fn read_line(&mut self) -> Result<Bytes, Failure> {
        loop {
            let searched = self.buffer.len().min(MAX_LINE_BYTES);
            if let Some(end) = self.buffer[..searched].iter().position(|&b| b == b'\n') {
                return Ok(self.buffer.split_to(end + 1).freeze());
            }
            if searched == MAX_LINE_BYTES {
                return Err(Failure::Invalid(format!(
                    "a line of the chunked answer is longer than {MAX_LINE_BYTES} bytes"
                )));
            }
            if self.fill().await.map_err(Failure::Io)? == 0 {
                return Err(Failure::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed in the middle of a chunked answer",
                )));
            }
        }
    }
}

fn too_large() -> Failure {
    Failure::Invalid(format!(
        "the answer is larger than {} MiB",
        MAX_BODY_BYTES / 1024 / 1024
    ))
}

/// The parts of an answer's head this client acts on.
#[derive(Debug, PartialEq)]
struct Head {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    content_length: Option<usize>,
    chunked: bool,
    keep_alive: bool,
}

/// The answer's head and its length in bytes, when `raw` holds all of it.
fn parse_head(raw: &[u8]) -> Result<Option<(Head, usize)>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut response = httparse::Response::new(&mut headers);
    let length = match response.parse(raw) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(err) => {
            return Err(Failure::Invalid(format!(
                "the answer is not HTTP/1.1: {err}"
            )))
        }
    };
    let status = response
        .code
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| Failure::Invalid("the answer has no valid status".to_string()))?;
    let mut head = Head {
        status,
        content_type: None,
        content_length: None,
        chunked: false,
        keep_alive: response.version == Some(1),
    };
    for header in response.headers.iter() {
        let value = header.value;
        if header.name.eq_ignore_ascii_case("content-type") {
            head.content_type = HeaderValue::from_bytes(value).ok();
        } else if header.name.eq_ignore_ascii_case("content-length") {
            let length = std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| {
                    Failure::Invalid("the answer's Content-Length is not a number".to_string())
                })?;
            if head.content_length.is_some_and(|seen| seen != length) {
                return Err(Failure::Invalid(
                    "the answer has two different Content-Length headers".to_string(),
                ));
            }
            head.content_length = Some(length);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked = has_token(value, "chunked");
            if !head.chunked {
                return Err(Failure::Invalid(format!(
                    "the answer uses a transfer encoding this client does not read: {}",
                    String::from_utf8_lossy(value)
                )));
            }
        } else if header.name.eq_ignore_ascii_case("connection") && has_token(value, "close") {
            head.keep_alive = false;
        }
    }
    Ok(Some((head, length)))
}

fn has_token(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|part| part.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// The size at the start of a chunk: hexadecimal, maybe followed by `;extensions`.
fn chunk_size(line: &[u8]) -> Result<usize, String> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let invalid = || {
        format!(
            "the chunked answer has a bad chunk size {:?}",
            String::from_utf8_lossy(line.trim_ascii())
        )
    };
    if digits.is_empty() || digits.len() > 15 {
        return Err(invalid());
    }
    digits.iter().try_fold(0usize, |size, &b| {
        let digit = (b as char).to_digit(16).ok_or_else(invalid)?;
        Ok(size * 16 + digit as usize)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs one exchange against a peer that answers `answer` (in pieces) and then
    /// keeps the connection open, or closes it when `close` is set.
    async fn exchange(answer: &[&[u8]], close: bool) -> (Result<Response, Failure>, Vec<u8>) {
        let (client, mut peer) = tokio::io::duplex(1024);
        let pieces: Vec<Vec<u8>> = answer.iter().map(|p| p.to_vec()).collect();
        let server = tokio::spawn(async move {
            let mut request = vec![0; 64];
            let read = peer.read(&mut request).await.unwrap_or(0);
            request.truncate(read);
            for piece in pieces {
                if peer.write_all(&piece).await.is_err() {
                    break;
                }
            }
            if !close {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            }
            request
        });
        let mut connection = Connection::new(Box::new(client));
        let result = connection.exchange(b"GET / HTTP/1.1\r\n\r\n", false).await;
        let request = if close {
            server.await.unwrap_or_default()
        } else {
            server.abort();
            b"GET / HTTP/1.1\r\n\r\n".to_vec()
        };
        (result, request)
    }

    fn ok(result: Result<Response, Failure>) -> Response {
        result.unwrap_or_else(|err| panic!("{err:?}"))
    }

    #[tokio::test]
    async fn a_sized_answer_is_read_whole_and_keeps_the_connection() {
        let (result, request) = exchange(
            &[
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len",
                b"gth: 7\r\n\r\n{\"a\":",
                b"1}",
            ],
            false,
        )
        .await;
        assert_eq!(request, b"GET / HTTP/1.1\r\n\r\n");
        let answer = ok(result);
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(
            answer.content_type,
            HeaderValue::from_str("application/json").ok()
        );
        assert!(answer.reusable);
    }

    #[tokio::test]
    async fn a_chunked_answer_with_extensions_and_trailers_is_joined() {
        let (result, _) = exchange(
            &[
                b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"4;name=x\r\nabcd\r\n",
                b"A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
            ],
            false,
        )
        .await;
        let answer = ok(result);
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body, Bytes::from_static(b"abcd0123456789"));
        assert!(answer.reusable);
    }

    #[tokio::test]
    async fn interim_answers_are_skipped() {
        let (result, _) = exchange(
            &[b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"],
            false,
        )
        .await;
        assert_eq!(ok(result).status, StatusCode::CREATED);
    }

    #[tokio::test]
    async fn connection_close_and_unsized_answers_are_not_reused() {
        let (result, _) = exchange(
            &[b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\n{}"],
            false,
        )
        .await;
        assert!(!ok(result).reusable);
        let (result, _) = exchange(&[b"HTTP/1.1 200 OK\r\n\r\nto the end"], true).await;
        let answer = ok(result);
        assert_eq!(answer.body, Bytes::from_static(b"to the end"));
        assert!(!answer.reusable);
        let (result, _) =
            exchange(&[b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"], false).await;
        assert!(!ok(result).reusable);
    }

    #[tokio::test]
    async fn a_connection_closed_before_answering_may_be_retried_but_not_one_closed_mid_answer() {
        let (result, _) = exchange(&[], true).await;
        assert!(matches!(result, Err(Failure::Closed(_))), "{result:?}");
        let (result, _) =
            exchange(&[b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}"], true).await;
        assert!(matches!(result, Err(Failure::Io(_))), "{result:?}");
        let (result, _) = exchange(&[b"HTTP/1.1 200 OK\r\nContent-"], true).await;
        assert!(matches!(result, Err(Failure::Io(_))), "{result:?}");
    }

    #[tokio::test]
    async fn answers_that_are_not_http_are_named() {
        for (answer, needle) in [
            (&b"SSH-2.0-OpenSSH\r\n\r\n"[..], "not HTTP/1.1"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                "Content-Length is not a number",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                "two different",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                "transfer encoding",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "bad chunk size",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n",
                "does not end",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
                "larger than",
            ),
        ] {
            let (result, _) = exchange(&[answer], true).await;
            match result {
                Err(Failure::Invalid(reason)) => assert!(reason.contains(needle), "{reason}"),
                other => panic!("{needle}: {other:?}"),
            }
        }
    }

    #[test]
    fn chunk_sizes_are_hexadecimal_and_bounded() {
        assert_eq!(chunk_size(b"1a\r\n"), Ok(26));
        assert_eq!(chunk_size(b"FF;ext=1\r\n"), Ok(255));
        assert_eq!(chunk_size(b"0\r\n"), Ok(0));
        assert!(chunk_size(b"\r\n").is_err());
        assert!(chunk_size(b"-1\r\n").is_err());
        assert!(chunk_size(b"ffffffffffffffffff\r\n").is_err());
    }
}
