//! Faults: a full disk. The data directory is a small tmpfs (the test mounts one, so it
//! runs as root, as the test command does on CI); a file fills it, and is removed later.
//!
//! While the disk is full, writes are refused with Elasticsearch's flood-stage answer (a
//! 429 that shippers retry) naming the disk, and the rest keeps working; once space is
//! freed, writes are taken again without a restart; nothing acknowledged is lost and the
//! store reopens after a crash.

use std::path::{Path, PathBuf};
use std::process::Command;

use logdash_e2e::faults::{assert_all_there, bulk_of, count, try_bulk};
use logdash_e2e::{http, request, Server};
use serde_json::{json, Value};

/// The tmpfs's size, and how much of it the filler takes.
const DISK_MB: u64 = 48;
const FILLER_MB: u64 = 42;

#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_and_they_resume_once_space_is_freed() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let disk = Tmpfs::mount(data_dir.path(), DISK_MB);
    let server = Server::start_in(data_dir, &[]).await;
    let filler = disk.path.join("filler");
    let status = Command::new("dd")
        .args(["if=/dev/zero", "bs=1M", "status=none"])
        .arg(format!("of={}", filler.display()))
        .arg(format!("count={FILLER_MB}"))
        .status()
        .expect("dd runs");
    assert!(status.success(), "cannot write the filler");

    // write until the disk refuses
    let mut acknowledged = Vec::new();
    let mut refusal = None;
    for batch in 0..400 {
        let ids: Vec<String> = (0..500).map(|i| format!("before{batch}i{i}")).collect();
        let (status, answer) = try_bulk(&server.bulk, &bulk_of("disk-test", &ids))
            .await
            .expect("the server answers");
        if status != 200 {
            refusal = Some((status, answer));
            break;
        }
        assert_eq!(answer["errors"], json!(false), "{answer}");
        acknowledged.extend(ids);
    }
    let (status, answer) = refusal.expect("a 48 MB disk fills with 200,000 events");
    assert_eq!(status, 429, "{answer}");
    assert_eq!(answer["error"]["type"], json!("cluster_block_exception"));
    let reason = answer["error"]["reason"].as_str().unwrap_or_default();
    // (the cause under it is the disk's, "No space left on device", or tantivy's word for
    // an indexing thread that stopped on it: which depends on when the disk filled)
    assert!(reason.contains("is full"), "{reason}");
    assert!(
        reason.contains("writes are taken again once space is freed"),
        "{reason}"
    );
    assert!(acknowledged.len() >= 1_000, "{}", acknowledged.len());

    // whatever the refused write left free is taken too, so that what follows finds the
    // disk full whatever the timing
    let rest = disk.path.join("rest");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=4k", "status=none"])
        .arg(format!("of={}", rest.display()))
        .status();

    // the rest works on: searches, the dashboard, and writes still refused clearly
    assert_all_there(&server, "disk-test", &acknowledged, "with the disk full").await;
    let (status, page) = request(&server.address(), "GET", "/", "").await;
    assert_eq!(status, 200, "{page}");
    let again = bulk_of("disk-test", &["while-full".to_string()]);
    let (status, answer) = try_bulk(&server.bulk, &again).await.expect("answers");
    assert_eq!(status, 429, "{answer}");
    let (status, saved) = save_a_query(&server).await;
    assert!(status >= 500, "{status} {saved}");
    assert!(saved.contains("No space left on device"), "{saved}");

    // space comes back: writes are taken again, without a restart
    std::fs::remove_file(&filler).expect("filler removed");
    std::fs::remove_file(&rest).expect("the rest removed");
    let after: Vec<String> = (0..500).map(|i| format!("after{i}")).collect();
    let (status, answer) = try_bulk(&server.bulk, &bulk_of("disk-test", &after))
        .await
        .expect("answers");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    acknowledged.extend(after);
    assert_all_there(&server, "disk-test", &acknowledged, "once space was freed").await;
    let (status, saved) = save_a_query(&server).await;
    assert!(status < 300, "{status} {saved}");

    // and after a crash, the store opens with all of it, and nothing refused
    let data_dir = server.kill_hard().await;
    let server = Server::start_in(data_dir, &[]).await;
    assert_all_there(&server, "disk-test", &acknowledged, "after a restart").await;
    let total = count(&server, "disk-test", json!({"match_all": {}})).await;
    assert_eq!(total, acknowledged.len());
    let saved: Value =
        serde_json::from_str(&http(&server.address(), "GET", "/api/saved-queries", "").await)
            .expect("JSON");
    assert!(saved.to_string().contains("Errors"), "{saved}");
    let data_dir = server.kill_hard().await;
    drop(disk);
    drop(data_dir);
}

/// Saves a query named "Errors"; the status and the answer.
async fn save_a_query(server: &Server) -> (u16, String) {
    request(
        &server.address(),
        "POST",
        "/api/saved-queries",
        r#"{"name":"Errors","state":"q=level:ERROR"}"#,
    )
    .await
}

/// A tmpfs mounted over a folder, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, megabytes: u64) -> Tmpfs {
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={megabytes}m"))
            .arg("tmpfs")
            .arg(path)
            .output()
            .expect("mount runs");
        assert!(
            output.status.success(),
            "this test mounts a {megabytes} MB tmpfs, which needs root: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Tmpfs {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}
