//! A command carried out by the desk that has the store open: a `zhuqi` command run on a data
//! directory whose desk is open in a terminal asks that desk, over a unix socket in the data
//! directory (readable by its owner only, as the directory is), instead of being turned away.
//! One JSON line each way.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The socket's name in the data directory.
pub const SOCKET: &str = "desk.sock";

/// How long a command waits for the desk to answer (the desk answers between keystrokes).
const ANSWER_WAIT: Duration = Duration::from_secs(60);

/// A command line, as typed, and the language to answer in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub argv: Vec<String>,
    pub lang: String,
}

/// What the command would have printed, and its exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET)
}

/// Asks the desk open on `data_dir`; `None` when no desk answers there.
#[cfg(unix)]
pub fn ask(data_dir: &Path, request: &Request) -> Option<std::io::Result<Reply>> {
    let mut stream = std::os::unix::net::UnixStream::connect(socket_path(data_dir)).ok()?;
    let mut exchange = || -> std::io::Result<Reply> {
        stream.set_read_timeout(Some(ANSWER_WAIT))?;
        let mut line = serde_json::to_vec(request)?;
        line.push(b'\n');
        stream.write_all(&line)?;
        let mut answer = String::new();
        BufReader::new(&stream).read_line(&mut answer)?;
        serde_json::from_str(&answer).map_err(std::io::Error::other)
    };
    Some(exchange())
}

#[cfg(not(unix))]
pub fn ask(_data_dir: &Path, _request: &Request) -> Option<std::io::Result<Reply>> {
    None
}

/// A request that came in, and where its reply goes.
pub struct Incoming {
    pub request: Request,
    pub reply: std::sync::mpsc::Sender<Reply>,
}

/// Listens on the data directory's socket on another thread; requests come out of the
/// receiver, to be answered by the desk's own thread, which `wake` wakes for each (it may be
/// waiting for a key). The socket is removed when the listener is dropped.
pub struct Listener {
    path: PathBuf,
    pub requests: std::sync::mpsc::Receiver<Incoming>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
pub fn listen(
    data_dir: &Path,
    wake: impl Fn() + Send + Sync + 'static,
) -> std::io::Result<Listener> {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    let path = socket_path(data_dir);
    // A socket left by a desk that did not close is taken over (this desk holds the store lock,
    // so no other desk is listening there).
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let (send, requests) = std::sync::mpsc::channel::<Incoming>();
    let wake = std::sync::Arc::new(wake);
    std::thread::Builder::new()
        .name("desk-socket".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (send, wake) = (send.clone(), wake.clone());
                // One thread a command: a slow reader cannot hold up the next.
                let _ = std::thread::Builder::new()
                    .name("desk-command".into())
                    .spawn(move || serve_one(stream, &send, &*wake));
            }
        })?;
    Ok(Listener { path, requests })
}

#[cfg(unix)]
fn serve_one(
    mut stream: std::os::unix::net::UnixStream,
    send: &std::sync::mpsc::Sender<Incoming>,
    wake: &(dyn Fn() + Send + Sync),
) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let Ok(request) = serde_json::from_str::<Request>(&line) else {
        return;
    };
    let (reply, answer) = std::sync::mpsc::channel();
    if send.send(Incoming { request, reply }).is_err() {
        return;
    }
    wake();
    if let Ok(reply) = answer.recv_timeout(ANSWER_WAIT)
        && let Ok(mut out) = serde_json::to_vec(&reply)
    {
        out.push(b'\n');
        let _ = stream.write_all(&out);
    }
}

#[cfg(not(unix))]
pub fn listen(
    _data_dir: &Path,
    _wake: impl Fn() + Send + Sync + 'static,
) -> std::io::Result<Listener> {
    Err(std::io::Error::other(
        "commands to an open desk need unix sockets",
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_command_that_comes_in_wakes_the_desk_and_gets_its_reply() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (woken, wakes) = std::sync::mpsc::channel();
        let woken = std::sync::Mutex::new(woken);
        let listener = listen(dir.path(), move || {
            let _ = woken.lock().map(|w| w.send(()));
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let request = Request {
            argv: vec!["zhuqi".into(), "note".into(), "3".into(), "进展".into()],
            lang: "zh".into(),
        };
        let data_dir = dir.path().to_path_buf();
        let asked = request.clone();
        let asker = std::thread::spawn(move || ask(&data_dir, &asked));
        // The desk, waiting for a key, is woken by the command itself: no poll brings it here.
        wakes
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("the desk was not woken: {e}"));
        let incoming = listener
            .requests
            .try_recv()
            .unwrap_or_else(|e| panic!("the command is there when the desk wakes: {e}"));
        assert_eq!(incoming.request, request);
        let reply = Reply {
            stdout: "已保存".into(),
            stderr: String::new(),
            code: 0,
        };
        let _ = incoming.reply.send(reply.clone());
        let answered = asker
            .join()
            .unwrap_or_else(|_| panic!("the asker panicked"))
            .unwrap_or_else(|| panic!("no desk answered"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answered, reply);
        drop(listener);
        assert!(
            !socket_path(dir.path()).exists(),
            "the socket goes with the listener"
        );
    }
}
