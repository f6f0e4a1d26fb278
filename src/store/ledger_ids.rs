//! The archive's ledger ids (`source:id` → appeal) on shelves: in the archive's `external_ids`
//! tree one key (two bytes, a shelf's number) holds every ledger id whose hash falls on that
//! shelf, each `length (u32 LE) ‖ the ledger id ‖ the appeal's identity (16 bytes)` in ledger id
//! order. The live database keeps one key per ledger id.
//!
//! Why: ledger ids come in no order, so a key each cost sled a record and a share of a node
//! rewritten for every imported appeal — a fifth of the CPU of an import of 100k, and about
//! 20 MB of the archive's file for 3.3 MB of ids (BENCHMARKS.md, fifteenth round). On shelves a
//! bulk write writes them once, at its end (`Store::put_held_ledger_ids`): until then they are
//! held in memory, where its own reads find them first. A move to or from the archive rewrites
//! the shelves of the appeals it moves.

use std::collections::BTreeMap;

use super::{EXTERNAL_IDS, Op, StoreError};

/// How many shelves: at a million appeals about 250 ids a shelf, some 8 KB.
#[cfg(not(test))]
const SHELVES: u64 = 4096;
/// Few in the store's own tests, so that shelves hold several ids.
#[cfg(test)]
pub(super) const SHELVES: u64 = 4;

const LENGTH: usize = 4;
const ID: usize = 16;

/// An appeal's identity as its keys hold it.
pub(super) type Identity = [u8; ID];

/// A shelf's ledger ids, in order.
type Shelf = BTreeMap<Vec<u8>, Identity>;

fn unreadable() -> StoreError {
    StoreError::Corrupt("a shelf of the archive's ledger ids is unreadable".into())
}

/// Whether `op` writes a ledger id (in the archive: to its shelf).
pub(super) fn on_a_shelf(op: &Op) -> bool {
    matches!(op, Op::Put(EXTERNAL_IDS, ..) | Op::Del(EXTERNAL_IDS, _))
}

/// The shelf a ledger id is on. FNV-1a, written out here: the shelves on disk depend on it
/// never changing.
fn shelf_of(ledger_id: &[u8]) -> [u8; 2] {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in ledger_id {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // Below `SHELVES`, which fits in two bytes.
    ((hash % SHELVES) as u16).to_be_bytes()
}

/// Each entry of a shelf's bytes: its ledger id and identity; an error once they are damaged.
fn entries(bytes: &[u8]) -> impl Iterator<Item = Result<(&[u8], Identity), StoreError>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let entry = (|| {
            let length: [u8; LENGTH] = rest
                .get(..LENGTH)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(unreadable)?;
            let length = u32::from_le_bytes(length) as usize;
            let ledger_id = rest.get(LENGTH..LENGTH + length).ok_or_else(unreadable)?;
            let identity: Identity = rest
                .get(LENGTH + length..LENGTH + length + ID)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(unreadable)?;
            rest = &rest[LENGTH + length + ID..];
            Ok((ledger_id, identity))
        })();
        if entry.is_err() {
            // Nothing after damage is read as an entry.
            rest = &[];
        }
        Some(entry)
    })
}

fn decode(bytes: &[u8]) -> Result<Shelf, StoreError> {
    entries(bytes)
        .map(|e| e.map(|(ledger_id, identity)| (ledger_id.to_vec(), identity)))
        .collect()
}

fn encode(shelf: &Shelf) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(shelf.keys().map(|k| LENGTH + k.len() + ID).sum());
    for (ledger_id, identity) in shelf {
        let length = u32::try_from(ledger_id.len())
            .map_err(|_| StoreError::Corrupt("a ledger id longer than 4 GB".into()))?;
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(ledger_id);
        out.extend_from_slice(identity);
    }
    Ok(out)
}

/// The identity of the appeal with this ledger id, from the shelves in `tree`.
pub(super) fn get(tree: &sled::Tree, ledger_id: &[u8]) -> Result<Option<Identity>, StoreError> {
    let Some(shelf) = tree.get(shelf_of(ledger_id))? else {
        return Ok(None);
    };
    for entry in entries(&shelf) {
        let (id, identity) = entry?;
        if id == ledger_id {
            return Ok(Some(identity));
        }
    }
    Ok(None)
}

