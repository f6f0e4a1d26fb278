//! The store's zstd dictionaries, one for histories and one for summaries. Each value is
//! compressed on its own, and each is small: zstd alone finds little to refer back to and builds
//! its tables anew for each. A dictionary trained on the store's own first values gives zstd what
//! they share (the events' shape, the district's departments, stewards and usual words): the
//! archive's histories take about 0.6 of their space and unpack faster, summaries 0.4 (measured
//! in BENCHMARKS.md, fifth round). One for both did worse on each.
//!
//! They are trained once, from the first bulk batch or move to the archive that brings
//! `TRAIN_FROM` appeals together, and kept in the live database (a tree of their own) before
//! anything is packed with them. They never change afterwards: every value packed with one names
//! it (zstd's dictionary id), and a store laid out anew from the journal gets dictionaries of
//! its own.

use std::sync::{Arc, OnceLock, RwLock};

use zstd::zstd_safe::{CDict, DDict};

use super::StoreError;

/// Where the live database keeps them: a tree of their own, so that the meta tree, which every
/// step changes, stays a small page for sled to rewrite.
pub(super) const TREE: &str = "dictionaries";
pub(super) const HISTORIES_KEY: &[u8] = b"history_dictionary";
pub(super) const SUMMARIES_KEY: &[u8] = b"summary_dictionary";
/// Appeals at hand before they are trained: fewer teach zstd little (500 of the demo's
/// histories already give 0.63 of zstd's size alone, 2,000 give 0.61).
#[cfg(not(test))]
pub(super) const TRAIN_FROM: usize = 500;
#[cfg(test)]
pub(super) const TRAIN_FROM: usize = 40;
/// Their largest sizes: 64 KiB did as well as 112 on the demo's histories, 32 KiB nearly as well
/// as 64 on its summaries.
const HISTORIES_SIZE: usize = 64 * 1024;
const SUMMARIES_SIZE: usize = 32 * 1024;
/// The level values are compressed at with them: 1, not zstd's default 3. Packing was a seventh
/// of an import's CPU; at 1 an import of 100k uses about 0.1 s less of it and keeps about 5 MB
/// more (BENCHMARKS.md, eighteenth round). A step packing from the dictionary's bytes also
/// clears match tables of 32 KiB rather than 384 KiB (0.3-0.6 ms a step).
const LEVEL: i32 = 1;

/// Values a dictionary packs from its bytes before it is prepared to compress: preparing it
/// takes about half a millisecond and fills tables sized for any value, which a step that packs
/// one history and one summary need not pay; zstd sizes its tables for the value and the
/// dictionary when given the bytes themselves. A command that packs more (an import, a move to
/// the archive) prepares it.
pub(super) const UNPREPARED_USES: usize = 4;

/// A trained dictionary, prepared each way when first used that way (preparing it to compress
/// takes about half a millisecond, which a command that only reads need not pay).
pub struct Dictionary {
    id: u32,
    bytes: Vec<u8>,
    compress: OnceLock<CDict<'static>>,
    decompress: OnceLock<DDict<'static>>,
    /// Values packed with it so far, up to `UNPREPARED_USES`.
    packed: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dictionary({}, {} bytes)", self.id, self.bytes.len())
    }
}

impl Dictionary {
    /// One trained on `samples`; `None` when zstd finds nothing to train on (too few or too
    /// small samples): values are then packed without.
    pub(super) fn train(samples: &[&[u8]], max_size: usize) -> Option<Dictionary> {
        let total: usize = samples.iter().map(|s| s.len()).sum();
        // zstd wants samples of about ten times the dictionary's size.
        let size = (total / 10).min(max_size);
        if samples.len() < TRAIN_FROM || size < 1024 {
            return None;
        }
        match zstd::dict::from_samples(samples, size) {
            Ok(bytes) => Dictionary::from_stored(bytes).ok(),
            Err(e) => {
                tracing::info!(error = %e, samples = samples.len(), "no dictionary trained");
                None
            }
        }
    }

    /// The dictionary as kept in the store.
    pub(super) fn from_stored(bytes: Vec<u8>) -> Result<Dictionary, StoreError> {
        let id = zstd::zstd_safe::get_dict_id_from_dict(&bytes)
            .ok_or_else(|| StoreError::Corrupt("a dictionary of the store is unreadable".into()))?
            .get();
        Ok(Dictionary {
            id,
            compress: OnceLock::new(),
            decompress: OnceLock::new(),
            packed: std::sync::atomic::AtomicUsize::new(0),
            bytes,
        })
    }

