//! One desk per data directory: an advisory lock on `zhuqi.lock`, which also names the process
//! that holds it, so that a second process can say who has the store open.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::StoreError;

/// How long a held lock is asked again, and how often.
const LENT_FOR: std::time::Duration = std::time::Duration::from_millis(100);
const RETRY: std::time::Duration = std::time::Duration::from_millis(10);

pub struct DeskLock {
    _file: File,
}

impl DeskLock {
    pub fn acquire(data_dir: &Path) -> Result<DeskLock, StoreError> {
        let path = data_dir.join("zhuqi.lock");
        let io = |source| StoreError::Io {
            what: format!("opening the lock file {}", path.display()),
            source,
        };
        // Not truncated on open: the holder's process id must survive our attempt.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // A process that starts another (a test harness running a tool, the desk starting
        // $EDITOR) lends the child every open file until it has started: a desk closed and
        // opened again in that moment finds its own lock held. So a held lock is asked again
        // for a moment before it is said to be another desk's.
        let mut waited = std::time::Duration::ZERO;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if waited < LENT_FOR => {
                    std::thread::sleep(RETRY);
                    waited += RETRY;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    return Err(StoreError::AlreadyOpen {
                        dir: data_dir.to_path_buf(),
                        pid: holder.trim().parse().ok(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let mark = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| write!(file, "{}", std::process::id()))
            .and_then(|_| file.flush());
        mark.map_err(io)?;
        Ok(DeskLock { _file: file })
    }
}
