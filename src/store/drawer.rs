//! The archive's histories and summaries in drawers. In the archive's `histories` and `appeals`
//! trees one key holds the values of up to about [`SPAN`] consecutive identities, each
//! `identity (16 bytes) ‖ length (u32 LE) ‖ the value` in identity order, under the key of its
//! first identity; the live database keeps one key per appeal.
//!
//! Why: sled writes each key it is given as a record of its own and rewrites the node around it
//! every ten, and keeps a segment of its file until half of it is stale. One key per closed
//! appeal took twice its data on disk and most of the time of writing the archive; the same
//! values 64 to a key took 0.9 s to write instead of 3.2 s and 145 MB instead of 181 MB at
//! 100,000 appeals (BENCHMARKS.md, sixth round). The archive is written seldom and in batches
//! (moves, bulk writes); identities begin with the time of capture, so a batch of closed appeals
//! falls on the last drawers. Ledger ids that end in a number are kept in drawers too, under
//! keys in the ledger's order (`ledger_numbers`); other ledger ids stay one key each: they come
//! in no order, so in drawers each batch rewrote most of them, and an import took more room,
//! not less.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::archive::Entries;
use super::{APPEALS, HISTORIES, LEDGER_NUMBERS, Op, StoreError};

/// About how many values a drawer holds: a drawer that grows past it is split in even parts.
#[cfg(not(test))]
pub(super) const SPAN: usize = 64;
/// Small in the store's own tests, so that they split drawers.
#[cfg(test)]
pub(super) const SPAN: usize = 4;

/// The archive's trees kept in drawers.
pub(super) const DRAWN: [usize; 3] = [HISTORIES, APPEALS, LEDGER_NUMBERS];

const KEY: usize = 16;
const LENGTH: usize = 4;

/// An identity's key.
type Key = [u8; KEY];

/// Where an entry's value is in its drawer.
struct Place {
    key: Key,
    start: usize,
    length: usize,
}

fn unreadable() -> StoreError {
    StoreError::Corrupt("a drawer of the archive is unreadable".into())
}

/// The entries of a drawer, in key order, each value a slice of the drawer (not a copy).
fn entries(drawer: sled::IVec) -> DrawerEntries {
    DrawerEntries { drawer, at: 0 }
}

struct DrawerEntries {
    drawer: sled::IVec,
    at: usize,
}

impl DrawerEntries {
    /// The next entry's key, and where its value is in the drawer.
    fn next_place(&mut self) -> Option<Result<Place, StoreError>> {
        let rest = self.drawer.get(self.at..)?;
        if rest.is_empty() {
            return None;
        }
        let entry = (|| {
            let key: [u8; KEY] = rest
                .get(..KEY)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(unreadable)?;
            let length: [u8; LENGTH] = rest
                .get(KEY..KEY + LENGTH)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(unreadable)?;
            let length = u32::from_le_bytes(length) as usize;
            if rest.len() - KEY - LENGTH < length {
                return Err(unreadable());
            }
            let start = self.at + KEY + LENGTH;
            self.at = start + length;
            Ok(Place { key, start, length })
        })();
        if entry.is_err() {
            // Nothing after damage is read as an entry.
            self.at = self.drawer.len();
        }
        Some(entry)
    }
}

impl Iterator for DrawerEntries {
    type Item = Result<([u8; KEY], sled::IVec), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        let place = self.next_place()?;
        Some(place.map(|p| (p.key, self.drawer.subslice(p.start, p.length))))
    }
}

/// The value of `key` in a drawer.
fn find(drawer: sled::IVec, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
    let mut entries = entries(drawer);
    while let Some(place) = entries.next_place() {
        let place = place?;
        match place.key.as_slice().cmp(key) {
            std::cmp::Ordering::Equal => {
                return Ok(Some(entries.drawer.subslice(place.start, place.length)));
            }
            std::cmp::Ordering::Greater => break,
            std::cmp::Ordering::Less => {}
        }
    }
    Ok(None)
}

