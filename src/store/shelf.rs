//! The archive's list entries on shelves. In the archive's status index one key holds the
//! entries of up to [`SPAN`] consecutive numbers of one state (`status ‖ number / SPAN`), each
//! `number (u64 BE) ‖ length (u32 LE) ‖ the entry's value` in number order; the live database
//! keeps one key per entry. Reading a value, sled pages in, allocates and frees it: at a
//! million closed appeals that was most of reading the list and a fifth of an export. Read from
//! shelves, a million entries are sixteen thousand values. The archive is written seldom and in
//! batches (moves, bulk writes), where a shelf read and written again costs little.

use std::collections::BTreeMap;

use super::keys::{read_id, read_status_key, read_u64, status_key};
use super::{BY_STATUS, Op, StoreError};
use crate::domain::{AppealId, Status};

/// Numbers per shelf.
pub(super) const SPAN: u64 = 64;

const NUMBER: usize = 8;
const LENGTH: usize = 4;
/// The bytes before an entry's value.
pub(super) const ENTRY_HEAD: usize = NUMBER + LENGTH;

/// The key of the shelf that holds the entry of `number` in `status`.
pub(super) fn shelf_key(status: Status, number: u64) -> [u8; 9] {
    status_key(status, number / SPAN)
}

fn unreadable() -> StoreError {
    StoreError::Corrupt("a shelf of the archive's status index is unreadable".into())
}

/// The entries of a shelf, in number order.
pub(super) fn entries(shelf: &[u8]) -> ShelfEntries<'_> {
    ShelfEntries { rest: shelf }
}

pub(super) struct ShelfEntries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ShelfEntries<'a> {
    type Item = Result<(u64, &'a [u8]), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let entry = (|| {
            let number = read_u64(self.rest).ok_or_else(unreadable)?;
            let length: [u8; LENGTH] = self
                .rest
                .get(NUMBER..NUMBER + LENGTH)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(unreadable)?;
            let start = NUMBER + LENGTH;
            let end = start + u32::from_le_bytes(length) as usize;
            let value = self.rest.get(start..end).ok_or_else(unreadable)?;
            self.rest = &self.rest[end..];
            Ok((number, value))
        })();
        if entry.is_err() {
            // Nothing after damage is read as an entry.
            self.rest = &[];
        }
        Some(entry)
    }
}

/// More looks at a shelf's page after reading it, for sled's cache to let pages go. sled 0.34
/// notes looks at pages in batches of 64 for each of its 256 shards, and evicts only when a
/// batch is full: a pass over one key an entry looked once an entry, but a pass over shelves
/// looks once for 64 entries, fills few batches, and keeps every page it read. A pass over a
/// million entries' shelves with a 4 MB cache held 294 MB; with 7 more looks a shelf, 116 MB,
/// and took 160 ms instead of 265 (fewer pages faulted in).
const LOOKS: usize = 7;

/// The shelves of `range` in an archive's status index, in key order.
pub(super) fn range(by_status: &sled::Tree, range: std::ops::RangeInclusive<[u8; 9]>) -> Shelves {
    Shelves {
        tree: by_status.clone(),
        iter: by_status.range(range),
    }
}

/// Shelves read so that sled's cache keeps to its size (see [`LOOKS`]).
pub(super) struct Shelves {
    tree: sled::Tree,
    iter: sled::Iter,
}

impl Iterator for Shelves {
    type Item = sled::Result<(sled::IVec, sled::IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.iter.next()?;
        if let Ok((key, _)) = &next {
            for _ in 0..LOOKS {
                if let Err(e) = self.tree.get(key) {
                    return Some(Err(e));
                }
            }
        }
        Some(next)
    }
}

/// The value of `number`'s entry on a shelf.
pub(super) fn find(shelf: &[u8], number: u64) -> Result<Option<&[u8]>, StoreError> {
    for entry in entries(shelf) {
        let (n, value) = entry?;
        if n == number {
            return Ok(Some(value));
        }
        if n > number {
            break;
        }
    }
    Ok(None)
}

