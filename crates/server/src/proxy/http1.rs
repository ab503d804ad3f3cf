//! One HTTP/1.1 exchange on a kept-alive connection to the cluster, run inside the task
//! that serves the browser's request: write the request, read the answer's head with
//! `httparse`, then its body by `Content-Length`, chunks, or up to the end of the
//! connection. No connection task, no channel, no URL parsing per request.

use std::io;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// The most an answer's status line and headers may take.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most an answer's body may take; the dashboard's answers are far smaller.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// The most a chunk-size or trailer line may take.
const MAX_LINE_BYTES: usize = 4096;

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
    io: BufReader<Box<dyn Stream>>,
}

impl Connection {
    pub fn new(stream: Box<dyn Stream>) -> Self {
        Self {
            io: BufReader::with_capacity(16 * 1024, stream),
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
                (Vec::new(), true)
            } else if head.chunked {
                (self.read_chunked().await?, true)
            } else if let Some(length) = head.content_length {
                let mut body = Vec::new();
                self.read_exact_into(length, &mut body).await?;
                (body, true)
            } else {
                (self.read_to_close().await?, false)
            };
        Ok(Response {
            status,
            content_type: head.content_type,
            body: Bytes::from(body),
            reusable: framed && head.keep_alive,
        })
    }

    async fn write(&mut self, request: &[u8]) -> io::Result<()> {
        let stream = self.io.get_mut();
        stream.write_all(request).await?;
        stream.flush().await
    }

    async fn read_head(&mut self) -> Result<Head, Failure> {
        let mut raw = Vec::with_capacity(512);
        loop {
            let before = raw.len();
            let read = match self.io.read_until(b'\n', &mut raw).await {
                Ok(read) => read,
                Err(err) if before == 0 && err.kind() == io::ErrorKind::ConnectionReset => {
                    return Err(Failure::Closed(err))
                }
                Err(err) => return Err(Failure::Io(err)),
            };
            if read == 0 {
                let err = io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the connection closed before the answer's headers ended",
                );
                return Err(if before == 0 {
                    Failure::Closed(err)
                } else {
                    Failure::Io(err)
                });
            }
            if raw.len() > MAX_HEAD_BYTES {
                return Err(Failure::Invalid(format!(
                    "the answer's headers are longer than {MAX_HEAD_BYTES} bytes"
                )));
            }
            if raw.ends_with(b"\r\n\r\n") || raw.ends_with(b"\n\n") {
                return parse_head(&raw);
            }
        }
    }

    /// Appends the next `length` bytes to `body`, which may not grow past the limit.
    async fn read_exact_into(&mut self, length: usize, body: &mut Vec<u8>) -> Result<(), Failure> {
        if body.len().saturating_add(length) > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.reserve(length.min(1024 * 1024));
        let read = (&mut self.io)
            .take(length as u64)
            .read_to_end(body)
            .await
            .map_err(Failure::Io)?;
        if read < length {
            return Err(Failure::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the connection closed after {read} of {length} body bytes"),
            )));
        }
        Ok(())
    }

    async fn read_to_close(&mut self) -> Result<Vec<u8>, Failure> {
        let mut body = Vec::new();
        (&mut self.io)
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut body)
            .await
            .map_err(Failure::Io)?;
        if body.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        Ok(body)
    }

    async fn read_chunked(&mut self) -> Result<Vec<u8>, Failure> {
        let mut body = Vec::new();
        let mut line = Vec::new();
        loop {
            self.read_line(&mut line).await?;
            let size = chunk_size(&line).map_err(Failure::Invalid)?;
            if size == 0 {
                break;
            }
            self.read_exact_into(size, &mut body).await?;
            self.read_line(&mut line).await?;
            if line != b"\r\n" && line != b"\n" {
                return Err(Failure::Invalid(
                    "a chunk of the answer does not end where its size says".to_string(),
                ));
            }
        }
        // trailers, if any, end with an empty line
        loop {
            self.read_line(&mut line).await?;
            if line == b"\r\n" || line == b"\n" {
                return Ok(body);
            }
        }
    }

    async fn read_line(&mut self, line: &mut Vec<u8>) -> Result<(), Failure> {
        line.clear();
        let read = (&mut self.io)
            .take(MAX_LINE_BYTES as u64)
            .read_until(b'\n', line)
            .await
            .map_err(Failure::Io)?;
        if read == 0 {
            return Err(Failure::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed in the middle of a chunked answer",
            )));
        }
        if !line.ends_with(b"\n") {
            return Err(Failure::Invalid(format!(
                "a line of the chunked answer is longer than {MAX_LINE_BYTES} bytes"
            )));
        }
        Ok(())
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

fn parse_head(raw: &[u8]) -> Result<Head, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(raw) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Failure::Invalid(
                "the answer's headers are cut short".to_string(),
            ))
        }
        Err(err) => {
            return Err(Failure::Invalid(format!(
                "the answer is not HTTP/1.1: {err}"
            )))
        }
    }
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
    Ok(head)
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