/// The last key of a drawer.
fn last_key(drawer: sled::IVec) -> Result<Option<[u8; KEY]>, StoreError> {
    let mut entries = entries(drawer);
    let mut last = None;
    while let Some(place) = entries.next_place() {
        last = Some(place?.key);
    }
    Ok(last)
}

/// The drawer read last, its first key and its last: reads in key order (an export's) find the
/// next value in it without asking sled.
#[derive(Default)]
pub(super) struct LastDrawer(Option<([u8; KEY], sled::IVec, [u8; KEY])>);

fn encode(drawer: &[(&[u8; KEY], &[u8])]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(drawer.iter().map(|(_, v)| v.len() + KEY + LENGTH).sum());
    for (key, value) in drawer {
        let length = u32::try_from(value.len())
            .map_err(|_| StoreError::Corrupt("a value too large to keep".into()))?;
        out.extend_from_slice(&key[..]);
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(value);
    }
    Ok(out)
}

/// A tree read one key a value: the live database's trees, and the archive's trees that are
/// not in drawers, as sled keeps them; the archive's drawn trees through their drawers.
#[derive(Clone)]
pub(super) struct Keyed {
    tree: sled::Tree,
    drawn: bool,
}

impl Keyed {
    pub(super) fn new(tree: sled::Tree, drawn: bool) -> Keyed {
        Keyed { tree, drawn }
    }

