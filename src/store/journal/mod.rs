//! The journal: the write-ahead record of every event, one JSON object a line, appended and
//! fsynced before the store commits. The events of one command are written together; every line
//! but the command's last says `"more":true`, so a command torn by a crash is recognised whole.
//! Each line ends with its checksum (`"ck"`, format 2 on): a line changed or damaged in the
//! middle of the journal is named, never replayed as if it were right.
//!
//! A long journal is sealed in parts (`journal.sealed/`, once the live file holds 64 MiB: when
//! a desk opens, a bulk write ends or a sync has pulled): each part is the journal's exact bytes from one offset to another,
//! compressed with zstd (checksummed), named by the two offsets. The live file then begins with
//! a header line naming the offset its first line has in the journal (`{"sealed_to":N}`), so
//! every offset — the store's, the hub's, a bulk write's mark — stays the journal's own, and
//! every reader here reads the parts and the live file as one (`sealed.rs`).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::StoreError;
use crate::domain::Event;

mod ahead;
mod sealed;
pub use ahead::{Ahead, SealAhead, remove as remove_sealed_ahead};
pub use sealed::{Live, SEALED_DIR, journal_len, seal, seal_after};
use sealed::{line_at, reading, stream_from};

pub const JOURNAL_VERSION: u32 = 2;

/// `,"ck":"` + 16 hex digits + `"}`: how every line of format 2 ends.
const CHECK_TAIL: usize = 7 + 16 + 2;

#[derive(Deserialize)]
struct Line {
    v: u32,
    #[serde(default)]
    more: bool,
    /// Checked before the line is read (see [`check`]).
    #[serde(default, rename = "ck")]
    _ck: Option<String>,
    #[serde(flatten)]
    event: Event,
}

/// The checksum of a line's body: the first 8 bytes of its SHA-256, in hex.
fn checksum(body: &[u8]) -> [u8; 16] {
    use sha2::Digest;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = sha2::Sha256::digest(body);
    let mut hex = [0u8; 16];
    for (i, b) in digest[..8].iter().enumerate() {
        hex[2 * i] = HEX[usize::from(b >> 4)];
        hex[2 * i + 1] = HEX[usize::from(b & 0xf)];
    }
    hex
}

