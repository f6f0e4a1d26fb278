//! Reading the list's briefs state by state: the live database's status index and the
//! archive's shelves merged in number order.

use super::*;

/// Briefs read state by state; see [`Store::briefs`].
pub struct BriefCursor {
    pub(super) by_status: Option<sled::Tree>,
    /// The archive (closed and withdrawn appeals), whose entries are read with the live ones in
    /// order; opened when a closed state is come to.
    pub(super) archive: Option<archive::ArchiveSlot>,
    pub(super) order: std::vec::IntoIter<(Status, RangeInclusive<u64>)>,
    pub(super) current: Option<StateEntries>,
    /// The engine was down: said once, then nothing.
    pub(super) down: Option<StoreError>,
}

impl BriefCursor {
    /// Hands the next brief to `f` (its strings live only as long as the call); `None` once
    /// every state named is read.
    pub fn next_with<R>(
        &mut self,
        f: impl FnOnce(crate::domain::Brief<'_>) -> R,
    ) -> Option<Result<R, StoreError>> {
        if let Some(e) = self.down.take() {
            return Some(Err(e));
        }
        let by_status = self.by_status.as_ref()?;
        loop {
            if let Some(current) = self.current.as_mut() {
                match current.next_entry() {
                    Some(Ok(Next::Live(k, v))) => return Some(brief::decode(&k, &v).map(f)),
                    Some(Ok(Next::Shelved(number, len))) => {
                        return Some(current.take_shelved(number, len).map(f));
                    }
                    Some(Err(e)) => {
                        self.current = None;
                        return Some(Err(e));
                    }
                    None => self.current = None,
                }
            }
            let (status, numbers) = self.order.next()?;
            let (first, last) = (*numbers.start(), *numbers.end());
            let live = by_status.range(status_key(status, first)..=status_key(status, last));
            let archived = match (&self.archive, status) {
                (Some(slot), Status::Closed | Status::Withdrawn) => match slot.get(false) {
                    Ok(archived) => archived,
                    Err(e) => return Some(Err(e)),
                },
                _ => None,
            };
            self.current = Some(StateEntries {
                status,
                live: live.peekable(),
                shelves: archived.map(|a| {
                    shelf::range(
                        &a.trees[BY_STATUS],
                        shelf::shelf_key(status, first)..=shelf::shelf_key(status, last),
                    )
                }),
                shelf: None,
                numbers,
            });
        }
    }
}

/// The next entry of a state: the live database's (key and value), or the one at the front of
/// the archive's shelf (its number and the length of its value).
enum Next {
    Live(sled::IVec, sled::IVec),
    Shelved(u64, usize),
}

/// One state's entries within a range of numbers, the live database's and those on the
/// archive's shelves, in number order.
pub(super) struct StateEntries {
    status: Status,
    numbers: RangeInclusive<u64>,
    live: std::iter::Peekable<sled::Iter>,
    shelves: Option<shelf::Shelves>,
    /// The shelf being read and where its next entry begins.
    shelf: Option<(sled::IVec, usize)>,
}

impl StateEntries {
    fn next_entry(&mut self) -> Option<Result<Next, StoreError>> {
        let shelved = match self.shelf_front() {
            Ok(front) => front,
            Err(e) => return Some(Err(e)),
        };
        let live = match self.live.peek() {
            Some(Ok((k, _))) => k.get(1..).and_then(keys::read_u64),
            Some(Err(_)) => {
                return self
                    .live
                    .next()
                    .and_then(|kv| kv.err())
                    .map(|e| Err(e.into()));
            }
            None => None,
        };
        match (live, shelved) {
            (None, None) => None,
            (Some(l), Some((s, len))) if s < l => Some(Ok(Next::Shelved(s, len))),
            (None, Some((s, len))) => Some(Ok(Next::Shelved(s, len))),
            _ => match self.live.next()? {
                Ok((k, v)) => Some(Ok(Next::Live(k, v))),
                Err(e) => Some(Err(e.into())),
            },
        }
    }

    /// The number and value length of the next shelved entry within range, shelves fetched as
    /// they are used up.
    fn shelf_front(&mut self) -> Result<Option<(u64, usize)>, StoreError> {
        loop {
            if let Some((shelf, at)) = &mut self.shelf {
                match shelf::entries(&shelf[*at..]).next() {
                    Some(entry) => {
                        let (number, value) = entry?;
                        if number > *self.numbers.end() {
                            self.shelf = None;
                            self.shelves = None;
                            return Ok(None);
                        }
                        if number >= *self.numbers.start() {
                            return Ok(Some((number, value.len())));
                        }
                        *at += shelf::ENTRY_HEAD + value.len();
                        continue;
                    }
                    None => self.shelf = None,
                }
            }
            match self.shelves.as_mut().and_then(Iterator::next) {
                Some(kv) => self.shelf = Some((kv?.1, 0)),
                None => return Ok(None),
            }
        }
    }

    /// The shelved entry at the front, as [`StateEntries::shelf_front`] found it.
    fn take_shelved(
        &mut self,
        number: u64,
        len: usize,
    ) -> Result<crate::domain::Brief<'_>, StoreError> {
        let Some((shelf, at)) = &mut self.shelf else {
            return Err(StoreError::Corrupt("a shelf was read past its end".into()));
        };
        let start = *at + shelf::ENTRY_HEAD;
        *at = start + len;
        let value = shelf
            .get(start..start + len)
            .ok_or_else(|| StoreError::Corrupt("a shelf was read past its end".into()))?;
        brief::decode_entry(self.status, number, value)
    }
}
