//! One tmux server of our own, to drive the built binary like a person would.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// One tmux server of our own, with one shell window of 100×30.
pub struct Tmux {
    socket: String,
}

fn tmux_cmd(socket: &str, args: &[&str]) -> Output {
    Command::new("tmux")
        .arg("-u")
        .args(["-L", socket])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("tmux is needed for the terminal tests (apt-get install tmux): {e}")
        })
}

/// tmux, installed from Debian's packages when it is missing (the README's test command does its
/// own set-up); without it, and without a way to install it, the tests fail saying so.
fn ensure_tmux() {
    static CHECKED: std::sync::Once = std::sync::Once::new();
    CHECKED.call_once(|| {
        let present = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !present {
            let _ = Command::new("sh")
                .args([
                    "-c",
                    "(apt-get update -qq && apt-get install -y -qq tmux) >/dev/null 2>&1",
                ])
                .status();
        }
    });
}

impl Tmux {
    pub fn start(data_dir: &Path) -> Tmux {
        ensure_tmux();
        let socket = format!(
            "zhuqi-test-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::SeqCst)
        );
        let home = data_dir.with_extension("home");
        let _ = std::fs::create_dir_all(&home);
        let out = tmux_cmd(
            &socket,
            &[
                "new-session",
                "-d",
                "-s",
                "main",
                "-x",
                "100",
                "-y",
                "30",
                "-e",
                "LANG=C.UTF-8",
                "-e",
                &format!("HOME={}", home.display()),
                "bash --norc --noprofile",
            ],
        );
        assert!(
            out.status.success(),
            "tmux would not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmux { socket }
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux_cmd(&self.socket, &["send-keys", "-t", "main", k]);
            // A person types with pauses; Esc followed at once by a letter would read as Alt.
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn text(&self, text: &str) {
        tmux_cmd(&self.socket, &["send-keys", "-t", "main", "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(
            &tmux_cmd(&self.socket, &["capture-pane", "-p", "-t", "main"]).stdout,
        )
        .into_owned()
    }

    /// Waits until the desk has exited and the shell runs commands again.
    pub fn wait_for_shell(&self) -> String {
        self.text("echo EXITED-$((40+2))");
        self.keys(&["Enter"]);
        self.wait_for("EXITED-42")
    }

    pub fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &tmux_cmd(
                &self.socket,
                &["display-message", "-p", "-t", "main", format],
            )
            .stdout,
        )
        .trim()
        .to_string()
    }

    /// Waits until the screen shows `text`; the screen is returned for the message if not.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("the screen never showed {text:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = tmux_cmd(&self.socket, &["kill-server"]);
    }
}
