//! An appeal's events kept together under one key: frames of `event id (16) ‖ length (u32 LE) ‖
//! encoded event`, in the order they happened. One key per appeal instead of three per event is
//! what keeps sled's page table, and so its open and its writes, small.
//!
//! As stored, the frames are packed: `0 ‖ frames` when short, `1 ‖ length (u32 LE) ‖ zstd of the
//! frames` otherwise. Histories are most of the store, and zstd keeps about two thirds of them
//! (measured on the demo's) for a few microseconds a read.

use std::cell::RefCell;
use std::io;
use std::thread::LocalKey;

use zstd::bulk::{Compressor, Decompressor};

use crate::domain::{Event, EventId};

use super::{StoreError, codec};

const ID: usize = 16;
const HEADER: usize = ID + 4;

const RAW: u8 = 0;
const ZSTD: u8 = 1;
/// Below this many bytes compression gains nothing worth a decompression on each read.
const PACK_FROM: usize = 128;
/// zstd's level: 3 is its default, the best trade of size for time on values this small.
const LEVEL: i32 = 3;

/// The frames as the store keeps them.
pub fn pack(frames: &[u8]) -> Result<Vec<u8>, StoreError> {
    if frames.len() < PACK_FROM {
        let mut out = Vec::with_capacity(frames.len() + 1);
        out.push(RAW);
        out.extend_from_slice(frames);
        return Ok(out);
    }
    let len = u32::try_from(frames.len())
        .map_err(|_| StoreError::Corrupt("a history too large to store".into()))?;
    let packed = with_kept(
        &COMPRESSOR,
        || Compressor::new(LEVEL),
        |c| c.compress(frames),
    )
    .map_err(|e| StoreError::Corrupt(format!("cannot compress a history: {e}")))?;
    let mut out = Vec::with_capacity(packed.len() + 5);
    out.push(ZSTD);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&packed);
    Ok(out)
}

thread_local! {
    // A zstd context is costly to make (an export of 100k histories took 60% longer making one
    // per history): one per thread, kept.
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's context in `slot`, made by `make` the first time.
fn with_kept<C: 'static, T>(
    slot: &'static LocalKey<RefCell<Option<C>>>,
    make: impl FnOnce() -> io::Result<C>,
    f: impl FnOnce(&mut C) -> io::Result<T>,
) -> io::Result<T> {
    slot.with(|cell| {
        let mut kept = cell.borrow_mut();
        let context = match &mut *kept {
            Some(c) => c,
            None => kept.insert(make()?),
        };
        f(context)
    })
}

/// The frames of a stored history.
pub fn unpack(stored: &[u8]) -> Result<Vec<u8>, StoreError> {
    match stored.split_first() {
        None => Ok(Vec::new()),
        Some((&RAW, frames)) => Ok(frames.to_vec()),
        Some((&ZSTD, rest)) => {
            let len: [u8; 4] = rest
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| StoreError::Corrupt("an appeal's history is cut short".into()))?;
            let frames = with_kept(&DECOMPRESSOR, Decompressor::new, |d| {
                d.decompress(&rest[4..], u32::from_le_bytes(len) as usize)
            })
            .map_err(|e| StoreError::Corrupt(format!("an appeal's history: {e}")))?;
            if frames.len() != u32::from_le_bytes(len) as usize {
                return Err(StoreError::Corrupt(
                    "an appeal's history is not as long as it says".into(),
                ));
            }
            Ok(frames)
        }
        Some((kind, _)) => Err(StoreError::Corrupt(format!(
            "an appeal's history is packed in an unknown way ({kind})"
        ))),
    }
}

/// Appends one event's frame to `history`.
pub fn push(history: &mut Vec<u8>, event: &Event) -> Result<(), StoreError> {
    let body = codec::encode(event)?;
    let len = u32::try_from(body.len())
        .map_err(|_| StoreError::Corrupt("an event too large to store".into()))?;
    history.extend_from_slice(&event.id.0.to_be_bytes());
    history.extend_from_slice(&len.to_le_bytes());
    history.extend_from_slice(&body);
    Ok(())
}