/// The value of the entry of `number` in `status`, from an archive's status index.
pub(super) fn get(
    by_status: &sled::Tree,
    status: Status,
    number: u64,
) -> Result<Option<sled::IVec>, StoreError> {
    match by_status.get(shelf_key(status, number))? {
        Some(shelf) => Ok(find(&shelf, number)?.map(sled::IVec::from)),
        None => Ok(None),
    }
}

/// How many entries an archive's status index holds.
pub(super) fn count(by_status: &sled::Tree) -> Result<usize, StoreError> {
    let mut n = 0;
    for kv in range(by_status, [0; 9]..=[u8::MAX; 9]) {
        let (_, shelf) = kv?;
        for entry in entries(&shelf) {
            entry?;
            n += 1;
        }
    }
    Ok(n)
}

/// The identities of the appeals of `status` in an archive's status index, in number order.
pub(super) fn ids(
    by_status: &sled::Tree,
    status: Status,
) -> impl Iterator<Item = Result<AppealId, StoreError>> + Send + use<> {
    range(
        by_status,
        status_key(status, 0)..=status_key(status, u64::MAX),
    )
    .flat_map(|kv| match kv {
        Ok((_, shelf)) => entries(&shelf)
            .map(|entry| {
                let (_, value) = entry?;
                read_id(value).ok_or_else(unreadable)
            })
            .collect::<Vec<_>>(),
        Err(e) => vec![Err(e.into())],
    })
}

fn encode(shelf: &BTreeMap<u64, Vec<u8>>) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(shelf.values().map(|v| v.len() + NUMBER + LENGTH).sum());
    for (number, value) in shelf {
        let length = u32::try_from(value.len())
            .map_err(|_| StoreError::Corrupt("a list entry too large to keep".into()))?;
        out.extend_from_slice(&number.to_be_bytes());
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(value);
    }
    Ok(out)
}

/// Whether `op` is on the status index (the archive writes it to a shelf instead).
pub(super) fn on_the_index(op: &Op) -> bool {
    matches!(op, Op::Put(BY_STATUS, ..) | Op::Del(BY_STATUS, ..))
}

