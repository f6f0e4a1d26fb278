//! The archive's ledger ids that end in a number (`source:16001`, as nearly every ledger numbers
//! its rows), in drawers of their own: under a 16-byte key, the FNV-1a hash of what comes before
//! the number and then the number, both big-endian, so that a ledger's rows, imported in order,
//! fall on the last drawers. A key's value lists each ledger id under it with its appeal's
//! identity: a hash can collide, and `007` and `7` share a number.
//!
//! Why: one sled key per closed appeal's ledger id cost an import of 100,000 appeals 0.7 s of
//! CPU and 0.4 s of its time, for 3 MB of data (BENCHMARKS.md, sixteenth round). Other ledger ids
//! (no number at the end, one too long for 64 bits, or one after a hex digit, as in the hashes a
//! ledger without an id column is given) stay one key each in `external_ids`: they come in no
//! order, and in drawers each batch would rewrite most of them.

use std::collections::BTreeMap;

use super::{EXTERNAL_IDS, Engine, LEDGER_NUMBERS, Op, StoreError, drawer};

const KEY: usize = 16;
const IDENTITY: usize = 16;
/// The most digits a number fits in 64 bits with.
const MOST_DIGITS: usize = 19;

/// The ledger ids under a key, each with its appeal's identity.
type Listed = Vec<(Vec<u8>, Vec<u8>)>;

/// The key a ledger id is filed under here, if it ends in a number.
pub(super) fn key(ledger_id: &[u8]) -> Option<[u8; KEY]> {
    let digits = ledger_id
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > MOST_DIGITS {
        return None;
    }
    let (before, number) = ledger_id.split_at(ledger_id.len() - digits);
    // After a hex digit the number is likely the end of a hash (a ledger without an id column
    // is given hashes of its rows), which comes in no order.
    if before.last().is_some_and(u8::is_ascii_hexdigit) {
        return None;
    }
    let number = number
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    let mut key = [0u8; KEY];
    key[..8].copy_from_slice(&fnv1a(before).to_be_bytes());
    key[8..].copy_from_slice(&number.to_be_bytes());
    Some(key)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Whether `op` is on a ledger id filed here instead of in `external_ids`.
pub(super) fn filed_here(op: &Op) -> bool {
    matches!(op, Op::Put(EXTERNAL_IDS, id, _) | Op::Del(EXTERNAL_IDS, id) if key(id).is_some())
}

/// The identity `ledger_id` has in a key's value.
pub(super) fn find(value: &[u8], ledger_id: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(decode(value)?
        .into_iter()
        .find(|(id, _)| id == ledger_id)
        .map(|(_, identity)| identity))
}

/// The writes of keys here that `ops` on `external_ids` come to, in order, the last change of a
/// ledger id holding (`stored` gives a key's value as it is now). A key whose list is left empty
/// goes.
pub(super) fn file(
    ops: &[&[Op]],
    mut stored: impl FnMut(&[u8]) -> Result<Option<sled::IVec>, StoreError>,
) -> Result<Vec<Op>, StoreError> {
    let mut lists: BTreeMap<[u8; KEY], Listed> = BTreeMap::new();
    for op in ops.iter().flat_map(|ops| ops.iter()) {
        let (ledger_id, identity) = match op {
            Op::Put(EXTERNAL_IDS, id, identity) => (id, Some(identity)),
            Op::Del(EXTERNAL_IDS, id) => (id, None),
            _ => continue,
        };
        let Some(key) = key(ledger_id) else { continue };
        let list = match lists.entry(key) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => v.insert(match stored(&key)? {
                Some(value) => decode(&value)?,
                None => Vec::new(),
            }),
        };
        list.retain(|(id, _)| id != ledger_id);
        if let Some(identity) = identity {
            list.push((ledger_id.clone(), identity.clone()));
        }
    }
    lists
        .into_iter()
        .map(|(key, list)| match list.is_empty() {
            true => Ok(Op::Del(LEDGER_NUMBERS, key.to_vec())),
            false => Ok(Op::Put(LEDGER_NUMBERS, key.to_vec(), encode(&list)?)),
        })
        .collect()
}

impl Engine {
    /// The identity the archive files `ledger_id` under: in drawers when it ends in a number,
    /// else under a key of its own.
    pub(super) fn archived_ledger_id(
        &self,
        ledger_id: &[u8],
    ) -> Result<Option<sled::IVec>, StoreError> {
        match key(ledger_id) {
            Some(filed) => match self.keyed(LEDGER_NUMBERS).get(&filed)? {
                Some(value) => Ok(find(&value, ledger_id)?.map(sled::IVec::from)),
                None => Ok(None),
            },
            None => self.keyed(EXTERNAL_IDS).get(ledger_id),
        }
    }

    /// The writes of the archive's keys here that `ops` come to (see [`file`]). A ledger's
    /// numbers come in order: most are past the last one filed, and the rest fall in the
    /// drawer read last.
    pub(super) fn file_ledger_numbers(&self, ops: &[&[Op]]) -> Result<Vec<Op>, StoreError> {
        let drawn = self.keyed(LEDGER_NUMBERS);
        let end = drawn.ends()?.map(|(_, last)| last);
        let mut near = drawer::LastDrawer::default();
        file(ops, |k| match end {
            Some(end) if k <= &end[..] => drawn.get_near(k, &mut near),
            _ => Ok(None),
        })
    }
}

fn unreadable() -> StoreError {
    StoreError::Corrupt("a ledger id's entry in the archive is unreadable".into())
}