/// The frames of a history: (event id, encoded event).
fn frames(history: &[u8]) -> impl Iterator<Item = Result<(EventId, &[u8]), StoreError>> + '_ {
    let mut rest = history;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let frame = (|| {
            let id: [u8; ID] = rest.get(..ID)?.try_into().ok()?;
            let len: [u8; 4] = rest.get(ID..HEADER)?.try_into().ok()?;
            let end = HEADER.checked_add(u32::from_le_bytes(len) as usize)?;
            let body = rest.get(HEADER..end)?;
            rest = &rest[end..];
            Some((ulid::Ulid(u128::from_be_bytes(id)), body))
        })();
        match frame {
            Some(f) => Some(Ok(f)),
            None => {
                rest = &[];
                Some(Err(StoreError::Corrupt(
                    "an appeal's history is cut short".into(),
                )))
            }
        }
    })
}

/// Every event of a history, in order.
pub fn events(history: &[u8]) -> Result<Vec<Event>, StoreError> {
    frames(history)
        .map(|f| f.and_then(|(_, body)| codec::decode(body, "an event")))
        .collect()
}

/// Whether the history holds the event with this identity (without decoding the events).
pub fn contains(history: &[u8], id: EventId) -> Result<bool, StoreError> {
    for frame in frames(history) {
        if frame?.0 == id {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AppealChange;

    fn note(text: &str, id: u128) -> Event {
        super::super::tests::event(ulid::Ulid(7), id, AppealChange::Noted { text: text.into() })
    }

    #[test]
    fn frames_give_back_the_events_in_order() -> Result<(), StoreError> {
        let events = [note("已联系供电公司", 1), note("现场查看", 2), note("", 3)];
        let mut history = Vec::new();
        for e in &events {
            push(&mut history, e)?;
        }
        assert_eq!(super::events(&history)?, events.to_vec());
        assert!(contains(&history, ulid::Ulid(2))?);
        assert!(!contains(&history, ulid::Ulid(4))?);
        assert_eq!(super::events(&[])?, Vec::<Event>::new());
        Ok(())
    }

    #[test]
    fn histories_are_packed_and_unpacked_whole() -> Result<(), StoreError> {
        let mut short = Vec::new();
        push(&mut short, &note("", 1))?;
        let mut long = Vec::new();
        for i in 0..20 {
            push(
                &mut long,
                &note("已联系供电公司，约定下周三到企业现场查看线路", i),
            )?;
        }
        assert!(short.len() < PACK_FROM && long.len() >= PACK_FROM);
        for frames in [&[][..], &short, &long] {
            assert_eq!(unpack(&pack(frames)?)?, frames);
        }
        assert_eq!(pack(&short)?[0], RAW);
        let packed = pack(&long)?;
        assert_eq!(packed[0], ZSTD);
        assert!(
            packed.len() * 2 < long.len(),
            "{} of {}",
            packed.len(),
            long.len()
        );
        // Damage is reported, never misread.
        let mut cut = packed.clone();
        cut.truncate(packed.len() - 4);
        assert!(matches!(unpack(&cut), Err(StoreError::Corrupt(_))));
        let mut longer = packed.clone();
        longer[1] = longer[1].wrapping_add(1);
        assert!(matches!(unpack(&longer), Err(StoreError::Corrupt(_))));
        assert!(matches!(unpack(&[9, 1, 2]), Err(StoreError::Corrupt(_))));
        Ok(())
    }

    #[test]
    fn a_cut_history_is_reported_not_misread() -> Result<(), StoreError> {
        let mut history = Vec::new();
        push(&mut history, &note("已联系供电公司", 1))?;
        push(&mut history, &note("现场查看", 2))?;
        history.truncate(history.len() - 3);
        assert!(matches!(
            super::events(&history),
            Err(StoreError::Corrupt(m)) if m.contains("cut short")
        ));
        Ok(())
    }
}
