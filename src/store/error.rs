//! What can go wrong in the store, each said with what to do (`crate::strings` says it in the
//! user's language).

use std::path::PathBuf;

use crate::domain::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the store in {} is already open{}; close the other zhuqi first (or use another --data-dir)",
        dir.display(),
        pid.map(|p| format!(" by process {p}")).unwrap_or_default()
    )]
    AlreadyOpen { dir: PathBuf, pid: Option<u32> },
    #[error("{what}: {source}{}", if disk_full(source) {
        "; the disk is full: nothing of this step was saved. Free some space and try again"
    } else {
        ""
    })]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the storage engine failed: {0}")]
    Engine(String),
    #[error("the store is damaged: {0}; rebuild it from the journal with `zhuqi rebuild`")]
    Corrupt(String),
    #[error(
        "this data was written by a newer zhuqi (schema {found}, this one reads up to {supported}); update zhuqi"
    )]
    NewerSchema { found: u8, supported: u8 },
    #[error("the journal {} cannot be read at line {line}: {message}", path.display())]
    Journal {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "the journal's sealed part from byte {from} is missing from {}: restore that folder from \
         a backup",
        dir.display()
    )]
    SealedPartMissing { dir: PathBuf, from: u64 },
    #[error(
        "the journal's sealed part {} is damaged ({why}): restore it from a backup",
        path.display()
    )]
    SealedPartDamaged { path: PathBuf, why: String },
    #[error(
        "the journal is shorter ({journal} bytes) than the store has applied ({applied} bytes): \
         it was cut or replaced, and nothing was changed. Restore it from a backup, or write it \
         anew from the store with `zhuqi journal rewrite`"
    )]
    JournalBehind { journal: u64, applied: u64 },
    #[error(
        "{} holds a backup that was never finished (the disk filled, or it was stopped): it is \
         not a whole desk. Remove it and make the backup again",
        .0.display()
    )]
    IncompleteBackup(PathBuf),
    #[error("no store replaced by a rebuild is kept in {}: nothing to bring back", .0.display())]
    NothingToUndo(PathBuf),
    #[error(
        "the journal holds an event the lifecycle refuses ({0:?}); restore the journal from a backup"
    )]
    Replay(Refusal),
    #[error("appeal number {0} is already taken")]
    NumberTaken(u64),
    #[error(
        "the store cannot be written since a write to the disk failed (is it full?); nothing was \
         saved: free some space, and the next step reopens the store from the journal"
    )]
    EngineDown,
    #[error(
        "a bulk write (an import, the demo) stopped before its end; what it wrote is taken out \
         when zhuqi is next opened: close zhuqi and open it again before recording anything"
    )]
    BulkCutShort,
    #[error("{} already exists and is not empty; choose a new directory", .0.display())]
    TargetNotEmpty(PathBuf),
    /// Internal: the store was written in an older layout (rebuilt on open, never shown).
    #[error("the store was written by an older zhuqi; rebuild it with `zhuqi rebuild`")]
    OldLayout { journal_len: u64 },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> StoreError {
        match e {
            // sled's own text names its backtrace and an offset, nothing a person can act on.
            sled::Error::Corruption { .. } => {
                StoreError::Corrupt("part of it fails its checksum when read back".into())
            }
            // sled's own file cut short or gone (a blob a crash left empty): damage too.
            sled::Error::Io(source)
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::NotFound
                ) =>
            {
                StoreError::Corrupt("part of it is missing or cut short".into())
            }
            sled::Error::Io(source) if disk_full(&source) => StoreError::Io {
                what: "writing the store".into(),
                source,
            },
            other => StoreError::Engine(other.to_string()),
        }
    }
}

/// Why an append did not happen. Either way, nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether an I/O error says the disk (or the user's quota) is full.
pub fn disk_full(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(28 | 122)) // ENOSPC, EDQUOT
        || e.kind() == std::io::ErrorKind::StorageFull
}
