//! The journal's sealed parts: older lines compressed with zstd in `journal.sealed/`, named by
//! the journal offsets they hold, and the live file's header naming where it starts. Reading
//! from any offset streams the parts it reaches into, then the live file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::ahead::Ahead;
use super::{StoreError, io, line_number, lines_before};

/// Beside the live file: the sealed parts.
pub const SEALED_DIR: &str = "journal.sealed";
/// How the live file's header begins, once parts are sealed.
const HEADER_KEY: &[u8] = br#"{"sealed_to":"#;
/// How much of the journal a sealed part holds, about (it ends with a command).
#[cfg(not(test))]
pub(super) const PART_SIZE: u64 = 16 * 1024 * 1024;
#[cfg(test)]
pub(super) const PART_SIZE: u64 = 4 * 1024;
/// A part's buffer at first: a part runs past `PART_SIZE` to its command's end, which for a
/// bulk write's batch can be a megabyte or two on.
pub(super) const PART_ROOM: usize = PART_SIZE as usize + PART_SIZE as usize / 4;
/// zstd's level for sealed parts: 1, with its default window and no long-distance matching.
/// The journal is the import's largest output (211 MB for 100k appeals) and sealing it was a
/// seventh of the import's CPU: at level 2 with a 16 MiB window and long-distance matching the
/// sealed journal was 27.7 MB, at level 1 without them 38 MB, about a fifth of what the desk
/// keeps, for 0.2-0.3 s less CPU an import (BENCHMARKS.md, eighteenth round).
const SEAL_LEVEL: i32 = 1;
/// How a part being written is named until it is whole.
const TEMPORARY_PREFIX: &str = ".zhuqi-";
const TEMPORARY_SUFFIX: &str = ".partial";
/// Parts compressed at once, at most (one a core).
const SEAL_THREADS: usize = 2;

/// Where the live file starts in the journal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Live {
    /// The journal's offset of the file's first line (0 until parts are sealed).
    pub base: u64,
    /// The bytes of the header line before it.
    pub header: u64,
}

impl Live {
    /// Reads the header of the live file at `path` (none: the file is the whole journal).
    pub fn of(path: &Path) -> Result<Live, StoreError> {
        match File::open(path) {
            Ok(mut f) => Live::read(&mut f, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Live::default()),
            Err(e) => Err(io(format!("opening the journal {}", path.display()))(e)),
        }
    }

