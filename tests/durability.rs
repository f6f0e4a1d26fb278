//! sled keeps its pages too large for its log in blob files of their own, and never synced them:
//! a store could be left pointing to a blob that never reached the disk. Each is now synced
//! before the log can point to it, or, in a bulk write (undone whole when it is cut short),
//! with the others before the bulk write ends. Seen through `strace`, on the real files.
//!
//! The first test's child is this same test binary, started again with `ZHUQI_BLOB_CHILD` set
//! to run the ignored `blob_child`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/strace.rs"]
mod strace;
use strace::{ensure_strace, run_traced, synced_paths, syncs_by_path, traced};

/// The blob files in sled's database at `db`.
fn blobs(db: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(db.join("blobs"))
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    found.sort();
    found
}

fn assert_synced(trace: &Path, db: &Path) {
    let synced = synced_paths(trace);
    let found = blobs(db);
    assert!(!found.is_empty(), "no blob was written in {}", db.display());
    for blob in &found {
        assert!(
            synced.contains(&blob.display().to_string()),
            "{} was never synced",
            blob.display()
        );
    }
    let folder = db.join("blobs").display().to_string();
    assert!(synced.contains(&folder), "{folder} was never synced");
}

/// Writes one value too large for sled's log: started by `a_blob_is_synced_as_it_is_written`.
#[test]
#[ignore = "the child of a_blob_is_synced_as_it_is_written, started by it"]
fn blob_child() {
    let Some(dir) = std::env::var_os("ZHUQI_BLOB_CHILD") else {
        panic!("blob_child is started by a_blob_is_synced_as_it_is_written");
    };
    let db = sled::Config::new()
        .path(dir)
        .open()
        .unwrap_or_else(|e| panic!("{e}"));
    db.insert(b"drawer", vec![7u8; 300_000])
        .unwrap_or_else(|e| panic!("{e}"));
    db.flush().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_blob_is_synced_as_it_is_written() {
    ensure_strace();
    let t = common::tempdir();
    let db = t.path().join("db");
    let trace = t.path().join("trace");
    let mut child = Command::new(std::env::current_exe().unwrap_or_else(|e| panic!("{e}")));
    child
        .args(["--ignored", "--exact", "blob_child", "--nocapture"])
        .env("ZHUQI_BLOB_CHILD", &db);
    let out = traced(&trace, &child)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "the child failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_synced(&trace, &db);
}

#[test]
fn a_bulk_writes_blobs_are_synced_before_it_ends() {
    ensure_strace();
    let t = common::tempdir();
    let dir = t.path().join("data");
    let trace = t.path().join("trace");
    // Enough closed appeals for the archive's drawers to grow past what sled's log holds.
    let demo = common::zhuqi_command(
        &dir,
        &[
            "demo",
            "--appeals",
            "20000",
            "--mix",
            "realistic",
            "--seed",
            "1",
        ],
    );
    run_traced(&trace, &demo);
    assert_synced(&trace, &dir.join("store").join("archive"));
    // The store reads back whole.
    let verified = common::zhuqi(&dir, &["verify"]);
    assert!(
        common::stdout(&verified).contains("all well"),
        "{}",
        common::stdout(&verified)
    );
    let listed = || common::stdout(&common::zhuqi(&dir, &["list", "--format", "csv"]));
    let before = listed();
    assert!(
        before.lines().count() > 20_000,
        "{}",
        before.lines().count()
    );
    // Blobs lost as a crash could lose them before: the desk says what to do, and the journal
    // brings everything back.
    for blob in blobs(&dir.join("store").join("archive")) {
        std::fs::write(&blob, b"").unwrap_or_else(|e| panic!("{e}"));
    }
    let damaged = common::zhuqi(&dir, &["list", "--status", "closed", "--format", "csv"]);
    assert_eq!(damaged.status.code(), Some(1));
    let said = common::stderr(&damaged);
    assert!(
        said.contains("the store is damaged") && said.contains("zhuqi rebuild"),
        "{said}"
    );
    assert!(!said.contains("backtrace"), "{said}");
    let rebuilt = common::zhuqi(&dir, &["rebuild"]);
    assert!(rebuilt.status.success(), "{}", common::stderr(&rebuilt));
    assert!(common::stdout(&common::zhuqi(&dir, &["verify"])).contains("all well"));
    assert_eq!(listed(), before);
}

/// A durable step syncs its journal, then the store's file once: sled's own sync as its log
/// closes is left out when the step's sync already covered everything (`vendor/sled`,
/// `Log::sync_file`). Both are still synced, in that order.
#[test]
fn a_step_syncs_the_journal_then_the_store_once() {
    ensure_strace();
    let t = common::tempdir();
    let dir = t.path().join("data");
    let captured = common::zhuqi(
        &dir,
        &[
            "capture",
            "--enterprise",
            "嘉兴企业",
            "--text",
            "厂房消防验收",
            "--category",
            "消防",
        ],
    );
    assert!(captured.status.success(), "{}", common::stderr(&captured));
    // The store's second open writes sled's first snapshot and overwrites the log's tail once.
    let noted = common::zhuqi(&dir, &["note", "1", "已受理"]);
    assert!(noted.status.success(), "{}", common::stderr(&noted));
    let trace = t.path().join("trace");
    run_traced(
        &trace,
        &common::zhuqi_command(&dir, &["note", "1", "已联系消防大队"]),
    );
    let store = dir.join("store").join("db").display().to_string();
    let journal = dir.join("journal.jsonl").display().to_string();
    let synced = syncs_by_path(&trace);
    let of = |path: &str| synced.iter().filter(|p| *p == path).count();
    assert_eq!(of(&store), 1, "{synced:#?}");
    assert_eq!(of(&journal), 1, "{synced:#?}");
    let first = |path: &str| synced.iter().position(|p| p == path);
    assert!(first(&journal) < first(&store), "{synced:#?}");
    let listed = common::stdout(&common::zhuqi(&dir, &["show", "1"]));
    assert!(listed.contains("已联系消防大队"), "{listed}");
}
