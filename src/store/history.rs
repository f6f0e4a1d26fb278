//! An appeal's events kept together under one key: frames of `event id (16) ‖ length (u32 LE) ‖
//! encoded event`, in the order they happened. One key per appeal instead of three per event is
//! what keeps sled's page table, and so its open and its writes, small.
//!
//! As stored, the frames are packed (`packing`): histories are most of the store.

use crate::domain::{Event, EventId};

use super::{StoreError, codec};

const ID: usize = 16;
const HEADER: usize = ID + 4;

/// Appends one event's frame to `history`.
pub fn push(history: &mut Vec<u8>, event: &Event) -> Result<(), StoreError> {
    let start = history.len();
    history.extend_from_slice(&event.id.0.to_be_bytes());
    // The length is known once the event is written in place after it.
    history.extend_from_slice(&[0; 4]);
    let written = codec::encode_into(history, event).and_then(|()| {
        u32::try_from(history.len() - start - HEADER)
            .map_err(|_| StoreError::Corrupt("an event too large to store".into()))
    });
    match written {
        Ok(len) => {
            history[start + ID..start + HEADER].copy_from_slice(&len.to_le_bytes());
            Ok(())
        }
        Err(e) => {
            history.truncate(start);
            Err(e)
        }
    }
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