/// Each `length (u16 LE) ‖ ledger id ‖ identity (16 bytes)`.
fn encode(list: &[(Vec<u8>, Vec<u8>)]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(list.iter().map(|(id, _)| 2 + id.len() + IDENTITY).sum());
    for (id, identity) in list {
        let length = u16::try_from(id.len())
            .map_err(|_| StoreError::Corrupt("a ledger id too long to keep".into()))?;
        if identity.len() != IDENTITY {
            return Err(StoreError::Corrupt(
                "an identity of the wrong length".into(),
            ));
        }
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(id);
        out.extend_from_slice(identity);
    }
    Ok(out)
}

fn decode(mut value: &[u8]) -> Result<Listed, StoreError> {
    let mut list = Vec::with_capacity(1);
    while !value.is_empty() {
        let (length, rest) = value.split_at_checked(2).ok_or_else(unreadable)?;
        let length = usize::from(u16::from_le_bytes([length[0], length[1]]));
        let (id, rest) = rest.split_at_checked(length).ok_or_else(unreadable)?;
        let (identity, rest) = rest.split_at_checked(IDENTITY).ok_or_else(unreadable)?;
        list.push((id.to_vec(), identity.to_vec()));
        value = rest;
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(n: u8) -> Vec<u8> {
        vec![n; IDENTITY]
    }

    fn put(id: &str, n: u8) -> Op {
        Op::Put(EXTERNAL_IDS, id.as_bytes().to_vec(), identity(n))
    }

    #[test]
    fn a_ledgers_numbers_come_in_order_and_other_ids_are_not_filed_here() {
        let keys: Vec<_> = ["zj:9", "zj:10", "zj:99", "zj:100", "zj:16001"]
            .iter()
            .map(|id| key(id.as_bytes()))
            .collect();
        assert!(keys.iter().all(Option::is_some));
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        // Another ledger's numbers are elsewhere; the same number under another source differs.
        assert_ne!(
            key(b"zj:10").map(|k| k[..8].to_vec()),
            key(b"hz:10").map(|k| k[..8].to_vec())
        );
        for other in [
            "zj:#3fa9c2e",
            "zj:#3fa9",
            "zj:",
            "zj:12345678901234567890",
            "编号",
        ] {
            assert_eq!(key(other.as_bytes()), None, "{other}");
            assert!(!filed_here(&put(other, 1)));
        }
        for numbered in [
            "zj:1234567890123456789",
            "zj:ZJ2021001",
            "zj:SQ-07",
            "zj:第12",
            "7",
        ] {
            assert!(key(numbered.as_bytes()).is_some(), "{numbered}");
        }
        assert!(
            filed_here(&put("zj:7", 1)) && filed_here(&Op::Del(EXTERNAL_IDS, b"zj:7".to_vec()))
        );
        assert!(!filed_here(&Op::Put(
            super::super::APPEALS,
            b"zj:7".to_vec(),
            identity(1)
        )));
    }

    #[test]
    fn ids_sharing_a_key_are_each_found_changed_and_taken_out() -> Result<(), StoreError> {
        // `7` and `007` share a key; the last change of an id in the ops holds.
        let mut tree: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let apply = |ops: &[Op], tree: &mut BTreeMap<Vec<u8>, Vec<u8>>| {
            let snapshot = tree.clone();
            let filed = file(&[ops], |k| {
                Ok(snapshot.get(k).map(|v| sled::IVec::from(&v[..])))
            })?;
            for op in filed {
                match op {
                    Op::Put(LEDGER_NUMBERS, k, v) => tree.insert(k, v),
                    Op::Del(LEDGER_NUMBERS, k) => tree.remove(&k),
                    _ => return Err(StoreError::Corrupt("another tree".into())),
                };
            }
            Ok::<(), StoreError>(())
        };
        apply(
            &[
                put("zj:7", 1),
                put("zj:007", 2),
                put("zj:8", 3),
                put("zj:8", 4),
            ],
            &mut tree,
        )?;
        assert_eq!(tree.len(), 2);
        let seven = key(b"zj:7").ok_or_else(unreadable)?.to_vec();
        let eight = key(b"zj:8").ok_or_else(unreadable)?.to_vec();
        assert_eq!(find(&tree[&seven], b"zj:7")?, Some(identity(1)));
        assert_eq!(find(&tree[&seven], b"zj:007")?, Some(identity(2)));
        assert_eq!(find(&tree[&seven], b"zj:0007")?, None);
        assert_eq!(find(&tree[&eight], b"zj:8")?, Some(identity(4)));

        // Taken out one by one: the key stays while an id is left under it.
        apply(&[Op::Del(EXTERNAL_IDS, b"zj:7".to_vec())], &mut tree)?;
        assert_eq!(find(&tree[&seven], b"zj:7")?, None);
        assert_eq!(find(&tree[&seven], b"zj:007")?, Some(identity(2)));
        apply(
            &[Op::Del(EXTERNAL_IDS, b"zj:007".to_vec()), put("zj:8", 5)],
            &mut tree,
        )?;
        assert!(!tree.contains_key(&seven));
        assert_eq!(find(&tree[&eight], b"zj:8")?, Some(identity(5)));
        // Put and taken out in the same ops: nothing is left.
        apply(
            &[put("zj:9", 6), Op::Del(EXTERNAL_IDS, b"zj:9".to_vec())],
            &mut tree,
        )?;
        assert_eq!(tree.len(), 1);
        Ok(())
    }

    #[test]
    fn a_damaged_entry_is_refused_not_misread() {
        let Ok(value) = encode(&[(b"zj:7".to_vec(), identity(1))]) else {
            panic!("encodes");
        };
        for cut in 1..value.len() {
            assert!(find(&value[..cut], b"zj:7").is_err(), "cut at {cut}");
        }
        assert!(encode(&[(b"zj:7".to_vec(), vec![1; 3])]).is_err());
    }
}
