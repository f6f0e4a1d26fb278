//! strace, to see which files a process syncs.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

/// strace, installed from Debian's packages when it is missing, as tmux is; without it, and
/// without a way to install it, the test fails saying so.
pub fn ensure_strace() {
    let present = || {
        Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !present() {
        let _ = Command::new("sh")
            .args([
                "-c",
                "(apt-get update -qq && apt-get install -y -qq strace) >/dev/null 2>&1",
            ])
            .status();
    }
    assert!(
        present(),
        "strace is needed for this test (apt-get install strace)"
    );
}

/// `command`, traced for its syncs (with their files' paths) into `trace`.
pub fn traced(trace: &Path, command: &Command) -> Command {
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync", "-o"])
        .arg(trace)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(v) => traced.env(key, v),
            None => traced.env_remove(key),
        };
    }
    traced
}

/// The syncs a trace holds.
pub fn syncs_in(trace: &Path) -> usize {
    std::fs::read_to_string(trace)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("fsync(") || l.contains("fdatasync("))
        .count()
}

/// The files (and folders) a trace taken with `-y` shows synced.
pub fn synced_paths(trace: &Path) -> HashSet<String> {
    syncs_by_path(trace).into_iter().collect()
}

/// The file (or folder) each sync in a trace taken with `-y` names, in the order they ran.
pub fn syncs_by_path(trace: &Path) -> Vec<String> {
    std::fs::read_to_string(trace)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let call = l.find("fsync(").or_else(|| l.find("fdatasync("))?;
            let rest = &l[call..];
            let start = rest.find('<')? + 1;
            let end = rest[start..].find('>')? + start;
            Some(rest[start..end].to_string())
        })
        .collect()
}

/// `command` run to its end, traced for its syncs into `trace`; it must succeed.
pub fn run_traced(trace: &Path, command: &Command) -> std::process::Output {
    let out = traced(trace, command)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
