//! An upstream the test controls, in front of a real one: it passes connections through,
//! or is down, slow, or failing, and is switched between these while the dashboard runs.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the upstream does with each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Passes it through to the real upstream.
    Pass,
    /// Closes it at once, as a node that is gone.
    Down,
    /// Reads the request and never answers.
    Slow,
    /// Answers every request 503, as a cluster that has lost its master.
    Failing,
}

/// The answer of [`Mode::Failing`]: Elasticsearch's, while it has no elected master.
pub const FAILING_REASON: &str = "blocked by: [SERVICE_UNAVAILABLE/2/no master];";

pub struct Controllable {
    /// `http://127.0.0.1:PORT/` + the real upstream's path.
    pub url: String,
    mode: watch::Sender<Mode>,
}

impl Controllable {
    /// Starts in front of `target` (`host:port`); `path` is the real upstream's base path.
    pub async fn start(target: &str, path: &str) -> Controllable {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        let (mode, watching) = watch::channel(Mode::Pass);
        let target = target.to_string();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, target.clone(), watching.clone()));
            }
        });
        Controllable {
            url: format!("http://{address}/{}", path.trim_start_matches('/')),
            mode,
        }
    }

    /// Switches every connection, open or new, to `mode`.
    pub fn set(&self, mode: Mode) {
        let _ = self.mode.send(mode);
    }
}

/// One connection, until it ends or the mode changes (which closes it).
async fn serve(mut client: TcpStream, target: String, mut mode: watch::Receiver<Mode>) {
    let current = *mode.borrow_and_update();
    let work = async {
        match current {
            Mode::Pass => {
                if let Ok(mut upstream) = TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            }
            Mode::Down => {}
            Mode::Slow => {
                let mut sink = [0u8; 4096];
                while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
            }
            Mode::Failing => {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let body = format!(
                    r#"{{"error":{{"root_cause":[{{"type":"cluster_block_exception","reason":"{FAILING_REASON}"}}],"type":"cluster_block_exception","reason":"{FAILING_REASON}"}},"status":503}}"#
                );
                let answer = format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = client.write_all(answer.as_bytes()).await;
            }
        }
    };
    tokio::select! {
        () = work => {}
        _ = mode.changed() => {}
    }
}