/// The writes of shelves that `ops` on the status index, one key per entry, come to: each shelf
/// they fall on (read with `stored` as it is now, before the ops) with the ops applied in the
/// order given. Ops on other trees are left to the caller.
pub(super) fn shelve(
    ops: &[&[Op]],
    stored: impl Fn(&[u8]) -> Result<Option<sled::IVec>, StoreError>,
) -> Result<Vec<Op>, StoreError> {
    let mut out = Vec::new();
    // Per shelf, each number's last change: its value, or none once taken out.
    let mut changes: BTreeMap<[u8; 9], BTreeMap<u64, Option<Vec<u8>>>> = BTreeMap::new();
    for op in ops.iter().flat_map(|ops| ops.iter()) {
        let (key, value) = match op {
            Op::Put(BY_STATUS, key, value) => (key, Some(value.clone())),
            Op::Del(BY_STATUS, key) => (key, None),
            _ => continue,
        };
        let (status, number) =
            read_status_key(key).ok_or_else(|| StoreError::Corrupt("a status index key".into()))?;
        changes
            .entry(shelf_key(status, number))
            .or_default()
            .insert(number, value);
    }
    for (key, changed) in changes {
        let mut shelf = BTreeMap::new();
        if let Some(bytes) = stored(&key)? {
            for entry in entries(&bytes) {
                let (number, value) = entry?;
                shelf.insert(number, value.to_vec());
            }
        }
        for (number, value) in changed {
            match value {
                Some(v) => shelf.insert(number, v),
                None => shelf.remove(&number),
            };
        }
        out.push(match shelf.is_empty() {
            true => Op::Del(BY_STATUS, key.to_vec()),
            false => Op::Put(BY_STATUS, key.to_vec(), encode(&shelf)?),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::APPEALS;

    fn put(status: Status, number: u64, value: &[u8]) -> Op {
        Op::Put(
            BY_STATUS,
            status_key(status, number).to_vec(),
            value.to_vec(),
        )
    }

    fn del(status: Status, number: u64) -> Op {
        Op::Del(BY_STATUS, status_key(status, number).to_vec())
    }

    /// Applies shelved ops to a map standing for the tree.
    fn apply(tree: &mut BTreeMap<Vec<u8>, Vec<u8>>, ops: &[Op]) -> Result<(), StoreError> {
        let shelved = shelve(&[ops], |k| {
            Ok(tree.get(k).map(|v| sled::IVec::from(&v[..])))
        })?;
        for op in shelved {
            match op {
                Op::Put(BY_STATUS, k, v) => {
                    tree.insert(k, v);
                }
                Op::Del(BY_STATUS, k) => {
                    tree.remove(&k);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn entries_of(
        tree: &BTreeMap<Vec<u8>, Vec<u8>>,
    ) -> Result<Vec<(u8, u64, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        for (k, shelf) in tree {
            for entry in entries(shelf) {
                let (n, v) = entry?;
                out.push((k[0], n, v.to_vec()));
            }
        }
        Ok(out)
    }

    #[test]
    fn entries_land_on_their_shelves_in_order_and_the_last_change_holds() -> Result<(), StoreError>
    {
        let mut tree = BTreeMap::new();
        let closed = Status::Closed;
        apply(
            &mut tree,
            &[
                put(closed, 130, b"c"),
                put(closed, 1, b"a"),
                put(closed, 63, b"b"),
                put(Status::Withdrawn, 1, b"w"),
                // Taken out and put back in one batch: the last holds.
                del(closed, 63),
                put(closed, 63, b"b2"),
            ],
        )?;
        assert_eq!(tree.len(), 3, "shelves 0 and 2 of closed, 0 of withdrawn");
        assert_eq!(
            entries_of(&tree)?,
            vec![
                (closed.code(), 1, b"a".to_vec()),
                (closed.code(), 63, b"b2".to_vec()),
                (closed.code(), 130, b"c".to_vec()),
                (Status::Withdrawn.code(), 1, b"w".to_vec()),
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        let shelf = &tree[&shelf_key(closed, 63).to_vec()];
        assert_eq!(find(shelf, 63)?, Some(&b"b2"[..]));
        assert_eq!(find(shelf, 2)?, None);
        // Taking out every entry of a shelf takes out the shelf; other trees are left alone.
        let other = Op::Del(APPEALS, vec![1]);
        assert!(!on_the_index(&other) && on_the_index(&del(closed, 130)));
        let shelved = shelve(&[&[del(closed, 130), other]], |k| {
            Ok(tree.get(k).map(|v| sled::IVec::from(&v[..])))
        })?;
        assert_eq!(shelved.len(), 1, "only the shelf's write");
        assert!(
            matches!(&shelved[0], Op::Del(BY_STATUS, k) if k == &shelf_key(closed, 130).to_vec())
        );
        apply(&mut tree, &[del(closed, 130), del(closed, 999)])?;
        assert_eq!(tree.len(), 2);
        Ok(())
    }

    #[test]
    fn a_damaged_shelf_is_said_to_be_damaged() {
        let mut shelf = BTreeMap::new();
        shelf.insert(5u64, b"value".to_vec());
        let bytes = encode(&shelf).unwrap_or_default();
        for cut in 1..bytes.len() {
            let read: Result<Vec<_>, _> = entries(&bytes[..cut]).collect();
            assert!(read.is_err(), "cut at {cut}");
        }
        assert!(matches!(find(&bytes, 5), Ok(Some(b"value"))));
    }
}
