//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zhuqi::desk::clock::parse_local;
use zhuqi::desk::{Desk, DeskOptions};

/// Options for a desk in `dir`, with no configuration file and the clock at `now`.
pub fn options(dir: &Path, now: &str) -> DeskOptions {
    DeskOptions {
        data_dir: Some(dir.to_path_buf()),
        config: Some(dir.join("no-config.toml")),
        now: Some(parse_local(now).unwrap_or_else(|| panic!("bad test time {now}"))),
        actor: Some("测试员".to_string()),
        ..DeskOptions::default()
    }
}

pub fn open(dir: &Path, now: &str) -> Desk {
    match Desk::open(&options(dir, now)) {
        Ok(d) => d,
        Err(e) => panic!("cannot open the desk in {}: {e}", dir.display()),
    }
}

/// Captures the `i`th of a run of appeals resolved on the spot (closed at once).
pub fn capture_resolved(desk: &Desk, i: usize) {
    let input = zhuqi::desk::CaptureInput {
        enterprise: format!("嘉兴南湖纺织{i}有限公司"),
        category: "消防".into(),
        text: format!("消防通道第{i}处被占用"),
        resolved: Some("当场协调清理".into()),
        ..zhuqi::desk::CaptureInput::default()
    };
    if let Err(e) = desk.capture(&input) {
        panic!("{e}");
    }
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

/// The built `zhuqi` binary, run with a clean environment for its data and language.
pub fn zhuqi(dir: &Path, args: &[&str]) -> Output {
    zhuqi_command(dir, args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run zhuqi: {e}"))
}

/// As [`zhuqi`], not started yet (to be spawned with pipes of its own).
pub fn zhuqi_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zhuqi"));
    command
        .args(args)
        .env("ZHUQI_DATA_DIR", dir)
        .env("ZHUQI_CONFIG", dir.join("no-config.toml"))
        .env("ZHUQI_LOG_FILE", dir.join("zhuqi.log"))
        .env_remove("ZHUQI_NOW")
        .env_remove("ZHUQI_LOG")
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    command
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn journal(dir: &Path) -> PathBuf {
    dir.join("journal.jsonl")
}