    /// The drawer `key` falls in: the last one whose key is not after it.
    fn drawer_of(&self, key: &[u8]) -> Result<Option<(sled::IVec, sled::IVec)>, StoreError> {
        Ok(self.tree.range(..=key).next_back().transpose()?)
    }

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
        if !self.drawn {
            return Ok(self.tree.get(key)?);
        }
        match self.drawer_of(key)? {
            Some((_, drawer)) => find(drawer, key),
            None => Ok(None),
        }
    }

    /// As [`Keyed::get`], looking first in the drawer read last.
    pub(super) fn get_near(
        &self,
        key: &[u8],
        last: &mut LastDrawer,
    ) -> Result<Option<sled::IVec>, StoreError> {
        if !self.drawn {
            return self.get(key);
        }
        if let Some((first, drawer, end)) = &last.0
            && key >= &first[..]
            && key <= &end[..]
        {
            return find(drawer.clone(), key);
        }
        let Some((first, drawer)) = self.drawer_of(key)? else {
            return Ok(None);
        };
        let first: [u8; KEY] = first.as_ref().try_into().map_err(|_| unreadable())?;
        let end = last_key(drawer.clone())?.ok_or_else(unreadable)?;
        last.0 = Some((first, drawer.clone(), end));
        find(drawer, key)
    }

    #[cfg(test)]
    pub(super) fn contains_key(&self, key: &[u8]) -> Result<bool, StoreError> {
        match self.drawn {
            true => Ok(self.get(key)?.is_some()),
            false => Ok(self.tree.contains_key(key)?),
        }
    }

    /// Every entry, in key order.
    pub(super) fn iter(&self) -> Entries {
        self.range((Bound::Unbounded, Bound::Unbounded))
    }

    /// The entries of `range`, in key order.
    pub(super) fn range(&self, range: (Bound<[u8; KEY]>, Bound<[u8; KEY]>)) -> Entries {
        if !self.drawn {
            return Box::new(self.tree.range(range).map(|kv| Ok(kv?)));
        }
        // From the drawer the range begins in.
        let first = match range.0 {
            Bound::Included(k) | Bound::Excluded(k) => match self.drawer_of(&k) {
                Ok(drawer) => drawer.map(|(key, _)| key),
                Err(e) => return Box::new(std::iter::once(Err(e))),
            },
            Bound::Unbounded => None,
        };
        let drawers = match first {
            Some(key) => self.tree.range(key..),
            None => self.tree.iter(),
        };
        let within = move |key: &[u8]| -> (bool, bool) {
            let after_start = match range.0 {
                Bound::Included(k) => key >= &k[..],
                Bound::Excluded(k) => key > &k[..],
                Bound::Unbounded => true,
            };
            let before_end = match range.1 {
                Bound::Included(k) => key <= &k[..],
                Bound::Excluded(k) => key < &k[..],
                Bound::Unbounded => true,
            };
            (after_start, before_end)
        };
        Box::new(
            drawers
                .flat_map(|kv| -> Box<dyn Iterator<Item = _> + Send> {
                    match kv {
                        Ok((_, drawer)) => Box::new(entries(drawer)),
                        Err(e) => Box::new(std::iter::once(Err(e.into()))),
                    }
                })
                .filter_map(move |entry| match entry {
                    Ok((key, value)) => match within(&key) {
                        (true, true) => Some(Ok(Some((sled::IVec::from(&key[..]), value)))),
                        (false, _) => None,
                        (true, false) => Some(Ok(None)),
                    },
                    Err(e) => Some(Err(e)),
                })
                .map_while(|entry| entry.transpose()),
        )
    }

    /// The first key and the last.
    pub(super) fn ends(&self) -> Result<Option<(Key, Key)>, StoreError> {
        let key = |k: &[u8]| -> Result<[u8; KEY], StoreError> {
            k.get(..KEY)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(|| StoreError::Corrupt("a key of an identity".into()))
        };
        let (Some((first, _)), Some((last, drawer))) = (self.tree.first()?, self.tree.last()?)
        else {
            return Ok(None);
        };
        let last = match self.drawn {
            true => last_key(drawer)?.ok_or_else(unreadable)?,
            false => key(&last)?,
        };
        Ok(Some((key(&first)?, last)))
    }

    /// What is wrong with the drawers (for `verify`): each under the key of its first entry,
    /// its entries in order and before the next drawer's.
    pub(super) fn check_drawers(&self, name: &str) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut before: Option<[u8; KEY]> = None;
        for kv in self.tree.iter() {
            let (key, drawer) = kv?;
            let mut entries = entries(drawer);
            let mut first = true;
            while let Some(place) = entries.next_place() {
                let k = place?.key;
                if first && key != k[..] {
                    problems.push(format!("a drawer of {name} is not under its first key"));
                }
                if before.is_some_and(|b| b >= k) {
                    problems.push(format!("a drawer of {name} is out of order"));
                }
                before = Some(k);
                first = false;
            }
            if first {
                problems.push(format!("a drawer of {name} is empty"));
            }
        }
        Ok(problems)
    }

    /// Writes of drawers that `ops` on `tree` come to (see [`file`]).
    pub(super) fn file(&self, ops: &[&[Op]], tree: usize) -> Result<Vec<Op>, StoreError> {
        file(ops, tree, |key| {
            // The drawer it falls in, else (before every drawer) the first.
            let drawer = match self.drawer_of(key)? {
                Some(drawer) => drawer,
                None => match self.tree.first()? {
                    Some(first) => first,
                    None => return Ok(None),
                },
            };
            let next = self
                .tree
                .range::<&[u8], _>((Bound::Excluded(&drawer.0[..]), Bound::Unbounded))
                .next()
                .transpose()?
                .map(|(key, _)| key);
            Ok(Some(Stored {
                key: drawer.0,
                drawer: drawer.1,
                next,
            }))
        })
    }
}

/// Whether `op` is on a drawn tree (the archive writes it to a drawer instead).
pub(super) fn in_drawers(op: &Op) -> bool {
    matches!(op, Op::Put(t, ..) | Op::Del(t, ..) if DRAWN.contains(t))
}

/// A value for a drawer: one it holds already, or one an op puts.
enum Held<'a> {
    Stored(sled::IVec),
    New(&'a [u8]),
}

impl Held<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Held::Stored(value) => value,
            Held::New(value) => value,
        }
    }
}