/// Reads one line (without its newline), its checksum checked first. Lines of format 1 (before
/// checksums) have none and are read as they are.
fn parse(raw: &[u8]) -> Result<Line, String> {
    let tail_at = raw.len().saturating_sub(CHECK_TAIL);
    let tail = &raw[tail_at..];
    let checked =
        raw.len() > CHECK_TAIL && tail.starts_with(br#","ck":""#) && tail.ends_with(br#""}"#);
    if checked {
        let mut body = raw[..tail_at].to_vec();
        body.push(b'}');
        if checksum(&body) != tail[7..23] {
            return Err(
                "its checksum does not match: the line was changed or damaged after it was written"
                    .to_string(),
            );
        }
    }
    let line: Line = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    if !checked && line.v >= 2 {
        return Err("it has no checksum: the line was changed after it was written".to_string());
    }
    Ok(line)
}

pub struct Journal {
    file: File,
    path: PathBuf,
    /// Where the last whole command ends: all the journal holds, as far as the desk is concerned.
    len: u64,
    /// Where the live file's first line is in the journal, and the bytes of its header.
    live: Live,
    /// A write failed and what it left could not be cut off yet: looked at before the next one.
    dirty: bool,
    /// Sealing ahead during a bulk write (`ahead.rs`), told each length the journal reaches.
    ahead: Option<SealAhead>,
    /// Where a command's lines are made, kept from one to the next (`append_events`).
    lines: Vec<u8>,
    /// Bytes the next writes may put down before failing, as a full disk would (tests).
    #[cfg(test)]
    pub(super) fail_after: Option<usize>,
    /// Cuttings that fail (tests).
    #[cfg(test)]
    pub(super) fail_cuts: u32,
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

/// The most room for lines kept from one command to the next (an import's batch of 1,000
/// appeals takes about 5 MiB).
const KEPT_LINES: usize = 32 << 20;

/// About what a line takes, a capture's more and a step's less.
const LINE_BYTES: usize = 512;

/// The lines of one command, ready to append.
pub fn encode(events: &[Event]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::new();
    encode_into(events, &mut out)?;
    Ok(out)
}

/// Appends the lines of one command to `out`.
fn encode_into(events: &[Event], out: &mut Vec<u8>) -> Result<(), StoreError> {
    // A line takes 350 bytes on average in an import of 100k: sized once, a batch's lines are
    // not copied again and again as they grow.
    out.reserve(events.len() * LINE_BYTES);
    for (i, event) in events.iter().enumerate() {
        // The line is `LineOut` as serde would write it, its event's fields after `v` and
        // `more`; written by hand, since serde's flattening took a tenth of an import's
        // journaling. A test holds the two to the same bytes.
        let start = out.len();
        std::io::Write::write_fmt(out, format_args!("{{\"v\":{JOURNAL_VERSION}"))
            .map_err(|e| StoreError::Corrupt(format!("cannot encode an event: {e}")))?;
        if i + 1 < events.len() {
            out.extend_from_slice(br#","more":true"#);
        }
        let event_at = out.len();
        // What was said is kept, with the invisible and control characters escaped.
        crate::text::push_json(out, &event.as_text())
            .map_err(|e| StoreError::Corrupt(format!("cannot encode an event: {e}")))?;
        // The event's own opening brace: its fields go on from the header's.
        out[event_at] = b',';
        let ck = checksum(&out[start..]);
        // The body's closing brace goes after the checksum.
        out.pop();
        out.extend_from_slice(br#","ck":""#);
        out.extend_from_slice(&ck);
        out.extend_from_slice(b"\"}\n");
    }
    Ok(())
}

/// Where reading a journal stopped.
pub struct Tail {
    /// Offset just after the last complete command.
    pub end: u64,
    /// Bytes after `end` that do not form a complete command (a write torn by a crash).
    pub torn: u64,
}

impl Journal {
    pub fn open(path: &Path) -> Result<Journal, StoreError> {
        let mut options = OpenOptions::new();
        options.create(true).append(true).read(true);
        // It names people: readable by its owner only, whatever the umask.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(io(format!("opening the journal {}", path.display())))?;
        let len = file
            .metadata()
            .map_err(io(format!("reading the journal {}", path.display())))?
            .len();
        let live = Live::read(&mut file, path)?;
        Ok(Journal {
            file,
            path: path.to_path_buf(),
            len: live.journal_len(len),
            live,
            dirty: false,
            ahead: None,
            lines: Vec::new(),
            #[cfg(test)]
            fail_after: None,
            #[cfg(test)]
            fail_cuts: 0,
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes of whole commands in the live file (what sealing it would take).
    pub fn live_len(&self) -> u64 {
        self.len - self.live.base
    }

    /// Appends one command's lines and waits until they are on disk. Should that fail (a full
    /// disk), whatever part of them reached the file is cut off again, so the journal ends with
    /// its last whole command; if even that fails, it is done before the next write.
    pub fn append(&mut self, lines: &[u8]) -> Result<u64, StoreError> {
        self.recheck()?;
        if let Err(e) = self.write_synced(lines) {
            let what = format!("writing the journal {}", self.path.display());
            self.dirty = true;
            if let Err(cut) = self.cut_to(self.len) {
                tracing::warn!(error = %cut, "a failed journal write could not be cut off yet");
            }
            return Err(io(what)(e));
        }
        self.len += lines.len() as u64;
        if let Some(ahead) = &self.ahead {
            ahead.reached(self.len);
        }
        Ok(self.len)
    }

    /// Appends one command's events, as `append(&encode(events)?)` does, its lines made where
    /// the last command's were: a bulk write's batch of lines takes megabytes, which came fresh
    /// from the system for each batch, page by page.
    pub fn append_events(&mut self, events: &[Event]) -> Result<u64, StoreError> {
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        let appended = encode_into(events, &mut lines).and_then(|()| self.append(&lines));
        // A batch's kept for the next; anything larger given back.
        if lines.capacity() <= KEPT_LINES {
            self.lines = lines;
        }
        appended
    }

    /// Starts sealing the journal ahead as it grows (a bulk write begins): see `ahead.rs`.
    pub fn seal_ahead(&mut self) -> Result<(), StoreError> {
        self.ahead = Some(SealAhead::start(&self.path)?);
        Ok(())
    }

    /// Stops sealing ahead once the part in hand is written; the parts written, if it was.
    pub fn stop_sealing_ahead(&mut self) -> Option<Result<Ahead, StoreError>> {
        self.ahead.take().map(SealAhead::finish)
    }

    fn write_synced(&mut self, lines: &[u8]) -> std::io::Result<()> {
        #[cfg(test)]
        if let Some(room) = self.fail_after {
            let part = room.min(lines.len());
            self.file.write_all(&lines[..part])?;
            self.fail_after = Some(room - part);
            if part < lines.len() {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
        }
        self.file.write_all(lines)?;
        self.file.sync_data()
    }

    /// Before a write: the file must end where the last whole command does. Bytes a failed
    /// write left are cut off; a file shorter than that was cut by someone else.
    fn recheck(&mut self) -> Result<(), StoreError> {
        let found = self
            .file
            .metadata()
            .map_err(io(format!("reading the journal {}", self.path.display())))?
            .len();
        let found = self.live.journal_len(found);
        if found < self.len {
            return Err(StoreError::JournalBehind {
                journal: found,
                applied: self.len,
            });
        }
        if found > self.len || self.dirty {
            self.cut_to(self.len)?;
        }
        Ok(())
    }

    fn cut_to(&mut self, len: u64) -> Result<(), StoreError> {
        let what = format!("cutting the journal {} back", self.path.display());
        #[cfg(test)]
        if self.fail_cuts > 0 {
            self.fail_cuts -= 1;
            return Err(io(what)(std::io::Error::from_raw_os_error(28)));
        }
        self.file
            .set_len(self.live.in_file(len))
            .map_err(io(what.clone()))?;
        self.file.sync_all().map_err(io(what))?;
        self.dirty = false;
        Ok(())
    }

    /// Cuts the journal back to `len` bytes (a torn command found on opening).
    pub fn truncate(&mut self, len: u64) -> Result<(), StoreError> {
        self.len = len;
        self.dirty = true;
        self.cut_to(len)
    }
}

/// Reads the commands of a journal from `offset` on, handing each (with the offset just after
/// it) to `apply`. A torn tail is reported, not applied; a line that is complete but unreadable
/// is an error naming its line.
pub fn read_commands(
    path: &Path,
    offset: u64,
    mut apply: impl FnMut(Vec<Event>, u64) -> Result<(), StoreError>,
) -> Result<Tail, StoreError> {
    read_commands_while(path, offset, |events, end| {
        apply(events, end).map(|()| true)
    })
}

/// As [`read_commands`], stopping after the command for which `apply` returns `false` (the
/// tail then ends there).
pub fn read_commands_while(
    path: &Path,
    offset: u64,
    mut apply: impl FnMut(Vec<Event>, u64) -> Result<bool, StoreError>,
) -> Result<Tail, StoreError> {
    let (stream, live) = stream_from(path, offset)?;
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut pos = offset;
    let mut end = offset;
    let mut pending: Vec<Event> = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(reading(path))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            // A line without its newline: the write was cut short.
            pos += n as u64;
            break;
        }
        let line: Line = match parse(&buf[..buf.len() - 1]) {
            Ok(line) => line,
            Err(message) => {
                let (path, line) = line_at(path, live, pos);
                return Err(StoreError::Journal {
                    path,
                    line,
                    message,
                });
            }
        };
        if line.v > JOURNAL_VERSION {
            return Err(StoreError::NewerSchema {
                found: line.v.min(255) as u8,
                supported: JOURNAL_VERSION as u8,
            });
        }
        pos += n as u64;
        pending.push(line.event);
        if !line.more {
            let go_on = apply(std::mem::take(&mut pending), pos)?;
            end = pos;
            if !go_on {
                return Ok(Tail { end, torn: 0 });
            }
        }
    }
    Ok(Tail {
        end,
        torn: pos - end,
    })
}

/// The 1-based line number at byte `offset` of a file, for messages.
fn line_number(path: &Path, offset: u64) -> usize {
    File::open(path).map_or(0, |f| lines_before(f, offset))
}

/// The 1-based line number at byte `offset` of what `source` reads.
fn lines_before(source: impl Read, offset: u64) -> usize {
    let mut count = 1;
    let mut buf = [0u8; 1 << 16];
    let mut left = offset;
    let mut reader = BufReader::new(source);
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        match reader.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count += buf[..n].iter().filter(|&&b| b == b'\n').count();
                left -= n as u64;
            }
        }
    }
    count
}

/// Reads commands from lines in memory (a bundle's body). Every command must be complete; a line
/// that is not an event, or from a newer zhuqi, is refused with its 1-based line number.
pub fn decode_commands(bytes: &[u8]) -> Result<Vec<Vec<Event>>, (usize, String)> {
    let mut commands = Vec::new();
    let mut pending: Vec<Event> = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if raw.is_empty() {
            continue;
        }
        let line = parse(raw).map_err(|e| (i + 1, e))?;
        if line.v > JOURNAL_VERSION {
            return Err((
                i + 1,
                format!("written by a newer zhuqi (event format {})", line.v),
            ));
        }
        pending.push(line.event);
        if !line.more {
            commands.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        return Err((0, "the last command is incomplete".to_string()));
    }
    Ok(commands)
}

/// Reads every line of a journal, bad ones included, handing each (with its 1-based number) to
/// `each`: the event, or why the line cannot be read. Returns the bytes of a torn tail.
/// Lines are numbered through the whole journal, its sealed parts first.
pub fn scan(
    path: &Path,
    mut each: impl FnMut(usize, Result<Event, String>),
) -> Result<u64, StoreError> {
    let (stream, _) = stream_from(path, 0)?;
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    let mut buf = Vec::new();
    let mut number = 0usize;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(reading(path))?;
        if n == 0 {
            return Ok(0);
        }
        if buf.last() != Some(&b'\n') {
            return Ok(n as u64);
        }
        number += 1;
        each(number, parse(&buf[..n - 1]).map(|line| line.event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AppealChange;
    use crate::store::tests::{capture, event};

    /// A journal line as serde writes it.
    #[derive(serde::Serialize)]
    struct LineOut<'a> {
        v: u32,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        more: bool,
        #[serde(flatten)]
        event: crate::domain::event::EventText<'a>,
    }

    /// A line as the journal has always written it: the JSON as a string, escaped, then its
    /// checksum in hex.
    fn line_as_ever(event: &Event, more: bool) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let line = LineOut {
            v: JOURNAL_VERSION,
            more,
            event: event.as_text(),
        };
        let body = crate::text::json_escaped(serde_json::to_string(&line)?);
        use sha2::Digest;
        let digest = sha2::Sha256::digest(body.as_bytes());
        let ck: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(format!("{},\"ck\":\"{ck}\"}}\n", &body[..body.len() - 1]).into_bytes())
    }

    #[test]
    fn lines_are_written_as_they_always_were_hazards_escaped()
    -> Result<(), Box<dyn std::error::Error>> {
        let a = ulid::Ulid(100);
        let events = vec![
            capture(a, 1),
            event(
                a,
                2,
                AppealChange::Noted {
                    text: "标题\u{1b}]0;pwned\u{7}改了\u{200b}看不见\u{9b}31m，“引号”".into(),
                },
            ),
            event(a, 3, AppealChange::Listed),
        ];
        let mut expected = Vec::new();
        for (i, e) in events.iter().enumerate() {
            expected.extend(line_as_ever(e, i + 1 < events.len())?);
        }
        let written = encode(&events)?;
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected)
        );
        for line in written.split(|b| *b == b'\n') {
            assert!(!crate::text::has_hazard_in(line), "nothing raw");
        }
        let read = decode_commands(&written).map_err(|(line, e)| format!("{line}: {e}"))?;
        assert_eq!(read, vec![events]);
        Ok(())
    }

    #[test]
    fn commands_appended_one_after_another_are_each_their_own_lines()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("journal.jsonl");
        let (a, b) = (ulid::Ulid(100), ulid::Ulid(200));
        // The second shorter than the first: nothing of the first's lines goes with it.
        let commands = vec![
            vec![capture(a, 1), event(a, 2, AppealChange::Listed)],
            vec![event(a, 3, AppealChange::Acknowledged)],
            vec![capture(b, 4)],
        ];
        let mut journal = Journal::open(&path)?;
        let mut expected = Vec::new();
        for command in &commands {
            expected.extend(encode(command)?);
            assert_eq!(journal.append_events(command)?, expected.len() as u64);
        }
        assert_eq!(std::fs::read(&path)?, expected);
        let read = decode_commands(&expected).map_err(|(line, e)| format!("{line}: {e}"))?;
        assert_eq!(read, commands);
        Ok(())
    }
}