    pub(super) fn id(&self) -> u32 {
        self.id
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How to compress a value with it: prepared, or (for the first few values) from its bytes
    /// at `LEVEL`.
    pub(super) fn for_compressing(&self) -> Compressing<'_> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.compress.get().is_none()
            && self
                .packed
                .fetch_update(Relaxed, Relaxed, |n| (n < UNPREPARED_USES).then_some(n + 1))
                .is_ok()
        {
            return Compressing::Bytes(&self.bytes, LEVEL);
        }
        Compressing::Prepared(
            self.compress
                .get_or_init(|| CDict::create(&self.bytes, LEVEL)),
        )
    }

    #[cfg(test)]
    pub(super) fn is_prepared_to_compress(&self) -> bool {
        self.compress.get().is_some()
    }

    pub(super) fn for_decompressing(&self) -> &DDict<'static> {
        self.decompress.get_or_init(|| DDict::create(&self.bytes))
    }
}

/// A dictionary as a value is compressed with it.
pub(super) enum Compressing<'a> {
    Prepared(&'a CDict<'static>),
    /// Its bytes, and the level.
    Bytes(&'a [u8], i32),
}

/// The store's two dictionaries.
#[derive(Debug)]
pub struct Dictionaries {
    pub(super) histories: Dictionary,
    pub(super) summaries: Dictionary,
}

impl Dictionaries {
    /// Both trained, from histories' frames and encoded summaries; `None` if either could not be.
    /// The two are trained side by side: an import's first batch waits on them, with the
    /// other threads idle.
    pub(super) fn train(histories: &[&[u8]], summaries: &[&[u8]]) -> Option<Dictionaries> {
        let (histories, summaries) = std::thread::scope(|scope| {
            let summaries = scope.spawn(|| Dictionary::train(summaries, SUMMARIES_SIZE));
            let histories = Dictionary::train(histories, HISTORIES_SIZE);
            // A panic there is a bug: it goes on here, as it would have on this thread.
            let summaries = summaries
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (histories, summaries)
        });
        Some(Dictionaries {
            histories: histories?,
            summaries: summaries?,
        })
    }

    /// As the live database keeps them (both or neither).
    pub(super) fn kept_in(tree: &sled::Tree) -> Result<Option<Dictionaries>, StoreError> {
        match (tree.get(HISTORIES_KEY)?, tree.get(SUMMARIES_KEY)?) {
            (Some(h), Some(s)) => Ok(Some(Dictionaries {
                histories: Dictionary::from_stored(h.to_vec())?,
                summaries: Dictionary::from_stored(s.to_vec())?,
            })),
            (None, None) => Ok(None),
            _ => Err(StoreError::Corrupt(
                "the store has one of its two dictionaries".into(),
            )),
        }
    }
}

/// The live database's dictionaries, once it has them.
pub(super) struct Slot(RwLock<Option<Arc<Dictionaries>>>);

impl Slot {
    pub(super) fn holding(dictionaries: Option<Dictionaries>) -> Slot {
        Slot(RwLock::new(dictionaries.map(Arc::new)))
    }

    pub(super) fn get(&self) -> Option<Arc<Dictionaries>> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, dictionaries: Arc<Dictionaries>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(dictionaries);
    }
}

impl super::Store {
    /// The store's dictionaries. Without them, they are trained from the appeals at hand (their
    /// histories' frames, their encoded summaries) if there are enough, and kept on disk before
    /// anything is packed with them; with too few, values are packed without for now. The
    /// caller holds the writer.
    pub(super) fn dictionaries_from<'a>(
        &self,
        appeals: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    ) -> Result<Option<Arc<Dictionaries>>, StoreError> {
        let engine = self.engine()?;
        if let Some(kept) = engine.dictionaries.get() {
            return Ok(Some(kept));
        }
        let (histories, summaries): (Vec<&[u8]>, Vec<&[u8]>) = appeals.unzip();
        let Some(trained) = Dictionaries::train(&histories, &summaries) else {
            return Ok(None);
        };
        let mut batch = sled::Batch::default();
        batch.insert(HISTORIES_KEY, trained.histories.bytes());
        batch.insert(SUMMARIES_KEY, trained.summaries.bytes());
        engine.dictionary_tree.apply_batch(batch)?;
        engine.sync()?;
        let trained = Arc::new(trained);
        engine.dictionaries.set(trained.clone());
        Ok(Some(trained))
    }
}
