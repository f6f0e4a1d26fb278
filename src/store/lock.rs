//! One desk per data directory: an advisory lock on `zhuqi.lock`, which also names the process
//! that holds it, so that a second process can say who has the store open.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::StoreError;

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
        match file.try_lock() {
            Ok(()) => {}
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
        let mark = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| write!(file, "{}", std::process::id()))
            .and_then(|_| file.flush());
        mark.map_err(io)?;
        Ok(DeskLock { _file: file })
    }
}