    /// Reads the header of the live file open in `file` (at `path`), from its start: a reader
    /// takes the header from the very file it reads, which a seal may replace meanwhile.
    pub(super) fn read(file: &mut File, path: &Path) -> Result<Live, StoreError> {
        let mut head = Vec::with_capacity(64);
        file.seek(SeekFrom::Start(0))
            .and_then(|_| Read::by_ref(file).take(64).read_to_end(&mut head))
            .map_err(io(format!("reading the journal {}", path.display())))?;
        if !head.starts_with(HEADER_KEY) {
            return Ok(Live::default());
        }
        let bad = || StoreError::Journal {
            path: path.to_path_buf(),
            line: 1,
            message: "its header is unreadable".into(),
        };
        let rest = &head[HEADER_KEY.len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if rest.get(digits..digits + 2) != Some(b"}\n") {
            return Err(bad());
        }
        let base = std::str::from_utf8(&rest[..digits])
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(bad)?;
        Ok(Live {
            base,
            header: (HEADER_KEY.len() + digits + 2) as u64,
        })
    }

    /// The journal's length when the live file holds `file_len` bytes.
    pub(super) fn journal_len(&self, file_len: u64) -> u64 {
        self.base + file_len.saturating_sub(self.header)
    }

    /// Where the journal's offset `at` (at or past the base) is in the live file.
    pub(super) fn in_file(&self, at: u64) -> u64 {
        at.saturating_sub(self.base) + self.header
    }
}

/// How long the journal at `path` is, its sealed parts included (missing: 0).
pub fn journal_len(path: &Path) -> Result<u64, StoreError> {
    let live = Live::of(path)?;
    let file = std::fs::metadata(path).map_or(0, |m| m.len());
    Ok(live.journal_len(file))
}

/// Seals the live file's commands up to `len` (the journal's offset where its last whole
/// command ends) into a compressed part, and starts the live file anew after them. The caller
/// holds the desk lock and opens the journal again after. Killed at any point, the journal
/// reads the same: the live file is replaced last, in one rename, and a part written for a
/// seal that did not finish lies past the live file's base, unread, until a later seal
/// writes it again.
pub fn seal(path: &Path, len: u64) -> Result<(), StoreError> {
    seal_after(path, len, None)
}

/// Seals as [`seal`] does, taking the parts written `ahead` of it (`ahead.rs`) as they are when
/// they were cut from this live file, from its base, and end by `len`; else they are written
/// anew with the rest.
pub fn seal_after(path: &Path, len: u64, ahead: Option<Ahead>) -> Result<(), StoreError> {
    let live = Live::of(path)?;
    let dir = sealed_dir(path);
    let ahead = match ahead.filter(|a| a.goes_with(live, len, &dir)) {
        // Sealing ahead began by making the folder ready.
        Some(ahead) => ahead,
        None => {
            make_ready(path, live)?;
            Ahead::none(live)
        }
    };
    // Parts from the base on are left by a seal that was stopped: copies of what the live file
    // still holds. A part half-written when a process was killed is left under its temporary
    // name (the desk lock keeps any other process from writing one now).
    for entry in std::fs::read_dir(&dir).map_err(io(format!("reading {}", dir.display())))? {
        let entry = entry.map_err(io(format!("reading {}", dir.display())))?;
        let name = entry.file_name();
        let name = name.to_str().unwrap_or_default();
        let stale = part_range(name)
            .is_some_and(|range| range.0 >= live.base && !ahead.parts.contains(&range))
            || (name.starts_with(TEMPORARY_PREFIX) && name.ends_with(TEMPORARY_SUFFIX));
        if stale {
            std::fs::remove_file(entry.path())
                .map_err(io(format!("removing {}", entry.path().display())))?;
        }
    }
    // Parts of about PART_SIZE, each ending with a command: a read from an offset inside the
    // sealed journal unpacks at most one part's start before it (the hub's outbox of a desk
    // that imported a ledger reads the journal page by page from there).
    let mut source = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    source
        .seek(SeekFrom::Start(live.in_file(ahead.end)))
        .map_err(io(format!("reading {}", path.display())))?;
    let mut source = BufReader::with_capacity(1 << 20, source.take(len - ahead.end));
    // Each part is a zstd frame of its own: they are cut here and compressed side by side on
    // the machine's cores (a seal of the 100k import's journal is 13 parts).
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(SEAL_THREADS));
    std::thread::scope(|scope| -> Result<(), StoreError> {
        // No room in the channel: a part cut while each worker compresses one, no more in
        // memory. The workers own the receiver: once they have all stopped, a send fails.
        let (send, parts) = std::sync::mpsc::sync_channel::<(u64, Vec<u8>)>(0);
        let parts = std::sync::Arc::new(std::sync::Mutex::new(parts));
        // A part's buffer comes back once it is written, for the next part: a new one each
        // time was memory fresh from the system, zeroed by it page by page (a fifth of a
        // seal's time went there and to growing each buffer).
        let (give_back, given_back) = std::sync::mpsc::channel::<Vec<u8>>();
        let compressing: Vec<_> = (0..workers)
            .map(|_| {
                let (parts, dir, give_back) = (parts.clone(), &dir, give_back.clone());
                scope.spawn(move || -> Result<(), StoreError> {
                    loop {
                        // The lock is let go before the part is compressed (a `while let` would
                        // hold it through the body, one part at a time).
                        let next = parts.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        let Ok((at, bytes)) = next else {
                            return Ok(());
                        };
                        write_part(dir, at, &bytes)?;
                        // The cutter may be done and gone: the buffer is then just let go.
                        let _ = give_back.send(bytes);
                    }
                })
            })
            .collect();
        drop((parts, give_back));
        let cut = send_parts(&mut source, path, ahead.end..len, &send, &given_back);
        drop(send);
        let mut compressed = Ok(());
        for worker in compressing {
            // A panic there is a bug: it goes on here, as it would have on this thread.
            let done = worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            if compressed.is_ok() {
                compressed = done;
            }
        }
        compressed.and(cut)
    })?;
    sync_dir(&dir)?;
    // The live file anew, in one rename: its header, then what came after the sealed commands
    // (nothing: the store holds its writer while it seals).
    let mut body = format!("{{\"sealed_to\":{len}}}\n").into_bytes();
    let mut source = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    source
        .seek(SeekFrom::Start(live.in_file(len)))
        .and_then(|_| source.read_to_end(&mut body))
        .map_err(io(format!("reading {}", path.display())))?;
    crate::desk::paths::write_private(path, &body)
        .map_err(io(format!("replacing {}", path.display())))
}

