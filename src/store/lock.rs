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
        // The holder's id is written over the last one, padded to a fixed width, not after
        // cutting the file to nothing: on ext4 that cut took 0.1–2 ms an open (measured), most
        // likely waiting for the last holder's id to be written back.
        let mark = format!("{:<width$}\n", std::process::id(), width = MARK_WIDTH);
        let longer = file.metadata().map_err(io)?.len() > mark.len() as u64;
        let written = file
            .seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(mark.as_bytes()))
            .and_then(|_| match longer {
                // Left by something else: what is past the id goes.
                true => file.set_len(mark.len() as u64),
                false => Ok(()),
            })
            .and_then(|_| file.flush());
        written.map_err(io)?;
        Ok(DeskLock { _file: file })
    }
}

/// Digits enough for any process id (a `u32`).
const MARK_WIDTH: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_named_whatever_the_file_held_before() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let path = dir.path().join("zhuqi.lock");
        for before in [
            "4294967295",
            "1",
            "4294967295 and more left by something else\n",
        ] {
            std::fs::write(&path, before).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let held = DeskLock::acquire(dir.path())?;
            let text =
                std::fs::read_to_string(&path).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            assert_eq!(text.trim(), std::process::id().to_string(), "{before:?}");
            // Another open file is another holder, in this process too.
            match DeskLock::acquire(dir.path()) {
                Err(StoreError::AlreadyOpen { pid, .. }) => {
                    assert_eq!(pid, Some(std::process::id()), "{before:?}")
                }
                other => panic!("a second holder was let in: {:?}", other.map(|_| ())),
            }
            drop(held);
            assert!(DeskLock::acquire(dir.path()).is_ok());
        }
        Ok(())
    }
}
