//! What can go wrong at the desk, as data; `crate::strings` says it in the user's language.

use std::path::PathBuf;

use crate::domain::Refusal;
use crate::domain::credit_code::CreditCodeError;
use crate::store::StoreError;

use super::settings::FileError;

#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(
        "this desk is joined to a hub, whose copy of every step sent stands in for the journal: \
         join the hub from a new data directory and sync to have them all again"
    )]
    RewriteOnHub,
    #[error("no appeal {0}")]
    AppealNotFound(String),
    #[error("no steward named {0}")]
    UnknownSteward(String),
    #[error("unknown category {given}")]
    UnknownCategory { given: String, known: Vec<String> },
    #[error("no meeting {0}")]
    UnknownMeeting(String),
    #[error("invalid credit code {given}: {error:?}")]
    CreditCode {
        given: String,
        error: CreditCodeError,
    },
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("not a date: {0}")]
    BadDate(String),
    #[error("not a rating: {0}")]
    BadRating(String),
    #[error("not a status: {0}")]
    UnknownStatus(String),
    #[error("the store disagrees with itself: {}", .0.join("; "))]
    Inconsistent(Vec<String>),
    #[error("{what} already exists: {name}")]
    Exists { what: &'static str, name: String },
    #[error("cannot write {}: {source}; nothing was written there (check the folder exists and is yours, and that the disk has room)", path.display())]
    WriteFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write the urge notice {}: {source}; the urge was not recorded (choose another file, or leave out -o)",
        path.display()
    )]
    NoticeFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the data directory {} cannot be written here (a read-only medium, or another user's): \
         list, show, board, report, export and verify read it; a step needs a desk you can write",
        .0.display()
    )]
    ReadOnlyDataDir(PathBuf),
    #[error("cannot use the data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the period ends ({1}) before it starts ({0})")]
    BadPeriod(String, String),
    #[error("this format is written to a file: give -o FILE")]
    NeedsOutput,
    #[error("not a usable bundle: {0}")]
    BadBundle(String),
    #[error("not a zhuqi bundle")]
    NotABundle,
    #[error("the bundle was written by a newer zhuqi (format {0})")]
    NewerBundle(u32),
    #[error("the bundle is cut short")]
    TruncatedBundle,
    #[error("the bundle was changed after it was written")]
    AlteredBundle,
    #[error(
        "the bundle is not signed (written by an older zhuqi, or by hand): only signed bundles from \
         desks this one trusts are taken in; have it exported again"
    )]
    UnsignedBundle,
    #[error(
        "the bundle is signed by a desk this one does not trust (key {}); if it is the desk you \
         expect, check the key with its officer and run `zhuqi bundle trust NAME {key}`",
        crate::desk::keys::fingerprint(key)
    )]
    UntrustedBundle { key: String },
    #[error("{} cannot be used: {why}", path.display())]
    BadKeyFile { path: PathBuf, why: String },
    #[error(
        "{0:?} is not a desk's public key (64 hex digits, from `zhuqi bundle key` on that desk)"
    )]
    NotAKey(String),
    #[error("the appeal list could not be read to the end")]
    ListUnread,
    #[error("could not work out {0}")]
    Background(String),
    #[error("the demo needs an empty store")]
    DemoNeedsEmpty,
    #[error("a due date of {0} is more than five years ahead; check the date or the working days")]
    ImplausibleDue(chrono::NaiveDate),
    #[error("no data directory could be found; give one with --data-dir or ZHUQI_DATA_DIR")]
    NoDataDir,
    #[error("this desk has no hub; join one with `zhuqi hub join URL`")]
    NoHub,
    #[error(
        "this data directory is desk {joined} on its hub, not {offered}; use another --data-dir"
    )]
    OtherDesk { joined: String, offered: String },
    #[error("cannot keep the hub's address in {}: {source}", path.display())]
    HubFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the hub's event at place {seq} cannot be read ({message}); is this zhuqi older than the others?"
    )]
    HubEventUnreadable { seq: u64, message: String },
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::store::AppendError> for DeskError {
    fn from(e: crate::store::AppendError) -> DeskError {
        match e {
            crate::store::AppendError::Refused(r) => DeskError::Refused(r),
            crate::store::AppendError::Store(s) => DeskError::Store(s),
        }
    }
}