/// Makes the folder of sealed parts ready for the live file at `path` to be sealed.
pub(super) fn make_ready(path: &Path, live: Live) -> Result<(), StoreError> {
    let dir = sealed_dir(path);
    if live.base == 0 && dir.exists() {
        // Parts of a journal that was written anew since: nothing reads them.
        let aside = crate::store::aside(
            path.parent().unwrap_or(Path::new(".")),
            "journal.sealed.old",
        );
        std::fs::rename(&dir, &aside).map_err(io(format!("moving {} aside", dir.display())))?;
    }
    crate::desk::paths::create_private_dir(&dir).map_err(io(format!("creating {}", dir.display())))
}

/// Cuts the journal's bytes `range` from `source` into parts and sends each with its offset;
/// stops early when no worker is left to take one (their errors say why).
fn send_parts(
    source: &mut impl BufRead,
    path: &Path,
    range: std::ops::Range<u64>,
    send: &std::sync::mpsc::SyncSender<(u64, Vec<u8>)>,
    given_back: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Result<(), StoreError> {
    let mut at = range.start;
    while at < range.end {
        let mut part = given_back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(PART_ROOM));
        cut_part(source, path, &mut part)?;
        if part.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "{} is shorter than the journal says",
                path.display()
            )));
        }
        let n = part.len() as u64;
        if send.send((at, part)).is_err() {
            break;
        }
        at += n;
    }
    Ok(())
}

/// Reads the next part's bytes from `source` into `part`: whole lines, up to the first end of
/// a command at or past `PART_SIZE`. Whether it came to one (not: the source ended first).
pub(super) fn cut_part(
    source: &mut impl BufRead,
    path: &Path,
    part: &mut Vec<u8>,
) -> Result<bool, StoreError> {
    // The message is made only if reading fails (made for every line, it took a twentieth of
    // sealing).
    let reading = |e: std::io::Error| io(format!("reading {}", path.display()))(e);
    part.clear();
    // No part ends before `PART_SIZE`: that much is read at once, not line by line.
    source
        .by_ref()
        .take(PART_SIZE)
        .read_to_end(part)
        .map_err(reading)?;
    if (part.len() as u64) < PART_SIZE {
        return Ok(false);
    }
    // The line that reaches `PART_SIZE`, from its start: whole already if the read ended
    // with it.
    let whole = part.ends_with(b"\n");
    let mut line_start = match whole {
        true => &part[..part.len() - 1],
        false => &part[..],
    }
    .iter()
    .rposition(|&b| b == b'\n')
    .map_or(0, |i| i + 1);
    if whole {
        if ends_command(&part[line_start..]) {
            return Ok(true);
        }
        line_start = part.len();
    }
    loop {
        let n = source.read_until(b'\n', part).map_err(reading)?;
        if n == 0 {
            return Ok(false);
        }
        if ends_command(&part[line_start..]) {
            return Ok(true);
        }
        line_start = part.len();
    }
}