/// The operations on the shelves that the ledger ids written by `ops` make (in their order: a
/// later one on the same ledger id wins), each shelf read through `read` once: a shelf left
/// empty goes.
pub(super) fn shelve<'a>(
    ops: impl Iterator<Item = &'a Op>,
    read: impl Fn(&[u8]) -> Result<Option<sled::IVec>, StoreError>,
) -> Result<Vec<Op>, StoreError> {
    // Each shelf's changes, in order (`None`: the ledger id taken out).
    type Changes<'a> = Vec<(&'a [u8], Option<Identity>)>;
    let mut changes: BTreeMap<[u8; 2], Changes> = BTreeMap::new();
    for op in ops {
        let (ledger_id, identity) = match op {
            Op::Put(EXTERNAL_IDS, k, v) => {
                let identity: Identity = v.as_slice().try_into().map_err(|_| {
                    StoreError::Corrupt("a ledger id's appeal is not an identity".into())
                })?;
                (k, Some(identity))
            }
            Op::Del(EXTERNAL_IDS, k) => (k, None),
            _ => continue,
        };
        changes
            .entry(shelf_of(ledger_id))
            .or_default()
            .push((ledger_id, identity));
    }
    let mut filed = Vec::with_capacity(changes.len());
    for (key, changes) in changes {
        let mut shelf = match read(&key)? {
            Some(bytes) => decode(&bytes)?,
            None => Shelf::new(),
        };
        for (ledger_id, identity) in changes {
            match identity {
                Some(identity) => shelf.insert(ledger_id.to_vec(), identity),
                None => shelf.remove(ledger_id),
            };
        }
        filed.push(match shelf.is_empty() {
            true => Op::Del(EXTERNAL_IDS, key.to_vec()),
            false => Op::Put(EXTERNAL_IDS, key.to_vec(), encode(&shelf)?),
        });
    }
    Ok(filed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(ledger_id: &str, n: u8) -> Op {
        Op::Put(EXTERNAL_IDS, ledger_id.as_bytes().to_vec(), vec![n; ID])
    }

    fn del(ledger_id: &str) -> Op {
        Op::Del(EXTERNAL_IDS, ledger_id.as_bytes().to_vec())
    }

    /// Applies `ops` to the shelves in `tree`, as the archive's engine does.
    fn apply(tree: &sled::Tree, ops: &[Op]) -> Result<(), StoreError> {
        for op in shelve(ops.iter(), |k| Ok(tree.get(k)?))? {
            match op {
                Op::Put(_, k, v) => tree.insert(k, v)?,
                Op::Del(_, k) => tree.remove(k)?,
            };
        }
        Ok(())
    }

    fn temporary_tree() -> Result<sled::Tree, StoreError> {
        let db = sled::Config::new().temporary(true).open()?;
        Ok(db.open_tree("external_ids")?)
    }

    #[test]
    fn ledger_ids_are_found_on_their_shelves_and_go_when_deleted()
    -> Result<(), Box<dyn std::error::Error>> {
        let tree = temporary_tree()?;
        let ids: Vec<String> = (0..40).map(|i| format!("台账:{i}")).collect();
        let ops: Vec<Op> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| put(id, i as u8))
            .collect();
        apply(&tree, &ops)?;
        // Forty ids on four shelves: every shelf holds several, one key each.
        assert_eq!(tree.len(), SHELVES as usize);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(get(&tree, id.as_bytes())?, Some([i as u8; ID]), "{id}");
        }
        assert_eq!(get(&tree, "台账:40".as_bytes())?, None);
        // One batch deletes some, moves one to another appeal, and deletes one never there.
        let mut ops: Vec<Op> = ids[..30].iter().map(|id| del(id)).collect();
        ops.push(put(&ids[35], 99));
        ops.push(del("nowhere"));
        apply(&tree, &ops)?;
        for id in &ids[..30] {
            assert_eq!(get(&tree, id.as_bytes())?, None, "{id}");
        }
        assert_eq!(get(&tree, ids[35].as_bytes())?, Some([99; ID]));
        assert_eq!(get(&tree, ids[39].as_bytes())?, Some([39; ID]));
        // The last ones gone, so are their shelves.
        apply(
            &tree,
            &ids[30..].iter().map(|id| del(id)).collect::<Vec<_>>(),
        )?;
        assert!(tree.is_empty());
        Ok(())
    }

    #[test]
    fn a_later_write_of_one_ledger_id_in_a_batch_wins() -> Result<(), Box<dyn std::error::Error>> {
        let tree = temporary_tree()?;
        apply(
            &tree,
            &[
                put("a:1", 1),
                del("a:1"),
                put("a:1", 2),
                put("a:2", 3),
                del("a:2"),
            ],
        )?;
        assert_eq!(get(&tree, b"a:1")?, Some([2; ID]));
        assert_eq!(get(&tree, b"a:2")?, None);
        Ok(())
    }

    #[test]
    fn a_damaged_shelf_is_named_not_read_past() -> Result<(), Box<dyn std::error::Error>> {
        let tree = temporary_tree()?;
        apply(&tree, &[put("a:1", 1)])?;
        let key = shelf_of(b"a:1");
        let mut bytes = tree.get(key)?.ok_or("no shelf")?.to_vec();
        // Its length now runs past the end.
        bytes[0] = 0xff;
        tree.insert(key, bytes)?;
        assert!(matches!(get(&tree, b"a:1"), Err(StoreError::Corrupt(_))));
        assert!(matches!(
            apply(&tree, &[put("a:1", 2)]),
            Err(StoreError::Corrupt(_))
        ));
        // A value that is not an identity is refused, not shelved.
        let bad = Op::Put(EXTERNAL_IDS, b"a:3".to_vec(), vec![1, 2, 3]);
        assert!(shelve([&bad].into_iter(), |_| Ok(None)).is_err());
        Ok(())
    }

    #[test]
    fn the_shelf_of_a_ledger_id_never_changes() {
        // Shelves on disk depend on it: these are FNV-1a's values, modulo the shelves.
        let fnv = |s: &[u8]| {
            s.iter().fold(0xcbf29ce484222325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
            })
        };
        assert_eq!(fnv(b""), 0xcbf29ce484222325);
        assert_eq!(fnv(b"a"), 0xaf63dc4c8601ec8c);
        for id in ["a", "zhuqi-export:1", "台账:12"] {
            assert_eq!(
                shelf_of(id.as_bytes()),
                ((fnv(id.as_bytes()) % SHELVES) as u16).to_be_bytes()
            );
        }
    }
}