/// A drawer as it is stored, and the key of the next one (none after the last).
struct Stored {
    key: sled::IVec,
    drawer: sled::IVec,
    next: Option<sled::IVec>,
}

/// The writes of drawers that `ops` on `tree`, one key a value, come to: each drawer they fall
/// in (`stored` gives the drawer of a key as it is now, before the ops, or the first drawer for
/// a key before every drawer) with the ops applied, the last change of a key holding. A drawer
/// is kept under the key of its first entry, and split in even parts once it holds more than
/// [`SPAN`] values; one left empty goes.
fn file(
    ops: &[&[Op]],
    tree: usize,
    stored: impl Fn(&[u8]) -> Result<Option<Stored>, StoreError>,
) -> Result<Vec<Op>, StoreError> {
    let mut changes: BTreeMap<[u8; KEY], Option<&Vec<u8>>> = BTreeMap::new();
    for op in ops.iter().flat_map(|ops| ops.iter()) {
        let (key, value) = match op {
            Op::Put(t, key, value) if *t == tree => (key, Some(value)),
            Op::Del(t, key) if *t == tree => (key, None),
            _ => continue,
        };
        let key: [u8; KEY] = key
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt("a key of an identity".into()))?;
        changes.insert(key, value);
    }
    // Per drawer (by its key; none while the tree is empty), the drawer and its changes. The
    // changes come in key order, so the drawer of the one before is tried first: keys from its
    // key to the next drawer's fall in it (a batch at the end of the tree, all of them).
    let mut drawers: BTreeMap<Option<Vec<u8>>, (Option<sled::IVec>, Vec<_>)> = BTreeMap::new();
    let mut last: Option<Stored> = None;
    for (key, value) in changes {
        let within = last.as_ref().is_some_and(|s| {
            key[..] >= s.key[..] && s.next.as_ref().is_none_or(|next| key[..] < next[..])
        });
        if !within {
            last = stored(&key)?;
        }
        let (first, drawer) = match &last {
            Some(s) => (Some(s.key.to_vec()), Some(s.drawer.clone())),
            None => (None, None),
        };
        drawers
            .entry(first)
            .or_insert_with(|| (drawer, Vec::new()))
            .1
            .push((key, value));
    }
    let mut out = Vec::new();
    for (old_key, (drawer, changed)) in drawers {
        // Values borrowed from the drawer as stored and from the ops, copied only once, into
        // the drawer as it will be.
        let mut values: BTreeMap<[u8; KEY], Held<'_>> = BTreeMap::new();
        if let Some(drawer) = drawer {
            for entry in entries(drawer) {
                let (key, value) = entry?;
                values.insert(key, Held::Stored(value));
            }
        }
        for (key, value) in changed {
            match value {
                Some(v) => values.insert(key, Held::New(v)),
                None => values.remove(&key),
            };
        }
        let values: Vec<(&[u8; KEY], &[u8])> = values.iter().map(|(k, v)| (k, v.bytes())).collect();
        let parts = values.len().div_ceil(SPAN);
        let mut keys = Vec::with_capacity(parts);
        let mut rest = values.as_slice();
        for part in 0..parts {
            // Even parts: the first ones take one more where they do not divide.
            let size = values.len() / parts + usize::from(part < values.len() % parts);
            let (these, after) = rest.split_at(size.min(rest.len()));
            rest = after;
            if let Some((key, _)) = these.first() {
                keys.push(key.to_vec());
                out.push(Op::Put(tree, key.to_vec(), encode(these)?));
            }
        }
        if let Some(old) = old_key
            && !keys.contains(&old)
        {
            out.push(Op::Del(tree, old));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EXTERNAL_IDS;

    fn key(n: u8) -> Vec<u8> {
        let mut k = vec![0u8; KEY];
        k[KEY - 1] = n;
        k
    }

    fn put(n: u8, value: &[u8]) -> Op {
        Op::Put(HISTORIES, key(n), value.to_vec())
    }

    fn del(n: u8) -> Op {
        Op::Del(HISTORIES, key(n))
    }

    /// Applies filed ops to a map standing for the tree.
    fn apply(tree: &mut BTreeMap<Vec<u8>, Vec<u8>>, ops: &[Op]) -> Result<Vec<Op>, StoreError> {
        let filed = file(&[ops], HISTORIES, |k| {
            let found = tree.range(..=k.to_vec()).next_back().or(tree.iter().next());
            Ok(found.map(|(key, drawer)| Stored {
                key: sled::IVec::from(&key[..]),
                drawer: sled::IVec::from(&drawer[..]),
                next: tree
                    .range((Bound::Excluded(key.clone()), Bound::Unbounded))
                    .next()
                    .map(|(next, _)| sled::IVec::from(&next[..])),
            }))
        })?;
        for op in &filed {
            match op {
                Op::Put(HISTORIES, k, v) => {
                    tree.insert(k.clone(), v.clone());
                }
                Op::Del(HISTORIES, k) => {
                    tree.remove(k);
                }
                _ => return Err(StoreError::Corrupt("another tree".into())),
            }
        }
        Ok(filed)
    }

    /// Each value by the last byte of its key.
    type Values = Vec<(u8, Vec<u8>)>;

    /// Every (key, value) in the drawers, and each drawer's size; checks that each drawer is
    /// under the key of its first entry and in order.
    fn contents(
        tree: &BTreeMap<Vec<u8>, Vec<u8>>,
    ) -> Result<(Values, Vec<usize>), Box<dyn std::error::Error>> {
        let mut all = Vec::new();
        let mut sizes = Vec::new();
        for (k, drawer) in tree {
            let read: Vec<_> = entries(sled::IVec::from(&drawer[..])).collect::<Result<_, _>>()?;
            assert_eq!(read.first().map(|(f, _)| f.to_vec()), Some(k.clone()));
            sizes.push(read.len());
            all.extend(read.into_iter().map(|(k, v)| (k[KEY - 1], v.to_vec())));
        }
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "in order");
        Ok((all, sizes))
    }

    #[test]
    fn values_land_in_drawers_split_evenly_and_the_last_change_holds()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut tree = BTreeMap::new();
        // Ten values in one batch: three drawers of 4, 3, 3 (SPAN is 4 in tests).
        let ops: Vec<Op> = (10..20).map(|n| put(n, &[n])).collect();
        apply(&mut tree, &ops)?;
        let (all, sizes) = contents(&tree)?;
        assert_eq!(sizes, [4, 3, 3]);
        assert_eq!(all.len(), 10);

        // Before every drawer, between two, after the last; changed twice, taken out.
        apply(
            &mut tree,
            &[
                put(1, b"a"),
                put(15, b"x"),
                del(15),
                put(15, b"y"),
                put(30, b"z"),
                del(12),
                del(99),
            ],
        )?;
        let (all, _) = contents(&tree)?;
        let keys: Vec<u8> = all.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [1, 10, 11, 13, 14, 15, 16, 17, 18, 19, 30]);
        assert!(all.contains(&(15, b"y".to_vec())));
        assert!(
            all.contains(&(1, b"a".to_vec())),
            "the first drawer took it"
        );

        // Emptied drawers go; other trees are left to the caller.
        let mut every: Vec<Op> = keys.iter().map(|n| del(*n)).collect();
        every.push(Op::Del(EXTERNAL_IDS, vec![1]));
        let filed = apply(&mut tree, &every)?;
        assert!(tree.is_empty(), "{tree:?}");
        assert!(filed.iter().all(|op| matches!(op, Op::Del(HISTORIES, _))));
        assert!(in_drawers(&put(1, b"")) && !in_drawers(&Op::Del(EXTERNAL_IDS, vec![1])));
        Ok(())
    }

    #[test]
    fn a_damaged_drawer_is_said_to_be_damaged() -> Result<(), StoreError> {
        let bytes = encode(&[(&[7u8; KEY], &b"value"[..])])?;
        for cut in 1..bytes.len() {
            let read: Result<Vec<_>, _> = entries(sled::IVec::from(&bytes[..cut])).collect();
            assert!(read.is_err(), "cut at {cut}");
        }
        let whole = sled::IVec::from(bytes);
        assert_eq!(
            find(whole.clone(), &[7u8; KEY])?.as_deref(),
            Some(&b"value"[..])
        );
        assert_eq!(find(whole, &[8u8; KEY])?, None);
        Ok(())
    }

    #[test]
    fn a_drawn_tree_reads_like_a_plain_one() -> Result<(), Box<dyn std::error::Error>> {
        let db = sled::Config::new().temporary(true).open()?;
        let (plain, drawn) = (
            Keyed::new(db.open_tree("plain")?, false),
            Keyed::new(db.open_tree("drawn")?, true),
        );
        let keys: Vec<u8> = (1..=40).map(|n| n * 3).collect();
        let ops = || -> Vec<Op> { keys.iter().map(|n| put(*n, &[*n; 3])).collect() };
        for (keyed, ops) in [(&plain, ops()), (&drawn, drawn.file(&[&ops()], HISTORIES)?)] {
            for op in ops {
                if let Op::Put(_, k, v) = op {
                    keyed.tree.insert(k, v)?;
                }
            }
        }
        assert!(drawn.tree.len() < keys.len(), "fewer keys in drawers");
        type Pairs = Vec<(Vec<u8>, Vec<u8>)>;
        let all = |k: &Keyed| -> Result<Pairs, StoreError> {
            k.iter()
                .map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())))
                .collect()
        };
        assert_eq!(all(&plain)?, all(&drawn)?);
        // Read in order and backwards through the drawer read last, as an export reads.
        let (mut forwards, mut backwards) = (LastDrawer::default(), LastDrawer::default());
        for n in 0..=130u8 {
            let back = 130 - n;
            assert_eq!(plain.get(&key(n))?, drawn.get_near(&key(n), &mut forwards)?);
            assert_eq!(
                plain.get(&key(back))?,
                drawn.get_near(&key(back), &mut backwards)?
            );
        }
        for n in 0..=130u8 {
            assert_eq!(plain.get(&key(n))?, drawn.get(&key(n))?, "{n}");
            assert_eq!(plain.contains_key(&key(n))?, drawn.contains_key(&key(n))?);
        }
        let bound = |n: u8| -> [u8; KEY] { key(n).try_into().unwrap_or_default() };
        use Bound::{Excluded, Included, Unbounded};
        for range in [
            (Included(bound(7)), Excluded(bound(50))),
            (Excluded(bound(9)), Included(bound(60))),
            (Unbounded, Excluded(bound(4))),
            (Included(bound(100)), Unbounded),
            (Included(bound(200)), Unbounded),
        ] {
            let read = |k: &Keyed| -> Result<Vec<Vec<u8>>, StoreError> {
                k.range(range)
                    .map(|kv| kv.map(|(k, _)| k.to_vec()))
                    .collect()
            };
            assert_eq!(read(&plain)?, read(&drawn)?, "{range:?}");
        }
        assert_eq!(plain.ends()?, drawn.ends()?);
        assert_eq!(
            plain.ends()?.map(|(f, l)| (f[KEY - 1], l[KEY - 1])),
            Some((3, 120))
        );

        // `verify` knows a drawer under another key than its first, or out of order.
        assert!(drawn.check_drawers("histories")?.is_empty());
        let (first, drawer) = drawn.tree.first()?.ok_or("no drawer")?;
        drawn.tree.insert(key(1), drawer.clone())?;
        drawn.tree.insert(key(200), drawer)?;
        drawn.tree.remove(first)?;
        let problems = drawn.check_drawers("histories")?;
        assert!(problems.contains(&"a drawer of histories is not under its first key".into()));
        assert!(problems.contains(&"a drawer of histories is out of order".into()));
        Ok(())
    }
}