/// Writes `bytes`, the journal's from `at`, as a sealed part in `dir`: compressed under a
/// temporary name (owner only, gone if this stops half-way), synced, then named.
pub(super) fn write_part(dir: &Path, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
    let mut temp = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .suffix(TEMPORARY_SUFFIX)
        .tempfile_in(dir)
        .map_err(io(format!("creating a file in {}", dir.display())))?;
    let what = format!("writing {}", temp.path().display());
    let writing = |e: std::io::Error| StoreError::Io {
        what: what.clone(),
        source: e,
    };
    {
        let mut encoder =
            zstd::stream::write::Encoder::new(temp.as_file_mut(), SEAL_LEVEL).map_err(writing)?;
        encoder.include_checksum(true).map_err(writing)?;
        encoder.write_all(bytes).map_err(writing)?;
        encoder.finish().map_err(writing)?;
    }
    temp.as_file().sync_all().map_err(writing)?;
    let part = dir.join(part_name(at, at + bytes.len() as u64));
    temp.persist(&part)
        .map_err(|e| io(format!("naming {}", part.display()))(e.error))?;
    Ok(())
}

/// Whether a whole line of the journal is the last of its command.
fn ends_command(line: &[u8]) -> bool {
    let head = &line[..line.len().min(24)];
    line.ends_with(b"\n") && !head.windows(11).any(|w| w == br#""more":true"#)
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("syncing {}", dir.display())))
}

/// A sealed part: the journal's bytes from `start` to `end`.
struct Sealed {
    start: u64,
    end: u64,
    path: PathBuf,
}

/// The sealed parts that hold the journal before `base`, in order: they must join from 0.
fn sealed_parts(journal: &Path, base: u64) -> Result<Vec<Sealed>, StoreError> {
    if base == 0 {
        return Ok(Vec::new());
    }
    let dir = sealed_dir(journal);
    let mut found: std::collections::HashMap<u64, Vec<Sealed>> = Default::default();
    let entries = std::fs::read_dir(&dir).map_err(io(format!("reading {}", dir.display())))?;
    for entry in entries {
        let entry = entry.map_err(io(format!("reading {}", dir.display())))?;
        let name = entry.file_name();
        let Some((start, end)) = name.to_str().and_then(part_range) else {
            continue;
        };
        found.entry(start).or_default().push(Sealed {
            start,
            end,
            path: entry.path(),
        });
    }
    let mut parts = Vec::new();
    let mut at = 0;
    while at < base {
        // A part written by a seal that was stopped before the live file was replaced reaches
        // past the base: not this journal's.
        let next = found.remove(&at).and_then(|candidates| {
            candidates
                .into_iter()
                .filter(|p| p.end > at && p.end <= base)
                .max_by_key(|p| p.end)
        });
        match next {
            Some(part) => {
                at = part.end;
                parts.push(part);
            }
            None => return Err(StoreError::SealedPartMissing { dir, from: at }),
        }
    }
    Ok(parts)
}

pub(super) fn sealed_dir(journal: &Path) -> PathBuf {
    journal.with_file_name(SEALED_DIR)
}

/// A sealed part's name: `{start}-{end}.jsonl.zst`, both 20 digits.
pub(super) fn part_name(start: u64, end: u64) -> String {
    format!("{start:020}-{end:020}.jsonl.zst")
}

pub(super) fn part_range(name: &str) -> Option<(u64, u64)> {
    let (start, end) = name.strip_suffix(".jsonl.zst")?.split_once('-')?;
    Some((start.parse().ok()?, end.parse().ok()?))
}

/// The journal from `offset` on as one stream: the sealed parts it reaches into, decompressed,
/// then the live file past its header.
pub(super) fn stream_from(
    path: &Path,
    offset: u64,
) -> Result<(Box<dyn Read + Send>, Live), StoreError> {
    let mut file = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    let live = Live::read(&mut file, path)?;
    let mut stream: Box<dyn Read + Send> = Box::new(std::io::empty());
    // A read from the live file on (replay, the hub's outbox) does not look at the parts.
    let parts = match offset < live.base {
        true => sealed_parts(path, live.base)?,
        false => Vec::new(),
    };
    for part in parts {
        if part.end <= offset {
            continue;
        }
        let file =
            File::open(&part.path).map_err(io(format!("opening {}", part.path.display())))?;
        let decoder = zstd::stream::read::Decoder::new(file)
            .map_err(io(format!("reading {}", part.path.display())))?;
        let mut reader = PartReader {
            inner: decoder,
            read: 0,
            expected: part.end - part.start,
            path: part.path,
        };
        let skip = offset.saturating_sub(part.start);
        std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink())
            .map_err(reading(path))?;
        stream = Box::new(stream.chain(reader));
    }
    file.seek(SeekFrom::Start(live.in_file(offset.max(live.base))))
        .map_err(io(format!("reading {}", path.display())))?;
    Ok((Box::new(stream.chain(file)), live))
}

/// A sealed part as it is read: its errors name it, and it must hold as many bytes as its name
/// says (the journal's offsets after it rest on that).
struct PartReader<R> {
    inner: R,
    read: u64,
    expected: u64,
    path: PathBuf,
}

impl<R: Read> Read for PartReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let damaged = |why: String| {
            std::io::Error::other(Damaged {
                path: self.path.clone(),
                why,
            })
        };
        let n = self.inner.read(buf).map_err(|e| damaged(e.to_string()))?;
        self.read += n as u64;
        if (n == 0 && !buf.is_empty() && self.read != self.expected) || self.read > self.expected {
            return Err(damaged(format!(
                "it holds {} bytes, its name says {}",
                self.read, self.expected
            )));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct Damaged {
    path: PathBuf,
    why: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.why)
    }
}

impl std::error::Error for Damaged {}

/// A failed read of the journal at `path`: a damaged sealed part is named as such.
pub(super) fn reading(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let what = format!("reading {}", path.display());
    move |e| match e.get_ref().and_then(|i| i.downcast_ref::<Damaged>()) {
        Some(d) => StoreError::SealedPartDamaged {
            path: d.path.clone(),
            why: d.why.clone(),
        },
        None => StoreError::Io { what, source: e },
    }
}

/// The file and 1-based line holding the journal's byte `pos`, for messages.
pub(super) fn line_at(path: &Path, live: Live, pos: u64) -> (PathBuf, usize) {
    if pos >= live.base {
        return (path.to_path_buf(), line_number(path, live.in_file(pos)));
    }
    let part = sealed_parts(path, live.base)
        .ok()
        .and_then(|parts| parts.into_iter().find(|p| p.start <= pos && pos < p.end));
    let Some(part) = part else {
        return (sealed_dir(path), 0);
    };
    let line = File::open(&part.path)
        .and_then(zstd::stream::read::Decoder::new)
        .map_or(0, |d| lines_before(d, pos - part.start));
    (part.path, line)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::read_commands;
    use super::{Live, SEALED_DIR, TEMPORARY_PREFIX, TEMPORARY_SUFFIX, journal_len, part_name};
    use crate::domain::AppealChange;
    use crate::store::SEAL_AT;
    use crate::store::tests::{capture, event};
    use crate::store::*;

    pub(in super::super) type Commands = Vec<(Vec<u128>, u64)>;

    /// Every command from `offset` on: its events' ids and the offset after it.
    pub(in super::super) fn commands(path: &Path, offset: u64) -> Result<Commands, StoreError> {
        let mut out = Vec::new();
        read_commands(path, offset, |events, end| {
            out.push((events.iter().map(|e| e.id.0).collect(), end));
            Ok(())
        })?;
        Ok(out)
    }

    /// A store with `n` appeals, each captured and listed (two commands).
    pub(in super::super) fn store_with(
        dir: &Path,
        n: u128,
        first: u128,
    ) -> Result<Store, Box<dyn std::error::Error>> {
        let (store, _) = Store::open(dir)?;
        for i in first..first + n {
            let a = ulid::Ulid(i * 1000);
            store.append(vec![capture(a, i * 1000 + 1)])?;
            store.append(vec![event(a, i * 1000 + 2, AppealChange::Listed)])?;
        }
        Ok(store)
    }

    /// The sealed parts' ranges; they must join, from 0 to `to`.
    pub(in super::super) fn joined_to(dir: &Path, to: u64) -> Vec<(u64, u64)> {
        let mut ranges: Vec<(u64, u64)> = parts(dir)
            .iter()
            .filter_map(|n| super::part_range(n))
            .collect();
        ranges.sort();
        let mut at = 0;
        for (start, end) in &ranges {
            assert_eq!(*start, at, "{ranges:?}");
            at = *end;
        }
        assert_eq!(at, to, "{ranges:?}");
        ranges
    }

    pub(in super::super) fn parts(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(SEALED_DIR))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_sealed_journal_reads_the_same_from_every_offset_and_goes_on()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let store = store_with(dir.path(), 20, 1)?;
        let before = commands(&path, 0)?;
        let len = store.journal_len();
        store.seal_journal_if_long(1);
        // Parts of about 4 KiB here, each ending with a command.
        let ranges = joined_to(dir.path(), len);
        assert!(ranges.len() >= 2);
        for (_, end) in &ranges {
            assert!(before.iter().any(|c| c.1 == *end), "{end} ends no command");
        }
        let head = std::fs::read(&path)?;
        assert_eq!(head, format!("{{\"sealed_to\":{len}}}\n").into_bytes());
        assert_eq!(journal_len(&path)?, len);
        // From the start, and from the end of each command (inside the sealed part).
        assert_eq!(commands(&path, 0)?, before);
        for (i, (_, end)) in before.iter().enumerate() {
            assert_eq!(commands(&path, *end)?, before[i + 1..].to_vec());
        }
        // Steps go on after it, at the journal's own offsets; sealed again, two parts join.
        let b = ulid::Ulid(99_000);
        store.append(vec![capture(b, 99_001)])?;
        assert!(store.journal_len() > len);
        let all = commands(&path, 0)?;
        assert_eq!(all[..before.len()], before[..]);
        assert_eq!(all.last().map(|c| c.0.clone()), Some(vec![99_001]));
        assert_eq!(all.last().map(|c| c.1), Some(store.journal_len()));
        let len2 = store.journal_len();
        let before_second = joined_to(dir.path(), len);
        store.seal_journal_if_long(1);
        assert_eq!(
            joined_to(dir.path(), len2)[..before_second.len()],
            before_second[..]
        );
        assert_eq!(commands(&path, 0)?, all);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        drop(store);
        // Opened again, nothing to replay; laid out anew, the same appeals.
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report.replayed, 0);
        let listed = |s: &Store| -> Result<Vec<String>, StoreError> {
            s.summaries().map(|a| a.map(|a| format!("{a:?}"))).collect()
        };
        let shown = listed(&store)?;
        assert_eq!(shown.len(), 21);
        drop(store);
        let (store, _) = Store::rebuild(dir.path())?;
        assert_eq!(listed(&store)?, shown);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn a_seal_stopped_before_the_live_file_was_replaced_changes_nothing()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let store = store_with(dir.path(), 3, 1)?;
        store.seal_journal_if_long(1);
        let a = ulid::Ulid(50_000);
        store.append(vec![capture(a, 50_001)])?;
        let live = std::fs::read(&path)?;
        let before = commands(&path, 0)?;
        let len = store.journal_len();
        // The seal's part written, then stopped: the live file as it was.
        store.seal_journal_if_long(1);
        std::fs::write(&path, &live)?;
        drop(store);
        let sealed_first = parts(dir.path()).len() - 1;
        assert!(sealed_first >= 1);
        let (store, _) = Store::open(dir.path())?;
        assert_eq!(store.journal_len(), len);
        assert_eq!(commands(&path, 0)?, before);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        // Sealed again, the part it left is written anew.
        store.append(vec![event(a, 50_002, AppealChange::Listed)])?;
        store.seal_journal_if_long(1);
        assert_eq!(parts(dir.path()).len(), sealed_first + 1);
        joined_to(dir.path(), store.journal_len());
        assert_eq!(commands(&path, 0)?.len(), before.len() + 1);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn after_a_seal_a_torn_tail_is_cut_and_a_bulk_write_undone_at_the_journals_offsets()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let store = store_with(dir.path(), 3, 1)?;
        store.seal_journal_if_long(1);
        let len = store.journal_len();
        // A bulk write left unfinished, then a torn line after it.
        store.begin_bulk()?;
        store.append(vec![capture(ulid::Ulid(70_000), 70_001)])?;
        drop(store);
        let mut f = std::fs::OpenOptions::new().append(true).open(&path)?;
        std::io::Write::write_all(&mut f, br#"{"v":2,"more":true"#)?;
        drop(f);
        let (store, report) = Store::open(dir.path())?;
        assert!(report.undone_bulk.is_some());
        assert_eq!(store.journal_len(), len);
        assert_eq!(journal_len(&path)?, len);
        assert_eq!(store.appeal_count(), 3);
        assert_eq!(commands(&path, 0)?.len(), 6);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn a_part_left_half_written_by_a_killed_process_goes_at_the_next_seal()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store_with(dir.path(), 30, 1)?;
        store.seal_journal_now()?;
        let sealed = parts(dir.path());
        let left = dir
            .path()
            .join(SEALED_DIR)
            .join(format!("{TEMPORARY_PREFIX}a1b2c3{TEMPORARY_SUFFIX}"));
        std::fs::write(&left, b"(\xb5/\xfd half a frame")?;
        let other = dir.path().join(SEALED_DIR).join("notes.txt");
        std::fs::write(&other, b"not ours to remove")?;
        let store = {
            drop(store);
            store_with(dir.path(), 30, 100)?
        };
        store.seal_journal_now()?;
        assert!(!left.exists());
        assert!(other.exists());
        std::fs::remove_file(&other)?;
        let now = parts(dir.path());
        assert!(
            now.len() > sealed.len() && now.starts_with(&sealed),
            "{now:?}"
        );
        joined_to(dir.path(), store.journal_len());
        Ok(())
    }

    #[test]
    fn a_damaged_or_missing_sealed_part_is_named() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let store = store_with(dir.path(), 3, 1)?;
        let len = store.journal_len();
        store.seal_journal_if_long(1);
        drop(store);
        let first = joined_to(dir.path(), len)[0];
        let part = dir
            .path()
            .join(SEALED_DIR)
            .join(part_name(first.0, first.1));
        let mut bytes = std::fs::read(&part)?;
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        std::fs::write(&part, &bytes)?;
        let damaged = commands(&path, 0).map(|_| ()).map_err(|e| e.to_string());
        assert!(
            damaged
                .as_ref()
                .is_err_and(|e| e.contains(&part_name(first.0, first.1)) && e.contains("damaged")),
            "{damaged:?}"
        );
        std::fs::remove_file(&part)?;
        let missing = commands(&path, 0).map(|_| ()).map_err(|e| e.to_string());
        assert!(
            missing
                .as_ref()
                .is_err_and(|e| e.contains("sealed part from byte 0 is missing")),
            "{missing:?}"
        );
        Ok(())
    }

    #[test]
    fn a_bulk_write_that_makes_the_journal_long_seals_it_at_its_end()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let (store, _) = Store::open(dir.path())?;
        store.begin_bulk()?;
        let mut n = 0;
        while journal_len(&path)? < SEAL_AT {
            n += 1;
            store.append(vec![capture(ulid::Ulid(n * 1000), n * 1000 + 1)])?;
        }
        // The live file is not replaced while the bulk write goes on: undoing it cuts the live
        // file back (parts may be sealed ahead, `ahead.rs`).
        assert_eq!(Live::of(&path)?, Live::default());
        let len = store.journal_len();
        store.end_bulk()?;
        joined_to(dir.path(), len);
        // Grown long again by steps, it is sealed when the desk next opens, and the opening
        // says so.
        while store.journal_len() < len + SEAL_AT {
            n += 1;
            store.append(vec![capture(ulid::Ulid(n * 1000), n * 1000 + 1)])?;
        }
        let grown = store.journal_len();
        drop(store);
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report.sealed_to, Some(grown));
        joined_to(dir.path(), grown);
        drop(store);
        let (store, report) = Store::open(dir.path())?;
        assert_eq!(report.sealed_to, None, "nothing new to seal");
        assert_eq!(
            std::fs::metadata(&path)?.len(),
            format!("{{\"sealed_to\":{len}}}\n").len() as u64
        );
        assert_eq!(commands(&path, 0)?.len() as u128, n);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        Ok(())
    }

    #[test]
    fn a_journal_written_anew_sets_the_old_parts_aside_and_is_sealed_anew()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(JOURNAL_FILE);
        let store = store_with(dir.path(), 20, 1)?;
        store.seal_journal_if_long(1);
        let events = |p: &Path| -> Result<usize, StoreError> {
            Ok(commands(p, 0)?.iter().map(|c| c.0.len()).sum())
        };
        let before = events(&path)?;
        drop(store);
        let rewritten = Store::rewrite_journal(dir.path())?;
        assert_eq!(rewritten.events, before);
        // The new journal is whole and plain; the old parts went beside the old journal.
        assert!(!dir.path().join(SEALED_DIR).exists());
        let aside: Vec<String> = std::fs::read_dir(dir.path())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("journal.sealed.replaced"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert!(!std::fs::read(&path)?.starts_with(b"{\"sealed_to\""));
        let (store, _) = Store::open(dir.path())?;
        assert_eq!(events(&path)?, before);
        assert!(store.verify()?.is_empty(), "{:?}", store.verify()?);
        store.seal_journal_if_long(1);
        joined_to(dir.path(), store.journal_len());
        assert_eq!(events(&path)?, before);
        Ok(())
    }

    #[test]
    fn a_backup_carries_the_sealed_parts() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = store_with(dir.path(), 3, 1)?;
        store.seal_journal_if_long(1);
        let target = tempfile::tempdir()?;
        let copy = target.path().join("copy");
        store.backup(&copy, &[])?;
        drop(store);
        let (copied, _) = Store::open(&copy)?;
        assert_eq!(copied.appeal_count(), 3);
        assert_eq!(commands(&copy.join(JOURNAL_FILE), 0)?.len(), 6);
        assert!(copied.verify()?.is_empty(), "{:?}", copied.verify()?);
        Ok(())
    }

    /// A part cut line by line, as `cut_part` did before it read the first `PART_SIZE` bytes at
    /// once: the property test below holds the two to the same parts.
    fn cut_line_by_line(source: &mut impl std::io::BufRead, part: &mut Vec<u8>) -> bool {
        part.clear();
        loop {
            let line_start = part.len();
            match source.read_until(b'\n', part) {
                Ok(0) | Err(_) => return false,
                Ok(_) => {}
            }
            if part.len() as u64 >= super::PART_SIZE && super::ends_command(&part[line_start..]) {
                return true;
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn parts_are_cut_where_they_were_cut_line_by_line(
            // Lines of commands of one to four lines, some of them long, and a last line
            // that may be torn; lengths near the part's size make a line end right on it.
            lines in proptest::collection::vec((1usize..5, 1usize..1500), 1..40),
            torn in proptest::option::of(1usize..200),
        ) {
            let mut journal = Vec::new();
            for (i, (in_command, length)) in lines.iter().enumerate() {
                for n in 0..*in_command {
                    let more = if n + 1 < *in_command { r#","more":true"# } else { "" };
                    let head = format!("{{\"v\":2{more},\"id\":{i}");
                    let pad = length.saturating_sub(head.len() + 2);
                    journal.extend_from_slice(head.as_bytes());
                    journal.extend(std::iter::repeat_n(b'x', pad));
                    journal.extend_from_slice(b"}\n");
                }
            }
            if let Some(torn) = torn {
                journal.extend(std::iter::repeat_n(b'y', torn));
            }
            let (mut new, mut old) = (journal.as_slice(), journal.as_slice());
            let (mut a, mut b) = (Vec::new(), Vec::new());
            loop {
                let whole = super::cut_part(&mut new, Path::new("journal"), &mut a);
                let whole_before = cut_line_by_line(&mut old, &mut b);
                proptest::prop_assert_eq!(whole.ok(), Some(whole_before));
                proptest::prop_assert_eq!(&a, &b);
                if !whole_before {
                    break;
                }
            }
        }
    }
}
